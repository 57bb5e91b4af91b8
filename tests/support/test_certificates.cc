// SPDX-License-Identifier: Apache-2.0
#include "tests/support/test_certificates.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <memory>

namespace sessionkv::testing {

namespace {

struct Credential {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  Credential() = default;
  Credential(const Credential&) = delete;
  Credential& operator=(const Credential&) = delete;
  ~Credential() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return true;
}

// A key and a certificate signed by `issuer` (self-signed when null); `alt_names` as subjectAltName.
bool Issue(Credential& out, const char* common_name, const Credential* issuer, bool ca,
           const char* alt_names = nullptr) {
  static long serial = 1;
  out.key = EVP_EC_gen("P-256");
  out.cert = X509_new();
  if (out.key == nullptr || out.cert == nullptr) return false;
  X509_set_version(out.cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(out.cert), serial++);
  X509_gmtime_adj(X509_getm_notBefore(out.cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(out.cert), 3600);
  X509_set_pubkey(out.cert, out.key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(out.cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* issuer_cert = issuer != nullptr ? issuer->cert : out.cert;
  X509_set_issuer_name(out.cert, X509_get_subject_name(issuer_cert));
  if (!AddExtension(out.cert, issuer_cert, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE")) {
    return false;
  }
  if (alt_names != nullptr && !AddExtension(out.cert, issuer_cert, NID_subject_alt_name, alt_names)) return false;
  return X509_sign(out.cert, issuer != nullptr ? issuer->key : out.key, EVP_sha256()) > 0;
}

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

bool WriteCert(const std::string& path, const Credential& c) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "w"));
  return bio != nullptr && PEM_write_bio_X509(bio.get(), c.cert) == 1;
}

bool WriteKey(const std::string& path, const Credential& c, const char* pass) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "w"));
  if (bio == nullptr) return false;
  if (pass == nullptr) return PEM_write_bio_PrivateKey(bio.get(), c.key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return PEM_write_bio_PrivateKey(bio.get(), c.key, EVP_aes_256_cbc(), reinterpret_cast<const unsigned char*>(pass),
                                  static_cast<int>(std::strlen(pass)), nullptr, nullptr) == 1;
}

bool WriteDhParams(const std::string& path) {
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr);
  EVP_PKEY* params = nullptr;
  bool ok = pctx != nullptr && EVP_PKEY_paramgen_init(pctx) > 0 &&
            EVP_PKEY_CTX_set_group_name(pctx, "ffdhe2048") > 0 && EVP_PKEY_paramgen(pctx, &params) > 0;
  if (ok) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "w"));
    ok = bio != nullptr && PEM_write_bio_Parameters(bio.get(), params) == 1;
  }
  EVP_PKEY_free(params);
  EVP_PKEY_CTX_free(pctx);
  return ok;
}

}  // namespace

absl::Status MakeTestCertificates(const std::string& dir) {
  Credential ca, other_ca, server, client, foreign;
  const auto at = [&dir](const char* name) { return dir + "/" + name; };
  const bool ok = Issue(ca, "sessionkv test ca", nullptr, true) &&
                  Issue(other_ca, "sessionkv other ca", nullptr, true) &&
                  Issue(server, "localhost", &ca, false, "DNS:localhost,IP:127.0.0.1") &&
                  Issue(client, "client", &ca, false) && Issue(foreign, "foreign client", &other_ca, false) &&
                  WriteCert(at("ca.crt"), ca) && WriteCert(at("server.crt"), server) &&
                  WriteKey(at("server.key"), server, nullptr) &&
                  WriteKey(at("server-encrypted.key"), server, kTestKeyPassphrase) &&
                  WriteCert(at("client.crt"), client) && WriteKey(at("client.key"), client, nullptr) &&
                  WriteCert(at("foreign.crt"), foreign) && WriteKey(at("foreign.key"), foreign, nullptr) &&
                  WriteDhParams(at("dh.pem"));
  return ok ? absl::OkStatus() : absl::InternalError("making the test certificates failed in " + dir);
}

}  // namespace sessionkv::testing

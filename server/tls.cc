// SPDX-License-Identifier: Apache-2.0
#include "server/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/strings.h"
#include "server/config.h"
#include "server/log.h"

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "sessionkv's TLS needs OpenSSL 3 (Debian 12's libssl-dev)"
#endif

namespace sessionkv::server {

namespace {

// The oldest error of this thread's OpenSSL queue, as Redis prints it (ERR_error_string_n).
std::string OpenSslError() {
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  return buf;
}

// tlsPasswordCallback: the key's passphrase is tls-key-file-pass; without one an encrypted key fails to
// load (instead of OpenSSL prompting on the terminal).
int PasswordCallback(char* buf, int size, int /*rwflag*/, void* userdata) {
  const auto* pass = static_cast<const std::string*>(userdata);
  if (pass == nullptr || pass->size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buf, pass->data(), pass->size());
  return static_cast<int>(pass->size());
}

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;

absl::Status Fail(std::string_view message) { return absl::InvalidArgumentError(ToAbsl(message)); }

// The CA that peers' certificates are verified against, and the cipher lists.
absl::Status LoadTrustAndCiphers(SSL_CTX* ctx, const TlsSettings& s) {
  if ((!s.ca_cert_file.empty() || !s.ca_cert_dir.empty()) &&
      SSL_CTX_load_verify_locations(ctx, s.ca_cert_file.empty() ? nullptr : s.ca_cert_file.c_str(),
                                    s.ca_cert_dir.empty() ? nullptr : s.ca_cert_dir.c_str()) <= 0) {
    return Fail(StrCat("Failed to configure CA certificate(s) file/directory: ", OpenSslError()));
  }
  if (!s.ciphers.empty() && !SSL_CTX_set_cipher_list(ctx, s.ciphers.c_str())) {
    return Fail(StrCat("Failed to configure ciphers: ", s.ciphers));
  }
  if (!s.ciphersuites.empty() && !SSL_CTX_set_ciphersuites(ctx, s.ciphersuites.c_str())) {
    return Fail(StrCat("Failed to configure ciphersuites: ", s.ciphersuites));
  }
  return absl::OkStatus();
}

// createSSLContext: the protocol options, the certificate chain and key (which a client context may go
// without), the CA and the cipher lists.
absl::Status LoadCredentials(SSL_CTX* ctx, const TlsSettings& s, int protocols) {
  SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS |
                               SSL_OP_NO_COMPRESSION);
  if (!(protocols & kTlsV1)) SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1);
  if (!(protocols & kTlsV1_1)) SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_1);
  if (!(protocols & kTlsV1_2)) SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_2);
  if (!(protocols & kTlsV1_3)) SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_3);
  // The strictest mode; each connection sets its own from tls-auth-clients (SetClientVerification).
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);

  // A replica may present no certificate of its own to a primary with tls-auth-clients no.
  if (s.cert_file.empty()) return LoadTrustAndCiphers(ctx, s);
  const std::string* pass = s.key_file_pass.empty() ? nullptr : &s.key_file_pass;
  SSL_CTX_set_default_passwd_cb(ctx, PasswordCallback);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(pass));
  absl::Status status;
  if (SSL_CTX_use_certificate_chain_file(ctx, s.cert_file.c_str()) <= 0) {
    status = Fail(StrCat("Failed to load certificate: ", s.cert_file, ": ", OpenSslError()));
  } else if (SSL_CTX_use_PrivateKey_file(ctx, s.key_file.c_str(), SSL_FILETYPE_PEM) <= 0) {
    status = Fail(StrCat("Failed to load private key: ", s.key_file, ": ", OpenSslError()));
  }
  // The passphrase is needed only while loading; asio::ssl::context would also take a callback it did
  // not install for its own and delete it.
  SSL_CTX_set_default_passwd_cb(ctx, nullptr);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  if (!status.ok()) return status;
  return LoadTrustAndCiphers(ctx, s);
}

constexpr std::string_view kNeedsCa =
    "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or "
    "tls-auth-clients are enabled!";

// A context for `method` (server or client) with the protocols, credentials, CA and ciphers of `s`.
absl::StatusOr<CtxPtr> NewContext(const SSL_METHOD* method, const TlsSettings& s) {
  const absl::StatusOr<int> protocols = ParseTlsProtocols(s.protocols);
  if (!protocols.ok()) return protocols.status();
  ERR_clear_error();
  CtxPtr ctx(SSL_CTX_new(method));
  if (ctx == nullptr) return Fail(StrCat("Failed to create the TLS context: ", OpenSslError()));
  if (absl::Status status = LoadCredentials(ctx.get(), s, *protocols); !status.ok()) return status;
  return ctx;
}

// The server side of tlsConfigure: session cache, renegotiation, cipher preference, DH parameters.
absl::Status ConfigureServerSide(SSL_CTX* ctx, const TlsSettings& s) {
  if (s.session_caching) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, s.session_cache_size);
    SSL_CTX_set_timeout(ctx, s.session_cache_timeout);
    static constexpr unsigned char kSessionIdContext[] = "redis";
    SSL_CTX_set_session_id_context(ctx, kSessionIdContext, 5);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  }
  // OpenSSL 3 refuses client-initiated renegotiation by default (Redis sets SSL_OP_NO_CLIENT_RENEGOTIATION
  // where it exists, for older versions).
  SSL_CTX_set_options(ctx, SSL_OP_SINGLE_DH_USE);
  if (s.prefer_server_ciphers) SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (s.dh_params_file.empty()) {
    SSL_CTX_set_dh_auto(ctx, 1);
    return absl::OkStatus();
  }
  std::FILE* file = std::fopen(s.dh_params_file.c_str(), "r");
  if (file == nullptr) return Fail(StrCat("Failed to load ", s.dh_params_file, ": ", std::strerror(errno)));
  BIO* bio = BIO_new_fp(file, BIO_CLOSE);
  EVP_PKEY* params = bio != nullptr ? PEM_read_bio_Parameters(bio, nullptr) : nullptr;
  if (bio != nullptr) {
    BIO_free(bio);
  } else {
    std::fclose(file);
  }
  if (params == nullptr || EVP_PKEY_get_base_id(params) != EVP_PKEY_DH) {
    EVP_PKEY_free(params);
    return Fail(StrCat(s.dh_params_file, ": failed to read DH params."));
  }
  if (SSL_CTX_set0_tmp_dh_pkey(ctx, params) <= 0) {  // takes `params` only on success
    EVP_PKEY_free(params);
    return Fail(StrCat("Failed to load DH params file: ", s.dh_params_file, ": ", OpenSslError()));
  }
  return absl::OkStatus();
}

}  // namespace

TlsSettings TlsSettings::FromConfig(const Config& config) {
  const auto path = [&config](Param id) {
    const std::string value = config.str(id);
    return value.empty() ? value : config.PathInDir(value);
  };
  TlsSettings s;
  s.cert_file = path(Param::kTlsCertFile);
  s.key_file = path(Param::kTlsKeyFile);
  s.key_file_pass = config.str(Param::kTlsKeyFilePass);
  s.ca_cert_file = path(Param::kTlsCaCertFile);
  s.ca_cert_dir = path(Param::kTlsCaCertDir);
  s.dh_params_file = path(Param::kTlsDhParamsFile);
  s.protocols = config.str(Param::kTlsProtocols);
  s.ciphers = config.str(Param::kTlsCiphers);
  s.ciphersuites = config.str(Param::kTlsCiphersuites);
  s.prefer_server_ciphers = config.num(Param::kTlsPreferServerCiphers) != 0;
  s.session_caching = config.num(Param::kTlsSessionCaching) != 0;
  s.session_cache_size = config.num(Param::kTlsSessionCacheSize);
  s.session_cache_timeout = config.num(Param::kTlsSessionCacheTimeout);
  s.auth_clients = static_cast<TlsAuthClients>(config.tls_auth_clients());
  return s;
}

absl::StatusOr<int> ParseTlsProtocols(std::string_view protocols) {
  if (protocols.empty()) return kTlsV1_2 | kTlsV1_3;
  int out = 0;
  for (const std::string_view name : SplitOn(protocols, ' ')) {
    if (EqualsIgnoreCase(name, "tlsv1")) {
      out |= kTlsV1;
    } else if (EqualsIgnoreCase(name, "tlsv1.1")) {
      out |= kTlsV1_1;
    } else if (EqualsIgnoreCase(name, "tlsv1.2")) {
      out |= kTlsV1_2;
    } else if (EqualsIgnoreCase(name, "tlsv1.3")) {
      out |= kTlsV1_3;
    } else {
      return Fail(
          "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and "
          "'TLSv1.3'.");
    }
  }
  return out;
}

absl::StatusOr<std::shared_ptr<TlsContext>> MakeTlsContext(const TlsSettings& s) {
  if (s.cert_file.empty()) return Fail("No tls-cert-file configured!");
  if (s.key_file.empty()) return Fail("No tls-key-file configured!");
  if (s.auth_clients != TlsAuthClients::kNo && s.ca_cert_file.empty() && s.ca_cert_dir.empty()) {
    return Fail(kNeedsCa);
  }
  absl::StatusOr<CtxPtr> ctx = NewContext(TLS_server_method(), s);
  if (!ctx.ok()) return ctx.status();
  if (absl::Status status = ConfigureServerSide(ctx->get(), s); !status.ok()) return status;
  return std::make_shared<TlsContext>(ctx->release());
}

absl::StatusOr<std::shared_ptr<TlsContext>> MakeTlsClientContext(const TlsSettings& s) {
  // Without a CA there is nothing to verify the primary against, and an unverified link is not TLS
  // worth having across clouds.
  if (s.ca_cert_file.empty() && s.ca_cert_dir.empty()) return Fail(kNeedsCa);
  if (!s.cert_file.empty() && s.key_file.empty()) return Fail("No tls-key-file configured!");
  absl::StatusOr<CtxPtr> ctx = NewContext(TLS_client_method(), s);
  if (!ctx.ok()) return ctx.status();
  return std::make_shared<TlsContext>(ctx->release());
}

absl::Status CheckReplicationTls(const Config& config) {
  if (!config.tls_replication()) return absl::OkStatus();
  const absl::StatusOr<std::shared_ptr<TlsContext>> context = MakeTlsClientContext(TlsSettings::FromConfig(config));
  if (context.ok()) return absl::OkStatus();
  Log(LogLevel::kWarning, context.status().message());
  return absl::InvalidArgumentError(ToAbsl(kTlsUpdateFailed));
}

void SetClientVerification(asio::ssl::stream<asio::ip::tcp::socket>& stream, TlsAuthClients auth) {
  int mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;  // yes, and anything unknown
  if (auth == TlsAuthClients::kNo) mode = SSL_VERIFY_NONE;
  if (auth == TlsAuthClients::kOptional) mode = SSL_VERIFY_PEER;
  SSL_set_verify(stream.native_handle(), mode, nullptr);
}

std::string TlsErrorText(const asio::error_code& ec) {
  if (ec.category() == asio::error::get_ssl_category()) {
    char buf[256];
    ERR_error_string_n(static_cast<unsigned long>(ec.value()), buf, sizeof(buf));
    return buf;
  }
  return ec.message();
}

absl::Status TlsContextHolder::Configure(const Config& config, bool reconfigure) {
  if (!reconfigure && current() != nullptr) return absl::OkStatus();
  absl::StatusOr<std::shared_ptr<TlsContext>> context = MakeTlsContext(TlsSettings::FromConfig(config));
  if (!context.ok()) {
    Log(LogLevel::kWarning, context.status().message());
    return absl::InvalidArgumentError(ToAbsl(kTlsUpdateFailed));
  }
  std::lock_guard lock(mu_);
  context_ = std::move(*context);
  return absl::OkStatus();
}

std::shared_ptr<TlsContext> TlsContextHolder::current() const {
  std::lock_guard lock(mu_);
  return context_;
}

}  // namespace sessionkv::server

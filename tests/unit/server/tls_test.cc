// SPDX-License-Identifier: Apache-2.0
// The tls-* directives (defaults, CONFIG SET, volatile paths) and server/tls.h: building the context from
// them with Redis's error texts, tls-auth-clients on a real handshake, and the reload holder. The
// certificates come from tests/support/test_certificates.h.
#include "server/tls.h"

#include <openssl/ssl.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "base/strings.h"
#include "server/config.h"
#include "tests/support/test_certificates.h"

namespace sessionkv::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tls_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(sessionkv::testing::MakeTestCertificates(dir_).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  TlsSettings Valid() const {
    TlsSettings s;
    s.cert_file = Path("server.crt");
    s.key_file = Path("server.key");
    s.ca_cert_file = Path("ca.crt");
    return s;
  }
  std::string Error(const TlsSettings& s) {
    absl::StatusOr<std::shared_ptr<TlsContext>> context = MakeTlsContext(s);
    return context.ok() ? "<ok>" : Message(context.status());
  }

  // One handshake over loopback: the server side with `auth`, the client presenting `cert` (or nothing).
  // Returns the server's error text, or "" when the handshake succeeded.
  std::string ServerHandshake(TlsAuthClients auth, const std::string& cert) {
    asio::ssl::context client_context(asio::ssl::context::tls_client);
    client_context.set_verify_mode(asio::ssl::verify_none);
    if (!cert.empty()) {
      client_context.use_certificate_chain_file(Path(cert + ".crt"));
      client_context.use_private_key_file(Path(cert + ".key"), asio::ssl::context::pem);
    }
    return Handshake(auth, client_context, nullptr);
  }

  // The same with `client_context`; *client_error (if given) gets the client's error text, "" if none.
  std::string Handshake(TlsAuthClients auth, asio::ssl::context& client_context, std::string* client_error) {
    absl::StatusOr<std::shared_ptr<TlsContext>> server_context = MakeTlsContext(Valid());
    EXPECT_TRUE(server_context.ok()) << server_context.status();
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    asio::ssl::stream<asio::ip::tcp::socket> client(io, client_context);
    std::optional<asio::ssl::stream<asio::ip::tcp::socket>> server;
    std::string result = "<not run>";
    acceptor.async_accept([&](const asio::error_code& ec, asio::ip::tcp::socket socket) {
      ASSERT_FALSE(ec);
      server.emplace(std::move(socket), **server_context);
      SetClientVerification(*server, auth);
      server->async_handshake(asio::ssl::stream_base::server, [&](const asio::error_code& ec) {
        result = ec ? TlsErrorText(ec) : "";
        server->next_layer().close();  // the client's read below ends
      });
    });
    client.next_layer().async_connect(acceptor.local_endpoint(), [&](const asio::error_code& ec) {
      ASSERT_FALSE(ec);
      client.async_handshake(asio::ssl::stream_base::client, [&](const asio::error_code& ec) {
        if (client_error != nullptr) *client_error = ec ? TlsErrorText(ec) : "";
        if (ec) return client.next_layer().close();
        // TLS 1.3: the client is done before the server has checked its certificate; it reads until the
        // server closes.
        static char byte;
        client.async_read_some(asio::buffer(&byte, 1),
                               [&](const asio::error_code&, size_t) { client.next_layer().close(); });
      });
    });
    io.run_for(std::chrono::seconds(10));
    return result;
  }

  std::string dir_;
};

// ---------------------------------------------------------------------------------------------------------
// Settings.
// ---------------------------------------------------------------------------------------------------------

TEST_F(TlsTest, ProtocolsAsRedisParsesThem) {
  EXPECT_EQ(*ParseTlsProtocols(""), kTlsV1_2 | kTlsV1_3);
  EXPECT_EQ(*ParseTlsProtocols("TLSv1.2"), kTlsV1_2);
  EXPECT_EQ(*ParseTlsProtocols("tlsv1 TLSV1.1 TLSv1.3"), kTlsV1 | kTlsV1_1 | kTlsV1_3);
  const std::string invalid =
      "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.";
  EXPECT_EQ(Message(ParseTlsProtocols("SSLv3").status()), invalid);
  EXPECT_EQ(Message(ParseTlsProtocols("TLSv1.2  TLSv1.3").status()), invalid);  // split on single spaces
  EXPECT_EQ(Message(ParseTlsProtocols("TLSv1.2,TLSv1.3").status()), invalid);
}

TEST_F(TlsTest, DirectivesHaveRedisDefaults) {
  Config config;
  EXPECT_THAT(config.Get("tls-*"),
              ElementsAre(Pair("tls-port", "0"), Pair("tls-cert-file", ""), Pair("tls-key-file", ""),
                          Pair("tls-key-file-pass", ""), Pair("tls-ca-cert-file", ""), Pair("tls-ca-cert-dir", ""),
                          Pair("tls-dh-params-file", ""), Pair("tls-auth-clients", "yes"), Pair("tls-protocols", ""),
                          Pair("tls-ciphers", ""), Pair("tls-ciphersuites", ""),
                          Pair("tls-prefer-server-ciphers", "no"), Pair("tls-session-caching", "yes"),
                          Pair("tls-session-cache-size", "20480"), Pair("tls-session-cache-timeout", "300"),
                          Pair("tls-handshake-timeout-ms", "10000"), Pair("tls-replication", "no")));
  EXPECT_TRUE(Config::IsSensitive("tls-key-file-pass"));
  EXPECT_FALSE(Config::IsSensitive("tls-key-file"));
  const TlsSettings s = TlsSettings::FromConfig(config);
  EXPECT_EQ(s.auth_clients, TlsAuthClients::kYes);
  EXPECT_TRUE(s.session_caching);
  EXPECT_EQ(s.session_cache_size, 20480);
  EXPECT_EQ(s.session_cache_timeout, 300);
  EXPECT_EQ(s.cert_file, "");
}

TEST_F(TlsTest, SettingsFromTheConfigResolveRelativePathsAgainstDir) {
  Config config;
  const std::string conf = Path("test.conf");
  std::ofstream(conf) << "dir " << dir_ << "\ntls-port 6380\ntls-cert-file server.crt\ntls-key-file "
                      << Path("server.key") << "\ntls-ca-cert-dir certs\ntls-auth-clients optional\n"
                      << "tls-protocols \"TLSv1.3\"\ntls-prefer-server-ciphers yes\ntls-session-caching no\n"
                      << "tls-session-cache-size 7\ntls-session-cache-timeout 9\ntls-key-file-pass secret\n";
  ASSERT_TRUE(config.LoadFromArgs({conf}).ok());
  EXPECT_EQ(config.tls_port(), 6380);
  EXPECT_EQ(config.tls_auth_clients(), 2);
  const TlsSettings s = TlsSettings::FromConfig(config);
  EXPECT_EQ(s.cert_file, Path("server.crt"));
  EXPECT_EQ(s.key_file, Path("server.key"));
  EXPECT_EQ(s.ca_cert_dir, Path("certs"));
  EXPECT_EQ(s.ca_cert_file, "");
  EXPECT_EQ(s.key_file_pass, "secret");
  EXPECT_EQ(s.protocols, "TLSv1.3");
  EXPECT_EQ(s.auth_clients, TlsAuthClients::kOptional);
  EXPECT_TRUE(s.prefer_server_ciphers);
  EXPECT_FALSE(s.session_caching);
  EXPECT_EQ(s.session_cache_size, 7);
  EXPECT_EQ(s.session_cache_timeout, 9);
}

TEST_F(TlsTest, BadValuesAreRefusedWithRedisTexts) {
  Config config;
  EXPECT_EQ(Message(config.Set({{"tls-auth-clients", "maybe"}})),
            "ERR CONFIG SET failed (possibly related to argument 'tls-auth-clients') - argument(s) must be one of "
            "the following: no, yes, optional");
  EXPECT_EQ(Message(config.Set({{"tls-port", "65536"}})),
            "ERR CONFIG SET failed (possibly related to argument 'tls-port') - argument must be between 0 and "
            "65535 inclusive");
  EXPECT_EQ(Message(config.Set({{"tls-session-caching", "maybe"}})),
            "ERR CONFIG SET failed (possibly related to argument 'tls-session-caching') - argument must be 'yes' "
            "or 'no'");
}

// Redis's VOLATILE_CONFIG: the file paths apply again when set to the same value (a certificate rotated in
// place is reloaded); other parameters apply only when they change.
TEST_F(TlsTest, FilePathsApplyEvenWhenUnchanged) {
  Config config;
  int cert_applied = 0, protocols_applied = 0;
  config.OnApply("tls-cert-file", [&] { ++cert_applied; return absl::OkStatus(); });
  config.OnApply("tls-protocols", [&] { ++protocols_applied; return absl::OkStatus(); });
  ASSERT_TRUE(config.Set({{"tls-cert-file", "/a.crt"}, {"tls-protocols", "TLSv1.3"}}).ok());
  ASSERT_TRUE(config.Set({{"tls-cert-file", "/a.crt"}, {"tls-protocols", "TLSv1.3"}}).ok());
  EXPECT_EQ(cert_applied, 2);
  EXPECT_EQ(protocols_applied, 1);
}

TEST_F(TlsTest, AFailedApplyRestoresEveryValueOfTheSet) {
  Config config;
  ASSERT_TRUE(config.Set({{"tls-cert-file", "/old.crt"}, {"tls-key-file", "/old.key"}}).ok());
  config.OnApply("tls-key-file", [] { return absl::InvalidArgumentError(ToAbsl(kTlsUpdateFailed)); });
  EXPECT_EQ(Message(config.Set({{"tls-cert-file", "/new.crt"}, {"tls-key-file", "/new.key"}})),
            "ERR CONFIG SET failed (possibly related to argument 'tls-key-file') - Unable to update TLS "
            "configuration. Check server logs.");
  EXPECT_EQ(config.str(Param::kTlsCertFile), "/old.crt");
  EXPECT_EQ(config.str(Param::kTlsKeyFile), "/old.key");
}

// ---------------------------------------------------------------------------------------------------------
// The context.
// ---------------------------------------------------------------------------------------------------------

TEST_F(TlsTest, ValidSettingsMakeAContextWithRedisOptions) {
  TlsSettings s = Valid();
  s.prefer_server_ciphers = true;
  s.session_cache_size = 123;
  s.session_cache_timeout = 45;
  absl::StatusOr<std::shared_ptr<TlsContext>> context = MakeTlsContext(s);
  ASSERT_TRUE(context.ok()) << context.status();
  SSL_CTX* ctx = (*context)->native_handle();
  const uint64_t options = SSL_CTX_get_options(ctx);
  EXPECT_TRUE(options & SSL_OP_NO_TLSv1);
  EXPECT_TRUE(options & SSL_OP_NO_TLSv1_1);
  EXPECT_FALSE(options & SSL_OP_NO_TLSv1_2);
  EXPECT_FALSE(options & SSL_OP_NO_TLSv1_3);
  EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(options & SSL_OP_CIPHER_SERVER_PREFERENCE);
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_SERVER);
  EXPECT_EQ(SSL_CTX_sess_get_cache_size(ctx), 123);
  EXPECT_EQ(SSL_CTX_get_timeout(ctx), 45);
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  // The passphrase callback is gone once the key is loaded.
  EXPECT_EQ(SSL_CTX_get_default_passwd_cb_userdata(ctx), nullptr);

  s.protocols = "TLSv1.3";
  s.session_caching = false;
  context = MakeTlsContext(s);
  ASSERT_TRUE(context.ok()) << context.status();
  EXPECT_TRUE(SSL_CTX_get_options((*context)->native_handle()) & SSL_OP_NO_TLSv1_2);
  EXPECT_EQ(SSL_CTX_get_session_cache_mode((*context)->native_handle()), SSL_SESS_CACHE_OFF);
}

TEST_F(TlsTest, MissingSettingsAreRefusedInRedisOrder) {
  TlsSettings s = Valid();
  s.cert_file.clear();
  s.key_file.clear();
  EXPECT_EQ(Error(s), "No tls-cert-file configured!");
  s.cert_file = Path("server.crt");
  EXPECT_EQ(Error(s), "No tls-key-file configured!");
  s.key_file = Path("server.key");
  s.ca_cert_file.clear();
  EXPECT_EQ(Error(s),
            "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or "
            "tls-auth-clients are enabled!");
  s.auth_clients = TlsAuthClients::kOptional;
  EXPECT_THAT(Error(s), StartsWith("Either tls-ca-cert-file"));
  s.auth_clients = TlsAuthClients::kNo;  // nothing to verify: no CA needed
  EXPECT_EQ(Error(s), "<ok>");
  s.protocols = "TLSv2";
  EXPECT_THAT(Error(s), StartsWith("Invalid tls-protocols specified."));
}

TEST_F(TlsTest, BadFilesAreRefusedWithOpenSslsReason) {
  TlsSettings s = Valid();
  s.cert_file = Path("nonexistent.crt");
  EXPECT_THAT(Error(s), StartsWith("Failed to load certificate: " + Path("nonexistent.crt") + ": error:"));
  s.cert_file = Path("server.key");  // not a certificate
  EXPECT_THAT(Error(s), StartsWith("Failed to load certificate: " + Path("server.key") + ": error:"));
  s = Valid();
  s.key_file = Path("client.key");  // another certificate's key
  EXPECT_THAT(Error(s), AllOf(StartsWith("Failed to load private key: " + Path("client.key") + ": error:"),
                              HasSubstr("key values mismatch")));
  s = Valid();
  s.ca_cert_file = Path("nonexistent-ca.crt");
  EXPECT_THAT(Error(s), StartsWith("Failed to configure CA certificate(s) file/directory: error:"));
  s = Valid();
  s.ciphers = "NO-SUCH-CIPHER";
  EXPECT_EQ(Error(s), "Failed to configure ciphers: NO-SUCH-CIPHER");
  s = Valid();
  s.ciphersuites = "TLS_NO_SUCH_SUITE";
  EXPECT_EQ(Error(s), "Failed to configure ciphersuites: TLS_NO_SUCH_SUITE");
}

TEST_F(TlsTest, EncryptedKeyNeedsItsPassphrase) {
  TlsSettings s = Valid();
  s.key_file = Path("server-encrypted.key");
  EXPECT_THAT(Error(s), StartsWith("Failed to load private key: " + Path("server-encrypted.key") + ": error:"));
  s.key_file_pass = "wrong";
  EXPECT_THAT(Error(s), StartsWith("Failed to load private key: "));
  s.key_file_pass = sessionkv::testing::kTestKeyPassphrase;
  EXPECT_EQ(Error(s), "<ok>");
}

TEST_F(TlsTest, DhParamsFile) {
  TlsSettings s = Valid();
  s.dh_params_file = Path("dh.pem");
  EXPECT_EQ(Error(s), "<ok>");
  s.dh_params_file = Path("nonexistent.pem");
  EXPECT_EQ(Error(s), "Failed to load " + Path("nonexistent.pem") + ": No such file or directory");
  s.dh_params_file = Path("server.crt");
  EXPECT_EQ(Error(s), Path("server.crt") + ": failed to read DH params.");
}

TEST_F(TlsTest, HolderKeepsTheOldContextWhenARebuildFails) {
  Config config;
  TlsContextHolder holder;
  EXPECT_EQ(holder.current(), nullptr);
  EXPECT_EQ(Message(holder.Configure(config, true)), kTlsUpdateFailed);  // no files configured
  ASSERT_TRUE(config
                  .Set({{"tls-cert-file", Path("server.crt")},
                        {"tls-key-file", Path("server.key")},
                        {"tls-ca-cert-file", Path("ca.crt")}})
                  .ok());
  ASSERT_TRUE(holder.Configure(config, true).ok());
  const std::shared_ptr<TlsContext> first = holder.current();
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(holder.Configure(config, /*reconfigure=*/false).ok());
  EXPECT_EQ(holder.current(), first);  // kept: applyTLSPort does not rebuild
  ASSERT_TRUE(holder.Configure(config, true).ok());
  const std::shared_ptr<TlsContext> second = holder.current();
  EXPECT_NE(second, first);
  ASSERT_TRUE(config.Set({{"tls-key-file", Path("client.key")}}).ok());
  EXPECT_EQ(Message(holder.Configure(config, true)), kTlsUpdateFailed);
  EXPECT_EQ(holder.current(), second);
}

// ---------------------------------------------------------------------------------------------------------
// tls-auth-clients on a real handshake, and the error text a failure is logged with.
// ---------------------------------------------------------------------------------------------------------

TEST_F(TlsTest, AuthClientsYesNeedsACertificateFromTheCa) {
  EXPECT_EQ(ServerHandshake(TlsAuthClients::kYes, "client"), "");
  EXPECT_THAT(ServerHandshake(TlsAuthClients::kYes, ""),
              ::testing::MatchesRegex("error:[0-9A-F]+:SSL routines::peer did not return a certificate"));
  EXPECT_THAT(ServerHandshake(TlsAuthClients::kYes, "foreign"),
              ::testing::MatchesRegex("error:[0-9A-F]+:SSL routines::certificate verify failed"));
}

TEST_F(TlsTest, AuthClientsOptionalChecksOnlyACertificateThatIsSent) {
  EXPECT_EQ(ServerHandshake(TlsAuthClients::kOptional, ""), "");
  EXPECT_EQ(ServerHandshake(TlsAuthClients::kOptional, "client"), "");
  EXPECT_THAT(ServerHandshake(TlsAuthClients::kOptional, "foreign"), HasSubstr("certificate verify failed"));
}

TEST_F(TlsTest, AuthClientsNoNeverAsks) {
  EXPECT_EQ(ServerHandshake(TlsAuthClients::kNo, ""), "");
  EXPECT_EQ(ServerHandshake(TlsAuthClients::kNo, "foreign"), "");
}

TEST_F(TlsTest, ErrorTextOfOtherErrorsIsAsiosMessage) {
  EXPECT_EQ(TlsErrorText(asio::error::eof), asio::error_code(asio::error::eof).message());
  EXPECT_EQ(TlsErrorText(asio::ssl::error::stream_truncated), "stream truncated");
}

// ---------------------------------------------------------------------------------------------------------
// The replica's client context (tls-replication).
// ---------------------------------------------------------------------------------------------------------

TEST_F(TlsTest, ClientContextNeedsACaAndMayGoWithoutACertificate) {
  TlsSettings s = Valid();
  s.ca_cert_file.clear();
  absl::StatusOr<std::shared_ptr<TlsContext>> context = MakeTlsClientContext(s);
  ASSERT_FALSE(context.ok());
  EXPECT_THAT(Message(context.status()), StartsWith("Either tls-ca-cert-file or tls-ca-cert-dir"));
  s = Valid();
  s.cert_file.clear();
  s.key_file.clear();
  EXPECT_TRUE(MakeTlsClientContext(s).ok());
  s.cert_file = Path("client.crt");
  EXPECT_EQ(Message(MakeTlsClientContext(s).status()), "No tls-key-file configured!");
}

TEST_F(TlsTest, ClientContextVerifiesThePrimaryAndPresentsItsCertificate) {
  TlsSettings s = Valid();
  s.cert_file = Path("client.crt");
  s.key_file = Path("client.key");
  absl::StatusOr<std::shared_ptr<TlsContext>> trusting = MakeTlsClientContext(s);
  ASSERT_TRUE(trusting.ok()) << trusting.status();
  std::string client_error = "<not run>";
  EXPECT_EQ(Handshake(TlsAuthClients::kYes, **trusting, &client_error), "");
  EXPECT_EQ(client_error, "");
  // A "CA" the server's certificate does not chain to: the client refuses the server.
  s.ca_cert_file = Path("foreign.crt");
  absl::StatusOr<std::shared_ptr<TlsContext>> distrusting = MakeTlsClientContext(s);
  ASSERT_TRUE(distrusting.ok()) << distrusting.status();
  Handshake(TlsAuthClients::kYes, **distrusting, &client_error);
  EXPECT_THAT(client_error, HasSubstr("certificate verify failed"));
}

}  // namespace
}  // namespace sessionkv::server

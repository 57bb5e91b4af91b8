// SPDX-License-Identifier: Apache-2.0
// The C++ client over TLS (ConnectOptions::tls) against the real server's tls-port with mutual TLS
// (tls-auth-clients yes): commands, pipelines and RESP3 through TLS, and each way a handshake is refused.
// Passes against Debian's redis-server too: SESSIONKV_TEST_TARGET=redis build/tests/client_integration_test.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "clients/connection.h"
#include "clients/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_certificates.h"
#include "tests/support/test_server.h"

namespace sessionkv::client {
namespace {

using ::testing::HasSubstr;
using sessionkv::testing::TestServer;

class TlsClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/tls_client_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new std::string(tmpl);
    ASSERT_TRUE(sessionkv::testing::MakeTestCertificates(*dir_).ok());
    auto port = sessionkv::testing::FreeLoopbackPort();
    ASSERT_TRUE(port.ok()) << port.status();
    tls_port_ = *port;
    auto s = TestServer::Start({.config = {{"requirepass", "secret"},
                                           {"tls-port", std::to_string(tls_port_)},
                                           {"tls-cert-file", Path("server.crt")},
                                           {"tls-key-file", Path("server.key")},
                                           {"tls-ca-cert-file", Path("ca.crt")}}});
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = s->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::string Path(const std::string& name) { return *dir_ + "/" + name; }

  // TLS to the server's tls-port with the client certificate, verifying the server against the CA.
  ConnectOptions Options() const {
    ConnectOptions o = server_->connect_options();
    o.port = tls_port_;
    o.password = "secret";
    o.tls = {.enabled = true,
             .ca_file = Path("ca.crt"),
             .cert_file = Path("client.crt"),
             .key_file = Path("client.key")};
    return o;
  }
  std::string Refusal(const ConnectOptions& o) {
    auto c = Connection::Connect(o);
    if (c.ok()) return "<connected>";
    return std::string(c.status().message());
  }

  static std::string* dir_;
  static uint16_t tls_port_;
  static TestServer* server_;
};
std::string* TlsClientTest::dir_ = nullptr;
uint16_t TlsClientTest::tls_port_ = 0;
TestServer* TlsClientTest::server_ = nullptr;

TEST_F(TlsClientTest, CommandsAndPipelinesOverTls) {
  auto c = Connection::Connect(Options());
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE((*c)->Call("SET", "tls:key", std::string(200000, 'x')).ok());  // many TLS records
  auto got = (*c)->Call("GET", "tls:key");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->str.size(), 200000u);
  Pipeline p(**c);
  for (int i = 0; i < 1000; ++i) p.Add("INCR", "tls:counter");
  auto replies = p.Execute();
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_EQ(replies->back().integer, 1000);
  // The plain port sees the same data.
  ConnectOptions plain = server_->connect_options();
  plain.password = "secret";
  auto other = Connection::Connect(plain);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ((*other)->Call("GET", "tls:counter")->str, "1000");
  ASSERT_TRUE((*other)->Call("DEL", "tls:key", "tls:counter").ok());
}

TEST_F(TlsClientTest, Resp3HelloOverTls) {
  ConnectOptions o = Options();
  o.resp = RespVersion::kResp3;
  o.client_name = "tls-pod";
  auto c = Connection::Connect(o);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)->hello_reply().type, RespValue::Type::kMap);
  EXPECT_EQ((*c)->Call("CLIENT", "GETNAME")->str, "tls-pod");
}

TEST_F(TlsClientTest, NoClientCertificateIsRefusedByTheServer) {
  ConnectOptions o = Options();
  o.tls.cert_file.clear();
  o.tls.key_file.clear();
  // TLS 1.3: the client's handshake ends first; the server's alert comes instead of the first reply
  // (or, when the server has closed already, a reset).
  const std::string refusal = Refusal(o);
  EXPECT_TRUE(refusal.find("certificate required") != std::string::npos ||
              refusal == "write: Connection reset by peer") << refusal;
}

TEST_F(TlsClientTest, ACertificateFromAnotherCaIsRefusedByTheServer) {
  ConnectOptions o = Options();
  o.tls.cert_file = Path("foreign.crt");
  o.tls.key_file = Path("foreign.key");
  const std::string refusal = Refusal(o);
  EXPECT_TRUE(refusal.find("unknown ca") != std::string::npos || refusal == "write: Connection reset by peer")
      << refusal;
}

TEST_F(TlsClientTest, TheServerIsVerified) {
  ConnectOptions o = Options();
  o.tls.ca_file = Path("foreign.crt");  // not the CA that signed the server
  auto c = Connection::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(IsConnectFailure(c.status())) << c.status();
  // The server sends its CA along (OpenSSL completes the chain from tls-ca-cert-file): a root this client
  // does not trust.
  EXPECT_EQ(c.status().message(), "TLS handshake: self-signed certificate in certificate chain");
  o = Options();
  o.tls.server_name = "other.example";
  EXPECT_EQ(Refusal(o), "TLS handshake: hostname mismatch");
  o.tls.verify = false;  // redis-cli --insecure
  o.tls.ca_file = Path("foreign.crt");
  auto insecure = Connection::Connect(o);
  ASSERT_TRUE(insecure.ok()) << insecure.status();
  EXPECT_EQ((*insecure)->Call("PING")->str, "PONG");
}

TEST_F(TlsClientTest, MissingFilesAreConnectFailures) {
  ConnectOptions o = Options();
  o.tls.cert_file = Path("nonexistent.crt");
  auto c = Connection::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(IsConnectFailure(c.status()));
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("TLS: cannot load the certificate " + Path("nonexistent.crt") + ": error:"));
}

TEST_F(TlsClientTest, APlainClientOnTheTlsPortGetsNoReply) {
  ConnectOptions o = Options();
  o.tls.enabled = false;
  o.io_timeout = std::chrono::milliseconds(5000);
  auto c = Connection::Connect(o);  // AUTH is sent in clear text: the server closes
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(IsConnectionClosed(c.status()) || IsProtocolError(c.status())) << c.status();
}

}  // namespace
}  // namespace sessionkv::client

// SPDX-License-Identifier: Apache-2.0
// The C++ client against the real server binary (tests/support/test_server.h). Passes against Debian's
// redis-server too: SESSIONKV_TEST_TARGET=redis build/tests/client_integration_test.
#include <thread>

#include "clients/connection.h"
#include "clients/errors.h"
#include "clients/pool.h"
#include "gtest/gtest.h"
#include "tests/support/test_server.h"

namespace sessionkv::client {
namespace {

using sessionkv::testing::TestServer;
using Type = RespValue::Type;

class ClientIntegrationTest : public ::testing::TestWithParam<RespVersion> {
 protected:
  static void SetUpTestSuite() {
    auto s = TestServer::Start({.config = {{"requirepass", "secret"}}});
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = s->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  ConnectOptions Options() const {
    ConnectOptions o = server_->connect_options();
    o.resp = GetParam();
    o.password = "secret";
    return o;
  }
  std::unique_ptr<Connection> Connect(ConnectOptions o) {
    auto c = Connection::Connect(o);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(*c) : nullptr;
  }

  static TestServer* server_;
};
TestServer* ClientIntegrationTest::server_ = nullptr;

TEST_P(ClientIntegrationTest, HandshakeSelectsTheDbAndNamesTheClient) {
  ConnectOptions o = Options();
  o.db = 3;
  o.client_name = "bench-pod-1";
  auto c = Connect(o);
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Call("SET", "where", "db3").ok());
  auto name = c->Call("CLIENT", "GETNAME");
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(name->str, "bench-pod-1");
  auto other = Connect(Options());
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->Call("EXISTS", "where")->integer, 0);  // db 0
  if (GetParam() == RespVersion::kResp3) {
    ASSERT_EQ(c->hello_reply().type, Type::kMap);
    EXPECT_EQ(c->hello_reply().elements[0].str, "server");
  }
  ASSERT_TRUE(c->Call("FLUSHALL").ok());
}

TEST_P(ClientIntegrationTest, WrongPasswordFailsConnect) {
  ConnectOptions o = Options();
  o.password = "wrong";
  auto c = Connection::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(IsServerError(c.status()));
  EXPECT_EQ(c.status().message().substr(0, 9), "WRONGPASS");
}

TEST_P(ClientIntegrationTest, RepliesDecodePerProtocol) {
  auto c = Connect(Options());
  ASSERT_NE(c, nullptr);
  const std::string binary("\xac\xed\x00\x05t\x00\x03" "abc", 10);
  ASSERT_TRUE(c->Call("HSET", "s", "lastAccessedTime", binary, "n", 7).ok());
  auto all = c->Call("HGETALL", "s");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->type, GetParam() == RespVersion::kResp3 ? Type::kMap : Type::kArray);
  ASSERT_EQ(all->elements.size(), 4u);
  EXPECT_EQ(all->elements[1].str, binary);
  auto missing = c->Call("GET", "nothing");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->type, Type::kNull);
  auto wrong = c->Call("GET", "s");
  EXPECT_TRUE(IsServerError(wrong.status()));
  EXPECT_EQ(wrong.status().message().substr(0, 9), "WRONGTYPE");
  ASSERT_TRUE(c->Call("DEL", "s").ok());
}

TEST_P(ClientIntegrationTest, PipelineOfAThousand) {
  auto c = Connect(Options());
  ASSERT_NE(c, nullptr);
  Pipeline p(*c);
  for (int i = 0; i < 1000; ++i) p.Add("INCR", "counter");
  auto replies = p.Execute();
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ((*replies)[i].integer, i + 1);
  ASSERT_TRUE(c->Call("DEL", "counter").ok());
}

TEST_P(ClientIntegrationTest, SubscribeAndReceiveMessages) {
  auto sub = Connect(Options());
  auto pub = Connect(Options());
  ASSERT_NE(sub, nullptr);
  ASSERT_NE(pub, nullptr);
  // SUBSCRIBE's confirmation is a push in RESP3 and a plain array in RESP2: NextPush reads either.
  sub->Append("SUBSCRIBE", "spring:session:event:0:created:x");
  ASSERT_TRUE(sub->Flush().ok());
  auto confirm = sub->NextPush();
  ASSERT_TRUE(confirm.ok()) << confirm.status();
  EXPECT_EQ(confirm->elements[0].str, "subscribe");
  EXPECT_EQ(pub->Call("PUBLISH", "spring:session:event:0:created:x", "body")->integer, 1);
  auto msg = sub->NextPush(std::chrono::milliseconds(5000));
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->type, GetParam() == RespVersion::kResp3 ? Type::kPush : Type::kArray);
  ASSERT_EQ(msg->elements.size(), 3u);
  EXPECT_EQ(msg->elements[0].str, "message");
  EXPECT_EQ(msg->elements[2].str, "body");
}

TEST_P(ClientIntegrationTest, PoolAcrossThreads) {
  ConnectionPool pool(Options(), 4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 100; ++i) {
        auto c = pool.Acquire();
        ASSERT_TRUE(c.ok()) << c.status();
        ASSERT_TRUE((*c)->Call("SADD", "pods", t).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto c = pool.Acquire();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->Call("SCARD", "pods")->integer, 8);
  EXPECT_LE(pool.open(), 4u);
  ASSERT_TRUE((*c)->Call("DEL", "pods").ok());
}

INSTANTIATE_TEST_SUITE_P(Resp, ClientIntegrationTest,
                         ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) { return info.param == RespVersion::kResp3 ? "Resp3" : "Resp2"; });

TEST(TestServerTest, KeepsTheLogAndFailsFastOnABadConfig) {
  auto s = TestServer::Start({.config = {{"no-such-directive", "1"}}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.status().message()).find("exited during start-up"), std::string::npos) << s.status();
}

}  // namespace
}  // namespace sessionkv::client

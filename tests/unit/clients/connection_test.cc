// SPDX-License-Identifier: Apache-2.0
// The client against a scripted in-test server (fake_server.h): handshakes, replies, pipelining, pushes and
// every failure kind of errors.h.
#include "clients/connection.h"

#include <sys/socket.h>

#include <thread>

#include "clients/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/clients/fake_server.h"

namespace sessionkv::client {
namespace {

using testing::FakeServer;
using Type = RespValue::Type;
using std::chrono::milliseconds;

ConnectOptions To(const FakeServer& server) {
  ConnectOptions o;
  o.port = server.port();
  o.io_timeout = milliseconds(2000);
  return o;
}

std::string Cmd(std::vector<std::string_view> args) { return protocol::EncodeCommand(args); }

// A server that answers PING with +PONG, ECHO x with x, and anything else with an error.
std::string Echo(const std::vector<std::string>& args) {
  if (args[0] == "PING") return "+PONG\r\n";
  if (args[0] == "ECHO") return "$" + std::to_string(args[1].size()) + "\r\n" + args[1] + "\r\n";
  return "-ERR unknown command '" + args[0] + "'\r\n";
}

TEST(ConnectionTest, CallReturnsDecodedReplies) {
  FakeServer server([](int fd) { FakeServer::Serve(fd, Echo); });
  auto conn = Connection::Connect(To(server));
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto pong = (*conn)->Call("PING");
  ASSERT_TRUE(pong.ok()) << pong.status();
  EXPECT_EQ(pong->type, Type::kSimpleString);
  EXPECT_EQ(pong->str, "PONG");
  const std::string binary("a\0b\r\nc", 6);
  auto echo = (*conn)->Call("ECHO", binary);
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(echo->str, binary);
  auto number = (*conn)->Call("ECHO", int64_t{-42});
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(number->str, "-42");
}

TEST(ConnectionTest, ServerErrorReplyIsAStatusAndTheConnectionStaysUsable) {
  FakeServer server([](int fd) { FakeServer::Serve(fd, Echo); });
  auto conn = Connection::Connect(To(server));
  ASSERT_TRUE(conn.ok());
  auto bad = (*conn)->Call("FOO", "x");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(IsServerError(bad.status()));
  EXPECT_EQ(bad.status().message(), "ERR unknown command 'FOO'");
  EXPECT_FALSE((*conn)->broken());
  EXPECT_TRUE((*conn)->Call("PING").ok());
}

TEST(ConnectionTest, ConnectionRefused) {
  uint16_t port;
  { FakeServer closed([](int) {}); port = closed.port(); }  // bound, then closed again
  ConnectOptions o;
  o.port = port;
  auto conn = Connection::Connect(o);
  ASSERT_FALSE(conn.ok());
  EXPECT_TRUE(IsConnectFailure(conn.status())) << conn.status();
  EXPECT_THAT(std::string(conn.status().message()), ::testing::HasSubstr("refused"));
}

TEST(ConnectionTest, UnresolvableHost) {
  ConnectOptions o;
  o.host = "no-such-host.invalid";
  auto conn = Connection::Connect(o);
  ASSERT_FALSE(conn.ok());
  EXPECT_TRUE(IsConnectFailure(conn.status())) << conn.status();
}

TEST(ConnectionTest, ConnectTimeoutWhenTheBacklogIsFull) {
  // Nobody accepts and the backlog holds one connection: Linux drops further SYNs, so a connect waits.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ASSERT_EQ(::listen(fd, 0), 0);
  ConnectOptions o;
  o.port = ntohs(addr.sin_port);
  o.connect_timeout = milliseconds(200);
  std::vector<std::unique_ptr<Connection>> queued;
  absl::Status status;
  for (int i = 0; i < 10 && status.ok(); ++i) {
    auto conn = Connection::Connect(o);
    if (conn.ok()) queued.push_back(std::move(*conn));
    else status = conn.status();
  }
  ::close(fd);
  EXPECT_TRUE(IsTimeout(status)) << status;
}

TEST(ConnectionTest, ReadTimeoutBreaksTheConnection) {
  FakeServer server([](int fd) { FakeServer::ReadN(fd, 1 << 20); });  // reads, never answers
  ConnectOptions o = To(server);
  o.io_timeout = milliseconds(100);
  auto conn = Connection::Connect(o);
  ASSERT_TRUE(conn.ok());
  auto r = (*conn)->Call("PING");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsTimeout(r.status())) << r.status();
  EXPECT_TRUE((*conn)->broken());
  auto again = (*conn)->Call("PING");  // a late reply would now answer the wrong request
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ConnectionTest, ServerClosingIsConnectionClosed) {
  FakeServer server([](int fd) {
    FakeServer::ReadN(fd, Cmd({"PING"}).size());
    ::shutdown(fd, SHUT_RDWR);
  });
  auto conn = Connection::Connect(To(server));
  ASSERT_TRUE(conn.ok());
  auto r = (*conn)->Call("PING");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsConnectionClosed(r.status())) << r.status();
}

TEST(ConnectionTest, GarbageIsAProtocolError) {
  FakeServer server([](int fd) {
    FakeServer::ReadN(fd, Cmd({"PING"}).size());
    FakeServer::Send(fd, "?what\r\n");
    FakeServer::ReadN(fd, 1);
  });
  auto conn = Connection::Connect(To(server));
  ASSERT_TRUE(conn.ok());
  auto r = (*conn)->Call("PING");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsProtocolError(r.status())) << r.status();
  EXPECT_TRUE((*conn)->broken());
}

TEST(ConnectionTest, Resp3HandshakeIsPipelinedHelloThenSelect) {
  std::string received;
  FakeServer server([&received](int fd) {
    const std::string expect = Cmd({"HELLO", "3", "AUTH", "default", "pw", "SETNAME", "app"}) + Cmd({"SELECT", "2"});
    received = FakeServer::ReadN(fd, expect.size());  // both before any reply: one round trip
    FakeServer::Send(fd, "%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n+OK\r\n");
    FakeServer::Serve(fd, Echo);
  });
  ConnectOptions o = To(server);
  o.resp = RespVersion::kResp3;
  o.password = "pw";
  o.client_name = "app";
  o.db = 2;
  auto conn = Connection::Connect(o);
  ASSERT_TRUE(conn.ok()) << conn.status();
  EXPECT_EQ(received, Cmd({"HELLO", "3", "AUTH", "default", "pw", "SETNAME", "app"}) + Cmd({"SELECT", "2"}));
  EXPECT_EQ((*conn)->resp(), RespVersion::kResp3);
  EXPECT_EQ((*conn)->hello_reply().type, Type::kMap);
  EXPECT_EQ((*conn)->hello_reply().elements[3].integer, 3);
  EXPECT_TRUE((*conn)->Call("PING").ok());
}

TEST(ConnectionTest, Resp2HandshakeUsesAuthAndClientSetname) {
  std::string received;
  FakeServer server([&received](int fd) {
    const std::string expect = Cmd({"AUTH", "u", "pw"}) + Cmd({"CLIENT", "SETNAME", "app"});
    received = FakeServer::ReadN(fd, expect.size());
    FakeServer::Send(fd, "+OK\r\n+OK\r\n");
    FakeServer::Serve(fd, Echo);
  });
  ConnectOptions o = To(server);
  o.username = "u";
  o.password = "pw";
  o.client_name = "app";
  auto conn = Connection::Connect(o);
  ASSERT_TRUE(conn.ok()) << conn.status();
  EXPECT_EQ(received, Cmd({"AUTH", "u", "pw"}) + Cmd({"CLIENT", "SETNAME", "app"}));
  EXPECT_EQ((*conn)->resp(), RespVersion::kResp2);
  EXPECT_EQ((*conn)->hello_reply().type, Type::kNull);
}

TEST(ConnectionTest, HandshakeErrorFailsConnect) {
  FakeServer server([](int fd) {
    FakeServer::ReadN(fd, Cmd({"AUTH", "bad"}).size() + Cmd({"SELECT", "1"}).size());
    FakeServer::Send(fd,
                     "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                     "-NOAUTH Authentication required.\r\n");
    FakeServer::ReadN(fd, 1);
  });
  ConnectOptions o = To(server);
  o.password = "bad";
  o.db = 1;
  auto conn = Connection::Connect(o);
  ASSERT_FALSE(conn.ok());
  EXPECT_TRUE(IsServerError(conn.status()));
  EXPECT_EQ(conn.status().message(), "WRONGPASS invalid username-password pair or user is disabled.");
}

TEST(ConnectionTest, PipelineRepliesArriveInOrderEvenOneByteAtATime) {
  FakeServer server([](int fd) {
    const std::string expect = Cmd({"SET", "a", "1"}) + Cmd({"INCR", "a"}) + Cmd({"HGETALL", "h"}) + Cmd({"X"});
    FakeServer::ReadN(fd, expect.size());
    const std::string replies = "+OK\r\n:2\r\n*4\r\n$1\r\nf\r\n$0\r\n\r\n$1\r\ng\r\n$-1\r\n-ERR nope\r\n";
    for (char c : replies) {
      FakeServer::Send(fd, std::string_view(&c, 1));
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    FakeServer::ReadN(fd, 1);
  });
  auto conn = Connection::Connect(To(server));
  ASSERT_TRUE(conn.ok());
  Pipeline p(**conn);
  p.Add("SET", "a", 1).Add("INCR", "a").Add("HGETALL", "h").Add("X");
  EXPECT_EQ((*conn)->pending_replies(), 4u);
  auto replies = p.Execute();
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 4u);
  EXPECT_EQ((*replies)[0].str, "OK");
  EXPECT_EQ((*replies)[1].integer, 2);
  ASSERT_EQ((*replies)[2].elements.size(), 4u);
  EXPECT_EQ((*replies)[2].elements[1].str, "");
  EXPECT_EQ((*replies)[2].elements[3].type, Type::kNull);
  EXPECT_EQ((*replies)[3].type, Type::kError);  // a pipeline keeps error replies as values
  EXPECT_EQ((*replies)[3].str, "ERR nope");
  EXPECT_EQ((*conn)->pending_replies(), 0u);
}

TEST(ConnectionTest, PushFramesAreQueuedApartFromReplies) {
  FakeServer server([](int fd) {
    FakeServer::ReadN(fd, Cmd({"HELLO", "3"}).size());
    FakeServer::Send(fd, "%1\r\n$5\r\nproto\r\n:3\r\n");
    FakeServer::ReadN(fd, Cmd({"PING"}).size());
    // An invalidation push arrives before PING's reply, a message after it.
    FakeServer::Send(fd, ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n+PONG\r\n"
                         ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
    FakeServer::ReadN(fd, 1);
  });
  ConnectOptions o = To(server);
  o.resp = RespVersion::kResp3;
  auto conn = Connection::Connect(o);
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto pong = (*conn)->Call("PING");
  ASSERT_TRUE(pong.ok());
  EXPECT_EQ(pong->str, "PONG");
  EXPECT_EQ((*conn)->queued_pushes(), 1u);
  auto first = (*conn)->NextPush();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->type, Type::kPush);
  EXPECT_EQ(first->elements[0].str, "invalidate");
  auto second = (*conn)->NextPush(milliseconds(1000));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->elements[2].str, "hi");
  auto none = (*conn)->NextPush(milliseconds(50));
  EXPECT_TRUE(IsTimeout(none.status()));
}

TEST(ConnectionTest, PushHandlerReceivesPushes) {
  FakeServer server([](int fd) {
    FakeServer::ReadN(fd, Cmd({"PING"}).size());
    FakeServer::Send(fd, ">2\r\n$1\r\na\r\n$1\r\nb\r\n+PONG\r\n");
    FakeServer::ReadN(fd, 1);
  });
  auto conn = Connection::Connect(To(server));
  ASSERT_TRUE(conn.ok());
  std::vector<RespValue> seen;
  (*conn)->set_push_handler([&seen](RespValue v) { seen.push_back(std::move(v)); });
  ASSERT_TRUE((*conn)->Call("PING").ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].elements[1].str, "b");
  EXPECT_EQ((*conn)->queued_pushes(), 0u);
}

TEST(ConnectionTest, LargeReplyAcrossManyReads) {
  const std::string big(3 << 20, 'x');
  FakeServer server([&big](int fd) {
    FakeServer::ReadN(fd, Cmd({"GET", "big"}).size());
    FakeServer::Send(fd, "$" + std::to_string(big.size()) + "\r\n" + big + "\r\n");
    FakeServer::ReadN(fd, 1);
  });
  auto conn = Connection::Connect(To(server));
  ASSERT_TRUE(conn.ok());
  auto r = (*conn)->Call("GET", "big");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->str.size(), big.size());
  EXPECT_EQ(r->str, big);
}

}  // namespace
}  // namespace sessionkv::client

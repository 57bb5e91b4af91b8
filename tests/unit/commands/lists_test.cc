// SPDX-License-Identifier: Apache-2.0
// The list family in process (server/commands/lists.cc) and the blocking registry
// (server/blocking.h): replies and their RESP2/RESP3 shapes, error texts and their order, key
// deletion, encodings through OBJECT ENCODING and list-max-listpack-size, the generic commands on
// lists, and blocking commands served in process: extra clients run through their own dispatcher
// and receive the served replies through a fake connection. tests/integration/test_lists.py and
// test_blocking.py cover the same through real sockets and against Redis itself.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "server/blocking.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

using protocol::RespValue;
using protocol::RespVersion;
using Type = protocol::RespValue::Type;

constexpr char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

class ListsTest : public ::testing::TestWithParam<RespVersion> {
 protected:
  ListsTest() : h_(GetParam()) {}

  bool resp3() const { return GetParam() == RespVersion::kResp3; }
  // The raw null of a missing bulk and of a missing array under this protocol.
  std::string NullBulk() const { return resp3() ? "_\r\n" : "$-1\r\n"; }
  std::string NullArray() const { return resp3() ? "_\r\n" : "*-1\r\n"; }

  int64_t Int(const std::vector<std::string>& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kInteger) << v.ToString();
    return v.integer;
  }
  std::string Error(const std::vector<std::string>& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kError) << v.ToString();
    return v.str;
  }
  std::vector<std::string> Strings(const std::vector<std::string>& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kArray) << v.ToString();
    std::vector<std::string> out;
    for (const RespValue& e : v.elements) out.push_back(e.str);
    return out;
  }
  std::vector<std::string> Range(const std::string& key) { return Strings({"LRANGE", key, "0", "-1"}); }
  std::string Encoding(const std::string& key) { return h_.Run({"OBJECT", "ENCODING", key}).str; }

  CommandHarness h_;
};

INSTANTIATE_TEST_SUITE_P(Resp, ListsTest, ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) {
                           return info.param == RespVersion::kResp2 ? "Resp2" : "Resp3";
                         });

using V = std::vector<std::string>;

TEST_P(ListsTest, PushPopLenRange) {
  EXPECT_EQ(Int({"LPUSH", "l", "a", "b", "c"}), 3);
  EXPECT_EQ(Int({"RPUSH", "l", "d"}), 4);
  EXPECT_EQ(Range("l"), (V{"c", "b", "a", "d"}));
  EXPECT_EQ(Int({"LLEN", "l"}), 4);
  EXPECT_EQ(Int({"LLEN", "nokey"}), 0);
  EXPECT_EQ(Strings({"LRANGE", "l", "-2", "100"}), (V{"a", "d"}));
  EXPECT_EQ(Strings({"LRANGE", "l", "3", "1"}), V{});
  EXPECT_EQ(Strings({"LRANGE", "nokey", "0", "-1"}), V{});
  EXPECT_EQ(h_.Run({"LPOP", "l"}).str, "c");
  EXPECT_EQ(h_.Run({"RPOP", "l"}).str, "d");
  EXPECT_EQ(Strings({"LPOP", "l", "5"}), (V{"b", "a"}));
  EXPECT_EQ(Int({"EXISTS", "l"}), 0) << "the last element takes the key with it";
  EXPECT_EQ(h_.RunRaw({"LPOP", "l"}), NullBulk());
  EXPECT_EQ(h_.RunRaw({"LPOP", "l", "2"}), NullArray());
  EXPECT_EQ(h_.RunRaw({"LPOP", "l", "0"}), NullArray()) << "the lookup comes before count 0";
  h_.Run({"RPUSH", "l", "x"});
  EXPECT_EQ(h_.RunRaw({"RPOP", "l", "0"}), "*0\r\n");
  EXPECT_EQ(Int({"LPUSHX", "nokey", "a"}), 0);
  EXPECT_EQ(Int({"RPUSHX", "l", "y", "z"}), 3);
  EXPECT_EQ(Int({"EXISTS", "nokey"}), 0);
}

TEST_P(ListsTest, ErrorsAndTheirOrder) {
  h_.Run({"SET", "str", "v"});
  h_.Run({"RPUSH", "l", "a"});
  EXPECT_EQ(Error({"LPOP", "l", "-1"}), "ERR value is out of range, must be positive");
  EXPECT_EQ(Error({"LPOP", "str", "x"}), "ERR value is out of range, must be positive");
  EXPECT_EQ(Error({"LPOP", "l", "1", "2"}), "ERR wrong number of arguments for 'lpop' command");
  EXPECT_EQ(Error({"LINDEX", "l", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(h_.RunRaw({"LINDEX", "nokey", "x"}), NullBulk()) << "LINDEX looks the key up first";
  EXPECT_EQ(Error({"LSET", "nokey", "x", "v"}), "ERR no such key");
  EXPECT_EQ(Error({"LSET", "l", "x", "v"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Error({"LSET", "l", "1", "v"}), "ERR index out of range");
  EXPECT_EQ(Error({"LRANGE", "nokey", "x", "1"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Error({"LTRIM", "nokey", "0", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Error({"LREM", "nokey", "x", "a"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Error({"LREM", "l", "-9223372036854775808", "a"}),
            "ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  EXPECT_EQ(Error({"LINSERT", "nokey", "middle", "a", "b"}), "ERR syntax error");
  EXPECT_EQ(Error({"LMOVE", "l", "d", "up", "left"}), "ERR syntax error");
  for (const V& args : std::vector<V>{{"LPUSH", "str", "a"},
                                      {"RPUSHX", "str", "a"},
                                      {"LPOP", "str"},
                                      {"RPOP", "str", "0"},
                                      {"LLEN", "str"},
                                      {"LRANGE", "str", "0", "1"},
                                      {"LINDEX", "str", "0"},
                                      {"LSET", "str", "0", "a"},
                                      {"LREM", "str", "0", "a"},
                                      {"LTRIM", "str", "0", "1"},
                                      {"LINSERT", "str", "before", "a", "b"},
                                      {"LPOS", "str", "a"},
                                      {"LMOVE", "str", "l", "left", "left"},
                                      {"LMOVE", "l", "str", "left", "left"},
                                      {"RPOPLPUSH", "l", "str"},
                                      {"LMPOP", "2", "nokey", "str", "LEFT"},
                                      {"BLPOP", "nokey", "str", "0"},
                                      {"BLMOVE", "str", "l", "left", "left", "0"},
                                      {"BLMPOP", "0", "1", "str", "LEFT"}}) {
    EXPECT_EQ(Error(args), kWrongType) << args[0];
  }
  EXPECT_EQ(Range("l"), V{"a"}) << "nothing moved into the wrong type";
}

TEST_P(ListsTest, SetRemTrimInsert) {
  h_.Run({"RPUSH", "l", "a", "b", "a", "c", "a"});
  EXPECT_EQ(h_.Run({"LSET", "l", "-1", "z"}).str, "OK");
  EXPECT_EQ(h_.Run({"LINDEX", "l", "-1"}).str, "z");
  EXPECT_EQ(h_.RunRaw({"LINDEX", "l", "5"}), NullBulk());
  EXPECT_EQ(Int({"LREM", "l", "-1", "a"}), 1);
  EXPECT_EQ(Range("l"), (V{"a", "b", "c", "z"}));
  EXPECT_EQ(Int({"LREM", "l", "0", "nothing"}), 0);
  EXPECT_EQ(Int({"LINSERT", "l", "BEFORE", "c", "x"}), 5);
  EXPECT_EQ(Int({"LINSERT", "l", "after", "z", "y"}), 6);
  EXPECT_EQ(Int({"LINSERT", "l", "after", "nothing", "y"}), -1);
  EXPECT_EQ(Int({"LINSERT", "nokey", "after", "a", "y"}), 0);
  EXPECT_EQ(Range("l"), (V{"a", "b", "x", "c", "z", "y"}));
  EXPECT_EQ(h_.Run({"LTRIM", "l", "1", "-2"}).str, "OK");
  EXPECT_EQ(Range("l"), (V{"b", "x", "c", "z"}));
  EXPECT_EQ(h_.Run({"LTRIM", "nokey", "0", "1"}).str, "OK");
  EXPECT_EQ(h_.Run({"LTRIM", "l", "5", "1"}).str, "OK");
  EXPECT_EQ(Int({"EXISTS", "l"}), 0) << "an empty trim deletes the key";
  h_.Run({"RPUSH", "l", "a", "a"});
  EXPECT_EQ(Int({"LREM", "l", "0", "a"}), 2);
  EXPECT_EQ(Int({"EXISTS", "l"}), 0);
}

TEST_P(ListsTest, Pos) {
  h_.Run({"RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"});
  EXPECT_EQ(Int({"LPOS", "l", "c"}), 2);
  EXPECT_EQ(Int({"LPOS", "l", "c", "RANK", "2"}), 6);
  EXPECT_EQ(Int({"LPOS", "l", "c", "RANK", "-1"}), 7);
  EXPECT_EQ(h_.RunRaw({"LPOS", "l", "c", "RANK", "-2", "COUNT", "0"}), "*2\r\n:6\r\n:2\r\n");
  EXPECT_EQ(h_.RunRaw({"LPOS", "l", "c", "COUNT", "2"}), "*2\r\n:2\r\n:6\r\n");
  EXPECT_EQ(h_.RunRaw({"LPOS", "l", "c", "MAXLEN", "2"}), NullBulk());
  EXPECT_EQ(h_.RunRaw({"LPOS", "l", "c", "MAXLEN", "3", "COUNT", "0"}), "*1\r\n:2\r\n");
  EXPECT_EQ(h_.RunRaw({"LPOS", "nokey", "c"}), NullBulk());
  EXPECT_EQ(h_.RunRaw({"LPOS", "nokey", "c", "COUNT", "1"}), "*0\r\n");
  EXPECT_EQ(Error({"LPOS", "l", "c", "RANK", "0"}),
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or "
            "use negative to start from the end of the list");
  EXPECT_EQ(Error({"LPOS", "l", "c", "COUNT", "x"}), "ERR COUNT can't be negative");
  EXPECT_EQ(Error({"LPOS", "l", "c", "MAXLEN", "-1"}), "ERR MAXLEN can't be negative");
  EXPECT_EQ(Error({"LPOS", "l", "c", "RANK"}), "ERR syntax error");
}

TEST_P(ListsTest, MoveAndMPop) {
  h_.Run({"RPUSH", "a", "1", "2", "3"});
  EXPECT_EQ(h_.Run({"LMOVE", "a", "b", "LEFT", "RIGHT"}).str, "1");
  EXPECT_EQ(h_.Run({"RPOPLPUSH", "a", "b"}).str, "3");
  EXPECT_EQ(Range("b"), (V{"3", "1"}));
  EXPECT_EQ(h_.Run({"LMOVE", "b", "b", "LEFT", "RIGHT"}).str, "3");
  EXPECT_EQ(Range("b"), (V{"1", "3"}));
  EXPECT_EQ(h_.Run({"LMOVE", "a", "b", "right", "left"}).str, "2");
  EXPECT_EQ(Int({"EXISTS", "a"}), 0);
  EXPECT_EQ(h_.RunRaw({"LMOVE", "a", "b", "left", "left"}), NullBulk());
  EXPECT_EQ(h_.RunRaw({"LMPOP", "2", "nokey", "b", "RIGHT", "COUNT", "2"}),
            "*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n1\r\n");
  EXPECT_EQ(h_.RunRaw({"LMPOP", "1", "b", "LEFT"}),
            "*2\r\n$1\r\nb\r\n*1\r\n$1\r\n2\r\n");
  EXPECT_EQ(h_.RunRaw({"LMPOP", "1", "b", "LEFT"}), NullArray());
  EXPECT_EQ(Error({"LMPOP", "0", "b", "LEFT"}), "ERR numkeys should be greater than 0");
  EXPECT_EQ(Error({"LMPOP", "x", "b", "LEFT"}), "ERR numkeys should be greater than 0");
  EXPECT_EQ(Error({"LMPOP", "3", "a", "b", "LEFT"}), "ERR syntax error");
  EXPECT_EQ(Error({"LMPOP", "1", "a", "LEFT", "COUNT", "0"}), "ERR count should be greater than 0");
  EXPECT_EQ(Error({"LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"}), "ERR syntax error");
}

TEST_P(ListsTest, EncodingsFollowConfig) {
  h_.Run({"RPUSH", "l", "a", "b", "c"});
  EXPECT_EQ(Encoding("l"), "listpack");
  h_.Run({"RPUSH", "l", std::string(9000, 'x')});
  EXPECT_EQ(Encoding("l"), "quicklist");
  h_.Run({"RPOP", "l"});
  EXPECT_EQ(Encoding("l"), "listpack") << "shrunk to one small node";
  ASSERT_TRUE(h_.config().Set({{"list-max-listpack-size", "3"}}).ok());
  EXPECT_EQ(h_.config().Get("list-max-listpack-size").at(0).second, "3");
  h_.Run({"RPUSH", "l", "d"});
  EXPECT_EQ(Encoding("l"), "quicklist");
  h_.Run({"RPOP", "l", "3"});
  EXPECT_EQ(Encoding("l"), "listpack");
  EXPECT_EQ(Range("l"), V{"a"});
}

TEST_P(ListsTest, GenericCommandsOnLists) {
  h_.Run({"RPUSH", "l", "a", "b"});
  h_.Run({"SET", "s", "v"});
  EXPECT_EQ(h_.Run({"TYPE", "l"}).str, "list");
  EXPECT_EQ(Int({"COPY", "l", "c"}), 1);
  h_.Run({"RPUSH", "c", "z"});
  EXPECT_EQ(Range("l"), (V{"a", "b"})) << "the copy is independent";
  EXPECT_EQ(h_.Run({"RENAME", "c", "r"}).str, "OK");
  EXPECT_EQ(Range("r"), (V{"a", "b", "z"}));
  EXPECT_GT(Int({"MEMORY", "USAGE", "r"}), 0);
  RespValue scan = h_.Run({"SCAN", "0", "TYPE", "list", "COUNT", "100"});
  std::vector<std::string> keys;
  for (const RespValue& k : scan.elements[1].elements) keys.push_back(k.str);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (V{"l", "r"}));
}

TEST_P(ListsTest, BlockingCommandsDoNotBlockInsideExec) {
  h_.client().in_exec = true;
  EXPECT_EQ(h_.RunRaw({"BLPOP", "nokey", "0"}), NullArray());
  EXPECT_EQ(h_.RunRaw({"BLMPOP", "0", "1", "nokey", "LEFT"}), NullArray());
  EXPECT_EQ(h_.RunRaw({"BRPOPLPUSH", "nokey", "d", "0"}), NullBulk()) << "as Redis's blmoveGenericCommand";
  h_.Run({"RPUSH", "l", "a"});
  EXPECT_EQ(h_.RunRaw({"BRPOP", "l", "0"}), "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
  EXPECT_EQ(h_.server().blocking.blocked_clients(), 0u);
}

TEST_P(ListsTest, TimeoutArguments) {
  EXPECT_EQ(Error({"BLPOP", "k", "x"}), "ERR timeout is not a float or out of range");
  EXPECT_EQ(Error({"BLPOP", "k", " 1"}), "ERR timeout is not a float or out of range");
  EXPECT_EQ(Error({"BLPOP", "k", "-1"}), "ERR timeout is negative");
  EXPECT_EQ(Error({"BLPOP", "k", "inf"}), "ERR timeout is out of range");
  EXPECT_EQ(Error({"BLPOP", "k", "9223372036854775807"}), "ERR timeout is out of range");
  EXPECT_EQ(Error({"BLMOVE", "a", "b", "LEFT", "UP", "x"}), "ERR syntax error") << "positions first";
  EXPECT_EQ(Error({"BLMPOP", "x", "0", "k", "LEFT"}), "ERR numkeys should be greater than 0")
      << "BLMPOP checks numkeys before the timeout";
  EXPECT_EQ(Error({"BLMPOP", "x", "1", "k", "LEFT"}), "ERR timeout is not a float or out of range");
}

// ----------------------------------------------------------------------------- served in process

// A client beside the harness's own: its own ClientState and dispatcher, registered with the server
// so that served replies reach it, as Connection::Resume would deliver them.
class FakeClient : public server::ClientHandle, public std::enable_shared_from_this<FakeClient> {
 public:
  FakeClient(CommandHarness& h, RespVersion resp) : h_(h), dispatcher_(h.server()) {
    state_.info = std::make_shared<server::ClientInfo>(h.server().clients.NextId(), "127.0.0.1:1", "", 0, 0);
    state_.resp = resp;
    state_.authenticated = true;
  }
  void Register() { h_.server().clients.Add(state_.info, weak_from_this()); }

  // Runs a command; returns its immediate reply ("" if it blocked).
  std::string Run(const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    protocol::ReplyWriter writer(&out, state_.resp);
    dispatcher_.Execute(views, state_, writer);
    return out;
  }
  bool blocked() const { return state_.blocked != nullptr; }
  // What the served wait answered ("" while still blocked).
  std::string TakeServed() { return std::exchange(served_, ""); }
  server::BlockedClient& wait() { return *state_.blocked; }
  uint64_t id() const { return state_.info->id; }

  void Deliver(std::string) override {}
  void Kill() override {}
  void Drain() override {}
  void Resume(std::string reply, uint64_t /*ticket*/) override {
    h_.server().blocking.Release(*state_.blocked);
    state_.blocked.reset();
    served_ += reply;
  }

 private:
  CommandHarness& h_;
  server::Dispatcher dispatcher_;
  server::ClientState state_;
  std::string served_;
};

class BlockingTest : public ListsTest {
 protected:
  std::shared_ptr<FakeClient> NewClient() {
    auto c = std::make_shared<FakeClient>(h_, GetParam());
    c->Register();
    return c;
  }
  std::string Reply2(const std::string& key, const std::string& value) {
    return "*2\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n$" + std::to_string(value.size()) +
           "\r\n" + value + "\r\n";
  }
};

INSTANTIATE_TEST_SUITE_P(Resp, BlockingTest, ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) {
                           return info.param == RespVersion::kResp2 ? "Resp2" : "Resp3";
                         });

TEST_P(BlockingTest, PushServesTheFirstWaiterAfterThePushCompletes) {
  auto a = NewClient();
  EXPECT_EQ(a->Run({"BLPOP", "k1", "k2", "0"}), "");
  EXPECT_TRUE(a->blocked());
  EXPECT_EQ(h_.server().blocking.blocked_clients(), 1u);
  EXPECT_EQ(h_.server().blocking.blocking_keys(), 2u);
  EXPECT_EQ(Int({"RPUSH", "k2", "x", "y"}), 2) << "the push counts what it pushed";
  EXPECT_EQ(a->TakeServed(), Reply2("k2", "x"));
  EXPECT_FALSE(a->blocked());
  EXPECT_EQ(Range("k2"), V{"y"});
  EXPECT_EQ(h_.server().blocking.blocked_clients(), 0u);
  EXPECT_EQ(h_.server().blocking.blocking_keys(), 0u);
}

TEST_P(BlockingTest, WaitersAreServedInTheOrderTheyBlocked) {
  auto a = NewClient(), b = NewClient(), c = NewClient();
  a->Run({"BRPOP", "q", "0"});
  b->Run({"BRPOP", "q", "0"});
  c->Run({"BRPOP", "other", "q", "0"});
  EXPECT_EQ(Int({"RPUSH", "q", "1", "2"}), 2);
  EXPECT_EQ(a->TakeServed(), Reply2("q", "2"));
  EXPECT_EQ(b->TakeServed(), Reply2("q", "1"));
  EXPECT_TRUE(c->blocked());
  EXPECT_EQ(Int({"EXISTS", "q"}), 0);
  EXPECT_EQ(Int({"LPUSH", "q", "3"}), 1);
  EXPECT_EQ(c->TakeServed(), Reply2("q", "3"));
}

TEST_P(BlockingTest, WrongTypeOrDeletedKeyKeepsWaiting) {
  auto a = NewClient();
  a->Run({"BLPOP", "w", "0"});
  h_.Run({"SET", "w", "str"});
  EXPECT_TRUE(a->blocked()) << "a string at the key serves nothing";
  h_.Run({"DEL", "w"});
  h_.Run({"RPUSH", "w", "ok"});
  EXPECT_EQ(a->TakeServed(), Reply2("w", "ok"));
  // Another key of the command turned into a string: WRONGTYPE when it is served.
  auto b = NewClient();
  b->Run({"BLPOP", "s", "t", "0"});
  h_.Run({"SET", "s", "str"});
  h_.Run({"RPUSH", "t", "v"});
  EXPECT_EQ(b->TakeServed(), std::string("-") + kWrongType + "\r\n");
  EXPECT_EQ(Range("t"), V{"v"});
}

TEST_P(BlockingTest, MoveChainsAndRenameServe) {
  auto a = NewClient(), b = NewClient();
  a->Run({"BLMOVE", "s1", "s2", "LEFT", "RIGHT", "0"});
  b->Run({"BLPOP", "s2", "0"});
  h_.Run({"RPUSH", "s1", "z"});
  EXPECT_EQ(a->TakeServed(), resp3() ? "$1\r\nz\r\n" : "$1\r\nz\r\n");
  EXPECT_EQ(b->TakeServed(), Reply2("s2", "z")) << "the BLMOVE's push served the next waiter";
  EXPECT_EQ(Int({"EXISTS", "s1", "s2"}), 0);
  a->Run({"BLPOP", "dst", "0"});
  h_.Run({"RPUSH", "src", "r"});
  h_.Run({"RENAME", "src", "dst"});
  EXPECT_EQ(a->TakeServed(), Reply2("dst", "r"));
}

TEST_P(BlockingTest, MPopServesWithCount) {
  auto a = NewClient();
  a->Run({"BLMPOP", "0", "2", "m1", "m2", "RIGHT", "COUNT", "5"});
  h_.Run({"RPUSH", "m2", "a", "b", "c"});
  EXPECT_EQ(a->TakeServed(), "*2\r\n$2\r\nm2\r\n*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
}

TEST_P(BlockingTest, UnblockAndExpireEndTheWaitOnce) {
  auto a = NewClient();
  a->Run({"BLPOP", "u", "0"});
  EXPECT_EQ(Int({"CLIENT", "UNBLOCK", std::to_string(a->id())}), 1);
  EXPECT_EQ(a->TakeServed(), NullArray());
  EXPECT_EQ(Int({"CLIENT", "UNBLOCK", std::to_string(a->id())}), 0);
  a->Run({"BLPOP", "u", "0"});
  EXPECT_EQ(Int({"CLIENT", "UNBLOCK", std::to_string(a->id()), "ERROR"}), 1);
  EXPECT_EQ(a->TakeServed(), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_EQ(Error({"CLIENT", "UNBLOCK", "1", "later"}), "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  // The timeout wins over a later push, and only once.
  a->Run({"BLPOP", "u", "5"});
  EXPECT_EQ(a->wait().timeout_ms, 5000);
  EXPECT_EQ(h_.server().blocking.clients_with_timeout(), 1u);
  auto& blocking = h_.server().blocking;
  server::BlockedClient& w = a->wait();
  ASSERT_TRUE(blocking.Expire(w));
  EXPECT_FALSE(blocking.Expire(w));
  EXPECT_EQ(blocking.blocked_clients(), 0u);
  h_.Run({"RPUSH", "u", "later"});
  EXPECT_EQ(a->TakeServed(), "") << "an expired wait is not served";
  EXPECT_EQ(Range("u"), V{"later"});
}

TEST_P(BlockingTest, InfoAndClientListShowBlockedClients) {
  auto a = NewClient();
  a->Run({"BLPOP", "k", "10"});
  const std::string info = h_.Run({"INFO", "clients"}).str;
  EXPECT_NE(info.find("blocked_clients:1\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("clients_in_timeout_table:1\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("total_blocking_keys:1\r\n"), std::string::npos) << info;
  const std::string list = h_.Run({"CLIENT", "LIST", "ID", std::to_string(a->id())}).str;
  EXPECT_NE(list.find(" flags=b "), std::string::npos) << list;
  h_.Run({"LPUSH", "k", "v"});
  EXPECT_NE(h_.Run({"INFO", "clients"}).str.find("blocked_clients:0\r\n"), std::string::npos);
}

}  // namespace
}  // namespace sessionkv::testing

// SPDX-License-Identifier: Apache-2.0
// The key family (server/commands/keys.cc) in process: exact replies, with a FakeClock for deadlines
// and access times. Keys are created through the keyspace so these tests need no other family.
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

using protocol::RespValue;
using Type = protocol::RespValue::Type;

// Stores a string key directly in the keyspace, optionally with a TTL (ms from the fake now).
void Put(CommandHarness& h, const std::string& key, const std::string& value, int db = 0,
         int64_t ttl_ms = 0) {
  storage::Db view = h.db(db);
  storage::Entry* e = view.Overwrite(key, storage::Value::String(value));
  if (ttl_ms != 0) view.SetDeadline(e, h.clock().NowMs() + ttl_ms);
}

// The bulk strings of an array reply, as a set.
std::set<std::string> Strings(const RespValue& v) {
  std::set<std::string> out;
  for (const RespValue& e : v.elements) out.insert(e.str);
  return out;
}

// Follows SCAN to the end with the given options; returns every key seen.
std::multiset<std::string> ScanAll(CommandHarness& h, const std::vector<std::string>& options) {
  std::multiset<std::string> seen;
  std::string cursor = "0";
  for (int calls = 0; calls < 100000; ++calls) {
    std::vector<std::string> args = {"SCAN", cursor};
    args.insert(args.end(), options.begin(), options.end());
    RespValue v = h.Run(args);
    EXPECT_EQ(v.type, Type::kArray) << v.ToString();
    if (v.type != Type::kArray || v.elements.size() != 2) break;
    EXPECT_EQ(v.elements[0].type, Type::kBulk) << "the cursor is a bulk string";
    for (const RespValue& k : v.elements[1].elements) seen.insert(k.str);
    cursor = v.elements[0].str;
    if (cursor == "0") break;
  }
  return seen;
}

TEST(KeysTest, DelUnlinkExistsTouch) {
  CommandHarness h;
  Put(h, "a", "1");
  Put(h, "b", "2");
  EXPECT_EQ(h.RunRaw({"EXISTS", "a", "a", "b", "c"}), ":3\r\n");
  EXPECT_EQ(h.RunRaw({"TOUCH", "a", "a", "c"}), ":2\r\n");
  EXPECT_EQ(h.RunRaw({"DEL", "a", "a", "c"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"UNLINK", "b"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"DBSIZE"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"DEL"}), "-ERR wrong number of arguments for 'del' command\r\n");
}

TEST(KeysTest, TypeAndExpiredKeys) {
  CommandHarness h;
  Put(h, "s", "v");
  Put(h, "t", "v", 0, 100);
  EXPECT_EQ(h.RunRaw({"TYPE", "s"}), "+string\r\n");
  EXPECT_EQ(h.RunRaw({"TYPE", "nope"}), "+none\r\n");
  h.clock().Advance(100);
  EXPECT_EQ(h.RunRaw({"TYPE", "t"}), "+string\r\n") << "due but not past";
  h.clock().Advance(1);
  EXPECT_EQ(h.RunRaw({"TYPE", "t"}), "+none\r\n");
  EXPECT_EQ(h.keyspace().stats().expired_keys.load(), 1u);
}

TEST(KeysTest, RenameKeepsValueAndDeadline) {
  CommandHarness h;
  Put(h, "a", "va", 0, 5000);
  Put(h, "b", "vb");
  EXPECT_EQ(h.RunRaw({"RENAME", "a", "b"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"PTTL", "b"}), ":5000\r\n");
  EXPECT_EQ(h.RunRaw({"EXISTS", "a"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"RENAME", "a", "b"}), "-ERR no such key\r\n");
  EXPECT_EQ(h.RunRaw({"RENAME", "b", "b"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"PTTL", "b"}), ":5000\r\n");
  Put(h, "c", "vc");
  EXPECT_EQ(h.RunRaw({"RENAMENX", "c", "b"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"RENAMENX", "c", "c"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"RENAMENX", "c", "d"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"RENAMENX", "zz", "zz"}), "-ERR no such key\r\n");
  // A persistent source leaves the destination persistent.
  EXPECT_EQ(h.RunRaw({"RENAME", "d", "b"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"PTTL", "b"}), ":-1\r\n");
}

TEST(KeysTest, CopyWithinAndAcrossDatabases) {
  CommandHarness h;
  Put(h, "a", "va", 0, 7000);
  EXPECT_EQ(h.RunRaw({"COPY", "a", "a"}), "-ERR source and destination objects are the same\r\n");
  EXPECT_EQ(h.RunRaw({"COPY", "a", "b"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"PTTL", "b"}), ":7000\r\n");
  EXPECT_EQ(h.RunRaw({"COPY", "a", "b"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"COPY", "a", "a", "DB", "3"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"COPY", "nope", "x"}), ":0\r\n");
  Put(h, "p", "persistent");
  EXPECT_EQ(h.RunRaw({"COPY", "p", "b", "replace"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"PTTL", "b"}), ":-1\r\n");
  EXPECT_EQ(h.RunRaw({"COPY", "a", "b", "DB", "16"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(h.RunRaw({"COPY", "a", "b", "DB", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.RunRaw({"COPY", "a", "b", "DB", "4294967296"}),
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
  EXPECT_EQ(h.RunRaw({"COPY", "a", "b", "DB"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.RunRaw({"SELECT", "3"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"PTTL", "a"}), ":7000\r\n");
}

TEST(KeysTest, CopyIsIndependentOfTheSource) {
  CommandHarness h;
  Put(h, "a", "va");
  EXPECT_EQ(h.RunRaw({"COPY", "a", "b"}), ":1\r\n");
  storage::Db db = h.db(0);
  db.StringAppend(db.Find("b"), "-changed");
  EXPECT_EQ(db.Find("a")->value().string().bytes, "va");
}

TEST(KeysTest, Move) {
  CommandHarness h;
  Put(h, "a", "va", 0, 3000);
  EXPECT_EQ(h.RunRaw({"MOVE", "a", "0"}), "-ERR source and destination objects are the same\r\n");
  EXPECT_EQ(h.RunRaw({"MOVE", "nope", "0"}),
            "-ERR source and destination objects are the same\r\n");
  EXPECT_EQ(h.RunRaw({"MOVE", "a", "16"}), "-ERR DB index is out of range\r\n");
  Put(h, "a", "taken", 1);
  EXPECT_EQ(h.RunRaw({"MOVE", "a", "1"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"MOVE", "a", "2"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"MOVE", "a", "2"}), ":0\r\n");
  storage::Db db2 = h.db(2);
  ASSERT_NE(db2.Find("a"), nullptr);
  EXPECT_EQ(db2.Find("a")->deadline_ms(), h.clock().NowMs() + 3000);
  EXPECT_EQ(h.db(0).Find("a"), nullptr);
}

TEST(KeysTest, KeysMatchesAndSkipsExpired) {
  CommandHarness h;
  for (std::string k : {"hello", "hallo", "hxllo", "foo"}) Put(h, k, "v");
  Put(h, "hullo", "v", 0, 10);
  Put(h, "hillo", "v", 1);
  EXPECT_EQ(Strings(h.Run({"KEYS", "h?llo"})),
            (std::set<std::string>{"hello", "hallo", "hxllo", "hullo"}));
  EXPECT_EQ(Strings(h.Run({"KEYS", "h[ae]llo"})), (std::set<std::string>{"hello", "hallo"}));
  EXPECT_EQ(Strings(h.Run({"KEYS", "*"})).size(), 5u);
  h.clock().Advance(11);
  EXPECT_EQ(Strings(h.Run({"KEYS", "*"})).size(), 4u);
  EXPECT_EQ(h.RunRaw({"KEYS", "nomatch*"}), "*0\r\n");
}

TEST(KeysTest, ScanVisitsEveryKeyWithAnyCount) {
  CommandHarness h;
  std::set<std::string> keys;
  for (int i = 0; i < 300; ++i) {
    keys.insert("k" + std::to_string(i));
    Put(h, "k" + std::to_string(i), "v");
  }
  for (std::string count : {"1", "3", "10", "1000"}) {
    std::multiset<std::string> seen = ScanAll(h, {"COUNT", count});
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), keys) << "COUNT " << count;
  }
  RespValue all = h.Run({"SCAN", "0", "COUNT", "1000"});
  EXPECT_EQ(all.elements[0].str, "0");
  EXPECT_EQ(all.elements[1].elements.size(), 300u);
  std::multiset<std::string> matched = ScanAll(h, {"MATCH", "k1?", "COUNT", "7"});
  EXPECT_EQ(matched.size(), 10u);
  EXPECT_EQ(ScanAll(h, {"TYPE", "string"}).size(), 300u);
  EXPECT_EQ(ScanAll(h, {"TYPE", "hash"}).size(), 0u);
}

TEST(KeysTest, ScanSkipsExpiredKeys) {
  CommandHarness h;
  Put(h, "live", "v");
  for (int i = 0; i < 20; ++i) Put(h, "dead" + std::to_string(i), "v", 0, 10);
  h.clock().Advance(11);
  // Deleting the expired keys can shrink the table mid-scan, and SCAN may then repeat a key (as
  // Redis's contract allows): every live key at least once, nothing else.
  const std::multiset<std::string> seen = ScanAll(h, {"COUNT", "2"});
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), (std::set<std::string>{"live"}));
}

TEST(KeysTest, ScanCursorAndOptionErrors) {
  CommandHarness h;
  EXPECT_EQ(h.RunRaw({"SCAN", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
  EXPECT_EQ(h.RunRaw({"SCAN", "18446744073709551615"}), "*2\r\n$1\r\n0\r\n*0\r\n");
  for (std::string bad : {"-1", "18446744073709551616", " 1", "1 ", "abc", "", "1.0"}) {
    EXPECT_EQ(h.RunRaw({"SCAN", bad}), "-ERR invalid cursor\r\n") << bad;
  }
  EXPECT_EQ(h.RunRaw({"SCAN", "0", "COUNT", "0"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.RunRaw({"SCAN", "0", "COUNT", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.RunRaw({"SCAN", "0", "MATCH"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.RunRaw({"SCAN", "0", "FOO", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.RunRaw({"SCAN", "0", "COUNT", "9223372036854775807"}), "*2\r\n$1\r\n0\r\n*0\r\n");
}

TEST(KeysTest, RandomKeyDbSizeFlush) {
  CommandHarness h;
  EXPECT_EQ(h.RunRaw({"RANDOMKEY"}), "$-1\r\n");
  Put(h, "only", "v");
  EXPECT_EQ(h.RunRaw({"RANDOMKEY"}), "$4\r\nonly\r\n");
  Put(h, "other", "v", 5);
  EXPECT_EQ(h.RunRaw({"DBSIZE"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"FLUSHDB", "lazy"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.RunRaw({"FLUSHDB", "ASYNC"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"DBSIZE"}), ":0\r\n");
  EXPECT_EQ(h.db(5).Size(), 1u);
  EXPECT_EQ(h.RunRaw({"FLUSHALL", "SYNC", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.RunRaw({"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(h.db(5).Size(), 0u);
}

TEST(KeysTest, RandomKeySkipsExpiredKeys) {
  CommandHarness h;
  for (int i = 0; i < 10; ++i) Put(h, "dead" + std::to_string(i), "v", 0, 10);
  h.clock().Advance(11);
  EXPECT_EQ(h.RunRaw({"RANDOMKEY"}), "$-1\r\n");
}

TEST(KeysTest, SwapDb) {
  CommandHarness h;
  Put(h, "zero", "v", 0, 2000);
  Put(h, "one", "v", 1);
  EXPECT_EQ(h.RunRaw({"SWAPDB", "0", "1"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"KEYS", "*"}), "*1\r\n$3\r\none\r\n");
  EXPECT_EQ(h.RunRaw({"SELECT", "1"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"PTTL", "zero"}), ":2000\r\n");
  EXPECT_EQ(h.RunRaw({"SWAPDB", "x", "1"}), "-ERR invalid first DB index\r\n");
  EXPECT_EQ(h.RunRaw({"SWAPDB", "1", "x"}), "-ERR invalid second DB index\r\n");
  EXPECT_EQ(h.RunRaw({"SWAPDB", "1", "16"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(h.RunRaw({"SWAPDB", "1", "1"}), "+OK\r\n");
  // The deadline moved with its database: the active expiry finds it there.
  h.clock().Advance(2001);
  EXPECT_EQ(h.ExpireDue(), 1u);
  EXPECT_EQ(h.RunRaw({"DBSIZE"}), ":0\r\n");
}

TEST(KeysTest, ObjectEncodingRefcountAndHelp) {
  CommandHarness h;
  Put(h, "int", "123");
  Put(h, "emb", "hello");
  Put(h, "raw", std::string(45, 'x'));
  Put(h, "big", "123456");
  EXPECT_EQ(h.RunRaw({"OBJECT", "ENCODING", "int"}), "$3\r\nint\r\n");
  EXPECT_EQ(h.RunRaw({"object", "encoding", "emb"}), "$6\r\nembstr\r\n");
  EXPECT_EQ(h.RunRaw({"OBJECT", "ENCODING", "raw"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.RunRaw({"OBJECT", "ENCODING", "nope"}), "$-1\r\n");
  EXPECT_EQ(h.RunRaw({"OBJECT", "REFCOUNT", "int"}), ":2147483647\r\n") << "shared integer";
  EXPECT_EQ(h.RunRaw({"OBJECT", "REFCOUNT", "big"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"OBJECT", "REFCOUNT", "emb"}), ":1\r\n");
  RespValue help = h.Run({"OBJECT", "HELP"});
  ASSERT_EQ(help.elements.size(), 15u);
  EXPECT_EQ(help.elements[0].str, "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  EXPECT_EQ(h.RunRaw({"OBJECT", "nope"}), "-ERR unknown subcommand 'nope'. Try OBJECT HELP.\r\n");
  EXPECT_EQ(h.RunRaw({"OBJECT", "ENCODING"}),
            "-ERR wrong number of arguments for 'object|encoding' command\r\n");
}

TEST(KeysTest, ObjectFreqNeedsAnLfuPolicy) {
  CommandHarness h;
  Put(h, "k", "v");
  EXPECT_EQ(h.RunRaw({"OBJECT", "FREQ", "k"}),
            "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take some "
            "time to adjust.\r\n");
  EXPECT_EQ(h.RunRaw({"OBJECT", "FREQ", "nope"}), "$-1\r\n");
}

TEST(KeysTest, ObjectIdleTimeCountsOnlyAccesses) {
  CommandHarness h;
  Put(h, "k", "v");
  Put(h, "t", "v");
  EXPECT_EQ(h.RunRaw({"OBJECT", "IDLETIME", "k"}), ":0\r\n");
  h.clock().Advance(5000);
  EXPECT_EQ(h.RunRaw({"OBJECT", "IDLETIME", "k"}), ":5\r\n");
  // Introspection is not an access.
  h.Run({"EXISTS", "k"});
  h.Run({"TYPE", "k"});
  h.Run({"TTL", "k"});
  h.Run({"OBJECT", "ENCODING", "k"});
  EXPECT_EQ(h.RunRaw({"OBJECT", "IDLETIME", "k"}), ":5\r\n");
  EXPECT_EQ(h.RunRaw({"TOUCH", "t"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"OBJECT", "IDLETIME", "t"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"OBJECT", "IDLETIME", "nope"}), "$-1\r\n");
}

TEST(KeysTest, Resp3NullsAndArrays) {
  CommandHarness h(protocol::RespVersion::kResp3);
  EXPECT_EQ(h.RunRaw({"RANDOMKEY"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"OBJECT", "ENCODING", "nope"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"SCAN", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
  EXPECT_EQ(h.RunRaw({"KEYS", "*"}), "*0\r\n");
}

}  // namespace
}  // namespace sessionkv::testing

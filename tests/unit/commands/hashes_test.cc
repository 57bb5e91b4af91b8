// SPDX-License-Identifier: Apache-2.0
// The hash family in process (server/commands/hashes.cc): replies, error texts and their order, key
// creation and deletion, encodings through OBJECT ENCODING and the config thresholds, and the
// generic commands (TYPE, COPY, RENAME, MOVE, SCAN TYPE, MEMORY USAGE) on hashes. Decoded checks
// run under RESP2 and RESP3; the raw tests pin the reply shapes byte for byte.
// tests/integration/test_hashes.py covers the same commands through real clients and against Redis.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

using protocol::RespValue;
using protocol::RespVersion;
using Type = protocol::RespValue::Type;

constexpr char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

class HashesTest : public ::testing::TestWithParam<RespVersion> {
 protected:
  HashesTest() : h_(GetParam()) {}

  bool resp3() const { return GetParam() == RespVersion::kResp3; }

  int64_t Int(const std::vector<std::string>& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kInteger) << v.ToString();
    return v.integer;
  }
  std::string Bulk(const std::vector<std::string>& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kBulk) << v.ToString();
    return v.str;
  }
  std::string Error(const std::vector<std::string>& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kError) << v.ToString();
    return v.str;
  }
  bool IsNull(const std::vector<std::string>& args) { return h_.Run(args).type == Type::kNull; }
  // HGETALL as a map (checks the RESP3 map / RESP2 flat array shape).
  std::map<std::string, std::string> GetAll(const std::string& key) {
    RespValue v = h_.Run({"HGETALL", key});
    EXPECT_EQ(v.type, resp3() ? Type::kMap : Type::kArray) << v.ToString();
    std::map<std::string, std::string> out;
    for (size_t i = 0; i + 1 < v.elements.size(); i += 2)
      out[v.elements[i].str] = v.elements[i + 1].str;
    return out;
  }
  std::multiset<std::string> Strings(const std::vector<std::string>& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kArray) << v.ToString();
    std::multiset<std::string> out;
    for (const RespValue& e : v.elements) out.insert(e.str);
    return out;
  }
  std::string Encoding(const std::string& key) { return h_.Run({"OBJECT", "ENCODING", key}).str; }

  CommandHarness h_;
};

INSTANTIATE_TEST_SUITE_P(Resp, HashesTest,
                         ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) {
                           return info.param == RespVersion::kResp2 ? "Resp2" : "Resp3";
                         });

using M = std::map<std::string, std::string>;
using S = std::multiset<std::string>;

TEST_P(HashesTest, SetGetAndFriends) {
  EXPECT_EQ(Int({"HSET", "h", "a", "1", "b", "2", "a", "3"}), 2) << "a repeated field counts once";
  EXPECT_EQ(Int({"HSET", "h", "b", "20", "c", "30"}), 1);
  EXPECT_EQ(h_.Run({"HMSET", "h", "d", "4"}).str, "OK");
  EXPECT_EQ(Bulk({"HGET", "h", "a"}), "3");
  EXPECT_TRUE(IsNull({"HGET", "h", "zz"}));
  EXPECT_TRUE(IsNull({"HGET", "nokey", "a"}));
  EXPECT_EQ(GetAll("h"), (M{{"a", "3"}, {"b", "20"}, {"c", "30"}, {"d", "4"}}));
  EXPECT_EQ(Strings({"HKEYS", "h"}), (S{"a", "b", "c", "d"}));
  EXPECT_EQ(Strings({"HVALS", "h"}), (S{"3", "20", "30", "4"}));
  EXPECT_EQ(Int({"HLEN", "h"}), 4);
  EXPECT_EQ(Int({"HLEN", "nokey"}), 0);
  EXPECT_EQ(Int({"HEXISTS", "h", "c"}), 1);
  EXPECT_EQ(Int({"HEXISTS", "h", "zz"}), 0);
  EXPECT_EQ(Int({"HEXISTS", "nokey", "c"}), 0);
  EXPECT_EQ(Int({"HSTRLEN", "h", "b"}), 2);
  EXPECT_EQ(Int({"HSTRLEN", "h", "zz"}), 0);
  EXPECT_EQ(Int({"HSTRLEN", "nokey", "b"}), 0);
  RespValue mget = h_.Run({"HMGET", "h", "a", "zz", "d"});
  ASSERT_EQ(mget.elements.size(), 3u);
  EXPECT_EQ(mget.elements[0].str, "3");
  EXPECT_EQ(mget.elements[1].type, Type::kNull);
  EXPECT_EQ(mget.elements[2].str, "4");
  RespValue missing = h_.Run({"HMGET", "nokey", "a", "b"});
  ASSERT_EQ(missing.elements.size(), 2u);
  EXPECT_EQ(missing.elements[1].type, Type::kNull);
  EXPECT_EQ(GetAll("nokey"), M{});
  EXPECT_EQ(Strings({"HKEYS", "nokey"}), S{});
  EXPECT_EQ(h_.Run({"TYPE", "h"}).str, "hash");
}

TEST_P(HashesTest, SetNx) {
  EXPECT_EQ(Int({"HSETNX", "h", "a", "1"}), 1);
  EXPECT_EQ(Int({"HSETNX", "h", "a", "2"}), 0);
  EXPECT_EQ(Bulk({"HGET", "h", "a"}), "1");
  EXPECT_EQ(Int({"HSETNX", "h", "b", std::string(100, 'x')}), 1);
  EXPECT_EQ(Encoding("h"), "hashtable");
}

TEST_P(HashesTest, DeleteTakesTheKeyWithTheLastField) {
  h_.Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});
  h_.Run({"PEXPIRE", "h", "100000"});
  EXPECT_EQ(Int({"HDEL", "h", "a", "zz", "a"}), 1);
  EXPECT_EQ(Int({"HDEL", "nokey", "a"}), 0);
  EXPECT_EQ(Int({"HDEL", "h", "b", "c", "b"}), 2);
  EXPECT_EQ(Int({"EXISTS", "h"}), 0);
  h_.Run({"HSET", "h", "x", "y"});
  EXPECT_EQ(Int({"PTTL", "h"}), -1) << "the TTL went with the key";
}

TEST_P(HashesTest, WritesKeepTheTtl) {
  h_.Run({"HSET", "h", "a", "1"});
  h_.Run({"PEXPIRE", "h", "100000"});
  h_.Run({"HSET", "h", "a", "2", "b", "3"});
  h_.Run({"HINCRBY", "h", "n", "1"});
  h_.Run({"HDEL", "h", "b"});
  EXPECT_EQ(Int({"PTTL", "h"}), 100000);
  h_.clock().Advance(100001);
  EXPECT_TRUE(IsNull({"HGET", "h", "a"})) << "a hash expires like any key";
}

TEST_P(HashesTest, WrongTypeEverywhereAndArityFirst) {
  h_.Run({"SET", "str", "v"});
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"HSET", "str", "a", "1"},
                                             {"HMSET", "str", "a", "1"},
                                             {"HSETNX", "str", "a", "1"},
                                             {"HGET", "str", "a"},
                                             {"HMGET", "str", "a"},
                                             {"HGETALL", "str"},
                                             {"HKEYS", "str"},
                                             {"HVALS", "str"},
                                             {"HDEL", "str", "a"},
                                             {"HEXISTS", "str", "a"},
                                             {"HLEN", "str"},
                                             {"HSTRLEN", "str", "a"},
                                             {"HINCRBY", "str", "a", "1"},
                                             {"HINCRBYFLOAT", "str", "a", "1"},
                                             {"HRANDFIELD", "str"},
                                             {"HRANDFIELD", "str", "0"},
                                             {"HRANDFIELD", "str", "-3", "WITHVALUES"},
                                             {"HSCAN", "str", "0"}}) {
    EXPECT_EQ(Error(args), kWrongType) << args[0];
  }
  EXPECT_EQ(Bulk({"GET", "str"}), "v");
  EXPECT_EQ(Error({"HSET", "str", "a", "1", "b"}),
            "ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(Error({"HMSET", "h", "a", "1", "b"}),
            "ERR wrong number of arguments for 'hmset' command");
  EXPECT_EQ(Error({"HSET", "h", "a"}), "ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(Error({"HGET", "h"}), "ERR wrong number of arguments for 'hget' command");
  EXPECT_EQ(Int({"EXISTS", "h"}), 0) << "a failed write creates nothing";
  h_.Run({"HSET", "hash", "f", "v"});
  EXPECT_EQ(Error({"GET", "hash"}), kWrongType);
  EXPECT_EQ(Error({"SADD", "hash", "m"}), kWrongType);
  EXPECT_EQ(Error({"APPEND", "hash", "x"}), kWrongType);
}

TEST_P(HashesTest, IncrBy) {
  EXPECT_EQ(Int({"HINCRBY", "h", "n", "5"}), 5);
  EXPECT_EQ(Int({"HINCRBY", "h", "n", "-7"}), -2);
  EXPECT_EQ(Bulk({"HGET", "h", "n"}), "-2");
  h_.Run({"HSET", "h", "s", "abc", "sp", " 1", "big", "9223372036854775807", "small",
          "-9223372036854775808"});
  EXPECT_EQ(Error({"HINCRBY", "h", "s", "1"}), "ERR hash value is not an integer");
  EXPECT_EQ(Error({"HINCRBY", "h", "sp", "1"}), "ERR hash value is not an integer");
  EXPECT_EQ(Error({"HINCRBY", "h", "big", "1"}), "ERR increment or decrement would overflow");
  EXPECT_EQ(Error({"HINCRBY", "h", "small", "-1"}), "ERR increment or decrement would overflow");
  EXPECT_EQ(Int({"HINCRBY", "h", "big", "-1"}), 9223372036854775806);
  EXPECT_EQ(Error({"HINCRBY", "h", "n", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Error({"HINCRBY", "h", "n", "1.5"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Error({"HINCRBY", "str", "n", "x"}), "ERR value is not an integer or out of range")
      << "the increment is parsed before the key is looked up";
  EXPECT_EQ(Int({"EXISTS", "str"}), 0);
}

TEST_P(HashesTest, IncrByFloat) {
  EXPECT_EQ(Bulk({"HINCRBYFLOAT", "h", "f", "10.5"}), "10.5");
  EXPECT_EQ(Bulk({"HINCRBYFLOAT", "h", "f", "0.1"}), "10.6");
  EXPECT_EQ(Bulk({"HINCRBYFLOAT", "h", "f", "-10.6"}), "0");
  EXPECT_EQ(Bulk({"HINCRBYFLOAT", "h", "e", "5.0e3"}), "5000");
  h_.Run({"HSET", "h", "i", "3", "s", "abc", "inf", "inf"});
  EXPECT_EQ(Bulk({"HINCRBYFLOAT", "h", "i", "1.5"}), "4.5");
  EXPECT_EQ(Error({"HINCRBYFLOAT", "h", "s", "1"}), "ERR hash value is not a float");
  EXPECT_EQ(Error({"HINCRBYFLOAT", "h", "f", "abc"}), "ERR value is not a valid float");
  EXPECT_EQ(Error({"HINCRBYFLOAT", "h", "f", "nan"}), "ERR value is not a valid float");
  EXPECT_EQ(Error({"HINCRBYFLOAT", "h", "f", "inf"}), "ERR value is NaN or Infinity");
  EXPECT_EQ(Error({"HINCRBYFLOAT", "h", "inf", "1"}),
            "ERR increment would produce NaN or Infinity");
  EXPECT_EQ(Bulk({"HGET", "h", "inf"}), "inf");
  EXPECT_EQ(Error({"HINCRBYFLOAT", "nokey", "f", "-inf"}), "ERR value is NaN or Infinity");
  EXPECT_EQ(Int({"EXISTS", "nokey"}), 0);
}

TEST_P(HashesTest, RandField) {
  EXPECT_TRUE(IsNull({"HRANDFIELD", "nokey"}));
  EXPECT_EQ(h_.Run({"HRANDFIELD", "nokey", "3"}).elements.size(), 0u);
  h_.Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});
  EXPECT_TRUE(std::set<std::string>({"a", "b", "c"}).contains(Bulk({"HRANDFIELD", "h"})));
  EXPECT_EQ(Strings({"HRANDFIELD", "h", "10"}), (S{"a", "b", "c"}));
  EXPECT_EQ(Strings({"HRANDFIELD", "h", "2"}).size(), 2u);
  EXPECT_EQ(Strings({"HRANDFIELD", "h", "0"}).size(), 0u);
  S repeats = Strings({"HRANDFIELD", "h", "-20"});
  EXPECT_EQ(repeats.size(), 20u);
  for (const std::string& f : repeats) EXPECT_TRUE(f == "a" || f == "b" || f == "c") << f;

  RespValue with = h_.Run({"HRANDFIELD", "h", "-5", "WITHVALUES"});
  const std::map<std::string, std::string> all{{"a", "1"}, {"b", "2"}, {"c", "3"}};
  if (resp3()) {
    ASSERT_EQ(with.elements.size(), 5u) << "RESP3: one [field, value] array per pick";
    for (const RespValue& pair : with.elements) {
      ASSERT_EQ(pair.elements.size(), 2u);
      EXPECT_EQ(all.at(pair.elements[0].str), pair.elements[1].str);
    }
  } else {
    ASSERT_EQ(with.elements.size(), 10u) << "RESP2: flat field, value, ...";
    for (size_t i = 0; i < 10; i += 2)
      EXPECT_EQ(all.at(with.elements[i].str), with.elements[i + 1].str);
  }
  RespValue distinct = h_.Run({"HRANDFIELD", "h", "5", "withvalues"});
  EXPECT_EQ(distinct.elements.size(), resp3() ? 3u : 6u);

  EXPECT_EQ(Error({"HRANDFIELD", "h", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Error({"HRANDFIELD", "h", "-9223372036854775808"}),
            "ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  EXPECT_EQ(Error({"HRANDFIELD", "h", "1", "VALUES"}), "ERR syntax error");
  EXPECT_EQ(Error({"HRANDFIELD", "h", "1", "WITHVALUES", "x"}), "ERR syntax error");
  EXPECT_EQ(Error({"HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"}),
            "ERR value is out of range");
  EXPECT_EQ(Error({"HRANDFIELD", "nokey", "x"}), "ERR value is not an integer or out of range")
      << "the count is parsed before the key is looked up";
}

TEST_P(HashesTest, ScanCompactAndTable) {
  h_.Run({"HSET", "small", "a", "1", "b", "2"});
  RespValue small = h_.Run({"HSCAN", "small", "0", "COUNT", "1"});
  ASSERT_EQ(small.elements.size(), 2u);
  EXPECT_EQ(small.elements[0].str, "0") << "a compact hash answers everything at once";
  ASSERT_EQ(small.elements[1].type, Type::kArray) << "a flat array in RESP3 too";
  EXPECT_EQ(small.elements[1].elements.size(), 4u);

  for (int i = 0; i < 300; ++i)
    h_.Run({"HSET", "big", "field" + std::to_string(i), "v" + std::to_string(i)});
  EXPECT_EQ(Encoding("big"), "listpack");
  h_.Run({"HSET", "big", "long", std::string(100, 'x')});
  EXPECT_EQ(Encoding("big"), "hashtable");
  std::map<std::string, std::string> found;
  std::string cursor = "0";
  int calls = 0;
  do {
    RespValue v = h_.Run({"HSCAN", "big", cursor, "COUNT", "20"});
    ASSERT_EQ(v.type, Type::kArray);
    cursor = v.elements[0].str;
    for (size_t i = 0; i + 1 < v.elements[1].elements.size(); i += 2) {
      found[v.elements[1].elements[i].str] = v.elements[1].elements[i + 1].str;
    }
    ++calls;
  } while (cursor != "0");
  EXPECT_EQ(found.size(), 301u);
  EXPECT_EQ(found["field7"], "v7");
  EXPECT_GT(calls, 5);
  RespValue match = h_.Run({"HSCAN", "big", "0", "MATCH", "field1?", "COUNT", "1000"});
  EXPECT_EQ(match.elements[1].elements.size(), 20u) << "10 fields and their values";
  RespValue none = h_.Run({"HSCAN", "nokey", "0"});
  EXPECT_EQ(none.elements[0].str, "0");
  EXPECT_EQ(none.elements[1].elements.size(), 0u);
  EXPECT_EQ(Error({"HSCAN", "big", "abc"}), "ERR invalid cursor");
  EXPECT_EQ(Error({"HSCAN", "big", "0", "COUNT", "0"}), "ERR syntax error");
  EXPECT_EQ(Error({"HSCAN", "big", "0", "COUNT", "x"}),
            "ERR value is not an integer or out of range");
  EXPECT_EQ(Error({"HSCAN", "big", "0", "NOVALUES"}), "ERR syntax error") << "Redis 7.4's option";
  EXPECT_EQ(Error({"HSCAN", "big", "0", "TYPE", "hash"}), "ERR syntax error");
  EXPECT_EQ(Error({"HSCAN", "nokey", "x"}), "ERR invalid cursor");
  EXPECT_EQ(h_.Run({"HSCAN", "nokey", "0", "BAD"}).elements.size(), 2u)
      << "a missing key answers before the options are read";
}

TEST_P(HashesTest, EncodingsFollowConfig) {
  h_.Run({"HSET", "h", "a", "1"});
  EXPECT_EQ(Encoding("h"), "listpack");
  h_.Run({"HSET", "h", "b", std::string(64, 'x')});
  EXPECT_EQ(Encoding("h"), "listpack");
  h_.Run({"HSET", "h", std::string(65, 'f'), "1"});
  EXPECT_EQ(Encoding("h"), "hashtable") << "a long field converts too";
  h_.Run({"HDEL", "h", std::string(65, 'f'), "b"});
  EXPECT_EQ(Encoding("h"), "hashtable");
  ASSERT_TRUE(h_.config().Set({{"hash-max-listpack-entries", "3"}}).ok());
  h_.Run({"HSET", "e", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(Encoding("e"), "listpack");
  h_.Run({"HSET", "e", "d", "4"});
  EXPECT_EQ(Encoding("e"), "hashtable");
  h_.Run({"HSET", "p", "a", "1", "b", "2", "a", "3", "b", "4"});
  EXPECT_EQ(Encoding("p"), "hashtable") << "Redis 7.2: more pairs than entries, duplicates or not";
  ASSERT_TRUE(h_.config().Set({{"hash-max-listpack-value", "2"}}).ok());
  h_.Run({"HINCRBY", "i", "n", "99"});
  EXPECT_EQ(Encoding("i"), "listpack");
  h_.Run({"HINCRBY", "i", "n", "1"});
  EXPECT_EQ(Encoding("i"), "hashtable") << "HINCRBY's result is checked like any value";
  h_.Run({"HINCRBYFLOAT", "f", "n", "1.5"});
  EXPECT_EQ(Encoding("f"), "hashtable");
}

TEST_P(HashesTest, GenericCommandsOnHashes) {
  h_.Run({"HSET", "h", "a", "1", "b", std::string(100, 'x')});
  h_.Run({"PEXPIRE", "h", "50000"});
  EXPECT_EQ(Int({"COPY", "h", "c"}), 1);
  EXPECT_EQ(Encoding("c"), "hashtable");
  EXPECT_EQ(Int({"PTTL", "c"}), 50000);
  h_.Run({"HSET", "c", "a", "changed"});
  EXPECT_EQ(Bulk({"HGET", "h", "a"}), "1") << "the copy is deep";
  EXPECT_EQ(h_.Run({"RENAME", "c", "r"}).str, "OK");
  EXPECT_EQ(Bulk({"HGET", "r", "a"}), "changed");
  EXPECT_EQ(Int({"PTTL", "r"}), 50000);
  EXPECT_EQ(Int({"MOVE", "r", "1"}), 1);
  EXPECT_EQ(Int({"EXISTS", "r"}), 0);
  h_.Run({"SET", "s", "v"});
  h_.Run({"SADD", "set", "m"});
  RespValue scan = h_.Run({"SCAN", "0", "TYPE", "hash", "COUNT", "100"});
  ASSERT_EQ(scan.elements[1].elements.size(), 1u);
  EXPECT_EQ(scan.elements[1].elements[0].str, "h");
  const int64_t usage = Int({"MEMORY", "USAGE", "h"});
  EXPECT_GT(usage, 100);
  EXPECT_LT(usage, 400);
  EXPECT_EQ(Int({"DEL", "h"}), 1);
  EXPECT_EQ(Int({"DBSIZE"}), 2);
}

TEST_P(HashesTest, BinarySpringSessionSequence) {
  static constexpr char kCreation[] =
      "\xac\xed\x00\x05sr\x00\x0ejava.lang.Long;\x8b\xe4\x90\xcc\x8f#\xdf\r\n\x00";
  const std::string creation(kCreation, sizeof(kCreation) - 1);  // NUL, CR and LF included
  const std::string key = "spring:session:sessions:3f0e1c2a-0000-4000-8000-000000000000";
  EXPECT_EQ(h_.Run({"HMSET", key, "creationTime", creation, "maxInactiveInterval", creation,
                    "lastAccessedTime", creation, "sessionAttr:x", std::string(90, '\0')})
                .str,
            "OK");
  EXPECT_EQ(Int({"PEXPIRE", key, "2100000"}), 1);
  EXPECT_EQ(GetAll(key).at("creationTime"), creation);
  std::string later = creation;
  later[20] = 'z';
  EXPECT_EQ(h_.Run({"HMSET", key, "lastAccessedTime", later}).str, "OK");
  EXPECT_EQ(Int({"HSET", key, "lastAccessedTime", creation}), 0);
  EXPECT_EQ(h_.Run({"HMSET", key, "sessionAttr:x", ""}).str, "OK") << "a removed attribute";
  EXPECT_EQ(Bulk({"HGET", key, "sessionAttr:x"}), "");
  EXPECT_EQ(GetAll(key).size(), 4u);
  EXPECT_EQ(Int({"HDEL", key, "sessionAttr:x"}), 1);
  EXPECT_EQ(Int({"PTTL", key}), 2100000);
  EXPECT_EQ(Int({"DEL", key}), 1);
}

TEST(HashesRawTest, Resp3Shapes) {
  CommandHarness h(RespVersion::kResp3);
  h.Run({"HSET", "h", "f", "v"});
  EXPECT_EQ(h.RunRaw({"HGETALL", "h"}), "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(h.RunRaw({"HGETALL", "nokey"}), "%0\r\n");
  EXPECT_EQ(h.RunRaw({"HKEYS", "nokey"}), "*0\r\n");
  EXPECT_EQ(h.RunRaw({"HGET", "h", "x"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"HMGET", "h", "f", "x"}), "*2\r\n$1\r\nv\r\n_\r\n");
  EXPECT_EQ(h.RunRaw({"HRANDFIELD", "h", "1", "WITHVALUES"}), "*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(h.RunRaw({"HRANDFIELD", "h", "-2"}), "*2\r\n$1\r\nf\r\n$1\r\nf\r\n");
  EXPECT_EQ(h.RunRaw({"HRANDFIELD", "nokey"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"HSCAN", "h", "0"}), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(h.RunRaw({"HINCRBYFLOAT", "h", "n", "1.5"}), "$3\r\n1.5\r\n");
  CommandHarness h2(RespVersion::kResp2);
  h2.Run({"HSET", "h", "f", "v"});
  EXPECT_EQ(h2.RunRaw({"HGETALL", "h"}), "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(h2.RunRaw({"HGETALL", "nokey"}), "*0\r\n");
  EXPECT_EQ(h2.RunRaw({"HRANDFIELD", "h", "1", "WITHVALUES"}), "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(h2.RunRaw({"HMGET", "h", "x"}), "*1\r\n$-1\r\n");
  EXPECT_EQ(h2.RunRaw({"HMSET", "h", "a", "b"}), "+OK\r\n");
}

}  // namespace
}  // namespace sessionkv::testing

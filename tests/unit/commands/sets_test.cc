// SPDX-License-Identifier: Apache-2.0
// The set family in process (server/commands/sets.cc): replies, error texts and their order, key
// deletion, encodings through OBJECT ENCODING and the config thresholds. Decoded checks run under
// RESP2 and RESP3 (where set replies are `~`); tests/integration/test_sets.py covers the same
// commands through real clients and against Redis itself.
#include <algorithm>
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

class SetsTest : public ::testing::TestWithParam<RespVersion> {
 protected:
  SetsTest() : h_(GetParam()) {}

  bool resp3() const { return GetParam() == RespVersion::kResp3; }
  // The type a set-shaped reply has under this protocol.
  Type SetType() const { return resp3() ? Type::kSet : Type::kArray; }

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
  // The members of a set-shaped reply (checks its type).
  std::multiset<std::string> Members(const std::vector<std::string>& args, Type type) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, type) << v.ToString();
    std::multiset<std::string> out;
    for (const RespValue& e : v.elements) out.insert(e.str);
    return out;
  }
  std::multiset<std::string> SetReply(const std::vector<std::string>& args) {
    return Members(args, SetType());
  }
  std::string Encoding(const std::string& key) { return h_.Run({"OBJECT", "ENCODING", key}).str; }

  CommandHarness h_;
};

INSTANTIATE_TEST_SUITE_P(Resp, SetsTest,
                         ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) {
                           return info.param == RespVersion::kResp2 ? "Resp2" : "Resp3";
                         });

using M = std::multiset<std::string>;

TEST_P(SetsTest, AddRemoveCardAndMembership) {
  EXPECT_EQ(Int({"SADD", "s", "a", "b", "a"}), 2);
  EXPECT_EQ(Int({"SADD", "s", "c"}), 1);
  EXPECT_EQ(Int({"SCARD", "s"}), 3);
  EXPECT_EQ(Int({"SISMEMBER", "s", "b"}), 1);
  EXPECT_EQ(Int({"SISMEMBER", "nokey", "b"}), 0);
  RespValue mis = h_.Run({"SMISMEMBER", "s", "a", "z"});
  ASSERT_EQ(mis.type, Type::kArray);
  ASSERT_EQ(mis.elements.size(), 2u);
  EXPECT_EQ(mis.elements[0].integer, 1);
  EXPECT_EQ(mis.elements[1].integer, 0);
  EXPECT_EQ(SetReply({"SMEMBERS", "s"}), (M{"a", "b", "c"}));
  EXPECT_EQ(SetReply({"SMEMBERS", "nokey"}), M{});
  EXPECT_EQ(Int({"SREM", "s", "a", "b", "c", "d"}), 3);
  EXPECT_EQ(Int({"EXISTS", "s"}), 0) << "the last member takes the key with it";
  EXPECT_EQ(h_.Run({"TYPE", "s"}).str, "none");
}

TEST_P(SetsTest, WrongTypeEverywhere) {
  h_.Run({"SET", "str", "v"});
  h_.Run({"SADD", "s", "a"});
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"SADD", "str", "a"},
                                             {"SREM", "str", "a"},
                                             {"SMEMBERS", "str"},
                                             {"SISMEMBER", "str", "a"},
                                             {"SCARD", "str"},
                                             {"SPOP", "str"},
                                             {"SRANDMEMBER", "str", "2"},
                                             {"SMOVE", "s", "str", "a"},
                                             {"SINTER", "nokey", "str"},
                                             {"SUNIONSTORE", "d", "s", "str"},
                                             {"SINTERCARD", "2", "s", "str"},
                                             {"SSCAN", "str", "0"}}) {
    EXPECT_EQ(Error(args), kWrongType) << args[0];
  }
  EXPECT_EQ(SetReply({"SMEMBERS", "s"}), M{"a"});
}

TEST_P(SetsTest, PopAndRandom) {
  EXPECT_EQ(h_.Run({"SPOP", "nokey"}).type, Type::kNull);
  EXPECT_EQ(SetReply({"SPOP", "nokey", "2"}), M{});
  EXPECT_EQ(h_.Run({"SRANDMEMBER", "nokey", "2"}).type, Type::kArray);
  h_.Run({"SADD", "s", "1", "2", "3", "4"});
  M popped = SetReply({"SPOP", "s", "3"});
  EXPECT_EQ(popped.size(), 3u);
  EXPECT_EQ(Int({"SCARD", "s"}), 1);
  EXPECT_EQ(Members({"SRANDMEMBER", "s", "-5"}, Type::kArray).size(), 5u);
  EXPECT_EQ(Members({"SRANDMEMBER", "s", "5"}, Type::kArray).size(), 1u);
  EXPECT_EQ(h_.Run({"SPOP", "s"}).type, Type::kBulk);
  EXPECT_EQ(Int({"EXISTS", "s"}), 0);
  h_.Run({"SADD", "t", "a", "b"});
  EXPECT_EQ(SetReply({"SPOP", "t", "0"}), M{});
  EXPECT_EQ(SetReply({"SPOP", "t", "5"}), (M{"a", "b"}));
  EXPECT_EQ(Int({"EXISTS", "t"}), 0) << "popping every member deletes the key";
  EXPECT_EQ(Error({"SPOP", "s", "-1"}), "ERR value is out of range, must be positive");
  EXPECT_EQ(Error({"SPOP", "s", "1", "2"}), "ERR syntax error");
  EXPECT_EQ(Error({"SRANDMEMBER", "s", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Error({"SRANDMEMBER", "s", "-9223372036854775808"}),
            "ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
}

TEST_P(SetsTest, Move) {
  h_.Run({"SADD", "a", "x"});
  EXPECT_EQ(Int({"SMOVE", "a", "b", "x"}), 1);
  EXPECT_EQ(Int({"EXISTS", "a"}), 0);
  EXPECT_EQ(SetReply({"SMEMBERS", "b"}), M{"x"});
  EXPECT_EQ(Int({"SMOVE", "b", "b", "x"}), 1);
  EXPECT_EQ(Int({"SMOVE", "nokey", "b", "x"}), 0);
}

TEST_P(SetsTest, Algebra) {
  h_.Run({"SADD", "a", "1", "2", "x"});
  h_.Run({"SADD", "b", "2", "x", "y"});
  EXPECT_EQ(SetReply({"SINTER", "a", "b"}), (M{"2", "x"}));
  EXPECT_EQ(SetReply({"SUNION", "a", "b", "nokey"}), (M{"1", "2", "x", "y"}));
  EXPECT_EQ(SetReply({"SDIFF", "a", "b"}), M{"1"});
  EXPECT_EQ(Int({"SINTERCARD", "2", "a", "b", "LIMIT", "1"}), 1);
  EXPECT_EQ(Error({"SINTERCARD", "0", "a"}), "ERR numkeys should be greater than 0");
  EXPECT_EQ(Error({"SINTERCARD", "5", "a"}),
            "ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(Error({"SINTERCARD", "1", "a", "LIMIT", "-2"}), "ERR LIMIT can't be negative");
  EXPECT_EQ(Int({"SINTERSTORE", "d", "a", "b"}), 2);
  EXPECT_EQ(Int({"SDIFFSTORE", "d", "a", "a"}), 0);
  EXPECT_EQ(Int({"EXISTS", "d"}), 0) << "an empty result deletes the destination";
  EXPECT_EQ(Int({"SUNIONSTORE", "d", "a"}), 3);
  EXPECT_EQ(Encoding("d"), "listpack");  // Redis 7.2
}

TEST_P(SetsTest, ScanAndErrors) {
  for (int i = 0; i < 300; ++i) h_.Run({"SADD", "h", "member" + std::to_string(i)});
  EXPECT_EQ(Encoding("h"), "hashtable");
  std::set<std::string> found;
  std::string cursor = "0";
  int calls = 0;
  do {
    RespValue v = h_.Run({"SSCAN", "h", cursor, "COUNT", "20"});
    ASSERT_EQ(v.type, Type::kArray);
    cursor = v.elements[0].str;
    for (const RespValue& m : v.elements[1].elements) found.insert(m.str);
    ++calls;
  } while (cursor != "0");
  EXPECT_EQ(found.size(), 300u);
  EXPECT_GT(calls, 1);
  RespValue match = h_.Run({"SSCAN", "h", "0", "MATCH", "member1?", "COUNT", "1000"});
  EXPECT_EQ(match.elements[1].elements.size(), 10u);
  EXPECT_EQ(Error({"SSCAN", "h", "abc"}), "ERR invalid cursor");
  EXPECT_EQ(Error({"SSCAN", "h", "0", "COUNT", "0"}), "ERR syntax error");
  EXPECT_EQ(Error({"SSCAN", "h", "0", "TYPE", "set"}), "ERR syntax error");
}

TEST_P(SetsTest, EncodingsFollowConfig) {
  h_.Run({"SADD", "i", "1", "2"});
  EXPECT_EQ(Encoding("i"), "intset");
  h_.Run({"SADD", "i", "abc"});
  EXPECT_EQ(Encoding("i"), "listpack");
  ASSERT_TRUE(h_.config().Set({{"set-max-listpack-entries", "3"}}).ok());
  h_.Run({"SADD", "i", "def"});
  EXPECT_EQ(Encoding("i"), "hashtable");
  ASSERT_TRUE(h_.config().Set({{"set-max-intset-entries", "2"}}).ok());
  h_.Run({"SADD", "j", "1", "2"});
  EXPECT_EQ(Encoding("j"), "intset");
  h_.Run({"SADD", "j", "3"});
  EXPECT_EQ(Encoding("j"), "hashtable");
}

TEST_P(SetsTest, CopyDuplicatesTheSet) {
  h_.Run({"SADD", "s", "a"});
  EXPECT_EQ(Int({"COPY", "s", "c"}), 1);
  h_.Run({"SADD", "c", "b"});
  EXPECT_EQ(SetReply({"SMEMBERS", "s"}), M{"a"});
  EXPECT_EQ(SetReply({"SMEMBERS", "c"}), (M{"a", "b"}));
}

TEST(SetsRawTest, Resp3SetShapes) {
  CommandHarness h(RespVersion::kResp3);
  h.Run({"SADD", "i", "2", "1"});
  EXPECT_EQ(h.RunRaw({"SMEMBERS", "i"}), "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_EQ(h.RunRaw({"SMEMBERS", "nokey"}), "~0\r\n");
  EXPECT_EQ(h.RunRaw({"SPOP", "nokey"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"SRANDMEMBER", "nokey", "1"}), "*0\r\n");
  EXPECT_EQ(h.RunRaw({"SSCAN", "i", "0"}), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  CommandHarness h2(RespVersion::kResp2);
  h2.Run({"SADD", "i", "2", "1"});
  EXPECT_EQ(h2.RunRaw({"SINTER", "i", "i"}), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_EQ(h2.RunRaw({"SPOP", "nokey"}), "$-1\r\n");
}

}  // namespace
}  // namespace sessionkv::testing

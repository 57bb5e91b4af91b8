// SPDX-License-Identifier: Apache-2.0
// The sorted-set family in process (server/commands/zsets.cc, zset_ranges.cc, zset_algebra.cc):
// replies, error texts and their order, key deletion, encodings through OBJECT ENCODING and the
// config thresholds, and the generic commands on sorted sets. Decoded checks run under RESP2 and
// RESP3 (where scores are doubles and scored ranges are [member, score] pairs); raw checks pin the
// exact bytes. tests/integration/test_zsets.py covers the same commands through real clients and
// against Redis itself.
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/reply_writer.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

using protocol::RespValue;
using protocol::RespVersion;
using Type = protocol::RespValue::Type;
using Strings = std::vector<std::string>;

constexpr char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";
constexpr char kSyntax[] = "ERR syntax error";
constexpr char kNotInteger[] = "ERR value is not an integer or out of range";

// A java.io.ObjectOutputStream serialization of a short String, as Spring Session's JDK serializer
// writes session ids.
std::string Jdk(const std::string& text) {
  return std::string("\xac\xed\x00\x05t\x00", 6) + static_cast<char>(text.size()) + text;
}

class ZSetsTest : public ::testing::TestWithParam<RespVersion> {
 protected:
  ZSetsTest() : h_(GetParam()) {}

  bool resp3() const { return GetParam() == RespVersion::kResp3; }

  int64_t Int(const Strings& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kInteger) << v.ToString();
    return v.integer;
  }
  std::string Error(const Strings& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kError) << v.ToString();
    return v.str;
  }
  // A score reply as Redis prints it: a RESP3 double or a RESP2 bulk string.
  std::string Score(const RespValue& v) {
    if (resp3()) {
      EXPECT_EQ(v.type, Type::kDouble) << v.ToString();
      return protocol::FormatDouble(v.dbl);
    }
    EXPECT_EQ(v.type, Type::kBulk) << v.ToString();
    return v.str;
  }
  std::string Score(const Strings& args) { return Score(h_.Run(args)); }
  // A plain array of bulk members.
  Strings Members(const Strings& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kArray) << v.ToString();
    Strings out;
    for (const RespValue& e : v.elements) out.push_back(e.str);
    return out;
  }
  // A WITHSCORES reply flattened to member, score, member, score... after checking its shape: flat
  // in RESP2, [member, score] pairs in RESP3.
  Strings Scored(const Strings& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kArray) << v.ToString();
    Strings out;
    if (!resp3()) {
      EXPECT_EQ(v.elements.size() % 2, 0u);
      for (size_t i = 0; i < v.elements.size(); i += 2) {
        out.push_back(v.elements[i].str);
        out.push_back(Score(v.elements[i + 1]));
      }
      return out;
    }
    for (const RespValue& pair : v.elements) {
      EXPECT_EQ(pair.type, Type::kArray) << pair.ToString();
      if (pair.elements.size() != 2) {
        ADD_FAILURE() << pair.ToString();
        continue;
      }
      out.push_back(pair.elements[0].str);
      out.push_back(Score(pair.elements[1]));
    }
    return out;
  }
  std::string Encoding(const std::string& key) { return h_.Run({"OBJECT", "ENCODING", key}).str; }

  CommandHarness h_;
};

INSTANTIATE_TEST_SUITE_P(Resp, ZSetsTest,
                         ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) {
                           return info.param == RespVersion::kResp2 ? "Resp2" : "Resp3";
                         });

// ------------------------------------------------------------------------------------- ZADD

TEST_P(ZSetsTest, AddScoreCardRem) {
  EXPECT_EQ(Int({"ZADD", "z", "1", "a", "2", "b", "1", "a"}), 2);
  EXPECT_EQ(Int({"ZADD", "z", "3", "c"}), 1);
  EXPECT_EQ(Int({"ZCARD", "z"}), 3);
  EXPECT_EQ(Int({"ZCARD", "nokey"}), 0);
  EXPECT_EQ(Score({"ZSCORE", "z", "b"}), "2");
  EXPECT_EQ(h_.Run({"ZSCORE", "z", "nope"}).type, Type::kNull);
  EXPECT_EQ(h_.Run({"ZSCORE", "nokey", "a"}).type, Type::kNull);
  RespValue ms = h_.Run({"ZMSCORE", "z", "a", "nope", "c"});
  ASSERT_EQ(ms.elements.size(), 3u);
  EXPECT_EQ(Score(ms.elements[0]), "1");
  EXPECT_EQ(ms.elements[1].type, Type::kNull);
  EXPECT_EQ(Score(ms.elements[2]), "3");
  EXPECT_EQ(h_.Run({"ZMSCORE", "nokey", "a"}).elements.at(0).type, Type::kNull);
  EXPECT_EQ(Int({"ZREM", "z", "a", "nope"}), 1);
  EXPECT_EQ(Int({"ZREM", "nokey", "a"}), 0);
  EXPECT_EQ(Int({"ZREM", "z", "b", "c", "d"}), 2);
  EXPECT_EQ(Int({"EXISTS", "z"}), 0) << "the last member takes the key with it";
}

TEST_P(ZSetsTest, AddOptions) {
  h_.Run({"ZADD", "z", "10", "a"});
  EXPECT_EQ(Int({"ZADD", "z", "NX", "1", "a", "2", "b"}), 1);
  EXPECT_EQ(Score({"ZSCORE", "z", "a"}), "10");
  EXPECT_EQ(Int({"ZADD", "z", "XX", "5", "a", "7", "new"}), 0);
  EXPECT_EQ(Score({"ZSCORE", "z", "a"}), "5");
  EXPECT_EQ(h_.Run({"ZSCORE", "z", "new"}).type, Type::kNull);
  EXPECT_EQ(Int({"ZADD", "z", "CH", "6", "a", "2", "b", "9", "c"}), 2) << "changed + added";
  EXPECT_EQ(Int({"ZADD", "z", "GT", "CH", "1", "a", "100", "b"}), 1);
  EXPECT_EQ(Int({"ZADD", "z", "LT", "CH", "1", "a", "1000", "b"}), 1);
  EXPECT_EQ(Int({"ZADD", "z", "xx", "gt", "ch", "50", "a"}), 1) << "options ignore case";
  EXPECT_EQ(Score({"ZADD", "z", "INCR", "2.5", "a"}), "52.5");
  EXPECT_EQ(h_.Run({"ZADD", "z", "NX", "INCR", "1", "a"}).type, Type::kNull);
  EXPECT_EQ(h_.Run({"ZADD", "nokey", "XX", "INCR", "1", "a"}).type, Type::kNull);
  EXPECT_EQ(Int({"ZADD", "nokey", "XX", "1", "a"}), 0);
  EXPECT_EQ(Int({"EXISTS", "nokey"}), 0) << "XX creates nothing";
  EXPECT_EQ(Score({"ZINCRBY", "z", "-2.5", "a"}), "50");
  EXPECT_EQ(Score({"ZINCRBY", "fresh", "4", "m"}), "4");
}

TEST_P(ZSetsTest, AddErrorsInRedisOrder) {
  EXPECT_EQ(Error({"ZADD", "z", "1"}), "ERR wrong number of arguments for 'zadd' command");
  EXPECT_EQ(Error({"ZADD", "z", "NX", "1"}), kSyntax);
  EXPECT_EQ(Error({"ZADD", "z", "1", "a", "2"}), kSyntax);
  EXPECT_EQ(Error({"ZADD", "z", "NX", "XX", "1", "a"}),
            "ERR XX and NX options at the same time are not compatible");
  EXPECT_EQ(Error({"ZADD", "z", "GT", "LT", "1", "a"}),
            "ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(Error({"ZADD", "z", "NX", "GT", "1", "a"}),
            "ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(Error({"ZADD", "z", "INCR", "1", "a", "2", "b"}),
            "ERR INCR option supports a single increment-element pair");
  EXPECT_EQ(Error({"ZADD", "z", "1", "a", "x", "b"}), "ERR value is not a valid float");
  EXPECT_EQ(Error({"ZADD", "z", "nan", "a"}), "ERR value is not a valid float");
  EXPECT_EQ(Int({"EXISTS", "z"}), 0) << "a bad score anywhere changes nothing";
  EXPECT_EQ(Error({"ZINCRBY", "z", "nx", "a"}), kSyntax) << "ZINCRBY reads ZADD's options too";
  h_.Run({"ZADD", "z", "inf", "a"});
  EXPECT_EQ(Error({"ZINCRBY", "z", "-inf", "a"}), "ERR resulting score is not a number (NaN)");
  EXPECT_EQ(Score({"ZSCORE", "z", "a"}), "inf");
  h_.Run({"SET", "str", "v"});
  EXPECT_EQ(Error({"ZADD", "str", "NX", "XX", "1", "a"}),
            "ERR XX and NX options at the same time are not compatible")
      << "options are checked before the key";
  EXPECT_EQ(Error({"ZADD", "str", "1", "a"}), kWrongType);
}

// Redis 7.2 prints scores in their shortest form (7.0 printed %.17g).
TEST_P(ZSetsTest, ScoresParseAndPrintAsRedis72) {
  h_.Run({"ZADD", "z", "1.702402961162E12", "spring", "0.1", "tenth", "-inf", "low", "+inf", "high",
          "1e-7", "tiny", "0x10", "hex"});
  EXPECT_EQ(Score({"ZSCORE", "z", "spring"}), "1702402961162");
  EXPECT_EQ(Score({"ZSCORE", "z", "tenth"}), "0.1");
  EXPECT_EQ(Score({"ZSCORE", "z", "low"}), "-inf");
  EXPECT_EQ(Score({"ZSCORE", "z", "high"}), "inf");
  EXPECT_EQ(Score({"ZSCORE", "z", "tiny"}), "1e-7");
  EXPECT_EQ(Score({"ZSCORE", "z", "hex"}), "16");
  EXPECT_EQ(Error({"ZADD", "z", "  5", "spaced"}), "ERR value is not a valid float")
      << "a leading space is not a valid float for ZADD";
}

// ------------------------------------------------------------------------------------ ZRANK

TEST_P(ZSetsTest, RankWithScore) {
  h_.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(Int({"ZRANK", "z", "a"}), 0);
  EXPECT_EQ(Int({"ZREVRANK", "z", "a"}), 2);
  EXPECT_EQ(h_.Run({"ZRANK", "z", "nope"}).type, Type::kNull);
  RespValue ws = h_.Run({"ZRANK", "z", "b", "WITHSCORE"});
  ASSERT_EQ(ws.type, Type::kArray);
  ASSERT_EQ(ws.elements.size(), 2u);
  EXPECT_EQ(ws.elements[0].integer, 1);
  EXPECT_EQ(Score(ws.elements[1]), "2");
  EXPECT_EQ(h_.RunRaw({"ZRANK", "z", "nope", "withscore"}), resp3() ? "_\r\n" : "*-1\r\n");
  EXPECT_EQ(h_.RunRaw({"ZREVRANK", "nokey", "a", "WITHSCORE"}), resp3() ? "_\r\n" : "*-1\r\n");
  EXPECT_EQ(Error({"ZRANK", "z", "a", "WITHSCORES"}), kSyntax);
  EXPECT_EQ(Error({"ZRANK", "z", "a", "WITHSCORE", "x"}),
            "ERR wrong number of arguments for 'zrank' command");
}

// ----------------------------------------------------------------------------------- ranges

TEST_P(ZSetsTest, RangeByRank) {
  h_.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
  EXPECT_EQ(Members({"ZRANGE", "z", "0", "-1"}), (Strings{"a", "b", "c", "d"}));
  EXPECT_EQ(Members({"ZRANGE", "z", "1", "2"}), (Strings{"b", "c"}));
  EXPECT_EQ(Members({"ZRANGE", "z", "-2", "100"}), (Strings{"c", "d"}));
  EXPECT_EQ(Members({"ZRANGE", "z", "3", "1"}), Strings{});
  EXPECT_EQ(Members({"ZRANGE", "z", "0", "0", "REV"}), Strings{"d"});
  EXPECT_EQ(Members({"ZREVRANGE", "z", "0", "1"}), (Strings{"d", "c"}));
  EXPECT_EQ(Scored({"ZRANGE", "z", "0", "1", "WITHSCORES"}), (Strings{"a", "1", "b", "2"}));
  EXPECT_EQ(Scored({"ZREVRANGE", "z", "0", "0", "WITHSCORES"}), (Strings{"d", "4"}));
  EXPECT_EQ(Members({"ZRANGE", "nokey", "0", "-1"}), Strings{});
  EXPECT_EQ(Error({"ZRANGE", "z", "a", "1"}), kNotInteger);
  EXPECT_EQ(Error({"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}),
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
            "BYLEX");
  EXPECT_EQ(Members({"ZRANGE", "z", "0", "0", "LIMIT", "0", "-1"}), Strings{"a"})
      << "Redis compares LIMIT's count with its default";
}

TEST_P(ZSetsTest, RangeByScore) {
  h_.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  EXPECT_EQ(Members({"ZRANGEBYSCORE", "z", "2", "4"}), (Strings{"b", "c", "d"}));
  EXPECT_EQ(Members({"ZRANGEBYSCORE", "z", "(2", "(4"}), Strings{"c"});
  EXPECT_EQ(Members({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "2"}),
            (Strings{"b", "c"}));
  EXPECT_EQ(Members({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "4", "-5"}), Strings{"e"});
  EXPECT_EQ(Members({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "5", "1"}), Strings{});
  EXPECT_EQ(Members({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "1"}), Strings{});
  EXPECT_EQ(Members({"ZREVRANGEBYSCORE", "z", "4", "(1"}), (Strings{"d", "c", "b"}));
  EXPECT_EQ(Members({"ZRANGE", "z", "4", "(1", "BYSCORE", "REV", "LIMIT", "1", "1"}), Strings{"c"});
  EXPECT_EQ(Scored({"ZRANGEBYSCORE", "z", "5", "10", "WITHSCORES"}), (Strings{"e", "5"}));
  EXPECT_EQ(Members({"ZRANGEBYSCORE", "z", "3", "2"}), Strings{});
  EXPECT_EQ(Int({"ZCOUNT", "z", "(1", "3"}), 2);
  EXPECT_EQ(Int({"ZCOUNT", "z", "-inf", "inf"}), 5);
  EXPECT_EQ(Int({"ZCOUNT", "nokey", "0", "1"}), 0);
  EXPECT_EQ(Error({"ZRANGEBYSCORE", "z", "a", "2"}), "ERR min or max is not a float");
  EXPECT_EQ(Error({"ZCOUNT", "z", "1", "nan"}), "ERR min or max is not a float");
  EXPECT_EQ(Error({"ZRANGEBYSCORE", "z", "1", "2", "REV"}), kSyntax);
  EXPECT_EQ(Error({"ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "x", "1"}), kNotInteger);
  EXPECT_EQ(Error({"ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "1"}), kSyntax);
  // Redis reads range ends with strtod and no other check: "" and " 2" are numbers there.
  EXPECT_EQ(Int({"ZCOUNT", "z", "", " 2"}), 2);
  EXPECT_EQ(Int({"ZCOUNT", "z", " 2", "3"}), 2);
}

// Spring Session's reactive indexed repository: ZADD with the expiry in ms as a Java double, then
// the cleanup job's ZREVRANGEBYSCORE <now> 0.0 LIMIT 0 100 (spring-session-wire.md section 2.4).
TEST_P(ZSetsTest, SpringSessionExpirationsSet) {
  const std::string key = "spring:session:sessions:expirations";
  EXPECT_EQ(Int({"ZADD", key, "1.702402961162E12", Jdk("s1")}), 1);
  EXPECT_EQ(Int({"ZADD", key, "1.702402962E12", Jdk("s2")}), 1);
  EXPECT_EQ(Int({"ZADD", key, "1.702403E12", Jdk("s3")}), 1);
  EXPECT_EQ(Members({"ZREVRANGEBYSCORE", key, "1702402962500", "0.0", "LIMIT", "0", "100"}),
            (Strings{Jdk("s2"), Jdk("s1")}));
  EXPECT_EQ(Int({"ZREM", key, Jdk("s1")}), 1);
  EXPECT_EQ(Members({"ZREVRANGEBYSCORE", key, "1.702402962500E12", "0.0", "LIMIT", "0", "1"}),
            Strings{Jdk("s2")});
  EXPECT_EQ(Score({"ZSCORE", key, Jdk("s3")}), "1702403000000");
}

TEST_P(ZSetsTest, RangeByLex) {
  h_.Run({"ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"});
  EXPECT_EQ(Members({"ZRANGEBYLEX", "z", "-", "+"}), (Strings{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(Members({"ZRANGEBYLEX", "z", "[b", "(d"}), (Strings{"b", "c"}));
  EXPECT_EQ(Members({"ZRANGEBYLEX", "z", "(a", "+", "LIMIT", "1", "2"}), (Strings{"c", "d"}));
  EXPECT_EQ(Members({"ZREVRANGEBYLEX", "z", "+", "[c"}), (Strings{"e", "d", "c"}));
  EXPECT_EQ(Members({"ZRANGE", "z", "[d", "-", "BYLEX", "REV", "LIMIT", "0", "2"}),
            (Strings{"d", "c"}));
  EXPECT_EQ(Members({"ZRANGEBYLEX", "z", "+", "-"}), Strings{});
  EXPECT_EQ(Int({"ZLEXCOUNT", "z", "[b", "[d"}), 3);
  EXPECT_EQ(Int({"ZLEXCOUNT", "z", "-", "+"}), 5);
  EXPECT_EQ(Error({"ZRANGEBYLEX", "z", "a", "+"}), "ERR min or max not valid string range item");
  EXPECT_EQ(Error({"ZLEXCOUNT", "z", "-x", "+"}), "ERR min or max not valid string range item");
  EXPECT_EQ(Error({"ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"}),
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  EXPECT_EQ(Error({"ZRANGE", "z", "-", "+", "BYLEX", "BYSCORE"}), kSyntax);
}

TEST_P(ZSetsTest, RemoveRanges) {
  h_.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  EXPECT_EQ(Int({"ZREMRANGEBYSCORE", "z", "(1", "2"}), 1);
  EXPECT_EQ(Int({"ZREMRANGEBYRANK", "z", "-1", "-1"}), 1);
  EXPECT_EQ(Members({"ZRANGE", "z", "0", "-1"}), (Strings{"a", "c", "d"}));
  EXPECT_EQ(Int({"ZREMRANGEBYRANK", "z", "5", "10"}), 0);
  EXPECT_EQ(Int({"ZREMRANGEBYRANK", "nokey", "0", "1"}), 0);
  EXPECT_EQ(Error({"ZREMRANGEBYRANK", "z", "x", "1"}), kNotInteger);
  EXPECT_EQ(Error({"ZREMRANGEBYSCORE", "z", "x", "1"}), "ERR min or max is not a float");
  EXPECT_EQ(Error({"ZREMRANGEBYLEX", "z", "x", "+"}), "ERR min or max not valid string range item");
  h_.Run({"ZADD", "l", "0", "a", "0", "b", "0", "c"});
  EXPECT_EQ(Int({"ZREMRANGEBYLEX", "l", "(a", "+"}), 2);
  EXPECT_EQ(Int({"ZREMRANGEBYLEX", "l", "-", "+"}), 1);
  EXPECT_EQ(Int({"EXISTS", "l"}), 0);
  EXPECT_EQ(Int({"ZREMRANGEBYRANK", "z", "0", "-1"}), 3);
  EXPECT_EQ(Int({"EXISTS", "z"}), 0);
}

TEST_P(ZSetsTest, RangeStore) {
  h_.Run({"ZADD", "src", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(Int({"ZRANGESTORE", "dst", "src", "1", "-1"}), 2);
  EXPECT_EQ(Scored({"ZRANGE", "dst", "0", "-1", "WITHSCORES"}), (Strings{"b", "2", "c", "3"}));
  EXPECT_EQ(Int({"ZRANGESTORE", "dst", "src", "(1", "+inf", "BYSCORE", "LIMIT", "0", "1"}), 1);
  EXPECT_EQ(Members({"ZRANGE", "dst", "0", "-1"}), Strings{"b"});
  EXPECT_EQ(Int({"ZRANGESTORE", "dst", "src", "[c", "-", "BYLEX", "REV"}), 3);
  EXPECT_EQ(Encoding("dst"), "listpack");
  h_.Run({"EXPIRE", "dst", "100"});
  EXPECT_EQ(Int({"ZRANGESTORE", "dst", "src", "0", "0"}), 1);
  EXPECT_EQ(Int({"TTL", "dst"}), -1) << "the destination is replaced";
  EXPECT_EQ(Int({"ZRANGESTORE", "dst", "src", "5", "6"}), 0);
  EXPECT_EQ(Int({"EXISTS", "dst"}), 0) << "an empty result deletes the destination";
  EXPECT_EQ(Int({"ZRANGESTORE", "dst", "nokey", "0", "-1"}), 0);
  EXPECT_EQ(Error({"ZRANGESTORE", "dst", "src", "0", "-1", "WITHSCORES"}), kSyntax);
  h_.Run({"SET", "str", "v"});
  EXPECT_EQ(Error({"ZRANGESTORE", "dst", "str", "0", "-1"}), kWrongType);
  EXPECT_EQ(Int({"ZRANGESTORE", "str", "src", "0", "-1"}), 3) << "any destination type";
  EXPECT_EQ(h_.Run({"TYPE", "str"}).str, "zset");
}

// ------------------------------------------------------------------------------------- pops

TEST_P(ZSetsTest, PopMinMax) {
  h_.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(h_.Run({"ZPOPMIN", "z"}).elements.size(), 2u);
  RespValue flat = h_.Run({"ZPOPMAX", "z"});
  ASSERT_EQ(flat.elements.size(), 2u) << "a single pop is flat in both protocols";
  EXPECT_EQ(flat.elements[0].str, "c");
  EXPECT_EQ(Score(flat.elements[1]), "3");
  h_.Run({"ZADD", "z", "4", "d", "5", "e"});
  EXPECT_EQ(Scored({"ZPOPMAX", "z", "2"}), (Strings{"e", "5", "d", "4"}));
  EXPECT_EQ(Scored({"ZPOPMIN", "z", "10"}), (Strings{"b", "2"}));
  EXPECT_EQ(Int({"EXISTS", "z"}), 0);
  EXPECT_EQ(h_.RunRaw({"ZPOPMIN", "nokey"}), "*0\r\n");
  EXPECT_EQ(h_.RunRaw({"ZPOPMIN", "nokey", "2"}), "*0\r\n");
  h_.Run({"ZADD", "z", "1", "a"});
  EXPECT_EQ(h_.RunRaw({"ZPOPMIN", "z", "0"}), "*0\r\n");
  EXPECT_EQ(Error({"ZPOPMIN", "z", "-1"}), "ERR value is out of range, must be positive");
  EXPECT_EQ(Error({"ZPOPMIN", "z", "x"}), "ERR value is out of range, must be positive");
  EXPECT_EQ(Error({"ZPOPMIN", "z", "1", "2"}), kSyntax);
}

TEST_P(ZSetsTest, MPop) {
  h_.Run({"ZADD", "b", "1", "x", "2", "y"});
  RespValue v = h_.Run({"ZMPOP", "2", "nokey", "b", "MAX", "COUNT", "5"});
  ASSERT_EQ(v.elements.size(), 2u);
  EXPECT_EQ(v.elements[0].str, "b");
  ASSERT_EQ(v.elements[1].elements.size(), 2u);
  EXPECT_EQ(v.elements[1].elements[0].elements.at(0).str, "y");
  EXPECT_EQ(Score(v.elements[1].elements[0].elements.at(1)), "2");
  EXPECT_EQ(Int({"EXISTS", "b"}), 0);
  EXPECT_EQ(h_.RunRaw({"ZMPOP", "1", "b", "MIN"}), resp3() ? "_\r\n" : "*-1\r\n");
  EXPECT_EQ(Error({"ZMPOP", "0", "b", "MIN"}), "ERR numkeys should be greater than 0");
  EXPECT_EQ(Error({"ZMPOP", "2", "b", "MIN"}), kSyntax);
  EXPECT_EQ(Error({"ZMPOP", "1", "b", "MID"}), kSyntax);
  EXPECT_EQ(Error({"ZMPOP", "1", "b", "MIN", "COUNT", "0"}), "ERR count should be greater than 0");
  EXPECT_EQ(Error({"ZMPOP", "1", "b", "MIN", "COUNT", "1", "COUNT", "1"}), kSyntax);
}

// ------------------------------------------------------------------------------ ZRANDMEMBER

TEST_P(ZSetsTest, RandMember) {
  EXPECT_EQ(h_.Run({"ZRANDMEMBER", "nokey"}).type, Type::kNull);
  EXPECT_EQ(h_.RunRaw({"ZRANDMEMBER", "nokey", "3"}), "*0\r\n");
  h_.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(h_.Run({"ZRANDMEMBER", "z"}).type, Type::kBulk);
  EXPECT_EQ(Members({"ZRANDMEMBER", "z", "10"}), (Strings{"c", "b", "a"}))
      << "at least the whole set: every member, from the highest down";
  EXPECT_EQ(Members({"ZRANDMEMBER", "z", "-7"}).size(), 7u);
  Strings two = Members({"ZRANDMEMBER", "z", "2"});
  EXPECT_EQ(std::set<std::string>(two.begin(), two.end()).size(), 2u);
  EXPECT_EQ(Scored({"ZRANDMEMBER", "z", "-2", "WITHSCORES"}).size(), 4u);
  EXPECT_EQ(Scored({"ZRANDMEMBER", "z", "5", "WITHSCORES"}),
            (Strings{"c", "3", "b", "2", "a", "1"}));
  EXPECT_EQ(h_.RunRaw({"ZRANDMEMBER", "z", "0", "WITHSCORES"}), "*0\r\n");
  EXPECT_EQ(Error({"ZRANDMEMBER", "z", "x"}), kNotInteger);
  EXPECT_EQ(Error({"ZRANDMEMBER", "z", "x", "y", "z"}), kNotInteger) << "count comes first";
  EXPECT_EQ(Error({"ZRANDMEMBER", "z", "1", "WITHSCORE"}), kSyntax);
  EXPECT_EQ(Error({"ZRANDMEMBER", "z", "-9223372036854775808"}),
            "ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  EXPECT_EQ(Error({"ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"}),
            "ERR value is out of range");
}

// ------------------------------------------------------------------------------------ algebra

TEST_P(ZSetsTest, Algebra) {
  h_.Run({"ZADD", "a", "1", "x", "2", "y", "3", "z"});
  h_.Run({"ZADD", "b", "10", "y", "20", "z", "30", "w"});
  h_.Run({"SADD", "s", "x", "w"});
  EXPECT_EQ(Scored({"ZUNION", "3", "a", "b", "s", "WITHSCORES"}),
            (Strings{"x", "2", "y", "12", "z", "23", "w", "31"}));
  EXPECT_EQ(
      Scored({"ZINTER", "2", "a", "b", "WEIGHTS", "2", "0.5", "AGGREGATE", "MAX", "WITHSCORES"}),
      (Strings{"y", "5", "z", "10"}));
  EXPECT_EQ(Members({"ZDIFF", "2", "a", "b"}), Strings{"x"});
  EXPECT_EQ(Members({"ZINTER", "2", "a", "nokey"}), Strings{});
  EXPECT_EQ(Int({"ZINTERCARD", "2", "a", "b"}), 2);
  EXPECT_EQ(Int({"ZINTERCARD", "2", "a", "b", "LIMIT", "1"}), 1);
  EXPECT_EQ(Int({"ZUNIONSTORE", "d", "2", "a", "b", "AGGREGATE", "MIN"}), 4);
  EXPECT_EQ(Scored({"ZRANGE", "d", "0", "-1", "WITHSCORES"}),
            (Strings{"x", "1", "y", "2", "z", "3", "w", "30"}));
  EXPECT_EQ(Int({"ZINTERSTORE", "d", "2", "a", "s"}), 1);
  EXPECT_EQ(Int({"ZDIFFSTORE", "d", "2", "a", "a"}), 0);
  EXPECT_EQ(Int({"EXISTS", "d"}), 0);
  EXPECT_EQ(Error({"ZUNION", "0", "a"}), "ERR at least 1 input key is needed for 'zunion' command");
  EXPECT_EQ(Error({"ZUNIONSTORE", "d", "0", "a"}),
            "ERR at least 1 input key is needed for 'zunionstore' command");
  EXPECT_EQ(Error({"ZINTERCARD", "x", "a"}), kNotInteger);
  EXPECT_EQ(Error({"ZUNION", "3", "a", "b"}), kSyntax);
  EXPECT_EQ(Error({"ZUNION", "2", "a", "b", "WEIGHTS", "1", "x"}),
            "ERR weight value is not a float");
  EXPECT_EQ(Error({"ZUNION", "2", "a", "b", "WEIGHTS", "1"}), kSyntax);
  EXPECT_EQ(Error({"ZUNION", "2", "a", "b", "AGGREGATE", "AVG"}), kSyntax);
  EXPECT_EQ(Error({"ZDIFF", "2", "a", "b", "WEIGHTS", "1", "1"}), kSyntax);
  EXPECT_EQ(Error({"ZUNIONSTORE", "d", "2", "a", "b", "WITHSCORES"}), kSyntax);
  EXPECT_EQ(Error({"ZINTERCARD", "2", "a", "b", "LIMIT", "-1"}), "ERR LIMIT can't be negative");
  h_.Run({"SET", "str", "v"});
  EXPECT_EQ(Error({"ZUNION", "2", "nokey", "str", "AGGREGATE", "AVG"}), kWrongType)
      << "keys are looked up before the options are read";
}

// -------------------------------------------------------------------------------------- ZSCAN

TEST_P(ZSetsTest, Scan) {
  h_.Run({"ZADD", "small", "1.5", "a", "0.1", "b"});
  EXPECT_EQ(h_.RunRaw({"ZSCAN", "small", "0"}),
            "*2\r\n$1\r\n0\r\n*4\r\n$1\r\nb\r\n$3\r\n0.1\r\n$1\r\na\r\n$3\r\n1.5\r\n");
  for (int i = 0; i < 300; ++i)
    h_.Run({"ZADD", "big", std::to_string(i) + ".1", "m" + std::to_string(i)});
  EXPECT_EQ(Encoding("big"), "skiplist");
  std::set<std::string> found;
  std::string cursor = "0";
  int calls = 0;
  do {
    RespValue v = h_.Run({"ZSCAN", "big", cursor, "COUNT", "20"});
    ASSERT_EQ(v.type, Type::kArray);
    cursor = v.elements[0].str;
    const auto& items = v.elements[1].elements;
    for (size_t i = 0; i + 1 < items.size(); i += 2) {
      found.insert(items[i].str);
      if (items[i].str == "m1") {
        EXPECT_EQ(items[i + 1].str, "1.1000000000000001") << "a skiplist prints %.17Lg";
      }
    }
    ++calls;
  } while (cursor != "0");
  EXPECT_EQ(found.size(), 300u);
  EXPECT_GT(calls, 1);
  RespValue match = h_.Run({"ZSCAN", "big", "0", "MATCH", "m1?", "COUNT", "1000"});
  EXPECT_EQ(match.elements[1].elements.size(), 20u);
  EXPECT_EQ(Error({"ZSCAN", "big", "x"}), "ERR invalid cursor");
  EXPECT_EQ(Error({"ZSCAN", "big", "0", "COUNT", "0"}), kSyntax);
  EXPECT_EQ(h_.RunRaw({"ZSCAN", "nokey", "0", "COUNT", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
}

// ------------------------------------------------------------------------- types and encodings

TEST_P(ZSetsTest, WrongTypeEverywhere) {
  h_.Run({"SET", "str", "v"});
  h_.Run({"ZADD", "z", "1", "a"});
  for (const Strings& args : std::vector<Strings>{{"ZADD", "str", "1", "a"},
                                                  {"ZINCRBY", "str", "1", "a"},
                                                  {"ZREM", "str", "a"},
                                                  {"ZSCORE", "str", "a"},
                                                  {"ZMSCORE", "str", "a"},
                                                  {"ZCARD", "str"},
                                                  {"ZRANK", "str", "a"},
                                                  {"ZREVRANK", "str", "a", "WITHSCORE"},
                                                  {"ZCOUNT", "str", "0", "1"},
                                                  {"ZLEXCOUNT", "str", "-", "+"},
                                                  {"ZRANGE", "str", "0", "1"},
                                                  {"ZRANGEBYSCORE", "str", "0", "1"},
                                                  {"ZREVRANGEBYLEX", "str", "+", "-"},
                                                  {"ZREMRANGEBYRANK", "str", "0", "1"},
                                                  {"ZREMRANGEBYSCORE", "str", "0", "1"},
                                                  {"ZREMRANGEBYLEX", "str", "-", "+"},
                                                  {"ZPOPMIN", "str"},
                                                  {"ZPOPMAX", "str", "2"},
                                                  {"ZMPOP", "2", "nokey", "str", "MIN"},
                                                  {"ZRANDMEMBER", "str"},
                                                  {"ZRANDMEMBER", "str", "2"},
                                                  {"ZUNION", "2", "z", "str"},
                                                  {"ZINTERSTORE", "d", "2", "z", "str"},
                                                  {"ZINTERCARD", "1", "str"},
                                                  {"ZSCAN", "str", "0"},
                                                  {"SADD", "z", "a"},
                                                  {"GET", "z"}}) {
    EXPECT_EQ(Error(args), kWrongType) << args[0];
  }
  EXPECT_EQ(Int({"ZCARD", "z"}), 1);
}

TEST_P(ZSetsTest, EncodingsFollowConfig) {
  h_.Run({"ZADD", "z", "1", "a"});
  EXPECT_EQ(Encoding("z"), "listpack");
  ASSERT_TRUE(h_.config().Set({{"zset-max-listpack-entries", "2"}}).ok());
  h_.Run({"ZADD", "z", "2", "b"});
  EXPECT_EQ(Encoding("z"), "listpack");
  h_.Run({"ZADD", "z", "3", "c"});
  EXPECT_EQ(Encoding("z"), "skiplist");
  ASSERT_TRUE(h_.config().Set({{"zset-max-listpack-value", "3"}}).ok());
  h_.Run({"ZADD", "v", "1", "abc"});
  EXPECT_EQ(Encoding("v"), "listpack");
  h_.Run({"ZADD", "v", "1", "abcd"});
  EXPECT_EQ(Encoding("v"), "skiplist");
  EXPECT_EQ(h_.Run({"CONFIG", "GET", "zset-max-listpack-*"}).elements.size(), 4u);
}

// Redis 7.2 picks the encoding from ZADD's pair count (duplicates included), even under XX.
TEST_P(ZSetsTest, AddSizesTheEncodingFromItsArguments) {
  Strings many = {"ZADD", "dups"};
  for (int i = 0; i < 129; ++i) {
    many.push_back("1");
    many.push_back("same");
  }
  EXPECT_EQ(Int(many), 1);
  EXPECT_EQ(Encoding("dups"), "skiplist");
  h_.Run({"ZADD", "x", "1", "same"});
  many[1] = "x";
  many.insert(many.begin() + 2, "XX");
  EXPECT_EQ(Int(many), 0);
  EXPECT_EQ(Encoding("x"), "skiplist");
  h_.Run({"ZADD", "long", "1", std::string(65, 'l'), "2", "short"});
  EXPECT_EQ(Encoding("long"), "skiplist");
}

TEST_P(ZSetsTest, StoreResultsShrinkToListpack) {
  for (int i = 0; i < 200; ++i) h_.Run({"ZADD", "big", std::to_string(i), "m" + std::to_string(i)});
  EXPECT_EQ(Encoding("big"), "skiplist");
  h_.Run({"ZRANGESTORE", "part", "big", "0", "127"});
  EXPECT_EQ(Encoding("part"), "listpack");
  h_.Run({"ZRANGESTORE", "part", "big", "0", "128"});
  EXPECT_EQ(Encoding("part"), "skiplist");
  h_.Run({"ZREMRANGEBYRANK", "big", "10", "-1"});
  EXPECT_EQ(Encoding("big"), "skiplist") << "removals never convert back";
  EXPECT_EQ(Int({"ZUNIONSTORE", "u", "1", "big"}), 10);
  EXPECT_EQ(Encoding("u"), "listpack");
  h_.Run({"ZADD", "long", "1", std::string(65, 'l')});
  h_.Run({"ZUNIONSTORE", "u", "2", "big", "long"});
  EXPECT_EQ(Encoding("u"), "skiplist");
}

TEST_P(ZSetsTest, GenericCommandsOnSortedSets) {
  for (int i = 0; i < 150; ++i) h_.Run({"ZADD", "big", std::to_string(i), "m" + std::to_string(i)});
  h_.Run({"ZADD", "small", "1", "a", "2", "b"});
  EXPECT_EQ(h_.Run({"TYPE", "big"}).str, "zset");
  EXPECT_EQ(Int({"COPY", "big", "big2"}), 1);
  EXPECT_EQ(Int({"COPY", "small", "small2"}), 1);
  EXPECT_EQ(Encoding("big2"), "skiplist");
  EXPECT_EQ(Encoding("small2"), "listpack");
  h_.Run({"ZADD", "big2", "1000", "extra"});
  EXPECT_EQ(Int({"ZCARD", "big"}), 150) << "COPY duplicates the set";
  EXPECT_EQ(Int({"ZCARD", "big2"}), 151);
  EXPECT_EQ(Int({"ZRANK", "big2", "m149"}), 149);
  EXPECT_EQ(h_.Run({"RENAME", "small2", "r"}).str, "OK");
  EXPECT_EQ(Members({"ZRANGE", "r", "0", "-1"}), (Strings{"a", "b"}));
  const int64_t big_usage = Int({"MEMORY", "USAGE", "big"});
  const int64_t small_usage = Int({"MEMORY", "USAGE", "small"});
  EXPECT_GT(big_usage, small_usage);
  EXPECT_GT(big_usage, 150 * 8);
  RespValue scan = h_.Run({"SCAN", "0", "TYPE", "zset", "COUNT", "100"});
  std::vector<std::string> keys;
  for (const RespValue& k : scan.elements[1].elements) keys.push_back(k.str);
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()),
            (std::set<std::string>{"big", "big2", "small", "r"}));
}

TEST_P(ZSetsTest, MovableKeys) {
  auto keys = [&](const Strings& args) {
    Strings full = {"COMMAND", "GETKEYS"};
    full.insert(full.end(), args.begin(), args.end());
    return Members(full);
  };
  EXPECT_EQ(keys({"ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"}),
            (Strings{"d", "a", "b"}));
  EXPECT_EQ(keys({"ZINTER", "2", "a", "b", "WITHSCORES"}), (Strings{"a", "b"}));
  EXPECT_EQ(keys({"ZINTERCARD", "1", "a", "LIMIT", "1"}), Strings{"a"});
  EXPECT_EQ(keys({"ZMPOP", "2", "a", "b", "MIN"}), (Strings{"a", "b"}));
  EXPECT_EQ(keys({"ZRANGESTORE", "d", "s", "0", "1"}), (Strings{"d", "s"}));
  EXPECT_EQ(Error({"COMMAND", "GETKEYS", "ZUNION", "5", "a"}),
            "ERR Invalid arguments specified for command");
}

}  // namespace
}  // namespace sessionkv::testing

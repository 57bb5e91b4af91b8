// SPDX-License-Identifier: Apache-2.0
// The string family in process (server/commands/strings.cc): replies, error texts and their order,
// and deadlines checked to the millisecond with the FakeClock. Decoded checks run under RESP2 and
// RESP3; the byte-exact RESP3 shapes have their own tests. tests/integration/test_strings.py covers
// the same commands through real clients and against Redis itself.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

using protocol::RespValue;
using protocol::RespVersion;
using Type = protocol::RespValue::Type;

constexpr char kWrongArgsGet[] = "-ERR wrong number of arguments for 'get' command\r\n";
constexpr char kSyntax[] = "-ERR syntax error\r\n";
constexpr char kNotInteger[] = "-ERR value is not an integer or out of range\r\n";
constexpr char kNotFloat[] = "-ERR value is not a valid float\r\n";
constexpr char kOverflow[] = "-ERR increment or decrement would overflow\r\n";
constexpr char kTooBig[] = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";

class StringsTest : public ::testing::TestWithParam<RespVersion> {
 protected:
  StringsTest() : h_(GetParam()) {}

  // The reply as a bulk string; fails the test for any other reply type.
  std::string Bulk(const std::vector<std::string>& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kBulk) << v.ToString();
    return v.str;
  }
  int64_t Int(const std::vector<std::string>& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kInteger) << v.ToString();
    return v.integer;
  }
  bool IsNull(const std::vector<std::string>& args) { return h_.Run(args).type == Type::kNull; }
  std::string Error(const std::vector<std::string>& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kError) << v.ToString();
    return v.str;
  }

  CommandHarness h_;
};

INSTANTIATE_TEST_SUITE_P(Resp, StringsTest,
                         ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) {
                           return info.param == RespVersion::kResp2 ? "Resp2" : "Resp3";
                         });

// --------------------------------------------------------------------------------- GET SET options

TEST_P(StringsTest, SetGetBinaryAndEmpty) {
  const std::string jdk("\xac\xed\x00\x05t\x00\x02\r\n", 10);
  EXPECT_EQ(h_.Run({"SET", "k", jdk}).str, "OK");
  EXPECT_EQ(Bulk({"GET", "k"}), jdk);
  EXPECT_EQ(h_.Run({"SET", "e", ""}).str, "OK");
  EXPECT_EQ(Bulk({"GET", "e"}), "");
  EXPECT_EQ(Int({"STRLEN", "e"}), 0);
  EXPECT_TRUE(IsNull({"GET", "missing"}));
  EXPECT_EQ(h_.RunRaw({"GET"}), kWrongArgsGet);
}

TEST_P(StringsTest, SetConditionsAndGet) {
  EXPECT_TRUE(IsNull({"SET", "k", "v1", "XX"}));
  EXPECT_EQ(h_.Run({"SET", "k", "v1", "NX"}).str, "OK");
  EXPECT_TRUE(IsNull({"SET", "k", "v2", "NX"}));
  EXPECT_EQ(Bulk({"SET", "k", "v2", "NX", "GET"}), "v1") << "NX GET answers the old value";
  EXPECT_EQ(Bulk({"GET", "k"}), "v1");
  EXPECT_EQ(Bulk({"SET", "k", "v3", "XX", "GET"}), "v1");
  EXPECT_EQ(Bulk({"GETSET", "k", "v4"}), "v3");
  EXPECT_TRUE(IsNull({"SET", "new", "x", "GET"}));
  EXPECT_EQ(Bulk({"GET", "new"}), "x");
  EXPECT_EQ(Int({"SETNX", "new", "y"}), 0);
  EXPECT_EQ(Int({"SETNX", "other", "y"}), 1);
}

TEST_P(StringsTest, SetOptionErrors) {
  const std::vector<std::vector<std::string>> bad = {{"NX", "XX"},
                                                     {"XX", "NX"},
                                                     {"EX", "1", "PX", "1"},
                                                     {"KEEPTTL", "EX", "1"},
                                                     {"PXAT", "1", "KEEPTTL"},
                                                     {"EXAT", "1", "PXAT", "1"},
                                                     {"PERSIST"},
                                                     {"EX"},
                                                     {"FOO"},
                                                     {"EX", "abc", "PX", "1"}};
  for (const std::vector<std::string>& opts : bad) {
    std::vector<std::string> cmd = {"SET", "k", "v"};
    cmd.insert(cmd.end(), opts.begin(), opts.end());
    EXPECT_EQ(h_.RunRaw(cmd), kSyntax) << cmd[3];
  }
  EXPECT_EQ(h_.RunRaw({"SET", "k", "v", "EX", "abc"}), kNotInteger);
  EXPECT_EQ(Error({"SET", "k", "v", "PX", "0"}), "ERR invalid expire time in 'set' command");
  EXPECT_EQ(Error({"SETEX", "k", "-1", "v"}), "ERR invalid expire time in 'setex' command");
  EXPECT_EQ(Error({"PSETEX", "k", "0", "v"}), "ERR invalid expire time in 'psetex' command");
  EXPECT_EQ(Error({"SET", "k", "v", "EX", "9223372036854775"}),
            "ERR invalid expire time in 'set' command")
      << "seconds fit in ms but adding now overflows";
  EXPECT_EQ(Error({"SET", "k", "v", "EXAT", "9223372036854776"}),
            "ERR invalid expire time in 'set' command")
      << "seconds overflow in ms";
  EXPECT_TRUE(IsNull({"GET", "k"}));
}

TEST_P(StringsTest, ExpireTimeIsCheckedBeforeConditions) {
  h_.Run({"SET", "k", "v"});
  EXPECT_EQ(Error({"SET", "k", "v2", "NX", "GET", "EX", "0"}),
            "ERR invalid expire time in 'set' command");
  EXPECT_EQ(Bulk({"GET", "k"}), "v");
}

// --------------------------------------------------------------------------- deadlines (FakeClock)

TEST_P(StringsTest, SetDeadlinesToTheMillisecond) {
  const int64_t now = h_.clock().NowMs();
  h_.Run({"SET", "ex", "v", "EX", "10"});
  h_.Run({"SET", "px", "v", "PX", "1500"});
  h_.Run({"SET", "exat", "v", "EXAT", std::to_string(now / 1000 + 100)});
  h_.Run({"SET", "pxat", "v", "PXAT", std::to_string(now + 2500)});
  h_.Run({"SETEX", "setex", "20", "v"});
  h_.Run({"PSETEX", "psetex", "700", "v"});
  EXPECT_EQ(Int({"PTTL", "ex"}), 10000);
  EXPECT_EQ(Int({"PTTL", "px"}), 1500);
  EXPECT_EQ(Int({"PEXPIRETIME", "exat"}), (now / 1000 + 100) * 1000);
  EXPECT_EQ(Int({"PTTL", "pxat"}), 2500);
  EXPECT_EQ(Int({"PTTL", "setex"}), 20000);
  EXPECT_EQ(Int({"PTTL", "psetex"}), 700);

  // A key lives while now <= deadline (Redis expires it when now > deadline).
  h_.clock().Advance(1500);
  EXPECT_EQ(Bulk({"GET", "px"}), "v");
  h_.clock().Advance(1);
  EXPECT_TRUE(IsNull({"GET", "px"}));
  EXPECT_TRUE(IsNull({"GET", "psetex"}));
  EXPECT_EQ(Int({"PTTL", "ex"}), 8499);
}

TEST_P(StringsTest, WritesKeepOrClearTheDeadline) {
  for (const char* key :
       {"keep", "plain", "get", "getset", "mset", "incr", "float", "append", "setrange"}) {
    h_.Run({"SET", key, "1", "PX", "5000"});
  }
  h_.Run({"SET", "keep", "2", "KEEPTTL"});
  h_.Run({"SET", "plain", "2"});
  h_.Run({"SET", "get", "2", "GET"});
  h_.Run({"GETSET", "getset", "2"});
  h_.Run({"MSET", "mset", "2"});
  h_.Run({"INCR", "incr"});
  h_.Run({"INCRBYFLOAT", "float", "0.5"});
  h_.Run({"APPEND", "append", "x"});
  h_.Run({"SETRANGE", "setrange", "0", "9"});
  for (const char* key : {"keep", "incr", "float", "append", "setrange"}) {
    EXPECT_EQ(Int({"PTTL", key}), 5000) << key;
  }
  for (const char* key : {"plain", "get", "getset", "mset"}) {
    EXPECT_EQ(Int({"PTTL", key}), -1) << key;
  }
  h_.clock().Advance(5001);
  EXPECT_EQ(h_.ExpireDue(), 5u) << "a cleared deadline must leave the expiry index";
  EXPECT_EQ(Int({"EXISTS", "plain", "get", "getset", "mset"}), 4);
}

TEST_P(StringsTest, SetAtAPastTimeLeavesNoKey) {
  h_.Run({"SET", "k", "v", "PXAT", std::to_string(h_.clock().NowMs() - 1)});
  EXPECT_TRUE(IsNull({"GET", "k"}));
  EXPECT_EQ(Int({"EXISTS", "k"}), 0);
}

TEST_P(StringsTest, GetEx) {
  EXPECT_TRUE(IsNull({"GETEX", "missing", "EX", "0"})) << "the key is looked up first";
  EXPECT_EQ(h_.RunRaw({"GETEX", "missing", "FOO"}), kSyntax) << "syntax comes before the lookup";
  h_.Run({"SET", "k", "v"});
  EXPECT_EQ(Bulk({"GETEX", "k", "PX", "300"}), "v");
  EXPECT_EQ(Int({"PTTL", "k"}), 300);
  EXPECT_EQ(Bulk({"GETEX", "k"}), "v");
  EXPECT_EQ(Int({"PTTL", "k"}), 300);
  EXPECT_EQ(Bulk({"GETEX", "k", "PERSIST"}), "v");
  EXPECT_EQ(Int({"PTTL", "k"}), -1);
  EXPECT_EQ(Bulk({"GETEX", "k", "EX", "5", "EX", "7"}), "v");
  EXPECT_EQ(Int({"PTTL", "k"}), 7000);
  EXPECT_EQ(h_.RunRaw({"GETEX", "k", "PERSIST", "EX", "1"}), kSyntax);
  EXPECT_EQ(h_.RunRaw({"GETEX", "k", "KEEPTTL"}), kSyntax);
  EXPECT_EQ(Error({"GETEX", "k", "EXAT", "0"}), "ERR invalid expire time in 'getex' command");
  EXPECT_EQ(Bulk({"GETEX", "k", "PXAT", std::to_string(h_.clock().NowMs())}), "v");
  EXPECT_EQ(Int({"EXISTS", "k"}), 0) << "a deadline that is already due deletes the key";
}

TEST_P(StringsTest, GetDel) {
  h_.Run({"SET", "k", "v"});
  EXPECT_EQ(Bulk({"GETDEL", "k"}), "v");
  EXPECT_TRUE(IsNull({"GETDEL", "k"}));
  EXPECT_EQ(Int({"EXISTS", "k"}), 0);
}

// -------------------------------------------------------------------------------- MGET MSET MSETNX

TEST_P(StringsTest, MultiKey) {
  EXPECT_EQ(h_.Run({"MSET", "a", "1", "b", "2", "a", "3"}).str, "OK");
  RespValue v = h_.Run({"MGET", "a", "missing", "b"});
  ASSERT_EQ(v.type, Type::kArray);
  ASSERT_EQ(v.elements.size(), 3u);
  EXPECT_EQ(v.elements[0].str, "3");
  EXPECT_EQ(v.elements[1].type, Type::kNull);
  EXPECT_EQ(v.elements[2].str, "2");
  EXPECT_EQ(Int({"MSETNX", "c", "1", "a", "9"}), 0);
  EXPECT_EQ(Int({"EXISTS", "c"}), 0);
  EXPECT_EQ(Int({"MSETNX", "c", "1", "c", "2"}), 1);
  EXPECT_EQ(Bulk({"GET", "c"}), "2");
  EXPECT_EQ(Error({"MSET", "a", "1", "b"}), "ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(Error({"MSETNX", "x", "1", "y"}), "ERR wrong number of arguments for 'msetnx' command");
}

// -------------------------------------------------------------- APPEND SETRANGE GETRANGE encodings

TEST_P(StringsTest, AppendAndSetRange) {
  EXPECT_EQ(Int({"APPEND", "k", ""}), 0);
  EXPECT_EQ(Int({"EXISTS", "k"}), 1);
  EXPECT_EQ(Int({"APPEND", "k", std::string("a\0b", 3)}), 3);
  EXPECT_EQ(Int({"SETRANGE", "k", "5", "xy"}), 7);
  EXPECT_EQ(Bulk({"GET", "k"}), std::string("a\0b\0\0xy", 7));
  EXPECT_EQ(Int({"SETRANGE", "k", "1", "Z"}), 7);
  EXPECT_EQ(Bulk({"GET", "k"}), std::string("aZb\0\0xy", 7));
  EXPECT_EQ(Int({"SETRANGE", "missing", "10", ""}), 0);
  EXPECT_EQ(Int({"EXISTS", "missing"}), 0);
  EXPECT_EQ(Int({"SETRANGE", "k", "100", ""}), 7);
  EXPECT_EQ(Error({"SETRANGE", "k", "-1", "x"}), "ERR offset is out of range");
  EXPECT_EQ(h_.RunRaw({"SETRANGE", "k", "536870912", "x"}), kTooBig);
  EXPECT_EQ(h_.RunRaw({"SETRANGE", "k", "9223372036854775807", "x"}), kTooBig);
}

TEST_P(StringsTest, BulkLimitFollowsConfig) {
  ASSERT_TRUE(h_.config().Set({{"proto-max-bulk-len", "1mb"}}).ok());
  constexpr int64_t kLimit = 1024 * 1024;
  EXPECT_EQ(Int({"SETRANGE", "k", std::to_string(kLimit - 1), "x"}), kLimit);
  EXPECT_EQ(h_.RunRaw({"APPEND", "k", "y"}), kTooBig);
  EXPECT_EQ(Int({"APPEND", "k", ""}), kLimit);
  EXPECT_EQ(h_.RunRaw({"SETRANGE", "other", std::to_string(kLimit), "x"}), kTooBig);
  h_.Run({"SET", "a", std::string(600, 'x')});
  EXPECT_EQ(Error({"LCS", "a", "a", "LEN"}),
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
}

TEST_P(StringsTest, GetRange) {
  h_.Run({"SET", "s", "Hello World"});
  struct Case {
    const char* start;
    const char* end;
    const char* want;
  };
  for (const Case& c : {Case{"0", "4", "Hello"}, Case{"-5", "-1", "World"}, Case{"-1", "-5", ""},
                        Case{"5", "3", ""}, Case{"0", "100", "Hello World"},
                        Case{"-100", "-50", "H"}, Case{"0", "-100", "H"}, Case{"100", "200", ""},
                        Case{"-9223372036854775808", "9223372036854775807", "Hello World"}}) {
    EXPECT_EQ(Bulk({"GETRANGE", "s", c.start, c.end}), c.want) << c.start << " " << c.end;
    EXPECT_EQ(Bulk({"SUBSTR", "s", c.start, c.end}), c.want) << c.start << " " << c.end;
  }
  EXPECT_EQ(Bulk({"GETRANGE", "missing", "0", "-1"}), "");
  h_.Run({"SET", "e", ""});
  EXPECT_EQ(Bulk({"GETRANGE", "e", "0", "-1"}), "");
  EXPECT_EQ(h_.RunRaw({"GETRANGE", "s", "0", "x"}), kNotInteger);
}

TEST_P(StringsTest, ObjectEncodingAfterEdits) {
  h_.Run({"SET", "int", "123"});
  h_.Run({"APPEND", "new", "abc"});
  h_.Run({"SET", "appended", "abc"});
  h_.Run({"APPEND", "appended", "d"});
  h_.Run({"SETRANGE", "ranged", "0", "abc"});
  h_.Run({"SET", "untouched", "abc"});
  h_.Run({"SETRANGE", "untouched", "0", ""});
  h_.Run({"SET", "counter", "abc"});
  h_.Run({"SET", "counter", "41"});
  h_.Run({"APPEND", "counter", "0"});
  h_.Run({"INCR", "counter"});
  EXPECT_EQ(Bulk({"OBJECT", "ENCODING", "int"}), "int");
  EXPECT_EQ(Bulk({"OBJECT", "ENCODING", "new"}), "embstr");
  EXPECT_EQ(Bulk({"OBJECT", "ENCODING", "appended"}), "raw");
  EXPECT_EQ(Bulk({"OBJECT", "ENCODING", "ranged"}), "raw");
  EXPECT_EQ(Bulk({"OBJECT", "ENCODING", "untouched"}), "embstr");
  EXPECT_EQ(Bulk({"OBJECT", "ENCODING", "counter"}), "int") << "INCR stores a fresh value";
  EXPECT_EQ(Bulk({"GET", "counter"}), "411");
}

// ---------------------------------------------------------------------------------------- counters

TEST_P(StringsTest, IncrDecrEdges) {
  EXPECT_EQ(Int({"INCR", "n"}), 1);
  EXPECT_EQ(Int({"DECRBY", "n", "3"}), -2);
  EXPECT_EQ(Int({"INCRBY", "n", "9223372036854775807"}), 9223372036854775805);
  EXPECT_EQ(Int({"INCRBY", "n", "2"}), INT64_MAX);
  EXPECT_EQ(h_.RunRaw({"INCR", "n"}), kOverflow);
  h_.Run({"SET", "m", "-9223372036854775808"});
  EXPECT_EQ(h_.RunRaw({"DECR", "m"}), kOverflow);
  EXPECT_EQ(Error({"DECRBY", "m", "-9223372036854775808"}), "ERR decrement would overflow");
  EXPECT_EQ(Int({"INCRBY", "m", "9223372036854775807"}), -1);
  for (const char* bad : {"01", " 1", "1 ", "+1", "-0", "1.0", "", "9223372036854775808"}) {
    h_.Run({"SET", "s", bad});
    EXPECT_EQ(h_.RunRaw({"INCR", "s"}), kNotInteger) << "'" << bad << "'";
    EXPECT_EQ(h_.RunRaw({"INCRBY", "n", bad}), kNotInteger) << "'" << bad << "'";
  }
  EXPECT_EQ(Bulk({"GET", "n"}), "9223372036854775807");
}

TEST_P(StringsTest, IncrByFloat) {
  struct Case {
    const char* start;  // nullptr: the key is missing
    const char* incr;
    const char* want;
  };
  for (const Case& c :
       {Case{nullptr, "0.1", "0.1"}, Case{"0.1", "0.2", "0.3"}, Case{"10.50", "0.1", "10.6"},
        Case{nullptr, "3.0e3", "3000"}, Case{"5", "-5", "0"}, Case{nullptr, "-0.0", "0"},
        Case{nullptr, "1.23456789012345678901", "1.23456789012345679"},
        Case{"9223372036854775807", "1", "9223372036854775808"}, Case{nullptr, "1e-20", "0"}}) {
    h_.Run({"DEL", "f"});
    if (c.start != nullptr) h_.Run({"SET", "f", c.start});
    EXPECT_EQ(Bulk({"INCRBYFLOAT", "f", c.incr}), c.want) << c.incr;
    EXPECT_EQ(Bulk({"GET", "f"}), c.want);
  }
  EXPECT_EQ(Error({"INCRBYFLOAT", "f", "inf"}), "ERR increment would produce NaN or Infinity");
  EXPECT_EQ(h_.RunRaw({"INCRBYFLOAT", "f", "nan"}), kNotFloat);
  EXPECT_EQ(h_.RunRaw({"INCRBYFLOAT", "f", " 1"}), kNotFloat);
  h_.Run({"SET", "g", "abc"});
  EXPECT_EQ(h_.RunRaw({"INCRBYFLOAT", "g", "1"}), kNotFloat);
  h_.Run({"SET", "big", "1e308"});
  EXPECT_EQ(Bulk({"INCRBYFLOAT", "big", "1e308"}).size(), 309u) << "long double does not overflow";
}

// --------------------------------------------------------------------------------------------- LCS

TEST_P(StringsTest, LcsExample) {
  h_.Run({"MSET", "a", "ohmytext", "b", "mynewtext"});
  EXPECT_EQ(Bulk({"LCS", "a", "b"}), "mytext");
  EXPECT_EQ(Int({"LCS", "a", "b", "LEN"}), 6);
  RespValue v = h_.Run({"LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"});
  ASSERT_EQ(v.type, GetParam() == RespVersion::kResp3 ? Type::kMap : Type::kArray) << v.ToString();
  EXPECT_EQ(v.ToString(),
            h_.Run({"LCS", "a", "b", "WITHMATCHLEN", "IDX", "MINMATCHLEN", "4"}).ToString());
  ASSERT_EQ(v.elements.size(), 4u);
  EXPECT_EQ(v.elements[0].str, "matches");
  ASSERT_EQ(v.elements[1].elements.size(), 1u);
  const RespValue& m = v.elements[1].elements[0];
  ASSERT_EQ(m.elements.size(), 3u);
  EXPECT_EQ(m.elements[0].elements[0].integer, 4);
  EXPECT_EQ(m.elements[0].elements[1].integer, 7);
  EXPECT_EQ(m.elements[1].elements[0].integer, 5);
  EXPECT_EQ(m.elements[1].elements[1].integer, 8);
  EXPECT_EQ(m.elements[2].integer, 4);
  EXPECT_EQ(v.elements[3].integer, 6);
  EXPECT_EQ(Error({"LCS", "a", "b", "LEN", "IDX"}),
            "ERR If you want both the length and indexes, please just use IDX.");
  EXPECT_EQ(h_.RunRaw({"LCS", "a", "b", "MINMATCHLEN"}), kSyntax);
  EXPECT_EQ(Bulk({"LCS", "a", "missing"}), "");
}

// For random strings over a small alphabet: the LCS text is a subsequence of both strings, its
// length is LEN, and the IDX runs are equal substrings, in decreasing order, that add up to LEN.
TEST_P(StringsTest, LcsProperties) {
  std::mt19937 rng(7);
  auto random_string = [&rng] {
    std::string s(rng() % 40, 'a');
    for (char& c : s) c = static_cast<char>('a' + rng() % 3);
    return s;
  };
  auto is_subsequence = [](const std::string& sub, const std::string& s) {
    size_t k = 0;
    for (char c : s) k += k < sub.size() && sub[k] == c ? 1 : 0;
    return k == sub.size();
  };
  for (int round = 0; round < 200; ++round) {
    const std::string a = random_string(), b = random_string();
    h_.Run({"MSET", "a", a, "b", b});
    const std::string text = Bulk({"LCS", "a", "b"});
    const int64_t len = Int({"LCS", "a", "b", "LEN"});
    ASSERT_EQ(static_cast<int64_t>(text.size()), len) << a << " " << b;
    ASSERT_TRUE(is_subsequence(text, a) && is_subsequence(text, b)) << a << " " << b;
    const RespValue idx = h_.Run({"LCS", "a", "b", "IDX", "WITHMATCHLEN"});
    ASSERT_EQ(idx.elements.size(), 4u);
    int64_t total = 0, prev_a = static_cast<int64_t>(a.size());
    for (const RespValue& m : idx.elements[1].elements) {
      const int64_t a0 = m.elements[0].elements[0].integer, a1 = m.elements[0].elements[1].integer;
      const int64_t b0 = m.elements[1].elements[0].integer, b1 = m.elements[1].elements[1].integer;
      ASSERT_EQ(a1 - a0, b1 - b0);
      ASSERT_EQ(m.elements[2].integer, a1 - a0 + 1);
      ASSERT_LT(a1, prev_a) << "runs come last first";
      ASSERT_EQ(a.substr(a0, a1 - a0 + 1), b.substr(b0, b1 - b0 + 1));
      total += a1 - a0 + 1;
      prev_a = a0;
    }
    EXPECT_EQ(total, len) << a << " " << b;
    EXPECT_EQ(idx.elements[3].integer, len);
  }
}

// ------------------------------------------------------------------------- RESP3 byte-exact shapes

TEST(StringsResp3Test, NullsAndMaps) {
  CommandHarness h(RespVersion::kResp3);
  EXPECT_EQ(h.RunRaw({"GET", "missing"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"SET", "k", "v", "NX"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"GETDEL", "missing"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"MGET", "k", "missing"}), "*2\r\n$1\r\nv\r\n_\r\n");
  EXPECT_EQ(h.RunRaw({"INCRBYFLOAT", "f", "1.5"}), "$3\r\n1.5\r\n") << "a bulk, not a double";
  EXPECT_EQ(h.RunRaw({"LCS", "x", "y", "IDX"}), "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
}

TEST(StringsResp2Test, Nulls) {
  CommandHarness h(RespVersion::kResp2);
  EXPECT_EQ(h.RunRaw({"GET", "missing"}), "$-1\r\n");
  EXPECT_EQ(h.RunRaw({"MGET", "missing"}), "*1\r\n$-1\r\n");
  EXPECT_EQ(h.RunRaw({"GETRANGE", "missing", "0", "1"}), "$0\r\n\r\n");
  EXPECT_EQ(h.RunRaw({"LCS", "x", "y", "IDX"}), "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
}

}  // namespace
}  // namespace sessionkv::testing

// SPDX-License-Identifier: Apache-2.0
#include "protocol/reply_writer.h"

#include <cmath>
#include <string>

#include "gtest/gtest.h"

namespace sessionkv::protocol {
namespace {

// Runs `fn` against a writer of each version and returns {RESP2 bytes, RESP3 bytes}.
template <typename Fn>
std::pair<std::string, std::string> Both(Fn fn) {
  std::string two, three;
  ReplyWriter w2(&two, RespVersion::kResp2), w3(&three, RespVersion::kResp3);
  fn(w2);
  fn(w3);
  return {two, three};
}

using Pair = std::pair<std::string, std::string>;

TEST(ReplyWriterTest, ScalarsInBothVersions) {
  EXPECT_EQ(Both([](ReplyWriter& w) { w.Ok(); }), Pair("+OK\r\n", "+OK\r\n"));
  EXPECT_EQ(Both([](ReplyWriter& w) { w.Integer(-9223372036854775807 - 1); }),
            Pair(":-9223372036854775808\r\n", ":-9223372036854775808\r\n"));
  EXPECT_EQ(Both([](ReplyWriter& w) { w.Bulk(std::string("a\0b", 3)); }),
            Pair(std::string("$3\r\na\0b\r\n", 9), std::string("$3\r\na\0b\r\n", 9)));
  EXPECT_EQ(Both([](ReplyWriter& w) { w.Null(); }), Pair("$-1\r\n", "_\r\n"));
  EXPECT_EQ(Both([](ReplyWriter& w) { w.NullArray(); }), Pair("*-1\r\n", "_\r\n"));
  EXPECT_EQ(Both([](ReplyWriter& w) { w.Bool(true); }), Pair(":1\r\n", "#t\r\n"));
  EXPECT_EQ(Both([](ReplyWriter& w) { w.Double(1.5); }), Pair("$3\r\n1.5\r\n", ",1.5\r\n"));
  EXPECT_EQ(Both([](ReplyWriter& w) { w.Verbatim("txt", "hi"); }), Pair("$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"));
  EXPECT_EQ(Both([](ReplyWriter& w) { w.Error("ERR a\r\nb"); }), Pair("-ERR a  b\r\n", "-ERR a  b\r\n"));
}

TEST(ReplyWriterTest, AggregatesInBothVersions) {
  EXPECT_EQ(Both([](ReplyWriter& w) { w.MapHeader(2); }), Pair("*4\r\n", "%2\r\n"));
  EXPECT_EQ(Both([](ReplyWriter& w) { w.SetHeader(3); }), Pair("*3\r\n", "~3\r\n"));
  EXPECT_EQ(Both([](ReplyWriter& w) { w.PushHeader(3); }), Pair("*3\r\n", ">3\r\n"));
  EXPECT_EQ(Both([](ReplyWriter& w) { w.BulkArray({"a", ""}); }),
            Pair("*2\r\n$1\r\na\r\n$0\r\n\r\n", "*2\r\n$1\r\na\r\n$0\r\n\r\n"));
}

TEST(FormatDoubleTest, RedisSevenTwoForms) {
  EXPECT_EQ(FormatDouble(1.702402961162E12), "1702402961162");
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(-2.5), "-2.5");
  EXPECT_EQ(FormatDouble(0), "0");
  EXPECT_EQ(FormatDouble(HUGE_VAL), "inf");
  EXPECT_EQ(FormatDouble(-HUGE_VAL), "-inf");
  EXPECT_EQ(FormatDouble(NAN), "nan");
  EXPECT_EQ(FormatDouble(-0.0), "-0");
}

// The layouts of Redis 7.2's fpconv_dtoa and double2ll (checked against its emit_digits rules).
TEST(FormatDoubleTest, FpconvLayouts) {
  EXPECT_EQ(FormatDouble(1.5), "1.5");
  EXPECT_EQ(FormatDouble(0.0001), "0.0001");
  EXPECT_EQ(FormatDouble(0.000001), "0.000001");
  EXPECT_EQ(FormatDouble(1e-7), "1e-7");
  EXPECT_EQ(FormatDouble(1.5e-7), "1.5e-7");
  EXPECT_EQ(FormatDouble(-2.5e-10), "-2.5e-10");
  EXPECT_EQ(FormatDouble(123456.789), "123456.789");
  EXPECT_EQ(FormatDouble(1.2345678), "1.2345678");
  EXPECT_EQ(FormatDouble(1e300), "1e+300");
  EXPECT_EQ(FormatDouble(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(FormatDouble(5e-324), "5e-324");
  EXPECT_EQ(FormatDouble(4611686018427387904.0), "4611686018427387904");  // 2^62: double2ll
  EXPECT_EQ(FormatDouble(9223372036854775808.0), "9223372036854776000");  // 2^63: plain digits
  EXPECT_EQ(FormatDouble(1e22), "1e+22");
  EXPECT_EQ(FormatDouble(1.23456789e15), "1234567890000000");
  EXPECT_EQ(FormatDouble(3.0000000000000004), "3.0000000000000004");
}

TEST(FormatLongDoubleTest, IncrByFloatForms) {
  EXPECT_EQ(FormatLongDouble(10.5L), "10.5");
  EXPECT_EQ(FormatLongDouble(3.0L), "3");
  EXPECT_EQ(FormatLongDouble(-0.0L), "0");
  EXPECT_EQ(FormatLongDouble(5.0e3L), "5000");
  EXPECT_EQ(FormatLongDouble(0.1L), "0.1");
}

}  // namespace
}  // namespace sessionkv::protocol

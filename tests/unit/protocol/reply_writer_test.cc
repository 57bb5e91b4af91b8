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

// SPDX-License-Identifier: Apache-2.0
#include "protocol/resp_value.h"

#include "gtest/gtest.h"
#include "protocol/reply_writer.h"

namespace sessionkv::protocol {
namespace {

using Type = RespValue::Type;

RespValue DecodeOne(const std::string& bytes) {
  size_t consumed = 0;
  auto v = DecodeReply(bytes, &consumed);
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v->has_value()) << bytes;
  EXPECT_EQ(consumed, bytes.size());
  return **v;
}

TEST(RespValueTest, DecodesWhatTheWriterWrites) {
  std::string out;
  ReplyWriter w(&out, RespVersion::kResp3);
  w.MapHeader(2);
  w.Bulk("id");
  w.Integer(7);
  w.Bulk("set");
  w.SetHeader(2);
  w.Double(2.5);
  w.Null();
  const RespValue v = DecodeOne(out);
  ASSERT_EQ(v.type, Type::kMap);
  ASSERT_EQ(v.elements.size(), 4u);
  EXPECT_EQ(v.elements[1].integer, 7);
  EXPECT_EQ(v.elements[3].type, Type::kSet);
  EXPECT_EQ(v.elements[3].elements[0].dbl, 2.5);
  EXPECT_EQ(v.elements[3].elements[1].type, Type::kNull);
  EXPECT_EQ(v.ToString(), "%{\"id\", :7, \"set\", ~{,2.5, (nil)}}");
}

TEST(RespValueTest, IncompleteAndMalformed) {
  size_t consumed = 0;
  auto partial = DecodeReply("*2\r\n$1\r\na\r\n", &consumed);
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value());
  EXPECT_FALSE(DecodeReply("?x\r\n", &consumed).ok());
  EXPECT_EQ(DecodeOne("=8\r\ntxt:abcd\r\n").str, "abcd");
  EXPECT_EQ(DecodeOne("$-1\r\n").type, Type::kNull);
}

TEST(RespValueTest, EncodeCommand) {
  EXPECT_EQ(EncodeCommand({"SET", "k", ""}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
}

}  // namespace
}  // namespace sessionkv::protocol

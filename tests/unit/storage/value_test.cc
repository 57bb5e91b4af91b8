// SPDX-License-Identifier: Apache-2.0
#include "storage/value.h"

#include "gtest/gtest.h"

namespace sessionkv::storage {
namespace {

TEST(ValueTest, StringEncodingsFollowRedis) {
  EXPECT_EQ(Value::String("12345").EncodingName(), "int");
  EXPECT_EQ(Value::String("-9223372036854775808").EncodingName(), "int");
  EXPECT_EQ(Value::String("9223372036854775808").EncodingName(), "embstr");  // out of range
  EXPECT_EQ(Value::String("012").EncodingName(), "embstr");
  EXPECT_EQ(Value::String("-0").EncodingName(), "embstr");
  EXPECT_EQ(Value::String("+1").EncodingName(), "embstr");
  EXPECT_EQ(Value::String("").EncodingName(), "embstr");
  EXPECT_EQ(Value::String(std::string(44, 'a')).EncodingName(), "embstr");
  EXPECT_EQ(Value::String(std::string(45, 'a')).EncodingName(), "raw");
  Value v = Value::String("abc");
  v.string().form = StringForm::kRaw;
  EXPECT_EQ(v.EncodingName(), "raw");
  Value f = Value::String("3");
  f.string().form = StringForm::kCreated;
  EXPECT_EQ(f.EncodingName(), "embstr") << "INCRBYFLOAT results are never int-encoded";
  EXPECT_EQ(TypeName(v.type()), "string");
}

}  // namespace
}  // namespace sessionkv::storage

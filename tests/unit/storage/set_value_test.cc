// SPDX-License-Identifier: Apache-2.0
// SetValue (storage/set_value.h): Redis 7.2's encodings and every upward conversion, copies, random
// choice, and SSCAN's completeness across table resizes.
#include "storage/set_value.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sessionkv::storage {
namespace {

const SetLimits kDefault;  // 512 / 128 / 64, Redis's defaults

std::set<std::string> AsSet(const SetValue& s) {
  std::vector<std::string> m = s.Members();
  return {m.begin(), m.end()};
}

// Every member a full scan returns (with duplicates folded), calling `between` after each step.
template <typename Between>
std::set<std::string> FullScan(const SetValue& s, size_t count, Between between) {
  std::set<std::string> found;
  uint64_t cursor = 0;
  do {
    cursor = s.Scan(cursor, count, [&](std::string_view m) { found.emplace(m); });
    between();
  } while (cursor != 0);
  return found;
}

TEST(SetValueTest, IntegerRecognitionFollowsString2ll) {
  int64_t v;
  EXPECT_TRUE(SetValue::IsInteger("0", &v));
  EXPECT_TRUE(SetValue::IsInteger("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(SetValue::IsInteger("9223372036854775807", &v));
  EXPECT_FALSE(SetValue::IsInteger("9223372036854775808", &v));
  EXPECT_FALSE(SetValue::IsInteger("-0", &v));
  EXPECT_FALSE(SetValue::IsInteger("01", &v));
  EXPECT_FALSE(SetValue::IsInteger("+1", &v));
  EXPECT_FALSE(SetValue::IsInteger(" 1", &v));
  EXPECT_FALSE(SetValue::IsInteger("", &v));
  EXPECT_FALSE(SetValue::IsInteger("-", &v));
}

TEST(SetValueTest, CreatePicksRedisEncoding) {
  EXPECT_EQ(SetValue::Create("5", 3, kDefault).EncodingName(), "intset");
  EXPECT_EQ(SetValue::Create("a", 3, kDefault).EncodingName(), "listpack");
  EXPECT_EQ(SetValue::Create("5", 100, kDefault).EncodingName(), "intset");
  EXPECT_EQ(SetValue::Create("5", 513, kDefault).EncodingName(), "hashtable");
  EXPECT_EQ(SetValue::Create("a", 129, kDefault).EncodingName(), "hashtable");
  EXPECT_EQ(SetValue().EncodingName(), "intset");
}

TEST(SetValueTest, IntsetStaysSortedAndBecomesHashtablePastLimit) {
  SetValue s;
  for (int i = 511; i >= 0; --i) EXPECT_TRUE(s.Add(std::to_string(i), kDefault));
  EXPECT_FALSE(s.Add("7", kDefault));
  EXPECT_EQ(s.EncodingName(), "intset");
  std::vector<std::string> m = s.Members();
  EXPECT_EQ(m.front(), "0");
  EXPECT_EQ(m[1], "1");
  EXPECT_EQ(m.back(), "511");
  EXPECT_TRUE(s.Contains("300"));
  EXPECT_FALSE(s.Contains("0300"));
  EXPECT_TRUE(s.Add("512", kDefault));
  EXPECT_EQ(s.EncodingName(), "hashtable");
  EXPECT_EQ(s.size(), 513u);
  EXPECT_TRUE(s.Contains("512"));
  EXPECT_TRUE(s.Contains("0"));
}

TEST(SetValueTest, IntsetWithStringBecomesListpackWhenSmall) {
  SetValue s;
  s.Add("-12", kDefault);
  s.Add("7", kDefault);
  EXPECT_TRUE(s.Add("abc", kDefault));
  EXPECT_EQ(s.EncodingName(), "listpack");
  EXPECT_EQ(AsSet(s), (std::set<std::string>{"-12", "7", "abc"}));
  EXPECT_TRUE(s.Remove("abc"));
  EXPECT_TRUE(s.Add("8", kDefault));
  EXPECT_EQ(s.EncodingName(), "listpack") << "never back to intset";
}

TEST(SetValueTest, IntsetWithStringBecomesHashtableWhenNotSmall) {
  SetValue big;
  for (int i = 0; i < 128; ++i) big.Add(std::to_string(i), kDefault);
  big.Add("x", kDefault);
  EXPECT_EQ(big.EncodingName(), "hashtable") << "128 entries already: no room in a listpack";

  SetValue long_member;
  long_member.Add("1", kDefault);
  long_member.Add(std::string(65, 'v'), kDefault);
  EXPECT_EQ(long_member.EncodingName(), "hashtable");

  // The widest integer decides too (set-max-listpack-value 3: "-1234" is 5 characters).
  SetLimits tight = kDefault;
  tight.max_listpack_value = 3;
  SetValue wide;
  wide.Add("-1234", tight);
  wide.Add("ab", tight);
  EXPECT_EQ(wide.EncodingName(), "hashtable");
}

TEST(SetValueTest, ListpackBecomesHashtableOnEitherLimit) {
  SetValue s = SetValue::Create("m0", 1, kDefault);
  for (int i = 0; i < 128; ++i) s.Add("m" + std::to_string(i), kDefault);
  EXPECT_EQ(s.EncodingName(), "listpack");
  EXPECT_EQ(s.Members().front(), "m0") << "insertion order";
  EXPECT_FALSE(s.Add("m5", kDefault));
  EXPECT_EQ(s.EncodingName(), "listpack") << "a duplicate does not convert";
  s.Add("m128", kDefault);
  EXPECT_EQ(s.EncodingName(), "hashtable");
  EXPECT_EQ(s.size(), 129u);

  SetValue v = SetValue::Create("a", 1, kDefault);
  v.Add(std::string(64, 'x'), kDefault);
  EXPECT_EQ(v.EncodingName(), "listpack");
  v.Add(std::string(65, 'x'), kDefault);
  EXPECT_EQ(v.EncodingName(), "hashtable");
  for (int i = 0; i < 3; ++i) v.Remove(i == 0 ? "a" : std::string(63 + i, 'x'));
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.EncodingName(), "hashtable") << "never converts down";
}

TEST(SetValueTest, HashtableAddRemoveAcrossResizes) {
  SetValue s = SetValue::Create("a", 1000, kDefault);
  std::string binary("\xac\xed\x00\x05t\x00\x01x", 9);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(s.Add("k" + std::to_string(i), kDefault));
  EXPECT_TRUE(s.Add(binary, kDefault));
  EXPECT_EQ(s.size(), 1001u);
  EXPECT_TRUE(s.Contains(binary));
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(s.Remove("k" + std::to_string(i)));
  EXPECT_FALSE(s.Remove("k1"));
  EXPECT_EQ(AsSet(s), (std::set<std::string>{binary}));
  EXPECT_GT(s.HeapBytes(), 0u);
}

TEST(SetValueTest, CopiesAreIndependent) {
  for (const char* first : {"1", "a"}) {
    SetValue s = SetValue::Create(first, 1, kDefault);
    s.Add(first, kDefault);
    SetValue copy = s;
    copy.Add("zz", kDefault);
    EXPECT_EQ(s.size(), 1u);
    EXPECT_EQ(copy.size(), 2u);
  }
  SetValue h = SetValue::Create("a", 600, kDefault);
  for (int i = 0; i < 600; ++i) h.Add(std::to_string(i) + "x", kDefault);
  SetValue copy = h;
  EXPECT_EQ(copy.EncodingName(), "hashtable");
  copy.Remove("1x");
  EXPECT_TRUE(h.Contains("1x"));
  EXPECT_EQ(AsSet(copy).size(), 599u);
}

TEST(SetValueTest, RandomChoices) {
  absl::BitGen gen;
  SetValue s;
  for (int i = 0; i < 10; ++i) s.Add(std::to_string(i), kDefault);
  std::vector<std::string> some = s.RandomDistinct(4, gen);
  EXPECT_EQ(std::set<std::string>(some.begin(), some.end()).size(), 4u);
  EXPECT_EQ(s.RandomDistinct(50, gen).size(), 10u);
  EXPECT_TRUE(s.Contains(s.RandomMember(gen)));
  std::set<std::string> popped;
  while (!s.empty()) popped.insert(s.PopRandom(gen));
  EXPECT_EQ(popped.size(), 10u);

  // Few out of many: sampled without a full copy, still distinct members of the set.
  SetValue big = SetValue::Create("a", 1000, kDefault);
  for (int i = 0; i < 1000; ++i) big.Add("m" + std::to_string(i), kDefault);
  std::vector<std::string> sample = big.RandomDistinct(20, gen);
  EXPECT_EQ(std::set<std::string>(sample.begin(), sample.end()).size(), 20u);
  for (const std::string& m : sample) EXPECT_TRUE(big.Contains(m)) << m;
}

TEST(SetValueTest, CompactScanAnswersEverythingAtOnce) {
  SetValue s;
  for (int i = 0; i < 50; ++i) s.Add(std::to_string(i), kDefault);
  size_t seen = 0;
  EXPECT_EQ(s.Scan(0, 1, [&](std::string_view) { ++seen; }), 0u);
  EXPECT_EQ(seen, 50u);
}

TEST(SetValueTest, HashtableScanIsCompleteAcrossGrowAndShrink) {
  SetValue s = SetValue::Create("a", 200, kDefault);
  for (int i = 0; i < 200; ++i) s.Add("keep" + std::to_string(i), kDefault);
  std::set<std::string> keep = AsSet(s);

  EXPECT_EQ(FullScan(s, 10, [] {}), keep);

  int step = 0;
  std::set<std::string> found = FullScan(s, 7, [&] {
    // Grow by several table doublings mid-scan.
    if (++step == 2) {
      for (int i = 0; i < 3000; ++i) s.Add("grow" + std::to_string(i), kDefault);
    }
  });
  for (const std::string& m : keep) EXPECT_TRUE(found.count(m)) << m;

  step = 0;
  found = FullScan(s, 50, [&] {
    // Shrink back down mid-scan.
    if (++step == 2) {
      for (int i = 0; i < 3000; ++i) s.Remove("grow" + std::to_string(i));
    }
  });
  for (const std::string& m : keep) EXPECT_TRUE(found.count(m)) << m;
}

}  // namespace
}  // namespace sessionkv::storage

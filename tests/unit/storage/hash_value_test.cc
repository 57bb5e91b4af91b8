// SPDX-License-Identifier: Apache-2.0
// HashValue (storage/hash_value.h): the encoding Redis 7.2 reports and every conversion to
// hashtable, the layouts and their boundaries (entry encoding, compact bounds), copies, random
// choice, and HSCAN's completeness across table resizes.
#include "storage/hash_value.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/random/random.h"
#include "gtest/gtest.h"

namespace sessionkv::storage {
namespace {

using Layout = HashValue::Layout;
const HashLimits kDefault;  // 512 / 64, Redis's defaults

std::map<std::string, std::string> AsMap(const HashValue& h) {
  std::map<std::string, std::string> out;
  h.ForEach([&](std::string_view f, std::string_view v) { out.emplace(f, v); });
  return out;
}

std::vector<std::string> FieldOrder(const HashValue& h) {
  std::vector<std::string> out;
  h.ForEach([&](std::string_view f, std::string_view) { out.emplace_back(f); });
  return out;
}

// A value as Spring Session's JDK serializer writes it: the stream header, then binary bytes
// (NUL, CR, LF included), `size` bytes in all.
std::string JdkValue(size_t size, char seed) {
  std::string v = "\xac\xed\x00\x05sr\x00\x0ejava.lang.Long";
  v.resize(size, '\0');
  for (size_t i = 20; i < size; ++i) v[i] = static_cast<char>(seed + i * 7);
  v[size / 2] = '\r';
  if (size / 2 + 1 < size) v[size / 2 + 1] = '\n';
  return v;
}

// A Spring session: five fields, every value longer than 64 bytes.
HashValue SpringSession() {
  HashValue h;
  h.Set("creationTime", JdkValue(82, 'a'), kDefault);
  h.Set("lastAccessedTime", JdkValue(82, 'b'), kDefault);
  h.Set("maxInactiveInterval", JdkValue(81, 'c'), kDefault);
  h.Set("sessionAttr:SPRING_SECURITY_CONTEXT", JdkValue(600, 'd'), kDefault);
  h.Set("sessionAttr:x", JdkValue(100, 'e'), kDefault);
  return h;
}

// Every field a full scan returns, calling `between` after each step.
template <typename Between>
std::set<std::string> FullScan(const HashValue& h, size_t count, Between between) {
  std::set<std::string> found;
  uint64_t cursor = 0;
  do {
    cursor = h.Scan(cursor, count, [&](std::string_view f, std::string_view) { found.emplace(f); });
    between();
  } while (cursor != 0);
  return found;
}

TEST(HashValueTest, ValueFitsInStorageValue) {
  EXPECT_LE(sizeof(HashValue), 40u) << "a hash must not make every storage::Value bigger";
}

TEST(HashValueTest, EmptyHashIsCompactListpack) {
  HashValue h;
  EXPECT_EQ(h.EncodingName(), "listpack");
  EXPECT_EQ(h.layout(), Layout::kCompact);
  EXPECT_EQ(h.size(), 0u);
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.HeapBytes(), 0u);
  EXPECT_FALSE(h.Get("f").has_value());
  EXPECT_FALSE(h.Delete("f"));
  EXPECT_EQ(h.Scan(0, 10, [](std::string_view, std::string_view) { FAIL(); }), 0u);
}

TEST(HashValueTest, SetGetDeleteKeepInsertionOrder) {
  HashValue h;
  EXPECT_TRUE(h.Set("a", "1", kDefault));
  EXPECT_TRUE(h.Set("b", "2", kDefault));
  EXPECT_TRUE(h.Set("c", "3", kDefault));
  EXPECT_FALSE(h.Set("b", "22", kDefault)) << "an update is not a new field";
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(*h.Get("b"), "22");
  EXPECT_EQ(FieldOrder(h), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(h.Delete("a"));
  EXPECT_FALSE(h.Delete("a"));
  EXPECT_EQ(FieldOrder(h), (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(h.Set("a", "1", kDefault));
  EXPECT_EQ(FieldOrder(h), (std::vector<std::string>{"b", "c", "a"}));
  EXPECT_TRUE(h.Delete("b"));
  EXPECT_TRUE(h.Delete("c"));
  EXPECT_TRUE(h.Delete("a"));
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.HeapBytes(), 0u);
}

TEST(HashValueTest, EmptyAndBinaryFieldsAndValues) {
  HashValue h;
  const std::string binary("\0\r\n\xff\x00x", 6);
  h.Set("", "empty field", kDefault);
  h.Set("empty value", "", kDefault);
  h.Set(binary, binary, kDefault);
  EXPECT_EQ(*h.Get(""), "empty field");
  EXPECT_EQ(*h.Get("empty value"), "");
  EXPECT_EQ(*h.Get(binary), binary);
  EXPECT_FALSE(h.Get(std::string("\0\r\n", 3)).has_value()) << "a prefix is another field";
}

// ------------------------------------------------------------------------- reported encoding

TEST(HashValueTest, ValueOrFieldLongerThanListpackValueReportsHashtable) {
  HashValue h;
  h.Set(std::string(64, 'f'), std::string(64, 'v'), kDefault);
  EXPECT_EQ(h.EncodingName(), "listpack") << "64 bytes is still within hash-max-listpack-value";
  HashValue by_value;
  by_value.Set("f", std::string(65, 'v'), kDefault);
  EXPECT_EQ(by_value.EncodingName(), "hashtable");
  HashValue by_field;
  by_field.Set(std::string(65, 'f'), "v", kDefault);
  EXPECT_EQ(by_field.EncodingName(), "hashtable");
}

TEST(HashValueTest, MoreFieldsThanListpackEntriesReportsHashtable) {
  HashValue h;
  for (int i = 0; i < 512; ++i) h.Set("f" + std::to_string(i), "v", kDefault);
  EXPECT_EQ(h.EncodingName(), "listpack");
  h.Set("f7", "updated", kDefault);
  EXPECT_EQ(h.EncodingName(), "listpack");
  h.Set("f512", "v", kDefault);
  EXPECT_EQ(h.EncodingName(), "hashtable");
  EXPECT_EQ(h.size(), 513u);
}

TEST(HashValueTest, HashtableIsStickyAfterDeletes) {
  HashValue h;
  h.Set("big", std::string(100, 'x'), kDefault);
  h.Set("small", "v", kDefault);
  EXPECT_EQ(h.EncodingName(), "hashtable");
  h.Delete("big");
  h.Set("small", "w", kDefault);
  EXPECT_EQ(h.EncodingName(), "hashtable") << "Redis never converts a hash back to listpack";
}

TEST(HashValueTest, PrepareWriteFollowsTryConversion) {
  HashValue h;
  h.Set("a", "1", kDefault);
  std::vector<std::string_view> args = {"a", "2", "b", "3"};
  h.PrepareWrite(args, kDefault);
  EXPECT_EQ(h.EncodingName(), "listpack");
  std::string long_arg(65, 'x');
  args = {"a", long_arg};
  h.PrepareWrite(args, kDefault);
  EXPECT_EQ(h.EncodingName(), "hashtable") << "checked before the write, field or value";

  // Redis 7.2 presizes: more pairs than hash-max-listpack-entries convert, duplicates or not.
  HashValue dup;
  std::vector<std::string_view> pairs;
  for (int i = 0; i < 513; ++i) {
    pairs.push_back("f");
    pairs.push_back("v");
  }
  dup.PrepareWrite(pairs, kDefault);
  for (size_t i = 0; i < pairs.size(); i += 2) dup.Set(pairs[i], pairs[i + 1], kDefault);
  EXPECT_EQ(dup.size(), 1u);
  EXPECT_EQ(dup.EncodingName(), "hashtable");
  EXPECT_EQ(dup.layout(), Layout::kCompact) << "one field stays in one buffer";
  pairs.resize(2 * 512);
  HashValue at_limit;
  at_limit.PrepareWrite(pairs, kDefault);
  EXPECT_EQ(at_limit.EncodingName(), "listpack");
}

TEST(HashValueTest, LoweredLimitsApplyAtTheNextWrite) {
  HashValue h;
  for (int i = 0; i < 10; ++i) h.Set("f" + std::to_string(i), "v", kDefault);
  const HashLimits lowered{.max_listpack_entries = 5, .max_listpack_value = 64};
  EXPECT_EQ(h.EncodingName(), "listpack");
  h.Set("f1", "w", lowered);  // an update: Redis checks the length after every hashTypeSet
  EXPECT_EQ(h.EncodingName(), "hashtable");
  HashValue v;
  v.Set("f", "12345", kDefault);
  v.Set("g", "1", HashLimits{.max_listpack_entries = 512, .max_listpack_value = 4});
  EXPECT_EQ(v.EncodingName(), "listpack") << "only the written field and value are checked";
  v.Set("g", "12345", HashLimits{.max_listpack_entries = 512, .max_listpack_value = 4});
  EXPECT_EQ(v.EncodingName(), "hashtable");
}

// ------------------------------------------------------------------------------------ layout

TEST(HashValueTest, SpringSessionReportsHashtableButStaysOneBuffer) {
  HashValue h = SpringSession();
  EXPECT_EQ(h.EncodingName(), "hashtable") << "JDK values pass 64 bytes, as in Redis";
  EXPECT_EQ(h.layout(), Layout::kCompact);
  EXPECT_EQ(h.size(), 5u);
  // Five entries: field and value bytes plus two one- or two-byte length prefixes each.
  size_t payload = 0;
  h.ForEach([&](std::string_view f, std::string_view v) { payload += f.size() + v.size(); });
  EXPECT_LE(h.HeapBytes(), payload + 5 * 3);
  EXPECT_EQ(*h.Get("sessionAttr:SPRING_SECURITY_CONTEXT"), JdkValue(600, 'd'));
}

TEST(HashValueTest, SameLengthUpdateIsInPlace) {
  HashValue h = SpringSession();
  const size_t bytes = h.HeapBytes();
  const std::string_view before = *h.Get("lastAccessedTime");
  h.Set("lastAccessedTime", JdkValue(82, 'z'), kDefault);
  const std::string_view after = *h.Get("lastAccessedTime");
  EXPECT_EQ(after, JdkValue(82, 'z'));
  EXPECT_EQ(before.data(), after.data()) << "no reallocation, no memmove";
  EXPECT_EQ(h.HeapBytes(), bytes);
}

TEST(HashValueTest, LengthChangesMoveTheFollowingEntries) {
  HashValue h = SpringSession();
  std::map<std::string, std::string> expected = AsMap(h);
  for (size_t len : {83u, 1000u, 5u, 0u, 127u, 128u, 300u}) {
    h.Set("lastAccessedTime", JdkValue(len + 1, 'q').substr(0, len), kDefault);
    expected["lastAccessedTime"] = JdkValue(len + 1, 'q').substr(0, len);
    EXPECT_EQ(AsMap(h), expected) << len;
  }
  EXPECT_EQ(FieldOrder(h)[1], "lastAccessedTime") << "an update keeps the field's place";
}

TEST(HashValueTest, LengthPrefixBoundaries) {
  HashValue h;
  const HashLimits unlimited{.max_listpack_entries = 512, .max_listpack_value = 1 << 20};
  std::map<std::string, std::string> expected;
  for (size_t len : {0u, 1u, 127u, 128u, 129u, 16383u, 16384u, 16385u}) {
    std::string field(len, 'f');
    field += std::to_string(len);
    std::string value(len, static_cast<char>('a' + len % 26));
    h.Set(field, value, unlimited);
    expected[field] = value;
  }
  EXPECT_EQ(h.EncodingName(), "listpack");
  EXPECT_EQ(h.layout(), Layout::kCompact) << "a listpack-sized hash is never a table";
  EXPECT_EQ(AsMap(h), expected);
  for (const auto& [f, v] : expected) EXPECT_EQ(*h.Get(f), v);
}

TEST(HashValueTest, CompactBoundsOnceReportedHashtable) {
  const std::string big(65, 'v');  // every value makes the hash report hashtable
  HashValue h;
  for (size_t i = 0; i < HashValue::kCompactMaxFields; ++i)
    h.Set("f" + std::to_string(i), big, kDefault);
  EXPECT_EQ(h.layout(), Layout::kCompact);
  h.Set("one-more", big, kDefault);
  EXPECT_EQ(h.layout(), Layout::kTable);
  EXPECT_EQ(h.size(), HashValue::kCompactMaxFields + 1);
  EXPECT_EQ(*h.Get("f3"), big);

  HashValue bytes;
  bytes.Set("a", std::string(HashValue::kCompactMaxBytes - 100, 'x'), kDefault);
  EXPECT_EQ(bytes.layout(), Layout::kCompact);
  bytes.Set("b", std::string(200, 'y'), kDefault);
  EXPECT_EQ(bytes.layout(), Layout::kTable);
  EXPECT_EQ(bytes.Get("a")->size(), HashValue::kCompactMaxBytes - 100);
  EXPECT_EQ(*bytes.Get("b"), std::string(200, 'y'));

  HashValue huge;
  huge.Set("a", std::string(100000, 'x'), kDefault);
  EXPECT_EQ(huge.layout(), Layout::kTable) << "one large value goes straight into a node";
}

TEST(HashValueTest, ListpackLayoutIgnoresCompactBoundsUntilConversion) {
  HashValue h;
  for (int i = 0; i < 512; ++i) h.Set("field:" + std::to_string(i), std::string(60, 'v'), kDefault);
  EXPECT_EQ(h.EncodingName(), "listpack");
  EXPECT_EQ(h.layout(), Layout::kCompact) << "as small as Redis's listpack";
  EXPECT_GT(h.HeapBytes(), HashValue::kCompactMaxBytes);
  h.Set("field:0", std::string(65, 'v'), kDefault);
  EXPECT_EQ(h.EncodingName(), "hashtable");
  EXPECT_EQ(h.layout(), Layout::kTable);
  EXPECT_EQ(h.size(), 512u);
  EXPECT_EQ(h.Get("field:0")->size(), 65u);
  EXPECT_EQ(h.Get("field:511")->size(), 60u);
  std::vector<std::string_view> args = {"x", "y"};
  HashValue via_prepare;
  for (int i = 0; i < 100; ++i) via_prepare.Set("g" + std::to_string(i), "v", kDefault);
  std::string long_value(100, 'l');
  args = {"g1", long_value};
  via_prepare.PrepareWrite(args, kDefault);
  EXPECT_EQ(via_prepare.layout(), Layout::kTable) << "100 fields are past the compact bound";
}

TEST(HashValueTest, TableGrowsShrinksAndMatchesAMap) {
  HashValue h;
  h.Set("seed", std::string(100, 's'), kDefault);
  std::map<std::string, std::string> expected{{"seed", std::string(100, 's')}};
  for (int i = 0; i < 5000; ++i) {
    const std::string f = "field-" + std::to_string(i);
    const std::string v = std::string(i % 90, 'v') + std::to_string(i);
    EXPECT_TRUE(h.Set(f, v, kDefault));
    expected[f] = v;
  }
  EXPECT_EQ(h.layout(), Layout::kTable);
  EXPECT_GE(h.bucket_count(), h.size()) << "load factor at most 1";
  for (int i = 0; i < 5000; i += 3) {
    EXPECT_FALSE(h.Set("field-" + std::to_string(i), "x", kDefault));
    expected["field-" + std::to_string(i)] = "x";
  }
  for (int i = 0; i < 5000; ++i) {
    if (i % 50 == 0) continue;
    EXPECT_TRUE(h.Delete("field-" + std::to_string(i)));
    expected.erase("field-" + std::to_string(i));
  }
  EXPECT_EQ(AsMap(h), expected);
  EXPECT_LE(h.bucket_count(), 1024u) << "the table shrinks below 10% fill";
  for (const auto& [f, v] : expected) EXPECT_EQ(*h.Get(f), v);
  EXPECT_FALSE(h.Get("field-1").has_value());
}

TEST(HashValueTest, RandomOperationsAgreeWithAMapInBothLayouts) {
  absl::BitGen gen;
  for (size_t value_len : {10u, 70u}) {
    HashValue h;
    std::map<std::string, std::string> expected;
    for (int step = 0; step < 20000; ++step) {
      const std::string f = "f" + std::to_string(absl::Uniform(gen, 0, 120));
      if (absl::Bernoulli(gen, 0.3)) {
        EXPECT_EQ(h.Delete(f), expected.erase(f) == 1);
      } else {
        const std::string v(absl::Uniform<size_t>(gen, 0, value_len),
                            static_cast<char>('a' + step % 26));
        EXPECT_EQ(h.Set(f, v, kDefault), !expected.contains(f));
        expected[f] = v;
      }
    }
    EXPECT_EQ(AsMap(h), expected);
    EXPECT_EQ(h.size(), expected.size());
  }
}

// ----------------------------------------------------------------------------- copy and move

TEST(HashValueTest, CopiesAreDeepInBothLayouts) {
  HashValue compact = SpringSession();
  HashValue table;
  for (int i = 0; i < 200; ++i) table.Set("f" + std::to_string(i), std::string(70, 'v'), kDefault);
  ASSERT_EQ(table.layout(), Layout::kTable);
  for (HashValue* original : {&compact, &table}) {
    HashValue copy(*original);
    EXPECT_EQ(copy.layout(), original->layout());
    EXPECT_EQ(copy.EncodingName(), original->EncodingName());
    EXPECT_EQ(AsMap(copy), AsMap(*original));
    copy.Set("creationTime", "changed", kDefault);
    copy.Set("f1", "changed", kDefault);
    EXPECT_NE(AsMap(copy), AsMap(*original));
    HashValue assigned;
    assigned = *original;
    EXPECT_EQ(AsMap(assigned), AsMap(*original));
    HashValue moved(std::move(assigned));
    EXPECT_EQ(AsMap(moved), AsMap(*original));
    EXPECT_TRUE(assigned.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
    assigned = std::move(moved);
    EXPECT_EQ(AsMap(assigned), AsMap(*original));
  }
  HashValue listpack;
  listpack.Set("a", "1", kDefault);
  EXPECT_EQ(HashValue(listpack).EncodingName(), "listpack");
}

// ------------------------------------------------------------------------------------ random

TEST(HashValueTest, RandomChoiceCoversEveryFieldInBothLayouts) {
  absl::BitGen gen;
  HashValue compact = SpringSession();
  HashValue table;
  for (int i = 0; i < 300; ++i)
    table.Set("f" + std::to_string(i), "v" + std::to_string(i), kDefault);
  table.Set("big", std::string(70, 'b'), kDefault);
  ASSERT_EQ(table.layout(), Layout::kTable);
  for (const HashValue* h : {&compact, &table}) {
    const std::map<std::string, std::string> all = AsMap(*h);
    std::set<std::string> seen;
    for (int i = 0; i < 20000; ++i) {
      const auto [f, v] = h->RandomPair(gen);
      ASSERT_EQ(all.at(std::string(f)), v);
      seen.emplace(f);
    }
    EXPECT_EQ(seen.size(), all.size());

    size_t visits = 0;
    h->ForEachRandom(1000, gen, [&](std::string_view f, std::string_view v) {
      EXPECT_EQ(all.at(std::string(f)), v);
      ++visits;
    });
    EXPECT_EQ(visits, 1000u);

    for (size_t count : {size_t{1}, size_t{3}, all.size() / 2, all.size(), all.size() + 10}) {
      std::vector<HashValue::Pair> pairs = h->RandomDistinct(count, gen);
      EXPECT_EQ(pairs.size(), std::min(count, all.size()));
      std::set<std::string> distinct;
      for (const auto& [f, v] : pairs) {
        EXPECT_EQ(all.at(std::string(f)), v);
        distinct.emplace(f);
      }
      EXPECT_EQ(distinct.size(), pairs.size()) << count;
    }
  }
}

// -------------------------------------------------------------------------------------- scan

TEST(HashValueTest, CompactScanAnswersEverythingAtOnce) {
  HashValue h = SpringSession();
  for (uint64_t cursor : {uint64_t{0}, uint64_t{17}}) {
    std::vector<std::string> fields;
    EXPECT_EQ(
        h.Scan(cursor, 1, [&](std::string_view f, std::string_view) { fields.emplace_back(f); }),
        0u);
    EXPECT_EQ(fields, FieldOrder(h));
  }
}

TEST(HashValueTest, TableScanReturnsEveryFieldAcrossGrowth) {
  HashValue h;
  std::set<std::string> present;
  for (int i = 0; i < 100; ++i) {
    h.Set("k" + std::to_string(i), std::string(70, 'v'), kDefault);
    present.insert("k" + std::to_string(i));
  }
  ASSERT_EQ(h.layout(), Layout::kTable);
  const size_t buckets_before = h.bucket_count();
  int added = 0;
  std::set<std::string> found = FullScan(h, 5, [&] {
    for (int j = 0; j < 40; ++j) h.Set("new" + std::to_string(added++), "v", kDefault);
  });
  EXPECT_GT(h.bucket_count(), buckets_before) << "the table grew during the scan";
  for (const std::string& f : present) EXPECT_TRUE(found.contains(f)) << f;
}

TEST(HashValueTest, TableScanReturnsEveryFieldAcrossShrink) {
  HashValue h;
  for (int i = 0; i < 4000; ++i) h.Set("k" + std::to_string(i), std::string(70, 'v'), kDefault);
  std::set<std::string> kept;
  for (int i = 0; i < 4000; i += 40) kept.insert("k" + std::to_string(i));
  const size_t buckets_before = h.bucket_count();
  int next = 0;
  std::set<std::string> found = FullScan(h, 20, [&] {
    for (int j = 0; j < 400 && next < 4000; ++next) {
      if (next % 40 == 0) continue;
      h.Delete("k" + std::to_string(next));
      ++j;
    }
  });
  EXPECT_LT(h.bucket_count(), buckets_before) << "the table shrank during the scan";
  for (const std::string& f : kept) EXPECT_TRUE(found.contains(f)) << f;
}

TEST(HashValueTest, TableScanStepsAreBoundedByCount) {
  HashValue h;
  for (int i = 0; i < 1000; ++i) h.Set("k" + std::to_string(i), std::string(70, 'v'), kDefault);
  size_t returned = 0;
  const uint64_t next = h.Scan(0, 10, [&](std::string_view, std::string_view) { ++returned; });
  EXPECT_NE(next, 0u);
  EXPECT_GE(returned, 10u);
  EXPECT_LT(returned, 30u) << "a step stops once count fields were seen";
  std::set<std::string> all = FullScan(h, 10, [] {});
  EXPECT_EQ(all.size(), 1000u);
}

}  // namespace
}  // namespace sessionkv::storage

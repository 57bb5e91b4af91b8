// SPDX-License-Identifier: Apache-2.0
#include "storage/dict.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace sessionkv::storage {
namespace {

Entry* Add(Dict& d, const std::string& key) {
  return d.Insert(std::make_unique<Entry>(key, Dict::Hash(key), Value::String("v")));
}

TEST(DictTest, InsertFindRemove) {
  Dict d;
  for (int i = 0; i < 1000; ++i) Add(d, "key:" + std::to_string(i));
  EXPECT_EQ(d.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    const std::string k = "key:" + std::to_string(i);
    ASSERT_NE(d.Find(k, Dict::Hash(k)), nullptr) << k;
  }
  EXPECT_EQ(d.Find("nope", Dict::Hash("nope")), nullptr);
  for (int i = 0; i < 990; ++i) {
    const std::string k = "key:" + std::to_string(i);
    d.Remove(d.Find(k, Dict::Hash(k)));
  }
  EXPECT_EQ(d.size(), 10u);
  EXPECT_LE(d.bucket_count(), 64u) << "the table shrinks when mostly empty";
}

// Collects every key a full SCAN returns while `mutate` runs between steps.
template <typename Mutate>
std::multiset<std::string> ScanAll(Dict& d, Mutate mutate) {
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = d.ScanStep(cursor, [&](Entry* e) { seen.insert(e->key); });
    mutate(step++);
  } while (cursor != 0);
  return seen;
}

TEST(DictTest, ScanVisitsEveryKeyOnce) {
  Dict d;
  for (int i = 0; i < 500; ++i) Add(d, "k" + std::to_string(i));
  auto seen = ScanAll(d, [](int) {});
  EXPECT_EQ(seen.size(), 500u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 500u);
}

TEST(DictTest, ScanSurvivesGrowthAndShrink) {
  Dict d;
  for (int i = 0; i < 200; ++i) Add(d, "stable" + std::to_string(i));
  // Grow the table a lot in the middle of the scan, then shrink it again: stable keys are still all seen.
  auto seen = ScanAll(d, [&](int step) {
    if (step == 3) {
      for (int i = 0; i < 5000; ++i) Add(d, "grow" + std::to_string(i));
    }
    if (step == 40) {
      for (int i = 0; i < 5000; ++i) {
        const std::string k = "grow" + std::to_string(i);
        d.Remove(d.Find(k, Dict::Hash(k)));
      }
    }
  });
  for (int i = 0; i < 200; ++i) EXPECT_EQ(seen.count("stable" + std::to_string(i)) >= 1, true) << i;
}

TEST(DictTest, RandomReturnsMembers) {
  Dict d;
  absl::BitGen gen;
  EXPECT_EQ(d.Random(gen), nullptr);
  for (int i = 0; i < 50; ++i) Add(d, "r" + std::to_string(i));
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) seen.insert(d.Random(gen)->key);
  EXPECT_GT(seen.size(), 40u);
}

}  // namespace
}  // namespace sessionkv::storage

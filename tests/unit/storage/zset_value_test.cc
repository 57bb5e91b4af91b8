// SPDX-License-Identifier: Apache-2.0
// ZSetValue (storage/zset_value.h) and its skiplist: Redis 7.2's encodings and the listpack ->
// skiplist conversions, ZADD's flag semantics, ranks, score and lex ranges, removals and pops
// checked against a brute-force model under random operations in both encodings, copies, random
// choice, ZSCAN's completeness across index resizes, and the algebra (storage/zset_algebra.h).
#include "storage/zset_value.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "storage/set_value.h"
#include "storage/value.h"
#include "storage/zset_algebra.h"

namespace sessionkv::storage {
namespace {

using Encoding = ZSetValue::Encoding;
using AddResult = ZSetValue::AddResult;

const ZSetLimits kDefault;  // 128 / 64, Redis's defaults

static_assert(sizeof(ZSetValue) <= 40, "a sorted set must fit storage::Value's budget");

// The brute-force model: members in (score, member) order.
using Model = std::vector<std::pair<double, std::string>>;

Model Sorted(const std::map<std::string, double>& m) {
  Model out;
  for (const auto& [member, score] : m) out.emplace_back(score, member);
  std::sort(out.begin(), out.end());
  return out;
}

// Every member in order, read through cursors.
Model Contents(const ZSetValue& z) {
  Model out;
  for (ZSetValue::Cursor c = z.First(); c.valid(); c.Next()) {
    out.emplace_back(c.score(), std::string(c.member()));
  }
  return out;
}

AddResult Add(ZSetValue& z, std::string_view member, double score, uint8_t flags = 0,
              const ZSetLimits& limits = kDefault) {
  double ignored;
  return z.Add(member, score, flags, limits, &ignored);
}

ZSetValue Build(const std::vector<std::pair<double, std::string>>& items,
                const ZSetLimits& limits = kDefault) {
  ZSetValue z;
  for (const auto& [score, member] : items) Add(z, member, score, 0, limits);
  return z;
}

// ----------------------------------------------------------------------------------- encodings

TEST(ZSetValueTest, CreatePicksRedisEncoding) {
  EXPECT_EQ(ZSetValue().EncodingName(), "listpack");
  EXPECT_EQ(ZSetValue::Create(128, 64, kDefault).EncodingName(), "listpack");
  EXPECT_EQ(ZSetValue::Create(129, 1, kDefault).EncodingName(), "skiplist");
  EXPECT_EQ(ZSetValue::Create(1, 65, kDefault).EncodingName(), "skiplist");
  EXPECT_EQ(ZSetValue::Create(1, 1, {.max_listpack_entries = 0}).EncodingName(), "skiplist");
}

TEST(ZSetValueTest, ListpackBecomesSkiplistPastEitherLimitAndNeverBack) {
  ZSetValue z;
  for (int i = 0; i < 128; ++i) Add(z, "m" + std::to_string(i), i);
  EXPECT_EQ(z.encoding(), Encoding::kListpack);
  Add(z, "m0", 5);  // an update never converts
  EXPECT_EQ(z.encoding(), Encoding::kListpack);
  Add(z, "one-more", 1);
  EXPECT_EQ(z.encoding(), Encoding::kSkiplist);
  EXPECT_EQ(z.size(), 129u);
  for (int i = 0; i < 120; ++i) z.Remove("m" + std::to_string(i));
  EXPECT_EQ(z.encoding(), Encoding::kSkiplist) << "one-way, as in Redis";

  ZSetValue v;
  Add(v, std::string(64, 'x'), 1);
  EXPECT_EQ(v.encoding(), Encoding::kListpack);
  Add(v, std::string(65, 'y'), 2);
  EXPECT_EQ(v.encoding(), Encoding::kSkiplist);
  EXPECT_EQ(Contents(v), (Model{{1, std::string(64, 'x')}, {2, std::string(65, 'y')}}));
}

TEST(ZSetValueTest, PrepareForConvertsOnLargeHintsOnly) {
  ZSetValue z;
  Add(z, "a", 1);
  z.PrepareFor(128, kDefault);
  EXPECT_EQ(z.encoding(), Encoding::kListpack);
  z.PrepareFor(129, kDefault);
  EXPECT_EQ(z.encoding(), Encoding::kSkiplist);
  EXPECT_EQ(Contents(z), (Model{{1, "a"}}));
}

TEST(ZSetValueTest, FromEntriesChoosesListpackWhenSmall) {
  std::vector<ZSetValue::Entry> small = {{"b", 2}, {"a", 2}, {"c", 1}};
  ZSetValue z = ZSetValue::FromEntries(small, kDefault);
  EXPECT_EQ(z.encoding(), Encoding::kListpack);
  EXPECT_EQ(Contents(z), (Model{{1, "c"}, {2, "a"}, {2, "b"}}));
  small.push_back({std::string(65, 'z'), 0});
  EXPECT_EQ(ZSetValue::FromEntries(small, kDefault).encoding(), Encoding::kSkiplist);
  std::vector<ZSetValue::Entry> many;
  for (int i = 0; i < 129; ++i) many.push_back({"m" + std::to_string(i), 0});
  ZSetValue big = ZSetValue::FromEntries(many, kDefault);
  EXPECT_EQ(big.encoding(), Encoding::kSkiplist);
  EXPECT_EQ(big.size(), 129u);
  many.pop_back();
  EXPECT_EQ(ZSetValue::FromEntries(many, kDefault).encoding(), Encoding::kListpack);
}

// Redis's listpack stores integral scores as integers, so -0 comes back as 0; a skiplist keeps -0.
TEST(ZSetValueTest, ListpackLosesTheSignOfZero) {
  ZSetValue small;
  double reported = 1;
  EXPECT_EQ(small.Add("a", -0.0, 0, kDefault, &reported), AddResult::kAdded);
  EXPECT_TRUE(std::signbit(reported)) << "the reply still shows what was computed";
  EXPECT_FALSE(std::signbit(*small.Score("a")));
  ZSetValue big = ZSetValue::Create(1000, 1, kDefault);
  Add(big, "a", -0.0);
  EXPECT_TRUE(std::signbit(*big.Score("a")));
  ZSetValue built = ZSetValue::FromEntries({{"a", -0.0}}, kDefault);
  EXPECT_FALSE(std::signbit(*built.Score("a")));
}

TEST(ZSetValueTest, HeapBytesGrowWithMembers) {
  ZSetValue z;
  const size_t empty = z.HeapBytes();
  for (int i = 0; i < 100; ++i) Add(z, std::string(40, 'a') + std::to_string(i), i);
  const size_t listpack = z.HeapBytes();
  EXPECT_GT(listpack, empty + 100 * 40);
  for (int i = 100; i < 1000; ++i) Add(z, std::string(40, 'a') + std::to_string(i), i);
  EXPECT_GT(z.HeapBytes(), 1000u * 40);
  EXPECT_EQ(z.encoding(), Encoding::kSkiplist);
}

// ---------------------------------------------------------------------------------- ZADD flags

class ZSetFlagsTest : public ::testing::TestWithParam<Encoding> {
 protected:
  ZSetValue Make() {
    ZSetValue z =
        GetParam() == Encoding::kListpack ? ZSetValue() : ZSetValue::Create(1000, 1, kDefault);
    Add(z, "a", 10);
    EXPECT_EQ(z.encoding(), GetParam());
    return z;
  }
};

INSTANTIATE_TEST_SUITE_P(Encodings, ZSetFlagsTest,
                         ::testing::Values(Encoding::kListpack, Encoding::kSkiplist),
                         [](const auto& info) {
                           return info.param == Encoding::kListpack ? "Listpack" : "Skiplist";
                         });

TEST_P(ZSetFlagsTest, AddUpdateAndConditions) {
  ZSetValue z = Make();
  double s = 0;
  EXPECT_EQ(z.Add("b", 5, 0, kDefault, &s), AddResult::kAdded);
  EXPECT_EQ(s, 5);
  EXPECT_EQ(z.Add("a", 10, 0, kDefault, &s), AddResult::kUnchanged);
  EXPECT_EQ(z.Add("a", 11, 0, kDefault, &s), AddResult::kUpdated);
  EXPECT_EQ(z.Add("a", 1, ZSetValue::kNx, kDefault, &s), AddResult::kSkipped);
  EXPECT_EQ(z.Add("c", 1, ZSetValue::kXx, kDefault, &s), AddResult::kSkipped);
  EXPECT_FALSE(z.Score("c").has_value());
  EXPECT_EQ(z.Add("a", 3, ZSetValue::kGt, kDefault, &s), AddResult::kSkipped);
  EXPECT_EQ(z.Add("a", 11, ZSetValue::kGt, kDefault, &s), AddResult::kSkipped)
      << "equal is not greater";
  EXPECT_EQ(z.Add("a", 30, ZSetValue::kGt, kDefault, &s), AddResult::kUpdated);
  EXPECT_EQ(z.Add("a", 40, ZSetValue::kLt, kDefault, &s), AddResult::kSkipped);
  EXPECT_EQ(z.Add("a", 2, ZSetValue::kLt | ZSetValue::kXx, kDefault, &s), AddResult::kUpdated);
  EXPECT_EQ(z.Add("new", 7, ZSetValue::kGt, kDefault, &s), AddResult::kAdded) << "GT still adds";
  EXPECT_EQ(z.Add("a", 0.5, ZSetValue::kIncr, kDefault, &s), AddResult::kUpdated);
  EXPECT_EQ(s, 2.5);
  EXPECT_EQ(z.Add("a", 0, ZSetValue::kIncr, kDefault, &s), AddResult::kUnchanged);
  EXPECT_EQ(s, 2.5);
  EXPECT_EQ(z.Add("a", -1, ZSetValue::kIncr | ZSetValue::kGt, kDefault, &s), AddResult::kSkipped);
  EXPECT_EQ(z.Add("inc", 4, ZSetValue::kIncr, kDefault, &s), AddResult::kAdded);
  EXPECT_EQ(s, 4);
  EXPECT_EQ(Contents(z), (Model{{2.5, "a"}, {4, "inc"}, {5, "b"}, {7, "new"}}));
}

TEST_P(ZSetFlagsTest, NaNChangesNothing) {
  ZSetValue z = Make();
  const double inf = std::numeric_limits<double>::infinity();
  double s = 0;
  EXPECT_EQ(z.Add("x", std::nan(""), 0, kDefault, &s), AddResult::kNaN);
  EXPECT_EQ(z.Add("i", inf, 0, kDefault, &s), AddResult::kAdded);
  EXPECT_EQ(z.Add("i", -inf, ZSetValue::kIncr, kDefault, &s), AddResult::kNaN);
  EXPECT_EQ(z.Score("i"), inf);
  EXPECT_EQ(z.size(), 2u);
}

TEST_P(ZSetFlagsTest, EqualScoresOrderByMemberBytes) {
  ZSetValue z = Make();
  for (const std::string& m :
       std::vector<std::string>{"b", "B", "\xff", "", "ab", std::string("a\0", 2)}) {
    Add(z, m, 10);
  }
  Model expected = {{10, ""},   {10, "B"}, {10, "a"},   {10, std::string("a\0", 2)},
                    {10, "ab"}, {10, "b"}, {10, "\xff"}};
  EXPECT_EQ(Contents(z), expected);
  double score = 0;
  EXPECT_EQ(z.Rank("\xff", false, &score), 6u);
  EXPECT_EQ(z.Rank("\xff", true, &score), 0u);
  EXPECT_EQ(z.Rank("zz", false, &score), std::nullopt);
}

TEST_P(ZSetFlagsTest, LexRanges) {
  ZSetValue z = Make();  // "a" at 10
  for (const char* m : {"b", "c", "d", "e"}) Add(z, m, 10);
  auto bound = [](const char* text) {
    LexBound b;
    if (text[0] == '-' || text[0] == '+') {
      b.kind = text[0] == '-' ? LexBound::Kind::kMinusInfinity : LexBound::Kind::kPlusInfinity;
      b.exclusive = true;
    } else {
      b.exclusive = text[0] == '(';
      b.member = text + 1;
    }
    return b;
  };
  auto range = [&](const char* a, const char* b) { return LexRange{bound(a), bound(b)}; };
  EXPECT_EQ(z.Count(range("-", "+")), 5u);
  EXPECT_EQ(z.Count(range("[b", "[d")), 3u);
  EXPECT_EQ(z.Count(range("(b", "(d")), 1u);
  EXPECT_EQ(z.Count(range("+", "-")), 0u);
  EXPECT_EQ(z.Count(range("[d", "[b")), 0u);
  EXPECT_EQ(z.Count(range("(a", "(a")), 0u);
  EXPECT_EQ(z.FirstIn(range("(a", "+")).member(), "b");
  EXPECT_EQ(z.LastIn(range("-", "(e")).member(), "d");
  EXPECT_EQ(z.RemoveRange(range("[b", "(d")), 2u);
  EXPECT_EQ(Contents(z), (Model{{10, "a"}, {10, "d"}, {10, "e"}}));
}

TEST_P(ZSetFlagsTest, PopAndRemoveRanks) {
  ZSetValue z = Make();
  for (int i = 0; i < 5; ++i) Add(z, "m" + std::to_string(i), i);
  EXPECT_EQ(z.Pop(false).member, "m0");
  const ZSetValue::Entry top = z.Pop(true);
  EXPECT_EQ(top.member, "a");
  EXPECT_EQ(top.score, 10);
  EXPECT_EQ(z.RemoveRanks(1, 2), 2u);
  EXPECT_EQ(Contents(z), (Model{{1, "m1"}, {4, "m4"}}));
}

TEST_P(ZSetFlagsTest, CopiesAreDeepAndKeepTheEncoding) {
  ZSetValue z = Make();
  Add(z, "b", 2);
  ZSetValue copy = z;
  EXPECT_EQ(copy.encoding(), z.encoding());
  Add(copy, "c", 3);
  copy.Remove("a");
  EXPECT_EQ(Contents(z), (Model{{2, "b"}, {10, "a"}}));
  EXPECT_EQ(Contents(copy), (Model{{2, "b"}, {3, "c"}}));
  ZSetValue moved = std::move(copy);
  EXPECT_EQ(moved.size(), 2u);
  EXPECT_EQ(copy.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from set is empty
  Value v(z);
  Value v2 = v;
  EXPECT_EQ(v2.zset().size(), 2u);
  EXPECT_EQ(v2.type(), ValueType::kZSet);
  EXPECT_EQ(v2.EncodingName(), z.EncodingName());
}

TEST_P(ZSetFlagsTest, RandomChoices) {
  ZSetValue z = Make();
  for (int i = 0; i < 30; ++i) Add(z, "m" + std::to_string(i), i);
  absl::BitGen gen;
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) seen.emplace(z.Random(gen).member());
  EXPECT_EQ(seen.size(), z.size()) << "every member comes up";
  for (size_t count : {1, 5, 11, 30}) {
    std::vector<ZSetValue::Cursor> chosen = z.RandomDistinct(count, gen);
    ASSERT_EQ(chosen.size(), count);
    std::set<std::string> distinct;
    for (const auto& c : chosen) distinct.emplace(c.member());
    EXPECT_EQ(distinct.size(), count);
    if (GetParam() == Encoding::kListpack) {
      for (size_t i = 1; i < chosen.size(); ++i) EXPECT_LT(chosen[i - 1].rank(), chosen[i].rank());
    }
  }
}

// ---------------------------------------------------------------------- model-checked workloads

// Random operations on a set and the model; after each, the two must agree on contents, scores,
// ranks (both directions), and the first/last/count of random score and lex ranges.
void RunAgainstModel(const ZSetLimits& limits, int steps, int keyspace, uint32_t seed) {
  std::mt19937 rng(seed);
  ZSetValue z;
  std::map<std::string, double> model;
  bool converted = false;
  auto rand_int = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  auto member = [&] {
    std::string m = "m" + std::to_string(rand_int(keyspace));
    if (rand_int(50) == 0) m += std::string(static_cast<size_t>(rand_int(80)), 'x');
    return m;
  };
  auto score = [&] { return static_cast<double>(rand_int(40)) / 4 - 3; };

  for (int step = 0; step < steps; ++step) {
    const int op = rand_int(100);
    if (op < 55) {
      const std::string m = member();
      const double s = score();
      const uint8_t flags = rand_int(4) == 0 ? ZSetValue::kIncr : 0;
      double got = 0;
      const AddResult r = z.Add(m, s, flags, limits, &got);
      auto it = model.find(m);
      const double expected = (flags && it != model.end()) ? it->second + s : s;
      ASSERT_EQ(r, it == model.end()        ? AddResult::kAdded
                   : expected == it->second ? AddResult::kUnchanged
                                            : AddResult::kUpdated);
      ASSERT_EQ(got, expected);
      model[m] = expected;
    } else if (op < 75) {
      const std::string m = member();
      ASSERT_EQ(z.Remove(m), model.erase(m) == 1);
    } else if (op < 82 && !model.empty()) {
      const size_t a = static_cast<size_t>(rand_int(static_cast<int>(model.size())));
      const size_t b = std::min(model.size() - 1, a + static_cast<size_t>(rand_int(4)));
      Model sorted = Sorted(model);
      ASSERT_EQ(z.RemoveRanks(a, b), b - a + 1);
      for (size_t i = a; i <= b; ++i) model.erase(sorted[i].second);
    } else if (op < 88) {
      ScoreRange r{score(), score(), rand_int(2) == 0, rand_int(2) == 0};
      size_t expected = 0;
      for (auto it = model.begin(); it != model.end();) {
        if (r.AboveMin(it->second) && r.BelowMax(it->second)) {
          it = model.erase(it);
          ++expected;
        } else {
          ++it;
        }
      }
      ASSERT_EQ(z.RemoveRange(r), expected);
    } else if (op < 92 && !model.empty()) {
      const bool highest = rand_int(2) == 0;
      Model sorted = Sorted(model);
      const auto& want = highest ? sorted.back() : sorted.front();
      const ZSetValue::Entry got = z.Pop(highest);
      ASSERT_EQ(got.member, want.second);
      ASSERT_EQ(got.score, want.first);
      model.erase(want.second);
    } else {
      const std::string m = member();
      const double s = score();
      const AddResult r = z.Add(m, s, ZSetValue::kXx, limits, nullptr);
      auto it = model.find(m);
      if (it == model.end()) {
        ASSERT_EQ(r, AddResult::kSkipped);
      } else {
        ASSERT_EQ(r, s == it->second ? AddResult::kUnchanged : AddResult::kUpdated);
        it->second = s;
      }
    }

    // Encoding: a listpack until a limit is crossed, then a skiplist for good.
    size_t longest = 0;
    for (const auto& [m, s] : model) longest = std::max(longest, m.size());
    if (model.size() > limits.max_listpack_entries || longest > limits.max_listpack_value) {
      converted = true;
    }
    if (converted) {
      ASSERT_EQ(z.encoding(), Encoding::kSkiplist) << step;
    }
    if (z.encoding() == Encoding::kSkiplist) converted = true;

    const Model sorted = Sorted(model);
    ASSERT_EQ(z.size(), sorted.size());
    ASSERT_EQ(Contents(z), sorted) << "step " << step;
    Model backwards;
    for (ZSetValue::Cursor c = z.Last(); c.valid(); c.Prev())
      backwards.emplace_back(c.score(), c.member());
    std::reverse(backwards.begin(), backwards.end());
    ASSERT_EQ(backwards, sorted);
    for (size_t i = 0; i < sorted.size(); ++i) {
      double s = 0;
      ASSERT_EQ(z.Rank(sorted[i].second, false, &s), i);
      ASSERT_EQ(s, sorted[i].first);
      ASSERT_EQ(z.Rank(sorted[i].second, true, nullptr), sorted.size() - 1 - i);
      ASSERT_EQ(z.AtRank(i).member(), sorted[i].second);
      ASSERT_EQ(z.AtRank(i).rank(), i);
    }
    ASSERT_FALSE(z.AtRank(sorted.size()).valid());
    for (int q = 0; q < 4; ++q) {
      ScoreRange r{score(), score(), rand_int(2) == 0, rand_int(2) == 0};
      std::vector<size_t> inside;
      for (size_t i = 0; i < sorted.size(); ++i) {
        if (r.AboveMin(sorted[i].first) && r.BelowMax(sorted[i].first)) inside.push_back(i);
      }
      ASSERT_EQ(z.Count(r), inside.size());
      const ZSetValue::Cursor first = z.FirstIn(r), last = z.LastIn(r);
      ASSERT_EQ(first.valid(), !inside.empty());
      ASSERT_EQ(last.valid(), !inside.empty());
      if (!inside.empty()) {
        ASSERT_EQ(first.rank(), inside.front());
        ASSERT_EQ(last.rank(), inside.back());
        ZSetValue::Cursor c = first;
        const size_t skip = static_cast<size_t>(rand_int(40));
        c.Advance(skip, false);
        if (inside.front() + skip < sorted.size()) {
          ASSERT_EQ(c.rank(), inside.front() + skip);
        } else {
          ASSERT_FALSE(c.valid());
        }
      }
    }
  }
}

TEST(ZSetModelTest, SmallLimitsCrossBetweenEncodings) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    RunAgainstModel({.max_listpack_entries = 8, .max_listpack_value = 30}, 300, 24, seed);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(ZSetModelTest, DefaultLimits) { RunAgainstModel(kDefault, 3000, 400, 7); }

TEST(ZSetModelTest, LargeSkiplistRanks) {
  std::mt19937 rng(3);
  ZSetValue z;
  std::map<std::string, double> model;
  for (int i = 0; i < 20000; ++i) {
    const std::string m = "k" + std::to_string(rng() % 30000);
    const double s = static_cast<double>(rng() % 1000);
    Add(z, m, s);
    model[m] = s;
  }
  for (int i = 0; i < 5000; ++i) {
    const std::string m = "k" + std::to_string(rng() % 30000);
    ASSERT_EQ(z.Remove(m), model.erase(m) == 1);
  }
  const Model sorted = Sorted(model);
  ASSERT_EQ(z.size(), sorted.size());
  for (size_t i = 0; i < sorted.size(); i += 97) {
    ASSERT_EQ(z.AtRank(i).member(), sorted[i].second);
    ASSERT_EQ(z.Rank(sorted[i].second, false, nullptr), i);
  }
  EXPECT_EQ(Contents(z), sorted);
}

// ------------------------------------------------------------------------------------ scanning

TEST(ZSetScanTest, ListpackAnswersAllAtOnce) {
  ZSetValue z = Build({{1, "a"}, {2, "b"}});
  Model seen;
  EXPECT_EQ(z.Scan(0, 1, [&](std::string_view m, double s) { seen.emplace_back(s, m); }), 0u);
  EXPECT_EQ(seen, (Model{{1, "a"}, {2, "b"}}));
}

TEST(ZSetScanTest, SkiplistScanSurvivesGrowthAndShrinking) {
  ZSetValue z;
  for (int i = 0; i < 1000; ++i) Add(z, "stay" + std::to_string(i), i);
  ASSERT_EQ(z.encoding(), Encoding::kSkiplist);
  std::set<std::string> found;
  uint64_t cursor = 0;
  int round = 0;
  do {
    cursor = z.Scan(cursor, 20, [&](std::string_view m, double) { found.emplace(m); });
    ++round;
    if (round < 15) {
      for (int i = 0; i < 200; ++i) Add(z, "grow" + std::to_string(round * 1000 + i), 0);
    } else if (round < 40) {
      for (int i = 0; i < 3000; ++i) z.Remove("grow" + std::to_string((round - 14) * 1000 + i));
    }
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(found.count("stay" + std::to_string(i)), 1u) << i;
}

// ------------------------------------------------------------------------------------- algebra

TEST(ZSetAlgebraTest, UnionInterDiffWithSetsWeightsAndAggregates) {
  ZSetValue a = Build({{1, "x"}, {2, "y"}, {3, "z"}});
  ZSetValue b = Build({{10, "y"}, {20, "z"}, {30, "w"}});
  SetValue s;
  for (const char* m : {"x", "w", "q"}) s.Add(m, SetLimits());
  auto sorted = [](std::vector<ZSetValue::Entry> v) {
    Model out;
    for (auto& e : v) out.emplace_back(e.score, e.member);
    std::sort(out.begin(), out.end());
    return out;
  };
  const ZSource za{.zset = &a}, zb{.zset = &b}, zs{.set = &s}, none{};
  EXPECT_EQ(sorted(CombineZSets(ZSetOp::kUnion, {za, zb, zs}, ZAggregate::kSum)),
            (Model{{1, "q"}, {2, "x"}, {12, "y"}, {23, "z"}, {31, "w"}}));
  EXPECT_EQ(
      sorted(CombineZSets(ZSetOp::kUnion, {{.zset = &a, .weight = 2}, {.zset = &b, .weight = 0.5}},
                          ZAggregate::kMax)),
      (Model{{2, "x"}, {5, "y"}, {10, "z"}, {15, "w"}}));
  EXPECT_EQ(sorted(CombineZSets(ZSetOp::kInter, {za, zb}, ZAggregate::kMin)),
            (Model{{2, "y"}, {3, "z"}}));
  EXPECT_EQ(sorted(CombineZSets(ZSetOp::kInter, {za, none}, ZAggregate::kSum)), Model{});
  EXPECT_EQ(sorted(CombineZSets(ZSetOp::kDiff, {zb, zs}, ZAggregate::kSum)),
            (Model{{10, "y"}, {20, "z"}}));
  EXPECT_EQ(sorted(CombineZSets(ZSetOp::kDiff, {za, za}, ZAggregate::kSum)), Model{});
  EXPECT_EQ(IntersectionSize({za, zb}, 0), 2u);
  EXPECT_EQ(IntersectionSize({za, zb}, 1), 1u);
  EXPECT_EQ(IntersectionSize({za, zs}, 0), 1u);
}

TEST(ZSetAlgebraTest, NaNBecomesZero) {
  const double inf = std::numeric_limits<double>::infinity();
  ZSetValue p = Build({{inf, "m"}});
  ZSetValue n = Build({{-inf, "m"}});
  auto only = [](const std::vector<ZSetValue::Entry>& v) { return v.at(0).score; };
  EXPECT_EQ(only(CombineZSets(ZSetOp::kUnion, {{.zset = &p}, {.zset = &n}}, ZAggregate::kSum)), 0);
  EXPECT_EQ(only(CombineZSets(ZSetOp::kInter, {{.zset = &p}, {.zset = &n}}, ZAggregate::kMin)),
            -inf);
  EXPECT_EQ(only(CombineZSets(ZSetOp::kUnion, {{.zset = &p, .weight = 0}}, ZAggregate::kSum)), 0);
}

}  // namespace
}  // namespace sessionkv::storage

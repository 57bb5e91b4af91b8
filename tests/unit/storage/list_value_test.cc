// SPDX-License-Identifier: Apache-2.0
// ListValue (storage/list_value.h): listpack byte accounting, the listpack <-> quicklist
// conversions at Redis 7.2's points, quicklist node layout (pushes, plain nodes, splits and
// merges), copies, and every operation against a std::deque model under random workloads and
// limits.
#include "storage/list_value.h"

#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "gtest/gtest.h"

namespace sessionkv::storage {
namespace {

using End = ListValue::End;
using Encoding = ListValue::Encoding;
constexpr int kDefaultFill = -2;  // list-max-listpack-size's default: 8 KB blocks

std::vector<std::string> All(const ListValue& l) {
  std::vector<std::string> out;
  if (l.empty()) return out;
  l.Visit(0, false, [&](std::string_view v) {
    out.emplace_back(v);
    return true;
  });
  return out;
}

ListValue Make(const std::vector<std::string>& values, int fill = kDefaultFill) {
  ListValue l;
  for (const std::string& v : values) l.Push(End::kTail, v, fill);
  return l;
}

TEST(ListValueTest, LpEntryBytesFollowsListpackEncodings) {
  EXPECT_EQ(LpEntryBytes("0"), 2u);  // 7-bit uint + backlen
  EXPECT_EQ(LpEntryBytes("127"), 2u);
  EXPECT_EQ(LpEntryBytes("128"), 3u);  // 13-bit int
  EXPECT_EQ(LpEntryBytes("-4096"), 3u);
  EXPECT_EQ(LpEntryBytes("4096"), 4u);  // 16-bit
  EXPECT_EQ(LpEntryBytes("-32768"), 4u);
  EXPECT_EQ(LpEntryBytes("32768"), 5u);        // 24-bit
  EXPECT_EQ(LpEntryBytes("8388608"), 6u);      // 32-bit
  EXPECT_EQ(LpEntryBytes("2147483648"), 10u);  // 64-bit
  EXPECT_EQ(LpEntryBytes("01"), 4u);           // not canonical: a 2-byte string
  EXPECT_EQ(LpEntryBytes(""), 2u);
  EXPECT_EQ(LpEntryBytes(std::string(63, 'a')), 65u);
  EXPECT_EQ(LpEntryBytes(std::string(64, 'a')), 67u);    // 12-bit string length
  EXPECT_EQ(LpEntryBytes(std::string(125, 'a')), 128u);  // encoding 127 bytes: 1-byte backlen
  EXPECT_EQ(LpEntryBytes(std::string(126, 'a')), 130u);  // encoding 128 bytes: 2-byte backlen
  EXPECT_EQ(LpEntryBytes(std::string(4095, 'a')), 4099u);
  EXPECT_EQ(LpEntryBytes(std::string(4096, 'a')), 4103u);  // 32-bit string length
}

TEST(ListValueTest, PushPopBothEndsKeepOrder) {
  ListValue l;
  const std::string_view abc[] = {"a", "b", "c"};
  l.Push(End::kHead, abc, kDefaultFill);  // LPUSH a b c -> c b a
  l.Push(End::kTail, "z", kDefaultFill);
  EXPECT_EQ(All(l), (std::vector<std::string>{"c", "b", "a", "z"}));
  EXPECT_EQ(l.EncodingName(), "listpack");
  EXPECT_EQ(l.Pop(End::kHead, 1, kDefaultFill), std::vector<std::string>{"c"});
  EXPECT_EQ(l.Pop(End::kTail, 2, kDefaultFill), (std::vector<std::string>{"z", "a"}));
  EXPECT_EQ(l.Pop(End::kTail, 5, kDefaultFill), std::vector<std::string>{"b"});
  EXPECT_TRUE(l.empty());
}

TEST(ListValueTest, BinaryAndLongElementsRoundTrip) {
  const std::vector<std::string> values = {std::string("\0\r\n\xff", 4), "", std::string(200, 'x'),
                                           std::string(20000, 'y'), "-9223372036854775808"};
  ListValue l = Make(values);
  EXPECT_EQ(All(l), values);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(*l.Index(static_cast<int64_t>(i)), values[i]);
    EXPECT_EQ(*l.Index(static_cast<int64_t>(i) - static_cast<int64_t>(values.size())), values[i]);
  }
  EXPECT_FALSE(l.Index(5).has_value());
  EXPECT_FALSE(l.Index(-6).has_value());
}

TEST(ListValueTest, GrowsIntoQuicklistPastTheByteLimit) {
  // 7 header bytes + n entries of 103 bytes (100-byte strings: 2-byte header, 1-byte backlen) fit
  // in 8192 until the estimate (bytes so far + the new string's length) passes 8192.
  ListValue l;
  const std::string v(100, 'v');
  size_t n = 0;
  while (l.encoding() == Encoding::kListpack) {
    l.Push(End::kTail, v, kDefaultFill);
    ++n;
  }
  // Before the last push: 7 + 103 * (n - 1) bytes; it converted because that + 100 > 8192.
  EXPECT_GT(7 + 103 * (n - 1) + 100, 8192u);
  EXPECT_LE(7 + 103 * (n - 2) + 100, 8192u);
  EXPECT_EQ(l.EncodingName(), "quicklist");
  EXPECT_EQ(l.size(), n);
}

TEST(ListValueTest, CountLimitAndConversionBackAtHalf) {
  // list-max-listpack-size 4: at most 4 elements per block; back to listpack at <= 2.
  const int fill = 4;
  ListValue l = Make({"a", "b", "c", "d"}, fill);
  EXPECT_EQ(l.encoding(), Encoding::kListpack);
  l.Push(End::kTail, "e", fill);  // 5 > 4: the listpack becomes node [a b c d], e opens node 2
  EXPECT_EQ(l.encoding(), Encoding::kQuicklist);
  EXPECT_EQ(l.node_count(), 2u);
  l.Pop(End::kTail, 1, fill);  // one node of 4 > 4 / 2
  EXPECT_EQ(l.encoding(), Encoding::kQuicklist);
  l.Pop(End::kTail, 2, fill);  // [a b]: within half
  EXPECT_EQ(l.encoding(), Encoding::kListpack);
  EXPECT_EQ(All(l), (std::vector<std::string>{"a", "b"}));
}

TEST(ListValueTest, QuicklistNodesFollowFill) {
  const int fill = 3;
  ListValue l = Make({"a", "b", "c"}, fill);
  EXPECT_EQ(l.encoding(), Encoding::kListpack);
  l.Push(End::kTail, "d", fill);  // converts: the listpack [a b c] is node 1, d opens node 2
  ASSERT_EQ(l.encoding(), Encoding::kQuicklist);
  EXPECT_EQ(l.node_count(), 2u);
  l.Push(End::kHead, "z", fill);  // the head node is full: a new head node
  EXPECT_EQ(l.node_count(), 3u);
  EXPECT_EQ(All(l), (std::vector<std::string>{"z", "a", "b", "c", "d"}));
  // Shrinking to one node within half the limit (1 element) converts back.
  l.Pop(End::kHead, 1, fill);  // [a b c][d]
  EXPECT_EQ(l.encoding(), Encoding::kQuicklist);
  l.Pop(End::kTail, 1, fill);  // [a b c]: one node, but 3 > 1
  EXPECT_EQ(l.encoding(), Encoding::kQuicklist);
  l.Pop(End::kTail, 1, fill);  // [a b]: 2 > 1
  EXPECT_EQ(l.encoding(), Encoding::kQuicklist);
  l.Pop(End::kTail, 1, fill);  // [a]
  EXPECT_EQ(l.encoding(), Encoding::kListpack);
  EXPECT_EQ(All(l), std::vector<std::string>{"a"});
}

TEST(ListValueTest, ShrinksBackAtHalfTheByteLimit) {
  ListValue l;
  const std::string v(1000, 'v');
  for (int i = 0; i < 9; ++i) l.Push(End::kTail, v, kDefaultFill);  // 9 KB: quicklist of 2 nodes
  ASSERT_EQ(l.encoding(), Encoding::kQuicklist);
  EXPECT_EQ(l.node_count(), 2u);
  l.Pop(End::kTail, 2, kDefaultFill);  // one node of 7 elements, ~7 KB > 4 KB
  EXPECT_EQ(l.node_count(), 1u);
  EXPECT_EQ(l.encoding(), Encoding::kQuicklist);
  l.Pop(End::kTail, 3, kDefaultFill);  // 4 elements, 7 + 4 * 1003 = 4019 <= 4096
  EXPECT_EQ(l.encoding(), Encoding::kListpack);
  EXPECT_EQ(l.size(), 4u);
}

TEST(ListValueTest, LargeElementsGetPlainNodes) {
  ListValue l = Make({"a", "b"});
  const std::string big(9000, 'B');  // > 8 KB: its own node
  l.Push(End::kTail, big, kDefaultFill);
  ASSERT_EQ(l.encoding(), Encoding::kQuicklist);
  EXPECT_EQ(l.node_count(), 2u);
  l.Push(End::kTail, "c", kDefaultFill);  // a plain node takes nothing else
  EXPECT_EQ(l.node_count(), 3u);
  EXPECT_EQ(All(l), (std::vector<std::string>{"a", "b", big, "c"}));
  // A single plain node never becomes a listpack.
  l.Pop(End::kHead, 2, kDefaultFill);
  l.Pop(End::kTail, 1, kDefaultFill);
  EXPECT_EQ(l.node_count(), 1u);
  EXPECT_EQ(l.encoding(), Encoding::kQuicklist);
  // Replacing it with a small element converts once it is a packed node within the limit.
  ASSERT_TRUE(l.Set(0, "small", kDefaultFill));
  EXPECT_EQ(l.encoding(), Encoding::kListpack);
  EXPECT_EQ(All(l), std::vector<std::string>{"small"});
}

TEST(ListValueTest, SetConvertsBeforeCheckingTheIndex) {
  ListValue l = Make({"a"});
  EXPECT_FALSE(l.Set(5, std::string(9000, 'x'), kDefaultFill));
  EXPECT_EQ(l.encoding(), Encoding::kQuicklist) << "Redis converts first, then finds no index 5";
  EXPECT_TRUE(l.Set(-1, "b", kDefaultFill));
  EXPECT_EQ(All(l), std::vector<std::string>{"b"});
  EXPECT_EQ(l.encoding(), Encoding::kListpack);
}

TEST(ListValueTest, InsertSplitsFullNodesAndMerges) {
  const int fill = 4;
  ListValue l;
  for (int i = 0; i < 12; ++i) l.Push(End::kTail, std::to_string(i), fill);  // [0-3][4-7][8-11]
  ASSERT_EQ(l.node_count(), 3u);
  ASSERT_TRUE(l.Insert("5", "x", /*after=*/true, fill));  // full middle node: split
  EXPECT_EQ(All(l), (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "x", "6", "7", "8", "9",
                                              "10", "11"}));
  EXPECT_EQ(l.node_count(), 4u);                           // [0-3][4 5][x 6 7][8-11]
  ASSERT_TRUE(l.Insert("0", "h", /*after=*/false, fill));  // full head node, no previous: new node
  EXPECT_EQ(l.node_count(), 5u);
  EXPECT_EQ(*l.Index(0), "h");
  ASSERT_TRUE(l.Insert("11", "t", /*after=*/true, fill));  // full tail node: new node after it
  EXPECT_EQ(*l.Index(-1), "t");
  EXPECT_FALSE(l.Insert("nope", "y", true, fill));
  EXPECT_EQ(l.size(), 15u);
}

TEST(ListValueTest, InsertLargeElementInsideNodeSplitsAroundPlainNode) {
  ListValue l = Make({"a", "b", "c"});
  l.Push(End::kTail, std::string(9000, 'x'), kDefaultFill);  // quicklist: [a b c][X]
  const std::string big(9000, 'y');
  ASSERT_TRUE(l.Insert("b", big, /*after=*/false, kDefaultFill));  // [a][Y][b c][X]
  EXPECT_EQ(l.node_count(), 4u);
  EXPECT_EQ(*l.Index(1), big);
  EXPECT_EQ(*l.Index(2), "b");
}

TEST(ListValueTest, RemoveTrimAndRotate) {
  ListValue l = Make({"a", "x", "b", "x", "c", "x"});
  EXPECT_EQ(l.Remove("x", 1, /*from_tail=*/true, kDefaultFill), 1u);
  EXPECT_EQ(All(l), (std::vector<std::string>{"a", "x", "b", "x", "c"}));
  EXPECT_EQ(l.Remove("x", 0, false, kDefaultFill), 2u);
  EXPECT_EQ(All(l), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(l.Rotate(End::kTail, End::kHead, kDefaultFill), "c");
  EXPECT_EQ(All(l), (std::vector<std::string>{"c", "a", "b"}));
  l.Trim(1, 1, kDefaultFill);
  EXPECT_EQ(All(l), std::vector<std::string>{"a"});
}

TEST(ListValueTest, CopiesAreIndependentAndKeepEncoding) {
  ListValue big;
  for (int i = 0; i < 3000; ++i) big.Push(End::kTail, "element-" + std::to_string(i), kDefaultFill);
  ASSERT_EQ(big.encoding(), Encoding::kQuicklist);
  ListValue copy = big;
  EXPECT_EQ(copy.encoding(), Encoding::kQuicklist);
  EXPECT_EQ(copy.node_count(), big.node_count());
  copy.Pop(End::kHead, 10, kDefaultFill);
  EXPECT_EQ(big.size(), 3000u);
  EXPECT_EQ(copy.size(), 2990u);
  EXPECT_EQ(*big.Index(0), "element-0");
  EXPECT_GT(big.HeapBytes(), 3000u * 10);
  ListValue assigned;
  assigned = copy;
  EXPECT_EQ(All(assigned), All(copy));
}

TEST(ListValueTest, FitsInValueVariant) { EXPECT_LE(sizeof(ListValue), 40u); }

// ------------------------------------------------------------------------------- model checking

// Every operation against a std::deque, with checks of the quicklist invariants via Index/Visit.
class Model {
 public:
  Model(int fill, std::mt19937_64& gen) : fill_(fill), gen_(gen) {}

  std::string RandomValue() {
    switch (absl::Uniform(gen_, 0, 10)) {
      case 0:
        return std::to_string(absl::Uniform<int64_t>(gen_, -100000, 100000));
      case 1:
        return std::string(absl::Uniform<size_t>(gen_, 0, 3000), 'L');
      case 2:
        if (absl::Bernoulli(gen_, 0.1))
          return std::string(absl::Uniform<size_t>(gen_, 8000, 20000), 'P');
        [[fallthrough]];
      default:
        return "v" + std::to_string(absl::Uniform(gen_, 0, 20));
    }
  }

  // One random operation; pushes or pops get extra probability (to grow lists past the limits and
  // shrink them back).
  void Step(double push_bias, double pop_bias) {
    int op = absl::Uniform(gen_, 0, 10);
    if (absl::Bernoulli(gen_, push_bias)) op = 0;
    if (absl::Bernoulli(gen_, pop_bias)) op = 2;
    const auto n = static_cast<int64_t>(model_.size());
    switch (op) {
      case 0:
      case 1: {  // push several
        const bool head = absl::Bernoulli(gen_, 0.5);
        std::vector<std::string> values(absl::Uniform<size_t>(gen_, 1, 5));
        for (auto& v : values) v = RandomValue();
        std::vector<std::string_view> views(values.begin(), values.end());
        list_.Push(head ? End::kHead : End::kTail, views, fill_);
        for (auto& v : values) head ? model_.push_front(v) : model_.push_back(v);
        break;
      }
      case 2: {  // pop
        const bool head = absl::Bernoulli(gen_, 0.5);
        const size_t count = absl::Uniform<size_t>(gen_, 1, 6);
        std::vector<std::string> expected;
        for (size_t i = 0; i < count && !model_.empty(); ++i) {
          expected.push_back(head ? model_.front() : model_.back());
          head ? model_.pop_front() : model_.pop_back();
        }
        ASSERT_EQ(list_.Pop(head ? End::kHead : End::kTail, count, fill_), expected);
        break;
      }
      case 3: {  // set
        const int64_t index = absl::Uniform<int64_t>(gen_, -n - 2, n + 2);
        const std::string v = RandomValue();
        const bool in_range = index >= -n && index < n;
        ASSERT_EQ(list_.Set(index, v, fill_), in_range);
        if (in_range) model_[index < 0 ? index + n : index] = v;
        break;
      }
      case 4: {  // insert
        const std::string pivot = RandomValue(), v = RandomValue();
        const bool after = absl::Bernoulli(gen_, 0.5);
        auto it = std::find(model_.begin(), model_.end(), pivot);
        ASSERT_EQ(list_.Insert(pivot, v, after, fill_), it != model_.end());
        if (it != model_.end()) model_.insert(after ? it + 1 : it, v);
        break;
      }
      case 5: {  // remove
        const std::string v = RandomValue();
        const size_t count = absl::Uniform<size_t>(gen_, 0, 4);
        const bool from_tail = absl::Bernoulli(gen_, 0.5);
        size_t removed = 0;
        if (from_tail) {
          for (auto i = model_.size(); i-- > 0 && (count == 0 || removed < count);) {
            if (model_[i] == v) {
              model_.erase(model_.begin() + static_cast<ptrdiff_t>(i));
              ++removed;
            }
          }
        } else {
          for (size_t i = 0; i < model_.size() && (count == 0 || removed < count);) {
            if (model_[i] == v) {
              model_.erase(model_.begin() + static_cast<ptrdiff_t>(i));
              ++removed;
            } else {
              ++i;
            }
          }
        }
        ASSERT_EQ(list_.Remove(v, count, from_tail, fill_), removed);
        break;
      }
      case 6: {  // trim a little from both ends
        if (model_.empty()) break;
        const size_t head = absl::Uniform<size_t>(gen_, 0, std::min<size_t>(3, model_.size()) + 1);
        const size_t tail =
            absl::Uniform<size_t>(gen_, 0, std::min<size_t>(3, model_.size() - head) + 1);
        list_.Trim(head, tail, fill_);
        model_.erase(model_.begin(), model_.begin() + static_cast<ptrdiff_t>(head));
        model_.erase(model_.end() - static_cast<ptrdiff_t>(tail), model_.end());
        break;
      }
      case 7: {  // rotate
        if (model_.empty()) break;
        const bool from_head = absl::Bernoulli(gen_, 0.5), to_head = absl::Bernoulli(gen_, 0.5);
        std::string v = from_head ? model_.front() : model_.back();
        from_head ? model_.pop_front() : model_.pop_back();
        to_head ? model_.push_front(v) : model_.push_back(v);
        ASSERT_EQ(list_.Rotate(from_head ? End::kHead : End::kTail,
                               to_head ? End::kHead : End::kTail, fill_),
                  v);
        break;
      }
      default: {  // index and reverse visits
        if (model_.empty()) break;
        const int64_t index = absl::Uniform<int64_t>(gen_, -n, n);
        ASSERT_EQ(*list_.Index(index), model_[index < 0 ? index + n : index]);
        const size_t start = absl::Uniform<size_t>(gen_, 0, model_.size());
        size_t i = start;
        list_.Visit(start, /*reverse=*/true, [&](std::string_view v) {
          EXPECT_EQ(v, model_[i]);
          return i-- > 0;
        });
        break;
      }
    }
    Check();
  }

  // Sizes after every step; whole contents every few steps (a full walk per step makes the test
  // slow under the sanitizers).
  void Check() {
    ASSERT_EQ(list_.size(), model_.size());
    if (++checks_ % 5 == 0 || model_.size() < 50) {
      ASSERT_EQ(All(list_), std::vector<std::string>(model_.begin(), model_.end()));
    }
    ++(list_.encoding() == Encoding::kListpack ? listpack_steps_ : quicklist_steps_);
  }

  void CheckAll() { ASSERT_EQ(All(list_), std::vector<std::string>(model_.begin(), model_.end())); }
  size_t listpack_steps() const { return listpack_steps_; }
  size_t quicklist_steps() const { return quicklist_steps_; }
  const ListValue& list() const { return list_; }

 private:
  int fill_;
  std::mt19937_64& gen_;
  ListValue list_;
  std::deque<std::string> model_;
  size_t checks_ = 0;
  size_t listpack_steps_ = 0;
  size_t quicklist_steps_ = 0;
};

TEST(ListValueTest, RandomOperationsMatchDequeModel) {
  // Seeded, so that a failure reproduces; several seeds per limit.
  for (int fill : {-1, -2, -5, 1, 3, 16, 128}) {
    for (uint64_t seed = 1; seed <= 2; ++seed) {
      std::mt19937_64 gen(seed * 1000 + static_cast<uint64_t>(fill + 10));
      Model m(fill, gen);
      // Grow, churn, then drain: through both encodings and back.
      for (int step = 0; step < 2100 && !(step > 1400 && m.list().empty()); ++step) {
        m.Step(step < 700 ? 0.4 : 0.0, step >= 1400 ? 0.6 : 0.0);
        if (::testing::Test::HasFatalFailure()) {
          ADD_FAILURE() << "fill " << fill << " seed " << seed << " step " << step;
          return;
        }
      }
      m.CheckAll();
    // Both encodings were exercised (with one element per block a list is a listpack only when a
      // single push makes it: too rare to require).
      if (fill != 1) EXPECT_GT(m.listpack_steps(), 0u) << "fill " << fill << " seed " << seed;
      EXPECT_GT(m.quicklist_steps(), 0u) << "fill " << fill << " seed " << seed;
    }
  }
}

}  // namespace
}  // namespace sessionkv::storage

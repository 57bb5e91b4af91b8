// SPDX-License-Identifier: Apache-2.0
// The sorted-set type's two encodings and the listpack -> skiplist conversion, following Redis 7's
// t_zset.c (zsetTypeCreate, zsetAdd, zsetConvertToListpackIfNeeded, the zzl* range functions).
#include "storage/zset_value.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>
#include <utility>

namespace sessionkv::storage {
namespace {

using Node = ZSkipList::Node;

// sdscmplex: a member against a bound, "-" below and "+" above everything.
int CompareToBound(std::string_view member, const LexBound& bound) {
  switch (bound.kind) {
    case LexBound::Kind::kMinusInfinity:
      return 1;
    case LexBound::Kind::kPlusInfinity:
      return -1;
    case LexBound::Kind::kMember:
      break;
  }
  const int c = member.compare(bound.member);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

// (score, member) order of listpack entries.
bool EntryBefore(const ZSetValue::Entry& e, double score, std::string_view member) {
  return e.score < score || (e.score == score && std::string_view(e.member) < member);
}

// Range tests on one element, for either kind of range.
bool AboveMin(const ScoreRange& r, std::string_view, double score) { return r.AboveMin(score); }
bool BelowMax(const ScoreRange& r, std::string_view, double score) { return r.BelowMax(score); }
bool AboveMin(const LexRange& r, std::string_view member, double) { return r.AboveMin(member); }
bool BelowMax(const LexRange& r, std::string_view member, double) { return r.BelowMax(member); }

// Redis's listpack stores an integral score as an integer (zzlInsertAt's double2ll), so -0 reads
// back as 0 there; a skiplist keeps the double as it is.
double ListpackScore(double score) { return score == 0 ? 0.0 : score; }

size_t StringHeap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

}  // namespace

bool LexRange::AboveMin(std::string_view member) const {
  const int c = CompareToBound(member, min);
  return min.exclusive ? c > 0 : c >= 0;
}

bool LexRange::BelowMax(std::string_view member) const {
  const int c = CompareToBound(member, max);
  return max.exclusive ? c < 0 : c <= 0;
}

// ---------------------------------------------------------------------------------------- cursor

std::string_view ZSetValue::Cursor::member() const {
  if (node_ != nullptr) return node_->member();
  return zset_->small()[index_].member;
}

double ZSetValue::Cursor::score() const {
  if (node_ != nullptr) return node_->score;
  return zset_->small()[index_].score;
}

size_t ZSetValue::Cursor::rank() const {
  if (node_ != nullptr) return zset_->list().RankOf(node_);
  return index_;
}

void ZSetValue::Cursor::Next() {
  if (node_ != nullptr) {
    *this = zset_->MakeCursor(node_->next());
  } else {
    *this = zset_->MakeCursor(index_ + 1);
  }
}

void ZSetValue::Cursor::Prev() {
  if (node_ != nullptr) {
    *this = zset_->MakeCursor(node_->prev());
  } else {
    *this = index_ == 0 ? Cursor() : zset_->MakeCursor(index_ - 1);
  }
}

// Steps one by one for short moves; jumps by rank (O(log n) in a skiplist) for long ones.
void ZSetValue::Cursor::Advance(size_t n, bool backward) {
  constexpr size_t kWalk = 16;
  if (n <= kWalk) {
    for (size_t i = 0; i < n && valid(); ++i) backward ? Prev() : Next();
    return;
  }
  const size_t r = rank();
  if (backward) {
    *this = n > r ? Cursor() : zset_->AtRank(r - n);
  } else {
    *this = zset_->AtRank(r + n);
  }
}

ZSetValue::Cursor ZSetValue::MakeCursor(size_t index) const {
  Cursor c;
  if (index < small().size()) {
    c.zset_ = this;
    c.index_ = index;
  }
  return c;
}

ZSetValue::Cursor ZSetValue::MakeCursor(const Node* node) const {
  Cursor c;
  if (node != nullptr) {
    c.zset_ = this;
    c.node_ = node;
  }
  return c;
}

// ------------------------------------------------------------------------- construction, copies

ZSetValue::~ZSetValue() = default;

ZSetValue::ZSetValue(const ZSetValue& other) {
  if (other.encoding() == Encoding::kListpack) {
    rep_ = other.small();
  } else {
    rep_ = other.list().Clone();
  }
}

ZSetValue& ZSetValue::operator=(const ZSetValue& other) {
  if (this != &other) *this = ZSetValue(other);
  return *this;
}

ZSetValue::ZSetValue(ZSetValue&& other) noexcept : rep_(std::move(other.rep_)) {
  other.rep_ = std::vector<Entry>();
}

ZSetValue& ZSetValue::operator=(ZSetValue&& other) noexcept {
  if (this != &other) {
    rep_ = std::move(other.rep_);
    other.rep_ = std::vector<Entry>();
  }
  return *this;
}

ZSetValue ZSetValue::Create(size_t size_hint, size_t member_size_hint, const ZSetLimits& limits) {
  ZSetValue z;
  if (size_hint > limits.max_listpack_entries || member_size_hint > limits.max_listpack_value) {
    z.ConvertToSkiplist(size_hint);
  }
  return z;
}

ZSetValue ZSetValue::FromEntries(std::vector<Entry> entries, const ZSetLimits& limits) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return EntryBefore(a, b.score, b.member); });
  size_t longest = 0;
  for (const Entry& e : entries) longest = std::max(longest, e.member.size());
  ZSetValue z;
  z.rep_ = std::move(entries);
  if (z.size() > limits.max_listpack_entries || longest > limits.max_listpack_value) {
    z.ConvertToSkiplist(z.size());
  } else {
    for (Entry& e : z.small()) e.score = ListpackScore(e.score);
  }
  return z;
}

// Inserting from the highest member down makes every skiplist insertion stop at the header.
void ZSetValue::ConvertToSkiplist(size_t capacity) {
  auto sl = std::make_unique<ZSkipList>();
  sl->Reserve(std::max(capacity, small().size()));
  for (auto it = small().rbegin(); it != small().rend(); ++it) sl->Insert(it->member, it->score);
  rep_ = std::move(sl);
}

void ZSetValue::PrepareFor(size_t size_hint, const ZSetLimits& limits) {
  if (encoding() == Encoding::kListpack && size_hint > limits.max_listpack_entries) {
    ConvertToSkiplist(size_hint);
  }
}

std::string_view ZSetValue::EncodingName() const {
  return encoding() == Encoding::kListpack ? "listpack" : "skiplist";
}

size_t ZSetValue::HeapBytes() const {
  if (encoding() == Encoding::kSkiplist) return sizeof(ZSkipList) + list().HeapBytes();
  size_t bytes = small().capacity() * sizeof(Entry);
  for (const Entry& e : small()) bytes += StringHeap(e.member);
  return bytes;
}

// ----------------------------------------------------------------------------- members, scores

size_t ZSetValue::size() const {
  return encoding() == Encoding::kListpack ? small().size() : list().size();
}

size_t ZSetValue::SmallFind(std::string_view member) const {
  const auto& v = small();
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i].member == member) return i;
  }
  return v.size();
}

void ZSetValue::SmallInsert(std::string_view member, double score) {
  auto& v = small();
  auto it = std::lower_bound(
      v.begin(), v.end(), member,
      [score](const Entry& e, std::string_view m) { return EntryBefore(e, score, m); });
  v.insert(it, Entry{std::string(member), ListpackScore(score)});
}

std::optional<double> ZSetValue::Score(std::string_view member) const {
  if (encoding() == Encoding::kListpack) {
    const size_t pos = SmallFind(member);
    if (pos == small().size()) return std::nullopt;
    return small()[pos].score;
  }
  const Node* n = list().Find(member);
  if (n == nullptr) return std::nullopt;
  return n->score;
}

// Redis's zsetAdd: the decision is the same for both encodings; only finding and moving differ.
ZSetValue::AddResult ZSetValue::Add(std::string_view member, double score, uint8_t flags,
                                    const ZSetLimits& limits, double* new_score) {
  if (std::isnan(score)) return AddResult::kNaN;
  size_t pos = 0;
  const Node* node = nullptr;
  std::optional<double> current;
  if (encoding() == Encoding::kListpack) {
    pos = SmallFind(member);
    if (pos < small().size()) current = small()[pos].score;
  } else {
    node = list().Find(member);
    if (node != nullptr) current = node->score;
  }

  if (current.has_value()) {
    if (flags & kNx) return AddResult::kSkipped;
    if (flags & kIncr) {
      score += *current;
      if (std::isnan(score)) return AddResult::kNaN;
    }
    if (((flags & kLt) && score >= *current) || ((flags & kGt) && score <= *current)) {
      return AddResult::kSkipped;
    }
    if (new_score != nullptr) *new_score = score;
    if (score == *current) return AddResult::kUnchanged;
    if (encoding() == Encoding::kListpack) {
      std::string kept = std::move(small()[pos].member);
      small().erase(small().begin() + static_cast<std::ptrdiff_t>(pos));
      SmallInsert(kept, score);
    } else {
      list().UpdateScore(node, score);
    }
    return AddResult::kUpdated;
  }

  if (flags & kXx) return AddResult::kSkipped;
  if (encoding() == Encoding::kListpack && (small().size() + 1 > limits.max_listpack_entries ||
                                            member.size() > limits.max_listpack_value)) {
    ConvertToSkiplist(small().size() + 1);
  }
  if (encoding() == Encoding::kListpack) {
    SmallInsert(member, score);
  } else {
    list().Insert(member, score);
  }
  if (new_score != nullptr) *new_score = score;
  return AddResult::kAdded;
}

bool ZSetValue::Remove(std::string_view member) {
  if (encoding() == Encoding::kSkiplist) return list().Remove(member);
  const size_t pos = SmallFind(member);
  if (pos == small().size()) return false;
  small().erase(small().begin() + static_cast<std::ptrdiff_t>(pos));
  return true;
}

std::optional<size_t> ZSetValue::Rank(std::string_view member, bool reverse, double* score) const {
  size_t rank;
  if (encoding() == Encoding::kListpack) {
    rank = SmallFind(member);
    if (rank == small().size()) return std::nullopt;
    if (score != nullptr) *score = small()[rank].score;
  } else {
    const Node* n = list().Find(member);
    if (n == nullptr) return std::nullopt;
    rank = list().RankOf(n);
    if (score != nullptr) *score = n->score;
  }
  return reverse ? size() - 1 - rank : rank;
}

// ---------------------------------------------------------------------------- positions, ranges

ZSetValue::Cursor ZSetValue::First() const { return AtRank(0); }

ZSetValue::Cursor ZSetValue::Last() const {
  if (encoding() == Encoding::kSkiplist) return MakeCursor(list().Last());
  return small().empty() ? Cursor() : MakeCursor(small().size() - 1);
}

ZSetValue::Cursor ZSetValue::AtRank(size_t rank) const {
  if (encoding() == Encoding::kSkiplist) return MakeCursor(list().AtRank(rank));
  return MakeCursor(rank);
}

// A listpack is searched linearly from its start (Redis's zzlFirstInRange), a skiplist by its
// levels; both then check the other end of the range.
template <typename Range>
ZSetValue::Cursor ZSetValue::FirstInRange(const Range& range) const {
  Cursor c;
  if (encoding() == Encoding::kListpack) {
    const auto& v = small();
    auto it = std::find_if(v.begin(), v.end(),
                           [&](const Entry& e) { return AboveMin(range, e.member, e.score); });
    c = MakeCursor(static_cast<size_t>(it - v.begin()));
  } else {
    c = MakeCursor(
        list().LowerBound([&](const Node* n) { return !AboveMin(range, n->member(), n->score); }));
  }
  if (c.valid() && !BelowMax(range, c.member(), c.score())) return Cursor();
  return c;
}

template <typename Range>
ZSetValue::Cursor ZSetValue::LastInRange(const Range& range) const {
  Cursor c;
  if (encoding() == Encoding::kListpack) {
    const auto& v = small();
    auto it = std::find_if(v.rbegin(), v.rend(),
                           [&](const Entry& e) { return BelowMax(range, e.member, e.score); });
    if (it != v.rend()) c = MakeCursor(static_cast<size_t>(v.rend() - it) - 1);
  } else {
    c = MakeCursor(
        list().LastWithin([&](const Node* n) { return BelowMax(range, n->member(), n->score); }));
  }
  if (c.valid() && !AboveMin(range, c.member(), c.score())) return Cursor();
  return c;
}

ZSetValue::Cursor ZSetValue::FirstIn(const ScoreRange& range) const { return FirstInRange(range); }
ZSetValue::Cursor ZSetValue::LastIn(const ScoreRange& range) const { return LastInRange(range); }
ZSetValue::Cursor ZSetValue::FirstIn(const LexRange& range) const { return FirstInRange(range); }
ZSetValue::Cursor ZSetValue::LastIn(const LexRange& range) const { return LastInRange(range); }

size_t ZSetValue::Count(const ScoreRange& range) const {
  const Cursor first = FirstIn(range);
  if (!first.valid()) return 0;
  return LastIn(range).rank() - first.rank() + 1;
}

// Lex ranges assume equal scores; with mixed scores the first and last matches may cross, which
// counts as nothing.
size_t ZSetValue::Count(const LexRange& range) const {
  const Cursor first = FirstIn(range);
  if (!first.valid()) return 0;
  const size_t a = first.rank();
  const size_t b = LastIn(range).rank();
  return b < a ? 0 : b - a + 1;
}

size_t ZSetValue::RemoveRanks(size_t start, size_t end) {
  if (encoding() == Encoding::kSkiplist) return list().RemoveRanks(start, end);
  auto& v = small();
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(start),
          v.begin() + static_cast<std::ptrdiff_t>(end) + 1);
  return end - start + 1;
}

// Redis's zslDeleteRangeBy{Score,Lex}: from the first member in range, while the members stay
// under the maximum.
template <typename Range>
size_t ZSetValue::RemoveInRange(const Range& range) {
  Cursor c = FirstInRange(range);
  if (!c.valid()) return 0;
  const size_t start = c.rank();
  size_t n = 0;
  for (; c.valid() && BelowMax(range, c.member(), c.score()); c.Next()) ++n;
  return RemoveRanks(start, start + n - 1);
}

size_t ZSetValue::RemoveRange(const ScoreRange& range) { return RemoveInRange(range); }
size_t ZSetValue::RemoveRange(const LexRange& range) { return RemoveInRange(range); }

ZSetValue::Entry ZSetValue::Pop(bool highest) {
  const Cursor c = highest ? Last() : First();
  Entry e{std::string(c.member()), c.score()};
  const size_t rank = highest ? size() - 1 : 0;
  RemoveRanks(rank, rank);
  return e;
}

// ---------------------------------------------------------------------------- random, scanning

ZSetValue::Cursor ZSetValue::Random(absl::BitGen& gen) const {
  return AtRank(absl::Uniform<size_t>(gen, 0, size()));
}

// A listpack selects ranks in order (selection sampling); a skiplist draws ranks at random,
// dropping repeats when few are wanted (Redis's ZRANDMEMBER case 4) and otherwise shuffling every
// rank partly (case 3), so the cost follows `count`, not the set's size, when count is small.
std::vector<ZSetValue::Cursor> ZSetValue::RandomDistinct(size_t count, absl::BitGen& gen) const {
  const size_t n = size();
  std::vector<Cursor> out;
  out.reserve(count);
  if (encoding() == Encoding::kListpack) {
    size_t needed = count;
    for (size_t i = 0; i < n && needed > 0; ++i) {
      if (absl::Uniform<size_t>(gen, 0, n - i) < needed) {
        out.push_back(MakeCursor(i));
        --needed;
      }
    }
    return out;
  }
  if (count * 3 <= n) {
    std::unordered_set<size_t> chosen;
    while (out.size() < count) {
      const size_t r = absl::Uniform<size_t>(gen, 0, n);
      if (chosen.insert(r).second) out.push_back(AtRank(r));
    }
    return out;
  }
  std::vector<size_t> ranks(n);
  for (size_t i = 0; i < n; ++i) ranks[i] = i;
  for (size_t i = 0; i < count; ++i) {
    std::swap(ranks[i], ranks[absl::Uniform<size_t>(gen, i, n)]);
    out.push_back(AtRank(ranks[i]));
  }
  return out;
}

uint64_t ZSetValue::Scan(uint64_t cursor, size_t count,
                         absl::FunctionRef<void(std::string_view, double)> fn) const {
  if (encoding() == Encoding::kSkiplist) return list().Scan(cursor, count, fn);
  for (const Entry& e : small()) fn(e.member, e.score);
  return 0;
}

}  // namespace sessionkv::storage

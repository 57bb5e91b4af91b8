// SPDX-License-Identifier: Apache-2.0
// The sorted-set type: distinct byte-string members, each with a double score (never NaN), ordered
// by (score, member bytes), in one of Redis 7's two encodings.
//
//   listpack  at most zset-max-listpack-entries members of at most zset-max-listpack-value bytes:
//             one vector of (member, score) kept in order. Membership is a linear scan, as in
//             Redis's listpack; ranks are positions.
//   skiplist  anything else: storage/zset_skiplist.h (ranks in O(log n), members hashed).
//
// A listpack becomes a skiplist when an insertion would exceed a limit, or when a ZADD announces
// more members than the entry limit (zsetTypeMaybeConvert); a skiplist never shrinks back by
// itself. Only results built whole (ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE) choose the
// listpack when they are small (FromEntries), as Redis's zsetConvertToListpackIfNeeded does. The
// limits come from the caller (the server's config) in ZSetLimits; this layer knows nothing about
// configuration, RESP or commands.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/random/random.h"
#include "storage/value_type.h"
#include "storage/zset_skiplist.h"

namespace sessionkv::storage {

// The encoding thresholds (Redis's zset-max-listpack-entries and zset-max-listpack-value).
struct ZSetLimits {
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

// A score interval with either end open (Redis's zrangespec); min > max is simply empty.
struct ScoreRange {
  double min = 0;
  double max = 0;
  bool min_exclusive = false;
  bool max_exclusive = false;

  bool AboveMin(double score) const { return min_exclusive ? score > min : score >= min; }
  bool BelowMax(double score) const { return max_exclusive ? score < max : score <= max; }
};

// One end of a lexicographic interval: "-" (before every member), "+" (after every member), or a
// member, inclusive ("[m") or exclusive ("(m").
struct LexBound {
  enum class Kind : uint8_t { kMinusInfinity, kPlusInfinity, kMember };
  Kind kind = Kind::kMember;
  std::string member;
  bool exclusive = false;
};

// Redis's zlexrangespec. Members compare as bytes (memcmp, then length).
struct LexRange {
  LexBound min;
  LexBound max;

  bool AboveMin(std::string_view member) const;
  bool BelowMax(std::string_view member) const;
};

class ZSetValue {
 public:
  static constexpr ValueType kType = ValueType::kZSet;
  enum class Encoding : uint8_t { kListpack, kSkiplist };

  // Add's options (Redis's ZADD_IN_*): INCR adds to the current score (0 for a new member); NX
  // only adds; XX only updates; GT/LT update only to a greater/lesser score (new members are added
  // anyway).
  enum AddFlag : uint8_t { kIncr = 1, kNx = 2, kXx = 4, kGt = 8, kLt = 16 };
  enum class AddResult : uint8_t {
    kAdded,      // a new member
    kUpdated,    // its score changed
    kUnchanged,  // processed, same score
    kSkipped,    // NX, XX, GT or LT said no
    kNaN,        // the resulting score would be NaN; nothing changed
  };

  // A member with its score: the listpack's element, and what whole-result builders produce.
  struct Entry {
    std::string member;
    double score = 0;
  };

  // A position in the order (or past an end: !valid()). Valid until the set is modified.
  class Cursor {
   public:
    bool valid() const { return zset_ != nullptr; }
    std::string_view member() const;
    double score() const;
    // 0-based rank in ascending order: O(1) for a listpack, O(log n) for a skiplist.
    size_t rank() const;
    void Next();
    void Prev();
    // Moves n places forward (or backward); past an end it becomes invalid.
    void Advance(size_t n, bool backward);

   private:
    friend class ZSetValue;
    const ZSetValue* zset_ = nullptr;
    size_t index_ = 0;                       // listpack position
    const ZSkipList::Node* node_ = nullptr;  // skiplist node
  };

  // An empty listpack (the start of every result Redis builds member by member).
  ZSetValue() = default;
  ~ZSetValue();
  ZSetValue(const ZSetValue& other);
  ZSetValue& operator=(const ZSetValue& other);
  // A moved-from set is an empty listpack.
  ZSetValue(ZSetValue&& other) noexcept;
  ZSetValue& operator=(ZSetValue&& other) noexcept;

  // An empty set in the encoding Redis's zsetTypeCreate picks for `size_hint` members to come whose
  // first is `member_size_hint` bytes long.
  static ZSetValue Create(size_t size_hint, size_t member_size_hint, const ZSetLimits& limits);
  // A set of `entries` (distinct members, any order): a listpack if it fits the limits, else a
  // skiplist.
  static ZSetValue FromEntries(std::vector<Entry> entries, const ZSetLimits& limits);

  Encoding encoding() const { return static_cast<Encoding>(rep_.index()); }
  // Redis's OBJECT ENCODING name: "listpack" or "skiplist".
  std::string_view EncodingName() const;
  // Approximate heap bytes (MEMORY USAGE, used_memory).
  size_t HeapBytes() const;

  size_t size() const;
  bool empty() const { return size() == 0; }
  std::optional<double> Score(std::string_view member) const;

  // Adds or updates `member` with `score` (not NaN) under `flags` (AddFlag bits), converting to a
  // skiplist first when the listpack would exceed `limits`. *new_score receives the member's score
  // after an add, update or unchanged result.
  AddResult Add(std::string_view member, double score, uint8_t flags, const ZSetLimits& limits,
                double* new_score);
  // Removes `member`; true if it was present.
  bool Remove(std::string_view member);
  // Converts a listpack to a skiplist sized for `size_hint` members when the hint exceeds the entry
  // limit (ZADD with many pairs), as Redis's zsetTypeMaybeConvert.
  void PrepareFor(size_t size_hint, const ZSetLimits& limits);

  // The 0-based rank of `member` (from the highest score when `reverse`), and its score.
  std::optional<size_t> Rank(std::string_view member, bool reverse, double* score) const;

  Cursor First() const;
  Cursor Last() const;
  Cursor AtRank(size_t rank) const;  // invalid past the end
  // The first and last members inside a range (invalid when none is).
  Cursor FirstIn(const ScoreRange& range) const;
  Cursor LastIn(const ScoreRange& range) const;
  Cursor FirstIn(const LexRange& range) const;
  Cursor LastIn(const LexRange& range) const;
  size_t Count(const ScoreRange& range) const;
  size_t Count(const LexRange& range) const;

  // Removes the members at ranks [start, end] (end < size()); returns how many.
  size_t RemoveRanks(size_t start, size_t end);
  size_t RemoveRange(const ScoreRange& range);
  size_t RemoveRange(const LexRange& range);
  // Removes and returns the lowest (or highest) member; the set is not empty.
  Entry Pop(bool highest);

  // One uniformly chosen member (the set is not empty).
  Cursor Random(absl::BitGen& gen) const;
  // `count` (< size()) distinct members chosen at random: in ascending order for a listpack (as
  // Redis's lpRandomPairsUnique), in random order for a skiplist.
  std::vector<Cursor> RandomDistinct(size_t count, absl::BitGen& gen) const;

  // One step of ZSCAN. A listpack answers every member at cursor 0 and returns 0, as Redis does; a
  // skiplist walks its member index (storage/zset_skiplist.h).
  uint64_t Scan(uint64_t cursor, size_t count,
                absl::FunctionRef<void(std::string_view member, double score)> fn) const;

 private:
  std::vector<Entry>& small() { return std::get<0>(rep_); }
  const std::vector<Entry>& small() const { return std::get<0>(rep_); }
  ZSkipList& list() { return *std::get<1>(rep_); }
  const ZSkipList& list() const { return *std::get<1>(rep_); }

  Cursor MakeCursor(size_t index) const;
  Cursor MakeCursor(const ZSkipList::Node* node) const;
  // The listpack position of `member`, or size() when absent.
  size_t SmallFind(std::string_view member) const;
  void SmallInsert(std::string_view member, double score);
  void ConvertToSkiplist(size_t capacity);

  template <typename Range>
  Cursor FirstInRange(const Range& range) const;
  template <typename Range>
  Cursor LastInRange(const Range& range) const;
  template <typename Range>
  size_t RemoveInRange(const Range& range);

  // The variant's index is the Encoding. The skiplist lives behind a pointer so that a sorted set
  // stays within storage::Value's size budget.
  std::variant<std::vector<Entry>, std::unique_ptr<ZSkipList>> rep_;
};

}  // namespace sessionkv::storage

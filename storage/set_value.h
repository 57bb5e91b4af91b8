// SPDX-License-Identifier: Apache-2.0
// The set type: an unordered collection of distinct byte strings, in one of Redis 7.2's three
// encodings.
//
//   intset     every member is a decimal int64 and there are at most set-max-intset-entries:
//              a sorted vector of int64 (members answer in ascending order, as in Redis);
//   listpack   at most set-max-listpack-entries members of at most set-max-listpack-value
//              bytes: a contiguous vector of strings in insertion order;
//   hashtable  anything else: a chained table with a power-of-two bucket count, so that SSCAN
//              can use Redis's reverse-binary cursor (see storage/dict.h) and keep its
//              guarantees across resizes.
//
// Encodings only move upward (intset -> listpack -> hashtable, or intset -> hashtable), as in
// Redis, which never converts a set back down. The thresholds come from the caller (the server's
// config) in SetLimits, so this layer knows nothing about configuration, RESP or commands (style.md
// pattern 7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/random/random.h"
#include "storage/value_type.h"

namespace sessionkv::storage {

// The encoding thresholds (Redis's set-max-intset-entries, set-max-listpack-entries and
// set-max-listpack-value).
struct SetLimits {
  size_t max_intset_entries = 512;
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

class SetValue {
 public:
  static constexpr ValueType kType = ValueType::kSet;
  enum class Encoding : uint8_t { kIntset, kListpack, kHashtable };

  // An empty set in the encoding Redis's setTypeCreate picks for a first member `first` and
  // `size_hint` members to come: intset if `first` is an integer and the hint fits, listpack if the
  // hint fits, else hashtable (pre-sized for the hint).
  static SetValue Create(std::string_view first, size_t size_hint, const SetLimits& limits);
  // True if `s` is what Redis stores in an intset: canonical decimal int64 (string2ll).
  static bool IsInteger(std::string_view s, int64_t* out);
  // Redis's createIntsetObject: the empty set SINTERSTORE/SUNIONSTORE/SDIFFSTORE fill.
  SetValue() = default;

  Encoding encoding() const { return static_cast<Encoding>(rep_.index()); }
  // Redis's OBJECT ENCODING name: "intset", "listpack" or "hashtable".
  std::string_view EncodingName() const;
  // Approximate heap bytes (MEMORY USAGE, used_memory).
  size_t HeapBytes() const;

  size_t size() const;
  bool empty() const { return size() == 0; }
  bool Contains(std::string_view member) const;
  // Adds `member`; true if it was not present. Converts the encoding upward first when needed.
  bool Add(std::string_view member, const SetLimits& limits);
  // Removes `member`; true if it was present.
  bool Remove(std::string_view member);

  // Visits every member once (intset ascending, listpack insertion order, hashtable bucket order).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    switch (encoding()) {
      case Encoding::kIntset:
        for (int64_t v : ints()) fn(std::string_view(IntText(v)));
        break;
      case Encoding::kListpack:
        for (const std::string& s : small()) fn(std::string_view(s));
        break;
      case Encoding::kHashtable:
        for (const auto& bucket : table().buckets)
          for (const std::string& s : bucket) fn(std::string_view(s));
        break;
    }
  }
  // Every member, in ForEach order.
  std::vector<std::string> Members() const;

  // One uniformly chosen member (the set is not empty).
  std::string RandomMember(absl::BitGen& gen) const;
  // Removes and returns one uniformly chosen member (the set is not empty).
  std::string PopRandom(absl::BitGen& gen);
  // `count` distinct members chosen at random (all of them if count >= size()), in no set order.
  std::vector<std::string> RandomDistinct(size_t count, absl::BitGen& gen) const;

  // One step of SSCAN. The compact encodings answer every member at cursor 0 and return 0, as Redis
  // does. The hashtable visits buckets from `cursor` until `count` members were seen, the scan ends
  // or 10 * count buckets were visited (Redis's bound for sparse tables), and returns the next
  // cursor (0 = done). Every member present for the whole scan is returned at least once, even if
  // the table grows or shrinks between calls (Redis's reverse-binary cursor).
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const {
    if (encoding() != Encoding::kHashtable) {
      ForEach(fn);
      return 0;
    }
    if (table().size == 0) return 0;
    const uint64_t mask = table().buckets.size() - 1;
    size_t budget = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
    size_t seen = 0;
    do {
      for (const std::string& s : table().buckets[cursor & mask]) {
        fn(std::string_view(s));
        ++seen;
      }
      cursor = NextCursor(cursor, mask);
    } while (cursor != 0 && --budget > 0 && seen < count);
    return cursor;
  }

 private:
  static std::string IntText(int64_t v) { return std::to_string(v); }
  static uint64_t NextCursor(uint64_t cursor, uint64_t mask);
  static uint64_t HashOf(std::string_view s);

  // Conversions (upward only).
  void ConvertToListpack();
  void ConvertToHashtable(size_t expected);
  // Hashtable helpers.
  void TableInsert(std::string member);
  void TableResize(size_t buckets);
  void TableMaybeShrink();
  std::vector<std::string>& BucketOf(std::string_view s) {
    return table().buckets[HashOf(s) & (table().buckets.size() - 1)];
  }
  const std::vector<std::string>& BucketOf(std::string_view s) const {
    return table().buckets[HashOf(s) & (table().buckets.size() - 1)];
  }

  // The hashtable form.
  struct Table {
    std::vector<std::vector<std::string>> buckets;  // power-of-two count
    size_t size = 0;                                // members
  };
  // The variant's index is the Encoding. One variant (not three members) keeps a set as small as a
  // string inside storage::Value, so sets do not make every key bigger.
  std::vector<int64_t>& ints() { return std::get<0>(rep_); }  // sorted, distinct
  const std::vector<int64_t>& ints() const { return std::get<0>(rep_); }
  std::vector<std::string>& small() { return std::get<1>(rep_); }  // insertion order, distinct
  const std::vector<std::string>& small() const { return std::get<1>(rep_); }
  Table& table() { return std::get<2>(rep_); }
  const Table& table() const { return std::get<2>(rep_); }

  std::variant<std::vector<int64_t>, std::vector<std::string>, Table> rep_;
};

}  // namespace sessionkv::storage

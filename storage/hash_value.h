// SPDX-License-Identifier: Apache-2.0
// The hash type: a map from field to value, both byte strings.
//
// Two things are kept apart here on purpose.
//
// The encoding Redis would report (OBJECT ENCODING) follows Redis 7.2's t_hash.c exactly:
// "listpack" until a write brings a field or value longer than hash-max-listpack-value, more fields
// than hash-max-listpack-entries, or more pairs in one HSET than hash-max-listpack-entries; then
// "hashtable" for good (Redis never converts a hash back). It is one flag, `reports_listpack()`.
//
// The layout this class really uses is chosen for memory (design.md "Memory"). Spring Session's
// JDK serializer makes nearly every session value longer than 64 bytes, so in Redis nearly every
// session is a dict (a dictEntry and two sds strings per field, a bucket array, the dict header).
// Here:
//
//   compact  one heap buffer of entries, each `varint(field length) field varint(value length)
//            value`, in insertion order. Lookups scan it; an update of a value of the same length
//            (HSET lastAccessedTime) is a memcpy in place. Used while Redis would report listpack
//            (so a listpack costs no more than Redis's), and beyond that while the hash has at
//            most kCompactMaxFields fields in at most kCompactMaxBytes, which bounds the cost of a
//            scan or a memmove: a 4 KB, 10-field session stays one buffer.
//   table    a chained table with a power-of-two bucket count; each field is one node holding the
//            next pointer and the same entry encoding. HSCAN uses Redis's reverse-binary cursor on
//            it (see storage/dict.h), so every field present for the whole scan is returned even if
//            the table grows or shrinks between calls.
//
// The layout only moves from compact to table, never back. The thresholds come from the caller in
// HashLimits, so this layer knows nothing about configuration, RESP or commands (style.md pattern
// 7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/random/random.h"
#include "storage/value_type.h"

namespace sessionkv::storage {

// Redis's hash-max-listpack-entries and hash-max-listpack-value.
struct HashLimits {
  size_t max_listpack_entries = 512;
  size_t max_listpack_value = 64;
};

class HashValue {
 public:
  static constexpr ValueType kType = ValueType::kHash;
  enum class Layout : uint8_t { kCompact, kTable };
  using Pair = std::pair<std::string_view, std::string_view>;  // (field, value)
  using PairFn = absl::FunctionRef<void(std::string_view field, std::string_view value)>;

  // The compact layout's bounds once the reported encoding is hashtable.
  static constexpr size_t kCompactMaxFields = 64;
  static constexpr size_t kCompactMaxBytes = 16 * 1024;
  // Redis's LISTPACK_MAX_SAFETY_SIZE: a listpack never grows past 1 GiB. The compact layout never
  // does either (its length is 32 bits).
  static constexpr size_t kListpackSafetyBytes = size_t{1} << 30;

  // An empty hash: listpack, compact (Redis's createHashObject).
  HashValue() = default;
  ~HashValue();
  HashValue(const HashValue& other);
  HashValue& operator=(const HashValue& other);
  HashValue(HashValue&& other) noexcept;
  HashValue& operator=(HashValue&& other) noexcept;

  // Redis's OBJECT ENCODING name: "listpack" or "hashtable".
  std::string_view EncodingName() const { return listpack_ ? "listpack" : "hashtable"; }
  bool reports_listpack() const { return listpack_; }
  Layout layout() const { return layout_; }
  // Heap bytes of the buffer, or of the bucket array and nodes (MEMORY USAGE).
  size_t HeapBytes() const;

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // The value of `field`; the view is valid until the hash is next modified.
  std::optional<std::string_view> Get(std::string_view field) const;
  bool Contains(std::string_view field) const { return Get(field).has_value(); }

  // Redis's hashTypeTryConversion, called before HSET/HMSET/HSETNX write `args` (field, value,
  // field, value...): the reported encoding becomes hashtable if there are more pairs than
  // max_listpack_entries (whether or not they are new), if any argument is longer than
  // max_listpack_value, or if the listpack would pass kListpackSafetyBytes.
  void PrepareWrite(std::span<const std::string_view> args, const HashLimits& limits);
  // Sets `field` to `value` (neither may point into this hash); true if the field is new. As
  // Redis's hashTypeSet, a field or value longer than max_listpack_value, or more fields than
  // max_listpack_entries afterwards, makes the reported encoding hashtable.
  bool Set(std::string_view field, std::string_view value, const HashLimits& limits);
  // Removes `field`; true if it was present.
  bool Delete(std::string_view field);

  // Visits every pair once: compact in insertion order, table in bucket order.
  void ForEach(PairFn fn) const;
  // One pair chosen at random (the hash is not empty).
  Pair RandomPair(absl::BitGen& gen) const;
  // Visits `count` pairs chosen independently at random, repeats allowed (HRANDFIELD with a
  // negative count), without holding them all; the hash is not empty.
  void ForEachRandom(size_t count, absl::BitGen& gen, PairFn fn) const;
  // min(count, size()) distinct pairs chosen at random (HRANDFIELD with a positive count).
  std::vector<Pair> RandomDistinct(size_t count, absl::BitGen& gen) const;

  // One step of HSCAN. The compact layout answers every pair at any cursor and returns 0, as Redis
  // does for a listpack. The table visits buckets from `cursor` until `count` pairs were seen, the
  // scan ends, or 10 * count buckets were visited (Redis's bound for sparse tables), and returns
  // the next cursor (0 = done). Every field present for the whole scan is returned at least once,
  // even if the table grows or shrinks between calls.
  uint64_t Scan(uint64_t cursor, size_t count, PairFn fn) const;

  // Table internals, exposed for tests of the scan guarantee.
  size_t bucket_count() const { return layout_ == Layout::kTable ? size_t{1} << bucket_bits_ : 0; }

 private:
  struct Node;  // a table node: the next pointer, then one entry

  // Compact layout.
  // Offset of `field`'s entry in the buffer, or bytes_ if absent.
  size_t CompactFind(std::string_view field) const;
  void CompactSet(size_t offset, std::string_view field, std::string_view value, bool is_new);
  void ConvertToTable();

  // Table layout.
  Node** TableLink(std::string_view field) const;  // the link that points at field's node, or null
  void TableInsert(Node* node);
  void TableResize(uint8_t bits);
  void TableFree();
  Node* TableRandomNode(absl::BitGen& gen) const;

  // Releases whatever the layout holds and leaves an empty compact hash (keeps listpack_).
  void Release();
  void CopyFrom(const HashValue& other);
  void StealFrom(HashValue& other) noexcept;

  // compact: the entries (bytes_ long; nullptr when empty). table: 1 << bucket_bits_ chains.
  void* data_ = nullptr;
  char* buf() const { return static_cast<char*>(data_); }
  Node** buckets() const { return static_cast<Node**>(data_); }
  size_t count_ = 0;
  uint32_t bytes_ = 0;
  uint8_t bucket_bits_ = 0;
  Layout layout_ = Layout::kCompact;
  bool listpack_ = true;
};

}  // namespace sessionkv::storage

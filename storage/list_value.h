// SPDX-License-Identifier: Apache-2.0
// The list type: a sequence of byte strings with O(1) push and pop at both ends, in one of Redis
// 7.2's two encodings.
//
//   listpack   a small list: one compact block holding every element;
//   quicklist  a larger list: a deque of compact blocks ("nodes"), each within the node limit; an
//              element larger than the limit sits alone in a "plain" node.
//
// The limit is Redis's list-max-listpack-size, passed in as `fill` (this layer knows nothing about
// configuration, RESP or commands): -1..-5 cap a block at 4, 8, 16, 32 or 64 KB, counted in the
// bytes Redis's listpack would use for the same elements; a positive N caps it at N elements (and 8
// KB). Because blocks account their size in listpack bytes (LpEntryBytes), the encoding changes
// where Redis 7.2's does:
//   growing    a listpack that the new elements would take past the limit becomes a quicklist first
//              (t_list.c listTypeTryConvertListpack);
//   shrinking  after elements are removed, a quicklist of a single non-plain node that is at most
//              half the limit becomes a listpack again (listTypeTryConvertQuicklist; the half keeps
//              a list at the edge from flipping back and forth).
// Inside a quicklist, pushes, pops, range deletes, inserts (with their node splits and merges) and
// replacements follow quicklist.c, so node boundaries, and with them the shrinking rule, match.
//
// An element inside a block is stored as its length (LEB128), its bytes, and the length's LEB128
// bytes again in reverse order, so a block can be walked from either end. Popping from the front of
// a block moves the block's bytes, which the limit keeps small, as in Redis's listpack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "storage/value_type.h"

namespace sessionkv::storage {

// The bytes one element takes in a Redis listpack: its encoding (an integer form for canonical
// decimal int64 strings), its data and its back-length.
size_t LpEntryBytes(std::string_view element);

namespace list_internal {

// One compact block: the whole list of a listpack, or one quicklist node.
struct Block {
  std::vector<char> data;  // encoded elements, head first
  uint32_t count : 31 = 0;
  uint32_t plain : 1 = 0;  // a quicklist node holding one large element
  // Redis's node->sz: the listpack bytes of these elements (header and end byte included), or for a
  // plain node the element's length (unused for it).
  uint32_t sz = 7;
};
struct Quicklist;  // list_value.cc

}  // namespace list_internal

class ListValue {
 public:
  static constexpr ValueType kType = ValueType::kList;
  enum class Encoding : uint8_t { kListpack, kQuicklist };
  enum class End : uint8_t { kHead, kTail };

  // An empty listpack, as Redis's createListListpackObject (the caller pushes into it at once).
  ListValue();
  ~ListValue();
  ListValue(const ListValue& other);
  ListValue& operator=(const ListValue& other);
  ListValue(ListValue&& other) noexcept;
  ListValue& operator=(ListValue&& other) noexcept;

  Encoding encoding() const { return ql_ ? Encoding::kQuicklist : Encoding::kListpack; }
  // Redis's OBJECT ENCODING name: "listpack" or "quicklist".
  std::string_view EncodingName() const;
  // Approximate heap bytes (MEMORY USAGE, used_memory).
  size_t HeapBytes() const;
  size_t size() const;
  bool empty() const { return size() == 0; }
  // Blocks in use (1 for a listpack); for tests of the quicklist layout.
  size_t node_count() const;

  // LPUSH/RPUSH: converts to a quicklist first if the values would take a listpack past the limit,
  // then pushes them one by one at `end` (so LPUSH a b c leaves c first).
  void Push(End end, std::span<const std::string_view> values, int fill);
  void Push(End end, std::string_view value, int fill) { Push(end, {&value, 1}, fill); }
  // LPOP/RPOP: removes up to `count` elements from `end` and returns them in pop order, then
  // applies the shrinking rule.
  std::vector<std::string> Pop(End end, size_t count, int fill);
  // LMOVE with the same source and destination: pops from `from`, pushes the element at `to` and
  // then applies the shrinking rule, in Redis's order. Returns the element. The list is not empty.
  std::string Rotate(End from, End to, int fill);

  // LINDEX: the element at `index` (negative counts from the tail), or nullopt when out of range.
  // The view is valid until the list is modified.
  std::optional<std::string_view> Index(int64_t index) const;
  // LSET: replaces the element at `index` (negative from the tail); false when out of range. As in
  // Redis the growing conversion is applied first, even when the index turns out to be out of
  // range; the shrinking rule follows a replacement.
  bool Set(int64_t index, std::string_view value, int fill);
  // LINSERT: inserts `value` before (or after) the first element equal to `pivot`; false if there
  // is none. The growing conversion is applied first, whether or not the pivot exists.
  bool Insert(std::string_view pivot, std::string_view value, bool after, int fill);
  // LREM: removes up to `count` elements equal to `value` (0 = all), scanning from the head, or
  // from the tail when `from_tail`. Returns how many were removed; the shrinking rule follows.
  size_t Remove(std::string_view value, size_t count, bool from_tail, int fill);
  // LTRIM: removes `head` elements from the head and `tail` from the tail (together at most
  // size()), then applies the shrinking rule.
  void Trim(size_t head, size_t tail, int fill);

  // Visits elements from index `start` (< size()) towards the tail, or towards the head when
  // `reverse`, until `fn` returns false or the list ends. The list must not change meanwhile.
  void Visit(size_t start, bool reverse, absl::FunctionRef<bool(std::string_view)> fn) const;

 private:
  using Block = list_internal::Block;
  using Quicklist = list_internal::Quicklist;
  // Where an element is: its block, its index in the block and its byte offset there.
  struct Cursor {
    size_t node;
    size_t local;
    size_t off;
  };

  size_t num_nodes() const;
  Block& node(size_t i);
  const Block& node(size_t i) const;
  // The node and byte offset of element `index` (< size()).
  Cursor Seek(size_t index) const;

  void GrowConversion(std::span<const std::string_view> values, int fill);
  void ShrinkConversion(int fill);
  void PushOne(End end, std::string_view value);
  std::string PopOne(End end);
  // Removes `n` elements starting at `index` (quicklistDelRange / lpDeleteRange).
  void DeleteRange(size_t index, size_t n);

  Block lp_;                       // the listpack form (unused while ql_ is set)
  std::unique_ptr<Quicklist> ql_;  // the quicklist form
};

}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
// The list type's blocks, its quicklist (node limits, pushes, range deletes, inserts with splits
// and merges, replacements) and the listpack <-> quicklist conversions, following Redis 7.2's
// t_list.c and quicklist.c (see list_value.h).
#include "storage/list_value.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <deque>
#include <utility>

#include "storage/set_value.h"

namespace sessionkv::storage {
namespace list_internal {

struct Quicklist {
  std::deque<Block> nodes;
  size_t count = 0;  // elements in all nodes
  // The limit the quicklist was created with: as in Redis, a later CONFIG SET applies to the
  // conversion rules at once but to an existing quicklist's nodes never.
  int fill = -2;
};

namespace {

// ------------------------------------------------------------------------------------ node limits
// quicklist.c: optimization_level, SIZE_SAFETY_LIMIT, SIZE_ESTIMATE_OVERHEAD, FILL_MAX.

constexpr size_t kOptimizationLevel[] = {4096, 8192, 16384, 32768, 65536};
constexpr size_t kSizeSafetyLimit = 8192;
constexpr size_t kEstimateOverhead = 8;
constexpr int kFillMax = (1 << 15) - 1;
constexpr uint32_t kEmptyListpackBytes = 7;  // header (6) and end byte (1)

// quicklistNodeLimit: a byte limit for negative fill, an element count for the others.
void NodeLimit(int fill, size_t* size_limit, size_t* count_limit) {
  *size_limit = SIZE_MAX;
  *count_limit = UINT_MAX;
  if (fill >= 0) {
    *count_limit = fill == 0 ? 1 : static_cast<size_t>(fill);
  } else {
    const size_t offset = std::min<size_t>(static_cast<size_t>(-static_cast<int64_t>(fill)) - 1,
                                           std::size(kOptimizationLevel) - 1);
    *size_limit = kOptimizationLevel[offset];
  }
}

// quicklistNodeExceedsLimit.
bool ExceedsLimit(int fill, size_t new_size, size_t new_count) {
  size_t size_limit, count_limit;
  NodeLimit(fill, &size_limit, &count_limit);
  if (size_limit != SIZE_MAX) return new_size > size_limit;
  if (new_size > kSizeSafetyLimit) return true;
  return new_count > count_limit;
}

// isLargeElement: such an element gets a plain node of its own.
bool IsLarge(size_t size, int fill) {
  if (fill >= 0) return size > kSizeSafetyLimit;
  size_t size_limit, count_limit;
  NodeLimit(fill, &size_limit, &count_limit);
  return size > size_limit;
}

// _quicklistNodeAllowInsert: room for one more element of `size` bytes (overestimated).
bool AllowInsert(const Block* node, int fill, size_t size) {
  if (node == nullptr || node->plain || IsLarge(size, fill)) return false;
  return !ExceedsLimit(fill, node->sz + size + kEstimateOverhead, node->count + 1);
}

// _quicklistNodeAllowMerge: the two listpacks fit in one (one header less).
bool AllowMerge(const Block& a, const Block& b, int fill) {
  if (a.plain || b.plain) return false;
  return !ExceedsLimit(fill, a.sz + b.sz - kEmptyListpackBytes, a.count + b.count);
}

// ------------------------------------------------------------------------------ element encoding

size_t VarintSize(size_t n) {
  size_t bytes = 1;
  for (; n >= 0x80; n >>= 7) ++bytes;
  return bytes;
}

// The block bytes of an element of `len` bytes: LEB128 length, bytes, reversed LEB128 length.
size_t EncodedSize(size_t len) { return len + 2 * VarintSize(len); }

void Encode(std::string_view v, char* out) {
  size_t n = v.size();
  for (; n >= 0x80; n >>= 7) *out++ = static_cast<char>((n & 0x7f) | 0x80);
  *out++ = static_cast<char>(n);
  if (!v.empty()) std::memcpy(out, v.data(), v.size());
  // The same LEB128 bytes, last first, so that reading backwards meets them in LEB128 order.
  char* end = out + v.size() + VarintSize(v.size());
  for (n = v.size(); n >= 0x80; n >>= 7) *--end = static_cast<char>((n & 0x7f) | 0x80);
  *--end = static_cast<char>(n);
}

// The element starting at byte `off`; *next is the offset of the one after it.
std::string_view ElementAt(const Block& b, size_t off, size_t* next) {
  const char* p = b.data.data() + off;
  size_t len = 0;
  int shift = 0;
  unsigned char c;
  do {
    c = static_cast<unsigned char>(*p++);
    len |= static_cast<size_t>(c & 0x7f) << shift;
    shift += 7;
  } while (c & 0x80);
  *next = static_cast<size_t>(p - b.data.data()) + len + VarintSize(len);
  return std::string_view(p, len);
}

// The element ending at byte `end`; *start is its offset.
std::string_view ElementBefore(const Block& b, size_t end, size_t* start) {
  const char* p = b.data.data() + end;
  size_t len = 0;
  int shift = 0;
  unsigned char c;
  do {
    c = static_cast<unsigned char>(*--p);
    len |= static_cast<size_t>(c & 0x7f) << shift;
    shift += 7;
  } while (c & 0x80);
  const char* bytes = p - len;
  *start = static_cast<size_t>(bytes - b.data.data()) - VarintSize(len);
  return std::string_view(bytes, len);
}

// Byte offset of element `index` (index == count gives the end), walking from the nearer end.
size_t OffsetOf(const Block& b, size_t index) {
  size_t off = 0;
  if (index <= b.count / 2) {
    for (size_t i = 0; i < index; ++i) ElementAt(b, off, &off);
  } else {
    off = b.data.size();
    for (size_t i = b.count; i > index; --i) ElementBefore(b, off, &off);
  }
  return off;
}

void InsertElement(Block& b, size_t off, std::string_view v) {
  const size_t size = EncodedSize(v.size());
  b.data.insert(b.data.begin() + static_cast<ptrdiff_t>(off), size, '\0');
  Encode(v, b.data.data() + off);
  ++b.count;
  b.sz += static_cast<uint32_t>(LpEntryBytes(v));
}

// Erases the `n` elements starting at byte `off`.
void EraseElements(Block& b, size_t off, size_t n) {
  size_t end = off;
  uint32_t lp_bytes = 0;
  for (size_t i = 0; i < n; ++i)
    lp_bytes += static_cast<uint32_t>(LpEntryBytes(ElementAt(b, end, &end)));
  b.data.erase(b.data.begin() + static_cast<ptrdiff_t>(off),
               b.data.begin() + static_cast<ptrdiff_t>(end));
  b.count -= static_cast<uint32_t>(n);
  b.sz -= lp_bytes;
}

Block NewBlock(std::string_view v, bool plain) {
  Block b;
  InsertElement(b, 0, v);
  if (plain) {
    b.plain = 1;
    b.sz = static_cast<uint32_t>(std::min<size_t>(v.size(), UINT32_MAX));
  }
  return b;
}

// ------------------------------------------------------------------------------ quicklist nodes

template <typename T>
auto At(std::deque<T>& d, size_t i) {
  return d.begin() + static_cast<ptrdiff_t>(i);
}

void InsertNode(Quicklist& q, size_t at, Block b) {
  q.count += b.count;
  q.nodes.insert(At(q.nodes, at), std::move(b));
}

void EraseNode(Quicklist& q, size_t at) {
  q.count -= q.nodes[at].count;
  q.nodes.erase(At(q.nodes, at));
}

// quicklistPushHead / quicklistPushTail.
void QuicklistPush(Quicklist& q, bool head, std::string_view v) {
  if (IsLarge(v.size(), q.fill)) return InsertNode(q, head ? 0 : q.nodes.size(), NewBlock(v, true));
  Block* edge = q.nodes.empty() ? nullptr : (head ? &q.nodes.front() : &q.nodes.back());
  if (AllowInsert(edge, q.fill, v.size())) {
    InsertElement(*edge, head ? 0 : edge->data.size(), v);
    ++q.count;
  } else {
    InsertNode(q, head ? 0 : q.nodes.size(), NewBlock(v, false));
  }
}

// _quicklistSplitNode: with `after`, node keeps [0, offset] and the result gets (offset, end];
// otherwise node keeps [offset, end] and the result gets [0, offset).
Block SplitNode(Block& node, size_t offset, bool after) {
  const size_t first_moved = after ? offset + 1 : 0;
  const size_t moved = after ? node.count - offset - 1 : offset;
  const size_t from = OffsetOf(node, first_moved);
  const size_t to = OffsetOf(node, first_moved + moved);
  Block out;
  out.data.assign(node.data.begin() + static_cast<ptrdiff_t>(from),
                  node.data.begin() + static_cast<ptrdiff_t>(to));
  size_t off = 0;
  while (off < out.data.size()) {
    out.sz += static_cast<uint32_t>(LpEntryBytes(ElementAt(out, off, &off)));
    ++out.count;
  }
  EraseElements(node, from, moved);
  return out;
}

// _quicklistListpackMerge of nodes[i] and nodes[i + 1] into nodes[i].
void MergeWithNext(Quicklist& q, size_t i) {
  Block& a = q.nodes[i];
  Block& b = q.nodes[i + 1];
  a.data.insert(a.data.end(), b.data.begin(), b.data.end());
  a.count += b.count;
  a.sz += b.sz - kEmptyListpackBytes;
  q.nodes.erase(At(q.nodes, i + 1));
}

// _quicklistMergeNodes around `center`: (prev_prev, prev), (next, next_next), (prev, center), then
// (center, next).
void MergeAround(Quicklist& q, size_t center) {
  const int fill = q.fill;
  if (center >= 2 && AllowMerge(q.nodes[center - 1], q.nodes[center - 2], fill)) {
    MergeWithNext(q, center - 2);
    --center;
  }
  if (center + 2 < q.nodes.size() && AllowMerge(q.nodes[center + 1], q.nodes[center + 2], fill)) {
    MergeWithNext(q, center + 1);
  }
  size_t target = center;
  if (center >= 1 && AllowMerge(q.nodes[center], q.nodes[center - 1], fill)) {
    MergeWithNext(q, center - 1);
    target = center - 1;
  }
  if (target + 1 < q.nodes.size() && AllowMerge(q.nodes[target], q.nodes[target + 1], fill)) {
    MergeWithNext(q, target);
  }
}

// _quicklistInsert: `v` goes before or after element `local` of node `ni`. A full node passes the
// element to a neighbour with room, gets a new neighbour, or is split (and the pieces re-merged).
void QuicklistInsert(Quicklist& q, size_t ni, size_t local, std::string_view v, bool after) {
  const int fill = q.fill;
  const size_t sz = v.size();
  Block& node = q.nodes[ni];
  const bool full = !AllowInsert(&node, fill, sz);
  const bool at_tail = after && local == node.count - 1;
  const bool at_head = !after && local == 0;
  const bool avail_next =
      at_tail && ni + 1 < q.nodes.size() && AllowInsert(&q.nodes[ni + 1], fill, sz);
  const bool avail_prev = at_head && ni > 0 && AllowInsert(&q.nodes[ni - 1], fill, sz);

  if (IsLarge(sz, fill)) {
    if (node.plain || at_tail || at_head)
      return InsertNode(q, after ? ni + 1 : ni, NewBlock(v, true));
    Block rest = SplitNode(node, local, after);
    q.count -= rest.count;
    if (after) {
      InsertNode(q, ni + 1, NewBlock(v, true));
      InsertNode(q, ni + 2, std::move(rest));
    } else {
      InsertNode(q, ni, NewBlock(v, true));
      InsertNode(q, ni, std::move(rest));
    }
    return;
  }
  if (!full) {
    InsertElement(node, OffsetOf(node, after ? local + 1 : local), v);
  } else if (at_tail && avail_next) {
    InsertElement(q.nodes[ni + 1], 0, v);
  } else if (at_head && avail_prev) {
    InsertElement(q.nodes[ni - 1], q.nodes[ni - 1].data.size(), v);
  } else if (at_tail || at_head) {
    q.nodes.insert(At(q.nodes, after ? ni + 1 : ni), NewBlock(v, false));
  } else {
    Block rest = SplitNode(node, local, after);
    if (after) {
      InsertElement(rest, 0, v);
      q.nodes.insert(At(q.nodes, ni + 1), std::move(rest));
      MergeAround(q, ni);
    } else {
      InsertElement(rest, rest.data.size(), v);
      q.nodes.insert(At(q.nodes, ni), std::move(rest));
      MergeAround(q, ni + 1);
    }
  }
  ++q.count;
}

// quicklistReplaceEntry for element `local` (at byte `off`) of node `ni`.
void QuicklistReplace(Quicklist& q, size_t ni, size_t local, size_t off, std::string_view v) {
  Block& node = q.nodes[ni];
  const bool large = IsLarge(v.size(), q.fill);
  if (!node.plain && !large) {
    EraseElements(node, off, 1);
    InsertElement(node, off, v);
    return;
  }
  if (node.plain) {
    if (large) {
      q.nodes[ni] = NewBlock(v, true);
      return;
    }
    QuicklistInsert(q, ni, 0, v, /*after=*/true);
    EraseNode(q, ni);
    return;
  }
  // A large element replaces one inside a packed node: the node is cut after the element, the plain
  // node goes between the pieces, and the replaced element (now the node's last) is deleted.
  if (local != node.count - 1) {
    Block rest = SplitNode(node, local, /*after=*/true);
    q.nodes.insert(At(q.nodes, ni + 1), std::move(rest));
  }
  q.nodes.insert(At(q.nodes, ni + 1), NewBlock(v, true));
  ++q.count;
  Block& cut = q.nodes[ni];
  if (cut.count == 1) {
    EraseNode(q, ni);
    return;
  }
  EraseElements(cut, OffsetOf(cut, cut.count - 1), 1);
  --q.count;
  MergeAround(q, ni + 1);
}

// Removes up to `limit` elements equal to `v` from one node, scanning from its head or tail;
// returns how many.
size_t RemoveFromBlock(Block& b, std::string_view v, size_t limit, bool from_tail) {
  std::vector<size_t> offsets;  // matches, in scan order
  size_t off = from_tail ? b.data.size() : 0;
  for (size_t i = 0; i < b.count && offsets.size() < limit; ++i) {
    size_t start = off, next;
    if (from_tail) {
      if (ElementBefore(b, off, &start) == v) offsets.push_back(start);
      off = start;
    } else {
      if (ElementAt(b, off, &next) == v) offsets.push_back(off);
      off = next;
    }
  }
  // Erase from the highest offset down so the lower ones stay valid.
  if (!from_tail) std::reverse(offsets.begin(), offsets.end());
  for (size_t o : offsets) EraseElements(b, o, 1);
  return offsets.size();
}

}  // namespace
}  // namespace list_internal

using list_internal::Block;
using list_internal::Quicklist;

// lpEncodeGetType and lpEncodeBacklen: canonical int64 strings take 1, 2, 3, 4, 5 or 9 bytes by
// range; other strings 1, 2 or 5 bytes of header; then 1 to 5 bytes of back-length.
size_t LpEntryBytes(std::string_view element) {
  size_t enc;
  int64_t v;
  if (SetValue::IsInteger(element, &v)) {
    if (v >= 0 && v <= 127) {
      enc = 1;
    } else if (v >= -4096 && v <= 4095) {
      enc = 2;
    } else if (v >= -32768 && v <= 32767) {
      enc = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      enc = 4;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      enc = 5;
    } else {
      enc = 9;
    }
  } else if (element.size() < 64) {
    enc = 1 + element.size();
  } else if (element.size() < 4096) {
    enc = 2 + element.size();
  } else {
    enc = 5 + element.size();
  }
  size_t backlen = 5;
  if (enc <= 127) {
    backlen = 1;
  } else if (enc < 16383) {
    backlen = 2;
  } else if (enc < 2097151) {
    backlen = 3;
  } else if (enc < 268435455) {
    backlen = 4;
  }
  return enc + backlen;
}

// ------------------------------------------------------------------------------------- ListValue

ListValue::ListValue() = default;
ListValue::~ListValue() = default;
ListValue::ListValue(const ListValue& other)
    : lp_(other.lp_), ql_(other.ql_ ? std::make_unique<Quicklist>(*other.ql_) : nullptr) {}
ListValue& ListValue::operator=(const ListValue& other) {
  if (this != &other) *this = ListValue(other);
  return *this;
}
ListValue::ListValue(ListValue&& other) noexcept = default;
ListValue& ListValue::operator=(ListValue&& other) noexcept = default;

std::string_view ListValue::EncodingName() const { return ql_ ? "quicklist" : "listpack"; }

size_t ListValue::HeapBytes() const {
  size_t bytes = lp_.data.capacity();
  if (ql_) {
    bytes += sizeof(Quicklist) + ql_->nodes.size() * sizeof(Block);
    for (const Block& b : ql_->nodes) bytes += b.data.capacity();
  }
  return bytes;
}

size_t ListValue::size() const { return ql_ ? ql_->count : lp_.count; }
size_t ListValue::node_count() const { return num_nodes(); }
size_t ListValue::num_nodes() const { return ql_ ? ql_->nodes.size() : 1; }
Block& ListValue::node(size_t i) { return ql_ ? ql_->nodes[i] : lp_; }
const Block& ListValue::node(size_t i) const { return ql_ ? ql_->nodes[i] : lp_; }

ListValue::Cursor ListValue::Seek(size_t index) const {
  size_t ni = 0;
  if (ql_) {
    // Walk the nodes from the nearer end, as quicklistGetIteratorAtIdx.
    if (index <= (ql_->count - 1) / 2) {
      while (index >= ql_->nodes[ni].count) index -= ql_->nodes[ni++].count;
    } else {
      size_t from_tail = ql_->count - 1 - index;
      ni = ql_->nodes.size() - 1;
      while (from_tail >= ql_->nodes[ni].count) from_tail -= ql_->nodes[ni--].count;
      index = ql_->nodes[ni].count - 1 - from_tail;
    }
  }
  return {ni, index, list_internal::OffsetOf(node(ni), index)};
}

// listTypeTryConvertListpack: the added bytes are the elements' lengths, as Redis estimates them.
void ListValue::GrowConversion(std::span<const std::string_view> values, int fill) {
  if (ql_) return;
  size_t add_bytes = 0;
  for (std::string_view v : values) add_bytes += v.size();
  if (!list_internal::ExceedsLimit(fill, lp_.sz + add_bytes, lp_.count + values.size())) return;
  ql_ = std::make_unique<Quicklist>();
  ql_->fill = std::clamp(fill, -5, list_internal::kFillMax);
  if (lp_.count > 0) list_internal::InsertNode(*ql_, 0, std::move(lp_));
  lp_ = Block();
}

// listTypeTryConvertQuicklist with `shrinking`: one packed node within half the limit.
void ListValue::ShrinkConversion(int fill) {
  if (!ql_ || ql_->nodes.size() != 1 || ql_->nodes.front().plain) return;
  size_t size_limit, count_limit;
  list_internal::NodeLimit(fill, &size_limit, &count_limit);
  if (ql_->nodes.front().sz > size_limit / 2 || ql_->count > count_limit / 2) return;
  lp_ = std::move(ql_->nodes.front());
  ql_.reset();
}

void ListValue::PushOne(End end, std::string_view value) {
  const bool head = end == End::kHead;
  if (ql_) return list_internal::QuicklistPush(*ql_, head, value);
  list_internal::InsertElement(lp_, head ? 0 : lp_.data.size(), value);
}

std::string ListValue::PopOne(End end) {
  const size_t index = end == End::kHead ? 0 : size() - 1;
  std::string out(*Index(static_cast<int64_t>(index)));
  DeleteRange(index, 1);
  return out;
}

void ListValue::Push(End end, std::span<const std::string_view> values, int fill) {
  GrowConversion(values, fill);
  for (std::string_view v : values) PushOne(end, v);
}

std::vector<std::string> ListValue::Pop(End end, size_t count, int fill) {
  count = std::min(count, size());
  std::vector<std::string> out;
  if (count == 0) return out;
  out.reserve(count);
  const bool head = end == End::kHead;
  Visit(head ? 0 : size() - 1, !head, [&](std::string_view v) {
    out.emplace_back(v);
    return out.size() < count;
  });
  DeleteRange(head ? 0 : size() - count, count);
  ShrinkConversion(fill);
  return out;
}

std::string ListValue::Rotate(End from, End to, int fill) {
  std::string value = PopOne(from);
  const std::string_view view = value;
  GrowConversion({&view, 1}, fill);
  PushOne(to, value);
  ShrinkConversion(fill);
  return value;
}

std::optional<std::string_view> ListValue::Index(int64_t index) const {
  const auto n = static_cast<int64_t>(size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) return std::nullopt;
  const Cursor c = Seek(static_cast<size_t>(index));
  size_t next;
  return list_internal::ElementAt(node(c.node), c.off, &next);
}

bool ListValue::Set(int64_t index, std::string_view value, int fill) {
  GrowConversion({&value, 1}, fill);
  const auto n = static_cast<int64_t>(size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) return false;
  const Cursor c = Seek(static_cast<size_t>(index));
  if (ql_) {
    list_internal::QuicklistReplace(*ql_, c.node, c.local, c.off, value);
  } else {
    list_internal::EraseElements(lp_, c.off, 1);
    list_internal::InsertElement(lp_, c.off, value);
  }
  ShrinkConversion(fill);
  return true;
}

bool ListValue::Insert(std::string_view pivot, std::string_view value, bool after, int fill) {
  GrowConversion({&value, 1}, fill);
  for (size_t ni = 0; ni < num_nodes(); ++ni) {
    const Block& b = node(ni);
    size_t off = 0;
    for (size_t local = 0; local < b.count; ++local) {
      size_t next;
      if (list_internal::ElementAt(b, off, &next) == pivot) {
        if (ql_) {
          list_internal::QuicklistInsert(*ql_, ni, local, value, after);
        } else {
          list_internal::InsertElement(lp_, after ? next : off, value);
        }
        return true;
      }
      off = next;
    }
  }
  return false;
}

size_t ListValue::Remove(std::string_view value, size_t count, bool from_tail, int fill) {
  const size_t limit = count == 0 ? SIZE_MAX : count;
  size_t removed = 0;
  for (size_t i = 0; i < num_nodes() && removed < limit;) {
    const size_t ni = from_tail ? num_nodes() - 1 - i : i;
    Block& b = node(ni);
    const size_t n = list_internal::RemoveFromBlock(b, value, limit - removed, from_tail);
    removed += n;
    if (ql_) {
      ql_->count -= n;
      if (b.count == 0) {
        ql_->nodes.erase(list_internal::At(ql_->nodes, ni));
        continue;  // the same i now names the next node in scan order
      }
    }
    ++i;
  }
  if (removed > 0) ShrinkConversion(fill);
  return removed;
}

void ListValue::Trim(size_t head, size_t tail, int fill) {
  DeleteRange(0, head);
  DeleteRange(size() - tail, tail);
  ShrinkConversion(fill);
}

void ListValue::DeleteRange(size_t index, size_t n) {
  if (n == 0) return;
  if (!ql_) {
    list_internal::EraseElements(lp_, list_internal::OffsetOf(lp_, index), n);
    return;
  }
  Cursor c = Seek(index);
  size_t ni = c.node, local = c.local, off = c.off;
  while (n > 0) {
    Block& b = ql_->nodes[ni];
    const size_t del = std::min<size_t>(n, b.count - local);
    n -= del;
    if (del == b.count || b.plain) {
      list_internal::EraseNode(*ql_, ni);
    } else {
      list_internal::EraseElements(b, off, del);
      ql_->count -= del;
      ++ni;
    }
    local = off = 0;
  }
}

void ListValue::Visit(size_t start, bool reverse,
                      absl::FunctionRef<bool(std::string_view)> fn) const {
  const Cursor c = Seek(start);
  if (!reverse) {
    size_t off = c.off;
    for (size_t ni = c.node; ni < num_nodes(); ++ni, off = 0) {
      const Block& b = node(ni);
      while (off < b.data.size()) {
        if (!fn(list_internal::ElementAt(b, off, &off))) return;
      }
    }
    return;
  }
  size_t end;
  list_internal::ElementAt(node(c.node), c.off, &end);
  for (size_t ni = c.node + 1; ni-- > 0;) {
    const Block& b = node(ni);
    if (ni != c.node) end = b.data.size();
    while (end > 0) {
      if (!fn(list_internal::ElementBefore(b, end, &end))) return;
    }
  }
}

}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
// The hash type's two layouts (compact buffer, chained table) and the encoding Redis 7.2 would
// report (t_hash.c: hashTypeTryConversion, hashTypeSet). See the header for why they differ.
#include "storage/hash_value.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>
#include <unordered_set>
#include <utility>

#include "absl/hash/hash.h"
#include "base/alloc.h"
#include "storage/scan_cursor.h"

namespace sessionkv::storage {
namespace {

// ------------------------------------------------------------------------------ entry encoding
//
// An entry is `varint(field length) field varint(value length) value`, the varint being LEB128
// (7 bits a byte, low bits first): one byte per length below 128, two below 16384. Both layouts
// store entries this way, so conversion copies entries unchanged.

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

const char* GetVarint(const char* p, uint64_t* out) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<uint8_t>(*p++);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  *out = v;
  return p;
}

size_t EntrySize(size_t field_len, size_t value_len) {
  return VarintSize(field_len) + field_len + VarintSize(value_len) + value_len;
}

char* EncodeEntry(char* p, std::string_view field, std::string_view value) {
  p = PutVarint(p, field.size());
  std::memcpy(p, field.data(), field.size());
  p = PutVarint(p + field.size(), value.size());
  std::memcpy(p, value.data(), value.size());
  return p + value.size();
}

// The field of the entry at p, and where the rest of the entry (the value's varint) starts.
std::string_view DecodeField(const char* p, const char** rest) {
  uint64_t len;
  p = GetVarint(p, &len);
  *rest = p + len;
  return {p, len};
}

struct DecodedEntry {
  std::string_view field;
  std::string_view value;
  size_t size;  // bytes of the whole entry
};

DecodedEntry DecodeEntry(const char* p) {
  const char* rest;
  const std::string_view field = DecodeField(p, &rest);
  uint64_t len;
  const char* value = GetVarint(rest, &len);
  return {field, {value, len}, static_cast<size_t>(value + len - p)};
}

// realloc rather than new: entries are plain bytes, and realloc often grows or shrinks a block in
// place, which is what an HSET that changes one value's length wants. Counted like operator new, so
// used_memory and maxmemory see the bytes.
void* Allocate(void* old, size_t bytes) { return CountedRealloc(old, bytes); }

uint64_t HashOf(std::string_view field) { return absl::Hash<std::string_view>{}(field); }

constexpr uint8_t kMinBucketBits = 2;  // 4 buckets, Redis's DICT_HT_INITIAL_SIZE

// The bucket bits for a table of n fields at load factor <= 1.
uint8_t BitsFor(size_t n) {
  return static_cast<uint8_t>(
      std::max<int>(kMinBucketBits, std::bit_width(std::max<size_t>(n, 1) - 1)));
}

}  // namespace

// A table node: the chain link, then one entry.
struct HashValue::Node {
  Node* next;
  char* entry() { return reinterpret_cast<char*>(this) + sizeof(Node); }
  const char* entry() const { return reinterpret_cast<const char*>(this) + sizeof(Node); }

  static Node* Make(std::string_view field, std::string_view value) {
    auto* n =
        static_cast<Node*>(Allocate(nullptr, sizeof(Node) + EntrySize(field.size(), value.size())));
    n->next = nullptr;
    EncodeEntry(n->entry(), field, value);
    return n;
  }
};

// ------------------------------------------------------------------------------- construction

HashValue::~HashValue() { Release(); }

HashValue::HashValue(const HashValue& other) { CopyFrom(other); }

HashValue& HashValue::operator=(const HashValue& other) {
  if (this != &other) {
    Release();
    CopyFrom(other);
  }
  return *this;
}

HashValue::HashValue(HashValue&& other) noexcept { StealFrom(other); }

HashValue& HashValue::operator=(HashValue&& other) noexcept {
  if (this != &other) {
    Release();
    StealFrom(other);
  }
  return *this;
}

// Takes other's storage (this holds none) and leaves other an empty listpack.
void HashValue::StealFrom(HashValue& other) noexcept {
  data_ = std::exchange(other.data_, nullptr);
  count_ = std::exchange(other.count_, 0);
  bytes_ = std::exchange(other.bytes_, 0);
  bucket_bits_ = std::exchange(other.bucket_bits_, 0);
  layout_ = std::exchange(other.layout_, Layout::kCompact);
  listpack_ = std::exchange(other.listpack_, true);
}

// The copy has the same layout and reported encoding (COPY keeps OBJECT ENCODING, as Redis's
// hashTypeDup does).
void HashValue::CopyFrom(const HashValue& other) {
  listpack_ = other.listpack_;
  count_ = 0;
  if (other.layout_ == Layout::kCompact) {
    layout_ = Layout::kCompact;
    bytes_ = other.bytes_;
    data_ = nullptr;
    if (bytes_ > 0) {
      data_ = Allocate(nullptr, bytes_);
      std::memcpy(buf(), other.buf(), bytes_);
    }
    count_ = other.count_;
    return;
  }
  layout_ = Layout::kTable;
  bytes_ = 0;
  bucket_bits_ = other.bucket_bits_;
  data_ = std::calloc(bucket_count(), sizeof(Node*));
  if (buckets() == nullptr) throw std::bad_alloc();
  for (size_t b = 0; b < other.bucket_count(); ++b) {
    for (const Node* n = other.buckets()[b]; n != nullptr; n = n->next) {
      const size_t size = DecodeEntry(n->entry()).size;
      auto* copy = static_cast<Node*>(Allocate(nullptr, sizeof(Node) + size));
      std::memcpy(copy->entry(), n->entry(), size);
      copy->next = buckets()[b];
      buckets()[b] = copy;
      ++count_;
    }
  }
}

void HashValue::Release() {
  if (layout_ == Layout::kTable) {
    TableFree();
  } else {
    CountedFree(buf());
  }
  data_ = nullptr;
  bytes_ = 0;
  count_ = 0;
  layout_ = Layout::kCompact;
}

size_t HashValue::HeapBytes() const {
  if (layout_ == Layout::kCompact) return bytes_;
  size_t bytes = bucket_count() * sizeof(Node*);
  for (size_t b = 0; b < bucket_count(); ++b) {
    for (const Node* n = buckets()[b]; n != nullptr; n = n->next) {
      bytes += sizeof(Node) + DecodeEntry(n->entry()).size;
    }
  }
  return bytes;
}

// ------------------------------------------------------------------------------------ reading

std::optional<std::string_view> HashValue::Get(std::string_view field) const {
  if (layout_ == Layout::kCompact) {
    const size_t offset = CompactFind(field);
    if (offset == bytes_) return std::nullopt;
    return DecodeEntry(buf() + offset).value;
  }
  Node** link = TableLink(field);
  if (link == nullptr) return std::nullopt;
  return DecodeEntry((*link)->entry()).value;
}

void HashValue::ForEach(PairFn fn) const {
  if (layout_ == Layout::kCompact) {
    for (size_t offset = 0; offset < bytes_;) {
      const DecodedEntry e = DecodeEntry(buf() + offset);
      fn(e.field, e.value);
      offset += e.size;
    }
    return;
  }
  for (size_t b = 0; b < bucket_count(); ++b) {
    for (const Node* n = buckets()[b]; n != nullptr; n = n->next) {
      const DecodedEntry e = DecodeEntry(n->entry());
      fn(e.field, e.value);
    }
  }
}

// ------------------------------------------------------------------------------------ writing

void HashValue::PrepareWrite(std::span<const std::string_view> args, const HashLimits& limits) {
  if (!listpack_) return;
  if (args.size() / 2 > limits.max_listpack_entries) {
    listpack_ = false;
  } else {
    size_t sum = 0;
    for (std::string_view a : args) {
      if (a.size() > limits.max_listpack_value) {
        listpack_ = false;
        break;
      }
      sum += a.size();
    }
    if (listpack_ && (layout_ == Layout::kCompact ? bytes_ : 0) + sum > kListpackSafetyBytes) {
      listpack_ = false;
    }
  }
  if (!listpack_ && layout_ == Layout::kCompact &&
      (count_ > kCompactMaxFields || bytes_ > kCompactMaxBytes)) {
    ConvertToTable();
  }
}

bool HashValue::Set(std::string_view field, std::string_view value, const HashLimits& limits) {
  if (listpack_ &&
      (field.size() > limits.max_listpack_value || value.size() > limits.max_listpack_value)) {
    listpack_ = false;
  }
  bool is_new = false;
  bool done = false;
  if (layout_ == Layout::kCompact) {
    const size_t offset = CompactFind(field);
    is_new = offset == bytes_;
    const size_t old_size = is_new ? 0 : DecodeEntry(buf() + offset).size;
    const size_t new_bytes = bytes_ - old_size + EntrySize(field.size(), value.size());
    const size_t new_count = count_ + (is_new ? 1 : 0);
    // Leave the compact layout before the write that would take it past its bounds, so a large
    // value is copied once, into its node.
    const bool too_big =
        new_bytes > kListpackSafetyBytes ||
        (!listpack_ && (new_count > kCompactMaxFields || new_bytes > kCompactMaxBytes));
    if (too_big) {
      ConvertToTable();
    } else {
      CompactSet(offset, field, value, is_new);
      done = true;
    }
  }
  if (!done) {
    Node** link = TableLink(field);
    is_new = link == nullptr;
    if (is_new) {
      TableInsert(Node::Make(field, value));
    } else {
      Node* n = *link;
      const DecodedEntry e = DecodeEntry(n->entry());
      if (e.value.size() == value.size()) {
        std::memcpy(const_cast<char*>(e.value.data()), value.data(), value.size());
      } else {
        n = static_cast<Node*>(Allocate(n, sizeof(Node) + EntrySize(field.size(), value.size())));
        EncodeEntry(n->entry(), field, value);
        *link = n;
      }
    }
  }
  if (listpack_ && count_ > limits.max_listpack_entries) listpack_ = false;
  if (!listpack_ && layout_ == Layout::kCompact &&
      (count_ > kCompactMaxFields || bytes_ > kCompactMaxBytes)) {
    ConvertToTable();
  }
  return is_new;
}

bool HashValue::Delete(std::string_view field) {
  if (layout_ == Layout::kCompact) {
    const size_t offset = CompactFind(field);
    if (offset == bytes_) return false;
    const size_t size = DecodeEntry(buf() + offset).size;
    std::memmove(buf() + offset, buf() + offset + size, bytes_ - offset - size);
    bytes_ -= static_cast<uint32_t>(size);
    --count_;
    if (bytes_ == 0) {
      CountedFree(buf());
      data_ = nullptr;
    } else {
      data_ = Allocate(buf(), bytes_);  // shrinking realloc stays in place
    }
    return true;
  }
  Node** link = TableLink(field);
  if (link == nullptr) return false;
  Node* n = *link;
  *link = n->next;
  CountedFree(n);
  --count_;
  // Shrink below 10% fill, as Redis's htNeedsResize, never below the initial size.
  if (bucket_bits_ > kMinBucketBits && count_ * 10 < bucket_count()) TableResize(BitsFor(count_));
  return true;
}

// ----------------------------------------------------------------------------------- compact

size_t HashValue::CompactFind(std::string_view field) const {
  size_t offset = 0;
  while (offset < bytes_) {
    const char* rest;
    const std::string_view f = DecodeField(buf() + offset, &rest);
    if (f == field) return offset;
    uint64_t value_len;
    const char* value = GetVarint(rest, &value_len);
    offset = static_cast<size_t>(value + value_len - buf());
  }
  return bytes_;
}

// Writes the entry at `offset` (the end for a new field), moving the entries after it when its
// size changes. A value of the same length is overwritten in place.
void HashValue::CompactSet(size_t offset, std::string_view field, std::string_view value,
                           bool is_new) {
  const size_t new_size = EntrySize(field.size(), value.size());
  if (is_new) {
    data_ = Allocate(buf(), bytes_ + new_size);
    EncodeEntry(buf() + bytes_, field, value);
    bytes_ += static_cast<uint32_t>(new_size);
    ++count_;
    return;
  }
  const DecodedEntry old = DecodeEntry(buf() + offset);
  if (old.value.size() == value.size()) {
    std::memcpy(const_cast<char*>(old.value.data()), value.data(), value.size());
    return;
  }
  const size_t tail = bytes_ - offset - old.size;
  const size_t new_bytes = bytes_ - old.size + new_size;
  if (new_size > old.size) {
    data_ = Allocate(buf(), new_bytes);
    std::memmove(buf() + offset + new_size, buf() + offset + old.size, tail);
    EncodeEntry(buf() + offset, field, value);
  } else {
    EncodeEntry(buf() + offset, field, value);
    std::memmove(buf() + offset + new_size, buf() + offset + old.size, tail);
    data_ = Allocate(buf(), new_bytes);
  }
  bytes_ = static_cast<uint32_t>(new_bytes);
}

void HashValue::ConvertToTable() {
  char* old = buf();
  const uint32_t old_bytes = bytes_;
  const size_t fields = count_;
  bucket_bits_ = BitsFor(fields);
  data_ = std::calloc(size_t{1} << bucket_bits_, sizeof(Node*));
  if (buckets() == nullptr) {
    data_ = old;
    throw std::bad_alloc();
  }
  layout_ = Layout::kTable;
  bytes_ = 0;
  count_ = 0;
  for (size_t offset = 0; offset < old_bytes;) {
    const size_t size = DecodeEntry(old + offset).size;
    auto* n = static_cast<Node*>(Allocate(nullptr, sizeof(Node) + size));
    std::memcpy(n->entry(), old + offset, size);
    TableInsert(n);
    offset += size;
  }
  CountedFree(old);
}

// ------------------------------------------------------------------------------------- table

HashValue::Node** HashValue::TableLink(std::string_view field) const {
  Node** link = &buckets()[HashOf(field) & (bucket_count() - 1)];
  for (; *link != nullptr; link = &(*link)->next) {
    const char* rest;
    if (DecodeField((*link)->entry(), &rest) == field) return link;
  }
  return nullptr;
}

// Adds a node whose field is absent; grows the table at load factor 1 (Redis's dict rule).
void HashValue::TableInsert(Node* node) {
  if (count_ + 1 > bucket_count()) TableResize(static_cast<uint8_t>(bucket_bits_ + 1));
  const char* rest;
  Node*& head = buckets()[HashOf(DecodeField(node->entry(), &rest)) & (bucket_count() - 1)];
  node->next = head;
  head = node;
  ++count_;
}

void HashValue::TableResize(uint8_t bits) {
  auto* fresh = static_cast<Node**>(std::calloc(size_t{1} << bits, sizeof(Node*)));
  if (fresh == nullptr) throw std::bad_alloc();
  const size_t mask = (size_t{1} << bits) - 1;
  for (size_t b = 0; b < bucket_count(); ++b) {
    for (Node* n = buckets()[b]; n != nullptr;) {
      Node* next = n->next;
      const char* rest;
      Node*& head = fresh[HashOf(DecodeField(n->entry(), &rest)) & mask];
      n->next = head;
      head = n;
      n = next;
    }
  }
  CountedFree(buckets());
  data_ = fresh;
  bucket_bits_ = bits;
}

void HashValue::TableFree() {
  for (size_t b = 0; b < bucket_count(); ++b) {
    for (Node* n = buckets()[b]; n != nullptr;) {
      Node* next = n->next;
      CountedFree(n);
      n = next;
    }
  }
  CountedFree(buckets());
  data_ = nullptr;
}

// A random non-empty bucket, then a random node of its chain: Redis's dictGetRandomKey
// distribution, close to uniform at the load factors the table keeps.
HashValue::Node* HashValue::TableRandomNode(absl::BitGen& gen) const {
  while (true) {
    Node* head = buckets()[absl::Uniform<size_t>(gen, 0, bucket_count())];
    if (head == nullptr) continue;
    size_t len = 0;
    for (Node* n = head; n != nullptr; n = n->next) ++len;
    for (size_t pick = absl::Uniform<size_t>(gen, 0, len); pick > 0; --pick) head = head->next;
    return head;
  }
}

// ------------------------------------------------------------------------- random and scan

namespace {

std::vector<HashValue::Pair> AllPairs(const HashValue& h) {
  std::vector<HashValue::Pair> all;
  all.reserve(h.size());
  h.ForEach([&all](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
  return all;
}

}  // namespace

HashValue::Pair HashValue::RandomPair(absl::BitGen& gen) const {
  if (layout_ == Layout::kTable) {
    const DecodedEntry e = DecodeEntry(TableRandomNode(gen)->entry());
    return {e.field, e.value};
  }
  size_t skip = absl::Uniform<size_t>(gen, 0, count_);
  size_t offset = 0;
  for (; skip > 0; --skip) offset += DecodeEntry(buf() + offset).size;
  const DecodedEntry e = DecodeEntry(buf() + offset);
  return {e.field, e.value};
}

void HashValue::ForEachRandom(size_t count, absl::BitGen& gen, PairFn fn) const {
  if (layout_ == Layout::kTable) {
    for (size_t i = 0; i < count; ++i) {
      const DecodedEntry e = DecodeEntry(TableRandomNode(gen)->entry());
      fn(e.field, e.value);
    }
    return;
  }
  // Index the (few) compact entries once instead of walking the buffer for every pick.
  const std::vector<Pair> all = AllPairs(*this);
  for (size_t i = 0; i < count; ++i) {
    const Pair& p = all[absl::Uniform<size_t>(gen, 0, all.size())];
    fn(p.first, p.second);
  }
}

// Few pairs out of many: draw nodes at random and drop repeats (Redis's HRANDFIELD case 4), so the
// cost follows `count`, not the hash's size. Otherwise a partial Fisher-Yates shuffle of every
// pair.
std::vector<HashValue::Pair> HashValue::RandomDistinct(size_t count, absl::BitGen& gen) const {
  if (layout_ == Layout::kTable && count > 0 && count * 3 < count_) {
    std::vector<Pair> out;
    out.reserve(count);
    std::unordered_set<const Node*> chosen;
    while (out.size() < count) {
      const Node* n = TableRandomNode(gen);
      if (!chosen.insert(n).second) continue;
      const DecodedEntry e = DecodeEntry(n->entry());
      out.emplace_back(e.field, e.value);
    }
    return out;
  }
  std::vector<Pair> all = AllPairs(*this);
  count = std::min(count, all.size());
  for (size_t i = 0; i < count; ++i)
    std::swap(all[i], all[absl::Uniform<size_t>(gen, i, all.size())]);
  all.resize(count);
  return all;
}

uint64_t HashValue::Scan(uint64_t cursor, size_t count, PairFn fn) const {
  if (layout_ == Layout::kCompact) {
    ForEach(fn);
    return 0;
  }
  if (count_ == 0) return 0;
  const uint64_t mask = bucket_count() - 1;
  size_t budget = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
  size_t seen = 0;
  do {
    for (const Node* n = buckets()[cursor & mask]; n != nullptr; n = n->next) {
      const DecodedEntry e = DecodeEntry(n->entry());
      fn(e.field, e.value);
      ++seen;
    }
    cursor = NextScanCursor(cursor, mask);
  } while (cursor != 0 && --budget > 0 && seen < count);
  return cursor;
}

}  // namespace sessionkv::storage

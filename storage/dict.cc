// SPDX-License-Identifier: Apache-2.0
#include "storage/dict.h"

#include <algorithm>
#include <bit>

#include "absl/hash/hash.h"
#include "storage/scan_cursor.h"

namespace sessionkv::storage {

namespace {
constexpr size_t kInitialBuckets = 4;
}  // namespace

Dict::~Dict() { Clear(); }

Dict::Dict(Dict&& other) noexcept : buckets_(std::move(other.buckets_)), size_(other.size_) {
  other.buckets_.clear();
  other.size_ = 0;
}

Dict& Dict::operator=(Dict&& other) noexcept {
  if (this != &other) {
    Clear();
    buckets_ = std::move(other.buckets_);
    size_ = other.size_;
    other.buckets_.clear();
    other.size_ = 0;
  }
  return *this;
}

uint64_t Dict::Hash(std::string_view key) { return absl::HashOf(key); }

Entry* Dict::Find(std::string_view key, uint64_t hash) const {
  if (size_ == 0) return nullptr;
  for (Entry* e = buckets_[BucketOf(hash)]; e != nullptr; e = e->next) {
    if (e->hash == hash && e->key == key) return e;
  }
  return nullptr;
}

Entry* Dict::Insert(std::unique_ptr<Entry> entry) {
  if (buckets_.empty()) buckets_.assign(kInitialBuckets, nullptr);
  Entry* e = entry.release();
  Entry*& head = buckets_[BucketOf(e->hash)];
  e->next = head;
  head = e;
  ++size_;
  MaybeGrow();
  return e;
}

std::unique_ptr<Entry> Dict::Remove(Entry* entry) {
  Entry** link = &buckets_[BucketOf(entry->hash)];
  while (*link != entry) link = &(*link)->next;
  *link = entry->next;
  entry->next = nullptr;
  --size_;
  MaybeShrink();
  return std::unique_ptr<Entry>(entry);
}

void Dict::Clear() {
  for (Entry*& head : buckets_) {
    while (head != nullptr) {
      Entry* next = head->next;
      delete head;
      head = next;
    }
  }
  buckets_.clear();
  size_ = 0;
}

// Growing at load factor 1 and shrinking below 1/8 keeps chains short without resizing back and forth.
void Dict::MaybeGrow() {
  if (size_ > buckets_.size()) Resize(buckets_.size() * 2);
}

void Dict::MaybeShrink() {
  if (buckets_.size() > kInitialBuckets && size_ < buckets_.size() / 8) {
    Resize(std::max(kInitialBuckets, std::bit_ceil(std::max<size_t>(size_, 1))));
  }
}

void Dict::Resize(size_t new_count) {
  std::vector<Entry*> old = std::move(buckets_);
  buckets_.assign(new_count, nullptr);
  for (Entry* head : old) {
    while (head != nullptr) {
      Entry* next = head->next;
      Entry*& slot = buckets_[BucketOf(head->hash)];
      head->next = slot;
      slot = head;
      head = next;
    }
  }
}

uint64_t Dict::ScanStep(uint64_t cursor, const std::function<void(Entry*)>& fn) const {
  if (buckets_.empty()) return 0;
  const uint64_t mask = buckets_.size() - 1;
  for (Entry* e = buckets_[cursor & mask]; e != nullptr; e = e->next) fn(e);
  // The next bucket in reverse-bit order, valid when the table doubles or halves between calls.
  return NextScanCursor(cursor, mask);
}

Entry* Dict::Random(absl::BitGen& gen) const {
  if (size_ == 0) return nullptr;
  Entry* head = nullptr;
  while (head == nullptr) head = buckets_[absl::Uniform<size_t>(gen, 0, buckets_.size())];
  size_t len = 0;
  for (Entry* e = head; e != nullptr; e = e->next) ++len;
  size_t pick = absl::Uniform<size_t>(gen, 0, len);
  while (pick-- > 0) head = head->next;
  return head;
}

void Dict::SampleSome(absl::BitGen& gen, size_t count, std::vector<Entry*>* out) const {
  if (size_ == 0 || count == 0) return;
  count = std::min(count, size_);
  const size_t mask = buckets_.size() - 1;
  const size_t steps = std::min(buckets_.size(), count > SIZE_MAX / 10 ? SIZE_MAX : count * 10);
  size_t bucket = absl::Uniform<size_t>(gen, 0, buckets_.size());
  size_t taken = 0;
  for (size_t step = 0; step < steps && taken < count; ++step, bucket = (bucket + 1) & mask) {
    for (Entry* e = buckets_[bucket]; e != nullptr && taken < count; e = e->next) {
      out->push_back(e);
      ++taken;
    }
  }
}

}  // namespace sessionkv::storage

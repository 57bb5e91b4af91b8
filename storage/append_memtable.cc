// SPDX-License-Identifier: Apache-2.0
#include "storage/append_memtable.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <iterator>
#include <mutex>
#include <string_view>
#include <vector>

namespace sessionkv::storage {
namespace {

using rocksdb::KeyHandle;
using rocksdb::MemTableRep;

constexpr size_t kSeqBytes = 8;  // an internal key's trailer: sequence number and type

// One entry of the sorted array: 16 bytes of its user key (big-endian, so integers compare as the bytes
// do) starting at the memtable's common prefix, zero-padded, and the entry.
struct Slot {
  uint64_t hi, lo;
  const char* entry;
};

using Sorted = std::vector<Slot>;

uint64_t LoadBigEndian64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap64(v);
}

struct alignas(std::max_align_t) IteratorStorage {
  std::byte bytes[64];
};

class Rep final : public MemTableRep {
 public:
  Rep(const KeyComparator& compare, rocksdb::Allocator* allocator) : MemTableRep(allocator), compare_(compare) {}

  void Insert(KeyHandle handle) override {
    std::lock_guard lock(mu_);
    entries_.push_back(static_cast<const char*>(handle));
  }

  bool Contains(const char* key) const override {
    std::lock_guard lock(mu_);
    return std::any_of(entries_.begin(), entries_.end(), [&](const char* e) { return compare_(e, key) == 0; });
  }

  void MarkReadOnly() override {
    std::lock_guard lock(mu_);
    immutable_ = true;
  }

  // The sorted array a flush builds is not counted: RocksDB requires an immutable memtable's usage to
  // stay what it was when the memtable was switched out. It lives until the flush is done.
  size_t ApproximateMemoryUsage() override {
    std::lock_guard lock(mu_);
    return entries_.capacity() * sizeof(const char*);
  }

  void MarkFlushed() override {
    std::lock_guard lock(mu_);
    sorted_.reset();  // iterators still open hold their own reference
  }

  Iterator* GetIterator(rocksdb::Arena* arena) override;
  // RocksDB 7.8's default MemTableRep::Get (its only caller here, no prefix extractor being set)
  // takes this iterator and never deletes it: the memtable keeps and destroys it.
  Iterator* GetDynamicPrefixIterator(rocksdb::Arena* arena) override;

  // The entries in order: for an immutable memtable sorted once and kept, otherwise a sorted copy.
  std::shared_ptr<const Sorted> SortedEntries();
  int Compare(const char* entry, const char* memtable_key) const { return compare_(entry, memtable_key); }
  int Compare(const char* entry, const rocksdb::Slice& internal_key) const { return compare_(entry, internal_key); }

 private:
  std::shared_ptr<const Sorted> Sort(const std::vector<const char*>& entries) const;
  // The prefix most user keys in `entries` (not empty) share, from a sample: where they start to differ.
  std::string_view SharedPrefix(const std::vector<const char*>& entries) const;
  std::string_view UserKeyOf(const char* entry) const {
    const rocksdb::Slice internal = compare_.decode_key(entry);
    return {internal.data(), internal.size() - kSeqBytes};
  }

  const KeyComparator& compare_;
  mutable std::mutex mu_;
  std::vector<const char*> entries_;
  bool immutable_ = false;
  std::shared_ptr<const Sorted> sorted_;  // set once an immutable memtable is sorted
  // Iterators placed in a caller's arena are destroyed, never freed, by the caller: their storage is
  // the memtable's, which outlives them (a flush or a read holds the memtable while it iterates).
  std::deque<IteratorStorage> iterator_storage_;
  std::deque<std::unique_ptr<Iterator>> owned_iterators_;  // GetDynamicPrefixIterator's
};

class SortedIterator final : public MemTableRep::Iterator {
 public:
  SortedIterator(const Rep& rep, std::shared_ptr<const Sorted> sorted) : rep_(rep), sorted_(std::move(sorted)) {}

  bool Valid() const override { return pos_ < sorted_->size(); }
  const char* key() const override { return (*sorted_)[pos_].entry; }
  void Next() override { ++pos_; }
  void Prev() override { pos_ = pos_ == 0 ? sorted_->size() : pos_ - 1; }
  void SeekToFirst() override { pos_ = 0; }
  void SeekToLast() override { pos_ = sorted_->empty() ? 0 : sorted_->size() - 1; }
  // The first entry at or after the target.
  void Seek(const rocksdb::Slice& internal_key, const char* memtable_key) override {
    pos_ = LowerBound(internal_key, memtable_key, /*or_equal_after=*/false);
  }
  // The last entry at or before the target.
  void SeekForPrev(const rocksdb::Slice& internal_key, const char* memtable_key) override {
    const size_t after = LowerBound(internal_key, memtable_key, /*or_equal_after=*/true);
    pos_ = after == 0 ? sorted_->size() : after - 1;
  }

 private:
  // The index of the first slot not before the target (or, with `or_equal_after`, after it).
  size_t LowerBound(const rocksdb::Slice& internal_key, const char* memtable_key, bool or_equal_after) const {
    auto before = [&](const Slot& slot) {
      const int c = memtable_key != nullptr ? rep_.Compare(slot.entry, memtable_key)
                                            : rep_.Compare(slot.entry, internal_key);
      return or_equal_after ? c <= 0 : c < 0;
    };
    return static_cast<size_t>(std::partition_point(sorted_->begin(), sorted_->end(), before) - sorted_->begin());
  }

  const Rep& rep_;
  std::shared_ptr<const Sorted> sorted_;
  size_t pos_ = 0;
};
static_assert(sizeof(SortedIterator) <= sizeof(IteratorStorage));

MemTableRep::Iterator* Rep::GetIterator(rocksdb::Arena* arena) {
  std::shared_ptr<const Sorted> sorted = SortedEntries();
  if (arena == nullptr) return new SortedIterator(*this, std::move(sorted));
  void* storage;
  {
    std::lock_guard lock(mu_);
    storage = iterator_storage_.emplace_back().bytes;
  }
  return new (storage) SortedIterator(*this, std::move(sorted));
}

MemTableRep::Iterator* Rep::GetDynamicPrefixIterator(rocksdb::Arena* arena) {
  if (arena != nullptr) return GetIterator(arena);
  auto it = std::make_unique<SortedIterator>(*this, SortedEntries());
  std::lock_guard lock(mu_);
  return owned_iterators_.emplace_back(std::move(it)).get();
}

std::shared_ptr<const Sorted> Rep::SortedEntries() {
  std::unique_lock lock(mu_);
  if (sorted_ != nullptr) return sorted_;
  if (!immutable_) {
    const std::vector<const char*> copy = entries_;  // the writer goes on appending meanwhile
    lock.unlock();
    return Sort(copy);
  }
  // Immutable: nothing appends any more; sorted under the lock, so concurrent iterators wait for one sort.
  sorted_ = Sort(entries_);
  return sorted_;
}

std::string_view Rep::SharedPrefix(const std::vector<const char*>& entries) const {
  constexpr size_t kSamples = 64;
  const std::string_view reference = UserKeyOf(entries[entries.size() / 2]);
  std::vector<size_t> shared;
  for (size_t i = 0; i < kSamples && i < entries.size(); ++i) {
    const std::string_view key = UserKeyOf(entries[i * entries.size() / std::min(kSamples, entries.size())]);
    const size_t limit = std::min(reference.size(), key.size());
    shared.push_back(static_cast<size_t>(
        std::mismatch(reference.begin(), reference.begin() + limit, key.begin()).first - reference.begin()));
  }
  // Three quarters of the sample share this much with the reference.
  std::nth_element(shared.begin(), shared.begin() + shared.size() / 4, shared.end());
  return reference.substr(0, shared[shared.size() / 4]);
}

std::shared_ptr<const Sorted> Rep::Sort(const std::vector<const char*>& entries) const {
  auto sorted = std::make_shared<Sorted>();
  if (entries.empty()) return sorted;
  // Keys with the prefix most keys share are sorted by their window past it. Every other key sorts
  // before all of them or after all of them (it differs from each at the same byte, the same way), so
  // those few are sorted whole on their own and placed around.
  const std::string_view prefix = SharedPrefix(entries);
  std::vector<const char*> before, after;
  sorted->reserve(entries.size());
  for (const char* e : entries) {
    const std::string_view key = UserKeyOf(e);
    if (!key.starts_with(prefix)) {
      (key < prefix ? before : after).push_back(e);
      continue;
    }
    char window[16] = {};
    std::memcpy(window, key.data() + prefix.size(), std::min<size_t>(16, key.size() - prefix.size()));
    sorted->push_back({LoadBigEndian64(window), LoadBigEndian64(window + 8), e});
  }
  std::sort(sorted->begin(), sorted->end(), [this](const Slot& a, const Slot& b) {
    if (a.hi != b.hi) return a.hi < b.hi;
    if (a.lo != b.lo) return a.lo < b.lo;
    return compare_(a.entry, b.entry) < 0;
  });
  auto whole = [this](const char* a, const char* b) { return compare_(a, b) < 0; };
  std::sort(before.begin(), before.end(), whole);
  std::sort(after.begin(), after.end(), whole);
  auto slot = [](const char* e) { return Slot{0, 0, e}; };
  sorted->insert(sorted->begin(), before.size(), Slot{});
  std::transform(before.begin(), before.end(), sorted->begin(), slot);
  std::transform(after.begin(), after.end(), std::back_inserter(*sorted), slot);
  return sorted;
}

}  // namespace

MemTableRep* AppendMemTableFactory::CreateMemTableRep(const MemTableRep::KeyComparator& compare,
                                                      rocksdb::Allocator* allocator, const rocksdb::SliceTransform*,
                                                      rocksdb::Logger*) {
  return new Rep(compare, allocator);
}

}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
// The hash table of one database shard: chained buckets, a power-of-two bucket count, entries on the heap.
//
// Why not absl::flat_hash_map: SCAN must return every key present for the whole scan at least once, across
// resizes, with a cursor the client holds between calls. Redis solves this with a power-of-two table and a
// cursor that counts with its bits reversed, so that growing or shrinking the table never skips a bucket
// already promised. That needs control of the bucket layout, hence this small table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/random/random.h"
#include "storage/value.h"

namespace sessionkv::storage {

class Dict {
 public:
  Dict() = default;
  ~Dict();
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  Dict(Dict&& other) noexcept;
  Dict& operator=(Dict&& other) noexcept;

  static uint64_t Hash(std::string_view key);

  size_t size() const { return size_; }
  size_t bucket_count() const { return buckets_.size(); }

  // The entry for `key` (whose hash is `hash`), or nullptr.
  Entry* Find(std::string_view key, uint64_t hash) const;
  // Adds an entry whose key is not present. Takes ownership.
  Entry* Insert(std::unique_ptr<Entry> entry);
  // Unlinks `entry` and hands it back to the caller.
  std::unique_ptr<Entry> Remove(Entry* entry);
  // Deletes every entry.
  void Clear();

  // Visits the entries of the bucket at `cursor` (and, for a table that shrank, of the buckets that folded
  // into it) and returns the next cursor; 0 when the scan is complete. See the file comment.
  uint64_t ScanStep(uint64_t cursor, const std::function<void(Entry*)>& fn) const;
  // A uniformly chosen bucket's random entry (Redis's dictGetRandomKey distribution); nullptr if empty.
  Entry* Random(absl::BitGen& gen) const;
  // Up to `count` distinct entries from consecutive buckets after a random one, visiting at most
  // 10 * count buckets (Redis's dictGetSomeKeys: cheap, not uniform); appended to `out`.
  void SampleSome(absl::BitGen& gen, size_t count, std::vector<Entry*>* out) const;
  // Visits every entry; fn must not insert or remove.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (Entry* head : buckets_)
      for (Entry* e = head; e != nullptr; e = e->next) fn(e);
  }

 private:
  size_t BucketOf(uint64_t hash) const { return hash & (buckets_.size() - 1); }
  void Resize(size_t new_count);
  void MaybeGrow();
  void MaybeShrink();

  std::vector<Entry*> buckets_;
  size_t size_ = 0;
};

}  // namespace sessionkv::storage

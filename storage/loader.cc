// SPDX-License-Identifier: Apache-2.0
#include "storage/loader.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/strings.h"
#include "rocksdb/db.h"
#include "storage/rocks_engine.h"
#include "storage/rocks_format.h"

namespace sessionkv::storage {

std::vector<uint32_t> DatabaseMap(const std::vector<uint32_t>& stored, int num_dbs) {
  std::vector<uint32_t> map(stored.begin(), stored.begin() + std::min<size_t>(stored.size(), num_dbs));
  uint32_t candidate = 0;
  while (map.size() < static_cast<size_t>(num_dbs)) {
    if (std::find(stored.begin(), stored.end(), candidate) == stored.end()) map.push_back(candidate);
    ++candidate;
  }
  return map;
}

// ------------------------------------------------------------------------------------------ planning

namespace {

uint64_t ApproximateBytes(rocksdb::DB* db, const std::string& begin, const std::string& end) {
  rocksdb::SizeApproximationOptions options;
  options.include_memtables = true;
  options.include_files = true;
  const rocksdb::Range range(begin, end);
  uint64_t bytes = 0;
  return db->GetApproximateSizes(options, db->DefaultColumnFamily(), &range, 1, &bytes).ok() ? bytes : 0;
}

// A data key at fraction v / 2^64 of the key space: the data prefix and v's eight bytes.
std::string KeyAt(uint64_t v) {
  std::string key = format::AllDataBegin();
  format::AppendU64BE(&key, v);
  return key;
}

}  // namespace

std::vector<std::string> Loader::SplitPoints(int parts, uint64_t min_part_bytes) const {
  rocksdb::DB* db = engine_.db();
  const std::string begin = format::AllDataBegin(), end = format::AllDataEnd();
  const uint64_t total = ApproximateBytes(db, begin, end);
  parts = static_cast<int>(std::min<uint64_t>(parts, total / std::max<uint64_t>(min_part_bytes, 1)));
  std::vector<std::string> splits;
  if (parts <= 1) return splits;
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read));
  for (int i = 1; i < parts; ++i) {
    // The point with a share i / parts of the bytes before it (sizes grow with the bound), then moved
    // back to the start of the key whose record is there, so no key straddles two parts.
    const uint64_t want = total / parts * i;
    uint64_t lo = 0, hi = UINT64_MAX;
    while (hi - lo > 1) {
      const uint64_t mid = lo + (hi - lo) / 2;
      (ApproximateBytes(db, begin, KeyAt(mid)) < want ? lo : hi) = mid;
    }
    it->Seek(KeyAt(hi));
    format::ParsedKey parsed;
    if (!it->Valid() || !format::ParseDataKey(it->key().ToStringView(), &parsed)) break;
    std::string split(parsed.meta_key);
    if (split > (splits.empty() ? begin : splits.back())) splits.push_back(std::move(split));
  }
  return splits;
}

// --------------------------------------------------------------------------------------------- loading

absl::Status Loader::Run(const std::function<void()>& tick, int threads, uint64_t min_part_bytes) {
  rocksdb::DB* db = engine_.db();
  const StoredState& stored = engine_.stored();
  const std::vector<uint32_t> map = DatabaseMap(stored.physical_dbs, keyspace_.num_dbs());
  logical_.clear();  // physical -> logical, -1 for none
  for (size_t i = 0; i < map.size(); ++i) {
    if (map[i] >= logical_.size()) logical_.resize(map[i] + 1, -1);
    logical_[map[i]] = static_cast<int>(i);
  }
  // Set before any key arrives: the expiry timers may delete loaded keys while the load goes on, and
  // their deletes name the physical database.
  keyspace_.RestorePersistentState(map, 1, stored.version_lease);
  uint64_t total = 0;
  db->GetIntProperty("rocksdb.live-sst-files-size", &total);
  uint64_t memtables = 0;
  db->GetIntProperty("rocksdb.cur-size-all-mem-tables", &memtables);
  progress_->total_bytes.store(total + memtables, std::memory_order_relaxed);

  // Parts of the key space, each loaded by its own thread into the keyspace (whose shards take keys
  // from any thread under their locks); this thread reports progress meanwhile.
  std::vector<std::string> bounds = SplitPoints(std::max(threads, 1), min_part_bytes);
  bounds.insert(bounds.begin(), format::AllDataBegin());
  bounds.push_back(format::AllDataEnd());
  const size_t parts = bounds.size() - 1;
  std::vector<Part> results(parts);
  std::mutex mu;
  std::condition_variable done_cv;
  size_t done = 0;
  std::vector<std::thread> workers;
  for (size_t i = 0; i < parts; ++i) {
    workers.emplace_back([&, i] {
      results[i] = LoadRange(bounds[i], bounds[i + 1]);
      std::lock_guard lock(mu);
      ++done;
      done_cv.notify_one();
    });
  }
  {
    std::unique_lock lock(mu);
    while (!done_cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return done == parts; })) {
      lock.unlock();
      if (tick) tick();
      lock.lock();
    }
  }
  for (std::thread& t : workers) t.join();
  uint64_t max_version = 0;
  std::vector<Keyspace::DeferredDeadline> deadlines;
  for (Part& part : results) {
    if (!part.status.ok()) return part.status;
    max_version = std::max(max_version, part.max_version);
    deadlines.insert(deadlines.end(), part.deadlines.begin(), part.deadlines.end());
    part.deadlines = {};
  }
  keyspace_.IndexDeferredDeadlines(std::move(deadlines));
  // Versions continue above everything on disk and above the lease (versions handed out before a
  // crash may be on disk without their key's metadata).
  keyspace_.RestorePersistentState(map, std::max(max_version + 1, stored.version_lease),
                                   stored.version_lease);
  engine_.LoadFinished();
  return absl::OkStatus();
}

Loader::Part Loader::LoadRange(const std::string& begin, const std::string& end) {
  Part part;
  rocksdb::ReadOptions read;
  read.fill_cache = false;  // one pass over everything: caching it would only evict what compactions use
  read.readahead_size = 2 << 20;
  const rocksdb::Slice upper(end);
  read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(engine_.db()->NewIterator(read));

  KeyBuilder key(keyspace_, limits_);
  int key_db = -1;  // the logical database of the key being built
  uint64_t keys = 0, bytes = 0;  // not yet added to progress_
  const int64_t now_ms = keyspace_.clock().NowMs();
  auto report = [&] {
    progress_->keys.fetch_add(keys, std::memory_order_relaxed);
    progress_->bytes.fetch_add(bytes, std::memory_order_relaxed);
    keys = bytes = 0;
  };
  for (it->Seek(begin); it->Valid(); it->Next()) {
    const std::string_view raw = it->key().ToStringView();
    const std::string_view value = it->value().ToStringView();
    bytes += raw.size() + value.size();
    format::ParsedKey parsed;
    if (!format::ParseDataKey(raw, &parsed)) return part.Fail(CorruptRecord("unreadable record", raw));
    if (!parsed.is_meta) {
      if (!key.Accepts(parsed)) {
        progress_->stale_records.fetch_add(1, std::memory_order_relaxed);  // of an older incarnation
        continue;
      }
      if (absl::Status s = key.AddElement(parsed.sub, value); !s.ok()) {
        return part.Fail(CorruptRecord(FromAbsl(s.message()), raw));
      }
      continue;
    }
    if (key.active() && Finish(key, key_db, now_ms, &part.deadlines)) ++keys;
    if (parsed.pdb >= logical_.size() || logical_[parsed.pdb] < 0) {
      return part.Fail(absl::FailedPreconditionError(
          "The data on disk holds keys of a database this server does not have (physical database " +
          std::to_string(parsed.pdb) + "); start it with a larger `databases`"));
    }
    format::Meta meta;
    if (!format::DecodeMeta(value, &meta)) return part.Fail(CorruptRecord("unreadable metadata", raw));
    key.Start(parsed, meta);
    key_db = logical_[parsed.pdb];
    part.max_version = std::max(part.max_version, meta.version);
    if (keys >= 4096) report();
  }
  if (!it->status().ok()) return part.Fail(absl::DataLossError("Reading RocksDB: " + it->status().ToString()));
  if (key.active() && Finish(key, key_db, now_ms, &part.deadlines)) ++keys;
  report();
  return part;
}

bool Loader::Finish(KeyBuilder& builder, int db, int64_t now_ms,
                    std::vector<Keyspace::DeferredDeadline>* deadlines) {
  std::unique_ptr<Entry> entry = builder.Finish();
  if (entry == nullptr) {
    progress_->stale_records.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (entry->deadline_ms() != 0 && now_ms > entry->deadline_ms()) {
    progress_->expired.fetch_add(1, std::memory_order_relaxed);
  }
  Shard& shard = keyspace_.shard(keyspace_.ShardOf(entry->hash));
  std::lock_guard lock(shard.mutex());
  keyspace_.InsertLoaded(db, std::move(entry), deadlines);
  return true;
}

}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
#include "storage/loader.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/strings.h"
#include "rocksdb/db.h"
#include "storage/rocks_engine.h"
#include "storage/rocks_format.h"

namespace sessionkv::storage {

namespace {

// The logical databases' physical numbers: as stored, extended with unused numbers when the server now
// has more databases (a number once used is never reused for another logical database).
std::vector<uint32_t> DatabaseMap(const std::vector<uint32_t>& stored, int num_dbs) {
  std::vector<uint32_t> map(stored.begin(), stored.begin() + std::min<size_t>(stored.size(), num_dbs));
  uint32_t candidate = 0;
  while (map.size() < static_cast<size_t>(num_dbs)) {
    if (std::find(stored.begin(), stored.end(), candidate) == stored.end()) map.push_back(candidate);
    ++candidate;
  }
  return map;
}

absl::Status Corrupt(std::string_view what, std::string_view raw_key) {
  std::string shown;
  for (unsigned char c : raw_key.substr(0, 64)) {
    if (c >= 0x20 && c < 0x7f) {
      shown.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      shown += "\\x";
      shown.push_back(kHex[c >> 4]);
      shown.push_back(kHex[c & 15]);
    }
  }
  return absl::DataLossError(std::string(what) + " at RocksDB key \"" + shown + "\"");
}

}  // namespace

// The key being built: its metadata, and the elements collected so far.
struct Loader::Pending {
  std::string meta_key;  // raw, to match element records
  int db = -1;
  format::Meta meta;
  std::unique_ptr<Entry> entry;
  std::vector<ZSetValue::Entry> zset;
  uint32_t next_list_pos = 0;
  size_t elements = 0;
};

absl::Status Loader::Run(const std::function<void()>& tick) {
  rocksdb::DB* db = engine_.db();
  const StoredState& stored = engine_.stored();
  const std::vector<uint32_t> map = DatabaseMap(stored.physical_dbs, keyspace_.num_dbs());
  std::vector<int> logical;  // physical -> logical, -1 for none
  for (size_t i = 0; i < map.size(); ++i) {
    if (map[i] >= logical.size()) logical.resize(map[i] + 1, -1);
    logical[map[i]] = static_cast<int>(i);
  }
  // Set before any key arrives: the expiry timers may delete loaded keys while the load goes on, and
  // their deletes name the physical database.
  keyspace_.RestorePersistentState(map, 1, stored.version_lease);
  uint64_t total = 0;
  db->GetIntProperty("rocksdb.live-sst-files-size", &total);
  uint64_t memtables = 0;
  db->GetIntProperty("rocksdb.cur-size-all-mem-tables", &memtables);
  progress_->total_bytes.store(total + memtables, std::memory_order_relaxed);

  rocksdb::ReadOptions read;
  read.fill_cache = false;  // one pass over everything: caching it would only evict what compactions use
  read.readahead_size = 2 << 20;
  const std::string begin = format::AllDataBegin(), end = format::AllDataEnd();
  const rocksdb::Slice upper(end);
  read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read));

  Pending key;
  uint64_t max_version = 0;
  uint64_t keys = 0, bytes = 0;
  const int64_t now_ms = keyspace_.clock().NowMs();
  for (it->Seek(begin); it->Valid(); it->Next()) {
    const std::string_view raw = it->key().ToStringView();
    const std::string_view value = it->value().ToStringView();
    bytes += raw.size() + value.size();
    format::ParsedKey parsed;
    if (!format::ParseDataKey(raw, &parsed)) return Corrupt("unreadable record", raw);
    if (!parsed.is_meta) {
      if (key.entry == nullptr || parsed.meta_key != key.meta_key || parsed.version != key.meta.version) {
        progress_->stale_records.fetch_add(1, std::memory_order_relaxed);  // of an older incarnation
        continue;
      }
      if (absl::Status s = AddElement(key, parsed.sub, value); !s.ok()) return Corrupt(FromAbsl(s.message()), raw);
      continue;
    }
    if (key.entry != nullptr && Finish(key, now_ms)) ++keys;
    if (parsed.pdb >= logical.size() || logical[parsed.pdb] < 0) {
      return absl::FailedPreconditionError(
          "The data on disk holds keys of a database this server does not have (physical database " +
          std::to_string(parsed.pdb) + "); start it with a larger `databases`");
    }
    format::Meta meta;
    if (!format::DecodeMeta(value, &meta)) return Corrupt("unreadable metadata", raw);
    Start(key, parsed, meta, logical[parsed.pdb]);
    max_version = std::max(max_version, meta.version);
    if ((keys & 4095) == 0) {
      progress_->keys.store(keys, std::memory_order_relaxed);
      progress_->bytes.store(bytes, std::memory_order_relaxed);
      if (tick) tick();
    }
  }
  if (!it->status().ok()) return absl::DataLossError("Reading RocksDB: " + it->status().ToString());
  if (key.entry != nullptr && Finish(key, now_ms)) ++keys;
  progress_->keys.store(keys, std::memory_order_relaxed);
  progress_->bytes.store(bytes, std::memory_order_relaxed);
  // Versions continue above everything on disk and above the lease (versions handed out before a
  // crash may be on disk without their key's metadata).
  keyspace_.RestorePersistentState(map, std::max(max_version + 1, stored.version_lease),
                                   stored.version_lease);
  return absl::OkStatus();
}

void Loader::Start(Pending& key, const format::ParsedKey& parsed, const format::Meta& meta, int db) {
  key.meta_key.assign(parsed.meta_key);
  key.db = db;
  key.meta = meta;
  key.elements = 0;
  key.zset.clear();
  Value value;
  switch (meta.type) {
    case ValueType::kString:
      value = Value(StringValue{std::string(meta.string_bytes), static_cast<StringForm>(meta.string_form)});
      break;
    case ValueType::kHash: value = Value(HashValue()); break;
    case ValueType::kSet: value = Value(SetValue()); break;
    case ValueType::kZSet: value = Value(ZSetValue()); break;
    case ValueType::kList: value = Value(ListValue()); break;
  }
  key.entry = std::make_unique<Entry>(parsed.key, Dict::Hash(parsed.key), std::move(value));
  key.entry->version_ = meta.version;
  key.entry->deadline_ms_ = meta.deadline_ms;
  key.entry->access_ = keyspace_.NewAccess(keyspace_.clock().NowMs());
  key.meta.string_bytes = {};  // pointed into the iterator's value
}

absl::Status Loader::AddElement(Pending& key, std::string_view sub, std::string_view value) {
  Value& v = key.entry->value_;
  switch (key.meta.type) {
    case ValueType::kString:
      return absl::DataLossError("element record under a string");
    case ValueType::kHash:
      v.hash().Set(sub, value, limits_.hash);
      break;
    case ValueType::kSet:
      v.set().Add(sub, limits_.set);
      break;
    case ValueType::kZSet: {
      double score;
      if (!format::DecodeScore(value, &score)) return absl::DataLossError("unreadable score");
      key.zset.push_back({std::string(sub), score});
      break;
    }
    case ValueType::kList: {
      uint32_t pos;
      if (!format::DecodeListPosition(sub, &pos)) return absl::DataLossError("unreadable list position");
      if (key.elements == 0) {
        key.entry->list_head_ = pos;
      } else if (pos != key.next_list_pos) {
        return absl::DataLossError("list positions not contiguous");
      }
      key.next_list_pos = pos + 1;
      v.list().Push(ListValue::End::kTail, value, limits_.list_fill);
      break;
    }
  }
  ++key.elements;
  return absl::OkStatus();
}

bool Loader::Finish(Pending& key, int64_t now_ms) {
  std::unique_ptr<Entry> entry = std::move(key.entry);
  if (key.meta.type == ValueType::kZSet) {
    entry->value_ = Value(ZSetValue::FromEntries(std::move(key.zset), limits_.zset));
    key.zset.clear();
  }
  // A collection without elements cannot be written by sessionkv (its last element's delete and the
  // key's delete are one batch); skip rather than resurrect an empty key.
  if (key.meta.type != ValueType::kString && key.elements == 0) {
    progress_->stale_records.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (entry->deadline_ms_ != 0 && now_ms > entry->deadline_ms_) {
    progress_->expired.fetch_add(1, std::memory_order_relaxed);
  }
  Shard& shard = keyspace_.shard(keyspace_.ShardOf(entry->hash));
  std::lock_guard lock(shard.mutex());
  keyspace_.InsertLoaded(key.db, std::move(entry));
  return true;
}

}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
#include "storage/replica_apply.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/strings.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/loader.h"
#include "storage/rocks_format.h"

namespace sessionkv::storage {

namespace {

// A key the batch touched, by physical database.
struct TouchedKey {
  uint32_t pdb = 0;
  std::string key;
  std::string meta_key;
  bool expired = false;
};

// What a batch touched, collected in batch order. Where in the batch a flush or a map change came
// relative to the keys does not matter: the keys are read back after the whole batch was written,
// and a swap only relabels physical databases, so applying the map, then the flushes, then the keys
// as RocksDB now holds them gives RocksDB's state (a key put after a FLUSHALL is there, one put
// before it is not).
struct Touched {
  std::vector<TouchedKey> keys;
  absl::flat_hash_map<std::string, size_t> index;  // meta key -> position in keys
  std::vector<uint32_t> flushed;                   // physical databases
  bool flushed_all = false;
  std::optional<std::vector<uint32_t>> dbmap;
  uint64_t lease = 0;

  TouchedKey& Touch(const format::ParsedKey& parsed) {
    auto [it, added] = index.try_emplace(std::string(parsed.meta_key), keys.size());
    if (added) keys.push_back({parsed.pdb, std::string(parsed.key), std::string(parsed.meta_key)});
    return keys[it->second];
  }
};

rocksdb::Status Unreadable(std::string_view what, std::string_view raw) {
  return rocksdb::Status::Corruption(std::string(CorruptRecord(what, raw).message()));
}

// Decodes a batch into Touched. Returns errors as RocksDB statuses (WriteBatch::Iterate's
// contract).
class Collector final : public rocksdb::WriteBatch::Handler {
 public:
  explicit Collector(Touched* out) : out_(out) {}

  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    return Record(cf, key.ToStringView(), value.ToStringView(), /*put=*/true);
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    return Record(cf, key.ToStringView(), {}, /*put=*/false);
  }
  rocksdb::Status SingleDeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    return Record(cf, key.ToStringView(), {}, /*put=*/false);
  }
  rocksdb::Status DeleteRangeCF(uint32_t cf, const rocksdb::Slice& begin,
                                const rocksdb::Slice& end) override;
  // RocksDB's default applies a merge as if it were supported; sessionkv never writes one.
  rocksdb::Status MergeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return rocksdb::Status::NotSupported("a merge, which sessionkv does not write");
  }
  void LogData(const rocksdb::Slice& blob) override;

 private:
  rocksdb::Status Record(uint32_t cf, std::string_view key, std::string_view value, bool put);
  rocksdb::Status SystemRecord(std::string_view key, std::string_view value, bool put);

  Touched* out_;
};

rocksdb::Status Collector::Record(uint32_t cf, std::string_view key, std::string_view value,
                                  bool put) {
  if (cf != 0) return rocksdb::Status::NotSupported("a column family sessionkv does not write");
  if (!key.empty() && key[0] == format::kSystemPrefix) return SystemRecord(key, value, put);
  format::ParsedKey parsed;
  if (!format::ParseDataKey(key, &parsed)) return Unreadable("unreadable record", key);
  out_->Touch(parsed);
  return rocksdb::Status::OK();
}

rocksdb::Status Collector::SystemRecord(std::string_view key, std::string_view value, bool put) {
  // sessionkv never deletes a system record; nothing in memory would follow one.
  if (!put) return rocksdb::Status::OK();
  if (key == format::kDbMapRecord) {
    std::vector<uint32_t> map;
    if (!format::DecodeDbMap(value, &map)) return Unreadable("unreadable database map", key);
    out_->dbmap = std::move(map);
  } else if (key == format::kVersionLeaseRecord) {
    if (value.size() != 8) return Unreadable("unreadable version lease", key);
    out_->lease = std::max(out_->lease, format::ReadU64LE(value.data()));
  } else if (key == format::kFormatRecord) {
    if (value.empty() || static_cast<uint8_t>(value[0]) > format::kFormatVersion) {
      return rocksdb::Status::NotSupported(
          "the primary writes a newer data format than this replica reads");
    }
  }
  // Other system records carry nothing the keyspace holds.
  return rocksdb::Status::OK();
}

// The range deletes sessionkv writes (storage/mutation.cc): every data record, one physical
// database, every element of one key, or a run of one list's positions.
rocksdb::Status Collector::DeleteRangeCF(uint32_t cf, const rocksdb::Slice& begin_slice,
                                         const rocksdb::Slice& end_slice) {
  if (cf != 0) return rocksdb::Status::NotSupported("a column family sessionkv does not write");
  const std::string_view begin = begin_slice.ToStringView(), end = end_slice.ToStringView();
  if (begin == format::AllDataBegin() && end == format::AllDataEnd()) {
    out_->flushed_all = true;
    return rocksdb::Status::OK();
  }
  const char* p = begin.data() + 1;
  uint64_t pdb = 0;
  if (begin.size() > 1 && begin[0] == format::kDataPrefix &&
      format::ReadVarint(&p, begin.data() + begin.size(), &pdb) && pdb <= UINT32_MAX &&
      begin == format::DbBegin(static_cast<uint32_t>(pdb)) &&
      end == format::DbEnd(static_cast<uint32_t>(pdb))) {
    out_->flushed.push_back(static_cast<uint32_t>(pdb));
    return rocksdb::Status::OK();
  }
  // A key's elements start right after its metadata key (metadata key + '\0'); a list run is two
  // element keys. Either way the range must lie within the key's element range.
  format::ParsedKey parsed;
  if (!format::ParseDataKey(begin, &parsed) &&
      !(begin.ends_with('\0') && format::ParseDataKey(begin.substr(0, begin.size() - 1), &parsed) &&
        parsed.is_meta)) {
    return Unreadable("a range delete sessionkv does not write", begin);
  }
  std::string first, last;
  format::AppendElementsRange(&first, &last, parsed.pdb, parsed.key);
  if (begin < first || end > last) return Unreadable("a range delete across keys", begin);
  out_->Touch(parsed);
  return rocksdb::Status::OK();
}

void Collector::LogData(const rocksdb::Slice& blob) {
  // Annotation kinds are append only: one this replica does not know carries nothing it can act on.
  format::ParsedAnnotation a;
  if (!format::ParseAnnotation(blob.ToStringView(), &a) || a.kind != format::Annotation::kExpired) {
    return;
  }
  std::string meta_key;
  format::AppendMetaKey(&meta_key, a.pdb, a.key);
  format::ParsedKey parsed;
  parsed.pdb = a.pdb;
  parsed.key = a.key;
  parsed.meta_key = meta_key;
  out_->Touch(parsed).expired = true;
}

// ---------------------------------------------------------------------------------- planning

// The swaps that turn the map `from` into `to` (the same numbers, permuted), applied to `from`.
std::vector<std::pair<int, int>> SwapsBetween(std::vector<uint32_t> from,
                                              const std::vector<uint32_t>& to) {
  std::vector<std::pair<int, int>> swaps;
  for (size_t i = 0; i < to.size(); ++i) {
    if (from[i] == to[i]) continue;
    const size_t j =
        static_cast<size_t>(std::find(from.begin() + i, from.end(), to[i]) - from.begin());
    std::swap(from[i], from[j]);
    swaps.emplace_back(static_cast<int>(i), static_cast<int>(j));
  }
  return swaps;
}

bool SameNumbers(std::vector<uint32_t> a, std::vector<uint32_t> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

// Reads `key` back from RocksDB into *out (nullptr: the key does not exist); raises *max_version.
absl::Status ReadKey(rocksdb::Iterator* it, KeyBuilder& builder, const TouchedKey& key,
                     std::unique_ptr<Entry>* out, uint64_t* max_version) {
  out->reset();
  it->Seek(key.meta_key);
  if (it->Valid() && it->key().ToStringView() == key.meta_key) {
    format::ParsedKey parsed;
    format::Meta meta;
    if (!format::ParseDataKey(key.meta_key, &parsed) ||
        !format::DecodeMeta(it->value().ToStringView(), &meta)) {
      return CorruptRecord("unreadable metadata", key.meta_key);
    }
    builder.Start(parsed, meta);
    *max_version = std::max(*max_version, meta.version);
    // The key's element records follow it, and only they start with its metadata key.
    for (it->Next(); it->Valid() && it->key().ToStringView().starts_with(key.meta_key);
         it->Next()) {
      const std::string_view raw = it->key().ToStringView();
      if (!format::ParseDataKey(raw, &parsed)) return CorruptRecord("unreadable record", raw);
      if (!builder.Accepts(parsed)) continue;  // of an older incarnation
      if (absl::Status s = builder.AddElement(parsed.sub, it->value().ToStringView()); !s.ok()) {
        return CorruptRecord(FromAbsl(s.message()), raw);
      }
    }
    *out = builder.Finish();
  }
  if (!it->status().ok()) return absl::DataLossError("Reading RocksDB: " + it->status().ToString());
  return absl::OkStatus();
}

// The shards to lock, ascending: every one when whole databases change.
std::vector<size_t> ShardsToLock(const Keyspace& ks, const Touched& t, bool whole_dbs) {
  std::vector<size_t> shards;
  if (whole_dbs) {
    for (int s = 0; s < ks.num_shards(); ++s) shards.push_back(static_cast<size_t>(s));
    return shards;
  }
  for (const TouchedKey& k : t.keys) shards.push_back(ks.ShardOfKey(k.key));
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  return shards;
}

// Replaces (or removes) the in-memory key `key` of logical database `db` with `entry`; its shard is
// locked. Nothing is recorded and no expired/evicted listener fires: the primary decided the
// removal.
void ReplaceKey(Keyspace& ks, int db, const std::string& key, std::unique_ptr<Entry> entry,
                MutationSink& quiet) {
  const uint64_t hash = Dict::Hash(key);
  DbShard& ds = ks.shard(ks.ShardOf(hash)).db(db);
  if (Entry* old = ds.dict.Find(key, hash); old != nullptr) {
    ks.Remove(ds, db, old, RemovalCause::kDeleted, quiet);
  }
  if (entry != nullptr) ks.InsertLoaded(db, std::move(entry));
  ks.TouchWatchedKey(db, key);
}

// Where the batch leaves the logical databases.
struct DbPlan {
  std::vector<uint32_t> target;                // logical -> physical after the batch
  absl::flat_hash_map<uint32_t, int> logical;  // physical -> logical after the batch
  std::vector<std::pair<int, int>> swaps;      // SwapDbs calls that get memory there
};

absl::Status PlanDbs(const Keyspace& ks, const Touched& touched, DbPlan* plan) {
  // Only ApplyBatchToMemory changes a replica's map, so it reads it without the shard locks.
  const std::vector<uint32_t>& current = ks.physical_dbs();
  plan->target = touched.dbmap ? DatabaseMap(*touched.dbmap, ks.num_dbs()) : current;
  if (!SameNumbers(current, plan->target)) {
    return absl::FailedPreconditionError(
        "The primary's database map does not fit this replica's databases; start it with the "
        "primary's `databases`");
  }
  for (size_t i = 0; i < plan->target.size(); ++i) {
    plan->logical[plan->target[i]] = static_cast<int>(i);
  }
  for (const TouchedKey& k : touched.keys) {
    if (!plan->logical.contains(k.pdb)) {
      return absl::FailedPreconditionError(
          "The primary sent keys of a database this replica does not have (physical database " +
          std::to_string(k.pdb) + "); start it with the primary's `databases`");
    }
  }
  plan->swaps = SwapsBetween(current, plan->target);
  return absl::OkStatus();
}

// Every touched key as RocksDB now holds it (nullptr: gone), read and built without locks.
absl::Status ReadKeys(rocksdb::DB* db, const Keyspace& ks, const LoadLimits& limits,
                      const Touched& touched, std::vector<std::unique_ptr<Entry>>* built,
                      uint64_t* max_version) {
  built->resize(touched.keys.size());
  if (touched.keys.empty()) return absl::OkStatus();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  KeyBuilder builder(ks, limits);
  for (size_t i = 0; i < touched.keys.size(); ++i) {
    absl::Status s = ReadKey(it.get(), builder, touched.keys[i], &(*built)[i], max_version);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// Swaps everything in at once, under the locks of every shard involved.
void Install(Keyspace& ks, const DbPlan& plan, Touched& touched,
             std::vector<std::unique_ptr<Entry>>& built, ReplicaApplyResult* result) {
  const bool whole_dbs = !plan.swaps.empty() || touched.flushed_all || !touched.flushed.empty();
  std::vector<std::unique_lock<std::mutex>> locks;
  for (size_t s : ShardsToLock(ks, touched, whole_dbs)) locks.emplace_back(ks.shard(s).mutex());
  MutationSink quiet(false);
  for (auto [a, b] : plan.swaps) ks.SwapDbs(a, b, quiet);
  result->dbmap_changed = !plan.swaps.empty();
  if (touched.flushed_all) {
    for (int d = 0; d < ks.num_dbs(); ++d) Db(ks, d, &quiet).Clear();
    result->flushed_all = true;
  } else {
    for (uint32_t pdb : touched.flushed) {
      const auto it = plan.logical.find(pdb);
      if (it == plan.logical.end()) continue;  // a database this replica has not: nothing in memory
      std::vector<int>& flushed = result->flushed_dbs;
      if (std::find(flushed.begin(), flushed.end(), it->second) != flushed.end()) continue;
      Db(ks, it->second, &quiet).Clear();
      flushed.push_back(it->second);
    }
  }
  for (size_t i = 0; i < touched.keys.size(); ++i) {
    TouchedKey& k = touched.keys[i];
    const int d = plan.logical.at(k.pdb);
    const bool exists = built[i] != nullptr;
    ReplaceKey(ks, d, k.key, std::move(built[i]), quiet);
    result->keys.push_back({d, std::move(k.key), exists, k.expired});
  }
}

}  // namespace

absl::Status ApplyBatchToMemory(rocksdb::DB* db, const rocksdb::WriteBatch& batch,
                                Keyspace& keyspace, const LoadLimits& limits,
                                ReplicaApplyResult* result) {
  *result = ReplicaApplyResult();
  Touched touched;
  Collector collector(&touched);
  if (rocksdb::Status s = batch.Iterate(&collector); !s.ok()) {
    return absl::DataLossError("Applying a replicated batch: " + s.ToString());
  }
  DbPlan plan;
  if (absl::Status planned = PlanDbs(keyspace, touched, &plan); !planned.ok()) return planned;
  std::vector<std::unique_ptr<Entry>> built;
  uint64_t max_version = 0;
  absl::Status s = ReadKeys(db, keyspace, limits, touched, &built, &max_version);
  if (!s.ok()) return s;
  Install(keyspace, plan, touched, built, result);
  // A promoted replica continues above every version the primary used or leased.
  keyspace.RaiseVersions(std::max(max_version + 1, touched.lease), touched.lease);
  return absl::OkStatus();
}

}  // namespace sessionkv::storage

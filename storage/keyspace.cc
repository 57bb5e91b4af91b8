// SPDX-License-Identifier: Apache-2.0
#include "storage/keyspace.h"

#include <algorithm>
#include <mutex>
#include <tuple>

#include "absl/random/random.h"

#include "storage/rocks_format.h"

namespace sessionkv::storage {

uint32_t AccessClock(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 1000); }

// ---------------------------------------------------------------------------------------------- Shard

int64_t Shard::NextDeadline() const {
  int64_t next = kNoDeadline;
  for (const DbShard& ds : dbs_) {
    if (!ds.expiry.empty()) next = std::min(next, ds.expiry.begin()->first);
  }
  return next;
}

void Shard::NoteDeadline(int64_t deadline_ms) {
  // Only a deadline earlier than the armed one needs the timer moved; later ones are found when the timer
  // fires. Lowering armed_deadline_ here means a burst of new deadlines wakes the timer once.
  if (deadline_ms < armed_deadline()) {
    set_armed_deadline(deadline_ms);
    if (deadline_listener_) deadline_listener_(deadline_ms);
  }
}

// ------------------------------------------------------------------------------------------- Keyspace

Keyspace::Keyspace(int num_dbs, int num_shards, const Clock* clock) : num_dbs_(num_dbs), clock_(clock) {
  shards_.reserve(num_shards);
  for (int i = 0; i < num_shards; ++i) shards_.push_back(std::make_unique<Shard>(num_dbs));
  physical_db_.resize(static_cast<size_t>(num_dbs));
  for (int i = 0; i < num_dbs; ++i) physical_db_[static_cast<size_t>(i)] = static_cast<uint32_t>(i);
}

void Keyspace::Remove(DbShard& ds, int db, Entry* e, RemovalCause cause, MutationSink& sink) {
  if (e->has_deadline()) {
    ds.expiry.erase({e->deadline_ms_, e});
    ds.deadline_sum_ms -= e->deadline_ms_;
  }
  sink.DeleteKey(PhysicalDb(db), *e, cause == RemovalCause::kExpired);
  // Unlinked first, freed at the end: the expired listener sees the key gone (what WATCH's expiry rule
  // asks) and may still read its name.
  std::unique_ptr<Entry> owned = ds.dict.Remove(e);
  ds.PublishCounts();
  if (cause == RemovalCause::kExpired) {
    stats_.expired_keys.fetch_add(1, std::memory_order_relaxed);
    if (expired_listener_) expired_listener_(db, owned->key);
  } else if (cause == RemovalCause::kEvicted) {
    stats_.evicted_keys.fetch_add(1, std::memory_order_relaxed);
    if (evicted_listener_) evicted_listener_(db, owned->key);
  }
}

// ------------------------------------------------------------------------------- access tracking

void Keyspace::set_access_tracking(const AccessTracking& t) {
  lfu_log_factor_.store(t.lfu_log_factor, std::memory_order_relaxed);
  lfu_decay_time_.store(t.lfu_decay_time, std::memory_order_relaxed);
  lfu_.store(t.lfu, std::memory_order_relaxed);
}

AccessTracking Keyspace::access_tracking() const {
  return {.lfu = lfu_.load(std::memory_order_relaxed),
          .lfu_log_factor = lfu_log_factor_.load(std::memory_order_relaxed),
          .lfu_decay_time = lfu_decay_time_.load(std::memory_order_relaxed)};
}

uint32_t Keyspace::NewAccess(int64_t now_ms) const {
  return lfu_.load(std::memory_order_relaxed) ? LfuStamp(LfuMinutes(now_ms), kLfuInitCounter)
                                              : AccessClock(now_ms);
}

void Keyspace::Touch(Entry* e, int64_t now_ms) const {
  if (!lfu_.load(std::memory_order_relaxed)) {
    e->access_ = AccessClock(now_ms);
    return;
  }
  // rand() in Redis; a per-thread generator here, since I/O threads touch keys concurrently.
  thread_local absl::InsecureBitGen gen;
  e->access_ = LfuTouch(e->access_, now_ms, access_tracking(), absl::Uniform<double>(gen, 0.0, 1.0));
}

void Keyspace::SwapDbs(int a, int b, MutationSink& sink) {
  const int64_t now_ms = clock_->NowMs();
  for (auto& shard : shards_) {
    if (HasWatches()) {
      shard->watches(a).TouchAll(shard->db(a).dict, &shard->db(b).dict, now_ms);
      shard->watches(b).TouchAll(shard->db(b).dict, &shard->db(a).dict, now_ms);
    }
    shard->SwapDbs(a, b);
  }
  std::swap(physical_db_[static_cast<size_t>(a)], physical_db_[static_cast<size_t>(b)]);
  sink.PutDbMap(physical_db_);
}

// ------------------------------------------------------------------------------- persistence state

namespace {
// Versions are leased in blocks; a new lease is recorded once half of the current one is used, long
// before it runs out, so the record is durable before any version near the lease's end is.
constexpr uint64_t kLeaseBlock = uint64_t{1} << 32;
constexpr uint64_t kLeaseMargin = kLeaseBlock / 2;
}  // namespace

uint64_t Keyspace::NewVersion(MutationSink& sink) {
  if (!sink.recording()) return 0;
  const uint64_t v = next_version_.fetch_add(1, std::memory_order_relaxed);
  if (v + kLeaseMargin >= lease_.load(std::memory_order_acquire)) {
    std::lock_guard lock(lease_mu_);
    if (v + kLeaseMargin >= lease_.load(std::memory_order_relaxed)) {
      lease_.store(v + kLeaseBlock, std::memory_order_release);
      sink.PutVersionLease(v + kLeaseBlock);
    }
  }
  return v;
}

void Keyspace::RestorePersistentState(std::vector<uint32_t> physical_dbs, uint64_t next_version,
                                      uint64_t lease) {
  physical_db_ = std::move(physical_dbs);
  next_version_.store(std::max<uint64_t>(next_version, 1), std::memory_order_relaxed);
  lease_.store(lease, std::memory_order_relaxed);
}

void Keyspace::RaiseVersions(uint64_t next_version, uint64_t lease) {
  std::lock_guard lock(lease_mu_);
  uint64_t next = next_version_.load(std::memory_order_relaxed);
  while (next < next_version && !next_version_.compare_exchange_weak(next, next_version)) {
  }
  if (lease > lease_.load(std::memory_order_relaxed)) lease_.store(lease, std::memory_order_release);
}

Entry* Keyspace::InsertLoaded(int db, std::unique_ptr<Entry> entry, std::vector<DeferredDeadline>* deferred) {
  const uint32_t shard_index = ShardOf(entry->hash);
  Shard& shard = *shards_[shard_index];
  DbShard& ds = shard.db(db);
  const int64_t deadline = entry->deadline_ms_;
  Entry* e = ds.dict.Insert(std::move(entry));
  if (deadline != 0 && deferred != nullptr) {
    deferred->push_back({shard_index, db, deadline, e});
  } else if (deadline != 0) {
    ds.expiry.insert({deadline, e});
    ds.deadline_sum_ms += deadline;
    shard.NoteDeadline(deadline);
  }
  ds.PublishCounts();
  return e;
}

void Keyspace::IndexDeferredDeadlines(std::vector<DeferredDeadline> deferred) {
  auto order = [](const DeferredDeadline& a, const DeferredDeadline& b) {
    return std::tie(a.shard, a.db, a.deadline_ms, a.entry) < std::tie(b.shard, b.db, b.deadline_ms, b.entry);
  };
  std::sort(deferred.begin(), deferred.end(), order);
  for (size_t run = 0; run < deferred.size();) {
    const DeferredDeadline& first = deferred[run];
    Shard& shard = *shards_[first.shard];
    std::lock_guard lock(shard.mutex());
    DbShard& ds = shard.db(first.db);
    // Sorted input: each insert lands right after the previous one, which the hint makes O(1).
    auto hint = ds.expiry.end();
    size_t i = run;
    for (; i < deferred.size() && deferred[i].shard == first.shard && deferred[i].db == first.db; ++i) {
      hint = std::next(ds.expiry.insert(hint, {deferred[i].deadline_ms, deferred[i].entry}));
      ds.deadline_sum_ms += deferred[i].deadline_ms;
    }
    shard.NoteDeadline(first.deadline_ms);
    ds.PublishCounts();
    run = i;
  }
}

// ---------------------------------------------------------------------------------------------- WATCH

bool Keyspace::Watch(int db, std::string_view key, const std::shared_ptr<WatchFlag>& flag) {
  const uint64_t hash = Dict::Hash(key);
  Shard& shard = *shards_[ShardOf(hash)];
  const bool expired = IsLogicallyExpired(shard.db(db).dict.Find(key, hash), clock_->NowMs());
  if (!shard.watches(db).Add(key, flag, expired)) return false;
  watch_count_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void Keyspace::Unwatch(int db, std::string_view key, const WatchFlag* flag) {
  if (shards_[ShardOfKey(key)]->watches(db).Remove(key, flag)) {
    watch_count_.fetch_sub(1, std::memory_order_relaxed);
  }
}

void Keyspace::TouchWatchedKey(int db, std::string_view key) {
  if (!HasWatches()) return;
  Shard& shard = *shards_[ShardOfKey(key)];
  WatchTable& table = shard.watches(db);
  if (!table.empty()) table.Touch(key, shard.db(db).dict);
}

bool Keyspace::WatchedKeyExpired(int db, std::string_view key, const WatchFlag* flag) {
  Shard& shard = *shards_[ShardOfKey(key)];
  return shard.watches(db).ExpiredSinceWatch(key, flag, shard.db(db).dict, clock_->NowMs());
}

void Keyspace::TouchWatchedDb(int db) {
  if (!HasWatches()) return;
  const int64_t now_ms = clock_->NowMs();
  for (auto& shard : shards_) shard->watches(db).TouchAll(shard->db(db).dict, nullptr, now_ms);
}

size_t Keyspace::ExpireDue(Shard& shard, int64_t now_ms, size_t budget, MutationSink& sink,
                           const std::function<void(int64_t deadline_ms)>& on_expired) {
  size_t removed = 0;
  if (replica()) return 0;
  for (int db = 0; db < shard.num_dbs() && removed < budget; ++db) {
    DbShard& ds = shard.db(db);
    while (removed < budget && !ds.expiry.empty() && now_ms > ds.expiry.begin()->first) {
      const int64_t deadline_ms = ds.expiry.begin()->first;
      Remove(ds, db, ds.expiry.begin()->second, RemovalCause::kExpired, sink);
      if (on_expired) on_expired(deadline_ms);
      ++removed;
    }
  }
  return removed;
}

uint64_t Keyspace::ApproxKeys(int db) const {
  uint64_t n = 0;
  for (const auto& shard : shards_) n += shard->db(db).published_keys.get();
  return n;
}

uint64_t Keyspace::ApproxKeys() const {
  uint64_t keys = 0;
  for (int db = 0; db < num_dbs_; ++db) keys += ApproxKeys(db);
  return keys;
}

uint64_t Keyspace::ApproxExpires(int db) const {
  uint64_t n = 0;
  for (const auto& shard : shards_) n += shard->db(db).published_expires.get();
  return n;
}

// ------------------------------------------------------------------------------------------------- Db

Entry* Db::Find(std::string_view key) {
  const uint64_t hash = Dict::Hash(key);
  DbShard& ds = ShardFor(hash);
  Entry* e = ds.dict.Find(key, hash);
  if (e != nullptr && IsExpired(e)) {
    if (!ks_->replica()) ks_->Remove(ds, index_, e, RemovalCause::kExpired, *sink_);
    return nullptr;
  }
  return e;
}

Entry* Db::FindForRead(std::string_view key) {
  Entry* e = Find(key);
  auto& stats = ks_->stats();
  if (e == nullptr) {
    stats.keyspace_misses.fetch_add(1, std::memory_order_relaxed);
    ks_->NoteMissed(index_, key);
  } else {
    stats.keyspace_hits.fetch_add(1, std::memory_order_relaxed);
    if (touch_) ks_->Touch(e, NowMs());
  }
  return e;
}

Entry* Db::FindForWrite(std::string_view key) {
  Entry* e = Find(key);
  if (e != nullptr && touch_) ks_->Touch(e, NowMs());
  return e;
}

Entry* Db::Add(std::string_view key, Value value, int64_t deadline_ms) {
  const uint64_t hash = Dict::Hash(key);
  auto entry = std::make_unique<Entry>(key, hash, std::move(value));
  entry->access_ = ks_->NewAccess(NowMs());
  entry->version_ = ks_->NewVersion(*sink_);
  entry->list_head_ = format::CenteredListHead(entry->value_.is_list() ? entry->value_.list().size() : 0);
  DbShard& ds = ShardFor(hash);
  Entry* e = ds.dict.Insert(std::move(entry));
  ds.PublishCounts();
  if (deadline_ms != 0) IndexDeadline(e, deadline_ms);  // before recording: one metadata record
  sink_->PutKey(pdb(), *e);
  ks_->NoteCreated(index_, e->key);
  ks_->NoteAdded(index_, *e);
  return e;
}

Entry* Db::Overwrite(std::string_view key, Value value, bool keep_ttl) {
  Entry* e = Find(key);
  if (e == nullptr) return Add(key, std::move(value));
  if (ks_->access_tracking().lfu) {
    // Redis's setKey looks the key up for writing (one access), and dbOverwrite keeps the counter.
    if (touch_) ks_->Touch(e, NowMs());
  } else {
    e->access_ = AccessClock(NowMs());  // the new value is a new object, stamped now
  }
  if (!keep_ttl) ClearDeadlineSilently(e);
  Replace(e, std::move(value));
  ks_->NoteAdded(index_, *e);
  return e;
}

void Db::Replace(Entry* e, Value value) {
  // A string over a string needs no new version (strings have no element records); anything else
  // gets a new version, and the old value's element records a range tombstone.
  const bool had_elements = !e->value_.is_string();
  const bool needs_version = !(value.is_string() && e->value_.is_string());
  e->value_ = std::move(value);
  if (needs_version) {
    e->list_head_ = format::CenteredListHead(e->value_.is_list() ? e->value_.list().size() : 0);
    e->version_ = ks_->NewVersion(*sink_);
  }
  if (had_elements) sink_->DeleteElements(pdb(), e->key);
  sink_->PutKey(pdb(), *e);
}

bool Db::Delete(std::string_view key) {
  Entry* e = Find(key);
  if (e == nullptr) return false;
  Erase(e);
  return true;
}

void Db::Erase(Entry* e, RemovalCause cause) { ks_->Remove(ShardFor(e->hash), index_, e, cause, *sink_); }

std::pair<Value, int64_t> Db::Extract(Entry* e) {
  std::pair<Value, int64_t> out(std::move(e->value_), e->deadline_ms_);
  Erase(e);
  return out;
}

void Db::ClearDeadlineSilently(Entry* e) {
  if (!e->has_deadline()) return;
  DbShard& ds = ShardFor(e->hash);
  ds.expiry.erase({e->deadline_ms_, e});
  ds.deadline_sum_ms -= e->deadline_ms_;
  e->deadline_ms_ = 0;
  ds.PublishCounts();
}

void Db::IndexDeadline(Entry* e, int64_t deadline_ms) {
  Shard& shard = ks_->shard(ks_->ShardOf(e->hash));
  DbShard& ds = shard.db(index_);
  e->deadline_ms_ = deadline_ms;
  ds.expiry.insert({deadline_ms, e});
  ds.deadline_sum_ms += deadline_ms;
  shard.NoteDeadline(deadline_ms);
  ds.PublishCounts();
}

void Db::SetDeadline(Entry* e, int64_t deadline_ms) {
  if (e->deadline_ms_ == deadline_ms) return;
  ClearDeadlineSilently(e);
  if (deadline_ms != 0) IndexDeadline(e, deadline_ms);
  sink_->PutMeta(pdb(), *e);
}

size_t Db::Size() const {
  size_t n = 0;
  for (int s = 0; s < ks_->num_shards(); ++s) n += ks_->shard(s).db(index_).dict.size();
  return n;
}

size_t Db::ExpiresCount() const {
  size_t n = 0;
  for (int s = 0; s < ks_->num_shards(); ++s) n += ks_->shard(s).db(index_).expiry.size();
  return n;
}

int64_t Db::AverageTtlMs() const {
  __int128 sum = 0;
  size_t n = 0;
  for (int s = 0; s < ks_->num_shards(); ++s) {
    const DbShard& ds = ks_->shard(s).db(index_);
    sum += ds.deadline_sum_ms;
    n += ds.expiry.size();
  }
  if (n == 0) return 0;
  const int64_t avg = static_cast<int64_t>(sum / static_cast<__int128>(n)) - NowMs();
  return std::max<int64_t>(avg, 0);
}

void Db::Clear() {
  ks_->TouchWatchedDb(index_);
  sink_->DeleteDb(pdb());
  for (int s = 0; s < ks_->num_shards(); ++s) {
    DbShard& ds = ks_->shard(s).db(index_);
    ds.expiry.clear();
    ds.deadline_sum_ms = 0;
    ds.dict.Clear();
    ds.PublishCounts();
  }
}

Entry* Db::RandomEntry(absl::BitGen& gen) {
  // Pick a shard with probability proportional to its size, then a random entry in it; retry a few times
  // past expired keys, as Redis's RANDOMKEY does.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const size_t total = Size();
    if (total == 0) return nullptr;
    size_t pick = absl::Uniform<size_t>(gen, 0, total);
    for (int s = 0; s < ks_->num_shards(); ++s) {
      DbShard& ds = ks_->shard(s).db(index_);
      if (pick >= ds.dict.size()) {
        pick -= ds.dict.size();
        continue;
      }
      Entry* e = ds.dict.Random(gen);
      if (!IsExpired(e)) return e;
      ks_->Remove(ds, index_, e, RemovalCause::kExpired, *sink_);
      break;
    }
  }
  return nullptr;
}

uint64_t Db::ScanStep(uint64_t cursor, const std::function<void(Entry*)>& fn) {
  // The cursor interleaves the shard number (low bits) with the shard's own dict cursor.
  const uint64_t num_shards = ks_->num_shards();
  uint64_t shard = cursor % num_shards;
  uint64_t dict_cursor = cursor / num_shards;
  DbShard& ds = ks_->shard(shard).db(index_);
  std::vector<Entry*> expired;
  dict_cursor = ds.dict.ScanStep(dict_cursor, [&](Entry* e) {
    if (IsExpired(e)) {
      expired.push_back(e);
    } else {
      fn(e);
    }
  });
  for (Entry* e : expired) ks_->Remove(ds, index_, e, RemovalCause::kExpired, *sink_);
  if (dict_cursor == 0) {
    ++shard;
    if (shard == num_shards) return 0;
  }
  return dict_cursor * num_shards + shard;
}

}  // namespace sessionkv::storage

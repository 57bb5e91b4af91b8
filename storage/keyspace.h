// SPDX-License-Identifier: Apache-2.0
// The in-memory keyspace: `databases` logical databases, each split over the same set of shards by key hash.
//
// A shard holds its part of every database under one mutex, so a key lives in the same shard in every
// database (MOVE and COPY between databases lock one shard) and SWAPDB swaps per-shard tables. Commands lock
// the shards of their keys in ascending order (server/dispatcher.cc) and then work through a Db view.
//
// Expiry: each database shard keeps its keys with a deadline ordered by deadline; ExpireDue() deletes exactly
// the keys that are due, so the work per tick depends on the keys due now, never on the keys not yet due
// (design.md, "Expiry"). The server arms one timer per shard at NextDeadline(); when a write sets a deadline
// earlier than the armed one, the shard calls its deadline listener so the timer is re-armed.
//
// Persistence: every change goes through Db (or Keyspace for expiry and SWAPDB), which changes memory and
// records the effect into the MutationSink the Db was made with (storage/mutation.h); the caller appends
// the sink to the commit log before it releases the shard locks (docs/persistence.md). Databases are
// addressed on disk by a physical number; SWAPDB swaps the logical-to-physical map.
//
// WATCH: each shard also keeps, per database, the watches on its keys (storage/watch.h). They belong to the
// database index, not to its contents, so SWAPDB leaves them in place and touches them instead.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/random/random.h"
#include "storage/clock.h"
#include "storage/dict.h"
#include "storage/eviction.h"
#include "storage/mutation.h"
#include "storage/value.h"
#include "storage/watch.h"

namespace sessionkv::storage {

inline constexpr int64_t kNoDeadline = INT64_MAX;

// A count that one writer updates with its shard locked and any thread may read without the lock
// (the metrics endpoint's redis_db_keys). Copies carry the value, so a DbShard stays swappable (SWAPDB).
class PublishedCount {
 public:
  PublishedCount() = default;
  PublishedCount(const PublishedCount& other) : value_(other.get()) {}
  PublishedCount& operator=(const PublishedCount& other) {
    set(other.get());
    return *this;
  }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }
  void set(uint64_t v) { value_.store(v, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// One database's part in one shard.
struct DbShard {
  Dict dict;
  absl::btree_set<std::pair<int64_t, Entry*>> expiry;  // (deadline ms, entry)
  __int128 deadline_sum_ms = 0;                        // for INFO keyspace avg_ttl
  // dict.size() and expiry.size() as of the last change, for readers that hold no lock.
  PublishedCount published_keys, published_expires;
  void PublishCounts() {
    published_keys.set(dict.size());
    published_expires.set(expiry.size());
  }
};

// Counters shown in INFO stats.
struct KeyspaceStats {
  std::atomic<uint64_t> expired_keys{0};
  std::atomic<uint64_t> evicted_keys{0};  // keys removed by a maxmemory policy
  std::atomic<uint64_t> keyspace_hits{0};
  std::atomic<uint64_t> keyspace_misses{0};
};

// Why a key left the keyspace; later layers turn this into keyspace events and logged mutations.
enum class RemovalCause { kDeleted, kExpired, kOverwritten, kEvicted };

class Shard {
 public:
  explicit Shard(int num_dbs) : dbs_(num_dbs), watches_(num_dbs) {}
  std::mutex& mutex() { return mu_; }
  DbShard& db(int index) { return dbs_[index]; }
  int num_dbs() const { return static_cast<int>(dbs_.size()); }
  // Swaps the contents of two databases; their watches stay (use Keyspace::SwapDbs, which touches them).
  void SwapDbs(int a, int b) { std::swap(dbs_[a], dbs_[b]); }
  // The watches on this shard's keys of database `index`.
  WatchTable& watches(int index) { return watches_[index]; }

  // The earliest deadline in any database of this shard, or kNoDeadline. Caller holds the lock.
  int64_t NextDeadline() const;

  // The deadline the shard's timer is armed for; the server sets it when it arms the timer.
  int64_t armed_deadline() const { return armed_deadline_.load(std::memory_order_acquire); }
  void set_armed_deadline(int64_t d) { armed_deadline_.store(d, std::memory_order_release); }
  // Called (with the shard locked) when a deadline earlier than the armed one is set.
  void set_deadline_listener(std::function<void(int64_t)> fn) { deadline_listener_ = std::move(fn); }
  void NoteDeadline(int64_t deadline_ms);

 private:
  std::mutex mu_;
  std::vector<DbShard> dbs_;
  std::vector<WatchTable> watches_;
  std::atomic<int64_t> armed_deadline_{kNoDeadline};
  std::function<void(int64_t)> deadline_listener_;
};

class Keyspace {
 public:
  Keyspace(int num_dbs, int num_shards, const Clock* clock);

  int num_dbs() const { return num_dbs_; }
  int num_shards() const { return static_cast<int>(shards_.size()); }
  Shard& shard(size_t i) { return *shards_[i]; }
  // Shard of a key hash. Uses the high bits, which the dict's bucket index (low bits) does not.
  size_t ShardOf(uint64_t hash) const { return (hash >> 40) % shards_.size(); }
  size_t ShardOfKey(std::string_view key) const { return ShardOf(Dict::Hash(key)); }
  const Clock& clock() const { return *clock_; }
  KeyspaceStats& stats() { return stats_; }

  // Deletes up to `budget` keys of `shard` whose deadline is before `now_ms`, recording each as an
  // expired delete into `sink`; the shard is locked by the caller. Returns the number deleted.
  // `on_expired` gets each deleted key's deadline (the server's expiry-delay histogram).
  size_t ExpireDue(Shard& shard, int64_t now_ms, size_t budget, MutationSink& sink,
                   const std::function<void(int64_t deadline_ms)>& on_expired = {});

  // Keys and keys with a deadline in database `db`, summed over the shards without taking their locks:
  // each shard's part is exact as of its last change (metrics; INFO keyspace locks and counts).
  uint64_t ApproxKeys(int db) const;
  // The same summed over every database.
  uint64_t ApproxKeys() const;
  uint64_t ApproxExpires(int db) const;

  // Removes an entry of database `db` from its database shard and frees it, keeping the expiry index in
  // step, and records the delete. An expiry (an eviction) is counted and announced to the expired
  // (evicted) listener first, with the shard still locked. An eviction is recorded as a plain delete,
  // as Redis propagates a DEL.
  void Remove(DbShard& ds, int db, Entry* e, RemovalCause cause, MutationSink& sink);

  // ---- Access tracking (storage/eviction.h): how reads and writes stamp a key's access field. Set by
  // the server from maxmemory-policy, lfu-log-factor and lfu-decay-time; read by any thread.
  void set_access_tracking(const AccessTracking& t);
  AccessTracking access_tracking() const;
  // The access field of a key created (or loaded) at `now_ms`: the clock, or the LFU start counter.
  uint32_t NewAccess(int64_t now_ms) const;
  // A read or write of `e` at `now_ms` (Redis's lookupKey without NOTOUCH).
  void Touch(Entry* e, int64_t now_ms) const;

  // ---- Persistence state (docs/persistence.md).
  // The physical database that holds logical database `db` on disk. Changed only by SwapDbs, under every
  // shard lock, so any shard lock suffices to read it.
  uint32_t PhysicalDb(int db) const { return physical_db_[static_cast<size_t>(db)]; }
  const std::vector<uint32_t>& physical_dbs() const { return physical_db_; }
  // A fresh key version for a key created or rewritten now (0 when `sink` does not record). Crossing
  // into the last half of the lease records a new lease into `sink`, so a restart never reuses a
  // version that may already be on disk.
  uint64_t NewVersion(MutationSink& sink);
  // Set by the loader before clients are served: the map read from disk, the first free version and the
  // lease on record.
  void RestorePersistentState(std::vector<uint32_t> physical_dbs, uint64_t next_version, uint64_t lease);
  // A replica's record of its primary's versions (storage/replica_apply.h): raises the next version and
  // the lease to at least these, so that after a promotion no version the primary handed out is reused.
  void RaiseVersions(uint64_t next_version, uint64_t lease);
  // The loader's insertion of a key read from disk into database `db` (the key is absent; its shard is
  // locked by the caller). Keeps the expiry index and the deadline listener in step, or, with
  // `deferred`, leaves the key's deadline out of the index and appends it there for
  // IndexDeferredDeadlines: a million random inserts into the shards' btrees were a fifth of a
  // restart's CPU, sorted ones at the end cost a few milliseconds. Until then the expiry timers do
  // not see those keys, so nothing deletes them (clients get -LOADING meanwhile).
  struct DeferredDeadline {
    uint32_t shard;
    int32_t db;
    int64_t deadline_ms;
    Entry* entry;
  };
  Entry* InsertLoaded(int db, std::unique_ptr<Entry> entry, std::vector<DeferredDeadline>* deferred = nullptr);
  // Adds the deadlines InsertLoaded deferred to the expiry index, each shard under its lock.
  void IndexDeferredDeadlines(std::vector<DeferredDeadline> deferred);

  // Called for every key that expires (lazily on access or by ExpireDue), exactly once per key, with its
  // shard locked and the key already gone: the server turns it into the `expired` keyspace event.
  using KeyListener = std::function<void(int db, std::string_view key)>;
  void set_expired_listener(KeyListener fn) { expired_listener_ = std::move(fn); }
  // The same for every key evicted by a maxmemory policy: the `evicted` event.
  void set_evicted_listener(KeyListener fn) { evicted_listener_ = std::move(fn); }
  // Called with the shard locked when a key is created (Db::Add, Redis's dbAdd: the `new` keyspace
  // event) and when a read finds no key (Db::FindForRead, Redis's lookupKeyRead: `keymiss`).
  void set_created_listener(KeyListener fn) { created_listener_ = std::move(fn); }
  void set_missed_listener(KeyListener fn) { missed_listener_ = std::move(fn); }
  void NoteCreated(int db, std::string_view key) const {
    if (created_listener_) created_listener_(db, key);
  }
  void NoteMissed(int db, std::string_view key) const {
    if (missed_listener_) missed_listener_(db, key);
  }

  // SWAPDB: swaps databases a and b in every shard, first touching the watches of keys that exist in
  // either (Redis's touchAllWatchedKeysInDb both ways), and records the swapped physical map. The caller
  // holds every shard lock.
  void SwapDbs(int a, int b, MutationSink& sink);

  // ---- WATCH (storage/watch.h). Each call needs the lock of the shard of `key`.
  // Adds `flag`'s watch of `key` in database `db`; false if it was already watched by `flag`.
  bool Watch(int db, std::string_view key, const std::shared_ptr<WatchFlag>& flag);
  void Unwatch(int db, std::string_view key, const WatchFlag* flag);
  // `key` of database `db` changed (or is gone): marks its watchers dirty. Costs one atomic load while no
  // client watches anything.
  void TouchWatchedKey(int db, std::string_view key);
  // True if `flag`'s watched `key` was live at WATCH time and is logically expired now.
  bool WatchedKeyExpired(int db, std::string_view key, const WatchFlag* flag);
  // Database `db` is about to be emptied (FLUSHDB, FLUSHALL): touches the watches of its existing keys.
  // The caller holds every shard lock.
  void TouchWatchedDb(int db);
  // Called whenever a key gets a new value (Db::Add, and Db::Overwrite of an existing key), with its
  // shard locked: the server wakes the clients blocked on that key (BLPOP...). A list is never empty
  // in the keyspace, so a key someone waits on gains data only this way.
  using AddedListener = std::function<void(int db, const Entry& e)>;
  void set_added_listener(AddedListener fn) { added_listener_ = std::move(fn); }
  void NoteAdded(int db, const Entry& e) const {
    if (added_listener_) added_listener_(db, e);
  }

  // A replica never deletes by the clock (docs/replication.md, "Expiry"): a key past its deadline is
  // hidden from reads, and only the primary's replicated delete removes it.
  bool replica() const { return replica_.load(std::memory_order_acquire); }
  void set_replica(bool replica) { replica_.store(replica, std::memory_order_release); }

 private:
  bool HasWatches() const { return watch_count_.load(std::memory_order_relaxed) > 0; }

  int num_dbs_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<uint32_t> physical_db_;
  std::atomic<uint64_t> next_version_{1};
  std::mutex lease_mu_;  // a leaf lock
  std::atomic<uint64_t> lease_{0};
  const Clock* clock_;
  KeyspaceStats stats_;
  KeyListener expired_listener_, evicted_listener_, created_listener_, missed_listener_;
  std::atomic<bool> lfu_{false};
  std::atomic<int64_t> lfu_log_factor_{10}, lfu_decay_time_{1};
  std::atomic<int64_t> watch_count_{0};  // watches in all shards
  std::atomic<bool> replica_{false};
  AddedListener added_listener_;
};

// Seconds-resolution access clock for OBJECT IDLETIME (the access field outside LFU policies).
uint32_t AccessClock(int64_t now_ms);

// A command's view of one logical database. The shards of every key it touches are already locked
// (all shards for whole-database operations). Every change is recorded into `sink`.
class Db {
 public:
  Db(Keyspace& ks, int index, MutationSink* sink) : ks_(&ks), sink_(sink), index_(index) {}

  int index() const { return index_; }
  Keyspace& keyspace() const { return *ks_; }
  MutationSink& sink() const { return *sink_; }
  int64_t NowMs() const { return ks_->clock().NowMs(); }
  // When false, reads do not update the access time (CLIENT NO-TOUCH).
  void set_touch(bool touch) { touch_ = touch; }

  // The live entry for key, or nullptr. An expired key is deleted here (lazy expiry). No statistics.
  Entry* Find(std::string_view key);
  // Find for a read: counts keyspace hits/misses and updates the access time.
  Entry* FindForRead(std::string_view key);
  // Find for a write: updates the access time.
  Entry* FindForWrite(std::string_view key);

  // ---- Whole keys.
  // Adds a key that is not present (the caller checked with Find), with `deadline_ms` (0 = none).
  Entry* Add(std::string_view key, Value value, int64_t deadline_ms = 0);
  // SET semantics: replaces the value of key (or adds it) and clears any deadline unless keep_ttl.
  Entry* Overwrite(std::string_view key, Value value, bool keep_ttl = false);
  // Replaces the value of a live entry, keeping its deadline (INCR's new number).
  void Replace(Entry* e, Value value);
  // Deletes key if present; true if it was.
  bool Delete(std::string_view key);
  void Erase(Entry* e, RemovalCause cause = RemovalCause::kDeleted);
  // Removes a live entry and hands back its value and deadline (RENAME, MOVE).
  std::pair<Value, int64_t> Extract(Entry* e);
  // Sets (deadline_ms > 0) or clears (0) the deadline of a live entry.
  void SetDeadline(Entry* e, int64_t deadline_ms);
  // True if a deadline in the past would make this key expire now (Redis: now > deadline).
  bool IsPast(int64_t deadline_ms) const { return NowMs() > deadline_ms; }

  // ---- Strings (the entry holds a string).
  void StringAppend(Entry* e, std::string_view tail);
  // Writes `patch` at `offset`, zero-padding a shorter string.
  void StringSetRange(Entry* e, size_t offset, std::string_view patch);

  // ---- Hashes (the entry holds a hash). `pairs` is field, value, field, value...
  // HSET/HMSET/HSETNX: HashValue::PrepareWrite over the arguments, then every pair; the fields created.
  size_t HashSet(Entry* e, std::span<const std::string_view> pairs, const HashLimits& limits);
  // One field without the argument check (HINCRBY, HINCRBYFLOAT).
  void HashSetField(Entry* e, std::string_view field, std::string_view value, const HashLimits& limits);
  // Removes fields until the hash is empty; the number removed.
  size_t HashDelete(Entry* e, std::span<const std::string_view> fields);

  // ---- Sets (the entry holds a set).
  size_t SetAdd(Entry* e, std::span<const std::string_view> members, const SetLimits& limits);
  // Removes members until the set is empty; the number removed.
  size_t SetRemove(Entry* e, std::span<const std::string_view> members);
  // SPOP: one member chosen at random, or `count` distinct ones (every member when count >= size),
  // removed.
  std::string SetPopRandom(Entry* e, absl::BitGen& gen);
  std::vector<std::string> SetPopDistinct(Entry* e, size_t count, absl::BitGen& gen);

  // ---- Sorted sets (the entry holds a sorted set).
  ZSetValue::AddResult ZAdd(Entry* e, std::string_view member, double score, uint8_t flags,
                            const ZSetLimits& limits, double* new_score);
  // ZSetValue::PrepareFor (an encoding choice; nothing to record).
  void ZPrepare(Entry* e, size_t size_hint, const ZSetLimits& limits);
  // Removes members until the set is empty; the number removed.
  size_t ZRemove(Entry* e, std::span<const std::string_view> members);
  ZSetValue::Entry ZPop(Entry* e, bool highest);
  // Removes the members at ranks [start, end] (end < size), or in a range; the number removed.
  size_t ZRemoveRanks(Entry* e, size_t start, size_t end);
  size_t ZRemoveRange(Entry* e, const ScoreRange& range);
  size_t ZRemoveRange(Entry* e, const LexRange& range);

  // ---- Lists (the entry holds a list); the ListValue methods of the same names, recorded.
  using End = ListValue::End;
  void ListPush(Entry* e, End end, std::span<const std::string_view> values, int fill);
  std::vector<std::string> ListPop(Entry* e, End end, size_t count, int fill);
  std::string ListRotate(Entry* e, End from, End to, int fill);
  bool ListSet(Entry* e, int64_t index, std::string_view value, int fill);
  // LINSERT and LREM shift the elements after the change: they rewrite the whole key.
  bool ListInsert(Entry* e, std::string_view pivot, std::string_view value, bool after, int fill);
  size_t ListRemove(Entry* e, std::string_view value, size_t count, bool from_tail, int fill);
  void ListTrim(Entry* e, size_t head, size_t tail, int fill);

  // ---- Whole-database operations; the caller holds every shard lock.
  size_t Size() const;
  size_t ExpiresCount() const;
  // Mean remaining TTL in ms of keys with a deadline (INFO keyspace avg_ttl), 0 if none.
  int64_t AverageTtlMs() const;
  // Deletes every key; watches of keys that existed are touched first (FLUSHDB/FLUSHALL fail their EXEC).
  void Clear();
  // A random live key, or nullptr if the database is empty.
  Entry* RandomEntry(absl::BitGen& gen);
  // One step of SCAN over the whole database; cursor 0 starts, returns 0 when done. Expired keys are
  // skipped (and deleted). `fn` must not modify the database.
  uint64_t ScanStep(uint64_t cursor, const std::function<void(Entry*)>& fn);

  // The database shard that holds (or would hold) key.
  DbShard& ShardFor(uint64_t hash) const { return ks_->shard(ks_->ShardOf(hash)).db(index_); }

 private:
  bool IsExpired(const Entry* e) const { return e->deadline_ms_ != 0 && NowMs() > e->deadline_ms_; }
  uint32_t pdb() const { return ks_->PhysicalDb(index_); }
  // The deadline and the expiry index without recording (the caller records the key).
  void ClearDeadlineSilently(Entry* e);
  void IndexDeadline(Entry* e, int64_t deadline_ms);
  // Records a list again from memory under a new version (old element records become stale), with its
  // head at `list_head` (centred by default).
  void Rewrite(Entry* e, uint32_t list_head);
  void Rewrite(Entry* e);
  // Before pushing n elements at `end`: rebases the list's disk positions if they would leave u32.
  void ReserveListPositions(Entry* e, End end, size_t n);

  Keyspace* ks_;
  MutationSink* sink_;
  int index_;
  bool touch_ = true;
};

}  // namespace sessionkv::storage

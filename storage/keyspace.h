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
// WATCH: each shard also keeps, per database, the watches on its keys (storage/watch.h). They belong to the
// database index, not to its contents, so SWAPDB leaves them in place and touches them instead.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/random/random.h"
#include "storage/clock.h"
#include "storage/dict.h"
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
enum class RemovalCause { kDeleted, kExpired, kOverwritten };

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

  // Deletes up to `budget` keys of `shard` whose deadline is before `now_ms`; the shard is locked by the
  // caller. Returns the number deleted. `on_expired` gets each deleted key's deadline (the server's
  // expiry-delay histogram).
  size_t ExpireDue(Shard& shard, int64_t now_ms, size_t budget,
                   const std::function<void(int64_t deadline_ms)>& on_expired = {});

  // Keys and keys with a deadline in database `db`, summed over the shards without taking their locks:
  // each shard's part is exact as of its last change (metrics; INFO keyspace locks and counts).
  uint64_t ApproxKeys(int db) const;
  uint64_t ApproxExpires(int db) const;

  // Removes an entry of database `db` from its database shard and frees it, keeping the expiry index in
  // step. An expiry is announced to the expired listener first, with the shard still locked.
  void Remove(DbShard& ds, int db, Entry* e, RemovalCause cause);

  // Called for every key that expires (lazily on access or by ExpireDue), exactly once per key, with its
  // shard locked and the key already gone: the server turns it into the `expired` keyspace event.
  using KeyListener = std::function<void(int db, std::string_view key)>;
  void set_expired_listener(KeyListener fn) { expired_listener_ = std::move(fn); }
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
  // either (Redis's touchAllWatchedKeysInDb both ways). The caller holds every shard lock.
  void SwapDbs(int a, int b);

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

 private:
  bool HasWatches() const { return watch_count_.load(std::memory_order_relaxed) > 0; }

  int num_dbs_;
  std::vector<std::unique_ptr<Shard>> shards_;
  const Clock* clock_;
  KeyspaceStats stats_;
  KeyListener expired_listener_, created_listener_, missed_listener_;
  std::atomic<int64_t> watch_count_{0};  // watches in all shards
  AddedListener added_listener_;
};

// Seconds-resolution access clock for OBJECT IDLETIME.
uint32_t AccessClock(int64_t now_ms);

// A command's view of one logical database. The shards of every key it touches are already locked
// (all shards for whole-database operations).
class Db {
 public:
  Db(Keyspace& ks, int index) : ks_(&ks), index_(index) {}

  int index() const { return index_; }
  Keyspace& keyspace() const { return *ks_; }
  int64_t NowMs() const { return ks_->clock().NowMs(); }
  // When false, reads do not update the access time (CLIENT NO-TOUCH).
  void set_touch(bool touch) { touch_ = touch; }

  // The live entry for key, or nullptr. An expired key is deleted here (lazy expiry). No statistics.
  Entry* Find(std::string_view key);
  // Find for a read: counts keyspace hits/misses and updates the access time.
  Entry* FindForRead(std::string_view key);
  // Find for a write: updates the access time.
  Entry* FindForWrite(std::string_view key);

  // Adds a key that is not present (the caller checked with Find) with no deadline.
  Entry* Add(std::string_view key, Value value);
  // SET semantics: replaces the value of key (or adds it) and clears any deadline unless keep_ttl.
  Entry* Overwrite(std::string_view key, Value value, bool keep_ttl = false);
  // Deletes key if present; true if it was.
  bool Delete(std::string_view key);
  void Erase(Entry* e, RemovalCause cause = RemovalCause::kDeleted);
  // Sets (deadline_ms > 0) or clears (0) the deadline of a live entry.
  void SetDeadline(Entry* e, int64_t deadline_ms);
  // True if a deadline in the past would make this key expire now (Redis: now > deadline).
  bool IsPast(int64_t deadline_ms) const { return NowMs() > deadline_ms; }

  // Whole-database operations; the caller holds every shard lock.
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
  bool IsExpired(const Entry* e) const { return e->deadline_ms != 0 && NowMs() > e->deadline_ms; }

  Keyspace* ks_;
  int index_;
  bool touch_ = true;
};

}  // namespace sessionkv::storage

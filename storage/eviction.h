// SPDX-License-Identifier: Apache-2.0
// maxmemory eviction (Redis's evict.c): the policies, the LFU counter, the pool of candidates, and the
// choice of the next key to evict from a sharded keyspace.
//
// A key's access field (Entry::access()) is Redis's 24-bit `lru` field widened to 32 bits. Under an LRU
// (or non-LFU) policy it holds the access clock in seconds (OBJECT IDLETIME); under an LFU policy it
// holds 16 bits of minutes (the last decrement time) above an 8-bit logarithmic counter. As in Redis the
// field is simply read the other way after a run-time switch of policy, so counters take a while to
// mean something again (the text of OBJECT FREQ's error says so).
//
// Approximated LRU/LFU/TTL, as Redis: each eviction samples `maxmemory-samples` keys of every database
// into a pool of the 16 best candidates seen so far (kept across evictions), then evicts the best one
// that still exists. The keyspace is sharded with a mutex per shard, so the sampling takes one shard
// lock at a time and the pool keeps key names, never entry pointers; a candidate is looked up again,
// under its shard's lock, before it is deleted.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/random/random.h"
#include "storage/mutation.h"

namespace sessionkv::storage {

class Engine;
class Entry;
class Keyspace;
struct DbShard;

// ---------------------------------------------------------------------------------------- policies

// maxmemory-policy, in Redis's maxmemory_policy_enum order (the config's enum index).
enum class EvictionPolicy : uint8_t {
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllkeysLru,
  kAllkeysLfu,
  kAllkeysRandom,
  kNoEviction,
};

// allkeys-*: every key is a candidate; volatile-*: only keys with a deadline.
constexpr bool EvictsAllKeys(EvictionPolicy p) {
  return p == EvictionPolicy::kAllkeysLru || p == EvictionPolicy::kAllkeysLfu ||
         p == EvictionPolicy::kAllkeysRandom;
}
constexpr bool IsLruPolicy(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kAllkeysLru;
}
constexpr bool IsLfuPolicy(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLfu || p == EvictionPolicy::kAllkeysLfu;
}
constexpr bool IsRandomPolicy(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kAllkeysRandom;
}

// --------------------------------------------------------------------------------------------- LFU

inline constexpr uint8_t kLfuInitCounter = 5;  // Redis's LFU_INIT_VAL: new keys get a few accesses' grace

// How accesses stamp a key's access field (see the file comment); the keyspace keeps the current one.
struct AccessTracking {
  bool lfu = false;             // an LFU policy is selected
  int64_t lfu_log_factor = 10;  // lfu-log-factor
  int64_t lfu_decay_time = 1;   // lfu-decay-time, minutes per decrement (0: never)
};

// 16 bits of Unix minutes (Redis's LFUGetTimeInMinutes).
uint32_t LfuMinutes(int64_t now_ms);
// The access field of a key last decremented at `now_ms` with `counter`.
constexpr uint32_t LfuStamp(uint32_t minutes, uint8_t counter) { return (minutes & 0xffff) << 8 | counter; }
// The counter of `access` after the decay due by `now_ms` (Redis's LFUDecrAndReturn; OBJECT FREQ).
uint8_t LfuCounter(uint32_t access, int64_t now_ms, int64_t decay_time);
// Redis's LFULogIncr: the counter grows by one with probability 1 / ((counter - 5) * factor + 1).
// `r` is uniform in [0, 1).
uint8_t LfuLogIncr(uint8_t counter, int64_t log_factor, double r);
// One access under LFU: decay, then a logarithmic increment, stamped now (Redis's updateLFU).
uint32_t LfuTouch(uint32_t access, int64_t now_ms, const AccessTracking& tracking, double r);

// ---------------------------------------------------------------------------------------- the pool

// The best eviction candidates seen so far, ascending by score (a higher score is a better victim:
// seconds idle for LRU, 255 - frequency for LFU, a sooner deadline for volatile-ttl), at most kSize.
// Redis's EvictionPoolLRU, except that a key offered again replaces its older entry instead of
// appearing twice.
class EvictionPool {
 public:
  static constexpr size_t kSize = 16;
  struct Candidate {
    uint64_t score = 0;
    int db = 0;
    size_t shard = 0;
    std::string key;
  };

  // Inserts in score order. A full pool drops its worst entry to make room, and refuses a candidate
  // no better than that worst one (Redis's evictionPoolPopulate).
  void Offer(uint64_t score, int db, size_t shard, std::string_view key);
  // Removes and returns the best candidate; nullopt when empty.
  std::optional<Candidate> PopBest();
  size_t size() const { return size_; }
  const Candidate& at(size_t i) const { return slots_[i]; }  // 0 = worst
  void Clear() { size_ = 0; }

 private:
  std::array<Candidate, kSize> slots_;
  size_t size_ = 0;
};

// -------------------------------------------------------------------------------------- the evictor

struct EvictionSettings {
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  int64_t samples = 5;  // maxmemory-samples
};

// Chooses keys to evict and deletes them through the keyspace (Keyspace::Remove with
// RemovalCause::kEvicted: counted in evicted_keys, announced to the evicted listener, recorded as a
// delete). Not thread-safe: the server runs one eviction at a time. The caller holds no shard lock;
// EvictOne takes one at a time, in no particular order, and never two at once.
class Evictor {
 public:
  explicit Evictor(Keyspace& ks) : ks_(ks) {}

  // Evicts one key under `settings` (not noeviction). The delete is recorded and appended to `engine`
  // while its shard is still locked (server/mutation_scope.h's rule). Returns the batch's ticket (0 when
  // nothing waits for it), or nullopt when no key is evictable.
  std::optional<uint64_t> EvictOne(const EvictionSettings& settings, Engine& engine);

  // The pool, for tests.
  const EvictionPool& pool() const { return pool_; }

 private:
  // Samples database `db` into the pool: from one shard chosen in proportion to its candidates, more
  // while a large database has yielded fewer than `samples` (Redis 7.4's per-slot sampling). Returns
  // the number of candidates the database holds (0: none).
  uint64_t SampleDb(int db, const EvictionSettings& settings);
  void SampleShard(DbShard& ds, int db, size_t shard, const EvictionSettings& settings, size_t* sampled);
  // A shard of `db` chosen with probability proportional to its candidates (published counts, read
  // without locks), or nullopt when the database has none.
  std::optional<size_t> PickShard(int db, bool all_keys, uint64_t* total);
  std::optional<uint64_t> EvictFromPool(const EvictionSettings& settings, Engine& engine);
  std::optional<uint64_t> EvictRandom(const EvictionSettings& settings, Engine& engine);
  // Deletes `e` of (db, shard), whose shard the caller has locked, and appends the record.
  uint64_t Remove(DbShard& ds, int db, Entry* e, Engine& engine);

  Keyspace& ks_;
  EvictionPool pool_;
  MutationSink sink_;
  absl::BitGen gen_;
  int next_db_ = 0;  // the random policies visit the databases in turn, as Redis's next_db
};

// A random key with a deadline of `ds` (the volatile policies' sample; nullptr if none). Redis samples
// its expires hash table; the deadline index here is ordered, with no random access. While most keys have
// a deadline (a session store) this is a random key of the dict that has one: as uniform as Redis's
// choice. Otherwise the deadline index is probed at a random deadline: a key's chance then
// grows with the gap before its deadline (the first key's gap is the mean one, as if the index wrapped
// around); keys that share one deadline (a batch of EXPIREs in one millisecond) split its chance by the
// gaps between their addresses.
Entry* RandomVolatile(const DbShard& ds, absl::BitGen& gen);

// The score of `e` under an LRU, LFU or TTL policy (see EvictionPool).
uint64_t EvictionScore(const Entry& e, EvictionPolicy policy, int64_t now_ms, int64_t lfu_decay_time);

}  // namespace sessionkv::storage

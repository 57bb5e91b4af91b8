// SPDX-License-Identifier: Apache-2.0
#include "storage/eviction.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "storage/engine.h"
#include "storage/keyspace.h"

namespace sessionkv::storage {

// --------------------------------------------------------------------------------------------- LFU

uint32_t LfuMinutes(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 60'000) & 0xffff; }

uint8_t LfuCounter(uint32_t access, int64_t now_ms, int64_t decay_time) {
  const uint32_t counter = access & 0xff;
  if (decay_time <= 0) return static_cast<uint8_t>(counter);
  const uint32_t last = (access >> 8) & 0xffff;
  const uint32_t now = LfuMinutes(now_ms);
  // The 16-bit minutes wrap every 45 days; a stamp "after" now has wrapped once (Redis's LFUTimeElapsed).
  const uint32_t elapsed = now >= last ? now - last : 0xffff - last + now;
  const uint64_t periods = elapsed / static_cast<uint64_t>(decay_time);
  return periods >= counter ? 0 : static_cast<uint8_t>(counter - periods);
}

uint8_t LfuLogIncr(uint8_t counter, int64_t log_factor, double r) {
  if (counter == 255) return 255;
  const double base = counter > kLfuInitCounter ? counter - kLfuInitCounter : 0;
  const double p = 1.0 / (base * static_cast<double>(log_factor) + 1.0);
  return r < p ? counter + 1 : counter;
}

uint32_t LfuTouch(uint32_t access, int64_t now_ms, const AccessTracking& tracking, double r) {
  const uint8_t counter = LfuCounter(access, now_ms, tracking.lfu_decay_time);
  return LfuStamp(LfuMinutes(now_ms), LfuLogIncr(counter, tracking.lfu_log_factor, r));
}

uint64_t EvictionScore(const Entry& e, EvictionPolicy policy, int64_t now_ms, int64_t lfu_decay_time) {
  if (IsLfuPolicy(policy)) return 255 - LfuCounter(e.access(), now_ms, lfu_decay_time);
  if (policy == EvictionPolicy::kVolatileTtl) {
    return std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(e.deadline_ms());
  }
  const uint32_t now = AccessClock(now_ms);
  return now > e.access() ? now - e.access() : 0;  // seconds idle
}

// ---------------------------------------------------------------------------------------- the pool

void EvictionPool::Offer(uint64_t score, int db, size_t shard, std::string_view key) {
  for (size_t i = 0; i < size_; ++i) {
    if (slots_[i].db == db && slots_[i].key == key) {
      std::move(slots_.begin() + i + 1, slots_.begin() + size_, slots_.begin() + i);
      --size_;
      break;
    }
  }
  // The first slot whose score is not below ours: we go just before it.
  size_t k = 0;
  while (k < size_ && slots_[k].score < score) ++k;
  if (size_ == kSize) {
    if (k == 0) return;  // no better than the worst we hold
    // Full: the worst goes, everything below k shifts down one, and we take slot k - 1.
    std::move(slots_.begin() + 1, slots_.begin() + k, slots_.begin());
    --k;
  } else {
    std::move_backward(slots_.begin() + k, slots_.begin() + size_, slots_.begin() + size_ + 1);
    ++size_;
  }
  Candidate& c = slots_[k];
  c.score = score;
  c.db = db;
  c.shard = shard;
  c.key.assign(key.data(), key.size());  // reuses the slot's buffer, as Redis's cached sds
}

std::optional<EvictionPool::Candidate> EvictionPool::PopBest() {
  if (size_ == 0) return std::nullopt;
  --size_;
  return std::move(slots_[size_]);
}

// -------------------------------------------------------------------------------------- the evictor

namespace {

// Rounds of sampling before EvictOne gives up when every candidate it finds has vanished (keys deleted
// by other threads between the sampling and the lookup): far more than a live keyspace ever needs.
constexpr int kMaxRounds = 64;

uint64_t Candidates(const DbShard& ds, bool all_keys) {
  return all_keys ? ds.published_keys.get() : ds.published_expires.get();
}

}  // namespace

Entry* RandomVolatile(const DbShard& ds, absl::BitGen& gen) {
  if (ds.expiry.empty()) return nullptr;
  if (ds.expiry.size() * 2 >= ds.dict.size()) {
    for (int attempt = 0; attempt < 8; ++attempt) {
      Entry* e = ds.dict.Random(gen);
      if (e->has_deadline()) return e;
    }
  }
  const int64_t lo = ds.expiry.begin()->first, hi = ds.expiry.rbegin()->first;
  const int64_t mean_gap = (hi - lo) / static_cast<int64_t>(ds.expiry.size()) + 1;
  const int64_t deadline = absl::Uniform(absl::IntervalClosed, gen, lo, hi + mean_gap);
  auto it = deadline > hi ? ds.expiry.end() : ds.expiry.lower_bound({deadline, nullptr});
  if (it == ds.expiry.end()) it = ds.expiry.begin();
  // Several keys share the deadline hit (ordered by address): one of them, by a random address between
  // the first and the last one's, then half the time its predecessor, so that each key gets about half
  // the address gap on either side of it (the first one too).
  const auto first = it, next = std::next(it);
  if (next != ds.expiry.end() && next->first == it->first) {
    const auto last = std::prev(ds.expiry.upper_bound({it->first, reinterpret_cast<Entry*>(UINTPTR_MAX)}));
    const uintptr_t tie = absl::Uniform(absl::IntervalClosed, gen, reinterpret_cast<uintptr_t>(it->second),
                                        reinterpret_cast<uintptr_t>(last->second));
    it = ds.expiry.lower_bound({it->first, reinterpret_cast<Entry*>(tie)});
    if (it != first && absl::Bernoulli(gen, 0.5)) --it;
  }
  return it->second;
}

std::optional<size_t> Evictor::PickShard(int db, bool all_keys, uint64_t* total) {
  *total = 0;
  for (int s = 0; s < ks_.num_shards(); ++s) *total += Candidates(ks_.shard(s).db(db), all_keys);
  if (*total == 0) return std::nullopt;
  uint64_t pick = absl::Uniform<uint64_t>(gen_, 0, *total);
  for (int s = 0; s < ks_.num_shards(); ++s) {
    const uint64_t n = Candidates(ks_.shard(s).db(db), all_keys);
    if (pick < n) return static_cast<size_t>(s);
    pick -= n;
  }
  return std::nullopt;  // the counts moved under us; the caller tries again
}

void Evictor::SampleShard(DbShard& ds, int db, size_t shard, const EvictionSettings& settings,
                          size_t* sampled) {
  const bool all_keys = EvictsAllKeys(settings.policy);
  const size_t have = all_keys ? ds.dict.size() : ds.expiry.size();
  const size_t want = std::min<size_t>(have, static_cast<size_t>(std::max<int64_t>(settings.samples, 1)));
  const int64_t now_ms = ks_.clock().NowMs();
  const int64_t decay = ks_.access_tracking().lfu_decay_time;
  auto offer = [&](const Entry* e) {
    pool_.Offer(EvictionScore(*e, settings.policy, now_ms, decay), db, shard, e->key);
    ++*sampled;
  };
  if (settings.policy == EvictionPolicy::kVolatileTtl) {
    // The deadline index is ordered, so its first keys are the shard's best candidates: better than
    // Redis's random sample, and as cheap.
    size_t n = 0;
    for (auto it = ds.expiry.begin(); it != ds.expiry.end() && n < want; ++it, ++n) offer(it->second);
  } else if (all_keys) {
    std::vector<Entry*> picked;
    ds.dict.SampleSome(gen_, want, &picked);
    for (const Entry* e : picked) offer(e);
  } else if (want == have) {
    for (const auto& [deadline, e] : ds.expiry) offer(e);  // the sample is all of them
  } else {
    // Distinct keys, as Redis's dictGetSomeKeys returns, within a bounded number of draws.
    absl::flat_hash_set<const Entry*> picked;
    for (size_t draws = 0; picked.size() < want && draws < 4 * want; ++draws) {
      const Entry* e = RandomVolatile(ds, gen_);
      if (picked.insert(e).second) offer(e);
    }
  }
}

uint64_t Evictor::SampleDb(int db, const EvictionSettings& settings) {
  const bool all_keys = EvictsAllKeys(settings.policy);
  uint64_t total = 0;
  size_t sampled = 0;
  for (int tries = 0; tries < ks_.num_shards() && sampled < static_cast<uint64_t>(settings.samples);
       ++tries) {
    uint64_t seen = 0;
    const std::optional<size_t> s = PickShard(db, all_keys, &seen);
    total = std::max(total, seen);
    if (!s) break;
    Shard& shard = ks_.shard(*s);
    std::lock_guard lock(shard.mutex());
    SampleShard(shard.db(db), db, *s, settings, &sampled);
  }
  return total;
}

uint64_t Evictor::Remove(DbShard& ds, int db, Entry* e, Engine& engine) {
  sink_.set_recording(engine.recording());
  ks_.Remove(ds, db, e, RemovalCause::kEvicted, sink_);
  return engine.Append(sink_);
}

std::optional<uint64_t> Evictor::EvictFromPool(const EvictionSettings& settings, Engine& engine) {
  const bool all_keys = EvictsAllKeys(settings.policy);
  for (int round = 0; round < kMaxRounds; ++round) {
    // Every database is sampled, so the choice is global, not the best of one database (Redis).
    uint64_t total = 0;
    for (int db = 0; db < ks_.num_dbs(); ++db) total += SampleDb(db, settings);
    if (total == 0) return std::nullopt;
    while (std::optional<EvictionPool::Candidate> c = pool_.PopBest()) {
      Shard& shard = ks_.shard(c->shard);
      std::lock_guard lock(shard.mutex());
      DbShard& ds = shard.db(c->db);
      Entry* e = ds.dict.Find(c->key, Dict::Hash(c->key));
      if (e == nullptr || (!all_keys && !e->has_deadline())) continue;  // gone since: a ghost
      // Touched (or given a later deadline) since it was sampled: ranked again instead of evicted on
      // its old score.
      const uint64_t score =
          EvictionScore(*e, settings.policy, ks_.clock().NowMs(), ks_.access_tracking().lfu_decay_time);
      if (score < c->score) {
        pool_.Offer(score, c->db, c->shard, c->key);
        continue;
      }
      return Remove(ds, c->db, e, engine);
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> Evictor::EvictRandom(const EvictionSettings& settings, Engine& engine) {
  const bool all_keys = EvictsAllKeys(settings.policy);
  for (int i = 0; i < ks_.num_dbs(); ++i) {
    next_db_ = (next_db_ + 1) % ks_.num_dbs();
    const int db = next_db_;
    for (int round = 0; round < kMaxRounds; ++round) {
      uint64_t total = 0;
      const std::optional<size_t> s = PickShard(db, all_keys, &total);
      if (total == 0) break;
      if (!s) continue;
      Shard& shard = ks_.shard(*s);
      std::lock_guard lock(shard.mutex());
      DbShard& ds = shard.db(db);
      Entry* e = all_keys ? ds.dict.Random(gen_) : RandomVolatile(ds, gen_);
      if (e != nullptr) return Remove(ds, db, e, engine);
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> Evictor::EvictOne(const EvictionSettings& settings, Engine& engine) {
  if (settings.policy == EvictionPolicy::kNoEviction) return std::nullopt;
  return IsRandomPolicy(settings.policy) ? EvictRandom(settings, engine) : EvictFromPool(settings, engine);
}

}  // namespace sessionkv::storage

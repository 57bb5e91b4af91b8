// SPDX-License-Identifier: Apache-2.0
// storage/eviction.h: the LFU counter, the candidate pool, Dict::SampleSome, and which key each
// maxmemory policy evicts from a scratch keyspace.
#include "storage/eviction.h"

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "storage/engine.h"
#include "storage/keyspace.h"

namespace sessionkv::storage {
namespace {

constexpr int64_t kMinute = 60'000;

// ---------------------------------------------------------------------------------------------- LFU

TEST(LfuTest, LogIncrementGetsRarerAsTheCounterGrows) {
  // At or below the start value every access counts.
  EXPECT_EQ(LfuLogIncr(0, 10, 0.999), 1);
  EXPECT_EQ(LfuLogIncr(kLfuInitCounter, 10, 0.999), kLfuInitCounter + 1);
  // Above it, with probability 1 / ((counter - 5) * factor + 1): 1/101 at 15 with factor 10.
  EXPECT_EQ(LfuLogIncr(15, 10, 0.0098), 16);
  EXPECT_EQ(LfuLogIncr(15, 10, 0.0100), 15);
  EXPECT_EQ(LfuLogIncr(15, 0, 0.999), 16) << "factor 0 counts every access";
  EXPECT_EQ(LfuLogIncr(255, 0, 0.0), 255) << "saturates";
}

TEST(LfuTest, CounterDecaysOnePerDecayPeriod) {
  const int64_t now = 1'700'000'000'000;
  const uint32_t stamp = LfuStamp(LfuMinutes(now), 10);
  EXPECT_EQ(LfuCounter(stamp, now, 1), 10);
  EXPECT_EQ(LfuCounter(stamp, now + 3 * kMinute, 1), 7);
  EXPECT_EQ(LfuCounter(stamp, now + 3 * kMinute, 2), 9);
  EXPECT_EQ(LfuCounter(stamp, now + 3 * kMinute, 0), 10) << "lfu-decay-time 0: no decay";
  EXPECT_EQ(LfuCounter(stamp, now + 60 * kMinute, 1), 0) << "never below zero";
}

TEST(LfuTest, MinutesWrapAfterSixteenBits) {
  // Stamped two minutes before the 16-bit minute clock wraps; read one minute after it.
  const int64_t wrap = int64_t{0x10000} * kMinute;
  const uint32_t stamp = LfuStamp(LfuMinutes(wrap - 2 * kMinute), 20);
  EXPECT_EQ(LfuMinutes(wrap - 2 * kMinute), 0xfffeu);
  EXPECT_EQ(LfuCounter(stamp, wrap + kMinute, 1), 20 - 2) << "Redis's LFUTimeElapsed: 65535 - ldt + now";
}

TEST(LfuTest, TouchDecaysThenCountsAndRestamps) {
  const int64_t now = 1'700'000'000'000;
  const AccessTracking every_access{.lfu = true, .lfu_log_factor = 0, .lfu_decay_time = 1};
  uint32_t access = LfuStamp(LfuMinutes(now), kLfuInitCounter);
  for (int i = 0; i < 100; ++i) access = LfuTouch(access, now, every_access, 0.5);
  EXPECT_EQ(LfuCounter(access, now, 1), kLfuInitCounter + 100);
  // Ten idle minutes cost ten; the touch then counts one and restamps the time.
  access = LfuTouch(access, now + 10 * kMinute, every_access, 0.5);
  EXPECT_EQ(LfuCounter(access, now + 10 * kMinute, 1), kLfuInitCounter + 100 - 10 + 1);
  EXPECT_EQ(access >> 8, LfuMinutes(now + 10 * kMinute));
}

TEST(LfuTest, DefaultFactorGrowsLogarithmically) {
  // Redis's documented table for lfu-log-factor 10: about 18 after 1000 hits, about 142 after 100K.
  const int64_t now = 1'700'000'000'000;
  const AccessTracking tracking{.lfu = true, .lfu_log_factor = 10, .lfu_decay_time = 1};
  absl::BitGen gen;
  uint32_t access = LfuStamp(LfuMinutes(now), kLfuInitCounter);
  for (int i = 0; i < 1000; ++i) access = LfuTouch(access, now, tracking, absl::Uniform<double>(gen, 0.0, 1.0));
  EXPECT_GE(LfuCounter(access, now, 1), 12);
  EXPECT_LE(LfuCounter(access, now, 1), 26);
  for (int i = 0; i < 99'000; ++i) {
    access = LfuTouch(access, now, tracking, absl::Uniform<double>(gen, 0.0, 1.0));
  }
  EXPECT_GE(LfuCounter(access, now, 1), 110);
  EXPECT_LE(LfuCounter(access, now, 1), 175);
}

// --------------------------------------------------------------------------------------------- pool

std::vector<std::pair<uint64_t, std::string>> Contents(const EvictionPool& pool) {
  std::vector<std::pair<uint64_t, std::string>> out;
  for (size_t i = 0; i < pool.size(); ++i) out.emplace_back(pool.at(i).score, pool.at(i).key);
  return out;
}

TEST(EvictionPoolTest, KeepsCandidatesInScoreOrderAndPopsTheBest) {
  EvictionPool pool;
  pool.Offer(30, 0, 0, "c");
  pool.Offer(10, 0, 0, "a");
  pool.Offer(20, 0, 0, "b");
  pool.Offer(20, 1, 0, "b");  // same name, another database: another candidate, before its equal
  EXPECT_EQ(Contents(pool), (std::vector<std::pair<uint64_t, std::string>>{
                                {10, "a"}, {20, "b"}, {20, "b"}, {30, "c"}}));
  EXPECT_EQ(pool.at(1).db, 1);
  EXPECT_EQ(pool.PopBest()->key, "c");
  EXPECT_EQ(pool.PopBest()->score, 20u);
  EXPECT_EQ(pool.size(), 2u);
}

TEST(EvictionPoolTest, AKeyOfferedAgainReplacesItsEntry) {
  EvictionPool pool;
  pool.Offer(50, 0, 2, "k");
  pool.Offer(10, 0, 1, "other");
  pool.Offer(5, 0, 2, "k");
  EXPECT_EQ(Contents(pool), (std::vector<std::pair<uint64_t, std::string>>{{5, "k"}, {10, "other"}}));
}

TEST(EvictionPoolTest, AFullPoolDropsItsWorstAndRefusesWorseCandidates) {
  EvictionPool pool;
  for (uint64_t i = 1; i <= EvictionPool::kSize; ++i) pool.Offer(i * 10, 0, 0, "k" + std::to_string(i));
  ASSERT_EQ(pool.size(), EvictionPool::kSize);
  pool.Offer(5, 0, 0, "worse");
  pool.Offer(10, 0, 0, "tied-with-worst");
  EXPECT_EQ(pool.at(0).key, "k1") << "no better than the worst: refused";
  pool.Offer(15, 0, 0, "between");
  EXPECT_EQ(pool.size(), EvictionPool::kSize);
  EXPECT_EQ(pool.at(0).key, "between") << "k1 was dropped";
  pool.Offer(1000, 0, 0, "best");
  EXPECT_EQ(pool.at(0).key, "k2");
  EXPECT_EQ(pool.PopBest()->key, "best");
  EXPECT_EQ(pool.PopBest()->key, "k16");
  while (pool.PopBest()) {
  }
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_FALSE(pool.PopBest().has_value());
}

// ---------------------------------------------------------------------------------------- sampling

TEST(DictSampleTest, SampleSomeReturnsDistinctEntries) {
  Dict dict;
  for (int i = 0; i < 40; ++i) {
    const std::string key = "k" + std::to_string(i);
    dict.Insert(std::make_unique<Entry>(key, Dict::Hash(key), Value::String("v")));
  }
  absl::BitGen gen;
  std::vector<Entry*> out;
  dict.SampleSome(gen, 5, &out);
  EXPECT_EQ(out.size(), 5u);
  EXPECT_EQ(std::set<Entry*>(out.begin(), out.end()).size(), 5u);
  out.clear();
  dict.SampleSome(gen, 100, &out);  // more than the dict holds: each entry once
  EXPECT_EQ(std::set<Entry*>(out.begin(), out.end()).size(), 40u);
  EXPECT_EQ(out.size(), 40u);
  Dict empty;
  out.clear();
  empty.SampleSome(gen, 5, &out);
  EXPECT_TRUE(out.empty());
}

// ------------------------------------------------------------------------------------ the policies

// Counts what evictions append; records like a persistent engine.
class CountingEngine final : public Engine {
 public:
  bool recording() const override { return true; }
  uint64_t Append(MutationSink& sink) override {
    records += sink.records();
    sink.Clear();
    return ++tickets;
  }
  CommitResult Commit(uint64_t ticket) override { return {.durable = ticket}; }
  uint64_t durable() const override { return tickets; }
  std::string write_error() const override { return {}; }
  bool write_failed() const override { return false; }

  uint64_t tickets = 0;
  uint64_t records = 0;
};

class EvictorTest : public ::testing::Test {
 protected:
  // One shard makes every choice exact (a sample covers the whole small database); MultiShard tests
  // use several.
  explicit EvictorTest(int shards = 1) : ks_(4, shards, &clock_), evictor_(ks_) {
    ks_.set_evicted_listener([this](int db, std::string_view key) { evicted_.emplace_back(db, key); });
  }

  // Runs `fn` on database `db` with every shard locked, as a command would.
  template <typename Fn>
  void WithDb(int db, Fn&& fn) {
    for (int s = 0; s < ks_.num_shards(); ++s) ks_.shard(s).mutex().lock();
    Db view(ks_, db, &sink_);
    fn(view);
    for (int s = 0; s < ks_.num_shards(); ++s) ks_.shard(s).mutex().unlock();
  }
  void Add(const std::string& key, int64_t ttl_ms = 0, int db = 0) {
    WithDb(db, [&](Db& d) { d.Add(key, Value::String("v"), ttl_ms ? clock_.NowMs() + ttl_ms : 0); });
  }
  void Read(const std::string& key, int db = 0) {
    WithDb(db, [&](Db& d) { ASSERT_NE(d.FindForRead(key), nullptr) << key; });
  }
  size_t Size(int db = 0) {
    size_t n = 0;
    WithDb(db, [&](Db& d) { n = d.Size(); });
    return n;
  }
  // The name of the key the next eviction removes ("" when none).
  std::string EvictNext(EvictionPolicy policy, int64_t samples = 64) {
    const size_t before = evicted_.size();
    const std::optional<uint64_t> ticket = evictor_.EvictOne({.policy = policy, .samples = samples}, engine_);
    if (!ticket) {
      EXPECT_EQ(evicted_.size(), before);
      return "";
    }
    EXPECT_EQ(evicted_.size(), before + 1);
    EXPECT_EQ(*ticket, engine_.tickets);
    return evicted_.back().second;
  }
  std::vector<std::string> EvictAll(EvictionPolicy policy) {
    std::vector<std::string> order;
    for (std::string key; !(key = EvictNext(policy)).empty();) order.push_back(key);
    return order;
  }
  void UseLfu(int64_t log_factor) {
    ks_.set_access_tracking({.lfu = true, .lfu_log_factor = log_factor, .lfu_decay_time = 1});
  }

  FakeClock clock_;
  Keyspace ks_;
  Evictor evictor_;
  CountingEngine engine_;
  MutationSink sink_;
  std::vector<std::pair<int, std::string>> evicted_;
};

TEST_F(EvictorTest, AllkeysLruEvictsTheLeastRecentlyUsedFirst) {
  for (const char* k : {"a", "b", "c", "d"}) {
    Add(k);
    clock_.Advance(10'000);
  }
  Read("a");  // a is now the most recent
  EXPECT_EQ(EvictAll(EvictionPolicy::kAllkeysLru), (std::vector<std::string>{"b", "c", "d", "a"}));
  EXPECT_EQ(Size(), 0u);
}

TEST_F(EvictorTest, EvictionIsADeleteRecordedCountedAndAnnounced) {
  Add("x");
  Add("y", 60'000);
  const std::string victim = EvictNext(EvictionPolicy::kAllkeysRandom);
  EXPECT_TRUE(victim == "x" || victim == "y") << victim;
  EXPECT_EQ(ks_.stats().evicted_keys.load(), 1u);
  EXPECT_EQ(ks_.stats().expired_keys.load(), 0u);
  EXPECT_EQ(engine_.tickets, 1u) << "appended under the shard lock, one batch per eviction";
  EXPECT_EQ(engine_.records, 1u) << "one delete record";
  EXPECT_EQ(Size(), 1u);
  WithDb(0, [&](Db& d) { EXPECT_EQ(d.ExpiresCount(), victim == "y" ? 0u : 1u); });
}

TEST_F(EvictorTest, VolatilePoliciesNeverTouchKeysWithoutDeadline) {
  for (EvictionPolicy policy : {EvictionPolicy::kVolatileLru, EvictionPolicy::kVolatileLfu,
                                EvictionPolicy::kVolatileRandom, EvictionPolicy::kVolatileTtl}) {
    SCOPED_TRACE(static_cast<int>(policy));
    WithDb(0, [](Db& d) { d.Clear(); });
    for (int i = 0; i < 20; ++i) Add("keep" + std::to_string(i));
    for (int i = 0; i < 20; ++i) Add("ttl" + std::to_string(i), 60'000 + i);
    const std::vector<std::string> order = EvictAll(policy);
    EXPECT_EQ(order.size(), 20u);
    for (const std::string& key : order) EXPECT_EQ(key.substr(0, 3), "ttl");
    EXPECT_EQ(Size(), 20u) << "the keys without a deadline stay; then nothing is evictable";
  }
}

TEST_F(EvictorTest, VolatileTtlEvictsTheSoonestDeadlineFirst) {
  Add("late", 50'000);
  Add("soon", 10'000);
  Add("none");
  Add("middle", 30'000);
  EXPECT_EQ(EvictAll(EvictionPolicy::kVolatileTtl), (std::vector<std::string>{"soon", "middle", "late"}));
}

TEST_F(EvictorTest, VolatileLruPrefersTheIdlestKeyWithDeadline) {
  Add("old-ttl", 600'000);
  Add("old-plain");
  clock_.Advance(100'000);
  Add("new-ttl", 600'000);
  EXPECT_EQ(EvictNext(EvictionPolicy::kVolatileLru), "old-ttl");
  EXPECT_EQ(EvictNext(EvictionPolicy::kVolatileLru), "new-ttl");
  EXPECT_EQ(EvictNext(EvictionPolicy::kVolatileLru), "");
}

TEST_F(EvictorTest, AllkeysLfuKeepsTheFrequentlyUsedKey) {
  UseLfu(/*log_factor=*/0);  // every access counts: deterministic counters
  for (const char* k : {"hot", "warm", "cold"}) Add(k);
  for (int i = 0; i < 20; ++i) Read("hot");
  for (int i = 0; i < 5; ++i) Read("warm");
  EXPECT_EQ(EvictAll(EvictionPolicy::kAllkeysLfu), (std::vector<std::string>{"cold", "warm", "hot"}));
}

TEST_F(EvictorTest, LfuCountersDecayWithTime) {
  UseLfu(0);
  Add("once-hot");
  for (int i = 0; i < 10; ++i) Read("once-hot");  // counter 15
  clock_.Advance(14 * kMinute);                     // decays to 1 at the next look
  Add("fresh");                                     // starts at 5
  EXPECT_EQ(EvictNext(EvictionPolicy::kAllkeysLfu), "once-hot");
}

TEST_F(EvictorTest, VolatileLfuEvictsOnlyKeysWithDeadline) {
  UseLfu(0);
  Add("plain");
  Add("busy", 60'000);
  Add("idle", 60'000);
  for (int i = 0; i < 5; ++i) Read("busy");
  EXPECT_EQ(EvictAll(EvictionPolicy::kVolatileLfu), (std::vector<std::string>{"idle", "busy"}));
}

TEST_F(EvictorTest, RandomPoliciesEvictEveryCandidate) {
  for (int i = 0; i < 30; ++i) Add("k" + std::to_string(i), i % 2 ? 60'000 : 0);
  EXPECT_EQ(EvictAll(EvictionPolicy::kVolatileRandom).size(), 15u);
  EXPECT_EQ(EvictAll(EvictionPolicy::kAllkeysRandom).size(), 15u);
  EXPECT_EQ(Size(), 0u);
}

TEST_F(EvictorTest, NoevictionEvictsNothing) {
  Add("k");
  EXPECT_EQ(EvictNext(EvictionPolicy::kNoEviction), "");
  EXPECT_EQ(Size(), 1u);
}

TEST_F(EvictorTest, TheChoiceSpansEveryDatabase) {
  Add("db2-old", 0, 2);
  clock_.Advance(5'000);
  Add("db0-new", 0, 0);
  EXPECT_EQ(EvictNext(EvictionPolicy::kAllkeysLru), "db2-old");
  EXPECT_EQ(evicted_.back().first, 2);
  // The random policies visit the databases in turn.
  Add("r0", 0, 0);
  Add("r3", 0, 3);
  std::set<int> dbs;
  while (!EvictNext(EvictionPolicy::kAllkeysRandom).empty()) dbs.insert(evicted_.back().first);
  EXPECT_EQ(dbs, (std::set<int>{0, 3}));
}

TEST_F(EvictorTest, CandidatesDeletedOrTouchedSinceSamplingAreNotEvicted) {
  for (const char* k : {"a", "b", "c", "d", "e"}) {
    Add(k);
    clock_.Advance(10'000);
  }
  ASSERT_EQ(EvictNext(EvictionPolicy::kAllkeysLru), "a");  // the pool now holds b..e
  EXPECT_GT(evictor_.pool().size(), 0u);
  WithDb(0, [](Db& d) { d.Delete("b"); });  // a ghost in the pool
  Read("c");                                 // no longer idle
  EXPECT_EQ(EvictNext(EvictionPolicy::kAllkeysLru), "d");
  EXPECT_EQ(EvictNext(EvictionPolicy::kAllkeysLru), "e");
  EXPECT_EQ(EvictNext(EvictionPolicy::kAllkeysLru), "c");
}

TEST_F(EvictorTest, AKeyThatLostItsDeadlineIsNoLongerAVolatileCandidate) {
  Add("a", 10'000);
  Add("b", 20'000);
  ASSERT_EQ(EvictNext(EvictionPolicy::kVolatileTtl), "a");  // b is in the pool
  WithDb(0, [](Db& d) { d.SetDeadline(d.Find("b"), 0); });  // PERSIST
  EXPECT_EQ(EvictNext(EvictionPolicy::kVolatileTtl), "");
  EXPECT_EQ(Size(), 1u);
}

TEST_F(EvictorTest, RandomVolatileReachesEveryKeyWithDeadline) {
  // Dense (most keys have a deadline): random keys of the dict. Sparse: probes of the deadline index,
  // which must reach its first key too, and keys that share one deadline.
  for (bool sparse : {false, true}) {
    SCOPED_TRACE(sparse ? "sparse" : "dense");
    WithDb(0, [](Db& d) { d.Clear(); });
    for (int i = 0; i < 20; ++i) Add("ttl" + std::to_string(i), 600'000 + 1000 * i);
    for (int i = 0; i < 5; ++i) Add("same" + std::to_string(i), 700'000);
    for (int i = 0; i < (sparse ? 1000 : 10); ++i) Add("plain" + std::to_string(i));
    std::map<std::string, int> drawn;
    absl::BitGen gen;
    WithDb(0, [&](Db&) {
      for (int i = 0; i < 25'000; ++i) ++drawn[RandomVolatile(ks_.shard(0).db(0), gen)->key];
    });
    EXPECT_EQ(drawn.size(), 25u) << "only keys with a deadline, every one of them";
    EXPECT_GT(drawn["ttl0"], 250) << "the soonest deadline is drawn about as often as the others (1000)";
    // Keys sharing a deadline split its share by their addresses' gaps: uneven, but none is left out.
    for (int i = 0; i < 5; ++i) EXPECT_GT(drawn["same" + std::to_string(i)], 0) << i;
  }
}

class MultiShardEvictorTest : public EvictorTest {
 protected:
  MultiShardEvictorTest() : EvictorTest(8) {}
};

TEST_F(MultiShardEvictorTest, SampledLruEvictsOldKeysBeforeRecentOnes) {
  for (int i = 0; i < 200; ++i) Add("old" + std::to_string(i));
  clock_.Advance(100'000);
  for (int i = 0; i < 200; ++i) Add("new" + std::to_string(i));
  // With Redis's default of 5 samples per database and the pool, nearly every one of the first hundred
  // evictions finds an old key (half of the keys stay old throughout). Only the first few, before the
  // pool holds enough candidates, may find five new keys (1 in 32 per sample).
  int old = 0;
  for (int i = 0; i < 100; ++i) old += EvictNext(EvictionPolicy::kAllkeysLru, /*samples=*/5).substr(0, 3) == "old";
  EXPECT_GE(old, 95);
}

TEST_F(MultiShardEvictorTest, VolatileTtlFollowsDeadlinesAcrossShards) {
  for (int i = 0; i < 100; ++i) Add("short" + std::to_string(i), 10'000 + i);
  for (int i = 0; i < 100; ++i) Add("long" + std::to_string(i), 1'000'000 + i);
  for (int i = 0; i < 50; ++i) {
    const std::string key = EvictNext(EvictionPolicy::kVolatileTtl, 5);
    ASSERT_EQ(key.substr(0, 5), "short") << "eviction " << i;
  }
}

TEST_F(MultiShardEvictorTest, VolatileRandomFindsRareKeysWithDeadline) {
  for (int i = 0; i < 2000; ++i) Add("plain" + std::to_string(i));
  for (int i = 0; i < 3; ++i) Add("ttl" + std::to_string(i), 60'000);
  EXPECT_EQ(EvictAll(EvictionPolicy::kVolatileRandom).size(), 3u);
  EXPECT_EQ(EvictAll(EvictionPolicy::kVolatileLru).size(), 0u);
}

TEST_F(MultiShardEvictorTest, KeysSharingOneDeadlineAreAllReachable) {
  // One EXPIRE batch: every key has the same deadline; random probes still spread over them.
  const int64_t deadline = clock_.NowMs() + 60'000;
  WithDb(0, [&](Db& d) {
    for (int i = 0; i < 64; ++i) d.Add("same" + std::to_string(i), Value::String("v"), deadline);
  });
  std::set<std::string> first_ten;
  for (int i = 0; i < 10; ++i) first_ten.insert(EvictNext(EvictionPolicy::kVolatileRandom));
  EXPECT_EQ(first_ten.size(), 10u);
  EXPECT_EQ(EvictAll(EvictionPolicy::kVolatileRandom).size(), 54u);
}

// ----------------------------------------------------------------------------- keyspace stamping

TEST_F(EvictorTest, KeysStartAtTheLfuInitialCounterAndAccessesCountUnderLfu) {
  UseLfu(0);
  Add("k");
  WithDb(0, [&](Db& d) {
    EXPECT_EQ(LfuCounter(d.Find("k")->access(), clock_.NowMs(), 1), kLfuInitCounter);
    d.FindForRead("k");
    d.FindForWrite("k");
    EXPECT_EQ(LfuCounter(d.Find("k")->access(), clock_.NowMs(), 1), kLfuInitCounter + 2);
    d.Overwrite("k", Value::String("new"));  // setKey's lookup counts; the counter stays the key's
    EXPECT_EQ(LfuCounter(d.Find("k")->access(), clock_.NowMs(), 1), kLfuInitCounter + 3);
    d.set_touch(false);  // CLIENT NO-TOUCH, OBJECT
    d.FindForRead("k");
    d.Overwrite("k", Value::String("newer"));
    EXPECT_EQ(LfuCounter(d.Find("k")->access(), clock_.NowMs(), 1), kLfuInitCounter + 3);
  });
  ks_.set_access_tracking({});  // back to LRU: the access clock
  clock_.Advance(5'000);
  Read("k");
  WithDb(0, [&](Db& d) { EXPECT_EQ(d.Find("k")->access(), AccessClock(clock_.NowMs())); });
}

}  // namespace
}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
// The storage layer's hot paths: a key lookup among 1M keys, the session hash's field operations, and the
// expiry index. The persistence (RocksDB commit pipeline) benchmark belongs beside the engine.
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "storage/clock.h"
#include "storage/hash_value.h"
#include "storage/keyspace.h"

namespace sessionkv::storage {
namespace {

std::string SessionKey(size_t i) {
  char buf[80];
  std::snprintf(buf, sizeof(buf), "spring:session:sessions:%08zx-%04zx-4%03zx-8%03zx-%012zx", i * 2654435761u,
                i & 0xffff, i % 0xfff, (i * 7) % 0xfff, i * 11400714819323198485ull % 0xffffffffffffull);
  return buf;
}

// What appendonly no gives the keyspace: a sink that records nothing (storage/mutation.h).
MutationSink& NoSink() {
  static MutationSink* sink = new MutationSink(/*recording=*/false);
  return *sink;
}

// 1M string keys in the server's shape (16 databases over 16 shards), built once.
struct Population {
  FakeClock clock;
  Keyspace keyspace{16, 16, &clock};
  std::vector<std::string> keys;
  Population() {
    Db db(keyspace, 0, &NoSink());
    for (size_t i = 0; i < 1'000'000; ++i) {
      keys.push_back(SessionKey(i));
      db.Add(keys.back(), Value::String("v"));
    }
  }
};
Population& Million() {
  static Population* p = new Population();
  return *p;
}

void BM_DbFindHit(benchmark::State& state) {
  Population& p = Million();
  Db db(p.keyspace, 0, &NoSink());
  std::mt19937_64 rng(1);
  std::vector<size_t> order(4096);
  for (size_t& i : order) i = rng() % p.keys.size();
  size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(db.Find(p.keys[order[k++ & 4095]]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DbFindHit);

void BM_DbFindMiss(benchmark::State& state) {
  Population& p = Million();
  Db db(p.keyspace, 0, &NoSink());
  std::vector<std::string> missing;
  for (size_t i = 0; i < 4096; ++i) missing.push_back(SessionKey(2'000'000 + i));
  size_t k = 0;
  for (auto _ : state) benchmark::DoNotOptimize(db.Find(missing[k++ & 4095]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DbFindMiss);

// A 5-field session as the default repository writes it (about 1 KB, values over 64 bytes: hashtable).
HashValue Session(const HashLimits& limits) {
  HashValue h;
  h.Set("creationTime", std::string(82, 'a'), limits);
  h.Set("maxInactiveInterval", std::string(81, 'b'), limits);
  h.Set("lastAccessedTime", std::string(82, 'c'), limits);
  h.Set("sessionAttr:SPRING_SECURITY_CONTEXT", std::string(663, 'd'), limits);
  h.Set("sessionAttr:x", std::string(21, 'e'), limits);
  return h;
}

void BM_HashSetLastAccessedTime(benchmark::State& state) {
  const HashLimits limits;
  HashValue h = Session(limits);
  std::string value(82, 'c');
  for (auto _ : state) {
    value[81] ^= 1;  // same length: the update Spring sends on every request
    benchmark::DoNotOptimize(h.Set("lastAccessedTime", value, limits));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashSetLastAccessedTime);

void BM_HashGetField(benchmark::State& state) {
  const HashLimits limits;
  const HashValue h = Session(limits);
  for (auto _ : state) benchmark::DoNotOptimize(h.Get("sessionAttr:x"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashGetField);

void BM_HashGetAll(benchmark::State& state) {
  const HashLimits limits;
  const HashValue h = Session(limits);
  for (auto _ : state) {
    size_t bytes = 0;
    h.ForEach([&bytes](std::string_view f, std::string_view v) { bytes += f.size() + v.size(); });
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashGetAll);

void BM_HashBuildSession(benchmark::State& state) {
  const HashLimits limits;
  for (auto _ : state) benchmark::DoNotOptimize(Session(limits).size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashBuildSession);

// Expiry index: setting a deadline (PEXPIRE on every Spring request moves it), clearing it, and deleting
// the keys that are due.
struct ExpiryFixture {
  FakeClock clock;
  Keyspace keyspace{1, 16, &clock};
  std::vector<Entry*> entries;
  explicit ExpiryFixture(size_t n) {
    Db db(keyspace, 0, &NoSink());
    for (size_t i = 0; i < n; ++i) entries.push_back(db.Add(SessionKey(i), Value::String("")));
  }
};

void BM_ExpirySetDeadline(benchmark::State& state) {
  ExpiryFixture f(100'000);
  Db db(f.keyspace, 0, &NoSink());
  const int64_t now = f.clock.NowMs();
  std::mt19937_64 rng(2);
  int64_t t = 0;
  for (auto _ : state) {
    Entry* e = f.entries[rng() % f.entries.size()];
    db.SetDeadline(e, now + 1'800'000 + (t++));  // moves the key within the index: erase + insert
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExpirySetDeadline);

void BM_ExpirySetAndClear(benchmark::State& state) {
  ExpiryFixture f(100'000);
  Db db(f.keyspace, 0, &NoSink());
  const int64_t now = f.clock.NowMs();
  size_t k = 0;
  for (auto _ : state) {
    Entry* e = f.entries[k++ % f.entries.size()];
    db.SetDeadline(e, now + 1'800'000 + static_cast<int64_t>(k));  // insert
    db.SetDeadline(e, 0);                                          // erase
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_ExpirySetAndClear);

// Deleting 1,000 due keys among 100,000 live ones (the "crowd" shape of expiry_delay.py).
void BM_ExpireDue(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto f = std::make_unique<ExpiryFixture>(0);
    Db db(f->keyspace, 0, &NoSink());
    const int64_t now = f->clock.NowMs();
    for (size_t i = 0; i < 101'000; ++i) {
      Entry* e = db.Add(SessionKey(i), Value::String(""));
      db.SetDeadline(e, i < 1000 ? now + 10 : now + 3'600'000);
    }
    f->clock.Advance(20);
    state.ResumeTiming();
    size_t expired = 0;
    for (int s = 0; s < f->keyspace.num_shards(); ++s) {
      Shard& shard = f->keyspace.shard(s);
      expired += f->keyspace.ExpireDue(shard, f->clock.NowMs(), 1 << 20, NoSink());
    }
    if (expired != 1000) state.SkipWithError("wrong number of keys expired");
    state.PauseTiming();
    f.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_ExpireDue)->Unit(benchmark::kMicrosecond)->Iterations(20);

}  // namespace
}  // namespace sessionkv::storage

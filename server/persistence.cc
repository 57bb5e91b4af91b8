// SPDX-License-Identifier: Apache-2.0
#include "server/persistence.h"

#include <chrono>
#include <cstdlib>

#include "absl/strings/str_format.h"
#include "base/steady_clock.h"
#include "base/strings.h"
#include "prometheus/histogram.h"
#include "server/config.h"
#include "server/log.h"
#include "server/memory.h"
#include "server/server_state.h"
#include "server/shard_locks.h"
#include "storage/rocks_engine.h"

namespace sessionkv::server {

namespace {

storage::RocksOptions OptionsFrom(const Config& config) {
  storage::RocksOptions o;
  o.dir = config.dir();
  o.fsync = static_cast<storage::FsyncPolicy>(config.appendfsync());
  o.block_cache_bytes = static_cast<uint64_t>(config.rocksdb_block_cache_size());
  o.write_buffer_bytes = static_cast<uint64_t>(config.rocksdb_write_buffer_size());
  o.max_write_buffers = config.rocksdb_max_write_buffer_number();
  o.compression = static_cast<storage::Compression>(config.rocksdb_compression());
  o.bottommost_compression = static_cast<storage::Compression>(config.rocksdb_bottommost_compression());
  o.max_background_jobs = config.rocksdb_max_background_jobs();
  o.wal_compression = config.rocksdb_wal_compression();
  o.readable_memtable = !config.replicaof().empty();
  o.wal_retention_mb = static_cast<uint64_t>(config.repl_log_retention_mb());
  o.wal_retention_seconds = static_cast<uint64_t>(config.repl_log_retention_seconds());
  o.warn = [](const std::string& text) { Log(LogLevel::kWarning, text); };
  return o;
}

}  // namespace

storage::LoadLimits LoadLimitsFrom(const Config& config) {
  storage::LoadLimits l;
  l.hash = {.max_listpack_entries = static_cast<size_t>(config.hash_max_listpack_entries()),
            .max_listpack_value = static_cast<size_t>(config.hash_max_listpack_value())};
  l.set = {.max_intset_entries = static_cast<size_t>(config.set_max_intset_entries()),
           .max_listpack_entries = static_cast<size_t>(config.set_max_listpack_entries()),
           .max_listpack_value = static_cast<size_t>(config.set_max_listpack_value())};
  l.zset = {.max_listpack_entries = static_cast<size_t>(config.zset_max_listpack_entries()),
            .max_listpack_value = static_cast<size_t>(config.zset_max_listpack_value())};
  l.list_fill = config.list_max_listpack_size();
  return l;
}

namespace {

std::string Megabytes(uint64_t bytes) { return absl::StrFormat("%.1f MB", static_cast<double>(bytes) / 1e6); }

// What redis_exporter reads from INFO persistence, plus the commit pipeline (server/metrics.h).
void AddPersistenceMetrics(ServerState& state) {
  // A group commit under `always` is one write plus one fsync: a healthy disk is in the sub-ms to
  // few-ms buckets; the top ones show a disk that stalls replies.
  static const prometheus::Histogram::BucketBoundaries kSyncBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  prometheus::Histogram& sync = prometheus::BuildHistogram()
                                    .Name("sessionkv_wal_sync_duration_seconds")
                                    .Help("Duration of each fsync of RocksDB's WAL (group commits and everysec)")
                                    .Register(state.metrics.registry())
                                    .Add({}, kSyncBuckets);
  state.persistence.rocks->log().set_sync_observer([&sync](double seconds) { sync.Observe(seconds); });
  state.metrics.AddSource([&state](std::vector<prometheus::MetricFamily>* out) {
    using prometheus::MetricType;
    const PersistenceState& p = state.persistence;
    const storage::EngineInfo e = p.rocks->Info();
    AddSample(AddFamily(out, "redis_loading_dump_file", "loading_dump_file metric", MetricType::Gauge),
              p.loading.load(std::memory_order_acquire) ? 1 : 0);
    AddSample(AddFamily(out, "redis_rdb_last_save_timestamp_seconds", "rdb_last_save_timestamp_seconds metric",
                        MetricType::Gauge),
              static_cast<double>(e.last_save_unix));
    AddSample(AddFamily(out, "redis_aof_enabled", "aof_enabled metric", MetricType::Gauge), 1);
    AddSample(AddFamily(out, "redis_aof_last_write_status", "aof_last_write_status metric", MetricType::Gauge),
              p.rocks->write_failed() ? 0 : 1);
    AddSample(AddFamily(out, "sessionkv_commit_queue_depth",
                        "Command batches appended to the commit log and not yet written to RocksDB",
                        MetricType::Gauge),
              static_cast<double>(e.commit.pending_batches));
    AddSample(AddFamily(out, "sessionkv_commit_queue_bytes", "Bytes of the batches waiting in the commit log",
                        MetricType::Gauge),
              static_cast<double>(e.commit.pending_bytes));
    AddSample(AddFamily(out, "sessionkv_commit_groups_total",
                        "RocksDB writes of the commit log (each covers one or more command batches)",
                        MetricType::Counter),
              static_cast<double>(e.commit.written_groups));
    AddSample(AddFamily(out, "sessionkv_commit_failed_writes_total",
                        "RocksDB writes or fsyncs that failed (disk full, I/O error)", MetricType::Counter),
              static_cast<double>(e.commit.failed_writes));
  });
}

}  // namespace

absl::Status OpenPersistence(ServerState& state) {
  Config& config = state.config;
  if (!config.appendonly()) {
    Log(LogLevel::kNotice, "appendonly no: the data is kept in memory only");
    return absl::OkStatus();
  }
  auto engine = storage::RocksEngine::Open(OptionsFrom(config));
  if (!engine.ok()) return engine.status();
  state.persistence.rocks = engine->get();
  Log(LogLevel::kNotice, StrCat("Persistence: RocksDB in ", (*engine)->path(), ", appendfsync ",
                                config.Get("appendfsync").front().second));
  state.engine = std::move(*engine);
  SetEngineMemorySource(
      [](const void* rocks) { return static_cast<const storage::RocksEngine*>(rocks)->memory_bytes(); },
      state.persistence.rocks);
  state.persistence.loading.store(true, std::memory_order_release);
  state.persistence.loading_start_ms.store(state.clock.NowMs(), std::memory_order_relaxed);
  // /readyz stays 503 until the data is in memory: a load balancer sends no client that would get -LOADING.
  state.health.AddReadinessCheck([&p = state.persistence] {
    return p.loading.load(std::memory_order_acquire) ? std::string("loading the dataset") : std::string();
  });
  AddPersistenceMetrics(state);
  // Shutdown step 5 (server/shutdown.h): the I/O threads have stopped, so nothing appends any more.
  state.shutdown_hooks.Add("persistence", [&state](const ShutdownRequest&) { return ClosePersistence(state); });
  config.OnChange("appendfsync", [&state] {
    if (state.persistence.rocks != nullptr) {
      state.persistence.rocks->SetFsyncPolicy(static_cast<storage::FsyncPolicy>(state.config.appendfsync()));
    }
  });
  return absl::OkStatus();
}

namespace {

// Loads the engine's data into the (empty) keyspace, logging progress, and clears `loading`.
absl::Status LoadIntoMemory(ServerState& state) {
  PersistenceState& p = state.persistence;
  const int64_t start = SteadyMillis();
  int64_t last_log = start;
  p.load.keys = 0;
  p.load.bytes = 0;
  p.load.expired = 0;
  p.load.stale_records = 0;
  storage::Loader loader(*p.rocks, state.keyspace, LoadLimitsFrom(state.config), &p.load);
  // Redis logs progress as it loads; every two seconds here: keys, bytes and the read rate.
  auto tick = [&] {
    const int64_t now = SteadyMillis();
    if (now - last_log < 2000) return;
    last_log = now;
    const uint64_t bytes = p.load.bytes.load(std::memory_order_relaxed);
    Log(LogLevel::kNotice,
        absl::StrFormat("Loading: %d keys, %s read, %.1f MB/s", p.load.keys.load(std::memory_order_relaxed),
                        Megabytes(bytes), static_cast<double>(bytes) / 1e3 / static_cast<double>(now - start)));
  };
  // One thread per core: the I/O threads only answer -LOADING meanwhile.
  const absl::Status status = loader.Run(tick, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  if (!status.ok()) return status;
  const int64_t elapsed = std::max<int64_t>(SteadyMillis() - start, 0);
  const uint64_t keys = p.load.keys.load(std::memory_order_relaxed);
  const uint64_t bytes = p.load.bytes.load(std::memory_order_relaxed);
  p.load_duration_ms.store(elapsed, std::memory_order_relaxed);
  p.last_load_keys.store(static_cast<int64_t>(keys), std::memory_order_relaxed);
  p.last_load_expired.store(static_cast<int64_t>(p.load.expired.load(std::memory_order_relaxed)),
                            std::memory_order_relaxed);
  Log(LogLevel::kNotice,
      absl::StrFormat("DB loaded from disk: %.3f seconds, %d keys (%d already expired, deleted now), %s, "
                      "%.1f MB/s, %d stale records skipped",
                      static_cast<double>(elapsed) / 1000, keys, p.load.expired.load(), Megabytes(bytes),
                      elapsed > 0 ? static_cast<double>(bytes) / 1e3 / static_cast<double>(elapsed) : 0.0,
                      p.load.stale_records.load()));
  p.loading.store(false, std::memory_order_release);
  return absl::OkStatus();
}

}  // namespace

std::thread StartLoading(ServerState& state, std::function<void()> on_loaded) {
  if (state.persistence.rocks == nullptr) return {};
  return std::thread([&state, on_loaded = std::move(on_loaded)] {
    if (const absl::Status status = LoadIntoMemory(state); !status.ok()) {
      Log(LogLevel::kWarning, StrCat("Fatal error loading the data from RocksDB: ", status.message(),
                                     ". Exiting."));
      std::_Exit(1);
    }
    if (on_loaded) on_loaded();
  });
}

absl::Status ReloadMemory(ServerState& state) {
  PersistenceState& p = state.persistence;
  p.loading.store(true, std::memory_order_release);
  p.loading_start_ms.store(state.clock.NowMs(), std::memory_order_relaxed);
  storage::Keyspace& ks = state.keyspace;
  {
    // Every shard locked, as whole-keyspace commands take them: nothing reads a half-emptied keyspace.
    // The sink records nothing: the data on disk is already the new one.
    ShardLocks locks(ks, AllShards(ks));
    storage::MutationSink silent(false);
    for (int db = 0; db < ks.num_dbs(); ++db) storage::Db(ks, db, &silent).Clear();
  }
  return LoadIntoMemory(state);
}

absl::Status ClosePersistence(ServerState& state) {
  if (state.persistence.rocks == nullptr) return absl::OkStatus();
  SetEngineMemorySource(nullptr, nullptr);
  absl::Status status = state.persistence.rocks->Close();
  if (status.ok()) Log(LogLevel::kNotice, "RocksDB closed: everything written and fsynced");
  return status;
}

}  // namespace sessionkv::server

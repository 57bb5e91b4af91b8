// SPDX-License-Identifier: Apache-2.0
// What commands may reach beyond their keys: the config, the clients, statistics, the slow log. Handlers get
// it through CommandContext::server(); they never see a connection or the Asio server (style.md, avoid 2).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>
#include <string>

#include "base/strings.h"
#include "server/acl.h"
#include "server/blocking.h"
#include "server/client_registry.h"
#include "server/command_table.h"
#include "server/eviction.h"
#include "server/health.h"
#include "server/latency_monitor.h"
#include "server/persistence.h"
#include "server/metrics.h"
#include "server/pubsub.h"
#include "server/script_engine.h"
#include "server/shutdown.h"
#include "server/slowlog.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/keyspace.h"

namespace sessionkv::server {

class Config;
class Replication;  // server/replication.h

// Counters for INFO stats and INFO clients.
struct ServerStats {
  std::atomic<uint64_t> total_connections_received{0};
  std::atomic<uint64_t> total_commands_processed{0};
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> net_input_bytes{0};
  std::atomic<uint64_t> net_output_bytes{0};
  std::atomic<uint64_t> total_error_replies{0};
  std::atomic<uint64_t> unexpected_error_replies{0};
  std::atomic<uint64_t> keys_created{0};  // keys added to the keyspace (the `new` event's count)
  // errorstats: error code ("ERR", "WRONGTYPE") -> count.
  void CountError(std::string_view code);
  std::vector<std::pair<std::string, uint64_t>> ErrorCounts() const;
  void Reset();

 private:
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, uint64_t, StringViewHash, StringViewEq> error_counts_;
};

// instantaneous_ops_per_sec and friends: the server cron samples the counters and this keeps the last 16
// samples, as Redis's trackInstantaneousMetric does.
class RateSampler {
 public:
  void Sample(int64_t now_ms, uint64_t value);
  // Per-second rate over the sampled window; 0 before two samples exist.
  double PerSecond() const;

 private:
  static constexpr int kSamples = 16;
  mutable std::mutex mu_;
  int64_t times_[kSamples] = {};
  uint64_t values_[kSamples] = {};
  int next_ = 0;
  int count_ = 0;
};

struct ServerState {
  ServerState(Config& config, storage::Keyspace& keyspace, CommandTable& commands,
              const storage::Clock& clock);
  ~ServerState();

  Config& config;
  storage::Keyspace& keyspace;
  // Where recorded mutations go (storage/engine.h): a NullEngine until main() installs the RocksDB one.
  std::unique_ptr<storage::Engine> engine = std::make_unique<storage::NullEngine>();
  PersistenceState persistence;
  // Role, histories, streams to replicas and the link to a primary (server/replication.h).
  std::unique_ptr<Replication> replication;
  CommandTable& commands;
  const storage::Clock& clock;
  Acl acl;  // users and permissions; knows the commands of `commands`
  ClientRegistry clients;
  ServerStats stats;
  SlowLog slowlog;
  LatencyMonitor latency;
  PubSub pubsub;
  Blocking blocking{*this};  // clients waiting in BLPOP and friends
  Eviction eviction{*this};  // maxmemory-policy (server/eviction.h)
  ScriptEngine scripts;      // EVAL's Lua state and script cache
  RateSampler ops_rate, net_input_rate, net_output_rate;
  std::atomic<uint64_t> peak_memory{0};
  std::string run_id;           // 40 hex characters, new per start
  int64_t start_time_ms = 0;
  int io_threads = 1;
  std::string executable;       // absolute path of the binary (INFO server)
  Metrics metrics;               // what /metrics serves (server/metrics.h)
  Health health;                 // what /readyz answers (server/health.h)
  ShutdownHooks shutdown_hooks;  // run last on shutdown: persistence flushes and syncs here
  // Starts a graceful shutdown (SHUTDOWN, signals; server/shutdown.h); set by the server at start-up.
  // Callable from any thread; returns at once.
  std::function<void(ShutdownRequest)> request_shutdown;
};

}  // namespace sessionkv::server

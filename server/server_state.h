// SPDX-License-Identifier: Apache-2.0
// What commands may reach beyond their keys: the config, the clients, statistics, the slow log. Handlers get
// it through CommandContext::server(); they never see a connection or the Asio server (style.md, avoid 2).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>
#include <string>

#include "base/strings.h"
#include "server/client_registry.h"
#include "server/command_table.h"
#include "server/slowlog.h"
#include "storage/clock.h"
#include "storage/keyspace.h"

namespace sessionkv::server {

class Config;

// Counters for INFO stats and INFO clients.
struct ServerStats {
  std::atomic<uint64_t> total_connections_received{0};
  std::atomic<uint64_t> total_commands_processed{0};
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> net_input_bytes{0};
  std::atomic<uint64_t> net_output_bytes{0};
  std::atomic<uint64_t> total_error_replies{0};
  std::atomic<uint64_t> unexpected_error_replies{0};
  // errorstats: error code ("ERR", "WRONGTYPE") -> count.
  void CountError(std::string_view code);
  std::vector<std::pair<std::string, uint64_t>> ErrorCounts() const;
  void Reset();

 private:
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, uint64_t, StringViewHash, StringViewEq> error_counts_;
};

struct ServerState {
  ServerState(Config& config, storage::Keyspace& keyspace, CommandTable& commands,
              const storage::Clock& clock);

  Config& config;
  storage::Keyspace& keyspace;
  CommandTable& commands;
  const storage::Clock& clock;
  ClientRegistry clients;
  ServerStats stats;
  SlowLog slowlog;
  std::string run_id;           // 40 hex characters, new per start
  int64_t start_time_ms = 0;
  int io_threads = 1;
  std::string executable;       // absolute path of the binary (INFO server)
  // Asks the server to stop (SHUTDOWN, signals); set by the server at start-up.
  std::function<void()> request_shutdown;
};

}  // namespace sessionkv::server

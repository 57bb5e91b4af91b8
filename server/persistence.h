// SPDX-License-Identifier: Apache-2.0
// The server's side of persistence (docs/persistence.md): choosing and opening the engine the config
// asks for, loading the data while clients already connect, the LOADING state, and closing at exit.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "absl/status/status.h"
#include "storage/loader.h"

namespace sessionkv::storage {
class RocksEngine;  // storage/rocks_engine.h
}

namespace sessionkv::server {

struct ServerState;
class Config;

// What INFO persistence and the dispatcher read; set by OpenPersistence and the loading thread.
struct PersistenceState {
  storage::RocksEngine* rocks = nullptr;  // the engine when appendonly yes (owned by ServerState)
  // True from start-up until the data is in memory: commands without the `loading` flag are
  // refused with -LOADING, as Redis does.
  std::atomic<bool> loading{false};
  storage::LoadProgress load;
  std::atomic<int64_t> loading_start_ms{0};
  std::atomic<int64_t> load_duration_ms{0};
  std::atomic<int64_t> last_load_keys{0};
  std::atomic<int64_t> last_load_expired{0};
};

// Opens RocksDB in dir/rocksdb for appendonly yes (a NullEngine stays for appendonly no) and installs
// it in `state`; `loading` is set when there is data to load. Call before the Server is built.
absl::Status OpenPersistence(ServerState& state);
// Loads the data into the keyspace on a thread of its own, logging progress; clears `loading` when done.
// A load that fails (unreadable data) stops the process, as Redis does. Joinable.
// `on_loaded` runs on that thread after a successful load.
std::thread StartLoading(ServerState& state, std::function<void()> on_loaded = {});
// The replica's full sync: empties memory and loads the engine's (new) data into it, answering
// -LOADING meanwhile. Blocks the caller.
absl::Status ReloadMemory(ServerState& state);
// The encoding thresholds of the config, for the loader and the replica's applier.
storage::LoadLimits LoadLimitsFrom(const Config& config);
// Writes what is pending, fsyncs and closes the engine (the server has stopped serving). OpenPersistence
// registers it as a shutdown hook; an error makes the exit code 1 (server/shutdown.h).
absl::Status ClosePersistence(ServerState& state);

}  // namespace sessionkv::server

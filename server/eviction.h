// SPDX-License-Identifier: Apache-2.0
// maxmemory enforcement (Redis's performEvictions): before each command, while used memory is over
// maxmemory, keys are evicted under maxmemory-policy (storage/eviction.h chooses and deletes them);
// when nothing is left to evict, or under noeviction, the dispatcher refuses commands that may grow
// memory with -OOM.
//
// Each eviction is a real delete through the keyspace: recorded and appended to the commit log under
// its shard lock (as the expiry timer does with its deletes), counted in evicted_keys, announced as an
// `evicted` keyspace event (class `e`), and it touches the key's WATCHers. One eviction cycle runs at a
// time; other threads that find memory over the limit wait for it and then look again, so two threads
// never evict for the same shortfall.
//
// A cycle stops after a time budget set by maxmemory-eviction-tenacity (500 us at the default 10) and
// leaves the rest to a background job on an I/O thread (Redis's evictionTimeProc), so one command never
// stalls for long when maxmemory is lowered a lot or a large value arrives.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

#include "storage/eviction.h"

namespace sessionkv::server {

struct ServerState;
struct ClientState;

// Redis's EVICT_OK, EVICT_RUNNING, EVICT_FAIL.
enum class EvictionResult : uint8_t {
  kOk,       // under the limit (or evictions are not possible now)
  kRunning,  // over the limit, and a background job goes on evicting
  kFail,     // over the limit, and nothing can be evicted: -OOM for commands that may grow memory
};

// maxmemory-eviction-tenacity as microseconds (Redis's evictionTimeLimitUs): 50 us per step up to 10,
// then 15% more per step; 100 means no limit.
uint64_t EvictionTimeLimitUs(int64_t tenacity);

class Eviction {
 public:
  // Follows the config's maxmemory-policy and lfu-* parameters into the keyspace's access tracking.
  explicit Eviction(ServerState& server);
  Eviction(const Eviction&) = delete;
  Eviction& operator=(const Eviction&) = delete;

  // Before a command of `client` (the caller holds no shard lock): evicts while memory is over
  // maxmemory. The client's next reply waits for the deletes to be durable (its last ticket).
  EvictionResult Perform(ClientState& client);

  // Set by the server before serving: `post` runs a function soon on an I/O thread, and `commit` makes
  // a ticket that no reply waits for durable promptly (what the expiry timer's batcher does). Without
  // them (unit tests) a cycle that runs out of time leaves the rest to the next command.
  void SetBackground(std::function<void(std::function<void()>)> post, std::function<void(uint64_t)> commit);
  // Starts the background job if memory is over the limit (CONFIG SET maxmemory, as Redis).
  void StartBackground();

  // INFO: mem_not_counted_for_evict (the commit log's pending bytes, as Redis leaves out its AOF
  // buffer); total_ and current_eviction_exceeded_time in ms.
  uint64_t NotCountedMemory() const;
  int64_t total_exceeded_ms() const;
  int64_t current_exceeded_ms() const;
  void ResetStats();  // CONFIG RESETSTAT

 private:
  // Used memory for maxmemory, less what is not counted; 0 when it is within `maxmemory`.
  bool OverLimit(uint64_t maxmemory) const;
  // One cycle; `ticket` receives the highest ticket appended.
  EvictionResult Cycle(uint64_t* ticket);
  void BackgroundStep();
  // Redis's stat_last_eviction_exceeded_time bookkeeping.
  void NoteResult(EvictionResult r);
  void ApplyAccessTracking();

  ServerState& server_;
  std::mutex mu_;  // one cycle at a time; taken with no shard lock held, before any shard lock
  storage::Evictor evictor_;  // guarded by mu_
  std::atomic<bool> background_running_{false};
  std::function<void(std::function<void()>)> post_;
  std::function<void(uint64_t)> commit_;
  std::atomic<int64_t> exceeded_since_us_{0};  // steady clock; 0 while within the limit
  std::atomic<int64_t> exceeded_total_us_{0};
};

}  // namespace sessionkv::server

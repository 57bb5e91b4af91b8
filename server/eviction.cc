// SPDX-License-Identifier: Apache-2.0
#include "server/eviction.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "base/steady_clock.h"
#include "server/client_state.h"
#include "server/config.h"
#include "server/memory.h"
#include "server/server_state.h"

namespace sessionkv::server {

namespace {

// Redis checks the clock every 16 evictions.
constexpr uint64_t kKeysPerClockCheck = 16;

}  // namespace

uint64_t EvictionTimeLimitUs(int64_t tenacity) {
  if (tenacity <= 10) return 50 * static_cast<uint64_t>(std::max<int64_t>(tenacity, 0));
  if (tenacity < 100) return static_cast<uint64_t>(500.0 * std::pow(1.15, static_cast<double>(tenacity - 10)));
  return std::numeric_limits<uint64_t>::max();
}

Eviction::Eviction(ServerState& server) : server_(server), evictor_(server.keyspace) {
  ApplyAccessTracking();
  for (const char* name : {"maxmemory-policy", "lfu-log-factor", "lfu-decay-time"}) {
    server_.config.OnChange(name, [this] { ApplyAccessTracking(); });
  }
  // Redis's updateMaxmemory starts the eviction job: a lowered limit is enforced without waiting for
  // the next command.
  server_.config.OnChange("maxmemory", [this] { StartBackground(); });
}

void Eviction::ApplyAccessTracking() {
  const Config& config = server_.config;
  server_.keyspace.set_access_tracking(
      {.lfu = storage::IsLfuPolicy(static_cast<storage::EvictionPolicy>(config.maxmemory_policy_index())),
       .lfu_log_factor = config.lfu_log_factor(),
       .lfu_decay_time = config.lfu_decay_time()});
}

void Eviction::SetBackground(std::function<void(std::function<void()>)> post,
                             std::function<void(uint64_t)> commit) {
  post_ = std::move(post);
  commit_ = std::move(commit);
}

void Eviction::StartBackground() {
  if (!post_ || server_.config.maxmemory() <= 0) return;
  if (background_running_.exchange(true)) return;
  post_([this] { BackgroundStep(); });
}

void Eviction::BackgroundStep() {
  uint64_t ticket = 0;
  const EvictionResult result = Cycle(&ticket);
  if (ticket != 0 && commit_) commit_(ticket);
  // Other handlers of the I/O thread run between steps (Redis's time event returning 0).
  if (result == EvictionResult::kRunning) return post_([this] { BackgroundStep(); });
  background_running_.store(false);
}

uint64_t Eviction::NotCountedMemory() const { return server_.engine->pending_bytes(); }

bool Eviction::OverLimit(uint64_t maxmemory) const {
  // The cheap count first; what is not counted only when it matters (Redis's getMaxmemoryState).
  const uint64_t used = UsedMemory();
  if (used <= maxmemory) return false;
  const uint64_t not_counted = NotCountedMemory();
  return (used > not_counted ? used - not_counted : 0) > maxmemory;
}

EvictionResult Eviction::Perform(ClientState& client) {
  uint64_t ticket = 0;
  const EvictionResult result = Cycle(&ticket);
  if (ticket != 0) client.last_ticket = ticket;
  return result;
}

EvictionResult Eviction::Cycle(uint64_t* ticket) {
  const Config& config = server_.config;
  const int64_t maxmemory = config.maxmemory();
  if (maxmemory <= 0) return EvictionResult::kOk;
  // Redis's isSafeToPerformEvictions: not while the data is loading (nor on a replica, which sessionkv
  // does not have yet). Not counted as exceeding either.
  if (server_.persistence.loading.load(std::memory_order_acquire)) return EvictionResult::kOk;
  const auto limit = static_cast<uint64_t>(maxmemory);
  if (!OverLimit(limit)) {
    NoteResult(EvictionResult::kOk);
    return EvictionResult::kOk;
  }
  const storage::EvictionSettings settings{
      .policy = static_cast<storage::EvictionPolicy>(config.maxmemory_policy_index()),
      .samples = config.maxmemory_samples()};
  if (settings.policy == storage::EvictionPolicy::kNoEviction) {
    NoteResult(EvictionResult::kFail);
    return EvictionResult::kFail;
  }

  std::lock_guard lock(mu_);
  const int64_t start_us = SteadyMicros();
  const uint64_t budget_us = EvictionTimeLimitUs(config.maxmemory_eviction_tenacity());
  EvictionResult result = EvictionResult::kOk;
  uint64_t evicted = 0;
  // Another thread's cycle may have brought memory under the limit while this one waited for mu_.
  while (OverLimit(limit)) {
    const std::optional<uint64_t> t = evictor_.EvictOne(settings, *server_.engine);
    if (!t) {
      result = EvictionResult::kFail;  // nothing left that the policy may evict
      break;
    }
    *ticket = std::max(*ticket, *t);
    if (++evicted % kKeysPerClockCheck == 0 && static_cast<uint64_t>(SteadyMicros() - start_us) > budget_us) {
      StartBackground();
      break;
    }
  }
  if (result != EvictionResult::kFail && background_running_.load()) result = EvictionResult::kRunning;

  const int64_t threshold_ms = config.latency_monitor_threshold();
  const int64_t took_ms = (SteadyMicros() - start_us) / 1000;
  if (threshold_ms > 0 && took_ms >= threshold_ms) {
    server_.latency.Record("eviction-cycle", server_.clock.NowMs() / 1000, took_ms);
  }
  NoteResult(result);
  return result;
}

void Eviction::NoteResult(EvictionResult r) {
  if (r == EvictionResult::kOk) {
    // A load first: within the limit (the common case) this costs no write to a shared line.
    if (exceeded_since_us_.load(std::memory_order_relaxed) == 0) return;
    const int64_t since = exceeded_since_us_.exchange(0, std::memory_order_relaxed);
    if (since != 0) exceeded_total_us_.fetch_add(SteadyMicros() - since, std::memory_order_relaxed);
    return;
  }
  int64_t none = 0;
  exceeded_since_us_.compare_exchange_strong(none, SteadyMicros(), std::memory_order_relaxed);
}

int64_t Eviction::current_exceeded_ms() const {
  const int64_t since = exceeded_since_us_.load(std::memory_order_relaxed);
  return since == 0 ? 0 : (SteadyMicros() - since) / 1000;
}

int64_t Eviction::total_exceeded_ms() const {
  const int64_t since = exceeded_since_us_.load(std::memory_order_relaxed);
  const int64_t current_us = since == 0 ? 0 : SteadyMicros() - since;
  return (exceeded_total_us_.load(std::memory_order_relaxed) + current_us) / 1000;
}

void Eviction::ResetStats() {
  exceeded_total_us_.store(0, std::memory_order_relaxed);
  exceeded_since_us_.store(0, std::memory_order_relaxed);
}

}  // namespace sessionkv::server

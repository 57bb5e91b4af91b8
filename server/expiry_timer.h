// SPDX-License-Identifier: Apache-2.0
// Active expiry for one keyspace shard: a timer armed at the shard's next deadline deletes exactly the keys
// that are due, so an expired key is gone within a few milliseconds of its deadline however many keys are
// live (design.md, "Expiry"; Redis's sampling needs seconds to minutes for the same).
#pragma once

#include <cstdint>
#include <functional>

#include "asio.hpp"
#include "storage/engine.h"
#include "server/metrics.h"
#include "storage/keyspace.h"
#include "storage/mutation.h"

namespace sessionkv::server {

// Microseconds to wait at `now_us` (Unix time) until a key with deadline `deadline_ms` is due. A key expires
// once the millisecond clock is past its deadline (Redis: now > deadline), that is from the first
// microsecond of millisecond deadline + 1: waiting for exactly that instant, rather than for a whole number
// of milliseconds from a truncated now, saves up to a millisecond per expiry. Far deadlines are capped at an
// hour (the timer then finds nothing due and waits again), which also keeps PEXPIREAT near INT64_MAX from
// overflowing.
int64_t ExpiryWaitUs(int64_t deadline_ms, int64_t now_us);

class ExpiryTimer {
 public:
  // Each run's deletes are appended to `engine` as one batch, and `appended` is called with its ticket:
  // nobody waits for these, but they must be written promptly. `metrics` (optional) receives each
  // deleted key's delay past its deadline.
  ExpiryTimer(asio::io_context& io, storage::Keyspace& keyspace, size_t shard_index,
              storage::Engine& engine, std::function<void(uint64_t)> appended, Metrics* metrics = nullptr);
  ExpiryTimer(const ExpiryTimer&) = delete;
  ExpiryTimer& operator=(const ExpiryTimer&) = delete;

  // Installs the shard's deadline listener and arms the timer for what is already due.
  void Start();
  void Cancel();

 private:
  // On the I/O thread: moves the timer earlier if `deadline_ms` is before its current target.
  void ArmAt(int64_t deadline_ms);
  void OnTimer();

  asio::io_context& io_;
  asio::steady_timer timer_;
  storage::Keyspace& keyspace_;
  storage::Shard& shard_;
  storage::Engine& engine_;
  std::function<void(uint64_t)> appended_;
  storage::MutationSink sink_;
  Metrics* metrics_;
  int64_t target_ms_ = storage::kNoDeadline;  // deadline the timer waits for (I/O thread only)
};

}  // namespace sessionkv::server

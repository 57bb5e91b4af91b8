// SPDX-License-Identifier: Apache-2.0
#include "server/expiry_timer.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>

namespace sessionkv::server {

namespace {
// Keys deleted per timer run before yielding the thread to client requests; the timer re-fires at once.
constexpr size_t kExpireBudget = 1000;
constexpr int64_t kMaxWaitMs = 3'600'000;
}  // namespace

int64_t ExpiryWaitUs(int64_t deadline_ms, int64_t now_us) {
  if (deadline_ms - now_us / 1000 >= kMaxWaitMs) return kMaxWaitMs * 1000;
  return std::max<int64_t>(0, (deadline_ms + 1) * 1000 - now_us);
}

ExpiryTimer::ExpiryTimer(asio::io_context& io, storage::Keyspace& keyspace, size_t shard_index,
                         storage::Engine& engine, std::function<void(uint64_t)> appended, Metrics* metrics)
    : io_(io),
      timer_(io),
      keyspace_(keyspace),
      shard_(keyspace.shard(shard_index)),
      engine_(engine),
      appended_(std::move(appended)),
      sink_(engine.recording()),
      metrics_(metrics) {}

void ExpiryTimer::Start() {
  // The listener runs on whichever thread set the deadline, with the shard locked; it only posts. It is
  // installed under the lock too: the loader may already be inserting keys with deadlines.
  {
    std::lock_guard lock(shard_.mutex());
    shard_.set_deadline_listener([this](int64_t deadline_ms) {
      asio::post(io_, [this, deadline_ms] { ArmAt(deadline_ms); });
    });
  }
  asio::post(io_, [this] { OnTimer(); });
}

void ExpiryTimer::Cancel() { timer_.cancel(); }

void ExpiryTimer::ArmAt(int64_t deadline_ms) {
  if (deadline_ms >= target_ms_) return;
  target_ms_ = deadline_ms;
  timer_.expires_after(std::chrono::microseconds(ExpiryWaitUs(deadline_ms, keyspace_.clock().NowUs())));
  timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec) OnTimer();
  });
}

void ExpiryTimer::OnTimer() {
  target_ms_ = storage::kNoDeadline;
  size_t removed;
  int64_t next;
  uint64_t ticket = 0;
  const int64_t now_us = keyspace_.clock().NowUs();
  // The delay a subscriber sees: from the deadline to this deletion (and its `expired` event).
  std::function<void(int64_t)> observe;
  if (metrics_ != nullptr) {
    observe = [this, now_us](int64_t deadline_ms) {
      metrics_->ObserveExpiryDelay(static_cast<double>(now_us - deadline_ms * 1000) / 1e6);
    };
  }
  {
    std::lock_guard lock(shard_.mutex());
    removed = keyspace_.ExpireDue(shard_, now_us / 1000, kExpireBudget, sink_, observe);
    // The deletes join the commit log before the lock is released (server/mutation_scope.h).
    if (!sink_.empty()) ticket = engine_.Append(sink_);
    next = shard_.NextDeadline();
    // Published under the lock, so a writer that sets an earlier deadline afterwards wakes us.
    shard_.set_armed_deadline(next);
  }
  if (ticket != 0 && appended_) appended_(ticket);
  if (removed == kExpireBudget) {
    asio::post(io_, [this] { OnTimer(); });
  } else if (next != storage::kNoDeadline && keyspace_.replica()) {
    // A replica deletes nothing by the clock; it looks again in a second, so that expiry resumes
    // within one once it is promoted.
    ArmAt(std::max(next, now_us / 1000 + 1000));
  } else if (next != storage::kNoDeadline) {
    ArmAt(next);
  }
}

}  // namespace sessionkv::server

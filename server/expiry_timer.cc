// SPDX-License-Identifier: Apache-2.0
#include "server/expiry_timer.h"

#include <chrono>
#include <mutex>

namespace sessionkv::server {

namespace {
// Keys deleted per timer run before yielding the thread to client requests; the timer re-fires at once.
constexpr size_t kExpireBudget = 1000;
constexpr int64_t kMaxWaitMs = 3'600'000;
}  // namespace

ExpiryTimer::ExpiryTimer(asio::io_context& io, storage::Keyspace& keyspace, size_t shard_index)
    : io_(io), timer_(io), keyspace_(keyspace), shard_(keyspace.shard(shard_index)) {}

void ExpiryTimer::Start() {
  // The listener runs on whichever thread set the deadline, with the shard locked; it only posts.
  shard_.set_deadline_listener([this](int64_t deadline_ms) {
    asio::post(io_, [this, deadline_ms] { ArmAt(deadline_ms); });
  });
  asio::post(io_, [this] { OnTimer(); });
}

void ExpiryTimer::Cancel() { timer_.cancel(); }

void ExpiryTimer::ArmAt(int64_t deadline_ms) {
  if (deadline_ms >= target_ms_) return;
  target_ms_ = deadline_ms;
  // A key expires once the clock passes its deadline (Redis: now > deadline), hence +1 ms. Far deadlines
  // (PEXPIREAT near INT64_MAX) would overflow the timer's nanoseconds: wait at most an hour, then the timer
  // finds nothing due and re-arms for what is left.
  const int64_t now_ms = keyspace_.clock().NowMs();
  const int64_t delay_ms =
      deadline_ms - now_ms >= kMaxWaitMs ? kMaxWaitMs : std::max<int64_t>(0, deadline_ms + 1 - now_ms);
  timer_.expires_after(std::chrono::milliseconds(delay_ms));
  timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec) OnTimer();
  });
}

void ExpiryTimer::OnTimer() {
  target_ms_ = storage::kNoDeadline;
  size_t removed;
  int64_t next;
  {
    std::lock_guard lock(shard_.mutex());
    removed = keyspace_.ExpireDue(shard_, keyspace_.clock().NowMs(), kExpireBudget);
    next = shard_.NextDeadline();
    // Published under the lock, so a writer that sets an earlier deadline afterwards wakes us.
    shard_.set_armed_deadline(next);
  }
  if (removed == kExpireBudget) {
    asio::post(io_, [this] { OnTimer(); });
  } else if (next != storage::kNoDeadline) {
    ArmAt(next);
  }
}

}  // namespace sessionkv::server

// SPDX-License-Identifier: Apache-2.0
#include "server/commit_batcher.h"

#include <algorithm>
#include <utility>

namespace sessionkv::server {

void CommitBatcher::Wait(std::shared_ptr<CommitWaiter> waiter, uint64_t ticket) {
  waiting_.push_back(std::move(waiter));
  target_ = std::max(target_, ticket);
  Schedule();
}

void CommitBatcher::Nudge(uint64_t ticket) {
  target_ = std::max(target_, ticket);
  Schedule();
}

void CommitBatcher::Schedule() {
  if (scheduled_) return;
  scheduled_ = true;
  // post, not dispatch: the handler must run after the other handlers that are ready now.
  asio::post(io_, [this] { Run(); });
}

void CommitBatcher::Run() {
  scheduled_ = false;
  const uint64_t target = std::exchange(target_, 0);
  auto waiting = std::make_shared<std::vector<std::shared_ptr<CommitWaiter>>>();
  waiting->swap(waiting_);
  // The result reaches this request's waiters on this thread: at once when the engine wrote inline,
  // posted here when its writer thread did.
  engine_.CommitAsync(target, [&io = io_, waiting](const storage::CommitResult& result) {
    if (waiting->empty()) return;
    asio::dispatch(io, [waiting, result] {
      for (const auto& w : *waiting) w->OnCommitted(result);
    });
  });
}

}  // namespace sessionkv::server

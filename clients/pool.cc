// SPDX-License-Identifier: Apache-2.0
#include "clients/pool.h"

#include <utility>

#include "base/strings.h"

namespace sessionkv::client {

ConnectionPool::ConnectionPool(ConnectOptions options, size_t max_connections)
    : options_(std::move(options)), max_(max_connections > 0 ? max_connections : 1) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = other.pool_;
    conn_ = std::move(other.conn_);
    other.pool_ = nullptr;
  }
  return *this;
}

void ConnectionPool::Lease::Release() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->GiveBack(std::move(conn_));
  pool_ = nullptr;
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  const bool free = freed_.wait_for(lock, wait, [this] { return !idle_.empty() || open_ < max_; });
  if (!free) {
    return absl::DeadlineExceededError(
        StrCat("no pooled connection became free within ", wait.count(), " ms (", max_, " in use)"));
  }
  if (!idle_.empty()) {
    std::unique_ptr<Connection> conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }
  ++open_;  // reserve the slot, then connect without holding the lock
  lock.unlock();
  absl::StatusOr<std::unique_ptr<Connection>> conn = Connection::Connect(options_);
  if (!conn.ok()) {
    lock.lock();
    --open_;
    freed_.notify_one();
    return conn.status();
  }
  return Lease(this, std::move(*conn));
}

void ConnectionPool::GiveBack(std::unique_ptr<Connection> conn) {
  // A connection with unread replies would hand the next user someone else's answers: drop it too.
  const bool keep = !conn->broken() && conn->pending_replies() == 0;
  std::lock_guard<std::mutex> lock(mu_);
  if (keep) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  freed_.notify_one();
}

size_t ConnectionPool::idle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_.size();
}

size_t ConnectionPool::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_;
}

}  // namespace sessionkv::client

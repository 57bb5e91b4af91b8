// SPDX-License-Identifier: Apache-2.0
// A thread-safe pool of connections to one server, for code whose threads each need a connection for a
// while (Jedis's pool model): Acquire() lends one, the Lease gives it back when it goes out of scope.
//
//   ConnectionPool pool({.port = 6379}, /*max_connections=*/8);
//   absl::StatusOr<ConnectionPool::Lease> c = pool.Acquire();
//   if (c.ok()) (*c)->Call("PING");
//
// Connections are made lazily, up to max_connections, outside the lock. A lease whose connection broke
// (errors.h: anything but a server error reply) drops it instead of returning it. Waiting for a free
// connection sleeps on a condition variable, bounded by the caller's timeout. The pool must outlive its
// leases.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/connection.h"

namespace sessionkv::client {

class ConnectionPool {
 public:
  ConnectionPool(ConnectOptions options, size_t max_connections);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) { other.pool_ = nullptr; }
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { Release(); }
    Connection* operator->() const { return conn_.get(); }
    Connection& operator*() const { return *conn_; }
    Connection* get() const { return conn_.get(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    void Release();

    ConnectionPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // An idle connection, a new one if fewer than max_connections exist, or the first one given back within
  // `wait` (DeadlineExceeded after that). Connect failures are returned as Connect reports them.
  absl::StatusOr<Lease> Acquire(std::chrono::milliseconds wait = std::chrono::milliseconds(5000));

  size_t idle() const;
  size_t open() const;  // idle + leased (+ being connected)
  size_t max_connections() const { return max_; }

 private:
  void GiveBack(std::unique_ptr<Connection> conn);

  const ConnectOptions options_;
  const size_t max_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;
};

}  // namespace sessionkv::client

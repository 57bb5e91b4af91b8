// SPDX-License-Identifier: Apache-2.0
// The Asio side of the server: I/O threads (one io_context each), listeners, and one expiry timer per
// keyspace shard. Connections are spread round-robin over the I/O threads; nothing spins, so an idle server
// sleeps in epoll (design.md, "Threads").
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "asio.hpp"
#include "server/commit_batcher.h"
#include "server/dispatcher.h"
#include "server/server_state.h"
#include "server/shutdown.h"

namespace sessionkv::server {

class ExpiryTimer;

class Server {
 public:
  explicit Server(ServerState& state);
  ~Server();

  // Binds every configured address (Redis: a failure to bind a non-optional address stops the start).
  absl::Status Listen();
  // CONFIG SET port/bind: binds the new addresses first (an error leaves the old ones serving), then
  // swaps them in on the accepting thread. Callable from any thread.
  absl::Status Rebind();
  // Runs the I/O threads until Stop() or the end of a graceful shutdown; returns when they have finished.
  void Run();
  // Thread-safe; makes Run() return at once (no draining).
  void Stop();
  // Thread-safe: starts the graceful shutdown of server/shutdown.h (steps 1-4) on its own thread; Run()
  // returns when it is done. A second request while one runs is ignored, except a second SIGINT, which
  // exits at once (Redis: "You insist... exiting now.").
  void RequestShutdown(ShutdownRequest request);
  // What the shutdown that ended Run() asked for (default: a plain one).
  ShutdownRequest shutdown_request() const;
  // The port actually bound (differs from the config when it asked for port 0).
  int bound_port() const { return bound_port_; }

 private:
  using Acceptors = std::vector<std::unique_ptr<asio::ip::tcp::acceptor>>;
  // Opens, binds and listens on every configured address.
  absl::Status OpenAcceptors(Acceptors* out);
  void Accept(asio::ip::tcp::acceptor& acceptor);
  // Registers an accepted socket as a client, or refuses it past maxclients.
  void AdoptClient(asio::ip::tcp::socket socket);
  // Periodic housekeeping at `hz` (Redis's serverCron/clientsCron): closes clients idle past `timeout`.
  void ScheduleCron();
  void RunCron();
  asio::io_context& NextIoContext();
  void WaitForSignal();
  // The shutdown thread's body: steps 1-4 of server/shutdown.h.
  void DrainAndStop();

  ServerState& state_;
  Dispatcher dispatcher_;
  std::vector<std::unique_ptr<asio::io_context>> io_contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_guards_;
  std::vector<std::unique_ptr<CommitBatcher>> batchers_;  // one per I/O thread, as io_contexts_
  Acceptors acceptors_;  // used on io_contexts_[0] only
  std::vector<std::unique_ptr<ExpiryTimer>> expiry_timers_;
  asio::signal_set signals_;
  asio::steady_timer cron_timer_;
  size_t next_io_ = 0;
  int bound_port_ = 0;
  std::atomic<bool> shutting_down_{false};
  mutable std::mutex shutdown_mu_;  // guards shutdown_request_ and shutdown_thread_
  ShutdownRequest shutdown_request_;
  std::thread shutdown_thread_;
};

}  // namespace sessionkv::server

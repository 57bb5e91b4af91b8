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
#include "server/tls.h"

namespace sessionkv::server {

class ExpiryTimer;

class Server {
 public:
  explicit Server(ServerState& state);
  ~Server();

  // Configures TLS when tls-port is set (Redis: "Failed to configure TLS. Check logs for more info.", after
  // logging the reason), then binds every configured address of `port` and `tls-port` (Redis: a failure
  // to bind a non-optional address stops the start).
  absl::Status Listen();
  // CONFIG SET port / tls-port / bind: binds the new addresses first (an error leaves the old ones
  // serving), then swaps them in on the accepting thread. Port 0 closes that listener. Callable from any
  // thread.
  absl::Status Rebind(bool tcp, bool tls);
  // CONFIG SET of a tls-* file or setting: rebuilds the TLS context while tls-port is set (Redis's
  // applyTlsCfg); an error keeps the old one.
  absl::Status ReconfigureTls();
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

 private:
  using Acceptors = std::vector<std::unique_ptr<asio::ip::tcp::acceptor>>;
  // Redis's connListener: the acceptors of one port on every bind address.
  struct Listener {
    bool tls = false;
    Acceptors acceptors;  // used on io_contexts_[0] only
  };
  // Opens, binds and listens on every configured address for `port` (none when it is 0).
  absl::Status OpenAcceptors(int port, bool tls, Acceptors* out);
  void Accept(asio::ip::tcp::acceptor& acceptor, bool tls);
  // Registers an accepted socket as a client (over TLS from the TLS port), or refuses it past maxclients.
  void AdoptClient(asio::ip::tcp::socket socket, bool tls);
  template <typename Transport>
  void StartConnection(Transport transport);
  void CloseListeners();
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
  Listener tcp_{.tls = false};
  Listener tls_{.tls = true};
  TlsContextHolder tls_context_;
  std::vector<std::unique_ptr<ExpiryTimer>> expiry_timers_;
  asio::signal_set signals_;
  asio::steady_timer cron_timer_;
  size_t next_io_ = 0;
  std::atomic<bool> shutting_down_{false};
  mutable std::mutex shutdown_mu_;  // guards shutdown_request_ and shutdown_thread_
  ShutdownRequest shutdown_request_;
  std::thread shutdown_thread_;
};

}  // namespace sessionkv::server

// SPDX-License-Identifier: Apache-2.0
#include "base/strings.h"
#include "server/server.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <future>
#include <tuple>

#include "server/config.h"
#include "server/connection.h"
#include "server/expiry_timer.h"
#include "server/log.h"

namespace sessionkv::server {

namespace {
std::vector<std::unique_ptr<asio::io_context>> MakeIoContexts(int n) {
  std::vector<std::unique_ptr<asio::io_context>> out;
  // concurrency hint 1: each io_context is run by exactly one thread, so Asio can skip internal locking.
  for (int i = 0; i < std::max(1, n); ++i) out.push_back(std::make_unique<asio::io_context>(1));
  return out;
}
}  // namespace

Server::Server(ServerState& state)
    : state_(state),
      dispatcher_(state),
      io_contexts_(MakeIoContexts(state.io_threads)),
      signals_(*io_contexts_[0]),
      cron_timer_(*io_contexts_[0]) {
  for (auto& io : io_contexts_) {
    work_guards_.push_back(asio::make_work_guard(*io));
    batchers_.push_back(std::make_unique<CommitBatcher>(*io, *state.engine));
  }
  for (int s = 0; s < state.keyspace.num_shards(); ++s) {
    const size_t t = s % io_contexts_.size();
    // Expiry deletes are committed with the next write of the timer's thread.
    CommitBatcher* batcher = batchers_[t].get();
    expiry_timers_.push_back(std::make_unique<ExpiryTimer>(
        *io_contexts_[t], state.keyspace, s, *state.engine,
        [batcher](uint64_t ticket) { batcher->Nudge(ticket); }, &state.metrics));
  }
  // The eviction job (server/eviction.h) runs on the first I/O thread and commits with its writes.
  state.eviction.SetBackground(
      [io = io_contexts_[0].get()](std::function<void()> fn) { asio::post(*io, std::move(fn)); },
      [batcher = batchers_[0].get()](uint64_t ticket) { batcher->Nudge(ticket); });
}

Server::~Server() {
  state_.eviction.SetBackground({}, {});
  std::lock_guard lock(shutdown_mu_);
  if (shutdown_thread_.joinable()) shutdown_thread_.join();
}

asio::io_context& Server::NextIoContext() {
  asio::io_context& io = *io_contexts_[next_io_];
  next_io_ = (next_io_ + 1) % io_contexts_.size();
  return io;
}

absl::Status Server::OpenAcceptors(int port, bool tls, Acceptors* out) {
  if (port == 0) return absl::OkStatus();
  for (std::string address : state_.config.bind()) {
    // Redis: a leading '-' marks an address that may be unavailable; "*" is every IPv4 address and
    // "::*" every IPv6 one.
    const bool optional = !address.empty() && address[0] == '-';
    if (optional) address.erase(0, 1);
    if (address == "*") address = "0.0.0.0";
    if (address == "::*") address = "::";
    asio::error_code ec;
    const auto ip = asio::ip::make_address(address, ec);
    if (ec) return absl::InvalidArgumentError(ToAbsl(StrCat("Invalid bind address '", address, "'")));
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(*io_contexts_[0]);
    const asio::ip::tcp::endpoint endpoint(ip, port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && ip.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(state_.config.tcp_backlog(), ec);
    if (ec) {
      if (optional) continue;
      return absl::UnavailableError(ToAbsl(StrCat("Failed listening on port ", port, tls ? " (tls)" : " (tcp)",
                                                  ", aborting: ", address, ": ", ec.message())));
    }
    out->push_back(std::move(acceptor));
  }
  if (out->empty()) return absl::FailedPreconditionError("Configured to not listen anywhere, exiting.");
  return absl::OkStatus();
}

absl::Status Server::Listen() {
  const Config& config = state_.config;
  if (config.port() == 0 && config.tls_port() == 0) {
    return absl::FailedPreconditionError("Configured to not listen anywhere, exiting.");
  }
  if (config.tls_port() != 0 && !tls_context_.Configure(config, /*reconfigure=*/true).ok()) {
    return absl::FailedPreconditionError("Failed to configure TLS. Check logs for more info.");
  }
  if (absl::Status status = OpenAcceptors(config.port(), false, &tcp_.acceptors); !status.ok()) return status;
  return OpenAcceptors(config.tls_port(), true, &tls_.acceptors);
}

absl::Status Server::Rebind(bool tcp, bool tls) {
  const Config& config = state_.config;
  // Redis's applyTLSPort: a TLS port needs a context, built now if TLS was off until this CONFIG SET.
  if (tls && config.tls_port() != 0) {
    if (absl::Status status = tls_context_.Configure(config, /*reconfigure=*/false); !status.ok()) return status;
  }
  auto fresh_tcp = std::make_shared<Acceptors>();
  auto fresh_tls = std::make_shared<Acceptors>();
  absl::Status status;
  if (tcp) status = OpenAcceptors(config.port(), false, fresh_tcp.get());
  if (tls && status.ok()) status = OpenAcceptors(config.tls_port(), true, fresh_tls.get());
  if (!status.ok()) {
    Log(LogLevel::kWarning, status.message());
    return absl::UnavailableError("Unable to listen on this port. Check server logs.");
  }
  asio::post(*io_contexts_[0], [this, tcp, tls, fresh_tcp, fresh_tls] {
    for (auto [wanted, listener, fresh] : {std::tuple(tcp, &tcp_, fresh_tcp), std::tuple(tls, &tls_, fresh_tls)}) {
      if (!wanted) continue;
      for (auto& old : listener->acceptors) old->close();  // pending accepts end with operation_aborted
      listener->acceptors = std::move(*fresh);
      for (auto& acceptor : listener->acceptors) Accept(*acceptor, listener->tls);
    }
  });
  return absl::OkStatus();
}

absl::Status Server::ReconfigureTls() {
  if (state_.config.tls_port() == 0) return absl::OkStatus();
  return tls_context_.Configure(state_.config, /*reconfigure=*/true);
}

void Server::Accept(asio::ip::tcp::acceptor& acceptor, bool tls) {
  acceptor.async_accept(NextIoContext(), [this, &acceptor, tls](const asio::error_code& ec,
                                                                asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      Log(LogLevel::kWarning, StrCat("Accepting client connection: ", ec.message()));
    } else {
      AdoptClient(std::move(socket), tls);
      // Take the rest of the backlog now, as Redis does (up to 1000 per event): clients that connected
      // together are registered together, before any of their requests is read.
      asio::error_code drain_ec;
      acceptor.non_blocking(true, drain_ec);
      for (int i = 0; i < 1000 && !drain_ec; ++i) {
        // The thread is taken only for a connection that was there: a failed attempt must not use up a
        // turn, or with two threads every client that connects alone lands on the same one.
        asio::ip::tcp::socket next(*io_contexts_[next_io_]);
        acceptor.accept(next, drain_ec);
        if (!drain_ec) {
          NextIoContext();
          AdoptClient(std::move(next), tls);
        }
      }
    }
    Accept(acceptor, tls);
  });
}

void Server::AdoptClient(asio::ip::tcp::socket socket, bool tls) {
  if (state_.clients.size() >= static_cast<size_t>(state_.config.maxclients())) {
    // Redis answers the extra client with this error and closes it (networking.c acceptCommonHandler). A
    // TLS client gets nothing: before its handshake it could not read the error.
    if (!tls) {
      asio::error_code ignored;
      static constexpr std::string_view kMaxClients = "-ERR max number of clients reached\r\n";
      asio::write(socket, asio::buffer(kMaxClients), ignored);
    }
    state_.stats.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (!tls) return StartConnection(PlainTransport(std::move(socket)));
  std::shared_ptr<TlsContext> context = tls_context_.current();
  if (context == nullptr) return;  // a TLS listener exists only once a context does
  StartConnection(TlsTransport(std::move(socket), std::move(context),
                               static_cast<TlsAuthClients>(state_.config.tls_auth_clients())));
}

template <typename Transport>
void Server::StartConnection(Transport transport) {
  CommitBatcher* batcher = batchers_[0].get();
  for (size_t i = 0; i < io_contexts_.size(); ++i) {
    if (&transport.socket().get_executor().context() == io_contexts_[i].get()) batcher = batchers_[i].get();
  }
  std::make_shared<Connection<Transport>>(std::move(transport), state_, dispatcher_, *batcher)->Start();
}

void Server::CloseListeners() {
  for (Listener* listener : {&tcp_, &tls_}) {
    for (auto& acceptor : listener->acceptors) acceptor->close();
  }
}

void Server::Run() {
  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  WaitForSignal();
  std::signal(SIGPIPE, SIG_IGN);
  for (Listener* listener : {&tcp_, &tls_}) {
    for (auto& acceptor : listener->acceptors) Accept(*acceptor, listener->tls);
  }
  for (auto& timer : expiry_timers_) timer->Start();
  ScheduleCron();

  std::vector<std::thread> threads;
  for (size_t i = 1; i < io_contexts_.size(); ++i) {
    threads.emplace_back([io = io_contexts_[i].get()] { io->run(); });
  }
  io_contexts_[0]->run();
  for (auto& t : threads) t.join();
  std::lock_guard lock(shutdown_mu_);
  if (shutdown_thread_.joinable()) shutdown_thread_.join();
}

void Server::WaitForSignal() {
  signals_.async_wait([this](const asio::error_code& ec, int signo) {
    if (ec) return;
    const char* name = signo == SIGINT ? "SIGINT" : "SIGTERM";
    if (shutting_down_.load() && signo == SIGINT) {
      Log(LogLevel::kWarning, "You insist... exiting now.");
      _exit(1);
    }
    Log(LogLevel::kWarning, StrCat("Received ", name, " scheduling shutdown..."));
    RequestShutdown(ShutdownRequest{.origin = name});
    WaitForSignal();  // a second SIGINT must still be seen
  });
}

void Server::RequestShutdown(ShutdownRequest request) {
  if (shutting_down_.exchange(true)) return;
  std::lock_guard lock(shutdown_mu_);
  shutdown_request_ = std::move(request);
  shutdown_thread_ = std::thread([this] { DrainAndStop(); });
}

ShutdownRequest Server::shutdown_request() const {
  std::lock_guard lock(shutdown_mu_);
  return shutdown_request_;
}

void Server::DrainAndStop() {
  using Clock = std::chrono::steady_clock;
  Log(LogLevel::kWarning, "User requested shutdown...");
  state_.health.set_shutting_down();
  // 1. No new clients: the acceptors belong to the first I/O thread.
  std::promise<void> closed;
  asio::post(*io_contexts_[0], [this, &closed] {
    CloseListeners();
    closed.set_value();
  });
  closed.get_future().wait();
  // 2. Every client finishes what it has executed and closes.
  const auto clients = state_.clients.Snapshot();
  if (!clients.empty()) {
    Log(LogLevel::kNotice, StrCat("Waiting for ", clients.size(), " client(s) to receive their replies."));
  }
  for (const auto& client : clients) client.handle->Drain();
  const int64_t timeout_s = state_.config.shutdown_timeout();
  if (!state_.clients.WaitUntilEmpty(Clock::now() + std::chrono::seconds(timeout_s))) {
    // 3. The rest are cut off.
    const auto left = state_.clients.Snapshot();
    Log(LogLevel::kWarning, StrCat(left.size(), " client(s) still connected after shutdown-timeout (",
                                   timeout_s, " s): closing them."));
    for (const auto& client : left) client.handle->Kill();
    state_.clients.WaitUntilEmpty(Clock::now() + std::chrono::seconds(1));
  }
  // 4. Nothing runs any more; main() runs the shutdown hooks once Run() returns.
  Stop();
}

void Server::ScheduleCron() {
  const int hz = std::clamp(state_.config.hz(), 1, 500);
  cron_timer_.expires_after(std::chrono::milliseconds(1000 / hz));
  cron_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec) return;
    RunCron();
    ScheduleCron();
  });
}

void Server::RunCron() {
  const int64_t now = state_.clock.NowMs();
  state_.ops_rate.Sample(now, state_.stats.total_commands_processed.load(std::memory_order_relaxed));
  state_.net_input_rate.Sample(now, state_.stats.net_input_bytes.load(std::memory_order_relaxed));
  state_.net_output_rate.Sample(now, state_.stats.net_output_bytes.load(std::memory_order_relaxed));
  const int64_t timeout_s = state_.config.timeout();
  if (timeout_s <= 0) return;
  for (const auto& client : state_.clients.Snapshot()) {
    // Redis never times out MONITOR clients, clients waiting in a blocking command, or Pub/Sub
    // subscribers (clientsCronHandleTimeout).
    if (client.info->flags.load(std::memory_order_relaxed) & (kClientMonitor | kClientBlocked)) continue;
    if (client.info->channels.load(std::memory_order_relaxed) + client.info->patterns.load(std::memory_order_relaxed) > 0) {
      continue;
    }
    if (now - client.info->last_interaction_ms.load(std::memory_order_relaxed) > timeout_s * 1000) {
      Log(LogLevel::kVerbose, "Closing idle client");
      client.handle->Kill();
    }
  }
}

void Server::Stop() {
  for (auto& io : io_contexts_) io->stop();
}

}  // namespace sessionkv::server

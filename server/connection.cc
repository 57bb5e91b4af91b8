// SPDX-License-Identifier: Apache-2.0
#include "base/strings.h"
#include "server/connection.h"

#include <chrono>
#include <algorithm>
#include <cstring>

#include "server/acl.h"
#include "server/blocking.h"
#include "server/replication.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/tls.h"
#include "server/transaction.h"

namespace sessionkv::server {

namespace {
constexpr size_t kReadChunk = 16 * 1024;
// Buffers that grew for one big request or reply are given back once they are empty again.
constexpr size_t kKeepBufferBytes = 64 * 1024;
// A pipeline stops being executed once this many reply bytes wait; it resumes after they are written, so a
// client pipelining big reads cannot make one connection's output grow without bound.
constexpr size_t kMaxPendingOutput = 256 * 1024;
// How long a drained connection waits for the client to close after our FIN. A pooled client that is
// idle notices the FIN only when it next uses the socket, so this is short.
constexpr auto kLinger = std::chrono::milliseconds(500);

std::string EndpointString(const asio::ip::tcp::endpoint& ep) {
  const auto addr = ep.address();
  if (addr.is_v6()) {
    auto v6 = addr.to_v6();
    if (v6.is_v4_mapped()) {
      return StrCat(asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string(), ":", ep.port());
    }
  }
  return StrCat(addr.to_string(), ":", ep.port());
}

constexpr std::string_view kProtectedModeDenied =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for "
    "the default user. In this mode connections are only accepted from the loopback interface. If you want "
    "to connect from external computers to Redis you may adopt one of the following solutions: 1) Just "
    "disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface "
    "by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not "
    "publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    "Alternatively you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you started the "
    "server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an "
    "authentication password for the default user. NOTE: You only need to do one of the above things in "
    "order for the server to start accepting connections from the outside.\r\n";

protocol::ParserLimits LimitsFrom(const Config& config) {
  protocol::ParserLimits limits;
  limits.max_bulk_len = config.proto_max_bulk_len();
  return limits;
}
}  // namespace

template <typename Transport>
Connection<Transport>::Connection(Transport transport, ServerState& server, Dispatcher& dispatcher,
                                  CommitBatcher& batcher)
    : transport_(std::move(transport)),
      server_(server),
      dispatcher_(dispatcher),
      batcher_(batcher),
      parser_(LimitsFrom(server.config)),
      writer_(&out_, protocol::RespVersion::kResp2),
      block_timer_(transport_.socket().get_executor()) {
  asio::error_code ec;
  const auto remote = transport_.socket().remote_endpoint(ec);
  const auto local = transport_.socket().local_endpoint(ec);
  state_.info = std::make_shared<ClientInfo>(server.clients.NextId(), EndpointString(remote),
                                             EndpointString(local), transport_.socket().native_handle(),
                                             server.clock.NowMs());
  state_.info->last_interaction_ms = state_.info->created_ms;
  const asio::ip::address peer = remote.address();
  state_.info->loopback = peer.is_loopback() || (peer.is_v6() && peer.to_v6().is_v4_mapped() &&
                                                 asio::ip::make_address_v4(asio::ip::v4_mapped, peer.to_v6()).is_loopback());
  SetDefaultAuth(server.acl, state_);
  transport_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  if (server.config.tcp_keepalive() > 0) transport_.socket().set_option(asio::socket_base::keep_alive(true), ec);
}

template <typename Transport>
Connection<Transport>::~Connection() = default;

template <typename Transport>
void Connection<Transport>::Start() {
  server_.clients.Add(state_.info, this->weak_from_this());
  server_.stats.total_connections_received.fetch_add(1, std::memory_order_relaxed);
  if constexpr (Transport::kTls) {
    Handshake();
  } else {
    OnAccepted();
  }
}

template <typename Transport>
void Connection<Transport>::OnAccepted() {
  accepted_ = true;
  // Protected mode (Redis's clientAcceptHandler): while the default user needs no password, only clients
  // on the loopback interface are served, whatever the bind addresses.
  if (server_.config.protected_mode() && !state_.info->loopback &&
      server_.acl.default_user()->rules()->nopass()) {
    server_.stats.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    out_.append(kProtectedModeDenied);
    state_.close_after_reply = true;
    Flush();
    return;
  }
  StartRead();
}

template <typename Transport>
void Connection<Transport>::Handshake() {
  if constexpr (Transport::kTls) {
    // No command runs before the handshake ends, so the blocked-command timer bounds it.
    if (const int64_t timeout_ms = server_.config.tls_handshake_timeout_ms(); timeout_ms > 0) {
      block_timer_.expires_after(std::chrono::milliseconds(timeout_ms));
      block_timer_.async_wait([self = this->shared_from_this()](const asio::error_code& ec) {
        if (!ec && !self->closed_ && !self->accepted_) self->FailAccept("TLS handshake timed out");
      });
    }
    transport_.AsyncHandshake([self = this->shared_from_this()](const asio::error_code& ec) {
      if (self->closed_) return;
      self->block_timer_.cancel();
      if (ec) return self->FailAccept(TlsErrorText(ec));
      self->OnAccepted();
    });
  }
}

template <typename Transport>
void Connection<Transport>::FailAccept(std::string_view reason) {
  Log(LogLevel::kWarning, StrCat("Error accepting a client connection: ", reason, " (addr=", state_.info->addr,
                                 " laddr=", state_.info->laddr, ")"));
  Close();
}

// Redis's checkClientOutputBufferLimits: the hard limit closes at once; the soft one once the buffer has
// stayed above it for longer than its seconds. Buffered bytes are the replies not yet written, including
// the write in flight, less the 16 KB Redis keeps in each client's fixed reply buffer (which its limits do
// not count: getClientOutputBufferMemoryUsage), so tiny limits still let small replies through.
template <typename Transport>
bool Connection<Transport>::OverOutputLimit() {
  constexpr size_t kFixedReplyBuffer = 16 * 1024;
  const ClientClass cls = state_.subscription_count() > 0 ? ClientClass::kPubSub : ClientClass::kNormal;
  const OutputBufferLimit limit = server_.config.output_buffer_limit(cls);
  const size_t pending = out_.size() + sending_.size();
  const auto used = static_cast<int64_t>(pending > kFixedReplyBuffer ? pending - kFixedReplyBuffer : 0);
  if (limit.hard_bytes > 0 && used >= limit.hard_bytes) return true;
  if (limit.soft_bytes > 0 && used >= limit.soft_bytes) {
    const int64_t now = server_.clock.NowMs();
    if (soft_limit_since_ms_ < 0) {
      soft_limit_since_ms_ = now;
      return false;
    }
    return (now - soft_limit_since_ms_) / 1000 > limit.soft_seconds;
  }
  soft_limit_since_ms_ = -1;
  return false;
}

// Closes without a reply when the output buffer is over its limit; true if it did (or is about to). The
// close is posted, as Redis's freeClientAsync: Deliver may run inside a PUBLISH that holds the Pub/Sub lock
// Close() needs to unsubscribe.
template <typename Transport>
bool Connection<Transport>::CloseIfOverOutputLimit() {
  if (closed_ || closing_) return true;
  if (!OverOutputLimit()) return false;
  Log(LogLevel::kWarning, StrCat("Client id=", state_.info->id, " addr=", state_.info->addr,
                                 " scheduled to be closed ASAP for overcoming of output buffer limits."));
  closing_ = true;
  std::string().swap(out_);
  asio::post(transport_.socket().get_executor(), [self = this->shared_from_this()] { self->Close(); });
  return true;
}

template <typename Transport>
void Connection<Transport>::Deliver(std::string bytes) {
  state_.info->delivered_unwritten.fetch_add(bytes.size(), std::memory_order_relaxed);
  // dispatch, not post: on the connection's own thread the bytes are queued at once. A post from the
  // owning thread would wait in Asio's thread-private queue and could land behind a message another thread
  // posted later, breaking publish order.
  asio::dispatch(transport_.socket().get_executor(), [self = this->shared_from_this(), bytes = std::move(bytes)] {
    if (self->closed_ || self->closing_ || self->lingering_) return;
    self->out_.append(bytes);
    if (self->CloseIfOverOutputLimit()) return;
    self->Flush();
  });
}

template <typename Transport>
void Connection<Transport>::Kill() {
  asio::post(transport_.socket().get_executor(), [self = this->shared_from_this()] { self->Close(); });
}

template <typename Transport>
void Connection<Transport>::Drain() {
  asio::post(transport_.socket().get_executor(), [self = this->shared_from_this()] {
    if (self->closed_ || self->draining_) return;
    self->draining_ = true;
    // Blocked: its command has no reply to finish. Still in the TLS handshake: nothing to finish either.
    if (self->state_.blocked || !self->accepted_) {
      self->Close();
      return;
    }
    // Nothing more is executed; Flush lingers once the replies already queued are written.
    self->state_.close_after_reply = true;
    if (!self->writing_) self->Linger();
  });
}

template <typename Transport>
void Connection<Transport>::Linger() {
  if (closed_ || lingering_) return;
  lingering_ = true;
  block_timer_.expires_after(kLinger);
  block_timer_.async_wait([self = this->shared_from_this()](const asio::error_code& ec) {
    if (!ec) self->Close();
  });
  asio::error_code ec;
  if constexpr (Transport::kTls) {
    // The TLS shutdown reads too, so a pending read is cancelled first; OnRead then starts it.
    if (reading_) {
      transport_.socket().cancel(ec);
    } else {
      ShutdownTls();
    }
  } else {
    transport_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (!reading_) StartRead();
  }
}

template <typename Transport>
void Connection<Transport>::ShutdownTls() {
  if constexpr (Transport::kTls) {
    transport_.AsyncShutdown([self = this->shared_from_this()](const asio::error_code&) { self->Close(); });
  }
}

template <typename Transport>
void Connection<Transport>::ReserveInput(size_t want) {
  const size_t pending = in_end_ - in_begin_;
  if (in_.size() - in_end_ >= want) return;
  // Move the unconsumed tail to the front first; grow only if that is not enough.
  if (in_begin_ > 0) {
    std::memmove(in_.data(), in_.data() + in_begin_, pending);
    in_begin_ = 0;
    in_end_ = pending;
  }
  if (in_.size() - in_end_ < want) in_.resize(std::max(in_.size() * 2, in_end_ + want));
}

template <typename Transport>
void Connection<Transport>::StartRead() {
  if (reading_ || closed_ || closing_) return;
  const size_t pending = in_end_ - in_begin_;
  const size_t hint = parser_.bytes_hint();
  ReserveInput(std::max(kReadChunk, hint > pending ? hint - pending : 0));
  reading_ = true;
  transport_.AsyncReadSome(
      asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
      [self = this->shared_from_this()](const asio::error_code& ec, size_t n) { self->OnRead(ec, n); });
}

template <typename Transport>
void Connection<Transport>::OnRead(const asio::error_code& ec, size_t n) {
  reading_ = false;
  if (closed_ || closing_) return;
  if constexpr (Transport::kTls) {
    if (lingering_ && (!ec || ec == asio::error::operation_aborted)) return ShutdownTls();
  }
  if (ec) {
    Close();
    return;
  }
  if (lingering_) {  // discard until the client closes
    in_begin_ = in_end_ = 0;
    StartRead();
    return;
  }
  in_end_ += n;
  server_.stats.net_input_bytes.fetch_add(n, std::memory_order_relaxed);
  state_.info->last_interaction_ms.store(server_.clock.NowMs(), std::memory_order_relaxed);
  const uint64_t limit = server_.config.client_query_buffer_limit();
  if (in_end_ - in_begin_ > limit) {
    Log(LogLevel::kWarning, StrCat("Closing client that reached max query buffer length: id=",
                                         state_.info->id, " addr=", state_.info->addr));
    Close();
    return;
  }
  ProcessInput();
  if (CloseIfOverOutputLimit()) return;
  Flush();
}

template <typename Transport>
void Connection<Transport>::ProcessInput() {
  while (!state_.close_after_reply && !state_.blocked && in_begin_ < in_end_) {
    if (out_.size() >= kMaxPendingOutput) {
      input_paused_ = true;
      break;
    }
    const bool authenticated = !AuthRequired(server_.acl, state_);
    if (parser_.limits().authenticated != authenticated) {
      protocol::ParserLimits limits = parser_.limits();
      limits.authenticated = authenticated;
      parser_.set_limits(limits);
    }
    const std::string_view input(in_.data() + in_begin_, in_end_ - in_begin_);
    const protocol::ParseResult result = parser_.Parse(input);
    if (result == protocol::ParseResult::kNeedMore) break;
    if (result == protocol::ParseResult::kError) {
      FailProtocol(parser_.error());
      return;
    }
    const size_t consumed = parser_.consumed();
    if (!parser_.args().empty()) {
      dispatcher_.Execute(parser_.args(), state_, writer_);
      writer_.set_version(state_.resp);
      if (state_.blocked) WaitBlocked();
    }
    in_begin_ += consumed;
  }
  // A read may be pending here when a blocked command has just been answered (the connection reads while
  // blocked, to notice a disconnect): its bytes land at in_end_, so the buffer stays where it is.
  if (in_begin_ == in_end_ && !reading_) {
    in_begin_ = in_end_ = 0;
    if (in_.size() > kKeepBufferBytes) std::string().swap(in_);
  }
  state_.info->query_buffer_bytes.store(in_end_ - in_begin_, std::memory_order_relaxed);
}

template <typename Transport>
void Connection<Transport>::FailProtocol(std::string_view text) {
  Log(LogLevel::kVerbose, StrCat("Protocol error (", text, ") from client: id=", state_.info->id,
                                       " addr=", state_.info->addr));
  writer_.Error(StrCat("ERR ", text));
  state_.close_after_reply = true;
  in_begin_ = in_end_;  // the rest is discarded (not rewound: a read may be pending at in_end_)
}

template <typename Transport>
void Connection<Transport>::Flush() {
  if (closed_ || closing_) return;
  if (writing_) return;  // OnWrite continues
  if (AwaitingCommit()) return;  // OnCommitted continues
  if (out_.empty() && input_paused_) {
    input_paused_ = false;
    ProcessInput();
  }
  if (out_.empty()) {
    if (state_.close_after_reply) {
      draining_ ? Linger() : Close();
    } else {
      StartRead();
    }
    return;
  }
  writing_ = true;
  sending_.swap(out_);
  out_.clear();
  state_.info->output_buffer_bytes.store(sending_.size(), std::memory_order_relaxed);
  transport_.AsyncWrite(asio::buffer(sending_),
                    [self = this->shared_from_this()](const asio::error_code& ec, size_t n) { self->OnWrite(ec, n); });
}

template <typename Transport>
void Connection<Transport>::OnWrite(const asio::error_code& ec, size_t n) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    Close();
    return;
  }
  server_.stats.net_output_bytes.fetch_add(n, std::memory_order_relaxed);
  std::atomic<uint64_t>& unwritten = state_.info->delivered_unwritten;
  for (uint64_t v = unwritten.load(std::memory_order_relaxed);
       v != 0 && !unwritten.compare_exchange_weak(v, v - std::min<uint64_t>(v, n), std::memory_order_relaxed);) {
  }
  if (sending_.capacity() > kKeepBufferBytes) {
    std::string().swap(sending_);
  } else {
    sending_.clear();
  }
  state_.info->output_buffer_bytes.store(out_.size(), std::memory_order_relaxed);
  // Executes the rest of a paused pipeline, or resumes reading.
  Flush();
}

template <typename Transport>
void Connection<Transport>::Close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ec;
  transport_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  transport_.socket().close(ec);
  if (state_.blocked) {
    server_.blocking.Abandon(*state_.blocked);
    state_.blocked.reset();
  }
  block_timer_.cancel();
  UnsubscribeAll(server_.pubsub, state_);
  UnwatchAllKeys(server_.keyspace, state_, WatchLocks::kTake);
  if (state_.info->flags.load(std::memory_order_relaxed) & kClientReplica) {
    server_.replication->Detach(state_.info->id);
  }
  server_.clients.Remove(state_.info->id);
}

// ------------------------------------------------------------------------------------- durability

template <typename Transport>
bool Connection<Transport>::AwaitingCommit() {
  if (awaiting_commit_) return true;
  if (state_.wait_ticket == 0) return false;
  if (state_.wait_ticket <= server_.engine->durable()) {
    state_.held.clear();
    state_.wait_ticket = 0;
    return false;
  }
  awaiting_commit_ = true;
  batcher_.Wait(this->shared_from_this(), state_.wait_ticket);
  return true;
}

template <typename Transport>
void Connection<Transport>::OnCommitted(const storage::CommitResult& result) {
  awaiting_commit_ = false;
  if (closed_) return;
  // Replies of batches that could not be written become Redis's MISCONF error (the batches stay queued
  // and are written once the disk recovers, so the outcome is like a timeout's: unknown, not undone).
  // Replies of batches appended after this commit took the log wait for the next one.
  std::vector<HeldReply> still;
  std::string rebuilt;
  size_t copied = 0;
  const std::string error = StrCat("-", MisconfError(result.error), "\r\n");
  for (const HeldReply& h : state_.held) {
    if (h.ticket <= result.durable) continue;
    if (h.ticket <= result.failed_through) {
      rebuilt.append(out_, copied, h.offset - copied);
      if (h.length > 0) rebuilt.append(error);
      copied = h.offset + h.length;
      continue;
    }
    still.push_back({h.offset - copied + rebuilt.size(), h.length, h.ticket});
  }
  if (copied > 0) {
    rebuilt.append(out_, copied, std::string::npos);
    out_.swap(rebuilt);
  }
  state_.held.swap(still);
  state_.wait_ticket = state_.held.empty() ? 0 : state_.held.back().ticket;
  Flush();
}

// ---------------------------------------------------------------------------------- blocked commands

template <typename Transport>
void Connection<Transport>::WaitBlocked() {
  const std::shared_ptr<BlockedClient> w = state_.blocked;
  if (w->timeout_ms <= 0) return;
  block_timer_.expires_after(std::chrono::milliseconds(w->timeout_ms));
  block_timer_.async_wait([self = this->shared_from_this(), w](const asio::error_code& ec) {
    if (ec || self->closed_ || self->state_.blocked != w) return;
    if (self->server_.blocking.Expire(*w)) self->FinishBlocked(w->timeout_reply, 0);
  });
}

template <typename Transport>
void Connection<Transport>::Resume(std::string reply, uint64_t ticket) {
  // Always posted, never run inline: the caller may be serving this client from inside another
  // connection's command on the same thread.
  asio::post(transport_.socket().get_executor(), [self = this->shared_from_this(), reply = std::move(reply), ticket]() mutable {
    self->FinishBlocked(std::move(reply), ticket);
  });
}

template <typename Transport>
void Connection<Transport>::FinishBlocked(std::string reply, uint64_t ticket) {
  if (closed_ || closing_ || !state_.blocked) return;
  server_.blocking.Release(*state_.blocked);
  state_.blocked.reset();
  block_timer_.cancel();
  if (state_.reply_mode != ReplyMode::kOff) {
    // A served BLPOP's pop is a write: its reply waits for the batch like any write's.
    if (ticket != 0) {
      state_.held.push_back({out_.size(), reply.size(), ticket});
      state_.wait_ticket = std::max(state_.wait_ticket, ticket);
    }
    out_.append(reply);
  }
  ProcessInput();
  if (CloseIfOverOutputLimit()) return;
  Flush();
}

template class Connection<PlainTransport>;
template class Connection<TlsTransport>;

}  // namespace sessionkv::server

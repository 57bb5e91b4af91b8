// SPDX-License-Identifier: Apache-2.0
// One client connection on one I/O thread: read bytes, parse every complete request, run them in order,
// and flush all their replies with one write (design.md, "How a command flows").
//
// Reads and writes are never both blocked on each other: while a write is in flight the connection stops
// reading (back-pressure for clients that pipeline without reading), and messages from other threads
// (MONITOR, later pub/sub) are queued with Deliver() and written as soon as the socket is free.
//
// The same code serves the plain and the TLS port: Connection is a template over its transport
// (server/transport.h), instantiated for both in connection.cc. A TLS connection is registered as a client
// when it is accepted, as in Redis, and reads its first request after the handshake.
#pragma once

#include <memory>
#include <string>

#include "asio.hpp"
#include "protocol/reply_writer.h"
#include "protocol/resp_parser.h"
#include "server/client_registry.h"
#include "server/client_state.h"
#include "server/commit_batcher.h"
#include "server/dispatcher.h"
#include "server/server_state.h"
#include "server/transport.h"

namespace sessionkv::server {

template <typename Transport>
class Connection final : public ClientHandle,
                         public CommitWaiter,
                         public std::enable_shared_from_this<Connection<Transport>> {
 public:
  // `batcher` is the group commit of the socket's I/O thread.
  Connection(Transport transport, ServerState& server, Dispatcher& dispatcher, CommitBatcher& batcher);
  ~Connection() override;

  // Registers the client and starts reading (after the handshake, for TLS).
  void Start();
  void Deliver(std::string bytes) override;
  void Kill() override;
  void Resume(std::string reply, uint64_t ticket) override;
  // Replies that waited for durability may go (or, for writes that failed, become MISCONF errors).
  void OnCommitted(const storage::CommitResult& result) override;
  void Drain() override;

 private:
  // TLS: the server side of the handshake, bounded by tls-handshake-timeout-ms. A failure is logged as
  // Redis logs it and closes this connection only.
  void Handshake();
  void FailAccept(std::string_view reason);
  // The connection is ready (Redis's clientAcceptHandler): protected mode, then the first read.
  void OnAccepted();
  void StartRead();
  void OnRead(const asio::error_code& ec, size_t n);
  // Parses and executes every complete request in the input buffer.
  void ProcessInput();
  // Replies "-ERR <text>" and closes once it is written (Redis's setProtocolError).
  void FailProtocol(std::string_view text);
  // Makes room for at least `want` more bytes at the end of the input buffer.
  void ReserveInput(size_t want);
  // Starts writing out_ if nothing is being written; otherwise resumes reading when idle. While replies
  // in out_ wait for their batch to be durable, waits for the commit instead (server/commit_batcher.h).
  void Flush();
  // True (and registered with the batcher) while out_ holds replies whose tickets are not durable yet.
  bool AwaitingCommit();
  void OnWrite(const asio::error_code& ec, size_t n);
  void Close();
  // client-output-buffer-limit (server/config.h) for the client's class.
  bool OverOutputLimit();
  bool CloseIfOverOutputLimit();
  // End of a drain: half-closes (FIN after the last reply) and reads and discards until the client
  // closes too or kLinger passes. Closing with unread input would send a reset, and a reset makes the
  // kernel drop replies still in flight. TLS sends close_notify instead and waits for the client's.
  void Linger();
  void ShutdownTls();
  // Blocked commands (server/blocking.h): arms the timeout after a command blocked; ends the wait
  // with `reply` and resumes the pipeline.
  void WaitBlocked();
  void FinishBlocked(std::string reply, uint64_t ticket);

  Transport transport_;
  ServerState& server_;
  Dispatcher& dispatcher_;
  CommitBatcher& batcher_;
  protocol::RequestParser parser_;

  std::string in_;        // raw storage; bytes [in_begin_, in_end_) are received and unconsumed
  size_t in_begin_ = 0;
  size_t in_end_ = 0;
  std::string out_;       // replies not yet handed to the socket
  std::string sending_;   // the bytes of the write in flight
  protocol::ReplyWriter writer_;
  ClientState state_;
  asio::steady_timer block_timer_;  // the timeout of a blocked command

  bool reading_ = false;
  bool writing_ = false;
  bool closed_ = false;
  bool closing_ = false;       // over an output buffer limit: nothing more is read or written
  bool input_paused_ = false;  // complete requests wait in in_ until out_ drains
  int64_t soft_limit_since_ms_ = -1;  // when the output buffer went over the soft limit, -1 if under
  bool awaiting_commit_ = false;  // registered with batcher_
  bool draining_ = false;      // shutting down: close (lingering) once the replies are written
  bool lingering_ = false;     // half-closed; input is discarded
  bool accepted_ = false;      // the TLS handshake is done (always, for plain TCP)
};

extern template class Connection<PlainTransport>;
extern template class Connection<TlsTransport>;

}  // namespace sessionkv::server

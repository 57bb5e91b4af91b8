// SPDX-License-Identifier: Apache-2.0
// The byte streams a Connection (server/connection.h) runs over: a plain TCP socket or TLS on one. Both
// have the same members, and Connection is a template over them, so the plain path compiles to the same
// direct socket calls as before TLS existed (no virtual call, no branch per read or write); the few things
// only TLS does (the handshake, close_notify) are `if constexpr (Transport::kTls)` in the connection.
#pragma once

#include <memory>
#include <utility>

#include "asio.hpp"
#include "asio/ssl.hpp"
#include "server/tls.h"

namespace sessionkv::server {

// The reads and writes of both transports, on their Asio stream.
template <typename Stream>
class StreamIo {
 public:
  template <typename Handler>
  void AsyncReadSome(asio::mutable_buffer buffer, Handler&& handler) {
    stream_.async_read_some(buffer, std::forward<Handler>(handler));
  }
  template <typename Handler>
  void AsyncWrite(asio::const_buffer buffer, Handler&& handler) {
    asio::async_write(stream_, buffer, std::forward<Handler>(handler));
  }

 protected:
  template <typename... Args>
  explicit StreamIo(Args&&... args) : stream_(std::forward<Args>(args)...) {}
  Stream stream_;
};

class PlainTransport : public StreamIo<asio::ip::tcp::socket> {
 public:
  static constexpr bool kTls = false;

  explicit PlainTransport(asio::ip::tcp::socket socket) : StreamIo(std::move(socket)) {}
  asio::ip::tcp::socket& socket() { return stream_; }
};

// A TLS connection's context, kept alive as long as the connection (a base of TlsTransport, so that it is
// built before the stream that uses it and destroyed after).
struct TlsContextRef {
  std::shared_ptr<TlsContext> context;
};

class TlsTransport : private TlsContextRef, public StreamIo<asio::ssl::stream<asio::ip::tcp::socket>> {
 public:
  static constexpr bool kTls = true;

  // `context` is the one current at accept time.
  TlsTransport(asio::ip::tcp::socket socket, std::shared_ptr<TlsContext> context, TlsAuthClients auth)
      : TlsContextRef{std::move(context)}, StreamIo(std::move(socket), *TlsContextRef::context) {
    SetClientVerification(stream_, auth);
  }

  asio::ip::tcp::socket& socket() { return stream_.next_layer(); }
  template <typename Handler>
  void AsyncHandshake(Handler&& handler) {
    stream_.async_handshake(asio::ssl::stream_base::server, std::forward<Handler>(handler));
  }
  // Sends close_notify and waits for the client's (or its end of stream).
  template <typename Handler>
  void AsyncShutdown(Handler&& handler) {
    stream_.async_shutdown(std::forward<Handler>(handler));
  }
};

}  // namespace sessionkv::server

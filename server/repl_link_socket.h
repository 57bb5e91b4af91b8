// SPDX-License-Identifier: Apache-2.0
// The replica's connection to its primary (server/repl_replica.h): TCP, with TLS over it when
// tls-replication is yes (OpenSSL, the client context of server/tls.h, the primary's certificate
// verified against tls-ca-cert-file / tls-ca-cert-dir).
//
// The link is one thread, not an Asio connection, so this is a plain file descriptor. It is
// non-blocking and every call waits with poll() in slices of at most 100 ms: the thread notices
// Stop() promptly, and a primary that stops answering fails a call at its deadline instead of
// hanging it (a blocking SSL_read would wait for the rest of a record forever).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/tls.h"

typedef struct ssl_st SSL;

namespace sessionkv::server {

class LinkSocket {
 public:
  // `stop` ends every wait with Cancelled.
  explicit LinkSocket(const std::atomic<bool>& stop) : stop_(stop) {}
  ~LinkSocket();
  LinkSocket(const LinkSocket&) = delete;
  LinkSocket& operator=(const LinkSocket&) = delete;

  // TCP_NODELAY, keepalive and TCP_USER_TIMEOUT = `user_timeout_ms`, so that a blackholed link
  // fails a send within repl-timeout instead of the kernel's many minutes. `deadline_ms` on the
  // steady clock.
  absl::Status Connect(const std::string& host, int port, unsigned user_timeout_ms,
                       int64_t deadline_ms);
  // The TLS handshake on the connected socket. `host` is sent as SNI when it is a name (an ingress
  // in front of the primary may route by it); the certificate chain is verified, the name is not
  // (as Redis's replicas do).
  absl::Status StartTls(std::shared_ptr<TlsContext> context, const std::string& host,
                        int64_t deadline_ms);
  absl::Status SendAll(std::string_view bytes, int64_t deadline_ms);
  // Reads what has arrived, waiting up to `wait_ms` for something: the byte count, 0 if nothing
  // came. Unavailable once the primary closed the connection.
  absl::StatusOr<size_t> Receive(char* buf, size_t size, int wait_ms);
  void Close();

  bool tls() const { return ssl_ != nullptr; }

 private:
  // Waits until the socket is ready for `events` (POLLIN, POLLOUT), or the deadline, or Stop.
  absl::Status WaitFor(short events, int64_t deadline_ms);
  // After an SSL call failed with `rc`: waits for what OpenSSL wants, or returns why it failed.
  absl::Status OnSslError(int rc, int64_t deadline_ms, std::string_view what);

  const std::atomic<bool>& stop_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::shared_ptr<TlsContext> context_;  // outlives ssl_
};

}  // namespace sessionkv::server

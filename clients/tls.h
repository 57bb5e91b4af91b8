// SPDX-License-Identifier: Apache-2.0
// TLS for the client (clients/connection.h): OpenSSL on a connected, blocking socket whose SO_RCVTIMEO and
// SO_SNDTIMEO bound every wait, with send(2)/recv(2)'s conventions so that the connection's code is the same
// over TCP and TLS.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

struct ssl_st;  // OpenSSL's SSL

namespace sessionkv::client {

// TLS to a server's tls-port (redis-cli --tls): the server's certificate must chain to `ca_file` and name
// the host; the client certificate is sent when the server asks for one (tls-auth-clients yes, optional).
struct TlsOptions {
  bool enabled = false;
  std::string ca_file;      // empty: the system's default CA store
  std::string cert_file;    // the client certificate (chain) and its key, PEM; empty: none
  std::string key_file;
  std::string server_name;  // sent as SNI and checked in the certificate; empty: the host connected to
  bool verify = true;       // false skips every check of the server (redis-cli --insecure)
};

class TlsSession {
 public:
  // Runs the client side of the handshake on `fd` (kUnavailable on failure, with OpenSSL's reason;
  // kDeadlineExceeded when the server does not answer within the socket's timeouts). `host` is what the
  // certificate must name unless options.server_name does.
  static absl::StatusOr<std::unique_ptr<TlsSession>> Handshake(int fd, const TlsOptions& options,
                                                               std::string_view host);
  ~TlsSession();  // sends close_notify (best effort) and frees the session
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // As send(2) and recv(2): bytes moved; 0 from Read when the server closed; -1 with errno set (EAGAIN
  // when the socket's timeout passed, EINTR to retry, EPROTO for a TLS error: see last_error()).
  ssize_t Write(const char* data, size_t len);
  ssize_t Read(char* data, size_t len);
  // OpenSSL's text of the last EPROTO.
  const std::string& last_error() const { return last_error_; }

 private:
  explicit TlsSession(ssl_st* ssl) : ssl_(ssl) {}
  // Maps a failed SSL_read/SSL_write to errno; returns -1, or 0 for a clean close.
  ssize_t Failed(int ret);

  ssl_st* ssl_;
  std::string last_error_;
};

}  // namespace sessionkv::client

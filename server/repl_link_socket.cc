// SPDX-License-Identifier: Apache-2.0
#include "server/repl_link_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "base/steady_clock.h"
#include "base/strings.h"

namespace sessionkv::server {

namespace {

constexpr int64_t kSliceMs = 100;

absl::Status Errno(std::string_view what) {
  return absl::UnavailableError(StrCat(what, ": ", std::strerror(errno)));
}

bool IsIpLiteral(const std::string& host) {
  in6_addr addr;
  return ::inet_pton(AF_INET, host.c_str(), &addr) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

// The oldest error on this thread's OpenSSL queue, as Redis logs it, and for a certificate the
// primary sent that did not verify, why (OpenSSL's "certificate verify failed" alone does not say).
std::string SslFailure(SSL* ssl) {
  // ERR_error_string_n on the code itself: an asio::error_code would truncate it to an int, which
  // garbles OpenSSL 3's system-error codes (ERR_SYSTEM_FLAG is bit 31).
  const unsigned long code = ERR_get_error();
  char buf[256] = "the connection closed";
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  std::string text = buf;
  const long verify = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verify != X509_V_OK) text = StrCat(text, " (", X509_verify_cert_error_string(verify), ")");
  return text;
}

}  // namespace

LinkSocket::~LinkSocket() { Close(); }

void LinkSocket::Close() {
  if (ssl_ != nullptr) {
    SSL_shutdown(ssl_);  // close_notify if the socket takes it now; no wait for the primary's
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  context_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

absl::Status LinkSocket::WaitFor(short events, int64_t deadline_ms) {
  while (true) {
    if (stop_.load(std::memory_order_acquire)) return absl::CancelledError("stopped");
    const int64_t left = deadline_ms - SteadyMillis();
    if (left <= 0)
      return absl::DeadlineExceededError("the primary did not answer within repl-timeout");
    pollfd p{fd_, events, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(std::min(left, kSliceMs)));
    if (rc > 0) return absl::OkStatus();  // ready, or an error the next call reports
    if (rc < 0 && errno != EINTR) return Errno("poll");
  }
}

absl::Status LinkSocket::Connect(const std::string& host, int port, unsigned user_timeout_ms,
                                 int64_t deadline_ms) {
  Close();
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0) {
    return absl::UnavailableError(StrCat("resolving ", host, ": ", gai_strerror(rc)));
  }
  absl::Status status = absl::UnavailableError("no address");
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd_ < 0) continue;
    status = absl::OkStatus();
    if (::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
      status = errno == EINPROGRESS ? WaitFor(POLLOUT, deadline_ms) : Errno("connecting");
      int err = 0;
      socklen_t len = sizeof(err);
      if (status.ok() && ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0) {
        errno = err;
        status = Errno("connecting");
      }
    }
    if (status.ok()) break;
    Close();
    if (absl::IsCancelled(status)) break;
  }
  ::freeaddrinfo(res);
  if (!status.ok()) return status;
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  ::setsockopt(fd_, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  ::setsockopt(fd_, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof(user_timeout_ms));
  return absl::OkStatus();
}

absl::Status LinkSocket::OnSslError(int rc, int64_t deadline_ms, std::string_view what) {
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
      return WaitFor(POLLIN, deadline_ms);
    case SSL_ERROR_WANT_WRITE:
      return WaitFor(POLLOUT, deadline_ms);
    case SSL_ERROR_ZERO_RETURN:
      return absl::UnavailableError("the primary closed the connection");
    case SSL_ERROR_SYSCALL:
      if (errno != 0 && ERR_peek_error() == 0) return Errno(what);
      [[fallthrough]];
    default:
      return absl::UnavailableError(StrCat(what, ": ", SslFailure(ssl_)));
  }
}

absl::Status LinkSocket::StartTls(std::shared_ptr<TlsContext> context, const std::string& host,
                                  int64_t deadline_ms) {
  context_ = std::move(context);
  ssl_ = SSL_new(context_->native_handle());
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
    return absl::InternalError(StrCat("TLS: ", SslFailure(ssl_)));
  }
  SSL_set_verify(ssl_, SSL_VERIFY_PEER, nullptr);
  if (!IsIpLiteral(host)) SSL_set_tlsext_host_name(ssl_, host.c_str());
  while (true) {
    ERR_clear_error();
    errno = 0;
    const int rc = SSL_connect(ssl_);
    if (rc == 1) return absl::OkStatus();
    if (absl::Status s = OnSslError(rc, deadline_ms, "TLS handshake failed"); !s.ok()) return s;
  }
}

absl::Status LinkSocket::SendAll(std::string_view bytes, int64_t deadline_ms) {
  size_t off = 0;
  while (off < bytes.size()) {
    const size_t chunk = std::min<size_t>(bytes.size() - off, INT_MAX);
    if (ssl_ != nullptr) {
      ERR_clear_error();
      errno = 0;
      // A retry after WANT_* passes the same bytes, as OpenSSL requires.
      const int n = SSL_write(ssl_, bytes.data() + off, static_cast<int>(chunk));
      if (n > 0) {
        off += static_cast<size_t>(n);
      } else if (absl::Status s = OnSslError(n, deadline_ms, "TLS write"); !s.ok()) {
        return s;
      }
      continue;
    }
    const ssize_t n = ::send(fd_, bytes.data() + off, chunk, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (absl::Status s = WaitFor(POLLOUT, deadline_ms); !s.ok()) return s;
    } else if (n < 0 && errno != EINTR) {
      return Errno("send");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> LinkSocket::Receive(char* buf, size_t size, int wait_ms) {
  // Bytes OpenSSL already holds would not wake poll().
  if (ssl_ == nullptr || SSL_has_pending(ssl_) == 0) {
    pollfd p{fd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, wait_ms);
    if (rc == 0 || (rc < 0 && errno == EINTR)) return 0;
    if (rc < 0) return Errno("poll");
  }
  if (ssl_ != nullptr) {
    ERR_clear_error();
    errno = 0;
    const int n = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(size, INT_MAX)));
    if (n > 0) return static_cast<size_t>(n);
    const int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;  // a partial record
    absl::Status s = OnSslError(n, 0, "TLS read");
    return s.ok() ? absl::UnavailableError("TLS read failed") : s;
  }
  const ssize_t n = ::recv(fd_, buf, size, 0);
  if (n > 0) return static_cast<size_t>(n);
  if (n == 0) return absl::UnavailableError("the primary closed the connection");
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
  return Errno("recv");
}

}  // namespace sessionkv::server

// SPDX-License-Identifier: Apache-2.0
#include "clients/tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

#include "base/strings.h"

namespace sessionkv::client {

namespace {

std::string OpenSslError() {
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  return buf;
}

int ClampLength(size_t len) { return len > INT_MAX ? INT_MAX : static_cast<int>(len); }

// OpenSSL's socket BIO writes with write(2), which raises SIGPIPE when the server has gone; a library must
// not kill its process for that. This BIO is the socket BIO with send(..., MSG_NOSIGNAL).
int Fd(BIO* bio) { return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio))); }

int BioWrite(BIO* bio, const char* data, int len) {
  BIO_clear_retry_flags(bio);
  const ssize_t n = ::send(Fd(bio), data, static_cast<size_t>(len), MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_write(bio);
  return static_cast<int>(n);
}

int BioRead(BIO* bio, char* data, int len) {
  BIO_clear_retry_flags(bio);
  const ssize_t n = ::recv(Fd(bio), data, static_cast<size_t>(len), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(bio);
  return static_cast<int>(n);
}

long BioCtrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int BioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* SocketMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sessionkv socket");
    BIO_meth_set_write(m, BioWrite);
    BIO_meth_set_read(m, BioRead);
    BIO_meth_set_ctrl(m, BioCtrl);
    BIO_meth_set_create(m, BioCreate);
    return m;
  }();
  return method;
}

struct CtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

absl::Status Unavailable(std::string_view what, std::string_view file) {
  return absl::UnavailableError(ToAbsl(StrCat("TLS: ", what, file.empty() ? "" : " ", file, ": ", OpenSslError())));
}

// The client context: the CA to verify the server with, the client certificate.
absl::StatusOr<std::unique_ptr<SSL_CTX, CtxFree>> MakeContext(const TlsOptions& o) {
  std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (ctx == nullptr) return Unavailable("cannot create a context", "");
  // A server that closes without close_notify (after QUIT, on a timeout) is a plain end of stream.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_verify(ctx.get(), o.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (o.verify) {
    const int loaded = o.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx.get())
                                         : SSL_CTX_load_verify_locations(ctx.get(), o.ca_file.c_str(), nullptr);
    if (loaded != 1) return Unavailable("cannot load the CA certificates", o.ca_file);
  }
  if (!o.cert_file.empty() && SSL_CTX_use_certificate_chain_file(ctx.get(), o.cert_file.c_str()) != 1) {
    return Unavailable("cannot load the certificate", o.cert_file);
  }
  if (!o.key_file.empty() && SSL_CTX_use_PrivateKey_file(ctx.get(), o.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Unavailable("cannot load the private key", o.key_file);
  }
  return ctx;
}

bool IsIpAddress(const std::string& name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsSession>> TlsSession::Handshake(int fd, const TlsOptions& options,
                                                                  std::string_view host) {
  ERR_clear_error();
  absl::StatusOr<std::unique_ptr<SSL_CTX, CtxFree>> ctx = MakeContext(options);
  if (!ctx.ok()) return ctx.status();
  SSL* ssl = SSL_new(ctx->get());  // holds its own reference to the context
  if (ssl == nullptr) return Unavailable("cannot create a session", "");
  std::unique_ptr<TlsSession> session(new TlsSession(ssl));
  const std::string name(options.server_name.empty() ? host : options.server_name);
  const bool ip = IsIpAddress(name);
  if (!ip) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (options.verify) {
    const int named = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str())
                         : SSL_set1_host(ssl, name.c_str());
    if (named != 1) return Unavailable("cannot check the server's name", name);
  }
  BIO* bio = BIO_new(SocketMethod());
  if (bio == nullptr) return Unavailable("cannot create a socket BIO", "");
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
  SSL_set_bio(ssl, bio, bio);
  for (;;) {
    const int ret = SSL_connect(ssl);
    if (ret == 1) return session;
    const int saved = errno;
    const int err = SSL_get_error(ssl, ret);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (saved == EINTR) continue;
      return absl::DeadlineExceededError("TLS handshake: no answer from the server within the timeout");
    }
    const long verified = SSL_get_verify_result(ssl);
    std::string reason = verified != X509_V_OK ? X509_verify_cert_error_string(verified)
                         : err == SSL_ERROR_SYSCALL ? (saved != 0 ? std::strerror(saved) : "connection closed")
                                                    : OpenSslError();
    return absl::UnavailableError(ToAbsl(StrCat("TLS handshake: ", reason)));
  }
}

TlsSession::~TlsSession() {
  if (SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);
  SSL_free(ssl_);
}

ssize_t TlsSession::Write(const char* data, size_t len) {
  ERR_clear_error();
  const int n = SSL_write(ssl_, data, ClampLength(len));
  return n > 0 ? n : Failed(n);
}

ssize_t TlsSession::Read(char* data, size_t len) {
  ERR_clear_error();
  const int n = SSL_read(ssl_, data, ClampLength(len));
  return n > 0 ? n : Failed(n);
}

ssize_t TlsSession::Failed(int ret) {
  const int saved = errno;
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      errno = saved == EINTR ? EINTR : EAGAIN;
      return -1;
    case SSL_ERROR_SYSCALL:
      if (saved == 0) return 0;
      errno = saved;
      return -1;
    default:
      last_error_ = OpenSslError();
      errno = EPROTO;
      return -1;
  }
}

}  // namespace sessionkv::client

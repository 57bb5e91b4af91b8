// SPDX-License-Identifier: Apache-2.0
#include "clients/connection.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/strings.h"
#include "clients/errors.h"

namespace sessionkv::client {

namespace {

using Type = RespValue::Type;

std::string ErrnoText(int err) { return std::strerror(err); }

// Appends "$<len>\r\n<bytes>\r\n" (or the array header) without temporary strings.
void AppendLength(std::string* out, char type, size_t n) {
  char buf[24];
  buf[0] = type;
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  *end++ = '\r';
  *end++ = '\n';
  out->append(buf, end - buf);
}

void AppendBulk(std::string* out, std::string_view s) {
  AppendLength(out, '$', s.size());
  out->append(s);
  out->append("\r\n", 2);
}

// connect(2) without blocking past `timeout`: Asio's synchronous connect waits without a bound.
absl::Status ConnectWithTimeout(asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& ep,
                                std::chrono::milliseconds timeout) {
  asio::error_code ec;
  socket.open(ep.protocol(), ec);
  if (ec) return absl::UnavailableError(StrCat("socket: ", ec.message()));
  const int fd = socket.native_handle();
  const int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  const std::string where = StrCat(ep.address().to_string(), ":", ep.port());
  if (::connect(fd, ep.data(), static_cast<socklen_t>(ep.size())) != 0) {
    if (errno != EINPROGRESS) {
      return absl::UnavailableError(StrCat("connect to ", where, ": ", ErrnoText(errno)));
    }
    pollfd p{fd, POLLOUT, 0};
    int r;
    do {
      r = ::poll(&p, 1, timeout.count() > 0 ? static_cast<int>(timeout.count()) : -1);
    } while (r < 0 && errno == EINTR);
    if (r == 0) {
      return absl::DeadlineExceededError(StrCat("connect to ", where, " timed out after ", timeout.count(), " ms"));
    }
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (r < 0) err = errno;
    if (err != 0) return absl::UnavailableError(StrCat("connect to ", where, ": ", ErrnoText(err)));
  }
  ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return absl::OkStatus();
}

timeval ToTimeval(std::chrono::milliseconds ms) {
  if (ms.count() <= 0) return timeval{0, 0};  // 0 = no timeout
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>(ms.count() % 1000 * 1000)};
}

}  // namespace

// ------------------------------------------------------------------------------------------- connecting

// The io_context every client socket is registered with. It is never run (all I/O is synchronous, on the
// descriptors), Asio's registration is thread-safe, and it is never destroyed, so sockets may outlive any
// scope; one context for all connections saves each its own epoll and eventfd descriptors.
static asio::io_context& SharedContext() {
  static asio::io_context* io = new asio::io_context();
  return *io;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Connect(const ConnectOptions& options) {
  asio::ip::tcp::resolver resolver(SharedContext());
  asio::error_code ec;
  const auto endpoints = resolver.resolve(options.host, std::to_string(options.port), ec);
  if (ec) return absl::UnavailableError(StrCat("cannot resolve ", options.host, ": ", ec.message()));
  absl::Status last = absl::UnavailableError(StrCat("no address for ", options.host));
  for (const auto& entry : endpoints) {
    asio::ip::tcp::socket socket(SharedContext());
    last = ConnectWithTimeout(socket, entry.endpoint(), options.connect_timeout);
    if (!last.ok()) continue;
    std::unique_ptr<Connection> conn(new Connection(std::move(socket), options));
    if (options.tls.enabled) {
      absl::StatusOr<std::unique_ptr<TlsSession>> tls =
          TlsSession::Handshake(conn->socket_.native_handle(), options.tls, options.host);
      if (!tls.ok()) return tls.status();
      conn->tls_ = std::move(*tls);
    }
    if (absl::Status s = conn->Handshake(); !s.ok()) return s;
    return conn;
  }
  return last;
}

Connection::Connection(asio::ip::tcp::socket socket, const ConnectOptions& options)
    : options_(options), socket_(std::move(socket)) {
  if (options_.tcp_nodelay) {
    asio::error_code ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  }
  const timeval tv = ToTimeval(options_.io_timeout);
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  in_.reserve(16 * 1024);
}

Connection::~Connection() {
  tls_.reset();  // its close_notify goes out before the descriptor is closed (and maybe reused)
  asio::error_code ec;
  socket_.close(ec);
}

// The handshake is pipelined (one round trip) and strictly ordered, as Lettuce 6.4 sends it: HELLO first,
// so that AUTH inside it covers SELECT and CLIENT SETNAME. The first error reply fails the connection.
absl::Status Connection::Handshake() {
  const bool hello = options_.resp == RespVersion::kResp3 || options_.hello;
  size_t commands = 0;
  if (hello) {
    std::vector<std::string> argv = {"HELLO", options_.resp == RespVersion::kResp3 ? "3" : "2"};
    if (!options_.password.empty()) {
      argv.insert(argv.end(), {"AUTH", options_.username.empty() ? "default" : options_.username,
                               options_.password});
    }
    if (!options_.client_name.empty()) argv.insert(argv.end(), {"SETNAME", options_.client_name});
    AppendArgv(argv);
    ++commands;
  } else {
    if (!options_.password.empty()) {
      if (options_.username.empty()) Append("AUTH", options_.password);
      else Append("AUTH", options_.username, options_.password);
      ++commands;
    }
    if (!options_.client_name.empty()) {
      Append("CLIENT", "SETNAME", options_.client_name);
      ++commands;
    }
  }
  if (options_.db != 0) {
    Append("SELECT", options_.db);
    ++commands;
  }
  if (commands == 0) return absl::OkStatus();
  if (absl::Status s = Flush(); !s.ok()) return s;
  absl::Status first_error;
  for (size_t i = 0; i < commands; ++i) {
    absl::StatusOr<RespValue> reply = ReadReply();
    if (!reply.ok()) return reply.status();
    if (first_error.ok()) first_error = ReplyStatus(*reply);
    if (i == 0 && hello && reply->type != Type::kError) {
      hello_reply_ = std::move(*reply);
      resp_ = options_.resp;
    }
  }
  return first_error;
}

// ------------------------------------------------------------------------------------------- commands

void Connection::AppendArgv(std::span<const Arg> args) {
  AppendLength(&out_, '*', args.size());
  for (const Arg& a : args) AppendBulk(&out_, a.view());
  ++pending_;
}

void Connection::AppendArgv(const std::vector<std::string>& args) {
  AppendLength(&out_, '*', args.size());
  for (const std::string& a : args) AppendBulk(&out_, a);
  ++pending_;
}

absl::StatusOr<RespValue> Connection::CallArgv(std::span<const Arg> args) {
  AppendArgv(args);
  if (absl::Status s = Flush(); !s.ok()) return s;
  absl::StatusOr<RespValue> reply = ReadReply();
  if (reply.ok() && reply->type == Type::kError) return ServerError(reply->str);
  return reply;
}

absl::StatusOr<RespValue> Connection::CallArgv(const std::vector<std::string>& args) {
  AppendArgv(args);
  if (absl::Status s = Flush(); !s.ok()) return s;
  absl::StatusOr<RespValue> reply = ReadReply();
  if (reply.ok() && reply->type == Type::kError) return ServerError(reply->str);
  return reply;
}

absl::Status Connection::Flush() {
  if (broken()) {
    out_.clear();
    return absl::FailedPreconditionError(StrCat("connection is broken: ", broken_reason_.message()));
  }
  size_t off = 0;
  while (off < out_.size()) {
    const ssize_t n = Send(out_.data() + off, out_.size() - off);
    if (n >= 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    out_.clear();
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return Break(absl::DeadlineExceededError(
          StrCat("write timed out after ", options_.io_timeout.count(), " ms")));
    }
    return Break(absl::AbortedError(StrCat("write: ", IoError(errno))));
  }
  out_.clear();
  return absl::OkStatus();
}

// ------------------------------------------------------------------------------------------- replies

absl::Status Connection::Fill() {
  if (in_begin_ > 0 && in_begin_ * 2 >= in_.size()) {  // drop what was consumed before growing
    in_.erase(0, in_begin_);
    in_begin_ = 0;
  }
  const size_t old = in_.size();
  const size_t room = std::max<size_t>(16 * 1024, in_.capacity() - old);
  in_.resize(old + room);
  ssize_t n;
  do {
    n = Receive(in_.data() + old, room);
  } while (n < 0 && errno == EINTR);
  in_.resize(old + (n > 0 ? static_cast<size_t>(n) : 0));
  if (n > 0) return absl::OkStatus();
  if (n == 0) return Break(absl::AbortedError("connection closed by the server"));
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    return Break(absl::DeadlineExceededError("no reply within the timeout"));
  }
  return Break(absl::AbortedError(StrCat("read: ", IoError(errno))));
}

ssize_t Connection::Send(const char* data, size_t len) {
  return tls_ ? tls_->Write(data, len) : ::send(socket_.native_handle(), data, len, MSG_NOSIGNAL);
}

ssize_t Connection::Receive(char* data, size_t len) {
  return tls_ ? tls_->Read(data, len) : ::recv(socket_.native_handle(), data, len, 0);
}

std::string Connection::IoError(int err) const {
  return tls_ && err == EPROTO ? tls_->last_error() : ErrnoText(err);
}

absl::StatusOr<RespValue> Connection::ReadFrame() {
  if (broken()) return absl::FailedPreconditionError(StrCat("connection is broken: ", broken_reason_.message()));
  for (;;) {
    const std::string_view avail(in_.data() + in_begin_, in_.size() - in_begin_);
    absl::StatusOr<size_t> len = scanner_.Scan(avail);
    if (!len.ok()) return Break(len.status());
    if (*len > 0) {
      size_t consumed = 0;
      auto decoded = protocol::DecodeReply(avail.substr(0, *len), &consumed);
      scanner_.Reset();
      if (!decoded.ok()) return Break(absl::DataLossError(StrCat("protocol error: ", decoded.status().message())));
      if (!decoded->has_value() || consumed != *len) return Break(absl::DataLossError("protocol error: bad frame"));
      in_begin_ += *len;
      if (in_begin_ == in_.size()) {
        in_.clear();
        in_begin_ = 0;
      }
      return std::move(**decoded);
    }
    if (absl::Status s = Fill(); !s.ok()) return s;
  }
}

absl::StatusOr<RespValue> Connection::ReadReply() {
  for (;;) {
    absl::StatusOr<RespValue> frame = ReadFrame();
    if (!frame.ok()) return frame;
    if (frame->type == Type::kPush) {
      Deliver(std::move(*frame));
      continue;
    }
    if (pending_ > 0) --pending_;
    return frame;
  }
}

absl::StatusOr<RespValue> Connection::NextPush(std::chrono::milliseconds timeout) {
  if (!pushes_.empty()) {
    RespValue v = std::move(pushes_.front());
    pushes_.pop_front();
    return v;
  }
  const bool custom = timeout.count() >= 0 && timeout != options_.io_timeout;
  if (custom) {
    if (absl::Status s = SetReceiveTimeout(timeout); !s.ok()) return s;
  }
  absl::StatusOr<RespValue> frame;
  for (;;) {
    frame = ReadFrame();
    if (!frame.ok() || frame->type == Type::kPush || resp_ == RespVersion::kResp2) break;
    if (pending_ > 0) --pending_;  // a reply to a command sent earlier: not what the caller waits for
  }
  if (custom && !broken()) {
    if (absl::Status s = SetReceiveTimeout(options_.io_timeout); !s.ok()) return s;
  }
  return frame;
}

void Connection::Deliver(RespValue push) {
  if (push_handler_) push_handler_(std::move(push));
  else pushes_.push_back(std::move(push));
}

absl::Status Connection::SetReceiveTimeout(std::chrono::milliseconds timeout) {
  const timeval tv = ToTimeval(timeout);
  if (::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
    return Break(absl::AbortedError(StrCat("setsockopt: ", ErrnoText(errno))));
  }
  return absl::OkStatus();
}

absl::Status Connection::Break(absl::Status status) {
  if (broken_reason_.ok()) broken_reason_ = status;
  return status;
}

// ------------------------------------------------------------------------------------------- Pipeline

absl::StatusOr<std::vector<RespValue>> Pipeline::Execute() {
  std::vector<RespValue> replies;
  replies.reserve(count_);
  if (absl::Status s = conn_.Flush(); !s.ok()) return s;
  for (size_t i = 0; i < count_; ++i) {
    absl::StatusOr<RespValue> reply = conn_.ReadReply();
    if (!reply.ok()) return reply.status();
    replies.push_back(std::move(*reply));
  }
  count_ = 0;
  return replies;
}

}  // namespace sessionkv::client

// SPDX-License-Identifier: Apache-2.0
// A synchronous connection to a Redis-protocol server (sessionkv, Redis 7, anything that speaks RESP).
//
//   auto conn = client::Connection::Connect({.port = 6379, .resp = protocol::RespVersion::kResp3});
//   if (!conn.ok()) ...                                 // errors.h: refused, timeout, AUTH failed, ...
//   absl::StatusOr<RespValue> v = (*conn)->Call("HGETALL", key);
//
// TLS (ConnectOptions::tls) runs OpenSSL on the same blocking socket, with the same timeouts.
//
// One connection belongs to one thread at a time (ConnectionPool hands them out). Calls block; every wait
// for bytes is bounded by ConnectOptions::io_timeout. Replies are decoded with protocol/resp_value.h, so
// RESP3 types arrive as themselves (maps, sets, doubles, pushes) and RESP2 ones as arrays and bulks.
//
// Pipelining: Append() queues commands in the output buffer, Flush() writes them with one send, and
// ReadReply() returns their replies in order (Pipeline below wraps the three). RESP3 push frames
// (pub/sub messages, invalidations) can arrive between replies at any time: ReadReply() never returns
// one; it queues it for NextPush() or hands it to the push handler.
#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "asio.hpp"
#include "clients/frame_scanner.h"
#include "clients/tls.h"
#include "protocol/reply_writer.h"
#include "protocol/resp_value.h"

namespace sessionkv::client {

using protocol::RespValue;
using protocol::RespVersion;

struct ConnectOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::chrono::milliseconds connect_timeout{2000};
  // Bounds each wait for reply bytes and each blocked write; 0 waits forever.
  std::chrono::milliseconds io_timeout{10000};
  // kResp3 sends HELLO 3 (carrying AUTH and SETNAME). kResp2 sends HELLO 2 if `hello` is set, else the
  // plain RESP2 handshake of Jedis and Lettuce's fallback: AUTH, CLIENT SETNAME.
  RespVersion resp = RespVersion::kResp2;
  bool hello = false;
  std::string username;  // empty: AUTH <password> (HELLO uses "default")
  std::string password;  // empty: no AUTH
  int db = 0;            // SELECT db unless 0
  std::string client_name;
  bool tcp_nodelay = true;
  TlsOptions tls;
};

// One command argument: a byte string, or an integer written in decimal. Views are not copied: the
// bytes must live until the command is appended.
class Arg {
 public:
  Arg(std::string_view s) : view_(s) {}                     // NOLINT: implicit on purpose
  Arg(const std::string& s) : view_(s) {}                   // NOLINT
  Arg(const char* s) : view_(s) {}                          // NOLINT
  template <typename T, typename = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, char> &&
                                                     !std::is_same_v<T, bool>>>
  Arg(T v) {                                                // NOLINT
    auto [end, ec] = std::to_chars(num_, num_ + sizeof(num_), v);
    num_len_ = static_cast<uint8_t>(end - num_);
  }
  std::string_view view() const { return num_len_ ? std::string_view(num_, num_len_) : view_; }

 private:
  std::string_view view_;
  char num_[24];
  uint8_t num_len_ = 0;
};

class Connection {
 public:
  // Connects (each resolved address in turn, each within connect_timeout) and runs the handshake.
  static absl::StatusOr<std::unique_ptr<Connection>> Connect(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one command and waits for its reply. An error reply becomes ServerError(text) (errors.h).
  template <typename... A>
  absl::StatusOr<RespValue> Call(const A&... args) {
    const Arg argv[] = {Arg(args)...};
    return CallArgv(argv);
  }
  absl::StatusOr<RespValue> CallArgv(std::span<const Arg> args);
  absl::StatusOr<RespValue> CallArgv(const std::vector<std::string>& args);

  // ---- pipelining
  // Queues one command; nothing is sent until Flush().
  template <typename... A>
  void Append(const A&... args) {
    const Arg argv[] = {Arg(args)...};
    AppendArgv(argv);
  }
  void AppendArgv(std::span<const Arg> args);
  void AppendArgv(const std::vector<std::string>& args);
  // Bytes already in RESP form (several commands may follow each other).
  void AppendRaw(std::string_view bytes) { out_.append(bytes); }
  // Writes every queued command.
  absl::Status Flush();
  // The next reply that is not a push. Error replies are returned as values of type kError here, so that
  // a pipeline's other replies are not lost; the status fails only for transport and protocol errors.
  absl::StatusOr<RespValue> ReadReply();

  // ---- pushes (RESP3 '>' frames: SUBSCRIBE confirmations and messages, invalidations)
  // The oldest queued push, or the next one read within `timeout` (default io_timeout). On a RESP2
  // connection in subscribe mode every frame is a message, so any frame is returned.
  absl::StatusOr<RespValue> NextPush(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
  // Pushes go to `fn` as they are read instead of the queue.
  void set_push_handler(std::function<void(RespValue)> fn) { push_handler_ = std::move(fn); }
  size_t queued_pushes() const { return pushes_.size(); }

  // ---- state
  RespVersion resp() const { return resp_; }
  // The HELLO reply (a map in RESP3, a flat array in RESP2), or a null value when no HELLO was sent.
  const RespValue& hello_reply() const { return hello_reply_; }
  // True after a transport, timeout or protocol failure: the connection must be dropped.
  bool broken() const { return !broken_reason_.ok(); }
  const absl::Status& broken_reason() const { return broken_reason_; }
  const ConnectOptions& options() const { return options_; }
  // Commands appended whose replies were not read yet.
  size_t pending_replies() const { return pending_; }

 private:
  Connection(asio::ip::tcp::socket socket, const ConnectOptions& options);
  absl::Status Handshake();
  // send(2) / recv(2), through TLS when it is on.
  ssize_t Send(const char* data, size_t len);
  ssize_t Receive(char* data, size_t len);
  // The reason of a failed Send/Receive (errno, or TLS's error).
  std::string IoError(int err) const;
  // Any frame, push or not.
  absl::StatusOr<RespValue> ReadFrame();
  // Reads more bytes into in_; fails on EOF, reset or timeout (which all break the connection).
  absl::Status Fill();
  absl::Status SetReceiveTimeout(std::chrono::milliseconds timeout);
  // Records the first failure and returns it.
  absl::Status Break(absl::Status status);
  void Deliver(RespValue push);

  ConnectOptions options_;
  asio::ip::tcp::socket socket_;
  std::unique_ptr<TlsSession> tls_;  // null for plain TCP
  RespVersion resp_ = RespVersion::kResp2;
  RespValue hello_reply_;
  std::string out_;
  std::string in_;
  size_t in_begin_ = 0;  // bytes [in_begin_, in_.size()) are received and not yet consumed
  FrameScanner scanner_;
  size_t pending_ = 0;
  std::deque<RespValue> pushes_;
  std::function<void(RespValue)> push_handler_;
  absl::Status broken_reason_;
};

// A batch of commands sent with one write; their replies read in order.
//   Pipeline p(*conn); p.Add("SET", "a", 1); p.Add("INCR", "a"); auto replies = p.Execute();
class Pipeline {
 public:
  explicit Pipeline(Connection& conn) : conn_(conn) {}
  template <typename... A>
  Pipeline& Add(const A&... args) {
    conn_.Append(args...);
    ++count_;
    return *this;
  }
  size_t size() const { return count_; }
  // Sends the batch and returns one reply per command (error replies as kError values); a transport or
  // protocol failure fails the whole batch.
  absl::StatusOr<std::vector<RespValue>> Execute();

 private:
  Connection& conn_;
  size_t count_ = 0;
};

}  // namespace sessionkv::client

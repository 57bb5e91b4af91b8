// SPDX-License-Identifier: Apache-2.0
// An in-test server socket for the client's unit tests: listens on 127.0.0.1, and runs a handler on a
// thread for every connection it accepts. Handlers script the server side byte by byte (a canned reply,
// silence, a close, a reply split into single bytes), which a real server cannot be made to do.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "protocol/resp_parser.h"

namespace sessionkv::client::testing {

class FakeServer {
 public:
  using Handler = std::function<void(int fd)>;

  explicit FakeServer(Handler handler, int backlog = 16) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listen_fd_, backlog);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~FakeServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listen_fd_);
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);  // unblocks handlers waiting in recv
    for (std::thread& t : handlers_) t.join();
    for (int fd : fds_) ::close(fd);
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

  // ---- helpers for handlers
  // Reads exactly n bytes (fewer if the peer closes).
  static std::string ReadN(int fd, size_t n) {
    std::string out;
    char buf[4096];
    while (out.size() < n) {
      const ssize_t r = ::recv(fd, buf, std::min(sizeof(buf), n - out.size()), 0);
      if (r <= 0) break;
      out.append(buf, r);
    }
    return out;
  }
  static void Send(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t w = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (w <= 0) return;
      bytes.remove_prefix(w);
    }
  }
  // Parses requests until the peer closes, answering each with respond(args) (the reply's bytes).
  static void Serve(int fd, const std::function<std::string(const std::vector<std::string>&)>& respond) {
    protocol::RequestParser parser;
    std::string in;
    char buf[4096];
    for (;;) {
      while (!in.empty()) {
        const protocol::ParseResult r = parser.Parse(in);
        if (r != protocol::ParseResult::kRequest) break;
        std::vector<std::string> args(parser.args().begin(), parser.args().end());
        const size_t used = parser.consumed();
        parser.Reset();
        in.erase(0, used);
        if (!args.empty()) Send(fd, respond(args));
      }
      const ssize_t r = ::recv(fd, buf, sizeof(buf), 0);
      if (r <= 0) return;
      in.append(buf, r);
    }
  }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      ++accepted_;
      std::lock_guard<std::mutex> lock(mu_);
      fds_.push_back(fd);
      handlers_.emplace_back([this, fd] { handler_(fd); });
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> handlers_;
};

}  // namespace sessionkv::client::testing

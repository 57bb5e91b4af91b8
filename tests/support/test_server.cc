// SPDX-License-Identifier: Apache-2.0
#include "tests/support/test_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/strings.h"
#include "clients/errors.h"
#include "gtest/gtest.h"

#ifndef SESSIONKV_SERVER_PATH
#define SESSIONKV_SERVER_PATH "build/bin/sessionkv-server"
#endif

namespace sessionkv::testing {

namespace {

int FailedTests() { return ::testing::UnitTest::GetInstance()->failed_test_count(); }

// A port that was free a moment ago: bind to 0 and release it (the server binds it right after).
absl::StatusOr<uint16_t> FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return absl::InternalError("bind to port 0 failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

}  // namespace

absl::StatusOr<uint16_t> FreeLoopbackPort() { return FreePort(); }

bool TestServer::TargetIsRedis() {
  const char* target = std::getenv("SESSIONKV_TEST_TARGET");
  return target != nullptr && std::string(target) == "redis";
}

absl::StatusOr<std::unique_ptr<TestServer>> TestServer::Start(const TestServerOptions& options) {
  std::string binary = options.binary;
  if (binary.empty()) {
    const char* env = std::getenv("SESSIONKV_SERVER");
    binary = TargetIsRedis() ? "redis-server" : env != nullptr ? env : SESSIONKV_SERVER_PATH;
  }
  absl::Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {  // another process may take the free port first
    std::unique_ptr<TestServer> server(new TestServer());
    server->failures_at_start_ = FailedTests();
    last = server->Launch(options, binary);
    std::string password;
    for (const auto& [name, value] : options.config) {
      if (name == "requirepass") password = value;
    }
    if (last.ok()) last = server->WaitReady(options.ready_timeout, password);
    if (last.ok()) return server;
    const bool port_lost = server->ReadLog().find("Address already in use") != std::string::npos;
    if (!port_lost) {
      server->KeepDir();  // the error message points into the dir: keep it for the post-mortem
      break;
    }
  }
  return last;
}

absl::Status TestServer::Launch(const TestServerOptions& options, const std::string& binary) {
  absl::StatusOr<uint16_t> port = FreePort();
  if (!port.ok()) return port.status();
  port_ = *port;
  std::string templ = (std::filesystem::temp_directory_path() / "sessionkv-test-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  dir_ = templ;
  const std::string conf_path = dir_ + "/server.conf";
  {
    std::ofstream conf(conf_path);
    conf << "port " << port_ << "\nbind 127.0.0.1\ndir " << dir_ << "\n";
    if (TargetIsRedis()) {
      conf << "save \"\"\nappendonly no\n";
    } else if (std::ranges::none_of(options.config, [](const auto& kv) { return kv.first == "metrics-port"; })) {
      conf << "metrics-port 0\n";  // parallel tests would all want 9121
    }
    for (const auto& [name, value] : options.config) conf << name << " " << value << "\n";
  }
  const std::string log_path = dir_ + "/server.log";
  std::vector<std::string> argv_storage = {binary, conf_path};
  argv_storage.insert(argv_storage.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError("cannot create " + log_path);
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(log_fd);
    return absl::InternalError("fork failed");
  }
  if (pid_ == 0) {  // child: only async-signal-safe calls until exec
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    if (::chdir(dir_.c_str()) != 0) ::_exit(126);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  return absl::OkStatus();
}

absl::Status TestServer::WaitReady(std::chrono::milliseconds timeout, const std::string& password) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  absl::Status last = absl::DeadlineExceededError("not tried");
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::FailedPreconditionError(
          StrCat("server exited during start-up (status ", status, "); log ", dir_, "/server.log:\n", ReadLog()));
    }
    client::ConnectOptions opts = connect_options();
    opts.connect_timeout = std::chrono::milliseconds(500);
    opts.io_timeout = std::chrono::milliseconds(1000);
    opts.password = password;
    auto conn = client::Connection::Connect(opts);
    if (conn.ok()) {
      auto pong = (*conn)->Call("PING");
      // A server whose password the options do not show (an aclfile) answers NOAUTH: up all the same.
      if (pong.ok() || (client::IsServerError(pong.status()) &&
                        pong.status().message().substr(0, 6) == "NOAUTH")) {
        return absl::OkStatus();
      }
      last = pong.status();
    } else {
      last = conn.status();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError(StrCat("server not answering PING after ", timeout.count(), " ms (last: ",
                                            last.ToString(), "); log ", dir_, "/server.log:\n", ReadLog()));
}

client::ConnectOptions TestServer::connect_options() const {
  client::ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = port_;
  return o;
}

std::string TestServer::ReadLog() const {
  std::ifstream in(dir_ + "/server.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int TestServer::Stop() {
  if (pid_ <= 0) return 0;
  ::kill(pid_, SIGTERM);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return status;
}

TestServer::~TestServer() {
  Stop();
  if (dir_.empty()) return;
  if (keep_ || FailedTests() > failures_at_start_) {
    std::fprintf(stderr, "kept server dir %s; log tail:\n%s\n", dir_.c_str(), Tail(ReadLog(), 4000).c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace sessionkv::testing

// SPDX-License-Identifier: Apache-2.0
// Real-process fixture for C++ integration tests (style.md pattern 12), the C++ twin of
// tests/integration/support/server.py.
//
//   auto server = TestServer::Start({.config = {{"io-threads", "2"}}});
//   ASSERT_TRUE(server.ok()) << server.status();
//   auto conn = client::Connection::Connect((*server)->connect_options());
//
// Start() writes a config file into a fresh temp dir (port, bind 127.0.0.1, dir, plus the caller's
// directives), starts the binary with its output in <dir>/server.log, and waits until PING answers; it
// fails fast with the log if the process exits or does not answer in time. sessionkv treats `port 0` as
// "do not listen" (as Redis does), so the fixture picks a free port and tries again with another if
// the bind loses a race.
//
// Which server runs: $SESSIONKV_SERVER, else the sessionkv-server this build made. With
// SESSIONKV_TEST_TARGET=redis it starts Debian's redis-server instead (`save ""`, `appendonly no`), so a
// test can show it encodes Redis's behaviour; `TestServer::TargetIsRedis()` lets sessionkv-only tests
// skip themselves there (GTEST_SKIP).
//
// On destruction the process gets SIGTERM (SIGKILL after 10 s). The dir is removed, unless a test failed
// while the server lived: then the dir and log stay and their path and the log's tail go to stderr.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/connection.h"

namespace sessionkv::testing {

struct TestServerOptions {
  std::vector<std::pair<std::string, std::string>> config;  // directive, value (written as "name value")
  std::vector<std::string> args;                           // extra argv after the config file
  std::string binary;                                      // empty: $SESSIONKV_SERVER or the build's
  std::chrono::milliseconds ready_timeout{20000};
};

// A loopback port that was free a moment ago (for a second listener such as tls-port).
absl::StatusOr<uint16_t> FreeLoopbackPort();

class TestServer {
 public:
  static absl::StatusOr<std::unique_ptr<TestServer>> Start(const TestServerOptions& options = {});
  // True when SESSIONKV_TEST_TARGET=redis.
  static bool TargetIsRedis();
  ~TestServer();

  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }
  std::string ReadLog() const;
  // Options for client::Connection::Connect to this server.
  client::ConnectOptions connect_options() const;
  // Stops the process (SIGTERM, then SIGKILL after 10 s); returns its exit status as waitpid reports it.
  int Stop();
  // Keep the dir and log even if every test passed.
  void KeepDir() { keep_ = true; }

 private:
  TestServer() = default;
  absl::Status Launch(const TestServerOptions& options, const std::string& binary);
  // Until PING answers PONG (a loading server answers -LOADING); `password` (requirepass) lets the
  // probe past NOAUTH, which a server answers before it says whether it is loading.
  absl::Status WaitReady(std::chrono::milliseconds timeout, const std::string& password);

  uint16_t port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
  bool keep_ = false;
  int failures_at_start_ = 0;
};

}  // namespace sessionkv::testing

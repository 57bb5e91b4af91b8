// SPDX-License-Identifier: Apache-2.0
// What the config tests share (config_file_test.cc, config_command_line_test.cc, config_runtime_test.cc):
// a fixture with a temp dir, the expected texts of Redis's fatal config errors, and a way to run the real
// redis-server on the same input. Expected error texts were captured from redis-server 7.0.15 (Debian)
// started with the same bad configuration, with the version in the banner and the 7.2 differences
// (loglevel "nothing") adjusted.
#pragma once

#include "server/config.h"

#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <tuple>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sessionkv::server::config_testing {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::Pair;
using Pairs = std::vector<std::pair<std::string, std::string>>;

inline std::string Banner() { return "\n*** FATAL CONFIG FILE ERROR (Redis 7.2.4) ***\n"; }

inline std::string LineError(int line, std::string_view text, std::string_view reason) {
  return Banner() + "Reading the configuration file, at line " + std::to_string(line) + "\n>>> '" +
         std::string(text) + "'\n" + std::string(reason);
}

inline std::string Message(const absl::Status& status) {
  return std::string(status.message().data(), status.message().size());
}

inline std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? buf : "";
}

// One bad line after a first line, and the reason Redis prints for it. `redis_differs` marks the
// rows where Debian's Redis 7.0 is not the reference: 7.2 added loglevel "nothing", and sessionkv
// refuses daemonize yes.
struct FileErrorCase {
  std::string line;
  std::string reason;
  bool redis_differs = false;
};

inline std::vector<FileErrorCase> FileErrorCases() {
  const std::string kInt = "argument couldn't be parsed into an integer";
  return {
      {"port abc", kInt},
      {"port 01", kInt},
      {"port +1", kInt},
      {"port \" 1\"", kInt},
      {"hz abc", kInt},
      {"port 70000", "argument must be between 0 and 65535 inclusive"},
      {"port 1 2", "wrong number of arguments"},
      {"port", "wrong number of arguments"},
      {"pidfile", "wrong number of arguments"},
      {"notify-keyspace-events K E", "wrong number of arguments"},
      {"port \"abc", "Unbalanced quotes in configuration line"},
      {"port 'a'b", "Unbalanced quotes in configuration line"},
      {"port \"a\"b", "Unbalanced quotes in configuration line"},
      {"foo bar", "Bad directive or wrong number of arguments"},
      {"include", "Bad directive or wrong number of arguments"},
      {"rename-command get", "Bad directive or wrong number of arguments"},
      {"bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "Too many bind addresses specified."},
      {"dir /nonexistent", "No such file or directory"},
      {"dir /etc/passwd", "Not a directory"},
      {"databases 0", "argument must be between 1 and 2147483647 inclusive"},
      {"io-threads 0", "argument must be between 1 and 128 inclusive"},
      {"io-threads 129", "argument must be between 1 and 128 inclusive"},
      {"loglevel foo",
       "argument(s) must be one of the following: debug, verbose, notice, warning, nothing", true},
      {"notify-keyspace-events Kq", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
      {"proto-max-bulk-len 100",
       "argument must be between 1048576 and 9223372036854775807 inclusive"},
      {"proto-max-bulk-len 99999999999999999999gb",
       "argument must be between 1048576 and 9223372036854775807 inclusive"},
      {"proto-max-bulk-len 1x", "argument must be a memory value"},
      {"proto-max-bulk-len -1", "argument must be a memory value"},
      {"client-query-buffer-limit 100",
       "argument must be between 1048576 and 9223372036854775807 inclusive"},
      {"maxclients 0", "argument must be between 1 and 4294967295 inclusive"},
      {"maxclients -1", "argument must be between 1 and 4294967295 inclusive"},
      {"protected-mode maybe", "argument must be 'yes' or 'no'"},
      {"daemonize maybe", "argument must be 'yes' or 'no'"},
      {"slowlog-log-slower-than -2",
       "argument must be between -1 and 9223372036854775807 inclusive"},
      {"slowlog-max-len -1", "argument must be between 0 and 9223372036854775807 inclusive"},
      {"timeout -1", "argument must be between 0 and 2147483647 inclusive"},
      // Not Redis (which daemonizes): sessionkv refuses, saying why.
      {"daemonize yes",
       "daemonize yes is not supported: sessionkv always runs in the foreground; let systemd or "
       "the "
       "container runtime supervise it",
       true},
  };
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/config_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = RealPath(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `content` to dir_/name and returns the path.
  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string Read(const std::string& path) {
    std::stringstream ss;
    ss << std::ifstream(path).rdbuf();
    return ss.str();
  }
  // Loads a file holding `content` and returns the status.
  absl::Status LoadText(Config& config, const std::string& content) {
    return config.LoadFromArgs({Write("test.conf", content)});
  }
  std::string Value(const Config& config, std::string_view name) {
    const Pairs pairs = config.Get(name);
    return pairs.size() == 1 ? pairs[0].second : "<missing>";
  }

  struct ArgsErrorCase {
    std::vector<std::string> args;
    std::string expected;
    bool redis_differs = false;
  };
  // Command lines and what Redis prints for them: the arguments are appended to the file as lines.
  std::vector<ArgsErrorCase> ArgsErrorCases() {
    const std::string with_newline = Write("nl.conf", "port 1\n");
    const std::string without_newline = Write("nonl.conf", "port 1");
    const std::string bad = "Bad directive or wrong number of arguments";
    const std::string kInt = "argument couldn't be parsed into an integer";
    return {
        {{with_newline, "--foo", "bar"}, LineError(3, "foo \"bar\"", bad)},
        {{without_newline, "--foo", "bar"}, LineError(2, "foo \"bar\"", bad)},
        {{"--port", "0", "--foo", "a b", "c\"d"}, LineError(3, "foo \"a b\" \"c\\\"d\"", bad)},
        {{"--port", "--foo"}, LineError(2, "port \"--foo\"", kInt)},
        {{"--requirepass", "--foo", "--port", "x"}, LineError(3, "port \"x\"", kInt)},
        {{"--port 5", "--bar"}, LineError(3, "bar", bad)},
        {{with_newline, "-", "--foo"}, LineError(3, "\"-\"", bad)},
        {{"-x"}, LineError(2, "\"-x\"", bad)},
        {{with_newline, "-x"}, LineError(3, "\"-x\"", bad)},
        {{"--include", without_newline, "--foo", "1"}, LineError(3, "foo \"1\"", bad)},
        {{"--port", "0", "--include", dir_ + "/nothing/*.conf", "--hz", "x"},
         LineError(4, "hz \"x\"", kInt)},
        // Redis 7.0.1+: --save without a value before another option means save "", which Redis
        // accepts and we do not support yet.
        {{"--save", "--port", "1"}, LineError(2, "save \"\"", bad), true},
    };
  }

  // Runs redis-server with `args` (stdin and stdout on /dev/null, at most 5 s) and returns its
  // stderr without the final newline, the version in the error banner replaced by ours.
  std::string RedisServerStderr(const std::vector<std::string>& args) {
    const std::string err_path = dir_ + "/redis.stderr";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    std::vector<std::string> argv = {"timeout", "5", kRedisServer};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (std::string& arg : argv) cargv.push_back(arg.data());
    cargv.push_back(nullptr);
    pid_t pid;
    const int spawned = posix_spawnp(&pid, "timeout", &actions, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) return "<spawn failed>";
    int status = 0;
    waitpid(pid, &status, 0);
    std::string err = Read(err_path);
    if (err.ends_with('\n')) err.pop_back();
    return std::regex_replace(err, std::regex("\\(Redis [0-9.]+\\)"), "(Redis 7.2.4)");
  }

  static constexpr const char* kRedisServer = "/usr/bin/redis-server";
  std::string dir_;
};

}  // namespace sessionkv::server::config_testing

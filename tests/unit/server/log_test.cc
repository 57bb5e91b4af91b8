// SPDX-License-Identifier: Apache-2.0
#include "server/log.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sessionkv::server {
namespace {

using ::testing::ElementsAre;
using ::testing::MatchesRegex;

// 2024-11-22 10:00:00.123456 UTC.
constexpr int64_t kMicros = 1732269600LL * 1000000 + 123456;

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/log_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    file_ = dir_ + "/server.log";
  }
  void TearDown() override {
    LogInit(LogLevel::kNotice, "");
    SetLogRole(LogRole::kPrimary);
    std::filesystem::remove_all(dir_);
  }
  std::vector<std::string> Lines() {
    std::vector<std::string> lines;
    std::ifstream in(file_);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  // The message part of each line (after "<pid>:<role> <dd> <Mon> <yyyy> <time> <level> ").
  std::vector<std::string> Messages() {
    std::vector<std::string> out;
    for (const std::string& line : Lines()) {
      size_t pos = 0;
      for (int field = 0; field < 6; ++field) pos = line.find(' ', pos) + 1;
      out.push_back(line.substr(pos));
    }
    return out;
  }

  std::string dir_;
  std::string file_;
};

TEST_F(LogTest, LineFormatIsRedis) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(FormatLogLine(1, 'M', kMicros, LogLevel::kNotice, "Ready to accept connections tcp"),
            "1:M 22 Nov 2024 10:00:00.123 * Ready to accept connections tcp");
  EXPECT_EQ(
      FormatLogLine(4242, 'S', kMicros + 1000000LL * (86400 * 20 + 1), LogLevel::kWarning, "x"),
      "4242:S 12 Dec 2024 10:00:01.123 # x");
  EXPECT_EQ(FormatLogLine(7, 'M', 1704067199LL * 1000000 + 5000, LogLevel::kDebug, "d"),
            "7:M 31 Dec 2023 23:59:59.005 . d");
  EXPECT_EQ(FormatLogLine(7, 'M', 1704067200LL * 1000000, LogLevel::kVerbose, "v"),
            "7:M 01 Jan 2024 00:00:00.000 - v");
}

TEST_F(LogTest, LogfmtAndTimestampFormatsAreValkeys) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(FormatLogLine(1, 'M', kMicros, LogLevel::kNotice, "Ready to accept connections tcp",
                          LogFormat::kLogfmt, LogTimestampFormat::kIso8601),
            "pid=1 role=primary timestamp=\"2024-11-22T10:00:00.123+00:00\" level=notice "
            "message=\"Ready to accept connections tcp\"");
  // verbose is "info"; quotes become ' and line breaks spaces, so the value stays one logfmt field.
  EXPECT_EQ(FormatLogLine(9, 'S', kMicros, LogLevel::kVerbose, "say \"hi\"\r\nnow", LogFormat::kLogfmt,
                          LogTimestampFormat::kMilliseconds),
            "pid=9 role=replica timestamp=\"1732269600123\" level=info message=\"say 'hi'  now\"");
  EXPECT_EQ(FormatLogLine(1, 'M', kMicros, LogLevel::kWarning, "w", LogFormat::kLegacy,
                          LogTimestampFormat::kIso8601),
            "1:M 2024-11-22T10:00:00.123+00:00 # w");
  setenv("TZ", "Asia/Kolkata", 1);  // +05:30: the offset keeps its minutes
  tzset();
  EXPECT_EQ(FormatLogLine(1, 'M', kMicros, LogLevel::kDebug, "d", LogFormat::kLogfmt,
                          LogTimestampFormat::kIso8601),
            "pid=1 role=primary timestamp=\"2024-11-22T15:30:00.123+05:30\" level=debug message=\"d\"");
  setenv("TZ", "UTC", 1);
  tzset();
}

TEST_F(LogTest, LongMessagesAreCutLikeRedis) {
  const std::string line =
      FormatLogLine(1, 'M', kMicros, LogLevel::kNotice, std::string(5000, 'a'));
  EXPECT_EQ(line.size() - line.find("* ") - 2, 1023u);
}

TEST_F(LogTest, FileOutputAppendsAndFiltersByLevel) {
  std::ofstream(file_) << "previous line\n";
  LogInit(LogLevel::kNotice, file_);
  Log(LogLevel::kNotice, "notice");
  Log(LogLevel::kDebug, "debug hidden");
  Log(LogLevel::kVerbose, "verbose hidden");
  Log(LogLevel::kWarning, std::string("warning"));
  SetLogLevel(LogLevel::kDebug);
  Log(LogLevel::kDebug, absl::Status(absl::StatusCode::kInternal, "from a status").message());
  SetLogLevel(LogLevel::kWarning);
  Log(LogLevel::kNotice, "notice hidden");
  SetLogLevel(LogLevel::kNothing);
  Log(LogLevel::kWarning, "warning hidden");
  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "previous line");
  const std::string prefix = std::to_string(getpid()) + ":M [0-9]{2} [A-Z][a-z]{2} [0-9]{4} " +
                             "[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} ";
  EXPECT_THAT(lines[1], MatchesRegex(prefix + "\\* notice"));
  EXPECT_THAT(lines[2], MatchesRegex(prefix + "# warning"));
  EXPECT_THAT(lines[3], MatchesRegex(prefix + "\\. from a status"));
}

TEST_F(LogTest, LevelQueries) {
  LogInit(LogLevel::kVerbose, "");
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  EXPECT_TRUE(LogEnabled(LogLevel::kVerbose));
  EXPECT_TRUE(LogEnabled(LogLevel::kWarning));
  SetLogLevel(LogLevel::kNothing);
  EXPECT_FALSE(LogEnabled(LogLevel::kWarning));
}

TEST_F(LogTest, RoleCharFollowsSetLogRole) {
  LogInit(LogLevel::kNotice, file_);
  SetLogRole(LogRole::kReplica);
  Log(LogLevel::kNotice, "as replica");
  SetLogRole(LogRole::kPrimary);
  Log(LogLevel::kNotice, "as primary");
  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].starts_with(std::to_string(getpid()) + ":S ")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with(std::to_string(getpid()) + ":M ")) << lines[1];
}

TEST_F(LogTest, FileMovedAwayIsRecreated) {
  LogInit(LogLevel::kNotice, file_);
  Log(LogLevel::kNotice, "before rotation");
  std::filesystem::rename(file_, file_ + ".1");
  Log(LogLevel::kNotice, "after rotation");
  EXPECT_THAT(Messages(), ElementsAre("after rotation"));
}

TEST_F(LogTest, StdoutWhenNoFile) {
  LogInit(LogLevel::kNotice, "");
  ::testing::internal::CaptureStdout();
  Log(LogLevel::kNotice, "to stdout");
  Log(LogLevel::kDebug, "hidden");
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_THAT(out, MatchesRegex("[0-9]+:M .* \\* to stdout\n"));
}

TEST_F(LogTest, ConcurrentWritersNeverInterleave) {
  LogInit(LogLevel::kNotice, file_);
  constexpr int kThreads = 4, kLines = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kLines; ++i)
        Log(LogLevel::kNotice, "thread " + std::to_string(t) + " line");
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::vector<std::string> messages = Messages();
  ASSERT_EQ(messages.size(), static_cast<size_t>(kThreads * kLines));
  for (const std::string& message : messages)
    EXPECT_THAT(message, MatchesRegex("thread [0-3] line"));
}

}  // namespace
}  // namespace sessionkv::server

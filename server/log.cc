// SPDX-License-Identifier: Apache-2.0
#include "server/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "absl/strings/str_format.h"

namespace sessionkv::server {
namespace {

// Redis's LOG_MAX_LEN: serverLog formats into a buffer of this size.
constexpr size_t kLogMaxLen = 1024;

std::atomic<int> g_level{static_cast<int>(LogLevel::kNotice)};
std::atomic<char> g_role{static_cast<char>(LogRole::kPrimary)};

std::mutex& LogMutex() {
  static std::mutex mu;
  return mu;
}

// The destination; guarded by LogMutex().
std::string& LogFile() {
  static std::string* file = new std::string();
  return *file;
}

char LevelChar(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return '.';
    case LogLevel::kVerbose:
      return '-';
    case LogLevel::kNotice:
      return '*';
    case LogLevel::kWarning:
    case LogLevel::kNothing:
      return '#';
  }
  return '#';
}

int64_t NowMicros() {
  timeval tv;
  gettimeofday(&tv, nullptr);
  return static_cast<int64_t>(tv.tv_sec) * 1000000 + tv.tv_usec;
}

}  // namespace

void LogInit(LogLevel level, const std::string& logfile) {
  SetLogLevel(level);
  std::lock_guard lock(LogMutex());
  LogFile() = logfile;
}

void SetLogLevel(LogLevel level) {
  g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

void SetLogRole(LogRole role) { g_role.store(static_cast<char>(role), std::memory_order_relaxed); }

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

// Formats like Redis's serverLogRaw: "%d %b %Y %H:%M:%S." plus milliseconds, in the C locale's
// month names.
std::string FormatLogLine(int pid, char role, int64_t unix_micros, LogLevel level,
                          std::string_view message) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const time_t secs = static_cast<time_t>(unix_micros / 1000000);
  const int millis = static_cast<int>(unix_micros % 1000000 / 1000);
  tm local;
  localtime_r(&secs, &local);
  if (message.size() > kLogMaxLen - 1) message = message.substr(0, kLogMaxLen - 1);
  return absl::StrFormat("%d:%c %02d %s %d %02d:%02d:%02d.%03d %c %s", pid, role, local.tm_mday,
                         kMonths[local.tm_mon], local.tm_year + 1900, local.tm_hour, local.tm_min,
                         local.tm_sec, millis, LevelChar(level),
                         absl::string_view(message.data(), message.size()));
}

// Writes under one mutex so lines from several threads never interleave. A log file is opened for
// each line, as Redis does: logrotate may rename it at any time and the next line creates the new
// file, with no SIGHUP handling and no descriptor to keep. A file that cannot be opened drops the
// line (Redis does the same; the file was checked when the configuration was loaded).
void Log(LogLevel level, std::string_view message) {
  if (level == LogLevel::kNothing || !LogEnabled(level)) return;
  std::string line =
      FormatLogLine(static_cast<int>(getpid()), g_role.load(std::memory_order_relaxed), NowMicros(),
                    level, message);
  line.push_back('\n');
  std::lock_guard lock(LogMutex());
  const std::string& file = LogFile();
  if (file.empty()) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    return;
  }
  std::FILE* fp = std::fopen(file.c_str(), "a");
  if (fp == nullptr) return;
  std::fwrite(line.data(), 1, line.size(), fp);
  std::fclose(fp);
}

}  // namespace sessionkv::server

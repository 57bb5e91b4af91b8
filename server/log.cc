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
std::atomic<int> g_format{static_cast<int>(LogFormat::kLegacy)};
std::atomic<int> g_timestamp_format{static_cast<int>(LogTimestampFormat::kLegacy)};

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

// Valkey's logfmt level words: verbose is "info".
const char* LevelWord(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kVerbose:
      return "info";
    case LogLevel::kNotice:
      return "notice";
    case LogLevel::kWarning:
    case LogLevel::kNothing:
      return "warning";
  }
  return "warning";
}

// "+01:00" for a local time `tm_gmtoff` seconds east of UTC (ISO 8601 wants the offset, not "CET").
std::string UtcOffset(long gmtoff) {
  const char sign = gmtoff < 0 ? '-' : '+';
  const long minutes = (gmtoff < 0 ? -gmtoff : gmtoff) / 60;
  return absl::StrFormat("%c%02d:%02d", sign, minutes / 60, minutes % 60);
}

std::string FormatTimestamp(int64_t unix_micros, LogTimestampFormat format) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (format == LogTimestampFormat::kMilliseconds) return absl::StrFormat("%d", unix_micros / 1000);
  const time_t secs = static_cast<time_t>(unix_micros / 1000000);
  const int millis = static_cast<int>(unix_micros % 1000000 / 1000);
  tm local;
  localtime_r(&secs, &local);
  if (format == LogTimestampFormat::kIso8601) {
    return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%03d%s", local.tm_year + 1900,
                           local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min,
                           local.tm_sec, millis, UtcOffset(local.tm_gmtoff));
  }
  // Redis's serverLogRaw: "%d %b %Y %H:%M:%S." plus milliseconds, in the C locale's month names.
  return absl::StrFormat("%02d %s %d %02d:%02d:%02d.%03d", local.tm_mday, kMonths[local.tm_mon],
                         local.tm_year + 1900, local.tm_hour, local.tm_min, local.tm_sec, millis);
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

void SetLogFormat(LogFormat format, LogTimestampFormat timestamp_format) {
  g_format.store(static_cast<int>(format), std::memory_order_relaxed);
  g_timestamp_format.store(static_cast<int>(timestamp_format), std::memory_order_relaxed);
}

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

std::string FormatLogLine(int pid, char role, int64_t unix_micros, LogLevel level,
                          std::string_view message, LogFormat format,
                          LogTimestampFormat timestamp_format) {
  if (message.size() > kLogMaxLen - 1) message = message.substr(0, kLogMaxLen - 1);
  const std::string timestamp = FormatTimestamp(unix_micros, timestamp_format);
  if (format == LogFormat::kLogfmt) {
    // As Valkey: the message is one quoted value, so its quotes become ' and line breaks spaces.
    std::string safe(message);
    for (char& c : safe) {
      if (c == '"') c = '\'';
      if (c == '\n' || c == '\r') c = ' ';
    }
    return absl::StrFormat("pid=%d role=%s timestamp=\"%s\" level=%s message=\"%s\"", pid,
                           role == static_cast<char>(LogRole::kReplica) ? "replica" : "primary",
                           timestamp, LevelWord(level), safe);
  }
  return absl::StrFormat("%d:%c %s %c %s", pid, role, timestamp, LevelChar(level),
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
                    level, message, static_cast<LogFormat>(g_format.load(std::memory_order_relaxed)),
                    static_cast<LogTimestampFormat>(g_timestamp_format.load(std::memory_order_relaxed)));
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

// SPDX-License-Identifier: Apache-2.0
// The server log, in Redis's line format so that operators' greps and log pipelines keep working:
//
//   <pid>:<role> <dd Mon yyyy HH:MM:SS.mmm> <level> <message>
//   1:M 22 Nov 2024 10:00:00.123 * Ready to accept connections tcp
//
// role: M primary, S replica. level: '.' debug, '-' verbose, '*' notice, '#' warning.
//
// Valkey 8.1's `log-format logfmt` and `log-timestamp-format iso8601|milliseconds` (Redis 7.2 has
// neither) give the same line as key=value pairs for log pipelines that parse logfmt:
//
//   pid=1 role=primary timestamp="2024-11-22T10:00:00.123+01:00" level=notice message="Ready ..."
// One process-wide logger usable from any layer above storage; every function is thread-safe.
// Logging is not on the request path: one mutex around the write is enough.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace sessionkv::server {

// The loglevel directive's values, in Redis's order (Redis 7.2 added "nothing", which logs
// nothing).
enum class LogLevel : int { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3, kNothing = 4 };

enum class LogRole : char { kPrimary = 'M', kReplica = 'S' };

// The log-format and log-timestamp-format directives' values, in Valkey's order.
enum class LogFormat : int { kLegacy = 0, kLogfmt = 1 };
enum class LogTimestampFormat : int { kLegacy = 0, kIso8601 = 1, kMilliseconds = 2 };

// Sets the level and the destination: "" is stdout, anything else a file opened in append mode for
// each line (as Redis does, so logrotate can move the file away without signalling us). Before
// LogInit the logger writes notice and above to stdout.
void LogInit(LogLevel level, const std::string& logfile);
void SetLogLevel(LogLevel level);
void SetLogRole(LogRole role);
void SetLogFormat(LogFormat format, LogTimestampFormat timestamp_format);
// True if a message of `level` would be written (to skip building expensive messages).
bool LogEnabled(LogLevel level);

// Writes one line if `level` is enabled. Messages longer than Redis's LOG_MAX_LEN (1024) minus one
// byte are cut, as Redis's serverLog cuts them.
void Log(LogLevel level, std::string_view message);
inline void Log(LogLevel level, const char* message) { Log(level, std::string_view(message)); }
inline void Log(LogLevel level, const std::string& message) {
  Log(level, std::string_view(message));
}
#if !defined(ABSL_USES_STD_STRING_VIEW)
// Debian's abseil has its own string_view (absl::Status::message() returns one).
inline void Log(LogLevel level, absl::string_view message) {
  Log(level, std::string_view(message.data(), message.size()));
}
#endif

// One log line without the trailing newline, for `unix_micros` in the local time zone. Exposed for
// tests. `role` is the legacy role character ('M' or 'S').
std::string FormatLogLine(int pid, char role, int64_t unix_micros, LogLevel level,
                          std::string_view message, LogFormat format = LogFormat::kLegacy,
                          LogTimestampFormat timestamp_format = LogTimestampFormat::kLegacy);

}  // namespace sessionkv::server

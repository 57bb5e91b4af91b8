// SPDX-License-Identifier: Apache-2.0
#include "base/strings.h"
#include "server/arg_cursor.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "server/errors.h"

namespace sessionkv::server {

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative) {
    if (s.size() == 1) return false;
    i = 1;
  }
  if (s[i] == '0') {
    if (s.size() == i + 1 && !negative) {
      *out = 0;
      return true;
    }
    return false;  // leading zero, or "-0"
  }
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const uint64_t digit = s[i] - '0';
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

namespace {

// strtod/strtold need a NUL-terminated string; Redis also caps the length (MAX_LONG_DOUBLE_CHARS).
template <typename T, typename Fn>
bool ParseFloating(std::string_view s, T* out, Fn&& convert) {
  if (s.empty() || s.size() > 5 * 1024 || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  std::string copy(s);
  char* end = nullptr;
  errno = 0;
  T v = convert(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || std::isnan(v)) return false;
  // Redis rejects overflow and underflow to zero (ERANGE), but accepts a literal "inf".
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return false;
  *out = v;
  return true;
}

}  // namespace

bool ParseDouble(std::string_view s, double* out) {
  return ParseFloating(s, out, [](const char* p, char** e) { return std::strtod(p, e); });
}

bool ParseLongDouble(std::string_view s, long double* out) {
  return ParseFloating(s, out, [](const char* p, char** e) { return std::strtold(p, e); });
}

bool ParseScanCursor(std::string_view s, uint64_t* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = v;
  return true;
}

absl::StatusOr<ScanOptions> ParseScanOptions(ArgCursor cur, bool allow_type) {
  ScanOptions opts;
  while (!cur.Done()) {
    if (cur.Remaining() >= 2 && cur.EatIf("COUNT")) {
      auto n = cur.NextInt();
      if (!n.ok()) return n.status();
      if (*n < 1) return absl::InvalidArgumentError(ToAbsl(kErrSyntax));
      opts.count = *n;
    } else if (cur.Remaining() >= 2 && cur.EatIf("MATCH")) {
      opts.pattern = cur.Next();
      if (opts.pattern == "*") opts.pattern = {};
    } else if (allow_type && cur.Remaining() >= 2 && cur.EatIf("TYPE")) {
      opts.type = cur.Next();
    } else {
      return absl::InvalidArgumentError(ToAbsl(kErrSyntax));
    }
  }
  return opts;
}

bool ArgCursor::EatIf(std::string_view word) {
  if (Done() || !EqualsIgnoreCase(Peek(), word)) return false;
  ++pos_;
  return true;
}

absl::StatusOr<int64_t> ArgCursor::NextInt() {
  int64_t v;
  if (Done() || !ParseInt64(Next(), &v)) return absl::InvalidArgumentError(ToAbsl(kErrNotInteger));
  return v;
}

absl::StatusOr<double> ArgCursor::NextDouble() {
  double v;
  if (Done() || !ParseDouble(Next(), &v)) return absl::InvalidArgumentError(ToAbsl(kErrNotFloat));
  return v;
}

}  // namespace sessionkv::server

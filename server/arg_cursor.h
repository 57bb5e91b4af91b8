// SPDX-License-Identifier: Apache-2.0
// Typed, in-order reading of a command's arguments with Redis's exact error texts (style.md pattern 4).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sessionkv::server {

// Redis's string2ll: an optional '-', digits, no leading zeros, no '+', no spaces, within int64.
bool ParseInt64(std::string_view s, int64_t* out);
// Redis's string2d / getDoubleFromObject: strtod over the whole string, no leading space, not NaN.
bool ParseDouble(std::string_view s, double* out);
// Redis's string2ld (INCRBYFLOAT): strtold over the whole string, no leading space, not NaN.
bool ParseLongDouble(std::string_view s, long double* out);
// A SCAN / SSCAN cursor: an unsigned 64-bit decimal number with an optional '+'. Stricter than Redis
// 7.2, whose strtoul also wraps "-1" around to 2^64-1 and reads "" as 0: Redis 7.4 rejects those too
// (shared/docs/bad-input.md, item 27).
bool ParseScanCursor(std::string_view s, uint64_t* out);

// A SCAN-family cursor: decimal digits with an optional '+', within uint64 (keys.cc's SCAN, SSCAN,
// ZSCAN). Redis 7.0/7.2's strtoul also wrapped "-1" around, which we do not follow.
bool ParseScanCursor(std::string_view s, uint64_t* out);

class ArgCursor;
// The options of SCAN ([MATCH pattern] [COUNT count] [TYPE type]) and of SSCAN/ZSCAN (no TYPE: a
// syntax error there), in any order, as Redis's scanGenericCommand reads them. MATCH * is no
// pattern (empty); COUNT below 1 is a syntax error.
struct ScanOptions {
  int64_t count = 10;
  std::string_view pattern;  // empty = every element
  std::string_view type;     // empty = every type
};
absl::StatusOr<ScanOptions> ParseScanOptions(ArgCursor cur, bool allow_type);

class ArgCursor {
 public:
  ArgCursor(const std::vector<std::string_view>& args, size_t pos) : args_(&args), pos_(pos) {}

  bool Done() const { return pos_ >= args_->size(); }
  size_t Remaining() const { return Done() ? 0 : args_->size() - pos_; }
  size_t pos() const { return pos_; }
  // The next argument; the caller checked !Done().
  std::string_view Peek() const { return (*args_)[pos_]; }
  std::string_view Next() { return (*args_)[pos_++]; }
  // Consumes the next argument if it equals `word` ignoring case.
  bool EatIf(std::string_view word);
  // The next argument as an int64; "ERR value is not an integer or out of range" otherwise (also when
  // there is no next argument).
  absl::StatusOr<int64_t> NextInt();
  // The next argument as a double; "ERR value is not a valid float" otherwise.
  absl::StatusOr<double> NextDouble();

 private:
  const std::vector<std::string_view>* args_;
  size_t pos_;
};

}  // namespace sessionkv::server

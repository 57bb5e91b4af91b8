// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>

namespace sessionkv::protocol {

// Request limits, checked while parsing, with Redis's defaults.
struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  int64_t max_multibulk_len = 1024 * 1024;     // arguments per request
  size_t max_inline_len = 64 * 1024;           // PROTO_INLINE_MAX_SIZE: inline lines and count lines
  // A client that has not authenticated (requirepass) may send at most 10 arguments of at most 16 KiB each,
  // so it cannot make the server buffer much before AUTH (CVE-2021-32675).
  bool authenticated = true;
};
inline constexpr int64_t kUnauthenticatedMaxMultibulk = 10;
inline constexpr int64_t kUnauthenticatedMaxBulk = 16384;

}  // namespace sessionkv::protocol

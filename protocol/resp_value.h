// SPDX-License-Identifier: Apache-2.0
// Client-side decoding of whole replies (RESP2 and RESP3), for tests, the C++ client and tools.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sessionkv::protocol {

struct RespValue {
  enum class Type {
    kSimpleString, kError, kInteger, kBulk, kNull, kArray, kMap, kSet, kPush, kDouble, kBool, kVerbatim,
    kBigNumber
  };
  Type type = Type::kNull;
  std::string str;                  // simple strings, errors, bulks, verbatim text (without "txt:"), big numbers
  int64_t integer = 0;
  double dbl = 0;
  bool boolean = false;
  std::vector<RespValue> elements;  // arrays, sets, pushes; maps as k1, v1, k2, v2, ...

  // A readable one-line form for test failure messages.
  std::string ToString() const;
};

// Decodes one whole reply at the front of `input`: std::nullopt if more bytes are needed; *consumed is set on
// success. Malformed input is an InvalidArgument error. RESP3 attributes ("|") are skipped.
absl::StatusOr<std::optional<RespValue>> DecodeReply(std::string_view input, size_t* consumed);

// The multibulk request bytes for a command.
std::string EncodeCommand(const std::vector<std::string_view>& args);

}  // namespace sessionkv::protocol

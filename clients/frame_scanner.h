// SPDX-License-Identifier: Apache-2.0
// Finds where the RESP2/RESP3 reply at the front of a buffer ends, without decoding it, so a connection
// decodes each reply once, when it is whole. Resumable: each call passes the same front with possibly
// more bytes appended, and the scan continues where it stopped, so a large reply arriving in many reads is
// not rescanned from its start (protocol::DecodeReply would be).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace sessionkv::client {

class FrameScanner {
 public:
  // The length of the whole reply at the front of `input`, or 0 if more bytes are needed. Malformed
  // headers (an unknown type byte, a bad length) are a DataLoss error.
  absl::StatusOr<size_t> Scan(std::string_view input);
  // Starts over for the next reply (after the caller consumed the one found).
  void Reset() {
    pos_ = 0;
    pending_ = 1;
  }

 private:
  size_t pos_ = 0;       // bytes of the reply scanned so far: always at the start of an element
  int64_t pending_ = 1;  // elements still to scan before the reply is whole
};

}  // namespace sessionkv::client

// SPDX-License-Identifier: Apache-2.0
#include "clients/frame_scanner.h"

#include <charconv>
#include <string>

#include "absl/status/status.h"

namespace sessionkv::client {

namespace {

absl::Status Malformed(std::string_view what) {
  return absl::DataLossError(std::string("protocol error: ") + std::string(what));
}

}  // namespace

absl::StatusOr<size_t> FrameScanner::Scan(std::string_view input) {
  while (pending_ > 0) {
    const size_t eol = input.find("\r\n", pos_);
    if (eol == std::string_view::npos) return 0;
    if (eol == pos_) return Malformed("empty header line");
    const char type = input[pos_];
    const std::string_view body = input.substr(pos_ + 1, eol - pos_ - 1);
    size_t next = eol + 2;
    int64_t n = 0;
    switch (type) {
      case '+': case '-': case ':': case '_': case '#': case ',': case '(':
        break;
      case '$': case '=': case '!':
      case '*': case '~': case '>': case '%': case '|': {
        auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), n);
        if (ec != std::errc() || p != body.data() + body.size() || n < -1) return Malformed("bad length");
        break;
      }
      default:
        return Malformed(std::string("unknown reply type byte '") + type + "'");
    }
    switch (type) {
      case '$': case '=': case '!':
        if (n >= 0) {  // -1 is a null with no body
          if (input.size() - next < static_cast<size_t>(n) + 2) return 0;  // the body is not all here
          next += static_cast<size_t>(n) + 2;
        }
        --pending_;
        break;
      case '*': case '~': case '>':
        pending_ += (n > 0 ? n : 0) - 1;
        break;
      case '%':
        pending_ += (n > 0 ? 2 * n : 0) - 1;
        break;
      case '|':  // an attribute map precedes the element it describes, which is still pending
        pending_ += n > 0 ? 2 * n : 0;
        break;
      default:
        --pending_;
    }
    pos_ = next;
  }
  return pos_;
}

}  // namespace sessionkv::client

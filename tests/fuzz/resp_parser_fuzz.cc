// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the request parser: any byte stream, fed whole and in pieces, must parse to the same
// requests or the same error, never crash, never read out of bounds, and never use unbounded memory.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "protocol/resp_parser.h"
#include "protocol/resp_value.h"

namespace {

using sessionkv::protocol::ParseResult;
using sessionkv::protocol::ParserLimits;
using sessionkv::protocol::RequestParser;

// Parses `stream` delivered `piece` bytes at a time; returns a flat transcript of requests and the error.
std::string Transcript(const std::string& stream, size_t piece) {
  ParserLimits limits;
  limits.max_bulk_len = 1 << 20;  // keep the fuzzer's memory bounded
  RequestParser parser(limits);
  std::string buffer, out;
  size_t fed = 0;
  while (true) {
    const ParseResult r = parser.Parse(buffer);
    if (r == ParseResult::kRequest) {
      out += "[";
      for (auto a : parser.args()) out += std::to_string(a.size()) + ":" + std::string(a) + ",";
      out += "]";
      if (parser.consumed() == 0 || parser.consumed() > buffer.size()) std::abort();
      buffer.erase(0, parser.consumed());
      continue;
    }
    if (r == ParseResult::kError) return out + "!" + std::string(parser.error());
    if (fed == stream.size()) return out;
    const size_t n = std::min(piece, stream.size() - fed);
    buffer.append(stream, fed, n);
    fed += n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 17;
  const std::string stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (Transcript(stream, stream.size() + 1) != Transcript(stream, piece)) std::abort();
  // The reply decoder must also survive arbitrary input.
  size_t consumed = 0;
  (void)sessionkv::protocol::DecodeReply(stream, &consumed);
  return 0;
}

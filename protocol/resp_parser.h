// SPDX-License-Identifier: Apache-2.0
// Incremental parser for client requests: RESP multibulk ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and inline
// commands ("GET k\n", with redis-cli's quoting). No sockets, no keyspace: fuzzable alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/limits.h"

namespace sessionkv::protocol {

enum class ParseResult { kRequest, kNeedMore, kError };

class RequestParser {
 public:
  explicit RequestParser(const ParserLimits& limits = {}) : limits_(limits) {}
  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }

  // Parses at most one request from the front of `input`, which holds every byte received and not yet
  // consumed: each call passes the same unconsumed prefix as before, possibly with more bytes appended (the
  // buffer may have moved, so the parser keeps offsets, never pointers, across calls).
  // kRequest: args() holds the arguments as views into `input` (or into the parser's own storage for inline
  //   requests); consumed() is the request's length. An empty request (a blank inline line, "*0\r\n",
  //   "*-1\r\n") is kRequest with empty args(): the caller skips it.
  // kNeedMore: call again with more bytes. Progress is kept, so each byte is scanned once overall.
  // kError: error() is Redis's text without "ERR ", e.g. "Protocol error: invalid bulk length"; the server
  //   replies and closes the connection.
  ParseResult Parse(std::string_view input);

  const std::vector<std::string_view>& args() const { return args_; }
  size_t consumed() const { return consumed_; }
  std::string_view error() const { return error_; }
  // Total bytes of input the current request needs at least (known once a bulk header has been read), so a
  // connection can size its buffer once; 0 if unknown.
  size_t bytes_hint() const { return bytes_hint_; }
  void Reset();

 private:
  enum class Kind { kUnknown, kMultibulk, kInline };

  ParseResult ParseInline(std::string_view input);
  ParseResult ParseMultibulk(std::string_view input);
  // Finds the '\r' ending the count line that starts at pos_; false if more bytes are needed (or sets an
  // error when the line is too long).
  bool FindCountLine(std::string_view input, std::string_view too_big_error, size_t* cr, ParseResult* result);
  ParseResult Fail(std::string_view text);
  ParseResult Complete(size_t consumed);

  ParserLimits limits_;
  Kind kind_ = Kind::kUnknown;
  size_t pos_ = 0;                 // bytes of the current request already parsed
  size_t scanned_ = 0;             // bytes already searched for a line end (no rescans)
  int64_t multibulk_left_ = -1;    // arguments still expected; -1 before the count line
  int64_t bulk_len_ = -1;          // length of the argument being read; -1 before its header
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) of each argument read so far
  std::vector<std::string_view> args_;
  std::string inline_storage_;
  size_t consumed_ = 0;
  size_t bytes_hint_ = 0;
  std::string error_;
};

// Splits a line the way redis-cli and Redis's inline parser do (sdssplitargs): spaces separate arguments;
// "double quotes" take \n \r \t \b \a \\ \" \xHH escapes; 'single quotes' take \' only; a closing quote must
// be followed by a space or the end. Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace sessionkv::protocol

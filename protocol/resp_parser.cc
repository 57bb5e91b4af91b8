// SPDX-License-Identifier: Apache-2.0
#include "protocol/resp_parser.h"

#include <cstring>

namespace sessionkv::protocol {

namespace {

// Redis's string2ll: optional '-', digits without leading zeros, no '+' or spaces, within int64.
bool ParseCount(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative && s.size() == 1) return false;
  if (negative) i = 1;
  if (s[i] == '0') {
    if (s.size() != i + 1 || negative) return false;
    *out = 0;
    return true;
  }
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const uint64_t d = s[i] - '0';
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (negative ? v > static_cast<uint64_t>(INT64_MAX) + 1 : v > static_cast<uint64_t>(INT64_MAX)) return false;
  *out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'; }

}  // namespace

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  size_t i = 0;
  while (true) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i == line.size()) return true;
    std::string arg;
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      if (in_double) {
        if (i == line.size()) return false;  // unterminated quotes
        const char c = line[i];
        if (c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && HexValue(line[i + 2]) >= 0 &&
            HexValue(line[i + 3]) >= 0) {
          arg.push_back(static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 3;
        } else if (c == '\\' && i + 1 < line.size()) {
          ++i;
          switch (line[i]) {
            case 'n': arg.push_back('\n'); break;
            case 'r': arg.push_back('\r'); break;
            case 't': arg.push_back('\t'); break;
            case 'b': arg.push_back('\b'); break;
            case 'a': arg.push_back('\a'); break;
            default: arg.push_back(line[i]); break;
          }
        } else if (c == '"') {
          // The closing quote must be followed by a space or the end.
          if (i + 1 < line.size() && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          arg.push_back(c);
        }
      } else if (in_single) {
        if (i == line.size()) return false;
        const char c = line[i];
        if (c == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
          ++i;
          arg.push_back('\'');
        } else if (c == '\'') {
          if (i + 1 < line.size() && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          arg.push_back(c);
        }
      } else {
        if (i == line.size()) break;
        const char c = line[i];
        if (IsSpace(c)) {
          done = true;
        } else if (c == '"') {
          in_double = true;
        } else if (c == '\'') {
          in_single = true;
        } else {
          arg.push_back(c);
        }
      }
      if (i < line.size()) ++i;
    }
    out->push_back(std::move(arg));
  }
}

void RequestParser::Reset() {
  kind_ = Kind::kUnknown;
  pos_ = scanned_ = 0;
  multibulk_left_ = bulk_len_ = -1;
  spans_.clear();
  bytes_hint_ = 0;
}

ParseResult RequestParser::Fail(std::string_view text) {
  error_.assign(text);
  Reset();
  return ParseResult::kError;
}

ParseResult RequestParser::Complete(size_t consumed) {
  consumed_ = consumed;
  Reset();
  return ParseResult::kRequest;
}

ParseResult RequestParser::Parse(std::string_view input) {
  args_.clear();
  if (kind_ == Kind::kUnknown) {
    if (input.empty()) return ParseResult::kNeedMore;
    kind_ = input[0] == '*' ? Kind::kMultibulk : Kind::kInline;
  }
  return kind_ == Kind::kMultibulk ? ParseMultibulk(input) : ParseInline(input);
}

ParseResult RequestParser::ParseInline(std::string_view input) {
  const void* nl = std::memchr(input.data() + scanned_, '\n', input.size() - scanned_);
  if (nl == nullptr) {
    scanned_ = input.size();
    if (input.size() > limits_.max_inline_len) return Fail("Protocol error: too big inline request");
    return ParseResult::kNeedMore;
  }
  const size_t end = static_cast<const char*>(nl) - input.data();
  std::string_view line = input.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string> parts;
  if (!SplitInlineArgs(line, &parts)) return Fail("Protocol error: unbalanced quotes in request");
  inline_storage_.clear();
  for (const std::string& p : parts) inline_storage_ += p;
  const ParseResult result = Complete(end + 1);
  size_t offset = 0;
  for (const std::string& p : parts) {
    args_.emplace_back(inline_storage_.data() + offset, p.size());
    offset += p.size();
  }
  return result;
}

bool RequestParser::FindCountLine(std::string_view input, std::string_view too_big_error, size_t* cr,
                                  ParseResult* result) {
  // Redis looks for '\r' and then needs one more byte (the '\n', which it does not check).
  const size_t from = std::max(pos_, scanned_);
  const void* found = std::memchr(input.data() + from, '\r', input.size() - from);
  if (found == nullptr) {
    scanned_ = input.size();
    *result = input.size() - pos_ > limits_.max_inline_len ? Fail(too_big_error) : ParseResult::kNeedMore;
    return false;
  }
  *cr = static_cast<const char*>(found) - input.data();
  scanned_ = *cr;
  if (*cr + 1 >= input.size()) {
    *result = ParseResult::kNeedMore;
    return false;
  }
  return true;
}

ParseResult RequestParser::ParseMultibulk(std::string_view input) {
  ParseResult result;
  if (multibulk_left_ < 0) {
    size_t cr;
    if (!FindCountLine(input, "Protocol error: too big mbulk count string", &cr, &result)) return result;
    int64_t count;
    if (!ParseCount(input.substr(1, cr - 1), &count) || count > limits_.max_multibulk_len) {
      return Fail("Protocol error: invalid multibulk length");
    }
    if (!limits_.authenticated && count > kUnauthenticatedMaxMultibulk) {
      return Fail("Protocol error: unauthenticated multibulk length");
    }
    pos_ = scanned_ = cr + 2;
    if (count <= 0) return Complete(pos_);
    multibulk_left_ = count;
    // Never trust the claimed count for allocation (CVE-2021-32675): grow as arguments arrive.
    spans_.reserve(std::min<int64_t>(count, 1024));
  }
  while (multibulk_left_ > 0) {
    if (bulk_len_ < 0) {
      size_t cr;
      if (!FindCountLine(input, "Protocol error: too big bulk count string", &cr, &result)) return result;
      if (input[pos_] != '$') {
        return Fail(std::string("Protocol error: expected '$', got '") + input[pos_] + "'");
      }
      int64_t len;
      if (!ParseCount(input.substr(pos_ + 1, cr - pos_ - 1), &len) || len < 0 ||
          len > limits_.max_bulk_len) {
        return Fail("Protocol error: invalid bulk length");
      }
      if (!limits_.authenticated && len > kUnauthenticatedMaxBulk) {
        return Fail("Protocol error: unauthenticated bulk length");
      }
      pos_ = scanned_ = cr + 2;
      bulk_len_ = len;
    }
    const size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
    if (input.size() < need) {
      bytes_hint_ = need;
      return ParseResult::kNeedMore;
    }
    // Like Redis, the two bytes after the bulk are skipped without being checked.
    spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ = scanned_ = need;
    bulk_len_ = -1;
    bytes_hint_ = 0;
    --multibulk_left_;
  }
  std::vector<std::pair<size_t, size_t>> spans;
  spans.swap(spans_);
  const ParseResult done = Complete(pos_);
  args_.reserve(spans.size());
  for (const auto& [offset, len] : spans) args_.push_back(input.substr(offset, len));
  spans.clear();
  spans_.swap(spans);  // keep the capacity for the next request
  return done;
}

}  // namespace sessionkv::protocol

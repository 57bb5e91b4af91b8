// SPDX-License-Identifier: Apache-2.0
#include "protocol/resp_value.h"

#include <charconv>
#include <cstdlib>

#include "absl/status/status.h"

namespace sessionkv::protocol {

namespace {

using Type = RespValue::Type;

// Recursive-descent decoder over a position in the input; returns false when more input is needed.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  size_t pos() const { return pos_; }
  const std::string& error() const { return error_; }

  bool Decode(RespValue* v, int depth = 0) {
    if (depth > 64) return Fail("nesting too deep");
    std::string_view line;
    if (!Line(&line)) return false;
    if (line.empty()) return Fail("empty line");
    const char type = line[0];
    const std::string_view body = line.substr(1);
    switch (type) {
      case '+': v->type = Type::kSimpleString; v->str.assign(body); return true;
      case '-': v->type = Type::kError; v->str.assign(body); return true;
      case ':': v->type = Type::kInteger; return Int(body, &v->integer);
      case '(': v->type = Type::kBigNumber; v->str.assign(body); return true;
      case '_': v->type = Type::kNull; return true;
      case '#':
        v->type = Type::kBool;
        if (body != "t" && body != "f") return Fail("bad boolean");
        v->boolean = body == "t";
        return true;
      case ',': {
        v->type = Type::kDouble;
        v->str.assign(body);
        if (body == "inf") v->dbl = HUGE_VAL;
        else if (body == "-inf") v->dbl = -HUGE_VAL;
        else v->dbl = std::strtod(v->str.c_str(), nullptr);
        return true;
      }
      case '$': case '=': case '!': {
        int64_t n;
        if (!Int(body, &n)) return false;
        if (n < 0) {
          v->type = Type::kNull;
          return true;
        }
        if (in_.size() - pos_ < static_cast<size_t>(n) + 2) return false;
        v->str.assign(in_.substr(pos_, n));
        pos_ += n + 2;
        v->type = type == '$' ? Type::kBulk : type == '!' ? Type::kError : Type::kVerbatim;
        if (type == '=') {
          if (v->str.size() < 4) return Fail("short verbatim string");
          v->str.erase(0, 4);
        }
        return true;
      }
      case '*': case '~': case '>': case '%': case '|': {
        int64_t n;
        if (!Int(body, &n)) return false;
        if (n < 0) {
          v->type = Type::kNull;
          return true;
        }
        const bool pairs = type == '%' || type == '|';
        v->type = type == '*' ? Type::kArray : type == '~' ? Type::kSet : type == '>' ? Type::kPush : Type::kMap;
        const int64_t count = pairs ? 2 * n : n;
        v->elements.clear();
        for (int64_t i = 0; i < count; ++i) {
          RespValue child;
          if (!Decode(&child, depth + 1)) return false;
          v->elements.push_back(std::move(child));
        }
        if (type == '|') {  // an attribute precedes the real reply: drop it
          *v = RespValue();
          return Decode(v, depth + 1);
        }
        return true;
      }
      default:
        return Fail(std::string("unknown type byte '") + type + "'");
    }
  }

 private:
  bool Line(std::string_view* line) {
    const size_t end = in_.find("\r\n", pos_);
    if (end == std::string_view::npos) return false;
    *line = in_.substr(pos_, end - pos_);
    pos_ = end + 2;
    return true;
  }
  bool Int(std::string_view s, int64_t* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    if (ec != std::errc() || p != s.data() + s.size()) return Fail("bad integer");
    return true;
  }
  bool Fail(std::string msg) {
    error_ = std::move(msg);
    return false;
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

absl::StatusOr<std::optional<RespValue>> DecodeReply(std::string_view input, size_t* consumed) {
  Decoder decoder(input);
  RespValue value;
  if (!decoder.Decode(&value)) {
    if (!decoder.error().empty()) return absl::InvalidArgumentError(decoder.error());
    return std::optional<RespValue>();
  }
  *consumed = decoder.pos();
  return std::optional<RespValue>(std::move(value));
}

std::string EncodeCommand(const std::vector<std::string_view>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out.append(a);
    out += "\r\n";
  }
  return out;
}

std::string RespValue::ToString() const {
  switch (type) {
    case Type::kSimpleString: return "+" + str;
    case Type::kError: return "-" + str;
    case Type::kInteger: return ":" + std::to_string(integer);
    case Type::kBigNumber: return "(" + str;
    case Type::kNull: return "(nil)";
    case Type::kBool: return boolean ? "#t" : "#f";
    case Type::kDouble: return "," + str;
    case Type::kBulk: return "\"" + str + "\"";
    case Type::kVerbatim: return "=\"" + str + "\"";
    default: break;
  }
  std::string out = type == Type::kMap ? "%{" : type == Type::kSet ? "~{" : type == Type::kPush ? ">[" : "[";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out += ", ";
    out += elements[i].ToString();
  }
  return out + (type == Type::kMap || type == Type::kSet ? "}" : "]");
}

}  // namespace sessionkv::protocol

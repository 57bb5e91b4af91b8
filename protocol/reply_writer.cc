// SPDX-License-Identifier: Apache-2.0
#include "protocol/reply_writer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace sessionkv::protocol {

namespace {
void AppendUnsigned(std::string* out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end - buf);
}
}  // namespace

void ReplyWriter::Header(char type, uint64_t n) {
  out_->push_back(type);
  AppendUnsigned(out_, n);
  out_->append("\r\n");
}

void ReplyWriter::SimpleString(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n");
}

void ReplyWriter::Error(std::string_view msg) {
  const size_t start = out_->size() + 1;
  out_->push_back('-');
  out_->append(msg);
  for (size_t i = start; i < out_->size(); ++i) {
    if ((*out_)[i] == '\r' || (*out_)[i] == '\n') (*out_)[i] = ' ';
  }
  out_->append("\r\n");
}

void ReplyWriter::Integer(int64_t v) {
  char buf[24];
  buf[0] = ':';
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf), v);
  out_->append(buf, end - buf);
  out_->append("\r\n");
}

void ReplyWriter::Bulk(std::string_view s) {
  out_->reserve(out_->size() + s.size() + 16);
  Header('$', s.size());
  out_->append(s);
  out_->append("\r\n");
}

void ReplyWriter::Null() { out_->append(resp3() ? "_\r\n" : "$-1\r\n"); }

void ReplyWriter::NullArray() { out_->append(resp3() ? "_\r\n" : "*-1\r\n"); }

void ReplyWriter::MapHeader(size_t n) {
  if (resp3()) {
    Header('%', n);
  } else {
    Header('*', 2 * n);
  }
}

void ReplyWriter::Double(double d) {
  const std::string text = FormatDouble(d);
  if (resp3()) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n");
  } else {
    Bulk(text);
  }
}

void ReplyWriter::Bool(bool b) {
  if (resp3()) {
    out_->append(b ? "#t\r\n" : "#f\r\n");
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyWriter::Verbatim(std::string_view format3, std::string_view text) {
  if (!resp3()) return Bulk(text);
  Header('=', text.size() + format3.size() + 1);
  out_->append(format3);
  out_->push_back(':');
  out_->append(text);
  out_->append("\r\n");
}

void ReplyWriter::BulkArray(const std::vector<std::string_view>& items) {
  ArrayHeader(items.size());
  for (std::string_view item : items) Bulk(item);
}

namespace {

// fpconv's emit_digits: `digits` (no leading or trailing zeros) times 10^k, for a positive value.
std::string EmitDigits(std::string_view digits, int k) {
  const int n = static_cast<int>(digits.size());
  const int exp = std::abs(k + n - 1);
  std::string out;
  if (k >= 0 && exp < n + 7) {
    out.append(digits);
    out.append(static_cast<size_t>(k), '0');
    return out;
  }
  if (k < 0 && (k > -7 || exp < 4)) {
    const int offset = n + k;  // digits before the point
    if (offset <= 0) {
      out.append("0.");
      out.append(static_cast<size_t>(-offset), '0');
      out.append(digits);
    } else {
      out.append(digits.substr(0, offset));
      out.push_back('.');
      out.append(digits.substr(offset));
    }
    return out;
  }
  out.push_back(digits[0]);
  if (n > 1) {
    out.push_back('.');
    out.append(digits.substr(1));
  }
  out.push_back('e');
  out.push_back(k + n - 1 < 0 ? '-' : '+');
  out.append(std::to_string(exp));
  return out;
}

}  // namespace

std::string FormatDouble(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  // Redis's double2ll: within +-(LLONG_MAX / 2) an integral value prints as an integer.
  constexpr double kIntegerLimit = static_cast<double>(INT64_MAX / 2);
  if (d >= -kIntegerLimit && d <= kIntegerLimit) {
    const auto ll = static_cast<int64_t>(d);
    if (static_cast<double>(ll) == d) return std::to_string(ll);
  }
  // The shortest round-trip digits, from to_chars' scientific form "d.ddde[+-]xx".
  char buf[64];
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof(buf), std::fabs(d), std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(end - buf));
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  const int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  const int k = exponent - static_cast<int>(digits.size()) + 1;
  return (d < 0 ? "-" : "") + EmitDigits(digits, k);
}

std::string FormatLongDouble(long double d) {
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (std::isnan(d)) return "nan";
  // Redis formats into a MAX_LONG_DOUBLE_CHARS (5 KiB) buffer; %.17Lf of the largest long double fits.
  std::string buf(5 * 1024, '\0');
  int len = std::snprintf(buf.data(), buf.size(), "%.17Lf", d);
  if (len < 0 || static_cast<size_t>(len) >= buf.size()) return "";
  buf.resize(len);
  if (buf.find('.') != std::string::npos) {
    while (buf.back() == '0') buf.pop_back();
    if (buf.back() == '.') buf.pop_back();
  }
  if (buf == "-0") buf = "0";
  return buf;
}

}  // namespace sessionkv::protocol

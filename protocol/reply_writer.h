// SPDX-License-Identifier: Apache-2.0
// Encodes replies straight into a connection's output buffer. Handlers call semantic operations (Null, Map,
// Double, ...) and the writer lowers RESP3 types to RESP2 as Redis does, per connection (HELLO).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sessionkv::protocol {

enum class RespVersion : uint8_t { kResp2 = 2, kResp3 = 3 };

class ReplyWriter {
 public:
  ReplyWriter(std::string* out, RespVersion version) : out_(out), version_(version) {}

  RespVersion version() const { return version_; }
  void set_version(RespVersion v) { version_ = v; }
  bool resp3() const { return version_ == RespVersion::kResp3; }
  std::string* buffer() { return out_; }

  void SimpleString(std::string_view s);   // +s
  void Ok() { out_->append("+OK\r\n"); }
  void Error(std::string_view msg);        // -msg; msg carries its code; \r and \n become spaces
  void Integer(int64_t v);                 // :v
  void Bulk(std::string_view s);           // $len s
  void Null();                             // RESP2 $-1, RESP3 _
  void NullArray();                        // RESP2 *-1, RESP3 _
  void ArrayHeader(size_t n) { Header('*', n); }
  void MapHeader(size_t n);                // RESP3 %n; RESP2 *2n (n pairs)
  void SetHeader(size_t n) { Header(resp3() ? '~' : '*', n); }
  void PushHeader(size_t n) { Header(resp3() ? '>' : '*', n); }
  void Double(double d);                   // RESP3 ,d; RESP2 a bulk string
  void Bool(bool b);                       // RESP3 #t/#f; RESP2 :1/:0
  void Verbatim(std::string_view format3, std::string_view text);  // RESP3 =len fmt:text; RESP2 bulk
  void BulkArray(const std::vector<std::string_view>& items);

 private:
  void Header(char type, uint64_t n);

  std::string* out_;
  RespVersion version_;
};

// Redis 7.2's double formatting (d2string): "inf", "-inf", "nan", "-0", integral values within
// +-2^62 as integers (double2ll), otherwise the shortest digits that read back as the same double,
// laid out as fpconv_dtoa does: plain up to 7 trailing zeros ("1234567890000000"), a decimal point
// down to 6 leading zeros ("0.0001"), else scientific with an unpadded exponent ("1e+300",
// "1.5e-7"). (Redis 7.0 printed %.17g: 0.1 was "0.10000000000000001".)
std::string FormatDouble(double d);
// Redis's ld2string(LD_STR_HUMAN) for INCRBYFLOAT: %.17Lf with trailing zeros (and a bare '.') removed.
std::string FormatLongDouble(long double d);

}  // namespace sessionkv::protocol

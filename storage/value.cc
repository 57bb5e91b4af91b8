// SPDX-License-Identifier: Apache-2.0
#include "storage/value.h"

#include <charconv>

namespace sessionkv::storage {

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
    case ValueType::kHash: return "hash";
  }
  return "none";
}

namespace {

// Redis stores a string as an integer when it is the canonical form of a long (string2l): no leading zeros,
// no '+', no spaces, at most 20 characters.
bool IsCanonicalInteger(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  int64_t v;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  if (s[0] == '+' || s[0] == ' ') return false;
  if (s[0] == '0' && s.size() > 1) return false;
  if (s[0] == '-' && (s.size() == 1 || s[1] == '0')) return false;
  return true;
}

// OBJ_ENCODING_EMBSTR_SIZE_LIMIT in Redis.
constexpr size_t kEmbstrLimit = 44;

}  // namespace

std::string_view StringValue::EncodingName() const {
  if (form == StringForm::kRaw) return "raw";
  if (form == StringForm::kEncoded && IsCanonicalInteger(bytes)) return "int";
  return bytes.size() <= kEmbstrLimit ? "embstr" : "raw";
}

}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
// A stored value and the entry that holds it in the keyspace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace sessionkv::storage {

// Redis's type names, in the order of Redis's OBJ_* constants (persisted and replicated later: append only).
enum class ValueType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

std::string_view TypeName(ValueType type);

// How Redis would have built a string object, which decides what OBJECT ENCODING reports.
enum class StringForm : uint8_t {
  kEncoded,  // SET and friends try the integer encoding: "int", else "embstr" up to 44 bytes, else "raw"
  kCreated,  // created without the integer attempt (INCRBYFLOAT): "embstr" or "raw" by length
  kRaw,      // modified in place (APPEND, SETRANGE): always "raw"
};

// A string value. The bytes alone do not decide Redis's encoding name, so the value keeps its form.
struct StringValue {
  std::string bytes;
  StringForm form = StringForm::kEncoded;
};

// Redis's OBJECT ENCODING name for a string value.
std::string_view StringEncodingName(const StringValue& value);

class Value {
 public:
  Value() = default;
  explicit Value(StringValue s) : data_(std::move(s)) {}
  static Value String(std::string_view bytes) { return Value(StringValue{std::string(bytes)}); }

  ValueType type() const { return static_cast<ValueType>(data_.index()); }
  bool is_string() const { return std::holds_alternative<StringValue>(data_); }
  StringValue& string() { return std::get<StringValue>(data_); }
  const StringValue& string() const { return std::get<StringValue>(data_); }

  // Redis's OBJECT ENCODING name.
  std::string_view EncodingName() const;
  // Approximate bytes this value uses on the heap (MEMORY USAGE, used_memory).
  size_t HeapBytes() const;

 private:
  // Alternatives are in ValueType order; later issues add list, set, zset and hash.
  std::variant<StringValue> data_;
};

// One key in one database. Entries live on the heap and never move, so the expiry index can point at them.
struct Entry {
  Entry(std::string_view k, uint64_t h, Value v) : hash(h), key(k), value(std::move(v)) {}

  Entry* next = nullptr;      // chain in the dict bucket
  uint64_t hash;              // cached hash of key
  int64_t deadline_ms = 0;    // absolute Unix ms; 0 = no expiry
  uint32_t access_time = 0;   // LRU clock in seconds (OBJECT IDLETIME)
  std::string key;
  Value value;

  bool has_deadline() const { return deadline_ms != 0; }
};

}  // namespace sessionkv::storage

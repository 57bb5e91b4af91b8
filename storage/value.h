// SPDX-License-Identifier: Apache-2.0
// A stored value and the entry that holds it in the keyspace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "storage/hash_value.h"
#include "storage/list_value.h"
#include "storage/set_value.h"
#include "storage/zset_value.h"
#include "storage/value_type.h"

namespace sessionkv::storage {

// How Redis would have built a string object, which decides what OBJECT ENCODING reports.
enum class StringForm : uint8_t {
  kEncoded,  // SET and friends try the integer encoding: "int", else "embstr" up to 44 bytes, else "raw"
  kCreated,  // created without the integer attempt (INCRBYFLOAT): "embstr" or "raw" by length
  kRaw,      // modified in place (APPEND, SETRANGE): always "raw"
};

// A string value. The bytes alone do not decide Redis's encoding name, so the value keeps its form.
struct StringValue {
  static constexpr ValueType kType = ValueType::kString;
  std::string bytes;
  StringForm form = StringForm::kEncoded;

  // Redis's OBJECT ENCODING name: "int", "embstr" or "raw".
  std::string_view EncodingName() const;
  size_t HeapBytes() const { return bytes.capacity() > 15 ? bytes.capacity() + 1 : 0; }
};

// Every value type has kType, EncodingName() (Redis's OBJECT ENCODING word) and HeapBytes(), and is
// copyable (COPY duplicates a value).
class Value {
 public:
  Value() = default;
  explicit Value(StringValue s) : data_(std::move(s)) {}
  explicit Value(HashValue h) : data_(std::move(h)) {}
  explicit Value(SetValue s) : data_(std::move(s)) {}
  explicit Value(ListValue l) : data_(std::move(l)) {}
  explicit Value(ZSetValue z) : data_(std::move(z)) {}
  static Value String(std::string_view bytes) { return Value(StringValue{std::string(bytes)}); }

  ValueType type() const {
    return std::visit([](const auto& v) { return std::decay_t<decltype(v)>::kType; }, data_);
  }
  bool is_string() const { return std::holds_alternative<StringValue>(data_); }
  bool is_hash() const { return std::holds_alternative<HashValue>(data_); }
  bool is_set() const { return std::holds_alternative<SetValue>(data_); }
  bool is_list() const { return std::holds_alternative<ListValue>(data_); }
  bool is_zset() const { return std::holds_alternative<ZSetValue>(data_); }
  StringValue& string() { return std::get<StringValue>(data_); }
  const StringValue& string() const { return std::get<StringValue>(data_); }
  HashValue& hash() { return std::get<HashValue>(data_); }
  const HashValue& hash() const { return std::get<HashValue>(data_); }
  SetValue& set() { return std::get<SetValue>(data_); }
  const SetValue& set() const { return std::get<SetValue>(data_); }
  ListValue& list() { return std::get<ListValue>(data_); }
  const ListValue& list() const { return std::get<ListValue>(data_); }
  ZSetValue& zset() { return std::get<ZSetValue>(data_); }
  const ZSetValue& zset() const { return std::get<ZSetValue>(data_); }

  // Redis's OBJECT ENCODING name.
  std::string_view EncodingName() const {
    return std::visit([](const auto& v) { return v.EncodingName(); }, data_);
  }
  // Approximate bytes this value uses on the heap (MEMORY USAGE, used_memory).
  size_t HeapBytes() const {
    return std::visit([](const auto& v) { return v.HeapBytes(); }, data_);
  }

 private:
  std::variant<StringValue, HashValue, SetValue, ListValue, ZSetValue> data_;
};

// One key in one database. Entries live on the heap and never move, so the expiry index can point at them.
//
// The value, the deadline and the persistence state are private: only the keyspace (Db, Keyspace and the
// KeyBuilder of the loader and the replica) changes them, and every change it makes is also recorded into the command's MutationSink
// (storage/mutation.h), so a command cannot change a key without the change reaching the disk and the
// replicas. Commands read through the const accessors and change through Db's typed mutators.
class Entry {
 public:
  Entry(std::string_view k, uint64_t h, Value v) : hash(h), key(k), value_(std::move(v)) {}
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  Entry* next = nullptr;  // chain in the dict bucket (the Dict's, not the commands')
  const uint64_t hash;    // cached hash of key
  const std::string key;

  const Value& value() const { return value_; }
  int64_t deadline_ms() const { return deadline_ms_; }  // absolute Unix ms; 0 = no expiry
  bool has_deadline() const { return deadline_ms_ != 0; }
  // The access clock in seconds (OBJECT IDLETIME), or under an LFU policy the LFU minutes and counter
  // (storage/eviction.h).
  uint32_t access() const { return access_; }
  // The key's version on disk (storage/rocks_format.h): a new one whenever the key is created or its
  // element records are rewritten, so records of an older incarnation are recognisably stale.
  uint64_t version() const { return version_; }
  // Lists: the disk position of the head element; element i is at list_head() + i.
  uint32_t list_head() const { return list_head_; }

 private:
  friend class Db;
  friend class Keyspace;
  friend class KeyBuilder;

  int64_t deadline_ms_ = 0;
  uint32_t access_ = 0;
  uint32_t list_head_ = 0;  // fills what was padding after access_
  uint64_t version_ = 0;
  Value value_;
};

}  // namespace sessionkv::storage

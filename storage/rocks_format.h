// SPDX-License-Identifier: Apache-2.0
// The on-disk encoding of the keyspace in RocksDB (docs/persistence.md has the full description).
//
// One column family. Every key of every database is a metadata record followed, in RocksDB's byte
// order, by its element records (Kvrocks-style), so one forward scan loads a key and a change to one
// element writes one small record:
//
//   metadata   'K' varint(pdb) varint(len) key                          -> Meta (below)
//   element    'K' varint(pdb) varint(len) key u64be(version) sub       -> element value
//   system     'S' name                                                 -> system value
//
// `pdb` is the physical database number (SWAPDB swaps the logical-to-physical map, not the data).
// The length prefix makes the key part prefix-free, so a key's metadata is a prefix of exactly its own
// element records and nothing else sorts between them. `version` is the key's version at the time
// the element was written: a key that is deleted and created again gets a new version, so records of
// the old one are recognisably stale (the compaction filter drops them; the loader skips them).
//
//   element sub and value by type:
//     hash   sub = field             value = field value
//     set    sub = member            value = ""
//     zset   sub = member            value = f64le(score)
//     list   sub = u32be(position)   value = element; positions are contiguous from the head
//
//   Meta (little-endian, fixed header): u8 meta format (1), u8 ValueType, u64 version,
//     i64 deadline (absolute Unix ms, 0 = none); strings add u8 StringForm and the bytes.
//
//   system records: "format" -> u8 format version; "dbmap" -> varint count, varint pdb per logical
//     database; "version-lease" -> u64le (every version below it may already be in use).
//
// Annotations travel as WriteBatch LogData blobs (WAL only, no sequence number): u8 kind, then
// kind-specific bytes. kind 1 = expired: varint(pdb) varint(len) key; it precedes the key's delete.
//
// This layer only encodes and decodes; it knows nothing of RocksDB's API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/value_type.h"

namespace sessionkv::storage::format {

// The format version written in the "format" record. A newer binary reads every older version; an
// older binary refuses a newer one.
inline constexpr uint8_t kFormatVersion = 1;
// The first byte of a metadata value.
inline constexpr uint8_t kMetaVersion = 1;

inline constexpr char kDataPrefix = 'K';
inline constexpr char kSystemPrefix = 'S';
inline constexpr std::string_view kFormatRecord = "Sformat";
inline constexpr std::string_view kDbMapRecord = "Sdbmap";
inline constexpr std::string_view kVersionLeaseRecord = "Sversion-lease";

// The middle of the u32 list position space: a list written whole (created, rewritten) is centred
// on it, so both ends can grow.
inline constexpr uint32_t kListOrigin = 1u << 31;
inline uint32_t CenteredListHead(size_t elements) {
  return kListOrigin - static_cast<uint32_t>(elements / 2 < kListOrigin ? elements / 2 : kListOrigin);
}

// LogData annotation kinds (append only: replicas decode them).
enum class Annotation : uint8_t { kExpired = 1 };

// ---------------------------------------------------------------------------------------- varints

void AppendVarint(std::string* out, uint64_t v);
// Reads a varint at *p; false if malformed or past `end`.
bool ReadVarint(const char** p, const char* end, uint64_t* v);
void AppendU32BE(std::string* out, uint32_t v);
void AppendU64BE(std::string* out, uint64_t v);
void AppendU64LE(std::string* out, uint64_t v);
uint64_t ReadU64LE(const char* p);

// ------------------------------------------------------------------------------------------- keys

// The metadata key of `key` in physical database `pdb` (also the prefix of its element records).
void AppendMetaKey(std::string* out, uint32_t pdb, std::string_view key);
// The prefix of `key`'s element records at `version`; append `sub` to it for one element.
void AppendElementPrefix(std::string* out, uint32_t pdb, std::string_view key, uint64_t version);
// The bounds of every element record of `key`, of every version: [*begin, *end) holds exactly the
// records that start with the metadata key and are longer (the length prefix makes metadata keys
// prefix-free, so no other key's records fall in between).
void AppendElementsRange(std::string* begin, std::string* end, uint32_t pdb, std::string_view key);
// The bounds of every record of physical database `pdb`: [begin, end).
std::string DbBegin(uint32_t pdb);
std::string DbEnd(uint32_t pdb);
// The bounds of every data record of every database.
inline std::string AllDataBegin() { return std::string(1, kDataPrefix); }
inline std::string AllDataEnd() { return std::string(1, kDataPrefix + 1); }

// A data record's key, parsed. Views point into the parsed bytes.
struct ParsedKey {
  uint32_t pdb = 0;
  std::string_view key;
  bool is_meta = true;    // false: an element record
  uint64_t version = 0;   // element records only
  std::string_view sub;   // element records only
  // The metadata key this record belongs to (a prefix of the parsed bytes).
  std::string_view meta_key;
};
bool ParseDataKey(std::string_view raw, ParsedKey* out);

// ----------------------------------------------------------------------------------------- values

struct Meta {
  ValueType type = ValueType::kString;
  uint64_t version = 0;
  int64_t deadline_ms = 0;
  uint8_t string_form = 0;         // StringForm, strings only
  std::string_view string_bytes;  // strings only; points into the decoded bytes
};
void AppendMeta(std::string* out, ValueType type, uint64_t version, int64_t deadline_ms);
// A string's metadata carries its value.
void AppendStringMeta(std::string* out, uint64_t version, int64_t deadline_ms, uint8_t form,
                      std::string_view bytes);
bool DecodeMeta(std::string_view raw, Meta* out);

void AppendScore(std::string* out, double score);
bool DecodeScore(std::string_view raw, double* score);
void AppendListPosition(std::string* out, uint32_t pos);
bool DecodeListPosition(std::string_view sub, uint32_t* pos);

std::string EncodeDbMap(const std::vector<uint32_t>& map);
bool DecodeDbMap(std::string_view raw, std::vector<uint32_t>* map);

// The "expired" annotation for `key` of physical database `pdb`.
std::string ExpiredAnnotation(uint32_t pdb, std::string_view key);
struct ParsedAnnotation {
  Annotation kind = Annotation::kExpired;
  uint32_t pdb = 0;
  std::string_view key;
};
bool ParseAnnotation(std::string_view blob, ParsedAnnotation* out);

}  // namespace sessionkv::storage::format

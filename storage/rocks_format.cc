// SPDX-License-Identifier: Apache-2.0
#include "storage/rocks_format.h"

#include <cstring>

namespace sessionkv::storage::format {

// ---------------------------------------------------------------------------------------- varints

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool ReadVarint(const char** p, const char* end, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && *p < end; shift += 7) {
    const auto byte = static_cast<uint8_t>(*(*p)++);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

void AppendU32BE(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void AppendU64BE(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void AppendU64LE(std::string* out, uint64_t v) {
  for (int shift = 0; shift < 64; shift += 8) out->push_back(static_cast<char>(v >> shift));
}

uint64_t ReadU64LE(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

namespace {

uint64_t ReadU64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Reads varint(pdb) varint(len) key at *p.
bool ReadKeyPart(const char** p, const char* end, uint32_t* pdb, std::string_view* key) {
  uint64_t db = 0, len = 0;
  if (!ReadVarint(p, end, &db) || db > UINT32_MAX || !ReadVarint(p, end, &len)) return false;
  if (len > static_cast<uint64_t>(end - *p)) return false;
  *pdb = static_cast<uint32_t>(db);
  *key = std::string_view(*p, len);
  *p += len;
  return true;
}

}  // namespace

// ------------------------------------------------------------------------------------------- keys

void AppendMetaKey(std::string* out, uint32_t pdb, std::string_view key) {
  out->push_back(kDataPrefix);
  AppendVarint(out, pdb);
  AppendVarint(out, key.size());
  out->append(key);
}

void AppendElementPrefix(std::string* out, uint32_t pdb, std::string_view key, uint64_t version) {
  AppendMetaKey(out, pdb, key);
  AppendU64BE(out, version);
}

void AppendElementsRange(std::string* begin, std::string* end, uint32_t pdb, std::string_view key) {
  AppendMetaKey(begin, pdb, key);
  end->append(*begin);
  begin->push_back('\0');
  // The prefix's successor: drop trailing 0xff bytes, increment the last byte left (never the leading
  // kDataPrefix, so something is always left).
  while (static_cast<uint8_t>(end->back()) == 0xff) end->pop_back();
  end->back() = static_cast<char>(static_cast<uint8_t>(end->back()) + 1);
}

std::string DbBegin(uint32_t pdb) {
  std::string out(1, kDataPrefix);
  AppendVarint(&out, pdb);
  return out;
}

std::string DbEnd(uint32_t pdb) {
  // A varint's last byte is below 0x80, so incrementing it never carries: every key that starts with
  // DbBegin(pdb) sorts before this, and every other key outside.
  std::string out = DbBegin(pdb);
  out.back() = static_cast<char>(out.back() + 1);
  return out;
}

bool ParseDataKey(std::string_view raw, ParsedKey* out) {
  if (raw.empty() || raw[0] != kDataPrefix) return false;
  const char* p = raw.data() + 1;
  const char* end = raw.data() + raw.size();
  if (!ReadKeyPart(&p, end, &out->pdb, &out->key)) return false;
  out->meta_key = raw.substr(0, static_cast<size_t>(p - raw.data()));
  if (p == end) {
    out->is_meta = true;
    out->version = 0;
    out->sub = {};
    return true;
  }
  if (end - p < 8) return false;
  out->is_meta = false;
  out->version = ReadU64BE(p);
  p += 8;
  out->sub = std::string_view(p, static_cast<size_t>(end - p));
  return true;
}

// ----------------------------------------------------------------------------------------- values

namespace {
constexpr size_t kMetaHeader = 18;  // meta version, type, version, deadline
}

void AppendMeta(std::string* out, ValueType type, uint64_t version, int64_t deadline_ms) {
  out->push_back(static_cast<char>(kMetaVersion));
  out->push_back(static_cast<char>(type));
  AppendU64LE(out, version);
  AppendU64LE(out, static_cast<uint64_t>(deadline_ms));
}

void AppendStringMeta(std::string* out, uint64_t version, int64_t deadline_ms, uint8_t form,
                      std::string_view bytes) {
  AppendMeta(out, ValueType::kString, version, deadline_ms);
  out->push_back(static_cast<char>(form));
  out->append(bytes);
}

bool DecodeMeta(std::string_view raw, Meta* out) {
  if (raw.size() < kMetaHeader || static_cast<uint8_t>(raw[0]) != kMetaVersion) return false;
  const auto type = static_cast<uint8_t>(raw[1]);
  if (type > static_cast<uint8_t>(ValueType::kHash)) return false;
  out->type = static_cast<ValueType>(type);
  out->version = ReadU64LE(raw.data() + 2);
  out->deadline_ms = static_cast<int64_t>(ReadU64LE(raw.data() + 10));
  out->string_form = 0;
  out->string_bytes = {};
  if (out->type == ValueType::kString) {
    if (raw.size() < kMetaHeader + 1) return false;
    out->string_form = static_cast<uint8_t>(raw[kMetaHeader]);
    out->string_bytes = raw.substr(kMetaHeader + 1);
  } else if (raw.size() != kMetaHeader) {
    return false;
  }
  return true;
}

void AppendScore(std::string* out, double score) {
  uint64_t bits;
  std::memcpy(&bits, &score, sizeof(bits));
  AppendU64LE(out, bits);
}

bool DecodeScore(std::string_view raw, double* score) {
  if (raw.size() != 8) return false;
  const uint64_t bits = ReadU64LE(raw.data());
  std::memcpy(score, &bits, sizeof(bits));
  return *score == *score;  // never NaN
}

void AppendListPosition(std::string* out, uint32_t pos) { AppendU32BE(out, pos); }

bool DecodeListPosition(std::string_view sub, uint32_t* pos) {
  if (sub.size() != 4) return false;
  uint32_t v = 0;
  for (char c : sub) v = (v << 8) | static_cast<uint8_t>(c);
  *pos = v;
  return true;
}

std::string EncodeDbMap(const std::vector<uint32_t>& map) {
  std::string out;
  AppendVarint(&out, map.size());
  for (uint32_t pdb : map) AppendVarint(&out, pdb);
  return out;
}

bool DecodeDbMap(std::string_view raw, std::vector<uint32_t>* map) {
  const char* p = raw.data();
  const char* end = raw.data() + raw.size();
  uint64_t n = 0;
  if (!ReadVarint(&p, end, &n) || n > raw.size()) return false;
  map->clear();
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t pdb = 0;
    if (!ReadVarint(&p, end, &pdb) || pdb > UINT32_MAX) return false;
    map->push_back(static_cast<uint32_t>(pdb));
  }
  return p == end;
}

std::string ExpiredAnnotation(uint32_t pdb, std::string_view key) {
  std::string out(1, static_cast<char>(Annotation::kExpired));
  AppendVarint(&out, pdb);
  AppendVarint(&out, key.size());
  out.append(key);
  return out;
}

bool ParseAnnotation(std::string_view blob, ParsedAnnotation* out) {
  if (blob.empty() || static_cast<uint8_t>(blob[0]) != static_cast<uint8_t>(Annotation::kExpired)) {
    return false;
  }
  out->kind = Annotation::kExpired;
  const char* p = blob.data() + 1;
  const char* end = blob.data() + blob.size();
  return ReadKeyPart(&p, end, &out->pdb, &out->key) && p == end;
}

}  // namespace sessionkv::storage::format

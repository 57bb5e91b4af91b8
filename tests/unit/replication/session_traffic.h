// SPDX-License-Identifier: Apache-2.0
// Replication traffic that looks like Spring Session's (spring-session-wire.md): per HTTP request
// an HSET of lastAccessedTime (a JDK-serialized java.lang.Long) and a PEXPIREAT of the session key;
// now and then a new session with its creationTime, maxInactiveInterval and a serialized security
// context. Each batch is laid out like a RocksDB WriteBatch (12-byte header, records of type |
// varint key | varint value) with a LogData tag, so compression is measured on bytes shaped like
// the real stream's.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace sessionkv::replication::testing {

using namespace std::string_literals;

class SessionTraffic {
 public:
  explicit SessionTraffic(uint64_t seed = 1, int live_sessions = 2000) : rng_(seed) {
    for (int i = 0; i < live_sessions; ++i) sessions_.push_back(Uuid());
  }

  // The next committed batch and the sequences it covers.
  std::string NextBatch(uint64_t seq, uint32_t* count) {
    std::string rep(12, '\0');
    for (int i = 0; i < 8; ++i) rep[i] = static_cast<char>(seq >> (8 * i));
    uint32_t records = 0;
    now_ms_ += 1 + rng_() % 5;
    LogData(&rep);
    if (rng_() % 20 == 0) {
      sessions_[rng_() % sessions_.size()] = Uuid();  // a login replaces a session
      const std::string& id = sessions_[rng_() % sessions_.size()];
      Put(&rep, Key(id, "creationTime"), JavaLong(now_ms_)), ++records;
      Put(&rep, Key(id, "maxInactiveInterval"), JavaInteger(1800)), ++records;
      Put(&rep, Key(id, "sessionAttr:SPRING_SECURITY_CONTEXT"), SecurityContext()), ++records;
    }
    const std::string& id = sessions_[rng_() % sessions_.size()];
    Put(&rep, Key(id, "lastAccessedTime"), JavaLong(now_ms_)), ++records;
    Put(&rep, "spring:session:sessions:" + id, Deadline(now_ms_ + 1'800'000)), ++records;
    for (int i = 0; i < 4; ++i) rep[8 + i] = static_cast<char>(records >> (8 * i));
    *count = records;
    return rep;
  }

 private:
  static void Varint(std::string* out, uint64_t v) {
    while (v >= 0x80) out->push_back(static_cast<char>((v & 0x7f) | 0x80)), v >>= 7;
    out->push_back(static_cast<char>(v));
  }
  static void Put(std::string* rep, const std::string& key, const std::string& value) {
    rep->push_back(0x1);  // kTypeValue
    Varint(rep, key.size());
    *rep += key;
    Varint(rep, value.size());
    *rep += value;
  }
  void LogData(std::string* rep) {
    std::string tag = "h:3f2a9c0e1b7d4a6e8f01c2d3e4f5a6b7c8d9e0f1;t:" + std::to_string(now_ms_);
    rep->push_back(0x3);  // kTypeLogData
    Varint(rep, tag.size());
    *rep += tag;
  }
  std::string Key(const std::string& id, const std::string& field) {
    // The engine's field key: a per-key version, the key, the field (storage's rocks_format shape).
    return "\x02spring:session:sessions:" + id + std::string("\x00\x00\x00\x01", 4) + field;
  }
  std::string Uuid() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 32; ++i) {
      if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
      s += kHex[rng_() % 16];
    }
    return s;
  }
  static std::string BigEndian(uint64_t v, int bytes) {
    std::string s;
    for (int i = bytes - 1; i >= 0; --i) s.push_back(static_cast<char>(v >> (8 * i)));
    return s;
  }
  static std::string JavaLong(int64_t v) {
    return ("\xac\xed\x00\x05sr\x00\x0ejava.lang.Long;\x8b\xe4\x90\xcc\x8f#\xdf\x02\x00\x01J"
            "\x00\x05valuexr\x00\x10java.lang.Number\x86\xac\x95\x1d\x0b\x94\xe0\x8b\x02\x00"
            "\x00xp"s) +
           BigEndian(static_cast<uint64_t>(v), 8);
  }
  static std::string JavaInteger(int32_t v) {
    return ("\xac\xed\x00\x05sr\x00\x11java.lang.Integer\x12\xe2\xa0\xa4\xf7\x81\x87"
            "8\x02"
            "\x00\x01I\x00\x05valuexr\x00\x10java.lang.Number\x86\xac\x95\x1d\x0b\x94\xe0"
            "\x8b\x02\x00\x00xp"s) +
           BigEndian(static_cast<uint32_t>(v), 4);
  }
  static std::string Deadline(int64_t ms) { return "\x01"s + BigEndian(ms, 8); }
  std::string SecurityContext() {
    std::string s(
        "\xac\xed\x00\x05sr\x00=org.springframework.security.core.context."
        "SecurityContextImpl\x00\x00"
        "\x00\x00\x00\x00\x02l\x02\x00\x01L\x00\x0e"
        "authenticationt\x00"
        "2Lorg/springframework/security/"
        "core/Authentication;xpsr\x00Oorg.springframework.security.authentication."
        "UsernamePasswordAuthenticationToken"s);
    s += "user" + std::to_string(rng_() % 100000) + "@example.com";
    for (int i = 0; i < 3; ++i) s += "ROLE_" + std::to_string(rng_() % 7);
    for (int i = 0; i < 24; ++i) s.push_back(static_cast<char>(rng_()));  // a token's random bytes
    return s;
  }

  std::mt19937_64 rng_;
  std::vector<std::string> sessions_;
  int64_t now_ms_ = 1'700'000'000'000;
};

}  // namespace sessionkv::replication::testing

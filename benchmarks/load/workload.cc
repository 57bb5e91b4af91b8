// SPDX-License-Identifier: Apache-2.0
#include "benchmarks/load/workload.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "absl/status/status.h"
#include "base/strings.h"

namespace sessionkv::bench {

namespace {

constexpr std::string_view kPrincipalIndex =
    "org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME";
constexpr std::string_view kSecurityContextField = "sessionAttr:SPRING_SECURITY_CONTEXT";
constexpr std::string_view kCsrfField =
    "sessionAttr:org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository.CSRF_TOKEN";
// The hash outlives the session by 5 minutes so that event listeners can still read it (2.2 step 5).
constexpr int64_t kHashGraceMs = 300'000;

void PutU16(std::string* out, size_t v) {
  out->push_back(static_cast<char>((v >> 8) & 0xff));
  out->push_back(static_cast<char>(v & 0xff));
}

void PutBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A boxed java.lang number: TC_OBJECT, its class descriptor (with serialVersionUID and one primitive
// field "value"), the java.lang.Number superclass descriptor, then the value.
std::string JdkNumber(std::string_view cls, uint64_t uid, char field_type, uint64_t value, int value_bytes) {
  std::string out("\xac\xed\x00\x05\x73\x72", 6);
  PutU16(&out, cls.size());
  out.append(cls);
  PutBigEndian(&out, uid, 8);
  out.append("\x02\x00\x01", 3);  // SC_SERIALIZABLE, one field
  out.push_back(field_type);
  PutU16(&out, 5);
  out.append("value");
  out.append("\x78\x72", 2);  // TC_ENDBLOCKDATA, superclass TC_CLASSDESC
  PutU16(&out, 16);
  out.append("java.lang.Number");
  PutBigEndian(&out, 0x86ac951d0b94e08bULL, 8);
  out.append("\x02\x00\x00\x78\x70", 5);  // no fields, TC_ENDBLOCKDATA, TC_NULL (no further superclass)
  PutBigEndian(&out, value, value_bytes);
  return out;
}

uint64_t SplitMix(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void Add(Request* out, std::initializer_list<std::string_view> args) {
  Command& c = out->commands.emplace_back();
  c.reserve(args.size());
  for (std::string_view a : args) c.emplace_back(a);
}

std::string Decimal(int64_t v) { return std::to_string(v); }

}  // namespace

std::string JdkLong(int64_t v) {
  return JdkNumber("java.lang.Long", 0x3b8be490cc8f23dfULL, 'J', static_cast<uint64_t>(v), 8);
}

std::string JdkInteger(int32_t v) {
  return JdkNumber("java.lang.Integer", 0x12e2a0a4f7818738ULL, 'I', static_cast<uint32_t>(v), 4);
}

std::string JdkString(std::string_view s) {
  std::string out("\xac\xed\x00\x05\x74", 5);
  PutU16(&out, s.size());
  out.append(s);
  return out;
}

std::string JdkObject(std::string_view class_name, size_t bytes, uint64_t seed) {
  std::string out("\xac\xed\x00\x05\x73\x72", 6);
  PutU16(&out, class_name.size());
  out.append(class_name);
  PutBigEndian(&out, SplitMix(&seed), 8);  // serialVersionUID
  out.push_back('\x02');
  while (out.size() + 2 < bytes) {
    const uint64_t r = SplitMix(&seed);
    for (int i = 0; i < 8 && out.size() + 2 < bytes; ++i) {
      // Mostly small bytes and NULs, as field data and lengths are, with some text.
      const uint8_t b = static_cast<uint8_t>(r >> (8 * i));
      out.push_back(static_cast<char>(b < 96 ? 0 : b < 192 ? 'a' + b % 26 : b));
    }
  }
  out.append("\x78\x70", 2);  // TC_ENDBLOCKDATA, TC_NULL: max(bytes, header + 2) bytes in all
  return out;
}

std::string_view RequestKindName(RequestKind kind) {
  switch (kind) {
    case RequestKind::kAccess: return "access";
    case RequestKind::kNew: return "new";
    case RequestKind::kLogin: return "login";
    case RequestKind::kLogout: return "logout";
  }
  return "?";
}

absl::StatusOr<Mix> ParseMix(std::string_view text) {
  Mix mix{0, 0, 0};
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) return absl::InvalidArgumentError(StrCat("mix item without '=': ", item));
    const std::string_view name = item.substr(0, eq);
    const std::string value(item.substr(eq + 1));
    char* end = nullptr;
    const double pct = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || pct < 0) {
      return absl::InvalidArgumentError(StrCat("bad mix percentage: ", item));
    }
    if (name == "new") mix.new_session = pct;
    else if (name == "login") mix.login = pct;
    else if (name == "logout") mix.logout = pct;
    else return absl::InvalidArgumentError(StrCat("unknown mix kind '", name, "' (new, login, logout)"));
  }
  if (mix.new_session + mix.login + mix.logout > 100) {
    return absl::InvalidArgumentError("mix percentages add up to more than 100");
  }
  return mix;
}

// ------------------------------------------------------------------------------------------- Workload

Workload::Workload(const WorkloadOptions& options, size_t sessions, uint64_t seed)
    : options_(options), slots_(sessions), rng_(seed) {}

size_t Workload::live_sessions() const {
  return std::count_if(slots_.begin(), slots_.end(), [](const Session& s) { return !s.id.empty(); });
}

std::string Workload::SessionKey(std::string_view id) const { return StrCat(options_.ns, ":sessions:", id); }
std::string Workload::ExpiresKey(std::string_view id) const {
  return StrCat(options_.ns, ":sessions:expires:", id);
}
std::string Workload::ExpirationsKey(int64_t minute_ms) const {
  return StrCat(options_.ns, ":expirations:", minute_ms);
}
std::string Workload::PrincipalKey(std::string_view user) const {
  return StrCat(options_.ns, ":index:", kPrincipalIndex, ":", user);
}

int64_t Workload::ExpiryMinute(int64_t last_access_ms, int max_inactive_s) {
  const int64_t expiry = last_access_ms + int64_t{max_inactive_s} * 1000;
  return (expiry / 60'000 + 1) * 60'000;
}

std::string Workload::NewId() {
  // A version-4 UUID, as UuidSessionIdGenerator makes.
  const uint64_t hi = rng_(), lo = rng_();
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08llx-%04llx-4%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32), static_cast<unsigned long long>((hi >> 16) & 0xffff),
                static_cast<unsigned long long>(hi & 0xfff),
                static_cast<unsigned long long>(0x8000 | ((lo >> 48) & 0x3fff)),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

void Workload::Populate(size_t slot, int64_t now_ms, Request* out) { Make(RequestKind::kNew, slot, now_ms, out); }

void Workload::Next(int64_t now_ms, Request* out) {
  const double r = std::uniform_real_distribution<double>(0, 100)(rng_);
  const Mix& m = options_.mix;
  RequestKind kind = RequestKind::kAccess;
  if (r < m.new_session) kind = RequestKind::kNew;
  else if (r < m.new_session + m.login) kind = RequestKind::kLogin;
  else if (r < m.new_session + m.login + m.logout) kind = RequestKind::kLogout;
  Make(kind, std::uniform_int_distribution<size_t>(0, slots_.size() - 1)(rng_), now_ms, out);
}

void Workload::Make(RequestKind kind, size_t slot, int64_t now_ms, Request* out) {
  out->commands.clear();
  Session& s = slots_[slot];
  // A request for a session that is gone gets a new one; a login of a logged-in user is an access.
  if (s.id.empty()) kind = RequestKind::kNew;
  if (kind == RequestKind::kLogin && !s.principal.empty()) kind = RequestKind::kAccess;
  out->kind = kind;
  switch (kind) {
    case RequestKind::kNew: return NewSession(s, now_ms, out);
    case RequestKind::kAccess: return Access(s, now_ms, out);
    case RequestKind::kLogin: return Login(s, now_ms, out);
    case RequestKind::kLogout: return Logout(s, now_ms, out);
  }
}

// save() of a new session (2.1 / 2.2 saveDelta): every field in one HMSET, then the deadline. The sizes
// of a session's attributes follow its target size: a CSRF token, then application attributes of up to
// 1 KB each.
void Workload::NewSession(Session& s, int64_t now_ms, Request* out) {
  s.id = NewId();
  s.principal.clear();
  s.last_access_ms = now_ms;
  const double lo = std::log(static_cast<double>(options_.min_session_bytes));
  const double hi = std::log(static_cast<double>(std::max(options_.max_session_bytes, options_.min_session_bytes)));
  s.bytes = static_cast<uint32_t>(std::exp(std::uniform_real_distribution<double>(lo, hi)(rng_)));
  s.attr_seed = rng_();

  const std::string key = SessionKey(s.id);
  Command& hmset = out->commands.emplace_back();
  hmset = {"HMSET", key, "creationTime", JdkLong(now_ms), "maxInactiveInterval",
           JdkInteger(options_.max_inactive_s), "lastAccessedTime", JdkLong(now_ms)};
  size_t used = 0;
  for (size_t i = 2; i < hmset.size(); ++i) used += hmset[i].size();
  const size_t csrf = 190;
  hmset.emplace_back(kCsrfField);
  hmset.push_back(JdkObject("org.springframework.security.web.csrf.DefaultCsrfToken", csrf, s.attr_seed));
  used += kCsrfField.size() + csrf;
  uint64_t attr_seed = s.attr_seed;
  for (int n = 0; used + 40 < s.bytes; ++n) {
    std::string field = StrCat("sessionAttr:app.attribute", n);
    const size_t value = std::min<size_t>(1024, s.bytes - used - field.size());
    used += field.size() + value;
    hmset.push_back(std::move(field));
    hmset.push_back(JdkObject("com.example.shop.CartItem", value, SplitMix(&attr_seed)));
  }
  if (options_.repository == Repository::kDefault) {
    Add(out, {"PEXPIREAT", key, Decimal(now_ms + int64_t{options_.max_inactive_s} * 1000)});
    return;
  }
  // Indexed: the created event carries the serialized delta (a HashMap of every field).
  size_t delta = 0;
  for (size_t i = 2; i < hmset.size(); ++i) delta += hmset[i].size();
  Add(out, {"PUBLISH", StrCat(options_.ns, ":event:", options_.db, ":created:", s.id),
            JdkObject("java.util.HashMap", delta + 64, s.attr_seed ^ 1)});
  IndexedExpiry(s, now_ms, /*loaded=*/false, options_.max_inactive_s, out);
}

// The indexed repository's end of saveDelta (2.2 steps 4-6) with sec > 0: shadow key, hash TTL, minute
// bucket. `loaded`: the session was read in this request, so a changed bucket is left with SREM first.
void Workload::IndexedExpiry(const Session& s, int64_t previous_access_ms, bool loaded, int max_inactive_s,
                             Request* out) {
  const std::string expires_key = ExpiresKey(s.id);
  if (max_inactive_s > 0) {
    Add(out, {"APPEND", expires_key, ""});
    Add(out, {"PEXPIRE", expires_key, Decimal(int64_t{max_inactive_s} * 1000)});
  } else {
    Add(out, {"DEL", expires_key});
  }
  const std::string ttl = Decimal(int64_t{max_inactive_s} * 1000 + kHashGraceMs);
  Add(out, {"PEXPIRE", SessionKey(s.id), ttl});
  const std::string member = JdkString(StrCat("expires:", s.id));
  const int64_t old_minute = ExpiryMinute(previous_access_ms, options_.max_inactive_s);
  const int64_t minute = ExpiryMinute(s.last_access_ms, max_inactive_s);
  if (loaded && old_minute != minute) Add(out, {"SREM", ExpirationsKey(old_minute), member});
  Add(out, {"PEXPIRE", ExpirationsKey(minute), ttl});
  Add(out, {"SADD", ExpirationsKey(minute), member});
}

// A request on an existing session: findById, then save() with the new lastAccessedTime (2.1; 2.5).
void Workload::Access(Session& s, int64_t now_ms, Request* out) {
  const std::string key = SessionKey(s.id);
  const int64_t previous = s.last_access_ms;
  s.last_access_ms = now_ms;
  Add(out, {"HGETALL", key});
  if (options_.repository == Repository::kDefault) {
    Add(out, {"EXISTS", key});
    Add(out, {"HMSET", key, "lastAccessedTime", JdkLong(now_ms)});
    Add(out, {"PEXPIREAT", key, Decimal(now_ms + int64_t{options_.max_inactive_s} * 1000)});
    return;
  }
  Add(out, {"HMSET", key, "lastAccessedTime", JdkLong(now_ms)});
  IndexedExpiry(s, previous, /*loaded=*/true, options_.max_inactive_s, out);
}

// A login: Spring Security's session-fixation protection changes the id (RENAME on save), and the
// security context becomes an attribute. Indexed: both keys are renamed, the old id's expiry entry is
// looked up (HGETALL of the old key, now empty), and the new id joins the principal's index.
void Workload::Login(Session& s, int64_t now_ms, Request* out) {
  const std::string old_id = s.id;
  const int64_t previous = s.last_access_ms;
  s.id = NewId();
  s.principal = StrCat("user", rng_() % 1'000'000);
  s.last_access_ms = now_ms;
  const std::string old_key = SessionKey(old_id), key = SessionKey(s.id);
  const std::string context = JdkObject("org.springframework.security.core.context.SecurityContextImpl", 660,
                                        s.attr_seed ^ 2);
  Add(out, {"HGETALL", old_key});
  if (options_.repository == Repository::kDefault) {
    Add(out, {"EXISTS", old_key});
    Add(out, {"RENAME", old_key, key});
    Add(out, {"HMSET", key, "lastAccessedTime", JdkLong(now_ms), kSecurityContextField, context});
    Add(out, {"PEXPIREAT", key, Decimal(now_ms + int64_t{options_.max_inactive_s} * 1000)});
    return;
  }
  Add(out, {"RENAME", old_key, key});
  Add(out, {"RENAME", ExpiresKey(old_id), ExpiresKey(s.id)});
  Add(out, {"HGETALL", old_key});
  Add(out, {"HMSET", key, "lastAccessedTime", JdkLong(now_ms), kSecurityContextField, context});
  Add(out, {"SADD", PrincipalKey(s.principal), JdkString(s.id)});
  IndexedExpiry(s, previous, /*loaded=*/true, options_.max_inactive_s, out);
}

// A logout: the request's findById, then deleteById (2.1: DEL; 2.2: the index and bucket entries go,
// the shadow key is deleted, which fires the del event, and the hash is kept for 5 minutes with
// maxInactiveInterval 0).
void Workload::Logout(Session& s, int64_t now_ms, Request* out) {
  const std::string key = SessionKey(s.id);
  Add(out, {"HGETALL", key});
  if (options_.repository == Repository::kDefault) {
    Add(out, {"DEL", key});
    s = Session();
    return;
  }
  const std::string member = JdkString(StrCat("expires:", s.id));
  const int64_t minute = ExpiryMinute(s.last_access_ms, options_.max_inactive_s);
  Add(out, {"HGETALL", key});
  if (!s.principal.empty()) Add(out, {"SREM", PrincipalKey(s.principal), JdkString(s.id)});
  Add(out, {"HGETALL", key});
  Add(out, {"SREM", ExpirationsKey(minute), member});
  Add(out, {"DEL", ExpiresKey(s.id)});
  Add(out, {"HMSET", key, "maxInactiveInterval", JdkInteger(0)});
  // save() with maxInactiveInterval 0: the shadow key is deleted (again) and the bucket moves.
  IndexedExpiry(s, s.last_access_ms, /*loaded=*/true, 0, out);
  s = Session();
  (void)now_ms;
}

}  // namespace sessionkv::bench

// SPDX-License-Identifier: Apache-2.0
// The Spring Session workload of sessionkv-bench: which commands one HTTP request of a Spring Boot pod sends
// to its session store, per repository, exactly as /work/shared/docs/spring-session-wire.md lists them.
// No sockets here: a Workload only produces commands, so its sequences are unit-tested against the doc.
//
// A Workload owns a slice of the session population (one per connection of the load generator, so that no
// two connections change the same session at once) and remembers each session's id, size, login state and
// expiry minute, so the next request on a session sends what Spring would send for it:
//
//   access  an existing session is read and saved (its lastAccessedTime changes);
//   new     a request without a session cookie creates one (all fields, and the created event if indexed);
//   login   Spring Security changes the session id (RENAME) and stores SPRING_SECURITY_CONTEXT; the
//           indexed repository also adds the id to the principal's index set;
//   logout  the session is deleted (and removed from the principal index and expiry bucket if indexed).
// An access, login or logout that lands on a session slot with no live session creates one instead, as an
// application does for a user whose session is gone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sessionkv::bench {

enum class Repository { kDefault, kIndexed };  // RedisSessionRepository, RedisIndexedSessionRepository
enum class RequestKind { kAccess, kNew, kLogin, kLogout };
std::string_view RequestKindName(RequestKind kind);

// Percentages of requests that create, log in and log out a session; the rest access one.
struct Mix {
  double new_session = 5;
  double login = 2;
  double logout = 2;
};
// "new=5,login=2,logout=2" (any subset; percents summing to at most 100).
absl::StatusOr<Mix> ParseMix(std::string_view text);

struct WorkloadOptions {
  Repository repository = Repository::kDefault;
  Mix mix;
  size_t min_session_bytes = 512;  // field names plus values of a new session, drawn log-uniformly
  size_t max_session_bytes = 4096;
  int max_inactive_s = 1800;       // Spring's default maxInactiveInterval
  int db = 0;                      // in the created-event channel name
  std::string ns = "spring:session";
};

using Command = std::vector<std::string>;
struct Request {
  RequestKind kind = RequestKind::kAccess;
  std::vector<Command> commands;
};

class Workload {
 public:
  // `sessions` slots, all empty until Populate() or the first request on each.
  Workload(const WorkloadOptions& options, size_t sessions, uint64_t seed);

  // The request that creates the session of `slot` (the load generator's preload).
  void Populate(size_t slot, int64_t now_ms, Request* out);
  // The next request of the mix, at wall-clock time now_ms (Unix ms: deadlines are absolute).
  void Next(int64_t now_ms, Request* out);
  // A request of the given kind on `slot` (Next() draws both).
  void Make(RequestKind kind, size_t slot, int64_t now_ms, Request* out);

  size_t sessions() const { return slots_.size(); }
  size_t live_sessions() const;

  // ---- key and value shapes (public for tests)
  std::string SessionKey(std::string_view id) const;      // <ns>:sessions:<id>
  std::string ExpiresKey(std::string_view id) const;      // <ns>:sessions:expires:<id>
  std::string ExpirationsKey(int64_t minute_ms) const;    // <ns>:expirations:<minute ms>
  std::string PrincipalKey(std::string_view user) const;  // <ns>:index:...PRINCIPAL_NAME_INDEX_NAME:<user>
  // The expiry minute of MinuteBasedRedisSessionExpirationStore: the session's expiry rounded up to the
  // next whole minute.
  static int64_t ExpiryMinute(int64_t last_access_ms, int max_inactive_s);

 private:
  struct Session {
    std::string id;  // empty: no live session in this slot
    std::string principal;
    int64_t last_access_ms = 0;
    uint32_t bytes = 0;  // target size of its fields and values
    uint64_t attr_seed = 0;
  };

  void NewSession(Session& s, int64_t now_ms, Request* out);
  void Access(Session& s, int64_t now_ms, Request* out);
  void Login(Session& s, int64_t now_ms, Request* out);
  void Logout(Session& s, int64_t now_ms, Request* out);
  // Indexed repository: the shadow key, hash TTL and expiry-bucket commands that end every save.
  void IndexedExpiry(const Session& s, int64_t previous_access_ms, bool loaded, int max_inactive_s,
                     Request* out);
  std::string NewId();

  WorkloadOptions options_;
  std::vector<Session> slots_;
  std::mt19937_64 rng_;
};

// ---- JDK-serialization-shaped values (spring-session-wire.md 1.2), byte for byte what
// JdkSerializationRedisSerializer writes for these types.
std::string JdkLong(int64_t v);         // java.lang.Long: 82 bytes
std::string JdkInteger(int32_t v);      // java.lang.Integer: 81 bytes
std::string JdkString(std::string_view s);  // AC ED 00 05 74 <u16 length> <utf-8>
// An object of `class_name` whose serialized form is `bytes` long: the stream and class-descriptor header,
// then pseudo-random field bytes from `seed` (binary, with NULs, as real objects are).
std::string JdkObject(std::string_view class_name, size_t bytes, uint64_t seed);

}  // namespace sessionkv::bench

// SPDX-License-Identifier: Apache-2.0
// sessionkv-bench's command line (ParseArgs in runner.h).
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "base/strings.h"
#include "benchmarks/load/runner.h"

namespace sessionkv::bench {

namespace {

constexpr std::string_view kUsage = R"(sessionkv-bench: the Spring Session workload against any Redis-protocol server

  --host H                 server address (127.0.0.1)
  --port P                 server port (6379)
  --pods N                 simulated application pods (4)
  --connections-per-pod N  connections of each pod, one thread each (4)
  --duration S             seconds to run (10), unless --requests is given
  --requests N             total requests to send, then stop
  --sessions N             session population, split over the connections (10000)
  --repository R           default | indexed: RedisSessionRepository or RedisIndexedSessionRepository
  --mix M                  percent of requests creating, logging in, logging out a session
                           (new=5,login=2,logout=2); the rest access an existing session
  --rate R                 open loop: R requests/s offered in total, latency from intended start
                           (coordinated omission corrected); 0 = closed loop (default)
  --pipeline N             requests written together per connection (1: commands one by one)
  --resp 2|3               protocol (HELLO 3 for 3) (2)
  --seed N                 random seed (1)
  --session-bytes MIN-MAX  size of a new session's fields and values (512-4096)
  --db N                   database (SELECT) (0)
  --server-pid PID         a local server's pid: report its CPU seconds (while measuring) and
                           resident bytes from /proc
  --no-populate            do not create the sessions before measuring
  --quiet                  no progress lines
A request is one session's command sequence (spring-session-wire.md 2.1, 2.2, 2.5).
)";

absl::Status Bad(std::string_view flag, std::string_view value) {
  return absl::InvalidArgumentError(StrCat("bad value for ", flag, ": '", value, "'"));
}

bool ToUint(std::string_view v, uint64_t* out) {
  const std::string s(v);
  char* end = nullptr;
  if (s.empty() || s[0] == '-') return false;
  *out = std::strtoull(s.c_str(), &end, 10);
  return *end == '\0';
}

bool ToDouble(std::string_view v, double* out) {
  const std::string s(v);
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return !s.empty() && *end == '\0' && *out >= 0;
}

}  // namespace

absl::StatusOr<BenchOptions> ParseArgs(int argc, const char* const* argv) {
  BenchOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    std::string_view value;
    const bool takes_value = flag != "--no-populate" && flag != "--quiet" && flag != "--help" && flag != "-h";
    if (const size_t eq = flag.find('='); eq != std::string_view::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (takes_value) {
      if (i + 1 >= argc) return absl::InvalidArgumentError(StrCat(flag, " needs a value"));
      value = argv[++i];
    }
    uint64_t u = 0;
    double d = 0;
    if (flag == "--help" || flag == "-h") return absl::CancelledError(std::string(kUsage));
    else if (flag == "--no-populate") o.populate = false;
    else if (flag == "--quiet") o.progress = false;
    else if (flag == "--host") o.host = std::string(value);
    else if (flag == "--port") {
      if (!ToUint(value, &u) || u == 0 || u > 65535) return Bad(flag, value);
      o.port = static_cast<uint16_t>(u);
    } else if (flag == "--pods" || flag == "--connections-per-pod" || flag == "--pipeline") {
      if (!ToUint(value, &u) || u == 0 || u > 10000) return Bad(flag, value);
      (flag == "--pods" ? o.pods : flag == "--pipeline" ? o.pipeline : o.connections_per_pod) = static_cast<int>(u);
    } else if (flag == "--duration") {
      if (!ToDouble(value, &d) || d <= 0) return Bad(flag, value);
      o.duration_s = d;
    } else if (flag == "--requests") {
      if (!ToUint(value, &u)) return Bad(flag, value);
      o.requests = u;
    } else if (flag == "--sessions") {
      if (!ToUint(value, &u) || u == 0) return Bad(flag, value);
      o.sessions = u;
    } else if (flag == "--repository") {
      if (value == "default") o.workload.repository = Repository::kDefault;
      else if (value == "indexed") o.workload.repository = Repository::kIndexed;
      else return Bad(flag, value);
    } else if (flag == "--mix") {
      auto mix = ParseMix(value);
      if (!mix.ok()) return mix.status();
      o.workload.mix = *mix;
    } else if (flag == "--rate") {
      if (!ToDouble(value, &d)) return Bad(flag, value);
      o.rate = d;
    } else if (flag == "--resp") {
      if (value == "2") o.resp = client::RespVersion::kResp2;
      else if (value == "3") o.resp = client::RespVersion::kResp3;
      else return Bad(flag, value);
    } else if (flag == "--seed") {
      if (!ToUint(value, &u)) return Bad(flag, value);
      o.seed = u;
    } else if (flag == "--server-pid") {
      if (!ToUint(value, &u) || u == 0 || u > 1u << 30) return Bad(flag, value);
      o.server_pid = static_cast<int>(u);
    } else if (flag == "--db") {
      if (!ToUint(value, &u) || u > 1000000) return Bad(flag, value);
      o.workload.db = static_cast<int>(u);
    } else if (flag == "--session-bytes") {
      const size_t dash = value.find('-');
      uint64_t lo = 0, hi = 0;
      if (dash == std::string_view::npos || !ToUint(value.substr(0, dash), &lo) ||
          !ToUint(value.substr(dash + 1), &hi) || lo < 300 || hi < lo) {
        return Bad(flag, value);
      }
      o.workload.min_session_bytes = lo;
      o.workload.max_session_bytes = hi;
    } else {
      return absl::InvalidArgumentError(StrCat("unknown option ", flag, " (see --help)"));
    }
  }
  if (o.sessions < static_cast<size_t>(o.pods) * o.connections_per_pod) {
    return absl::InvalidArgumentError("--sessions must be at least pods x connections-per-pod");
  }
  return o;
}

}  // namespace sessionkv::bench

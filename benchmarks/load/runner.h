// SPDX-License-Identifier: Apache-2.0
// sessionkv-bench's driver: pods x connections threads, each with its own connection and its own slice of
// the session population (workload.h), in closed loop (each connection sends its next request when the
// previous one is answered) or open loop (a fixed offered rate; latency counted from each request's
// intended start, so a stalled server is charged for every request it delayed: coordinated omission
// corrected). A request is one session's whole command sequence; commands within it are sent one at a time
// and each waits for its reply, as Spring Session does, unless --pipeline batches several requests.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "benchmarks/load/histogram.h"
#include "benchmarks/load/workload.h"
#include "clients/connection.h"

namespace sessionkv::bench {

struct BenchOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  int pods = 4;
  int connections_per_pod = 4;
  double duration_s = 10;  // used when requests == 0
  uint64_t requests = 0;   // total over all connections; 0: run for duration_s
  size_t sessions = 10000;
  double rate = 0;         // total requests/s offered; 0: closed loop
  int pipeline = 1;        // requests per write
  client::RespVersion resp = client::RespVersion::kResp2;
  uint64_t seed = 1;
  bool populate = true;    // create every session before measuring
  bool progress = true;    // a line per second
  int server_pid = 0;      // a local server's pid: its CPU time and resident bytes are reported
  WorkloadOptions workload;
};

struct BenchResult {
  uint64_t requests = 0;
  uint64_t commands = 0;
  uint64_t errors = 0;         // error replies plus failed requests (connection lost)
  uint64_t requests_by_kind[4] = {0, 0, 0, 0};
  double seconds = 0;
  Histogram latency;           // per request, ns
  double server_cpu_s = -1;    // the server's user + system CPU seconds while measuring (--server-pid)
  int64_t server_rss = -1;     // its resident bytes at the end
};

// Runs the benchmark; fails if no connection can be made. Progress lines go to `progress`.
absl::StatusOr<BenchResult> RunBench(const BenchOptions& options, std::ostream& progress);

// The summary: a human-readable block and a last line "RESULT key=value ..." for scripts.
void PrintResult(const BenchOptions& options, const BenchResult& result, std::ostream& out);

// Parses sessionkv-bench's command line; the text of --help as an error of code kCancelled.
absl::StatusOr<BenchOptions> ParseArgs(int argc, const char* const* argv);

}  // namespace sessionkv::bench

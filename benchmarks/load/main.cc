// SPDX-License-Identifier: Apache-2.0
// sessionkv-bench: the Spring Session workload against any Redis-protocol endpoint (runner.h; usage:
// sessionkv-bench --help, docs/clients.md).
#include <iostream>

#include "benchmarks/load/runner.h"

int main(int argc, char** argv) {
  using namespace sessionkv::bench;
  auto options = ParseArgs(argc, argv);
  if (!options.ok()) {
    const bool help = options.status().code() == absl::StatusCode::kCancelled;
    (help ? std::cout : std::cerr) << options.status().message() << (help ? "" : "\n");
    return help ? 0 : 2;
  }
  const BenchOptions& o = *options;
  std::cout << "sessionkv-bench: " << o.host << ":" << o.port << ", "
            << (o.workload.repository == Repository::kIndexed ? "indexed" : "default") << " repository, "
            << o.pods << " pods x " << o.connections_per_pod << " connections, "
            << (o.rate > 0 ? "open loop at " + std::to_string(static_cast<long long>(o.rate)) + " requests/s"
                           : std::string("closed loop"))
            << ", pipeline " << o.pipeline << ", RESP" << (o.resp == sessionkv::client::RespVersion::kResp3 ? 3 : 2)
            << ", " << o.sessions << " sessions, seed " << o.seed << std::endl;
  auto result = RunBench(o, std::cout);
  if (!result.ok()) {
    std::cerr << "sessionkv-bench: " << result.status().message() << "\n";
    return 1;
  }
  PrintResult(o, *result, std::cout);
  return result->errors > 0 ? 3 : 0;
}

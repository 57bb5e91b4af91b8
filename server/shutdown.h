// SPDX-License-Identifier: Apache-2.0
// Graceful shutdown (SIGTERM, SIGINT, SHUTDOWN): what was asked, and the hooks that run last.
//
// The sequence (server/server.cc runs steps 1-4, main() step 5):
//   1. /readyz turns 503 and the listeners close: no new clients.
//   2. Every client is drained: the command it is running finishes, the replies of commands already
//      executed are written, then the connection half-closes (FIN) and lingers briefly so that no
//      reset can destroy replies still in flight (connection.h).
//   3. After `shutdown-timeout` seconds the clients still connected are closed.
//   4. The I/O threads stop: nothing changes the keyspace any more (no commands, no expiry).
//   5. The hooks run in registration order: the persistence engine flushes and syncs its log here.
//      A failing hook makes the exit code 1, unless the request was FORCE.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace sessionkv::server {

struct ShutdownRequest {
  // SHUTDOWN SAVE / NOSAVE, or neither (the configured persistence decides).
  enum class Save { kDefault, kSave, kNoSave };
  Save save = Save::kDefault;
  bool now = false;    // NOW: do not wait for lagging replicas (issue 5)
  bool force = false;  // FORCE: exit 0 even when a hook fails
  std::string origin;  // "SIGTERM", "SIGINT" or "SHUTDOWN", for the log
};

class ShutdownHooks {
 public:
  using Hook = std::function<absl::Status(const ShutdownRequest&)>;
  // `name` appears in the log line when the hook fails.
  void Add(std::string name, Hook hook);
  // Runs every hook, even after one failed; the first error is returned (and each one logged).
  absl::Status RunAll(const ShutdownRequest& request) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, Hook>> hooks_;
};

// Step 5: runs the hooks and logs Redis's closing lines. Returns the process exit code.
int FinishShutdown(const ShutdownHooks& hooks, const ShutdownRequest& request);

}  // namespace sessionkv::server

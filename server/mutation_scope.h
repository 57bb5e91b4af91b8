// SPDX-License-Identifier: Apache-2.0
// Where a command's recorded mutations become one batch of the commit log (docs/persistence.md).
//
// The rule: mutations made under a set of shard locks are appended to the commit log before those locks
// are released, so the log order agrees with the memory order of every key. Whoever takes shard locks and
// runs handlers therefore opens a MutationScope after locking and lets it close before unlocking:
// CallCommand, EXEC (around its queued commands, so a whole transaction is one batch), the blocking
// module when it serves a waiting client, and the expiry timer.
//
// Scopes nest: an inner scope shares the outer one's sink and, when it closes, appends everything recorded
// so far (EXEC's scope closes inside its locks; the dispatcher's outer scope then finds nothing left).
#pragma once

#include <cstdint>
#include <optional>

#include "server/client_state.h"
#include "server/server_state.h"
#include "storage/mutation.h"

namespace sessionkv::server {

class MutationScope {
 public:
  MutationScope(ServerState& server, ClientState& client);
  ~MutationScope();
  MutationScope(const MutationScope&) = delete;
  MutationScope& operator=(const MutationScope&) = delete;

  storage::MutationSink& sink() { return *client_.sink; }
  // Appends what was recorded so far (the destructor does it too); returns the ticket, 0 if nothing.
  uint64_t Close();

 private:
  ServerState& server_;
  ClientState& client_;
  bool owns_ = false;  // installed client_.sink
  std::optional<storage::MutationSink> own_;  // used when this thread's shared sink is busy
};

}  // namespace sessionkv::server

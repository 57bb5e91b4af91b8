// SPDX-License-Identifier: Apache-2.0
// Per-connection state that commands read and change (selected db, protocol, auth, reply mode). Owned by
// the connection and touched only on its I/O thread; the shared, cross-thread view is ClientInfo.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "protocol/reply_writer.h"
#include "server/client_registry.h"
#include "server/transaction.h"
#include "storage/mutation.h"

namespace sessionkv::server {

struct BlockedClient;  // server/blocking.h
class AclUser;        // server/acl.h
struct AclUserRules;

// A write reply waiting for its batch to be durable; replaced by the MISCONF error if the batch could
// not be written (server/connection.cc).
struct HeldReply {
  size_t offset;  // in the connection's pending output
  size_t length;
  uint64_t ticket;
};

// CLIENT REPLY modes.
enum class ReplyMode : uint8_t { kOn, kOff, kSkipNext, kSkipThis };

struct ClientState {
  std::shared_ptr<ClientInfo> info;
  int db = 0;
  protocol::RespVersion resp = protocol::RespVersion::kResp2;
  bool authenticated = false;
  // The ACL user the client is logged in as, and the rules of that user it last saw (server/acl.h).
  std::shared_ptr<AclUser> user;
  std::shared_ptr<const AclUserRules> acl_rules;
  uint64_t acl_version = 0;
  ReplyMode reply_mode = ReplyMode::kOn;
  bool drop_reply = false;         // this command answers nothing (REPLCONF ACK)
  int replica_listening_port = 0;  // REPLCONF listening-port, for INFO replication and ROLE
  bool replica_capa_zstd = false;  // REPLCONF capa zstd: the replica reads a compressed stream
  bool close_after_reply = false;  // QUIT, protocol errors, CLIENT KILL of self
  bool monitor = false;            // MONITOR
  bool no_touch = false;           // CLIENT NO-TOUCH
  bool no_evict = false;           // CLIENT NO-EVICT
  // Memory was over maxmemory with nothing to evict when the current command started (Redis's
  // pre_command_oom_state): a script may then not start writing.
  bool oom_before_command = false;
  // True while EXEC runs this client's queued commands: blocking commands (BLPOP...) then answer at once
  // instead of blocking, as in Redis.
  bool in_exec = false;
  // Set while a blocking command (BLPOP...) waits: the connection runs nothing else meanwhile.
  std::shared_ptr<BlockedClient> blocked;
  absl::flat_hash_set<std::string> channels;  // SUBSCRIBE
  absl::flat_hash_set<std::string> patterns;  // PSUBSCRIBE
  std::optional<MultiState> multi;            // from MULTI until EXEC/DISCARD (server/transaction.h)
  std::vector<WatchedKey> watched;            // WATCH; the dirty flag is info->watch_flag

  // Persistence (server/mutation_scope.h). The sink the running command records into (set by the
  // outermost MutationScope), and the ticket of the last batch this client's commands appended.
  storage::MutationSink* sink = nullptr;
  uint64_t last_ticket = 0;
  // Write replies in the connection's pending output that wait for their tickets; `wait_ticket` is
  // the highest of them (0: nothing waits).
  std::vector<HeldReply> held;
  uint64_t wait_ticket = 0;

  size_t subscription_count() const { return channels.size() + patterns.size(); }
};

}  // namespace sessionkv::server

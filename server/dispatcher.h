// SPDX-License-Identifier: Apache-2.0
// Runs one parsed request: table lookup, arity and auth checks, shard locking, the handler, then the
// bookkeeping Redis does around every call (command stats, error stats, slow log, MONITOR, CLIENT REPLY).
// Inside MULTI it queues commands instead (server/transaction.h); EXEC runs them through CallCommand.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/client_state.h"
#include "server/server_state.h"

namespace sessionkv::server {

class Dispatcher {
 public:
  explicit Dispatcher(ServerState& server) : server_(server) {}

  // Executes `args` (args[0] is the command name) for `client`, appending the reply to `reply`.
  void Execute(const std::vector<std::string_view>& args, ClientState& client, protocol::ReplyWriter& reply);

 private:
  // The spec to run, or nullptr after writing the rejection (unknown command, arity, auth, no_multi).
  const CommandSpec* Resolve(const std::vector<std::string_view>& args, ClientState& client,
                             protocol::ReplyWriter& reply);

  ServerState& server_;
};

// Whether the caller of CallCommand already holds the command's shard locks.
enum class ShardLocking : uint8_t { kTake, kHeldByCaller };

// Runs one resolved command: its handler (after taking its shard locks, unless the caller holds them, as EXEC
// does for its queued commands), then the bookkeeping of Redis's call(): command and error statistics, the
// slow log, the latency monitor, MONITOR.
void CallCommand(ServerState& server, const CommandSpec& spec, const std::vector<std::string_view>& args,
                 ClientState& client, protocol::ReplyWriter& reply, ShardLocking locking);

enum class AclDenial : uint8_t;
struct AclVerdict;
// The client's ACL check of a resolved command (Redis's ACLCheckAllPerm): "" if allowed, else why not (the
// text after the error code), after adding the denial to the ACL LOG when `log` is set.
std::string AclDenialText(ServerState& server, const CommandSpec& spec, const std::vector<std::string_view>& args,
                          ClientState& client, bool log = true);
// The same check as processCommand answers it: "" if allowed, else the NOPERM error line.
std::string CheckAcl(ServerState& server, const CommandSpec& spec, const std::vector<std::string_view>& args,
                     ClientState& client);
// Adds a denial to the ACL LOG with the client's CLIENT LIST line: `object` is the command, key or channel
// refused (for a failed AUTH / HELLO AUTH the command name as sent), `username` the user it was refused to.
void LogAclDenial(ServerState& server, ClientState& client, AclDenial reason, std::string object,
                  std::string username);
// The same for a refused command: the object is the command's full name, or the key or channel refused.
void LogAclVerdict(ServerState& server, ClientState& client, const AclVerdict& verdict, const CommandSpec& spec,
                   const std::vector<std::string_view>& args);

// The MONITOR line for a command: +<sec>.<usec> [<db> <addr>] "arg" "arg"...\r\n with Redis's quoting.
std::string FormatMonitorLine(int64_t now_us, int db, std::string_view addr,
                              const std::vector<std::string_view>& args);

}  // namespace sessionkv::server

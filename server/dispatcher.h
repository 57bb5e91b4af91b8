// SPDX-License-Identifier: Apache-2.0
// Runs one parsed request: table lookup, arity and auth checks, shard locking, the handler, then the
// bookkeeping Redis does around every call (command stats, error stats, slow log, MONITOR, CLIENT REPLY).
#pragma once

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
  // The spec to run, or nullptr after writing the rejection (unknown command, arity, auth).
  const CommandSpec* Resolve(const std::vector<std::string_view>& args, ClientState& client,
                             protocol::ReplyWriter& reply);
  void RunLocked(const CommandSpec& spec, const std::vector<std::string_view>& args, ClientState& client,
                 protocol::ReplyWriter& reply);
  void FeedMonitors(const std::vector<std::string_view>& args, const ClientState& client, int64_t now_us);
  // If the reply written since `mark` is an error, counts it (errorstats) and returns true.
  bool CountErrorReply(const std::string& out, size_t mark);

  ServerState& server_;
};

// The MONITOR line for a command: +<sec>.<usec> [<db> <addr>] "arg" "arg"...\r\n with Redis's quoting.
std::string FormatMonitorLine(int64_t now_us, int db, std::string_view addr,
                              const std::vector<std::string_view>& args);

}  // namespace sessionkv::server

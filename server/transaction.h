// SPDX-License-Identifier: Apache-2.0
// The client side of MULTI/EXEC and WATCH: one connection's queued commands and watched keys (held in
// ClientState), and what the dispatcher, EXEC, DISCARD, RESET and a closing connection share. The commands
// are in server/commands/transactions.cc; the watch registry that other clients touch is storage/watch.h.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "storage/keyspace.h"

namespace sessionkv::server {

struct ClientState;
struct CommandSpec;

// A command queued between MULTI and EXEC. The arguments are copies: the request buffer they were parsed
// from is reused by the next request.
struct QueuedCommand {
  const CommandSpec* spec;
  std::vector<std::string> args;
};

// Redis's multiState plus CLIENT_DIRTY_EXEC.
struct MultiState {
  std::vector<QueuedCommand> commands;
  bool aborted = false;  // a command was rejected while queueing: EXEC answers EXECABORT
  size_t arg_bytes = 0;  // the queued arguments' bytes (CLIENT LIST multi-mem)
};

// A WATCHed key with the database it was watched in (a later SELECT does not move the watch).
struct WatchedKey {
  int db;
  std::string key;
};

// Whether `spec` runs at once inside MULTI rather than being queued: EXEC, DISCARD, MULTI, WATCH, QUIT and
// RESET, as in Redis's processCommand.
bool RunsInsideMulti(const CommandSpec& spec);
// Queues a command of a client in MULTI (nothing once the transaction is already doomed, as Redis).
void QueueCommand(ClientState& client, const CommandSpec& spec, const std::vector<std::string_view>& args);
// A command was rejected while the client is in MULTI: EXEC will answer EXECABORT (flagTransaction).
void FlagTransaction(ClientState& client);
// EXEC itself was rejected (wrong arity, NOAUTH, subscribed context), in MULTI or not: Redis's
// execCommandAbort discards the transaction and its watches and replaces the rejection, the error line
// written at out[mark..], by "EXECABORT Transaction discarded because of: <error without ERR>".
void AbortExec(storage::Keyspace& ks, ClientState& client, protocol::ReplyWriter& reply, size_t mark);

// Whether the caller already holds the shard locks of the client's watched keys.
enum class WatchLocks : uint8_t { kTake, kHeld };
// Drops every watch of `client` and clears its dirty flag (UNWATCH; EXEC, DISCARD, RESET, disconnect).
// With kTake each shard is locked in turn, never two at once, so any caller that holds no shard lock may
// call it.
void UnwatchAllKeys(storage::Keyspace& ks, ClientState& client, WatchLocks locks);
// Leaves MULTI and unwatches everything (Redis's discardTransaction); the caller holds no shard lock.
void DiscardTransaction(storage::Keyspace& ks, ClientState& client);
// Copies the MULTI/WATCH state into ClientInfo for CLIENT LIST (multi=, multi-mem=, flags x).
void PublishMultiState(ClientState& client);

}  // namespace sessionkv::server

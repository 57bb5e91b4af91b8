// SPDX-License-Identifier: Apache-2.0
// One registration function per command family; server/command_table.cc calls them in a fixed order.
#pragma once

namespace sessionkv::server {

class CommandTable;

void RegisterConnectionCommands(CommandTable& table);     // commands/connection.cc
void RegisterClientCommand(CommandTable& table);          // commands/client.cc
void RegisterStringCommands(CommandTable& table);         // commands/strings.cc
void RegisterKeyCommands(CommandTable& table);            // commands/keys.cc
void RegisterExpireCommands(CommandTable& table);         // commands/expire.cc
void RegisterSetCommands(CommandTable& table);            // commands/sets.cc
void RegisterHashCommands(CommandTable& table);           // commands/hashes.cc
void RegisterZSetCommands(CommandTable& table);           // commands/zsets.cc
void RegisterZSetRangeCommands(CommandTable& table);      // commands/zset_ranges.cc
void RegisterZSetAlgebraCommands(CommandTable& table);    // commands/zset_algebra.cc
void RegisterListCommands(CommandTable& table);           // commands/lists.cc
void RegisterPubSubCommands(CommandTable& table);         // commands/pubsub.cc
void RegisterTransactionCommands(CommandTable& table);    // commands/transactions.cc
void RegisterServerCommands(CommandTable& table);         // commands/server.cc (CONFIG, TIME, MONITOR, ...)
void RegisterPersistenceCommands(CommandTable& table);    // commands/persistence.cc (SAVE, BGSAVE, ...)
void RegisterReplicationCommands(CommandTable& table);   // commands/replication.cc (REPLICAOF, ROLE, ...)
void RegisterInfoCommands(CommandTable& table);           // commands/info.cc
void RegisterIntrospectionCommands(CommandTable& table);  // commands/introspection.cc (COMMAND, SLOWLOG...)
void RegisterAclCommands(CommandTable& table);            // commands/acl.cc
void RegisterShutdownCommand(CommandTable& table);        // commands/shutdown.cc
void RegisterScriptingCommands(CommandTable& table);      // commands/scripting.cc (EVAL, SCRIPT)

}  // namespace sessionkv::server

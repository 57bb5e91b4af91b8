// SPDX-License-Identifier: Apache-2.0
// Transactions: MULTI EXEC DISCARD WATCH UNWATCH, with Redis 7's semantics.
//
// Between MULTI and EXEC the dispatcher checks each command as Redis's processCommand does and queues it
// (server/transaction.h); a rejection (unknown command, arity, no_multi...) dooms the transaction, while
// runtime errors inside EXEC are just elements of its reply.
//
// Atomicity in a multi-threaded server: EXEC locks, once and in ascending order, the union of the shards
// of every queued command's keys (all of them if one needs all) and of the watched keys, then checks the
// watches and runs every queued handler without relocking, so no other client's command interleaves with
// the transaction or slips between the WATCH check and the first queued command. The whole transaction
// reaches the disk (and the replicas) as one atomic batch.
#include <string_view>
#include <vector>

#include "server/acl.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/dispatcher.h"
#include "server/mutation_scope.h"
#include "server/shard_locks.h"
#include "server/transaction.h"

namespace sessionkv::server {
namespace {

// The argument views of every queued command, built once for locking and for running.
using QueuedArgs = std::vector<std::vector<std::string_view>>;

QueuedArgs ArgViews(const std::vector<QueuedCommand>& commands) {
  QueuedArgs views;
  views.reserve(commands.size());
  for (const QueuedCommand& q : commands) views.emplace_back(q.args.begin(), q.args.end());
  return views;
}

// The shards EXEC locks: those of each queued command (every shard for a whole-database one) and those of
// the watched keys, whose watches EXEC checks and drops under the same locks.
ShardList TransactionShards(const storage::Keyspace& ks, const std::vector<QueuedCommand>& commands,
                            const QueuedArgs& args, const std::vector<WatchedKey>& watched) {
  ShardList shards;
  for (size_t i = 0; i < commands.size(); ++i) {
    if (commands[i].spec->lock == LockScope::kAllShards) {
      shards.clear();
      AppendShardsOf(ks, *commands[i].spec, args[i], &shards);
      return shards;
    }
    AppendShardsOf(ks, *commands[i].spec, args[i], &shards);
  }
  for (const WatchedKey& w : watched) shards.push_back(ks.ShardOfKey(w.key));
  return shards;
}

// True if EXEC must fail for its WATCHes: a watched key changed since WATCH, or it was live then and is
// logically expired now even if nothing deleted it yet (Redis 7's isWatchedKeyExpired). Needs the watched
// keys' shards locked.
bool WatchBroken(storage::Keyspace& ks, const ClientState& client) {
  const storage::WatchFlag* flag = client.info->watch_flag.get();
  if (flag->dirty.load(std::memory_order_relaxed)) return true;
  for (const WatchedKey& w : client.watched) {
    if (ks.WatchedKeyExpired(w.db, w.key, flag)) return true;
  }
  return false;
}

// The NOPERM element EXEC answers for a queued command the client's user may no longer run; "" if allowed.
std::string RecheckAcl(CommandContext& ctx, const CommandSpec& spec, const std::vector<std::string_view>& args) {
  ClientState& client = ctx.client();
  if (client.user == nullptr) return {};
  const AclUserRules& rules = CurrentRules(client);
  const AclVerdict verdict = ctx.server().acl.Check(rules, spec, args);
  if (verdict.ok()) return {};
  LogAclVerdict(ctx.server(), client, verdict, spec, args);
  std::string_view reason = "no permission";
  if (verdict.denial == AclDenial::kCommand) reason = "no permission to execute the command or subcommand";
  if (verdict.denial == AclDenial::kKey) reason = "no permission to touch the specified keys";
  if (verdict.denial == AclDenial::kChannel) reason = "no permission to access one of the channels used as arguments";
  return StrCat("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC "
                "call. This command is no longer allowed for the following reason: ",
                reason);
}

void CmdMulti(CommandContext& ctx) {
  ClientState& client = ctx.client();
  if (client.multi) return ctx.Error("ERR MULTI calls can not be nested");
  client.multi.emplace();
  PublishMultiState(client);
  ctx.reply().Ok();
}

void CmdDiscard(CommandContext& ctx) {
  if (!ctx.client().multi) return ctx.Error("ERR DISCARD without MULTI");
  DiscardTransaction(ctx.keyspace(), ctx.client());
  ctx.reply().Ok();
}

// EXEC: EXECABORT for a doomed transaction, a null array when a WATCH failed, else an array with each
// queued command's reply. The client stays in MULTI (CLIENT LIST: flags x, multi=<count>) and `in_exec`
// is set while the queued commands run, as in Redis.
void CmdExec(CommandContext& ctx) {
  ClientState& client = ctx.client();
  if (!client.multi) return ctx.Error("ERR EXEC without MULTI");
  storage::Keyspace& ks = ctx.keyspace();
  if (client.multi->aborted) {
    DiscardTransaction(ks, client);
    return ctx.Error("EXECABORT Transaction discarded because of previous errors.");
  }
  // Nothing a queued command does can end MULTI (EXEC, DISCARD, MULTI, RESET run at once, never queued),
  // so the queue stays put while it runs.
  const std::vector<QueuedCommand>& commands = client.multi->commands;
  const QueuedArgs args = ArgViews(commands);
  {
    ShardLocks locks(ks, TransactionShards(ks, commands, args, client.watched));
    // Every queued command records into this scope's sink: the transaction is one atomic batch of the
    // commit log, appended before the locks are released.
    MutationScope mutations(ctx.server(), client);
    const bool watch_broken = WatchBroken(ks, client);
    UnwatchAllKeys(ks, client, WatchLocks::kHeld);  // before running, as Redis: the watches are spent
    if (watch_broken) {
      ctx.reply().NullArray();
    } else {
      client.in_exec = true;
      ctx.reply().ArrayHeader(commands.size());
      for (size_t i = 0; i < commands.size(); ++i) {
        // ACLs may have changed since the command was queued: checked again, as Redis's execCommand does.
        if (std::string denial = RecheckAcl(ctx, *commands[i].spec, args[i]); !denial.empty()) {
          ctx.reply().Error(denial);
          continue;
        }
        CallCommand(ctx.server(), *commands[i].spec, args[i], client, ctx.reply(),
                    ShardLocking::kHeldByCaller);
      }
      client.in_exec = false;
    }
  }
  client.multi.reset();
  PublishMultiState(client);
}

// WATCH key [key ...]: the dispatcher holds the keys' shard locks. A client whose watches already failed
// gains nothing by watching more (Redis answers OK and adds none).
void CmdWatch(CommandContext& ctx) {
  ClientState& client = ctx.client();
  if (client.multi) return ctx.Error("ERR WATCH inside MULTI is not allowed");
  const std::shared_ptr<storage::WatchFlag>& flag = client.info->watch_flag;
  if (!flag->dirty.load(std::memory_order_relaxed)) {
    for (size_t i = 1; i < ctx.argc(); ++i) {
      if (ctx.keyspace().Watch(client.db, ctx.arg(i), flag)) {
        client.watched.push_back({client.db, std::string(ctx.arg(i))});
      }
    }
    PublishMultiState(client);
  }
  ctx.reply().Ok();
}

// UNWATCH: also clears a failed watch. Queued inside MULTI it finds nothing to unwatch (EXEC dropped the
// watches before running it), so it never locks a shard under EXEC's locks.
void CmdUnwatch(CommandContext& ctx) {
  UnwatchAllKeys(ctx.keyspace(), ctx.client(), WatchLocks::kTake);
  ctx.reply().Ok();
}

}  // namespace

void RegisterTransactionCommands(CommandTable& table) {
  // MULTI, DISCARD and UNWATCH share their flags and shape.
  auto simple = [](std::string_view name, CommandHandler handler, std::string_view since,
                   std::string_view summary) {
    return CommandRow{.name = name, .arity = 1, .flags = "noscript loading stale fast allow_busy",
                      .acl = "@transaction", .handler = handler, .group = "transactions", .since = since,
                      .summary = summary};
  };
  table.Add(simple("multi", CmdMulti, "1.2.0", "Starts a transaction."));
  table.Add(simple("discard", CmdDiscard, "2.0.0", "Discards a transaction."));
  table.Add(simple("unwatch", CmdUnwatch, "2.2.0", "Forgets about watched keys of a transaction."));
  table.Add({.name = "exec", .arity = 1, .flags = "noscript loading stale skip_slowlog",
             .acl = "@transaction", .handler = CmdExec, .group = "transactions", .since = "1.2.0",
             .summary = "Executes all commands in a transaction."});
  table.Add({.name = "watch", .arity = -2, .flags = "noscript loading stale fast allow_busy",
             .acl = "@transaction", .first_key = 1, .last_key = -1, .step = 1, .handler = CmdWatch,
             .group = "transactions", .since = "2.2.0",
             .summary = "Monitors changes to keys to determine the execution of a transaction.",
             .key_flags = "RO"});
}

}  // namespace sessionkv::server

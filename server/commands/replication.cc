// SPDX-License-Identifier: Apache-2.0
// Replication commands (docs/replication.md): REPLICAOF/SLAVEOF, ROLE, REPLCONF and SKVSYNC, the
// handshake our replicas send (Redis's PSYNC has no room for a history list or a RocksDB sequence).
#include "server/replication.h"

#include <algorithm>
#include <limits>

#include "base/steady_clock.h"
#include "server/arg_cursor.h"
#include "server/blocking.h"
#include "server/client_registry.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/errors.h"
#include "server/persistence.h"
#include "storage/rocks_engine.h"

namespace sessionkv::server {
namespace {

// REPLICAOF host port | NO ONE.
void CmdReplicaOf(CommandContext& ctx) {
  Replication& repl = *ctx.server().replication;
  if (EqualsIgnoreCase(ctx.arg(1), "no") && EqualsIgnoreCase(ctx.arg(2), "one")) {
    if (absl::Status s = repl.Promote(); !s.ok()) return ctx.Error(StrCat("ERR ", s.message()));
    return ctx.reply().Ok();
  }
  int64_t port = 0;
  if (!ParseInt64(ctx.arg(2), &port) || port < 0 || port > 65535) {
    return ctx.Error("ERR Invalid master port");
  }
  const LinkView link = repl.Link();
  if (repl.is_replica() && link.host == ctx.arg(1) && link.port == port) {
    return ctx.reply().SimpleString("OK Already connected to specified master");
  }
  if (absl::Status s = repl.Follow(std::string(ctx.arg(1)), static_cast<int>(port)); !s.ok()) {
    return ctx.Error(StrCat("ERR ", s.message()));
  }
  ctx.reply().Ok();
}

// ROLE: ["master", offset, [[ip, port, offset]...]] or ["slave", host, port, state, offset].
void CmdRole(CommandContext& ctx) {
  Replication& repl = *ctx.server().replication;
  if (!repl.is_replica()) {
    const std::vector<ReplicaView> replicas = repl.Replicas();
    ctx.reply().ArrayHeader(3);
    ctx.reply().Bulk("master");
    ctx.reply().Integer(static_cast<int64_t>(repl.last_seq()));
    ctx.reply().ArrayHeader(replicas.size());
    for (const ReplicaView& r : replicas) {
      ctx.reply().ArrayHeader(3);
      ctx.reply().Bulk(r.ip);
      ctx.reply().Bulk(StrCat(r.port));
      ctx.reply().Bulk(StrCat(r.acked_seq));
    }
    return;
  }
  const LinkView link = repl.Link();
  ctx.reply().ArrayHeader(5);
  ctx.reply().Bulk("slave");
  ctx.reply().Bulk(link.host);
  ctx.reply().Integer(link.port);
  ctx.reply().Bulk(link.sync_in_progress ? "sync" : link.up ? "connected" : "connect");
  ctx.reply().Integer(link.up ? static_cast<int64_t>(repl.last_seq()) : -1);
}

// REPLCONF <option> <value> ...: listening-port and capa zstd are remembered for SKVSYNC; ACK carries a
// replica's applied and synced sequences (ACK <applied> FACK <synced>) and, as in Redis, gets no reply.
void CmdReplConf(CommandContext& ctx) {
  if (ctx.argc() % 2 == 0) return ctx.Error(kErrSyntax);
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    const std::string_view option = ctx.arg(i);
    if (EqualsIgnoreCase(option, "ack")) {
      // Redis 7's form: ACK <offset> [FACK <fsynced offset>]; a malformed ACK is ignored, as there.
      int64_t applied = 0, synced = 0;
      if (!ParseInt64(ctx.arg(i + 1), &applied) || applied < 0) return;
      synced = applied;
      if (i + 3 < ctx.argc() && EqualsIgnoreCase(ctx.arg(i + 2), "fack") &&
          (!ParseInt64(ctx.arg(i + 3), &synced) || synced < 0)) {
        synced = applied;
      }
      ctx.server().replication->OnAck(ctx.client().info->id, static_cast<uint64_t>(applied),
                                      static_cast<uint64_t>(synced));
      ctx.client().drop_reply = true;
      return;
    }
    if (EqualsIgnoreCase(option, "listening-port")) {
      int64_t port = 0;
      if (!ParseInt64(ctx.arg(i + 1), &port) || port < 0 || port > 65535) {
        return ctx.Error("ERR value is not an integer or out of range");
      }
      ctx.client().replica_listening_port = static_cast<int>(port);
    } else if (EqualsIgnoreCase(option, "capa")) {
      // Any capability is accepted, as in Redis (eof, psync2, ...); only zstd changes our stream.
      if (EqualsIgnoreCase(ctx.arg(i + 1), "zstd")) ctx.client().replica_capa_zstd = true;
    } else if (!EqualsIgnoreCase(option, "ip-address")) {
      return ctx.Error(StrCat("ERR Unrecognized REPLCONF option: ", option));
    }
  }
  ctx.reply().Ok();
}

// SKVSYNC <history id | -> <next sequence> <replica id> [<replica keys>] [FORCE-RESYNC]: after +OK the
// connection carries the primary's frames (replication/frame_codec.h).
void CmdSkvSync(CommandContext& ctx) {
  replication::ResumeRequest request;
  if (ctx.arg(1) != "-") request.history_id = std::string(ctx.arg(1));
  int64_t next = 0, keys = 0;
  if (!ParseInt64(ctx.arg(2), &next) || next <= 0) return ctx.Error("ERR invalid next sequence");
  if (ctx.argc() > 4 && (!ParseInt64(ctx.arg(4), &keys) || keys < 0)) return ctx.Error("ERR invalid key count");
  request.next_seq = static_cast<uint64_t>(next);
  request.replica_keys = static_cast<uint64_t>(keys);
  request.force_resync = ctx.argc() > 5 && EqualsIgnoreCase(ctx.arg(5), "force-resync");
  std::shared_ptr<ClientHandle> handle = ctx.server().clients.Find(ctx.client().info->id);
  if (!handle) return ctx.Error("ERR the connection is closing");
  const replication::Compression compression =
      ctx.client().replica_capa_zstd ? replication::Compression::kZstd : replication::Compression::kNone;
  if (absl::Status s = ctx.server().replication->Attach(handle, ctx.client().info, request,
                                                        ctx.client().replica_listening_port, compression);
      !s.ok()) {
    return ctx.Error(StrCat("ERR ", s.message()));
  }
  ctx.reply().Ok();
}

// The newest sequence, covering the caller's writes. A command pipelined after a write runs before
// the write's batch leaves the commit log (its reply waits, the next command does not): the batch
// is written first, so that the sequence includes it.
uint64_t SeqCoveringCaller(CommandContext& ctx) {
  storage::RocksEngine* rocks = ctx.server().persistence.rocks;
  const uint64_t ticket = ctx.client().last_ticket;
  if (rocks != nullptr && ticket > rocks->log().written()) rocks->Commit(ticket);
  return ctx.server().replication->last_seq();
}

// Blocks the caller until `request` is met or its deadline, or answers now when it is met already
// or the caller cannot block (MULTI, scripts: Redis answers with the counts reached).
void WaitFor(CommandContext& ctx, Replication::WaitRequest request) {
  Replication& repl = *ctx.server().replication;
  bool done = false;
  std::string reply = repl.WaitReply(request, &done);
  std::shared_ptr<ClientHandle> handle =
      done || !Blocking::MayBlock(ctx) ? nullptr : ctx.server().clients.Find(ctx.client().info->id);
  if (!handle) return (void)ctx.reply().buffer()->append(reply);
  ctx.server().blocking.Block(ctx, {}, storage::ValueType::kList, 0);
  repl.AddWaiter(ctx.client().blocked, std::move(handle), request);
}

// A timeout in milliseconds as Redis's getTimeoutFromObjectOrReply reads it; false after the error.
bool ParseTimeoutMs(CommandContext& ctx, std::string_view arg, int64_t* timeout_ms) {
  if (!ParseInt64(arg, timeout_ms))
    return ctx.Error("ERR timeout is not an integer or out of range"), false;
  if (*timeout_ms < 0) return ctx.Error("ERR timeout is negative"), false;
  return true;
}

// WAIT numreplicas timeout: the number of replicas that acknowledged every write the caller made.
void CmdWait(CommandContext& ctx) {
  int64_t needed = 0, timeout_ms = 0;
  if (!ParseInt64(ctx.arg(1), &needed))
    return ctx.Error("ERR value is not an integer or out of range");
  if (!ParseTimeoutMs(ctx, ctx.arg(2), &timeout_ms)) return;
  if (ctx.server().replication->is_replica()) {
    return ctx.Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a "
                     "replica is configured to be writable (which is not the default) writes to replicas are just "
                     "local and are not propagated.");
  }
  WaitFor(ctx, {.seq = SeqCoveringCaller(ctx),
                .replicas = static_cast<size_t>(std::max<int64_t>(needed, 0)),
                .deadline_ms = timeout_ms == 0 ? 0 : SteadyMillis() + timeout_ms});
}

// WAITAOF numlocal numreplicas timeout (Redis 7.2): [local, replicas] that fsynced every write the
// caller made: local is this primary's WAL (0 or 1), replicas those whose FACK covers the caller's
// sequence.
void CmdWaitAof(CommandContext& ctx) {
  int64_t local = 0, replicas = 0, timeout_ms = 0;
  if (!ParseInt64(ctx.arg(1), &local))
    return ctx.Error("ERR value is not an integer or out of range");
  if (local < 0 || local > 1)
    return ctx.Error("ERR value is out of range, value must between 0 and 1");
  if (!ParseInt64(ctx.arg(2), &replicas))
    return ctx.Error("ERR value is not an integer or out of range");
  if (replicas < 0) return ctx.Error("ERR value is out of range, must be positive");
  if (!ParseTimeoutMs(ctx, ctx.arg(3), &timeout_ms)) return;
  const int64_t now = SteadyMillis();
  if (timeout_ms > std::numeric_limits<int64_t>::max() - now)
    return ctx.Error("ERR timeout is out of range");
  if (ctx.server().replication->is_replica()) {
    return ctx.Error(
        "ERR WAITAOF cannot be used with replica instances. Please also note that writes to "
        "replicas "
        "are just local and are not propagated.");
  }
  if (local > 0 && ctx.server().persistence.rocks == nullptr) {
    return ctx.Error("ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.");
  }
  const uint64_t seq = SeqCoveringCaller(ctx);
  if (storage::RocksEngine* rocks = ctx.server().persistence.rocks; rocks != nullptr) {
    // Under always the caller's write was fsynced with it; what an earlier policy left unsynced is
    // synced now, as Redis fsyncs at its next beforeSleep after appendfsync became always.
    storage::CommitLog& log = rocks->log();
    if (log.policy() == storage::FsyncPolicy::kAlways && log.synced() < ctx.client().last_ticket) {
      (void)log.SyncWritten();
    }
  }
  WaitFor(ctx, {.aof = true,
                .seq = seq,
                .replicas = static_cast<size_t>(replicas),
                .ticket = ctx.client().last_ticket,
                .local = static_cast<int>(local),
                .deadline_ms = timeout_ms == 0 ? 0 : now + timeout_ms});
}

}  // namespace

void RegisterReplicationCommands(CommandTable& table) {
  table.Add({.name = "wait", .arity = 3, .flags = "noscript", .acl = "@slow @connection",
             .handler = CmdWait, .group = "generic", .since = "3.0.0",
             .summary = "Blocks until the asynchronous replication of all preceding write commands sent by the "
                        "connection are completed.",
             .tips = "request_policy:all_shards response_policy:agg_min"});
  table.Add({.name = "waitaof",
             .arity = 4,
             .flags = "blocking",
             .acl = "@slow @connection",
             .handler = CmdWaitAof,
             .group = "generic",
             .since = "7.2.0",
             .summary = "Blocks until all of the preceding write commands sent by the connection "
                        "are written to the "
                        "append-only file of the primary and/or replicas.",
             .tips = "request_policy:all_shards response_policy:agg_min"});
  for (const char* name : {"replicaof", "slaveof"}) {
    table.Add({.name = name, .arity = 3, .flags = "admin noscript stale no_async_loading",
               .handler = CmdReplicaOf, .group = "server", .since = "5.0.0",
               .summary = "Configures a server as replica of another, or promotes it to a master."});
  }
  table.Add({.name = "role", .arity = 1, .flags = "noscript loading stale fast", .acl = "@admin @dangerous",
             .handler = CmdRole, .group = "server", .since = "2.8.12",
             .summary = "Returns the replication role."});
  table.Add({.name = "replconf", .arity = -1, .flags = "admin noscript loading stale allow_busy",
             .handler = CmdReplConf, .group = "server", .since = "3.0.0",
             .summary = "An internal command for configuring the replication stream."});
  table.Add({.name = "skvsync", .arity = -4, .flags = "admin noscript stale no_multi",
             .handler = CmdSkvSync, .group = "server", .since = "7.0.0",
             .summary = "sessionkv's replication handshake: resume or full sync from a RocksDB sequence."});
}

}  // namespace sessionkv::server

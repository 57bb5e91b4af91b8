// SPDX-License-Identifier: Apache-2.0
// Persistence commands: SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF (docs/persistence.md, "Commands").
//
// Every acknowledged write is already in RocksDB's WAL, so there is no snapshot to take: SAVE and BGSAVE
// flush the memtables into SST files and fsync the WAL (what a restart then has to replay shrinks to
// nothing), BGREWRITEAOF compacts everything (stale versions and deleted keys go, the files shrink),
// which is what an AOF rewrite achieves. With appendonly no there is nothing to write to.
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/errors.h"
#include "server/persistence.h"
#include "storage/rocks_engine.h"

namespace sessionkv::server {
namespace {

constexpr std::string_view kErrNoPersistence =
    "ERR persistence is off (appendonly no): the data is kept in memory only";
constexpr std::string_view kErrSaveInProgress = "ERR Background save already in progress";

// The engine, or nullptr after replying the error of memory-only mode.
storage::RocksEngine* EngineOrError(CommandContext& ctx) {
  storage::RocksEngine* rocks = ctx.server().persistence.rocks;
  if (rocks == nullptr) ctx.Error(kErrNoPersistence);
  return rocks;
}

void CmdSave(CommandContext& ctx) {
  storage::RocksEngine* rocks = EngineOrError(ctx);
  if (rocks == nullptr) return;
  if (rocks->background_save_running()) return ctx.Error(kErrSaveInProgress);
  if (absl::Status s = rocks->Save(); !s.ok()) return ctx.Error(StrCat("ERR ", s.message()));
  ctx.reply().Ok();
}

void CmdBgSave(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argc() > 2) return ctx.Error(kErrSyntax);
  if (ctx.argc() == 2) {
    if (!EqualsIgnoreCase(ctx.arg(1), "schedule")) return ctx.Error(kErrSyntax);
    schedule = true;
  }
  storage::RocksEngine* rocks = EngineOrError(ctx);
  if (rocks == nullptr) return;
  if (!rocks->StartBackgroundSave()) {
    // SCHEDULE asks for a save after the one in progress; that one covers every write acknowledged so
    // far, which is what a scheduled save would have added.
    if (schedule) return ctx.reply().SimpleString("Background saving scheduled");
    return ctx.Error(kErrSaveInProgress);
  }
  ctx.reply().SimpleString("Background saving started");
}

void CmdLastSave(CommandContext& ctx) {
  storage::RocksEngine* rocks = ctx.server().persistence.rocks;
  // Memory only: Redis answers the start time when it never saved.
  ctx.reply().Integer(rocks != nullptr ? rocks->last_save_unix() : ctx.server().start_time_ms / 1000);
}

void CmdBgRewriteAof(CommandContext& ctx) {
  storage::RocksEngine* rocks = EngineOrError(ctx);
  if (rocks == nullptr) return;
  if (!rocks->StartBackgroundCompaction()) {
    return ctx.Error("ERR Background append only file rewriting already in progress");
  }
  ctx.reply().SimpleString("Background append only file rewriting started");
}

}  // namespace

void RegisterPersistenceCommands(CommandTable& table) {
  table.Add({.name = "save", .arity = 1, .flags = "admin noscript no_async_loading no_multi",
             .handler = CmdSave, .group = "server", .since = "1.0.0",
             .summary = "Synchronously saves the database(s) to disk."});
  table.Add({.name = "bgsave", .arity = -1, .flags = "admin noscript no_async_loading",
             .handler = CmdBgSave, .group = "server", .since = "1.0.0",
             .summary = "Asynchronously saves the database(s) to disk."});
  table.Add({.name = "lastsave", .arity = 1, .flags = "loading stale fast", .acl = "@admin @dangerous",
             .handler = CmdLastSave, .group = "server", .since = "1.0.0",
             .summary = "Returns the Unix timestamp of the last successful save to disk.",
             .tips = "nondeterministic_output"});
  table.Add({.name = "bgrewriteaof", .arity = 1, .flags = "admin noscript no_async_loading",
             .handler = CmdBgRewriteAof, .group = "server", .since = "1.0.0",
             .summary = "Asynchronously rewrites the append-only file to disk."});
}

}  // namespace sessionkv::server

// SPDX-License-Identifier: Apache-2.0
// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT: the command side of Lua scripting; the interpreter, the
// sandbox and redis.call are in server/script_engine.h.
#include <string_view>
#include <vector>

#include "server/arg_cursor.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/errors.h"
#include "server/script_engine.h"

namespace sessionkv::server {
namespace {

// The number of keys of EVAL script|sha numkeys key... arg..., or the error Redis answers.
absl::StatusOr<size_t> NumKeys(const std::vector<std::string_view>& args) {
  int64_t n = 0;
  if (!ParseInt64(args[2], &n)) return absl::InvalidArgumentError(ToAbsl(kErrNotInteger));
  if (n < 0) return absl::InvalidArgumentError("ERR Number of keys can't be negative");
  if (static_cast<uint64_t>(n) > args.size() - 3) {
    return absl::InvalidArgumentError("ERR Number of keys can't be greater than number of args");
  }
  return static_cast<size_t>(n);
}

// Key positions for the dispatcher and COMMAND GETKEYS: argv[3 .. 3+numkeys); none when numkeys is
// invalid (the handler then answers the error).
std::vector<int> EvalKeys(const std::vector<std::string_view>& args) {
  std::vector<int> keys;
  if (args.size() < 3) return keys;
  absl::StatusOr<size_t> n = NumKeys(args);
  if (!n.ok()) return keys;
  for (size_t i = 0; i < *n; ++i) keys.push_back(static_cast<int>(3 + i));
  return keys;
}

void EvalGeneric(CommandContext& ctx, bool by_sha, bool read_only) {
  absl::StatusOr<size_t> numkeys = NumKeys(ctx.args());
  if (!numkeys.ok()) return ctx.Error(numkeys.status());
  ScriptCall call;
  call.by_sha = by_sha;
  call.read_only = read_only;
  if (by_sha) {
    call.sha = AsciiStrToLower(ctx.arg(1));
    if (call.sha.size() != 40) return ctx.Error("NOSCRIPT No matching script. Please use EVAL.");
  } else {
    call.body = ctx.arg(1);
    call.sha = ScriptEngine::Sha1Hex(call.body);
  }
  const std::vector<std::string_view>& args = ctx.args();
  call.keys.assign(args.begin() + 3, args.begin() + 3 + static_cast<std::ptrdiff_t>(*numkeys));
  call.argv.assign(args.begin() + 3 + static_cast<std::ptrdiff_t>(*numkeys), args.end());
  ctx.server().scripts.Eval(ctx, call);
}

void CmdEval(CommandContext& ctx) { EvalGeneric(ctx, false, false); }
void CmdEvalRo(CommandContext& ctx) { EvalGeneric(ctx, false, true); }
void CmdEvalSha(CommandContext& ctx) { EvalGeneric(ctx, true, false); }
void CmdEvalShaRo(CommandContext& ctx) { EvalGeneric(ctx, true, true); }

void CmdScriptLoad(CommandContext& ctx) {
  absl::StatusOr<std::string> sha = ctx.server().scripts.Load(ctx.arg(2));
  if (!sha.ok()) return ctx.Error(sha.status());
  ctx.reply().Bulk(*sha);
}

void CmdScriptExists(CommandContext& ctx) {
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) ctx.reply().Integer(ctx.server().scripts.Exists(ctx.arg(i)) ? 1 : 0);
}

// SCRIPT FLUSH [ASYNC|SYNC]: both forget the scripts at once (the cache is small; Redis frees the old Lua
// state in the background for ASYNC).
void CmdScriptFlush(CommandContext& ctx) {
  if (ctx.argc() > 3 ||
      (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "sync") && !EqualsIgnoreCase(ctx.arg(2), "async"))) {
    return ctx.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  ctx.server().scripts.Flush();
  ctx.reply().Ok();
}

void CmdScriptKill(CommandContext& ctx) {
  switch (ctx.server().scripts.Kill()) {
    case ScriptEngine::KillResult::kNotBusy:
      return ctx.Error("NOTBUSY No scripts in execution right now.");
    case ScriptEngine::KillResult::kUnkillable:
      return ctx.Error(
          "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
          "either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE "
          "command.");
    case ScriptEngine::KillResult::kKilled:
      return ctx.reply().Ok();
  }
}

void CmdScriptHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

CommandRow EvalRow(std::string_view name, std::string_view flags, CommandHandler handler, bool read_only,
                   std::string_view since, std::string_view summary) {
  return CommandRow{
      .name = name, .arity = -3, .flags = flags, .acl = "@scripting", .handler = handler, .group = "scripting",
      .since = since, .summary = summary,
      .key_flags = read_only ? "RO ACCESS" : "RW ACCESS UPDATE",
      .key_notes = name.starts_with("evalsha")
                       ? ""
                       : (read_only ? "We cannot tell how the keys will be used so we assume the worst, RO and "
                                      "ACCESS"
                                    : "We cannot tell how the keys will be used so we assume the worst, RW and "
                                      "UPDATE"),
      .numkeys_index = 2,
      // Atomic, and free to touch keys it did not declare (as Redis allows outside cluster mode).
      .lock = LockScope::kAllShards,
      .keys_function = EvalKeys};
}

constexpr KeylessRows ScriptSub{.group = "scripting", .acl = "@scripting"};

}  // namespace

void RegisterScriptingCommands(CommandTable& table) {
  constexpr std::string_view kEvalFlags = "noscript stale skip_monitor no_mandatory_keys movablekeys";
  constexpr std::string_view kEvalRoFlags = "readonly noscript stale skip_monitor no_mandatory_keys movablekeys";
  table.Add(EvalRow("eval", kEvalFlags, CmdEval, false, "2.6.0", "Executes a server-side Lua script."));
  table.Add(EvalRow("evalsha", kEvalFlags, CmdEvalSha, false, "2.6.0",
                    "Executes a server-side Lua script by SHA1 digest."));
  table.Add(EvalRow("eval_ro", kEvalRoFlags, CmdEvalRo, true, "7.0.0",
                    "Executes a read-only server-side Lua script."));
  table.Add(EvalRow("evalsha_ro", kEvalRoFlags, CmdEvalShaRo, true, "7.0.0",
                    "Executes a read-only server-side Lua script by SHA1 digest."));
  table.Add({.name = "script", .arity = -2, .group = "scripting", .since = "2.6.0",
             .summary = "A container for Lua scripts management commands.",
             .subcommands = {
                 ScriptSub("exists", -3, "noscript", CmdScriptExists, "2.6.0",
                           "Determines whether server-side Lua scripts exist in the script cache.",
                           "request_policy:all_shards response_policy:agg_logical_and"),
                 ScriptSub("flush", -2, "noscript", CmdScriptFlush, "2.6.0",
                           "Removes all server-side Lua scripts from the script cache.",
                           "request_policy:all_nodes response_policy:all_succeeded"),
                 ScriptSub("help", 2, "loading stale", CmdScriptHelp, "5.0.0",
                           "Returns helpful text about the different subcommands."),
                 ScriptSub("kill", 2, "noscript allow_busy", CmdScriptKill, "2.6.0",
                           "Terminates a server-side Lua script during execution.",
                           "request_policy:all_shards response_policy:one_succeeded"),
                 ScriptSub("load", 3, "noscript stale", CmdScriptLoad, "2.6.0",
                           "Loads a server-side Lua script to the script cache.",
                           "request_policy:all_nodes response_policy:all_succeeded"),
             }});
}

}  // namespace sessionkv::server

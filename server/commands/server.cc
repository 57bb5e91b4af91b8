// SPDX-License-Identifier: Apache-2.0
// Server commands: CONFIG (GET, SET, RESETSTAT, REWRITE, HELP), TIME, MONITOR.
#include <string>
#include <vector>

#include "base/strings.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/config.h"
#include "server/errors.h"

namespace sessionkv::server {
namespace {

void CmdConfigGet(CommandContext& ctx) {
  std::vector<std::string_view> patterns(ctx.args().begin() + 2, ctx.args().end());
  const auto pairs = ctx.server().config.Get(patterns);
  ctx.reply().MapHeader(pairs.size());
  for (const auto& [name, value] : pairs) {
    ctx.reply().Bulk(name);
    ctx.reply().Bulk(value);
  }
}

void CmdConfigSet(CommandContext& ctx) {
  if ((ctx.argc() - 2) % 2 != 0) return ctx.Error(kErrSyntax);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 2; i + 1 < ctx.argc(); i += 2) pairs.emplace_back(ctx.arg(i), ctx.arg(i + 1));
  if (absl::Status status = ctx.server().config.Set(pairs, ctx.client().info->loopback); !status.ok()) {
    return ctx.Error(status);
  }
  ctx.reply().Ok();
}

void CmdConfigResetStat(CommandContext& ctx) {
  ServerState& server = ctx.server();
  server.stats.Reset();
  server.commands.ForEach([](const CommandSpec& spec) {
    spec.stats.Reset();
    for (const auto& sub : spec.subcommands) sub->stats.Reset();
  });
  auto& ks = server.keyspace.stats();
  ks.expired_keys = 0;
  ks.evicted_keys = 0;
  server.eviction.ResetStats();
  ks.keyspace_hits = 0;
  ks.keyspace_misses = 0;
  ctx.reply().Ok();
}

void CmdConfigRewrite(CommandContext& ctx) {
  if (absl::Status status = ctx.server().config.Rewrite(); !status.ok()) return ctx.Error(status);
  ctx.reply().Ok();
}

void CmdConfigHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

void CmdTime(CommandContext& ctx) {
  const int64_t now_us = ctx.server().clock.NowUs();
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(StrCat(now_us / 1000000));
  ctx.reply().Bulk(StrCat(now_us % 1000000));
}

void CmdMonitor(CommandContext& ctx) {
  ClientState& client = ctx.client();
  // Queued in MULTI, MONITOR would turn the connection into a stream in the middle of EXEC's reply; Redis
  // refuses it there (EXEC runs its commands as a "deny blocking" client).
  if (client.in_exec) return ctx.Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  if (!client.monitor) {
    client.monitor = true;
    client.info->flags.fetch_or(kClientMonitor, std::memory_order_relaxed);
    ctx.server().clients.AddMonitor(client.info->id);
  }
  ctx.reply().Ok();
}

}  // namespace

void RegisterServerCommands(CommandTable& table) {
  constexpr KeylessRows config_sub{.group = "server"};
  table.Add({.name = "config", .arity = -2, .group = "server", .since = "2.0.0",
             .summary = "A container for server configuration commands.",
             .subcommands = {
                 config_sub("get", -3, "admin noscript loading stale", CmdConfigGet, "2.0.0",
                            "Returns the effective values of configuration parameters."),
                 WithTips(config_sub("set", -4, "admin noscript loading stale", CmdConfigSet, "2.0.0",
                                     "Sets configuration parameters in-flight."),
                          "request_policy:all_nodes response_policy:all_succeeded"),
                 WithTips(config_sub("resetstat", 2, "admin noscript loading stale", CmdConfigResetStat,
                                     "2.0.0", "Resets the server's statistics."),
                          "request_policy:all_nodes response_policy:all_succeeded"),
                 WithTips(config_sub("rewrite", 2, "admin noscript loading stale", CmdConfigRewrite,
                                     "2.8.0", "Persists the effective configuration to file."),
                          "request_policy:all_nodes response_policy:all_succeeded"),
                 config_sub("help", 2, "loading stale", CmdConfigHelp, "5.0.0",
                            "Returns helpful text about the different subcommands."),
             }});
  table.Add({.name = "time", .arity = 1, .flags = "loading stale fast", .handler = CmdTime,
             .group = "server", .since = "2.6.0", .summary = "Returns the server time.",
             .tips = "nondeterministic_output"});
  table.Add({.name = "monitor", .arity = 1, .flags = "admin noscript loading stale", .handler = CmdMonitor,
             .group = "server", .since = "1.0.0",
             .summary = "Listens for all requests received by the server in real-time."});
}

}  // namespace sessionkv::server

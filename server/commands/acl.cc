// SPDX-License-Identifier: Apache-2.0
// ACL: SETUSER GETUSER DELUSER LIST USERS WHOAMI CAT DRYRUN LOG GENPASS SAVE LOAD HELP (server/acl.h holds
// the users and the rules language). Replies and error texts are Redis 7.2's (acl.c aclCommand).
#include <string>
#include <vector>

#include "base/strings.h"
#include "server/acl.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/config.h"
#include "server/dispatcher.h"
#include "server/errors.h"
#include "storage/glob.h"

namespace sessionkv::server {
namespace {

constexpr std::string_view kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the "
    "ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) "
    "in order to store users in the Redis configuration.";

// Closes the connections logged in as `users` (ACLFreeUserAndKillClients); the current client only after
// its reply.
void KillClientsOf(CommandContext& ctx, const std::vector<std::shared_ptr<AclUser>>& users) {
  if (users.empty()) return;
  for (const auto& c : ctx.server().clients.Snapshot()) {
    const std::string name = c.info->user_name();
    const bool affected = std::any_of(users.begin(), users.end(), [&](const auto& u) { return u->name() == name; });
    if (!affected) continue;
    if (c.info->id == ctx.client().info->id) {
      ctx.client().close_after_reply = true;
    } else {
      c.handle->Kill();
    }
  }
}

// ACLKillPubsubClientsIfNeeded: a subscriber of `user` whose channels or patterns the new rules no longer
// allow is disconnected.
void KillRevokedSubscribers(CommandContext& ctx, const AclUser& user) {
  const auto rules = user.rules();
  auto allowed = [&](std::string_view channel, bool literal) {
    for (const AclSelector& s : rules->selectors) {
      if (s.all_channels) return true;
      for (const std::string& p : s.channels) {
        if (literal ? p == channel : storage::GlobMatch(p, channel)) return true;
      }
    }
    return false;
  };
  for (const auto& c : ctx.server().clients.Snapshot()) {
    if (c.info->user_name() != user.name()) continue;
    std::vector<std::string> channels, patterns;
    ctx.server().pubsub.SubscriptionsOf(c.info->id, &channels, &patterns);
    bool kill = false;
    for (const std::string& p : patterns) kill |= !allowed(p, /*literal=*/true);
    for (const std::string& ch : channels) kill |= !allowed(ch, /*literal=*/false);
    if (!kill) continue;
    if (c.info->id == ctx.client().info->id) {
      ctx.client().close_after_reply = true;
    } else {
      c.handle->Kill();
    }
  }
}

bool NameHasSpaces(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

// ACL SETUSER username [rule ...]
void CmdAclSetUser(CommandContext& ctx) {
  const std::string_view name = ctx.arg(2);
  if (NameHasSpaces(name)) return ctx.Error("ERR Usernames can't contain spaces or null characters");
  std::vector<std::string> ops;
  size_t open_index = 0;
  const std::vector<std::string_view> raw(ctx.args().begin() + 3, ctx.args().end());
  if (!MergeSelectorArgs(raw, &ops, &open_index)) {
    return ctx.Error(StrCat("ERR Unmatched parenthesis in acl selector starting at '", raw[open_index], "'."));
  }
  size_t failed = 0;
  bool channels_shrunk = false;
  Acl& acl = ctx.server().acl;
  if (AclRuleError e = acl.SetUser(name, ops, &failed, &channels_shrunk); e != AclRuleError::kOk) {
    return ctx.Error(StrCat("ERR Error in ACL SETUSER modifier '", ops[failed], "': ", AclRuleErrorText(e)));
  }
  if (channels_shrunk) KillRevokedSubscribers(ctx, *acl.Find(name));
  ctx.reply().Ok();
}

void ReplySelector(protocol::ReplyWriter& w, const Acl& acl, const AclSelector& s) {
  w.Bulk("commands");
  w.Bulk(acl.DescribeSelectorCommands(s));
  w.Bulk("keys");
  w.Bulk(DescribeSelectorKeys(s));
  w.Bulk("channels");
  w.Bulk(DescribeSelectorChannels(s));
}

// ACL GETUSER username: flags, passwords, the root selector's commands/keys/channels, then the others.
void CmdAclGetUser(CommandContext& ctx) {
  const Acl& acl = ctx.server().acl;
  const std::shared_ptr<AclUser> user = acl.Find(ctx.arg(2));
  if (user == nullptr) return ctx.reply().Null();
  const auto rules = user->rules();
  protocol::ReplyWriter& w = ctx.reply();
  w.MapHeader(6);
  w.Bulk("flags");
  const std::vector<std::string_view> flags = AclUserFlagNames(rules->flags);
  w.SetHeader(flags.size());
  for (std::string_view f : flags) w.Bulk(f);
  w.Bulk("passwords");
  w.ArrayHeader(rules->passwords.size());
  for (const std::string& p : rules->passwords) w.Bulk(p);
  ReplySelector(w, acl, rules->selectors.front());
  w.Bulk("selectors");
  w.ArrayHeader(rules->selectors.size() - 1);
  for (size_t i = 1; i < rules->selectors.size(); ++i) {
    w.MapHeader(3);
    ReplySelector(w, acl, rules->selectors[i]);
  }
}

// ACL DELUSER username [username ...]
void CmdAclDelUser(CommandContext& ctx) {
  std::vector<std::string_view> names(ctx.args().begin() + 2, ctx.args().end());
  if (std::find(names.begin(), names.end(), "default") != names.end()) {
    return ctx.Error("ERR The 'default' user cannot be removed");
  }
  const auto removed = ctx.server().acl.DeleteUsers(names);
  KillClientsOf(ctx, removed);
  ctx.reply().Integer(static_cast<int64_t>(removed.size()));
}

void CmdAclList(CommandContext& ctx) {
  const std::vector<std::string> lines = ctx.server().acl.UserLines();
  ctx.reply().ArrayHeader(lines.size());
  for (const std::string& line : lines) ctx.reply().Bulk(line);
}

void CmdAclUsers(CommandContext& ctx) {
  const auto users = ctx.server().acl.Users();
  ctx.reply().ArrayHeader(users.size());
  for (const auto& u : users) ctx.reply().Bulk(u->name());
}

void CmdAclWhoAmI(CommandContext& ctx) { ctx.reply().Bulk(ctx.client().user->name()); }

// ACL CAT [category]
void CmdAclCat(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.Error(SubcommandSyntaxError("acl", ctx.arg(1)));
  const auto& names = AclCategoryNames();
  if (ctx.argc() == 2) {
    ctx.reply().ArrayHeader(names.size());
    for (std::string_view n : names) ctx.reply().Bulk(n);
    return;
  }
  auto it = std::find_if(names.begin(), names.end(), [&](std::string_view n) { return EqualsIgnoreCase(n, ctx.arg(2)); });
  if (it == names.end()) return ctx.Error(StrCat("ERR Unknown category '", ctx.arg(2).substr(0, 128), "'"));
  const auto commands = ctx.server().acl.CommandsIn(1u << (it - names.begin()));
  ctx.reply().ArrayHeader(commands.size());
  for (const CommandSpec* spec : commands) ctx.reply().Bulk(spec->full_name);
}

// ACL DRYRUN username command [arg ...]: the check the dispatcher would make, without running anything.
void CmdAclDryRun(CommandContext& ctx) {
  ServerState& server = ctx.server();
  const std::shared_ptr<AclUser> user = server.acl.Find(ctx.arg(2));
  if (user == nullptr) return ctx.Error(StrCat("ERR User '", ctx.arg(2), "' not found"));
  const std::vector<std::string_view> args(ctx.args().begin() + 3, ctx.args().end());
  // Looked up as the dispatcher does, in the table as renamed.
  const CommandSpec* spec = server.commands.FindForArgs(args);
  if (spec == nullptr) return ctx.Error(StrCat("ERR Command '", args[0], "' not found"));
  if (!spec->AcceptsArgc(args.size())) return ctx.Error(WrongArityError(spec->full_name));
  const AclVerdict verdict = server.acl.Check(*user->rules(), *spec, args);
  if (!verdict.ok()) return ctx.reply().Bulk(AclDenialMessage(verdict, user->name(), *spec, args, /*verbose=*/true));
  ctx.reply().Ok();
}

// ACL LOG [count | RESET]
void CmdAclLog(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.Error(SubcommandSyntaxError("acl", ctx.arg(1)));
  int64_t count = 10;
  if (ctx.argc() == 3) {
    if (EqualsIgnoreCase(ctx.arg(2), "RESET")) {
      ctx.server().acl.ResetLog();
      return ctx.reply().Ok();
    }
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.Error(kErrNotInteger);
    if (count < 0) count = 0;
  }
  const std::vector<AclLogEntry> entries = ctx.server().acl.LogEntries(static_cast<size_t>(count));
  const int64_t now = ctx.server().clock.NowMs();
  protocol::ReplyWriter& w = ctx.reply();
  w.ArrayHeader(entries.size());
  for (const AclLogEntry& e : entries) {
    w.MapHeader(10);
    w.Bulk("count");
    w.Integer(static_cast<int64_t>(e.count));
    w.Bulk("reason");
    switch (e.reason) {
      case AclDenial::kCommand: w.Bulk("command"); break;
      case AclDenial::kKey: w.Bulk("key"); break;
      case AclDenial::kChannel: w.Bulk("channel"); break;
      case AclDenial::kAuth: w.Bulk("auth"); break;
      default: w.Bulk("unknown");
    }
    w.Bulk("context");
    w.Bulk(e.in_multi ? "multi" : "toplevel");
    w.Bulk("object");
    w.Bulk(e.object);
    w.Bulk("username");
    w.Bulk(e.username);
    w.Bulk("age-seconds");
    w.Double(static_cast<double>(now - e.updated_ms) / 1000);
    w.Bulk("client-info");
    w.Bulk(e.client_info);
    w.Bulk("entry-id");
    w.Integer(static_cast<int64_t>(e.entry_id));
    w.Bulk("timestamp-created");
    w.Integer(e.created_ms);
    w.Bulk("timestamp-last-updated");
    w.Integer(e.updated_ms);
  }
}

// ACL GENPASS [bits]: 256 bits by default, as hex.
void CmdAclGenPass(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.Error(SubcommandSyntaxError("acl", ctx.arg(1)));
  int64_t bits = 256;
  if (ctx.argc() == 3 && !ParseInt64(ctx.arg(2), &bits)) return ctx.Error(kErrNotInteger);
  constexpr int64_t kMaxBits = 4096;
  if (bits <= 0 || bits > kMaxBits) {
    return ctx.Error(StrCat("ERR ACL GENPASS argument must be the number of bits for the output password, a "
                            "positive number up to ", kMaxBits));
  }
  ctx.reply().Bulk(RandomHex(static_cast<size_t>((bits + 3) / 4)));
}

void CmdAclSave(CommandContext& ctx) {
  const std::string file = ctx.server().config.aclfile();
  if (file.empty()) return ctx.Error(kNoAclFile);
  if (absl::Status status = ctx.server().acl.SaveFile(ctx.server().config.PathInDir(file)); !status.ok()) {
    return ctx.Error(status);
  }
  ctx.reply().Ok();
}

void CmdAclLoad(CommandContext& ctx) {
  const std::string file = ctx.server().config.aclfile();
  if (file.empty()) return ctx.Error(kNoAclFile);
  std::vector<std::shared_ptr<AclUser>> replaced;
  absl::Status status = ctx.server().acl.LoadFile(ctx.server().config.PathInDir(file), file, &replaced);
  if (!status.ok()) return ctx.Error(StrCat("ERR ", FromAbsl(status.message())));
  KillClientsOf(ctx, replaced);
  ctx.reply().Ok();
}

void CmdAclHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
      "HELP",
      "    Print this help.",
  };
  ctx.ReplyHelp(kLines);
}

constexpr KeylessRows Sub{.group = "server"};

}  // namespace

void RegisterAclCommands(CommandTable& table) {
  constexpr std::string_view kAdmin = "admin noscript loading stale";
  table.Add({.name = "acl", .arity = -2, .group = "server", .since = "6.0.0",
             .summary = "A container for Access List Control commands.",
             .subcommands = {
                 Sub("cat", -2, "noscript loading stale", CmdAclCat, "6.0.0",
                     "Lists the ACL categories, or the commands inside a category."),
                 Sub("deluser", -3, kAdmin, CmdAclDelUser, "6.0.0",
                     "Deletes ACL users, and terminates their connections."),
                 Sub("dryrun", -4, kAdmin, CmdAclDryRun, "7.0.0",
                     "Simulates the execution of a command by a user, without executing the command."),
                 Sub("genpass", -2, "noscript loading stale", CmdAclGenPass, "6.0.0",
                     "Generates a pseudorandom, secure password that can be used to identify ACL users."),
                 Sub("getuser", 3, kAdmin, CmdAclGetUser, "6.0.0", "Lists the ACL rules of a user."),
                 Sub("list", 2, kAdmin, CmdAclList, "6.0.0", "Dumps the effective rules in ACL file format."),
                 Sub("load", 2, kAdmin, CmdAclLoad, "6.0.0", "Reloads the rules from the configured ACL file."),
                 Sub("log", -2, kAdmin, CmdAclLog, "6.0.0",
                     "Lists recent security events generated due to ACL rules."),
                 Sub("save", 2, kAdmin, CmdAclSave, "6.0.0",
                     "Saves the effective ACL rules in the configured ACL file."),
                 Sub("setuser", -3, kAdmin, CmdAclSetUser, "6.0.0",
                     "Creates and modifies an ACL user and its rules."),
                 Sub("users", 2, kAdmin, CmdAclUsers, "6.0.0", "Lists all ACL users."),
                 Sub("whoami", 2, "noscript loading stale", CmdAclWhoAmI, "6.0.0",
                     "Returns the authenticated username of the current connection."),
                 Sub("help", 2, "loading stale", CmdAclHelp, "6.0.0",
                     "Returns helpful text about the different subcommands."),
             }});
}

}  // namespace sessionkv::server

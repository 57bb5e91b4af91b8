// SPDX-License-Identifier: Apache-2.0
// CLIENT: ID, SETNAME, GETNAME, SETINFO, LIST, INFO, KILL, NO-EVICT, NO-TOUCH, REPLY, HELP.
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "server/acl.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/errors.h"

namespace sessionkv::server {

// Redis's validateClientName: printable ASCII from '!' to '~', so no spaces or newlines.
bool IsValidClientName(std::string_view name) {
  for (unsigned char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

namespace {

bool IsPubSub(const ClientInfo& info) {
  const int subscriptions =
      info.channels.load(std::memory_order_relaxed) + info.patterns.load(std::memory_order_relaxed);
  return subscriptions > 0;
}

// The flags letters of CLIENT LIST ("N" when none applies), in Redis's order. A replica's
// connection is S (its stream, after SKVSYNC). The replica's own link to its primary is not a
// client here (it is the link's thread, server/repl_replica.h), so no connection shows M.
std::string ClientFlagLetters(const ClientInfo& info) {
  std::string flags;
  const uint32_t f = info.flags.load(std::memory_order_relaxed);
  if (f & kClientMonitor) flags += 'O';
  if ((f & kClientReplica) && !(f & kClientMonitor)) flags += 'S';
  if (IsPubSub(info)) flags += 'P';
  if (info.multi.load(std::memory_order_relaxed) >= 0) flags += 'x';
  if (f & kClientBlocked) flags += 'b';
  if (info.watch_flag->dirty.load(std::memory_order_relaxed)) flags += 'd';
  if (f & kClientCloseAsap) flags += 'A';
  if (f & kClientNoEvict) flags += 'e';
  if (f & kClientNoTouch) flags += 'T';
  if (flags.empty()) flags = "N";
  return flags;
}

}  // namespace

// One line of CLIENT LIST / CLIENT INFO in Redis 7.2's field order. Fields for features that do not exist
// yet (sharded pub/sub, tracking) report their idle values.
std::string ClientListLine(const ClientInfo& info, int64_t now_ms) {
  const int64_t age = (now_ms - info.created_ms) / 1000;
  const int64_t idle = (now_ms - info.last_interaction_ms.load(std::memory_order_relaxed)) / 1000;
  const uint64_t qbuf = info.query_buffer_bytes.load(std::memory_order_relaxed);
  const uint64_t qfree = info.query_buffer_free.load(std::memory_order_relaxed);
  const uint64_t omem = info.output_buffer_bytes.load(std::memory_order_relaxed);
  const uint64_t multi_mem = info.multi_mem.load(std::memory_order_relaxed);
  const CommandSpec* last = info.last_command.load(std::memory_order_relaxed);
  return StrCat(
      "id=", info.id, " addr=", info.addr, " laddr=", info.laddr, " fd=", info.fd, " name=", info.name(),
      " age=", age, " idle=", idle, " flags=", ClientFlagLetters(info),
      " db=", info.db.load(std::memory_order_relaxed), " sub=", info.channels.load(std::memory_order_relaxed),
      " psub=", info.patterns.load(std::memory_order_relaxed),
      " ssub=0 multi=", info.multi.load(std::memory_order_relaxed), " qbuf=", qbuf, " qbuf-free=", qfree, " argv-mem=0 multi-mem=", multi_mem, " rbs=", qbuf + qfree,
      " rbp=", qbuf, " obl=0 oll=0 omem=", omem, " tot-mem=", qbuf + qfree + omem + multi_mem,
      " events=r cmd=",
      last == nullptr ? std::string_view("NULL") : std::string_view(last->full_name), " user=", info.user_name(), " redir=-1 resp=", info.resp.load(std::memory_order_relaxed),
      " lib-name=", info.lib_name(), " lib-ver=", info.lib_ver(), "\n");
}

namespace {

// Redis's client types (getClientType): a replica's stream is `replica` (alias `slave`); a client
// with subscriptions is `pubsub`; MONITOR clients are `normal`. `master` names no client here (see
// ClientFlagLetters).
enum class ClientType { kNormal, kReplica, kPubSub, kMaster };

// Redis's getClientTypeByName; nullopt for an unknown name.
std::optional<ClientType> ClientTypeByName(std::string_view name) {
  if (EqualsIgnoreCase(name, "normal")) return ClientType::kNormal;
  if (EqualsIgnoreCase(name, "replica") || EqualsIgnoreCase(name, "slave"))
    return ClientType::kReplica;
  if (EqualsIgnoreCase(name, "pubsub")) return ClientType::kPubSub;
  if (EqualsIgnoreCase(name, "master")) return ClientType::kMaster;
  return std::nullopt;
}

ClientType TypeOf(const ClientInfo& info) {
  const uint32_t f = info.flags.load(std::memory_order_relaxed);
  if ((f & kClientReplica) && !(f & kClientMonitor)) return ClientType::kReplica;
  if (IsPubSub(info)) return ClientType::kPubSub;
  return ClientType::kNormal;
}

std::string UnknownClientType(std::string_view name) {
  return StrCat("ERR Unknown client type '", name, "'");
}

void ReplyClientLines(CommandContext& ctx, const std::vector<ClientRegistry::Client>& clients) {
  const int64_t now = ctx.server().clock.NowMs();
  std::string text;
  for (const auto& c : clients) text += ClientListLine(*c.info, now);
  ctx.reply().Verbatim("txt", text);
}

void CmdClientId(CommandContext& ctx) { ctx.reply().Integer(static_cast<int64_t>(ctx.client().info->id)); }

void CmdClientSetName(CommandContext& ctx) {
  if (!IsValidClientName(ctx.arg(2))) {
    return ctx.Error("ERR Client names cannot contain spaces, newlines or special characters.");
  }
  ctx.client().info->set_name(std::string(ctx.arg(2)));
  ctx.reply().Ok();
}

void CmdClientGetName(CommandContext& ctx) {
  const std::string name = ctx.client().info->name();
  if (name.empty()) return ctx.reply().Null();
  ctx.reply().Bulk(name);
}

void CmdClientSetInfo(CommandContext& ctx) {
  const std::string_view attr = ctx.arg(2);
  const std::string_view value = ctx.arg(3);
  const bool is_name = EqualsIgnoreCase(attr, "lib-name");
  if (!is_name && !EqualsIgnoreCase(attr, "lib-ver")) {
    return ctx.Error(StrCat("ERR Unrecognized option '", attr, "'"));
  }
  if (!IsValidClientName(value)) {
    return ctx.Error(StrCat("ERR ", AsciiStrToLower(attr),
                                  " cannot contain spaces, newlines or special characters."));
  }
  if (is_name) {
    ctx.client().info->set_lib_name(std::string(value));
  } else {
    ctx.client().info->set_lib_ver(std::string(value));
  }
  ctx.reply().Ok();
}

// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]
void CmdClientList(CommandContext& ctx) {
  ArgCursor cur = ctx.Cursor(2);
  std::vector<int64_t> ids;
  std::optional<ClientType> type;
  while (!cur.Done()) {
    if (cur.EatIf("TYPE") && !cur.Done()) {
      const std::string_view name = cur.Next();
      type = ClientTypeByName(name);
      if (!type) return ctx.Error(UnknownClientType(name));
    } else if (cur.EatIf("ID") && !cur.Done()) {
      while (!cur.Done()) {
        auto id = cur.NextInt();
        if (!id.ok() || *id <= 0) return ctx.Error("ERR Invalid client ID");
        ids.push_back(*id);
      }
    } else {
      return ctx.Error(kErrSyntax);
    }
  }
  std::vector<ClientRegistry::Client> clients = ctx.server().clients.Snapshot();
  std::erase_if(clients, [&](const ClientRegistry::Client& c) {
    if (type && TypeOf(*c.info) != *type) return true;
    return !ids.empty() && std::find(ids.begin(), ids.end(), static_cast<int64_t>(c.info->id)) == ids.end();
  });
  ReplyClientLines(ctx, clients);
}

void CmdClientInfo(CommandContext& ctx) {
  ctx.reply().Verbatim("txt", ClientListLine(*ctx.client().info, ctx.server().clock.NowMs()));
}

// CLIENT KILL ip:port (old form: OK or an error) or CLIENT KILL <filter> <value> ... (count of killed).
void CmdClientKill(CommandContext& ctx) {
  const bool old_form = ctx.argc() == 3;
  std::string addr, laddr, user;
  std::optional<ClientType> type;
  int64_t id = 0;
  bool skip_me = true;
  if (old_form) {
    addr = std::string(ctx.arg(2));
    skip_me = false;
  } else {
    if ((ctx.argc() - 2) % 2 != 0) return ctx.Error(kErrSyntax);
    for (size_t i = 2; i + 1 < ctx.argc(); i += 2) {
      const std::string_view opt = ctx.arg(i), value = ctx.arg(i + 1);
      if (EqualsIgnoreCase(opt, "ID")) {
        if (!ParseInt64(value, &id) || id <= 0) return ctx.Error("ERR client-id should be greater than 0");
      } else if (EqualsIgnoreCase(opt, "ADDR")) {
        addr = std::string(value);
      } else if (EqualsIgnoreCase(opt, "LADDR")) {
        laddr = std::string(value);
      } else if (EqualsIgnoreCase(opt, "TYPE")) {
        type = ClientTypeByName(value);
        if (!type) return ctx.Error(UnknownClientType(value));
      } else if (EqualsIgnoreCase(opt, "USER")) {
        if (ctx.server().acl.Find(value) == nullptr) return ctx.Error(StrCat("ERR No such user '", value, "'"));
        user = std::string(value);
      } else if (EqualsIgnoreCase(opt, "SKIPME")) {
        if (EqualsIgnoreCase(value, "yes")) {
          skip_me = true;
        } else if (EqualsIgnoreCase(value, "no")) {
          skip_me = false;
        } else {
          return ctx.Error(kErrSyntax);
        }
      } else {
        return ctx.Error(kErrSyntax);
      }
    }
  }
  int64_t killed = 0;
  const uint64_t self = ctx.client().info->id;
  for (const auto& c : ctx.server().clients.Snapshot()) {
    if (id != 0 && static_cast<int64_t>(c.info->id) != id) continue;
    if (!addr.empty() && c.info->addr != addr) continue;
    if (!laddr.empty() && c.info->laddr != laddr) continue;
    if (!user.empty() && c.info->user_name() != user) continue;
    if (type && TypeOf(*c.info) != *type) continue;
    if (c.info->id == self) {
      if (skip_me) continue;
      ctx.client().close_after_reply = true;  // the reply still goes out first, as in Redis
    } else {
      c.handle->Kill();
    }
    ++killed;
  }
  if (old_form) {
    if (killed == 0) return ctx.Error("ERR No such client");
    return ctx.reply().Ok();
  }
  ctx.reply().Integer(killed);
}

// Parses "on"/"off" for CLIENT NO-EVICT and NO-TOUCH; replies a syntax error otherwise.
void SetClientSwitch(CommandContext& ctx, bool ClientState::*field, ClientFlag flag) {
  const std::string_view v = ctx.arg(2);
  bool on;
  if (EqualsIgnoreCase(v, "on")) {
    on = true;
  } else if (EqualsIgnoreCase(v, "off")) {
    on = false;
  } else {
    return ctx.Error(kErrSyntax);
  }
  ctx.client().*field = on;
  if (on) {
    ctx.client().info->flags.fetch_or(flag, std::memory_order_relaxed);
  } else {
    ctx.client().info->flags.fetch_and(~flag, std::memory_order_relaxed);
  }
  ctx.reply().Ok();
}

void CmdClientNoEvict(CommandContext& ctx) { SetClientSwitch(ctx, &ClientState::no_evict, kClientNoEvict); }
void CmdClientNoTouch(CommandContext& ctx) { SetClientSwitch(ctx, &ClientState::no_touch, kClientNoTouch); }

void CmdClientReply(CommandContext& ctx) {
  const std::string_view v = ctx.arg(2);
  ClientState& client = ctx.client();
  if (EqualsIgnoreCase(v, "on")) {
    client.reply_mode = ReplyMode::kOn;
    ctx.reply().Ok();
  } else if (EqualsIgnoreCase(v, "off")) {
    client.reply_mode = ReplyMode::kOff;
  } else if (EqualsIgnoreCase(v, "skip")) {
    if (client.reply_mode != ReplyMode::kOff) client.reply_mode = ReplyMode::kSkipNext;
  } else {
    ctx.Error(kErrSyntax);
  }
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if the client was blocked in a blocking command and now
// answers its timeout reply (or the UNBLOCKED error), else 0. The reason is checked before the id, as
// Redis does.
void CmdClientUnblock(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    return ctx.Error(StrCat("ERR unknown subcommand or wrong number of arguments for '", ctx.arg(1),
                            "'. Try CLIENT HELP."));
  }
  bool error = false;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "ERROR")) {
      error = true;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "TIMEOUT")) {
      return ctx.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  }
  int64_t id;
  if (!ParseInt64(ctx.arg(2), &id)) return ctx.Error(kErrNotInteger);
  const bool unblocked = id > 0 && ctx.server().blocking.Unblock(static_cast<uint64_t>(id), error);
  ctx.reply().Integer(unblocked ? 1 : 0);
}

void CmdClientHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "    * ID <client-id>",
      "      Kill connections by client id.",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.",
      "    * LIB-VER: the client lib version.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "NO-TOUCH (ON|OFF)",
      "    Will not touch LRU/LFU stats when this mode is on.",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

}  // namespace

// Registered with the connection family (families.h).
void RegisterClientCommand(CommandTable& table) {
  constexpr KeylessRows sub{.group = "connection", .acl = "@connection"};
  table.Add({.name = "client", .arity = -2, .group = "connection", .since = "2.4.0",
             .summary = "A container for client connection commands.",
             .subcommands = {
                 sub("id", 2, "noscript loading stale", CmdClientId, "5.0.0",
                     "Returns the unique client ID of the connection."),
                 WithTips(sub("setname", 3, "noscript loading stale", CmdClientSetName, "2.6.9",
                              "Sets the connection name."),
                          "request_policy:all_nodes response_policy:all_succeeded"),
                 sub("getname", 2, "noscript loading stale", CmdClientGetName, "2.6.9",
                     "Returns the name of the connection."),
                 WithTips(sub("setinfo", 4, "noscript loading stale", CmdClientSetInfo, "7.2.0",
                              "Sets information specific to the client or connection."),
                          "request_policy:all_nodes response_policy:all_succeeded"),
                 WithTips(sub("list", -2, "admin noscript loading stale", CmdClientList, "2.4.0",
                              "Lists open connections."),
                          "nondeterministic_output"),
                 WithTips(sub("info", 2, "noscript loading stale", CmdClientInfo, "6.2.0",
                              "Returns information about the connection."),
                          "nondeterministic_output"),
                 sub("kill", -3, "admin noscript loading stale", CmdClientKill, "2.4.0",
                     "Terminates open connections."),
                 sub("no-evict", 3, "admin noscript loading stale", CmdClientNoEvict, "7.0.0",
                     "Sets the client eviction mode of the connection."),
                 sub("no-touch", 3, "noscript loading stale", CmdClientNoTouch, "7.2.0",
                     "Controls whether commands sent by the client affect the LRU/LFU of accessed keys."),
                 sub("reply", 3, "noscript loading stale", CmdClientReply, "3.2.0",
                     "Instructs the server whether to reply to commands."),
                 sub("unblock", -3, "admin noscript loading stale", CmdClientUnblock, "5.0.0",
                     "Unblocks a client blocked by a blocking command from a different connection."),
                 sub("help", 2, "loading stale", CmdClientHelp, "5.0.0", "Returns helpful text about the different subcommands."),
             }});
}

}  // namespace sessionkv::server

// SPDX-License-Identifier: Apache-2.0
// Connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT. CLIENT is in client.cc.
#include <optional>

#include "base/strings.h"
#include "server/acl.h"
#include "server/command_context.h"
#include "server/dispatcher.h"
#include "server/commands/families.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/transaction.h"
#include "server/version.h"

namespace sessionkv::server {

// Shared with client.cc: CLIENT SETNAME and HELLO SETNAME validate names the same way.
bool IsValidClientName(std::string_view name);

namespace {

// AUTH and HELLO AUTH: logs the client in as `user`, or logs the failure in the ACL LOG (object: the
// command as sent) and answers WRONGPASS.
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view password) {
  if (std::shared_ptr<AclUser> u = ctx.server().acl.Authenticate(user, password)) {
    SetAuthenticatedUser(ctx.client(), std::move(u));
    return true;
  }
  LogAclDenial(ctx.server(), ctx.client(), AclDenial::kAuth, std::string(ctx.arg(0)), std::string(user));
  ctx.Error(kErrWrongPass);
  return false;
}

void CmdPing(CommandContext& ctx) {
  if (ctx.argc() > 2) return ctx.Error(WrongArityError("ping"));
  // A subscribed RESP2 connection answers in the push shape: ["pong", message or ""].
  if (ctx.client().resp == protocol::RespVersion::kResp2 && ctx.client().subscription_count() > 0) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk("pong");
    return ctx.reply().Bulk(ctx.argc() == 2 ? ctx.arg(1) : "");
  }
  if (ctx.argc() == 2) return ctx.reply().Bulk(ctx.arg(1));
  ctx.reply().SimpleString("PONG");
}

void CmdEcho(CommandContext& ctx) { ctx.reply().Bulk(ctx.arg(1)); }

void CmdQuit(CommandContext& ctx) {
  ctx.reply().Ok();
  ctx.client().close_after_reply = true;
}

void CmdReset(CommandContext& ctx) {
  ClientState& client = ctx.client();
  client.db = 0;
  client.resp = protocol::RespVersion::kResp2;
  SetDefaultAuth(ctx.server().acl, client);
  client.reply_mode = ReplyMode::kOn;
  client.no_touch = false;
  client.no_evict = false;
  UnsubscribeAll(ctx.server().pubsub, client);
  DiscardTransaction(ctx.keyspace(), client);  // leaves MULTI and unwatches, in MULTI or not
  if (client.monitor) {
    client.monitor = false;
    ctx.server().clients.RemoveMonitor(client.info->id);
  }
  client.info->set_name("");
  client.info->resp.store(2, std::memory_order_relaxed);
  client.info->flags.store(0, std::memory_order_relaxed);
  ctx.reply().set_version(protocol::RespVersion::kResp2);
  ctx.reply().SimpleString("RESET");
}

void CmdAuth(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.Error(kErrSyntax);
  std::string_view user = "default";
  std::string_view password = ctx.arg(1);
  if (ctx.argc() == 3) {
    user = ctx.arg(1);
    password = ctx.arg(2);
  } else if (ctx.server().acl.default_user()->rules()->nopass()) {
    return ctx.Error(kErrAuthNotConfigured);
  }
  if (Authenticate(ctx, user, password)) ctx.reply().Ok();
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void CmdHello(CommandContext& ctx) {
  ClientState& client = ctx.client();
  int64_t version = static_cast<int64_t>(client.resp);
  if (ctx.argc() >= 2) {
    if (!ParseInt64(ctx.arg(1), &version)) {
      return ctx.Error("ERR Protocol version is not an integer or out of range");
    }
    if (version < 2 || version > 3) return ctx.Error(kErrNoProto);
  }
  std::optional<std::pair<std::string_view, std::string_view>> auth;
  std::optional<std::string_view> name;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const size_t more = ctx.argc() - 1 - i;
    const std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "AUTH") && more >= 2) {
      auth.emplace(ctx.arg(i + 1), ctx.arg(i + 2));
      i += 2;
    } else if (EqualsIgnoreCase(opt, "SETNAME") && more >= 1) {
      name = ctx.arg(i + 1);
      if (!IsValidClientName(*name)) {
        return ctx.Error("ERR Client names cannot contain spaces, newlines or special characters.");
      }
      i += 1;
    } else {
      return ctx.Error(StrCat("ERR Syntax error in HELLO option '", opt, "'"));
    }
  }
  if (auth && !Authenticate(ctx, auth->first, auth->second)) return;
  if (!client.authenticated) {
    return ctx.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> "
        "AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol "
        "version at the same time");
  }
  if (name) client.info->set_name(std::string(*name));
  client.resp = static_cast<protocol::RespVersion>(version);
  client.info->resp.store(static_cast<int>(version), std::memory_order_relaxed);

  protocol::ReplyWriter& reply = ctx.reply();
  reply.set_version(client.resp);
  reply.MapHeader(7);
  reply.Bulk("server");
  reply.Bulk("redis");
  reply.Bulk("version");
  reply.Bulk(kRedisVersion);
  reply.Bulk("proto");
  reply.Integer(version);
  reply.Bulk("id");
  reply.Integer(static_cast<int64_t>(client.info->id));
  reply.Bulk("mode");
  reply.Bulk("standalone");
  reply.Bulk("role");
  reply.Bulk("master");
  reply.Bulk("modules");
  reply.ArrayHeader(0);
}

void CmdSelect(CommandContext& ctx) {
  int64_t index;
  if (!ParseInt64(ctx.arg(1), &index)) return ctx.Error(kErrNotInteger);
  // Redis reads the index with getIntFromObjectOrReply, which names the int range.
  if (index < INT32_MIN || index > INT32_MAX) {
    return ctx.Error(kErrIntRange);
  }
  if (index < 0 || index >= ctx.keyspace().num_dbs()) return ctx.Error(kErrDbIndexOutOfRange);
  ctx.client().db = static_cast<int>(index);
  ctx.reply().Ok();
}

}  // namespace

void RegisterConnectionCommands(CommandTable& table) {
  table.Add({.name = "ping", .arity = -1, .flags = "fast", .acl = "@connection", .handler = CmdPing,
             .group = "connection", .since = "1.0.0", .summary = "Returns the server's liveliness response.",
             .tips = "request_policy:all_shards response_policy:all_succeeded"});
  table.Add({.name = "echo", .arity = 2, .flags = "loading stale fast", .acl = "@connection",
             .handler = CmdEcho,
             .group = "connection", .since = "1.0.0", .summary = "Returns the given string."});
  table.Add({.name = "quit", .arity = -1, .flags = "noscript loading stale fast no_auth allow_busy",
             .acl = "@connection", .handler = CmdQuit, .group = "connection", .since = "1.0.0",
             .summary = "Closes the connection."});
  table.Add({.name = "reset", .arity = 1, .flags = "noscript loading stale fast no_auth allow_busy",
             .acl = "@connection", .handler = CmdReset, .group = "connection", .since = "6.2.0",
             .summary = "Resets the connection."});
  table.Add({.name = "auth", .arity = -2, .flags = "noscript loading stale fast no_auth allow_busy",
             .acl = "@connection", .handler = CmdAuth, .group = "connection", .since = "1.0.0",
             .summary = "Authenticates the connection."});
  table.Add({.name = "hello", .arity = -1, .flags = "noscript loading stale fast no_auth allow_busy",
             .acl = "@connection", .handler = CmdHello, .group = "connection", .since = "6.0.0",
             .summary = "Handshakes with the Redis server."});
  table.Add({.name = "select", .arity = 2, .flags = "loading stale fast", .acl = "@connection",
             .handler = CmdSelect, .group = "connection", .since = "1.0.0",
             .summary = "Changes the selected database."});
}

}  // namespace sessionkv::server

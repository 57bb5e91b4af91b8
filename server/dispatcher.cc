// SPDX-License-Identifier: Apache-2.0
#include "base/steady_clock.h"
#include "base/strings.h"
#include "server/dispatcher.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <optional>

#include "absl/strings/str_format.h"
#include "server/acl.h"
#include "server/command_context.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/eviction.h"
#include "server/mutation_scope.h"
#include "server/replication.h"
#include "server/shard_locks.h"
#include "server/transaction.h"

namespace sessionkv::server {

namespace {

// Redis's sdscatrepr: printable bytes as they are, \" \\ \n \r \t \a \b escaped, others as \xHH.
void AppendQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '"': out->append("\\\""); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\a': out->append("\\a"); break;
      case '\b': out->append("\\b"); break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out->push_back(static_cast<char>(c));
        } else {
          absl::StrAppendFormat(out, "\\x%02x", c);
        }
    }
  }
  out->push_back('"');
}

// Redis hides secrets from MONITOR and SLOWLOG (redactClientCommandArgument): AUTH's arguments, HELLO's
// AUTH credentials and CONFIG SET values of sensitive parameters (requirepass).
std::vector<std::string_view> RedactSecrets(const CommandSpec& spec, const std::vector<std::string_view>& args) {
  static constexpr std::string_view kRedacted = "(redacted)";
  std::vector<std::string_view> out = args;
  if (spec.full_name == "auth") {
    for (size_t i = 1; i < out.size(); ++i) out[i] = kRedacted;
  } else if (spec.full_name == "hello") {
    for (size_t i = 2; i + 2 < out.size(); ++i) {
      if (EqualsIgnoreCase(out[i], "AUTH")) out[i + 1] = out[i + 2] = kRedacted;
    }
  } else if (spec.full_name == "acl|setuser") {
    for (size_t i = 2; i < out.size(); ++i) out[i] = kRedacted;  // the user name and every rule
  } else if (spec.full_name == "config|set") {
    for (size_t i = 2; i + 1 < out.size(); i += 2) {
      if (Config::IsSensitive(out[i])) out[i + 1] = kRedacted;
    }
  }
  return out;
}

// A RESP2 connection with subscriptions carries pushes, so Redis lets it run only these.
bool AllowedWhileSubscribed(const CommandSpec& spec) {
  static constexpr std::string_view kAllowed[] = {"subscribe", "psubscribe", "ssubscribe", "unsubscribe",
                                                  "punsubscribe", "sunsubscribe", "ping", "quit", "reset"};
  return std::find(std::begin(kAllowed), std::end(kAllowed), spec.full_name) != std::end(kAllowed);
}

// A write for the MISCONF rule: a `write` command, or EXEC with a queued one (Redis looks at mstate's flags).
bool IsWrite(const CommandSpec& spec, const ClientState& client) {
  if (spec.has(kCmdWrite)) return true;
  if (spec.full_name != "exec" || !client.multi) return false;
  return std::any_of(client.multi->commands.begin(), client.multi->commands.end(),
                     [](const QueuedCommand& q) { return q.spec->has(kCmdWrite); });
}

// Whether -OOM refuses `spec` when memory is over maxmemory and nothing can be evicted: commands that may
// grow memory (denyoom; EXEC of a queued one), and inside MULTI anything but EXEC, DISCARD, QUIT and
// RESET, since queueing itself takes memory (Redis 7's processCommand).
bool RefusedOnOom(const CommandSpec& spec, const ClientState& client) {
  if (spec.has(kCmdDenyOom)) return true;
  if (!client.multi) return false;
  if (spec.full_name == "exec") {
    return std::any_of(client.multi->commands.begin(), client.multi->commands.end(),
                       [](const QueuedCommand& q) { return q.spec->has(kCmdDenyOom); });
  }
  return spec.full_name != "discard" && spec.full_name != "quit" && spec.full_name != "reset";
}

// If the reply written since `mark` is an error, counts it (errorstats) and returns true.
bool CountErrorReply(ServerState& server, const std::string& out, size_t mark) {
  if (out.size() <= mark || out[mark] != '-') return false;
  const size_t end = out.find_first_of(" \r", mark + 1);
  server.stats.CountError(std::string_view(out).substr(mark + 1, end - mark - 1));
  server.stats.total_error_replies.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace

std::string AclDenialText(ServerState& server, const CommandSpec& spec, const std::vector<std::string_view>& args,
                          ClientState& client, bool log) {
  if (client.user == nullptr) return {};
  const AclUserRules& rules = CurrentRules(client);
  if (rules.unrestricted) return {};
  const AclVerdict verdict = server.acl.Check(rules, spec, args);
  if (verdict.ok()) return {};
  if (log) LogAclVerdict(server, client, verdict, spec, args);
  return AclDenialMessage(verdict, client.user->name(), spec, args, /*verbose=*/false);
}

std::string CheckAcl(ServerState& server, const CommandSpec& spec, const std::vector<std::string_view>& args,
                     ClientState& client) {
  std::string denial = AclDenialText(server, spec, args, client);
  return denial.empty() ? denial : StrCat("NOPERM ", denial);
}

void LogAclVerdict(ServerState& server, ClientState& client, const AclVerdict& verdict, const CommandSpec& spec,
                   const std::vector<std::string_view>& args) {
  LogAclDenial(server, client, verdict.denial,
               verdict.denial == AclDenial::kCommand ? spec.full_name : std::string(args[verdict.arg]),
               client.user->name());
}

void LogAclDenial(ServerState& server, ClientState& client, AclDenial reason, std::string object,
                  std::string username) {
  std::string info = ClientListLine(*client.info, server.clock.NowMs());
  if (!info.empty()) info.pop_back();  // the final "\n"
  server.acl.AddLogEntry(reason, client.multi.has_value(), std::move(object), std::move(username),
                         std::move(info), server.clock.NowMs(),
                         static_cast<size_t>(server.config.acllog_max_len()));
}

std::string FormatMonitorLine(int64_t now_us, int db, std::string_view addr,
                              const std::vector<std::string_view>& args) {
  std::string line = absl::StrFormat("+%d.%06d [%d %s]", now_us / 1000000, now_us % 1000000, db, addr);
  for (std::string_view arg : args) {
    line.push_back(' ');
    AppendQuoted(&line, arg);
  }
  line.append("\r\n");
  return line;
}

const CommandSpec* Dispatcher::Resolve(const std::vector<std::string_view>& args, ClientState& client,
                                       protocol::ReplyWriter& reply) {
  const CommandSpec* spec = server_.commands.Find(args[0]);
  if (spec == nullptr) {
    client.info->last_command.store(nullptr, std::memory_order_relaxed);
    reply.Error(UnknownCommandError(args));
    return nullptr;
  }
  // A refused call counts as rejected_calls of the command it named (INFO commandstats).
  auto reject = [&reply](const CommandSpec& s, std::string_view error) -> const CommandSpec* {
    s.stats.rejected_calls.fetch_add(1, std::memory_order_relaxed);
    reply.Error(error);
    return nullptr;
  };
  const int argc = static_cast<int>(args.size());
  // A container alone is checked against its own arity: CONFIG (-2) rejects it, COMMAND (-1) runs its
  // own handler (Redis's lookupCommand only descends with a second argument).
  if (spec->is_container() && argc >= 2) {
    const CommandSpec* sub = spec->FindSubcommand(args[1]);
    if (sub == nullptr) {
      client.info->last_command.store(nullptr, std::memory_order_relaxed);
      return reject(*spec, UnknownSubcommandError(spec->name, args[1]));
    }
    spec = sub;
  }
  // CLIENT LIST cmd= names the command looked up, also when a check below refuses it (Redis's lastcmd).
  client.info->last_command.store(spec, std::memory_order_relaxed);
  if (!spec->AcceptsArgc(args.size())) {
    return reject(*spec, WrongArityError(spec->full_name));
  }
  if (AuthRequired(server_.acl, client) && !spec->has(kCmdNoAuth)) return reject(*spec, kErrNoAuth);
  if (client.multi && spec->has(kCmdNoMulti)) {
    return reject(*spec, "ERR Command not allowed inside a transaction");
  }
  if (std::string denial = CheckAcl(server_, *spec, args, client); !denial.empty()) {
    return reject(*spec, denial);
  }
  // maxmemory (Redis's processCommand, here: after authentication and ACLs, before the
  // subscribed-context rule): evict under maxmemory-policy first; when that fails, refuse what may grow
  // memory. Scripts look at the state found here when they first call such a command.
  // A replica ignores maxmemory (Redis's replica-ignore-maxmemory yes): its primary's deletes free it,
  // and an eviction of its own would write to the RocksDB only the stream may write.
  if (server_.config.maxmemory() > 0 && !server_.keyspace.replica()) {
    client.oom_before_command = server_.eviction.Perform(client) == EvictionResult::kFail;
    if (client.oom_before_command && RefusedOnOom(*spec, client)) return reject(*spec, kErrOom);
  }
  // Persistence (Redis's processCommand order): writes are refused while the last write to disk failed
  // (PING too, so health checks notice), and everything without the `loading` flag while loading.
  if (server_.engine->write_failed() && (IsWrite(*spec, client) || spec->full_name == "ping")) {
    return reject(*spec, MisconfError(server_.engine->write_error()));
  }
  // min-replicas-to-write, between MISCONF and READONLY as in Redis's processCommand.
  if (IsWrite(*spec, client) && !server_.replication->EnoughGoodReplicas()) {
    return reject(*spec, kErrNoReplicas);
  }
  if (server_.keyspace.replica() && IsWrite(*spec, client)) return reject(*spec, kErrReadonlyReplica);
  if (server_.persistence.loading.load(std::memory_order_acquire) && !spec->has(kCmdLoading)) {
    return reject(*spec, kErrLoading);
  }
  if (client.resp == protocol::RespVersion::kResp2 && client.subscription_count() > 0 &&
      !AllowedWhileSubscribed(*spec)) {
    return reject(*spec, StrCat("ERR Can't execute '", spec->full_name,
                                "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                                "allowed in this context"));
  }
  return spec;
}

void Dispatcher::Execute(const std::vector<std::string_view>& args, ClientState& client,
                         protocol::ReplyWriter& reply) {
  // Clients blocked on keys this command fills are served when it is over (server/blocking.h).
  Blocking::CommandScope serve_blocked_after(server_.blocking);
  std::string& out = *reply.buffer();
  const size_t mark = out.size();
  const ReplyMode mode_before = client.reply_mode;
  const uint64_t ticket_before = client.last_ticket;

  if (const CommandSpec* spec = Resolve(args, client, reply)) {
    if (client.multi && !RunsInsideMulti(*spec)) {
      QueueCommand(client, *spec, args);
      reply.SimpleString("QUEUED");
    } else {
      CallCommand(server_, *spec, args, client, reply, ShardLocking::kTake);
    }
  } else {
    const CommandSpec* rejected = server_.commands.Find(args[0]);
    if (rejected != nullptr && rejected->full_name == "exec") {
      AbortExec(server_.keyspace, client, reply, mark);
      // Redis shows the aborted EXEC to MONITOR, which already saw the MULTI.
      if (server_.clients.HasMonitors()) {
        server_.clients.FeedMonitors(FormatMonitorLine(server_.clock.NowUs(), client.db, client.info->addr,
                                                       args));
      }
    } else {
      FlagTransaction(client);  // a rejection inside MULTI dooms the transaction, as Redis's rejectCommand
    }
    CountErrorReply(server_, out, mark);
  }

  // CLIENT REPLY: OFF and SKIP silence themselves too; SKIP then silences exactly one more command.
  const ReplyMode mode_after = client.reply_mode;
  const bool suppress = mode_after == ReplyMode::kOff || mode_after == ReplyMode::kSkipNext ||
                        (mode_before == ReplyMode::kSkipThis && mode_after == ReplyMode::kSkipThis);
  if (suppress || client.drop_reply) out.resize(mark);
  client.drop_reply = false;
  if (mode_after == ReplyMode::kSkipNext) {
    client.reply_mode = ReplyMode::kSkipThis;
  } else if (mode_before == ReplyMode::kSkipThis && mode_after == ReplyMode::kSkipThis) {
    client.reply_mode = ReplyMode::kOn;
  }
  // The command's changes went into the commit log: its reply (and every later one) waits until they
  // are durable (server/commit_batcher.h).
  if (client.last_ticket != ticket_before) {
    client.held.push_back({mark, out.size() - mark, client.last_ticket});
    client.wait_ticket = client.last_ticket;
  }
}

void CallCommand(ServerState& server, const CommandSpec& spec, const std::vector<std::string_view>& args,
                 ClientState& client, protocol::ReplyWriter& reply, ShardLocking locking) {
  std::string& out = *reply.buffer();
  const size_t mark = out.size();
  const int db_before = client.db;
  const int64_t start_us = SteadyMicros();
  {
    std::optional<ShardLocks> locks;
    // Inside the locks, so the command's records are appended before they are released. A caller that
    // holds the locks (EXEC) holds the scope too: its queued commands make one batch.
    std::optional<MutationScope> mutations;
    if (locking == ShardLocking::kTake) {
      locks.emplace(server.keyspace, spec, args);
      mutations.emplace(server, client);
    }
    const uint32_t records_before = client.sink->records();
    CommandContext ctx(spec, args, reply, client, server);
    spec.handler(ctx);
    // A write command that announced a change must have recorded it (style.md pattern 8).
    assert(!client.sink->recording() || !spec.has(kCmdWrite) || ctx.changes() == 0 ||
           ctx.declared_no_mutation() || client.sink->records() > records_before);
    (void)records_before;
  }
  const int64_t duration_us = SteadyMicros() - start_us;

  spec.stats.calls.fetch_add(1, std::memory_order_relaxed);
  spec.stats.usec.fetch_add(duration_us, std::memory_order_relaxed);
  if (server.config.latency_tracking()) spec.stats.RecordLatency(duration_us);
  if (CountErrorReply(server, out, mark)) spec.stats.failed_calls.fetch_add(1, std::memory_order_relaxed);
  server.stats.total_commands_processed.fetch_add(1, std::memory_order_relaxed);

  const Config& config = server.config;
  const int64_t slower_than = config.slowlog_log_slower_than();
  if (slower_than >= 0 && duration_us >= slower_than && !spec.has(kCmdSkipSlowlog)) {
    server.slowlog.Add(config.slowlog_max_len(), duration_us, server.clock.NowMs() / 1000,
                       RedactSecrets(spec, args), client.info->addr, client.info->name());
  }
  // Redis's latency monitor records commands as "command", or "fast-command" for O(1) ones.
  const int64_t latency_threshold_ms = config.latency_monitor_threshold();
  if (latency_threshold_ms > 0 && duration_us / 1000 >= latency_threshold_ms) {
    server.latency.Record(spec.has(kCmdFast) ? "fast-command" : "command", server.clock.NowMs() / 1000,
                          duration_us / 1000);
  }
  if (server.clients.HasMonitors() && !spec.has(kCmdSkipMonitor) && !spec.has(kCmdAdmin)) {
    server.clients.FeedMonitors(FormatMonitorLine(server.clock.NowUs() - duration_us, client.db,
                                                  client.info->addr, RedactSecrets(spec, args)));
  }
  if (client.db != db_before) client.info->db.store(client.db, std::memory_order_relaxed);
}

}  // namespace sessionkv::server

// SPDX-License-Identifier: Apache-2.0
// Introspection: COMMAND (COUNT INFO DOCS GETKEYS LIST HELP) over the declarative table, SLOWLOG, LATENCY,
// MEMORY USAGE.
#include <algorithm>
#include <string>
#include <vector>

#include "base/strings.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/config.h"
#include "server/errors.h"
#include "storage/glob.h"

namespace sessionkv::server {
namespace {

// Looks up "config" or, with a second word, the "config|get" subcommand, as COMMAND GETKEYS does.
const CommandSpec* ResolveCommand(const CommandTable& table, const std::vector<std::string_view>& words) {
  const CommandSpec* spec = table.Find(words[0]);
  if (spec != nullptr && spec->is_container() && words.size() > 1) {
    if (const CommandSpec* sub = spec->FindSubcommand(words[1])) return sub;
  }
  return spec;
}

// Looks up a full name as COMMAND INFO and COMMAND DOCS take it: "get", or "config|get" for a
// subcommand (Redis's lookupCommandBySds). Anything else with a '|' (an unknown subcommand, a
// subcommand of a plain command, a third level) names nothing.
const CommandSpec* FindByFullName(const CommandTable& table, std::string_view name) {
  const size_t bar = name.find('|');
  if (bar == std::string_view::npos) return table.Find(name);
  const std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos) return nullptr;
  const CommandSpec* parent = table.Find(name.substr(0, bar));
  return parent == nullptr ? nullptr : parent->FindSubcommand(sub);
}

// ----------------------------------------------------------------------------------------- COMMAND

// Key-spec flags print as Redis does: the access kind upper case (RO RW OW RM), the rest lower case.
std::vector<std::string> KeySpecFlags(std::string_view words) {
  std::vector<std::string> out;
  for (std::string_view w : SplitNonEmpty(words, ' ')) {
    const bool access_kind = w == "RO" || w == "RW" || w == "OW" || w == "RM";
    out.push_back(access_kind ? std::string(w) : AsciiStrToLower(w));
  }
  return out;
}

// One key spec: notes (if any), flags, begin_search {index}, find_keys {range or keynum}.
void ReplyKeySpec(protocol::ReplyWriter& w, std::string_view notes, std::string_view flag_words,
                  int index, bool keynum, int lastkey, int keystep) {
  w.MapHeader(notes.empty() ? 3 : 4);
  if (!notes.empty()) {
    w.Bulk("notes");
    w.Bulk(notes);
  }
  w.Bulk("flags");
  const std::vector<std::string> flags = KeySpecFlags(flag_words);
  w.SetHeader(flags.size());
  for (const std::string& f : flags) w.SimpleString(f);
  w.Bulk("begin_search");
  w.MapHeader(2);
  w.Bulk("type");
  w.Bulk("index");
  w.Bulk("spec");
  w.MapHeader(1);
  w.Bulk("index");
  w.Integer(index);
  w.Bulk("find_keys");
  w.MapHeader(2);
  w.Bulk("type");
  w.Bulk(keynum ? "keynum" : "range");
  w.Bulk("spec");
  w.MapHeader(3);
  if (keynum) {  // the count at begin_search's index, then that many keys right after it
    w.Bulk("keynumidx");
    w.Integer(0);
    w.Bulk("firstkey");
    w.Integer(1);
    w.Bulk("keystep");
    w.Integer(1);
  } else {
    w.Bulk("lastkey");
    w.Integer(lastkey);
    w.Bulk("keystep");
    w.Integer(keystep);
    w.Bulk("limit");
    w.Integer(0);
  }
}

// COMMAND INFO's key specs, derived from the row: one spec per comma-separated flag group. With one group
// it covers the row's whole key range; with several, group i describes the key at first_key + i * step
// and the last group, when the range runs to the end (last_key < 0), the keys from there on. A row with
// numkeys_index describes its last group as a keynum spec at that index.
void ReplyKeySpecs(protocol::ReplyWriter& w, const CommandSpec& spec) {
  const std::vector<std::string_view> groups = SplitNonEmpty(spec.key_flags, ',');
  if (groups.empty() || (spec.first_key == 0 && spec.numkeys_index == 0)) return w.ArrayHeader(0);
  w.ArrayHeader(groups.size());
  const size_t ranges = spec.numkeys_index > 0 ? groups.size() - 1 : groups.size();
  for (size_t i = 0; i < groups.size(); ++i) {
    const std::string_view notes = i == 0 ? std::string_view(spec.key_notes) : std::string_view();
    if (i == ranges) {
      ReplyKeySpec(w, notes, groups[i], spec.numkeys_index, /*keynum=*/true, 0, 0);
    } else if (ranges == 1) {
      const int lastkey = spec.last_key < 0 ? spec.last_key : spec.last_key - spec.first_key;
      ReplyKeySpec(w, notes, groups[i], spec.first_key, false, lastkey, spec.step);
    } else {
      const bool rest = i + 1 == ranges && spec.last_key < 0;
      ReplyKeySpec(w, notes, groups[i], spec.first_key + static_cast<int>(i) * spec.step, false,
                   rest ? spec.last_key : 0, 1);
    }
  }
}

// One COMMAND INFO entry: name, arity, flags, first/last/step, ACL categories, tips, key specs, subcommands.
void ReplyCommandInfo(protocol::ReplyWriter& w, const CommandSpec& spec) {
  w.ArrayHeader(10);
  w.Bulk(spec.full_name);
  w.Integer(spec.arity);
  std::vector<std::string_view> flags;
  for (size_t bit = 0; bit < CommandFlagNames().size(); ++bit) {
    if (spec.flags & (1u << bit)) flags.push_back(CommandFlagNames()[bit]);
  }
  w.SetHeader(flags.size());
  for (std::string_view f : flags) w.SimpleString(f);
  w.Integer(spec.first_key);
  w.Integer(spec.last_key);
  w.Integer(spec.step);
  std::vector<std::string> acl;
  for (size_t bit = 0; bit < AclCategoryNames().size(); ++bit) {
    if (spec.acl_categories & (1u << bit)) acl.push_back(StrCat("@", AclCategoryNames()[bit]));
  }
  w.SetHeader(acl.size());
  for (const std::string& a : acl) w.SimpleString(a);
  w.BulkArray(SplitNonEmpty(spec.tips, ' '));
  ReplyKeySpecs(w, spec);
  w.ArrayHeader(spec.subcommands.size());
  for (const auto& sub : spec.subcommands) ReplyCommandInfo(w, *sub);
}

void ReplyCommandDocs(protocol::ReplyWriter& w, const CommandSpec& spec) {
  w.MapHeader(spec.is_container() ? 4 : 3);
  w.Bulk("summary");
  w.Bulk(spec.summary);
  w.Bulk("since");
  w.Bulk(spec.since);
  w.Bulk("group");
  w.Bulk(spec.parent != nullptr && spec.group.empty() ? spec.parent->group : spec.group);
  if (spec.is_container()) {
    w.Bulk("subcommands");
    w.MapHeader(spec.subcommands.size());
    for (const auto& sub : spec.subcommands) {
      w.Bulk(sub->full_name);
      ReplyCommandDocs(w, *sub);
    }
  }
}

std::vector<const CommandSpec*> AllCommands(const CommandTable& table) {
  std::vector<const CommandSpec*> all;
  table.ForEach([&all](const CommandSpec& spec) { all.push_back(&spec); });
  return all;
}

void CmdCommand(CommandContext& ctx) {
  const auto all = AllCommands(ctx.server().commands);
  ctx.reply().ArrayHeader(all.size());
  for (const CommandSpec* spec : all) ReplyCommandInfo(ctx.reply(), *spec);
}

void CmdCommandCount(CommandContext& ctx) { ctx.reply().Integer(ctx.server().commands.size()); }

void CmdCommandInfo(CommandContext& ctx) {
  if (ctx.argc() == 2) return CmdCommand(ctx);
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const CommandSpec* spec = FindByFullName(ctx.server().commands, ctx.arg(i));
    if (spec == nullptr) {
      ctx.reply().Null();
    } else {
      ReplyCommandInfo(ctx.reply(), *spec);
    }
  }
}

void CmdCommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.argc() == 2) {
    specs = AllCommands(ctx.server().commands);
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      const CommandSpec* spec = FindByFullName(ctx.server().commands, ctx.arg(i));
      if (spec != nullptr) specs.push_back(spec);
    }
  }
  ctx.reply().MapHeader(specs.size());
  for (const CommandSpec* spec : specs) {
    ctx.reply().Bulk(spec->full_name);
    ReplyCommandDocs(ctx.reply(), *spec);
  }
}

// COMMAND GETKEYS <command> <args...> with Redis's checks and texts (getkeysCommand).
void CmdCommandGetKeys(CommandContext& ctx) {
  const std::vector<std::string_view> command(ctx.args().begin() + 2, ctx.args().end());
  const CommandSpec* spec = ResolveCommand(ctx.server().commands, command);
  if (spec == nullptr) return ctx.Error("ERR Invalid command specified");
  if (spec->first_key == 0 && spec->keys_function == nullptr) {
    return ctx.Error("ERR The command has no key arguments");
  }
  const int argc = static_cast<int>(command.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    return ctx.Error("ERR Invalid number of arguments specified for command");
  }
  const std::vector<int> keys = spec->KeyPositions(command);
  if (keys.empty() && !spec->has(kCmdNoMandatoryKeys)) {
    return ctx.Error("ERR Invalid arguments specified for command");
  }
  ctx.reply().ArrayHeader(keys.size());
  for (int k : keys) ctx.reply().Bulk(command[k]);
}

// COMMAND LIST [FILTERBY ACLCAT category | PATTERN pattern]: names, subcommands included.
void CmdCommandList(CommandContext& ctx) {
  std::string_view acl, pattern;
  if (ctx.argc() != 2) {
    if (ctx.argc() != 5 || !EqualsIgnoreCase(ctx.arg(2), "FILTERBY")) return ctx.Error(kErrSyntax);
    if (EqualsIgnoreCase(ctx.arg(3), "ACLCAT")) {
      acl = ctx.arg(4);
    } else if (EqualsIgnoreCase(ctx.arg(3), "PATTERN")) {
      pattern = ctx.arg(4);
    } else if (!EqualsIgnoreCase(ctx.arg(3), "MODULE")) {
      return ctx.Error(kErrSyntax);
    } else {
      return ctx.reply().ArrayHeader(0);  // no modules
    }
  }
  uint32_t acl_bit = 0;
  if (!acl.empty()) {
    const auto& names = AclCategoryNames();
    auto it = std::find(names.begin(), names.end(), AsciiStrToLower(acl));
    if (it == names.end()) return ctx.reply().ArrayHeader(0);
    acl_bit = 1u << (it - names.begin());
  }
  std::vector<std::string_view> out;
  auto consider = [&](const CommandSpec& spec) {
    if (acl_bit != 0 && !(spec.acl_categories & acl_bit)) return;
    if (!pattern.empty() && !storage::GlobMatch(pattern, spec.full_name, /*nocase=*/true)) return;
    out.push_back(spec.full_name);
  };
  ctx.server().commands.ForEach([&](const CommandSpec& spec) {
    consider(spec);
    for (const auto& sub : spec.subcommands) consider(*sub);
  });
  ctx.reply().BulkArray(out);
}

void CmdCommandHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                  "(no subcommand)",
                  "    Return details about all Redis commands.",
                  "COUNT",
                  "    Return the total number of commands in this Redis server.",
                  "LIST",
                  "    Return a list of all commands in this Redis server.",
                  "INFO [<command-name> ...]",
                  "    Return details about multiple Redis commands.",
                  "    If no command names are given, documentation details for all",
                  "    commands are returned.",
                  "DOCS [<command-name> ...]",
                  "    Return documentation details about multiple Redis commands.",
                  "    If no command names are given, documentation details for all",
                  "    commands are returned.",
                  "GETKEYS <full-command>",
                  "    Return the keys from a full Redis command.",
                  "HELP",
                  "    Prints this help."};
  ctx.ReplyHelp(kLines);
}

// ----------------------------------------------------------------------------------------- SLOWLOG

void CmdSlowlogGet(CommandContext& ctx) {
  if (ctx.argc() > 3) {  // Redis echoes the subcommand as it was spelled
    return ctx.Error(StrCat("ERR unknown subcommand or wrong number of arguments for '", ctx.arg(1),
                            "'. Try SLOWLOG HELP."));
  }
  int64_t count = 10;
  if (ctx.argc() == 3 && (!ParseInt64(ctx.arg(2), &count) || count < -1)) {
    return ctx.Error("ERR count should be greater than or equal to -1");
  }
  const std::vector<SlowLogEntry> entries = ctx.server().slowlog.Get(count);
  protocol::ReplyWriter& w = ctx.reply();
  w.ArrayHeader(entries.size());
  for (const SlowLogEntry& e : entries) {
    w.ArrayHeader(6);
    w.Integer(static_cast<int64_t>(e.id));
    w.Integer(e.time_sec);
    w.Integer(e.duration_us);
    w.ArrayHeader(e.args.size());
    for (const std::string& a : e.args) w.Bulk(a);
    w.Bulk(e.client_addr);
    w.Bulk(e.client_name);
  }
}

void CmdSlowlogLen(CommandContext& ctx) { ctx.reply().Integer(ctx.server().slowlog.Len()); }

void CmdSlowlogReset(CommandContext& ctx) {
  ctx.server().slowlog.Reset();
  ctx.reply().Ok();
}

void CmdSlowlogHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                  "GET [<count>]",
                  "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                  "    Entries are made of:",
                  "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                  "    client name",
                  "LEN",
                  "    Return the length of the slowlog.",
                  "RESET",
                  "    Reset the slowlog.",
                  "HELP",
                  "    Prints this help."};
  ctx.ReplyHelp(kLines);
}

// ----------------------------------------------------------------------------------------- LATENCY

void CmdLatencyLatest(CommandContext& ctx) {
  const auto events = ctx.server().latency.Latest();
  ctx.reply().ArrayHeader(events.size());
  for (const auto& e : events) {
    ctx.reply().ArrayHeader(4);
    ctx.reply().Bulk(e.name);
    ctx.reply().Integer(e.time_sec);
    ctx.reply().Integer(e.latest_ms);
    ctx.reply().Integer(e.max_ms);
  }
}

void CmdLatencyHistory(CommandContext& ctx) {
  const auto samples = ctx.server().latency.History(ctx.arg(2));
  ctx.reply().ArrayHeader(samples.size());
  for (const auto& [time_sec, ms] : samples) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Integer(time_sec);
    ctx.reply().Integer(ms);
  }
}

void CmdLatencyReset(CommandContext& ctx) {
  std::vector<std::string_view> events(ctx.args().begin() + 2, ctx.args().end());
  ctx.reply().Integer(ctx.server().latency.Reset(events));
}

// One command's entry of LATENCY HISTOGRAM: {calls: n, histogram_usec: {bound: cumulative, ...}}.
void ReplyCommandCdf(CommandContext& ctx, const CommandSpec& spec, const LatencyHistogram& h) {
  ctx.reply().Bulk(spec.full_name);
  ctx.reply().MapHeader(2);
  ctx.reply().Bulk("calls");
  ctx.reply().Integer(static_cast<int64_t>(h.count()));
  ctx.reply().Bulk("histogram_usec");
  const auto cdf = h.PowerOfTwoCdf();
  ctx.reply().MapHeader(cdf.size());
  for (const auto& [usec, cumulative] : cdf) {
    ctx.reply().Integer(usec);
    ctx.reply().Integer(static_cast<int64_t>(cumulative));
  }
}

// Appends `spec` and, for a container, its subcommands, when they have a histogram and are not listed yet.
void AddWithHistogram(const CommandSpec& spec, std::vector<const CommandSpec*>* out) {
  if (spec.stats.latency() != nullptr && std::find(out->begin(), out->end(), &spec) == out->end()) {
    out->push_back(&spec);
  }
  for (const auto& sub : spec.subcommands) AddWithHistogram(*sub, out);
}

// LATENCY HISTOGRAM [command ...]: the named commands ("config|get" names a subcommand, a container
// includes its subcommands) or, without names, every command called since the histograms started.
void CmdLatencyHistogram(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  const CommandTable& table = ctx.server().commands;
  if (ctx.argc() == 2) {
    table.ForEach([&specs](const CommandSpec& spec) { AddWithHistogram(spec, &specs); });
  }
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const std::string_view name = ctx.arg(i);
    const size_t bar = name.find('|');
    const CommandSpec* spec = table.Find(name.substr(0, bar));
    if (spec != nullptr && bar != std::string_view::npos) spec = spec->FindSubcommand(name.substr(bar + 1));
    if (spec != nullptr) AddWithHistogram(*spec, &specs);
  }
  ctx.reply().MapHeader(specs.size());
  for (const CommandSpec* spec : specs) ReplyCommandCdf(ctx, *spec, *spec->stats.latency());
}

void CmdLatencyHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                  "HISTORY <event>",
                  "    Return time-latency samples for the <event> class.",
                  "LATEST",
                  "    Return the latest latency samples for all events.",
                  "RESET [<event> ...]",
                  "    Reset latency data of one or more <event> classes.",
                  "    (default: reset all data for all event classes)",
                  "HISTOGRAM [COMMAND ...]",
                  "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
                  "    If no commands are specified then all histograms are replied.",
                  "HELP",
                  "    Prints this help."};
  ctx.ReplyHelp(kLines);
}

// ------------------------------------------------------------------------------------------ MEMORY

// MEMORY USAGE key [SAMPLES count]: the bytes the key costs (entry, key and value on the heap).
// Options are checked as Redis's memoryCommand does: SAMPLES without a count is a syntax error, a
// count that is not an integer is kErrNotInteger, a negative one a syntax error.
void CmdMemoryUsage(CommandContext& ctx) {
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    if (!EqualsIgnoreCase(ctx.arg(i), "SAMPLES") || i + 1 >= ctx.argc()) {
      return ctx.Error(kErrSyntax);
    }
    int64_t samples = 0;
    if (!ParseInt64(ctx.arg(i + 1), &samples)) return ctx.Error(kErrNotInteger);
    if (samples < 0) return ctx.Error(kErrSyntax);
  }
  storage::Entry* e = ctx.db().Find(ctx.arg(2));
  if (e == nullptr) return ctx.reply().Null();
  const size_t key_heap = e->key.capacity() > 15 ? e->key.capacity() + 1 : 0;
  ctx.reply().Integer(static_cast<int64_t>(sizeof(storage::Entry) + key_heap + e->value().HeapBytes() +
                                           sizeof(void*) /* bucket slot */));
}

void CmdMemoryHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                  "USAGE <key> [SAMPLES <count>]",
                  "    Return memory in bytes used by <key> and its value. Nested values are",
                  "    sampled up to <count> times (default: 5, 0 means sample all).",
                  "HELP",
                  "    Prints this help."};
  ctx.ReplyHelp(kLines);
}

CommandRow Sub(std::string_view name, int arity, std::string_view flags, CommandHandler handler,
               std::string_view since, std::string_view summary, std::string_view acl = "") {
  return CommandRow{.name = name, .arity = arity, .flags = flags, .acl = acl, .handler = handler,
                    .since = since, .summary = summary};
}

}  // namespace

void RegisterIntrospectionCommands(CommandTable& table) {
  table.Add({.name = "command", .arity = -1, .flags = "loading stale", .acl = "@connection",
             .handler = CmdCommand, .group = "server", .since = "2.8.13",
             .summary = "Returns detailed information about all commands.",
             .tips = "nondeterministic_output_order",
             .subcommands = {
                 Sub("count", 2, "loading stale", CmdCommandCount, "2.8.13",
                     "Returns a count of commands.", "@connection"),
                 WithTips(Sub("info", -2, "loading stale", CmdCommandInfo, "2.8.13",
                              "Returns information about one, multiple or all commands.", "@connection"),
                          "nondeterministic_output_order"),
                 WithTips(Sub("docs", -2, "loading stale", CmdCommandDocs, "7.0.0",
                              "Returns documentary information about one, multiple or all commands.",
                              "@connection"),
                          "nondeterministic_output_order"),
                 // Redis 7.2 lets GETKEYS name a command without arguments (7.0: arity -4).
                 Sub("getkeys", -3, "loading stale", CmdCommandGetKeys, "2.8.13",
                     "Extracts the key names from an arbitrary command.", "@connection"),
                 WithTips(Sub("list", -2, "loading stale", CmdCommandList, "7.0.0",
                              "Returns a list of command names.", "@connection"),
                          "nondeterministic_output_order"),
                 Sub("help", 2, "loading stale", CmdCommandHelp, "5.0.0",
                     "Returns helpful text about the different subcommands.", "@connection"),
             }});
  table.Add({.name = "slowlog", .arity = -2, .group = "server", .since = "2.2.12",
             .summary = "A container for slow log commands.",
             .subcommands = {
                 WithTips(Sub("get", -2, "admin loading stale", CmdSlowlogGet, "2.2.12",
                              "Returns the slow log's entries."),
                          "request_policy:all_nodes nondeterministic_output"),
                 WithTips(Sub("len", 2, "admin loading stale", CmdSlowlogLen, "2.2.12",
                              "Returns the number of entries in the slow log."),
                          "request_policy:all_nodes response_policy:agg_sum nondeterministic_output"),
                 WithTips(Sub("reset", 2, "admin loading stale", CmdSlowlogReset, "2.2.12",
                              "Clears all entries from the slow log."),
                          "request_policy:all_nodes response_policy:all_succeeded"),
                 Sub("help", 2, "loading stale", CmdSlowlogHelp, "6.2.0",
                     "Show helpful text about the different subcommands"),
             }});
  table.Add({.name = "latency", .arity = -2, .group = "server", .since = "2.8.13",
             .summary = "A container for latency diagnostics commands.",
             .subcommands = {
                 WithTips(Sub("latest", 2, "admin noscript loading stale", CmdLatencyLatest, "2.8.13",
                              "Returns the latest latency samples for all events."),
                          "nondeterministic_output request_policy:all_nodes response_policy:special"),
                 WithTips(Sub("history", 3, "admin noscript loading stale", CmdLatencyHistory, "2.8.13",
                              "Returns timestamp-latency samples for an event."),
                          "nondeterministic_output request_policy:all_nodes response_policy:special"),
                 WithTips(Sub("reset", -2, "admin noscript loading stale", CmdLatencyReset, "2.8.13",
                              "Resets the latency data for one or more events."),
                          "request_policy:all_nodes response_policy:agg_sum"),
                 WithTips(Sub("histogram", -2, "admin noscript loading stale", CmdLatencyHistogram, "7.0.0",
                              "Returns the cumulative distribution of latencies of a subset or all commands."),
                          "nondeterministic_output request_policy:all_nodes response_policy:special"),
                 Sub("help", 2, "loading stale", CmdLatencyHelp, "2.8.13",
                     "Returns helpful text about the different subcommands."),
             }});
  table.Add({.name = "memory", .arity = -2, .group = "server", .since = "4.0.0",
             .summary = "A container for memory diagnostics commands.",
             .subcommands = {
                 CommandRow{.name = "usage", .arity = -3, .flags = "readonly",
                            .first_key = 2, .last_key = 2, .step = 1, .handler = CmdMemoryUsage,
                            .since = "4.0.0", .summary = "Estimates the memory usage of a key.",
                            .key_flags = "RO"},
                 Sub("help", 2, "loading stale", CmdMemoryHelp, "4.0.0",
                     "Returns helpful text about the different subcommands."),
             }});
}

}  // namespace sessionkv::server

// SPDX-License-Identifier: Apache-2.0
#include "base/strings.h"
#include "server/command_table.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "server/commands/families.h"

namespace sessionkv::server {

const std::vector<std::string_view>& CommandFlagNames() {
  static const std::vector<std::string_view> kNames = {
      "write",        "readonly",     "denyoom",      "module",  "admin",         "pubsub",
      "noscript",     "blocking",     "loading",      "stale",   "skip_monitor",  "skip_slowlog",
      "asking",       "fast",         "no_auth",      "may_replicate", "no_mandatory_keys",
      "no_async_loading", "no_multi", "movablekeys",  "allow_busy"};
  return kNames;
}

const std::vector<std::string_view>& AclCategoryNames() {
  static const std::vector<std::string_view> kNames = {
      "keyspace", "read",   "write", "set",      "sortedset", "list",        "hash",
      "string",   "bitmap", "hyperloglog", "geo", "stream",   "pubsub",      "admin",
      "fast",     "slow",   "blocking", "dangerous", "connection", "transaction", "scripting"};
  return kNames;
}

CommandStats::~CommandStats() { delete latency_.load(std::memory_order_relaxed); }

void CommandStats::RecordLatency(int64_t usec) {
  LatencyHistogram* h = latency_.load(std::memory_order_acquire);
  if (h == nullptr) {
    auto fresh = std::make_unique<LatencyHistogram>();
    if (latency_.compare_exchange_strong(h, fresh.get(), std::memory_order_acq_rel)) {
      h = fresh.release();
    }  // else another thread installed one first: h points to it and ours is freed
  }
  h->Record(usec * 1000);  // Redis records nanoseconds
}

void CommandStats::Reset() {
  calls = 0;
  usec = 0;
  rejected_calls = 0;
  failed_calls = 0;
  // Zeroed rather than freed: another thread may be recording into it. INFO skips empty histograms, so
  // the effect is Redis's (which frees them).
  if (LatencyHistogram* h = latency_.load(std::memory_order_acquire)) h->Reset();
}

namespace {

[[noreturn]] void FailSpec(std::string_view command, std::string_view what) {
  std::fprintf(stderr, "command table error in '%.*s': %.*s\n", static_cast<int>(command.size()),
               command.data(), static_cast<int>(what.size()), what.data());
  std::abort();
}

// Parses space-separated words against a name list into a bitmask.
uint32_t ParseWords(std::string_view command, std::string_view words,
                    const std::vector<std::string_view>& names, std::string_view prefix) {
  uint32_t bits = 0;
  for (std::string_view word : SplitNonEmpty(words, ' ')) {
    if (!prefix.empty()) {
      if (!word.starts_with(prefix)) FailSpec(command, word);
      word.remove_prefix(prefix.size());
    }
    auto it = std::find(names.begin(), names.end(), word);
    if (it == names.end()) FailSpec(command, word);
    bits |= 1u << (it - names.begin());
  }
  return bits;
}

// Tips are Redis's words: nondeterministic_output[_order], request_policy:<p>, response_policy:<p>.
void CheckTips(std::string_view command, std::string_view tips) {
  static constexpr std::string_view kRequest[] = {"all_nodes", "all_shards", "multi_shard", "special"};
  static constexpr std::string_view kResponse[] = {"one_succeeded", "all_succeeded", "agg_logical_and",
                                                   "agg_logical_or", "agg_min", "agg_max", "agg_sum",
                                                   "special"};
  auto in = [](std::string_view word, const auto& names) {
    return std::find(std::begin(names), std::end(names), word) != std::end(names);
  };
  for (std::string_view tip : SplitNonEmpty(tips, ' ')) {
    const bool known = tip == "nondeterministic_output" || tip == "nondeterministic_output_order" ||
                       (tip.starts_with("request_policy:") && in(tip.substr(15), kRequest)) ||
                       (tip.starts_with("response_policy:") && in(tip.substr(16), kResponse));
    if (!known) FailSpec(command, tip);
  }
}

// Redis adds categories implied by flags (acl.c setImplicitACLCategories); read-only scripting commands
// (EVAL_RO) do not count as @read.
uint32_t ImpliedCategories(uint32_t flags, uint32_t explicit_categories) {
  uint32_t acl = 0;
  if (flags & kCmdWrite) acl |= kAclWrite;
  if ((flags & kCmdReadonly) && !(explicit_categories & kAclScripting)) acl |= kAclRead;
  if (flags & kCmdAdmin) acl |= kAclAdmin | kAclDangerous;
  if (flags & kCmdPubsub) acl |= kAclPubsub;
  if (flags & kCmdFast) acl |= kAclFast;
  if (flags & kCmdBlocking) acl |= kAclBlocking;
  if (!(flags & kCmdFast)) acl |= kAclSlow;
  return acl;
}

std::unique_ptr<CommandSpec> BuildSpec(const CommandRow& row, const CommandSpec* parent, int* next_id) {
  auto spec = std::make_unique<CommandSpec>();
  spec->id = (*next_id)++;
  spec->name = AsciiStrToLower(row.name);
  spec->full_name = parent ? parent->name + "|" + spec->name : spec->name;
  const std::string& id = spec->full_name;
  spec->arity = row.arity;
  spec->flags = ParseWords(id, row.flags, CommandFlagNames(), "");
  const uint32_t explicit_categories = ParseWords(id, row.acl, AclCategoryNames(), "@");
  spec->acl_categories = explicit_categories | ImpliedCategories(spec->flags, explicit_categories);
  spec->first_key = row.first_key;
  spec->last_key = row.last_key;
  spec->step = row.step;
  spec->handler = row.handler;
  spec->group = row.group;
  spec->since = row.since;
  spec->summary = row.summary;
  spec->tips = row.tips;
  spec->key_flags = row.key_flags;
  spec->key_notes = row.key_notes;
  spec->numkeys_index = row.numkeys_index;
  CheckTips(id, row.tips);
  spec->lock = row.lock;
  spec->keys_function = row.keys_function;
  spec->parent = parent;
  if (row.arity == 0) FailSpec(id, "arity 0");
  if (row.first_key < 0 || (row.first_key == 0 && (row.last_key != 0 || row.step != 0)) ||
      (row.first_key > 0 && row.step <= 0) ||
      (row.first_key > 0 && row.last_key >= 0 && row.last_key < row.first_key)) {
    FailSpec(id, "impossible key range");
  }
  if (row.keys_function != nullptr) spec->flags |= kCmdMovableKeys;
  if (row.subcommands.empty() && row.handler == nullptr) FailSpec(id, "no handler");
  // The dispatcher runs a container's own handler when it is called alone and its arity allows that.
  if (!row.subcommands.empty() && row.handler == nullptr && row.arity > -2) {
    FailSpec(id, "a container without a handler needs arity -2");
  }
  for (const CommandRow& sub : row.subcommands) {
    spec->subcommands.push_back(BuildSpec(sub, spec.get(), next_id));
  }
  return spec;
}

}  // namespace

const CommandSpec* CommandSpec::FindSubcommand(std::string_view sub) const {
  for (const auto& s : subcommands) {
    if (EqualsIgnoreCase(s->name, sub)) return s.get();
  }
  return nullptr;
}

std::vector<int> CommandSpec::KeyPositions(const std::vector<std::string_view>& args) const {
  if (keys_function != nullptr) return keys_function(args);
  std::vector<int> keys;
  if (first_key == 0) return keys;
  const int argc = static_cast<int>(args.size());
  const int last = last_key < 0 ? argc + last_key : last_key;
  for (int i = first_key; i <= last && i < argc; i += step) keys.push_back(i);
  return keys;
}

void CommandTable::Add(const CommandRow& row) {
  auto spec = BuildSpec(row, nullptr, &next_id_);
  std::string name = spec->name;
  if (!by_name_.emplace(name, std::move(spec)).second) FailSpec(name, "duplicate command");
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  // Command names are short; lowercase on the stack to avoid an allocation per request.
  char buf[64];
  if (name.size() > sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) buf[i] = AsciiToLower(name[i]);
  auto it = by_name_.find(std::string_view(buf, name.size()));
  return it == by_name_.end() ? nullptr : it->second.get();
}

bool CommandTable::Rename(std::string_view from, std::string_view to) {
  auto node = by_name_.extract(AsciiStrToLower(from));
  if (node.empty()) return false;
  if (!to.empty()) {
    // Only the lookup name changes: as in Redis, COMMAND INFO, arity errors and commandstats keep the
    // original full name ("config", "config|get").
    std::string new_name = AsciiStrToLower(to);
    node.mapped()->name = new_name;
    by_name_.emplace(new_name, std::move(node.mapped()));
  }
  return true;
}

void RegisterAllCommands(CommandTable& table) {
  RegisterConnectionCommands(table);
  RegisterClientCommand(table);
  RegisterStringCommands(table);
  RegisterKeyCommands(table);
  RegisterExpireCommands(table);
  RegisterSetCommands(table);
  RegisterHashCommands(table);
  RegisterZSetCommands(table);
  RegisterZSetRangeCommands(table);
  RegisterZSetAlgebraCommands(table);
  RegisterListCommands(table);
  RegisterPubSubCommands(table);
  RegisterTransactionCommands(table);
  RegisterServerCommands(table);
  RegisterPersistenceCommands(table);
  RegisterReplicationCommands(table);
  RegisterInfoCommands(table);
  RegisterIntrospectionCommands(table);
  RegisterAclCommands(table);
  RegisterShutdownCommand(table);
  RegisterScriptingCommands(table);
}

}  // namespace sessionkv::server

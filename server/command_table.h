// SPDX-License-Identifier: Apache-2.0
// The declarative command table (style.md pattern 3). Each family file declares its rows in one
// Register<Family>Commands(CommandTable&) function; RegisterAllCommands() calls them in a fixed order.
// A row mirrors what COMMAND INFO shows: name, arity (negative = at least), flags in Redis's words,
// key positions, ACL categories; plus the handler, and subcommands for container commands (CONFIG GET...).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/strings.h"
#include "server/latency_histogram.h"

namespace sessionkv::server {

class CommandContext;
using CommandHandler = void (*)(CommandContext& ctx);
// Key positions for commands whose keys move (numkeys arguments); returns argv indexes.
using KeysFunction = std::vector<int> (*)(const std::vector<std::string_view>& args);

// Redis's command flags, in the order COMMAND INFO prints them.
enum CommandFlag : uint32_t {
  kCmdWrite = 1u << 0,
  kCmdReadonly = 1u << 1,
  kCmdDenyOom = 1u << 2,
  kCmdModule = 1u << 3,
  kCmdAdmin = 1u << 4,
  kCmdPubsub = 1u << 5,
  kCmdNoscript = 1u << 6,
  kCmdBlocking = 1u << 7,
  kCmdLoading = 1u << 8,
  kCmdStale = 1u << 9,
  kCmdSkipMonitor = 1u << 10,
  kCmdSkipSlowlog = 1u << 11,
  kCmdAsking = 1u << 12,
  kCmdFast = 1u << 13,
  kCmdNoAuth = 1u << 14,
  kCmdMayReplicate = 1u << 15,
  kCmdNoMandatoryKeys = 1u << 16,
  kCmdNoAsyncLoading = 1u << 17,
  kCmdNoMulti = 1u << 18,
  kCmdMovableKeys = 1u << 19,
  kCmdAllowBusy = 1u << 20,
};
// The flag words, index i naming bit i.
const std::vector<std::string_view>& CommandFlagNames();

// ACL categories, in Redis's order (ACL CAT).
enum AclCategory : uint32_t {
  kAclKeyspace = 1u << 0,
  kAclRead = 1u << 1,
  kAclWrite = 1u << 2,
  kAclSet = 1u << 3,
  kAclSortedSet = 1u << 4,
  kAclList = 1u << 5,
  kAclHash = 1u << 6,
  kAclString = 1u << 7,
  kAclBitmap = 1u << 8,
  kAclHyperLogLog = 1u << 9,
  kAclGeo = 1u << 10,
  kAclStream = 1u << 11,
  kAclPubsub = 1u << 12,
  kAclAdmin = 1u << 13,
  kAclFast = 1u << 14,
  kAclSlow = 1u << 15,
  kAclBlocking = 1u << 16,
  kAclDangerous = 1u << 17,
  kAclConnection = 1u << 18,
  kAclTransaction = 1u << 19,
  kAclScripting = 1u << 20,
};
// Category names without '@', index i naming bit i.
const std::vector<std::string_view>& AclCategoryNames();

// Which shard locks the dispatcher takes before calling the handler.
enum class LockScope : uint8_t {
  kKeys,       // the shards of the keys at the spec's key positions (none if the command has no keys)
  kAllShards,  // every shard: whole-database commands (KEYS, SCAN, DBSIZE, FLUSHALL, SWAPDB, ...)
};

// What a family file writes for each command.
struct CommandRow {
  std::string_view name;          // any case; stored lowercase
  int arity = 0;                  // Redis convention: N exact, -N at least N (the name counts)
  std::string_view flags;         // space-separated Redis flag words: "write denyoom fast"
  std::string_view acl;           // explicit categories: "@string @keyspace"; implied ones are added
  int first_key = 0, last_key = 0, step = 0;  // last_key < 0 counts from the end (-1 = last argument)
  CommandHandler handler = nullptr;
  std::string_view group;         // COMMAND DOCS group: "string", "generic", "connection", "server"
  std::string_view since;         // Redis version that introduced it
  std::string_view summary;       // one line, as in Redis's docs
  // COMMAND INFO tips (Redis's command_tips), space-separated: "nondeterministic_output",
  // "request_policy:multi_shard response_policy:agg_sum".
  std::string_view tips;
  std::string_view key_flags;     // key-spec flags for COMMAND INFO, e.g. "RW ACCESS UPDATE"
  std::string_view key_notes;     // the first key spec's "notes" in COMMAND INFO, if Redis has one
  // For keys that follow a count argument (SINTERCARD numkeys key...): that argument's index. COMMAND
  // INFO then describes the last key_flags group as a "keynum" key spec starting there.
  int numkeys_index = 0;
  LockScope lock = LockScope::kKeys;
  KeysFunction keys_function = nullptr;
  std::vector<CommandRow> subcommands;
};

// The rows of a family's commands without keys (container subcommands, server and connection commands):
// the family's COMMAND DOCS group and ACL categories once, what differs per command at each row.
//   constexpr KeylessRows Sub{.group = "server"};
//   Sub("load", 3, "noscript stale", CmdScriptLoad, "2.6.0", "Loads ...")
struct KeylessRows {
  std::string_view group;
  std::string_view acl;
  CommandRow operator()(std::string_view name, int arity, std::string_view flags, CommandHandler handler,
                        std::string_view since, std::string_view summary, std::string_view tips = "") const {
    return CommandRow{.name = name, .arity = arity, .flags = flags, .acl = acl, .handler = handler,
                      .group = group, .since = since, .summary = summary, .tips = tips};
  }
};

// `row` with COMMAND INFO tips, for rows built by a family's helper function.
inline CommandRow WithTips(CommandRow row, std::string_view tips) {
  row.tips = tips;
  return row;
}

// Counters for INFO commandstats and latencystats; updated from any I/O thread.
struct CommandStats {
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> usec{0};
  std::atomic<uint64_t> rejected_calls{0};
  std::atomic<uint64_t> failed_calls{0};
  CommandStats() = default;
  CommandStats(const CommandStats&) = delete;
  CommandStats& operator=(const CommandStats&) = delete;
  ~CommandStats();
  // latency-tracking: adds one call's duration to the histogram, made on the first call (24 KiB, so only
  // commands that run get one, as in Redis).
  void RecordLatency(int64_t usec);
  // The histogram, or nullptr before the first recorded call.
  const LatencyHistogram* latency() const { return latency_.load(std::memory_order_acquire); }
  void Reset();

 private:
  std::atomic<LatencyHistogram*> latency_{nullptr};
};

struct CommandSpec {
  int id = 0;              // registration order over commands and subcommands; indexes ACL bitmaps
  std::string name;        // lowercase lookup name ("get"; "get" under "config"); rename-command changes it
  std::string full_name;   // "get", "config|get": the original name, also after rename-command
  int arity = 0;
  uint32_t flags = 0;
  uint32_t acl_categories = 0;  // explicit plus implied by flags
  int first_key = 0, last_key = 0, step = 0;
  CommandHandler handler = nullptr;
  std::string group, since, summary, tips, key_flags, key_notes;
  int numkeys_index = 0;
  LockScope lock = LockScope::kKeys;
  KeysFunction keys_function = nullptr;
  const CommandSpec* parent = nullptr;
  std::vector<std::unique_ptr<CommandSpec>> subcommands;
  mutable CommandStats stats;

  bool has(uint32_t flag) const { return (flags & flag) != 0; }
  // Whether `argc` arguments (the name included) satisfy the arity: N exactly, or at least N for -N.
  bool AcceptsArgc(size_t argc) const {
    const auto n = static_cast<int64_t>(argc);
    return arity > 0 ? n == arity : n >= -arity;
  }
  bool is_container() const { return !subcommands.empty(); }
  const CommandSpec* FindSubcommand(std::string_view name) const;  // case-insensitive
  // The argv indexes of the keys of this invocation (arity already checked).
  std::vector<int> KeyPositions(const std::vector<std::string_view>& args) const;
};

// Case-insensitive lookup of commands by name.
class CommandTable {
 public:
  // Adds a row; aborts the process with a clear message on an unknown flag or category, a duplicate name
  // or an impossible key range (checked once at start-up, like Kvrocks).
  void Add(const CommandRow& row);
  const CommandSpec* Find(std::string_view name) const;
  // The command `args` names, descending into a container's subcommand when there is one (ACL DRYRUN,
  // redis.call); nullptr for an unknown command or subcommand.
  const CommandSpec* FindForArgs(const std::vector<std::string_view>& args) const {
    const CommandSpec* spec = args.empty() ? nullptr : Find(args[0]);
    if (spec != nullptr && spec->is_container() && args.size() >= 2) spec = spec->FindSubcommand(args[1]);
    return spec;
  }
  // rename-command: "" removes the command; otherwise it is reachable only under the new name.
  bool Rename(std::string_view from, std::string_view to);
  size_t size() const { return by_name_.size(); }
  // Commands and subcommands registered (ids are below this).
  int command_count() const { return next_id_; }
  // Visits every command in name order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    std::vector<const CommandSpec*> sorted;
    for (const auto& [_, spec] : by_name_) sorted.push_back(spec.get());
    std::sort(sorted.begin(), sorted.end(),
              [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
    for (const CommandSpec* spec : sorted) fn(*spec);
  }

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<CommandSpec>, StringViewHash, StringViewEq> by_name_;  // keys lowercase
  int next_id_ = 0;
};

// Registers every family (server/commands/*.cc) in a fixed order.
void RegisterAllCommands(CommandTable& table);

}  // namespace sessionkv::server

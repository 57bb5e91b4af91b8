// SPDX-License-Identifier: Apache-2.0
// Access control lists (ACL), as Redis 7.2's acl.c: users with passwords (kept only as SHA-256 hex digests,
// compared in constant time), on/off, and selectors that allow commands (by name, subcommand, first argument
// or category), key patterns (with read/write permissions) and Pub/Sub channel patterns.
//
// The rules language is Redis's ACL SETUSER one; ACL LIST/GETUSER/SAVE describe users in Redis 7.2's words
// (the command rules as given, compacted, after "+@all" or "-@all"). The command table (its categories, key
// positions and key-spec flags) decides what each rule covers, so a command added to the table is governed by
// the categories it declares.
//
// Threads: users are shared by every I/O thread. A user's rules are an immutable snapshot replaced as a whole
// by ACL SETUSER / LOAD; a client keeps the snapshot it last saw and refreshes it when the user's version
// changes, so the per-command check costs one relaxed atomic load for a client whose user did not change.
#pragma once

#include <atomic>
#include <bitset>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "server/command_table.h"

namespace sessionkv::server {

struct ClientState;
class ClientInfo;

// Key permissions of a key pattern (%R~, %W~, ~) and what a key position needs.
enum AclKeyPerm : uint8_t { kAclKeyRead = 1, kAclKeyWrite = 2, kAclKeyAll = 3 };

// Room for every command and subcommand; the last bit is set only by +@all ("future commands").
inline constexpr size_t kAclCommandBits = 1024;

struct AclKeyPattern {
  std::string pattern;
  uint8_t perms = kAclKeyAll;
  bool operator==(const AclKeyPattern&) const = default;
};

// A set of permissions; a user has a root selector and may have more ("(~k* +get)").
struct AclSelector {
  bool root = false;
  bool all_keys = false;
  bool all_channels = false;
  bool all_commands = false;
  std::bitset<kAclCommandBits> commands;
  // "+select|0": first arguments allowed for an otherwise denied command, by command id.
  absl::flat_hash_map<int, std::vector<std::string>> first_args;
  std::vector<AclKeyPattern> keys;
  std::vector<std::string> channels;
  // The command rules as given, compacted (Redis 7.2's command_rules): what ACL LIST shows after +@all/-@all.
  std::string command_rules;
};

enum AclUserFlag : uint32_t {
  kAclUserEnabled = 1u << 0,
  kAclUserDisabled = 1u << 1,
  kAclUserNoPass = 1u << 2,
  kAclUserSkipSanitize = 1u << 3,
  kAclUserSanitize = 1u << 4,
};

// One user's whole definition; immutable once published.
struct AclUserRules {
  uint32_t flags = kAclUserDisabled | kAclUserSanitize;
  std::vector<std::string> passwords;  // lowercase hex SHA-256
  std::vector<AclSelector> selectors;  // [0] is the root selector
  // The root selector allows every command, key and channel: the check is skipped.
  bool unrestricted = false;

  bool enabled() const { return (flags & kAclUserEnabled) != 0; }
  bool nopass() const { return (flags & kAclUserNoPass) != 0; }
};

class AclUser {
 public:
  AclUser(std::string name, std::shared_ptr<const AclUserRules> rules) : name_(std::move(name)) {
    Publish(std::move(rules));
  }
  const std::string& name() const { return name_; }
  std::shared_ptr<const AclUserRules> rules() const {
    std::lock_guard lock(mu_);
    return rules_;
  }
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // Connections need AUTH first unless this user is on and needs no password (meaningful for "default").
  bool requires_auth() const { return requires_auth_.load(std::memory_order_acquire); }
  void Publish(std::shared_ptr<const AclUserRules> rules);
  // ACL DELUSER / LOAD removed the user: its clients are being closed and may run nothing meanwhile.
  bool removed() const { return removed_.load(std::memory_order_acquire); }
  void MarkRemoved();

 private:
  const std::string name_;
  mutable std::mutex mu_;
  std::shared_ptr<const AclUserRules> rules_;
  std::atomic<uint64_t> version_{0};
  std::atomic<bool> requires_auth_{true};
  std::atomic<bool> removed_{false};
};

// Why a command was refused; the values order them as Redis picks the error to report.
enum class AclDenial : uint8_t { kOk = 0, kCommand = 1, kKey = 2, kAuth = 3, kChannel = 4 };

// The result of a permission check: the denial and the argv index of the key or channel refused.
struct AclVerdict {
  AclDenial denial = AclDenial::kOk;
  int arg = 0;
  bool ok() const { return denial == AclDenial::kOk; }
};

// What the ACL needs to know of every command, by CommandSpec::id.
struct AclCommandInfo {
  const CommandSpec* spec = nullptr;
  std::vector<uint8_t> key_groups;  // AclKeyPerm each key-spec group needs (key_flags split on ", ")
  enum class Channels : uint8_t { kNone, kFirstArg, kAllArgs, kAllArgsLiteral } channels = Channels::kNone;
};

// Errors of the rules language (Redis's errno values in ACLSetUser), each with Redis's text.
enum class AclRuleError : uint8_t {
  kOk,
  kUnknownCommand,    // ENOENT
  kSyntax,            // EINVAL
  kKeyAfterAll,       // EEXIST
  kChannelAfterAll,   // EISDIR
  kNoSuchPassword,    // ENODEV
  kBadHash,           // EBADMSG
  kSubcommandFirstArg,  // ECHILD
};
std::string_view AclRuleErrorText(AclRuleError error);

// One ACL LOG entry (Redis 7.2's fields).
struct AclLogEntry {
  uint64_t count = 1;
  AclDenial reason = AclDenial::kCommand;
  bool in_multi = false;  // context "multi" rather than "toplevel"
  std::string object;
  std::string username;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::string client_info;
  uint64_t entry_id = 0;
};

class Acl {
 public:
  // Indexes the commands of `table` (after rename-command: the ACL knows commands by their original names,
  // as Redis's orig_commands) and creates the default user.
  explicit Acl(const CommandTable& table);

  // ---- the command index
  // ACLLookupCommand: "get", "config|get" by original name, case-insensitive; nullptr if unknown.
  const CommandSpec* LookupCommand(std::string_view name) const;
  const AclCommandInfo& info(const CommandSpec& spec) const { return commands_[spec.id]; }
  // Every command with `category` (a bit of AclCategory), containers and subcommands (ACL CAT).
  std::vector<const CommandSpec*> CommandsIn(uint32_t category) const;

  // ---- users
  std::shared_ptr<AclUser> default_user() const { return default_user_; }
  std::shared_ptr<AclUser> Find(std::string_view name) const;
  // Sorted by name, as Redis's radix tree.
  std::vector<std::shared_ptr<AclUser>> Users() const;
  // ACL SETUSER: applies `ops` (already merged into selectors) to a copy of the user (a new user when absent)
  // and publishes it only if every op succeeds; on error `failed_op` is the index of the op. `revoked` gets
  // true when an existing user lost channel permissions (its subscribers must be checked).
  AclRuleError SetUser(std::string_view name, const std::vector<std::string>& ops, size_t* failed_op,
                       bool* channels_shrunk);
  // Removes the users (never "default"); returns the removed ones.
  std::vector<std::shared_ptr<AclUser>> DeleteUsers(const std::vector<std::string_view>& names);
  // requirepass: resetpass, then >password (or nopass when empty), on the default user.
  void SetDefaultPassword(std::string_view password);
  // ---- files (acl_file.cc)
  // The `user` lines of the config file, at start (ACLLoadConfiguredUsers); the error is what Redis logs
  // before exiting.
  absl::Status LoadConfigUsers(const std::vector<std::vector<std::string>>& users);
  // ACL LOAD and the aclfile at start: replaces every user, all or nothing; the error is Redis's text.
  // `replaced` gets the users that were replaced (their clients must be closed). Unlike Redis, a file
  // without a "user default" line leaves the default user as it was (Redis resets it to nopass, which
  // would silently drop requirepass).
  absl::Status LoadFile(const std::string& path, std::string_view shown_name,
                        std::vector<std::shared_ptr<AclUser>>* replaced);
  // ACL SAVE: every user as a "user" line, written to a temporary file renamed over `path`.
  absl::Status SaveFile(const std::string& path) const;
  // "user <name> <description>" for every user, sorted by name (ACL LIST, ACL SAVE, CONFIG REWRITE).
  std::vector<std::string> UserLines() const;
  // ACL LIST line without "user <name> ": flags, passwords, selectors.
  std::string Describe(const AclUserRules& rules) const;
  std::string DescribeSelectorCommands(const AclSelector& s) const;

  // "acl-pubsub-default": whether new users start with allchannels.
  void set_pubsub_default_all(bool all) { pubsub_default_all_.store(all, std::memory_order_relaxed); }

  // ---- checks
  // ACLCheckAllUserCommandPerm for an invocation of `spec` with `args` (args[0] is the command name).
  AclVerdict Check(const AclUserRules& rules, const CommandSpec& spec,
                   const std::vector<std::string_view>& args) const;
  // The username/password pair is valid: the user exists, is on, and is nopass or one password matches.
  std::shared_ptr<AclUser> Authenticate(std::string_view username, std::string_view password) const;

  // ---- ACL LOG
  void AddLogEntry(AclDenial reason, bool in_multi, std::string object, std::string username,
                   std::string client_info, int64_t now_ms, size_t max_len);
  std::vector<AclLogEntry> LogEntries(size_t count) const;
  void ResetLog();

 private:
  AclRuleError SetUserOp(AclUserRules& rules, std::string_view op) const;
  AclRuleError SetSelectorOp(AclSelector& s, std::string_view op) const;
  void ChangePerm(AclSelector& s, const CommandSpec& spec, bool allow) const;
  void SetCategory(AclSelector& s, uint32_t category, bool allow) const;
  AclSelector NewSelector(bool root) const;
  std::shared_ptr<AclUserRules> NewUserRules() const;
  std::shared_ptr<AclUserRules> DefaultUserRules() const;
  static void Finish(AclUserRules& rules);

  std::vector<AclCommandInfo> commands_;  // by CommandSpec::id
  std::vector<const CommandSpec*> top_level_;
  absl::flat_hash_map<std::string, const CommandSpec*> by_full_name_;  // lowercase original names
  std::atomic<bool> pubsub_default_all_{false};

  mutable std::mutex mu_;  // users_ and the log
  std::map<std::string, std::shared_ptr<AclUser>, std::less<>> users_;
  std::shared_ptr<AclUser> default_user_;
  std::deque<AclLogEntry> log_;
  uint64_t next_entry_id_ = 0;
};

// ACL GETUSER's pieces: flag words in Redis's order, "keys" and "channels" of a selector.
std::vector<std::string_view> AclUserFlagNames(uint32_t flags);
std::string DescribeSelectorKeys(const AclSelector& s);
std::string DescribeSelectorChannels(const AclSelector& s);

// SHA-256 of `data` as 64 lowercase hex characters (OpenSSL).
std::string Sha256Hex(std::string_view data);
// `chars` random hex characters from OpenSSL's CSPRNG (ACL GENPASS).
std::string RandomHex(size_t chars);
// Compares two secrets in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// Redis's ACLMergeSelectorArguments: joins "(~k*" "+get)" into one "(~k* +get)" op. On an unclosed
// selector returns false with `open_index` at the op that opened it.
bool MergeSelectorArgs(const std::vector<std::string_view>& args, std::vector<std::string>* out,
                       size_t* open_index);

// ---- the client's side

// The client is logged in as the default user, authenticated if that user is on and needs no password
// (Redis's clientSetDefaultAuth): new connections, RESET.
void SetDefaultAuth(const Acl& acl, ClientState& client);
// The client becomes `user`, authenticated (AUTH, HELLO AUTH).
void SetAuthenticatedUser(ClientState& client, std::shared_ptr<AclUser> user);
// Redis's authRequired: commands other than no_auth ones need AUTH first.
bool AuthRequired(const Acl& acl, const ClientState& client);
// The client's user's current rules (refreshed when the user changed).
const AclUserRules& CurrentRules(ClientState& client);
// The NOPERM text of a refusal (Redis 7.2's getAclErrorMessage); verbose as ACL DRYRUN words it.
std::string AclDenialMessage(const AclVerdict& verdict, std::string_view username, const CommandSpec& spec,
                             const std::vector<std::string_view>& args, bool verbose);

}  // namespace sessionkv::server

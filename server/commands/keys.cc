// SPDX-License-Identifier: Apache-2.0
// Generic key commands: DEL UNLINK EXISTS TYPE TOUCH RENAME RENAMENX COPY MOVE KEYS SCAN RANDOMKEY
// DBSIZE FLUSHDB FLUSHALL SWAPDB OBJECT (ENCODING FREQ IDLETIME REFCOUNT HELP).
//
// These commands work on keys whatever their type. Values move between keys and databases by moving
// the Value; a key's deadline travels with it (RENAME, MOVE, COPY keep the source's TTL). On disk a
// moved or copied key is written again whole under its new name (storage/rocks_format.h keys element
// records by name).
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/strings.h"
#include "server/arg_cursor.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/config.h"
#include "server/errors.h"
#include "storage/glob.h"

namespace sessionkv::server {
namespace {


// A view of the client's database whose lookups do not count as an access (EXISTS, TYPE, OBJECT,
// TTL leave OBJECT IDLETIME alone in Redis) but still count keyspace hits and misses.
storage::Db NoTouchDb(CommandContext& ctx) {
  storage::Db db = ctx.db();
  db.set_touch(false);
  return db;
}

// Redis's getIntFromObjectOrReply: an int64 that must also fit in an int.
absl::StatusOr<int> ParseInt32(std::string_view s) {
  int64_t v;
  if (!ParseInt64(s, &v)) return absl::InvalidArgumentError(ToAbsl(kErrNotInteger));
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    return absl::InvalidArgumentError(ToAbsl(kErrIntRange));
  }
  return static_cast<int>(v);
}

// A database index argument (MOVE, COPY ... DB): an int, then within 0..databases-1.
absl::StatusOr<int> ParseDbIndex(CommandContext& ctx, std::string_view s) {
  auto index = ParseInt32(s);
  if (!index.ok()) return index.status();
  if (*index < 0 || *index >= ctx.keyspace().num_dbs()) {
    return absl::InvalidArgumentError(ToAbsl(kErrDbIndexOutOfRange));
  }
  return *index;
}

// -------------------------------------------------------------------------- DEL UNLINK EXISTS TYPE

// DEL key [key ...] and UNLINK: the number of keys that existed and were removed (a repeated key
// counts once). Freeing is synchronous either way: values are small, and there is no lazy-free
// thread.
void CmdDel(CommandContext& ctx) {
  storage::Db& db = ctx.db();
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (!db.Delete(ctx.arg(i))) continue;
    ++deleted;
    ctx.Notify(kNotifyGeneric, "del", ctx.arg(i));
  }
  ctx.reply().Integer(deleted);
}

// Counts the arguments naming a live key (a repeated key counts every time). `touch` says whether
// the lookups count as accesses: TOUCH does, EXISTS does not.
int64_t CountExisting(CommandContext& ctx, bool touch) {
  storage::Db db = ctx.db();
  db.set_touch(touch);
  int64_t found = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) found += db.FindForRead(ctx.arg(i)) != nullptr ? 1 : 0;
  return found;
}

void CmdExists(CommandContext& ctx) { ctx.reply().Integer(CountExisting(ctx, /*touch=*/false)); }

// TOUCH updates the access time even for a CLIENT NO-TOUCH client (Redis 7.2 exempts TOUCH).
void CmdTouch(CommandContext& ctx) { ctx.reply().Integer(CountExisting(ctx, /*touch=*/true)); }

void CmdType(CommandContext& ctx) {
  storage::Db db = NoTouchDb(ctx);
  const storage::Entry* e = db.FindForRead(ctx.arg(1));
  ctx.reply().SimpleString(e == nullptr ? "none" : storage::TypeName(e->value().type()));
}

// --------------------------------------------------------------------------------- RENAME RENAMENX

// RENAME src dst / RENAMENX src dst. A missing source is "ERR no such key" (also when src == dst);
// renaming a key to itself changes nothing. The destination takes the source's value and deadline.
void RenameGeneric(CommandContext& ctx, bool nx) {
  storage::Db& db = ctx.db();
  const std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  storage::Entry* from = db.FindForWrite(src);
  if (from == nullptr) return ctx.Error(kErrNoSuchKey);
  if (src == dst) return nx ? ctx.reply().Integer(0) : ctx.reply().Ok();
  if (storage::Entry* to = db.FindForWrite(dst); to != nullptr) {
    if (nx) return ctx.reply().Integer(0);
    db.Erase(to, storage::RemovalCause::kOverwritten);
  }
  auto [value, deadline_ms] = db.Extract(from);
  db.Add(dst, std::move(value), deadline_ms);
  ctx.Notify(kNotifyGeneric, "rename_from", src);
  ctx.Notify(kNotifyGeneric, "rename_to", dst);
  nx ? ctx.reply().Integer(1) : ctx.reply().Ok();
}

void CmdRename(CommandContext& ctx) { RenameGeneric(ctx, /*nx=*/false); }
void CmdRenameNx(CommandContext& ctx) { RenameGeneric(ctx, /*nx=*/true); }

// --------------------------------------------------------------------------------------- COPY MOVE

// COPY src dst [DB index] [REPLACE]: 1 if copied, 0 if the source is missing or the destination
// exists without REPLACE. The copy is independent of the source and has the source's deadline.
void CmdCopy(CommandContext& ctx) {
  int dst_index = ctx.client().db;
  bool replace = false;
  ArgCursor cur = ctx.Cursor(3);
  while (!cur.Done()) {
    if (cur.EatIf("REPLACE")) {
      replace = true;
    } else if (cur.Remaining() >= 2 && cur.EatIf("DB")) {
      auto index = ParseDbIndex(ctx, cur.Next());
      if (!index.ok()) return ctx.Error(index.status());
      dst_index = *index;
    } else {
      return ctx.Error(kErrSyntax);
    }
  }
  const std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  if (dst_index == ctx.client().db && src == dst) return ctx.Error(kErrSameObject);

  storage::Db& from_db = ctx.db();
  const storage::Entry* from = from_db.FindForRead(src);
  if (from == nullptr) return ctx.reply().Integer(0);
  storage::Db to_db = ctx.OtherDb(dst_index);
  if (storage::Entry* to = to_db.FindForWrite(dst); to != nullptr) {
    if (!replace) return ctx.reply().Integer(0);
    to_db.Erase(to, storage::RemovalCause::kOverwritten);
  }
  to_db.Add(dst, from->value(), from->deadline_ms());
  ctx.Notify(kNotifyGeneric, "copy_to", dst, dst_index);
  ctx.reply().Integer(1);
}

// MOVE key db: 1 if moved, 0 if the key is missing here or already exists there. Moving to the
// selected database is an error, checked before the key is looked up.
void CmdMove(CommandContext& ctx) {
  auto dst_index = ParseDbIndex(ctx, ctx.arg(2));
  if (!dst_index.ok()) return ctx.Error(dst_index.status());
  if (*dst_index == ctx.client().db) return ctx.Error(kErrSameObject);
  const std::string_view key = ctx.arg(1);
  storage::Db& from_db = ctx.db();
  storage::Entry* from = from_db.FindForWrite(key);
  if (from == nullptr) return ctx.reply().Integer(0);
  storage::Db to_db = ctx.OtherDb(*dst_index);
  if (to_db.FindForWrite(key) != nullptr) return ctx.reply().Integer(0);
  auto [value, deadline_ms] = from_db.Extract(from);
  to_db.Add(key, std::move(value), deadline_ms);
  ctx.Notify(kNotifyGeneric, "move_from", key);
  ctx.Notify(kNotifyGeneric, "move_to", key, *dst_index);
  ctx.reply().Integer(1);
}

// --------------------------------------------------------------------------------------- KEYS SCAN

// KEYS pattern: every live key of the database matching the glob. Expired keys are skipped, not
// deleted (Redis's keysCommand only checks them).
void CmdKeys(CommandContext& ctx) {
  storage::Db& db = ctx.db();
  const std::string_view pattern = ctx.arg(1);
  const bool all = pattern == "*";
  const int64_t now_ms = db.NowMs();
  std::vector<std::string_view> found;
  for (int s = 0; s < ctx.keyspace().num_shards(); ++s) {
    ctx.keyspace().shard(s).db(db.index()).dict.ForEach([&](const storage::Entry* e) {
      if (e->has_deadline() && now_ms > e->deadline_ms()) return;
      if (all || storage::GlobMatch(pattern, e->key)) found.push_back(e->key);
    });
  }
  ctx.reply().ArrayHeader(found.size());
  for (std::string_view key : found) ctx.reply().Bulk(key);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: visits buckets until about `count` keys
// were seen or the scan ends, then filters them. As in Redis, at most count*10 buckets are visited
// per call so a sparse table cannot make one call slow; every key present for the whole scan is
// returned at least once.
void CmdScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(1), &cursor)) return ctx.Error(kErrInvalidCursor);
  auto opts = ParseScanOptions(ctx.Cursor(2), /*allow_type=*/true);
  if (!opts.ok()) return ctx.Error(opts.status());

  storage::Db& db = ctx.db();
  std::vector<std::string_view> found;
  int64_t visited = 0;
  int64_t max_steps = opts->count > INT64_MAX / 10 ? INT64_MAX : opts->count * 10;
  do {
    cursor = db.ScanStep(cursor, [&](storage::Entry* e) {
      ++visited;
      if (!opts->pattern.empty() && !storage::GlobMatch(opts->pattern, e->key)) return;
      if (!opts->type.empty() &&
          !EqualsIgnoreCase(opts->type, storage::TypeName(e->value().type()))) {
        return;
      }
      found.push_back(e->key);
    });
  } while (cursor != 0 && visited < opts->count && --max_steps > 0);

  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(StrCat(cursor));
  ctx.reply().ArrayHeader(found.size());
  for (std::string_view key : found) ctx.reply().Bulk(key);
}

// ------------------------------------------------------------------------- RANDOMKEY DBSIZE FLUSH*

void CmdRandomKey(CommandContext& ctx) {
  thread_local absl::BitGen gen;
  const storage::Entry* e = ctx.db().RandomEntry(gen);
  if (e == nullptr) return ctx.reply().Null();
  ctx.reply().Bulk(e->key);
}

void CmdDbSize(CommandContext& ctx) { ctx.reply().Integer(static_cast<int64_t>(ctx.db().Size())); }

// FLUSHDB/FLUSHALL [ASYNC|SYNC]: both modes free synchronously (there is no lazy-free thread); the
// keyspace is empty when the reply is sent either way. Db::Clear touches the WATCHes of existing keys.
bool ParseFlushMode(CommandContext& ctx) {
  if (ctx.argc() == 1) return true;
  return ctx.argc() == 2 &&
         (EqualsIgnoreCase(ctx.arg(1), "ASYNC") || EqualsIgnoreCase(ctx.arg(1), "SYNC"));
}

void CmdFlushDb(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return ctx.Error(kErrSyntax);
  ctx.db().Clear();
  ctx.reply().Ok();
}

void CmdFlushAll(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return ctx.Error(kErrSyntax);
  for (int i = 0; i < ctx.keyspace().num_dbs(); ++i) ctx.OtherDb(i).Clear();
  ctx.reply().Ok();
}

// SWAPDB a b: swaps the contents (and deadlines) of two databases; clients that selected either see
// the other's keys at once. WATCHes stay with their database index and fail if the key exists in either.
void CmdSwapDb(CommandContext& ctx) {
  auto first = ParseInt32(ctx.arg(1));
  if (!first.ok()) return ctx.Error("ERR invalid first DB index");
  auto second = ParseInt32(ctx.arg(2));
  if (!second.ok()) return ctx.Error("ERR invalid second DB index");
  storage::Keyspace& ks = ctx.keyspace();
  if (*first < 0 || *first >= ks.num_dbs() || *second < 0 || *second >= ks.num_dbs()) {
    return ctx.Error(kErrDbIndexOutOfRange);
  }
  if (*first != *second) {
    ks.SwapDbs(*first, *second, ctx.db().sink());
    ctx.server().blocking.DatabasesSwapped(*first, *second, ctx.db().sink());  // waiters may find data now
  }
  ctx.reply().Ok();
}

// ------------------------------------------------------------------------------------------ OBJECT
//
// What a key's access field means depends on maxmemory-policy (storage/eviction.h): idle time outside
// LFU policies (IDLETIME), an access frequency under them (FREQ).

// Redis's texts for asking the access field the other question.
constexpr std::string_view kErrLfuNotSelected =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
constexpr std::string_view kErrLfuSelected =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching "
    "between policies at runtime LRU and LFU data will take some time to adjust.";

// The entry OBJECT looks at, or nullptr after replying nil for a missing key.
const storage::Entry* ObjectLookup(CommandContext& ctx) {
  storage::Db db = NoTouchDb(ctx);
  const storage::Entry* e = db.FindForRead(ctx.arg(2));
  if (e == nullptr) ctx.reply().Null();
  return e;
}

void CmdObjectEncoding(CommandContext& ctx) {
  if (const storage::Entry* e = ObjectLookup(ctx)) ctx.reply().Bulk(e->value().EncodingName());
}

// Redis shares one object for the integers 0..9999 (OBJ_SHARED_INTEGERS) unless maxmemory is set with
// an LRU/LFU policy, which needs a per-object clock, and reports its refcount as INT_MAX; every other
// value has one reference. (Redis decides when the value is stored; this looks at the current config.)
void CmdObjectRefCount(CommandContext& ctx) {
  const storage::Entry* e = ObjectLookup(ctx);
  if (e == nullptr) return;
  const Config& config = ctx.server().config;
  const auto policy = static_cast<storage::EvictionPolicy>(config.maxmemory_policy_index());
  const bool per_object_clock =
      config.maxmemory() > 0 && (storage::IsLruPolicy(policy) || storage::IsLfuPolicy(policy));
  int64_t v = -1;
  const bool shared = !per_object_clock && e->value().is_string() && e->value().EncodingName() == "int" &&
                      ParseInt64(e->value().string().bytes, &v) && v >= 0 && v < 10000;
  ctx.reply().Integer(shared ? std::numeric_limits<int>::max() : 1);
}

// OBJECT IDLETIME key: whole seconds since the key was last read or written.
void CmdObjectIdleTime(CommandContext& ctx) {
  const storage::Entry* e = ObjectLookup(ctx);
  if (e == nullptr) return;
  if (ctx.keyspace().access_tracking().lfu) return ctx.Error(kErrLfuSelected);
  const uint32_t now = storage::AccessClock(ctx.db().NowMs());
  ctx.reply().Integer(now > e->access() ? now - e->access() : 0);
}

// OBJECT FREQ key: the logarithmic access counter, decayed to now, under an LFU policy.
void CmdObjectFreq(CommandContext& ctx) {
  const storage::Entry* e = ObjectLookup(ctx);
  if (e == nullptr) return;
  const storage::AccessTracking tracking = ctx.keyspace().access_tracking();
  if (!tracking.lfu) return ctx.Error(kErrLfuNotSelected);
  ctx.reply().Integer(storage::LfuCounter(e->access(), ctx.db().NowMs(), tracking.lfu_decay_time));
}

void CmdObjectHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

}  // namespace

// clang-format off
void RegisterKeyCommands(CommandTable& table) {
  // A keyed row in the "generic" group: keys argv[first..last] (last -1 = the last argument).
  auto keyed = [](std::string_view name, int arity, std::string_view flags, int first, int last,
                  std::string_view key_flags, CommandHandler handler, std::string_view since,
                  std::string_view summary) {
    return CommandRow{.name = name, .arity = arity, .flags = flags, .acl = "@keyspace",
                      .first_key = first, .last_key = last, .step = 1, .handler = handler,
                      .group = "generic", .since = since, .summary = summary,
                      .key_flags = key_flags};
  };
  // A whole-database row: no key positions, every shard locked.
  auto whole_db = [](std::string_view name, int arity, std::string_view flags, std::string_view acl,
                     CommandHandler handler, std::string_view group, std::string_view since,
                     std::string_view summary) {
    return CommandRow{.name = name, .arity = arity, .flags = flags, .acl = acl, .handler = handler,
                      .group = group, .since = since, .summary = summary,
                      .lock = LockScope::kAllShards};
  };

  // The keys of these may be spread over cluster shards and the counts added up (COMMAND INFO tips).
  constexpr std::string_view kMultiShardSum = "request_policy:multi_shard response_policy:agg_sum";
  table.Add(WithTips(keyed("del", -2, "write", 1, -1, "RM DELETE", CmdDel, "1.0.0",
                           "Deletes one or more keys."), kMultiShardSum));
  table.Add(WithTips(keyed("unlink", -2, "write fast", 1, -1, "RM DELETE", CmdDel, "4.0.0",
                           "Asynchronously deletes one or more keys."), kMultiShardSum));
  table.Add(WithTips(keyed("exists", -2, "readonly fast", 1, -1, "RO", CmdExists, "1.0.0",
                           "Determines whether one or more keys exist."), kMultiShardSum));
  table.Add(WithTips(keyed("touch", -2, "readonly fast", 1, -1, "RO", CmdTouch, "3.2.1",
                           "Returns the number of existing keys out of those specified after "
                           "updating the time they were last accessed."), kMultiShardSum));
  table.Add(keyed("type", 2, "readonly fast", 1, 1, "RO", CmdType, "1.0.0",
                  "Determines the type of value stored at a key."));
  table.Add(keyed("rename", 3, "write", 1, 2, "RW ACCESS DELETE, OW UPDATE", CmdRename, "1.0.0",
                  "Renames a key and overwrites the destination."));
  table.Add(keyed("renamenx", 3, "write fast", 1, 2, "RW ACCESS DELETE, OW INSERT", CmdRenameNx,
                  "1.0.0", "Renames a key only when the target key name doesn't exist."));
  table.Add(keyed("copy", -3, "write denyoom", 1, 2, "RO ACCESS, OW UPDATE", CmdCopy, "6.2.0",
                  "Copies the value of a key to a new key."));
  table.Add(keyed("move", 3, "write fast", 1, 1, "RW ACCESS UPDATE", CmdMove, "1.0.0",
                  "Moves a key to another database."));
  table.Add(WithTips(whole_db("keys", 2, "readonly", "@keyspace @dangerous", CmdKeys, "generic",
                              "1.0.0", "Returns all key names that match a pattern."),
                     "request_policy:all_shards nondeterministic_output_order"));
  table.Add(WithTips(whole_db("scan", -2, "readonly", "@keyspace", CmdScan, "generic", "2.8.0",
                              "Iterates over the key names in the database."),
                     "nondeterministic_output request_policy:special response_policy:special"));
  table.Add(WithTips(whole_db("randomkey", 1, "readonly", "@keyspace", CmdRandomKey, "generic",
                              "1.0.0", "Returns a random key name from the database."),
                     "request_policy:all_shards response_policy:special nondeterministic_output"));
  table.Add(WithTips(whole_db("dbsize", 1, "readonly fast", "@keyspace", CmdDbSize, "server",
                              "1.0.0", "Returns the number of keys in the database."),
                     "request_policy:all_shards response_policy:agg_sum"));
  table.Add(WithTips(whole_db("flushdb", -1, "write", "@keyspace @dangerous", CmdFlushDb, "server",
                              "1.0.0", "Remove all keys from the current database."),
                     "request_policy:all_shards response_policy:all_succeeded"));
  table.Add(WithTips(whole_db("flushall", -1, "write", "@keyspace @dangerous", CmdFlushAll,
                              "server", "1.0.0", "Removes all keys from all databases."),
                     "request_policy:all_shards response_policy:all_succeeded"));
  table.Add(whole_db("swapdb", 3, "write fast", "@keyspace @dangerous", CmdSwapDb, "server",
                     "4.0.0", "Swaps two Redis databases."));

  // OBJECT is a container; its subcommands take the key at argv[2].
  auto object_sub = [&](std::string_view name, CommandHandler handler, std::string_view since,
                        std::string_view summary) {
    return WithTips(keyed(name, 3, "readonly", 2, 2, "RO", handler, since, summary),
                    "nondeterministic_output");
  };
  table.Add({.name = "object", .arity = -2, .group = "generic", .since = "2.2.3",
             .summary = "A container for object introspection commands.",
             .subcommands = {
                 object_sub("encoding", CmdObjectEncoding, "2.2.3",
                            "Returns the internal encoding of a Redis object."),
                 object_sub("freq", CmdObjectFreq, "4.0.0",
                            "Returns the logarithmic access frequency counter of a Redis object."),
                 object_sub("refcount", CmdObjectRefCount, "2.2.3",
                            "Returns the reference count of a value of a key."),
                 {.name = "help", .arity = 2, .flags = "loading stale", .acl = "@keyspace",
                  .handler = CmdObjectHelp, .group = "generic", .since = "6.2.0",
                  .summary = "Returns helpful text about the different subcommands."},
                 object_sub("idletime", CmdObjectIdleTime, "2.2.3",
                            "Returns the time since the last access to a Redis object."),
             }});
}
// clang-format on

}  // namespace sessionkv::server

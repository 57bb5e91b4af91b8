// SPDX-License-Identifier: Apache-2.0
// The set family: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD, SPOP SRANDMEMBER, SMOVE, the
// algebra (SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE, one core each for
// read and store) and SSCAN.
//
// Behaviour, error texts and the order of checks follow Redis 7 (t_set.c): count arguments are
// parsed before the key is looked up; a missing key is an empty set; the algebra looks every key up
// and answers WRONGTYPE for any non-set even after a missing key; removing the last member deletes
// the key and a *STORE with an empty result deletes the destination. The values and their encodings
// live in storage/set_value.h; this file only parses, calls and replies. Spring Session's indexed
// repository uses SADD/SREM/SMEMBERS on principal indexes and per-minute expiry buckets (binary JDK
// members).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/strings.h"
#include "protocol/reply_writer.h"
#include "server/arg_cursor.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/config.h"
#include "server/errors.h"
#include "storage/glob.h"
#include "storage/set_value.h"

namespace sessionkv::server {
namespace {

using storage::SetValue;

constexpr std::string_view kErrTooManyKeys =
    "ERR Number of keys can't be greater than number of args";

absl::Status ErrorStatus(std::string_view line) { return absl::InvalidArgumentError(ToAbsl(line)); }

thread_local absl::BitGen random_gen;

// ---------------------------------------------------------------------------------- shared lookups

enum class Access : uint8_t { kRead, kWrite };

// The encoding thresholds from the server's config (CONFIG SET applies to the next write).
storage::SetLimits LimitsOf(CommandContext& ctx) {
  const Config& config = ctx.server().config;
  return {.max_intset_entries = static_cast<size_t>(config.set_max_intset_entries()),
          .max_listpack_entries = static_cast<size_t>(config.set_max_listpack_entries()),
          .max_listpack_value = static_cast<size_t>(config.set_max_listpack_value())};
}

// The set entry for `key`: nullptr when the key is missing, WRONGTYPE for another type.
absl::StatusOr<storage::Entry*> FindSet(storage::Db& db, std::string_view key, Access access) {
  storage::Entry* e = access == Access::kRead ? db.FindForRead(key) : db.FindForWrite(key);
  if (e != nullptr && !e->value().is_set()) return ErrorStatus(kErrWrongType);
  return e;
}

// Replies with members as a RESP3 set (`~`, RESP2 array) or, for SRANDMEMBER, an array.
enum class Shape : uint8_t { kSet, kArray };
void ReplyMembers(CommandContext& ctx, const std::vector<std::string>& members, Shape shape) {
  if (shape == Shape::kSet) {
    ctx.reply().SetHeader(members.size());
  } else {
    ctx.reply().ArrayHeader(members.size());
  }
  for (const std::string& m : members) ctx.reply().Bulk(m);
}

// Deletes the entry of `key` if its set became empty (Redis never keeps an empty set), with the
// "del" keyspace event Redis sends then.
void EraseIfEmpty(CommandContext& ctx, storage::Entry* e, std::string_view key) {
  if (!e->value().set().empty()) return;
  ctx.db().Erase(e);
  ctx.Notify(kNotifyGeneric, "del", key);
}

// --------------------------------------------------------------- SADD SREM SCARD SISMEMBER
// SMEMBERS

// SADD key member [member ...]: the number of members added. A new key gets the encoding Redis's
// setTypeCreate picks from the first member and the number of members given.
void CmdSAdd(CommandContext& ctx) {
  storage::Db& db = ctx.db();
  auto found = FindSet(db, ctx.arg(1), Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  const storage::SetLimits limits = LimitsOf(ctx);
  storage::Entry* e = *found;
  if (e == nullptr) {
    e = db.Add(ctx.arg(1), storage::Value(SetValue::Create(ctx.arg(2), ctx.argc() - 2, limits)));
  }
  const auto added = static_cast<int64_t>(db.SetAdd(e, std::span(ctx.args()).subspan(2), limits));
  if (added > 0) ctx.Notify(kNotifySet, "sadd", ctx.arg(1));
  ctx.reply().Integer(added);
}

// SREM key member [member ...]: the number removed; the key goes when its last member does.
void CmdSRem(CommandContext& ctx) {
  storage::Db& db = ctx.db();
  auto found = FindSet(db, ctx.arg(1), Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) return ctx.reply().Integer(0);
  // Stops once the set is empty, as Redis does.
  const auto removed = static_cast<int64_t>(db.SetRemove(*found, std::span(ctx.args()).subspan(2)));
  if (removed > 0) {
    ctx.Notify(kNotifySet, "srem", ctx.arg(1));
    EraseIfEmpty(ctx, *found, ctx.arg(1));
  }
  ctx.reply().Integer(removed);
}

// SCARD key: the member count (0 for a missing key).
void CmdSCard(CommandContext& ctx) {
  auto found = FindSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  ctx.reply().Integer(*found == nullptr ? 0 : static_cast<int64_t>((*found)->value().set().size()));
}

// SISMEMBER key member (1/0) and SMISMEMBER key member [member ...] (an array of 1/0).
void MembershipGeneric(CommandContext& ctx, bool many) {
  auto found = FindSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  const SetValue* set = *found == nullptr ? nullptr : &(*found)->value().set();
  auto is_member = [set](std::string_view m) { return set != nullptr && set->Contains(m) ? 1 : 0; };
  if (!many) return ctx.reply().Integer(is_member(ctx.arg(2)));
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) ctx.reply().Integer(is_member(ctx.arg(i)));
}
void CmdSIsMember(CommandContext& ctx) { MembershipGeneric(ctx, false); }
void CmdSMIsMember(CommandContext& ctx) { MembershipGeneric(ctx, true); }

// SMEMBERS key: every member, as a RESP3 set.
void CmdSMembers(CommandContext& ctx) {
  auto found = FindSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) return ctx.reply().SetHeader(0);
  ReplyMembers(ctx, (*found)->value().set().Members(), Shape::kSet);
}

// ------------------------------------------------------------------------------ SPOP SRANDMEMBER

// SPOP key [count]. Without count: one member or null. With count (parsed first; negative or not a
// number is "must be positive"): up to count distinct members as a RESP3 set. The key goes with its
// last member.
void CmdSPop(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.Error(kErrSyntax);
  const bool with_count = ctx.argc() == 3;
  int64_t count = 1;
  if (with_count && (!ParseInt64(ctx.arg(2), &count) || count < 0)) {
    return ctx.Error(kErrMustBePositive);
  }
  storage::Db& db = ctx.db();
  auto found = FindSet(db, ctx.arg(1), Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  storage::Entry* e = *found;
  if (e == nullptr) return with_count ? ctx.reply().SetHeader(0) : ctx.reply().Null();
  if (!with_count) {
    ctx.reply().Bulk(db.SetPopRandom(e, random_gen));
    ctx.Notify(kNotifySet, "spop", ctx.arg(1));
    return EraseIfEmpty(ctx, e, ctx.arg(1));
  }
  if (count == 0) return ctx.reply().SetHeader(0);
  // Every member when count >= size: EraseIfEmpty then deletes the key.
  ReplyMembers(ctx, db.SetPopDistinct(e, static_cast<size_t>(count), random_gen), Shape::kSet);
  ctx.Notify(kNotifySet, "spop", ctx.arg(1));
  EraseIfEmpty(ctx, e, ctx.arg(1));
}

// SRANDMEMBER key [count]. Without count: one member or null. With count (-LONG_MAX..LONG_MAX):
// positive gives up to count distinct members, negative gives |count| members that may repeat; an
// array in both protocols.
void CmdSRandMember(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.Error(kErrSyntax);
  const bool with_count = ctx.argc() == 3;
  int64_t count = 1;
  if (with_count) {
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.Error(kErrNotInteger);
    if (count == std::numeric_limits<int64_t>::min()) return ctx.Error(kErrCountRange);
    if (count < -kMaxRandomRepeatCount) return ctx.Error(kErrOutOfRange);
  }
  auto found = FindSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) return with_count ? ctx.reply().ArrayHeader(0) : ctx.reply().Null();
  const SetValue& set = (*found)->value().set();
  if (!with_count) return ctx.reply().Bulk(set.RandomMember(random_gen));
  if (count >= 0) {
    return ReplyMembers(ctx, set.RandomDistinct(static_cast<size_t>(count), random_gen),
                        Shape::kArray);
  }
  const uint64_t n = static_cast<uint64_t>(-count);
  ctx.reply().ArrayHeader(n);
  for (uint64_t i = 0; i < n; ++i) ctx.reply().Bulk(set.RandomMember(random_gen));
}

// ----------------------------------------------------------------------------------------- SMOVE

// SMOVE source destination member: 1 if moved. A missing source answers 0 before any type check;
// then both keys must be sets; source == destination answers membership without change.
void CmdSMove(CommandContext& ctx) {
  storage::Db& db = ctx.db();
  const std::string_view member = ctx.arg(3);
  storage::Entry* src = db.FindForWrite(ctx.arg(1));
  storage::Entry* dst = db.FindForWrite(ctx.arg(2));
  if (src == nullptr) return ctx.reply().Integer(0);
  if (!src->value().is_set() || (dst != nullptr && !dst->value().is_set())) {
    return ctx.Error(kErrWrongType);
  }
  if (src == dst) return ctx.reply().Integer(src->value().set().Contains(member) ? 1 : 0);
  if (db.SetRemove(src, {&member, 1}) == 0) return ctx.reply().Integer(0);
  ctx.Notify(kNotifySet, "srem", ctx.arg(1));
  EraseIfEmpty(ctx, src, ctx.arg(1));
  const storage::SetLimits limits = LimitsOf(ctx);
  if (dst == nullptr) {
    dst = db.Add(ctx.arg(2), storage::Value(SetValue::Create(member, 1, limits)));
  }
  if (db.SetAdd(dst, {&member, 1}, limits) > 0) ctx.Notify(kNotifySet, "sadd", ctx.arg(2));
  ctx.reply().Integer(1);
}

// ------------------------------------------------------------------------------- set algebra core

enum class SetOp : uint8_t { kInter, kUnion, kDiff };

// The sets at argv[first, first + n): nullptr for a missing key. WRONGTYPE for any non-set, checked
// over every key as Redis 7 does.
absl::StatusOr<std::vector<const SetValue*>> LoadSets(CommandContext& ctx, size_t first, size_t n) {
  std::vector<const SetValue*> sets;
  sets.reserve(n);
  for (size_t i = first; i < first + n; ++i) {
    auto found = FindSet(ctx.db(), ctx.arg(i), Access::kRead);
    if (!found.ok()) return found.status();
    sets.push_back(*found == nullptr ? nullptr : &(*found)->value().set());
  }
  return sets;
}

// Members of the intersection, visiting the smallest set and probing the others (Redis's order);
// stops after `limit` members when limit > 0 (SINTERCARD LIMIT).
std::vector<std::string> Intersect(std::vector<const SetValue*> sets, size_t limit) {
  std::vector<std::string> out;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return out;
  std::sort(sets.begin(), sets.end(),
            [](const SetValue* a, const SetValue* b) { return a->size() < b->size(); });
  for (const std::string& m : sets[0]->Members()) {
    if (limit != 0 && out.size() >= limit) break;
    bool everywhere = true;
    for (size_t j = 1; j < sets.size() && everywhere; ++j) everywhere = sets[j]->Contains(m);
    if (everywhere) out.push_back(m);
  }
  return out;
}

// The result of `op` over `sets` as a new set, built as Redis builds it: an empty intset that every
// member is added to, so the encoding is what SINTERSTORE/SUNIONSTORE/SDIFFSTORE store.
SetValue Combine(SetOp op, const std::vector<const SetValue*>& sets,
                 const storage::SetLimits& limits) {
  SetValue out;
  switch (op) {
    case SetOp::kInter:
      for (const std::string& m : Intersect(sets, 0)) out.Add(m, limits);
      break;
    case SetOp::kUnion:
      for (const SetValue* s : sets) {
        if (s != nullptr) s->ForEach([&](std::string_view m) { out.Add(m, limits); });
      }
      break;
    case SetOp::kDiff:
      if (sets[0] == nullptr) break;
      sets[0]->ForEach([&](std::string_view m) {
        for (size_t j = 1; j < sets.size(); ++j) {
          if (sets[j] != nullptr && sets[j]->Contains(m)) return;
        }
        out.Add(m, limits);
      });
      break;
  }
  return out;
}

// SINTER / SUNION / SDIFF key [key ...]: the result as a RESP3 set.
void AlgebraGeneric(CommandContext& ctx, SetOp op) {
  auto sets = LoadSets(ctx, 1, ctx.argc() - 1);
  if (!sets.ok()) return ctx.Error(sets.status());
  if (op == SetOp::kInter) return ReplyMembers(ctx, Intersect(*sets, 0), Shape::kSet);
  ReplyMembers(ctx, Combine(op, *sets, LimitsOf(ctx)).Members(), Shape::kSet);
}

// SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]: the result's size. The result
// replaces the destination (whatever its type, its TTL cleared) with a "<command>" keyspace event;
// an empty result deletes it (a "del" event if it existed).
void AlgebraStoreGeneric(CommandContext& ctx, SetOp op) {
  auto sets = LoadSets(ctx, 2, ctx.argc() - 2);
  if (!sets.ok()) return ctx.Error(sets.status());
  SetValue result = Combine(op, *sets, LimitsOf(ctx));
  storage::Db& db = ctx.db();
  const auto size = static_cast<int64_t>(result.size());
  if (size == 0) {
    if (db.Delete(ctx.arg(1))) ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
  } else {
    db.Overwrite(ctx.arg(1), storage::Value(std::move(result)));
    ctx.Notify(kNotifySet, ctx.spec().name, ctx.arg(1));
  }
  ctx.reply().Integer(size);
}

void CmdSInter(CommandContext& ctx) { AlgebraGeneric(ctx, SetOp::kInter); }
void CmdSUnion(CommandContext& ctx) { AlgebraGeneric(ctx, SetOp::kUnion); }
void CmdSDiff(CommandContext& ctx) { AlgebraGeneric(ctx, SetOp::kDiff); }
void CmdSInterStore(CommandContext& ctx) { AlgebraStoreGeneric(ctx, SetOp::kInter); }
void CmdSUnionStore(CommandContext& ctx) { AlgebraStoreGeneric(ctx, SetOp::kUnion); }
void CmdSDiffStore(CommandContext& ctx) { AlgebraStoreGeneric(ctx, SetOp::kDiff); }

// SINTERCARD's numkeys: a positive integer no larger than the keys that follow.
absl::StatusOr<size_t> NumKeys(const std::vector<std::string_view>& args) {
  int64_t numkeys;
  if (!ParseInt64(args[1], &numkeys) || numkeys < 1) return ErrorStatus(kErrNumKeys);
  if (static_cast<uint64_t>(numkeys) > args.size() - 2) return ErrorStatus(kErrTooManyKeys);
  return static_cast<size_t>(numkeys);
}

// The key positions of SINTERCARD numkeys key [key ...] [LIMIT n] (none when numkeys is invalid;
// the handler then answers the error).
std::vector<int> SInterCardKeys(const std::vector<std::string_view>& args) {
  std::vector<int> keys;
  if (args.size() < 2) return keys;  // a keys function must not trust the arity (redis.acl_check_cmd)
  auto n = NumKeys(args);
  if (!n.ok()) return keys;
  for (size_t i = 0; i < *n; ++i) keys.push_back(static_cast<int>(2 + i));
  return keys;
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]: the intersection's size, counting stops at limit
// (0 = no limit). Arguments are all checked before any key is looked up.
void CmdSInterCard(CommandContext& ctx) {
  auto n = NumKeys(ctx.args());
  if (!n.ok()) return ctx.Error(n.status());
  ArgCursor cur = ctx.Cursor(2 + *n);
  int64_t limit = 0;
  while (!cur.Done()) {
    if (cur.Remaining() >= 2 && cur.EatIf("LIMIT")) {
      if (!ParseInt64(cur.Next(), &limit) || limit < 0) return ctx.Error(kErrLimitNegative);
    } else {
      return ctx.Error(kErrSyntax);
    }
  }
  auto sets = LoadSets(ctx, 2, *n);
  if (!sets.ok()) return ctx.Error(sets.status());
  ctx.reply().Integer(static_cast<int64_t>(Intersect(*sets, static_cast<size_t>(limit)).size()));
}

// ------------------------------------------------------------------------------------------ SSCAN

// SSCAN key cursor [MATCH pattern] [COUNT count]. The cursor is checked first, then the key (a
// missing key answers an empty scan before the options are read), then the options (TYPE is not
// one: syntax error). Compact sets answer everything at once with cursor 0, as Redis does.
void CmdSScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) return ctx.Error(kErrInvalidCursor);
  auto found = FindSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk("0");
    return ctx.reply().ArrayHeader(0);
  }
  auto opts = ParseScanOptions(ctx.Cursor(3), /*allow_type=*/false);
  if (!opts.ok()) return ctx.Error(opts.status());
  std::vector<std::string> matched;
  const auto count = static_cast<size_t>(opts->count);
  cursor = (*found)->value().set().Scan(cursor, count, [&](std::string_view m) {
    if (opts->pattern.empty() || storage::GlobMatch(opts->pattern, m)) matched.emplace_back(m);
  });
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(StrCat(cursor));
  ReplyMembers(ctx, matched, Shape::kArray);
}

}  // namespace

// Rows as Debian's redis-server 7 reports them in COMMAND INFO (SINTERCARD's keys come from its
// numkeys argument, hence its keys_function and no fixed positions).
// clang-format off
void RegisterSetCommands(CommandTable& table) {
  table.Add({.name = "sadd", .arity = -3, .flags = "write denyoom fast", .acl = "@set",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdSAdd,
             .group = "set", .since = "1.0.0",
             .summary = "Adds one or more members to a set. Creates the key if it doesn't exist.",
             .key_flags = "RW INSERT"});
  table.Add({.name = "srem", .arity = -3, .flags = "write fast", .acl = "@set",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdSRem,
             .group = "set", .since = "1.0.0",
             .summary = "Removes one or more members from a set. Deletes the set if the last "
                        "member was removed.",
             .key_flags = "RW DELETE"});
  table.Add({.name = "smembers", .arity = 2, .flags = "readonly", .acl = "@set",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdSMembers,
             .group = "set", .since = "1.0.0",
             .summary = "Returns all members of a set.",
             .tips = "nondeterministic_output_order",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "sismember", .arity = 3, .flags = "readonly fast", .acl = "@set",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdSIsMember,
             .group = "set", .since = "1.0.0",
             .summary = "Determines whether a member belongs to a set.",
             .key_flags = "RO"});
  table.Add({.name = "smismember", .arity = -3, .flags = "readonly fast", .acl = "@set",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdSMIsMember,
             .group = "set", .since = "6.2.0",
             .summary = "Determines whether multiple members belong to a set.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "scard", .arity = 2, .flags = "readonly fast", .acl = "@set",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdSCard,
             .group = "set", .since = "1.0.0",
             .summary = "Returns the number of members in a set.",
             .key_flags = "RO"});
  table.Add({.name = "spop", .arity = -2, .flags = "write fast", .acl = "@set",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdSPop,
             .group = "set", .since = "1.0.0",
             .summary = "Returns one or more random members from a set after removing them. "
                        "Deletes the set if the last member was popped.",
             .tips = "nondeterministic_output",
             .key_flags = "RW ACCESS DELETE"});
  table.Add({.name = "srandmember", .arity = -2, .flags = "readonly", .acl = "@set",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdSRandMember,
             .group = "set", .since = "1.0.0",
             .summary = "Get one or multiple random members from a set",
             .tips = "nondeterministic_output",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "smove", .arity = 4, .flags = "write fast", .acl = "@set",
             .first_key = 1, .last_key = 2, .step = 1, .handler = CmdSMove,
             .group = "set", .since = "1.0.0",
             .summary = "Moves a member from one set to another.",
             .key_flags = "RW ACCESS DELETE, RW INSERT"});
  table.Add({.name = "sinter", .arity = -2, .flags = "readonly", .acl = "@set",
             .first_key = 1, .last_key = -1, .step = 1, .handler = CmdSInter,
             .group = "set", .since = "1.0.0",
             .summary = "Returns the intersect of multiple sets.",
             .tips = "nondeterministic_output_order",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "sintercard", .arity = -3, .flags = "readonly", .acl = "@set",
             .handler = CmdSInterCard, .group = "set", .since = "7.0.0",
             .summary = "Returns the number of members of the intersect of multiple sets.",
             .key_flags = "RO ACCESS", .numkeys_index = 1, .keys_function = SInterCardKeys});
  table.Add({.name = "sinterstore", .arity = -3, .flags = "write denyoom", .acl = "@set",
             .first_key = 1, .last_key = -1, .step = 1, .handler = CmdSInterStore,
             .group = "set", .since = "1.0.0",
             .summary = "Stores the intersect of multiple sets in a key.",
             .key_flags = "RW UPDATE, RO ACCESS"});
  table.Add({.name = "sunion", .arity = -2, .flags = "readonly", .acl = "@set",
             .first_key = 1, .last_key = -1, .step = 1, .handler = CmdSUnion,
             .group = "set", .since = "1.0.0",
             .summary = "Returns the union of multiple sets.",
             .tips = "nondeterministic_output_order",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "sunionstore", .arity = -3, .flags = "write denyoom", .acl = "@set",
             .first_key = 1, .last_key = -1, .step = 1, .handler = CmdSUnionStore,
             .group = "set", .since = "1.0.0",
             .summary = "Stores the union of multiple sets in a key.",
             .key_flags = "OW UPDATE, RO ACCESS"});
  table.Add({.name = "sdiff", .arity = -2, .flags = "readonly", .acl = "@set",
             .first_key = 1, .last_key = -1, .step = 1, .handler = CmdSDiff,
             .group = "set", .since = "1.0.0",
             .summary = "Returns the difference of multiple sets.",
             .tips = "nondeterministic_output_order",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "sdiffstore", .arity = -3, .flags = "write denyoom", .acl = "@set",
             .first_key = 1, .last_key = -1, .step = 1, .handler = CmdSDiffStore,
             .group = "set", .since = "1.0.0",
             .summary = "Stores the difference of multiple sets in a key.",
             .key_flags = "OW UPDATE, RO ACCESS"});
  table.Add({.name = "sscan", .arity = -3, .flags = "readonly", .acl = "@set",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdSScan,
             .group = "set", .since = "2.8.0",
             .summary = "Iterates over members of a set.",
             .tips = "nondeterministic_output",
             .key_flags = "RO ACCESS"});
}
// clang-format on

}  // namespace sessionkv::server

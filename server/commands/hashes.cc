// SPDX-License-Identifier: Apache-2.0
// The hash family: HSET HMSET HSETNX HGET HMGET HGETALL HKEYS HVALS HDEL HEXISTS HLEN HSTRLEN
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
//
// Behaviour, error texts and the order of checks follow Redis 7.2 (t_hash.c): numbers in the
// arguments are parsed before the key is looked up; writers create the key (Redis's
// hashTypeLookupWriteOrCreate) only once nothing can fail any more; removing the last field deletes
// the key with a "del" event after "hdel". The values, their layouts and the encoding OBJECT
// ENCODING reports live in storage/hash_value.h; this file only parses, calls and replies.
//
// Spring Session keeps every session in a hash: HMSET of the changed fields (binary JDK-serialized
// values), HGETALL to load, HSET of one field from the reactive repositories, DEL/RENAME/PEXPIRE on
// the key.
#include <cmath>
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
#include "storage/hash_value.h"

namespace sessionkv::server {
namespace {

using storage::HashValue;

constexpr std::string_view kErrHashNotInteger = "ERR hash value is not an integer";
constexpr std::string_view kErrHashNotFloat = "ERR hash value is not a float";
constexpr std::string_view kErrIncrNotFinite = "ERR value is NaN or Infinity";

thread_local absl::BitGen random_gen;

// ---------------------------------------------------------------------------------- shared lookups

enum class Access : uint8_t { kRead, kWrite };

// The encoding thresholds from the server's config (CONFIG SET applies to the next write).
storage::HashLimits LimitsOf(CommandContext& ctx) {
  const Config& config = ctx.server().config;
  return {.max_listpack_entries = static_cast<size_t>(config.hash_max_listpack_entries()),
          .max_listpack_value = static_cast<size_t>(config.hash_max_listpack_value())};
}

// The hash at `key`: nullptr when the key is missing, WRONGTYPE for another type.
absl::StatusOr<const HashValue*> FindHash(CommandContext& ctx, std::string_view key) {
  const storage::Entry* e = ctx.db().FindForRead(key);
  if (e == nullptr) return nullptr;
  if (!e->value().is_hash()) return absl::InvalidArgumentError(ToAbsl(kErrWrongType));
  return &e->value().hash();
}

// The hash entry at `key` for a write: nullptr when missing, WRONGTYPE for another type.
absl::StatusOr<storage::Entry*> FindHashForWrite(CommandContext& ctx, std::string_view key) {
  storage::Entry* e = ctx.db().FindForWrite(key);
  if (e != nullptr && !e->value().is_hash()) return absl::InvalidArgumentError(ToAbsl(kErrWrongType));
  return e;
}

// The hash entry `e` (FindHashForWrite's entry for `key`), or a new empty hash added at `key` when e
// is null: Redis's hashTypeLookupWriteOrCreate, called once nothing can fail any more.
storage::Entry* HashOrCreate(CommandContext& ctx, std::string_view key, storage::Entry* e) {
  return e != nullptr ? e : ctx.db().Add(key, storage::Value(HashValue()));
}

// ------------------------------------------------------------------------- HSET HMSET HSETNX

// HSET key field value [field value ...] (the number of new fields) and HMSET (OK). An odd number
// of arguments is an arity error, before the key is looked up. One "hset" event either way, even
// when every field already held its value.
void SetGeneric(CommandContext& ctx, bool hmset) {
  if (ctx.argc() % 2 == 1) return ctx.Error(WrongArityError(ctx.spec().full_name));
  auto found = FindHashForWrite(ctx, ctx.arg(1));
  if (!found.ok()) return ctx.Error(found.status());
  storage::Entry* e = HashOrCreate(ctx, ctx.arg(1), *found);
  const auto created =
      static_cast<int64_t>(ctx.db().HashSet(e, std::span(ctx.args()).subspan(2), LimitsOf(ctx)));
  hmset ? ctx.reply().Ok() : ctx.reply().Integer(created);
  ctx.Notify(kNotifyHash, "hset", ctx.arg(1));
}

void CmdHSet(CommandContext& ctx) { SetGeneric(ctx, /*hmset=*/false); }
void CmdHMSet(CommandContext& ctx) { SetGeneric(ctx, /*hmset=*/true); }

// HSETNX key field value: 1 if the field was new and is now set, 0 (no event) if it existed.
void CmdHSetNx(CommandContext& ctx) {
  auto found = FindHashForWrite(ctx, ctx.arg(1));
  if (!found.ok()) return ctx.Error(found.status());
  if (*found != nullptr && (*found)->value().hash().Contains(ctx.arg(2))) {
    return ctx.reply().Integer(0);
  }
  storage::Entry* e = HashOrCreate(ctx, ctx.arg(1), *found);
  ctx.db().HashSet(e, std::span(ctx.args()).subspan(2, 2), LimitsOf(ctx));
  ctx.reply().Integer(1);
  ctx.Notify(kNotifyHash, "hset", ctx.arg(1));
}

// ------------------------------------------------------------------- HGET HMGET HEXISTS HSTRLEN

// HGET key field: the value, or null.
void CmdHGet(CommandContext& ctx) {
  auto hash = FindHash(ctx, ctx.arg(1));
  if (!hash.ok()) return ctx.Error(hash.status());
  auto value = *hash == nullptr ? std::nullopt : (*hash)->Get(ctx.arg(2));
  value ? ctx.reply().Bulk(*value) : ctx.reply().Null();
}

// HMGET key field [field ...]: one value or null per field (all null for a missing key).
void CmdHMGet(CommandContext& ctx) {
  auto hash = FindHash(ctx, ctx.arg(1));
  if (!hash.ok()) return ctx.Error(hash.status());
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    auto value = *hash == nullptr ? std::nullopt : (*hash)->Get(ctx.arg(i));
    value ? ctx.reply().Bulk(*value) : ctx.reply().Null();
  }
}

// HEXISTS key field: 1 or 0.
void CmdHExists(CommandContext& ctx) {
  auto hash = FindHash(ctx, ctx.arg(1));
  if (!hash.ok()) return ctx.Error(hash.status());
  ctx.reply().Integer(*hash != nullptr && (*hash)->Contains(ctx.arg(2)) ? 1 : 0);
}

// HSTRLEN key field: the value's length, 0 for a missing field or key.
void CmdHStrLen(CommandContext& ctx) {
  auto hash = FindHash(ctx, ctx.arg(1));
  if (!hash.ok()) return ctx.Error(hash.status());
  auto value = *hash == nullptr ? std::nullopt : (*hash)->Get(ctx.arg(2));
  ctx.reply().Integer(value ? static_cast<int64_t>(value->size()) : 0);
}

// HLEN key: the number of fields.
void CmdHLen(CommandContext& ctx) {
  auto hash = FindHash(ctx, ctx.arg(1));
  if (!hash.ok()) return ctx.Error(hash.status());
  ctx.reply().Integer(*hash == nullptr ? 0 : static_cast<int64_t>((*hash)->size()));
}

// ------------------------------------------------------------------------ HGETALL HKEYS HVALS

enum class Part : uint8_t { kFields, kValues, kBoth };

// HGETALL (a RESP3 map of field -> value, RESP2 a flat array), HKEYS and HVALS (arrays). A missing
// key is an empty map or array.
void GetAllGeneric(CommandContext& ctx, Part part) {
  auto hash = FindHash(ctx, ctx.arg(1));
  if (!hash.ok()) return ctx.Error(hash.status());
  const size_t n = *hash == nullptr ? 0 : (*hash)->size();
  part == Part::kBoth ? ctx.reply().MapHeader(n) : ctx.reply().ArrayHeader(n);
  if (n == 0) return;
  (*hash)->ForEach([&](std::string_view field, std::string_view value) {
    if (part != Part::kValues) ctx.reply().Bulk(field);
    if (part != Part::kFields) ctx.reply().Bulk(value);
  });
}

void CmdHGetAll(CommandContext& ctx) { GetAllGeneric(ctx, Part::kBoth); }
void CmdHKeys(CommandContext& ctx) { GetAllGeneric(ctx, Part::kFields); }
void CmdHVals(CommandContext& ctx) { GetAllGeneric(ctx, Part::kValues); }

// ------------------------------------------------------------------------------------- HDEL

// HDEL key field [field ...]: the number removed. The key goes with its last field ("hdel", then
// "del"); Redis stops looking at the remaining fields then.
void CmdHDel(CommandContext& ctx) {
  auto found = FindHashForWrite(ctx, ctx.arg(1));
  if (!found.ok()) return ctx.Error(found.status());
  storage::Entry* e = *found;
  if (e == nullptr) return ctx.reply().Integer(0);
  const auto deleted =
      static_cast<int64_t>(ctx.db().HashDelete(e, std::span(ctx.args()).subspan(2)));
  if (deleted > 0) {
    ctx.Notify(kNotifyHash, "hdel", ctx.arg(1));
    if (e->value().hash().empty()) {
      ctx.db().Erase(e);
      ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
    }
  }
  ctx.reply().Integer(deleted);
}

// ---------------------------------------------------------------------- HINCRBY HINCRBYFLOAT

// HINCRBY key field increment: the new value. The increment is parsed first; a missing field
// counts as 0; a value that is not a canonical integer, or a result past int64, is an error and
// changes nothing.
void CmdHIncrBy(CommandContext& ctx) {
  int64_t incr;
  if (!ParseInt64(ctx.arg(3), &incr)) return ctx.Error(kErrNotInteger);
  auto found = FindHashForWrite(ctx, ctx.arg(1));
  if (!found.ok()) return ctx.Error(found.status());
  int64_t current = 0;
  if (*found != nullptr) {
    auto value = (*found)->value().hash().Get(ctx.arg(2));
    if (value && !ParseInt64(*value, &current)) return ctx.Error(kErrHashNotInteger);
  }
  if ((incr < 0 && current < 0 && incr < std::numeric_limits<int64_t>::min() - current) ||
      (incr > 0 && current > 0 && incr > std::numeric_limits<int64_t>::max() - current)) {
    return ctx.Error(kErrIncrOverflow);
  }
  const int64_t result = current + incr;
  ctx.db().HashSetField(HashOrCreate(ctx, ctx.arg(1), *found), ctx.arg(2), StrCat(result),
                        LimitsOf(ctx));
  ctx.reply().Integer(result);
  ctx.Notify(kNotifyHash, "hincrby", ctx.arg(1));
}

// HINCRBYFLOAT key field increment: the new value as a bulk string, added in long double and
// printed as INCRBYFLOAT prints (17 significant digits, no exponent, trailing zeros removed). An
// infinite increment is refused before the key is looked up; a NaN or infinite result after.
void CmdHIncrByFloat(CommandContext& ctx) {
  long double incr;
  if (!ParseLongDouble(ctx.arg(3), &incr)) return ctx.Error(kErrNotFloat);
  if (std::isnan(incr) || std::isinf(incr)) return ctx.Error(kErrIncrNotFinite);
  auto found = FindHashForWrite(ctx, ctx.arg(1));
  if (!found.ok()) return ctx.Error(found.status());
  long double current = 0;
  if (*found != nullptr) {
    auto value = (*found)->value().hash().Get(ctx.arg(2));
    if (value && !ParseLongDouble(*value, &current)) return ctx.Error(kErrHashNotFloat);
  }
  const long double result = current + incr;
  if (std::isnan(result) || std::isinf(result)) return ctx.Error(kErrNanOrInfinity);
  const std::string text = protocol::FormatLongDouble(result);
  ctx.db().HashSetField(HashOrCreate(ctx, ctx.arg(1), *found), ctx.arg(2), text, LimitsOf(ctx));
  ctx.reply().Bulk(text);
  ctx.Notify(kNotifyHash, "hincrbyfloat", ctx.arg(1));
}

// ------------------------------------------------------------------------------- HRANDFIELD

// One field, or a field and its value: RESP3 nests each pair in a 2-element array, RESP2 keeps
// the reply flat.
void ReplyPair(CommandContext& ctx, std::string_view field, std::string_view value,
               bool with_values) {
  if (with_values && ctx.reply().resp3()) ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(field);
  if (with_values) ctx.reply().Bulk(value);
}

// The array header for n fields or pairs.
void ReplyPairsHeader(CommandContext& ctx, size_t n, bool with_values) {
  ctx.reply().ArrayHeader(with_values && !ctx.reply().resp3() ? 2 * n : n);
}

// HRANDFIELD key [count [WITHVALUES]]. Without count: one field, or null. With count (parsed
// first, within -LONG_MAX..LONG_MAX, and within half that with WITHVALUES): a positive count gives
// up to count distinct fields, a negative one |count| fields that may repeat; a missing key or a
// zero count is an empty array.
void CmdHRandField(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    auto hash = FindHash(ctx, ctx.arg(1));
    if (!hash.ok()) return ctx.Error(hash.status());
    if (*hash == nullptr) return ctx.reply().Null();
    return ctx.reply().Bulk((*hash)->RandomPair(random_gen).first);
  }
  int64_t count;
  if (!ParseInt64(ctx.arg(2), &count)) return ctx.Error(kErrNotInteger);
  if (count == std::numeric_limits<int64_t>::min()) return ctx.Error(kErrCountRange);
  if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "WITHVALUES"))) {
    return ctx.Error(kErrSyntax);
  }
  const bool with_values = ctx.argc() == 4;
  constexpr int64_t kHalfRange = std::numeric_limits<int64_t>::max() / 2;
  if (with_values && (count < -kHalfRange || count > kHalfRange)) return ctx.Error(kErrOutOfRange);
  if (count < -kMaxRandomRepeatCount) return ctx.Error(kErrOutOfRange);
  auto hash = FindHash(ctx, ctx.arg(1));
  if (!hash.ok()) return ctx.Error(hash.status());
  if (*hash == nullptr || count == 0) return ctx.reply().ArrayHeader(0);
  auto reply_pair = [&](std::string_view f, std::string_view v) {
    ReplyPair(ctx, f, v, with_values);
  };
  if (count < 0) {
    const auto n = static_cast<size_t>(-count);
    ReplyPairsHeader(ctx, n, with_values);
    return (*hash)->ForEachRandom(n, random_gen, reply_pair);
  }
  const std::vector<HashValue::Pair> pairs =
      (*hash)->RandomDistinct(static_cast<size_t>(count), random_gen);
  ReplyPairsHeader(ctx, pairs.size(), with_values);
  for (const auto& [field, value] : pairs) reply_pair(field, value);
}

// ------------------------------------------------------------------------------------ HSCAN

// HSCAN key cursor [MATCH pattern] [COUNT count]: [next cursor, [field, value, ...]] in both
// protocols. The cursor is checked first, then the key (a missing key answers an empty scan before
// the options are read), then the options. MATCH filters on fields. A compact hash answers every
// pair at once with cursor 0, as Redis does for a listpack.
void CmdHScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) return ctx.Error(kErrInvalidCursor);
  auto hash = FindHash(ctx, ctx.arg(1));
  if (!hash.ok()) return ctx.Error(hash.status());
  if (*hash == nullptr) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk("0");
    return ctx.reply().ArrayHeader(0);
  }
  auto opts = ParseScanOptions(ctx.Cursor(3), /*allow_type=*/false);
  if (!opts.ok()) return ctx.Error(opts.status());
  std::vector<HashValue::Pair> matched;
  cursor = (*hash)->Scan(cursor, static_cast<size_t>(opts->count),
                         [&](std::string_view field, std::string_view value) {
                           if (opts->pattern.empty() || storage::GlobMatch(opts->pattern, field)) {
                             matched.emplace_back(field, value);
                           }
                         });
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(StrCat(cursor));
  ctx.reply().ArrayHeader(2 * matched.size());
  for (const auto& [field, value] : matched) {
    ctx.reply().Bulk(field);
    ctx.reply().Bulk(value);
  }
}

}  // namespace

// Rows as Debian's redis-server 7 reports them in COMMAND INFO.
// clang-format off
void RegisterHashCommands(CommandTable& table) {
  // Every hash command takes one key at argv[1].
  auto row = [](std::string_view name, int arity, std::string_view flags, CommandHandler handler,
                std::string_view since, std::string_view key_flags, std::string_view summary) {
    return CommandRow{.name = name, .arity = arity, .flags = flags, .acl = "@hash",
                      .first_key = 1, .last_key = 1, .step = 1, .handler = handler,
                      .group = "hash", .since = since, .summary = summary,
                      .key_flags = key_flags};
  };
  table.Add(row("hset", -4, "write denyoom fast", CmdHSet, "2.0.0", "RW UPDATE",
                "Creates or modifies the value of a field in a hash."));
  table.Add(row("hmset", -4, "write denyoom fast", CmdHMSet, "2.0.0", "RW UPDATE",
                "Sets the values of multiple fields."));
  table.Add(row("hsetnx", 4, "write denyoom fast", CmdHSetNx, "2.0.0", "RW INSERT",
                "Sets the value of a field in a hash only when the field doesn't exist."));
  table.Add(row("hget", 3, "readonly fast", CmdHGet, "2.0.0", "RO ACCESS",
                "Returns the value of a field in a hash."));
  table.Add(row("hmget", -3, "readonly fast", CmdHMGet, "2.0.0", "RO ACCESS",
                "Returns the values of all fields in a hash."));
  table.Add(row("hgetall", 2, "readonly", CmdHGetAll, "2.0.0", "RO ACCESS",
                "Returns all fields and values in a hash."));
  table.Add(row("hdel", -3, "write fast", CmdHDel, "2.0.0", "RW DELETE",
                "Deletes one or more fields and their values from a hash. Deletes the hash if no "
                "fields remain."));
  table.Add(row("hexists", 3, "readonly fast", CmdHExists, "2.0.0", "RO",
                "Determines whether a field exists in a hash."));
  table.Add(row("hlen", 2, "readonly fast", CmdHLen, "2.0.0", "RO",
                "Returns the number of fields in a hash."));
  table.Add(row("hstrlen", 3, "readonly fast", CmdHStrLen, "3.2.0", "RO",
                "Returns the length of the value of a field."));
  table.Add(row("hkeys", 2, "readonly", CmdHKeys, "2.0.0", "RO ACCESS",
                "Returns all fields in a hash."));
  table.Add(row("hvals", 2, "readonly", CmdHVals, "2.0.0", "RO ACCESS",
                "Returns all values in a hash."));
  table.Add(row("hincrby", 4, "write denyoom fast", CmdHIncrBy, "2.0.0", "RW ACCESS UPDATE",
                "Increments the integer value of a field in a hash by a number. Uses 0 as initial "
                "value if the field doesn't exist."));
  table.Add(row("hincrbyfloat", 4, "write denyoom fast", CmdHIncrByFloat, "2.6.0",
                "RW ACCESS UPDATE",
                "Increments the floating point value of a field by a number. Uses 0 as initial "
                "value if the field doesn't exist."));
  table.Add(row("hrandfield", -2, "readonly", CmdHRandField, "6.2.0", "RO ACCESS",
                "Returns one or more random fields from a hash."));
  table.Add(row("hscan", -3, "readonly", CmdHScan, "2.8.0", "RO ACCESS",
                "Iterates over fields and values of a hash."));
}
// clang-format on

}  // namespace sessionkv::server

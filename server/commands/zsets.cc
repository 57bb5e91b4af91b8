// SPDX-License-Identifier: Apache-2.0
// The sorted-set family, single-key part: ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZRANK ZREVRANK,
// ZPOPMIN ZPOPMAX ZMPOP, ZRANDMEMBER and ZSCAN. Ranges live in zset_ranges.cc, the algebra
// (ZUNION/ZINTER/ZDIFF and their STORE forms, ZINTERCARD) in zset_algebra.cc.
//
// Behaviour, error texts and the order of checks follow Redis 7.2 (t_zset.c): options and numbers
// are parsed before the key is looked up; a missing key is an empty sorted set; removing the last
// member deletes the key. The values and their encodings live in storage/zset_value.h; this file
// only parses, calls and replies. Spring Session's indexed repositories keep every session's expiry
// in one sorted set (ZADD <expiry ms as a double> <jdk id>, ZREM on delete).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/random/random.h"
#include "base/strings.h"
#include "protocol/reply_writer.h"
#include "server/arg_cursor.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/commands/zset_common.h"
#include "server/config.h"
#include "server/errors.h"
#include "storage/glob.h"
#include "storage/zset_value.h"

namespace sessionkv::server {
namespace {

using storage::ZSetValue;
using zset::Access;
using zset::FindZSet;

constexpr std::string_view kErrXxNx = "ERR XX and NX options at the same time are not compatible";
constexpr std::string_view kErrGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
constexpr std::string_view kErrIncrPairs =
    "ERR INCR option supports a single increment-element pair";
constexpr std::string_view kErrNaN = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kErrCountPositive = "ERR count should be greater than 0";

thread_local absl::BitGen random_gen;

// ------------------------------------------------------------------------------- ZADD ZINCRBY

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] and ZINCRBY key increment
// member, which is ZADD ... INCR (Redis reads options there too: "ZINCRBY k nx m" is a syntax
// error). Every score is parsed before the key is touched, so a bad one changes nothing; a NaN
// sum stops the command midway, keeping what was already done (as Redis).
void ZAddGeneric(CommandContext& ctx, uint8_t flags) {
  bool ch = false;
  size_t first = 2;
  for (; first < ctx.argc(); ++first) {
    const std::string_view opt = ctx.arg(first);
    if (EqualsIgnoreCase(opt, "NX")) {
      flags |= ZSetValue::kNx;
    } else if (EqualsIgnoreCase(opt, "XX")) {
      flags |= ZSetValue::kXx;
    } else if (EqualsIgnoreCase(opt, "CH")) {
      ch = true;
    } else if (EqualsIgnoreCase(opt, "INCR")) {
      flags |= ZSetValue::kIncr;
    } else if (EqualsIgnoreCase(opt, "GT")) {
      flags |= ZSetValue::kGt;
    } else if (EqualsIgnoreCase(opt, "LT")) {
      flags |= ZSetValue::kLt;
    } else {
      break;
    }
  }
  const size_t args = ctx.argc() - first;
  if (args == 0 || args % 2 != 0) return ctx.Error(kErrSyntax);
  const size_t pairs = args / 2;
  const bool incr = flags & ZSetValue::kIncr, nx = flags & ZSetValue::kNx,
             xx = flags & ZSetValue::kXx, gt = flags & ZSetValue::kGt, lt = flags & ZSetValue::kLt;
  if (nx && xx) return ctx.Error(kErrXxNx);
  if ((gt && nx) || (lt && nx) || (gt && lt)) return ctx.Error(kErrGtLtNx);
  if (incr && pairs > 1) return ctx.Error(kErrIncrPairs);
  std::vector<double> scores(pairs);
  for (size_t i = 0; i < pairs; ++i) {
    if (!ParseDouble(ctx.arg(first + 2 * i), &scores[i])) return ctx.Error(kErrNotFloat);
  }

  storage::Db& db = ctx.db();
  const std::string_view key = ctx.arg(1);
  auto found = FindZSet(db, key, Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  const storage::ZSetLimits limits = zset::LimitsOf(ctx);
  storage::Entry* e = *found;
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  if (e == nullptr && !xx) {
    e = db.Add(key, storage::Value(ZSetValue::Create(pairs, ctx.arg(first + 1).size(), limits)));
  } else if (e != nullptr) {
    db.ZPrepare(e, pairs, limits);
  }
  bool nan = false;
  for (size_t i = 0; e != nullptr && i < pairs; ++i) {
    const auto result = db.ZAdd(e, ctx.arg(first + 2 * i + 1), scores[i], flags, limits, &score);
    if (result == ZSetValue::AddResult::kNaN) {
      nan = true;
      break;
    }
    added += result == ZSetValue::AddResult::kAdded ? 1 : 0;
    updated += result == ZSetValue::AddResult::kUpdated ? 1 : 0;
    processed += result == ZSetValue::AddResult::kSkipped ? 0 : 1;
  }
  if (nan) {
    ctx.Error(kErrNaN);
  } else if (incr) {
    processed > 0 ? ctx.reply().Double(score) : ctx.reply().Null();
  } else {
    ctx.reply().Integer(ch ? added + updated : added);
  }
  if (added > 0 || updated > 0) ctx.Notify(kNotifyZset, incr ? "zincr" : "zadd", key);
}

void CmdZAdd(CommandContext& ctx) { ZAddGeneric(ctx, 0); }
void CmdZIncrBy(CommandContext& ctx) { ZAddGeneric(ctx, ZSetValue::kIncr); }

// ------------------------------------------------------------- ZREM ZSCORE ZMSCORE ZCARD ZRANK

// ZREM key member [member ...]: the number removed; the key goes when its last member does.
void CmdZRem(CommandContext& ctx) {
  auto found = FindZSet(ctx.db(), ctx.arg(1), Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  storage::Entry* e = *found;
  if (e == nullptr) return ctx.reply().Integer(0);
  // Stops once the set is empty, as Redis does.
  const auto removed = static_cast<int64_t>(ctx.db().ZRemove(e, std::span(ctx.args()).subspan(2)));
  if (removed > 0) {
    ctx.Notify(kNotifyZset, "zrem", ctx.arg(1));
    zset::EraseIfEmpty(ctx, e, ctx.arg(1));
  }
  ctx.reply().Integer(removed);
}

// ZSCORE key member: the score (a RESP3 double) or null.
void CmdZScore(CommandContext& ctx) {
  auto found = FindZSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  const auto score = *found == nullptr ? std::nullopt : (*found)->value().zset().Score(ctx.arg(2));
  score.has_value() ? ctx.reply().Double(*score) : ctx.reply().Null();
}

// ZMSCORE key member [member ...]: an array of scores or nulls.
void CmdZMScore(CommandContext& ctx) {
  auto found = FindZSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const auto score = *found == nullptr ? std::nullopt : (*found)->value().zset().Score(ctx.arg(i));
    score.has_value() ? ctx.reply().Double(*score) : ctx.reply().Null();
  }
}

// ZCARD key: the member count (0 for a missing key).
void CmdZCard(CommandContext& ctx) {
  auto found = FindZSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  ctx.reply().Integer(*found == nullptr ? 0 : static_cast<int64_t>((*found)->value().zset().size()));
}

// ZRANK / ZREVRANK key member [WITHSCORE] (WITHSCORE is Redis 7.2's): the rank, or [rank, score];
// null (a null array with WITHSCORE) for a missing member or key.
void RankGeneric(CommandContext& ctx, bool reverse) {
  if (ctx.argc() > 4) return ctx.Error(WrongArityError(ctx.spec().full_name));
  const bool with_score = ctx.argc() == 4;
  if (with_score && !EqualsIgnoreCase(ctx.arg(3), "WITHSCORE")) return ctx.Error(kErrSyntax);
  auto found = FindZSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  double score = 0;
  const auto rank =
      *found == nullptr ? std::nullopt : (*found)->value().zset().Rank(ctx.arg(2), reverse, &score);
  if (!rank.has_value()) return with_score ? ctx.reply().NullArray() : ctx.reply().Null();
  if (!with_score) return ctx.reply().Integer(static_cast<int64_t>(*rank));
  ctx.reply().ArrayHeader(2);
  ctx.reply().Integer(static_cast<int64_t>(*rank));
  ctx.reply().Double(score);
}

void CmdZRank(CommandContext& ctx) { RankGeneric(ctx, false); }
void CmdZRevRank(CommandContext& ctx) { RankGeneric(ctx, true); }

// ---------------------------------------------------------------------------- ZPOPMIN ZPOPMAX
// ZMPOP

enum class PopShape : uint8_t {
  kFlat,    // ZPOPMIN/ZPOPMAX without count, or in RESP2: member, score, member, score...
  kNested,  // ZPOPMIN/ZPOPMAX with count in RESP3: [member, score] pairs
  kKeyed,   // ZMPOP: [key, [[member, score] ...]]
  kKeyedTriple,  // BZPOPMIN/BZPOPMAX: [key, member, score]
};

// Redis's genericZpopCommand over the keys at argv[first, first + n): the first existing key is
// popped (WRONGTYPE if it is not a sorted set); no key at all answers an empty array (a null array
// for ZMPOP). One "zpopmin"/"zpopmax" event, and "del" when the set empties.
struct FirstZSet {
  storage::Entry* entry = nullptr;  // nullptr: none of the keys exists
  std::string_view key;
};

// The first of argv[first, first + n) that exists; WRONGTYPE for one that is not a sorted set.
absl::StatusOr<FirstZSet> FindFirstZSet(CommandContext& ctx, size_t first, size_t n) {
  for (size_t i = first; i < first + n; ++i) {
    auto found = FindZSet(ctx.db(), ctx.arg(i), Access::kWrite);
    if (!found.ok()) return found.status();
    if (*found != nullptr) return FirstZSet{*found, ctx.arg(i)};
  }
  return FirstZSet{};
}

// Pops `count` members of the sorted set `e` at `key` and replies in `shape`. One "zpopmin"/"zpopmax"
// event, and "del" when the set empties.
void PopFrom(CommandContext& ctx, storage::Entry* e, std::string_view key, bool highest, int64_t count,
             PopShape shape) {
  if (count == 0) return ctx.reply().ArrayHeader(0);
  const size_t popped =
      std::min(static_cast<uint64_t>(count), static_cast<uint64_t>(e->value().zset().size()));
  if (shape == PopShape::kKeyed) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(key);
  }
  if (shape == PopShape::kKeyedTriple) {
    ctx.reply().ArrayHeader(3);
    ctx.reply().Bulk(key);
  } else {
    ctx.reply().ArrayHeader(shape == PopShape::kFlat ? 2 * popped : popped);
  }
  for (size_t i = 0; i < popped; ++i) {
    const ZSetValue::Entry entry = ctx.db().ZPop(e, highest);
    if (shape == PopShape::kNested || shape == PopShape::kKeyed) ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(entry.member);
    ctx.reply().Double(entry.score);
  }
  ctx.Notify(kNotifyZset, highest ? "zpopmax" : "zpopmin", key);
  zset::EraseIfEmpty(ctx, e, key);
}

// Redis's genericZpopCommand over the keys at argv[first, first + n): the first existing key is
// popped; no key at all answers an empty array (a null array for ZMPOP).
void PopGeneric(CommandContext& ctx, size_t first, size_t n, bool highest, int64_t count,
                PopShape shape) {
  absl::StatusOr<FirstZSet> found = FindFirstZSet(ctx, first, n);
  if (!found.ok()) return ctx.Error(found.status());
  if (found->entry == nullptr) {
    return shape == PopShape::kKeyed ? ctx.reply().NullArray() : ctx.reply().ArrayHeader(0);
  }
  PopFrom(ctx, found->entry, found->key, highest, count, shape);
}

// ZPOPMIN / ZPOPMAX key [count]: the count is parsed first ("must be positive" for a negative one
// and for one that is not an integer, as Redis's getPositiveLongFromObjectOrReply words both).
void PopMinMax(CommandContext& ctx, bool highest) {
  if (ctx.argc() > 3) return ctx.Error(kErrSyntax);
  int64_t count = 1;
  const bool with_count = ctx.argc() == 3;
  if (with_count) {
    if (!ParseInt64(ctx.arg(2), &count) || count < 0) return ctx.Error(kErrMustBePositive);
  }
  const bool nested = with_count && ctx.reply().resp3();
  PopGeneric(ctx, 1, 1, highest, count, nested ? PopShape::kNested : PopShape::kFlat);
}

void CmdZPopMin(CommandContext& ctx) { PopMinMax(ctx, false); }
void CmdZPopMax(CommandContext& ctx) { PopMinMax(ctx, true); }

// The key positions of ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] (numkeys at argv[1]) and
// BZMPOP timeout numkeys ... (at argv[2]).
std::vector<int> MPopKeysAfter(const std::vector<std::string_view>& args, size_t numkeys_at) {
  std::vector<int> keys;
  if (auto n = zset::ValidNumKeys(args, numkeys_at)) {
    for (size_t i = 0; i < *n; ++i) keys.push_back(static_cast<int>(numkeys_at + 1 + i));
  }
  return keys;
}
std::vector<int> ZMPopKeys(const std::vector<std::string_view>& args) { return MPopKeysAfter(args, 1); }
std::vector<int> BZMPopKeys(const std::vector<std::string_view>& args) { return MPopKeysAfter(args, 2); }

struct MPopArgs {
  size_t first_key = 0;
  size_t numkeys = 0;
  bool highest = false;
  int64_t count = 1;
};

// numkeys key [key ...] MIN|MAX [COUNT count] from argv[numkeys_at], checked in the order of Redis's
// zmpopGenericCommand.
absl::StatusOr<MPopArgs> ParseMPop(CommandContext& ctx, size_t numkeys_at) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(numkeys_at), &numkeys) || numkeys < 1) return zset::ErrorStatus(kErrNumKeys);
  const auto where = static_cast<uint64_t>(numkeys) + numkeys_at + 1;
  if (where >= ctx.argc()) return zset::ErrorStatus(kErrSyntax);
  MPopArgs out{.first_key = numkeys_at + 1, .numkeys = static_cast<size_t>(numkeys)};
  if (EqualsIgnoreCase(ctx.arg(where), "MIN")) {
    out.highest = false;
  } else if (EqualsIgnoreCase(ctx.arg(where), "MAX")) {
    out.highest = true;
  } else {
    return zset::ErrorStatus(kErrSyntax);
  }
  int64_t count = -1;
  for (size_t i = where + 1; i < ctx.argc(); ++i) {
    if (count != -1 || !EqualsIgnoreCase(ctx.arg(i), "COUNT") || i + 1 >= ctx.argc()) {
      return zset::ErrorStatus(kErrSyntax);
    }
    if (!ParseInt64(ctx.arg(++i), &count) || count < 1) return zset::ErrorStatus(kErrCountPositive);
  }
  if (count != -1) out.count = count;
  return out;
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count].
void CmdZMPop(CommandContext& ctx) {
  auto parsed = ParseMPop(ctx, 1);
  if (!parsed.ok()) return ctx.Error(parsed.status());
  PopGeneric(ctx, parsed->first_key, parsed->numkeys, parsed->highest, parsed->count, PopShape::kKeyed);
}

// ------------------------------------------------------------------------ BZPOPMIN BZPOPMAX BZMPOP
// Blocking pops (server/blocking.h): pop from the first sorted set that exists, else wait until one of
// the keys holds a sorted set, then the command runs again. Inside EXEC they answer a null array at once.

// Pops from the first existing sorted set of argv[first, first + n), else blocks on them all.
void PopOrBlock(CommandContext& ctx, size_t first, size_t n, bool highest, int64_t count, PopShape shape,
                int64_t timeout) {
  absl::StatusOr<FirstZSet> found = FindFirstZSet(ctx, first, n);
  if (!found.ok()) return ctx.Error(found.status());
  if (found->entry != nullptr) return PopFrom(ctx, found->entry, found->key, highest, count, shape);
  if (!Blocking::MayBlock(ctx)) return ctx.reply().NullArray();
  ctx.server().blocking.Block(ctx, std::span<const std::string_view>(ctx.args()).subspan(first, n),
                              storage::ValueType::kZSet, timeout);
}

// BZPOPMIN / BZPOPMAX key [key ...] timeout: [key, member, score].
void BlockingPopMinMax(CommandContext& ctx, bool highest) {
  auto timeout = Blocking::ParseTimeout(ctx, ctx.arg(ctx.argc() - 1));
  if (!timeout.ok()) return ctx.Error(timeout.status());
  PopOrBlock(ctx, 1, ctx.argc() - 2, highest, 1, PopShape::kKeyedTriple, *timeout);
}

void CmdBZPopMin(CommandContext& ctx) { BlockingPopMinMax(ctx, false); }
void CmdBZPopMax(CommandContext& ctx) { BlockingPopMinMax(ctx, true); }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the arguments are checked before the
// timeout, as in Redis.
void CmdBZMPop(CommandContext& ctx) {
  auto parsed = ParseMPop(ctx, 2);
  if (!parsed.ok()) return ctx.Error(parsed.status());
  auto timeout = Blocking::ParseTimeout(ctx, ctx.arg(1));
  if (!timeout.ok()) return ctx.Error(timeout.status());
  PopOrBlock(ctx, parsed->first_key, parsed->numkeys, parsed->highest, parsed->count, PopShape::kKeyed,
             *timeout);
}

// ----------------------------------------------------------------------------------- ZRANDMEMBER

// ZRANDMEMBER key count [WITHSCORES] (Redis's zrandmemberWithCountCommand): a negative count gives
// |count| members that may repeat, in random order; a positive one up to count distinct members;
// at least the whole set answers every member from the highest down, as Redis's reverse iteration
// does.
void RandMemberWithCount(CommandContext& ctx, int64_t count, bool with_scores) {
  auto found = FindZSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr || count == 0) return ctx.reply().ArrayHeader(0);
  const ZSetValue& z = (*found)->value().zset();
  const bool distinct = count > 0;
  const uint64_t n = distinct ? static_cast<uint64_t>(count) : static_cast<uint64_t>(-count);
  if (!distinct || n == 1) {
    zset::ReplyScoredHeader(ctx, n, with_scores);
    for (uint64_t i = 0; i < n; ++i) {
      const ZSetValue::Cursor c = z.Random(random_gen);
      zset::ReplyScoredItem(ctx, c.member(), c.score(), with_scores);
    }
    return;
  }
  if (n >= z.size()) {
    zset::ReplyScoredHeader(ctx, z.size(), with_scores);
    for (ZSetValue::Cursor c = z.Last(); c.valid(); c.Prev()) {
      zset::ReplyScoredItem(ctx, c.member(), c.score(), with_scores);
    }
    return;
  }
  const std::vector<ZSetValue::Cursor> chosen = z.RandomDistinct(n, random_gen);
  zset::ReplyScoredHeader(ctx, chosen.size(), with_scores);
  for (const ZSetValue::Cursor& c : chosen) {
    zset::ReplyScoredItem(ctx, c.member(), c.score(), with_scores);
  }
}

// ZRANDMEMBER key [count [WITHSCORES]]. The count is parsed before anything else is checked.
void CmdZRandMember(CommandContext& ctx) {
  if (ctx.argc() >= 3) {
    int64_t count;
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.Error(kErrNotInteger);
    if (count == std::numeric_limits<int64_t>::min()) return ctx.Error(kErrCountRange);
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "WITHSCORES"))) {
      return ctx.Error(kErrSyntax);
    }
    const bool with_scores = ctx.argc() == 4;
    constexpr int64_t kHalf = std::numeric_limits<int64_t>::max() / 2;
    if (with_scores && (count < -kHalf || count > kHalf)) return ctx.Error(kErrOutOfRange);
    if (count < -kMaxRandomRepeatCount) return ctx.Error(kErrOutOfRange);
    return RandMemberWithCount(ctx, count, with_scores);
  }
  auto found = FindZSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) return ctx.reply().Null();
  ctx.reply().Bulk((*found)->value().zset().Random(random_gen).member());
}

// ------------------------------------------------------------------------------------------ ZSCAN

// How ZSCAN prints a score. A listpack holds the text Redis 7.2's d2string wrote when the member
// was added (shortest form); a skiplist's scores go through ld2string's "%.17Lg", so 0.1 reads
// "0.10000000000000001" there, as in Redis.
std::string ScanScoreText(double score, ZSetValue::Encoding encoding) {
  if (encoding == ZSetValue::Encoding::kListpack) return protocol::FormatDouble(score);
  if (std::isinf(score)) return score > 0 ? "inf" : "-inf";
  char buf[64];
  const int len = std::snprintf(buf, sizeof(buf), "%.17Lg", static_cast<long double>(score));
  return std::string(buf, static_cast<size_t>(len));
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]: member, score pairs (scores as bulk strings in
// both protocols). The cursor is checked first, then the key (a missing key answers an empty scan
// before the options are read), then the options. A listpack answers everything at cursor 0.
void CmdZScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) return ctx.Error(kErrInvalidCursor);
  auto found = FindZSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk("0");
    return ctx.reply().ArrayHeader(0);
  }
  auto opts = ParseScanOptions(ctx.Cursor(3), /*allow_type=*/false);
  if (!opts.ok()) return ctx.Error(opts.status());
  const ZSetValue& z = (*found)->value().zset();
  std::vector<std::string> items;
  const auto count = static_cast<size_t>(opts->count);
  cursor = z.Scan(cursor, count, [&](std::string_view member, double score) {
    if (!opts->pattern.empty() && !storage::GlobMatch(opts->pattern, member)) return;
    items.emplace_back(member);
    items.push_back(ScanScoreText(score, z.encoding()));
  });
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(StrCat(cursor));
  ctx.reply().ArrayHeader(items.size());
  for (const std::string& s : items) ctx.reply().Bulk(s);
}

}  // namespace

// Rows as Redis 7.2 reports them in COMMAND INFO (ZRANK/ZREVRANK are -3 since WITHSCORE; ZMPOP's
// keys come from its numkeys argument, hence its keys_function and no fixed positions).
// clang-format off
void RegisterZSetCommands(CommandTable& table) {
  table.Add({.name = "zadd", .arity = -4, .flags = "write denyoom fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZAdd,
             .group = "sorted-set", .since = "1.2.0",
             .summary = "Adds one or more members to a sorted set, or updates their scores. "
                        "Creates the key if it doesn't exist.",
             .key_flags = "RW UPDATE"});
  table.Add({.name = "zincrby", .arity = 4, .flags = "write denyoom fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZIncrBy,
             .group = "sorted-set", .since = "1.2.0",
             .summary = "Increments the score of a member in a sorted set.",
             .key_flags = "RW ACCESS UPDATE"});
  table.Add({.name = "zrem", .arity = -3, .flags = "write fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRem,
             .group = "sorted-set", .since = "1.2.0",
             .summary = "Removes one or more members from a sorted set. Deletes the sorted set if "
                        "all members were removed.",
             .key_flags = "RW DELETE"});
  table.Add({.name = "zscore", .arity = 3, .flags = "readonly fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZScore,
             .group = "sorted-set", .since = "1.2.0",
             .summary = "Returns the score of a member in a sorted set.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zmscore", .arity = -3, .flags = "readonly fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZMScore,
             .group = "sorted-set", .since = "6.2.0",
             .summary = "Returns the score of one or more members in a sorted set.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zcard", .arity = 2, .flags = "readonly fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZCard,
             .group = "sorted-set", .since = "1.2.0",
             .summary = "Returns the number of members in a sorted set.",
             .key_flags = "RO"});
  table.Add({.name = "zrank", .arity = -3, .flags = "readonly fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRank,
             .group = "sorted-set", .since = "2.0.0",
             .summary = "Returns the index of a member in a sorted set ordered by ascending "
                        "scores.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zrevrank", .arity = -3, .flags = "readonly fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRevRank,
             .group = "sorted-set", .since = "2.0.0",
             .summary = "Returns the index of a member in a sorted set ordered by descending "
                        "scores.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zpopmin", .arity = -2, .flags = "write fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZPopMin,
             .group = "sorted-set", .since = "5.0.0",
             .summary = "Returns the lowest-scoring members from a sorted set after removing "
                        "them. Deletes the sorted set if the last member was popped.",
             .key_flags = "RW ACCESS DELETE"});
  table.Add({.name = "zpopmax", .arity = -2, .flags = "write fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZPopMax,
             .group = "sorted-set", .since = "5.0.0",
             .summary = "Returns the highest-scoring members from a sorted set after removing "
                        "them. Deletes the sorted set if the last member was popped.",
             .key_flags = "RW ACCESS DELETE"});
  table.Add({.name = "zmpop", .arity = -4, .flags = "write", .acl = "@sortedset",
             .handler = CmdZMPop, .group = "sorted-set", .since = "7.0.0",
             .summary = "Returns the highest- or lowest-scoring members from one or more sorted "
                        "sets after removing them. Deletes the sorted set if the last member was "
                        "popped.",
             .key_flags = "RW ACCESS DELETE", .keys_function = ZMPopKeys});
  table.Add({.name = "bzpopmin", .arity = -3, .flags = "write noscript blocking fast", .acl = "@sortedset",
             .first_key = 1, .last_key = -2, .step = 1, .handler = CmdBZPopMin,
             .group = "sorted-set", .since = "5.0.0",
             .summary = "Removes and returns the member with the lowest score from one or more sorted "
                        "sets. Blocks until a member is available otherwise. Deletes the sorted set if the "
                        "last element was popped.",
             .key_flags = "RW ACCESS DELETE"});
  table.Add({.name = "bzpopmax", .arity = -3, .flags = "write noscript blocking fast", .acl = "@sortedset",
             .first_key = 1, .last_key = -2, .step = 1, .handler = CmdBZPopMax,
             .group = "sorted-set", .since = "5.0.0",
             .summary = "Removes and returns the member with the highest score from one or more sorted "
                        "sets. Blocks until a member available otherwise.  Deletes the sorted set if the "
                        "last element was popped.",
             .key_flags = "RW ACCESS DELETE"});
  table.Add({.name = "bzmpop", .arity = -5, .flags = "write blocking", .acl = "@sortedset",
             .handler = CmdBZMPop, .group = "sorted-set", .since = "7.0.0",
             .summary = "Removes and returns a member by score from one or more sorted sets. Blocks "
                        "until a member is available otherwise. Deletes the sorted set if the last "
                        "element was popped.",
             .key_flags = "RW ACCESS DELETE", .numkeys_index = 2, .keys_function = BZMPopKeys});
  table.Add({.name = "zrandmember", .arity = -2, .flags = "readonly", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRandMember,
             .group = "sorted-set", .since = "6.2.0",
             .summary = "Returns one or more random members from a sorted set.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zscan", .arity = -3, .flags = "readonly", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZScan,
             .group = "sorted-set", .since = "2.8.0",
             .summary = "Iterates over members and scores of a sorted set.",
             .key_flags = "RO ACCESS"});
}
// clang-format on

}  // namespace sessionkv::server

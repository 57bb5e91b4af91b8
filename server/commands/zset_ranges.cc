// SPDX-License-Identifier: Apache-2.0
// The sorted-set family, range part: ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES) and its older
// forms ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX, ZRANGESTORE, ZCOUNT
// ZLEXCOUNT, and ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX.
//
// All range reads share one parser and one walk, as Redis's zrangeGenericCommand does, so the old
// commands accept exactly what Redis accepts (ZRANGEBYLEX ... WITHSCORES is the same error as
// ZRANGE ... BYLEX WITHSCORES). Spring Session's cleanup job reads the expirations set with
// ZREVRANGEBYSCORE <key> <now ms> 0.0 LIMIT 0 100 (the expired ids, newest first).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/strings.h"
#include "server/arg_cursor.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/commands/zset_common.h"
#include "server/config.h"
#include "server/errors.h"
#include "storage/zset_value.h"

namespace sessionkv::server {
namespace {

using storage::ZSetValue;
using zset::Access;
using zset::ErrorStatus;
using zset::FindZSet;
using zset::Scored;

constexpr std::string_view kErrLimitNeedsBy =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
constexpr std::string_view kErrLexWithScores =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";

enum class RangeBy : uint8_t { kAuto, kRank, kScore, kLex };
enum class Direction : uint8_t { kAuto, kForward, kReverse };

// A parsed range request.
struct RangeSpec {
  RangeBy by = RangeBy::kRank;
  bool reverse = false;
  bool with_scores = false;
  int64_t offset = 0;
  int64_t limit = -1;  // negative: no limit
  int64_t start = 0;   // rank ranges
  int64_t end = 0;
  storage::ScoreRange score;
  storage::LexRange lex;
};

// Redis's zrangeGenericCommand steps 1 and 2: the options after <src> <min> <max> (WITHSCORES only
// when not storing; REV, BYSCORE and BYLEX only when the command leaves them open), their
// conflicts, then the range itself (max first when reversed by score or lex).
absl::StatusOr<RangeSpec> ParseRangeSpec(CommandContext& ctx, size_t src, bool store, RangeBy by,
                                         Direction dir) {
  RangeSpec spec;
  for (size_t j = src + 3; j < ctx.argc(); ++j) {
    const std::string_view opt = ctx.arg(j);
    const size_t left = ctx.argc() - j - 1;
    if (!store && EqualsIgnoreCase(opt, "WITHSCORES")) {
      spec.with_scores = true;
    } else if (EqualsIgnoreCase(opt, "LIMIT") && left >= 2) {
      if (!ParseInt64(ctx.arg(j + 1), &spec.offset) || !ParseInt64(ctx.arg(j + 2), &spec.limit)) {
        return ErrorStatus(kErrNotInteger);
      }
      j += 2;
    } else if (dir == Direction::kAuto && EqualsIgnoreCase(opt, "REV")) {
      dir = Direction::kReverse;
    } else if (by == RangeBy::kAuto && EqualsIgnoreCase(opt, "BYLEX")) {
      by = RangeBy::kLex;
    } else if (by == RangeBy::kAuto && EqualsIgnoreCase(opt, "BYSCORE")) {
      by = RangeBy::kScore;
    } else {
      return ErrorStatus(kErrSyntax);
    }
  }
  spec.by = by == RangeBy::kAuto ? RangeBy::kRank : by;
  spec.reverse = dir == Direction::kReverse;
  // Redis compares with its default, so an explicit "LIMIT 0 -1" passes with a rank range.
  if (spec.limit != -1 && spec.by == RangeBy::kRank) return ErrorStatus(kErrLimitNeedsBy);
  if (spec.with_scores && spec.by == RangeBy::kLex) return ErrorStatus(kErrLexWithScores);

  std::string_view min = ctx.arg(src + 1), max = ctx.arg(src + 2);
  if (spec.reverse && spec.by != RangeBy::kRank) std::swap(min, max);
  switch (spec.by) {
    case RangeBy::kAuto:
    case RangeBy::kRank:
      if (!ParseInt64(min, &spec.start) || !ParseInt64(max, &spec.end)) {
        return ErrorStatus(kErrNotInteger);
      }
      break;
    case RangeBy::kScore:
      if (!zset::ParseScoreRange(min, max, &spec.score))
        return ErrorStatus(zset::kErrMinMaxNotFloat);
      break;
    case RangeBy::kLex:
      if (!zset::ParseLexRange(min, max, &spec.lex)) return ErrorStatus(zset::kErrLexRange);
      break;
  }
  return spec;
}

// Redis's rank clamping (start/end may count from the end): the inclusive ranks to visit, or false
// when the range is empty.
bool ClampRanks(int64_t start, int64_t end, size_t size, size_t* first, size_t* last) {
  const auto n = static_cast<int64_t>(size);
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return false;
  if (end >= n) end = n - 1;
  *first = static_cast<size_t>(start);
  *last = static_cast<size_t>(end);
  return true;
}

// Whether the cursor is still before the far end of a walk (the maximum going up, the minimum
// going down).
bool WithinFarEnd(const storage::ScoreRange& r, const ZSetValue::Cursor& c, bool reverse) {
  return reverse ? r.AboveMin(c.score()) : r.BelowMax(c.score());
}
bool WithinFarEnd(const storage::LexRange& r, const ZSetValue::Cursor& c, bool reverse) {
  return reverse ? r.AboveMin(c.member()) : r.BelowMax(c.member());
}

// Score and lex walks: from the near end of the range, skip `offset` members, then take up to
// `limit` while inside (Redis's genericZrangebyscoreCommand / genericZrangebylexCommand).
template <typename Range>
void CollectInRange(const ZSetValue& z, const Range& range, const RangeSpec& spec,
                    std::vector<Scored>* out) {
  if (spec.offset < 0 || (spec.offset > 0 && static_cast<uint64_t>(spec.offset) >= z.size())) {
    return;
  }
  ZSetValue::Cursor c = spec.reverse ? z.LastIn(range) : z.FirstIn(range);
  if (c.valid()) c.Advance(static_cast<size_t>(spec.offset), spec.reverse);
  for (int64_t left = spec.limit; c.valid() && left != 0; --left) {
    if (!WithinFarEnd(range, c, spec.reverse)) break;
    out->push_back({c.member(), c.score()});
    spec.reverse ? c.Prev() : c.Next();
  }
}

// The members the spec selects, in reply order (views into `z`).
std::vector<Scored> Collect(const ZSetValue& z, const RangeSpec& spec) {
  std::vector<Scored> out;
  switch (spec.by) {
    case RangeBy::kAuto:
    case RangeBy::kRank: {
      size_t first, last;
      if (!ClampRanks(spec.start, spec.end, z.size(), &first, &last)) break;
      out.reserve(last - first + 1);
      ZSetValue::Cursor c = z.AtRank(spec.reverse ? z.size() - 1 - first : first);
      for (size_t i = first; i <= last && c.valid(); ++i) {
        out.push_back({c.member(), c.score()});
        spec.reverse ? c.Prev() : c.Next();
      }
      break;
    }
    case RangeBy::kScore:
      CollectInRange(z, spec.score, spec, &out);
      break;
    case RangeBy::kLex:
      CollectInRange(z, spec.lex, spec, &out);
      break;
  }
  return out;
}

// ZRANGE and its older forms read from argv[1]; ZRANGESTORE reads argv[2] into argv[1], replacing
// it (TTL cleared) with a "zrangestore" event, or deleting it when nothing matched (also when the
// source is missing).
void RangeGeneric(CommandContext& ctx, bool store, RangeBy by, Direction dir) {
  const size_t src = store ? 2 : 1;
  auto spec = ParseRangeSpec(ctx, src, store, by, dir);
  if (!spec.ok()) return ctx.Error(spec.status());
  auto found = FindZSet(ctx.db(), ctx.arg(src), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  std::vector<Scored> items;
  if (*found != nullptr) items = Collect((*found)->value().zset(), *spec);
  if (!store) return zset::ReplyScored(ctx, items, spec->with_scores);

  std::vector<ZSetValue::Entry> entries;
  entries.reserve(items.size());
  for (const Scored& s : items) entries.push_back({std::string(s.member), s.score});
  ZSetValue result = ZSetValue::FromEntries(std::move(entries), zset::LimitsOf(ctx));
  ctx.reply().Integer(zset::StoreResult(ctx, ctx.arg(1), std::move(result), "zrangestore"));
}

void CmdZRange(CommandContext& ctx) { RangeGeneric(ctx, false, RangeBy::kAuto, Direction::kAuto); }
void CmdZRangeStore(CommandContext& ctx) {
  RangeGeneric(ctx, true, RangeBy::kAuto, Direction::kAuto);
}
void CmdZRevRange(CommandContext& ctx) {
  RangeGeneric(ctx, false, RangeBy::kRank, Direction::kReverse);
}
void CmdZRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, false, RangeBy::kScore, Direction::kForward);
}
void CmdZRevRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, false, RangeBy::kScore, Direction::kReverse);
}
void CmdZRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, false, RangeBy::kLex, Direction::kForward);
}
void CmdZRevRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, false, RangeBy::kLex, Direction::kReverse);
}

// ------------------------------------------------------------------------------ ZCOUNT ZLEXCOUNT

// ZCOUNT key min max / ZLEXCOUNT key min max: the range is parsed before the key is looked up.
void CountGeneric(CommandContext& ctx, RangeBy by) {
  storage::ScoreRange score;
  storage::LexRange lex;
  if (by == RangeBy::kScore && !zset::ParseScoreRange(ctx.arg(2), ctx.arg(3), &score)) {
    return ctx.Error(zset::kErrMinMaxNotFloat);
  }
  if (by == RangeBy::kLex && !zset::ParseLexRange(ctx.arg(2), ctx.arg(3), &lex)) {
    return ctx.Error(zset::kErrLexRange);
  }
  auto found = FindZSet(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) return ctx.reply().Integer(0);
  const ZSetValue& z = (*found)->value().zset();
  ctx.reply().Integer(static_cast<int64_t>(by == RangeBy::kScore ? z.Count(score) : z.Count(lex)));
}

void CmdZCount(CommandContext& ctx) { CountGeneric(ctx, RangeBy::kScore); }
void CmdZLexCount(CommandContext& ctx) { CountGeneric(ctx, RangeBy::kLex); }

// --------------------------------------------------------------------------------- ZREMRANGEBY*

// ZREMRANGEBYRANK key start stop / ZREMRANGEBYSCORE key min max / ZREMRANGEBYLEX key min max: the
// number removed, with the command's keyspace event (and "del" when the set empties).
void RemRangeGeneric(CommandContext& ctx, RangeBy by) {
  int64_t start = 0, end = 0;
  storage::ScoreRange score;
  storage::LexRange lex;
  std::string_view event;
  switch (by) {
    case RangeBy::kAuto:
    case RangeBy::kRank:
      event = "zremrangebyrank";
      if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &end)) {
        return ctx.Error(kErrNotInteger);
      }
      break;
    case RangeBy::kScore:
      event = "zremrangebyscore";
      if (!zset::ParseScoreRange(ctx.arg(2), ctx.arg(3), &score)) {
        return ctx.Error(zset::kErrMinMaxNotFloat);
      }
      break;
    case RangeBy::kLex:
      event = "zremrangebylex";
      if (!zset::ParseLexRange(ctx.arg(2), ctx.arg(3), &lex)) return ctx.Error(zset::kErrLexRange);
      break;
  }
  auto found = FindZSet(ctx.db(), ctx.arg(1), Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  storage::Entry* e = *found;
  if (e == nullptr) return ctx.reply().Integer(0);
  storage::Db& db = ctx.db();
  size_t removed = 0;
  if (by == RangeBy::kScore) {
    removed = db.ZRemoveRange(e, score);
  } else if (by == RangeBy::kLex) {
    removed = db.ZRemoveRange(e, lex);
  } else {
    size_t first, last;
    if (!ClampRanks(start, end, e->value().zset().size(), &first, &last)) return ctx.reply().Integer(0);
    removed = db.ZRemoveRanks(e, first, last);
  }
  if (removed > 0) {
    ctx.Notify(kNotifyZset, event, ctx.arg(1));
    zset::EraseIfEmpty(ctx, e, ctx.arg(1));
  }
  ctx.reply().Integer(static_cast<int64_t>(removed));
}

void CmdZRemRangeByRank(CommandContext& ctx) { RemRangeGeneric(ctx, RangeBy::kRank); }
void CmdZRemRangeByScore(CommandContext& ctx) { RemRangeGeneric(ctx, RangeBy::kScore); }
void CmdZRemRangeByLex(CommandContext& ctx) { RemRangeGeneric(ctx, RangeBy::kLex); }

}  // namespace

// Rows as Redis 7.2 reports them in COMMAND INFO.
// clang-format off
void RegisterZSetRangeCommands(CommandTable& table) {
  table.Add({.name = "zrange", .arity = -4, .flags = "readonly", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRange,
             .group = "sorted-set", .since = "1.2.0",
             .summary = "Returns members in a sorted set within a range of indexes.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zrangestore", .arity = -5, .flags = "write denyoom", .acl = "@sortedset",
             .first_key = 1, .last_key = 2, .step = 1, .handler = CmdZRangeStore,
             .group = "sorted-set", .since = "6.2.0",
             .summary = "Stores a range of members from sorted set in a key.",
             .key_flags = "OW UPDATE, RO ACCESS"});
  table.Add({.name = "zrevrange", .arity = -4, .flags = "readonly", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRevRange,
             .group = "sorted-set", .since = "1.2.0",
             .summary = "Returns members in a sorted set within a range of indexes in reverse "
                        "order.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zrangebyscore", .arity = -4, .flags = "readonly", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRangeByScore,
             .group = "sorted-set", .since = "1.0.5",
             .summary = "Returns members in a sorted set within a range of scores.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zrevrangebyscore", .arity = -4, .flags = "readonly", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRevRangeByScore,
             .group = "sorted-set", .since = "2.2.0",
             .summary = "Returns members in a sorted set within a range of scores in reverse "
                        "order.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zrangebylex", .arity = -4, .flags = "readonly", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRangeByLex,
             .group = "sorted-set", .since = "2.8.9",
             .summary = "Returns members in a sorted set within a lexicographical range.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zrevrangebylex", .arity = -4, .flags = "readonly", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRevRangeByLex,
             .group = "sorted-set", .since = "2.8.9",
             .summary = "Returns members in a sorted set within a lexicographical range in "
                        "reverse order.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zcount", .arity = 4, .flags = "readonly fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZCount,
             .group = "sorted-set", .since = "2.0.0",
             .summary = "Returns the count of members in a sorted set that have scores within a "
                        "range.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zlexcount", .arity = 4, .flags = "readonly fast", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZLexCount,
             .group = "sorted-set", .since = "2.8.9",
             .summary = "Returns the number of members in a sorted set within a lexicographical "
                        "range.",
             .key_flags = "RO ACCESS"});
  table.Add({.name = "zremrangebyrank", .arity = 4, .flags = "write", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRemRangeByRank,
             .group = "sorted-set", .since = "2.0.0",
             .summary = "Removes members in a sorted set within a range of indexes. Deletes the "
                        "sorted set if all members were removed.",
             .key_flags = "RW DELETE"});
  table.Add({.name = "zremrangebyscore", .arity = 4, .flags = "write", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRemRangeByScore,
             .group = "sorted-set", .since = "1.2.0",
             .summary = "Removes members in a sorted set within a range of scores. Deletes the "
                        "sorted set if all members were removed.",
             .key_flags = "RW DELETE"});
  table.Add({.name = "zremrangebylex", .arity = 4, .flags = "write", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZRemRangeByLex,
             .group = "sorted-set", .since = "2.8.9",
             .summary = "Removes members in a sorted set within a lexicographical range. Deletes "
                        "the sorted set if all members were removed.",
             .key_flags = "RW DELETE"});
}
// clang-format on

}  // namespace sessionkv::server

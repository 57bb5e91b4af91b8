// SPDX-License-Identifier: Apache-2.0
#include "server/commands/zset_common.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

#include "base/strings.h"
#include "server/arg_cursor.h"
#include "server/config.h"
#include "server/errors.h"

namespace sessionkv::server::zset {
namespace {

// One end of a score range. The copy gives strtod its NUL terminator; like Redis, parsing stops at
// the first NUL byte of the argument.
bool ParseScoreBound(std::string_view text, double* value, bool* exclusive) {
  const std::string copy(text);
  const char* p = copy.c_str();
  *exclusive = p[0] == '(';
  if (*exclusive) ++p;
  char* end = nullptr;
  *value = std::strtod(p, &end);
  return *end == '\0' && !std::isnan(*value);
}

// One end of a lex range (zslParseLexRangeItem, which also reads "+" and "-" up to a NUL byte).
bool ParseLexBound(std::string_view text, storage::LexBound* bound) {
  using Kind = storage::LexBound::Kind;
  if (text.empty()) return false;
  switch (text[0]) {
    case '+':
    case '-':
      if (text.size() > 1 && text[1] != '\0') return false;
      bound->kind = text[0] == '+' ? Kind::kPlusInfinity : Kind::kMinusInfinity;
      bound->exclusive = true;
      return true;
    case '(':
    case '[':
      bound->kind = Kind::kMember;
      bound->exclusive = text[0] == '(';
      bound->member = std::string(text.substr(1));
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::Status ErrorStatus(std::string_view line) { return absl::InvalidArgumentError(ToAbsl(line)); }

storage::ZSetLimits LimitsOf(CommandContext& ctx) {
  const Config& config = ctx.server().config;
  return {.max_listpack_entries = static_cast<size_t>(config.zset_max_listpack_entries()),
          .max_listpack_value = static_cast<size_t>(config.zset_max_listpack_value())};
}

absl::StatusOr<storage::Entry*> FindZSet(storage::Db& db, std::string_view key, Access access) {
  storage::Entry* e = access == Access::kRead ? db.FindForRead(key) : db.FindForWrite(key);
  if (e != nullptr && !e->value().is_zset()) return ErrorStatus(kErrWrongType);
  return e;
}

bool EraseIfEmpty(CommandContext& ctx, storage::Entry* e, std::string_view key) {
  if (!e->value().zset().empty()) return false;
  ctx.db().Erase(e);
  ctx.Notify(kNotifyGeneric, "del", key);
  return true;
}

int64_t StoreResult(CommandContext& ctx, std::string_view key, storage::ZSetValue value,
                    std::string_view event) {
  storage::Db& db = ctx.db();
  const auto size = static_cast<int64_t>(value.size());
  if (size == 0) {
    if (db.Delete(key)) ctx.Notify(kNotifyGeneric, "del", key);
  } else {
    db.Overwrite(key, storage::Value(std::move(value)));
    ctx.Notify(kNotifyZset, event, key);
  }
  return size;
}

bool ParseScoreRange(std::string_view min, std::string_view max, storage::ScoreRange* range) {
  return ParseScoreBound(min, &range->min, &range->min_exclusive) &&
         ParseScoreBound(max, &range->max, &range->max_exclusive);
}

bool ParseLexRange(std::string_view min, std::string_view max, storage::LexRange* range) {
  return ParseLexBound(min, &range->min) && ParseLexBound(max, &range->max);
}

void ReplyScoredHeader(CommandContext& ctx, size_t n, bool with_scores) {
  ctx.reply().ArrayHeader(with_scores && !ctx.reply().resp3() ? 2 * n : n);
}

void ReplyScoredItem(CommandContext& ctx, std::string_view member, double score, bool with_scores) {
  if (with_scores && ctx.reply().resp3()) ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(member);
  if (with_scores) ctx.reply().Double(score);
}

void ReplyScored(CommandContext& ctx, const std::vector<Scored>& items, bool with_scores) {
  ReplyScoredHeader(ctx, items.size(), with_scores);
  for (const Scored& s : items) ReplyScoredItem(ctx, s.member, s.score, with_scores);
}

std::optional<size_t> ValidNumKeys(const std::vector<std::string_view>& args, size_t index) {
  int64_t n;
  if (index >= args.size() || !ParseInt64(args[index], &n) || n < 1) return std::nullopt;
  if (static_cast<uint64_t>(n) > args.size() - index - 1) return std::nullopt;
  return static_cast<size_t>(n);
}

}  // namespace sessionkv::server::zset

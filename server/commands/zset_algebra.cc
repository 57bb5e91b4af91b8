// SPDX-License-Identifier: Apache-2.0
// The sorted-set family, algebra part: ZUNION ZINTER ZDIFF (WITHSCORES), ZUNIONSTORE ZINTERSTORE
// ZDIFFSTORE (WEIGHTS, AGGREGATE SUM|MIN|MAX) and ZINTERCARD (LIMIT), one core as Redis's
// zunionInterDiffGenericCommand: numkeys is checked first, then every input key is looked up (a
// set counts, with scores of 1; anything else is WRONGTYPE), then the options. The combining itself
// is a type operation in storage/zset_algebra.h.
#include "storage/zset_algebra.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

using storage::ZAggregate;
using storage::ZSetOp;
using storage::ZSetValue;

constexpr std::string_view kErrWeightNotFloat = "ERR weight value is not a float";

// What the command does with the result.
enum class Output : uint8_t { kReply, kStore, kCardinality };

// Redis's zunionInterDiffGenericCommand. numkeys is at argv[1] (argv[2] for the STORE forms, whose
// destination is argv[1]).
void AlgebraGeneric(CommandContext& ctx, ZSetOp op, Output output) {
  const size_t numkeys_at = output == Output::kStore ? 2 : 1;
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(numkeys_at), &numkeys)) return ctx.Error(kErrNotInteger);
  if (numkeys < 1) {
    return ctx.Error(
        StrCat("ERR at least 1 input key is needed for '", ctx.spec().full_name, "' command"));
  }
  if (static_cast<uint64_t>(numkeys) > ctx.argc() - numkeys_at - 1) return ctx.Error(kErrSyntax);
  const auto n = static_cast<size_t>(numkeys);

  std::vector<storage::ZSource> sources(n);
  for (size_t i = 0; i < n; ++i) {
    const storage::Entry* e = ctx.db().FindForRead(ctx.arg(numkeys_at + 1 + i));
    if (e == nullptr) continue;
    if (e->value().is_zset()) {
      sources[i].zset = &e->value().zset();
    } else if (e->value().is_set()) {
      sources[i].set = &e->value().set();
    } else {
      return ctx.Error(kErrWrongType);
    }
  }

  ZAggregate aggregate = ZAggregate::kSum;
  bool with_scores = false;
  int64_t limit = 0;
  const bool weighted = op != ZSetOp::kDiff && output != Output::kCardinality;
  for (size_t j = numkeys_at + 1 + n; j < ctx.argc();) {
    const size_t remaining = ctx.argc() - j;
    const std::string_view opt = ctx.arg(j);
    if (weighted && remaining >= n + 1 && EqualsIgnoreCase(opt, "WEIGHTS")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        if (!ParseDouble(ctx.arg(j), &sources[i].weight)) return ctx.Error(kErrWeightNotFloat);
      }
    } else if (weighted && remaining >= 2 && EqualsIgnoreCase(opt, "AGGREGATE")) {
      const std::string_view how = ctx.arg(j + 1);
      if (EqualsIgnoreCase(how, "SUM")) {
        aggregate = ZAggregate::kSum;
      } else if (EqualsIgnoreCase(how, "MIN")) {
        aggregate = ZAggregate::kMin;
      } else if (EqualsIgnoreCase(how, "MAX")) {
        aggregate = ZAggregate::kMax;
      } else {
        return ctx.Error(kErrSyntax);
      }
      j += 2;
    } else if (output == Output::kReply && EqualsIgnoreCase(opt, "WITHSCORES")) {
      with_scores = true;
      ++j;
    } else if (output == Output::kCardinality && remaining >= 2 && EqualsIgnoreCase(opt, "LIMIT")) {
      if (!ParseInt64(ctx.arg(j + 1), &limit) || limit < 0) return ctx.Error(kErrLimitNegative);
      j += 2;
    } else {
      return ctx.Error(kErrSyntax);
    }
  }

  if (output == Output::kCardinality) {
    const size_t size = storage::IntersectionSize(std::move(sources), static_cast<size_t>(limit));
    return ctx.reply().Integer(static_cast<int64_t>(size));
  }
  std::vector<ZSetValue::Entry> entries = storage::CombineZSets(op, std::move(sources), aggregate);
  if (output == Output::kStore) {
    ZSetValue result = ZSetValue::FromEntries(std::move(entries), zset::LimitsOf(ctx));
    const std::string_view event = op == ZSetOp::kUnion   ? "zunionstore"
                                   : op == ZSetOp::kInter ? "zinterstore"
                                                          : "zdiffstore";
    return ctx.reply().Integer(zset::StoreResult(ctx, ctx.arg(1), std::move(result), event));
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.score < b.score || (a.score == b.score && a.member < b.member);
  });
  zset::ReplyScoredHeader(ctx, entries.size(), with_scores);
  for (const ZSetValue::Entry& e : entries) {
    zset::ReplyScoredItem(ctx, e.member, e.score, with_scores);
  }
}

void CmdZUnion(CommandContext& ctx) { AlgebraGeneric(ctx, ZSetOp::kUnion, Output::kReply); }
void CmdZInter(CommandContext& ctx) { AlgebraGeneric(ctx, ZSetOp::kInter, Output::kReply); }
void CmdZDiff(CommandContext& ctx) { AlgebraGeneric(ctx, ZSetOp::kDiff, Output::kReply); }
void CmdZUnionStore(CommandContext& ctx) { AlgebraGeneric(ctx, ZSetOp::kUnion, Output::kStore); }
void CmdZInterStore(CommandContext& ctx) { AlgebraGeneric(ctx, ZSetOp::kInter, Output::kStore); }
void CmdZDiffStore(CommandContext& ctx) { AlgebraGeneric(ctx, ZSetOp::kDiff, Output::kStore); }
void CmdZInterCard(CommandContext& ctx) {
  AlgebraGeneric(ctx, ZSetOp::kInter, Output::kCardinality);
}

// Key positions: the numkeys inputs after argv[numkeys_at], and the destination argv[1] of the
// STORE forms; none when numkeys is invalid (the handler then answers the error).
std::vector<int> InputKeys(const std::vector<std::string_view>& args, size_t numkeys_at) {
  std::vector<int> keys;
  const auto n = zset::ValidNumKeys(args, numkeys_at);
  if (!n.has_value()) return keys;
  if (numkeys_at == 2) keys.push_back(1);
  for (size_t i = 0; i < *n; ++i) keys.push_back(static_cast<int>(numkeys_at + 1 + i));
  return keys;
}
std::vector<int> ReadKeys(const std::vector<std::string_view>& args) { return InputKeys(args, 1); }
std::vector<int> StoreKeys(const std::vector<std::string_view>& args) { return InputKeys(args, 2); }

}  // namespace

// Rows as Redis 7.2 reports them in COMMAND INFO. The STORE forms show first/last/step 1 1 1 (the
// destination) and take their inputs from numkeys, like the others (keys_function): two key specs,
// the destination (OW UPDATE) and a keynum spec for the inputs (RO ACCESS), which ACL key
// permissions also follow.
// clang-format off
void RegisterZSetAlgebraCommands(CommandTable& table) {
  table.Add({.name = "zunion", .arity = -3, .flags = "readonly", .acl = "@sortedset",
             .handler = CmdZUnion, .group = "sorted-set", .since = "6.2.0",
             .summary = "Returns the union of multiple sorted sets.",
             .key_flags = "RO ACCESS", .numkeys_index = 1, .keys_function = ReadKeys});
  table.Add({.name = "zinter", .arity = -3, .flags = "readonly", .acl = "@sortedset",
             .handler = CmdZInter, .group = "sorted-set", .since = "6.2.0",
             .summary = "Returns the intersect of multiple sorted sets.",
             .key_flags = "RO ACCESS", .numkeys_index = 1, .keys_function = ReadKeys});
  table.Add({.name = "zdiff", .arity = -3, .flags = "readonly", .acl = "@sortedset",
             .handler = CmdZDiff, .group = "sorted-set", .since = "6.2.0",
             .summary = "Returns the difference between multiple sorted sets.",
             .key_flags = "RO ACCESS", .numkeys_index = 1, .keys_function = ReadKeys});
  table.Add({.name = "zintercard", .arity = -3, .flags = "readonly", .acl = "@sortedset",
             .handler = CmdZInterCard, .group = "sorted-set", .since = "7.0.0",
             .summary = "Returns the number of members of the intersect of multiple sorted sets.",
             .key_flags = "RO ACCESS", .numkeys_index = 1, .keys_function = ReadKeys});
  table.Add({.name = "zunionstore", .arity = -4, .flags = "write denyoom", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZUnionStore,
             .group = "sorted-set", .since = "2.0.0",
             .summary = "Stores the union of multiple sorted sets in a key.",
             .key_flags = "OW UPDATE, RO ACCESS", .numkeys_index = 2, .keys_function = StoreKeys});
  table.Add({.name = "zinterstore", .arity = -4, .flags = "write denyoom", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZInterStore,
             .group = "sorted-set", .since = "2.0.0",
             .summary = "Stores the intersect of multiple sorted sets in a key.",
             .key_flags = "OW UPDATE, RO ACCESS", .numkeys_index = 2, .keys_function = StoreKeys});
  table.Add({.name = "zdiffstore", .arity = -4, .flags = "write denyoom", .acl = "@sortedset",
             .first_key = 1, .last_key = 1, .step = 1, .handler = CmdZDiffStore,
             .group = "sorted-set", .since = "6.2.0",
             .summary = "Stores the difference of multiple sorted sets in a key.",
             .key_flags = "OW UPDATE, RO ACCESS", .numkeys_index = 2, .keys_function = StoreKeys});
}
// clang-format on

}  // namespace sessionkv::server

// SPDX-License-Identifier: Apache-2.0
// The list family: LPUSH RPUSH LPUSHX RPUSHX, LPOP RPOP (with count), LLEN LRANGE LINDEX LSET LREM
// LTRIM LINSERT LPOS, LMOVE RPOPLPUSH LMPOP, and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP.
//
// Behaviour, error texts, the order of checks and keyspace events follow Redis 7.2 (t_list.c):
// numeric arguments are parsed before the key is looked up, except for LINDEX and LSET, which look
// the key up first; a list that loses its last element takes its key with it ("del" after the
// command's own event); LMOVE announces the destination's push before the source's pop. The values
// and their listpack/quicklist encodings live in storage/list_value.h, the waiting of blocking
// commands in server/blocking.h; this file parses, calls and replies. A blocking command that finds
// nothing calls Blocking::Block and replies nothing; when a key gets data the command is run again
// on the waiting client's behalf, so the same code serves the immediate and the woken case.
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/strings.h"
#include "server/arg_cursor.h"
#include "server/blocking.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/config.h"
#include "server/errors.h"
#include "storage/list_value.h"

namespace sessionkv::server {
namespace {

using storage::ListValue;
using End = ListValue::End;

constexpr std::string_view kErrIndexOutOfRange = "ERR index out of range";
constexpr std::string_view kErrCountPositive = "ERR count should be greater than 0";
constexpr std::string_view kErrRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";

absl::Status ErrorStatus(std::string_view line) { return absl::InvalidArgumentError(ToAbsl(line)); }

// ---------------------------------------------------------------------------------- shared pieces

enum class Access : uint8_t { kRead, kWrite };

// list-max-listpack-size from the server's config (CONFIG SET applies to the next write).
int Fill(CommandContext& ctx) { return ctx.server().config.list_max_listpack_size(); }

// The list entry for `key`: nullptr when the key is missing, WRONGTYPE for another type.
absl::StatusOr<storage::Entry*> FindList(storage::Db& db, std::string_view key, Access access) {
  storage::Entry* e = access == Access::kRead ? db.FindForRead(key) : db.FindForWrite(key);
  if (e != nullptr && !e->value().is_list()) return ErrorStatus(kErrWrongType);
  return e;
}

// LEFT / RIGHT (LMOVE, LMPOP); anything else is a syntax error.
bool ParseEnd(std::string_view s, End* out) {
  if (EqualsIgnoreCase(s, "LEFT")) {
    *out = End::kHead;
  } else if (EqualsIgnoreCase(s, "RIGHT")) {
    *out = End::kTail;
  } else {
    return false;
  }
  return true;
}

std::string_view PushEvent(End end) { return end == End::kHead ? "lpush" : "rpush"; }
std::string_view PopEvent(End end) { return end == End::kHead ? "lpop" : "rpop"; }

// A list that lost its last element takes its key with it, with "del" (Redis never keeps an empty
// list).
void EraseIfEmpty(CommandContext& ctx, storage::Entry* e, std::string_view key) {
  if (!e->value().list().empty()) return;
  ctx.db().Erase(e);
  ctx.Notify(kNotifyGeneric, "del", key);
}

// Redis's listElementsRemoved: the pop event, then the key goes if it emptied.
void ElementsPopped(CommandContext& ctx, storage::Entry* e, std::string_view key, End end) {
  ctx.Notify(kNotifyList, PopEvent(end), key);
  EraseIfEmpty(ctx, e, key);
}

void ReplyElements(CommandContext& ctx, const std::vector<std::string>& elements) {
  ctx.reply().ArrayHeader(elements.size());
  for (const std::string& v : elements) ctx.reply().Bulk(v);
}

// Pops up to `count` from one of `keys` (the first that holds a list) and replies [key, [elements]]
// (LMPOP, BLMPOP). Returns false, without replying, when every key is missing; a key of another
// type answers WRONGTYPE even after missing ones.
bool PopFromFirst(CommandContext& ctx, std::span<const std::string_view> keys, End end,
                  int64_t count) {
  for (std::string_view key : keys) {
    auto found = FindList(ctx.db(), key, Access::kWrite);
    if (!found.ok()) {
      ctx.Error(found.status());
      return true;
    }
    if (*found == nullptr) continue;
    const std::vector<std::string> popped =
        ctx.db().ListPop(*found, end, static_cast<size_t>(count), Fill(ctx));
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(key);
    ReplyElements(ctx, popped);
    ElementsPopped(ctx, *found, key, end);
    return true;
  }
  return false;
}

// ----------------------------------------------------------------------------------- LPUSH RPUSH

// LPUSH/RPUSH/LPUSHX/RPUSHX key element [element ...]: the new length. The X forms answer 0 for a
// missing key; the others create it.
void PushGeneric(CommandContext& ctx, End end, bool only_existing) {
  storage::Db& db = ctx.db();
  auto found = FindList(db, ctx.arg(1), Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  storage::Entry* e = *found;
  if (e == nullptr) {
    if (only_existing) return ctx.reply().Integer(0);
    e = db.Add(ctx.arg(1), storage::Value(ListValue()));
  }
  db.ListPush(e, end, std::span<const std::string_view>(ctx.args()).subspan(2), Fill(ctx));
  ctx.reply().Integer(static_cast<int64_t>(e->value().list().size()));
  ctx.Notify(kNotifyList, PushEvent(end), ctx.arg(1));
}

void CmdLPush(CommandContext& ctx) { PushGeneric(ctx, End::kHead, false); }
void CmdRPush(CommandContext& ctx) { PushGeneric(ctx, End::kTail, false); }
void CmdLPushX(CommandContext& ctx) { PushGeneric(ctx, End::kHead, true); }
void CmdRPushX(CommandContext& ctx) { PushGeneric(ctx, End::kTail, true); }

// -------------------------------------------------------------------------------------- LPOP RPOP

// LPOP/RPOP key [count]. Without count: one element, or a null bulk. With count (negative or not a
// number: "must be positive"): an array, a null array for a missing key, empty for count 0.
void PopGeneric(CommandContext& ctx, End end) {
  if (ctx.argc() > 3) return ctx.Error(WrongArityError(ctx.spec().full_name));
  const bool with_count = ctx.argc() == 3;
  int64_t count = 1;
  if (with_count && (!ParseInt64(ctx.arg(2), &count) || count < 0))
    return ctx.Error(kErrMustBePositive);
  auto found = FindList(ctx.db(), ctx.arg(1), Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  storage::Entry* e = *found;
  if (e == nullptr) return with_count ? ctx.reply().NullArray() : ctx.reply().Null();
  if (count == 0) return ctx.reply().ArrayHeader(0);
  const std::vector<std::string> popped =
      ctx.db().ListPop(e, end, static_cast<size_t>(count), Fill(ctx));
  if (with_count) {
    ReplyElements(ctx, popped);
  } else {
    ctx.reply().Bulk(popped.front());
  }
  ElementsPopped(ctx, e, ctx.arg(1), end);
}

void CmdLPop(CommandContext& ctx) { PopGeneric(ctx, End::kHead); }
void CmdRPop(CommandContext& ctx) { PopGeneric(ctx, End::kTail); }

// ---------------------------------------------------------------- LLEN LRANGE LINDEX LSET LTRIM

void CmdLLen(CommandContext& ctx) {
  auto found = FindList(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  ctx.reply().Integer(*found == nullptr ? 0 : static_cast<int64_t>((*found)->value().list().size()));
}

// Redis's range rule for LRANGE and LTRIM: negative indexes count from the end, start is clamped at
// 0 and end at the last element; false if the range is empty.
bool ClampRange(int64_t start, int64_t end, size_t size, size_t* from, size_t* to) {
  const auto n = static_cast<int64_t>(size);
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return false;
  if (end >= n) end = n - 1;
  *from = static_cast<size_t>(start);
  *to = static_cast<size_t>(end);
  return true;
}

// LRANGE and LTRIM: start and stop, parsed before the key is looked up, and the list (or nullptr).
struct RangeArgs {
  int64_t start, stop;
  storage::Entry* e;
};
absl::StatusOr<RangeArgs> ParseRangeCommand(CommandContext& ctx, Access access) {
  int64_t start, stop;
  if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &stop))
    return ErrorStatus(kErrNotInteger);
  auto found = FindList(ctx.db(), ctx.arg(1), access);
  if (!found.ok()) return found.status();
  return RangeArgs{start, stop, *found};
}

// LRANGE key start stop.
void CmdLRange(CommandContext& ctx) {
  auto args = ParseRangeCommand(ctx, Access::kRead);
  if (!args.ok()) return ctx.Error(args.status());
  size_t from, to;
  if (args->e == nullptr ||
      !ClampRange(args->start, args->stop, args->e->value().list().size(), &from, &to)) {
    return ctx.reply().ArrayHeader(0);
  }
  size_t left = to - from + 1;
  ctx.reply().ArrayHeader(left);
  args->e->value().list().Visit(from, /*reverse=*/false, [&](std::string_view v) {
    ctx.reply().Bulk(v);
    return --left > 0;
  });
}

// LINDEX key index: the key is looked up before the index is parsed, as in Redis.
void CmdLIndex(CommandContext& ctx) {
  auto found = FindList(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) return ctx.reply().Null();
  int64_t index;
  if (!ParseInt64(ctx.arg(2), &index)) return ctx.Error(kErrNotInteger);
  const auto v = (*found)->value().list().Index(index);
  if (!v.has_value()) return ctx.reply().Null();
  ctx.reply().Bulk(*v);
}

// LSET key index element: "no such key" before the index is parsed; "index out of range".
void CmdLSet(CommandContext& ctx) {
  auto found = FindList(ctx.db(), ctx.arg(1), Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) return ctx.Error(kErrNoSuchKey);
  int64_t index;
  if (!ParseInt64(ctx.arg(2), &index)) return ctx.Error(kErrNotInteger);
  if (!ctx.db().ListSet(*found, index, ctx.arg(3), Fill(ctx)))
    return ctx.Error(kErrIndexOutOfRange);
  ctx.reply().Ok();
  ctx.Notify(kNotifyList, "lset", ctx.arg(1));
}

// LTRIM key start stop: OK even for a missing key; "ltrim" is announced whatever was trimmed.
void CmdLTrim(CommandContext& ctx) {
  auto args = ParseRangeCommand(ctx, Access::kWrite);
  if (!args.ok()) return ctx.Error(args.status());
  if (args->e == nullptr) return ctx.reply().Ok();
  const size_t size = args->e->value().list().size();
  size_t from, to;
  if (!ClampRange(args->start, args->stop, size, &from, &to)) {
    from = size;
    to = size - 1;
  }
  if (from == 0 && to == size - 1) ctx.DeclareNoMutation();  // announced although nothing changes
  ctx.db().ListTrim(args->e, from, size - to - 1, Fill(ctx));
  ctx.Notify(kNotifyList, "ltrim", ctx.arg(1));
  EraseIfEmpty(ctx, args->e, ctx.arg(1));
  ctx.reply().Ok();
}

// ------------------------------------------------------------------------------ LREM LINSERT LPOS

// A -LONG_MAX..LONG_MAX argument (LREM count, LPOS RANK): not a number, or LONG_MIN, is an error.
absl::StatusOr<int64_t> ParseSignedLong(std::string_view s) {
  int64_t v;
  if (!ParseInt64(s, &v)) return ErrorStatus(kErrNotInteger);
  if (v == std::numeric_limits<int64_t>::min()) return ErrorStatus(kErrCountRange);
  return v;
}

// LREM key count element: removes up to |count| matches (0 = all), from the tail when negative.
void CmdLRem(CommandContext& ctx) {
  auto count = ParseSignedLong(ctx.arg(2));
  if (!count.ok()) return ctx.Error(count.status());
  auto found = FindList(ctx.db(), ctx.arg(1), Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) return ctx.reply().Integer(0);
  const size_t removed = ctx.db().ListRemove(*found, 
      ctx.arg(3), static_cast<size_t>(*count < 0 ? -*count : *count), *count < 0, Fill(ctx));
  if (removed > 0) {
    ctx.Notify(kNotifyList, "lrem", ctx.arg(1));
    EraseIfEmpty(ctx, *found, ctx.arg(1));
  }
  ctx.reply().Integer(static_cast<int64_t>(removed));
}

// LINSERT key BEFORE|AFTER pivot element: the new length, 0 for a missing key, -1 without pivot.
void CmdLInsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.arg(2), "AFTER")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.arg(2), "BEFORE")) {
    after = false;
  } else {
    return ctx.Error(kErrSyntax);
  }
  auto found = FindList(ctx.db(), ctx.arg(1), Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) return ctx.reply().Integer(0);
  if (!ctx.db().ListInsert(*found, ctx.arg(3), ctx.arg(4), after, Fill(ctx))) {
    return ctx.reply().Integer(-1);
  }
  ctx.Notify(kNotifyList, "linsert", ctx.arg(1));
  ctx.reply().Integer(static_cast<int64_t>((*found)->value().list().size()));
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]: the index of the rank-th match
// (from the tail for a negative rank) or null; with COUNT an array of up to `count` matches (0 =
// all); MAXLEN bounds the elements compared (0 = all). Options are checked before the lookup.
void CmdLPos(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;  // count -1: no COUNT option
  for (size_t j = 3; j < ctx.argc(); ++j) {
    const std::string_view opt = ctx.arg(j);
    const bool more = j + 1 < ctx.argc();
    if (more && EqualsIgnoreCase(opt, "RANK")) {
      auto r = ParseSignedLong(ctx.arg(++j));
      if (!r.ok()) return ctx.Error(r.status());
      if (*r == 0) return ctx.Error(kErrRankZero);
      rank = *r;
    } else if (more && EqualsIgnoreCase(opt, "COUNT")) {
      if (!ParseInt64(ctx.arg(++j), &count) || count < 0)
        return ctx.Error("ERR COUNT can't be negative");
    } else if (more && EqualsIgnoreCase(opt, "MAXLEN")) {
      if (!ParseInt64(ctx.arg(++j), &maxlen) || maxlen < 0) {
        return ctx.Error("ERR MAXLEN can't be negative");
      }
    } else {
      return ctx.Error(kErrSyntax);
    }
  }
  const bool from_tail = rank < 0;
  if (from_tail) rank = -rank;
  auto found = FindList(ctx.db(), ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  if (*found == nullptr) return count != -1 ? ctx.reply().ArrayHeader(0) : ctx.reply().Null();

  const ListValue& list = (*found)->value().list();
  const std::string_view element = ctx.arg(2);
  const auto size = static_cast<int64_t>(list.size());
  std::vector<int64_t> matches;
  int64_t seen = 0, matched = 0;
  list.Visit(from_tail ? list.size() - 1 : 0, from_tail, [&](std::string_view v) {
    if (maxlen != 0 && seen >= maxlen) return false;
    const int64_t index = from_tail ? size - seen - 1 : seen;
    ++seen;
    if (v != element || ++matched < rank) return true;
    matches.push_back(index);
    return count == -1 ? false : count == 0 || matched - rank + 1 < count;
  });
  if (count != -1) {
    ctx.reply().ArrayHeader(matches.size());
    for (int64_t m : matches) ctx.reply().Integer(m);
  } else if (matches.empty()) {
    ctx.reply().Null();
  } else {
    ctx.reply().Integer(matches.front());
  }
}

// -------------------------------------------------------------------------------- LMOVE RPOPLPUSH

// Moves one element from the list at argv[1] (`src`, known to exist) to argv[2] and replies it. The
// destination must be a list or missing (created). Events: the destination's push, then the
// source's pop (and "del" if it emptied).
void MoveElement(CommandContext& ctx, storage::Entry* src, End from, End to) {
  storage::Db& db = ctx.db();
  const std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2);
  auto found_dst = FindList(db, dst_key, Access::kWrite);
  if (!found_dst.ok()) return ctx.Error(found_dst.status());
  storage::Entry* dst = *found_dst;
  if (dst == src) {
    ctx.reply().Bulk(db.ListRotate(src, from, to, Fill(ctx)));
    ctx.Notify(kNotifyList, PushEvent(to), dst_key);
    ctx.Notify(kNotifyList, PopEvent(from), src_key);
    return;
  }
  const std::vector<std::string> value = db.ListPop(src, from, 1, Fill(ctx));
  if (dst == nullptr) dst = db.Add(dst_key, storage::Value(ListValue()));
  const std::string_view moved = value.front();
  db.ListPush(dst, to, {&moved, 1}, Fill(ctx));
  ctx.Notify(kNotifyList, PushEvent(to), dst_key);
  ctx.reply().Bulk(value.front());
  ElementsPopped(ctx, src, src_key, from);
}

// LMOVE / RPOPLPUSH: a missing source answers a null bulk before the destination is checked.
void MoveGeneric(CommandContext& ctx, End from, End to) {
  auto src = FindList(ctx.db(), ctx.arg(1), Access::kWrite);
  if (!src.ok()) return ctx.Error(src.status());
  if (*src == nullptr) return ctx.reply().Null();
  MoveElement(ctx, *src, from, to);
}

void CmdLMove(CommandContext& ctx) {
  End from, to;
  if (!ParseEnd(ctx.arg(3), &from) || !ParseEnd(ctx.arg(4), &to)) return ctx.Error(kErrSyntax);
  MoveGeneric(ctx, from, to);
}

void CmdRPopLPush(CommandContext& ctx) { MoveGeneric(ctx, End::kTail, End::kHead); }

// ------------------------------------------------------------------------------------------ LMPOP

struct MPopArgs {
  std::span<const std::string_view> keys;
  End end = End::kHead;
  int64_t count = 1;
};

// numkeys key [key ...] LEFT|RIGHT [COUNT count], numkeys at argv[numkeys_at] (LMPOP 1, BLMPOP 2).
absl::StatusOr<MPopArgs> ParseMPop(const std::vector<std::string_view>& args, size_t numkeys_at) {
  int64_t numkeys;
  if (!ParseInt64(args[numkeys_at], &numkeys) || numkeys < 1) return ErrorStatus(kErrNumKeys);
  if (static_cast<uint64_t>(numkeys) >= args.size() - numkeys_at - 1)
    return ErrorStatus(kErrSyntax);
  const size_t where_at = numkeys_at + 1 + static_cast<size_t>(numkeys);
  MPopArgs out;
  out.keys =
      std::span<const std::string_view>(args).subspan(numkeys_at + 1, static_cast<size_t>(numkeys));
  if (!ParseEnd(args[where_at], &out.end)) return ErrorStatus(kErrSyntax);
  bool have_count = false;
  for (size_t j = where_at + 1; j < args.size(); ++j) {
    if (!have_count && j + 1 < args.size() && EqualsIgnoreCase(args[j], "COUNT")) {
      if (!ParseInt64(args[++j], &out.count) || out.count < 1)
        return ErrorStatus(kErrCountPositive);
      have_count = true;
    } else {
      return ErrorStatus(kErrSyntax);
    }
  }
  return out;
}

// The keys of LMPOP / BLMPOP for the dispatcher's locks: argv[numkeys_at + 1 ...], none when
// numkeys is not valid (the handler then answers the error).
std::vector<int> MPopKeys(const std::vector<std::string_view>& args, size_t numkeys_at) {
  std::vector<int> keys;
  int64_t numkeys;
  if (args.size() <= numkeys_at || !ParseInt64(args[numkeys_at], &numkeys) || numkeys < 1 ||
      static_cast<uint64_t>(numkeys) > args.size() - numkeys_at - 1) {
    return keys;
  }
  for (int64_t i = 0; i < numkeys; ++i) keys.push_back(static_cast<int>(numkeys_at + 1 + i));
  return keys;
}
std::vector<int> LMPopKeys(const std::vector<std::string_view>& args) { return MPopKeys(args, 1); }
std::vector<int> BLMPopKeys(const std::vector<std::string_view>& args) { return MPopKeys(args, 2); }

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: [key, [elements]] from the first non-empty
// list, or a null array.
void CmdLMPop(CommandContext& ctx) {
  auto parsed = ParseMPop(ctx.args(), 1);
  if (!parsed.ok()) return ctx.Error(parsed.status());
  if (!PopFromFirst(ctx, parsed->keys, parsed->end, parsed->count)) ctx.reply().NullArray();
}

// ------------------------------------------------------------------------------- blocking commands

// Blocks on `keys` unless the client may not block (inside EXEC), which answers `*-1` at once.
void BlockOrNullArray(CommandContext& ctx, std::span<const std::string_view> keys,
                      int64_t timeout) {
  if (!Blocking::MayBlock(ctx)) return ctx.reply().NullArray();
  ctx.server().blocking.Block(ctx, keys, storage::ValueType::kList, timeout);
}

// BLPOP / BRPOP key [key ...] timeout: [key, element] from the first key holding a list, else
// block.
void BlockingPopGeneric(CommandContext& ctx, End end) {
  auto timeout = Blocking::ParseTimeout(ctx, ctx.arg(ctx.argc() - 1));
  if (!timeout.ok()) return ctx.Error(timeout.status());
  const auto keys = std::span<const std::string_view>(ctx.args()).subspan(1, ctx.argc() - 2);
  for (std::string_view key : keys) {
    auto found = FindList(ctx.db(), key, Access::kWrite);
    if (!found.ok()) return ctx.Error(found.status());
    if (*found == nullptr) continue;
    const std::vector<std::string> popped = ctx.db().ListPop(*found, end, 1, Fill(ctx));
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(key);
    ctx.reply().Bulk(popped.front());
    return ElementsPopped(ctx, *found, key, end);
  }
  BlockOrNullArray(ctx, keys, *timeout);
}

void CmdBLPop(CommandContext& ctx) { BlockingPopGeneric(ctx, End::kHead); }
void CmdBRPop(CommandContext& ctx) { BlockingPopGeneric(ctx, End::kTail); }

// BLMOVE / BRPOPLPUSH: LMOVE when the source holds a list, else block on the source. Inside EXEC an
// empty source answers a null bulk (Redis's blmoveGenericCommand), a timeout a null array.
void BlockingMoveGeneric(CommandContext& ctx, End from, End to, int64_t timeout) {
  auto src = FindList(ctx.db(), ctx.arg(1), Access::kWrite);
  if (!src.ok()) return ctx.Error(src.status());
  if (*src != nullptr) return MoveElement(ctx, *src, from, to);
  if (!Blocking::MayBlock(ctx)) return ctx.reply().Null();
  ctx.server().blocking.Block(ctx, std::span<const std::string_view>(ctx.args()).subspan(1, 1),
                              storage::ValueType::kList, timeout);
}

void CmdBLMove(CommandContext& ctx) {
  End from, to;
  if (!ParseEnd(ctx.arg(3), &from) || !ParseEnd(ctx.arg(4), &to)) return ctx.Error(kErrSyntax);
  auto timeout = Blocking::ParseTimeout(ctx, ctx.arg(5));
  if (!timeout.ok()) return ctx.Error(timeout.status());
  BlockingMoveGeneric(ctx, from, to, *timeout);
}

void CmdBRPopLPush(CommandContext& ctx) {
  auto timeout = Blocking::ParseTimeout(ctx, ctx.arg(3));
  if (!timeout.ok()) return ctx.Error(timeout.status());
  BlockingMoveGeneric(ctx, End::kTail, End::kHead, *timeout);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: the numkeys, direction and count
// are checked before the timeout, as in Redis.
void CmdBLMPop(CommandContext& ctx) {
  auto parsed = ParseMPop(ctx.args(), 2);
  if (!parsed.ok()) return ctx.Error(parsed.status());
  auto timeout = Blocking::ParseTimeout(ctx, ctx.arg(1));
  if (!timeout.ok()) return ctx.Error(timeout.status());
  if (PopFromFirst(ctx, parsed->keys, parsed->end, parsed->count)) return;
  BlockOrNullArray(ctx, parsed->keys, *timeout);
}

}  // namespace

// Rows as Debian's redis-server 7 reports them in COMMAND INFO, with Redis 7.2's summaries.
// clang-format off
void RegisterListCommands(CommandTable& table) {
  auto row = [](std::string_view name, int arity, std::string_view flags, int first, int last,
                CommandHandler handler, std::string_view since, std::string_view key_flags,
                std::string_view summary) {
    return CommandRow{.name = name, .arity = arity, .flags = flags, .acl = "@list",
                      .first_key = first, .last_key = last, .step = 1, .handler = handler,
                      .group = "list", .since = since, .summary = summary, .key_flags = key_flags};
  };
  // LMPOP and BLMPOP find their keys from numkeys.
  auto mpop_row = [](std::string_view name, int arity, std::string_view flags, CommandHandler handler,
                     KeysFunction keys, std::string_view summary) {
    return CommandRow{.name = name, .arity = arity, .flags = flags, .acl = "@list", .handler = handler,
                      .group = "list", .since = "7.0.0", .summary = summary,
                      .key_flags = "RW ACCESS DELETE", .keys_function = keys};
  };
  table.Add(row("lpush", -3, "write denyoom fast", 1, 1, CmdLPush, "1.0.0", "RW INSERT",
                "Prepends one or more elements to a list. Creates the key if it doesn't exist."));
  table.Add(row("rpush", -3, "write denyoom fast", 1, 1, CmdRPush, "1.0.0", "RW INSERT",
                "Appends one or more elements to a list. Creates the key if it doesn't exist."));
  table.Add(row("lpushx", -3, "write denyoom fast", 1, 1, CmdLPushX, "2.2.0", "RW INSERT",
                "Prepends one or more elements to a list only when the list exists."));
  table.Add(row("rpushx", -3, "write denyoom fast", 1, 1, CmdRPushX, "2.2.0", "RW INSERT",
                "Appends an element to a list only when the list exists."));
  table.Add(row("lpop", -2, "write fast", 1, 1, CmdLPop, "1.0.0", "RW ACCESS DELETE",
                "Returns the first elements in a list after removing it. Deletes the list if the "
                "last element was popped."));
  table.Add(row("rpop", -2, "write fast", 1, 1, CmdRPop, "1.0.0", "RW ACCESS DELETE",
                "Returns and removes the last elements of a list. Deletes the list if the last "
                "element was popped."));
  table.Add(row("llen", 2, "readonly fast", 1, 1, CmdLLen, "1.0.0", "RO",
                "Returns the length of a list."));
  table.Add(row("lrange", 4, "readonly", 1, 1, CmdLRange, "1.0.0", "RO ACCESS",
                "Returns a range of elements from a list."));
  table.Add(row("lindex", 3, "readonly", 1, 1, CmdLIndex, "1.0.0", "RO ACCESS",
                "Returns an element from a list by its index."));
  table.Add(row("lset", 4, "write denyoom", 1, 1, CmdLSet, "1.0.0", "RW UPDATE",
                "Sets the value of an element in a list by its index."));
  table.Add(row("lrem", 4, "write", 1, 1, CmdLRem, "1.0.0", "RW DELETE",
                "Removes elements from a list. Deletes the list if the last element was removed."));
  table.Add(row("ltrim", 4, "write", 1, 1, CmdLTrim, "1.0.0", "RW DELETE",
                "Removes elements from both ends a list. Deletes the list if all elements were "
                "trimmed."));
  table.Add(row("linsert", 5, "write denyoom", 1, 1, CmdLInsert, "2.2.0", "RW INSERT",
                "Inserts an element before or after another element in a list."));
  table.Add(row("lpos", -3, "readonly", 1, 1, CmdLPos, "6.0.6", "RO ACCESS",
                "Returns the index of matching elements in a list."));
  table.Add(row("lmove", 5, "write denyoom", 1, 2, CmdLMove, "6.2.0", "RW ACCESS DELETE, RW INSERT",
                "Returns an element after popping it from one list and pushing it to another. "
                "Deletes the list if the last element was moved."));
  table.Add(row("rpoplpush", 3, "write denyoom", 1, 2, CmdRPopLPush, "1.2.0",
                "RW ACCESS DELETE, RW INSERT",
                "Returns the last element of a list after removing and pushing it to another list. "
                "Deletes the list if the last element was popped."));
  table.Add(mpop_row("lmpop", -4, "write", CmdLMPop, LMPopKeys,
                     "Returns multiple elements from a list after removing them. Deletes the list if "
                     "the last element was popped."));
  table.Add(row("blpop", -3, "write noscript blocking", 1, -2, CmdBLPop, "2.0.0", "RW ACCESS DELETE",
                "Removes and returns the first element in a list. Blocks until an element is "
                "available otherwise. Deletes the list if the last element was popped."));
  table.Add(row("brpop", -3, "write noscript blocking", 1, -2, CmdBRPop, "2.0.0", "RW ACCESS DELETE",
                "Removes and returns the last element in a list. Blocks until an element is "
                "available otherwise. Deletes the list if the last element was popped."));
  table.Add(row("blmove", 6, "write denyoom noscript blocking", 1, 2, CmdBLMove, "6.2.0",
                "RW ACCESS DELETE, RW INSERT",
                "Pops an element from a list, pushes it to another list and returns it. Blocks "
                "until an element is available otherwise. Deletes the list if the last element was "
                "moved."));
  table.Add(row("brpoplpush", 4, "write denyoom noscript blocking", 1, 2, CmdBRPopLPush, "2.2.0",
                "RW ACCESS DELETE, RW INSERT",
                "Pops an element from a list, pushes it to another list and returns it. Block until "
                "an element is available otherwise. Deletes the list if the last element was "
                "popped."));
  table.Add(mpop_row("blmpop", -5, "write blocking", CmdBLMPop, BLMPopKeys,
                     "Pops the first element from one of multiple lists. Blocks until an element is "
                     "available otherwise. Deletes the list if the last element was popped."));
}
// clang-format on

}  // namespace sessionkv::server

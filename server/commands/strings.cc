// SPDX-License-Identifier: Apache-2.0
// The string family: GET, SET SETNX SETEX PSETEX GETSET (one SET core), GETDEL GETEX, MGET MSET
// MSETNX, APPEND SETRANGE STRLEN, GETRANGE SUBSTR, INCR DECR INCRBY DECRBY (one core), INCRBYFLOAT
// and LCS.
//
// Behaviour and error texts follow Redis 7 (t_string.c), including its order of checks: options are
// parsed before the key is looked up, a SET's expire time is validated before NX/XX are tested, and
// GETEX looks the key up before it validates its expire time. Values are byte strings; numbers are
// parsed from and stored back as their decimal text, as Redis does.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/strings.h"
#include "protocol/reply_writer.h"
#include "server/arg_cursor.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/config.h"
#include "server/errors.h"

namespace sessionkv::server {
namespace {

constexpr std::string_view kErrOffsetOutOfRange = "ERR offset is out of range";
constexpr std::string_view kErrDecrementOverflow = "ERR decrement would overflow";
constexpr std::string_view kErrLcsNotStrings = "ERR The specified keys must contain string values";
constexpr std::string_view kErrLcsLenAndIdx =
    "ERR If you want both the length and indexes, please just use IDX.";
constexpr std::string_view kErrLcsTooLong = "ERR String too long for LCS";
constexpr std::string_view kErrLcsTableTooBig =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";

// Builds an InvalidArgument status whose message is a whole Redis error line.
absl::Status ErrorStatus(std::string_view line) { return absl::InvalidArgumentError(ToAbsl(line)); }

// ---------------------------------------------------------------------------------- shared lookups

// Whether a lookup counts as a read (keyspace hits/misses) or a write.
enum class Access : uint8_t { kRead, kWrite };

// The string entry for `key`: nullptr when the key is missing, WRONGTYPE for another type.
absl::StatusOr<storage::Entry*> FindString(storage::Db& db, std::string_view key, Access access) {
  storage::Entry* e = access == Access::kRead ? db.FindForRead(key) : db.FindForWrite(key);
  if (e != nullptr && !e->value().is_string()) return ErrorStatus(kErrWrongType);
  return e;
}

// Stores `bytes` as the value of `key` without touching its deadline: in `e` when the key exists,
// else as a new key. The result is a fresh value (INCR, INCRBYFLOAT), not an in-place edit; `form` says
// how Redis would have built it (INCR's integers are int-encoded, INCRBYFLOAT's text never is).
void StoreKeepingTtl(storage::Db& db, storage::Entry* e, std::string_view key, std::string_view bytes,
                     storage::StringForm form = storage::StringForm::kEncoded) {
  storage::Value value(storage::StringValue{std::string(bytes), form});
  if (e != nullptr) {
    db.Replace(e, std::move(value));
  } else {
    db.Add(key, std::move(value));
  }
}

// Whether a string of `size` + `extra` bytes stays within proto-max-bulk-len (Redis's
// checkStringLength, which APPEND and SETRANGE apply to their result).
bool WithinBulkLimit(CommandContext& ctx, uint64_t size, uint64_t extra) {
  const auto limit = static_cast<uint64_t>(ctx.server().config.proto_max_bulk_len());
  return size <= limit && extra <= limit - size;
}

// --------------------------------------------------------------------------- SET and GETEX options

// How a command sets (or keeps, or removes) the key's deadline.
enum class ExpireForm : uint8_t { kNone, kEx, kPx, kExAt, kPxAt, kKeepTtl, kPersist };
enum class SetCondition : uint8_t { kAlways, kIfMissing, kIfExists };
// Which options a command accepts: SET takes NX XX GET KEEPTTL, GETEX takes PERSIST; both take
// EX PX EXAT PXAT.
enum class OptionSet : uint8_t { kSet, kGetEx };

struct StringOptions {
  SetCondition condition = SetCondition::kAlways;
  bool get = false;
  ExpireForm expire = ExpireForm::kNone;
  std::string_view expire_arg;  // the number after EX/PX/EXAT/PXAT
};

// The timed form named by `word`, or kNone.
ExpireForm TimedForm(std::string_view word) {
  if (EqualsIgnoreCase(word, "EX")) return ExpireForm::kEx;
  if (EqualsIgnoreCase(word, "PX")) return ExpireForm::kPx;
  if (EqualsIgnoreCase(word, "EXAT")) return ExpireForm::kExAt;
  if (EqualsIgnoreCase(word, "PXAT")) return ExpireForm::kPxAt;
  return ExpireForm::kNone;
}

// Parses SET's or GETEX's options with Redis's rules: NX and XX exclude each other; the expire
// forms (EX PX EXAT PXAT KEEPTTL PERSIST) exclude each other but one may repeat (the last value
// wins); a timed form without its number, an unknown word or a conflict is "ERR syntax error". The
// numbers are validated later, because Redis reports a syntax error anywhere before a bad number.
absl::StatusOr<StringOptions> ParseStringOptions(ArgCursor cur, OptionSet accepted) {
  StringOptions o;
  const bool set = accepted == OptionSet::kSet;
  auto take_form = [&o](ExpireForm form) {
    if (o.expire != ExpireForm::kNone && o.expire != form) return false;
    o.expire = form;
    return true;
  };
  while (!cur.Done()) {
    const std::string_view opt = cur.Next();
    const ExpireForm timed = TimedForm(opt);
    if (set && EqualsIgnoreCase(opt, "NX") && o.condition != SetCondition::kIfExists) {
      o.condition = SetCondition::kIfMissing;
    } else if (set && EqualsIgnoreCase(opt, "XX") && o.condition != SetCondition::kIfMissing) {
      o.condition = SetCondition::kIfExists;
    } else if (set && EqualsIgnoreCase(opt, "GET")) {
      o.get = true;
    } else if (set && EqualsIgnoreCase(opt, "KEEPTTL") && take_form(ExpireForm::kKeepTtl)) {
      // recorded by take_form
    } else if (!set && EqualsIgnoreCase(opt, "PERSIST") && take_form(ExpireForm::kPersist)) {
      // recorded by take_form
    } else if (timed != ExpireForm::kNone && !cur.Done() && take_form(timed)) {
      o.expire_arg = cur.Next();
    } else {
      return ErrorStatus(kErrSyntax);
    }
  }
  return o;
}

bool IsTimed(ExpireForm form) {
  return form == ExpireForm::kEx || form == ExpireForm::kPx || form == ExpireForm::kExAt ||
         form == ExpireForm::kPxAt;
}
bool IsAbsolute(ExpireForm form) { return form == ExpireForm::kExAt || form == ExpireForm::kPxAt; }

// The absolute deadline (Unix ms) of a timed form's argument. Redis 7's rules: not a number is
// kErrNotInteger; a value <= 0, a seconds value that overflows in milliseconds, or a relative time
// that overflows when added to now is "ERR invalid expire time in '<command>' command".
absl::StatusOr<int64_t> DeadlineOf(ExpireForm form, std::string_view arg, int64_t now_ms,
                                   std::string_view command) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t value;
  if (!ParseInt64(arg, &value)) return ErrorStatus(kErrNotInteger);
  const bool seconds = form == ExpireForm::kEx || form == ExpireForm::kExAt;
  if (value <= 0 || (seconds && value > kMax / 1000)) {
    return ErrorStatus(InvalidExpireTimeError(command));
  }
  if (seconds) value *= 1000;
  if (!IsAbsolute(form)) {
    if (value > kMax - now_ms) return ErrorStatus(InvalidExpireTimeError(command));
    value += now_ms;
  }
  return value;
}

// --------------------------------------------------------------- GET SET SETNX SETEX PSETEX GETSET

// What a SET-like command answers when it writes (and, without GET, when a condition stops it):
// SET, SETEX and PSETEX answer +OK / null; SETNX answers 1 / 0.
enum class SetReply : uint8_t { kOkOrNull, kOneOrZero };

// The core of SET, SETNX, SETEX, PSETEX and GETSET: stores `value` at the key (argument 1) under
// `opts`. Order of checks as Redis's setGenericCommand: the expire time, then (with GET)
// the old value's type, then NX/XX. With GET the reply is the old value (or null) whatever happens
// next. Without KEEPTTL or a new expire time, the key's deadline is cleared.
void SetGeneric(CommandContext& ctx, std::string_view value, const StringOptions& opts,
                SetReply reply_kind) {
  storage::Db& db = ctx.db();
  const std::string_view key = ctx.arg(1);
  int64_t deadline_ms = 0;
  if (IsTimed(opts.expire)) {
    auto deadline = DeadlineOf(opts.expire, opts.expire_arg, db.NowMs(), ctx.spec().full_name);
    if (!deadline.ok()) return ctx.Error(deadline.status());
    deadline_ms = *deadline;
  }
  if (opts.get || opts.condition != SetCondition::kAlways) {
    auto old = FindString(db, key, opts.get ? Access::kRead : Access::kWrite);
    // Without GET the old value's type does not matter: SET NX/XX overwrite any type.
    const bool exists = old.ok() ? *old != nullptr : true;
    if (opts.get) {
      if (!old.ok()) return ctx.Error(old.status());
      if (exists) {
        ctx.reply().Bulk((*old)->value().string().bytes);
      } else {
        ctx.reply().Null();
      }
    }
    if ((opts.condition == SetCondition::kIfMissing && exists) ||
        (opts.condition == SetCondition::kIfExists && !exists)) {
      if (opts.get) return;
      return reply_kind == SetReply::kOneOrZero ? ctx.reply().Integer(0) : ctx.reply().Null();
    }
  }
  const bool keep_ttl = opts.expire == ExpireForm::kKeepTtl || deadline_ms != 0;
  storage::Entry* e = db.Overwrite(key, storage::Value::String(value), keep_ttl);
  ctx.Notify(kNotifyString, "set", key);
  if (deadline_ms != 0) {
    db.SetDeadline(e, deadline_ms);
    ctx.Notify(kNotifyGeneric, "expire", key);
  }
  if (opts.get) return;
  if (reply_kind == SetReply::kOneOrZero) return ctx.reply().Integer(1);
  ctx.reply().Ok();
}

// GET key: the value, or null.
void CmdGet(CommandContext& ctx) {
  auto e = FindString(ctx.db(), ctx.arg(1), Access::kRead);
  if (!e.ok()) return ctx.Error(e.status());
  if (*e == nullptr) return ctx.reply().Null();
  ctx.reply().Bulk((*e)->value().string().bytes);
}

// SET key value [NX | XX] [GET] [EX s | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL]
void CmdSet(CommandContext& ctx) {
  auto opts = ParseStringOptions(ctx.Cursor(3), OptionSet::kSet);
  if (!opts.ok()) return ctx.Error(opts.status());
  SetGeneric(ctx, ctx.arg(2), *opts, SetReply::kOkOrNull);
}

// SETNX key value: 1 if the key was set, 0 if it existed.
void CmdSetNx(CommandContext& ctx) {
  SetGeneric(ctx, ctx.arg(2), {.condition = SetCondition::kIfMissing}, SetReply::kOneOrZero);
}

// SETEX key seconds value | PSETEX key milliseconds value.
void SetWithTtl(CommandContext& ctx, ExpireForm form) {
  SetGeneric(ctx, ctx.arg(3), {.expire = form, .expire_arg = ctx.arg(2)}, SetReply::kOkOrNull);
}
void CmdSetEx(CommandContext& ctx) { SetWithTtl(ctx, ExpireForm::kEx); }
void CmdPSetEx(CommandContext& ctx) { SetWithTtl(ctx, ExpireForm::kPx); }

// GETSET key value: SET key value GET.
void CmdGetSet(CommandContext& ctx) {
  SetGeneric(ctx, ctx.arg(2), {.get = true}, SetReply::kOkOrNull);
}

// ------------------------------------------------------------------------------------ GETDEL GETEX

// GETDEL key: the value (or null); the key is deleted.
void CmdGetDel(CommandContext& ctx) {
  storage::Db& db = ctx.db();
  auto e = FindString(db, ctx.arg(1), Access::kRead);
  if (!e.ok()) return ctx.Error(e.status());
  if (*e == nullptr) return ctx.reply().Null();
  ctx.reply().Bulk((*e)->value().string().bytes);  // written before the entry is freed
  db.Erase(*e);
  ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
}

// GETEX key [EX s | PX ms | EXAT unix-s | PXAT unix-ms | PERSIST]: the value (or null), then the
// deadline changes. A missing key answers null even when the expire time is invalid (Redis looks
// the key up first). An absolute time already past deletes the key, as Redis does.
void CmdGetEx(CommandContext& ctx) {
  auto opts = ParseStringOptions(ctx.Cursor(2), OptionSet::kGetEx);
  if (!opts.ok()) return ctx.Error(opts.status());
  storage::Db& db = ctx.db();
  auto found = FindString(db, ctx.arg(1), Access::kRead);
  if (!found.ok()) return ctx.Error(found.status());
  storage::Entry* e = *found;
  if (e == nullptr) return ctx.reply().Null();
  int64_t deadline_ms = 0;
  if (IsTimed(opts->expire)) {
    auto deadline = DeadlineOf(opts->expire, opts->expire_arg, db.NowMs(), ctx.spec().full_name);
    if (!deadline.ok()) return ctx.Error(deadline.status());
    deadline_ms = *deadline;
  }
  ctx.reply().Bulk(e->value().string().bytes);
  const std::string_view key = ctx.arg(1);
  if (IsAbsolute(opts->expire) && deadline_ms <= db.NowMs()) {
    db.Erase(e);
    ctx.Notify(kNotifyGeneric, "del", key);
  } else if (deadline_ms != 0) {
    db.SetDeadline(e, deadline_ms);
    ctx.Notify(kNotifyGeneric, "expire", key);
  } else if (opts->expire == ExpireForm::kPersist && e->has_deadline()) {
    db.SetDeadline(e, 0);
    ctx.Notify(kNotifyGeneric, "persist", key);
  }
}

// -------------------------------------------------------------------------------- MGET MSET MSETNX

// MGET key [key ...]: one value or null per key; keys of other types answer null.
void CmdMGet(CommandContext& ctx) {
  storage::Db& db = ctx.db();
  ctx.reply().ArrayHeader(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    const storage::Entry* e = db.FindForRead(ctx.arg(i));
    if (e == nullptr || !e->value().is_string()) {
      ctx.reply().Null();
    } else {
      ctx.reply().Bulk(e->value().string().bytes);
    }
  }
}

// MSET key value [key value ...] and MSETNX (`only_if_none_exist`): sets every pair in order (a
// repeated key takes its last value) and clears their deadlines. MSETNX sets nothing and answers 0
// if any key exists; duplicates among the new keys do not count as existing.
void MSetGeneric(CommandContext& ctx, bool only_if_none_exist) {
  if ((ctx.argc() - 1) % 2 != 0) return ctx.Error(WrongArityError(ctx.spec().full_name));
  storage::Db& db = ctx.db();
  if (only_if_none_exist) {
    for (size_t i = 1; i < ctx.argc(); i += 2) {
      if (db.FindForWrite(ctx.arg(i)) != nullptr) return ctx.reply().Integer(0);
    }
  }
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    db.Overwrite(ctx.arg(i), storage::Value::String(ctx.arg(i + 1)));
    ctx.Notify(kNotifyString, "set", ctx.arg(i));
  }
  if (only_if_none_exist) return ctx.reply().Integer(1);
  ctx.reply().Ok();
}

void CmdMSet(CommandContext& ctx) { MSetGeneric(ctx, false); }
void CmdMSetNx(CommandContext& ctx) { MSetGeneric(ctx, true); }

// -------------------------------------------------------------------------- APPEND SETRANGE STRLEN

// APPEND key value: the new length. A missing key is created with `value` (even an empty one).
void CmdAppend(CommandContext& ctx) {
  storage::Db& db = ctx.db();
  const std::string_view key = ctx.arg(1), tail = ctx.arg(2);
  auto e = FindString(db, key, Access::kWrite);
  if (!e.ok()) return ctx.Error(e.status());
  if (*e == nullptr) {
    db.Add(key, storage::Value::String(tail));
    ctx.Notify(kNotifyString, "append", key);
    return ctx.reply().Integer(static_cast<int64_t>(tail.size()));
  }
  const storage::StringValue& s = (*e)->value().string();
  if (!WithinBulkLimit(ctx, s.bytes.size(), tail.size())) return ctx.Error(kErrStringTooLong);
  db.StringAppend(*e, tail);
  ctx.Notify(kNotifyString, "append", key);
  ctx.reply().Integer(static_cast<int64_t>(s.bytes.size()));
}

// SETRANGE key offset value: writes `value` at `offset`, zero-padding a shorter string; answers the
// new length. An empty value writes nothing: 0 for a missing key (which stays missing), else the
// current length. The result must stay within proto-max-bulk-len.
void CmdSetRange(CommandContext& ctx) {
  auto offset = ctx.Cursor(2).NextInt();
  if (!offset.ok()) return ctx.Error(offset.status());
  if (*offset < 0) return ctx.Error(kErrOffsetOutOfRange);
  storage::Db& db = ctx.db();
  const std::string_view key = ctx.arg(1), patch = ctx.arg(3);
  auto found = FindString(db, key, Access::kWrite);
  if (!found.ok()) return ctx.Error(found.status());
  storage::Entry* e = *found;
  if (patch.empty()) {
    return ctx.reply().Integer(e == nullptr ? 0
                                            : static_cast<int64_t>(e->value().string().bytes.size()));
  }
  const auto start = static_cast<uint64_t>(*offset);
  if (!WithinBulkLimit(ctx, start, patch.size())) return ctx.Error(kErrStringTooLong);
  if (e == nullptr) e = db.Add(key, storage::Value::String(""));
  db.StringSetRange(e, start, patch);
  ctx.Notify(kNotifyString, "setrange", key);
  ctx.reply().Integer(static_cast<int64_t>(e->value().string().bytes.size()));
}

// STRLEN key: the value's length in bytes, 0 for a missing key.
void CmdStrLen(CommandContext& ctx) {
  auto e = FindString(ctx.db(), ctx.arg(1), Access::kRead);
  if (!e.ok()) return ctx.Error(e.status());
  ctx.reply().Integer(*e == nullptr ? 0 : static_cast<int64_t>((*e)->value().string().bytes.size()));
}

// --------------------------------------------------------------------------------- GETRANGE SUBSTR

// The bytes of `s` from `start` to `end` inclusive, with Redis's GETRANGE rules: negative indexes
// count from the end and are clamped to 0 (so an out-of-range negative end still selects the first
// byte), an end past the string is clamped to its last byte, both negative with start > end is
// empty.
std::string_view Range(std::string_view s, int64_t start, int64_t end) {
  const auto len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) return {};
  if (start < 0) start = std::max<int64_t>(len + start, 0);
  if (end < 0) end = std::max<int64_t>(len + end, 0);
  if (end >= len) end = len - 1;
  if (len == 0 || start > end) return {};
  return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

// GETRANGE key start end (and its old name SUBSTR): a substring; empty for a missing key.
void CmdGetRange(CommandContext& ctx) {
  ArgCursor cur = ctx.Cursor(2);
  auto start = cur.NextInt();
  if (!start.ok()) return ctx.Error(start.status());
  auto end = cur.NextInt();
  if (!end.ok()) return ctx.Error(end.status());
  auto e = FindString(ctx.db(), ctx.arg(1), Access::kRead);
  if (!e.ok()) return ctx.Error(e.status());
  if (*e == nullptr) return ctx.reply().Bulk("");
  ctx.reply().Bulk(Range((*e)->value().string().bytes, *start, *end));
}

// ------------------------------------------------------------------------- INCR DECR INCRBY DECRBY

// The core of INCR, DECR, INCRBY and DECRBY: adds `delta` to the integer at the key (0 if missing)
// and answers the result. The value must be a canonical int64 ("01", " 1", "1.0" are not); a result
// outside int64 is refused. The key keeps its deadline.
void IncrementBy(CommandContext& ctx, int64_t delta) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  storage::Db& db = ctx.db();
  const std::string_view key = ctx.arg(1);
  auto e = FindString(db, key, Access::kWrite);
  if (!e.ok()) return ctx.Error(e.status());
  int64_t current = 0;
  if (*e != nullptr && !ParseInt64((*e)->value().string().bytes, &current)) {
    return ctx.Error(kErrNotInteger);
  }
  if ((delta < 0 && current < 0 && delta < kMin - current) ||
      (delta > 0 && current > 0 && delta > kMax - current)) {
    return ctx.Error(kErrIncrOverflow);
  }
  const int64_t result = current + delta;
  StoreKeepingTtl(db, *e, key, StrCat(result));
  ctx.Notify(kNotifyString, "incrby", key);
  ctx.reply().Integer(result);
}

void CmdIncr(CommandContext& ctx) { IncrementBy(ctx, 1); }
void CmdDecr(CommandContext& ctx) { IncrementBy(ctx, -1); }

void CmdIncrBy(CommandContext& ctx) {
  auto delta = ctx.Cursor(2).NextInt();
  if (!delta.ok()) return ctx.Error(delta.status());
  IncrementBy(ctx, *delta);
}

// DECRBY key decrement: INT64_MIN cannot be negated, so Redis refuses it before looking at the key.
void CmdDecrBy(CommandContext& ctx) {
  auto delta = ctx.Cursor(2).NextInt();
  if (!delta.ok()) return ctx.Error(delta.status());
  if (*delta == std::numeric_limits<int64_t>::min()) return ctx.Error(kErrDecrementOverflow);
  IncrementBy(ctx, -*delta);
}

// INCRBYFLOAT key increment: adds in long double, as Redis does (so 1e308 + 1e308 is finite), and
// stores and answers the result in Redis's human format (%.17Lf without trailing zeros). The type
// is checked before either number; a NaN or infinite result is refused. The key keeps its deadline.
void CmdIncrByFloat(CommandContext& ctx) {
  storage::Db& db = ctx.db();
  const std::string_view key = ctx.arg(1);
  auto e = FindString(db, key, Access::kWrite);
  if (!e.ok()) return ctx.Error(e.status());
  long double current = 0, delta = 0;
  if ((*e != nullptr && !ParseLongDouble((*e)->value().string().bytes, &current)) ||
      !ParseLongDouble(ctx.arg(2), &delta)) {
    return ctx.Error(kErrNotFloat);
  }
  const long double result = current + delta;
  if (std::isnan(result) || std::isinf(result)) return ctx.Error(kErrNanOrInfinity);
  const std::string text = protocol::FormatLongDouble(result);
  StoreKeepingTtl(db, *e, key, text, storage::StringForm::kCreated);
  ctx.Notify(kNotifyString, "incrbyfloat", key);
  ctx.reply().Bulk(text);
}

// --------------------------------------------------------------------------------------------- LCS

// One run of consecutive common bytes: a[a_start..a_end] == b[b_start..b_end].
struct LcsMatch {
  uint32_t a_start, a_end, b_start, b_end;
  uint32_t length() const { return a_end - a_start + 1; }
};

// The dynamic-programming table of LCS lengths: cell (i, j) holds the LCS length of a[0..i) and
// b[0..j), stored row by row with (b.size() + 1) cells per row.
class LcsTable {
 public:
  LcsTable(std::string_view a, std::string_view b)
      : a_(a), b_(b), width_(b.size() + 1), cells_((a.size() + 1) * width_, 0) {
    for (size_t i = 1; i <= a.size(); ++i) {
      for (size_t j = 1; j <= b.size(); ++j) {
        cells_[i * width_ + j] =
            a[i - 1] == b[j - 1] ? At(i - 1, j - 1) + 1 : std::max(At(i - 1, j), At(i, j - 1));
      }
    }
  }

  uint32_t At(size_t i, size_t j) const { return cells_[i * width_ + j]; }
  uint32_t Length() const { return At(a_.size(), b_.size()); }

  // Walks back from the end as Redis does (on a tie it moves along b), filling the common
  // subsequence into *text and the runs of at least `min_length` bytes (0 = all) into *matches,
  // last run first.
  void Backtrack(uint32_t min_length, std::string* text, std::vector<LcsMatch>* matches) const {
    text->assign(Length(), '\0');
    size_t i = a_.size(), j = b_.size(), k = text->size();
    bool open = false;
    LcsMatch run{};
    auto close = [&] {
      if (open && (min_length == 0 || run.length() >= min_length)) matches->push_back(run);
      open = false;
    };
    while (i > 0 && j > 0) {
      if (a_[i - 1] == b_[j - 1]) {
        (*text)[--k] = a_[i - 1];
        --i;
        --j;
        if (open) {
          run.a_start = static_cast<uint32_t>(i);
          run.b_start = static_cast<uint32_t>(j);
        } else {
          run = {static_cast<uint32_t>(i), static_cast<uint32_t>(i), static_cast<uint32_t>(j),
                 static_cast<uint32_t>(j)};
          open = true;
        }
        if (i == 0 || j == 0) close();
      } else {
        if (At(i - 1, j) > At(i, j - 1)) {
          --i;
        } else {
          --j;
        }
        close();
      }
    }
  }

 private:
  std::string_view a_, b_;
  size_t width_;
  std::vector<uint32_t> cells_;
};

struct LcsOptions {
  bool len = false, idx = false, with_match_len = false;
  int64_t min_match_len = 0;
};

// Parses LCS's options: LEN, IDX, WITHMATCHLEN, MINMATCHLEN n (a negative n counts as 0).
absl::StatusOr<LcsOptions> ParseLcsOptions(ArgCursor cur) {
  LcsOptions o;
  while (!cur.Done()) {
    if (cur.EatIf("IDX")) {
      o.idx = true;
    } else if (cur.EatIf("LEN")) {
      o.len = true;
    } else if (cur.EatIf("WITHMATCHLEN")) {
      o.with_match_len = true;
    } else if (cur.Remaining() >= 2 && cur.EatIf("MINMATCHLEN")) {
      auto n = cur.NextInt();
      if (!n.ok()) return n.status();
      o.min_match_len = std::max<int64_t>(*n, 0);
    } else {
      return ErrorStatus(kErrSyntax);
    }
  }
  if (o.len && o.idx) return ErrorStatus(kErrLcsLenAndIdx);
  return o;
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence of two
// strings (missing keys are empty), its length (LEN), or its runs and length as a map (IDX). Redis
// checks the keys' types before the options, and refuses a table larger than proto-max-bulk-len.
void CmdLcs(CommandContext& ctx) {
  storage::Db& db = ctx.db();
  const storage::Entry* ea = db.FindForRead(ctx.arg(1));
  const storage::Entry* eb = db.FindForRead(ctx.arg(2));
  if ((ea != nullptr && !ea->value().is_string()) || (eb != nullptr && !eb->value().is_string())) {
    return ctx.Error(kErrLcsNotStrings);
  }
  auto opts = ParseLcsOptions(ctx.Cursor(3));
  if (!opts.ok()) return ctx.Error(opts.status());
  const std::string_view a = ea != nullptr ? std::string_view(ea->value().string().bytes) : "";
  const std::string_view b = eb != nullptr ? std::string_view(eb->value().string().bytes) : "";
  constexpr uint64_t kMaxLen = std::numeric_limits<uint32_t>::max() - 1;
  if (a.size() >= kMaxLen || b.size() >= kMaxLen) return ctx.Error(kErrLcsTooLong);
  // (|a| + 1) * (|b| + 1) cells of 4 bytes must fit in proto-max-bulk-len; divided, not multiplied,
  // so that two long strings cannot overflow the product.
  const uint64_t max_cells =
      static_cast<uint64_t>(ctx.server().config.proto_max_bulk_len()) / sizeof(uint32_t);
  if (a.size() + 1 > max_cells / (b.size() + 1)) return ctx.Error(kErrLcsTableTooBig);

  const LcsTable table(a, b);
  if (opts->len) return ctx.reply().Integer(table.Length());
  std::string text;
  std::vector<LcsMatch> matches;
  table.Backtrack(static_cast<uint32_t>(std::min<int64_t>(opts->min_match_len, UINT32_MAX)), &text,
                  &matches);
  if (!opts->idx) return ctx.reply().Bulk(text);
  protocol::ReplyWriter& reply = ctx.reply();
  reply.MapHeader(2);
  reply.Bulk("matches");
  reply.ArrayHeader(matches.size());
  for (const LcsMatch& m : matches) {
    reply.ArrayHeader(opts->with_match_len ? 3 : 2);
    reply.ArrayHeader(2);
    reply.Integer(m.a_start);
    reply.Integer(m.a_end);
    reply.ArrayHeader(2);
    reply.Integer(m.b_start);
    reply.Integer(m.b_end);
    if (opts->with_match_len) reply.Integer(m.length());
  }
  reply.Bulk("len");
  reply.Integer(table.Length());
}

}  // namespace

void RegisterStringCommands(CommandTable& table) {
  // Rows copied from Redis 7.0's COMMAND INFO and COMMAND DOCS; only these fields differ.
  struct Row {
    std::string_view name;
    int arity;
    std::string_view flags;
    int last_key, step;
    CommandHandler handler;
    std::string_view since, summary, key_flags;
    std::string_view tips = {}, key_notes = {};
  };
  const Row rows[] = {
      {"get", 2, "readonly fast", 1, 1, CmdGet, "1.0.0", "Returns the string value of a key.",
       "RO ACCESS"},
      {"set", -3, "write denyoom", 1, 1, CmdSet, "1.0.0",
       "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
       "RW ACCESS UPDATE VARIABLE_FLAGS", "", "RW and ACCESS due to the optional `GET` argument"},
      {"setnx", 3, "write denyoom fast", 1, 1, CmdSetNx, "1.0.0",
       "Set the string value of a key only when the key doesn't exist.", "OW INSERT"},
      {"setex", 4, "write denyoom", 1, 1, CmdSetEx, "2.0.0",
       "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
       "OW UPDATE"},
      {"psetex", 4, "write denyoom", 1, 1, CmdPSetEx, "2.6.0",
       "Sets both string value and expiration time in milliseconds of a key. The key is created if "
       "it doesn't exist.",
       "OW UPDATE"},
      {"getset", 3, "write denyoom fast", 1, 1, CmdGetSet, "1.0.0",
       "Returns the previous string value of a key after setting it to a new value.",
       "RW ACCESS UPDATE"},
      {"getdel", 2, "write fast", 1, 1, CmdGetDel, "6.2.0",
       "Returns the string value of a key after deleting the key.", "RW ACCESS DELETE"},
      {"getex", -2, "write fast", 1, 1, CmdGetEx, "6.2.0",
       "Returns the string value of a key after setting its expiration time.", "RW ACCESS UPDATE", "",
       "RW and UPDATE because it changes the TTL"},
      {"mget", -2, "readonly fast", -1, 1, CmdMGet, "1.0.0",
       "Atomically returns the string values of one or more keys.", "RO ACCESS",
       "request_policy:multi_shard"},
      {"mset", -3, "write denyoom", -1, 2, CmdMSet, "1.0.1",
       "Atomically creates or modifies the string values of one or more keys.", "OW UPDATE",
       "request_policy:multi_shard response_policy:all_succeeded"},
      {"msetnx", -3, "write denyoom", -1, 2, CmdMSetNx, "1.0.1",
       "Atomically modifies the string values of one or more keys only when all keys don't exist.",
       "OW INSERT"},
      {"append", 3, "write denyoom fast", 1, 1, CmdAppend, "2.0.0",
       "Appends a string to the value of a key. Creates the key if it doesn't exist.", "RW INSERT"},
      {"strlen", 2, "readonly fast", 1, 1, CmdStrLen, "2.2.0",
       "Returns the length of a string value.", "RO"},
      {"incr", 2, "write denyoom fast", 1, 1, CmdIncr, "1.0.0",
       "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't "
       "exist.",
       "RW ACCESS UPDATE"},
      {"decr", 2, "write denyoom fast", 1, 1, CmdDecr, "1.0.0",
       "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't "
       "exist.",
       "RW ACCESS UPDATE"},
      {"incrby", 3, "write denyoom fast", 1, 1, CmdIncrBy, "1.0.0",
       "Increments the integer value of a key by a number. Uses 0 as initial value if the key "
       "doesn't exist.",
       "RW ACCESS UPDATE"},
      {"decrby", 3, "write denyoom fast", 1, 1, CmdDecrBy, "1.0.0",
       "Decrements a number from the integer value of a key. Uses 0 as initial value if the key "
       "doesn't exist.",
       "RW ACCESS UPDATE"},
      {"incrbyfloat", 3, "write denyoom fast", 1, 1, CmdIncrByFloat, "2.6.0",
       "Increment the floating point value of a key by a number. Uses 0 as initial value if the "
       "key doesn't exist.",
       "RW ACCESS UPDATE"},
      {"getrange", 4, "readonly", 1, 1, CmdGetRange, "2.4.0",
       "Returns a substring of the string stored at a key.", "RO ACCESS"},
      {"substr", 4, "readonly", 1, 1, CmdGetRange, "1.0.0",
       "Returns a substring from a string value.", "RO ACCESS"},
      {"setrange", 4, "write denyoom", 1, 1, CmdSetRange, "2.2.0",
       "Overwrites a part of a string value with another by an offset. Creates the key if it "
       "doesn't exist.",
       "RW UPDATE"},
      {"lcs", -3, "readonly", 2, 1, CmdLcs, "7.0.0", "Finds the longest common substring.",
       "RO ACCESS"},
  };
  for (const Row& r : rows) {
    table.Add({.name = r.name,
               .arity = r.arity,
               .flags = r.flags,
               .acl = "@string",
               .first_key = 1,
               .last_key = r.last_key,
               .step = r.step,
               .handler = r.handler,
               .group = "string",
               .since = r.since,
               .summary = r.summary,
               .tips = r.tips,
               .key_flags = r.key_flags,
               .key_notes = r.key_notes});
  }
}

}  // namespace sessionkv::server

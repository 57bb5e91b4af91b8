// SPDX-License-Identifier: Apache-2.0
// Expiry commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (one core), TTL PTTL EXPIRETIME PEXPIRETIME
// (one core), PERSIST.
//
// Deadlines are absolute Unix milliseconds in the keyspace; the expiry timer and lazy expiry on
// access remove keys once the clock passes them. A deadline that is already due when it is set
// deletes the key at once, as a plain delete (Redis propagates a DEL and fires a `del` event, not
// `expired`).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/strings.h"
#include "server/arg_cursor.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/config.h"
#include "server/errors.h"

namespace sessionkv::server {
namespace {

constexpr std::string_view kErrExpireNxCombo =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
constexpr std::string_view kErrExpireGtLt =
    "ERR GT and LT options at the same time are not compatible";

// --------------------------------------------------------------- EXPIRE PEXPIRE EXPIREAT PEXPIREAT

enum class TimeUnit : uint8_t { kSeconds, kMilliseconds };
enum class TimeBase : uint8_t { kRelative, kAbsolute };

// The NX / XX / GT / LT conditions of the EXPIRE family.
struct ExpireCondition {
  bool nx = false, xx = false, gt = false, lt = false;

  // Whether a key whose current deadline is `current_ms` (0 = none) may take the deadline
  // `when_ms`. A key without a deadline has an infinite TTL: GT never holds for it and LT always
  // does.
  bool Allows(int64_t current_ms, int64_t when_ms) const {
    const bool has_deadline = current_ms != 0;
    if (nx && has_deadline) return false;
    if (xx && !has_deadline) return false;
    if (gt && (!has_deadline || when_ms <= current_ms)) return false;
    if (lt && has_deadline && when_ms >= current_ms) return false;
    return true;
  }
};

// Parses the options after the time argument. Redis checks them before the number and the key, so
// `EXPIRE k abc NX XX` reports the option conflict.
absl::StatusOr<ExpireCondition> ParseExpireCondition(ArgCursor cur) {
  ExpireCondition c;
  while (!cur.Done()) {
    std::string_view opt = cur.Next();
    if (EqualsIgnoreCase(opt, "NX")) {
      c.nx = true;
    } else if (EqualsIgnoreCase(opt, "XX")) {
      c.xx = true;
    } else if (EqualsIgnoreCase(opt, "GT")) {
      c.gt = true;
    } else if (EqualsIgnoreCase(opt, "LT")) {
      c.lt = true;
    } else {
      return absl::InvalidArgumentError(StrCat("ERR Unsupported option ", opt));
    }
  }
  if (c.nx && (c.xx || c.gt || c.lt)) return absl::InvalidArgumentError(ToAbsl(kErrExpireNxCombo));
  if (c.gt && c.lt) return absl::InvalidArgumentError(ToAbsl(kErrExpireGtLt));
  return c;
}

// The absolute deadline in ms for `value` given in `unit` from `base_ms`; "invalid expire time"
// when the conversion or the addition overflows int64 (Redis checks both, so huge values never wrap
// into the past).
absl::StatusOr<int64_t> DeadlineFrom(int64_t value, TimeUnit unit, int64_t base_ms,
                                     std::string_view command) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (unit == TimeUnit::kSeconds) {
    if (value > kMax / 1000 || value < kMin / 1000) {
      return absl::InvalidArgumentError(InvalidExpireTimeError(command));
    }
    value *= 1000;
  }
  if (value > kMax - base_ms) return absl::InvalidArgumentError(InvalidExpireTimeError(command));
  return value + base_ms;
}

// EXPIRE key seconds | PEXPIRE key ms | EXPIREAT key unix-s | PEXPIREAT key unix-ms, each
// [NX|XX|GT|LT]. Replies 1 when the deadline was set (or the key deleted because it is already
// due), 0 when the key is missing or a condition failed.
void ExpireGeneric(CommandContext& ctx, TimeUnit unit, TimeBase base) {
  auto condition = ParseExpireCondition(ctx.Cursor(3));
  if (!condition.ok()) return ctx.Error(condition.status());
  auto value = ctx.Cursor(2).NextInt();
  if (!value.ok()) return ctx.Error(value.status());
  storage::Db& db = ctx.db();
  const int64_t now_ms = db.NowMs();
  auto when_ms =
      DeadlineFrom(*value, unit, base == TimeBase::kAbsolute ? 0 : now_ms, ctx.spec().name);
  if (!when_ms.ok()) return ctx.Error(when_ms.status());

  storage::Entry* e = db.FindForWrite(ctx.arg(1));
  if (e == nullptr || !condition->Allows(e->deadline_ms(), *when_ms)) return ctx.reply().Integer(0);
  if (*when_ms <= now_ms) {
    // Already due: a delete, not an expiry (no expired_keys count).
    db.Erase(e, storage::RemovalCause::kDeleted);
    ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
  } else {
    // The same deadline again: Redis still counts it and notifies, but there is nothing to record.
    if (e->deadline_ms() == *when_ms) ctx.DeclareNoMutation();
    db.SetDeadline(e, *when_ms);
    ctx.Notify(kNotifyGeneric, "expire", ctx.arg(1));
  }
  ctx.reply().Integer(1);
}

void CmdExpire(CommandContext& ctx) { ExpireGeneric(ctx, TimeUnit::kSeconds, TimeBase::kRelative); }
void CmdPExpire(CommandContext& ctx) {
  ExpireGeneric(ctx, TimeUnit::kMilliseconds, TimeBase::kRelative);
}
void CmdExpireAt(CommandContext& ctx) {
  ExpireGeneric(ctx, TimeUnit::kSeconds, TimeBase::kAbsolute);
}
void CmdPExpireAt(CommandContext& ctx) {
  ExpireGeneric(ctx, TimeUnit::kMilliseconds, TimeBase::kAbsolute);
}

// ----------------------------------------------------------------- TTL PTTL EXPIRETIME PEXPIRETIME

// TTL key | PTTL key | EXPIRETIME key | PEXPIRETIME key: -2 for a missing key, -1 for a key without
// a deadline, else the remaining (relative) or the deadline (absolute) time. Seconds are rounded to
// the nearest second, as Redis does ((ms + 500) / 1000, computed without overflow near INT64_MAX).
void TtlGeneric(CommandContext& ctx, TimeUnit unit, TimeBase base) {
  storage::Db db = ctx.db();
  db.set_touch(
      false);  // reading a TTL is not an access (OBJECT IDLETIME), but counts as a hit or miss
  const storage::Entry* e = db.FindForRead(ctx.arg(1));
  if (e == nullptr) return ctx.reply().Integer(-2);
  if (!e->has_deadline()) return ctx.reply().Integer(-1);
  int64_t ms = e->deadline_ms();
  if (base == TimeBase::kRelative) ms = std::max<int64_t>(ms - db.NowMs(), 0);
  if (unit == TimeUnit::kSeconds) ms = ms / 1000 + (ms % 1000 >= 500 ? 1 : 0);
  ctx.reply().Integer(ms);
}

void CmdTtl(CommandContext& ctx) { TtlGeneric(ctx, TimeUnit::kSeconds, TimeBase::kRelative); }
void CmdPTtl(CommandContext& ctx) { TtlGeneric(ctx, TimeUnit::kMilliseconds, TimeBase::kRelative); }
void CmdExpireTime(CommandContext& ctx) {
  TtlGeneric(ctx, TimeUnit::kSeconds, TimeBase::kAbsolute);
}
void CmdPExpireTime(CommandContext& ctx) {
  TtlGeneric(ctx, TimeUnit::kMilliseconds, TimeBase::kAbsolute);
}

// ----------------------------------------------------------------------------------------- PERSIST

// PERSIST key: 1 if a deadline was removed, 0 if the key is missing or has none.
void CmdPersist(CommandContext& ctx) {
  storage::Db& db = ctx.db();
  storage::Entry* e = db.FindForWrite(ctx.arg(1));
  if (e == nullptr || !e->has_deadline()) return ctx.reply().Integer(0);
  db.SetDeadline(e, 0);
  ctx.Notify(kNotifyGeneric, "persist", ctx.arg(1));
  ctx.reply().Integer(1);
}

}  // namespace

// clang-format off
void RegisterExpireCommands(CommandTable& table) {
  // One key at argv[1]; setters and readers differ only in arity, flags and key flags.
  auto row = [](std::string_view name, bool setter, CommandHandler handler, std::string_view since,
                std::string_view summary) {
    return CommandRow{.name = name, .arity = setter ? -3 : 2,
                      .flags = setter ? "write fast" : "readonly fast", .acl = "@keyspace",
                      .first_key = 1, .last_key = 1, .step = 1, .handler = handler,
                      .group = "generic", .since = since, .summary = summary,
                      .key_flags = setter ? "RW UPDATE" : "RO ACCESS"};
  };
  table.Add(row("expire", true, CmdExpire, "1.0.0", "Sets the expiration time of a key in seconds."));
  table.Add(row("pexpire", true, CmdPExpire, "2.6.0", "Sets the expiration time of a key in milliseconds."));
  table.Add(row("expireat", true, CmdExpireAt, "1.2.0",
                "Sets the expiration time of a key to a Unix timestamp."));
  table.Add(row("pexpireat", true, CmdPExpireAt, "2.6.0",
                "Sets the expiration time of a key to a Unix milliseconds timestamp."));
  table.Add(WithTips(row("ttl", false, CmdTtl, "1.0.0", "Returns the expiration time in seconds of a key."),
                     "nondeterministic_output"));
  table.Add(WithTips(row("pttl", false, CmdPTtl, "2.6.0",
                         "Returns the expiration time in milliseconds of a key."),
                     "nondeterministic_output"));
  table.Add(row("expiretime", false, CmdExpireTime, "7.0.0",
                "Returns the expiration time of a key as a Unix timestamp."));
  table.Add(row("pexpiretime", false, CmdPExpireTime, "7.0.0",
                "Returns the expiration time of a key as a Unix milliseconds timestamp."));
  // PERSIST takes no time argument.
  CommandRow persist =
      row("persist", true, CmdPersist, "2.2.0", "Removes the expiration time of a key.");
  persist.arity = 2;
  table.Add(persist);
}
// clang-format on

}  // namespace sessionkv::server

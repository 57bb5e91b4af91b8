// SPDX-License-Identifier: Apache-2.0
// What the sorted-set command files (zsets.cc, zset_ranges.cc, zset_algebra.cc) share: the key
// lookup, the encoding limits from the config, Redis's range syntax, the reply shapes of scored
// members, and the keys of numkeys commands.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/command_context.h"
#include "storage/zset_value.h"

namespace sessionkv::server::zset {

inline constexpr std::string_view kErrMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kErrLexRange = "ERR min or max not valid string range item";

absl::Status ErrorStatus(std::string_view line);

enum class Access : uint8_t { kRead, kWrite };

// The encoding thresholds from the server's config (CONFIG SET applies to the next write).
storage::ZSetLimits LimitsOf(CommandContext& ctx);

// The sorted-set entry for `key`: nullptr when the key is missing, WRONGTYPE for another type.
absl::StatusOr<storage::Entry*> FindZSet(storage::Db& db, std::string_view key, Access access);

// Deletes the entry of `key` if its set became empty (Redis never keeps an empty sorted set), with
// the "del" keyspace event Redis sends then. True if it did.
bool EraseIfEmpty(CommandContext& ctx, storage::Entry* e, std::string_view key);

// Stores `value` at `key` replacing whatever was there (TTL cleared), with `event`; an empty value
// deletes the key instead (a "del" event if it existed). Returns the stored size: the reply of
// ZRANGESTORE, ZUNIONSTORE, ZINTERSTORE and ZDIFFSTORE.
int64_t StoreResult(CommandContext& ctx, std::string_view key, storage::ZSetValue value,
                    std::string_view event);

// Redis's zslParseRange: "(" makes an end exclusive; the rest is read by strtod up to its first NUL
// byte ("inf", "-inf", exponents, hex; leading spaces and even "" pass); NaN fails.
bool ParseScoreRange(std::string_view min, std::string_view max, storage::ScoreRange* range);
// Redis's zslParseLexRange: "-", "+", "[member" or "(member" for each end.
bool ParseLexRange(std::string_view min, std::string_view max, storage::LexRange* range);

// A scored member to reply with.
struct Scored {
  std::string_view member;
  double score;
};
// Members, with their scores when `with_scores`: a flat array in RESP2, an array of [member,
// score] pairs in RESP3 (Redis's ZRANGE WITHSCORES shapes).
void ReplyScored(CommandContext& ctx, const std::vector<Scored>& items, bool with_scores);
// The same reply written piece by piece: the header for n members, then each member.
void ReplyScoredHeader(CommandContext& ctx, size_t n, bool with_scores);
void ReplyScoredItem(CommandContext& ctx, std::string_view member, double score, bool with_scores);

// The numkeys argument at argv[index] of ZUNION-style commands, when valid (an integer from 1 up
// to the number of arguments after it); nullopt otherwise (the handler then answers the error).
std::optional<size_t> ValidNumKeys(const std::vector<std::string_view>& args, size_t index);

}  // namespace sessionkv::server::zset

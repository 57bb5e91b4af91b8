// SPDX-License-Identifier: Apache-2.0
// Every Redis error text that clients depend on, in one place (style.md pattern 13). Each is the whole error
// line without the leading '-'.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sessionkv::server {

inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kErrOutOfRange = "ERR value is out of range";
inline constexpr std::string_view kErrNoSuchKey = "ERR no such key";
inline constexpr std::string_view kErrDbIndexOutOfRange = "ERR DB index is out of range";
// getIntFromObjectOrReply's text for arguments read as a C int (SELECT, MOVE and COPY db indexes).
inline constexpr std::string_view kErrIntRange =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
inline constexpr std::string_view kErrSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kErrInvalidCursor = "ERR invalid cursor";
// getPositiveLongFromObjectOrReply without a message (SPOP, LPOP, RPOP and ZPOPMIN counts).
inline constexpr std::string_view kErrMustBePositive = "ERR value is out of range, must be positive";
// getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): SRANDMEMBER, HRANDFIELD and ZRANDMEMBER counts,
// LREM count, LPOS RANK.
inline constexpr std::string_view kErrCountRange =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
// SRANDMEMBER / HRANDFIELD / ZRANDMEMBER with a negative count answer |count| elements, built in memory
// while the key's shard is locked. Redis tries any count up to LONG_MAX and runs out of memory; we refuse
// counts below -kMaxRandomRepeatCount with kErrOutOfRange (a reply of 16M elements is already >100 MB).
inline constexpr int64_t kMaxRandomRepeatCount = int64_t{1} << 24;
inline constexpr std::string_view kErrNumKeys = "ERR numkeys should be greater than 0";
inline constexpr std::string_view kErrLimitNegative = "ERR LIMIT can't be negative";
inline constexpr std::string_view kErrNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kErrWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kErrAuthNotConfigured =
    "ERR AUTH <password> called without any password configured for the default user. Are you sure "
    "your configuration is correct?";
inline constexpr std::string_view kErrNoProto = "NOPROTO unsupported protocol version";
inline constexpr std::string_view kErrIncrOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kErrNanOrInfinity = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kErrOom = "OOM command not allowed when used memory > 'maxmemory'.";
// Redis's shared.loadingerr: commands without the `loading` flag while the data is being loaded.
inline constexpr std::string_view kErrLoading = "LOADING Redis is loading the dataset in memory";
inline constexpr std::string_view kErrReadonlyReplica = "READONLY You can't write against a read only replica.";
// A primary with fewer good replicas than min-replicas-to-write (Redis's shared.noreplicaserr).
inline constexpr std::string_view kErrNoReplicas = "NOREPLICAS Not enough good replicas to write.";
inline constexpr std::string_view kErrStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

// "ERR wrong number of arguments for 'get' command" (name is the full lowercase name, e.g. "config|get").
std::string WrongArityError(std::string_view full_name);
// "ERR unknown command 'foo', with args beginning with: 'a' 'b' " as Redis 7 words it.
std::string UnknownCommandError(const std::vector<std::string_view>& args);
// "ERR unknown subcommand 'foo'. Try CONFIG HELP."
std::string UnknownSubcommandError(std::string_view command, std::string_view subcommand);
// "ERR unknown subcommand or wrong number of arguments for 'cat'. Try ACL HELP." (addReplySubcommandSyntaxError;
// `subcommand` as the client sent it).
std::string SubcommandSyntaxError(std::string_view command, std::string_view subcommand);
// "ERR invalid expire time in 'set' command"
std::string InvalidExpireTimeError(std::string_view command);
// Redis 7's refusal of writes after a failed AOF write: "MISCONF Errors writing to the AOF file: <strerror>".
std::string MisconfError(std::string_view reason);

}  // namespace sessionkv::server

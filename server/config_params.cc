// SPDX-License-Identifier: Apache-2.0
// The one table of configuration directives, and the value types its rows use. A directive is added
// here, as one row, and nowhere else: loading, CONFIG GET, CONFIG SET and CONFIG REWRITE are
// generic over the row's type (config.cc).
//
// Names, defaults, bounds and flags are Redis 7.2's (src/config.c static_configs[]), except where a
// row says otherwise. Aliases are Redis's too (min-slaves-to-write for min-replicas-to-write);
// slaveof and replicaof are two file-only rows because the config reads them as one
// (Config::replicaof).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <span>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "base/strings.h"
#include "server/arg_cursor.h"
#include "server/config.h"

namespace sessionkv::server {
namespace {

// ---------------------------------------------------------------------------------------------------------
// The table.
// ---------------------------------------------------------------------------------------------------------

constexpr int64_t kKb = 1024, kMb = 1024 * kKb, kGb = 1024 * kMb;

// Redis 7.2's words (7.2 added "nothing"; 7.0 refuses it), in its order: the index is the LogLevel.
constexpr std::string_view kLogLevelNames[] = {"debug", "verbose", "notice", "warning", "nothing"};

// Redis accepts any non-negative hz and caps it to 1..500 (CONFIG_MIN_HZ, CONFIG_MAX_HZ in
// updateHZ), so CONFIG GET hz after `CONFIG SET hz 1000` answers 500.
int64_t CapHz(int64_t hz) { return hz < 1 ? 1 : (hz > 500 ? 500 : hz); }

// sessionkv never forks into the background: systemd and container runtimes supervise a foreground
// process, and a daemonized server would escape them. `daemonize no` is accepted for compatibility.
std::string_view DaemonizeMustBeNo(int64_t value) {
  return value != 0
             ? "daemonize yes is not supported: sessionkv always runs in the foreground; let "
               "systemd or the container runtime supervise it"
             : "";
}

// Redis's maxmemory_policy_enum, in its order (its "argument(s) must be one of the following" text).
constexpr std::string_view kMaxmemoryPolicyNames[] = {
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    "allkeys-lru",  "allkeys-lfu",  "allkeys-random",  "noeviction"};

// Valkey 8.1's words and order (Redis 7.2 has neither directive); the index is the enum value.
constexpr std::string_view kLogFormatNames[] = {"legacy", "logfmt"};
constexpr std::string_view kLogTimestampFormatNames[] = {"legacy", "iso8601", "milliseconds"};

// Redis's tls_auth_clients_enum, in its order: the index is TlsAuthClients.
constexpr std::string_view kTlsAuthClientsNames[] = {"no", "yes", "optional"};

// Redis's acl_pubsub_default_enum: the index is read by Config::acl_pubsub_default_all().
constexpr std::string_view kAclPubsubDefaultNames[] = {"allchannels", "resetchannels"};

// Redis's protected_action_enum (enable-protected-configs, -debug-command, -module-command).
constexpr std::string_view kProtectedActionNames[] = {"no", "yes", "local"};
// appendfsync's words in Redis's order, which is also storage::FsyncPolicy's.
constexpr std::string_view kAppendfsyncNames[] = {"always", "everysec", "no"};
// RocksDB compression per level (storage::Compression's order); "no" as Redis spells a disabled option.
constexpr std::string_view kCompressionNames[] = {"no", "snappy", "lz4", "zstd"};
constexpr std::string_view kWalCompressionNames[] = {"no", "zstd"};
// repl-compression's words; the index is replication::Compression.
constexpr std::string_view kReplCompressionNames[] = {"none", "zstd"};

using enum ParamType;

// clang-format off
constexpr ParamSpec kParams[] = {
    {.id = Param::kPort, .name = "port", .type = kInteger, .default_value = "6379",
     .min = 0, .max = 65535},
    // Redis's compiled-in default is "* -::*" (every interface, guarded by protected-mode) and the
    // redis.conf it ships says "127.0.0.1 -::1"; sessionkv defaults to IPv4 loopback only.
    {.id = Param::kBind, .name = "bind", .type = kBind, .flags = kParamMultiArg,
     .default_value = "127.0.0.1"},
    {.id = Param::kDir, .name = "dir", .type = kDir, .flags = kParamProtected, .default_value = "."},
    {.id = Param::kDatabases, .name = "databases", .type = kInteger, .flags = kParamImmutable,
     .default_value = "16", .min = 1, .max = INT_MAX},
    {.id = Param::kIoThreads, .name = "io-threads", .type = kInteger, .flags = kParamImmutable,
     .default_value = "1", .min = 1, .max = 128},
    {.id = Param::kLogLevel, .name = "loglevel", .type = kEnum, .default_value = "notice",
     .enum_names = kLogLevelNames},
    {.id = Param::kLogFile, .name = "logfile", .type = kString, .flags = kParamImmutable,
     .default_value = ""},
    {.id = Param::kRequirePass, .name = "requirepass", .type = kString,
     .flags = kParamSensitive | kParamEmptyIsNull, .default_value = ""},
    {.id = Param::kNotifyKeyspaceEvents, .name = "notify-keyspace-events", .type = kNotifyEvents,
     .default_value = ""},
    {.id = Param::kHz, .name = "hz", .type = kInteger, .default_value = "10",
     .min = 0, .max = INT_MAX, .normalize = CapHz},
    {.id = Param::kProtoMaxBulkLen, .name = "proto-max-bulk-len", .type = kMemory,
     .default_value = "512mb", .min = kMb, .max = LONG_MAX},
    {.id = Param::kClientQueryBufferLimit, .name = "client-query-buffer-limit", .type = kMemory,
     .default_value = "1gb", .min = kMb, .max = LONG_MAX},
    {.id = Param::kMaxclients, .name = "maxclients", .type = kInteger, .default_value = "10000",
     .min = 1, .max = UINT_MAX},
    {.id = Param::kTimeout, .name = "timeout", .type = kInteger, .default_value = "0",
     .min = 0, .max = INT_MAX},
    {.id = Param::kTcpKeepalive, .name = "tcp-keepalive", .type = kInteger, .default_value = "300",
     .min = 0, .max = INT_MAX},
    {.id = Param::kTcpBacklog, .name = "tcp-backlog", .type = kInteger, .flags = kParamImmutable,
     .default_value = "511", .min = 0, .max = INT_MAX},
    {.id = Param::kSlowlogLogSlowerThan, .name = "slowlog-log-slower-than", .type = kInteger,
     .default_value = "10000", .min = -1, .max = LLONG_MAX},
    {.id = Param::kSlowlogMaxLen, .name = "slowlog-max-len", .type = kInteger,
     .default_value = "128", .min = 0, .max = LONG_MAX},
    {.id = Param::kLatencyMonitorThreshold, .name = "latency-monitor-threshold", .type = kInteger,
     .default_value = "0", .min = 0, .max = LLONG_MAX},
    {.id = Param::kProtectedMode, .name = "protected-mode", .type = kBool, .default_value = "yes"},
    {.id = Param::kPidfile, .name = "pidfile", .type = kString,
     .flags = kParamImmutable | kParamEmptyIsNull, .default_value = ""},
    {.id = Param::kDaemonize, .name = "daemonize", .type = kBool, .flags = kParamImmutable,
     .default_value = "no", .validate = DaemonizeMustBeNo},
    // Compact encodings (design.md "Memory"): small hashes, sets and sorted sets stay compact until
    // one of these is exceeded, then convert to a hash table (a skiplist for sorted sets), as
    // Redis's listpack/intset do.
    {.id = Param::kHashMaxListpackEntries, .name = "hash-max-listpack-entries", .type = kInteger,
     .default_value = "512", .min = 0, .max = LONG_MAX},
    {.id = Param::kHashMaxListpackValue, .name = "hash-max-listpack-value", .type = kInteger,
     .default_value = "64", .min = 0, .max = LONG_MAX},
    {.id = Param::kSetMaxIntsetEntries, .name = "set-max-intset-entries", .type = kInteger,
     .default_value = "512", .min = 0, .max = LONG_MAX},
    {.id = Param::kSetMaxListpackEntries, .name = "set-max-listpack-entries", .type = kInteger,
     .default_value = "128", .min = 0, .max = LONG_MAX},
    {.id = Param::kSetMaxListpackValue, .name = "set-max-listpack-value", .type = kInteger,
     .default_value = "64", .min = 0, .max = LONG_MAX},
    {.id = Param::kZsetMaxListpackEntries, .name = "zset-max-listpack-entries", .type = kInteger,
     .default_value = "128", .min = 0, .max = LONG_MAX},
    {.id = Param::kZsetMaxListpackValue, .name = "zset-max-listpack-value", .type = kInteger,
     .default_value = "64", .min = 0, .max = LONG_MAX},
    // Lists: negative -1..-5 cap each listpack block at 4..64 KB, positive N at N elements
    // (storage/list_value.h).
    {.id = Param::kListMaxListpackSize, .name = "list-max-listpack-size", .type = kInteger,
     .default_value = "-2", .min = INT_MIN, .max = INT_MAX},
    // Redis's bound is ULLONG_MAX; ours is the largest int64 (8 EiB, well beyond any machine).
    {.id = Param::kMaxmemory, .name = "maxmemory", .type = kMemory, .default_value = "0",
     .min = 0, .max = LLONG_MAX},
    // Eviction (server/eviction.h, storage/eviction.h).
    {.id = Param::kMaxmemoryPolicy, .name = "maxmemory-policy", .type = kEnum,
     .default_value = "noeviction", .enum_names = kMaxmemoryPolicyNames},
    {.id = Param::kMaxmemorySamples, .name = "maxmemory-samples", .type = kInteger,
     .default_value = "5", .min = 1, .max = INT_MAX},
    {.id = Param::kMaxmemoryEvictionTenacity, .name = "maxmemory-eviction-tenacity", .type = kInteger,
     .default_value = "10", .min = 0, .max = 100},
    {.id = Param::kLfuLogFactor, .name = "lfu-log-factor", .type = kInteger, .default_value = "10",
     .min = 0, .max = INT_MAX},
    {.id = Param::kLfuDecayTime, .name = "lfu-decay-time", .type = kInteger, .default_value = "1",
     .min = 0, .max = INT_MAX},
    // Per-command latency histograms for INFO latencystats.
    {.id = Param::kLatencyTracking, .name = "latency-tracking", .type = kBool,
     .default_value = "yes"},
    {.id = Param::kLatencyTrackingInfoPercentiles, .name = "latency-tracking-info-percentiles",
     .type = kPercentiles, .flags = kParamMultiArg, .default_value = "50 99 99.9"},
    // ACL (server/acl.h). aclfile is where ACL SAVE / LOAD write and read users; "user" lines of the
    // config file are the other way to declare them (not both, as in Redis).
    {.id = Param::kAclFile, .name = "aclfile", .type = kString,
     .flags = kParamImmutable | kParamEmptyIsNull, .default_value = ""},
    {.id = Param::kAclLogMaxLen, .name = "acllog-max-len", .type = kInteger, .default_value = "128",
     .min = 0, .max = LONG_MAX},
    {.id = Param::kAclPubsubDefault, .name = "acl-pubsub-default", .type = kEnum,
     .default_value = "resetchannels", .enum_names = kAclPubsubDefaultNames},
    // Redis's defaults: no limit for normal clients; 256mb hard, 64mb for 60 s for replicas; 32mb hard,
    // 8mb for 60 s for Pub/Sub subscribers.
    {.id = Param::kClientOutputBufferLimit, .name = "client-output-buffer-limit", .type = kOutputBufferLimit,
     .flags = kParamMultiArg, .default_value = "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60"},
    {.id = Param::kEnableProtectedConfigs, .name = "enable-protected-configs", .type = kEnum,
     .flags = kParamImmutable, .default_value = "no", .enum_names = kProtectedActionNames},
    // Persistence (docs/persistence.md). appendonly yes (the default, unlike Redis) keeps every write
    // in RocksDB under dir; no keeps nothing. Switching at run time would leave the disk behind the
    // memory, so it is fixed at start. appendfilename, appenddirname and dbfilename are accepted
    // for redis.conf compatibility; the data lives in dir/rocksdb whatever they say.
    {.id = Param::kAppendonly, .name = "appendonly", .type = kBool, .flags = kParamImmutable,
     .default_value = "yes"},
    {.id = Param::kAppendfsync, .name = "appendfsync", .type = kEnum, .default_value = "everysec",
     .enum_names = kAppendfsyncNames},
    {.id = Param::kAppendfilename, .name = "appendfilename", .type = kString, .flags = kParamImmutable,
     .default_value = "appendonly.aof"},
    {.id = Param::kAppenddirname, .name = "appenddirname", .type = kString, .flags = kParamImmutable,
     .default_value = "appendonlydir"},
    {.id = Param::kDbfilename, .name = "dbfilename", .type = kString, .flags = kParamProtected,
     .default_value = "dump.rdb"},
    // RocksDB tuning for a session store, read at start. Memory is authoritative, so the block cache
    // serves only compactions and start-up; lz4 keeps compactions cheap on every level: zstd at the
    // bottom packed a 1M-session load into 720 B/session instead of ~900, for a quarter more
    // compaction CPU (13.8 against 10.9 us per session), which a 2-core pod pays in throughput.
    {.id = Param::kRocksdbBlockCacheSize, .name = "rocksdb.block_cache_size", .type = kMemory,
     .flags = kParamImmutable, .default_value = "32mb", .min = kMb, .max = LLONG_MAX},
    {.id = Param::kRocksdbWriteBufferSize, .name = "rocksdb.write_buffer_size", .type = kMemory,
     .flags = kParamImmutable, .default_value = "64mb", .min = kMb, .max = 16 * kGb},
    {.id = Param::kRocksdbMaxWriteBufferNumber, .name = "rocksdb.max_write_buffer_number",
     .type = kInteger, .flags = kParamImmutable, .default_value = "4", .min = 2, .max = 64},
    {.id = Param::kRocksdbCompression, .name = "rocksdb.compression", .type = kEnum,
     .flags = kParamImmutable, .default_value = "lz4", .enum_names = kCompressionNames},
    {.id = Param::kRocksdbBottommostCompression, .name = "rocksdb.bottommost_compression",
     .type = kEnum, .flags = kParamImmutable, .default_value = "lz4",
     .enum_names = kCompressionNames},
    {.id = Param::kRocksdbMaxBackgroundJobs, .name = "rocksdb.max_background_jobs", .type = kInteger,
     .flags = kParamImmutable, .default_value = "2", .min = 1, .max = 64},
    {.id = Param::kRocksdbWalCompression, .name = "rocksdb.wal_compression", .type = kEnum,
     .flags = kParamImmutable, .default_value = "no", .enum_names = kWalCompressionNames},
    // sessionkv's metrics and health endpoint (/metrics, /healthz, /readyz). 9121 is
    // redis_exporter's port, so scrape configs and dashboards made for the exporter sidecar keep
    // working; 0 disables the endpoint. metrics-bind "" (the default) means bind's addresses.
    {.id = Param::kMetricsPort, .name = "metrics-port", .type = kInteger, .flags = kParamImmutable,
     .default_value = "9121", .min = 0, .max = 65535},
    {.id = Param::kMetricsBind, .name = "metrics-bind", .type = kBind,
     .flags = kParamMultiArg | kParamImmutable, .default_value = ""},
    // A replica answers /readyz with 503 while its lag exceeds this (issue 5).
    {.id = Param::kReadyzMaxReplicaLagMs, .name = "readyz-max-replica-lag-ms", .type = kInteger,
     .default_value = "10000", .min = 0, .max = LLONG_MAX},
    // Replication (docs/replication.md). replicaof/slaveof are read from the file or the command line;
    // REPLICAOF changes the role at run time (CONFIG GET shows the start-up value).
    {.id = Param::kReplicaof, .name = "replicaof", .type = kBind, .flags = kParamMultiArg | kParamImmutable,
     .default_value = ""},
    {.id = Param::kSlaveof, .name = "slaveof", .type = kBind, .flags = kParamMultiArg | kParamImmutable,
     .default_value = ""},
    {.id = Param::kMasterauth, .name = "masterauth", .type = kString,
     .flags = kParamSensitive | kParamEmptyIsNull, .default_value = ""},
    {.id = Param::kMasteruser, .name = "masteruser", .type = kString, .flags = kParamEmptyIsNull,
     .default_value = ""},
    // Redis's name; 30 s rather than its 60: a DR replica should notice a dead link well within an RTO.
    {.id = Param::kReplTimeout, .name = "repl-timeout", .type = kInteger, .default_value = "30", .min = 1,
     .max = INT_MAX},
    // How long the WAL stays for replicas to resume from (RocksDB's WAL_size_limit_MB / WAL_ttl_seconds).
    {.id = Param::kReplLogRetentionMb, .name = "repl-log-retention-mb", .type = kInteger,
     .flags = kParamImmutable, .default_value = "4096", .min = 0, .max = LLONG_MAX},
    {.id = Param::kReplLogRetentionSeconds, .name = "repl-log-retention-seconds", .type = kInteger,
     .flags = kParamImmutable, .default_value = "21600", .min = 0, .max = LLONG_MAX},
    // Not Redis: whether this replica asks its primary for a zstd-compressed stream (REPLCONF capa
    // zstd); a primary compresses only for replicas that asked. Read at each connection of the link.
    {.id = Param::kReplCompression, .name = "repl-compression", .type = kEnum, .default_value = "zstd",
     .enum_names = kReplCompressionNames},
    {.id = Param::kMinReplicasToWrite, .name = "min-replicas-to-write", .alias = "min-slaves-to-write",
     .type = kInteger, .default_value = "0", .min = 0, .max = INT_MAX},
    {.id = Param::kMinReplicasMaxLag, .name = "min-replicas-max-lag", .alias = "min-slaves-max-lag",
     .type = kInteger, .default_value = "10", .min = 0, .max = INT_MAX},
    {.id = Param::kLogFormat, .name = "log-format", .type = kEnum, .default_value = "legacy",
     .enum_names = kLogFormatNames},
    {.id = Param::kLogTimestampFormat, .name = "log-timestamp-format", .type = kEnum,
     .default_value = "legacy", .enum_names = kLogTimestampFormatNames},
    // Redis 7's name and default; here it bounds the wait for clients to finish their replies.
    {.id = Param::kShutdownTimeout, .name = "shutdown-timeout", .type = kInteger,
     .default_value = "10", .min = 0, .max = INT_MAX},
    // TLS for clients (server/tls.h), Redis 7.2's names, defaults and flags. A CONFIG SET of any of them
    // but tls-auth-clients and tls-handshake-timeout-ms rebuilds the TLS context while tls-port is set
    // (an error keeps the old one); the file paths are volatile, so setting the same path reloads it.
    {.id = Param::kTlsPort, .name = "tls-port", .type = kInteger, .default_value = "0",
     .min = 0, .max = 65535},
    {.id = Param::kTlsCertFile, .name = "tls-cert-file", .type = kString,
     .flags = kParamEmptyIsNull | kParamVolatile, .default_value = ""},
    {.id = Param::kTlsKeyFile, .name = "tls-key-file", .type = kString,
     .flags = kParamEmptyIsNull | kParamVolatile, .default_value = ""},
    {.id = Param::kTlsKeyFilePass, .name = "tls-key-file-pass", .type = kString,
     .flags = kParamEmptyIsNull | kParamSensitive, .default_value = ""},
    {.id = Param::kTlsCaCertFile, .name = "tls-ca-cert-file", .type = kString,
     .flags = kParamEmptyIsNull | kParamVolatile, .default_value = ""},
    {.id = Param::kTlsCaCertDir, .name = "tls-ca-cert-dir", .type = kString,
     .flags = kParamEmptyIsNull | kParamVolatile, .default_value = ""},
    {.id = Param::kTlsDhParamsFile, .name = "tls-dh-params-file", .type = kString,
     .flags = kParamEmptyIsNull | kParamVolatile, .default_value = ""},
    {.id = Param::kTlsAuthClients, .name = "tls-auth-clients", .type = kEnum, .default_value = "yes",
     .enum_names = kTlsAuthClientsNames},
    {.id = Param::kTlsProtocols, .name = "tls-protocols", .type = kString, .flags = kParamEmptyIsNull,
     .default_value = ""},
    {.id = Param::kTlsCiphers, .name = "tls-ciphers", .type = kString, .flags = kParamEmptyIsNull,
     .default_value = ""},
    {.id = Param::kTlsCiphersuites, .name = "tls-ciphersuites", .type = kString,
     .flags = kParamEmptyIsNull, .default_value = ""},
    {.id = Param::kTlsPreferServerCiphers, .name = "tls-prefer-server-ciphers", .type = kBool,
     .default_value = "no"},
    {.id = Param::kTlsSessionCaching, .name = "tls-session-caching", .type = kBool,
     .default_value = "yes"},
    {.id = Param::kTlsSessionCacheSize, .name = "tls-session-cache-size", .type = kInteger,
     .default_value = "20480", .min = 0, .max = INT_MAX},
    {.id = Param::kTlsSessionCacheTimeout, .name = "tls-session-cache-timeout", .type = kInteger,
     .default_value = "300", .min = 0, .max = INT_MAX},
    // Not Redis (which waits for a handshake as long as `timeout` allows): a client that stops halfway
    // through its TLS handshake is closed after this long; 0 waits forever.
    {.id = Param::kTlsHandshakeTimeoutMs, .name = "tls-handshake-timeout-ms", .type = kInteger,
     .default_value = "10000", .min = 0, .max = INT_MAX},
    // Redis 7's: the replica's link to its primary speaks TLS (to the primary's tls-port), with the
    // tls-* files above; read at each connection of the link.
    {.id = Param::kTlsReplication, .name = "tls-replication", .type = kBool, .default_value = "no"},
    // File and command-line directives, not CONFIG parameters; CONFIG REWRITE keeps their lines.
    {.id = Param::kInclude, .name = "include", .type = kInclude, .flags = kParamFileOnly,
     .default_value = "", .file_args = 1},
    {.id = Param::kRenameCommand, .name = "rename-command", .type = kRenameCommand,
     .flags = kParamFileOnly, .default_value = "", .file_args = 2},
    {.id = Param::kUser, .name = "user", .type = kUser, .flags = kParamFileOnly, .default_value = "",
     .file_args = -1},
};
// clang-format on

// Param values index the table; a row out of place would silently read another directive's value.
constexpr bool RowsInParamOrder() {
  if (std::size(kParams) != kParamCount) return false;
  for (size_t i = 0; i < std::size(kParams); ++i) {
    if (static_cast<size_t>(kParams[i].id) != i) return false;
  }
  return true;
}
static_assert(RowsInParamOrder(), "kParams rows must be in Param order, one per Param");

// ---------------------------------------------------------------------------------------------------------
// Numbers and notify flags as Redis spells them (util.c, notify.c).
// ---------------------------------------------------------------------------------------------------------

// string2ll: optional '-', then "0" or a digit string without leading zeros, within int64.
bool ParseLongLong(std::string_view s, int64_t* out) {
  const bool negative = !s.empty() && s[0] == '-';
  std::string_view digits = negative ? s.substr(1) : s;
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (digits.empty() || digits.size() > 19 ||
      !std::all_of(digits.begin(), digits.end(), is_digit)) {
    return false;
  }
  if (digits[0] == '0' && (digits.size() > 1 || negative)) return false;
  uint64_t v = 0;
  for (const char c : digits) v = v * 10 + static_cast<uint64_t>(c - '0');
  if (negative ? v > static_cast<uint64_t>(INT64_MAX) + 1 : v > static_cast<uint64_t>(INT64_MAX)) {
    return false;
  }
  *out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

enum class MemParse { kOk, kBad, kOverflow };

// memtoull: digits then an optional case-insensitive unit b, k, kb, m, mb, g, gb ("" and "kb" are
// 0, as in Redis). kOverflow stands for values Redis wraps around and then refuses with its bounds
// message.
MemParse ParseMemory(std::string_view s, int64_t* out) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  const std::string unit = AsciiStrToLower(s.substr(i));
  static const std::map<std::string, uint64_t> kUnits = {
      {"", 1},        {"b", 1},    {"k", 1000},       {"kb", 1024},
      {"m", 1000000}, {"mb", kMb}, {"g", 1000000000}, {"gb", kGb}};
  const auto it = kUnits.find(unit);
  if (it == kUnits.end()) return MemParse::kBad;
  uint64_t v = 0;
  for (const char c : s.substr(0, i)) {
    if (v > (UINT64_MAX - 9) / 10) return MemParse::kOverflow;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > static_cast<uint64_t>(INT64_MAX) / it->second) return MemParse::kOverflow;
  *out = static_cast<int64_t>(v * it->second);
  return MemParse::kOk;
}

// rewriteConfigFormatMemory: 512mb rather than 536870912 in a rewritten file.
std::string FormatMemory(int64_t bytes) {
  if (bytes != 0 && bytes % kGb == 0) return StrCat(bytes / kGb, "gb");
  if (bytes != 0 && bytes % kMb == 0) return StrCat(bytes / kMb, "mb");
  if (bytes != 0 && bytes % kKb == 0) return StrCat(bytes / kKb, "kb");
  return StrCat(bytes);
}

// client-output-buffer-limit's class names as CONFIG GET prints them.
constexpr std::array<std::string_view, 3> kOutputBufferClasses = {"normal", "slave", "pubsub"};

// setConfigClientOutputBufferLimitOption: groups of <class> <hard> <soft> <soft seconds>, each replacing
// one class of `limits` (9 decimal numbers; started from the defaults when empty). All or nothing.
bool ParseOutputBufferLimits(std::span<const std::string> args, std::vector<std::string>* limits,
                             std::string* err) {
  if (args.size() == 1 && args[0].empty()) args = {};
  if (args.size() % 4 != 0) {
    *err = "Wrong number of arguments in buffer limit configuration.";
    return false;
  }
  std::vector<std::string> out = *limits;
  if (out.size() != 9) out.assign(9, "0");
  for (size_t g = 0; g < args.size(); g += 4) {
    const std::string cls = AsciiStrToLower(args[g]);
    size_t c;
    if (cls == "normal") {
      c = 0;
    } else if (cls == "slave" || cls == "replica") {
      c = 1;
    } else if (cls == "pubsub") {
      c = 2;
    } else {
      *err = "Invalid client class specified in buffer limit configuration.";
      return false;
    }
    int64_t hard = 0, soft = 0, seconds = 0;
    if (ParseMemory(args[g + 1], &hard) != MemParse::kOk || ParseMemory(args[g + 2], &soft) != MemParse::kOk ||
        !absl::SimpleAtoi(args[g + 3], &seconds) || seconds < 0) {
      *err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      return false;
    }
    out[3 * c] = StrCat(hard);
    out[3 * c + 1] = StrCat(soft);
    out[3 * c + 2] = StrCat(seconds);
  }
  *limits = std::move(out);
  return true;
}

// Redis's notify-keyspace-events letters, in canonical order after 'A'.
constexpr std::pair<char, uint32_t> kNotifyLetters[] = {
    {'g', kNotifyGeneric},  {'$', kNotifyString}, {'l', kNotifyList},    {'s', kNotifySet},
    {'h', kNotifyHash},     {'z', kNotifyZset},   {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},   {'d', kNotifyModule}, {'n', kNotifyNew},     {'K', kNotifyKeyspace},
    {'E', kNotifyKeyevent}, {'m', kNotifyKeyMiss}};

constexpr size_t kMaxBindAddresses = 16;  // CONFIG_BINDADDR_MAX


}  // namespace

std::span<const ParamSpec> ParamTable() { return kParams; }

std::string FormatPercentile(double p) {
  std::string s = absl::StrFormat("%f", p);
  if (s.find('.') != std::string::npos) {  // trimDoubleString
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

const ParamSpec* FindParam(std::string_view name, bool include_file_only) {
  for (const ParamSpec& spec : ParamTable()) {
    const bool named = EqualsIgnoreCase(spec.name, name) ||
                       (!spec.alias.empty() && EqualsIgnoreCase(spec.alias, name));
    if (named && (include_file_only || !(spec.flags & kParamFileOnly))) return &spec;
  }
  return nullptr;
}

std::string_view ParamNameAs(const ParamSpec& spec, std::string_view typed) {
  return !spec.alias.empty() && EqualsIgnoreCase(spec.alias, typed) ? spec.alias : spec.name;
}

std::optional<uint32_t> ParseNotifyFlags(std::string_view classes) {
  uint32_t flags = 0;
  for (const char c : classes) {
    if (c == 'A') {
      flags |= kNotifyAll;
      continue;
    }
    const auto* it = std::find_if(std::begin(kNotifyLetters), std::end(kNotifyLetters),
                                  [c](const auto& letter) { return letter.first == c; });
    if (it == std::end(kNotifyLetters)) return std::nullopt;
    flags |= it->second;
  }
  return flags;
}

std::string NotifyFlagsToString(uint32_t flags) {
  std::string out;
  const bool all = (flags & kNotifyAll) == kNotifyAll;
  if (all) out.push_back('A');
  for (const auto& [letter, bit] : kNotifyLetters) {
    const bool in_all = (bit & kNotifyAll) != 0;
    if ((flags & bit) && !(all && in_all)) out.push_back(letter);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Value types: parse, print, rewrite.
// ---------------------------------------------------------------------------------------------------------

bool ParseParamValue(const ParamSpec& spec, std::span<const std::string> args,
                     std::string_view base_dir, ParamValue* out, std::string* err) {
  const std::string empty;
  const std::string& arg = args.empty() ? empty : args[0];
  switch (spec.type) {
    case ParamType::kInteger:
    case ParamType::kMemory: {
      bool in_range = true;
      if (spec.type == ParamType::kInteger) {
        if (!ParseLongLong(arg, &out->num)) {
          *err = "argument couldn't be parsed into an integer";
          return false;
        }
      } else {
        const MemParse parsed = ParseMemory(arg, &out->num);
        if (parsed == MemParse::kBad) {
          *err = "argument must be a memory value";
          return false;
        }
        in_range = parsed == MemParse::kOk;
      }
      if (!in_range || out->num < spec.min || out->num > spec.max) {
        *err = StrCat("argument must be between ", spec.min, " and ", spec.max, " inclusive");
        return false;
      }
      break;
    }
    case ParamType::kBool:
      if (!EqualsIgnoreCase(arg, "yes") && !EqualsIgnoreCase(arg, "no")) {
        *err = "argument must be 'yes' or 'no'";
        return false;
      }
      out->num = EqualsIgnoreCase(arg, "yes") ? 1 : 0;
      break;
    case ParamType::kEnum: {
      const auto it =
          std::find_if(spec.enum_names.begin(), spec.enum_names.end(),
                       [&](std::string_view name) { return EqualsIgnoreCase(name, arg); });
      if (args.size() != 1 || it == spec.enum_names.end()) {
        *err = "argument(s) must be one of the following: ";
        for (size_t i = 0; i < spec.enum_names.size(); ++i) {
          StrAppend(err, i == 0 ? "" : ", ", spec.enum_names[i]);
        }
        return false;
      }
      out->num = it - spec.enum_names.begin();
      break;
    }
    case ParamType::kString:
      out->str = arg;
      break;
    case ParamType::kDir: {
      // Redis chdir()s and reports the chdir error; we resolve and check instead, so `dir` never
      // depends on the process's working directory after start-up. Relative paths are relative to
      // `base_dir` (the current dir; the working directory when empty).
      char resolved[PATH_MAX];
      struct stat st;
      std::string path = arg;
      if (!path.empty() && path[0] != '/') {
        char cwd[PATH_MAX];
        const std::string base =
            !base_dir.empty() ? std::string(base_dir) : (::getcwd(cwd, sizeof(cwd)) ? cwd : "");
        path = StrCat(base, "/", path);
      }
      if (::realpath(path.c_str(), resolved) == nullptr || ::stat(resolved, &st) != 0) {
        *err = std::strerror(errno);
        return false;
      }
      if (!S_ISDIR(st.st_mode) || ::access(resolved, X_OK) != 0) {
        *err = std::strerror(S_ISDIR(st.st_mode) ? errno : ENOTDIR);
        return false;
      }
      out->str = resolved;
      break;
    }
    case ParamType::kBind:
      if (args.size() > kMaxBindAddresses) {
        *err = "Too many bind addresses specified.";
        return false;
      }
      if (!(args.size() == 1 && args[0].empty())) out->list.assign(args.begin(), args.end());
      break;
    case ParamType::kNotifyEvents: {
      const std::optional<uint32_t> flags = ParseNotifyFlags(arg);
      if (!flags) {
        *err = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
        return false;
      }
      out->num = *flags;
      break;
    }
    case ParamType::kPercentiles:
      // One empty argument (`latency-tracking-info-percentiles ""`) means none, as in Redis.
      if (args.size() == 1 && args[0].empty()) break;
      for (const std::string& a : args) {
        long double percentile = 0;
        if (!ParseLongDouble(a, &percentile)) {
          *err = StrCat("Invalid ", spec.name, " parameters");
          return false;
        }
        if (percentile > 100.0 || percentile < 0.0) {
          *err = StrCat(spec.name, " parameters should sit between [0.0,100.0]");
          return false;
        }
        out->list.push_back(FormatPercentile(static_cast<double>(percentile)));
      }
      break;
    case ParamType::kOutputBufferLimit:
      if (!ParseOutputBufferLimits(args, &out->list, err)) return false;
      break;
    case ParamType::kInclude:
    case ParamType::kRenameCommand:
    case ParamType::kUser:
      *err = "Bad directive or wrong number of arguments";
      return false;
  }
  if (spec.validate != nullptr) {
    const std::string_view reason = spec.validate(out->num);
    if (!reason.empty()) {
      *err = std::string(reason);
      return false;
    }
  }
  if (spec.normalize != nullptr) out->num = spec.normalize(out->num);
  return true;
}

// Redis's get functions: memory as plain bytes, booleans yes/no, bind space-separated.
std::string FormatParamValue(const ParamSpec& spec, const ParamValue& value) {
  switch (spec.type) {
    case ParamType::kInteger:
    case ParamType::kMemory:
      return StrCat(value.num);
    case ParamType::kBool:
      return value.num ? "yes" : "no";
    case ParamType::kEnum:
      return std::string(spec.enum_names[static_cast<size_t>(value.num)]);
    case ParamType::kOutputBufferLimit: {
      std::string out;
      for (size_t c = 0; c < kOutputBufferClasses.size() && value.list.size() == 9; ++c) {
        StrAppend(&out, c == 0 ? "" : " ", kOutputBufferClasses[c], " ", value.list[3 * c], " ",
                  value.list[3 * c + 1], " ", value.list[3 * c + 2]);
      }
      return out;
    }
    case ParamType::kBind:
    case ParamType::kPercentiles: {
      std::string out;
      for (const std::string& item : value.list) StrAppend(&out, out.empty() ? "" : " ", item);
      return out;
    }
    case ParamType::kNotifyEvents:
      return NotifyFlagsToString(static_cast<uint32_t>(value.num));
    case ParamType::kString:
    case ParamType::kDir:
    case ParamType::kInclude:
    case ParamType::kRenameCommand:
    case ParamType::kUser:
      break;
  }
  return value.str;
}

// Redis's rewrite functions (rewriteConfigNumericalOption, ...BytesOption, ...StringOption,
// ...BindOption, ...NotifyKeyspaceEventsOption, ...DirOption).
RewriteLine ParamRewriteLine(const ParamSpec& spec, const ParamValue& value,
                             const ParamValue& def) {
  const std::string name(spec.name);
  switch (spec.type) {
    case ParamType::kInteger:
    case ParamType::kBool:
    case ParamType::kEnum:
      return {StrCat(name, " ", FormatParamValue(spec, value)), value.num != def.num};
    case ParamType::kMemory:
      return {StrCat(name, " ", FormatMemory(value.num)), value.num != def.num};
    case ParamType::kString:
      if ((spec.flags & kParamEmptyIsNull) && value.str.empty()) return {};
      return {StrCat(name, " ", QuoteConfigArg(value.str)),
              (spec.flags & kParamEmptyIsNull) || value.str != def.str};
    case ParamType::kDir:
      return {StrCat(name, " ", QuoteConfigArg(value.str)), true};
    case ParamType::kBind: {
      if (value.list == def.list) return {};
      const std::string addresses = FormatParamValue(spec, value);
      return {StrCat(name, " ", addresses.empty() ? "\"\"" : addresses), true};
    }
    case ParamType::kNotifyEvents:
      return {StrCat(name, " ", QuoteConfigArg(FormatParamValue(spec, value))), value.num != 0};
    case ParamType::kOutputBufferLimit: {
      // One line for all classes (Redis writes one per class that differs); it loads the same way.
      if (value.list == def.list || value.list.size() != 9) return {};
      std::string line = name;
      for (size_t c = 0; c < kOutputBufferClasses.size(); ++c) {
        int64_t hard = 0, soft = 0;
        (void)absl::SimpleAtoi(value.list[3 * c], &hard);
        (void)absl::SimpleAtoi(value.list[3 * c + 1], &soft);
        StrAppend(&line, " ", kOutputBufferClasses[c], " ", FormatMemory(hard), " ", FormatMemory(soft), " ",
                  value.list[3 * c + 2]);
      }
      return {line, true};
    }
    case ParamType::kPercentiles: {
      // Redis writes this line on every rewrite, default or not.
      const std::string items = FormatParamValue(spec, value);
      return {StrCat(name, " ", items.empty() ? "\"\"" : items), true};
    }
    case ParamType::kInclude:
    case ParamType::kRenameCommand:
    case ParamType::kUser:
      break;
  }
  return {};
}

}  // namespace sessionkv::server

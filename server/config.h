// SPDX-License-Identifier: Apache-2.0
// The server configuration: redis.conf files, redis-server style command lines, CONFIG GET / SET /
// REWRITE.
//
// Every directive is one row of the declarative table in config_params.cc (name, type, default,
// flags, bounds). Loading, CONFIG GET, CONFIG SET and CONFIG REWRITE are generic over the row's
// type; nothing switches on a directive's name. Behaviour and error texts follow Redis 7.2
// (src/config.c, src/server.c).
//
// Threads: the typed accessors may be called from any thread while another runs CONFIG SET. Numbers
// live in atomics (hot paths read them without a lock); strings and lists are copied out under a
// mutex.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "server/log.h"

namespace sessionkv::server {

// notify-keyspace-events classes. The bit values are Redis's NOTIFY_* (server.h), so a mask can be
// compared with Redis's own documentation and tests.
enum NotifyFlag : uint32_t {
  kNotifyKeyspace = 1u << 0,  // K: __keyspace@<db>__ channels
  kNotifyKeyevent = 1u << 1,  // E: __keyevent@<db>__ channels
  kNotifyGeneric = 1u << 2,   // g: DEL, EXPIRE, RENAME, ...
  kNotifyString = 1u << 3,    // $
  kNotifyList = 1u << 4,      // l
  kNotifySet = 1u << 5,       // s
  kNotifyHash = 1u << 6,      // h
  kNotifyZset = 1u << 7,      // z
  kNotifyExpired = 1u << 8,   // x
  kNotifyEvicted = 1u << 9,   // e
  kNotifyStream = 1u << 10,   // t
  kNotifyKeyMiss = 1u << 11,  // m (not part of A)
  kNotifyModule = 1u << 13,   // d
  kNotifyNew = 1u << 14,      // n (not part of A)
  // A: "g$lshzxetd" as in Redis 7.
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// Parses notify-keyspace-events class letters into a mask; nullopt on a letter Redis does not know.
std::optional<uint32_t> ParseNotifyFlags(std::string_view classes);
// The canonical spelling Redis prints for a mask (CONFIG GET, CONFIG REWRITE): "A" or "g$lshzxetdn"
// letters, then K, E, m.
std::string NotifyFlagsToString(uint32_t flags);

// A percentile as Redis prints it (CONFIG GET latency-tracking-info-percentiles, INFO latencystats):
// "%f" without trailing zeros, "50", "99.9".
std::string FormatPercentile(double percentile);

// ---------------------------------------------------------------------------------------------------------
// The parameter table (rows are defined in config_params.cc).
// ---------------------------------------------------------------------------------------------------------

// Every directive we know. The value is the row's index in ParamTable() (checked at compile time).
enum class Param : uint8_t {
  kPort,
  kBind,
  kDir,
  kDatabases,
  kIoThreads,
  kLogLevel,
  kLogFile,
  kRequirePass,
  kNotifyKeyspaceEvents,
  kHz,
  kProtoMaxBulkLen,
  kClientQueryBufferLimit,
  kMaxclients,
  kTimeout,
  kTcpKeepalive,
  kTcpBacklog,
  kSlowlogLogSlowerThan,
  kSlowlogMaxLen,
  kLatencyMonitorThreshold,
  kProtectedMode,
  kPidfile,
  kDaemonize,
  kHashMaxListpackEntries,
  kHashMaxListpackValue,
  kSetMaxIntsetEntries,
  kSetMaxListpackEntries,
  kSetMaxListpackValue,
  kZsetMaxListpackEntries,
  kZsetMaxListpackValue,
  kListMaxListpackSize,
  kMaxmemory,
  kMaxmemoryPolicy,
  kMaxmemorySamples,
  kMaxmemoryEvictionTenacity,
  kLfuLogFactor,
  kLfuDecayTime,
  kLatencyTracking,
  kLatencyTrackingInfoPercentiles,
  kAclFile,
  kAclLogMaxLen,
  kAclPubsubDefault,
  kClientOutputBufferLimit,
  kEnableProtectedConfigs,
  kAppendonly,
  kAppendfsync,
  kAppendfilename,
  kAppenddirname,
  kDbfilename,
  kRocksdbBlockCacheSize,
  kRocksdbWriteBufferSize,
  kRocksdbMaxWriteBufferNumber,
  kRocksdbCompression,
  kRocksdbBottommostCompression,
  kRocksdbMaxBackgroundJobs,
  kRocksdbWalCompression,
  kMetricsPort,
  kMetricsBind,
  kReadyzMaxReplicaLagMs,
  kReplicaof,
  kSlaveof,
  kMasterauth,
  kMasteruser,
  kReplTimeout,
  kReplLogRetentionMb,
  kReplLogRetentionSeconds,
  kReplCompression,
  kMinReplicasToWrite,
  kMinReplicasMaxLag,
  kLogFormat,
  kLogTimestampFormat,
  kShutdownTimeout,
  kTlsPort,
  kTlsCertFile,
  kTlsKeyFile,
  kTlsKeyFilePass,
  kTlsCaCertFile,
  kTlsCaCertDir,
  kTlsDhParamsFile,
  kTlsAuthClients,
  kTlsProtocols,
  kTlsCiphers,
  kTlsCiphersuites,
  kTlsPreferServerCiphers,
  kTlsSessionCaching,
  kTlsSessionCacheSize,
  kTlsSessionCacheTimeout,
  kTlsHandshakeTimeoutMs,
  kTlsReplication,
  kInclude,
  kRenameCommand,
  kUser,
  kCount,
};
inline constexpr size_t kParamCount = static_cast<size_t>(Param::kCount);

// How a row's arguments are parsed, printed by CONFIG GET and written by CONFIG REWRITE.
enum class ParamType : uint8_t {
  kInteger,  // string2ll digits within [min, max]
  kMemory,   // 1k=1000, 1kb=1024, m/mb, g/gb; printed as bytes, rewritten as 512mb
  kBool,     // yes / no
  kEnum,     // one of enum_names; the value is the word's index
  kString,   // any string
  kDir,      // an existing directory, stored as an absolute path (relative to the previous dir)
  kBind,     // up to 16 addresses
  kNotifyEvents,   // notify-keyspace-events class letters, stored as a NotifyFlag mask
  kPercentiles,    // numbers within [0, 100] (latency-tracking-info-percentiles), printed as Redis's %f
  kInclude,        // include <file or glob>: reads another file in place
  kRenameCommand,  // rename-command <name> <new name or "">: accumulates
  kUser,           // user <name> [rule ...]: accumulates (ACL users declared in the config file)
  // client-output-buffer-limit <class> <hard> <soft> <soft seconds> ...: each group sets one class and
  // keeps the others; stored as 9 numbers, normal, replica, pubsub.
  kOutputBufferLimit,
};

// The client classes of client-output-buffer-limit, in Redis's order (normal, slave, pubsub).
enum class ClientClass : uint8_t { kNormal = 0, kReplica = 1, kPubSub = 2 };
struct OutputBufferLimit {
  int64_t hard_bytes = 0;  // 0: none
  int64_t soft_bytes = 0;  // 0: none
  int64_t soft_seconds = 0;
};

enum ParamFlag : uint32_t {
  kParamImmutable = 1u << 0,  // CONFIG SET refuses it: "can't set immutable config"
  // CONFIG SET refuses it: "can't set protected config", unless enable-protected-configs allows it.
  kParamProtected = 1u << 1,
  kParamSensitive = 1u << 2,    // its CONFIG SET value must not reach SLOWLOG or MONITOR
  kParamMultiArg = 1u << 3,     // takes any number of arguments (bind)
  kParamEmptyIsNull = 1u << 4,  // "" means unset: CONFIG REWRITE removes its lines
  kParamFileOnly = 1u << 5,     // a file / command-line directive, not a CONFIG GET/SET parameter
  // Names a file whose content may change (Redis's VOLATILE_CONFIG): CONFIG SET runs the OnApply
  // callbacks even when the value is unchanged, so setting a TLS certificate path again reloads it.
  kParamVolatile = 1u << 6,
};

struct ParamSpec {
  Param id;
  std::string_view name;
  // Redis's second name for the same setting (min-slaves-to-write for min-replicas-to-write): found by
  // FindParam, listed by CONFIG GET patterns under its own name, never written by CONFIG REWRITE.
  std::string_view alias = {};
  ParamType type;
  uint32_t flags = 0;
  // The default as written in redis.conf; parsed by the type's parser when a Config is built.
  std::string_view default_value;
  int64_t min = 0;  // kInteger / kMemory bounds, inclusive
  int64_t max = 0;
  std::span<const std::string_view> enum_names = {};  // kEnum: accepted words, in Redis's order
  int file_args = 0;  // kParamFileOnly rows: the exact number of arguments (-N: at least N)
  // Optional check after parsing (Redis's is_valid_fn): returns the error reason, or "" when valid.
  std::string_view (*validate)(int64_t value) = nullptr;
  // Optional adjustment of an accepted value (Redis's updateHZ caps hz to 1..500).
  int64_t (*normalize)(int64_t value) = nullptr;
};

// All rows, indexed by Param.
std::span<const ParamSpec> ParamTable();
// The row named `name` or its alias (case-insensitive); file-only rows only when `include_file_only`.
const ParamSpec* FindParam(std::string_view name, bool include_file_only);
// The row's name as `typed` spells it: its alias when `typed` is the alias, else its name.
std::string_view ParamNameAs(const ParamSpec& spec, std::string_view typed);

// A parsed value of any type: `num` for numbers, booleans, enums and notify flags; `str` for
// strings and dir; `list` for bind and percentiles (each as CONFIG GET prints it).
struct ParamValue {
  int64_t num = 0;
  std::string str;
  std::vector<std::string> list;
  bool operator==(const ParamValue&) const = default;
};

// The value types (config_params.cc). Parses a directive's arguments; on failure `err` is Redis's
// reason ("argument couldn't be parsed into an integer", ...). `base_dir` resolves a relative dir.
bool ParseParamValue(const ParamSpec& spec, std::span<const std::string> args,
                     std::string_view base_dir, ParamValue* out, std::string* err);
// The value as CONFIG GET prints it: memory as plain bytes, booleans yes/no, bind space-separated.
std::string FormatParamValue(const ParamSpec& spec, const ParamValue& value);
// The line CONFIG REWRITE writes for a value. `force` (a non-default value) means the line is
// appended when the file has none; no line means the directive is unset and its old lines are
// removed.
struct RewriteLine {
  std::optional<std::string> line;
  bool force = false;
};
RewriteLine ParamRewriteLine(const ParamSpec& spec, const ParamValue& value, const ParamValue& def);

// redis.conf quoting. Splits a line like Redis's sdssplitargs: blanks separate; "double quotes"
// take \xHH and \n \r \t \b \a escapes (any other escaped character stands for itself);
// 'single quotes' take only \'. A closing quote must be followed by a blank or the end. nullopt
// means unbalanced quotes.
std::optional<std::vector<std::string>> SplitConfigArgs(std::string_view line);
// sdscatrepr: a double-quoted string that SplitConfigArgs reads back as `s`.
std::string QuoteConfigArg(std::string_view s);

// ---------------------------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------------------------

class Config {
 public:
  Config();
  Config(const Config&) = delete;
  Config& operator=(const Config&) = delete;

  // `redis-server -v/--version` and `-h/--help` (only as the first argument, like Redis): the text
  // to print on stdout before exiting, or nullopt to start normally. (Redis prints the help on
  // stderr and exits 1.)
  static std::optional<std::string> EarlyExitText(const std::vector<std::string>& args);

  // Loads the configuration from argv without the program name: `[config-file] [--directive value
  // ...] [-]`. As Redis 7.2: the first argument is the file unless it starts with '-'; `--name v1
  // v2` runs until the next `--name`; the arguments are appended after the file (and stdin) so they
  // win; `-` as the first or last argument appends stdin. On error the status message is exactly
  // what Redis prints on stderr before exiting with 1 (the "*** FATAL CONFIG FILE ERROR ..." block,
  // without the final newline), except for a file that cannot be opened, which Redis logs as "Fatal
  // error, can't open config file '<f>': <reason>". Call once, on a fresh Config, before other
  // threads use it; a failed load leaves it partly loaded.
  absl::Status LoadFromArgs(const std::vector<std::string>& args);
  // Same, reading `-` from `stdin_stream` (tests).
  absl::Status LoadFromArgs(const std::vector<std::string>& args, std::istream& stdin_stream);

  // Optional, before LoadFromArgs: the server's command names, so that rename-command reports
  // Redis's "No such command in rename-command" and "Target command name already exists" with the
  // line. Without it rename-command is not checked here.
  void SetCommandNames(std::vector<std::string> names);

  // CONFIG GET <pattern>: (name, value) pairs, Redis glob matching without case. A name without
  // glob characters is looked up exactly and reported as the caller spelled it, as Redis does.
  std::vector<std::pair<std::string, std::string>> Get(std::string_view pattern) const;
  // CONFIG GET with several patterns: each parameter at most once.
  std::vector<std::pair<std::string, std::string>> Get(
      const std::vector<std::string_view>& patterns) const;

  // CONFIG SET name value [name value ...], all or nothing. The error message is the whole Redis
  // error line ("ERR Unknown option or number of arguments for CONFIG SET - 'foo'", "ERR CONFIG SET
  // failed (possibly related to argument 'port') - argument couldn't be parsed into an integer",
  // ...).
  // Protected parameters (dir, ...) are refused unless enable-protected-configs is yes, or local and the
  // client is `local` (on the loopback interface).
  absl::Status Set(const std::vector<std::pair<std::string, std::string>>& pairs, bool local = true);

  // CONFIG REWRITE, as Redis 7.2 does it: rewrites the file given at start in place, keeping
  // comments, include and rename-command lines (included files are not rewritten); reuses the lines
  // of each parameter, blanks its extra ones, appends non-default values after a
  // "# Generated by CONFIG REWRITE" line, and turns lines it cannot read into "# ??? <line>".
  absl::Status Rewrite();

  // Called after a CONFIG SET that changed `name` (the server applies loglevel, hz, ...). Register
  // before serving clients. Callbacks run under the config's writer lock: they may read the config
  // but must not call Set, Rewrite, OnChange or OnApply.
  void OnChange(std::string_view name, std::function<void()> fn);
  // Called after a CONFIG SET changed `name`, before OnChange callbacks; an error undoes the whole
  // CONFIG SET (values restored, OnApply callbacks of restored parameters re-run) and its message
  // becomes the reason, like Redis's apply functions (e.g. "Unable to listen on this port. Check
  // server logs.").
  void OnApply(std::string_view name, std::function<absl::Status()> fn);

  // True for parameters whose CONFIG SET value must be redacted from SLOWLOG / MONITOR
  // (requirepass).
  static bool IsSensitive(std::string_view name);

  // `path` made absolute against dir(): where Redis, which chdir()s into `dir`, would open a
  // relative logfile or pidfile.
  std::string PathInDir(std::string_view path) const;

  // Typed accessors.
  int port() const { return static_cast<int>(Num(Param::kPort)); }
  std::vector<std::string> bind() const;
  std::string dir() const { return Str(Param::kDir); }
  int databases() const { return static_cast<int>(Num(Param::kDatabases)); }
  int io_threads() const { return static_cast<int>(Num(Param::kIoThreads)); }
  LogLevel loglevel() const { return static_cast<LogLevel>(Num(Param::kLogLevel)); }
  std::string logfile() const { return Str(Param::kLogFile); }
  std::string requirepass() const { return Str(Param::kRequirePass); }
  std::string notify_keyspace_events() const { return NotifyFlagsToString(notify_flags()); }
  uint32_t notify_flags() const { return static_cast<uint32_t>(Num(Param::kNotifyKeyspaceEvents)); }
  int hz() const { return static_cast<int>(Num(Param::kHz)); }
  std::vector<std::pair<std::string, std::string>> renamed_commands() const;
  // `user` lines of the config file, each without the word "user": name, then rules.
  std::vector<std::vector<std::string>> users() const;
  // CONFIG REWRITE writes these lines for the `user` directive (Redis rewrites the ACL users into the
  // config file when no aclfile is used); unset, `user` lines are kept as they are.
  void SetUserLinesProvider(std::function<std::vector<std::string>()> fn);
  std::string aclfile() const { return Str(Param::kAclFile); }
  int64_t acllog_max_len() const { return Num(Param::kAclLogMaxLen); }
  // acl-pubsub-default: true for allchannels (new users may use every channel), false for resetchannels.
  bool acl_pubsub_default_all() const { return Num(Param::kAclPubsubDefault) == 0; }
  OutputBufferLimit output_buffer_limit(ClientClass c) const;
  // enable-protected-configs: 0 no, 1 yes, 2 local (protected parameters may be set from loopback only).
  int64_t enable_protected_configs() const { return Num(Param::kEnableProtectedConfigs); }
  int64_t proto_max_bulk_len() const { return Num(Param::kProtoMaxBulkLen); }
  int64_t client_query_buffer_limit() const { return Num(Param::kClientQueryBufferLimit); }
  int64_t maxclients() const { return Num(Param::kMaxclients); }
  int64_t timeout() const { return Num(Param::kTimeout); }
  int64_t tcp_keepalive() const { return Num(Param::kTcpKeepalive); }
  int tcp_backlog() const { return static_cast<int>(Num(Param::kTcpBacklog)); }
  int64_t slowlog_log_slower_than() const { return Num(Param::kSlowlogLogSlowerThan); }
  int64_t slowlog_max_len() const { return Num(Param::kSlowlogMaxLen); }
  int64_t latency_monitor_threshold() const { return Num(Param::kLatencyMonitorThreshold); }
  bool protected_mode() const { return Num(Param::kProtectedMode) != 0; }
  std::string pidfile() const { return Str(Param::kPidfile); }
  int64_t hash_max_listpack_entries() const { return Num(Param::kHashMaxListpackEntries); }
  int64_t hash_max_listpack_value() const { return Num(Param::kHashMaxListpackValue); }
  int64_t set_max_intset_entries() const { return Num(Param::kSetMaxIntsetEntries); }
  int64_t set_max_listpack_entries() const { return Num(Param::kSetMaxListpackEntries); }
  int64_t set_max_listpack_value() const { return Num(Param::kSetMaxListpackValue); }
  int64_t zset_max_listpack_entries() const { return Num(Param::kZsetMaxListpackEntries); }
  int64_t zset_max_listpack_value() const { return Num(Param::kZsetMaxListpackValue); }
  int list_max_listpack_size() const { return static_cast<int>(Num(Param::kListMaxListpackSize)); }
  // 0: no limit.
  int64_t maxmemory() const { return Num(Param::kMaxmemory); }
  std::string maxmemory_policy() const;
  // The policy's index in Redis's order (storage::EvictionPolicy).
  int maxmemory_policy_index() const { return static_cast<int>(Num(Param::kMaxmemoryPolicy)); }
  int64_t maxmemory_samples() const { return Num(Param::kMaxmemorySamples); }
  int64_t maxmemory_eviction_tenacity() const { return Num(Param::kMaxmemoryEvictionTenacity); }
  int64_t lfu_log_factor() const { return Num(Param::kLfuLogFactor); }
  int64_t lfu_decay_time() const { return Num(Param::kLfuDecayTime); }
  bool latency_tracking() const { return Num(Param::kLatencyTracking) != 0; }
  // Persistence (storage/rocks_engine.h): appendonly yes keeps the data in RocksDB under dir.
  bool appendonly() const { return Num(Param::kAppendonly) != 0; }
  // 0 always, 1 everysec, 2 no (the order of storage::FsyncPolicy).
  int appendfsync() const { return static_cast<int>(Num(Param::kAppendfsync)); }
  int64_t rocksdb_block_cache_size() const { return Num(Param::kRocksdbBlockCacheSize); }
  int64_t rocksdb_write_buffer_size() const { return Num(Param::kRocksdbWriteBufferSize); }
  int rocksdb_max_write_buffer_number() const {
    return static_cast<int>(Num(Param::kRocksdbMaxWriteBufferNumber));
  }
  // 0 no, 1 snappy, 2 lz4, 3 zstd (the order of storage::Compression).
  int rocksdb_compression() const { return static_cast<int>(Num(Param::kRocksdbCompression)); }
  int rocksdb_bottommost_compression() const {
    return static_cast<int>(Num(Param::kRocksdbBottommostCompression));
  }
  int rocksdb_max_background_jobs() const { return static_cast<int>(Num(Param::kRocksdbMaxBackgroundJobs)); }
  bool rocksdb_wal_compression() const { return Num(Param::kRocksdbWalCompression) != 0; }
  std::vector<double> latency_tracking_info_percentiles() const;
  // Absolute path of the file given as first argument, or "" when started without one.
  std::string config_file() const;
  // The metrics and health endpoint (server/http_endpoint.h): port 0 disables it; the addresses are
  // bind's unless metrics-bind names its own.
  int metrics_port() const { return static_cast<int>(Num(Param::kMetricsPort)); }
  std::vector<std::string> metrics_bind() const;
  int64_t readyz_max_replica_lag_ms() const { return Num(Param::kReadyzMaxReplicaLagMs); }
  // replicaof <host> <port> (or its alias slaveof) from the file or the command line; empty if none.
  std::vector<std::string> replicaof() const;
  std::string masterauth() const { return Str(Param::kMasterauth); }
  std::string masteruser() const { return Str(Param::kMasteruser); }
  int64_t repl_timeout() const { return Num(Param::kReplTimeout); }
  int64_t repl_log_retention_mb() const { return Num(Param::kReplLogRetentionMb); }
  int64_t repl_log_retention_seconds() const { return Num(Param::kReplLogRetentionSeconds); }
  // repl-compression: 0 none, 1 zstd (the order of replication::Compression). A replica's choice,
  // announced to its primary as REPLCONF capa zstd.
  int repl_compression() const { return static_cast<int>(Num(Param::kReplCompression)); }
  // A primary refuses writes (-NOREPLICAS) with fewer than min-replicas-to-write replicas that acked
  // within min-replicas-max-lag seconds; either one at 0 turns the check off (Redis's defaults 0 / 10).
  int64_t min_replicas_to_write() const { return Num(Param::kMinReplicasToWrite); }
  int64_t min_replicas_max_lag() const { return Num(Param::kMinReplicasMaxLag); }
  LogFormat log_format() const { return static_cast<LogFormat>(Num(Param::kLogFormat)); }
  LogTimestampFormat log_timestamp_format() const {
    return static_cast<LogTimestampFormat>(Num(Param::kLogTimestampFormat));
  }
  // Seconds a shutdown waits for clients to finish (Redis 7: for lagging replicas).
  int64_t shutdown_timeout() const { return Num(Param::kShutdownTimeout); }
  // TLS (server/tls.h): tls-port 0 disables the TLS listener. The files and the other tls-* settings are
  // read by TlsSettings::FromConfig; these are what connections read at accept time.
  int tls_port() const { return static_cast<int>(Num(Param::kTlsPort)); }
  // tls-auth-clients: 0 no, 1 yes, 2 optional (the order of TlsAuthClients).
  int tls_auth_clients() const { return static_cast<int>(Num(Param::kTlsAuthClients)); }
  // 0: a TLS handshake may take as long as it likes.
  int64_t tls_handshake_timeout_ms() const { return Num(Param::kTlsHandshakeTimeoutMs); }
  // A replica connects to its primary over TLS (the primary's tls-port).
  bool tls_replication() const { return Num(Param::kTlsReplication) != 0; }
  // Any parameter's value, for modules that read a group of settings together (TlsSettings::FromConfig):
  // numbers, booleans and enum indexes; strings.
  int64_t num(Param id) const { return Num(id); }
  std::string str(Param id) const { return Str(id); }

 private:
  struct LoadState;

  int64_t Num(Param id) const {
    return nums_[static_cast<size_t>(id)].load(std::memory_order_relaxed);
  }
  std::string Str(Param id) const;

  // Loading (config.cc).
  absl::Status LoadConfig(const std::string* filename, std::istream* stdin_stream,
                          const std::string* options, LoadState& state);
  absl::Status LoadString(std::string_view text, LoadState& state);
  absl::Status ApplyDirective(const ParamSpec& spec, std::vector<std::string>& argv,
                              LoadState& state, std::string* err);
  absl::Status AfterLoad();

  // Values.
  bool ParseValue(const ParamSpec& spec, std::span<const std::string> args, ParamValue* out,
                  std::string* err) const;
  ParamValue Current(const ParamSpec& spec) const;
  void Store(const ParamSpec& spec, ParamValue value);
  void AppendMatch(const ParamSpec& spec, std::string_view shown_name,
                   std::vector<std::pair<std::string, std::string>>* out) const;

  // Writers (load, Set, Rewrite) hold write_mu_ for their whole run; they also hold mu_ while they
  // modify the strings and lists that readers copy under mu_.
  mutable std::mutex write_mu_;
  mutable std::mutex mu_;
  std::array<std::atomic<int64_t>, kParamCount> nums_{};
  std::array<ParamValue, kParamCount> values_;  // str / list parts; guarded by mu_
  std::array<ParamValue, kParamCount> defaults_;
  std::vector<std::pair<std::string, std::string>> renamed_;  // guarded by mu_
  std::vector<std::vector<std::string>> users_;               // guarded by mu_
  std::function<std::vector<std::string>()> user_lines_;      // guarded by write_mu_
  std::string config_file_;                                   // guarded by mu_
  std::optional<std::vector<std::string>> command_names_;     // lowercase; see SetCommandNames
  std::vector<std::pair<Param, std::function<void()>>> on_change_;         // guarded by write_mu_
  std::vector<std::pair<Param, std::function<absl::Status()>>> on_apply_;  // guarded by write_mu_
};

}  // namespace sessionkv::server

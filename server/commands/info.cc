// SPDX-License-Identifier: Apache-2.0
// INFO [section ...]: Redis's sections and field names, which Spring Boot's health check (redis_version),
// redis_exporter (INFO ALL) and the common Grafana dashboards read.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_format.h"
#include "base/strings.h"
#include "server/command_context.h"
#include "server/replication.h"
#include "server/commands/families.h"
#include "server/config.h"
#include "server/memory.h"
#include "server/persistence.h"
#include "server/version.h"
#include "storage/rocks_engine.h"

namespace sessionkv::server {
namespace {

// Appends "name:value\r\n".
template <typename T>
void Field(std::string* out, std::string_view name, const T& value) {
  StrAppend(out, name, ":", value, "\r\n");
}

// Redis 7.2's getListensInfoString: one line per listener, numbered by connection type (0 tcp, 1 unix,
// 2 tls), e.g. "listener0:name=tcp,bind=127.0.0.1,port=6379".
void ListenerFields(const Config& config, std::string* out) {
  const std::vector<std::string> bind = config.bind();
  for (const auto& [index, name, port] : {std::tuple(0, "tcp", config.port()), std::tuple(2, "tls", config.tls_port())}) {
    if (port == 0) continue;
    StrAppend(out, "listener", index, ":name=", name);
    for (const std::string& address : bind) StrAppend(out, ",bind=", address);
    StrAppend(out, ",port=", port, "\r\n");
  }
}

void ServerSection(CommandContext& ctx, std::string* out) {
  ServerState& s = ctx.server();
  const Config& config = s.config;
  const int64_t now_us = s.clock.NowUs();
  const int64_t uptime = (now_us / 1000 - s.start_time_ms) / 1000;
  Field(out, "redis_version", kRedisVersion);
  Field(out, "redis_git_sha1", "00000000");
  Field(out, "redis_git_dirty", 0);
  Field(out, "redis_build_id", "0");
  Field(out, "redis_mode", "standalone");
  Field(out, "os", OsName());
  Field(out, "arch_bits", 64);
  Field(out, "monotonic_clock", "POSIX clock_gettime");
  Field(out, "multiplexing_api", "epoll");
  Field(out, "atomicvar_api", "c11-builtin");
  Field(out, "gcc_version", absl::StrFormat("%d.%d.%d", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__));
  Field(out, "process_id", getpid());
  Field(out, "process_supervised", "no");
  Field(out, "run_id", s.run_id);
  Field(out, "tcp_port", config.port());
  Field(out, "server_time_usec", now_us);
  Field(out, "uptime_in_seconds", uptime);
  Field(out, "uptime_in_days", uptime / 86400);
  Field(out, "hz", config.hz());
  Field(out, "configured_hz", config.hz());
  Field(out, "lru_clock", (now_us / 1000000) & ((1 << 24) - 1));
  Field(out, "executable", s.executable);
  Field(out, "config_file", config.config_file());
  Field(out, "io_threads_active", s.io_threads > 1 ? 1 : 0);
  ListenerFields(config, out);
  Field(out, "sessionkv_version", kSessionkvVersion);
  Field(out, "sessionkv_io_threads", s.io_threads);
}

void ClientsSection(CommandContext& ctx, std::string* out) {
  ServerState& s = ctx.server();
  Field(out, "connected_clients", s.clients.size());
  Field(out, "cluster_connections", 0);
  Field(out, "maxclients", s.config.maxclients());
  Field(out, "client_recent_max_input_buffer", 0);
  Field(out, "client_recent_max_output_buffer", 0);
  Field(out, "blocked_clients", s.blocking.blocked_clients());
  Field(out, "tracking_clients", 0);
  Field(out, "clients_in_timeout_table", s.blocking.clients_with_timeout());
  Field(out, "total_blocking_keys", s.blocking.blocking_keys());
  Field(out, "total_blocking_keys_on_nokey", 0);
}

void MemorySection(CommandContext& ctx, std::string* out) {
  ServerState& s = ctx.server();
  const uint64_t used = UsedMemory();
  const uint64_t peak = UpdatePeakMemory(s.peak_memory, used);
  const uint64_t rss = ResidentMemory();
  const uint64_t system = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  Field(out, "used_memory", used);
  Field(out, "used_memory_human", BytesToHuman(used));
  Field(out, "used_memory_rss", rss);
  Field(out, "used_memory_rss_human", BytesToHuman(rss));
  Field(out, "used_memory_peak", peak);
  Field(out, "used_memory_peak_human", BytesToHuman(peak));
  Field(out, "used_memory_peak_perc",
        absl::StrFormat("%.2f%%", peak ? 100.0 * static_cast<double>(used) / static_cast<double>(peak) : 0));
  Field(out, "total_system_memory", system);
  Field(out, "total_system_memory_human", BytesToHuman(system));
  const uint64_t lua = s.scripts.lua_memory();
  Field(out, "used_memory_lua", lua);
  Field(out, "used_memory_vm_eval", lua);
  Field(out, "used_memory_lua_human", BytesToHuman(lua));
  Field(out, "number_of_cached_scripts", s.scripts.cached_scripts());
  const int64_t maxmemory = s.config.maxmemory();
  Field(out, "maxmemory", maxmemory);
  Field(out, "maxmemory_human", BytesToHuman(static_cast<uint64_t>(maxmemory)));
  Field(out, "maxmemory_policy", s.config.maxmemory_policy());
  Field(out, "mem_fragmentation_ratio",
        absl::StrFormat("%.2f", used ? static_cast<double>(rss) / static_cast<double>(used) : 0));
  Field(out, "mem_not_counted_for_evict", s.eviction.NotCountedMemory());
  Field(out, "mem_allocator", "libc");
  Field(out, "lazyfree_pending_objects", 0);
}

// Redis's fields where they have a meaning for RocksDB (the "AOF" is the WAL: aof_enabled is appendonly,
// a "save" is a memtable flush, a "rewrite" a full compaction), then our own: the commit pipeline and
// RocksDB's sizes (docs/persistence.md, "INFO persistence").
void PersistenceSection(CommandContext& ctx, std::string* out) {
  const PersistenceState& p = ctx.server().persistence;
  auto load = [](const auto& v) { return v.load(std::memory_order_relaxed); };
  const bool loading = p.loading.load(std::memory_order_acquire);
  Field(out, "loading", loading ? 1 : 0);
  Field(out, "async_loading", 0);
  if (loading) {
    const uint64_t total = load(p.load.total_bytes), done = load(p.load.bytes);
    Field(out, "loading_start_time", load(p.loading_start_ms) / 1000);
    Field(out, "loading_total_bytes", total);
    Field(out, "loading_loaded_bytes", done);
    Field(out, "loading_loaded_perc",
          absl::StrFormat("%.2f", total > 0 ? std::min(100.0, 100.0 * done / total) : 0.0));
    Field(out, "loading_keys_loaded", load(p.load.keys));
  }
  const storage::RocksEngine* rocks = p.rocks;
  storage::EngineInfo e;
  if (rocks != nullptr) e = rocks->Info();
  const bool write_ok = rocks == nullptr || !rocks->write_failed();
  Field(out, "rdb_changes_since_last_save", e.changes_since_save);
  Field(out, "rdb_bgsave_in_progress", e.bgsave_in_progress ? 1 : 0);
  Field(out, "rdb_last_save_time", rocks != nullptr ? e.last_save_unix : ctx.server().start_time_ms / 1000);
  Field(out, "rdb_last_bgsave_status", e.last_bgsave_ok ? "ok" : "err");
  Field(out, "rdb_saves", e.saves);
  Field(out, "rdb_last_load_keys_expired", load(p.last_load_expired));
  Field(out, "rdb_last_load_keys_loaded", load(p.last_load_keys));
  Field(out, "aof_enabled", rocks != nullptr ? 1 : 0);
  Field(out, "aof_rewrite_in_progress", e.compaction_in_progress ? 1 : 0);
  Field(out, "aof_rewrite_scheduled", 0);
  Field(out, "aof_last_bgrewrite_status", e.last_compaction_ok ? "ok" : "err");
  Field(out, "aof_rewrites", e.compactions);
  Field(out, "aof_last_write_status", write_ok ? "ok" : "err");
  if (rocks == nullptr) return;
  Field(out, "aof_current_size", e.sst_bytes + e.wal_bytes);
  Field(out, "aof_buffer_length", e.commit.pending_bytes);
  Field(out, "aof_pending_bio_fsync", 0);
  Field(out, "aof_delayed_fsync", 0);
  // Ours.
  static constexpr std::string_view kFsync[] = {"always", "everysec", "no"};
  Field(out, "appendfsync", kFsync[static_cast<int>(rocks->fsync_policy())]);
  Field(out, "commit_batches", e.commit.appended_batches);
  Field(out, "commit_groups", e.commit.written_groups);
  Field(out, "commit_records", e.commit.written_records);
  Field(out, "commit_bytes", e.commit.written_bytes);
  Field(out, "commit_queue_batches", e.commit.pending_batches);
  Field(out, "commit_queue_bytes", e.commit.pending_bytes);
  Field(out, "commit_failed_writes", e.commit.failed_writes);
  Field(out, "wal_syncs", e.commit.syncs);
  Field(out, "rocksdb_sst_bytes", e.sst_bytes);
  Field(out, "rocksdb_wal_bytes", e.wal_bytes);
  Field(out, "rocksdb_memtable_bytes", e.memtable_bytes);
  Field(out, "rocksdb_memory_bytes", e.memory_bytes);
  Field(out, "rocksdb_estimated_records", e.estimated_records);
  Field(out, "last_load_duration_ms", load(p.load_duration_ms));
}

void StatsSection(CommandContext& ctx, std::string* out) {
  ServerState& s = ctx.server();
  const ServerStats& st = s.stats;
  const storage::KeyspaceStats& ks = s.keyspace.stats();
  auto load = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
  Field(out, "total_connections_received", load(st.total_connections_received));
  Field(out, "total_commands_processed", load(st.total_commands_processed));
  Field(out, "instantaneous_ops_per_sec", static_cast<int64_t>(s.ops_rate.PerSecond()));
  Field(out, "total_net_input_bytes", load(st.net_input_bytes));
  Field(out, "total_net_output_bytes", load(st.net_output_bytes));
  Field(out, "instantaneous_input_kbps", absl::StrFormat("%.2f", s.net_input_rate.PerSecond() / 1024));
  Field(out, "instantaneous_output_kbps", absl::StrFormat("%.2f", s.net_output_rate.PerSecond() / 1024));
  Field(out, "rejected_connections", load(st.rejected_connections));
  const Replication& repl = *ctx.server().replication;
  Field(out, "sync_full", repl.sync_full());
  Field(out, "sync_partial_ok", repl.sync_partial_ok());
  Field(out, "sync_partial_err", repl.sync_partial_err());
  Field(out, "expired_keys", load(ks.expired_keys));
  Field(out, "expired_stale_perc", "0.00");
  Field(out, "expired_time_cap_reached_count", 0);
  Field(out, "evicted_keys", load(ks.evicted_keys));
  Field(out, "evicted_clients", 0);
  Field(out, "total_eviction_exceeded_time", s.eviction.total_exceeded_ms());
  Field(out, "current_eviction_exceeded_time", s.eviction.current_exceeded_ms());
  Field(out, "keyspace_hits", load(ks.keyspace_hits));
  Field(out, "keyspace_misses", load(ks.keyspace_misses));
  Field(out, "pubsub_channels", s.pubsub.NumChannels());
  Field(out, "pubsub_patterns", s.pubsub.NumPat());
  Field(out, "latest_fork_usec", 0);
  Field(out, "total_forks", 0);
  Field(out, "total_error_replies", load(st.total_error_replies));
  Field(out, "unexpected_error_replies", load(st.unexpected_error_replies));
}

// The link's transport, sessionkv's own fields: TLS and compression (repl-compression, what the replica
// asked for), and repl_compression_ratio, the stream's frames (snapshot chunks left out) before
// compression over what crossed the wire, 1.00 until something did.
std::string CompressionRatio(uint64_t payload_bytes, uint64_t wire_bytes) {
  return absl::StrFormat("%.2f", wire_bytes == 0 ? 1.0 : static_cast<double>(payload_bytes) / wire_bytes);
}

void ReplicationTransportFields(const Replication& repl, std::string* out) {
  uint64_t payload = 0, wire = 0;
  if (repl.is_replica()) {
    const LinkView link = repl.Link();
    Field(out, "master_link_tls", link.tls ? "yes" : "no");
    Field(out, "master_link_compression", replication::CompressionName(link.compression));
    payload = link.stream_payload_bytes;
    wire = link.stream_wire_bytes;
  } else {
    for (const ReplicaView& r : repl.Replicas()) {
      payload += r.stream_payload_bytes;
      wire += r.stream_wire_bytes;
    }
  }
  Field(out, "repl_compression_ratio", CompressionRatio(payload, wire));
}

// Redis's fields; offsets are RocksDB sequence numbers (the replication offset, design.md), so a
// replica's offset equals its primary's once it has caught up.
void ReplicationSection(CommandContext& ctx, std::string* out) {
  Replication& repl = *ctx.server().replication;
  const int64_t offset = static_cast<int64_t>(repl.last_seq());
  if (repl.is_replica()) {
    const LinkView link = repl.Link();
    Field(out, "role", "slave");
    Field(out, "master_host", link.host);
    Field(out, "master_port", link.port);
    Field(out, "master_link_status", link.up ? "up" : "down");
    Field(out, "master_last_io_seconds_ago", link.last_io_s);
    Field(out, "master_sync_in_progress", link.sync_in_progress ? 1 : 0);
    Field(out, "slave_read_repl_offset", offset);
    Field(out, "slave_repl_offset", offset);
    if (!link.up) Field(out, "master_link_down_since_seconds", link.down_since_s);
    Field(out, "slave_priority", 100);
    Field(out, "slave_read_only", 1);
    Field(out, "replica_announced", 1);
    Field(out, "master_repl_lag_seqs", std::max<int64_t>(0, static_cast<int64_t>(link.primary_last_seq) - offset));
  } else {
    Field(out, "role", "master");
  }
  const std::vector<ReplicaView> replicas = repl.Replicas();
  Field(out, "connected_slaves", replicas.size());
  const Config& config = ctx.server().config;
  if (config.min_replicas_to_write() > 0 && config.min_replicas_max_lag() > 0) {
    Field(out, "min_slaves_good_slaves", repl.CountGoodReplicas(config.min_replicas_max_lag()));
  }
  for (size_t i = 0; i < replicas.size(); ++i) {
    const ReplicaView& r = replicas[i];
    Field(out, StrCat("slave", i),
          absl::StrFormat("ip=%s,port=%d,state=%s,offset=%d,lag=%d", r.ip, r.port, r.state, r.acked_seq, r.lag_s));
  }
  Field(out, "master_failover_state", "no-failover");
  Field(out, "master_replid", repl.enabled() ? repl.history_id() : ctx.server().run_id);
  Field(out, "master_replid2", std::string(40, '0'));
  Field(out, "master_repl_offset", offset);
  Field(out, "second_repl_offset", -1);
  Field(out, "repl_backlog_active", repl.enabled() ? 1 : 0);
  const replication::RingStats ring = repl.ring() != nullptr ? repl.ring()->stats() : replication::RingStats{};
  Field(out, "repl_backlog_size", ring.bytes);
  Field(out, "repl_backlog_first_byte_offset", ring.oldest_seq);
  Field(out, "repl_backlog_histlen", ring.batches);
  ReplicationTransportFields(repl, out);
}

void CpuSection(CommandContext& ctx, std::string* out) {
  struct rusage self, children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto seconds = [](const timeval& tv) { return absl::StrFormat("%.6f", tv.tv_sec + tv.tv_usec / 1e6); };
  Field(out, "used_cpu_sys", seconds(self.ru_stime));
  Field(out, "used_cpu_user", seconds(self.ru_utime));
  Field(out, "used_cpu_sys_children", seconds(children.ru_stime));
  Field(out, "used_cpu_user_children", seconds(children.ru_utime));
}

void ModulesSection(CommandContext&, std::string*) {}

void ErrorStatsSection(CommandContext& ctx, std::string* out) {
  for (const auto& [code, count] : ctx.server().stats.ErrorCounts()) {
    StrAppend(out, "errorstat_", code, ":count=", count, "\r\n");
  }
}

void CommandStatsLine(const CommandSpec& spec, std::string* out) {
  const CommandStats& st = spec.stats;
  const uint64_t calls = st.calls.load(std::memory_order_relaxed);
  const uint64_t rejected = st.rejected_calls.load(std::memory_order_relaxed);
  const uint64_t failed = st.failed_calls.load(std::memory_order_relaxed);
  if (calls == 0 && rejected == 0 && failed == 0) return;
  const uint64_t usec = st.usec.load(std::memory_order_relaxed);
  StrAppend(out, "cmdstat_", spec.full_name, ":calls=", calls, ",usec=", usec, ",usec_per_call=",
            absl::StrFormat("%.2f", calls ? static_cast<double>(usec) / calls : 0.0),
            ",rejected_calls=", rejected, ",failed_calls=", failed, "\r\n");
}

void CommandStatsSection(CommandContext& ctx, std::string* out) {
  ctx.server().commands.ForEach([out](const CommandSpec& spec) {
    CommandStatsLine(spec, out);
    for (const auto& sub : spec.subcommands) CommandStatsLine(*sub, out);
  });
}

// latency_percentiles_usec_<command>:p50=1.003,p99=2.007,p99.9=3.007 for every command called since the
// last CONFIG RESETSTAT (while latency-tracking is on).
void LatencyStatsLine(const CommandSpec& spec, const std::vector<double>& percentiles, std::string* out) {
  const LatencyHistogram* h = spec.stats.latency();
  if (h == nullptr || h->count() == 0) return;
  StrAppend(out, "latency_percentiles_usec_", spec.full_name, ":");
  for (size_t i = 0; i < percentiles.size(); ++i) {
    StrAppend(out, i == 0 ? "" : ",", "p", FormatPercentile(percentiles[i]), "=",
              absl::StrFormat("%.3f", static_cast<double>(h->ValueAtPercentile(percentiles[i])) / 1000));
  }
  out->append("\r\n");
}

void LatencyStatsSection(CommandContext& ctx, std::string* out) {
  if (!ctx.server().config.latency_tracking()) return;
  const std::vector<double> percentiles = ctx.server().config.latency_tracking_info_percentiles();
  ctx.server().commands.ForEach([&](const CommandSpec& spec) {
    LatencyStatsLine(spec, percentiles, out);
    for (const auto& sub : spec.subcommands) LatencyStatsLine(*sub, percentiles, out);
  });
}

void ClusterSection(CommandContext&, std::string* out) { Field(out, "cluster_enabled", 0); }

// Needs every shard locked: the INFO row declares LockScope::kAllShards.
void KeyspaceSection(CommandContext& ctx, std::string* out) {
  for (int i = 0; i < ctx.keyspace().num_dbs(); ++i) {
    storage::Db db = ctx.OtherDb(i);
    const size_t keys = db.Size();
    if (keys == 0) continue;
    StrAppend(out, "db", i, ":keys=", keys, ",expires=", db.ExpiresCount(), ",avg_ttl=", db.AverageTtlMs(),
              "\r\n");
  }
}

struct Section {
  std::string_view name;   // lowercase, as INFO arguments name it
  std::string_view alias;  // a second name, or ""
  std::string_view title;  // as printed after "# "
  bool in_default;         // part of INFO / INFO default
  void (*write)(CommandContext&, std::string*);
};

// Redis 7.2's sections in its order. INFO all and INFO everything print all of them: "all" leaves out only
// sections that modules generate, which sessionkv has none of. 7.2's "debug" section (event-loop timings,
// printed only when asked for by name) is not offered.
constexpr Section kSections[] = {
    {"server", "", "Server", true, ServerSection},
    {"clients", "", "Clients", true, ClientsSection},
    {"memory", "", "Memory", true, MemorySection},
    {"persistence", "", "Persistence", true, PersistenceSection},
    {"stats", "", "Stats", true, StatsSection},
    {"replication", "", "Replication", true, ReplicationSection},
    {"cpu", "", "CPU", true, CpuSection},
    {"modules", "module_list", "Modules", true, ModulesSection},
    {"commandstats", "", "Commandstats", false, CommandStatsSection},
    {"errorstats", "", "Errorstats", true, ErrorStatsSection},
    {"latencystats", "", "Latencystats", false, LatencyStatsSection},
    {"cluster", "", "Cluster", true, ClusterSection},
    {"keyspace", "", "Keyspace", true, KeyspaceSection},
};

// INFO [section [section ...]]: "default", "all", "everything" or section names, case-insensitive; an
// unknown name selects nothing.
void CmdInfo(CommandContext& ctx) {
  std::vector<const Section*> chosen;
  auto choose = [&chosen](const Section& s) {
    if (std::find(chosen.begin(), chosen.end(), &s) == chosen.end()) chosen.push_back(&s);
  };
  if (ctx.argc() == 1) {
    for (const Section& s : kSections) if (s.in_default) choose(s);
  }
  for (size_t i = 1; i < ctx.argc(); ++i) {
    const std::string_view arg = ctx.arg(i);
    const bool every = EqualsIgnoreCase(arg, "all") || EqualsIgnoreCase(arg, "everything");
    const bool defaults = EqualsIgnoreCase(arg, "default");
    for (const Section& s : kSections) {
      if (every || (defaults && s.in_default) || EqualsIgnoreCase(arg, s.name) ||
          (!s.alias.empty() && EqualsIgnoreCase(arg, s.alias))) {
        choose(s);
      }
    }
  }
  // Print in Redis's section order, whatever order they were asked in.
  std::sort(chosen.begin(), chosen.end());
  std::string text;
  for (const Section* s : chosen) {
    if (!text.empty()) text += "\r\n";
    StrAppend(&text, "# ", s->title, "\r\n");
    s->write(ctx, &text);
  }
  ctx.reply().Verbatim("txt", text);
}

}  // namespace

void RegisterInfoCommands(CommandTable& table) {
  table.Add({.name = "info", .arity = -1, .flags = "loading stale", .acl = "@dangerous", .handler = CmdInfo,
             .group = "server", .since = "1.0.0",
             .summary = "Returns information and statistics about the server.",
             .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
             .lock = LockScope::kAllShards});
}

}  // namespace sessionkv::server

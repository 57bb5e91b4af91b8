// SPDX-License-Identifier: Apache-2.0
// The server's metrics source: what redis_exporter would export after scraping INFO ALL, CONFIG GET and
// SLOWLOG LEN from this server, with its names, types, help texts and labels (oliver006/redis_exporter
// exporter.go and info.go), computed from the same counters INFO prints, plus sessionkv's own
// sessionkv_* families. Only things that exist are exported: persistence registers its families when
// appendonly is yes (server/persistence.cc), replication when it exists (server/metrics.h).
#include "server/metrics_redis.h"

#include <sys/resource.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/strings.h"
#include "server/config.h"
#include "server/memory.h"
#include "server/replication.h"
#include "server/version.h"

namespace sessionkv::server {
namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;
using Families = std::vector<MetricFamily>;

double Load(const std::atomic<uint64_t>& v) {
  return static_cast<double>(v.load(std::memory_order_relaxed));
}

// The exporter's generic INFO fields have "<name without namespace> metric" as their help.
std::string GenericHelp(const std::string& name) { return name.substr(name.find('_') + 1) + " metric"; }
void Gauge(Families* out, const std::string& name, double value) {
  AddSample(AddFamily(out, name, GenericHelp(name), MetricType::Gauge), value);
}
void Counter(Families* out, const std::string& name, double value) {
  AddSample(AddFamily(out, name, GenericHelp(name), MetricType::Counter), value);
}

double Seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

void ServerFamilies(const ServerState& s, Families* out) {
  const int64_t now_ms = s.clock.NowMs();
  const std::string pid = StrCat(getpid());
  AddSample(AddFamily(out, "redis_up", "Information about the Redis instance", MetricType::Gauge), 1);
  Gauge(out, "redis_uptime_in_seconds", static_cast<double>((now_ms - s.start_time_ms) / 1000));
  AddSample(AddFamily(out, "redis_start_time_seconds",
                      "Start time of the Redis instance since unix epoch in seconds.", MetricType::Gauge),
            static_cast<double>(s.start_time_ms / 1000));
  Gauge(out, "redis_process_id", static_cast<double>(getpid()));
  Gauge(out, "redis_hz", s.config.hz());
  Gauge(out, "redis_configured_hz", s.config.hz());
  const Replication& repl = *s.replication;
  AddSample(AddFamily(out, "redis_instance_info", "Information about the Redis instance",
                      MetricType::Gauge),
            1,
            {{"role", repl.is_replica() ? "slave" : "master"},
             {"redis_version", std::string(kRedisVersion)},
             {"redis_build_id", "0"},
             {"redis_mode", "standalone"},
             {"os", OsName()},
             {"maxmemory_policy", s.config.maxmemory_policy()},
             {"tcp_port", StrCat(s.config.port())},
             {"run_id", s.run_id},
             {"process_id", pid},
             {"master_replid", repl.enabled() ? repl.history_id() : s.run_id}});
  AddSample(AddFamily(out, "sessionkv_build_info", "sessionkv's version and the Redis version it matches",
                      MetricType::Gauge),
            1, {{"version", std::string(kSessionkvVersion)}, {"redis_version", std::string(kRedisVersion)}});
  Gauge(out, "sessionkv_io_threads", s.io_threads);
  Gauge(out, "redis_cluster_enabled", 0);
}

void ClientAndMemoryFamilies(ServerState& s, Families* out) {
  Gauge(out, "redis_connected_clients", static_cast<double>(s.clients.size()));
  Gauge(out, "redis_blocked_clients", static_cast<double>(s.blocking.blocked_clients()));
  Gauge(out, "redis_config_maxclients", static_cast<double>(s.config.maxclients()));
  const uint64_t used = UsedMemory();
  const uint64_t rss = ResidentMemory();
  Gauge(out, "redis_memory_used_bytes", static_cast<double>(used));
  Gauge(out, "redis_memory_used_rss_bytes", static_cast<double>(rss));
  Gauge(out, "redis_memory_used_peak_bytes", static_cast<double>(UpdatePeakMemory(s.peak_memory, used)));
  Gauge(out, "redis_memory_max_bytes", static_cast<double>(s.config.maxmemory()));
  Gauge(out, "redis_config_maxmemory", static_cast<double>(s.config.maxmemory()));
  // INFO prints the ratio with two decimals; the exporter parses that text.
  Gauge(out, "redis_mem_fragmentation_ratio",
        used ? static_cast<double>(static_cast<int64_t>(100.0 * rss / used + 0.5)) / 100 : 0);
}

void StatsFamilies(ServerState& s, Families* out) {
  const ServerStats& st = s.stats;
  const storage::KeyspaceStats& ks = s.keyspace.stats();
  Counter(out, "redis_connections_received_total", Load(st.total_connections_received));
  Counter(out, "redis_commands_processed_total", Load(st.total_commands_processed));
  Counter(out, "redis_rejected_connections_total", Load(st.rejected_connections));
  Counter(out, "redis_net_input_bytes_total", Load(st.net_input_bytes));
  Counter(out, "redis_net_output_bytes_total", Load(st.net_output_bytes));
  Counter(out, "redis_expired_keys_total", Load(ks.expired_keys));
  Counter(out, "redis_evicted_keys_total", Load(ks.evicted_keys));
  Counter(out, "redis_keyspace_hits_total", Load(ks.keyspace_hits));
  Counter(out, "redis_keyspace_misses_total", Load(ks.keyspace_misses));
  Gauge(out, "redis_pubsub_channels", static_cast<double>(s.pubsub.NumChannels()));
  Gauge(out, "redis_pubsub_patterns", static_cast<double>(s.pubsub.NumPat()));
  Gauge(out, "redis_slowlog_length", static_cast<double>(s.slowlog.Len()));
  AddSample(AddFamily(out, "sessionkv_keys_created_total",
                      "Keys added to the keyspace (each one is a `new` keyspace event)", MetricType::Counter),
            Load(st.keys_created));
  MetricFamily& errors = AddFamily(out, "redis_errors_total", "errors_total metric", MetricType::Counter);
  for (const auto& [code, count] : s.stats.ErrorCounts()) {
    AddSample(errors, static_cast<double>(count), {{"err", code}});
  }
  struct rusage self, children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  Counter(out, "redis_cpu_sys_seconds_total", Seconds(self.ru_stime));
  Counter(out, "redis_cpu_user_seconds_total", Seconds(self.ru_utime));
  Counter(out, "redis_cpu_sys_children_seconds_total", Seconds(children.ru_stime));
  Counter(out, "redis_cpu_user_children_seconds_total", Seconds(children.ru_utime));
}

// INFO commandstats: one sample per command (and subcommand, "config|get") that was called.
void CommandFamilies(const ServerState& s, Families* out) {
  MetricFamily& calls = AddFamily(out, "redis_commands_total", "Total number of calls per command",
                                  MetricType::Counter);
  MetricFamily& duration = AddFamily(out, "redis_commands_duration_seconds_total",
                                     "Total amount of time in seconds spent per command", MetricType::Counter);
  MetricFamily& rejected = AddFamily(out, "redis_commands_rejected_calls_total",
                                     "commands_rejected_calls_total metric", MetricType::Counter);
  MetricFamily& failed = AddFamily(out, "redis_commands_failed_calls_total",
                                   "commands_failed_calls_total metric", MetricType::Counter);
  auto one = [&](const CommandSpec& spec) {
    const CommandStats& st = spec.stats;
    const double n = Load(st.calls), r = Load(st.rejected_calls), f = Load(st.failed_calls);
    if (n == 0 && r == 0 && f == 0) return;
    const std::vector<prometheus::ClientMetric::Label> cmd = {{"cmd", spec.full_name}};
    AddSample(calls, n, cmd);
    AddSample(duration, Load(st.usec) / 1e6, cmd);
    AddSample(rejected, r, cmd);
    AddSample(failed, f, cmd);
  };
  s.commands.ForEach([&](const CommandSpec& spec) {
    one(spec);
    for (const auto& sub : spec.subcommands) one(*sub);
  });
}

// INFO keyspace, from the shards' published counts: every database, empty ones as 0 (the exporter's
// --include-metrics-for-empty-databases), so a graph has no gaps when the last session expires.
void KeyspaceFamilies(const ServerState& s, Families* out) {
  MetricFamily& keys = AddFamily(out, "redis_db_keys", "Total number of keys by DB", MetricType::Gauge);
  MetricFamily& expiring =
      AddFamily(out, "redis_db_keys_expiring", "Total number of expiring keys by DB", MetricType::Gauge);
  const storage::Keyspace& ks = s.keyspace;
  for (int db = 0; db < ks.num_dbs(); ++db) {
    const std::vector<prometheus::ClientMetric::Label> label = {{"db", StrCat("db", db)}};
    AddSample(keys, static_cast<double>(ks.ApproxKeys(db)), label);
    AddSample(expiring, static_cast<double>(ks.ApproxExpires(db)), label);
  }
}

// INFO replication as the exporter maps it (info.go handleMetricsReplication and the
// metricMapGauges rows): the link's fields with {master_host, master_port} on a replica, one offset
// and lag sample per `slaveN:` line on a primary, and the generic fields on both. Offsets are
// sequence numbers, as in INFO.
void ReplicaLinkFamilies(const Replication& repl, Families* out) {
  const LinkView link = repl.Link();
  const std::vector<prometheus::ClientMetric::Label> master = {{"master_host", link.host},
                                                               {"master_port", StrCat(link.port)}};
  auto gauge = [&](const char* name, const char* help, double value) {
    AddSample(AddFamily(out, name, help, MetricType::Gauge), value, master);
  };
  gauge("redis_master_link_up", "Master link status on Redis slave", link.up ? 1 : 0);
  gauge("redis_master_last_io_seconds_ago", "Master last io seconds ago",
        static_cast<double>(link.last_io_s));
  gauge("redis_master_sync_in_progress", "Master sync in progress", link.sync_in_progress ? 1 : 0);
  gauge("redis_slave_repl_offset", "Slave replication offset",
        static_cast<double>(repl.last_seq()));
  AddSample(
      AddFamily(out, "redis_slave_info", "Information about the Redis slave", MetricType::Gauge), 1,
      {{"master_host", link.host}, {"master_port", StrCat(link.port)}, {"read_only", "1"}});
  Gauge(out, "redis_slave_priority", 100);
}

void ConnectedReplicaFamilies(const Replication& repl, Families* out) {
  const std::vector<ReplicaView> replicas = repl.Replicas();
  Gauge(out, "redis_connected_slaves", static_cast<double>(replicas.size()));
  if (replicas.empty()) return;  // the exporter has no slaveN: line to make these from
  MetricFamily& offset = AddFamily(out, "redis_connected_slave_offset_bytes",
                                   "Offset of connected slave", MetricType::Gauge);
  MetricFamily& lag = AddFamily(out, "redis_connected_slave_lag_seconds", "Lag of connected slave",
                                MetricType::Gauge);
  for (const ReplicaView& r : replicas) {
    const std::vector<prometheus::ClientMetric::Label> labels = {
        {"slave_ip", r.ip}, {"slave_port", StrCat(r.port)}, {"slave_state", r.state}};
    AddSample(offset, static_cast<double>(r.acked_seq), labels);
    AddSample(lag, static_cast<double>(r.lag_s), labels);
  }
}

void ReplicationFamilies(Replication& repl, Families* out) {
  if (repl.is_replica()) ReplicaLinkFamilies(repl, out);
  ConnectedReplicaFamilies(repl, out);
  const replication::RingStats ring =
      repl.ring() != nullptr ? repl.ring()->stats() : replication::RingStats{};
  Gauge(out, "redis_master_repl_offset", static_cast<double>(repl.last_seq()));
  Gauge(out, "redis_second_repl_offset", -1);
  Gauge(out, "redis_repl_backlog_is_active", repl.enabled() ? 1 : 0);
  Gauge(out, "redis_replication_backlog_bytes", static_cast<double>(ring.bytes));
  Gauge(out, "redis_repl_backlog_first_byte_offset", static_cast<double>(ring.oldest_seq));
  Gauge(out, "redis_repl_backlog_history_bytes", static_cast<double>(ring.batches));
  // INFO stats' sync_* fields; the exporter maps them as gauges.
  Gauge(out, "redis_replica_resyncs_full", static_cast<double>(repl.sync_full()));
  Gauge(out, "redis_replica_partial_resync_accepted", static_cast<double>(repl.sync_partial_ok()));
  Gauge(out, "redis_replica_partial_resync_denied", static_cast<double>(repl.sync_partial_err()));
}

}  // namespace

void CollectRedisMetrics(ServerState& s, std::vector<prometheus::MetricFamily>* out) {
  ServerFamilies(s, out);
  ClientAndMemoryFamilies(s, out);
  StatsFamilies(s, out);
  CommandFamilies(s, out);
  KeyspaceFamilies(s, out);
  // INFO replication exists on every server (memory-only ones too), so its metrics do.
  ReplicationFamilies(*s.replication, out);
}

}  // namespace sessionkv::server

// SPDX-License-Identifier: Apache-2.0
// The Prometheus metrics /metrics serves (server/http_endpoint.h), in prometheus-cpp's data model.
//
// Two kinds of families, collected in this order on every scrape:
//  - Sources: functions that build families at scrape time from a subsystem's own counters. The
//    server's source (server/metrics_redis.cc) emits redis_exporter's names, types and labels
//    (redis_up, redis_commands_total{cmd}, redis_db_keys{db}, ...) so the common Redis dashboards
//    and alerts work unchanged, INFO replication's fields included: redis_master_link_up
//    {master_host,master_port} on a replica, redis_connected_slave_lag_seconds{slave_ip,slave_port,
//    slave_state} per connected replica, each only where INFO has its field. Later subsystems add
//    theirs when their data exists: the persistence engine redis_loading_dump_file and
//    redis_rdb_last_save_timestamp_seconds. Nothing is exported for a subsystem that does not
//    exist, so a dashboard never shows an invented zero.
//  - registry(): sessionkv's own metrics, owned by prometheus-cpp (counters, gauges, histograms that
//    are updated where things happen). The expiry-delay histogram is registered here; the persistence
//    engine adds sessionkv_commit_queue_depth and sessionkv_wal_sync_duration_seconds, replication
//    sessionkv_replication_lag_seconds.
//
// A scrape reads atomics and per-shard published counts only; it never takes a shard lock, so it
// cannot stall command processing.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "prometheus/histogram.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"

namespace sessionkv::server {

class Metrics {
 public:
  Metrics();

  prometheus::Registry& registry() { return *registry_; }

  // Appends families to `out`; called on the endpoint's thread for every scrape.
  using Source = std::function<void(std::vector<prometheus::MetricFamily>* out)>;
  void AddSource(Source source);

  // sessionkv_expiry_delay_seconds: from a key's deadline to its deletion by the expiry timer.
  void ObserveExpiryDelay(double seconds) { expiry_delay_->Observe(seconds); }

  std::vector<prometheus::MetricFamily> Collect() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Histogram* expiry_delay_;
  mutable std::mutex mu_;  // guards sources_
  std::vector<Source> sources_;
};

// Helpers for sources: appends a family and returns it; adds one sample to it.
prometheus::MetricFamily& AddFamily(std::vector<prometheus::MetricFamily>* out, std::string name,
                                    std::string help, prometheus::MetricType type);
void AddSample(prometheus::MetricFamily& family, double value,
               std::vector<prometheus::ClientMetric::Label> labels = {});

}  // namespace sessionkv::server

// SPDX-License-Identifier: Apache-2.0
#include "server/server_state.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"
#include "server/config.h"
#include "server/metrics_redis.h"
#include "server/notify.h"
#include "server/replication.h"

namespace sessionkv::server {

void ServerStats::CountError(std::string_view code) {
  std::lock_guard lock(mu_);
  // Redis caps the number of distinct error codes it tracks at 128 (ERROR_STATS_NUMBER).
  auto it = error_counts_.find(code);
  if (it != error_counts_.end()) {
    ++it->second;
  } else if (error_counts_.size() < 128) {
    error_counts_.emplace(std::string(code), 1);
  }
}

std::vector<std::pair<std::string, uint64_t>> ServerStats::ErrorCounts() const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, uint64_t>> out(error_counts_.begin(), error_counts_.end());
  std::sort(out.begin(), out.end());
  return out;
}

void ServerStats::Reset() {
  total_connections_received = 0;
  total_commands_processed = 0;
  rejected_connections = 0;
  net_input_bytes = 0;
  net_output_bytes = 0;
  total_error_replies = 0;
  unexpected_error_replies = 0;
  keys_created = 0;
  std::lock_guard lock(mu_);
  error_counts_.clear();
}

void RateSampler::Sample(int64_t now_ms, uint64_t value) {
  std::lock_guard lock(mu_);
  times_[next_] = now_ms;
  values_[next_] = value;
  next_ = (next_ + 1) % kSamples;
  count_ = std::min(count_ + 1, kSamples);
}

double RateSampler::PerSecond() const {
  std::lock_guard lock(mu_);
  if (count_ < 2) return 0;
  const int newest = (next_ + kSamples - 1) % kSamples;
  const int oldest = count_ < kSamples ? 0 : next_;
  const int64_t dt = times_[newest] - times_[oldest];
  if (dt <= 0) return 0;
  return static_cast<double>(values_[newest] - values_[oldest]) * 1000.0 / static_cast<double>(dt);
}

ServerState::~ServerState() = default;

ServerState::ServerState(Config& config, storage::Keyspace& keyspace, CommandTable& commands,
                         const storage::Clock& clock)
    : config(config), keyspace(keyspace), commands(commands), clock(clock), acl(commands) {
  replication = std::make_unique<Replication>(*this);
  absl::BitGen gen;
  for (int i = 0; i < 40; ++i) run_id += "0123456789abcdef"[absl::Uniform(gen, 0, 16)];
  start_time_ms = clock.NowMs();
  // Lazy and active expiry both end here, so `expired` is announced exactly once per key.
  // requirepass is the default user's password (Redis's ACLUpdateDefaultUserPassword).
  acl.set_pubsub_default_all(config.acl_pubsub_default_all());
  if (!config.requirepass().empty()) acl.SetDefaultPassword(config.requirepass());
  config.OnChange("requirepass", [this] { acl.SetDefaultPassword(this->config.requirepass()); });
  config.OnChange("acl-pubsub-default",
                  [this] { acl.set_pubsub_default_all(this->config.acl_pubsub_default_all()); });
  // CONFIG REWRITE keeps the users in the config file unless they live in an aclfile.
  config.SetUserLinesProvider([this]() -> std::vector<std::string> {
    if (!this->config.aclfile().empty()) return {};
    return acl.UserLines();
  });
  keyspace.set_expired_listener([this](int db, std::string_view key) {
    NotifyKeyspaceEvent(*this, kNotifyExpired, "expired", key, db);
  });
  // Evictions too (Redis's performEvictions: signalModifiedKey, then the `evicted` event).
  keyspace.set_evicted_listener([this](int db, std::string_view key) {
    NotifyKeyspaceEvent(*this, kNotifyEvicted, "evicted", key, db);
  });
  keyspace.set_created_listener([this](int db, std::string_view key) {
    stats.keys_created.fetch_add(1, std::memory_order_relaxed);
    NotifyKeyspaceEvent(*this, kNotifyNew, "new", key, db);
  });
  metrics.AddSource([this](std::vector<prometheus::MetricFamily>* out) { CollectRedisMetrics(*this, out); });
  keyspace.set_missed_listener([this](int db, std::string_view key) {
    NotifyKeyspaceEvent(*this, kNotifyKeyMiss, "keymiss", key, db);
  });
}

}  // namespace sessionkv::server

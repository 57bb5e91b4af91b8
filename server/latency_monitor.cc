// SPDX-License-Identifier: Apache-2.0
#include "server/latency_monitor.h"

#include <algorithm>

namespace sessionkv::server {

namespace {
constexpr size_t kHistoryLen = 160;  // LATENCY_TS_LEN in Redis
}  // namespace

void LatencyMonitor::Record(std::string_view event, int64_t time_sec, int64_t latency_ms) {
  std::lock_guard lock(mu_);
  Event& e = events_[event];
  e.max_ms = std::max(e.max_ms, latency_ms);
  // One sample per second: a second event in the same second keeps the larger latency.
  if (!e.samples.empty() && e.samples.back().first == time_sec) {
    e.samples.back().second = std::max(e.samples.back().second, latency_ms);
    return;
  }
  e.samples.emplace_back(time_sec, latency_ms);
  if (e.samples.size() > kHistoryLen) e.samples.pop_front();
}

std::vector<LatencyMonitor::LatestEvent> LatencyMonitor::Latest() const {
  std::lock_guard lock(mu_);
  std::vector<LatestEvent> out;
  for (const auto& [name, e] : events_) {
    if (e.samples.empty()) continue;
    out.push_back({name, e.samples.back().first, e.samples.back().second, e.max_ms});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::vector<std::pair<int64_t, int64_t>> LatencyMonitor::History(std::string_view event) const {
  std::lock_guard lock(mu_);
  auto it = events_.find(event);
  if (it == events_.end()) return {};
  return {it->second.samples.begin(), it->second.samples.end()};
}

int64_t LatencyMonitor::Reset(const std::vector<std::string_view>& events) {
  std::lock_guard lock(mu_);
  if (events.empty()) {
    const int64_t n = static_cast<int64_t>(events_.size());
    events_.clear();
    return n;
  }
  int64_t n = 0;
  for (std::string_view name : events) n += events_.erase(name);
  return n;
}

}  // namespace sessionkv::server

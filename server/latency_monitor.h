// SPDX-License-Identifier: Apache-2.0
// LATENCY: events slower than latency-monitor-threshold (ms), as Redis's latency monitor keeps them: the
// latest and the maximum per event, and a history of up to 160 samples (one per second at most).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/strings.h"

namespace sessionkv::server {

class LatencyMonitor {
 public:
  struct LatestEvent {
    std::string name;
    int64_t time_sec;
    int64_t latest_ms;
    int64_t max_ms;
  };

  void Record(std::string_view event, int64_t time_sec, int64_t latency_ms);
  std::vector<LatestEvent> Latest() const;
  std::vector<std::pair<int64_t, int64_t>> History(std::string_view event) const;
  // Resets the named events (all when empty); returns how many were reset.
  int64_t Reset(const std::vector<std::string_view>& events);

 private:
  struct Event {
    std::deque<std::pair<int64_t, int64_t>> samples;  // (time sec, latency ms), oldest first
    int64_t max_ms = 0;
  };
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, Event, StringViewHash, StringViewEq> events_;
};

}  // namespace sessionkv::server

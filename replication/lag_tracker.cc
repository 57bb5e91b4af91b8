// SPDX-License-Identifier: Apache-2.0
#include "replication/lag_tracker.h"

#include <algorithm>

#include "base/strings.h"

namespace sessionkv::replication {

LagTracker::LagTracker(uint64_t last_seq, size_t max_points)
    : max_points_(std::max<size_t>(max_points, 4)), last_seq_(last_seq) {}

void LagTracker::OnCommit(uint64_t first_seq, uint64_t last_seq, int64_t commit_ms) {
  std::lock_guard lock(mu_);
  if (last_seq <= last_seq_) return;
  last_seq_ = last_seq;
  // One point per millisecond: a later batch of the same millisecond has the same commit time.
  if (!points_.empty() && points_.back().commit_ms >= commit_ms) return;
  points_.push_back({.seq = first_seq, .commit_ms = commit_ms});
  if (points_.size() > max_points_) Thin();
}

// Drops every other point of the older half. The batches a dropped point covered now map to the
// point before it, an earlier time: their lag reads higher, never lower. The oldest point stays, so
// coverage does not shrink; the newer half stays exact.
void LagTracker::Thin() {
  const size_t half = points_.size() / 2;
  std::deque<Point> kept;
  for (size_t i = 0; i < points_.size(); ++i) {
    if (i >= half || i % 2 == 0) kept.push_back(points_[i]);
  }
  points_.swap(kept);
}

int64_t LagTracker::CommitMsOf(uint64_t seq) const {
  auto it = std::upper_bound(points_.begin(), points_.end(), seq,
                             [](uint64_t s, const Point& p) { return s < p.seq; });
  if (it == points_.begin()) return points_.front().commit_ms;  // older than every point kept
  return std::prev(it)->commit_ms;
}

ReplicaLag LagTracker::LagOf(const Replica& r, int64_t now_ms) const {
  ReplicaLag lag{.acked_seq = r.acked, .synced_seq = r.synced, .last_ack_ms = r.last_ack_ms};
  if (r.acked >= last_seq_) return lag;
  lag.behind_seqs = last_seq_ - r.acked;
  if (points_.empty()) return lag;  // behind batches committed before tracking began: time unknown
  const int64_t pending_since = CommitMsOf(r.acked + 1);
  lag.lag_ms = std::max<int64_t>(0, now_ms - pending_since);
  lag.lag_seconds = (lag.lag_ms + 999) / 1000;
  lag.stalled_ms = std::max<int64_t>(0, now_ms - std::max(pending_since, r.advanced_ms));
  return lag;
}

void LagTracker::AddReplica(const std::string& id, uint64_t acked_seq, int64_t now_ms) {
  std::lock_guard lock(mu_);
  replicas_[id] =
      Replica{.acked = acked_seq, .synced = 0, .last_ack_ms = now_ms, .advanced_ms = now_ms};
}

void LagTracker::RemoveReplica(const std::string& id) {
  std::lock_guard lock(mu_);
  replicas_.erase(id);
}

absl::Status LagTracker::OnAck(const std::string& id, uint64_t applied_seq, uint64_t synced_seq,
                               int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = replicas_.find(id);
  if (it == replicas_.end()) return absl::NotFoundError(StrCat("no replica ", id));
  Replica& r = it->second;
  if (applied_seq > last_seq_) {
    return absl::OutOfRangeError(StrCat("replica ", id, " acked seq ", applied_seq,
                                        ", past the primary's newest ", last_seq_));
  }
  r.last_ack_ms = now_ms;
  if (applied_seq > r.acked) {
    r.acked = applied_seq;
    r.advanced_ms = now_ms;
  }
  r.synced = std::max(r.synced, std::min(synced_seq, r.acked));
  return absl::OkStatus();
}

std::optional<ReplicaLag> LagTracker::Lag(const std::string& id, int64_t now_ms) const {
  std::lock_guard lock(mu_);
  auto it = replicas_.find(id);
  if (it == replicas_.end()) return std::nullopt;
  return LagOf(it->second, now_ms);
}

int LagTracker::CountAcked(uint64_t seq) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(replicas_.begin(), replicas_.end(),
                                        [&](const auto& kv) { return kv.second.acked >= seq; }));
}

int LagTracker::CountSynced(uint64_t seq) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(replicas_.begin(), replicas_.end(),
                                        [&](const auto& kv) { return kv.second.synced >= seq; }));
}

int LagTracker::CountWithLagAtMost(int64_t max_lag_ms, int64_t now_ms) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(replicas_.begin(), replicas_.end(), [&](const auto& kv) {
    return LagOf(kv.second, now_ms).lag_ms <= max_lag_ms;
  }));
}

uint64_t LagTracker::last_seq() const {
  std::lock_guard lock(mu_);
  return last_seq_;
}

size_t LagTracker::points() const {
  std::lock_guard lock(mu_);
  return points_.size();
}

}  // namespace sessionkv::replication

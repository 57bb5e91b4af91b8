// SPDX-License-Identifier: Apache-2.0
// Replication lag on one clock (docs/replication.md, "Acks, heartbeats, timeouts, lag"; shared
// replication.md 4.9). The primary remembers when it committed each recent batch (seq ->
// commit_ms), and each replica's acked (applied) and synced sequences. A replica's lag is
//
//   lag_ms = now_primary - commit_ms(the first batch it has not acked), or 0 when it has acked
//   everything
//
// so no clock of another cloud enters the number. Redis's `lag` field in INFO's slaveN line is kept
// for compatibility as ceil(lag_ms / 1000) seconds.
//
// Memory is bounded: commit times are kept once per distinct millisecond (the first sequence
// committed in it), and when `max_points` is reached every other old point is dropped. A dropped
// point makes the lag of a batch look older than it is, never younger, so min-replicas-max-lag errs
// on the safe side; recent batches keep their exact times. A replica behind the oldest point is
// lagging at least since then.
//
// Thread-safe: the writer thread records commits, connection threads record acks, INFO and WAIT
// read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

namespace sessionkv::replication {

struct ReplicaLag {
  uint64_t acked_seq = 0;    // applied on the replica
  uint64_t synced_seq = 0;   // durable on the replica
  uint64_t behind_seqs = 0;  // primary's last sequence - acked_seq
  int64_t lag_ms = 0;
  int64_t lag_seconds = 0;  // Redis's `lag`: ceil(lag_ms / 1000)
  int64_t last_ack_ms = 0;  // primary clock when the last Ack arrived
  // How long data has been pending without the ack advancing (repl-timeout's progress check); 0
  // when the replica has acked everything.
  int64_t stalled_ms = 0;
};

class LagTracker {
 public:
  explicit LagTracker(uint64_t last_seq = 0, size_t max_points = 1 << 16);

  // The writer committed [first_seq, last_seq] at commit_ms (primary clock). Sequences must grow.
  void OnCommit(uint64_t first_seq, uint64_t last_seq, int64_t commit_ms);

  // A replica connected (starting at `acked_seq`, what it said it had), or left.
  void AddReplica(const std::string& id, uint64_t acked_seq, int64_t now_ms);
  void RemoveReplica(const std::string& id);
  // An Ack arrived. Sequences never go back (a stale ack reordered behind a newer one changes
  // nothing).
  absl::Status OnAck(const std::string& id, uint64_t applied_seq, uint64_t synced_seq,
                     int64_t now_ms);

  std::optional<ReplicaLag> Lag(const std::string& id, int64_t now_ms) const;
  // WAIT numreplicas: replicas whose applied sequence reached `seq`.
  int CountAcked(uint64_t seq) const;
  // WAITAOF's replica count: replicas whose synced sequence reached `seq`.
  int CountSynced(uint64_t seq) const;
  // min-replicas-to-write / min-replicas-max-lag: replicas with lag_ms <= max_lag_ms.
  int CountWithLagAtMost(int64_t max_lag_ms, int64_t now_ms) const;

  uint64_t last_seq() const;
  size_t points() const;

 private:
  struct Point {
    uint64_t seq;  // the first sequence committed at this millisecond
    int64_t commit_ms;
  };
  struct Replica {
    uint64_t acked = 0;
    uint64_t synced = 0;
    int64_t last_ack_ms = 0;
    int64_t advanced_ms = 0;  // primary clock when acked last grew (or the replica was added)
  };

  // The commit time of the batch holding `seq` (or an earlier one, after thinning). mu_ held.
  int64_t CommitMsOf(uint64_t seq) const;
  ReplicaLag LagOf(const Replica& r, int64_t now_ms) const;
  void Thin();

  const size_t max_points_;
  mutable std::mutex mu_;
  std::deque<Point> points_;
  uint64_t last_seq_;
  absl::flat_hash_map<std::string, Replica> replicas_;
};

}  // namespace sessionkv::replication

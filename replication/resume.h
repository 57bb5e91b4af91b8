// SPDX-License-Identifier: Apache-2.0
// The primary's answer to `SKVSYNC <history_id> <next_seq> <replica_uuid>` (docs/replication.md,
// "The resume decision"; shared replication.md 4.3), as a pure function of what the replica claims
// and what the primary knows, so every row of the table is a unit test:
//
//   CONTINUE  the replica's position is on the primary's chain of histories, the batch there
//   carries the
//             history the chain says it should, and the log still holds next_seq: stream from
//             next_seq.
//   FULL      the same, but the log no longer holds next_seq ("retention exceeded ..."), or the
//   replica is
//             new, or its history is unknown and the primary is not much smaller than it.
//   DIVERGED  the replica has batches the primary's chain never had: it is past the point where its
//             history was closed (an old primary rejoining), or past the primary's newest sequence
//             (a replica ahead of a primary that lost its last second in a node crash). It saves
//             batches (fork_seq, its end] for audit, then takes a full sync. Nothing is discarded
//             silently.
//   REFUSE    the replica's history is unknown and the primary holds far fewer keys: a primary
//   restarted
//             from an empty or restored directory must not wipe the replica. Only FORCE-RESYNC (or
//             repl-allow-resync-from-behind) lets it through.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "replication/history.h"

namespace sessionkv::replication {

enum class ResumeKind : uint8_t { kContinue, kFull, kDiverged, kRefuse };
std::string_view ResumeKindName(ResumeKind kind);  // "CONTINUE", "FULL", "DIVERGED", "REFUSE"

// What the replica sends. An empty history_id means it has no history (a new replica).
struct ResumeRequest {
  std::string history_id;
  uint64_t next_seq = 1;      // its last applied sequence + 1
  uint64_t replica_keys = 0;  // how many keys it serves (REFUSE's comparison)
  bool force_resync = false;  // REPLICAOF host port FORCE-RESYNC
};

// What the primary knows at the moment of the decision.
struct PrimaryView {
  const HistoryList* history = nullptr;  // its chain, current entry open; required
  uint64_t last_seq = 0;                 // newest committed sequence
  uint64_t oldest_retained_seq = 1;      // the first sequence the WAL still holds
  // The history id in the LogData tag of the batch holding next_seq - 1, when the WAL still holds
  // it (nullopt when it does not, or next_seq - 1 is 0).
  std::optional<std::string> tag_at_resume_point;
  uint64_t keys = 0;
  double resync_min_key_ratio = 0.5;      // repl-resync-min-key-ratio
  bool allow_resync_from_behind = false;  // repl-allow-resync-from-behind
  // For the "retention exceeded" reason only: what the log retains and its limits.
  uint64_t retained_bytes = 0;
  int64_t retained_ms = 0;  // age of the oldest retained batch
  uint64_t retention_limit_mb = 0;
  uint64_t retention_limit_s = 0;
};

struct ResumeDecision {
  ResumeKind kind = ResumeKind::kFull;
  std::string reason;      // one line for both sides' logs
  uint64_t start_seq = 0;  // CONTINUE: first sequence sent
  uint64_t fork_seq = 0;   // DIVERGED: the last sequence both sides share
  // Redis's counters: CONTINUE counts sync_partial_ok; a replica that asked to resume (it named a
  // history) and did not get CONTINUE counts sync_partial_err; every FULL and DIVERGED counts
  // sync_full.
  bool partial_ok() const { return kind == ResumeKind::kContinue; }
};

ResumeDecision DecideResume(const ResumeRequest& request, const PrimaryView& primary);

}  // namespace sessionkv::replication

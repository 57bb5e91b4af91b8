// SPDX-License-Identifier: Apache-2.0
#include "replication/resume.h"

#include "base/strings.h"

namespace sessionkv::replication {

std::string_view ResumeKindName(ResumeKind kind) {
  switch (kind) {
    case ResumeKind::kContinue:
      return "CONTINUE";
    case ResumeKind::kFull:
      return "FULL";
    case ResumeKind::kDiverged:
      return "DIVERGED";
    case ResumeKind::kRefuse:
      return "REFUSE";
  }
  return "?";
}

namespace {

ResumeDecision Full(std::string reason) {
  return {.kind = ResumeKind::kFull, .reason = std::move(reason)};
}

ResumeDecision Diverged(uint64_t fork_seq, std::string reason) {
  return {.kind = ResumeKind::kDiverged, .reason = std::move(reason), .fork_seq = fork_seq};
}

// The replica's history is not on the primary's chain: a full sync replaces its data, which is only
// allowed when the primary is not much smaller (or the operator said so).
ResumeDecision UnknownHistory(const ResumeRequest& req, const PrimaryView& primary) {
  const std::string what = req.history_id.empty() ? std::string("replica has no history")
                                                  : StrCat("unknown history ", req.history_id);
  const bool behind = req.replica_keys > 0 &&
                      static_cast<double>(primary.keys) <
                          primary.resync_min_key_ratio * static_cast<double>(req.replica_keys);
  if (behind && !req.force_resync && !primary.allow_resync_from_behind) {
    return {.kind = ResumeKind::kRefuse,
            .reason = StrCat(what, ": the primary has ", primary.keys, " keys, fewer than ",
                             primary.resync_min_key_ratio, " x the replica's ", req.replica_keys,
                             "; refusing to replace the replica's data (REPLICAOF host port "
                             "FORCE-RESYNC overrides)")};
  }
  return Full(what);
}

std::string RetentionExceeded(const ResumeRequest& req, const PrimaryView& primary) {
  return StrCat("retention exceeded: the replica needs seq ", req.next_seq, ", the log holds from ",
                primary.oldest_retained_seq, " (", primary.oldest_retained_seq - req.next_seq,
                " sequences short; it keeps ", primary.retained_bytes >> 20, " MB over ",
                primary.retained_ms / 1000, " s, limits ", primary.retention_limit_mb, " MB / ",
                primary.retention_limit_s, " s)");
}

}  // namespace

ResumeDecision DecideResume(const ResumeRequest& req, const PrimaryView& primary) {
  const HistoryList& chain = *primary.history;
  if (req.history_id.empty() && req.replica_keys == 0) return Full("new replica");
  const HistoryEntry* claimed = req.history_id.empty() ? nullptr : chain.Find(req.history_id);
  if (claimed == nullptr) return UnknownHistory(req, primary);

  const uint64_t applied = req.next_seq == 0 ? 0 : req.next_seq - 1;
  // Past the end of its history: the replica holds batches this primary never wrote there.
  const uint64_t end = claimed->open() ? primary.last_seq : claimed->last_seq;
  if (applied > end) {
    if (claimed->open()) {
      return Diverged(end, StrCat("replica is at seq ", applied, ", past the primary's newest ",
                                  end, " on history ", claimed->id));
    }
    return Diverged(end, StrCat("replica is at seq ", applied, " on history ", claimed->id,
                                ", which the primary closed at ", end));
  }
  // The batch at the resume point must carry the history the chain says covers it.
  if (primary.tag_at_resume_point.has_value() && applied > 0) {
    const HistoryEntry* covering = chain.Covering(applied, primary.last_seq);
    if (covering != nullptr && *primary.tag_at_resume_point != covering->id) {
      return Diverged(
          covering->first_seq - 1,
          StrCat("the batch at seq ", applied, " carries history ", *primary.tag_at_resume_point,
                 ", the primary's list says ", covering->id));
    }
  }
  if (req.next_seq <= primary.last_seq && req.next_seq < primary.oldest_retained_seq) {
    return Full(RetentionExceeded(req, primary));
  }
  return {.kind = ResumeKind::kContinue,
          .reason = StrCat("continue from seq ", req.next_seq, " on history ", claimed->id),
          .start_seq = req.next_seq};
}

}  // namespace sessionkv::replication

// SPDX-License-Identifier: Apache-2.0
// Histories (docs/replication.md, "Histories"; shared replication.md 4.2): which primary
// incarnation wrote which range of sequence numbers. Sequences are RocksDB's, equal on primary and
// replicas (lockstep), so a sequence alone does not say whose write it is: a primary that restarted
// after losing its last second (everysec), or a replica promoted while the old primary kept
// writing, reuse the same numbers for other data. The history list makes that visible: an ordered
// chain of (id, epoch, first_seq, last_seq), the last entry open while it is current. A new id is
// minted on every primary start and every promotion.
//
// The list lives in the `repl-state` file beside the data (never in RocksDB: nothing but the stream
// may write a replica's RocksDB), together with the node's own id. It is replaced atomically:
// written to a temporary file, fsynced, renamed over the old one, and the directory fsynced.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sessionkv::replication {

// The last_seq of the open (current) entry.
inline constexpr uint64_t kOpenSeq = UINT64_MAX;

struct HistoryEntry {
  std::string id;          // 40 lowercase hex characters
  uint64_t epoch = 0;      // >= 1; raised by promotion only
  uint64_t first_seq = 0;  // the first sequence written under this id
  uint64_t last_seq =
      kOpenSeq;  // the last one, or kOpenSeq while current; first_seq - 1 when empty

  bool open() const { return last_seq == kOpenSeq; }
  // Whether `seq` lies in this entry, with `primary_last` standing in for an open end.
  bool Covers(uint64_t seq, uint64_t primary_last) const {
    return seq >= first_seq && seq <= (open() ? primary_last : last_seq);
  }
  bool operator==(const HistoryEntry&) const = default;
};

// 40 random lowercase hex characters (Redis's replication id length), from `rng`.
std::string MintHistoryId(std::mt19937_64& rng);
// A generator seeded from std::random_device, for MintHistoryId outside tests.
std::mt19937_64 SeededRng();

class HistoryList {
 public:
  HistoryList() = default;
  explicit HistoryList(std::vector<HistoryEntry> entries) : entries_(std::move(entries)) {}

  // The chain is well formed: ids are 40 hex characters and distinct, epochs >= 1 and never
  // decrease, each entry starts right after the previous one ends, only the last may be open.
  absl::Status Validate() const;

  bool empty() const { return entries_.empty(); }
  const std::vector<HistoryEntry>& entries() const { return entries_; }
  // The newest entry (the current history while it is open). Requires !empty().
  const HistoryEntry& current() const { return entries_.back(); }
  uint64_t epoch() const { return entries_.empty() ? 0 : entries_.back().epoch; }

  const HistoryEntry* Find(std::string_view id) const;
  // The entry whose range holds `seq` (an open end reaching to `primary_last`); nullptr if none.
  const HistoryEntry* Covering(uint64_t seq, uint64_t primary_last) const;

  // A primary starts with `recovered_seq` as its newest sequence: the open entry (if any) is closed
  // there and a new one opens at recovered_seq + 1, same epoch (a restart supersedes nobody; epoch
  // 1 when the list was empty). Returns the new id.
  const HistoryEntry& MintOnStart(uint64_t recovered_seq, std::mt19937_64& rng);
  // A replica is promoted with `last_applied` as its newest sequence: the current entry is closed
  // there and a new one opens at last_applied + 1 with epoch + 1, so the old primary, seeing the
  // higher epoch, knows it was superseded.
  const HistoryEntry& MintOnPromotion(uint64_t last_applied, std::mt19937_64& rng);

  // Keeps at most `max_entries` (the newest). Entries that old cover sequences no WAL still holds.
  void Prune(size_t max_entries);

  bool operator==(const HistoryList&) const = default;

 private:
  const HistoryEntry& Open(uint64_t last_seq, uint64_t epoch, std::mt19937_64& rng);

  std::vector<HistoryEntry> entries_;
};

// The repl-state file's content.
struct ReplState {
  std::string node_id;  // this node's own id (the replica_uuid of SKVSYNC), minted once
  HistoryList history;  // a primary's own chain, or the chain a replica adopted from its primary

  bool operator==(const ReplState&) const = default;
};

// Text form, one record a line, so an operator can read it:
//   sessionkv-repl-state 1
//   node <id>
//   history <id> <epoch> <first_seq> <last_seq|open>
std::string FormatReplState(const ReplState& state);
absl::StatusOr<ReplState> ParseReplState(std::string_view text);

// NotFound when the file does not exist (a node that never replicated); DataLoss when it cannot be
// parsed.
absl::StatusOr<ReplState> LoadReplState(const std::string& path);
// Writes `path`.tmp, fsyncs it, renames it over `path`, fsyncs the directory: a crash leaves the
// old file or the new one, never a mix.
absl::Status SaveReplState(const std::string& path, const ReplState& state);

}  // namespace sessionkv::replication

// SPDX-License-Identifier: Apache-2.0
// RocksDB checkpoints for a replica's full sync (docs/replication.md, "Full sync"): an openable
// copy of the database made of hard links to its SSTs and copies of the small files (MANIFEST,
// OPTIONS, the live WAL), with no fork and no copy-on-write. replication/snapshot.h streams one to
// a replica, which opens it and then applies the primary's batches that follow its sequence.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace sessionkv::storage {

// While the WALs total less than this, a checkpoint copies them instead of flushing the memtables:
// a sync right after a restart or under light load then costs no flush (and no extra L0 file).
inline constexpr uint64_t kCheckpointWalCopyBytes = 64ull << 20;

// One file of a checkpoint directory.
struct CheckpointFile {
  std::string name;  // relative to the directory, no '/'
  uint64_t size = 0;
};

// Creates a checkpoint of `db` in `dir`, which must not exist (its parent must), and returns the
// sequence number it holds: exactly its newest record, so a replica that opens it continues with
// the primary's batch at that sequence + 1. With WALs of at least `log_size_for_flush` bytes the
// memtables are flushed first (0 always flushes); otherwise the WALs are copied into the
// checkpoint.
absl::StatusOr<uint64_t> CreateCheckpoint(rocksdb::DB* db, const std::string& dir,
                                          uint64_t log_size_for_flush = kCheckpointWalCopyBytes);

// The sequence number a checkpoint (or any closed database directory) holds, by opening it
// read-only: what DB::Open's GetLatestSequenceNumber() will report on it.
absl::StatusOr<uint64_t> CheckpointSequence(const std::string& dir);

// The files of a checkpoint directory in the order a sender streams them: by name, CURRENT last, so
// a receiver that has CURRENT has everything else. An entry that is not a regular file is an error
// (a checkpoint is flat; streaming only part of a directory would make a replica that cannot open
// it).
absl::StatusOr<std::vector<CheckpointFile>> ListCheckpoint(const std::string& dir);

// Removes `dir` and everything under it (a checkpoint once its sync ended, a replica's stale
// staging directory). A missing directory is not an error.
absl::Status RemoveTree(const std::string& dir);

}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
// Full sync by checkpoint (docs/replication.md, "Full sync"): the primary streams the files of a
// RocksDB checkpoint (storage/checkpoint.h) as SnapshotChunk frames, the replica writes them into a
// staging directory, verifies them and then opens it as its database.
//
// Both sides work chunk by chunk: memory stays at one chunk whatever the file sizes. Every file's
// crc32c (Castagnoli, what RocksDB and iSCSI use; not zlib's crc32) travels on its last chunk, and
// a final chunk with `snapshot_done` follows every file. A dropped link costs no restart: the
// receiver knows how far it got (resume_point), the sender continues from there (Start). Neither
// side knows sockets; the connection code pulls chunks as the socket drains (back-pressure) and
// throttles them (repl-fullsync-max-mbps).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "replication/repl.pb.h"
#include "storage/checkpoint.h"

namespace sessionkv::replication {

// 1 MB chunks: large enough that per-frame overhead vanishes, small enough to interleave
// heartbeats.
inline constexpr size_t kDefaultChunkBytes = 1u << 20;
// Below this a chunk would be mostly header.
inline constexpr size_t kMinChunkBytes = 256;

// crc32c of `data` continuing `crc` (0 to start): Crc32c(Crc32c(0, a), b) == Crc32c(0, a + b).
uint32_t Crc32c(uint32_t crc, std::string_view data);
namespace internal {
// The table version Crc32c falls back to on CPUs without SSE4.2 (tested against the instruction).
uint32_t Crc32cPortable(uint32_t crc, std::string_view data);
}  // namespace internal

// Where a transfer stands: `file` is the file in progress with `offset` bytes of it received, or
// the last complete file with offset == its size; an empty file name means nothing was received
// yet.
struct SnapshotPosition {
  std::string file;
  uint64_t offset = 0;
};

// Whether a chunk is worth the connection's zstd: SST and blob files are block-compressed already,
// everything else (WAL, MANIFEST, OPTIONS) is not.
bool ChunkWantsCompression(const pb::SnapshotChunk& chunk);

// "Full sync: 12.3 MB of 456.7 MB sent (2%)".
std::string SnapshotProgressText(uint64_t sent, uint64_t total);

// Streams one checkpoint directory; its files must not change while it does (a checkpoint's never
// do).
class SnapshotSender {
 public:
  // Lists `dir` (storage::ListCheckpoint); each chunk's serialized SnapshotChunk is at most
  // `chunk_bytes` (>= kMinChunkBytes, and large enough for the longest file name's header).
  static absl::StatusOr<std::unique_ptr<SnapshotSender>> Open(
      const std::string& dir, size_t chunk_bytes = kDefaultChunkBytes);
  ~SnapshotSender();
  SnapshotSender(const SnapshotSender&) = delete;
  SnapshotSender& operator=(const SnapshotSender&) = delete;

  // Positions the transfer after `from`, the receiver's resume_point() (the default: from the
  // start). Continuing inside a file re-reads its first `offset` bytes locally for the file's
  // crc32c. NotFound for a file the checkpoint does not have, OutOfRange for an offset past its
  // end: the replica must start over.
  absl::Status Start(const SnapshotPosition& from = {});

  // Fills `chunk` (cleared first; its buffers are reused) with the next piece: true if it holds
  // one, false once the snapshot_done chunk has been handed out. A read error is returned as is.
  absl::StatusOr<bool> Next(pb::SnapshotChunk* chunk);

  // Progress: data bytes handed out (a resumed transfer counts what the receiver already had) of
  // all.
  uint64_t bytes_sent() const { return bytes_sent_; }
  uint64_t total_bytes() const { return total_bytes_; }
  std::string ProgressText() const { return SnapshotProgressText(bytes_sent_, total_bytes_); }
  const std::vector<storage::CheckpointFile>& files() const { return files_; }
  size_t chunk_bytes() const { return chunk_bytes_; }
  bool done() const { return done_; }

 private:
  SnapshotSender(std::string dir, std::vector<storage::CheckpointFile> files, size_t chunk_bytes);
  absl::Status OpenCurrentFile();
  void CloseFile();
  size_t DataBudget(const storage::CheckpointFile& file) const;
  absl::Status ReadAt(uint64_t offset, size_t n, char* out) const;

  std::string dir_;
  std::vector<storage::CheckpointFile> files_;
  size_t chunk_bytes_;
  uint64_t total_bytes_ = 0;
  size_t index_ = 0;     // the file being sent; files_.size() once all were
  uint64_t offset_ = 0;  // in files_[index_]
  uint32_t crc_ = 0;     // of files_[index_]'s bytes before offset_
  int fd_ = -1;          // files_[index_], open while it is being sent
  uint64_t bytes_sent_ = 0;
  bool done_ = false;
};

// Writes a snapshot into a staging directory. Any inconsistency (a gap or overlap in offsets, a
// size that changes, a crc32c that does not match, an unsafe file name, a chunk after the end) is
// an error that sticks: the caller drops the staging directory and starts the full sync over.
class SnapshotReceiver {
 public:
  // Creates `dir` (its parent must exist); AlreadyExists if it does (remove a stale staging
  // directory with storage::RemoveTree first).
  static absl::StatusOr<std::unique_ptr<SnapshotReceiver>> Create(const std::string& dir);
  ~SnapshotReceiver();
  SnapshotReceiver(const SnapshotReceiver&) = delete;
  SnapshotReceiver& operator=(const SnapshotReceiver&) = delete;

  // Writes one chunk. A file is fsynced when its last chunk arrives and its crc32c matched; the
  // directory is fsynced at snapshot_done, which requires CURRENT to have arrived.
  absl::Status Apply(const pb::SnapshotChunk& chunk);

  // The snapshot_done chunk arrived and everything is on disk: `dir` can be opened.
  bool done() const { return done_; }
  // What to ask the sender for after a dropped link.
  SnapshotPosition resume_point() const;
  uint64_t bytes_received() const { return bytes_received_; }
  size_t files_received() const { return complete_.size(); }
  const std::string& dir() const { return dir_; }

 private:
  explicit SnapshotReceiver(std::string dir) : dir_(std::move(dir)) {}
  absl::Status ApplyChunk(const pb::SnapshotChunk& chunk);
  absl::Status BeginFile(const pb::SnapshotChunk& chunk);
  absl::Status FinishFile(const pb::SnapshotChunk& chunk);
  absl::Status Finish();

  std::string dir_;
  absl::Status error_;
  bool done_ = false;
  int fd_ = -1;          // the file in progress
  std::string current_;  // its name, or the last complete file's while fd_ < 0
  uint64_t size_ = 0;
  uint64_t written_ = 0;
  uint32_t crc_ = 0;
  std::unordered_set<std::string> complete_;
  uint64_t bytes_received_ = 0;
};

}  // namespace sessionkv::replication

// SPDX-License-Identifier: Apache-2.0
// The ordered commit log and its group commit (docs/persistence.md, "Ordering and group commit").
//
// Append() takes one command's batch (its records in RocksDB's WriteBatch format) and gives it the next
// ticket; it only copies bytes under a mutex, so commands call it while they still hold their shard
// locks and the log order is the memory order of every key. Commit(t) makes everything up to ticket t
// durable: one caller at a time (the leader) takes every batch appended so far, from every thread, and
// writes it as one WriteBatch (fsynced under appendfsync always); callers that arrive meanwhile wait
// for that write and usually find their ticket covered by it. A write that fails puts its batches back
// at the front of the log, in order, so nothing appended is lost or reordered: a later Commit (or the
// engine's background retry) writes them once the disk recovers.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "storage/engine.h"

namespace rocksdb {
class WriteBatch;
}

namespace sessionkv::storage {

// Where the log writes its groups: the RocksDB engine, or a fake in tests.
class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  // Writes one group, a WriteBatch representation (12-byte header, then records), durably in the WAL's
  // page cache, and fsynced when `sync`. On failure `rep` is left as it was.
  virtual absl::Status Write(std::string& rep, bool sync) = 0;
  // fsyncs what was written so far.
  virtual absl::Status Sync() = 0;
};

// Counters for INFO persistence.
struct CommitStats {
  uint64_t appended_batches = 0;   // tickets issued
  uint64_t written_groups = 0;     // WriteBatches written (each one or more command batches)
  uint64_t written_records = 0;
  uint64_t written_bytes = 0;
  uint64_t syncs = 0;              // fsyncs of the WAL (sync writes and SyncWAL calls)
  uint64_t failed_writes = 0;
  uint64_t pending_batches = 0;    // appended, not yet written
  uint64_t pending_bytes = 0;
};

class CommitLog {
 public:
  CommitLog(BatchWriter& writer, FsyncPolicy policy);
  CommitLog(const CommitLog&) = delete;
  CommitLog& operator=(const CommitLog&) = delete;

  FsyncPolicy policy() const { return policy_.load(std::memory_order_relaxed); }
  void set_policy(FsyncPolicy policy) { policy_.store(policy, std::memory_order_relaxed); }

  // Appends `batch`'s records as one atomic batch; returns its ticket (0 for an empty batch).
  uint64_t Append(const rocksdb::WriteBatch& batch);
  // See Engine::Commit.
  CommitResult Commit(uint64_t ticket);
  // Writes whatever is pending (the engine's background retry and straggler flush); same result.
  CommitResult CommitAll() { return Commit(last_ticket()); }
  // everysec: fsyncs everything written so far (no leader needed: RocksDB syncs alongside writes).
  absl::Status SyncWritten();

  // The highest ticket whose reply may be sent: written under everysec and no, fsynced under always.
  uint64_t durable() const {
    return policy() == FsyncPolicy::kAlways ? synced_.load(std::memory_order_acquire)
                                            : written_.load(std::memory_order_acquire);
  }
  uint64_t written() const { return written_.load(std::memory_order_acquire); }
  uint64_t synced() const { return synced_.load(std::memory_order_acquire); }
  uint64_t last_ticket() const;
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  std::string error() const;
  CommitStats stats() const;
  // Bytes appended and not yet written (stats().pending_bytes alone).
  uint64_t pending_bytes() const;

  // Called with the duration of every successful WAL fsync (a sync write or SyncWritten), for the
  // server's latency histogram. Set before the first commit; called on the thread that synced.
  using SyncObserver = std::function<void(double seconds)>;
  void set_sync_observer(SyncObserver observer) { sync_observer_ = std::move(observer); }

 private:
  void Synced(std::chrono::steady_clock::time_point start);  // counts one fsync and reports its duration
  void RaiseSynced(uint64_t ticket);
  void Fail(const absl::Status& status);
  void Recovered();  // a write or sync succeeded: clears the failure

  BatchWriter& writer_;
  std::atomic<FsyncPolicy> policy_;

  mutable std::mutex mu_;  // guards the pending batches; held only to copy bytes
  std::string pending_;    // a WriteBatch representation: header, then the pending records
  uint32_t pending_count_ = 0;
  uint64_t pending_batches_ = 0;
  uint64_t last_ticket_ = 0;
  uint64_t appended_ = 0;

  std::mutex leader_mu_;  // one leader writes at a time
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> synced_{0};
  std::atomic<bool> failed_{false};
  std::string error_;  // guarded by mu_
  SyncObserver sync_observer_;
  std::atomic<uint64_t> groups_{0}, records_{0}, bytes_{0}, syncs_{0}, failures_{0};
};

}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
// The RocksDB durability engine (docs/persistence.md): the commit log writes into one RocksDB instance
// in `dir`/rocksdb, whose WAL is the durability log (and, later, the replication log).
//
// What it never does on the write path: disableWAL, unordered_write, manual_wal_flush or external file
// ingestion (each breaks the durability or the order replication relies on). WAL recovery is
// point-in-time, so a torn tail after a crash loads as a consistent prefix.
//
// Under appendfsync always the commit log's groups are written by a writer thread
// (storage/commit_writer.h), so I/O threads execute commands while the previous group is fsynced. A background thread wakes once a second: it fsyncs the WAL under everysec, writes batches nobody
// waits for (expiry deletes), and after a failed write asks RocksDB to resume and writes again, so the
// server recovers by itself once the disk has room.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/commit_log.h"
#include "storage/commit_writer.h"
#include "storage/engine.h"

namespace rocksdb {
class Cache;
class DB;
class WriteBatch;
class WriteBufferManager;
}  // namespace rocksdb

namespace sessionkv::storage {

enum class Compression : uint8_t { kNone, kSnappy, kLz4, kZstd };

// The rocksdb.* directives (server/config_params.cc), with the defaults chosen for a session store:
// little read caching (memory is authoritative; RocksDB is read at start-up and by compactions), lz4
// where compactions are frequent, zstd at the bottom where most bytes rest.
struct RocksOptions {
  std::string dir;  // the server's `dir`; the database lives in dir/rocksdb
  FsyncPolicy fsync = FsyncPolicy::kEverySec;
  uint64_t block_cache_bytes = 32ull << 20;
  uint64_t write_buffer_bytes = 64ull << 20;
  int max_write_buffers = 4;
  Compression compression = Compression::kLz4;
  Compression bottommost_compression = Compression::kZstd;
  int max_background_jobs = 2;
  bool wal_compression = false;  // zstd, when on
  // A replica re-reads the keys each replicated batch touched (storage/replica_apply.h), which a vector
  // memtable cannot serve (every read sorts a copy): replicas use RocksDB's skiplist.
  bool readable_memtable = false;
  // The replication log (repl-log-retention-mb/-seconds): WAL files stay this long after their data is
  // flushed, so a replica that lost the link resumes from them instead of taking a full sync.
  uint64_t wal_retention_mb = 4096;
  uint64_t wal_retention_seconds = 6 * 3600;
  // Where warnings go (a failed write, its recovery); stderr when unset. Called from any thread.
  std::function<void(const std::string&)> warn;
};

// What the engine knows about the data it found at open.
struct StoredState {
  std::vector<uint32_t> physical_dbs;  // logical -> physical, as last written (may be empty)
  uint64_t version_lease = 0;
  bool created = false;  // the directory held no database
};

// INFO persistence.
struct EngineInfo {
  CommitStats commit;
  uint64_t sst_bytes = 0;
  uint64_t wal_bytes = 0;
  uint64_t memtable_bytes = 0;
  uint64_t estimated_records = 0;
  uint64_t memory_bytes = 0;  // memtables, block cache, table readers
  bool bgsave_in_progress = false;
  bool compaction_in_progress = false;
  bool last_bgsave_ok = true;
  bool last_compaction_ok = true;
  int64_t last_save_unix = 0;
  uint64_t saves = 0;
  uint64_t compactions = 0;
  uint64_t changes_since_save = 0;  // records written since the last flush
};

class RocksEngine final : public Engine {
 public:
  ~RocksEngine() override;

  // Opens (creating if needed) the database in options.dir/rocksdb and starts the background thread.
  static absl::StatusOr<std::unique_ptr<RocksEngine>> Open(const RocksOptions& options);

  // Engine.
  bool recording() const override { return true; }
  uint64_t Append(MutationSink& sink) override;
  CommitResult Commit(uint64_t ticket) override;
  void CommitAsync(uint64_t ticket, CommitDone done) override;
  uint64_t durable() const override { return log_.durable(); }
  std::string write_error() const override { return log_.error(); }
  bool write_failed() const override { return log_.failed(); }
  uint64_t pending_bytes() const override { return log_.pending_bytes(); }

  // ---- Replication (docs/replication.md): the WAL is the replication log, its sequence the offset.
  // Called after each successful write of a group, on the writing thread, in sequence order, with the
  // group's first sequence, the sequences it used and its bytes (what a replica applies verbatim).
  using CommitListener = std::function<void(uint64_t first_seq, uint64_t count, const std::string& rep)>;
  void set_commit_listener(CommitListener fn);
  // The newest sequence written.
  uint64_t last_sequence() const;
  // A replica: the newest sequence its fsync policy has made durable (always: every applied batch; everysec:
  // what the last once-a-second sync covered; no: what was written, the OS flushes it). REPLCONF ACK's FACK.
  uint64_t synced_sequence() const;
  // A replica: writes the primary's batch (which must start at last_sequence() + 1, else
  // FailedPrecondition: a gap is never skipped) under the fsync policy. Nothing else may write.
  absl::Status ApplyReplicated(rocksdb::WriteBatch& batch, uint64_t first_seq);
  // Closes the database and opens it again, with a readable memtable (a replica) or not; when
  // `replace_with` names a directory (a full sync's staged checkpoint) it first becomes the database
  // and the old one is removed. Nothing may write meanwhile: the commit log must be idle.
  absl::Status Reopen(bool readable_memtable, const std::string& replace_with = "");

  const StoredState& stored() const { return stored_; }
  rocksdb::DB* db() const { return db_; }
  std::string path() const { return path_; }
  CommitLog& log() { return log_; }

  // CONFIG SET appendfsync.
  void SetFsyncPolicy(FsyncPolicy policy);
  FsyncPolicy fsync_policy() const { return log_.policy(); }

  // SAVE: writes what is pending, flushes the memtables and fsyncs the WAL; blocks.
  absl::Status Save();
  // The start-up load is done: background compactions, held back so they do not compete with the
  // loader for the cores and the disk, may run.
  void LoadFinished();
  // BGSAVE: the same on a background thread; false if one is already running.
  bool StartBackgroundSave();
  // BGREWRITEAOF: a full manual compaction on a background thread (stale records go, files shrink);
  // false if one is already running.
  bool StartBackgroundCompaction();
  bool background_save_running() const { return bgsave_running_.load(std::memory_order_acquire); }
  bool compaction_running() const { return compaction_running_.load(std::memory_order_acquire); }
  // Unix seconds of the last successful SAVE or BGSAVE (the open, before any): LASTSAVE.
  int64_t last_save_unix() const { return last_save_unix_.load(std::memory_order_relaxed); }
  EngineInfo Info() const;
  // Bytes RocksDB holds in memory: the memtables (live, from the write buffer manager's counter) and
  // the block cache and index readers (refreshed once a second). Cheap, any thread. Redis leaves its
  // AOF data (in the page cache) out of used_memory; this is its counterpart.
  uint64_t memory_bytes() const;

  // Writes what is pending, fsyncs, stops the background thread and closes the database. An error means
  // some pending batch could not be written (disk full) or the fsync failed: what was acknowledged
  // under that batch's policy is on disk regardless (docs/persistence.md, "A write that fails").
  absl::Status Close();

 private:
  class Writer;
  explicit RocksEngine(const RocksOptions& options);
  absl::Status OpenDb();
  void BackgroundLoop();
  void RefreshMemory();
  void Warn(const std::string& text) const;
  void JoinWorker(std::thread* t);
  void StartBackground();
  void StopBackground();
  void NotifyCommitted(const std::string& rep, uint64_t count);

  RocksOptions options_;
  std::string path_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers_;
  rocksdb::DB* db_ = nullptr;
  std::unique_ptr<Writer> writer_;
  CommitLog log_;
  std::unique_ptr<CommitWriter> commit_thread_;  // commits into log_; started once the DB is open
  StoredState stored_;
  std::atomic<uint64_t> other_memory_bytes_{0};  // block cache and table readers

  std::mutex mu_;  // guards the fields below and wakes the background thread
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread background_;
  std::thread bgsave_, compaction_;
  std::atomic<bool> bgsave_running_{false}, compaction_running_{false};
  std::atomic<bool> last_bgsave_ok_{true}, last_compaction_ok_{true};
  std::atomic<int64_t> last_save_unix_{0};
  std::atomic<uint64_t> saves_{0}, compactions_{0};
  std::atomic<uint64_t> records_at_save_{0};
  bool closed_ = false;
  std::atomic<bool> replicated_unsynced_{false};  // ApplyReplicated wrote since the last everysec sync
  // The newest sequence written, readable while a Reopen has no database open (INFO, ROLE).
  std::atomic<uint64_t> last_seq_{0};
  std::atomic<uint64_t> synced_seq_{0};  // synced_sequence()
  std::mutex listener_mu_;  // guards commit_listener_
  CommitListener commit_listener_;
};

}  // namespace sessionkv::storage

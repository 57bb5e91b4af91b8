// SPDX-License-Identifier: Apache-2.0
#include "storage/rocks_engine.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_buffer_manager.h"
#include "rocksdb/write_batch.h"
#include "storage/append_memtable.h"
#include "storage/compaction_filter.h"
#include "storage/rocks_format.h"

namespace sessionkv::storage {

namespace {

// RocksDB reports a failed write as an IOError whose message ends with the strerror text of the
// system call ("While appending to file: .../000012.log: No space left on device"). Redis's MISCONF
// reply carries that text alone.
std::string ErrnoText(const rocksdb::Status& s) {
  if (s.IsNoSpace()) return std::strerror(ENOSPC);
  const std::string message = s.ToString();
  for (int e = 1; e < 134; ++e) {
    const std::string text = std::strerror(e);
    if (!text.starts_with("Unknown error") && message.ends_with(text)) return text;
  }
  return s.IsIOError() ? std::strerror(EIO) : message;
}

absl::Status ToAbsl(const rocksdb::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::UnavailableError(ErrnoText(s));
}

rocksdb::CompressionType ToRocks(Compression c) {
  switch (c) {
    case Compression::kNone: return rocksdb::kNoCompression;
    case Compression::kSnappy: return rocksdb::kSnappyCompression;
    case Compression::kLz4: return rocksdb::kLZ4Compression;
    case Compression::kZstd: return rocksdb::kZSTD;
  }
  return rocksdb::kNoCompression;
}

int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t IntProperty(rocksdb::DB* db, const std::string& name) {
  uint64_t v = 0;
  return db != nullptr && db->GetIntProperty(name, &v) ? v : 0;
}

}  // namespace

// ------------------------------------------------------------------------------------------- writer

class RocksEngine::Writer final : public BatchWriter {
 public:
  explicit Writer(RocksEngine& engine) : engine_(engine) {}

  absl::Status Write(std::string& rep, bool sync) override {
    if (!HasRoom(rep.size())) return Report(rocksdb::Status::NoSpace("free space below the reserve"), "write");
    rocksdb::WriteOptions options;
    options.sync = sync;
    rocksdb::WriteBatch batch(std::move(rep));
    const rocksdb::Status s = engine_.db_->Write(options, &batch);
    if (!s.ok()) {
      rep = batch.Data();  // kept for the retry
    } else {
      engine_.NotifyCommitted(batch.Data(), batch.Count());
    }
    return Report(s, "write");
  }

  absl::Status Sync() override { return Report(engine_.db_->SyncWAL(), "WAL sync"); }

  // The background thread, once a second: another process may have taken the space.
  void RefreshRoom() { budget_.store(0, std::memory_order_relaxed); }

 private:
  // Refuses a write that would leave less than kReserve free, before RocksDB sees ENOSPC: a WAL file
  // whose append failed can never be appended to again (RocksDB's writer asserts on it), and the
  // reserve leaves room for the manifest and flushes that recovery needs. statvfs is called per write
  // only when space is short; otherwise after half of what was free has been written.
  static constexpr uint64_t kReserve = 1u << 20;
  static constexpr uint64_t kPlenty = 256u << 20;

  bool HasRoom(uint64_t bytes) {
    const uint64_t budget = budget_.load(std::memory_order_relaxed);
    if (budget > bytes) {
      budget_.store(budget - bytes, std::memory_order_relaxed);
      return true;
    }
    struct statvfs vfs;
    if (::statvfs(engine_.path_.c_str(), &vfs) != 0) return true;  // unknown: let RocksDB try
    const uint64_t free = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    if (free < bytes + kReserve) return false;
    budget_.store(free >= kPlenty ? (free - kReserve) / 2 : 0, std::memory_order_relaxed);
    return true;
  }

  std::atomic<uint64_t> budget_{0};  // bytes that may be written before the next statvfs
  // Logs a failure once, and the recovery once, not every attempt.
  absl::Status Report(const rocksdb::Status& s, const char* what) {
    const bool was_failing = failing_.exchange(!s.ok());
    if (!s.ok() && !was_failing) {
      engine_.Warn(std::string("RocksDB ") + what + " failed (" + s.ToString() +
                   "); refusing writes until one succeeds");
    } else if (s.ok() && was_failing) {
      engine_.Warn(std::string("RocksDB ") + what + " succeeded again; accepting writes");
    }
    return ToAbsl(s);
  }

  RocksEngine& engine_;
  std::atomic<bool> failing_{false};
};

// ------------------------------------------------------------------------------------- open, close

RocksEngine::RocksEngine(const RocksOptions& options)
    : options_(options),
      path_((std::filesystem::path(options.dir) / "rocksdb").string()),
      writer_(std::make_unique<Writer>(*this)),
      log_(*writer_, options.fsync) {}

RocksEngine::~RocksEngine() { Close(); }

absl::StatusOr<std::unique_ptr<RocksEngine>> RocksEngine::Open(const RocksOptions& options) {
  std::unique_ptr<RocksEngine> engine(new RocksEngine(options));
  if (absl::Status s = engine->OpenDb(); !s.ok()) return s;
  engine->commit_thread_ = std::make_unique<CommitWriter>(engine->log_);
  engine->StartBackground();
  return engine;
}

void RocksEngine::StartBackground() {
  stopping_ = false;
  background_ = std::thread([this] { BackgroundLoop(); });
}

void RocksEngine::StopBackground() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  JoinWorker(&background_);
  JoinWorker(&bgsave_);
  JoinWorker(&compaction_);
}

absl::Status RocksEngine::OpenDb() {
  rocksdb::Options o;
  o.create_if_missing = true;
  // Durability and order (docs/persistence.md): every write goes through the WAL, in order, flushed to
  // the OS before Write returns; a torn tail recovers as a consistent prefix.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  o.manual_wal_flush = false;
  o.unordered_write = false;
  if (options_.wal_compression) o.wal_compression = rocksdb::kZSTD;
  o.max_background_jobs = options_.max_background_jobs;
  o.write_buffer_size = options_.write_buffer_bytes;
  o.max_write_buffer_number = options_.max_write_buffers;
  // A manager only for its counter (memory_bytes); its limit is the one the two options give already.
  // Kept across a Reopen: other threads read their counters at any time.
  if (!write_buffers_) {
    write_buffers_ = std::make_shared<rocksdb::WriteBufferManager>(options_.write_buffer_bytes *
                                                                   options_.max_write_buffers);
  }
  o.write_buffer_manager = write_buffers_;
  o.level_compaction_dynamic_level_bytes = true;
  o.disable_auto_compactions = true;  // until LoadFinished
  // A WAL replayed at open (after a crash) is flushed into table files before the open returns (the
  // default): left in a memtable, every read of it (the open's own Gets, the loader) would sort it.
  o.compression = ToRocks(options_.compression);
  o.bottommost_compression = ToRocks(options_.bottommost_compression);
  // The memtable is written, never read while the server runs (memory is authoritative; compactions do
  // not read: storage/compaction_filter.h). Entries appended and sorted once, when it is flushed
  // (storage/append_memtable.h), take the skiplist's insert (half of the I/O thread's CPU in a profile
  // of a Spring-session load) off the write path onto the flush thread. Reading such a memtable while
  // it is still written copies and sorts it, so nothing may: the WAL replayed at open is flushed before
  // the open's reads (below). It takes one writer at a time, as the commit log's leader is, and needs
  // the bytewise key order (the default comparator, never changed here).
  if (!options_.readable_memtable) o.memtable_factory = std::make_shared<AppendMemTableFactory>();
  o.allow_concurrent_memtable_write = false;
  // The WAL is the replication log: flushed files are archived, not deleted, for as long as replicas
  // may resume from them (GetUpdatesSince reads the archive).
  o.WAL_ttl_seconds = options_.wal_retention_seconds;
  o.WAL_size_limit_MB = options_.wal_retention_mb;
  o.keep_log_file_num = 4;  // RocksDB's own info LOG files
  rocksdb::BlockBasedTableOptions table;
  if (!cache_) cache_ = rocksdb::NewLRUCache(options_.block_cache_bytes);
  table.block_cache = cache_;
  table.cache_index_and_filter_blocks = true;  // counted in the cache, not unbounded
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  o.compaction_filter_factory = std::make_shared<StaleElementFilterFactory>();

  std::error_code ec;
  std::filesystem::create_directories(path_, ec);
  rocksdb::Status s = rocksdb::DB::Open(o, path_, &db_);
  if (!s.ok()) return absl::FailedPreconditionError("Can't open RocksDB in " + path_ + ": " + s.ToString());

  std::string value;
  s = db_->Get(rocksdb::ReadOptions(), format::kFormatRecord, &value);
  if (s.IsNotFound()) {
    // A database without the format record was not written by sessionkv (or never got past its first
    // write): refuse anything that has data in it.
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid()) {
      return absl::FailedPreconditionError("RocksDB in " + path_ +
                                           " has data but no sessionkv format record; refusing to use it");
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    s = db_->Put(sync, format::kFormatRecord, std::string(1, static_cast<char>(format::kFormatVersion)));
    if (!s.ok()) return absl::UnavailableError("Can't write to RocksDB in " + path_ + ": " + s.ToString());
    stored_.created = true;
  } else if (!s.ok()) {
    return absl::FailedPreconditionError("Can't read RocksDB in " + path_ + ": " + s.ToString());
  } else if (value.size() != 1 || static_cast<uint8_t>(value[0]) > format::kFormatVersion) {
    return absl::FailedPreconditionError(
        "RocksDB in " + path_ + " was written by a newer sessionkv (format " +
        std::to_string(value.empty() ? 0 : static_cast<uint8_t>(value[0])) + "); this one reads up to " +
        std::to_string(format::kFormatVersion));
  }
  if (db_->Get(rocksdb::ReadOptions(), format::kDbMapRecord, &value).ok() &&
      !format::DecodeDbMap(value, &stored_.physical_dbs)) {
    return absl::DataLossError("RocksDB in " + path_ + ": unreadable database map");
  }
  if (db_->Get(rocksdb::ReadOptions(), format::kVersionLeaseRecord, &value).ok() && value.size() == 8) {
    stored_.version_lease = format::ReadU64LE(value.data());
  }
  last_save_unix_ = UnixSeconds();
  last_seq_.store(db_->GetLatestSequenceNumber(), std::memory_order_release);
  synced_seq_.store(last_seq_.load(std::memory_order_relaxed), std::memory_order_release);  // recovered = on disk
  RefreshMemory();
  return absl::OkStatus();
}

void RocksEngine::Warn(const std::string& text) const {
  if (options_.warn) {
    options_.warn(text);
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
}

void RocksEngine::JoinWorker(std::thread* t) {
  if (t->joinable()) t->join();
}

absl::Status RocksEngine::Close() {
  if (closed_ || db_ == nullptr) return absl::OkStatus();
  closed_ = true;
  StopBackground();
  if (commit_thread_) commit_thread_->Stop();
  const CommitResult committed = log_.CommitAll();
  absl::Status status;
  if (committed.durable < log_.last_ticket()) {
    status = absl::DataLossError("writes pending at close could not be written: " + committed.error);
  }
  if (rocksdb::Status synced = db_->SyncWAL(); !synced.ok() && status.ok()) {
    status = absl::InternalError("fsync of the WAL at close: " + synced.ToString());
  }
  // The memtables into table files, so the next start reads them instead of replaying the WAL (a
  // failure loses nothing: the WAL is synced and replays then).
  if (status.ok()) {
    if (rocksdb::Status flushed = db_->Flush(rocksdb::FlushOptions()); !flushed.ok()) {
      Warn("RocksDB flush at close failed (" + flushed.ToString() + "); the next start replays the WAL");
    }
  }
  if (rocksdb::Status closed = db_->Close(); !closed.ok() && status.ok()) {
    status = absl::InternalError("closing RocksDB: " + closed.ToString());
  }
  delete db_;
  db_ = nullptr;
  return status;
}

// ------------------------------------------------------------------------------------- replication

void RocksEngine::set_commit_listener(CommitListener fn) {
  std::lock_guard lock(listener_mu_);
  commit_listener_ = std::move(fn);
}

uint64_t RocksEngine::last_sequence() const { return last_seq_.load(std::memory_order_acquire); }

void RocksEngine::NotifyCommitted(const std::string& rep, uint64_t count) {
  if (count == 0) return;  // annotations alone use no sequence
  // Writes are serialized (the commit log's leader, or the replica's one link), so the newest
  // sequence is this group's last.
  const uint64_t last = db_->GetLatestSequenceNumber();
  last_seq_.store(last, std::memory_order_release);
  std::lock_guard lock(listener_mu_);
  if (commit_listener_) commit_listener_(last - count + 1, count, rep);
}

uint64_t RocksEngine::synced_sequence() const {
  return log_.policy() == FsyncPolicy::kNo ? last_sequence() : synced_seq_.load(std::memory_order_acquire);
}

absl::Status RocksEngine::ApplyReplicated(rocksdb::WriteBatch& batch, uint64_t first_seq) {
  const uint64_t expected = last_sequence() + 1;
  if (first_seq != expected) {
    return absl::FailedPreconditionError("replicated batch starts at " + std::to_string(first_seq) +
                                         ", this replica expects " + std::to_string(expected));
  }
  rocksdb::WriteOptions options;
  options.sync = log_.policy() == FsyncPolicy::kAlways;
  if (rocksdb::Status s = db_->Write(options, &batch); !s.ok()) return ToAbsl(s);
  NotifyCommitted(batch.Data(), batch.Count());
  if (options.sync) {
    synced_seq_.store(last_sequence(), std::memory_order_release);
  } else {
    replicated_unsynced_.store(true, std::memory_order_release);
  }
  return absl::OkStatus();
}

absl::Status RocksEngine::Reopen(bool readable_memtable, const std::string& replace_with) {
  StopBackground();
  if (rocksdb::Status s = db_->SyncWAL(); !s.ok()) Warn("RocksDB: WAL sync before reopening: " + s.ToString());
  if (rocksdb::Status s = db_->Close(); !s.ok()) Warn("RocksDB: close before reopening: " + s.ToString());
  delete db_;
  db_ = nullptr;
  if (!replace_with.empty()) {
    std::error_code ec;
    const std::string old = path_ + ".old";
    std::filesystem::remove_all(old, ec);
    std::filesystem::rename(path_, old, ec);
    if (!ec) std::filesystem::rename(replace_with, path_, ec);
    if (ec) return absl::InternalError("replacing " + path_ + " with " + replace_with + ": " + ec.message());
    std::filesystem::remove_all(old, ec);
  }
  options_.readable_memtable = readable_memtable;
  stored_ = {};
  absl::Status status = OpenDb();
  StartBackground();
  return status;
}

// ------------------------------------------------------------------------------------------ writes

uint64_t RocksEngine::Append(MutationSink& sink) {
  const uint64_t ticket = log_.Append(sink.batch());
  sink.Clear();
  return ticket;
}

CommitResult RocksEngine::Commit(uint64_t ticket) { return log_.Commit(ticket); }

void RocksEngine::CommitAsync(uint64_t ticket, CommitDone done) {
  // Under everysec and no a group's write is a copy into the WAL's page cache and a memtable append
  // (tens of microseconds): made inline, as Redis's beforeSleep writes its AOF buffer, it keeps the
  // group as large as the I/O thread's iteration. Handed to the writer thread it costs two wake-ups per
  // group and splits groups (a Spring-session load: 35k against 56k sessions/s). Under always the
  // fsync takes milliseconds, which the writer thread overlaps with serving (35k against 29k).
  if (log_.policy() != FsyncPolicy::kAlways) {
    done(log_.Commit(ticket));
    return;
  }
  commit_thread_->Request(ticket, std::move(done));
}

void RocksEngine::SetFsyncPolicy(FsyncPolicy policy) {
  log_.set_policy(policy);
  wake_.notify_all();
}

void RocksEngine::BackgroundLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::seconds(1));
    if (stopping_) break;
    lock.unlock();
    if (log_.failed()) {
      // RocksDB stops writing after an I/O error until it is told to resume; then the batches that
      // failed are written again, in order, ahead of everything appended since.
      db_->Resume();
    }
    writer_->RefreshRoom();
    log_.CommitAll();  // batches nobody waits for (expiry deletes), and retries
    if (log_.policy() == FsyncPolicy::kEverySec) {
      log_.SyncWritten();
      if (replicated_unsynced_.exchange(false, std::memory_order_acq_rel)) {
        const uint64_t covered = last_sequence();  // read before the sync: it covers at least this
        if (db_->SyncWAL().ok()) synced_seq_.store(covered, std::memory_order_release);
      }
    }
    RefreshMemory();
    lock.lock();
  }
}

void RocksEngine::RefreshMemory() {
  uint64_t bytes = IntProperty(db_, "rocksdb.estimate-table-readers-mem");
  if (cache_) bytes += cache_->GetUsage();
  other_memory_bytes_.store(bytes, std::memory_order_relaxed);
}

uint64_t RocksEngine::memory_bytes() const {
  return write_buffers_->memory_usage() + other_memory_bytes_.load(std::memory_order_relaxed);
}

// ----------------------------------------------------------------------------- SAVE, BGSAVE, BGREWRITEAOF

absl::Status RocksEngine::Save() {
  const CommitResult r = log_.CommitAll();
  if (!r.error.empty()) return absl::UnavailableError(r.error);
  rocksdb::FlushOptions flush;
  flush.wait = true;
  rocksdb::Status s = db_->Flush(flush);
  if (s.ok()) s = db_->SyncWAL();
  if (!s.ok()) return ToAbsl(s);
  last_save_unix_ = UnixSeconds();
  saves_.fetch_add(1, std::memory_order_relaxed);
  records_at_save_.store(log_.stats().written_records, std::memory_order_relaxed);
  return absl::OkStatus();
}

void RocksEngine::LoadFinished() {
  if (rocksdb::Status s = db_->SetOptions({{"disable_auto_compactions", "false"}}); !s.ok()) {
    Warn("RocksDB: could not enable compactions after the load: " + s.ToString());
  }
}

bool RocksEngine::StartBackgroundSave() {
  if (bgsave_running_.exchange(true)) return false;
  JoinWorker(&bgsave_);
  bgsave_ = std::thread([this] {
    last_bgsave_ok_ = Save().ok();
    bgsave_running_ = false;
  });
  return true;
}

bool RocksEngine::StartBackgroundCompaction() {
  if (compaction_running_.exchange(true)) return false;
  JoinWorker(&compaction_);
  compaction_ = std::thread([this] {
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    last_compaction_ok_ = db_->CompactRange(options, nullptr, nullptr).ok();
    compactions_.fetch_add(1, std::memory_order_relaxed);
    compaction_running_ = false;
  });
  return true;
}

EngineInfo RocksEngine::Info() const {
  EngineInfo info;
  info.commit = log_.stats();
  info.sst_bytes = IntProperty(db_, "rocksdb.live-sst-files-size");
  info.memtable_bytes = IntProperty(db_, "rocksdb.cur-size-all-mem-tables");
  info.estimated_records = IntProperty(db_, "rocksdb.estimate-num-keys");
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(path_, ec)) {
    if (f.path().extension() == ".log") info.wal_bytes += f.file_size(ec);
  }
  info.memory_bytes = memory_bytes();
  info.bgsave_in_progress = bgsave_running_;
  info.compaction_in_progress = compaction_running_;
  info.last_bgsave_ok = last_bgsave_ok_;
  info.last_compaction_ok = last_compaction_ok_;
  info.last_save_unix = last_save_unix_;
  info.saves = saves_;
  info.compactions = compactions_;
  info.changes_since_save = info.commit.written_records - records_at_save_.load(std::memory_order_relaxed);
  return info;
}

}  // namespace sessionkv::storage

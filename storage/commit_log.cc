// SPDX-License-Identifier: Apache-2.0
#include "storage/commit_log.h"

#include <cstring>

#include "rocksdb/write_batch.h"

namespace sessionkv::storage {

namespace {

// A WriteBatch representation starts with an 8-byte sequence number and a 4-byte record count (both
// little-endian), then the records; that layout is also what the WAL and replication carry.
constexpr size_t kHeader = 12;

std::string EmptyRep() { return std::string(kHeader, '\0'); }

uint32_t RepCount(const std::string& rep) {
  uint32_t n = 0;
  for (int i = 3; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(rep[8 + i]);
  return n;
}

void SetRepCount(std::string* rep, uint32_t n) {
  for (int i = 0; i < 4; ++i) (*rep)[8 + i] = static_cast<char>(n >> (8 * i));
}

}  // namespace

CommitLog::CommitLog(BatchWriter& writer, FsyncPolicy policy)
    : writer_(writer), policy_(policy), pending_(EmptyRep()) {}

uint64_t CommitLog::Append(const rocksdb::WriteBatch& batch) {
  const std::string& rep = batch.Data();
  if (rep.size() <= kHeader) return 0;
  std::lock_guard lock(mu_);
  pending_.append(rep, kHeader, std::string::npos);
  pending_count_ += batch.Count();
  ++pending_batches_;
  ++appended_;
  return ++last_ticket_;
}

uint64_t CommitLog::last_ticket() const {
  std::lock_guard lock(mu_);
  return last_ticket_;
}

std::string CommitLog::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

void CommitLog::RaiseSynced(uint64_t ticket) {
  uint64_t cur = synced_.load(std::memory_order_relaxed);
  while (cur < ticket && !synced_.compare_exchange_weak(cur, ticket, std::memory_order_release)) {
  }
}

void CommitLog::Fail(const absl::Status& status) {
  failures_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  error_ = std::string(status.message());
  failed_.store(true, std::memory_order_release);
}

CommitResult CommitLog::Commit(uint64_t ticket) {
  if (ticket <= durable()) return {.durable = durable()};
  std::lock_guard leader(leader_mu_);
  // The leader before us may have written our batch while we waited.
  if (ticket <= durable()) return {.durable = durable()};

  const bool sync = policy() == FsyncPolicy::kAlways;
  std::string group = EmptyRep();
  uint64_t through;
  {
    std::lock_guard lock(mu_);
    group.swap(pending_);
    SetRepCount(&group, pending_count_);
    pending_count_ = 0;
    pending_batches_ = 0;
    through = last_ticket_;
  }
  absl::Status status;
  const size_t bytes = group.size();
  const uint32_t records = RepCount(group);
  const auto start = std::chrono::steady_clock::now();
  if (records > 0) {
    status = writer_.Write(group, sync);
  } else if (sync && synced() < written()) {
    status = writer_.Sync();  // written under everysec, and the policy became always since
    through = written();
  } else {
    through = written();
  }
  if (!status.ok()) {
    // Back at the front, before anything appended meanwhile: the order is kept for the retry.
    std::lock_guard lock(mu_);
    const uint32_t later = pending_count_;
    group.append(pending_, kHeader, std::string::npos);
    SetRepCount(&group, records + later);
    pending_.swap(group);
    pending_count_ = records + later;
    pending_batches_ += through - written();
    error_ = std::string(status.message());
    failed_.store(true, std::memory_order_release);
    failures_.fetch_add(1, std::memory_order_relaxed);
    return {.durable = durable(), .failed_through = through, .error = error_};
  }
  if (records > 0) {
    groups_.fetch_add(1, std::memory_order_relaxed);
    records_.fetch_add(records, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  if (sync) Synced(start);
  written_.store(std::max(written(), through), std::memory_order_release);
  if (sync) RaiseSynced(through);
  Recovered();
  return {.durable = durable()};
}

void CommitLog::Recovered() {
  if (!failed()) return;
  std::lock_guard lock(mu_);
  error_.clear();
  failed_.store(false, std::memory_order_release);
}

absl::Status CommitLog::SyncWritten() {
  const uint64_t through = written();
  if (synced() >= through) return absl::OkStatus();
  const auto start = std::chrono::steady_clock::now();
  absl::Status status = writer_.Sync();
  if (!status.ok()) {
    Fail(status);
    return status;
  }
  Synced(start);
  RaiseSynced(through);
  Recovered();
  return status;
}

void CommitLog::Synced(std::chrono::steady_clock::time_point start) {
  syncs_.fetch_add(1, std::memory_order_relaxed);
  if (sync_observer_) {
    sync_observer_(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

uint64_t CommitLog::pending_bytes() const {
  std::lock_guard lock(mu_);
  return pending_.size() - kHeader;
}

CommitStats CommitLog::stats() const {
  CommitStats s;
  s.written_groups = groups_.load(std::memory_order_relaxed);
  s.written_records = records_.load(std::memory_order_relaxed);
  s.written_bytes = bytes_.load(std::memory_order_relaxed);
  s.syncs = syncs_.load(std::memory_order_relaxed);
  s.failed_writes = failures_.load(std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  s.appended_batches = appended_;
  s.pending_batches = pending_batches_;
  s.pending_bytes = pending_.size() - kHeader;
  return s;
}

}  // namespace sessionkv::storage

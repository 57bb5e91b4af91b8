// SPDX-License-Identifier: Apache-2.0
#include "replication/wal_reader.h"

#include <memory>
#include <string>

#include "rocksdb/db.h"
#include "rocksdb/transaction_log.h"
#include "rocksdb/write_batch.h"

namespace sessionkv::replication {

absl::Status ReadWal(rocksdb::DB* db, uint64_t from_seq, size_t max_bytes, std::vector<RingBatch>* out) {
  if (from_seq > db->GetLatestSequenceNumber()) return absl::OkStatus();
  std::unique_ptr<rocksdb::TransactionLogIterator> it;
  rocksdb::Status s = db->GetUpdatesSince(from_seq, &it);
  if (!s.ok()) return absl::NotFoundError("the WAL no longer holds sequence " + std::to_string(from_seq) + ": " + s.ToString());
  size_t bytes = 0;
  for (; it->Valid() && (out->empty() || bytes < max_bytes); it->Next()) {
    rocksdb::BatchResult batch = it->GetBatch();
    const uint64_t count = batch.writeBatchPtr->Count();
    const uint64_t first = batch.sequence;
    if (count == 0 || first + count <= from_seq) continue;  // before the resume point
    if (first > from_seq && out->empty()) {
      return absl::NotFoundError("the WAL no longer holds sequence " + std::to_string(from_seq) +
                                 " (it starts at " + std::to_string(first) + ")");
    }
    if (first < from_seq) {
      return absl::FailedPreconditionError("sequence " + std::to_string(from_seq) + " is inside the batch at " +
                                           std::to_string(first));
    }
    if (!out->empty() && first != out->back().last_seq + 1) {
      return absl::DataLossError("gap in the WAL after sequence " + std::to_string(out->back().last_seq));
    }
    std::string rep = batch.writeBatchPtr->Data();
    bytes += rep.size();
    out->push_back({.first_seq = first, .last_seq = first + count - 1, .commit_ms = 0,
                    .data = std::make_shared<const std::string>(std::move(rep))});
  }
  if (!it->status().ok() && out->empty()) {
    return absl::NotFoundError("reading the WAL from " + std::to_string(from_seq) + ": " + it->status().ToString());
  }
  return absl::OkStatus();
}

uint64_t OldestRetainedSeq(rocksdb::DB* db) {
  rocksdb::VectorLogPtr files;
  if (db->GetSortedWalFiles(files).ok()) {
    for (const auto& f : files) {
      if (f->SizeFileBytes() > 0 && f->StartSequence() > 0) return f->StartSequence();
    }
  }
  return db->GetLatestSequenceNumber() + 1;
}

uint64_t RetainedWalBytes(rocksdb::DB* db) {
  rocksdb::VectorLogPtr files;
  uint64_t bytes = 0;
  if (db->GetSortedWalFiles(files).ok()) {
    for (const auto& f : files) bytes += f->SizeFileBytes();
  }
  return bytes;
}

}  // namespace sessionkv::replication

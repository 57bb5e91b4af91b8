// SPDX-License-Identifier: Apache-2.0
// The compaction filter (docs/persistence.md, "Deletion"): drops element records of a version older
// than their key's metadata in the same compaction, and nothing else. It never looks at a clock (an
// expired key is deleted by an explicit, logged write: replication depends on every deletion being in
// the WAL) and never reads the database (a lookup would read the memtable, which is not indexed for
// reads: storage/rocks_engine.cc).
//
// Keeping a record is always safe, dropping one must be certain. A key's versions only grow (every
// creation and whole rewrite takes a new one from Keyspace::NewVersion, never reused across restarts),
// so an element whose version is below any version the key's metadata ever had belongs to an earlier
// incarnation, whatever came after. The metadata sorts right before its elements, so the filter only
// remembers the last one it saw. Elements of deleted and rewritten keys are also covered by the range
// tombstone their delete or rewrite writes (MutationSink::DeleteElements); the filter is what reclaims
// them where no tombstone was written (a database written before tombstones were).
#pragma once

#include <memory>
#include <string>

#include "rocksdb/compaction_filter.h"

namespace sessionkv::storage {

class StaleElementFilter final : public rocksdb::CompactionFilter {
 public:
  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& existing_value,
              std::string* new_value, bool* value_changed) const override;
  const char* Name() const override { return "sessionkv.StaleElementFilter"; }

 private:
  // The last metadata seen in this compaction: its key and version (0: unreadable, decides nothing).
  mutable std::string meta_key_;
  mutable uint64_t meta_version_ = 0;
};

class StaleElementFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& context) override;
  const char* Name() const override { return "sessionkv.StaleElementFilterFactory"; }
};

}  // namespace sessionkv::storage

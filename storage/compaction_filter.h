// SPDX-License-Identifier: Apache-2.0
// The compaction filter (docs/persistence.md, "Deletion"): drops element records whose key's metadata
// is gone or carries another version, and nothing else. It never looks at a clock: an expired key is
// deleted by an explicit, logged write (replication depends on every deletion being in the WAL).
//
// Keeping a record is always safe, dropping one must be certain. The metadata sorts right before its
// elements, so the filter remembers the last metadata it saw in this compaction and keeps matching
// elements without a lookup; anything else is checked against the database's current metadata.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "rocksdb/compaction_filter.h"
#include "storage/rocks_format.h"

namespace rocksdb {
class DB;
}

namespace sessionkv::storage {

class StaleElementFilter final : public rocksdb::CompactionFilter {
 public:
  // `db` may be null (while the database opens): then every record is kept.
  explicit StaleElementFilter(rocksdb::DB* db) : db_(db) {}

  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& existing_value,
              std::string* new_value, bool* value_changed) const override;
  const char* Name() const override { return "sessionkv.StaleElementFilter"; }

 private:
  // Remembers the metadata of `meta_key` (null: none or unreadable); `authoritative` when it is the
  // database's current one (looked up), not just the version in this compaction's input.
  void Remember(std::string_view meta_key, const format::Meta* meta, bool authoritative) const;

  rocksdb::DB* db_;
  // The last metadata seen: its key, version, whether it has elements, and whether it was looked up.
  mutable std::string meta_key_;
  mutable uint64_t meta_version_ = 0;
  mutable bool meta_has_elements_ = false;
  mutable bool meta_authoritative_ = false;
};

class StaleElementFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  void set_db(rocksdb::DB* db) { db_.store(db, std::memory_order_release); }
  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& context) override;
  const char* Name() const override { return "sessionkv.StaleElementFilterFactory"; }

 private:
  std::atomic<rocksdb::DB*> db_{nullptr};
};

}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
#include "storage/compaction_filter.h"

#include "rocksdb/db.h"
#include "storage/rocks_format.h"

namespace sessionkv::storage {

bool StaleElementFilter::Filter(int /*level*/, const rocksdb::Slice& key,
                                const rocksdb::Slice& existing_value, std::string* /*new_value*/,
                                bool* /*value_changed*/) const {
  format::ParsedKey parsed;
  if (!format::ParseDataKey(key.ToStringView(), &parsed)) return false;  // system records, unknown keys
  if (parsed.is_meta) {
    format::Meta meta;
    Remember(parsed.meta_key, format::DecodeMeta(existing_value.ToStringView(), &meta) ? &meta : nullptr,
             /*authoritative=*/false);
    return false;  // metadata goes only by explicit deletes
  }
  if (parsed.meta_key != meta_key_ || !meta_authoritative_) {
    if (parsed.meta_key == meta_key_ && meta_has_elements_ && parsed.version == meta_version_) {
      return false;  // the metadata in this compaction's input matches: keep without a lookup
    }
    // Not the metadata in hand, or it disagrees and may be older than the database's: ask the database.
    if (db_ == nullptr) return false;
    std::string value;
    const rocksdb::Slice meta_key(parsed.meta_key.data(), parsed.meta_key.size());
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_key, &value);
    format::Meta meta;
    if (s.IsNotFound()) {
      Remember(parsed.meta_key, nullptr, /*authoritative=*/true);
    } else if (s.ok() && format::DecodeMeta(value, &meta)) {
      Remember(parsed.meta_key, &meta, /*authoritative=*/true);
    } else {
      meta_key_.clear();
      return false;  // unsure: keep
    }
  }
  // The database's metadata: an element of another version, or of a key that is gone or became a
  // string, can never be live again (a key created anew always gets a new version).
  return !meta_has_elements_ || parsed.version != meta_version_;
}

void StaleElementFilter::Remember(std::string_view meta_key, const format::Meta* meta,
                                  bool authoritative) const {
  meta_key_.assign(meta_key);
  meta_authoritative_ = authoritative;
  meta_has_elements_ = meta != nullptr && meta->type != storage::ValueType::kString;
  meta_version_ = meta != nullptr ? meta->version : 0;
}

std::unique_ptr<rocksdb::CompactionFilter> StaleElementFilterFactory::CreateCompactionFilter(
    const rocksdb::CompactionFilter::Context& /*context*/) {
  return std::make_unique<StaleElementFilter>(db_.load(std::memory_order_acquire));
}

}  // namespace sessionkv::storage

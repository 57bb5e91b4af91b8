// SPDX-License-Identifier: Apache-2.0
#include "storage/compaction_filter.h"

#include "storage/rocks_format.h"

namespace sessionkv::storage {

bool StaleElementFilter::Filter(int /*level*/, const rocksdb::Slice& key,
                                const rocksdb::Slice& existing_value, std::string* /*new_value*/,
                                bool* /*value_changed*/) const {
  format::ParsedKey parsed;
  if (!format::ParseDataKey(key.ToStringView(), &parsed)) return false;  // system records, unknown keys
  if (parsed.is_meta) {
    format::Meta meta;
    meta_key_.assign(parsed.meta_key);
    meta_version_ = format::DecodeMeta(existing_value.ToStringView(), &meta) ? meta.version : 0;
    return false;  // metadata goes only by explicit deletes
  }
  return parsed.meta_key == meta_key_ && parsed.version < meta_version_;
}

std::unique_ptr<rocksdb::CompactionFilter> StaleElementFilterFactory::CreateCompactionFilter(
    const rocksdb::CompactionFilter::Context& /*context*/) {
  return std::make_unique<StaleElementFilter>();
}

}  // namespace sessionkv::storage

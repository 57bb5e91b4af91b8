// SPDX-License-Identifier: Apache-2.0
// Builds one in-memory key from its records on disk: the metadata record, then the element records
// that sort right after it (storage/rocks_format.h). The start-up loader (storage/loader.h) runs
// one over the whole database; a replica (storage/replica_apply.h) runs one per key a primary's
// batch touched.
//
// Element records of another version than the metadata's (left by a key deleted and created again,
// not yet compacted away) are not the key's: Accepts() tells the caller to skip them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "storage/hash_value.h"
#include "storage/keyspace.h"
#include "storage/rocks_format.h"
#include "storage/set_value.h"
#include "storage/zset_value.h"

namespace sessionkv::storage {

// The encoding thresholds values are rebuilt with (the server's config).
struct LoadLimits {
  HashLimits hash;
  SetLimits set;
  ZSetLimits zset;
  int list_fill = -2;
};

// A DataLossError naming `what` is wrong with the record at `raw_key` (shown escaped, cut to 64
// bytes).
absl::Status CorruptRecord(std::string_view what, std::string_view raw_key);

class KeyBuilder {
 public:
  // `keyspace` gives the access stamp of a key built now (its clock and access tracking).
  KeyBuilder(const Keyspace& keyspace, const LoadLimits& limits)
      : keyspace_(keyspace), limits_(limits) {}

  // Starts the key whose metadata record is `parsed` (a metadata key) with value `meta`, dropping
  // any key in progress. Copies what it needs: the record's bytes may go once this returns.
  void Start(const format::ParsedKey& parsed, const format::Meta& meta);
  // A key is in progress (Start was called and Finish not yet).
  bool active() const { return entry_ != nullptr; }
  const format::Meta& meta() const { return meta_; }
  // True if the element record `parsed` belongs to the key in progress (its key and version).
  bool Accepts(const format::ParsedKey& parsed) const {
    return entry_ != nullptr && parsed.meta_key == meta_key_ && parsed.version == meta_.version;
  }
  // Adds an accepted element record; an error names what in the record is unreadable.
  absl::Status AddElement(std::string_view sub, std::string_view value);
  // The key built, or nullptr for a collection without elements (sessionkv never writes one: a
  // collection's last element goes with its key, so such records are left-overs, not a key).
  std::unique_ptr<Entry> Finish();

 private:
  const Keyspace& keyspace_;
  LoadLimits limits_;
  std::string meta_key_;  // raw, to match element records
  format::Meta meta_;
  std::unique_ptr<Entry> entry_;
  std::vector<ZSetValue::Entry> zset_;  // sorted sets are built in one go at the end
  uint32_t next_list_pos_ = 0;
  size_t elements_ = 0;
};

}  // namespace sessionkv::storage

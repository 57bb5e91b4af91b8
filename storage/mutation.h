// SPDX-License-Identifier: Apache-2.0
// What one command (or one expiry run) changed, as records in the on-disk encoding
// (storage/rocks_format.h), ready to be appended to the commit log as one atomic batch.
//
// Effects, not commands (design.md "How a command flows"): PEXPIRE records the key's metadata with
// its absolute deadline, INCR records the new value, HSET records one element record per field it
// wrote, a key that expires is an explicit delete preceded by an "expired" annotation. Only Db and
// Keyspace call the recording methods, right where they change memory, so memory and log never
// disagree about what a command did.
//
// A sink that is not recording (memory-only mode, release builds) ignores every call at the cost of
// one branch; debug builds record always, so that every test exercises the encoder and the
// dispatcher can check that each write command recorded its changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/value.h"

namespace rocksdb {
class WriteBatch;
}

namespace sessionkv::storage {

class MutationSink {
 public:
  explicit MutationSink(bool recording = true);
  ~MutationSink();
  MutationSink(const MutationSink&) = delete;
  MutationSink& operator=(const MutationSink&) = delete;

  bool recording() const { return recording_; }
  void set_recording(bool recording) { recording_ = recording; }
  // Records (puts, deletes, range deletes) so far; annotations do not count.
  uint32_t records() const;
  bool empty() const { return records() == 0; }
  // The records as a RocksDB WriteBatch.
  const rocksdb::WriteBatch& batch() const { return *batch_; }
  void Clear();

  // ---- Recording (Db and Keyspace only). `pdb` is the key's physical database.
  // The key's metadata and every element: a new key, or a whole-key rewrite under a new version.
  void PutKey(uint32_t pdb, const Entry& e);
  // The metadata alone (a deadline change; a string's new value).
  void PutMeta(uint32_t pdb, const Entry& e);
  // The key `e` is gone: its metadata and (a collection) one range tombstone over its element records,
  // so compactions drop them without asking whether the key still exists. `expired` adds the
  // annotation replicas turn into the `expired` event.
  void DeleteKey(uint32_t pdb, const Entry& e, bool expired);
  // Every element record of `key`, of every version (before a whole-key rewrite: the records put after
  // it in the same batch have later sequence numbers, so the tombstone does not cover them).
  void DeleteElements(uint32_t pdb, std::string_view key);
  // A hash field or a zset member with its value.
  void PutHashField(uint32_t pdb, const Entry& e, std::string_view field, std::string_view value);
  void PutSetMember(uint32_t pdb, const Entry& e, std::string_view member);
  void PutZSetMember(uint32_t pdb, const Entry& e, std::string_view member, double score);
  // Removes a hash field, set member or zset member.
  void DeleteElement(uint32_t pdb, const Entry& e, std::string_view sub);
  // Lists: the element at disk position `pos`, or the positions [first, first + n).
  void PutListElement(uint32_t pdb, const Entry& e, uint32_t pos, std::string_view value);
  void DeleteListElements(uint32_t pdb, const Entry& e, uint32_t first, size_t n);
  // FLUSHDB of one physical database; FLUSHALL of every one.
  void DeleteDb(uint32_t pdb);
  void DeleteAllDbs();
  // The logical-to-physical database map (SWAPDB).
  void PutDbMap(const std::vector<uint32_t>& map);
  // Every key version below `lease` may be in use (storage/keyspace.h, NewVersion).
  void PutVersionLease(uint64_t lease);

 private:
  void PutElements(uint32_t pdb, const Entry& e);
  std::string& Scratch();  // the key buffer, cleared

  bool recording_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  std::string key_buf_, value_buf_;
};

}  // namespace sessionkv::storage

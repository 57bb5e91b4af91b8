// SPDX-License-Identifier: Apache-2.0
// The RocksDB memtable of a primary (storage/rocks_engine.cc): entries appended as they are written,
// sorted once when the memtable is flushed.
//
// Memory is authoritative for reads, so the memtable is written and flushed, almost never read. RocksDB's
// VectorRep does the same appending, but its flush sorts the vector of entry pointers with the full
// internal-key comparator: every comparison follows two pointers into a 64 MB arena, and that sort was a
// third of the server's CPU in a profile of a Spring-session load (cache misses in
// MemTable::KeyComparator and memcmp). This one sorts (16 key bytes, pointer) slots instead: the bytes
// are the user key's from just past the prefix every key in the memtable shares (the record tag, the
// database, "spring:session:sessions:"), so most comparisons end on two integers in a 9 MB array that
// stays in the cache, and only slots with the same 16 bytes (the records of one key) compare whole.
// That order is the comparator's as long as user keys compare bytewise (RocksDB's default comparator,
// which rocks_engine.cc never replaces):
// two keys whose bytes differ within the window differ there first, and a key that ends inside the
// window is padded with zeros, which sorts it before every longer key with the same bytes.
//
// Reads are correct, only slow: an iterator over a memtable still being written sorts a copy of it (as
// VectorRep's does); an immutable one is sorted once and shared by all its iterators.
#pragma once

#include <memory>

#include "rocksdb/memtablerep.h"

namespace sessionkv::storage {

class AppendMemTableFactory final : public rocksdb::MemTableRepFactory {
 public:
  using rocksdb::MemTableRepFactory::CreateMemTableRep;
  rocksdb::MemTableRep* CreateMemTableRep(const rocksdb::MemTableRep::KeyComparator& compare,
                                          rocksdb::Allocator* allocator, const rocksdb::SliceTransform*,
                                          rocksdb::Logger*) override;
  const char* Name() const override { return "SessionkvAppendMemTable"; }
};

}  // namespace sessionkv::storage

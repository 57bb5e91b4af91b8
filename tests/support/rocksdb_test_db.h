// SPDX-License-Identifier: Apache-2.0
// A plain RocksDB database for unit tests that look at what is on disk (checkpoints, snapshots).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"

namespace sessionkv::testing {

// Opens (creating, when `create`) the database in `path` with default options; null after a failure,
// which the test sees as a failed expectation.
inline std::unique_ptr<rocksdb::DB> OpenTestDb(const std::string& path, bool create = true) {
  rocksdb::Options options;
  options.create_if_missing = create;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::unique_ptr<rocksdb::DB>(raw);
}

// Every key and value, in order.
inline std::map<std::string, std::string> DbContents(rocksdb::DB* db) {
  std::map<std::string, std::string> all;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) all[it->key().ToString()] = it->value().ToString();
  EXPECT_TRUE(it->status().ok());
  return all;
}

}  // namespace sessionkv::testing

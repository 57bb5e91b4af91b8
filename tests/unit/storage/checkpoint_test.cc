// SPDX-License-Identifier: Apache-2.0
#include "storage/checkpoint.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "rocksdb/db.h"
#include "tests/support/rocksdb_test_db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace sessionkv::storage {
namespace {

namespace fs = std::filesystem;

using ::sessionkv::testing::DbContents;
using ::sessionkv::testing::OpenTestDb;

// One batch of `records` puts and a delete, as a commit group would write it; returns its
// representation.
std::string WriteGroup(rocksdb::DB* db, int group, int records) {
  rocksdb::WriteBatch batch;
  for (int i = 0; i < records; ++i) {
    batch.Put("k" + std::to_string(group) + ":" + std::to_string(i), std::string(50 + i, 'v'));
  }
  batch.Delete("k" + std::to_string(group - 1) + ":0");
  batch.PutLogData("history:" + std::to_string(group));
  EXPECT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
  return batch.Data();
}

class CheckpointTest : public ::testing::Test {
 protected:
  CheckpointTest() {
    root_ = fs::temp_directory_path() /
            ("sessionkv-checkpoint-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    db_ = OpenTestDb(path("db"));
  }
  ~CheckpointTest() override {
    db_.reset();
    fs::remove_all(root_);
  }
  std::string path(const std::string& name) const { return (root_ / name).string(); }

  fs::path root_;
  std::unique_ptr<rocksdb::DB> db_;
};

TEST_F(CheckpointTest, HoldsTheReturnedSequenceFlushedOrWithItsWal) {
  for (int g = 1; g <= 20; ++g) WriteGroup(db_.get(), g, 10);
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
  for (int g = 21; g <= 40; ++g) WriteGroup(db_.get(), g, 10);
  const auto expected = DbContents(db_.get());
  for (uint64_t log_size_for_flush : {uint64_t{0}, kCheckpointWalCopyBytes}) {
    const std::string dir = path("cp" + std::to_string(log_size_for_flush));
    auto seq = CreateCheckpoint(db_.get(), dir, log_size_for_flush);
    ASSERT_TRUE(seq.ok()) << seq.status();
    EXPECT_EQ(*seq, db_->GetLatestSequenceNumber());
    EXPECT_EQ(CheckpointSequence(dir).value(), *seq);
    auto copy = OpenTestDb(dir, /*create=*/false);
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(copy->GetLatestSequenceNumber(), *seq);
    EXPECT_EQ(DbContents(copy.get()), expected);
  }
}

// What replication relies on: the primary's batches after the checkpoint, applied verbatim to the
// opened checkpoint, take the same sequences there.
TEST_F(CheckpointTest, BatchesAfterTheCheckpointKeepLockstep) {
  for (int g = 1; g <= 30; ++g) WriteGroup(db_.get(), g, 7);
  auto seq = CreateCheckpoint(db_.get(), path("cp"));
  ASSERT_TRUE(seq.ok()) << seq.status();
  std::vector<std::pair<std::string, uint64_t>>
      after;  // representation, primary's sequence after it
  for (int g = 31; g <= 60; ++g) {
    std::string rep = WriteGroup(db_.get(), g, 1 + g % 5);
    after.emplace_back(std::move(rep), db_->GetLatestSequenceNumber());
  }
  auto replica = OpenTestDb(path("cp"), /*create=*/false);
  ASSERT_NE(replica, nullptr);
  ASSERT_EQ(replica->GetLatestSequenceNumber(), *seq);
  for (const auto& [rep, primary_seq] : after) {
    rocksdb::WriteBatch batch(rep);
    ASSERT_TRUE(replica->Write(rocksdb::WriteOptions(), &batch).ok());
    EXPECT_EQ(replica->GetLatestSequenceNumber(), primary_seq);
  }
  EXPECT_EQ(DbContents(replica.get()), DbContents(db_.get()));
}

TEST_F(CheckpointTest, OnlyAWal) {
  for (int g = 1; g <= 5; ++g) WriteGroup(db_.get(), g, 3);
  auto seq = CreateCheckpoint(db_.get(), path("cp"));
  ASSERT_TRUE(seq.ok()) << seq.status();
  auto files = ListCheckpoint(path("cp"));
  ASSERT_TRUE(files.ok()) << files.status();
  bool wal = false;
  for (const CheckpointFile& f : *files) {
    EXPECT_FALSE(f.name.ends_with(".sst")) << f.name;
    wal |= f.name.ends_with(".log") && f.size > 0;
  }
  EXPECT_TRUE(wal);
  auto copy = OpenTestDb(path("cp"), /*create=*/false);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->GetLatestSequenceNumber(), *seq);
  EXPECT_EQ(DbContents(copy.get()), DbContents(db_.get()));
}

TEST_F(CheckpointTest, WritesDuringTheCheckpointAreCountedExactly) {
  for (int g = 1; g <= 10; ++g) WriteGroup(db_.get(), g, 5);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int g = 11; !stop.load(); ++g) WriteGroup(db_.get(), g, 3);
  });
  for (int round = 0; round < 5; ++round) {
    const std::string dir = path("cp" + std::to_string(round));
    auto seq = CreateCheckpoint(db_.get(), dir, round % 2 == 0 ? 0 : kCheckpointWalCopyBytes);
    ASSERT_TRUE(seq.ok()) << seq.status();
    auto copy = OpenTestDb(dir, /*create=*/false);
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(copy->GetLatestSequenceNumber(), *seq);
  }
  stop = true;
  writer.join();
}

TEST_F(CheckpointTest, ListsRelativeNamesWithSizesCurrentLast) {
  for (int g = 1; g <= 5; ++g) WriteGroup(db_.get(), g, 20);
  ASSERT_TRUE(CreateCheckpoint(db_.get(), path("cp"), 0).ok());
  auto files = ListCheckpoint(path("cp"));
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_GE(files->size(), 4u);  // an SST, MANIFEST, OPTIONS, CURRENT
  EXPECT_EQ(files->back().name, "CURRENT");
  bool sst = false;
  for (const CheckpointFile& f : *files) {
    EXPECT_EQ(f.name.find('/'), std::string::npos);
    EXPECT_EQ(f.size, fs::file_size(root_ / "cp" / f.name)) << f.name;
    sst |= f.name.ends_with(".sst");
  }
  EXPECT_TRUE(sst);
  for (size_t i = 0; i + 2 < files->size(); ++i) EXPECT_LT((*files)[i].name, (*files)[i + 1].name);
}

TEST_F(CheckpointTest, RefusesAnExistingDirectoryAndRemovesTrees) {
  fs::create_directories(path("cp"));
  EXPECT_EQ(CreateCheckpoint(db_.get(), path("cp")).status().code(),
            absl::StatusCode::kAlreadyExists);
  fs::create_directories(path("cp/sub"));
  EXPECT_FALSE(ListCheckpoint(path("cp")).ok());  // a subdirectory is not streamable
  EXPECT_TRUE(RemoveTree(path("cp")).ok());
  EXPECT_FALSE(fs::exists(path("cp")));
  EXPECT_TRUE(RemoveTree(path("cp")).ok());
  EXPECT_FALSE(ListCheckpoint(path("cp")).ok());
}

}  // namespace
}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
#include "replication/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "replication/frame_codec.h"
#include "rocksdb/db.h"
#include "tests/support/rocksdb_test_db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "storage/checkpoint.h"

namespace sessionkv::replication {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using ::sessionkv::testing::DbContents;
using ::sessionkv::testing::OpenTestDb;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Delivers the sender's chunks through one connection's codec (FrameWriter -> bytes split in two
// -> FrameReader) to the receiver, until the sender is done or `stop` says the link drops. `tamper`
// changes a chunk on the wire; `sizes` collects every chunk's serialized size.
struct Link {
  Compression compression = Compression::kNone;
  std::function<bool(const SnapshotReceiver&)> stop;
  std::function<void(pb::SnapshotChunk*)> tamper;
  std::vector<size_t>* sizes = nullptr;
};

absl::Status Pump(SnapshotSender& sender, SnapshotReceiver& receiver, const Link& link) {
  FrameWriter writer(link.compression);
  FrameReader reader;
  pb::Frame frame;
  pb::Frame got;
  std::string wire;
  while (!(link.stop && link.stop(receiver))) {
    absl::StatusOr<bool> more = sender.Next(frame.mutable_chunk());
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (link.sizes != nullptr) link.sizes->push_back(frame.chunk().ByteSizeLong());
    if (link.tamper) link.tamper(frame.mutable_chunk());
    wire.clear();
    if (absl::Status s = writer.Append(frame, &wire, ChunkWantsCompression(frame.chunk()));
        !s.ok()) {
      return s;
    }
    reader.Feed(std::string_view(wire).substr(0, wire.size() / 2));
    reader.Feed(std::string_view(wire).substr(wire.size() / 2));
    absl::StatusOr<bool> decoded = reader.Next(&got);
    if (!decoded.ok()) return decoded.status();
    if (!*decoded || !got.has_chunk()) return absl::InternalError("no chunk decoded");
    if (absl::Status s = receiver.Apply(got.chunk()); !s.ok()) return s;
  }
  return absl::OkStatus();
}

class SnapshotTest : public ::testing::Test {
 protected:
  SnapshotTest() {
    root_ = fs::temp_directory_path() /
            ("sessionkv-snapshot-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    db_ = OpenTestDb(path("primary"), true);
  }
  ~SnapshotTest() override {
    db_.reset();
    fs::remove_all(root_);
  }
  std::string path(const std::string& name) const { return (root_ / name).string(); }

  // Keys with values from a few bytes to ~6 KB, half incompressible, in groups of 10 per batch.
  void Fill(int first, int count) {
    std::mt19937_64 rng(first);
    for (int g = first; g < first + count; g += 10) {
      rocksdb::WriteBatch batch;
      for (int k = g; k < g + 10 && k < first + count; ++k) {
        std::string value(rng() % 6000, 'x');
        if (k % 2 == 0) {
          for (char& c : value) c = static_cast<char>(rng());
        }
        batch.Put("spring:session:sessions:" + std::to_string(k), value);
      }
      ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
    }
  }

  // Data in SSTs and in the WAL, checkpointed; the expected contents are captured with it.
  void MakeCheckpoint(uint64_t log_size_for_flush = storage::kCheckpointWalCopyBytes,
                      bool flush = true) {
    Fill(0, 1500);
    if (flush) {
      ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
    }
    Fill(1500, 300);
    auto seq = storage::CreateCheckpoint(db_.get(), path("cp"), log_size_for_flush);
    ASSERT_TRUE(seq.ok()) << seq.status();
    seq_ = *seq;
    expected_ = DbContents(db_.get());
  }

  std::unique_ptr<SnapshotSender> Sender(size_t chunk_bytes) {
    auto sender = SnapshotSender::Open(path("cp"), chunk_bytes);
    EXPECT_TRUE(sender.ok()) << sender.status();
    return sender.ok() ? std::move(*sender) : nullptr;
  }
  std::unique_ptr<SnapshotReceiver> Receiver() {
    auto receiver = SnapshotReceiver::Create(path("staging"));
    EXPECT_TRUE(receiver.ok()) << receiver.status();
    return receiver.ok() ? std::move(*receiver) : nullptr;
  }

  // The staging directory is the checkpoint: same files, and it opens at the same sequence.
  void ExpectStagedEqualsCheckpoint() {
    for (const auto& entry : fs::directory_iterator(path("cp"))) {
      EXPECT_EQ(ReadFile(entry.path()), ReadFile(root_ / "staging" / entry.path().filename()))
          << entry.path();
    }
    auto staged = OpenTestDb(path("staging"), false);
    ASSERT_NE(staged, nullptr);
    EXPECT_EQ(staged->GetLatestSequenceNumber(), seq_);
    EXPECT_EQ(DbContents(staged.get()), expected_);
  }

  fs::path root_;
  std::unique_ptr<rocksdb::DB> db_;
  uint64_t seq_ = 0;
  std::map<std::string, std::string> expected_;
};

TEST(Crc32cTest, KnownValuesAndChaining) {
  EXPECT_EQ(Crc32c(0, ""), 0u);
  EXPECT_EQ(Crc32c(0, "123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(0, std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(0, std::string(32, '\xff')), 0x62A8AB43u);
  std::mt19937_64 rng(7);
  std::string data(1 << 20, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  const uint32_t whole = Crc32c(0, data);
  EXPECT_EQ(internal::Crc32cPortable(0, data), whole);
  for (size_t cut : {size_t{1}, size_t{7}, size_t{4096}, data.size() - 3}) {
    EXPECT_EQ(Crc32c(Crc32c(0, std::string_view(data).substr(0, cut)),
                     std::string_view(data).substr(cut)),
              whole);
  }
  for (size_t n = 0; n < 100; ++n) {
    const std::string_view piece = std::string_view(data).substr(n, n);
    EXPECT_EQ(internal::Crc32cPortable(0, piece), Crc32c(0, piece)) << n;
  }
}

TEST(SnapshotProgressTest, Text) {
  EXPECT_EQ(SnapshotProgressText(12'300'000, 456'700'000),
            "Full sync: 12.3 MB of 456.7 MB sent (2%)");
  EXPECT_EQ(SnapshotProgressText(0, 0), "Full sync: 0.0 MB of 0.0 MB sent (100%)");
}

class SnapshotRoundTripTest
    : public SnapshotTest,
      public ::testing::WithParamInterface<std::tuple<Compression, size_t>> {};

TEST_P(SnapshotRoundTripTest, StagedDatabaseEqualsThePrimaryAtTheCheckpoint) {
  const auto [compression, chunk_bytes] = GetParam();
  MakeCheckpoint();
  auto sender = Sender(chunk_bytes);
  auto receiver = Receiver();
  ASSERT_TRUE(sender && receiver);
  std::vector<size_t> sizes;
  ASSERT_TRUE(Pump(*sender, *receiver, {.compression = compression, .sizes = &sizes}).ok());
  EXPECT_TRUE(sender->done());
  EXPECT_TRUE(receiver->done());
  EXPECT_EQ(sender->bytes_sent(), sender->total_bytes());
  EXPECT_EQ(receiver->bytes_received(), sender->total_bytes());
  EXPECT_EQ(receiver->files_received(), sender->files().size());
  EXPECT_THAT(sender->ProgressText(), HasSubstr("(100%)"));
  for (size_t size : sizes) EXPECT_LE(size, chunk_bytes);
  if (chunk_bytes < 100'000) {
    EXPECT_GT(sizes.size(), 50u);  // several chunks per file
  }
  ExpectStagedEqualsCheckpoint();

  // The replica continues in lockstep: the primary's next batch takes the same sequence there.
  rocksdb::WriteBatch next;
  next.Put("after", "sync");
  ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &next).ok());
  auto staged = OpenTestDb(path("staging"), false);
  rocksdb::WriteBatch verbatim(next.Data());
  ASSERT_TRUE(staged->Write(rocksdb::WriteOptions(), &verbatim).ok());
  EXPECT_EQ(staged->GetLatestSequenceNumber(), db_->GetLatestSequenceNumber());
}

INSTANTIATE_TEST_SUITE_P(CodecAndChunkSize, SnapshotRoundTripTest,
                         ::testing::Combine(::testing::Values(Compression::kNone,
                                                              Compression::kZstd),
                                            ::testing::Values(size_t{4096}, kDefaultChunkBytes)),
                         [](const auto& info) {
                           return std::string(CompressionName(std::get<0>(info.param))) + "_" +
                                  std::to_string(std::get<1>(info.param));
                         });

TEST_F(SnapshotTest, AFlippedByteFailsTheFilesCrc) {
  MakeCheckpoint();
  auto sender = Sender(4096);
  auto receiver = Receiver();
  ASSERT_TRUE(sender && receiver);
  std::string victim;
  const Link link{.tamper = [&](pb::SnapshotChunk* chunk) {
    if (victim.empty() && chunk->file().ends_with(".sst") && chunk->offset() > 0 &&
        !chunk->last()) {
      victim = chunk->file();
      (*chunk->mutable_data())[100] ^= 0x20;
    }
  }};
  const absl::Status s = Pump(*sender, *receiver, link);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(s.message(), HasSubstr(victim));
  EXPECT_FALSE(receiver->done());
  pb::SnapshotChunk done;
  done.set_snapshot_done(true);
  EXPECT_EQ(receiver->Apply(done).code(), absl::StatusCode::kDataLoss);  // the error sticks
}

TEST_F(SnapshotTest, ResumesMidFileAndAtAFileBoundaryAfterDrops) {
  MakeCheckpoint();
  auto sender = Sender(4096);
  auto receiver = Receiver();
  ASSERT_TRUE(sender && receiver);
  // First link: drops in the middle of an SST, with one chunk lost in flight.
  const Link mid{.compression = Compression::kZstd, .stop = [](const SnapshotReceiver& r) {
                   return r.resume_point().file.ends_with(".sst") &&
                          r.resume_point().offset > 40'000;
                 }};
  ASSERT_TRUE(Pump(*sender, *receiver, mid).ok());
  pb::SnapshotChunk lost;
  ASSERT_TRUE(sender->Next(&lost).value());
  const SnapshotPosition at = receiver->resume_point();
  ASSERT_FALSE(lost.last()) << "the drop should be inside " << at.file;
  ASSERT_TRUE(sender->Start(at).ok());
  EXPECT_EQ(sender->bytes_sent(), receiver->bytes_received());
  // Second link: drops right after a file completed.
  const size_t files_before = receiver->files_received();
  const Link boundary{.compression = Compression::kZstd, .stop = [&](const SnapshotReceiver& r) {
                        return r.files_received() > files_before;
                      }};
  ASSERT_TRUE(Pump(*sender, *receiver, boundary).ok());
  EXPECT_EQ(receiver->resume_point().offset,
            fs::file_size(root_ / "cp" / receiver->resume_point().file));
  // Third link: a new sender, as after a reconnect, finishes the transfer.
  auto again = Sender(4096);
  ASSERT_TRUE(again->Start(receiver->resume_point()).ok());
  ASSERT_TRUE(Pump(*again, *receiver, {.compression = Compression::kZstd}).ok());
  EXPECT_TRUE(receiver->done());
  EXPECT_EQ(again->bytes_sent(), again->total_bytes());
  ExpectStagedEqualsCheckpoint();
}

TEST_F(SnapshotTest, ADatabaseWithOnlyAWal) {
  MakeCheckpoint(storage::kCheckpointWalCopyBytes, /*flush=*/false);
  auto sender = Sender(8192);
  auto receiver = Receiver();
  ASSERT_TRUE(sender && receiver);
  bool wal = false;
  for (const storage::CheckpointFile& f : sender->files()) {
    EXPECT_FALSE(f.name.ends_with(".sst")) << f.name;
    wal |= f.name.ends_with(".log");
  }
  EXPECT_TRUE(wal);
  ASSERT_TRUE(Pump(*sender, *receiver, {.compression = Compression::kZstd}).ok());
  ExpectStagedEqualsCheckpoint();
}

TEST_F(SnapshotTest, EmptyFiles) {
  fs::create_directories(root_ / "cp");
  WriteFile(root_ / "cp" / "a", "");
  WriteFile(root_ / "cp" / "b", "abc");
  WriteFile(root_ / "cp" / "c", "");
  WriteFile(root_ / "cp" / "CURRENT", "MANIFEST-000001\n");
  auto sender = Sender(kMinChunkBytes);
  auto receiver = Receiver();
  ASSERT_TRUE(sender && receiver);
  pb::SnapshotChunk chunk;
  ASSERT_TRUE(sender->Next(&chunk).value());
  EXPECT_EQ(chunk.file(), "a");
  EXPECT_TRUE(chunk.last());
  EXPECT_EQ(chunk.size(), 0u);
  EXPECT_EQ(chunk.crc32c(), 0u);
  ASSERT_TRUE(receiver->Apply(chunk).ok());
  EXPECT_EQ(receiver->resume_point().file, "a");
  ASSERT_TRUE(sender->Start(receiver->resume_point()).ok());  // resuming after an empty file
  ASSERT_TRUE(Pump(*sender, *receiver, {}).ok());
  EXPECT_TRUE(receiver->done());
  EXPECT_EQ(receiver->files_received(), 4u);
  for (const char* name : {"a", "b", "c", "CURRENT"}) {
    EXPECT_EQ(ReadFile(root_ / "staging" / name), ReadFile(root_ / "cp" / name)) << name;
  }
}

pb::SnapshotChunk Chunk(const std::string& file, uint64_t size, uint64_t offset,
                        const std::string& data) {
  pb::SnapshotChunk c;
  c.set_file(file);
  c.set_size(size);
  c.set_offset(offset);
  c.set_data(data);
  c.set_last(offset + data.size() == size);
  c.set_crc32c(Crc32c(0, data));  // right when the chunk holds the whole file
  return c;
}

TEST_F(SnapshotTest, ReceiverRefusesInconsistentStreams) {
  struct Case {
    const char* what;
    std::vector<pb::SnapshotChunk> chunks;  // the last one must fail
    absl::StatusCode code;
  };
  pb::SnapshotChunk done;
  done.set_snapshot_done(true);
  pb::SnapshotChunk bad_crc = Chunk("f", 3, 0, "abc");
  bad_crc.set_crc32c(1);
  pb::SnapshotChunk early_last = Chunk("f", 6, 0, "abc");
  early_last.set_last(true);
  const Case cases[] = {
      {"gap",
       {Chunk("f", 6, 0, "ab"), Chunk("f", 6, 3, "cde")},
       absl::StatusCode::kFailedPrecondition},
      {"overlap",
       {Chunk("f", 6, 0, "ab"), Chunk("f", 6, 1, "bcdef")},
       absl::StatusCode::kFailedPrecondition},
      {"past the end", {Chunk("f", 2, 0, "abc")}, absl::StatusCode::kFailedPrecondition},
      {"size changes",
       {Chunk("f", 6, 0, "ab"), Chunk("f", 5, 2, "cde")},
       absl::StatusCode::kFailedPrecondition},
      {"last too early", {early_last}, absl::StatusCode::kFailedPrecondition},
      {"starts mid-file", {Chunk("f", 6, 2, "cdef")}, absl::StatusCode::kFailedPrecondition},
      {"another file mid-file",
       {Chunk("f", 6, 0, "ab"), Chunk("g", 1, 0, "x")},
       absl::StatusCode::kFailedPrecondition},
      {"twice",
       {Chunk("f", 1, 0, "x"), Chunk("f", 1, 0, "x")},
       absl::StatusCode::kFailedPrecondition},
      {"crc", {bad_crc}, absl::StatusCode::kDataLoss},
      {"traversal", {Chunk("../evil", 1, 0, "x")}, absl::StatusCode::kInvalidArgument},
      {"subdirectory", {Chunk("a/b", 1, 0, "x")}, absl::StatusCode::kInvalidArgument},
      {"no name", {Chunk("", 1, 0, "x")}, absl::StatusCode::kInvalidArgument},
      {"done mid-file",
       {Chunk("CURRENT", 6, 0, "ab"), done},
       absl::StatusCode::kFailedPrecondition},
      {"done without CURRENT",
       {Chunk("f", 1, 0, "x"), done},
       absl::StatusCode::kFailedPrecondition},
      {"after done",
       {Chunk("CURRENT", 1, 0, "x"), done, Chunk("g", 1, 0, "x")},
       absl::StatusCode::kFailedPrecondition},
  };
  for (const Case& c : cases) {
    ASSERT_TRUE(storage::RemoveTree(path("staging")).ok());
    auto receiver = Receiver();
    ASSERT_NE(receiver, nullptr);
    for (size_t i = 0; i + 1 < c.chunks.size(); ++i) {
      ASSERT_TRUE(receiver->Apply(c.chunks[i]).ok()) << c.what << " chunk " << i;
    }
    EXPECT_EQ(receiver->Apply(c.chunks.back()).code(), c.code) << c.what;
  }
  EXPECT_FALSE(fs::exists(root_ / "evil"));
  EXPECT_EQ(SnapshotReceiver::Create(path("staging")).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(SnapshotTest, SenderRefusesBadStartsAndTinyChunks) {
  MakeCheckpoint();
  EXPECT_EQ(SnapshotSender::Open(path("cp"), kMinChunkBytes - 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(SnapshotSender::Open(path("missing")).ok());
  auto sender = Sender(kDefaultChunkBytes);
  ASSERT_NE(sender, nullptr);
  EXPECT_EQ(sender->Start({"nope.sst", 0}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(sender->Start({"CURRENT", 1'000'000}).code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(sender->Start({"CURRENT", sender->files().back().size}).ok());
  pb::SnapshotChunk chunk;
  ASSERT_TRUE(sender->Next(&chunk).value());
  EXPECT_TRUE(chunk.snapshot_done());
  EXPECT_FALSE(sender->Next(&chunk).value());
}

}  // namespace
}  // namespace sessionkv::replication

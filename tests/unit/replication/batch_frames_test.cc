// SPDX-License-Identifier: Apache-2.0
#include "replication/batch_frames.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/unit/replication/status_matchers.h"

namespace sessionkv::replication {
namespace {

using ::testing::HasSubstr;
using testing::IsOkAndHolds;

// Consecutive batches of the given sizes, each of `records` sequences, with bytes that tell them
// apart.
std::vector<RingBatch> MakeBatches(const std::vector<size_t>& sizes, uint64_t first_seq = 10,
                                   uint64_t records = 3) {
  std::mt19937_64 rng(sizes.size());
  std::vector<RingBatch> out;
  uint64_t seq = first_seq;
  for (size_t size : sizes) {
    std::string data(size, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    out.push_back({.first_seq = seq,
                   .last_seq = seq + records - 1,
                   .commit_ms = static_cast<int64_t>(seq * 7),
                   .data = std::make_shared<const std::string>(std::move(data))});
    seq += records;
  }
  return out;
}

// What the replica applies: the packed messages through a FrameWriter and FrameReader with `limit`,
// fed a few bytes at a time, joined by a BatchAssembler. Checks every frame against the limit.
std::vector<pb::Batches> RoundTrip(const std::vector<RingBatch>& batches, size_t limit) {
  FrameWriter writer(Compression::kZstd, 1, limit);
  FrameReader reader(limit);
  BatchAssembler assembler;
  std::vector<pb::Batches> applied;
  for (pb::Batches& m : PackBatches(batches, limit)) {
    pb::Frame frame;
    *frame.mutable_batches() = std::move(m);
    EXPECT_LE(frame.ByteSizeLong(), limit);
    std::string wire;
    EXPECT_TRUE(writer.Append(frame, &wire).ok());
    for (size_t off = 0; off < wire.size(); off += 97)
      reader.Feed(std::string_view(wire).substr(off, 97));
    pb::Frame got;
    EXPECT_THAT(reader.Next(&got), IsOkAndHolds(true));
    absl::StatusOr<bool> whole = assembler.Add(got.mutable_batches());
    EXPECT_TRUE(whole.ok()) << whole.status();
    if (whole.ok() && *whole) applied.push_back(std::move(*got.mutable_batches()));
  }
  EXPECT_FALSE(assembler.pending());
  return applied;
}

// The applied messages' batches, each with the sequence the replica computes for it (first_seq,
// then each batch's records), compared with what the primary committed.
void ExpectSameBatches(const std::vector<pb::Batches>& applied,
                       const std::vector<RingBatch>& sent) {
  size_t i = 0;
  for (const pb::Batches& m : applied) {
    ASSERT_LT(i, sent.size());
    EXPECT_EQ(m.first_seq(), sent[i].first_seq);
    EXPECT_FALSE(m.more());
    EXPECT_EQ(m.commit_unix_ms_size(), m.batch_size());
    for (int j = 0; j < m.batch_size(); ++j, ++i) {
      ASSERT_LT(i, sent.size());
      EXPECT_EQ(m.batch(j), *sent[i].data) << "batch " << i;
      EXPECT_EQ(m.commit_unix_ms(j), sent[i].commit_ms);
    }
  }
  EXPECT_EQ(i, sent.size());
}

TEST(BatchFramesTest, SmallBatchesShareAFrame) {
  const std::vector<RingBatch> batches = MakeBatches({100, 200, 50, 10});
  const std::vector<pb::Batches> packed = PackBatches(batches);
  ASSERT_EQ(packed.size(), 1u);
  EXPECT_EQ(packed[0].first_seq(), 10u);
  EXPECT_EQ(packed[0].count(), 12u);
  EXPECT_FALSE(packed[0].more());
  ExpectSameBatches(RoundTrip(batches, kDefaultMaxFrameBytes), batches);
}

TEST(BatchFramesTest, BatchesFillFramesUpToTheLimit) {
  const std::vector<RingBatch> batches = MakeBatches({400, 400, 400, 400, 400});
  const std::vector<pb::Batches> packed = PackBatches(batches, 1000);
  ASSERT_EQ(packed.size(), 3u);  // 2 + 2 + 1 of 400 bytes under 1000 - overheads
  EXPECT_EQ(packed[1].first_seq(), 16u);
  EXPECT_EQ(packed[1].count(), 6u);
  ExpectSameBatches(RoundTrip(batches, 1000), batches);
}

TEST(BatchFramesTest, ALargeBatchIsSplitAndJoined) {
  // A small batch, one of 5.5 frames, another small one: the large one travels alone in pieces.
  const std::vector<RingBatch> batches = MakeBatches({100, 4800, 100}, 1, 5);
  const std::vector<pb::Batches> packed = PackBatches(batches, 1000);
  ASSERT_EQ(packed.size(), 1u + 6u + 1u);
  for (size_t i = 1; i <= 6; ++i) {
    EXPECT_EQ(packed[i].first_seq(), 6u);
    EXPECT_EQ(packed[i].batch_size(), 1);
    EXPECT_EQ(packed[i].more(), i < 6) << i;
    EXPECT_EQ(packed[i].count(), i < 6 ? 0u : 5u) << i;
  }
  const std::vector<pb::Batches> applied = RoundTrip(batches, 1000);
  ASSERT_EQ(applied.size(), 3u);
  ExpectSameBatches(applied, batches);
}

TEST(BatchFramesTest, ABatchOfTwentyMegabytesCrossesTheDefaultLimit) {
  const std::vector<RingBatch> batches = MakeBatches({20u << 20, 30});
  const std::vector<pb::Batches> packed = PackBatches(batches);
  ASSERT_EQ(packed.size(), 3u);
  EXPECT_TRUE(packed[0].more());
  EXPECT_FALSE(packed[1].more());
  ExpectSameBatches(RoundTrip(batches, kDefaultMaxFrameBytes), batches);
}

TEST(BatchFramesTest, PiecesAtEveryBoundarySize) {
  // Sizes around multiples of the piece size, so the last piece is tiny, empty-free or exact.
  const size_t piece = 1000 - kBatchesFixedOverhead - kBatchesPerBatchOverhead;
  for (size_t size : {piece - 1, piece, piece + 1, 2 * piece, 2 * piece + 1, 3 * piece - 1}) {
    SCOPED_TRACE(size);
    const std::vector<RingBatch> batches = MakeBatches({size, size, 7});
    ExpectSameBatches(RoundTrip(batches, 1000), batches);
  }
}

TEST(BatchFramesTest, TheAssemblerJoinsAPieceAfterWholeBatches) {
  // The general form a reader accepts: whole batches, then the first piece of the next, in one
  // message.
  pb::Batches first;
  first.set_first_seq(1);
  first.set_count(2);
  first.add_batch("whole");
  first.add_commit_unix_ms(5);
  first.add_batch("par");
  first.add_commit_unix_ms(6);
  first.set_more(true);
  pb::Batches second;
  second.set_first_seq(3);
  second.set_count(4);
  second.add_batch("tial");
  second.add_commit_unix_ms(6);
  second.add_batch("next");
  second.add_commit_unix_ms(7);
  BatchAssembler assembler;
  ASSERT_THAT(assembler.Add(&first), IsOkAndHolds(true));
  EXPECT_TRUE(assembler.pending());
  ASSERT_EQ(first.batch_size(), 1);
  EXPECT_EQ(first.batch(0), "whole");
  EXPECT_EQ(first.commit_unix_ms_size(), 1);
  ASSERT_THAT(assembler.Add(&second), IsOkAndHolds(true));
  EXPECT_FALSE(assembler.pending());
  ASSERT_EQ(second.batch_size(), 2);
  EXPECT_EQ(second.batch(0), "partial");
  EXPECT_EQ(second.batch(1), "next");
}

TEST(BatchFramesTest, APieceThatContinuesAnotherBatchIsDataLoss) {
  BatchAssembler assembler;
  pb::Batches piece;
  piece.set_first_seq(10);
  piece.add_batch("abc");
  piece.set_more(true);
  ASSERT_THAT(assembler.Add(&piece), IsOkAndHolds(false));
  pb::Batches other;
  other.set_first_seq(11);
  other.add_batch("def");
  absl::StatusOr<bool> got = assembler.Add(&other);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("split at sequence 10"));
}

TEST(BatchFramesTest, AJoinedBatchPastTheLimitIsRefused) {
  BatchAssembler assembler(10);
  pb::Batches piece;
  piece.set_first_seq(1);
  piece.add_batch("0123456");
  piece.set_more(true);
  ASSERT_THAT(assembler.Add(&piece), IsOkAndHolds(false));
  pb::Batches rest;
  rest.set_first_seq(1);
  rest.set_count(1);
  rest.add_batch("789ab");
  absl::StatusOr<bool> got = assembler.Add(&rest);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace sessionkv::replication

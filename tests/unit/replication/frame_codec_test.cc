// SPDX-License-Identifier: Apache-2.0
#include "replication/frame_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "tests/unit/replication/session_traffic.h"
#include "tests/unit/replication/status_matchers.h"

namespace sessionkv::replication {
namespace {

using ::testing::HasSubstr;

// A stream of every kind of frame, batches shaped like session traffic.
std::vector<pb::Frame> SampleFrames(int n, uint64_t seed) {
  testing::SessionTraffic traffic(seed);
  std::mt19937_64 rng(seed);
  std::vector<pb::Frame> frames;
  uint64_t seq = 1;
  for (int i = 0; i < n; ++i) {
    pb::Frame f;
    switch (rng() % 6) {
      case 0: {
        auto* w = f.mutable_welcome();
        w->set_kind(pb::Welcome::CONTINUE);
        w->set_start_seq(seq);
        w->set_reason("continue");
        auto* h = w->add_history();
        h->set_id(std::string(40, 'a'));
        h->set_epoch(1);
        h->set_first_seq(1);
        h->set_open(true);
        break;
      }
      case 1:
        f.mutable_heartbeat()->set_last_seq(seq);
        f.mutable_heartbeat()->set_unix_ms(1'700'000'000'000 + i);
        break;
      case 2:
        f.mutable_ack()->set_applied_seq(seq);
        f.mutable_ack()->set_synced_seq(seq - 1);
        break;
      case 3: {
        auto* c = f.mutable_chunk();
        c->set_file("000012.sst");
        c->set_offset(i * 100);
        c->set_data(std::string(rng() % 3000, static_cast<char>('a' + i % 26)));
        c->set_last(i % 2 == 0);
        break;
      }
      default: {
        auto* b = f.mutable_batches();
        b->set_first_seq(seq);
        const int batches = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < batches; ++k) {
          uint32_t count = 0;
          b->add_batch(traffic.NextBatch(seq, &count));
          b->add_commit_unix_ms(1'700'000'000'000 + i);
          seq += count;
          b->set_count(b->count() + count);
        }
        break;
      }
    }
    frames.push_back(std::move(f));
  }
  return frames;
}

// Encodes `frames`; snapshot chunks go uncompressed, as the streamer sends SST data.
std::string Encode(std::vector<pb::Frame>& frames, Compression compression) {
  FrameWriter writer(compression);
  std::string wire;
  for (pb::Frame& f : frames) {
    EXPECT_TRUE(writer.Append(f, &wire, /*compress=*/!f.has_chunk()).ok());
  }
  return wire;
}

// Feeds `wire` to a reader in pieces of the given sizes and returns every frame decoded.
std::vector<pb::Frame> Decode(const std::string& wire, const std::vector<size_t>& pieces) {
  FrameReader reader;
  std::vector<pb::Frame> out;
  size_t pos = 0;
  for (size_t len : pieces) {
    reader.Feed(std::string_view(wire).substr(pos, len));
    pos += len;
    while (true) {
      pb::Frame f;
      absl::StatusOr<bool> got = reader.Next(&f);
      EXPECT_TRUE(got.ok()) << got.status();
      if (!got.ok() || !*got) break;
      out.push_back(std::move(f));
    }
  }
  EXPECT_EQ(pos, wire.size());
  EXPECT_EQ(reader.buffered(), 0u);
  return out;
}

void ExpectSameFrames(const std::vector<pb::Frame>& got, const std::vector<pb::Frame>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].version(), kProtocolVersion);
    EXPECT_EQ(got[i].SerializeAsString(), want[i].SerializeAsString()) << "frame " << i;
  }
}

class FrameCodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(FrameCodecTest, RandomSplitsDecodeEveryFrame) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::vector<pb::Frame> frames = SampleFrames(150, seed);
    const std::string wire = Encode(frames, GetParam());
    std::mt19937_64 rng(seed * 7919);
    std::vector<size_t> pieces;
    for (size_t left = wire.size(); left > 0;) {
      // Mostly small pieces, sometimes large ones, so splits land inside headers and payloads
      // alike.
      size_t len = 1 + (rng() % 4 == 0 ? rng() % 20000 : rng() % 40);
      len = std::min(len, left);
      pieces.push_back(len);
      left -= len;
    }
    ExpectSameFrames(Decode(wire, pieces), frames);
  }
}

TEST_P(FrameCodecTest, EverySplitPointOfASmallStream) {
  std::vector<pb::Frame> frames = SampleFrames(6, 3);
  const std::string wire = Encode(frames, GetParam());
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    ExpectSameFrames(Decode(wire, {cut, wire.size() - cut}), frames);
  }
}

TEST_P(FrameCodecTest, ByteByByte) {
  std::vector<pb::Frame> frames = SampleFrames(40, 5);
  const std::string wire = Encode(frames, GetParam());
  ExpectSameFrames(Decode(wire, std::vector<size_t>(wire.size(), 1)), frames);
}

// ZSTD_e_flush at every frame: the bytes of one frame alone decode to that frame; nothing is held
// back for later frames.
TEST_P(FrameCodecTest, EachFrameDecodesAsSoonAsItsBytesArrive) {
  std::vector<pb::Frame> frames = SampleFrames(60, 9);
  FrameWriter writer(GetParam());
  FrameReader reader;
  for (pb::Frame& f : frames) {
    std::string wire;
    ASSERT_TRUE(writer.Append(f, &wire).ok());
    reader.Feed(wire);
    pb::Frame got;
    ASSERT_THAT(reader.Next(&got), testing::IsOkAndHolds(true));
    EXPECT_EQ(got.SerializeAsString(), f.SerializeAsString());
    EXPECT_THAT(reader.Next(&got), testing::IsOkAndHolds(false));
  }
  EXPECT_EQ(writer.stats().frames, frames.size());
  EXPECT_EQ(reader.stats().wire_bytes, writer.stats().wire_bytes);
  EXPECT_EQ(reader.stats().payload_bytes, writer.stats().payload_bytes);
}

TEST_P(FrameCodecTest, WriterRefusesAFrameAboveTheLimit) {
  FrameWriter writer(GetParam(), 1, /*max_frame_bytes=*/1000);
  pb::Frame f;
  f.mutable_chunk()->set_data(std::string(2000, 'x'));
  std::string wire = "keep";
  absl::Status s = writer.Append(f, &wire);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(s.message(), HasSubstr("exceeds the limit of 1000 bytes"));
  EXPECT_EQ(wire, "keep");
}

// A reader with a smaller limit than the writer: the frame is refused, and the error stays.
TEST_P(FrameCodecTest, ReaderRefusesAFrameAboveTheLimit) {
  FrameWriter writer(GetParam());
  pb::Frame f;
  f.mutable_batches()->add_batch(std::string(100'000, 'y'));  // compresses to little: the bomb case
  std::string wire;
  ASSERT_TRUE(writer.Append(f, &wire).ok());
  FrameReader reader(/*max_frame_bytes=*/10'000);
  reader.Feed(wire);
  pb::Frame got;
  absl::StatusOr<bool> r = reader.Next(&got);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("exceeds the limit of 10000 bytes"));
  EXPECT_FALSE(reader.Next(&got).ok());
}

INSTANTIATE_TEST_SUITE_P(Compression, FrameCodecTest,
                         ::testing::Values(Compression::kNone, Compression::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

// The length alone is enough to refuse: a peer announcing 1 GB is cut off before it sends it.
TEST(FrameReaderTest, HugeLengthIsRefusedFromTheHeader) {
  FrameReader reader(1 << 20);
  reader.Feed(std::string("\x80\x80\x80\x80\x04\x00", 6));  // 1 GB, uncompressed
  pb::Frame f;
  absl::StatusOr<bool> r = reader.Next(&f);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("replication frame of 1073741824 bytes exceeds"));
}

TEST(FrameReaderTest, MalformedLengthIsAnError) {
  FrameReader reader;
  reader.Feed(std::string(11, '\xff'));
  pb::Frame f;
  EXPECT_EQ(reader.Next(&f).status().code(), absl::StatusCode::kDataLoss);
}

TEST(FrameReaderTest, UnknownFlagsAreAnError) {
  FrameReader reader;
  reader.Feed(std::string("\x00\x04", 2));
  pb::Frame f;
  absl::StatusOr<bool> r = reader.Next(&f);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("unknown flags 0x4"));
}

TEST(FrameReaderTest, CorruptZstdIsAnError) {
  FrameReader reader;
  reader.Feed(std::string("\x05\x01garbage", 7));
  pb::Frame f;
  absl::StatusOr<bool> r = reader.Next(&f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("zstd"));
}

TEST(FrameReaderTest, PayloadThatIsNoFrameIsAnError) {
  FrameReader reader;
  reader.Feed(std::string("\x02\x00\xff\xff", 4));
  pb::Frame f;
  EXPECT_EQ(reader.Next(&f).status().code(), absl::StatusCode::kDataLoss);
}

TEST(FrameReaderTest, EmptyFrameDecodes) {
  FrameWriter writer(Compression::kZstd);
  pb::Frame f;
  std::string wire;
  ASSERT_TRUE(writer.Append(f, &wire).ok());
  FrameReader reader;
  reader.Feed(wire);
  pb::Frame got;
  EXPECT_THAT(reader.Next(&got), testing::IsOkAndHolds(true));
  EXPECT_EQ(got.body_case(), pb::Frame::BODY_NOT_SET);
}

TEST(CompressionTest, ParsesTheDirectiveWords) {
  EXPECT_THAT(ParseCompression("zstd"), testing::IsOkAndHolds(Compression::kZstd));
  EXPECT_THAT(ParseCompression("NONE"), testing::IsOkAndHolds(Compression::kNone));
  absl::StatusOr<Compression> bad = ParseCompression("lz4");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "repl-compression must be zstd or none, not 'lz4'");
}

// The figure docs/replication.md quotes: wire bytes of one frame per committed batch (no
// coalescing, the worst case) of Spring-session-shaped traffic, with one zstd context per
// connection, against no compression and against a fresh context per frame (what
// repl-compression-reset-per-frame would cost).
TEST(CompressionTest, SessionTrafficRatio) {
  constexpr int kBatches = 20000;
  testing::SessionTraffic traffic(42);
  FrameWriter plain(Compression::kNone);
  FrameWriter zstd(Compression::kZstd);
  uint64_t per_frame_bytes = 0;
  uint64_t seq = 1;
  std::string sink;
  for (int i = 0; i < kBatches; ++i) {
    pb::Frame f;
    uint32_t count = 0;
    f.mutable_batches()->set_first_seq(seq);
    f.mutable_batches()->add_batch(traffic.NextBatch(seq, &count));
    f.mutable_batches()->add_commit_unix_ms(1'700'000'000'000 + i);
    f.mutable_batches()->set_count(count);
    seq += count;
    sink.clear();
    ASSERT_TRUE(plain.Append(f, &sink).ok());
    sink.clear();
    ASSERT_TRUE(zstd.Append(f, &sink).ok());
    if (i < 2000) {  // a fresh context per frame: sampled, it is slow
      FrameWriter fresh(Compression::kZstd);
      sink.clear();
      ASSERT_TRUE(fresh.Append(f, &sink).ok());
      per_frame_bytes += sink.size();
    }
  }
  const double plain_per_batch = static_cast<double>(plain.stats().wire_bytes) / kBatches;
  const double zstd_per_batch = static_cast<double>(zstd.stats().wire_bytes) / kBatches;
  const double ratio = plain_per_batch / zstd_per_batch;
  const double per_frame_ratio = plain_per_batch / (static_cast<double>(per_frame_bytes) / 2000);
  std::printf(
      "session traffic: %.1f B/batch plain, %.1f B/batch zstd stream (%.2fx), "
      "%.2fx with a fresh context per frame\n",
      plain_per_batch, zstd_per_batch, ratio, per_frame_ratio);
  EXPECT_GE(ratio, 3.0);
  EXPECT_GT(ratio, per_frame_ratio * 1.5);
}

}  // namespace
}  // namespace sessionkv::replication

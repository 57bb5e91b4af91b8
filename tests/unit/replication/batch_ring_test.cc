// SPDX-License-Identifier: Apache-2.0
#include "replication/batch_ring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/replication/status_matchers.h"

namespace sessionkv::replication {
namespace {

using testing::IsOkAndHolds;

std::string Bytes(uint64_t seq) { return "batch-" + std::to_string(seq); }

TEST(BatchRingTest, ReadsFromASequence) {
  BatchRing ring(1 << 20, 10);
  ASSERT_TRUE(ring.Publish(10, 2, Bytes(10), 1000).ok());  // 10..11
  ASSERT_TRUE(ring.Publish(12, 1, Bytes(12), 1001).ok());  // 12
  ASSERT_TRUE(ring.Publish(13, 3, Bytes(13), 1002).ok());  // 13..15
  auto reader = ring.NewReader([] {});
  std::vector<RingBatch> out;
  EXPECT_THAT(reader->Read(12, 1 << 20, &out), IsOkAndHolds(ReadResult::kBatches));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].first_seq, 12u);
  EXPECT_EQ(*out[0].data, Bytes(12));
  EXPECT_EQ(out[1].first_seq, 13u);
  EXPECT_EQ(out[1].last_seq, 15u);
  EXPECT_EQ(out[1].commit_ms, 1002);
  // A sequence inside a batch yields that batch, as GetUpdatesSince does.
  out.clear();
  EXPECT_THAT(reader->Read(11, 1 << 20, &out), IsOkAndHolds(ReadResult::kBatches));
  EXPECT_EQ(out.front().first_seq, 10u);
  EXPECT_THAT(reader->Read(16, 1 << 20, &out), IsOkAndHolds(ReadResult::kCaughtUp));
  EXPECT_EQ(reader->Read(17, 1 << 20, &out).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(reader->Read(9, 1 << 20, &out), IsOkAndHolds(ReadResult::kFellBehind));
}

TEST(BatchRingTest, ReadStopsNearMaxBytesButReturnsAtLeastOneBatch) {
  BatchRing ring(1 << 20, 1);
  for (uint64_t s = 1; s <= 10; ++s) ASSERT_TRUE(ring.Publish(s, 1, std::string(100, 'x'), 0).ok());
  auto reader = ring.NewReader([] {});
  std::vector<RingBatch> out;
  ASSERT_TRUE(reader->Read(1, 350, &out).ok());
  EXPECT_EQ(out.size(), 3u);
  out.clear();
  ASSERT_TRUE(reader->Read(1, 10, &out).ok());
  EXPECT_EQ(out.size(), 1u);
}

TEST(BatchRingTest, PublishRefusesGaps) {
  BatchRing ring(1 << 20, 5);
  EXPECT_EQ(ring.Publish(6, 1, "x", 0).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ring.Publish(5, 0, "x", 0).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(ring.Publish(5, 4, "x", 0).ok());
  EXPECT_EQ(ring.Publish(8, 1, "x", 0).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ring.Publish(9, 1, "x", 0).ok());
}

TEST(BatchRingTest, BoundedByBytesOldestLeaveFirst) {
  BatchRing ring(1000, 1);
  for (uint64_t s = 1; s <= 100; ++s)
    ASSERT_TRUE(ring.Publish(s, 1, std::string(100, 'x'), 0).ok());
  const RingStats st = ring.stats();
  EXPECT_LE(st.bytes, 1000u);
  EXPECT_EQ(st.batches, 1000u / (100 + 64));
  EXPECT_EQ(st.oldest_seq, 101 - st.batches);
  EXPECT_EQ(st.next_seq, 101u);
  EXPECT_EQ(st.published, 100u);
  EXPECT_EQ(st.evicted, 100 - st.batches);
  auto reader = ring.NewReader([] {});
  std::vector<RingBatch> out;
  EXPECT_THAT(reader->Read(st.oldest_seq - 1, 1 << 20, &out),
              IsOkAndHolds(ReadResult::kFellBehind));
  EXPECT_THAT(reader->Read(st.oldest_seq, 1 << 20, &out), IsOkAndHolds(ReadResult::kBatches));
}

// The newest batch stays even when it alone exceeds the capacity: a caught-up replica still gets it
// from memory.
TEST(BatchRingTest, KeepsTheNewestBatchEvenIfLarger) {
  BatchRing ring(100, 1);
  ASSERT_TRUE(ring.Publish(1, 1, std::string(500, 'x'), 0).ok());
  EXPECT_EQ(ring.stats().batches, 1u);
  ASSERT_TRUE(ring.Publish(2, 1, std::string(500, 'y'), 0).ok());
  EXPECT_EQ(ring.stats().batches, 1u);
  EXPECT_EQ(ring.stats().oldest_seq, 2u);
}

// Readers hold their batches by shared pointer: eviction does not pull bytes from under them.
TEST(BatchRingTest, ReadBatchesOutliveEviction) {
  BatchRing ring(200, 1);
  auto reader = ring.NewReader([] {});
  ASSERT_TRUE(ring.Publish(1, 1, std::string(100, 'a'), 0).ok());
  std::vector<RingBatch> out;
  ASSERT_TRUE(reader->Read(1, 1 << 20, &out).ok());
  for (uint64_t s = 2; s <= 10; ++s) ASSERT_TRUE(ring.Publish(s, 1, std::string(100, 'b'), 0).ok());
  EXPECT_EQ(*out[0].data, std::string(100, 'a'));
}

TEST(BatchRingTest, WakesArmedReadersOnceEach) {
  BatchRing ring(1 << 20, 1);
  int woken_a = 0, woken_b = 0;
  auto a = ring.NewReader([&] { ++woken_a; });
  auto b = ring.NewReader([&] { ++woken_b; });
  std::vector<RingBatch> out;
  ASSERT_THAT(a->Read(1, 1 << 20, &out), IsOkAndHolds(ReadResult::kCaughtUp));  // only a is armed
  ASSERT_TRUE(ring.Publish(1, 1, "x", 0).ok());
  ASSERT_TRUE(ring.Publish(2, 1, "y", 0).ok());  // a was disarmed by the first wake
  EXPECT_EQ(woken_a, 1);
  EXPECT_EQ(woken_b, 0);
  ASSERT_THAT(a->Read(1, 1 << 20, &out), IsOkAndHolds(ReadResult::kBatches));  // does not arm
  ASSERT_TRUE(ring.Publish(3, 1, "z", 0).ok());
  EXPECT_EQ(woken_a, 1);
}

TEST(BatchRingTest, ResetMakesReadersFallBehindOrAhead) {
  BatchRing ring(1 << 20, 1);
  auto reader = ring.NewReader([] {});
  for (uint64_t s = 1; s <= 5; ++s) ASSERT_TRUE(ring.Publish(s, 1, "x", 0).ok());
  ring.Reset(100);
  std::vector<RingBatch> out;
  EXPECT_THAT(reader->Read(3, 1 << 20, &out), IsOkAndHolds(ReadResult::kFellBehind));
  EXPECT_THAT(reader->Read(100, 1 << 20, &out), IsOkAndHolds(ReadResult::kCaughtUp));
  EXPECT_EQ(ring.stats().batches, 0u);
  EXPECT_TRUE(ring.Publish(100, 1, "x", 0).ok());
}

// One publisher, several streamers woken by their hooks (never polling), a ring too small to hold
// the stream so the slower ones fall behind and catch up from the "WAL" (here: the list of every
// batch). Each streamer must see every batch exactly once, in order, with the right bytes.
TEST(BatchRingTest, ConcurrentReadersSeeEveryBatchInOrder) {
  constexpr uint64_t kBatches = 20000;
  constexpr int kReaders = 4;
  BatchRing ring(64 * 1024, 1);
  std::vector<std::string> wal(kBatches + 1);
  for (uint64_t s = 1; s <= kBatches; ++s) wal[s] = Bytes(s) + std::string(s % 300, 'p');
  std::mutex progress_mu;
  std::condition_variable progress_cv;
  std::vector<uint64_t> positions(kReaders, 1);  // guarded by progress_mu

  struct Streamer {
    std::mutex mu;
    std::condition_variable cv;
    bool woken = false;
    std::unique_ptr<BatchRing::Reader> reader;
    uint64_t from_ring = 0, from_wal = 0, wakes = 0;
  };
  std::vector<Streamer> streamers(kReaders);
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int i = 0; i < kReaders; ++i) {
    Streamer& st = streamers[i];
    st.reader = ring.NewReader([&st] {
      std::lock_guard lock(st.mu);
      st.woken = true;
      st.cv.notify_one();
    });
    threads.emplace_back([&, i] {
      Streamer& me = streamers[i];
      uint64_t next = 1;
      std::vector<RingBatch> out;
      while (next <= kBatches && !failed) {
        out.clear();
        absl::StatusOr<ReadResult> r = me.reader->Read(next, 4096 * (i + 1), &out);
        if (!r.ok()) {
          ADD_FAILURE() << r.status();
          failed = true;
          break;
        }
        {
          std::lock_guard lock(progress_mu);
          positions[i] = next;
          progress_cv.notify_all();
        }
        if (*r == ReadResult::kCaughtUp) {
          std::unique_lock lock(me.mu);
          me.cv.wait(lock, [&] { return me.woken; });
          me.woken = false;
          ++me.wakes;
        } else if (*r == ReadResult::kFellBehind) {
          // Read the WAL until the ring holds the next batch again, then go back to the ring (the
          // streamer's loop in docs/replication.md).
          const uint64_t until = ring.stats().oldest_seq;
          for (; next < until; ++next) ++me.from_wal;
        } else {
          for (const RingBatch& b : out) {
            if (b.first_seq != next || *b.data != wal[next]) {
              ADD_FAILURE() << "reader " << i << " got seq " << b.first_seq << ", wanted " << next;
              failed = true;
              break;
            }
            ++next;
            ++me.from_ring;
          }
          if (i == 0) std::this_thread::yield();  // a slower reader, to fall behind now and then
        }
      }
      if (next != kBatches + 1) failed = true;
      std::lock_guard lock(progress_mu);
      positions[i] = kBatches + 1;
      progress_cv.notify_all();
    });
  }
  uint64_t s = 1;
  for (int burst = 0; s <= kBatches; ++burst) {
    const uint64_t end = std::min(kBatches, s + (burst % 2 == 0 ? 2000 : 50) - 1);
    for (; s <= end; ++s) {
      ASSERT_TRUE(ring.Publish(s, 1, wal[s], static_cast<int64_t>(s)).ok());
    }
    if (burst % 2 == 1) {
      std::unique_lock lock(progress_mu);
      progress_cv.wait(lock, [&] {
        return failed ||
               std::all_of(positions.begin(), positions.end(), [&](uint64_t p) { return p == s; });
      });
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(failed);
  for (const Streamer& st : streamers) {
    EXPECT_EQ(st.from_ring + st.from_wal, kBatches);
    EXPECT_GT(st.from_ring, 0u);
  }
}

// Destroying a reader while the publisher may be running its hook is safe: the destructor waits.
TEST(BatchRingTest, ReaderDestroyedWhilePublishing) {
  BatchRing ring(1 << 20, 1);
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    for (uint64_t s = 1; !stop; ++s) ASSERT_TRUE(ring.Publish(s, 1, "x", 0).ok());
  });
  for (int i = 0; i < 2000; ++i) {
    auto alive = std::make_shared<int>(0);
    auto reader = ring.NewReader([alive] { ++*alive; });
    std::vector<RingBatch> out;
    ASSERT_TRUE(reader->Read(ring.stats().next_seq, 1, &out).ok());
    reader.reset();
  }
  stop = true;
  publisher.join();
}

}  // namespace
}  // namespace sessionkv::replication

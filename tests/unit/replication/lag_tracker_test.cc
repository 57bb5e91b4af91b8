// SPDX-License-Identifier: Apache-2.0
#include "replication/lag_tracker.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace sessionkv::replication {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

std::string Name(int i) { return absl::StrCat("r", i); }

TEST(LagTrackerTest, LagIsAgeOfTheFirstUnackedBatch) {
  LagTracker t;
  t.AddReplica("r1", 0, kT0);
  t.OnCommit(1, 3, kT0 + 100);  // 1..3
  t.OnCommit(4, 4, kT0 + 250);  // 4
  t.OnCommit(5, 9, kT0 + 400);  // 5..9
  ReplicaLag lag = *t.Lag("r1", kT0 + 1000);
  EXPECT_EQ(lag.lag_ms, 900);  // batch 1 committed at +100
  EXPECT_EQ(lag.lag_seconds, 1);
  EXPECT_EQ(lag.behind_seqs, 9u);

  ASSERT_TRUE(t.OnAck("r1", 3, 3, kT0 + 1000).ok());
  lag = *t.Lag("r1", kT0 + 1000);
  EXPECT_EQ(lag.lag_ms, 750);  // batch 4, +250
  EXPECT_EQ(lag.acked_seq, 3u);
  EXPECT_EQ(lag.behind_seqs, 6u);

  ASSERT_TRUE(t.OnAck("r1", 6, 4, kT0 + 1100).ok());  // inside batch 5..9: still waiting for it
  EXPECT_EQ(t.Lag("r1", kT0 + 1100)->lag_ms, 700);

  ASSERT_TRUE(t.OnAck("r1", 9, 9, kT0 + 1200).ok());
  lag = *t.Lag("r1", kT0 + 5000);
  EXPECT_EQ(lag.lag_ms, 0);  // all acked: 0, whatever time it is
  EXPECT_EQ(lag.lag_seconds, 0);
  EXPECT_EQ(lag.behind_seqs, 0u);
  EXPECT_EQ(lag.stalled_ms, 0);
  EXPECT_EQ(lag.last_ack_ms, kT0 + 1200);
}

// Redis's `lag` field: whole seconds, rounded up, so any lag at all reads as at least 1.
TEST(LagTrackerTest, RedisLagSecondsRoundUp) {
  LagTracker t;
  t.AddReplica("r", 0, kT0);
  t.OnCommit(1, 1, kT0);
  EXPECT_EQ(t.Lag("r", kT0)->lag_seconds, 0);
  EXPECT_EQ(t.Lag("r", kT0 + 1)->lag_seconds, 1);
  EXPECT_EQ(t.Lag("r", kT0 + 1000)->lag_seconds, 1);
  EXPECT_EQ(t.Lag("r", kT0 + 1001)->lag_seconds, 2);
}

TEST(LagTrackerTest, AcksNeverGoBackAndSyncedNeverPassesApplied) {
  LagTracker t;
  t.AddReplica("r", 0, kT0);
  t.OnCommit(1, 10, kT0);
  ASSERT_TRUE(t.OnAck("r", 8, 5, kT0 + 10).ok());
  ASSERT_TRUE(t.OnAck("r", 6, 9, kT0 + 20).ok());  // a stale, reordered ack
  ReplicaLag lag = *t.Lag("r", kT0 + 20);
  EXPECT_EQ(lag.acked_seq, 8u);
  EXPECT_EQ(lag.synced_seq, 8u);
  EXPECT_EQ(lag.last_ack_ms, kT0 + 20);
  EXPECT_EQ(t.OnAck("r", 11, 11, kT0).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(t.OnAck("nobody", 1, 1, kT0).code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(t.Lag("nobody", kT0).has_value());
}

// repl-timeout's progress check: data pending and the ack not moving.
TEST(LagTrackerTest, StalledCountsFromTheLaterOfPendingAndLastAdvance) {
  LagTracker t;
  t.AddReplica("r", 0, kT0);
  t.OnCommit(1, 1, kT0 + 500);
  EXPECT_EQ(t.Lag("r", kT0 + 800)->stalled_ms, 300);  // pending since the commit
  ASSERT_TRUE(t.OnAck("r", 1, 1, kT0 + 900).ok());
  t.OnCommit(2, 2, kT0 + 1000);
  ASSERT_TRUE(t.OnAck("r", 1, 1, kT0 + 3000).ok());  // an ack that does not advance: no progress
  EXPECT_EQ(t.Lag("r", kT0 + 4000)->stalled_ms, 3000);
  t.OnCommit(3, 3, kT0 + 4100);
  ASSERT_TRUE(t.OnAck("r", 2, 2, kT0 + 4200).ok());  // progress, batch 3 still pending
  EXPECT_EQ(t.Lag("r", kT0 + 4300)->stalled_ms, 100);
}

TEST(LagTrackerTest, CountsForWaitAndMinReplicas) {
  LagTracker t;
  t.OnCommit(1, 10, kT0);
  t.OnCommit(11, 20, kT0 + 1000);
  t.AddReplica("a", 20, kT0);
  t.AddReplica("b", 10, kT0);
  t.AddReplica("c", 5, kT0);
  ASSERT_TRUE(t.OnAck("a", 20, 20, kT0 + 1500).ok());
  ASSERT_TRUE(t.OnAck("b", 10, 7, kT0 + 1500).ok());
  EXPECT_EQ(t.CountAcked(10), 2);
  EXPECT_EQ(t.CountAcked(20), 1);
  EXPECT_EQ(t.CountAcked(1), 3);
  EXPECT_EQ(t.CountSynced(7), 2);
  EXPECT_EQ(t.CountSynced(8), 1);
  // At +2000: a has no lag, b waits for batch 11 (+1000, so 1000 ms), c for batch 1 (2000 ms).
  EXPECT_EQ(t.CountWithLagAtMost(0, kT0 + 2000), 1);
  EXPECT_EQ(t.CountWithLagAtMost(1000, kT0 + 2000), 2);
  EXPECT_EQ(t.CountWithLagAtMost(2000, kT0 + 2000), 3);
  t.RemoveReplica("c");
  EXPECT_EQ(t.CountAcked(1), 2);
}

TEST(LagTrackerTest, OnePointPerMillisecond) {
  LagTracker t;
  for (uint64_t s = 1; s <= 1000; ++s) t.OnCommit(s, s, kT0 + static_cast<int64_t>(s / 100));
  EXPECT_EQ(t.points(), 11u);
  t.AddReplica("r", 150, kT0);
  EXPECT_EQ(t.Lag("r", kT0 + 10)->lag_ms, 9);  // batch 151 committed at +1
}

// Thinning keeps memory bounded and only ever overstates the lag of old batches; recent ones are
// exact.
TEST(LagTrackerTest, ThinningOverstatesNeverUnderstates) {
  constexpr size_t kMax = 64;
  LagTracker t(0, kMax);
  constexpr uint64_t kN = 10000;
  for (uint64_t s = 1; s <= kN; ++s) t.OnCommit(s, s, kT0 + static_cast<int64_t>(s) * 10);
  EXPECT_LE(t.points(), kMax);
  const int64_t now = kT0 + static_cast<int64_t>(kN) * 10 + 5;
  for (uint64_t acked = 0; acked < kN; acked += 97) {
    t.AddReplica("r", acked, kT0);
    const int64_t exact = now - (kT0 + static_cast<int64_t>(acked + 1) * 10);
    ASSERT_GE(t.Lag("r", now)->lag_ms, exact) << "acked " << acked;
  }
  t.AddReplica("r", kN - 3, kT0);
  EXPECT_EQ(t.Lag("r", now)->lag_ms, 25);  // batch kN - 2, committed 25 ms ago: exact
}

TEST(LagTrackerTest, BehindBatchesFromBeforeTrackingHaveNoTime) {
  LagTracker t(/*last_seq=*/100);
  t.AddReplica("r", 40, kT0);
  ReplicaLag lag = *t.Lag("r", kT0 + 100);
  EXPECT_EQ(lag.behind_seqs, 60u);
  EXPECT_EQ(lag.lag_ms, 0);
  t.OnCommit(101, 101, kT0 + 50);
  EXPECT_EQ(t.Lag("r", kT0 + 100)->lag_ms, 50);  // at least since the oldest point
}

TEST(LagTrackerTest, ConcurrentCommitsAcksAndReads) {
  LagTracker t;
  constexpr uint64_t kN = 20000;
  for (int r = 0; r < 3; ++r) t.AddReplica(Name(r), 0, kT0);
  std::thread writer([&] {
    for (uint64_t s = 1; s <= kN; ++s) t.OnCommit(s, s, kT0 + static_cast<int64_t>(s));
  });
  std::vector<std::thread> ackers;
  for (int r = 0; r < 3; ++r) {
    ackers.emplace_back([&, r] {
      const std::string id = Name(r);
      while (t.Lag(id, kT0)->acked_seq < kN) {
        const uint64_t last = t.last_seq();
        (void)t.OnAck(id, last, last, kT0 + static_cast<int64_t>(last));
        (void)t.CountWithLagAtMost(10, kT0 + static_cast<int64_t>(last));
      }
    });
  }
  writer.join();
  for (auto& a : ackers) a.join();
  EXPECT_EQ(t.CountAcked(kN), 3);
}

}  // namespace
}  // namespace sessionkv::replication

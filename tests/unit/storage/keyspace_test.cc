// SPDX-License-Identifier: Apache-2.0
#include "storage/keyspace.h"

#include <mutex>
#include <set>
#include <string>

#include "gtest/gtest.h"

namespace sessionkv::storage {
namespace {

// A keyspace with every shard locked for the test's lifetime, as the dispatcher would lock them.
class KeyspaceTest : public ::testing::Test {
 protected:
  KeyspaceTest() : ks_(16, 4, &clock_) {
    for (int s = 0; s < ks_.num_shards(); ++s) ks_.shard(s).mutex().lock();
  }
  ~KeyspaceTest() override {
    for (int s = 0; s < ks_.num_shards(); ++s) ks_.shard(s).mutex().unlock();
  }
  size_t ExpireAll() {
    size_t n = 0;
    for (int s = 0; s < ks_.num_shards(); ++s) n += ks_.ExpireDue(ks_.shard(s), clock_.NowMs(), 1000000, sink_);
    return n;
  }

  FakeClock clock_;
  Keyspace ks_;
  MutationSink sink_;
};

TEST_F(KeyspaceTest, AddFindDelete) {
  Db db(ks_, 0, &sink_);
  EXPECT_EQ(db.Find("a"), nullptr);
  db.Add("a", Value::String("1"));
  ASSERT_NE(db.Find("a"), nullptr);
  EXPECT_EQ(db.Find("a")->value().string().bytes, "1");
  EXPECT_EQ(Db(ks_, 1, &sink_).Find("a"), nullptr) << "databases are separate";
  EXPECT_EQ(db.Size(), 1u);
  EXPECT_TRUE(db.Delete("a"));
  EXPECT_FALSE(db.Delete("a"));
  EXPECT_EQ(db.Size(), 0u);
}

TEST_F(KeyspaceTest, LazyExpiryAtDeadlinePlusOne) {
  Db db(ks_, 0, &sink_);
  Entry* e = db.Add("s", Value::String("v"));
  db.SetDeadline(e, clock_.NowMs() + 100);
  EXPECT_EQ(db.ExpiresCount(), 1u);
  clock_.Advance(100);
  EXPECT_NE(db.Find("s"), nullptr) << "Redis keeps a key until the clock passes its deadline";
  clock_.Advance(1);
  EXPECT_EQ(db.Find("s"), nullptr);
  EXPECT_EQ(db.Size(), 0u);
  EXPECT_EQ(db.ExpiresCount(), 0u);
  EXPECT_EQ(ks_.stats().expired_keys.load(), 1u);
}

TEST_F(KeyspaceTest, ExpireDueRemovesOnlyDueKeys) {
  Db db(ks_, 0, &sink_);
  for (int i = 0; i < 1000; ++i) {
    Entry* e = db.Add("live" + std::to_string(i), Value::String("v"));
    db.SetDeadline(e, clock_.NowMs() + 3'600'000);
  }
  for (int i = 0; i < 10; ++i) {
    Entry* e = db.Add("due" + std::to_string(i), Value::String("v"));
    db.SetDeadline(e, clock_.NowMs() + 50 + i);
  }
  clock_.Advance(55);
  EXPECT_EQ(ExpireAll(), 5u);
  clock_.Advance(10);
  EXPECT_EQ(ExpireAll(), 5u);
  EXPECT_EQ(db.Size(), 1000u);
  EXPECT_EQ(ExpireAll(), 0u);
}

TEST_F(KeyspaceTest, NextDeadlineAndListener) {
  Db db(ks_, 3, &sink_);
  int64_t woken = 0;
  for (int s = 0; s < ks_.num_shards(); ++s) {
    ks_.shard(s).set_deadline_listener([&](int64_t d) { woken = d; });
  }
  Entry* e = db.Add("k", Value::String("v"));
  const int64_t d1 = clock_.NowMs() + 1000;
  db.SetDeadline(e, d1);
  EXPECT_EQ(woken, d1) << "an earlier deadline than the armed one wakes the timer";
  Shard& shard = ks_.shard(ks_.ShardOfKey("k"));
  EXPECT_EQ(shard.NextDeadline(), d1);
  woken = 0;
  db.SetDeadline(e, d1 + 500);
  EXPECT_EQ(woken, 0) << "a later deadline does not";
  db.SetDeadline(e, 0);
  EXPECT_EQ(shard.NextDeadline(), kNoDeadline);
}

TEST_F(KeyspaceTest, OverwriteClearsOrKeepsTtl) {
  Db db(ks_, 0, &sink_);
  Entry* e = db.Add("k", Value::String("v"));
  db.SetDeadline(e, clock_.NowMs() + 1000);
  e = db.Overwrite("k", Value::String("w"), /*keep_ttl=*/true);
  EXPECT_TRUE(e->has_deadline());
  e = db.Overwrite("k", Value::String("x"));
  EXPECT_FALSE(e->has_deadline());
  EXPECT_EQ(db.ExpiresCount(), 0u);
}

TEST_F(KeyspaceTest, AverageTtl) {
  Db db(ks_, 0, &sink_);
  db.SetDeadline(db.Add("a", Value::String("v")), clock_.NowMs() + 1000);
  db.SetDeadline(db.Add("b", Value::String("v")), clock_.NowMs() + 3000);
  EXPECT_EQ(db.AverageTtlMs(), 2000);
}

TEST_F(KeyspaceTest, ScanCoversAllShardsAndSkipsExpired) {
  Db db(ks_, 0, &sink_);
  for (int i = 0; i < 300; ++i) db.Add("k" + std::to_string(i), Value::String("v"));
  db.SetDeadline(db.Find("k7"), clock_.NowMs() + 10);
  clock_.Advance(20);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = db.ScanStep(cursor, [&](Entry* e) { seen.insert(e->key); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 299u);
  EXPECT_EQ(seen.count("k7"), 0u);
  EXPECT_EQ(db.Size(), 299u) << "the expired key met by SCAN was deleted";
}

TEST_F(KeyspaceTest, SwapAndClear) {
  Db db0(ks_, 0, &sink_), db1(ks_, 1, &sink_);
  db0.Add("a", Value::String("0"));
  for (int s = 0; s < ks_.num_shards(); ++s) ks_.shard(s).SwapDbs(0, 1);
  EXPECT_EQ(db0.Find("a"), nullptr);
  EXPECT_NE(db1.Find("a"), nullptr);
  db1.Clear();
  EXPECT_EQ(db1.Size(), 0u);
}

}  // namespace
}  // namespace sessionkv::storage

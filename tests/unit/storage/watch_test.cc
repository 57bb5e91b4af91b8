// SPDX-License-Identifier: Apache-2.0
// WATCH bookkeeping in the keyspace (storage/watch.h, Keyspace::Watch/TouchWatchedKey/SwapDbs, Db::Clear):
// which touches mark a watcher dirty, Redis 7's rules for keys already expired at WATCH time, that the
// expired listener sees the key gone, and that watches stay with their database index across SWAPDB.
#include "storage/watch.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/keyspace.h"

namespace sessionkv::storage {
namespace {

// A keyspace with every shard locked for the test's lifetime, as the dispatcher would lock them.
class WatchTest : public ::testing::Test {
 protected:
  WatchTest() : ks_(4, 4, &clock_) {
    for (int s = 0; s < ks_.num_shards(); ++s) ks_.shard(s).mutex().lock();
  }
  ~WatchTest() override {
    for (int s = 0; s < ks_.num_shards(); ++s) ks_.shard(s).mutex().unlock();
  }
  // A key with a deadline `ms` from now.
  void AddExpiring(Db& db, const std::string& key, int64_t ms) {
    db.SetDeadline(db.Add(key, Value::String("v")), clock_.NowMs() + ms);
  }
  bool Dirty() const { return flag_->dirty.load(); }
  void Reset() { flag_->dirty.store(false); }

  FakeClock clock_;
  Keyspace ks_;
  MutationSink sink_;
  std::shared_ptr<WatchFlag> flag_ = std::make_shared<WatchFlag>();
};

TEST_F(WatchTest, TouchMarksOnlyWatchersOfThatKeyInThatDatabase) {
  EXPECT_TRUE(ks_.Watch(0, "k", flag_));
  EXPECT_FALSE(ks_.Watch(0, "k", flag_)) << "one watch per client and key";
  ks_.TouchWatchedKey(0, "other");
  ks_.TouchWatchedKey(1, "k");
  EXPECT_FALSE(Dirty());
  ks_.TouchWatchedKey(0, "k");
  EXPECT_TRUE(Dirty());

  auto second = std::make_shared<WatchFlag>();
  ks_.Watch(0, "k", second);
  ks_.Unwatch(0, "k", flag_.get());
  Reset();
  ks_.TouchWatchedKey(0, "k");
  EXPECT_FALSE(Dirty()) << "unwatched";
  EXPECT_TRUE(second->dirty.load());
  ks_.Unwatch(0, "k", second.get());
  for (int s = 0; s < ks_.num_shards(); ++s) EXPECT_TRUE(ks_.shard(s).watches(0).empty());
}

TEST_F(WatchTest, ExpiryTouchesAfterTheKeyIsGone) {
  Db db(ks_, 0, &sink_);
  std::vector<bool> present_in_listener;
  ks_.set_expired_listener([&](int index, std::string_view key) {
    present_in_listener.push_back(Db(ks_, index, &sink_).Find(key) != nullptr);
    ks_.TouchWatchedKey(index, key);
  });
  AddExpiring(db, "k", 100);
  ks_.Watch(0, "k", flag_);  // live at WATCH time
  clock_.Advance(200);
  EXPECT_TRUE(ks_.WatchedKeyExpired(0, "k", flag_.get())) << "expired, not yet deleted";
  EXPECT_EQ(db.Find("k"), nullptr);  // lazy expiry
  EXPECT_EQ(present_in_listener, std::vector<bool>{false});
  EXPECT_TRUE(Dirty());
}

TEST_F(WatchTest, KeyExpiredAtWatchTime) {
  Db db(ks_, 0, &sink_);
  ks_.set_expired_listener([&](int index, std::string_view key) { ks_.TouchWatchedKey(index, key); });
  AddExpiring(db, "k", 100);
  clock_.Advance(200);
  ks_.Watch(0, "k", flag_);
  EXPECT_FALSE(ks_.WatchedKeyExpired(0, "k", flag_.get())) << "it was expired already";
  ks_.TouchWatchedKey(0, "k");
  EXPECT_FALSE(Dirty()) << "touching the still stored expired key is skipped";
  EXPECT_EQ(ks_.ExpireDue(ks_.shard(ks_.ShardOfKey("k")), clock_.NowMs(), 10, sink_), 1u);
  EXPECT_FALSE(Dirty()) << "its deletion is no logical change";
  db.Add("k", Value::String("new"));
  ks_.TouchWatchedKey(0, "k");
  EXPECT_TRUE(Dirty()) << "the expired flag is forgotten once the key is gone";
}

TEST_F(WatchTest, ClearTouchesOnlyExistingKeys) {
  Db db(ks_, 0, &sink_);
  db.Add("k", Value::String("v"));
  auto missing = std::make_shared<WatchFlag>();
  ks_.Watch(0, "k", flag_);
  ks_.Watch(0, "missing", missing);
  Db(ks_, 1, &sink_).Clear();
  EXPECT_FALSE(Dirty()) << "another database";
  db.Clear();
  EXPECT_TRUE(Dirty());
  EXPECT_FALSE(missing->dirty.load());
}

TEST_F(WatchTest, ClearOfAKeyExpiredAtWatchTime) {
  Db db(ks_, 0, &sink_);
  AddExpiring(db, "k", 100);
  clock_.Advance(200);
  ks_.Watch(0, "k", flag_);
  db.Clear();
  EXPECT_FALSE(Dirty());
  db.Add("k", Value::String("v"));
  ks_.TouchWatchedKey(0, "k");
  EXPECT_TRUE(Dirty()) << "after the flush the watch is an ordinary one";
}

TEST_F(WatchTest, SwapDbsKeepsWatchesWithTheIndex) {
  Db db0(ks_, 0, &sink_), db1(ks_, 1, &sink_);
  db1.Add("k", Value::String("from1"));
  ks_.Watch(0, "k", flag_);
  ks_.SwapDbs(0, 1, sink_);
  EXPECT_TRUE(Dirty()) << "k appears in database 0";
  EXPECT_NE(db0.Find("k"), nullptr);
  Reset();
  ks_.TouchWatchedKey(0, "k");
  EXPECT_TRUE(Dirty()) << "the watch stayed on database 0";
  Reset();
  ks_.TouchWatchedKey(1, "k");
  EXPECT_FALSE(Dirty());

  auto none = std::make_shared<WatchFlag>();
  ks_.Watch(2, "absent", none);
  ks_.SwapDbs(2, 3, sink_);
  EXPECT_FALSE(none->dirty.load()) << "missing in both";
}

TEST_F(WatchTest, SwapDbsWithExpiredKeys) {
  Db db1(ks_, 1, &sink_);
  AddExpiring(db1, "k", 100);
  clock_.Advance(200);
  ks_.Watch(0, "k", flag_);  // missing in 0
  ks_.SwapDbs(0, 1, sink_);         // replaced by an expired key: still missing to a reader
  EXPECT_FALSE(Dirty());
  EXPECT_FALSE(ks_.WatchedKeyExpired(0, "k", flag_.get())) << "now flagged as expired at watch";
  ks_.SwapDbs(0, 1, sink_);  // the expired key leaves again
  EXPECT_FALSE(Dirty());
  Db(ks_, 0, &sink_).Add("k", Value::String("live"));
  ks_.TouchWatchedKey(0, "k");
  EXPECT_TRUE(Dirty());
}

TEST_F(WatchTest, WatchTableRules) {
  Dict dict;
  WatchTable table;
  auto a = std::make_shared<WatchFlag>();
  auto b = std::make_shared<WatchFlag>();
  EXPECT_TRUE(table.empty());
  EXPECT_TRUE(table.Add("k", a, /*expired=*/true));
  EXPECT_TRUE(table.Add("k", b, /*expired=*/false));
  EXPECT_TRUE(table.Contains("k"));
  table.Touch("k", dict);  // k is absent from dict
  EXPECT_FALSE(a->dirty.load()) << "the expired watch only forgets its flag";
  EXPECT_TRUE(b->dirty.load());
  table.Touch("k", dict);
  EXPECT_TRUE(a->dirty.load());
  // With the expired key still stored, an expired-at-WATCH watcher is skipped and the others are not.
  EXPECT_TRUE(table.Add("j", a, /*expired=*/true));
  auto c = std::make_shared<WatchFlag>();
  EXPECT_TRUE(table.Add("j", c, /*expired=*/false));
  a->dirty.store(false);
  dict.Insert(std::make_unique<Entry>("j", Dict::Hash("j"), Value::String("v")));
  table.Touch("j", dict);
  EXPECT_FALSE(a->dirty.load());
  EXPECT_TRUE(c->dirty.load());
  EXPECT_TRUE(table.Remove("j", a.get()));
  EXPECT_TRUE(table.Remove("j", c.get()));
  EXPECT_TRUE(table.Remove("k", a.get()));
  EXPECT_FALSE(table.Remove("k", a.get()));
  EXPECT_TRUE(table.Remove("k", b.get()));
  EXPECT_TRUE(table.empty());
}

}  // namespace
}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
// storage/replica_apply.h: a "primary" keyspace runs real operations through the Db API with a
// recording sink; each operation's batch is written to a RocksDB "replica" database and applied to
// a second keyspace, which must then equal the primary key by key (type, contents, deadline,
// version, list positions) and in its per-shard accounting (expiry index, deadline sums, published
// counts).
#include "storage/replica_apply.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "storage/keyspace.h"
#include "storage/rocks_format.h"

namespace sessionkv::storage {
namespace {

namespace fs = std::filesystem;

constexpr int kDbs = 4;
constexpr int kFill = -2;

// Small thresholds, so a few elements cross every encoding conversion.
LoadLimits SmallLimits() {
  LoadLimits l;
  l.hash.max_listpack_entries = 4;
  l.set.max_intset_entries = 4;
  l.set.max_listpack_entries = 4;
  l.zset.max_listpack_entries = 4;
  return l;
}

// Every shard of `ks` locked, ascending, for the object's lifetime.
class AllShards {
 public:
  explicit AllShards(Keyspace& ks) : ks_(ks) {
    for (int s = 0; s < ks_.num_shards(); ++s) ks_.shard(s).mutex().lock();
  }
  ~AllShards() {
    for (int s = 0; s < ks_.num_shards(); ++s) ks_.shard(s).mutex().unlock();
  }

 private:
  Keyspace& ks_;
};

std::string Join(std::vector<std::string> parts, bool sort) {
  if (sort) std::sort(parts.begin(), parts.end());
  std::string out;
  for (const std::string& p : parts) out += p + ",";
  return out;
}

// One entry as a comparable string: type, contents (unordered types sorted), deadline, version.
std::string Describe(const Entry& e) {
  const Value& v = e.value();
  std::vector<std::string> parts;
  bool sort = true;
  switch (v.type()) {
    case ValueType::kString:
      parts.push_back(std::to_string(static_cast<int>(v.string().form)) + ":" + v.string().bytes);
      break;
    case ValueType::kHash:
      v.hash().ForEach([&](std::string_view f, std::string_view val) {
        parts.push_back(std::string(f) + "=" + std::string(val));
      });
      break;
    case ValueType::kSet:
      v.set().ForEach([&](std::string_view m) { parts.emplace_back(m); });
      break;
    case ValueType::kZSet:
      sort = false;
      for (ZSetValue::Cursor c = v.zset().First(); c.valid(); c.Next()) {
        parts.push_back(std::string(c.member()) + "=" + std::to_string(c.score()));
      }
      break;
    case ValueType::kList:
      sort = false;
      parts.push_back("head " + std::to_string(e.list_head()));
      if (!v.list().empty()) {
        v.list().Visit(0, false, [&](std::string_view elem) {
          parts.emplace_back(elem);
          return true;
        });
      }
      break;
  }
  return "type " + std::to_string(static_cast<int>(v.type())) + " deadline " +
         std::to_string(e.deadline_ms()) + " version " + std::to_string(e.version()) + " [" +
         Join(parts, sort) + "]";
}

using Snapshot = std::map<std::pair<int, std::string>, std::string>;

// Every key of every database; checks each database shard's accounting against its keys on the way.
Snapshot Take(Keyspace& ks) {
  AllShards locked(ks);
  Snapshot out;
  for (int s = 0; s < ks.num_shards(); ++s) {
    for (int d = 0; d < kDbs; ++d) {
      DbShard& ds = ks.shard(s).db(d);
      size_t with_deadline = 0;
      __int128 deadline_sum = 0;
      ds.dict.ForEach([&](Entry* e) {
        out[{d, e->key}] = Describe(*e);
        if (e->has_deadline()) {
          ++with_deadline;
          deadline_sum += e->deadline_ms();
          EXPECT_TRUE(ds.expiry.contains({e->deadline_ms(), e}))
              << e->key << " missing from the expiry index";
        }
      });
      EXPECT_EQ(ds.expiry.size(), with_deadline) << "shard " << s << " db " << d;
      EXPECT_TRUE(ds.deadline_sum_ms == deadline_sum) << "shard " << s << " db " << d;
      EXPECT_EQ(ds.published_keys.get(), ds.dict.size());
      EXPECT_EQ(ds.published_expires.get(), ds.expiry.size());
    }
  }
  return out;
}

class ReplicaApplyTest : public ::testing::Test {
 protected:
  ReplicaApplyTest() : primary_(kDbs, 4, &clock_), replica_(kDbs, 4, &clock_) {
    dir_ = fs::temp_directory_path() /
           ("sessionkv-replica-apply-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    rocksdb::Options options;  // the default skiplist memtable, as a replica opens it
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(options, dir_.string(), &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
  }
  ~ReplicaApplyTest() override {
    db_.reset();
    fs::remove_all(dir_);
  }

  // Runs `fn` on database `db` of the primary with every shard locked, then ships what it recorded.
  void Primary(int db, const std::function<void(Db&)>& fn) {
    {
      AllShards locked(primary_);
      Db d(primary_, db, &sink_);
      fn(d);
    }
    Ship();
  }

  // The link's work: the batch into the replica's RocksDB, then into its memory.
  void Ship() {
    rocksdb::WriteBatch batch(sink_.batch().Data());
    sink_.Clear();
    ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
    const absl::Status s = ApplyBatchToMemory(db_.get(), batch, replica_, limits_, &result_);
    ASSERT_TRUE(s.ok()) << s;
  }

  void ExpectSame(const std::string& step) {
    SCOPED_TRACE(step);
    const Snapshot p = Take(primary_), r = Take(replica_);
    EXPECT_EQ(p, r);
    EXPECT_EQ(primary_.physical_dbs(), replica_.physical_dbs());
  }

  // The touched keys of the last batch as "db:key:exists:expired".
  std::vector<std::string> Applied() const {
    std::vector<std::string> out;
    for (const AppliedKey& k : result_.keys) {
      out.push_back(std::to_string(k.db) + ":" + k.key + ":" + (k.exists ? "1" : "0") + ":" +
                    (k.expired ? "1" : "0"));
    }
    return out;
  }

  void ExpireAll() {
    for (int s = 0; s < primary_.num_shards(); ++s) {
      std::lock_guard lock(primary_.shard(s).mutex());
      primary_.ExpireDue(primary_.shard(s), clock_.NowMs(), 1000, sink_);
    }
    Ship();
  }

  fs::path dir_;
  FakeClock clock_;
  Keyspace primary_, replica_;
  MutationSink sink_{true};
  LoadLimits limits_ = SmallLimits();
  std::unique_ptr<rocksdb::DB> db_;
  ReplicaApplyResult result_;
};

// ----------------------------------------------------------------------------------------- strings

TEST_F(ReplicaApplyTest, StringsWithAndWithoutDeadlines) {
  const int64_t soon = clock_.NowMs() + 60000;
  Primary(0, [&](Db& db) {
    db.Add("plain", Value::String("hello"));
    db.Add("num", Value::String("12345"));
    db.Add("ttl", Value::String("v"), soon);
  });
  ExpectSame("created");
  EXPECT_EQ(Applied(), (std::vector<std::string>{"0:plain:1:0", "0:num:1:0", "0:ttl:1:0"}));
  Primary(0, [&](Db& db) {
    db.StringAppend(db.Find("plain"), " world");
    db.StringSetRange(db.Find("num"), 8, "x");  // zero-padded
  });
  ExpectSame("APPEND, SETRANGE");
  Primary(0, [&](Db& db) { db.Overwrite("ttl", Value::String("new")); });
  ExpectSame("SET clears the deadline");
  Primary(0, [&](Db& db) { db.SetDeadline(db.Find("plain"), soon + 5); });
  ExpectSame("EXPIRE");
  Primary(0, [&](Db& db) { db.SetDeadline(db.Find("plain"), soon + 10); });
  ExpectSame("EXPIRE again: the expiry index follows");
  Primary(0, [&](Db& db) { db.SetDeadline(db.Find("plain"), 0); });
  ExpectSame("PERSIST");
  Primary(0, [&](Db& db) { ASSERT_TRUE(db.Delete("num")); });
  ExpectSame("DEL");
  EXPECT_EQ(Applied(), std::vector<std::string>{"0:num:0:0"});
}

// ------------------------------------------------------------------------------------- collections

TEST_F(ReplicaApplyTest, HashesAcrossTheConversionAndFieldDeletes) {
  Primary(0, [&](Db& db) {
    Entry* h = db.Add("h", Value(HashValue()));
    const std::string_view pairs[] = {"a", "1", "b", "2"};
    db.HashSet(h, pairs, limits_.hash);
  });
  ExpectSame("listpack");
  Primary(0, [&](Db& db) {
    const std::string_view pairs[] = {"c", "3", "d", "4", "e", "5", "a", "changed"};
    db.HashSet(db.Find("h"), pairs, limits_.hash);
  });
  ExpectSame("hashtable");
  Primary(0, [&](Db& db) {
    const std::string_view fields[] = {"b", "d", "missing"};
    db.HashDelete(db.Find("h"), fields);
    db.HashSetField(db.Find("h"), "n", "10", limits_.hash);
  });
  ExpectSame("HDEL, HINCRBY");
  Primary(0, [&](Db& db) {
    const std::string_view fields[] = {"a", "c", "e", "n"};
    Entry* h = db.Find("h");
    db.HashDelete(h, fields);
    db.Erase(h);  // the command deletes the emptied key
  });
  ExpectSame("the last field");
  EXPECT_EQ(Applied(), std::vector<std::string>{"0:h:0:0"});
}

TEST_F(ReplicaApplyTest, SetsFromIntsetToHashtableAndSortedSets) {
  Primary(1, [&](Db& db) {
    Entry* s = db.Add("s", Value(SetValue()));
    const std::string_view members[] = {"1", "2", "3"};
    db.SetAdd(s, members, limits_.set);
  });
  ExpectSame("intset");
  Primary(1, [&](Db& db) {
    const std::string_view members[] = {"x", "y", "z", "w"};
    db.SetAdd(db.Find("s"), members, limits_.set);
    const std::string_view gone[] = {"2"};
    db.SetRemove(db.Find("s"), gone);
  });
  ExpectSame("hashtable, SREM");
  Primary(1, [&](Db& db) {
    absl::BitGen gen;
    db.SetPopDistinct(db.Find("s"), 2, gen);
  });
  ExpectSame("SPOP");
  Primary(1, [&](Db& db) {
    Entry* z = db.Add("z", Value(ZSetValue()));
    double score;
    for (int i = 0; i < 6; ++i)
      db.ZAdd(z, "m" + std::to_string(i), i * 1.5 - 3, 0, limits_.zset, &score);
  });
  ExpectSame("zset skiplist");
  Primary(1, [&](Db& db) {
    Entry* z = db.Find("z");
    double score;
    db.ZAdd(z, "m0", 100, 0, limits_.zset, &score);
    const std::string_view gone[] = {"m3"};
    db.ZRemove(z, gone);
    db.ZPop(z, /*highest=*/false);
    db.ZRemoveRanks(z, 0, 0);
  });
  ExpectSame("ZADD, ZREM, ZPOPMIN, ZREMRANGEBYRANK");
}

TEST_F(ReplicaApplyTest, ListsPushPopSetTrimAndRewrites) {
  Primary(0, [&](Db& db) {
    Entry* l = db.Add("l", Value(ListValue()));
    const std::string_view tail[] = {"a", "b", "c"};
    db.ListPush(l, ListValue::End::kTail, tail, kFill);
    const std::string_view head[] = {"z"};
    db.ListPush(l, ListValue::End::kHead, head, kFill);
  });
  ExpectSame("push both ends");
  Primary(0, [&](Db& db) {
    Entry* l = db.Find("l");
    db.ListPop(l, ListValue::End::kTail, 1, kFill);
    db.ListSet(l, 1, "A", kFill);
    db.ListRotate(l, ListValue::End::kTail, ListValue::End::kHead, kFill);
  });
  ExpectSame("RPOP, LSET, LMOVE");
  Primary(0, [&](Db& db) {
    Entry* l = db.Find("l");
    db.ListInsert(l, "A", "inserted", /*after=*/true, kFill);
    db.ListRemove(l, "z", 0, false, kFill);
  });
  ExpectSame("LINSERT, LREM rewrite the key");
  Primary(0, [&](Db& db) {
    Entry* l = db.Find("l");
    std::vector<std::string> many;
    for (int i = 0; i < 40; ++i) many.push_back("e" + std::to_string(i));
    const std::vector<std::string_view> views(many.begin(), many.end());
    db.ListPush(l, ListValue::End::kTail, views, kFill);
  });
  ExpectSame("a long push");
  Primary(0, [&](Db& db) { db.ListTrim(db.Find("l"), 2, 30, kFill); });
  ExpectSame("LTRIM: a range delete of positions");
}

TEST_F(ReplicaApplyTest, AKeyRecreatedUnderANewVersion) {
  Primary(0, [&](Db& db) {
    Entry* h = db.Add("k", Value(HashValue()));
    const std::string_view pairs[] = {"old1", "1", "old2", "2"};
    db.HashSet(h, pairs, limits_.hash);
  });
  Primary(0, [&](Db& db) {
    ASSERT_TRUE(db.Delete("k"));
    Entry* h = db.Add("k", Value(HashValue()));
    const std::string_view pairs[] = {"new", "3"};
    db.HashSet(h, pairs, limits_.hash);
  });
  ExpectSame("DEL and HSET in one batch");
  Primary(0, [&](Db& db) {
    Entry* s = db.Add("other", Value(SetValue()));
    const std::string_view members[] = {"m"};
    db.SetAdd(s, members, limits_.set);
    db.Overwrite("k", Value::String("now a string"));
  });
  ExpectSame("SET over a hash");
  Primary(0, [&](Db& db) {
    ListValue list;
    list.Push(ListValue::End::kTail, "x", kFill);
    db.Overwrite("k", Value(std::move(list)));
  });
  ExpectSame("a list over a string");
}

TEST_F(ReplicaApplyTest, ElementRecordsOfAnOlderVersionAreSkipped) {
  Primary(0, [&](Db& db) {
    Entry* h = db.Add("h", Value(HashValue()));
    const std::string_view pairs[] = {"a", "1"};
    db.HashSet(h, pairs, limits_.hash);
  });
  uint64_t version;
  {
    AllShards locked(primary_);
    version = Db(primary_, 0, &sink_).Find("h")->version();
  }
  // As a database written before the range tombstones holds: a field of an earlier incarnation.
  std::string ghost;
  format::AppendElementPrefix(&ghost, 0, "h", version - 1);
  ghost += "ghost";
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), ghost, "x").ok());
  Primary(0, [&](Db& db) { db.HashSetField(db.Find("h"), "b", "2", limits_.hash); });
  ExpectSame("the ghost field stays on disk only");
}

// --------------------------------------------------------------------------------- whole databases

TEST_F(ReplicaApplyTest, SwapDbFlushDbFlushAllAndExpiry) {
  const int64_t later = clock_.NowMs() + 100000;
  for (int d = 0; d < kDbs; ++d) {
    Primary(d, [&](Db& db) {
      db.Add("in" + std::to_string(d), Value::String(std::to_string(d)), d % 2 ? later : 0);
      Entry* h = db.Add("h", Value(HashValue()));
      const std::string value = std::to_string(d);
      const std::string_view pairs[] = {"f", value};
      db.HashSet(h, pairs, limits_.hash);
    });
  }
  ExpectSame("four databases");
  {
    AllShards locked(primary_);
    primary_.SwapDbs(0, 1, sink_);
  }
  Ship();
  ExpectSame("SWAPDB 0 1");
  EXPECT_TRUE(result_.dbmap_changed);
  Primary(0, [&](Db& db) { db.Add("after-swap", Value::String("x")); });
  ExpectSame("a key in a swapped database");
  {
    AllShards locked(primary_);
    primary_.SwapDbs(1, 3, sink_);
    Db(primary_, 3, &sink_).Add("in-the-swap-batch", Value::String("y"));
  }
  Ship();
  ExpectSame("SWAPDB and a key in one batch");
  EXPECT_EQ(Applied(), std::vector<std::string>{"3:in-the-swap-batch:1:0"});

  Primary(2, [&](Db& db) { db.Clear(); });
  ExpectSame("FLUSHDB");
  EXPECT_EQ(result_.flushed_dbs, std::vector<int>{2});
  EXPECT_FALSE(result_.flushed_all);

  Primary(2, [&](Db& db) { db.Add("short", Value::String("v"), clock_.NowMs() + 100); });
  clock_.Advance(200);
  ExpireAll();
  ExpectSame("an expired key's delete");
  EXPECT_EQ(Applied(), std::vector<std::string>{"2:short:0:1"});

  Primary(0, [&](Db& db) {
    for (int d = 0; d < kDbs; ++d)
      Db(db.keyspace(), d, &db.sink()).Clear();  // the server's FLUSHALL
  });
  ExpectSame("FLUSHALL, one database at a time");
  EXPECT_EQ(result_.flushed_dbs.size(), size_t{kDbs});
}

// FLUSHALL as the one range delete over all data (MutationSink::DeleteAllDbs); memory is cleared
// without recording the per-database deletes Db::Clear would add.
void FlushAllAsOneRange(Db& db) {
  db.sink().DeleteAllDbs();
  db.sink().set_recording(false);
  for (int d = 0; d < kDbs; ++d) Db(db.keyspace(), d, &db.sink()).Clear();
  db.sink().set_recording(true);
}

TEST_F(ReplicaApplyTest, FlushAllThenSetLeavesExactlyThatKey) {
  Primary(0, [&](Db& db) {
    db.Add("a", Value::String("1"));
    db.Add("b", Value::String("2"), clock_.NowMs() + 1000);
  });
  Primary(1, [&](Db& db) { db.Add("c", Value::String("3")); });
  Primary(0, [&](Db& db) {
    FlushAllAsOneRange(db);
    db.Add("k", Value::String("after"));
  });
  ExpectSame("FLUSHALL then SET");
  EXPECT_TRUE(result_.flushed_all);
  EXPECT_EQ(Applied(), std::vector<std::string>{"0:k:1:0"});
  EXPECT_EQ(Take(replica_).size(), 1u);

  Primary(0, [&](Db& db) {
    db.Add("k2", Value::String("before"));
    FlushAllAsOneRange(db);
  });
  ExpectSame("SET then FLUSHALL");
  EXPECT_EQ(Applied(), std::vector<std::string>{"0:k2:0:0"});
  EXPECT_TRUE(Take(replica_).empty());
}

TEST_F(ReplicaApplyTest, ExpiredAnnotationsAreReported) {
  Primary(0, [&](Db& db) {
    db.Add("gone", Value::String("v"), clock_.NowMs() + 10);
    db.Add("stays", Value::String("v"), clock_.NowMs() + 100000);
  });
  Primary(3, [&](Db& db) {
    Entry* s = db.Add("set", Value(SetValue()));
    const std::string_view members[] = {"a"};
    db.SetAdd(s, members, limits_.set);
    db.SetDeadline(s, clock_.NowMs() + 10);
  });
  clock_.Advance(11);
  ExpireAll();
  ExpectSame("expired");
  std::vector<std::string> applied = Applied();
  std::sort(applied.begin(), applied.end());
  EXPECT_EQ(applied, (std::vector<std::string>{"0:gone:0:1", "3:set:0:1"}));
  EXPECT_EQ(replica_.stats().expired_keys.load(), 0u) << "the replica expired nothing itself";
}

bool EmptyCollection(const Value& v) {
  switch (v.type()) {
    case ValueType::kString:
      return false;
    case ValueType::kHash:
      return v.hash().empty();
    case ValueType::kSet:
      return v.set().empty();
    case ValueType::kZSet:
      return v.zset().empty();
    case ValueType::kList:
      return v.list().empty();
  }
  return false;
}

// One random write to one of a few keys of `db`: every type's operations, deletes, new incarnations
// and deadlines. An emptied collection is deleted, as the commands delete it.
void RandomWrite(Db& db, absl::BitGen& gen, const LoadLimits& limits, int64_t now_ms) {
  const std::string key = "k" + std::to_string(absl::Uniform(gen, 0, 12));
  const std::string member = "m" + std::to_string(absl::Uniform(gen, 0, 8));
  const std::string_view one[] = {member};
  const std::string_view pair[] = {member, key};
  Entry* e = db.Find(key);
  const int op = absl::Uniform(gen, 0, 10);
  if (e == nullptr || op == 0) {
    if (e != nullptr) db.Erase(e);
    Value fresh[] = {Value::String(member), Value(HashValue()), Value(SetValue()),
                     Value(ZSetValue()), Value(ListValue())};
    e = db.Add(key, std::move(fresh[absl::Uniform(gen, 0, 5)]), op % 2 ? now_ms + 50000 : 0);
    if (e->value().is_string()) return;
  } else if (op == 1) {
    db.SetDeadline(e, absl::Bernoulli(gen, 0.5) ? now_ms + absl::Uniform(gen, 1000, 9000) : 0);
    return;
  }
  const bool remove = op >= 7 && !EmptyCollection(e->value());
  double score;
  switch (e->value().type()) {
    case ValueType::kString:
      if (op % 2) {
        db.StringAppend(e, member);
      } else {
        db.StringSetRange(e, absl::Uniform(gen, 0, 5), member);
      }
      return;
    case ValueType::kHash:
      remove ? db.HashDelete(e, one) : db.HashSet(e, pair, limits.hash);
      break;
    case ValueType::kSet:
      remove ? db.SetRemove(e, one) : db.SetAdd(e, one, limits.set);
      break;
    case ValueType::kZSet:
      if (remove) {
        db.ZRemove(e, one);
      } else {
        db.ZAdd(e, member, op, 0, limits.zset, &score);
      }
      break;
    case ValueType::kList:
      if (!remove) {
        db.ListPush(e, op % 2 ? ListValue::End::kHead : ListValue::End::kTail, one, kFill);
      } else if (op == 7) {
        db.ListInsert(e, member, "inserted", /*after=*/true, kFill);
      } else {
        db.ListPop(e, op == 8 ? ListValue::End::kHead : ListValue::End::kTail, 1, kFill);
      }
      break;
  }
  if (EmptyCollection(e->value())) db.Erase(e);
}

TEST_F(ReplicaApplyTest, RandomWritesKeepTheReplicaEqual) {
  absl::BitGen gen(std::seed_seq{42});
  for (int step = 0; step < 400; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    const int db = absl::Uniform(gen, 0, kDbs);
    if (step % 97 == 96) {
      {
        AllShards locked(primary_);
        primary_.SwapDbs(db, (db + 1) % kDbs, sink_);
      }
      Ship();
    } else if (step % 151 == 150) {
      Primary(db, [&](Db& d) { d.Clear(); });
    } else {
      Primary(db, [&](Db& d) {
        const int writes = absl::Uniform(gen, 1, 4);  // a MULTI of a few commands is one batch
        for (int i = 0; i < writes; ++i) RandomWrite(d, gen, limits_, clock_.NowMs());
      });
    }
    ExpectSame("after the step");
    if (HasFailure()) break;
  }
  EXPECT_GT(Take(replica_).size(), 10u) << "the walk ends with keys to compare";
}

// --------------------------------------------------------------------------- versions and refusals

TEST_F(ReplicaApplyTest, APromotedReplicaNeverReusesAPrimaryVersion) {
  Primary(0, [&](Db& db) { db.Add("a", Value::String("1")); });
  uint64_t primary_version;
  {
    AllShards locked(primary_);
    primary_version = Db(primary_, 0, &sink_).Find("a")->version();
  }
  MutationSink recording(true);
  const uint64_t v = replica_.NewVersion(recording);
  EXPECT_GT(v, primary_version);
  EXPECT_GT(v, uint64_t{1} << 32) << "above the primary's lease, not only its versions";
}

TEST_F(ReplicaApplyTest, RefusesWhatSessionkvDoesNotWriteAndLeavesMemoryAlone) {
  Primary(0, [&](Db& db) { db.Add("a", Value::String("1")); });
  const Snapshot before = Take(replica_);
  std::string a, b;
  format::AppendMetaKey(&a, 0, "a");
  format::AppendMetaKey(&b, 0, "b");
  rocksdb::WriteBatch across;
  across.DeleteRange(a, b);
  EXPECT_FALSE(ApplyBatchToMemory(db_.get(), across, replica_, limits_, &result_).ok());
  rocksdb::WriteBatch merge;
  merge.Merge(a, "x");
  EXPECT_FALSE(ApplyBatchToMemory(db_.get(), merge, replica_, limits_, &result_).ok());
  rocksdb::WriteBatch foreign_db;
  std::string far;
  format::AppendMetaKey(&far, 99, "k");
  std::string meta;
  format::AppendStringMeta(&meta, 5, 0, 0, "v");
  foreign_db.Put(format::kDbMapRecord, format::EncodeDbMap({0, 1, 2, 3}));
  foreign_db.Put(far, meta);
  EXPECT_FALSE(ApplyBatchToMemory(db_.get(), foreign_db, replica_, limits_, &result_).ok());
  EXPECT_EQ(Take(replica_), before);
}

}  // namespace
}  // namespace sessionkv::storage

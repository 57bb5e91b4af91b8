// SPDX-License-Identifier: Apache-2.0
// Persistence in storage/: the on-disk encoding, the commit log's ordering and group commit (with a fake
// writer that can fail), and the RocksDB engine with the loader on a temp dir (every type, deadlines,
// stale versions, FLUSHALL's range delete, SWAPDB's map, the compaction filter).
#include <algorithm>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/commit_log.h"
#include "storage/keyspace.h"
#include "storage/loader.h"
#include "storage/rocks_engine.h"
#include "storage/rocks_format.h"

namespace sessionkv::storage {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------------------------------------------------ format

TEST(RocksFormat, DataKeysParseBack) {
  std::string meta;
  format::AppendMetaKey(&meta, 3, "session:1");
  format::ParsedKey p;
  ASSERT_TRUE(format::ParseDataKey(meta, &p));
  EXPECT_TRUE(p.is_meta);
  EXPECT_EQ(p.pdb, 3u);
  EXPECT_EQ(p.key, "session:1");
  EXPECT_EQ(p.meta_key, meta);

  std::string elem;
  format::AppendElementPrefix(&elem, 3, "session:1", 42);
  EXPECT_TRUE(std::string_view(elem).starts_with(meta)) << "metadata is a prefix of its elements";
  elem += "lastAccessedTime";
  ASSERT_TRUE(format::ParseDataKey(elem, &p));
  EXPECT_FALSE(p.is_meta);
  EXPECT_EQ(p.key, "session:1");
  EXPECT_EQ(p.version, 42u);
  EXPECT_EQ(p.sub, "lastAccessedTime");
  EXPECT_EQ(p.meta_key, meta);

  EXPECT_FALSE(format::ParseDataKey("Sformat", &p));
  EXPECT_FALSE(format::ParseDataKey(std::string_view(meta).substr(0, meta.size() - 1), &p));
}

TEST(RocksFormat, AKeysElementsSortBeforeALongerKeyWithTheSamePrefix) {
  // "a"'s element records must not interleave with "ab"'s metadata: the length prefix keeps them apart.
  std::string a, a_elem, ab;
  format::AppendMetaKey(&a, 0, "a");
  format::AppendElementPrefix(&a_elem, 0, "a", UINT64_MAX);
  a_elem += "\xff\xff";
  format::AppendMetaKey(&ab, 0, "ab");
  EXPECT_LT(a, a_elem);
  EXPECT_TRUE(a_elem < ab || ab < a) << "no other key between a key's metadata and its elements";
  EXPECT_LT(format::DbBegin(0), a);
  EXPECT_LT(a_elem, format::DbEnd(0));
  EXPECT_LE(format::DbEnd(0), format::DbBegin(1));
}

TEST(RocksFormat, MetaRoundTrips) {
  std::string raw;
  format::AppendMeta(&raw, ValueType::kHash, 7, 1700000000123);
  format::Meta m;
  ASSERT_TRUE(format::DecodeMeta(raw, &m));
  EXPECT_EQ(m.type, ValueType::kHash);
  EXPECT_EQ(m.version, 7u);
  EXPECT_EQ(m.deadline_ms, 1700000000123);

  raw.clear();
  format::AppendStringMeta(&raw, 9, 0, 1, std::string("bin\0ary", 7));
  ASSERT_TRUE(format::DecodeMeta(raw, &m));
  EXPECT_EQ(m.type, ValueType::kString);
  EXPECT_EQ(m.version, 9u);
  EXPECT_EQ(m.deadline_ms, 0);
  EXPECT_EQ(m.string_form, 1);
  EXPECT_EQ(m.string_bytes, std::string_view("bin\0ary", 7));

  EXPECT_FALSE(format::DecodeMeta(raw.substr(0, 5), &m));
  std::string future = raw;
  future[0] = static_cast<char>(format::kMetaVersion + 1);
  EXPECT_FALSE(format::DecodeMeta(future, &m)) << "a newer metadata format is refused, not misread";
}

TEST(RocksFormat, ScoresPositionsDbMapAnnotations) {
  for (double score : {0.0, -1.5, 3e300, -std::numeric_limits<double>::infinity()}) {
    std::string raw;
    format::AppendScore(&raw, score);
    double back = 1;
    ASSERT_TRUE(format::DecodeScore(raw, &back));
    EXPECT_EQ(back, score);
  }
  std::string p1, p2;
  format::AppendListPosition(&p1, 5);
  format::AppendListPosition(&p2, 256);
  EXPECT_LT(p1, p2) << "positions sort numerically";
  uint32_t pos;
  ASSERT_TRUE(format::DecodeListPosition(p2, &pos));
  EXPECT_EQ(pos, 256u);

  std::vector<uint32_t> map{1, 0, 2, 300}, back;
  ASSERT_TRUE(format::DecodeDbMap(format::EncodeDbMap(map), &back));
  EXPECT_EQ(back, map);

  format::ParsedAnnotation a;
  const std::string blob = format::ExpiredAnnotation(4, "k");
  ASSERT_TRUE(format::ParseAnnotation(blob, &a));
  EXPECT_EQ(a.kind, format::Annotation::kExpired);
  EXPECT_EQ(a.pdb, 4u);
  EXPECT_EQ(a.key, "k");
}

// -------------------------------------------------------------------------------------- commit log

// Records every group it is given; fails while `fail` is set.
class FakeWriter final : public BatchWriter {
 public:
  absl::Status Write(std::string& rep, bool sync) override {
    std::lock_guard lock(mu);
    if (fail) return absl::UnavailableError("No space left on device");
    rocksdb::WriteBatch b{std::string(rep)};
    groups.push_back(b.Count());
    if (sync) ++syncs;
    bytes += rep;
    return absl::OkStatus();
  }
  absl::Status Sync() override {
    std::lock_guard lock(mu);
    if (fail) return absl::UnavailableError("Input/output error");
    ++syncs;
    return absl::OkStatus();
  }
  std::mutex mu;
  bool fail = false;
  std::vector<uint32_t> groups;
  int syncs = 0;
  std::string bytes;
};

rocksdb::WriteBatch OnePut(const std::string& key) {
  rocksdb::WriteBatch b;
  b.Put(key, "v");
  return b;
}

TEST(CommitLog, TicketsInOrderAndOneGroupForEverythingPending) {
  FakeWriter w;
  CommitLog log(w, FsyncPolicy::kEverySec);
  EXPECT_EQ(log.Append(rocksdb::WriteBatch()), 0u) << "an empty batch has nothing to wait for";
  EXPECT_EQ(log.Append(OnePut("a")), 1u);
  EXPECT_EQ(log.Append(OnePut("b")), 2u);
  EXPECT_EQ(log.Append(OnePut("c")), 3u);
  EXPECT_EQ(log.durable(), 0u);
  const CommitResult r = log.Commit(1);
  EXPECT_EQ(r.durable, 3u) << "the leader writes everything appended so far";
  EXPECT_EQ(w.groups, std::vector<uint32_t>{3});
  EXPECT_EQ(w.syncs, 0) << "everysec: the write is not synced";
  EXPECT_LT(w.bytes.find("a"), w.bytes.find("b"));
  EXPECT_LT(w.bytes.find("b"), w.bytes.find("c"));
  EXPECT_EQ(log.Commit(2).durable, 3u);
  EXPECT_EQ(w.groups.size(), 1u) << "a covered ticket writes nothing";
  EXPECT_EQ(log.synced(), 0u);
  ASSERT_TRUE(log.SyncWritten().ok());
  EXPECT_EQ(log.synced(), 3u);
  EXPECT_EQ(log.stats().syncs, 1u);
}

TEST(CommitLog, AlwaysIsDurableOnlyAfterTheSync) {
  FakeWriter w;
  CommitLog log(w, FsyncPolicy::kAlways);
  const uint64_t t = log.Append(OnePut("a"));
  EXPECT_EQ(log.Commit(t).durable, t);
  EXPECT_EQ(w.syncs, 1);
  EXPECT_EQ(log.synced(), t);
  // Written under everysec, then the policy became always: the next commit syncs what was written.
  log.set_policy(FsyncPolicy::kEverySec);
  const uint64_t t2 = log.Append(OnePut("b"));
  log.Commit(t2);
  EXPECT_EQ(log.synced(), t);
  log.set_policy(FsyncPolicy::kAlways);
  EXPECT_EQ(log.durable(), t);
  EXPECT_EQ(log.Commit(t2).durable, t2);
  EXPECT_EQ(w.syncs, 2);
}

TEST(CommitLog, AFailedWriteKeepsItsBatchesInOrderForTheRetry) {
  FakeWriter w;
  CommitLog log(w, FsyncPolicy::kEverySec);
  log.Append(OnePut("a"));
  w.fail = true;
  const uint64_t t = log.Append(OnePut("b"));
  CommitResult r = log.Commit(t);
  EXPECT_EQ(r.durable, 0u);
  EXPECT_EQ(r.failed_through, t);
  EXPECT_EQ(r.error, "No space left on device");
  EXPECT_TRUE(log.failed());
  EXPECT_EQ(log.error(), "No space left on device");
  const uint64_t later = log.Append(OnePut("c"));
  EXPECT_EQ(log.stats().pending_batches, 3u);
  w.fail = false;
  r = log.CommitAll();
  EXPECT_EQ(r.durable, later);
  EXPECT_TRUE(r.error.empty());
  EXPECT_FALSE(log.failed());
  EXPECT_EQ(w.groups, std::vector<uint32_t>{3});
  EXPECT_LT(w.bytes.find("a"), w.bytes.find("b"));
  EXPECT_LT(w.bytes.find("b"), w.bytes.find("c"));
  EXPECT_EQ(log.stats().failed_writes, 1u);
}

TEST(CommitLog, ConcurrentWritersAllBecomeDurableInFewerGroups) {
  FakeWriter w;
  CommitLog log(w, FsyncPolicy::kAlways);
  constexpr int kThreads = 4, kEach = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const uint64_t ticket = log.Append(OnePut("k" + std::to_string(t) + ":" + std::to_string(i)));
        EXPECT_GE(log.Commit(ticket).durable, ticket);
      }
    });
  }
  for (auto& t : threads) t.join();
  uint64_t records = 0;
  for (uint32_t n : w.groups) records += n;
  EXPECT_EQ(records, uint64_t{kThreads * kEach});
  EXPECT_EQ(log.durable(), uint64_t{kThreads * kEach});
  EXPECT_LE(w.groups.size(), size_t{kThreads * kEach});
}

// ------------------------------------------------------------------------------ engine and loader

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    dir_ = fs::temp_directory_path() /
           ("sessionkv-engine-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    clock_.Set(1700000000000);
  }
  ~EngineTest() override {
    engine_.reset();
    fs::remove_all(dir_);
  }

  void Open(FsyncPolicy fsync = FsyncPolicy::kEverySec) {
    RocksOptions o;
    o.dir = dir_.string();
    o.fsync = fsync;
    o.warn = [](const std::string&) {};
    auto e = RocksEngine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
  }

  // A fresh keyspace loaded from the engine's database.
  std::unique_ptr<Keyspace> Load(LoadProgress* progress) {
    auto ks = std::make_unique<Keyspace>(16, 4, &clock_);
    Loader loader(*engine_, *ks, LoadLimits{}, progress);
    const absl::Status s = loader.Run({});
    EXPECT_TRUE(s.ok()) << s;
    return ks;
  }

  // Runs `fn` on a Db of `ks` with every shard locked, then appends and commits what it recorded.
  template <typename Fn>
  void Write(Keyspace& ks, int db, Fn fn) {
    for (int s = 0; s < ks.num_shards(); ++s) ks.shard(s).mutex().lock();
    Db d(ks, db, &sink_);
    fn(d);
    const uint64_t t = engine_->Append(sink_);
    for (int s = 0; s < ks.num_shards(); ++s) ks.shard(s).mutex().unlock();
    if (t != 0) EXPECT_GE(engine_->Commit(t).durable, t);
  }

  void Reopen() {
    ASSERT_TRUE(engine_->Close().ok());
    engine_.reset();
    Open();
  }

  // Every data record on disk (after a compaction, what is left).
  size_t DataRecords() {
    rocksdb::ReadOptions read;
    std::unique_ptr<rocksdb::Iterator> it(engine_->db()->NewIterator(read));
    size_t n = 0;
    for (it->Seek(format::AllDataBegin()); it->Valid() && it->key().ToStringView() < format::AllDataEnd();
         it->Next()) {
      ++n;
    }
    return n;
  }

  fs::path dir_;
  FakeClock clock_;
  MutationSink sink_{true};
  std::unique_ptr<RocksEngine> engine_;
};

TEST_F(EngineTest, EveryTypeAndDeadlineSurvivesAReopen) {
  Open();
  LoadProgress first;
  auto ks = Load(&first);
  EXPECT_EQ(first.keys, 0u);
  const int64_t deadline = clock_.NowMs() + 60000;
  Write(*ks, 0, [&](Db& db) {
    db.Add("str", Value::String("hello"), deadline);
    Entry* h = db.Add("h", Value(HashValue()));
    const std::string_view pairs[] = {"creationTime", "1", "maxInactiveInterval", "1800"};
    db.HashSet(h, pairs, HashLimits{});
    Entry* s = db.Add("s", Value(SetValue()));
    const std::string_view members[] = {"a", "b", "c"};
    db.SetAdd(s, members, SetLimits{});
    Entry* z = db.Add("z", Value(ZSetValue()));
    double out;
    db.ZAdd(z, "m1", 1.5, 0, ZSetLimits{}, &out);
    db.ZAdd(z, "m2", -2, 0, ZSetLimits{}, &out);
    Entry* l = db.Add("l", Value(ListValue()));
    const std::string_view values[] = {"x", "y", "z"};
    db.ListPush(l, ListValue::End::kTail, values, -2);
    const std::string_view front[] = {"w"};
    db.ListPush(l, ListValue::End::kHead, front, -2);
  });
  Write(*ks, 3, [&](Db& db) { db.Add("other-db", Value::String("3")); });
  Write(*ks, 0, [&](Db& db) {
    const std::string_view fields[] = {"creationTime"};
    db.HashDelete(db.Find("h"), fields);
    db.ListPop(db.Find("l"), ListValue::End::kTail, 1, -2);
  });
  Reopen();
  LoadProgress progress;
  auto back = Load(&progress);
  EXPECT_EQ(progress.keys, 6u);
  for (int s = 0; s < back->num_shards(); ++s) back->shard(s).mutex().lock();
  Db db(*back, 0, &sink_);
  ASSERT_NE(db.Find("str"), nullptr);
  EXPECT_EQ(db.Find("str")->value().string().bytes, "hello");
  EXPECT_EQ(db.Find("str")->deadline_ms(), deadline);
  const HashValue& h = db.Find("h")->value().hash();
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.Get("maxInactiveInterval").value_or(""), "1800");
  EXPECT_EQ(db.Find("s")->value().set().size(), 3u);
  EXPECT_TRUE(db.Find("s")->value().set().Contains("b"));
  const ZSetValue& z = db.Find("z")->value().zset();
  ASSERT_EQ(z.size(), 2u);
  EXPECT_EQ(z.First().member(), "m2");
  std::vector<std::string> list;
  db.Find("l")->value().list().Visit(0, false, [&](std::string_view v) {
    list.emplace_back(v);
    return true;
  });
  EXPECT_EQ(list, (std::vector<std::string>{"w", "x", "y"}));
  EXPECT_EQ(Db(*back, 3, &sink_).Find("other-db")->value().string().bytes, "3");
  for (int s = 0; s < back->num_shards(); ++s) back->shard(s).mutex().unlock();
}

TEST_F(EngineTest, DeadlinesPastAtLoadAreCountedAndDeletedByExpiry) {
  Open();
  LoadProgress p0;
  auto ks = Load(&p0);
  Write(*ks, 0, [&](Db& db) {
    db.Add("short", Value::String("v"), clock_.NowMs() + 100);
    db.Add("long", Value::String("v"), clock_.NowMs() + 100000);
  });
  Reopen();
  clock_.Advance(1000);  // the downtime
  LoadProgress p;
  auto back = Load(&p);
  EXPECT_EQ(p.keys, 2u);
  EXPECT_EQ(p.expired, 1u);
  // The expiry timer's work: an explicit delete, logged.
  size_t deleted = 0;
  for (int s = 0; s < back->num_shards(); ++s) {
    std::lock_guard lock(back->shard(s).mutex());
    deleted += back->ExpireDue(back->shard(s), clock_.NowMs(), 100, sink_);
  }
  EXPECT_EQ(deleted, 1u);
  EXPECT_GT(sink_.records(), 0u);
  engine_->Commit(engine_->Append(sink_));
  Reopen();
  LoadProgress again;
  Load(&again);
  EXPECT_EQ(again.keys, 1u) << "the expired key's delete reached the disk";
  EXPECT_EQ(again.expired, 0u);
}

TEST_F(EngineTest, RecreatedKeysSkipStaleRecordsAndCompactionDropsThem) {
  Open();
  LoadProgress p0;
  auto ks = Load(&p0);
  Write(*ks, 0, [&](Db& db) {
    Entry* h = db.Add("h", Value(HashValue()));
    const std::string_view pairs[] = {"old1", "1", "old2", "2"};
    db.HashSet(h, pairs, HashLimits{});
  });
  Write(*ks, 0, [&](Db& db) {
    ASSERT_TRUE(db.Delete("h"));
    Entry* h = db.Add("h", Value(HashValue()));
    const std::string_view pairs[] = {"new", "3"};
    db.HashSet(h, pairs, HashLimits{});
  });
  // The delete's range tombstone hides the old fields. A record of an older version without one (as a
  // database written before the tombstones has) is skipped by the loader and dropped by compaction.
  uint64_t version;
  {
    std::lock_guard lock(ks->shard(ks->ShardOf(Dict::Hash("h"))).mutex());
    version = Db(*ks, 0, &sink_).Find("h")->version();
  }
  std::string ghost;
  format::AppendElementPrefix(&ghost, 0, "h", version - 1);
  ghost += "ghost";
  ASSERT_TRUE(engine_->db()->Put(rocksdb::WriteOptions(), ghost, "x").ok());
  Reopen();
  LoadProgress p;
  auto back = Load(&p);
  EXPECT_EQ(p.keys, 1u);
  EXPECT_EQ(p.stale_records, 1u);
  {
    std::lock_guard lock(back->shard(back->ShardOf(Dict::Hash("h"))).mutex());
    const HashValue& h = Db(*back, 0, &sink_).Find("h")->value().hash();
    EXPECT_EQ(h.size(), 1u);
    EXPECT_EQ(h.Get("new").value_or(""), "3");
  }
  ASSERT_TRUE(engine_->Save().ok());
  rocksdb::CompactRangeOptions full;
  full.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  ASSERT_TRUE(engine_->db()->CompactRange(full, nullptr, nullptr).ok());
  EXPECT_EQ(DataRecords(), 2u) << "the metadata and the one current field; the stale fields are gone";
}

TEST_F(EngineTest, ParallelLoadSplitsAtKeysAndLoadsEverything) {
  Open();
  LoadProgress p0;
  auto ks = Load(&p0);
  constexpr int kKeys = 3000;
  Write(*ks, 0, [&](Db& db) {
    for (int i = 0; i < kKeys; ++i) {
      const std::string key = "session:" + std::to_string(i);
      Entry* h = db.Add(key, Value(HashValue()));
      const std::string value(200, static_cast<char>('a' + i % 26));
      const std::string_view pairs[] = {"creationTime", "1", "attr", value};
      db.HashSet(h, pairs, HashLimits{});
    }
  });
  Write(*ks, 3, [&](Db& db) { db.Add("other-db", Value::String("x")); });
  ASSERT_TRUE(engine_->Save().ok());  // into table files, whose sizes the split is planned on
  Reopen();

  auto back = std::make_unique<Keyspace>(16, 4, &clock_);
  LoadProgress p;
  Loader loader(*engine_, *back, LoadLimits{}, &p);
  const std::vector<std::string> splits = loader.SplitPoints(4, /*min_part_bytes=*/1);
  ASSERT_FALSE(splits.empty());
  for (size_t i = 0; i < splits.size(); ++i) {
    format::ParsedKey parsed;
    ASSERT_TRUE(format::ParseDataKey(splits[i], &parsed));
    EXPECT_TRUE(parsed.is_meta) << "a split is the start of a key";
    if (i > 0) EXPECT_LT(splits[i - 1], splits[i]);
  }
  ASSERT_TRUE(loader.Run({}, 4, /*min_part_bytes=*/1).ok());
  EXPECT_EQ(p.keys, static_cast<uint64_t>(kKeys + 1));
  EXPECT_EQ(p.stale_records, 0u);
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = "session:" + std::to_string(i);
    std::lock_guard lock(back->shard(back->ShardOf(Dict::Hash(key))).mutex());
    const Entry* e = Db(*back, 0, &sink_).Find(key);
    ASSERT_NE(e, nullptr) << key;
    EXPECT_EQ(e->value().hash().size(), 2u) << key << ": its fields came with it, whatever part held it";
  }
  std::lock_guard lock(back->shard(back->ShardOf(Dict::Hash("other-db"))).mutex());
  EXPECT_NE(Db(*back, 3, &sink_).Find("other-db"), nullptr);
}

TEST_F(EngineTest, ParallelLoadIndexesEveryDeadlineInOrder) {
  Open();
  LoadProgress p0;
  auto ks = Load(&p0);
  constexpr int kKeys = 2000;
  const int64_t base = clock_.NowMs() + 1000;
  // Deadlines in the reverse of the keys' order on disk, in two databases.
  for (int db_index : {0, 2}) {
    Write(*ks, db_index, [&](Db& db) {
      for (int i = 0; i < kKeys; ++i) {
        db.Add("s:" + std::to_string(100000 + i), Value::String(std::string(300, 'v')), base + kKeys - i);
      }
    });
  }
  ASSERT_TRUE(engine_->Save().ok());
  Reopen();
  auto back = std::make_unique<Keyspace>(16, 4, &clock_);
  LoadProgress p;
  Loader loader(*engine_, *back, LoadLimits{}, &p);
  ASSERT_TRUE(loader.Run({}, 3, /*min_part_bytes=*/1).ok());
  size_t indexed = 0;
  for (int s = 0; s < back->num_shards(); ++s) {
    std::lock_guard lock(back->shard(s).mutex());
    for (int db_index : {0, 2}) {
      const auto& expiry = back->shard(s).db(db_index).expiry;
      indexed += expiry.size();
      EXPECT_TRUE(std::is_sorted(expiry.begin(), expiry.end()));
    }
    EXPECT_GT(back->shard(s).NextDeadline(), base) << "the shard's first deadline is known";
  }
  EXPECT_EQ(indexed, 2u * kKeys);
  clock_.Advance(1000 + kKeys / 2 + 1);  // the half with the earliest deadlines is past due
  size_t deleted = 0;
  for (int s = 0; s < back->num_shards(); ++s) {
    std::lock_guard lock(back->shard(s).mutex());
    while (size_t n = back->ExpireDue(back->shard(s), clock_.NowMs(), 100, sink_)) deleted += n;
  }
  EXPECT_EQ(deleted, 2u * (kKeys / 2));
}

TEST_F(EngineTest, DeletedCollectionsLeaveNothingAfterCompaction) {
  Open();
  LoadProgress p0;
  auto ks = Load(&p0);
  Write(*ks, 0, [&](Db& db) {
    Entry* h = db.Add("h", Value(HashValue()));
    const std::string_view pairs[] = {"a", "1", "b", "2"};
    db.HashSet(h, pairs, HashLimits{});
  });
  Write(*ks, 0, [&](Db& db) { ASSERT_TRUE(db.Delete("h")); });
  ASSERT_TRUE(engine_->Save().ok());
  rocksdb::CompactRangeOptions full;
  full.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  ASSERT_TRUE(engine_->db()->CompactRange(full, nullptr, nullptr).ok());
  EXPECT_EQ(DataRecords(), 0u) << "the delete's range tombstone took the fields with the metadata";
}

TEST_F(EngineTest, FlushAllAndSwapDbPersist) {
  Open();
  LoadProgress p0;
  auto ks = Load(&p0);
  Write(*ks, 0, [&](Db& db) { db.Add("a", Value::String("0")); });
  Write(*ks, 1, [&](Db& db) { db.Add("b", Value::String("1")); });
  for (int s = 0; s < ks->num_shards(); ++s) ks->shard(s).mutex().lock();
  ks->SwapDbs(0, 1, sink_);
  for (int s = 0; s < ks->num_shards(); ++s) ks->shard(s).mutex().unlock();
  engine_->Commit(engine_->Append(sink_));
  Reopen();
  LoadProgress p;
  auto back = Load(&p);
  for (int s = 0; s < back->num_shards(); ++s) back->shard(s).mutex().lock();
  EXPECT_NE(Db(*back, 1, &sink_).Find("a"), nullptr) << "SWAPDB's map was stored";
  EXPECT_NE(Db(*back, 0, &sink_).Find("b"), nullptr);
  for (int s = 0; s < back->num_shards(); ++s) back->shard(s).mutex().unlock();

  Write(*back, 0, [&](Db&) { sink_.DeleteAllDbs(); });
  Reopen();
  LoadProgress after;
  Load(&after);
  EXPECT_EQ(after.keys, 0u);
}

TEST_F(EngineTest, RefusesANewerFormat) {
  Open();
  rocksdb::WriteOptions w;
  ASSERT_TRUE(engine_->db()->Put(w, format::kFormatRecord, std::string(1, char{format::kFormatVersion + 1})).ok());
  ASSERT_TRUE(engine_->Close().ok());
  engine_.reset();
  RocksOptions o;
  o.dir = dir_.string();
  o.warn = [](const std::string&) {};
  auto e = RocksEngine::Open(o);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("newer"), std::string::npos) << e.status();
}

TEST_F(EngineTest, SaveFlushesAndCountsInInfo) {
  Open(FsyncPolicy::kAlways);
  LoadProgress p0;
  auto ks = Load(&p0);
  Write(*ks, 0, [&](Db& db) { db.Add("a", Value::String("0")); });
  EngineInfo before = engine_->Info();
  EXPECT_GE(before.commit.syncs, 1u);
  EXPECT_GE(before.changes_since_save, 1u);  // the key, and the first version lease
  ASSERT_TRUE(engine_->Save().ok());
  EngineInfo after = engine_->Info();
  EXPECT_EQ(after.saves, 1u);
  EXPECT_EQ(after.changes_since_save, 0u);
  EXPECT_GT(after.sst_bytes, 0u);
}

}  // namespace
}  // namespace sessionkv::storage

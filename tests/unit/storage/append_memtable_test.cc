// SPDX-License-Identifier: Apache-2.0
// storage/append_memtable.h: the order of its iterators is the internal-key comparator's, whatever
// the keys share or how short they are, for a memtable still written and for an immutable one.
#include "storage/append_memtable.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/slice.h"

namespace sessionkv::storage {
namespace {

// RocksDB's memtable entry layout (frozen, memtablerep.h): varint32 length, user key, 8-byte trailer
// (sequence << 8 | type, little-endian); the comparator orders user keys bytewise, then sequences
// from the newest.
std::string EncodeEntry(const std::string& user_key, uint64_t seq) {
  std::string out;
  uint32_t n = static_cast<uint32_t>(user_key.size() + 8);
  while (n >= 0x80) {
    out.push_back(static_cast<char>(n | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  out += user_key;
  const uint64_t trailer = seq << 8 | 1;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(trailer >> (8 * i)));
  return out;
}

uint64_t SeqOf(const rocksdb::Slice& internal) {
  uint64_t trailer = 0;
  for (int i = 0; i < 8; ++i) {
    trailer |= uint64_t{static_cast<uint8_t>(internal.data()[internal.size() - 8 + i])} << (8 * i);
  }
  return trailer >> 8;
}

class TestComparator : public rocksdb::MemTableRep::KeyComparator {
 public:
  int operator()(const char* a, const char* b) const override { return Compare(decode_key(a), decode_key(b)); }
  int operator()(const char* a, const rocksdb::Slice& key) const override { return Compare(decode_key(a), key); }

 private:
  static int Compare(const rocksdb::Slice& a, const rocksdb::Slice& b) {
    const rocksdb::Slice ua(a.data(), a.size() - 8), ub(b.data(), b.size() - 8);
    if (int c = ua.compare(ub); c != 0) return c;
    const uint64_t sa = SeqOf(a), sb = SeqOf(b);
    return sa > sb ? -1 : sa < sb ? 1 : 0;
  }
};

class AppendMemTableTest : public ::testing::Test {
 protected:
  AppendMemTableTest() : rep_(AppendMemTableFactory().CreateMemTableRep(compare_, nullptr, nullptr, nullptr)) {}

  // Keys that share a long prefix, end inside the 16-byte window, are prefixes of each other, hold zero
  // bytes, and come in several versions (sequences) of one key; a few outside the shared prefix.
  void InsertRandom(size_t n) {
    std::mt19937_64 rng(42);
    const std::string prefix = std::string("\x01\x00", 2) + "spring:session:sessions:";
    for (size_t i = 0; i < n; ++i) {
      std::string key = prefix;
      const size_t extra = rng() % 40;
      for (size_t j = 0; j < extra; ++j) key.push_back(static_cast<char>(rng() % 4));  // many ties and zeros
      if (i % 7 == 0 && !keys_.empty()) key = keys_[rng() % keys_.size()];           // another version
      if (i % 97 == 0) key = std::string(1, "\x00\x01\x02S\xff"[rng() % 5]) + "system";     // outside it
      if (i % 211 == 0) key = prefix.substr(0, rng() % prefix.size());                 // a prefix of it
      Insert(key, ++seq_);
    }
  }
  void Insert(const std::string& key, uint64_t seq) {
    keys_.push_back(key);
    entries_.push_back(std::make_unique<std::string>(EncodeEntry(key, seq)));
    rep_->Insert(const_cast<char*>(entries_.back()->data()));
  }
  std::vector<const char*> Expected() const {
    std::vector<const char*> out;
    for (const auto& e : entries_) out.push_back(e->data());
    std::sort(out.begin(), out.end(), [&](const char* a, const char* b) { return compare_(a, b) < 0; });
    return out;
  }
  std::vector<const char*> Iterated() {
    std::unique_ptr<rocksdb::MemTableRep::Iterator> it(rep_->GetIterator(nullptr));
    std::vector<const char*> out;
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(it->key());
    return out;
  }

  TestComparator compare_;
  std::unique_ptr<rocksdb::MemTableRep> rep_;
  std::vector<std::unique_ptr<std::string>> entries_;
  std::vector<std::string> keys_;
  uint64_t seq_ = 0;
};

TEST_F(AppendMemTableTest, IteratesInTheComparatorsOrderWhileWrittenAndOnceImmutable) {
  InsertRandom(5000);
  EXPECT_EQ(Iterated(), Expected()) << "a memtable still written: a sorted copy";
  InsertRandom(3000);  // appended after that copy
  rep_->MarkReadOnly();
  EXPECT_EQ(Iterated(), Expected()) << "immutable: sorted once";
  EXPECT_EQ(Iterated(), Expected()) << "and shared by the next iterator";
}

TEST_F(AppendMemTableTest, ShortKeysAndKeysThatArePrefixesOfOthers) {
  const std::string keys[] = {"", "a", std::string("a\0", 2), "ab", "abcdefghijklmnop", "abcdefghijklmnopq",
                              "abcdefghijklmnoo", std::string(20, '\xff'), std::string(16, '\0')};
  for (const std::string& key : keys) {
    Insert(key, ++seq_);
  }
  Insert("ab", ++seq_);  // a newer version sorts first
  EXPECT_EQ(Iterated(), Expected());
}

TEST_F(AppendMemTableTest, SeekAndSeekForPrevFindTheNeighbours) {
  InsertRandom(2000);
  rep_->MarkReadOnly();
  const std::vector<const char*> expected = Expected();
  std::unique_ptr<rocksdb::MemTableRep::Iterator> it(rep_->GetIterator(nullptr));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300; ++i) {
    // A target between entries: an existing key with a sequence that may or may not be present.
    const std::string target = EncodeEntry(keys_[rng() % keys_.size()], rng() % (seq_ + 2));
    auto at_or_after = std::partition_point(expected.begin(), expected.end(),
                                            [&](const char* e) { return compare_(e, target.data()) < 0; });
    it->Seek(rocksdb::Slice(), target.data());
    if (at_or_after == expected.end()) {
      EXPECT_FALSE(it->Valid());
    } else {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key(), *at_or_after);
    }
    auto after = std::partition_point(expected.begin(), expected.end(),
                                      [&](const char* e) { return compare_(e, target.data()) <= 0; });
    it->SeekForPrev(rocksdb::Slice(), target.data());
    if (after == expected.begin()) {
      EXPECT_FALSE(it->Valid());
    } else {
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key(), *(after - 1));
    }
  }
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), expected.back());
  it->Prev();
  EXPECT_EQ(it->key(), expected[expected.size() - 2]);
  EXPECT_TRUE(rep_->Contains(expected.front()));
  const std::string absent = EncodeEntry("not there", 1);
  EXPECT_FALSE(rep_->Contains(absent.data()));
}

}  // namespace
}  // namespace sessionkv::storage

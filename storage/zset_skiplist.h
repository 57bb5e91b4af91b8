// SPDX-License-Identifier: Apache-2.0
// The big sorted-set encoding ("skiplist" in OBJECT ENCODING): Pugh's skip list with Redis's three
// changes (repeated scores, ordering by (score, member), a backward pointer on level 0) and a span
// on every forward link, so that rank lookups and rank-addressed ranges are O(log n); plus a hash
// index from member to node, so score lookups and membership are O(1).
//
// One heap block per member holds the node header, its levels and the member bytes (no separate
// string and no separate hash entry: the index chains through the nodes themselves). The index is
// a power-of-two bucket array, which lets ZSCAN use Redis's reverse-binary cursor (see
// storage/scan_cursor.h) with its guarantee across resizes.
//
// The encoding layer (storage/zset_value.h) owns one of these; nothing here knows about encodings,
// limits or commands.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "storage/scan_cursor.h"

namespace sessionkv::storage {

class ZSkipList {
 public:
  // Redis's ZSKIPLIST_MAXLEVEL and ZSKIPLIST_P.
  static constexpr int kMaxLevel = 32;
  static constexpr double kLevelProbability = 0.25;

  struct Node;
  struct Level {
    Node* forward;
    size_t span;  // nodes crossed by following `forward` (the rank distance)
  };
  // Laid out as [Node][Level x height][member bytes] in one allocation.
  struct Node {
    double score;
    Node* backward;        // level 0 only; nullptr for the first node
    Node* hnext;           // next node in the same hash bucket
    uint64_t length : 56;  // member bytes
    uint64_t height : 8;   // levels

    Level* levels() { return reinterpret_cast<Level*>(this + 1); }
    const Level* levels() const { return reinterpret_cast<const Level*>(this + 1); }
    std::string_view member() const {
      return {reinterpret_cast<const char*>(levels() + height), length};
    }
    const Node* next() const { return levels()[0].forward; }
    const Node* prev() const { return backward; }
  };

  ZSkipList();
  ~ZSkipList();
  ZSkipList(const ZSkipList&) = delete;
  ZSkipList& operator=(const ZSkipList&) = delete;

  // A deep copy (COPY), built from the tail so that every insertion stops at the header.
  std::unique_ptr<ZSkipList> Clone() const;

  size_t size() const { return size_; }
  // Sizes the hash index for `n` members (Redis's dictExpand), so bulk loads do not rehash.
  void Reserve(size_t n);
  // Approximate heap bytes of the nodes, the header and the index.
  size_t HeapBytes() const;

  // The node of `member`, or nullptr.
  const Node* Find(std::string_view member) const;
  // Adds `member` (which must be absent) with `score` (not NaN).
  const Node* Insert(std::string_view member, double score);
  // Removes `member`; false if absent.
  bool Remove(std::string_view member);
  // Changes the score of `node` (a node of this list), keeping its place when the order allows
  // (Redis's zslUpdateScore); returns the node now holding the member.
  const Node* UpdateScore(const Node* node, double score);

  const Node* First() const { return header_->levels()[0].forward; }
  const Node* Last() const { return tail_; }
  // The node at 0-based `rank`, or nullptr past the end. O(log n).
  const Node* AtRank(size_t rank) const;
  // The 0-based rank of `node` (a node of this list). O(log n).
  size_t RankOf(const Node* node) const;

  // The first node for which `before_start(node)` is false, assuming the predicate is true for a
  // prefix of the list and false after it (a lower bound); nullptr if there is none.
  template <typename BeforeStart>
  const Node* LowerBound(BeforeStart&& before_start) const {
    const Node* x = header_;
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->levels()[i].forward != nullptr && before_start(x->levels()[i].forward)) {
        x = x->levels()[i].forward;
      }
    }
    return x->levels()[0].forward;
  }
  // The last node for which `within_end(node)` is true, assuming it holds for a prefix of the list;
  // nullptr if it holds for none.
  template <typename WithinEnd>
  const Node* LastWithin(WithinEnd&& within_end) const {
    const Node* x = header_;
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->levels()[i].forward != nullptr && within_end(x->levels()[i].forward)) {
        x = x->levels()[i].forward;
      }
    }
    return x == header_ ? nullptr : x;
  }

  // Removes the nodes at 0-based ranks [start, end] (end < size()) in one pass; returns how many.
  size_t RemoveRanks(size_t start, size_t end);

  // One ZSCAN step over the hash index: visits buckets from `cursor` until `count` members were
  // seen, the scan ends, or 10 * count buckets were visited; returns the next cursor (0 = done).
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const {
    if (size_ == 0) return 0;
    const uint64_t mask = buckets_.size() - 1;
    size_t budget = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
    size_t seen = 0;
    do {
      for (const Node* n = buckets_[cursor & mask]; n != nullptr; n = n->hnext) {
        fn(n->member(), n->score);
        ++seen;
      }
      cursor = NextScanCursor(cursor, mask);
    } while (cursor != 0 && --budget > 0 && seen < count);
    return cursor;
  }

 private:
  Node* NewNode(int height, double score, std::string_view member);
  void FreeNode(Node* node);
  static size_t NodeBytes(int height, size_t length);
  static int RandomLevel();
  static uint64_t HashOf(std::string_view member);

  // Skip list linking (Redis's zslInsert / zslDeleteNode); the index is maintained separately.
  Node* Link(Node* node);
  void Unlink(Node* node, Node* const* update);
  // Fills update[i] with the last node at level i that orders before (score, member).
  void FindPredecessors(double score, std::string_view member, Node** update) const;

  // Hash index.
  size_t BucketIndex(std::string_view member) const {
    return HashOf(member) & (buckets_.size() - 1);
  }
  void IndexAdd(Node* node);
  void IndexRemove(const Node* node);
  void IndexResize(size_t buckets);
  // Shrinks the index when it is under 10% full (Redis's htNeedsResize), after removals.
  void IndexMaybeShrink();

  Node* header_;
  Node* tail_ = nullptr;
  size_t size_ = 0;
  int level_ = 1;
  size_t node_bytes_ = 0;       // heap bytes of the member nodes
  std::vector<Node*> buckets_;  // power-of-two count (empty until the first insert)
};

}  // namespace sessionkv::storage

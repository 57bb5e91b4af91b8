// SPDX-License-Identifier: Apache-2.0
// The skip list and its member index, following Redis's t_zset.c (zslInsert, zslDeleteNode,
// zslUpdateScore, zslGetRank, zslGetElementByRank, zslDeleteRangeByRank) and dict.c's resize rules.
#include "storage/zset_skiplist.h"

#include <cstring>
#include <new>

#include "absl/hash/hash.h"
#include "absl/random/random.h"

namespace sessionkv::storage {
namespace {

using Node = ZSkipList::Node;
using Level = ZSkipList::Level;

// (score, member) order: scores first, equal scores by member bytes (memcmp order).
bool Before(const Node* n, double score, std::string_view member) {
  return n->score < score || (n->score == score && n->member() < member);
}

// The smallest power of two >= n, at least 4 (Redis's DICT_HT_INITIAL_SIZE).
size_t TableSizeFor(size_t n) {
  size_t size = 4;
  while (size < n) size <<= 1;
  return size;
}

thread_local absl::InsecureBitGen level_gen;

}  // namespace

ZSkipList::ZSkipList() : header_(NewNode(kMaxLevel, 0, {})) {}

ZSkipList::~ZSkipList() {
  Node* n = header_->levels()[0].forward;
  while (n != nullptr) {
    Node* next = n->levels()[0].forward;
    FreeNode(n);
    n = next;
  }
  FreeNode(header_);
}

std::unique_ptr<ZSkipList> ZSkipList::Clone() const {
  auto copy = std::make_unique<ZSkipList>();
  copy->Reserve(size_);
  for (const Node* n = tail_; n != nullptr; n = n->backward) copy->Insert(n->member(), n->score);
  return copy;
}

size_t ZSkipList::NodeBytes(int height, size_t length) {
  return sizeof(Node) + static_cast<size_t>(height) * sizeof(Level) + length;
}

Node* ZSkipList::NewNode(int height, double score, std::string_view member) {
  void* mem = ::operator new(NodeBytes(height, member.size()));
  Node* n = new (mem) Node{score, nullptr, nullptr, member.size(), static_cast<uint64_t>(height)};
  for (int i = 0; i < height; ++i) new (n->levels() + i) Level{nullptr, 0};
  if (!member.empty()) {
    std::memcpy(reinterpret_cast<char*>(n->levels() + height), member.data(), member.size());
  }
  node_bytes_ += NodeBytes(height, member.size());
  return n;
}

void ZSkipList::FreeNode(Node* node) {
  node_bytes_ -= NodeBytes(static_cast<int>(node->height), node->length);
  node->~Node();
  ::operator delete(node);
}

// Levels 1, 2, 3... with probability 1/4 of each next one (Redis's zslRandomLevel).
int ZSkipList::RandomLevel() {
  constexpr auto kThreshold = static_cast<uint32_t>(kLevelProbability * 4294967296.0);
  int level = 1;
  while (level < kMaxLevel && absl::Uniform<uint32_t>(level_gen) < kThreshold) ++level;
  return level;
}

uint64_t ZSkipList::HashOf(std::string_view member) { return absl::HashOf(member); }

size_t ZSkipList::HeapBytes() const { return node_bytes_ + buckets_.capacity() * sizeof(Node*); }

void ZSkipList::Reserve(size_t n) {
  if (n > buckets_.size()) IndexResize(TableSizeFor(n));
}

// ------------------------------------------------------------------------------------ skip list

void ZSkipList::FindPredecessors(double score, std::string_view member, Node** update) const {
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && Before(x->levels()[i].forward, score, member)) {
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
}

// Links `node` (its height and score set, not in the list) at its place, keeping every span right.
Node* ZSkipList::Link(Node* node) {
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  const std::string_view member = node->member();
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->levels()[i].forward != nullptr &&
           Before(x->levels()[i].forward, node->score, member)) {
      rank[i] += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  const int height = static_cast<int>(node->height);
  if (height > level_) {
    for (int i = level_; i < height; ++i) {
      rank[i] = 0;
      update[i] = header_;
      header_->levels()[i].span = size_;
    }
    level_ = height;
  }
  for (int i = 0; i < height; ++i) {
    Level& up = update[i]->levels()[i];
    node->levels()[i].forward = up.forward;
    up.forward = node;
    node->levels()[i].span = up.span - (rank[0] - rank[i]);
    up.span = rank[0] - rank[i] + 1;
  }
  for (int i = height; i < level_; ++i) update[i]->levels()[i].span++;
  node->backward = update[0] == header_ ? nullptr : update[0];
  if (node->levels()[0].forward != nullptr) {
    node->levels()[0].forward->backward = node;
  } else {
    tail_ = node;
  }
  ++size_;
  return node;
}

// Unlinks `node` given its predecessors at every level (Redis's zslDeleteNode).
void ZSkipList::Unlink(Node* node, Node* const* update) {
  for (int i = 0; i < level_; ++i) {
    Level& up = update[i]->levels()[i];
    if (up.forward == node) {
      up.span += node->levels()[i].span - 1;
      up.forward = node->levels()[i].forward;
    } else {
      up.span -= 1;
    }
  }
  if (node->levels()[0].forward != nullptr) {
    node->levels()[0].forward->backward = node->backward;
  } else {
    tail_ = node->backward;
  }
  while (level_ > 1 && header_->levels()[level_ - 1].forward == nullptr) --level_;
  --size_;
}

const Node* ZSkipList::Insert(std::string_view member, double score) {
  Node* node = NewNode(RandomLevel(), score, member);
  IndexAdd(node);  // before Link: a resize rehashes the linked nodes only
  return Link(node);
}

bool ZSkipList::Remove(std::string_view member) {
  Node* node = const_cast<Node*>(Find(member));
  if (node == nullptr) return false;
  Node* update[kMaxLevel];
  FindPredecessors(node->score, member, update);
  Unlink(node, update);
  IndexRemove(node);
  FreeNode(node);
  IndexMaybeShrink();
  return true;
}

// Keeps the node where it is when its neighbours still bracket the new score; otherwise unlinks and
// relinks the same node (its allocation, member and index entry stay).
const Node* ZSkipList::UpdateScore(const Node* target, double score) {
  Node* node = const_cast<Node*>(target);
  const Node* prev = node->backward;
  const Node* next = node->levels()[0].forward;
  if ((prev == nullptr || prev->score < score) && (next == nullptr || next->score > score)) {
    node->score = score;
    return node;
  }
  Node* update[kMaxLevel];
  FindPredecessors(node->score, node->member(), update);
  Unlink(node, update);
  node->score = score;
  return Link(node);
}

const Node* ZSkipList::AtRank(size_t rank) const {
  const size_t target = rank + 1;  // spans count from the header, 1-based
  size_t traversed = 0;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && traversed + x->levels()[i].span <= target) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (traversed == target) return x;
  }
  return nullptr;
}

size_t ZSkipList::RankOf(const Node* node) const {
  size_t rank = 0;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr &&
           (x->levels()[i].forward == node ||
            Before(x->levels()[i].forward, node->score, node->member()))) {
      rank += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (x == node) return rank - 1;
  }
  return rank - 1;  // not reached for a node of this list
}

size_t ZSkipList::RemoveRanks(size_t start, size_t end) {
  Node* update[kMaxLevel];
  size_t traversed = 0;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && traversed + x->levels()[i].span <= start) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  size_t removed = 0;
  x = x->levels()[0].forward;
  for (size_t rank = start; x != nullptr && rank <= end; ++rank) {
    Node* next = x->levels()[0].forward;
    Unlink(x, update);
    IndexRemove(x);
    FreeNode(x);
    ++removed;
    x = next;
  }
  IndexMaybeShrink();
  return removed;
}

// ------------------------------------------------------------------------------------ the index

const Node* ZSkipList::Find(std::string_view member) const {
  if (buckets_.empty()) return nullptr;
  for (const Node* n = buckets_[BucketIndex(member)]; n != nullptr; n = n->hnext) {
    if (n->member() == member) return n;
  }
  return nullptr;
}

// Grows at load factor 1, as Redis's dict does. `node` is not linked yet.
void ZSkipList::IndexAdd(Node* node) {
  if (buckets_.empty()) {
    buckets_.assign(TableSizeFor(1), nullptr);
  } else if (size_ + 1 > buckets_.size()) {
    IndexResize(buckets_.size() * 2);
  }
  Node*& head = buckets_[BucketIndex(node->member())];
  node->hnext = head;
  head = node;
}

void ZSkipList::IndexRemove(const Node* node) {
  Node** link = &buckets_[BucketIndex(node->member())];
  while (*link != node) link = &(*link)->hnext;
  *link = node->hnext;
}

void ZSkipList::IndexResize(size_t buckets) {
  buckets_.assign(buckets, nullptr);
  buckets_.shrink_to_fit();
  for (Node* n = header_->levels()[0].forward; n != nullptr; n = n->levels()[0].forward) {
    Node*& head = buckets_[BucketIndex(n->member())];
    n->hnext = head;
    head = n;
  }
}

void ZSkipList::IndexMaybeShrink() {
  if (buckets_.size() > 4 && size_ * 10 < buckets_.size()) IndexResize(TableSizeFor(size_));
}

}  // namespace sessionkv::storage

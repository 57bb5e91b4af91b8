// SPDX-License-Identifier: Apache-2.0
// Db's typed mutators: each changes a value in memory through its type's own operation and records
// the effect (storage/mutation.h) next to it. The type classes (storage/*_value.h) know nothing of
// persistence; this file is where the two meet.
#include <algorithm>

#include "storage/keyspace.h"
#include "storage/rocks_format.h"

namespace sessionkv::storage {

// ------------------------------------------------------------------------------------------ strings

void Db::StringAppend(Entry* e, std::string_view tail) {
  StringValue& s = e->value_.string();
  s.bytes.append(tail);
  s.form = StringForm::kRaw;
  sink_->PutMeta(pdb(), *e);
}

void Db::StringSetRange(Entry* e, size_t offset, std::string_view patch) {
  StringValue& s = e->value_.string();
  if (s.bytes.size() < offset + patch.size()) s.bytes.resize(offset + patch.size(), '\0');
  s.bytes.replace(offset, patch.size(), patch);
  s.form = StringForm::kRaw;
  sink_->PutMeta(pdb(), *e);
}

// ------------------------------------------------------------------------------------------- hashes

size_t Db::HashSet(Entry* e, std::span<const std::string_view> pairs, const HashLimits& limits) {
  HashValue& hash = e->value_.hash();
  hash.PrepareWrite(pairs, limits);
  size_t created = 0;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    created += hash.Set(pairs[i], pairs[i + 1], limits) ? 1 : 0;
    sink_->PutHashField(pdb(), *e, pairs[i], pairs[i + 1]);
  }
  return created;
}

void Db::HashSetField(Entry* e, std::string_view field, std::string_view value, const HashLimits& limits) {
  e->value_.hash().Set(field, value, limits);
  sink_->PutHashField(pdb(), *e, field, value);
}

size_t Db::HashDelete(Entry* e, std::span<const std::string_view> fields) {
  HashValue& hash = e->value_.hash();
  size_t deleted = 0;
  for (size_t i = 0; i < fields.size() && !hash.empty(); ++i) {
    if (!hash.Delete(fields[i])) continue;
    ++deleted;
    sink_->DeleteElement(pdb(), *e, fields[i]);
  }
  return deleted;
}

// --------------------------------------------------------------------------------------------- sets

size_t Db::SetAdd(Entry* e, std::span<const std::string_view> members, const SetLimits& limits) {
  SetValue& set = e->value_.set();
  size_t added = 0;
  for (std::string_view m : members) {
    if (!set.Add(m, limits)) continue;
    ++added;
    sink_->PutSetMember(pdb(), *e, m);
  }
  return added;
}

size_t Db::SetRemove(Entry* e, std::span<const std::string_view> members) {
  SetValue& set = e->value_.set();
  size_t removed = 0;
  for (size_t i = 0; i < members.size() && !set.empty(); ++i) {
    if (!set.Remove(members[i])) continue;
    ++removed;
    sink_->DeleteElement(pdb(), *e, members[i]);
  }
  return removed;
}

std::string Db::SetPopRandom(Entry* e, absl::BitGen& gen) {
  std::string popped = e->value_.set().PopRandom(gen);
  sink_->DeleteElement(pdb(), *e, popped);
  return popped;
}

std::vector<std::string> Db::SetPopDistinct(Entry* e, size_t count, absl::BitGen& gen) {
  SetValue& set = e->value_.set();
  std::vector<std::string> popped;
  if (count >= set.size()) {
    popped = set.Members();
    set = SetValue();
  } else {
    popped = set.RandomDistinct(count, gen);
    for (const std::string& m : popped) set.Remove(m);
  }
  for (const std::string& m : popped) sink_->DeleteElement(pdb(), *e, m);
  return popped;
}

// -------------------------------------------------------------------------------------- sorted sets

ZSetValue::AddResult Db::ZAdd(Entry* e, std::string_view member, double score, uint8_t flags,
                              const ZSetLimits& limits, double* new_score) {
  const ZSetValue::AddResult result = e->value_.zset().Add(member, score, flags, limits, new_score);
  if (result == ZSetValue::AddResult::kAdded || result == ZSetValue::AddResult::kUpdated) {
    sink_->PutZSetMember(pdb(), *e, member, *new_score);
  }
  return result;
}

void Db::ZPrepare(Entry* e, size_t size_hint, const ZSetLimits& limits) {
  e->value_.zset().PrepareFor(size_hint, limits);
}

size_t Db::ZRemove(Entry* e, std::span<const std::string_view> members) {
  ZSetValue& z = e->value_.zset();
  size_t removed = 0;
  for (size_t i = 0; i < members.size() && !z.empty(); ++i) {
    if (!z.Remove(members[i])) continue;
    ++removed;
    sink_->DeleteElement(pdb(), *e, members[i]);
  }
  return removed;
}

ZSetValue::Entry Db::ZPop(Entry* e, bool highest) {
  ZSetValue::Entry popped = e->value_.zset().Pop(highest);
  sink_->DeleteElement(pdb(), *e, popped.member);
  return popped;
}

size_t Db::ZRemoveRanks(Entry* e, size_t start, size_t end) {
  ZSetValue& z = e->value_.zset();
  if (sink_->recording()) {
    ZSetValue::Cursor c = z.AtRank(start);
    for (size_t i = start; i <= end && c.valid(); ++i, c.Next()) sink_->DeleteElement(pdb(), *e, c.member());
  }
  return z.RemoveRanks(start, end);
}

namespace {
// The ranks [first, last] of the members inside `range`, false when none is.
template <typename Range>
bool RanksIn(const ZSetValue& z, const Range& range, size_t* first, size_t* last) {
  const ZSetValue::Cursor lo = z.FirstIn(range);
  const ZSetValue::Cursor hi = z.LastIn(range);
  if (!lo.valid() || !hi.valid() || lo.rank() > hi.rank()) return false;
  *first = lo.rank();
  *last = hi.rank();
  return true;
}
}  // namespace

size_t Db::ZRemoveRange(Entry* e, const ScoreRange& range) {
  size_t first, last;
  return RanksIn(e->value_.zset(), range, &first, &last) ? ZRemoveRanks(e, first, last) : 0;
}

size_t Db::ZRemoveRange(Entry* e, const LexRange& range) {
  size_t first, last;
  return RanksIn(e->value_.zset(), range, &first, &last) ? ZRemoveRanks(e, first, last) : 0;
}

// -------------------------------------------------------------------------------------------- lists
//
// Element i of a list is at disk position list_head_ + i. Pushes and pops at the ends move the head
// or the tail and write or delete only the elements concerned; an element replaced in place keeps its
// position; anything that shifts elements in the middle rewrites the key under a new version.

void Db::Rewrite(Entry* e, uint32_t list_head) {
  e->version_ = ks_->NewVersion(*sink_);
  e->list_head_ = list_head;
  sink_->DeleteElements(pdb(), e->key);
  sink_->PutKey(pdb(), *e);
}

void Db::Rewrite(Entry* e) { Rewrite(e, format::CenteredListHead(e->value_.list().size())); }

void Db::ReserveListPositions(Entry* e, End end, size_t n) {
  constexpr uint64_t kSpace = uint64_t{UINT32_MAX} + 1;
  const uint64_t size = e->value_.list().size();
  const uint64_t head = e->list_head_;
  if (end == End::kHead ? head >= n : head + size + n <= kSpace) return;
  // Reached after about two billion pushes at one end: rebase the positions so that the list and the
  // new elements fit, centred.
  const uint64_t spare = (kSpace - size - n) / 2;
  Rewrite(e, static_cast<uint32_t>(end == End::kHead ? spare + n : spare));
}

void Db::ListPush(Entry* e, End end, std::span<const std::string_view> values, int fill) {
  ReserveListPositions(e, end, values.size());
  ListValue& list = e->value_.list();
  const size_t before = list.size();
  list.Push(end, values, fill);
  for (size_t i = 0; i < values.size(); ++i) {
    if (end == End::kHead) {
      sink_->PutListElement(pdb(), *e, --e->list_head_, values[i]);
    } else {
      sink_->PutListElement(pdb(), *e, e->list_head_ + static_cast<uint32_t>(before + i), values[i]);
    }
  }
}

std::vector<std::string> Db::ListPop(Entry* e, End end, size_t count, int fill) {
  ListValue& list = e->value_.list();
  const size_t before = list.size();
  std::vector<std::string> popped = list.Pop(end, count, fill);
  const size_t n = popped.size();
  if (end == End::kHead) {
    sink_->DeleteListElements(pdb(), *e, e->list_head_, n);
    e->list_head_ += static_cast<uint32_t>(n);
  } else {
    sink_->DeleteListElements(pdb(), *e, e->list_head_ + static_cast<uint32_t>(before - n), n);
  }
  return popped;
}

std::string Db::ListRotate(Entry* e, End from, End to, int fill) {
  if (from != to) ReserveListPositions(e, to, 1);
  const size_t size = e->value_.list().size();
  std::string moved = e->value_.list().Rotate(from, to, fill);
  if (from == End::kHead && to == End::kTail) {
    sink_->DeleteListElements(pdb(), *e, e->list_head_, 1);
    ++e->list_head_;
  } else if (from == End::kTail && to == End::kHead) {
    sink_->DeleteListElements(pdb(), *e, e->list_head_ + static_cast<uint32_t>(size - 1), 1);
    --e->list_head_;
  }
  // Same end: the element is back where it was; recorded anyway, as the command reports a change.
  const uint32_t pos = to == End::kHead ? e->list_head_ : e->list_head_ + static_cast<uint32_t>(size - 1);
  sink_->PutListElement(pdb(), *e, pos, moved);
  return moved;
}

bool Db::ListSet(Entry* e, int64_t index, std::string_view value, int fill) {
  ListValue& list = e->value_.list();
  if (!list.Set(index, value, fill)) return false;
  const auto size = static_cast<int64_t>(list.size());
  const int64_t i = index < 0 ? size + index : index;
  sink_->PutListElement(pdb(), *e, e->list_head_ + static_cast<uint32_t>(i), value);
  return true;
}

bool Db::ListInsert(Entry* e, std::string_view pivot, std::string_view value, bool after, int fill) {
  if (!e->value_.list().Insert(pivot, value, after, fill)) return false;
  Rewrite(e);
  return true;
}

size_t Db::ListRemove(Entry* e, std::string_view value, size_t count, bool from_tail, int fill) {
  const size_t removed = e->value_.list().Remove(value, count, from_tail, fill);
  if (removed > 0) Rewrite(e);
  return removed;
}

void Db::ListTrim(Entry* e, size_t head, size_t tail, int fill) {
  ListValue& list = e->value_.list();
  const size_t before = list.size();
  list.Trim(head, tail, fill);
  sink_->DeleteListElements(pdb(), *e, e->list_head_, head);
  sink_->DeleteListElements(pdb(), *e, e->list_head_ + static_cast<uint32_t>(before - tail), tail);
  e->list_head_ += static_cast<uint32_t>(head);
}

}  // namespace sessionkv::storage

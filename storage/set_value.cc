// SPDX-License-Identifier: Apache-2.0
// The set type's three encodings and their upward conversions, following Redis 7.2's t_set.c
// (setTypeCreate, setTypeAddAux, maybeConvertIntset).
#include "storage/set_value.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <unordered_set>
#include <utility>

#include "storage/scan_cursor.h"

namespace sessionkv::storage {
namespace {

// Number of characters of v in decimal, the sign included (Redis's sdigits10).
size_t DecimalWidth(int64_t v) { return std::to_string(v).size(); }

// The smallest power of two >= n (at least 4, Redis's DICT_HT_INITIAL_SIZE).
size_t TableSizeFor(size_t n) {
  size_t size = 4;
  while (size < n) size <<= 1;
  return size;
}

}  // namespace

// Redis's string2ll: "0", or an optional '-' then a digit 1-9 then digits, within int64.
bool SetValue::IsInteger(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  if (s == "0") {
    *out = 0;
    return true;
  }
  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative) i = 1;
  if (i >= s.size() || s[i] < '1' || s[i] > '9') return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    v = v * 10 + digit;
  }
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (v > kMaxPositive + 1) return false;
    *out = v == kMaxPositive + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(v);
  } else {
    if (v > kMaxPositive) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

SetValue SetValue::Create(std::string_view first, size_t size_hint, const SetLimits& limits) {
  SetValue set;
  int64_t ignored;
  if (IsInteger(first, &ignored) && size_hint <= limits.max_intset_entries) return set;
  if (size_hint <= limits.max_listpack_entries) {
    set.rep_.emplace<std::vector<std::string>>().reserve(size_hint);
    return set;
  }
  set.ConvertToHashtable(size_hint);
  return set;
}

std::string_view SetValue::EncodingName() const {
  switch (encoding()) {
    case Encoding::kIntset:
      return "intset";
    case Encoding::kListpack:
      return "listpack";
    case Encoding::kHashtable:
      break;
  }
  return "hashtable";
}

size_t SetValue::HeapBytes() const {
  // A string's heap block exists only beyond the small-string buffer (15 bytes in libstdc++).
  auto string_heap = [](const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; };
  auto strings_heap = [&](const std::vector<std::string>& v) {
    size_t bytes = v.capacity() * sizeof(std::string);
    for (const std::string& s : v) bytes += string_heap(s);
    return bytes;
  };
  switch (encoding()) {
    case Encoding::kIntset:
      return ints().capacity() * sizeof(int64_t);
    case Encoding::kListpack:
      return strings_heap(small());
    case Encoding::kHashtable:
      break;
  }
  size_t bytes = table().buckets.capacity() * sizeof(std::vector<std::string>);
  for (const auto& bucket : table().buckets) bytes += strings_heap(bucket);
  return bytes;
}

size_t SetValue::size() const {
  switch (encoding()) {
    case Encoding::kIntset:
      return ints().size();
    case Encoding::kListpack:
      return small().size();
    case Encoding::kHashtable:
      break;
  }
  return table().size;
}

bool SetValue::Contains(std::string_view member) const {
  switch (encoding()) {
    case Encoding::kIntset: {
      int64_t v;
      return IsInteger(member, &v) && std::binary_search(ints().begin(), ints().end(), v);
    }
    case Encoding::kListpack:
      return std::find(small().begin(), small().end(), member) != small().end();
    case Encoding::kHashtable:
      break;
  }
  if (table().size == 0) return false;
  const auto& bucket = BucketOf(member);
  return std::find(bucket.begin(), bucket.end(), member) != bucket.end();
}

// Redis 7.2's setTypeAddAux: an integer joins an intset (which becomes a hashtable past
// set-max-intset-entries); a non-integer turns an intset into a listpack if the result stays small
// (judged by the widest integer), else into a hashtable; a listpack becomes a hashtable when a
// member would exceed either listpack limit.
bool SetValue::Add(std::string_view member, const SetLimits& limits) {
  if (encoding() == Encoding::kIntset) {
    int64_t v;
    if (IsInteger(member, &v)) {
      auto it = std::lower_bound(ints().begin(), ints().end(), v);
      if (it != ints().end() && *it == v) return false;
      ints().insert(it, v);
      if (ints().size() > limits.max_intset_entries) ConvertToHashtable(ints().size());
      return true;
    }
    size_t widest = 0;
    if (!ints().empty())
      widest = std::max(DecimalWidth(ints().front()), DecimalWidth(ints().back()));
    if (ints().size() < limits.max_listpack_entries && member.size() <= limits.max_listpack_value &&
        widest <= limits.max_listpack_value) {
      ConvertToListpack();
    } else {
      ConvertToHashtable(ints().size() + 1);
    }
  }
  if (encoding() == Encoding::kListpack) {
    if (Contains(member)) return false;
    if (small().size() < limits.max_listpack_entries &&
        member.size() <= limits.max_listpack_value) {
      small().emplace_back(member);
      return true;
    }
    ConvertToHashtable(small().size() + 1);
  }
  if (Contains(member)) return false;
  TableInsert(std::string(member));
  return true;
}

bool SetValue::Remove(std::string_view member) {
  switch (encoding()) {
    case Encoding::kIntset: {
      int64_t v;
      if (!IsInteger(member, &v)) return false;
      auto it = std::lower_bound(ints().begin(), ints().end(), v);
      if (it == ints().end() || *it != v) return false;
      ints().erase(it);
      return true;
    }
    case Encoding::kListpack: {
      auto it = std::find(small().begin(), small().end(), member);
      if (it == small().end()) return false;
      small().erase(it);
      return true;
    }
    case Encoding::kHashtable:
      break;
  }
  if (table().size == 0) return false;
  auto& bucket = BucketOf(member);
  auto it = std::find(bucket.begin(), bucket.end(), member);
  if (it == bucket.end()) return false;
  if (it != bucket.end() - 1) std::swap(*it, bucket.back());
  bucket.pop_back();
  --table().size;
  TableMaybeShrink();
  return true;
}

std::vector<std::string> SetValue::Members() const {
  std::vector<std::string> out;
  out.reserve(size());
  ForEach([&out](std::string_view s) { out.emplace_back(s); });
  return out;
}

// Uniform over members: the compact forms index directly; the table picks a random non-empty bucket
// and a random member of it (Redis's dictGetFairRandomKey is close to this, not exactly uniform
// either).
std::string SetValue::RandomMember(absl::BitGen& gen) const {
  switch (encoding()) {
    case Encoding::kIntset:
      return IntText(ints()[absl::Uniform<size_t>(gen, 0, ints().size())]);
    case Encoding::kListpack:
      return small()[absl::Uniform<size_t>(gen, 0, small().size())];
    case Encoding::kHashtable:
      break;
  }
  while (true) {
    const auto& bucket = table().buckets[absl::Uniform<size_t>(gen, 0, table().buckets.size())];
    if (!bucket.empty()) return bucket[absl::Uniform<size_t>(gen, 0, bucket.size())];
  }
}

std::string SetValue::PopRandom(absl::BitGen& gen) {
  std::string member = RandomMember(gen);
  Remove(member);
  return member;
}

// Few members out of many: draw at random and drop repeats (Redis's SRANDMEMBER case 4), so the
// cost follows `count`, not the set's size. Otherwise a partial Fisher-Yates shuffle of every
// member.
std::vector<std::string> SetValue::RandomDistinct(size_t count, absl::BitGen& gen) const {
  const size_t n = size();
  if (count > 0 && count * 3 < n) {
    std::vector<std::string> out;
    out.reserve(count);
    std::unordered_set<std::string> chosen;
    while (out.size() < count) {
      std::string m = RandomMember(gen);
      if (chosen.insert(m).second) out.push_back(std::move(m));
    }
    return out;
  }
  std::vector<std::string> all = Members();
  count = std::min(count, all.size());
  for (size_t i = 0; i < count; ++i) {
    std::swap(all[i], all[absl::Uniform<size_t>(gen, i, all.size())]);
  }
  all.resize(count);
  return all;
}

uint64_t SetValue::NextCursor(uint64_t cursor, uint64_t mask) {
  return NextScanCursor(cursor, mask);
}

uint64_t SetValue::HashOf(std::string_view s) {
  // Mix std::hash so that the low bits used for the bucket index are well spread.
  uint64_t h = std::hash<std::string_view>{}(s);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

// ------------------------------------------------------------------------------------- conversions

void SetValue::ConvertToListpack() {
  std::vector<std::string> members;
  members.reserve(ints().size() + 1);
  for (int64_t v : ints()) members.push_back(IntText(v));
  rep_ = std::move(members);
}

void SetValue::ConvertToHashtable(size_t expected) {
  std::vector<std::string> members = Members();
  rep_.emplace<Table>();
  table().buckets.assign(TableSizeFor(std::max(expected, members.size())), {});
  for (std::string& m : members) TableInsert(std::move(m));
}

// ----------------------------------------------------------------------------------------
// hashtable

// Adds a member known to be absent; grows the table at load factor 1 (Redis's dict rule).
void SetValue::TableInsert(std::string member) {
  if (table().buckets.empty()) table().buckets.resize(TableSizeFor(1));
  if (table().size + 1 > table().buckets.size()) TableResize(table().buckets.size() * 2);
  BucketOf(member).push_back(std::move(member));
  ++table().size;
}

void SetValue::TableResize(size_t buckets) {
  std::vector<std::vector<std::string>> old = std::move(table().buckets);
  table().buckets.assign(buckets, {});
  for (auto& bucket : old)
    for (std::string& m : bucket) BucketOf(m).push_back(std::move(m));
}

// Shrinks when under 10% full, as Redis's htNeedsResize, never below the initial size.
void SetValue::TableMaybeShrink() {
  if (table().buckets.size() > 4 && table().size * 10 < table().buckets.size())
    TableResize(TableSizeFor(table().size));
}

}  // namespace sessionkv::storage

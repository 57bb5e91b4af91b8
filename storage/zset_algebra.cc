// SPDX-License-Identifier: Apache-2.0
#include "storage/zset_algebra.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "base/strings.h"

namespace sessionkv::storage {
namespace {

// Visits every member of a source with its unweighted score.
void ForEachIn(const ZSource& s, absl::FunctionRef<void(std::string_view, double)> fn) {
  if (s.zset != nullptr) {
    for (ZSetValue::Cursor c = s.zset->First(); c.valid(); c.Next()) fn(c.member(), c.score());
  } else if (s.set != nullptr) {
    s.set->ForEach([&](std::string_view m) { fn(m, 1.0); });
  }
}

double Weighted(const ZSource& s, double score) {
  const double v = s.weight * score;
  return std::isnan(v) ? 0 : v;
}

// Redis's zunionInterAggregate (a comparison with NaN keeps the target).
void Aggregate(double* target, double value, ZAggregate aggregate) {
  switch (aggregate) {
    case ZAggregate::kSum:
      *target += value;
      if (std::isnan(*target)) *target = 0;
      break;
    case ZAggregate::kMin:
      *target = value < *target ? value : *target;
      break;
    case ZAggregate::kMax:
      *target = value > *target ? value : *target;
      break;
  }
}

// Smallest inputs first, as Redis orders them for union and intersection.
void SortBySize(std::vector<ZSource>* sources) {
  std::stable_sort(sources->begin(), sources->end(),
                   [](const ZSource& a, const ZSource& b) { return a.size() < b.size(); });
}

// Walks the smallest input and probes the others; `emit` gets each common member and its
// aggregated score and returns false to stop.
void Intersect(std::vector<ZSource> sources, ZAggregate aggregate,
               absl::FunctionRef<bool(std::string_view, double)> emit) {
  SortBySize(&sources);
  if (sources.empty() || sources[0].size() == 0) return;
  bool stop = false;
  ForEachIn(sources[0], [&](std::string_view member, double score) {
    if (stop) return;
    double total = Weighted(sources[0], score);
    for (size_t j = 1; j < sources.size(); ++j) {
      double other;
      if (!sources[j].Find(member, &other)) return;
      Aggregate(&total, other * sources[j].weight, aggregate);
    }
    stop = !emit(member, total);
  });
}

}  // namespace

size_t ZSource::size() const {
  if (zset != nullptr) return zset->size();
  return set != nullptr ? set->size() : 0;
}

bool ZSource::Find(std::string_view member, double* score) const {
  if (zset != nullptr) {
    const auto s = zset->Score(member);
    if (s.has_value()) *score = *s;
    return s.has_value();
  }
  if (set != nullptr && set->Contains(member)) {
    *score = 1;
    return true;
  }
  return false;
}

std::vector<ZSetValue::Entry> CombineZSets(ZSetOp op, std::vector<ZSource> sources,
                                           ZAggregate aggregate) {
  std::vector<ZSetValue::Entry> out;
  switch (op) {
    case ZSetOp::kInter:
      Intersect(std::move(sources), aggregate, [&](std::string_view member, double score) {
        out.push_back({std::string(member), score});
        return true;
      });
      break;
    case ZSetOp::kUnion: {
      SortBySize(&sources);
      absl::flat_hash_map<std::string, double, StringViewHash, StringViewEq> totals;
      if (!sources.empty()) totals.reserve(sources.back().size());
      for (const ZSource& s : sources) {
        ForEachIn(s, [&](std::string_view member, double score) {
          const double v = Weighted(s, score);
          auto [it, inserted] = totals.try_emplace(member, v);
          if (!inserted) Aggregate(&it->second, v, aggregate);
        });
      }
      out.reserve(totals.size());
      for (auto& [member, score] : totals) out.push_back({member, score});
      break;
    }
    case ZSetOp::kDiff:
      if (sources.empty()) break;
      ForEachIn(sources[0], [&](std::string_view member, double score) {
        double ignored;
        for (size_t j = 1; j < sources.size(); ++j) {
          if (sources[j].Find(member, &ignored)) return;
        }
        out.push_back({std::string(member), score});
      });
      break;
  }
  return out;
}

size_t IntersectionSize(std::vector<ZSource> sources, size_t limit) {
  size_t n = 0;
  Intersect(std::move(sources), ZAggregate::kSum, [&](std::string_view, double) {
    ++n;
    return limit == 0 || n < limit;
  });
  return n;
}

}  // namespace sessionkv::storage

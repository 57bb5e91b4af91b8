// SPDX-License-Identifier: Apache-2.0
#include "benchmarks/load/histogram.h"

#include <bit>
#include <cmath>

namespace sessionkv::bench {

namespace {
constexpr uint64_t kExact = uint64_t{1} << Histogram::kSubBits;
constexpr uint64_t kHalf = kExact / 2;
}  // namespace

// Below 2^kSubBits a value is its own bucket. Above, with m its highest set bit, the value is shifted right
// by m - kSubBits + 1 so that kSubBits - 1 bits below the top one remain: 128 buckets per octave.
int Histogram::Index(uint64_t v) {
  if (v < kExact) return static_cast<int>(v);
  const int m = 63 - std::countl_zero(v);
  const int shift = m - kSubBits + 1;
  const uint64_t sub = v >> shift;  // in [kHalf, kExact)
  return static_cast<int>(kExact + (shift - 1) * kHalf + (sub - kHalf));
}

uint64_t Histogram::BucketHighest(int index) {
  if (static_cast<uint64_t>(index) < kExact) return index;
  const uint64_t rest = index - kExact;
  const int shift = static_cast<int>(rest / kHalf) + 1;
  const uint64_t sub = kHalf + rest % kHalf;
  const uint64_t low = sub << shift;
  return low + ((uint64_t{1} << shift) - 1);
}

void Histogram::Merge(const Histogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t Histogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const uint64_t target = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= target) return std::min(BucketHighest(i), max_);
  }
  return max_;
}

}  // namespace sessionkv::bench

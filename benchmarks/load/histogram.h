// SPDX-License-Identifier: Apache-2.0
// A latency histogram in the manner of HdrHistogram: log-linear buckets (exact below 256 ns, then 128
// buckets per power of two, so any recorded value is reported within 0.8%), fixed memory, O(1) Record, and
// Merge for per-thread histograms. Values are nanoseconds.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

namespace sessionkv::bench {

class Histogram {
 public:
  void Record(uint64_t ns) {
    ++counts_[Index(ns)];
    ++count_;
    sum_ += ns;
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
  }
  void Merge(const Histogram& other);
  void Reset() { *this = Histogram(); }

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0; }
  // The smallest recorded value v (as the upper end of its bucket, never above max()) such that a
  // fraction q of the recorded values is <= v; q in [0, 1].
  uint64_t Percentile(double q) const;

  // Bucket arithmetic, public for tests.
  static constexpr int kSubBits = 8;  // 2^8 exact values, then 2^7 buckets per octave
  static constexpr int kBuckets = (1 << kSubBits) + (64 - kSubBits) * (1 << (kSubBits - 1));
  static int Index(uint64_t v);
  static uint64_t BucketHighest(int index);

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = std::numeric_limits<uint64_t>::max();
  uint64_t max_ = 0;
};

}  // namespace sessionkv::bench

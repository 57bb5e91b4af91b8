// SPDX-License-Identifier: Apache-2.0
// The latency distribution of one command, for INFO latencystats.
//
// Redis records every call's duration into an HdrHistogram (deps/hdr_histogram) tracking 1 ns to 1
// s with two significant digits, and prints percentiles as that histogram computes them: the
// highest value that falls into the percentile's bucket. A call of 1 µs therefore reports
// "p50=1.003", one of 8 µs "8.031". This class keeps the same bucket layout (values below 256
// exact, then buckets of 128 sub-buckets whose width doubles from one bucket to the next) and the
// same percentile rule, so the numbers are comparable with Redis's, without its dependency.
#pragma once

#include <array>
#include <atomic>
#include <utility>
#include <vector>
#include <cstdint>

namespace sessionkv::server {

class LatencyHistogram {
 public:
  static constexpr int64_t kLowest = 1;            // ns; shorter durations count as 1 ns
  static constexpr int64_t kHighest = 1000000000;  // ns; longer ones count as 1 s
  // Two significant digits need 256 sub-buckets; the first bucket holds 0..255 exactly, each
  // further one 128 sub-buckets twice as wide as the previous bucket's. 256 << 22 is the first
  // power past kHighest.
  static constexpr int kSubBucketHalfCountMagnitude = 7;
  static constexpr int kSubBucketHalfCount = 1 << kSubBucketHalfCountMagnitude;
  static constexpr int kBucketCount = 23;
  static constexpr int kCountsLen = (kBucketCount + 1) * kSubBucketHalfCount;

  // Adds one duration. Thread-safe (relaxed counters); a reader may see a call half-recorded.
  void Record(int64_t nanos);
  uint64_t count() const { return total_.load(std::memory_order_relaxed); }
  // hdr_value_at_percentile: the highest value equivalent to the smallest recorded value that has
  // at least `percentile` percent of the calls at or below it; 0 when empty.
  int64_t ValueAtPercentile(double percentile) const;
  void Reset();
  // LATENCY HISTOGRAM's cumulative distribution (Redis's fillCommandCDF over an hdr_iter_log from 1024 ns
  // doubling): (the highest value of the sub-bucket holding each power-of-two bound, in µs; the calls up
  // to it) for each bound whose count grew, up to the one that covers every call.
  std::vector<std::pair<int64_t, uint64_t>> PowerOfTwoCdf() const;

  // The bucket layout: the counter index of a value, and the range of values that share an index.
  static int IndexOf(int64_t value);
  static int64_t LowestAt(int index);
  static int64_t HighestAt(int index);

 private:
  std::array<std::atomic<uint64_t>, kCountsLen> counts_{};
  std::atomic<uint64_t> total_{0};
};

}  // namespace sessionkv::server

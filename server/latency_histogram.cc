// SPDX-License-Identifier: Apache-2.0
#include "server/latency_histogram.h"

#include <algorithm>
#include <bit>

namespace sessionkv::server {

int LatencyHistogram::IndexOf(int64_t value) {
  const uint64_t v = static_cast<uint64_t>(std::clamp(value, int64_t{0}, kHighest));
  // The bucket is how far past the first 256 values v reaches, in powers of two.
  const int bucket =
      std::bit_width(v | (2 * kSubBucketHalfCount - 1)) - (kSubBucketHalfCountMagnitude + 1);
  const int sub_bucket = static_cast<int>(v >> bucket);
  return ((bucket + 1) << kSubBucketHalfCountMagnitude) + (sub_bucket - kSubBucketHalfCount);
}

int64_t LatencyHistogram::LowestAt(int index) {
  int bucket = (index >> kSubBucketHalfCountMagnitude) - 1;
  int64_t sub_bucket = (index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (bucket < 0) {
    sub_bucket -= kSubBucketHalfCount;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

int64_t LatencyHistogram::HighestAt(int index) {
  const int bucket = std::max((index >> kSubBucketHalfCountMagnitude) - 1, 0);
  return LowestAt(index) + (int64_t{1} << bucket) - 1;
}

void LatencyHistogram::Record(int64_t nanos) {
  counts_[IndexOf(std::clamp(nanos, kLowest, kHighest))].fetch_add(1, std::memory_order_relaxed);
  total_.fetch_add(1, std::memory_order_relaxed);
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  const double requested = std::min(percentile, 100.0);
  const uint64_t total = count();
  const uint64_t wanted = std::max<uint64_t>(
      static_cast<uint64_t>(requested / 100 * static_cast<double>(total) + 0.5), 1);
  uint64_t seen = 0;
  for (int i = 0; i < kCountsLen; ++i) {
    seen += counts_[i].load(std::memory_order_relaxed);
    if (seen >= wanted) return percentile == 0.0 ? LowestAt(i) : HighestAt(i);
  }
  return 0;
}

std::vector<std::pair<int64_t, uint64_t>> LatencyHistogram::PowerOfTwoCdf() const {
  std::vector<std::pair<int64_t, uint64_t>> out;
  const uint64_t total = count();
  uint64_t cumulative = 0, previous = 0;
  int index = 0;  // counters [0, index) are summed into cumulative
  for (int64_t bound = 1024; total > 0 && cumulative < total && bound <= 2 * kHighest; bound *= 2) {
    const int end = IndexOf(bound) + 1;  // the calls up to the end of `bound`'s sub-bucket, as hdr_iter_log
    for (; index < end && index < kCountsLen; ++index) cumulative += counts_[index].load(std::memory_order_relaxed);
    if (cumulative > previous) out.emplace_back(HighestAt(end - 1) / 1000, cumulative);
    previous = cumulative;
  }
  return out;
}

void LatencyHistogram::Reset() {
  for (auto& c : counts_) c.store(0, std::memory_order_relaxed);
  total_.store(0, std::memory_order_relaxed);
}

}  // namespace sessionkv::server

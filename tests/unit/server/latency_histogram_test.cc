// SPDX-License-Identifier: Apache-2.0
// LatencyHistogram reproduces the buckets and percentile rule of the HdrHistogram Redis records
// command latencies into; the expected values are what redis-server 7 prints in INFO latencystats.
#include "server/latency_histogram.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace sessionkv::server {
namespace {

TEST(LatencyHistogramTest, BucketsMatchHdrWithTwoSignificantDigits) {
  // Below 256 ns every value is its own bucket.
  for (int64_t v : {0, 1, 2, 100, 255}) {
    const int i = LatencyHistogram::IndexOf(v);
    EXPECT_EQ(LatencyHistogram::LowestAt(i), v);
    EXPECT_EQ(LatencyHistogram::HighestAt(i), v);
  }
  // Then buckets 2, 4, 8 ... ns wide: what Redis prints for calls of 1, 2, 8 and 20 µs.
  const std::pair<int64_t, int64_t> cases[] = {
      {256, 257},   {257, 257},   {511, 511},     {512, 515},     {1000, 1003},    {2000, 2007},
      {3000, 3007}, {8000, 8031}, {20000, 20095}, {48000, 48127}, {149500, 149503}};
  for (const auto& [value, highest] : cases) {
    const int i = LatencyHistogram::IndexOf(value);
    EXPECT_LE(LatencyHistogram::LowestAt(i), value) << value;
    EXPECT_EQ(LatencyHistogram::HighestAt(i), highest) << value;
    EXPECT_EQ(LatencyHistogram::IndexOf(LatencyHistogram::HighestAt(i)), i) << value;
    EXPECT_EQ(LatencyHistogram::IndexOf(LatencyHistogram::HighestAt(i) + 1), i + 1) << value;
  }
  // The last bucket holds the highest trackable value (and everything clamped to it).
  const int last = LatencyHistogram::IndexOf(LatencyHistogram::kHighest);
  EXPECT_LT(last, LatencyHistogram::kCountsLen);
  EXPECT_EQ(LatencyHistogram::HighestAt(last), 1002438655);
}

TEST(LatencyHistogramTest, PercentilesAreTheTopOfTheirBucket) {
  LatencyHistogram h;
  EXPECT_EQ(h.ValueAtPercentile(50), 0);
  for (int i = 0; i < 98; ++i) h.Record(1000);
  h.Record(2000);
  h.Record(8000);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.ValueAtPercentile(50), 1003);
  EXPECT_EQ(h.ValueAtPercentile(98), 1003);
  EXPECT_EQ(h.ValueAtPercentile(99), 2007);
  EXPECT_EQ(h.ValueAtPercentile(99.9), 8031);
  EXPECT_EQ(h.ValueAtPercentile(100), 8031);
  EXPECT_EQ(h.ValueAtPercentile(250), 8031);  // capped at 100
  EXPECT_EQ(h.ValueAtPercentile(0), 1000);    // p0 is the lowest equivalent value
}

TEST(LatencyHistogramTest, OutOfRangeDurationsAreClamped) {
  LatencyHistogram h;
  h.Record(0);  // a call under a microsecond: Redis prints p50=0.001
  EXPECT_EQ(h.ValueAtPercentile(50), 1);
  h.Reset();
  EXPECT_EQ(h.count(), 0u);
  h.Record(int64_t{60} * 1000000000);  // a minute counts as a second
  EXPECT_EQ(h.ValueAtPercentile(50),
            LatencyHistogram::HighestAt(LatencyHistogram::IndexOf(1000000000)));
}

TEST(LatencyHistogramTest, ConcurrentRecordsAreAllCounted) {
  LatencyHistogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 10000; ++i) h.Record(1000 * (t + 1));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(h.count(), 40000u);
  EXPECT_EQ(h.ValueAtPercentile(25), 1003);
  EXPECT_EQ(h.ValueAtPercentile(100), 4015);
}

}  // namespace
}  // namespace sessionkv::server

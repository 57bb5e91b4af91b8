// SPDX-License-Identifier: Apache-2.0
#include "benchmarks/load/histogram.h"

#include "benchmarks/load/runner.h"
#include "gtest/gtest.h"

namespace sessionkv::bench {
namespace {

TEST(HistogramTest, BucketsCoverEveryValueWithinTheirPrecision) {
  for (uint64_t v : {0ull, 1ull, 255ull, 256ull, 257ull, 1000ull, 123456789ull, 1ull << 40, ~0ull}) {
    const int i = Histogram::Index(v);
    ASSERT_GE(i, 0);
    ASSERT_LT(i, Histogram::kBuckets);
    EXPECT_GE(Histogram::BucketHighest(i), v);
    EXPECT_LE(static_cast<double>(Histogram::BucketHighest(i) - v), v / 128.0 + 0.5) << v;
  }
  EXPECT_EQ(Histogram::BucketHighest(Histogram::Index(200)), 200u);  // exact below 256
}

TEST(HistogramTest, PercentilesOfAUniformSpread) {
  Histogram h;
  for (uint64_t v = 1; v <= 100000; ++v) h.Record(v * 1000);  // 1 us .. 100 ms
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_NEAR(static_cast<double>(h.Percentile(0.5)), 50e6, 50e6 * 0.01);
  EXPECT_NEAR(static_cast<double>(h.Percentile(0.99)), 99e6, 99e6 * 0.01);
  EXPECT_NEAR(static_cast<double>(h.Percentile(0.999)), 99.9e6, 99.9e6 * 0.01);
  EXPECT_EQ(h.Percentile(1.0), 100000u * 1000);
  EXPECT_EQ(h.min(), 1000u);
  EXPECT_NEAR(h.mean(), 50000.5 * 1000, 1);
}

TEST(HistogramTest, MergeAddsCounts) {
  Histogram a, b;
  for (int i = 0; i < 99; ++i) a.Record(200);  // exact below 256
  b.Record(5'000'000);
  a.Merge(b);
  EXPECT_EQ(a.count(), 100u);
  EXPECT_EQ(a.Percentile(0.99), 200u);
  EXPECT_EQ(a.Percentile(0.999), a.max());
  EXPECT_EQ(a.max(), 5'000'000u);
}

TEST(OptionsTest, ParsesTheCommandLine) {
  const char* argv[] = {"sessionkv-bench", "--port", "7001", "--pods=2", "--connections-per-pod", "3",
                        "--repository", "indexed", "--mix", "new=1,login=1,logout=1", "--rate", "500",
                        "--requests", "1000", "--pipeline", "4", "--resp", "3", "--seed", "9",
                        "--session-bytes", "600-2000", "--quiet"};
  auto o = ParseArgs(sizeof(argv) / sizeof(argv[0]), argv);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->port, 7001);
  EXPECT_EQ(o->pods, 2);
  EXPECT_EQ(o->connections_per_pod, 3);
  EXPECT_EQ(o->workload.repository, Repository::kIndexed);
  EXPECT_EQ(o->workload.mix.login, 1);
  EXPECT_EQ(o->rate, 500);
  EXPECT_EQ(o->requests, 1000u);
  EXPECT_EQ(o->pipeline, 4);
  EXPECT_EQ(o->resp, client::RespVersion::kResp3);
  EXPECT_EQ(o->seed, 9u);
  EXPECT_EQ(o->workload.min_session_bytes, 600u);
  EXPECT_FALSE(o->progress);
  const char* bad[] = {"sessionkv-bench", "--repository", "reactive"};
  EXPECT_FALSE(ParseArgs(3, bad).ok());
  const char* unknown[] = {"sessionkv-bench", "--frobnicate", "1"};
  EXPECT_FALSE(ParseArgs(3, unknown).ok());
  const char* help[] = {"sessionkv-bench", "--help"};
  EXPECT_EQ(ParseArgs(2, help).status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace sessionkv::bench

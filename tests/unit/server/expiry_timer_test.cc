// SPDX-License-Identifier: Apache-2.0
// The expiry timer's wait: from now until the first microsecond at which a key is due (no real timers here;
// the delay actually achieved is measured by benchmarks/expiry_delay.py, never asserted).
#include "server/expiry_timer.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace sessionkv::server {
namespace {

constexpr int64_t kDeadlineMs = 1'700'000'000'123;
constexpr int64_t kHourUs = 3'600'000'000;

TEST(ExpiryWaitUs, WaitsForTheFirstMicrosecondPastTheDeadlineMillisecond) {
  // now > deadline on the millisecond clock first holds at deadline + 1 ms, 0 us.
  EXPECT_EQ(ExpiryWaitUs(kDeadlineMs, kDeadlineMs * 1000 - 5'000), 6'000);
  EXPECT_EQ(ExpiryWaitUs(kDeadlineMs, kDeadlineMs * 1000 - 5'250), 6'250);
  EXPECT_EQ(ExpiryWaitUs(kDeadlineMs, kDeadlineMs * 1000), 1'000);
  EXPECT_EQ(ExpiryWaitUs(kDeadlineMs, kDeadlineMs * 1000 + 999), 1);
}

TEST(ExpiryWaitUs, DueKeysNeedNoWait) {
  EXPECT_EQ(ExpiryWaitUs(kDeadlineMs, (kDeadlineMs + 1) * 1000), 0);
  EXPECT_EQ(ExpiryWaitUs(kDeadlineMs, (kDeadlineMs + 60'000) * 1000), 0);
}

TEST(ExpiryWaitUs, FarDeadlinesWaitAtMostAnHour) {
  const int64_t now_us = kDeadlineMs * 1000;
  EXPECT_EQ(ExpiryWaitUs(kDeadlineMs + 3'599'998, now_us), kHourUs - 1'000);
  EXPECT_EQ(ExpiryWaitUs(kDeadlineMs + 3'600'000, now_us), kHourUs);
  EXPECT_EQ(ExpiryWaitUs(kDeadlineMs + 86'400'000, now_us), kHourUs);
  EXPECT_EQ(ExpiryWaitUs(INT64_MAX, now_us), kHourUs);  // PEXPIREAT near INT64_MAX must not overflow
}

}  // namespace
}  // namespace sessionkv::server

// SPDX-License-Identifier: Apache-2.0
// The monotonic clock as plain integers, for durations and budgets (never for deadlines users see:
// those are wall-clock milliseconds, storage/clock.h).
#pragma once

#include <chrono>
#include <cstdint>

namespace sessionkv {

inline int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline int64_t SteadyMillis() { return SteadyMicros() / 1000; }

}  // namespace sessionkv

// SPDX-License-Identifier: Apache-2.0
#include "server/memory.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_format.h"
#include "base/alloc.h"
#include "base/strings.h"

namespace sessionkv::server {

namespace {
uint64_t (*engine_source)(const void*) = nullptr;
const void* engine_arg = nullptr;
}  // namespace

void SetEngineMemorySource(uint64_t (*source)(const void*), const void* arg) {
  engine_arg = arg;
  engine_source = source;
}

uint64_t EngineMemory() { return engine_source != nullptr ? engine_source(engine_arg) : 0; }

uint64_t UsedMemory() {
  const uint64_t all = AllocatedBytes();
  const uint64_t engine = EngineMemory();
  return all > engine ? all - engine : 0;
}

uint64_t UpdatePeakMemory(std::atomic<uint64_t>& peak, uint64_t used) {
  uint64_t seen = peak.load(std::memory_order_relaxed);
  while (used > seen && !peak.compare_exchange_weak(seen, used, std::memory_order_relaxed)) {
  }
  return std::max(seen, used);
}

uint64_t ResidentMemory() {
  long pages = 0, resident = 0;  // NOLINT(runtime/int): statm's format
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  const int n = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<uint64_t>(resident) * sysconf(_SC_PAGESIZE) : 0;
}

std::string BytesToHuman(uint64_t n) {
  static constexpr const char* kUnits[] = {"K", "M", "G", "T", "P"};
  if (n < 1024) return StrCat(n, "B");
  double v = static_cast<double>(n);
  for (const char* unit : kUnits) {
    v /= 1024;
    if (v < 1024 || unit == kUnits[4]) return absl::StrFormat("%.2f%s", v, unit);
  }
  return StrCat(n, "B");
}

}  // namespace sessionkv::server

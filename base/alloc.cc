// SPDX-License-Identifier: Apache-2.0
#include "base/alloc.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define SESSIONKV_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SESSIONKV_ASAN 1
#endif
#endif

#ifdef SESSIONKV_ASAN
// From the sanitizer runtime (sanitizer/allocator_interface.h, which GCC does not install).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace sessionkv {

#ifndef SESSIONKV_ASAN
namespace {

// One counter per thread and cache line, so allocating threads never contend for a line. The first
// kSlots - 1 threads to allocate each own a slot and update it with a plain load and store (no
// locked instruction); any later thread shares the last slot, with atomic adds. A block freed by
// another thread than the one that allocated it makes one slot go down and another up; the sum over
// the slots is the total. A thread's slot outlives it (its count is still part of the total).
constexpr unsigned kSlots = 64;
struct alignas(64) Slot {
  std::atomic<int64_t> bytes{0};
};
// Constant-initialized: operator new runs before any dynamic initializer.
constinit Slot g_slots[kSlots];
constinit std::atomic<unsigned> g_next_slot{0};
constinit thread_local int t_slot = -1;

void Count(int64_t delta) {
  if (t_slot < 0) {
    t_slot =
        static_cast<int>(std::min(g_next_slot.fetch_add(1, std::memory_order_relaxed), kSlots - 1));
  }
  std::atomic<int64_t>& bytes = g_slots[t_slot].bytes;
  if (t_slot < static_cast<int>(kSlots) - 1) {
    bytes.store(bytes.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  } else {
    bytes.fetch_add(delta, std::memory_order_relaxed);
  }
}

void* CountingAlloc(std::size_t size) {
  if (size == 0) size = 1;
  while (true) {
    if (void* p = std::malloc(size)) {
      Count(static_cast<int64_t>(malloc_usable_size(p)));
      return p;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void CountingFree(void* p) noexcept {
  if (p == nullptr) return;
  Count(-static_cast<int64_t>(malloc_usable_size(p)));
  std::free(p);
}

}  // namespace

void* CountedRealloc(void* old, size_t bytes) {
  const int64_t old_size = old == nullptr ? 0 : static_cast<int64_t>(malloc_usable_size(old));
  void* p = std::realloc(old, bytes == 0 ? 1 : bytes);
  if (p == nullptr) throw std::bad_alloc();
  Count(static_cast<int64_t>(malloc_usable_size(p)) - old_size);
  return p;
}

void CountedFree(void* p) noexcept { CountingFree(p); }

uint64_t AllocatedBytes() {
  int64_t total = 0;
  for (const Slot& slot : g_slots) total += slot.bytes.load(std::memory_order_relaxed);
  return total > 0 ? static_cast<uint64_t>(total) : 0;
}
#else
void* CountedRealloc(void* old, size_t bytes) {
  void* p = std::realloc(old, bytes == 0 ? 1 : bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void CountedFree(void* p) noexcept { std::free(p); }

uint64_t AllocatedBytes() { return __sanitizer_get_current_allocated_bytes(); }
#endif

}  // namespace sessionkv

#ifndef SESSIONKV_ASAN
// The replaceable allocation functions ([new.delete]). The array, nothrow and sized forms of the
// standard library forward to these two; the over-aligned forms are left alone (they allocate and
// free with aligned_alloc / free on their own and are neither counted nor uncounted).
void* operator new(std::size_t size) { return sessionkv::CountingAlloc(size); }
void operator delete(void* p) noexcept { sessionkv::CountingFree(p); }
void operator delete(void* p, std::size_t) noexcept { sessionkv::CountingFree(p); }
#endif

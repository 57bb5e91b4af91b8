// SPDX-License-Identifier: Apache-2.0
// Counted allocation: what INFO's used_memory and maxmemory measure (Redis's zmalloc_used_memory()).
//
// glibc keeps no cheap counter of the bytes it holds for the program: mallinfo2() walks every free
// chunk with the arena locks held (tens of milliseconds on a heap fragmented by expiring sessions,
// stalling every thread that allocates meanwhile), far too slow to call before each write. So
// alloc.cc replaces the global operator new / delete with versions that count malloc_usable_size()
// into per-thread slots, as Redis 7.2's zmalloc counts per thread, and offers the same counting for
// code that wants realloc (storage's contiguous buffers grow and shrink in place). Under
// AddressSanitizer, which has its own allocator and counter, the operator replacement is left out
// (ASan keeps its new/delete mismatch checks) and the sanitizer's count is used.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sessionkv {

// malloc/realloc/free that count the bytes like operator new does. CountedRealloc(nullptr, n)
// allocates; both throw std::bad_alloc when memory is exhausted, never return nullptr for n > 0.
void* CountedRealloc(void* old, size_t bytes);
void CountedFree(void* p) noexcept;

// Bytes currently allocated through operator new and the functions above. Cheap: sums a few dozen
// counters; safe from any thread.
uint64_t AllocatedBytes();

}  // namespace sessionkv

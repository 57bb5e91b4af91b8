// SPDX-License-Identifier: Apache-2.0
// Process memory as INFO memory reports it and as maxmemory compares it.
//
// used_memory is what Redis calls zmalloc_used_memory(): the bytes the allocator currently holds
// for the server's allocations. glibc keeps no cheap counter for that: mallinfo2() walks every free
// chunk with the arena locks held (tens of milliseconds on a heap fragmented by expiring sessions,
// stalling every thread that allocates meanwhile), far too slow to call before each write. So
// memory.cc replaces the global operator new / delete with versions that count malloc_usable_size()
// into per-thread slots, as Redis 7.2's zmalloc counts per thread. Under AddressSanitizer, which
// has its own allocator and counter, the replacement is left out (ASan keeps its new/delete
// mismatch checks) and the sanitizer's count is used.
#pragma once

#include <cstdint>
#include <string>

namespace sessionkv::server {

// Bytes currently allocated through operator new (all of the server's containers and values).
// Cheap: sums a few dozen counters; safe from any thread.
uint64_t UsedMemory();
// Resident set size of the process (/proc/self/statm), 0 if unreadable.
uint64_t ResidentMemory();
// Redis's bytesToHuman: "512B", "1.50K", "2.00M", ...
std::string BytesToHuman(uint64_t bytes);

}  // namespace sessionkv::server

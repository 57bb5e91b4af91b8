// SPDX-License-Identifier: Apache-2.0
// Process memory as INFO memory reports it and as maxmemory compares it.
//
// (base/alloc.h explains how used_memory is counted.)
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace sessionkv::server {

// used_memory: the bytes currently allocated (base/alloc.h), less what the persistence engine holds
// (RocksDB's memtables and block cache: the counterpart of the AOF's page cache, which Redis does not
// count either). Cheap; safe from any thread.
uint64_t UsedMemory();
// The bytes the persistence engine holds, as its source reports them (0 without one).
uint64_t EngineMemory();
// Installs the source of EngineMemory (a cheap, thread-safe call); before serving, once.
void SetEngineMemorySource(uint64_t (*source)(const void*), const void* arg);
// used_memory_peak: raises `peak` to `used` if that is higher; returns the new peak.
uint64_t UpdatePeakMemory(std::atomic<uint64_t>& peak, uint64_t used);
// Resident set size of the process (/proc/self/statm), 0 if unreadable.
uint64_t ResidentMemory();
// Redis's bytesToHuman: "512B", "1.50K", "2.00M", ...
std::string BytesToHuman(uint64_t bytes);

}  // namespace sessionkv::server

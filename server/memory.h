// SPDX-License-Identifier: Apache-2.0
// Process memory as INFO memory reports it and as maxmemory compares it.
//
// (base/alloc.h explains how used_memory is counted.)
#pragma once

#include <cstdint>
#include <string>

namespace sessionkv::server {

// used_memory: the bytes currently allocated (base/alloc.h). Cheap; safe from any thread.
uint64_t UsedMemory();
// Resident set size of the process (/proc/self/statm), 0 if unreadable.
uint64_t ResidentMemory();
// Redis's bytesToHuman: "512B", "1.50K", "2.00M", ...
std::string BytesToHuman(uint64_t bytes);

}  // namespace sessionkv::server

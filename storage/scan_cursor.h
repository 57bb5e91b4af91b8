// SPDX-License-Identifier: Apache-2.0
// Redis's reverse-binary SCAN cursor, shared by every power-of-two table that SCAN-family commands
// walk (storage/dict.h explains why it survives resizes).
#pragma once

#include <cstdint>

namespace sessionkv::storage {

// Reverses the bits of v (Redis's rev()).
inline uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}

// The cursor after `cursor` in a table whose bucket index is `cursor & mask`: set the bits above
// the mask, reverse, add one, reverse (Redis's dictScan). 0 means the scan is complete.
inline uint64_t NextScanCursor(uint64_t cursor, uint64_t mask) {
  cursor |= ~mask;
  cursor = ReverseBits(cursor);
  ++cursor;
  return ReverseBits(cursor);
}

}  // namespace sessionkv::storage

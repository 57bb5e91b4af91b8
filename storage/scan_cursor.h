// SPDX-License-Identifier: Apache-2.0
// Redis's reverse-binary SCAN cursor for power-of-two hash tables (dictScan): the cursor counts
// with its bits reversed, so a table that grows or shrinks between calls never skips a bucket that
// an earlier call had not yet reached. Every element present for the whole scan is returned at
// least once; some may repeat.
#pragma once

#include <cstdint>

namespace sessionkv::storage {

inline uint64_t ReverseBits64(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
  v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
  return (v >> 32) | (v << 32);
}

// The cursor after the bucket `cursor & mask` of a table with mask + 1 buckets: set the bits above
// the mask, reverse, add one, reverse back. 0 means the scan is complete.
inline uint64_t NextScanCursor(uint64_t cursor, uint64_t mask) {
  cursor |= ~mask;
  cursor = ReverseBits64(cursor);
  ++cursor;
  return ReverseBits64(cursor);
}

}  // namespace sessionkv::storage

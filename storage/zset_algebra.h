// SPDX-License-Identifier: Apache-2.0
// Union, intersection and difference of sorted sets (ZUNION, ZINTER, ZDIFF, their STORE forms and
// ZINTERCARD), following Redis 7's zunionInterDiffGenericCommand: plain sets take part with every
// member scoring 1, a missing key is an empty input, each input's scores are multiplied by its
// weight, and equal members combine by SUM, MIN or MAX. A product or a sum that is NaN (0 * inf,
// inf + -inf) counts as 0, as in Redis.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/set_value.h"
#include "storage/zset_value.h"

namespace sessionkv::storage {

// One input: a sorted set, a set, or neither (a missing key).
struct ZSource {
  const ZSetValue* zset = nullptr;
  const SetValue* set = nullptr;
  double weight = 1;

  size_t size() const;
  // The member's unweighted score (1 in a set), if present.
  bool Find(std::string_view member, double* score) const;
};

enum class ZSetOp : uint8_t { kUnion, kInter, kDiff };
enum class ZAggregate : uint8_t { kSum, kMin, kMax };

// The result of `op` over `sources` (weights are ignored by kDiff), in no particular order: feed it
// to ZSetValue::FromEntries, or sort it for a reply.
std::vector<ZSetValue::Entry> CombineZSets(ZSetOp op, std::vector<ZSource> sources,
                                           ZAggregate aggregate);
// The size of the intersection, counting stops at `limit` when limit > 0 (ZINTERCARD).
size_t IntersectionSize(std::vector<ZSource> sources, size_t limit);

}  // namespace sessionkv::storage

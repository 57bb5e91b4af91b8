// SPDX-License-Identifier: Apache-2.0
// Placeholder for the zset type: holds its place in storage::Value until its family lands (issue 3).
// No command creates one yet.
#pragma once

#include <cstddef>
#include <string_view>

#include "storage/value_type.h"

namespace sessionkv::storage {

class ZSetValue {
 public:
  static constexpr ValueType kType = ValueType::kZSet;
  std::string_view EncodingName() const { return "none"; }
  size_t HeapBytes() const { return 0; }
};

}  // namespace sessionkv::storage

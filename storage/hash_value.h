// SPDX-License-Identifier: Apache-2.0
// Placeholder for the hash type: holds its place in storage::Value until its family lands (issue 3).
// No command creates one yet.
#pragma once

#include <cstddef>
#include <string_view>

#include "storage/value_type.h"

namespace sessionkv::storage {

class HashValue {
 public:
  static constexpr ValueType kType = ValueType::kHash;
  std::string_view EncodingName() const { return "none"; }
  size_t HeapBytes() const { return 0; }
};

}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>

namespace sessionkv::storage {

// Redis's type names, in the order of Redis's OBJ_* constants (persisted and replicated later: append only).
enum class ValueType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

std::string_view TypeName(ValueType type);

}  // namespace sessionkv::storage

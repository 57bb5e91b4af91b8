// SPDX-License-Identifier: Apache-2.0
// Redis's glob-style pattern matching (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE): '*', '?', '[abc]', '[^a]',
// '[a-z]', and '\' escapes.
#pragma once

#include <string_view>

namespace sessionkv::storage {

// True if `str` matches `pattern`. Iterative with a single backtrack point (the last '*'), so time is at
// most O(|pattern| * |str|) and there is no recursion for hostile patterns such as "*a*a*a...*b"
// (CVE-2022-36021, CVE-2024-31228 were stack and time blow-ups in recursive matchers).
bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace sessionkv::storage

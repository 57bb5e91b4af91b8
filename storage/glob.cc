// SPDX-License-Identifier: Apache-2.0
#include "storage/glob.h"

namespace sessionkv::storage {

namespace {

char Fold(char c, bool nocase) { return nocase && c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Matches one character against the bracket expression starting after '[' at pattern[p]. Sets `end` to the
// index just past the closing ']' (or the end of the pattern when unterminated, as Redis treats it).
bool MatchBracket(std::string_view pattern, size_t p, char c, bool nocase, size_t* end) {
  bool negate = false;
  if (p < pattern.size() && pattern[p] == '^') {
    negate = true;
    ++p;
  }
  bool matched = false;
  c = Fold(c, nocase);
  while (p < pattern.size() && pattern[p] != ']') {
    if (pattern[p] == '\\' && p + 1 < pattern.size()) {
      ++p;
      if (Fold(pattern[p], nocase) == c) matched = true;
      ++p;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
      char lo = Fold(pattern[p], nocase), hi = Fold(pattern[p + 2], nocase);
      if (lo > hi) std::swap(lo, hi);
      if (c >= lo && c <= hi) matched = true;
      p += 3;
    } else {
      if (Fold(pattern[p], nocase) == c) matched = true;
      ++p;
    }
  }
  // Redis stops at the end of an unterminated class and treats what it read as the class.
  *end = p < pattern.size() ? p + 1 : p;
  return matched != negate;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  size_t p = 0, s = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (s < str.size()) {
    if (p < pattern.size()) {
      const char pc = pattern[p];
      if (pc == '*') {
        while (p < pattern.size() && pattern[p] == '*') ++p;  // "**" is "*"
        if (p == pattern.size()) return true;
        star_p = p;
        star_s = s;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++s;
        continue;
      }
      if (pc == '[') {
        size_t end;
        if (MatchBracket(pattern, p + 1, str[s], nocase, &end)) {
          p = end;
          ++s;
          continue;
        }
      } else {
        char want = pc;
        size_t next = p + 1;
        if (pc == '\\' && p + 1 < pattern.size()) {
          want = pattern[p + 1];
          next = p + 2;
        }
        if (Fold(want, nocase) == Fold(str[s], nocase)) {
          p = next;
          ++s;
          continue;
        }
      }
    }
    // Mismatch: let the last '*' swallow one more character, or fail if there was none.
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    s = ++star_s;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace sessionkv::storage

// SPDX-License-Identifier: Apache-2.0
#include "storage/glob.h"

#include <chrono>
#include <string>

#include "gtest/gtest.h"

namespace sessionkv::storage {
namespace {

TEST(GlobTest, RedisPatterns) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_FALSE(GlobMatch("h?llo", "hllo"));
  EXPECT_TRUE(GlobMatch("h*llo", "heeeello"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[ae]llo", "hillo"));
  EXPECT_TRUE(GlobMatch("h[^e]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(GlobMatch("h[b-a]llo", "hallo")) << "reversed ranges work as in Redis";
  EXPECT_TRUE(GlobMatch("h\\*llo", "h*llo"));
  EXPECT_FALSE(GlobMatch("h\\*llo", "hello"));
  EXPECT_TRUE(GlobMatch("spring:session:event:0:created:*", "spring:session:event:0:created:abc"));
  EXPECT_TRUE(GlobMatch("__keyevent@*__:expired", "__keyevent@0__:expired"));
  EXPECT_FALSE(GlobMatch("a*b", "a"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXbYc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXbY"));
  EXPECT_TRUE(GlobMatch("[[]", "["));
  EXPECT_FALSE(GlobMatch("a[", "a")) << "an unterminated class still needs a character (as Redis)";
  EXPECT_TRUE(GlobMatch("a[b", "ab"));
}

TEST(GlobTest, NoCase) {
  EXPECT_TRUE(GlobMatch("NOTIFY-*", "notify-keyspace-events", /*nocase=*/true));
  EXPECT_FALSE(GlobMatch("NOTIFY-*", "notify-keyspace-events"));
  EXPECT_TRUE(GlobMatch("[A-Z]x", "qX", true));
}

TEST(GlobTest, HostilePatternsFinishFast) {
  std::string pattern;
  for (int i = 0; i < 5000; ++i) pattern += "*a";
  pattern += "b";
  const std::string key(10000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch(pattern, key));
  std::string brackets = "*";
  for (int i = 0; i < 3000; ++i) brackets += "a]";
  brackets += "*c";
  EXPECT_FALSE(GlobMatch(brackets, key));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace sessionkv::storage

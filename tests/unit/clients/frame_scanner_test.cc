// SPDX-License-Identifier: Apache-2.0
#include "clients/frame_scanner.h"

#include "gtest/gtest.h"

namespace sessionkv::client {
namespace {

// Every reply shape, each fed whole and then split at every byte boundary (the scan resumes).
const char* const kReplies[] = {
    "+OK\r\n",
    "-ERR x\r\n",
    ":-12\r\n",
    "$-1\r\n",
    "$0\r\n\r\n",
    "$5\r\na\r\nbc\r\n",  // a body holding CRLF is skipped by length, not searched
    "*-1\r\n",
    "*0\r\n",
    "*3\r\n$1\r\na\r\n*2\r\n:1\r\n_\r\n+x\r\n",
    "%2\r\n$1\r\nk\r\n~1\r\n,1.5\r\n$1\r\nj\r\n#t\r\n",
    ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$0\r\n\r\n",
    "|1\r\n+ttl\r\n:3\r\n$2\r\nhi\r\n",  // an attribute, then the reply it annotates
    "=8\r\ntxt:abcd\r\n",
    "!3\r\nERR\r\n",
    "(123456789012345678901234567890\r\n",
};

TEST(FrameScannerTest, FindsTheEndOfEveryShapeAtEverySplit) {
  for (const char* r : kReplies) {
    const std::string reply(r);
    const std::string input = reply + "+NEXT\r\n";
    FrameScanner whole;
    auto n = whole.Scan(input);
    ASSERT_TRUE(n.ok()) << reply;
    EXPECT_EQ(*n, reply.size()) << reply;
    for (size_t split = 0; split < reply.size(); ++split) {
      FrameScanner s;
      auto partial = s.Scan(std::string_view(input).substr(0, split));
      ASSERT_TRUE(partial.ok()) << reply << " at " << split;
      EXPECT_EQ(*partial, 0u) << reply << " at " << split;
      auto rest = s.Scan(input);
      ASSERT_TRUE(rest.ok());
      EXPECT_EQ(*rest, reply.size()) << reply << " at " << split;
    }
  }
}

TEST(FrameScannerTest, ResetStartsTheNextReply) {
  const std::string input = ":1\r\n:2\r\n";
  FrameScanner s;
  EXPECT_EQ(*s.Scan(input), 4u);
  s.Reset();
  EXPECT_EQ(*s.Scan(std::string_view(input).substr(4)), 4u);
}

TEST(FrameScannerTest, MalformedHeadersAreDataLoss) {
  for (const char* bad : {"?x\r\n", "$abc\r\n", "*-2\r\n", "\r\n", "$1x\r\n"}) {
    FrameScanner s;
    auto n = s.Scan(bad);
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.status().code(), absl::StatusCode::kDataLoss) << bad;
  }
}

}  // namespace
}  // namespace sessionkv::client

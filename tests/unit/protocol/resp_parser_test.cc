// SPDX-License-Identifier: Apache-2.0
#include "protocol/resp_parser.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sessionkv::protocol {
namespace {

using Args = std::vector<std::string>;

// What parsing a byte stream produces: the requests, and the error that ended it (if any).
struct Outcome {
  std::vector<Args> requests;
  std::string error;
  bool operator==(const Outcome&) const = default;
};

// Feeds `stream` to a parser in pieces of the given sizes (the last piece repeats), the way a connection
// would: unconsumed bytes stay at the front of the buffer.
Outcome Feed(const std::string& stream, size_t piece, const ParserLimits& limits = {}) {
  RequestParser parser(limits);
  Outcome out;
  std::string buffer;
  size_t fed = 0;
  while (true) {
    ParseResult r = parser.Parse(buffer);
    if (r == ParseResult::kRequest) {
      if (!parser.args().empty()) out.requests.emplace_back(parser.args().begin(), parser.args().end());
      buffer.erase(0, parser.consumed());
      continue;
    }
    if (r == ParseResult::kError) {
      out.error = std::string(parser.error());
      return out;
    }
    if (fed == stream.size()) return out;
    const size_t n = std::min(piece, stream.size() - fed);
    buffer.append(stream, fed, n);
    fed += n;
  }
}

Outcome ParseAll(const std::string& stream) { return Feed(stream, stream.size() + 1); }

TEST(RespParserTest, MultibulkAndInline) {
  Outcome o = ParseAll("*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n*1\r\n$4\r\nPING\r\n");
  ASSERT_EQ(o.requests.size(), 3u);
  EXPECT_EQ(o.requests[0], (Args{"GET", "k"}));
  EXPECT_EQ(o.requests[1], (Args{"PING"}));
  EXPECT_EQ(o.requests[2], (Args{"PING"}));
  EXPECT_EQ(o.error, "");
}

TEST(RespParserTest, EveryByteBoundaryGivesTheSameRequests) {
  const std::string stream = std::string("*3\r\n$3\r\nSET\r\n$5\r\nk\0\r\ny\r\n$0\r\n\r\n", 30) +
                             "SET \"a b\" 'c d' \"\\x41\\n\"\r\n\r\n*0\r\n*-1\r\nPING\n" +
                             "*2\r\n$4\r\nECHO\r\n$11\r\n*1\r\n$1\r\n$\r\n\r\n";
  const Outcome whole = ParseAll(stream);
  ASSERT_EQ(whole.error, "");
  ASSERT_EQ(whole.requests.size(), 4u);
  EXPECT_EQ(whole.requests[0], (Args{"SET", std::string("k\0\r\ny", 5), ""}));
  EXPECT_EQ(whole.requests[1], (Args{"SET", "a b", "c d", "A\n"}));
  EXPECT_EQ(whole.requests[2], (Args{"PING"}));
  EXPECT_EQ(whole.requests[3], (Args{"ECHO", "*1\r\n$1\r\n$\r\n"}));
  for (size_t piece = 1; piece <= stream.size(); ++piece) {
    EXPECT_EQ(Feed(stream, piece), whole) << "pieces of " << piece;
  }
}

TEST(RespParserTest, TenThousandPipelinedRequests) {
  std::string stream;
  for (int i = 0; i < 10000; ++i) stream += "*2\r\n$4\r\nINCR\r\n$" + std::to_string(std::to_string(i).size()) +
                                         "\r\n" + std::to_string(i) + "\r\n";
  const Outcome o = ParseAll(stream);
  ASSERT_EQ(o.requests.size(), 10000u);
  EXPECT_EQ(o.requests[9999], (Args{"INCR", "9999"}));
}

TEST(RespParserTest, ProtocolErrorsUseRedisTexts) {
  EXPECT_EQ(ParseAll("*3000000000\r\n").error, "Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseAll("*1048577\r\n").error, "Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseAll("*abc\r\n").error, "Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseAll("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n").error, "Protocol error: expected '$', got 'f'");
  EXPECT_EQ(ParseAll("*1\r\nfoo\r\n").error, "Protocol error: expected '$', got 'f'");
  EXPECT_EQ(ParseAll("*1\r\n$-10\r\n").error, "Protocol error: invalid bulk length");
  EXPECT_EQ(ParseAll("*1\r\n$2000000000\r\n").error, "Protocol error: invalid bulk length");
  EXPECT_EQ(ParseAll("*1\r\n$blabla\r\n").error, "Protocol error: invalid bulk length");
  EXPECT_EQ(ParseAll("set \"\"\"test-key\"\"\" test-value\r\n").error,
            "Protocol error: unbalanced quotes in request");
  EXPECT_EQ(ParseAll("get \"unterminated\r\n").error, "Protocol error: unbalanced quotes in request");
  EXPECT_EQ(ParseAll(std::string(70000, 'x')).error, "Protocol error: too big inline request");
  EXPECT_EQ(ParseAll("*" + std::string(70000, '1')).error, "Protocol error: too big mbulk count string");
  EXPECT_EQ(ParseAll("*1\r\n$" + std::string(70000, '1')).error, "Protocol error: too big bulk count string");
}

TEST(RespParserTest, LimitsAreConfigurable) {
  ParserLimits limits;
  limits.max_bulk_len = 10;
  EXPECT_EQ(Feed("*1\r\n$11\r\n", 100, limits).error, "Protocol error: invalid bulk length");
  EXPECT_EQ(Feed("*1\r\n$10\r\n0123456789\r\n", 100, limits).requests.size(), 1u);
}

TEST(RespParserTest, UnauthenticatedClientsGetSmallLimits) {
  ParserLimits limits;
  limits.authenticated = false;
  EXPECT_EQ(Feed("*11\r\n", 100, limits).error, "Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(Feed("*1\r\n$16385\r\n", 100, limits).error, "Protocol error: unauthenticated bulk length");
  EXPECT_EQ(Feed("*1\r\n$4\r\nPING\r\n", 100, limits).requests.size(), 1u);
}

TEST(RespParserTest, EmptyRequestsAreSkipped) {
  const Outcome o = ParseAll("\r\n\n*0\r\n*-10\r\n   \r\nPING\r\n");
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_EQ(o.requests[0], (Args{"PING"}));
}

TEST(RespParserTest, HugeClaimedCountNeedsNoMemoryUpFront) {
  RequestParser parser;
  EXPECT_EQ(parser.Parse("*1048576\r\n"), ParseResult::kNeedMore);
}

TEST(RespParserTest, BytesHintAnnouncesABigBulk) {
  RequestParser parser;
  EXPECT_EQ(parser.Parse("*1\r\n$1000000\r\nabc"), ParseResult::kNeedMore);
  EXPECT_EQ(parser.bytes_hint(), 4u + 10u + 1000000u + 2u);
}

TEST(SplitInlineArgsTest, RedisCliQuoting) {
  std::vector<std::string> out;
  ASSERT_TRUE(SplitInlineArgs("  a  'b c' \"d\\te\" \"\\x00\\xff\" 'it\\'s'", &out));
  EXPECT_EQ(out, (std::vector<std::string>{"a", "b c", "d\te", std::string("\0\xff", 2), "it's"}));
  EXPECT_FALSE(SplitInlineArgs("\"a\"b", &out));
  EXPECT_FALSE(SplitInlineArgs("'a'b", &out));
  ASSERT_TRUE(SplitInlineArgs("", &out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace sessionkv::protocol

// SPDX-License-Identifier: Apache-2.0
// The expiry commands (server/commands/expire.cc) in process, on a FakeClock: exact deadlines, TTL
// rounding, NX/XX/GT/LT, overflow checks, and deletion versus expiry.
#include <string>

#include "gtest/gtest.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

// Stores a string key directly in the keyspace (no other family needed).
void Put(CommandHarness& h, const std::string& key) {
  h.db(0).Overwrite(key, storage::Value::String("v"));
}

std::string Int(int64_t v) { return ":" + std::to_string(v) + "\r\n"; }

TEST(ExpireTest, RelativeAndAbsoluteDeadlines) {
  CommandHarness h;
  const int64_t now = h.clock().NowMs();
  Put(h, "k");
  EXPECT_EQ(h.RunRaw({"EXPIRE", "k", "100"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIRETIME", "k"}), Int(now + 100000));
  EXPECT_EQ(h.RunRaw({"PTTL", "k"}), ":100000\r\n");
  EXPECT_EQ(h.RunRaw({"TTL", "k"}), ":100\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIRE", "k", "2500"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIRETIME", "k"}), Int(now + 2500));
  EXPECT_EQ(h.RunRaw({"EXPIREAT", "k", std::to_string(now / 1000 + 60)}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIRETIME", "k"}), Int((now / 1000 + 60) * 1000));
  EXPECT_EQ(h.RunRaw({"PEXPIREAT", "k", std::to_string(now + 1234)}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"PTTL", "k"}), ":1234\r\n");
}

TEST(ExpireTest, SecondsRoundToNearest) {
  CommandHarness h;
  const int64_t now = h.clock().NowMs();  // a whole second
  Put(h, "k");
  h.Run({"PEXPIRE", "k", "1500"});
  EXPECT_EQ(h.RunRaw({"TTL", "k"}), ":2\r\n");
  h.Run({"PEXPIRE", "k", "1499"});
  EXPECT_EQ(h.RunRaw({"TTL", "k"}), ":1\r\n");
  h.Run({"PEXPIREAT", "k", std::to_string(now + 700)});
  EXPECT_EQ(h.RunRaw({"EXPIRETIME", "k"}), Int(now / 1000 + 1));
  h.Run({"PEXPIREAT", "k", "9223372036854775807"});
  EXPECT_EQ(h.RunRaw({"EXPIRETIME", "k"}), ":9223372036854776\r\n") << "no overflow in rounding";
  EXPECT_EQ(h.RunRaw({"PEXPIRETIME", "k"}), ":9223372036854775807\r\n");
}

TEST(ExpireTest, MissingAndPersistentKeys) {
  CommandHarness h;
  for (std::string cmd : {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
    EXPECT_EQ(h.RunRaw({cmd, "nope"}), ":-2\r\n") << cmd;
  }
  Put(h, "k");
  for (std::string cmd : {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
    EXPECT_EQ(h.RunRaw({cmd, "k"}), ":-1\r\n") << cmd;
  }
  EXPECT_EQ(h.RunRaw({"PEXPIRE", "nope", "100"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIRE", "nope", "0"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"EXISTS", "nope"}), ":0\r\n") << "nothing created";
  EXPECT_EQ(h.RunRaw({"PERSIST", "k"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"PERSIST", "nope"}), ":0\r\n");
  h.Run({"EXPIRE", "k", "10"});
  EXPECT_EQ(h.RunRaw({"PERSIST", "k"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"TTL", "k"}), ":-1\r\n");
  EXPECT_EQ(h.db(0).ExpiresCount(), 0u);
}

TEST(ExpireTest, PastDeadlineDeletesWithoutCountingAnExpiry) {
  CommandHarness h;
  const int64_t now = h.clock().NowMs();
  const std::vector<std::vector<std::string>> cases = {
      {"EXPIRE", "k", "0"},          {"EXPIRE", "k", "-1"},
      {"PEXPIRE", "k", "0"},         {"EXPIREAT", "k", "1"},
      {"PEXPIREAT", "k", std::to_string(now)},
      {"PEXPIREAT", "k", "-9223372036854770000"},
      {"PEXPIRE", "k", "-9223372036854775808"}};
  for (const auto& args : cases) {
    Put(h, "k");
    EXPECT_EQ(h.RunRaw(args), ":1\r\n") << args[0] << " " << args[2];
    EXPECT_EQ(h.RunRaw({"EXISTS", "k"}), ":0\r\n") << args[0] << " " << args[2];
  }
  EXPECT_EQ(h.keyspace().stats().expired_keys.load(), 0u);
}

TEST(ExpireTest, LazyAndActiveExpiry) {
  CommandHarness h;
  Put(h, "lazy");
  Put(h, "active");
  h.Run({"PEXPIRE", "lazy", "100"});
  h.Run({"PEXPIRE", "active", "200"});
  h.clock().Advance(100);
  EXPECT_EQ(h.RunRaw({"PTTL", "lazy"}), ":0\r\n") << "due now, gone only once the clock passes";
  h.clock().Advance(1);
  EXPECT_EQ(h.RunRaw({"PTTL", "lazy"}), ":-2\r\n");
  EXPECT_EQ(h.keyspace().stats().expired_keys.load(), 1u);
  EXPECT_EQ(h.ExpireDue(), 0u);
  h.clock().Advance(100);
  EXPECT_EQ(h.ExpireDue(), 1u);
  EXPECT_EQ(h.RunRaw({"DBSIZE"}), ":0\r\n");
  EXPECT_EQ(h.keyspace().stats().expired_keys.load(), 2u);
}

TEST(ExpireTest, NxXxGtLt) {
  CommandHarness h;
  const int64_t now = h.clock().NowMs();
  const std::string t = std::to_string(now + 10000);
  Put(h, "k");
  EXPECT_EQ(h.RunRaw({"PEXPIREAT", "k", t, "XX"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIREAT", "k", t, "GT"}), ":0\r\n") << "no TTL = infinite";
  EXPECT_EQ(h.RunRaw({"PEXPIREAT", "k", t, "NX"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIREAT", "k", t, "nx"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIREAT", "k", t, "GT"}), ":0\r\n") << "equal is not greater";
  EXPECT_EQ(h.RunRaw({"PEXPIREAT", "k", t, "LT"}), ":0\r\n") << "equal is not less";
  EXPECT_EQ(h.RunRaw({"PEXPIREAT", "k", std::to_string(now + 20000), "gt", "xx"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIREAT", "k", t, "LT"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIRETIME", "k"}), Int(now + 10000));
  EXPECT_EQ(h.RunRaw({"PEXPIRE", "k", "-1", "GT"}), ":0\r\n");
  EXPECT_EQ(h.RunRaw({"EXISTS", "k"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIRE", "k", "-1", "LT"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"EXISTS", "k"}), ":0\r\n");
  Put(h, "p");
  EXPECT_EQ(h.RunRaw({"EXPIRE", "p", "100", "LT"}), ":1\r\n") << "no TTL = infinite";
}

TEST(ExpireTest, OptionErrorsComeFirst) {
  CommandHarness h;
  const std::string nx = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
  const std::string gtlt = "-ERR GT and LT options at the same time are not compatible\r\n";
  EXPECT_EQ(h.RunRaw({"EXPIRE", "k", "1", "NX", "XX"}), nx);
  EXPECT_EQ(h.RunRaw({"PEXPIRE", "k", "abc", "LT", "NX"}), nx);
  EXPECT_EQ(h.RunRaw({"EXPIREAT", "k", "1", "GT", "LT"}), gtlt);
  EXPECT_EQ(h.RunRaw({"PEXPIREAT", "k", "abc", "foo", "NX", "XX"}),
            "-ERR Unsupported option foo\r\n");
  EXPECT_EQ(h.RunRaw({"EXPIRE", "k", "abc"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.RunRaw({"EXPIRE", "k", ""}), "-ERR value is not an integer or out of range\r\n");
}

TEST(ExpireTest, OverflowIsAnInvalidExpireTime) {
  CommandHarness h;
  Put(h, "k");
  EXPECT_EQ(h.RunRaw({"EXPIRE", "k", "9223372036854776"}),
            "-ERR invalid expire time in 'expire' command\r\n");
  EXPECT_EQ(h.RunRaw({"EXPIRE", "k", "-9223372036854776"}),
            "-ERR invalid expire time in 'expire' command\r\n");
  EXPECT_EQ(h.RunRaw({"EXPIRE", "nope", "9223370399119966"}),
            "-ERR invalid expire time in 'expire' command\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIRE", "k", "9223372036854770000"}),
            "-ERR invalid expire time in 'pexpire' command\r\n");
  EXPECT_EQ(h.RunRaw({"EXPIREAT", "k", "9223372036854776"}),
            "-ERR invalid expire time in 'expireat' command\r\n");
  EXPECT_EQ(h.RunRaw({"EXPIREAT", "k", "9223372036854775"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"PEXPIRETIME", "k"}), ":9223372036854775000\r\n");
}

TEST(ExpireTest, Resp3RepliesAreIntegers) {
  CommandHarness h(protocol::RespVersion::kResp3);
  Put(h, "k");
  EXPECT_EQ(h.RunRaw({"EXPIRE", "k", "5"}), ":1\r\n");
  EXPECT_EQ(h.RunRaw({"TTL", "k"}), ":5\r\n");
  EXPECT_EQ(h.RunRaw({"PERSIST", "k"}), ":1\r\n");
}

}  // namespace
}  // namespace sessionkv::testing

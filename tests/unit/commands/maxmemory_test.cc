// SPDX-License-Identifier: Apache-2.0
// maxmemory through the dispatcher (server/eviction.h): eviction before commands under each kind of
// policy, -OOM once nothing is left to evict (and inside MULTI), WATCH and scripts, the eviction
// parameters of CONFIG, the INFO fields, and OBJECT FREQ / IDLETIME / REFCOUNT under LRU and LFU
// policies. The harness process is the server, so "maxmemory 1" means always over the limit.
// tests/integration/test_eviction.py checks the same under a real write load, against Redis too.
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

using protocol::RespValue;
using protocol::RespVersion;
using Type = protocol::RespValue::Type;

constexpr std::string_view kOom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

class MaxmemoryTest : public ::testing::TestWithParam<RespVersion> {
 protected:
  MaxmemoryTest() : h_(GetParam()) {}
  ~MaxmemoryTest() override { h_.Run({"CONFIG", "SET", "maxmemory", "0"}); }

  void Config(const std::string& name, const std::string& value) {
    ASSERT_EQ(h_.Run({"CONFIG", "SET", name, value}).str, "OK") << name << " " << value;
  }
  std::string Field(const std::string& section, const std::string& name) {
    const std::string text = h_.Run({"INFO", section}).str;
    const size_t at = text.find("\r\n" + name + ":");
    if (at == std::string::npos) return "<missing>";
    const size_t begin = at + name.size() + 3;
    return text.substr(begin, text.find('\r', begin) - begin);
  }
  int64_t DbSize() { return h_.Run({"DBSIZE"}).integer; }

  CommandHarness h_;
};

INSTANTIATE_TEST_SUITE_P(Resp, MaxmemoryTest, ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) { return info.param == RespVersion::kResp2 ? "Resp2" : "Resp3"; });

TEST_P(MaxmemoryTest, EvictionParametersHaveRedisDefaultsAndBounds) {
  const std::vector<std::pair<std::string, std::string>> defaults = {
      {"maxmemory-policy", "noeviction"}, {"maxmemory-samples", "5"},
      {"maxmemory-eviction-tenacity", "10"}, {"lfu-log-factor", "10"}, {"lfu-decay-time", "1"}};
  for (const auto& [name, value] : defaults) {
    const RespValue v = h_.Run({"CONFIG", "GET", name});
    ASSERT_EQ(v.elements.size(), 2u) << name;
    EXPECT_EQ(v.elements[1].str, value) << name;
  }
  for (const char* policy : {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                             "allkeys-lfu", "allkeys-random", "noeviction"}) {
    Config("maxmemory-policy", policy);
    EXPECT_EQ(Field("memory", "maxmemory_policy"), policy);
  }
  const std::string between = "argument must be between ";
  const std::vector<std::array<std::string, 3>> refusals = {
      {"maxmemory-samples", "0", between + "1 and 2147483647 inclusive"},
      {"maxmemory-eviction-tenacity", "101", between + "0 and 100 inclusive"},
      {"lfu-log-factor", "-1", between + "0 and 2147483647 inclusive"},
      {"lfu-decay-time", "x", "argument couldn't be parsed into an integer"}};
  for (const auto& [name, value, reason] : refusals) {
    EXPECT_EQ(h_.RunRaw({"CONFIG", "SET", name, value}),
              "-ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason + "\r\n");
  }
}

TEST_P(MaxmemoryTest, AllkeysPoliciesEvictEverythingBeforeRefusingWrites) {
  for (const char* policy : {"allkeys-lru", "allkeys-lfu", "allkeys-random"}) {
    SCOPED_TRACE(policy);
    Config("maxmemory", "0");
    h_.Run({"FLUSHALL"});
    for (int i = 0; i < 10; ++i) {
      std::vector<std::string> set = {"SET", "k" + std::to_string(i), "v"};
      if (i % 2) set.insert(set.end(), {"EX", "100"});
      ASSERT_EQ(h_.Run(set).str, "OK");
    }
    h_.Run({"SELECT", "5"});
    h_.Run({"SET", "other-db", "v"});
    h_.Run({"SELECT", "0"});
    Config("maxmemory-policy", policy);
    const int64_t before = std::stoll(Field("stats", "evicted_keys"));
    Config("maxmemory", "1");
    // The next command evicts first: every key of every database goes, and memory is still over.
    EXPECT_EQ(DbSize(), 0);
    EXPECT_EQ(std::stoll(Field("stats", "evicted_keys")) - before, 11);
    EXPECT_EQ(h_.RunRaw({"SET", "new", "v"}), kOom);
    EXPECT_EQ(h_.Run({"GET", "k1"}).type, Type::kNull) << "reads are still served";
  }
}

TEST_P(MaxmemoryTest, VolatilePoliciesEvictOnlyKeysWithDeadline) {
  for (const char* policy : {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}) {
    SCOPED_TRACE(policy);
    Config("maxmemory", "0");
    h_.Run({"FLUSHALL"});
    for (int i = 0; i < 6; ++i) h_.Run({"SET", "plain" + std::to_string(i), "v"});
    for (int i = 0; i < 6; ++i) h_.Run({"SET", "ttl" + std::to_string(i), "v", "PX", std::to_string(100000 + i)});
    Config("maxmemory-policy", policy);
    Config("maxmemory", "1");
    EXPECT_EQ(DbSize(), 6);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(h_.Run({"EXISTS", "plain" + std::to_string(i)}).integer, 1);
    EXPECT_EQ(h_.RunRaw({"SET", "plain0", "w"}), kOom) << "nothing evictable left";
  }
}

TEST_P(MaxmemoryTest, WritesSucceedWhileEvictionMakesRoom) {
  Config("maxmemory-policy", "allkeys-lru");
  const std::string value(10'000, 'x');
  for (int i = 0; i < 300; ++i) h_.Run({"SET", "k" + std::to_string(i), value});
  // A limit about a megabyte under what is used now: the next writes evict old keys and go through.
  h_.clock().Advance(10'000);  // the new keys are more recent than the old ones (LRU counts seconds)
  const int64_t used = std::stoll(Field("memory", "used_memory"));
  Config("maxmemory", std::to_string(used - 1'000'000));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(h_.RunRaw({"SET", "new" + std::to_string(i), value}), "+OK\r\n");
  const int64_t evicted = std::stoll(Field("stats", "evicted_keys"));
  EXPECT_GE(evicted, 100) << "a megabyte plus the new values is over a hundred 10 KB keys";
  EXPECT_LE(evicted, 200);
  EXPECT_EQ(DbSize(), 350 - evicted);
  EXPECT_LE(std::stoll(Field("memory", "used_memory")), used - 1'000'000 + 100'000);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(h_.Run({"EXISTS", "new" + std::to_string(i)}).integer, 1) << i;
  EXPECT_EQ(Field("stats", "current_eviction_exceeded_time"), "0");
}

TEST_P(MaxmemoryTest, InsideMultiOnlyExecDiscardQuitAndResetEscapeOom) {
  h_.Run({"SET", "k", "v"});
  Config("maxmemory", "1");  // noeviction
  EXPECT_EQ(h_.Run({"MULTI"}).str, "OK");
  EXPECT_EQ(h_.RunRaw({"GET", "k"}), kOom) << "queueing takes memory too";
  EXPECT_EQ(h_.RunRaw({"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(h_.Run({"MULTI"}).str, "OK");
  EXPECT_EQ(h_.Run({"DISCARD"}).str, "OK");
  EXPECT_EQ(h_.Run({"MULTI"}).str, "OK");
  EXPECT_EQ(h_.Run({"EXEC"}).elements.size(), 0u);
  // EXEC is refused as its queued writes would be; with only reads queued it runs.
  server::ClientState& admin = h_.AddClient();
  auto admin_config = [&](const std::string& value) {
    ASSERT_EQ(h_.RunAs(admin, {"CONFIG", "SET", "maxmemory", value}).str, "OK");
  };
  admin_config("0");
  EXPECT_EQ(h_.Run({"MULTI"}).str, "OK");
  EXPECT_EQ(h_.Run({"SET", "k", "w"}).str, "QUEUED");
  admin_config("1");
  EXPECT_EQ(h_.RunRaw({"EXEC"}),
            "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > "
            "'maxmemory'.\r\n");
  admin_config("0");
  EXPECT_EQ(h_.Run({"MULTI"}).str, "OK");
  EXPECT_EQ(h_.Run({"GET", "k"}).str, "QUEUED");
  admin_config("1");
  EXPECT_EQ(h_.RunRaw({"EXEC"}), "*1\r\n$1\r\nv\r\n");
}

TEST_P(MaxmemoryTest, AnEvictedWatchedKeyFailsTheTransaction) {
  h_.Run({"SET", "k", "v"});
  EXPECT_EQ(h_.Run({"WATCH", "k"}).str, "OK");
  Config("maxmemory-policy", "allkeys-random");
  Config("maxmemory", "1");
  EXPECT_EQ(h_.Run({"MULTI"}).str, "OK");  // evicts k first
  EXPECT_EQ(h_.RunRaw({"EXEC"}), GetParam() == RespVersion::kResp2 ? "*-1\r\n" : "_\r\n");
  EXPECT_EQ(Field("stats", "evicted_keys"), "1");
}

TEST_P(MaxmemoryTest, ScriptsMayNotStartWritingWhenNothingCanBeEvicted) {
  Config("maxmemory", "1");
  const RespValue refused = h_.Run({"EVAL", "return redis.call('set', 'x', '1')", "0"});
  ASSERT_EQ(refused.type, Type::kError);
  EXPECT_EQ(refused.str.rfind("OOM command not allowed when used memory > 'maxmemory'.", 0), 0u) << refused.str;
  EXPECT_EQ(h_.Run({"EVAL", "return redis.call('get', 'x')", "0"}).type, Type::kNull);
}

TEST_P(MaxmemoryTest, StatsResetAndInfoFields) {
  EXPECT_EQ(Field("memory", "mem_not_counted_for_evict"), "0");
  EXPECT_EQ(Field("stats", "total_eviction_exceeded_time"), "0");
  EXPECT_EQ(Field("stats", "current_eviction_exceeded_time"), "0");
  h_.Run({"SET", "k", "v"});
  Config("maxmemory-policy", "allkeys-lru");
  Config("maxmemory", "1");
  EXPECT_EQ(DbSize(), 0);
  EXPECT_EQ(Field("stats", "evicted_keys"), "1");
  EXPECT_NE(Field("stats", "current_eviction_exceeded_time"), "<missing>");
  Config("maxmemory", "0");
  EXPECT_EQ(h_.Run({"CONFIG", "RESETSTAT"}).str, "OK");
  EXPECT_EQ(Field("stats", "evicted_keys"), "0");
  EXPECT_EQ(Field("stats", "total_eviction_exceeded_time"), "0");
}

TEST_P(MaxmemoryTest, ObjectFreqAndIdleTimeFollowThePolicy) {
  h_.Run({"SET", "k", "v"});
  const std::string not_lfu =
      "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when "
      "switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n";
  EXPECT_EQ(h_.RunRaw({"OBJECT", "FREQ", "k"}), not_lfu);
  EXPECT_EQ(h_.Run({"OBJECT", "IDLETIME", "k"}).integer, 0);
  Config("maxmemory-policy", "allkeys-lfu");
  EXPECT_EQ(h_.RunRaw({"OBJECT", "IDLETIME", "k"}),
            "-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching "
            "between policies at runtime LRU and LFU data will take some time to adjust.\r\n");
  EXPECT_EQ(h_.Run({"OBJECT", "FREQ", "nokey"}).type, Type::kNull);
  EXPECT_EQ(h_.Run({"OBJECT", "IDLETIME", "nokey"}).type, Type::kNull);
  h_.Run({"SET", "fresh", "v"});
  EXPECT_EQ(h_.Run({"OBJECT", "FREQ", "fresh"}).integer, 5) << "Redis's LFU_INIT_VAL";
  Config("lfu-log-factor", "0");  // every access counts
  h_.Run({"GET", "fresh"});
  EXPECT_EQ(h_.Run({"OBJECT", "FREQ", "fresh"}).integer, 6) << "OBJECT itself is no access";
  h_.Run({"SET", "fresh", "w"});
  EXPECT_EQ(h_.Run({"OBJECT", "FREQ", "fresh"}).integer, 7) << "an overwrite counts and keeps the counter";
  h_.clock().Advance(3 * 60'000);
  EXPECT_EQ(h_.Run({"OBJECT", "FREQ", "fresh"}).integer, 4) << "one less per lfu-decay-time minute";
  Config("lfu-decay-time", "0");
  EXPECT_EQ(h_.Run({"OBJECT", "FREQ", "fresh"}).integer, 7);
  Config("maxmemory-policy", "volatile-lru");
  EXPECT_EQ(h_.RunRaw({"OBJECT", "FREQ", "fresh"}), not_lfu);
}

TEST_P(MaxmemoryTest, SmallIntegersAreNotSharedUnderLruOrLfuWithMaxmemory) {
  h_.Run({"SET", "n", "5"});
  const int64_t shared = std::numeric_limits<int>::max();
  EXPECT_EQ(h_.Run({"OBJECT", "REFCOUNT", "n"}).integer, shared);
  Config("maxmemory-policy", "allkeys-lru");
  EXPECT_EQ(h_.Run({"OBJECT", "REFCOUNT", "n"}).integer, shared) << "no maxmemory: no clock needed";
  Config("maxmemory", "1gb");
  EXPECT_EQ(h_.Run({"OBJECT", "REFCOUNT", "n"}).integer, 1);
  Config("maxmemory-policy", "allkeys-random");
  EXPECT_EQ(h_.Run({"OBJECT", "REFCOUNT", "n"}).integer, shared);
}

}  // namespace
}  // namespace sessionkv::testing

// SPDX-License-Identifier: Apache-2.0
// sessionkv-bench's workload: every request kind's command sequence as spring-session-wire.md lists it
// (2.1 default repository, 2.2 / 2.5 indexed), and the JDK-serialized value shapes (1.2).
#include "benchmarks/load/workload.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sessionkv::bench {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kNow = 1'700'000'012'345;

std::vector<std::string> Names(const Request& r) {
  std::vector<std::string> names;
  for (const Command& c : r.commands) names.push_back(c[0]);
  return names;
}

Workload Make(Repository repo, size_t sessions = 4) {
  WorkloadOptions o;
  o.repository = repo;
  return Workload(o, sessions, 42);
}

// The value of `field` in an HMSET command, or "" if absent.
std::string Field(const Command& hmset, std::string_view field) {
  for (size_t i = 2; i + 1 < hmset.size(); i += 2) {
    if (hmset[i] == field) return hmset[i + 1];
  }
  return "";
}

TEST(JdkValuesTest, ShapesMatchJdkSerialization) {
  const std::string l = JdkLong(kNow);
  EXPECT_EQ(l.size(), 82u);
  EXPECT_EQ(l.substr(0, 4), std::string("\xac\xed\x00\x05", 4));
  EXPECT_NE(l.find("java.lang.Long"), std::string::npos);
  EXPECT_NE(l.find("java.lang.Number"), std::string::npos);
  EXPECT_EQ(l.substr(74), std::string("\x00\x00\x01\x8b\xcf\xe5\x98\x39", 8));  // 1700000012345 big-endian
  const std::string i = JdkInteger(1800);
  EXPECT_EQ(i.size(), 81u);
  EXPECT_EQ(i.substr(77), std::string("\x00\x00\x07\x08", 4));
  EXPECT_EQ(JdkString("ab"), std::string("\xac\xed\x00\x05t\x00\x02" "ab", 9));
  const std::string obj = JdkObject("com.example.X", 500, 7);
  EXPECT_EQ(obj.size(), 500u);
  EXPECT_EQ(obj.substr(0, 6), std::string("\xac\xed\x00\x05\x73\x72", 6));
  EXPECT_NE(obj.find('\0', 30), std::string::npos);  // binary, with NULs
  EXPECT_EQ(JdkObject("com.example.X", 500, 7), obj);  // deterministic per seed
}

TEST(WorkloadTest, DefaultNewSessionIsHmsetOfEveryFieldThenPexpireat) {
  Workload w = Make(Repository::kDefault);
  Request r;
  w.Populate(0, kNow, &r);
  EXPECT_EQ(r.kind, RequestKind::kNew);
  ASSERT_THAT(Names(r), ElementsAre("HMSET", "PEXPIREAT"));
  const Command& hmset = r.commands[0];
  ASSERT_THAT(hmset[1], ::testing::StartsWith("spring:session:sessions:"));
  const std::string id = hmset[1].substr(24);
  EXPECT_EQ(id.size(), 36u);  // a UUID
  EXPECT_EQ(id.find(':'), std::string::npos);
  EXPECT_EQ(hmset[2], "creationTime");
  EXPECT_EQ(Field(hmset, "creationTime"), JdkLong(kNow));
  EXPECT_EQ(Field(hmset, "maxInactiveInterval"), JdkInteger(1800));
  EXPECT_EQ(Field(hmset, "lastAccessedTime"), JdkLong(kNow));
  size_t bytes = 0;
  for (size_t i = 2; i < hmset.size(); ++i) bytes += hmset[i].size();
  EXPECT_GE(bytes, 480u);
  EXPECT_LE(bytes, 4096u);
  EXPECT_THAT(r.commands[1], ElementsAre("PEXPIREAT", hmset[1], std::to_string(kNow + 1'800'000)));
  EXPECT_EQ(w.live_sessions(), 1u);
}

TEST(WorkloadTest, DefaultAccessIsHgetallExistsHmsetPexpireat) {
  Workload w = Make(Repository::kDefault);
  Request r;
  w.Populate(1, kNow, &r);
  const std::string key = r.commands[0][1];
  w.Make(RequestKind::kAccess, 1, kNow + 5000, &r);
  EXPECT_EQ(r.kind, RequestKind::kAccess);
  ASSERT_EQ(r.commands.size(), 4u);
  EXPECT_THAT(r.commands[0], ElementsAre("HGETALL", key));
  EXPECT_THAT(r.commands[1], ElementsAre("EXISTS", key));
  EXPECT_THAT(r.commands[2], ElementsAre("HMSET", key, "lastAccessedTime", JdkLong(kNow + 5000)));
  EXPECT_THAT(r.commands[3], ElementsAre("PEXPIREAT", key, std::to_string(kNow + 5000 + 1'800'000)));
}

TEST(WorkloadTest, DefaultLoginRenamesAndStoresTheSecurityContext) {
  Workload w = Make(Repository::kDefault);
  Request r;
  w.Populate(0, kNow, &r);
  const std::string old_key = r.commands[0][1];
  w.Make(RequestKind::kLogin, 0, kNow + 1000, &r);
  EXPECT_EQ(r.kind, RequestKind::kLogin);
  ASSERT_THAT(Names(r), ElementsAre("HGETALL", "EXISTS", "RENAME", "HMSET", "PEXPIREAT"));
  EXPECT_EQ(r.commands[1][1], old_key);
  EXPECT_EQ(r.commands[2][1], old_key);
  const std::string new_key = r.commands[2][2];
  EXPECT_NE(new_key, old_key);
  EXPECT_EQ(r.commands[3][1], new_key);
  EXPECT_EQ(r.commands[3][2], "lastAccessedTime");
  EXPECT_EQ(r.commands[3][4], "sessionAttr:SPRING_SECURITY_CONTEXT");
  // The next access uses the new id; a second login of the same user is a plain access.
  w.Make(RequestKind::kLogin, 0, kNow + 2000, &r);
  EXPECT_EQ(r.kind, RequestKind::kAccess);
  EXPECT_EQ(r.commands[0][1], new_key);
}

TEST(WorkloadTest, DefaultLogoutDeletesAndTheNextRequestCreates) {
  Workload w = Make(Repository::kDefault);
  Request r;
  w.Populate(0, kNow, &r);
  const std::string key = r.commands[0][1];
  w.Make(RequestKind::kLogout, 0, kNow, &r);
  EXPECT_THAT(Names(r), ElementsAre("HGETALL", "DEL"));
  EXPECT_THAT(r.commands[1], ElementsAre("DEL", key));
  EXPECT_EQ(w.live_sessions(), 0u);
  w.Make(RequestKind::kAccess, 0, kNow, &r);
  EXPECT_EQ(r.kind, RequestKind::kNew);
}

TEST(WorkloadTest, IndexedNewSessionPublishesAndSetsShadowKeyAndBucket) {
  Workload w = Make(Repository::kIndexed);
  Request r;
  w.Populate(0, kNow, &r);
  ASSERT_THAT(Names(r), ElementsAre("HMSET", "PUBLISH", "APPEND", "PEXPIRE", "PEXPIRE", "PEXPIRE", "SADD"));
  const std::string id = r.commands[0][1].substr(24);
  const int64_t minute = Workload::ExpiryMinute(kNow, 1800);
  EXPECT_EQ(minute % 60'000, 0);
  EXPECT_GT(minute, kNow + 1'800'000);
  EXPECT_EQ(r.commands[1][1], "spring:session:event:0:created:" + id);
  EXPECT_THAT(r.commands[2], ElementsAre("APPEND", "spring:session:sessions:expires:" + id, ""));
  EXPECT_THAT(r.commands[3], ElementsAre("PEXPIRE", "spring:session:sessions:expires:" + id, "1800000"));
  EXPECT_THAT(r.commands[4], ElementsAre("PEXPIRE", "spring:session:sessions:" + id, "2100000"));
  const std::string bucket = "spring:session:expirations:" + std::to_string(minute);
  EXPECT_THAT(r.commands[5], ElementsAre("PEXPIRE", bucket, "2100000"));
  EXPECT_THAT(r.commands[6], ElementsAre("SADD", bucket, JdkString("expires:" + id)));
}

TEST(WorkloadTest, IndexedAccessIsTheSequenceOfSection25) {
  Workload w = Make(Repository::kIndexed);
  Request r;
  w.Populate(0, kNow, &r);
  const std::string id = r.commands[0][1].substr(24);
  // Within the same expiry minute: no SREM.
  const int64_t same_minute = kNow + 1;
  ASSERT_EQ(Workload::ExpiryMinute(same_minute, 1800), Workload::ExpiryMinute(kNow, 1800));
  w.Make(RequestKind::kAccess, 0, same_minute, &r);
  EXPECT_THAT(Names(r), ElementsAre("HGETALL", "HMSET", "APPEND", "PEXPIRE", "PEXPIRE", "PEXPIRE", "SADD"));
  // A minute later the session moves buckets: SREM of the old one comes before the new bucket's PEXPIRE.
  const int64_t later = kNow + 61'000;
  w.Make(RequestKind::kAccess, 0, later, &r);
  ASSERT_THAT(Names(r),
              ElementsAre("HGETALL", "HMSET", "APPEND", "PEXPIRE", "PEXPIRE", "SREM", "PEXPIRE", "SADD"));
  EXPECT_THAT(r.commands[5], ElementsAre("SREM", "spring:session:expirations:" +
                                                     std::to_string(Workload::ExpiryMinute(same_minute, 1800)),
                                         JdkString("expires:" + id)));
  EXPECT_EQ(r.commands[6][1], "spring:session:expirations:" + std::to_string(Workload::ExpiryMinute(later, 1800)));
}

TEST(WorkloadTest, IndexedLoginRenamesBothKeysAndIndexesThePrincipal) {
  Workload w = Make(Repository::kIndexed);
  Request r;
  w.Populate(0, kNow, &r);
  const std::string old_id = r.commands[0][1].substr(24);
  w.Make(RequestKind::kLogin, 0, kNow + 1, &r);
  ASSERT_THAT(Names(r), ElementsAre("HGETALL", "RENAME", "RENAME", "HGETALL", "HMSET", "SADD", "APPEND",
                                    "PEXPIRE", "PEXPIRE", "PEXPIRE", "SADD"));
  const std::string new_id = r.commands[1][2].substr(24);
  EXPECT_THAT(r.commands[2], ElementsAre("RENAME", "spring:session:sessions:expires:" + old_id,
                                         "spring:session:sessions:expires:" + new_id));
  EXPECT_THAT(r.commands[3], ElementsAre("HGETALL", "spring:session:sessions:" + old_id));
  EXPECT_THAT(r.commands[5][1], ::testing::StartsWith(
                                    "spring:session:index:org.springframework.session."
                                    "FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME:user"));
  EXPECT_EQ(r.commands[5][2], JdkString(new_id));
}

TEST(WorkloadTest, IndexedLogoutRemovesIndexAndShadowKeyAndKeepsTheHashFiveMinutes) {
  Workload w = Make(Repository::kIndexed);
  Request r;
  w.Populate(0, kNow, &r);
  w.Make(RequestKind::kLogin, 0, kNow + 1, &r);
  const std::string id = r.commands[1][2].substr(24);
  const std::string principal_key = r.commands[5][1];
  w.Make(RequestKind::kLogout, 0, kNow + 2, &r);
  ASSERT_THAT(Names(r), ElementsAre("HGETALL", "HGETALL", "SREM", "HGETALL", "SREM", "DEL", "HMSET", "DEL",
                                    "PEXPIRE", "SREM", "PEXPIRE", "SADD"));
  EXPECT_THAT(r.commands[2], ElementsAre("SREM", principal_key, JdkString(id)));
  EXPECT_THAT(r.commands[5], ElementsAre("DEL", "spring:session:sessions:expires:" + id));
  EXPECT_THAT(r.commands[6], ElementsAre("HMSET", "spring:session:sessions:" + id, "maxInactiveInterval",
                                         JdkInteger(0)));
  EXPECT_THAT(r.commands[8], ElementsAre("PEXPIRE", "spring:session:sessions:" + id, "300000"));
  EXPECT_EQ(w.live_sessions(), 0u);
}

TEST(WorkloadTest, MixDecidesTheKinds) {
  WorkloadOptions o;
  o.mix = {100, 0, 0};
  Workload all_new(o, 10, 1);
  Request r;
  for (int i = 0; i < 20; ++i) {
    all_new.Next(kNow, &r);
    EXPECT_EQ(r.kind, RequestKind::kNew);
  }
  o.mix = {0, 0, 0};
  Workload access(o, 10, 1);
  for (size_t s = 0; s < 10; ++s) access.Populate(s, kNow, &r);
  for (int i = 0; i < 20; ++i) {
    access.Next(kNow, &r);
    EXPECT_EQ(r.kind, RequestKind::kAccess);
  }
}

TEST(WorkloadTest, SameSeedSameRequests) {
  Workload a = Make(Repository::kIndexed, 100), b = Make(Repository::kIndexed, 100);
  Request ra, rb;
  for (int i = 0; i < 200; ++i) {
    a.Next(kNow + i, &ra);
    b.Next(kNow + i, &rb);
    ASSERT_EQ(ra.commands, rb.commands);
  }
}

TEST(WorkloadTest, SessionSizesSpanTheConfiguredRange) {
  WorkloadOptions o;
  o.min_session_bytes = 512;
  o.max_session_bytes = 4096;
  Workload w(o, 500, 3);
  Request r;
  size_t smallest = SIZE_MAX, largest = 0;
  for (size_t s = 0; s < 500; ++s) {
    w.Populate(s, kNow, &r);
    size_t bytes = 0;
    for (size_t i = 2; i < r.commands[0].size(); ++i) bytes += r.commands[0][i].size();
    smallest = std::min(smallest, bytes);
    largest = std::max(largest, bytes);
  }
  EXPECT_LT(smallest, 700u);
  EXPECT_GT(largest, 3000u);
  EXPECT_LE(largest, 4096u);
}

TEST(MixTest, Parses) {
  auto m = ParseMix("new=10,logout=1.5");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->new_session, 10);
  EXPECT_EQ(m->login, 0);
  EXPECT_EQ(m->logout, 1.5);
  EXPECT_FALSE(ParseMix("new=60,login=50").ok());
  EXPECT_FALSE(ParseMix("delete=1").ok());
  EXPECT_FALSE(ParseMix("new").ok());
  EXPECT_FALSE(ParseMix("new=x").ok());
}

}  // namespace
}  // namespace sessionkv::bench

// SPDX-License-Identifier: Apache-2.0
// sessionkv-bench's driver against the real server: short runs of each repository and loop mode, with
// no errors, and the keyspace left as Spring Session leaves it (hashes with TTLs, shadow keys, buckets).
#include "benchmarks/load/runner.h"

#include <sstream>

#include "clients/connection.h"
#include "gtest/gtest.h"
#include "tests/support/test_server.h"

namespace sessionkv::bench {
namespace {

using sessionkv::testing::TestServer;

class BenchIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto s = TestServer::Start();
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = s->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    auto c = client::Connection::Connect(server_->connect_options());
    ASSERT_TRUE(c.ok()) << c.status();
    conn_ = std::move(*c);
    ASSERT_TRUE(conn_->Call("FLUSHALL").ok());
  }
  BenchOptions Options() const {
    BenchOptions o;
    o.port = server_->port();
    o.pods = 2;
    o.connections_per_pod = 2;
    o.sessions = 200;
    o.requests = 400;
    o.progress = false;
    o.workload.mix = {5, 5, 5};
    return o;
  }
  int64_t Count(const std::string& pattern) {
    auto keys = conn_->Call("KEYS", pattern);
    EXPECT_TRUE(keys.ok()) << keys.status();
    return keys.ok() ? static_cast<int64_t>(keys->elements.size()) : -1;
  }
  std::string AnyKey(const std::string& pattern) {
    auto keys = conn_->Call("KEYS", pattern);
    return keys.ok() && !keys->elements.empty() ? keys->elements[0].str : "";
  }

  static TestServer* server_;
  std::unique_ptr<client::Connection> conn_;
};
TestServer* BenchIntegrationTest::server_ = nullptr;

TEST_F(BenchIntegrationTest, DefaultRepositoryClosedLoop) {
  std::ostringstream progress;
  auto r = RunBench(Options(), progress);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->requests, 400u);
  EXPECT_EQ(r->errors, 0u);
  EXPECT_GE(r->commands, 400u * 2);
  EXPECT_EQ(r->latency.count(), 400u);
  EXPECT_GT(r->requests_by_kind[static_cast<int>(RequestKind::kAccess)], 300u);
  // About 200 live sessions, each a hash with a 30-minute TTL.
  EXPECT_GT(Count("spring:session:sessions:*"), 150);
  const std::string key = AnyKey("spring:session:sessions:*");
  auto ttl = conn_->Call("PTTL", key);
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 1'700'000);
  EXPECT_LE(ttl->integer, 1'800'000);
  EXPECT_GE(conn_->Call("HLEN", key)->integer, 4);
  std::ostringstream out;
  PrintResult(Options(), *r, out);
  EXPECT_NE(out.str().find("RESULT rps="), std::string::npos);
}

TEST_F(BenchIntegrationTest, IndexedRepositoryResp3Pipelined) {
  BenchOptions o = Options();
  o.workload.repository = Repository::kIndexed;
  o.resp = client::RespVersion::kResp3;
  o.pipeline = 4;
  std::ostringstream progress;
  auto r = RunBench(o, progress);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->requests, 400u);
  EXPECT_EQ(r->errors, 0u);
  EXPECT_GT(Count("spring:session:sessions:expires:*"), 150);
  EXPECT_GE(Count("spring:session:expirations:*"), 1);
  const std::string shadow = AnyKey("spring:session:sessions:expires:*");
  auto ttl = conn_->Call("PTTL", shadow);
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 1'700'000);
  EXPECT_LE(ttl->integer, 1'800'000);
  EXPECT_EQ(conn_->Call("STRLEN", shadow)->integer, 0);  // APPEND "" made an empty string
  EXPECT_GT(r->requests_by_kind[static_cast<int>(RequestKind::kLogin)], 0u);
  EXPECT_GE(Count("spring:session:index:*"), 1);
}

TEST_F(BenchIntegrationTest, OpenLoopKeepsTheOfferedRate) {
  BenchOptions o = Options();
  o.requests = 0;
  o.duration_s = 1.0;
  o.rate = 400;  // requests/s over 4 connections
  std::ostringstream progress;
  auto r = RunBench(o, progress);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->errors, 0u);
  EXPECT_GE(r->requests, 300u);  // about 400; the schedule never sends more
  EXPECT_LE(r->requests, 410u);
}

}  // namespace
}  // namespace sessionkv::bench

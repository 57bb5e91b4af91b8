// SPDX-License-Identifier: Apache-2.0
// The operations side of the server in process: the metrics source against known commands (through the
// command harness, no sockets), the text exposition prometheus-cpp makes of it, readiness checks,
// shutdown hooks, the keyspace's lock-free published counts, and the metrics endpoint's address list.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"
#include "server/health.h"
#include "server/http_endpoint.h"
#include "server/metrics.h"
#include "server/shutdown.h"
#include "tests/support/command_harness.h"

namespace sessionkv {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const prometheus::MetricFamily* FindFamily(const std::vector<prometheus::MetricFamily>& families,
                                           const std::string& name) {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// The value of the sample of `name` whose labels include `label`=`value` (or the only sample).
double Value(const std::vector<prometheus::MetricFamily>& families, const std::string& name,
             const std::string& label = "", const std::string& value = "") {
  const prometheus::MetricFamily* f = FindFamily(families, name);
  if (f == nullptr) return -1;
  for (const auto& m : f->metric) {
    bool match = label.empty();
    for (const auto& l : m.label) match |= l.name == label && l.value == value;
    if (!match) continue;
    return f->type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
  }
  return -1;
}

TEST(MetricsSource, FollowsKnownCommands) {
  testing::CommandHarness h;
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "2", "PX", "100"});
  h.Run({"GET", "a"});
  h.Run({"GET", "nope"});
  h.Run({"HSET", "a", "f", "v"});  // WRONGTYPE
  h.Run({"SELECT", "2"});
  h.Run({"SET", "c", "3"});
  const auto families = h.server().metrics.Collect();
  EXPECT_EQ(Value(families, "redis_commands_total", "cmd", "set"), 3);
  EXPECT_EQ(Value(families, "redis_commands_failed_calls_total", "cmd", "hset"), 1);
  EXPECT_EQ(Value(families, "redis_keyspace_hits_total"), 1);
  EXPECT_EQ(Value(families, "redis_keyspace_misses_total"), 1);
  EXPECT_EQ(Value(families, "redis_errors_total", "err", "WRONGTYPE"), 1);
  EXPECT_EQ(Value(families, "redis_db_keys", "db", "db0"), 2);
  EXPECT_EQ(Value(families, "redis_db_keys_expiring", "db", "db0"), 1);
  EXPECT_EQ(Value(families, "redis_db_keys", "db", "db2"), 1);
  EXPECT_EQ(Value(families, "redis_db_keys", "db", "db1"), 0);
  EXPECT_EQ(Value(families, "sessionkv_keys_created_total"), 3);
  EXPECT_EQ(FindFamily(families, "redis_master_link_up"), nullptr);

  // The key with a deadline goes through the active expiry: counted, and its delay observed only by the
  // server's timer (the harness expires without one).
  h.clock().Advance(200);
  EXPECT_EQ(h.ExpireDue(), 1u);
  const auto after = h.server().metrics.Collect();
  EXPECT_EQ(Value(after, "redis_db_keys", "db", "db0"), 1);
  EXPECT_EQ(Value(after, "redis_db_keys_expiring", "db", "db0"), 0);
  EXPECT_EQ(Value(after, "redis_expired_keys_total"), 1);
}

TEST(MetricsSource, TextExpositionHasTypesAndLabels) {
  testing::CommandHarness h;
  h.Run({"CONFIG", "GET", "port"});
  h.server().metrics.ObserveExpiryDelay(0.0015);
  const std::string text = prometheus::TextSerializer().Serialize(h.server().metrics.Collect());
  EXPECT_THAT(text, HasSubstr("# TYPE redis_commands_total counter\n"));
  EXPECT_THAT(text, HasSubstr("redis_commands_total{cmd=\"config|get\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE redis_db_keys gauge\n"));
  EXPECT_THAT(text, HasSubstr("redis_db_keys{db=\"db15\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE sessionkv_expiry_delay_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("sessionkv_expiry_delay_seconds_bucket{le=\"0.001\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("sessionkv_expiry_delay_seconds_bucket{le=\"0.002\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("sessionkv_expiry_delay_seconds_count 1\n"));
  EXPECT_THAT(text, HasSubstr("redis_connected_slaves 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("redis_rdb_")));
}

TEST(MetricsSource, LaterSubsystemsAddSources) {
  testing::CommandHarness h;
  h.server().metrics.AddSource([](std::vector<prometheus::MetricFamily>* out) {
    server::AddSample(server::AddFamily(out, "redis_loading_dump_file", "loading_dump_file metric",
                                        prometheus::MetricType::Gauge),
                      0);
  });
  EXPECT_EQ(Value(h.server().metrics.Collect(), "redis_loading_dump_file"), 0);
}

TEST(PublishedCounts, FollowEveryChangeWithoutLocks) {
  testing::CommandHarness h;
  storage::Keyspace& ks = h.keyspace();
  for (int i = 0; i < 100; ++i) h.Run({"SET", "k" + std::to_string(i), "v", "EX", i % 4 ? "100" : "0"});
  // EX 0 is an error, so a quarter of the keys were never set.
  EXPECT_EQ(ks.ApproxKeys(0), 75u);
  EXPECT_EQ(ks.ApproxExpires(0), 75u);
  h.Run({"PERSIST", "k1"});
  h.Run({"DEL", "k2", "k3"});
  EXPECT_EQ(ks.ApproxKeys(0), 73u);
  EXPECT_EQ(ks.ApproxExpires(0), 72u);
  h.Run({"SWAPDB", "0", "5"});
  EXPECT_EQ(ks.ApproxKeys(0), 0u);
  EXPECT_EQ(ks.ApproxKeys(5), 73u);
  EXPECT_EQ(ks.ApproxExpires(5), 72u);
  h.Run({"FLUSHALL"});
  EXPECT_EQ(ks.ApproxKeys(5), 0u);
  EXPECT_EQ(ks.ApproxExpires(5), 0u);
}

TEST(Health, ReadinessChecksAndShutdown) {
  server::Health health;
  EXPECT_EQ(health.NotReadyReason(), "");
  bool loading = true;
  health.AddReadinessCheck([&loading] { return loading ? std::string("loading the dataset") : ""; });
  EXPECT_EQ(health.NotReadyReason(), "loading the dataset");
  loading = false;
  EXPECT_EQ(health.NotReadyReason(), "");
  health.set_shutting_down();
  EXPECT_EQ(health.NotReadyReason(), "shutting down");
}

TEST(ShutdownHooks, RunInOrderAndReportTheFirstError) {
  server::ShutdownHooks hooks;
  std::vector<std::string> ran;
  hooks.Add("first", [&ran](const server::ShutdownRequest& r) {
    ran.push_back("first " + r.origin);
    return absl::OkStatus();
  });
  hooks.Add("failing", [&ran](const server::ShutdownRequest&) {
    ran.push_back("failing");
    return absl::InternalError("disk full");
  });
  hooks.Add("last", [&ran](const server::ShutdownRequest& r) {
    ran.push_back(r.save == server::ShutdownRequest::Save::kNoSave ? "last nosave" : "last");
    return absl::OkStatus();
  });
  server::ShutdownRequest request{.save = server::ShutdownRequest::Save::kNoSave, .origin = "SIGTERM"};
  EXPECT_EQ(hooks.RunAll(request).message(), "disk full");
  EXPECT_EQ(ran, (std::vector<std::string>{"first SIGTERM", "failing", "last nosave"}));
  EXPECT_EQ(server::FinishShutdown(hooks, request), 1);
  request.force = true;
  EXPECT_EQ(server::FinishShutdown(hooks, request), 0);
  EXPECT_EQ(server::FinishShutdown(server::ShutdownHooks(), server::ShutdownRequest{}), 0);
}

TEST(HttpEndpoint, ListeningPortsFollowBindConventions) {
  std::vector<std::string> out;
  ASSERT_TRUE(server::ListeningPorts({"127.0.0.1", "*"}, 9121, &out).ok());
  EXPECT_EQ(out, (std::vector<std::string>{"127.0.0.1:9121", "0.0.0.0:9121"}));
  out.clear();
  // An optional address that cannot be bound here is skipped; a required one fails the start.
  ASSERT_TRUE(server::ListeningPorts({"127.0.0.1", "-192.0.2.1"}, 9121, &out).ok());
  EXPECT_EQ(out, (std::vector<std::string>{"127.0.0.1:9121"}));
  out.clear();
  EXPECT_THAT(std::string(server::ListeningPorts({"192.0.2.1"}, 9121, &out).message()),
              HasSubstr("Failed listening on port 9121 (metrics), aborting"));
  out.clear();
  if (server::ListeningPorts({"::1"}, 9121, &out).ok()) {  // hosts with IPv6 loopback
    EXPECT_EQ(out, (std::vector<std::string>{"[::1]:9121"}));
  }
}

}  // namespace
}  // namespace sessionkv

// SPDX-License-Identifier: Apache-2.0
// INFO (server/commands/info.cc): which sections each argument selects, latencystats and the
// maxmemory fields; the noeviction refusal of the dispatcher.
// tests/integration/test_server_commands.py checks the same against Redis itself.
#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

using protocol::RespValue;
using protocol::RespVersion;
using Type = protocol::RespValue::Type;

class InfoTest : public ::testing::TestWithParam<RespVersion> {
 protected:
  InfoTest() : h_(GetParam()) {}

  // The INFO text: a bulk string under RESP2, a verbatim "txt" string under RESP3.
  std::string Info(std::vector<std::string> sections) {
    sections.insert(sections.begin(), "INFO");
    const RespValue v = h_.Run(sections);
    EXPECT_EQ(v.type, GetParam() == RespVersion::kResp3 ? Type::kVerbatim : Type::kBulk);
    return v.str;
  }
  // The "# Title" lines of an INFO text, in order.
  std::vector<std::string> Titles(std::vector<std::string> sections) {
    const std::string text = Info(std::move(sections));
    std::vector<std::string> titles;
    for (size_t pos = 0; (pos = text.find("# ", pos)) != std::string::npos; pos += 2) {
      if (pos == 0 || text[pos - 1] == '\n')
        titles.push_back(text.substr(pos + 2, text.find('\r', pos) - pos - 2));
    }
    return titles;
  }
  // The value of one "name:value" line.
  std::string Field(const std::string& section, const std::string& name) {
    const std::string text = Info({section});
    const size_t at = text.find("\r\n" + name + ":");
    if (at == std::string::npos) return "<missing>";
    const size_t begin = at + name.size() + 3;
    return text.substr(begin, text.find('\r', begin) - begin);
  }

  CommandHarness h_;
};

INSTANTIATE_TEST_SUITE_P(Resp, InfoTest,
                         ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) {
                           return info.param == RespVersion::kResp2 ? "Resp2" : "Resp3";
                         });

const std::vector<std::string> kDefault = {"Server",     "Clients",     "Memory",  "Persistence",
                                           "Stats",      "Replication", "CPU",     "Modules",
                                           "Errorstats", "Cluster",     "Keyspace"};
const std::vector<std::string> kAll = {
    "Server",  "Clients",      "Memory",     "Persistence",  "Stats",   "Replication", "CPU",
    "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"};

TEST_P(InfoTest, SectionsSelectedByEachArgument) {
  EXPECT_EQ(Titles({}), kDefault);
  EXPECT_EQ(Titles({"default"}), kDefault);
  EXPECT_EQ(Titles({"all"}), kAll);
  EXPECT_EQ(Titles({"EVERYTHING"}), kAll);
  EXPECT_EQ(Titles({"latencystats", "server"}),
            (std::vector<std::string>{"Server", "Latencystats"}));
  // Redis 7.2 names the modules section "module_list" in its default list and accepts both.
  EXPECT_EQ(Titles({"module_list"}), (std::vector<std::string>{"Modules"}));
  EXPECT_EQ(Titles({"modules", "module_list"}), (std::vector<std::string>{"Modules"}));
  EXPECT_EQ(Info({"debug"}), "");  // 7.2's event-loop section is not offered
}

TEST_P(InfoTest, LatencystatsFollowTheCallsAndTheConfig) {
  h_.Run({"CONFIG", "RESETSTAT"});
  h_.Run({"SET", "k", "v"});
  h_.Run({"GET", "k"});
  h_.Run({"GET"});  // refused by the dispatcher: not timed
  const std::string text = Info({"latencystats"});
  const std::regex line(
      R"(latency_percentiles_usec_(\S+):p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n)");
  std::vector<std::string> commands;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator();
       ++it) {
    commands.push_back((*it)[1]);
  }
  EXPECT_EQ(commands, (std::vector<std::string>{"config|resetstat", "get", "set"})) << text;
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "latency-tracking-info-percentiles", "0 99.99"}).str, "OK");
  EXPECT_TRUE(std::regex_search(Info({"latencystats"}),
                                std::regex(R"(usec_get:p0=\d+\.\d{3},p99\.99=\d+\.\d{3}\r\n)")));
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "latency-tracking", "no"}).str, "OK");
  EXPECT_EQ(Info({"latencystats"}), "# Latencystats\r\n");
  // Calls are not recorded meanwhile, and RESETSTAT empties the histograms.
  h_.Run({"PING"});
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "latency-tracking", "yes"}).str, "OK");
  EXPECT_EQ(Info({"latencystats"}).find("usec_ping:"), std::string::npos);
  h_.Run({"CONFIG", "RESETSTAT"});
  EXPECT_EQ(Info({"latencystats"}).find("usec_get:"), std::string::npos);
}

TEST_P(InfoTest, MaxmemoryFields) {
  EXPECT_EQ(Field("memory", "maxmemory"), "0");
  EXPECT_EQ(Field("memory", "maxmemory_human"), "0B");
  EXPECT_EQ(Field("memory", "maxmemory_policy"), "noeviction");
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "maxmemory", "1536kb"}).str, "OK");
  EXPECT_EQ(Field("memory", "maxmemory"), "1572864");
  EXPECT_EQ(Field("memory", "maxmemory_human"), "1.50M");
  // used_memory counts what the server allocates: a 1 MB value shows.
  const int64_t before = std::stoll(Field("memory", "used_memory"));
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "maxmemory", "0"}).str, "OK");
  h_.Run({"SET", "big", std::string(1 << 20, 'x')});
  EXPECT_GE(std::stoll(Field("memory", "used_memory")), before + (1 << 20));
  h_.Run({"DEL", "big"});
  EXPECT_LT(std::stoll(Field("memory", "used_memory")), before + (1 << 19));
}

TEST_P(InfoTest, NoevictionRefusesDenyoomCommandsOverMaxmemory) {
  h_.Run({"SET", "k", "v"});
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "maxmemory", "1"}).str, "OK");
  const std::string oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
  EXPECT_EQ(h_.RunRaw({"SET", "k2", "v"}), oom);
  EXPECT_EQ(h_.RunRaw({"INCRBY", "n", "1"}), oom);
  EXPECT_EQ(h_.RunRaw({"SADD", "s", "a"}), oom);
  EXPECT_EQ(h_.RunRaw({"SET"}), "-ERR wrong number of arguments for 'set' command\r\n");
  EXPECT_EQ(h_.RunRaw({"GET", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(h_.RunRaw({"DEL", "k"}), ":1\r\n");  // frees memory: allowed
  EXPECT_EQ(Field("errorstats", "errorstat_OOM"), "count=3");
  EXPECT_TRUE(
      std::regex_search(Info({"commandstats"}),
                        std::regex(R"(cmdstat_set:calls=1,.*,rejected_calls=2,failed_calls=0)")));
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "maxmemory", "0"}).str, "OK");
  EXPECT_EQ(h_.RunRaw({"SET", "k2", "v"}), "+OK\r\n");
}

}  // namespace
}  // namespace sessionkv::testing

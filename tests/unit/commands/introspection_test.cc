// SPDX-License-Identifier: Apache-2.0
// COMMAND over the declarative table (server/commands/introspection.cc) and what the dispatcher
// does with containers and renamed commands. tests/integration/test_server_commands.py checks the
// same replies against Redis itself.
#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

using protocol::RespValue;
using protocol::RespVersion;
using Type = protocol::RespValue::Type;

class IntrospectionTest : public ::testing::TestWithParam<RespVersion> {
 protected:
  IntrospectionTest() : h_(GetParam()) {}

  std::vector<std::string> Names(const RespValue& entries) {
    std::vector<std::string> names;
    for (const RespValue& e : entries.elements) names.push_back(e.elements.at(0).str);
    std::sort(names.begin(), names.end());
    return names;
  }
  // COMMAND DOCS <name>: the summary (DOCS is a map under RESP3, a flat array under RESP2).
  std::string Summary(const std::string& name) {
    const RespValue docs = h_.Run({"COMMAND", "DOCS", name});
    EXPECT_EQ(docs.elements.size(), 2u) << docs.ToString();
    const RespValue& fields = docs.elements.at(1);
    for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
      if (fields.elements[i].str == "summary") return fields.elements[i + 1].str;
    }
    return "<no summary>";
  }

  CommandHarness h_;
};

INSTANTIATE_TEST_SUITE_P(Resp, IntrospectionTest,
                         ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) {
                           return info.param == RespVersion::kResp2 ? "Resp2" : "Resp3";
                         });

TEST_P(IntrospectionTest, BareCommandListsEveryCommand) {
  // COMMAND is a container with a handler of its own and arity -1: alone it runs, as in Redis.
  const RespValue all = h_.Run({"COMMAND"});
  ASSERT_EQ(all.type, Type::kArray) << all.ToString().substr(0, 200);
  EXPECT_EQ(static_cast<int64_t>(all.elements.size()), h_.Run({"COMMAND", "COUNT"}).integer);
  EXPECT_EQ(Names(all), Names(h_.Run({"COMMAND", "INFO"})));
  // A container without a handler of its own still needs its subcommand.
  EXPECT_EQ(h_.RunRaw({"CONFIG"}), "-ERR wrong number of arguments for 'config' command\r\n");
  EXPECT_EQ(h_.RunRaw({"COMMAND", "NOPE"}),
            "-ERR unknown subcommand 'NOPE'. Try COMMAND HELP.\r\n");
}

TEST_P(IntrospectionTest, RenamedCommandKeepsItsName) {
  ASSERT_TRUE(h_.server().commands.Rename("config", "myconfig"));
  // Only the lookup changes: COMMAND INFO, arity errors and commandstats say "config".
  const RespValue info = h_.Run({"COMMAND", "INFO", "myconfig", "config"});
  ASSERT_EQ(info.elements.size(), 2u);
  EXPECT_EQ(info.elements[0].elements.at(0).str, "config");
  EXPECT_EQ(info.elements[1].type, Type::kNull);
  EXPECT_EQ(h_.RunRaw({"MYCONFIG"}), "-ERR wrong number of arguments for 'config' command\r\n");
  EXPECT_EQ(h_.RunRaw({"myconfig", "GET"}),
            "-ERR wrong number of arguments for 'config|get' command\r\n");
  EXPECT_EQ(h_.RunRaw({"myconfig", "x"}), "-ERR unknown subcommand 'x'. Try MYCONFIG HELP.\r\n");
  EXPECT_EQ(h_.RunRaw({"CONFIG", "GET", "x"}),
            "-ERR unknown command 'CONFIG', with args beginning with: 'GET' 'x' \r\n");
  h_.Run({"MYCONFIG", "RESETSTAT"});
  const RespValue stats = h_.Run({"INFO", "commandstats"});
  EXPECT_NE(stats.str.find("cmdstat_config|resetstat:calls=1,"), std::string::npos) << stats.str;
}

TEST_P(IntrospectionTest, InfoRendersTipsNotesAndKeySpecKinds) {
  // The raw RESP2 bytes pin the shapes: tips are bulk strings; a key spec's notes come first.
  CommandHarness h;
  const std::string del = h.RunRaw({"COMMAND", "INFO", "del"});
  EXPECT_NE(
      del.find("*2\r\n$26\r\nrequest_policy:multi_shard\r\n$23\r\nresponse_policy:agg_sum\r\n"),
      std::string::npos)
      << del;
  const std::string set = h.RunRaw({"COMMAND", "INFO", "set"});
  EXPECT_NE(
      set.find("*8\r\n$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n"
               "$5\r\nflags\r\n"),
      std::string::npos)
      << set;
  // SDIFFSTORE: the destination, then every other key to the end (lastkey -1).
  const std::string sdiffstore = h.RunRaw({"COMMAND", "INFO", "sdiffstore"});
  EXPECT_NE(
      sdiffstore.find("$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n"
                      "$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n"),
      std::string::npos)
      << sdiffstore;
  // SINTERCARD numkeys key...: a keynum spec at the count's index.
  const std::string sintercard = h.RunRaw({"COMMAND", "INFO", "sintercard"});
  EXPECT_NE(sintercard.find(
                "$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n"
                ":1\r\n$7\r\nkeystep\r\n:1\r\n"),
            std::string::npos)
      << sintercard;
}

TEST_P(IntrospectionTest, DocsCarryRedis72Summaries) {
  EXPECT_EQ(Summary("get"), "Returns the string value of a key.");
  EXPECT_EQ(Summary("unlink"), "Asynchronously deletes one or more keys.");
  EXPECT_EQ(Summary("object|refcount"), "Returns the reference count of a value of a key.");
  EXPECT_EQ(Summary("config|get"), "Returns the effective values of configuration parameters.");
}

}  // namespace
}  // namespace sessionkv::testing

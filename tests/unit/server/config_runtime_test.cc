// SPDX-License-Identifier: Apache-2.0
// CONFIG GET, SET and REWRITE at run time.
#include "tests/unit/server/config_test_support.h"

namespace sessionkv::server::config_testing {
namespace {

// ---------------------------------------------------------------------------------------------------------
// CONFIG GET.
// ---------------------------------------------------------------------------------------------------------

TEST_F(ConfigTest, GetExactNameKeepsTheCallersSpelling) {
  Config config;
  EXPECT_THAT(config.Get("PORT"), ElementsAre(Pair("PORT", "6379")));
  EXPECT_THAT(config.Get("nosuch"), IsEmpty());
  EXPECT_THAT(config.Get("include"), IsEmpty());  // file directives are not parameters
  EXPECT_THAT(config.Get("rename-command"), IsEmpty());
}

TEST_F(ConfigTest, GetPatternsWithoutCase) {
  Config config;
  EXPECT_THAT(config.Get("[p]ORT"), ElementsAre(Pair("port", "6379")));
  EXPECT_THAT(config.Get("po?t"), ElementsAre(Pair("port", "6379")));
  EXPECT_THAT(config.Get("*MAX*LEN"),
              ElementsAre(Pair("proto-max-bulk-len", "536870912"), Pair("slowlog-max-len", "128"),
                          Pair("acllog-max-len", "128")));
  EXPECT_THAT(config.Get("tcp-*"),
              ElementsAre(Pair("tcp-keepalive", "300"), Pair("tcp-backlog", "511")));
  const Pairs all = config.Get("*");
  // Every parameter but include, rename-command and user, and every alias under its own name.
  size_t aliases = 0;
  for (const ParamSpec& spec : ParamTable()) aliases += spec.alias.empty() ? 0 : 1;
  EXPECT_EQ(aliases, 2u);
  EXPECT_EQ(all.size(), kParamCount - 3 + aliases);
  for (const auto& [name, value] : all) {
    EXPECT_NE(name, "include");
    EXPECT_NE(name, "rename-command");
    EXPECT_NE(name, "user");
  }
}

TEST_F(ConfigTest, GetSeveralPatternsReportsEachParameterOnce) {
  Config config;
  EXPECT_THAT(config.Get(std::vector<std::string_view>{"time*", "TIMEOUT", "timeout"}),
              ElementsAre(Pair("timeout", "0")));
  EXPECT_THAT(config.Get(std::vector<std::string_view>{"PORT", "p*t", "hz"}),
              ElementsAre(Pair("PORT", "6379"), Pair("hz", "10")));
}

// Redis 7.0 keeps an alias as a config of its own in its dictionary (min-slaves-to-write beside
// min-replicas-to-write, one value): CONFIG GET lists each name that matches, CONFIG SET takes both
// in one call (the last wins), errors name the parameter as it was called.
TEST_F(ConfigTest, AliasesAreNamesOfTheirOwn) {
  Config config;
  EXPECT_THAT(config.Get("min-*"),
              ElementsAre(Pair("min-replicas-to-write", "0"), Pair("min-slaves-to-write", "0"),
                          Pair("min-replicas-max-lag", "10"), Pair("min-slaves-max-lag", "10")));
  EXPECT_THAT(config.Get("MIN-SLAVES-to-write"), ElementsAre(Pair("MIN-SLAVES-to-write", "0")));
  const std::vector<std::string_view> both = {"min-slaves-to-write", "min-replicas-to-write",
                                              "*slaves-to*"};
  EXPECT_THAT(config.Get(both),
              ElementsAre(Pair("min-slaves-to-write", "0"), Pair("min-replicas-to-write", "0")));
  ASSERT_TRUE(config.Set({{"min-slaves-to-write", "2"}}).ok());
  EXPECT_EQ(config.min_replicas_to_write(), 2);
  ASSERT_TRUE(config.Set({{"min-slaves-to-write", "1"}, {"min-replicas-to-write", "3"}}).ok());
  EXPECT_EQ(config.min_replicas_to_write(), 3);
  EXPECT_EQ(Message(config.Set({{"min-slaves-max-lag", "1"}, {"min-slaves-max-lag", "2"}})),
            "ERR CONFIG SET failed (possibly related to argument 'min-slaves-max-lag') - duplicate "
            "parameter");
  EXPECT_EQ(Message(config.Set({{"min-slaves-max-lag", "x"}})),
            "ERR CONFIG SET failed (possibly related to argument 'min-slaves-max-lag') - argument "
            "couldn't be parsed into an integer");
}

TEST_F(ConfigTest, RewriteWritesAnAliasLineUnderTheName) {
  const std::string file = Write("a.conf", "port 6411\nmin-slaves-to-write 2\n");
  Config config;
  ASSERT_TRUE(config.LoadFromArgs({file, "--dir", dir_}).ok());
  EXPECT_EQ(config.min_replicas_to_write(), 2);
  ASSERT_TRUE(config.Set({{"min-replicas-to-write", "3"}}).ok());
  ASSERT_TRUE(config.Rewrite().ok());
  const std::string text = Read(file);
  EXPECT_THAT(text, ::testing::StartsWith("port 6411\nmin-replicas-to-write 3\n"));
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("min-slaves")));
}

TEST_F(ConfigTest, GetFormatsValuesAsRedis) {
  Config config;
  ASSERT_TRUE(LoadText(config,
                       "proto-max-bulk-len 2mb\nprotected-mode no\nbind 127.0.0.1 -::1\n"
                       "notify-keyspace-events KEx\nhz 1000\nloglevel WARNING\n")
                  .ok());
  EXPECT_EQ(Value(config, "proto-max-bulk-len"), "2097152");
  EXPECT_EQ(Value(config, "protected-mode"), "no");
  EXPECT_EQ(Value(config, "bind"), "127.0.0.1 -::1");
  EXPECT_EQ(Value(config, "notify-keyspace-events"), "xKE");
  EXPECT_EQ(Value(config, "hz"), "500");  // accepted, capped to 500 as Redis does
  EXPECT_EQ(Value(config, "loglevel"), "warning");
}

// ---------------------------------------------------------------------------------------------------------
// CONFIG SET.
// ---------------------------------------------------------------------------------------------------------

TEST_F(ConfigTest, SetSeveralParametersAtOnce) {
  Config config;
  ASSERT_TRUE(config
                  .Set({{"hz", "5"},
                        {"MAXCLIENTS", "500"},
                        {"proto-max-bulk-len", "3MB"},
                        {"bind", "127.0.0.1 ::1"},
                        {"loglevel", "DEBUG"},
                        {"notify-keyspace-events", "AKEm"},
                        {"slowlog-log-slower-than", "-1"},
                        {"requirepass", "s3cret"},
                        {"protected-mode", "NO"}})
                  .ok());
  EXPECT_EQ(config.hz(), 5);
  EXPECT_EQ(config.maxclients(), 500);
  EXPECT_EQ(config.proto_max_bulk_len(), 3 * 1024 * 1024);
  EXPECT_THAT(config.bind(), ElementsAre("127.0.0.1", "::1"));
  EXPECT_EQ(config.loglevel(), LogLevel::kDebug);
  EXPECT_EQ(config.notify_keyspace_events(), "AKEm");
  EXPECT_EQ(config.slowlog_log_slower_than(), -1);
  EXPECT_EQ(config.requirepass(), "s3cret");
  EXPECT_FALSE(config.protected_mode());
  ASSERT_TRUE(config.Set({{"hz", "0"}, {"bind", ""}, {"requirepass", ""}}).ok());
  EXPECT_EQ(config.hz(), 1);
  EXPECT_THAT(config.bind(), IsEmpty());
  EXPECT_EQ(config.requirepass(), "");
  ASSERT_TRUE(config.Set({{"hz", "100000"}}).ok());
  EXPECT_EQ(config.hz(), 500);
}

TEST_F(ConfigTest, SetErrorsMatchRedis) {
  const std::string kFailed = "ERR CONFIG SET failed (possibly related to argument ";
  struct Case {
    Pairs pairs;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{{"port", "abc"}}, kFailed + "'port') - argument couldn't be parsed into an integer"},
      {{{"hz", "+5"}}, kFailed + "'hz') - argument couldn't be parsed into an integer"},
      {{{"hz", "-1"}}, kFailed + "'hz') - argument must be between 0 and 2147483647 inclusive"},
      {{{"slowlog-max-len", "99999999999999999999"}},
       kFailed + "'slowlog-max-len') - argument couldn't be parsed into an integer"},
      {{{"foo", "1"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
      {{{"hz", "1"}, {"foo", "2"}},
       "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
      {{{"include", "x"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'include'"},
      {{{"databases", "3"}}, kFailed + "'databases') - can't set immutable config"},
      {{{"io-threads", "2"}, {"port", "x"}},
       kFailed + "'io-threads') - can't set immutable config"},
      {{{"daemonize", "no"}}, kFailed + "'daemonize') - can't set immutable config"},
      {{{"logfile", "x"}}, kFailed + "'logfile') - can't set immutable config"},
      {{{"pidfile", "x"}}, kFailed + "'pidfile') - can't set immutable config"},
      {{{"tcp-backlog", "1"}}, kFailed + "'tcp-backlog') - can't set immutable config"},
      {{{"dir", "/tmp"}}, kFailed + "'dir') - can't set protected config"},
      {{{"hz", "5"}, {"HZ", "6"}}, kFailed + "'HZ') - duplicate parameter"},
      // The first problem wins, in argument order.
      {{{"databases", "1"}, {"foo", "1"}}, kFailed + "'databases') - can't set immutable config"},
      {{{"foo", "1"}, {"databases", "1"}},
       "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
      {{{"hz", "7"}, {"maxclients", "0"}},
       kFailed + "'maxclients') - argument must be between 1 and 4294967295 inclusive"},
      {{{"notify-keyspace-events", "Kq"}},
       kFailed +
           "'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
      {{{"loglevel", ""}},
       kFailed + "'loglevel') - argument(s) must be one of the following: debug, verbose, notice, "
                 "warning, nothing"},
      {{{"proto-max-bulk-len", ""}},
       kFailed + "'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 "
                 "inclusive"},
      {{{"protected-mode", "maybe"}},
       kFailed + "'protected-mode') - argument must be 'yes' or 'no'"},
      {{{"bind", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"}},
       kFailed + "'bind') - Too many bind addresses specified."},
  };
  for (const Case& c : cases) {
    Config config;
    EXPECT_EQ(Message(config.Set(c.pairs)), c.expected) << c.pairs[0].first;
    EXPECT_EQ(config.hz(), 10) << "a failed CONFIG SET must change nothing";
  }
}

TEST_F(ConfigTest, OnChangeRunsOnlyForChangedParameters) {
  Config config;
  int loglevel_calls = 0, hz_calls = 0;
  config.OnChange("loglevel", [&] { ++loglevel_calls; });
  config.OnChange("HZ", [&] {
    ++hz_calls;
    EXPECT_EQ(config.hz(), 42);  // the new value is visible to the callback
  });
  ASSERT_TRUE(config.Set({{"loglevel", "notice"}}).ok());  // unchanged
  EXPECT_EQ(loglevel_calls, 0);
  ASSERT_TRUE(config.Set({{"loglevel", "debug"}, {"hz", "42"}}).ok());
  EXPECT_EQ(loglevel_calls, 1);
  EXPECT_EQ(hz_calls, 1);
  EXPECT_FALSE(config.Set({{"loglevel", "warning"}, {"hz", "x"}}).ok());
  EXPECT_EQ(loglevel_calls, 1);
}

TEST_F(ConfigTest, OnApplyFailureUndoesTheWholeSet) {
  Config config;
  std::vector<int> ports_applied;
  bool fail = true;
  int changes = 0;
  config.OnApply("port", [&]() -> absl::Status {
    ports_applied.push_back(config.port());
    if (fail && config.port() == 1) {
      return absl::UnavailableError("Unable to listen on this port. Check server logs.");
    }
    return absl::OkStatus();
  });
  config.OnChange("port", [&] { ++changes; });
  EXPECT_EQ(
      Message(config.Set({{"timeout", "5"}, {"port", "1"}})),
      "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this "
      "port. Check server logs.");
  EXPECT_EQ(config.port(), 6379);
  EXPECT_EQ(config.timeout(), 0);
  EXPECT_THAT(ports_applied, ElementsAre(1, 6379));  // applied, then re-applied after the restore
  EXPECT_EQ(changes, 0);
  fail = false;
  ASSERT_TRUE(config.Set({{"port", "1"}}).ok());
  EXPECT_EQ(changes, 1);
}

TEST_F(ConfigTest, SensitiveParameters) {
  EXPECT_TRUE(Config::IsSensitive("requirepass"));
  EXPECT_TRUE(Config::IsSensitive("REQUIREPASS"));
  EXPECT_FALSE(Config::IsSensitive("port"));
  EXPECT_FALSE(Config::IsSensitive("nosuch"));
}

TEST_F(ConfigTest, AccessorsAreSafeDuringConcurrentSet) {
  Config config;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      const int hz = config.hz();
      EXPECT_TRUE(hz == 10 || hz == 20) << hz;
      const std::vector<std::string> bind = config.bind();
      EXPECT_TRUE(bind.size() == 1 || bind.size() == 2);
      EXPECT_LE(config.requirepass().size(), 49u);
      config.Get("*");
    }
  });
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(config
                    .Set({{"hz", i % 2 ? "10" : "20"},
                          {"bind", i % 2 ? "127.0.0.1" : "127.0.0.1 ::1"},
                          {"requirepass", std::string(i % 50, 'x')}})
                    .ok());
  }
  stop = true;
  reader.join();
}

// ---------------------------------------------------------------------------------------------------------
// CONFIG REWRITE.
// ---------------------------------------------------------------------------------------------------------

TEST_F(ConfigTest, RewriteKeepsCommentsAndReplacesInPlace) {
  Write("inc.conf", "timeout 5\n");
  const std::string file = Write("redis.conf",
                                 "# top comment\n"
                                 "port 6411\n"
                                 "\n"
                                 "# another comment\n"
                                 "rename-command FLUSHDB \"\"\n"
                                 "include " +
                                     dir_ +
                                     "/inc.conf\n"
                                     "loglevel verbose\n"
                                     "loglevel warning\n"
                                     "\n"
                                     "hz 1000\n"
                                     "bind 127.0.0.1 -::1\n"
                                     "requirepass \"a b\\x41\"\n"
                                     "notify-keyspace-events \"xKE\"\n"
                                     "proto-max-bulk-len 2mb\n");
  Config config;
  ASSERT_TRUE(config.LoadFromArgs({file, "--dir", dir_}).ok());
  ASSERT_TRUE(config
                  .Set({{"requirepass", "x\"y"},
                        {"maxclients", "500"},
                        {"timeout", "0"},
                        {"slowlog-max-len", "200"},
                        {"loglevel", "debug"},
                        {"notify-keyspace-events", "g$lshzxetd"},
                        {"proto-max-bulk-len", "3mb"},
                        {"slowlog-log-slower-than", "-1"}})
                  .ok());
  ASSERT_TRUE(config.Rewrite().ok());
  // What redis-server wrote for the same steps, but for the order of the appended lines (Redis's
  // comes from a hash table) and the lines of parameters we do not have.
  const std::string expected =
      "# top comment\n"
      "port 6411\n"
      "\n"
      "# another comment\n"
      "rename-command FLUSHDB \"\"\n"
      "include " +
      dir_ +
      "/inc.conf\n"
      "loglevel debug\n"
      "\n"
      "hz 500\n"
      "bind 127.0.0.1 -::1\n"
      "requirepass \"x\\\"y\"\n"
      "notify-keyspace-events \"A\"\n"
      "proto-max-bulk-len 3mb\n"
      "\n"
      "# Generated by CONFIG REWRITE\n"
      "dir \"" +
      dir_ +
      "\"\n"
      "maxclients 500\n"
      "slowlog-log-slower-than -1\n"
      "slowlog-max-len 200\n"
      "latency-tracking-info-percentiles 50 99 99.9\n";  // Redis writes it on every rewrite
  EXPECT_EQ(Read(file), expected);
  // Like Redis, a second rewrite turns the file's final newline into one blank line, and then
  // nothing changes any more.
  ASSERT_TRUE(config.Rewrite().ok());
  EXPECT_EQ(Read(file), expected + "\n");
  ASSERT_TRUE(config.Rewrite().ok());
  EXPECT_EQ(Read(file), expected + "\n");
  // The included file is not rewritten (as in Redis), so its timeout 5 comes back.
  Config reloaded;
  ASSERT_TRUE(reloaded.LoadFromArgs({file}).ok());
  EXPECT_EQ(reloaded.timeout(), 5);
  ASSERT_TRUE(reloaded.Set({{"timeout", "0"}}).ok());
  EXPECT_EQ(reloaded.Get("*"), config.Get("*"));
  EXPECT_EQ(reloaded.renamed_commands(), config.renamed_commands());
}

TEST_F(ConfigTest, RewriteRemovesUnsetValuesAndCommentsUnknownLines) {
  const std::string file = Write("r.conf",
                                 "# Generated by CONFIG REWRITE\n"
                                 "requirepass secret\n"
                                 "bind 10.0.0.1\n"
                                 "port 7008\n");
  Config config;
  ASSERT_TRUE(config.LoadFromArgs({file}).ok());
  // Lines added by hand after the start: an unknown directive and unbalanced quotes.
  std::ofstream(file, std::ios::app) << "save 900 1\nmaxmemory \"x\n";
  ASSERT_TRUE(config.Set({{"requirepass", ""}, {"bind", "127.0.0.1"}, {"hz", "11"}}).ok());
  ASSERT_TRUE(config.Rewrite().ok());
  EXPECT_EQ(Read(file),
            "# Generated by CONFIG REWRITE\n"
            "\n"
            "port 7008\n"
            "# ??? save 900 1\n"
            "# ??? maxmemory \"x\n"
            "\n"
            "dir \"" +
                RealPath(".") +
                "\"\n"
                "hz 11\n"
                "latency-tracking-info-percentiles 50 99 99.9\n");
}

TEST_F(ConfigTest, RewriteWritesEmptyBindAsQuotes) {
  const std::string file = Write("b.conf", "");
  Config config;
  ASSERT_TRUE(config.LoadFromArgs({file}).ok());
  ASSERT_TRUE(config.Set({{"bind", ""}, {"notify-keyspace-events", "Ex"}}).ok());
  ASSERT_TRUE(config.Rewrite().ok());
  EXPECT_EQ(Read(file), "# Generated by CONFIG REWRITE\nbind \"\"\ndir \"" + RealPath(".") +
                            "\"\nnotify-keyspace-events \"xE\"\n"
                            "latency-tracking-info-percentiles 50 99 99.9\n");
}

TEST_F(ConfigTest, RewriteReportsWriteErrors) {
  const std::string file = Write("gone/c.conf", "port 7009\n");
  Config config;
  ASSERT_TRUE(config.LoadFromArgs({file}).ok());
  std::filesystem::remove_all(dir_ + "/gone");
  EXPECT_EQ(Message(config.Rewrite()), "ERR Rewriting config file: No such file or directory");
}

}  // namespace
}  // namespace sessionkv::server::config_testing

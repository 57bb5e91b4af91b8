// SPDX-License-Identifier: Apache-2.0
// Config files: defaults, syntax, includes and the error texts Redis prints for bad lines.
#include "tests/unit/server/config_test_support.h"

namespace sessionkv::server::config_testing {
namespace {

// ---------------------------------------------------------------------------------------------------------
// Defaults and file syntax.
// ---------------------------------------------------------------------------------------------------------

TEST_F(ConfigTest, DefaultsAreRedisValues) {
  Config config;
  // clang-format off
  const Pairs expected = {
      {"port", "6379"}, {"bind", "127.0.0.1"}, {"databases", "16"}, {"io-threads", "1"},
      {"loglevel", "notice"}, {"logfile", ""}, {"requirepass", ""}, {"notify-keyspace-events", ""},
      {"hz", "10"}, {"proto-max-bulk-len", "536870912"}, {"client-query-buffer-limit", "1073741824"},
      {"maxclients", "10000"}, {"timeout", "0"}, {"tcp-keepalive", "300"}, {"tcp-backlog", "511"},
      {"slowlog-log-slower-than", "10000"}, {"slowlog-max-len", "128"},
      {"latency-monitor-threshold", "0"}, {"protected-mode", "yes"}, {"pidfile", ""},
      {"daemonize", "no"}, {"dir", RealPath(".")}, {"maxmemory", "0"},
      {"maxmemory-policy", "noeviction"}, {"latency-tracking", "yes"},
      {"latency-tracking-info-percentiles", "50 99 99.9"}};
  // clang-format on
  for (const auto& [name, value] : expected) EXPECT_EQ(Value(config, name), value) << name;
  EXPECT_EQ(config.port(), 6379);
  EXPECT_EQ(config.loglevel(), LogLevel::kNotice);
  EXPECT_EQ(config.proto_max_bulk_len(), 512 * 1024 * 1024);
  EXPECT_TRUE(config.protected_mode());
  EXPECT_EQ(config.config_file(), "");
  EXPECT_THAT(config.renamed_commands(), IsEmpty());
  EXPECT_EQ(config.maxmemory(), 0);
  EXPECT_EQ(config.maxmemory_policy(), "noeviction");
  EXPECT_TRUE(config.latency_tracking());
  EXPECT_THAT(config.latency_tracking_info_percentiles(), ElementsAre(50.0, 99.0, 99.9));
  EXPECT_TRUE(config.LoadFromArgs({}).ok());  // no arguments: defaults, like a bare redis-server
}

TEST_F(ConfigTest, MaxmemoryAndItsPolicy) {
  Config config;
  ASSERT_TRUE(LoadText(config, "maxmemory 256mb\nmaxmemory-policy NOEVICTION\n").ok());
  EXPECT_EQ(config.maxmemory(), 256 * 1024 * 1024);
  EXPECT_EQ(Value(config, "maxmemory"), "268435456");
  EXPECT_EQ(config.maxmemory_policy(), "noeviction");
  // A word Redis does not know gets Redis's list; every policy of the list is accepted.
  EXPECT_EQ(Message(LoadText(config, "maxmemory-policy lru\n")),
            LineError(1, "maxmemory-policy lru",
                      "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                      "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
                      "noeviction"));
  ASSERT_TRUE(LoadText(config, "maxmemory-policy allkeys-lru\nmaxmemory-samples 10\n").ok());
  EXPECT_EQ(config.maxmemory_policy(), "allkeys-lru");
  EXPECT_EQ(config.maxmemory_samples(), 10);
  ASSERT_TRUE(config.Set({{"maxmemory-policy", "volatile-ttl"}}).ok());
  EXPECT_EQ(config.maxmemory_policy(), "volatile-ttl");
  EXPECT_EQ(config.maxmemory_policy_index(), 3) << "Redis's enum order";
  ASSERT_TRUE(config.Set({{"maxmemory", "1gb"}}).ok());
  EXPECT_EQ(config.maxmemory(), 1024 * 1024 * 1024);
}

TEST_F(ConfigTest, ClientOutputBufferLimitSetsOnlyTheClassesGiven) {
  Config config;
  EXPECT_EQ(Value(config, "client-output-buffer-limit"),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  ASSERT_TRUE(LoadText(config, "client-output-buffer-limit pubsub 1mb 2kb 3\n"
                               "client-output-buffer-limit Normal 1 2 3 REPLICA 5 6 7\n").ok());
  EXPECT_EQ(Value(config, "client-output-buffer-limit"), "normal 1 2 3 slave 5 6 7 pubsub 1048576 2048 3");
  const OutputBufferLimit pubsub = config.output_buffer_limit(ClientClass::kPubSub);
  EXPECT_EQ(pubsub.hard_bytes, 1048576);
  EXPECT_EQ(pubsub.soft_bytes, 2048);
  EXPECT_EQ(pubsub.soft_seconds, 3);
  ASSERT_TRUE(config.Set({{"client-output-buffer-limit", ""}}).ok());  // no groups: nothing changes
  ASSERT_TRUE(config.Set({{"client-output-buffer-limit", "normal 0 0 0"}}).ok());
  EXPECT_EQ(config.output_buffer_limit(ClientClass::kNormal).hard_bytes, 0);
  EXPECT_EQ(config.output_buffer_limit(ClientClass::kPubSub).hard_bytes, 1048576);
  const std::string failed = "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - ";
  EXPECT_EQ(Message(config.Set({{"client-output-buffer-limit", "pubsub 1 1 1 master 0 0 0"}})),
            failed + "Invalid client class specified in buffer limit configuration.");
  EXPECT_EQ(Message(config.Set({{"client-output-buffer-limit", "normal 0 0"}})),
            failed + "Wrong number of arguments in buffer limit configuration.");
  EXPECT_EQ(Message(config.Set({{"client-output-buffer-limit", "normal 1x 0 0"}})),
            failed + "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  EXPECT_EQ(config.output_buffer_limit(ClientClass::kPubSub).soft_seconds, 3) << "all or nothing";
}

TEST_F(ConfigTest, ProtectedConfigsFollowEnableProtectedConfigs) {
  for (const auto& [mode, remote_ok, local_ok] :
       {std::tuple{"no", false, false}, std::tuple{"yes", true, true}, std::tuple{"local", false, true}}) {
    Config config;
    ASSERT_TRUE(LoadText(config, std::string("enable-protected-configs ") + mode + "\n").ok());
    EXPECT_EQ(config.Set({{"dir", dir_}}, /*local=*/false).ok(), remote_ok) << mode;
    EXPECT_EQ(config.Set({{"dir", dir_}}, /*local=*/true).ok(), local_ok) << mode;
  }
  Config config;
  EXPECT_EQ(Message(config.Set({{"enable-protected-configs", "yes"}})),
            "ERR CONFIG SET failed (possibly related to argument 'enable-protected-configs') - can't set "
            "immutable config");
}

TEST_F(ConfigTest, LatencyTrackingPercentiles) {
  Config config;
  ASSERT_TRUE(LoadText(config, "latency-tracking-info-percentiles 50.50 1e1 0 100\n").ok());
  EXPECT_EQ(Value(config, "latency-tracking-info-percentiles"), "50.5 10 0 100");
  EXPECT_THAT(config.latency_tracking_info_percentiles(), ElementsAre(50.5, 10.0, 0.0, 100.0));
  ASSERT_TRUE(LoadText(config, "latency-tracking-info-percentiles \"\"\n").ok());  // none
  EXPECT_THAT(config.latency_tracking_info_percentiles(), IsEmpty());
  ASSERT_TRUE(config.Set({{"latency-tracking-info-percentiles", "99.99 50"}}).ok());
  EXPECT_EQ(Value(config, "latency-tracking-info-percentiles"), "99.99 50");
  ASSERT_TRUE(config.Set({{"latency-tracking-info-percentiles", ""}}).ok());
  EXPECT_EQ(Value(config, "latency-tracking-info-percentiles"), "");
  const std::string failed =
      "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - ";
  for (const char* bad : {"x", " 50", "50  60", "nan", "50 y"}) {
    EXPECT_EQ(Message(config.Set({{"latency-tracking-info-percentiles", bad}})),
              failed + "Invalid latency-tracking-info-percentiles parameters")
        << bad;
  }
  EXPECT_EQ(Message(config.Set({{"latency-tracking-info-percentiles", "50 100.5"}})),
            failed + "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
  EXPECT_EQ(Message(config.Set({{"latency-tracking-info-percentiles", "-1"}})),
            failed + "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
  ASSERT_TRUE(config.Set({{"latency-tracking", "no"}}).ok());
  EXPECT_FALSE(config.latency_tracking());
}

TEST_F(ConfigTest, FileSyntaxQuotesEscapesCommentsAndCase) {
  Config config;
  ASSERT_TRUE(
      LoadText(config,
               "# a comment\n"
               "\n"
               "   PORT    7001   \r\n"
               "\trequirepass \"a\\x41\\n\\\"b\\\\ \\t\"\n"
               "pidfile 'it\\'s here'\n"
               "logfile a\"b c\"\n"  // a quote inside a word starts quoting, as sdssplitargs
               "   # indented comment\n")
          .ok());
  EXPECT_EQ(config.port(), 7001);
  EXPECT_EQ(config.requirepass(), "aA\n\"b\\ \t");
  EXPECT_EQ(config.pidfile(), "it's here");
  EXPECT_EQ(config.logfile(), "ab c");
}

TEST_F(ConfigTest, MemoryUnits) {
  const std::vector<std::pair<std::string, int64_t>> cases = {
      {"1048576", 1048576}, {"1048576b", 1048576}, {"1024kb", 1048576}, {"1024KB", 1048576},
      {"2m", 2000000},      {"2mb", 2097152},      {"3Mb", 3145728},    {"1g", 1000000000},
      {"1gb", 1073741824},  {"2GB", 2147483648LL},
  };
  for (const auto& [text, bytes] : cases) {
    Config config;
    ASSERT_TRUE(LoadText(config, "client-query-buffer-limit " + text + "\n").ok()) << text;
    EXPECT_EQ(config.client_query_buffer_limit(), bytes) << text;
    EXPECT_EQ(Value(config, "client-query-buffer-limit"), std::to_string(bytes)) << text;
  }
  // k is 1000, so 1024k is below the 1mb minimum.
  Config config;
  EXPECT_EQ(Message(LoadText(config, "proto-max-bulk-len 1024k\n")),
            LineError(1, "proto-max-bulk-len 1024k",
                      "argument must be between 1048576 and 9223372036854775807 inclusive"));
}

TEST_F(ConfigTest, LaterLineWinsAndRenameCommandAccumulates) {
  Config config;
  ASSERT_TRUE(LoadText(config,
                       "loglevel verbose\nrename-command FLUSHDB \"\"\nloglevel warning\n"
                       "rename-command config cfg\nbind 10.0.0.1 -::1\nbind \"127.0.0.2 ::1\"\n")
                  .ok());
  EXPECT_EQ(config.loglevel(), LogLevel::kWarning);
  EXPECT_THAT(config.renamed_commands(), ElementsAre(Pair("FLUSHDB", ""), Pair("config", "cfg")));
  // Redis 7.2 splits a single quoted argument of a multi-argument directive.
  EXPECT_THAT(config.bind(), ElementsAre("127.0.0.2", "::1"));
}

TEST_F(ConfigTest, EveryLogLevelAndNotifyFlags) {
  const std::vector<std::pair<std::string, LogLevel>> levels = {{"debug", LogLevel::kDebug},
                                                                {"VERBOSE", LogLevel::kVerbose},
                                                                {"notice", LogLevel::kNotice},
                                                                {"warning", LogLevel::kWarning},
                                                                {"nothing", LogLevel::kNothing}};
  for (const auto& [word, level] : levels) {
    Config config;
    ASSERT_TRUE(LoadText(config, "loglevel " + word + "\n").ok());
    EXPECT_EQ(config.loglevel(), level);
  }
  Config config;
  ASSERT_TRUE(LoadText(config, "notify-keyspace-events Exg\n").ok());
  EXPECT_EQ(config.notify_flags(), kNotifyKeyevent | kNotifyExpired | kNotifyGeneric);
  EXPECT_EQ(config.notify_keyspace_events(), "gxE");
}

TEST(NotifyFlagsTest, CanonicalOrderAndA) {
  EXPECT_EQ(ParseNotifyFlags("A"), kNotifyAll);
  EXPECT_EQ(NotifyFlagsToString(*ParseNotifyFlags("g$lshzxetd")), "A");
  EXPECT_EQ(NotifyFlagsToString(*ParseNotifyFlags("KEA")), "AKE");
  EXPECT_EQ(NotifyFlagsToString(*ParseNotifyFlags("mEKA")), "AKEm");
  EXPECT_EQ(NotifyFlagsToString(*ParseNotifyFlags("AnK")), "AnK");  // n is not part of A
  EXPECT_EQ(NotifyFlagsToString(*ParseNotifyFlags("Kg$")), "g$K");
  EXPECT_EQ(NotifyFlagsToString(*ParseNotifyFlags("dtexzhsl$g")), "A");
  EXPECT_EQ(NotifyFlagsToString(0), "");
  EXPECT_EQ(ParseNotifyFlags(""), 0u);
  EXPECT_EQ(ParseNotifyFlags("Kq"), std::nullopt);
  EXPECT_EQ(ParseNotifyFlags("a"), std::nullopt);
}

TEST(ConfigQuotingTest, QuoteThenSplitRoundTrips) {
  const std::string binary("a\0b\x01\xff \"'\\\n\r\t\a\b", 14);
  EXPECT_EQ(QuoteConfigArg(binary), "\"a\\x00b\\x01\\xff \\\"'\\\\\\n\\r\\t\\a\\b\"");
  for (const std::string& s : {std::string(), std::string("plain"), binary}) {
    EXPECT_THAT(SplitConfigArgs("x " + QuoteConfigArg(s)), Optional(ElementsAre("x", s)));
  }
  // \x takes exactly two hex digits; otherwise the backslash only escapes the x.
  EXPECT_THAT(SplitConfigArgs("  a\t'b c'  \"d\\x4\" "), Optional(ElementsAre("a", "b c", "dx4")));
  EXPECT_THAT(SplitConfigArgs(""), Optional(IsEmpty()));
  EXPECT_EQ(SplitConfigArgs("'a"), std::nullopt);
}

// ---------------------------------------------------------------------------------------------------------
// Includes.
// ---------------------------------------------------------------------------------------------------------

TEST_F(ConfigTest, IncludeNestedAndGlobInAlphabeticalOrder) {
  Write("conf.d/b.conf", "hz 12\n");
  Write("conf.d/a.conf", "hz 11\ntimeout 5\n");
  Write("conf.d/c.conf", "hz 13\ninclude " + dir_ + "/nested.conf\n");
  Write("nested.conf", "tcp-keepalive 7\n");
  Config config;
  ASSERT_TRUE(LoadText(config, "port 7002\ninclude " + dir_ + "/conf.d/*.conf\ninclude " + dir_ +
                                   "/nothing/*.conf\nmaxclients 77\n")
                  .ok());
  EXPECT_EQ(config.hz(), 13);
  EXPECT_EQ(config.timeout(), 5);
  EXPECT_EQ(config.tcp_keepalive(), 7);
  EXPECT_EQ(config.maxclients(), 77);
}

TEST_F(ConfigTest, IncludeErrorsReportTheIncludedFile) {
  Write("bad.conf", "\nport nope\n");
  Config config;
  EXPECT_EQ(Message(LoadText(config, "include " + dir_ + "/bad.conf\n")),
            LineError(2, "port nope", "argument couldn't be parsed into an integer"));
  Config missing;
  const absl::Status status = LoadText(missing, "include " + dir_ + "/missing.conf\n");
  EXPECT_EQ(Message(status), "Fatal error, can't open config file '" + dir_ +
                                 "/missing.conf': No such file or directory");
  Config loop;
  Write("loop.conf", "include " + dir_ + "/loop.conf\n");
  EXPECT_FALSE(loop.LoadFromArgs({dir_ + "/loop.conf"}).ok());
}

TEST_F(ConfigTest, RelativeIncludeIsRelativeToDir) {
  Write("sub/extra.conf", "port 7003\n");
  Config config;
  ASSERT_TRUE(LoadText(config, "dir " + dir_ + "\ndir sub\ninclude extra.conf\n").ok());
  EXPECT_EQ(config.dir(), dir_ + "/sub");
  EXPECT_EQ(config.port(), 7003);
  EXPECT_EQ(config.PathInDir("x.log"), dir_ + "/sub/x.log");
  EXPECT_EQ(config.PathInDir("/abs.log"), "/abs.log");
}

// ---------------------------------------------------------------------------------------------------------
// Error texts (each captured from redis-server with the same line).
// ---------------------------------------------------------------------------------------------------------

TEST_F(ConfigTest, ErrorTextsMatchRedis) {
  for (const FileErrorCase& c : FileErrorCases()) {
    Config config;
    EXPECT_EQ(Message(LoadText(config, "# first line\n" + c.line + "\n")),
              LineError(2, c.line, c.reason))
        << c.line;
  }
}

TEST_F(ConfigTest, ErrorLineNumbersCountBlankAndCommentLines) {
  Config config;
  EXPECT_EQ(Message(LoadText(config, "\n\n  # c\n\tport   abc  \n")),
            LineError(4, "port   abc", "argument couldn't be parsed into an integer"));
}

TEST_F(ConfigTest, UnwritableLogFileIsReportedWithoutALine) {
  Config config;
  EXPECT_EQ(Message(LoadText(config, "logfile /nonexistent/x.log\n")),
            Banner() + "Can't open the log file: No such file or directory");
  Config ok;
  ASSERT_TRUE(LoadText(ok, "dir " + dir_ + "\nlogfile server.log\n").ok());
  EXPECT_TRUE(
      std::filesystem::exists(dir_ + "/server.log"));  // opened (created) like Redis's check
}

TEST_F(ConfigTest, RenameCommandChecksAgainstCommandNames) {
  const std::vector<std::string> names = {"get", "set", "FLUSHDB"};
  Config unknown;
  unknown.SetCommandNames(names);
  EXPECT_EQ(Message(LoadText(unknown, "# x\nrename-command foo bar\n")),
            LineError(2, "rename-command foo bar", "No such command in rename-command"));
  Config exists;
  exists.SetCommandNames(names);
  EXPECT_EQ(Message(LoadText(exists, "# x\nrename-command get SET\n")),
            LineError(2, "rename-command get SET", "Target command name already exists"));
  Config chain;
  chain.SetCommandNames(names);
  ASSERT_TRUE(LoadText(chain,
                       "rename-command flushdb \"\"\nrename-command get g1\n"
                       "rename-command g1 get\nrename-command set g1\n")
                  .ok());
  EXPECT_THAT(chain.renamed_commands(), ElementsAre(Pair("flushdb", ""), Pair("get", "g1"),
                                                    Pair("g1", "get"), Pair("set", "g1")));
  Config unchecked;  // without SetCommandNames the server checks the names itself
  EXPECT_TRUE(LoadText(unchecked, "rename-command foo bar\n").ok());
}

}  // namespace
}  // namespace sessionkv::server::config_testing

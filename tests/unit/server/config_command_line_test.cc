// SPDX-License-Identifier: Apache-2.0
// Command lines: directives after the file, --include, stdin, and errors compared with redis-server itself.
#include "tests/unit/server/config_test_support.h"

namespace sessionkv::server::config_testing {
namespace {

// ---------------------------------------------------------------------------------------------------------
// Command lines.
// ---------------------------------------------------------------------------------------------------------

TEST_F(ConfigTest, CommandLineDirectivesOverrideTheFile) {
  const std::string file = Write("base.conf", "port 1\nhz 20\n");
  Config config;
  ASSERT_TRUE(
      config
          .LoadFromArgs({file, "--port", "7004", "--bind", "10.0.0.1", "-::1", "--requirepass",
                         "--starts-with-dashes", "--rename-command", "FLUSHALL", ""})
          .ok());
  EXPECT_EQ(config.port(), 7004);
  EXPECT_EQ(config.hz(), 20);
  EXPECT_THAT(config.bind(), ElementsAre("10.0.0.1", "-::1"));
  EXPECT_EQ(config.requirepass(), "--starts-with-dashes");
  EXPECT_THAT(config.renamed_commands(), ElementsAre(Pair("FLUSHALL", "")));
  EXPECT_EQ(config.config_file(), file);
}

TEST_F(ConfigTest, CommandLineIncludeWithoutConfigFile) {
  // The Bitnami chart starts redis-server with flags only and files through --include.
  Write("redis.conf", "timeout 9\nport 1\n");
  Write("master.conf", "dir " + dir_ + "\nrename-command FLUSHDB \"\"\n");
  Config config;
  ASSERT_TRUE(config
                  .LoadFromArgs({"--port", "6390", "--requirepass", "pw", "--include",
                                 dir_ + "/redis.conf", "--include", dir_ + "/master.conf"})
                  .ok());
  EXPECT_EQ(config.port(), 1);  // arguments are applied in order: the included file came later
  EXPECT_EQ(config.timeout(), 9);
  EXPECT_EQ(config.dir(), dir_);
  EXPECT_EQ(config.requirepass(), "pw");
  EXPECT_THAT(config.renamed_commands(), ElementsAre(Pair("FLUSHDB", "")));
  EXPECT_EQ(config.config_file(), "");
  EXPECT_EQ(Message(config.Rewrite()), "ERR The server is running without a config file");
}

TEST_F(ConfigTest, CommandLineErrorLineNumbersAreRedis) {
  for (const ArgsErrorCase& c : ArgsErrorCases()) {
    Config config;
    std::istringstream no_stdin;
    EXPECT_EQ(Message(config.LoadFromArgs(c.args, no_stdin)), c.expected) << c.args[0];
  }
  Config missing;
  EXPECT_EQ(
      Message(missing.LoadFromArgs({dir_ + "/none.conf"})),
      "Fatal error, can't open config file '" + dir_ + "/none.conf': No such file or directory");
}

// The same error cases against the real redis-server, when it is installed: its stderr, with the
// version in the banner replaced, must be our message.
TEST_F(ConfigTest, ErrorTextsMatchTheRedisServerBinary) {
  if (access(kRedisServer, X_OK) != 0) GTEST_SKIP() << kRedisServer << " is not installed";
  for (const FileErrorCase& c : FileErrorCases()) {
    if (c.redis_differs) continue;
    const std::string file = Write("diff.conf", "# first line\n" + c.line + "\n");
    Config config;
    // Options after the file cannot change the line numbers of the file's error, and keep a Redis
    // that wrongly accepted the file from listening or saving.
    EXPECT_EQ(RedisServerStderr({file, "--port", "0", "--save", "", "--appendonly", "no"}),
              Message(config.LoadFromArgs({file})))
        << c.line;
  }
  for (const ArgsErrorCase& c : ArgsErrorCases()) {
    if (c.redis_differs) continue;
    Config config;
    std::istringstream no_stdin;
    EXPECT_EQ(RedisServerStderr(c.args), Message(config.LoadFromArgs(c.args, no_stdin)))
        << c.args[0];
  }
}

TEST_F(ConfigTest, StdinIsReadWhenDashIsFirstOrLast) {
  {
    Config config;
    std::istringstream in("port 7005\ntimeout 3\n");
    ASSERT_TRUE(config.LoadFromArgs({"-"}, in).ok());
    EXPECT_EQ(config.port(), 7005);
    EXPECT_EQ(config.timeout(), 3);
  }
  {
    // File, then stdin, then options: options win over stdin, stdin over the file.
    const std::string file = Write("f.conf", "port 1\nhz 30\ntimeout 1\n");
    Config config;
    std::istringstream in("port 2\ntimeout 2\n");
    ASSERT_TRUE(config.LoadFromArgs({file, "--port", "3", "-"}, in).ok());
    EXPECT_EQ(config.port(), 3);
    EXPECT_EQ(config.timeout(), 2);
    EXPECT_EQ(config.hz(), 30);
  }
  {
    Config config;
    std::istringstream in("hz x\n");
    EXPECT_EQ(Message(config.LoadFromArgs({"-", "--port", "0"}, in)),
              LineError(1, "hz x", "argument couldn't be parsed into an integer"));
  }
  {
    const std::string file = Write("g.conf", "port 1\n");
    Config config;
    std::istringstream in("port 0\n\nhz y\n");
    EXPECT_EQ(Message(config.LoadFromArgs({file, "-"}, in)),
              LineError(4, "hz y", "argument couldn't be parsed into an integer"));
  }
}

TEST_F(ConfigTest, CommandLineSplitsOneQuotedMultiArgument) {
  Config config;
  ASSERT_TRUE(config.LoadFromArgs({"--bind", "127.0.0.1 ::1", "--port 7006"}).ok());
  EXPECT_THAT(config.bind(), ElementsAre("127.0.0.1", "::1"));
  EXPECT_EQ(config.port(), 7006);
}

TEST_F(ConfigTest, RelativeConfigFileBecomesAbsolute) {
  Write("rel.conf", "port 7007\n");
  const std::string old_cwd = RealPath(".");
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  Config config;
  const absl::Status status = config.LoadFromArgs({"rel.conf"});
  ASSERT_EQ(chdir(old_cwd.c_str()), 0);
  ASSERT_TRUE(status.ok()) << Message(status);
  EXPECT_EQ(config.config_file(), dir_ + "/rel.conf");
  EXPECT_EQ(config.port(), 7007);
}

TEST(EarlyExitTest, VersionAndHelpOnlyAsFirstArgument) {
  for (const std::string arg : {"-v", "--version"}) {
    const auto text = Config::EarlyExitText({arg});
    ASSERT_TRUE(text.has_value());
    EXPECT_TRUE(text->starts_with("Redis server v=7.2.4 sha=00000000:0 malloc=libc bits=64 "))
        << *text;
    EXPECT_TRUE(text->ends_with(" sessionkv=0.1.0\n")) << *text;
  }
  for (const std::string arg : {"-h", "--help"}) {
    const auto text = Config::EarlyExitText({arg});
    ASSERT_TRUE(text.has_value());
    EXPECT_TRUE(
        text->starts_with("Usage: ./sessionkv-server [/path/to/redis.conf] [options] [-]\n"));
  }
  EXPECT_EQ(Config::EarlyExitText({}), std::nullopt);
  EXPECT_EQ(Config::EarlyExitText({"--port", "1", "--version"}), std::nullopt);
  EXPECT_EQ(Config::EarlyExitText({"redis.conf"}), std::nullopt);
}

}  // namespace
}  // namespace sessionkv::server::config_testing

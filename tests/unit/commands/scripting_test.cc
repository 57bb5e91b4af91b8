// SPDX-License-Identifier: Apache-2.0
// EVAL and SCRIPT in process (server/commands/scripting.cc, server/script_engine.cc, server/lua_values.cc):
// the Lua <-> RESP conversions under RESP2 and RESP3, redis.call's effects on the keyspace, the error
// texts, the script cache and the sandbox. tests/integration/test_scripting.py checks the same behaviour
// byte for byte against Redis.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/script_engine.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

using protocol::RespVersion;

class ScriptingTest : public ::testing::TestWithParam<RespVersion> {
 protected:
  ScriptingTest() : h_(GetParam()) {}
  bool resp3() const { return GetParam() == RespVersion::kResp3; }
  std::string Eval(const std::string& script, std::vector<std::string> rest = {"0"}) {
    std::vector<std::string> args = {"EVAL", script};
    args.insert(args.end(), rest.begin(), rest.end());
    return h_.RunRaw(args);
  }
  static std::string ErrorAt(const std::string& text, const std::string& script, int line = 1) {
    return "-" + text + " script: " + server::ScriptEngine::Sha1Hex(script) + ", on @user_script:" +
           std::to_string(line) + ".\r\n";
  }

  CommandHarness h_;
};

TEST_P(ScriptingTest, ScalarsConvertAsRedisDoes) {
  EXPECT_EQ(Eval("return 1"), ":1\r\n");
  EXPECT_EQ(Eval("return -3.7"), ":-3\r\n");
  EXPECT_EQ(Eval("return 'hi'"), "$2\r\nhi\r\n");
  EXPECT_EQ(Eval("return nil"), resp3() ? "_\r\n" : "$-1\r\n");
  EXPECT_EQ(Eval("return true"), ":1\r\n");
  EXPECT_EQ(Eval("return false"), resp3() ? "_\r\n" : "$-1\r\n");
  EXPECT_EQ(Eval("return 1e300"), ":9223372036854775807\r\n");  // saturates instead of overflowing
}

TEST_P(ScriptingTest, TablesConvertAsRedisDoes) {
  EXPECT_EQ(Eval("return {1, 'a', {2}, nil, 5}"), "*3\r\n:1\r\n$1\r\na\r\n*1\r\n:2\r\n");
  EXPECT_EQ(Eval("return {ok='fine'}"), "+fine\r\n");
  EXPECT_EQ(Eval("return {err='BAD thing'}"), "-BAD thing\r\n");
  EXPECT_EQ(Eval("return {double=1.5}"), resp3() ? ",1.5\r\n" : "$3\r\n1.5\r\n");
  EXPECT_EQ(Eval("return {map={k='v'}}"), resp3() ? "%1\r\n$1\r\nk\r\n$1\r\nv\r\n" : "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_EQ(Eval("return {set={m=true}}"), resp3() ? "~1\r\n$1\r\nm\r\n" : "*1\r\n$1\r\nm\r\n");
  const std::string deep = Eval("local t = {}; t[1] = t; return t");  // nests until the limit, then fails
  EXPECT_TRUE(deep.ends_with("*1\r\n-ERR reached lua stack limit\r\n")) << deep.substr(deep.size() - 60);
}

TEST_P(ScriptingTest, RedisCallRunsCommandsOnTheCallersDatabase) {
  EXPECT_EQ(Eval("return redis.call('set', KEYS[1], ARGV[1])", {"1", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(h_.RunRaw({"GET", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(Eval("return redis.call('incrby', 'n', 41) + 1"), ":42\r\n");
  EXPECT_EQ(Eval("return type(redis.call('get', 'missing'))"), "$7\r\nboolean\r\n");
  EXPECT_EQ(Eval("redis.call('select', 3); return redis.call('set', 'x', 1)"), "+OK\r\n");
  EXPECT_EQ(h_.RunRaw({"EXISTS", "x"}), ":0\r\n");  // SELECT in a script is the script's own
}

TEST_P(ScriptingTest, ErrorsNameTheScriptAndLine) {
  h_.Run({"SET", "s", "abc"});
  const std::string incr = "local a = 1\nreturn redis.call('incr', 's')";
  EXPECT_EQ(Eval(incr), ErrorAt("ERR value is not an integer or out of range", incr, 2));
  EXPECT_EQ(Eval("return redis.pcall('incr', 's')"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Eval("error('boom')"), ErrorAt("ERR user_script:1: boom", "error('boom')"));
  EXPECT_EQ(Eval("x = 1"), ErrorAt("ERR user_script:1: Attempt to modify a readonly table", "x = 1"));
  EXPECT_EQ(Eval("return print"),
            ErrorAt("ERR user_script:1: Script attempted to access nonexistent global variable 'print'",
                    "return print"));
  EXPECT_EQ(Eval("return redis.call('multi')"),
            ErrorAt("ERR This Redis command is not allowed from script", "return redis.call('multi')"));
  EXPECT_EQ(h_.RunRaw({"EVAL", "return 1", "-1"}), "-ERR Number of keys can't be negative\r\n");
  EXPECT_EQ(h_.RunRaw({"EVAL", "return 1", "1"}), "-ERR Number of keys can't be greater than number of args\r\n");
}

TEST_P(ScriptingTest, ReadOnlyScriptsRefuseWrites) {
  const std::string script = "return redis.call('del', 'k')";
  EXPECT_EQ(h_.RunRaw({"EVAL_RO", script, "0"}),
            ErrorAt("ERR Write commands are not allowed from read-only scripts.", script));
  EXPECT_EQ(h_.RunRaw({"EVAL_RO", "return redis.call('exists', 'k')", "0"}), ":0\r\n");
}

TEST_P(ScriptingTest, ScriptCache) {
  const std::string sha = server::ScriptEngine::Sha1Hex("return 'c'");
  EXPECT_EQ(h_.RunRaw({"EVALSHA", sha, "0"}), "-NOSCRIPT No matching script. Please use EVAL.\r\n");
  EXPECT_EQ(h_.RunRaw({"SCRIPT", "LOAD", "return 'c'"}), "$40\r\n" + sha + "\r\n");
  EXPECT_EQ(h_.RunRaw({"EVALSHA", sha, "0"}), "$1\r\nc\r\n");
  EXPECT_EQ(h_.RunRaw({"SCRIPT", "EXISTS", sha, "0000000000000000000000000000000000000000"}),
            "*2\r\n:1\r\n:0\r\n");
  EXPECT_EQ(h_.RunRaw({"SCRIPT", "FLUSH"}), "+OK\r\n");
  EXPECT_EQ(h_.RunRaw({"SCRIPT", "EXISTS", sha}), "*1\r\n:0\r\n");
  EXPECT_EQ(h_.RunRaw({"SCRIPT", "KILL"}), "-NOTBUSY No scripts in execution right now.\r\n");
  EXPECT_EQ(h_.RunRaw({"SCRIPT", "LOAD", "x x"}),
            "-ERR Error compiling script (new function): user_script:1: '=' expected near 'x'\r\n");
}

TEST_P(ScriptingTest, LibrariesScriptsExpect) {
  EXPECT_EQ(Eval("return cjson.encode({1, 2})"), "$5\r\n[1,2]\r\n");
  EXPECT_EQ(Eval("return bit.bxor(5, 1)"), ":4\r\n");
  EXPECT_EQ(Eval("return redis.sha1hex('abc')"), "$40\r\na9993e364706816aba3e25717850c26c9cd0d89d\r\n");
  EXPECT_EQ(Eval("return loadstring('return 2')()"), ":2\r\n");
  // The chunk's source is its code, so Redis names that as the place (checked against redis-server 7).
  const std::string script = "return loadstring('y = 1')()";
  EXPECT_EQ(Eval(script), "-ERR [string \"y = 1\"]:1: Attempt to modify a readonly table script: " +
                              server::ScriptEngine::Sha1Hex(script) + ", on y = 1:1.\r\n");
}

INSTANTIATE_TEST_SUITE_P(Resp, ScriptingTest, ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) { return info.param == RespVersion::kResp2 ? "Resp2" : "Resp3"; });

}  // namespace
}  // namespace sessionkv::testing

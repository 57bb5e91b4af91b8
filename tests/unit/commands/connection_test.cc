// SPDX-License-Identifier: Apache-2.0
// Connection commands and the dispatcher's own replies (unknown command, arity, auth, CLIENT REPLY).
#include <string>

#include "gtest/gtest.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

using protocol::RespValue;
using Type = protocol::RespValue::Type;

TEST(ConnectionTest, PingAndEcho) {
  CommandHarness h;
  EXPECT_EQ(h.RunRaw({"PING"}), "+PONG\r\n");
  EXPECT_EQ(h.RunRaw({"ping", "hi"}), "$2\r\nhi\r\n");
  EXPECT_EQ(h.RunRaw({"PING", "a", "b"}), "-ERR wrong number of arguments for 'ping' command\r\n");
  EXPECT_EQ(h.RunRaw({"ECHO", std::string("a\0b", 3)}), std::string("$3\r\na\0b\r\n", 9));
}

TEST(ConnectionTest, UnknownCommandAndArity) {
  CommandHarness h;
  EXPECT_EQ(h.RunRaw({"FOO", "a", "b"}),
            "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
  EXPECT_EQ(h.RunRaw({"foo"}), "-ERR unknown command 'foo', with args beginning with: \r\n");
  EXPECT_EQ(h.RunRaw({"ECHO"}), "-ERR wrong number of arguments for 'echo' command\r\n");
  EXPECT_EQ(h.RunRaw({"CLIENT", "NOPE"}), "-ERR unknown subcommand 'NOPE'. Try CLIENT HELP.\r\n");
  EXPECT_EQ(h.RunRaw({"CLIENT", "SETNAME"}),
            "-ERR wrong number of arguments for 'client|setname' command\r\n");
  EXPECT_EQ(h.RunRaw({"CLIENT"}), "-ERR wrong number of arguments for 'client' command\r\n");
  // A 200-byte name is cut at 128 bytes, as Redis does.
  const std::string long_name(200, 'x');
  EXPECT_EQ(h.RunRaw({long_name}),
            "-ERR unknown command '" + long_name.substr(0, 128) + "', with args beginning with: \r\n");
}

TEST(ConnectionTest, HelloSwitchesProtocol) {
  CommandHarness h;
  RespValue v = h.Run({"HELLO", "3"});
  ASSERT_EQ(v.type, Type::kMap) << v.ToString();
  ASSERT_EQ(v.elements.size(), 14u);
  EXPECT_EQ(v.elements[0].str, "server");
  EXPECT_EQ(v.elements[3].str, "7.2.4");
  EXPECT_EQ(v.elements[6].str, "id");
  EXPECT_EQ(v.elements[7].type, Type::kInteger) << "Lettuce casts id to Long";
  EXPECT_EQ(h.client().resp, protocol::RespVersion::kResp3);
  EXPECT_EQ(h.RunRaw({"HELLO", "4"}), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(h.RunRaw({"HELLO", "x"}), "-ERR Protocol version is not an integer or out of range\r\n");
  EXPECT_EQ(h.RunRaw({"HELLO", "3", "FOO"}), "-ERR Syntax error in HELLO option 'FOO'\r\n");
  h.Run({"HELLO", "2", "SETNAME", "app"});
  EXPECT_EQ(h.client().resp, protocol::RespVersion::kResp2);
  EXPECT_EQ(h.RunRaw({"CLIENT", "GETNAME"}), "$3\r\napp\r\n");
}

TEST(ConnectionTest, AuthWithRequirepass) {
  CommandHarness h;
  EXPECT_EQ(h.RunRaw({"AUTH", "x"}),
            "-ERR AUTH <password> called without any password configured for the default user. Are you "
            "sure your configuration is correct?\r\n");
  EXPECT_EQ(h.RunRaw({"AUTH", "default", "anything"}), "+OK\r\n") << "default user has no password";
  ASSERT_TRUE(h.config().Set({{"requirepass", "secret"}}).ok());
  h.client().authenticated = false;
  EXPECT_EQ(h.RunRaw({"TIME"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(h.RunRaw({"AUTH", "wrong"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(h.RunRaw({"HELLO", "3", "AUTH", "default", "wrong"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(h.RunRaw({"PING"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(h.RunRaw({"AUTH", "secret"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"PING"}), "+PONG\r\n");
}

TEST(ConnectionTest, Select) {
  CommandHarness h;
  EXPECT_EQ(h.RunRaw({"SELECT", "15"}), "+OK\r\n");
  EXPECT_EQ(h.client().db, 15);
  EXPECT_EQ(h.RunRaw({"SELECT", "16"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(h.RunRaw({"SELECT", "-1"}), "-ERR DB index is out of range\r\n");
  EXPECT_EQ(h.RunRaw({"SELECT", "a"}), "-ERR value is not an integer or out of range\r\n");
}

TEST(ConnectionTest, ClientReplyModes) {
  CommandHarness h;
  EXPECT_EQ(h.RunRaw({"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(h.RunRaw({"PING"}), "");
  EXPECT_EQ(h.RunRaw({"CLIENT", "REPLY", "ON"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"CLIENT", "REPLY", "SKIP"}), "");
  EXPECT_EQ(h.RunRaw({"PING"}), "");
  EXPECT_EQ(h.RunRaw({"PING"}), "+PONG\r\n");
}

TEST(ConnectionTest, ClientNames) {
  CommandHarness h;
  EXPECT_EQ(h.RunRaw({"CLIENT", "GETNAME"}), "$-1\r\n");
  EXPECT_EQ(h.RunRaw({"CLIENT", "SETNAME", "a b"}),
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  EXPECT_EQ(h.RunRaw({"CLIENT", "SETNAME", "web-1"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"CLIENT", "SETINFO", "lib-name", "Lettuce"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"CLIENT", "SETINFO", "lib-ver", "6.4.1.RELEASE/abc"}), "+OK\r\n");
  EXPECT_EQ(h.RunRaw({"CLIENT", "SETINFO", "bad", "x"}), "-ERR Unrecognized option 'bad'\r\n");
  const RespValue info = h.Run({"CLIENT", "INFO"});
  EXPECT_NE(info.str.find(" name=web-1 "), std::string::npos) << info.str;
  EXPECT_NE(info.str.find(" lib-name=Lettuce lib-ver=6.4.1.RELEASE/abc"), std::string::npos) << info.str;
}

}  // namespace
}  // namespace sessionkv::testing

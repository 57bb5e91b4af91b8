// SPDX-License-Identifier: Apache-2.0
// Transactions in process (server/commands/transactions.cc and the dispatcher's MULTI queueing): MULTI,
// EXEC, DISCARD, WATCH, UNWATCH replies and error texts, what aborts a transaction and what does not,
// which changes break a WATCH (one table over every modifying command of the families so far), expiry
// and flush rules, CLIENT INFO's multi fields, command statistics, the slow log and `in_exec`. Runs under
// RESP2 and RESP3; tests/integration/test_transactions.py covers the same through real clients, across
// I/O threads, and against Redis itself.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/command_context.h"
#include "tests/support/command_harness.h"

namespace sessionkv::testing {
namespace {

using protocol::RespValue;
using protocol::RespVersion;
using Type = protocol::RespValue::Type;
using Args = std::vector<std::string>;

constexpr char kExecAbort[] = "EXECABORT Transaction discarded because of previous errors.";
constexpr char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

class TransactionsTest : public ::testing::TestWithParam<RespVersion> {
 protected:
  TransactionsTest() : h_(GetParam()), other_(h_.AddClient(GetParam())) {}

  bool resp3() const { return GetParam() == RespVersion::kResp3; }
  std::string NullArray() const { return resp3() ? "_\r\n" : "*-1\r\n"; }

  std::string Status(const Args& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kSimpleString) << args[0] << ": " << v.ToString();
    return v.str;
  }
  std::string Error(const Args& args) {
    RespValue v = h_.Run(args);
    EXPECT_EQ(v.type, Type::kError) << args[0] << ": " << v.ToString();
    return v.str;
  }
  // Runs MULTI, the commands (each must answer QUEUED) and EXEC; returns EXEC's raw reply.
  std::string Transaction(const std::vector<Args>& commands) {
    EXPECT_EQ(Status({"MULTI"}), "OK");
    for (const Args& c : commands) EXPECT_EQ(Status(c), "QUEUED") << c[0];
    return h_.RunRaw({"EXEC"});
  }
  // EXEC's decoded reply after MULTI + commands.
  RespValue Exec(const std::vector<Args>& commands) {
    EXPECT_EQ(Status({"MULTI"}), "OK");
    for (const Args& c : commands) EXPECT_EQ(Status(c), "QUEUED") << c[0];
    return h_.Run({"EXEC"});
  }
  std::string Get(const std::string& key) { return h_.Run({"GET", key}).str; }
  std::string ClientInfo() { return h_.Run({"CLIENT", "INFO"}).str; }
  std::string Info(const std::string& section) { return h_.Run({"INFO", section}).str; }

  CommandHarness h_;
  server::ClientState& other_;  // a second connection
};

INSTANTIATE_TEST_SUITE_P(Resp, TransactionsTest,
                         ::testing::Values(RespVersion::kResp2, RespVersion::kResp3),
                         [](const auto& info) {
                           return info.param == RespVersion::kResp2 ? "Resp2" : "Resp3";
                         });

// ------------------------------------------------------------------------------- MULTI EXEC DISCARD

TEST_P(TransactionsTest, QueuesAndExecutesInOrder) {
  EXPECT_EQ(Transaction({{"SET", "k", "v"}, {"GET", "k"}, {"INCR", "n"}, {"INCR", "n"}}),
            "*4\r\n+OK\r\n$1\r\nv\r\n:1\r\n:2\r\n");
  EXPECT_EQ(Transaction({}), "*0\r\n");
  EXPECT_EQ(Get("k"), "v");
}

TEST_P(TransactionsTest, NothingRunsBeforeExec) {
  Status({"MULTI"});
  Status({"SET", "k", "v"});
  EXPECT_EQ(h_.RunAs(other_, {"EXISTS", "k"}).integer, 0) << "queued, not executed";
  EXPECT_EQ(h_.Run({"EXEC"}).elements.size(), 1u);
  EXPECT_EQ(h_.RunAs(other_, {"EXISTS", "k"}).integer, 1);
}

TEST_P(TransactionsTest, ErrorsOutsideAndInsideMulti) {
  EXPECT_EQ(Error({"EXEC"}), "ERR EXEC without MULTI");
  EXPECT_EQ(Error({"DISCARD"}), "ERR DISCARD without MULTI");
  Status({"MULTI"});
  EXPECT_EQ(Error({"MULTI"}), "ERR MULTI calls can not be nested");
  EXPECT_EQ(Error({"WATCH", "k"}), "ERR WATCH inside MULTI is not allowed");
  Status({"SET", "k", "v"});
  // Neither error dooms the transaction: they are the commands' own replies, not rejections.
  EXPECT_EQ(h_.RunRaw({"EXEC"}), "*1\r\n+OK\r\n");
}

TEST_P(TransactionsTest, RejectedCommandAbortsTheTransaction) {
  for (const Args& bad : std::vector<Args>{{"NOSUCH", "x"}, {"GET"}, {"OBJECT", "NOPE", "k"}}) {
    Status({"MULTI"});
    Status({"SET", "k", "v"});
    EXPECT_EQ(h_.Run(bad).type, Type::kError) << bad[0];
    EXPECT_EQ(Status({"SET", "k2", "v"}), "QUEUED") << "queueing goes on after the rejection";
    EXPECT_EQ(Error({"EXEC"}), kExecAbort);
    EXPECT_EQ(h_.Run({"EXISTS", "k", "k2"}).integer, 0) << "nothing ran";
    EXPECT_EQ(Error({"EXEC"}), "ERR EXEC without MULTI") << "EXECABORT ends MULTI";
  }
}

TEST_P(TransactionsTest, RuntimeErrorsAreElementsOfTheReply) {
  h_.Run({"SET", "str", "abc"});
  RespValue v = Exec({{"SADD", "str", "x"}, {"INCR", "str"}, {"SET", "after", "1"}, {"GET", "after"}});
  ASSERT_EQ(v.type, Type::kArray);
  ASSERT_EQ(v.elements.size(), 4u);
  EXPECT_EQ(v.elements[0].str, kWrongType);
  EXPECT_EQ(v.elements[1].str, "ERR value is not an integer or out of range");
  EXPECT_EQ(v.elements[2].str, "OK") << "commands after a failing one still run";
  EXPECT_EQ(v.elements[3].str, "1");
}

TEST_P(TransactionsTest, RejectedExecAbortsAndUnwatches) {
  const std::string arity =
      "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command";
  EXPECT_EQ(Error({"EXEC", "x"}), arity) << "even outside MULTI";
  Status({"WATCH", "k"});
  Status({"MULTI"});
  Status({"SET", "k", "v"});
  EXPECT_EQ(Error({"EXEC", "x"}), arity);
  EXPECT_EQ(Error({"EXEC"}), "ERR EXEC without MULTI") << "the transaction is gone";
  EXPECT_TRUE(h_.client().watched.empty()) << "and so are its watches";
  EXPECT_EQ(h_.Run({"EXISTS", "k"}).integer, 0);
  const std::string errors = Info("errorstats");
  EXPECT_NE(errors.find("errorstat_EXECABORT:count=2\r\n"), std::string::npos) << errors;
  if (!resp3()) {
    h_.Run({"SUBSCRIBE", "c"});
    EXPECT_EQ(h_.RunRaw({"EXEC"}),
              "-EXECABORT Transaction discarded because of: Can't execute 'exec': only (P|S)SUBSCRIBE / "
              "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
  }
  h_.server().acl.SetDefaultPassword("secret");  // the default user now needs a password
  h_.client().authenticated = false;
  EXPECT_EQ(h_.RunRaw({"EXEC"}),
            "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n");
}

TEST_P(TransactionsTest, NoMultiCommandsAreRejected) {
  // No command of ours carries no_multi yet (Redis: SAVE, SHUTDOWN, SYNC, PSYNC); a probe row does.
  h_.server().commands.Add({.name = "nomultiprobe", .arity = 1, .flags = "no_multi",
                            .handler = [](server::CommandContext& ctx) { ctx.reply().Ok(); }});
  EXPECT_EQ(Status({"NOMULTIPROBE"}), "OK");
  Status({"MULTI"});
  EXPECT_EQ(Error({"NOMULTIPROBE"}), "ERR Command not allowed inside a transaction");
  EXPECT_EQ(Error({"EXEC"}), kExecAbort);
}

TEST_P(TransactionsTest, DiscardDropsTheQueue) {
  Status({"MULTI"});
  Status({"SET", "k", "v"});
  EXPECT_EQ(Status({"DISCARD"}), "OK");
  EXPECT_EQ(h_.Run({"EXISTS", "k"}).integer, 0);
  EXPECT_EQ(Error({"EXEC"}), "ERR EXEC without MULTI");
  EXPECT_EQ(Status({"SET", "k", "v"}), "OK") << "no longer queueing";
}

TEST_P(TransactionsTest, SelectInsideMultiMovesLaterCommands) {
  EXPECT_EQ(Transaction({{"SET", "k", "zero"}, {"SELECT", "1"}, {"SET", "k", "one"}, {"GET", "k"}}),
            "*4\r\n+OK\r\n+OK\r\n+OK\r\n$3\r\none\r\n");
  EXPECT_EQ(h_.client().db, 1) << "the SELECT stays in effect after EXEC";
  EXPECT_EQ(Get("k"), "one");
  h_.Run({"SELECT", "0"});
  EXPECT_EQ(Get("k"), "zero");
}

TEST_P(TransactionsTest, ResetAndQuitRunAtOnce) {
  Status({"MULTI"});
  Status({"SET", "k", "v"});
  EXPECT_EQ(Status({"RESET"}), "RESET");
  EXPECT_EQ(Error({"EXEC"}), "ERR EXEC without MULTI");
  EXPECT_EQ(h_.Run({"EXISTS", "k"}).integer, 0);
  if (resp3()) h_.Run({"HELLO", "3"});  // RESET went back to RESP2

  Status({"MULTI"});
  EXPECT_EQ(Status({"QUIT"}), "OK");
  EXPECT_TRUE(h_.client().close_after_reply);
}

TEST_P(TransactionsTest, MonitorAndSubscribeInsideExec) {
  EXPECT_EQ(Transaction({{"MONITOR"}}), "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n");
  EXPECT_FALSE(h_.client().monitor);
  // SUBSCRIBE with two channels writes two confirmations into a one-element array, exactly as Redis does.
  const std::string header = resp3() ? ">3\r\n" : "*3\r\n";
  EXPECT_EQ(Transaction({{"SUBSCRIBE", "a", "b"}}),
            "*1\r\n" + header + "$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n" + header +
                "$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
  EXPECT_EQ(h_.client().subscription_count(), 2u);
}

TEST_P(TransactionsTest, InExecIsSetOnlyWhileQueuedCommandsRun) {
  h_.server().commands.Add({.name = "inexecprobe", .arity = 1, .flags = "fast",
                            .handler = [](server::CommandContext& ctx) {
                              ctx.reply().Integer(ctx.client().in_exec ? 1 : 0);
                            }});
  EXPECT_EQ(h_.Run({"INEXECPROBE"}).integer, 0);
  EXPECT_EQ(Transaction({{"INEXECPROBE"}, {"INEXECPROBE"}}), "*2\r\n:1\r\n:1\r\n");
  EXPECT_FALSE(h_.client().in_exec);
}

TEST_P(TransactionsTest, ClientInfoShowsTheQueue) {
  EXPECT_NE(ClientInfo().find(" flags=N "), std::string::npos);
  EXPECT_NE(ClientInfo().find(" multi=-1 "), std::string::npos);
  // Inside EXEC the client is still in MULTI with its whole queue, and cmd is exec (as in Redis).
  RespValue v = Exec({{"SET", "a", "1"}, {"CLIENT", "INFO"}});
  ASSERT_EQ(v.elements.size(), 2u);
  EXPECT_NE(v.elements[1].str.find(" flags=x "), std::string::npos) << v.elements[1].str;
  EXPECT_NE(v.elements[1].str.find(" multi=2 "), std::string::npos) << v.elements[1].str;
  EXPECT_NE(v.elements[1].str.find(" cmd=exec "), std::string::npos) << v.elements[1].str;
  EXPECT_NE(ClientInfo().find(" multi=-1 "), std::string::npos);
  EXPECT_EQ(h_.client().info->multi.load(), -1);
  Status({"MULTI"});
  Status({"SET", "a", "1"});
  EXPECT_EQ(h_.client().info->multi.load(), 1);
  EXPECT_GT(h_.client().info->multi_mem.load(), 0u);
  Status({"DISCARD"});
  EXPECT_EQ(h_.client().info->multi.load(), -1);
  EXPECT_EQ(h_.client().info->multi_mem.load(), 0u);

  // flag d: a watched key changed.
  Status({"WATCH", "w"});
  EXPECT_NE(ClientInfo().find(" flags=N "), std::string::npos);
  h_.RunAs(other_, {"SET", "w", "1"});
  EXPECT_NE(ClientInfo().find(" flags=d "), std::string::npos);
  Status({"UNWATCH"});
  EXPECT_NE(ClientInfo().find(" flags=N "), std::string::npos);
}

TEST_P(TransactionsTest, CommandStatsCountExecutedCommandsOnly) {
  h_.Run({"CONFIG", "RESETSTAT"});
  Status({"MULTI"});
  Status({"SET", "a", "1"});
  Status({"INCR", "a"});
  h_.Run({"GET"});  // rejected: counts as rejected_calls, and dooms the transaction
  Error({"EXEC"});
  Status({"MULTI"});
  Status({"SET", "a", "x"});
  Status({"INCR", "a"});
  h_.Run({"EXEC"});
  const std::string stats = Info("commandstats");
  auto line = [&](const std::string& command) {
    const size_t at = stats.find("cmdstat_" + command + ":");
    if (at == std::string::npos) return std::string("(none)");
    const std::string text = stats.substr(at, stats.find("\r\n", at) - at);
    // Drop the timings: cmdstat_x:calls=N,usec=...,usec_per_call=...,rejected_calls=R,failed_calls=F
    const size_t usec = text.find(",usec=");
    return text.substr(0, usec) + text.substr(text.find(",rejected_calls="));
  };
  EXPECT_EQ(line("multi"), "cmdstat_multi:calls=2,rejected_calls=0,failed_calls=0");
  EXPECT_EQ(line("exec"), "cmdstat_exec:calls=2,rejected_calls=0,failed_calls=1") << "the EXECABORT";
  EXPECT_EQ(line("get"), "cmdstat_get:calls=0,rejected_calls=1,failed_calls=0");
  EXPECT_EQ(line("set"), "cmdstat_set:calls=1,rejected_calls=0,failed_calls=0") << "aborted: never ran";
  EXPECT_EQ(line("incr"), "cmdstat_incr:calls=1,rejected_calls=0,failed_calls=1");
  // CONFIG RESETSTAT, MULTI, EXEC, MULTI, SET, INCR, EXEC, INFO commandstats.
  EXPECT_NE(Info("stats").find("total_commands_processed:8\r\n"), std::string::npos);
  const std::string errors = Info("errorstats");
  EXPECT_NE(errors.find("errorstat_EXECABORT:count=1\r\n"), std::string::npos) << errors;
  EXPECT_NE(errors.find("errorstat_ERR:count=2\r\n"), std::string::npos) << errors;
}

TEST_P(TransactionsTest, SlowLogHasTheQueuedCommandsNotExec) {
  h_.Run({"CONFIG", "SET", "slowlog-log-slower-than", "0"});
  h_.Run({"SLOWLOG", "RESET"});
  Transaction({{"SET", "a", "1"}, {"GET", "a"}});
  RespValue log = h_.Run({"SLOWLOG", "GET"});
  std::vector<std::string> names;
  for (const RespValue& entry : log.elements) names.push_back(entry.elements[3].elements[0].str);
  // Newest first; SLOWLOG RESET itself comes before the transaction.
  EXPECT_EQ(names, (std::vector<std::string>{"GET", "SET", "MULTI", "SLOWLOG"}));
}

// ------------------------------------------------------------------------------------------- WATCH

TEST_P(TransactionsTest, WatchFailsOnAnotherClientsChange) {
  h_.Run({"SET", "k", "1"});
  EXPECT_EQ(Status({"WATCH", "k"}), "OK");
  h_.RunAs(other_, {"SET", "k", "2"});
  EXPECT_EQ(Transaction({{"SET", "k", "3"}}), NullArray());
  EXPECT_EQ(Get("k"), "2") << "the transaction did not run";
  EXPECT_EQ(Error({"EXEC"}), "ERR EXEC without MULTI");
}

TEST_P(TransactionsTest, WatchFailsOnOwnChangeOutsideTheTransaction) {
  Status({"WATCH", "k"});
  h_.Run({"SET", "k", "mine"});
  EXPECT_EQ(Transaction({{"GET", "k"}}), NullArray());
}

TEST_P(TransactionsTest, WatchSucceedsWithoutChangesAndIgnoresItsOwnTransaction) {
  h_.Run({"SET", "k", "1"});
  Status({"WATCH", "k", "other"});
  h_.RunAs(other_, {"GET", "k"});
  h_.RunAs(other_, {"SET", "unrelated", "1"});
  EXPECT_EQ(Transaction({{"SET", "k", "2"}, {"DEL", "other"}}), "*2\r\n+OK\r\n:0\r\n");
  // EXEC unwatched: later changes matter no more.
  h_.RunAs(other_, {"SET", "k", "3"});
  EXPECT_EQ(Transaction({{"GET", "k"}}), "*1\r\n$1\r\n3\r\n");
}

TEST_P(TransactionsTest, UnwatchDiscardAndResetForgetWatches) {
  Status({"WATCH", "k"});
  h_.RunAs(other_, {"SET", "k", "1"});
  EXPECT_EQ(Status({"UNWATCH"}), "OK") << "also clears a watch that already failed";
  EXPECT_EQ(Transaction({{"GET", "k"}}), "*1\r\n$1\r\n1\r\n");

  Status({"WATCH", "k"});
  Status({"MULTI"});
  EXPECT_EQ(Status({"DISCARD"}), "OK");
  h_.RunAs(other_, {"SET", "k", "2"});
  EXPECT_EQ(Transaction({{"GET", "k"}}), "*1\r\n$1\r\n2\r\n");

  Status({"WATCH", "k"});
  h_.RunAs(other_, {"SET", "k", "3"});
  Status({"RESET"});
  if (resp3()) h_.Run({"HELLO", "3"});
  EXPECT_EQ(Transaction({{"GET", "k"}}), "*1\r\n$1\r\n3\r\n");
  EXPECT_EQ(Status({"UNWATCH"}), "OK") << "UNWATCH without watches";
}

TEST_P(TransactionsTest, ExecAbortWinsOverAFailedWatch) {
  Status({"WATCH", "k"});
  h_.RunAs(other_, {"SET", "k", "1"});
  Status({"MULTI"});
  h_.Run({"NOSUCH"});
  EXPECT_EQ(Error({"EXEC"}), kExecAbort);
}

TEST_P(TransactionsTest, WatchAfterAFailureAddsNothing) {
  Status({"WATCH", "a"});
  h_.RunAs(other_, {"SET", "a", "1"});
  EXPECT_EQ(Status({"WATCH", "b"}), "OK");
  EXPECT_EQ(h_.client().watched.size(), 1u) << "Redis adds no watch to a client that already failed";
  EXPECT_EQ(Transaction({{"PING"}}), NullArray());
}

TEST_P(TransactionsTest, WatchIsPerDatabase) {
  Status({"WATCH", "k"});
  h_.Run({"SELECT", "1"});
  Status({"WATCH", "k"});
  h_.RunAs(other_, {"SELECT", "2"});
  h_.RunAs(other_, {"SET", "k", "db2"});
  EXPECT_EQ(Transaction({{"PING"}}), "*1\r\n+PONG\r\n") << "db 2's k is not watched";

  Status({"WATCH", "k"});  // in db 1
  h_.Run({"SELECT", "0"});
  h_.RunAs(other_, {"SELECT", "1"});
  h_.RunAs(other_, {"SET", "k", "db1"});
  EXPECT_EQ(Transaction({{"PING"}}), NullArray()) << "a SELECT after WATCH does not move the watch";
}

TEST_P(TransactionsTest, TwoWatchersOfOneKeyBothFail) {
  server::ClientState& third = h_.AddClient(GetParam());
  Status({"WATCH", "k"});
  h_.RunAs(third, {"WATCH", "k"});
  h_.RunAs(other_, {"SET", "k", "1"});
  EXPECT_EQ(Transaction({{"PING"}}), NullArray());
  h_.RunAs(third, {"MULTI"});
  h_.RunAs(third, {"PING"});
  EXPECT_EQ(h_.RunRawAs(third, {"EXEC"}), NullArray());
}

TEST_P(TransactionsTest, DisconnectedWatcherLeavesNothingBehind) {
  server::ClientState& third = h_.AddClient(GetParam());
  h_.RunAs(third, {"WATCH", "k", "j"});
  server::UnwatchAllKeys(h_.keyspace(), third, server::WatchLocks::kTake);  // what Connection::Close does
  EXPECT_TRUE(third.watched.empty());
  for (int s = 0; s < h_.keyspace().num_shards(); ++s) {
    EXPECT_TRUE(h_.keyspace().shard(s).watches(0).empty());
  }
}

// One change per row, made by another client after WATCH k; `breaks` says whether Redis fails the EXEC.
struct ChangeCase {
  std::vector<Args> setup;  // run by the other client before WATCH
  Args change;              // run by the other client after WATCH
  bool breaks;
};

TEST_P(TransactionsTest, WhichChangesBreakAWatch) {
  const std::vector<ChangeCase> cases = {
      {{{"SET", "k", "v"}}, {"SET", "k", "v"}, true},
      {{}, {"SET", "k", "v"}, true},
      {{{"SET", "k", "v"}}, {"SET", "k", "x", "NX"}, false},
      {{}, {"SET", "k", "x", "XX"}, false},
      {{{"SET", "k", "v"}}, {"SETEX", "k", "10", "v"}, true},
      {{{"SET", "k", "v"}}, {"GETSET", "k", "x"}, true},
      {{{"SET", "k", "v"}}, {"GETDEL", "k"}, true},
      {{{"SET", "k", "v"}}, {"GETEX", "k", "EX", "100"}, true},
      {{{"SET", "k", "v"}}, {"GETEX", "k"}, false},
      {{{"SET", "k", "v"}}, {"MSET", "a", "1", "k", "2"}, true},
      {{}, {"MSETNX", "k", "1"}, true},
      {{{"SET", "k", "1"}}, {"INCR", "k"}, true},
      {{{"SET", "k", "1"}}, {"INCRBYFLOAT", "k", "1.5"}, true},
      {{{"SET", "k", "v"}}, {"APPEND", "k", "x"}, true},
      {{{"SET", "k", "v"}}, {"SETRANGE", "k", "0", "x"}, true},
      {{{"SET", "k", "v"}}, {"SETRANGE", "k", "0", ""}, false},
      {{{"SET", "k", "v"}}, {"GET", "k"}, false},
      {{{"SET", "k", "v"}}, {"DEL", "k"}, true},
      {{}, {"DEL", "k"}, false},
      {{{"SET", "k", "v"}}, {"UNLINK", "k"}, true},
      {{{"SET", "k", "v"}}, {"EXISTS", "k"}, false},
      {{{"SET", "k", "v"}}, {"TOUCH", "k"}, false},
      {{{"SET", "k", "v"}}, {"EXPIRE", "k", "100"}, true},
      {{{"SET", "k", "v"}}, {"EXPIRE", "k", "100", "XX"}, false},
      {{{"SET", "k", "v"}}, {"PEXPIREAT", "k", "1"}, true},
      {{{"SET", "k", "v", "EX", "100"}}, {"PERSIST", "k"}, true},
      {{{"SET", "k", "v"}}, {"PERSIST", "k"}, false},
      {{{"SET", "k", "v"}}, {"RENAME", "k", "dst"}, true},
      {{{"SET", "src", "v"}}, {"RENAME", "src", "k"}, true},
      {{{"SET", "src", "v"}}, {"RENAMENX", "src", "k"}, true},
      {{{"SET", "k", "v"}}, {"RENAME", "k", "k"}, false},
      {{{"SET", "k", "v"}}, {"MOVE", "k", "1"}, true},
      {{{"SET", "src", "v"}}, {"COPY", "src", "k"}, true},
      {{{"SET", "k", "v"}}, {"COPY", "k", "dst"}, false},
      {{{"SET", "k", "v"}}, {"FLUSHDB"}, true},
      {{}, {"FLUSHDB"}, false},
      {{{"SET", "k", "v"}}, {"FLUSHALL"}, true},
      {{{"SET", "other", "v"}}, {"FLUSHALL"}, false},
      {{{"SET", "k", "v"}}, {"SWAPDB", "0", "1"}, true},
      {{{"SELECT", "1"}, {"SET", "k", "v"}, {"SELECT", "0"}}, {"SWAPDB", "0", "1"}, true},
      {{{"SELECT", "1"}, {"SET", "x", "v"}, {"SELECT", "0"}}, {"SWAPDB", "0", "1"}, false},
      {{{"SADD", "k", "a"}}, {"SADD", "k", "b"}, true},
      {{{"SADD", "k", "a"}}, {"SADD", "k", "a"}, false},
      {{{"SADD", "k", "a", "b"}}, {"SREM", "k", "a"}, true},
      {{{"SADD", "k", "a"}}, {"SREM", "k", "z"}, false},
      {{{"SADD", "k", "a"}}, {"SPOP", "k"}, true},
      {{{"SADD", "s", "a"}}, {"SMOVE", "s", "k", "a"}, true},
      {{{"SADD", "k", "a"}}, {"SMOVE", "k", "d", "a"}, true},
      {{{"SADD", "s", "a"}}, {"SUNIONSTORE", "k", "s"}, true},
      {{{"SET", "k", "v"}}, {"SINTERSTORE", "k", "nokey"}, true},
      {{}, {"SDIFFSTORE", "k", "nokey"}, false},
  };
  for (const ChangeCase& c : cases) {
    h_.Run({"FLUSHALL"});
    for (const Args& a : c.setup) h_.RunAs(other_, a);
    Status({"WATCH", "k"});
    h_.RunAs(other_, c.change);
    EXPECT_EQ(Transaction({{"PING"}}), c.breaks ? NullArray() : "*1\r\n+PONG\r\n")
        << ::testing::PrintToString(c.change);
  }
}

TEST_P(TransactionsTest, WatchTouchesIgnoreNotifyKeyspaceEvents) {
  h_.Run({"CONFIG", "SET", "notify-keyspace-events", "KEA"});
  Status({"WATCH", "k"});
  h_.RunAs(other_, {"SET", "k", "1"});
  EXPECT_EQ(Transaction({{"PING"}}), NullArray());
  h_.Run({"CONFIG", "SET", "notify-keyspace-events", ""});
  Status({"WATCH", "k"});
  h_.RunAs(other_, {"SET", "k", "2"});
  EXPECT_EQ(Transaction({{"PING"}}), NullArray());
}

// ------------------------------------------------------------------------------------ WATCH expiry

TEST_P(TransactionsTest, KeyThatExpiresAfterWatchFailsExec) {
  h_.Run({"SET", "k", "v", "PX", "100"});
  Status({"WATCH", "k"});
  h_.clock().Advance(200);  // expired, not yet deleted by anyone
  EXPECT_EQ(Transaction({{"PING"}}), NullArray());

  h_.Run({"SET", "k", "v", "PX", "100"});
  Status({"WATCH", "k"});
  h_.clock().Advance(200);
  EXPECT_EQ(h_.ExpireDue(), 1u);  // the expiry timer deletes it
  EXPECT_EQ(Transaction({{"PING"}}), NullArray());

  h_.Run({"SET", "k", "v", "PX", "100"});
  Status({"WATCH", "k"});
  h_.clock().Advance(200);
  EXPECT_EQ(h_.RunAs(other_, {"GET", "k"}).type, Type::kNull);  // lazy expiry deletes it
  EXPECT_EQ(Transaction({{"PING"}}), NullArray());
}

TEST_P(TransactionsTest, KeyAlreadyExpiredAtWatchDoesNotFailExec) {
  auto watch_expired = [&] {
    h_.Run({"SET", "k", "v", "PX", "100"});
    h_.clock().Advance(200);  // logically expired, still stored
    Status({"WATCH", "k"});
  };
  watch_expired();
  EXPECT_EQ(Transaction({{"PING"}}), "*1\r\n+PONG\r\n");
  watch_expired();
  EXPECT_EQ(h_.ExpireDue(), 1u);
  EXPECT_EQ(Transaction({{"PING"}}), "*1\r\n+PONG\r\n") << "its deletion is no logical change";
  watch_expired();
  h_.RunAs(other_, {"GET", "k"});
  EXPECT_EQ(Transaction({{"PING"}}), "*1\r\n+PONG\r\n");
  watch_expired();
  h_.RunAs(other_, {"FLUSHALL"});
  EXPECT_EQ(Transaction({{"PING"}}), "*1\r\n+PONG\r\n") << "flushing an expired key changes nothing";
  watch_expired();
  h_.RunAs(other_, {"SET", "k", "new"});
  EXPECT_EQ(Transaction({{"PING"}}), NullArray()) << "but a new value is a change";
}

TEST_P(TransactionsTest, SwapDbWithExpiredKeys) {
  // A missing watched key replaced by an already expired one: still missing to any reader.
  h_.RunAs(other_, {"SELECT", "1"});
  h_.RunAs(other_, {"SET", "k", "v", "PX", "100"});
  h_.clock().Advance(200);
  Status({"WATCH", "k"});
  h_.RunAs(other_, {"SWAPDB", "0", "1"});
  EXPECT_EQ(Transaction({{"PING"}}), "*1\r\n+PONG\r\n");
  // A live key swapped in is a change.
  h_.Run({"FLUSHALL"});
  h_.RunAs(other_, {"SET", "k", "live"});  // other_ is in db 1
  Status({"WATCH", "k"});
  h_.RunAs(other_, {"SWAPDB", "0", "1"});
  EXPECT_EQ(Transaction({{"PING"}}), NullArray());
}

// -------------------------------------------------------------------------------------- atomicity

TEST_P(TransactionsTest, WholeDatabaseCommandsInsideExec) {
  h_.Run({"SET", "a", "1"});
  h_.Run({"SET", "b", "2"});
  EXPECT_EQ(Transaction({{"DBSIZE"}, {"FLUSHDB"}, {"DBSIZE"}, {"SET", "c", "3"}, {"KEYS", "*"}}),
            "*5\r\n:2\r\n+OK\r\n:0\r\n+OK\r\n*1\r\n$1\r\nc\r\n");
  EXPECT_EQ(Transaction({{"SWAPDB", "0", "1"}, {"DBSIZE"}, {"SELECT", "1"}, {"DBSIZE"}}),
            "*4\r\n+OK\r\n:0\r\n+OK\r\n:1\r\n");
}

TEST_P(TransactionsTest, ExecHoldsEveryShardItNeedsAndReleasesThem) {
  // Keys spread over every shard; after EXEC every shard lock must be free again.
  std::vector<Args> commands;
  for (int i = 0; i < 32; ++i) commands.push_back({"INCR", "key" + std::to_string(i)});
  Status({"WATCH", "w1", "w2"});
  RespValue v = Exec(commands);
  ASSERT_EQ(v.elements.size(), 32u);
  for (int s = 0; s < h_.keyspace().num_shards(); ++s) {
    ASSERT_TRUE(h_.keyspace().shard(s).mutex().try_lock()) << "shard " << s << " left locked";
    h_.keyspace().shard(s).mutex().unlock();
    EXPECT_TRUE(h_.keyspace().shard(s).watches(0).empty()) << "EXEC dropped the watches";
  }
}

TEST_P(TransactionsTest, HelloInsideExecSwitchesTheRestOfTheReply) {
  const std::string raw = Transaction({{"HELLO", resp3() ? "2" : "3"}, {"GET", "missing"}});
  EXPECT_EQ(raw.substr(0, 4), "*2\r\n");
  EXPECT_EQ(raw.substr(raw.size() - 5), resp3() ? "$-1\r\n" : "\r\n_\r\n");
}

}  // namespace
}  // namespace sessionkv::testing

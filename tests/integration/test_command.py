# SPDX-License-Identifier: Apache-2.0
"""COMMAND (COUNT INFO DOCS GETKEYS LIST HELP) and rename-command against the real server: the command
table as clients (redis-py, Lettuce's command discovery) and operators read it. Every expectation was
checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis); what differs in 7.2 is marked @needs_redis_72.
"""
from support.server import _problem_count, main, needs_redis_72
from support.server_commands import SYNTAX, ServerCase, parse_info, unknown_subcommand
from test_protocol import OK, bulk, decode, unknown_command, wrong_args

GET_KEY_SPEC = [b"flags", ["RO", "access"], b"begin_search", [b"type", b"index", b"spec", [b"index", 1]],
                b"find_keys", [b"type", b"range", b"spec", [b"lastkey", 0, b"keystep", 1, b"limit", 0]]]


class Command(ServerCase):
    def cmd_info(self, *names):
        return decode(self.c.cmd("COMMAND", "INFO", *names))

    def test_count_matches_the_table(self):
        count = decode(self.c.cmd("COMMAND", "COUNT"))
        self.assertIsInstance(count, int)
        everything = self.cmd_info()
        self.assertEqual(len(everything), count)
        names = [entry[0] for entry in everything]
        self.assertEqual(len(set(names)), count)
        self.assertLessEqual({b"get", b"set", b"ping", b"config", b"client", b"command", b"info"}, set(names))
        self.assertEqual(self.c.cmd("COMMAND", "COUNT", "x"), wrong_args("command|count"))

    def test_bare_command_lists_every_command(self):
        # redis-py's cluster client and cluster proxies call COMMAND without arguments.
        everything = decode(self.c.cmd("COMMAND"))
        self.assertIsInstance(everything, list, everything)
        self.assertEqual(len(everything), decode(self.c.cmd("COMMAND", "COUNT")))
        self.assertEqual(sorted(e[0] for e in everything), sorted(e[0] for e in self.cmd_info()))

    def test_info_get_and_set(self):
        get, set_ = self.cmd_info("get", "set")
        self.assertEqual(len(get), 10)
        self.assertEqual(get[:7], [b"get", 2, ["readonly", "fast"], 1, 1, 1, ["@read", "@string", "@fast"]])
        self.assertEqual(get[7], [])
        self.assertEqual(get[8], [GET_KEY_SPEC])
        self.assertEqual(get[9], [])
        self.assertEqual(len(set_), 10)
        self.assertEqual(set_[:7],
                         [b"set", -3, ["write", "denyoom"], 1, 1, 1, ["@write", "@string", "@slow"]])
        self.assertEqual(set_[9], [])

    def test_info_more_commands(self):
        cases = {
            "mset": [b"mset", -3, ["write", "denyoom"], 1, -1, 2, ["@write", "@string", "@slow"]],
            "ping": [b"ping", -1, ["fast"], 0, 0, 0, ["@fast", "@connection"]],
            "del": [b"del", -2, ["write"], 1, -1, 1, ["@keyspace", "@write", "@slow"]],
            "expire": [b"expire", -3, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"]],
            "info": [b"info", -1, ["loading", "stale"], 0, 0, 0, ["@slow", "@dangerous"]],
            "hello": [b"hello", -1, ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
                      0, 0, 0, ["@fast", "@connection"]],
            "auth": [b"auth", -2, ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], 0, 0, 0,
                     ["@fast", "@connection"]],
        }
        for name, expected in cases.items():
            with self.subTest(name=name):
                self.assertEqual(self.cmd_info(name)[0][:7], expected)

    def test_info_tips(self):
        # Cluster clients and proxies route by these (request_policy, response_policy).
        cases = {
            "del": [b"request_policy:multi_shard", b"response_policy:agg_sum"],
            "keys": [b"request_policy:all_shards", b"nondeterministic_output_order"],
            "info": [b"nondeterministic_output", b"request_policy:all_shards", b"response_policy:special"],
            "mget": [b"request_policy:multi_shard"],
            "ttl": [b"nondeterministic_output"],
            "smembers": [b"nondeterministic_output_order"],
            "config|set": [b"request_policy:all_nodes", b"response_policy:all_succeeded"],
            "slowlog|len": [b"request_policy:all_nodes", b"response_policy:agg_sum", b"nondeterministic_output"],
            "get": [],
        }
        for name, tips in cases.items():
            with self.subTest(name=name):
                self.assertEqual(self.cmd_info(name)[0][7], tips)

    @needs_redis_72
    def test_info_tips_72(self):
        # 7.2 added or changed these (7.0: msetnx multi_shard/agg_min; no tips for setname, resetstat).
        cases = {
            "msetnx": [],
            "randomkey": [b"request_policy:all_shards", b"response_policy:special", b"nondeterministic_output"],
            "scan": [b"nondeterministic_output", b"request_policy:special", b"response_policy:special"],
            "client|setname": [b"request_policy:all_nodes", b"response_policy:all_succeeded"],
            "config|resetstat": [b"request_policy:all_nodes", b"response_policy:all_succeeded"],
            "latency|reset": [b"request_policy:all_nodes", b"response_policy:agg_sum"],
        }
        for name, tips in cases.items():
            with self.subTest(name=name):
                self.assertEqual(self.cmd_info(name)[0][7], tips)

    def test_info_key_specs(self):
        def spec(flags, index, find, notes=None):
            head = [b"notes", notes] if notes else []
            return head + [b"flags", flags, b"begin_search", [b"type", b"index", b"spec", [b"index", index]],
                           b"find_keys", find]

        def rng(lastkey, keystep=1):
            return [b"type", b"range", b"spec", [b"lastkey", lastkey, b"keystep", keystep, b"limit", 0]]
        cases = {
            "set": [spec(["RW", "access", "update", "variable_flags"], 1, rng(0),
                         b"RW and ACCESS due to the optional `GET` argument")],
            "getex": [spec(["RW", "access", "update"], 1, rng(0), b"RW and UPDATE because it changes the TTL")],
            "mset": [spec(["OW", "update"], 1, rng(-1, 2))],
            "rename": [spec(["RW", "access", "delete"], 1, rng(0)), spec(["OW", "update"], 2, rng(0))],
            "sdiffstore": [spec(["OW", "update"], 1, rng(0)), spec(["RO", "access"], 2, rng(-1))],
            "sintercard": [spec(["RO", "access"], 1, [b"type", b"keynum", b"spec",
                                                      [b"keynumidx", 0, b"firstkey", 1, b"keystep", 1]])],
            "memory|usage": [spec(["RO"], 2, rng(0))],
        }
        for name, specs in cases.items():
            with self.subTest(name=name):
                self.assertEqual(self.cmd_info(name)[0][8], specs)

    def test_info_flags_and_categories(self):
        self.assertEqual(self.cmd_info("echo")[0][2:7], [["loading", "stale", "fast"], 0, 0, 0,
                                                         ["@fast", "@connection"]])
        self.assertEqual(self.cmd_info("memory|usage")[0][2:7], [["readonly"], 2, 2, 1, ["@read", "@slow"]])

    def test_info_is_case_insensitive_and_nil_for_unknown(self):
        self.assertEqual(self.cmd_info("GET")[0][0], b"get")
        self.assertEqual(self.c.cmd("COMMAND", "INFO", "nosuch"), b"*1\r\n$-1\r\n")
        self.assertEqual(self.cmd_info("nosuch", "get")[0], None)

    def test_info_of_a_container(self):
        config = self.cmd_info("config")[0]
        self.assertEqual(config[:7], [b"config", -2, [], 0, 0, 0, ["@slow"]])
        subs = {entry[0]: entry for entry in config[9]}
        self.assertLessEqual(
            {b"config|get", b"config|set", b"config|resetstat", b"config|rewrite", b"config|help"}, set(subs))
        self.assertEqual(subs[b"config|get"][:7],
                         [b"config|get", -3, ["admin", "noscript", "loading", "stale"], 0, 0, 0,
                          ["@admin", "@slow", "@dangerous"]])
        self.assertEqual(self.cmd_info("config|get")[0][:7], subs[b"config|get"][:7])
        self.assertEqual(self.cmd_info("CONFIG|GET")[0][0], b"config|get")
        self.assertEqual(self.cmd_info("config|nosuch", "get|x", "config|get|x", "config|"), [None] * 4)
        self.assertEqual(self.cmd_info("client|id")[0][:7],
                         [b"client|id", 2, ["noscript", "loading", "stale"], 0, 0, 0,
                          ["@slow", "@connection"]])

    def test_docs(self):
        reply = decode(self.c.cmd("COMMAND", "DOCS", "get"))
        self.assertEqual(reply[0], b"get")
        docs = {reply[1][i].decode(): reply[1][i + 1] for i in range(0, len(reply[1]), 2)}
        self.assertLessEqual({"summary", "since", "group"}, set(docs))
        self.assertEqual(docs["since"], b"1.0.0")
        self.assertEqual(docs["group"], b"string")
        self.assertTrue(docs["summary"])
        self.assertEqual(self.c.cmd("COMMAND", "DOCS", "nosuch"), b"*0\r\n")
        reply = decode(self.c.cmd("COMMAND", "DOCS", "config|get", "config|nosuch"))
        self.assertEqual(reply[0], b"config|get")
        docs = {reply[1][i].decode(): reply[1][i + 1] for i in range(0, len(reply[1]), 2)}
        self.assertEqual((docs["since"], docs["group"]), (b"2.0.0", b"server"))
        self.assertEqual(len(reply), 2)

    @needs_redis_72
    def test_docs_summary_72(self):
        # Redis 7.2 rewrote the summaries (7.0: "Get the value of a key").
        summaries = {
            "get": b"Returns the string value of a key.",
            "set": b"Sets the string value of a key, ignoring its type. The key is created if it doesn't "
                   b"exist.",
            "del": b"Deletes one or more keys.",
            "expire": b"Sets the expiration time of a key in seconds.",
            "ttl": b"Returns the expiration time in seconds of a key.",
            "flushdb": b"Remove all keys from the current database.",
            "object|encoding": b"Returns the internal encoding of a Redis object.",
            "slowlog|help": b"Show helpful text about the different subcommands",
            "client|id": b"Returns the unique client ID of the connection.",
        }
        reply = decode(self.c.cmd("COMMAND", "DOCS", *summaries))
        got = {}
        for i in range(0, len(reply), 2):
            fields = {reply[i + 1][j].decode(): reply[i + 1][j + 1] for j in range(0, len(reply[i + 1]), 2)}
            got[reply[i].decode()] = fields["summary"]
        self.assertEqual(got, summaries)

    def test_docs_resp3_is_a_map(self):
        self.c.cmd("HELLO", "3")
        docs = decode(self.c.cmd("COMMAND", "DOCS", "set"))
        self.assertEqual(list(docs), ["set"])
        self.assertEqual(docs["set"]["group"], b"string")

    def test_getkeys(self):
        self.assertEqual(decode(self.c.cmd("COMMAND", "GETKEYS", "set", "a", "b")), [b"a"])
        self.assertEqual(decode(self.c.cmd("COMMAND", "GETKEYS", "mset", "a", "b", "c", "d")), [b"a", b"c"])
        self.assertEqual(decode(self.c.cmd("COMMAND", "GETKEYS", "GET", "k")), [b"k"])
        self.assertEqual(decode(self.c.cmd("COMMAND", "GETKEYS", "del", "a", "b", "c")), [b"a", b"b", b"c"])

    def test_getkeys_errors(self):
        self.assertEqual(self.c.cmd("COMMAND", "GETKEYS", "nosuch", "a"),
                         b"-ERR Invalid command specified\r\n")
        self.assertEqual(self.c.cmd("COMMAND", "GETKEYS", "get", "a", "b"),
                         b"-ERR Invalid number of arguments specified for command\r\n")
        self.assertEqual(self.c.cmd("COMMAND", "GETKEYS", "set", "a"),
                         b"-ERR Invalid number of arguments specified for command\r\n")
        self.assertEqual(self.c.cmd("COMMAND", "GETKEYS", "ping", "x"),
                         b"-ERR The command has no key arguments\r\n")
        self.assertEqual(self.c.cmd("COMMAND", "GETKEYS", "config", "get", "x"),
                         b"-ERR The command has no key arguments\r\n")
        self.assertEqual(self.c.cmd("COMMAND", "GETKEYS"), wrong_args("command|getkeys"))

    @needs_redis_72
    def test_getkeys_of_a_bare_command(self):
        # Redis 7.2 lowered COMMAND GETKEYS's arity to -3 (7.0: -4 and a wrong-arity error), so a command
        # without its arguments reaches the checks on the command itself.
        self.assertEqual(self.c.cmd("COMMAND", "GETKEYS", "get"),
                         b"-ERR Invalid number of arguments specified for command\r\n")
        self.assertEqual(self.c.cmd("COMMAND", "GETKEYS", "ping"), b"-ERR The command has no key arguments\r\n")
        self.assertEqual(self.cmd_info("command|getkeys")[0][1], -3)

    def test_list(self):
        names = [n.decode() for n in decode(self.c.cmd("COMMAND", "LIST"))]
        self.assertEqual(len(names), len(set(names)))
        self.assertLessEqual({"get", "set", "ping", "config|get", "client|setname", "command|info"},
                             set(names))
        top = [n for n in names if "|" not in n]
        self.assertEqual(len(top), decode(self.c.cmd("COMMAND", "COUNT")))
        pattern = [n.decode() for n in decode(self.c.cmd("COMMAND", "LIST", "FILTERBY", "PATTERN", "get*"))]
        self.assertIn("get", pattern)
        self.assertTrue(all(n.startswith("get") for n in pattern), pattern)
        reply = self.c.cmd("COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection")
        connection = [n.decode() for n in decode(reply)]
        self.assertLessEqual({"ping", "echo", "hello", "auth", "select", "client|id"}, set(connection))
        self.assertNotIn("get", connection)
        self.assertEqual(self.c.cmd("COMMAND", "LIST", "FILTERBY", "MODULE", "x"), b"*0\r\n")
        self.assertEqual(self.c.cmd("COMMAND", "LIST", "FILTERBY", "x", "y"), SYNTAX)
        self.assertEqual(self.c.cmd("COMMAND", "LIST", "x"), SYNTAX)

    def test_errors_and_help(self):
        self.assertEqual(self.c.cmd("COMMAND", "foo"), unknown_subcommand("foo", "COMMAND"))
        self.assertHelp("COMMAND", required=["COUNT", "LIST", "INFO", "DOCS", "GETKEYS"], redis_lines=[
            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
            "HELP",
            "    Prints this help."])


# ---------------------------------------------------------------------------------------------
# rename-command
# ---------------------------------------------------------------------------------------------
class RenameCommand(ServerCase):
    CONFIG = {"rename-command": ['FLUSHALL ""', "CONFIG MYCONFIG"]}

    def setUp(self):
        # The base class starts with FLUSHALL, which this server does not have.
        self._problems_at_start = _problem_count(self)
        self.r = self.server.client()
        self.c = self.conn()
        self.c.cmd("FLUSHDB")

    def test_removed_command_is_unknown(self):
        self.assertEqual(self.c.cmd("FLUSHALL"), unknown_command(b"FLUSHALL"))
        self.assertEqual(self.c.cmd("flushall", "ASYNC"), unknown_command(b"flushall", b"ASYNC"))
        self.assertEqual(self.c.cmd("COMMAND", "INFO", "flushall"), b"*1\r\n$-1\r\n")

    def test_renamed_command_works_under_its_new_name_only(self):
        self.assertEqual(self.c.cmd("MYCONFIG", "GET", "port"),
                         b"*2\r\n$4\r\nport\r\n" + bulk(str(self.server.port).encode()))
        self.assertEqual(self.c.cmd("myconfig", "SET", "slowlog-max-len", "128"), OK)
        self.assertEqual(self.c.cmd("CONFIG", "GET", "port"), unknown_command(b"CONFIG", b"GET", b"port"))
        self.assertEqual(self.c.cmd("COMMAND", "INFO", "config"), b"*1\r\n$-1\r\n")
        # The command keeps its original name everywhere but in the lookup: COMMAND INFO, arity errors
        # and commandstats say "config"; the unknown-subcommand hint repeats what the client typed.
        entry = decode(self.c.cmd("COMMAND", "INFO", "myconfig"))[0]
        self.assertEqual(entry[:2], [b"config", -2])
        self.assertEqual(self.c.cmd("MYCONFIG"), wrong_args("config"))
        self.assertEqual(self.c.cmd("MYCONFIG", "GET"), wrong_args("config|get"))
        self.assertEqual(self.c.cmd("myconfig", "nosuch"), unknown_subcommand("nosuch", "MYCONFIG"))
        self.assertEqual(self.c.cmd("MYCONFIG", "RESETSTAT"), OK)
        self.assertEqual(list(parse_info(self.info("commandstats"))["Commandstats"]), ["cmdstat_config|resetstat"])

    def test_other_commands_unaffected(self):
        self.assertEqual(self.c.cmd("SET", "k", "v"), OK)
        self.assertEqual(self.c.cmd("FLUSHDB"), OK)
        self.assertEqual(self.c.cmd("DBSIZE"), b":0\r\n")


if __name__ == "__main__":
    main()

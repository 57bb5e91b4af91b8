# SPDX-License-Identifier: Apache-2.0
"""Integration tests for the server and introspection commands: TIME, DBSIZE, SLOWLOG, LATENCY, MEMORY
USAGE, MONITOR, CONFIG (GET SET RESETSTAT REWRITE HELP), maxmemory with noeviction and a bad config file.
INFO is in test_info.py, COMMAND and rename-command in test_command.py.

Every expectation was checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis); what differs in 7.2
is marked @needs_redis_72. Values that depend on the implementation (memory sizes, timings) are
checked for shape and consistency, not pinned.
"""
import os
import re
import subprocess
import tempfile
import time

from support.server import SERVER_BIN, ServerTestCase, TARGET, main
from support.server_commands import (BAD_COUNT, CONFIG_FAILED, NOT_INTEGER, OOM, PERCENTILES, SYNTAX,
                                     ServerCase, unknown_subcommand)
from test_protocol import OK, PONG, bulk, decode, encode, wrong_args


# ---------------------------------------------------------------------------------------------
# TIME DBSIZE
# ---------------------------------------------------------------------------------------------
class TimeAndDbsize(ServerCase):
    def test_time(self):
        before = time.time()
        reply = self.c.cmd("TIME")
        after = time.time()
        m = re.match(rb"^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$", reply)
        self.assertIsNotNone(m, reply)
        seconds, micros = int(m.group(1)), int(m.group(2))
        self.assertLess(micros, 1000000)
        self.assertGreaterEqual(seconds + micros / 1e6, before - 1)
        self.assertLessEqual(seconds + micros / 1e6, after + 1)
        self.assertEqual(self.c.cmd("TIME", "x"), wrong_args("time"))

    def test_time_moves_forward(self):
        first = [int(x) for x in decode(self.c.cmd("TIME"))]
        time.sleep(0.01)
        second = [int(x) for x in decode(self.c.cmd("TIME"))]
        self.assertGreater(second, first)

    def test_dbsize(self):
        self.assertEqual(self.c.cmd("DBSIZE"), b":0\r\n")
        self.r.mset({"a": 1, "b": 2, "c": 3})
        self.assertEqual(self.c.cmd("DBSIZE"), b":3\r\n")
        self.c.cmd("SELECT", "5")
        self.assertEqual(self.c.cmd("DBSIZE"), b":0\r\n")
        self.c.cmd("SET", "x", "y")
        self.assertEqual(self.c.cmd("DBSIZE"), b":1\r\n")
        self.assertEqual(self.c.cmd("DBSIZE", "x"), wrong_args("dbsize"))


# ---------------------------------------------------------------------------------------------
# SLOWLOG
# ---------------------------------------------------------------------------------------------
class Slowlog(ServerCase):
    def setUp(self):
        super().setUp()
        self.c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "0")
        self.c.cmd("SLOWLOG", "RESET")

    def tearDown(self):
        admin = self.server.raw()
        admin.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128")
        admin.close()
        super().tearDown()

    def entries(self, *count):
        return decode(self.c.cmd("SLOWLOG", "GET", *count))

    def test_reset_len_get(self):
        # SLOWLOG RESET is itself logged after it empties the log (setUp ran one).
        self.assertEqual(self.c.cmd("SLOWLOG", "LEN"), b":1\r\n")
        self.assertEqual(self.c.cmd("SLOWLOG", "RESET"), OK)
        self.assertEqual(self.c.cmd("SLOWLOG", "LEN"), b":1\r\n")
        entries = self.entries()
        self.assertEqual([e[3] for e in entries], [[b"SLOWLOG", b"LEN"], [b"SLOWLOG", b"RESET"]])

    def test_entry_shape(self):
        self.c.cmd("CLIENT", "SETNAME", "slowpoke")
        before = int(time.time())
        self.c.cmd("SET", "k", "v")
        after = int(time.time())
        entry = self.entries("1")[0]
        self.assertEqual(len(entry), 6)
        entry_id, timestamp, duration, args, addr, name = entry
        self.assertIsInstance(entry_id, int)
        self.assertTrue(before - 1 <= timestamp <= after + 1, timestamp)
        self.assertIsInstance(duration, int)
        self.assertGreaterEqual(duration, 0)
        self.assertEqual(args, [b"SET", b"k", b"v"])
        self.assertEqual(addr, b"%s:%d" % (self.c.sock.getsockname()[0].encode(),
                                           self.c.sock.getsockname()[1]))
        self.assertEqual(name, b"slowpoke")

    def test_newest_first_with_increasing_ids(self):
        for i in range(5):
            self.c.cmd("ECHO", str(i))
        entries = self.entries("5")
        self.assertEqual([e[3] for e in entries], [[b"ECHO", b"%d" % i] for i in (4, 3, 2, 1, 0)])
        ids = [e[0] for e in entries]
        self.assertEqual(ids, list(range(ids[0], ids[0] - 5, -1)))

    def test_ids_survive_reset(self):
        self.c.cmd("PING")
        last = self.entries("1")[0][0]
        self.c.cmd("SLOWLOG", "RESET")
        self.assertGreater(self.entries("1")[0][0], last)

    def test_count_argument(self):
        for i in range(15):
            self.c.cmd("PING")
        self.assertEqual(len(self.entries()), 10)
        self.assertEqual(len(self.entries("3")), 3)
        self.assertEqual(len(self.entries("0")), 0)
        self.assertEqual(len(self.entries("-1")), 19)  # RESET, 15 PINGs, three GETs
        self.assertEqual(len(self.entries("1000")), 20)

    def test_max_len(self):
        self.c.cmd("CONFIG", "SET", "slowlog-max-len", "3")
        for _ in range(10):
            self.c.cmd("PING")
        self.assertEqual(self.c.cmd("SLOWLOG", "LEN"), b":3\r\n")

    def test_long_arguments_are_cut(self):
        self.c.cmd("SET", "k", b"x" * 200)
        self.assertEqual(self.entries("1")[0][3], [b"SET", b"k", b"x" * 128 + b"... (72 more bytes)"])
        self.c.cmd("ECHO", b"y" * 129)
        self.assertEqual(self.entries("1")[0][3], [b"ECHO", b"y" * 128 + b"... (1 more bytes)"])
        self.c.cmd("ECHO", b"z" * 128)
        self.assertEqual(self.entries("1")[0][3], [b"ECHO", b"z" * 128])

    def test_many_arguments_are_cut(self):
        args = ["a%d" % i for i in range(40)]
        self.c.cmd("MSET", *args)
        logged = self.entries("1")[0][3]
        self.assertEqual(len(logged), 32)
        self.assertEqual(logged[:31], [b"MSET"] + [a.encode() for a in args[:30]])
        self.assertEqual(logged[31], b"... (10 more arguments)")

    def test_failed_commands_are_logged(self):
        self.c.cmd("SET", "k", "v", "NX", "XX")
        self.assertEqual(self.entries("1")[0][3], [b"SET", b"k", b"v", b"NX", b"XX"])

    def test_secrets_are_redacted(self):
        self.c.cmd("AUTH", "pw")
        self.assertEqual(self.entries("1")[0][3], [b"AUTH", b"(redacted)"])
        self.c.cmd("AUTH", "default", "pw")
        self.assertEqual(self.entries("1")[0][3], [b"AUTH", b"(redacted)", b"(redacted)"])
        self.c.cmd("HELLO", "2", "AUTH", "default", "pw", "SETNAME", "n")
        self.assertEqual(self.entries("1")[0][3],
                         [b"HELLO", b"2", b"AUTH", b"(redacted)", b"(redacted)", b"SETNAME", b"n"])

    def test_errors(self):
        self.assertEqual(self.c.cmd("SLOWLOG", "GET", "x"), BAD_COUNT)
        self.assertEqual(self.c.cmd("SLOWLOG", "GET", "-2"), BAD_COUNT)
        extra = b"-ERR unknown subcommand or wrong number of arguments for '%s'. Try SLOWLOG HELP.\r\n"
        self.assertEqual(self.c.cmd("SLOWLOG", "GET", "1", "2"), extra % b"GET")
        self.assertEqual(self.c.cmd("SLOWLOG", "gEt", "1", "2"), extra % b"gEt")
        self.assertEqual(self.c.cmd("SLOWLOG", "LEN", "x"), wrong_args("slowlog|len"))
        self.assertEqual(self.c.cmd("SLOWLOG", "RESET", "x"), wrong_args("slowlog|reset"))
        self.assertEqual(self.c.cmd("SLOWLOG"), wrong_args("slowlog"))
        self.assertEqual(self.c.cmd("SLOWLOG", "foo"), unknown_subcommand("foo", "SLOWLOG"))

    def test_help(self):
        self.assertHelp("SLOWLOG", required=["GET", "LEN", "RESET"], redis_lines=[
            "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
            "HELP",
            "    Prints this help."])

    def test_threshold_disables_logging(self):
        self.c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "-1")
        self.c.cmd("SLOWLOG", "RESET")
        self.c.cmd("PING")
        self.assertEqual(self.c.cmd("SLOWLOG", "LEN"), b":0\r\n")
        self.c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000000")
        self.c.cmd("PING")
        self.assertEqual(self.c.cmd("SLOWLOG", "LEN"), b":0\r\n")


# ---------------------------------------------------------------------------------------------
# LATENCY MEMORY
# ---------------------------------------------------------------------------------------------
class Latency(ServerCase):
    def test_latency_histogram(self):
        self.c.cmd("CONFIG", "RESETSTAT")
        for _ in range(10):
            self.c.cmd("SET", "k", "v")
        self.c.cmd("CONFIG", "GET", "maxmemory")
        r = self.server.client()
        hist = r.execute_command("LATENCY", "HISTOGRAM", "set", "nosuch", "config")
        # redis-py 4.3 returns the RESP2 map as a flat list: name, [calls, n, histogram_usec, [bound, cum...]]
        entries = dict(zip(hist[0::2], hist[1::2]))
        self.assertEqual(sorted(entries), [b"config|get", b"config|resetstat", b"set"])
        fields = dict(zip(entries[b"set"][0::2], entries[b"set"][1::2]))
        self.assertEqual(fields[b"calls"], 10)
        buckets = fields[b"histogram_usec"]
        bounds, counts = buckets[0::2], buckets[1::2]
        self.assertEqual(bounds, sorted(bounds))
        self.assertEqual(counts, sorted(counts))
        self.assertEqual(counts[-1], 10)
        # Each bound is the top of the HdrHistogram sub-bucket holding a power of two from 1024 ns.
        powers = {((1 << k) * 1024 + ((1 << k) * 1024 >> 7) - 1) // 1000 for k in range(21)}
        self.assertTrue(set(bounds) <= powers, bounds)
        self.assertEqual(r.execute_command("LATENCY", "HISTOGRAM", "nosuch"), [])
        everything = r.execute_command("LATENCY", "HISTOGRAM")
        self.assertIn(b"set", everything[0::2])
        self.assertEqual(self.c.cmd("HELLO", "3")[:1], b"%")
        self.assertTrue(self.c.cmd("LATENCY", "HISTOGRAM", "set").startswith(b"%1\r\n$3\r\nset\r\n%2\r\n"))
        r.close()

    def test_latest_history_reset(self):
        self.assertEqual(self.c.cmd("LATENCY", "LATEST"), b"*0\r\n")
        self.assertEqual(self.c.cmd("LATENCY", "HISTORY", "command"), b"*0\r\n")
        self.assertEqual(self.c.cmd("LATENCY", "RESET"), b":0\r\n")
        self.assertEqual(self.c.cmd("LATENCY", "RESET", "command"), b":0\r\n")

    def test_errors(self):
        self.assertEqual(self.c.cmd("LATENCY", "foo"), unknown_subcommand("foo", "LATENCY"))
        self.assertEqual(self.c.cmd("LATENCY", "LATEST", "x"), wrong_args("latency|latest"))
        self.assertEqual(self.c.cmd("LATENCY", "HISTORY"), wrong_args("latency|history"))
        self.assertEqual(self.c.cmd("LATENCY"), wrong_args("latency"))

    def test_help(self):
        self.assertHelp("LATENCY", required=["LATEST", "HISTORY", "RESET"], redis_lines=[
            "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the "
            "specified command names.",
            "    If no commands are specified then all histograms are replied.",
            "HELP",
            "    Prints this help."])


class Memory(ServerCase):
    def usage(self, *args):
        return decode(self.c.cmd("MEMORY", "USAGE", *args))

    def test_usage_of_existing_and_missing_keys(self):
        self.r.set("k", "v")
        small = self.usage("k")
        self.assertIsInstance(small, int)
        self.assertGreaterEqual(small, 2)
        self.r.set("big", b"x" * 10000)
        self.assertGreaterEqual(self.usage("big"), 10000)
        self.assertLess(self.usage("big"), 20000)
        self.assertEqual(self.c.cmd("MEMORY", "USAGE", "nokey"), b"$-1\r\n")
        self.c.cmd("HELLO", "3")
        self.assertEqual(self.c.cmd("MEMORY", "USAGE", "nokey"), b"_\r\n")

    def test_usage_follows_the_selected_db_and_expiry(self):
        self.r.set("k", "v", px=50)
        self.c.cmd("SELECT", "1")
        self.assertEqual(self.c.cmd("MEMORY", "USAGE", "k"), b"$-1\r\n")
        self.c.cmd("SELECT", "0")
        self.assertIsInstance(self.usage("k"), int)
        time.sleep(0.15)
        self.assertEqual(self.c.cmd("MEMORY", "USAGE", "k"), b"$-1\r\n")

    def test_samples_option(self):
        self.r.set("k", "v")
        plain = self.usage("k")
        self.assertEqual(self.usage("k", "SAMPLES", "5"), plain)
        self.assertEqual(self.usage("k", "samples", "0"), plain)
        self.assertEqual(self.c.cmd("MEMORY", "USAGE", "k", "SAMPLES", "x"), NOT_INTEGER)
        self.assertEqual(self.c.cmd("MEMORY", "USAGE", "k", "SAMPLES", "-1"), SYNTAX)
        self.assertEqual(self.c.cmd("MEMORY", "USAGE", "k", "SAMPLES"), SYNTAX)
        self.assertEqual(self.c.cmd("MEMORY", "USAGE", "k", "FOO", "1"), SYNTAX)

    def test_errors_and_help(self):
        self.assertEqual(self.c.cmd("MEMORY", "USAGE"), wrong_args("memory|usage"))
        self.assertEqual(self.c.cmd("MEMORY"), wrong_args("memory"))
        self.assertEqual(self.c.cmd("MEMORY", "foo"), b"-ERR unknown subcommand 'foo'. Try MEMORY HELP.\r\n")
        self.assertHelp("MEMORY", required=["USAGE"], redis_lines=[
            "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
            "HELP",
            "    Prints this help."])


# ---------------------------------------------------------------------------------------------
# MONITOR
# ---------------------------------------------------------------------------------------------
MONITOR_LINE = re.compile(rb"^\+(\d+)\.(\d{6}) \[(\d+) ([0-9.]+):(\d+)\] (.*)\r\n$")


class Monitor(ServerCase):
    def start_monitor(self):
        mon = self.conn()
        self.assertEqual(mon.cmd("MONITOR"), OK)
        return mon

    def feed(self, mon):
        """The next MONITOR line as (seconds, db, "ip:port", args text)."""
        line = mon.reply()
        m = MONITOR_LINE.match(line)
        self.assertIsNotNone(m, line)
        seconds = float(m.group(1) + b"." + m.group(2))
        return seconds, int(m.group(3)), b"%s:%s" % (m.group(4), m.group(5)), m.group(6)

    def addr(self, conn):
        return b"%s:%d" % (conn.sock.getsockname()[0].encode(), conn.sock.getsockname()[1])

    def test_shows_commands_of_other_clients(self):
        mon = self.start_monitor()
        c = self.conn()
        before = time.time()
        c.cmd("set", "k", "v")
        seconds, db, addr, args = self.feed(mon)
        self.assertLess(abs(seconds - before), 2)
        self.assertEqual((db, addr, args), (0, self.addr(c), b'"set" "k" "v"'))

    def test_db_and_order(self):
        mon = self.start_monitor()
        c = self.conn()
        c.cmd("SELECT", "3")
        c.cmd("GET", "k")
        c.cmd("ECHO", "a b")
        self.assertEqual(self.feed(mon)[1:], (3, self.addr(c), b'"SELECT" "3"'))
        self.assertEqual(self.feed(mon)[1:], (3, self.addr(c), b'"GET" "k"'))
        self.assertEqual(self.feed(mon)[1:], (3, self.addr(c), b'"ECHO" "a b"'))

    def test_arguments_are_quoted_like_sdscatrepr(self):
        mon = self.start_monitor()
        c = self.conn()
        c.cmd("SET", "k", b'v a"\x00\r\n\xff\\\t\x07\x08')
        self.assertEqual(self.feed(mon)[3], b'"SET" "k" "v a\\"\\x00\\r\\n\\xff\\\\\\t\\a\\b"')

    def test_hidden_and_redacted_commands(self):
        mon = self.start_monitor()
        c = self.conn()
        c.cmd("CONFIG", "GET", "port")  # admin: not shown
        c.cmd("SLOWLOG", "LEN")  # admin: not shown
        c.cmd("nosuch")  # rejected before execution: not shown
        c.cmd("GET")  # idem
        c.cmd("AUTH", "pw")
        c.cmd("HELLO", "2", "AUTH", "default", "pw")
        c.cmd("SET", "k", "v", "NX", "XX")  # runs and fails: shown
        self.assertEqual(self.feed(mon)[3], b'"AUTH" "(redacted)"')
        self.assertEqual(self.feed(mon)[3], b'"HELLO" "2" "AUTH" "(redacted)" "(redacted)"')
        self.assertEqual(self.feed(mon)[3], b'"SET" "k" "v" "NX" "XX"')

    def test_inline_commands_are_shown_as_arguments(self):
        mon = self.start_monitor()
        c = self.conn()
        c.send(b'ECHO "x y"\r\n')
        c.reply()
        self.assertEqual(self.feed(mon)[3], b'"ECHO" "x y"')

    def test_several_monitors_and_quit(self):
        mon1, mon2 = self.start_monitor(), self.start_monitor()
        self.conn().cmd("PING")
        self.assertEqual(self.feed(mon1)[3], b'"PING"')
        self.assertEqual(self.feed(mon2)[3], b'"PING"')
        self.assertEqual(mon1.cmd("QUIT"), OK)
        self.assertTrue(mon1.is_closed())
        self.assertEqual(self.feed(mon2)[3], b'"QUIT"')
        self.conn().cmd("ECHO", "still")
        self.assertEqual(self.feed(mon2)[3], b'"ECHO" "still"')

    def test_monitor_client_can_ping(self):
        mon = self.start_monitor()
        mon.send(encode("PING"))
        self.assertEqual(mon.reply(), PONG)
        self.assertEqual(self.feed(mon)[3], b'"PING"')


# ---------------------------------------------------------------------------------------------
# CONFIG
# ---------------------------------------------------------------------------------------------
class Config(ServerCase):
    def get(self, *patterns):
        value = decode(self.c.cmd("CONFIG", "GET", *patterns))
        return {value[i].decode(): value[i + 1].decode() for i in range(0, len(value), 2)}

    def test_get_one(self):
        self.assertEqual(self.c.cmd("CONFIG", "GET", "port"),
                         b"*2\r\n$4\r\nport\r\n" + bulk(str(self.server.port).encode()))
        self.assertEqual(self.get("databases"), {"databases": "16"})
        # An exact (non-glob) name comes back as it was asked.
        self.assertEqual(self.get("DATABASES"), {"DATABASES": "16"})
        self.assertEqual(self.c.cmd("CONFIG", "GET", "nosuch"), b"*0\r\n")

    def test_get_glob(self):
        got = self.get("max*")
        self.assertTrue(all(k.startswith("max") for k in got), got)
        self.assertEqual(got["maxclients"], "10000")
        self.assertEqual(self.get("MAXCLIENT[rs]"), {"maxclients": "10000"})
        got = self.get("*slower*")
        self.assertEqual(got, {"slowlog-log-slower-than": "10000"})
        self.assertEqual(self.get("slowlog-max-le?"), {"slowlog-max-len": "128"})

    def test_get_several_patterns(self):
        self.assertEqual(self.get("port", "databases"), {"port": str(self.server.port), "databases": "16"})
        self.assertEqual(self.c.cmd("CONFIG", "GET", "port", "port"),
                         b"*2\r\n$4\r\nport\r\n" + bulk(str(self.server.port).encode()))
        both = self.get("maxmemory*", "maxmemory")
        self.assertEqual(len(decode(self.c.cmd("CONFIG", "GET", "maxmemory*", "maxmemory"))), 2 * len(both))

    def test_get_star(self):
        everything = self.get("*")
        self.assertEqual(everything["port"], str(self.server.port))
        self.assertEqual(everything["databases"], "16")
        self.assertEqual(everything["maxclients"], "10000")
        self.assertEqual(everything["bind"], "127.0.0.1")
        self.assertEqual(everything["dir"], os.path.realpath(self.server.dir))
        self.assertIn("notify-keyspace-events", everything)

    def test_get_resp3_map(self):
        self.c.cmd("HELLO", "3")
        self.assertEqual(self.c.cmd("CONFIG", "GET", "databases"), b"%1\r\n$9\r\ndatabases\r\n$2\r\n16\r\n")
        self.assertEqual(self.c.cmd("CONFIG", "GET", "nosuch"), b"%0\r\n")

    def test_set_several_at_once(self):
        try:
            self.assertEqual(self.c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "5000",
                                        "slowlog-max-len", "64"), OK)
            self.assertEqual(self.get("slowlog*"),
                             {"slowlog-log-slower-than": "5000", "slowlog-max-len": "64"})
            self.assertEqual(self.c.cmd("CONFIG", "SET", "SLOWLOG-MAX-LEN", "32"), OK)
            self.assertEqual(self.get("slowlog-max-len"), {"slowlog-max-len": "32"})
        finally:
            self.c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128")

    def test_set_is_all_or_nothing(self):
        reply = self.c.cmd("CONFIG", "SET", "slowlog-max-len", "5", "protected-mode", "maybe")
        self.assertEqual(reply, b"-ERR CONFIG SET failed (possibly related to argument 'protected-mode') - "
                                b"argument must be 'yes' or 'no'\r\n")
        self.assertEqual(self.get("slowlog-max-len"), {"slowlog-max-len": "128"})

    def test_set_errors(self):
        failed = CONFIG_FAILED
        self.assertEqual(self.c.cmd("CONFIG", "SET", "nosuch", "1"),
                         b"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n")
        self.assertEqual(self.c.cmd("CONFIG", "SET", "slowlog-max-len", "x"),
                         failed % (b"slowlog-max-len", b"argument couldn't be parsed into an integer"))
        self.assertEqual(self.c.cmd("CONFIG", "SET", "slowlog-max-len", "-5"),
                         failed % (b"slowlog-max-len",
                                   b"argument must be between 0 and 9223372036854775807 inclusive"))
        self.assertEqual(self.c.cmd("CONFIG", "SET", "timeout", "-1"),
                         failed % (b"timeout", b"argument must be between 0 and 2147483647 inclusive"))
        self.assertEqual(self.c.cmd("CONFIG", "SET", "slowlog-max-len", "1", "slowlog-max-len", "2"),
                         failed % (b"slowlog-max-len", b"duplicate parameter"))
        self.assertEqual(self.c.cmd("CONFIG", "SET", "notify-keyspace-events", "Z?"),
                         failed % (b"notify-keyspace-events",
                                   b"Invalid event class character. Use 'Ag$lshzxeKEtmdn'."))
        self.assertEqual(self.c.cmd("CONFIG", "SET", "slowlog-max-len", "1", "timeout"), SYNTAX)
        self.assertEqual(self.c.cmd("CONFIG", "SET", "databases", "5"),
                         failed % (b"databases", b"can't set immutable config"))
        self.assertEqual(self.c.cmd("CONFIG", "SET", "slowlog-max-len"), wrong_args("config|set"))
        self.assertEqual(self.c.cmd("CONFIG", "GET"), wrong_args("config|get"))
        self.assertEqual(self.c.cmd("CONFIG"), wrong_args("config"))
        self.assertEqual(self.c.cmd("CONFIG", "FOO"), b"-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n")
        self.assertEqual(self.get("slowlog-max-len", "timeout"), {"slowlog-max-len": "128", "timeout": "0"})

    def test_hz_is_clamped(self):
        try:
            self.assertEqual(self.c.cmd("CONFIG", "SET", "hz", "0"), OK)
            self.assertEqual(self.get("hz"), {"hz": "1"})
            self.assertEqual(self.c.cmd("CONFIG", "SET", "hz", "100000"), OK)
            self.assertEqual(self.get("hz"), {"hz": "500"})
        finally:
            self.c.cmd("CONFIG", "SET", "hz", "10")

    def test_maxmemory(self):
        # Operators and redis_exporter set and read maxmemory and its policy.
        try:
            self.assertEqual(self.c.cmd("CONFIG", "SET", "maxmemory", "10mb", "maxmemory-policy",
                                        "noeviction"), OK)
            self.assertEqual(self.get("maxmemory", "maxmemory-policy"),
                             {"maxmemory": "10485760", "maxmemory-policy": "noeviction"})
            self.assertLessEqual({"maxmemory", "maxmemory-policy"}, set(self.get("max*")))
            self.assertEqual(self.c.cmd("CONFIG", "SET", "maxmemory", "1gb"), OK)
            self.assertEqual(self.get("maxmemory"), {"maxmemory": "1073741824"})
            self.assertEqual(self.c.cmd("CONFIG", "SET", "maxmemory", "x"),
                             CONFIG_FAILED % (b"maxmemory", b"argument must be a memory value"))
            reply = self.c.cmd("CONFIG", "SET", "maxmemory", "5mb", "maxmemory-policy", "bad")
            self.assertEqual(reply, CONFIG_FAILED % (
                b"maxmemory-policy", b"argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                b"volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"))
            self.assertEqual(self.get("maxmemory"), {"maxmemory": "1073741824"})
        finally:
            self.c.cmd("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction")

    def test_every_policy_is_accepted(self):
        # Eviction itself: test_eviction.py.
        try:
            for policy in ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                           "allkeys-lfu", "allkeys-random", "noeviction"):
                self.assertEqual(self.c.cmd("CONFIG", "SET", "maxmemory-policy", policy), OK)
                self.assertEqual(self.get("maxmemory-policy"), {"maxmemory-policy": policy})
        finally:
            self.c.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction")

    def test_noeviction_refuses_writes_that_may_grow_memory(self):
        self.c.cmd("SET", "k", "v")
        self.c.cmd("CONFIG", "RESETSTAT")
        try:
            # One byte: the server is always over it. Commands flagged denyoom are refused; reads, deletes,
            # other writes and admin commands still run.
            self.assertEqual(self.c.cmd("CONFIG", "SET", "maxmemory", "1"), OK)
            self.assertEqual(self.c.cmd("SET", "k2", "v"), OOM)
            self.assertEqual(self.c.cmd("APPEND", "k", "x"), OOM)
            self.assertEqual(self.c.cmd("INCR", "n"), OOM)
            self.assertEqual(self.c.cmd("SET"), wrong_args("set"))  # arity is checked first
            self.assertEqual(self.c.cmd("GET", "k"), bulk(b"v"))
            self.assertEqual(self.c.cmd("EXPIRE", "k", "100"), b":1\r\n")
            self.assertEqual(self.c.cmd("DEL", "k"), b":1\r\n")
            self.assertEqual(self.c.cmd("INFO", "cluster"), bulk(b"# Cluster\r\ncluster_enabled:0\r\n"))
        finally:
            self.assertEqual(self.c.cmd("CONFIG", "SET", "maxmemory", "0"), OK)
        self.assertEqual(self.c.cmd("SET", "k2", "v"), OK)
        fields = self.info_fields("commandstats", "errorstats")
        self.assertEqual(fields["errorstat_OOM"], "count=3")
        self.assertRegex(fields["cmdstat_set"], r"^calls=1,.*,rejected_calls=2,failed_calls=0$")
        self.assertRegex(fields["cmdstat_append"], r"^calls=0,.*,rejected_calls=1,failed_calls=0$")

    def test_noeviction_with_room_left(self):
        try:
            self.assertEqual(self.c.cmd("CONFIG", "SET", "maxmemory", "100gb"), OK)
            self.assertEqual(self.c.cmd("SET", "k", "v"), OK)
        finally:
            self.c.cmd("CONFIG", "SET", "maxmemory", "0")

    def test_latency_tracking_percentiles(self):
        try:
            self.assertEqual(self.get("latency-tracking*"), {"latency-tracking": "yes",
                                                             PERCENTILES: "50 99 99.9"})
            self.assertEqual(self.c.cmd("CONFIG", "SET", PERCENTILES, "50.5000 1e1"), OK)
            self.assertEqual(self.get(PERCENTILES), {PERCENTILES: "50.5 10"})
            name = PERCENTILES.encode()
            invalid = CONFIG_FAILED % (name, b"Invalid %s parameters" % name)
            for bad in ("x", " 50", "50  60", "nan"):
                self.assertEqual(self.c.cmd("CONFIG", "SET", PERCENTILES, bad), invalid)
            self.assertEqual(self.c.cmd("CONFIG", "SET", PERCENTILES, "101"),
                             CONFIG_FAILED % (name, b"%s parameters should sit between [0.0,100.0]" % name))
            self.assertEqual(self.c.cmd("CONFIG", "SET", PERCENTILES, ""), OK)
            self.assertEqual(self.get(PERCENTILES), {PERCENTILES: ""})
            self.assertEqual(self.c.cmd("CONFIG", "SET", "latency-tracking", "maybe"),
                             CONFIG_FAILED % (b"latency-tracking", b"argument must be 'yes' or 'no'"))
        finally:
            self.c.cmd("CONFIG", "SET", PERCENTILES, "50 99 99.9")

    def test_set_notify_keyspace_events(self):
        # Spring Session's ConfigureNotifyKeyspaceEventsAction: GET, then SET with the union of flags.
        try:
            self.assertEqual(self.get("notify-keyspace-events"), {"notify-keyspace-events": ""})
            self.assertEqual(self.c.cmd("CONFIG", "SET", "notify-keyspace-events", "Egx"), OK)
            self.assertEqual(self.get("notify-keyspace-events"), {"notify-keyspace-events": "gxE"})
        finally:
            self.c.cmd("CONFIG", "SET", "notify-keyspace-events", "")

    def test_help(self):
        self.assertHelp("CONFIG", required=["GET", "SET", "RESETSTAT", "REWRITE"], redis_lines=[
            "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
            "HELP",
            "    Prints this help."])

    def test_rewrite(self):
        with open(self.server.conf_path) as f:
            before = f.read()
        try:
            self.assertEqual(self.c.cmd("CONFIG", "SET", "slowlog-max-len", "77"), OK)
            self.assertEqual(self.c.cmd("CONFIG", "REWRITE"), OK)
            with open(self.server.conf_path) as f:
                after = f.read()
            self.assertNotEqual(before, after)
            lines = after.splitlines()
            self.assertIn("slowlog-max-len 77", lines)
            self.assertIn("port %d" % self.server.port, lines)
            # Redis writes this one on every rewrite, default or not.
            self.assertIn("latency-tracking-info-percentiles 50 99 99.9", lines)
            self.assertEqual(self.c.cmd("CONFIG", "REWRITE", "x"), wrong_args("config|rewrite"))
        finally:
            self.c.cmd("CONFIG", "SET", "slowlog-max-len", "128")
            self.c.cmd("CONFIG", "REWRITE")


class BadConfig(ServerTestCase):
    """An unknown directive stops the start with its line number, as Redis does. No server of its own."""

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        self._problems_at_start = 0

    def tearDown(self):
        pass

    def start(self, text):
        binary = "redis-server" if TARGET == "redis" else SERVER_BIN
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write(text)
        try:
            p = subprocess.run([binary, f.name], capture_output=True, text=True, timeout=20)
        finally:
            os.unlink(f.name)
        return p.returncode, p.stdout + p.stderr

    def test_unknown_directive(self):
        code, out = self.start("port 0\n# comment\nnosuchdirective yes\n")
        self.assertEqual(code, 1)
        self.assertIn("*** FATAL CONFIG FILE ERROR", out)
        self.assertIn("at line 3", out)
        self.assertIn(">>> 'nosuchdirective yes'", out)
        self.assertIn("Bad directive or wrong number of arguments", out)

    def test_bad_maxmemory_policy(self):
        code, out = self.start("port 0\nmaxmemory-policy lru\n")
        self.assertEqual(code, 1)
        self.assertIn("at line 2", out)
        self.assertIn(">>> 'maxmemory-policy lru'", out)
        self.assertIn("argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                      "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction", out)


if __name__ == "__main__":
    main()

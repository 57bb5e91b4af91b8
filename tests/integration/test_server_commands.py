# SPDX-License-Identifier: Apache-2.0
"""Integration tests for the server and introspection commands: INFO (sections and the fields that
Spring Boot's health check and Redis exporters read), TIME, DBSIZE, SLOWLOG, LATENCY, MEMORY USAGE,
MONITOR, CONFIG (GET SET RESETSTAT REWRITE HELP), maxmemory with noeviction, COMMAND (COUNT INFO DOCS
GETKEYS LIST HELP), rename-command and a bad config file.

Every expectation was checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis); what differs in 7.2
is marked @needs_redis_72. Values that depend on the implementation (memory sizes, timings) are
checked for shape and consistency, not pinned.
"""
import os
import re
import subprocess
import tempfile
import time

from support.server import (SERVER_BIN, TARGET, ServerTestCase, _problem_count, main, needs_redis_72,
                            sessionkv_only)
from test_protocol import OK, PONG, bulk, decode, encode, unknown_command, wrong_args

SYNTAX = b"-ERR syntax error\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
BAD_COUNT = b"-ERR count should be greater than or equal to -1\r\n"
CONFIG_FAILED = b"-ERR CONFIG SET failed (possibly related to argument '%s') - %s\r\n"
OOM = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
PERCENTILES = "latency-tracking-info-percentiles"


def unknown_subcommand(sub, container):
    return b"-ERR unknown subcommand '%s'. Try %s HELP.\r\n" % (sub.encode(), container.encode())
DEFAULT_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules",
                    "Errorstats", "Cluster", "Keyspace"]
ALL_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules",
                "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"]


def help_entries(lines):
    """HELP lines -> (header, [(subcommand name, [its lines])]) : an entry starts at a line that is not
    indented and runs until the next one."""
    header, entries = lines[0], []
    for line in lines[1:]:
        if line.startswith(" "):
            entries[-1][1].append(line)
        else:
            entries.append((line.split(" ")[0], [line]))
    return header, entries


def parse_info(text):
    """INFO text -> {section: {key: value}} in order; asserts the line format on the way."""
    sections = {}
    current = None
    assert text.endswith("\r\n"), repr(text[-20:])
    for line in text[:-2].split("\r\n"):
        if line.startswith("# "):
            current = line[2:]
            sections[current] = {}
        elif line:
            assert current is not None and ":" in line, line
            key, _, value = line.partition(":")
            sections[current][key] = value
    return sections


def properties_load(text):
    """What java.util.Properties.load (Spring Boot's health indicator) makes of the INFO text: '#' lines
    are comments; the key ends at the first '=', ':' or whitespace; a backslash escapes."""
    result = {}
    for line in text.splitlines():
        line = line.lstrip(" \t\f")
        if not line or line[0] in "#!":
            continue
        m = re.match(r"((?:[^=:\s\\]|\\.)*)\s*[=:]?\s*(.*)$", line)
        result[m.group(1)] = m.group(2)
    return result


def stat_fields(value):
    """"calls=1,usec=2,usec_per_call=2.00" -> {"calls": "1", ...}"""
    return dict(item.split("=", 1) for item in value.split(","))


class ServerCase(ServerTestCase):
    """Raw connections per test, closed afterwards."""

    def setUp(self):
        super().setUp()
        self._conns = []
        self.c = self.conn()

    def tearDown(self):
        for conn in self._conns:
            conn.close()
        super().tearDown()

    def conn(self):
        conn = self.server.raw()
        self._conns.append(conn)
        return conn

    def info(self, *sections, conn=None):
        raw = (conn or self.c).cmd("INFO", *sections)
        self.assertTrue(raw.startswith(b"$"), raw[:200])
        return decode(raw).decode()

    def assertHelp(self, container, redis_lines, required):
        """CONTAINER HELP answers with Redis's header and, for each subcommand it lists, Redis's exact
        entry, in Redis's order. Only subcommands that exist may be listed (a server may lack some of
        Redis's), and `required` ones must be."""
        reply = decode(self.c.cmd(container, "HELP"))
        self.assertIsInstance(reply, list, reply)
        header, entries = help_entries(reply)
        redis_header, redis_entries = help_entries(redis_lines)
        self.assertEqual(header, redis_header)
        redis_order = [name for name, _ in redis_entries]
        names = [name for name, _ in entries]
        self.assertEqual(names, [n for n in redis_order if n in names], "unknown or reordered entries")
        self.assertLessEqual(set(required) | {"HELP"}, set(names))
        self.assertEqual(entries, [e for e in redis_entries if e[0] in names])
        unknown = b"-ERR unknown subcommand"
        for name in names:
            if name.startswith("("):  # "(no subcommand)"
                continue
            with self.subTest(subcommand=name):
                self.assertFalse(self.c.cmd(container, name).startswith(unknown), "listed but missing")

    def info_fields(self, *sections):
        merged = {}
        for fields in parse_info(self.info(*sections)).values():
            merged.update(fields)
        return merged


# ---------------------------------------------------------------------------------------------
# INFO
# ---------------------------------------------------------------------------------------------
class InfoSections(ServerCase):
    def sections(self, *args):
        return list(parse_info(self.info(*args)))

    def test_default_sections(self):
        self.assertEqual(self.sections(), DEFAULT_SECTIONS)
        self.assertEqual(self.sections("default"), DEFAULT_SECTIONS)

    def test_all_and_everything(self):
        self.assertEqual(self.sections("all"), ALL_SECTIONS)
        self.assertEqual(self.sections("everything"), ALL_SECTIONS)

    def test_single_section_exact_framing(self):
        self.assertEqual(self.c.cmd("INFO", "cluster"), bulk(b"# Cluster\r\ncluster_enabled:0\r\n"))
        self.assertEqual(self.c.cmd("INFO", "modules"), bulk(b"# Modules\r\n"))
        self.assertEqual(self.c.cmd("INFO", "keyspace"), bulk(b"# Keyspace\r\n"))

    def test_several_sections_come_in_canonical_order(self):
        self.assertEqual(self.c.cmd("INFO", "keyspace", "cluster"),
                         bulk(b"# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n"))
        self.assertEqual(self.sections("keyspace", "server"), ["Server", "Keyspace"])
        self.assertEqual(self.sections("SERVER", "Clients", "nosuch"), ["Server", "Clients"])
        self.assertEqual(self.sections("cluster", "cluster"), ["Cluster"])
        self.assertEqual(self.sections("default", "commandstats"),
                         DEFAULT_SECTIONS[:8] + ["Commandstats"] + DEFAULT_SECTIONS[8:])

    def test_unknown_section_is_empty(self):
        self.assertEqual(self.c.cmd("INFO", "nosuch"), b"$0\r\n\r\n")

    def test_every_section_alone(self):
        for name in ALL_SECTIONS:
            with self.subTest(section=name):
                self.assertEqual(self.sections(name.lower()), [name])

    def test_resp3_is_a_verbatim_string(self):
        self.c.cmd("HELLO", "3")
        self.assertEqual(self.c.cmd("INFO", "cluster"), b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n")

    def test_parseable_as_java_properties(self):
        # Spring Boot's RedisHealthIndicator loads INFO into java.util.Properties and reads redis_version.
        self.r.set("k", "v")
        self.c.cmd("GET", "k")
        self.c.cmd("CLIENT", "ID")
        text = self.info("everything")
        for line in text.split("\r\n"):
            if not line or line.startswith("# "):
                continue
            key = line.partition(":")[0]
            self.assertRegex(key, r"^[A-Za-z0-9_|.\-]+$", line)
            self.assertNotIn("\\", line)
        props = properties_load(text)
        self.assertRegex(props["redis_version"], r"^7\.\d+\.\d+$")
        self.assertEqual(props["redis_mode"], "standalone")
        self.assertEqual(props["role"], "master")
        self.assertEqual(props["db0"], "keys=1,expires=0,avg_ttl=0")
        self.assertTrue(props["cmdstat_client|id"].startswith("calls=1,"))
        merged = {}
        for fields in parse_info(text).values():
            merged.update(fields)
        self.assertEqual(props, merged)


class InfoFields(ServerCase):
    def test_server(self):
        fields = parse_info(self.info("server"))["Server"]
        uname = os.uname()
        self.assertRegex(fields["redis_version"], r"^7\.\d+\.\d+$")
        self.assertEqual(fields["redis_mode"], "standalone")
        self.assertEqual(fields["os"], "%s %s %s" % (uname.sysname, uname.release, uname.machine))
        self.assertEqual(fields["arch_bits"], "64")
        self.assertEqual(fields["tcp_port"], str(self.server.port))
        self.assertEqual(fields["process_id"], str(self.server.proc.pid))
        self.assertRegex(fields["run_id"], r"^[0-9a-f]{40}$")
        self.assertLess(int(fields["uptime_in_seconds"]), 3600)
        self.assertEqual(fields["uptime_in_days"], "0")
        self.assertEqual(fields["hz"], "10")
        self.assertEqual(fields["config_file"], self.server.conf_path)
        usec = int(fields["server_time_usec"])
        self.assertLess(abs(usec / 1e6 - time.time()), 5)

    @sessionkv_only
    def test_sessionkv_version(self):
        fields = parse_info(self.info("server"))["Server"]
        self.assertRegex(fields["sessionkv_version"], r"^\d+\.\d+\.\d+")

    def test_uptime_grows(self):
        before = int(self.info_fields("server")["uptime_in_seconds"])
        time.sleep(1.1)
        self.assertGreater(int(self.info_fields("server")["uptime_in_seconds"]), before)

    def test_clients(self):
        before = int(self.info_fields("clients")["connected_clients"])
        extra = [self.conn() for _ in range(3)]
        for c in extra:
            self.assertEqual(c.cmd("PING"), PONG)
        fields = self.info_fields("clients")
        self.assertEqual(int(fields["connected_clients"]), before + 3)
        self.assertEqual(fields["maxclients"], "10000")
        self.assertEqual(fields["blocked_clients"], "0")
        for c in extra:
            c.cmd("QUIT")
            c.is_closed()
        deadline = time.time() + 5
        while int(self.info_fields("clients")["connected_clients"]) != before and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(int(self.info_fields("clients")["connected_clients"]), before)

    def test_memory(self):
        fields = self.info_fields("memory")
        self.assertGreater(int(fields["used_memory"]), 0)
        self.assertGreater(int(fields["used_memory_rss"]), 0)
        self.assertGreater(int(fields["used_memory_peak"]), 0)
        self.assertRegex(fields["used_memory_human"], r"^\d+(\.\d+)?[BKMGT]$")
        self.assertEqual(fields["maxmemory"], "0")
        self.assertEqual(fields["maxmemory_policy"], "noeviction")
        self.assertIn("mem_allocator", fields)

    def test_memory_follows_the_maxmemory_config(self):
        # redis_exporter reads these three. (The policy stays noeviction: the only one sessionkv has until it
        # can evict keys, see Config.test_only_noeviction_until_keys_can_be_evicted.)
        try:
            self.assertEqual(self.c.cmd("CONFIG", "SET", "maxmemory", "100mb", "maxmemory-policy",
                                        "noeviction"), OK)
            fields = self.info_fields("memory")
            self.assertEqual(fields["maxmemory"], "104857600")
            self.assertEqual(fields["maxmemory_human"], "100.00M")
            self.assertEqual(fields["maxmemory_policy"], "noeviction")
        finally:
            self.c.cmd("CONFIG", "SET", "maxmemory", "0")
        self.assertEqual(self.info_fields("memory")["maxmemory_human"], "0B")

    def test_used_memory_grows_with_data(self):
        before = int(self.info_fields("memory")["used_memory"])
        self.r.set("big", b"x" * (4 << 20))
        self.assertGreater(int(self.info_fields("memory")["used_memory"]), before + (3 << 20))

    def test_persistence_and_replication_and_cluster(self):
        fields = self.info_fields("persistence", "replication", "cluster")
        self.assertEqual(fields["loading"], "0")
        self.assertEqual(fields["role"], "master")
        self.assertEqual(fields["connected_slaves"], "0")
        self.assertRegex(fields["master_replid"], r"^[0-9a-f]{40}$")
        self.assertGreaterEqual(int(fields["master_repl_offset"]), 0)
        self.assertEqual(fields["cluster_enabled"], "0")

    def test_cpu(self):
        fields = self.info_fields("cpu")
        for key in ("used_cpu_sys", "used_cpu_user"):
            self.assertRegex(fields[key], r"^\d+\.\d{6}$")

    def test_commands_processed_and_connections(self):
        before = self.info_fields("stats")
        for _ in range(10):
            self.c.cmd("PING")
        self.conn().cmd("PING")
        after = self.info_fields("stats")
        # 10 PINGs, the new connection's PING and the first INFO.
        self.assertEqual(int(after["total_commands_processed"]) - int(before["total_commands_processed"]), 12)
        self.assertEqual(
            int(after["total_connections_received"]) - int(before["total_connections_received"]), 1)
        self.assertGreater(int(after["total_net_input_bytes"]), int(before["total_net_input_bytes"]))
        self.assertGreater(int(after["total_net_output_bytes"]), int(before["total_net_output_bytes"]))
        self.assertRegex(after["instantaneous_ops_per_sec"], r"^\d+$")
        self.assertEqual(after["rejected_connections"], "0")
        self.assertEqual(after["evicted_keys"], "0")
        self.assertEqual(after["pubsub_channels"], "0")

    def test_keyspace_hits_and_misses(self):
        self.r.set("k", "v")
        before = self.info_fields("stats")
        self.c.cmd("GET", "k")
        self.c.cmd("GET", "k")
        self.c.cmd("GET", "nokey")
        after = self.info_fields("stats")
        self.assertEqual(int(after["keyspace_hits"]) - int(before["keyspace_hits"]), 2)
        self.assertEqual(int(after["keyspace_misses"]) - int(before["keyspace_misses"]), 1)

    def test_expired_keys(self):
        before = int(self.info_fields("stats")["expired_keys"])
        self.c.cmd("SET", "e1", "v", "PX", "30")
        self.c.cmd("SET", "e2", "v", "PX", "30")
        time.sleep(0.2)
        self.assertEqual(self.c.cmd("GET", "e1"), b"$-1\r\n")
        deadline = time.time() + 5
        while int(self.info_fields("stats")["expired_keys"]) < before + 2 and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(int(self.info_fields("stats")["expired_keys"]), before + 2)

    def test_error_replies_count(self):
        before = int(self.info_fields("stats")["total_error_replies"])
        self.c.cmd("nosuch")
        self.c.cmd("GET")
        self.c.cmd("HELLO", "4")
        self.assertEqual(int(self.info_fields("stats")["total_error_replies"]), before + 3)

    def test_keyspace(self):
        self.assertEqual(parse_info(self.info("keyspace"))["Keyspace"], {})
        self.r.mset({"a": 1, "b": 2})
        self.r.set("t", "v", ex=1000)
        db3 = self.server.client(db=3)
        db3.set("x", "y")
        db3.close()
        fields = parse_info(self.info("keyspace"))["Keyspace"]
        self.assertEqual(list(fields), ["db0", "db3"])
        self.assertEqual(fields["db3"], "keys=1,expires=0,avg_ttl=0")
        m = re.match(r"^keys=3,expires=1,avg_ttl=(\d+)$", fields["db0"])
        self.assertIsNotNone(m, fields["db0"])
        self.assertLessEqual(int(m.group(1)), 1000 * 1000)

    def test_commandstats(self):
        self.c.cmd("CONFIG", "RESETSTAT")
        self.c.cmd("SET", "k", "v")
        self.c.cmd("GET", "k")
        self.c.cmd("GET", "k")
        self.c.cmd("GET")  # rejected: arity
        self.c.cmd("INCR", "k")  # failed: not an integer
        self.c.cmd("CLIENT", "ID")
        fields = parse_info(self.info("commandstats"))["Commandstats"]
        line = r"^calls=%d,usec=\d+,usec_per_call=\d+\.\d{2},rejected_calls=%d,failed_calls=%d$"
        self.assertRegex(fields["cmdstat_get"], line % (2, 1, 0))
        self.assertRegex(fields["cmdstat_set"], line % (1, 0, 0))
        self.assertRegex(fields["cmdstat_incr"], line % (1, 0, 1))
        self.assertRegex(fields["cmdstat_client|id"], line % (1, 0, 0))
        self.assertRegex(fields["cmdstat_config|resetstat"], line % (1, 0, 0))
        stats = stat_fields(fields["cmdstat_get"])
        self.assertAlmostEqual(float(stats["usec_per_call"]), int(stats["usec"]) / 2, delta=0.01)

    def test_errorstats(self):
        self.c.cmd("CONFIG", "RESETSTAT")
        self.assertEqual(self.c.cmd("INFO", "errorstats"), bulk(b"# Errorstats\r\n"))
        self.c.cmd("nosuch")
        self.c.cmd("GET")
        self.c.cmd("HELLO", "4")
        self.c.cmd("AUTH", "nosuchuser", "x")
        fields = parse_info(self.info("errorstats"))["Errorstats"]
        self.assertEqual(fields, {"errorstat_ERR": "count=2", "errorstat_NOPROTO": "count=1",
                                  "errorstat_WRONGPASS": "count=1"})

    def assertHdrValue(self, usec):
        """Redis prints a percentile as the highest value of its HdrHistogram bucket (1 ns .. 1 s, two
        significant digits): below 256 ns every value has its own bucket, above a bucket is 2^k ns wide."""
        ns = round(float(usec) * 1000)
        width = 1 if ns < 256 else 1 << (ns.bit_length() - 8)
        self.assertEqual((ns + 1) % width, 0, "%s µs is not the top of a bucket" % usec)

    def test_latencystats(self):
        self.c.cmd("CONFIG", "RESETSTAT")
        self.c.cmd("SET", "k", "v")
        for _ in range(20):
            self.c.cmd("GET", "k")
        self.c.cmd("GET")  # rejected before it runs: not timed
        self.c.cmd("CLIENT", "ID")
        fields = parse_info(self.info("latencystats"))["Latencystats"]
        # Only commands that ran since RESETSTAT (which itself is timed after it cleared the histograms).
        self.assertEqual(sorted(fields), ["latency_percentiles_usec_" + name
                                          for name in ("client|id", "config|resetstat", "get", "set")])
        for key, value in fields.items():
            m = re.match(r"^p50=(\d+\.\d{3}),p99=(\d+\.\d{3}),p99\.9=(\d+\.\d{3})$", value)
            self.assertIsNotNone(m, value)
            p50, p99, p999 = (float(v) for v in m.groups())
            self.assertLessEqual(p50, p99)
            self.assertLessEqual(p99, p999)
            for v in m.groups():
                self.assertHdrValue(v)
        self.assertIn("latency_percentiles_usec_info", parse_info(self.info("latencystats"))["Latencystats"])

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

    def test_latencystats_follow_the_config(self):
        def ping_line():
            return parse_info(self.info("latencystats"))["Latencystats"]["latency_percentiles_usec_ping"]
        try:
            self.assertEqual(self.c.cmd("CONFIG", "SET", PERCENTILES, "50 99.99 0"), OK)
            self.c.cmd("PING")
            self.assertRegex(ping_line(), r"^p50=[\d.]+,p99\.99=[\d.]+,p0=[\d.]+$")
            self.assertEqual(self.c.cmd("CONFIG", "SET", PERCENTILES, ""), OK)
            self.assertEqual(ping_line(), "")
            self.assertEqual(self.c.cmd("CONFIG", "SET", "latency-tracking", "no"), OK)
            self.assertEqual(self.c.cmd("INFO", "latencystats"), bulk(b"# Latencystats\r\n"))
        finally:
            self.c.cmd("CONFIG", "SET", "latency-tracking", "yes", PERCENTILES, "50 99 99.9")

    def test_resetstat(self):
        self.r.set("k", "v")
        self.c.cmd("GET", "k")
        self.c.cmd("GET", "nokey")
        self.c.cmd("nosuch")
        self.assertEqual(self.c.cmd("CONFIG", "RESETSTAT"), OK)
        stats = self.info_fields("stats")
        self.assertEqual(stats["total_commands_processed"], "1")  # RESETSTAT itself
        for key in ("keyspace_hits", "keyspace_misses", "expired_keys", "total_error_replies",
                    "total_connections_received", "evicted_keys"):
            self.assertEqual(stats[key], "0", key)
        commandstats = parse_info(self.info("commandstats"))["Commandstats"]
        self.assertEqual(sorted(commandstats), ["cmdstat_config|resetstat", "cmdstat_info"])
        self.assertEqual(self.c.cmd("CONFIG", "RESETSTAT", "x"), wrong_args("config|resetstat"))


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

    @sessionkv_only
    def test_only_noeviction_until_keys_can_be_evicted(self):
        # sessionkv does not evict keys yet; accepting allkeys-lru and then evicting nothing would make an
        # operator believe the data set bounds itself, so the other policies are refused (a bad word still
        # gets Redis's list of the policies, see test_maxmemory).
        reason = (b"only noeviction is supported: sessionkv does not evict keys yet, so the other policies "
                  b"are refused rather than silently ignored")
        for policy in ("allkeys-lru", "volatile-lru", "volatile-ttl", "allkeys-random"):
            self.assertEqual(self.c.cmd("CONFIG", "SET", "maxmemory-policy", policy),
                             CONFIG_FAILED % (b"maxmemory-policy", reason))
        self.assertEqual(self.get("maxmemory-policy"), {"maxmemory-policy": "noeviction"})

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


# ---------------------------------------------------------------------------------------------
# COMMAND
# ---------------------------------------------------------------------------------------------
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
        self._conns = []
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

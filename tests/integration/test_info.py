# SPDX-License-Identifier: Apache-2.0
"""INFO against the real server: the sections, their order and framing, and the fields Spring Boot's
health check and Redis exporters read (server, clients, memory, stats, commandstats, errorstats,
latencystats, keyspace). Every expectation was checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis);
what differs in 7.2 is marked @needs_redis_72.
"""
import os
import re
import time

from support.server import main, sessionkv_only
from support.server_commands import (ALL_SECTIONS, DEFAULT_SECTIONS, PERCENTILES, ServerCase, parse_info,
                                     properties_load, stat_fields)
from test_protocol import OK, PONG, bulk, wrong_args


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
        # redis_exporter reads these three.
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


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""Server commands as operators, Spring's health check and redis_exporter use them: INFO, CONFIG, COMMAND,
SLOWLOG, LATENCY, MEMORY USAGE, TIME, MONITOR, rename-command."""
import os
import re
import time

from support.server import ServerTestCase, TARGET, main, sessionkv_only


def parse_info(text):
    """java.util.Properties-style parsing, as Spring Boot's health indicator does."""
    fields = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value
    return fields


class Info(ServerTestCase):
    def info_text(self, *sections):
        reply = self.server.raw().cmd("INFO", *sections)
        header, body = reply.split(b"\r\n", 1)
        self.assertEqual(int(header[1:]), len(body) - 2)
        return body[:-2].decode()

    def test_default_sections_and_the_fields_clients_read(self):
        text = self.info_text()
        for title in ("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Keyspace"):
            self.assertIn("# %s\r\n" % title, text)
        self.assertNotIn("# Commandstats", text)
        fields = parse_info(text)
        self.assertRegex(fields["redis_version"], r"^7\.\d+\.\d+$")
        for name in ("redis_mode", "os", "arch_bits", "tcp_port", "uptime_in_seconds", "process_id", "run_id",
                     "connected_clients", "used_memory", "used_memory_rss", "maxmemory",
                     "total_commands_processed", "keyspace_hits", "keyspace_misses", "expired_keys",
                     "evicted_keys", "role", "master_repl_offset", "connected_slaves", "used_cpu_sys"):
            self.assertIn(name, fields)
        self.assertEqual(fields["tcp_port"], str(self.server.port))
        self.assertEqual(fields["role"], "master")

    @sessionkv_only
    def test_sessionkv_version(self):
        self.assertIn("sessionkv_version", parse_info(self.info_text("server")))

    def test_sections_all_everything_and_unknown(self):
        self.assertTrue(self.info_text("server").startswith("# Server\r\n"))
        self.assertNotIn("# Clients", self.info_text("server"))
        both = self.info_text("clients", "SERVER")
        self.assertLess(both.index("# Server"), both.index("# Clients"), "Redis's order, not the asked one")
        self.r.get("x")
        self.assertRegex(self.info_text("all"), r"cmdstat_get:calls=\d+,usec=\d+,usec_per_call=[\d.]+,")
        self.assertIn("# Commandstats", self.info_text("everything"))
        self.assertEqual(self.info_text("nosuchsection"), "")

    def test_keyspace_and_hits(self):
        self.r.set("a", 1)
        self.r.set("b", 1, ex=100)
        self.r.execute_command("SELECT", 3)
        self.r.set("c", 1)
        self.r.get("c")
        self.r.get("missing")
        text = self.info_text("keyspace")
        self.assertRegex(text, r"db0:keys=2,expires=1,avg_ttl=\d+\r\n")
        self.assertIn("db3:keys=1,expires=0,avg_ttl=0", text)
        stats = parse_info(self.info_text("stats"))
        self.assertGreaterEqual(int(stats["keyspace_hits"]), 1)
        self.assertGreaterEqual(int(stats["keyspace_misses"]), 1)

    def test_errorstats_and_resetstat(self):
        raw = self.server.raw()
        raw.cmd("NOSUCHCOMMAND")
        raw.cmd("GET")
        text = self.info_text("errorstats")
        self.assertRegex(text, r"errorstat_ERR:count=\d+")
        self.assertEqual(self.r.config_resetstat(), True)
        self.assertEqual(self.info_text("errorstats"), "# Errorstats\r\n")
        self.assertNotIn("cmdstat_get:", self.info_text("commandstats"))

    def test_info_over_resp3_is_verbatim(self):
        raw = self.server.raw()
        raw.cmd("HELLO", "3")
        self.assertRegex(raw.cmd("INFO", "server"), rb"^=\d+\r\ntxt:# Server\r\n")


class Config(ServerTestCase):
    def test_get_patterns(self):
        self.assertEqual(self.r.config_get("port"), {"port": str(self.server.port)})
        everything = self.r.config_get("*")
        for name in ("port", "databases", "maxclients", "bind", "notify-keyspace-events", "timeout"):
            self.assertIn(name, everything)
        self.assertEqual(self.r.config_get("nosuch*"), {})
        raw = self.server.raw()
        self.assertEqual(raw.cmd("CONFIG", "GET", "databases", "databases"),
                         b"*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n")

    def test_set(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("CONFIG", "SET", "notify-keyspace-events", "Egx"), b"+OK\r\n")
        self.assertEqual(raw.cmd("CONFIG", "GET", "notify-keyspace-events"),
                         b"*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\ngxE\r\n")
        self.assertEqual(raw.cmd("CONFIG", "SET", "nosuch", "1"),
                         b"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n")
        self.assertTrue(raw.cmd("CONFIG", "SET", "databases", "3").startswith(b"-ERR CONFIG SET failed"))
        self.assertEqual(raw.cmd("CONFIG", "SET", "timeout", "5", "hz", "20"), b"+OK\r\n")
        self.assertEqual(self.r.config_get("hz"), {"hz": "20"})
        self.r.config_set("timeout", 0)

    def test_spring_session_configure_action(self):
        """ConfigureNotifyKeyspaceEventsAction: GET, then SET with the missing flags (spring-session-wire 3.1)."""
        self.r.config_set("notify-keyspace-events", "")
        value = self.r.config_get("notify-keyspace-events")["notify-keyspace-events"]
        self.assertEqual(value, "")
        self.assertTrue(self.r.config_set("notify-keyspace-events", "Egx"))
        self.assertTrue(set("Egx") <= set(self.r.config_get("notify-keyspace-events")["notify-keyspace-events"]))
        self.r.config_set("notify-keyspace-events", "")

    def test_rewrite(self):
        self.r.config_set("slowlog-max-len", 77)
        self.assertTrue(self.r.config_rewrite())
        with open(self.server.conf_path) as f:
            self.assertIn("slowlog-max-len 77", f.read())


class Introspection(ServerTestCase):
    def test_command_info_and_count(self):
        raw = self.server.raw()
        count = int(raw.cmd("COMMAND", "COUNT")[1:-2])
        self.assertGreater(count, 50)
        get = raw.cmd("COMMAND", "INFO", "get")
        self.assertTrue(get.startswith(b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
                                       b"*3\r\n+@read\r\n+@string\r\n+@fast\r\n"), get)
        self.assertEqual(raw.cmd("COMMAND", "INFO", "nosuchcommand"), b"*1\r\n$-1\r\n")
        mset = raw.cmd("COMMAND", "INFO", "mset")
        self.assertTrue(mset.startswith(b"*1\r\n*10\r\n$4\r\nmset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n"
                                        b":1\r\n:-1\r\n:2\r\n"), mset)

    def test_command_getkeys_and_docs(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"),
                         b"*2\r\n$1\r\na\r\n$1\r\nb\r\n")
        self.assertEqual(raw.cmd("COMMAND", "GETKEYS", "NOSUCH", "x"), b"-ERR Invalid command specified\r\n")
        self.assertEqual(raw.cmd("COMMAND", "GETKEYS", "GET", "a", "b"),
                         b"-ERR Invalid number of arguments specified for command\r\n")
        docs = raw.cmd("COMMAND", "DOCS", "get")
        self.assertTrue(docs.startswith(b"*2\r\n$3\r\nget\r\n"), docs)
        self.assertIn(b"$7\r\nsummary\r\n", docs)

    def test_slowlog(self):
        self.r.config_set("slowlog-log-slower-than", 0)
        self.r.slowlog_reset()
        self.r.set("slow", "x" * 200)
        entries = self.r.execute_command("SLOWLOG", "GET", "-1")
        args = [e[3] for e in entries]
        self.assertIn([b"set", b"slow", b"x" * 128 + b"... (72 more bytes)"], [[a.lower() if i == 0 else a
                                                                             for i, a in enumerate(x)]
                                                                            for x in args])
        self.assertGreaterEqual(self.r.slowlog_len(), 1)
        raw = self.server.raw()
        self.assertEqual(raw.cmd("SLOWLOG", "GET", "-2"), b"-ERR count should be greater than or equal to -1\r\n")
        self.r.config_set("slowlog-log-slower-than", -1)
        self.r.slowlog_reset()
        self.r.set("fast", 1)
        self.assertEqual(self.r.slowlog_len(), 0)
        self.r.config_set("slowlog-log-slower-than", 10000)

    def test_latency_and_memory_and_time(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("LATENCY", "LATEST"), b"*0\r\n")
        self.r.set("k", "v" * 100)
        self.assertGreater(self.r.memory_usage("k"), 100)
        self.assertIsNone(self.r.memory_usage("missing"))
        seconds, micros = self.r.time()
        self.assertLess(abs(seconds - time.time()), 5)
        self.assertLess(micros, 1000000)

    def test_monitor(self):
        monitor = self.server.raw()
        self.assertEqual(monitor.cmd("MONITOR"), b"+OK\r\n")
        self.r.execute_command("SELECT", 2)
        self.r.set("mk", "a b\n")
        seen = b""
        while b"mk" not in seen:
            seen += monitor.sock.recv(4096)
        self.assertRegex(seen, rb'\+\d+\.\d{6} \[2 127\.0\.0\.1:\d+\] "(set|SET)" "mk" "a b\\n"\r\n')


class RenamedCommands(ServerTestCase):
    CONFIG = {"rename-command": ['FLUSHALL ""', "CONFIG MYCONFIG"]}

    def setUp(self):
        self._problems_at_start = 0
        self.r = self.server.client()

    def test_renamed_and_disabled(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("FLUSHALL"), b"-ERR unknown command 'FLUSHALL', with args beginning with: \r\n")
        self.assertTrue(raw.cmd("CONFIG", "GET", "port").startswith(b"-ERR unknown command 'CONFIG'"))
        self.assertEqual(raw.cmd("MYCONFIG", "GET", "databases"), b"*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n")


class BadConfig(ServerTestCase):
    """An unknown directive stops the start with its line number, as Redis does."""

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

    def test_unknown_directive(self):
        import subprocess
        import tempfile
        from support.server import SERVER_BIN
        binary = "redis-server" if TARGET == "redis" else SERVER_BIN
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write("port 0\n# comment\nnosuchdirective yes\n")
        try:
            p = subprocess.run([binary, f.name], capture_output=True, text=True, timeout=20)
        finally:
            os.unlink(f.name)
        self.assertEqual(p.returncode, 1)
        out = p.stdout + p.stderr
        self.assertIn("*** FATAL CONFIG FILE ERROR", out)
        self.assertIn("at line 3", out)
        self.assertIn(">>> 'nosuchdirective yes'", out)
        self.assertIn("Bad directive or wrong number of arguments", out)


if __name__ == "__main__":
    main()

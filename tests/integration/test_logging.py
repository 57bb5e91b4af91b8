# SPDX-License-Identifier: Apache-2.0
"""The server log: Redis's line format and the lines operators grep for; Valkey 8.1's log-format logfmt and
log-timestamp-format; logfile; what start-up reports.

The legacy format and "Ready to accept connections tcp" are checked against Redis 7 too; logfmt,
iso8601 and sessionkv's start-up lines are @sessionkv_only (Redis 7.2 has no such options).
"""
import os
import re
import time
import unittest

from support.server import TARGET, Server, main, sessionkv_only

# <pid>:<role> <dd Mon yyyy HH:MM:SS.mmm> <level> <message>
LEGACY = re.compile(r"^(\d+):([MSCX]) (\d\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) "
                    r"(\d\d):(\d\d):(\d\d)\.(\d{3}) ([.\-*#]) (.*)$")
LOGFMT = re.compile(r'^pid=(\d+) role=(primary|replica) timestamp="([^"]*)" '
                    r'level=(debug|info|notice|warning) message="([^"]*)"$')
ISO8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$")


def wait_for_line(server, text, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in server.read_log():
            return True
        time.sleep(0.05)
    return False


class LogCase(unittest.TestCase):
    def tearDown(self):
        self.server.stop()


class TestLegacyFormat(LogCase):
    def test_every_line_has_redis_format(self):
        self.server = Server()
        lines = [l for l in self.server.read_log().splitlines() if l.strip()]
        self.assertTrue(lines)
        for line in lines:
            m = LEGACY.match(line)
            self.assertIsNotNone(m, line)
            self.assertEqual(int(m.group(1)), self.server.proc.pid)
            # Redis logs its first lines as 'C' (before it knows its own pid); sessionkv is 'M' throughout.
            self.assertIn(m.group(2), "MC" if TARGET == "redis" else "M", line)
        # Redis 7.2 added " tcp" (7.0 ends the line after "connections").
        ready = [l for l in lines if " * Ready to accept connections" in l]
        self.assertEqual(len(ready), 1)
        if TARGET != "redis":
            self.assertTrue(ready[0].endswith("* Ready to accept connections tcp"))

    def test_logfile_receives_the_lines(self):
        self.server = Server({"logfile": "own.log"})
        path = os.path.join(self.server.dir, "own.log")
        self.assertTrue(wait_for_line_file(path, "Ready to accept connections"))


def wait_for_line_file(path, text, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                if text in f.read():
                    return True
        time.sleep(0.05)
    return False


@sessionkv_only
class TestStartupReport(LogCase):
    def test_start_up_names_version_config_dir_ports_persistence_replication(self):
        self.server = Server()
        log = self.server.read_log()
        self.assertRegex(log, r"sessionkv version=\S+ \(Redis 7\.2\.\d+ compatible\)")
        self.assertIn("Configuration loaded from %s" % self.server.conf_path, log)
        self.assertIn("Data directory: %s" % os.path.realpath(self.server.dir), log)
        self.assertIn("Running mode=standalone, port=%d." % self.server.port, log)
        self.assertIn("Persistence: RocksDB in %s, appendfsync everysec"
                      % os.path.join(os.path.realpath(self.server.dir), "rocksdb"), log)
        self.assertIn("Replication: role master, history ", log)


@sessionkv_only
class TestStructuredFormats(LogCase):
    def test_logfmt_with_iso8601(self):
        self.server = Server({"log-format": "logfmt", "log-timestamp-format": "iso8601"})
        lines = [l for l in self.server.read_log().splitlines() if l.startswith("pid=")]
        self.assertTrue(lines)
        for line in lines:
            m = LOGFMT.match(line)
            self.assertIsNotNone(m, line)
            self.assertRegex(m.group(3), ISO8601)
            self.assertEqual(m.group(2), "primary")
        self.assertTrue(any(l.endswith('level=notice message="Ready to accept connections tcp"')
                            for l in lines))

    def test_milliseconds_timestamp_and_config_set_at_run_time(self):
        self.server = Server()
        c = self.server.client()
        c.config_set("log-format", "logfmt")
        c.config_set("log-timestamp-format", "milliseconds")
        self.assertEqual(c.config_get("log-*"), {"log-format": "logfmt", "log-timestamp-format": "milliseconds"})
        before = int(time.time() * 1000)
        c.config_set("maxmemory", "100")  # logs Redis's maxmemory warning
        self.assertTrue(wait_for_line(self.server, "maxmemory value set via CONFIG SET"))
        line = [l for l in self.server.read_log().splitlines() if "maxmemory value set" in l][0]
        m = LOGFMT.match(line)
        self.assertIsNotNone(m, line)
        self.assertEqual(m.group(4), "warning")
        self.assertLessEqual(abs(int(m.group(3)) - before), 5000)
        with self.assertRaises(Exception) as cm:
            c.config_set("log-format", "json")
        self.assertIn("argument(s) must be one of the following: legacy, logfmt", str(cm.exception))


if __name__ == "__main__":
    main()

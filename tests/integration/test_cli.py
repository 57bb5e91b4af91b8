# SPDX-License-Identifier: Apache-2.0
"""redis-cli as Kubernetes probes, Helm start scripts and operators use it."""
import os

from support.server import ServerTestCase, main


class RedisCli(ServerTestCase):
    def test_ping_probe(self):
        self.assertEqual(self.server.cli("ping"), (0, "PONG\n", ""))

    def test_db_raw_and_scan(self):
        self.assertEqual(self.server.cli("-n", "1", "set", "a1", "x y")[1], "OK\n")
        self.assertEqual(self.server.cli("-n", "1", "--raw", "get", "a1")[1], "x y\n")
        self.server.cli("-n", "1", "set", "a2", "1")
        self.server.cli("-n", "1", "set", "b1", "1")
        code, out, _ = self.server.cli("-n", "1", "--scan", "--pattern", "a*")
        self.assertEqual(sorted(out.split()), ["a1", "a2"])

    def test_info_grep(self):
        code, out, _ = self.server.cli("info", "server")
        self.assertEqual(code, 0)
        self.assertRegex(out, r"(?m)^redis_version:7\.\d+\.\d+\r?$")

    def test_commands_from_stdin(self):
        code, out, _ = self.server.cli(stdin="SET piped 1\nINCR piped\nGET piped\n")
        self.assertEqual(out.split(), ["OK", "2", "2"])

    def test_pipe_mode(self):
        proto = b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n" % (len(k), k)
                         for k in (b"p%d" % i for i in range(1000)))
        code, out, _ = self.server.cli("--pipe", stdin=proto)
        self.assertEqual(code, 0)
        self.assertIn(b"errors: 0, replies: 1000", out)
        self.assertEqual(self.r.dbsize(), 1000)

    def test_errors_are_printed(self):
        code, out, _ = self.server.cli("nosuchcommand")
        self.assertIn("ERR unknown command 'nosuchcommand'", out)


class RedisCliAuth(ServerTestCase):
    CONFIG = {"requirepass": "probe-pass"}
    PASSWORD = "probe-pass"

    def test_rediscli_auth_environment(self):
        env = dict(os.environ, REDISCLI_AUTH="probe-pass")
        self.assertEqual(self.server.cli("ping", env=env)[1], "PONG\n")
        self.assertIn("NOAUTH", self.server.cli("ping")[1])


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""Smoke test: the server starts, answers PING through redis-py, redis-cli and a raw socket."""
from support.server import ServerTestCase, main


class Smoke(ServerTestCase):
    def test_ping_three_ways(self):
        self.assertTrue(self.r.ping())
        code, out, _ = self.server.cli("PING")
        self.assertEqual((code, out), (0, "PONG\n"))
        raw = self.server.raw()
        self.assertEqual(raw.cmd("PING"), b"+PONG\r\n")
        self.assertEqual(raw.cmd("ECHO", b"a\r\nb"), b"$4\r\na\r\nb\r\n")

    def test_set_get_and_error_text(self):
        self.assertTrue(self.r.set("k", b"\x00\xac\xed"))
        self.assertEqual(self.r.get("k"), b"\x00\xac\xed")
        raw = self.server.raw()
        self.assertEqual(raw.cmd("GET"), b"-ERR wrong number of arguments for 'get' command\r\n")


if __name__ == "__main__":
    main()

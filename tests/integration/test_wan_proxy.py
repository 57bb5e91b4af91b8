# SPDX-License-Identifier: Apache-2.0
"""tests/support/wan_proxy.py does what replication's WAN tests rely on, with a real server behind it
(sessionkv, or Debian's redis-server with SESSIONKV_TEST_TARGET=redis): delay each way without losing
bandwidth or order, cut (resets and refusals), blackhole (bytes held, then delivered), stalls, and the
control socket and signals of the process form."""
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

import redis  # noqa: E402
from support.server import ServerTestCase, main  # noqa: E402
from wan_proxy import WanProxy  # noqa: E402

DELAY_MS = 40


class WanProxyTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.proxy = WanProxy(self.server.port, delay_ms=DELAY_MS).start()

    def tearDown(self):
        self.proxy.stop()
        super().tearDown()

    def client(self, timeout=5):
        return redis.Redis(host="127.0.0.1", port=self.proxy.port, socket_timeout=timeout)

    def rtt(self, c):
        start = time.monotonic()
        c.ping()
        return time.monotonic() - start

    def test_delay_each_way(self):
        c = self.client()
        c.ping()  # connect first: the handshake is not what is measured
        rtts = [self.rtt(c) for _ in range(5)]
        self.assertGreaterEqual(min(rtts), 2 * DELAY_MS / 1000.0)
        self.assertLess(min(rtts), 2 * DELAY_MS / 1000.0 + 0.05)
        self.proxy.set_delay(0)
        self.assertLess(self.rtt(c), 0.02)

    def test_delay_costs_latency_not_bandwidth_and_keeps_order(self):
        c = self.client()
        c.ping()
        start = time.monotonic()
        pipe = c.pipeline(transaction=False)
        for _ in range(2000):
            pipe.incr("n")
        replies = pipe.execute()
        elapsed = time.monotonic() - start
        self.assertEqual(replies, list(range(1, 2001)))  # in order, none lost
        self.assertLess(elapsed, 1.0)  # one round trip, not 2000 (which would be 160 s)
        # 8 MB up and back: the delay is paid once, not per chunk.
        value = os.urandom(8 << 20)
        start = time.monotonic()
        c.set("big", value)
        self.assertEqual(c.get("big"), value)
        self.assertLess(time.monotonic() - start, 3.0)

    def test_cut_resets_and_refuses_until_restored(self):
        c = self.client()
        self.assertTrue(c.set("k", "v"))
        self.proxy.cut()
        with self.assertRaises(redis.exceptions.ConnectionError):
            c.get("k")
        with self.assertRaises(redis.exceptions.ConnectionError):
            self.client().ping()
        self.assertGreaterEqual(self.proxy.stats()["refused"], 1)
        self.proxy.restore()
        self.assertEqual(self.client().get("k"), b"v")

    def test_blackhole_holds_bytes_then_delivers_them(self):
        raw = socket.create_connection(("127.0.0.1", self.proxy.port), timeout=5)
        raw.sendall(b"PING\r\n")
        self.assertEqual(raw.recv(64), b"+PONG\r\n")
        self.proxy.blackhole()
        raw.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\nheld\r\n")
        raw.settimeout(0.5)
        with self.assertRaises(socket.timeout):
            raw.recv(64)  # no reply and no error: the link just went quiet
        self.assertIsNone(self.r.get("k"))  # the command never reached the server
        self.proxy.restore()
        raw.settimeout(5)
        self.assertEqual(raw.recv(64), b"+OK\r\n")  # same connection, nothing lost
        self.assertEqual(self.r.get("k"), b"held")
        raw.close()

    def test_stall_delays_then_delivers(self):
        c = self.client()
        c.ping()
        self.proxy.stall(300)
        self.assertGreaterEqual(self.rtt(c), 0.3)
        self.assertLess(self.rtt(c), 0.3)

    def test_random_stalls(self):
        with WanProxy(self.server.port, stall_every_s=0.1, stall_ms=50, seed=7) as proxy:
            c = redis.Redis(host="127.0.0.1", port=proxy.port, socket_timeout=5)
            slowest, i = 0.0, 0
            deadline = time.monotonic() + 0.8
            while time.monotonic() < deadline:
                start = time.monotonic()
                c.set("s%d" % i, i)
                slowest = max(slowest, time.monotonic() - start)
                i += 1
            # A loopback round trip takes well under a millisecond; a stall (25-75 ms) held some up.
            self.assertGreaterEqual(proxy.stats()["stalls"], 1)
            self.assertGreater(slowest, 0.02)
            self.assertEqual(c.get("s%d" % (i - 1)), str(i - 1).encode())


class WanProxyProcessTest(ServerTestCase):
    """The process form: control socket and signals."""

    def setUp(self):
        super().setUp()
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "..", "support", "wan_proxy.py"),
             "--upstream", "127.0.0.1:%d" % self.server.port, "--delay-ms", "10", "--control", "0"],
            stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline().split()[1])
        self.control_sock = socket.create_connection(
            ("127.0.0.1", int(self.proc.stdout.readline().split()[1])), timeout=5)
        self.control = self.control_sock.makefile("rw")

    def tearDown(self):
        self.control.close()
        self.control_sock.close()
        self.proc.terminate()
        self.assertEqual(self.proc.wait(timeout=10), 0)
        self.proc.stdout.close()
        super().tearDown()

    def ctl(self, line):
        self.control.write(line + "\n")
        self.control.flush()
        return self.control.readline().strip()

    def ping_ok(self):
        try:
            with redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2) as c:
                return c.ping()
        except redis.exceptions.ConnectionError:
            return False

    def test_control_socket(self):
        self.assertTrue(self.ping_ok())
        self.assertEqual(self.ctl("cut"), "OK")
        self.assertFalse(self.ping_ok())
        self.assertEqual(self.ctl("restore"), "OK")
        self.assertTrue(self.ping_ok())
        self.assertEqual(self.ctl("delay 25"), "OK")
        self.assertIn('"delay_ms": 25.0', self.ctl("stats"))
        self.assertEqual(self.ctl("delay x"), "ERR bad number")
        self.assertEqual(self.ctl("explode"), "ERR unknown command")

    def test_signals(self):
        self.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while self.ping_ok() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertFalse(self.ping_ok())
        self.proc.send_signal(signal.SIGUSR2)
        deadline = time.monotonic() + 5
        while not self.ping_ok() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertTrue(self.ping_ok())


if __name__ == "__main__":
    main()

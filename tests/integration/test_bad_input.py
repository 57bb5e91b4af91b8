# SPDX-License-Identifier: Apache-2.0
"""Bad input and resource exhaustion against the real server (/work/shared/docs/bad-input.md): every kind
of malformed RESP answered with Redis's protocol error and a close, random binary garbage on many
connections at once, half-sent requests that do not block anyone else, thousands of connections, stalled
huge multibulk headers that must not reserve memory, unauthenticated clients that pipeline without reading.
After each, the server answers PING and its resident memory stayed bounded.

test_protocol.py checks the framing rules one by one; this suite throws them at the server in bulk and
checks that it survives. Every test passes against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis).
"""
import random
import resource
import socket
import threading
import time

from support.server import ServerTestCase, main
from test_protocol import PONG

PING = b"*1\r\n$4\r\nPING\r\n"


def protocol_error(text):
    return b"-ERR Protocol error: " + text + b"\r\n"


def rss_bytes(server):
    with open("/proc/%d/status" % server.proc.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def read_until_closed(sock, timeout=10):
    """Everything the server sends until it closes the connection (or `timeout` passes: None)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    except (socket.timeout, TimeoutError):
        return None
    except ConnectionResetError:
        return data


class BadInputCase(ServerTestCase):
    def setUp(self):
        super().setUp()
        self._socks = []

    def tearDown(self):
        for s in self._socks:
            s.close()
        super().tearDown()

    def sock(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        self._socks.append(s)
        return s

    def assertAlive(self):
        s = self.sock()
        s.sendall(PING)
        self.assertEqual(s.recv(64), PONG)


# Each request, sent alone on a fresh connection, is answered with this error and then closed.
MALFORMED = [
    (b"*3000000000\r\n", protocol_error(b"invalid multibulk length")),
    (b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", protocol_error(b"expected '$', got 'f'")),
    (b"*1\r\n$-10\r\n", protocol_error(b"invalid bulk length")),
    (b"*1\r\n$2000000000\r\n", protocol_error(b"invalid bulk length")),
    (b"*1\r\n$blabla\r\n", protocol_error(b"invalid bulk length")),
    (b"*1\r\nfoo\r\n", protocol_error(b"expected '$', got 'f'")),
    (b"*x\r\n", protocol_error(b"invalid multibulk length")),
    (b"set \"\"\"k\"\"\" v\r\n", protocol_error(b"unbalanced quotes in request")),
    (b"x" * 70000, protocol_error(b"too big inline request")),
    (b"*" + b"1" * 70000, protocol_error(b"too big mbulk count string")),
    (b"*1\r\n$" + b"1" * 70000, protocol_error(b"too big bulk count string")),
]


class Malformed(BadInputCase):
    def test_every_kind_is_an_error_then_a_close(self):
        for request, error in MALFORMED:
            with self.subTest(request=request[:40]):
                s = self.sock()
                s.sendall(request)
                self.assertEqual(read_until_closed(s), error)
        self.assertAlive()

    def test_all_at_once_on_parallel_connections(self):
        pairs = [(self.sock(), random.choice(MALFORMED)) for _ in range(60)]
        for s, (request, _) in pairs:
            s.sendall(request)
        for s, (request, error) in pairs:
            self.assertEqual(read_until_closed(s), error, request[:40])
        self.assertAlive()


class Garbage(BadInputCase):
    def test_random_bytes_on_many_connections(self):
        rng = random.Random(7)
        rss_before = rss_bytes(self.server)

        def blast(seed):
            r = random.Random(seed)
            for _ in range(5):
                try:
                    with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
                        for _ in range(20):
                            s.sendall(bytes(r.getrandbits(8) for _ in range(r.randint(1, 2000))))
                        s.shutdown(socket.SHUT_WR)
                        read_until_closed(s, timeout=10)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        threads = [threading.Thread(target=blast, args=(rng.random(),)) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertAlive()
        self.assertLess(rss_bytes(self.server) - rss_before, 64 << 20)

    def test_garbage_starting_like_resp(self):
        rng = random.Random(11)
        prefixes = [b"*", b"$", b"*1\r\n$", b"*2\r\n$3\r\nGET\r\n", b"\x00", b"*\x00", b"$\x00", b"\r\n"]
        for i in range(200):
            s = self.sock()
            try:
                s.sendall(rng.choice(prefixes) + bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300))))
                s.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass
            read_until_closed(s, timeout=10)
            s.close()
            self._socks.remove(s)
        self.assertAlive()


class HalfSent(BadInputCase):
    def test_half_sent_requests_do_not_block_others(self):
        partial = [b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc", b"*2\r\n$3\r\nGET", b"GET k", b"*5\r\n",
                   b"*1\r\n$100000\r\n" + b"x" * 50000]
        stalled = [self.sock() for _ in range(50)]
        for i, s in enumerate(stalled):
            s.sendall(partial[i % len(partial)])
        other = self.sock()
        start = time.time()
        for _ in range(100):
            other.sendall(PING)
            self.assertEqual(other.recv(64), PONG)
        self.assertLess(time.time() - start, 5)
        # The stalled ones finish their requests and are answered.
        s = stalled[0]
        s.sendall(b"defghij\r\n")
        self.assertEqual(s.recv(64), b"+OK\r\n")


class ManyConnections(BadInputCase):
    def test_thousands_of_connections(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        n = min(3000, soft - 100)
        if n < 500:
            self.skipTest("open files limit %d" % soft)
        socks = []
        for _ in range(n):
            socks.append(self.sock())
        for s in socks:
            s.sendall(PING)
        for s in socks:
            self.assertEqual(s.recv(64), PONG)
        self.assertGreaterEqual(int(self.r.info("clients")["connected_clients"]), n)
        for s in socks:
            s.close()
        self._socks.clear()
        self.assertAlive()


class StalledHeaders(BadInputCase):
    def test_huge_multibulk_counts_reserve_nothing(self):
        rss_before = rss_bytes(self.server)
        for _ in range(300):
            self.sock().sendall(b"*1048576\r\n")
        self.sock().sendall(PING)
        time.sleep(0.3)
        self.assertAlive()
        self.assertLess(rss_bytes(self.server) - rss_before, 64 << 20, "argv is not sized by the claim")


class UnauthenticatedFlood(BadInputCase):
    CONFIG = {"requirepass": "secret"}
    PASSWORD = "secret"

    def test_stalled_unauthenticated_headers_are_refused(self):
        for header, error in ((b"*1048576\r\n", b"unauthenticated multibulk length"),
                              (b"*1\r\n$1048576\r\n", b"unauthenticated bulk length")):
            socks = [self.sock() for _ in range(50)]
            for s in socks:
                s.sendall(header)
            for s in socks:
                self.assertEqual(read_until_closed(s), protocol_error(error))
        self.assertAlive()

    def assertAlive(self):
        s = self.sock()
        s.sendall(PING)
        self.assertEqual(s.recv(64), b"-NOAUTH Authentication required.\r\n")
        self.assertTrue(self.r.ping())

    def test_pipelining_without_reading_stays_bounded(self):
        rss_before = rss_bytes(self.server)
        s = self.sock()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(0.2)
        sent = 0
        try:
            for _ in range(2000):
                s.sendall(PING * 1000)
                sent += 1
        except (socket.timeout, TimeoutError, BrokenPipeError, ConnectionResetError):
            pass
        self.assertLess(rss_bytes(self.server) - rss_before, 64 << 20)
        self.assertAlive()


if __name__ == "__main__":
    main()

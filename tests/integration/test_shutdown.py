# SPDX-License-Identifier: Apache-2.0
"""Graceful shutdown: SIGTERM, SIGINT and SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT].

The exit code, the bounded time and Redis's log lines are checked against both servers. The drain
itself (replies of executed commands delivered, then a clean close, under load; /readyz 503 while
draining; shutdown-timeout) is sessionkv's and @sessionkv_only: Redis exits without flushing its clients'
output buffers.
"""
import signal
import socket
import threading
import time
import unittest

import redis

from support.server import TARGET, Server, free_port, main, sessionkv_only

BYE = "ready to exit, bye bye..."


def wait_exit(server, timeout):
    """The exit code, or fails the test when the server is still running after `timeout` seconds."""
    start = time.time()
    code = server.proc.wait(timeout=timeout)
    return code, time.time() - start


class ShutdownCase(unittest.TestCase):
    def start(self, config=None):
        self.server = Server(config)
        return self.server

    def tearDown(self):
        self.server.stop()


class TestSignals(ShutdownCase):
    def test_sigterm_exits_zero_with_redis_log_lines(self):
        s = self.start()
        s.client().set("k", "v")
        s.proc.send_signal(signal.SIGTERM)
        code, took = wait_exit(s, 10)
        self.assertEqual(code, 0)
        self.assertLess(took, 5)
        log = s.read_log()
        for line in ("Received SIGTERM scheduling shutdown...", "User requested shutdown...", BYE):
            self.assertIn(line, log)
        self.assertLess(log.index("User requested shutdown..."), log.index(BYE))

    def test_sigint_exits_zero(self):
        s = self.start()
        s.proc.send_signal(signal.SIGINT)
        code, _ = wait_exit(s, 10)
        self.assertEqual(code, 0)
        self.assertIn("Received SIGINT scheduling shutdown...", s.read_log())


class TestShutdownCommand(ShutdownCase):
    def test_shutdown_closes_without_reply_and_exits_zero(self):
        s = self.start()
        raw = s.raw()
        raw.send(b"SHUTDOWN NOSAVE\r\n")
        with self.assertRaises((EOFError, ConnectionError)):
            raw.reply()
        raw.close()
        code, _ = wait_exit(s, 10)
        self.assertEqual(code, 0)
        self.assertIn("User requested shutdown...", s.read_log())

    def test_redis_cli_shutdown(self):
        s = self.start()
        code, out, err = s.cli("SHUTDOWN")
        self.assertEqual((code, out, err), (0, "", ""))
        self.assertEqual(wait_exit(s, 10)[0], 0)

    def test_argument_errors_and_abort(self):
        s = self.start()
        c = s.client()
        for args in (["FOO"], ["SAVE", "NOSAVE"], ["ABORT", "NOW"], ["NOSAVE", "ABORT"]):
            with self.assertRaises(redis.exceptions.ResponseError) as cm:
                c.execute_command("SHUTDOWN", *args)
            self.assertEqual(str(cm.exception), "syntax error")
        with self.assertRaises(redis.exceptions.ResponseError) as cm:
            c.execute_command("SHUTDOWN", "ABORT")
        self.assertEqual(str(cm.exception), "No shutdown in progress.")
        p = c.pipeline(transaction=True)
        p.execute_command("SHUTDOWN")
        with self.assertRaises(redis.exceptions.ResponseError):
            p.execute()
        self.assertTrue(c.ping())  # still running

    def test_shutdown_needs_auth(self):
        s = self.start({"requirepass": "pw"})
        raw = s.raw()
        self.assertTrue(raw.cmd("SHUTDOWN").startswith(b"-NOAUTH"))
        raw.close()


@sessionkv_only
class TestDrain(ShutdownCase):
    def test_sigterm_under_load_delivers_every_reply_and_closes_cleanly(self):
        """Clients pipelining INCRs: each sees 1, 2, 3, ... with no gap and no torn reply, then EOF (never
        a reset), and the server exits 0 well within shutdown-timeout."""
        s = self.start({"io-threads": "2", "shutdown-timeout": "10"})
        results = {}
        started = threading.Barrier(5)

        def client(n):
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=20)
            key = b"counter%d" % n
            cmd = b"*2\r\n$4\r\nINCR\r\n$%d\r\n%s\r\n" % (len(key), key)
            buf, expect, outcome = b"", 1, "eof"
            started.wait()
            try:
                while True:
                    try:
                        sock.sendall(cmd * 50)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the server half-closed; keep reading what it sent
                    while True:
                        chunk = sock.recv(65536)
                        if not chunk:
                            raise EOFError
                        buf += chunk
                        while b"\r\n" in buf:
                            line, buf = buf.split(b"\r\n", 1)
                            if line != b":%d" % expect:
                                outcome = "bad reply %r, expected %d" % (line, expect)
                                raise EOFError
                            expect += 1
                        if expect % 50 == 1:
                            break
            except EOFError:
                if buf:
                    outcome = "torn reply %r" % buf
            except ConnectionResetError:
                outcome = "reset after %d replies" % (expect - 1)
            finally:
                sock.close()
            results[n] = (outcome, expect - 1)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        started.wait()
        time.sleep(0.3)
        s.proc.send_signal(signal.SIGTERM)
        code, took = wait_exit(s, 15)
        for t in threads:
            t.join(20)
        self.assertEqual(code, 0)
        self.assertLess(took, 5)
        self.assertEqual(len(results), 4)
        for n, (outcome, replies) in results.items():
            self.assertEqual(outcome, "eof", (n, outcome))
            self.assertGreater(replies, 0)

    def test_readyz_fails_while_draining_and_timeout_bounds_the_wait(self):
        """A client that never reads keeps its replies queued: the drain waits for it until
        shutdown-timeout, /readyz says 503 meanwhile, then the client is cut and the server exits 0."""
        s = self.start({"metrics-port": str(free_port()), "shutdown-timeout": "2"})
        c = s.client()
        c.set("big", "x" * (1 << 20))
        stuck = socket.create_connection(("127.0.0.1", s.port))
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stuck.sendall(b"GET big\r\n" * 64)  # 64 MB of replies it never reads
        time.sleep(0.3)
        s.proc.send_signal(signal.SIGTERM)
        deadline = time.time() + 1.5
        statuses = set()
        while time.time() < deadline:
            try:
                statuses.add(s.http("/readyz")[::2])
                self.assertEqual(s.http("/healthz")[0], 200)
            except OSError:
                pass
            time.sleep(0.05)
        self.assertIn((503, "shutting down\n"), statuses)
        code, took = wait_exit(s, 10)
        self.assertEqual(code, 0)
        log = s.read_log()
        self.assertIn("1 client(s) still connected after shutdown-timeout (2 s): closing them.", log)
        self.assertIn(BYE, log)
        stuck.close()

    def test_second_sigint_exits_at_once(self):
        s = self.start({"shutdown-timeout": "30"})
        s.client().set("big", "x" * (1 << 20))
        stuck = socket.create_connection(("127.0.0.1", s.port))
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stuck.sendall(b"GET big\r\n" * 64)
        time.sleep(0.3)
        s.proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        s.proc.send_signal(signal.SIGINT)
        code, took = wait_exit(s, 10)
        self.assertEqual(code, 1)
        self.assertIn("You insist... exiting now.", s.read_log())
        stuck.close()

    def test_idle_pooled_clients_do_not_delay_the_exit(self):
        s = self.start()
        pool = [s.client() for _ in range(20)]
        for c in pool:
            c.ping()  # connected and idle, as a Lettuce or Jedis pool
        s.proc.send_signal(signal.SIGTERM)
        code, took = wait_exit(s, 10)
        self.assertEqual(code, 0)
        self.assertLess(took, 2)


if __name__ == "__main__":
    main()

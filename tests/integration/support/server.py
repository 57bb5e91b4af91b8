# SPDX-License-Identifier: Apache-2.0
"""Real-process fixture for integration tests (style.md pattern 12).

Every integration test talks to a real server process over TCP with clients we did not write
(redis-py, redis-cli) plus raw sockets for protocol-level checks.

Which server runs is chosen by the environment:
  SESSIONKV_SERVER=/path/to/sessionkv-server   the binary under test (default: build/bin/sessionkv-server)
  SESSIONKV_TEST_TARGET=redis                  run the same tests against Debian's redis-server 7, to check
                                               that a test encodes Redis's behaviour (differential mode)
Tests that depend on sessionkv-only behaviour decorate themselves with @sessionkv_only; tests of
Redis 7.2 behaviour that Debian's 7.0 lacks use @needs_redis_72.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import redis

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TARGET = os.environ.get("SESSIONKV_TEST_TARGET", "sessionkv")
SERVER_BIN = os.path.abspath(os.environ.get("SESSIONKV_SERVER", os.path.join(ROOT, "build", "bin", "sessionkv-server")))
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"

sessionkv_only = unittest.skipIf(TARGET == "redis", "sessionkv-specific behaviour")
needs_redis_72 = unittest.skipIf(TARGET == "redis", "Redis 7.2 behaviour; Debian ships 7.0")


def free_port():
    """A port that was free a moment ago (bind to 0 and release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process with its own temp dir, config file and log.

    data_dir, if given, is the server's `dir` (where a persistent server keeps its data) instead of the
    temp dir; the config file and the log stay in the temp dir (so that a full data_dir cannot swallow
    the log). kill9() and restart() crash and restart the process on the same config and data."""

    def __init__(self, config=None, args=None, data_dir=None):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="sessionkv-test-")
        self.data_dir = data_dir or self.dir
        self.log_path = os.path.join(self.dir, "server.log")
        conf = {"port": str(self.port), "bind": "127.0.0.1", "dir": self.data_dir}
        if TARGET == "redis":
            conf.update({"save": '""', "appendonly": "no"})
        else:
            # Parallel suites must not all bind the default metrics port 9121; tests of the endpoint
            # pass their own free port (see metrics_url).
            conf["metrics-port"] = "0"
        conf.update(config or {})
        self.metrics_port = int(conf.get("metrics-port", 0)) if TARGET != "redis" else 0
        self.password = conf.get("requirepass") or None  # lets _wait_ready's probe past NOAUTH
        self.conf_path = os.path.join(self.dir, "server.conf")
        with open(self.conf_path, "w") as f:
            for k, v in conf.items():
                for value in v if isinstance(v, list) else [v]:
                    f.write("%s %s\n" % (k, value))
        self.binary = "redis-server" if TARGET == "redis" else SERVER_BIN
        self.argv = [self.binary, self.conf_path] + list(args or [])
        self.log = open(self.log_path, "ab")
        self._spawn()
        try:
            self._wait_ready()
        except RuntimeError:  # the message carries the log
            self.stop()
            raise

    def _spawn(self):
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)

    def _wait_ready(self, timeout=20.0, poll_s=0.05):
        """Polls PING until +PONG. Returns the other replies seen meanwhile (e.g. -LOADING while a
        persistent server loads its data), so a caller can check that nothing else came. With
        requirepass the probe authenticates first (NOAUTH comes before LOADING); a server whose password
        the config does not show (an aclfile) counts as ready on -NOAUTH."""
        deadline = time.time() + timeout
        seen = []
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s during start-up:\n%s"
                                   % (self.proc.returncode, self.read_log()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if self.password:
                        pw = self.password.encode()
                        s.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(pw), pw))
                        s.recv(256)
                    s.sendall(b"PING\r\n")
                    reply = s.recv(256)
                    if reply.startswith((b"+PONG", b"-NOAUTH")):
                        return seen
                    if reply:
                        seen.append(reply)
            except OSError:
                pass
            time.sleep(poll_s)
        raise RuntimeError("server not ready after %ss:\n%s" % (timeout, self.read_log()))

    def kill9(self):
        """SIGKILL: the process dies at once, nothing is flushed or closed by the server."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def restart(self, timeout=60.0, wait=True):
        """Starts the server again on the same config, port and data dir (after kill9() or an exit).
        With wait, returns (seconds from process start to the first PONG, replies seen before it)."""
        if self.proc.poll() is None:
            raise RuntimeError("restart() of a server that is still running")
        self._spawn()
        if not wait:
            return None
        seen = self._wait_ready(timeout, poll_s=0.01)
        return time.monotonic() - self.started_at, seen
    def http(self, path, method="GET"):
        """(status, headers, body text) of an HTTP request to the metrics endpoint."""
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.metrics_port, timeout=10)
        try:
            conn.request(method, path)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8")
        finally:
            conn.close()

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def client(self, **kw):
        """A redis-py client (RESP2; redis-py 4.3 on Debian 12 speaks only RESP2)."""
        kw.setdefault("socket_timeout", 10)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def raw(self):
        return RawConnection(self.port)

    def cli(self, *args, stdin=None, env=None):
        """Runs redis-cli against this server; returns (exit code, stdout, stderr) as text."""
        p = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(self.port)] + [str(a) for a in args],
                           input=stdin, capture_output=True, timeout=30, env=env,
                           text=not isinstance(stdin, bytes))
        return p.returncode, p.stdout, p.stderr

    def stop(self, keep=False):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        report = self.sanitizer_report()
        if keep or report:
            sys.stderr.write("kept server dir %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if report:
            raise AssertionError("the server's sanitizer reported:\n" + report)

    SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

    def sanitizer_report(self):
        """The first lines of an ASan/LSan/UBSan report in the server's log (a sanitizer build), or ''."""
        log = self.read_log()
        for mark in self.SANITIZER_MARKS:
            at = log.find(mark)
            if at >= 0:
                return log[max(0, log.rfind("\n", 0, at)):at + 3000]
        return ""


class RawConnection:
    """A plain socket for byte-exact protocol checks: send bytes, read whole RESP replies."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by server")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line + b"\r\n"

    def _exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def reply(self):
        """The raw bytes of the next whole reply (RESP2 or RESP3)."""
        line = self._line()
        kind = line[:1]
        if kind in b"$=!":
            n = int(line[1:-2])
            return line if n < 0 else line + self._exact(n + 2)
        if kind in b"*~>%|":
            n = int(line[1:-2])
            if n < 0:
                return line
            if kind in b"%|":
                n *= 2
            return line + b"".join(self.reply() for _ in range(n))
        return line

    def cmd(self, *args):
        """Sends one command as a multibulk request and returns its raw reply bytes."""
        parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        self.send(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
        return self.reply()

    def is_closed(self, timeout=5):
        """True if the server closes the connection (EOF) within `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


class ServerTestCase(unittest.TestCase):
    """One server per test class (started in setUpClass); every test starts from FLUSHALL.

    Subclasses may set CONFIG (dict of directive -> value or list of values), ARGS (extra argv) and PASSWORD
    (for self.r when the server has requirepass)."""
    CONFIG = {}
    ARGS = []
    PASSWORD = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.CONFIG, cls.ARGS)

    @classmethod
    def tearDownClass(cls):
        failed = getattr(cls, "_failed", False)
        cls.server.stop(keep=failed)

    def setUp(self):
        self._problems_at_start = _problem_count(self)
        self.r = self.server.client(password=self.PASSWORD)
        self.r.flushall()

    def tearDown(self):
        self.r.close()
        if _problem_count(self) > self._problems_at_start:
            type(self)._failed = True  # keep this class's server dir and log for the post-mortem

    def conn(self):
        """A raw connection to the class's server, closed when the test ends."""
        c = self.server.raw()
        self.addCleanup(c.close)
        return c

    def assertError(self, fn, text):
        """Asserts that fn() raises a redis error whose message is exactly `text` (without '-')."""
        with self.assertRaises(redis.exceptions.ResponseError) as cm:
            fn()
        self.assertEqual(str(cm.exception), text)


def _problem_count(test):
    """Failures and errors recorded so far in the run (Python 3.11 records them as they happen)."""
    result = getattr(getattr(test, "_outcome", None), "result", None)
    if result is None:
        return 0
    return len(getattr(result, "failures", [])) + len(getattr(result, "errors", []))


def main():
    unittest.main(verbosity=2)

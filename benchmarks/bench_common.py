# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the benchmarks (expiry_delay.py, session_memory.py, persistence_bench.py).

- BenchServer: sessionkv-server or Debian's redis-server on a free port, without persistence unless asked,
  in a temp dir, as scripts/bench-vs-redis.sh starts them; stopped and restarted on the same dir.
- RespConn: a raw-socket RESP client for pipelined loading (redis-py's per-command overhead would dominate
  the load time of 100,000 sessions) and for simple request/reply calls.
- Spring-like session payloads: keys spring:session:sessions:<uuid> holding the five fields the default
  RedisSessionRepository writes (spring-session-wire.md 2.1), with JDK-serialization-shaped binary values.

Benchmarks measure; they never assert timings.
"""
import math
import os
import random
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SESSIONKV_BIN = os.path.abspath(os.environ.get("SESSIONKV_SERVER",
                                               os.path.join(ROOT, "build", "bin", "sessionkv-server")))
REDIS_BIN = os.environ.get("REDIS_SERVER", "redis-server")
SESSION_PREFIX = b"spring:session:sessions:"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------------ RESP

def encode(*args):
    """One command as a RESP multibulk request."""
    parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


class RespError(Exception):
    pass


class RespConn:
    """A blocking RESP2 connection. reply() decodes one reply: bytes, int, list, None or RespError."""

    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise EOFError("connection closed by server")
        if self.pos > (1 << 20):  # drop what was consumed, so the buffer does not grow without bound
            del self.buf[:self.pos]
            self.pos = 0
        self.buf += chunk

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = bytes(self.buf[self.pos:end])
                self.pos = end + 2
                return line
            self._fill()

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RespError(rest.decode("utf-8", "replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) - self.pos < n + 2:
                self._fill()
            data = bytes(self.buf[self.pos:self.pos + n])
            self.pos += n + 2
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("unexpected RESP line %r" % line)

    def call(self, *args):
        self.sock.sendall(encode(*args))
        r = self.reply()
        if isinstance(r, RespError):
            raise r
        return r

    def pipeline(self, requests, batch=1000):
        """Sends pre-encoded requests `batch` at a time and reads every reply; raises on the first error."""
        for i in range(0, len(requests), batch):
            chunk = requests[i:i + batch]
            self.sock.sendall(b"".join(chunk))
            for _ in chunk:
                r = self.reply()
                if isinstance(r, RespError):
                    raise r

    def info(self, section=None):
        text = self.call("INFO", *([section] if section else [])).decode()
        out = {}
        for line in text.splitlines():
            if ":" in line and not line.startswith("#"):
                k, v = line.split(":", 1)
                out[k] = v
        return out

    def close(self):
        self.sock.close()


# ---------------------------------------------------------------------------------------------- servers

class BenchServer:
    """One server process. kind is "sessionkv" or "redis"; extra are more --directive value arguments
    (they come last, so they override the defaults here, e.g. --appendonly yes for a persistent Redis).

    For persistence benchmarks: stop_process() ends the process but keeps its dir, start_again() starts
    it on the same dir and returns the seconds from the process start to the first PONG (a server loading
    its data answers -LOADING until then), disk_bytes() is what the data in the dir occupies."""

    LOG = "server.log"

    def __init__(self, kind, extra=()):
        self.kind = kind
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="sessionkv-bench-")
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir]
        if kind == "redis":
            binary = REDIS_BIN
            args += ["--save", "", "--appendonly", "no"]
        else:
            binary = SESSIONKV_BIN
            if not os.access(binary, os.X_OK):
                raise SystemExit("build first: %s is missing" % binary)
            # a benchmark measures the RESP side only, and keeps nothing on disk unless `extra` asks
            args += ["--metrics-port", "0", "--appendonly", "no"]
        self.argv = [binary] + args + list(extra)
        self.log = open(os.path.join(self.dir, self.LOG), "ab")
        self._spawn()
        self._wait_ready()
        self.version = self.conn().info("server").get("redis_version", "?")

    def _spawn(self):
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)

    def _wait_ready(self, timeout=20.0, poll_s=0.05):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited during start-up, see %s" % (self.kind, self.dir))
            try:
                c = RespConn(self.port, timeout=1)
                try:
                    if c.call("PING") == b"PONG":
                        return time.monotonic() - self.started_at
                finally:
                    c.close()
            except (OSError, RespError):  # not listening yet, or -LOADING
                pass
            time.sleep(poll_s)
        raise RuntimeError("%s not ready after %ss" % (self.kind, timeout))

    def stop_process(self, kill=False):
        """SIGTERM (a clean shutdown: both servers flush what they buffered) or SIGKILL; keeps the dir."""
        if self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            try:
                self.proc.wait(timeout=600)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def start_again(self, timeout=1800.0):
        """Starts the stopped server on its dir; returns the seconds until it answers PONG."""
        self._spawn()
        return self._wait_ready(timeout, poll_s=0.01)

    def disk_bytes(self, under=""):
        """Bytes allocated on disk (du, st_blocks) by everything in the dir (or its subdirectory `under`)
        except our log."""
        total = 0
        for root, _, files in os.walk(os.path.join(self.dir, under)):
            for name in files:
                path = os.path.join(root, name)
                if path != os.path.join(self.dir, self.LOG):
                    try:
                        total += os.lstat(path).st_blocks * 512
                    except FileNotFoundError:  # removed while we walk (a compaction, a rewrite)
                        pass
        return total

    def conn(self):
        return RespConn(self.port)

    def vm_rss(self):
        """Resident set size of the server process in bytes (VmRSS from /proc/<pid>/status)."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS for pid %d" % self.proc.pid)

    def supports(self, command):
        """True if the server knows `command` (COMMAND INFO returns a non-nil entry)."""
        return self.conn().call("COMMAND", "INFO", command)[0] is not None

    def stop(self):
        self.stop_process()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------------------------- sessions

# JDK serialization of java.lang.Long / java.lang.Integer (class descriptor with serialVersionUID, the
# `value` field, the java.lang.Number superclass descriptor, then the big-endian value): what
# JdkSerializationRedisSerializer writes for creationTime, lastAccessedTime and maxInactiveInterval.
_NUMBER_DESC = b"\x72\x00\x10java.lang.Number\x86\xac\x95\x1d\x0b\x94\xe0\x8b\x02\x00\x00\x78\x70"
_LONG_PREFIX = (b"\xac\xed\x00\x05\x73\x72\x00\x0ejava.lang.Long\x3b\x8b\xe4\x90\xcc\x8f\x23\xdf"
                b"\x02\x00\x01\x4a\x00\x05value\x78" + _NUMBER_DESC)
_INT_PREFIX = (b"\xac\xed\x00\x05\x73\x72\x00\x11java.lang.Integer\x12\xe2\xa0\xa4\xf7\x81\x87\x38"
               b"\x02\x00\x01\x49\x00\x05value\x78" + _NUMBER_DESC)
_SECURITY_PREFIX = (b"\xac\xed\x00\x05\x73\x72\x00\x3dorg.springframework.security.core.context."
                    b"SecurityContextImpl\x00\x00\x00\x00\x00\x00\x02\x6c\x02\x00\x01\x4c\x00\x0e"
                    b"authenticationt\x00\x32Lorg/springframework/security/core/Authentication;xp")


def jdk_long(v):
    return _LONG_PREFIX + struct.pack(">q", v)


def jdk_int(v):
    return _INT_PREFIX + struct.pack(">i", v)


def jdk_string(s):
    data = s.encode()
    return b"\xac\xed\x00\x05\x74" + struct.pack(">H", len(data)) + data


SESSION_BYTES = 1024  # field names + values of one session, the "about 1 KB"


def session_key(rng):
    return SESSION_PREFIX + str(uuid.UUID(int=rng.getrandbits(128), version=4)).encode()


def session_fields(rng, now_ms, total=SESSION_BYTES):
    """The five hash fields of one session, [(field, value)], whose names and values total `total` bytes.
    The security context is a serialized-looking prefix padded with random bytes (values are binary)."""
    fields = [
        (b"creationTime", jdk_long(now_ms)),
        (b"lastAccessedTime", jdk_long(now_ms)),
        (b"maxInactiveInterval", jdk_int(1800)),
        (b"sessionAttr:x", jdk_string("value-%08x" % rng.getrandbits(32))),
    ]
    used = sum(len(f) + len(v) for f, v in fields) + len(b"sessionAttr:SPRING_SECURITY_CONTEXT")
    pad = total - used - len(_SECURITY_PREFIX)
    if pad < 0:
        raise ValueError("session size %d is below the fixed part %d" % (total, total - pad))
    fields.insert(3, (b"sessionAttr:SPRING_SECURITY_CONTEXT", _SECURITY_PREFIX + rng.randbytes(pad)))
    return fields


def session_write(rng, value_type, now_ms, key=None, total=SESSION_BYTES):
    """(key, [write request]) for one session without its expiry: HMSET of the five fields (what the
    default repository sends), or for value_type "string" one SET of a value of the same total size, or for
    "shadow" the indexed repository's empty `spring:session:sessions:expires:<id>` key (APPEND of "",
    spring-session-wire.md 1.3), which shows the cost of a key without the value's."""
    if value_type == "shadow":
        key = key or SESSION_PREFIX + b"expires:" + session_key(rng)[len(SESSION_PREFIX):]
        return key, [encode(b"APPEND", key, b"")]
    key = key or session_key(rng)
    fields = session_fields(rng, now_ms, total)
    if value_type == "hash":
        flat = [x for fv in fields for x in fv]
        return key, [encode(b"HMSET", key, *flat)]
    if value_type == "string":
        return key, [encode(b"SET", key, b"".join(x for fv in fields for x in fv))]
    raise ValueError("value type must be hash, string or shadow, not %r" % value_type)


def make_rng(seed=1):
    return random.Random(seed)


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list (p in 0..100); None if empty."""
    if not sorted_values:
        return None
    rank = math.ceil(p / 100.0 * len(sorted_values))
    return sorted_values[max(0, min(len(sorted_values), rank) - 1)]

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Memory of Spring sessions: sessionkv beside redis-server 7 (design.md "Memory").

Loads N sessions as Spring Session's RedisSessionRepository stores them into each server (one started
here, on a free loopback port, without persistence): key "spring:session:sessions:<uuid>", five fields
whose values look like JDK serialization (creationTime and lastAccessedTime 82 bytes, maxInactiveInterval
81, sessionAttr:SPRING_SECURITY_CONTEXT about 600, sessionAttr:x about 100; all binary, all longer than 64
bytes, so Redis stores every session as a hashtable), each written with HSET then PEXPIRE 1800000.
Then it reads INFO memory's used_memory and the process's VmRSS (/proc/<pid>/status) and prints both
servers' figures, per session and as a ratio sessionkv / redis. Last, every session's lastAccessedTime is
rewritten once with a pipelined HSET (what each request of a Spring app does) and the time that takes is
printed, with the memory after it.

Usage: benchmarks/session_memory.py [--sessions 100000] [--context-bytes 600] [--server PATH]
"""
import argparse
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(*args):
    parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        line = self._line()
        if line[:1] == b"$":
            n = int(line[1:])
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(1 << 20)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if line[:1] == b"-":
            raise RuntimeError(line.decode())
        return line

    def pipeline(self, requests):
        self.sock.sendall(b"".join(requests))
        return [self.reply() for _ in requests]


def jdk_long(rng):
    return (b"\xac\xed\x00\x05sr\x00\x0ejava.lang.Long;\x8b\xe4\x90\xcc\x8f#\xdf\x02\x00\x01J\x00"
            b"\x05valuexr\x00\x10java.lang.Number\x86\xac\x95\x1d\x0b\x94\xe0\x8b\x02\x00\x00xp"
            + rng.randbytes(8))


def jdk_integer(rng):
    return (b"\xac\xed\x00\x05sr\x00\x11java.lang.Integer\x12\xe2\xa0\xa4\xf7\x81\x878\x02\x00\x01I"
            b"\x00\x05valuexr\x00\x10java.lang.Number\x86\xac\x95\x1d\x0b\x94\xe0\x8b\x02\x00\x00xp"
            + rng.randbytes(4))


def jdk_object(rng, size):
    return b"\xac\xed\x00\x05sr\x00" + rng.randbytes(size - 7)


def session_requests(rng, context_bytes):
    key = "spring:session:sessions:%s" % uuid.UUID(int=rng.getrandbits(128), version=4)
    fields = [b"creationTime", jdk_long(rng), b"lastAccessedTime", jdk_long(rng),
              b"maxInactiveInterval", jdk_integer(rng),
              b"sessionAttr:SPRING_SECURITY_CONTEXT", jdk_object(rng, context_bytes + rng.randint(-40, 40)),
              b"sessionAttr:x", jdk_object(rng, rng.randint(90, 110))]
    return key, [encode("HSET", key, *fields), encode("PEXPIRE", key, 1800000)]


def run_pipelined(conn, requests):
    for i in range(0, len(requests), 2000):
        conn.pipeline(requests[i:i + 2000])


def vm_rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def used_memory(conn):
    info = conn.pipeline([encode("INFO", "memory")])[0].decode()
    for line in info.splitlines():
        if line.startswith("used_memory:"):
            return int(line.split(":")[1])
    raise RuntimeError("no used_memory")


def measure(argv, port, sessions, seed, context_bytes):
    workdir = tempfile.mkdtemp(prefix="session-memory-")
    proc = subprocess.Popen(argv, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                conn = Conn(port)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("server did not start: %s" % argv)
        base_rss, base_used = vm_rss_bytes(proc.pid), used_memory(conn)
        rng = random.Random(seed)  # the same sessions, byte for byte, for both servers
        keys, requests = [], []
        for _ in range(sessions):
            key, reqs = session_requests(rng, context_bytes)
            keys.append(key)
            requests += reqs
        run_pipelined(conn, requests)
        dbsize = int(conn.pipeline([encode("DBSIZE")])[0][1:])
        assert dbsize == sessions, dbsize
        time.sleep(1)  # let both servers settle (Redis's cron, sessionkv's timers)
        result = {"rss": vm_rss_bytes(proc.pid), "used": used_memory(conn), "base_rss": base_rss,
                  "base_used": base_used}
        touches = [encode("HSET", k, "lastAccessedTime", jdk_long(rng)) for k in keys]
        start = time.perf_counter()
        run_pipelined(conn, touches)
        result["touch_s"] = time.perf_counter() - start
        result["rss_after_touch"] = vm_rss_bytes(proc.pid)
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=100000)
    ap.add_argument("--server", default=os.path.join(ROOT, "build", "bin", "sessionkv-server"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--context-bytes", type=int, default=600,
                    help="size of sessionAttr:SPRING_SECURITY_CONTEXT (3500 makes a 4 KB session)")
    args = ap.parse_args()

    results = {}
    port = free_port()
    results["sessionkv"] = measure([args.server, "--port", str(port), "--bind", "127.0.0.1"], port,
                                   args.sessions, args.seed, args.context_bytes)
    port = free_port()
    results["redis"] = measure(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], port, args.sessions, args.seed,
                               args.context_bytes)

    n = args.sessions
    print("%d sessions (HSET of 5 JDK-serialized fields, context %d bytes, + PEXPIRE 1800000)"
          % (n, args.context_bytes))
    print("%-10s %12s %12s %12s %12s %14s %14s" % ("server", "used_memory", "VmRSS", "used/session",
                                                   "rss/session", "HSET touch/s", "VmRSS after"))
    for name, r in results.items():
        print("%-10s %12d %12d %12.0f %12.0f %14.0f %14d" % (
            name, r["used"], r["rss"], (r["used"] - r["base_used"]) / n, (r["rss"] - r["base_rss"]) / n,
            n / r["touch_s"], r["rss_after_touch"]))
    s, r = results["sessionkv"], results["redis"]
    print("ratio sessionkv/redis: used_memory %.3f, VmRSS %.3f" % (s["used"] / r["used"], s["rss"] / r["rss"]))


if __name__ == "__main__":
    main()

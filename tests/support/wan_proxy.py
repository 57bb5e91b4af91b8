#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A TCP proxy that behaves like a wide-area link, for replication tests on a kernel without tc netem.

Between a listening port and one upstream address it forwards every connection with:
  - a one-way delay per direction (e.g. 40 ms each way): each chunk is delivered `delay` after it was read,
    in order, while reading goes on, so the delay costs latency and never bandwidth;
  - random stalls (the link pauses for a while, then delivers what it held), or one on demand;
  - cut: every connection is reset and new ones are refused (reset at once) until restore;
  - blackhole: bytes are silently held (nothing read, nothing delivered, no error; new connections are
    accepted and held too) until restore, when everything held is delivered as TCP would after the link
    came back.

Imported, it is an object:
    proxy = WanProxy(upstream_port, delay_ms=40); proxy.start()
    ... connect to proxy.port ...; proxy.cut(); proxy.restore(); proxy.blackhole(); proxy.stall(500)
    proxy.stop()
Run as a process:
    wan_proxy.py --upstream 127.0.0.1:6379 [--listen 0] [--delay-ms 40] [--stall-every-s 5 --stall-ms 300]
                 [--control PORT]
it prints "listening <port>" (and "control <port>") on stdout, then takes line commands on the control port
("cut", "restore", "blackhole", "delay <ms>", "stall <ms>", "stats": each answers one line) and signals
(SIGUSR1 cuts, SIGUSR2 restores, SIGTERM stops).
"""
import argparse
import collections
import json
import random
import signal
import socket
import struct
import sys
import threading
import time

NORMAL, CUT, BLACKHOLE = "normal", "cut", "blackhole"
_CHUNK = 65536


def _reset(sock):
    """Closes with an RST (SO_LINGER 0), as a dropped link looks to the peer once it notices."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv on it
    except OSError:
        pass
    sock.close()


class _Pipe:
    """One direction of one connection: a reader thread queues chunks with their delivery time, a writer
    thread sends each at that time. FIFO, so order is kept; the reader never waits for the writer."""

    def __init__(self, link, src, dst, name):
        self.link, self.src, self.dst, self.name = link, src, dst, name
        self.queue = collections.deque()  # (deliver_at, bytes or None for EOF)
        self.bytes = 0
        self.reader = threading.Thread(target=self._read, name=name + "-read", daemon=True)
        self.writer = threading.Thread(target=self._write, name=name + "-write", daemon=True)

    def start(self):
        self.reader.start()
        self.writer.start()

    def _read(self):
        proxy = self.link.proxy
        while True:
            with proxy.cond:
                proxy.cond.wait_for(lambda: self.link.closed or not proxy._holding())
                if self.link.closed:
                    return
            try:
                data = self.src.recv(_CHUNK)
            except OSError:
                data = b""
            with proxy.cond:
                self.queue.append((time.monotonic() + proxy.delay_s, data or None))
                proxy.cond.notify_all()
            if not data:
                return

    def _write(self):
        proxy = self.link.proxy
        while True:
            with proxy.cond:
                while True:
                    if self.link.closed:
                        return
                    if self.queue and not proxy._holding():
                        wait = self.queue[0][0] - time.monotonic()
                        if wait <= 0:
                            break
                        proxy.cond.wait(wait)
                    else:
                        proxy.cond.wait()
                _, data = self.queue.popleft()
            if data is None:
                try:
                    self.dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                self.link.half_closed()
                return
            try:
                self.dst.sendall(data)
                self.bytes += len(data)
            except OSError:
                self.link.close()
                return


class _Link:
    """A client connection and its upstream connection."""

    def __init__(self, proxy, client, upstream):
        self.proxy, self.client, self.upstream = proxy, client, upstream
        self.closed = False
        self.ends = 0
        self.pipes = [_Pipe(self, client, upstream, "up"), _Pipe(self, upstream, client, "down")]

    def start(self):
        for p in self.pipes:
            p.start()

    def half_closed(self):
        with self.proxy.cond:
            self.ends += 1
            done = self.ends == 2
        if done:
            self.close(reset=False)

    def close(self, reset=True):
        with self.proxy.cond:
            if self.closed:
                return
            self.closed = True
            self.proxy.cond.notify_all()
            self.proxy.links.discard(self)
        for s in (self.client, self.upstream):
            if reset:
                _reset(s)
            else:
                s.close()


class WanProxy:
    def __init__(self, upstream_port, upstream_host="127.0.0.1", listen_port=0, delay_ms=0,
                 stall_every_s=0.0, stall_ms=0, seed=None):
        self.upstream = (upstream_host, upstream_port)
        self.delay_s = delay_ms / 1000.0
        self.state = NORMAL
        self.stalled_until = 0.0
        self.cond = threading.Condition()
        self.links = set()
        self.accepted = 0
        self.refused = 0
        self.stalls = 0
        self._stall_every_s, self._stall_ms = stall_every_s, stall_ms
        self._rng = random.Random(seed)
        self._stopping = False
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", listen_port))
        self._listener.listen(128)
        self.port = self._listener.getsockname()[1]
        self._threads = []

    # -- control --------------------------------------------------------------------------------------
    def start(self):
        self._spawn(self._accept_loop, "accept")
        if self._stall_every_s > 0 and self._stall_ms > 0:
            self._spawn(self._stall_loop, "stalls")
        return self

    def set_delay(self, ms):
        with self.cond:
            self.delay_s = ms / 1000.0

    def cut(self):
        """Resets every connection and refuses new ones until restore()."""
        with self.cond:
            self.state = CUT
            links = list(self.links)
            self.cond.notify_all()
        for link in links:
            link.close(reset=True)

    def blackhole(self):
        """Holds every byte silently (no error on either side) until restore()."""
        with self.cond:
            self.state = BLACKHOLE
            self.cond.notify_all()

    def restore(self):
        with self.cond:
            self.state = NORMAL
            self.stalled_until = 0.0
            self.cond.notify_all()

    def stall(self, ms):
        """Holds delivery for `ms`, then goes on (a short blackhole that ends by itself)."""
        with self.cond:
            self.stalls += 1
            self.stalled_until = max(self.stalled_until, time.monotonic() + ms / 1000.0)
            self.cond.notify_all()
        threading.Timer(ms / 1000.0, self._notify).start()

    def stats(self):
        with self.cond:
            return {"state": self.state, "delay_ms": round(self.delay_s * 1000, 3),
                    "connections": len(self.links), "accepted": self.accepted, "refused": self.refused,
                    "stalls": self.stalls,
                    "bytes_up": sum(l.pipes[0].bytes for l in self.links),
                    "bytes_down": sum(l.pipes[1].bytes for l in self.links)}

    def stop(self):
        with self.cond:
            self._stopping = True
            links = list(self.links)
            self.cond.notify_all()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        for link in links:
            link.close(reset=True)
        for t in self._threads:
            t.join(timeout=2)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- internals ------------------------------------------------------------------------------------
    def _holding(self):
        """cond held: whether bytes must wait (blackhole or a stall in progress)."""
        return self.state == BLACKHOLE or time.monotonic() < self.stalled_until

    def _notify(self):
        with self.cond:
            self.cond.notify_all()

    def _spawn(self, fn, name):
        t = threading.Thread(target=fn, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def _accept_loop(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self.cond:
                if self._stopping:
                    client.close()
                    return
                refuse = self.state == CUT
                if refuse:
                    self.refused += 1
            if refuse:
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(self, client, upstream)
            with self.cond:
                self.links.add(link)
                self.accepted += 1
            link.start()

    def _stall_loop(self):
        while True:
            time.sleep(self._rng.expovariate(1.0 / self._stall_every_s))
            with self.cond:
                if self._stopping:
                    return
            self.stall(self._rng.uniform(0.5, 1.5) * self._stall_ms)


# -- as a process ---------------------------------------------------------------------------------------
def _serve_control(proxy, port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)

    def handle(conn):
        with conn, conn.makefile("rw") as f:
            for line in f:
                words = line.split()
                if not words:
                    continue
                cmd, args = words[0].lower(), words[1:]
                try:
                    if cmd in ("cut", "restore", "blackhole") and not args:
                        getattr(proxy, cmd)()
                        reply = "OK"
                    elif cmd == "delay" and len(args) == 1:
                        proxy.set_delay(float(args[0]))
                        reply = "OK"
                    elif cmd == "stall" and len(args) == 1:
                        proxy.stall(float(args[0]))
                        reply = "OK"
                    elif cmd == "stats" and not args:
                        reply = json.dumps(proxy.stats())
                    else:
                        reply = "ERR unknown command"
                except ValueError:
                    reply = "ERR bad number"
                f.write(reply + "\n")
                f.flush()

    def loop():
        while True:
            conn, _ = srv.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return srv.getsockname()[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", required=True, help="host:port")
    ap.add_argument("--listen", type=int, default=0)
    ap.add_argument("--delay-ms", type=float, default=0)
    ap.add_argument("--stall-every-s", type=float, default=0)
    ap.add_argument("--stall-ms", type=float, default=0)
    ap.add_argument("--control", type=int, default=None, help="control port (0 picks one)")
    args = ap.parse_args(argv)
    host, _, port = args.upstream.rpartition(":")
    proxy = WanProxy(int(port), host or "127.0.0.1", args.listen, args.delay_ms, args.stall_every_s,
                     args.stall_ms).start()
    stop = threading.Event()
    # Handlers first: a caller may signal as soon as it has read the ports.
    signal.signal(signal.SIGUSR1, lambda *_: proxy.cut())
    signal.signal(signal.SIGUSR2, lambda *_: proxy.restore())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("listening %d" % proxy.port, flush=True)
    if args.control is not None:
        print("control %d" % _serve_control(proxy, args.control), flush=True)
    while not stop.wait(0.5):
        pass
    proxy.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

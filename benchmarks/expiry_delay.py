#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Delay from a key's deadline to its `expired` keyspace event at a subscriber, sessionkv beside
redis-server in the same run (issue 3).

Both servers run with notify-keyspace-events Ex; a subscriber process with its own raw socket PSUBSCRIBEs to
__keyevent@*__:expired and stamps every read with time.time() the moment recv() returns, before parsing.
Deadlines are set with PEXPIREAT at absolute Unix milliseconds, so the delay of a key is
arrival_ms - deadline_ms on one machine's clock. A server expires a key once its clock is past the deadline
(now > deadline, as Redis), so a delay below 1 ms is not possible with a millisecond clock.

Shapes:
  spread  --keys keys (500) with deadlines spread uniformly over --spread-ms (5000) ms, starting --lead-ms
          after they are written; nothing else in the keyspace.
  crowd   --live sessions (100,000) with a 1-hour TTL that nobody reads, loaded with pipelining first; then
          --burst keys (1,000) that share one deadline --lead-ms after they are written.
Each key is waited for up to --wait-s (10) seconds after its deadline; keys whose event did not arrive by
then count as missed. Every server is started fresh for every shape and round.

The client-side floor is measured too: --probes PUBLISHes on the expired channel, timed from the send to
the arrival at the same subscriber (loopback, both servers' pub/sub path, Python's wake-up).

Values: --value-type string (default; one ~1 KB string per session), hash (the five Spring session fields,
HMSET, for when the server has hashes) or shadow (the indexed repository's empty expires:<id> keys, whose
expiry is what Spring actually listens for).

  benchmarks/expiry_delay.py                      # both shapes, both servers
  benchmarks/expiry_delay.py --shapes crowd --rounds 3 --io-threads 2
  benchmarks/expiry_delay.py --rt-priority 10     # servers and subscriber not preempted by other work
"""
import argparse
import multiprocessing
import os
import select
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402

PATTERN = b"__keyevent@*__:expired"


def now_ms():
    return time.time_ns() / 1e6


def parse_frames(buf, pos):
    """Decodes the complete array frames (bulks and integers) in buf from pos: ([[bytes]], next pos)."""
    frames = []
    while True:
        start = pos
        end = buf.find(b"\r\n", pos)
        if end < 0:
            return frames, start
        n = int(buf[pos + 1:end])
        pos = end + 2
        parts = []
        for _ in range(n):
            end = buf.find(b"\r\n", pos)
            if end < 0:
                return frames, start
            if buf[pos:pos + 1] == b":":
                parts.append(bytes(buf[pos + 1:end]))
                pos = end + 2
                continue
            size = int(buf[pos + 1:end])
            if len(buf) < end + 2 + size + 2:
                return frames, start
            parts.append(bytes(buf[end + 2:end + 2 + size]))
            pos = end + 2 + size + 2
        frames.append(parts)


def subscriber_process(port, pipe):
    """The subscriber, in its own process so that nothing else competes for its interpreter: reads and
    stamps every chunk the moment recv() returns, and decodes only after 5 ms without data, sending
    [(key, arrival ms)] to the parent."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(bc.encode(b"PSUBSCRIBE", PATTERN))
    buf = bytearray()
    while not parse_frames(buf, 0)[0]:
        buf += sock.recv(1 << 16)
    del buf[:parse_frames(buf, 0)[1]]  # the psubscribe acknowledgement
    pipe.send("ready")
    chunks = []
    while True:
        ready, _, _ = select.select([sock, pipe], [], [], 0.005 if chunks else 1.0)
        if sock in ready:
            chunk = sock.recv(1 << 20)
            t = now_ms()  # stamped on arrival, before any decoding
            if not chunk:
                return
            chunks.append((t, chunk))
            continue
        if pipe in ready and pipe.recv() == "stop":
            return
        if chunks:
            arrivals = []
            for t, chunk in chunks:  # a frame arrived with the chunk that completed it
                buf += chunk
                frames, pos = parse_frames(buf, 0)
                del buf[:pos]
                arrivals += [(f[3], t) for f in frames if f[0] == b"pmessage"]
            chunks = []
            pipe.send(arrivals)


class Subscriber:
    """The parent's side of subscriber_process: arrivals (key -> [arrival ms])."""

    def __init__(self, port):
        self.pipe, child = multiprocessing.Pipe()
        self.proc = multiprocessing.get_context("fork").Process(target=subscriber_process, args=(port, child),
                                                                daemon=True)
        self.proc.start()
        if not self.pipe.poll(10) or self.pipe.recv() != "ready":
            raise RuntimeError("subscriber did not start")
        self.arrivals = {}

    def poll(self, timeout=0.0):
        while self.pipe.poll(timeout):
            for key, t in self.pipe.recv():
                self.arrivals.setdefault(key, []).append(t)
            timeout = 0

    def count(self, keys):
        self.poll()
        return sum(1 for k in keys if k in self.arrivals)

    def first_arrival(self, key):
        self.poll()
        times = self.arrivals.get(key)
        return times[0] if times else None

    def duplicates(self, keys):
        self.poll()
        return sum(len(self.arrivals[k]) - 1 for k in keys if k in self.arrivals)

    def stop(self):
        self.pipe.send("stop")
        self.proc.join(10)


def probe(conn, sub, count):
    """Client-side floor: ms from sending a PUBLISH on the expired channel to its arrival at `sub`."""
    delays = []
    for i in range(count):
        key = b"probe:%d" % i
        sent = now_ms()
        conn.call(b"PUBLISH", b"__keyevent@0__:expired", key)
        deadline = time.time() + 2
        while (t := sub.first_arrival(key)) is None and time.time() < deadline:
            sub.poll(0.05)
        if t is not None:
            delays.append(t - sent)
        time.sleep(0.002)
    return sorted(delays)


def wait_for(sub, deadlines, wait_s):
    """Waits until every key's event arrived (and 200 ms more, to see duplicates) or wait_s passed after
    the last deadline."""
    end = max(deadlines.values()) + wait_s * 1000
    while now_ms() < end:
        if sub.count(deadlines) == len(deadlines):
            end = min(end, now_ms() + 200)
        sub.poll(0.05)


def measure(sub, deadlines, wait_s):
    """(delivered, delays sorted, duplicates): a key counts if its event came within wait_s of its deadline."""
    delays = []
    for key, d in deadlines.items():
        t = sub.first_arrival(key)
        if t is not None and t - d <= wait_s * 1000:
            delays.append(t - d)
    return len(delays), sorted(delays), sub.duplicates(deadlines)


def write_keys(conn, rng, args, deadline_of):
    """Writes one session per (key, deadline) with PEXPIREAT, pipelined; returns {key: deadline}."""
    requests, deadlines = [], {}
    base = now_ms()
    for i in range(len(deadline_of)):
        d = int(base + deadline_of[i])
        key, writes = bc.session_write(rng, args.value_type, int(base))
        requests += writes + [bc.encode(b"PEXPIREAT", key, d)]
        deadlines[key] = d
    conn.pipeline(requests)
    written = now_ms()
    if written >= min(deadlines.values()):
        print("warning: writing took %.0f ms, past the first deadline; raise --lead-ms" % (written - base),
              file=sys.stderr)
    return deadlines


def load_live(conn, rng, args):
    """--live sessions with a 1-hour TTL (PEXPIRE 3600000), pipelined in batches of 1000 requests."""
    requests = []
    base = int(now_ms())
    for _ in range(args.live):
        key, writes = bc.session_write(rng, args.value_type, base)
        requests += writes + [bc.encode(b"PEXPIRE", key, 3_600_000)]
        if len(requests) >= 2000:
            conn.pipeline(requests)
            requests = []
    conn.pipeline(requests)


def set_realtime(pid, priority, all_threads):
    """SCHED_FIFO for a process (needs root): on a machine shared with other work, this keeps other
    processes from preempting the server and the subscriber, to tell a server's own delay from the
    machine's scheduling delay. Neither process busy-waits, so they cannot starve the machine."""
    cmd = ["chrt", "-f"] + (["-a"] if all_threads else []) + ["-p", str(priority), str(pid)]
    subprocess.run(cmd, check=True)


def run_once(kind, shape, args, seed):
    extra = ["--notify-keyspace-events", "Ex"]
    if kind == "sessionkv" and args.io_threads:
        extra += ["--io-threads", str(args.io_threads)]
    server = bc.BenchServer(kind, extra)
    try:
        if args.rt_priority:
            set_realtime(server.proc.pid, args.rt_priority, all_threads=True)
        if args.value_type == "hash" and not server.supports("hmset"):
            return None
        conn = server.conn()
        sub = Subscriber(server.port)
        if args.rt_priority:
            set_realtime(sub.proc.pid, args.rt_priority, all_threads=False)
        floor = probe(conn, sub, args.probes)
        rng = bc.make_rng(seed)
        if shape == "spread":
            offsets = [args.lead_ms + rng.randrange(args.spread_ms) for _ in range(args.keys)]
        else:
            t0 = now_ms()
            load_live(conn, rng, args)
            print("  %s: loaded %d live sessions in %.1f s" % (kind, args.live, (now_ms() - t0) / 1000),
                  file=sys.stderr)
            time.sleep(1)  # let both servers finish what the load started (Redis's incremental rehash)
            offsets = [args.lead_ms] * args.burst
        deadlines = write_keys(conn, rng, args, offsets)
        wait_for(sub, deadlines, args.wait_s)
        delivered, delays, dups = measure(sub, deadlines, args.wait_s)
        sub.stop()
        conn.close()
        return {"expected": len(deadlines), "delivered": delivered, "delays": delays, "dups": dups,
                "floor": floor, "version": server.version}
    finally:
        server.stop()


def fmt(v):
    return "-" if v is None else "%.2f" % v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shapes", default="spread,crowd")
    ap.add_argument("--servers", default="sessionkv,redis")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--keys", type=int, default=500, help="spread: keys with spread deadlines")
    ap.add_argument("--spread-ms", type=int, default=5000)
    ap.add_argument("--live", type=int, default=100_000, help="crowd: live sessions with a 1-hour TTL")
    ap.add_argument("--burst", type=int, default=1000, help="crowd: keys sharing one deadline")
    ap.add_argument("--lead-ms", type=int, default=800, help="first deadline this long after writing starts")
    ap.add_argument("--wait-s", type=float, default=10.0)
    ap.add_argument("--probes", type=int, default=200)
    ap.add_argument("--value-type", choices=["string", "hash", "shadow"], default="string")
    ap.add_argument("--io-threads", type=int, default=0, help="passed to sessionkv-server if > 0")
    ap.add_argument("--rt-priority", type=int, default=0,
                    help="run both servers and the subscriber under SCHED_FIFO at this priority (root)")
    args = ap.parse_args()

    results = {}
    load_before = os.getloadavg()
    for shape in args.shapes.split(","):
        for r in range(args.rounds):
            for kind in args.servers.split(","):  # alternate servers within a round
                print("%s round %d: %s" % (shape, r + 1, kind), file=sys.stderr)
                res = run_once(kind, shape, args, seed=1000 * r + 7)
                if res is None:
                    print("  %s has no HMSET yet: skipped" % kind, file=sys.stderr)
                    continue
                agg = results.setdefault((shape, kind), {"expected": 0, "delivered": 0, "delays": [],
                                                         "dups": 0, "floor": [], "version": res["version"]})
                for k in ("expected", "delivered", "dups"):
                    agg[k] += res[k]
                agg["delays"] += res["delays"]
                agg["floor"] += res["floor"]
                print("  delivered %d/%d, p50 %s ms, p99 %s ms, max %s ms" % (
                    res["delivered"], res["expected"], fmt(bc.percentile(res["delays"], 50)),
                    fmt(bc.percentile(res["delays"], 99)), fmt(res["delays"][-1] if res["delays"] else None)),
                    file=sys.stderr)

    print("| shape | server | delivered | p50 ms | p99 ms | max ms | duplicates | floor p50 / p99 ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for (shape, kind), a in results.items():
        d = sorted(a["delays"])
        f = sorted(a["floor"])
        print("| %s | %s %s | %d / %d | %s | %s | %s | %d | %s / %s |" % (
            shape, kind, a["version"], a["delivered"], a["expected"], fmt(bc.percentile(d, 50)),
            fmt(bc.percentile(d, 99)), fmt(d[-1] if d else None), a["dups"], fmt(bc.percentile(f, 50)),
            fmt(bc.percentile(f, 99))))
    print("\nload average (1 min) %.1f at the start, %.1f at the end; %s" % (
        load_before[0], os.getloadavg()[0], "SCHED_FIFO %d" % args.rt_priority if args.rt_priority
        else "normal priority"))


if __name__ == "__main__":
    main()

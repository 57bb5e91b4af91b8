#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Persistence cost for Spring sessions, sessionkv (RocksDB) beside redis-server 7 with AOF (issue 4).

For each server (--servers) and fsync policy (--fsync, default everysec,always), a fresh server with
`appendonly yes` and that `appendfsync` (Redis: `save ""` too, so only the AOF persists; its other AOF
settings are its defaults, so it rewrites the AOF by itself while it grows) is loaded with --sessions
(1,000,000) sessions as the default RedisSessionRepository writes them (bench_common.session_write: HMSET of
the five ~1 KB fields, then PEXPIRE 1800000), by --connections (8) loader processes, each pipelining
--batch (16) sessions per round trip, like a fleet of app pods. The sessions are generated before the clock
starts, the same ones for every server. Measured:
  load       sessions/s from the first request sent to the last reply read (all loaders);
  disk       bytes per session in the server's dir after the load (allocated blocks, as du; for Redis the
             appendonlydir), and again after BGREWRITEAOF (Redis: a compact base file; sessionkv: what its
             BGREWRITEAOF does, a flush or checkpoint);
  restart    seconds from the process start to the first PONG (not -LOADING), after a clean shutdown
             (SIGTERM) before the rewrite, after the rewrite, and after a kill -9;
  memory     VmRSS of the restarted server, per session.
Restart and disk are measured once per server, after the first policy's load (--fsync's first entry).

  benchmarks/persistence_bench.py                                   # 1,000,000 sessions, both servers
  benchmarks/persistence_bench.py --sessions 100000                 # quick
  benchmarks/persistence_bench.py --servers redis --fsync everysec
Benchmarks measure; they never assert timings.
"""
import argparse
import multiprocessing
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402

TTL_MS = 1_800_000


# ---------------------------------------------------------------------------------------------- loaders

def _loader(index, args, pipe):
    """A loader process: generates its share of the sessions once (sessions index, index + n, ...), then
    for every port it is sent connects, waits for "go" and sends them all, pipelined; reports its start and
    end (time.monotonic is one clock for all processes on Linux)."""
    rng = bc.make_rng(1000 + index)
    now_ms = int(time.time() * 1000)
    batches, batch, count = [], [], 0
    for _ in range(index, args.sessions, args.connections):
        key, writes = bc.session_write(rng, "hash", now_ms, total=args.bytes)
        batch += writes + [bc.encode(b"PEXPIRE", key, TTL_MS)]
        count += 1
        if count % args.batch == 0:
            batches.append((b"".join(batch), len(batch)))
            batch = []
    if batch:
        batches.append((b"".join(batch), len(batch)))
    pipe.send(("ready", count, sum(len(b) for b, _ in batches)))
    while True:
        port = pipe.recv()
        if port is None:
            return
        conn = bc.RespConn(port, timeout=600)
        pipe.send("connected")
        pipe.recv()  # go
        start = time.monotonic()
        for data, n in batches:
            conn.sock.sendall(data)
            _read_simple_replies(conn, n)
        pipe.send((start, time.monotonic()))
        conn.close()


def _read_simple_replies(conn, n):
    """Reads n one-line replies (+OK, :1); raises on an error reply. Cheaper than decoding each."""
    while True:
        end = conn.pos
        for _ in range(n):
            end = conn.buf.find(b"\r\n", end)
            if end < 0:
                break
            end += 2
        if end >= 0:
            chunk = bytes(conn.buf[conn.pos:end])
            if chunk.startswith(b"-") or b"\n-" in chunk:
                raise bc.RespError(chunk[chunk.find(b"-"):].split(b"\r\n")[0].decode())
            conn.pos = end
            return
        conn._fill()


class Fleet:
    def __init__(self, args):
        self.pipes, self.procs = [], []
        for i in range(args.connections):
            parent, child = multiprocessing.Pipe()
            p = multiprocessing.Process(target=_loader, args=(i, args, child), daemon=True)
            p.start()
            self.pipes.append(parent)
            self.procs.append(p)
        ready = [p.recv() for p in self.pipes]
        self.sessions = sum(r[1] for r in ready)
        self.request_bytes = sum(r[2] for r in ready)

    def load(self, port):
        """All loaders against one server; returns the seconds from the first send to the last reply."""
        for p in self.pipes:
            p.send(port)
        for p in self.pipes:
            p.recv()
        for p in self.pipes:
            p.send("go")
        spans = [p.recv() for p in self.pipes]
        return max(e for _, e in spans) - min(s for s, _ in spans)

    def close(self):
        for p in self.pipes:
            p.send(None)
        for p in self.procs:
            p.join()


# ----------------------------------------------------------------------------------------- measurements

def persistent_args(fsync):
    return ["--appendonly", "yes", "--appendfsync", fsync]


def wait_rewrite(server, timeout=1800):
    """Waits until INFO persistence shows no AOF rewrite running or scheduled (a server without those
    fields is taken to do BGREWRITEAOF synchronously)."""
    deadline = time.time() + timeout
    conn = server.conn()
    try:
        while time.time() < deadline:
            info = conn.info("persistence")
            if info.get("aof_rewrite_in_progress", "0") == "0" and info.get("aof_rewrite_scheduled", "0") == "0":
                return
            time.sleep(0.1)
    finally:
        conn.close()
    raise RuntimeError("%s: AOF rewrite still running after %d s" % (server.kind, timeout))


def check_loaded(server, n):
    conn = server.conn()
    try:
        size = conn.call("DBSIZE")
        if size != n:
            raise RuntimeError("%s holds %d keys, expected %d" % (server.kind, size, n))
        return conn.info("persistence")
    finally:
        conn.close()


def restart(server, kill=False, settle_s=1.0):
    server.stop_process(kill=kill)
    seconds = server.start_again()
    time.sleep(settle_s)
    return seconds, server.vm_rss()


def has_persistence(kind):
    if kind == "redis":
        return True
    try:
        bc.BenchServer(kind, persistent_args("everysec")).stop()
        return True
    except RuntimeError:
        return False


def run_server(kind, fleet, args):
    res = {}
    for i, fsync in enumerate(args.fsync.split(",")):
        print("%s, appendfsync %s: loading %d sessions" % (kind, fsync, fleet.sessions), file=sys.stderr)
        server = bc.BenchServer(kind, persistent_args(fsync))
        try:
            res["version"] = server.version
            seconds = fleet.load(server.port)
            res["load_%s" % fsync] = fleet.sessions / seconds
            time.sleep(args.settle_s)
            info = check_loaded(server, fleet.sessions)
            print("  %.1f s, %.0f sessions/s; AOF rewrites during the load: %s" % (
                seconds, fleet.sessions / seconds, info.get("aof_rewrites", "-")), file=sys.stderr)
            if i > 0:
                continue
            wait_rewrite(server)  # an automatic rewrite Redis started during the load
            res["disk_load"] = server.disk_bytes() / fleet.sessions
            res["restart_clean"], res["rss_clean"] = restart(server)
            check_loaded(server, fleet.sessions)
            conn = server.conn()
            try:
                conn.call("BGREWRITEAOF")
            except bc.RespError as e:  # Redis may have started one itself after the restart
                if "already in progress" not in str(e):
                    raise
            conn.close()
            wait_rewrite(server)
            time.sleep(args.settle_s)
            res["disk_rewrite"] = server.disk_bytes() / fleet.sessions
            if server.kind == "sessionkv":  # WAL files kept for replicas' resumes (repl-log-retention-*)
                res["disk_wal_archive"] = server.disk_bytes("rocksdb/archive") / fleet.sessions
            res["restart_rewritten"], res["rss_rewritten"] = restart(server)
            check_loaded(server, fleet.sessions)
            res["restart_kill9"], res["rss_kill9"] = restart(server, kill=True)
            check_loaded(server, fleet.sessions)
            print("  disk %.0f B/session (%.0f after BGREWRITEAOF); restart %.2f s clean, %.2f s rewritten, "
                  "%.2f s after kill -9" % (res["disk_load"], res["disk_rewrite"], res["restart_clean"],
                                            res["restart_rewritten"], res["restart_kill9"]), file=sys.stderr)
        finally:
            server.stop()
    if "rss_clean" in res:
        res["rss_clean_mb"] = res["rss_clean"] / 1e6
    for key in ("rss_clean", "rss_rewritten", "rss_kill9"):
        if key in res:
            res[key] /= fleet.sessions  # the empty server's few MB included: negligible at 1,000,000
    return res


ROWS = [  # key, label, format
    ("load_everysec", "load, appendfsync everysec (sessions/s)", "%.0f"),
    ("load_always", "load, appendfsync always (sessions/s)", "%.0f"),
    ("load_no", "load, appendfsync no (sessions/s)", "%.0f"),
    ("disk_load", "disk after the load (B/session)", "%.0f"),
    ("disk_rewrite", "disk after BGREWRITEAOF (B/session)", "%.0f"),
    ("disk_wal_archive", "of which the replication log archive (B/session)", "%.0f"),
    ("restart_clean", "restart to PONG after SIGTERM, before the rewrite (s)", "%.2f"),
    ("restart_rewritten", "restart to PONG after SIGTERM, after the rewrite (s)", "%.2f"),
    ("restart_kill9", "restart to PONG after kill -9 (s)", "%.2f"),
    ("rss_clean", "VmRSS after the restart (B/session)", "%.0f"),
    ("rss_clean_mb", "VmRSS after the restart (MB)", "%.0f"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--servers", default="sessionkv,redis")
    ap.add_argument("--fsync", default="everysec,always", help="appendfsync policies, the first also measures "
                    "disk and restart")
    ap.add_argument("--sessions", type=int, default=1_000_000)
    ap.add_argument("--connections", type=int, default=8, help="loader processes, one connection each")
    ap.add_argument("--batch", type=int, default=16, help="sessions (HMSET + PEXPIRE) per round trip")
    ap.add_argument("--bytes", type=int, default=bc.SESSION_BYTES, help="field names + values per session")
    ap.add_argument("--settle-s", type=float, default=1.0)
    args = ap.parse_args()

    kinds = []
    for kind in args.servers.split(","):
        if has_persistence(kind):
            kinds.append(kind)
        else:
            print("%s refuses appendonly yes (no persistence yet): skipped" % kind, file=sys.stderr)
    t0 = time.time()
    fleet = Fleet(args)
    print("generated %d sessions (%.0f MB of requests) in %.1f s with %d loaders" % (
        fleet.sessions, fleet.request_bytes / 1e6, time.time() - t0, args.connections), file=sys.stderr)
    try:
        results = {kind: run_server(kind, fleet, args) for kind in kinds}
    finally:
        fleet.close()

    cols = kinds + (["ratio"] if len(kinds) == 2 and "redis" in kinds else [])
    names = ["%s %s" % (k, results[k].get("version", "")) for k in kinds]
    print("%d sessions of %d B, %d connections x %d sessions per round trip" % (
        fleet.sessions, args.bytes, args.connections, args.batch))
    print("| measure | " + " | ".join(names + (["ratio sessionkv/redis"] if "ratio" in cols else [])) + " |")
    print("|---|" + "---:|" * len(cols))
    for key, label, fmt in ROWS:
        if not any(key in results[k] for k in kinds):
            continue
        cells = [fmt % results[k][key] if key in results[k] else "-" for k in kinds]
        if "ratio" in cols:
            other = [k for k in kinds if k != "redis"][0]
            a, b = results[other].get(key), results["redis"].get(key)
            cells.append("%.2f" % (a / b) if a is not None and b else "-")
        print("| %s | %s |" % (label, " | ".join(cells)))


if __name__ == "__main__":
    main()

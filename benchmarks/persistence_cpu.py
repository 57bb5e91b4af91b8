#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Where a persistent load spends its CPU: the same Spring-session load as persistence_bench.py (8 loader
processes, HMSET + PEXPIRE, 16 sessions per round trip), against each server with `appendonly yes` and one
`appendfsync` policy, reporting sessions/s, the server's CPU seconds per session (utime + stime from
/proc) and that CPU by thread name (sessionkv's I/O thread, RocksDB's flush `rocksdb:high` and
compaction `rocksdb:low` threads; Redis's main thread and its bio threads; a forked AOF rewrite child is
not counted).

  benchmarks/persistence_cpu.py --sessions 200000 --fsync everysec
  benchmarks/persistence_cpu.py --servers sessionkv --sessions 1000000 -- --rocksdb.bottommost_compression lz4
  benchmarks/persistence_cpu.py --servers sessionkv --perf /tmp/load.perf   # perf record -g of the load alone
Arguments after `--` go to sessionkv. Benchmarks measure; they never assert timings.
"""
import argparse
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402
import persistence_bench as pb  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(stat_path):
    fields = open(stat_path).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def thread_cpu(pid):
    """CPU seconds by thread name (threads of one name summed)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            raw = open("/proc/%d/task/%s/stat" % (pid, tid)).read()
        except OSError:  # the thread ended meanwhile
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        out[name] = out.get(name, 0.0) + cpu_seconds("/proc/%d/task/%s/stat" % (pid, tid))
    return out


def start_perf(path, pid):
    """perf record -g of the server from now until stop_perf (None without --perf)."""
    if not path:
        return None
    perf = subprocess.Popen(["perf", "record", "-q", "-F", "499", "-g", "-p", str(pid), "-o", "%s.%d" % (path, pid)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # perf attaches before the load starts
    return perf


def stop_perf(perf):
    if perf:
        perf.send_signal(signal.SIGINT)
        perf.wait()


def main():
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--servers", default="sessionkv,redis")
    ap.add_argument("--fsync", default="everysec")
    ap.add_argument("--sessions", type=int, default=200_000)
    ap.add_argument("--perf", help="record each server's load with perf into PERF.<pid>")
    args = ap.parse_args(argv)
    fleet = pb.Fleet(argparse.Namespace(sessions=args.sessions, connections=8, batch=16, bytes=bc.SESSION_BYTES))
    try:
        for kind in args.servers.split(","):
            server = bc.BenchServer(kind, pb.persistent_args(args.fsync) + (extra if kind == "sessionkv" else []))
            try:
                perf = start_perf(args.perf, server.proc.pid)
                before = cpu_seconds("/proc/%d/stat" % server.proc.pid)
                seconds = fleet.load(server.port)
                time.sleep(0.5)  # what the load left to flush is part of its cost
                stop_perf(perf)
                spent = cpu_seconds("/proc/%d/stat" % server.proc.pid) - before
                threads = thread_cpu(server.proc.pid)
            finally:
                server.stop()
            per = 1e6 / fleet.sessions
            print("%-9s %s: %.0f sessions/s, server CPU %.1f us/session (%s)" % (
                kind, args.fsync, fleet.sessions / seconds, spent * per,
                ", ".join("%s %.1f" % (n, s * per) for n, s in sorted(threads.items()) if s * per >= 0.1)))
    finally:
        fleet.close()


if __name__ == "__main__":
    main()

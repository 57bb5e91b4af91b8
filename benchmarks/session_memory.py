#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Memory per Spring session, sessionkv beside redis-server in the same run (issue 3).

Loads --sessions (100,000) sessions into a freshly started server, as the default RedisSessionRepository
writes them (spring-session-wire.md 2.1): key spring:session:sessions:<uuid>, HMSET of creationTime,
lastAccessedTime, maxInactiveInterval, sessionAttr:SPRING_SECURITY_CONTEXT and sessionAttr:x with binary,
JDK-serialized-looking values totalling --bytes (1024) bytes, then PEXPIRE 1800000. Reports, per session,
the growth of the server's resident memory (VmRSS in /proc/<pid>/status) and of INFO used_memory over the
empty server's baseline, and the ratio sessionkv / redis.

--value-types string stores the same bytes as one string per session (SET + PEXPIRE): the per-key cost of a
server that has no hashes yet. A server without HMSET is skipped for the hash shape. --value-types shadow
stores the indexed repository's empty shadow key per session (APPEND "" + PEXPIRE): a key's own overhead.

  benchmarks/session_memory.py                          # hash and string shapes, both servers
  benchmarks/session_memory.py --value-types shadow     # empty keys with a TTL
  benchmarks/session_memory.py --value-types string --sessions 200000
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402


def snapshot(server, conn):
    return server.vm_rss(), int(conn.info("memory")["used_memory"])


def run_once(kind, value_type, args):
    server = bc.BenchServer(kind)
    try:
        if value_type == "hash" and not server.supports("hmset"):
            return None
        conn = server.conn()
        time.sleep(args.settle_s)
        rss0, used0 = snapshot(server, conn)
        rng = bc.make_rng(42)  # the same sessions for every server
        now_ms = int(time.time() * 1000)
        requests, first_key = [], None
        t0 = time.time()
        for _ in range(args.sessions):
            key, writes = bc.session_write(rng, value_type, now_ms, total=args.bytes)
            first_key = first_key or key
            requests += writes + [bc.encode(b"PEXPIRE", key, args.ttl_ms)]
            if len(requests) >= 2000:
                conn.pipeline(requests)
                requests = []
        conn.pipeline(requests)
        load_s = time.time() - t0
        time.sleep(args.settle_s)  # let Redis finish incremental rehashing and both settle
        rss1, used1 = snapshot(server, conn)
        size = conn.call("DBSIZE")
        if size != args.sessions:
            raise RuntimeError("%s holds %d keys, expected %d" % (kind, size, args.sessions))
        encoding = conn.call("OBJECT", "ENCODING", first_key).decode()
        try:
            usage = conn.call("MEMORY", "USAGE", first_key)
        except bc.RespError:
            usage = None
        conn.close()
        return {"rss": (rss1 - rss0) / args.sessions, "used": (used1 - used0) / args.sessions,
                "rss0": rss0, "used0": used0, "encoding": encoding, "usage": usage, "load_s": load_s,
                "version": server.version}
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--value-types", default="hash,string")
    ap.add_argument("--servers", default="sessionkv,redis")
    ap.add_argument("--sessions", type=int, default=100_000)
    ap.add_argument("--bytes", type=int, default=bc.SESSION_BYTES, help="field names + values per session")
    ap.add_argument("--ttl-ms", type=int, default=1_800_000)
    ap.add_argument("--settle-s", type=float, default=1.0)
    args = ap.parse_args()

    rows = []
    for value_type in args.value_types.split(","):
        results = {}
        for kind in args.servers.split(","):
            print("%s: %s" % (value_type, kind), file=sys.stderr)
            res = run_once(kind, value_type, args)
            if res is None:
                print("  %s has no HMSET yet: skipped" % kind, file=sys.stderr)
                continue
            print("  loaded in %.1f s; baseline VmRSS %d, used_memory %d" % (res["load_s"], res["rss0"],
                                                                              res["used0"]), file=sys.stderr)
            results[kind] = res
        for kind, res in results.items():
            ref = results.get("redis")
            ratio = lambda k: "%.2f" % (res[k] / ref[k]) if ref else "-"  # noqa: E731
            rows.append("| %s | %s %s | %s | %.0f | %.0f | %s | %s | %s |" % (
                value_type, kind, res["version"], res["encoding"], res["rss"], res["used"],
                res["usage"] if res["usage"] is not None else "-", ratio("rss"), ratio("used")))

    print("| value | server | encoding | VmRSS B/session | used_memory B/session | MEMORY USAGE (1 key) "
          "| ratio RSS | ratio used_memory |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()

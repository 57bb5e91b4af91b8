# SPDX-License-Identifier: Apache-2.0
"""Crash-test machinery for test_durability.py (issue 4): writers that record what the server
acknowledged, a model of what may be on the server after a crash, and the check against it.

The guarantee under test: once the reply to a write has reached the client, the write survives a kill -9
of the server. What was sent but not answered when the server died (in flight) may or may not survive.

- Workload: the write traffic of one connection. Every request is journalled before it is sent (attempted)
  and marked acknowledged when its reply arrives. Each connection owns its keys, except the shared counters
  that every connection INCRs (group commit across connections). Requests go out in small pipelines.
- Writer: a thread that runs one Workload on its own socket until the server dies under it.
- Model: folds the journals into, for every "slot" (a string key, a hash field, a set or sorted-set member,
  a list, a shared counter), the values it may hold now. A connection's requests execute in order, so an
  acknowledged write of v leaves {v} (everything it sent before is acknowledged too) and each later request
  in flight adds its outcome: the survivors of a crash are a prefix of each connection's requests. Shared
  counters get bounds instead: at least every acknowledged INCR (and at least the largest value a reply
  showed), at most every attempted one. check() reads the server and lists every violation, including
  phantoms (a field, member or key that nobody ever wrote); resolve() then takes what the server holds as
  the new, exact state, so the next round checks that it survives the next crash too.
- TTL keys: a SET ... PX/EX sent at s and answered at a has its deadline in [s + ttl, a + ttl] (both servers
  store the absolute deadline). After a restart the key must be there with a PTTL that fits those bounds (the
  downtime counts), or gone, which is allowed only once the earliest possible deadline has passed.
"""
import os
import random
import threading
import time

from .server import RawConnection

SHARED_COUNTERS = 8
TTL_TOLERANCE_MS = 30  # PTTL is whole milliseconds of the server's clock; allow rounding and scheduling
ABSENT = None


def now_ms():
    return time.time() * 1000.0


def encode(*args):
    parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


class ServerGone(Exception):
    """The connection ended (the server was killed or exited)."""


class UnexpectedReply(AssertionError):
    pass


class Request:
    """One journalled write. `effects` are (slot, value) pairs the write sets when it executes; `counter`
    is the shared counter an INCR bumps. ttl_ms: the TTL a SET PX/EX gave (for the deadline bounds)."""
    __slots__ = ("wire", "kind", "effects", "counter", "ttl_ms", "sent_ms", "acked_ms", "reply", "error")

    def __init__(self, kind, wire, effects=(), counter=None, ttl_ms=None):
        self.kind, self.wire, self.effects = kind, wire, list(effects)
        self.counter, self.ttl_ms = counter, ttl_ms
        self.sent_ms = self.acked_ms = self.reply = self.error = None

    @property
    def acked(self):
        return self.acked_ms is not None


class Workload:
    """The write traffic of one connection; keys are `prefix` + a name, so two workloads never share a key
    (except the shared counters ctr:0..7)."""

    KINDS = ("incr", "hset", "sadd", "zadd", "rpush", "append", "set", "del", "setttl")
    WEIGHTS = (4, 3, 2, 2, 2, 2, 2, 1, 2)

    def __init__(self, prefix, seed, value_bytes=(8, 200), short_ttl_ms=(200, 3000), long_ttl_s=(20, 120)):
        self.prefix = prefix
        self.rng = random.Random(seed)
        self.seq = 0
        self.value_bytes, self.short_ttl_ms, self.long_ttl_s = value_bytes, short_ttl_ms, long_ttl_s
        self.journal = []
        self.list_len = 0
        self.append_text = b""
        self.deletable = []  # plain SET keys whose SET was acknowledged and that were not deleted yet

    def key(self, name):
        return (self.prefix + name).encode()

    def value(self):
        head = b"%s#%d:" % (self.prefix.encode(), self.seq)
        n = self.rng.randint(*self.value_bytes)
        return (head * (n // len(head) + 1))[:max(n, len(head))]

    def next_request(self, kinds=None):
        self.seq += 1
        kind = self.rng.choices(kinds or self.KINDS, weights=None if kinds else self.WEIGHTS)[0]
        if kind == "del" and not self.deletable:
            kind = "set"
        seq = self.seq
        if kind == "incr":
            key = b"ctr:%d" % self.rng.randrange(SHARED_COUNTERS)
            return Request(kind, encode(b"INCR", key), counter=key)
        if kind == "hset":
            # a new field each time plus one field that is overwritten (as lastAccessedTime is)
            key = self.key("h%d" % self.rng.randrange(3))
            field, value = b"f%d" % seq, self.value()
            return Request(kind, encode(b"HSET", key, field, value, b"last", seq),
                           [(("hash", key, field), value), (("hash", key, b"last"), b"%d" % seq)])
        if kind == "sadd":
            key, member = self.key("s%d" % self.rng.randrange(2)), b"m%d" % seq
            return Request(kind, encode(b"SADD", key, member), [(("set", key, member), True)])
        if kind == "zadd":
            key, member = self.key("z"), b"m%d" % seq
            return Request(kind, encode(b"ZADD", key, seq, member), [(("zset", key, member), float(seq))])
        if kind == "rpush":
            key = self.key("l")
            self.list_len += 1
            return Request(kind, encode(b"RPUSH", key, self.list_len - 1), [(("list", key), self.list_len)])
        if kind == "append":
            key = self.key("a")
            self.append_text += b"x%d;" % seq
            return Request(kind, encode(b"APPEND", key, b"x%d;" % seq), [(("str", key), self.append_text)])
        if kind == "set":
            key, value = self.key("d%d" % seq), self.value()
            return Request(kind, encode(b"SET", key, value), [(("str", key), value)])
        if kind == "del":
            key = self.deletable.pop(self.rng.randrange(len(self.deletable)))
            return Request(kind, encode(b"DEL", key), [(("str", key), ABSENT)])
        key, value = self.key("t%d" % seq), self.value()
        if self.rng.random() < 0.5:
            ttl_ms = self.rng.randint(*self.short_ttl_ms)
            wire = encode(b"SET", key, value, b"PX", ttl_ms)
        else:
            ttl_ms = 1000 * self.rng.randint(*self.long_ttl_s)
            wire = encode(b"SET", key, value, b"EX", ttl_ms // 1000)
        return Request("setttl", wire, [(("str", key), value)], ttl_ms=ttl_ms)

    def run_batch(self, conn, size, kinds=None):
        """Sends `size` requests in one pipeline and reads their replies. Error replies are recorded
        (request.error) and returned; a dead connection raises ServerGone."""
        batch = [self.next_request(kinds) for _ in range(size)]
        sent = now_ms()
        for r in batch:
            r.sent_ms = sent
            self.journal.append(r)
        try:
            conn.send(b"".join(r.wire for r in batch))
            errors = []
            for r in batch:
                line = conn.reply()
                if line.startswith(b"-"):
                    r.error = line[1:].rstrip(b"\r\n").decode("utf-8", "replace")
                    errors.append(r)
                    continue
                self._check_reply(r, line)
                r.reply, r.acked_ms = line, now_ms()
                if r.kind == "set":
                    self.deletable.append(r.effects[0][0][1])
            return errors
        except (EOFError, OSError) as e:
            raise ServerGone(str(e)) from e

    @staticmethod
    def _check_reply(r, line):
        expected = b"+OK" if r.kind in ("set", "setttl") else b":"
        if not line.startswith(expected) or (r.kind == "del" and line != b":1\r\n"):
            raise UnexpectedReply("%s answered %r" % (r.wire[:80], line))


class Writer(threading.Thread):
    """Runs a Workload on its own connection until the server goes away (or stop is set). A reply that
    is not what the write must answer, or an error reply, is kept in `failure` (the test fails on it)."""

    def __init__(self, port, workload, stop, max_pipeline=8):
        super().__init__(daemon=True)
        self.port, self.workload, self.stop, self.max_pipeline = port, workload, stop, max_pipeline
        self.failure = None

    def run(self):
        try:
            conn = RawConnection(self.port, timeout=30)
        except OSError as e:
            self.failure = "cannot connect: %s" % e
            return
        try:
            while not self.stop.is_set():
                errors = self.workload.run_batch(conn, self.workload.rng.randint(1, self.max_pipeline))
                if errors:
                    self.failure = "error reply to %r: %s" % (errors[0].wire[:80], errors[0].error)
                    return
        except ServerGone as e:
            if not self.stop.is_set():
                self.failure = "connection lost before the kill: %s" % e
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.failure = "%s: %s" % (type(e).__name__, e)
        finally:
            conn.close()


class Counter:
    """A shared counter: its exact value at the last resolve (base) and the INCRs since."""

    def __init__(self, base=0):
        self.base, self.acked, self.attempted, self.max_reply = base, 0, 0, 0

    def bounds(self):
        """Every acknowledged INCR survived (and the counter reached every value a reply showed); no more
        INCRs than were sent."""
        return max(self.base + self.acked, self.max_reply), self.base + self.attempted


class Model:
    """What the server may hold: slot -> set of allowed values (ABSENT = not there); shared counters;
    TTL keys -> (earliest, latest) deadline in Unix ms."""

    def __init__(self):
        self.slots = {}
        self.counters = {}
        self.deadlines = {}
        self.keys = set()  # every key any write ever named (anything else on the server is a phantom)
        self.acked = self.in_flight = 0
        self.checked_slots = 0

    def add(self, journal, end_ms, loss_window_ms=0):
        """Folds one connection's journal in. end_ms: when the connection was known dead (the latest
        possible execution time of a request that got no reply). loss_window_ms: requests acknowledged
        less than this before end_ms count as in flight (a server that may lose that much)."""
        for r in journal:
            acked = r.acked and r.acked_ms < end_ms - loss_window_ms
            self.acked += r.acked
            self.in_flight += not r.acked
            if r.counter is not None:
                self.keys.add(r.counter)
                c = self.counters.setdefault(r.counter, Counter())
                c.attempted += 1
                if acked:
                    c.acked += 1
                    c.max_reply = max(c.max_reply, int(r.reply[1:]))
                continue
            for slot, value in r.effects:
                self.keys.add(slot[1])
                allowed = self.slots.setdefault(slot, {ABSENT})
                if acked:
                    allowed.clear()
                allowed.add(value)
            if r.ttl_ms is not None:
                key = r.effects[0][0][1]
                latest = (r.acked_ms if r.acked else end_ms) + r.ttl_ms
                self.deadlines[key] = (r.sent_ms + r.ttl_ms, latest)

    def check(self, client):
        """Reads everything the model knows about from the server; returns (problems, slots checked)."""
        problems, observed = [], {}
        pipe = client.pipeline(transaction=False)
        counters = sorted(self.counters)
        for key in counters:
            pipe.get(key)
        for key, value in zip(counters, pipe.execute()):
            low, high = self.counters[key].bounds()
            got = int(value or 0)
            observed[("ctr", key)] = got
            if not low <= got <= high:
                problems.append("counter %s is %d, must be in [%d, %d] (acknowledged INCRs %s)"
                                % (key.decode(), got, low, high, "lost" if got < low else "invented"))
        self._check_containers(client, problems, observed)
        self._check_strings(client, problems, observed)
        phantoms = set(client.scan_iter(count=1000)) - self.keys
        if phantoms:
            problems.append("%d keys nobody wrote, e.g. %r" % (len(phantoms), sorted(phantoms)[:5]))
        self._observed = observed
        self.checked_slots = len(observed)
        return problems, len(observed)

    def _by_key(self, kind):
        out = {}
        for slot, allowed in self.slots.items():
            if slot[0] == kind:
                out.setdefault(slot[1], {})[slot[2] if len(slot) > 2 else None] = allowed
        return out

    def _check_containers(self, client, problems, observed):
        readers = {"hash": lambda p, k: p.hgetall(k), "set": lambda p, k: p.smembers(k),
                   "zset": lambda p, k: p.zrange(k, 0, -1, withscores=True), "list": lambda p, k: p.lrange(k, 0, -1)}
        for kind, read in readers.items():
            by_key = self._by_key(kind)
            pipe = client.pipeline(transaction=False)
            for key in by_key:
                read(pipe, key)
            for key, got in zip(by_key, pipe.execute()):
                if kind == "list":
                    n = len(got)
                    if got != [b"%d" % i for i in range(n)]:
                        problems.append("list %s is not 0..n-1 in order: %r" % (key.decode(), got[:10]))
                    self._compare(problems, observed, ("list", key), n or ABSENT, by_key[key][None])
                    continue
                if kind == "set":
                    got = {m: True for m in got}
                elif kind == "zset":
                    got = dict(got)
                for member in set(got) - set(by_key[key]):
                    problems.append("%s %s holds %r that nobody wrote" % (kind, key.decode(), member))
                for member, allowed in by_key[key].items():
                    self._compare(problems, observed, (kind, key, member), got.get(member, ABSENT), allowed)

    def _check_strings(self, client, problems, observed):
        keys = [slot[1] for slot in self.slots if slot[0] == "str"]
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            pipe = client.pipeline(transaction=True)  # GET and PTTL of one moment
            for key in chunk:
                pipe.get(key)
                pipe.pttl(key)
            t0 = now_ms()
            replies = pipe.execute()
            t1 = now_ms()
            for j, key in enumerate(chunk):
                value, pttl = replies[2 * j], replies[2 * j + 1]
                allowed = self.slots[("str", key)]
                window = self.deadlines.get(key)
                if window is not None:
                    earliest, latest = window
                    if value is None and earliest <= t1 + TTL_TOLERANCE_MS:
                        allowed = allowed | {ABSENT}  # it may have expired by now
                    if value is not None and not (t0 + pttl <= latest + TTL_TOLERANCE_MS
                                                  and t1 + pttl >= earliest - TTL_TOLERANCE_MS):
                        problems.append(
                            "%s: PTTL %d puts its deadline at %.0f..%.0f, it must be in %.0f..%.0f (TTL lost or "
                            "not counting the downtime?)" % (key.decode(), pttl, t0 + pttl, t1 + pttl,
                                                             earliest, latest))
                elif value is not None and pttl != -1:
                    problems.append("%s has PTTL %d, it was written without a TTL" % (key.decode(), pttl))
                self._compare(problems, observed, ("str", key), value, allowed)

    @staticmethod
    def _compare(problems, observed, slot, got, allowed):
        observed[slot] = got
        if got not in allowed:
            what = "lost" if got is ABSENT else "holds %r" % (got[:60] if isinstance(got, bytes) else got)
            problems.append("%s %s: %s, allowed %s" % (
                slot[0], b" ".join(x for x in slot[1:] if isinstance(x, bytes)).decode(), what,
                sorted(repr(a)[:60] for a in allowed)))

    def resolve(self):
        """After check(): what the server holds becomes the exact expected state. Keys that are gone for
        good (expired or deleted) stay in the model as ABSENT, so a resurrection is caught."""
        for slot, got in self._observed.items():
            if slot[0] == "ctr":
                self.counters[slot[1]] = Counter(got)
            else:
                self.slots[slot] = {got}
                if got is ABSENT:
                    self.deadlines.pop(slot[1], None)


def crash_round(server, model, rng, round_no, writers=4, run_s=(0.3, 1.0), downtime_s=(0.1, 0.5),
                crash_while_loading=False, restart_timeout=60.0, loss_window_ms=0):
    """One round: writers load the server, SIGKILL at a random moment, restart on the same dir, wait
    until it answers PONG (not LOADING), check the model. Returns a dict of what happened."""
    stop = threading.Event()
    threads = [Writer(server.port, Workload("r%dw%d:" % (round_no, i), rng.getrandbits(32)), stop,
                      max_pipeline=1 if i == 0 else 8)
               for i in range(writers)]
    for t in threads:
        t.start()
    time.sleep(rng.uniform(*run_s))
    stop.set()
    server.kill9()
    for t in threads:
        t.join(30)
    end = now_ms()
    failures = [t.failure for t in threads if t.failure] + ["writer hangs" for t in threads if t.is_alive()]
    acked_before = model.acked
    for t in threads:
        model.add(t.workload.journal, end, loss_window_ms)
    time.sleep(rng.uniform(*downtime_s))
    if crash_while_loading:
        # a second crash while the server starts up (maybe during its load): nothing may be lost either
        server.restart(wait=False)
        time.sleep(rng.uniform(0.0, 0.05))
        server.kill9()
    ready_s, seen = server.restart(timeout=restart_timeout)
    bad = [r for r in seen if not r.startswith(b"-LOADING ")]
    if bad:
        failures.append("before it was ready the server answered PING with %r (only -LOADING is allowed)"
                        % bad[:3])
    client = server.client()
    try:
        problems, checked = model.check(client)
        model.resolve()
    finally:
        client.close()
    return {"failures": failures, "problems": problems, "acked": model.acked - acked_before,
            "checked": checked, "ready_s": ready_s, "loading_seen": bool(seen)}


# ----------------------------------------------------------------------------------------- disk full

class Tmpfs:
    """A small tmpfs mounted on a fresh dir (needs root / CAP_SYS_ADMIN), with fill() and free()."""

    def __init__(self, base_dir, size="16m"):
        import subprocess
        self.path = os.path.join(base_dir, "tmpfs")
        os.mkdir(self.path)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", self.path],
                           capture_output=True, text=True)
        if p.returncode != 0:
            os.rmdir(self.path)
            raise OSError("mount -t tmpfs failed: %s" % (p.stderr.strip() or p.returncode))
        self.data = os.path.join(self.path, "data")
        os.mkdir(self.data)
        self.filler = os.path.join(self.path, "filler")

    def fill(self):
        """Writes a filler file until the file system refuses more (ENOSPC), in 1 MiB then 4 KiB pieces."""
        with open(self.filler, "ab", buffering=0) as f:
            for piece in (1 << 20, 4096, 512):
                block = b"\0" * piece
                try:
                    while True:
                        f.write(block)
                except OSError:
                    pass
        return os.statvfs(self.path).f_bavail

    def free(self):
        os.remove(self.filler)

    def unmount(self):
        import subprocess
        subprocess.run(["umount", "-l", self.path], capture_output=True)
        try:
            os.rmdir(self.path)
        except OSError:
            pass

# SPDX-License-Identifier: Apache-2.0
"""Integration tests for transactions: MULTI EXEC DISCARD WATCH UNWATCH through raw sockets and
redis-py (pipeline(transaction=True), WatchError and its retry loop), on a server with two I/O
threads.

What is checked: queueing and its error texts, which errors abort a transaction (EXECABORT) and
which are elements of EXEC's reply, RESP2 and RESP3 reply shapes (a WATCH-aborted EXEC is `*-1` or
`_`), WATCH against a second connection, expiry and FLUSHALL, the list of changes that break a
WATCH, CLIENT LIST's multi fields, INFO commandstats, MONITOR, and atomicity: a client on the other
I/O thread never sees a transaction half applied, and WATCH-based increments from several threads
lose no update.

Every expectation was checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis).
"""
import threading
import time

import redis

from support.server import ServerTestCase, main

OK = b"+OK\r\n"
QUEUED = b"+QUEUED\r\n"
EXECABORT = b"-EXECABORT Transaction discarded because of previous errors.\r\n"


def bulk(value):
    return b"$%d\r\n%s\r\n" % (len(value), value)


class TransactionTestCase(ServerTestCase):
    ARGS = ["--io-threads", "2"]

    def setUp(self):
        super().setUp()
        self.raw = self.server.raw()
        self.other = self.server.raw()

    def tearDown(self):
        self.raw.close()
        self.other.close()
        super().tearDown()

    def transaction(self, *commands, conn=None):
        """MULTI, each command (which must be queued), EXEC; returns EXEC's raw reply."""
        conn = conn or self.raw
        self.assertEqual(conn.cmd("MULTI"), OK)
        for c in commands:
            self.assertEqual(conn.cmd(*c), QUEUED, c)
        return conn.cmd("EXEC")


class QueueingTest(TransactionTestCase):
    def test_exec_replies_in_order(self):
        self.assertEqual(self.transaction(("SET", "k", "v"), ("GET", "k"), ("INCR", "n"), ("INCR", "n")),
                         b"*4\r\n+OK\r\n$1\r\nv\r\n:1\r\n:2\r\n")
        self.assertEqual(self.transaction(), b"*0\r\n")

    def test_resp3_shapes(self):
        self.raw.cmd("HELLO", "3")
        self.assertEqual(self.transaction(("SET", "k", "v"), ("GET", "nokey")), b"*2\r\n+OK\r\n_\r\n")
        self.raw.cmd("WATCH", "k")
        self.other.cmd("SET", "k", "changed")
        self.assertEqual(self.transaction(("GET", "k")), b"_\r\n")
        self.raw.cmd("HELLO", "2")
        self.raw.cmd("WATCH", "k")
        self.other.cmd("SET", "k", "again")
        self.assertEqual(self.transaction(("GET", "k")), b"*-1\r\n")

    def test_error_texts(self):
        self.assertEqual(self.raw.cmd("EXEC"), b"-ERR EXEC without MULTI\r\n")
        self.assertEqual(self.raw.cmd("DISCARD"), b"-ERR DISCARD without MULTI\r\n")
        self.assertEqual(self.raw.cmd("MULTI"), OK)
        self.assertEqual(self.raw.cmd("MULTI"), b"-ERR MULTI calls can not be nested\r\n")
        self.assertEqual(self.raw.cmd("WATCH", "k"), b"-ERR WATCH inside MULTI is not allowed\r\n")
        self.assertEqual(self.raw.cmd("SET", "k", "v"), QUEUED)
        self.assertEqual(self.raw.cmd("EXEC"), b"*1\r\n+OK\r\n", "those errors do not abort")

    def test_rejected_commands_abort(self):
        for bad, error in [(("NOSUCH", "a"),
                            b"-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n"),
                           (("GET",), b"-ERR wrong number of arguments for 'get' command\r\n"),
                           (("CONFIG", "NOPE"),
                            b"-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n")]:
            self.assertEqual(self.raw.cmd("MULTI"), OK)
            self.assertEqual(self.raw.cmd("SET", "k", "v"), QUEUED)
            self.assertEqual(self.raw.cmd(*bad), error)
            self.assertEqual(self.raw.cmd("SET", "k2", "v"), QUEUED)
            self.assertEqual(self.raw.cmd("EXEC"), EXECABORT)
            self.assertEqual(self.raw.cmd("EXISTS", "k", "k2"), b":0\r\n")

    def test_rejected_exec_aborts(self):
        arity = b"-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"
        self.assertEqual(self.raw.cmd("EXEC", "x"), arity)
        self.raw.cmd("SET", "k", "0")
        self.raw.cmd("WATCH", "k")
        self.raw.cmd("MULTI")
        self.raw.cmd("SET", "k", "1")
        self.assertEqual(self.raw.cmd("EXEC", "x"), arity)
        self.assertEqual(self.raw.cmd("EXEC"), b"-ERR EXEC without MULTI\r\n")
        self.other.cmd("SET", "k", "2")  # the watch went with the transaction
        self.assertEqual(self.transaction(("GET", "k")), b"*1\r\n" + bulk(b"2"))

    def test_runtime_errors_are_elements(self):
        self.raw.cmd("SET", "s", "abc")
        self.assertEqual(self.transaction(("SADD", "s", "x"), ("INCR", "s"), ("SET", "after", "1")),
                         b"*3\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
                         b"-ERR value is not an integer or out of range\r\n+OK\r\n")
        self.assertEqual(self.raw.cmd("GET", "after"), bulk(b"1"))

    def test_discard(self):
        self.raw.cmd("MULTI")
        self.raw.cmd("SET", "k", "v")
        self.assertEqual(self.raw.cmd("DISCARD"), OK)
        self.assertEqual(self.raw.cmd("EXISTS", "k"), b":0\r\n")
        self.assertEqual(self.raw.cmd("EXEC"), b"-ERR EXEC without MULTI\r\n")

    def test_select_inside_multi(self):
        self.assertEqual(self.transaction(("SET", "k", "zero"), ("SELECT", "1"), ("SET", "k", "one")),
                         b"*3\r\n+OK\r\n+OK\r\n+OK\r\n")
        self.assertEqual(self.raw.cmd("GET", "k"), bulk(b"one"))
        self.assertEqual(self.other.cmd("GET", "k"), bulk(b"zero"))

    def test_reset_and_quit_inside_multi(self):
        self.raw.cmd("MULTI")
        self.raw.cmd("SET", "k", "v")
        self.assertEqual(self.raw.cmd("RESET"), b"+RESET\r\n")
        self.assertEqual(self.raw.cmd("EXEC"), b"-ERR EXEC without MULTI\r\n")
        self.assertEqual(self.raw.cmd("EXISTS", "k"), b":0\r\n")
        self.raw.cmd("MULTI")
        self.raw.cmd("SET", "k", "v")
        self.assertEqual(self.raw.cmd("QUIT"), OK)
        self.assertTrue(self.raw.is_closed())
        self.assertEqual(self.other.cmd("EXISTS", "k"), b":0\r\n")

    def test_subscribe_and_monitor_inside_multi(self):
        self.assertEqual(self.transaction(("MONITOR",)),
                         b"*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n")
        # Two confirmations for one SUBSCRIBE: EXEC's array says 2 but 3 replies follow, as in Redis.
        self.assertEqual(self.transaction(("SUBSCRIBE", "a", "b"), ("PING",)),
                         b"*2\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
                         b"*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n")
        self.assertEqual(self.raw.reply(), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n")
        # Subscribed (RESP2): MULTI is no longer allowed.
        self.assertEqual(self.raw.cmd("MULTI"),
                         b"-ERR Can't execute 'multi': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
                         b"QUIT / RESET are allowed in this context\r\n")

    def test_client_list_multi_fields(self):
        my_id = int(self.raw.cmd("CLIENT", "ID")[1:-2])
        observer = self.server.client()

        def line():
            return next(c for c in observer.client_list() if int(c["id"]) == my_id)

        self.assertEqual(line()["multi"], "-1")
        self.raw.cmd("WATCH", "w")
        self.other.cmd("SET", "w", "1")
        self.assertEqual(line()["flags"], "d")
        self.raw.cmd("MULTI")
        self.raw.cmd("SET", "a", "1")
        self.raw.cmd("SET", "b", "1")
        # Redis stops queueing once the transaction can only fail; start clean.
        self.raw.cmd("DISCARD")
        self.raw.cmd("MULTI")
        self.raw.cmd("SET", "a", "1")
        self.raw.cmd("SET", "b", "1")
        info = line()
        self.assertEqual(info["flags"], "x")
        self.assertEqual(info["multi"], "2")
        self.assertGreater(int(info["multi-mem"]), 0)
        self.raw.cmd("EXEC")
        info = line()
        self.assertEqual((info["flags"], info["multi"], info["multi-mem"]), ("N", "-1", "0"))
        observer.close()

    def test_commandstats(self):
        r = self.server.client()
        r.config_resetstat()
        self.raw.cmd("MULTI")
        self.raw.cmd("SET", "a", "1")
        self.raw.cmd("GET")
        self.raw.cmd("EXEC")
        self.transaction(("SET", "a", "x"), ("INCR", "a"))
        stats = r.info("commandstats")
        self.assertEqual(stats["cmdstat_multi"]["calls"], 2)
        self.assertEqual((stats["cmdstat_exec"]["calls"], stats["cmdstat_exec"]["failed_calls"]), (2, 1))
        self.assertEqual(stats["cmdstat_get"]["rejected_calls"], 1)
        self.assertEqual(stats["cmdstat_set"]["calls"], 1, "the aborted SET never ran")
        self.assertEqual(stats["cmdstat_incr"]["failed_calls"], 1)
        self.assertIn(b"errorstat_EXECABORT:count=1\r\n", self.other.cmd("INFO", "errorstats"))

    def test_monitor_order(self):
        monitor = self.server.raw()
        self.assertEqual(monitor.cmd("MONITOR"), OK)
        self.transaction(("SET", "a", "1"), ("SELECT", "2"), ("GET", "a"))
        self.raw.cmd("PING")
        lines = []
        while len(lines) < 6:
            lines.append(monitor._line())
        commands = [line.split(b"] ", 1)[1].strip() for line in lines]
        dbs = [line.split(b"[", 1)[1].split(b" ", 1)[0] for line in lines]
        self.assertEqual(commands, [b'"MULTI"', b'"SET" "a" "1"', b'"SELECT" "2"', b'"GET" "a"', b'"EXEC"',
                                    b'"PING"'])
        self.assertEqual(dbs, [b"0", b"0", b"2", b"2", b"2", b"2"])
        monitor.close()


class WatchTest(TransactionTestCase):
    def test_second_connection_breaks_watch(self):
        self.raw.cmd("SET", "k", "1")
        self.assertEqual(self.raw.cmd("WATCH", "k"), OK)
        self.other.cmd("SET", "k", "2")
        self.assertEqual(self.transaction(("SET", "k", "3")), b"*-1\r\n")
        self.assertEqual(self.raw.cmd("GET", "k"), bulk(b"2"))
        # The watch is spent: the next transaction runs.
        self.assertEqual(self.transaction(("SET", "k", "3")), b"*1\r\n+OK\r\n")

    def test_unwatch_discard_reset(self):
        self.raw.cmd("WATCH", "k")
        self.other.cmd("SET", "k", "1")
        self.assertEqual(self.raw.cmd("UNWATCH"), OK)
        self.assertEqual(self.transaction(("GET", "k")), b"*1\r\n" + bulk(b"1"))
        self.raw.cmd("WATCH", "k")
        self.raw.cmd("MULTI")
        self.raw.cmd("DISCARD")
        self.other.cmd("SET", "k", "2")
        self.assertEqual(self.transaction(("GET", "k")), b"*1\r\n" + bulk(b"2"))
        self.raw.cmd("WATCH", "k")
        self.other.cmd("SET", "k", "3")
        self.raw.cmd("RESET")
        self.assertEqual(self.transaction(("GET", "k")), b"*1\r\n" + bulk(b"3"))

    def test_watch_in_several_databases(self):
        self.raw.cmd("WATCH", "k")
        self.raw.cmd("SELECT", "1")
        self.raw.cmd("WATCH", "k")
        self.other.cmd("SELECT", "2")
        self.other.cmd("SET", "k", "x")
        self.assertEqual(self.transaction(("PING",)), b"*1\r\n+PONG\r\n")
        self.raw.cmd("WATCH", "k")
        self.raw.cmd("SELECT", "0")
        self.other.cmd("SELECT", "1")
        self.other.cmd("SET", "k", "x")
        self.assertEqual(self.transaction(("PING",)), b"*-1\r\n")

    def test_expiry_after_watch_breaks_it(self):
        self.raw.cmd("SET", "k", "v", "PX", "100")
        self.raw.cmd("WATCH", "k")
        time.sleep(0.3)
        self.assertEqual(self.transaction(("PING",)), b"*-1\r\n")

    def test_key_already_expired_at_watch(self):
        self.raw.cmd("SET", "k", "v", "PX", "1")
        time.sleep(0.05)
        self.raw.cmd("WATCH", "k")
        time.sleep(0.2)  # let active expiry delete it, if it had not yet
        self.assertEqual(self.transaction(("PING",)), b"*1\r\n+PONG\r\n")

    def test_flushall(self):
        self.raw.cmd("SET", "k", "v")
        self.raw.cmd("WATCH", "k")
        self.other.cmd("FLUSHALL")
        self.assertEqual(self.transaction(("PING",)), b"*-1\r\n")
        self.raw.cmd("WATCH", "missing")
        self.other.cmd("SET", "elsewhere", "v")
        self.other.cmd("FLUSHALL")
        self.assertEqual(self.transaction(("PING",)), b"*1\r\n+PONG\r\n", "a missing key did not change")

    # (setup commands, change, does it break the watch of "k"?), each run by the other connection.
    CHANGES = [
        ([("SET", "k", "v")], ("SET", "k", "v"), True),
        ([], ("SET", "k", "v"), True),
        ([("SET", "k", "v")], ("SET", "k", "x", "NX"), False),
        ([], ("SET", "k", "x", "XX"), False),
        ([("SET", "k", "v")], ("SETEX", "k", "10", "v"), True),
        ([("SET", "k", "v")], ("GETSET", "k", "x"), True),
        ([("SET", "k", "v")], ("GETDEL", "k"), True),
        ([("SET", "k", "v")], ("GETEX", "k", "EX", "100"), True),
        ([("SET", "k", "v")], ("GETEX", "k"), False),
        ([("SET", "k", "v")], ("MSET", "a", "1", "k", "2"), True),
        ([], ("MSETNX", "k", "1"), True),
        ([("SET", "k", "1")], ("INCR", "k"), True),
        ([("SET", "k", "1")], ("INCRBYFLOAT", "k", "1.5"), True),
        ([("SET", "k", "v")], ("APPEND", "k", "x"), True),
        ([("SET", "k", "v")], ("SETRANGE", "k", "0", "x"), True),
        ([("SET", "k", "v")], ("SETRANGE", "k", "0", ""), False),
        ([("SET", "k", "v")], ("GET", "k"), False),
        ([("SET", "k", "v")], ("DEL", "k"), True),
        ([], ("DEL", "k"), False),
        ([("SET", "k", "v")], ("UNLINK", "k"), True),
        ([("SET", "k", "v")], ("EXISTS", "k"), False),
        ([("SET", "k", "v")], ("TOUCH", "k"), False),
        ([("SET", "k", "v")], ("EXPIRE", "k", "100"), True),
        ([("SET", "k", "v")], ("EXPIRE", "k", "100", "XX"), False),
        ([("SET", "k", "v")], ("PEXPIREAT", "k", "1"), True),
        ([("SET", "k", "v", "EX", "100")], ("PERSIST", "k"), True),
        ([("SET", "k", "v")], ("PERSIST", "k"), False),
        ([("SET", "k", "v")], ("RENAME", "k", "dst"), True),
        ([("SET", "src", "v")], ("RENAME", "src", "k"), True),
        ([("SET", "src", "v")], ("RENAMENX", "src", "k"), True),
        ([("SET", "k", "v")], ("RENAME", "k", "k"), False),
        ([("SET", "k", "v")], ("MOVE", "k", "1"), True),
        ([("SET", "src", "v")], ("COPY", "src", "k"), True),
        ([("SET", "k", "v")], ("COPY", "k", "dst"), False),
        ([("SET", "k", "v")], ("FLUSHDB",), True),
        ([], ("FLUSHDB",), False),
        ([("SET", "k", "v")], ("FLUSHALL",), True),
        ([("SET", "other", "v")], ("FLUSHALL",), False),
        ([("SET", "k", "v")], ("SWAPDB", "0", "1"), True),
        ([("SELECT", "1"), ("SET", "k", "v"), ("SELECT", "0")], ("SWAPDB", "0", "1"), True),
        ([("SELECT", "1"), ("SET", "x", "v"), ("SELECT", "0")], ("SWAPDB", "0", "1"), False),
        ([("SADD", "k", "a")], ("SADD", "k", "b"), True),
        ([("SADD", "k", "a")], ("SADD", "k", "a"), False),
        ([("SADD", "k", "a", "b")], ("SREM", "k", "a"), True),
        ([("SADD", "k", "a")], ("SREM", "k", "z"), False),
        ([("SADD", "k", "a")], ("SPOP", "k"), True),
        ([("SADD", "s", "a")], ("SMOVE", "s", "k", "a"), True),
        ([("SADD", "k", "a")], ("SMOVE", "k", "d", "a"), True),
        ([("SADD", "s", "a")], ("SUNIONSTORE", "k", "s"), True),
        ([("SET", "k", "v")], ("SINTERSTORE", "k", "nokey"), True),
        ([], ("SDIFFSTORE", "k", "nokey"), False),
    ]

    def test_which_changes_break_a_watch(self):
        for setup, change, breaks in self.CHANGES:
            with self.subTest(change=change):
                self.other.cmd("FLUSHALL")
                for c in setup:
                    self.other.cmd(*c)
                self.assertEqual(self.raw.cmd("WATCH", "k"), OK)
                self.other.cmd(*change)
                self.assertEqual(self.transaction(("PING",)), b"*-1\r\n" if breaks else b"*1\r\n+PONG\r\n")


class RedisPyTest(TransactionTestCase):
    def test_pipeline_transaction(self):
        with self.r.pipeline(transaction=True) as p:
            p.set("a", 1).incr("a").get("a").sadd("s", "x", "y")
            self.assertEqual(p.execute(), [True, 2, b"2", 2])

    def test_pipeline_runtime_error(self):
        self.r.set("str", "abc")
        with self.r.pipeline(transaction=True) as p:
            p.set("a", 1).incr("str").get("a")
            results = p.execute(raise_on_error=False)
        self.assertEqual(results[0], True)
        self.assertIsInstance(results[1], redis.exceptions.ResponseError)
        self.assertEqual(results[2], b"1")

    def test_pipeline_execabort(self):
        with self.r.pipeline(transaction=True) as p:
            p.set("a", 1).execute_command("NOSUCH")
            with self.assertRaises(redis.exceptions.ResponseError):
                p.execute()
        self.assertIsNone(self.r.get("a"))

    def test_watch_error(self):
        other = self.server.client()
        with self.r.pipeline() as p:
            p.watch("k")
            value = int(p.get("k") or 0)
            other.set("k", 100)
            p.multi()
            p.set("k", value + 1)
            with self.assertRaises(redis.exceptions.WatchError):
                p.execute()
        self.assertEqual(self.r.get("k"), b"100")
        other.close()

    def test_watched_increments_from_threads_lose_nothing(self):
        # Optimistic locking across I/O threads: each worker retries until its EXEC wins.
        per_worker, workers = 100, 4

        def worker():
            c = self.server.client()

            def increment(pipe):
                value = int(pipe.get("counter") or 0)
                pipe.multi()
                pipe.set("counter", value + 1)

            for _ in range(per_worker):
                c.transaction(increment, "counter")
            c.close()

        threads = [threading.Thread(target=worker) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(self.r.get("counter"), str(per_worker * workers).encode())


class AtomicityTest(TransactionTestCase):
    KEYS = ["key:%d" % i for i in range(200)]  # spread over every shard

    def test_no_client_sees_half_a_transaction(self):
        # Connections are spread over the I/O threads in turn, so of two readers at least one runs on
        # another thread than the writer, really at the same time. All pipeline, so the server is busy with
        # them most of the time.
        writer = self.server.raw()
        readers = [self.server.raw() for _ in range(2)]
        writer.cmd("MSET", *[x for k in self.KEYS for x in (k, "0")])
        done = threading.Event()
        torn = []
        reads = [0]
        mget = self.encode(["MGET"] + self.KEYS)

        def read(reader):
            while not done.is_set() and not torn:
                reader.send(mget * 10)
                for _ in range(10):
                    values = set(self.parse_mget(reader.reply()))
                    reads[0] += 1
                    if len(values) != 1:
                        torn.append(sorted(values))

        threads = [threading.Thread(target=read, args=(r,)) for r in readers]
        for t in threads:
            t.start()
        rounds, batch = 300, 5
        try:
            for first in range(1, rounds + 1, batch):
                request = b"".join(self.encode(c) for i in range(first, first + batch) for c in
                                   [("MULTI",)] + [("SET", k, str(i)) for k in self.KEYS] + [("EXEC",)])
                writer.send(request)
                for _ in range(batch):
                    self.assertEqual(writer.reply(), OK)
                    for _ in self.KEYS:
                        self.assertEqual(writer.reply(), QUEUED)
                    self.assertTrue(writer.reply().startswith(b"*%d\r\n" % len(self.KEYS)))
                if torn:
                    break
        finally:
            done.set()
            for t in threads:
                t.join()
        self.assertEqual(torn[:1], [], "a reader saw two transactions' values at once")
        self.assertGreater(reads[0], 0)
        self.assertEqual(set(self.parse_mget(writer.cmd("MGET", *self.KEYS))), {str(rounds).encode()})
        for c in [writer] + readers:
            c.close()

    @staticmethod
    def encode(args):
        parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)

    @staticmethod
    def parse_mget(raw):
        # *N then $len\r\nvalue\r\n elements (every key exists).
        lines = raw.split(b"\r\n")
        return [lines[i] for i in range(2, len(lines) - 1, 2)]


if __name__ == "__main__":
    main()

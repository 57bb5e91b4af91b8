# SPDX-License-Identifier: Apache-2.0
"""Blocking list commands with several real connections: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP.

What Redis 7 guarantees and these tests check: a client blocked on several keys is served by the
first key that gets data; clients blocked on one key are served in the order they blocked; a push
wakes waiters only once the pushing command (or a whole EXEC) is over, so its reply counts what it
pushed; a timeout answers a null array; CLIENT UNBLOCK, a disconnect and a key that is deleted or
gets another type while a client waits; the blocked client's later pipelined commands wait behind
it; INFO and CLIENT LIST show blocked clients. Every test runs a second time with two I/O threads,
where the waiting and the pushing clients sit on different threads. Timeouts are measured loosely.

Every expectation was checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis) except
@needs_redis_72 (7.2 re-runs a woken command, so another of its keys holding the wrong type answers
WRONGTYPE; 7.0 serves from the key that got data).
"""
import socket
import threading
import time

from support.server import needs_redis_72, ServerTestCase, main

NULL_ARRAY2 = b"*-1\r\n"
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"


def bulk(value):
    value = value if isinstance(value, bytes) else str(value).encode()
    return b"$%d\r\n%s\r\n" % (len(value), value)


def pair(key, value):
    return b"*2\r\n" + bulk(key) + bulk(value)


def encode(*args):
    parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


class BlockingCase(ServerTestCase):
    """Raw connections and helpers to block them and wait for it."""

    def setUp(self):
        super().setUp()
        self.conns = []
        # The previous test's connections were closed in its tearDown; with two I/O threads the server
        # may not have seen every disconnect yet, and block() counts from the current figure.
        self.wait_blocked(0)

    def tearDown(self):
        for c in self.conns:
            c.close()
        super().tearDown()

    def conn(self):
        c = self.server.raw()
        self.conns.append(c)
        return c

    def info_field(self, name):
        return self.r.info("clients").get(name)

    def wait_blocked(self, count, timeout=5.0):
        """Waits until exactly `count` clients are blocked (INFO clients)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.info_field("blocked_clients") == count:
                return
            time.sleep(0.01)
        self.fail("blocked_clients never reached %d (is %s)" % (count, self.info_field("blocked_clients")))

    def block(self, *args, expect=None):
        """Sends a blocking command on a new connection and waits until it is blocked."""
        before = self.info_field("blocked_clients")
        c = self.conn()
        c.send(encode(*args))
        self.wait_blocked(before + 1 if expect is None else expect)
        return c

    def silent(self, c, wait=0.3):
        """True if nothing arrives on `c` within `wait` seconds."""
        c.sock.settimeout(wait)
        try:
            data = c.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return c.buf == b""
        finally:
            c.sock.settimeout(10)
        c.buf += data
        return False



class BlockingTest(BlockingCase):
    # ------------------------------------------------------------------------------ waking

    def test_push_wakes_waiter_after_the_push(self):
        a = self.block("BLPOP", "k", "0")
        self.assertEqual(self.r.rpush("k", "a", "b", "c"), 3, "the pusher's reply counts every element")
        self.assertEqual(a.reply(), pair("k", "a"))
        self.assertEqual(self.r.lrange("k", 0, -1), [b"b", b"c"])
        self.wait_blocked(0)

    def test_first_key_that_gets_data_serves(self):
        a = self.block("BRPOP", "k1", "k2", "k3", "0")
        self.r.rpush("k3", "x", "y")
        self.assertEqual(a.reply(), pair("k3", "y"))
        self.assertEqual(self.r.lrange("k3", 0, -1), [b"x"])
        # Data already there: the first key in argument order answers at once.
        self.r.rpush("k1", "one")
        self.assertEqual(a.cmd("BLPOP", "k3", "k1", "0"), pair("k3", "x"))

    def test_waiters_on_one_key_are_served_in_order(self):
        a = self.block("BLPOP", "q", "0")
        b = self.block("BLPOP", "q", "0")
        c = self.block("BLPOP", "other", "q", "0")
        self.r.rpush("q", "1")
        self.assertEqual(a.reply(), pair("q", "1"))
        self.assertTrue(self.silent(b, 0.2))
        self.r.rpush("q", "2", "3")
        self.assertEqual(b.reply(), pair("q", "2"))
        self.assertEqual(c.reply(), pair("q", "3"))
        self.assertEqual(self.r.exists("q"), 0)

    def test_one_push_serves_many_waiters_in_order(self):
        waiters = [self.block("BLPOP", "many", "0") for _ in range(12)]
        self.assertEqual(self.r.rpush("many", *range(12)), 12)
        for i, w in enumerate(waiters):
            self.assertEqual(w.reply(), pair("many", i))
        self.assertEqual(self.r.exists("many"), 0)
        self.wait_blocked(0)

    def test_deleted_or_retyped_key_keeps_the_client_waiting(self):
        a = self.block("BLPOP", "w", "0")
        self.r.set("w", "string")
        self.assertTrue(self.silent(a))
        self.r.delete("w")
        self.r.rpush("w", "ok")
        self.assertEqual(a.reply(), pair("w", "ok"))

    @needs_redis_72
    def test_another_key_of_the_wrong_type_answers_wrongtype_when_served(self):
        a = self.block("BLPOP", "s", "t", "0")
        self.r.set("s", "string")
        self.r.rpush("t", "v")
        self.assertEqual(a.reply(), WRONGTYPE)
        self.assertEqual(self.r.lrange("t", 0, -1), [b"v"])

    def test_blmove_and_brpoplpush_are_served(self):
        a = self.block("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0")
        self.r.rpush("src", "x", "y")
        self.assertEqual(a.reply(), bulk("y"))
        self.assertEqual(self.r.lrange("dst", 0, -1), [b"y"])
        b = self.block("BRPOPLPUSH", "empty", "dst", "0")
        self.r.lpush("empty", "z")
        self.assertEqual(b.reply(), bulk("z"))
        self.assertEqual(self.r.lrange("dst", 0, -1), [b"z", b"y"])
        self.assertEqual(self.r.exists("empty"), 0)

    def test_a_served_blmove_serves_the_next_waiter(self):
        a = self.block("BLMOVE", "s1", "s2", "LEFT", "RIGHT", "0")
        b = self.block("BLPOP", "s2", "0")
        self.r.rpush("s1", "m")
        self.assertEqual(a.reply(), bulk("m"))
        self.assertEqual(b.reply(), pair("s2", "m"))
        self.assertEqual(self.r.exists("s1", "s2"), 0)

    def test_blmpop_is_served_with_count(self):
        a = self.block("BLMPOP", "0", "2", "m1", "m2", "RIGHT", "COUNT", "2")
        self.r.rpush("m2", "a", "b", "c")
        self.assertEqual(a.reply(), b"*2\r\n" + bulk("m2") + b"*2\r\n" + bulk("c") + bulk("b"))
        self.assertEqual(self.r.lrange("m2", 0, -1), [b"a"])

    def test_keys_arriving_by_rename_move_copy_swapdb_wake(self):
        a = self.block("BLPOP", "target", "0")
        self.r.rpush("tmp", "renamed")
        self.r.rename("tmp", "target")
        self.assertEqual(a.reply(), pair("target", "renamed"))
        db1 = self.server.client(db=1)
        db1.rpush("target", "moved")
        a.send(encode("BLPOP", "target", "0"))
        self.wait_blocked(1)
        db1.move("target", 0)
        self.assertEqual(a.reply(), pair("target", "moved"))
        a.send(encode("BLPOP", "target", "0"))
        self.wait_blocked(1)
        self.r.rpush("orig", "copied")
        self.r.copy("orig", "target")
        self.assertEqual(a.reply(), pair("target", "copied"))
        a.send(encode("BLPOP", "target", "0"))
        self.wait_blocked(1)
        db1.rpush("target", "swapped")
        self.r.swapdb(0, 1)
        self.assertEqual(a.reply(), pair("target", "swapped"))
        db1.close()

    # --------------------------------------------------------------------- ending the wait

    def test_timeout_answers_null_array(self):
        for args in [("BLPOP", "k", "0.2"), ("BRPOP", "k", "k2", "0.2"), ("BRPOPLPUSH", "k", "d", "0.2"),
                     ("BLMOVE", "k", "d", "LEFT", "LEFT", "0.2"), ("BLMPOP", "0.2", "1", "k", "LEFT")]:
            c = self.conn()
            start = time.time()
            self.assertEqual(c.cmd(*args), NULL_ARRAY2, args)
            elapsed = time.time() - start
            self.assertGreater(elapsed, 0.15, args)
            self.assertLess(elapsed, 3.0, args)
        c = self.conn()
        c.cmd("HELLO", "3")
        self.assertEqual(c.cmd("BLPOP", "k", "0.05"), b"_\r\n")
        self.wait_blocked(0)

    def test_timeout_zero_waits_until_served(self):
        a = self.block("BLPOP", "k", "0")
        self.assertTrue(self.silent(a, 0.5))
        self.r.rpush("k", "late")
        self.assertEqual(a.reply(), pair("k", "late"))

    def test_client_unblock(self):
        a = self.conn()
        a_id = int(a.cmd("CLIENT", "ID")[1:-2])
        self.assertEqual(self.r.execute_command("CLIENT", "UNBLOCK", a_id), 0)
        a.send(encode("BLPOP", "k", "0"))
        self.wait_blocked(1)
        self.assertEqual(self.r.execute_command("CLIENT", "UNBLOCK", a_id), 1)
        self.assertEqual(a.reply(), NULL_ARRAY2)
        a.send(encode("BLMOVE", "k", "d", "LEFT", "LEFT", "0"))
        self.wait_blocked(1)
        self.assertEqual(self.r.execute_command("CLIENT", "UNBLOCK", a_id, "ERROR"), 1)
        self.assertEqual(a.reply(), b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
        self.assertEqual(self.r.execute_command("CLIENT", "UNBLOCK", a_id, "TIMEOUT"), 0)
        self.wait_blocked(0)
        self.r.rpush("k", "kept")
        self.assertEqual(self.r.lrange("k", 0, -1), [b"kept"], "an unblocked client takes nothing")
        self.assertEqual(a.cmd("PING"), b"+PONG\r\n")

    def test_disconnect_while_blocked(self):
        a = self.block("BLPOP", "k", "0")
        b = self.block("BLPOP", "k", "0")
        a.close()
        self.conns.remove(a)
        self.wait_blocked(1)
        self.r.rpush("k", "1", "2")
        self.assertEqual(b.reply(), pair("k", "1"))
        self.assertEqual(self.r.lrange("k", 0, -1), [b"2"], "nothing went to the closed client")
        c = self.block("BLPOP", "gone", "0")
        self.r.execute_command("CLIENT", "KILL", "ADDR", c.sock.getsockname()[0] + ":" +
                               str(c.sock.getsockname()[1]))
        self.wait_blocked(0)
        self.r.rpush("gone", "v")
        self.assertEqual(self.r.llen("gone"), 1)

    def test_pipelined_commands_wait_behind_the_blocked_one(self):
        a = self.conn()
        a.send(encode("BLPOP", "k", "0") + encode("PING") + encode("ECHO", "after") + b"PING\r\n")
        self.wait_blocked(1)
        self.assertTrue(self.silent(a))
        self.r.rpush("k", "v")
        self.assertEqual(a.reply(), pair("k", "v"))
        self.assertEqual(a.reply(), b"+PONG\r\n")
        self.assertEqual(a.reply(), bulk("after"))
        self.assertEqual(a.reply(), b"+PONG\r\n")
        self.assertEqual(a.cmd("ECHO", "next"), bulk("next"))

    def test_reset_behind_a_blocked_command_waits(self):
        a = self.conn()
        a.send(encode("BLPOP", "k", "0.3") + encode("RESET") + encode("PING"))
        self.assertEqual(a.reply(), NULL_ARRAY2)
        self.assertEqual(a.reply(), b"+RESET\r\n")
        self.assertEqual(a.reply(), b"+PONG\r\n")
        self.wait_blocked(0)

    # ------------------------------------------------------------------------ introspection

    def test_info_and_client_list(self):
        a = self.block("BLPOP", "k1", "k2", "10")
        b = self.block("BRPOP", "k2", "0")
        self.assertEqual(self.info_field("blocked_clients"), 2)
        self.assertEqual(self.info_field("clients_in_timeout_table"), 1)
        blocked = [c for c in self.r.client_list() if c["flags"] == "b"]
        self.assertEqual(sorted(c["cmd"] for c in blocked), ["blpop", "brpop"])
        self.r.rpush("k2", "v")
        self.assertEqual(a.reply(), pair("k2", "v"))
        self.wait_blocked(1)
        self.r.rpush("k2", "w")
        self.assertEqual(b.reply(), pair("k2", "w"))
        self.wait_blocked(0)
        self.assertEqual(self.info_field("clients_in_timeout_table"), 0)
        self.assertFalse(any(c["flags"] == "b" for c in self.r.client_list()))

    # ------------------------------------------------------------------------- MULTI / EXEC

    def require_multi(self):
        if b"multi" not in self.conn().cmd("COMMAND", "INFO", "multi"):
            self.skipTest("MULTI/EXEC is not in this build yet")

    def test_blocking_commands_inside_exec_answer_at_once(self):
        self.require_multi()
        c = self.conn()
        self.assertEqual(c.cmd("MULTI"), b"+OK\r\n")
        for args in [("BLPOP", "k", "0"), ("BRPOPLPUSH", "k", "d", "0"), ("BLMPOP", "0", "1", "k", "LEFT")]:
            self.assertEqual(c.cmd(*args), b"+QUEUED\r\n")
        start = time.time()
        self.assertEqual(c.cmd("EXEC"), b"*3\r\n*-1\r\n$-1\r\n*-1\r\n")
        self.assertLess(time.time() - start, 2.0)
        self.assertEqual(self.info_field("blocked_clients"), 0)

    def test_a_push_inside_exec_wakes_after_exec(self):
        self.require_multi()
        a = self.block("BLPOP", "k", "0")
        c = self.conn()
        c.cmd("MULTI")
        c.cmd("RPUSH", "k", "a", "b")
        c.cmd("LLEN", "k")
        self.assertEqual(c.cmd("EXEC"), b"*2\r\n:2\r\n:2\r\n")
        self.assertEqual(a.reply(), pair("k", "a"))
        # Pushed and popped inside one EXEC: nothing is left to serve.
        b = self.block("BLPOP", "j", "0")
        c.cmd("MULTI")
        c.cmd("RPUSH", "j", "x")
        c.cmd("LPOP", "j")
        self.assertEqual(c.cmd("EXEC"), b"*2\r\n:1\r\n" + bulk("x"))
        self.assertTrue(self.silent(b))

    # ----------------------------------------------------------------------------- threads

    def test_producers_and_consumers_exchange_every_item_once(self):
        produced = [b"p%d-%d" % (p, i) for p in range(4) for i in range(150)]
        consumed, lock = [], threading.Lock()
        stop = threading.Event()

        def consumer():
            c = self.server.client()
            while not stop.is_set():
                got = c.blpop(["jobs", "other"], 1)
                if got is not None:
                    with lock:
                        consumed.append(got[1])
            c.close()

        def producer(p):
            c = self.server.client()
            for i in range(150):
                c.rpush("jobs", b"p%d-%d" % (p, i))
            c.close()

        consumers = [threading.Thread(target=consumer) for _ in range(6)]
        for t in consumers:
            t.start()
        producers = [threading.Thread(target=producer, args=(p,)) for p in range(4)]
        for t in producers:
            t.start()
        for t in producers:
            t.join()
        deadline = time.time() + 20
        while time.time() < deadline:
            with lock:
                if len(consumed) >= len(produced):
                    break
            time.sleep(0.02)
        stop.set()
        for t in consumers:
            t.join()
        self.assertEqual(sorted(consumed), sorted(produced))
        self.assertEqual(self.r.exists("jobs"), 0)


class BlockingSortedSets(BlockingCase):
    """BZPOPMIN, BZPOPMAX and BZMPOP: the same machinery waiting for sorted sets."""

    def test_zadd_wakes_bzpopmin_and_bzpopmax(self):
        a = self.block("BZPOPMIN", "z1", "z2", "0")
        b = self.block("BZPOPMAX", "z2", "0")
        self.assertEqual(self.r.zadd("z2", {"a": 1, "b": 2, "c": 3}), 3)
        self.assertEqual(a.reply(), b"*3\r\n" + bulk("z2") + bulk("a") + bulk("1"))
        self.assertEqual(b.reply(), b"*3\r\n" + bulk("z2") + bulk("c") + bulk("3"))
        self.assertEqual(self.r.zrange("z2", 0, -1), [b"b"])
        self.wait_blocked(0)

    def test_an_existing_set_is_popped_at_once(self):
        self.r.zadd("z", {"a": 1.5, "b": 2})
        c = self.conn()
        self.assertEqual(c.cmd("BZPOPMAX", "missing", "z", "0"), b"*3\r\n" + bulk("z") + bulk("b") + bulk("2"))
        self.assertEqual(c.cmd("HELLO", "3")[:1], b"%")
        self.assertEqual(c.cmd("BZPOPMIN", "z", "0"), b"*3\r\n" + bulk("z") + bulk("a") + b",1.5\r\n")
        self.assertEqual(self.r.exists("z"), 0)

    def test_bzmpop(self):
        a = self.block("BZMPOP", "0", "2", "z1", "z2", "MAX", "COUNT", "2")
        self.r.zadd("z1", {"a": 1, "b": 2, "c": 3})
        self.assertEqual(a.reply(), b"*2\r\n" + bulk("z1") + b"*2\r\n" + pair("c", "3") + pair("b", "2"))
        c = self.conn()
        self.assertEqual(c.cmd("BZMPOP", "0", "1", "z1", "MIN"), b"*2\r\n" + bulk("z1") + b"*1\r\n" + pair("a", "1"))

    def test_timeouts_and_errors(self):
        c = self.conn()
        start = time.time()
        self.assertEqual(c.cmd("BZPOPMIN", "z", "0.05"), NULL_ARRAY2)
        self.assertEqual(c.cmd("BZMPOP", "0.05", "1", "z", "MIN"), NULL_ARRAY2)
        self.assertLess(time.time() - start, 2.0)
        self.r.set("s", "x")
        self.assertEqual(c.cmd("BZPOPMIN", "s", "0"), WRONGTYPE)
        self.assertEqual(c.cmd("BZPOPMIN", "z", "-1"), b"-ERR timeout is negative\r\n")
        self.assertEqual(c.cmd("BZPOPMIN", "z", "abc"), b"-ERR timeout is not a float or out of range\r\n")
        self.assertEqual(c.cmd("BZMPOP", "0", "0", "z", "MIN"), b"-ERR numkeys should be greater than 0\r\n")
        self.assertEqual(c.cmd("BZMPOP", "0", "1", "z", "UP"), b"-ERR syntax error\r\n")
        self.assertEqual(c.cmd("BZMPOP", "x", "1", "z", "MIN"), b"-ERR timeout is not a float or out of range\r\n")
        self.assertEqual(c.cmd("BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"),
                         b"-ERR count should be greater than 0\r\n")

    def test_a_list_does_not_wake_a_sorted_set_waiter(self):
        a = self.block("BZPOPMIN", "k", "0")
        self.r.rpush("k", "x")
        self.assertTrue(self.silent(a))
        self.r.delete("k")
        self.r.zadd("k", {"m": 7})
        self.assertEqual(a.reply(), b"*3\r\n" + bulk("k") + bulk("m") + bulk("7"))

    def test_inside_exec_they_answer_at_once(self):
        c = self.conn()
        self.assertEqual(c.cmd("MULTI"), b"+OK\r\n")
        for args in [("BZPOPMIN", "z", "0"), ("BZMPOP", "0", "1", "z", "MAX")]:
            self.assertEqual(c.cmd(*args), b"+QUEUED\r\n")
        self.assertEqual(c.cmd("EXEC"), b"*2\r\n*-1\r\n*-1\r\n")

    def test_keyspace_event_names(self):
        self.r.config_set("notify-keyspace-events", "Kz")
        try:
            p = self.server.client().pubsub()
            p.psubscribe("__keyspace@0__:*")
            p.get_message(timeout=2)
            self.r.zadd("ev", {"a": 1, "b": 2})
            self.r.bzpopmax("ev", 1)
            self.r.bzpopmin("ev", 1)
            events = []
            deadline = time.time() + 2
            while len(events) < 3 and time.time() < deadline:
                m = p.get_message(timeout=0.5)
                if m and m["type"] == "pmessage":
                    events.append(m["data"])
            self.assertEqual(events, [b"zadd", b"zpopmax", b"zpopmin"])
            p.close()
        finally:
            self.r.config_set("notify-keyspace-events", "")


class BlockingTwoIoThreads(BlockingTest):
    """The same with two I/O threads: connections alternate between them, so waiting and pushing
    clients sit on different threads."""
    CONFIG = {"io-threads": "2"}


if __name__ == "__main__":
    main()

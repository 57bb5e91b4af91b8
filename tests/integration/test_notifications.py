# SPDX-License-Identifier: Apache-2.0
"""Keyspace notifications for strings, generic key commands and expiry: the classes, channels and event
names Redis 7 uses, `expired` exactly once per key (active and lazy), `del` for a TTL in the past."""
import socket
import time

from support.server import ServerTestCase, main


class Events:
    """A PSUBSCRIBE __key*__:* connection that collects (channel, message) pairs."""

    def __init__(self, server):
        self.raw = server.raw()
        self.raw.send(b"*2\r\n$10\r\nPSUBSCRIBE\r\n$10\r\n__key*__:*\r\n")
        self.raw.reply()

    def take(self, count, timeout=5.0):
        """The next `count` events, in order."""
        events = []
        self.raw.sock.settimeout(timeout)
        while len(events) < count:
            frame = self.raw.reply()
            parts = frame.split(b"\r\n")
            # *4 $8 pmessage $n pattern $n channel $n message
            events.append((parts[6].decode(), parts[8]))
        return events

    def quiet(self, wait=0.3):
        """True if no event arrives within `wait` seconds."""
        self.raw.sock.settimeout(wait)
        try:
            self.raw.buf += self.raw.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            pass
        return self.raw.buf == b""


class EventsMixin:
    """For a ServerTestCase whose tests run with notify-keyspace-events KEA and an Events listener."""

    def setUp(self):
        super().setUp()
        self.r.config_set("notify-keyspace-events", "KEA")
        self.events = Events(self.server)

    def tearDown(self):
        self.r.config_set("notify-keyspace-events", "")
        self.events.raw.close()
        super().tearDown()

    def expect_events(self, *pairs):
        """Asserts that the next events are the keyspace and keyevent messages of each (event, key)."""
        expected = []
        for event, key in pairs:
            expected += [("__keyspace@0__:" + key, event.encode()),
                         ("__keyevent@0__:" + event, key.encode())]
        self.assertEqual(self.events.take(len(expected)), expected)


class Notifications(EventsMixin, ServerTestCase):
    def keyevent(self, event, key):
        return [("__keyspace@0__:" + key, event.encode()), ("__keyevent@0__:" + event, key.encode())]

    def test_string_commands(self):
        self.r.set("s", "v")
        self.r.append("s", "x")
        self.r.setrange("s", 0, "y")
        self.r.set("n", 1)
        self.r.incrby("n", 2)
        self.r.incrbyfloat("n", 0.5)
        self.r.getdel("n")
        expected = (self.keyevent("set", "s") + self.keyevent("append", "s") + self.keyevent("setrange", "s") +
                    self.keyevent("set", "n") + self.keyevent("incrby", "n") +
                    self.keyevent("incrbyfloat", "n") + self.keyevent("del", "n"))
        self.assertEqual(self.events.take(len(expected)), expected)

    def test_set_with_ttl_and_mset(self):
        self.r.set("a", 1, ex=100)
        self.r.mset({"b": 1, "c": 2})
        expected = (self.keyevent("set", "a") + self.keyevent("expire", "a") + self.keyevent("set", "b") +
                    self.keyevent("set", "c"))
        self.assertEqual(self.events.take(len(expected)), expected)

    def test_generic_commands(self):
        self.r.set("k", 1)
        self.events.take(2)
        self.r.pexpire("k", 100000)
        self.r.persist("k")
        self.r.rename("k", "k2")
        self.r.copy("k2", "k3")
        self.r.move("k3", 1)
        self.r.delete("k2", "missing")
        expected = (self.keyevent("expire", "k") + self.keyevent("persist", "k") +
                    self.keyevent("rename_from", "k") + self.keyevent("rename_to", "k2") +
                    self.keyevent("copy_to", "k3") + self.keyevent("move_from", "k3") +
                    [("__keyspace@1__:k3", b"move_to"), ("__keyevent@1__:move_to", b"k3")] +
                    self.keyevent("del", "k2"))
        self.assertEqual(self.events.take(len(expected)), expected)

    def test_ttl_in_the_past_is_a_del(self):
        self.r.set("k", 1)
        self.events.take(2)
        self.r.pexpire("k", -1)
        self.assertEqual(self.events.take(2), self.keyevent("del", "k"))
        self.assertEqual(self.r.pexpire("missing", 100), False)
        self.assertTrue(self.events.quiet(), "PEXPIRE of a missing key announces nothing")

    def test_spring_shadow_key_expires_once(self):
        """RedisIndexedSessionRepository: APPEND "" creates the shadow key, PEXPIRE sets its TTL, and the
        expired event must come from the server itself, once, without anybody reading the key."""
        key = "spring:session:sessions:expires:abc"
        self.r.append(key, "")
        self.r.pexpire(key, 200)
        self.assertEqual(self.events.take(4), self.keyevent("append", key) + self.keyevent("expire", key))
        self.assertEqual(self.events.take(2, timeout=10), self.keyevent("expired", key))
        self.assertEqual(self.r.exists(key), 0)
        self.assertTrue(self.events.quiet(), "expired is announced exactly once")

    def test_lazy_expiry_on_access_is_announced_once(self):
        self.r.set("k", 1, px=50)
        self.events.take(4)
        time.sleep(0.2)
        self.r.exists("k")
        self.r.get("k")
        self.assertEqual(self.events.take(2, timeout=10), self.keyevent("expired", "k"))
        self.assertTrue(self.events.quiet())

    def test_classes_filter(self):
        self.r.config_set("notify-keyspace-events", "Egx")  # what Spring Session configures
        self.r.set("s", 1)
        self.r.expire("s", 100)
        self.r.delete("s")
        self.assertEqual(self.events.take(2), [("__keyevent@0__:expire", b"s"), ("__keyevent@0__:del", b"s")])

    def test_new_and_keymiss(self):
        # `n` and `m` are not part of A: each needs its own letter.
        self.r.config_set("notify-keyspace-events", "KEAnm")
        self.r.set("s", 1)       # a new key: new, then set
        self.r.set("s", 2)       # an existing key: set only
        self.r.get("missing")    # a read that finds nothing: keymiss
        self.r.exists("gone")    # EXISTS is a read too
        self.r.hset("h", "f", "v")
        self.r.rename("h", "h2")
        expected = (self.keyevent("new", "s") + self.keyevent("set", "s") + self.keyevent("set", "s") +
                    self.keyevent("keymiss", "missing") + self.keyevent("keymiss", "gone") +
                    self.keyevent("new", "h") + self.keyevent("hset", "h") +
                    self.keyevent("new", "h2") + self.keyevent("rename_from", "h") +
                    self.keyevent("rename_to", "h2"))
        self.assertEqual(self.events.take(len(expected)), expected)
        self.r.config_set("notify-keyspace-events", "KEA")
        self.r.get("missing")
        self.r.set("t", 1)
        self.assertEqual(self.events.take(2), self.keyevent("set", "t"), "no keymiss or new without m/n")


if __name__ == "__main__":
    main()

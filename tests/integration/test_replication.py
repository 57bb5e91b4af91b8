# SPDX-License-Identifier: Apache-2.0
"""Replication between two real sessionkv processes (docs/replication.md), talked to with redis-py.

A primary and a replica (`replicaof` in its config, or REPLICAOF at run time): the first sync is a full
sync from a RocksDB checkpoint, later writes stream as WAL batches; the replica is read-only, hides
keys past their deadline and never deletes them itself; a replica restarted, or whose link was cut (the
tests' own proxy between the two, tests/support/wan_proxy.py), resumes from its last sequence without a
full sync; REPLICAOF NO ONE promotes it. Offsets are RocksDB sequence numbers, equal on both sides once
the replica caught up.
"""
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from support.server import TARGET, Server, main  # noqa: E402
from wan_proxy import WanProxy  # noqa: E402


def info(client):
    return client.info("replication")


def stats(client):
    return client.info("stats")


def wait_for(predicate, timeout=15.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def caught_up(primary, replica):
    """The replica applied everything the primary committed (equal sequence numbers)."""
    p = info(primary)["master_repl_offset"]
    r = info(replica)
    return r.get("master_link_status") == "up" and r["slave_repl_offset"] == p


def session(client, sid, ttl_ms=1800000):
    key = "spring:session:sessions:%s" % sid
    client.hset(key, mapping={"creationTime": str(time.time()), "maxInactiveInterval": "1800",
                              "lastAccessedTime": str(time.time()), "sessionAttr:user": "user-%s" % sid})
    client.pexpire(key, ttl_ms)
    return key


class ServersCase(unittest.TestCase):
    """Persistent servers a test starts, all stopped after it. setUp starts a primary (self.primary,
    self.p) with primary_config(), unless that is None (the test starts its own)."""

    def primary_config(self):
        return {}

    def setUp(self):
        self.servers = []
        config = self.primary_config()
        if config is not None:
            self.primary = self.start(config)
            self.p = self.primary.client()

    def tearDown(self):
        for s in self.servers:
            s.stop()

    def start(self, config):
        s = Server(config={"appendonly": "yes", **config})
        self.servers.append(s)
        return s

    def start_replica(self, port=None, config=None, wait=True):
        """A replica of 127.0.0.1:port (the primary's port by default), caught up unless wait is False."""
        replica = self.start({"replicaof": "127.0.0.1 %d" % (port or self.primary.port), **(config or {})})
        r = replica.client()
        if wait:
            wait_for(lambda: caught_up(self.p, r), timeout=30, what="the replica to catch up")
        return replica, r


@unittest.skipIf(TARGET == "redis", "sessionkv's replication (SKVSYNC over the RocksDB WAL)")
class ReplicationTest(ServersCase):

    def test_full_sync_then_stream(self):
        keys = [session(self.p, i) for i in range(200)]
        self.p.set("counter", 5)
        replica, r = self.start_replica()
        self.assertEqual(stats(self.p)["sync_full"], 1)
        self.assertEqual(r.hget(keys[7], "sessionAttr:user"), b"user-7")
        self.assertGreater(r.pttl(keys[7]), 1700000)
        self.assertEqual(r.dbsize(), 201)
        # Live writes stream: a change of one field, a new key, a delete, an increment.
        self.p.hset(keys[7], "lastAccessedTime", "later")
        self.p.delete(keys[8])
        self.p.incr("counter")
        self.p.sadd("spring:session:index", "a", "b")
        wait_for(lambda: caught_up(self.p, r))
        self.assertEqual(r.hget(keys[7], "lastAccessedTime"), b"later")
        self.assertEqual(r.exists(keys[8]), 0)
        self.assertEqual(r.get("counter"), b"6")
        self.assertEqual(r.smembers("spring:session:index"), {b"a", b"b"})
        self.assertEqual(self.p.role()[0], b"master")
        self.assertEqual(r.role()[0], b"slave")
        self.assertEqual(info(self.p)["connected_slaves"], 1)
        self.assertEqual(info(r)["role"], "slave")

    def test_replica_is_read_only(self):
        replica, r = self.start_replica()
        with self.assertRaisesRegex(Exception, "You can't write against a read only replica."):
            r.set("k", "v")
        self.assertEqual(r.get("k"), None)

    def test_flushall_and_multi_types_replicate(self):
        replica, r = self.start_replica()
        self.p.rpush("list", "a", "b", "c")
        self.p.zadd("z", {"m": 1.5})
        self.p.set("s", "v")
        wait_for(lambda: caught_up(self.p, r))
        self.assertEqual(r.lrange("list", 0, -1), [b"a", b"b", b"c"])
        self.assertEqual(r.zscore("z", "m"), 1.5)
        self.p.flushall()
        self.p.set("after", "1")
        wait_for(lambda: caught_up(self.p, r))
        self.assertEqual(r.keys("*"), [b"after"])

    def test_expiry_is_the_primarys_delete(self):
        replica, r = self.start_replica()
        self.p.set("short", "v", px=300)
        wait_for(lambda: caught_up(self.p, r))
        self.assertEqual(r.get("short"), b"v")
        wait_for(lambda: self.p.exists("short") == 0 and caught_up(self.p, r), what="the primary's expiry")
        self.assertEqual(r.get("short"), None)
        self.assertEqual(r.dbsize(), 0)

    def test_replica_publishes_the_primarys_expired_events(self):
        replica, r = self.start_replica(config={"notify-keyspace-events": "Ex"})
        sub = r.pubsub()
        sub.subscribe("__keyevent@0__:expired")
        self.assertEqual(sub.get_message(timeout=2)["type"], "subscribe")
        self.p.set("spring:session:expires:abc", "", px=200)
        deadline = time.time() + 10
        message = None
        while message is None and time.time() < deadline:
            message = sub.get_message(timeout=1)
        self.assertIsNotNone(message, "no expired event on the replica")
        self.assertEqual(message["data"], b"spring:session:expires:abc")
        sub.close()

    def test_scripts_cannot_write_on_a_replica(self):
        replica, r = self.start_replica()
        with self.assertRaisesRegex(Exception, "You can't write against a read only replica."):
            r.eval("return redis.call('set', KEYS[1], 'v')", 1, "k")
        self.assertEqual(r.eval("return redis.call('get', KEYS[1])", 1, "k"), None)

    def test_wait_counts_the_replicas_that_acknowledged(self):
        self.assertEqual(self.p.execute_command("WAIT", 0, 0), 0)
        start = time.time()
        self.assertEqual(self.p.execute_command("WAIT", 1, 150), 0, "no replica: the timeout answers 0")
        self.assertGreaterEqual(time.time() - start, 0.14)
        replica, r = self.start_replica()
        session(self.p, "waited")
        self.assertEqual(self.p.execute_command("WAIT", 1, 5000), 1)
        self.assertEqual(r.hget("spring:session:sessions:waited", "sessionAttr:user"), b"user-waited",
                         "WAIT returned once the replica had the write")
        start = time.time()
        self.assertEqual(self.p.execute_command("WAIT", 2, 200), 1)
        self.assertGreaterEqual(time.time() - start, 0.19)
        with self.assertRaisesRegex(Exception, "WAIT cannot be used with replica instances"):
            r.execute_command("WAIT", 1, 10)
        with self.assertRaisesRegex(Exception, "timeout is negative"):
            self.p.execute_command("WAIT", 1, -1)

    def test_restarted_replica_resumes_without_full_sync(self):
        replica, r = self.start_replica()
        session(self.p, "before")
        wait_for(lambda: caught_up(self.p, r))
        replica.kill9()
        for i in range(50):
            session(self.p, "while-down-%d" % i)
        replica.restart()
        r = replica.client()
        wait_for(lambda: caught_up(self.p, r), what="the restarted replica to catch up")
        self.assertEqual(stats(self.p)["sync_full"], 1)
        self.assertEqual(stats(self.p)["sync_partial_ok"], 1)
        self.assertEqual(r.hget("spring:session:sessions:while-down-49", "sessionAttr:user"), b"user-while-down-49")
        self.assertEqual(r.dbsize(), 51)

    def test_link_cut_resumes(self):
        proxy = WanProxy(self.primary.port, delay_ms=20).start()
        try:
            replica, r = self.start_replica(port=proxy.port)
            proxy.cut()
            for i in range(30):
                session(self.p, "cut-%d" % i)
            wait_for(lambda: info(r)["master_link_status"] == "down", what="the link to go down")
            proxy.restore()
            wait_for(lambda: caught_up(self.p, r), timeout=30, what="the replica to resume")
            self.assertEqual(stats(self.p)["sync_full"], 1)
            self.assertGreaterEqual(stats(self.p)["sync_partial_ok"], 1)
            self.assertEqual(r.dbsize(), 30)
        finally:
            proxy.stop()

    def test_promotion_and_replicaof_at_run_time(self):
        self.p.set("k", "1")
        other = self.start({})
        o = other.client()
        o.set("own", "x")
        self.assertTrue(o.replicaof("127.0.0.1", self.primary.port))
        wait_for(lambda: caught_up(self.p, o), what="REPLICAOF at run time to sync")
        self.assertEqual(o.get("k"), b"1")
        self.assertEqual(o.get("own"), None, "a full sync replaces the replica's own data")
        self.assertTrue(o.replicaof("no", "one"))
        self.assertEqual(o.role()[0], b"master")
        o.set("k", "2")
        self.assertEqual(o.get("k"), b"2")
        self.assertEqual(self.p.get("k"), b"1")


if __name__ == "__main__":
    main()

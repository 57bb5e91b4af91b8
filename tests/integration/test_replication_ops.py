# SPDX-License-Identifier: Apache-2.0
"""Operating replication (issues 5 and 8) on real processes, with redis-py.

min-replicas-to-write / min-replicas-max-lag (and the min-slaves-* aliases) refuse writes with
-NOREPLICAS while too few replicas acked recently; CLIENT LIST / KILL TYPE replica see a replica's
stream (flags=S), and a killed stream resumes; /metrics carries redis_exporter's replication names on
both sides; a replica's /readyz fails while its link is down longer than repl-timeout (/healthz never
does); WAITAOF counts this primary's fsync and the replicas' FACKs. The first class runs against
redis-server too (SESSIONKV_TEST_TARGET=redis): its error texts are Redis's.
"""
import os
import sys
import time
import unittest

import redis

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from support import prom  # noqa: E402
from support.server import TARGET, Server, free_port, main, needs_redis_72  # noqa: E402
from test_replication import ServersCase, caught_up, info, stats, wait_for  # noqa: E402

NOREPLICAS = "NOREPLICAS Not enough good replicas to write."


class StandaloneTest(unittest.TestCase):
    """A memory-only primary without replicas; the same answers as redis-server 7."""

    def setUp(self):
        self.server = Server(config={"appendonly": "no"})
        self.r = self.server.client()

    def tearDown(self):
        self.server.stop()

    def test_config_names_and_aliases(self):
        self.assertEqual(self.r.config_get("min-replicas-to-write"), {"min-replicas-to-write": "0"})
        self.assertEqual(self.r.config_get("min-slaves-max-lag"), {"min-slaves-max-lag": "10"})
        self.assertEqual(self.r.config_get("min-*"), {"min-replicas-to-write": "0", "min-slaves-to-write": "0",
                                                      "min-replicas-max-lag": "10", "min-slaves-max-lag": "10"})
        self.r.config_set("min-slaves-to-write", 3)
        self.assertEqual(self.r.config_get("min-replicas-to-write"), {"min-replicas-to-write": "3"})
        # An alias is a config of its own in Redis 7.0's CONFIG SET: both in one call, the last wins.
        self.r.execute_command("CONFIG", "SET", "min-slaves-to-write", "1", "min-replicas-to-write", "0")
        self.assertEqual(self.r.config_get("min-slaves-to-write"), {"min-slaves-to-write": "0"})
        with self.assertRaises(redis.ResponseError) as e:
            self.r.config_set("min-slaves-to-write", "abc")
        self.assertEqual(str(e.exception), "CONFIG SET failed (possibly related to argument "
                                           "'min-slaves-to-write') - argument couldn't be parsed into an integer")
        with self.assertRaises(redis.ResponseError) as e:
            self.r.config_set("min-replicas-max-lag", -1)
        self.assertEqual(str(e.exception), "CONFIG SET failed (possibly related to argument "
                                           "'min-replicas-max-lag') - argument must be between 0 and 2147483647 "
                                           "inclusive")

    def test_writes_refused_without_good_replicas(self):
        self.r.set("before", "1")
        self.r.config_set("min-replicas-to-write", 1)
        with self.assertRaises(redis.ResponseError) as e:
            self.r.set("k", "v")
        self.assertEqual(str(e.exception), NOREPLICAS)
        self.assertEqual(self.r.get("before"), b"1")  # reads go on
        self.assertEqual(info(self.r)["min_slaves_good_slaves"], 0)
        # EXEC of a queued write is refused as a whole; a script's redis.call raises the error.
        pipe = self.r.pipeline(transaction=True)
        pipe.set("k", "v")
        with self.assertRaises(redis.ResponseError) as e:
            pipe.execute()
        self.assertIn("NOREPLICAS", str(e.exception))
        with self.assertRaises(redis.ResponseError) as e:
            self.r.eval("return redis.call('set','x','1')", 0)
        self.assertTrue(str(e.exception).startswith(NOREPLICAS + " script: "), str(e.exception))
        self.assertEqual(self.r.eval("return redis.pcall('set','x','1')['err']", 0), NOREPLICAS.encode())
        # max-lag 0 turns the check off, as in Redis, and INFO stops showing the field.
        self.r.config_set("min-replicas-max-lag", 0)
        self.assertTrue(self.r.set("k", "v"))
        self.assertNotIn("min_slaves_good_slaves", info(self.r))

    def test_client_types(self):
        for cmd in (("CLIENT", "LIST", "TYPE", "FOO"), ("CLIENT", "KILL", "TYPE", "FOO")):
            with self.assertRaises(redis.ResponseError) as e:
                self.r.execute_command(*cmd)
            self.assertEqual(str(e.exception), "Unknown client type 'FOO'")
        sub = self.server.client()
        p = sub.pubsub()
        p.subscribe("ch")
        p.get_message(timeout=5)
        lines = self.r.execute_command("CLIENT", "LIST", "TYPE", "pubsub").decode().splitlines()
        self.assertEqual(len(lines), 1)
        self.assertIn(" flags=P ", lines[0])
        self.assertEqual(self.r.execute_command("CLIENT", "LIST", "TYPE", "replica"), b"")
        self.assertEqual(self.r.execute_command("CLIENT", "KILL", "TYPE", "master"), 0)
        self.assertEqual(self.r.execute_command("CLIENT", "KILL", "TYPE", "slave"), 0)
        self.assertEqual(self.r.execute_command("CLIENT", "KILL", "TYPE", "pubsub"), 1)
        p.close()

    def test_wait_errors(self):
        for args, text in ((("0", "foo"), "timeout is not an integer or out of range"),
                           (("foo", "0"), "value is not an integer or out of range"),
                           (("0", "-1"), "timeout is negative")):
            with self.assertRaises(redis.ResponseError) as e:
                self.r.execute_command("WAIT", *args)
            self.assertEqual(str(e.exception), text)

    @needs_redis_72
    def test_waitaof_errors(self):
        cases = ((("2", "0", "0"), "value is out of range, value must between 0 and 1"),
                 (("-1", "0", "0"), "value is out of range, value must between 0 and 1"),
                 (("x", "0", "0"), "value is not an integer or out of range"),
                 (("0", "-1", "0"), "value is out of range, must be positive"),
                 (("0", "x", "0"), "value is not an integer or out of range"),
                 (("0", "0", "-1"), "timeout is negative"),
                 (("0", "0", "x"), "timeout is not an integer or out of range"),
                 (("1", "0", "0"), "WAITAOF cannot be used when numlocal is set but appendonly is disabled."))
        for args, text in cases:
            with self.assertRaises(redis.ResponseError) as e:
                self.r.execute_command("WAITAOF", *args)
            self.assertEqual(str(e.exception), text, args)
        self.assertEqual(self.r.execute_command("WAITAOF", "0", "0", "0"), [0, 0])


@unittest.skipIf(TARGET == "redis", "sessionkv's replication and persistence")
class WaitAofLocalTest(unittest.TestCase):
    """WAITAOF numlocal against this primary's own fsync of the WAL."""

    def setUp(self):
        self.server = Server(config={"appendonly": "yes"})
        self.r = self.server.client()

    def tearDown(self):
        self.server.stop()

    def waitaof(self, *args):
        return self.r.execute_command("WAITAOF", *args)

    def test_always_is_durable_at_once(self):
        self.r.config_set("appendfsync", "always")
        self.r.incr("foo")
        self.assertEqual(self.waitaof(1, 0, 0), [1, 0])

    def test_everysec_waits_for_the_next_sync(self):
        self.r.config_set("appendfsync", "everysec")
        pipe = self.r.pipeline(transaction=False)
        pipe.incr("foo")
        pipe.execute_command("WAITAOF", 1, 0, 5000)
        start = time.monotonic()
        self.assertEqual(pipe.execute(), [1, [1, 0]])
        self.assertLess(time.monotonic() - start, 3)

    def test_no_never_counts_local(self):
        self.r.config_set("appendfsync", "no")
        self.r.incr("foo")
        self.assertEqual(self.waitaof(1, 0, 50), [0, 0])  # the timeout answers
        self.r.config_set("appendfsync", "everysec")

    def test_switch_to_always_syncs_what_no_left(self):
        self.r.config_set("appendfsync", "no")
        self.r.incr("foo")
        self.assertEqual(self.waitaof(1, 0, 50), [0, 0])
        self.r.config_set("appendfsync", "always")
        self.assertEqual(self.waitaof(1, 0, 0), [1, 0])

    def test_inside_multi_answers_at_once(self):
        self.r.config_set("appendfsync", "no")
        self.r.incr("foo")  # never fsynced on purpose under `no`
        pipe = self.r.pipeline(transaction=True)
        pipe.incr("foo")
        pipe.execute_command("WAITAOF", 1, 1, 0)
        self.assertEqual(pipe.execute(), [2, [0, 0]])

    def test_replica_count_without_replicas_times_out(self):
        self.r.config_set("appendfsync", "always")
        self.r.set("k", "v")
        self.assertEqual(self.waitaof(0, 1, 100), [1, 0])


@unittest.skipIf(TARGET == "redis", "sessionkv's replication (SKVSYNC over the RocksDB WAL)")
class ReplicationOpsTest(ServersCase):
    def primary_config(self):
        return {"metrics-port": str(free_port())}

    def scrape(self, server):
        status, _, body = server.http("/metrics")
        self.assertEqual(status, 200)
        return prom.parse(body)

    def test_min_replicas_follow_the_replicas_acks(self):
        replica, r = self.start_replica()
        self.p.config_set("min-slaves-to-write", 1)
        self.p.config_set("min-slaves-max-lag", 2)
        self.assertTrue(self.p.set("k", "1"))
        self.assertEqual(info(self.p)["min_slaves_good_slaves"], 1)
        # Two replicas needed, one there: refused; back to one: accepted.
        self.p.config_set("min-replicas-to-write", 2)
        with self.assertRaisesRegex(redis.ResponseError, "^" + NOREPLICAS + "$"):
            self.p.set("k", "2")
        self.p.config_set("min-replicas-to-write", 1)
        # A replica that stops acking stops counting once its last ack is older than max-lag.
        replica.kill9()
        wait_for(lambda: info(self.p)["min_slaves_good_slaves"] == 0, timeout=10, what="the replica to go bad")
        with self.assertRaisesRegex(redis.ResponseError, NOREPLICAS):
            self.p.set("k", "3")
        replica.restart()
        wait_for(lambda: info(self.p).get("min_slaves_good_slaves") == 1, timeout=20, what="the replica back")
        self.assertTrue(self.p.set("k", "4"))
        wait_for(lambda: caught_up(self.p, r))
        self.assertEqual(r.get("k"), b"4")

    def test_client_list_and_kill_replica(self):
        replica, r = self.start_replica()
        lines = self.p.execute_command("CLIENT", "LIST", "TYPE", "replica").decode().splitlines()
        self.assertEqual(len(lines), 1)
        self.assertIn(" flags=S ", lines[0])
        self.assertEqual(self.p.execute_command("CLIENT", "LIST", "TYPE", "slave").decode().splitlines(), lines)
        normal = self.p.execute_command("CLIENT", "LIST", "TYPE", "normal").decode()
        self.assertNotIn(" flags=S ", normal)
        partial = stats(self.p)["sync_partial_ok"]
        self.assertEqual(self.p.execute_command("CLIENT", "KILL", "TYPE", "replica"), 1)
        self.p.set("written-while-gone", "1")
        # The replica reconnects (1 s backoff) and continues from its own last sequence: no full sync.
        wait_for(lambda: stats(self.p)["sync_partial_ok"] == partial + 1, timeout=20, what="the resume")
        wait_for(lambda: caught_up(self.p, r))
        self.assertEqual(r.get("written-while-gone"), b"1")
        self.assertEqual(stats(self.p)["sync_full"], 1)
        self.assertEqual(info(self.p)["connected_slaves"], 1)

    def test_metrics_on_both_sides(self):
        replica, r = self.start_replica(config={"metrics-port": str(free_port())})
        for i in range(20):
            self.p.set("k%d" % i, i)
        wait_for(lambda: caught_up(self.p, r))
        wait_for(lambda: info(self.p)["slave0"]["offset"] == info(self.p)["master_repl_offset"], what="the ack")
        offset = info(self.p)["master_repl_offset"]
        fam = self.scrape(self.primary)
        self.assertEqual(fam["redis_connected_slaves"].value(), 1)
        self.assertEqual(fam["redis_master_repl_offset"].value(), offset)
        (name, labels, value), = fam["redis_connected_slave_offset_bytes"].samples
        self.assertEqual(labels, {"slave_ip": "127.0.0.1", "slave_port": str(replica.port), "slave_state": "online"})
        self.assertEqual(value, offset)
        self.assertLessEqual(fam["redis_connected_slave_lag_seconds"].value(**labels), 1)
        self.assertEqual(fam["redis_connected_slave_lag_seconds"].help, "Lag of connected slave")
        self.assertEqual(fam["redis_instance_info"].samples[0][1]["role"], "master")
        self.assertEqual(fam["redis_instance_info"].samples[0][1]["master_replid"], info(self.p)["master_replid"])
        self.assertEqual(fam["redis_repl_backlog_is_active"].value(), 1)
        self.assertGreater(fam["redis_replication_backlog_bytes"].value(), 0)
        self.assertEqual(fam["redis_replica_resyncs_full"].value(), 1)
        self.assertNotIn("redis_master_link_up", fam)

        rf = self.scrape(replica)
        master = {"master_host": "127.0.0.1", "master_port": str(self.primary.port)}
        self.assertEqual(rf["redis_master_link_up"].value(**master), 1)
        self.assertEqual(rf["redis_master_link_up"].help, "Master link status on Redis slave")
        self.assertEqual(rf["redis_master_sync_in_progress"].value(**master), 0)
        self.assertLessEqual(rf["redis_master_last_io_seconds_ago"].value(**master), 2)
        self.assertEqual(rf["redis_slave_repl_offset"].value(**master), offset)
        self.assertEqual(rf["redis_slave_info"].value(read_only="1", **master), 1)
        self.assertEqual(rf["redis_instance_info"].samples[0][1]["role"], "slave")
        self.assertEqual(rf["redis_connected_slaves"].value(), 0)
        self.assertNotIn("redis_connected_slave_lag_seconds", rf)
        # The link down: 0, and the last-io field -1 as INFO prints it.
        self.primary.kill9()
        wait_for(lambda: self.scrape(replica)["redis_master_link_up"].value(**master) == 0, what="link down")
        self.assertEqual(self.scrape(replica)["redis_master_last_io_seconds_ago"].value(**master), -1)

    def test_replica_readyz_follows_the_link(self):
        replica, r = self.start_replica(config={"metrics-port": str(free_port()), "repl-timeout": "2"})
        self.assertEqual(replica.http("/readyz")[::2], (200, "ready\n"))
        self.assertEqual(self.primary.http("/readyz")[::2], (200, "ready\n"))
        self.primary.kill9()
        # Down, but not yet for repl-timeout: still ready (a short blip keeps the clients).
        wait_for(lambda: info(r)["master_link_status"] == "down", what="the link to go down")
        self.assertEqual(replica.http("/readyz")[0], 200)
        wait_for(lambda: replica.http("/readyz")[0] == 503, timeout=10, what="/readyz to fail")
        status, _, body = replica.http("/readyz")
        self.assertIn("replica: link to 127.0.0.1:%d down for" % self.primary.port, body)
        self.assertEqual(replica.http("/healthz")[::2], (200, "ok\n"))  # liveness never follows the link
        self.primary.restart()
        wait_for(lambda: replica.http("/readyz")[0] == 200, timeout=20, what="/readyz back")
        # Promoted, it is a primary: ready whatever happened to its old link.
        self.primary.kill9()
        r.execute_command("REPLICAOF", "NO", "ONE")
        time.sleep(3)
        self.assertEqual(replica.http("/readyz")[0], 200)

    def test_becoming_a_replica_unblocks_wait_and_waitaof(self):
        waiters = [self.primary.client(), self.primary.client()]
        conns = [w.connection_pool.get_connection("_") for w in waiters]
        conns[0].send_command("WAITAOF", 0, 1, 0)
        conns[1].send_command("WAIT", 1, 0)
        wait_for(lambda: self.p.info("clients")["blocked_clients"] == 2, what="both to block")
        self.p.execute_command("REPLICAOF", "127.0.0.1", free_port())
        for c in conns:
            with self.assertRaises(redis.ResponseError) as e:
                c.read_response()
            self.assertEqual(str(e.exception), "UNBLOCKED force unblock from blocking operation, instance state "
                                               "changed (master -> replica?)")
        self.p.execute_command("REPLICAOF", "NO", "ONE")

    def test_waitaof_counts_replica_fsyncs(self):
        replica, r = self.start_replica(config={"appendfsync": "always"})
        self.p.config_set("appendfsync", "always")
        pipe = self.p.pipeline(transaction=False)
        pipe.set("k", "v")
        pipe.execute_command("WAITAOF", 1, 1, 10000)
        self.assertEqual(pipe.execute(), [True, [1, 1]])
        # WAIT pipelined behind a write covers it too.
        pipe = self.p.pipeline(transaction=False)
        pipe.set("k2", "v")
        pipe.execute_command("WAIT", 1, 10000)
        self.assertEqual(pipe.execute(), [True, 1])
        self.assertEqual(r.get("k2"), b"v")
        with self.assertRaises(redis.ResponseError) as e:
            r.execute_command("WAITAOF", 0, 0, 0)
        self.assertEqual(str(e.exception), "WAITAOF cannot be used with replica instances. Please also note that "
                                           "writes to replicas are just local and are not propagated.")
        # Two replicas asked, one there: the timeout answers with what was reached.
        self.assertEqual(self.p.execute_command("WAITAOF", 0, 2, 300), [1, 1])


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""Integration tests for the persistence commands and INFO persistence (docs/persistence.md): SAVE, BGSAVE,
LASTSAVE, BGREWRITEAOF with `appendonly yes`, their errors, the INFO fields Spring Boot's actuator and
operators read, CONFIG SET appendfsync, -LOADING while the data loads, and a restart that keeps what was
written by every type. Crash safety is test_durability.py's.

Every test without @sessionkv_only passes against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis) with
`appendonly yes`.
"""
import time

from support.server import RawConnection, Server, ServerTestCase, free_port, main, sessionkv_only

SYNTAX = b"-ERR syntax error\r\n"


class PersistenceCommandsTest(ServerTestCase):
    CONFIG = {"appendonly": "yes", "appendfsync": "everysec"}

    def setUp(self):
        super().setUp()
        self.raw = RawConnection(self.server.port)
        self.wait_idle()

    def tearDown(self):
        self.raw.close()
        super().tearDown()

    def wait_idle(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            info = self.r.info("persistence")
            if not info["rdb_bgsave_in_progress"] and not info["aof_rewrite_in_progress"]:
                return
            time.sleep(0.05)
        self.fail("background save or rewrite still running")

    def test_save_and_lastsave(self):
        self.r.set("k", "v")
        before = int(time.time())
        self.assertEqual(self.raw.cmd("SAVE"), b"+OK\r\n")
        last = self.r.lastsave()
        self.assertGreaterEqual(int(last.timestamp()), before - 1)
        self.assertLessEqual(int(last.timestamp()), int(time.time()) + 1)
        self.assertEqual(self.r.info("persistence")["rdb_changes_since_last_save"], 0)
        self.assertEqual(self.raw.cmd("SAVE", "x"), b"-ERR wrong number of arguments for 'save' command\r\n")

    def test_bgsave(self):
        self.assertEqual(self.raw.cmd("BGSAVE"), b"+Background saving started\r\n")
        self.wait_idle()
        self.assertEqual(self.raw.cmd("BGSAVE", "NOPE"), SYNTAX)
        self.assertEqual(self.raw.cmd("BGSAVE", "a", "b"), SYNTAX)
        self.assertEqual(self.r.info("persistence")["rdb_last_bgsave_status"], "ok")

    def test_bgrewriteaof(self):
        self.r.set("k", "v")
        self.assertEqual(self.raw.cmd("BGREWRITEAOF"), b"+Background append only file rewriting started\r\n")
        self.wait_idle()
        self.assertEqual(self.r.info("persistence")["aof_last_bgrewrite_status"], "ok")
        self.assertEqual(self.r.get("k"), b"v")

    def test_save_is_refused_inside_multi(self):
        self.assertEqual(self.raw.cmd("MULTI"), b"+OK\r\n")
        self.assertEqual(self.raw.cmd("SAVE"), b"-ERR Command not allowed inside a transaction\r\n")
        self.assertEqual(self.raw.cmd("DISCARD"), b"+OK\r\n")

    def test_info_persistence(self):
        info = self.r.info("persistence")
        for field in ("loading", "async_loading", "rdb_changes_since_last_save", "rdb_bgsave_in_progress",
                      "rdb_last_save_time", "rdb_last_bgsave_status", "aof_enabled", "aof_rewrite_in_progress",
                      "aof_last_bgrewrite_status", "aof_last_write_status", "aof_current_size",
                      "aof_buffer_length"):
            self.assertIn(field, info)
        self.assertEqual(info["loading"], 0)
        self.assertEqual(info["aof_enabled"], 1)
        self.assertEqual(info["aof_last_write_status"], "ok")

    @sessionkv_only
    def test_info_reports_the_commit_pipeline(self):
        before = self.r.info("persistence")
        with self.r.pipeline(transaction=False) as p:
            for i in range(100):
                p.hset("s:%d" % i, mapping={"a": "1", "b": "2"})
            p.execute()
        after = self.r.info("persistence")
        self.assertGreaterEqual(after["commit_batches"] - before["commit_batches"], 100)
        self.assertGreater(after["commit_groups"], before["commit_groups"])
        self.assertLess(after["commit_groups"] - before["commit_groups"], 100, "group commit")
        self.assertGreaterEqual(after["commit_records"] - before["commit_records"], 300)
        self.assertEqual(after["appendfsync"], "everysec")
        self.assertEqual(after["commit_failed_writes"], 0)
        for field in ("wal_syncs", "commit_queue_batches", "rocksdb_sst_bytes", "rocksdb_wal_bytes",
                      "rocksdb_memory_bytes"):
            self.assertIn(field, after)

    def test_config_set_appendfsync(self):
        for mode in ("always", "no", "everysec"):
            self.assertTrue(self.r.config_set("appendfsync", mode))
            self.assertEqual(self.r.config_get("appendfsync"), {"appendfsync": mode})
            self.r.incr("n")
        self.assertEqual(self.r.get("n"), b"3")
        self.assertEqual(self.raw.cmd("CONFIG", "SET", "appendfsync", "sometimes")[:5], b"-ERR ")


class MemoryOnlyTest(ServerTestCase):
    CONFIG = {"appendonly": "no"}

    @sessionkv_only
    def test_commands_without_a_disk(self):
        raw = RawConnection(self.server.port)
        err = b"-ERR persistence is off (appendonly no): the data is kept in memory only\r\n"
        self.assertEqual(raw.cmd("SAVE"), err)
        self.assertEqual(raw.cmd("BGSAVE"), err)
        self.assertEqual(raw.cmd("BGREWRITEAOF"), err)
        self.assertEqual(raw.cmd("LASTSAVE")[:1], b":")
        raw.close()
        self.assertEqual(self.r.info("persistence")["aof_enabled"], 0)


class RestartTest(ServerTestCase):
    CONFIG = {"appendonly": "yes"}

    def test_every_type_survives_a_clean_restart(self):
        r = self.r
        r.set("str", "v")
        r.incrby("n", 5)
        r.hset("h", mapping={"creationTime": "1", "lastAccessedTime": "2"})
        r.hdel("h", "creationTime")
        r.sadd("s", "a", "b", "c")
        r.srem("s", "b")
        r.zadd("z", {"a": 1.5, "b": -2})
        r.rpush("l", "x", "y", "z")
        r.lpush("l", "w")
        r.rpop("l")
        r.linsert("l", "BEFORE", "y", "x2")
        r.set("ttl", "v", ex=1000)
        r.close()
        self.server.proc.terminate()
        self.server.proc.wait(20)
        self.server.restart()
        self.r = r = self.server.client()
        self.assertEqual(r.get("str"), b"v")
        self.assertEqual(r.get("n"), b"5")
        self.assertEqual(r.hgetall("h"), {b"lastAccessedTime": b"2"})
        self.assertEqual(r.smembers("s"), {b"a", b"c"})
        self.assertEqual(r.zrange("z", 0, -1, withscores=True), [(b"b", -2.0), (b"a", 1.5)])
        self.assertEqual(r.lrange("l", 0, -1), [b"w", b"x", b"x2", b"y"])
        self.assertGreater(r.ttl("ttl"), 990)
        self.assertEqual(r.dbsize(), 7)

    @sessionkv_only
    def test_sigterm_commits_and_closes_rocksdb(self):
        self.r.set("k", "v")
        self.r.close()
        self.server.proc.terminate()
        self.assertEqual(self.server.proc.wait(20), 0)
        log = self.server.read_log()
        self.assertIn("RocksDB closed: everything written and fsynced", log)
        self.assertLess(log.index("RocksDB closed"), log.index("ready to exit"))
        self.server.restart()
        self.r = self.server.client()
        self.assertEqual(self.r.get("k"), b"v")


@sessionkv_only
class ReadinessWhileLoadingTest(ServerTestCase):
    """/readyz is 503 while the data loads (PING answers -LOADING), 200 once it is in memory."""
    KEYS = 60000

    @classmethod
    def setUpClass(cls):
        cls.CONFIG = {"appendonly": "yes", "metrics-port": str(free_port())}
        super().setUpClass()

    def test_readyz_follows_loading(self):
        p = self.r.pipeline(transaction=False)
        for i in range(self.KEYS):
            p.hset("session:%d" % i, mapping={"creationTime": i, "maxInactiveInterval": 1800,
                                              "sessionAttr:user": "x" * 100})
            if i % 5000 == 4999:
                p.execute()
        p.execute()
        self.r.close()
        self.server.proc.terminate()
        self.server.proc.wait(20)
        self.server.restart(wait=False)
        samples = []
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                ready = self.server.http("/readyz")[::2]
                conn = RawConnection(self.server.port)
            except OSError:
                time.sleep(0.005)
                continue
            pong = conn.cmd("PING")
            conn.close()
            samples.append((ready, pong))
            if pong == b"+PONG\r\n":
                break
        self.assertEqual(samples[-1][1], b"+PONG\r\n", samples[-3:])
        loading = [s for s in samples if s[1].startswith(b"-LOADING")]
        self.assertTrue(loading, "the load was too quick to be seen; raise KEYS")
        for ready, pong in samples:
            # /readyz is asked first: ready then must mean loaded (loading only goes from on to off)
            if ready[0] == 200:
                self.assertEqual(pong, b"+PONG\r\n")
        self.assertEqual(loading[0][0], (503, "loading the dataset\n"))
        self.assertEqual(self.server.http("/readyz")[::2], (200, "ready\n"))
        self.r = self.server.client()
        self.assertEqual(self.r.dbsize(), self.KEYS)


if __name__ == "__main__":
    main()

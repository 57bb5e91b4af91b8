# SPDX-License-Identifier: Apache-2.0
"""The replication link's transport between two real sessionkv processes (docs/replication.md, "Frames"):
TLS (tls-replication yes: the replica connects to the primary's tls-port and verifies its certificate
against tls-ca-cert-file), zstd negotiated by REPLCONF capa (repl-compression zstd|none on the replica),
and a batch larger than a frame (16 MB) split with Batches.more and joined by the replica.

The certificates are test_tls.py's (made with the openssl CLI; without it the TLS tests are skipped).
"""
import os
import shutil
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from support.server import TARGET, free_port, main  # noqa: E402
from test_replication import ServersCase, caught_up, info, session, stats, wait_for  # noqa: E402
from test_tls import Certificates  # noqa: E402
from wan_proxy import WanProxy  # noqa: E402

CERTS = None


def setUpModule():
    global CERTS
    if shutil.which("openssl") is not None:
        CERTS = Certificates()


def tearDownModule():
    if CERTS is not None:
        shutil.rmtree(CERTS.dir, ignore_errors=True)


def needs_certs(test):
    return unittest.skipIf(shutil.which("openssl") is None, "the openssl CLI makes the certificates")(test)


def tls_files(ca="ca", cert="server"):
    return {"tls-cert-file": CERTS.path(cert + ".crt"), "tls-key-file": CERTS.path(cert + ".key"),
            "tls-ca-cert-file": CERTS.path(ca + ".crt")}


@unittest.skipIf(TARGET == "redis", "sessionkv's replication (SKVSYNC over the RocksDB WAL)")
class LinkTestCase(ServersCase):
    def primary_config(self):
        return None  # each class starts its primary


@needs_certs
class TlsLinkTest(LinkTestCase):
    """A primary with a TLS port (tls-auth-clients yes: the replica presents its certificate too)."""

    def setUp(self):
        super().setUp()
        self.tls_port = free_port()
        self.primary = self.start({"tls-port": str(self.tls_port), **tls_files()})
        self.p = self.primary.client()

    def test_full_sync_and_stream_over_tls(self):
        keys = [session(self.p, i) for i in range(100)]
        replica, r = self.start_replica(self.tls_port, {"tls-replication": "yes", **tls_files()})
        self.assertEqual(stats(self.p)["sync_full"], 1)
        self.assertEqual(r.hget(keys[42], "sessionAttr:user"), b"user-42")
        self.assertEqual(info(r)["master_link_tls"], "yes")
        # Streamed writes, one of them larger than a TLS record many times over.
        self.p.hset(keys[42], "lastAccessedTime", "later")
        self.p.set("big", b"x" * (2 << 20))
        for i in range(200):
            session(self.p, "streamed-%d" % i)
        wait_for(lambda: caught_up(self.p, r), what="the streamed writes")
        self.assertEqual(r.hget(keys[42], "lastAccessedTime"), b"later")
        self.assertEqual(r.strlen("big"), 2 << 20)
        self.assertEqual(r.dbsize(), 301)
        self.assertEqual(stats(self.p)["sync_full"], 1)
        self.assertIn("Full sync", replica.read_log())

    def test_untrusted_primary_never_syncs_and_says_why(self):
        self.p.set("k", "v")
        # The replica trusts only the other CA: the primary's certificate does not verify.
        replica, r = self.start_replica(self.tls_port, {"tls-replication": "yes",
                                                        **tls_files(ca="other-ca", cert="client-other")},
                                        wait=False)
        wait_for(lambda: "certificate verify failed" in replica.read_log(), what="the handshake failure in the log")
        log = replica.read_log()
        self.assertIn("Replication link to 127.0.0.1:%d down: TLS handshake failed" % self.tls_port, log)
        self.assertIn("retrying in", log)
        self.assertEqual(info(r)["master_link_status"], "down")
        self.assertEqual(r.dbsize(), 0)
        self.assertEqual(stats(self.p)["sync_full"], 0)
        self.assertEqual(info(self.p)["connected_slaves"], 0)

    def test_plain_replica_on_the_tls_port_syncs_after_config_set(self):
        self.p.set("k", "v")
        replica, r = self.start_replica(self.tls_port, tls_files(), wait=False)
        self.assertEqual(r.config_get("tls-replication"), {"tls-replication": "no"})
        wait_for(lambda: "Replication link to" in replica.read_log(), what="the plain link to fail")
        self.assertEqual(r.dbsize(), 0)
        # Read at every connection: the link's next attempt (backoff) speaks TLS.
        self.assertTrue(r.config_set("tls-replication", "yes"))
        wait_for(lambda: caught_up(self.p, r), timeout=40, what="the TLS link after CONFIG SET")
        self.assertEqual(r.get("k"), b"v")
        self.assertEqual(info(r)["master_link_tls"], "yes")

    def test_config_set_refuses_tls_replication_without_a_ca(self):
        other = self.start({})
        o = other.client()
        with self.assertRaisesRegex(Exception, "Unable to update TLS configuration"):
            o.config_set("tls-replication", "yes")
        self.assertEqual(o.config_get("tls-replication"), {"tls-replication": "no"})
        self.assertIn("tls-ca-cert-file or tls-ca-cert-dir must be specified", other.read_log())
        self.assertTrue(o.config_set("tls-ca-cert-file", CERTS.path("ca.crt")))
        self.assertTrue(o.config_set("tls-replication", "yes"))


class CompressionTest(LinkTestCase):
    """The primary compresses a replica's stream only when the replica announced REPLCONF capa zstd."""

    def setUp(self):
        super().setUp()
        self.primary = self.start({})
        self.p = self.primary.client()

    def stream_sessions(self, replica, prefix, n=300):
        for i in range(n):
            session(self.p, "%s-%d" % (prefix, i))
        wait_for(lambda: caught_up(self.p, replica), what="the streamed sessions")

    def test_uncompressed_when_the_replica_asks_for_none(self):
        replica, r = self.start_replica(self.primary.port, {"repl-compression": "none"})
        self.assertEqual(r.config_get("repl-compression"), {"repl-compression": "none"})
        self.stream_sessions(r, "plain")
        self.assertEqual(info(r)["master_link_compression"], "none")
        self.assertEqual(info(r)["master_link_tls"], "no")
        self.assertLessEqual(float(info(r)["repl_compression_ratio"]), 1.0)
        self.assertLessEqual(float(info(self.p)["repl_compression_ratio"]), 1.0)

    def test_zstd_by_default(self):
        replica, r = self.start_replica(self.primary.port)
        self.assertEqual(r.config_get("repl-compression"), {"repl-compression": "zstd"})
        self.stream_sessions(r, "zstd")
        self.assertEqual(info(r)["master_link_compression"], "zstd")
        self.assertGreater(float(info(r)["repl_compression_ratio"]), 2.0)
        self.assertGreater(float(info(self.p)["repl_compression_ratio"]), 2.0)

    def test_config_set_applies_at_the_next_connection(self):
        proxy = WanProxy(self.primary.port).start()
        try:
            replica, r = self.start_replica(proxy.port, {"repl-compression": "none"})
            self.assertTrue(r.config_set("repl-compression", "zstd"))
            self.stream_sessions(r, "before")
            self.assertEqual(info(r)["master_link_compression"], "none", "the running link keeps its stream")
            proxy.cut()
            wait_for(lambda: info(r)["master_link_status"] == "down", what="the link to go down")
            proxy.restore()
            wait_for(lambda: caught_up(self.p, r), timeout=30, what="the link to come back")
            self.stream_sessions(r, "after")
            self.assertEqual(info(r)["master_link_compression"], "zstd")
            self.assertGreater(float(info(r)["repl_compression_ratio"]), 2.0)
        finally:
            proxy.stop()

    def test_replconf_capa_accepts_any_capability(self):
        self.assertEqual(self.p.execute_command("REPLCONF", "capa", "eof", "capa", "psync2"), b"OK")
        self.assertEqual(self.p.execute_command("REPLCONF", "capa", "zstd"), b"OK")
        self.assertEqual(self.p.execute_command("REPLCONF", "listening-port", "7000", "capa", "zstd"), b"OK")


class LargeBatchTest(LinkTestCase):
    """One group commit larger than a frame (16 MB) crosses in pieces and is applied whole."""

    def setUp(self):
        super().setUp()
        self.primary = self.start({})
        self.p = self.primary.client(socket_timeout=60)

    def check_no_resync(self, replica, r, pieces):
        self.assertRegex(self.primary.read_log(),
                         r"the batch at sequence \d+ is larger than a frame; sent in %d pieces" % pieces)
        self.assertEqual(stats(self.p)["sync_full"], 1)
        self.assertEqual(info(r)["master_link_status"], "up")
        self.assertNotIn("down:", replica.read_log())

    def test_a_20mb_value_replicates(self):
        replica, r = self.start_replica(self.primary.port)
        value = os.urandom(20 << 20)  # incompressible: the frames stay large after zstd too
        self.p.set("big", value)
        self.p.set("after", "1")
        # The replica's offset moves when RocksDB took the batch, a moment before memory has it.
        wait_for(lambda: caught_up(self.p, r) and r.get("after") == b"1", timeout=60, what="the 20 MB batch")
        self.assertEqual(r.get("big"), value)
        self.assertEqual(r.get("after"), b"1")
        self.check_no_resync(replica, r, pieces=2)

    def test_a_multi_of_many_writes_replicates_as_one_group(self):
        replica, r = self.start_replica(self.primary.port, {"repl-compression": "none"})
        before = info(self.p)["master_repl_offset"]
        values = {"part:%d" % i: os.urandom(1 << 20) for i in range(24)}
        pipe = self.p.pipeline(transaction=True)
        for k, v in values.items():
            pipe.set(k, v)
        pipe.execute()
        wait_for(lambda: caught_up(self.p, r) and r.exists("part:23"), timeout=60, what="the 24 MB transaction")
        self.assertGreaterEqual(info(self.p)["master_repl_offset"] - before, 24)
        for k, v in values.items():
            self.assertEqual(r.get(k), v, k)
        self.check_no_resync(replica, r, pieces=2)


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""The metrics and health endpoint (metrics-port): /metrics in Prometheus text format with
redis_exporter's names, types and labels, checked against the server's own INFO after known commands;
/healthz and /readyz; the endpoint's configuration and failure modes.

Redis has no such endpoint, so every test here is @sessionkv_only; the values they compare against come
from INFO, whose fields are checked against Redis by the other suites.
"""
import socket
import subprocess
import threading
import time
import unittest

import redis

from support import prom
from support.server import Server, ServerTestCase, free_port, main, sessionkv_only

# What redis_exporter declares for the families sessionkv exports (exporter.go's metricMapGauges,
# metricMapCounters and metricDescriptions; info.go's commandstats, errorstats and keyspace handling).
EXPORTER_TYPES = {
    "redis_up": "gauge",
    "redis_uptime_in_seconds": "gauge",
    "redis_start_time_seconds": "gauge",
    "redis_process_id": "gauge",
    "redis_instance_info": "gauge",
    "redis_connected_clients": "gauge",
    "redis_blocked_clients": "gauge",
    "redis_config_maxclients": "gauge",
    "redis_config_maxmemory": "gauge",
    "redis_memory_used_bytes": "gauge",
    "redis_memory_used_rss_bytes": "gauge",
    "redis_memory_used_peak_bytes": "gauge",
    "redis_memory_max_bytes": "gauge",
    "redis_mem_fragmentation_ratio": "gauge",
    "redis_connections_received_total": "counter",
    "redis_commands_processed_total": "counter",
    "redis_rejected_connections_total": "counter",
    "redis_net_input_bytes_total": "counter",
    "redis_net_output_bytes_total": "counter",
    "redis_expired_keys_total": "counter",
    "redis_evicted_keys_total": "counter",
    "redis_keyspace_hits_total": "counter",
    "redis_keyspace_misses_total": "counter",
    "redis_pubsub_channels": "gauge",
    "redis_pubsub_patterns": "gauge",
    "redis_errors_total": "counter",
    "redis_commands_total": "counter",
    "redis_commands_duration_seconds_total": "counter",
    "redis_commands_rejected_calls_total": "counter",
    "redis_commands_failed_calls_total": "counter",
    "redis_db_keys": "gauge",
    "redis_db_keys_expiring": "gauge",
    "redis_connected_slaves": "gauge",
    "redis_cpu_sys_seconds_total": "counter",
    "redis_cpu_user_seconds_total": "counter",
    "redis_slowlog_length": "gauge",
    "redis_cluster_enabled": "gauge",
    "sessionkv_expiry_delay_seconds": "histogram",
    "sessionkv_keys_created_total": "counter",
    "sessionkv_build_info": "gauge",
}


class MetricsCase(ServerTestCase):
    CONFIG = {"maxmemory": "1gb"}

    @classmethod
    def setUpClass(cls):
        cls.CONFIG = dict(cls.CONFIG, **{"metrics-port": str(free_port())})
        super().setUpClass()

    def scrape(self):
        status, headers, body = self.server.http("/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers)
        return prom.parse(body)


@sessionkv_only
class TestMetricsFormat(MetricsCase):
    def test_exporter_names_and_types(self):
        self.r.set("k", "v")  # so that commands and keyspace families have samples
        families = self.scrape()
        for name, kind in EXPORTER_TYPES.items():
            self.assertIn(name, families, name)
            self.assertEqual(families[name].type, kind, name)
        for name, fam in families.items():
            # Prometheus's naming rule, which redis_exporter follows: counters end in _total.
            if fam.type == "counter":
                self.assertTrue(name.endswith("_total"), name)
            self.assertTrue(fam.help, name)

    def test_nothing_for_subsystems_that_do_not_exist(self):
        families = self.scrape()
        # A primary without replicas: connected_slaves 0 and no replica-side families (as the exporter);
        # persistence families only with appendonly yes (TestPersistenceMetrics).
        self.assertEqual(families["redis_connected_slaves"].value(), 0)
        for absent in ("redis_master_link_up", "redis_connected_slave_lag_seconds"):
            self.assertNotIn(absent, families)

    def test_instance_info_labels(self):
        info = self.r.info("server")
        fam = self.scrape()["redis_instance_info"]
        self.assertEqual(len(fam.samples), 1)
        _, labels, value = fam.samples[0]
        self.assertEqual(value, 1)
        self.assertEqual(labels["role"], "master")
        self.assertEqual(labels["redis_version"], info["redis_version"])
        self.assertEqual(labels["redis_mode"], "standalone")
        self.assertEqual(labels["tcp_port"], str(self.server.port))
        self.assertEqual(labels["run_id"], info["run_id"])
        self.assertEqual(labels["process_id"], str(info["process_id"]))
        self.assertEqual(labels["os"], info["os"])
        self.assertEqual(labels["maxmemory_policy"], "noeviction")
        self.assertEqual(set(labels), {"role", "redis_version", "redis_build_id", "redis_mode", "os",
                                       "maxmemory_policy", "tcp_port", "run_id", "process_id", "master_replid"})


@sessionkv_only
class TestPersistenceMetrics(MetricsCase):
    """appendonly yes registers the engine's families: redis_exporter's persistence names and the commit
    pipeline's (docs/persistence.md)."""
    CONFIG = {"appendonly": "yes", "appendfsync": "always"}

    def test_commit_pipeline_and_wal_sync_latency(self):
        for i in range(20):
            self.r.set("k%d" % i, "v")  # under always every reply waits for a WAL fsync
        families = self.scrape()
        self.assertEqual(families["redis_loading_dump_file"].value(), 0)
        self.assertEqual(families["redis_aof_enabled"].value(), 1)
        self.assertEqual(families["redis_aof_last_write_status"].value(), 1)
        self.assertAlmostEqual(families["redis_rdb_last_save_timestamp_seconds"].value(),
                               self.r.lastsave().timestamp(), delta=1)
        self.assertEqual(families["sessionkv_commit_queue_depth"].type, "gauge")
        self.assertEqual(families["sessionkv_commit_queue_depth"].value(), 0)  # every reply came: written
        self.assertGreaterEqual(families["sessionkv_commit_groups_total"].value(), 20)
        self.assertEqual(families["sessionkv_commit_failed_writes_total"].value(), 0)
        sync = families["sessionkv_wal_sync_duration_seconds"]
        self.assertEqual(sync.type, "histogram")
        samples = {name: value for name, labels, value in sync.samples if "le" not in labels}
        self.assertGreaterEqual(samples["sessionkv_wal_sync_duration_seconds_count"], 20)
        self.assertGreater(samples["sessionkv_wal_sync_duration_seconds_sum"], 0)


@sessionkv_only
class TestMemoryOnlyMetrics(MetricsCase):
    CONFIG = {"appendonly": "no"}

    def test_no_persistence_families(self):
        families = self.scrape()
        for absent in ("redis_loading_dump_file", "redis_rdb_last_save_timestamp_seconds",
                       "sessionkv_commit_queue_depth", "sessionkv_wal_sync_duration_seconds"):
            self.assertNotIn(absent, families)


@sessionkv_only
class TestMetricsValues(MetricsCase):
    def test_commands_keyspace_and_errors_follow_known_commands(self):
        self.r.config_resetstat()
        self.r.set("a", "1")
        self.r.set("b", "2", px=600000)
        self.r.get("a")
        self.r.get("missing")
        self.r.hset("h", "f", "v")
        with self.assertRaises(redis.exceptions.ResponseError):
            self.r.incr("h")  # INCRBY h 1: WRONGTYPE
        with self.assertRaises(redis.exceptions.ResponseError):
            self.r.execute_command("GET")  # arity: rejected, ERR
        self.r.select(3)
        self.r.set("in3", "x")
        self.r.select(0)
        f = self.scrape()
        calls = f["redis_commands_total"]
        self.assertEqual(calls.value(cmd="set"), 3)
        self.assertEqual(calls.value(cmd="get"), 2)
        self.assertEqual(calls.value(cmd="hset"), 1)
        self.assertEqual(calls.value(cmd="config|resetstat"), 1)
        self.assertEqual(f["redis_commands_rejected_calls_total"].value(cmd="get"), 1)
        self.assertEqual(f["redis_commands_failed_calls_total"].value(cmd="incrby"), 1)
        self.assertGreaterEqual(f["redis_commands_duration_seconds_total"].value(cmd="set"), 0)
        self.assertIsNone(calls.value(cmd="lpush"))  # never called: no sample, as INFO commandstats
        self.assertEqual(f["redis_keyspace_hits_total"].value(), 1)
        self.assertEqual(f["redis_keyspace_misses_total"].value(), 1)
        self.assertEqual(f["redis_errors_total"].value(err="WRONGTYPE"), 1)
        self.assertEqual(f["redis_errors_total"].value(err="ERR"), 1)
        keys, expiring = f["redis_db_keys"], f["redis_db_keys_expiring"]
        self.assertEqual(keys.value(db="db0"), 3)
        self.assertEqual(expiring.value(db="db0"), 1)
        self.assertEqual(keys.value(db="db3"), 1)
        self.assertEqual(keys.value(db="db15"), 0)  # every database, empty ones too
        self.assertEqual(len(keys.samples), 16)
        self.assertEqual(f["sessionkv_keys_created_total"].value(), 4)
        # The same counters INFO prints.
        info = self.r.info("all")
        self.assertEqual(f["redis_memory_max_bytes"].value(), 1024 ** 3)
        self.assertEqual(f["redis_config_maxmemory"].value(), 1024 ** 3)
        self.assertEqual(f["redis_config_maxclients"].value(), info["maxclients"])
        self.assertEqual(f["redis_connected_clients"].value(), info["connected_clients"])
        self.assertLessEqual(f["redis_commands_processed_total"].value(), info["total_commands_processed"])
        self.assertGreater(f["redis_memory_used_bytes"].value(), 0)
        self.assertEqual(f["redis_up"].value(), 1)
        self.assertLessEqual(abs(f["redis_uptime_in_seconds"].value() - info["uptime_in_seconds"]), 1)
        self.assertEqual(f["redis_process_id"].value(), info["process_id"])

    def test_keys_deleted_and_flushed_leave_the_counts(self):
        for i in range(50):
            self.r.set("k%d" % i, "v", ex=1000 if i % 2 else None)
        f = self.scrape()
        self.assertEqual(f["redis_db_keys"].value(db="db0"), 50)
        self.assertEqual(f["redis_db_keys_expiring"].value(db="db0"), 25)
        self.r.delete(*["k%d" % i for i in range(10)])
        self.r.persist("k11")
        f = self.scrape()
        self.assertEqual(f["redis_db_keys"].value(db="db0"), 40)
        self.assertEqual(f["redis_db_keys_expiring"].value(db="db0"), 19)
        self.r.swapdb(0, 1)
        f = self.scrape()
        self.assertEqual(f["redis_db_keys"].value(db="db0"), 0)
        self.assertEqual(f["redis_db_keys"].value(db="db1"), 40)
        self.r.flushall()
        f = self.scrape()
        self.assertEqual(f["redis_db_keys"].value(db="db1"), 0)
        self.assertEqual(f["redis_db_keys_expiring"].value(db="db1"), 0)

    def test_expiry_delay_histogram_counts_timer_deletions(self):
        before = self.scrape()["sessionkv_expiry_delay_seconds"]
        count_before = before.samples[-1][2] if before.samples else 0
        for i in range(20):
            self.r.set("short%d" % i, "v", px=50)
        deadline = time.time() + 10
        while self.r.dbsize() and time.time() < deadline:
            time.sleep(0.02)
        self.assertEqual(self.r.dbsize(), 0)
        fam = self.scrape()["sessionkv_expiry_delay_seconds"]
        count = [v for n, l, v in fam.samples if n.endswith("_count")][0]
        total = [v for n, l, v in fam.samples if n.endswith("_sum")][0]
        buckets = [(float(l["le"]), v) for n, l, v in fam.samples if n.endswith("_bucket")]
        self.assertEqual(count - count_before, 20)
        self.assertEqual(buckets[-1], (float("inf"), count))
        self.assertEqual([b[1] for b in buckets], sorted(b[1] for b in buckets))  # cumulative
        self.assertGreater(total, 0)
        self.assertLess(total / count, 1.0)  # the timer deletes within milliseconds, not seconds
        self.assertEqual(self.scrape()["redis_expired_keys_total"].value(), self.r.info()["expired_keys"])

    def test_pubsub_gauges(self):
        p = self.r.pubsub()
        p.subscribe("a", "b")
        p.psubscribe("x*")
        time.sleep(0.05)
        f = self.scrape()
        self.assertEqual(f["redis_pubsub_channels"].value(), 2)
        self.assertEqual(f["redis_pubsub_patterns"].value(), 1)
        p.close()

    def test_scrapes_while_clients_work(self):
        """Scrapes run beside a client load without errors and without stopping it."""
        stop = threading.Event()
        done = [0]

        def load():
            c = self.server.client()
            while not stop.is_set():
                c.incr("n")
                done[0] += 1
            c.close()

        t = threading.Thread(target=load)
        t.start()
        try:
            for _ in range(20):
                self.scrape()
        finally:
            stop.set()
            t.join()
        self.assertGreater(done[0], 0)
        self.assertEqual(int(self.r.get("n")), done[0])


@sessionkv_only
class TestHealth(MetricsCase):
    def test_healthz_and_readyz(self):
        self.assertEqual(self.server.http("/healthz")[::2], (200, "ok\n"))
        self.assertEqual(self.server.http("/readyz")[::2], (200, "ready\n"))
        status, headers, body = self.server.http("/readyz", method="HEAD")
        self.assertEqual((status, body), (200, ""))
        self.assertEqual(headers["Content-Length"], "6")

    def test_unknown_path_is_404(self):
        self.assertEqual(self.server.http("/nope")[0], 404)

    def test_keep_alive_serves_several_requests(self):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.server.metrics_port, timeout=10)
        for path in ("/healthz", "/metrics", "/readyz"):
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 200)
        conn.close()

    def test_start_up_log_names_the_endpoint(self):
        log = self.server.read_log()
        self.assertIn("Metrics and health endpoint: http://127.0.0.1:%d (/metrics /healthz /readyz)"
                      % self.server.metrics_port, log)


@sessionkv_only
class TestEndpointConfig(unittest.TestCase):
    def test_port_zero_disables_the_endpoint(self):
        s = Server()  # the fixture's default: metrics-port 0
        try:
            self.assertIn("Metrics and health endpoint disabled (metrics-port 0)", s.read_log())
            self.assertEqual(s.client().config_get("metrics-port"), {"metrics-port": "0"})
        finally:
            s.stop()

    def test_metrics_bind_is_its_own(self):
        port = free_port()
        s = Server({"metrics-port": str(port), "metrics-bind": "127.0.0.2"})
        try:
            with socket.create_connection(("127.0.0.2", port), timeout=5):
                pass
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
            self.assertEqual(s.client().config_get("metrics-bind"), {"metrics-bind": "127.0.0.2"})
        finally:
            s.stop()

    def test_port_in_use_is_fatal(self):
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        try:
            with self.assertRaises(RuntimeError) as cm:
                Server({"metrics-port": str(port)})
            self.assertIn("Failed listening on port %d (metrics), aborting" % port, str(cm.exception))
        finally:
            holder.close()

    def test_metrics_port_is_immutable(self):
        s = Server()
        try:
            with self.assertRaises(redis.exceptions.ResponseError) as cm:
                s.client().config_set("metrics-port", "9999")
            self.assertIn("can't set immutable config", str(cm.exception))
        finally:
            s.stop()


if __name__ == "__main__":
    main()

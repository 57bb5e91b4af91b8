# SPDX-License-Identifier: Apache-2.0
"""deploy/grafana: the dashboard parses, its panels have unique ids and valid grid positions, and every
metric it queries is in the real server's /metrics, except the replication metrics a standalone server
does not have and those a later issue registers (each listed here and named in server/metrics.h, where
those subsystems find what to export)."""
import json
import os
import re
import sys
import unittest
import urllib.request

from deploy_support import DEPLOY, ROOT, RunningServer

sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from support import prom  # noqa: E402

DASHBOARD = os.path.join(DEPLOY, "grafana", "sessionkv-sessions.json")
# Queried by the replication panels; exported once their subsystems exist.
PENDING = {
    "sessionkv_replication_lag_seconds": "issue 5 (replication lag in ms, LagTracker)",
}
# Exported only where INFO replication has the field the exporter maps (tests/integration/
# test_replication_ops.py checks them on a real pair): not on the standalone server this test runs.
REPLICATION_ONLY = {
    "redis_master_link_up": "a replica (master_link_status)",
    "redis_connected_slave_lag_seconds": "a primary with replicas (slaveN: lines)",
}
METRIC = re.compile(r"\b((?:redis|sessionkv)_[a-z0-9_]+)\b")


def queried_metrics(dash):
    names = set()
    for panel in dash["panels"]:
        for target in panel.get("targets", []):
            for name in METRIC.findall(target["expr"]):
                # A histogram's series are <name>_bucket, _sum and _count.
                names.add(re.sub(r"_(bucket|sum|count)$", "", name))
    for var in dash["templating"]["list"]:
        if var["type"] == "query":
            names.update(METRIC.findall(var["definition"]))
    return names


class TestDashboard(unittest.TestCase):
    def setUp(self):
        with open(DASHBOARD) as f:
            self.dash = json.load(f)

    def test_structure(self):
        ids = [p["id"] for p in self.dash["panels"]]
        self.assertEqual(len(ids), len(set(ids)))
        for p in self.dash["panels"]:
            g = p["gridPos"]
            self.assertLessEqual(g["x"] + g["w"], 24, p["title"])
            if p["type"] != "row":
                self.assertTrue(p["targets"], p["title"])
                self.assertEqual(p["datasource"]["uid"], "${datasource}")
        self.assertEqual({v["name"] for v in self.dash["templating"]["list"]}, {"datasource", "instance"})
        titles = " ".join(p["title"] for p in self.dash["panels"])
        for topic in ("Sessions", "created and expired", "Expiry delay", "Commands", "Memory",
                      "Replication lag", "WAL sync"):
            self.assertIn(topic, titles)

    def test_every_metric_is_exported_or_pending(self):
        conf = _empty_conf()
        self.addCleanup(os.remove, conf)
        s = RunningServer(conf)
        try:
            s.cmd("SET", "k", "v")
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % s.metrics_port, timeout=10) as r:
                families = prom.parse(r.read().decode())
        finally:
            s.stop()
        queried = queried_metrics(self.dash)
        self.assertIn("sessionkv_expiry_delay_seconds", queried)
        later = set(PENDING) | set(REPLICATION_ONLY)
        missing = sorted(n for n in queried if n not in families and n not in later)
        self.assertEqual(missing, [])
        for name in PENDING:
            self.assertNotIn(name, families, "%s is exported now: drop it from PENDING" % name)
        for name in REPLICATION_ONLY:
            self.assertNotIn(name, families, "%s on a standalone server" % name)
        with open(os.path.join(ROOT, "server", "metrics.h")) as f:
            header = f.read()
        for name in PENDING:
            self.assertIn(name, header, "document %s in server/metrics.h" % name)


def _empty_conf():
    import tempfile
    fd, path = tempfile.mkstemp(suffix=".conf")
    os.close(fd)
    return path


if __name__ == "__main__":
    unittest.main(verbosity=2)

# SPDX-License-Identifier: Apache-2.0
"""deploy/helm/sessionkv rendered (helm is not in Debian 12: by tests/deploy/helm_render.py) and checked:
the kinds, the probes on the server's health endpoint, ports that match the server's defaults, the security
context, the password from a Secret, the optional ServiceMonitor and replica StatefulSet, and the generated
sessionkv.conf loaded by the real server."""
import os
import shutil
import tempfile
import unittest

from deploy_support import DEPLOY, RunningServer, server_default
from helm_render import RenderError, Renderer

CHART = os.path.join(DEPLOY, "helm", "sessionkv")
PW = {"auth": {"password": "s3cret"}}


def render(**overrides):
    values = {"auth": {"password": "s3cret"}}
    for k, v in overrides.items():
        values[k] = v
    return Renderer(CHART, values, release="web", namespace="shop").manifests()


def by_kind(docs, kind):
    return [d for d in docs if d["kind"] == kind]


def pod_spec(sts):
    return sts["spec"]["template"]["spec"]


def container(sts):
    (c,) = pod_spec(sts)["containers"]
    return c


class TestDefaults(unittest.TestCase):
    def setUp(self):
        self.docs = render()

    def test_kinds(self):
        kinds = sorted(d["kind"] for d in self.docs)
        self.assertEqual(kinds, ["ConfigMap", "PodDisruptionBudget", "Secret", "Service", "Service", "StatefulSet"])
        for d in self.docs:
            self.assertIn("apiVersion", d)
            self.assertEqual(d["metadata"]["labels"]["app.kubernetes.io/instance"], "web")

    def test_statefulset_has_a_volume_per_pod_and_the_headless_service(self):
        (sts,) = by_kind(self.docs, "StatefulSet")
        self.assertEqual(sts["metadata"]["name"], "web-sessionkv")
        self.assertEqual(sts["spec"]["replicas"], 1)
        (claim,) = sts["spec"]["volumeClaimTemplates"]
        self.assertEqual(claim["metadata"]["name"], "data")
        self.assertEqual(claim["spec"]["resources"]["requests"]["storage"], "8Gi")
        headless = [s for s in by_kind(self.docs, "Service") if s["spec"].get("clusterIP") == "None"]
        self.assertEqual([s["metadata"]["name"] for s in headless], [sts["spec"]["serviceName"]])
        mounts = {m["name"]: m["mountPath"] for m in container(sts)["volumeMounts"]}
        self.assertEqual(mounts, {"data": "/data", "config": "/etc/sessionkv", "tmp": "/tmp"})

    def test_ports_and_probes_match_the_server(self):
        (sts,) = by_kind(self.docs, "StatefulSet")
        c = container(sts)
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        self.assertEqual(ports, {"redis": int(server_default("port")), "metrics": int(server_default("metrics-port"))})
        for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            self.assertEqual(c[probe]["httpGet"], {"path": path, "port": "metrics"}, probe)
            self.assertGreater(c[probe]["timeoutSeconds"], 0)
        for svc in by_kind(self.docs, "Service"):
            for p in svc["spec"]["ports"]:
                self.assertIn(p["targetPort"], ports)  # named ports of the container
        annotations = sts["spec"]["template"]["metadata"]["annotations"]
        self.assertEqual(annotations["prometheus.io/port"], server_default("metrics-port"))

    def test_selectors_match_the_pods(self):
        (sts,) = by_kind(self.docs, "StatefulSet")
        labels = sts["spec"]["template"]["metadata"]["labels"]
        for sel in [sts["spec"]["selector"]["matchLabels"], by_kind(self.docs, "PodDisruptionBudget")[0]["spec"]["selector"]["matchLabels"]] + \
                [s["spec"]["selector"] for s in by_kind(self.docs, "Service")]:
            for k, v in sel.items():
                self.assertEqual(labels.get(k), v, k)

    def test_security_context_is_non_root_999_and_read_only(self):
        (sts,) = by_kind(self.docs, "StatefulSet")
        pod = pod_spec(sts)["securityContext"]
        self.assertEqual((pod["runAsUser"], pod["runAsGroup"], pod["fsGroup"]), (999, 999, 999))
        self.assertTrue(pod["runAsNonRoot"])
        sc = container(sts)["securityContext"]
        self.assertTrue(sc["readOnlyRootFilesystem"])
        self.assertFalse(sc["allowPrivilegeEscalation"])
        self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
        self.assertIn("limits", container(sts)["resources"])

    def test_password_comes_from_the_secret(self):
        (sts,) = by_kind(self.docs, "StatefulSet")
        (secret,) = by_kind(self.docs, "Secret")
        env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container(sts)["env"]}
        self.assertEqual(set(env), {"REDIS_PASSWORD", "REDISCLI_AUTH"})
        for ref in env.values():
            self.assertEqual(ref["name"], secret["metadata"]["name"])
            self.assertIn(ref["key"], secret["data"])
        import base64
        self.assertEqual(base64.b64decode(secret["data"]["redis-password"]).decode(), "s3cret")

    def test_graceful_shutdown_fits_the_grace_period(self):
        (sts,) = by_kind(self.docs, "StatefulSet")
        (cm,) = by_kind(self.docs, "ConfigMap")
        timeout = int([l for l in cm["data"]["common.conf"].splitlines() if l.startswith("shutdown-timeout")][0].split()[1])
        self.assertGreater(pod_spec(sts)["terminationGracePeriodSeconds"], timeout + 5)

    def test_pdb(self):
        (pdb,) = by_kind(self.docs, "PodDisruptionBudget")
        self.assertEqual(pdb["apiVersion"], "policy/v1")
        self.assertEqual(pdb["spec"]["maxUnavailable"], 1)


class TestOptions(unittest.TestCase):
    def test_service_monitor(self):
        docs = render(metrics={"serviceMonitor": {"enabled": True, "labels": {"release": "prom"}}})
        (sm,) = by_kind(docs, "ServiceMonitor")
        self.assertEqual(sm["apiVersion"], "monitoring.coreos.com/v1")
        self.assertEqual(sm["spec"]["endpoints"][0]["port"], "metrics")
        self.assertEqual(sm["spec"]["endpoints"][0]["path"], "/metrics")
        self.assertEqual(sm["metadata"]["labels"]["release"], "prom")

    def test_replica_statefulset_follows_the_primary_pod(self):
        docs = render(replica={"enabled": True, "replicaCount": 2})
        names = sorted(s["metadata"]["name"] for s in by_kind(docs, "StatefulSet"))
        self.assertEqual(names, ["web-sessionkv", "web-sessionkv-replica"])
        replica = [s for s in by_kind(docs, "StatefulSet") if s["metadata"]["name"].endswith("-replica")][0]
        self.assertEqual(replica["spec"]["replicas"], 2)
        self.assertEqual(container(replica)["args"], ["/etc/sessionkv/replica.conf"])
        (cm,) = by_kind(docs, "ConfigMap")
        self.assertIn("replicaof web-sessionkv-0.web-sessionkv-headless.shop.svc.cluster.local 6379",
                      cm["data"]["replica.conf"])
        self.assertIn("web-sessionkv-replicas", [s["metadata"]["name"] for s in by_kind(docs, "Service")])

    def test_auth_off_and_existing_secret(self):
        docs = render(auth={"enabled": False})
        self.assertEqual(by_kind(docs, "Secret"), [])
        self.assertNotIn("env", container(by_kind(docs, "StatefulSet")[0]))
        docs = render(auth={"existingSecret": "mine", "password": ""})
        self.assertEqual(by_kind(docs, "Secret"), [])
        env = container(by_kind(docs, "StatefulSet")[0])["env"]
        self.assertEqual({e["valueFrom"]["secretKeyRef"]["name"] for e in env}, {"mine"})

    def test_auth_without_a_password_fails(self):
        with self.assertRaises(RenderError):
            Renderer(CHART, {}).manifests()


class TestGeneratedConfig(unittest.TestCase):
    def test_the_server_loads_the_config_map(self):
        (cm,) = by_kind(render(), "ConfigMap")
        tmp = tempfile.mkdtemp()
        try:
            for name, text in cm["data"].items():
                with open(os.path.join(tmp, name), "w") as f:
                    # The pod's paths, moved here: the config volume and the data volume (which must exist).
                    f.write(text.replace("/etc/sessionkv/", tmp + "/").replace("dir /data", "dir " + tmp))
            self.assertIn("dir /data", cm["data"]["common.conf"])  # the data volume's mount
            with RunningServer(os.path.join(tmp, "primary.conf"), extra=["--requirepass", "s3cret"]) as s:
                self.assertEqual(s.cmd("PING", password="s3cret"), "PONG")
                self.assertIn("unknown command", s.cmd("FLUSHALL", password="s3cret"))  # disableCommands
                self.assertEqual(s.readyz_status(), 200)
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    unittest.main(verbosity=2)

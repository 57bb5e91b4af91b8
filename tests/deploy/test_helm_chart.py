# SPDX-License-Identifier: Apache-2.0
"""deploy/helm/sessionkv rendered (helm is not in Debian 12: by tests/deploy/helm_render.py) and checked:
the kinds, the probes on the server's health endpoint, ports that match the server's defaults, the security
context, the password from a Secret, the optional ServiceMonitor and replica StatefulSet, the optional TLS port
with its Secret, and the generated sessionkv.conf (with and without TLS) loaded by the real server."""
import os
import shutil
import subprocess
import tempfile
import unittest

from deploy_support import DEPLOY, RunningServer, free_port, server_default
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


class TestTls(unittest.TestCase):
    TLS = {"enabled": True, "existingSecret": "web-tls"}

    def test_off_by_default(self):
        docs = render()
        (cm,) = by_kind(docs, "ConfigMap")
        self.assertNotIn("tls-", cm["data"]["common.conf"])
        self.assertNotIn("redis-tls", [p["name"] for p in container(by_kind(docs, "StatefulSet")[0])["ports"]])

    def test_tls_port_beside_the_plain_one_with_the_secret_mounted(self):
        docs = render(tls=self.TLS)
        (cm,) = by_kind(docs, "ConfigMap")
        conf = cm["data"]["common.conf"].splitlines()
        for line in ("port 6379", "tls-port 6380", "tls-cert-file /etc/sessionkv-tls/tls.crt",
                     "tls-key-file /etc/sessionkv-tls/tls.key", "tls-ca-cert-file /etc/sessionkv-tls/ca.crt",
                     "tls-auth-clients yes"):
            self.assertIn(line, conf)
        (sts,) = by_kind(docs, "StatefulSet")
        c = container(sts)
        self.assertEqual({p["name"]: p["containerPort"] for p in c["ports"]},
                         {"redis": 6379, "redis-tls": 6380, "metrics": 9121})
        self.assertIn({"name": "tls", "mountPath": "/etc/sessionkv-tls", "readOnly": True}, c["volumeMounts"])
        self.assertIn({"name": "tls", "secret": {"secretName": "web-tls", "defaultMode": 0o440}},
                      pod_spec(sts)["volumes"])
        for svc in by_kind(docs, "Service"):
            self.assertIn({"name": "redis-tls", "port": 6380, "targetPort": "redis-tls"}, svc["spec"]["ports"])

    def test_tls_only_and_optional_client_certificates(self):
        docs = render(tls=dict(self.TLS, plainPort=False, authClients="optional", port=7000))
        (cm,) = by_kind(docs, "ConfigMap")
        conf = cm["data"]["common.conf"].splitlines()
        self.assertIn("port 0", conf)
        self.assertIn("tls-port 7000", conf)
        self.assertIn("tls-auth-clients optional", conf)
        (sts,) = by_kind(docs, "StatefulSet")
        self.assertEqual([p["name"] for p in container(sts)["ports"]], ["redis-tls", "metrics"])
        for svc in by_kind(docs, "Service"):
            self.assertEqual([p["name"] for p in svc["spec"]["ports"]], ["redis-tls", "metrics"])

    def test_needs_a_secret_and_a_plain_port_for_replicas(self):
        with self.assertRaises(RenderError):
            render(tls={"enabled": True})
        with self.assertRaises(RenderError):
            render(tls=dict(self.TLS, plainPort=False), replica={"enabled": True})

    @unittest.skipIf(shutil.which("openssl") is None, "the openssl CLI makes the test certificate")
    def test_the_server_loads_the_tls_config(self):
        (cm,) = by_kind(render(tls=self.TLS), "ConfigMap")
        tmp = tempfile.mkdtemp()
        try:
            tls_dir = os.path.join(tmp, "tls")
            os.mkdir(tls_dir)
            # A self-signed certificate serves as the server's and as its own CA, as cert-manager's ca.crt.
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-subj", "/CN=localhost", "-keyout", os.path.join(tls_dir, "tls.key"),
                            "-out", os.path.join(tls_dir, "tls.crt")], check=True, capture_output=True)
            shutil.copy(os.path.join(tls_dir, "tls.crt"), os.path.join(tls_dir, "ca.crt"))
            for name, text in cm["data"].items():
                with open(os.path.join(tmp, name), "w") as f:
                    f.write(text.replace("/etc/sessionkv-tls/", tls_dir + "/").replace("/etc/sessionkv/", tmp + "/")
                            .replace("dir /data", "dir " + tmp))
            tls_port = free_port()
            with RunningServer(os.path.join(tmp, "primary.conf"), extra=["--tls-port", str(tls_port)]) as s:
                files = [os.path.join(tls_dir, f) for f in ("ca.crt", "tls.crt", "tls.key")]
                out = subprocess.run(["redis-cli", "-p", str(tls_port), "--tls", "--cacert", files[0],
                                      "--cert", files[1], "--key", files[2], "PING"],
                                     capture_output=True, text=True, timeout=20).stdout.strip()
                self.assertEqual(out, "PONG")
                self.assertEqual(s.cmd("PING"), "PONG")
        finally:
            shutil.rmtree(tmp)


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

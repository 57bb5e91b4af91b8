# SPDX-License-Identifier: Apache-2.0
"""deploy/systemd: the unit names the binary and config paths the install steps and the Dockerfile use,
stops with SIGTERM within a timeout longer than the server's shutdown-timeout, writes only to the state
directory the config's dir names; the DR replica's sessionkv.conf loads in the real server."""
import configparser
import os
import shutil
import subprocess
import tempfile
import unittest

from deploy_support import DEPLOY, conf_directives, serve_shipped_config

SYSTEMD = os.path.join(DEPLOY, "systemd")


def unit():
    p = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    p.optionxform = str
    p.read(os.path.join(SYSTEMD, "sessionkv.service"))
    return p


def seconds(text):
    return int(text.rstrip("s"))


class TestUnit(unittest.TestCase):
    def test_exec_start_names_the_binary_and_config(self):
        svc = unit()["Service"]
        binary, conf = svc["ExecStart"].split()
        self.assertEqual(binary, "/usr/local/bin/sessionkv-server")
        self.assertEqual(conf, "/etc/sessionkv/sessionkv.conf")
        with open(os.path.join(SYSTEMD, "sessionkv.service")) as f:
            text = f.read()
        self.assertIn("install -m 0755 sessionkv-server %s" % binary, text)
        self.assertIn("install -m 0640 -o root -g sessionkv sessionkv.conf %s" % conf, text)
        with open(os.path.join(DEPLOY, "docker", "Dockerfile")) as f:
            self.assertIn(binary, f.read())  # one install path for the image and the VM

    def test_stop_is_graceful_and_bounded(self):
        svc = unit()["Service"]
        self.assertEqual(svc["KillSignal"], "SIGTERM")
        conf = conf_directives(os.path.join(SYSTEMD, "sessionkv.conf"))
        self.assertGreater(seconds(svc["TimeoutStopSec"]), int(conf["shutdown-timeout"][0]) + 10)
        self.assertEqual(svc["Restart"], "on-failure")
        self.assertEqual(svc["Type"], "exec")  # sessionkv stays in the foreground (no daemonize)

    def test_writes_only_where_the_data_lives(self):
        svc = unit()["Service"]
        conf = conf_directives(os.path.join(SYSTEMD, "sessionkv.conf"))
        data_dir = conf["dir"][0]
        self.assertEqual(data_dir, "/var/lib/" + svc["StateDirectory"])
        self.assertEqual(svc["WorkingDirectory"], data_dir)
        self.assertEqual(svc["ProtectSystem"], "strict")
        self.assertEqual(svc["ReadWritePaths"], data_dir)
        self.assertEqual(conf["logfile"], ['""'])  # stdout: the journal
        self.assertEqual(svc["User"], "sessionkv")

    @unittest.skipIf(shutil.which("systemd-analyze") is None, "systemd-analyze is not installed")
    def test_systemd_analyze_verify(self):
        tmp = tempfile.mkdtemp()
        try:
            shutil.copy(os.path.join(SYSTEMD, "sessionkv.service"), tmp)
            p = subprocess.run(["systemd-analyze", "verify", os.path.join(tmp, "sessionkv.service")],
                               capture_output=True, text=True)
            # The binary and user do not exist on the test machine; anything else is a unit error.
            errors = [l for l in p.stderr.splitlines()
                      if l.strip() and "sessionkv-server" not in l and "user" not in l.lower()]
            self.assertEqual(errors, [])
        finally:
            shutil.rmtree(tmp)


class TestReplicaConfig(unittest.TestCase):
    def test_config_loads_and_serves_health(self):
        conf = os.path.join(SYSTEMD, "sessionkv.conf")
        with serve_shipped_config(conf, "/var/lib/sessionkv") as s:
            self.assertEqual(s.cmd("PING", password="change-me"), "PONG")
            self.assertIn("NOAUTH", s.cmd("PING"))
            self.assertEqual(s.readyz_status(), 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)

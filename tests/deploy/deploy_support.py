# SPDX-License-Identifier: Apache-2.0
"""Shared by the deploy/ tests: paths, the server's defaults read from its source, and starting the real
binary with a configuration file shipped in deploy/ (the addresses and dir overridden so it runs here)."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from support.server import SERVER_BIN, free_port  # noqa: E402


def server_default(directive):
    """The default of `directive` as declared in server/config_params.cc (the one table of directives)."""
    with open(os.path.join(ROOT, "server", "config_params.cc")) as f:
        src = f.read()
    m = re.search(r'\.name = "%s",[^}]*?\.default_value = "([^"]*)"' % re.escape(directive), src)
    if not m:
        raise AssertionError("no default for " + directive)
    return m.group(1)


def conf_directives(path):
    """{directive: [args...]} of a redis.conf-style file (last line wins; comments and blanks skipped)."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                word, _, rest = line.partition(" ")
                out.setdefault(word.lower(), []).append(rest.strip())
    return out


def serve_shipped_config(conf, old_dir, extra=()):
    """A RunningServer on a copy of the shipped config `conf` whose `dir <old_dir>` points at a temp dir
    (the data dir must exist); the copy goes when the server stops."""
    tmp = tempfile.mkdtemp(prefix="sessionkv-conf-")
    local = os.path.join(tmp, os.path.basename(conf))
    with open(conf) as f, open(local, "w") as out:
        out.write(f.read().replace("dir " + old_dir, "dir " + tmp))
    server = RunningServer(local, extra)
    server.cleanup_dirs.append(tmp)
    return server


class RunningServer:
    """The real binary started as `sessionkv-server <conf> --port P --bind 127.0.0.1 --dir D --metrics-port M
    --metrics-bind 127.0.0.1`: the file must load, then the overrides keep the test on loopback."""

    def __init__(self, conf_path, extra=()):
        self.port, self.metrics_port = free_port(), free_port()
        self.cleanup_dirs = []  # removed with the server's own dir at stop
        self.dir = tempfile.mkdtemp(prefix="sessionkv-deploy-")
        self.log_path = os.path.join(self.dir, "server.log")
        self.log = open(self.log_path, "ab")
        args = [SERVER_BIN, conf_path, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                "--metrics-port", str(self.metrics_port), "--metrics-bind", "127.0.0.1"] + list(extra)
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s:\n%s" % (self.proc.returncode, self.read_log()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith((b"+PONG", b"-NOAUTH")):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server not ready:\n" + self.read_log())

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def cmd(self, *args, password=None):
        """One command through redis-cli; its stdout. With requirepass the start-up probe counts -NOAUTH as
        ready, which comes before -LOADING: a command that meets the load in progress is sent again."""
        cli = ["redis-cli", "-p", str(self.port)] + (["-a", password, "--no-auth-warning"] if password else [])
        deadline = time.time() + 20
        while True:
            out = subprocess.run(cli + list(args), capture_output=True, text=True, timeout=20).stdout.strip()
            if not out.startswith("LOADING") or time.time() > deadline:
                return out
            time.sleep(0.05)

    def readyz_status(self):
        """The HTTP status /readyz answers."""
        import urllib.error
        import urllib.request
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % self.metrics_port, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.log.close()
        for d in [self.dir] + self.cleanup_dirs:
            shutil.rmtree(d, ignore_errors=True)

# SPDX-License-Identifier: Apache-2.0
"""Node.js clients against the real server: ioredis 5 and connect-redis 7 (Express's session store),
driven by node/clients.test.cjs with `node --test`.

The npm packages (pinned by node/package-lock.json) are installed once into a cache directory outside the
source tree ($SESSIONKV_NODE_CACHE, default ~/.cache/sessionkv/node-<lock hash>). Without node, or when
the npm registry cannot be reached, the test is skipped with the reason.
"""
import hashlib
import os
import shutil
import subprocess
import unittest

from support.server import Server, main

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_DIR = os.path.join(HERE, "node")


def node_modules():
    """The node_modules directory with the locked packages, installing them on first use; or a skip."""
    if not shutil.which("node") or not shutil.which("npm"):
        raise unittest.SkipTest("node and npm are not installed (scripts/deps.sh installs them)")
    with open(os.path.join(NODE_DIR, "package-lock.json"), "rb") as f:
        lock_hash = hashlib.sha256(f.read()).hexdigest()[:16]
    cache = os.environ.get("SESSIONKV_NODE_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "sessionkv", "node-" + lock_hash)
    modules = os.path.join(cache, "node_modules")
    if os.path.isfile(os.path.join(cache, ".installed")):
        return modules
    os.makedirs(cache, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(os.path.join(NODE_DIR, name), cache)
    p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=cache,
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise unittest.SkipTest("npm ci failed (is the npm registry reachable?): " + p.stderr[-500:])
    open(os.path.join(cache, ".installed"), "w").close()
    return modules


class TestNodeClients(unittest.TestCase):
    def test_ioredis_and_connect_redis(self):
        modules = node_modules()
        server = Server()
        try:
            env = dict(os.environ, SESSIONKV_PORT=str(server.port), NODE_PATH=modules)
            p = subprocess.run(["node", "--test", os.path.join(NODE_DIR, "clients.test.cjs")], env=env,
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stdout[-6000:] + p.stderr[-3000:])
            self.assertRegex(p.stdout, r"# pass [1-9]")
            self.assertRegex(p.stdout, r"# fail 0")
        finally:
            server.stop()


if __name__ == "__main__":
    main()

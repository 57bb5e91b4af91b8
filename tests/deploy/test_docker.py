# SPDX-License-Identifier: Apache-2.0
"""deploy/docker: the Dockerfile read and checked (docker cannot run here) for the base, user, volume,
ports, the paths it copies and the ones its CMD and ENTRYPOINT name, and runtime packages that cover the
binary's shared libraries; the image's sessionkv.conf loaded by the real server; and docker-entrypoint.sh
run by sh with stub commands (gosu, id, find, sessionkv-server) for each way the image is started."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from deploy_support import DEPLOY, ROOT, SERVER_BIN, conf_directives, serve_shipped_config, server_default

DOCKER = os.path.join(DEPLOY, "docker")
ENTRYPOINT = os.path.join(DOCKER, "docker-entrypoint.sh")


def dockerfile():
    """[(instruction, argument text)] of the Dockerfile, continuation lines joined."""
    with open(os.path.join(DOCKER, "Dockerfile")) as f:
        text = re.sub(r"\\\n", " ", f.read())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def final_stage():
    ins = dockerfile()
    last_from = max(i for i, (w, _) in enumerate(ins) if w == "FROM")
    return ins[last_from:]


class TestDockerfile(unittest.TestCase):
    def test_both_stages_are_debian_12(self):
        froms = [a for w, a in dockerfile() if w == "FROM"]
        self.assertEqual(len(froms), 2)
        for f in froms:
            self.assertTrue(f.startswith("debian:bookworm"), f)

    def test_shape_of_the_official_redis_image(self):
        stage = final_stage()
        args = {w: a for w, a in stage}
        self.assertEqual(args["VOLUME"], "/data")
        self.assertEqual(args["WORKDIR"], "/data")
        self.assertIn(server_default("port"), args["EXPOSE"].split())
        self.assertIn(server_default("metrics-port"), args["EXPOSE"].split())
        self.assertEqual(args["ENTRYPOINT"], '["docker-entrypoint.sh"]')
        runs = " ".join(a for w, a in stage if w == "RUN")
        self.assertIn("groupadd -r -g 999 sessionkv", runs)
        self.assertIn("useradd -r -g sessionkv -u 999", runs)
        self.assertNotIn("USER", args)  # the entrypoint drops root itself (gosu), as Redis's image

    def test_copied_paths_exist_and_cmd_names_them(self):
        stage = final_stage()
        copies = {}
        for w, a in stage:
            if w == "COPY":
                parts = a.split()
                src, dst = parts[-2], parts[-1]
                if not parts[0].startswith("--from"):
                    self.assertTrue(os.path.exists(os.path.join(ROOT, src)), src)
                copies[dst] = src
        self.assertEqual(copies["/usr/local/bin/docker-entrypoint.sh"], "deploy/docker/docker-entrypoint.sh")
        self.assertEqual(copies["/usr/local/bin/sessionkv-server"], "/build/bin/sessionkv-server")
        cmd = dict(stage)["CMD"]
        self.assertEqual(cmd, '["sessionkv-server", "/usr/local/etc/sessionkv/sessionkv.conf"]')
        self.assertEqual(copies["/usr/local/etc/sessionkv/sessionkv.conf"], "deploy/docker/sessionkv.conf")
        with open(ENTRYPOINT) as f:
            self.assertIn("default_conf=/usr/local/etc/sessionkv/sessionkv.conf", f.read())
        self.assertTrue(os.access(ENTRYPOINT, os.X_OK))
        with open(os.path.join(ROOT, ".dockerignore")) as f:
            self.assertIn("build*/", f.read().split())  # COPY . . must not bring build outputs
        # The build stage builds the target whose output the final stage copies.
        build_runs = " ".join(a for w, a in dockerfile()[:dockerfile().index(stage[0])] if w == "RUN")
        self.assertIn("--target sessionkv-server", build_runs)

    def test_runtime_packages_cover_the_binary(self):
        """Every shared library the built binary loads comes from a package the final stage installs (or
        from the base image's libc). Fails when a new dependency (RocksDB...) is linked and not added."""
        runs = " ".join(a for w, a in final_stage() if w == "RUN")
        ldd = subprocess.run(["ldd", SERVER_BIN], capture_output=True, text=True, check=True).stdout
        libs = [l.split("=>")[1].split()[0] for l in ldd.splitlines() if "=>" in l and "/" in l.split("=>")[1]]
        self.assertTrue(libs)
        # One dpkg -S for every library (each call reads the whole package database). Merged /usr: a
        # library may be registered under /lib or /usr/lib.
        candidates = {}
        for lib in libs:
            real = os.path.realpath(lib)
            for path in (real, real.replace("/usr/lib/", "/lib/"), lib, lib.replace("/usr/lib/", "/lib/")):
                candidates.setdefault(path, lib)
        p = subprocess.run(["dpkg", "-S"] + sorted(candidates), capture_output=True, text=True)
        owners = {}
        for line in p.stdout.splitlines():
            pkg, _, path = line.partition(": ")
            owners.setdefault(candidates.get(path.strip()), pkg.split(":")[0])
        for lib in libs:
            owner = owners.get(lib)
            self.assertIsNotNone(owner, lib)
            if owner in ("libc6", "libgcc-s1"):  # in debian:bookworm-slim
                continue
            if "asan" in owner or "ubsan" in owner:
                continue  # a sanitizer build's runtime, not the release image's
            self.assertRegex(runs, r"\b%s\b" % re.escape(owner), "%s (from %s) is not installed" % (owner, lib))

    def test_image_config_loads(self):
        conf = os.path.join(DOCKER, "sessionkv.conf")
        d = conf_directives(conf)
        self.assertEqual(d["dir"], ["/data"])
        self.assertEqual(d["logfile"], ['""'])
        self.assertEqual(d["port"], [server_default("port")])
        with serve_shipped_config(conf, "/data") as s:
            self.assertEqual(s.cmd("PING"), "PONG")
            self.assertEqual(s.cmd("CONFIG", "GET", "protected-mode").split(), ["protected-mode", "no"])


STUBS = {
    # Each stub prints what it was asked, so the test sees the final command line.
    "sessionkv-server": 'echo "exec sessionkv-server $* umask=$(umask) uid=${FAKE_UID}"',
    "gosu": 'echo "gosu $1"; user="$1"; shift; FAKE_UID=999 exec "$@"',
    "id": 'echo "${FAKE_UID:-999}"',
    "find": 'echo "find $*"',
}


class TestEntrypoint(unittest.TestCase):
    def setUp(self):
        self.bin = tempfile.mkdtemp()
        for name, body in STUBS.items():
            path = os.path.join(self.bin, name)
            with open(path, "w") as f:
                f.write("#!/bin/sh\n" + body + "\n")
            os.chmod(path, 0o755)

    def tearDown(self):
        shutil.rmtree(self.bin)

    def run_entrypoint(self, *args, uid="999", env=None):
        e = {"PATH": self.bin + ":/usr/bin:/bin", "FAKE_UID": uid}
        e.update(env or {})
        p = subprocess.run(["sh", "-c", "umask 0022; exec %s \"$@\"" % ENTRYPOINT, "entrypoint"] + list(args),
                           capture_output=True, text=True, env=e, timeout=20, cwd=self.bin)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.strip().splitlines()

    def test_flags_get_the_server_and_its_default_file(self):
        self.assertEqual(self.run_entrypoint("--maxmemory", "1gb")[-1],
                         "exec sessionkv-server /usr/local/etc/sessionkv/sessionkv.conf --maxmemory 1gb umask=0077 uid=999")

    def test_a_conf_first_argument_is_the_server_config(self):
        self.assertEqual(self.run_entrypoint("/etc/my/redis.conf", "--port", "7000")[-1],
                         "exec sessionkv-server /etc/my/redis.conf --port 7000 umask=0077 uid=999")

    def test_redis_server_is_an_alias(self):
        self.assertEqual(self.run_entrypoint("redis-server", "--port", "7000")[-1],
                         "exec sessionkv-server --port 7000 umask=0077 uid=999")

    def test_other_commands_run_as_given(self):
        self.assertEqual(self.run_entrypoint("echo", "hello"), ["hello"])

    def test_root_drops_to_the_sessionkv_user(self):
        out = self.run_entrypoint("sessionkv-server", "/x.conf", uid="0")
        self.assertEqual(out, ["find . ! -user sessionkv -exec chown sessionkv {} +", "gosu sessionkv",
                               "exec sessionkv-server /x.conf umask=0077 uid=999"])
        out = self.run_entrypoint("sessionkv-server", "/x.conf", uid="0", env={"SKIP_DROP_PRIVS": "1"})
        self.assertEqual(out, ["exec sessionkv-server /x.conf umask=0077 uid=0"])

    def test_password_from_the_environment(self):
        out = self.run_entrypoint("/etc/sessionkv/primary.conf", env={"REDIS_PASSWORD": "p w\"x"})
        self.assertEqual(out[-1], 'exec sessionkv-server /etc/sessionkv/primary.conf --requirepass p w"x umask=0077 uid=999')


if __name__ == "__main__":
    unittest.main(verbosity=2)

# SPDX-License-Identifier: Apache-2.0
"""redis-cli against the server, used the way Kubernetes probes, Helm charts and operators use it:
ping probes (with REDISCLI_AUTH), -n, --raw/--no-raw/--csv output, INFO piped into grep, --scan,
-3 (RESP3), commands on stdin, -x, -r, --pipe mass insertion, --latency, --bigkeys/--memkeys,
-u URIs and monitor.

Every expectation was checked with Debian's redis-cli 7.0.15 against redis-server 7.0.15
(SESSIONKV_TEST_TARGET=redis). In non-interactive mode redis-cli prints raw replies: a nil is an
empty line, an error is its text followed by an empty line, and the exit code stays 0.
"""
import os
import re
import subprocess
import time

from support.server import REDIS_CLI, ServerTestCase, main
from test_protocol import encode

# The Bitnami chart's readiness and liveness probe scripts (ping_readiness_local.sh,
# ping_liveness_local.sh), with the port and timeout as arguments.
READINESS_PROBE = r'''
response=$(timeout -s 15 "$2" redis-cli -h 127.0.0.1 -p "$1" ping)
if [ "$?" -eq "124" ]; then echo "Timed out"; exit 1; fi
if [ "$response" != "PONG" ]; then echo "$response"; exit 1; fi
'''
LIVENESS_PROBE = r'''
response=$(timeout -s 15 "$2" redis-cli -h 127.0.0.1 -p "$1" ping)
if [ "$?" -eq "124" ]; then echo "Timed out"; exit 1; fi
responseFirstWord=$(echo $response | head -n1 | awk '{print $1;}')
if [ "$response" != "PONG" ] && [ "$responseFirstWord" != "LOADING" ] && \
   [ "$responseFirstWord" != "MASTERDOWN" ]; then
  echo "$response"; exit 1
fi
'''


def cli_env(extra):
    """The test's environment without an inherited REDISCLI_AUTH, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k != "REDISCLI_AUTH"}
    env.update(extra or {})
    return env


class CliCase(ServerTestCase):
    def cli(self, *args, stdin=b"", env=None):
        """Runs redis-cli against the server; returns (exit code, stdout bytes, stderr bytes)."""
        argv = [REDIS_CLI, "-h", "127.0.0.1", "-p", str(self.server.port)] + [str(a) for a in args]
        p = subprocess.run(argv, input=stdin, capture_output=True, timeout=30, env=cli_env(env))
        return p.returncode, p.stdout, p.stderr

    def out(self, *args, **kw):
        """stdout of a successful redis-cli run."""
        code, stdout, stderr = self.cli(*args, **kw)
        self.assertEqual(code, 0, stderr)
        return stdout

    def shell(self, script, *args, env=None):
        """Runs a bash script with $1.. = args; returns (exit code, stdout, stderr)."""
        p = subprocess.run(["bash", "-c", script, "probe"] + [str(a) for a in args], capture_output=True,
                           timeout=30, env=cli_env(env))
        return p.returncode, p.stdout, p.stderr


class Basics(CliCase):
    def test_ping(self):
        self.assertEqual(self.cli("ping"), (0, b"PONG\n", b""))
        self.assertEqual(self.out("PING", "hello"), b"hello\n")

    def test_probes(self):
        self.assertEqual(self.shell(READINESS_PROBE, self.server.port, 5)[0], 0)
        self.assertEqual(self.shell(LIVENESS_PROBE, self.server.port, 5)[0], 0)

    def test_select_with_n(self):
        self.assertEqual(self.out("-n", "1", "set", "a", "b"), b"OK\n")
        self.assertEqual(self.out("-n", "1", "get", "a"), b"b\n")
        self.assertEqual(self.out("get", "a"), b"\n")
        self.assertEqual(self.server.client(db=1).get("a"), b"b")

    def test_select_out_of_range(self):
        code, stdout, stderr = self.cli("-n", "20", "ping")
        self.assertEqual((code, stdout), (0, b"PONG\n"))
        self.assertEqual(stderr, b"SELECT 20 failed: ERR DB index is out of range\n")

    def test_raw_and_formatted_output(self):
        self.r.set("a", "b")
        self.r.set("bin", b"a\x00\xffb\r\n")
        self.assertEqual(self.out("--raw", "get", "a"), b"b\n")
        self.assertEqual(self.out("--no-raw", "get", "a"), b'"b"\n')
        self.assertEqual(self.out("--raw", "get", "bin"), b"a\x00\xffb\r\n\n")
        self.assertEqual(self.out("--no-raw", "get", "bin"), b'"a\\x00\\xffb\\r\\n"\n')
        self.assertEqual(self.out("--no-raw", "get", "nokey"), b"(nil)\n")
        self.assertEqual(self.out("incr", "n"), b"1\n")
        self.assertEqual(self.out("--no-raw", "incr", "n"), b"(integer) 2\n")
        self.assertEqual(self.out("--no-raw", "mget", "a", "nokey"), b'1) "b"\n2) (nil)\n')
        self.assertEqual(self.out("mget", "a", "nokey"), b"b\n\n")

    def test_csv(self):
        self.r.set("a", "hello")
        self.assertEqual(self.out("--csv", "get", "a"), b'"hello"\n')
        self.assertEqual(self.out("--csv", "mget", "a", "nokey"), b'"hello",NULL\n')

    def test_errors(self):
        self.assertEqual(self.cli("foo"),
                         (0, b"ERR unknown command 'foo', with args beginning with: \n\n", b""))
        self.assertEqual(self.out("--no-raw", "foo", "a"),
                         b"(error) ERR unknown command 'foo', with args beginning with: 'a' \n")
        self.assertEqual(self.out("get"), b"ERR wrong number of arguments for 'get' command\n\n")

    def test_info_piped_into_grep(self):
        code, stdout, _ = self.shell('redis-cli -h 127.0.0.1 -p "$1" info server | grep redis_version',
                                     self.server.port)
        self.assertEqual(code, 0)
        self.assertRegex(stdout, rb"^redis_version:7\.\d+\.\d+\r\n$")
        code, stdout, _ = self.shell('redis-cli -h 127.0.0.1 -p "$1" info replication | grep role',
                                     self.server.port)
        self.assertEqual((code, stdout), (0, b"role:master\r\n"))
        self.assertTrue(self.out("info").startswith(b"# Server\r\nredis_version:7."))

    def test_config_get_and_dbsize(self):
        self.assertEqual(self.out("config", "get", "maxclients"), b"maxclients\n10000\n")
        self.r.mset({"a": 1, "b": 2})
        self.assertEqual(self.out("dbsize"), b"2\n")

    def test_scan_with_pattern(self):
        self.r.mset({"a%d" % i: i for i in range(300)})
        self.r.mset({"b%d" % i: i for i in range(50)})
        keys = self.out("--scan", "--pattern", "a*").decode().split()
        self.assertEqual(sorted(keys), sorted("a%d" % i for i in range(300)))
        self.assertEqual(len(self.out("--scan").split()), 350)

    def test_resp3(self):
        lines = self.out("-3", "hello").decode().split("\n")
        self.assertEqual(lines[0], "server redis")
        self.assertRegex(lines[1], r"^version 7\.\d+\.\d+$")
        self.assertEqual(lines[2], "proto 3")
        self.assertRegex(lines[3], r"^id \d+$")
        self.assertEqual(lines[4:], ["mode standalone", "role master", "modules ", ""])
        self.assertEqual(self.out("-3", "config", "get", "port"), b"port %d\n" % self.server.port)
        self.assertEqual(self.out("-3", "get", "nokey"), b"\n")
        self.assertEqual(self.out("-3", "ping"), b"PONG\n")

    def test_commands_on_stdin(self):
        self.assertEqual(self.out(stdin=b"SET a 1\nGET a\nINCR a\n"), b"OK\n1\n2\n")
        self.assertEqual(self.out(stdin=b'SET "a b" "c d"\nGET "a b"\n'), b"OK\nc d\n")
        self.assertEqual(self.r.get("a b"), b"c d")

    def test_last_argument_from_stdin(self):
        self.assertEqual(self.out("-x", "set", "xk", stdin=b"a\x00\xffb\n"), b"OK\n")
        self.assertEqual(self.r.get("xk"), b"a\x00\xffb\n")

    def test_repeat(self):
        self.assertEqual(self.out("-r", "3", "incr", "n"), b"1\n2\n3\n")

    def test_uri(self):
        uri = "redis://127.0.0.1:%d/3" % self.server.port
        self.assertEqual(self.out("-u", uri, "set", "uk", "1"), b"OK\n")
        self.assertEqual(self.server.client(db=3).get("uk"), b"1")

    def test_pipe_mode(self):
        data = b"".join(encode("SET", "pk%d" % i, "v%d" % i) for i in range(1000))
        code, stdout, _ = self.cli("--pipe", stdin=data)
        self.assertEqual(code, 0)
        self.assertIn(b"errors: 0, replies: 1000", stdout)
        self.assertEqual(self.r.dbsize(), 1000)
        self.assertEqual(self.r.get("pk999"), b"v999")

    def test_pipe_mode_counts_errors(self):
        data = b"".join(encode("INCR", "c") for _ in range(500)) + encode("foo") + b"ECHO inline\r\n"
        code, stdout, _ = self.cli("--pipe", stdin=data)
        self.assertEqual(code, 1)
        self.assertIn(b"errors: 1, replies: 502", stdout)
        self.assertEqual(self.r.get("c"), b"500")

    def test_latency(self):
        # With output to a pipe, --latency samples for about a second and prints "min max avg count".
        start = time.time()
        stdout = self.out("--latency", "--raw")
        self.assertLess(time.time() - start, 10)
        m = re.match(rb"^(\d+) (\d+) (\d+\.\d{2}) (\d+)\n$", stdout)
        self.assertIsNotNone(m, stdout)
        self.assertGreater(int(m.group(4)), 0)
        self.assertLessEqual(int(m.group(1)), int(m.group(2)))

    def test_bigkeys_and_memkeys(self):
        self.r.set("s1", "abc")
        self.r.set("s2", "abcdefgh")
        stdout = self.out("--bigkeys")
        self.assertIn(b"Biggest string found '\"s2\"' has 8 bytes", stdout)
        self.assertIn(b"Sampled 2 keys in the keyspace!", stdout)
        self.assertIn(b"2 strings with 11 bytes (100.00% of keys, avg size 5.50)", stdout)
        stdout = self.out("--memkeys")
        self.assertIn(b"Sampled 2 keys in the keyspace!", stdout)
        self.assertRegex(stdout, rb"Biggest string found '\"s[12]\"' has \d+ bytes")
        self.assertRegex(stdout, rb"2 strings with \d+ bytes \(100\.00% of keys")

    def test_monitor(self):
        with subprocess.Popen([REDIS_CLI, "-h", "127.0.0.1", "-p", str(self.server.port), "monitor"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
            try:
                self.assertEqual(proc.stdout.readline(), b"OK\n")
                raw = self.server.raw()
                raw.cmd("set", "mk", "mv")
                port = raw.sock.getsockname()[1]
                raw.close()
                self.assertRegex(proc.stdout.readline(),
                                 rb'^\d+\.\d{6} \[0 127\.0\.0\.1:%d\] "set" "mk" "mv"\n$' % port)
            finally:
                proc.terminate()


class WithPassword(CliCase):
    CONFIG = {"requirepass": "secret"}
    PASSWORD = "secret"

    def test_rediscli_auth_environment(self):
        self.assertEqual(self.cli("ping", env={"REDISCLI_AUTH": "secret"}), (0, b"PONG\n", b""))

    def test_without_password(self):
        self.assertEqual(self.cli("ping"), (0, b"NOAUTH Authentication required.\n\n", b""))

    def test_wrong_password(self):
        code, stdout, stderr = self.cli("ping", env={"REDISCLI_AUTH": "wrong"})
        self.assertEqual((code, stdout), (0, b"NOAUTH Authentication required.\n\n"))
        self.assertEqual(stderr,
                         b"AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n")

    def test_password_options(self):
        self.assertEqual(self.out("-a", "secret", "--no-auth-warning", "ping"), b"PONG\n")
        self.assertEqual(self.out("--user", "default", "--pass", "secret", "--no-auth-warning", "ping"),
                         b"PONG\n")
        self.assertEqual(self.out("-u", "redis://default:secret@127.0.0.1:%d/2" % self.server.port,
                                  "--no-auth-warning", "set", "k", "v"), b"OK\n")
        self.assertEqual(self.server.client(password="secret", db=2).get("k"), b"v")

    def test_resp3_with_password(self):
        lines = self.out("-3", "hello", env={"REDISCLI_AUTH": "secret"}).decode().split("\n")
        self.assertEqual(lines[2], "proto 3")

    def test_probes(self):
        env = {"REDISCLI_AUTH": "secret"}
        self.assertEqual(self.shell(READINESS_PROBE, self.server.port, 5, env=env)[0], 0)
        self.assertEqual(self.shell(LIVENESS_PROBE, self.server.port, 5, env=env)[0], 0)
        code, stdout, _ = self.shell(READINESS_PROBE, self.server.port, 5, env={"REDISCLI_AUTH": "wrong"})
        self.assertEqual((code, stdout), (1, b"NOAUTH Authentication required.\n"))


if __name__ == "__main__":
    main()

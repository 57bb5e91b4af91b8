# SPDX-License-Identifier: Apache-2.0
"""Client limits and protection against the real server, with Redis's defaults and texts: maxclients,
timeout (idle clients closed; subscribers and blocked clients kept), client-query-buffer-limit,
proto-max-bulk-len, client-output-buffer-limit for normal and Pub/Sub clients (hard and soft limits; a
subscriber that stops reading is disconnected and the server does not grow), huge RANDMEMBER counts,
protected configs (enable-protected-configs) and protected mode (DENIED for non-loopback clients while
the default user has no password).

Every test passes against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis) but those marked @sessionkv_only.
"""
import os
import socket
import time

from support.server import ServerTestCase, Server, main, sessionkv_only, TARGET
from test_protocol import OK, PONG

MAXCLIENTS = b"-ERR max number of clients reached\r\n"
COUNT_RANGE = b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"
OUT_OF_RANGE = b"-ERR value is out of range\r\n"


def non_loopback_address():
    """This host's address on its default route (a UDP connect sends nothing), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.254", 9))
            addr = s.getsockname()[0]
        except OSError:
            return None
    return None if addr.startswith("127.") else addr


def rss_bytes(server):
    with open("/proc/%d/status" % server.proc.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


class LimitsCase(ServerTestCase):
    def small_receiver(self):
        """A raw connection whose receive buffer is tiny, so unread replies pile up in the server."""
        c = self.conn()
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        return c


class MaxClients(LimitsCase):
    CONFIG = {"maxclients": "10"}

    def test_client_over_the_limit_is_refused_and_the_others_work(self):
        self.assertEqual(self.r.ping(), True)  # self.r holds one connection
        conns = [self.conn() for _ in range(9)]
        for c in conns:
            self.assertEqual(c.cmd("PING"), PONG)
        extra = self.conn()
        self.assertEqual(extra.reply(), MAXCLIENTS)
        self.assertTrue(extra.is_closed())
        for c in conns:
            self.assertEqual(c.cmd("PING"), PONG)
        self.assertGreaterEqual(int(self.r.info("stats")["rejected_connections"]), 1)
        conns[0].close()
        time.sleep(0.2)
        self.assertEqual(self.conn().cmd("PING"), PONG, "a freed slot is usable again")


class IdleTimeout(LimitsCase):
    CONFIG = {"timeout": "1"}

    def test_idle_client_is_closed_and_active_ones_are_kept(self):
        idle = self.conn()
        self.assertEqual(idle.cmd("PING"), PONG)
        subscriber = self.conn()
        subscriber.cmd("SUBSCRIBE", "c")
        blocked = self.conn()
        blocked.send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
        active = self.conn()
        deadline = time.time() + 3.5
        while time.time() < deadline:
            self.assertEqual(active.cmd("PING"), PONG)
            time.sleep(0.2)
        self.assertTrue(idle.is_closed(timeout=2), "idle for more than `timeout` seconds")
        self.assertFalse(subscriber.is_closed(timeout=0.1), "subscribers are never timed out")
        self.assertEqual(self.r.publish("c", "m"), 1)
        self.r.rpush("q", "x")
        self.assertEqual(blocked.reply(), b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n", "blocked clients are never timed out")


class QueryBufferLimit(LimitsCase):
    CONFIG = {"client-query-buffer-limit": "1mb"}

    def test_a_bulk_past_the_limit_closes_the_client(self):
        c = self.conn()
        c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n")
        try:
            for _ in range(24):
                c.send(b"x" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assertTrue(c.is_closed())
        self.assertEqual(self.conn().cmd("PING"), PONG)
        self.assertIsNone(self.r.get("k"))

    def test_a_bulk_under_the_limit_is_accepted(self):
        self.assertEqual(self.conn().cmd("SET", "k", b"v" * 900000), OK)
        self.assertEqual(self.r.strlen("k"), 900000)


class ProtoMaxBulkLen(LimitsCase):
    CONFIG = {"proto-max-bulk-len": "1mb"}

    def test_longer_bulk_is_a_protocol_error(self):
        c = self.conn()
        c.send(b"*2\r\n$4\r\nECHO\r\n$1048577\r\n")
        self.assertEqual(c.reply(), b"-ERR Protocol error: invalid bulk length\r\n")
        self.assertTrue(c.is_closed())
        self.assertEqual(self.conn().cmd("ECHO", b"e" * 1048576)[:12], b"$1048576\r\nee")

    def test_strings_may_not_grow_past_it(self):
        c = self.conn()
        self.assertEqual(c.cmd("SETRANGE", "s", "1048576", "x"),
                         b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n")
        self.assertEqual(c.cmd("EXISTS", "s"), b":0\r\n")


class OutputBufferLimits(LimitsCase):
    def tearDown(self):
        self.r.config_set("client-output-buffer-limit", "normal 0 0 0 pubsub 32mb 8mb 60")
        super().tearDown()

    def test_defaults_and_config_set(self):
        self.assertEqual(self.r.config_get("client-output-buffer-limit")["client-output-buffer-limit"],
                         "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")
        c = self.conn()
        self.assertEqual(c.cmd("CONFIG", "SET", "client-output-buffer-limit", "Pubsub 1mb 2kb 3 REPLICA 5 6 7"),
                         OK)
        self.assertEqual(c.cmd("CONFIG", "GET", "client-output-buffer-limit"),
                         b"*2\r\n$26\r\nclient-output-buffer-limit\r\n$46\r\n"
                         b"normal 0 0 0 slave 5 6 7 pubsub 1048576 2048 3\r\n")
        self.assertEqual(c.cmd("CONFIG", "SET", "client-output-buffer-limit", ""), OK)
        prefix = (b"-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - ")
        for value, reason in (("normal 0 0", b"Wrong number of arguments in buffer limit configuration."),
                              ("master 0 0 0", b"Invalid client class specified in buffer limit configuration."),
                              ("normal x 0 0", b"Error in hard, soft or soft_seconds setting in buffer limit "
                                               b"configuration."),
                              ("normal 1 2 -1", b"Error in hard, soft or soft_seconds setting in buffer limit "
                                                b"configuration."),
                              ("pubsub 1 1 1 master 0 0 0", b"Invalid client class specified in buffer limit "
                                                            b"configuration.")):
            with self.subTest(value=value):
                self.assertEqual(c.cmd("CONFIG", "SET", "client-output-buffer-limit", value),
                                 prefix + reason + b"\r\n")
        self.assertIn(b"pubsub 1048576 2048 3", c.cmd("CONFIG", "GET", "client-output-buffer-limit"),
                      "a refused value changes nothing")

    def test_subscriber_that_stops_reading_is_disconnected(self):
        self.r.config_set("client-output-buffer-limit", "pubsub 1mb 0 0")
        sub = self.small_receiver()
        sub.cmd("CLIENT", "SETNAME", "slowsub")
        self.assertEqual(sub.cmd("SUBSCRIBE", "news"), b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n")
        rss_before = rss_bytes(self.server)
        payload = b"p" * 100000
        receivers = []
        for _ in range(400):  # 40 MB, far more than the socket buffers hold
            receivers.append(self.r.publish("news", payload))
            if receivers[-1] == 0:
                break
        self.assertEqual(receivers[-1], 0, "the subscriber was disconnected")
        self.assertNotIn(b"name=slowsub", self.r.execute_command("CLIENT", "LIST"))
        # Well under the 40 MB offered (with room for sanitizer builds, whose quarantine keeps freed memory).
        self.assertLess(rss_bytes(self.server) - rss_before, 32 << 20, "the server did not grow")
        # (Reading the subscriber to its EOF would take minutes through a 4 KB window.)
        self.assertEqual(self.conn().cmd("PING"), PONG)

    def test_soft_limit_needs_its_seconds(self):
        self.r.config_set("client-output-buffer-limit", "pubsub 0 256kb 1")
        sub = self.small_receiver()
        sub.cmd("SUBSCRIBE", "news")
        payload = b"p" * 20000
        start = time.time()
        while time.time() - start < 8 and self.r.publish("news", payload) == 1:
            time.sleep(0.01)
        elapsed = time.time() - start
        self.assertLess(elapsed, 8, "disconnected once over the soft limit for more than 1 s")
        self.assertGreater(elapsed, 1.0, "not before the soft limit's seconds")

    def test_normal_client_hard_limit(self):
        self.r.set("big", b"b" * (3 << 20))
        self.r.set("small", b"s" * 100000)
        self.r.config_set("client-output-buffer-limit", "normal 1mb 0 0")
        c = self.conn()
        self.assertEqual(len(c.cmd("GET", "small")), 100000 + 11)
        c.send(b"GET big\r\n")
        self.assertTrue(c.is_closed(), "a reply over the hard limit closes the client without a reply")
        self.assertEqual(c.buf, b"")
        self.assertEqual(self.conn().cmd("PING"), PONG)

    def test_normal_clients_are_unlimited_by_default(self):
        self.r.set("big", b"b" * (3 << 20))
        c = self.conn()
        self.assertEqual(len(c.cmd("GET", "big")), (3 << 20) + 12)


class HugeCounts(LimitsCase):
    def setUp(self):
        super().setUp()
        self.r.hset("h", "f", "v")
        self.r.sadd("s", "m")
        self.r.zadd("z", {"m": 1})

    def test_long_min_is_out_of_range(self):
        c = self.conn()
        for cmd in (["HRANDFIELD", "h"], ["SRANDMEMBER", "s"], ["ZRANDMEMBER", "z"], ["HRANDFIELD", "nokey"]):
            with self.subTest(cmd=cmd[0]):
                self.assertEqual(c.cmd(*cmd, "-9223372036854775808"), COUNT_RANGE)
        self.assertEqual(c.cmd("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"), OUT_OF_RANGE)
        self.assertEqual(c.cmd("ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"), OUT_OF_RANGE)
        self.assertEqual(c.cmd("PING"), PONG)

    @sessionkv_only
    def test_counts_whose_reply_cannot_be_built_are_refused(self):
        # Redis tries to build a reply of 2^63 elements and runs out of memory.
        c = self.conn()
        for cmd in (["HRANDFIELD", "h", "-9223372036854775807"], ["SRANDMEMBER", "s", "-9223372036854775807"],
                    ["ZRANDMEMBER", "z", "-9223372036854775807"],
                    ["HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"],
                    ["ZRANDMEMBER", "z", "-16777217", "WITHSCORES"]):
            with self.subTest(cmd=cmd):
                self.assertEqual(c.cmd(*cmd), OUT_OF_RANGE)

    def test_large_negative_counts_repeat(self):
        c = self.conn()
        self.assertEqual(c.cmd("SRANDMEMBER", "s", "-100000"), b"*100000\r\n" + b"$1\r\nm\r\n" * 100000)


class ProtectedConfigs(LimitsCase):
    def test_dir_is_refused_at_run_time(self):
        self.assertEqual(self.conn().cmd("CONFIG", "SET", "dir", "/tmp"),
                         b"-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected "
                         b"config\r\n")
        self.assertEqual(self.conn().cmd("CONFIG", "SET", "enable-protected-configs", "yes"),
                         b"-ERR CONFIG SET failed (possibly related to argument 'enable-protected-configs') - "
                         b"can't set immutable config\r\n")
        self.assertNotEqual(self.r.config_get("dir")["dir"], "/tmp")
        self.assertEqual(self.r.config_get("enable-protected-configs")["enable-protected-configs"], "no")


class ProtectedConfigsEnabled(LimitsCase):
    CONFIG = {"enable-protected-configs": "yes"}

    def test_dir_may_be_set(self):
        self.assertEqual(self.conn().cmd("CONFIG", "SET", "dir", "/tmp"), OK)
        self.assertEqual(self.r.config_get("dir")["dir"], "/tmp")


class ProtectedConfigsLocal(LimitsCase):
    CONFIG = {"enable-protected-configs": "local"}

    def test_dir_may_be_set_from_loopback(self):
        self.assertEqual(self.conn().cmd("CONFIG", "SET", "dir", "/tmp"), OK)


EXTERNAL = non_loopback_address()
DENIED = (b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set "
          b"for the default user. In this mode connections are only accepted from the loopback interface. If "
          b"you want to connect from external computers to Redis you may adopt one of the following solutions: "
          b"1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback "
          b"interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis "
          b"is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change "
          b"permanent. 2) Alternatively you can just disable the protected mode by editing the Redis "
          b"configuration file, and setting the protected mode option to 'no', and then restarting the server. "
          b"3) If you started the server manually just for testing, restart it with the '--protected-mode no' "
          b"option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one "
          b"of the above things in order for the server to start accepting connections from the outside.\r\n")


def external_conn(port):
    s = socket.create_connection((EXTERNAL, port), timeout=5)
    s.sendall(b"PING\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
        if data.endswith(b"\r\n") and not data.startswith(b"-DENIED"):
            break
    s.close()
    return data


class ProtectedMode(LimitsCase):
    CONFIG = {"bind": "127.0.0.1 %s" % EXTERNAL if EXTERNAL else "127.0.0.1", "protected-mode": "yes"}

    def setUp(self):
        if EXTERNAL is None:
            self.skipTest("no non-loopback address")
        super().setUp()

    def tearDown(self):
        self.r.config_set("requirepass", "")
        self.r.config_set("protected-mode", "yes")
        super().tearDown()

    def test_only_loopback_clients_while_there_is_no_password(self):
        self.assertEqual(external_conn(self.server.port), DENIED, "denied, then closed")
        self.assertEqual(self.conn().cmd("PING"), PONG)
        self.r.config_set("protected-mode", "no")
        self.assertEqual(external_conn(self.server.port), b"+PONG\r\n")

    def test_a_password_lifts_it(self):
        self.r.config_set("requirepass", "secret")
        self.r.auth("secret")
        self.assertEqual(external_conn(self.server.port), b"-NOAUTH Authentication required.\r\n")


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""Connection commands and the driver handshakes Spring depends on (spring-session-wire.md section 4):
PING, ECHO, QUIT, RESET, SELECT, HELLO, AUTH, CLIENT, and the Lettuce/Jedis sequences, pipelined."""
import re

import redis

from support.server import ServerTestCase, main, needs_redis_72


class Connection(ServerTestCase):
    def test_ping_echo(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("PING"), b"+PONG\r\n")
        self.assertEqual(raw.cmd("PING", "hello"), b"$5\r\nhello\r\n")
        self.assertEqual(raw.cmd("PING", "a", "b"), b"-ERR wrong number of arguments for 'ping' command\r\n")
        self.assertEqual(raw.cmd("ECHO", ""), b"$0\r\n\r\n")
        raw.cmd("HELLO", "3")
        self.assertEqual(raw.cmd("PING"), b"+PONG\r\n")

    def test_quit_replies_ok_and_closes(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("QUIT"), b"+OK\r\n")
        self.assertTrue(raw.is_closed())

    def test_select(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("SELECT", "1"), b"+OK\r\n")
        raw.cmd("SET", "k", "in-db1")
        self.assertIsNone(self.r.get("k"))
        self.assertEqual(raw.cmd("SELECT", "16"), b"-ERR DB index is out of range\r\n")
        self.assertEqual(raw.cmd("SELECT", "x"), b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(raw.cmd("GET", "k"), b"$6\r\nin-db1\r\n")

    def test_hello(self):
        raw = self.server.raw()
        reply = raw.cmd("HELLO", "3")
        self.assertTrue(reply.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n"), reply)
        self.assertRegex(reply, rb"\$2\r\nid\r\n:\d+\r\n")
        self.assertIn(b"$5\r\nproto\r\n:3\r\n", reply)
        self.assertIn(b"$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n", reply)
        self.assertTrue(reply.endswith(b"$7\r\nmodules\r\n*0\r\n"))
        self.assertEqual(raw.cmd("GET", "missing"), b"_\r\n", "RESP3 null after HELLO 3")
        self.assertTrue(raw.cmd("HELLO").startswith(b"%7\r\n"), "HELLO alone keeps the protocol")
        self.assertTrue(raw.cmd("HELLO", "2").startswith(b"*14\r\n"))
        self.assertEqual(raw.cmd("GET", "missing"), b"$-1\r\n")
        self.assertEqual(raw.cmd("HELLO", "4"), b"-NOPROTO unsupported protocol version\r\n")
        self.assertEqual(raw.cmd("HELLO", "x"), b"-ERR Protocol version is not an integer or out of range\r\n")
        self.assertEqual(raw.cmd("HELLO", "3", "BOGUS"), b"-ERR Syntax error in HELLO option 'BOGUS'\r\n")
        self.assertIn(b"proto", raw.cmd("HELLO", "3", "SETNAME", "pod-1"))
        self.assertEqual(raw.cmd("CLIENT", "GETNAME"), b"$5\r\npod-1\r\n")
        self.assertEqual(raw.cmd("HELLO", "3", "SETNAME", "a b"),
                         b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n")

    def test_reset(self):
        raw = self.server.raw()
        raw.cmd("HELLO", "3", "SETNAME", "x")
        raw.cmd("SELECT", "2")
        self.assertEqual(raw.cmd("RESET"), b"+RESET\r\n")
        self.assertEqual(raw.cmd("CLIENT", "GETNAME"), b"$-1\r\n")
        self.assertEqual(raw.cmd("GET", "nothing"), b"$-1\r\n", "back to RESP2")
        raw.cmd("SET", "db0key", "1")
        self.assertEqual(self.r.get("db0key"), b"1", "back to db 0")

    def test_auth_without_a_password(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("AUTH", "x"),
                         b"-ERR AUTH <password> called without any password configured for the default user. "
                         b"Are you sure your configuration is correct?\r\n")
        self.assertEqual(raw.cmd("AUTH", "default", "anything"), b"+OK\r\n")
        self.assertEqual(raw.cmd("AUTH", "a", "b", "c"), b"-ERR syntax error\r\n")

    def test_client_commands(self):
        raw = self.server.raw()
        client_id = int(raw.cmd("CLIENT", "ID")[1:-2])
        self.assertEqual(raw.cmd("CLIENT", "SETNAME", "web 1"),
                         b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n")
        self.assertEqual(raw.cmd("CLIENT", "SETNAME", "web-1"), b"+OK\r\n")
        info = self.r.client_list()
        mine = [c for c in info if int(c["id"]) == client_id][0]
        self.assertEqual(mine["name"], "web-1")
        self.assertEqual(mine["db"], "0")
        for field in ("addr", "laddr", "fd", "age", "idle", "flags", "cmd", "resp"):
            self.assertIn(field, mine)
        line = raw.cmd("CLIENT", "INFO")
        self.assertRegex(line, rb"^\$\d+\r\nid=%d addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ " % client_id)
        self.assertIn(b" cmd=client|info ", line)
        self.assertEqual(raw.cmd("CLIENT", "NO-EVICT", "maybe"), b"-ERR syntax error\r\n")
        self.assertEqual(raw.cmd("CLIENT", "NO-EVICT", "on"), b"+OK\r\n")
        self.assertEqual(raw.cmd("CLIENT", "BOGUS"), b"-ERR unknown subcommand 'BOGUS'. Try CLIENT HELP.\r\n")

    @needs_redis_72
    def test_client_setinfo_and_no_touch(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("CLIENT", "SETINFO", "LIB-NAME", "jedis"), b"+OK\r\n")
        self.assertEqual(raw.cmd("CLIENT", "SETINFO", "lib-ver", "5.2.0"), b"+OK\r\n")
        self.assertEqual(raw.cmd("CLIENT", "SETINFO", "other", "x"), b"-ERR Unrecognized option 'other'\r\n")
        self.assertIn(b"lib-name=jedis lib-ver=5.2.0", raw.cmd("CLIENT", "INFO"))
        self.assertEqual(raw.cmd("CLIENT", "NO-TOUCH", "on"), b"+OK\r\n")

    def test_client_reply(self):
        raw = self.server.raw()
        raw.send(b"CLIENT REPLY OFF\r\nSET a 1\r\nCLIENT REPLY ON\r\nGET a\r\n")
        self.assertEqual(raw.reply(), b"+OK\r\n")
        self.assertEqual(raw.reply(), b"$1\r\n1\r\n")
        raw.send(b"CLIENT REPLY SKIP\r\nGET a\r\nPING\r\n")
        self.assertEqual(raw.reply(), b"+PONG\r\n")

    def test_client_kill(self):
        victim = self.server.raw()
        victim_id = int(victim.cmd("CLIENT", "ID")[1:-2])
        addr = re.search(rb"addr=(\S+)", victim.cmd("CLIENT", "INFO")).group(1)
        raw = self.server.raw()
        self.assertEqual(raw.cmd("CLIENT", "KILL", "ID", str(victim_id)), b":1\r\n")
        self.assertTrue(victim.is_closed())
        self.assertEqual(raw.cmd("CLIENT", "KILL", addr), b"-ERR No such client\r\n")
        other = self.server.raw()
        other.cmd("PING")
        other_addr = re.search(rb"addr=(\S+)", other.cmd("CLIENT", "INFO")).group(1)
        self.assertEqual(raw.cmd("CLIENT", "KILL", other_addr), b"+OK\r\n")
        self.assertTrue(other.is_closed())
        self.assertEqual(raw.cmd("CLIENT", "KILL", "ID", "999999"), b":0\r\n")
        self.assertEqual(raw.cmd("CLIENT", "KILL", "ID", str(int(raw.cmd("CLIENT", "ID")[1:-2]))), b":0\r\n",
                         "SKIPME yes is the default")


class Handshakes(ServerTestCase):
    @needs_redis_72
    def test_lettuce_641_pipelines_its_handshake(self):
        """Lettuce 6.4.0/6.4.1 write SELECT and CLIENT SETINFO before HELLO's reply arrives."""
        raw = self.server.raw()
        raw.send(b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"
                 b"*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n"
                 b"*4\r\n$6\r\nCLIENT\r\n$7\r\nSETINFO\r\n$8\r\nlib-name\r\n$7\r\nLettuce\r\n"
                 b"*4\r\n$6\r\nCLIENT\r\n$7\r\nSETINFO\r\n$7\r\nlib-ver\r\n$13\r\n6.4.1.RELEASE\r\n")
        self.assertTrue(raw.reply().startswith(b"%7\r\n"))
        self.assertEqual([raw.reply() for _ in range(3)], [b"+OK\r\n"] * 3)
        self.assertIn(b" db=1 ", raw.cmd("CLIENT", "INFO"))

    def test_jedis_handshake(self):
        raw = self.server.raw()
        raw.send(b"*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$3\r\napp\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n"
                 b"*1\r\n$4\r\nPING\r\n")
        self.assertEqual([raw.reply() for _ in range(3)], [b"+OK\r\n", b"+OK\r\n", b"+PONG\r\n"])


class RequirePass(ServerTestCase):
    CONFIG = {"requirepass": "s3cret"}
    PASSWORD = "s3cret"

    def test_commands_need_auth(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("GET", "k"), b"-NOAUTH Authentication required.\r\n")
        self.assertEqual(raw.cmd("PING"), b"-NOAUTH Authentication required.\r\n")
        self.assertEqual(raw.cmd("AUTH", "wrong"),
                         b"-WRONGPASS invalid username-password pair or user is disabled.\r\n")
        self.assertEqual(raw.cmd("AUTH", "nobody", "s3cret"),
                         b"-WRONGPASS invalid username-password pair or user is disabled.\r\n")
        self.assertEqual(raw.cmd("AUTH", "s3cret"), b"+OK\r\n")
        self.assertEqual(raw.cmd("PING"), b"+PONG\r\n")

    def test_hello_with_auth(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("HELLO", "3", "AUTH", "default", "bad"),
                         b"-WRONGPASS invalid username-password pair or user is disabled.\r\n")
        self.assertTrue(raw.cmd("HELLO", "3").startswith(b"-NOAUTH HELLO must be called with the client already"))
        self.assertTrue(raw.cmd("HELLO", "3", "AUTH", "default", "s3cret").startswith(b"%7\r\n"))
        self.assertEqual(raw.cmd("GET", "k"), b"_\r\n")

    def test_redis_py_with_password(self):
        self.assertTrue(self.r.set("k", "v"))
        with self.assertRaises((redis.exceptions.AuthenticationError, redis.exceptions.ResponseError)):
            self.server.client(password="wrong").ping()

    def test_reset_drops_authentication(self):
        raw = self.server.raw()
        raw.cmd("AUTH", "s3cret")
        self.assertEqual(raw.cmd("RESET"), b"+RESET\r\n")
        self.assertEqual(raw.cmd("GET", "k"), b"-NOAUTH Authentication required.\r\n")

    def test_redacted_in_monitor(self):
        monitor = self.server.raw()
        monitor.cmd("AUTH", "s3cret")
        self.assertEqual(monitor.cmd("MONITOR"), b"+OK\r\n")
        other = self.server.raw()
        other.cmd("AUTH", "s3cret")
        seen = b""
        while b'"auth"' not in seen.lower():
            seen += monitor.sock.recv(4096)
        self.assertNotIn(b"s3cret", seen)
        self.assertIn(b'"(redacted)"', seen)


if __name__ == "__main__":
    main()

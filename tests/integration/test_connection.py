# SPDX-License-Identifier: Apache-2.0
"""Integration tests for the connection commands: PING, ECHO, QUIT, RESET, SELECT, HELLO, AUTH and
CLIENT (ID SETNAME GETNAME SETINFO LIST INFO KILL NO-EVICT NO-TOUCH REPLY), the client handshakes
of Lettuce 6.4 and Jedis 5 (spring-session-wire.md section 4), and requirepass.

Every expectation was checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis). What only Redis 7.2
has (CLIENT SETINFO, CLIENT NO-TOUCH, the lib-name/lib-ver fields) is marked @needs_redis_72.
"""
import time

from support.server import ServerTestCase, main, needs_redis_72, sessionkv_only
from test_protocol import OK, PONG, bulk, decode, encode, wrong_args

NOAUTH = b"-NOAUTH Authentication required.\r\n"
WRONGPASS = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
AUTH_NOT_CONFIGURED = (b"-ERR AUTH <password> called without any password configured for the default "
                       b"user. Are you sure your configuration is correct?\r\n")
HELLO_NOAUTH_PREFIX = (b"-NOAUTH HELLO must be called with the client already authenticated, otherwise "
                       b"the HELLO ")
# Redis 7.2 wording (7.0 lacks the "<proto> ").
HELLO_NOAUTH_72 = (HELLO_NOAUTH_PREFIX + b"<proto> AUTH <user> <pass> option can be used to authenticate the "
                   b"client and select the RESP protocol version at the same time\r\n")
NOPROTO = b"-NOPROTO unsupported protocol version\r\n"
BAD_NAME = b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
SYNTAX = b"-ERR syntax error\r\n"

# CLIENT LIST / CLIENT INFO fields of Redis 7.0, in order; 7.2 appends lib-name and lib-ver.
CLIENT_FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub",
                 "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
                 "tot-mem", "events", "cmd", "user", "redir", "resp"]
CLIENT_FIELDS_72 = ["lib-name", "lib-ver"]


def client_fields(line):
    """One CLIENT LIST line ("k=v k=v ...") as an ordered list of (key, value) string pairs."""
    return [tuple(item.split("=", 1)) for item in line.split(" ")]


def hello_map(reply):
    """The HELLO reply as a dict, from a RESP3 map or a RESP2 flat array."""
    value = decode(reply)
    if isinstance(value, list):
        value = {value[i].decode(): value[i + 1] for i in range(0, len(value), 2)}
    return value


class ConnectionCase(ServerTestCase):
    """Raw connections per test, closed afterwards."""

    def served_conn(self):
        """A new raw connection that has been served once, so the server has certainly registered it
        (CLIENT KILL and CLIENT LIST then see it)."""
        c = self.conn()
        self.assertEqual(c.cmd("PING"), PONG)
        return c

    def client_info(self, c):
        """This connection's CLIENT INFO fields as a dict (RESP2 bulk or RESP3 verbatim)."""
        text = decode(c.cmd("CLIENT", "INFO")).decode()
        self.assertTrue(text.endswith("\n") and text.count("\n") == 1, text)
        return dict(client_fields(text.rstrip("\n")))

    def client_id(self, c):
        return decode(c.cmd("CLIENT", "ID"))

    def pipeline(self, c, *requests):
        """Sends the requests in one send() and returns their raw replies, in order."""
        c.send(b"".join(encode(*r) for r in requests))
        return [c.reply() for _ in requests]


# ---------------------------------------------------------------------------------------------
# PING ECHO QUIT
# ---------------------------------------------------------------------------------------------
class PingEchoQuit(ConnectionCase):
    def test_ping(self):
        c = self.conn()
        self.assertEqual(c.cmd("PING"), PONG)
        self.assertEqual(c.cmd("PING", "hi"), bulk(b"hi"))
        self.assertEqual(c.cmd("PING", b""), b"$0\r\n\r\n")
        self.assertEqual(c.cmd("PING", b"a\r\n\x00"), bulk(b"a\r\n\x00"))
        self.assertEqual(c.cmd("PING", "a", "b"), wrong_args("ping"))

    def test_ping_resp3(self):
        c = self.conn()
        c.cmd("HELLO", "3")
        self.assertEqual(c.cmd("PING"), PONG)
        self.assertEqual(c.cmd("PING", "hi"), bulk(b"hi"))

    def test_echo(self):
        c = self.conn()
        for value in (b"x", b"", b"\x00\xff\r\n", b"x" * 100000):
            self.assertEqual(c.cmd("ECHO", value), bulk(value))
        self.assertEqual(c.cmd("ECHO"), wrong_args("echo"))
        self.assertEqual(c.cmd("ECHO", "a", "b"), wrong_args("echo"))

    def test_quit_replies_ok_and_closes(self):
        for args in (["QUIT"], ["QUIT", "extra"], ["quit"]):
            with self.subTest(args=args):
                c = self.conn()
                self.assertEqual(c.cmd(*args), OK)
                self.assertTrue(c.is_closed())
                self.assertEqual(c.buf, b"")

    def test_commands_pipelined_after_quit_do_not_run(self):
        c = self.conn()
        c.send(encode("SET", "before", "1") + encode("QUIT") + encode("SET", "after", "1"))
        self.assertEqual(c.reply(), OK)
        self.assertEqual(c.reply(), OK)
        self.assertTrue(c.is_closed())
        self.assertEqual(c.buf, b"")
        self.assertEqual(self.r.get("before"), b"1")
        self.assertIsNone(self.r.get("after"))

    def test_inline_quit(self):
        c = self.conn()
        c.send(b"QUIT\r\n")
        self.assertEqual(c.reply(), OK)
        self.assertTrue(c.is_closed())


# ---------------------------------------------------------------------------------------------
# SELECT
# ---------------------------------------------------------------------------------------------
class Select(ConnectionCase):
    def test_databases_are_separate(self):
        a, b = self.conn(), self.conn()
        self.assertEqual(a.cmd("SELECT", "15"), OK)
        self.assertEqual(a.cmd("SET", "k", "in15"), OK)
        self.assertEqual(b.cmd("GET", "k"), b"$-1\r\n")
        self.assertEqual(b.cmd("SET", "k", "in0"), OK)
        self.assertEqual(a.cmd("GET", "k"), bulk(b"in15"))
        self.assertEqual(a.cmd("SELECT", "0"), OK)
        self.assertEqual(a.cmd("GET", "k"), bulk(b"in0"))
        self.assertEqual(self.client_info(b)["db"], "0")

    def test_select_shows_in_client_info(self):
        c = self.conn()
        c.cmd("SELECT", "7")
        self.assertEqual(self.client_info(c)["db"], "7")

    def test_errors(self):
        c = self.conn()
        for index in ("16", "-1", "1000000"):
            self.assertEqual(c.cmd("SELECT", index), b"-ERR DB index is out of range\r\n")
        for index in ("x", "1.5", "", "01", " 1", "+1", "99999999999999999999"):
            with self.subTest(index=index):
                self.assertEqual(c.cmd("SELECT", index), NOT_INTEGER)
        self.assertEqual(c.cmd("SELECT"), wrong_args("select"))
        self.assertEqual(c.cmd("SELECT", "1", "2"), wrong_args("select"))
        self.assertEqual(self.client_info(c)["db"], "0", "a failed SELECT keeps the database")


# ---------------------------------------------------------------------------------------------
# HELLO
# ---------------------------------------------------------------------------------------------
class Hello(ConnectionCase):
    KEYS = ["server", "version", "proto", "id", "mode", "role", "modules"]

    def assertHello(self, c, reply, proto):
        """The reply is HELLO's map (RESP3 '%7' or RESP2 '*14') with the connection's values."""
        self.assertTrue(reply.startswith(b"%7\r\n" if proto == 3 else b"*14\r\n"), reply)
        fields = hello_map(reply)
        self.assertEqual(list(fields), self.KEYS)
        self.assertEqual(fields["server"], b"redis")
        self.assertRegex(fields["version"].decode(), r"^7\.\d+\.\d+$")
        self.assertEqual(fields["proto"], proto)
        self.assertIsInstance(fields["id"], int)  # Lettuce casts it to Long
        self.assertEqual(fields["mode"], b"standalone")
        self.assertEqual(fields["role"], b"master")
        self.assertEqual(fields["modules"], [])
        # The exact encoding of the integer-valued and array-valued entries.
        self.assertIn(b"$5\r\nproto\r\n:%d\r\n$2\r\nid\r\n:%d\r\n" % (proto, fields["id"]), reply)
        self.assertTrue(reply.endswith(b"$7\r\nmodules\r\n*0\r\n"))
        return fields

    def test_hello_without_arguments_reports_the_current_protocol(self):
        c = self.conn()
        fields = self.assertHello(c, c.cmd("HELLO"), 2)
        self.assertEqual(fields["id"], self.client_id(c))
        c.cmd("HELLO", "3")
        self.assertHello(c, c.cmd("HELLO"), 3)

    def test_hello_2(self):
        c = self.conn()
        self.assertHello(c, c.cmd("HELLO", "2"), 2)
        self.assertEqual(c.cmd("GET", "nokey"), b"$-1\r\n")

    def test_hello_3_switches_to_resp3(self):
        c = self.conn()
        fields = self.assertHello(c, c.cmd("HELLO", "3"), 3)
        self.assertEqual(fields["id"], self.client_id(c))
        self.assertEqual(c.cmd("GET", "nokey"), b"_\r\n")
        self.assertEqual(c.cmd("CONFIG", "GET", "databases"), b"%1\r\n$9\r\ndatabases\r\n$2\r\n16\r\n")
        self.assertEqual(self.client_info(c)["resp"], "3")
        # And back.
        self.assertHello(c, c.cmd("HELLO", "2"), 2)
        self.assertEqual(c.cmd("GET", "nokey"), b"$-1\r\n")
        self.assertEqual(c.cmd("CONFIG", "GET", "databases"), b"*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n")

    def test_version_matches_info(self):
        c = self.conn()
        fields = hello_map(c.cmd("HELLO", "3"))
        info = decode(c.cmd("INFO", "server")).decode()
        self.assertIn("\r\nredis_version:%s\r\n" % fields["version"].decode(), info)

    @sessionkv_only
    def test_version_is_at_least_7_2(self):
        """sessionkv reports 7.2.x: Lettuce 6.3 sends CLIENT SETINFO only to servers >= 7.2 and Boot
        health checks read the same version; Debian's Redis reports 7.0.15."""
        c = self.conn()
        major, minor, _ = (int(x) for x in hello_map(c.cmd("HELLO", "3"))["version"].split(b"."))
        self.assertGreaterEqual((major, minor), (7, 2))

    def test_unsupported_versions(self):
        c = self.conn()
        for version in ("4", "1", "0", "-1", "100"):
            with self.subTest(version=version):
                self.assertEqual(c.cmd("HELLO", version), NOPROTO)
        for version in ("x", "3.0", "", "99999999999999999999"):
            with self.subTest(version=version):
                self.assertEqual(c.cmd("HELLO", version),
                                 b"-ERR Protocol version is not an integer or out of range\r\n")
        self.assertEqual(self.client_info(c)["resp"], "2")

    def test_option_syntax_errors(self):
        c = self.conn()
        cases = [(["3", "foo"], b"foo"), (["3", "AUTH", "a"], b"AUTH"), (["3", "SETNAME"], b"SETNAME"),
                 (["3", "auth"], b"auth"), (["2", "SETNAME", "a", "b"], b"b")]
        for args, option in cases:
            with self.subTest(args=args):
                self.assertEqual(c.cmd("HELLO", *args),
                                 b"-ERR Syntax error in HELLO option '%s'\r\n" % option)
        self.assertEqual(self.client_info(c)["resp"], "2")

    def test_setname(self):
        c = self.conn()
        self.assertHello(c, c.cmd("HELLO", "3", "SETNAME", "x"), 3)
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), bulk(b"x"))
        self.assertHello(c, c.cmd("hello", "2", "setname", "app-1"), 2)
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), bulk(b"app-1"))

    def test_invalid_name_changes_nothing(self):
        c = self.conn()
        self.assertEqual(c.cmd("HELLO", "3", "SETNAME", "x y"), BAD_NAME)
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), b"$-1\r\n")
        self.assertEqual(self.client_info(c)["resp"], "2", "a failed HELLO does not switch protocol")

    def test_auth_without_requirepass(self):
        # The default user has "nopass": any password is accepted for it; other users do not exist.
        c = self.conn()
        self.assertHello(c, c.cmd("HELLO", "3", "AUTH", "default", "anything"), 3)
        self.assertEqual(c.cmd("HELLO", "3", "AUTH", "foo", "x"), WRONGPASS)

    def test_all_options_together(self):
        c = self.conn()
        self.assertHello(c, c.cmd("HELLO", "3", "AUTH", "default", "x", "SETNAME", "both"), 3)
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), bulk(b"both"))


# ---------------------------------------------------------------------------------------------
# RESET
# ---------------------------------------------------------------------------------------------
class Reset(ConnectionCase):
    def test_reset_restores_the_connection_defaults(self):
        c = self.conn()
        c.cmd("HELLO", "3", "SETNAME", "named")
        c.cmd("SELECT", "3")
        c.cmd("SET", "k", "v")
        self.assertEqual(c.cmd("RESET"), b"+RESET\r\n")
        info = self.client_info(c)
        self.assertEqual((info["db"], info["name"], info["resp"]), ("0", "", "2"))
        self.assertEqual(c.cmd("GET", "k"), b"$-1\r\n")
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), b"$-1\r\n")
        c.cmd("SELECT", "3")
        self.assertEqual(c.cmd("GET", "k"), bulk(b"v"), "RESET does not touch the data")

    def test_reset_turns_replies_back_on(self):
        c = self.conn()
        c.send(encode("CLIENT", "REPLY", "OFF") + encode("PING", "lost") + encode("RESET") + encode("PING"))
        self.assertEqual(c.reply(), b"+RESET\r\n")
        self.assertEqual(c.reply(), PONG)

    def test_reset_keeps_the_client_id(self):
        c = self.conn()
        before = self.client_id(c)
        c.cmd("RESET")
        self.assertEqual(self.client_id(c), before)

    def test_reset_arity(self):
        self.assertEqual(self.conn().cmd("RESET", "x"), wrong_args("reset"))

    def test_reset_leaves_subscribe_mode(self):
        c = self.conn()
        c.cmd("SUBSCRIBE", "ch")
        self.assertEqual(c.cmd("PING"), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n")
        self.assertEqual(c.cmd("RESET"), b"+RESET\r\n")
        self.assertEqual(c.cmd("PING"), PONG)
        self.assertEqual(self.r.publish("ch", "m"), 0)

    def test_subscribe_mode_refuses_other_commands(self):
        c = self.conn()
        c.cmd("SUBSCRIBE", "ch")
        self.assertEqual(c.cmd("GET", "k"),
                         b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                         b"RESET are allowed in this context\r\n")
        self.assertEqual(c.cmd("PING", "x"), b"*2\r\n$4\r\npong\r\n$1\r\nx\r\n")


# ---------------------------------------------------------------------------------------------
# AUTH without requirepass
# ---------------------------------------------------------------------------------------------
class AuthWithoutPassword(ConnectionCase):
    def test_auth_password_only(self):
        self.assertEqual(self.conn().cmd("AUTH", "x"), AUTH_NOT_CONFIGURED)

    def test_auth_default_user_accepts_anything(self):
        self.assertEqual(self.conn().cmd("AUTH", "default", "x"), OK)

    def test_auth_unknown_user(self):
        self.assertEqual(self.conn().cmd("AUTH", "foo", "x"), WRONGPASS)

    def test_auth_syntax(self):
        c = self.conn()
        self.assertEqual(c.cmd("AUTH"), wrong_args("auth"))
        self.assertEqual(c.cmd("AUTH", "a", "b", "c"), SYNTAX)
        self.assertEqual(c.cmd("PING"), PONG)


# ---------------------------------------------------------------------------------------------
# CLIENT
# ---------------------------------------------------------------------------------------------
class ClientIdAndName(ConnectionCase):
    def test_id_is_an_increasing_integer(self):
        a = self.conn()
        first = self.client_id(a)
        self.assertIsInstance(first, int)
        self.assertEqual(self.client_id(a), first)
        self.assertGreater(self.client_id(self.conn()), first)
        self.assertEqual(a.cmd("CLIENT", "ID", "x"), wrong_args("client|id"))

    def test_setname_getname(self):
        c = self.conn()
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), b"$-1\r\n")
        self.assertEqual(c.cmd("CLIENT", "SETNAME", "ok-name"), OK)
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), bulk(b"ok-name"))
        self.assertEqual(self.client_info(c)["name"], "ok-name")
        self.assertEqual(c.cmd("CLIENT", "SETNAME", "~!"), OK)
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), bulk(b"~!"))
        # An empty name removes the name.
        self.assertEqual(c.cmd("CLIENT", "SETNAME", ""), OK)
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), b"$-1\r\n")

    def test_names_must_be_printable_without_spaces(self):
        c = self.conn()
        c.cmd("CLIENT", "SETNAME", "kept")
        for name in (b"a b", b" ", b"a\nb", b"a\r", b"\x7f", b"\x00", "é".encode()):
            with self.subTest(name=name):
                self.assertEqual(c.cmd("CLIENT", "SETNAME", name), BAD_NAME)
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), bulk(b"kept"))

    def test_arity(self):
        c = self.conn()
        self.assertEqual(c.cmd("CLIENT", "SETNAME"), wrong_args("client|setname"))
        self.assertEqual(c.cmd("CLIENT", "SETNAME", "a", "b"), wrong_args("client|setname"))
        self.assertEqual(c.cmd("CLIENT", "GETNAME", "x"), wrong_args("client|getname"))
        self.assertEqual(c.cmd("CLIENT"), wrong_args("client"))
        self.assertEqual(c.cmd("CLIENT", "nosuch"), b"-ERR unknown subcommand 'nosuch'. Try CLIENT HELP.\r\n")

    def test_names_are_per_connection(self):
        a, b = self.conn(), self.conn()
        a.cmd("CLIENT", "SETNAME", "a")
        self.assertEqual(b.cmd("CLIENT", "GETNAME"), b"$-1\r\n")


class ClientSetInfo(ConnectionCase):
    @needs_redis_72
    def test_setinfo_lib_name_and_version(self):
        c = self.conn()
        self.assertEqual(c.cmd("CLIENT", "SETINFO", "lib-name", "redis-py"), OK)
        self.assertEqual(c.cmd("CLIENT", "SETINFO", "LIB-VER", "4.3.4"), OK)
        info = self.client_info(c)
        self.assertEqual((info["lib-name"], info["lib-ver"]), ("redis-py", "4.3.4"))
        # An empty value clears the attribute.
        self.assertEqual(c.cmd("CLIENT", "SETINFO", "lib-ver", ""), OK)
        self.assertEqual(self.client_info(c)["lib-ver"], "")

    @needs_redis_72
    def test_setinfo_errors(self):
        c = self.conn()
        self.assertEqual(c.cmd("CLIENT", "SETINFO", "foo", "x"), b"-ERR Unrecognized option 'foo'\r\n")
        self.assertEqual(c.cmd("CLIENT", "SETINFO", "lib-name", "a b"),
                         b"-ERR lib-name cannot contain spaces, newlines or special characters.\r\n")
        self.assertEqual(c.cmd("CLIENT", "SETINFO", "lib-ver", "1\n"),
                         b"-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n")
        self.assertEqual(c.cmd("CLIENT", "SETINFO", "lib-name"), wrong_args("client|setinfo"))
        self.assertEqual(self.client_info(c)["lib-name"], "")

    @needs_redis_72
    def test_setinfo_fields_follow_resp_in_client_list(self):
        c = self.conn()
        c.cmd("CLIENT", "SETINFO", "lib-name", "jedis")
        keys = [k for k, _ in client_fields(decode(c.cmd("CLIENT", "INFO")).decode().rstrip("\n"))]
        self.assertEqual(keys[keys.index("resp") + 1:], CLIENT_FIELDS_72)


class ClientList(ConnectionCase):
    def assertFieldOrder(self, fields):
        keys = [k for k, _ in fields]
        self.assertEqual([k for k in keys if k not in CLIENT_FIELDS_72], CLIENT_FIELDS)
        self.assertLessEqual(set(keys) - set(CLIENT_FIELDS), set(CLIENT_FIELDS_72))

    def list_lines(self, c, *args):
        text = decode(c.cmd("CLIENT", "LIST", *args)).decode()
        self.assertTrue(text == "" or text.endswith("\n"), text)
        return [dict(client_fields(line)) for line in text.splitlines()]

    def test_fields_order_and_values(self):
        c = self.served_conn()
        c.cmd("CLIENT", "SETNAME", "lister")
        c.cmd("SELECT", "2")
        my_id = self.client_id(c)
        text = decode(c.cmd("CLIENT", "LIST")).decode()
        mine = [line for line in text.splitlines() if line.startswith("id=%d " % my_id)]
        self.assertEqual(len(mine), 1, text)
        fields = client_fields(mine[0])
        self.assertFieldOrder(fields)
        info = dict(fields)
        local = c.sock.getsockname()
        self.assertEqual(info["addr"], "%s:%d" % local)
        self.assertEqual(info["laddr"], "127.0.0.1:%d" % self.server.port)
        self.assertRegex(info["fd"], r"^-?\d+$")
        self.assertEqual(info["name"], "lister")
        self.assertRegex(info["age"], r"^\d+$")
        self.assertRegex(info["idle"], r"^\d+$")
        self.assertEqual(info["flags"], "N")
        self.assertEqual(info["db"], "2")
        self.assertEqual((info["sub"], info["psub"], info["ssub"], info["multi"]), ("0", "0", "0", "-1"))
        for key in ("qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
                    "tot-mem"):
            self.assertRegex(info[key], r"^\d+$", key)
        self.assertRegex(info["events"], r"^r?w?$")
        self.assertEqual(info["cmd"], "client|list")
        self.assertEqual(info["user"], "default")
        self.assertEqual((info["redir"], info["resp"]), ("-1", "2"))

    def test_lists_every_connection(self):
        conns = [self.served_conn() for _ in range(3)]
        ids = {self.client_id(c) for c in conns}
        listed = {int(line["id"]) for line in self.list_lines(conns[0])}
        self.assertLessEqual(ids, listed)
        conns[1].cmd("QUIT")
        self.assertTrue(conns[1].is_closed())
        deadline = time.time() + 5
        while True:
            listed = {int(line["id"]) for line in self.list_lines(conns[0])}
            if len(ids & listed) == 2 or time.time() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(len(ids & listed), 2, "a closed connection leaves the list")

    def test_cmd_field_shows_the_last_command(self):
        a, b = self.served_conn(), self.served_conn()
        b_id = str(self.client_id(b))
        b.cmd("GET", "k")
        self.assertEqual([l["cmd"] for l in self.list_lines(a) if l["id"] == b_id], ["get"])
        b.cmd("CONFIG", "GET", "port")
        self.assertEqual([l["cmd"] for l in self.list_lines(a) if l["id"] == b_id], ["config|get"])

    def test_idle_grows(self):
        a, b = self.served_conn(), self.served_conn()
        b_id = str(self.client_id(b))
        time.sleep(2.1)
        line = [l for l in self.list_lines(a) if l["id"] == b_id][0]
        self.assertGreaterEqual(int(line["idle"]), 2)
        self.assertGreaterEqual(int(line["age"]), 2)

    def test_type_filter(self):
        c = self.served_conn()
        my_id = str(self.client_id(c))
        self.assertIn(my_id, [l["id"] for l in self.list_lines(c, "TYPE", "normal")])
        self.assertIn(my_id, [l["id"] for l in self.list_lines(c, "TYPE", "NORMAL")])
        for kind in ("master", "replica", "slave", "pubsub"):
            self.assertEqual(c.cmd("CLIENT", "LIST", "TYPE", kind), b"$0\r\n\r\n")
        self.assertEqual(c.cmd("CLIENT", "LIST", "TYPE", "x"), b"-ERR Unknown client type 'x'\r\n")
        self.assertEqual(c.cmd("CLIENT", "LIST", "TYPE"), SYNTAX)

    def test_id_filter(self):
        a, b, _ = self.served_conn(), self.served_conn(), self.served_conn()
        ids = [str(self.client_id(a)), str(self.client_id(b))]
        self.assertEqual([l["id"] for l in self.list_lines(a, "ID", *ids)], ids)
        self.assertEqual(a.cmd("CLIENT", "LIST", "ID", "99999999"), b"$0\r\n\r\n")
        self.assertEqual(a.cmd("CLIENT", "LIST", "ID", ids[0], "x"), b"-ERR Invalid client ID\r\n")
        self.assertEqual(a.cmd("CLIENT", "LIST", "ID"), SYNTAX)
        self.assertEqual(a.cmd("CLIENT", "LIST", "foo"), SYNTAX)

    def test_client_info_is_this_connections_line(self):
        c = self.served_conn()
        c.cmd("CLIENT", "SETNAME", "me")
        fields = client_fields(decode(c.cmd("CLIENT", "INFO")).decode().rstrip("\n"))
        self.assertFieldOrder(fields)
        info = dict(fields)
        self.assertEqual(info["id"], str(self.client_id(c)))
        self.assertEqual((info["name"], info["cmd"]), ("me", "client|info"))
        self.assertEqual(c.cmd("CLIENT", "INFO", "x"), wrong_args("client|info"))

    def test_resp3_uses_verbatim_strings(self):
        c = self.served_conn()
        c.cmd("HELLO", "3")
        reply = c.cmd("CLIENT", "INFO")
        self.assertRegex(reply, rb"^=\d+\r\ntxt:id=\d+ ")
        self.assertEqual(self.client_info(c)["resp"], "3")
        self.assertRegex(c.cmd("CLIENT", "LIST"), rb"^=\d+\r\ntxt:id=\d+ ")


class ClientKill(ConnectionCase):
    def addr(self, c):
        return "%s:%d" % c.sock.getsockname()

    def test_old_form_by_address(self):
        killer, victim = self.served_conn(), self.served_conn()
        self.assertEqual(killer.cmd("CLIENT", "KILL", self.addr(victim)), OK)
        self.assertTrue(victim.is_closed())
        self.assertEqual(killer.cmd("CLIENT", "KILL", self.addr(victim)), b"-ERR No such client\r\n")
        self.assertEqual(killer.cmd("CLIENT", "KILL", "1.2.3.4:5"), b"-ERR No such client\r\n")

    def test_by_id(self):
        killer, victim, bystander = self.served_conn(), self.served_conn(), self.served_conn()
        self.assertEqual(killer.cmd("CLIENT", "KILL", "ID", self.client_id(victim)), b":1\r\n")
        self.assertTrue(victim.is_closed())
        self.assertEqual(killer.cmd("CLIENT", "KILL", "ID", "99999999"), b":0\r\n")
        self.assertEqual(bystander.cmd("PING"), PONG)

    def test_by_addr(self):
        killer, victim = self.served_conn(), self.served_conn()
        self.assertEqual(killer.cmd("CLIENT", "KILL", "ADDR", self.addr(victim)), b":1\r\n")
        self.assertTrue(victim.is_closed())
        self.assertEqual(killer.cmd("CLIENT", "KILL", "ADDR", "1.2.3.4:5"), b":0\r\n")

    def test_filters_combine(self):
        killer, victim = self.served_conn(), self.served_conn()
        victim_id = self.client_id(victim)
        # ID and ADDR must both match.
        self.assertEqual(killer.cmd("CLIENT", "KILL", "ID", victim_id, "ADDR", self.addr(killer)), b":0\r\n")
        self.assertEqual(killer.cmd("CLIENT", "KILL", "ID", victim_id, "ADDR", self.addr(victim)), b":1\r\n")
        self.assertTrue(victim.is_closed())

    def test_laddr_kills_all_but_me(self):
        me, others = self.served_conn(), [self.served_conn(), self.served_conn()]
        count = decode(me.cmd("CLIENT", "KILL", "LADDR", "127.0.0.1:%d" % self.server.port))
        self.assertGreaterEqual(count, 2)
        for c in others:
            self.assertTrue(c.is_closed())
        self.assertEqual(me.cmd("PING"), PONG)
        self.assertEqual(me.cmd("CLIENT", "KILL", "LADDR", "1.2.3.4:5"), b":0\r\n")
        self.r.close()  # its connection was killed too; the next call reconnects

    def test_skipme(self):
        c = self.served_conn()
        my_id = self.client_id(c)
        self.assertEqual(c.cmd("CLIENT", "KILL", "ID", my_id), b":0\r\n")
        self.assertEqual(c.cmd("CLIENT", "KILL", "ID", my_id, "SKIPME", "yes"), b":0\r\n")
        self.assertEqual(c.cmd("CLIENT", "KILL", "ID", my_id, "SKIPME", "x"), SYNTAX)
        self.assertEqual(c.cmd("CLIENT", "KILL", "ID", my_id, "SKIPME", "no"), b":1\r\n")
        self.assertTrue(c.is_closed())

    def test_errors(self):
        c = self.served_conn()
        self.assertEqual(c.cmd("CLIENT", "KILL", "ID", "x"), b"-ERR client-id should be greater than 0\r\n")
        self.assertEqual(c.cmd("CLIENT", "KILL", "ID", "0"), b"-ERR client-id should be greater than 0\r\n")
        self.assertEqual(c.cmd("CLIENT", "KILL", "FOO", "x"), SYNTAX)
        self.assertEqual(c.cmd("CLIENT", "KILL", "TYPE", "x"), b"-ERR Unknown client type 'x'\r\n")
        self.assertEqual(c.cmd("CLIENT", "KILL", "USER", "nosuch"), b"-ERR No such user 'nosuch'\r\n")
        self.assertEqual(c.cmd("CLIENT", "KILL", "ID", "1", "ADDR"), SYNTAX)
        # Two arguments are the old form: "ID" is taken as an address.
        self.assertEqual(c.cmd("CLIENT", "KILL", "ID"), b"-ERR No such client\r\n")
        self.assertEqual(c.cmd("CLIENT", "KILL"), wrong_args("client|kill"))
        self.assertEqual(c.cmd("PING"), PONG)


class ClientFlags(ConnectionCase):
    def test_no_evict(self):
        c = self.conn()
        self.assertEqual(c.cmd("CLIENT", "NO-EVICT", "on"), OK)
        self.assertEqual(self.client_info(c)["flags"], "e")
        self.assertEqual(c.cmd("CLIENT", "NO-EVICT", "OFF"), OK)
        self.assertEqual(self.client_info(c)["flags"], "N")
        self.assertEqual(c.cmd("CLIENT", "NO-EVICT", "x"), SYNTAX)
        self.assertEqual(c.cmd("CLIENT", "NO-EVICT"), wrong_args("client|no-evict"))

    @needs_redis_72
    def test_no_touch(self):
        c = self.conn()
        self.assertEqual(c.cmd("CLIENT", "NO-TOUCH", "ON"), OK)
        self.assertEqual(self.client_info(c)["flags"], "T")
        self.assertEqual(c.cmd("CLIENT", "NO-TOUCH", "off"), OK)
        self.assertEqual(self.client_info(c)["flags"], "N")
        self.assertEqual(c.cmd("CLIENT", "NO-TOUCH", "x"), SYNTAX)
        self.assertEqual(c.cmd("CLIENT", "NO-TOUCH"), wrong_args("client|no-touch"))

    def test_reply_off_on(self):
        c = self.conn()
        c.send(encode("CLIENT", "REPLY", "OFF") + encode("PING", "a") + encode("SET", "k", "v") +
               encode("nosuch") + encode("CLIENT", "REPLY", "ON") + encode("PING", "b"))
        self.assertEqual(c.reply(), OK)  # only REPLY ON answers
        self.assertEqual(c.reply(), bulk(b"b"))
        self.assertEqual(self.r.get("k"), b"v", "commands still run with replies off")

    def test_reply_skip(self):
        c = self.conn()
        c.send(encode("CLIENT", "REPLY", "SKIP") + encode("PING", "skipped") + encode("PING", "seen"))
        self.assertEqual(c.reply(), bulk(b"seen"))
        # SKIP twice in a row still skips only the one command after the last SKIP.
        c.send(encode("CLIENT", "REPLY", "SKIP") + encode("CLIENT", "REPLY", "SKIP") + encode("PING", "b") +
               encode("PING", "c"))
        self.assertEqual(c.reply(), bulk(b"c"))

    def test_reply_errors(self):
        c = self.conn()
        self.assertEqual(c.cmd("CLIENT", "REPLY", "x"), SYNTAX)
        self.assertEqual(c.cmd("CLIENT", "REPLY"), wrong_args("client|reply"))
        self.assertEqual(c.cmd("CLIENT", "REPLY", "ON", "x"), wrong_args("client|reply"))
        self.assertEqual(c.cmd("CLIENT", "REPLY", "on"), OK)


# ---------------------------------------------------------------------------------------------
# Client library handshakes (spring-session-wire.md section 4)
# ---------------------------------------------------------------------------------------------
class Handshakes(ConnectionCase):
    LETTUCE = [("HELLO", "3"), ("SELECT", "1"), ("CLIENT", "SETINFO", "lib-name", "Lettuce"),
               ("CLIENT", "SETINFO", "lib-ver", "6.4.1.RELEASE/2a5e4b3")]

    def test_lettuce_641_pipelined_handshake(self):
        # Lettuce 6.4.0/6.4.1 writes SELECT and CLIENT SETINFO before HELLO's reply arrives: the
        # replies must come back in order and SELECT must apply after HELLO.
        c = self.conn()
        replies = self.pipeline(c, *self.LETTUCE, ("SET", "k", "v"), ("CLIENT", "INFO"))
        self.assertEqual(hello_map(replies[0])["proto"], 3)
        self.assertEqual(replies[1], OK)
        self.assertEqual(replies[4], OK)
        self.assertRegex(replies[5], rb"^=\d+\r\ntxt:id=\d+ ", "CLIENT INFO is verbatim in RESP3")
        info = dict(client_fields(decode(replies[5]).decode().rstrip("\n")))
        self.assertEqual((info["db"], info["resp"]), ("1", "3"))
        self.assertIsNone(self.r.get("k"))
        self.assertEqual(self.server.client(db=1).get("k"), b"v")

    @needs_redis_72
    def test_lettuce_setinfo_succeeds(self):
        # Lettuce 6.3 treats a failing CLIENT SETINFO as fatal when HELLO reports >= 7.2.
        c = self.conn()
        replies = self.pipeline(c, *self.LETTUCE, ("CLIENT", "INFO"))
        self.assertEqual(replies[2:4], [OK, OK])
        info = dict(client_fields(decode(replies[4]).decode().rstrip("\n")))
        self.assertEqual((info["lib-name"], info["lib-ver"]), ("Lettuce", "6.4.1.RELEASE/2a5e4b3"))

    def test_jedis_5_handshake(self):
        # Jedis 5 without a password: fire-and-forget CLIENT SETNAME and SETINFO, then SELECT.
        c = self.conn()
        replies = self.pipeline(c, ("CLIENT", "SETNAME", "spring-app"),
                                ("CLIENT", "SETINFO", "LIB-NAME", "jedis"),
                                ("CLIENT", "SETINFO", "LIB-VER", "5.1.5"), ("SELECT", "2"), ("PING",))
        self.assertEqual(replies[0], OK)
        self.assertEqual(replies[3:], [OK, PONG])
        info = self.client_info(c)
        self.assertEqual((info["name"], info["db"]), ("spring-app", "2"))

    @needs_redis_72
    def test_jedis_setinfo_succeeds(self):
        c = self.conn()
        replies = self.pipeline(c, ("CLIENT", "SETINFO", "LIB-NAME", "jedis"),
                                ("CLIENT", "SETINFO", "LIB-VER", "5.1.5"))
        self.assertEqual(replies, [OK, OK])
        info = self.client_info(c)
        self.assertEqual((info["lib-name"], info["lib-ver"]), ("jedis", "5.1.5"))

    def test_jedis_4_handshake(self):
        # Jedis 4.0-4.3: blocking SELECT, then CLIENT SETNAME; pooled connections are checked with PING.
        c = self.conn()
        self.assertEqual(c.cmd("SELECT", "3"), OK)
        self.assertEqual(c.cmd("CLIENT", "SETNAME", "pool-1"), OK)
        self.assertEqual(c.cmd("PING"), PONG)


# ---------------------------------------------------------------------------------------------
# requirepass
# ---------------------------------------------------------------------------------------------
class RequirePass(ConnectionCase):
    CONFIG = {"requirepass": "secret"}
    PASSWORD = "secret"

    def test_commands_need_auth(self):
        c = self.conn()
        for args in (["PING"], ["GET", "k"], ["SET", "k", "v"], ["SELECT", "1"], ["CLIENT", "SETNAME", "x"],
                     ["CLIENT", "ID"], ["ECHO", "x"], ["INFO"], ["CONFIG", "GET", "port"], ["DBSIZE"]):
            with self.subTest(args=args):
                self.assertEqual(c.cmd(*args), NOAUTH)
        self.assertIsNone(self.r.get("k"))

    def test_unknown_command_and_arity_are_checked_before_auth(self):
        c = self.conn()
        self.assertEqual(c.cmd("nosuch"), b"-ERR unknown command 'nosuch', with args beginning with: \r\n")
        self.assertEqual(c.cmd("GET"), wrong_args("get"))

    def test_auth(self):
        c = self.conn()
        self.assertEqual(c.cmd("AUTH", "wrong"), WRONGPASS)
        self.assertEqual(c.cmd("AUTH", "default", "wrong"), WRONGPASS)
        self.assertEqual(c.cmd("AUTH", "nosuchuser", "secret"), WRONGPASS)
        self.assertEqual(c.cmd("GET", "k"), NOAUTH)
        self.assertEqual(c.cmd("AUTH", "secret"), OK)
        self.assertEqual(c.cmd("PING"), PONG)
        d = self.conn()
        self.assertEqual(d.cmd("AUTH", "default", "secret"), OK)
        self.assertEqual(d.cmd("SET", "k", "v"), OK)

    def test_failed_auth_after_success_keeps_the_session(self):
        c = self.conn()
        c.cmd("AUTH", "secret")
        self.assertEqual(c.cmd("AUTH", "wrong"), WRONGPASS)
        self.assertEqual(c.cmd("PING"), PONG)

    def test_hello_needs_auth(self):
        c = self.conn()
        for args in (["HELLO"], ["HELLO", "3"], ["HELLO", "2", "SETNAME", "x"]):
            with self.subTest(args=args):
                reply = c.cmd(*args)
                self.assertTrue(reply.startswith(HELLO_NOAUTH_PREFIX), reply)
                self.assertTrue(reply.endswith(b"\r\n") and reply.count(b"\r\n") == 1, reply)
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), NOAUTH, "a refused HELLO sets no name")
        # Version and syntax are checked first.
        self.assertEqual(c.cmd("HELLO", "4"), NOPROTO)
        self.assertEqual(c.cmd("HELLO", "x"), b"-ERR Protocol version is not an integer or out of range\r\n")
        self.assertEqual(c.cmd("HELLO", "3", "AUTH", "x"), b"-ERR Syntax error in HELLO option 'AUTH'\r\n")

    @needs_redis_72
    def test_hello_needs_auth_text(self):
        self.assertEqual(self.conn().cmd("HELLO", "3"), HELLO_NOAUTH_72)

    def test_hello_auth(self):
        c = self.conn()
        self.assertEqual(c.cmd("HELLO", "3", "AUTH", "default", "wrong"), WRONGPASS)
        self.assertEqual(c.cmd("PING"), NOAUTH)
        reply = c.cmd("HELLO", "3", "AUTH", "default", "secret")
        self.assertEqual(hello_map(reply)["proto"], 3)
        self.assertEqual(c.cmd("GET", "nokey"), b"_\r\n")

    def test_hello_auth_setname(self):
        c = self.conn()
        reply = c.cmd("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "lettuce-app")
        self.assertEqual(hello_map(reply)["proto"], 3)
        self.assertEqual(c.cmd("CLIENT", "GETNAME"), bulk(b"lettuce-app"))

    def test_lettuce_pipelined_handshake_with_password(self):
        c = self.conn()
        replies = self.pipeline(c, ("HELLO", "3", "AUTH", "default", "secret"), ("SELECT", "1"),
                                ("CLIENT", "SETINFO", "lib-name", "Lettuce"),
                                ("CLIENT", "SETINFO", "lib-ver", "6.4.1.RELEASE"), ("SET", "k", "v"))
        self.assertEqual(hello_map(replies[0])["proto"], 3)
        self.assertEqual(replies[1], OK)
        self.assertEqual(replies[4], OK)
        self.assertEqual(self.server.client(password="secret", db=1).get("k"), b"v")

    def test_jedis_handshake_with_password(self):
        c = self.conn()
        replies = self.pipeline(c, ("AUTH", "secret"), ("CLIENT", "SETNAME", "jedis-app"),
                                ("CLIENT", "SETINFO", "LIB-NAME", "jedis"),
                                ("CLIENT", "SETINFO", "LIB-VER", "5.1.5"),
                                ("SELECT", "4"), ("PING",))
        self.assertEqual(replies[:2], [OK, OK])
        self.assertEqual(replies[4:], [OK, PONG])

    def test_lettuce_resp2_fallback_before_auth_fails_select(self):
        # The SDR #3071 failure mode: when HELLO is refused, a SELECT pipelined before AUTH fails.
        c = self.conn()
        replies = self.pipeline(c, ("SELECT", "1"), ("AUTH", "secret"), ("SELECT", "1"))
        self.assertEqual(replies, [NOAUTH, OK, OK])

    def test_quit_and_reset_work_before_auth(self):
        c = self.conn()
        self.assertEqual(c.cmd("RESET"), b"+RESET\r\n")
        self.assertEqual(c.cmd("QUIT"), OK)
        self.assertTrue(c.is_closed())

    def test_reset_logs_out(self):
        c = self.conn()
        c.cmd("AUTH", "secret")
        self.assertEqual(c.cmd("GET", "k"), b"$-1\r\n")
        self.assertEqual(c.cmd("RESET"), b"+RESET\r\n")
        self.assertEqual(c.cmd("GET", "k"), NOAUTH)

    def test_redis_py_with_password(self):
        client = self.server.client(password="secret", db=2)
        self.assertTrue(client.set("k", "v"))
        self.assertEqual(client.get("k"), b"v")
        client.close()

    def test_config_get_requirepass(self):
        # CONFIG GET requirepass returns the password to an authenticated client (Redis does).
        self.assertEqual(self.r.config_get("requirepass"), {"requirepass": "secret"})


if __name__ == "__main__":
    main()

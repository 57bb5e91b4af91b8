# SPDX-License-Identifier: Apache-2.0
"""Integration tests for the string family: GET, SET and its options, SETNX, SETEX, PSETEX, GETSET,
GETDEL, GETEX, MGET, MSET, MSETNX, APPEND, STRLEN, INCR/DECR/INCRBY/DECRBY, INCRBYFLOAT, GETRANGE,
SETRANGE, SUBSTR and LCS.

Every expectation here was checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis). Byte-exact
checks use the raw connection where the reply shape matters (error texts, RESP2/RESP3 null forms);
redis-py strips the leading "ERR " from error messages, so assertError texts omit it.

Tests that need another data type (WRONGTYPE) live in StringsWrongType, at the end of the file.
"""
import time

from support.server import ServerTestCase, main

WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
NOT_FLOAT = b"-ERR value is not a valid float\r\n"
SYNTAX = b"-ERR syntax error\r\n"
OVERFLOW = b"-ERR increment or decrement would overflow\r\n"
NAN_OR_INF = b"-ERR increment would produce NaN or Infinity\r\n"
TOO_BIG = b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"
NULL2 = b"$-1\r\n"
EMPTY_BULK = b"$0\r\n\r\n"
OK = b"+OK\r\n"

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

# A java.io.ObjectOutputStream header (AC ED 00 05) followed by a serialized String "hello\r\n"
# and some invalid UTF-8: what Spring Session's JDK serializer stores.
JDK_BYTES = b"\xac\xed\x00\x05t\x00\x07hello\r\n\xff\xfe\x00\xc3\x28"


def bulk(value):
    """The RESP encoding of one bulk string."""
    return b"$%d\r\n%s\r\n" % (len(value), value)


def invalid_expire(cmd):
    return b"-ERR invalid expire time in '%s' command\r\n" % cmd.encode()


def wrong_args(cmd):
    return b"-ERR wrong number of arguments for '%s' command\r\n" % cmd.encode()


def eventually(predicate, timeout=10.0, interval=0.02):
    """Polls predicate() until it is true or `timeout` seconds pass; returns its last value."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value or time.time() >= deadline:
            return value
        time.sleep(interval)


class StringTestCase(ServerTestCase):
    """Adds a raw connection per test (closed in tearDown)."""

    def setUp(self):
        super().setUp()
        self.raw = self.server.raw()

    def tearDown(self):
        self.raw.close()
        super().tearDown()

    def assertTtlAbout(self, key, seconds):
        """TTL of `key` is `seconds` or one less (the clock may tick between SET and TTL)."""
        self.assertIn(self.r.ttl(key), (seconds - 1, seconds))

    def assertNoTtl(self, key):
        self.assertEqual(self.r.ttl(key), -1)


# ---------------------------------------------------------------------------------------------
# GET / SET basics and values
# ---------------------------------------------------------------------------------------------
class GetSet(StringTestCase):
    def test_set_then_get(self):
        self.assertEqual(self.raw.cmd("SET", "k", "v"), OK)
        self.assertEqual(self.raw.cmd("GET", "k"), b"$1\r\nv\r\n")
        self.assertEqual(self.raw.cmd("SET", "k", "v2"), OK)
        self.assertEqual(self.r.get("k"), b"v2")

    def test_get_missing_key_is_resp2_null(self):
        self.assertEqual(self.raw.cmd("GET", "nokey"), NULL2)
        self.assertIsNone(self.r.get("nokey"))

    def test_command_names_are_case_insensitive(self):
        self.assertEqual(self.raw.cmd("sEt", "k", "v"), OK)
        self.assertEqual(self.raw.cmd("get", "k"), b"$1\r\nv\r\n")

    def test_binary_values_round_trip(self):
        values = [b"\x00", b"a\x00b", b"\r\n", b"line1\r\nline2\r\n", b"\xff\xfe\xfd",
                  b"\xc3\x28", JDK_BYTES, bytes(range(256)), b"$5\r\nhello\r\n", b"*1\r\n"]
        for i, value in enumerate(values):
            key = b"k%d" % i
            self.assertEqual(self.raw.cmd("SET", key, value), OK)
            self.assertEqual(self.raw.cmd("GET", key), bulk(value))
            self.assertEqual(self.r.get(key), value)
            self.assertEqual(self.r.strlen(key), len(value))

    def test_binary_keys(self):
        for key in (b"\x00", b"a\r\nb", b"\xac\xed\x00\x05", b"spring:session:sessions:\xff"):
            self.assertTrue(self.r.set(key, b"v-" + key))
            self.assertEqual(self.r.get(key), b"v-" + key)
        self.assertIsNone(self.r.get(b"a\r\n"))

    def test_empty_value_is_a_real_key(self):
        self.assertEqual(self.raw.cmd("SET", "e", ""), OK)
        self.assertEqual(self.raw.cmd("GET", "e"), EMPTY_BULK)
        self.assertEqual(self.r.exists("e"), 1)
        self.assertEqual(self.r.strlen("e"), 0)
        self.assertEqual(self.r.type("e"), b"string")

    def test_empty_key_name(self):
        self.assertTrue(self.r.set("", "empty-name"))
        self.assertEqual(self.r.get(""), b"empty-name")

    def test_large_value(self):
        value = bytes((i * 7 + 3) % 256 for i in range(1 << 20))
        self.assertTrue(self.r.set("big", value))
        self.assertEqual(self.r.get("big"), value)
        self.assertEqual(self.r.strlen("big"), 1 << 20)

    def test_integer_looking_values_keep_their_bytes(self):
        for value in (b"0", b"-1", b"007", b"+5", b" 1", b"1.50", b"9223372036854775808",
                      b"-9223372036854775808", b"1e3"):
            self.r.set("k", value)
            self.assertEqual(self.r.get("k"), value)
            self.assertEqual(self.r.strlen("k"), len(value))

    def test_pipelined_sets_and_gets(self):
        pipe = self.r.pipeline(transaction=False)
        for i in range(100):
            pipe.set("p%d" % i, "v%d" % i)
        for i in range(100):
            pipe.get("p%d" % i)
        replies = pipe.execute()
        self.assertEqual(replies[:100], [True] * 100)
        self.assertEqual(replies[100:], [b"v%d" % i for i in range(100)])


# ---------------------------------------------------------------------------------------------
# SET options
# ---------------------------------------------------------------------------------------------
class SetOptions(StringTestCase):
    def test_nx(self):
        self.assertEqual(self.raw.cmd("SET", "k", "v1", "NX"), OK)
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "NX"), NULL2)
        self.assertEqual(self.r.get("k"), b"v1")
        self.assertIsNone(self.r.set("k", "v3", nx=True))

    def test_xx(self):
        self.assertEqual(self.raw.cmd("SET", "k", "v1", "XX"), NULL2)
        self.assertEqual(self.r.exists("k"), 0)
        self.r.set("k", "v1")
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "XX"), OK)
        self.assertEqual(self.r.get("k"), b"v2")

    def test_get_returns_old_value(self):
        self.assertEqual(self.raw.cmd("SET", "k", "v1", "GET"), NULL2)
        self.assertEqual(self.r.get("k"), b"v1")
        self.assertEqual(self.raw.cmd("SET", "k", JDK_BYTES, "GET"), b"$2\r\nv1\r\n")
        self.assertEqual(self.r.set("k", "v3", get=True), JDK_BYTES)
        self.assertEqual(self.r.get("k"), b"v3")

    def test_get_with_empty_old_value(self):
        self.r.set("k", "")
        self.assertEqual(self.raw.cmd("SET", "k", "x", "GET"), EMPTY_BULK)

    def test_nx_get(self):
        # Allowed since Redis 7.0: returns the old value; sets only when the key was missing.
        self.assertEqual(self.raw.cmd("SET", "k", "v1", "NX", "GET"), NULL2)
        self.assertEqual(self.r.get("k"), b"v1")
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "NX", "GET"), b"$2\r\nv1\r\n")
        self.assertEqual(self.r.get("k"), b"v1")
        self.assertEqual(self.raw.cmd("SET", "k", "v3", "GET", "NX"), b"$2\r\nv1\r\n")
        self.assertEqual(self.r.get("k"), b"v1")

    def test_xx_get(self):
        self.assertEqual(self.raw.cmd("SET", "k", "v1", "XX", "GET"), NULL2)
        self.assertEqual(self.r.exists("k"), 0)
        self.r.set("k", "v1")
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "XX", "GET"), b"$2\r\nv1\r\n")
        self.assertEqual(self.r.get("k"), b"v2")

    def test_options_are_case_insensitive(self):
        self.assertEqual(self.raw.cmd("SET", "k", "v", "ex", "100", "nx"), OK)
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "Ex", "100", "xX", "GeT"), b"$1\r\nv\r\n")
        self.assertEqual(self.raw.cmd("SET", "k", "v3", "KeEpTtL"), OK)
        self.assertTtlAbout("k", 100)

    def test_repeated_options_are_accepted(self):
        self.assertEqual(self.raw.cmd("SET", "k", "v", "NX", "NX"), OK)
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "XX", "XX", "GET", "GET"), b"$1\r\nv\r\n")
        self.assertEqual(self.raw.cmd("SET", "k", "v3", "KEEPTTL", "KEEPTTL"), OK)
        # The last EX wins.
        self.assertEqual(self.raw.cmd("SET", "k", "v", "EX", "10", "EX", "200"), OK)
        self.assertTtlAbout("k", 200)

    def test_value_that_looks_like_an_option(self):
        self.assertEqual(self.raw.cmd("SET", "k", "NX"), OK)
        self.assertEqual(self.r.get("k"), b"NX")
        self.assertEqual(self.raw.cmd("SET", "EX", "GET", "GET"), NULL2)
        self.assertEqual(self.r.get("EX"), b"GET")

    def test_conflicting_options_are_syntax_errors(self):
        self.r.set("k", "orig")
        bad = [
            ("NX", "XX"), ("XX", "NX"),
            ("EX", "10", "PX", "100"), ("PX", "100", "EX", "10"),
            ("EX", "10", "EXAT", "99999999999"), ("EXAT", "99999999999", "EX", "10"),
            ("EX", "10", "PXAT", "99999999999999"), ("PXAT", "99999999999999", "EX", "10"),
            ("PX", "10", "EXAT", "99999999999"), ("EXAT", "99999999999", "PX", "10"),
            ("PX", "10", "PXAT", "99999999999999"), ("PXAT", "99999999999999", "PX", "10"),
            ("EXAT", "99999999999", "PXAT", "99999999999999"),
            ("PXAT", "99999999999999", "EXAT", "99999999999"),
            ("KEEPTTL", "EX", "10"), ("EX", "10", "KEEPTTL"),
            ("KEEPTTL", "PX", "10"), ("PX", "10", "KEEPTTL"),
            ("KEEPTTL", "EXAT", "99999999999"), ("EXAT", "99999999999", "KEEPTTL"),
            ("KEEPTTL", "PXAT", "99999999999999"), ("PXAT", "99999999999999", "KEEPTTL"),
            ("PERSIST",), ("FOO",), ("EX",), ("PX",), ("EXAT",), ("PXAT",), ("NX", "EX"),
            ("GETT",), ("N",), ("EX", "10", "10"), ("",),
        ]
        for opts in bad:
            with self.subTest(opts=opts):
                self.assertEqual(self.raw.cmd("SET", "k", "new", *opts), SYNTAX)
        self.assertEqual(self.r.get("k"), b"orig")
        self.assertNoTtl("k")

    def test_syntax_error_wins_over_bad_number(self):
        self.assertEqual(self.raw.cmd("SET", "k", "v", "EX", "abc", "PX", "1"), SYNTAX)
        self.assertEqual(self.raw.cmd("SET", "k", "v", "EX", "0", "FOO"), SYNTAX)

    def test_invalid_expire_values(self):
        self.r.set("k", "orig")
        for opt in ("EX", "PX", "EXAT", "PXAT"):
            for value in ("0", "-1", "-9223372036854775808"):
                with self.subTest(opt=opt, value=value):
                    self.assertEqual(self.raw.cmd("SET", "k", "v", opt, value), invalid_expire("set"))
            for value in ("abc", "1.5", " 10", "10 ", "", "9223372036854775808", "0x10"):
                with self.subTest(opt=opt, value=value):
                    self.assertEqual(self.raw.cmd("SET", "k", "v", opt, value), NOT_INTEGER)
        # Overflow when converting seconds to milliseconds or adding the current time.
        for opt, value in (("EX", "9223372036854775807"), ("EX", "9223372036854775"),
                           ("PX", "9223372036854775807"), ("EXAT", "9223372036854775807")):
            with self.subTest(opt=opt, value=value):
                self.assertEqual(self.raw.cmd("SET", "k", "v", opt, value), invalid_expire("set"))
        self.assertEqual(self.r.get("k"), b"orig")

    def test_invalid_expire_is_checked_before_nx_xx_and_get(self):
        self.r.set("k", "v")
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "NX", "GET", "EX", "0"),
                         invalid_expire("set"))
        self.assertEqual(self.raw.cmd("SET", "nokey", "v", "XX", "GET", "EX", "0"),
                         invalid_expire("set"))
        self.assertEqual(self.raw.cmd("SET", "nokey", "v", "XX", "PX", "abc"), NOT_INTEGER)

    def test_largest_pxat_is_accepted(self):
        self.assertEqual(self.raw.cmd("SET", "k", "v", "PXAT", "9223372036854775807"), OK)
        self.assertEqual(self.r.get("k"), b"v")
        self.assertGreater(self.r.ttl("k"), 10**15)

    def test_redis_py_set_options(self):
        self.assertTrue(self.r.set("k", "v", ex=100))
        self.assertTtlAbout("k", 100)
        self.assertTrue(self.r.set("k", "v", px=50000, xx=True))
        self.assertIn(self.r.ttl("k"), (49, 50))
        self.assertTrue(self.r.set("k", "v2", keepttl=True))
        self.assertIn(self.r.ttl("k"), (49, 50))
        self.assertEqual(self.r.get("k"), b"v2")


# ---------------------------------------------------------------------------------------------
# SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX
# ---------------------------------------------------------------------------------------------
class SetVariants(StringTestCase):
    def test_setnx(self):
        self.assertEqual(self.raw.cmd("SETNX", "k", "v1"), b":1\r\n")
        self.assertEqual(self.raw.cmd("SETNX", "k", "v2"), b":0\r\n")
        self.assertEqual(self.r.get("k"), b"v1")
        self.assertFalse(self.r.setnx("k", "v3"))
        self.assertTrue(self.r.setnx("k2", b"\x00\r\n"))
        self.assertEqual(self.r.get("k2"), b"\x00\r\n")

    def test_setnx_keeps_existing_ttl(self):
        self.r.setex("k", 100, "v")
        self.assertEqual(self.raw.cmd("SETNX", "k", "v2"), b":0\r\n")
        self.assertTtlAbout("k", 100)

    def test_setex(self):
        self.assertEqual(self.raw.cmd("SETEX", "k", "100", JDK_BYTES), OK)
        self.assertEqual(self.r.get("k"), JDK_BYTES)
        self.assertTtlAbout("k", 100)
        self.assertEqual(self.raw.cmd("SETEX", "k", "200", "v2"), OK)
        self.assertTtlAbout("k", 200)
        self.assertEqual(self.r.get("k"), b"v2")

    def test_psetex(self):
        self.assertEqual(self.raw.cmd("PSETEX", "k", "100000", "v"), OK)
        self.assertEqual(self.r.get("k"), b"v")
        self.assertTrue(99000 <= self.r.pttl("k") <= 100000)

    def test_setex_psetex_invalid_ttl(self):
        for cmd in ("SETEX", "PSETEX"):
            for ttl in ("0", "-1", "-100"):
                with self.subTest(cmd=cmd, ttl=ttl):
                    self.assertEqual(self.raw.cmd(cmd, "k", ttl, "v"), invalid_expire(cmd.lower()))
            for ttl in ("abc", "1.5", "", " 1", "9223372036854775808"):
                with self.subTest(cmd=cmd, ttl=ttl):
                    self.assertEqual(self.raw.cmd(cmd, "k", ttl, "v"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("SETEX", "k", "9223372036854775", "v"), invalid_expire("setex"))
        self.assertEqual(self.raw.cmd("SETEX", "k", "9223372036854775807", "v"),
                         invalid_expire("setex"))
        self.assertEqual(self.raw.cmd("PSETEX", "k", "9223372036854775807", "v"),
                         invalid_expire("psetex"))
        self.assertEqual(self.r.exists("k"), 0)

    def test_setex_invalid_ttl_keeps_old_value(self):
        self.r.set("k", "old")
        self.assertEqual(self.raw.cmd("SETEX", "k", "0", "new"), invalid_expire("setex"))
        self.assertEqual(self.r.get("k"), b"old")
        self.assertNoTtl("k")

    def test_getset(self):
        self.assertEqual(self.raw.cmd("GETSET", "k", "v1"), NULL2)
        self.assertEqual(self.r.get("k"), b"v1")
        self.assertEqual(self.raw.cmd("GETSET", "k", b"\x00\xac\xed"), b"$2\r\nv1\r\n")
        self.assertEqual(self.r.getset("k", "v3"), b"\x00\xac\xed")
        self.assertEqual(self.r.get("k"), b"v3")

    def test_getset_clears_ttl(self):
        self.r.setex("k", 100, "v")
        self.assertEqual(self.r.getset("k", "v2"), b"v")
        self.assertNoTtl("k")

    def test_getdel(self):
        self.r.set("k", JDK_BYTES)
        self.assertEqual(self.raw.cmd("GETDEL", "k"), bulk(JDK_BYTES))
        self.assertEqual(self.r.exists("k"), 0)
        self.assertEqual(self.raw.cmd("GETDEL", "k"), NULL2)
        self.r.set("e", "")
        self.assertEqual(self.r.getdel("e"), b"")
        self.assertEqual(self.r.exists("e"), 0)

    def test_getex_without_options_is_get(self):
        self.assertEqual(self.raw.cmd("GETEX", "nokey"), NULL2)
        self.r.setex("k", 100, "v")
        self.assertEqual(self.raw.cmd("GETEX", "k"), b"$1\r\nv\r\n")
        self.assertTtlAbout("k", 100)

    def test_getex_sets_ttl(self):
        self.r.set("k", "v")
        self.assertEqual(self.raw.cmd("GETEX", "k", "EX", "100"), b"$1\r\nv\r\n")
        self.assertTtlAbout("k", 100)
        self.assertEqual(self.raw.cmd("GETEX", "k", "PX", "50000"), b"$1\r\nv\r\n")
        self.assertTrue(49000 <= self.r.pttl("k") <= 50000)
        at = int(time.time()) + 300
        self.assertEqual(self.raw.cmd("GETEX", "k", "EXAT", at), b"$1\r\nv\r\n")
        self.assertIn(self.r.ttl("k"), (298, 299, 300))
        at_ms = int(time.time() * 1000) + 400000
        self.assertEqual(self.r.getex("k", pxat=at_ms), b"v")
        self.assertIn(self.r.ttl("k"), (398, 399, 400))

    def test_getex_persist(self):
        self.r.setex("k", 100, "v")
        self.assertEqual(self.raw.cmd("GETEX", "k", "PERSIST"), b"$1\r\nv\r\n")
        self.assertNoTtl("k")
        self.assertEqual(self.raw.cmd("GETEX", "k", "persist"), b"$1\r\nv\r\n")
        self.assertNoTtl("k")
        self.assertEqual(self.r.getex("k", persist=True), b"v")

    def test_getex_past_deadline_deletes_key(self):
        self.r.set("k", "v")
        self.assertEqual(self.raw.cmd("GETEX", "k", "EXAT", "1"), b"$1\r\nv\r\n")
        self.assertEqual(self.r.exists("k"), 0)
        self.r.set("k", "v")
        self.assertEqual(self.raw.cmd("GETEX", "k", "PXAT", "1"), b"$1\r\nv\r\n")
        self.assertIsNone(self.r.get("k"))

    def test_getex_syntax_errors(self):
        self.r.set("k", "v")
        bad = [("EX", "10", "PX", "10"), ("PX", "10", "EX", "10"), ("EX", "10", "EXAT", "1"),
               ("EXAT", "1", "PXAT", "1"), ("PERSIST", "EX", "10"), ("EX", "10", "PERSIST"),
               ("PERSIST", "PXAT", "1"), ("PXAT", "1", "PERSIST"), ("KEEPTTL",), ("NX",),
               ("XX",), ("GET",), ("FOO",), ("EX",), ("PX",), ("EXAT",), ("PXAT",)]
        for opts in bad:
            with self.subTest(opts=opts):
                self.assertEqual(self.raw.cmd("GETEX", "k", *opts), SYNTAX)
        # Syntax is checked before the key is looked up.
        self.assertEqual(self.raw.cmd("GETEX", "nokey", "FOO"), SYNTAX)
        self.assertNoTtl("k")

    def test_getex_repeated_persist(self):
        self.r.setex("k", 100, "v")
        self.assertEqual(self.raw.cmd("GETEX", "k", "PERSIST", "PERSIST"), b"$1\r\nv\r\n")
        self.assertNoTtl("k")

    def test_getex_invalid_expire(self):
        self.r.set("k", "v")
        for opt in ("EX", "PX", "EXAT", "PXAT"):
            for value in ("0", "-1"):
                with self.subTest(opt=opt, value=value):
                    self.assertEqual(self.raw.cmd("GETEX", "k", opt, value),
                                     invalid_expire("getex"))
            with self.subTest(opt=opt, value="abc"):
                self.assertEqual(self.raw.cmd("GETEX", "k", opt, "abc"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("GETEX", "k", "EX", "9223372036854775807"),
                         invalid_expire("getex"))
        self.assertEqual(self.raw.cmd("GETEX", "k", "EXAT", "9223372036854775807"),
                         invalid_expire("getex"))
        self.assertEqual(self.r.get("k"), b"v")
        self.assertNoTtl("k")

    def test_getex_missing_key_ignores_expire_value(self):
        # The key is looked up before the expire value is validated.
        self.assertEqual(self.raw.cmd("GETEX", "nokey", "EX", "0"), NULL2)
        self.assertEqual(self.raw.cmd("GETEX", "nokey", "PX", "abc"), NULL2)
        self.assertEqual(self.raw.cmd("GETEX", "nokey", "PERSIST"), NULL2)
        self.assertEqual(self.r.exists("nokey"), 0)


# ---------------------------------------------------------------------------------------------
# MGET, MSET, MSETNX
# ---------------------------------------------------------------------------------------------
class MultiKey(StringTestCase):
    def test_mset_mget(self):
        self.assertEqual(self.raw.cmd("MSET", "a", "1", "b", b"\x00\r\n", "c", ""), OK)
        self.assertEqual(self.raw.cmd("MGET", "a", "nokey", "b", "c"),
                         b"*4\r\n$1\r\n1\r\n$-1\r\n$3\r\n\x00\r\n\r\n$0\r\n\r\n")
        self.assertEqual(self.r.mget("a", "b", "c", "nokey"), [b"1", b"\x00\r\n", b"", None])

    def test_mget_single_and_repeated_keys(self):
        self.r.set("a", "1")
        self.assertEqual(self.raw.cmd("MGET", "a"), b"*1\r\n$1\r\n1\r\n")
        self.assertEqual(self.raw.cmd("MGET", "nokey"), b"*1\r\n$-1\r\n")
        self.assertEqual(self.r.mget("a", "a", "a"), [b"1", b"1", b"1"])

    def test_mget_many_keys(self):
        self.r.mset({"k%d" % i: "v%d" % i for i in range(0, 1000, 2)})
        got = self.r.mget(["k%d" % i for i in range(1000)])
        self.assertEqual(got, [b"v%d" % i if i % 2 == 0 else None for i in range(1000)])

    def test_mset_duplicate_keys_last_wins(self):
        self.assertEqual(self.raw.cmd("MSET", "a", "1", "b", "2", "a", "3"), OK)
        self.assertEqual(self.r.mget("a", "b"), [b"3", b"2"])

    def test_mset_clears_ttl(self):
        self.r.setex("a", 100, "v")
        self.r.mset({"a": "1", "b": "2"})
        self.assertNoTtl("a")
        self.assertEqual(self.r.get("a"), b"1")

    def test_msetnx_all_new(self):
        self.assertEqual(self.raw.cmd("MSETNX", "a", "1", "b", JDK_BYTES), b":1\r\n")
        self.assertEqual(self.r.mget("a", "b"), [b"1", JDK_BYTES])

    def test_msetnx_any_existing_sets_nothing(self):
        self.r.set("b", "old")
        self.assertEqual(self.raw.cmd("MSETNX", "a", "1", "b", "2", "c", "3"), b":0\r\n")
        self.assertEqual(self.r.mget("a", "b", "c"), [None, b"old", None])
        self.assertFalse(self.r.msetnx({"x": "1", "b": "2"}))
        self.assertEqual(self.r.exists("x"), 0)

    def test_msetnx_duplicate_keys(self):
        # Duplicates count as "not existing" (checked before any write); the last value wins.
        self.assertEqual(self.raw.cmd("MSETNX", "x", "1", "x", "2"), b":1\r\n")
        self.assertEqual(self.r.get("x"), b"2")
        self.assertEqual(self.raw.cmd("MSETNX", "y", "1", "z", "2", "y", "3"), b":1\r\n")
        self.assertEqual(self.r.mget("y", "z"), [b"3", b"2"])
        self.assertEqual(self.raw.cmd("MSETNX", "x", "9", "x", "8"), b":0\r\n")
        self.assertEqual(self.r.get("x"), b"2")

    def test_mset_odd_arguments(self):
        self.assertEqual(self.raw.cmd("MSET", "a", "1", "b"), wrong_args("mset"))
        self.assertEqual(self.raw.cmd("MSETNX", "a", "1", "b"), wrong_args("msetnx"))
        self.assertEqual(self.r.exists("a"), 0)


# ---------------------------------------------------------------------------------------------
# APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE
# ---------------------------------------------------------------------------------------------
class AppendAndRanges(StringTestCase):
    def test_append(self):
        self.assertEqual(self.raw.cmd("APPEND", "k", "foo"), b":3\r\n")
        self.assertEqual(self.raw.cmd("APPEND", "k", b"\x00bar\r\n"), b":9\r\n")
        self.assertEqual(self.r.get("k"), b"foo\x00bar\r\n")
        self.assertEqual(self.r.append("k", b"\xac\xed"), 11)
        self.assertEqual(self.r.get("k"), b"foo\x00bar\r\n\xac\xed")

    def test_append_empty_creates_empty_key(self):
        self.assertEqual(self.raw.cmd("APPEND", "k", ""), b":0\r\n")
        self.assertEqual(self.r.exists("k"), 1)
        self.assertEqual(self.r.type("k"), b"string")
        self.assertEqual(self.raw.cmd("GET", "k"), EMPTY_BULK)
        self.r.set("j", "abc")
        self.assertEqual(self.raw.cmd("APPEND", "j", ""), b":3\r\n")

    def test_append_to_integer_value(self):
        self.r.set("n", "12345")
        self.assertEqual(self.r.append("n", "6"), 6)
        self.assertEqual(self.r.incr("n"), 123457)
        self.assertEqual(self.r.append("n", "x"), 7)
        self.assertEqual(self.r.get("n"), b"123457x")

    def test_append_keeps_ttl(self):
        self.r.setex("k", 100, "a")
        self.r.append("k", "b")
        self.assertTtlAbout("k", 100)

    def test_strlen(self):
        self.assertEqual(self.raw.cmd("STRLEN", "nokey"), b":0\r\n")
        self.r.set("k", b"\x00\x01\x02")
        self.assertEqual(self.raw.cmd("STRLEN", "k"), b":3\r\n")
        self.r.set("n", "-12345")
        self.assertEqual(self.r.strlen("n"), 6)
        self.r.set("u", "\u00e9\u00e8")  # two 2-byte UTF-8 characters
        self.assertEqual(self.r.strlen("u"), 4)

    def test_getrange(self):
        self.r.set("s", "Hello World")
        cases = [((0, 4), b"Hello"), ((-5, -1), b"World"), ((-1, -5), b""), ((5, 3), b""),
                 ((0, 100), b"Hello World"), ((-100, 2), b"Hel"), ((100, 200), b""),
                 ((0, 0), b"H"), ((-1, -1), b"d"), ((10, 10), b"d"), ((11, 11), b""),
                 ((0, -1), b"Hello World"), ((3, -3), b"lo Wor"),
                 ((INT64_MIN, INT64_MAX), b"Hello World"),
                 # Out-of-range negative indexes are clamped to 0 (Redis 7.0 and 7.2).
                 ((-100, -50), b"H"), ((0, -100), b"H")]
        for (start, end), want in cases:
            with self.subTest(start=start, end=end):
                self.assertEqual(self.raw.cmd("GETRANGE", "s", start, end), bulk(want))

    def test_getrange_missing_and_empty(self):
        self.assertEqual(self.raw.cmd("GETRANGE", "nokey", "0", "-1"), EMPTY_BULK)
        self.r.set("e", "")
        for start, end in ((0, -1), (0, 0), (-1, -1), (5, 10)):
            self.assertEqual(self.raw.cmd("GETRANGE", "e", start, end), EMPTY_BULK)

    def test_getrange_binary_and_integer(self):
        self.r.set("b", JDK_BYTES)
        self.assertEqual(self.r.getrange("b", 0, 3), b"\xac\xed\x00\x05")
        self.assertEqual(self.r.getrange("b", 7, 13), b"hello\r\n")
        self.r.set("i", "12345")
        self.assertEqual(self.r.getrange("i", 1, 2), b"23")
        self.assertEqual(self.r.getrange("i", -2, -1), b"45")

    def test_getrange_bad_indexes(self):
        self.r.set("s", "abc")
        for start, end in (("a", "1"), ("0", "b"), ("0", "9223372036854775808"), ("1.0", "2"),
                           ("", "1")):
            with self.subTest(start=start, end=end):
                self.assertEqual(self.raw.cmd("GETRANGE", "s", start, end), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("GETRANGE", "nokey", "a", "1"), NOT_INTEGER)

    def test_substr_is_getrange(self):
        self.r.set("s", "Hello World")
        self.assertEqual(self.raw.cmd("SUBSTR", "s", "0", "4"), b"$5\r\nHello\r\n")
        self.assertEqual(self.raw.cmd("SUBSTR", "s", "-3", "-1"), b"$3\r\nrld\r\n")
        self.assertEqual(self.raw.cmd("SUBSTR", "s", "5", "1"), EMPTY_BULK)
        self.assertEqual(self.raw.cmd("SUBSTR", "nokey", "0", "1"), EMPTY_BULK)
        self.assertEqual(self.raw.cmd("SUBSTR", "s", "x", "1"), NOT_INTEGER)

    def test_setrange_overwrites_and_extends(self):
        self.r.set("s", "Hello World")
        self.assertEqual(self.raw.cmd("SETRANGE", "s", "6", "Redis"), b":11\r\n")
        self.assertEqual(self.r.get("s"), b"Hello Redis")
        self.assertEqual(self.raw.cmd("SETRANGE", "s", "9", "ssssss"), b":15\r\n")
        self.assertEqual(self.r.get("s"), b"Hello Redssssss")

    def test_setrange_zero_pads(self):
        self.assertEqual(self.raw.cmd("SETRANGE", "k", "3", "abc"), b":6\r\n")
        self.assertEqual(self.r.get("k"), b"\x00\x00\x00abc")
        self.r.set("s", "ab")
        self.assertEqual(self.r.setrange("s", 5, b"\r\n"), 7)
        self.assertEqual(self.r.get("s"), b"ab\x00\x00\x00\r\n")

    def test_setrange_on_integer_value(self):
        self.r.set("n", "12345")
        self.assertEqual(self.r.setrange("n", 0, "9"), 5)
        self.assertEqual(self.r.incr("n"), 92346)

    def test_setrange_empty_value(self):
        # Nothing to write: a missing key stays missing (0); an existing one reports its length.
        self.assertEqual(self.raw.cmd("SETRANGE", "nokey", "0", ""), b":0\r\n")
        self.assertEqual(self.raw.cmd("SETRANGE", "nokey", "100", ""), b":0\r\n")
        self.assertEqual(self.raw.cmd("SETRANGE", "nokey", "536870912", ""), b":0\r\n")
        self.assertEqual(self.r.exists("nokey"), 0)
        self.r.set("s", "abc")
        self.assertEqual(self.raw.cmd("SETRANGE", "s", "100", ""), b":3\r\n")
        self.assertEqual(self.r.get("s"), b"abc")

    def test_setrange_bad_offset(self):
        self.r.set("s", "abc")
        self.assertEqual(self.raw.cmd("SETRANGE", "s", "-1", "x"), b"-ERR offset is out of range\r\n")
        self.assertEqual(self.raw.cmd("SETRANGE", "nokey", "-1", ""),
                         b"-ERR offset is out of range\r\n")
        for offset in ("abc", "1.5", "", "9223372036854775808"):
            with self.subTest(offset=offset):
                self.assertEqual(self.raw.cmd("SETRANGE", "s", offset, "x"), NOT_INTEGER)
        self.assertEqual(self.r.get("s"), b"abc")

    def test_setrange_beyond_default_limit(self):
        # The default proto-max-bulk-len is 512MB; these fail before allocating anything.
        self.assertEqual(self.raw.cmd("SETRANGE", "nokey", "536870912", "x"), TOO_BIG)
        self.assertEqual(self.raw.cmd("SETRANGE", "nokey", "536870911", "xx"), TOO_BIG)
        self.assertEqual(self.r.exists("nokey"), 0)
        self.r.set("s", "abc")
        self.assertEqual(self.raw.cmd("SETRANGE", "s", "9223372036854775807", "x"), TOO_BIG)
        self.assertEqual(self.raw.cmd("SETRANGE", "s", "536870912", "x"), TOO_BIG)
        self.assertEqual(self.r.get("s"), b"abc")

    def test_object_encoding_after_edits(self):
        # Redis reports "raw" once APPEND or SETRANGE edited a value in place.
        self.r.set("int", "123")
        self.r.append("new", "abc")
        self.r.set("appended", "abc")
        self.r.append("appended", "d")
        self.r.setrange("ranged", 0, "abc")
        self.r.set("untouched", "abc")
        self.r.setrange("untouched", 0, "")
        self.r.set("counter", "41")
        self.r.append("counter", "0")
        self.r.incr("counter")
        want = {"int": b"int", "new": b"embstr", "appended": b"raw", "ranged": b"raw",
                "untouched": b"embstr", "counter": b"int"}
        for key, encoding in want.items():
            self.assertEqual(self.raw.cmd("OBJECT", "ENCODING", key), bulk(encoding), key)

    def test_setrange_keeps_ttl(self):
        self.r.setex("k", 100, "abc")
        self.r.setrange("k", 1, "X")
        self.assertTtlAbout("k", 100)
        self.assertEqual(self.r.get("k"), b"aXc")


class SmallBulkLimit(StringTestCase):
    """proto-max-bulk-len at its minimum (1mb) bounds SETRANGE and APPEND results."""
    CONFIG = {"proto-max-bulk-len": "1mb"}
    LIMIT = 1024 * 1024

    def test_setrange_limit(self):
        self.assertEqual(self.raw.cmd("SETRANGE", "k", self.LIMIT - 1, "x"), b":%d\r\n" % self.LIMIT)
        self.assertEqual(self.r.strlen("k"), self.LIMIT)
        self.assertEqual(self.r.getrange("k", self.LIMIT - 2, -1), b"\x00x")
        self.assertEqual(self.raw.cmd("SETRANGE", "k", self.LIMIT, "y"), TOO_BIG)
        self.assertEqual(self.raw.cmd("SETRANGE", "k2", self.LIMIT - 1, "yy"), TOO_BIG)
        self.assertEqual(self.r.exists("k2"), 0)

    def test_append_limit(self):
        self.r.set("k", b"a" * (self.LIMIT - 1))
        self.assertEqual(self.raw.cmd("APPEND", "k", "b"), b":%d\r\n" % self.LIMIT)
        self.assertEqual(self.raw.cmd("APPEND", "k", "c"), TOO_BIG)
        self.assertEqual(self.r.strlen("k"), self.LIMIT)
        self.assertEqual(self.r.getrange("k", -2, -1), b"ab")
        # Appending nothing never exceeds the limit.
        self.assertEqual(self.raw.cmd("APPEND", "k", ""), b":%d\r\n" % self.LIMIT)

    def test_lcs_table_limit(self):
        # LCS refuses a DP table ((len(a)+1) * (len(b)+1) * 4 bytes) larger than proto-max-bulk-len.
        self.r.mset({"a": b"x" * 600, "b": b"x" * 600, "c": b"x" * 510, "d": b"x" * 510})
        self.assertEqual(
            self.raw.cmd("LCS", "a", "b", "LEN"),
            b"-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n")
        self.assertEqual(self.raw.cmd("LCS", "c", "d", "LEN"), b":510\r\n")
        self.assertEqual(self.raw.cmd("LCS", "a", "nokey", "LEN"), b":0\r\n")


# ---------------------------------------------------------------------------------------------
# INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT
# ---------------------------------------------------------------------------------------------
class Counters(StringTestCase):
    def test_incr_decr_missing_key(self):
        self.assertEqual(self.raw.cmd("INCR", "a"), b":1\r\n")
        self.assertEqual(self.raw.cmd("DECR", "b"), b":-1\r\n")
        self.assertEqual(self.raw.cmd("INCRBY", "c", "10"), b":10\r\n")
        self.assertEqual(self.raw.cmd("DECRBY", "d", "10"), b":-10\r\n")
        self.assertEqual(self.r.mget("a", "b", "c", "d"), [b"1", b"-1", b"10", b"-10"])

    def test_incr_sequence(self):
        for i in range(1, 51):
            self.assertEqual(self.r.incr("n"), i)
        self.assertEqual(self.r.incrby("n", -100), -50)
        self.assertEqual(self.r.decrby("n", -50), 0)
        self.assertEqual(self.r.decr("n"), -1)
        self.assertEqual(self.r.get("n"), b"-1")

    def test_incr_existing_value_and_keeps_ttl(self):
        self.r.setex("n", 100, "41")
        self.assertEqual(self.r.incr("n"), 42)
        self.assertEqual(self.r.decrby("n", 2), 40)
        self.assertEqual(self.r.get("n"), b"40")
        self.assertTtlAbout("n", 100)

    def test_int64_edges(self):
        self.r.set("n", str(INT64_MAX - 1))
        self.assertEqual(self.raw.cmd("INCR", "n"), b":%d\r\n" % INT64_MAX)
        self.assertEqual(self.raw.cmd("INCR", "n"), OVERFLOW)
        self.assertEqual(self.raw.cmd("INCRBY", "n", "1"), OVERFLOW)
        self.assertEqual(self.raw.cmd("DECRBY", "n", "-1"), OVERFLOW)
        self.assertEqual(self.r.get("n"), str(INT64_MAX).encode())
        self.r.set("m", str(INT64_MIN + 1))
        self.assertEqual(self.raw.cmd("DECR", "m"), b":%d\r\n" % INT64_MIN)
        self.assertEqual(self.raw.cmd("DECR", "m"), OVERFLOW)
        self.assertEqual(self.raw.cmd("INCRBY", "m", "-1"), OVERFLOW)
        self.assertEqual(self.raw.cmd("DECRBY", "m", "1"), OVERFLOW)
        self.assertEqual(self.raw.cmd("INCRBY", "m", str(INT64_MAX)), b":-1\r\n")
        self.assertEqual(self.raw.cmd("DECRBY", "m", str(INT64_MAX)), b":%d\r\n" % INT64_MIN)
        self.assertEqual(self.raw.cmd("INCRBY", "m", str(INT64_MIN)), OVERFLOW)
        self.assertEqual(self.r.get("m"), str(INT64_MIN).encode())

    def test_incrby_extremes_from_zero(self):
        self.assertEqual(self.raw.cmd("INCRBY", "a", str(INT64_MAX)), b":%d\r\n" % INT64_MAX)
        self.assertEqual(self.raw.cmd("INCRBY", "b", str(INT64_MIN)), b":%d\r\n" % INT64_MIN)
        self.assertEqual(self.raw.cmd("DECRBY", "c", str(INT64_MAX)), b":%d\r\n" % -INT64_MAX)

    def test_decrby_int64_min_is_rejected(self):
        # Negating INT64_MIN overflows, so DECRBY refuses it whatever the current value.
        self.assertEqual(self.raw.cmd("DECRBY", "n", str(INT64_MIN)),
                         b"-ERR decrement would overflow\r\n")
        self.r.set("m", "-5")
        self.assertEqual(self.raw.cmd("DECRBY", "m", str(INT64_MIN)),
                         b"-ERR decrement would overflow\r\n")
        self.assertEqual(self.r.get("m"), b"-5")
        self.assertEqual(self.r.exists("n"), 0)

    def test_value_not_an_integer(self):
        for value in (b"abc", b" 1", b"1 ", b"01", b"+5", b"", b"-0", b"1.0", b"1e3",
                      b"9223372036854775808", b"-9223372036854775809", b"1\x00", b"\xac\xed"):
            with self.subTest(value=value):
                self.r.set("s", value)
                for cmd in (("INCR", "s"), ("DECR", "s"), ("INCRBY", "s", "1"),
                            ("DECRBY", "s", "1")):
                    self.assertEqual(self.raw.cmd(*cmd), NOT_INTEGER)
                self.assertEqual(self.r.get("s"), value)

    def test_increment_not_an_integer(self):
        self.r.set("n", "1")
        for incr in ("abc", "1.5", " 1", "1 ", "+1", "01", "-0", "", "9223372036854775808",
                     "-9223372036854775809"):
            with self.subTest(incr=incr):
                self.assertEqual(self.raw.cmd("INCRBY", "n", incr), NOT_INTEGER)
                self.assertEqual(self.raw.cmd("DECRBY", "n", incr), NOT_INTEGER)
        self.assertEqual(self.r.get("n"), b"1")
        self.assertEqual(self.raw.cmd("INCRBY", "nokey", "x"), NOT_INTEGER)
        self.assertEqual(self.r.exists("nokey"), 0)

    def test_result_is_stored_as_canonical_decimal(self):
        self.r.set("n", "-7")
        self.assertEqual(self.r.incrby("n", 7), 0)
        self.assertEqual(self.r.get("n"), b"0")
        self.assertEqual(self.r.strlen("n"), 1)

    def test_incrbyfloat_basic(self):
        self.assertEqual(self.raw.cmd("INCRBYFLOAT", "f", "1.5"), b"$3\r\n1.5\r\n")
        self.assertEqual(self.raw.cmd("INCRBYFLOAT", "f", "-0.5"), b"$1\r\n1\r\n")
        self.assertEqual(self.r.get("f"), b"1")
        self.assertEqual(self.r.incrbyfloat("f", 2.25), 3.25)
        self.assertEqual(self.r.get("f"), b"3.25")

    def test_incrbyfloat_formatting(self):
        cases = [
            (None, "0.1", b"0.1"), ("0.1", "0.2", b"0.3"), ("10.50", "0.1", b"10.6"),
            (None, "3.0e3", b"3000"), ("5", "5.0e3", b"5005"), ("10.3", "-10.3", b"0"),
            (None, "1.23456789012345678901", b"1.23456789012345679"), (None, "-0", b"0"),
            (None, "-0.0", b"0"), ("1.5e1", "0", b"15"), (None, "1e20", b"100000000000000000000"),
            (None, "1e-20", b"0"), ("-3", "1", b"-2"), (None, "-1.25", b"-1.25"),
            (None, "5", b"5"), ("100", "0.000000000000000001", b"100"),
            (str(INT64_MAX), "1", b"9223372036854775808"),
        ]
        for start, incr, want in cases:
            with self.subTest(start=start, incr=incr):
                self.r.delete("f")
                if start is not None:
                    self.r.set("f", start)
                self.assertEqual(self.raw.cmd("INCRBYFLOAT", "f", incr), bulk(want))
                self.assertEqual(self.r.get("f"), want)

    def test_incrbyfloat_uses_long_double(self):
        # Redis computes in long double (x87 80-bit on x86-64): 2e308 does not overflow and
        # prints with all its integer digits.
        want = (b"1999999999999999999933717593116912913211201996948311344155940959898434697376761"
                b"2374420025384377707864089349445010802644630426949918792116719484162886039283753"
                b"5918200039206381557326219209014213335878306791577877829121087126122536729803237"
                b"260434173178506889763247582601711514636284849020905456510092687857156096")
        self.assertEqual(self.r.incrbyfloat("f", "1e308"), 1e308)
        self.assertEqual(self.raw.cmd("INCRBYFLOAT", "f", "1e308"), bulk(want))

    def test_incrbyfloat_nan_or_infinity(self):
        self.r.set("f", "1")
        self.assertEqual(self.raw.cmd("INCRBYFLOAT", "f", "inf"), NAN_OR_INF)
        self.assertEqual(self.raw.cmd("INCRBYFLOAT", "f", "-inf"), NAN_OR_INF)
        self.assertEqual(self.raw.cmd("INCRBYFLOAT", "f", "1.2e4933"), NOT_FLOAT)
        self.r.set("i", "inf")
        self.assertEqual(self.raw.cmd("INCRBYFLOAT", "i", "1"), NAN_OR_INF)
        self.assertEqual(self.r.get("f"), b"1")
        self.assertEqual(self.r.get("i"), b"inf")

    def test_incrbyfloat_overflow_of_long_double(self):
        self.r.set("f", "1.1e4932")
        self.assertEqual(self.raw.cmd("INCRBYFLOAT", "f", "1.1e4932"), NAN_OR_INF)
        self.assertEqual(self.r.get("f"), b"1.1e4932")

    def test_incrbyfloat_not_a_float(self):
        self.r.set("f", "1")
        for incr in ("abc", "nan", "NaN", " 1", "1 ", "", "1e", "1.5.5", "1,5"):
            with self.subTest(incr=incr):
                self.assertEqual(self.raw.cmd("INCRBYFLOAT", "f", incr), NOT_FLOAT)
        for value in (b"abc", b" 1.5", b"1.5 ", b"", b"nan", b"1\x00", b"\xac\xed\x00\x05"):
            with self.subTest(value=value):
                self.r.set("g", value)
                self.assertEqual(self.raw.cmd("INCRBYFLOAT", "g", "1"), NOT_FLOAT)
                self.assertEqual(self.r.get("g"), value)
        self.assertEqual(self.r.get("f"), b"1")

    def test_incrbyfloat_keeps_ttl(self):
        self.r.setex("f", 100, "1")
        self.assertEqual(self.r.incrbyfloat("f", 0.5), 1.5)
        self.assertTtlAbout("f", 100)

    def test_incr_after_incrbyfloat_integral_result(self):
        self.r.incrbyfloat("f", "2.5")
        self.r.incrbyfloat("f", "0.5")
        self.assertEqual(self.r.incr("f"), 4)


# ---------------------------------------------------------------------------------------------
# LCS
# ---------------------------------------------------------------------------------------------
class Lcs(StringTestCase):
    def setUp(self):
        super().setUp()
        self.r.mset({"a": "ohmytext", "b": "mynewtext"})

    def test_lcs_string(self):
        self.assertEqual(self.raw.cmd("LCS", "a", "b"), b"$6\r\nmytext\r\n")
        self.assertEqual(self.r.execute_command("LCS", "b", "a"), b"mytext")

    def test_lcs_len(self):
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "LEN"), b":6\r\n")
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "len"), b":6\r\n")

    def test_lcs_idx(self):
        self.assertEqual(
            self.raw.cmd("LCS", "a", "b", "IDX"),
            b"*4\r\n$7\r\nmatches\r\n*2\r\n"
            b"*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            b"*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n"
            b"$3\r\nlen\r\n:6\r\n")

    def test_lcs_idx_withmatchlen(self):
        self.assertEqual(
            self.raw.cmd("LCS", "a", "b", "IDX", "WITHMATCHLEN"),
            b"*4\r\n$7\r\nmatches\r\n*2\r\n"
            b"*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            b"*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n"
            b"$3\r\nlen\r\n:6\r\n")

    def test_lcs_idx_minmatchlen(self):
        self.assertEqual(
            self.raw.cmd("LCS", "a", "b", "IDX", "MINMATCHLEN", "4"),
            b"*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            b"$3\r\nlen\r\n:6\r\n")
        self.assertEqual(
            self.raw.cmd("LCS", "a", "b", "MINMATCHLEN", "4", "IDX", "WITHMATCHLEN"),
            b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            b"$3\r\nlen\r\n:6\r\n")
        # A negative minimum counts as 0; a minimum above every match leaves no matches.
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "IDX", "MINMATCHLEN", "-5"),
                         self.raw.cmd("LCS", "a", "b", "IDX"))
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "IDX", "MINMATCHLEN", "100"),
                         b"*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:6\r\n")

    def test_lcs_options_ignored_without_idx(self):
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "WITHMATCHLEN"), b"$6\r\nmytext\r\n")
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "MINMATCHLEN", "2"), b"$6\r\nmytext\r\n")
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "LEN", "WITHMATCHLEN"), b":6\r\n")

    def test_lcs_missing_keys_are_empty(self):
        self.assertEqual(self.raw.cmd("LCS", "a", "nokey"), EMPTY_BULK)
        self.assertEqual(self.raw.cmd("LCS", "nokey", "a", "LEN"), b":0\r\n")
        self.assertEqual(self.raw.cmd("LCS", "nokey", "nokey2", "IDX"),
                         b"*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n")

    def test_lcs_same_key_and_binary(self):
        self.assertEqual(self.raw.cmd("LCS", "a", "a"), b"$8\r\nohmytext\r\n")
        self.r.set("x", b"\x00\xac\xed\r\n\x00")
        self.r.set("y", b"\xac\x00\r\n")
        self.assertEqual(self.r.execute_command("LCS", "x", "y"), b"\xac\r\n")
        self.assertEqual(self.r.execute_command("LCS", "x", "y", "LEN"), 3)

    def test_lcs_integer_values(self):
        self.r.set("i", "12345")
        self.r.set("j", "135")
        self.assertEqual(self.r.execute_command("LCS", "i", "j"), b"135")

    def test_lcs_idx_single_characters(self):
        self.r.set("x", "abcdef")
        self.r.set("y", "xaxcxex")
        self.assertEqual(
            self.r.execute_command("LCS", "x", "y", "IDX", "WITHMATCHLEN"),
            [b"matches", [[[4, 4], [5, 5], 1], [[2, 2], [3, 3], 1], [[0, 0], [1, 1], 1]],
             b"len", 3])

    def test_lcs_errors(self):
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "LEN", "IDX"),
                         b"-ERR If you want both the length and indexes, please just use IDX.\r\n")
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "FOO"), SYNTAX)
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "MINMATCHLEN"), SYNTAX)
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "MINMATCHLEN", "x"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "STRINGS", "x", "y"), SYNTAX)


# ---------------------------------------------------------------------------------------------
# Expiry as seen through the string commands
# ---------------------------------------------------------------------------------------------
class Ttl(StringTestCase):
    def test_set_ex_px(self):
        self.r.set("k", "v", ex=100)
        self.assertTtlAbout("k", 100)
        self.assertTrue(99000 <= self.r.pttl("k") <= 100000)
        self.assertEqual(self.raw.cmd("SET", "k", "v", "PX", "5500"), OK)
        self.assertTrue(4500 <= self.r.pttl("k") <= 5500)

    def test_set_exat_pxat(self):
        at = int(time.time()) + 200
        self.assertEqual(self.raw.cmd("SET", "k", "v", "EXAT", at), OK)
        self.assertIn(self.r.ttl("k"), (198, 199, 200))
        at_ms = int(time.time() * 1000) + 300000
        self.assertEqual(self.raw.cmd("SET", "k", "v", "PXAT", at_ms), OK)
        self.assertTrue(298000 <= self.r.pttl("k") <= 300000)

    def test_set_at_a_past_time_leaves_no_key(self):
        for opt in ("EXAT", "PXAT"):
            with self.subTest(opt=opt):
                self.assertEqual(self.raw.cmd("SET", "k", "v", opt, "1"), OK)
                self.assertEqual(self.r.exists("k"), 0)
                self.assertIsNone(self.r.get("k"))

    def test_keepttl(self):
        self.r.setex("k", 100, "v")
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "KEEPTTL"), OK)
        self.assertTtlAbout("k", 100)
        self.assertEqual(self.r.get("k"), b"v2")
        self.assertEqual(self.raw.cmd("SET", "k", "v3", "KEEPTTL", "XX", "GET"), b"$2\r\nv2\r\n")
        self.assertTtlAbout("k", 100)
        self.assertEqual(self.raw.cmd("SET", "n", "v", "KEEPTTL"), OK)
        self.assertNoTtl("n")

    def test_set_without_keepttl_clears_ttl(self):
        self.r.setex("k", 100, "v")
        self.r.set("k", "v2")
        self.assertNoTtl("k")
        self.r.setex("k", 100, "v")
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "GET"), b"$1\r\nv\r\n")
        self.assertNoTtl("k")
        self.r.setex("k", 100, "v")
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "XX"), OK)
        self.assertNoTtl("k")

    def test_failed_nx_keeps_ttl(self):
        self.r.setex("k", 100, "v")
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "NX", "EX", "500"), NULL2)
        self.assertTtlAbout("k", 100)

    def test_ttl_on_missing_and_persistent(self):
        self.assertEqual(self.r.ttl("nokey"), -2)
        self.r.set("k", "v")
        self.assertNoTtl("k")

    def test_key_expires(self):
        self.assertEqual(self.raw.cmd("PSETEX", "k", "50", "v"), OK)
        self.assertEqual(self.raw.cmd("SET", "j", "v", "PX", "50"), OK)
        self.assertTrue(eventually(lambda: self.r.exists("k", "j") == 0))
        self.assertIsNone(self.r.get("k"))
        self.assertEqual(self.r.mget("k", "j"), [None, None])
        self.assertEqual(self.r.strlen("k"), 0)
        self.assertEqual(self.raw.cmd("GETRANGE", "k", "0", "-1"), EMPTY_BULK)

    def test_expired_key_is_gone_for_writers(self):
        self.r.set("n", "41", px=50)
        self.r.set("s", "abc", px=50)
        self.r.set("x", "old", px=50)
        self.assertTrue(eventually(lambda: self.r.pttl("n") == -2 and self.r.pttl("s") == -2))
        self.assertEqual(self.r.incr("n"), 1)
        self.assertNoTtl("n")
        self.assertEqual(self.r.append("s", "d"), 1)
        self.assertNoTtl("s")
        self.assertEqual(self.raw.cmd("SETNX", "x", "new"), b":1\r\n")
        self.assertEqual(self.r.get("x"), b"new")

    def test_removed_or_replaced_deadline_never_fires(self):
        # A server with an expiry index must forget the old deadline when a write drops or
        # replaces it; the keys below would vanish after ~100 ms otherwise.
        for key in ("set", "getex", "getset", "mset", "setex", "getex_ex", "incr", "keepttl"):
            self.r.set(key, "1", px=100)
        self.r.set("set", "v")
        self.r.getex("getex", persist=True)
        self.r.getset("getset", "v")
        self.r.mset({"mset": "v"})
        self.r.setex("setex", 100, "v")
        self.r.getex("getex_ex", ex=100)
        self.r.set("keepttl", "2", keepttl=True)
        self.r.incr("incr")
        time.sleep(0.4)
        self.assertEqual(self.r.exists("set", "getex", "getset", "mset", "setex", "getex_ex"), 6)
        # INCR and SET KEEPTTL keep the deadline, so those two are gone.
        self.assertEqual(self.r.exists("incr", "keepttl"), 0)

    def test_getex_on_expiring_key_extends_it(self):
        self.r.set("k", "v", px=500)
        self.assertEqual(self.r.getex("k", ex=100), b"v")
        time.sleep(0.6)
        self.assertEqual(self.r.get("k"), b"v")
        self.assertTtlAbout("k", 100)


# ---------------------------------------------------------------------------------------------
# Arity
# ---------------------------------------------------------------------------------------------
class Arity(StringTestCase):
    CASES = [
        ("get", [[], ["a", "b"]]),
        ("set", [[], ["k"]]),
        ("setnx", [["k"], ["k", "v", "x"]]),
        ("setex", [["k", "10"], ["k", "10", "v", "x"], []]),
        ("psetex", [["k", "10"], ["k", "10", "v", "x"]]),
        ("getset", [["k"], ["k", "v", "x"]]),
        ("getdel", [[], ["k", "x"]]),
        ("getex", [[]]),
        ("mget", [[]]),
        ("mset", [[], ["k"], ["k", "v", "k2"]]),
        ("msetnx", [[], ["k"], ["k", "v", "k2"]]),
        ("append", [["k"], ["k", "v", "x"]]),
        ("strlen", [[], ["k", "x"]]),
        ("incr", [[], ["k", "1"]]),
        ("decr", [[], ["k", "1"]]),
        ("incrby", [["k"], ["k", "1", "2"]]),
        ("decrby", [["k"], ["k", "1", "2"]]),
        ("incrbyfloat", [["k"], ["k", "1", "2"]]),
        ("getrange", [["k", "0"], ["k", "0", "1", "2"]]),
        ("substr", [["k", "0"], ["k", "0", "1", "2"]]),
        ("setrange", [["k", "0"], ["k", "0", "v", "x"]]),
        ("lcs", [[], ["a"]]),
    ]

    def test_wrong_number_of_arguments(self):
        for name, arg_lists in self.CASES:
            for args in arg_lists:
                for spelled in (name, name.upper()):
                    with self.subTest(cmd=spelled, args=args):
                        self.assertEqual(self.raw.cmd(spelled, *args), wrong_args(name))
        self.assertEqual(self.r.dbsize(), 0)

    def test_redis_py_error_text(self):
        self.assertError(lambda: self.r.execute_command("GET"),
                         "wrong number of arguments for 'get' command")
        self.assertError(lambda: self.r.execute_command("SET", "k"),
                         "wrong number of arguments for 'set' command")


# ---------------------------------------------------------------------------------------------
# Error texts through redis-py (which strips "ERR ")
# ---------------------------------------------------------------------------------------------
class ErrorsViaRedisPy(StringTestCase):
    def test_error_texts(self):
        self.r.set("s", "abc")
        self.assertError(lambda: self.r.incr("s"), "value is not an integer or out of range")
        self.assertError(lambda: self.r.incrbyfloat("s", 1), "value is not a valid float")
        self.assertError(lambda: self.r.execute_command("SET", "k", "v", "NX", "XX"),
                         "syntax error")
        self.assertError(lambda: self.r.set("k", "v", ex=0), "invalid expire time in 'set' command")
        self.assertError(lambda: self.r.setex("k", -5, "v"),
                         "invalid expire time in 'setex' command")
        self.assertError(lambda: self.r.setrange("s", -1, "x"), "offset is out of range")
        self.r.set("max", str(INT64_MAX))
        self.assertError(lambda: self.r.incr("max"), "increment or decrement would overflow")
        self.r.set("f", "1")
        self.assertError(lambda: self.r.incrbyfloat("f", "inf"),
                         "increment would produce NaN or Infinity")


# ---------------------------------------------------------------------------------------------
# RESP3 reply shapes
# ---------------------------------------------------------------------------------------------
class Resp3(StringTestCase):
    def setUp(self):
        super().setUp()
        self.assertTrue(self.raw.cmd("HELLO", "3").startswith(b"%"))

    def test_nulls(self):
        self.assertEqual(self.raw.cmd("GET", "nokey"), b"_\r\n")
        self.assertEqual(self.raw.cmd("GETDEL", "nokey"), b"_\r\n")
        self.assertEqual(self.raw.cmd("GETEX", "nokey"), b"_\r\n")
        self.assertEqual(self.raw.cmd("GETEX", "nokey", "EX", "10"), b"_\r\n")
        self.assertEqual(self.raw.cmd("GETSET", "k", "v"), b"_\r\n")
        self.assertEqual(self.raw.cmd("SET", "k", "v2", "NX"), b"_\r\n")
        self.assertEqual(self.raw.cmd("SET", "nokey", "v", "XX"), b"_\r\n")
        self.assertEqual(self.raw.cmd("SET", "k2", "v", "GET"), b"_\r\n")
        self.assertEqual(self.raw.cmd("MGET", "k", "nokey"), b"*2\r\n$1\r\nv\r\n_\r\n")

    def test_values_and_counters(self):
        self.assertEqual(self.raw.cmd("SET", "k", b"\x00\r\n"), OK)
        self.assertEqual(self.raw.cmd("GET", "k"), b"$3\r\n\x00\r\n\r\n")
        self.assertEqual(self.raw.cmd("SETNX", "k", "x"), b":0\r\n")
        self.assertEqual(self.raw.cmd("INCR", "n"), b":1\r\n")
        self.assertEqual(self.raw.cmd("APPEND", "k", "x"), b":4\r\n")
        self.assertEqual(self.raw.cmd("STRLEN", "k"), b":4\r\n")
        self.assertEqual(self.raw.cmd("MSETNX", "k", "x"), b":0\r\n")
        # INCRBYFLOAT answers a bulk string, not a RESP3 double.
        self.assertEqual(self.raw.cmd("INCRBYFLOAT", "f", "1.5"), b"$3\r\n1.5\r\n")
        self.assertEqual(self.raw.cmd("GETRANGE", "nokey", "0", "-1"), EMPTY_BULK)
        self.assertEqual(self.raw.cmd("SET", "k", "v", "GET"), b"$4\r\n\x00\r\nx\r\n")

    def test_lcs(self):
        self.r.mset({"a": "ohmytext", "b": "mynewtext"})
        self.assertEqual(self.raw.cmd("LCS", "a", "b"), b"$6\r\nmytext\r\n")
        self.assertEqual(self.raw.cmd("LCS", "a", "b", "LEN"), b":6\r\n")
        self.assertEqual(
            self.raw.cmd("LCS", "a", "b", "IDX", "WITHMATCHLEN"),
            b"%2\r\n$7\r\nmatches\r\n*2\r\n"
            b"*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            b"*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n"
            b"$3\r\nlen\r\n:6\r\n")
        self.assertEqual(self.raw.cmd("LCS", "x", "y", "IDX"),
                         b"%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n")

    def test_errors_are_unchanged(self):
        self.assertEqual(self.raw.cmd("GET"), wrong_args("get"))
        self.assertEqual(self.raw.cmd("SET", "k", "v", "NX", "XX"), SYNTAX)

    def test_back_to_resp2(self):
        self.assertTrue(self.raw.cmd("HELLO", "2").startswith(b"*"))
        self.assertEqual(self.raw.cmd("GET", "nokey"), NULL2)
        self.assertEqual(self.raw.cmd("MGET", "nokey"), b"*1\r\n$-1\r\n")


# ---------------------------------------------------------------------------------------------
# redis-cli
# ---------------------------------------------------------------------------------------------
class Cli(StringTestCase):
    def test_set_get_incr(self):
        self.assertEqual(self.server.cli("SET", "ck", "hello")[:2], (0, "OK\n"))
        self.assertEqual(self.server.cli("GET", "ck")[:2], (0, "hello\n"))
        self.assertEqual(self.server.cli("GET", "nokey")[:2], (0, "\n"))
        self.assertEqual(self.server.cli("--no-raw", "GET", "nokey")[:2], (0, "(nil)\n"))
        self.assertEqual(self.server.cli("INCR", "ci")[:2], (0, "1\n"))
        self.assertEqual(self.server.cli("--no-raw", "INCRBY", "ci", "41")[:2],
                         (0, "(integer) 42\n"))
        self.assertEqual(self.server.cli("MGET", "ck", "nokey", "ci")[:2], (0, "hello\n\n42\n"))

    def test_error_reply(self):
        self.r.set("ck", "hello")
        _, out, err = self.server.cli("INCR", "ck")
        self.assertIn("ERR value is not an integer or out of range", out + err)
        _, out, err = self.server.cli("GET")
        self.assertIn("ERR wrong number of arguments for 'get' command", out + err)

    def test_binary_value_from_stdin(self):
        code, _, _ = self.server.cli("-x", "SET", "bin", stdin=JDK_BYTES)
        self.assertEqual(code, 0)
        self.assertEqual(self.r.get("bin"), JDK_BYTES)

    def test_lcs_idx_pretty(self):
        self.r.set("ck", "hello")
        code, out, _ = self.server.cli("--no-raw", "LCS", "ck", "ck", "IDX")
        self.assertEqual(code, 0)
        self.assertEqual(out, '1) "matches"\n'
                              '2) 1) 1) 1) (integer) 0\n'
                              '         2) (integer) 4\n'
                              '      2) 1) (integer) 0\n'
                              '         2) (integer) 4\n'
                              '3) "len"\n'
                              '4) (integer) 5\n')


# ---------------------------------------------------------------------------------------------
# WRONGTYPE against a list and a set
# ---------------------------------------------------------------------------------------------
class StringsWrongType(StringTestCase):
    def setUp(self):
        super().setUp()
        self.r.rpush("l", "a")
        self.r.sadd("s", "m")

    def assertUntouched(self):
        self.assertEqual(self.r.type("l"), b"list")
        self.assertEqual(self.r.lrange("l", 0, -1), [b"a"])

    def test_readers_and_modifiers(self):
        cases = [("GET", "l"), ("GETSET", "l", "v"), ("GETDEL", "l"), ("GETEX", "l"),
                 ("GETEX", "l", "PERSIST"), ("GETEX", "l", "EX", "10"), ("GETEX", "l", "EX", "0"),
                 ("APPEND", "l", "x"), ("APPEND", "l", ""), ("STRLEN", "l"), ("INCR", "l"),
                 ("DECR", "l"), ("INCRBY", "l", "1"), ("DECRBY", "l", "1"),
                 ("INCRBYFLOAT", "l", "1"), ("INCRBYFLOAT", "l", "x"), ("GETRANGE", "l", "0", "1"),
                 ("SUBSTR", "l", "0", "1"), ("SETRANGE", "l", "0", "x"), ("SETRANGE", "l", "0", ""),
                 ("SET", "l", "v", "GET"), ("SET", "l", "v", "NX", "GET"),
                 ("SET", "l", "v", "XX", "GET"), ("GET", "s"), ("INCR", "s")]
        for cmd in cases:
            with self.subTest(cmd=cmd):
                self.assertEqual(self.raw.cmd(*cmd), WRONGTYPE)
        self.assertUntouched()
        self.assertEqual(self.r.type("s"), b"set")

    def test_argument_errors_come_first(self):
        self.assertEqual(self.raw.cmd("INCRBY", "l", "x"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("DECRBY", "l", "x"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("GETRANGE", "l", "x", "1"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("SETRANGE", "l", "-1", "x"), b"-ERR offset is out of range\r\n")
        self.assertEqual(self.raw.cmd("GETEX", "l", "FOO"), SYNTAX)
        self.assertEqual(self.raw.cmd("SET", "l", "v", "GET", "EX", "0"), invalid_expire("set"))
        self.assertUntouched()

    def test_redis_py_wrongtype_text(self):
        self.assertError(lambda: self.r.get("l"),
                         "WRONGTYPE Operation against a key holding the wrong kind of value")

    def test_overwriting_commands_replace_other_types(self):
        self.assertEqual(self.raw.cmd("SET", "l", "v"), OK)
        self.assertEqual(self.r.type("l"), b"string")
        self.assertEqual(self.raw.cmd("MSET", "s", "1"), OK)
        self.assertEqual(self.r.get("s"), b"1")
        self.r.rpush("l2", "a")
        self.assertEqual(self.raw.cmd("SETEX", "l2", "100", "v"), OK)
        self.assertEqual(self.r.get("l2"), b"v")
        self.assertTtlAbout("l2", 100)
        self.r.sadd("s2", "a")
        self.r.expire("s2", 100)
        self.assertEqual(self.raw.cmd("SET", "s2", "v", "KEEPTTL"), OK)
        self.assertEqual(self.r.type("s2"), b"string")
        self.assertTtlAbout("s2", 100)

    def test_nx_commands_see_other_types_as_existing(self):
        self.assertEqual(self.raw.cmd("SETNX", "l", "v"), b":0\r\n")
        self.assertEqual(self.raw.cmd("SET", "l", "v", "NX"), NULL2)
        self.assertEqual(self.raw.cmd("MSETNX", "new", "1", "l", "2"), b":0\r\n")
        self.assertEqual(self.r.exists("new"), 0)
        self.assertUntouched()
        self.assertEqual(self.raw.cmd("SET", "l", "v", "XX"), OK)
        self.assertEqual(self.r.get("l"), b"v")

    def test_mget_returns_null_for_other_types(self):
        self.r.set("k", "v")
        self.assertEqual(self.raw.cmd("MGET", "l", "k", "s"), b"*3\r\n$-1\r\n$1\r\nv\r\n$-1\r\n")

    def test_lcs_other_types(self):
        self.r.set("k", "v")
        err = b"-ERR The specified keys must contain string values\r\n"
        self.assertEqual(self.raw.cmd("LCS", "k", "l"), err)
        self.assertEqual(self.raw.cmd("LCS", "l", "k"), err)
        self.assertEqual(self.raw.cmd("LCS", "nokey", "s", "LEN"), err)
        # The keys are checked before the options.
        self.assertEqual(self.raw.cmd("LCS", "l", "k", "FOO"), err)
        self.assertEqual(self.raw.cmd("LCS", "k", "l", "LEN", "IDX"), err)


if __name__ == "__main__":
    main()

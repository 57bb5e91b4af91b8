# SPDX-License-Identifier: Apache-2.0
"""Integration tests for the hash family: HSET HMSET HSETNX HGET HMGET HGETALL HDEL HEXISTS HLEN
HSTRLEN HKEYS HVALS HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, the encodings OBJECT ENCODING reports,
hashes under TYPE/COPY/RENAME/MOVE/SCAN TYPE/EXPIRE, RESP3 reply shapes, keyspace events, binary
values (NUL, CR, LF), and the sequences Spring Session sends for a session hash on RESP2 and RESP3.

Every expectation was checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis), except the tests
marked @needs_redis_72 (Redis 7.2 converts a listpack to a hashtable when one HSET carries more
pairs than hash-max-listpack-entries, duplicates or not). Replies whose order is not defined are
compared as dicts or sets.
"""
import time
import uuid

from support.server import needs_redis_72, sessionkv_only, ServerTestCase, main
from test_notifications import EventsMixin

WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
SYNTAX = b"-ERR syntax error\r\n"
NULL2 = b"$-1\r\n"
NULL3 = b"_\r\n"
EMPTY_ARRAY = b"*0\r\n"


def wrong_args(cmd):
    return b"-ERR wrong number of arguments for '%s' command\r\n" % cmd.encode()


def bulk(value):
    return b"$%d\r\n%s\r\n" % (len(value), value)


def jdk_long(millis):
    """A java.lang.Long as Spring Session's JdkSerializationRedisSerializer writes it (82 bytes)."""
    return (b"\xac\xed\x00\x05sr\x00\x0ejava.lang.Long;\x8b\xe4\x90\xcc\x8f#\xdf\x02\x00\x01J\x00"
            b"\x05valuexr\x00\x10java.lang.Number\x86\xac\x95\x1d\x0b\x94\xe0\x8b\x02\x00\x00xp"
            + millis.to_bytes(8, "big"))


def jdk_integer(value):
    """A java.lang.Integer, as maxInactiveInterval is written (81 bytes)."""
    return (b"\xac\xed\x00\x05sr\x00\x11java.lang.Integer\x12\xe2\xa0\xa4\xf7\x81\x878\x02\x00\x01I"
            b"\x00\x05valuexr\x00\x10java.lang.Number\x86\xac\x95\x1d\x0b\x94\xe0\x8b\x02\x00\x00xp"
            + value.to_bytes(4, "big"))


def jdk_blob(size, seed):
    """An opaque serialized attribute of `size` bytes with NUL, CR and LF in it."""
    body = bytes((seed + i * 31) % 256 for i in range(size - 8))
    return b"\xac\xed\x00\x05sr\x00" + body[:size // 2] + b"\r\n\x00" + body[size // 2 + 3:]


def spring_session():
    """The fields of a new Spring session, as the first HMSET of RedisSessionRepository sends them."""
    return {
        b"creationTime": jdk_long(1700000000000),
        b"maxInactiveInterval": jdk_integer(1800),
        b"lastAccessedTime": jdk_long(1700000000000),
        b"sessionAttr:SPRING_SECURITY_CONTEXT": jdk_blob(600, 1),
        b"sessionAttr:x": jdk_blob(100, 2),
    }


def flat(mapping):
    out = []
    for k, v in mapping.items():
        out += [k, v]
    return out


class HashTestCase(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.raw = self.server.raw()

    def tearDown(self):
        self.raw.close()
        super().tearDown()

    def encoding(self, key):
        return self.r.object("encoding", key)


class BasicHashTest(HashTestCase):
    def test_hset_hget_hmset(self):
        self.assertEqual(self.raw.cmd("HSET", "h", "a", "1", "b", "2", "a", "3"), b":2\r\n")
        self.assertEqual(self.raw.cmd("HSET", "h", "b", "20"), b":0\r\n")
        self.assertEqual(self.raw.cmd("HMSET", "h", "c", "30", "d", "4"), b"+OK\r\n")
        self.assertEqual(self.raw.cmd("HGET", "h", "a"), b"$1\r\n3\r\n")
        self.assertEqual(self.raw.cmd("HGET", "h", "zz"), NULL2)
        self.assertEqual(self.raw.cmd("HGET", "nokey", "a"), NULL2)
        self.assertEqual(self.r.hgetall("h"), {b"a": b"3", b"b": b"20", b"c": b"30", b"d": b"4"})
        self.assertEqual(self.r.type("h"), b"hash")

    def test_listpack_order_is_insertion_order(self):
        self.r.hset("h", mapping={"z": "1", "a": "2", "m": "3"})
        self.r.hset("h", "a", "22")
        self.assertEqual(self.raw.cmd("HKEYS", "h"), b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nm\r\n")
        self.assertEqual(self.raw.cmd("HVALS", "h"), b"*3\r\n$1\r\n1\r\n$2\r\n22\r\n$1\r\n3\r\n")
        self.assertEqual(self.raw.cmd("HGETALL", "h"),
                         b"*6\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$2\r\n22\r\n$1\r\nm\r\n$1\r\n3\r\n")

    def test_hmget_hexists_hlen_hstrlen(self):
        self.r.hset("h", mapping={"a": "1", "bb": "hello"})
        self.assertEqual(self.raw.cmd("HMGET", "h", "a", "zz", "bb"),
                         b"*3\r\n$1\r\n1\r\n$-1\r\n$5\r\nhello\r\n")
        self.assertEqual(self.raw.cmd("HMGET", "nokey", "a"), b"*1\r\n$-1\r\n")
        self.assertEqual(self.raw.cmd("HEXISTS", "h", "a"), b":1\r\n")
        self.assertEqual(self.raw.cmd("HEXISTS", "h", "zz"), b":0\r\n")
        self.assertEqual(self.raw.cmd("HEXISTS", "nokey", "a"), b":0\r\n")
        self.assertEqual(self.raw.cmd("HLEN", "h"), b":2\r\n")
        self.assertEqual(self.raw.cmd("HLEN", "nokey"), b":0\r\n")
        self.assertEqual(self.raw.cmd("HSTRLEN", "h", "bb"), b":5\r\n")
        self.assertEqual(self.raw.cmd("HSTRLEN", "h", "zz"), b":0\r\n")
        self.assertEqual(self.raw.cmd("HGETALL", "nokey"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("HKEYS", "nokey"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("HVALS", "nokey"), EMPTY_ARRAY)

    def test_hsetnx(self):
        self.assertEqual(self.raw.cmd("HSETNX", "h", "a", "1"), b":1\r\n")
        self.assertEqual(self.raw.cmd("HSETNX", "h", "a", "2"), b":0\r\n")
        self.assertEqual(self.r.hget("h", "a"), b"1")

    def test_hdel_removes_key_with_last_field(self):
        self.r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
        self.r.expire("h", 100)
        self.assertEqual(self.raw.cmd("HDEL", "h", "a", "zz", "a"), b":1\r\n")
        self.assertEqual(self.raw.cmd("HDEL", "nokey", "a"), b":0\r\n")
        self.assertEqual(self.raw.cmd("HDEL", "h", "b", "c"), b":2\r\n")
        self.assertEqual(self.r.exists("h"), 0)
        self.r.hset("h", "x", "y")
        self.assertEqual(self.r.ttl("h"), -1)

    def test_binary_fields_and_values(self):
        values = {b"\x00": b"\r\n", b"f\r\nx": b"\x00\x00\xff", b"": b"empty field",
                  b"empty": b"", b"jdk": jdk_long(1)}
        self.r.hset("h", mapping=values)
        self.assertEqual(self.r.hgetall("h"), values)
        for f, v in values.items():
            self.assertEqual(self.raw.cmd("HGET", "h", f), bulk(v))
            self.assertEqual(self.raw.cmd("HSTRLEN", "h", f), b":%d\r\n" % len(v))
        self.assertEqual(self.raw.cmd("HDEL", "h", b"f\r\nx"), b":1\r\n")
        self.assertEqual(self.raw.cmd("HEXISTS", "h", b"f\r\n"), b":0\r\n")

    def test_arity_errors(self):
        self.assertEqual(self.raw.cmd("HSET", "h", "f"), wrong_args("hset"))
        self.assertEqual(self.raw.cmd("HSET", "h", "f", "v", "g"), wrong_args("hset"))
        self.assertEqual(self.raw.cmd("HMSET", "h", "f", "v", "g"), wrong_args("hmset"))
        self.assertEqual(self.raw.cmd("HSETNX", "h", "f"), wrong_args("hsetnx"))
        self.assertEqual(self.raw.cmd("HGET", "h"), wrong_args("hget"))
        self.assertEqual(self.raw.cmd("HMGET", "h"), wrong_args("hmget"))
        self.assertEqual(self.raw.cmd("HGETALL"), wrong_args("hgetall"))
        self.assertEqual(self.raw.cmd("HDEL", "h"), wrong_args("hdel"))
        self.assertEqual(self.raw.cmd("HLEN", "h", "x"), wrong_args("hlen"))
        self.assertEqual(self.raw.cmd("HINCRBY", "h", "f"), wrong_args("hincrby"))
        self.assertEqual(self.raw.cmd("HRANDFIELD"), wrong_args("hrandfield"))
        self.assertEqual(self.raw.cmd("HSCAN", "h"), wrong_args("hscan"))
        self.assertEqual(self.r.exists("h"), 0)

    def test_wrongtype(self):
        self.r.set("str", "v")
        self.r.sadd("set", "m")
        for key in ("str", "set"):
            for args in [("HSET", key, "a", "1"), ("HMSET", key, "a", "1"), ("HSETNX", key, "a", "1"),
                         ("HGET", key, "a"), ("HMGET", key, "a"), ("HGETALL", key), ("HKEYS", key),
                         ("HVALS", key), ("HDEL", key, "a"), ("HEXISTS", key, "a"), ("HLEN", key),
                         ("HSTRLEN", key, "a"), ("HINCRBY", key, "a", "1"),
                         ("HINCRBYFLOAT", key, "a", "1"), ("HRANDFIELD", key),
                         ("HRANDFIELD", key, "2", "WITHVALUES"), ("HSCAN", key, "0")]:
                self.assertEqual(self.raw.cmd(*args), WRONGTYPE, args)
        self.r.hset("h", "f", "v")
        for args in [("GET", "h"), ("APPEND", "h", "x"), ("SADD", "h", "m"), ("SMEMBERS", "h"),
                     ("INCR", "h")]:
            self.assertEqual(self.raw.cmd(*args), WRONGTYPE, args)
        self.assertEqual(self.r.get("str"), b"v")
        self.assertEqual(self.r.hgetall("h"), {b"f": b"v"})


class IncrTest(HashTestCase):
    def test_hincrby(self):
        self.assertEqual(self.raw.cmd("HINCRBY", "h", "n", "5"), b":5\r\n")
        self.assertEqual(self.raw.cmd("HINCRBY", "h", "n", "-7"), b":-2\r\n")
        self.r.hset("h", mapping={"s": "abc", "sp": " 1", "big": "9223372036854775807",
                                  "small": "-9223372036854775808", "z": "01"})
        for field in ("s", "sp", "z"):
            self.assertEqual(self.raw.cmd("HINCRBY", "h", field, "1"),
                             b"-ERR hash value is not an integer\r\n", field)
        self.assertEqual(self.raw.cmd("HINCRBY", "h", "big", "1"),
                         b"-ERR increment or decrement would overflow\r\n")
        self.assertEqual(self.raw.cmd("HINCRBY", "h", "small", "-1"),
                         b"-ERR increment or decrement would overflow\r\n")
        self.assertEqual(self.raw.cmd("HINCRBY", "h", "n", "1.5"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("HINCRBY", "h", "n", "99999999999999999999"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("HINCRBY", "nokey", "n", "x"), NOT_INTEGER)
        self.assertEqual(self.r.exists("nokey"), 0)
        self.assertEqual(self.r.hget("h", "big"), b"9223372036854775807")

    def test_hincrbyfloat(self):
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "h", "f", "10.5"), b"$4\r\n10.5\r\n")
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "h", "f", "0.1"), b"$4\r\n10.6\r\n")
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "h", "f", "-10.6"), b"$1\r\n0\r\n")
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "h", "e", "5.0e3"), b"$4\r\n5000\r\n")
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "h", "e", "1e-5"), b"$22\r\n5000.00001000000000007\r\n")
        self.r.hset("h", mapping={"i": "3", "s": "abc", "inf": "inf"})
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "h", "i", "1.5"), b"$3\r\n4.5\r\n")
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "h", "s", "1"),
                         b"-ERR hash value is not a float\r\n")
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "h", "f", "abc"),
                         b"-ERR value is not a valid float\r\n")
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "h", "f", "inf"),
                         b"-ERR value is NaN or Infinity\r\n")
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "h", "inf", "1"),
                         b"-ERR increment would produce NaN or Infinity\r\n")
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "nokey", "f", "-inf"),
                         b"-ERR value is NaN or Infinity\r\n")
        self.assertEqual(self.r.exists("nokey"), 0)


class RandFieldTest(HashTestCase):
    def test_without_count(self):
        self.assertEqual(self.raw.cmd("HRANDFIELD", "nokey"), NULL2)
        self.r.hset("h", mapping={"a": "1", "b": "2"})
        self.assertIn(self.r.hrandfield("h"), {b"a", b"b"})

    def test_counts(self):
        fields = {b"a": b"1", b"b": b"2", b"c": b"3"}
        self.r.hset("h", mapping=fields)
        self.assertEqual(self.raw.cmd("HRANDFIELD", "nokey", "3"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("HRANDFIELD", "h", "0"), EMPTY_ARRAY)
        self.assertEqual(set(self.r.hrandfield("h", 10)), set(fields))
        self.assertEqual(len(set(self.r.hrandfield("h", 2))), 2)
        picks = self.r.hrandfield("h", -20)
        self.assertEqual(len(picks), 20)
        self.assertTrue(set(picks) <= set(fields))
        flat_pairs = self.r.hrandfield("h", -6, withvalues=True)
        self.assertEqual(len(flat_pairs), 12)
        for i in range(0, 12, 2):
            self.assertEqual(fields[flat_pairs[i]], flat_pairs[i + 1])
        all_pairs = self.r.hrandfield("h", 5, withvalues=True)
        self.assertEqual(dict(zip(all_pairs[::2], all_pairs[1::2])), fields)

    def test_count_on_hashtable(self):
        fields = {("f%d" % i).encode(): ("v%d" % i).encode() * 20 for i in range(300)}
        self.r.hset("h", mapping=fields)
        self.assertEqual(self.encoding("h"), b"hashtable")
        few = self.r.hrandfield("h", 5, withvalues=True)
        self.assertEqual(len(few), 10)
        self.assertEqual(len(set(few[::2])), 5)
        for i in range(0, 10, 2):
            self.assertEqual(fields[few[i]], few[i + 1])
        many = self.r.hrandfield("h", 250)
        self.assertEqual(len(set(many)), 250)

    def test_errors(self):
        self.r.hset("h", "a", "1")
        self.assertEqual(self.raw.cmd("HRANDFIELD", "h", "x"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("HRANDFIELD", "nokey", "x"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("HRANDFIELD", "h", "-9223372036854775808"),
                         b"-ERR value is out of range, value must between -9223372036854775807 and "
                         b"9223372036854775807\r\n")
        self.assertEqual(self.raw.cmd("HRANDFIELD", "h", "1", "VALUES"), SYNTAX)
        self.assertEqual(self.raw.cmd("HRANDFIELD", "h", "1", "WITHVALUES", "x"), SYNTAX)
        self.assertEqual(self.raw.cmd("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"),
                         b"-ERR value is out of range\r\n")
        self.assertEqual(self.raw.cmd("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"),
                         b"-ERR value is out of range\r\n")


class ScanTest(HashTestCase):
    def scan_all(self, key, **kw):
        found, cursor, calls = {}, 0, 0
        while True:
            cursor, data = self.r.hscan(key, cursor, **kw)
            found.update(data)
            calls += 1
            if cursor == 0:
                return found, calls

    def test_small_hash_answers_at_once(self):
        self.r.hset("h", mapping={"a": "1", "b": "2"})
        self.assertEqual(self.raw.cmd("HSCAN", "h", "0", "COUNT", "1"),
                         b"*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n")
        self.assertEqual(self.raw.cmd("HSCAN", "nokey", "0"), b"*2\r\n$1\r\n0\r\n*0\r\n")

    def test_hashtable_scan_is_complete(self):
        fields = {("field%d" % i).encode(): b"x" * 70 for i in range(500)}
        self.r.hset("h", mapping=fields)
        found, calls = self.scan_all("h", count=20)
        self.assertEqual(found, fields)
        self.assertGreater(calls, 5)

    def test_scan_survives_growth(self):
        self.r.hset("h", mapping={("k%d" % i): "v" * 70 for i in range(200)})
        cursor, found, added = 0, set(), 0
        while True:
            cursor, data = self.r.hscan("h", cursor, count=10)
            found.update(data)
            self.r.hset("h", mapping={("new%d" % (added + j)): "v" for j in range(30)})
            added += 30
            if cursor == 0:
                break
        self.assertTrue({("k%d" % i).encode() for i in range(200)} <= found)

    def test_match_and_errors(self):
        self.r.hset("h", mapping={("field%d" % i): "v" * 70 for i in range(100)})
        found, _ = self.scan_all("h", match="field1?", count=1000)
        self.assertEqual(set(found), {("field1%d" % i).encode() for i in range(10)})
        self.assertEqual(self.raw.cmd("HSCAN", "h", "x"), b"-ERR invalid cursor\r\n")
        self.assertEqual(self.raw.cmd("HSCAN", "h", "0", "COUNT", "0"), SYNTAX)
        self.assertEqual(self.raw.cmd("HSCAN", "h", "0", "COUNT", "x"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("HSCAN", "h", "0", "TYPE", "hash"), SYNTAX)
        self.assertEqual(self.raw.cmd("HSCAN", "h", "0", "MATCH"), SYNTAX)
        self.assertEqual(self.raw.cmd("HSCAN", "nokey", "0", "BAD"), b"*2\r\n$1\r\n0\r\n*0\r\n")


class EncodingTest(HashTestCase):
    def test_listpack_until_a_long_value(self):
        self.r.hset("h", mapping={"a": "1", "b": "x" * 64})
        self.assertEqual(self.encoding("h"), b"listpack")
        self.r.hset("h", "c", "y" * 65)
        self.assertEqual(self.encoding("h"), b"hashtable")
        self.r.hdel("h", "c", "b")
        self.assertEqual(self.encoding("h"), b"hashtable")

    def test_long_field_converts(self):
        self.r.hset("h", "f" * 65, "v")
        self.assertEqual(self.encoding("h"), b"hashtable")

    def test_entries_limit(self):
        self.r.hset("h", mapping={("f%d" % i): "v" for i in range(512)})
        self.assertEqual(self.encoding("h"), b"listpack")
        self.r.hset("h", "f512", "v")
        self.assertEqual(self.encoding("h"), b"hashtable")

    def test_config_thresholds(self):
        self.r.config_set("hash-max-listpack-entries", 3)
        self.r.config_set("hash-max-listpack-value", 4)
        try:
            self.r.hset("e", mapping={"a": "1", "b": "2", "c": "3"})
            self.assertEqual(self.encoding("e"), b"listpack")
            self.r.hset("e", "d", "4")
            self.assertEqual(self.encoding("e"), b"hashtable")
            self.r.hincrby("i", "n", 9999)
            self.assertEqual(self.encoding("i"), b"listpack")
            self.r.hincrby("i", "n", 1)
            self.assertEqual(self.encoding("i"), b"hashtable")
            self.r.hincrbyfloat("fl", "n", 1.125)
            self.assertEqual(self.encoding("fl"), b"hashtable")
            self.r.hsetnx("nx", "field", "v")
            self.assertEqual(self.encoding("nx"), b"hashtable")
        finally:
            self.r.config_set("hash-max-listpack-entries", 512)
            self.r.config_set("hash-max-listpack-value", 64)

    def test_lowered_limit_applies_at_next_write(self):
        self.r.hset("h", mapping={("f%d" % i): "v" for i in range(10)})
        self.r.config_set("hash-max-listpack-entries", 5)
        try:
            self.assertEqual(self.encoding("h"), b"listpack")
            self.r.hset("h", "f1", "w")
            self.assertEqual(self.encoding("h"), b"hashtable")
        finally:
            self.r.config_set("hash-max-listpack-entries", 512)

    @needs_redis_72
    def test_many_pairs_in_one_hset_convert(self):
        args = []
        for _ in range(513):
            args += ["f", "v"]
        self.assertEqual(self.raw.cmd("HSET", "h", *args), b":1\r\n")
        self.assertEqual(self.r.hlen("h"), 1)
        self.assertEqual(self.encoding("h"), b"hashtable")

    def test_spring_session_is_hashtable(self):
        self.r.hset("s", mapping=spring_session())
        self.assertEqual(self.encoding("s"), b"hashtable")


class KeyspaceTest(HashTestCase):
    def test_type_copy_rename_move_scan(self):
        self.r.hset("h", mapping={"a": "1", "big": "x" * 100})
        self.r.pexpire("h", 100000)
        self.r.set("str", "v")
        self.r.sadd("set", "m")
        self.assertEqual(self.raw.cmd("COPY", "h", "c"), b":1\r\n")
        self.assertEqual(self.encoding("c"), b"hashtable")
        self.assertGreater(self.r.pttl("c"), 90000)
        self.r.hset("c", "a", "changed")
        self.assertEqual(self.r.hget("h", "a"), b"1")
        self.assertEqual(self.raw.cmd("RENAME", "c", "r"), b"+OK\r\n")
        self.assertEqual(self.r.hget("r", "a"), b"changed")
        self.assertGreater(self.r.pttl("r"), 90000)
        self.assertEqual(self.raw.cmd("MOVE", "r", "1"), b":1\r\n")
        db1 = self.server.client(db=1)
        self.assertEqual(db1.hgetall("r"), {b"a": b"changed", b"big": b"x" * 100})
        db1.close()
        cursor, keys = self.r.scan(0, _type="hash", count=100)
        self.assertEqual((cursor, keys), (0, [b"h"]))
        self.assertEqual(self.r.type("h"), b"hash")
        self.assertGreater(self.r.memory_usage("h"), 100)

    def test_copy_keeps_listpack(self):
        self.r.hset("h", "a", "1")
        self.r.copy("h", "c")
        self.assertEqual(self.encoding("c"), b"listpack")

    def test_hash_expires(self):
        self.r.hset("h", "f", "v")
        self.r.pexpire("h", 100)
        self.r.hset("h", "g", "w")
        self.assertGreater(self.r.pttl("h"), 0)
        for _ in range(100):
            if self.r.exists("h") == 0:
                break
            time.sleep(0.05)
        self.assertEqual(self.r.exists("h"), 0)
        self.assertEqual(self.raw.cmd("HGETALL", "h"), EMPTY_ARRAY)


class Resp3Test(HashTestCase):
    def test_reply_shapes(self):
        self.r.hset("h", mapping={"f": "v"})
        self.assertEqual(self.raw.cmd("HELLO", "3")[:1], b"%")
        self.assertEqual(self.raw.cmd("HGETALL", "h"), b"%1\r\n$1\r\nf\r\n$1\r\nv\r\n")
        self.assertEqual(self.raw.cmd("HGETALL", "nokey"), b"%0\r\n")
        self.assertEqual(self.raw.cmd("HKEYS", "h"), b"*1\r\n$1\r\nf\r\n")
        self.assertEqual(self.raw.cmd("HVALS", "nokey"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("HGET", "h", "x"), NULL3)
        self.assertEqual(self.raw.cmd("HMGET", "h", "f", "x"), b"*2\r\n$1\r\nv\r\n_\r\n")
        self.assertEqual(self.raw.cmd("HRANDFIELD", "nokey"), NULL3)
        self.assertEqual(self.raw.cmd("HRANDFIELD", "nokey", "2"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("HRANDFIELD", "h", "1", "WITHVALUES"),
                         b"*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n")
        self.assertEqual(self.raw.cmd("HRANDFIELD", "h", "-2", "WITHVALUES"),
                         b"*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n")
        self.assertEqual(self.raw.cmd("HRANDFIELD", "h", "-2"), b"*2\r\n$1\r\nf\r\n$1\r\nf\r\n")
        self.assertEqual(self.raw.cmd("HSCAN", "h", "0"),
                         b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n")
        self.assertEqual(self.raw.cmd("HINCRBYFLOAT", "h", "n", "2.5"), b"$3\r\n2.5\r\n")
        self.assertEqual(self.raw.cmd("HINCRBY", "h", "i", "2"), b":2\r\n")


class HashNotificationsTest(EventsMixin, HashTestCase):
    def test_events(self):
        self.r.hset("h", "a", "1")
        self.r.hset("h", "a", "1")          # nothing new: still an event
        self.r.hmset("h", {"b": "2"})
        self.r.hsetnx("h", "a", "9")        # field exists: no event
        self.r.hsetnx("h", "c", "3")
        self.r.hincrby("h", "n", 1)
        self.r.hincrbyfloat("h", "x", 1.5)
        self.r.hdel("h", "zz")              # nothing removed: no event
        self.r.hdel("h", "a", "b", "c", "n")
        self.r.hdel("h", "x")
        self.raw.cmd("HINCRBY", "h", "n", "x")  # error: no event
        self.expect_events(("hset", "h"), ("hset", "h"), ("hset", "h"), ("hset", "h"),
                           ("hincrby", "h"), ("hincrbyfloat", "h"), ("hdel", "h"), ("hdel", "h"),
                           ("del", "h"))
        self.assertTrue(self.events.quiet())


class SpringSessionTest(HashTestCase):
    def session_key(self):
        return "spring:session:sessions:%s" % uuid.uuid4()

    def run_session(self, conn, key):
        """RedisSessionRepository's commands for a new session, two requests and a logout."""
        fields = spring_session()
        self.assertIn(conn.cmd("HMSET", key, *flat(fields)), (b"+OK\r\n",))
        self.assertEqual(conn.cmd("PEXPIREAT", key, "32503680000000"), b":1\r\n")
        # Request 2: EXISTS, HMSET of lastAccessedTime (same length), PEXPIREAT.
        self.assertEqual(conn.cmd("EXISTS", key), b":1\r\n")
        later = jdk_long(1700000060000)
        self.assertEqual(conn.cmd("HMSET", key, "lastAccessedTime", later), b"+OK\r\n")
        self.assertEqual(conn.cmd("HSET", key, "lastAccessedTime", later), b":0\r\n")
        fields[b"lastAccessedTime"] = later
        # An attribute removed: Spring writes an empty value rather than HDEL.
        self.assertEqual(conn.cmd("HMSET", key, "sessionAttr:x", b""), b"+OK\r\n")
        fields[b"sessionAttr:x"] = b""
        return fields

    def test_resp2(self):
        key = self.session_key()
        fields = self.run_session(self.raw, key)
        self.assertEqual(self.r.hgetall(key), fields)
        reply = self.raw.cmd("HGETALL", key)
        self.assertTrue(reply.startswith(b"*10\r\n"), reply[:10])
        for f, v in fields.items():
            self.assertIn(bulk(f) + bulk(v), reply)
        self.assertEqual(self.raw.cmd("HDEL", key, "sessionAttr:x"), b":1\r\n")
        self.assertEqual(self.raw.cmd("HLEN", key), b":4\r\n")
        self.assertEqual(self.raw.cmd("DEL", key), b":1\r\n")
        self.assertEqual(self.raw.cmd("HGETALL", key), EMPTY_ARRAY)

    def test_resp3(self):
        self.assertEqual(self.raw.cmd("HELLO", "3")[:1], b"%")
        key = self.session_key()
        fields = self.run_session(self.raw, key)
        reply = self.raw.cmd("HGETALL", key)
        self.assertTrue(reply.startswith(b"%5\r\n"), reply[:10])
        for f, v in fields.items():
            self.assertIn(bulk(f) + bulk(v), reply)
        # Session id change, then findById of the new id.
        new_key = self.session_key()
        self.assertEqual(self.raw.cmd("RENAME", key, new_key), b"+OK\r\n")
        self.assertEqual(self.raw.cmd("HGETALL", key), b"%0\r\n")
        self.assertTrue(self.raw.cmd("HGETALL", new_key).startswith(b"%5\r\n"))
        self.assertEqual(self.raw.cmd("HDEL", new_key, *fields.keys()), b":5\r\n")
        self.assertEqual(self.raw.cmd("EXISTS", new_key), b":0\r\n")

    def test_reactive_single_field_hset(self):
        key = self.session_key()
        self.r.hset(key, mapping=spring_session())
        self.assertEqual(self.raw.cmd("EXPIRE", key, "1800"), b":1\r\n")
        self.assertEqual(self.raw.cmd("HSET", key, "lastAccessedTime", jdk_long(1700000120000)),
                         b":0\r\n")
        self.assertEqual(self.r.hget(key, "lastAccessedTime"), jdk_long(1700000120000))
        self.assertEqual(self.r.ttl(key), 1800)

    @sessionkv_only
    def test_session_memory_usage_is_small(self):
        """A 5-field, ~950-byte session costs one buffer plus the key's entry."""
        key = self.session_key()
        self.r.hset(key, mapping=spring_session())
        payload = sum(len(f) + len(v) for f, v in spring_session().items())
        self.assertLess(self.r.memory_usage(key), payload + 300)

    def test_used_memory_counts_the_sessions(self):
        """INFO used_memory (what maxmemory compares) grows by at least the bytes the sessions hold."""
        before = self.r.info("memory")["used_memory"]
        payload = sum(len(f) + len(v) for f, v in spring_session().items())
        with self.r.pipeline(transaction=False) as p:
            for i in range(2000):
                p.hset("%s-%d" % (self.session_key(), i), mapping=spring_session())
            p.execute()
        grown = self.r.info("memory")["used_memory"] - before
        self.assertGreater(grown, 2000 * payload)
        self.assertLess(grown, 2000 * payload * 2)


if __name__ == "__main__":
    main()

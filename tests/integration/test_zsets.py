# SPDX-License-Identifier: Apache-2.0
"""Integration tests for the sorted-set family: ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZRANK
ZREVRANK, ZPOPMIN ZPOPMAX ZMPOP, ZRANDMEMBER, ZSCAN; the encodings OBJECT ENCODING reports; sorted
sets under TYPE/COPY/RENAME/MOVE/MEMORY USAGE/SCAN TYPE; RESP3 reply shapes; keyspace events; and
the sequences Spring Session's indexed repositories send to their expirations set (ZADD with the
expiry as a Java double, the cleanup's ZREVRANGEBYSCORE ... LIMIT). Ranges and the algebra are in
test_zset_ranges.py.

Every expectation was checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis), except the tests
marked @needs_redis_72: Redis 7.2 prints scores in their shortest form (7.0: %.17g, so 0.1 is
"0.10000000000000001"), added ZRANK/ZREVRANK WITHSCORE, and sizes a new sorted set from ZADD's pair
count. Elsewhere scores are chosen to print the same in both, or compared as numbers.
"""
from support.server import needs_redis_72, ServerTestCase, main
from test_notifications import Events

WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
NOT_FLOAT = b"-ERR value is not a valid float\r\n"
MINMAX = b"-ERR min or max is not a float\r\n"
LEXRANGE = b"-ERR min or max not valid string range item\r\n"
SYNTAX = b"-ERR syntax error\r\n"
EMPTY_ARRAY = b"*0\r\n"
NULL2 = b"$-1\r\n"
EXPIRATIONS = "spring:session:sessions:expirations"


def jdk_string(text):
    """A java.io.ObjectOutputStream serialization of a short String, as Spring Session's JDK
    serializer writes session ids into the expirations set."""
    data = text.encode()
    return b"\xac\xed\x00\x05t\x00" + bytes([len(data)]) + data


def wrong_args(cmd):
    return b"-ERR wrong number of arguments for '%s' command\r\n" % cmd.encode()


def bulk(value):
    if isinstance(value, str):
        value = value.encode()
    return b"$%d\r\n%s\r\n" % (len(value), value)


def array(*items):
    return b"*%d\r\n" % len(items) + b"".join(items)


def bulks(*values):
    return array(*(bulk(v) for v in values))


class ZSetTestCase(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.raw = self.server.raw()

    def tearDown(self):
        self.raw.close()
        super().tearDown()

    def encoding(self, key):
        return self.r.object("encoding", key)

    def fill(self, key, n, prefix="m"):
        """n members prefix0..prefix<n-1> scored 0..n-1."""
        self.r.zadd(key, {"%s%d" % (prefix, i): i for i in range(n)})


class BasicTest(ZSetTestCase):
    def test_add_card_score_rem(self):
        self.assertEqual(self.raw.cmd("ZADD", "z", "1", "a", "2", "b", "1", "a"), b":2\r\n")
        self.assertEqual(self.raw.cmd("ZADD", "z", "3", "c"), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZCARD", "z"), b":3\r\n")
        self.assertEqual(self.raw.cmd("ZCARD", "nokey"), b":0\r\n")
        self.assertEqual(self.raw.cmd("ZSCORE", "z", "b"), bulk("2"))
        self.assertEqual(self.raw.cmd("ZSCORE", "z", "nope"), NULL2)
        self.assertEqual(self.raw.cmd("ZSCORE", "nokey", "a"), NULL2)
        self.assertEqual(self.raw.cmd("ZMSCORE", "z", "a", "nope", "c"),
                         array(bulk("1"), NULL2, bulk("3")))
        self.assertEqual(self.raw.cmd("ZMSCORE", "nokey", "a"), array(NULL2))
        self.assertEqual(self.raw.cmd("ZREM", "z", "a", "nope", "a"), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZREM", "nokey", "a"), b":0\r\n")
        self.assertEqual(self.r.type("z"), b"zset")

    def test_removing_last_member_deletes_key(self):
        self.r.zadd("z", {"a": 1, "b": 2})
        self.r.expire("z", 100)
        self.assertEqual(self.r.zrem("z", "a", "b", "c"), 2)
        self.assertEqual(self.r.exists("z"), 0)
        self.r.zadd("z", {"x": 1})
        self.assertEqual(self.r.ttl("z"), -1)

    def test_add_options(self):
        self.r.zadd("z", {"a": 10})
        self.assertEqual(self.raw.cmd("ZADD", "z", "NX", "1", "a", "2", "b"), b":1\r\n")
        self.assertEqual(self.r.zscore("z", "a"), 10.0)
        self.assertEqual(self.raw.cmd("ZADD", "z", "XX", "5", "a", "7", "new"), b":0\r\n")
        self.assertEqual(self.r.zscore("z", "a"), 5.0)
        self.assertIsNone(self.r.zscore("z", "new"))
        self.assertEqual(self.raw.cmd("ZADD", "z", "CH", "6", "a", "2", "b", "9", "c"), b":2\r\n")
        self.assertEqual(self.raw.cmd("ZADD", "z", "GT", "CH", "1", "a", "100", "b"), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZADD", "z", "LT", "CH", "1", "a", "1000", "b"), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZADD", "z", "xx", "gt", "ch", "50", "a"), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZADD", "z", "GT", "1", "fresh"), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZADD", "z", "INCR", "2.5", "a"), bulk("52.5"))
        self.assertEqual(self.raw.cmd("ZADD", "z", "NX", "INCR", "1", "a"), NULL2)
        self.assertEqual(self.raw.cmd("ZADD", "nokey", "XX", "INCR", "1", "a"), NULL2)
        self.assertEqual(self.raw.cmd("ZADD", "nokey", "XX", "1", "a"), b":0\r\n")
        self.assertEqual(self.r.exists("nokey"), 0)
        self.assertEqual(self.raw.cmd("ZINCRBY", "z", "-2.5", "a"), bulk("50"))
        self.assertEqual(self.raw.cmd("ZINCRBY", "new", "4", "m"), bulk("4"))
        # redis-py's own forms.
        self.assertEqual(self.r.zadd("p", {"x": 1}, nx=True), 1)
        self.assertEqual(self.r.zadd("p", {"x": 3}, gt=True, ch=True), 1)
        self.assertEqual(self.r.zincrby("p", 2, "x"), 5.0)
        self.assertEqual(self.r.zadd("p", {"x": 1}, incr=True), 6.0)

    def test_add_errors_in_redis_order(self):
        self.assertEqual(self.raw.cmd("ZADD", "z", "1", "a", "2"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZADD", "z", "NX", "1"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZADD", "z", "NX", "XX", "1", "a"),
                         b"-ERR XX and NX options at the same time are not compatible\r\n")
        for opts in (("GT", "LT"), ("NX", "GT"), ("LT", "NX")):
            self.assertEqual(self.raw.cmd("ZADD", "z", *opts, "1", "a"),
                             b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n")
        self.assertEqual(self.raw.cmd("ZADD", "z", "INCR", "1", "a", "2", "b"),
                         b"-ERR INCR option supports a single increment-element pair\r\n")
        self.assertEqual(self.raw.cmd("ZADD", "z", "1", "a", "x", "b"), NOT_FLOAT)
        self.assertEqual(self.raw.cmd("ZADD", "z", "nan", "a"), NOT_FLOAT)
        self.assertEqual(self.raw.cmd("ZADD", "z", " 1", "a"), NOT_FLOAT)
        self.assertEqual(self.raw.cmd("ZADD", "z", "1e400", "a"), NOT_FLOAT)
        self.assertEqual(self.r.exists("z"), 0, "a bad score anywhere changes nothing")
        self.assertEqual(self.raw.cmd("ZINCRBY", "z", "nx", "a"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZINCRBY", "z", "x", "a"), NOT_FLOAT)
        self.r.zadd("z", {"a": float("inf")})
        self.assertEqual(self.raw.cmd("ZINCRBY", "z", "-inf", "a"),
                         b"-ERR resulting score is not a number (NaN)\r\n")
        self.assertEqual(self.raw.cmd("ZADD", "z", "INCR", "-inf", "a"),
                         b"-ERR resulting score is not a number (NaN)\r\n")
        self.assertEqual(self.r.zscore("z", "a"), float("inf"))

    def test_arity_errors(self):
        for args in [("ZADD", "z", "1"), ("ZINCRBY", "z", "1"), ("ZREM", "z"), ("ZSCORE", "z"),
                     ("ZMSCORE", "z"), ("ZCARD",), ("ZCOUNT", "z", "0"), ("ZLEXCOUNT", "z", "-"),
                     ("ZRANK", "z"), ("ZREVRANK", "z"), ("ZRANGE", "z", "0"),
                     ("ZRANGESTORE", "d", "z", "0"), ("ZRANGEBYSCORE", "z", "0"),
                     ("ZREVRANGEBYLEX", "z", "+"), ("ZREMRANGEBYRANK", "z", "0"),
                     ("ZREMRANGEBYSCORE", "z", "0", "1", "2"), ("ZPOPMIN",), ("ZMPOP", "1", "z"),
                     ("ZRANDMEMBER",), ("ZUNIONSTORE", "d", "1"), ("ZINTER", "1"),
                     ("ZINTERCARD", "1"), ("ZSCAN", "z")]:
            self.assertEqual(self.raw.cmd(*args), wrong_args(args[0].lower()), args)

    def test_binary_members(self):
        ids = [jdk_string("3f0e1c2a-1111"), b"\xff\x00\xfe", b"", b"a\r\nb"]
        self.assertEqual(self.r.zadd("z", {m: i for i, m in enumerate(ids)}), 4)
        self.assertEqual(self.r.zrange("z", 0, -1), ids)
        self.assertEqual(self.r.zscore("z", ids[1]), 1.0)
        self.assertEqual(self.raw.cmd("ZREM", "z", ids[0]), b":1\r\n")
        self.assertEqual(self.r.zrange("z", 0, -1), ids[1:])

    def test_equal_scores_order_by_member_bytes(self):
        self.r.zadd("z", {"b": 1, "B": 1, "\xff": 1, "a": 1, "ab": 1, "c": 0})
        self.assertEqual(self.r.zrange("z", 0, -1),
                         [b"c", b"B", b"a", b"ab", b"b", "\xff".encode()])

    def test_wrongtype(self):
        self.r.set("str", "v")
        self.r.zadd("z", {"a": 1})
        for args in [("ZADD", "str", "1", "a"), ("ZINCRBY", "str", "1", "a"), ("ZREM", "str", "a"),
                     ("ZSCORE", "str", "a"), ("ZMSCORE", "str", "a"), ("ZCARD", "str"),
                     ("ZCOUNT", "str", "0", "1"), ("ZLEXCOUNT", "str", "-", "+"),
                     ("ZRANK", "str", "a"), ("ZREVRANK", "str", "a"), ("ZRANGE", "str", "0", "1"),
                     ("ZRANGE", "str", "0", "1", "BYSCORE"), ("ZREVRANGE", "str", "0", "1"),
                     ("ZRANGEBYSCORE", "str", "0", "1"), ("ZREVRANGEBYSCORE", "str", "1", "0"),
                     ("ZRANGEBYLEX", "str", "-", "+"), ("ZREVRANGEBYLEX", "str", "+", "-"),
                     ("ZRANGESTORE", "d", "str", "0", "1"), ("ZREMRANGEBYRANK", "str", "0", "1"),
                     ("ZREMRANGEBYSCORE", "str", "0", "1"), ("ZREMRANGEBYLEX", "str", "-", "+"),
                     ("ZPOPMIN", "str"), ("ZPOPMAX", "str", "2"), ("ZMPOP", "2", "nokey", "str", "MIN"),
                     ("ZRANDMEMBER", "str"), ("ZRANDMEMBER", "str", "2"),
                     ("ZUNION", "2", "z", "str"), ("ZINTER", "2", "nokey", "str"),
                     ("ZDIFF", "2", "z", "str"), ("ZUNIONSTORE", "d", "2", "z", "str"),
                     ("ZINTERSTORE", "d", "1", "str"), ("ZDIFFSTORE", "d", "1", "str"),
                     ("ZINTERCARD", "2", "z", "str"), ("ZSCAN", "str", "0"),
                     ("GET", "z"), ("SADD", "z", "x"), ("SMEMBERS", "z")]:
            self.assertEqual(self.raw.cmd(*args), WRONGTYPE, args)
        self.assertEqual(self.r.get("str"), b"v")
        self.assertEqual(self.r.zrange("z", 0, -1, withscores=True), [(b"a", 1.0)])

    def test_errors_come_before_the_key(self):
        self.r.set("str", "v")
        self.assertEqual(self.raw.cmd("ZADD", "str", "x", "a"), NOT_FLOAT)
        self.assertEqual(self.raw.cmd("ZCOUNT", "str", "x", "1"), MINMAX)
        self.assertEqual(self.raw.cmd("ZLEXCOUNT", "str", "x", "+"), LEXRANGE)
        self.assertEqual(self.raw.cmd("ZRANGE", "str", "0", "1", "FOO"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZREMRANGEBYRANK", "str", "x", "1"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("ZPOPMIN", "str", "-1"),
                         b"-ERR value is out of range, must be positive\r\n")
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "str", "x"), NOT_INTEGER)
        # The algebra looks its keys up before reading the options.
        self.assertEqual(self.raw.cmd("ZUNION", "2", "nokey", "str", "AGGREGATE", "AVG"), WRONGTYPE)


class ScoreTest(ZSetTestCase):
    def test_score_forms_that_print_alike_in_70_and_72(self):
        self.r.zadd("z", {"a": 0})
        for text, printed in [("1.5", b"1.5"), ("-2.25", b"-2.25"), ("1e3", b"1000"),
                              ("0x10", b"16"), ("+inf", b"inf"), ("-inf", b"-inf"),
                              ("inf", b"inf"), ("1702402961162", b"1702402961162")]:
            self.assertEqual(self.raw.cmd("ZADD", "z", text, "a"), b":0\r\n", text)
            self.assertEqual(self.raw.cmd("ZSCORE", "z", "a"), bulk(printed), text)

    def test_negative_zero(self):
        """A listpack stores an integral score as an integer, so -0 reads back as 0; a skiplist
        keeps the double."""
        self.assertEqual(self.raw.cmd("ZADD", "z", "INCR", "-0", "a"), bulk("-0"))
        self.assertEqual(self.raw.cmd("ZSCORE", "z", "a"), bulk("0"))
        self.fill("big", 200)
        self.r.zadd("big", {"neg": "-0"})
        self.assertEqual(self.raw.cmd("ZSCORE", "big", "neg"), bulk("-0"))
        self.r.zadd("neg", {"a": 0})
        self.assertEqual(self.raw.cmd("ZUNIONSTORE", "d", "1", "neg", "WEIGHTS", "-1"), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZSCORE", "d", "a"), bulk("0"))
        self.assertEqual(self.raw.cmd("ZUNION", "1", "neg", "WEIGHTS", "-1", "WITHSCORES"),
                         bulks("a", "-0"))

    @needs_redis_72
    def test_shortest_round_trip_printing(self):
        """Redis 7.2's fpconv: the shortest digits that read back as the same double."""
        self.r.zadd("z", {"a": 0})
        for text, printed in [("0.1", b"0.1"), ("1.702402961162E12", b"1702402961162"),
                              ("0.0001", b"0.0001"), ("1e-7", b"1e-7"), ("1e300", b"1e+300"),
                              ("3.0000000000000004", b"3.0000000000000004"),
                              ("123456.789", b"123456.789")]:
            self.raw.cmd("ZADD", "z", text, "a")
            self.assertEqual(self.raw.cmd("ZSCORE", "z", "a"), bulk(printed), text)
        self.assertEqual(self.raw.cmd("ZINCRBY", "z", "0.2", "a"), bulk("123456.989"))

    def test_scores_compare_as_doubles(self):
        self.r.zadd("z", {"a": 0.1, "b": 0.2})
        self.assertEqual(self.r.zincrby("z", 0.1, "a"), 0.2)
        self.assertEqual(self.r.zscore("z", "a"), 0.1 + 0.1)
        self.assertEqual(self.r.zrangebyscore("z", 0.2, 0.2), [b"a", b"b"])


class RankTest(ZSetTestCase):
    def test_rank(self):
        self.r.zadd("z", {"a": 1, "b": 2, "c": 3})
        self.assertEqual(self.raw.cmd("ZRANK", "z", "a"), b":0\r\n")
        self.assertEqual(self.raw.cmd("ZREVRANK", "z", "a"), b":2\r\n")
        self.assertEqual(self.raw.cmd("ZRANK", "z", "nope"), NULL2)
        self.assertEqual(self.raw.cmd("ZRANK", "nokey", "a"), NULL2)

    @needs_redis_72
    def test_withscore(self):
        self.r.zadd("z", {"a": 1, "b": 2.5})
        self.assertEqual(self.raw.cmd("ZRANK", "z", "b", "WITHSCORE"), b"*2\r\n:1\r\n$3\r\n2.5\r\n")
        self.assertEqual(self.raw.cmd("ZREVRANK", "z", "b", "withscore"),
                         b"*2\r\n:0\r\n$3\r\n2.5\r\n")
        self.assertEqual(self.raw.cmd("ZRANK", "z", "nope", "WITHSCORE"), b"*-1\r\n")
        self.assertEqual(self.raw.cmd("ZRANK", "nokey", "a", "WITHSCORE"), b"*-1\r\n")
        self.assertEqual(self.raw.cmd("ZRANK", "z", "a", "WITHSCORES"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZRANK", "z", "a", "WITHSCORE", "x"), wrong_args("zrank"))


class PopRandomTest(ZSetTestCase):
    def test_pop(self):
        self.r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
        self.assertEqual(self.raw.cmd("ZPOPMIN", "z"), bulks("a", "1"))
        self.assertEqual(self.raw.cmd("ZPOPMAX", "z", "2"), bulks("e", "5", "d", "4"))
        self.assertEqual(self.raw.cmd("ZPOPMIN", "z", "0"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZPOPMIN", "z", "10"), bulks("b", "2", "c", "3"))
        self.assertEqual(self.r.exists("z"), 0)
        self.assertEqual(self.raw.cmd("ZPOPMIN", "nokey"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZPOPMAX", "nokey", "3"), EMPTY_ARRAY)
        for bad in ("-1", "x"):
            self.assertEqual(self.raw.cmd("ZPOPMIN", "z", bad),
                             b"-ERR value is out of range, must be positive\r\n")
        self.assertEqual(self.raw.cmd("ZPOPMIN", "z", "1", "2"), SYNTAX)
        self.r.zadd("p", {"x": 1, "y": 2})
        self.assertEqual(self.r.zpopmax("p"), [(b"y", 2.0)])
        self.assertEqual(self.r.zpopmin("p", 5), [(b"x", 1.0)])

    def test_mpop(self):
        self.r.zadd("b", {"x": 1, "y": 2, "z": 3})
        self.assertEqual(self.raw.cmd("ZMPOP", "2", "nokey", "b", "MAX", "COUNT", "2"),
                         array(bulk("b"), array(bulks("z", "3"), bulks("y", "2"))))
        self.assertEqual(self.raw.cmd("ZMPOP", "1", "b", "min"), array(bulk("b"), array(bulks("x", "1"))))
        self.assertEqual(self.r.exists("b"), 0)
        self.assertEqual(self.raw.cmd("ZMPOP", "1", "b", "MIN"), b"*-1\r\n")
        self.assertEqual(self.raw.cmd("ZMPOP", "0", "b", "MIN"),
                         b"-ERR numkeys should be greater than 0\r\n")
        self.assertEqual(self.raw.cmd("ZMPOP", "x", "b", "MIN"),
                         b"-ERR numkeys should be greater than 0\r\n")
        self.assertEqual(self.raw.cmd("ZMPOP", "2", "b", "MIN"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZMPOP", "1", "b", "MID"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZMPOP", "1", "b", "MIN", "COUNT", "0"),
                         b"-ERR count should be greater than 0\r\n")
        self.assertEqual(self.raw.cmd("ZMPOP", "1", "b", "MIN", "COUNT", "1", "COUNT", "1"),
                         SYNTAX)
        self.assertEqual(self.raw.cmd("ZMPOP", "1", "b", "MIN", "COUNT"), SYNTAX)

    def test_randmember(self):
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "nokey"), NULL2)
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "nokey", "3"), EMPTY_ARRAY)
        self.r.zadd("z", {"a": 1, "b": 2, "c": 3})
        self.assertIn(self.r.zrandmember("z"), {b"a", b"b", b"c"})
        # At least the whole set: every member, from the highest down.
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "z", "10"), bulks("c", "b", "a"))
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "z", "3", "WITHSCORES"),
                         bulks("c", "3", "b", "2", "a", "1"))
        self.assertEqual(len(self.r.zrandmember("z", -7)), 7)
        two = self.r.zrandmember("z", 2)
        self.assertEqual(len(set(two)), 2)
        pairs = self.r.zrandmember("z", -4, withscores=True)
        self.assertEqual(len(pairs), 8)
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "z", "0"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "z", "x"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "z", "x", "y", "z"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "z", "1", "WITHSCORE"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "z", "1", "WITHSCORES", "x"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "z", "-9223372036854775808"),
                         b"-ERR value is out of range, value must between -9223372036854775807 "
                         b"and 9223372036854775807\r\n")
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"),
                         b"-ERR value is out of range\r\n")

    def test_randmember_of_a_big_set(self):
        self.fill("big", 500)
        picked = self.r.zrandmember("big", 50)
        self.assertEqual(len(set(picked)), 50)
        picked = self.r.zrandmember("big", 400, withscores=True)
        self.assertEqual(len(set(picked[::2])), 400)
        for member, score in zip(picked[::2], picked[1::2]):
            self.assertEqual(float(score), float(member[1:]))


class ScanTest(ZSetTestCase):
    def full_scan(self, key, match=None, count=None):
        """Every (member, score) a full scan returns, and the number of calls."""
        found, cursor, calls = [], 0, 0
        while True:
            cursor, items = self.r.zscan(key, cursor, match=match, count=count)
            found.extend(items)
            calls += 1
            if cursor == 0:
                return found, calls

    def test_small_sets_answer_at_once(self):
        self.r.zadd("z", {"a": 1.5, "b": 2, "c": 0})
        self.assertEqual(self.raw.cmd("ZSCAN", "z", "0", "COUNT", "1"),
                         array(bulk("0"), bulks("c", "0", "a", "1.5", "b", "2")))
        self.assertEqual(self.raw.cmd("ZSCAN", "z", "0", "MATCH", "[ab]"),
                         array(bulk("0"), bulks("a", "1.5", "b", "2")))
        self.assertEqual(self.r.zscan("z", 0, match="c"), (0, [(b"c", 0.0)]))

    def test_big_sets_iterate_in_steps(self):
        self.fill("big", 1000)
        found, calls = self.full_scan("big", count=50)
        self.assertEqual({m for m, _ in found}, {b"m%d" % i for i in range(1000)})
        self.assertGreater(calls, 5)
        for member, score in found:
            self.assertEqual(score, float(member[1:]))
        found, _ = self.full_scan("big", match="m1??", count=100)
        self.assertEqual(sorted({m for m, _ in found}), sorted(b"m%d" % i for i in range(100, 200)))

    def test_skiplist_scores_print_as_ld2string(self):
        """A skiplist's ZSCAN scores go through %.17Lg in both 7.0 and 7.2."""
        self.r.zadd("big", {"m%d" % i: i + 0.1 for i in range(200)})
        self.assertEqual(self.raw.cmd("ZSCAN", "big", "0", "MATCH", "m1", "COUNT", "1000"),
                         array(bulk("0"), bulks("m1", "1.1000000000000001")))

    def test_errors(self):
        self.r.zadd("z", {"a": 1})
        self.assertEqual(self.raw.cmd("ZSCAN", "z", "x"), b"-ERR invalid cursor\r\n")
        self.assertEqual(self.raw.cmd("ZSCAN", "z", "0", "COUNT", "0"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZSCAN", "z", "0", "TYPE", "zset"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZSCAN", "z", "0", "MATCH"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZSCAN", "nokey", "0", "COUNT", "0"),
                         array(bulk("0"), EMPTY_ARRAY))


class EncodingTest(ZSetTestCase):
    def tearDown(self):
        self.r.config_set("zset-max-listpack-entries", "128")
        self.r.config_set("zset-max-listpack-value", "64")
        super().tearDown()

    def test_listpack_to_skiplist(self):
        self.fill("z", 128)
        self.assertEqual(self.encoding("z"), b"listpack")
        self.r.zadd("z", {"m0": 1000})
        self.assertEqual(self.encoding("z"), b"listpack")
        self.r.zadd("z", {"one-more": 1})
        self.assertEqual(self.encoding("z"), b"skiplist")
        self.r.zremrangebyrank("z", 0, 120)
        self.assertEqual(self.encoding("z"), b"skiplist", "never converts back")
        self.r.zadd("v", {"x" * 64: 1})
        self.assertEqual(self.encoding("v"), b"listpack")
        self.r.zadd("v", {"y" * 65: 2})
        self.assertEqual(self.encoding("v"), b"skiplist")
        self.r.zadd("w", {"y" * 65: 2})
        self.assertEqual(self.encoding("w"), b"skiplist")
        self.fill("big", 129)
        self.assertEqual(self.encoding("big"), b"skiplist")

    def test_config_limits(self):
        self.assertEqual(self.r.config_get("zset-max-listpack-*"),
                         {"zset-max-listpack-entries": "128", "zset-max-listpack-value": "64"})
        self.r.config_set("zset-max-listpack-entries", "2")
        self.r.zadd("z", {"a": 1, "b": 2})
        self.assertEqual(self.encoding("z"), b"listpack")
        self.r.zadd("z", {"c": 3})
        self.assertEqual(self.encoding("z"), b"skiplist")
        self.r.config_set("zset-max-listpack-value", "3")
        self.r.zadd("v", {"abc": 1})
        self.assertEqual(self.encoding("v"), b"listpack")
        self.r.zadd("v", {"abcd": 1})
        self.assertEqual(self.encoding("v"), b"skiplist")

    def test_store_results_choose_listpack_when_small(self):
        self.fill("big", 300)
        self.r.zrangestore("part", "big", 0, 127)
        self.assertEqual(self.encoding("part"), b"listpack")
        self.r.zrangestore("part", "big", 0, 128)
        self.assertEqual(self.encoding("part"), b"skiplist")
        self.r.zrangestore("part", "big", 10, 20, byscore=True)
        self.assertEqual(self.encoding("part"), b"listpack")
        self.assertEqual(self.r.zunionstore("u", ["part"]), 11)
        self.assertEqual(self.encoding("u"), b"listpack")
        self.assertEqual(self.r.zinterstore("u", ["big", "big"]), 300)
        self.assertEqual(self.encoding("u"), b"skiplist")
        self.r.zadd("long", {"l" * 65: 1})
        self.r.zunionstore("u", ["part", "long"])
        self.assertEqual(self.encoding("u"), b"skiplist")
        self.r.zdiffstore("u", ["big", "part"])
        self.assertEqual(self.encoding("u"), b"skiplist")

    @needs_redis_72
    def test_zadd_sizes_a_new_set_from_its_pair_count(self):
        """Redis 7.2 (zsetTypeCreate/zsetTypeMaybeConvert) counts ZADD's pairs, duplicates too."""
        args = ["1", "same"] * 129
        self.assertEqual(self.raw.cmd("ZADD", "dups", *args), b":1\r\n")
        self.assertEqual(self.encoding("dups"), b"skiplist")
        self.r.zadd("x", {"same": 1})
        self.assertEqual(self.raw.cmd("ZADD", "x", "XX", *args), b":0\r\n")
        self.assertEqual(self.encoding("x"), b"skiplist")
        self.r.zadd("long", {"l" * 65: 1, "short": 2})
        self.assertEqual(self.encoding("long"), b"skiplist")


class KeyspaceTest(ZSetTestCase):
    def test_type_copy_rename_move(self):
        self.r.zadd("z", {"a": 1, jdk_string("id"): 2})
        self.assertEqual(self.r.type("z"), b"zset")
        self.assertEqual(self.r.copy("z", "c"), True)
        self.r.zadd("c", {"extra": 3})
        self.assertEqual(self.r.zrange("z", 0, -1), [b"a", jdk_string("id")], "COPY duplicates")
        self.assertEqual(self.r.zcard("c"), 3)
        self.r.rename("c", "r")
        self.assertEqual(self.r.zrange("r", 0, -1, withscores=True),
                         [(b"a", 1.0), (jdk_string("id"), 2.0), (b"extra", 3.0)])
        self.assertEqual(self.r.exists("c"), 0)
        self.assertEqual(self.r.move("r", 1), True)
        self.r.execute_command("SELECT", 1)
        self.assertEqual(self.r.zscore("r", "extra"), 3.0)
        self.assertEqual(self.encoding("r"), b"listpack")

    def test_copy_keeps_encoding(self):
        self.fill("big", 500)
        self.r.zadd("small", {"a": 1})
        self.r.copy("big", "big2")
        self.r.copy("small", "small2")
        self.assertEqual(self.encoding("big2"), b"skiplist")
        self.assertEqual(self.encoding("small2"), b"listpack")
        self.assertEqual(self.r.zrank("big2", "m499"), 499)
        self.r.zrem("big2", "m0")
        self.assertEqual(self.r.zcard("big"), 500)

    def test_memory_usage_and_scan_type(self):
        self.fill("big", 1000)
        self.r.zadd("small", {"a": 1})
        self.r.set("str", "v")
        self.r.sadd("set", "a")
        self.assertGreater(self.r.memory_usage("big"), self.r.memory_usage("small"))
        self.assertGreater(self.r.memory_usage("big"), 1000 * 10)
        self.assertEqual(sorted(self.r.scan_iter(_type="zset")), [b"big", b"small"])
        self.assertEqual(sorted(self.r.scan_iter(_type="ZSET")), [b"big", b"small"])

    def test_expire_and_overwrite(self):
        self.r.zadd("z", {"a": 1})
        self.r.pexpire("z", 100000)
        self.r.zadd("z", {"b": 2})
        self.assertGreater(self.r.pttl("z"), 0, "ZADD keeps the TTL")
        self.r.set("z", "now a string")
        self.assertEqual(self.r.type("z"), b"string")


class Resp3Test(ZSetTestCase):
    def setUp(self):
        super().setUp()
        self.assertEqual(self.raw.cmd("HELLO", "3")[:1], b"%")

    def test_scores_are_doubles(self):
        self.r.zadd("z", {"a": 1, "b": 2.5})
        self.assertEqual(self.raw.cmd("ZSCORE", "z", "b"), b",2.5\r\n")
        self.assertEqual(self.raw.cmd("ZSCORE", "z", "nope"), b"_\r\n")
        self.assertEqual(self.raw.cmd("ZMSCORE", "z", "a", "nope"), b"*2\r\n,1\r\n_\r\n")
        self.assertEqual(self.raw.cmd("ZINCRBY", "z", "1", "a"), b",2\r\n")
        self.assertEqual(self.raw.cmd("ZADD", "z", "INCR", "inf", "a"), b",inf\r\n")
        self.assertEqual(self.raw.cmd("ZADD", "z", "XX", "INCR", "1", "nope"), b"_\r\n")
        self.assertEqual(self.raw.cmd("ZRANK", "z", "nope"), b"_\r\n")

    def test_scored_ranges_are_pairs(self):
        self.r.zadd("z", {"a": 1, "b": 2})
        pairs = b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"), pairs)
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "-inf", "inf", "WITHSCORES"), pairs)
        self.assertEqual(self.raw.cmd("ZUNION", "1", "z", "WITHSCORES"), pairs)
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "0", "-1"), bulks("a", "b"))
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "z", "2", "WITHSCORES"),
                         b"*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n")
        # ZSCAN keeps its flat bulk strings.
        self.assertEqual(self.raw.cmd("ZSCAN", "z", "0"),
                         array(bulk("0"), bulks("a", "1", "b", "2")))

    def test_pops(self):
        self.r.zadd("z", {"a": 1, "b": 2, "c": 3})
        self.assertEqual(self.raw.cmd("ZPOPMIN", "z"), b"*2\r\n$1\r\na\r\n,1\r\n")
        self.assertEqual(self.raw.cmd("ZPOPMAX", "z", "1"), b"*1\r\n*2\r\n$1\r\nc\r\n,3\r\n")
        self.assertEqual(self.raw.cmd("ZPOPMAX", "nokey", "1"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZMPOP", "1", "z", "MIN"),
                         b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n,2\r\n")
        self.assertEqual(self.raw.cmd("ZMPOP", "1", "z", "MIN"), b"_\r\n")
        self.assertEqual(self.raw.cmd("ZRANDMEMBER", "nokey"), b"_\r\n")

    @needs_redis_72
    def test_rank_withscore(self):
        self.r.zadd("z", {"a": 1.5})
        self.assertEqual(self.raw.cmd("ZRANK", "z", "a", "WITHSCORE"), b"*2\r\n:0\r\n,1.5\r\n")
        self.assertEqual(self.raw.cmd("ZRANK", "z", "nope", "WITHSCORE"), b"_\r\n")


class NotificationsTest(ZSetTestCase):
    def setUp(self):
        super().setUp()
        self.r.config_set("notify-keyspace-events", "KEA")
        self.events = Events(self.server)

    def tearDown(self):
        self.r.config_set("notify-keyspace-events", "")
        self.events.raw.close()
        super().tearDown()

    def expect(self, *pairs):
        """The keyspace and keyevent messages of each (event, key), in order."""
        expected = []
        for event, key in pairs:
            expected += [("__keyspace@0__:" + key, event.encode()),
                         ("__keyevent@0__:" + event, key.encode())]
        self.assertEqual(self.events.take(len(expected)), expected)

    def test_single_key_events(self):
        self.r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
        self.r.zadd("z", {"a": 1})                      # nothing changed: no event
        self.r.zadd("z", {"a": 5}, xx=True)
        self.r.zincrby("z", 1, "a")
        self.r.zadd("z", {"a": 1}, incr=True)
        self.r.zadd("z", {"a": 100}, lt=True)            # not lower: no event
        self.r.zrem("z", "nope")                         # nothing removed: no event
        self.r.zrem("z", "a")
        self.r.zpopmin("z")
        self.r.zpopmax("z", 0)                           # count 0: no event
        self.r.zpopmax("z", 5)
        self.expect(("zadd", "z"), ("zadd", "z"), ("zincr", "z"), ("zincr", "z"), ("zrem", "z"),
                    ("zpopmin", "z"), ("zpopmax", "z"), ("del", "z"))
        self.assertTrue(self.events.quiet())

    def test_range_removal_events(self):
        self.r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
        self.r.zremrangebyscore("z", 10, 20)             # nothing removed: no event
        self.r.zremrangebyscore("z", 1, 1)
        self.r.zremrangebyrank("z", 0, 0)
        self.r.zremrangebylex("z", "-", "(d")
        self.r.zremrangebyrank("z", 0, -1)
        self.r.zadd("m", {"x": 1})
        self.r.execute_command("ZMPOP", "1", "m", "MAX")
        self.expect(("zadd", "z"), ("zremrangebyscore", "z"), ("zremrangebyrank", "z"),
                    ("zremrangebylex", "z"), ("zremrangebyrank", "z"), ("del", "z"),
                    ("zadd", "m"), ("zpopmax", "m"), ("del", "m"))
        self.assertTrue(self.events.quiet())

    def test_store_events(self):
        self.r.zadd("a", {"x": 1})
        self.r.sadd("s", "y")
        self.r.zunionstore("d", ["a", "s"])
        self.r.zinterstore("d", ["a", "a"])
        self.r.zdiffstore("d", ["a", "s"])
        self.r.zrangestore("d", "a", 0, 0)
        self.r.zinterstore("d", ["a", "s"])               # empty: the destination goes
        self.r.zinterstore("nothing", ["a", "s"])         # nothing to delete: no event
        self.r.zrangestore("d", "a", 0, 0)
        self.r.zrangestore("d", "missing", 0, -1)
        self.expect(("zadd", "a"), ("sadd", "s"), ("zunionstore", "d"), ("zinterstore", "d"),
                    ("zdiffstore", "d"), ("zrangestore", "d"), ("del", "d"),
                    ("zrangestore", "d"), ("del", "d"))
        self.assertTrue(self.events.quiet())


class SpringSessionTest(ZSetTestCase):
    """ReactiveRedisIndexedSessionRepository (and the indexed repository with the sorted-set
    expiration store): ZADD <expiry ms as a Java double> <jdk id> on save, ZREM on delete, and the
    cleanup's ZREVRANGEBYSCORE <now ms> 0.0 LIMIT 0 100 every 60 s (spring-session-wire.md 2.4)."""

    def test_save_cleanup_delete(self):
        ids = [jdk_string("6b1c6f6e-%04d" % i) for i in range(3)]
        # Lettuce writes Double.toString(double): 1.702402961162E12.
        self.assertEqual(self.raw.cmd("ZADD", EXPIRATIONS, "1.702402961162E12", ids[0]), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZADD", EXPIRATIONS, "1.702402962E12", ids[1]), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZADD", EXPIRATIONS, "1.7024029999E12", ids[2]), b":1\r\n")
        # Saving again moves the expiry: an update, not an addition.
        self.assertEqual(self.raw.cmd("ZADD", EXPIRATIONS, "1.702402961999E12", ids[0]), b":0\r\n")
        self.assertEqual(self.raw.cmd("ZSCORE", EXPIRATIONS, ids[0]), bulk("1702402961999"))
        # The cleanup job: everything due by now, newest first, at most 100.
        self.assertEqual(self.raw.cmd("ZREVRANGEBYSCORE", EXPIRATIONS, "1702402962500", "0.0",
                                      "LIMIT", "0", "100"), bulks(ids[1], ids[0]))
        self.assertEqual(self.raw.cmd("ZREVRANGEBYSCORE", EXPIRATIONS, "1.7024029625E12", "0.0",
                                      "LIMIT", "0", "1"), bulks(ids[1]))
        # deleteById: ZREM of the id.
        self.assertEqual(self.raw.cmd("ZREM", EXPIRATIONS, ids[1]), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZREM", EXPIRATIONS, ids[1]), b":0\r\n")
        self.assertEqual(self.r.zrange(EXPIRATIONS, 0, -1), [ids[0], ids[2]])

    def test_many_sessions(self):
        """A fleet's worth of sessions: the set is a skiplist and the cleanup pages by 100."""
        base = 1702400000000
        ids = [jdk_string("session-%05d" % i) for i in range(2000)]
        pipe = self.r.pipeline(transaction=False)
        for i, sid in enumerate(ids):
            pipe.execute_command("ZADD", EXPIRATIONS, repr(float(base + i * 1000)).upper(), sid)
        self.assertEqual(pipe.execute(), [1] * 2000)
        self.assertEqual(self.encoding(EXPIRATIONS), b"skiplist")
        now = base + 1499 * 1000 + 500  # sessions 0..1499 are due
        due = self.r.zrevrangebyscore(EXPIRATIONS, now, 0.0, start=0, num=100)
        self.assertEqual(due, ids[1499:1399:-1])
        self.assertEqual(self.r.zcount(EXPIRATIONS, 0, now), 1500)
        removed = 0
        while True:
            due = self.r.zrevrangebyscore(EXPIRATIONS, now, "0.0", start=0, num=100)
            if not due:
                break
            removed += self.r.zrem(EXPIRATIONS, *due)
        self.assertEqual(removed, 1500)
        self.assertEqual(self.r.zcard(EXPIRATIONS), 500)
        self.assertEqual(self.r.zrange(EXPIRATIONS, 0, 0), [ids[1500]])


if __name__ == "__main__":
    main()

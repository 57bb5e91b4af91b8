# SPDX-License-Identifier: Apache-2.0
"""Integration tests for sorted-set ranges and algebra: the ZRANGE family (BYSCORE BYLEX REV LIMIT
WITHSCORES and the older ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX),
ZRANGESTORE, ZCOUNT ZLEXCOUNT, ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX, ZUNION ZINTER ZDIFF
and their STORE forms with sets as inputs, WEIGHTS and AGGREGATE, ZINTERCARD, and the keys of these
movable-key commands. Every expectation was checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis);
the scores used print the same in Redis 7.0 and 7.2. test_zsets.py has the rest of the family.
"""
from support.server import main
from test_zsets import (LEXRANGE, MINMAX, NOT_INTEGER, SYNTAX, EMPTY_ARRAY, ZSetTestCase, bulks)


class RangeTest(ZSetTestCase):
    def setUp(self):
        super().setUp()
        self.r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})

    def test_by_rank(self):
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "1", "2"), bulks("b", "c"))
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "-2", "100"), bulks("d", "e"))
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "3", "1"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "-100", "0"), bulks("a"))
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "0", "1", "WITHSCORES"),
                         bulks("a", "1", "b", "2"))
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "0", "1", "REV"), bulks("e", "d"))
        self.assertEqual(self.raw.cmd("ZREVRANGE", "z", "0", "0", "WITHSCORES"), bulks("e", "5"))
        self.assertEqual(self.raw.cmd("ZRANGE", "nokey", "0", "-1"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "a", "1"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "0", "1", "LIMIT", "0", "1"),
                         b"-ERR syntax error, LIMIT is only supported in combination with either "
                         b"BYSCORE or BYLEX\r\n")
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "0", "0", "LIMIT", "0", "-1"), bulks("a"))
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "0", "1", "REV", "REV"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZREVRANGE", "z", "0", "1", "REV"), SYNTAX)

    def test_by_score(self):
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "2", "4"), bulks("b", "c", "d"))
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "(2", "(4"), bulks("c"))
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "2"),
                         bulks("b", "c"))
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "4", "-5"),
                         bulks("e"))
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "5", "1"),
                         EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "1"),
                         EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "0", "0"),
                         EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZREVRANGEBYSCORE", "z", "4", "(1"), bulks("d", "c", "b"))
        self.assertEqual(self.raw.cmd("ZREVRANGEBYSCORE", "z", "4", "(1", "WITHSCORES", "LIMIT",
                                      "1", "1"), bulks("c", "3"))
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "(1", "4", "BYSCORE", "LIMIT", "1", "5"),
                         bulks("c", "d"))
        self.assertEqual(self.raw.cmd("ZRANGE", "z", "4", "(1", "BYSCORE", "REV"),
                         bulks("d", "c", "b"))
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "3", "2"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "(3", "3"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "1e0", "0x2"), bulks("a", "b"))
        # Range ends go through strtod alone: spaces and even "" are numbers there.
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "", " 2"), bulks("a", "b"))
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "(", "1"), bulks("a"))
        for bad in ("a", "nan", "1x", "((1"):
            self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", bad, "2"), MINMAX, bad)
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "x", "1"),
                         NOT_INTEGER)
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "1"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "z", "1", "2", "BYSCORE"), SYNTAX)
        self.assertEqual(self.r.zrangebyscore("z", 2, 3, withscores=True),
                         [(b"b", 2.0), (b"c", 3.0)])

    def test_count(self):
        self.assertEqual(self.raw.cmd("ZCOUNT", "z", "(1", "3"), b":2\r\n")
        self.assertEqual(self.raw.cmd("ZCOUNT", "z", "-inf", "inf"), b":5\r\n")
        self.assertEqual(self.raw.cmd("ZCOUNT", "z", "4", "2"), b":0\r\n")
        self.assertEqual(self.raw.cmd("ZCOUNT", "nokey", "0", "1"), b":0\r\n")
        self.assertEqual(self.raw.cmd("ZCOUNT", "z", "1", "nan"), MINMAX)

    def test_by_lex(self):
        self.r.zadd("l", {m: 0 for m in "abcde"})
        self.assertEqual(self.raw.cmd("ZRANGEBYLEX", "l", "-", "+"), bulks(*"abcde"))
        self.assertEqual(self.raw.cmd("ZRANGEBYLEX", "l", "[b", "(d"), bulks("b", "c"))
        self.assertEqual(self.raw.cmd("ZRANGEBYLEX", "l", "(a", "+", "LIMIT", "1", "2"),
                         bulks("c", "d"))
        self.assertEqual(self.raw.cmd("ZREVRANGEBYLEX", "l", "+", "[c"), bulks("e", "d", "c"))
        self.assertEqual(self.raw.cmd("ZREVRANGEBYLEX", "l", "(e", "-", "LIMIT", "0", "2"),
                         bulks("d", "c"))
        self.assertEqual(self.raw.cmd("ZRANGE", "l", "[d", "-", "BYLEX", "REV", "LIMIT", "1", "5"),
                         bulks("c", "b", "a"))
        self.assertEqual(self.raw.cmd("ZRANGEBYLEX", "l", "+", "-"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZRANGEBYLEX", "l", "[c", "[b"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZLEXCOUNT", "l", "[b", "[d"), b":3\r\n")
        self.assertEqual(self.raw.cmd("ZLEXCOUNT", "l", "(b", "(d"), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZLEXCOUNT", "l", "-", "+"), b":5\r\n")
        self.assertEqual(self.raw.cmd("ZLEXCOUNT", "nokey", "-", "+"), b":0\r\n")
        for bad in ("a", "", "-x", "+x"):
            self.assertEqual(self.raw.cmd("ZRANGEBYLEX", "l", bad, "+"), LEXRANGE, bad)
            self.assertEqual(self.raw.cmd("ZLEXCOUNT", "l", "-", bad), LEXRANGE, bad)
        self.assertEqual(self.raw.cmd("ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"),
                         b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n")
        self.assertEqual(self.raw.cmd("ZRANGE", "l", "-", "+", "BYLEX", "BYSCORE"), SYNTAX)
        self.assertEqual(self.r.zrangebylex("l", "[b", "[c"), [b"b", b"c"])

    def test_remove_ranges(self):
        self.assertEqual(self.raw.cmd("ZREMRANGEBYSCORE", "z", "(1", "2"), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZREMRANGEBYRANK", "z", "-1", "-1"), b":1\r\n")
        self.assertEqual(self.r.zrange("z", 0, -1), [b"a", b"c", b"d"])
        self.assertEqual(self.raw.cmd("ZREMRANGEBYRANK", "z", "5", "10"), b":0\r\n")
        self.assertEqual(self.raw.cmd("ZREMRANGEBYRANK", "z", "2", "1"), b":0\r\n")
        self.assertEqual(self.raw.cmd("ZREMRANGEBYRANK", "nokey", "0", "1"), b":0\r\n")
        self.assertEqual(self.raw.cmd("ZREMRANGEBYSCORE", "nokey", "0", "1"), b":0\r\n")
        self.assertEqual(self.raw.cmd("ZREMRANGEBYRANK", "z", "x", "1"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("ZREMRANGEBYSCORE", "z", "x", "1"), MINMAX)
        self.assertEqual(self.raw.cmd("ZREMRANGEBYLEX", "z", "x", "+"), LEXRANGE)
        self.r.zadd("l", {"a": 0, "b": 0, "c": 0})
        self.assertEqual(self.raw.cmd("ZREMRANGEBYLEX", "l", "(a", "+"), b":2\r\n")
        self.assertEqual(self.raw.cmd("ZREMRANGEBYLEX", "l", "-", "+"), b":1\r\n")
        self.assertEqual(self.r.exists("l"), 0)
        self.assertEqual(self.raw.cmd("ZREMRANGEBYRANK", "z", "0", "-1"), b":3\r\n")
        self.assertEqual(self.r.exists("z"), 0)

    def test_big_set_ranges(self):
        """The same ranges over a skiplist, with offsets that jump by rank."""
        self.fill("big", 1000)
        self.assertEqual(self.encoding("big"), b"skiplist")
        self.assertEqual(self.r.zrange("big", 500, 502), [b"m500", b"m501", b"m502"])
        self.assertEqual(self.r.zrange("big", -3, -1, desc=True), [b"m2", b"m1", b"m0"])
        self.assertEqual(self.raw.cmd("ZRANGEBYSCORE", "big", "(100", "+inf", "LIMIT", "300", "2"),
                         bulks("m401", "m402"))
        self.assertEqual(self.raw.cmd("ZREVRANGEBYSCORE", "big", "900", "-inf", "LIMIT", "850",
                                      "100"), bulks(*["m%d" % i for i in range(50, -1, -1)]))
        self.assertEqual(self.raw.cmd("ZCOUNT", "big", "(10", "20"), b":10\r\n")
        self.assertEqual(self.raw.cmd("ZRANK", "big", "m777"), b":777\r\n")
        self.assertEqual(self.raw.cmd("ZREVRANK", "big", "m777"), b":222\r\n")
        self.assertEqual(self.raw.cmd("ZREMRANGEBYRANK", "big", "100", "199"), b":100\r\n")
        self.assertEqual(self.raw.cmd("ZREMRANGEBYSCORE", "big", "(299", "399"), b":100\r\n")
        self.assertEqual(self.raw.cmd("ZRANK", "big", "m777"), b":577\r\n")
        self.assertEqual(self.r.zcard("big"), 800)


class StoreAndAlgebraTest(ZSetTestCase):
    def setUp(self):
        super().setUp()
        self.r.zadd("a", {"x": 1, "y": 2, "z": 3})
        self.r.zadd("b", {"y": 10, "z": 20, "w": 30})
        self.r.sadd("s", "x", "w")

    def test_rangestore(self):
        self.assertEqual(self.raw.cmd("ZRANGESTORE", "d", "a", "1", "-1"), b":2\r\n")
        self.assertEqual(self.r.zrange("d", 0, -1, withscores=True), [(b"y", 2.0), (b"z", 3.0)])
        self.assertEqual(self.raw.cmd("ZRANGESTORE", "d", "a", "(1", "+inf", "BYSCORE", "LIMIT",
                                      "0", "1"), b":1\r\n")
        self.assertEqual(self.r.zrange("d", 0, -1), [b"y"])
        self.assertEqual(self.raw.cmd("ZRANGESTORE", "d", "a", "[z", "-", "BYLEX", "REV"), b":3\r\n")
        self.r.expire("d", 100)
        self.assertEqual(self.raw.cmd("ZRANGESTORE", "d", "a", "0", "0"), b":1\r\n")
        self.assertEqual(self.r.ttl("d"), -1)
        self.assertEqual(self.raw.cmd("ZRANGESTORE", "d", "a", "5", "6"), b":0\r\n")
        self.assertEqual(self.r.exists("d"), 0)
        self.r.zadd("d", {"old": 1})
        self.assertEqual(self.raw.cmd("ZRANGESTORE", "d", "nokey", "0", "-1"), b":0\r\n")
        self.assertEqual(self.r.exists("d"), 0, "a missing source empties the destination")
        self.assertEqual(self.raw.cmd("ZRANGESTORE", "d", "a", "0", "-1", "WITHSCORES"), SYNTAX)
        self.r.set("str", "v")
        self.assertEqual(self.raw.cmd("ZRANGESTORE", "str", "a", "0", "-1"), b":3\r\n")
        self.assertEqual(self.r.type("str"), b"zset")
        self.assertEqual(self.raw.cmd("ZRANGESTORE", "a", "a", "0", "0"), b":1\r\n")
        self.assertEqual(self.r.zrange("a", 0, -1), [b"x"], "the source may be the destination")

    def test_union_inter_diff(self):
        self.assertEqual(self.raw.cmd("ZUNION", "3", "a", "b", "s", "WITHSCORES"),
                         bulks("x", "2", "y", "12", "z", "23", "w", "31"))
        self.assertEqual(self.raw.cmd("ZUNION", "2", "a", "b"), bulks("x", "y", "z", "w"))
        self.assertEqual(self.raw.cmd("ZUNION", "2", "a", "b", "WEIGHTS", "2", "0.5", "WITHSCORES"),
                         bulks("x", "2", "y", "9", "w", "15", "z", "16"))
        self.assertEqual(self.raw.cmd("ZUNION", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"),
                         bulks("x", "1", "y", "2", "z", "3", "w", "30"))
        self.assertEqual(self.raw.cmd("ZINTER", "2", "a", "b", "AGGREGATE", "MAX", "WITHSCORES"),
                         bulks("y", "10", "z", "20"))
        self.assertEqual(self.raw.cmd("ZINTER", "2", "a", "s", "WITHSCORES"), bulks("x", "2"))
        self.assertEqual(self.raw.cmd("ZINTER", "2", "a", "nokey"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZDIFF", "2", "a", "b", "WITHSCORES"), bulks("x", "1"))
        self.assertEqual(self.raw.cmd("ZDIFF", "2", "b", "s"), bulks("y", "z"))
        self.assertEqual(self.raw.cmd("ZDIFF", "2", "a", "a"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("ZDIFF", "1", "s", "WITHSCORES"), bulks("w", "1", "x", "1"))
        self.assertEqual(self.raw.cmd("ZINTERCARD", "2", "a", "b"), b":2\r\n")
        self.assertEqual(self.raw.cmd("ZINTERCARD", "2", "a", "b", "LIMIT", "1"), b":1\r\n")
        self.assertEqual(self.raw.cmd("ZINTERCARD", "2", "a", "b", "LIMIT", "0"), b":2\r\n")
        self.assertEqual(self.r.zunion(["a", "b"], withscores=True, aggregate="MAX")[0], (b"x", 1.0))
        self.assertEqual(self.r.zinter({"a": 1, "b": 2}), [b"y", b"z"])

    def test_infinities_never_give_nan(self):
        self.r.zadd("p", {"m": "inf"})
        self.r.zadd("n", {"m": "-inf"})
        self.assertEqual(self.raw.cmd("ZUNION", "2", "p", "n", "WITHSCORES"), bulks("m", "0"))
        self.assertEqual(self.raw.cmd("ZINTER", "2", "p", "n", "AGGREGATE", "MIN", "WITHSCORES"),
                         bulks("m", "-inf"))
        self.assertEqual(self.raw.cmd("ZUNION", "1", "p", "WEIGHTS", "0", "WITHSCORES"),
                         bulks("m", "0"))

    def test_store_forms(self):
        self.assertEqual(self.raw.cmd("ZUNIONSTORE", "d", "2", "a", "b"), b":4\r\n")
        self.assertEqual(self.r.zrange("d", 0, -1, withscores=True),
                         [(b"x", 1.0), (b"y", 12.0), (b"z", 23.0), (b"w", 30.0)])
        self.assertEqual(self.raw.cmd("ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "0"),
                         b":2\r\n")
        self.assertEqual(self.r.zrange("d", 0, -1, withscores=True), [(b"y", 2.0), (b"z", 3.0)])
        self.assertEqual(self.raw.cmd("ZDIFFSTORE", "d", "2", "b", "a"), b":1\r\n")
        self.assertEqual(self.r.zrange("d", 0, -1), [b"w"])
        self.assertEqual(self.raw.cmd("ZINTERSTORE", "d", "2", "a", "nokey"), b":0\r\n")
        self.assertEqual(self.r.exists("d"), 0, "an empty result deletes the destination")
        self.assertEqual(self.raw.cmd("ZUNIONSTORE", "a", "2", "a", "b"), b":4\r\n")
        self.assertEqual(self.r.zscore("a", "z"), 23.0, "a source may be the destination")
        self.assertEqual(self.r.zunionstore("e", {"b": 2, "s": 1}), 4)
        self.assertEqual(self.r.zscore("e", "w"), 61.0)

    def test_errors(self):
        self.assertEqual(self.raw.cmd("ZUNION", "0", "a"),
                         b"-ERR at least 1 input key is needed for 'zunion' command\r\n")
        self.assertEqual(self.raw.cmd("ZINTERSTORE", "d", "0", "a"),
                         b"-ERR at least 1 input key is needed for 'zinterstore' command\r\n")
        self.assertEqual(self.raw.cmd("ZINTERCARD", "0", "a"),
                         b"-ERR at least 1 input key is needed for 'zintercard' command\r\n")
        self.assertEqual(self.raw.cmd("ZUNION", "x", "a"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("ZUNION", "3", "a", "b"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZUNION", "2", "a", "b", "WEIGHTS", "1", "x"),
                         b"-ERR weight value is not a float\r\n")
        self.assertEqual(self.raw.cmd("ZUNION", "2", "a", "b", "WEIGHTS", "1"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZUNION", "2", "a", "b", "AGGREGATE", "AVG"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZUNION", "2", "a", "b", "AGGREGATE"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZDIFF", "2", "a", "b", "WEIGHTS", "1", "1"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZDIFF", "2", "a", "b", "AGGREGATE", "SUM"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZUNIONSTORE", "d", "2", "a", "b", "WITHSCORES"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZINTERCARD", "2", "a", "b", "WITHSCORES"), SYNTAX)
        self.assertEqual(self.raw.cmd("ZINTERCARD", "2", "a", "b", "LIMIT", "-1"),
                         b"-ERR LIMIT can't be negative\r\n")
        self.assertEqual(self.raw.cmd("ZINTERCARD", "2", "a", "b", "LIMIT", "x"),
                         b"-ERR LIMIT can't be negative\r\n")

    def test_getkeys_of_movable_key_commands(self):
        # redis-py parses COMMAND replies as COMMAND INFO, so read these raw.
        self.assertEqual(self.raw.cmd("COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2", "a", "b",
                                      "WEIGHTS", "1", "2"), bulks("d", "a", "b"))
        self.assertEqual(self.raw.cmd("COMMAND", "GETKEYS", "ZINTER", "2", "a", "b"),
                         bulks("a", "b"))
        self.assertEqual(self.raw.cmd("COMMAND", "GETKEYS", "ZINTERCARD", "1", "a", "LIMIT", "1"),
                         bulks("a"))
        self.assertEqual(self.raw.cmd("COMMAND", "GETKEYS", "ZMPOP", "2", "a", "b", "MIN"),
                         bulks("a", "b"))
        self.assertEqual(self.raw.cmd("COMMAND", "GETKEYS", "ZRANGESTORE", "d", "s", "0", "1"),
                         bulks("d", "s"))


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""Integration tests for the list family: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET
LREM LTRIM LINSERT LPOS LMOVE RPOPLPUSH LMPOP (and the blocking commands' immediate answers), their
error texts and the order of checks, RESP2/RESP3 reply shapes, keyspace events, the encodings OBJECT
ENCODING reports, and lists under TYPE/COPY/RENAME/MOVE/SCAN TYPE/MEMORY USAGE/EXPIRE.

Every expectation was checked against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis), except the tests
marked @needs_redis_72: Redis 7.2 added the listpack encoding for small lists (7.0 reports
"quicklist" for every list) and range checks for LREM counts and LPOS ranks, and rejects an infinite
blocking timeout as out of range; those tests state 7.2's behaviour. Waiting and waking are in
test_blocking.py.
"""
from support.server import needs_redis_72, ServerTestCase, main
from test_notifications import Events

WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
SYNTAX = b"-ERR syntax error\r\n"
MUST_BE_POSITIVE = b"-ERR value is out of range, must be positive\r\n"
NULL2 = b"$-1\r\n"
NULL_ARRAY2 = b"*-1\r\n"
NULL3 = b"_\r\n"
EMPTY_ARRAY = b"*0\r\n"
OK = b"+OK\r\n"


def wrong_args(cmd):
    return b"-ERR wrong number of arguments for '%s' command\r\n" % cmd.encode()


def bulk(value):
    value = value if isinstance(value, bytes) else str(value).encode()
    return b"$%d\r\n%s\r\n" % (len(value), value)


def array(*items):
    return b"*%d\r\n" % len(items) + b"".join(items)


def bulks(*values):
    return array(*(bulk(v) for v in values))


def integer(n):
    return b":%d\r\n" % n


class ListTestCase(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.raw = self.server.raw()

    def tearDown(self):
        self.raw.close()
        super().tearDown()

    def items(self, key):
        return self.r.lrange(key, 0, -1)

    def encoding(self, key):
        return self.r.object("encoding", key)


class PushPopTest(ListTestCase):
    def test_push_order_and_length(self):
        self.assertEqual(self.raw.cmd("LPUSH", "l", "a", "b", "c"), integer(3))
        self.assertEqual(self.raw.cmd("RPUSH", "l", "d", "e"), integer(5))
        self.assertEqual(self.items("l"), [b"c", b"b", b"a", b"d", b"e"])
        self.assertEqual(self.raw.cmd("LLEN", "l"), integer(5))
        self.assertEqual(self.raw.cmd("LLEN", "nokey"), integer(0))
        self.assertEqual(self.r.type("l"), b"list")

    def test_pushx_needs_an_existing_list(self):
        self.assertEqual(self.raw.cmd("LPUSHX", "l", "a"), integer(0))
        self.assertEqual(self.raw.cmd("RPUSHX", "l", "a", "b"), integer(0))
        self.assertEqual(self.r.exists("l"), 0)
        self.r.rpush("l", "x")
        self.assertEqual(self.raw.cmd("LPUSHX", "l", "a", "b"), integer(3))
        self.assertEqual(self.raw.cmd("RPUSHX", "l", "z"), integer(4))
        self.assertEqual(self.items("l"), [b"b", b"a", b"x", b"z"])

    def test_pop_single_and_count(self):
        self.r.rpush("l", "a", "b", "c", "d", "e")
        self.assertEqual(self.raw.cmd("LPOP", "l"), bulk("a"))
        self.assertEqual(self.raw.cmd("RPOP", "l"), bulk("e"))
        self.assertEqual(self.raw.cmd("LPOP", "l", "2"), bulks("b", "c"))
        self.assertEqual(self.raw.cmd("RPOP", "l", "0"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("RPOP", "l", "10"), bulks("d"))
        self.assertEqual(self.r.exists("l"), 0, "the last element takes the key with it")
        self.assertEqual(self.raw.cmd("LPOP", "l"), NULL2)
        self.assertEqual(self.raw.cmd("LPOP", "l", "1"), NULL_ARRAY2)
        self.assertEqual(self.raw.cmd("LPOP", "l", "0"), NULL_ARRAY2)

    def test_pop_count_errors(self):
        self.r.rpush("l", "a")
        self.assertEqual(self.raw.cmd("LPOP", "l", "-1"), MUST_BE_POSITIVE)
        self.assertEqual(self.raw.cmd("RPOP", "l", "x"), MUST_BE_POSITIVE)
        self.assertEqual(self.raw.cmd("LPOP", "nokey", "x"), MUST_BE_POSITIVE)
        self.assertEqual(self.raw.cmd("LPOP", "l", "1", "2"), wrong_args("lpop"))
        self.assertEqual(self.items("l"), [b"a"])

    def test_resp3_null_shapes(self):
        self.raw.cmd("HELLO", "3")
        self.assertEqual(self.raw.cmd("LPOP", "nokey"), NULL3)
        self.assertEqual(self.raw.cmd("LPOP", "nokey", "2"), NULL3)
        self.assertEqual(self.raw.cmd("LINDEX", "nokey", "0"), NULL3)
        self.assertEqual(self.raw.cmd("LMPOP", "1", "nokey", "LEFT"), NULL3)
        self.assertEqual(self.raw.cmd("LMOVE", "nokey", "d", "LEFT", "LEFT"), NULL3)
        self.assertEqual(self.raw.cmd("LPOS", "nokey", "a"), NULL3)
        self.assertEqual(self.raw.cmd("BLPOP", "nokey", "0.01"), NULL3)
        self.r.rpush("l", "a", "b")
        self.assertEqual(self.raw.cmd("LPOP", "l", "1"), bulks("a"))
        self.assertEqual(self.raw.cmd("LRANGE", "l", "0", "-1"), bulks("b"))

    def test_binary_elements(self):
        values = [b"\x00\r\n\xff", b"", b"x" * 70000, b"-12", b"007", b"\xac\xed\x00\x05t\x00\x02id"]
        self.assertEqual(self.r.rpush("l", *values), len(values))
        self.assertEqual(self.items("l"), values)
        for i, v in enumerate(values):
            self.assertEqual(self.r.lindex("l", i), v)
        self.assertEqual(self.r.lrem("l", 0, b"\x00\r\n\xff"), 1)
        self.assertEqual(self.r.lpos("l", b"007"), 3)


class ReadTest(ListTestCase):
    def setUp(self):
        super().setUp()
        self.r.rpush("l", "a", "b", "c", "d")

    def test_lrange_indexes(self):
        self.assertEqual(self.raw.cmd("LRANGE", "l", "1", "2"), bulks("b", "c"))
        self.assertEqual(self.raw.cmd("LRANGE", "l", "-2", "-1"), bulks("c", "d"))
        self.assertEqual(self.raw.cmd("LRANGE", "l", "-100", "100"), bulks("a", "b", "c", "d"))
        self.assertEqual(self.raw.cmd("LRANGE", "l", "3", "1"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("LRANGE", "l", "4", "10"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("LRANGE", "nokey", "0", "-1"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("LRANGE", "l", "x", "1"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("LRANGE", "nokey", "0", "1.5"), NOT_INTEGER)

    def test_lindex(self):
        self.assertEqual(self.raw.cmd("LINDEX", "l", "0"), bulk("a"))
        self.assertEqual(self.raw.cmd("LINDEX", "l", "-1"), bulk("d"))
        self.assertEqual(self.raw.cmd("LINDEX", "l", "4"), NULL2)
        self.assertEqual(self.raw.cmd("LINDEX", "l", "-5"), NULL2)
        self.assertEqual(self.raw.cmd("LINDEX", "l", "x"), NOT_INTEGER)
        # The key is looked up before the index is parsed.
        self.assertEqual(self.raw.cmd("LINDEX", "nokey", "x"), NULL2)

    def test_lpos(self):
        self.r.delete("l")
        self.r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c")
        self.assertEqual(self.raw.cmd("LPOS", "l", "c"), integer(2))
        self.assertEqual(self.raw.cmd("LPOS", "l", "c", "RANK", "2"), integer(6))
        self.assertEqual(self.raw.cmd("LPOS", "l", "c", "RANK", "-1"), integer(7))
        self.assertEqual(self.raw.cmd("LPOS", "l", "c", "COUNT", "0"),
                         array(integer(2), integer(6), integer(7)))
        self.assertEqual(self.raw.cmd("LPOS", "l", "c", "RANK", "-2", "COUNT", "0"),
                         array(integer(6), integer(2)))
        self.assertEqual(self.raw.cmd("LPOS", "l", "c", "COUNT", "1", "RANK", "2"), array(integer(6)))
        self.assertEqual(self.raw.cmd("LPOS", "l", "c", "MAXLEN", "2"), NULL2)
        self.assertEqual(self.raw.cmd("LPOS", "l", "c", "MAXLEN", "3", "COUNT", "0"), array(integer(2)))
        self.assertEqual(self.raw.cmd("LPOS", "l", "c", "RANK", "-3", "MAXLEN", "3"), NULL2)
        self.assertEqual(self.raw.cmd("LPOS", "l", "zz"), NULL2)
        self.assertEqual(self.raw.cmd("LPOS", "l", "zz", "COUNT", "0"), EMPTY_ARRAY)
        self.assertEqual(self.raw.cmd("LPOS", "nokey", "a", "COUNT", "3"), EMPTY_ARRAY)
        self.assertEqual(self.r.lpos("l", "c", rank=2, count=5), [6, 7])

    def test_lpos_errors(self):
        self.assertEqual(self.raw.cmd("LPOS", "l", "a", "RANK", "0"),
                         b"-ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                         b"second ... or use negative to start from the end of the list\r\n")
        self.assertEqual(self.raw.cmd("LPOS", "l", "a", "RANK", "x"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("LPOS", "l", "a", "COUNT", "-1"),
                         b"-ERR COUNT can't be negative\r\n")
        self.assertEqual(self.raw.cmd("LPOS", "l", "a", "COUNT", "x"),
                         b"-ERR COUNT can't be negative\r\n")
        self.assertEqual(self.raw.cmd("LPOS", "l", "a", "MAXLEN", "-1"),
                         b"-ERR MAXLEN can't be negative\r\n")
        self.assertEqual(self.raw.cmd("LPOS", "l", "a", "RANK"), SYNTAX)
        self.assertEqual(self.raw.cmd("LPOS", "l", "a", "FOO", "1"), SYNTAX)
        # Options are checked before the key.
        self.r.set("str", "v")
        self.assertEqual(self.raw.cmd("LPOS", "str", "a", "RANK", "0")[:14], b"-ERR RANK can'")
        self.assertEqual(self.raw.cmd("LPOS", "str", "a"), WRONGTYPE)

    @needs_redis_72
    def test_rank_and_count_range(self):
        """Redis 7.2 rejects LONG_MIN for LPOS RANK and LREM count (7.0 accepted it)."""
        err = (b"-ERR value is out of range, value must between -9223372036854775807 and "
               b"9223372036854775807\r\n")
        self.assertEqual(self.raw.cmd("LPOS", "l", "a", "RANK", "-9223372036854775808"), err)
        self.assertEqual(self.raw.cmd("LREM", "l", "-9223372036854775808", "a"), err)


class WriteTest(ListTestCase):
    def test_lset(self):
        self.r.rpush("l", "a", "b", "c")
        self.assertEqual(self.raw.cmd("LSET", "l", "0", "A"), OK)
        self.assertEqual(self.raw.cmd("LSET", "l", "-1", "C"), OK)
        self.assertEqual(self.items("l"), [b"A", b"b", b"C"])
        self.assertEqual(self.raw.cmd("LSET", "l", "3", "x"), b"-ERR index out of range\r\n")
        self.assertEqual(self.raw.cmd("LSET", "l", "x", "x"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("LSET", "nokey", "0", "x"), b"-ERR no such key\r\n")
        # The key is looked up before the index is parsed.
        self.assertEqual(self.raw.cmd("LSET", "nokey", "x", "x"), b"-ERR no such key\r\n")

    def test_lrem(self):
        self.r.rpush("l", "a", "b", "a", "c", "a", "b")
        self.assertEqual(self.raw.cmd("LREM", "l", "1", "a"), integer(1))
        self.assertEqual(self.items("l"), [b"b", b"a", b"c", b"a", b"b"])
        self.assertEqual(self.raw.cmd("LREM", "l", "-1", "b"), integer(1))
        self.assertEqual(self.items("l"), [b"b", b"a", b"c", b"a"])
        self.assertEqual(self.raw.cmd("LREM", "l", "0", "a"), integer(2))
        self.assertEqual(self.raw.cmd("LREM", "l", "0", "zz"), integer(0))
        self.assertEqual(self.raw.cmd("LREM", "nokey", "0", "a"), integer(0))
        self.assertEqual(self.raw.cmd("LREM", "l", "x", "a"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("LREM", "l", "0", "b"), integer(1))
        self.assertEqual(self.raw.cmd("LREM", "l", "5", "c"), integer(1))
        self.assertEqual(self.r.exists("l"), 0)

    def test_ltrim(self):
        self.r.rpush("l", *"abcdef")
        self.assertEqual(self.raw.cmd("LTRIM", "l", "1", "-2"), OK)
        self.assertEqual(self.items("l"), [b"b", b"c", b"d", b"e"])
        self.assertEqual(self.raw.cmd("LTRIM", "l", "-100", "100"), OK)
        self.assertEqual(self.r.llen("l"), 4)
        self.assertEqual(self.raw.cmd("LTRIM", "l", "0", "x"), NOT_INTEGER)
        self.assertEqual(self.raw.cmd("LTRIM", "nokey", "0", "1"), OK)
        self.assertEqual(self.raw.cmd("LTRIM", "l", "3", "1"), OK)
        self.assertEqual(self.r.exists("l"), 0)

    def test_linsert(self):
        self.r.rpush("l", "a", "b", "b")
        self.assertEqual(self.raw.cmd("LINSERT", "l", "BEFORE", "b", "x"), integer(4))
        self.assertEqual(self.raw.cmd("LINSERT", "l", "after", "b", "y"), integer(5))
        self.assertEqual(self.items("l"), [b"a", b"x", b"b", b"y", b"b"])
        self.assertEqual(self.raw.cmd("LINSERT", "l", "after", "zz", "y"), integer(-1))
        self.assertEqual(self.raw.cmd("LINSERT", "nokey", "after", "a", "y"), integer(0))
        self.assertEqual(self.raw.cmd("LINSERT", "l", "middle", "a", "y"), SYNTAX)
        self.assertEqual(self.raw.cmd("LINSERT", "nokey", "middle", "a", "y"), SYNTAX)

    def test_large_list(self):
        values = [b"item-%d" % i for i in range(20000)]
        pipe = self.r.pipeline(transaction=False)
        for i in range(0, len(values), 1000):
            pipe.rpush("big", *values[i:i + 1000])
        pipe.execute()
        self.assertEqual(self.r.llen("big"), 20000)
        self.assertEqual(self.r.lindex("big", 12345), b"item-12345")
        self.assertEqual(self.r.lindex("big", -7), b"item-19993")
        self.assertEqual(self.r.lrange("big", 9998, 10001), values[9998:10002])
        self.assertEqual(self.r.lrange("big", 0, -1), values)
        self.assertTrue(self.r.lset("big", 15000, "changed"))
        self.assertEqual(self.r.linsert("big", "after", b"item-500", "new"), 20001)
        self.assertEqual(self.r.lpos("big", "new"), 501)
        self.assertEqual(self.r.lrem("big", -1, "changed"), 1)
        self.assertTrue(self.r.ltrim("big", 100, 199))
        self.assertEqual(self.items("big"), values[100:200])


class MoveTest(ListTestCase):
    def test_lmove_directions(self):
        self.r.rpush("src", "1", "2", "3", "4")
        self.assertEqual(self.raw.cmd("LMOVE", "src", "dst", "LEFT", "RIGHT"), bulk("1"))
        self.assertEqual(self.raw.cmd("LMOVE", "src", "dst", "RIGHT", "LEFT"), bulk("4"))
        self.assertEqual(self.raw.cmd("LMOVE", "src", "dst", "left", "left"), bulk("2"))
        self.assertEqual(self.raw.cmd("RPOPLPUSH", "src", "dst"), bulk("3"))
        self.assertEqual(self.items("dst"), [b"3", b"2", b"4", b"1"])
        self.assertEqual(self.r.exists("src"), 0)
        self.assertEqual(self.raw.cmd("LMOVE", "src", "dst", "LEFT", "LEFT"), NULL2)
        self.assertEqual(self.raw.cmd("RPOPLPUSH", "src", "dst"), NULL2)

    def test_same_key_rotates(self):
        self.r.rpush("l", "a", "b", "c")
        self.assertEqual(self.raw.cmd("RPOPLPUSH", "l", "l"), bulk("c"))
        self.assertEqual(self.raw.cmd("LMOVE", "l", "l", "LEFT", "RIGHT"), bulk("c"))
        self.assertEqual(self.items("l"), [b"a", b"b", b"c"])
        self.r.rpush("one", "x")
        self.assertEqual(self.raw.cmd("LMOVE", "one", "one", "LEFT", "LEFT"), bulk("x"))
        self.assertEqual(self.items("one"), [b"x"])

    def test_lmove_checks(self):
        self.r.set("str", "v")
        self.r.rpush("l", "a")
        self.assertEqual(self.raw.cmd("LMOVE", "l", "d", "UP", "LEFT"), SYNTAX)
        self.assertEqual(self.raw.cmd("LMOVE", "l", "d", "LEFT", "DOWN"), SYNTAX)
        # A missing source answers null before the destination's type is checked.
        self.assertEqual(self.raw.cmd("LMOVE", "nokey", "str", "LEFT", "LEFT"), NULL2)
        self.assertEqual(self.raw.cmd("LMOVE", "l", "str", "LEFT", "LEFT"), WRONGTYPE)
        self.assertEqual(self.raw.cmd("LMOVE", "str", "l", "LEFT", "LEFT"), WRONGTYPE)
        self.assertEqual(self.items("l"), [b"a"])

    def test_lmpop(self):
        self.r.rpush("b", "1", "2", "3")
        self.assertEqual(self.raw.cmd("LMPOP", "2", "nokey", "b", "LEFT"), array(bulk("b"), bulks("1")))
        self.assertEqual(self.raw.cmd("LMPOP", "2", "nokey", "b", "RIGHT", "COUNT", "5"),
                         array(bulk("b"), bulks("3", "2")))
        self.assertEqual(self.raw.cmd("LMPOP", "2", "nokey", "b", "RIGHT"), NULL_ARRAY2)
        self.assertEqual(self.r.exists("b"), 0)

    def test_lmpop_errors(self):
        self.r.set("str", "v")
        numkeys = b"-ERR numkeys should be greater than 0\r\n"
        count = b"-ERR count should be greater than 0\r\n"
        self.assertEqual(self.raw.cmd("LMPOP", "0", "k", "LEFT"), numkeys)
        self.assertEqual(self.raw.cmd("LMPOP", "x", "k", "LEFT"), numkeys)
        self.assertEqual(self.raw.cmd("LMPOP", "2", "k", "LEFT"), SYNTAX)
        self.assertEqual(self.raw.cmd("LMPOP", "1", "k", "MIDDLE"), SYNTAX)
        self.assertEqual(self.raw.cmd("LMPOP", "1", "k", "LEFT", "COUNT", "0"), count)
        self.assertEqual(self.raw.cmd("LMPOP", "1", "k", "LEFT", "COUNT", "x"), count)
        self.assertEqual(self.raw.cmd("LMPOP", "1", "k", "LEFT", "COUNT", "1", "COUNT", "1"), SYNTAX)
        self.assertEqual(self.raw.cmd("LMPOP", "1", "k", "LEFT", "FOO"), SYNTAX)
        self.assertEqual(self.raw.cmd("LMPOP", "1", "k"), wrong_args("lmpop"))
        self.assertEqual(self.raw.cmd("LMPOP", "2", "nokey", "str", "LEFT"), WRONGTYPE)


class ErrorsTest(ListTestCase):
    def test_wrongtype(self):
        self.r.set("str", "v")
        self.r.sadd("set", "m")
        for args in [("LPUSH", "str", "a"), ("RPUSH", "set", "a"), ("LPUSHX", "str", "a"),
                     ("RPUSHX", "str", "a"), ("LPOP", "str"), ("RPOP", "str", "2"),
                     ("LPOP", "str", "0"), ("LLEN", "str"), ("LRANGE", "str", "0", "-1"),
                     ("LINDEX", "str", "0"), ("LSET", "str", "0", "a"), ("LREM", "str", "0", "a"),
                     ("LTRIM", "str", "0", "1"), ("LINSERT", "str", "before", "a", "b"),
                     ("LPOS", "str", "a"), ("RPOPLPUSH", "str", "d"), ("LMPOP", "1", "str", "LEFT"),
                     ("BLPOP", "str", "0"), ("BRPOP", "nokey", "set", "0"),
                     ("BLMOVE", "str", "d", "LEFT", "LEFT", "0"), ("BRPOPLPUSH", "set", "d", "0"),
                     ("BLMPOP", "0", "1", "str", "LEFT")]:
            self.assertEqual(self.raw.cmd(*args), WRONGTYPE, args)
        self.assertEqual(self.r.get("str"), b"v")
        self.assertEqual(self.r.smembers("set"), {b"m"})

    def test_arity(self):
        for args, name in [(("LPUSH", "l"), "lpush"), (("RPUSH",), "rpush"), (("LPOP",), "lpop"),
                           (("LLEN", "a", "b"), "llen"), (("LRANGE", "l", "0"), "lrange"),
                           (("LINDEX", "l"), "lindex"), (("LSET", "l", "0"), "lset"),
                           (("LREM", "l", "0"), "lrem"), (("LTRIM", "l", "0"), "ltrim"),
                           (("LINSERT", "l", "before", "a"), "linsert"), (("LPOS", "l"), "lpos"),
                           (("LMOVE", "a", "b", "left"), "lmove"), (("RPOPLPUSH", "a"), "rpoplpush"),
                           (("LMPOP", "1", "a"), "lmpop"), (("BLPOP", "a"), "blpop"),
                           (("BRPOP", "a"), "brpop"), (("BLMOVE", "a", "b", "left", "left"), "blmove"),
                           (("BRPOPLPUSH", "a", "b"), "brpoplpush"), (("BLMPOP", "0", "1", "a"), "blmpop")]:
            self.assertEqual(self.raw.cmd(*args), wrong_args(name), args)

    def test_blocking_argument_errors(self):
        not_float = b"-ERR timeout is not a float or out of range\r\n"
        negative = b"-ERR timeout is negative\r\n"
        self.assertEqual(self.raw.cmd("BLPOP", "k", "abc"), not_float)
        self.assertEqual(self.raw.cmd("BLPOP", "k", " 1"), not_float)
        self.assertEqual(self.raw.cmd("BLPOP", "k", "nan"), not_float)
        self.assertEqual(self.raw.cmd("BRPOP", "k", "-1"), negative)
        self.assertEqual(self.raw.cmd("BRPOPLPUSH", "k", "d", "x"), not_float)
        self.assertEqual(self.raw.cmd("BLMOVE", "k", "d", "LEFT", "UP", "x"), SYNTAX)
        self.assertEqual(self.raw.cmd("BLMOVE", "k", "d", "LEFT", "LEFT", "-0.5"), negative)
        self.assertEqual(self.raw.cmd("BLMPOP", "x", "0", "k", "LEFT"),
                         b"-ERR numkeys should be greater than 0\r\n")
        self.assertEqual(self.raw.cmd("BLMPOP", "x", "1", "k", "LEFT"), not_float)
        self.assertEqual(self.raw.cmd("BLMPOP", "0", "1", "k", "LEFT", "COUNT", "0"),
                         b"-ERR count should be greater than 0\r\n")

    @needs_redis_72
    def test_timeout_out_of_range(self):
        out_of_range = b"-ERR timeout is out of range\r\n"
        self.assertEqual(self.raw.cmd("BLPOP", "k", "inf"), out_of_range)
        self.assertEqual(self.raw.cmd("BLPOP", "k", "1e300"), out_of_range)


class NotificationTest(ListTestCase):
    def setUp(self):
        super().setUp()
        self.r.config_set("notify-keyspace-events", "KEA")
        self.events = Events(self.server)

    def tearDown(self):
        self.r.config_set("notify-keyspace-events", "")
        self.events.raw.close()
        super().tearDown()

    def ev(self, event, key):
        return [("__keyspace@0__:" + key, event.encode()), ("__keyevent@0__:" + event, key.encode())]

    def test_list_events(self):
        self.r.lpush("l", "a", "b")
        self.r.rpush("l", "c", "d", "e")
        self.r.lpushx("nokey", "x")        # nothing
        self.r.lset("l", 0, "B")
        self.r.linsert("l", "before", "c", "x")
        self.r.linsert("l", "before", "zz", "x")  # nothing
        self.r.lrem("l", 0, "x")
        self.r.lrem("l", 0, "zz")          # nothing
        self.r.ltrim("l", 0, -1)           # announced although nothing was trimmed
        self.r.lpop("l")
        self.r.rpop("l", 2)
        self.r.lpop("l", 0)                # nothing
        self.r.rpop("l", 5)                # pops the rest: rpop then del
        expected = (self.ev("lpush", "l") + self.ev("rpush", "l") + self.ev("lset", "l") +
                    self.ev("linsert", "l") + self.ev("lrem", "l") + self.ev("ltrim", "l") +
                    self.ev("lpop", "l") + self.ev("rpop", "l") + self.ev("rpop", "l") +
                    self.ev("del", "l"))
        self.assertEqual(self.events.take(len(expected)), expected)
        self.assertTrue(self.events.quiet())

    def test_move_and_mpop_events(self):
        self.r.rpush("src", "a", "b")
        self.r.lmove("src", "dst", "LEFT", "RIGHT")
        self.r.rpoplpush("src", "dst")
        self.r.execute_command("LMPOP", "1", "dst", "LEFT", "COUNT", "5")
        self.r.rpush("t", "x")
        self.r.ltrim("t", 1, 0)
        self.r.rpush("r", "y")
        self.r.lrem("r", 1, "y")
        expected = (self.ev("rpush", "src") + self.ev("rpush", "dst") + self.ev("lpop", "src") +
                    self.ev("lpush", "dst") + self.ev("rpop", "src") + self.ev("del", "src") +
                    self.ev("lpop", "dst") + self.ev("del", "dst") + self.ev("rpush", "t") +
                    self.ev("ltrim", "t") + self.ev("del", "t") + self.ev("rpush", "r") +
                    self.ev("lrem", "r") + self.ev("del", "r"))
        self.assertEqual(self.events.take(len(expected)), expected)

    def test_blocking_commands_with_data_announce_like_pops(self):
        self.r.rpush("l", "a", "b", "c")
        self.r.blpop(["nokey", "l"], 1)
        self.r.execute_command("BLMPOP", "1", "1", "l", "RIGHT")
        self.r.blmove("l", "l2", 1, "LEFT", "LEFT")
        expected = (self.ev("rpush", "l") + self.ev("lpop", "l") + self.ev("rpop", "l") +
                    self.ev("lpush", "l2") + self.ev("lpop", "l") + self.ev("del", "l"))
        self.assertEqual(self.events.take(len(expected)), expected)


class GenericCommandsTest(ListTestCase):
    def test_type_copy_rename_move(self):
        self.r.rpush("l", "a", "b")
        self.assertEqual(self.r.type("l"), b"list")
        self.assertEqual(self.r.copy("l", "c"), True)
        self.r.rpush("c", "z")
        self.assertEqual(self.items("l"), [b"a", b"b"], "a copy is independent")
        self.assertEqual(self.r.rename("c", "r"), True)
        self.assertEqual(self.items("r"), [b"a", b"b", b"z"])
        self.assertEqual(self.r.move("r", 3), True)
        self.assertEqual(self.server.client(db=3).lrange("r", 0, -1), [b"a", b"b", b"z"])

    def test_scan_type_and_memory_usage(self):
        self.r.rpush("l1", "a")
        self.r.rpush("l2", *range(3000))
        self.r.set("s", "v")
        self.r.sadd("set", "m")
        cursor, keys = 0, []
        while True:
            cursor, found = self.r.scan(cursor, _type="list")
            keys += found
            if cursor == 0:
                break
        self.assertEqual(sorted(keys), [b"l1", b"l2"])
        small, big = self.r.memory_usage("l1"), self.r.memory_usage("l2")
        self.assertGreater(small, 0)
        self.assertGreater(big, small + 3000)

    def test_expire_and_overwrite(self):
        self.r.rpush("l", "a")
        self.r.pexpire("l", 100)
        self.assertTrue(self.wait_for_missing("l"))
        self.r.rpush("l", "a")
        self.assertEqual(self.r.ttl("l"), -1)
        self.r.set("l", "str")
        self.assertEqual(self.r.type("l"), b"string")

    def wait_for_missing(self, key, timeout=3.0):
        import time
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.r.exists(key):
                return True
            time.sleep(0.02)
        return False

    def test_config_parameter(self):
        self.assertEqual(self.r.config_get("list-max-listpack-size"), {"list-max-listpack-size": "-2"})


@needs_redis_72
class EncodingTest(ListTestCase):
    """Redis 7.2's listpack for small lists, quicklist past list-max-listpack-size, and back at
    half the limit (7.0 reports quicklist for every list)."""

    def tearDown(self):
        self.r.config_set("list-max-listpack-size", "-2")
        super().tearDown()

    def test_byte_limit(self):
        self.r.rpush("l", "a", "b")
        self.assertEqual(self.encoding("l"), b"listpack")
        self.r.rpush("l", "x" * 9000)
        self.assertEqual(self.encoding("l"), b"quicklist")
        self.r.rpop("l")
        self.assertEqual(self.encoding("l"), b"listpack")
        # One push of 80 elements is estimated by their lengths (7 + 8000 bytes): still a listpack.
        self.r.rpush("m", *(["v" * 100] * 80))
        self.assertEqual(self.encoding("m"), b"listpack")
        # Pushed one by one, the 80th finds 79 * 103 + 7 bytes + 100 over 8 KB: nodes of 79 and 1.
        self.r.delete("m")
        pipe = self.r.pipeline(transaction=False)
        for _ in range(80):
            pipe.rpush("m", "v" * 100)
        pipe.execute()
        self.assertEqual(self.encoding("m"), b"quicklist")
        self.r.rpop("m", 35)  # one node of 45 elements, 4642 bytes: above half the limit
        self.assertEqual(self.encoding("m"), b"quicklist")
        self.r.rpop("m", 10)  # 35 elements, 3612 bytes
        self.assertEqual(self.encoding("m"), b"listpack")

    def test_count_limit_conversions(self):
        self.r.config_set("list-max-listpack-size", "4")
        self.r.rpush("l", "a", "b", "c", "d")
        self.assertEqual(self.encoding("l"), b"listpack")
        self.r.rpush("l", "e")
        self.assertEqual(self.encoding("l"), b"quicklist")
        self.r.rpop("l", 2)                      # one node of 3 > 4 / 2
        self.assertEqual(self.encoding("l"), b"quicklist")
        self.r.rpop("l")
        self.assertEqual(self.encoding("l"), b"listpack")
        for cmd in [("LINSERT", "l", "before", "a", "x"), ("LSET", "l", "0", "y" * 9000),
                    ("LPUSH", "l", "1", "2", "3")]:
            self.r.delete("l")
            self.r.rpush("l", "a", "b", "c", "d")
            self.r.execute_command(*cmd)
            self.assertEqual(self.encoding("l"), b"quicklist", cmd)

    def test_copy_keeps_the_encoding(self):
        self.r.rpush("l", *(["v" * 1000] * 10))
        self.assertEqual(self.r.copy("l", "c"), True)
        self.assertEqual(self.encoding("c"), b"quicklist")
        self.r.rpush("s", "a")
        self.r.copy("s", "t")
        self.assertEqual(self.encoding("t"), b"listpack")


if __name__ == "__main__":
    main()

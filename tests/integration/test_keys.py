# SPDX-License-Identifier: Apache-2.0
"""Generic key commands (DEL, EXISTS, TYPE, RENAME, COPY, MOVE, KEYS, SCAN, SWAPDB, OBJECT, ...).

Every expectation here is Redis 7's: run with SESSIONKV_TEST_TARGET=redis to check the test itself.
Values are strings; tests that need lists, hashes, sets or sorted sets live in the *OtherTypes classes.
"""
import time
import unittest

import redis

from support.server import ServerTestCase, main, needs_redis_72, sessionkv_only

NOT_INT = "value is not an integer or out of range"
INT_RANGE = "value is out of range, value must between -2147483648 and 2147483647"
SAME_OBJECT = "source and destination objects are the same"
DB_RANGE = "DB index is out of range"
SYNTAX = "syntax error"


class KeysCase(ServerTestCase):
    """Shared helpers for the key-command suites (test_expiry.py builds on them too)."""

    def x(self, *args):
        """Runs a command through redis-py (its reply callbacks apply: 0/1 may come back as bools)."""
        return self.r.execute_command(*args)

    def raw_cmd(self, *args):
        """The raw RESP bytes of one command's reply, on a fresh connection."""
        raw = self.server.raw()
        try:
            return raw.cmd(*args)
        finally:
            raw.close()

    def db(self, index):
        """A redis-py client bound to database `index` (closed at the end of the test)."""
        c = self.server.client(db=index)
        self.addCleanup(c.close)
        return c

    def scan_all(self, client=None, **kw):
        """Follows SCAN from cursor 0 to the end; returns every key seen (with repeats) and the call count."""
        client = client or self.r
        cursor, seen, calls = 0, [], 0
        while True:
            cursor, keys = client.scan(cursor, **kw)
            seen.extend(keys)
            calls += 1
            if cursor == 0:
                return seen, calls
            self.assertLess(calls, 100000, "SCAN never returned cursor 0")


class TestDelExistsType(KeysCase):
    def test_del_counts_deleted_keys(self):
        self.r.mset({"a": "1", "b": "2", "c": "3"})
        self.assertEqual(self.x("DEL", "a", "b", "missing"), 2)
        self.assertEqual(self.r.exists("a", "b", "c"), 1)
        self.assertEqual(self.x("DEL", "missing"), 0)

    def test_del_duplicate_key_counts_once(self):
        self.r.set("a", "1")
        self.assertEqual(self.x("DEL", "a", "a", "a"), 1)
        self.assertEqual(self.r.exists("a"), 0)

    def test_unlink_behaves_like_del(self):
        self.r.mset({"a": "1", "b": "2"})
        self.assertEqual(self.x("UNLINK", "a", "a", "b", "c"), 2)
        self.assertEqual(self.r.dbsize(), 0)
        self.assertEqual(self.x("UNLINK", "a"), 0)

    def test_del_removes_ttl_with_the_key(self):
        self.r.set("a", "1", ex=100)
        self.assertEqual(self.x("DEL", "a"), 1)
        self.r.set("a", "2")
        self.assertEqual(self.r.ttl("a"), -1)

    def test_exists_counts_duplicates(self):
        self.r.set("a", "1")
        self.r.set("b", "1")
        self.assertEqual(self.r.exists("a", "a", "a"), 3)
        self.assertEqual(self.r.exists("a", "b", "nope", "a"), 3)
        self.assertEqual(self.r.exists("nope"), 0)

    def test_binary_and_empty_keys(self):
        keys = [b"", b"\x00\xff\r\n", b"*3\r\n$3", "ключ".encode()]
        for i, k in enumerate(keys):
            self.r.set(k, str(i))
        self.assertEqual(self.r.exists(*keys), len(keys))
        self.assertEqual(sorted(self.r.keys("*")), sorted(keys))
        self.assertEqual(self.x("DEL", *keys), len(keys))
        self.assertEqual(self.r.dbsize(), 0)

    def test_type(self):
        self.r.set("s", "v")
        self.assertEqual(self.raw_cmd("TYPE", "s"), b"+string\r\n")
        self.assertEqual(self.raw_cmd("TYPE", "missing"), b"+none\r\n")
        self.r.set("n", "12")
        self.assertEqual(self.r.type("n"), b"string")

    def test_expired_key_is_gone_for_del_exists_type(self):
        self.r.set("a", "1", px=20)
        self.r.set("b", "1", px=20)
        time.sleep(0.1)
        self.assertEqual(self.r.exists("a"), 0)
        self.assertEqual(self.r.type("a"), b"none")
        self.assertEqual(self.x("DEL", "b"), 0)

    def test_touch(self):
        self.r.mset({"a": "1", "b": "2"})
        self.assertEqual(self.x("TOUCH", "a", "b", "missing"), 2)
        self.assertEqual(self.x("TOUCH", "a", "a"), 2)
        self.assertEqual(self.x("TOUCH", "missing"), 0)
        self.assertEqual(self.r.dbsize(), 2)


class TestRename(KeysCase):
    def test_rename_moves_value(self):
        self.r.set("a", "va")
        self.assertTrue(self.x("RENAME", "a", "b"))
        self.assertEqual(self.r.get("b"), b"va")
        self.assertEqual(self.r.exists("a"), 0)

    def test_rename_missing_source(self):
        self.assertError(lambda: self.x("RENAME", "nokey", "b"), "no such key")
        self.assertEqual(self.raw_cmd("RENAME", "nokey", "b"), b"-ERR no such key\r\n")
        self.assertEqual(self.r.exists("b"), 0)

    def test_rename_overwrites_destination(self):
        self.r.set("a", "va")
        self.r.set("b", "vb")
        self.assertTrue(self.x("RENAME", "a", "b"))
        self.assertEqual(self.r.get("b"), b"va")
        self.assertEqual(self.r.dbsize(), 1)

    def test_rename_keeps_ttl(self):
        self.r.set("a", "va", ex=100)
        self.x("RENAME", "a", "b")
        self.assertTrue(95000 < self.r.pttl("b") <= 100000)

    def test_rename_persistent_source_clears_destination_ttl(self):
        self.r.set("a", "va")
        self.r.set("b", "vb", ex=100)
        self.x("RENAME", "a", "b")
        self.assertEqual(self.r.ttl("b"), -1)

    def test_rename_to_itself(self):
        self.r.set("a", "va", ex=100)
        self.assertEqual(self.raw_cmd("RENAME", "a", "a"), b"+OK\r\n")
        self.assertEqual(self.r.get("a"), b"va")
        self.assertGreater(self.r.ttl("a"), 90)
        # Same name, missing key: still an error.
        self.assertEqual(self.raw_cmd("RENAME", "z", "z"), b"-ERR no such key\r\n")

    def test_rename_expired_source(self):
        self.r.set("a", "va", px=20)
        time.sleep(0.1)
        self.assertError(lambda: self.x("RENAME", "a", "b"), "no such key")

    def test_renamed_ttl_still_expires(self):
        self.r.set("a", "va", px=150)
        self.x("RENAME", "a", "b")
        time.sleep(0.3)
        self.assertEqual(self.r.exists("b"), 0)
        self.assertEqual(self.r.exists("a"), 0)

    def test_renamenx(self):
        self.r.set("a", "va")
        self.r.set("b", "vb")
        self.assertEqual(self.raw_cmd("RENAMENX", "a", "b"), b":0\r\n")
        self.assertEqual(self.r.get("a"), b"va")
        self.assertEqual(self.r.get("b"), b"vb")
        self.assertEqual(self.raw_cmd("RENAMENX", "a", "c"), b":1\r\n")
        self.assertEqual(self.r.get("c"), b"va")
        self.assertEqual(self.r.exists("a"), 0)

    def test_renamenx_keeps_ttl(self):
        self.r.set("a", "va", ex=100)
        self.assertEqual(self.x("RENAMENX", "a", "c"), 1)
        self.assertGreater(self.r.ttl("c"), 90)

    def test_renamenx_to_itself_and_missing(self):
        self.r.set("a", "va")
        self.assertEqual(self.raw_cmd("RENAMENX", "a", "a"), b":0\r\n")
        self.assertEqual(self.raw_cmd("RENAMENX", "nokey", "x"), b"-ERR no such key\r\n")
        self.assertEqual(self.raw_cmd("RENAMENX", "nokey", "nokey"), b"-ERR no such key\r\n")

    def test_renamenx_over_expired_destination(self):
        self.r.set("a", "va")
        self.r.set("b", "vb", px=20)
        time.sleep(0.1)
        self.assertEqual(self.x("RENAMENX", "a", "b"), 1)
        self.assertEqual(self.r.get("b"), b"va")
        self.assertEqual(self.r.ttl("b"), -1)


class TestCopy(KeysCase):
    def test_copy_same_db(self):
        self.r.set("a", "va")
        self.assertEqual(self.raw_cmd("COPY", "a", "b"), b":1\r\n")
        self.assertEqual(self.r.get("a"), b"va")
        self.assertEqual(self.r.get("b"), b"va")

    def test_copy_is_independent(self):
        self.r.set("a", "va")
        self.x("COPY", "a", "b")
        self.r.append("b", "-more")
        self.assertEqual(self.r.get("a"), b"va")
        self.assertEqual(self.r.get("b"), b"va-more")

    def test_copy_missing_source(self):
        self.assertEqual(self.raw_cmd("COPY", "nokey", "b"), b":0\r\n")
        self.assertEqual(self.r.exists("b"), 0)

    def test_copy_existing_destination_needs_replace(self):
        self.r.set("a", "va")
        self.r.set("b", "vb", ex=100)
        self.assertEqual(self.raw_cmd("COPY", "a", "b"), b":0\r\n")
        self.assertEqual(self.r.get("b"), b"vb")
        self.assertEqual(self.raw_cmd("COPY", "a", "b", "REPLACE"), b":1\r\n")
        self.assertEqual(self.r.get("b"), b"va")
        # The destination takes the source's (absent) TTL.
        self.assertEqual(self.r.ttl("b"), -1)
        self.assertEqual(self.raw_cmd("COPY", "a", "b", "replace", "REPLACE"), b":1\r\n")

    def test_copy_copies_ttl(self):
        self.r.set("a", "va", px=100000)
        self.x("COPY", "a", "b")
        self.assertTrue(95000 < self.r.pttl("b") <= 100000)
        self.assertTrue(95000 < self.r.pttl("a") <= 100000)
        self.assertEqual(self.r.execute_command("PEXPIRETIME", "a"),
                         self.r.execute_command("PEXPIRETIME", "b"))

    def test_copy_to_same_key_is_an_error(self):
        self.r.set("a", "va")
        self.assertEqual(self.raw_cmd("COPY", "a", "a"), b"-ERR " + SAME_OBJECT.encode() + b"\r\n")
        self.assertError(lambda: self.x("COPY", "a", "a", "DB", "0"), SAME_OBJECT)
        self.assertError(lambda: self.x("COPY", "nokey", "nokey"), SAME_OBJECT)

    def test_copy_to_other_db(self):
        self.r.set("a", "va", ex=100)
        self.assertEqual(self.raw_cmd("COPY", "a", "a", "DB", "1"), b":1\r\n")
        db1 = self.db(1)
        self.assertEqual(db1.get("a"), b"va")
        self.assertGreater(db1.ttl("a"), 90)
        self.assertEqual(self.r.get("a"), b"va")
        self.assertEqual(self.x("COPY", "a", "b", "DB", "1"), 1)
        self.assertEqual(sorted(db1.keys("*")), [b"a", b"b"])
        self.assertEqual(self.r.keys("*"), [b"a"])
        self.assertEqual(self.x("COPY", "a", "a", "DB", "1"), 0)
        self.r.set("a", "new")
        self.assertEqual(self.x("COPY", "a", "a", "DB", "1", "REPLACE"), 1)
        self.assertEqual(db1.get("a"), b"new")
        self.assertEqual(db1.ttl("a"), -1)

    def test_copy_from_a_selected_db(self):
        db2 = self.db(2)
        db2.set("k", "v2")
        self.assertEqual(db2.execute_command("COPY", "k", "k", "DB", "0"), 1)
        self.assertEqual(self.r.get("k"), b"v2")

    def test_copy_option_errors(self):
        self.r.set("a", "va")
        self.assertError(lambda: self.x("COPY", "a", "b", "DB", "16"), DB_RANGE)
        self.assertError(lambda: self.x("COPY", "a", "b", "DB", "-1"), DB_RANGE)
        self.assertError(lambda: self.x("COPY", "a", "b", "DB", "x"), NOT_INT)
        self.assertError(lambda: self.x("COPY", "a", "b", "DB", "99999999999"), INT_RANGE)
        self.assertError(lambda: self.x("COPY", "a", "b", "DB"), SYNTAX)
        self.assertError(lambda: self.x("COPY", "a", "b", "foo"), SYNTAX)
        self.assertError(lambda: self.x("COPY", "a", "b", "REPLACE", "DB"), SYNTAX)
        self.assertEqual(self.r.exists("b"), 0)

    def test_copy_expired_source(self):
        self.r.set("a", "va", px=20)
        time.sleep(0.1)
        self.assertEqual(self.x("COPY", "a", "b"), 0)
        self.assertEqual(self.r.exists("b"), 0)


class TestMove(KeysCase):
    def test_move_to_other_db(self):
        self.r.set("a", "va")
        self.assertEqual(self.raw_cmd("MOVE", "a", "1"), b":1\r\n")
        self.assertEqual(self.r.exists("a"), 0)
        self.assertEqual(self.db(1).get("a"), b"va")

    def test_move_keeps_ttl(self):
        self.r.set("a", "va", ex=100)
        self.x("MOVE", "a", "3")
        self.assertTrue(95 <= self.db(3).ttl("a") <= 100)

    def test_move_to_same_db_is_an_error(self):
        self.r.set("a", "va")
        self.assertEqual(self.raw_cmd("MOVE", "a", "0"), b"-ERR " + SAME_OBJECT.encode() + b"\r\n")
        # Checked before the key is looked up.
        self.assertError(lambda: self.x("MOVE", "nokey", "0"), SAME_OBJECT)
        self.assertError(lambda: self.db(5).execute_command("MOVE", "nokey", "5"), SAME_OBJECT)

    def test_move_target_exists(self):
        self.r.set("a", "v0")
        self.db(1).set("a", "v1")
        self.assertEqual(self.raw_cmd("MOVE", "a", "1"), b":0\r\n")
        self.assertEqual(self.r.get("a"), b"v0")
        self.assertEqual(self.db(1).get("a"), b"v1")

    def test_move_missing_key(self):
        self.assertEqual(self.raw_cmd("MOVE", "nokey", "1"), b":0\r\n")
        self.assertEqual(self.db(1).dbsize(), 0)

    def test_move_errors(self):
        self.r.set("a", "va")
        self.assertError(lambda: self.x("MOVE", "a", "16"), DB_RANGE)
        self.assertError(lambda: self.x("MOVE", "a", "-1"), DB_RANGE)
        self.assertError(lambda: self.x("MOVE", "a", "x"), NOT_INT)
        self.assertError(lambda: self.x("MOVE", "a", "99999999999"), INT_RANGE)
        self.assertEqual(self.r.get("a"), b"va")

    def test_moved_key_expires_in_target_db(self):
        self.r.set("a", "va", px=200)
        self.x("MOVE", "a", "1")
        db1 = self.db(1)
        deadline = time.time() + 3
        while db1.dbsize() and time.time() < deadline:
            time.sleep(0.02)
        self.assertEqual(db1.dbsize(), 0, "a moved key with a TTL was never expired in its new db")


class TestKeysPattern(KeysCase):
    KEYS = ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h?llo", "h[a]llo", "h\\llo",
            "a]b", "abc", "a-c", "a^c", "xyz", "foo:1", "foo:2", "foo:10", "bar"]

    def setUp(self):
        super().setUp()
        self.r.mset({k: "v" for k in self.KEYS})

    def keys(self, pattern):
        return sorted(k.decode() for k in self.r.keys(pattern))

    def test_star(self):
        self.assertEqual(self.keys("*"), sorted(self.KEYS))
        self.assertEqual(self.keys("foo:*"), ["foo:1", "foo:10", "foo:2"])
        self.assertEqual(self.keys("*c"), ["a-c", "a^c", "abc"])
        self.assertEqual(self.keys("hel*o*"), ["hello"])
        self.assertEqual(self.keys("H*"), [])

    def test_question_mark(self):
        self.assertEqual(self.keys("h?llo"), ["h*llo", "h?llo", "h\\llo", "hallo", "hello", "hxllo"])
        self.assertEqual(self.keys("foo:?"), ["foo:1", "foo:2"])
        self.assertEqual(self.keys("?"), [])

    def test_classes(self):
        self.assertEqual(self.keys("h[ae]llo"), ["hallo", "hello"])
        self.assertEqual(self.keys("h[a-b]llo"), ["hallo"])
        self.assertEqual(self.keys("h[b-a]llo"), ["hallo"])  # reversed ranges are accepted
        self.assertEqual(self.keys("foo:[0-9]"), ["foo:1", "foo:2"])
        self.assertEqual(self.keys("foo:[0-9][0-9]"), ["foo:10"])
        self.assertEqual(self.keys("a[b-c]c"), ["abc"])
        self.assertEqual(self.keys("a[-]c"), ["a-c"])

    def test_negated_classes(self):
        self.assertEqual(self.keys("h[^e]llo"), ["h*llo", "h?llo", "h\\llo", "hallo", "hxllo"])
        self.assertEqual(self.keys("[^a-z]*"), [])
        # '!' is not a negation in Redis globs.
        self.assertEqual(self.keys("h[!e]llo"), ["hello"])

    def test_escapes(self):
        self.assertEqual(self.keys("h\\*llo"), ["h*llo"])
        self.assertEqual(self.keys("h\\?llo"), ["h?llo"])
        self.assertEqual(self.keys("*\\\\*"), ["h\\llo"])
        self.assertEqual(self.keys("a[\\]]b"), ["a]b"])
        self.assertEqual(self.keys("a[\\-]c"), ["a-c"])
        self.assertEqual(self.keys("a]b"), ["a]b"])

    def test_unterminated_and_odd_patterns(self):
        for pattern in ["h[a", "h[a-", "[", "\\", "a\\", "a[]b"]:
            self.assertEqual(self.keys(pattern), [], pattern)

    def test_empty_pattern_and_empty_key(self):
        self.assertEqual(self.keys(""), [])
        self.r.set("", "v")
        self.assertEqual(self.r.keys(""), [b""])

    def test_keys_hides_expired_and_other_dbs(self):
        self.r.set("gone", "v", px=20)
        self.db(1).set("other", "v")
        time.sleep(0.1)
        self.assertEqual(self.keys("*"), sorted(self.KEYS))
        self.assertEqual(self.db(1).keys("*"), [b"other"])

    def test_pathological_patterns_finish_fast(self):
        self.r.set("a" * 10000, "v")
        self.r.set("a]" * 5000, "v")
        self.r.set("b" * 3000 + "c", "v")
        patterns = ["a*" * 5000 + "b", "*" + "a]" * 5000 + "*c", "*" * 10000 + "q",
                    "[a-b]*" * 2000 + "d", "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"]
        for p in patterns:
            start = time.time()
            self.assertEqual(self.r.keys(p), [], p[:30])
            cursor, found = self.r.scan(0, match=p, count=1000)
            self.assertEqual(found, [], p[:30])
            self.assertLess(time.time() - start, 2.0, "pattern %r took too long" % p[:30])
        self.assertTrue(self.r.ping())

    def test_long_patterns_that_match(self):
        long_key = "a" * 10000
        self.r.set(long_key, "v")
        self.assertEqual(self.r.keys("a*" * 100 + "a"), [long_key.encode()])
        self.assertEqual(self.r.keys("*" * 5000 + "a"), [long_key.encode()])
        self.assertEqual(self.r.keys("*a" * 200), [long_key.encode()])


class TestScan(KeysCase):
    def test_empty_db(self):
        self.assertEqual(self.raw_cmd("SCAN", "0"), b"*2\r\n$1\r\n0\r\n*0\r\n")

    def test_cursor_is_a_bulk_string(self):
        self.r.mset({"k%d" % i: "v" for i in range(50)})
        reply = self.raw_cmd("SCAN", "0", "COUNT", "5")
        self.assertTrue(reply.startswith(b"*2\r\n$"), reply[:20])

    def test_full_iteration_visits_every_key(self):
        keys = {("key:%d" % i).encode() for i in range(1000)}
        self.r.mset({k: "v" for k in keys})
        for count in (None, 1, 7, 100, 5000):
            seen, calls = self.scan_all(count=count) if count else self.scan_all()
            self.assertEqual(set(seen), keys, "COUNT %s" % count)
            if count == 1:
                self.assertGreater(calls, 10)

    def test_count_larger_than_db_returns_everything_at_once(self):
        keys = {("key:%d" % i).encode() for i in range(100)}
        self.r.mset({k: "v" for k in keys})
        cursor, found = self.r.scan(0, count=1000)
        self.assertEqual(cursor, 0)
        self.assertEqual(set(found), keys)

    def test_match(self):
        self.r.mset({"user:%d" % i: "v" for i in range(200)})
        self.r.mset({"session:%d" % i: "v" for i in range(200)})
        seen, _ = self.scan_all(match="user:1*", count=25)
        expected = {("user:%d" % i).encode() for i in range(200) if str(i).startswith("1")}
        self.assertEqual(set(seen), expected)
        seen, _ = self.scan_all(match="*", count=25)
        self.assertEqual(len(set(seen)), 400)

    def test_type_filter(self):
        self.r.mset({"s%d" % i: "v" for i in range(30)})
        seen, _ = self.scan_all(_type="string")
        self.assertEqual(len(set(seen)), 30)
        seen, _ = self.scan_all(_type="STRING")
        self.assertEqual(len(set(seen)), 30)
        seen, _ = self.scan_all(_type="hash")
        self.assertEqual(seen, [])
        # An unknown type name filters everything (Redis 7 returns no error).
        seen, _ = self.scan_all(_type="nosuchtype")
        self.assertEqual(seen, [])

    def test_match_and_type_and_count_together(self):
        self.r.mset({"a%d" % i: "v" for i in range(40)})
        self.r.mset({"b%d" % i: "v" for i in range(40)})
        seen, _ = self.scan_all(match="a*", count=3, _type="string")
        self.assertEqual(set(seen), {("a%d" % i).encode() for i in range(40)})
        reply = self.x("SCAN", "0", "TYPE", "string", "MATCH", "b1*", "COUNT", "1000")
        self.assertEqual(set(reply[1]), {("b%d" % i).encode() for i in [1] + list(range(10, 20))})

    def test_skips_expired_keys(self):
        self.r.mset({"live%d" % i: "v" for i in range(20)})
        for i in range(20):
            self.r.set("dead%d" % i, "v", px=20)
        time.sleep(0.1)
        seen, _ = self.scan_all(count=3)
        self.assertEqual(set(seen), {("live%d" % i).encode() for i in range(20)})

    def test_keys_present_throughout_are_returned_despite_changes(self):
        stable = {("stable:%d" % i).encode() for i in range(500)}
        self.r.mset({k: "v" for k in stable})
        self.r.mset({"churn:%d" % i: "v" for i in range(500)})
        cursor, seen, step = 0, set(), 0
        while True:
            cursor, keys = self.r.scan(cursor, count=20)
            seen.update(keys)
            # Delete old keys and add new ones while the scan is running (this also grows the table).
            self.x("DEL", *["churn:%d" % (step * 10 + j) for j in range(10)])
            self.r.mset({"new:%d:%d" % (step, j): "v" for j in range(30)})
            step += 1
            if cursor == 0:
                break
            self.assertLess(step, 10000)
        self.assertTrue(stable <= seen, "missing %d stable keys" % len(stable - seen))

    def test_invalid_cursor(self):
        for cursor in ["abc", "18446744073709551616", " 1", "1 ", "1.5", "0x10", "1a"]:
            self.assertError(lambda: self.x("SCAN", cursor), "invalid cursor")

    def test_large_valid_cursors_are_accepted(self):
        # The cursor is an unsigned 64-bit number; any value in range is valid (it may just end the scan).
        self.assertEqual(self.raw_cmd("SCAN", "9223372036854775808"), b"*2\r\n$1\r\n0\r\n*0\r\n")
        self.assertEqual(self.raw_cmd("SCAN", "18446744073709551615"), b"*2\r\n$1\r\n0\r\n*0\r\n")
        self.r.mset({"k%d" % i: "v" for i in range(100)})
        for cursor in ["9223372036854775808", "18446744073709551615", "123456789"]:
            next_cursor, keys = self.x("SCAN", cursor)
            self.assertIsInstance(next_cursor, int)
            self.assertTrue(set(keys) <= {("k%d" % i).encode() for i in range(100)})
        self.assertTrue(self.r.ping())

    @sessionkv_only
    def test_negative_cursor_is_invalid(self):
        """SCAN -1 -> ERR invalid cursor (bad-input.md item 27).

        Redis 7.0 and 7.2 parse the cursor with strtoul, which silently wraps "-1" to ULONG_MAX and accepts
        it; Redis 7.4+ parses it with string2ull and rejects it. sessionkv follows the stricter behaviour."""
        self.assertError(lambda: self.x("SCAN", "-1"), "invalid cursor")
        self.assertError(lambda: self.x("SCAN", "-9223372036854775808"), "invalid cursor")

    def test_option_errors(self):
        self.assertError(lambda: self.x("SCAN", "0", "COUNT", "0"), SYNTAX)
        self.assertError(lambda: self.x("SCAN", "0", "COUNT", "-1"), SYNTAX)
        self.assertError(lambda: self.x("SCAN", "0", "COUNT", "x"), NOT_INT)
        self.assertError(lambda: self.x("SCAN", "0", "COUNT"), SYNTAX)
        self.assertError(lambda: self.x("SCAN", "0", "MATCH"), SYNTAX)
        self.assertError(lambda: self.x("SCAN", "0", "TYPE"), SYNTAX)
        self.assertError(lambda: self.x("SCAN", "0", "FOO", "bar"), SYNTAX)
        self.assertError(lambda: self.x("SCAN", "abc", "COUNT", "0"), "invalid cursor")

    def test_scan_is_per_db(self):
        self.r.set("zero", "v")
        db4 = self.db(4)
        db4.mset({"four:%d" % i: "v" for i in range(20)})
        seen, _ = self.scan_all(client=db4)
        self.assertEqual(set(seen), {("four:%d" % i).encode() for i in range(20)})
        self.assertEqual(self.scan_all()[0], [b"zero"])


class TestDatabases(KeysCase):
    def test_dbs_are_isolated(self):
        self.r.set("k", "zero")
        db1 = self.db(1)
        self.assertEqual(db1.get("k"), None)
        self.assertEqual(db1.exists("k"), 0)
        self.assertEqual(db1.keys("*"), [])
        self.assertEqual(db1.dbsize(), 0)
        db1.set("k", "one")
        self.assertEqual(self.r.get("k"), b"zero")
        self.assertEqual(db1.get("k"), b"one")

    def test_select(self):
        raw = self.server.raw()
        self.addCleanup(raw.close)
        self.assertEqual(raw.cmd("SELECT", "15"), b"+OK\r\n")
        raw.cmd("SET", "k", "fifteen")
        self.assertEqual(raw.cmd("SELECT", "0"), b"+OK\r\n")
        self.assertEqual(raw.cmd("GET", "k"), b"$-1\r\n")
        self.assertEqual(self.db(15).get("k"), b"fifteen")

    def test_select_errors(self):
        raw = self.server.raw()
        self.addCleanup(raw.close)
        raw.cmd("SELECT", "3")
        for arg, err in [("16", DB_RANGE), ("-1", DB_RANGE), ("x", NOT_INT), ("1.5", NOT_INT),
                         ("99999999999", INT_RANGE), ("", NOT_INT)]:
            self.assertEqual(raw.cmd("SELECT", arg), b"-ERR " + err.encode() + b"\r\n", arg)
        # A failed SELECT leaves the connection in its database.
        raw.cmd("SET", "here", "3")
        self.assertEqual(self.db(3).get("here"), b"3")

    def test_dbsize(self):
        self.assertEqual(self.r.dbsize(), 0)
        self.r.mset({"a": "1", "b": "2", "c": "3"})
        self.db(2).set("x", "1")
        self.assertEqual(self.r.dbsize(), 3)
        self.assertEqual(self.db(2).dbsize(), 1)
        self.r.delete("a")
        self.assertEqual(self.r.dbsize(), 2)

    def test_flushdb_only_current_db(self):
        self.r.mset({"a": "1", "b": "2"})
        db1 = self.db(1)
        db1.set("c", "3")
        self.assertEqual(self.raw_cmd("FLUSHDB"), b"+OK\r\n")
        self.assertEqual(self.r.dbsize(), 0)
        self.assertEqual(db1.dbsize(), 1)
        self.assertTrue(db1.execute_command("FLUSHDB", "ASYNC"))
        self.assertEqual(db1.dbsize(), 0)
        db1.set("c", "3")
        self.assertTrue(db1.execute_command("FLUSHDB", "sync"))
        self.assertEqual(db1.dbsize(), 0)

    def test_flushall(self):
        for opts in [(), ("ASYNC",), ("SYNC",), ("async",)]:
            self.r.mset({"a": "1", "b": "2"})
            self.db(7).set("c", "3", ex=100)
            self.assertEqual(self.raw_cmd("FLUSHALL", *opts), b"+OK\r\n", opts)
            self.assertEqual(self.r.dbsize(), 0)
            self.assertEqual(self.db(7).dbsize(), 0)
            self.assertEqual(self.r.info("keyspace"), {})

    def test_flush_errors(self):
        self.r.set("a", "1")
        for cmd in ("FLUSHALL", "FLUSHDB"):
            self.assertError(lambda: self.x(cmd, "lazy"), SYNTAX)
            self.assertError(lambda: self.x(cmd, "ASYNC", "SYNC"), SYNTAX)
            self.assertError(lambda: self.x(cmd, "ASYNC", "x"), SYNTAX)
        self.assertEqual(self.r.dbsize(), 1)

    def test_flushed_keys_with_ttl_do_not_expire_new_keys(self):
        for i in range(50):
            self.r.set("k%d" % i, "old", px=200)
        self.r.flushall()
        self.r.mset({"k%d" % i: "new" for i in range(50)})
        time.sleep(0.5)
        self.assertEqual(self.r.dbsize(), 50)
        self.assertEqual(self.r.get("k7"), b"new")

    def test_swapdb(self):
        self.r.set("a", "zero")
        db1 = self.db(1)
        db1.set("b", "one", ex=100)
        raw1 = self.server.raw()
        self.addCleanup(raw1.close)
        raw1.cmd("SELECT", "1")
        self.assertEqual(self.raw_cmd("SWAPDB", "0", "1"), b"+OK\r\n")
        self.assertEqual(self.r.keys("*"), [b"b"])
        self.assertGreater(self.r.ttl("b"), 90)
        self.assertEqual(db1.keys("*"), [b"a"])
        # Connections that selected a database see the swapped contents immediately.
        self.assertEqual(raw1.cmd("GET", "a"), b"$4\r\nzero\r\n")
        self.assertTrue(self.x("SWAPDB", "1", "0"))
        self.assertEqual(self.r.get("a"), b"zero")
        self.assertEqual(db1.get("b"), b"one")

    def test_swapdb_same_and_empty(self):
        self.r.set("a", "zero")
        self.assertTrue(self.x("SWAPDB", "0", "0"))
        self.assertEqual(self.r.get("a"), b"zero")
        self.assertTrue(self.x("SWAPDB", "0", "9"))
        self.assertEqual(self.r.dbsize(), 0)
        self.assertEqual(self.db(9).get("a"), b"zero")

    def test_swapdb_errors(self):
        cases = [(("a", "1"), "invalid first DB index"), (("0", "b"), "invalid second DB index"),
                 (("a", "b"), "invalid first DB index"),
                 (("99999999999", "0"), "invalid first DB index"),
                 (("0", "99999999999"), "invalid second DB index"),
                 (("0", "16"), DB_RANGE), (("16", "0"), DB_RANGE), (("0", "-1"), DB_RANGE),
                 (("-1", "0"), DB_RANGE)]
        for args, err in cases:
            self.assertEqual(self.raw_cmd("SWAPDB", *args), b"-ERR " + err.encode() + b"\r\n", args)

    def test_swapped_ttls_still_expire(self):
        self.db(1).set("t", "v", px=200)
        self.x("SWAPDB", "0", "1")
        deadline = time.time() + 3
        while self.r.dbsize() and time.time() < deadline:
            time.sleep(0.02)
        self.assertEqual(self.r.dbsize(), 0)

    def test_randomkey(self):
        self.assertEqual(self.raw_cmd("RANDOMKEY"), b"$-1\r\n")
        self.r.set("only", "v")
        self.assertEqual(self.r.randomkey(), b"only")
        keys = {("k%d" % i).encode() for i in range(20)}
        self.r.mset({k: "v" for k in keys})
        seen = {self.r.randomkey() for _ in range(300)}
        self.assertTrue(seen <= keys | {b"only"})
        self.assertGreater(len(seen), 5)
        self.assertIsNone(self.db(1).randomkey())

    def test_randomkey_skips_expired(self):
        for i in range(20):
            self.r.set("dead%d" % i, "v", px=20)
        time.sleep(0.1)
        self.assertIsNone(self.r.randomkey())
        self.r.set("live", "v")
        for i in range(20):
            self.r.set("dead%d" % i, "v", px=20)
        time.sleep(0.1)
        self.assertEqual(self.r.randomkey(), b"live")


class TestObject(KeysCase):
    def encoding(self, key):
        return self.r.object("encoding", key)

    def test_encoding_int(self):
        for v in ["1", "-1", "0", "10000", "9223372036854775807", "-9223372036854775808"]:
            self.r.set("k", v)
            self.assertEqual(self.encoding("k"), b"int", v)

    def test_encoding_embstr(self):
        for v in ["", "a", "01", " 1", "+1", "-0", "1.5", "1e3", "9223372036854775808",
                  "12345678901234567890", "a" * 44]:
            self.r.set("k", v)
            self.assertEqual(self.encoding("k"), b"embstr", repr(v))

    def test_encoding_raw(self):
        for v in ["a" * 45, "b" * 1000]:
            self.r.set("k", v)
            self.assertEqual(self.encoding("k"), b"raw", len(v))

    def test_encoding_after_modification(self):
        self.r.set("k", "1")
        self.r.append("k", "2")  # an in-place change leaves a raw string, even when short and numeric
        self.assertEqual(self.encoding("k"), b"raw")
        self.r.set("k", "ab")
        self.r.append("k", "c")
        self.assertEqual(self.encoding("k"), b"raw")
        self.r.set("k", "ab")
        self.r.setrange("k", 0, "x")
        self.assertEqual(self.encoding("k"), b"raw")
        self.r.append("new1", "abc")  # APPEND to a missing key stores a fresh object
        self.assertEqual(self.encoding("new1"), b"embstr")
        self.r.append("new2", "123")
        self.assertEqual(self.encoding("new2"), b"int")
        self.r.set("n", "5")
        self.r.incr("n")
        self.assertEqual(self.encoding("n"), b"int")
        self.r.set("f", "1.5")
        self.r.incrbyfloat("f", 1.5)  # Redis stores INCRBYFLOAT results as strings, even "3"
        self.assertEqual(self.r.get("f"), b"3")
        self.assertEqual(self.encoding("f"), b"embstr")

    def test_encoding_is_copied_and_kept_by_rename(self):
        self.r.set("a", "12")
        self.r.set("b", "x" * 50)
        self.x("COPY", "a", "a2")
        self.x("COPY", "b", "b2")
        self.x("RENAME", "a", "a3")
        self.assertEqual(self.encoding("a2"), b"int")
        self.assertEqual(self.encoding("a3"), b"int")
        self.assertEqual(self.encoding("b2"), b"raw")

    def test_encoding_missing_key(self):
        self.assertEqual(self.raw_cmd("OBJECT", "ENCODING", "nokey"), b"$-1\r\n")
        self.assertEqual(self.raw_cmd("OBJECT", "encoding", "nokey"), b"$-1\r\n")

    def test_freq_needs_lfu_policy(self):
        self.r.set("k", "v")
        err = ("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
               "that when switching between policies at runtime LRU and LFU data will take some time "
               "to adjust.")
        self.assertEqual(self.raw_cmd("OBJECT", "FREQ", "k"), b"-" + err.encode() + b"\r\n")
        # A missing key answers nil before the policy is checked.
        self.assertEqual(self.raw_cmd("OBJECT", "FREQ", "nokey"), b"$-1\r\n")

    def test_idletime(self):
        self.assertEqual(self.raw_cmd("OBJECT", "IDLETIME", "nokey"), b"$-1\r\n")
        self.r.mset({"read": "v", "touched": "v", "untouched": "v"})
        self.assertEqual(self.r.object("idletime", "read"), 0)
        time.sleep(2.2)
        for k in ("read", "touched", "untouched"):
            self.assertTrue(1 <= self.r.object("idletime", k) <= 4, k)
        # Introspection does not count as an access.
        self.r.exists("untouched")
        self.r.type("untouched")
        self.r.ttl("untouched")
        self.r.object("encoding", "untouched")
        self.assertGreaterEqual(self.r.object("idletime", "untouched"), 1)
        # Reads and TOUCH do.
        self.r.get("read")
        self.x("TOUCH", "touched")
        self.assertEqual(self.r.object("idletime", "read"), 0)
        self.assertEqual(self.r.object("idletime", "touched"), 0)

    def test_help(self):
        lines = [
            "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
            "HELP",
            "    Prints this help.",
        ]
        expected = b"*%d\r\n" % len(lines) + b"".join(b"+%s\r\n" % l.encode() for l in lines)
        self.assertEqual(self.raw_cmd("OBJECT", "HELP"), expected)
        self.assertEqual(self.raw_cmd("object", "help"), expected)

    def test_refcount_is_an_integer(self):
        self.r.set("k", "some value")
        self.assertTrue(self.raw_cmd("OBJECT", "REFCOUNT", "k").startswith(b":"))
        self.assertEqual(self.raw_cmd("OBJECT", "REFCOUNT", "nokey"), b"$-1\r\n")

    def test_unknown_subcommand(self):
        self.assertEqual(self.raw_cmd("OBJECT", "foo", "k"),
                         b"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n")
        self.assertEqual(self.raw_cmd("object", "foo"),
                         b"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n")
        long_name = "x" * 200
        self.assertEqual(self.raw_cmd("OBJECT", long_name),
                         b"-ERR unknown subcommand '" + b"x" * 128 + b"'. Try OBJECT HELP.\r\n")


class TestArity(KeysCase):
    """Wrong argument counts, for every command of the family (error texts are Redis's)."""

    CASES = [
        ("del",), ("unlink",), ("exists",), ("type",), ("type", "a", "b"), ("rename", "a"),
        ("rename", "a", "b", "c"), ("renamenx", "a"), ("renamenx", "a", "b", "c"), ("copy", "a"),
        ("move", "a"), ("move", "a", "1", "2"), ("keys",), ("keys", "a", "b"), ("scan",),
        ("randomkey", "x"), ("dbsize", "x"), ("swapdb", "0"), ("swapdb", "0", "1", "2"), ("select",),
        ("select", "0", "1"), ("touch",), ("object",),
    ]

    def test_wrong_arity(self):
        raw = self.server.raw()
        self.addCleanup(raw.close)
        for args in self.CASES:
            self.assertEqual(raw.cmd(*args),
                             b"-ERR wrong number of arguments for '%s' command\r\n" % args[0].encode(),
                             args)
        # Upper-case names are reported in lower case.
        self.assertEqual(raw.cmd("DEL"), b"-ERR wrong number of arguments for 'del' command\r\n")

    def test_object_subcommand_arity(self):
        raw = self.server.raw()
        self.addCleanup(raw.close)
        for args in [("OBJECT", "ENCODING"), ("OBJECT", "ENCODING", "a", "b"), ("OBJECT", "FREQ"),
                     ("OBJECT", "IDLETIME"), ("OBJECT", "IDLETIME", "a", "b"), ("OBJECT", "REFCOUNT"),
                     ("OBJECT", "HELP", "x")]:
            self.assertEqual(raw.cmd(*args), b"-ERR wrong number of arguments for 'object|%s' command\r\n"
                             % args[1].lower().encode(), args)

    def test_flush_extra_arguments_are_a_syntax_error(self):
        for cmd in ("FLUSHDB", "FLUSHALL"):
            self.assertEqual(self.raw_cmd(cmd, "ASYNC", "x"), b"-ERR syntax error\r\n")


class TestKeysOtherTypes(KeysCase):
    """Key commands over lists, hashes, sets and sorted sets (needs those families)."""

    def make_all_types(self):
        self.r.set("str", "v")
        self.r.rpush("list", "a", "b")
        self.r.hset("hash", mapping={"f": "v"})
        self.r.sadd("set", "m")
        self.r.zadd("zset", {"m": 1})

    def test_type(self):
        self.make_all_types()
        for k in ("str", "list", "hash", "set", "zset"):
            self.assertEqual(self.r.type(k), {"str": b"string"}.get(k, k.encode()))

    def test_scan_type_filter(self):
        self.make_all_types()
        for t, k in [("string", b"str"), ("list", b"list"), ("hash", b"hash"), ("set", b"set"),
                     ("zset", b"zset")]:
            seen, _ = self.scan_all(_type=t)
            self.assertEqual(seen, [k], t)

    def test_copy_and_rename_every_type(self):
        self.make_all_types()
        for k in ("list", "hash", "set", "zset"):
            self.assertEqual(self.x("COPY", k, k + "2"), 1)
            self.assertEqual(self.x("COPY", k, k, "DB", "1"), 1)
            self.x("RENAME", k + "2", k + "3")
        self.assertEqual(self.r.lrange("list3", 0, -1), [b"a", b"b"])
        self.assertEqual(self.r.hgetall("hash3"), {b"f": b"v"})
        self.assertEqual(self.r.smembers("set3"), {b"m"})
        self.assertEqual(self.r.zrange("zset3", 0, -1, withscores=True), [(b"m", 1.0)])
        db1 = self.db(1)
        self.assertEqual(db1.hgetall("hash"), {b"f": b"v"})
        # Copies are deep: changing the copy leaves the source alone.
        self.r.hset("hash3", "f", "changed")
        self.r.sadd("set3", "n")
        self.assertEqual(self.r.hget("hash", "f"), b"v")
        self.assertEqual(self.r.smembers("set"), {b"m"})

    def test_move_every_type(self):
        self.make_all_types()
        for k in ("list", "hash", "set", "zset"):
            self.assertEqual(self.x("MOVE", k, "2"), 1)
        db2 = self.db(2)
        self.assertEqual(sorted(db2.keys("*")), [b"hash", b"list", b"set", b"zset"])
        self.assertEqual(db2.zscore("zset", "m"), 1.0)

    def test_object_encoding_of_collections(self):
        self.r.hset("h", mapping={"f": "v"})
        self.r.sadd("si", 1, 2, 3)
        self.r.zadd("z", {"m": 1})
        self.assertEqual(self.r.object("encoding", "h"), b"listpack")
        self.assertEqual(self.r.object("encoding", "si"), b"intset")
        self.assertEqual(self.r.object("encoding", "z"), b"listpack")
        self.r.hset("h", "big", "x" * 100)
        self.assertEqual(self.r.object("encoding", "h"), b"hashtable")

    @needs_redis_72
    def test_object_encoding_of_small_lists_and_sets(self):
        """Redis 7.2 keeps small lists and small non-integer sets in listpacks (7.0: quicklist, hashtable)."""
        self.r.rpush("l", "a")
        self.r.sadd("ss", "a", "b")
        self.assertEqual(self.r.object("encoding", "l"), b"listpack")
        self.assertEqual(self.r.object("encoding", "ss"), b"listpack")

    def test_expire_and_delete_collections(self):
        self.make_all_types()
        for k in ("list", "hash", "set", "zset"):
            self.assertEqual(self.r.pexpire(k, 100), 1)
        time.sleep(0.3)
        self.assertEqual(sorted(self.r.keys("*")), [b"str"])
        self.make_all_types()
        self.assertEqual(self.x("DEL", "list", "hash", "set", "zset", "str"), 5)


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""Protocol-level integration tests over raw sockets, byte-exact: framing and parser errors, inline
commands and their quoting, binary safety, unknown commands and arity errors, requests split one byte
per send(), 10,000 pipelined requests, and the unauthenticated request limits.

The cases follow /work/shared/docs/bad-input.md items 1-15. Every expectation was checked against
Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis); Redis 7.2 answers these the same way.

A protocol error is answered with one error reply, after which the server closes the connection
(Redis's CLIENT_CLOSE_AFTER_REPLY). Tests that make the server close a connection send exactly the
bytes the server will consume, so that it never closes with unread input: Linux would then answer
with a RST, which can destroy the error reply before the test reads it.

This module also holds encode()/decode(), the small RESP helpers the other protocol-level suites
import (test_connection.py, test_server_commands.py).
"""
import select
import socket
import threading
import time

from support.server import ServerTestCase, main

INLINE_MAX = 64 * 1024  # PROTO_INLINE_MAX_SIZE: longest inline request / count line without newline


# ---------------------------------------------------------------------------------------------
# RESP helpers (shared with test_connection.py and test_server_commands.py)
# ---------------------------------------------------------------------------------------------
def encode(*args):
    """One request as a RESP multibulk; str and int arguments are UTF-8 encoded."""
    parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


class Err(str):
    """An error reply (the text without the leading '-')."""


class Push(list):
    """A RESP3 push frame ('>')."""


def _decode_at(data, pos):
    """Decodes the reply starting at data[pos]; returns (value, position after it)."""
    end = data.index(b"\r\n", pos)
    kind, line, pos = data[pos:pos + 1], data[pos + 1:end], end + 2
    if kind == b"+":
        return line.decode(), pos
    if kind == b"-":
        return Err(line.decode()), pos
    if kind in (b":", b"("):
        return int(line), pos
    if kind == b",":
        return float(line), pos
    if kind == b"#":
        return line == b"t", pos
    if kind == b"_":
        return None, pos
    if kind in (b"$", b"=", b"!"):
        n = int(line)
        if n < 0:
            return None, pos
        body = data[pos:pos + n]
        if data[pos + n:pos + n + 2] != b"\r\n":
            raise ValueError("bulk not terminated by CRLF at %d" % (pos + n))
        if kind == b"=":
            body = body[4:]  # "txt:" / "mkd:"
        if kind == b"!":
            return Err(body.decode()), pos + n + 2
        return body, pos + n + 2
    if kind in (b"*", b"~", b">"):
        n = int(line)
        if n < 0:
            return None, pos
        items = []
        for _ in range(n):
            item, pos = _decode_at(data, pos)
            items.append(item)
        return (Push(items) if kind == b">" else items), pos
    if kind in (b"%", b"|"):
        result = {}
        for _ in range(int(line)):
            key, pos = _decode_at(data, pos)
            value, pos = _decode_at(data, pos)
            result[key.decode() if isinstance(key, bytes) else key] = value
        return result, pos
    raise ValueError("unknown RESP type %r" % kind)


def decode(data):
    """Decodes exactly one whole reply: bulk strings stay bytes, simple strings become str, errors
    Err, RESP3 maps dicts with str keys, RESP3 null None."""
    value, pos = _decode_at(data, 0)
    if pos != len(data):
        raise ValueError("trailing bytes after the reply: %r" % data[pos:pos + 40])
    return value


def bulk(value):
    return b"$%d\r\n%s\r\n" % (len(value), value)


def wrong_args(name):
    return b"-ERR wrong number of arguments for '%s' command\r\n" % name.encode()


def unknown_command(name, *args):
    """Redis's reply to an unknown command (server.c processCommand)."""
    text = b"".join(b"'%s' " % a for a in args)
    return b"-ERR unknown command '%s', with args beginning with: %s\r\n" % (name, text)


PONG = b"+PONG\r\n"
OK = b"+OK\r\n"


def protocol_error(text):
    return b"-ERR Protocol error: " + text + b"\r\n"


class ProtocolCase(ServerTestCase):
    """Hands out raw connections and closes them after the test."""

    def assertRepliesThenOpen(self, data, expected):
        """Sends `data` in one send(), expects exactly the bytes `expected`, and an open connection."""
        c = self.conn()
        c.send(data)
        got = b""
        while len(got) < len(expected):
            got += c.reply()
        self.assertEqual(got, expected)
        self.assertEqual(c.cmd("PING"), PONG, "the connection must stay usable")

    def assertErrorThenClosed(self, data, expected):
        """Sends `data`; expects exactly `expected` (the replies, ending with the protocol error),
        then the server closes the connection."""
        c = self.conn()
        c.send(data)
        got = b""
        try:
            while len(got) < len(expected):
                got += c.reply()
        except (EOFError, ConnectionResetError, TimeoutError) as e:
            self.fail("the reply did not arrive whole (%r so far): %r" % (got, e))
        self.assertEqual(got, expected)
        self.assertTrue(c.is_closed(), "a protocol error must close the connection")
        self.assertEqual(c.buf, b"", "nothing may follow the protocol error")


# ---------------------------------------------------------------------------------------------
# bad-input.md 1-10: framing
# ---------------------------------------------------------------------------------------------
class Framing(ProtocolCase):
    def test_empty_query_is_ignored(self):
        # Item 1: an empty line is skipped silently (also whitespace-only and bare \n lines).
        for empty in (b"\r\n", b"\n", b"   \r\n", b"\t \n", b"\r\n\r\n\n"):
            with self.subTest(empty=empty):
                self.assertRepliesThenOpen(empty + b"PING\r\n", PONG)

    def test_empty_and_negative_multibulk_are_ignored(self):
        # Item 2: *0 and *-N are no-ops (not errors), then the next request is served.
        for header in (b"*0\r\n", b"*-10\r\n", b"*-1\r\n", b"*-10\r\n*0\r\n"):
            with self.subTest(header=header):
                self.assertRepliesThenOpen(header + encode("PING"), PONG)

    def test_invalid_multibulk_length(self):
        # Item 3: more than INT_MAX elements, or not a number.
        for header in (b"*3000000000\r\n", b"*2147483648\r\n", b"*abc\r\n", b"*1x\r\n", b"*\r\n",
                       b"*+1\r\n"):
            with self.subTest(header=header):
                self.assertErrorThenClosed(header, protocol_error(b"invalid multibulk length"))

    def test_expected_dollar(self):
        # Items 4 and 6: an element of a multibulk that does not start with '$'.
        cases = [
            (b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", b"f"),
            (b"*1\r\nfoo\r\n", b"f"),
            (b"*2\r\n$4\r\nECHO\r\n:1\r\n", b":"),
            (b"*1\r\n*1\r\n", b"*"),
        ]
        for data, got in cases:
            with self.subTest(data=data):
                self.assertErrorThenClosed(data, protocol_error(b"expected '$', got '%s'" % got))

    def test_invalid_bulk_length(self):
        # Item 5: negative, over proto-max-bulk-len (512 MB), not a number, empty, trailing junk.
        for header in (b"$-10", b"$-1", b"$2000000000", b"$536870913", b"$blabla", b"$", b"$1x",
                       b"$+1"):
            with self.subTest(header=header):
                self.assertErrorThenClosed(b"*1\r\n" + header + b"\r\n",
                                           protocol_error(b"invalid bulk length"))

    def test_protocol_error_after_good_requests(self):
        # The requests before the bad one are answered in order; the ones after it never run.
        c = self.conn()
        c.send(encode("SET", "before", "1") + b"PING\r\n" + b"*1\r\nfoo\r\n" + encode("SET", "after", "1"))
        self.assertEqual(c.reply(), OK)
        self.assertEqual(c.reply(), PONG)
        self.assertEqual(c.reply(), protocol_error(b"expected '$', got 'f'"))
        self.assertTrue(c.is_closed())
        self.assertEqual(self.r.get("before"), b"1")
        self.assertIsNone(self.r.get("after"))

    def test_other_connections_are_unaffected(self):
        bystander = self.conn()
        self.assertEqual(bystander.cmd("SET", "k", "v"), OK)
        self.assertErrorThenClosed(b"*abc\r\n", protocol_error(b"invalid multibulk length"))
        self.assertEqual(bystander.cmd("GET", "k"), bulk(b"v"))

    def test_too_big_inline_request(self):
        # Item 7: more than 64 KB of inline request without a newline. Exactly INLINE_MAX + 1 bytes
        # are sent, so the server has read all of them when it gives up.
        self.assertErrorThenClosed(b"a" * (INLINE_MAX + 1), protocol_error(b"too big inline request"))

    def test_inline_request_of_exactly_64k_is_accepted(self):
        # The limit applies to pending bytes without a newline: 64 KB is still allowed. The command
        # name is cut to 128 characters in the unknown-command error.
        c = self.conn()
        c.send(b"a" * INLINE_MAX)
        time.sleep(0.2)
        c.send(b"\r\n")
        self.assertEqual(c.reply(), unknown_command(b"a" * 128))
        self.assertEqual(c.cmd("PING"), PONG)
        # A long inline request with a newline well past 64 KB of arguments is fine too.
        self.assertRepliesThenOpen(b"PING" + b" " * 70000 + b"\r\n", PONG)

    def test_too_big_count_lines(self):
        # Item 7: a '*' or '$' count line longer than 64 KB without "\r".
        self.assertErrorThenClosed(b"*" + b"1" * INLINE_MAX, protocol_error(b"too big mbulk count string"))
        self.assertErrorThenClosed(b"*1\r\n$" + b"1" * INLINE_MAX,
                                   protocol_error(b"too big bulk count string"))

    def test_unbalanced_quotes(self):
        # Item 8.
        for line in (b'set """test-key""" test-value', b'ECHO "a"b', b"ECHO 'a'b", b'ECHO "abc',
                     b"ECHO 'abc", b'ECHO "a\\"'):
            with self.subTest(line=line):
                self.assertErrorThenClosed(line + b"\r\n", protocol_error(b"unbalanced quotes in request"))

    def _stream_until_reply(self, conn, prefix, chunk=b"payload" * 585, limit=30.0):
        """Sends `prefix`, then ~4 KB chunks with no newline, pausing after each so the server reads
        everything it is sent, until the server answers or closes; returns (bytes read, seconds)."""
        sock = conn.sock
        start = time.time()
        sock.sendall(prefix)
        got = b""
        while time.time() - start < limit:
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable:
                data = sock.recv(65536)
                if not data:
                    break
                got += data
                if got.endswith(b"\r\n"):
                    break
                continue
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
        return got, time.time() - start

    def test_desync_sequences_close_in_bounded_time(self):
        # Item 9 (protocol.tcl "Protocol desync regression test"): a desynchronised stream must
        # end in a protocol error and a close once 64 KB are buffered, not grow without bound.
        cases = [(b"\x00", b"too big inline request"), (b"*\x00", b"too big mbulk count string"),
                 (b"$\x00", b"too big inline request")]
        for prefix, text in cases:
            with self.subTest(prefix=prefix):
                c = self.conn()
                got, seconds = self._stream_until_reply(c, prefix)
                self.assertEqual(got, protocol_error(text))
                self.assertLess(seconds, 30)
                self.assertTrue(c.is_closed())

    def test_inline_with_bare_newlines(self):
        # Item 10: inline requests may end with \n alone, and mix \n and \r\n.
        self.assertRepliesThenOpen(b"PING\nECHO a\r\nPING\n", PONG + bulk(b"a") + PONG)
        self.assertRepliesThenOpen(b"SET k v\nGET k\n", OK + bulk(b"v"))

    def test_bare_newline_in_multibulk_header_is_an_error(self):
        # Item 10: only inline requests accept a bare \n; in a multibulk the count is then invalid.
        self.assertErrorThenClosed(b"*1\n$4\r\nPING\r\n", protocol_error(b"invalid multibulk length"))
        self.assertErrorThenClosed(b"*1\r\n$4\nPING\r\n", protocol_error(b"invalid bulk length"))

    def test_multibulk_and_inline_mixed_in_one_send(self):
        self.assertRepliesThenOpen(encode("SET", "k", "1") + b"INCR k\r\n" + encode("GET", "k") + b"ECHO x\n",
                                   OK + b":2\r\n" + bulk(b"2") + bulk(b"x"))

    def test_command_names_are_case_insensitive(self):
        self.assertRepliesThenOpen(b"pInG\r\n" + encode("eChO", "x"), PONG + bulk(b"x"))


# ---------------------------------------------------------------------------------------------
# Inline commands: the quoting rules of sdssplitargs (what redis-cli and telnet users type)
# ---------------------------------------------------------------------------------------------
class InlineQuoting(ProtocolCase):
    def test_double_quotes_with_escapes(self):
        self.assertRepliesThenOpen(b'SET "a b" "c\\x00d\\r\\n"\r\nGET "a b"\r\n', OK + bulk(b"c\x00d\r\n"))
        self.assertEqual(self.r.get(b"a b"), b"c\x00d\r\n")
        self.assertRepliesThenOpen(b'ECHO "\\x41\\x42\\x4a\\x4A"\r\n', bulk(b"ABJJ"))
        self.assertRepliesThenOpen(b'ECHO "a\\nb\\tc\\\\d\\"e\\rf\\ag\\bh"\r\n',
                                   bulk(b'a\nb\tc\\d"e\rf\x07g\x08h'))

    def test_invalid_escapes_are_taken_literally(self):
        # "\x4" and "\xZZ" are not hex escapes: the backslash is dropped, the rest kept; "\q" -> "q".
        self.assertRepliesThenOpen(b'ECHO "\\x4"\r\n', bulk(b"x4"))
        self.assertRepliesThenOpen(b'ECHO "\\xZZ"\r\n', bulk(b"xZZ"))
        self.assertRepliesThenOpen(b'ECHO "\\q"\r\n', bulk(b"q"))

    def test_single_quotes(self):
        # Only \' is an escape inside single quotes.
        self.assertRepliesThenOpen(b"SET 'a b' 'c\"d'\r\nGET 'a b'\r\n", OK + bulk(b'c"d'))
        self.assertRepliesThenOpen(b"ECHO 'a\\nb\\'c'\r\n", bulk(b"a\\nb'c"))

    def test_empty_quoted_arguments(self):
        self.assertRepliesThenOpen(b"ECHO \"\"\r\nECHO ''\r\n", b"$0\r\n\r\n" * 2)
        self.assertRepliesThenOpen(b'SET "" x\r\nGET ""\r\n', OK + bulk(b"x"))

    def test_whitespace_separates_arguments(self):
        self.assertRepliesThenOpen(b"   ECHO    a   \r\n", bulk(b"a"))
        self.assertRepliesThenOpen(b"\tPING\t\r\n", PONG)
        self.assertRepliesThenOpen(b"ECHO a\tb\r\n", wrong_args("echo"))
        self.assertRepliesThenOpen(b'ECHO "a b"  \r\n', bulk(b"a b"))


# ---------------------------------------------------------------------------------------------
# bad-input.md 12-14: binary payloads, unknown commands, arity
# ---------------------------------------------------------------------------------------------
class Payloads(ProtocolCase):
    VALUES = [b"", b"\x00", b"a\x00b", b"\r\n", b"a\r\nb", b"$5\r\nhello\r\n", b"*2\r\n", b"$", b"*",
              b"\xff\xfe\xc3\x28", b"\xac\xed\x00\x05t\x00\x03abc", bytes(range(256)), b"-ERR x\r\n",
              b"+OK\r\n", b":1\r\n"]

    def test_binary_keys_and_values_round_trip(self):
        # Item 12.
        c = self.conn()
        for i, value in enumerate(self.VALUES):
            with self.subTest(value=value):
                key = b"key\x00\r\n%d\xff" % i
                self.assertEqual(c.cmd("SET", key, value), OK)
                self.assertEqual(c.cmd("GET", key), bulk(value))
                self.assertEqual(c.cmd("ECHO", value), bulk(value))
                self.assertEqual(c.cmd("SET", value, key), OK)
                self.assertEqual(c.cmd("GET", value), bulk(key))
        self.assertEqual(self.r.get(b""), b"key\x00\r\n0\xff")

    def test_large_bulk_split_across_reads(self):
        value = bytes((i * 31) % 251 for i in range(3 * 1024 * 1024 + 17))
        c = self.conn()
        self.assertEqual(c.cmd("SET", "big", value), OK)
        self.assertEqual(c.cmd("GET", "big"), bulk(value))


class UnknownCommands(ProtocolCase):
    def test_unknown_command_without_args(self):
        # Item 13, Redis 7.2 wording (same as 7.0): a trailing space after "with args beginning with:".
        self.assertRepliesThenOpen(encode("foo"), unknown_command(b"foo"))
        self.assertRepliesThenOpen(b"foo\r\n", unknown_command(b"foo"))

    def test_unknown_command_with_args(self):
        self.assertRepliesThenOpen(encode("foo", "a", "b"),
                                   b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n")
        self.assertRepliesThenOpen(b"foo a b\r\n", unknown_command(b"foo", b"a", b"b"))
        self.assertRepliesThenOpen(encode("foo", ""), unknown_command(b"foo", b""))

    def test_name_keeps_its_case(self):
        self.assertRepliesThenOpen(encode("FoO", "X"), unknown_command(b"FoO", b"X"))

    def test_huge_name_is_cut_at_128_chars(self):
        # A 100 KB name (multibulk: above the inline limit) is cut to 128 characters.
        name = b"x" * 100000
        self.assertRepliesThenOpen(encode(name), unknown_command(b"x" * 128))
        name = bytes(b"abcdefghij"[i % 10] for i in range(300))
        self.assertRepliesThenOpen(encode(name, "a"), unknown_command(name[:128], b"a"))

    def test_args_are_cut_at_128_chars_in_total(self):
        # Arguments are quoted until the text reaches 128 characters; the last one is cut to fit.
        self.assertRepliesThenOpen(encode("foo", b"a" * 200, "b"), unknown_command(b"foo", b"a" * 128))
        self.assertRepliesThenOpen(encode("foo", b"a" * 100, b"b" * 100, "c"),
                                   unknown_command(b"foo", b"a" * 100, b"b" * 25))
        args = [b"arg%d" % i for i in range(40)]
        text = b""
        quoted = []
        for a in args:
            if len(text) >= 128:
                break
            piece = a[:128 - len(text)]
            quoted.append(piece)
            text += b"'%s' " % piece
        self.assertRepliesThenOpen(encode("foo", *args), unknown_command(b"foo", *quoted))

    def test_newlines_in_the_error_become_spaces(self):
        # An error reply must stay one line: \r and \n in the echoed name/args are replaced by spaces.
        self.assertRepliesThenOpen(encode("fo\r\no"), unknown_command(b"fo  o"))
        self.assertRepliesThenOpen(encode("foo", "a\r\nb", "c\nd"), unknown_command(b"foo", b"a  b", b"c d"))

    def test_empty_command_name(self):
        self.assertRepliesThenOpen(b"*1\r\n$0\r\n\r\n", unknown_command(b""))

    def test_unknown_subcommand(self):
        self.assertRepliesThenOpen(encode("CONFIG", "foo"),
                                   b"-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n")
        self.assertRepliesThenOpen(encode("client", "foo", "bar"),
                                   b"-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n")


class Arity(ProtocolCase):
    def test_wrong_number_of_arguments(self):
        # Item 14: the lowercase command name, whatever case was sent.
        cases = [(["GET"], "get"), (["GET", "a", "b"], "get"), (["Get"], "get"), (["SET", "k"], "set"),
                 (["ECHO"], "echo"), (["ECHO", "a", "b"], "echo"), (["PING", "a", "b"], "ping"),
                 (["SELECT"], "select"), (["CONFIG"], "config"), (["CONFIG", "GET"], "config|get"),
                 (["client", "setname"], "client|setname"), (["DBSIZE", "x"], "dbsize")]
        for args, name in cases:
            with self.subTest(args=args):
                self.assertRepliesThenOpen(encode(*args), wrong_args(name))

    def test_inline_arity_error(self):
        self.assertRepliesThenOpen(b"GET\r\n", wrong_args("get"))

    def test_hset_arity(self):
        self.assertRepliesThenOpen(encode("HSET", "k", "f"), wrong_args("hset"))


# ---------------------------------------------------------------------------------------------
# bad-input.md 11: split requests and deep pipelines
# ---------------------------------------------------------------------------------------------
class SplitAndPipeline(ProtocolCase):
    # A varied script and its exact replies (each request run once on a fresh database).
    SCRIPT = [
        (encode("SET", "k", b"v\x00\r\n$*"), OK),
        (encode("GET", "k"), bulk(b"v\x00\r\n$*")),
        (b"PING\r\n", PONG),
        (encode("ECHO", b""), b"$0\r\n\r\n"),
        (b'ECHO "x y"\n', bulk(b"x y")),
        (encode("INCR", "n"), b":1\r\n"),
        (encode("INCRBY", "n", "41"), b":42\r\n"),
        (encode("MGET", "k", "nokey", "n"), b"*3\r\n" + bulk(b"v\x00\r\n$*") + b"$-1\r\n" + bulk(b"42")),
        (b"*0\r\n\r\n", b""),
        (encode("nosuch", "a"), unknown_command(b"nosuch", b"a")),
        (encode("GET"), wrong_args("get")),
        (encode("SET", "big", b"z" * 5000), OK),
        (encode("STRLEN", "big"), b":5000\r\n"),
        (encode("DEL", "k", "n", "big"), b":3\r\n"),
        (encode("PING", "bye"), bulk(b"bye")),
    ]

    def _script(self):
        return b"".join(req for req, _ in self.SCRIPT), b"".join(rep for _, rep in self.SCRIPT)

    def _read_exactly(self, conn, expected):
        got = b""
        while len(got) < len(expected):
            got += conn.reply()
        return got

    def test_one_byte_per_send(self):
        requests, replies = self._script()
        c = self.conn()
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(requests)):
            c.send(requests[i:i + 1])
            if i % 8 == 0:
                time.sleep(0.001)  # let the server read partial frames, not only whole segments
        self.assertEqual(self._read_exactly(c, replies), replies)
        self.assertEqual(c.cmd("PING"), PONG)

    def test_every_split_point_of_one_request(self):
        request = encode("SET", b"k\r\n", b"\x00$3\r\n*1\r\n")
        c = self.conn()
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for cut in range(1, len(request)):
            with self.subTest(cut=cut):
                c.send(request[:cut])
                time.sleep(0.002)
                c.send(request[cut:])
                self.assertEqual(c.reply(), OK)
        self.assertEqual(self.r.get(b"k\r\n"), b"\x00$3\r\n*1\r\n")

    def test_whole_script_in_one_send(self):
        requests, replies = self._script()
        c = self.conn()
        c.send(requests)
        self.assertEqual(self._read_exactly(c, replies), replies)

    def _pipeline(self, requests, expected_replies):
        """Sends all requests in one sendall() from a thread while this thread reads the replies
        (a real client does both, and the server may stop reading while replies are unread)."""
        c = self.conn()
        data = b"".join(requests)
        errors = []

        def sender():
            try:
                c.sock.sendall(data)
            except OSError as e:  # reported below
                errors.append(e)

        thread = threading.Thread(target=sender)
        thread.start()
        try:
            for i, expected in enumerate(expected_replies):
                got = c.reply()
                if got != expected:
                    self.fail("reply %d: expected %r, got %r" % (i, expected, got))
        finally:
            thread.join(30)
        self.assertEqual(errors, [])
        self.assertEqual(c.cmd("PING"), PONG)

    def test_10000_pipelined_requests_in_one_send(self):
        requests, replies = [], []
        for i in range(2500):
            requests += [encode("SET", "key:%d" % i, "value-%d" % i), encode("GET", "key:%d" % i),
                         encode("INCR", "counter"), encode("ECHO", "%d" % i)]
            replies += [OK, bulk(b"value-%d" % i), b":%d\r\n" % (i + 1), bulk(b"%d" % i)]
        self.assertEqual(len(requests), 10000)
        self._pipeline(requests, replies)
        self.assertEqual(self.r.get("counter"), b"2500")
        self.assertEqual(self.r.dbsize(), 2501)

    def test_10000_pipelined_inline_requests(self):
        requests = [b"INCR c\r\n" if i % 2 else b"ECHO %d\n" % i for i in range(10000)]
        replies = [b":%d\r\n" % ((i + 1) // 2) if i % 2 else bulk(b"%d" % i) for i in range(10000)]
        self._pipeline(requests, replies)

    def test_pipelined_errors_keep_their_place(self):
        requests, replies = [], []
        for i in range(1000):
            requests += [encode("SET", "k", i), encode("nosuch"), encode("GET", "k"), encode("GET")]
            replies += [OK, unknown_command(b"nosuch"), bulk(b"%d" % i), wrong_args("get")]
        self._pipeline(requests, replies)


# ---------------------------------------------------------------------------------------------
# bad-input.md 15: limits for unauthenticated clients
# ---------------------------------------------------------------------------------------------
class UnauthenticatedLimits(ProtocolCase):
    CONFIG = {"requirepass": "secret"}
    PASSWORD = "secret"

    def test_multibulk_length_over_10(self):
        self.assertErrorThenClosed(b"*11\r\n", protocol_error(b"unauthenticated multibulk length"))

    def test_bulk_length_over_16k(self):
        self.assertErrorThenClosed(b"*1\r\n$16385\r\n", protocol_error(b"unauthenticated bulk length"))

    def test_limits_are_inclusive(self):
        for header in (b"*10\r\n", b"*1\r\n$16384\r\n"):
            with self.subTest(header=header):
                c = self.conn()
                c.send(header)
                self.assertFalse(c.is_closed(timeout=0.5))
                self.assertEqual(c.buf, b"")

    def test_limits_lift_after_auth(self):
        c = self.conn()
        self.assertEqual(c.cmd("AUTH", "secret"), OK)
        self.assertEqual(c.cmd("ECHO", b"x" * 20000), bulk(b"x" * 20000))
        self.assertEqual(c.cmd("MSET", *["k%d" % i for i in range(20)]), OK)


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""The wire protocol against the real server, byte for byte: framing, pipelining, split requests, protocol
errors (reply, then close), inline commands, binary safety. ../shared/docs/bad-input.md items 1-14."""
import socket
import time

from support.server import ServerTestCase, main


class Wire(ServerTestCase):
    def raw(self):
        return self.server.raw()

    def error_then_close(self, payload, expected):
        raw = self.raw()
        raw.send(payload)
        self.assertEqual(raw.reply(), expected)
        self.assertTrue(raw.is_closed(), "the server closes after a protocol error")

    def test_empty_queries_are_ignored(self):
        raw = self.raw()
        raw.send(b"\r\n*-10\r\n*0\r\nPING\r\n")
        self.assertEqual(raw.reply(), b"+PONG\r\n")

    def test_protocol_errors_reply_then_close(self):
        self.error_then_close(b"*3000000000\r\n", b"-ERR Protocol error: invalid multibulk length\r\n")
        self.error_then_close(b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n",
                              b"-ERR Protocol error: expected '$', got 'f'\r\n")
        self.error_then_close(b"*1\r\nfoo\r\n", b"-ERR Protocol error: expected '$', got 'f'\r\n")
        for bad in (b"$-10", b"$2000000000", b"$blabla"):
            self.error_then_close(b"*1\r\n" + bad + b"\r\n", b"-ERR Protocol error: invalid bulk length\r\n")
        self.error_then_close(b'set """test-key""" test-value\r\n',
                              b"-ERR Protocol error: unbalanced quotes in request\r\n")
        self.error_then_close(b"x" * 70000, b"-ERR Protocol error: too big inline request\r\n")
        self.error_then_close(b"*" + b"1" * 70000, b"-ERR Protocol error: too big mbulk count string\r\n")

    def test_replies_before_the_error_are_kept(self):
        raw = self.raw()
        raw.send(b"PING\r\n*1\r\n$4\r\nPING\r\n*1\r\nxx\r\n")
        self.assertEqual(raw.reply(), b"+PONG\r\n")
        self.assertEqual(raw.reply(), b"+PONG\r\n")
        self.assertEqual(raw.reply(), b"-ERR Protocol error: expected '$', got 'x'\r\n")
        self.assertTrue(raw.is_closed())

    def test_desync_garbage_is_closed_with_bounded_memory(self):
        for prefix in (b"\x00", b"*\x00", b"$\x00"):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
            reply = b""
            try:
                for _ in range(200):  # at most 200 * 1 KiB; the server must give up after 64 KiB
                    s.sendall(prefix + b"\x00" * 1023)
            except (BrokenPipeError, ConnectionResetError):
                pass
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    reply += chunk
            except (ConnectionResetError, socket.timeout):
                pass
            s.close()
            self.assertIn(b"Protocol error", reply, prefix)
        self.assertTrue(self.r.ping())

    def test_inline_commands_and_quoting(self):
        raw = self.raw()
        raw.send(b'SET k "a b\\x41\\n"\nGET k\r\nECHO \'it\\\'s\'\n')
        self.assertEqual(raw.reply(), b"+OK\r\n")
        self.assertEqual(raw.reply(), b"$5\r\na bA\n\r\n")
        self.assertEqual(raw.reply(), b"$4\r\nit's\r\n")

    def test_split_one_byte_per_send_equals_one_send(self):
        script = (b"*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$5\r\nv\x00\xac\xed\x05\r\n"
                  b"*2\r\n$3\r\nGET\r\n$3\r\nk\r\n\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n")
        whole = self.raw()
        whole.send(script)
        expected = [whole.reply() for _ in range(4)]
        self.assertEqual(expected[1], b"$5\r\nv\x00\xac\xed\x05\r\n")
        split = self.raw()
        split.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(script)):
            split.send(script[i:i + 1])
            time.sleep(0.0005)
        self.assertEqual([split.reply() for _ in range(4)], expected)

    def test_ten_thousand_pipelined_requests_answer_in_order(self):
        raw = self.raw()
        raw.send(b"".join(b"*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n" for _ in range(10000)))
        for i in range(1, 10001):
            self.assertEqual(raw.reply(), b":%d\r\n" % i)

    def test_binary_keys_and_values(self):
        raw = self.raw()
        for key, value in ((b"\x00", b"\r\n$*"), (b"k\r\n", b""), (b"\xff\xfe", b"\xac\xed\x00\x05t\x00\x03abc")):
            self.assertEqual(raw.cmd("SET", key, value), b"+OK\r\n")
            self.assertEqual(raw.cmd("GET", key), b"$%d\r\n%s\r\n" % (len(value), value))

    def test_unknown_command_texts(self):
        raw = self.raw()
        self.assertEqual(raw.cmd("FOO"), b"-ERR unknown command 'FOO', with args beginning with: \r\n")
        self.assertEqual(raw.cmd("foo", "a", "b c"),
                         b"-ERR unknown command 'foo', with args beginning with: 'a' 'b c' \r\n")
        long_name = b"x" * 100000
        self.assertEqual(raw.cmd(long_name),
                         b"-ERR unknown command '" + b"x" * 128 + b"', with args beginning with: \r\n")
        self.assertEqual(raw.cmd("PING"), b"+PONG\r\n", "the connection stays usable")

    def test_wrong_arity_texts(self):
        raw = self.raw()
        for args, name in ((["GET"], b"get"), (["GET", "a", "b"], b"get"), (["SET", "k"], b"set"),
                           (["CONFIG", "GET"], b"config|get")):
            self.assertEqual(raw.cmd(*args), b"-ERR wrong number of arguments for '" + name + b"' command\r\n")

    def test_large_value_round_trip(self):
        value = bytes(range(256)) * 8192  # 2 MiB
        raw = self.raw()
        self.assertEqual(raw.cmd("SET", "big", value), b"+OK\r\n")
        self.assertEqual(raw.cmd("GET", "big"), b"$%d\r\n%s\r\n" % (len(value), value))

    def test_big_pipelined_reads_stay_ordered(self):
        self.r.set("v", b"x" * 100000)
        raw = self.raw()
        raw.send(b"*2\r\n$3\r\nGET\r\n$1\r\nv\r\n" * 200 + b"PING\r\n")
        for _ in range(200):
            self.assertEqual(len(raw.reply()), 100000 + len(b"$100000\r\n\r\n"))
        self.assertEqual(raw.reply(), b"+PONG\r\n")

    def test_half_sent_request_does_not_block_others(self):
        stalled = self.raw()
        stalled.send(b"*2\r\n$3\r\nGET\r\n$10\r\nab")
        self.assertTrue(self.r.ping())
        stalled.send(b"cdefghij\r\n")
        self.assertEqual(stalled.reply(), b"$-1\r\n")


class ManyConnections(ServerTestCase):
    def test_a_thousand_clients_at_once(self):
        socks = [socket.create_connection(("127.0.0.1", self.server.port), timeout=10) for _ in range(1000)]
        for i, s in enumerate(socks):
            s.sendall(b"*2\r\n$4\r\nECHO\r\n$%d\r\n%d\r\n" % (len(str(i)), i))
        for i, s in enumerate(socks):
            expected = b"$%d\r\n%d\r\n" % (len(str(i)), i)
            got = b""
            while len(got) < len(expected):
                got += s.recv(64)
            self.assertEqual(got, expected)
        self.assertGreaterEqual(int(self.r.info("clients")["connected_clients"]), 1000)
        for s in socks:
            s.close()
        self.assertTrue(self.r.ping())


class QueryBufferLimit(ServerTestCase):
    CONFIG = {"client-query-buffer-limit": "1mb"}

    def test_client_past_the_query_buffer_limit_is_closed(self):
        raw = self.server.raw()
        raw.send(b"*2\r\n$4\r\nECHO\r\n$5000000\r\n")
        try:
            for _ in range(40):
                raw.send(b"x" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assertTrue(raw.is_closed())
        self.assertTrue(self.r.ping())


if __name__ == "__main__":
    main()

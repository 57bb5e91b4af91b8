# SPDX-License-Identifier: Apache-2.0
"""Pub/sub: SUBSCRIBE/PSUBSCRIBE confirmations echo exact bytes (Spring's listener container waits for them),
messages and pattern messages, RESP2 subscribed-mode rules, RESP3 pushes, PUBSUB introspection, ordering."""
import threading

from support.server import ServerTestCase, main


def frame(*parts):
    """A RESP2 array of bulks (ints as integers) as the server sends it."""
    out = b"*%d\r\n" % len(parts)
    for p in parts:
        if isinstance(p, int):
            out += b":%d\r\n" % p
        elif p is None:
            out += b"$-1\r\n"
        else:
            p = p if isinstance(p, bytes) else p.encode()
            out += b"$%d\r\n%s\r\n" % (len(p), p)
    return out


class PubSub(ServerTestCase):
    def test_spring_session_listener_sequence(self):
        sub = self.server.raw()
        sub.send(b"*2\r\n$10\r\nPSUBSCRIBE\r\n$32\r\nspring:session:event:0:created:*\r\n")
        self.assertEqual(sub.reply(), frame("psubscribe", "spring:session:event:0:created:*", 1))
        sub.send(b"*3\r\n$9\r\nSUBSCRIBE\r\n$18\r\n__keyevent@0__:del\r\n$22\r\n__keyevent@0__:expired\r\n")
        self.assertEqual(sub.reply(), frame("subscribe", "__keyevent@0__:del", 2))
        self.assertEqual(sub.reply(), frame("subscribe", "__keyevent@0__:expired", 3))
        body = b"\xac\xed\x00\x05sr\x00\x11java.util.HashMap"
        self.assertEqual(self.r.publish("spring:session:event:0:created:abc", body), 1)
        self.assertEqual(sub.reply(), frame("pmessage", "spring:session:event:0:created:*",
                                            "spring:session:event:0:created:abc", body))
        self.assertEqual(self.r.publish("__keyevent@0__:del", "spring:session:sessions:expires:abc"), 1)
        self.assertEqual(sub.reply(), frame("message", "__keyevent@0__:del", "spring:session:sessions:expires:abc"))

    def test_subscribed_resp2_rules(self):
        sub = self.server.raw()
        self.assertEqual(sub.cmd("SUBSCRIBE", "ch"), frame("subscribe", "ch", 1))
        self.assertEqual(sub.cmd("GET", "k"),
                         b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                         b"are allowed in this context\r\n")
        self.assertEqual(sub.cmd("PING"), frame("pong", ""))
        self.assertEqual(sub.cmd("PING", "x"), frame("pong", "x"))
        self.assertEqual(sub.cmd("UNSUBSCRIBE"), frame("unsubscribe", "ch", 0))
        self.assertEqual(sub.cmd("UNSUBSCRIBE"), frame("unsubscribe", None, 0))
        self.assertEqual(sub.cmd("PUNSUBSCRIBE"), frame("punsubscribe", None, 0))
        self.assertEqual(sub.cmd("PING"), b"+PONG\r\n", "normal mode again")

    def test_resp3_pushes_and_normal_commands(self):
        sub = self.server.raw()
        sub.cmd("HELLO", "3")
        self.assertEqual(sub.cmd("SUBSCRIBE", "c3"), b">3\r\n$9\r\nsubscribe\r\n$2\r\nc3\r\n:1\r\n")
        self.assertEqual(sub.cmd("GET", "k"), b"_\r\n", "RESP3 clients may run commands while subscribed")
        self.r.publish("c3", "hi")
        self.assertEqual(sub.reply(), b">3\r\n$7\r\nmessage\r\n$2\r\nc3\r\n$2\r\nhi\r\n")

    def test_duplicate_subscriptions_and_counts(self):
        sub = self.server.raw()
        sub.send(b"SUBSCRIBE a a b\r\n")
        self.assertEqual([sub.reply() for _ in range(3)],
                         [frame("subscribe", "a", 1), frame("subscribe", "a", 1), frame("subscribe", "b", 2)])
        self.assertEqual(sub.cmd("PSUBSCRIBE", "x*"), frame("psubscribe", "x*", 3))
        self.assertEqual(sub.cmd("UNSUBSCRIBE", "nosuch"), frame("unsubscribe", "nosuch", 3))
        self.assertEqual(self.r.pubsub_numsub("a", "b", "nosuch"), [(b"a", 1), (b"b", 1), (b"nosuch", 0)])
        self.assertEqual(self.r.pubsub_numpat(), 1)
        self.assertEqual(sorted(self.r.pubsub_channels()), [b"a", b"b"])
        self.assertEqual(self.r.pubsub_channels("a*"), [b"a"])

    def test_publish_counts_receivers_and_reset_unsubscribes(self):
        subs = [self.server.raw() for _ in range(3)]
        for s in subs:
            s.cmd("SUBSCRIBE", "news")
        subs[0].cmd("PSUBSCRIBE", "n*")
        self.assertEqual(self.r.publish("news", "1"), 4)
        self.assertEqual(self.r.publish("other", "x"), 0)
        subs[1].send(b"RESET\r\n")
        self.assertEqual(subs[1].reply(), frame("message", "news", "1"))
        self.assertEqual(subs[1].reply(), b"+RESET\r\n")
        self.assertEqual(self.r.publish("news", "2"), 3)
        subs[2].close()
        # the closed subscriber is dropped once the server notices the close
        for _ in range(200):
            if self.r.pubsub_numsub("news")[0][1] == 1:
                break
        self.assertEqual(self.r.pubsub_numsub("news")[0][1], 1)

    def test_messages_arrive_in_publish_order(self):
        sub = self.server.raw()
        sub.cmd("SUBSCRIBE", "order")
        publishers = [self.server.client() for _ in range(4)]
        lock = threading.Lock()
        sequence = []

        def publish(c, tag):
            for i in range(200):
                with lock:  # the order in which the server sees the PUBLISHes
                    c.publish("order", "%s-%d" % (tag, i))
                    sequence.append(b"%s-%d" % (tag.encode(), i))

        threads = [threading.Thread(target=publish, args=(c, "p%d" % n)) for n, c in enumerate(publishers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        received = [sub.reply().split(b"\r\n")[-2] for _ in range(len(sequence))]
        self.assertEqual(received, sequence)


class PubSubThreads(PubSub):
    CONFIG = {"io-threads": "2"}


if __name__ == "__main__":
    main()

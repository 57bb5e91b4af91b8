# SPDX-License-Identifier: Apache-2.0
"""Several I/O threads: many clients at once, pipelines across threads, MONITOR fed from every thread."""
import threading

from support.server import ServerTestCase, main


class TwoIoThreads(ServerTestCase):
    CONFIG = {"io-threads": "2"}

    def test_concurrent_increments_are_atomic(self):
        def worker():
            c = self.server.client()
            pipe = c.pipeline(transaction=False)
            for _ in range(500):
                pipe.incr("counter")
                pipe.incrby("other", 2)
            pipe.execute()
            c.close()

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(self.r.get("counter"), b"4000")
        self.assertEqual(self.r.get("other"), b"8000")

    def test_keys_spread_over_shards_are_all_visible(self):
        clients = [self.server.client() for _ in range(4)]
        for i in range(400):
            clients[i % 4].set("k%d" % i, i)
        self.assertEqual(self.r.dbsize(), 400)
        self.assertEqual(len(self.r.keys("k*")), 400)
        self.assertEqual(sorted(self.r.mget(["k%d" % i for i in range(400)])),
                         sorted(str(i).encode() for i in range(400)))
        for c in clients:
            c.close()

    def test_monitor_sees_commands_from_other_threads(self):
        raw = self.server.raw()
        self.assertEqual(raw.cmd("MONITOR"), b"+OK\r\n")
        others = [self.server.client() for _ in range(3)]
        for i, c in enumerate(others):
            c.set("m%d" % i, "v")
        lines = b""
        while lines.lower().count(b'"set"') < 3:
            lines += raw.sock.recv(65536)
        for i in range(3):
            self.assertIn(b'"set" "m%d" "v"' % i, lines.lower())
        for c in others:
            c.close()


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""Spring Session's four Redis repositories, replayed command by command as they reach the wire
(spring-session-wire.md sections 2-4): create, save, find, find-by-principal, change id, delete, expiry
with keyspace events and the per-minute cleanup, with JDK-serialized binary values, on a Lettuce-style
RESP3 connection (HELLO 3) and a Jedis-style RESP2 one, plus the listener container's subscriptions
and the actuator's INFO.

Each repository is a small Python model that sends exactly what the Java code sends, in the same order,
and checks the replies the Java code depends on. Every expectation holds against Redis 7.0.15
(SESSIONKV_TEST_TARGET=redis).
"""
import struct
import time
import uuid

from support.server import TARGET, ServerTestCase, main
from test_protocol import Err, Push, decode, encode

NS = "spring:session"
PRINCIPAL_INDEX = "org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME"

# --------------------------------------------------------------------------------------- JDK values
_LONG_CLASS = (bytes.fromhex("aced0005") + b"sr\x00\x0ejava.lang.Long;\x8b\xe4\x90\xcc\x8f#\xdf\x02\x00\x01J"
               b"\x00\x05valuexr\x00\x10java.lang.Number\x86\xac\x95\x1d\x0b\x94\xe0\x8b\x02\x00\x00xp")
_INT_CLASS = (bytes.fromhex("aced0005") + b"sr\x00\x11java.lang.Integer\x12\xe2\xa0\xa4\xf7\x81\x878\x02\x00"
              b"\x01I\x00\x05valuexr\x00\x10java.lang.Number\x86\xac\x95\x1d\x0b\x94\xe0\x8b\x02\x00\x00xp")


def jdk_long(v):
    return _LONG_CLASS + struct.pack(">q", v)


def jdk_int(v):
    return _INT_CLASS + struct.pack(">i", v)


def jdk_string(s):
    data = s.encode()
    return bytes.fromhex("aced0005") + b"t" + struct.pack(">H", len(data)) + data


def jdk_object(size, seed):
    """A JDK-serialized-looking attribute of `size` bytes: NULs, CR LF and high bytes included."""
    head = bytes.fromhex("aced0005") + b"sr\x00\x3dorg.springframework.security.core.context.SecurityContextImpl"
    body = bytes((seed * 31 + i * 7) % 256 for i in range(max(0, size - len(head) - 4)))
    return (head + b"\r\n\x00" + body)[:size]


def now_ms():
    return int(time.time() * 1000)


# ------------------------------------------------------------------------------------- connections
class Conn:
    """One driver connection: Lettuce (HELLO 3, RESP3 replies) or Jedis (RESP2, CLIENT SETNAME/SETINFO)."""

    def __init__(self, server, driver):
        self.raw = server.raw()
        self.driver = driver
        if driver == "lettuce":
            hello = decode(self.raw.cmd("HELLO", "3"))
            assert isinstance(hello["id"], int) and hello["version"].startswith(b"7."), hello
            replies = self.pipeline(("CLIENT", "SETINFO", "lib-name", "Lettuce"),
                                    ("CLIENT", "SETINFO", "lib-ver", "6.6.0.RELEASE"))
        else:
            replies = self.pipeline(("CLIENT", "SETNAME", "jedis-pod"),
                                    ("CLIENT", "SETINFO", "LIB-NAME", "jedis"),
                                    ("CLIENT", "SETINFO", "LIB-VER", "6.0.0"))
        # Both drivers send CLIENT SETINFO fire-and-forget; Redis 7.0 does not know it, 7.2 (and we) do.
        for reply in replies:
            assert reply == "OK" or (TARGET == "redis" and "SETINFO" in reply), reply

    @property
    def resp3(self):
        return self.driver == "lettuce"

    def call(self, *args):
        return decode(self.raw.cmd(*args))

    def pipeline(self, *commands):
        self.raw.send(b"".join(encode(*c) for c in commands))
        return [decode(self.raw.reply()) for _ in commands]

    def hgetall(self, key):
        """HGETALL as a dict of bytes -> bytes, checking the reply shape of the protocol."""
        reply = self.call("HGETALL", key)
        if self.resp3:
            assert isinstance(reply, dict), reply
            return {k.encode(): v for k, v in reply.items()}
        assert isinstance(reply, list) and len(reply) % 2 == 0, reply
        return dict(zip(reply[0::2], reply[1::2]))

    def close(self):
        self.raw.close()


class Listener:
    """RedisMessageListenerContainer's pub/sub connection: PSUBSCRIBE to the created channel first,
    then SUBSCRIBE to the del/expired keyevents; every confirmation must echo the exact bytes."""

    def __init__(self, server, driver, db=0):
        self.raw = server.raw()
        self.resp3 = driver == "lettuce"
        if self.resp3:
            decode(self.raw.cmd("HELLO", "3"))
        self.created = "%s:event:%d:created:*" % (NS, db)
        self.del_channel = "__keyevent@%d__:del" % db
        self.expired_channel = "__keyevent@%d__:expired" % db
        self.raw.send(encode("PSUBSCRIBE", self.created))
        self._expect_ack("psubscribe", self.created, 1)
        self.raw.send(encode("SUBSCRIBE", self.del_channel, self.expired_channel))
        self._expect_ack("subscribe", self.del_channel, 2)
        self._expect_ack("subscribe", self.expired_channel, 3)

    def _frame(self, timeout):
        self.raw.sock.settimeout(timeout)
        value = decode(self.raw.reply())
        assert isinstance(value, Push) == self.resp3, value
        return [v.decode() if isinstance(v, bytes) and i < 1 else v for i, v in enumerate(value)]

    def _expect_ack(self, kind, name, count):
        frame = self._frame(5)
        assert frame == [kind, name.encode(), count], frame

    SHADOW_PREFIX = ("%s:sessions:expires:" % NS).encode()

    def _message(self, timeout):
        """The next message Spring's onMessage acts on, as (channel, payload). Like Spring, it ignores
        del/expired events of other keys (an index set emptied by SREM announces `del` too)."""
        while True:
            frame = self._frame(timeout)
            if frame[0] == "pmessage":
                return frame[2].decode(), frame[3]
            assert frame[0] == "message", frame
            if frame[2].startswith(self.SHADOW_PREFIX):
                return frame[1].decode(), frame[2]

    def next(self, timeout=5.0):
        return self._message(timeout)

    def expect_none(self, wait=0.3):
        try:
            message = self._message(wait)
        except (TimeoutError, OSError):
            return
        raise AssertionError("unexpected message %r" % (message,))

    def close(self):
        self.raw.close()


def new_session(max_inactive_s=1800, attributes=None):
    created = now_ms()
    fields = {b"creationTime": jdk_long(created), b"maxInactiveInterval": jdk_int(max_inactive_s),
              b"lastAccessedTime": jdk_long(created)}
    for name, value in (attributes or {}).items():
        fields[b"sessionAttr:" + name.encode()] = value
    return {"id": str(uuid.uuid4()), "created": created, "last": created, "max": max_inactive_s,
            "fields": fields}


def flat(fields):
    out = []
    for k, v in fields.items():
        out += [k, v]
    return out


# ------------------------------------------------------------------------------------ repositories
class DefaultRepository:
    """RedisSessionRepository (Spring Session 3.x default; section 2.1)."""

    def __init__(self, conn):
        self.c = conn

    def key(self, sid):
        return "%s:sessions:%s" % (NS, sid)

    def save_new(self, s):
        assert self.c.call("HMSET", self.key(s["id"]), *flat(s["fields"])) == "OK"
        assert self.c.call("PEXPIREAT", self.key(s["id"]), s["last"] + s["max"] * 1000) == 1

    def touch(self, s, original_id=None):
        """save() of an existing session after a request: EXISTS, [RENAME], HMSET delta, PEXPIREAT."""
        original_id = original_id or s["id"]
        if self.c.call("EXISTS", self.key(original_id)) == 0:
            raise LookupError("Session was invalidated")
        if original_id != s["id"]:
            reply = self.c.call("RENAME", self.key(original_id), self.key(s["id"]))
            if isinstance(reply, Err):
                raise LookupError(reply)
        s["last"] = now_ms()
        s["fields"][b"lastAccessedTime"] = jdk_long(s["last"])
        assert self.c.call("HMSET", self.key(s["id"]), b"lastAccessedTime", jdk_long(s["last"])) == "OK"
        return self.c.call("PEXPIREAT", self.key(s["id"]), s["last"] + s["max"] * 1000)

    def find(self, sid):
        return self.c.hgetall(self.key(sid)) or None

    def delete(self, sid):
        return self.c.call("DEL", self.key(sid))


class IndexedRepository:
    """RedisIndexedSessionRepository (Spring Session 2.x default, 3.x @EnableRedisIndexedHttpSession;
    section 2.2) with the per-minute set store or the sorted-set store."""

    def __init__(self, conn, store="minute"):
        self.c = conn
        self.store = store

    @staticmethod
    def configure_keyspace_events(conn):
        """ConfigureNotifyKeyspaceEventsAction (section 3.1)."""
        reply = conn.call("CONFIG", "GET", "notify-keyspace-events")
        current = (reply["notify-keyspace-events"] if isinstance(reply, dict) else reply[1]).decode()
        wanted = current
        if "E" not in wanted:
            wanted += "E"
        if "A" not in wanted and "g" not in wanted:
            wanted += "g"
        if "A" not in wanted and "x" not in wanted:
            wanted += "x"
        if wanted != current:
            assert conn.call("CONFIG", "SET", "notify-keyspace-events", wanted) == "OK"
        return wanted

    def key(self, sid):
        return "%s:sessions:%s" % (NS, sid)

    def shadow(self, sid):
        return "%s:sessions:expires:%s" % (NS, sid)

    def principal_key(self, principal):
        return "%s:index:%s:%s" % (NS, PRINCIPAL_INDEX, principal)

    @staticmethod
    def minute(s):
        """roundUpToNextMinute(lastAccessed + maxInactive): the bucket of the expiration store."""
        expires = s["last"] + s["max"] * 1000
        return (expires + 60000) // 60000 * 60000

    def bucket(self, minute_ms):
        return "%s:expirations:%d" % (NS, minute_ms)

    def save(self, s, delta, new=False, principal=None, old_principal=None, old_minute=None):
        """saveDelta(): HMSET, principal index, PUBLISH created, shadow key, hash TTL, expiration store."""
        assert self.c.call("HMSET", self.key(s["id"]), *flat(delta)) == "OK"
        if old_principal is not None:
            self.c.call("SREM", self.principal_key(old_principal), jdk_string(s["id"]))
        if principal is not None:
            self.c.call("SADD", self.principal_key(principal), jdk_string(s["id"]))
        if new:
            self.c.call("PUBLISH", "%s:event:0:created:%s" % (NS, s["id"]), jdk_object(300, 7))
        sec = s["max"]
        if sec > 0:
            assert self.c.call("APPEND", self.shadow(s["id"]), "") == 0
            assert self.c.call("PEXPIRE", self.shadow(s["id"]), sec * 1000) == 1
        elif sec == 0:
            self.c.call("DEL", self.shadow(s["id"]))
        else:
            self.c.call("APPEND", self.shadow(s["id"]), "")
            self.c.call("PERSIST", self.shadow(s["id"]))
            self.c.call("PERSIST", self.key(s["id"]))
            return
        assert self.c.call("PEXPIRE", self.key(s["id"]), (sec + 300) * 1000) == 1
        if self.store == "minute":
            minute = self.minute(s)
            if old_minute is not None and old_minute != minute:
                self.c.call("SREM", self.bucket(old_minute), jdk_string("expires:" + s["id"]))
            pexpire = self.c.call("PEXPIRE", self.bucket(minute), (sec + 300) * 1000)
            self.c.call("SADD", self.bucket(minute), jdk_string("expires:" + s["id"]))
            return pexpire
        self.c.call("ZADD", "%s:sessions:expirations" % NS, java_double(s["last"] + sec * 1000),
                    jdk_string(s["id"]))

    def change_id(self, s, new_id, principal=None):
        """saveChangeSessionId(): two RENAMEs that swallow exactly 'ERR no such key'."""
        old = s["id"]
        for a, b in ((self.key(old), self.key(new_id)), (self.shadow(old), self.shadow(new_id))):
            reply = self.c.call("RENAME", a, b)
            if isinstance(reply, Err) and not reply.lower().startswith("err no such key"):
                raise AssertionError(reply)
        if principal is not None:
            self.c.call("SREM", self.principal_key(principal), jdk_string(old))
            self.c.call("SADD", self.principal_key(principal), jdk_string(new_id))
        if self.store == "minute":
            assert self.c.hgetall(self.key(old)) == {}
        else:
            self.c.call("ZREM", "%s:sessions:expirations" % NS, jdk_string(old))
        s["id"] = new_id

    def find(self, sid):
        return self.c.hgetall(self.key(sid)) or None

    def find_by_principal(self, principal):
        members = self.c.call("SMEMBERS", self.principal_key(principal))
        found = {}
        for m in members:
            sid = m[7:].decode()  # jdk_string: 4-byte magic, 't', u16 length
            found[sid] = self.c.hgetall(self.key(sid))
        return found

    def delete(self, s, principal=None):
        """deleteById(): HGETALL, index SREM, store remove, DEL shadow (fires `del`), then save with 0."""
        if not self.c.hgetall(self.key(s["id"])):
            return
        if principal is not None:
            self.c.call("SREM", self.principal_key(principal), jdk_string(s["id"]))
        if self.store == "minute":
            self.c.hgetall(self.key(s["id"]))
            self.c.call("SREM", self.bucket(self.minute(s)), jdk_string("expires:" + s["id"]))
        else:
            self.c.call("ZREM", "%s:sessions:expirations" % NS, jdk_string(s["id"]))
        assert self.c.call("DEL", self.shadow(s["id"])) == 1
        s["max"] = 0
        self.c.call("HMSET", self.key(s["id"]), b"maxInactiveInterval", jdk_int(0))
        assert self.c.call("DEL", self.shadow(s["id"])) == 0
        self.c.call("PEXPIRE", self.key(s["id"]), 300000)

    def cleanup(self, minute_ms):
        """cleanUpExpiredSessions() with the per-minute store: SMEMBERS, DEL bucket, EXISTS each."""
        members = self.c.call("SMEMBERS", self.bucket(minute_ms))
        self.c.call("DEL", self.bucket(minute_ms))
        return [self.c.call("EXISTS", "%s:sessions:%s" % (NS, m[7:].decode())) for m in members]


def java_double(v):
    """Double.toString of an epoch-millis value: 1.702402961162E12."""
    digits = str(int(v))
    mantissa = (digits[0] + "." + digits[1:]).rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return "%sE%d" % (mantissa, len(digits) - 1)


# ------------------------------------------------------------------------------------------- tests
class SpringCase(ServerTestCase):
    DRIVER = "lettuce"

    def setUp(self):
        super().setUp()
        self.r.config_set("notify-keyspace-events", "")
        self.conn = Conn(self.server, self.DRIVER)
        self._closables = [self.conn]

    def tearDown(self):
        for c in self._closables:
            c.close()
        super().tearDown()

    def listener(self):
        listener = Listener(self.server, self.DRIVER)
        self._closables.append(listener)
        return listener

    def security_session(self, max_inactive_s=1800):
        return new_session(max_inactive_s, {"SPRING_SECURITY_CONTEXT": jdk_object(600, 1),
                                            "cart": jdk_object(120, 2), "removed": b""})


class DefaultRepositoryLettuce(SpringCase):
    def test_create_find_touch_delete(self):
        repo = DefaultRepository(self.conn)
        s = self.security_session()
        repo.save_new(s)
        self.assertEqual(repo.find(s["id"]), s["fields"], "binary values, empty value kept")
        pttl = self.conn.call("PTTL", repo.key(s["id"]))
        self.assertTrue(1790000 < pttl <= 1800000, pttl)
        self.assertEqual(repo.touch(s), 1)
        self.assertEqual(repo.find(s["id"])[b"lastAccessedTime"], jdk_long(s["last"]))
        self.assertEqual(repo.delete(s["id"]), 1)
        self.assertIsNone(repo.find(s["id"]))
        with self.assertRaises(LookupError):
            repo.touch(s)

    def test_change_session_id_keeps_the_ttl(self):
        repo = DefaultRepository(self.conn)
        s = self.security_session()
        repo.save_new(s)
        old = s["id"]
        s["id"] = str(uuid.uuid4())
        repo.touch(s, original_id=old)
        self.assertIsNone(repo.find(old))
        self.assertEqual(repo.find(s["id"])[b"creationTime"], s["fields"][b"creationTime"])
        self.assertGreater(self.conn.call("PTTL", repo.key(s["id"])), 1790000)
        self.assertEqual(self.conn.call("RENAME", repo.key(old), repo.key("x")), Err("ERR no such key"))

    def test_session_expires_by_its_ttl(self):
        repo = DefaultRepository(self.conn)
        s = new_session(max_inactive_s=1)
        repo.save_new(s)
        self.assertIsNotNone(repo.find(s["id"]))
        time.sleep(1.3)
        self.assertIsNone(repo.find(s["id"]))
        self.assertEqual(self.conn.call("EXISTS", repo.key(s["id"])), 0)

    def test_negative_interval_deletes_at_once(self):
        repo = DefaultRepository(self.conn)
        s = new_session(max_inactive_s=-1)
        self.assertEqual(self.conn.call("HMSET", repo.key(s["id"]), *flat(s["fields"])), "OK")
        self.assertEqual(self.conn.call("PEXPIREAT", repo.key(s["id"]), s["last"] - 1000), 1)
        self.assertIsNone(repo.find(s["id"]))

    def test_many_sessions_pipelined_by_many_pods(self):
        pods = [Conn(self.server, self.DRIVER) for _ in range(4)]
        self._closables += pods
        sessions = [self.security_session() for _ in range(200)]
        for i, s in enumerate(sessions):
            DefaultRepository(pods[i % 4]).save_new(s)
        for i, s in enumerate(sessions):
            self.assertEqual(DefaultRepository(pods[(i + 1) % 4]).find(s["id"]), s["fields"])
        self.assertEqual(self.conn.call("DBSIZE"), 200)


class DefaultRepositoryJedis(DefaultRepositoryLettuce):
    DRIVER = "jedis"


class IndexedRepositoryLettuce(SpringCase):
    def start(self, store="minute"):
        self.assertEqual(IndexedRepository.configure_keyspace_events(self.conn), "Egx")
        raw = self.conn.call("CONFIG", "GET", "notify-keyspace-events")
        value = raw["notify-keyspace-events"] if isinstance(raw, dict) else raw[1]
        self.assertEqual(sorted(value.decode()), sorted("Egx"))
        self.assertEqual(IndexedRepository.configure_keyspace_events(self.conn), value.decode(),
                         "a second pod changes nothing")
        return IndexedRepository(self.conn, store), self.listener()

    def test_create_publishes_and_indexes(self):
        repo, events = self.start()
        s = self.security_session()
        pexpire = repo.save(s, s["fields"], new=True, principal="alice")
        self.assertEqual(pexpire, 0, "PEXPIRE of a fresh bucket answers 0 and creates nothing")
        self.assertEqual(events.next(), ("%s:event:0:created:%s" % (NS, s["id"]), jdk_object(300, 7)))
        self.assertEqual(self.conn.call("GET", repo.shadow(s["id"])), b"")
        self.assertEqual(self.conn.call("TTL", repo.bucket(repo.minute(s))), -1)
        self.assertTrue(2090000 < self.conn.call("PTTL", repo.key(s["id"])) <= 2100000)
        self.assertEqual(repo.find_by_principal("alice"), {s["id"]: s["fields"]})
        # The next request's save puts the TTL on the bucket.
        s["last"] = now_ms()
        self.assertEqual(repo.save(s, {b"lastAccessedTime": jdk_long(s["last"])}, old_minute=repo.minute(s)), 1)
        events.expect_none()

    def test_login_moves_the_principal_index(self):
        repo, _ = self.start()
        s = self.security_session()
        repo.save(s, s["fields"], new=True, principal="alice")
        repo.save(s, {b"sessionAttr:SPRING_SECURITY_CONTEXT": jdk_object(640, 3)}, principal="bob",
                  old_principal="alice")
        self.assertEqual(repo.find_by_principal("alice"), {})
        self.assertEqual(list(repo.find_by_principal("bob")), [s["id"]])

    def test_change_session_id(self):
        repo, events = self.start()
        s = self.security_session()
        repo.save(s, s["fields"], new=True, principal="alice")
        events.next()
        old = s["id"]
        repo.change_id(s, str(uuid.uuid4()), principal="alice")
        self.assertIsNone(repo.find(old))
        self.assertEqual(repo.find(s["id"]), s["fields"])
        self.assertTrue(1790000 < self.conn.call("PTTL", repo.shadow(s["id"])) <= 1800000,
                        "RENAME keeps the shadow key's TTL")
        self.assertEqual(list(repo.find_by_principal("alice")), [s["id"]])
        repo.change_id({"id": old}, str(uuid.uuid4()))  # both RENAMEs answer 'ERR no such key'
        events.expect_none()

    def test_delete_fires_del_on_the_shadow_key(self):
        repo, events = self.start()
        s = self.security_session()
        repo.save(s, s["fields"], new=True, principal="alice")
        events.next()
        repo.delete(s, principal="alice")
        self.assertEqual(events.next(), ("__keyevent@0__:del", repo.shadow(s["id"]).encode()))
        events.expect_none()
        self.assertEqual(repo.find_by_principal("alice"), {})
        self.assertTrue(0 < self.conn.call("PTTL", repo.key(s["id"])) <= 300000,
                        "the hash lives 5 more minutes for the event handlers")

    def test_expiry_fires_expired_once_and_the_hash_is_still_readable(self):
        repo, events = self.start()
        sessions = [self.security_session(max_inactive_s=1) for _ in range(20)]
        for s in sessions:
            repo.save(s, s["fields"], new=True, principal="carol")
        for _ in sessions:
            events.next()
        deadline = max(s["last"] for s in sessions) + 1000
        expired = set()
        while len(expired) < len(sessions):
            channel, key = events.next(timeout=5)
            self.assertEqual(channel, "__keyevent@0__:expired")
            self.assertNotIn(key, expired, "expired is announced once per key")
            expired.add(key)
        self.assertLess(now_ms() - deadline, 2000, "active expiry, not a lazy touch")
        self.assertEqual(expired, {repo.shadow(s["id"]).encode() for s in sessions})
        # The handler on every pod: HGETALL (still there for 5 minutes), index SREM, store remove.
        for s in sessions:
            self.assertEqual(repo.find(s["id"]), s["fields"])
            self.conn.call("SREM", repo.principal_key("carol"), jdk_string(s["id"]))
        # The per-minute cleanup touches shadow keys that are already gone: no second event.
        self.assertEqual(repo.cleanup(repo.minute(sessions[0])), [0] * len(sessions))
        events.expect_none()

    def test_cleanup_touch_expires_lazily(self):
        # A shadow key whose deadline has passed is announced when the cleanup's EXISTS touches it, at
        # the latest (a deadline already past when PEXPIREAT arrives deletes with `del` instead), so
        # give it a short TTL and touch it right after its deadline.
        repo, events = self.start()
        s = self.security_session(max_inactive_s=1)
        repo.save(s, s["fields"], new=True)
        events.next()
        deadline = self.conn.call("PEXPIRETIME", repo.shadow(s["id"]))
        while now_ms() <= deadline:
            time.sleep(0.01)
        self.assertEqual(self.conn.call("EXISTS", repo.shadow(s["id"])), 0)
        self.assertEqual(events.next(), ("__keyevent@0__:expired", repo.shadow(s["id"]).encode()))
        events.expect_none()

    def test_sorted_set_store(self):
        repo, events = self.start(store="sortedset")
        sessions = [self.security_session() for _ in range(3)]
        for s in sessions:
            repo.save(s, s["fields"], new=True)
            events.next()
        zkey = "%s:sessions:expirations" % NS
        self.assertEqual(self.conn.call("ZCARD", zkey), 3)
        # Cleanup: ZREVRANGEBYSCORE <now as a Java double> 0.0 LIMIT 0 100 finds nothing yet...
        self.assertEqual(self.conn.call("ZREVRANGEBYSCORE", zkey, java_double(now_ms()), "0.0",
                                        "LIMIT", "0", "100"), [])
        # ... and, an hour later, all three, newest first.
        later = java_double(now_ms() + 3600 * 1000)
        found = self.conn.call("ZREVRANGEBYSCORE", zkey, later, "0.0", "LIMIT", "0", "100")
        self.assertEqual(sorted(found), sorted(jdk_string(s["id"]) for s in sessions))
        score = self.conn.call("ZSCORE", zkey, jdk_string(sessions[0]["id"]))
        self.assertEqual(float(score), float(sessions[0]["last"] + 1800 * 1000))
        repo.change_id(sessions[0], str(uuid.uuid4()))
        self.assertEqual(self.conn.call("ZCARD", zkey), 2)

    def test_negative_interval_persists(self):
        repo, _ = self.start()
        s = self.security_session(max_inactive_s=-1)
        repo.save(s, s["fields"], new=True)
        self.assertEqual(self.conn.call("TTL", repo.shadow(s["id"])), -1)
        self.assertEqual(self.conn.call("TTL", repo.key(s["id"])), -1)


class IndexedRepositoryJedis(IndexedRepositoryLettuce):
    DRIVER = "jedis"


class ReactiveRepositoryLettuce(SpringCase):
    """ReactiveRedisSessionRepository (section 2.3): HSET for a one-field delta, EXPIRE in seconds."""

    def key(self, sid):
        return "%s:sessions:%s" % (NS, sid)

    def test_save_find_delete(self):
        s = self.security_session()
        self.assertEqual(self.conn.call("HMSET", self.key(s["id"]), *flat(s["fields"])), "OK")
        self.assertEqual(self.conn.call("EXPIRE", self.key(s["id"]), 1800), 1)
        self.assertEqual(self.conn.call("EXISTS", self.key(s["id"])), 1)
        self.assertEqual(self.conn.call("HSET", self.key(s["id"]), "lastAccessedTime", jdk_long(now_ms())), 0)
        self.assertEqual(self.conn.call("HSET", self.key(s["id"]), "sessionAttr:new", jdk_object(90, 4)), 1)
        self.assertEqual(len(self.conn.hgetall(self.key(s["id"]))), len(s["fields"]) + 1)
        self.assertEqual(self.conn.call("TTL", self.key(s["id"])), 1800)
        self.assertEqual(self.conn.call("DEL", self.key(s["id"])), 1)
        self.assertEqual(self.conn.hgetall(self.key(s["id"])), {})
        self.assertEqual(self.conn.call("DEL", self.key(s["id"])), 0, "findById miss sends DEL anyway")

    def test_negative_interval_persists(self):
        s = new_session(max_inactive_s=-1)
        self.conn.call("HMSET", self.key(s["id"]), *flat(s["fields"]))
        self.conn.call("EXPIRE", self.key(s["id"]), 60)
        self.assertEqual(self.conn.call("PERSIST", self.key(s["id"])), 1)
        self.assertEqual(self.conn.call("TTL", self.key(s["id"])), -1)


class ReactiveRepositoryJedis(ReactiveRepositoryLettuce):
    DRIVER = "jedis"


class ReactiveIndexedRepositoryLettuce(SpringCase):
    """ReactiveRedisIndexedSessionRepository (section 2.4): index sets, the :idx set, the sorted set."""

    def key(self, sid):
        return "%s:sessions:%s" % (NS, sid)

    def index_key(self, value):
        return "%s:sessions:index:PRINCIPAL_NAME_INDEX_NAME:%s" % (NS, value)

    def save(self, s, principal):
        sid = s["id"]
        self.conn.call("HMSET", self.key(sid), *flat(s["fields"]))
        self.assertEqual(self.conn.call("EXPIRE", self.key(sid), s["max"] + 300), 1)
        self.assertEqual(self.conn.call("APPEND", "%s:sessions:expires:%s" % (NS, sid), ""), 0)
        self.assertEqual(self.conn.call("EXPIRE", "%s:sessions:expires:%s" % (NS, sid), s["max"]), 1)
        self.conn.call("PUBLISH", "%s:event:0:created:%s" % (NS, sid), jdk_object(200, 5))
        self.assertEqual(self.conn.call("SMEMBERS", self.key(sid) + ":idx"), [])
        index = "PRINCIPAL_NAME_INDEX_NAME:" + principal
        self.assertEqual(self.conn.call("SADD", self.index_key(principal), jdk_string(sid)), 1)
        self.assertEqual(self.conn.call("SADD", self.key(sid) + ":idx", jdk_string(index)), 1)
        self.assertEqual(self.conn.call("ZADD", "%s:sessions:expirations" % NS,
                                        java_double(s["last"] + s["max"] * 1000), jdk_string(sid)), 1)

    def test_lifecycle(self):
        self.assertEqual(IndexedRepository.configure_keyspace_events(self.conn), "Egx")
        events = self.listener()
        s = self.security_session(max_inactive_s=1)
        self.save(s, "dave")
        self.assertEqual(events.next()[0], "%s:event:0:created:%s" % (NS, s["id"]))
        members = self.conn.call("SMEMBERS", self.index_key("dave"))
        self.assertEqual(members, [jdk_string(s["id"])])
        # The shadow key expires; the handler deletes everything (deleteAndReturn).
        channel, key = events.next(timeout=5)
        self.assertEqual((channel, key), ("__keyevent@0__:expired",
                                          ("%s:sessions:expires:%s" % (NS, s["id"])).encode()))
        self.assertEqual(self.conn.hgetall(self.key(s["id"])), s["fields"])
        self.assertEqual(self.conn.call("DEL", "%s:sessions:expires:%s" % (NS, s["id"])), 0)
        self.assertEqual(self.conn.call("DEL", self.key(s["id"])), 1)
        for m in self.conn.call("SMEMBERS", self.key(s["id"]) + ":idx"):
            self.assertEqual(m, jdk_string("PRINCIPAL_NAME_INDEX_NAME:dave"))
            self.assertEqual(self.conn.call("SREM", self.index_key("dave"), jdk_string(s["id"])), 1)
        self.assertEqual(self.conn.call("DEL", self.key(s["id"]) + ":idx"), 1)
        self.assertEqual(self.conn.call("ZREM", "%s:sessions:expirations" % NS, jdk_string(s["id"])), 1)
        self.assertEqual(self.conn.call("DBSIZE"), 0)
        events.expect_none()

    def test_cleanup_touches_the_shadow_keys(self):
        sessions = [self.security_session() for _ in range(5)]
        for s in sessions:
            self.save(s, "erin")
        zkey = "%s:sessions:expirations" % NS
        due = self.conn.call("ZREVRANGEBYSCORE", zkey, java_double(now_ms() + 3600 * 1000), "0.0",
                             "LIMIT", "0", "3")
        self.assertEqual(len(due), 3)
        for member in due:
            self.assertEqual(self.conn.call("EXISTS", "%s:sessions:expires:%s" % (NS, member[7:].decode())), 1)


class ReactiveIndexedRepositoryJedis(ReactiveIndexedRepositoryLettuce):
    DRIVER = "jedis"


class ActuatorAndPool(SpringCase):
    @staticmethod
    def properties(text):
        """java.util.Properties.load of INFO, as Spring Boot's health indicators parse it."""
        props = {}
        for line in text.decode().splitlines():
            if line and not line.startswith("#") and ":" in line:
                k, v = line.split(":", 1)
                props[k] = v
        return props

    def test_health_indicators(self):
        for driver in ("lettuce", "jedis"):
            conn = Conn(self.server, driver)
            self._closables.append(conn)
            for args in (("INFO",), ("INFO", "server")):
                props = self.properties(conn.call(*args))
                self.assertRegex(props["redis_version"], r"^7\.\d+\.\d+$")
                self.assertIn("redis_mode", props)

    def test_jedis_pool_validation_and_select(self):
        conn = Conn(self.server, "jedis")
        self._closables.append(conn)
        self.assertEqual(conn.raw.cmd("PING"), b"+PONG\r\n")
        self.assertEqual(conn.call("SELECT", "3"), "OK")
        self.assertEqual(conn.raw.cmd("PING"), b"+PONG\r\n")

    def test_listener_on_another_database(self):
        self.conn.call("CONFIG", "SET", "notify-keyspace-events", "Egx")
        listener = Listener(self.server, "lettuce", db=5)
        self._closables.append(listener)
        self.assertEqual(self.conn.call("SELECT", "5"), "OK")
        self.conn.call("APPEND", "%s:sessions:expires:x" % NS, "")
        self.conn.call("DEL", "%s:sessions:expires:x" % NS)
        self.assertEqual(listener.next(), ("__keyevent@5__:del", ("%s:sessions:expires:x" % NS).encode()))


if __name__ == "__main__":
    main()

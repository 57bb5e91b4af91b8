# SPDX-License-Identifier: Apache-2.0
"""EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT against the real server: Lua/RESP conversions in RESP2
and RESP3, redis.call and redis.pcall with Redis 7's error texts (" script: <sha>, on @user_script:<line>."),
the sandbox (read-only globals, no file or OS access, cjson and bit), the script cache, atomicity, and the
scripts Spring applications run (Spring Integration's RedisLockRegistry, Spring Cloud Gateway's rate
limiter). Every expectation holds for redis-server 7 too (SESSIONKV_TEST_TARGET=redis).
"""
import hashlib
import socket
import threading
import time

import redis

from support.server import RawConnection, ServerTestCase, main, needs_redis_72, sessionkv_only


def sha1(script):
    return hashlib.sha1(script.encode()).hexdigest()


def script_error(text, script, line=1):
    """The error reply bytes of an error raised at `line` of `script`."""
    return b"-%s script: %s, on @user_script:%d.\r\n" % (text.encode(), sha1(script).encode(), line)


class ScriptingCase(ServerTestCase):
    def raw(self, *commands, resp3=False):
        """The raw replies of `commands` (tuples) on one fresh connection."""
        conn = self.server.raw()
        try:
            if resp3:
                conn.cmd("HELLO", "3")
            return [conn.cmd(*c) for c in commands]
        finally:
            conn.close()

    def eval_raw(self, script, *args, resp3=False):
        return self.raw(("EVAL", script) + (args or ("0",)), resp3=resp3)[0]


class TestConversions(ScriptingCase):
    def test_lua_values_become_resp2_replies(self):
        cases = {
            "return 1": b":1\r\n",
            "return -3.7": b":-3\r\n",
            "return 'hi'": b"$2\r\nhi\r\n",
            "return nil": b"$-1\r\n",
            "return": b"$-1\r\n",
            "return true": b":1\r\n",
            "return false": b"$-1\r\n",
            "return {1, 2, {3, 'x'}, nil, 5}": b"*3\r\n:1\r\n:2\r\n*2\r\n:3\r\n$1\r\nx\r\n",
            "return {1, false, 3}": b"*3\r\n:1\r\n$-1\r\n:3\r\n",
            "return {a=1}": b"*0\r\n",
            "return {ok='fine'}": b"+fine\r\n",
            "return {err='BAD thing'}": b"-BAD thing\r\n",
            "return {err=1}": b"*0\r\n",
            "return redis.status_reply('FINE')": b"+FINE\r\n",
            "return redis.error_reply('x')": b"-ERR x\r\n",
            "return redis.error_reply('My err')": b"-My err\r\n",
            "return redis.error_reply('-WRONG thing')": b"-WRONG thing\r\n",
            "return {double=3.5}": b"$3\r\n3.5\r\n",
            "return {map={a=1}}": b"*2\r\n$1\r\na\r\n:1\r\n",
            "return redis.sha1hex('')": b"$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n",
            "": b"$-1\r\n",
        }
        for script, expected in cases.items():
            self.assertEqual(self.eval_raw(script), expected, script)

    def test_lua_values_become_resp3_replies(self):
        cases = {
            "return false": b"_\r\n",
            "return {1, false, 3}": b"*3\r\n:1\r\n_\r\n:3\r\n",
            "return {double=3.5}": b",3.5\r\n",
            "return {map={a=1}}": b"%1\r\n$1\r\na\r\n:1\r\n",
            "return {set={a=true}}": b"~1\r\n$1\r\na\r\n",
        }
        for script, expected in cases.items():
            self.assertEqual(self.eval_raw(script, resp3=True), expected, script)

    def test_replies_become_lua_values(self):
        self.r.set("s", "abc")
        self.r.rpush("l", "a", "b")
        script = ("return {type(redis.call('get', 's')), type(redis.call('get', 'missing')), "
                  "type(redis.call('incr', 'n')), redis.call('set', 'k', 'v').ok, "
                  "#redis.call('lrange', 'l', 0, -1), redis.call('ping')['ok']}")
        self.assertEqual(self.r.eval(script, 0), [b"string", b"boolean", b"number", b"OK", 2, b"PONG"])

    def test_resp3_replies_inside_a_script_with_setresp(self):
        self.r.hset("h", "f", "v")
        script = ("redis.setresp(3); local m = redis.call('hgetall', 'h'); "
                  "local n = redis.call('get', 'missing'); return {m['map']['f'], type(n)}")
        self.assertEqual(self.r.eval(script, 0), [b"v", b"nil"])

    def test_numbers_are_sent_with_full_precision(self):
        self.r.eval("redis.call('set', 'f', 3.14159265358979); redis.call('set', 'g', 0.1); "
                    "redis.call('set', 'i', 42)", 0)
        self.assertEqual(self.r.get("f"), b"3.14159265358979")
        self.assertEqual(self.r.get("g"), b"0.10000000000000001")  # %.17g, not Lua's lossy %.14g
        self.assertEqual(self.r.get("i"), b"42")


class TestCallAndErrors(ScriptingCase):
    def test_keys_and_argv(self):
        self.assertEqual(self.r.eval("return {KEYS[1], KEYS[2], ARGV[1], #ARGV}", 2, "k1", "k2", "a", "b"),
                         [b"k1", b"k2", b"a", 2])

    def test_numkeys_errors(self):
        self.assertEqual(self.raw(("EVAL", "return 1", "-1"))[0], b"-ERR Number of keys can't be negative\r\n")
        self.assertEqual(self.raw(("EVAL", "return 1", "2", "a"))[0],
                         b"-ERR Number of keys can't be greater than number of args\r\n")
        self.assertEqual(self.raw(("EVAL", "return 1", "abc"))[0],
                         b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(self.raw(("EVAL", "return 1"))[0],
                         b"-ERR wrong number of arguments for 'eval' command\r\n")

    def test_errors_raised_by_redis_call_name_the_script_and_line(self):
        self.r.set("s", "abc")
        cases = [
            ("return redis.call('incr', 's')", "ERR value is not an integer or out of range", 1),
            ("return redis.call('nosuch')", "ERR Unknown Redis command called from script", 1),
            ("return redis.call('get')", "ERR Wrong number of args calling Redis command from script", 1),
            ("return redis.call('subscribe', 'x')", "ERR This Redis command is not allowed from script", 1),
            ("return redis.call('blpop', 'l', 0)", "ERR This Redis command is not allowed from script", 1),
            ("return redis.call()", "ERR Please specify at least one argument for this redis lib call", 1),
            ("return redis.call('get', {})",
             "ERR Lua redis lib command arguments must be strings or integers", 1),
            ("local x = 1\nreturn redis.call('select', 99)", "ERR DB index is out of range", 2),
            ("error('boom')", "ERR user_script:1: boom", 1),
            ("error({err='X y'})", "X y", 1),
            ("return redis.setresp(4)", "ERR RESP version must be 2 or 3.", 1),
            ("return redis.log(1)", "ERR redis.log() requires two arguments or more.", 1),
            ("return redis.sha1hex()", "ERR wrong number of arguments", 1),
            ("local t = nil\nlocal x = 1\nreturn t.x", "ERR user_script:3: attempt to index local 't' (a nil value)", 3),
        ]
        for script, text, line in cases:
            self.assertEqual(self.eval_raw(script), script_error(text, script, line), script)

    def test_pcall_returns_the_error_instead(self):
        self.r.set("s", "abc")
        self.assertEqual(self.eval_raw("return redis.pcall('incr', 's')"),
                         b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(self.r.eval("local e = redis.pcall('incr', 's'); return e['err']", 0),
                         b"ERR value is not an integer or out of range")
        self.assertEqual(self.eval_raw("return redis.error_reply()"), b"-ERR wrong number or type of arguments\r\n")

    def test_compile_errors(self):
        self.assertEqual(self.eval_raw("syntax error here"),
                         b"-ERR Error compiling script (new function): user_script:1: '=' expected near "
                         b"'error'\r\n")
        self.assertEqual(self.raw(("SCRIPT", "LOAD", "x x"))[0],
                         b"-ERR Error compiling script (new function): user_script:1: '=' expected near 'x'\r\n")

    def test_read_only_scripts_cannot_write(self):
        script = "return redis.call('set', 'a', 'b')"
        self.assertEqual(self.raw(("EVAL_RO", script, "0"))[0],
                         script_error("ERR Write commands are not allowed from read-only scripts.", script))
        self.r.set("a", "x")
        self.assertEqual(self.r.eval_ro("return redis.call('get', KEYS[1])", 1, "a"), b"x")

    def test_select_inside_a_script_is_the_script_s_own(self):
        self.assertEqual(self.r.eval("redis.call('select', 5); redis.call('set', 'in5', '1'); "
                                     "return redis.call('dbsize')", 0), 1)
        self.assertEqual(self.r.dbsize(), 0)  # the caller stays in db 0
        self.assertEqual(self.server.client(db=5).get("in5"), b"1")


class TestSandbox(ScriptingCase):
    def test_globals_are_read_only(self):
        for script in ("x = 1", "redis.x = 1", "string.x = 1", "_G.y = 2"):
            self.assertEqual(self.eval_raw(script),
                             script_error("ERR user_script:1: Attempt to modify a readonly table", script), script)

    def test_no_file_or_process_access(self):
        for name in ("print", "dofile", "loadfile", "getfenv", "setfenv", "require", "module", "debug", "io"):
            script = "return type(%s)" % name
            self.assertEqual(self.eval_raw(script), script_error(
                "ERR user_script:1: Script attempted to access nonexistent global variable '%s'" % name, script),
                name)

    def test_libraries(self):
        self.assertEqual(self.r.eval("return cjson.encode({a=1})", 0), b'{"a":1}')
        self.assertEqual(self.r.eval("return cjson.decode('[1,2,3]')[2]", 0), 2)
        self.assertEqual(self.r.eval("return bit.band(7, 3)", 0), 3)
        self.assertEqual(self.r.eval("return string.rep('x', 3)", 0), b"xxx")
        self.assertEqual(self.r.eval("return table.concat({'a', 'b'}, '-')", 0), b"a-b")
        self.assertEqual(self.r.eval("return math.floor(2.7)", 0), 2)
        self.assertEqual(self.r.eval("return tonumber('12') + 1", 0), 13)
        self.assertEqual(self.r.eval("return loadstring('return 1 + 1')()", 0), 2)

    def test_acl_check_cmd_answers_for_the_caller(self):
        self.assertEqual(self.r.eval("return redis.acl_check_cmd('set', 'k', 'v')", 0), 1)
        self.assertEqual(self.r.eval("return redis.acl_check_cmd('get')", 0), 1)  # the arity is not checked
        script = "return redis.acl_check_cmd('nosuch')"
        self.assertEqual(self.eval_raw(script),
                         script_error("ERR Invalid command passed to redis.acl_check_cmd()", script))
        self.r.acl_setuser("lim", enabled=True, nopass=True, keys=["a*"], commands=["+get", "+eval"])
        try:
            c = self.server.client(username="lim", password="x")
            self.assertEqual(c.eval("return {redis.acl_check_cmd('get', 'abc'), redis.acl_check_cmd('get', 'z'), "
                                    "redis.acl_check_cmd('set', 'a', 'b')}", 0), [1, None, None])
            c.close()
        finally:
            self.r.acl_deluser("lim")

    @needs_redis_72
    def test_os_clock_is_the_only_os_function(self):
        self.assertEqual(self.r.eval("return os.clock() >= 0", 0), 1)
        script = "return os.time()"
        self.assertEqual(self.eval_raw(script)[:1], b"-")

    def test_redis_version_constants(self):
        version = self.r.info("server")["redis_version"]
        self.assertEqual(self.r.eval("return redis.REDIS_VERSION", 0).decode(), version)
        major, minor, patch = (int(x) for x in version.split("."))
        self.assertEqual(self.r.eval("return redis.REDIS_VERSION_NUM", 0), (major << 16) | (minor << 8) | patch)


class TestScriptCache(ScriptingCase):
    def test_load_exists_evalsha_flush(self):
        sha = self.r.script_load("return 'cached'")
        self.assertEqual(sha, sha1("return 'cached'"))
        self.assertEqual(self.r.evalsha(sha, 0), b"cached")
        self.assertEqual(self.r.evalsha(sha.upper(), 0), b"cached")
        self.assertEqual(self.raw(("SCRIPT", "EXISTS", sha.upper(), "f" * 40))[0], b"*2\r\n:1\r\n:0\r\n")
        self.assertEqual(self.raw(("SCRIPT", "FLUSH", "foo"))[0],
                         b"-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n")
        self.assertTrue(self.r.script_flush())
        self.assertEqual(self.raw(("EVALSHA", sha, "0"))[0], b"-NOSCRIPT No matching script. Please use EVAL.\r\n")
        self.assertEqual(self.raw(("EVALSHA", "abc", "0"))[0], b"-NOSCRIPT No matching script. Please use EVAL.\r\n")

    def test_eval_caches_the_script(self):
        self.r.script_flush()
        self.r.eval("return 7", 0)
        self.assertEqual(self.r.evalsha(sha1("return 7"), 0), 7)

    def test_redis_py_script_objects(self):
        incr_by = self.r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
        self.r.script_flush()  # register_script falls back from EVALSHA to SCRIPT LOAD on NOSCRIPT
        self.assertEqual(incr_by(keys=["n"], args=[5]), 5)
        self.assertEqual(incr_by(keys=["n"], args=[2]), 7)

    def test_script_kill_without_a_script(self):
        self.assertEqual(self.raw(("SCRIPT", "KILL"))[0], b"-NOTBUSY No scripts in execution right now.\r\n")

    def test_script_help_lists_the_subcommands(self):
        lines = self.r.execute_command("SCRIPT", "HELP")
        self.assertIn(b"LOAD <script>", lines)
        self.assertIn(b"KILL", lines)


class TestAtomicityAndEffects(ScriptingCase):
    def test_a_script_runs_atomically(self):
        self.r.set("counter", 0)
        script = "for i = 1, 2000 do redis.call('incr', KEYS[1]) end return redis.call('get', KEYS[1])"
        results = []

        def run():
            c = self.server.client()
            results.append(int(c.eval(script, 1, "counter")))
            c.close()

        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Each script saw only its own increments between its first and last one.
        self.assertEqual(sorted(results), [2000, 4000, 6000, 8000])

    def test_keyspace_events_and_blocked_clients_see_script_writes(self):
        self.r.config_set("notify-keyspace-events", "KEA")
        try:
            p = self.server.client().pubsub()
            p.psubscribe("__keyevent@0__:*")
            p.get_message(timeout=2)
            blocked = self.server.client()
            result = []
            t = threading.Thread(target=lambda: result.append(blocked.blpop("queue", 5)))
            t.start()
            time.sleep(0.2)
            self.r.eval("redis.call('set', KEYS[1], 'v'); redis.call('rpush', KEYS[2], 'job')", 2, "k", "queue")
            t.join()
            self.assertEqual(result, [(b"queue", b"job")])
            events = []
            deadline = time.time() + 2
            while len(events) < 2 and time.time() < deadline:
                m = p.get_message(timeout=0.5)
                if m and m["type"] == "pmessage":
                    events.append((m["channel"], m["data"]))
            self.assertEqual(events[:2], [(b"__keyevent@0__:set", b"k"), (b"__keyevent@0__:rpush", b"queue")])
            p.close()
        finally:
            self.r.config_set("notify-keyspace-events", "")

    def test_eval_inside_multi(self):
        pipe = self.r.pipeline(transaction=True)
        pipe.set("a", "1")
        pipe.eval("return redis.call('incr', KEYS[1])", 1, "a")
        self.assertEqual(pipe.execute(), [True, 2])

    def test_a_key_written_by_a_script_breaks_watch(self):
        other = self.server.client()
        pipe = self.r.pipeline(transaction=True)
        pipe.watch("w")
        other.eval("redis.call('set', KEYS[1], 'x')", 1, "w")
        pipe.multi()
        pipe.set("w", "mine")
        with self.assertRaises(redis.exceptions.WatchError):
            pipe.execute()
        other.close()


# Spring Integration's RedisLockRegistry obtain script (6.x), Spring Cloud Gateway's token bucket.
LOCK_OBTAIN = """
local lockClientId = redis.call('GET', KEYS[1])
if lockClientId == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return true
elseif not lockClientId then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return true
end
return false
"""

RATE_LIMITER = """
local tokens_key = KEYS[1]
local timestamp_key = KEYS[2]
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local requested = tonumber(ARGV[4])
local fill_time = capacity/rate
local ttl = math.floor(fill_time*2)
local last_tokens = tonumber(redis.call("get", tokens_key))
if last_tokens == nil then
  last_tokens = capacity
end
local last_refreshed = tonumber(redis.call("get", timestamp_key))
if last_refreshed == nil then
  last_refreshed = 0
end
local delta = math.max(0, now-last_refreshed)
local filled_tokens = math.min(capacity, last_tokens+(delta*rate))
local allowed = filled_tokens >= requested
local new_tokens = filled_tokens
local allowed_num = 0
if allowed then
  new_tokens = filled_tokens - requested
  allowed_num = 1
end
if ttl > 0 then
  redis.call("setex", tokens_key, ttl, new_tokens)
  redis.call("setex", timestamp_key, ttl, now)
end
return { allowed_num, new_tokens }
"""


class TestSpringScripts(ScriptingCase):
    def test_redis_lock_registry(self):
        key = "lock:orders"
        self.assertEqual(self.r.eval(LOCK_OBTAIN, 1, key, "client-a", 60000), 1)
        self.assertEqual(self.r.eval(LOCK_OBTAIN, 1, key, "client-b", 60000), None)
        self.assertEqual(self.r.eval(LOCK_OBTAIN, 1, key, "client-a", 60000), 1)  # re-entrant: extends
        self.assertGreater(self.r.pttl(key), 59000)
        self.assertEqual(self.r.get(key), b"client-a")

    def test_gateway_rate_limiter(self):
        keys = ["request_rate_limiter.{user}.tokens", "request_rate_limiter.{user}.timestamp"]
        now = 1700000000
        allowed = [self.r.eval(RATE_LIMITER, 2, *keys, 1, 3, now, 1)[0] for _ in range(5)]
        self.assertEqual(allowed, [1, 1, 1, 0, 0])
        self.assertEqual(self.r.eval(RATE_LIMITER, 2, *keys, 1, 3, now + 2, 1), [1, 1])
        self.assertEqual(self.r.ttl(keys[0]), 6)


@sessionkv_only
class TestScriptKill(ScriptingCase):
    """SCRIPT KILL from a connection on another I/O thread stops a script that has not written."""
    CONFIG = {"io-threads": "2"}

    def test_kill_a_busy_read_only_script(self):
        result = []

        def busy():
            conn = self.server.raw()
            result.append(conn.cmd("EVAL", "local i = 0 while true do i = i + 1 end", "0"))
            conn.close()

        # Connections opened before the script starts, spread over both I/O threads (the busy one also
        # stops accepting); SCRIPT KILL succeeds on one served by the other thread.
        conns = [RawConnection(self.server.port, timeout=0.5) for _ in range(4)]
        for conn in conns:
            self.assertEqual(conn.cmd("PING"), b"+PONG\r\n")
        t = threading.Thread(target=busy)
        t.start()
        reply = None
        deadline = time.time() + 10
        while reply != b"+OK\r\n" and time.time() < deadline:
            for conn in conns:
                try:
                    reply = conn.cmd("SCRIPT", "KILL")
                except (socket.timeout, TimeoutError):
                    continue  # on the busy thread; answered once the script is gone
                if reply == b"+OK\r\n":
                    break
            time.sleep(0.05)
        t.join(10)
        for conn in conns:
            conn.close()
        self.assertEqual(reply, b"+OK\r\n")
        self.assertTrue(result[0].startswith(b"-ERR Script killed by user with SCRIPT KILL..."), result)
        self.assertEqual(self.r.ping(), True)


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""ACL users and permissions against the real server: ACL SETUSER's rules language and its error
texts, AUTH / HELLO AUTH as ACL users, permission checks on commands, subcommands, first arguments,
categories, keys (with %R~ / %W~ read and write permissions decided by each command's key specs) and
Pub/Sub channels, ACL GETUSER / LIST / USERS / WHOAMI / CAT / DRYRUN / LOG / GENPASS / DELUSER,
aclfile with ACL SAVE / LOAD, `user` lines in the config file, CLIENT LIST user= and CLIENT KILL USER.

Every test passes against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis) except those marked
@needs_redis_72, which state Redis 7.2's texts where 7.0 differs: the NOPERM and DRYRUN wording ("User
u has no permissions to run the 'set' command" instead of 7.0's "this user has no permissions..."),
command rules listed in the order given (7.0 rebuilds them from the bitmap), the "sanitize-payload"
flag 7.2 gives every new user, and ACL LOG's entry-id / timestamp fields.
"""
import hashlib
import os
import socket

import redis

from support.server import ServerTestCase, Server, main, needs_redis_72, TARGET
from test_protocol import decode, Err, OK, PONG

NOAUTH = b"-NOAUTH Authentication required.\r\n"
WRONGPASS = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


class AclCase(ServerTestCase):
    def setUp(self):
        super().setUp()
        for name in self.r.acl_users():
            if name not in (b"default", "default"):
                self.r.acl_deluser(name)
        self.r.acl_log_reset()

    def conn(self, auth=True):
        c = super().conn()
        if auth and self.PASSWORD:
            self.assertEqual(c.cmd("AUTH", self.PASSWORD), OK)
        return c

    def getuser(self, name, conn=None):
        """ACL GETUSER as a dict of bytes values (redis-py reshapes some fields)."""
        raw = decode((conn or self.conn()).cmd("ACL", "GETUSER", name))
        return dict(zip([k.decode() for k in raw[0::2]], raw[1::2]))

    def login(self, user, password):
        c = self.conn()
        self.assertEqual(c.cmd("AUTH", user, password), OK)
        return c

    def cmd(self, *args):
        return decode(self.conn().cmd(*args))

    def setuser(self, name, *rules):
        return self.conn().cmd("ACL", "SETUSER", name, *rules)


class SetUserErrors(AclCase):
    def test_rule_errors(self):
        def err(rule, text):
            self.assertEqual(self.setuser("u", rule),
                             b"-ERR Error in ACL SETUSER modifier '%s': %s\r\n" % (rule.encode(), text))
        err("bogus", b"Syntax error")
        err("+nosuchcommand", b"Unknown command or category name in ACL")
        err("-nosuchcommand", b"Unknown command or category name in ACL")
        err("+@nosuchcat", b"Unknown command or category name in ACL")
        err("+config|get|x", b"Allowing first-arg of a subcommand is not supported")
        err("+get|", b"Syntax error")
        err("-select|0", b"Unknown command or category name in ACL")
        err("#abc", b"The password hash must be exactly 64 characters and contain only lowercase "
                    b"hexadecimal characters")
        err("#" + "A" * 64, b"The password hash must be exactly 64 characters and contain only lowercase "
                            b"hexadecimal characters")
        err("<notthere", b"The password you are trying to remove from the user does not exist")
        err("~k x", b"Syntax error")
        err("%X~k", b"Syntax error")

    def test_pattern_after_all(self):
        self.assertEqual(self.setuser("u", "~*", "~x"),
                         b"-ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern "
                         b"(or the 'allkeys' flag) is not valid and does not have any effect. Try "
                         b"'resetkeys' to start with an empty list of patterns\r\n")
        self.assertEqual(self.setuser("u", "allchannels", "&x"),
                         b"-ERR Error in ACL SETUSER modifier '&x': Adding a pattern after the * pattern "
                         b"(or the 'allchannels' flag) is not valid and does not have any effect. Try "
                         b"'resetchannels' to start with an empty list of channels\r\n")

    def test_nothing_changes_on_error(self):
        self.assertEqual(self.setuser("u", "on", ">p", "bogus"),
                         b"-ERR Error in ACL SETUSER modifier 'bogus': Syntax error\r\n")
        self.assertEqual(self.cmd("ACL", "USERS"), [b"default"], "a failed SETUSER creates no user")
        self.assertEqual(self.setuser("u", "on", ">p"), OK)
        self.assertEqual(self.setuser("u", "off", "+nosuch"),
                         b"-ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name "
                         b"in ACL\r\n")
        self.assertIn(b"on", self.getuser("u")["flags"])

    def test_user_names(self):
        self.assertEqual(self.setuser("a b"), b"-ERR Usernames can't contain spaces or null characters\r\n")
        self.assertEqual(self.setuser("a\x00b"), b"-ERR Usernames can't contain spaces or null characters\r\n")

    def test_unmatched_parenthesis(self):
        self.assertEqual(self.setuser("u", "on", "(+get", "~k"),
                         b"-ERR Unmatched parenthesis in acl selector starting at '(+get'.\r\n")

    def test_arity(self):
        self.assertEqual(self.conn().cmd("ACL", "SETUSER"),
                         b"-ERR wrong number of arguments for 'acl|setuser' command\r\n")
        self.assertEqual(self.conn().cmd("ACL", "nosuch"), b"-ERR unknown subcommand 'nosuch'. Try ACL HELP.\r\n")
        self.assertEqual(self.conn().cmd("ACL", "CAT", "a", "b"),
                         b"-ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP.\r\n")
        self.assertEqual(self.conn().cmd("ACL", "GETUSER"),
                         b"-ERR wrong number of arguments for 'acl|getuser' command\r\n")


class Auth(AclCase):
    def test_auth_as_user(self):
        self.setuser("alice", "on", ">wonderland", "~*", "&*", "+@all")
        c = self.conn()
        self.assertEqual(c.cmd("AUTH", "alice", "wrong"), WRONGPASS)
        self.assertEqual(c.cmd("ACL", "WHOAMI"), b"$7\r\ndefault\r\n")
        self.assertEqual(c.cmd("AUTH", "alice", "wonderland"), OK)
        self.assertEqual(c.cmd("ACL", "WHOAMI"), b"$5\r\nalice\r\n")
        self.assertIn(" user=alice ", decode(c.cmd("CLIENT", "INFO")).decode())

    def test_disabled_user_cannot_log_in(self):
        self.setuser("bob", "off", ">pw", "+@all")
        self.assertEqual(self.conn().cmd("AUTH", "bob", "pw"), WRONGPASS)
        self.setuser("bob", "on")
        self.assertEqual(self.conn().cmd("AUTH", "bob", "pw"), OK)

    def test_a_new_user_has_no_password_and_no_permissions(self):
        self.setuser("carol", "on")
        self.assertEqual(self.conn().cmd("AUTH", "carol", ""), WRONGPASS)
        self.setuser("carol", "nopass")
        c = self.login("carol", "anything")
        self.assertTrue(c.cmd("GET", "k").startswith(b"-NOPERM "))

    def test_hashed_passwords(self):
        self.setuser("dave", "on", "#" + sha("s3cret"), "+ping")
        self.assertEqual(self.login("dave", "s3cret").cmd("PING"), PONG)
        self.setuser("dave", "!" + sha("s3cret"))
        self.assertEqual(self.conn().cmd("AUTH", "dave", "s3cret"), WRONGPASS)
        self.setuser("dave", ">one", ">two", "<one")
        self.assertEqual(self.conn().cmd("AUTH", "dave", "one"), WRONGPASS)
        self.assertEqual(self.conn().cmd("AUTH", "dave", "two"), OK)
        self.assertEqual(self.getuser("dave")["passwords"], [sha("two").encode()],
                         "only the SHA-256 of a password is kept")
        self.setuser("dave", "resetpass")
        self.assertEqual(self.conn().cmd("AUTH", "dave", "two"), WRONGPASS)

    def test_hello_auth_as_user(self):
        self.setuser("erin", "on", ">pw", "+@all", "~*")
        c = self.conn()
        self.assertEqual(c.cmd("HELLO", "3", "AUTH", "erin", "bad"), WRONGPASS)
        reply = decode(c.cmd("HELLO", "3", "AUTH", "erin", "pw"))
        self.assertEqual(reply["proto"], 3)
        self.assertEqual(c.cmd("ACL", "WHOAMI"), b"$4\r\nerin\r\n")

    def test_reset_returns_to_the_default_user(self):
        self.setuser("frank", "on", ">pw", "+@all", "~*")
        c = self.login("frank", "pw")
        self.assertEqual(c.cmd("RESET"), b"+RESET\r\n")
        self.assertEqual(c.cmd("ACL", "WHOAMI"), b"$7\r\ndefault\r\n")

    def test_permissions_change_for_logged_in_clients(self):
        self.setuser("gina", "on", ">pw", "+get", "~*")
        c = self.login("gina", "pw")
        self.assertEqual(c.cmd("GET", "k"), b"$-1\r\n")
        self.setuser("gina", "-get")
        self.assertTrue(c.cmd("GET", "k").startswith(b"-NOPERM"))

    def test_deleted_user_is_disconnected(self):
        self.setuser("hank", "on", ">pw", "+@all", "~*")
        c = self.login("hank", "pw")
        self.assertEqual(self.r.acl_deluser("hank", "nosuch"), 1)
        self.assertTrue(c.is_closed())
        self.assertError(lambda: self.r.acl_deluser("default"), "The 'default' user cannot be removed")


class RequirePassIsTheDefaultUser(AclCase):
    CONFIG = {"requirepass": "topsecret"}
    PASSWORD = "topsecret"

    def test_default_user_password(self):
        self.assertEqual(self.getuser("default")["passwords"], [sha("topsecret").encode()])
        self.assertEqual(self.conn(auth=False).cmd("GET", "k"), NOAUTH)
        self.assertEqual(self.conn(auth=False).cmd("AUTH", "default", "topsecret"), OK)

    def test_config_set_requirepass(self):
        admin = self.conn()
        self.assertEqual(admin.cmd("CONFIG", "SET", "requirepass", "other"), OK)
        try:
            self.assertEqual(self.conn(auth=False).cmd("AUTH", "topsecret"), WRONGPASS)
            self.assertEqual(self.conn(auth=False).cmd("AUTH", "other"), OK)
            self.assertEqual(self.getuser("default", admin)["passwords"], [sha("other").encode()])
        finally:
            self.assertEqual(admin.cmd("CONFIG", "SET", "requirepass", "topsecret"), OK)

    def test_default_user_nopass_lets_everyone_in(self):
        admin = self.conn()
        self.assertEqual(admin.cmd("ACL", "SETUSER", "default", "nopass"), OK)
        try:
            self.assertEqual(self.conn(auth=False).cmd("PING"), PONG)
        finally:
            self.assertEqual(admin.cmd("ACL", "SETUSER", "default", "resetpass", ">topsecret"), OK)
        self.assertEqual(self.conn(auth=False).cmd("PING"), NOAUTH)


class Permissions(AclCase):
    def user(self, *rules):
        self.assertEqual(self.setuser("u", "reset", "on", ">pw", *rules), OK)
        return self.login("u", "pw")

    def assertNoPerm(self, reply):
        self.assertTrue(reply.startswith(b"-NOPERM "), reply)

    def test_commands(self):
        c = self.user("~*", "+get", "+set")
        self.assertEqual(c.cmd("SET", "k", "v"), OK)
        self.assertNoPerm(c.cmd("DEL", "k"))
        self.assertNoPerm(c.cmd("CONFIG", "GET", "port"))
        self.assertEqual(c.cmd("AUTH", "u", "pw"), OK, "no_auth commands are always allowed")

    @needs_redis_72
    def test_noperm_texts(self):
        c = self.user("resetchannels", "&ok", "~k", "+get", "+publish")
        self.assertEqual(c.cmd("DEL", "k"), b"-NOPERM User u has no permissions to run the 'del' command\r\n")
        self.assertEqual(c.cmd("GET", "x"), b"-NOPERM No permissions to access a key\r\n")
        self.assertEqual(c.cmd("PUBLISH", "no", "m"), b"-NOPERM No permissions to access a channel\r\n")
        self.assertEqual(c.cmd("CONFIG", "GET", "x"),
                         b"-NOPERM User u has no permissions to run the 'config|get' command\r\n")

    def test_subcommands(self):
        c = self.user("+config|get", "+client", "-client|kill")
        self.assertEqual(decode(c.cmd("CONFIG", "GET", "maxclients"))[0], b"maxclients")
        self.assertNoPerm(c.cmd("CONFIG", "SET", "maxclients", "100"))
        self.assertTrue(c.cmd("CLIENT", "ID").startswith(b":"))
        self.assertNoPerm(c.cmd("CLIENT", "KILL", "ID", "1"))

    def test_first_arguments(self):
        c = self.user("~*", "-select", "+select|0")
        self.assertEqual(c.cmd("SELECT", "0"), OK)
        self.assertNoPerm(c.cmd("SELECT", "1"))

    def test_categories(self):
        c = self.user("~*", "+@read", "-@hash")
        self.assertEqual(c.cmd("GET", "k"), b"$-1\r\n")
        self.assertNoPerm(c.cmd("HGET", "h", "f"))
        self.assertNoPerm(c.cmd("SET", "k", "v"))
        c = self.user("~*", "+@all", "-@dangerous")
        self.assertEqual(c.cmd("SET", "k", "v"), OK)
        self.assertNoPerm(c.cmd("FLUSHALL"))
        self.assertNoPerm(c.cmd("CONFIG", "SET", "maxclients", "100"))

    def test_key_patterns(self):
        c = self.user("+@all", "~app:*", "~exact")
        self.assertEqual(c.cmd("SET", "app:1", "v"), OK)
        self.assertEqual(c.cmd("SET", "exact", "v"), OK)
        self.assertNoPerm(c.cmd("SET", "other", "v"))
        self.assertNoPerm(c.cmd("MSET", "app:2", "v", "other", "v"))
        self.assertEqual(c.cmd("MSET", "app:2", "v", "app:3", "v"), OK)
        self.assertNoPerm(c.cmd("RENAME", "app:1", "elsewhere"))
        self.assertEqual(c.cmd("PING"), PONG, "commands without keys need no key pattern")

    def test_read_and_write_key_permissions(self):
        c = self.user("+@all", "%R~r:*", "%W~w:*", "%RW~rw:*")
        self.r.set("r:1", "v")
        self.assertEqual(c.cmd("GET", "r:1"), b"$1\r\nv\r\n")
        self.assertNoPerm(c.cmd("SET", "r:1", "v"))
        self.assertEqual(c.cmd("SET", "w:1", "v"), OK)
        self.assertNoPerm(c.cmd("GET", "w:1"))
        self.assertEqual(c.cmd("GET", "rw:1"), b"$-1\r\n")
        self.assertEqual(c.cmd("EXISTS", "w:1"), b":1\r\n", "EXISTS reads no value: any pattern will do")
        # LMOVE reads and deletes from its source and inserts into its destination.
        self.r.rpush("rw:list", "a")
        self.assertNoPerm(c.cmd("LMOVE", "r:1", "w:list", "LEFT", "LEFT"))
        self.assertEqual(c.cmd("LMOVE", "rw:list", "w:list", "LEFT", "LEFT"), b"$1\r\na\r\n")
        # The STORE form only writes its destination and only reads its sources.
        self.r.sadd("r:s", "x")
        self.assertEqual(c.cmd("SUNIONSTORE", "w:s", "r:s"), b":1\r\n")
        self.assertNoPerm(c.cmd("SUNIONSTORE", "r:s", "w:s"))
        self.r.zadd("r:z", {"m": 1})
        self.assertEqual(c.cmd("ZUNIONSTORE", "w:z", "1", "r:z"), b":1\r\n")
        self.assertNoPerm(c.cmd("ZUNIONSTORE", "w:z", "1", "w:s"))

    def test_channels(self):
        c = self.user("+@all", "~*", "resetchannels", "&news.*", "&exact")
        self.assertEqual(c.cmd("PUBLISH", "news.sport", "m"), b":0\r\n")
        self.assertNoPerm(c.cmd("PUBLISH", "other", "m"))
        self.assertNoPerm(c.cmd("SUBSCRIBE", "news.x", "other"))
        self.assertNoPerm(c.cmd("PSUBSCRIBE", "news.*x"), )
        self.assertEqual(decode(c.cmd("PSUBSCRIBE", "news.*")), [b"psubscribe", b"news.*", 1],
                         "a pattern subscription must equal an allowed pattern")

    def test_narrowed_channels_disconnect_subscribers(self):
        c = self.user("+@all", "~*", "resetchannels", "&a", "&b")
        self.assertEqual(decode(c.cmd("SUBSCRIBE", "a")), [b"subscribe", b"a", 1])
        self.setuser("u", "resetchannels", "&a")
        self.assertEqual(c.cmd("PING"), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n", "still allowed: kept")
        self.setuser("u", "resetchannels", "&b")
        self.assertTrue(c.is_closed())

    def test_selectors(self):
        c = self.user("~a*", "+get", "(~b* +set)")
        self.assertEqual(c.cmd("GET", "a1"), b"$-1\r\n")
        self.assertEqual(c.cmd("SET", "b1", "v"), OK)
        self.assertNoPerm(c.cmd("SET", "a1", "v"))
        self.assertNoPerm(c.cmd("GET", "b1"))

    def test_multi_queues_then_exec_rechecks(self):
        c = self.user("~*", "+multi", "+exec", "+set", "+get")
        self.assertEqual(c.cmd("MULTI"), OK)
        self.assertNoPerm(c.cmd("DEL", "k"))
        self.assertEqual(c.cmd("EXEC"),
                         b"-EXECABORT Transaction discarded because of previous errors.\r\n")
        self.assertEqual(c.cmd("MULTI"), OK)
        self.assertEqual(c.cmd("SET", "k", "v"), b"+QUEUED\r\n")
        self.assertEqual(c.cmd("GET", "k"), b"+QUEUED\r\n")
        self.setuser("u", "-set")
        reply = decode(c.cmd("EXEC"))
        self.assertEqual(reply[0], Err("NOPERM ACLs rules changed between the moment the transaction was "
                                       "accumulated and the EXEC call. This command is no longer allowed for "
                                       "the following reason: no permission to execute the command or "
                                       "subcommand"))
        self.assertEqual(reply[1], None)

    def test_dryrun(self):
        self.setuser("u", "reset", "on", "~k*", "+get", "+set")
        self.assertEqual(self.r.acl_dryrun("u", "get", "k1"), b"OK")
        self.assertError(lambda: self.r.acl_dryrun("nouser", "get", "k"), "User 'nouser' not found")
        self.assertError(lambda: self.r.acl_dryrun("u", "nosuch"), "Command 'nosuch' not found")

    @needs_redis_72
    def test_dryrun_texts(self):
        self.setuser("u", "reset", "on", "~k*", "resetchannels", "&c", "+get", "+publish")
        self.assertEqual(self.r.acl_dryrun("u", "set", "k", "v"),
                         b"User u has no permissions to run the 'set' command")
        self.assertEqual(self.r.acl_dryrun("u", "get", "zz"), b"User u has no permissions to access the 'zz' key")
        self.assertEqual(self.r.acl_dryrun("u", "publish", "x", "m"),
                         b"User u has no permissions to access the 'x' channel")
        self.assertError(lambda: self.r.acl_dryrun("u", "get"), "wrong number of arguments for 'get' command")


class Describe(AclCase):
    def test_getuser_of_a_missing_user(self):
        self.assertEqual(self.conn().cmd("ACL", "GETUSER", "nouser"), b"$-1\r\n")

    def test_default_user(self):
        u = self.getuser("default")
        self.assertEqual((u["commands"], u["keys"], u["channels"], u["selectors"]), (b"+@all", b"~*", b"&*", []))
        self.assertEqual(u["passwords"], [])
        self.assertTrue({b"on", b"nopass"} <= set(u["flags"]))

    @needs_redis_72
    def test_list_72(self):
        self.setuser("u", "on", ">p1", "~k*", "%R~r*", "&ch*", "+@hash", "-hdel", "+get", "+config|get",
                     "+select|0", "(~s* +set)")
        self.assertEqual(self.r.acl_list(), [
            "user default on nopass sanitize-payload ~* &* +@all",
            "user u on sanitize-payload #%s ~k* %%R~r* resetchannels &ch* -@all +@hash -hdel +get "
            "+config|get +select|0 (~s* resetchannels -@all +set)" % sha("p1")])
        raw = decode(self.conn().cmd("ACL", "GETUSER", "u"))
        self.assertEqual(raw, [b"flags", [b"on", b"sanitize-payload"], b"passwords", [sha("p1").encode()],
                               b"commands", b"-@all +@hash -hdel +get +config|get +select|0",
                               b"keys", b"~k* %R~r*", b"channels", b"&ch*",
                               b"selectors", [[b"commands", b"-@all +set", b"keys", b"~s*", b"channels", b""]]])

    @needs_redis_72
    def test_getuser_resp3(self):
        c = self.conn()
        c.cmd("HELLO", "3")
        reply = c.cmd("ACL", "GETUSER", "default")
        self.assertTrue(reply.startswith(b"%6\r\n$5\r\nflags\r\n~3\r\n"), reply)

    @needs_redis_72
    def test_rules_are_compacted(self):
        self.setuser("u", "+get", "+set", "-get", "+@hash", "-@hash", "+client|id", "-client")
        self.assertEqual(self.getuser("u")["commands"], b"-@all +set -get -@hash -client")

    def test_rules_both_versions_agree_on(self):
        self.setuser("u", "on", "nopass", "allkeys", "allchannels", "allcommands")
        self.assertEqual(self.getuser("u")["commands"], b"+@all")
        self.setuser("v", "on", "+get")
        self.assertEqual(self.getuser("v")["commands"], b"-@all +get")
        self.setuser("w", "on", "+@all", "-@dangerous")
        self.assertEqual(self.getuser("w")["commands"], b"+@all -@dangerous")

    def test_users_and_whoami(self):
        self.setuser("zed")
        self.setuser("amy")
        self.assertEqual(self.cmd("ACL", "USERS"), [b"amy", b"default", b"zed"])
        self.assertEqual(self.cmd("ACL", "WHOAMI"), b"default")

    def test_cat(self):
        cats = self.cmd("ACL", "CAT")
        self.assertEqual(cats, [b"keyspace", b"read", b"write", b"set", b"sortedset", b"list", b"hash",
                                b"string", b"bitmap", b"hyperloglog", b"geo", b"stream", b"pubsub", b"admin",
                                b"fast", b"slow", b"blocking", b"dangerous", b"connection", b"transaction",
                                b"scripting"])
        hash_cmds = set(self.cmd("ACL", "CAT", "hash"))
        self.assertTrue({b"hset", b"hget", b"hgetall", b"hrandfield"} <= hash_cmds)
        self.assertNotIn(b"get", hash_cmds)
        self.assertTrue({b"config|set", b"flushall", b"acl|setuser"} <= set(self.cmd("ACL", "CAT", "dangerous")))
        self.assertIn(b"client|id", set(self.cmd("ACL", "CAT", "Connection")))
        self.assertEqual(self.cmd("ACL", "CAT", "nope"), Err("ERR Unknown category 'nope'"))

    def test_genpass(self):
        self.assertEqual(len(self.cmd("ACL", "GENPASS")), 64)
        self.assertEqual(len(self.cmd("ACL", "GENPASS", "8")), 2)
        self.assertEqual(len(self.cmd("ACL", "GENPASS", "5")), 2)
        self.assertEqual(len(self.cmd("ACL", "GENPASS", "4096")), 1024)
        self.assertNotEqual(self.cmd("ACL", "GENPASS"), self.cmd("ACL", "GENPASS"))
        for bad in (0, -1, 4097):
            self.assertEqual(self.cmd("ACL", "GENPASS", bad),
                             Err("ERR ACL GENPASS argument must be the number of bits for the output password, a "
                                 "positive number up to 4096"))
        self.assertEqual(self.conn().cmd("ACL", "GENPASS", "x"),
                         b"-ERR value is not an integer or out of range\r\n")


class Log(AclCase):
    def test_denials_are_logged_and_grouped(self):
        self.setuser("u", "on", ">pw", "~k*", "+get")
        c = self.login("u", "pw")
        c.cmd("SET", "k", "v")
        c.cmd("SET", "k", "v")
        c.cmd("GET", "other")
        self.conn().cmd("AUTH", "u", "wrong")
        log = [dict(zip([k.decode() for k in e[0::2]], e[1::2])) for e in self.cmd("ACL", "LOG")]
        self.assertEqual([(e["reason"], e["object"], e["username"], e["count"], e["context"]) for e in log],
                         [(b"auth", b"AUTH", b"u", 1, b"toplevel"), (b"key", b"other", b"u", 1, b"toplevel"),
                          (b"command", b"set", b"u", 2, b"toplevel")])
        self.assertIn(b" user=u ", log[1]["client-info"])
        self.assertIn(b" cmd=get ", log[1]["client-info"])
        self.assertFalse(log[1]["client-info"].endswith(b"\n"))
        self.assertLess(float(log[0]["age-seconds"]), 5)
        self.assertEqual(len(self.cmd("ACL", "LOG", "1")), 1)
        self.assertEqual(self.cmd("ACL", "LOG", "RESET"), "OK")
        self.assertEqual(self.cmd("ACL", "LOG"), [])

    def test_multi_context(self):
        self.setuser("u", "on", ">pw", "~*", "+multi")
        c = self.login("u", "pw")
        c.cmd("MULTI")
        c.cmd("GET", "k")
        self.assertEqual(self.cmd("ACL", "LOG")[0][5], b"multi")

    @needs_redis_72
    def test_entry_fields_72(self):
        self.conn().cmd("AUTH", "nouser", "x")
        self.conn().cmd("AUTH", "nouser2", "x")
        raw = decode(self.conn().cmd("ACL", "LOG"))
        fields = raw[0][0::2]
        self.assertEqual(fields, [b"count", b"reason", b"context", b"object", b"username", b"age-seconds",
                                  b"client-info", b"entry-id", b"timestamp-created", b"timestamp-last-updated"])
        self.assertEqual(raw[0][15] - raw[1][15], 1, "entry ids increase")

    def test_errors(self):
        self.assertEqual(self.conn().cmd("ACL", "LOG", "x"), b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(self.conn().cmd("ACL", "LOG", "-1"), b"*0\r\n")


class ClientCommands(AclCase):
    def test_client_kill_user(self):
        self.setuser("u", "on", ">pw", "+@all", "~*")
        a, b = self.login("u", "pw"), self.login("u", "pw")
        self.assertEqual(self.r.client_kill_filter(user="u"), 2)
        self.assertTrue(a.is_closed() and b.is_closed())
        self.assertError(lambda: self.r.client_kill_filter(user="nouser"), "No such user 'nouser'")


class NoAclFile(AclCase):
    def test_save_and_load_need_an_aclfile(self):
        text = ("This Redis instance is not configured to use an ACL file. You may want to specify users via "
                "the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
                "configuration file set) in order to store users in the Redis configuration.")
        self.assertError(lambda: self.r.acl_save(), text)
        self.assertError(lambda: self.r.acl_load(), text)

    def test_config_rewrite_writes_users(self):
        self.setuser("writer", "on", ">pw", "~w:*", "+set")
        self.r.config_rewrite()
        with open(self.server.conf_path) as f:
            lines = [l for l in f.read().splitlines() if l.startswith("user ")]
        self.assertIn("user default on nopass", lines[0])
        self.assertTrue(lines[1].startswith("user writer on "), lines)
        self.assertIn("#" + sha("pw"), lines[1])


class AclFile(ServerTestCase):
    ACL = "user default on nopass ~* &* +@all\nuser app on #%s ~app:* -@all +get +set\n" % sha("apppw")

    @classmethod
    def setUpClass(cls):
        path = os.path.join("/tmp", "sessionkv-acl-%d.acl" % os.getpid())
        with open(path, "w") as f:
            f.write(cls.ACL)
        cls.acl_path = path
        cls.CONFIG = {"aclfile": path}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        os.unlink(cls.acl_path)

    def test_loaded_at_start(self):
        c = self.server.raw()
        self.assertEqual(c.cmd("AUTH", "app", "apppw"), OK)
        self.assertEqual(c.cmd("SET", "app:1", "v"), OK)
        self.assertTrue(c.cmd("SET", "x", "v").startswith(b"-NOPERM"))
        c.close()

    def test_save_then_load(self):
        self.r.acl_setuser("saved", enabled=True, passwords=["+pw2"], keys=["s:*"], commands=["+get"])
        self.assertTrue(self.r.acl_save())
        with open(self.acl_path) as f:
            text = f.read()
        self.assertIn("user saved on ", text)
        self.assertIn("#" + sha("pw2"), text)
        self.assertNotIn("pw2 ", text, "the file holds only hashes")
        self.r.acl_deluser("saved")
        self.assertTrue(self.r.acl_load())
        self.assertIn("saved", self.r.acl_users())

    def test_load_errors_change_nothing(self):
        with open(self.acl_path, "w") as f:
            f.write(self.ACL + "user bad on +nosuch\nnotuser x\n")
        try:
            with self.assertRaises(redis.exceptions.ResponseError) as cm:
                self.r.acl_load()
            text = str(cm.exception)
            self.assertIn(":3: Error in applying operation '+nosuch': Unknown command or category name in ACL. ",
                          text)
            self.assertIn(":4 should start with user keyword followed by the username. ", text)
            self.assertTrue(text.endswith("WARNING: ACL errors detected, no change to the previously active ACL "
                                          "rules was performed"), text)
            self.assertNotIn("bad", self.r.acl_users())
        finally:
            with open(self.acl_path, "w") as f:
                f.write(self.ACL)

    def test_clients_of_replaced_users_are_closed(self):
        c = self.server.raw()
        self.assertEqual(c.cmd("AUTH", "app", "apppw"), OK)
        self.assertTrue(self.r.acl_load())
        self.assertTrue(c.is_closed())


class UsersInConfig(ServerTestCase):
    CONFIG = {"user": ["svc on >svcpw ~svc:* +@all", "default on nopass ~* &* +@all"]}

    def test_config_users(self):
        c = self.server.raw()
        self.assertEqual(c.cmd("AUTH", "svc", "svcpw"), OK)
        self.assertEqual(c.cmd("SET", "svc:1", "v"), OK)
        self.assertTrue(c.cmd("SET", "other", "v").startswith(b"-NOPERM"))
        c.close()


class Monitor(AclCase):
    def test_setuser_is_hidden_from_the_slowlog(self):
        self.r.config_set("slowlog-log-slower-than", 0)
        try:
            self.setuser("u", "on", ">secretpass")
            entries = self.r.slowlog_get(10)
            args = [e["command"] for e in entries]
            self.assertFalse(any(b"secretpass" in a for a in args), args)
        finally:
            self.r.config_set("slowlog-log-slower-than", 10000)


if __name__ == "__main__":
    main()

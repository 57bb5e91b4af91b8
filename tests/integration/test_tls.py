# SPDX-License-Identifier: Apache-2.0
"""TLS for clients against the real server: the tls-* directives with Redis 7's names, defaults and
CONFIG GET/SET behaviour, the plain and the TLS port side by side on the same data, mutual TLS
(tls-auth-clients yes / optional / no), certificate reloads on CONFIG SET, and clients that misbehave on
the TLS port (garbage, a handshake stopped halfway) without disturbing the others.

The certificates are made here with the openssl CLI (a CA, another CA, server and client certificates, an
encrypted key, DH parameters); without openssl every test is skipped. Clients are redis-cli --tls,
redis-py with ssl=True and Python's ssl module for the handshake-level checks.

Every test passes against Redis 7.0.15 (SESSIONKV_TEST_TARGET=redis, Debian builds it with TLS) but those
marked @sessionkv_only (tls-handshake-timeout-ms) and @needs_redis_72 (INFO's listener lines, the
addresses in the log line of a failed handshake).
"""
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

import redis

from support.server import (REDIS_CLI, TARGET, Server, ServerTestCase, free_port, main, needs_redis_72,
                            sessionkv_only)

CERTS = None  # the module's certificate directory (setUpModule)


class Certificates:
    """A CA and another CA; server certificates for localhost / 127.0.0.1 (server from the CA, server-other
    from the other CA with the same key, server2 from the CA with its own key); client certificates from each
    CA; the server key encrypted with a passphrase; ffdhe2048 DH parameters."""

    PASSPHRASE = "s3cret-pass"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sessionkv-tls-")
        self.ca("ca")
        self.ca("other-ca")
        self.leaf("server", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1")
        self.leaf("server-other", "other-ca", "subjectAltName=DNS:localhost,IP:127.0.0.1", key="server")
        self.leaf("server2", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1")
        self.leaf("client", "ca", "extendedKeyUsage=clientAuth")
        self.leaf("client-other", "other-ca", "extendedKeyUsage=clientAuth")
        self.openssl("pkey", "-in", self.path("server.key"), "-aes256", "-passout", "pass:" + self.PASSPHRASE,
                     "-out", self.path("server-encrypted.key"))
        self.openssl("genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048",
                     "-out", self.path("dh.pem"))

    def path(self, name):
        return os.path.join(self.dir, name)

    def openssl(self, *args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, timeout=60)

    def ca(self, name):
        self.openssl("req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-days", "2",
                     "-subj", "/CN=sessionkv test %s" % name,
                     "-keyout", self.path(name + ".key"), "-out", self.path(name + ".crt"))

    def leaf(self, name, ca, extension, key=None):
        ext = self.path(name + ".ext")
        with open(ext, "w") as f:
            f.write(extension + "\n")
        if key is None:
            self.openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                         "-out", self.path(name + ".key"))
        self.openssl("req", "-new", "-key", self.path((key or name) + ".key"), "-subj", "/CN=localhost",
                     "-out", self.path(name + ".csr"))
        self.openssl("x509", "-req", "-in", self.path(name + ".csr"), "-CA", self.path(ca + ".crt"),
                     "-CAkey", self.path(ca + ".key"), "-CAcreateserial", "-days", "2", "-extfile", ext,
                     "-out", self.path(name + ".crt"))


def setUpModule():
    global CERTS
    if shutil.which("openssl") is None:
        raise unittest.SkipTest("the openssl CLI is not installed: the TLS tests make their certificates with it")
    CERTS = Certificates()


def tearDownModule():
    if CERTS is not None:
        shutil.rmtree(CERTS.dir, ignore_errors=True)


def tls_config(**extra):
    conf = {"tls-cert-file": CERTS.path("server.crt"), "tls-key-file": CERTS.path("server.key"),
            "tls-ca-cert-file": CERTS.path("ca.crt")}
    conf.update(extra)
    return conf


def tls_socket(port, cert="client", ca="ca", timeout=10, **context_options):
    """A TLS socket to 127.0.0.1:port, verifying the server against `ca` and presenting `cert` (None: no
    client certificate). context_options set attributes of the ssl.SSLContext (maximum_version, ...)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(CERTS.path(ca + ".crt"))
    if cert:
        ctx.load_cert_chain(CERTS.path(cert + ".crt"), CERTS.path(cert + ".key"))
    for name, value in context_options.items():
        setattr(ctx, name, value)
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        return ctx.wrap_socket(sock, server_hostname="localhost")
    except BaseException:
        sock.close()
        raise


def tls_ping(port, **kw):
    """PING over a fresh TLS connection: the reply's bytes."""
    with tls_socket(port, **kw) as s:
        s.sendall(b"PING\r\n")
        return s.recv(64)


def refused(port, **kw):
    """True if a TLS client with these options gets no reply: its handshake fails, or (TLS 1.3, where the
    client finishes first) the server's alert or close comes instead of +PONG."""
    try:
        return tls_ping(port, **kw) == b""
    except (ssl.SSLError, OSError):
        return True


def tls_client(port, cert="client", **kw):
    """A redis-py client over TLS (ssl=True with the test CA and, unless cert is None, a client certificate)."""
    kw.setdefault("socket_timeout", 10)
    if cert:
        kw.update(ssl_certfile=CERTS.path(cert + ".crt"), ssl_keyfile=CERTS.path(cert + ".key"))
    return redis.Redis(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=CERTS.path("ca.crt"),
                       ssl_cert_reqs="required", **kw)


def partial_client_hello():
    """The first half of a real TLS ClientHello: a handshake stopped halfway."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outgoing.read()
    return hello[:len(hello) // 2]


class TlsServer(Server):
    """A Server with a TLS port; with "port": "0" in the config it listens on TLS only and start-up waits
    for a PING over TLS."""

    def __init__(self, config=None, args=None):
        self.tls_port = free_port()
        conf = {"tls-port": str(self.tls_port)}
        if TARGET != "redis":
            conf["tls-handshake-timeout-ms"] = "10000"
        conf.update(config or {})
        self.tls_only = conf.get("port") == "0"
        super().__init__(conf, args)

    def _wait_ready(self, timeout=20.0, poll_s=0.05):
        if not self.tls_only:
            return super()._wait_ready(timeout, poll_s)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s during start-up:\n%s" % (self.proc.returncode, self.read_log()))
            try:
                if tls_ping(self.tls_port, timeout=0.5).startswith((b"+PONG", b"-NOAUTH")):
                    return []
            except (OSError, ssl.SSLError):
                pass
            time.sleep(poll_s)
        raise RuntimeError("server not ready over TLS after %ss:\n%s" % (timeout, self.read_log()))


def start_failure(config):
    """Starts a server that must refuse to start: its log."""
    try:
        server = TlsServer(config)
    except RuntimeError as e:
        return str(e)
    server.stop()
    raise AssertionError("the server started with %r" % config)


class TlsTestCase(ServerTestCase):
    CONFIG = {}

    @classmethod
    def setUpClass(cls):
        cls.server = TlsServer(tls_config(**cls.CONFIG), cls.ARGS)

    def tls(self, cert="client", **kw):
        c = tls_client(self.server.tls_port, cert, **kw)
        self.addCleanup(c.close)
        return c

    def assertRefused(self, **kw):
        self.assertTrue(refused(self.server.tls_port, **kw), "the server answered a client it should refuse")

    def config_set(self, *pairs):
        """CONFIG SET with several pairs at once (redis-py 4.3's config_set takes one)."""
        return self.r.execute_command("CONFIG", "SET", *pairs)

    def wait_for_log(self, *texts, timeout=5):
        """The first line of the server's log holding every one of `texts`."""
        deadline = time.time() + timeout
        while True:
            for line in self.server.read_log().splitlines():
                if all(t in line for t in texts):
                    return line
            if time.time() > deadline:
                self.fail("no log line with %r in:\n%s" % (texts, self.server.read_log()[-3000:]))
            time.sleep(0.05)

    def cli(self, *args, cert="client"):
        argv = [REDIS_CLI, "-h", "127.0.0.1", "-p", str(self.server.tls_port), "--tls",
                "--cacert", CERTS.path("ca.crt")]
        if cert:
            argv += ["--cert", CERTS.path(cert + ".crt"), "--key", CERTS.path(cert + ".key")]
        p = subprocess.run(argv + list(args), capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout, p.stderr


class TlsClients(TlsTestCase):
    def test_redis_cli_ping_set_get(self):
        self.assertEqual(self.cli("PING")[1], "PONG\n")
        self.assertEqual(self.cli("SET", "greeting", "hello over tls")[1], "OK\n")
        self.assertEqual(self.cli("GET", "greeting")[1], "hello over tls\n")

    def test_redis_py_with_ssl(self):
        c = self.tls()
        self.assertTrue(c.ping())
        self.assertTrue(c.set("k", "v"))
        self.assertEqual(c.get("k"), b"v")
        c.hset("spring:session:sessions:1", mapping={"creationTime": "1", "maxInactiveInterval": "1800"})
        self.assertEqual(c.hgetall("spring:session:sessions:1"),
                         {b"creationTime": b"1", b"maxInactiveInterval": b"1800"})

    def test_plain_and_tls_ports_share_the_data(self):
        c = self.tls()
        self.r.set("from-plain", "1")
        self.assertEqual(c.get("from-plain"), b"1")
        c.set("from-tls", "2")
        self.assertEqual(self.r.get("from-tls"), b"2")
        # One server, one client list: the TLS client is there with the same fields as a plain one.
        c.client_setname("tls-client")
        clients = {info["name"]: info for info in self.r.client_list()}
        self.assertIn("tls-client", clients)
        self.assertEqual(clients["tls-client"]["laddr"], "127.0.0.1:%d" % self.server.tls_port)
        plain = self.r.client_info()
        self.assertEqual(list(c.client_info().keys()), list(plain.keys()))

    def test_big_values_and_pipelines(self):
        c = self.tls()
        value = os.urandom(3 * 1024 * 1024)  # many TLS records, partial reads and writes
        c.set("big", value)
        self.assertEqual(c.get("big"), value)
        self.assertEqual(self.r.strlen("big"), len(value))
        pipe = c.pipeline(transaction=False)
        for i in range(2000):
            pipe.incr("counter")
        self.assertEqual(pipe.execute()[-1], 2000)

    def test_client_without_certificate_is_refused(self):
        self.assertRefused(cert=None)
        code, out, err = self.cli("PING", cert=None)
        self.assertNotEqual(out, "PONG\n")
        self.wait_for_log("Error accepting a client connection: ", "peer did not return a certificate")
        self.assertTrue(self.tls().ping())

    def test_client_certificate_from_another_ca_is_refused(self):
        self.assertRefused(cert="client-other")
        self.wait_for_log("Error accepting a client connection: ", "certificate verify failed")
        self.assertTrue(self.tls().ping())

    @needs_redis_72
    def test_failed_handshake_log_names_the_addresses(self):
        self.assertRefused(cert=None)
        line = self.wait_for_log("Error accepting a client connection: ", "peer did not return a certificate")
        self.assertRegex(line, r" # Error accepting a client connection: error:[0-9A-F]+:SSL routines::peer did "
                               r"not return a certificate \(addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:%d\)$"
                         % self.server.tls_port)

    def test_client_must_trust_the_server(self):
        with self.assertRaises(ssl.SSLCertVerificationError):
            tls_ping(self.server.tls_port, ca="other-ca")

    @needs_redis_72
    def test_info_lists_both_listeners(self):
        info = self.conn().cmd("INFO", "server").decode()
        self.assertIn("\r\nlistener0:name=tcp,bind=127.0.0.1,port=%d\r\n" % self.server.port, info)
        self.assertIn("\r\nlistener2:name=tls,bind=127.0.0.1,port=%d\r\n" % self.server.tls_port, info)

    def test_tls_clients_count_in_info_and_stats(self):
        before = self.r.info("stats")["total_connections_received"]
        clients = [self.tls() for _ in range(3)]
        for c in clients:
            c.ping()
        self.assertEqual(self.r.info("stats")["total_connections_received"], before + 3)
        self.assertGreaterEqual(self.r.info("clients")["connected_clients"], 4)


class Misbehaving(TlsTestCase):
    def test_garbage_on_the_tls_port_does_not_disturb_others(self):
        c = self.tls()
        self.assertTrue(c.ping())
        garbage = [b"PING\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"\x00" + os.urandom(4095), b"\x16\x03\x01\xff\xff" + os.urandom(64)]
        socks = []
        for data in garbage:
            s = socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=5)
            self.addCleanup(s.close)
            s.sendall(data)
            socks.append(s)
        for s in socks[:3]:  # the last one announced a record longer than any: it may wait for the rest
            try:
                while s.recv(4096):
                    pass  # a TLS alert, then the close
            except ConnectionResetError:
                pass
        self.assertTrue(c.ping())
        self.assertTrue(self.r.ping())
        self.assertTrue(self.tls().ping())
        self.wait_for_log("Error accepting a client connection: ")

    def test_half_done_handshakes_do_not_block_other_clients(self):
        hello = partial_client_hello()
        stalled = []
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=5)
            self.addCleanup(s.close)
            s.sendall(hello)
            stalled.append(s)
        started = time.monotonic()
        c = self.tls()
        self.assertTrue(c.ping())
        self.assertTrue(c.set("k", "v"))
        self.assertEqual(self.r.get("k"), b"v")
        self.assertLess(time.monotonic() - started, 8)


@sessionkv_only
class HandshakeTimeout(TlsTestCase):
    # Short enough for a quick test, long enough for a real client's handshake on a loaded machine.
    CONFIG = {"tls-handshake-timeout-ms": "1500"}

    def test_a_stalled_handshake_is_closed_and_logged(self):
        s = socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=10)
        self.addCleanup(s.close)
        s.sendall(partial_client_hello())
        started = time.monotonic()
        self.assertEqual(s.recv(4096), b"")  # closed by the server
        self.assertLess(time.monotonic() - started, 8)
        self.wait_for_log("Error accepting a client connection: TLS handshake timed out (addr=127.0.0.1:")
        self.assertTrue(self.tls().ping())

    def test_a_silent_client_is_closed_too(self):
        s = socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=10)
        self.addCleanup(s.close)
        self.assertEqual(s.recv(4096), b"")

    def test_the_timeout_is_a_config_parameter(self):
        self.assertEqual(self.r.config_get("tls-handshake-timeout-ms"), {"tls-handshake-timeout-ms": "1500"})
        self.assertTrue(self.r.config_set("tls-handshake-timeout-ms", "0"))
        self.addCleanup(self.r.config_set, "tls-handshake-timeout-ms", "1500")
        s = socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=2.5)
        self.addCleanup(s.close)
        with self.assertRaises(socket.timeout):
            s.recv(4096)  # 0: no limit


class AuthClientsOptional(TlsTestCase):
    CONFIG = {"tls-auth-clients": "optional"}

    def test_a_client_without_certificate_is_accepted(self):
        self.assertEqual(tls_ping(self.server.tls_port, cert=None), b"+PONG\r\n")
        self.assertEqual(self.cli("PING", cert=None)[1], "PONG\n")

    def test_a_valid_certificate_is_accepted_and_a_bad_one_refused(self):
        self.assertEqual(tls_ping(self.server.tls_port), b"+PONG\r\n")
        self.assertRefused(cert="client-other")


class AuthClientsAtRunTime(TlsTestCase):
    def test_config_set_changes_new_connections(self):
        self.addCleanup(self.r.config_set, "tls-auth-clients", "yes")
        kept = self.tls()
        self.assertTrue(kept.ping())
        self.assertTrue(self.r.config_set("tls-auth-clients", "no"))
        self.assertEqual(tls_ping(self.server.tls_port, cert=None), b"+PONG\r\n")
        self.assertEqual(tls_ping(self.server.tls_port, cert="client-other"), b"+PONG\r\n")  # not even asked
        self.assertTrue(self.r.config_set("tls-auth-clients", "optional"))
        self.assertEqual(tls_ping(self.server.tls_port, cert=None), b"+PONG\r\n")
        self.assertRefused(cert="client-other")
        self.assertTrue(self.r.config_set("tls-auth-clients", "YES"))
        self.assertEqual(self.r.config_get("tls-auth-clients"), {"tls-auth-clients": "yes"})
        self.assertRefused(cert=None)
        self.assertTrue(kept.ping())

    def test_bad_value(self):
        with self.assertRaises(redis.ResponseError) as cm:
            self.r.config_set("tls-auth-clients", "maybe")
        self.assertEqual(str(cm.exception), "CONFIG SET failed (possibly related to argument 'tls-auth-clients') - "
                                            "argument(s) must be one of the following: no, yes, optional")


class Reload(TlsTestCase):
    """CONFIG SET of a tls-* file rebuilds the context; the files' paths are volatile (setting the same path
    again reloads it, which is how certificates are rotated)."""

    @classmethod
    def setUpClass(cls):
        cls.rotating = os.path.join(CERTS.dir, "rotating-%d.crt" % os.getpid())
        shutil.copy(CERTS.path("server.crt"), cls.rotating)
        cls.CONFIG = {"tls-cert-file": cls.rotating}
        super().setUpClass()

    def setUp(self):
        super().setUp()
        shutil.copy(CERTS.path("server.crt"), self.rotating)
        self.r.config_set("tls-cert-file", self.rotating)
        self.r.config_set("tls-protocols", "")

    def test_setting_the_same_path_reloads_the_file(self):
        kept = self.tls()
        self.assertTrue(kept.ping())
        shutil.copy(CERTS.path("server-other.crt"), self.rotating)
        self.assertEqual(tls_ping(self.server.tls_port), b"+PONG\r\n")  # not reloaded yet
        self.assertTrue(self.r.config_set("tls-cert-file", self.rotating))
        self.assertEqual(tls_ping(self.server.tls_port, ca="other-ca"), b"+PONG\r\n")
        with self.assertRaises(ssl.SSLCertVerificationError):
            tls_ping(self.server.tls_port)
        self.assertTrue(kept.ping())  # connections keep the context they were accepted with

    def test_a_bad_file_keeps_the_old_context(self):
        with self.assertRaises(redis.ResponseError) as cm:
            self.r.config_set("tls-cert-file", "/nonexistent/server.crt")
        self.assertEqual(str(cm.exception), "CONFIG SET failed (possibly related to argument 'tls-cert-file') - "
                                            "Unable to update TLS configuration. Check server logs.")
        self.wait_for_log("Failed to load certificate: /nonexistent/server.crt: ")
        self.assertEqual(self.r.config_get("tls-cert-file"), {"tls-cert-file": self.rotating})
        self.assertEqual(tls_ping(self.server.tls_port), b"+PONG\r\n")

    def test_a_key_that_does_not_match_is_refused(self):
        with self.assertRaises(redis.ResponseError):
            self.r.config_set("tls-key-file", CERTS.path("server2.key"))
        self.wait_for_log("Failed to load private key: %s: " % CERTS.path("server2.key"), "key values mismatch")
        self.assertEqual(self.r.config_get("tls-key-file"), {"tls-key-file": CERTS.path("server.key")})
        self.assertEqual(tls_ping(self.server.tls_port), b"+PONG\r\n")
        # A certificate and its key set in one CONFIG SET are applied together.
        self.addCleanup(self.config_set, "tls-cert-file", self.rotating, "tls-key-file", CERTS.path("server.key"))
        self.assertTrue(self.config_set("tls-cert-file", CERTS.path("server2.crt"),
                                        "tls-key-file", CERTS.path("server2.key")))
        with open(CERTS.path("server2.crt")) as f:
            expected = ssl.PEM_cert_to_DER_cert(f.read())
        with tls_socket(self.server.tls_port) as s:
            self.assertEqual(s.getpeercert(binary_form=True), expected)

    def test_protocols(self):
        self.assertTrue(self.r.config_set("tls-protocols", "TLSv1.2"))
        self.assertEqual(tls_ping(self.server.tls_port, maximum_version=ssl.TLSVersion.TLSv1_2), b"+PONG\r\n")
        with self.assertRaises(ssl.SSLError):
            tls_ping(self.server.tls_port, minimum_version=ssl.TLSVersion.TLSv1_3)
        with self.assertRaises(redis.ResponseError) as cm:
            self.r.config_set("tls-protocols", "TLSv1.2 SSLv3")
        self.assertIn("Unable to update TLS configuration", str(cm.exception))
        self.wait_for_log("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.")
        self.assertEqual(self.r.config_get("tls-protocols"), {"tls-protocols": "TLSv1.2"})
        self.assertTrue(self.r.config_set("tls-protocols", "tlsv1.3"))
        self.assertEqual(tls_ping(self.server.tls_port, minimum_version=ssl.TLSVersion.TLSv1_3), b"+PONG\r\n")

    def test_ciphers_and_ciphersuites(self):
        self.addCleanup(self.r.config_set, "tls-ciphers", "")
        self.addCleanup(self.r.config_set, "tls-ciphersuites", "")
        self.assertTrue(self.r.config_set("tls-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"))
        with tls_socket(self.server.tls_port, minimum_version=ssl.TLSVersion.TLSv1_3) as s:
            self.assertEqual(s.cipher()[0], "TLS_CHACHA20_POLY1305_SHA256")
        self.assertTrue(self.r.config_set("tls-ciphers", "ECDHE-RSA-AES128-GCM-SHA256"))
        with tls_socket(self.server.tls_port, maximum_version=ssl.TLSVersion.TLSv1_2) as s:
            self.assertEqual(s.cipher()[0], "ECDHE-RSA-AES128-GCM-SHA256")
        with self.assertRaises(redis.ResponseError):
            self.r.config_set("tls-ciphers", "NO-SUCH-CIPHER")
        self.wait_for_log("Failed to configure ciphers: NO-SUCH-CIPHER")

    def test_dh_params_file(self):
        self.addCleanup(self.r.config_set, "tls-dh-params-file", "")
        self.addCleanup(self.r.config_set, "tls-ciphers", "")
        self.assertTrue(self.config_set("tls-dh-params-file", CERTS.path("dh.pem"),
                                        "tls-ciphers", "DHE-RSA-AES256-GCM-SHA384"))
        with tls_socket(self.server.tls_port, maximum_version=ssl.TLSVersion.TLSv1_2) as s:
            self.assertEqual(s.cipher()[0], "DHE-RSA-AES256-GCM-SHA384")
            s.sendall(b"PING\r\n")
            self.assertEqual(s.recv(64), b"+PONG\r\n")
        with self.assertRaises(redis.ResponseError):
            self.r.config_set("tls-dh-params-file", CERTS.path("server.crt"))
        self.wait_for_log("%s: failed to read DH params." % CERTS.path("server.crt"))


class TlsPortAtRunTime(ServerTestCase):
    """A server started without TLS (the files set, tls-port 0): CONFIG SET tls-port opens and closes the
    TLS listener; the other tls-* settings are accepted without a context while TLS is off."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(tls_config())

    def test_defaults(self):
        names = ["tls-port", "tls-auth-clients", "tls-protocols", "tls-ciphers", "tls-ciphersuites",
                 "tls-prefer-server-ciphers", "tls-session-caching", "tls-session-cache-size",
                 "tls-session-cache-timeout", "tls-key-file-pass", "tls-ca-cert-dir", "tls-dh-params-file"]
        got = {name: self.r.config_get(name)[name] for name in names}
        self.assertEqual(got, {"tls-port": "0", "tls-auth-clients": "yes", "tls-protocols": "", "tls-ciphers": "",
                               "tls-ciphersuites": "", "tls-prefer-server-ciphers": "no",
                               "tls-session-caching": "yes", "tls-session-cache-size": "20480",
                               "tls-session-cache-timeout": "300", "tls-key-file-pass": "",
                               "tls-ca-cert-dir": "", "tls-dh-params-file": ""})
        self.assertEqual(self.r.config_get("tls-cert-file"), {"tls-cert-file": CERTS.path("server.crt")})

    def test_settings_are_not_checked_while_tls_is_off(self):
        self.addCleanup(self.r.config_set, "tls-protocols", "")
        self.assertTrue(self.r.config_set("tls-protocols", "SSLv2"))
        self.assertEqual(self.r.config_get("tls-protocols"), {"tls-protocols": "SSLv2"})

    def test_open_and_close_the_tls_port(self):
        port = free_port()
        self.assertTrue(self.r.config_set("tls-port", str(port)))
        self.addCleanup(self.r.config_set, "tls-port", "0")
        c = tls_client(port)
        self.addCleanup(c.close)
        self.assertTrue(c.set("k", "v"))
        self.assertEqual(self.r.get("k"), b"v")
        self.assertTrue(self.r.config_set("tls-port", "0"))
        deadline = time.time() + 5
        while True:  # the listener closes on the accepting thread
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except ConnectionRefusedError:
                break
            self.assertLess(time.time(), deadline, "the TLS port still accepts")
            time.sleep(0.05)
        self.assertEqual(c.get("k"), b"v")  # an open TLS connection stays

    def test_a_port_in_use(self):
        with self.assertRaises(redis.ResponseError) as cm:
            self.r.config_set("tls-port", str(self.server.port))
        self.assertEqual(str(cm.exception), "CONFIG SET failed (possibly related to argument 'tls-port') - "
                                            "Unable to listen on this port. Check server logs.")
        self.assertEqual(self.r.config_get("tls-port"), {"tls-port": "0"})
        self.assertTrue(self.r.ping())


class Startup(unittest.TestCase):
    def test_tls_only(self):
        server = TlsServer(tls_config(port="0"))
        self.addCleanup(server.stop)
        c = tls_client(server.tls_port)
        self.addCleanup(c.close)
        self.assertTrue(c.set("k", "v"))
        self.assertEqual(c.config_get("port"), {"port": "0"})
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()

    def assertStartFails(self, conf, reason):
        """The server refuses to start with `conf`, logging `reason` and then Redis's last words."""
        log = start_failure(conf)
        self.assertIn("# " + reason, log)
        self.assertIn("# Failed to configure TLS. Check logs for more info.", log)

    def test_missing_certificate_stops_the_start(self):
        self.assertStartFails(tls_config(**{"tls-cert-file": "/nonexistent/server.crt"}),
                              "Failed to load certificate: /nonexistent/server.crt: ")

    def test_missing_key_file_setting_stops_the_start(self):
        conf = tls_config()
        del conf["tls-key-file"]
        self.assertStartFails(conf, "No tls-key-file configured!")

    def test_client_authentication_needs_a_ca(self):
        conf = tls_config()
        del conf["tls-ca-cert-file"]
        self.assertStartFails(conf, "Either tls-ca-cert-file or tls-ca-cert-dir must be specified")

    def test_no_client_authentication_needs_no_ca(self):
        conf = tls_config(**{"tls-auth-clients": "no"})
        del conf["tls-ca-cert-file"]
        server = TlsServer(conf)
        self.addCleanup(server.stop)
        self.assertEqual(tls_ping(server.tls_port, cert=None), b"+PONG\r\n")

    def test_encrypted_key(self):
        conf = tls_config(**{"tls-key-file": CERTS.path("server-encrypted.key")})
        self.assertStartFails(conf, "Failed to load private key: %s: " % CERTS.path("server-encrypted.key"))
        conf["tls-key-file-pass"] = Certificates.PASSPHRASE
        server = TlsServer(conf)
        self.addCleanup(server.stop)
        self.assertEqual(tls_ping(server.tls_port), b"+PONG\r\n")

    def test_ca_cert_dir(self):
        ca_dir = tempfile.mkdtemp(prefix="sessionkv-ca-dir-")
        self.addCleanup(shutil.rmtree, ca_dir, True)
        shutil.copy(CERTS.path("ca.crt"), ca_dir)
        subprocess.run(["openssl", "rehash", ca_dir], check=True, capture_output=True)
        conf = tls_config(**{"tls-ca-cert-dir": ca_dir})
        del conf["tls-ca-cert-file"]
        server = TlsServer(conf)
        self.addCleanup(server.stop)
        self.assertEqual(tls_ping(server.tls_port), b"+PONG\r\n")
        self.assertTrue(refused(server.tls_port, cert="client-other"))

    def test_io_threads_serve_tls_clients_concurrently(self):
        server = TlsServer(tls_config(**{"io-threads": "2"}))
        self.addCleanup(server.stop)
        errors = []

        def work():
            try:
                c = tls_client(server.tls_port)
                for _ in range(300):
                    c.incr("shared")
                c.close()
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        self.assertEqual(server.client().get("shared"), b"1800")

    def test_shutdown_with_idle_tls_clients(self):
        server = TlsServer(tls_config())
        self.addCleanup(server.stop)
        idle = tls_socket(server.tls_port)
        self.addCleanup(idle.close)
        idle.sendall(b"PING\r\n")
        self.assertEqual(idle.recv(64), b"+PONG\r\n")
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        self.assertEqual(server.proc.wait(15), 0)
        self.assertLess(time.monotonic() - started, 5)
        try:
            self.assertEqual(idle.recv(64), b"")  # close_notify or FIN, no reply bytes
        except (ssl.SSLError, OSError):
            pass


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: Apache-2.0
"""What the server-command suites share (test_info.py, test_server_commands.py): Redis's reply constants,
INFO and HELP parsers, and ServerCase, a test case with raw connections closed after each test."""
import re

from support.server import ServerTestCase
from test_protocol import decode

SYNTAX = b"-ERR syntax error\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
BAD_COUNT = b"-ERR count should be greater than or equal to -1\r\n"
CONFIG_FAILED = b"-ERR CONFIG SET failed (possibly related to argument '%s') - %s\r\n"
OOM = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
PERCENTILES = "latency-tracking-info-percentiles"


def unknown_subcommand(sub, container):
    return b"-ERR unknown subcommand '%s'. Try %s HELP.\r\n" % (sub.encode(), container.encode())
DEFAULT_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules",
                    "Errorstats", "Cluster", "Keyspace"]
ALL_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules",
                "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"]


def help_entries(lines):
    """HELP lines -> (header, [(subcommand name, [its lines])]) : an entry starts at a line that is not
    indented and runs until the next one."""
    header, entries = lines[0], []
    for line in lines[1:]:
        if line.startswith(" "):
            entries[-1][1].append(line)
        else:
            entries.append((line.split(" ")[0], [line]))
    return header, entries


def parse_info(text):
    """INFO text -> {section: {key: value}} in order; asserts the line format on the way."""
    sections = {}
    current = None
    assert text.endswith("\r\n"), repr(text[-20:])
    for line in text[:-2].split("\r\n"):
        if line.startswith("# "):
            current = line[2:]
            sections[current] = {}
        elif line:
            assert current is not None and ":" in line, line
            key, _, value = line.partition(":")
            sections[current][key] = value
    return sections


def properties_load(text):
    """What java.util.Properties.load (Spring Boot's health indicator) makes of the INFO text: '#' lines
    are comments; the key ends at the first '=', ':' or whitespace; a backslash escapes."""
    result = {}
    for line in text.splitlines():
        line = line.lstrip(" \t\f")
        if not line or line[0] in "#!":
            continue
        m = re.match(r"((?:[^=:\s\\]|\\.)*)\s*[=:]?\s*(.*)$", line)
        result[m.group(1)] = m.group(2)
    return result


def stat_fields(value):
    """"calls=1,usec=2,usec_per_call=2.00" -> {"calls": "1", ...}"""
    return dict(item.split("=", 1) for item in value.split(","))


class ServerCase(ServerTestCase):
    """Raw connections per test, closed afterwards."""

    def setUp(self):
        super().setUp()
        self.c = self.conn()

    def info(self, *sections, conn=None):
        raw = (conn or self.c).cmd("INFO", *sections)
        self.assertTrue(raw.startswith(b"$"), raw[:200])
        return decode(raw).decode()

    def assertHelp(self, container, redis_lines, required):
        """CONTAINER HELP answers with Redis's header and, for each subcommand it lists, Redis's exact
        entry, in Redis's order. Only subcommands that exist may be listed (a server may lack some of
        Redis's), and `required` ones must be."""
        reply = decode(self.c.cmd(container, "HELP"))
        self.assertIsInstance(reply, list, reply)
        header, entries = help_entries(reply)
        redis_header, redis_entries = help_entries(redis_lines)
        self.assertEqual(header, redis_header)
        redis_order = [name for name, _ in redis_entries]
        names = [name for name, _ in entries]
        self.assertEqual(names, [n for n in redis_order if n in names], "unknown or reordered entries")
        self.assertLessEqual(set(required) | {"HELP"}, set(names))
        self.assertEqual(entries, [e for e in redis_entries if e[0] in names])
        unknown = b"-ERR unknown subcommand"
        for name in names:
            if name.startswith("("):  # "(no subcommand)"
                continue
            with self.subTest(subcommand=name):
                self.assertFalse(self.c.cmd(container, name).startswith(unknown), "listed but missing")

    def info_fields(self, *sections):
        merged = {}
        for fields in parse_info(self.info(*sections)).values():
            merged.update(fields)
        return merged

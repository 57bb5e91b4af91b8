#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails if a layer includes a layer above it (design.md "Layout": arrows point down the stack only)."""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# folder -> include prefixes it must never use
FORBIDDEN = {
    "base": ["protocol/", "storage/", "server/", "replication/", "clients/", "asio"],
    "protocol": ["storage/", "server/", "replication/", "clients/", "asio", "prometheus/", "CivetServer"],
    "storage": ["protocol/", "server/", "replication/", "clients/", "asio", "prometheus/", "CivetServer"],
    "replication": ["server/", "clients/"],
    "clients": ["storage/", "server/", "replication/", "prometheus/", "CivetServer"],
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')

errors = []
for folder, banned in FORBIDDEN.items():
    for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
        for name in files:
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if m and any(m.group(1).startswith(b) for b in banned):
                        errors.append("%s:%d includes %s" % (os.path.relpath(path, ROOT), lineno, m.group(1)))
for e in errors:
    print(e)
print("%d passed, %d failed" % (0 if errors else 1, 1 if errors else 0))
sys.exit(1 if errors else 0)

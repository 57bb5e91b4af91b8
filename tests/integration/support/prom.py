# SPDX-License-Identifier: Apache-2.0
"""A strict reader of the Prometheus text exposition format (0.0.4), for checking /metrics.

Strict on purpose: every sample must belong to a family declared by # TYPE before it, names and label
names must be valid, label values must use only the format's escapes, and a family may be declared once.
"""
import re

NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"')
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("", "_sum", "_count")}


class Family:
    def __init__(self, name, kind):
        self.name, self.type, self.help, self.samples = name, kind, None, []

    def value(self, **labels):
        """The value of the sample with exactly these labels (None if absent)."""
        for name, lbls, value in self.samples:
            if name == self.name and lbls == labels:
                return value
        return None


def parse(text):
    """{family name: Family}; raises ValueError on anything malformed."""
    families = {}
    current = None
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            families.setdefault(name, Family(name, None)).help = help_text
            continue
        if line.startswith("# TYPE "):
            name, kind = line[7:].split(" ")
            if not NAME.match(name) or kind not in ("counter", "gauge", "histogram", "summary", "untyped"):
                raise ValueError("bad TYPE line: " + line)
            fam = families.setdefault(name, Family(name, kind))
            if fam.type is not None and fam.samples:
                raise ValueError("family declared twice: " + name)
            fam.type = kind
            current = fam
            continue
        if line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$", line)
        if not m:
            raise ValueError("bad sample line: " + line)
        name, label_text, value = m.group(1), m.group(3) or "", m.group(4)
        labels = {}
        rest = label_text
        while rest:
            lm = LABEL.match(rest)
            if not lm:
                raise ValueError("bad labels: " + line)
            labels[lm.group(1)] = lm.group(2).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
            rest = rest[lm.end():].lstrip(",")
        if current is None or not any(name == current.name + s
                                      for s in SUFFIXES.get(current.type, ("",))):
            raise ValueError("sample outside its family: " + line)
        current.samples.append((name, labels, float(value)))
    return families

# SPDX-License-Identifier: Apache-2.0
"""A small renderer for the subset of Helm's Go templates that deploy/helm/sessionkv uses, for tests only.

helm is not packaged in Debian 12, so the chart's tests render it with this: text and actions with trim
markers ({{- -}}), comments, define/include, if/else, with, range over lists, variables ($x := ...),
field chains (.Values.a.b, $root.Chart.Name), parenthesised calls and pipelines, and the Sprig functions the
chart calls (default, trunc, trimSuffix, printf, quote, nindent, indent, toYaml, dict, and, or, not, eq,
b64enc, fail). Anything else raises, so a template that strays outside the subset fails its test instead of
rendering wrongly.
"""
import base64
import copy
import os
import re

import yaml

TOKEN = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)


class RenderError(Exception):
    pass


def tokenize(src):
    """[('text', s) | ('action', s)] with trim markers applied to the neighbouring text."""
    out, pos = [], 0
    for m in TOKEN.finditer(src):
        text = src[pos:m.start()]
        if m.group(1):
            text = text.rstrip()
        out.append(["text", text])
        out.append(["action", m.group(2), bool(m.group(3))])
        pos = m.end()
    out.append(["text", src[pos:]])
    for i, tok in enumerate(out):
        if tok[0] == "action" and tok[2] and i + 1 < len(out):
            out[i + 1][1] = out[i + 1][1].lstrip()
    return [(t[0], t[1]) for t in out if not (t[0] == "action" and t[1].startswith("/*"))]


def parse(tokens, pos=0, stop=("end",)):
    """A node list up to one of the `stop` keywords; returns (nodes, pos of the stopper, stopper)."""
    nodes = []
    while pos < len(tokens):
        kind, body = tokens[pos]
        if kind == "text":
            nodes.append(("text", body))
            pos += 1
            continue
        word = body.split(None, 1)[0] if body else ""
        if word in stop:
            return nodes, pos, body
        if word in ("if", "with", "range"):
            inner, pos, stopper = parse(tokens, pos + 1, ("end", "else"))
            other = []
            if stopper == "else":
                other, pos, _ = parse(tokens, pos + 1, ("end",))
            nodes.append((word, body[len(word):].strip(), inner, other))
            pos += 1
        elif word == "define":
            inner, pos, _ = parse(tokens, pos + 1, ("end",))
            nodes.append(("define", parse_string(body[6:].strip()), inner))
            pos += 1
        else:
            nodes.append(("action", body))
            pos += 1
    return nodes, pos, None


def parse_string(s):
    if not (s.startswith('"') and s.endswith('"')):
        raise RenderError("expected a string: " + s)
    return bytes(s[1:-1], "utf-8").decode("unicode_escape")


WORD = re.compile(r'"(?:[^"\\]|\\.)*"|\(|\)|\||:=|[^\s()|]+')


def truthy(v):
    return bool(v) if v is not None else False


def go_quote(v):
    s = "" if v is None else str(v)
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_yaml(v):
    return yaml.safe_dump(v, default_flow_style=False, sort_keys=True).rstrip("\n")


def go_str(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        raise RenderError("cannot print a map or list; use toYaml: %r" % (v,))
    return str(v)


def printf(fmt, *args):
    args = list(args)

    def one(m):
        if m.group(0) == "%%":
            return "%"
        return go_str(args.pop(0))
    return re.sub(r"%[sdv%]", one, fmt)


class Renderer:
    def __init__(self, chart_dir, values_override=None, release="test", namespace="default"):
        self.chart_dir = chart_dir
        with open(os.path.join(chart_dir, "Chart.yaml")) as f:
            chart = yaml.safe_load(f)
        with open(os.path.join(chart_dir, "values.yaml")) as f:
            values = yaml.safe_load(f)
        merge(values, values_override or {})
        self.root = {
            "Values": values,
            "Release": {"Name": release, "Namespace": namespace, "Service": "Helm"},
            "Chart": {"Name": chart["name"], "Version": chart["version"], "AppVersion": chart["appVersion"]},
        }
        self.defines = {}
        self.templates = {}
        tdir = os.path.join(chart_dir, "templates")
        for name in sorted(os.listdir(tdir)):
            with open(os.path.join(tdir, name)) as f:
                nodes, _, _ = parse(tokenize(f.read()))
            for node in nodes:
                if node[0] == "define":
                    self.defines[node[1]] = node[2]
            if name.endswith((".yaml", ".txt")):
                self.templates[name] = nodes

    # -- evaluation
    def run(self, nodes, dot, scope):
        out = []
        for node in nodes:
            kind = node[0]
            if kind == "text":
                out.append(node[1])
            elif kind == "define":
                continue
            elif kind == "action":
                m = re.match(r"^(\$\w+)\s*:=\s*(.*)$", node[1])
                if m:
                    scope[m.group(1)] = self.pipeline(m.group(2), dot, scope)
                else:
                    out.append(go_str(self.pipeline(node[1], dot, scope)))
            elif kind == "if":
                cond = truthy(self.pipeline(node[1], dot, scope))
                out.append(self.run(node[2] if cond else node[3], dot, dict(scope)))
            elif kind == "with":
                v = self.pipeline(node[1], dot, scope)
                out.append(self.run(node[2], v, dict(scope)) if truthy(v) else self.run(node[3], dot, dict(scope)))
            elif kind == "range":
                items = self.pipeline(node[1], dot, scope) or []
                if not isinstance(items, list):
                    raise RenderError("range needs a list here: " + node[1])
                out.extend(self.run(node[2], item, dict(scope)) for item in items)
        return "".join(out)

    def pipeline(self, expr, dot, scope):
        words = WORD.findall(expr)
        value, rest = self.command(words, dot, scope)
        while rest:
            if rest[0] != "|":
                raise RenderError("bad pipeline: " + expr)
            value, rest = self.command(rest[1:], dot, scope, piped=(value,))
        return value

    def command(self, words, dot, scope, piped=()):
        """Evaluates one command (up to '|' or ')'); returns (value, remaining words)."""
        args, i = [], 0
        while i < len(words) and words[i] not in ("|", ")"):
            w = words[i]
            if w == "(":
                depth, j = 1, i + 1
                while depth:
                    depth += {"(": 1, ")": -1}.get(words[j], 0)
                    j += 1
                args.append(("value", self.pipeline(" ".join(words[i + 1:j - 1]), dot, scope)))
                i = j
                continue
            args.append(("word", w))
            i += 1
        head = args[0]
        if head[0] == "word" and re.match(r"^[a-zA-Z]\w*$", head[1]) and head[1] not in ("true", "false"):
            vals = [self.operand(a, dot, scope) for a in args[1:]] + list(piped)
            return self.call(head[1], vals, dot), words[i:]
        if len(args) != 1 or piped:
            raise RenderError("not a function: %r" % (args,))
        return self.operand(head, dot, scope), words[i:]

    def operand(self, arg, dot, scope):
        kind, w = arg
        if kind == "value":
            return w
        if w.startswith('"'):
            return parse_string(w)
        if re.match(r"^-?\d+$", w):
            return int(w)
        if w in ("true", "false"):
            return w == "true"
        if w == ".":
            return dot
        if w.startswith("$"):
            name, _, path = w.partition(".")
            base = self.root if name == "$" else scope[name]
            return field(base, path)
        if w.startswith("."):
            return field(dot, w[1:])
        raise RenderError("unknown operand " + w)

    def call(self, fn, a, dot):
        if fn == "include":
            return self.run(self.defines[a[0]], a[1], {})
        if fn == "default":
            return a[1] if truthy(a[1]) else a[0]
        if fn == "trunc":
            return str(a[1])[:a[0]]
        if fn == "trimSuffix":
            return a[1][:-len(a[0])] if a[1].endswith(a[0]) else a[1]
        if fn == "printf":
            return printf(a[0], *a[1:])
        if fn == "quote":
            return go_quote(a[0])
        if fn in ("nindent", "indent"):
            pad = " " * a[0]
            text = "\n".join(pad + line for line in go_str(a[1]).split("\n"))
            return "\n" + text if fn == "nindent" else text
        if fn == "toYaml":
            return to_yaml(a[0])
        if fn == "dict":
            return {a[k]: a[k + 1] for k in range(0, len(a), 2)}
        if fn == "and":
            return all(truthy(x) for x in a)
        if fn == "or":
            return any(truthy(x) for x in a)
        if fn == "not":
            return not truthy(a[0])
        if fn == "eq":
            return a[0] == a[1]
        if fn == "b64enc":
            return base64.b64encode(go_str(a[0]).encode()).decode()
        if fn == "fail":
            raise RenderError("fail: " + a[0])
        raise RenderError("unsupported function " + fn)

    def render(self):
        """{template file: rendered text}."""
        return {name: self.run(nodes, self.root, {"$": self.root}) for name, nodes in self.templates.items()}

    def manifests(self):
        """Every non-empty YAML document of the rendered chart."""
        docs = []
        for name, text in self.render().items():
            if name.endswith(".yaml"):
                docs.extend(d for d in yaml.safe_load_all(text) if d)
        return docs


def field(base, path):
    v = base
    for part in [p for p in path.split(".") if p]:
        if not isinstance(v, dict):
            return None
        v = v.get(part)
    return v


def merge(base, override):
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            merge(base[k], v)
        else:
            base[k] = copy.deepcopy(v)
    return base

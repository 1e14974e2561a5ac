"""`terraform show -json PLANFILE` output to resources.

Addresses and values are the plan's own. Values Terraform marks unknown
(`after_unknown`) become Unknown("known after apply"), with a Ref or the referenced
addresses when the configuration's `references` name a managed resource. Lines point at
the resource block in the .tf files beside the plan when they exist, else at the line of
the plan where the address appears.
"""
from __future__ import annotations

import json
import os
import re

from walint.model.resource import Resource
from walint.model.values import Ref, Unknown
from walint.parsers.base import Diagnostic, ParseResult, SourceError, read_source

_INDEX = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+|\*)\]')
AFTER_APPLY = "known after apply"


def read_plan(path: str) -> ParseResult:
    res = ParseResult(files=[path])
    try:
        raw = read_source(path)
    except SourceError as e:
        res.diagnostics.append(Diagnostic(path, None, f"cannot read plan: {e}"))
        return res
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError) as e:
        res.diagnostics.append(Diagnostic(path, getattr(e, "lineno", 1), f"plan is not valid JSON: {e}"))
        return res
    if not isinstance(data, dict):
        res.diagnostics.append(Diagnostic(path, 1, "plan JSON must be an object"))
        return res
    after_unknown = {}
    for rc in data.get("resource_changes") or []:
        if isinstance(rc, dict) and isinstance(rc.get("change"), dict):
            after_unknown[rc.get("address")] = rc["change"].get("after_unknown") or {}
    config = (data.get("configuration") or {}).get("root_module") or {}
    plan_dir = os.path.dirname(path) or "."
    locator = _SourceLocator(plan_dir, res)
    resources = []
    _walk(((data.get("planned_values") or {}).get("root_module")) or {}, resources)
    # which instances exist per config address (for Ref edges)
    instances = {}
    for r in resources:
        instances.setdefault(_config_address(r.get("address", "")), []).append(r.get("address"))
    for r in resources:
        if r.get("mode") != "managed":
            continue
        addr = r.get("address")
        if not isinstance(addr, str):
            continue
        values = r.get("values") or {}
        unk = after_unknown.get(addr) or {}
        exprs = _config_expressions(config, addr)
        attrs = {}
        for k, v in values.items():
            u = unk.get(k) if isinstance(unk, dict) else None
            val = _merge_unknown(v, u, 0)
            if isinstance(val, Unknown):
                val = _ref_for(val, exprs.get(k), addr, instances)
            if val is None:
                continue
            attrs[k] = val
        for k, u in (unk.items() if isinstance(unk, dict) else ()):
            if k not in attrs and u is True:
                attrs[k] = _ref_for(Unknown(AFTER_APPLY), exprs.get(k), addr, instances)
        loc = locator.find(addr)
        if loc is not None:
            file, line, end_line, positions, comments, call_sites = loc
        else:
            file, line, end_line, positions, comments, call_sites = path, _line_in(text, addr), None, {}, [], []
        resources_out = Resource(type=r.get("type", ""), address=addr, scope=path, format="terraform", file=file,
                                 line=line, end_line=end_line, attrs=attrs,
                                 positions={k: v for k, v in positions.items() if k[0] in attrs},
                                 call_sites=call_sites, meta={"from_plan": True}, comments=comments)
        res.resources.append(resources_out)
    return res


def _walk(mod, out):
    for r in mod.get("resources") or []:
        if isinstance(r, dict):
            out.append(r)
    for c in mod.get("child_modules") or []:
        if isinstance(c, dict):
            _walk(c, out)


def _config_address(addr):
    return _INDEX.sub("", addr)


def _merge_unknown(v, u, depth):
    if u is True:
        return Unknown(AFTER_APPLY)
    if depth > 50:
        return v
    if isinstance(v, dict) and isinstance(u, dict):
        return {k: _merge_unknown(x, u.get(k), depth + 1) for k, x in v.items()} | \
            {k: Unknown(AFTER_APPLY) for k, x in u.items() if x is True and k not in v}
    if isinstance(v, list) and isinstance(u, list):
        return [_merge_unknown(x, u[i] if i < len(u) else None, depth + 1) for i, x in enumerate(v)]
    return v


def _config_expressions(config, addr):
    """The `expressions` of the resource's configuration block, if present."""
    parts = _split_address(_config_address(addr))
    mod = config
    for p in parts[:-1]:
        calls = mod.get("module_calls") or {}
        call = calls.get(p)
        if not isinstance(call, dict):
            return {}
        mod = call.get("module") or {}
    want = parts[-1]
    for r in mod.get("resources") or []:
        if isinstance(r, dict) and r.get("address") == want:
            e = r.get("expressions")
            return e if isinstance(e, dict) else {}
    return {}


def _split_address(a):
    """"module.a.module.b.aws_x.y" -> ["a", "b", "aws_x.y"]"""
    out = []
    rest = a
    while rest.startswith("module."):
        rest = rest[len("module."):]
        name, _, rest = rest.partition(".")
        out.append(name)
    out.append(rest)
    return out


def _ref_for(u, expr, addr, instances):
    if not isinstance(expr, dict):
        return u
    refs = [x for x in expr.get("references") or [] if isinstance(x, str)]
    prefix = ""
    m = re.match(r"^((?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*)", addr)
    if m:
        prefix = m.group(1)
    targets = []
    for ref in refs:
        if ref.startswith(("var.", "local.", "data.", "module.", "each.", "count.", "path.", "terraform.", "self.")):
            continue
        parts = ref.split(".")
        if len(parts) < 2:
            continue
        target = prefix + parts[0] + "." + parts[1].split("[")[0]
        if "[" in parts[1]:
            target = prefix + parts[0] + "." + parts[1]
        attr = parts[2] if len(parts) > 2 else None
        targets.append((target, attr))
    full = [t for t in targets if t[1] is not None]
    if len(full) == 1:
        target, attr = full[0]
        insts = instances.get(_config_address(target), [])
        if target in insts or (len(insts) == 1 and insts[0] == target):
            return Ref(target, attr)
    addrs = []
    for t, _ in targets:
        for i in instances.get(_config_address(t), []):
            if i not in addrs:
                addrs.append(i)
    return Unknown(u.reason, tuple(addrs)) if addrs else u


def _line_in(text, addr):
    needle = '"address": ' + json.dumps(addr)
    i = text.find(needle)
    if i < 0:
        needle = '"address":' + json.dumps(addr)
        i = text.find(needle)
    if i < 0:
        return 1
    return text.count("\n", 0, i) + 1


class _SourceLocator:
    """Finds the resource block for a plan address in the .tf files beside the plan."""

    def __init__(self, plan_dir, res):
        self.plan_dir = plan_dir
        self.res = res
        self.ev = None
        self.ok = any(n.endswith(".tf") or n.endswith(".tf.json") for n in _listdir(plan_dir))

    def find(self, addr):
        if not self.ok:
            return None
        from .evaluate import Evaluator, _block_comments, _is_local_source, load_module
        if self.ev is None:
            self.ev = Evaluator()
        parts = _split_address(_config_address(addr))
        mod = load_module(self.plan_dir, self.ev)
        call_sites = []
        for name in parts[:-1]:
            call = mod.calls.get(name)
            if call is None or "source" not in call.attrs:
                return None
            src = call.attrs["source"].expr
            src = getattr(src, "value", None)
            if not isinstance(src, str) or not _is_local_source(src):
                return None
            call_sites.append((call.file, call.line))
            mod = load_module(os.path.normpath(os.path.join(mod.dir, src)), self.ev)
        rd = mod.resources.get(parts[-1])
        if rd is None:
            return None
        for f in self.ev.files:
            if f not in self.res.files:
                self.res.files.append(f)
        positions = {(k,): (a.line, a.col) for k, a in rd.block.attrs.items()}
        counts = {}
        for b in rd.block.blocks:
            t = b.type if b.type != "dynamic" else (b.labels[0] if b.labels else b.type)
            i = counts.get(t, 0)
            counts[t] = i + 1
            positions[(t, i)] = (b.line, b.col)
            if b.type != "dynamic":
                for k, a in b.attrs.items():
                    positions[(t, i, k)] = (a.line, a.col)
        sf = mod.sources.get(rd.file)
        comments = _block_comments(sf, rd.block) if sf is not None else []
        return rd.file, rd.block.line, rd.block.end_line, positions, comments, call_sites


def _listdir(d):
    try:
        return os.listdir(d)
    except OSError:
        return []

"""Building the resource model from an evaluated module tree: one `Resource` per instance,
with positions and comments, and a facade resource for the well-known registry modules
walint models without loading them.

`Building` is a mixin of `Evaluator` (evaluate.py)."""
from __future__ import annotations

import re

from walint.engine import budgets
from walint.model.resource import Resource
from walint.parsers.base import why_stopped

from . import syntax as S
from .scope import Expansion, Scope, format_key
from .values import Unknown

MODULE_META = {"source", "version", "count", "for_each", "providers", "depends_on"}

FACADE_RE = re.compile(r"^(?:registry\.terraform\.io/)?(terraform-aws-modules/(?:vpc|rds|security-group)/aws)(//[^?]*)?(?:\?.*)?$")


class Building:
    # -- building resources ------------------------------------------------------------------------------
    def collect(self, m, out):
        for key in sorted(m.module.resources, key=lambda k: (m.module.resources[k].file, m.module.resources[k].block.line)):
            rd = m.module.resources[key]
            if self.out_of_instances:
                return
            try:
                self.build_resource(m, rd, out)
            except budgets.BudgetExceeded as exc:
                self.over_budget(exc, rd.file, rd.block.line)
                self.out_of_instances = exc.budget == "instances"
            except Exception as e:  # noqa: BLE001 - never raise out of the reader
                self.incomplete(rd.file, rd.block.line, f"{m.prefix}{rd.key} was not evaluated: "
                                f"{why_stopped(e)}", f"{m.prefix}{rd.key}")
        for name in sorted(m.module.calls, key=lambda k: (m.module.calls[k].file, m.module.calls[k].line)):
            call = m.module.calls[name]
            try:
                res = self.module_instances(m, name)
            except Exception as e:  # noqa: BLE001
                self.incomplete(call.file, call.line, f"module {m.prefix}module.{name} was not evaluated: "
                                f"{why_stopped(e)}", f"{m.prefix}module.{name}")
                continue
            if isinstance(res, Unknown):
                self.facade(m, name, call, out)
                continue
            if self.out_of_instances:
                return
            try:
                budgets.add_instances(len(res[1]), call.file, call.line, f"module {m.prefix}{name}")
            except budgets.BudgetExceeded as exc:
                self.over_budget(exc, call.file, call.line)
                self.out_of_instances = True
                return
            for _, inst in res[1]:
                self.collect(inst, out)

    def build_resource(self, m, rd, out):
        ex = self.expansion(m, rd)
        blk = rd.block
        budgets.add_instances(len(ex.items), rd.file, blk.line, f"resource {m.prefix}{rd.key}")
        sf = m.module.sources.get(rd.file)
        comments = _block_comments(sf, blk) if sf is not None else []
        base = m.prefix + rd.key
        for k, bind, opt in ex.items:
            if ex.mode == "unknown":
                addr = base + "[*]"
            elif k is None:
                addr = base
            else:
                addr = base + format_key(k)
            positions = {}
            scope = Scope(m, dict(bind), rd.file)
            self.defaults, self.defaults_for = {}, positions
            try:
                attrs = self.eval_body(blk, scope, (), positions, top=True)
            finally:
                defaults, self.defaults, self.defaults_for = self.defaults, None, None
            meta = {"defaults": defaults} if defaults else {}
            for lb in blk.blocks:
                if lb.type == "lifecycle":
                    meta["lifecycle"] = self.eval_body(lb, scope, (), {})
            if m.prefix:
                meta["module_path"] = m.prefix[:-1]
                meta["module_source"] = getattr(m, "source", None)
            r = Resource(type=rd.type, address=addr, scope=m.root_dir, format="terraform", file=rd.file,
                         line=blk.line, column=blk.col, end_line=blk.end_line, attrs=attrs, positions=positions,
                         optional=opt or m.optional, instances_unknown=ex.mode == "unknown" or m.instances_unknown,
                         call_sites=list(m.call_sites), meta=meta, comments=list(comments))
            out.append(r)

    def facade(self, m, name, call, out):
        src_attr = call.attrs.get("source")
        if src_attr is None or not isinstance(src_attr.expr, S.Lit) or not isinstance(src_attr.expr.value, str):
            return
        source = src_attr.expr.value
        mt = FACADE_RE.match(source)
        if not mt:
            return
        ftype = "module:" + mt.group(1) + (mt.group(2) or "")
        scope = Scope(m, file=call.file)
        try:
            ex = self.expand_block(call, scope, f"{m.prefix}module.{name}", call.file)
        except Exception:  # noqa: BLE001
            ex = Expansion("single", [(None, {}, False)])
        base = f"{m.prefix}module.{name}"
        sf = m.module.sources.get(call.file)
        comments = _block_comments(sf, call) if sf is not None else []
        for k, bind, opt in ex.items:
            addr = base + ("[*]" if ex.mode == "unknown" else (format_key(k) if k is not None else ""))
            positions = {}
            attrs = {}
            s2 = Scope(m, dict(bind), call.file)
            for an, a in call.attrs.items():
                if an in MODULE_META:
                    continue
                v = self.finish(self.eval(a.expr, s2))
                if v is None:
                    continue
                attrs[an] = v
                positions[(an,)] = (a.line, a.col)
                _positions_in(a.expr, v, (an,), positions, 0)
            out.append(Resource(type=ftype, address=addr, scope=m.root_dir, format="terraform", file=call.file,
                                line=call.line, column=call.col, end_line=call.end_line, attrs=attrs,
                                positions=positions, optional=opt or m.optional,
                                instances_unknown=ex.mode == "unknown" or m.instances_unknown,
                                call_sites=list(m.call_sites),
                                meta={"module_source": source, "facade": True,
                                      "module_version": self.finish(self.eval(call.attrs["version"].expr, s2))
                                      if "version" in call.attrs else None},
                                comments=list(comments)))


def _positions_in(expr, value, path, positions, depth):
    if depth > 12:
        return
    if isinstance(expr, S.ObjectExpr) and isinstance(value, dict):
        for kn, vn in expr.items:
            if isinstance(kn, S.Lit) and isinstance(kn.value, str) and kn.value in value:
                p = path + (kn.value,)
                positions[p] = (kn.line, kn.col)
                _positions_in(vn, value[kn.value], p, positions, depth + 1)
    elif isinstance(expr, S.TupleExpr) and isinstance(value, list) and len(expr.items) == len(value):
        for i, (vn, v) in enumerate(zip(expr.items, value)):
            p = path + (i,)
            positions[p] = (vn.line, vn.col)
            _positions_in(vn, v, p, positions, depth + 1)
def _block_comments(sf, blk):
    import bisect
    cl = sf.comments
    if not cl:
        return []
    lines = getattr(sf, "_comment_lines", None)
    if lines is None:
        lines = [ln for ln, _ in cl]
        sf._comment_lines = lines
    end = blk.end_line or blk.line
    i = bisect.bisect_left(lines, blk.line)
    j = bisect.bisect_right(lines, end)
    out = cl[i:j]
    above = []
    only = sf.comment_only_lines
    k = i - 1
    ln = blk.line - 1
    while k >= 0 and ln >= 1 and ln in only:
        while k >= 0 and lines[k] > ln:
            k -= 1
        if k < 0 or lines[k] != ln:
            break
        above.append(cl[k])
        ln -= 1
        k -= 1
    above.reverse()
    return above + out

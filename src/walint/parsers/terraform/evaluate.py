"""The Terraform evaluator: names (variables, locals, data sources, resources, module
calls and outputs), the instances of resources and calls, and nested blocks.

Its parts live by concept: loading.py reads a module directory, scope.py holds the
evaluation context, expressions.py evaluates operators, templates, for expressions and
function calls, building.py turns the evaluated tree into resources.

Everything is lazy and memoized: a local, a resource's instance set or one attribute of
one instance is evaluated the first time something needs it. A key that is asked for
while it is being evaluated is a cycle: it gives an Unknown and a diagnostic.
"""
from __future__ import annotations

import os
import re

from walint.engine import boundary, budgets
from walint.parsers.base import INCOMPLETE, Diagnostic

from . import syntax as S
from .building import MODULE_META, Building, _positions_in
from .expressions import Expressions, _az_of_key, _DataCollection, _iter_pairs, _reason, _refs_of, az_key
from .functions import _set
from .loading import _is_local_source, load_module
from .scope import Expansion, ModuleInstance, Scope, format_key
from .values import (AzIndex, AzList, DataObj, Err, ModObj, Namespace, OneOf, Ref, ResObj, TfSet, Unknown,
                     collect_refs, one_of, to_number, to_string, type_name)

MAX_EVAL_DEPTH = 120        # nested evaluation frames (expressions + reference chains)
MAX_INSTANCES = 1000        # per resource or module call
MAX_MODULE_DEPTH = 12

# resource-level meta-arguments that are not attributes
META_ATTRS = {"count", "for_each", "depends_on", "provider", "providers"}
META_BLOCKS = {"lifecycle", "provisioner", "connection"}


_NO_VALUE = object()
_AZ_VAR = re.compile(r"(^|_)(azs|zones|availability_zones|az_list|az_names)$")
_TYPE_WORDS = {"string", "number", "bool", "any", "list", "map", "set", "object", "tuple", "optional"}


def _is_constant(n, depth):
    """True when an expression reads nothing (no variables, locals, resources)."""
    if depth > 40:
        return False
    t = type(n)
    if t is S.Lit:
        return True
    if t is S.Var:
        return n.name in _TYPE_WORDS
    if t is S.TupleExpr:
        return all(_is_constant(x, depth + 1) for x in n.items)
    if t is S.ObjectExpr:
        return all(_is_constant(k, depth + 1) and _is_constant(v, depth + 1) for k, v in n.items)
    if t is S.Call:
        return n.name in _TYPE_WORDS and all(_is_constant(x, depth + 1) for x in n.args)
    if t is S.UnOp:
        return _is_constant(n.operand, depth + 1)
    if t is S.Template:
        return all(isinstance(p, str) or (isinstance(p, S.Node) and _is_constant(p, depth + 1)) for p in n.parts)
    return False


class _Outputs(dict):
    """The outputs walint models for a module it did not load; any other output is `unknown`."""
    __slots__ = ("unknown",)

    def __init__(self, known, unknown):
        super().__init__(known)
        self.unknown = unknown


class CfgDict(dict):
    """A nested block read from a referenced resource: a missing attribute is computed
    by the provider, so it is known only after apply (not an error)."""
    __slots__ = ("address",)


def _configured(v, address, depth):
    if depth > 20:
        return v
    if isinstance(v, list):
        return [_configured(x, address, depth + 1) for x in v]
    if type(v) is dict:
        d = CfgDict((k, _configured(x, address, depth + 1)) for k, x in v.items())
        d.address = address
        return d
    return v


class _Cycle(Exception):
    pass


# ============================================================================ evaluator


_SERIALS = iter(range(1, 1 << 62))


class Evaluator(Expressions, Building):
    def __init__(self):
        self.serial = next(_SERIALS)   # tells this evaluator's memos (Block.memo) from others'
        self.defaults: dict | None = None   # path -> inputs taken from their default (build_resource)
        self.defaults_for = None            # ... recorded for the attributes of this positions dict
        self.diagnostics: list[Diagnostic] = []
        self._diag_seen = set()
        self.files: list[str] = []
        self._files_seen = set()
        self.module_cache: dict = {}
        self.registry: dict = {}          # address -> (minst, rdef, bindings)
        self.attr_cache: dict = {}
        self.in_progress: set = set()
        self.depth = 0
        self.modules_json: dict = {}
        self.modules_json_written: dict = {}      # modules.json key -> its Dir as written
        self.out_of_instances = False     # the instances budget ran out: collect no more

    # ------------------------------------------------------------------ bookkeeping
    def diag(self, file, line, message, level="error", code="WAL-PARSE-001", address=""):
        key = (file, line, message, level, code, address)
        if key in self._diag_seen:
            return
        self._diag_seen.add(key)
        self.diagnostics.append(Diagnostic(file, line, message, level, code, address))

    def incomplete(self, file, line, message, address=""):
        """Something dropped or stopped: a WAL-PARSE-002 finding, never only a warning."""
        self.diag(file, line, message, level="error", code=INCOMPLETE, address=address)

    def note_file(self, path):
        if path not in self._files_seen:
            self._files_seen.add(path)
            self.files.append(path)

    def _enter(self, key, file, line, what):
        if key in self.in_progress:
            self.diag(file, line, f"{what} refers to itself (reference cycle)", level="warning",
                      code="WAL-TF-CYCLE")
            raise _Cycle()
        self.in_progress.add(key)

    # ------------------------------------------------------------------ expressions
    def eval(self, n, scope):
        t = type(n)
        if t is S.Lit:
            return n.value
        self.depth += 1
        try:
            if self.depth > MAX_EVAL_DEPTH:
                self.incomplete(scope.file or scope.minst.module.dir, n.line,
                                "expression or reference chain nested too deeply; its value was not evaluated")
                return Unknown("expression nested too deeply to evaluate")
            return _DISPATCH[t](self, n, scope)
        except budgets.BudgetExceeded as exc:
            # the innermost expression that ran out is unknown; the rest evaluates on
            return self.over_budget(exc, scope.file or scope.minst.module.dir, n.line)
        finally:
            self.depth -= 1

    def over_budget(self, exc, file, line):
        """Record what a budget stopped (a WAL-PARSE-002 finding) and stand in for it."""
        d = exc.diagnostic(file, line)
        self.diag(d.file, d.line, d.message, level=d.level, code=d.code)
        return Unknown(f"not evaluated: the {exc.budget.replace('_', '-')} budget ran out")

    def _e_getattr(self, n, scope):
        o = n.obj
        if type(o) is S.Var and o.name not in scope.bind:
            # fast paths for var.x and local.x
            if o.name == "var":
                return self.var_value(scope.minst, n.name)
            if o.name == "local":
                return self.local_value(scope.minst, n.name)
        return self.get_attr(self.eval(o, scope), n.name, scope)

    def _e_template(self, n, scope):
        return self.template(n.parts, scope, n)

    def _e_index(self, n, scope):
        return self.index(self.eval(n.obj, scope), self.eval(n.key, scope), scope)

    def _e_tuple(self, n, scope):
        return [self.eval(x, scope) for x in n.items]

    def _e_object(self, n, scope):
        out = {}
        for k, v in n.items:
            if type(k) is S.Lit and type(k.value) is str:
                ks = k.value
            else:
                kv = self.resolve(self.eval(k, scope))
                if isinstance(kv, Unknown):
                    return Unknown("an object key is not known", kv.refs)
                ok, ks = to_string(kv)
                if not ok:
                    return Err(f"object key must be a string, got {type_name(kv)}")
            out[ks] = self.eval(v, scope)
        return out

    def _e_unop(self, n, scope):
        v = self.resolve(self.eval(n.operand, scope))
        return self.lift1(v, lambda x: self._unop(n.op, x))

    def _e_bad(self, n, scope):
        if "too deeply" in n.why:
            self.incomplete(scope.file or scope.minst.module.dir, n.line, f"{n.why}; its value was not evaluated")
        return Unknown(f"expression could not be read ({n.why})")

    # -- names ----------------------------------------------------------------------
    def variable(self, n, scope):
        name = n.name
        if name in scope.bind:
            return scope.bind[name]
        if name == "var":
            return Namespace("var")
        if name == "local":
            return Namespace("local")
        if name == "module":
            return Namespace("module")
        if name == "data":
            return Namespace("data")
        if name == "path":
            m = scope.minst
            return {"module": m.module.dir, "root": m.root_dir, "cwd": "."}
        if name == "terraform":
            return {"workspace": "default"}
        if name == "count":
            return Err("count.index used where there is no count")
        if name == "each":
            return Err("each used where there is no for_each")
        if name == "self":
            return Unknown("self is known only in provisioners")
        if name in scope.minst.module.res_types:
            return Namespace("restype", name)
        return Err(f"unknown reference {name!r}")

    def get_attr(self, obj, name, scope):
        t = type(obj)
        if t is dict:
            if name in obj:
                return obj[name]
            return Err(f"object has no attribute {name!r}")
        if t is _Outputs:
            if name in obj:
                return obj[name]
            return obj.unknown
        if t is CfgDict:
            if name in obj:
                return obj[name]
            return Unknown(f"{obj.address}: {name} is known only after apply", (obj.address,))
        if t is Namespace:
            return self.namespace_attr(obj, name, scope)
        if t is ResObj:
            return Ref(obj.address, name)
        if t is DataObj:
            return self.data_attr(obj, name)
        if t is _DataCollection:
            return self.data_attr(obj.obj, name)
        if t is ModObj:
            return self.module_output(obj.inst, name)
        if isinstance(obj, Unknown):
            return obj
        if t is Ref:
            v = self.resolve(obj)
            if isinstance(v, Unknown):
                return Unknown(v.reason, v.refs)
            r = self.get_attr(v, name, scope)
            if isinstance(r, Err):
                # a computed attribute inside a configured block
                return Unknown(f"{obj.address}.{obj.attr}.{name} is known only after apply", (obj.address,))
            return r
        if t is OneOf:
            return one_of([self.get_attr(o, name, scope) for o in obj.options])
        if obj is None:
            return Err(f"attribute {name!r} of null")
        if t is list or t is TfSet:
            return Err(f"attribute {name!r} of a list (use [*] or an index)")
        return Err(f"attribute {name!r} of a {type_name(obj)}")

    def index(self, obj, key, scope):
        key = self.resolve(key)
        t = type(obj)
        if t is AzList:
            if isinstance(key, Unknown):
                return Unknown("index into the Availability Zone list is not known", key.refs)
            ok, i = to_number(key)
            if not ok or not float(i).is_integer() or i < 0:
                return Err("bad index into the Availability Zone list")
            return AzIndex(obj.list_id, int(i))
        if isinstance(obj, Unknown):
            return obj
        if isinstance(key, Unknown):
            return Unknown(key.reason, tuple(dict.fromkeys(key.refs + _refs_of(obj))))
        if t is OneOf:
            return one_of([self.index(o, key, scope) for o in obj.options])
        if isinstance(key, OneOf):
            return one_of([self.index(obj, k, scope) for k in key.options])
        if t is list or t is TfSet:
            ok, i = to_number(key)
            if not ok or not float(i).is_integer():
                return Err(f"list index must be a whole number, got {type_name(key)}")
            i = int(i)
            if i < 0 or i >= len(obj):
                return Err(f"index {i} out of range for a list of {len(obj)}")
            return obj[i]
        if (t is dict or t is CfgDict) and isinstance(key, AzIndex):
            k = az_key(key)
            return obj[k] if k in obj else Err(f"no key {k!r} in the map")
        if t is dict or t is CfgDict:
            ok, k = to_string(key)
            if not ok:
                return Err(f"map key must be a string, got {type_name(key)}")
            if k in obj:
                return obj[k]
            return Err(f"no key {k!r} in the map")
        if t is Ref:
            v = self.resolve(obj)
            if isinstance(v, Unknown):
                return Unknown(v.reason, v.refs)
            r = self.index(v, key, scope)
            if isinstance(r, Err):
                return Unknown(f"{obj.address}.{obj.attr}[{key!r}] is known only after apply", (obj.address,))
            return r
        if t is DataObj:
            return obj
        if t is _DataCollection:
            return obj.obj
        if t is str:
            return Err("cannot index a string")
        if obj is None:
            return Err("index of null")
        return Err(f"cannot index a {type_name(obj)}")

    def namespace_attr(self, ns, name, scope):
        k = ns.kind
        m = scope.minst
        if k == "var":
            return self.var_value(m, name)
        if k == "local":
            return self.local_value(m, name)
        if k == "module":
            return self.module_value(m, name)
        if k == "data":
            return Namespace("datatype", name)
        if k == "datatype":
            rd = m.module.data.get(f"{ns.name}.{name}")
            if rd is None:
                return Err(f"no data source data.{ns.name}.{name}")
            return self.data_object(m, rd)
        if k == "restype":
            rd = m.module.resources.get(f"{ns.name}.{name}")
            if rd is None:
                return Err(f"no resource {ns.name}.{name}")
            return self.resource_value(m, rd)
        return Err("bad reference")

    # -- values of names --------------------------------------------------------------
    def var_value(self, m, name):
        if name in m.vars:
            return m.vars[name]
        blk = m.module.variables.get(name)
        if blk is None:
            v = Err(f"undeclared variable var.{name}")
            m.vars[name] = v
            return v
        key = (id(m), "var", name)
        try:
            self._enter(key, blk.file, blk.line, f"variable {name}")
        except _Cycle:
            return Unknown(f"variable {name} refers to itself")
        try:
            v = _NO_VALUE
            if name in m.inputs:
                src = m.inputs[name]
                if isinstance(src, tuple) and len(src) == 2 and isinstance(src[1], Scope):
                    v = self.eval(src[0].expr, src[1])
                else:
                    v = src
                if v is None and "nullable" in blk.attrs and \
                        self.eval(blk.attrs["nullable"].expr, Scope(m, file=blk.file)) is False:
                    v = _NO_VALUE      # nullable = false: a null input takes the default
            if v is not _NO_VALUE:
                pass
            elif "default" in blk.attrs:
                if blk.memo is not None and blk.memo[1] == self.serial:
                    m.vars[name] = blk.memo[0]
                    return blk.memo[0]
                dexpr = blk.attrs["default"].expr
                v = self.eval(dexpr, Scope(m, file=blk.file))
                ty = blk.attrs.get("type")
                if ty is not None and not isinstance(v, Unknown):
                    v = self.convert(v, ty.expr, Scope(m, file=blk.file), 0)
                if _is_constant(dexpr, 0) and (ty is None or _is_constant(ty.expr, 0)):
                    # the same in every instance of the module: values are never mutated
                    # (this evaluator's only: evaluating it again elsewhere may report)
                    blk.memo = (v, self.serial)
                m.vars[name] = v
                return v
            elif _AZ_VAR.search(name):
                # a zone list with no value: its elements are distinct zones (RULES.md §3.1)
                v = AzList(f"VAR({name})")
            else:
                v = Unknown(f"variable {name} has no value" + (
                    f": give it with --var {name}=VALUE or a tfvars file" if m.parent is None else ""))
            ty = blk.attrs.get("type")
            if ty is not None and not isinstance(v, Unknown):
                v = self.convert(v, ty.expr, Scope(m, file=blk.file), 0)
        finally:
            self.in_progress.discard(key)
        m.vars[name] = v
        return v

    def local_value(self, m, name):
        if name in m.locals:
            return m.locals[name]
        ent = m.module.locals.get(name)
        if ent is None:
            return Err(f"undeclared local.{name}")
        a, file = ent
        key = (id(m), "local", name)
        try:
            self._enter(key, file, a.line, f"local.{name}")
        except _Cycle:
            v = Unknown(f"local.{name} refers to itself (cycle)")
            m.locals[name] = v
            return v
        try:
            v = self.eval(a.expr, Scope(m, file=file))
        finally:
            self.in_progress.discard(key)
        m.locals.setdefault(name, v)
        return m.locals[name]

    # -- data sources ----------------------------------------------------------------------
    def data_object(self, m, rd):
        addr = m.prefix + "data." + rd.key
        filtered = None
        if rd.type == "aws_availability_zones":
            b = rd.block
            marks = []
            for a in ("exclude_names", "exclude_zone_ids", "all_availability_zones"):
                if a in b.attrs:
                    marks.append(a)
            if "state" in b.attrs:
                st = self.eval(b.attrs["state"].expr, Scope(m, file=rd.file))
                if st not in ("available", None):
                    marks.append("state")
            if any(x.type == "filter" for x in b.blocks):
                marks.append("filter")
            filtered = bool(marks)
        obj = DataObj(addr, rd.type, filtered,
                      (m, rd) if rd.type == "aws_iam_policy_document" else None)
        cnt = rd.block.attrs.get("count")
        fe = rd.block.attrs.get("for_each")
        if cnt is not None or fe is not None:
            # data instances: indexing keeps the same symbolic object
            return _DataCollection(obj)
        return obj

    def data_attr(self, obj, name):
        if obj.block_type == "aws_availability_zones" and name in ("names", "zone_ids"):
            base = "GETAZS" if name == "names" else "GETAZIDS"
            if obj.filtered:
                short = obj.address.rsplit(".", 1)[-1]
                return AzList(f"{base}(filtered:{short})")
            return AzList(base)
        reason = f"data source {obj.address} is read only at plan time ({name})"
        if obj.block_type == "aws_iam_policy_document" and name in ("json", "minified_json") and obj.source:
            return Unknown(reason, (), partial=self.policy_document(*obj.source))
        return Unknown(reason)

    def policy_document(self, m, rd):
        """The policy an `aws_iam_policy_document` renders, from its statement blocks, as the
        structure IAM rules read (the JSON text itself exists only at plan time). None when
        it merges other documents or is counted (its statements then cannot be known here)."""
        b = rd.block
        if any(k in b.attrs for k in ("count", "for_each", "source_policy_documents",
                                      "override_policy_documents", "source_json", "override_json")):
            return None
        try:
            body = self.eval_body(b, Scope(m, file=rd.file), (), {}, top=True)
        except RecursionError:
            return None
        statements = []
        for st in body.get("statement") or []:
            if not isinstance(st, dict):
                return None            # a dynamic block over an unknown collection
            out = {"Effect": st.get("effect", "Allow")}
            for key, name in (("sid", "Sid"), ("actions", "Action"), ("not_actions", "NotAction"),
                              ("resources", "Resource"), ("not_resources", "NotResource")):
                if key in st:
                    out[name] = st[key]
            for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
                if key in st:
                    out[name] = _principals(st[key])
            if "condition" in st:
                out["Condition"] = _conditions(st["condition"])
            statements.append(out)
        return {"Version": body.get("version", "2012-10-17"), "Statement": statements}

    # -- resources -------------------------------------------------------------------------
    def expansion(self, m, rd):
        key = (id(m), rd.key)
        ex = m.expansions.get(rd.key)
        if ex is not None:
            return ex
        ck = (id(m), "expand", rd.key)
        try:
            self._enter(ck, rd.file, rd.block.line, f"the count/for_each of {m.prefix}{rd.key}")
        except _Cycle:
            ex = Expansion("unknown", reason="count/for_each refers to itself")
            m.expansions[rd.key] = ex
            return ex
        try:
            ex = self.expand_block(rd.block, Scope(m, file=rd.file), f"{m.prefix}{rd.key}", rd.file)
        finally:
            self.in_progress.discard(ck)
        m.expansions[rd.key] = ex
        base = m.prefix + rd.key
        if rd.mode == "managed":
            for k, bind, opt in ex.items:
                addr = base + (format_key(k) if k is not None else "")
                if ex.mode == "unknown":
                    addr = base + "[*]"
                self.registry[addr] = (m, rd, bind)
        del key
        return ex

    def expand_block(self, block, scope, what, file):
        cnt = block.attrs.get("count")
        fe = block.attrs.get("for_each")
        if cnt is not None:
            v = self.resolve(self.eval(cnt.expr, scope))
            if isinstance(v, OneOf):
                nums = []
                for o in v.options:
                    ok, n = to_number(o)
                    if not ok or isinstance(o, bool):
                        nums = None
                        break
                    nums.append(int(n))
                if nums:
                    lo, hi = min(nums), max(nums)
                    hi = self._cap(hi, what, file, cnt.line)
                    return Expansion("count", [(i, {"count": {"index": i}}, i >= lo) for i in range(hi)])
                return self._unknown_exp("count is not known", v)
            if isinstance(v, Unknown) or isinstance(v, Ref):
                return self._unknown_exp(f"count is not known ({_reason(v)})", v)
            ok, n = to_number(v)
            if not ok or isinstance(v, bool) or n < 0 or not float(n).is_integer():
                self.diag(file, cnt.line, f"count of {what} must be a non-negative whole number", level="warning",
                          code="WAL-TF-EVAL")
                return self._unknown_exp("count is not a valid number", v)
            n = self._cap(int(n), what, file, cnt.line)
            return Expansion("count", [(i, {"count": {"index": i}}, False) for i in range(n)])
        if fe is not None:
            v = self.resolve_shallow(self.eval(fe.expr, scope))
            if isinstance(v, dict):
                items = []
                for k in sorted(v):
                    items.append((k, {"each": {"key": _az_of_key(k), "value": v[k]}}, False))
            elif isinstance(v, list):
                keys = []
                for x in v:
                    x = self.resolve(x)
                    if isinstance(x, Unknown) or not isinstance(x, (str, AzIndex)):
                        return self._unknown_exp("for_each set holds values that are not known strings", x)
                    keys.append(x)
                zones = [k for k in keys if isinstance(k, AzIndex)]
                if zones and (len(zones) != len(keys) or len({z.list_id for z in zones}) != 1):
                    return self._unknown_exp("for_each set mixes zone names with other values", v)
                # distinct zones of one list are distinct instances, each keyed by its symbol
                items = [(az_key(k) if isinstance(k, AzIndex) else k, {"each": {"key": k, "value": k}}, False)
                         for k in _set(keys)]
            elif v is None:
                items = []
            else:
                return self._unknown_exp(f"for_each is not known ({_reason(v)})", v)
            if len(items) > MAX_INSTANCES:
                self._cap(len(items), what, file, fe.line)
                items = items[:MAX_INSTANCES]
            return Expansion("each", items)
        return Expansion("single", [(None, {}, False)])

    def _unknown_exp(self, reason, v):
        refs = []
        collect_refs(v, refs)
        u = Unknown(reason, tuple(refs))
        bind = {"count": {"index": u}, "each": {"key": u, "value": u}}
        # the count may be 0 (the for_each empty): the one instance standing for all of
        # them is optional, so nothing on it is a finding (issue 14, RULES.md §3.5)
        return Expansion("unknown", [(None, bind, True)], reason=reason, refs=tuple(refs))

    def _cap(self, n, what, file, line):
        if n > MAX_INSTANCES:
            self.incomplete(file, line, f"{what} has {n} instances; only the first {MAX_INSTANCES} "
                            "were evaluated")
            return MAX_INSTANCES
        return n

    def resource_value(self, m, rd):
        ex = self.expansion(m, rd)
        base = m.prefix + rd.key
        if ex.mode == "single":
            return ResObj(base)
        if ex.mode == "count":
            return [ResObj(base + format_key(k)) for k, _, _ in ex.items]
        if ex.mode == "each":
            return {k: ResObj(base + format_key(k)) for k, _, _ in ex.items}
        return Unknown(f"the instances of {base} are not known ({ex.reason})", (base + "[*]",))

    def deref(self, ref):
        """The configured value of a referenced resource attribute, or an Unknown."""
        ent = self.registry.get(ref.address)
        after = Unknown(f"{ref.address}.{ref.attr} is known only after apply", (ref.address,))
        if ent is None:
            return after
        m, rd, bind = ent
        ck = (ref.address, ref.attr)
        if ck in self.attr_cache:
            return self.attr_cache[ck]
        key = ("attr",) + ck
        try:
            self._enter(key, rd.file, rd.block.line, f"{ref.address}.{ref.attr}")
        except _Cycle:
            return Unknown(f"{ref.address}.{ref.attr} refers to itself", (ref.address,))
        try:
            blk = rd.block
            scope = Scope(m, dict(bind), rd.file)
            if ref.attr in blk.attrs and ref.attr not in META_ATTRS:
                v = self.eval(blk.attrs[ref.attr].expr, scope)
                if v is None:
                    v = after
            elif any(b.type == ref.attr or (b.type == "dynamic" and b.labels[:1] == [ref.attr]) for b in blk.blocks):
                v = _configured(self.blocks_of(blk, ref.attr, scope, None, None), ref.address, 0)
            else:
                v = after
        finally:
            self.in_progress.discard(key)
        self.attr_cache[ck] = v
        return v

    # -- modules ---------------------------------------------------------------------------
    def module_value(self, m, name):
        call = m.module.calls.get(name)
        if call is None:
            return Err(f"no module call {name!r}")
        insts = self.module_instances(m, name)
        if isinstance(insts, Unknown):
            outs = self.label_outputs(m, call, insts)
            return outs if outs is not None else insts
        mode, lst = insts
        if mode == "single":
            return ModObj(lst[0][1]) if lst else Unknown(f"module {name} was not analysed")
        if mode == "count":
            return [ModObj(i) for _, i in lst]
        return {k: ModObj(i) for k, i in lst}

    def label_outputs(self, m, call, unknown):
        """cloudposse/label/null, when not on disk: its `enabled` and `context` outputs.

        Nearly every Cloud Posse module gates its resources on `module.this.enabled`; the
        label module computes it as the `enabled` input, else the context's `enabled`,
        else true (the default context). Other outputs stay unknown.
        """
        src = call.attrs.get("source")
        if src is None or not isinstance(src.expr, S.Lit) or not isinstance(src.expr.value, str):
            return None
        if not re.match(r"^(registry\.terraform\.io/)?cloudposse/label/null$", src.expr.value):
            return None
        if "count" in call.attrs or "for_each" in call.attrs:
            return None
        key = ("label", id(call))
        cache = m.outputs.get(key)
        if cache is not None:
            return cache
        scope = Scope(m, file=call.file)
        ctx = self.resolve(self.eval(call.attrs["context"].expr, scope)) if "context" in call.attrs else None
        en = self.resolve(self.eval(call.attrs["enabled"].expr, scope)) if "enabled" in call.attrs else None
        if isinstance(en, bool):
            enabled = en
        elif en is None and (ctx is None or (isinstance(ctx, dict) and ctx.get("enabled") is None)):
            enabled = True
        elif en is None and isinstance(ctx, dict) and isinstance(ctx.get("enabled"), bool):
            enabled = ctx["enabled"]
        else:
            enabled = Unknown("the label module's enabled flag is not known")
        context = dict(ctx) if isinstance(ctx, dict) else {}
        context["enabled"] = enabled
        out = _Outputs({"enabled": enabled, "context": context}, unknown)
        m.outputs[key] = out
        return out

    def module_instances(self, m, name):
        """("single"|"count"|"each", [(key, ModuleInstance)]) or an Unknown."""
        if name in m.children:
            return m.children[name]
        call = m.module.calls[name]
        file = call.file
        m.children[name] = Unknown(f"module {name} refers to itself")
        res = self._make_children(m, name, call, file)
        m.children[name] = res
        return res

    def _make_children(self, m, name, call, file):
        src_attr = call.attrs.get("source")
        source = None
        if src_attr is not None:
            sv = self.eval(src_attr.expr, Scope(m, file=file))
            if isinstance(sv, str):
                source = sv
        if source is None:
            self.diag(file, call.line, f"module {name} has no literal source", level="warning", code="WAL-TF-MODULE")
            return Unknown(f"module {name} has no literal source")
        child_dir = None
        if _is_local_source(source):
            child_dir = os.path.normpath(os.path.join(m.module.dir, source))
        else:
            key = ".".join(m.key_path + [name])
            d = self.modules_json.get(key)
            if d is not None:
                child_dir = d
        refused = boundary.current().allows_dir(child_dir) if child_dir is not None else None
        if refused:
            written = (self.modules_json_written or {}).get(".".join(m.key_path + [name]))
            where = f" ({written} in .terraform/modules/modules.json)" if written and \
                not _is_local_source(source) else ""
            self.incomplete(file, call.line, f"module {name} (source {source}): its directory{where} is "
                            f"{refused}; its resources were not evaluated", f"{m.prefix}module.{name}")
            return Unknown(f"module {name} (source {source}) was not analysed")
        if child_dir is None:
            self.diag(file, call.line, f"module {name} (source {source}) was not analysed: run terraform init so "
                      ".terraform/modules exists", level="note", code="WAL-TF-MODULE")
            return Unknown(f"module {name} (source {source}) was not analysed")
        if m.depth + 1 > MAX_MODULE_DEPTH:
            self.incomplete(file, call.line, f"module {name} (source {source}) is nested deeper than "
                            f"{MAX_MODULE_DEPTH} modules; its resources were not evaluated",
                            f"{m.prefix}module.{name}")
            return Unknown(f"module {name} is nested too deeply")
        absdir = os.path.normcase(os.path.abspath(child_dir))
        if absdir in m.ancestors_dirs():
            self.diag(file, call.line, f"module {name} (source {source}) calls itself (module cycle)",
                      level="warning", code="WAL-TF-MODULE")
            return Unknown(f"module {name} calls itself")
        if not os.path.isdir(child_dir):
            self.diag(file, call.line, f"module {name} (source {source}): the directory does not exist",
                      level="warning", code="WAL-TF-MODULE")
            return Unknown(f"module {name} (source {source}) does not exist")
        mod = load_module(child_dir, self)
        scope = Scope(m, file=file)
        ex = self.expand_block(call, scope, f"{m.prefix}module.{name}", file)
        base = f"{m.prefix}module.{name}"
        out = []
        for k, bind, opt in ex.items:
            if ex.mode == "unknown":
                prefix = base + "[*]."
            elif k is None:
                prefix = base + "."
            else:
                prefix = base + format_key(k) + "."
            cscope = Scope(m, bind, file)
            inputs = {a: (attr, cscope) for a, attr in call.attrs.items() if a not in MODULE_META}
            inst = ModuleInstance(mod, prefix, m, m.call_sites + [(file, call.line)], m.key_path + [name],
                                  m.root_dir, inputs, optional=m.optional or opt,
                                  instances_unknown=m.instances_unknown or ex.mode == "unknown",
                                  depth=m.depth + 1, call_name=name)
            inst.source = source
            for vname in inputs:
                if vname not in mod.variables:
                    a = call.attrs[vname]
                    self.diag(file, a.line, f"module {name} has no variable {vname!r}", level="warning",
                              code="WAL-TF-MODULE")
            out.append((k, inst))
        mode = ex.mode if ex.mode != "unknown" else "single"
        return (mode, out)

    def module_output(self, inst, name):
        if name in inst.outputs:
            return inst.outputs[name]
        blk = inst.module.outputs.get(name)
        if blk is None or "value" not in blk.attrs:
            return Err(f"module has no output {name!r}")
        key = (id(inst), "output", name)
        try:
            self._enter(key, blk.file, blk.line, f"output {name}")
        except _Cycle:
            return Unknown(f"output {name} refers to itself")
        try:
            v = self.eval(blk.attrs["value"].expr, Scope(inst, file=blk.file))
        finally:
            self.in_progress.discard(key)
        inst.outputs[name] = v
        return v

    # -- blocks ------------------------------------------------------------------------------------
    def eval_body(self, block, scope, path, positions, top=False):
        out = {}
        for name, a in block.attrs.items():
            if top and name in META_ATTRS:
                continue
            try:
                v = self.finish(self.eval(a.expr, scope))
            except RecursionError:
                self.incomplete(scope.file, a.line, f"expression of {name} nested too deeply; its value was not "
                                "evaluated")
                v = Unknown("expression nested too deeply to evaluate")
            if v is None:
                continue
            out[name] = v
            p = path + (name,)
            positions[p] = (a.line, a.col)
            _positions_in(a.expr, v, p, positions, 0)
            if positions is self.defaults_for:
                names = self.default_inputs(a.expr, scope)
                if names:
                    self.defaults[p] = names
        seen = []
        for b in block.blocks:
            t = b.type if b.type != "dynamic" else (b.labels[0] if b.labels else None)
            if t is None or (top and b.type in META_BLOCKS):
                continue
            if t not in seen:
                seen.append(t)
        for t in seen:
            lst = self.blocks_of(block, t, scope, path, positions)
            if lst is not None:
                out[t] = lst
        return out

    def default_inputs(self, expr, scope) -> list:
        """[(kind, name, top)]: the variables of `expr` that take their declared default
        (nobody set them), so a message can say which input decided a value."""
        m = scope.minst
        out = []
        for name in S.variables_used(expr):
            blk = m.module.variables.get(name)
            if blk is not None and name not in m.inputs and "default" in blk.attrs:
                out.append(("variable", name, m.parent is None))
        return out

    def blocks_of(self, block, t, scope, path, positions):
        """Every nested block of type t (static and dynamic, in source order) as a list."""
        out = []
        pos = positions if positions is not None else {}
        base = path if path is not None else ()
        for b in block.blocks:
            if b.type == t:
                i = len(out)
                pos[base + (t, i)] = (b.line, b.col)
                out.append(self.eval_body(b, scope, base + (t, i), pos))
            elif b.type == "dynamic" and b.labels[:1] == [t]:
                self.dynamic_into(b, t, scope, base, pos, out)
        return self.finish(out) if positions is None else out

    def dynamic_into(self, b, t, scope, base, pos, out):
        fe = b.attrs.get("for_each")
        content = next((c for c in b.blocks if c.type == "content"), None)
        if fe is None or content is None:
            return
        it = t
        ita = b.attrs.get("iterator")
        if ita is not None and isinstance(ita.expr, S.Var):
            it = ita.expr.name
        coll = self.resolve(self.eval(fe.expr, scope))
        pairs = _iter_pairs(coll)
        if pairs is None:
            refs = []
            collect_refs(coll, refs)
            out.append(Unknown("dynamic block over unknown collection", tuple(refs)))
            pos[base + (t, len(out) - 1)] = (b.line, b.col)
            return
        if isinstance(coll, list) and all(isinstance(x, str) for x in coll):
            pass
        for k, v in pairs[:MAX_INSTANCES]:
            i = len(out)
            s2 = scope.child(**{it: {"key": k, "value": v}})
            pos[base + (t, i)] = (content.line, content.col)
            out.append(self.eval_body(content, s2, base + (t, i), pos))

    # -- finishing -------------------------------------------------------------------------------------
    def finish(self, v, depth=0):
        """Internal values to model values."""
        t = type(v)
        if t in (str, int, float, bool) or v is None:
            return v
        if depth > 60:
            return Unknown("value nested too deeply")
        if t is list or t is TfSet:
            return [self.finish(x, depth + 1) for x in v]
        if t is dict or t is CfgDict or t is _Outputs:
            return {k: self.finish(x, depth + 1) for k, x in v.items()}
        if t is Err:
            return Unknown(v.reason, v.refs)
        if t in (Unknown, Ref, AzIndex, AzList):
            return v
        if t is OneOf:
            return OneOf(tuple(self.finish(o, depth + 1) for o in v.options))
        if t is ResObj:
            return Unknown(f"the whole resource {v.address} used as a value", (v.address,))
        if t is ModObj:
            return Unknown("a whole module used as a value")
        if t is DataObj or t is _DataCollection:
            return Unknown("a whole data source used as a value")
        if t is Namespace:
            return Unknown("a namespace used as a value")
        return Unknown(f"unsupported value {t.__name__}")

_DISPATCH = {
    S.GetAttr: Evaluator._e_getattr,
    S.Var: Evaluator.variable,
    S.Template: Evaluator._e_template,
    S.Index: Evaluator._e_index,
    S.Call: Evaluator.call,
    S.TupleExpr: Evaluator._e_tuple,
    S.ObjectExpr: Evaluator._e_object,
    S.Cond: Evaluator.conditional,
    S.BinOp: Evaluator.binop,
    S.UnOp: Evaluator._e_unop,
    S.ForExpr: Evaluator.for_expr,
    S.Splat: Evaluator.splat,
    S.Bad: Evaluator._e_bad,
}


# helpers ------------------------------------------------------------------------------------------


def _principals(blocks):
    """principals { type, identifiers } blocks as a policy's Principal map ("*" for AWS *)."""
    if not isinstance(blocks, list):
        return blocks
    out = {}
    for b in blocks:
        if not isinstance(b, dict):
            return Unknown("a principal block is not known")
        kind, ids = b.get("type"), b.get("identifiers")
        if kind == "*" and ids == ["*"]:
            return "*"
        if isinstance(kind, str):
            out.setdefault(kind, [])
            out[kind] = out[kind] + (ids if isinstance(ids, list) else [ids])
    return out


def _conditions(blocks):
    """condition { test, variable, values } blocks as a policy's Condition map."""
    if not isinstance(blocks, list):
        return blocks
    out = {}
    for b in blocks:
        if not isinstance(b, dict) or not isinstance(b.get("test"), str) \
                or not isinstance(b.get("variable"), str):
            return Unknown("a condition block is not known")
        out.setdefault(b["test"], {})[b["variable"]] = b.get("values")
    return out

"""Expressions of the Terraform evaluator: type conversion, resolution of references,
operators, string templates, for expressions, splats and function calls.

`Expressions` is a mixin of `Evaluator` (evaluate.py), which supplies `eval`, the
name lookups (`deref`, ...) and the bookkeeping (`diag`, `depth`)."""
from __future__ import annotations

import re

from walint.engine import budgets

from . import syntax as S
from .functions import FUNCTIONS, NOT_EVALUATED, STRUCTURAL, FnError, _UnknownInside, _set
from .values import (AzIndex, AzList, DataObj, Err, ModObj, Namespace, OneOf, Ref, ResObj, TfSet, Unknown,
                     collect_refs, find_unknown, is_number, norm_number, one_of,
                     to_bool, to_number, to_string, type_name, unknown_of)

MAX_ONEOF_PRODUCT = 16
MAX_REF_CHAIN = 8


class Expressions:
    # -- type conversion -------------------------------------------------------------------------
    def convert(self, v, ty, scope, depth):
        if depth > 30 or isinstance(v, (Unknown, Ref, OneOf, AzList, AzIndex)) or v is None:
            return v
        if isinstance(ty, S.Lit) and isinstance(ty.value, str):
            name = ty.value
            ty = S.Var(name, ty.line, ty.col)
        if isinstance(ty, S.Var):
            n = ty.name
            if n == "string":
                ok, s = to_string(v)
                return s if ok else v
            if n == "number":
                ok, x = to_number(v)
                return x if ok and not isinstance(v, bool) else v
            if n == "bool":
                ok, b = to_bool(v)
                return b if ok else v
            return v
        if isinstance(ty, S.Call):
            f = ty.name
            a = ty.args
            if f in ("list", "set") and a and isinstance(v, list):
                out = [self.convert(x, a[0], scope, depth + 1) for x in v]
                return _set(out) if f == "set" else out
            if f == "map" and a and isinstance(v, dict):
                return {k: self.convert(x, a[0], scope, depth + 1) for k, x in v.items()}
            if f == "tuple" and a and isinstance(a[0], S.TupleExpr) and isinstance(v, list):
                return [self.convert(x, t, scope, depth + 1) if i < len(a[0].items) else x
                        for i, (x, t) in enumerate(zip(v, a[0].items + [None] * len(v)))]
            if f == "object" and a and isinstance(a[0], S.ObjectExpr) and isinstance(v, dict):
                out = {}
                for kn, tn in a[0].items:
                    if not isinstance(kn, S.Lit):
                        continue
                    k = kn.value
                    inner, default = tn, None
                    if isinstance(tn, S.Call) and tn.name == "optional" and tn.args:
                        inner = tn.args[0]
                        if len(tn.args) > 1:
                            default = self.eval(tn.args[1], scope)
                    if k in v and v[k] is not None:
                        out[k] = self.convert(v[k], inner, scope, depth + 1)
                    else:
                        out[k] = self.convert(default, inner, scope, depth + 1) if default is not None else None
                return out
            if f == "optional" and a:
                return self.convert(v, a[0], scope, depth + 1)
        return v

    # -- resolution of references -------------------------------------------------------------
    def resolve(self, v):
        """A Ref becomes the referenced resource's configured value (or an Unknown)."""
        n = 0
        while isinstance(v, Ref):
            n += 1
            if n > MAX_REF_CHAIN:
                return Unknown("reference chain too long", (v.address,))
            ref = v
            v = self.deref(ref)
            if isinstance(v, Unknown) and ref.address not in v.refs:
                v = Unknown(v.reason, v.refs + (ref.address,))
        if isinstance(v, ResObj):
            return Unknown(f"{v.address} used as a value", (v.address,))
        if isinstance(v, (Namespace, ModObj, DataObj, _DataCollection)):
            return Err("a namespace or object cannot be used as a value")
        return v

    def resolve_shallow(self, v):
        if isinstance(v, Ref):
            return self.resolve(v)
        return v

    def resolve_deep(self, v, depth=0):
        if depth > 40:
            return v
        if isinstance(v, Ref):
            v = self.resolve(v)
        if isinstance(v, list):
            return [self.resolve_deep(x, depth + 1) for x in v]
        if isinstance(v, dict):
            return {k: self.resolve_deep(x, depth + 1) for k, x in v.items()}
        if isinstance(v, OneOf):
            return one_of([self.resolve_deep(x, depth + 1) for x in v.options])
        if isinstance(v, (ResObj, Namespace, ModObj, DataObj, _DataCollection)):
            return self.resolve(v)
        return v

    # -- operators -----------------------------------------------------------------------------
    def lift1(self, v, fn):
        if isinstance(v, Unknown):
            return Unknown(v.reason, v.refs) if not isinstance(v, Err) else v
        if isinstance(v, OneOf):
            return one_of([self.lift1(o, fn) for o in v.options])
        try:
            return fn(v)
        except FnError as e:
            return Err(str(e))

    def _unop(self, op, v):
        if op == "!":
            ok, b = to_bool(v)
            if not ok:
                raise FnError(f"! of a {type_name(v)}")
            return not b
        ok, x = to_number(v)
        if not ok or isinstance(v, bool):
            raise FnError(f"- of a {type_name(v)}")
        return -x

    def binop(self, n, scope):
        op = n.op
        left = self.resolve_deep(self.eval(n.left, scope)) if op in ("==", "!=") else self.resolve(self.eval(n.left, scope))
        right = self.resolve_deep(self.eval(n.right, scope)) if op in ("==", "!=") else self.resolve(self.eval(n.right, scope))
        if op in ("==", "!=") and (left is None or right is None):
            # comparing with null needs only the other side's own nullness
            other = right if left is None else left
            if not isinstance(other, (Unknown, OneOf)):
                return (other is None) == (op == "==")
        if op in ("&&", "||"):
            lb = _as_bool(left)
            rb = _as_bool(right)
            if op == "&&":
                if lb is False or rb is False:
                    return False
            else:
                if lb is True or rb is True:
                    return True
        return self.lift2(left, right, lambda a, b: _binop(op, a, b), op in ("==", "!="))

    def lift2(self, a, b, fn, deep=False):
        if isinstance(a, OneOf) or isinstance(b, OneOf):
            ao = a.options if isinstance(a, OneOf) else (a,)
            bo = b.options if isinstance(b, OneOf) else (b,)
            if len(ao) * len(bo) > MAX_ONEOF_PRODUCT:
                return Unknown("too many possible values")
            return one_of([self.lift2(x, y, fn, deep) for x in ao for y in bo])
        ua = find_unknown(a) if deep else (a if isinstance(a, Unknown) else None)
        ub = find_unknown(b) if deep else (b if isinstance(b, Unknown) else None)
        if ua is not None or ub is not None:
            return unknown_of([x for x in (ua, ub) if x is not None])
        try:
            return fn(a, b)
        except FnError as e:
            return Err(str(e))

    def conditional(self, n, scope):
        c = self.resolve(self.eval(n.cond, scope))
        if isinstance(c, OneOf):
            bools = {_as_bool(o) for o in c.options}
            if bools == {True}:
                c = True
            elif bools == {False}:
                c = False
            else:
                c = Unknown("condition has more than one possible value")
        if isinstance(c, Unknown):
            if isinstance(c, Err):
                return c
            a = self.eval(n.then, scope)
            b = self.eval(n.other, scope)
            return one_of([a, b])
        ok, b = to_bool(c)
        if not ok:
            return Err(f"condition must be a bool, got {type_name(c)}")
        return self.eval(n.then if b else n.other, scope)

    # -- templates ------------------------------------------------------------------------------
    def template(self, parts, scope, node):
        if len(parts) == 1 and isinstance(parts[0], S.Node):
            return self.eval(parts[0], scope)
        if all(isinstance(p, (str, S.Node)) for p in parts):
            # plain interpolations: a value with several possibilities gives several strings
            raws = [p if isinstance(p, str) else self.eval(p, scope) for p in parts]
            vals = [r if isinstance(p, str) else self.resolve_deep(r) for p, r in zip(parts, raws)]
            if any(isinstance(v, OneOf) for v in vals):
                combos = [[]]
                for v in vals:
                    opts = v.options if isinstance(v, OneOf) else (v,)
                    combos = [c + [o] for c in combos for o in opts]
                    if len(combos) > MAX_ONEOF_PRODUCT:
                        return Unknown("string template over too many possible values")
                return one_of([self._join_parts(c) for c in combos])
            joined = self._join_parts(vals)
            if type(joined) is Unknown:
                # Keep the shape for rules that can use it: "${aws_s3_bucket.b.arn}/*".
                joined = Unknown(joined.reason, joined.refs,
                                 partial="".join(_template_piece(v, r) for v, r in zip(vals, raws)))
            return joined
        out = []
        unknowns = []
        self._template_into(parts, scope, out, unknowns, 0)
        if unknowns:
            return unknown_of(unknowns)
        budgets.check_string(sum(map(len, out)), what="a string template")
        return "".join(out)

    def _join_parts(self, vals):
        out = []
        unknowns = []
        for v in vals:
            if isinstance(v, Unknown):
                unknowns.append(v)
                continue
            if isinstance(v, (OneOf, AzIndex, AzList)):
                unknowns.append(Unknown("string template over an Availability Zone that is not known by name"
                                        if isinstance(v, (AzIndex, AzList)) else "template over a value with several possibilities",
                                        _refs_of(v)))
                continue
            ok, s = to_string(v)
            if not ok:
                u = find_unknown(v)
                unknowns.append(u if u is not None else Err(f"cannot use a {type_name(v)} in a string template"))
                continue
            out.append(s)
        if unknowns:
            return unknown_of(unknowns)
        budgets.check_string(sum(map(len, out)), what="a string template")
        return "".join(out)

    def _template_into(self, parts, scope, out, unknowns, depth):
        if depth > 20:
            unknowns.append(Unknown("template directives nested too deeply"))
            return
        for p in parts:
            if isinstance(p, str):
                out.append(p)
            elif isinstance(p, S.Node):
                v = self.resolve_deep(self.eval(p, scope))
                if isinstance(v, Unknown):
                    unknowns.append(v)
                    continue
                if isinstance(v, (OneOf, AzIndex, AzList)):
                    refs = []
                    collect_refs(v, refs)
                    unknowns.append(Unknown("template over a value with several possibilities", tuple(refs)))
                    continue
                ok, s = to_string(v)
                if not ok:
                    unknowns.append(Err(f"cannot use a {type_name(v)} in a string template"))
                    continue
                out.append(s)
            elif isinstance(p, tuple) and p[0] == "if":
                c = self.resolve(self.eval(p[1], scope))
                ok, b = to_bool(c)
                if not ok:
                    unknowns.append(c if isinstance(c, Unknown) else Unknown("%{if} condition is not known"))
                    continue
                self._template_into(p[2] if b else p[3], scope, out, unknowns, depth + 1)
            elif isinstance(p, tuple) and p[0] == "for":
                _, kv, vv, coll, body = p
                cv = self.resolve(self.eval(coll, scope))
                pairs = _iter_pairs(cv)
                if pairs is None:
                    unknowns.append(Unknown("%{for} over a collection that is not known", _refs_of(cv)))
                    continue
                for k, v in pairs:
                    bind = {vv: v}
                    if kv:
                        bind[kv] = k
                    self._template_into(body, scope.child(**bind), out, unknowns, depth + 1)
            elif isinstance(p, S.Bad):
                unknowns.append(Unknown(f"template could not be read ({p.why})"))

    # -- for expressions and splats ---------------------------------------------------------------
    def for_expr(self, n, scope):
        coll = self.resolve(self.eval(n.coll, scope))
        if isinstance(coll, Unknown):
            return Unknown(f"for expression over a collection that is not known ({coll.reason})", coll.refs)
        pairs = _iter_pairs(coll)
        if pairs is None:
            if isinstance(coll, AzList):
                return Unknown("for expression over an Availability Zone list of unknown length")
            if isinstance(coll, OneOf):
                return Unknown("for expression over a collection with several possible values", _refs_of(coll))
            refs = []
            collect_refs(coll, refs)
            return Unknown("for expression over a value that is not a collection", tuple(refs))
        out_list = []
        out_map = {}
        for k, v in pairs:
            bind = {n.val_var: v}
            if n.key_var:
                bind[n.key_var] = k
            s2 = scope.child(**bind)
            if n.cond is not None:
                c = self.resolve(self.eval(n.cond, s2))
                ok, b = to_bool(c)
                if not ok:
                    refs = []
                    collect_refs(c, refs)
                    return Unknown("for expression filter is not known", tuple(refs))
                if not b:
                    continue
            if n.is_map:
                kv = self.resolve(self.eval(n.key, s2))
                if isinstance(kv, Unknown):
                    return Unknown("for expression key is not known", kv.refs)
                if isinstance(kv, AzIndex):
                    kv = az_key(kv)
                ok, ks = to_string(kv)
                if not ok:
                    return Err("for expression key must be a string")
                val = self.eval(n.value, s2)
                if n.group:
                    out_map.setdefault(ks, []).append(val)
                else:
                    if ks in out_map:
                        return Err(f"duplicate key {ks!r} in for expression (use ... to group)")
                    out_map[ks] = val
            else:
                out_list.append(self.eval(n.value, s2))
        return out_map if n.is_map else out_list

    def splat(self, n, scope):
        obj = self.eval(n.obj, scope)
        if isinstance(obj, Ref):
            obj = self.resolve(obj)
        if isinstance(obj, Unknown):
            return obj
        if isinstance(obj, AzList):
            if not n.ops:
                return obj
            return Unknown("splat over an Availability Zone list")
        if obj is None:
            return []
        if isinstance(obj, list):
            items = obj
        elif isinstance(obj, dict) and obj and all(isinstance(x, (ResObj, ModObj)) for x in obj.values()):
            items = [obj[k] for k in sorted(obj)]
        else:
            items = [obj]
        out = []
        for it in items:
            v = it
            for kind, arg in n.ops:
                if kind == "attr":
                    v = self.get_attr(v, arg, scope)
                else:
                    v = self.index(v, self.eval(arg, scope), scope)
            out.append(v)
        return out

    # -- function calls -----------------------------------------------------------------------
    def call(self, n, scope):
        name = n.name
        if "::" in name:
            return Unknown(f"function {name} is not evaluated")
        if name in ("try", "can"):
            return self.try_can(n, scope)
        if name == "element" or name == "slice" or name == "length":
            pass
        args = [self.eval(a, scope) for a in n.args]
        if n.expand and args:
            last = self.resolve(args[-1])
            if isinstance(last, Unknown):
                return Unknown(f"{name}() over an argument list that is not known", last.refs)
            if isinstance(last, dict):
                last = [last[k] for k in sorted(last)]
            if not isinstance(last, list):
                return Err(f"cannot expand a {type_name(last)} with ...")
            args = args[:-1] + list(last)
        fn = FUNCTIONS.get(name)
        if fn is None:
            refs = []
            collect_refs(args, refs)
            why = NOT_EVALUATED.get(name)
            return Unknown(f"function {name} is not evaluated" + (f" ({why})" if why else ""), tuple(refs))
        if name in STRUCTURAL:
            args = [self.resolve(a) for a in args]
            for a in args:
                if isinstance(a, Unknown):
                    return a if isinstance(a, Err) else _keeping_refs(a, args)
            if any(isinstance(a, OneOf) for a in args):
                return self._oneof_call(name, fn, args)
            try:
                return _counted(fn(args))
            except _UnknownInside as e:
                return _keeping_refs(e.u, args)
            except FnError as e:
                return Err(f"{name}(): {e}")
            except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError, OverflowError) as e:
                return Err(f"{name}(): bad arguments ({e})")
        raw, args = args, [self.resolve_deep(a) for a in args]
        for a in args:
            u = find_unknown(a)
            if u is not None:
                if isinstance(u, Err):
                    return u
                # A policy or container definitions document whose ARNs are known only
                # after apply: keep its structure (with Refs) for the rules that can use it.
                partial = self.finish(raw[0]) if name == "jsonencode" and raw else None
                return _keeping_refs(u, args, partial)
        if any(isinstance(a, (AzIndex, AzList)) for a in args):
            return Unknown(f"{name}() of an Availability Zone that is not known by name")
        if any(isinstance(a, OneOf) for a in args):
            return self._oneof_call(name, fn, args)
        try:
            return _counted(fn(args))
        except FnError as e:
            return Err(f"{name}(): {e}")
        except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError, OverflowError) as e:
            return Err(f"{name}(): bad arguments ({e})")

    def _oneof_call(self, name, fn, args):
        combos = [[]]
        for a in args:
            opts = a.options if isinstance(a, OneOf) else (a,)
            combos = [c + [o] for c in combos for o in opts]
            if len(combos) > MAX_ONEOF_PRODUCT:
                return Unknown(f"{name}() over too many possible values")
        out = []
        for c in combos:
            try:
                out.append(fn(c))
            except FnError as e:
                out.append(Err(f"{name}(): {e}"))
            except _UnknownInside as e:
                out.append(_keeping_refs(e.u, c))
            except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError, OverflowError) as e:
                out.append(Err(f"{name}(): bad arguments ({e})"))
        return one_of(out)

    def try_can(self, n, scope):
        if n.name == "can":
            if len(n.args) != 1:
                return Err("can() takes one argument")
            v = self.eval(n.args[0], scope)
            u = find_unknown(v)
            if isinstance(v, Err) or isinstance(u, Err):
                return False
            if u is not None:
                return Unknown(u.reason, u.refs)
            return True
        last = None
        for a in n.args:
            v = self.eval(a, scope)
            if isinstance(v, Err):
                last = v
                continue
            u = find_unknown(v)
            if isinstance(u, Err):
                last = u
                continue
            return v
        return last if last is not None else Err("try() with no arguments")


def _keeping_refs(u, args, partial=None):
    """The unknown result of a function: `u`'s reason, with the references of every
    argument, so that they stay edges of the graph (`compact(concat(var.extra,
    [aws_security_group.lb.id]))` still attaches the group)."""
    refs = []
    collect_refs(args, refs)
    collect_refs(u, refs)
    return Unknown(u.reason, tuple(refs), partial=partial)
def _counted(v):
    """A function's result, its string counted against the string budgets."""
    if type(v) is str:
        budgets.check_string(len(v), what="a function's result")
    return v


def _refs_of(v):
    refs = []
    collect_refs(v, refs)
    return tuple(refs)
def _reason(v):
    if isinstance(v, Unknown):
        return v.reason
    if isinstance(v, Ref):
        return f"{v.address}.{v.attr} is known only after apply"
    return f"a {type_name(v)}"
def _as_bool(v):
    ok, b = to_bool(v)
    return b if ok else None
def az_key(z):
    """The map key and instance key that stand for a zone known only by its position."""
    return f"<{z.list_id}[{z.index}]>"
_AZ_KEY = re.compile(r"^<(.+)\[(\d+)\]>$")
def _az_of_key(k):
    m = _AZ_KEY.match(k) if isinstance(k, str) else None
    return AzIndex(m.group(1), int(m.group(2))) if m else k
def _iter_pairs(coll):
    if isinstance(coll, TfSet):
        return [(x, x) for x in coll]
    if isinstance(coll, list):
        return list(enumerate(coll))
    if isinstance(coll, dict):
        return [(_az_of_key(k), coll[k]) for k in sorted(coll)]
    if coll is None:
        return []
    return None
def _binop(op, a, b):
    if op == "==":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    if op in ("&&", "||"):
        ok1, x = to_bool(a)
        ok2, y = to_bool(b)
        if not (ok1 and ok2):
            raise FnError(f"{op} needs bools")
        return (x and y) if op == "&&" else (x or y)
    ok1, x = to_number(a)
    ok2, y = to_number(b)
    if not (ok1 and ok2) or isinstance(a, bool) or isinstance(b, bool):
        raise FnError(f"{op} needs numbers, got {type_name(a)} and {type_name(b)}")
    if op == "+":
        return norm_number(x + y)
    if op == "-":
        return norm_number(x - y)
    if op == "*":
        return norm_number(x * y)
    if op == "/":
        if y == 0:
            raise FnError("division by zero")
        return norm_number(x / y)
    if op == "%":
        if y == 0:
            raise FnError("modulo by zero")
        r = abs(x) % abs(y)
        return norm_number(-r if x < 0 else r)
    if op == "<":
        return x < y
    if op == ">":
        return x > y
    if op == "<=":
        return x <= y
    if op == ">=":
        return x >= y
    raise FnError(f"unknown operator {op}")
def _equal(a, b):
    if is_number(a) and is_number(b):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b
def _template_piece(value, raw) -> str:
    """A part of a string template as text: known values as Terraform prints them, a
    reference as `${address.attr}`, anything else as `${?}`."""
    if not isinstance(value, (Unknown, OneOf, AzIndex, AzList)):
        ok, text = to_string(value)
        if ok:
            return text
    if isinstance(raw, Ref):
        return "${" + f"{raw.address}.{raw.attr}" + "}"
    if isinstance(value, Unknown) and isinstance(value.partial, str):
        return value.partial          # a template built from another template
    return "${?}"
class _DataCollection:
    """A counted data source: any index gives the same symbolic instance."""
    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

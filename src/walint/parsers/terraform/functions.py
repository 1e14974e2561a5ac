"""Terraform's built-in functions, over evaluated values.

A function gets its arguments already evaluated. Functions in STRUCTURAL keep Refs and
Unknowns that sit *inside* collections (so `concat([aws_subnet.a.id], ...)` still yields
edges); every other function gets its arguments with Refs resolved to the referenced
resource's configured value, and returns Unknown when any argument holds an Unknown.
A Terraform error is raised as FnError (the evaluator turns it into an Err value).
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import re

from walint.parsers.base import number
from walint.engine import budgets

from .values import (AzIndex, AzList, Err, ResObj, Ref, TfSet, Unknown, is_number,
                     norm_number, num_to_str, sort_key, to_bool, to_number, to_string, type_name)


class FnError(Exception):
    pass


def _not_concrete(v):
    if isinstance(v, (AzIndex, AzList)):
        raise _UnknownInside(Unknown("the name of an Availability Zone is not known"))
    if isinstance(v, (Ref, ResObj)):
        raise _UnknownInside(Unknown("a resource attribute is known only after apply",
                                     (v.address,)))


def _s(v, what="argument"):
    if not isinstance(v, str):
        _not_concrete(v)
    ok, s = to_string(v)
    if not ok:
        raise FnError(f"{what} must be a string, got {type_name(v)}")
    return s


def _n(v, what="argument"):
    if not is_number(v):
        _not_concrete(v)
    ok, n = to_number(v)
    if not ok:
        raise FnError(f"{what} must be a number, got {type_name(v)}")
    return n


def _i(v, what="argument"):
    n = _n(v, what)
    if isinstance(n, float):
        if not n.is_integer():
            raise FnError(f"{what} must be a whole number")
        n = int(n)
    return n


def _list(v, what="argument"):
    if isinstance(v, list):
        return v
    if isinstance(v, tuple):
        return list(v)
    raise FnError(f"{what} must be a list, got {type_name(v)}")


def _map(v, what="argument"):
    if isinstance(v, dict):
        return v
    raise FnError(f"{what} must be a map, got {type_name(v)}")


def _set(items):
    """Terraform sets: no duplicates; strings and numbers come out sorted."""
    out = []
    for x in items:
        if not any(type(x) is type(y) and x == y for y in out):
            out.append(x)
    if all(isinstance(x, str) for x in out) or all(is_number(x) for x in out):
        out.sort(key=sort_key)
    return TfSet(out)


# ---------------------------------------------------------------- collections

def f_length(a):
    (v,) = a
    if isinstance(v, AzList):
        return Unknown("the number of Availability Zones is not known")
    if isinstance(v, (list, dict, str)):
        return len(v)
    raise FnError(f"length() of a {type_name(v)}")


def f_element(a):
    lst, idx = a
    if isinstance(lst, AzList):
        i = _i(idx, "index")
        return AzIndex(lst.list_id, i)
    if isinstance(idx, Unknown):
        return idx
    lst = _list(lst, "element() list")
    i = _i(idx, "index")
    if not lst:
        raise FnError("element() of an empty list")
    if i < 0:
        raise FnError("element() index must not be negative")
    return lst[i % len(lst)]


def f_concat(a):
    out = []
    for x in a:
        if isinstance(x, AzList):
            return Unknown("concat() over an Availability Zone list of unknown length")
        out.extend(_list(x, "concat() argument"))
    return out


def f_flatten(a):
    (v,) = a
    out = []

    def walk(x, d):
        if d > 50:
            raise FnError("flatten() nesting too deep")
        for y in x:
            if isinstance(y, Unknown):
                raise _UnknownInside(y)
            if isinstance(y, list):
                walk(y, d + 1)
            else:
                out.append(y)
    walk(_list(v, "flatten() argument"), 0)
    return out


class _UnknownInside(Exception):
    def __init__(self, u):
        self.u = u


def f_merge(a):
    out = {}
    for x in a:
        if x is None:
            continue
        out.update(_map(x, "merge() argument"))
    return out


def f_lookup(a):
    if len(a) < 2:
        raise FnError("lookup() needs a map and a key")
    m, k = a[0], a[1]
    if isinstance(k, Unknown):
        return k
    m = _map(m, "lookup() map")
    k = _s(k, "lookup() key")
    if k in m:
        return m[k]
    if len(a) > 2:
        return a[2]
    raise FnError(f"lookup(): no key {k!r}")


def f_coalesce(a):
    for x in a:
        if isinstance(x, Unknown):
            return x
        if x is None or x == "":
            continue
        return x
    raise FnError("coalesce(): no non-null, non-empty argument")


def f_coalescelist(a):
    for x in a:
        if isinstance(x, Unknown):
            return x
        if x is None:
            continue
        if _list(x, "coalescelist() argument"):
            return x
    raise FnError("coalescelist(): no non-empty list")


def f_compact(a):
    (v,) = a
    out = []
    for x in _list(v, "compact() argument"):
        if isinstance(x, Unknown) and not isinstance(x, Err):
            raise _UnknownInside(x)
        if x is None or x == "":
            continue
        out.append(x)
    return out


def f_distinct(a):
    (v,) = a
    out = []
    for x in _list(v, "distinct() argument"):
        if not any(type(x) is type(y) and x == y for y in out):
            out.append(x)
    return out


def f_slice(a):
    v, s, e = a
    if isinstance(v, AzList):
        s, e = _i(s), _i(e)
        return [AzIndex(v.list_id, i) for i in range(s, e)]
    v = _list(v, "slice() list")
    s, e = _i(s), _i(e)
    if s < 0 or e > len(v) or s > e:
        raise FnError("slice() indices out of range")
    return v[s:e]


def f_toset(a):
    (v,) = a
    if isinstance(v, dict):
        raise FnError("toset() of a map")
    return _set(_list(v, "toset() argument"))


def f_tolist(a):
    (v,) = a
    return list(_list(v, "tolist() argument"))


def f_tomap(a):
    (v,) = a
    return dict(_map(v, "tomap() argument"))


def f_keys(a):
    (v,) = a
    return sorted(_map(v, "keys() argument").keys())


def f_values(a):
    (v,) = a
    m = _map(v, "values() argument")
    return [m[k] for k in sorted(m)]


def f_zipmap(a):
    k, v = a
    k, v = _list(k), _list(v)
    if len(k) != len(v):
        raise FnError("zipmap() lists differ in length")
    return {_s(x, "zipmap() key"): y for x, y in zip(k, v)}


def f_contains(a):
    lst, v = a
    if isinstance(v, (Unknown, Ref)):
        return Unknown("contains() with an unknown value")
    lst = _list(lst, "contains() list")
    for x in lst:
        if isinstance(x, (Unknown, Ref)):
            return Unknown("contains() over a list with unknown elements")
    return any(_eq(x, v) for x in lst)


def _eq(x, y):
    if is_number(x) and is_number(y):
        return x == y
    return type(x) is type(y) and x == y


def f_index(a):
    lst, v = a
    for i, x in enumerate(_list(lst)):
        if _eq(x, v):
            return i
    raise FnError("index(): value not in list")


def f_one(a):
    (v,) = a
    if v is None:
        return None
    lst = _list(v, "one() argument") if not isinstance(v, dict) else list(v.values())
    if len(lst) == 0:
        return None
    if len(lst) == 1:
        return lst[0]
    raise FnError("one() of a list with more than one element")


def f_reverse(a):
    (v,) = a
    return list(reversed(_list(v)))


def f_setunion(a):
    out = []
    for x in a:
        out.extend(_list(x))
    return _set(out)


def f_setintersection(a):
    if not a:
        return []
    first = _set(_list(a[0]))
    rest = [_list(x) for x in a[1:]]
    return TfSet(x for x in first if all(any(_eq(x, y) for y in r) for r in rest))


def f_setsubtract(a):
    x, y = a
    y = _list(y)
    return TfSet(e for e in _set(_list(x)) if not any(_eq(e, z) for z in y))


def f_setproduct(a):
    out = [[]]
    for x in a:
        out = [p + [e] for p in out for e in _list(x)]
        if len(out) > 10000:
            raise FnError("setproduct() result too large")
    return out


def f_range(a):
    a = [_n(x) for x in a]
    if len(a) == 1:
        s, e, st = 0, a[0], 1
    elif len(a) == 2:
        s, e, st = a[0], a[1], 1 if a[1] >= a[0] else -1
    elif len(a) == 3:
        s, e, st = a
    else:
        raise FnError("range() takes 1 to 3 arguments")
    if st == 0:
        raise FnError("range() step must not be 0")
    if abs((e - s) / st) > 1024:
        raise FnError("range() would give more than 1024 elements")
    out = []
    x = s
    while (st > 0 and x < e) or (st < 0 and x > e):
        out.append(norm_number(x))
        x += st
    return out


def f_chunklist(a):
    lst, n = _list(a[0]), _i(a[1])
    if n <= 0:
        return [lst]
    return [lst[i:i + n] for i in range(0, len(lst), n)]


def f_matchkeys(a):
    vals, keys, search = _list(a[0]), _list(a[1]), _list(a[2])
    return [v for v, k in zip(vals, keys) if any(_eq(k, s) for s in search)]


def f_transpose(a):
    m = _map(a[0])
    out = {}
    for k in sorted(m):
        for v in _list(m[k]):
            out.setdefault(_s(v), []).append(k)
    return out


def f_alltrue(a):
    return all(_b(x) for x in _list(a[0]))


def f_anytrue(a):
    return any(_b(x) for x in _list(a[0]))


def _b(v):
    ok, b = to_bool(v)
    if not ok:
        raise FnError(f"expected a bool, got {type_name(v)}")
    return b


def f_sum(a):
    lst = _list(a[0])
    if not lst:
        raise FnError("sum() of an empty list")
    return norm_number(sum(_n(x) for x in lst))


def f_sort(a):
    lst = _list(a[0])
    return sorted((_s(x) for x in lst))


# ---------------------------------------------------------------- numbers

def f_min(a):
    if not a:
        raise FnError("min() needs arguments")
    return min(_n(x) for x in a)


def f_max(a):
    if not a:
        raise FnError("max() needs arguments")
    return max(_n(x) for x in a)


def f_abs(a):
    return abs(_n(a[0]))


def f_ceil(a):
    return math.ceil(_n(a[0]))


def f_floor(a):
    return math.floor(_n(a[0]))


def f_pow(a):
    return norm_number(_n(a[0]) ** _n(a[1]))


def f_signum(a):
    n = _n(a[0])
    return (n > 0) - (n < 0)


def f_log(a):
    return math.log(_n(a[0]), _n(a[1]))


def f_parseint(a):
    try:
        return int(_s(a[0]), _i(a[1]))
    except ValueError:
        raise FnError("parseint(): not a number in that base")


# ---------------------------------------------------------------- strings

def f_format(a):
    if not a:
        raise FnError("format() needs a format string")
    return _format(_s(a[0]), a[1:])


_VERB = re.compile(r"%(?:\[(\d+)\])?([-+ #0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def _digits(text) -> int:
    """A width or precision as written (10**18 when it has more digits than that)."""
    return 0 if not text else int(text) if len(text) <= 18 else 10 ** 18


def _format(fmt, args):
    out = []
    pos = 0
    argi = 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        idx, flags, width, prec, verb = m.groups()
        # checked before Python's formatting runs: one C call cannot be interrupted
        budgets.check_width(_digits(width))
        budgets.check_width(_digits(prec))
        if verb == "%":
            out.append("%")
            continue
        if idx:
            argi = int(idx) - 1
        if argi >= len(args):
            raise FnError("format(): not enough arguments")
        v = args[argi]
        argi += 1
        if verb in ("s", "v"):
            if isinstance(v, (list, dict)) or v is None:
                s = json.dumps(v, separators=(",", ":")) if verb == "v" else None
                if s is None:
                    raise FnError("format(): %s of a non-string")
            else:
                s = _s(v)
            if prec:
                s = s[: int(prec)]
        elif verb == "q":
            s = json.dumps(_s(v))
        elif verb == "d":
            s = str(_i(v))
            if "+" in flags and not s.startswith("-"):
                s = "+" + s
        elif verb in ("f", "F", "e", "E", "g", "G"):
            n = _n(v)
            s = format(n, f".{prec or 6}{verb.lower() if verb != 'F' else 'f'}")
        elif verb in ("x", "X", "o", "b"):
            if isinstance(v, str) and verb in "xX":
                s = v.encode().hex()
            else:
                s = format(_i(v), verb)
            if verb == "X":
                s = s.upper()
        elif verb == "t":
            s = "true" if _b(v) else "false"
        else:
            raise FnError(f"format(): unsupported verb %{verb}")
        if width:
            w = int(width)
            if "-" in flags:
                s = s.ljust(w)
            elif "0" in flags and verb in "dfFeEgGxXob":
                neg = s.startswith("-")
                body = s[1:] if neg else s
                s = ("-" if neg else "") + body.rjust(w - neg, "0")
            else:
                s = s.rjust(w)
        out.append(s)
    out.append(fmt[pos:])
    return "".join(out)


def f_formatlist(a):
    fmt = _s(a[0])
    rest = a[1:]
    n = None
    for x in rest:
        if isinstance(x, list):
            if n is not None and len(x) != n:
                raise FnError("formatlist(): lists differ in length")
            n = len(x)
    if n is None:
        return [_format(fmt, rest)]
    # the result's size, bounded before it is built (1024 copies of a 1 MB string)
    budgets.check_string(n * (len(fmt) + sum(len(x) for x in rest if isinstance(x, str))),
                         what="formatlist()'s result")
    return [_format(fmt, [x[i] if isinstance(x, list) else x for x in rest]) for i in range(n)]


def f_join(a):
    if len(a) < 2:
        raise FnError("join() needs a separator and lists")
    sep = _s(a[0])
    out = []
    for lst in a[1:]:
        for x in _list(lst):
            if x is None:
                raise FnError("join(): null element")
            out.append(_s(x))
    budgets.check_string(sum(map(len, out)) + len(sep) * len(out), what="join()'s result")
    return sep.join(out)


def f_split(a):
    sep, s = _s(a[0]), _s(a[1])
    if sep == "":
        return list(s)
    return s.split(sep)


def f_lower(a):
    return _s(a[0]).lower()


def f_upper(a):
    return _s(a[0]).upper()


def f_title(a):
    return re.sub(r"\b([a-z])", lambda m: m.group(1).upper(), _s(a[0]))


def f_replace(a):
    s, old, new = _s(a[0]), _s(a[1]), _s(a[2])
    if len(old) >= 2 and old.startswith("/") and old.endswith("/"):
        try:
            rx = re.compile(_re(old[1:-1]))
        except re.error as e:
            raise FnError(f"replace(): bad regular expression: {e}")
        grown = [len(s)]

        def repl(m):
            piece = _re_repl(new, m)
            grown[0] += len(piece)
            budgets.check_string(grown[0], what="replace()'s result")
            return piece
        return rx.sub(repl, s)
    if old and len(new) > len(old):
        budgets.check_string(len(s) + s.count(old) * (len(new) - len(old)), what="replace()'s result")
    return s.replace(old, new)


def _re(p):
    # RE2 named groups (?P<n>..) are Python's too; nothing else to translate for common use
    return p


def _re_repl(tmpl, m):
    def rep(mm):
        g = mm.group(1) or mm.group(2)
        try:
            return m.group(int(g)) if g.isdigit() else m.group(g) or ""
        except (IndexError, error_types):
            return ""
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", rep, tmpl)


error_types = (re.error, KeyError)


def f_substr(a):
    s, off, ln = _s(a[0]), _i(a[1]), _i(a[2])
    if off < 0:
        off = len(s) + off
    if off > len(s) or off < 0:
        raise FnError("substr(): offset out of range")
    if ln < 0:
        return s[off:]
    return s[off:off + ln]


def f_trimspace(a):
    return _s(a[0]).strip()


def f_trim(a):
    return _s(a[0]).strip(_s(a[1]))


def f_trimprefix(a):
    s, p = _s(a[0]), _s(a[1])
    return s[len(p):] if p and s.startswith(p) else s


def f_trimsuffix(a):
    s, p = _s(a[0]), _s(a[1])
    return s[: -len(p)] if p and s.endswith(p) else s


def f_chomp(a):
    return re.sub(r"(\r\n|\n|\r)+$", "", _s(a[0]))


def f_startswith(a):
    return _s(a[0]).startswith(_s(a[1]))


def f_endswith(a):
    return _s(a[0]).endswith(_s(a[1]))


def f_strcontains(a):
    return _s(a[1]) in _s(a[0])


def f_strrev(a):
    return _s(a[0])[::-1]


def f_regex(a):
    pat, s = _s(a[0]), _s(a[1])
    try:
        m = re.search(_re(pat), s)
    except re.error as e:
        raise FnError(f"regex(): bad pattern: {e}")
    if not m:
        raise FnError("regex(): no match")
    return _match_value(m)


def _match_value(m):
    if m.re.groupindex:
        return {k: m.group(k) for k in m.re.groupindex}
    if m.re.groups:
        return list(m.groups())
    return m.group(0)


def f_regexall(a):
    pat, s = _s(a[0]), _s(a[1])
    try:
        return [_match_value(m) for m in re.finditer(_re(pat), s)]
    except re.error as e:
        raise FnError(f"regexall(): bad pattern: {e}")


def f_base64encode(a):
    return base64.b64encode(_s(a[0]).encode()).decode()


def f_base64decode(a):
    try:
        return base64.b64decode(_s(a[0])).decode()
    except Exception:
        raise FnError("base64decode(): not valid base64 UTF-8")


def f_md5(a):
    return hashlib.md5(_s(a[0]).encode()).hexdigest()


def f_sha1(a):
    return hashlib.sha1(_s(a[0]).encode()).hexdigest()


def f_sha256(a):
    return hashlib.sha256(_s(a[0]).encode()).hexdigest()


def f_basename(a):
    s = _s(a[0]).rstrip("/")
    return s.rsplit("/", 1)[-1] if s else "."


def f_dirname(a):
    s = _s(a[0])
    return s.rsplit("/", 1)[0] if "/" in s else "."


# ---------------------------------------------------------------- encoding / types

def _json_ready(v):
    if isinstance(v, dict):
        return {k: _json_ready(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [_json_ready(x) for x in v]
    if isinstance(v, float):
        return norm_number(v)
    if v is None or isinstance(v, (str, bool, int)):
        return v
    raise FnError(f"cannot encode a {type_name(v)}")


def f_jsonencode(a):
    return json.dumps(_json_ready(a[0]), separators=(",", ":"), ensure_ascii=False).replace(
        "<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def f_jsondecode(a):
    budgets.check_json(_s(a[0]), what="jsondecode()'s argument")
    try:
        return _norm_json(json.loads(_s(a[0]), parse_int=number))
    except ValueError as e:
        raise FnError(f"jsondecode(): {e}")


def _norm_json(v):
    if isinstance(v, dict):
        return {k: _norm_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_norm_json(x) for x in v]
    if isinstance(v, float):
        return norm_number(v)
    return v


def f_yamldecode(a):
    try:
        import yaml
        data = yaml.safe_load(_s(a[0]))
    except Exception as e:  # noqa: BLE001 - any YAML problem is a Terraform error
        raise FnError(f"yamldecode(): {e}")
    # aliases are shared until _norm_json copies them: count them first (alias bombs)
    limit = budgets.ACTIVE.decode_nodes
    budgets.check_nodes(budgets.expanded_nodes(data, limit), what="yamldecode()'s argument")
    return _norm_json(data)


def f_tostring(a):
    v = a[0]
    if v is None:
        return None
    return _s(v, "tostring() argument")


def f_tonumber(a):
    v = a[0]
    if v is None:
        return None
    return _n(v, "tonumber() argument")


def f_tobool(a):
    v = a[0]
    if v is None:
        return None
    return _b(v)


def f_identity(a):
    return a[0]


# ---------------------------------------------------------------- networks

def _net(prefix):
    try:
        return ipaddress.ip_network(_s(prefix), strict=False)
    except ValueError as e:
        raise FnError(f"invalid CIDR prefix {prefix!r}: {e}")


def f_cidrsubnet(a):
    net = _net(a[0])
    newbits, num = _i(a[1]), _i(a[2])
    plen = net.prefixlen + newbits
    if newbits < 0 or plen > net.max_prefixlen:
        raise FnError("cidrsubnet(): not enough bits")
    if num < 0 or num >= (1 << newbits):
        raise FnError("cidrsubnet(): netnum out of range")
    base = int(net.network_address) + (num << (net.max_prefixlen - plen))
    return str(ipaddress.ip_network((base, plen)))


def f_cidrsubnets(a):
    net = _net(a[0])
    out = []
    cur = int(net.network_address)
    end = int(net.network_address) + net.num_addresses
    for nb in a[1:]:
        nb = _i(nb)
        plen = net.prefixlen + nb
        if nb < 1 or plen > net.max_prefixlen:
            raise FnError("cidrsubnets(): bad newbits")
        size = 1 << (net.max_prefixlen - plen)
        if cur % size:
            cur = (cur // size + 1) * size
        if cur + size > end:
            raise FnError("cidrsubnets(): not enough space")
        out.append(str(ipaddress.ip_network((cur, plen))))
        cur += size
    return out


def f_cidrhost(a):
    net = _net(a[0])
    n = _i(a[1])
    if n < 0:
        n = net.num_addresses + n
    if n < 0 or n >= net.num_addresses:
        raise FnError("cidrhost(): host number out of range")
    return str(net.network_address + n)


def f_cidrnetmask(a):
    net = _net(a[0])
    return str(net.netmask)


FUNCTIONS = {
    "length": f_length, "element": f_element, "concat": f_concat, "flatten": f_flatten,
    "merge": f_merge, "lookup": f_lookup, "coalesce": f_coalesce, "coalescelist": f_coalescelist,
    "compact": f_compact, "distinct": f_distinct, "slice": f_slice, "toset": f_toset,
    "tolist": f_tolist, "tomap": f_tomap, "keys": f_keys, "values": f_values, "zipmap": f_zipmap,
    "contains": f_contains, "index": f_index, "one": f_one, "reverse": f_reverse,
    "setunion": f_setunion, "setintersection": f_setintersection, "setsubtract": f_setsubtract,
    "setproduct": f_setproduct, "range": f_range, "chunklist": f_chunklist, "matchkeys": f_matchkeys,
    "transpose": f_transpose, "alltrue": f_alltrue, "anytrue": f_anytrue, "sum": f_sum, "sort": f_sort,
    "min": f_min, "max": f_max, "abs": f_abs, "ceil": f_ceil, "floor": f_floor, "pow": f_pow,
    "signum": f_signum, "log": f_log, "parseint": f_parseint,
    "format": f_format, "formatlist": f_formatlist, "join": f_join, "split": f_split,
    "lower": f_lower, "upper": f_upper, "title": f_title, "replace": f_replace, "substr": f_substr,
    "trimspace": f_trimspace, "trim": f_trim, "trimprefix": f_trimprefix, "trimsuffix": f_trimsuffix,
    "chomp": f_chomp, "startswith": f_startswith, "endswith": f_endswith, "strcontains": f_strcontains,
    "strrev": f_strrev, "regex": f_regex, "regexall": f_regexall,
    "base64encode": f_base64encode, "base64decode": f_base64decode, "md5": f_md5, "sha1": f_sha1,
    "sha256": f_sha256, "basename": f_basename, "dirname": f_dirname,
    "jsonencode": f_jsonencode, "jsondecode": f_jsondecode, "yamldecode": f_yamldecode,
    "tostring": f_tostring, "tonumber": f_tonumber, "tobool": f_tobool,
    "nonsensitive": f_identity, "sensitive": f_identity,
    "cidrsubnet": f_cidrsubnet, "cidrsubnets": f_cidrsubnets, "cidrhost": f_cidrhost,
    "cidrnetmask": f_cidrnetmask,
}

# Functions that only move values around: Refs and Unknowns inside collections survive.
STRUCTURAL = {"length", "element", "concat", "flatten", "merge", "lookup", "coalesce", "coalescelist",
              "compact", "distinct", "slice", "toset", "tolist", "tomap", "keys", "values", "zipmap",
              "contains", "one", "reverse", "setunion", "setintersection", "setsubtract", "nonsensitive",
              "sensitive", "chunklist", "setproduct", "index", "matchkeys"}

# Argument positions that must themselves be known for a structural function
# (the others may be Unknown only at top level -> result Unknown).
NOT_EVALUATED = {"timestamp": "the time of the run", "uuid": "a random value", "bcrypt": "a random salt",
                 "file": None, "templatefile": None, "fileexists": None, "filebase64": None,
                 "filebase64sha256": None, "filemd5": None, "fileset": None, "filesha256": None,
                 "plantimestamp": "the time of the run", "uuidv5": None, "timeadd": None}

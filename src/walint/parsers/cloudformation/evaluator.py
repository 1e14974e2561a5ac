"""Evaluation of intrinsic functions and conditions for one template instance.

One `Evaluator` per template instance (the top template, or a nested stack with its
bound parameters). Everything is evaluated for the single scenario the parameters give;
conditions are three-valued (True / False / None for unknown) and memoized, so the cost
is linear in the size of the template.
"""
from __future__ import annotations

import datetime
import functools
import ipaddress
import itertools
import json
import re

from walint.engine import budgets
from walint.model.values import AzIndex, AzList, OneOf, Ref, Unknown, iter_refs

from .exports import Carrying, ImportName

from . import parameters as P
from .decoding import position
from .nodes import referenced_names

MAX_ALTERNATIVES = 32
# Resource types that bring in another template, and the property naming it.
NESTED_STACK_TYPES = {"AWS::CloudFormation::Stack": "TemplateURL", "AWS::Serverless::Application": "Location"}


class _Absent:
    """AWS::NoValue: the key or list item is not there."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "ABSENT"


ABSENT = _Absent()
_MARKERS = (Unknown, OneOf, Ref, AzIndex, AzList)
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def is_intrinsic(node) -> bool:
    if isinstance(node, dict) and len(node) == 1:
        (key,) = node
        return isinstance(key, str) and (key == "Ref" or (key.startswith("Fn::") and not key.startswith("Fn::ForEach::")))
    return False


def has_marker(value) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, _MARKERS):
            return True
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def _first_unknown(value):
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Unknown):
            return v
        if isinstance(v, OneOf):
            stack.extend(reversed(v.options))
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
    return None


def unknown_from(reason: str, *parts) -> Unknown:
    """An Unknown made from parts: the root cause's reason when one part is Unknown
    (else `reason`), and the addresses of every resource the parts refer to."""
    refs = []
    for part in parts:
        for address in iter_refs(part):
            if address not in refs:
                refs.append(address)
    cause = _first_unknown(list(parts))
    return Unknown(cause.reason if cause is not None else reason, tuple(refs))


def _template_piece(value) -> str:
    """A part of a string template as text: a reference as `${address.attr}`, anything
    else unknown as `${?}` (the partial shape of an Fn::Sub known only at deploy time)."""
    text = scalar_text(value)
    if text is not None and value is not None:
        return text
    if isinstance(value, Ref):
        return "${" + f"{value.address}.{value.attr}" + "}"
    if isinstance(value, Unknown) and isinstance(value.partial, str):
        return value.partial          # a template built from another template
    return "${?}"


def scalar_text(value):
    """The string CloudFormation makes of a scalar, or None when it is not a known scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _key_text(key) -> str:
    """Keys are strings in CloudFormation (YAML may have read `80:` as a number)."""
    text = scalar_text(key)
    if text is None:
        text = key.isoformat() if isinstance(key, datetime.date) else ("null" if key is None else str(key))
    return text


def lift(fn, *args):
    """Apply fn to known arguments; over OneOf arguments, to every combination."""
    if not any(isinstance(a, OneOf) for a in args):
        return fn(*args)
    choices = [a.options if isinstance(a, OneOf) else (a,) for a in args]
    count = 1
    for c in choices:
        count *= len(c)
    if count > MAX_ALTERNATIVES:
        return unknown_from("too many alternative values to follow", *args)
    results = []
    for combo in itertools.product(*choices):
        r = fn(*combo)
        if isinstance(r, OneOf):
            candidates = r.options
        else:
            candidates = (r,)
        for c in candidates:
            if c not in results:
                results.append(c)
    if len(results) == 1:
        return results[0]
    return OneOf(tuple(results))


def one_of(a, b):
    """The value of a conditional whose condition is unknown (None stands for absent)."""
    options = []
    for v in (a, b):
        v = None if v is ABSENT else v
        for o in (v.options if isinstance(v, OneOf) else (v,)):
            if o not in options:
                options.append(o)
    if options == [None]:
        return ABSENT
    if len(options) == 1:
        return options[0]
    return OneOf(tuple(options))


class Evaluator:
    """Evaluates values and conditions of one template instance.

    `stack` is the `Stack` this evaluator belongs to (see stack.py): it knows the
    resources, parameters, mappings, conditions, outputs and nested children.
    """

    def __init__(self, stack):
        self.stack = stack
        self._conditions: dict = {}
        self._in_progress: set = set()
        # While a resource's properties are evaluated: path -> the parameters whose
        # Default decided the value there (messages name them and the flag that changes them).
        self.defaults: dict | None = None
        self._mapped: dict = {}          # id(mapping node) -> (node, its value)

    def mapped(self, node):
        """A mapping entry's value, evaluated once per node: a large entry read by many
        Fn::FindInMap (or through YAML aliases) is shared, not copied each time."""
        hit = self._mapped.get(id(node))
        if hit is None:
            value = self.value(node)
            hit = self._mapped[id(node)] = (node, value, _text_size(value, budgets.ACTIVE.unit_string_bytes))
        else:
            budgets.spend_strings(hit[2])
        return hit[1]

    # ----------------------------------------------------------------- values
    def value(self, node, path=None, positions=None):
        """Evaluate a template node to a plain value (or ABSENT).

        With `path` and `positions`, record the source position of every dict key and
        list item under `path` (positions found first win, so an undecided Fn::If keeps
        the first branch's lines).
        """
        if isinstance(node, str):
            if len(node) > 256:              # aliased strings are copied once per use
                budgets.check_string(len(node), what="a string value")
            return str(node)
        if isinstance(node, dict):
            if is_intrinsic(node):
                (fn,) = node
                arg = node[fn]
                if fn == "Fn::If":
                    return self._if(arg, node, path, positions)
                if path is not None and self.defaults is not None:
                    # Ref, or a parameter inside Fn::Split, Fn::Join, Fn::Sub, Fn::Select...
                    self._note_defaults(path, [arg] if fn == "Ref" else referenced_names(arg, skip_if=True))
                try:
                    return self.intrinsic(fn, arg, node)
                except (RecursionError, budgets.BudgetExceeded):
                    raise                    # the resource reports it (Stack.emit)
                except Exception as exc:  # a malformed intrinsic is unknown, never a crash
                    return Unknown(f"{fn} could not be evaluated ({type(exc).__name__})")
            if self.stack.language_extensions and any(
                isinstance(k, str) and k.startswith("Fn::ForEach::") for k in node
            ):
                node = self.stack.expand_foreach(node, where="properties")
            out = {}
            for key, child in node.items():
                name = _key_text(key)
                sub = path + (name,) if path is not None else None
                v = self.value(child, sub, positions)
                if v is ABSENT:
                    continue
                out[name] = v
                if sub is not None:
                    pos = position(key)
                    if pos:
                        positions.setdefault(sub, pos)
            return out
        if isinstance(node, list):
            out = []
            for item in node:
                sub = path + (len(out),) if path is not None else None
                if sub is not None:
                    local: dict = {}
                    v = self.value(item, sub, local)
                else:
                    v = self.value(item)
                if v is ABSENT:
                    continue
                out.append(v)
                if sub is not None:
                    for k, p in local.items():
                        positions.setdefault(k, p)
                    pos = position(item)
                    if pos:
                        positions.setdefault(sub, pos)
            return out
        if isinstance(node, datetime.date):
            return node.isoformat()
        if isinstance(node, (bytes, bytearray)):
            return Unknown("binary YAML value")
        return node

    def _if(self, arg, node, path, positions):
        if not (isinstance(arg, list) and len(arg) == 3):
            return Unknown("malformed Fn::If")
        if isinstance(arg[0], str):
            truth = self.condition(arg[0], node)
        else:                               # an inline condition, as some older templates have
            truth = self.cond_expr(arg[0])
        if truth is not None and path is not None and self.defaults is not None:
            self._note_defaults(path, self.stack.condition_parameters(arg[0]))
        if truth is True:
            return self.value(arg[1], path, positions)
        if truth is False:
            return self.value(arg[2], path, positions)
        return one_of(self.value(arg[1], path, positions), self.value(arg[2], path, positions))

    def _note_defaults(self, path, names):
        names = [n for n in names if n in self.stack.parameters]
        for name in names:
            if isinstance(name, str) and self.stack.from_default(name):
                seen = self.defaults.setdefault(path, [])
                if name not in seen:
                    seen.append(name)

    # ------------------------------------------------------------- intrinsics
    def intrinsic(self, fn, arg, node):
        handler = _HANDLERS.get(fn)
        if handler is None:
            if fn == "Fn::Transform":
                return Unknown("Fn::Transform runs a macro at deploy time")
            return Unknown(f"{fn} is not supported")
        return handler(self, arg, node)

    def ref(self, name, node=None):
        if not isinstance(name, str):
            name = self.value(name)
            if not isinstance(name, str):
                return unknown_from("Ref to a computed name", name)
        stack = self.stack
        if name == "AWS::NoValue":
            return ABSENT
        if name in stack.parameters:
            return stack.parameter(name)
        if name in P.PSEUDO:
            return stack.pseudo(name)
        if name in stack.resources:
            return Ref(stack.address(name), "id")
        return Unknown(f"Ref to {name}, which the template does not declare")

    def getatt(self, arg, node=None):
        if isinstance(arg, str):
            parts = arg.split(".", 1)
        elif isinstance(arg, list):
            parts = list(arg)
        else:
            return Unknown("malformed Fn::GetAtt")
        if len(parts) != 2:
            return Unknown("malformed Fn::GetAtt")
        logical = self.value(parts[0])
        attr = self.value(parts[1])
        if not isinstance(logical, str) or not isinstance(attr, str):
            return unknown_from("Fn::GetAtt with a computed name", logical, attr)
        return self.attribute(logical, attr)

    def attribute(self, logical, attr):
        stack = self.stack
        if logical not in stack.resources:
            return Unknown(f"Fn::GetAtt to {logical}, which the template does not declare")
        if attr.startswith("Outputs.") and stack.resource_type(logical) in NESTED_STACK_TYPES:
            return stack.child_output(logical, attr[len("Outputs."):])
        return Ref(stack.address(logical), attr)

    # ------------------------------------------------------------- conditions
    def condition(self, name, node=None):
        if not isinstance(name, str):
            return None
        if name in self._conditions:
            return self._conditions[name]
        conditions = self.stack.conditions
        if name not in conditions:
            self.stack.warn(node, f"condition {name} is not declared")
            self._conditions[name] = None
            return None
        if name in self._in_progress:
            self.stack.warn(conditions.get(name), f"condition {name} refers to itself (a cycle of conditions)")
            return None
        self._in_progress.add(name)
        try:
            truth = self.cond_expr(conditions[name])
        except RecursionError:
            truth = None
        finally:
            self._in_progress.discard(name)
        self._conditions[name] = truth
        return truth

    def cond_expr(self, node):
        if isinstance(node, bool):
            return node
        if isinstance(node, str) and node.lower() in ("true", "false"):
            return node.lower() == "true"
        if not (isinstance(node, dict) and len(node) == 1):
            return None
        (fn,) = node
        arg = node[fn]
        if fn == "Condition":
            return self.condition(arg, node)
        if fn == "Fn::Equals":
            if not (isinstance(arg, list) and len(arg) == 2):
                return None
            return _truth(lift(_equals, self.value(arg[0]), self.value(arg[1])))
        if fn in ("Fn::And", "Fn::Or"):
            if not isinstance(arg, list):
                return None
            values = [self.cond_expr(c) for c in arg]
            decisive = fn == "Fn::Or"          # True decides an Or, False decides an And
            if decisive in values:
                return decisive
            if None in values:
                return None
            return not decisive
        if fn == "Fn::Not":
            inner = arg[0] if isinstance(arg, list) and len(arg) == 1 else arg
            truth = self.cond_expr(inner)
            return None if truth is None else not truth
        if fn == "Fn::If":   # allowed in conditions by some authors; treat as a value
            return _truth(self.value(node))
        return None


def _truth(v):
    return v if isinstance(v, bool) else None


def _equals(a, b):
    ta, tb = _canonical(a), _canonical(b)
    if ta is None or tb is None:
        return None
    return ta == tb


def _canonical(v):
    if isinstance(v, list):
        items = [_canonical(i) for i in v]
        return None if any(i is None for i in items) else tuple(items)
    if v is None or v is ABSENT:
        return ""
    return scalar_text(v)


# ------------------------------------------------------------------ handlers
def _ref(ev, arg, node):
    return ev.ref(arg, node)


def _getatt(ev, arg, node):
    return ev.getatt(arg, node)


def _sub(ev, arg, node):
    if isinstance(arg, str):
        template, variables = arg, {}
    elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
        template, variables = arg
    elif isinstance(arg, list) and len(arg) == 1 and isinstance(arg[0], str):
        template, variables = arg[0], {}
    elif isinstance(arg, dict):
        computed = ev.value(arg)
        if not isinstance(computed, str):
            return unknown_from("Fn::Sub of a template string known only at deploy time", computed)
        template, variables = computed, {}
    else:
        return Unknown("malformed Fn::Sub")
    template = str(template)
    pieces = []          # literal strings and evaluated variable values, in order
    last = 0
    for m in _SUB_VAR.finditer(template):
        name = m.group(1)
        pieces.append(template[last:m.start()])
        last = m.end()
        if name.startswith("!"):
            pieces.append("${" + name[1:] + "}")
            continue
        name = name.strip()
        if name in variables:
            v = ev.value(variables[name])
        elif "." in name and name.split(".", 1)[0] in ev.stack.resources:
            logical, attr = name.split(".", 1)
            v = ev.attribute(logical, attr)
        else:
            v = ev.ref(name)
        pieces.append(v)
    pieces.append(template[last:])

    def join(*parts):
        texts = []
        for p in parts:
            t = scalar_text(p)
            if t is None or p is None:
                u = unknown_from("Fn::Sub over values known only at deploy time", *parts)
                # Keep the shape for rules that can use it: "${Bucket.Arn}/*".
                return Unknown(u.reason, u.refs, partial="".join(_template_piece(x) for x in parts))
            texts.append(t)
        budgets.check_string(sum(map(len, texts)), what="Fn::Sub's result")
        return "".join(texts)

    return lift(join, *pieces)


def _join(ev, arg, node):
    if not (isinstance(arg, list) and len(arg) == 2):
        return Unknown("malformed Fn::Join")
    delimiter = ev.value(arg[0])
    items = ev.value(arg[1])

    def join(d, values):
        if not isinstance(d, str) or not isinstance(values, list):
            return unknown_from("Fn::Join over values known only at deploy time", d, values)
        return lift(lambda *vs: _join_known(d, vs), *values)

    return lift(join, delimiter, items)


def _join_known(d, values):
    texts = [scalar_text(v) for v in values if v is not None]
    if any(t is None for t in texts):
        u = unknown_from("Fn::Join over values known only at deploy time", list(values))
        items = tuple(v for v in values if v is not None)
        if all(isinstance(v, (Ref, str)) for v in items):    # ids of resources: splittable again
            return Carrying(u.reason, u.refs, carried=P.Joined(d, items))
        return u
    budgets.check_string(sum(map(len, texts)) + len(d) * len(texts), what="Fn::Join's result")
    return d.join(texts)


def _int(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and re.fullmatch(r"\s*-?\d+\s*", v):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def _select(ev, arg, node):
    if not (isinstance(arg, list) and len(arg) == 2):
        return Unknown("malformed Fn::Select")
    index = ev.value(arg[0])
    items = ev.value(arg[1])
    raw = arg[1]
    param_list = None
    if isinstance(raw, dict) and len(raw) == 1 and isinstance(raw.get("Ref"), str):
        name = raw["Ref"]
        if name in ev.stack.parameters and P.is_az_list_type(ev.stack.parameter_type(name)):
            param_list = f"PARAM({name})"

    def select(i, values):
        i = _int(i)
        if i is None:
            return unknown_from("Fn::Select with an index known only at deploy time", values)
        if isinstance(values, AzList):
            return AzIndex(values.list_id, i)
        if isinstance(values, list):
            if 0 <= i < len(values):
                return values[i]
            ev.stack.warn(node, f"Fn::Select index {i} is out of range (the list has {len(values)} items)")
            return Unknown(f"Fn::Select index {i} is out of range")
        if param_list and isinstance(values, Unknown):
            return AzIndex(param_list, i)
        return unknown_from("Fn::Select from a list known only at deploy time", values)

    return lift(select, index, items)


def _split(ev, arg, node):
    if not (isinstance(arg, list) and len(arg) == 2):
        return Unknown("malformed Fn::Split")

    def split(d, source):
        if isinstance(d, str) and d and isinstance(source, str):
            return source.split(d)
        items = P.unjoined(source, d) if isinstance(d, str) and d else None
        if items is not None:
            return items
        return unknown_from("Fn::Split of a value known only at deploy time", source)

    return lift(split, ev.value(arg[0]), ev.value(arg[1]))


def _find_in_map(ev, arg, node):
    if not (isinstance(arg, list) and len(arg) in (3, 4)):
        return Unknown("malformed Fn::FindInMap")
    default = None
    if len(arg) == 4:
        extra = arg[3]
        if isinstance(extra, dict) and "DefaultValue" in extra:
            default = extra["DefaultValue"]
    keys = [ev.value(a) for a in arg[:3]]

    def find(m, k1, k2):
        names = [scalar_text(k) for k in (m, k1, k2)]
        if any(n is None for n in names):
            return unknown_from("Fn::FindInMap with a key known only at deploy time", m, k1, k2)
        found = ev.stack.mapping_lookup(*names)
        if found is ABSENT:
            if default is not None:
                return ev.value(default)
            ev.stack.warn(node, f"Fn::FindInMap: mapping {names[0]} has no entry {names[1]}/{names[2]}")
            return Unknown(f"mapping {names[0]} has no entry {names[1]}/{names[2]}")
        return ev.mapped(found)

    return lift(find, *keys)


def _get_azs(ev, arg, node):
    if arg in ("", None) or (isinstance(arg, dict) and arg.get("Ref") == "AWS::Region"):
        return AzList("GETAZS")
    region = ev.value(arg)
    if isinstance(region, str):
        given = ev.stack.pseudo("AWS::Region")
        if region == "" or region == given:
            return AzList("GETAZS")
        return AzList(f"GETAZS({region})")
    return AzList("GETAZS")


def _base64(ev, arg, node):
    v = ev.value(arg)
    if isinstance(v, str):
        return v
    return unknown_from("Fn::Base64 of a value known only at deploy time", v)


@functools.lru_cache(maxsize=256)
def _cidr_blocks(block: str, count: int, bits: int):
    """Fn::Cidr: `count` blocks of `bits` host bits carved from `block`, or a reason."""
    try:
        net = ipaddress.ip_network(block, strict=False)
    except ValueError:
        return f"Fn::Cidr: {block} is not a CIDR block"
    prefix = net.max_prefixlen - bits
    if bits < 0 or prefix < net.prefixlen or not 1 <= count <= 256 or count > 2 ** (prefix - net.prefixlen):
        return "Fn::Cidr: the block is too small for that many subnets"
    base = int(net.network_address)
    make = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
    step = 2 ** bits
    return tuple(f"{make(base + i * step)}/{prefix}" for i in range(count))


def _cidr(ev, arg, node):
    if not (isinstance(arg, list) and len(arg) == 3):
        return Unknown("malformed Fn::Cidr")

    def cidr(block, count, bits):
        count, bits = _int(count), _int(bits)
        if not isinstance(block, str) or count is None or bits is None:
            return unknown_from("Fn::Cidr of a value known only at deploy time", block)
        blocks = _cidr_blocks(block, count, bits)
        return Unknown(blocks) if isinstance(blocks, str) else list(blocks)

    return lift(cidr, *(ev.value(a) for a in arg))


def _import_value(ev, arg, node):
    name = ev.value(arg)
    label = name if isinstance(name, str) else "(an export name known only at deploy time)"
    refs = unknown_from("", name).refs
    if not isinstance(name, str):
        return Unknown(f"Fn::ImportValue {label} is another stack's export", refs, imported=True)
    return Carrying(f"Fn::ImportValue {label} is another stack's export, not found in the scanned templates",
                    refs, imported=True, carried=ImportName(name))


def _length(ev, arg, node):
    def length(v):
        if isinstance(v, list):
            return len(v)
        return unknown_from("Fn::Length of a list known only at deploy time", v)

    return lift(length, ev.value(arg))


def _to_json(ev, arg, node):
    v = ev.value(arg)
    if has_marker(v):
        return unknown_from("Fn::ToJsonString of values known only at deploy time", v)
    budgets.check_string(_text_size(v, budgets.ACTIVE.string_bytes), what="Fn::ToJsonString's result")
    return json.dumps(v, separators=(",", ":"), default=str)


def _text_size(v, limit: int) -> int:
    """About how many characters `v` takes as JSON (stops counting past `limit`)."""
    total, stack = 0, [v]
    while stack and total <= limit:
        x = stack.pop()
        if isinstance(x, dict):
            stack.extend(x.values())
            total += sum(len(str(k)) + 4 for k in x)
        elif isinstance(x, list):
            stack.extend(x)
            total += len(x) + 2
        else:
            total += len(x) + 2 if isinstance(x, str) else 8
    return total


def _cond_fn(ev, arg, node):
    # Fn::Equals etc. used as a value (e.g. inside Fn::If arguments by mistake)
    truth = ev.cond_expr(node)
    return Unknown("condition known only at deploy time") if truth is None else truth



_HANDLERS = {
    "Ref": _ref,
    "Fn::GetAtt": _getatt,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::GetAZs": _get_azs,
    "Fn::Base64": _base64,
    "Fn::Cidr": _cidr,
    "Fn::ImportValue": _import_value,
    "Fn::Length": _length,
    "Fn::ToJsonString": _to_json,
    "Fn::Equals": _cond_fn,
    "Fn::And": _cond_fn,
    "Fn::Or": _cond_fn,
    "Fn::Not": _cond_fn,
}

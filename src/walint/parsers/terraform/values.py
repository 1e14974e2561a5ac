"""Helpers on evaluated values: the model's markers plus the reader's own internal ones.

Internal values never leave the reader: `finish()` turns them into model values.
"""
from __future__ import annotations

import math

from walint.model.values import AzIndex, AzList, OneOf, Ref, Unknown


class Err(Unknown):
    """What Terraform would report as an error (missing attribute, bad index, wrong type).

    `try()`/`can()` tell it apart from an ordinary Unknown; elsewhere it is an Unknown.
    """


class TfSet(list):
    """A Terraform set: a list whose elements are their own keys (for_each, dynamic, for)."""
    __slots__ = ()


class ResObj:
    """A resource instance used as a value (`aws_subnet.a`): attributes become Refs."""
    __slots__ = ("address",)

    def __init__(self, address):
        self.address = address

    def __eq__(self, other):
        return isinstance(other, ResObj) and other.address == self.address

    def __hash__(self):
        return hash(("ResObj", self.address))

    def __repr__(self):
        return f"ResObj({self.address})"


class DataObj:
    """A data source instance: its attributes are unknown (known only when read)."""
    __slots__ = ("address", "block_type", "filtered", "source")

    def __init__(self, address, block_type, filtered=None, source=None):
        self.address, self.block_type, self.filtered = address, block_type, filtered
        self.source = source      # (module instance, definition) for sources read statically

    def __eq__(self, other):
        return isinstance(other, DataObj) and other.address == self.address

    def __hash__(self):
        return hash(("DataObj", self.address))


class ModObj:
    """A module instance used as a value: attributes are its outputs."""
    __slots__ = ("inst",)

    def __init__(self, inst):
        self.inst = inst

    def __eq__(self, other):
        return isinstance(other, ModObj) and other.inst is self.inst

    def __hash__(self):
        return id(self.inst)


class Namespace:
    """`var`, `local`, `module`, `data`, `data.<type>`, or a resource type."""
    __slots__ = ("kind", "name")

    def __init__(self, kind, name=None):
        self.kind, self.name = kind, name


def unknown_of(values, default_reason="value is not known"):
    """Merge the Unknowns among `values` into one (first reason, every ref)."""
    reason = None
    refs = []
    err = False
    for v in values:
        if isinstance(v, Unknown):
            if reason is None:
                reason = v.reason
                err = isinstance(v, Err)
            for r in v.refs:
                if r not in refs:
                    refs.append(r)
        elif isinstance(v, Ref):
            if v.address not in refs:
                refs.append(v.address)
    cls = Err if err else Unknown
    return cls(reason or default_reason, tuple(refs))


def contains_unknown(v, depth=0) -> bool:
    if isinstance(v, Unknown):
        return True
    if depth > 60:
        return False
    if isinstance(v, dict):
        return any(contains_unknown(x, depth + 1) for x in v.values())
    if isinstance(v, list):
        return any(contains_unknown(x, depth + 1) for x in v)
    return False


def find_unknown(v, depth=0):
    if isinstance(v, Unknown):
        return v
    if depth > 60:
        return None
    if isinstance(v, dict):
        it = v.values()
    elif isinstance(v, list):
        it = v
    else:
        return None
    for x in it:
        u = find_unknown(x, depth + 1)
        if u is not None:
            return u
    return None


def collect_refs(v, out, depth=0):
    if depth > 60:
        return
    if isinstance(v, Ref):
        if v.address not in out:
            out.append(v.address)
    elif isinstance(v, Unknown):
        for r in v.refs:
            if r not in out:
                out.append(r)
    elif isinstance(v, ResObj):
        if v.address not in out:
            out.append(v.address)
    elif isinstance(v, OneOf):
        for o in v.options:
            collect_refs(o, out, depth + 1)
    elif isinstance(v, dict):
        for x in v.values():
            collect_refs(x, out, depth + 1)
    elif isinstance(v, (list, tuple)):
        for x in v:
            collect_refs(x, out, depth + 1)


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def norm_number(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**63:
        return int(v)
    return v


def values_equal(a, b) -> bool:
    if is_number(a) and is_number(b):
        return a == b
    if type(a) is not type(b) and not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))):
        return False
    return a == b


def one_of(options):
    """A OneOf with duplicates collapsed and nested OneOfs flattened; one option is itself."""
    flat = []
    for o in options:
        subs = o.options if isinstance(o, OneOf) else (o,)
        for s in subs:
            if not any(_same(s, f) for f in flat):
                flat.append(s)
    if len(flat) == 1:
        return flat[0]
    return OneOf(tuple(_freeze(x) for x in flat))


def _same(a, b):
    return type(a) is type(b) and a == b


def _freeze(v):
    # OneOf is a frozen dataclass; its options are kept as given (lists stay lists)
    return v


def to_string(v):
    """Terraform's automatic conversion to string; returns (ok, str)."""
    if isinstance(v, str):
        return True, v
    if isinstance(v, bool):
        return True, "true" if v else "false"
    if is_number(v):
        return True, num_to_str(v)
    return False, None


def num_to_str(v):
    v = norm_number(v)
    if isinstance(v, int):
        return str(v)
    if math.isinf(v) or math.isnan(v):
        return str(v)
    s = repr(v)
    if "e" in s:
        s = format(v, "f").rstrip("0").rstrip(".")
    return s


def to_number(v):
    if is_number(v):
        return True, v
    if isinstance(v, str):
        s = v.strip()
        try:
            if s.lstrip("-").isdigit():
                return True, int(s)
            return True, norm_number(float(s))
        except ValueError:
            return False, None
    return False, None


def to_bool(v):
    if isinstance(v, bool):
        return True, v
    if v == "true":
        return True, True
    if v == "false":
        return True, False
    return False, None


def type_name(v):
    if isinstance(v, bool):
        return "bool"
    if is_number(v):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "object"
    if v is None:
        return "null"
    return type(v).__name__


def sort_key(v):
    if is_number(v):
        return (0, v, "")
    if isinstance(v, str):
        return (1, 0, v)
    return (2, 0, repr(v))


__all__ = ["Err", "TfSet", "ResObj", "DataObj", "ModObj", "Namespace", "unknown_of", "contains_unknown",
           "find_unknown", "collect_refs", "is_number", "norm_number", "values_equal", "one_of",
           "to_string", "num_to_str", "to_number", "to_bool", "type_name", "sort_key",
           "AzIndex", "AzList", "OneOf", "Ref", "Unknown"]

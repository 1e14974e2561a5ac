"""The evaluation context of the Terraform evaluator: module instances (one per call
instance), the scope of names an expression sees, and the instance set of a resource or
module call."""
from __future__ import annotations

import json
import os


def format_key(k):
    if isinstance(k, str):
        return "[" + json.dumps(k, ensure_ascii=False) + "]"
    return f"[{k}]"


class ModuleInstance:
    def __init__(self, module, prefix, parent, call_sites, key_path, root_dir, inputs=None,
                 optional=False, instances_unknown=False, depth=0, call_name=None):
        self.module = module
        self.prefix = prefix          # "" or "module.a." or "module.a[0].module.b."
        self.parent = parent
        self.call_sites = call_sites
        self.key_path = key_path      # ["a", "b"]: modules.json key "a.b"
        self.root_dir = root_dir
        self.inputs = inputs or {}    # name -> value (root) or (expr, scope) (child)
        self.optional = optional
        self.instances_unknown = instances_unknown
        self.depth = depth
        self.call_name = call_name
        self.vars: dict = {}
        self.locals: dict = {}
        self.expansions: dict = {}
        self.children: dict = {}
        self.outputs: dict = {}

    def ancestors_dirs(self):
        out = []
        m = self
        while m is not None:
            out.append(os.path.normcase(os.path.abspath(m.module.dir)))
            m = m.parent
        return out


class Scope:
    __slots__ = ("minst", "bind", "file")

    def __init__(self, minst, bind=None, file=None):
        self.minst, self.bind, self.file = minst, bind or {}, file

    def child(self, **kw):
        b = dict(self.bind)
        b.update(kw)
        return Scope(self.minst, b, self.file)


class Expansion:
    """The instances of one resource or module call."""
    __slots__ = ("mode", "items", "reason", "refs")

    def __init__(self, mode, items=(), reason=None, refs=()):
        self.mode = mode        # "single" | "count" | "each" | "unknown"
        self.items = list(items)  # [(key or None, bindings dict, optional)]
        self.reason = reason
        self.refs = refs

"""The Terraform evaluator: modules, variables, locals, instances and expressions.

Everything is lazy and memoized: a local, a resource's instance set or one attribute of
one instance is evaluated the first time something needs it. A key that is asked for
while it is being evaluated is a cycle: it gives an Unknown and a diagnostic.
"""
from __future__ import annotations

import json
import os
import re

from walint.model.resource import Resource
from walint.engine import boundary
from walint.parsers.base import Diagnostic, SourceError, encoding_problem, read_source

from . import syntax as S
from .functions import FUNCTIONS, NOT_EVALUATED, STRUCTURAL, FnError, _UnknownInside, _set
from .values import (AzIndex, AzList, DataObj, Err, ModObj, Namespace, OneOf, Ref, ResObj, TfSet, Unknown,
                     collect_refs, contains_unknown, find_unknown, is_number, norm_number, one_of,
                     sort_key, to_bool, to_number, to_string, type_name, unknown_of)

MAX_EVAL_DEPTH = 120        # nested evaluation frames (expressions + reference chains)
MAX_INSTANCES = 1000        # per resource or module call
MAX_MODULE_DEPTH = 12
MAX_ONEOF_PRODUCT = 16
MAX_REF_CHAIN = 8

# resource-level meta-arguments that are not attributes
META_ATTRS = {"count", "for_each", "depends_on", "provider", "providers"}
META_BLOCKS = {"lifecycle", "provisioner", "connection"}
MODULE_META = {"source", "version", "count", "for_each", "providers", "depends_on"}

FACADE_RE = re.compile(r"^(?:registry\.terraform\.io/)?(terraform-aws-modules/(?:vpc|rds|security-group)/aws)(//[^?]*)?(?:\?.*)?$")


def _is_local_source(src):
    return src.startswith("./") or src.startswith("../") or src in (".", "..") or src.startswith(".\\") or src.startswith("..\\")


def _keeping_refs(u, args, partial=None):
    """The unknown result of a function: `u`'s reason, with the references of every
    argument, so that they stay edges of the graph (`compact(concat(var.extra,
    [aws_security_group.lb.id]))` still attaches the group)."""
    refs = []
    collect_refs(args, refs)
    collect_refs(u, refs)
    return Unknown(u.reason, tuple(refs), partial=partial)


def format_key(k):
    if isinstance(k, str):
        return "[" + json.dumps(k, ensure_ascii=False) + "]"
    return f"[{k}]"


# ============================================================================ definitions


class ResourceDef:
    __slots__ = ("mode", "type", "name", "block", "file", "key")

    def __init__(self, mode, block, file):
        self.mode = mode
        self.type, self.name = block.labels[0], block.labels[1]
        self.block, self.file = block, file
        self.key = f"{self.type}.{self.name}"


class Module:
    """One directory of .tf/.tf.json files."""

    def __init__(self, dir_):
        self.dir = dir_
        self.files: list[str] = []
        self.sources: dict[str, S.SourceFile] = {}
        self.variables: dict[str, S.Block] = {}
        self.locals: dict[str, tuple[S.Attribute, str]] = {}
        self.resources: dict[str, ResourceDef] = {}
        self.data: dict[str, ResourceDef] = {}
        self.calls: dict[str, S.Block] = {}
        self.outputs: dict[str, S.Block] = {}
        self.res_types: set[str] = set()
        self.exists = True


# Modules already read in this process, by the directory as spelled (file names in the
# module derive from it): dir -> (signature, Module, events). A module called by many
# roots (every `examples/*` calling `../../`) is read and parsed once per process, not
# once per root. The syntax tree is never changed after loading (override files are
# merged while loading), so one Module serves every evaluator; the events (files noted,
# diagnostics) are replayed into each evaluator that loads it, in the same order.
# At most _LOADED_MAX modules are kept, the least recently used going first: units come
# in discovery order, so the roots sharing a module are near one another.
_LOADED: dict = {}
_LOADED_MAX = int(os.environ.get("WALINT_MODULE_CACHE", "32"))


def _dir_signature(dir_):
    """What the loaded module depends on: the listing and each source's size and mtime."""
    try:
        entries = sorted(os.scandir(dir_), key=lambda e: e.name)
    except OSError:
        return None
    sig = []
    for e in entries:
        name = e.name
        if name.endswith(".tf") or name.endswith(".tf.json"):
            try:
                st = e.stat()
            except OSError:
                sig.append((name, None))
                continue
            sig.append((name, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(sig)


class _Recorder:
    """Stands in for the evaluator while a module is loaded: records what it is told."""
    __slots__ = ("events",)

    def __init__(self):
        self.events = []

    def note_file(self, path):
        self.events.append((0, path))

    def diag(self, *args, **kw):
        self.events.append((1, args, kw))


def _replay(events, ev):
    for e in events:
        if e[0] == 0:
            ev.note_file(e[1])
        else:
            ev.diag(*e[1], **e[2])


def load_module(dir_, ev) -> Module:
    key = os.path.normcase(os.path.abspath(dir_))
    m = ev.module_cache.get(key)
    if m is not None:
        return m
    sig = _dir_signature(dir_)
    # what a module holds depends on which of its files the read boundary allows
    slot = (dir_, boundary.current().key)
    hit = _LOADED.get(slot) if sig is not None else None
    if hit is not None and hit[0] == sig:
        m, events = hit[1], hit[2]
        del _LOADED[slot]
        _LOADED[slot] = hit           # most recently used last
    else:
        rec = _Recorder()
        m = _load_module(dir_, rec)
        events = rec.events
        if sig is not None and _LOADED_MAX > 0:
            _LOADED.pop(slot, None)
            _LOADED[slot] = (sig, m, events)
            while len(_LOADED) > _LOADED_MAX:
                del _LOADED[next(iter(_LOADED))]
    ev.module_cache[key] = m
    _replay(events, ev)
    return m


def _load_module(dir_, ev) -> Module:
    m = Module(dir_)
    try:
        names = sorted(os.listdir(dir_))
    except OSError:
        m.exists = False
        return m
    # Terraform reads override files (override.tf, *_override.tf) last and merges them
    names = [n for n in names if not _is_override(n)] + [n for n in names if _is_override(n)]
    for name in names:
        if not (name.endswith(".tf") or name.endswith(".tf.json")):
            continue
        path = os.path.join(dir_, name)
        if not os.path.isfile(path):
            continue
        try:
            data = read_source(path)
        except boundary.Refused as e:
            # discovery says the same of a link it meets: one note, and nothing read
            ev.diag(path, None, boundary.link_note(str(e)) if os.path.islink(path) else f"{e}; not read",
                    level="note", code="WAL-IO")
            continue
        except SourceError as e:
            ev.note_file(path)
            ev.diag(path, 1, str(e))
            continue
        ev.note_file(path)
        problem = encoding_problem(data)
        if problem:
            m_line = re.search(r"on line (\d+)", problem)
            ev.diag(path, int(m_line.group(1)) if m_line else 1, problem)
            continue
        try:
            sf = S.parse_file(path, data)
        except RecursionError:
            ev.diag(path, 1, "file nested too deeply to be read")
            continue
        except Exception as e:  # noqa: BLE001 - never raise out of the reader
            ev.diag(path, 1, f"internal error while reading the file: {type(e).__name__}: {e}")
            continue
        for line, msg in sf.errors:
            ev.diag(path, line, msg)
        m.files.append(path)
        m.sources[path] = sf
        for b in sf.body.blocks:
            if _is_override(name):
                _override_block(m, b, path, ev)
            else:
                _index_block(m, b, path, ev)
    return m


def _is_override(name):
    base = name[:-len(".tf.json")] if name.endswith(".tf.json") else name[:-len(".tf")] if name.endswith(".tf") else name
    return base == "override" or base.endswith("_override")


def _override_block(m, b, path, ev):
    """Merge an override file's block into the block it names (Terraform's override rules, simplified:
    arguments replace arguments, nested blocks of a type replace all blocks of that type)."""
    t = b.type
    target = None
    if t == "resource" and len(b.labels) == 2:
        rd = m.resources.get(f"{b.labels[0]}.{b.labels[1]}")
        target = rd.block if rd else None
    elif t == "data" and len(b.labels) == 2:
        rd = m.data.get(f"{b.labels[0]}.{b.labels[1]}")
        target = rd.block if rd else None
    elif t == "variable" and len(b.labels) == 1:
        target = m.variables.get(b.labels[0])
    elif t == "module" and len(b.labels) == 1:
        target = m.calls.get(b.labels[0])
    elif t == "output" and len(b.labels) == 1:
        target = m.outputs.get(b.labels[0])
    elif t == "locals":
        for name, a in b.attrs.items():
            m.locals[name] = (a, path)
        return
    if target is None:
        ev.diag(path, b.line, f"override file: no {t} {'.'.join(b.labels)} to override", level="warning",
                code="WAL-TF-OVERRIDE")
        return
    target.attrs.update(b.attrs)
    types = {x.type if x.type != "dynamic" else (x.labels[0] if x.labels else "") for x in b.blocks}
    if types:
        target.blocks = [x for x in target.blocks
                         if (x.type if x.type != "dynamic" else (x.labels[0] if x.labels else "")) not in types]
        target.blocks.extend(b.blocks)


def _index_block(m, b, path, ev):
    t = b.type
    if t == "resource" and len(b.labels) == 2:
        rd = ResourceDef("managed", b, path)
        if rd.key in m.resources:
            ev.diag(path, b.line, f"duplicate resource {rd.key} (first at {m.resources[rd.key].file}:{m.resources[rd.key].block.line})", level="warning", code="WAL-TF-DUPLICATE")
            return
        m.resources[rd.key] = rd
        m.res_types.add(rd.type)
    elif t == "data" and len(b.labels) == 2:
        rd = ResourceDef("data", b, path)
        m.data[rd.key] = rd
    elif t == "variable" and len(b.labels) == 1:
        m.variables[b.labels[0]] = b
    elif t == "locals":
        for name, a in b.attrs.items():
            m.locals[name] = (a, path)
    elif t == "module" and len(b.labels) == 1:
        m.calls[b.labels[0]] = b
    elif t == "output" and len(b.labels) == 1:
        m.outputs[b.labels[0]] = b


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


class Evaluator:
    def __init__(self):
        self.serial = next(_SERIALS)   # tells this evaluator's memos (Block.memo) from others'
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

    # ------------------------------------------------------------------ bookkeeping
    def diag(self, file, line, message, level="error", code="WAL-PARSE-001"):
        key = (file, line, message, level, code)
        if key in self._diag_seen:
            return
        self._diag_seen.add(key)
        self.diagnostics.append(Diagnostic(file, line, message, level, code))

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
                self.diag(scope.file or scope.minst.module.dir, n.line,
                          "expression or reference chain nested too deeply; its value is treated as unknown",
                          level="warning", code="WAL-TF-DEPTH")
                return Unknown("expression nested too deeply to evaluate")
            return _DISPATCH[t](self, n, scope)
        finally:
            self.depth -= 1

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
            self.diag(scope.file or scope.minst.module.dir, n.line, f"{n.why}; its value is treated as unknown",
                      level="warning", code="WAL-TF-DEPTH")
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
                v = Unknown(f"variable {name} has no value")
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
        return Expansion("unknown", [(None, bind, False)], reason=reason, refs=tuple(refs))

    def _cap(self, n, what, file, line):
        if n > MAX_INSTANCES:
            self.diag(file, line, f"{what} has {n} instances; only the first {MAX_INSTANCES} are analysed",
                      level="note", code="WAL-TF-LIMIT")
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
            self.diag(file, call.line, f"module {name} (source {source}): its directory{where} is "
                      f"{refused}; not analysed", level="note", code="WAL-IO")
            return Unknown(f"module {name} (source {source}) was not analysed")
        if child_dir is None:
            self.diag(file, call.line, f"module {name} (source {source}) was not analysed: run terraform init so "
                      ".terraform/modules exists", level="note", code="WAL-TF-MODULE")
            return Unknown(f"module {name} (source {source}) was not analysed")
        if m.depth + 1 > MAX_MODULE_DEPTH:
            self.diag(file, call.line, f"module {name} (source {source}) is nested deeper than {MAX_MODULE_DEPTH} modules; not analysed",
                      level="warning", code="WAL-TF-MODULE")
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
                return fn(args)
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
            return fn(args)
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

    # -- blocks ------------------------------------------------------------------------------------
    def eval_body(self, block, scope, path, positions, top=False):
        out = {}
        for name, a in block.attrs.items():
            if top and name in META_ATTRS:
                continue
            try:
                v = self.finish(self.eval(a.expr, scope))
            except RecursionError:
                self.diag(scope.file, a.line, f"expression of {name} nested too deeply; treated as unknown",
                          level="warning", code="WAL-TF-DEPTH")
                v = Unknown("expression nested too deeply to evaluate")
            if v is None:
                continue
            out[name] = v
            p = path + (name,)
            positions[p] = (a.line, a.col)
            _positions_in(a.expr, v, p, positions, 0)
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

    # -- building resources ------------------------------------------------------------------------------
    def collect(self, m, out):
        for key in sorted(m.module.resources, key=lambda k: (m.module.resources[k].file, m.module.resources[k].block.line)):
            rd = m.module.resources[key]
            try:
                self.build_resource(m, rd, out)
            except RecursionError:
                self.diag(rd.file, rd.block.line, f"internal error while evaluating {m.prefix}{rd.key}: nesting too deep",
                          level="warning", code="WAL-TF-INTERNAL")
            except Exception as e:  # noqa: BLE001 - never raise out of the reader
                self.diag(rd.file, rd.block.line, f"internal error while evaluating {m.prefix}{rd.key}: "
                          f"{type(e).__name__}: {e}", level="warning", code="WAL-TF-INTERNAL")
        for name in sorted(m.module.calls, key=lambda k: (m.module.calls[k].file, m.module.calls[k].line)):
            call = m.module.calls[name]
            try:
                res = self.module_instances(m, name)
            except RecursionError:
                self.diag(call.file, call.line, f"internal error while evaluating module {name}: nesting too deep",
                          level="warning", code="WAL-TF-INTERNAL")
                continue
            except Exception as e:  # noqa: BLE001
                self.diag(call.file, call.line, f"internal error while evaluating module {name}: "
                          f"{type(e).__name__}: {e}", level="warning", code="WAL-TF-INTERNAL")
                continue
            if isinstance(res, Unknown):
                self.facade(m, name, call, out)
                continue
            for _, inst in res[1]:
                self.collect(inst, out)

    def build_resource(self, m, rd, out):
        ex = self.expansion(m, rd)
        blk = rd.block
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
            attrs = self.eval_body(blk, scope, (), positions, top=True)
            meta = {}
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


class _DataCollection:
    """A counted data source: any index gives the same symbolic instance."""
    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj


# helpers ------------------------------------------------------------------------------------------

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

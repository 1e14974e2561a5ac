"""Reading one Terraform module directory: its files, parsed once per process, and the
index of its blocks (variables, locals, resources, data sources, calls, outputs) with
override files merged in."""
from __future__ import annotations

import os
import re

from walint.engine import boundary
from walint.parsers.base import INCOMPLETE, SourceError, encoding_problem, read_source, why_stopped

from . import syntax as S


def _is_local_source(src):
    return src.startswith("./") or src.startswith("../") or src in (".", "..") or src.startswith(".\\") or src.startswith("..\\")

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
            why = boundary.link_note(str(e)) if os.path.islink(path) else f"{e}; not read"
            ev.diag(path, None, f"{why}: the module is evaluated without it", level="error", code=INCOMPLETE)
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
            ev.diag(path, 1, f"the file was not read: {why_stopped(e)}", code=INCOMPLETE)
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

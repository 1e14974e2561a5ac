"""Find rule packs: the entry-point group `walint.rules` (built-in pack included) and
directories the user names on the command line. Never code from the scanned tree."""
from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
import types

from walint.engine import boundary
from walint.engine.errors import UsageError
from walint.model.rule import Rule

GROUP = "walint.rules"


def collect(obj) -> list:
    """The Rule objects a pack exposes: a Rule, an iterable of Rules, or a module."""
    if isinstance(obj, Rule):
        return [obj]
    if isinstance(obj, types.ModuleType):
        if isinstance(getattr(obj, "RULES", None), (list, tuple)):
            return list(obj.RULES)
        return [v for v in vars(obj).values() if isinstance(v, Rule)]
    if isinstance(obj, (list, tuple)):
        return [r for r in obj if isinstance(r, Rule)]
    return []


def _from_path(path: str) -> list:
    """Load a pack from a file or a package directory the user named (--rules-path)."""
    target = os.path.join(path, "__init__.py") if os.path.isdir(path) else path
    if not os.path.isfile(target):
        raise UsageError(f"{path}: no rule pack there (a .py file or a package directory)")
    name = "walint_pack_" + os.path.basename(os.path.normpath(path)).replace(".py", "").replace("-", "_")
    spec = importlib.util.spec_from_file_location(
        name, target, submodule_search_locations=[path] if os.path.isdir(path) else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a user's pack: its error is a usage error, not our crash
        raise UsageError(f"{path}: rule pack failed to load: {type(exc).__name__}: {exc}") from None
    return collect(module)


def installed_packs() -> list:
    """(name, "module:attr") of every `walint.rules` entry point of the installed
    distributions, as importlib.metadata.entry_points(group=GROUP) gives them (a test
    compares the two), read straight from the `entry_points.txt` of each `*.dist-info` /
    `*.egg-info` on sys.path: importing importlib.metadata and building its distribution
    objects costs ~50 ms, a sixth of a pre-commit run on one file. A zip file on sys.path
    is left to importlib.metadata."""
    found, dists = [], set()
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                names = sorted(e.name for e in it if e.name.endswith((".dist-info", ".egg-info")))
        except NotADirectoryError:
            if os.path.isfile(entry):
                return [(ep.name, ep.value) for ep in _metadata_entry_points()]
            continue
        except OSError:
            continue
        for name in names:
            dist = re.sub(r"[-_.]+", "_", name.rsplit(".", 1)[0].split("-", 1)[0]).lower()
            if dist in dists:
                continue            # the first on sys.path wins, as in importlib.metadata
            dists.add(dist)
            found.extend(_group_entries(os.path.join(entry or ".", name, "entry_points.txt")))
    return found


def _group_entries(path) -> list:
    try:
        # walint's own installation, not the scanned tree: read as a trusted file
        text = boundary.read_trusted(path).decode("utf-8")
    except (boundary.ReadError, UnicodeDecodeError):
        return []
    out, section = [], None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == GROUP and "=" in line:
            name, _, value = line.partition("=")
            out.append((name.strip(), value.strip()))
    return out


def _metadata_entry_points():
    from importlib.metadata import entry_points

    return entry_points(group=GROUP)


def _load_entry(value):
    """`module:attr.sub [extras]` -> the object, as EntryPoint.load does."""
    module, _, attr = value.split("[", 1)[0].strip().partition(":")
    obj = importlib.import_module(module.strip())
    for part in filter(None, attr.strip().split(".")):
        obj = getattr(obj, part)
    return obj


def load_rules(extra_paths=()) -> list:
    """Every rule from every installed pack and named path, sorted by id; ids unique."""
    rules = []
    for name, value in sorted(installed_packs(), key=lambda e: e[0]):
        try:
            rules.extend(collect(_load_entry(value)))
        except Exception as exc:
            raise UsageError(f"rule pack {name} ({value}) failed to load: "
                             f"{type(exc).__name__}: {exc}") from None
    for path in extra_paths:
        rules.extend(_from_path(path))
    seen = {}
    for r in rules:
        if r.id in seen and seen[r.id] is not r:
            raise UsageError(f"rule id {r.id} is defined twice (packs disagree)")
        seen[r.id] = r
    return sorted(seen.values(), key=lambda r: r.id)

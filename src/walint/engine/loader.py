"""Find rule packs: the entry-point group `walint.rules` (built-in pack included) and
directories the user names on the command line. Never code from the scanned tree."""
from __future__ import annotations

import importlib.util
import os
import sys
import types
from importlib.metadata import entry_points

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


def load_rules(extra_paths=()) -> list:
    """Every rule from every installed pack and named path, sorted by id; ids unique."""
    rules = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            rules.extend(collect(ep.load()))
        except Exception as exc:
            raise UsageError(f"rule pack {ep.name} ({ep.value}) failed to load: "
                             f"{type(exc).__name__}: {exc}") from None
    for path in extra_paths:
        rules.extend(_from_path(path))
    seen = {}
    for r in rules:
        if r.id in seen and seen[r.id] is not r:
            raise UsageError(f"rule id {r.id} is defined twice (packs disagree)")
        seen[r.id] = r
    return sorted(seen.values(), key=lambda r: r.id)

"""walint's built-in rule pack.

It is loaded through the `walint.rules` entry point like any third-party pack and
imports only `walint.api`. One module per area of RULES.md, each with a `RULES` list.
"""
import importlib
import pkgutil

RULES = []
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _info.name.startswith("_"):
        RULES.extend(importlib.import_module(f"{__name__}.{_info.name}").RULES)
RULES.sort(key=lambda r: r.id)

"""Refuse to run on dependencies older than walint's declared floors.

pip honours the floors in pyproject.toml, but an environment can still hold an older
version (`pip install --no-deps`, a distribution's package, a later downgrade). Running
anyway is worse than stopping: with tree-sitter 0.24, for instance, a Terraform file with
a comment loses its resources and the scan says "0 findings". The check reads walint's
own metadata (the requirements pip saw) and compares each installed version with its
`>=` floor; it costs a few milliseconds and runs once per command.
"""
from __future__ import annotations

import re

from walint.engine.errors import UsageError

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)[^;>]*>=\s*([0-9][0-9.]*)[^;]*(;.*)?$")


def _numbers(version: str) -> tuple:
    """"0.25.2" -> (0, 25, 2); a pre-release or local tail is ignored."""
    return tuple(int(p) for p in re.findall(r"\d+", version.split("+")[0])[:4])


def _applies(marker: str | None) -> bool:
    """Only the markers walint's metadata uses: python_version and extra."""
    if not marker:
        return True
    marker = marker.lstrip(";").strip()
    if "extra" in marker:
        return False
    m = re.fullmatch(r'python_version\s*(<|>=)\s*"(\d+)\.(\d+)"', marker)
    if not m:
        return True
    import sys

    here, there = sys.version_info[:2], (int(m.group(2)), int(m.group(3)))
    return here < there if m.group(1) == "<" else here >= there


def _installed() -> dict:
    """{normalized name: (version, dist-info directory)} from the `*.dist-info` names on
    sys.path, the first winning as in importlib.metadata (which costs ~30 ms to import;
    pre-commit runs walint on every commit)."""
    import os
    import sys

    found = {}
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                names = sorted(e.name for e in it if e.name.endswith(".dist-info"))
        except OSError:
            continue
        for name in names:
            dist, _, version = name[:-len(".dist-info")].partition("-")
            found.setdefault(_normal(dist), (version, os.path.join(entry or ".", name)))
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def too_old() -> list[str]:
    """`name>=floor (installed: X)` for each dependency installed below its floor."""
    dists = _installed()
    if "walint" not in dists:     # run from a source tree: no declared requirements
        return []
    try:
        with open(f"{dists['walint'][1]}/METADATA", encoding="utf-8") as fh:
            requirements = [line.split(":", 1)[1] for line in fh.read().splitlines()
                            if line.startswith("Requires-Dist:")]
    except OSError:
        return []
    problems = []
    for req in requirements:
        m = _REQUIREMENT.match(req)
        if not m or not _applies(m.group(3)):
            continue
        name, floor = m.group(1), m.group(2)
        installed = dists.get(_normal(name), (None,))[0]
        if installed is None:
            problems.append(f"{name}>={floor} (not installed)")
        elif _numbers(installed) < _numbers(floor):
            problems.append(f"{name}>={floor} (installed: {installed})")
    return problems


def check() -> None:
    """Raise UsageError (exit 2) naming every dependency below its floor."""
    problems = too_old()
    if problems:
        wanted = " ".join(f"'{p.split(' ')[0]}'" for p in problems)
        raise UsageError(f"this environment's dependencies are older than walint needs: "
                         f"{', '.join(problems)}; run: pip install {wanted}")

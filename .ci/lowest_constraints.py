"""Print pip constraints that pin every dependency of pyproject.toml to its floor.

`.ci/run` installs walint with them in a second environment and runs the tests there, so
that a floor in pyproject.toml is a version walint is known to work with, not a guess.
Each requirement must have a `>=` floor; `name>=X; marker` becomes `name==X; marker`.

    python .ci/lowest_constraints.py [pyproject.toml] [--extra test]
"""
from __future__ import annotations

import re
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*?)\s*(;.*)?$")
_FLOOR = re.compile(r">=\s*([0-9][^,\s]*)")


def constraints(requirements) -> list[str]:
    out = []
    for req in requirements:
        m = _REQUIREMENT.match(req)
        if not m:
            raise SystemExit(f"cannot read the requirement {req!r}")
        name, _extras, spec, marker = m.groups()
        floor = _FLOOR.search(spec or "")
        if not floor:
            raise SystemExit(f"{name}: no >= floor in {req!r} (every dependency needs one)")
        marker = f"; {marker.lstrip(';').strip()}" if marker else ""
        out.append(f"{name}=={floor.group(1)}{marker}")
    return out


def main(argv) -> int:
    path = "pyproject.toml"
    extras = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--extra":
            extras.append(args.pop(0))
        else:
            path = a
    with open(path, "rb") as fh:
        project = tomllib.load(fh)["project"]
    reqs = list(project.get("dependencies", []))
    for extra in extras:
        reqs += project.get("optional-dependencies", {}).get(extra, [])
    sys.stdout.write("".join(line + "\n" for line in constraints(reqs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

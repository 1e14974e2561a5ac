"""The built-in rules load through the `walint.rules` entry point, from an editable
install and from a wheel alike (the same door a third-party pack uses)."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile

import pytest

from testenv import ROOT


def test_installed_entry_point_exposes_builtin_rules():
    from importlib.metadata import entry_points

    eps = [ep for ep in entry_points(group="walint.rules") if ep.name == "builtin"]
    assert eps, "walint is not installed (pip install -e .)"
    pack = eps[0].load()
    assert any(r.id == "WAL-MAZ-001" for r in pack.RULES)


def test_builtin_rules_import_only_the_public_api():
    import ast

    for path in sorted((ROOT / "rules" / "walint_rules").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            for name in names:
                if name and name.startswith("walint") and not name.startswith("walint_rules"):
                    assert name == "walint.api", f"{path.name} imports {name}"


@pytest.mark.skipif(importlib.util.find_spec("setuptools") is None,
                    reason="setuptools is needed to build the wheel offline")
def test_wheel_carries_rules_and_entry_point(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True,
                   timeout=300)
    wheel = next(tmp_path.glob("walint-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "walint_rules/__init__.py" in names and "walint/api.py" in names
        ep = next(n for n in names if n.endswith("entry_points.txt"))
        text = zf.read(ep).decode()
        assert "[walint.rules]" in text and "builtin = walint_rules" in text
        zf.extractall(tmp_path / "site")
    # Load the pack from the unpacked wheel alone, without site-packages (-S), through
    # the entry point metadata of the wheel.
    code = ("import sys; sys.path.insert(0, sys.argv[1]);"
            "from importlib.metadata import entry_points;"
            "ep = [e for e in entry_points(group='walint.rules') if e.name == 'builtin'][0];"
            "m = ep.load(); print(m.__file__); print(len(m.RULES))")
    out = subprocess.run([sys.executable, "-S", "-c", code, str(tmp_path / "site")],
                         capture_output=True, text=True, check=True)
    file, count = out.stdout.split()
    assert str(tmp_path / "site") in file and int(count) >= 2

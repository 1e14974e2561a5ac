"""The built-in rules load through the `walint.rules` entry point, from an editable
install and from a wheel alike (the same door a third-party pack uses)."""
from __future__ import annotations

import importlib.util
import re
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


# -- metadata, license, sdist, dependency floors ----------------------------------------------

def _pyproject():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# import name -> distribution, for the third-party modules walint imports
DISTRIBUTIONS = {"click": "click", "yaml": "pyyaml", "cfnlint": "cfn-lint",
                 "tree_sitter": "tree-sitter", "tree_sitter_hcl": "tree-sitter-hcl",
                 "sarif_om": "sarif-om", "jsonschema": "jsonschema", "attr": "attrs",
                 "tomli": "tomli", "pathspec": "pathspec", "re2": "google-re2"}


def test_license_is_spdx_with_the_file():
    project = _pyproject()["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    requires = _pyproject()["build-system"]["requires"]
    assert any(re.fullmatch(r"setuptools>=(\d+)", r) and int(r.split(">=")[1]) >= 77
               for r in requires), "SPDX license and license-files need setuptools 77"
    assert "Programming Language :: Python :: 3.10" in project["classifiers"]
    assert {"Homepage", "Source", "Issues"} <= set(project["urls"])


def test_every_imported_distribution_is_declared():
    import ast

    stdlib = set(sys.stdlib_module_names) | {"tomllib"}     # tomllib: 3.11+, tomli before
    declared = {re.match(r"[A-Za-z0-9._-]+", r).group(0).lower()
                for r in _pyproject()["project"]["dependencies"]}
    imported = set()
    for path in [*(ROOT / "src").rglob("*.py"), *(ROOT / "rules").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - stdlib - {"walint", "walint_rules", "__future__"}
    unknown = third_party - set(DISTRIBUTIONS)
    assert not unknown, f"imported but not mapped to a distribution here: {unknown}"
    assert {DISTRIBUTIONS[m] for m in third_party} <= declared


def test_every_dependency_has_a_floor_and_the_constraints_pin_it(tmp_path):
    deps = _pyproject()["project"]["dependencies"]
    out = subprocess.run([sys.executable, str(ROOT / ".ci" / "lowest_constraints.py"),
                          str(ROOT / "pyproject.toml")], capture_output=True, text=True, check=True)
    pins = out.stdout.splitlines()
    assert len(pins) == len(deps)
    for dep, pin in zip(deps, pins):
        floor = re.search(r">=\s*([0-9][^,;\s]*)", dep).group(1)
        assert pin.startswith(f"{re.match(r'[A-Za-z0-9._-]+', dep).group(0)}=={floor}"), (dep, pin)
        assert (";" in dep) == (";" in pin)
    assert 'tree-sitter==0.25' in pins                  # QueryCursor came with 0.25
    bad = tmp_path / "pyproject.toml"
    bad.write_text('[project]\nname = "x"\ndependencies = ["click"]\n')
    refused = subprocess.run([sys.executable, str(ROOT / ".ci" / "lowest_constraints.py"), str(bad)],
                             capture_output=True, text=True)
    assert refused.returncode != 0 and "no >= floor" in refused.stderr


def test_the_running_versions_meet_the_floors():
    from walint.cli import installed

    assert installed.too_old() == []
    assert installed._numbers("0.25.2") > installed._numbers("0.25") > installed._numbers("0.24.9")
    assert installed._applies('; python_version < "3.11"') == (sys.version_info < (3, 11))
    assert installed._applies('; extra == "test"') is False


@pytest.mark.skipif(importlib.util.find_spec("setuptools") is None,
                    reason="setuptools is needed to build the sdist offline")
def test_sdist_carries_what_the_tests_need(tmp_path):
    """The sdist's tests run: every tracked file under tests/, fixtures/, docs/ and the
    other files the tests read are in it; no package-data pattern names a missing file."""
    code = ("import sys; from setuptools import build_meta; "
            "print(build_meta.build_sdist(sys.argv[1]))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=300)
    name = out.stdout.strip().splitlines()[-1]
    import tarfile

    with tarfile.open(tmp_path / name) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    for needed in ("LICENSE", "README.md", "action.yml", ".pre-commit-hooks.yaml", "pyproject.toml",
                   "scripts/action.sh", ".ci/lowest_constraints.py", "src/walint/cli/main.py",
                   "rules/walint_rules/maz.py"):
        assert needed in names, needed
    if (ROOT / ".git").exists():
        tracked = subprocess.run(["git", "ls-files", "tests", "fixtures", "docs"], cwd=ROOT,
                                 capture_output=True, text=True, check=True).stdout.split()
        missing = [f for f in tracked if f not in names]
        assert not missing, missing[:5]
    assert not any("__pycache__" in n for n in names)
    for package, patterns in _pyproject()["tool"]["setuptools"].get("package-data", {}).items():
        for pattern in patterns:
            assert list((ROOT / "src" / package).glob(pattern)), f"package-data {package}: {pattern}"

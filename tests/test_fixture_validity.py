"""The fixtures are real templates and modules, and follow the folder convention.

* Every CloudFormation template under ``fixtures/`` (outside folders named ``invalid/``)
  must lint without cfn-lint errors (level E; warnings and informational matches are
  allowed).
* Every rule folder ``fixtures/WAL-*/`` has ``pass/`` and ``fail/``, each with a
  CloudFormation template and a Terraform module; a ``fail/`` folder marks at least one
  finding of its rule and ``pass/`` / ``unknown/`` folders mark none of it.
* Markers are well formed: ``# expect: WAL-XXX-NNN[, ...]`` at the end of a line, and, for
  JSON templates, ``expected.yaml`` entries pointing at existing lines.

Terraform validation needs terraform and a provider mirror: ``fixtures/validate.sh``
runs it; here it runs only when ``WALINT_TF_VALIDATE=1`` (it takes a few minutes).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

RULE_ID = re.compile(r"^WAL-[A-Z]+-\d{3}$")
MARKER = re.compile(r"#\s*expect:\s*(?P<ids>.+?)\s*$")
TEMPLATE_HINT = re.compile(r'(^|\n)\s*"?(Resources|AWSTemplateFormatVersion)"?\s*:')


def _valid_area(path: Path) -> bool:
    return "invalid" not in path.relative_to(FIXTURES).parts


def _cfn_templates() -> list[Path]:
    found = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix not in {".yaml", ".yml", ".json"} or not path.is_file():
            continue
        if path.name in {"expected.yaml", "expected.yml"} or not _valid_area(path):
            continue
        if TEMPLATE_HINT.search(path.read_text(encoding="utf-8")):
            found.append(path)
    return found


def _rule_dirs() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("WAL-*") if p.is_dir() and RULE_ID.match(p.name))


def _case_dirs() -> list[Path]:
    return [case for rule in _rule_dirs() for case in sorted(rule.iterdir()) if case.is_dir()]


def _markers(folder: Path) -> set[tuple[str, int, str]]:
    """(file name, line, rule id) for every expectation in one fixture folder."""
    out: set[tuple[str, int, str]] = set()
    for path in sorted(folder.iterdir()):
        if path.suffix in {".tf", ".yaml", ".yml"} and path.name not in {"expected.yaml", "expected.yml"}:
            for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = MARKER.search(text)
                if match:
                    for rule in match.group("ids").split(","):
                        out.add((path.name, number, rule.strip()))
    expected = folder / "expected.yaml"
    if expected.exists():
        data = yaml.safe_load(expected.read_text(encoding="utf-8")) or {}
        for name, entries in data.items():
            for entry in entries or []:
                out.add((name, int(entry["line"]), str(entry["rule"])))
    return out


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


# ------------------------------------------------------------------ cfn-lint

def _lint_errors(path: str) -> list[str]:
    """cfn-lint's errors (level E) for one template, as printable lines."""
    from cfnlint.api import ManualArgs, lint

    # Only errors fail the test, so warning and informational rules need not run.
    config = ManualArgs(ignore_checks=["W", "I"])
    matches = lint(Path(path).read_text(encoding="utf-8"), config=config)
    return [
        f"{m.linenumber}:{m.columnnumber} {m.rule.id} {m.message}"
        for m in matches
        if m.rule.id.startswith("E")
    ]


@pytest.fixture(scope="session")
def lint_results(request: pytest.FixtureRequest) -> dict[str, list[str]]:
    """Lint every template this session asks about, once, on all cores (cfn-lint is slow)."""
    wanted = sorted({
        str(item.callspec.params["template"])
        for item in request.session.items
        if hasattr(item, "callspec") and "template" in item.callspec.params
    })
    workers = max(1, min(os.cpu_count() or 1, 4, len(wanted)))
    if workers == 1:
        return {path: _lint_errors(path) for path in wanted}
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return dict(zip(wanted, pool.map(_lint_errors, wanted, chunksize=4)))


@pytest.mark.parametrize("template", _cfn_templates(), ids=_rel)
def test_cloudformation_fixture_lints_without_errors(
    template: Path, lint_results: dict[str, list[str]]
) -> None:
    errors = lint_results.get(str(template))
    if errors is None:  # not collected up front (unusual): lint it now
        errors = _lint_errors(str(template))
    assert not errors, f"cfn-lint errors in {_rel(template)}:\n" + "\n".join(errors)


def test_there_are_cloudformation_fixtures() -> None:
    assert len(_cfn_templates()) > 20


# ------------------------------------------------------------------ conventions

@pytest.mark.parametrize("rule_dir", _rule_dirs(), ids=lambda p: p.name)
def test_rule_folder_has_pass_and_fail_in_both_formats(rule_dir: Path) -> None:
    for case in ("pass", "fail"):
        folder = rule_dir / case
        assert folder.is_dir(), f"{_rel(folder)} is missing"
        names = [p.name for p in folder.iterdir()]
        assert any(n.endswith(".tf") for n in names), f"{_rel(folder)} has no Terraform"
        assert any(
            n.endswith((".yaml", ".yml", ".json")) and n not in {"expected.yaml", "expected.yml"}
            for n in names
        ), f"{_rel(folder)} has no CloudFormation template"


@pytest.mark.parametrize("case_dir", _case_dirs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_markers_match_the_folder_kind(case_dir: Path) -> None:
    rule = case_dir.parent.name
    assert case_dir.name in {"pass", "fail", "unknown"}, f"unexpected folder {_rel(case_dir)}"
    markers = _markers(case_dir)
    for name, line, rule_id in markers:
        assert RULE_ID.match(rule_id), f"{_rel(case_dir)}/{name}:{line}: bad rule id {rule_id!r}"
    own = {m for m in markers if m[2] == rule}
    if case_dir.name == "fail":
        files = {p.name for p in case_dir.iterdir() if p.suffix in {".tf", ".yaml", ".yml", ".json"}}
        files -= {"expected.yaml", "expected.yml"}
        marked = {m[0] for m in own}
        # Terraform files of one module may share findings; templates stand alone.
        templates = {f for f in files if not f.endswith(".tf")}
        assert templates <= marked, f"unmarked fail templates in {_rel(case_dir)}: {templates - marked}"
        assert any(f.endswith(".tf") for f in marked), f"no Terraform finding marked in {_rel(case_dir)}"
    else:
        assert not own, f"{_rel(case_dir)} must not expect {rule}: {sorted(own)}"


@pytest.mark.parametrize(
    "expected",
    sorted(FIXTURES.rglob("expected.yaml")),
    ids=_rel,
)
def test_expected_yaml_points_at_real_lines(expected: Path) -> None:
    data = yaml.safe_load(expected.read_text(encoding="utf-8")) or {}
    for name, entries in data.items():
        target = expected.parent / name
        assert target.is_file(), f"{_rel(expected)} names a missing file {name}"
        lines = target.read_text(encoding="utf-8").splitlines()
        for entry in entries or []:
            assert set(entry) == {"line", "rule"}, entry
            assert RULE_ID.match(str(entry["rule"])), entry
            assert 1 <= int(entry["line"]) <= len(lines), f"{name}: no line {entry['line']}"
            assert lines[int(entry["line"]) - 1].strip(), f"{name}:{entry['line']} is blank"


# ------------------------------------------------------------------ terraform (opt-in)

@pytest.mark.skipif(os.environ.get("WALINT_TF_VALIDATE") != "1", reason="set WALINT_TF_VALIDATE=1")
@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not installed")
def test_terraform_fixtures_validate() -> None:
    result = subprocess.run(
        ["bash", str(FIXTURES / "validate.sh"), "--tf-only"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

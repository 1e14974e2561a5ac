"""One parametrized runner for every rule's fixtures (fixtures/<RULE-ID>/{pass,fail,unknown}).

The expected findings sit on the offending line as `# expect: RULE-ID` (or, for JSON
templates, in the folder's expected.yaml). A fail folder must give exactly the marked
findings of its rule; pass and unknown folders none.
"""
from __future__ import annotations

import os
import re

import pytest
import yaml

from testenv import FIXTURES, scan

MARK = re.compile(r"#\s*expect:\s*([A-Z0-9, -]+)")
TEXT_SUFFIXES = (".tf", ".yaml", ".yml", ".template")


def rule_dirs():
    if not FIXTURES.is_dir():
        return []
    return sorted(d for d in FIXTURES.iterdir() if d.is_dir() and d.name.startswith("WAL-"))


def cases():
    for rule_dir in rule_dirs():
        for case in ("pass", "fail", "unknown"):
            if (rule_dir / case).is_dir():
                yield pytest.param(rule_dir.name, case, id=f"{rule_dir.name}-{case}")


def expected(folder, rule_id):
    """{(file name, line)} the folder marks for this rule."""
    out = set()
    for name in sorted(os.listdir(folder)):
        path = folder / name
        if name.endswith(TEXT_SUFFIXES):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                m = MARK.search(line)
                if m and rule_id in [x.strip() for x in m.group(1).split(",")]:
                    out.add((name, n))
    exp = folder / "expected.yaml"
    if exp.exists():
        for name, items in (yaml.safe_load(exp.read_text()) or {}).items():
            for item in items or ():
                if item["rule"] == rule_id:
                    out.add((name, int(item["line"])))
    return out


@pytest.mark.parametrize("rule_id,case", list(cases()))
def test_fixture(rule_id, case):
    folder = FIXTURES / rule_id / case
    report = scan([folder], select=[rule_id])
    assert not report.internal_errors, report.internal_errors
    parse_errors = [r for r in report.results if r.rule.id == "WAL-PARSE-001"]
    assert not parse_errors, [(r.location.file, r.location.line, r.message) for r in parse_errors]
    got = {(os.path.basename(r.location.file), r.location.line)
           for r in report.results if r.rule.id == rule_id}
    want = expected(folder, rule_id) if case == "fail" else set()
    if case == "fail":
        assert want, f"{folder} marks no expected finding"
    messages = {(os.path.basename(r.location.file), r.location.line): r.message
                for r in report.results if r.rule.id == rule_id}
    assert got == want, {"unexpected": {k: messages[k] for k in got - want},
                         "missing": sorted(want - got)}


def test_every_rule_has_fixtures_in_both_formats():
    from walint.engine.loader import load_rules

    missing = []
    for rule in load_rules():
        for case in ("pass", "fail"):
            folder = FIXTURES / rule.id / case
            names = os.listdir(folder) if folder.is_dir() else []
            has_tf = any(n.endswith((".tf", ".tf.json")) for n in names)
            has_cfn = any(n.endswith((".yaml", ".yml", ".json", ".template"))
                          and n != "expected.yaml" for n in names)
            for fmt, present in (("terraform", has_tf), ("cloudformation", has_cfn)):
                if fmt in rule.formats and not present:
                    missing.append(f"{rule.id}/{case} ({fmt})")
    assert not missing, "rules without fixtures: " + ", ".join(missing)

"""`--format markdown`: the step summary (scorecard, findings table, topology)."""
from __future__ import annotations

import re
import sys
import textwrap
import types

import pytest

from walint.engine.report import Location, Report, Result
from walint.model.rule import PILLARS, Rule, severity
from walint.reporters import markdown_report


def run(argv, capsys):
    from walint.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def rule(pillar="security", rid="WAL-TEST-001"):
    return Rule(id=rid, name="test-rule", title="t", pillar=pillar, category="public-access",
                best_practice=(), severity=severity("error"), check=None)


def result(r, level="error", message="m", file="a.tf", address="aws_x.y"):
    return Result(r, level, message, Location(file, 3, 3, 1, address), "fp")


def report_of(*results):
    return Report(version="0", profile="production", fail_on="error",
                  rules=sorted({x.rule.id: x.rule for x in results}.values(), key=lambda r: r.id),
                  results=list(results), unknowns=[], diagnostics=[], files=2, resources=5)


@pytest.fixture(autouse=True)
def no_picture(monkeypatch):
    """Unless a test installs one, behave as if the picture module were absent."""
    monkeypatch.setitem(sys.modules, "walint.reporters.picture", None)


def table(md, heading):
    lines = md.splitlines()
    start = lines.index(heading)
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    return rows


def cells(row):
    """Split a table row on unescaped pipes."""
    parts, cur, i = [], "", 1
    while i < len(row) - 1:
        if row[i] == "\\" and i + 1 < len(row):
            cur += row[i:i + 2]
            i += 2
            continue
        if row[i] == "|":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += row[i]
        i += 1
    parts.append(cur.strip())
    return parts


def test_scorecard_counts_per_pillar_and_severity():
    sec, rel = rule("security", "WAL-A-001"), rule("reliability", "WAL-B-001")
    md = markdown_report.render(report_of(result(sec), result(sec, "warning"), result(rel, "note")))
    rows = table(md, "### Pillar scorecard")
    assert len(rows) == 2 + len(PILLARS) + 1
    by_pillar = {cells(r)[0]: cells(r)[1:4] for r in rows[2:]}
    assert by_pillar["Security"] == ["1", "1", "0"]
    assert by_pillar["Reliability"] == ["0", "0", "1"]
    assert by_pillar["Cost optimization"] == ["0", "0", "0"]
    assert by_pillar["**Total**"] == ["**1**", "**1**", "**1**"]
    assert md.startswith("## \u274C walint: 3 findings (1 error, 1 warning, 1 note)")


def test_findings_table_escapes_scanned_text():
    evil = "x|y <img src=x onerror=alert(1)> [link](https://evil.example) *b* `c` @team #12\n| z |"
    md = markdown_report.render(report_of(result(rule(), message=evil, address=evil, file="p|q.tf")))
    rows = table(md, "### Findings")
    assert len(rows) == 3                          # header, rule, one finding
    row = cells(rows[2])
    assert len(row) == 5                           # no cell was split by a scanned `|`
    assert "<img" not in md and "@team" not in md and "#12" not in md and "https://" not in md
    assert not re.search(r"(?<!\\)\]\(", md)        # no link: every `]` is escaped
    assert "\\|" in row[4] and "\\*b\\*" in row[4] and "\\`c\\`" in row[4]
    assert "&lt;img" in row[4]


def test_suppressed_findings_are_listed_apart():
    r = result(rule())
    r.suppressed, r.suppression = True, {"kind": "baseline", "reason": "in baseline b.json"}
    md = markdown_report.render(report_of(r))
    assert md.startswith("## \u2705 walint: 0 findings")
    assert "### Findings" not in md
    assert "suppressed: 1 baseline" in md
    assert "<details><summary>Suppressed findings</summary>" in md


def test_mermaid_picture_when_the_module_draws_one(monkeypatch):
    module = types.ModuleType("walint.reporters.picture")
    module.render = lambda report, fmt: "flowchart LR\n  a[\"subnet ```\"] --> b\n" if fmt == "mermaid" else ""
    monkeypatch.setitem(sys.modules, "walint.reporters.picture", module)
    md = markdown_report.render(report_of(result(rule())))
    assert "````mermaid\nflowchart LR" in md       # a fence longer than any run of backticks inside
    assert md.rstrip().endswith("</details>")


@pytest.mark.parametrize("render", [
    lambda report, fmt: None,
    lambda report, fmt: "",
    lambda report, fmt: 1 / 0,
])
def test_no_picture_section_without_a_drawing(monkeypatch, render):
    module = types.ModuleType("walint.reporters.picture")
    module.render = render
    monkeypatch.setitem(sys.modules, "walint.reporters.picture", module)
    md = markdown_report.render(report_of(result(rule())))
    assert "mermaid" not in md


def test_cli_format_markdown(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(textwrap.dedent("""
        resource "aws_db_instance" "main" {
          engine            = "postgres"
          multi_az          = false
          storage_encrypted = true
        }
    """).lstrip())
    code, out, _ = run(["scan", ".", "--format", "markdown", "--select", "WAL-MAZ-001"], capsys)
    assert code == 1
    rows = table(out, "### Findings")
    assert cells(rows[2])[1] == "`WAL-MAZ-001` rds-multi-az"
    assert cells(rows[2])[2] == "main.tf:3"

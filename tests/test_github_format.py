"""`--format github`: workflow-command annotations, escaped so scanned text cannot forge one."""
from __future__ import annotations

import re
import textwrap

import pytest

from walint.engine.report import Location, Report, Result
from walint.model.rule import Rule, severity
from walint.reporters import github_report


def run(argv, capsys):
    from walint.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


RULE = Rule(id="WAL-TEST-001", name="test-rule", title="t", pillar="security",
            category="public-access", best_practice=(), severity=severity("error"), check=None)


def report_of(*results, show_unknown=False):
    return Report(version="0", profile="production", fail_on="error", rules=[RULE],
                  results=list(results), unknowns=[], diagnostics=[], files=1, resources=1,
                  show_unknown=show_unknown)


def result(message="m", file="a.tf", address="aws_x.y", level="error", line=3, end=5):
    return Result(RULE, level, message, Location(file, line, end, 1, address), "fp")


# the grammar of one workflow command line, with nothing left over
COMMAND = re.compile(r"^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:\r\n]*)(?:,[a-zA-Z]+=[^,:\r\n]*)*)::([^\r\n]*)$")


def parse(line):
    m = COMMAND.match(line)
    assert m, line
    props = dict(p.split("=", 1) for p in m.group(2).split(","))
    return m.group(1), props, m.group(3)


def unescape(text):
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


def test_levels_and_properties():
    out = github_report.render(report_of(result(level="error"), result(level="warning", line=7, end=7),
                                         result(level="note", line=9, end=9)))
    lines = out.splitlines()
    assert [parse(x)[0] for x in lines[:3]] == ["error", "warning", "notice"]
    kind, props, message = parse(lines[0])
    assert props == {"file": "a.tf", "line": "3", "endLine": "5", "title": "WAL-TEST-001 test-rule"}
    assert message == "m [aws_x.y]"
    assert not lines[-1].startswith("::")       # the summary line is not a command


@pytest.mark.parametrize("evil", [
    "db\n::error file=x.tf,line=1::forged",
    "db\r\n::warning::forged",
    "100% db%0A::error::forged",
    "a,title=forged:b",
    "db::error file=x::y",
    "\x1b[31mred\x07",
])
def test_scanned_text_cannot_forge_an_annotation(evil):
    out = github_report.render(report_of(result(message=f"bad {evil}", address=evil, file=f"{evil}.tf")))
    lines = out.splitlines()
    assert len(lines) == 2                       # one annotation and the summary, nothing more
    kind, props, message = parse(lines[0])
    assert kind == "error"
    assert set(props) == {"file", "line", "endLine", "title"}
    assert props["line"] == "3" and props["title"] == "WAL-TEST-001 test-rule"
    if "\x1b" not in evil:
        assert unescape(props["file"]) == f"{evil}.tf"
        assert unescape(message) == f"bad {evil} [{evil}]"
    assert "\x1b" not in out and "\x07" not in out


def test_escaping_rules():
    assert github_report.escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert github_report.escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"


def test_suppressed_findings_are_not_annotated():
    r = result()
    r.suppressed, r.suppression = True, {"kind": "inline", "reason": "x"}
    out = github_report.render(report_of(r))
    assert not any(x.startswith("::") for x in out.splitlines())


def test_cli_format_github(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(textwrap.dedent("""
        resource "aws_db_instance" "main" {
          engine            = "postgres"
          multi_az          = false
          storage_encrypted = true
        }
    """).lstrip())
    code, out, _ = run(["scan", ".", "--format", "github", "--select", "WAL-MAZ-001"], capsys)
    assert code == 1
    kind, props, message = parse(out.splitlines()[0])
    assert (kind, props["file"], props["line"]) == ("error", "main.tf", "3")
    assert props["title"] == "WAL-MAZ-001 rds-multi-az"
    assert message.endswith("[aws_db_instance.main]")

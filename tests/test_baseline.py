"""Baselines: record today's findings, report only new ones, list stale entries."""
from __future__ import annotations

import json
import textwrap

import pytest

SELECT = "WAL-MAZ-001,WAL-ENC-001,WAL-PARSE-001,WAL-SUP"


def run(argv, capsys):
    from walint.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def tf_db(name, multi_az="false", encrypted="true"):
    return textwrap.dedent(f"""
        resource "aws_db_instance" "{name}" {{
          engine            = "postgres"
          instance_class    = "db.t3.micro"
          multi_az          = {multi_az}
          storage_encrypted = {encrypted}
        }}
    """).lstrip()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(tf_db("a") + tf_db("b", encrypted="false"))
    return tmp_path


def test_create_is_deterministic_and_sorted(repo, capsys):
    code, _, err = run(["scan", "infra", "--select", SELECT, "--create-baseline", "base.json"], capsys)
    assert code == 0, err                      # everything is in the new baseline
    assert "wrote baseline base.json (3 findings)" in err
    first = (repo / "base.json").read_text()
    doc = json.loads(first)
    assert doc["walint-baseline"] == 1
    keys = [(e["file"], e["rule"], e["address"]) for e in doc["findings"]]
    assert keys == sorted(keys) == [("infra/main.tf", "WAL-ENC-001", "aws_db_instance.b"),
                                    ("infra/main.tf", "WAL-MAZ-001", "aws_db_instance.a"),
                                    ("infra/main.tf", "WAL-MAZ-001", "aws_db_instance.b")]
    run(["scan", "infra", "--select", SELECT, "--create-baseline", "base.json"], capsys)
    assert (repo / "base.json").read_text() == first


def test_only_new_findings_count(repo, capsys):
    run(["scan", "infra", "--select", SELECT, "--create-baseline", "base.json"], capsys)
    code, out, err = run(["scan", "infra", "--select", SELECT, "--baseline", "base.json",
                          "--format", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["summary"]["findings"] == {"error": 0, "warning": 0, "note": 0}
    assert all(f["suppressed"] and f["suppression"]["kind"] == "baseline" for f in doc["findings"])
    assert doc["baseline"] == {"stale": []}

    # a new finding, moved lines for the old ones: only the new one counts
    (repo / "infra" / "main.tf").write_text("\n\n" + tf_db("a") + tf_db("b", encrypted="false")
                                            + tf_db("c"))
    code, out, _ = run(["scan", "infra", "--select", SELECT, "--baseline", "base.json",
                        "--format", "json"], capsys)
    assert code == 1
    active = [(f["rule"], f["address"]) for f in json.loads(out)["findings"] if not f["suppressed"]]
    assert active == [("WAL-MAZ-001", "aws_db_instance.c")]


def test_stale_entries_are_listed(repo, capsys):
    run(["scan", "infra", "--select", SELECT, "--create-baseline", "base.json"], capsys)
    (repo / "infra" / "main.tf").write_text(tf_db("a") + tf_db("b", multi_az="true"))
    code, out, err = run(["scan", "infra", "--select", SELECT, "--baseline", "base.json",
                          "--format", "json"], capsys)
    assert code == 0
    stale = json.loads(out)["baseline"]["stale"]
    assert [(e["rule"], e["address"]) for e in stale] == [("WAL-ENC-001", "aws_db_instance.b"),
                                                          ("WAL-MAZ-001", "aws_db_instance.b")]
    assert "2 entries no longer match a finding" in err
    assert "WAL-ENC-001 infra/main.tf aws_db_instance.b" in err


def test_sarif_marks_baselined_results_external(repo, capsys):
    run(["scan", "infra", "--select", SELECT, "--create-baseline", "base.json"], capsys)
    code, out, _ = run(["scan", "infra", "--select", SELECT, "--baseline", "base.json",
                        "--format", "sarif"], capsys)
    results = json.loads(out)["runs"][0]["results"]
    assert results and all(r["suppressions"][0]["kind"] == "external" for r in results)
    assert code == 0


def test_inline_suppression_wins_over_baseline(repo, capsys):
    run(["scan", "infra", "--select", SELECT, "--create-baseline", "base.json"], capsys)
    (repo / "infra" / "main.tf").write_text(
        "# walint:ignore WAL-MAZ-001 replica\n" + tf_db("a") + tf_db("b", encrypted="false"))
    _, out, _ = run(["scan", "infra", "--select", SELECT, "--baseline", "base.json",
                     "--format", "json"], capsys)
    doc = json.loads(out)
    kinds = {(f["rule"], f["address"]): f["suppression"]["kind"] for f in doc["findings"]}
    assert kinds[("WAL-MAZ-001", "aws_db_instance.a")] == "inline"
    assert [e["address"] for e in doc["baseline"]["stale"]] == ["aws_db_instance.a"]


def test_parse_errors_can_be_baselined(repo, capsys):
    (repo / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    code, _, _ = run(["scan", ".", "--select", SELECT], capsys)
    assert code == 1
    run(["scan", ".", "--select", SELECT, "--create-baseline", "base.json"], capsys)
    code, _, _ = run(["scan", ".", "--select", SELECT, "--baseline", "base.json"], capsys)
    assert code == 0


@pytest.mark.parametrize("content", [
    '{"version": 1, "findings": []}',
    "not json at all",
    '[1, 2]',
    '{"walint-baseline": 1, "findings": [{"rule": "x"}]}',
    '{"walint-baseline": 7, "findings": []}',
])
def test_not_a_baseline_is_exit_2_in_one_line(repo, capsys, content):
    (repo / "other.json").write_text(content)
    code, out, err = run(["scan", "infra", "--baseline", "other.json"], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "other.json" in lines[0]


def test_missing_baseline_and_conflicting_options(repo, capsys):
    code, _, err = run(["scan", "infra", "--baseline", "nope.json"], capsys)
    assert code == 2 and "nope.json" in err
    code, _, err = run(["scan", "infra", "--baseline", "a.json", "--create-baseline", "b.json"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1

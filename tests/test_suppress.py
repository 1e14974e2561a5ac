"""Inline suppressions: Terraform comments, CloudFormation Metadata and YAML comments,
reasons, expiry, unused ones, and how suppressed findings appear in JSON and SARIF."""
from __future__ import annotations

import datetime
import json
import textwrap

import pytest

SELECT = "WAL-MAZ-001,WAL-SUP,WAL-PARSE-001"


def run(argv, capsys):
    from walint.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def scan_json(capsys, *args):
    code, out, err = run(["scan", *args, "--format", "json", "--select", SELECT], capsys)
    assert code in (0, 1), err
    return code, json.loads(out), err


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def tf_db(comment_above="", comment_inside="", name="main"):
    return f"""
{comment_above}
resource "aws_db_instance" "{name}" {{
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  {comment_inside}
  multi_az          = false
  storage_encrypted = true
}}
"""


CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
{comment}
  Database:
    Type: AWS::RDS::DBInstance
{metadata}
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      MultiAZ: false
      StorageEncrypted: true
"""


def cfn(comment="", metadata=""):
    return CFN.format(comment=comment, metadata=metadata)


def by_rule(doc, rule):
    return [f for f in doc["findings"] if f["rule"] == rule]


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- Terraform ------------------------------------------------------------------------------

@pytest.mark.parametrize("above,inside", [
    ("# walint:ignore WAL-MAZ-001 single-AZ is fine for the reporting replica", ""),
    ("// walint:ignore WAL-MAZ-001 single-AZ is fine for the reporting replica", ""),
    ("", "# walint:ignore WAL-MAZ-001 single-AZ is fine for the reporting replica"),
    ("/* walint:ignore WAL-MAZ-001 single-AZ is fine for the reporting replica */", ""),
])
def test_terraform_comment_suppresses_with_its_reason(here, capsys, above, inside):
    write(here / "db" / "main.tf", tf_db(above, inside))
    code, doc, _ = scan_json(capsys, "db")
    assert code == 0
    [f] = by_rule(doc, "WAL-MAZ-001")
    assert f["suppressed"] is True
    assert f["suppression"] == {"kind": "inline",
                                "reason": "single-AZ is fine for the reporting replica"}
    assert doc["summary"]["findings"] == {"error": 0, "warning": 0, "note": 0}
    assert by_rule(doc, "WAL-SUP-001") == []


def test_comment_above_an_unrelated_block_does_not_apply(here, capsys):
    text = tf_db() + '\n# walint:ignore WAL-MAZ-001 meant for the cache\n\nresource "aws_sqs_queue" "q" {}\n'
    write(here / "main.tf", text)
    code, doc, _ = scan_json(capsys, ".")
    assert code == 1
    assert by_rule(doc, "WAL-MAZ-001")[0]["suppressed"] is False


def test_several_ids_comma_separated(here, capsys):
    write(here / "main.tf", tf_db("# walint:ignore WAL-ENC-001, WAL-MAZ-001 lab database, deleted nightly")
          .replace("storage_encrypted = true", "storage_encrypted = false"))
    code, out, err = run(["scan", ".", "--format", "json", "--select", "WAL-MAZ-001,WAL-ENC-001,WAL-SUP"],
                         capsys)
    assert code == 0, out + err
    doc = json.loads(out)
    assert {f["rule"] for f in doc["findings"]} == {"WAL-MAZ-001", "WAL-ENC-001"}
    assert all(f["suppressed"] for f in doc["findings"])
    assert {f["suppression"]["reason"] for f in doc["findings"]} == {"lab database, deleted nightly"}


def test_without_reason_does_not_suppress_and_is_sup001_at_its_line(here, capsys):
    write(here / "main.tf", tf_db("# walint:ignore WAL-MAZ-001"))
    code, doc, _ = scan_json(capsys, ".")
    assert code == 1
    assert by_rule(doc, "WAL-MAZ-001")[0]["suppressed"] is False
    [sup] = by_rule(doc, "WAL-SUP-001")
    assert (sup["file"], sup["line"], sup["severity"]) == ("main.tf", 1, "warning")
    assert sup["address"] == "aws_db_instance.main"
    assert "WAL-MAZ-001" in sup["message"]


def test_comment_without_rule_id_is_sup001(here, capsys):
    write(here / "main.tf", tf_db("# walint:ignore because I say so"))
    code, doc, _ = scan_json(capsys, ".")
    assert code == 1
    assert len(by_rule(doc, "WAL-SUP-001")) == 1
    assert by_rule(doc, "WAL-MAZ-001")[0]["suppressed"] is False


def test_expired_suppression_returns_the_finding_beside_sup002(here, capsys):
    write(here / "main.tf", tf_db("# walint:ignore WAL-MAZ-001 until=2020-01-31 migration to Multi-AZ planned"))
    code, doc, _ = scan_json(capsys, ".")
    assert code == 1
    [f] = by_rule(doc, "WAL-MAZ-001")
    assert f["suppressed"] is False
    [note] = by_rule(doc, "WAL-SUP-002")
    assert (note["severity"], note["line"]) == ("note", 1)
    assert "2020-01-31" in note["message"]


def test_future_expiry_suppresses_and_reason_excludes_the_date(here, capsys):
    write(here / "main.tf", tf_db("# walint:ignore WAL-MAZ-001 until=2999-12-31 migration planned"))
    code, doc, _ = scan_json(capsys, ".")
    assert code == 0
    [f] = by_rule(doc, "WAL-MAZ-001")
    assert f["suppressed"] and f["suppression"]["reason"] == "migration planned"


def test_expiry_day_itself_still_suppresses(tmp_path):
    from walint.engine.run import ScanOptions, scan

    write(tmp_path / "main.tf", tf_db("# walint:ignore WAL-MAZ-001 until=2030-06-01 ok"))
    select = ["WAL-MAZ-001", "WAL-SUP"]
    on_day = scan([str(tmp_path)], ScanOptions(select=select, today=datetime.date(2030, 6, 1)))
    after = scan([str(tmp_path)], ScanOptions(select=select, today=datetime.date(2030, 6, 2)))
    assert [r.suppressed for r in on_day.results] == [True]
    assert sorted((r.rule.id, r.suppressed) for r in after.results) == [
        ("WAL-MAZ-001", False), ("WAL-SUP-002", False)]


@pytest.mark.parametrize("bad", ["2027-13-01", "tomorrow", "2027-3-1", ""])
def test_bad_expiry_date_is_a_usage_error_naming_file_and_line(here, capsys, bad):
    write(here / "main.tf", tf_db(f"# walint:ignore WAL-MAZ-001 until={bad} reason"))
    code, out, err = run(["scan", ".", "--select", SELECT], capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "main.tf:1" in lines[0] and "until=" in lines[0]


def test_no_inline_ignores_reports_everything(here, capsys):
    write(here / "main.tf", tf_db("# walint:ignore WAL-MAZ-001"))
    write(here / "b" / "main.tf", tf_db("# walint:ignore WAL-MAZ-001 accepted risk", name="b"))
    code, doc, _ = scan_json(capsys, ".", "--no-inline-ignores")
    assert code == 1
    assert [f["rule"] for f in doc["findings"]] == ["WAL-MAZ-001", "WAL-MAZ-001"]
    assert not any(f["suppressed"] for f in doc["findings"])


def test_unused_suppressions_only_when_asked(here, capsys):
    write(here / "main.tf", tf_db("# walint:ignore WAL-MAZ-001 accepted\n# walint:ignore WAL-ENC-001 encrypted anyway")
          .replace("multi_az          = false", "multi_az = true"))
    _, doc, _ = scan_json(capsys, ".")
    assert by_rule(doc, "WAL-SUP-003") == []
    code, out, _ = run(["scan", ".", "--format", "json", "--select", "WAL-MAZ-001,WAL-ENC-001,WAL-SUP",
                        "--report-unused-ignores"], capsys)
    doc = json.loads(out)
    unused = by_rule(doc, "WAL-SUP-003")
    assert sorted(f["line"] for f in unused) == [1, 2]
    assert all(f["severity"] == "note" for f in unused)
    assert code == 0      # notes do not fail by default


def test_unused_is_not_reported_for_rules_that_did_not_run(here, capsys):
    write(here / "main.tf", tf_db("# walint:ignore WAL-ENC-001 accepted"))
    _, out, _ = run(["scan", ".", "--format", "json", "--select", "WAL-MAZ-001,WAL-SUP",
                     "--report-unused-ignores"], capsys)
    assert by_rule(json.loads(out), "WAL-SUP-003") == []


# -- CloudFormation ---------------------------------------------------------------------------

def test_cloudformation_metadata_suppression(here, capsys):
    meta = """    Metadata:
      walint:
        ignore:
          - id: WAL-MAZ-001
            reason: "analytics replica, rebuilt from the primary"
            until: 2999-03-31"""
    write(here / "db.yaml", cfn(metadata=meta))
    code, doc, _ = scan_json(capsys, "db.yaml")
    assert code == 0
    [f] = by_rule(doc, "WAL-MAZ-001")
    assert f["suppression"] == {"kind": "inline", "reason": "analytics replica, rebuilt from the primary"}


def test_cloudformation_metadata_without_reason_is_sup001_at_the_entry(here, capsys):
    meta = """    Metadata:
      walint:
        ignore:
          - id: WAL-MAZ-001"""
    write(here / "db.yaml", cfn(metadata=meta))
    code, doc, _ = scan_json(capsys, "db.yaml")
    assert code == 1
    [sup] = by_rule(doc, "WAL-SUP-001")
    assert sup["line"] == 9      # the `- id: WAL-MAZ-001` line
    assert by_rule(doc, "WAL-MAZ-001")[0]["suppressed"] is False


def test_cloudformation_metadata_expired(here, capsys):
    meta = """    Metadata:
      walint:
        ignore:
          - {id: WAL-MAZ-001, reason: temporary, until: 2021-01-01}"""
    write(here / "db.yaml", cfn(metadata=meta))
    code, doc, _ = scan_json(capsys, "db.yaml")
    assert code == 1
    assert by_rule(doc, "WAL-MAZ-001")[0]["suppressed"] is False
    assert len(by_rule(doc, "WAL-SUP-002")) == 1


def test_cloudformation_metadata_bad_date_is_usage_error(here, capsys):
    meta = """    Metadata:
      walint:
        ignore:
          - {id: WAL-MAZ-001, reason: temporary, until: next year}"""
    write(here / "db.yaml", cfn(metadata=meta))
    code, out, err = run(["scan", "db.yaml", "--select", SELECT], capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "db.yaml:" in err and "until" in err


def test_cloudformation_json_metadata(here, capsys):
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Database": {
        "Type": "AWS::RDS::DBInstance",
        "Metadata": {"walint": {"ignore": [{"id": "WAL-MAZ-001", "reason": "replica"}]}},
        "Properties": {"Engine": "postgres", "MultiAZ": False, "StorageEncrypted": True}}}}
    (here / "db.json").write_text(json.dumps(template, indent=2))
    code, doc, _ = scan_json(capsys, "db.json")
    assert code == 0
    assert by_rule(doc, "WAL-MAZ-001")[0]["suppressed"] is True


@pytest.mark.parametrize("comment", [
    "  # walint:ignore WAL-MAZ-001 reporting replica",
])
def test_cloudformation_yaml_comment_above(here, capsys, comment):
    write(here / "db.yaml", cfn(comment=comment))
    code, doc, _ = scan_json(capsys, "db.yaml")
    assert code == 0
    assert by_rule(doc, "WAL-MAZ-001")[0]["suppression"]["reason"] == "reporting replica"


def test_cloudformation_yaml_comment_inside(here, capsys):
    text = cfn().replace("      MultiAZ: false", "      MultiAZ: false  # walint:ignore WAL-MAZ-001 reporting replica")
    write(here / "db.yaml", text)
    code, doc, _ = scan_json(capsys, "db.yaml")
    assert code == 0
    assert by_rule(doc, "WAL-MAZ-001")[0]["suppressed"] is True


# -- modules, parse errors, output formats ----------------------------------------------------

def test_suppression_in_a_child_module_applies(here, capsys):
    write(here / "modules" / "db" / "main.tf",
          tf_db("# walint:ignore WAL-MAZ-001 the module's users decide", name="this"))
    write(here / "live" / "main.tf", 'module "db" {\n  source = "../modules/db"\n}\n')
    code, doc, _ = scan_json(capsys, "live")
    found = by_rule(doc, "WAL-MAZ-001")
    assert [f["address"] for f in found] == ["module.db.aws_db_instance.this"]
    assert found[0]["suppressed"] is True
    assert code == 0


def test_parse_error_can_be_suppressed_by_a_comment_in_the_file(here, capsys):
    write(here / "broken" / "main.tf",
          '# walint:ignore WAL-PARSE-001 fixture for the parser tests\nresource "aws_s3_bucket" "b" {\n')
    write(here / "broken2" / "main.tf", 'resource "aws_s3_bucket" "b" {\n')
    code, doc, _ = scan_json(capsys, "broken", "broken2")
    parse = {f["file"]: f["suppressed"] for f in by_rule(doc, "WAL-PARSE-001")}
    assert parse == {"broken/main.tf": True, "broken2/main.tf": False}
    assert code == 1


def test_sarif_carries_in_source_suppression(here, capsys):
    write(here / "main.tf", tf_db("# walint:ignore WAL-MAZ-001 replica"))
    code, out, _ = run(["scan", ".", "--format", "sarif", "--select", SELECT], capsys)
    assert code == 0
    results = json.loads(out)["runs"][0]["results"]
    [r] = [r for r in results if r["ruleId"] == "WAL-MAZ-001"]
    assert r["suppressions"] == [{"kind": "inSource", "justification": "replica"}]


def test_text_output_hides_suppressed_findings(here, capsys):
    write(here / "main.tf", tf_db("# walint:ignore WAL-MAZ-001 replica"))
    code, out, _ = run(["scan", ".", "--select", SELECT], capsys)
    assert code == 0
    assert "WAL-MAZ-001" not in out and "1 suppressed" in out


def test_parse_comment_forms():
    from walint.engine.suppress import parse_comment

    [s] = parse_comment("# walint:ignore WAL-SG-002 until=2027-03-31 public API behind WAF", "f", 3)
    assert (s.rule_id, s.reason, s.until) == ("WAL-SG-002", "public API behind WAF", datetime.date(2027, 3, 31))
    [s] = parse_comment("//walint:ignore WAL-SG-002 -- public API until=2027-03-31", "f", 3)
    assert (s.reason, s.until) == ("public API", datetime.date(2027, 3, 31))
    assert parse_comment("# not a suppression walint:ignore WAL-SG-002 x", "f", 1) is None
    assert parse_comment("# walint:ignored", "f", 1) is None
    ids = [s.rule_id for s in parse_comment("# walint:ignore WAL-A-1,WAL-B-2 , WAL-C-3 why", "f", 1)]
    assert ids == ["WAL-A-1", "WAL-B-2", "WAL-C-3"]

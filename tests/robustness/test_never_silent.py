"""Never a silent pass (docs/security.md): what walint could not evaluate is a WAL-PARSE-002
finding (exit 1) in every format, huge numbers are numbers, a bad configuration value is
exit 2 in one line, and a crash (exit 3) prints no report that looks like a pass.

Built from ../shared/reproducers/hostile/{tf-bigint-literal-hides-resource, crash-exit-3};
the inputs are generated here, one per member of each class.
"""
from __future__ import annotations

import json

import pytest

DIGITS = "9" * 5001
DB_TF = ('resource "aws_db_instance" "prod" {{\n  engine   = "postgres"\n  multi_az = false\n'
         '  allocated_storage = {value}\n}}\nvariable "n" {{\n  default = 20\n}}\n')
DB_CFN = ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db:\n"
          "    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n"
          "      MultiAZ: false\n      AllocatedStorage: {value}\n")


def run(argv, capsys, monkeypatch=None, cwd=None):
    from walint.cli.main import main

    if cwd is not None:
        monkeypatch.chdir(cwd)
    with pytest.raises(SystemExit) as exc:
        main(["scan", *argv])
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def no_forged_lines(err):
    """No line of standard error starts with `::` (GitHub reads workflow commands there)."""
    assert not [line for line in err.splitlines() if line.startswith("::")], err


BIG_NUMBER_CASES = {
    "tf literal": {"main.tf": DB_TF.format(value=DIGITS)},
    "tf map value": {"main.tf": DB_TF.format(value="var.n").replace(
        "multi_az = false\n", f"multi_az = false\n  tags = {{ n = {DIGITS} }}\n")},
    "tfvars": {"main.tf": DB_TF.format(value="var.n"), "terraform.tfvars": f"n = {DIGITS}\n"},
    "tfvars.json": {"main.tf": DB_TF.format(value="var.n"),
                    "terraform.tfvars.json": f'{{"n": {DIGITS}}}'},
    "tf.json": {"main.tf.json": '{"resource": {"aws_db_instance": {"prod": {"engine": "postgres",'
                                f' "multi_az": false, "allocated_storage": {DIGITS}}}}}}}}}'},
    "cfn yaml": {"t.yaml": DB_CFN.format(value=DIGITS)},
    "cfn json": {"t.json": json.dumps({"Resources": {"Db": {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {"Engine": "postgres", "MultiAZ": False, "AllocatedStorage": 1}}}}
    ).replace('"AllocatedStorage": 1', f'"AllocatedStorage": {DIGITS}')},
}


@pytest.mark.parametrize("case", sorted(BIG_NUMBER_CASES))
def test_huge_numbers_are_numbers(case, tmp_path, capsys):
    for name, text in BIG_NUMBER_CASES[case].items():
        (tmp_path / name).write_text(text)
    code, out, err = run([str(tmp_path), "--format", "json"], capsys)
    findings = json.loads(out)["findings"]
    rules = sorted({f["rule"] for f in findings})
    assert code == 1, err
    assert "WAL-MAZ-001" in rules, (rules, err)          # the insecure resource is still reported
    assert not [r for r in rules if r.startswith("WAL-PARSE")], findings
    assert "Exceeds the limit" not in err


def _broken_resource(monkeypatch):
    """An internal error on one Terraform resource (a stand-in for any reader bug)."""
    from walint.parsers.terraform import evaluate

    real = evaluate.Evaluator.build_resource

    def build(self, m, rd, out):
        if rd.key == "aws_db_instance.broken":
            raise MemoryError()
        return real(self, m, rd, out)
    monkeypatch.setattr(evaluate.Evaluator, "build_resource", build)


def _two_databases(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "main.tf").write_text(
        'resource "aws_db_instance" "broken" {\n  engine = "postgres"\n}\n'
        'resource "aws_db_instance" "sibling" {\n  engine   = "postgres"\n  multi_az = false\n}\n')
    return tmp_path


def test_a_resource_dropped_by_an_internal_error_is_a_finding(tmp_path, capsys, monkeypatch):
    _broken_resource(monkeypatch)
    repo = _two_databases(tmp_path)
    code, out, err = run([str(repo), "--select", "WAL-MAZ-001,WAL-PARSE", "--jobs", "1"], capsys)
    assert code == 1, err
    assert "WAL-PARSE-002" in out and "aws_db_instance.broken" in out
    assert "aws_db_instance.sibling" in out and "WAL-MAZ-001" in out
    assert "0 findings" not in out
    code, out, _ = run([str(repo), "--format", "sarif", "--jobs", "1"], capsys)
    invocation = json.loads(out)["runs"][0]["invocations"][0]
    assert code == 1 and invocation["executionSuccessful"] is False
    assert any("broken" in n["message"]["text"] for n in invocation["toolExecutionNotifications"])
    for fmt in ("markdown", "github"):
        code, out, _ = run([str(repo), "--format", fmt, "--jobs", "1"], capsys)
        assert code == 1 and "WAL-PARSE-002" in out, fmt


def test_switched_off_incomplete_evaluation_is_still_said(tmp_path, capsys, monkeypatch):
    _broken_resource(monkeypatch)
    code, out, err = run([str(_two_databases(tmp_path)), "--select", "WAL-MAZ-001",
                          "--format", "sarif", "--jobs", "1"], capsys)
    assert code == 1
    assert "not fully evaluated" in err
    assert json.loads(out)["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_a_rule_that_raises_fails_the_scan_with_a_finding(tmp_path, capsys):
    pack = tmp_path / "pack.py"
    pack.write_text(
        "from walint.api import rule\n\n"
        "@rule(id='ACME-BUG-001', name='broken', title='Broken', pillar='security',\n"
        "      category='public-access')\n"
        "def broken(graph):\n"
        "    '''Always raises.'''\n"
        "    raise KeyError('boom')\n")
    repo = _two_databases(tmp_path / "repo")
    code, out, err = run([str(repo), "--rules-path", str(pack), "--format", "json"], capsys)
    assert code == 1, err
    findings = json.loads(out)["findings"]
    failed = [f for f in findings if f["rule"] == "WAL-PARSE-002"]
    assert failed and "ACME-BUG-001" in failed[0]["message"], findings
    assert any(f["rule"] == "WAL-MAZ-001" for f in findings)   # the other rules still ran
    assert "internal error" in err and "ACME-BUG-001" in err


def test_a_crash_is_exit_3_and_prints_no_report(tmp_path, capsys, monkeypatch):
    from walint.engine import run as run_mod

    def crash(paths, options=None):
        raise RuntimeError("::error::boom\nsecond line")
    monkeypatch.setattr(run_mod, "scan", crash)
    sarif = tmp_path / "out.sarif"
    for argv in ([str(tmp_path)], [str(tmp_path), "--format", "sarif", "-o", str(sarif)]):
        code, out, err = run(argv, capsys)
        assert code == 3
        assert out == "" and "0 findings" not in err
        assert len(err.splitlines()) == 1 and "internal error" in err
        no_forged_lines(err)
    assert not sarif.exists()


def test_a_deep_baseline_is_a_configuration_error(tmp_path, capsys):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    (tmp_path / "base.json").write_text("[" * 100_000 + "]" * 100_000)
    code, out, err = run([str(tmp_path), "--baseline", str(tmp_path / "base.json")], capsys)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "base.json" in err, err


def test_wal_parse_002_is_documented():
    from walint.docs import explain
    from walint.engine.builtin import INCOMPLETE

    assert INCOMPLETE.id == "WAL-PARSE-002" and INCOMPLETE.name == "incomplete-evaluation"
    assert set(INCOMPLETE.severity.values()) == {"error"}
    assert "not evaluated" in explain(INCOMPLETE) or "stopped" in explain(INCOMPLETE)


@pytest.mark.parametrize("name, text", [
    (".walint.yml", "select: " + "[" * 100_000 + "]" * 100_000 + "\n"),
    (".walint.yml", "fail-on: " + DIGITS + "\n"),
    ("pyproject.toml", "[tool.walint]\nprofile = " + DIGITS + "\n"),
])
def test_a_hostile_configuration_value_is_exit_2_in_one_line(name, text, tmp_path, capsys,
                                                              monkeypatch):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["."], capsys)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and name in err, err


def test_a_cloudformation_resource_stopped_by_a_budget_is_a_finding(tmp_path, capsys,
                                                                     monkeypatch):
    from walint.parsers.base import Incomplete
    from walint.parsers.cloudformation import stack

    real = stack.Stack._resource

    def resource(self, logical, node):
        if logical == "Broken":
            raise Incomplete("a string grew past its budget of 16 MiB")
        return real(self, logical, node)
    monkeypatch.setattr(stack.Stack, "_resource", resource)
    (tmp_path / "t.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
        "  Broken:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n"
        "  Sibling:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n"
        "      MultiAZ: false\n")
    code, out, err = run([str(tmp_path), "--format", "json", "--jobs", "1"], capsys)
    assert code == 1, err
    findings = json.loads(out)["findings"]
    stopped = [f for f in findings if f["rule"] == "WAL-PARSE-002"]
    assert [(f["address"], f["line"]) for f in stopped] == [("Broken", 3)]
    assert "budget" in stopped[0]["message"] and "internal error" not in stopped[0]["message"]
    assert any(f["rule"] == "WAL-MAZ-001" and f["address"] == "Sibling" for f in findings)
    assert json.loads(out)["summary"]["incomplete"] == 1


def test_a_value_hidden_behind_deep_nesting_is_not_a_silent_unknown(tmp_path, capsys):
    deep = "(" * 400 + "false" + ")" * 400
    (tmp_path / "main.tf").write_text(
        f'resource "aws_db_instance" "hidden" {{\n  engine   = "postgres"\n  multi_az = {deep}\n}}\n')
    code, out, err = run([str(tmp_path), "--format", "json"], capsys)
    assert code == 1, err
    stopped = [f for f in json.loads(out)["findings"] if f["rule"] == "WAL-PARSE-002"]
    assert stopped and stopped[0]["line"] == 3, stopped

"""The command line as CONTRACT.md defines it: commands, exit codes, one-line errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from testenv import FIXTURES, ROOT

FAIL = FIXTURES / "WAL-MAZ-001" / "fail"
PASS = FIXTURES / "WAL-MAZ-001" / "pass"


def walint(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "walint", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=120)


def test_version():
    from walint import __version__

    out = walint("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"walint {__version__}"


def test_scan_exit_codes():
    assert walint("scan", FAIL).returncode == 1
    assert walint("scan", PASS, "--select", "WAL-MAZ-001").returncode == 0
    assert walint("scan", FAIL, "--fail-on", "never").returncode == 0


def test_fail_on_warning_counts_warnings():
    # WAL-MAZ-001 is a warning in the mvp profile
    assert walint("scan", FAIL, "--profile", "mvp", "--select", "WAL-MAZ-001").returncode == 0
    assert walint("scan", FAIL, "--profile", "mvp", "--select", "WAL-MAZ-001",
                  "--fail-on", "warning").returncode == 1


def test_development_profile_turns_rule_off():
    out = walint("scan", FAIL, "--profile", "development", "--select", "WAL-MAZ-001", "--format", "json")
    assert json.loads(out.stdout)["findings"] == []


@pytest.mark.parametrize("args", [
    ("scan", "no/such/path"),
    ("scan", str(FAIL), "--select", "WAL-NOPE-999"),
    ("scan", str(FAIL), "--profile", "staging"),
    ("scan", str(FAIL), "--var", "novalue"),
    ("explain", "WAL-NOPE-999"),
    ("scan", str(FAIL), "--bogus"),
])
def test_usage_errors_are_one_line_exit_2(args):
    out = walint(*args)
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("walint: error:"), out.stderr
    assert "Traceback" not in out.stderr


def test_text_report_format():
    out = walint("scan", FAIL, "--select", "WAL-MAZ-001", env={**os.environ, "NO_COLOR": "1"})
    assert "\x1b[" not in out.stdout
    line = next(l for l in out.stdout.splitlines() if "main.tf:30" in l)
    assert line.strip() == (
        "fixtures/WAL-MAZ-001/fail/main.tf:30 WAL-MAZ-001 error DB instance aws_db_instance.orders "
        "runs in one Availability Zone (multi_az = false): a zone outage takes the database down "
        "[aws_db_instance.orders]")
    assert "by pillar: reliability" in out.stdout


def test_json_report_shape():
    out = walint("scan", FAIL, "--format", "json", "--select", "WAL-MAZ-001")
    data = json.loads(out.stdout)
    assert set(data) == {"tool", "version", "profile", "summary", "findings"}
    assert data["tool"] == "walint" and data["profile"] == "production"
    assert set(data["summary"]) == {"files", "resources", "findings", "by_pillar", "unknown"}
    f = data["findings"][0]
    for key in ("rule", "name", "severity", "pillar", "category", "file", "line", "end_line",
                "address", "message", "fingerprint", "suppressed"):
        assert key in f
    keys = [(f["file"], f["line"], f["rule"], f["address"], f["message"]) for f in data["findings"]]
    assert keys == sorted(keys)


def test_output_file(tmp_path):
    target = tmp_path / "out.json"
    out = walint("scan", FAIL, "--format", "json", "-o", target)
    assert out.stdout == ""
    assert json.loads(target.read_text())["tool"] == "walint"


def test_rules_and_explain():
    out = walint("rules", "--format", "json")
    rules = json.loads(out.stdout)["rules"]
    ids = [r["id"] for r in rules]
    assert "WAL-MAZ-001" in ids and "WAL-PARSE-001" in ids and ids == sorted(ids)
    maz = next(r for r in rules if r["id"] == "WAL-MAZ-001")
    assert maz["severity"] == {"development": "off", "mvp": "warning", "production": "error",
                               "regulated": "error"}
    assert maz["best_practice"] == ["REL10-BP01"]
    text = walint("explain", "WAL-MAZ-001").stdout
    assert "## Why" in text and "```yaml" in text and "```hcl" in text and "## Fix" in text
    assert walint("explain", "rds-multi-az").returncode == 0


def test_graph_json():
    out = walint("graph", FAIL, "--format", "json")
    data = json.loads(out.stdout)
    addresses = [r["address"] for r in data["resources"]]
    assert addresses == sorted(addresses)
    assert "aws_db_instance.tenant[0]" in addresses and "aws_db_instance.tenant[1]" in addresses
    db = next(r for r in data["resources"] if r["address"] == "aws_db_instance.orders")
    assert db["kind"] == "db_instance" and db["type"] == "aws_db_instance"
    assert db["attributes"]["multi_az"] is False
    assert {"from": "aws_db_instance.orders", "to": "aws_db_subnet_group.data",
            "via": "db_subnet_group_name"} in data["edges"]


def test_named_terraform_file_reports_only_that_file(tmp_path):
    (tmp_path / "a.tf").write_text('resource "aws_db_instance" "a" {\n  engine = "postgres"\n  multi_az = false\n}\n')
    (tmp_path / "b.tf").write_text('resource "aws_db_instance" "b" {\n  engine = "postgres"\n  multi_az = false\n}\n')
    out = walint("scan", tmp_path / "a.tf", "--format", "json", "--select", "WAL-MAZ-001")
    files = {os.path.basename(f["file"]) for f in json.loads(out.stdout)["findings"]}
    assert files == {"a.tf"}


def test_non_template_yaml_is_skipped_silently(tmp_path):
    (tmp_path / "config.yaml").write_text("name: not a template\nitems: [1, 2\n")
    out = walint("scan", tmp_path)
    assert out.returncode == 0 and out.stderr == ""


def test_bad_input_is_a_parse_finding_and_scan_goes_on(tmp_path):
    (tmp_path / "broken.tf").write_text('resource "aws_db_instance" "x" {\n  multi_az = \n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bin.tf").write_bytes(b"\x00\x01\x02\xff\xfe")
    (tmp_path / "t.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A: [\n")
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "db.tf").write_text('resource "aws_db_instance" "x" {\n  engine = "postgres"\n  multi_az = false\n}\n')
    (tmp_path / "ok" / "empty.tf").write_text("")
    out = walint("scan", tmp_path, "--format", "json")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    findings = json.loads(out.stdout)["findings"]
    parse = {os.path.basename(f["file"]) for f in findings if f["rule"] == "WAL-PARSE-001"}
    assert parse == {"broken.tf", "bin.tf", "t.yaml"}
    assert any(f["rule"] == "WAL-MAZ-001" for f in findings)


def test_python_dash_m_matches_console_script():
    import shutil

    exe = shutil.which("walint", path=os.path.dirname(sys.executable))
    if not exe:
        pytest.skip("the walint console script is not installed next to this Python")
    a = subprocess.run([exe, "rules", "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    b = walint("rules", "--format", "json")
    assert a.stdout == b.stdout and a.returncode == b.returncode == 0

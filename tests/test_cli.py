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


def test_named_template_beside_a_named_terraform_file_keeps_its_findings(tmp_path):
    """pre-commit names a .tf and a template in one folder: the .tf's module limits which
    Terraform files are reported, never the template's findings."""
    (tmp_path / "a.tf").write_text('resource "aws_db_instance" "a" {\n  engine = "postgres"\n  multi_az = false\n}\n')
    (tmp_path / "db.yaml").write_text((FAIL / "database.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: [\n")
    out = walint("scan", tmp_path / "a.tf", tmp_path / "db.yaml", tmp_path / "broken.yaml",
                 "--format", "json", "--select", "WAL-MAZ-001,WAL-PARSE-001")
    found = {(os.path.basename(f["file"]), f["rule"]) for f in json.loads(out.stdout)["findings"]}
    assert found == {("a.tf", "WAL-MAZ-001"), ("db.yaml", "WAL-MAZ-001"),
                     ("broken.yaml", "WAL-PARSE-001")}


def test_non_template_yaml_is_skipped_silently(tmp_path):
    (tmp_path / "config.yaml").write_text("name: not a template\nitems: [1, 2\n")
    (tmp_path / "main.tf").write_text("")
    out = walint("scan", tmp_path)
    assert out.returncode == 0 and out.stderr == ""


def test_nothing_to_check_is_a_usage_error(tmp_path):
    """A gate pointed at the wrong folder must not pass (exit 2, one line naming it)."""
    (tmp_path / "config.yaml").write_text("name: not a template\n")
    (tmp_path / "README.md").write_text("hello\n")
    out = walint("scan", tmp_path)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and str(tmp_path) in out.stderr
    assert "no CloudFormation template or Terraform file" in out.stderr
    allowed = walint("scan", tmp_path, "--allow-empty", "--format", "json")
    assert allowed.returncode == 0 and json.loads(allowed.stdout)["summary"]["files"] == 0
    (tmp_path / ".walint.yml").write_text("allow-empty: true\n")
    assert walint("scan", ".", cwd=tmp_path).returncode == 0


def test_named_file_that_is_not_iac_gets_a_note(tmp_path):
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    (tmp_path / "main.tf").write_text("")
    out = walint("scan", tmp_path / "notes.txt", tmp_path / "compose.yaml", tmp_path / "main.tf")
    assert out.returncode == 0
    notes = [line for line in out.stderr.splitlines() if line.startswith("walint: note:")]
    assert len(notes) == 2
    assert any("notes.txt" in n and "not a CloudFormation template or Terraform file" in n
               for n in notes)
    assert any("compose.yaml" in n and "does not look like a CloudFormation template" in n
               for n in notes)
    only = walint("scan", tmp_path / "notes.txt")
    assert only.returncode == 2 and "notes.txt" in only.stderr


def test_several_outputs_from_one_scan(tmp_path):
    sarif, summary = tmp_path / "out" / "walint.sarif", tmp_path / "summary.md"
    out = walint("scan", FAIL, "-o", f"sarif={sarif}", "-o", f"markdown={summary}", "-o", "github")
    assert out.returncode == 1
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert summary.read_text().startswith("## ") and "walint" in summary.read_text()
    lines = out.stdout.splitlines()
    assert all(line.startswith("::") for line in lines[:-1]) and "::error " in out.stdout
    # CONTRACT.md's form keeps working: --format X -o FILE
    legacy = tmp_path / "legacy.json"
    assert walint("scan", FAIL, "--format", "json", "-o", legacy).stdout == ""
    assert json.loads(legacy.read_text())["tool"] == "walint"


@pytest.mark.parametrize("args,message", [
    (("-o", "json", "-o", "sarif"), "only one format can go to standard output"),
    (("-o", "sarif="), "the file name is missing"),
    (("-o", "a.json", "-o", "json=a.json"), "named twice"),
])
def test_bad_outputs_are_usage_errors(args, message, tmp_path):
    out = walint("scan", FAIL, *args, cwd=tmp_path)
    assert out.returncode == 2 and message in out.stderr and out.stdout == ""


def test_exit_zero_quiet_and_color(tmp_path):
    out = walint("scan", FAIL, "--exit-zero", "--color", "always")
    assert out.returncode == 0 and "\x1b[" in out.stdout and "WAL-MAZ-001" in out.stdout
    assert walint("scan", tmp_path / "missing", "--exit-zero").returncode == 2
    plain = walint("scan", FAIL, "--color", "never")
    assert "\x1b[" not in plain.stdout
    env = dict(os.environ, FORCE_COLOR="1")
    env.pop("NO_COLOR", None)
    assert "\x1b[" in walint("scan", FAIL, env=env).stdout
    walint("scan", FAIL, "-o", f"text={tmp_path / 'report.txt'}", env=env)
    assert "\x1b[" not in (tmp_path / "report.txt").read_text()      # no colour in a file
    env["NO_COLOR"] = "1"
    assert "\x1b[" not in walint("scan", FAIL, env=env).stdout
    assert "\x1b[" in walint("scan", FAIL, "--color", "always", env=env).stdout
    # --quiet: findings only, no notes on standard error
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "git::https://example.com/m.git"\n}\n')
    loud = walint("scan", tmp_path)
    assert "walint: note:" in loud.stderr
    quiet = walint("scan", tmp_path, "--quiet")
    assert quiet.stderr == "" and quiet.stdout == loud.stdout


@pytest.mark.parametrize("name,text,line,words", [
    # six lines, the block's `}` missing: reported where the block starts, not at line 7
    ("bad.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  tags = {\n    a = "b"\n  }\n\n',
     1, "the block that starts here is not closed"),
    ("list.tf", 'locals {\n  a = 1\n  b = [1, 2\n}\n', 3, "the tuple that starts here"),
    ("string.tf", 'resource "a" "b" {\n  x = "abc\n}\n', 2, "the string that starts here"),
    ("t.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Name: [a, b\n",
     5, "flow sequence that starts here"),
    ("t.json", '{\n "Resources": {\n  "B": {\n   "Type": "AWS::S3::Bucket"\n',
     3, "at the end of the file (in the flow mapping that starts here)"),
])
def test_parse_errors_point_at_the_broken_construct(tmp_path, name, text, line, words):
    (tmp_path / name).write_text(text)
    out = walint("scan", tmp_path / name, "--format", "json", "--select", "WAL-PARSE-001")
    (finding,) = json.loads(out.stdout)["findings"]
    assert finding["line"] == line and words in finding["message"]
    assert finding["line"] <= text.count("\n")


def test_did_you_mean():
    err = walint("scan", "--fial-on", "error").stderr
    assert "Did you mean" in err and "--fail-on" in err
    out = walint("scna", FAIL)
    assert out.returncode == 2 and "Did you mean 'scan'?" in out.stderr


def test_unknown_config_key_suggests_the_near_one(tmp_path):
    (tmp_path / ".walint.yml").write_text("fail_on: warning\n")
    (tmp_path / "main.tf").write_text("")
    out = walint("scan", ".", cwd=tmp_path)
    assert out.returncode == 2
    assert "unknown key 'fail_on'; did you mean 'fail-on'?" in out.stderr


def test_dependencies_below_the_floor_stop_walint(tmp_path):
    """An environment holding an older tree-sitter than pyproject.toml's floor (pip
    --no-deps, a distribution package) is refused with exit 2, not scanned wrongly."""
    from walint.cli import installed

    if "walint" not in installed._installed():
        pytest.skip("walint is not installed (its requirements are in the install's metadata)")
    (tmp_path / "tree_sitter-0.24.0.dist-info").mkdir()
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    out = walint("scan", FAIL, env=env)
    assert out.returncode == 2 and out.stdout == ""
    assert "tree-sitter>=0.25 (installed: 0.24.0)" in out.stderr
    assert installed.too_old() == []


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


def test_old_tree_sitter_without_query_cursor_is_a_usage_error(tmp_path):
    """Whatever the metadata says: a tree-sitter without QueryCursor stops the scan with
    exit 2 and a message, instead of losing resources and reporting 0 findings."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text("import tree_sitter\ndel tree_sitter.QueryCursor\n")
    env = dict(os.environ, PYTHONPATH=str(shim))
    out = walint("scan", FAIL / "main.tf", env=env)
    assert out.returncode == 2 and out.stdout == ""
    assert "tree-sitter>=0.25" in out.stderr and "Traceback" not in out.stderr
    cfn_only = walint("scan", FAIL / "database.yaml", "--select", "WAL-MAZ-001", env=env)
    assert cfn_only.returncode == 1                 # CloudFormation needs no tree-sitter

"""Text from scanned files cannot rewrite a terminal or forge a CI annotation, and
JSON and SARIF stay valid whatever a template contains."""
from __future__ import annotations

import json
import subprocess
import sys

EVIL = "a\\u001b[2J\\u001b]0;pwned\\u0007b\\n::error file=x.tf,line=1::forged\\r%0A::warning::x"


def _repo(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_db_instance" "x" {\n'
        f'  for_each = toset(["{EVIL}"])\n'
        '  engine   = "postgres"\n'
        '  multi_az = false\n'
        '}\n')
    (tmp_path / "t.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        '  "Db\\e[2J\\e]0;pwned\\a\\n::error file=x.tf,line=1::forged":\n'
        "    Type: AWS::RDS::DBInstance\n"
        "    Properties:\n"
        "      Engine: postgres\n"
        "      MultiAZ: false\n")
    return tmp_path


def walint(path, *args):
    return subprocess.run([sys.executable, "-m", "walint", "scan", str(path), *args],
                          capture_output=True, text=True, timeout=120, cwd=path)


def test_text_output_neutralises_control_characters(tmp_path):
    out = walint(_repo(tmp_path), "--select", "WAL-MAZ-001")
    assert out.returncode == 1, out.stderr
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout and "\r" not in out.stdout
    finding_lines = [l for l in out.stdout.splitlines() if "WAL-MAZ-001" in l]
    assert len(finding_lines) == 2
    assert not any(l.lstrip().startswith("::") for l in out.stdout.splitlines())


def test_github_output_cannot_forge_annotations(tmp_path):
    out = walint(_repo(tmp_path), "--select", "WAL-MAZ-001", "--format", "github")
    lines = [l for l in out.stdout.splitlines() if l.startswith("::")]
    assert len(lines) == 2, out.stdout
    assert "\x1b" not in out.stdout


def test_json_and_sarif_stay_valid(tmp_path):
    repo = _repo(tmp_path)
    data = json.loads(walint(repo, "--format", "json").stdout)
    # Terraform prints instance keys escaped; a CloudFormation logical id is neutralised in
    # every format (walint.reporters.safe): a visible escape, never the raw character
    addresses = [f["address"] for f in data["findings"] if f["rule"] == "WAL-MAZ-001"]
    assert any("\\u001b" in a for a in addresses) and any("\\x1b" in a for a in addresses)
    assert not any("\x1b" in a for a in addresses)
    log = json.loads(walint(repo, "--format", "sarif").stdout)
    assert log["runs"][0]["results"]

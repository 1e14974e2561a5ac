"""Paths in every output are relative to the repository root, whatever folder walint was
started from (CONTRACT.md, SARIF section; docs/security.md, docs/design.md)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

MAIN_TF = '''module "net" {
  source = "../modules/net"
}
module "remote" {
  source = "terraform-aws-modules/s3-bucket/aws"
}
resource "aws_db_instance" "main" {
  engine   = "postgres"
  multi_az = false
}
'''
NET_TF = '''resource "aws_db_instance" "in_module" {
  engine   = "postgres"
  multi_az = false
}
'''
PARENT_YAML = '''AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: child.yaml
'''
CHILD_YAML = '''AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      MultiAZ: false
'''


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                            GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com"))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def walint(cwd, *args, code=1):
    out = subprocess.run([sys.executable, "-m", "walint", "scan", *args], cwd=cwd,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == code, out.stderr[-2000:]
    return out.stdout


@pytest.fixture
def clone(tmp_path):
    """A small repository, cloned into a subfolder of another repository."""
    origin = tmp_path / "origin"
    write(origin / "envs" / "prod" / "main.tf", MAIN_TF)
    write(origin / "envs" / "modules" / "net" / "main.tf", NET_TF)
    write(origin / "cfn" / "parent.yaml", PARENT_YAML)
    write(origin / "cfn" / "child.yaml", CHILD_YAML)
    git("init", "-q", str(origin), cwd=tmp_path)
    git("add", "-A", cwd=origin)
    git("commit", "-q", "-m", "init", cwd=origin)
    outer = tmp_path / "outer"
    git("init", "-q", str(outer), cwd=tmp_path)
    git("clone", "-q", str(origin), str(outer / "vendor" / "infra"), cwd=tmp_path)
    return outer / "vendor" / "infra"


def test_same_sarif_and_baseline_from_any_folder(clone, tmp_path):
    starts = [(clone, "."), (clone / "envs" / "prod", "../.."), (clone.parent, "infra")]
    sarifs, baselines = [], []
    for i, (cwd, path) in enumerate(starts):
        sarifs.append(walint(cwd, path, "--format", "sarif"))
        base = tmp_path / f"baseline{i}.json"
        walint(cwd, path, "--create-baseline", str(base), "--format", "json", code=0)
        baselines.append(base.read_text())
    assert sarifs[0] == sarifs[1] == sarifs[2]
    assert baselines[0] == baselines[1] == baselines[2]
    log = json.loads(sarifs[0])
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]
            for loc in r["locations"] + r.get("relatedLocations", [])}
    assert uris == {"envs/prod/main.tf", "envs/modules/net/main.tf", "cfn/child.yaml",
                    "cfn/parent.yaml"}
    assert str(tmp_path) not in sarifs[0]          # no absolute path of the machine
    assert "uri" not in log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]


def test_baseline_made_in_one_folder_matches_in_another(clone, tmp_path):
    base = tmp_path / "b.json"
    walint(clone / "envs" / "prod", "../..", "--create-baseline", str(base), code=0)
    out = walint(clone.parent, "infra", "--baseline", str(base), "--format", "json", code=0)
    doc = json.loads(out)
    assert doc["summary"]["findings"]["error"] == 0 and doc["findings"]
    assert all(f["suppressed"] for f in doc["findings"])


def test_root_flag_overrides(clone):
    out = walint(clone.parent, "infra", "--root", str(clone.parent), "--format", "json")
    files = {f["file"] for f in json.loads(out)["findings"]}
    assert "infra/envs/prod/main.tf" in files


def test_files_outside_the_repository_root(tmp_path, clone):
    """A path elsewhere named on the command line: named relative to that path."""
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "db" / "main.tf", NET_TF)
    out = walint(clone, str(elsewhere), "--format", "json")
    assert {f["file"] for f in json.loads(out)["findings"]} == {"db/main.tf"}

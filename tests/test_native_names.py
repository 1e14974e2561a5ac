"""Messages name settings the way the user wrote them: `multi_az` in Terraform, `MultiAZ`
in CloudFormation (issue: Terraform findings said "MultiAZ is false")."""
from __future__ import annotations

from walint.model import kinds
from walint.model.resource import Resource


def _cfn(props: dict) -> Resource:
    r = Resource(type="AWS::RDS::DBInstance", address="Db", scope="t.yaml", format="cloudformation",
                 file="t.yaml", line=3, attrs=props)
    kinds.normalize(r)
    return r


def _tf(attrs: dict) -> Resource:
    r = Resource(type="aws_db_instance", address="aws_db_instance.db", scope=".", format="terraform",
                 file="main.tf", line=1, attrs=attrs)
    kinds.normalize(r)
    return r


def test_cloudformation_names_keep_their_spelling():
    db = _cfn({"MultiAZ": False, "DBSubnetGroupName": "grp", "VPCSecurityGroups": ["sg"]})
    assert db.native("multi_az") == "MultiAZ"
    assert db.native("db_subnet_group_name") == "DBSubnetGroupName"
    assert db.native("vpc_security_group_ids") == "VPCSecurityGroups"   # through the alias table
    assert db.setting("multi_az", False) == "MultiAZ: false"


def test_cloudformation_unset_properties_are_spelled_as_cloudformation_does():
    db = _cfn({})
    assert db.native("storage_encrypted") == "StorageEncrypted"
    assert db.native("multi_az") == "MultiAZ"
    assert db.native("backup_retention_period") == "BackupRetentionPeriod"


def test_terraform_names_are_terraform_arguments():
    db = _tf({"multi_az": False})
    assert db.native("multi_az") == "multi_az"
    assert db.setting("multi_az", False) == "multi_az = false"
    assert db.setting("engine", "postgres") == 'engine = "postgres"'


# -- a value decided by an input's default names the input and the flag that changes it ---------

import json
import subprocess
import sys


def _scan(folder, *args):
    out = subprocess.run([sys.executable, "-m", "walint", "scan", str(folder), "--format", "json",
                          "--show-unknown", *args], capture_output=True, text=True, cwd=folder)
    return {f["rule"]: f["message"] for f in json.loads(out.stdout)["findings"]}


CFN = """Parameters:
  Env: {Type: String, Default: dev}
  Encrypted: {Type: String, Default: "false"}
  Backups: {Type: Number}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      MultiAZ: !If [IsProd, true, false]
      StorageEncrypted: !Ref Encrypted
      BackupRetentionPeriod: !Ref Backups
"""

TF = """variable "env" { default = "dev" }
variable "backups" {}
resource "aws_db_instance" "db" {
  engine                  = "postgres"
  multi_az                = var.env == "prod"
  storage_encrypted       = true
  backup_retention_period = var.backups
}
"""


def test_cloudformation_default_is_named_with_its_flag(tmp_path):
    (tmp_path / "t.yaml").write_text(CFN)
    got = _scan(tmp_path, "--select", "WAL-MAZ-001,WAL-ENC-001,WAL-BAK-001")
    assert "MultiAZ: false" in got["WAL-MAZ-001"]
    assert "default of parameter Env: --param Env=VALUE changes it" in got["WAL-MAZ-001"]
    assert "default of parameter Encrypted: --param Encrypted=VALUE" in got["WAL-ENC-001"]
    assert "--param Backups=VALUE" in got["WAL-BAK-001"]          # the unknown note says how to decide it
    got = _scan(tmp_path, "--select", "WAL-ENC-001", "--param", "Encrypted=false")
    assert "default" not in got["WAL-ENC-001"]                     # supplied: no longer a default


def test_terraform_default_is_named_with_its_flag(tmp_path):
    (tmp_path / "main.tf").write_text(TF)
    got = _scan(tmp_path, "--select", "WAL-MAZ-001,WAL-BAK-001")
    assert "multi_az = false" in got["WAL-MAZ-001"]
    assert "default of variable env: --var env=VALUE changes it" in got["WAL-MAZ-001"]
    assert "--var backups=VALUE" in got["WAL-BAK-001"]
    assert "WAL-MAZ-001" not in _scan(tmp_path, "--select", "WAL-MAZ-001", "--var", "env=prod")

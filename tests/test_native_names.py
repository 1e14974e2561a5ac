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

"""Point 4: conditions, three-valued; resources dropped or optional."""
from __future__ import annotations

import pytest
from cfn_helpers import FORMATS, line_of, parse

from walint.model.values import OneOf, Unknown


@pytest.mark.parametrize("fmt", FORMATS)
def test_default_scenario(fmt):
    result, res = parse(f"conditions/template.{fmt}")
    assert not result.diagnostics
    # IsDev, NotProd and DevAndOwner are false: those buckets do not exist
    assert list(res) == ["Database", "OwnerBucket", "ProdBucket"]
    db = res["Database"].attrs
    assert db["DBInstanceClass"] == "db.r6g.large"
    assert db["MultiAZ"] is True
    assert db["StorageEncrypted"] is True              # Or(True, unknown) is True
    assert db["BackupRetentionPeriod"] == OneOf((30, None))  # unknown: 30 or absent
    assert db["DeletionProtection"] == OneOf((True, False))  # And(True, unknown) is unknown
    assert db["VPCSecurityGroups"] == ["sg-0aaaaaaaaaaaaaaaa", OneOf(("sg-0bbbbbbbbbbbbbbbb", None))]
    assert res["OwnerBucket"].optional is True
    assert res["OwnerBucket"].meta["condition"] == "HasOwner"
    assert isinstance(res["OwnerBucket"].attrs["BucketName"], Unknown)
    assert res["ProdBucket"].optional is False
    assert res["ProdBucket"].attrs == {"VersioningConfiguration": {"Status": "Enabled"}}
    assert not res["Database"].optional


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_scenario(fmt):
    _, res = parse(f"conditions/template.{fmt}",
                   params=[("Env", "dev"), ("Owner", "ana"), ("EnableBackups", "false")])
    assert list(res) == ["Database", "DevBucket", "NotProdBucket", "DevOwnerBucket", "OwnerBucket"]
    db = res["Database"].attrs
    assert db["MultiAZ"] is False and db["DBInstanceClass"] == "db.t3.micro"
    assert db["StorageEncrypted"] is True                     # HasOwner
    assert "BackupRetentionPeriod" not in db                  # AWS::NoValue
    assert db["DeletionProtection"] is False
    assert db["VPCSecurityGroups"] == ["sg-0aaaaaaaaaaaaaaaa", "sg-0cccccccccccccccc"]
    assert res["OwnerBucket"].attrs["BucketName"] == "ana-bucket"
    assert not any(r.optional for r in res.values())


@pytest.mark.parametrize("fmt", FORMATS)
def test_cycles_are_diagnosed(fmt):
    rel = f"invalid/cycle.{fmt}"
    result, res = parse(rel)
    assert set(res) == {"Bucket", "Queue"}
    assert res["Bucket"].optional and res["Queue"].optional
    messages = sorted(d.message for d in result.diagnostics)
    assert any("condition A refers to itself" in m or "condition B refers to itself" in m for m in messages)
    assert any("condition Self refers to itself" in m for m in messages)
    for d in result.diagnostics:
        assert d.level == "warning" and d.code == "WAL-CFN-001" and d.line is not None
    if fmt == "yaml":
        lines = {d.line for d in result.diagnostics}
        assert line_of(rel, "  Self:") in lines


def test_undeclared_condition(tmp_path):
    from walint.parsers.cloudformation import parse_templates

    p = tmp_path / "t.yaml"
    p.write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Condition: Nope\n")
    result = parse_templates([str(p)])
    assert result.resources[0].optional
    assert result.diagnostics[0].message == "condition Nope is not declared"
    assert result.diagnostics[0].line == 4

"""The foundation architecture (FOUNDATION.md), written in both formats, gives no finding
in production; a variant that breaks one area gives exactly that area's finding."""
from __future__ import annotations

import shutil

import pytest

from testenv import FIXTURES, scan

FOUNDATION = FIXTURES / "examples" / "foundation"

DB_OPEN_TF = '''
resource "aws_vpc_security_group_ingress_rule" "db_open" {
  security_group_id = aws_security_group.db.id
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = "0.0.0.0/0"
}
'''
DB_OPEN_CFN = '''
  DatabaseOpenToTheWorld:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref DatabaseSecurityGroup
      IpProtocol: tcp
      FromPort: 5432
      ToPort: 5432
      CidrIp: 0.0.0.0/0
'''

# area -> (file, text to replace, replacement) per format; the replaced text must exist
VARIANTS = {
    "terraform": {
        "WAL-MAZ-001": ("data.tf", "multi_az                      = true", "multi_az = false"),
        "WAL-ENC-001": ("data.tf", "storage_encrypted             = true", "storage_encrypted = false"),
        "WAL-NET-001": ("data.tf", "subnet_ids = aws_subnet.data[*].id", "subnet_ids = aws_subnet.public[*].id"),
        "WAL-NAT-001": ("network.tf", "nat_gateway_id         = aws_nat_gateway.main[count.index].id",
                        "nat_gateway_id = aws_nat_gateway.main[0].id"),
        "WAL-SG-001": ("security.tf", None, DB_OPEN_TF),
    },
    "cloudformation": {
        "WAL-MAZ-001": ("foundation.yaml", "MultiAZ: true", "MultiAZ: false"),
        "WAL-ENC-001": ("foundation.yaml", "StorageEncrypted: true", "StorageEncrypted: false"),
        "WAL-NET-001": ("foundation.yaml", "SubnetIds: [!Ref DataSubnetA, !Ref DataSubnetB]",
                        "SubnetIds: [!Ref PublicSubnetA, !Ref PublicSubnetB]"),
        "WAL-NAT-001": ("foundation.yaml", "NatGatewayId: !Ref NatGatewayB", "NatGatewayId: !Ref NatGatewayA"),
        "WAL-SG-001": ("foundation.yaml", "\n  CacheFromApp:\n", DB_OPEN_CFN + "\n  CacheFromApp:\n"),
    },
}


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
@pytest.mark.parametrize("profile", ["production", "regulated"])
def test_foundation_is_clean(fmt, profile):
    report = scan([FOUNDATION / fmt], profile=profile)
    assert not report.internal_errors
    assert [(r.rule.id, r.location.file, r.location.line, r.message) for r in report.results] == []
    assert report.resources > 60


@pytest.mark.parametrize("fmt,rule_id", [(f, r) for f, rules in VARIANTS.items() for r in rules])
def test_breaking_one_area_gives_exactly_its_finding(fmt, rule_id, tmp_path):
    copy = tmp_path / fmt
    shutil.copytree(FOUNDATION / fmt, copy)
    name, old, new = VARIANTS[fmt][rule_id]
    path = copy / name
    text = path.read_text()
    if old is None:
        text += new
    else:
        assert old in text, f"{name} no longer contains {old!r}"
        text = text.replace(old, new, 1)
    path.write_text(text)
    report = scan([copy])
    got = sorted({r.rule.id for r in report.results})
    assert got == [rule_id], [(r.rule.id, r.location.line, r.message) for r in report.results]

"""Point 10: big templates parse in time linear in their size."""
from __future__ import annotations

import time

from walint.model.values import AzIndex, Ref
from walint.parsers.cloudformation import parse_templates


def _template(n: int) -> str:
    out = ["AWSTemplateFormatVersion: '2010-09-09'", "Parameters:", "  Env:", "    Type: String",
           "    Default: prod", "Conditions:", "  IsProd: !Equals [!Ref Env, prod]", "Resources:",
           "  Vpc:", "    Type: AWS::EC2::VPC", "    Properties:", "      CidrBlock: 10.0.0.0/8"]
    for i in range(n):
        out += [
            f"  # subnet {i}",
            f"  Subnet{i}:",
            "    Type: AWS::EC2::Subnet",
            "    Condition: IsProd",
            "    Properties:",
            "      VpcId: !Ref Vpc",
            f"      AvailabilityZone: !Select [{i % 3}, !GetAZs '']",
            f"      CidrBlock: !Select [{i % 256}, !Cidr [10.0.0.0/8, 256, 8]]",
            "      Tags:",
            f"        - {{Key: Name, Value: !Sub 'subnet-${{Env}}-{i}'}}",
        ]
    return "\n".join(out) + "\n"


def _time(tmp_path, n):
    p = tmp_path / f"big{n}.yaml"
    p.write_text(_template(n))
    start = time.process_time()          # CPU time: other jobs on the machine do not count
    result = parse_templates([str(p)])
    return time.process_time() - start, result


def test_thousands_of_resources(tmp_path):
    _time(tmp_path, 10)                          # warm the decoder import
    small, _ = _time(tmp_path, 500)
    big, result = _time(tmp_path, 4000)
    assert not result.diagnostics
    assert len(result.resources) == 4001
    last = result.resources[-1]
    assert last.address == "Subnet3999"
    assert last.attrs["AvailabilityZone"] == AzIndex("GETAZS", 3999 % 3)
    assert last.attrs["VpcId"] == Ref("Vpc")
    assert last.attrs["CidrBlock"] == f"10.0.{3999 % 256}.0/24"
    assert last.attrs["Tags"] == [{"Key": "Name", "Value": "subnet-prod-3999"}]
    assert last.comments == [(last.line - 1, "# subnet 3999")]
    assert big < 20, big
    assert big < small * 8 * 2.5, (small, big)   # 8 times the input: no quadratic blow-up

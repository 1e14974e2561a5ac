"""Point 3: intrinsic functions (RULES.md §0.3, §3.1)."""
from __future__ import annotations

import pytest
from cfn_helpers import FORMATS, parse

from walint.model.values import AzIndex, OneOf, Ref, Unknown


@pytest.fixture(params=FORMATS)
def res(request):
    result, by_address = parse(f"intrinsics/template.{request.param}")
    assert not result.diagnostics
    return by_address


def test_azs_and_cidr(res):
    assert res["SubnetA"].attrs == {"VpcId": Ref("Vpc"), "AvailabilityZone": AzIndex("GETAZS", 1),
                                    "CidrBlock": "10.0.2.0/24"}
    b = res["SubnetB"].attrs
    assert b["AvailabilityZone"] == AzIndex("PARAM(Zones)", 0)
    assert isinstance(b["CidrBlock"], Unknown) and b["CidrBlock"].refs == ("Vpc",)
    assert res["SubnetC"].attrs["AvailabilityZone"] == AzIndex("GETAZS", 2)


def test_find_in_map_and_parameters(res):
    db = res["Database"].attrs
    assert db["MultiAZ"] is True
    assert db["BackupRetentionPeriod"] == 30
    assert db["MasterUserPassword"] == Unknown("parameter Secret has no value: give it with --param Secret=VALUE or --parameters FILE")
    assert res["Queue"].attrs == {"DelaySeconds": 3, "MaximumMessageSize": 3}   # Fn::Length, Number


def test_region_dependent_values_are_unknown_without_region(res):
    inst = res["Instance"].attrs
    assert isinstance(inst["ImageId"], Unknown) and "AWS::Region" in inst["ImageId"].reason
    assert inst["UserData"] == "#!/bin/sh\necho hello\n"
    assert inst["SubnetId"] == Ref("SubnetA")
    ssm = res["FromSsm"].attrs
    assert isinstance(ssm["ImageId"], Unknown) and "SSM" in ssm["ImageId"].reason
    assert isinstance(ssm["UserData"], Unknown) and ssm["UserData"].refs == ("Vpc",)


def test_strings(res):
    s = res["Strings"].attrs
    assert s["Value"] == "prod-web-3"            # single AllowedValues, Number
    assert isinstance(s["Description"], Unknown)
    tags = s["Tags"]
    assert tags["Joined"] == "alpha,beta,gamma"  # CommaDelimitedList members are trimmed
    assert tags["Second"] == "beta"
    assert tags["SplitBack"] == "c"
    assert tags["Json"] == '{"Key":"value","List":[1,2]}'
    assert isinstance(tags["Region"], Unknown)
    assert isinstance(tags["Stack"], Unknown)
    assert tags["VpcRef"] == Unknown(tags["VpcRef"].reason, ("Vpc",))
    assert tags["VpcCidr"].refs == ("Vpc",)
    assert isinstance(tags["Imported"], Unknown) and "shared-vpc-id" in tags["Imported"].reason
    assert tags["Defaulted"] == 7
    assert tags["Arn"] == Ref("Database", "Endpoint.Address")


@pytest.mark.parametrize("fmt", FORMATS)
def test_region_given(fmt):
    _, res = parse(f"intrinsics/template.{fmt}", params=[("AWS::Region", "us-east-1"), ("Secret", "s3cret")])
    assert res["Instance"].attrs["ImageId"] == "ami-0aaaaaaaaaaaaaaaa"
    assert res["Strings"].attrs["Description"] == "prod-app/us-east-1/${Literal}"
    assert res["Strings"].attrs["Tags"]["Region"] == "us-east-1"
    assert res["Database"].attrs["MasterUserPassword"] == "s3cret"
    assert res["SubnetC"].attrs["AvailabilityZone"] == AzIndex("GETAZS", 2)


def test_unit_functions(tmp_path):
    """Functions evaluated in isolation, through a tiny template."""
    from walint.parsers.cloudformation import parse_templates

    body = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Flag: {Type: String}
  Azs: {Type: CommaDelimitedList}
  Known: {Type: CommaDelimitedList, Default: "eu-west-1a,eu-west-1b"}
Conditions:
  IsOn: !Equals [!Ref Flag, "yes"]
Resources:
  R:
    Type: AWS::SSM::Parameter
    Properties:
      A: !If [IsOn, 1, 2]
      B: !If [IsOn, x, !Ref AWS::NoValue]
      C: [a, !If [IsOn, b, !Ref AWS::NoValue], !Ref AWS::NoValue]
      D: !If [IsOn, same, same]
      E: !Join ["-", [!If [IsOn, a, b], c]]
      F: !Select [3, !Ref Azs]
      G: !Select [1, !Ref Known]
      H: !Cidr ["10.0.0.0/24", 2, 6]
      I: !Cidr ["2001:db8::/56", 2, 64]
      J: !Select [9, [a, b]]
      K: !Unsupported x
      L: !GetAtt Missing.Arn
      M: !Ref Missing
      N: !Sub "${R.Arn}/x"
      O: !Length {Ref: Known}
      P: !ToJsonString [!Ref R]
      Q: !Split [",", !ImportValue exp]
      S: !Base64 plain
      T: !Select ["0", !GetAZs ""]
"""
    path = tmp_path / "t.yaml"
    path.write_text(body)
    result = parse_templates([str(path)])
    assert len(result.resources) == 1, result.diagnostics
    (r,) = result.resources
    a = r.attrs
    assert a["A"] == OneOf((1, 2))
    assert a["B"] == OneOf(("x", None))
    assert a["C"] == ["a", OneOf(("b", None))]
    assert a["D"] == "same"
    assert a["E"] == OneOf(("a-c", "b-c"))
    assert a["F"] == AzIndex("PARAM(Azs)", 3)
    assert a["G"] == "eu-west-1b"
    assert a["H"] == ["10.0.0.0/26", "10.0.0.64/26"]
    assert a["I"] == ["2001:db8::/64", "2001:db8:0:1::/64"]
    assert isinstance(a["J"], Unknown)
    assert a["K"] == Unknown("Fn::Unsupported is not supported")
    assert isinstance(a["L"], Unknown) and isinstance(a["M"], Unknown)
    assert a["N"].refs == ("R",)
    assert a["O"] == 2
    assert a["P"].refs == ("R",)
    assert isinstance(a["Q"], Unknown)
    assert a["S"] == "plain"
    assert a["T"] == AzIndex("GETAZS", 0)
    assert [d.message for d in result.diagnostics] == [
        "Fn::Select index 9 is out of range (the list has 2 items)"]
    assert result.diagnostics[0].level == "warning" and result.diagnostics[0].code == "WAL-CFN-001"


def test_mapping_keys_are_strings_and_inline_conditions(tmp_path):
    from walint.parsers.cloudformation import parse_templates

    path = tmp_path / "t.yaml"
    path.write_text("""
Parameters:
  Version: {Type: Number, Default: 2}
  Name: {Type: String, Default: default}
Mappings:
  Versions:
    2:
      true: second
Resources:
  R:
    Type: AWS::SSM::Parameter
    Properties:
      A: !FindInMap [Versions, !Ref Version, "true"]
      B: {"Fn::If": [{"Fn::Equals": [{"Ref": Name}, default]}, picked, other]}
      C: !Sub {"Fn::Join": ["", ["${Name}", "-x"]]}
      D: !FindInMap [Versions, "3", "true"]
""")
    result = parse_templates([str(path)])
    a = result.resources[0].attrs
    assert a["A"] == "second"
    assert a["B"] == "picked"
    assert a["C"] == "default-x"
    assert isinstance(a["D"], Unknown)
    (d,) = result.diagnostics
    assert d.line == 16 and "Versions has no entry 3/true" in d.message

"""Point 5: parameter values: --param over parameter files over defaults."""
from __future__ import annotations

import pytest
from cfn_helpers import FORMATS, fixture, parse

from walint.model.values import Unknown
from walint.parsers.cloudformation.parameters import read_parameter_file


def test_file_formats():
    assert read_parameter_file(fixture("parameters/cli.json")) == (
        {"Env": "prod", "Storage": "100", "NotDeclared": "ignored"}, [])
    assert read_parameter_file(fixture("parameters/codepipeline.json")) == (
        {"Env": "staging", "Retention": "14"}, [])
    assert read_parameter_file(fixture("parameters/prod.env")) == (
        {"Env": "prod", "InstanceClass": "db.r6g.large",
         "Subnets": "subnet-01111111111111111,subnet-02222222222222222"}, [])


@pytest.mark.parametrize("fmt", FORMATS)
def test_defaults(fmt):
    result, res = parse(f"parameters/template.{fmt}")
    assert not result.diagnostics
    db = res["Database"].attrs
    assert db["DBInstanceClass"] == "db.t3.micro"
    assert db["AllocatedStorage"] == 20
    assert db["MultiAZ"] is False
    assert db["BackupRetentionPeriod"] == Unknown("parameter Retention has no value: give it with --param Retention=VALUE or --parameters FILE")
    assert res["SubnetGroup"].attrs["SubnetIds"] == ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_precedence(fmt):
    files = [fixture("parameters/codepipeline.json"), fixture("parameters/cli.json"), fixture("parameters/prod.env")]
    result, res = parse(f"parameters/template.{fmt}", parameter_files=files,
                        params=[("InstanceClass", "db.m7g.large"), ("AWS::Region", "eu-west-1")])
    assert not result.diagnostics
    assert str(files[0]) not in result.files
    db = res["Database"].attrs
    assert db["DBInstanceClass"] == "db.m7g.large"     # --param wins over prod.env
    assert db["AllocatedStorage"] == 100                # cli.json, a Number
    assert db["MultiAZ"] is True                        # Env=prod: the last file wins over codepipeline.json
    assert db["BackupRetentionPeriod"] == 14            # codepipeline.json
    sg = res["SubnetGroup"].attrs
    assert sg["SubnetIds"] == ["subnet-01111111111111111", "subnet-02222222222222222"]
    assert sg["DBSubnetGroupDescription"] == "subnets for prod in eu-west-1"


def test_unreadable_parameter_file():
    result, res = parse("parameters/template.yaml",
                        parameter_files=[fixture("invalid/params-broken.json"), fixture("nope/missing.json")])
    usage = [d for d in result.diagnostics if d.code == "WAL-USAGE"]
    assert len(usage) == 2 and all(d.level == "error" for d in usage)
    assert usage[0].file.endswith("params-broken.json")
    assert res["Database"].attrs["DBInstanceClass"] == "db.t3.micro"   # the scan still happens


@pytest.mark.parametrize("ptype,value,expected", [
    ("Number", "42", 42),
    ("Number", "1.5", 1.5),
    ("String", "42", "42"),
    ("CommaDelimitedList", "a, b ,c", ["a", "b", "c"]),
    ("List<Number>", "1,2", ["1", "2"]),
    ("List<AWS::EC2::Subnet::Id>", "subnet-1,subnet-2", ["subnet-1", "subnet-2"]),
])
def test_conversions(ptype, value, expected):
    from walint.parsers.cloudformation.parameters import resolve

    assert resolve("P", {"Type": ptype}, {"P": value}) == expected


def test_resolution_rules():
    from walint.model.values import AzList
    from walint.parsers.cloudformation.parameters import resolve

    assert resolve("P", {"Type": "String", "AllowedValues": ["only"]}, {}) == "only"
    assert isinstance(resolve("P", {"Type": "String", "AllowedValues": ["a", "b"]}, {}), Unknown)
    assert resolve("P", {"Type": "String", "Default": True}, {}) == "true"
    assert resolve("P", {"Type": "List<AWS::EC2::AvailabilityZone::Name>"}, {}) == AzList("PARAM(P)")
    ssm = resolve("P", {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/x"}, {"P": "/y"})
    assert isinstance(ssm, Unknown) and "SSM" in ssm.reason

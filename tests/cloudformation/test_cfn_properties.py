"""Point 2: attrs, positions, line, meta and comments of a resource."""
from __future__ import annotations

import pytest
from cfn_helpers import FORMATS, line_of, parse

from walint.model.values import Ref


@pytest.mark.parametrize("fmt", FORMATS)
def test_attrs_keep_names_and_shapes(fmt):
    result, res = parse(f"properties/template.{fmt}")
    assert not result.diagnostics
    assert list(res) == ["WebSecurityGroup", "Database", "Cluster", "Service"]
    sg = res["WebSecurityGroup"]
    assert sg.type == "AWS::EC2::SecurityGroup"
    assert sg.format == "cloudformation"
    assert sg.scope == sg.file and sg.file.endswith(f"properties/template.{fmt}")
    assert sg.attrs == {
        "GroupDescription": "web tier",
        "VpcId": "vpc-0123456789abcdef0",
        "SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"},
        ],
    }
    db = res["Database"]
    assert db.attrs["MultiAZ"] is False
    assert db.attrs["StorageEncrypted"] is True
    assert db.attrs["AllocatedStorage"] == "20"
    assert db.attrs["VPCSecurityGroups"] == [Ref("WebSecurityGroup", "GroupId")]
    assert res["Cluster"].attrs == {}
    svc = res["Service"].attrs
    assert svc["Cluster"] == Ref("Cluster", "id")
    assert svc["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"] == [Ref("WebSecurityGroup", "id")]
    for r in res.values():
        assert type(r.attrs) is dict
        for key in r.attrs:
            assert type(key) is str


def test_positions_yaml():
    rel = "properties/template.yaml"
    _, res = parse(rel)
    sg, db, svc = res["WebSecurityGroup"], res["Database"], res["Service"]
    assert (sg.line, sg.column) == (line_of(rel, "  WebSecurityGroup:"), 3)
    assert sg.end_line == line_of(rel, "CidrIp: 10.0.0.0/8")
    assert sg.positions[("SecurityGroupIngress",)] == (line_of(rel, "SecurityGroupIngress:"), 7)
    assert sg.positions[("SecurityGroupIngress", 0)] == (line_of(rel, "IpProtocol: tcp"), 11)
    assert sg.positions[("SecurityGroupIngress", 1, "CidrIp")] == (line_of(rel, "CidrIp: 10.0.0.0/8"), 11)
    assert sg.positions[("SecurityGroupIngress", 0, "CidrIp")] == (line_of(rel, "CidrIp: 0.0.0.0/0"), 11)
    assert db.positions[("MultiAZ",)] == (line_of(rel, "MultiAZ: false"), 7)
    assert db.position(("MultiAZ", "nothing", "deeper")) == (line_of(rel, "MultiAZ: false"), 7)
    assert db.position(("Absent",)) == (db.line, db.column)
    assert svc.positions[("NetworkConfiguration", "AwsvpcConfiguration", "Subnets")] == (line_of(rel, "Subnets:"), 11)
    assert svc.positions[("NetworkConfiguration", "AwsvpcConfiguration", "Subnets", 1)] == (
        line_of(rel, "subnet-0bbbbbbbbbbbbbbbb"), 15)


def test_positions_json():
    rel = "properties/template.json"
    _, res = parse(rel)
    sg, db = res["WebSecurityGroup"], res["Database"]
    assert sg.line == line_of(rel, '"WebSecurityGroup": {')
    assert db.positions[("MultiAZ",)][0] == line_of(rel, '"MultiAZ": false')
    assert sg.positions[("SecurityGroupIngress", 1, "CidrIp")][0] == line_of(rel, '"CidrIp": "10.0.0.0/8"')


@pytest.mark.parametrize("fmt", FORMATS)
def test_meta(fmt):
    _, res = parse(f"properties/template.{fmt}")
    db = res["Database"]
    assert db.meta["logical_id"] == "Database"
    assert db.meta["deletion_policy"] == "Snapshot"
    assert db.meta["update_replace_policy"] == "Retain"
    assert db.meta["depends_on"] == ["WebSecurityGroup"]
    assert db.meta["cdk_path"] == "App/Database/Resource"
    assert db.meta["metadata"]["walint"] == {"ignore": [{
        "id": "WAL-MAZ-001", "reason": "single AZ is fine for this reporting replica", "until": "2030-01-31"}]}
    assert res["Service"].meta["depends_on"] == ["Database", "WebSecurityGroup"]
    assert "condition" not in db.meta
    assert db.optional is False and db.call_sites == []


def test_comments_yaml():
    rel = "properties/template.yaml"
    _, res = parse(rel)
    sg = res["WebSecurityGroup"]
    first = line_of(rel, "# walint:ignore WAL-SG-001")
    assert sg.comments == [
        (first, "# walint:ignore WAL-SG-001 bastion needs SSH from the office"),
        (first + 1, "# second comment line"),
        (line_of(rel, "CidrIp: 10.0.0.0/8"), "# walint:ignore WAL-SG-002 office range"),
    ]
    assert res["Database"].comments == []
    assert parse("properties/template.json")[1]["WebSecurityGroup"].comments == []


def test_hash_lines_inside_strings_are_not_comments(tmp_path):
    from walint.parsers.cloudformation import parse_templates

    p = tmp_path / "t.yaml"
    p.write_text(
        "Resources:\n"
        "  # walint:ignore WAL-X reason\n"
        "  Inst:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      ImageId: ami-12345678\n"
        "      UserData:\n"
        "        Fn::Base64: !Sub |\n"
        "          #!/bin/bash\n"
        "          # install things\n"
        "          yum install -y ${AWS::Region}\n"
        "      Tags: # trailing\n"
        "        - Key: a\n"
        '          Value: "quoted # not a comment"\n'
        "\n"
        "  # comment above Other\n"
        "  Other:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      QueueName: |\n"
        "        # inside a literal\n"
        "        x\n")
    inst, other = parse_templates([str(p)]).resources
    assert (inst.line, inst.end_line) == (3, 14)
    assert inst.comments == [(2, "# walint:ignore WAL-X reason"), (12, "# trailing")]
    assert (other.line, other.end_line) == (17, 22)
    assert other.comments == [(16, "# comment above Other")]


def test_line_numbers_follow_yaml_line_breaks(tmp_path):
    """CRLF files, and U+2028 (a line break for YAML, as for str.splitlines), keep lines right."""
    from walint.parsers.cloudformation import parse_templates

    p = tmp_path / "t.yaml"
    p.write_bytes("Resources:\r\n  # one\u2028  # two\r\n  A:\r\n    Type: AWS::S3::Bucket\r\n"
                  "  # walint:ignore X y\r\n  B:\r\n    Type: AWS::S3::Bucket\r\n    Properties:\r\n"
                  "      BucketName: b\r\n".encode())
    result = parse_templates([str(p)])
    assert not result.diagnostics
    a, b = result.resources
    assert (a.line, a.end_line, a.comments) == (4, 5, [(2, "# one"), (3, "# two")])
    assert (b.line, b.end_line, b.comments) == (7, 10, [(6, "# walint:ignore X y")])
    assert b.positions[("BucketName",)] == (10, 7)

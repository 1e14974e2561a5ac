"""Point 8: nested stacks with local templates."""
from __future__ import annotations

import pytest
from cfn_helpers import FORMATS, fixture, line_of, parse

from walint.model.values import Ref, Unknown


@pytest.mark.parametrize("fmt", FORMATS)
def test_local_child_is_followed(fmt):
    parent = f"nested/parent.{fmt}"
    child = f"nested/stacks/network.{fmt}"
    result, res = parse(parent)
    assert not result.diagnostics
    assert list(res) == ["Vpc", "Network", "Network.SubnetA", "Network.SubnetB", "Network.RouteTable",
                         "Network.Association", "Remote", "Database"]
    assert result.files == [fixture(parent), fixture(child)]
    stack = res["Network"]
    assert stack.type == "AWS::CloudFormation::Stack"
    sub = res["Network.SubnetA"]
    assert sub.file == fixture(child)
    assert sub.scope == fixture(parent)
    assert sub.call_sites == [(fixture(parent), stack.line)]
    assert sub.meta["logical_id"] == "SubnetA"
    assert sub.attrs == {"VpcId": Ref("Vpc"), "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "eu-west-1a"}
    assert res["Network.SubnetB"].attrs["AvailabilityZone"] == "eu-west-1b"
    assert res["Network.SubnetB"].optional is False         # IsProd with the parent's Env
    assert res["Network.Association"].attrs == {"SubnetId": Ref("Network.SubnetA"),
                                                 "RouteTableId": Ref("Network.RouteTable")}
    ids = res["Database"].attrs["SubnetIds"]
    assert ids[0] == Ref("Network.SubnetA")                    # through the child's output
    assert isinstance(ids[1], Unknown) and "Remote" in ids[1].reason
    if fmt == "yaml":
        assert sub.line == line_of(child, "  SubnetA:")
        assert stack.line == line_of(parent, "  Network:")


def test_parent_parameters_flow_in():
    _, res = parse("nested/parent.yaml", params=[("Env", "dev")])
    assert "Network.SubnetB" not in res


def test_self_inclusion_is_bounded():
    for fmt in FORMATS:
        result, res = parse(f"invalid/self_nested.{fmt}")
        assert set(res) == {"Bucket", "Again"}
        (d,) = result.diagnostics
        assert "already being read" in d.message and d.level == "warning"


def test_mutual_inclusion_and_depth(tmp_path):
    from walint.parsers.cloudformation import parse_templates

    (tmp_path / "a.yaml").write_text(
        "Resources:\n  Bq:\n    Type: AWS::SQS::Queue\n  ToB:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties:\n      TemplateURL: b.yaml\n")
    (tmp_path / "b.yaml").write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  ToA:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties:\n      TemplateURL: ./a.yaml\n")
    result = parse_templates([str(tmp_path / "a.yaml")])
    assert [r.address for r in result.resources] == ["Bq", "ToB", "ToB.Q", "ToB.ToA"]
    assert len(result.diagnostics) == 1
    assert result.resources[2].call_sites == [(str(tmp_path / "a.yaml"), 4)]


def test_child_of_an_optional_stack_is_optional(tmp_path):
    from walint.parsers.cloudformation import parse_templates

    (tmp_path / "child.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    DependsOn: [R]\n"
                                         "  R:\n    Type: AWS::SQS::Queue\n")
    (tmp_path / "parent.yaml").write_text(
        "Parameters:\n  Flag: {Type: String}\nConditions:\n  IsOn: !Equals [!Ref Flag, 'yes']\n"
        "Resources:\n  S:\n    Type: AWS::CloudFormation::Stack\n    Condition: IsOn\n"
        "    Properties:\n      TemplateURL: ./child.yaml\n")
    result = parse_templates([str(tmp_path / "parent.yaml")])
    assert [(r.address, r.optional) for r in result.resources] == [("S", True), ("S.Q", True), ("S.R", True)]
    assert result.resources[1].meta["depends_on"] == ["S.R"]

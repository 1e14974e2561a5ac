"""Values that cross templates (issue 14): `Fn::ImportValue` of an export another scanned
template defines, and nested stacks whose published TemplateURL has a local copy, with
the security groups and subnets their parameters carry."""
from __future__ import annotations

import textwrap

from testenv import scan
from walint.model.values import Ref, Unknown


def _write(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return root


GROUPS = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      AppGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: app
    Outputs:
      AppGroup:
        Value: !Ref AppGroup
        Export:
          Name: !Sub "${AWS::StackName}-AppGroup"
      Range:
        Value: 10.1.0.0/16
        Export:
          Name: shared-range
    """

USER = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      Groups:
        Type: String
        Default: net
    Resources:
      Host:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0123456789abcdef0
          SecurityGroupIds:
            - !ImportValue
              Fn::Sub: "${Groups}-AppGroup"
          Tags:
            - {Key: range, Value: !ImportValue shared-range}
            - {Key: missing, Value: !ImportValue no-such-export}
    """


def _graph(report):
    return {r.address: r for r in report.graph.resources()}


def test_import_value_follows_an_export_of_another_scanned_template(tmp_path):
    _write(tmp_path, {"groups.yaml": GROUPS, "user.yaml": USER})
    report = scan([tmp_path])
    nodes = _graph(report)
    host, group = nodes["Host"], nodes["AppGroup"]
    assert host.get("security_group_ids") == [Ref("AppGroup", "id", str(tmp_path / "groups.yaml"))]
    tags = host.tags()
    assert tags["range"] == "10.1.0.0/16"
    assert isinstance(tags["missing"], Unknown)
    # the edge crosses the two templates
    assert host in report.graph.referrers(group)


def test_import_matching_exports_of_two_templates_stays_unknown(tmp_path):
    _write(tmp_path, {"a/groups.yaml": GROUPS, "b/groups.yaml": GROUPS, "user.yaml": USER})
    host = _graph(scan([tmp_path]))["Host"]
    assert isinstance(host.get("security_group_ids")[0], Unknown)


MASTER = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Network:
        Type: AWS::CloudFormation::Stack
        Properties:
          TemplateURL: https://s3.amazonaws.com/some-bucket/infrastructure/network.yaml
      Hosts:
        Type: AWS::CloudFormation::Stack
        Properties:
          TemplateURL: !Sub https://s3.amazonaws.com/${AWS::Region}-bucket/infrastructure/hosts.yaml
          Parameters:
            Subnets: !GetAtt Network.Outputs.PrivateSubnets
            HostGroup: !GetAtt Network.Outputs.HostGroup
    """

NETWORK = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16}
      PrivateA:
        Type: AWS::EC2::Subnet
        Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
      PrivateB:
        Type: AWS::EC2::Subnet
        Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24}
      HostGroup:
        Type: AWS::EC2::SecurityGroup
        Properties: {GroupDescription: hosts, VpcId: !Ref Vpc}
    Outputs:
      PrivateSubnets:
        Value: !Join [",", [!Ref PrivateA, !Ref PrivateB]]
      HostGroup:
        Value: !Ref HostGroup
    """

HOSTS = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
      HostGroup: {Type: "AWS::EC2::SecurityGroup::Id"}
    Resources:
      Group:
        Type: AWS::AutoScaling::AutoScalingGroup
        Properties:
          MinSize: "2"
          MaxSize: "4"
          VPCZoneIdentifier: !Ref Subnets
          LaunchTemplate: {LaunchTemplateId: !Ref Template, Version: "1"}
      Template:
        Type: AWS::EC2::LaunchTemplate
        Properties:
          LaunchTemplateData:
            SecurityGroupIds: [!Ref HostGroup]
            NetworkInterfaces:
              - DeviceIndex: 0
                SubnetId: !Select [0, !Split [",", !Join [",", !Ref Subnets]]]
    """


def test_published_nested_stack_reads_the_local_copy_with_its_parameters(tmp_path):
    _write(tmp_path, {"master.yaml": MASTER, "infrastructure/network.yaml": NETWORK,
                      "infrastructure/hosts.yaml": HOSTS})
    report = scan([tmp_path])
    nodes = _graph(report)
    asg = nodes["Hosts.Group"]
    assert asg.call_sites and asg.get("vpc_zone_identifier") == [Ref("Network.PrivateA"), Ref("Network.PrivateB")]
    template = nodes["Hosts.Template"]
    assert template.get("launch_template_data.security_group_ids") == [Ref("Network.HostGroup")]
    # read through the master only: the nested templates are not also scanned alone
    assert "Group" not in nodes and "PrivateA" not in nodes
    notes = [d.message for d in report.diagnostics if "local copy" in d.message]
    assert len(notes) == 2 and "infrastructure/hosts.yaml" in " ".join(notes)


def test_published_nested_stack_is_only_looked_for_under_the_parents_folder(tmp_path):
    _write(tmp_path, {
        "stacks/master.yaml": """\
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Outside:
                Type: AWS::CloudFormation::Stack
                Properties:
                  TemplateURL: https://example.com/bucket/../../outside.yaml
            """,
        "outside.yaml": NETWORK,
    })
    report = scan([tmp_path / "stacks"])
    assert [r.address for r in report.graph.resources()] == ["Outside"]

"""Rule precision (issue 14): cases the rule fixtures cannot isolate, because a fixture
folder is one Terraform root whose other resources would decide the result too."""
from __future__ import annotations

import textwrap

from testenv import scan


def _write(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return tmp_path


def results(tmp_path, files, rule_id, *, profile="production", unknown=False):
    report = scan([_write(tmp_path, files)], select=[rule_id], profile=profile)
    assert not report.internal_errors, report.internal_errors
    return [r for r in (report.unknowns if unknown else report.results) if r.rule.id == rule_id]


# -- WAL-BAK-003: Object Lock implies versioning ------------------------------------------

def test_object_lock_from_a_variable_makes_versioning_unknown(tmp_path):
    files = {"main.tf": '''
        variable "lock" {
          type = bool
        }
        resource "aws_s3_bucket" "archive" {
          bucket              = "example-archive"
          object_lock_enabled = var.lock
        }
    '''}
    assert results(tmp_path, files, "WAL-BAK-003") == []
    notes = results(tmp_path, files, "WAL-BAK-003", unknown=True)
    assert [n.location.line for n in notes] == [6]
    assert "Object Lock" in notes[0].message


def test_object_lock_off_leaves_the_bucket_unversioned(tmp_path):
    files = {"main.tf": '''
        resource "aws_s3_bucket" "archive" {
          bucket              = "example-archive"
          object_lock_enabled = false
        }
    '''}
    assert len(results(tmp_path, files, "WAL-BAK-003")) == 1


# -- WAL-NET-004: edge hosts (api.edge_role) ----------------------------------------------

EDGE_ASG = '''
    resource "aws_vpc" "v" {
      cidr_block = "10.0.0.0/16"
    }
    resource "aws_internet_gateway" "g" {
      vpc_id = aws_vpc.v.id
    }
    resource "aws_subnet" "pub" {
      vpc_id            = aws_vpc.v.id
      cidr_block        = "10.0.0.0/24"
      availability_zone = "eu-west-1a"
    }
    resource "aws_route_table" "pub" {
      vpc_id = aws_vpc.v.id
      route {
        cidr_block = "0.0.0.0/0"
        gateway_id = aws_internet_gateway.g.id
      }
    }
    resource "aws_route_table_association" "pub" {
      subnet_id      = aws_subnet.pub.id
      route_table_id = aws_route_table.pub.id
    }
    resource "aws_security_group" "host" {
      vpc_id = aws_vpc.v.id
      %s
    }
    resource "aws_launch_template" "host" {
      image_id = "ami-0a1b2c3d4e5f60001"
      network_interfaces {
        security_groups = [aws_security_group.host.id]
      }
    }
    resource "aws_autoscaling_group" "host" {
      min_size            = 1
      max_size            = 1
      vpc_zone_identifier = [aws_subnet.pub.id]
      launch_template {
        id = aws_launch_template.host.id
      }
    }
'''


def _rule(direction, proto, port, cidr):
    return (f'{direction} {{\n from_port = {port}\n to_port = {port}\n protocol = "{proto}"\n'
            f' cidr_blocks = ["{cidr}"]\n }}\n')


def test_vpn_server_is_an_edge_host(tmp_path):
    rules = _rule("ingress", "udp", 1194, "0.0.0.0/0") + _rule("ingress", "udp", 51820, "0.0.0.0/0")
    assert results(tmp_path, {"main.tf": EDGE_ASG % rules}, "WAL-NET-004") == []


def test_forwarder_that_cannot_reach_the_internet_is_not_a_nat_instance(tmp_path):
    # admits all traffic from the VPC, but egress reaches only the VPC: not a NAT
    rules = _rule("ingress", "-1", 0, "10.0.0.0/16") + _rule("egress", "-1", 0, "10.0.0.0/16")
    got = results(tmp_path, {"main.tf": EDGE_ASG % rules}, "WAL-NET-004")
    assert len(got) == 1 and "runs in public subnet" in got[0].message


def test_nat_forwarder_with_matching_egress_is_an_edge_host(tmp_path):
    rules = _rule("ingress", "tcp", 443, "10.0.0.0/16") + _rule("egress", "tcp", 443, "0.0.0.0/0")
    assert results(tmp_path, {"main.tf": EDGE_ASG % rules}, "WAL-NET-004") == []


# -- WAL-SG-005: a load balancer's broad egress is a note outside regulated ----------------

LB_AND_CACHE = '''
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      LbSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: ALB, default egress
          VpcId: vpc-0a1b2c3d4e5f60001
      LoadBalancer:
        Type: AWS::ElasticLoadBalancingV2::LoadBalancer
        Properties:
          Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
          SecurityGroups: [!Ref LbSecurityGroup]
      CacheSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Redis, default egress
          VpcId: vpc-0a1b2c3d4e5f60001
      Cache:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties:
          ReplicationGroupDescription: sessions
          Engine: redis
          CacheNodeType: cache.t3.micro
          NumCacheClusters: 2
          SecurityGroupIds: [!Ref CacheSecurityGroup]
'''


def test_sg005_levels_lb_and_data_tier(tmp_path):
    def levels(profile):
        got = results(tmp_path, {"t.yaml": LB_AND_CACHE}, "WAL-SG-005", profile=profile)
        return sorted((r.location.address, r.level) for r in got)
    assert levels("production") == [("CacheSecurityGroup", "warning"), ("LbSecurityGroup", "note")]
    assert levels("regulated") == [("CacheSecurityGroup", "error"), ("LbSecurityGroup", "error")]


# -- WAL-COST-001: a warning for log, backup and data buckets, a note for the others -------

def test_cost001_level_follows_the_bucket_role(tmp_path):
    files = {"main.tf": '''
        resource "aws_s3_bucket" "audit_logs" {
          bucket = "example-audit-logs"
        }
        resource "aws_s3_bucket" "site" {
          bucket = "example-website-assets"
        }
    '''}
    for profile in ("production", "regulated"):
        got = results(tmp_path, files, "WAL-COST-001", profile=profile)
        assert sorted((r.location.address, r.level) for r in got) == [
            ("aws_s3_bucket.audit_logs", "warning"), ("aws_s3_bucket.site", "note")]
    got = results(tmp_path, files, "WAL-COST-001", profile="mvp")
    assert [(r.location.address, r.level) for r in got] == [("aws_s3_bucket.audit_logs", "note")]


def test_app_server_with_one_port_from_the_vpc_is_not_a_nat_instance(tmp_path):
    rules = _rule("ingress", "tcp", 8080, "10.0.0.0/16") + _rule("egress", "-1", 0, "0.0.0.0/0")
    got = results(tmp_path, {"main.tf": EDGE_ASG % rules}, "WAL-NET-004")
    assert len(got) == 1 and "runs in public subnet" in got[0].message


def test_aws_config_delivery_bucket_is_an_audit_bucket(tmp_path):
    files = {"main.tf": '''
        resource "aws_s3_bucket" "history" {
          bucket = "example-history"
        }
        resource "aws_config_delivery_channel" "main" {
          name           = "main"
          s3_bucket_name = aws_s3_bucket.history.bucket
        }
    '''}
    got = results(tmp_path, files, "WAL-COST-001")
    assert [(r.location.address, r.level) for r in got] == [("aws_s3_bucket.history", "warning")]


def test_a_vpn_port_makes_a_vpn_server_whatever_else_it_admits(tmp_path):
    # SoftEther: IKE and NAT traversal beside 443 from the world
    rules = (_rule("ingress", "tcp", 443, "0.0.0.0/0") + _rule("ingress", "udp", 500, "0.0.0.0/0")
             + _rule("ingress", "udp", 4500, "0.0.0.0/0"))
    assert results(tmp_path, {"main.tf": EDGE_ASG % rules}, "WAL-NET-004") == []
    rules = _rule("ingress", "tcp", 443, "0.0.0.0/0") + _rule("ingress", "tcp", 22, "0.0.0.0/0")
    got = results(tmp_path, {"main.tf": EDGE_ASG % rules}, "WAL-NET-004")
    assert len(got) == 1 and "runs in public subnet" in got[0].message


NAT_FROM_UNRESOLVED_RANGE = '''
    variable "vpc_cidr" {
      type = string
    }
''' + EDGE_ASG


def test_a_forwarder_of_an_unresolved_range_may_be_a_nat_instance(tmp_path):
    ingress = (_rule("ingress", "tcp", 443, "VPC") + _rule("ingress", "udp", 123, "VPC")).replace(
        '"VPC"', "var.vpc_cidr")
    mirrored = ingress + _rule("egress", "tcp", 443, "0.0.0.0/0") + _rule("egress", "udp", 123, "0.0.0.0/0")
    files = {"main.tf": NAT_FROM_UNRESOLVED_RANGE % mirrored}
    assert results(tmp_path, files, "WAL-NET-004") == []
    assert len(results(tmp_path, files, "WAL-NET-004", unknown=True)) == 1
    # not mirrored: an application server reached from somewhere walint cannot resolve
    files = {"main.tf": NAT_FROM_UNRESOLVED_RANGE % (ingress + _rule("egress", "-1", 0, "0.0.0.0/0"))}
    assert len(results(tmp_path, files, "WAL-NET-004")) == 1


NAT_INSTANCE_CFN = '''
    Parameters:
      ParentVPCStack:
        Type: String
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16}
      Igw:
        Type: AWS::EC2::InternetGateway
      IgwAttachment:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
      Public:
        Type: AWS::EC2::Subnet
        Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: eu-west-1a}
      PublicRoutes:
        Type: AWS::EC2::RouteTable
        Properties: {VpcId: !Ref Vpc}
      DefaultRoute:
        Type: AWS::EC2::Route
        Properties: {RouteTableId: !Ref PublicRoutes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
      PublicAssociation:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties: {SubnetId: !Ref Public, RouteTableId: !Ref PublicRoutes}
      NatGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: NAT instance
          VpcId: !Ref Vpc
          SecurityGroupIngress:
            - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: {"Fn::ImportValue": !Sub "${ParentVPCStack}-CidrBlock"}}
          SecurityGroupEgress:
            - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
      NatTemplate:
        Type: AWS::EC2::LaunchTemplate
        Properties:
          LaunchTemplateData:
            ImageId: ami-0a1b2c3d4e5f60001
            NetworkInterfaces:
              - {DeviceIndex: 0, AssociatePublicIpAddress: true, Groups: [!Ref NatGroup]}
      NatGroupOfOne:
        Type: AWS::AutoScaling::AutoScalingGroup
        Properties:
          MinSize: "1"
          MaxSize: "1"
          VPCZoneIdentifier: [!Ref Public]
          LaunchTemplate: {LaunchTemplateId: !Ref NatTemplate, Version: "1"}
'''


def test_a_nat_instance_whose_vpc_range_is_imported_is_not_reported_as_the_app_tier(tmp_path):
    files = {"t.yaml": NAT_INSTANCE_CFN}
    assert results(tmp_path, files, "WAL-NET-004") == []
    assert len(results(tmp_path, files, "WAL-NET-004", unknown=True)) == 1


# -- WAL-LOG-001: a flow-log stack that imports its VPC ------------------------------------

VPC_STACK = '''
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16}
    Outputs:
      VpcId:
        Value: !Ref Vpc
        EXPORT
'''

FLOW_LOG_STACK = '''
    Parameters:
      ParentVPCStack:
        Type: String
    Resources:
      FlowLog:
        Type: AWS::EC2::FlowLog
        Properties:
          ResourceId: {"Fn::ImportValue": !Sub "${ParentVPCStack}-VPC"}
          ResourceType: VPC
          TrafficType: ALL
          LogDestinationType: s3
          LogDestination: arn:aws:s3:::flow-logs
'''


def test_a_flow_log_stack_that_imports_its_vpc_may_record_an_exported_vpc(tmp_path):
    exported = VPC_STACK.replace("EXPORT", 'Export: {Name: !Sub "${AWS::StackName}-VPC"}')
    files = {"vpc.yaml": exported, "flow-logs.yaml": FLOW_LOG_STACK}
    assert results(tmp_path, files, "WAL-LOG-001") == []
    assert len(results(tmp_path, files, "WAL-LOG-001", unknown=True)) == 1
    # a VPC no other stack can import keeps its finding
    files = {"vpc.yaml": VPC_STACK.replace("EXPORT", ""), "flow-logs.yaml": FLOW_LOG_STACK}
    assert len(results(tmp_path, files, "WAL-LOG-001")) == 1

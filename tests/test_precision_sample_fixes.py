"""Findings the precision sample (docs/precision.md) judged debatable, fixed as a class."""
from __future__ import annotations

import json
import subprocess
import sys


def _findings(folder, *args):
    out = subprocess.run([sys.executable, "-m", "walint", "scan", ".", "--format", "json", "--show-unknown",
                          *args], capture_output=True, text=True, cwd=folder)
    return [(f["rule"], f["address"], f["severity"]) for f in json.loads(out.stdout)["findings"]]


REPLICA = """Resources:
  Source:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: mysql, DBInstanceClass: db.t3.micro, AllocatedStorage: "20"}
  Replica:
    Type: AWS::RDS::DBInstance
    Properties: {SourceDBInstanceIdentifier: !Ref Source, DBInstanceClass: db.t3.micro}
  Outside:
    Type: AWS::RDS::DBInstance
    Properties: {SourceDBInstanceIdentifier: arn:aws:rds:eu-west-1:1:db:other, DBInstanceClass: db.t3.micro}
"""


def test_a_read_replica_is_reported_through_its_source(tmp_path):
    (tmp_path / "t.yaml").write_text(REPLICA)
    got = [f for f in _findings(tmp_path, "--select", "WAL-ENC-001") if f[0] == "WAL-ENC-001"]
    assert ("WAL-ENC-001", "Source", "error") in got
    assert not [f for f in got if f[1] == "Replica"]                 # one fix, one finding
    assert ("WAL-ENC-001", "Outside", "note") in got                 # source not scanned: unknown


ECS_AGENT = """Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}
      Policies:
        - PolicyName: ecs-agent
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [ecs:CreateCluster, ecs:DeregisterContainerInstance, ecs:DiscoverPollEndpoint,
                         ecs:Poll, ecs:RegisterContainerInstance, ecs:StartTelemetrySession,
                         ecs:SubmitTaskStateChange]
                Resource: "*"
              - Effect: Allow
                Action: [ecs:UpdateService]
                Resource: "*"
"""


def test_the_ecs_container_agents_own_writes_are_not_wildcard_grants(tmp_path):
    (tmp_path / "t.yaml").write_text(ECS_AGENT)
    got = [f for f in _findings(tmp_path, "--select", "WAL-IAM-003") if f[0] == "WAL-IAM-003"]
    assert len(got) == 1 and got[0][2] == "warning"                  # ecs:UpdateService only


CLASSIC_ELB = """Resources:
  LbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}]
  Elb:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      AvailabilityZones: [eu-west-1a, eu-west-1b]
      SecurityGroups: [!GetAtt LbGroup.GroupId]
      Listeners: [{LoadBalancerPort: "80", InstancePort: "80", Protocol: HTTP}]
"""

CLASSIC_ELB_TF = """resource "aws_security_group" "lb" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_elb" "web" {
  availability_zones = ["eu-west-1a", "eu-west-1b"]
  security_groups    = [aws_security_group.lb.id]
  listener {
    lb_port           = 443
    lb_protocol       = "https"
    instance_port     = 80
    instance_protocol = "http"
  }
}
"""


def test_a_classic_load_balancers_group_may_admit_the_internet_on_80_and_443(tmp_path):
    (tmp_path / "t.yaml").write_text(CLASSIC_ELB)
    (tmp_path / "main.tf").write_text(CLASSIC_ELB_TF)
    assert not [f for f in _findings(tmp_path, "--select", "WAL-SG-002") if f[0] == "WAL-SG-002"]
    (tmp_path / "t.yaml").write_text(CLASSIC_ELB.replace("Type: AWS::ElasticLoadBalancing::LoadBalancer",
                                                         "Type: AWS::EC2::Instance"))
    assert ("WAL-SG-002", "LbGroup", "error") in _findings(tmp_path, "--select", "WAL-SG-002")

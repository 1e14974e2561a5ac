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
  ReplicaSaysNo:
    Type: AWS::RDS::DBInstance
    Properties: {SourceDBInstanceIdentifier: !Ref Source, DBInstanceClass: db.t3.micro, StorageEncrypted: false}
  Outside:
    Type: AWS::RDS::DBInstance
    Properties: {SourceDBInstanceIdentifier: arn:aws:rds:eu-west-1:1:db:other, DBInstanceClass: db.t3.micro}
"""


def test_a_read_replica_is_reported_through_its_source(tmp_path):
    (tmp_path / "t.yaml").write_text(REPLICA)
    got = [f for f in _findings(tmp_path, "--select", "WAL-ENC-001") if f[0] == "WAL-ENC-001"]
    assert ("WAL-ENC-001", "Source", "error") in got
    assert not [f for f in got if f[1] in ("Replica", "ReplicaSaysNo")]  # one fix, one finding
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


DEPLOY_TIME = """Resources:
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties: {ReplicationGroupDescription: c, Engine: redis, CacheNodeType: cache.t3.micro}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/fn
      Code: {ZipFile: "CODE"}
  Trigger:
    Type: Custom::Trigger
    Properties: PROPS
"""


def _deploy_time(tmp_path, code, props):
    text = DEPLOY_TIME.replace("CODE", code).replace("PROPS", props)
    (tmp_path / "t.yaml").write_text(text)
    return {(rule, level) for rule, address, level in
            _findings(tmp_path, "--select", "WAL-BAK-001,WAL-ENC-003") if address == "Cache"}


def test_a_setting_a_deploy_time_function_is_given_a_value_for_is_unknown(tmp_path):
    got = _deploy_time(tmp_path, "pass", "{ServiceToken: !GetAtt Fn.Arn, Id: !Ref Cache, SSRetentionLimit: 7}")
    assert ("WAL-BAK-001", "note") in got                            # it may set the retention
    assert ("WAL-ENC-003", "error") in got                           # nothing said of encryption


def test_a_setting_the_functions_inline_code_names_is_unknown(tmp_path):
    got = _deploy_time(tmp_path, "modify_replication_group(SnapshotRetentionLimit=7)",
                       "{ServiceToken: !GetAtt Fn.Arn, Id: !Ref Cache}")
    assert ("WAL-BAK-001", "note") in got and ("WAL-ENC-003", "error") in got


def test_a_deploy_time_function_that_only_receives_the_resource_changes_nothing(tmp_path):
    got = _deploy_time(tmp_path, "describe_replication_groups()",
                       "{ServiceToken: !GetAtt Fn.Arn, Id: !Ref Cache, Limit: 7}")
    assert ("WAL-BAK-001", "error") in got
    # a value for the setting, but the resource is not handed over
    got = _deploy_time(tmp_path, "pass", "{ServiceToken: !GetAtt Fn.Arn, SnapshotRetentionLimit: 7}")
    assert ("WAL-BAK-001", "error") in got


INVOCATION_TF = """
resource "aws_elasticache_replication_group" "cache" {
  replication_group_id = "cache"
  description          = "cache"
  engine               = "redis"
  node_type            = "cache.t3.micro"
}

resource "aws_lambda_invocation" "tune" {
  function_name = "tune"
  input         = jsonencode({ GroupId = aws_elasticache_replication_group.cache.id, NAME = 7 })
}
"""


def test_a_lambda_invocation_reads_like_a_custom_resource(tmp_path):
    (tmp_path / "main.tf").write_text(INVOCATION_TF.replace("NAME", "SnapshotRetentionLimit"))
    got = _findings(tmp_path, "--select", "WAL-BAK-001")
    assert [level for _, _, level in got] == ["note"]
    (tmp_path / "main.tf").write_text(INVOCATION_TF.replace("NAME", "NodeCount"))
    got = _findings(tmp_path, "--select", "WAL-BAK-001")
    assert [level for _, _, level in got] == ["error"]


def test_a_group_with_only_private_addresses_behind_it_is_not_open_to_the_internet():
    from testenv import FIXTURES
    got = _findings(FIXTURES / "WAL-SG-002" / "fail", "--select", "WAL-SG-002")
    endpoint = [f for f in got if "ndpoint" in f[1]]
    assert len(endpoint) == 2 and {f[2] for f in endpoint} == {"warning"}   # both formats
    assert {f[2] for f in got if f not in endpoint} == {"error"}


ICMP_CFN = """Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: vpc-1
      SecurityGroupIngress:
        - {IpProtocol: icmp, FromPort: 8, ToPort: -1, CidrIp: 0.0.0.0/0}
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
  Server:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, InstanceType: t3.micro, SecurityGroupIds: [!Ref Web]}
"""

ICMP_TF = """
resource "aws_security_group" "web" {
  vpc_id = "vpc-1"
  ingress {
    protocol    = "icmp"
    from_port   = 8
    to_port     = -1
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "server" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.web.id]
}
"""


def test_icmp_from_the_internet_is_a_warning_an_open_port_an_error(tmp_path):
    (tmp_path / "t.yaml").write_text(ICMP_CFN)
    (tmp_path / "main.tf").write_text(ICMP_TF)
    got = sorted(level for rule, _, level in _findings(tmp_path, "--select", "WAL-SG-002"))
    assert got == ["error", "warning", "warning"]                  # 443 on the instance; icmp twice


LB_ALL_CFN = """Resources:
  LbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: lb
      VpcId: vpc-1
      SecurityGroupIngress: [{IpProtocol: "-1", CidrIp: 0.0.0.0/0}]
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [subnet-1, subnet-2], SecurityGroups: [!Ref LbGroup]}
  HostGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: host
      VpcId: vpc-1
      SecurityGroupIngress: [{IpProtocol: "-1", CidrIp: 0.0.0.0/0}]
  Host:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, InstanceType: t3.micro, SecurityGroupIds: [!Ref HostGroup, !Ref LbGroup]}
"""

LB_ALL_TF = """
resource "aws_security_group" "lb" {
  vpc_id = "vpc-1"
  ingress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lb" "public" {
  subnets         = ["subnet-1", "subnet-2"]
  security_groups = [aws_security_group.lb.id]
}
"""


def test_all_traffic_on_a_group_only_load_balancers_use_is_a_warning(tmp_path):
    (tmp_path / "main.tf").write_text(LB_ALL_TF)
    assert [level for *_, level in _findings(tmp_path, "--select", "WAL-SG-001")] == ["warning"]
    (tmp_path / "main.tf").unlink()
    (tmp_path / "t.yaml").write_text(LB_ALL_CFN)
    # the instance uses the load balancer's group too, so all its ports are open: an error
    assert sorted(level for *_, level in _findings(tmp_path, "--select", "WAL-SG-001")) == ["error", "error"]
    (tmp_path / "t.yaml").write_text(LB_ALL_CFN.replace(", !Ref LbGroup]", "]"))
    got = {address: level for _, address, level in _findings(tmp_path, "--select", "WAL-SG-001")}
    assert got == {"LbGroup": "warning", "HostGroup": "error"}


SERVICE_ROLE_CFN = """Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: [PRINCIPAL]}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: service
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [ec2:CreateNetworkInterface, ec2:DeleteNetworkInterface, ec2:Describe*,
                         elasticloadbalancing:RegisterTargets, elasticloadbalancing:DeregisterTargets]
                Resource: "*"
"""

SERVICE_ROLE_TF = """
resource "aws_iam_role" "service" {
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "PRINCIPAL" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "service" {
  role = aws_iam_role.service.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Resource = "*",
                   Action = ["ecs:UpdateService", "cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms"] }]
  })
}
"""


def test_a_service_roles_documented_writes_are_not_reported_on_anyone_elses_role(tmp_path):
    (tmp_path / "t.yaml").write_text(SERVICE_ROLE_CFN.replace("PRINCIPAL", "ecs.amazonaws.com"))
    (tmp_path / "main.tf").write_text(SERVICE_ROLE_TF.replace("PRINCIPAL", "application-autoscaling.amazonaws.com"))
    assert _findings(tmp_path, "--select", "WAL-IAM-003") == []
    # the same statements on a role an instance or another service assumes are reported
    (tmp_path / "t.yaml").write_text(SERVICE_ROLE_CFN.replace("PRINCIPAL", "ec2.amazonaws.com"))
    (tmp_path / "main.tf").write_text(SERVICE_ROLE_TF.replace("PRINCIPAL", "ecs.amazonaws.com"))
    got = _findings(tmp_path, "--select", "WAL-IAM-003")
    assert sorted(address for _, address, _ in got) == ["Role", "aws_iam_role_policy.service"]


CONDITIONAL_SSH = """Parameters:
  ParentBastionStack:
    Type: String
    Default: ""
Conditions:
  HasNoBastion: !Equals [!Ref ParentBastionStack, ""]
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: host, VpcId: vpc-1}
  SshFromTheWorld:
    Type: AWS::EC2::SecurityGroupIngress
    Condition: HasNoBastion
    Properties: {GroupId: !Ref Group, IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
"""


def test_a_resource_that_exists_by_a_parameters_default_says_which_input_removes_it(tmp_path):
    (tmp_path / "t.yaml").write_text(CONDITIONAL_SSH)
    out = subprocess.run([sys.executable, "-m", "walint", "scan", ".", "--format", "json",
                          "--select", "WAL-SG-001"], capture_output=True, text=True, cwd=tmp_path)
    [finding] = json.loads(out.stdout)["findings"]
    assert finding["message"].endswith(
        ". It exists because condition HasNoBastion holds with the default of parameter "
        "ParentBastionStack (--param ParentBastionStack=VALUE changes it)")
    assert _findings(tmp_path, "--select", "WAL-SG-001", "--param", "ParentBastionStack=bastion") == []


ADMIN_BY_DEFAULT = """Parameters:
  ManagedPolicyArns:
    Type: String
    Default: arn:aws:iam::aws:policy/AdministratorAccess
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: !Split [",", !Ref ManagedPolicyArns]
"""


def test_a_parameter_default_inside_another_function_is_named(tmp_path):
    (tmp_path / "t.yaml").write_text(ADMIN_BY_DEFAULT)
    out = subprocess.run([sys.executable, "-m", "walint", "scan", ".", "--format", "json",
                          "--select", "WAL-IAM-001"], capture_output=True, text=True, cwd=tmp_path)
    [finding] = json.loads(out.stdout)["findings"]
    assert finding["message"].endswith("It comes from the default of parameter ManagedPolicyArns: "
                                       "--param ManagedPolicyArns=VALUE changes it")


LAMBDA_SG_CFN = """Resources:
  FunctionGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: function
      VpcId: vpc-1
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 0, ToPort: 65535, CidrIp: 0.0.0.0/0}]
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/fn
      Code: {ZipFile: "def handler(e, c): pass"}
      VpcConfig: {SecurityGroupIds: [!Ref FunctionGroup], SubnetIds: [subnet-1]}
"""

LAMBDA_SG_TF = """
resource "aws_security_group" "function" {
  vpc_id = "vpc-1"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lambda_function" "function" {
  function_name = "f"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "f.zip"
  vpc_config {
    subnet_ids         = ["subnet-1"]
    security_group_ids = [aws_security_group.function.id]
  }
}
"""


def test_admin_ports_on_a_group_with_only_private_addresses_behind_it_are_a_warning(tmp_path):
    (tmp_path / "t.yaml").write_text(LAMBDA_SG_CFN)
    (tmp_path / "main.tf").write_text(LAMBDA_SG_TF)
    got = _findings(tmp_path, "--select", "WAL-SG-001")
    assert sorted(level for *_, level in got) == ["warning", "warning"]
    # the same group on an instance, which can hold a public address: an error
    (tmp_path / "main.tf").unlink()
    (tmp_path / "t.yaml").write_text(LAMBDA_SG_CFN + """  Host:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, InstanceType: t3.micro, SecurityGroupIds: [!Ref FunctionGroup]}
""")
    assert [level for *_, level in _findings(tmp_path, "--select", "WAL-SG-001")] == ["error"]

"""Security-group model (walint.model.security_groups) and the WAL-SG rules, on small
templates and modules written by the tests themselves."""
from __future__ import annotations

import textwrap

import pytest

from walint.model import security_groups as sgm
from walint.model.security_groups import (EGRESS, INGRESS, Cidr, PrefixList, Sg,
                                          UnknownSource)


def scan(paths, **kwargs):
    from walint.engine.run import ScanOptions, scan as run_scan

    return run_scan([str(p) for p in paths], ScanOptions(**kwargs))


def _write(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return tmp_path


def graph_of(tmp_path, files, **options):
    report = scan([_write(tmp_path, files)], select=["WAL-SG"], **options)
    assert not report.internal_errors, report.internal_errors
    return report.graph


def findings(tmp_path, files, rule_id, *, profile="production", unknown=False, **options):
    report = scan([_write(tmp_path, files)], select=[rule_id], profile=profile, **options)
    assert not report.internal_errors, report.internal_errors
    results = report.unknowns if unknown else report.results
    return [r for r in results if r.rule.id == rule_id]


def res(graph, address):
    for r in graph.resources():
        if r.address == address:
            return r
    raise KeyError(address)


def lines(results):
    return sorted((r.location.file.rsplit("/", 1)[-1], r.location.line) for r in results)


# ------------------------------------------------------------------------------------------
# The foundation's chain: internet -> ALB 80/443 -> app 8080 -> PostgreSQL 5432 / Redis 6379
# ------------------------------------------------------------------------------------------

FOUNDATION_TF = '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet("10.0.0.0/16", 8, count.index)
  availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
}

resource "aws_subnet" "app" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet("10.0.0.0/16", 8, 10 + count.index)
  availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
}

resource "aws_subnet" "data" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet("10.0.0.0/16", 8, 20 + count.index)
  availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
}

resource "aws_security_group" "alb" {
  name   = "alb"
  vpc_id = aws_vpc.main.id

  ingress {
    from_port        = 80
    to_port          = 80
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  ingress {
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = aws_vpc.main.id

  ingress {
    from_port = 0
    to_port   = 0
    protocol  = "-1"
    self      = true
  }

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "db" {
  name   = "db"
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group" "cache" {
  name   = "cache"
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

resource "aws_vpc_security_group_egress_rule" "app_to_db" {
  security_group_id            = aws_security_group.app.id
  referenced_security_group_id = aws_security_group.db.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_egress_rule" "app_to_cache" {
  security_group_id            = aws_security_group.app.id
  referenced_security_group_id = aws_security_group.cache.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_security_group_rule" "cache_from_app" {
  type                     = "ingress"
  security_group_id        = aws_security_group.cache.id
  source_security_group_id = aws_security_group.app.id
  protocol                 = "tcp"
  from_port                = 6379
  to_port                  = 6379
}

resource "aws_lb" "main" {
  name               = "main"
  load_balancer_type = "application"
  subnets            = aws_subnet.public[*].id
  security_groups    = [aws_security_group.alb.id]
}

resource "aws_lb_target_group" "app" {
  name        = "app"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.main.id
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_ecs_service" "api" {
  name            = "api"
  cluster         = "main"
  task_definition = "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:1"
  launch_type     = "FARGATE"
  desired_count   = 2

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = "api"
    container_port   = 8080
  }

  network_configuration {
    subnets         = aws_subnet.app[*].id
    security_groups = [aws_security_group.app.id]
  }
}

resource "aws_db_subnet_group" "data" {
  name       = "data"
  subnet_ids = aws_subnet.data[*].id
}

resource "aws_db_instance" "main" {
  engine                      = "postgres"
  instance_class              = "db.t3.micro"
  allocated_storage           = 20
  username                    = "app"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.data.name
  vpc_security_group_ids      = [aws_security_group.db.id]
}

resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id = "sessions"
  description          = "sessions"
  engine               = "redis"
  node_type            = "cache.t4g.micro"
  num_cache_clusters   = 2
  security_group_ids   = [aws_security_group.cache.id]
}
'''

FOUNDATION_CFN = '''
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  AppSubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.10.0/24
      AvailabilityZone: !Select [0, !GetAZs ""]
  DataSubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.20.0/24
      AvailabilityZone: !Select [0, !GetAZs ""]
  LoadBalancerSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Public load balancer
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          CidrIp: 0.0.0.0/0
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
      SecurityGroupEgress:
        - IpProtocol: tcp
          FromPort: 8080
          ToPort: 8080
          DestinationSecurityGroupId: !Ref AppSecurityGroup
  AppSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Application tier
      VpcId: !Ref Vpc
      SecurityGroupEgress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
  AppFromLoadBalancer:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref AppSecurityGroup
      IpProtocol: tcp
      FromPort: 8080
      ToPort: 8080
      SourceSecurityGroupId: !Ref LoadBalancerSecurityGroup
  AppFromItself:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref AppSecurityGroup
      IpProtocol: "-1"
      SourceSecurityGroupId: !GetAtt AppSecurityGroup.GroupId
  AppToDatabase:
    Type: AWS::EC2::SecurityGroupEgress
    Properties:
      GroupId: !Ref AppSecurityGroup
      IpProtocol: tcp
      FromPort: 5432
      ToPort: 5432
      DestinationSecurityGroupId: !Ref DatabaseSecurityGroup
  DatabaseSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: PostgreSQL
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 5432
          ToPort: 5432
          SourceSecurityGroupId: !Ref AppSecurityGroup
      SecurityGroupEgress:
        - IpProtocol: "-1"
          CidrIp: 127.0.0.1/32
  LoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
      SecurityGroups: [!Ref LoadBalancerSecurityGroup]
  TargetGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 8080
      Protocol: HTTP
      TargetType: ip
      VpcId: !Ref Vpc
  HttpsListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref LoadBalancer
      Port: 443
      Protocol: HTTPS
      Certificates:
        - CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/abc
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref TargetGroup
  Service:
    Type: AWS::ECS::Service
    DependsOn: HttpsListener
    Properties:
      Cluster: main
      TaskDefinition: arn:aws:ecs:eu-west-1:123456789012:task-definition/api:1
      LaunchType: FARGATE
      DesiredCount: 2
      LoadBalancers:
        - TargetGroupArn: !Ref TargetGroup
          ContainerName: api
          ContainerPort: 8080
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets: [!Ref AppSubnetA]
          SecurityGroups: [!Ref AppSecurityGroup]
  DatabaseSubnetGroup:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: data
      SubnetIds: [!Ref DataSubnetA]
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      MasterUsername: app
      ManageMasterUserPassword: true
      DBSubnetGroupName: !Ref DatabaseSubnetGroup
      VPCSecurityGroups: [!Ref DatabaseSecurityGroup]
'''


@pytest.mark.parametrize("name,text", [("main.tf", FOUNDATION_TF), ("stack.yaml", FOUNDATION_CFN)])
def test_foundation_chain_gives_no_sg_finding(tmp_path, name, text):
    report = scan([_write(tmp_path, {name: text})], select=["WAL-SG"], profile="production")
    assert not report.internal_errors, report.internal_errors
    assert [(r.rule.id, r.location.line, r.message) for r in report.results] == []


def test_foundation_tf_model(tmp_path):
    g = graph_of(tmp_path, {"main.tf": FOUNDATION_TF})
    alb, app, db, cache = (res(g, f"aws_security_group.{n}") for n in ("alb", "app", "db", "cache"))
    assert sgm.roles(g, alb) == {"lb_sg"}
    assert sgm.roles(g, app) == {"app_sg"}
    assert sgm.roles(g, db) == {"data_sg"}
    assert sgm.roles(g, cache) == {"data_sg"}
    lb = res(g, "aws_lb.main")
    assert sgm.lb_internet_facing(lb) is True
    assert [a.resource.address for a in sgm.attached(g, db)] == ["aws_db_instance.main"]
    assert sgm.engine_ports(g, res(g, "aws_db_instance.main")) == 5432
    assert sgm.engine_ports(g, res(g, "aws_elasticache_replication_group.sessions")) == 6379

    # TF never adds the implicit egress; the db group has none
    assert list(sgm.effective_rules(g, db, EGRESS)) == []
    ingress = sgm.effective_rules(g, db, INGRESS)
    assert len(ingress) == 1 and ingress.complete
    r = ingress[0]
    assert (r.protocol, r.from_port, r.to_port) == ("tcp", 5432, 5432)
    assert isinstance(r.source, Sg) and r.source.node is app
    assert r.origin.address == "aws_vpc_security_group_ingress_rule.db_from_app"
    assert r.path == ("referenced_security_group_id",)

    # the self rule of the app group
    app_in = sgm.effective_rules(g, app, INGRESS)
    selfs = [x for x in app_in if isinstance(x.source, Sg) and x.source.self_ref]
    assert len(selfs) == 1 and selfs[0].is_all and selfs[0].port_range() == (0, 65535)
    assert selfs[0].path == ("ingress", 0, "self")

    chain = sgm.service_load_balancers(g, res(g, "aws_ecs_service.api"))
    assert chain.complete, chain.reasons
    assert chain.groups == [alb] and chain.ports == {8080}
    targets = sgm.lb_targets(g, lb)
    assert targets.complete, targets.reasons
    assert targets.groups == [app] and targets.ports == {8080}

    svc, dbi = res(g, "aws_ecs_service.api"), res(g, "aws_db_instance.main")
    assert sgm.can_reach(g, svc, dbi, 5432) is True
    assert sgm.can_reach(g, svc, dbi, 3306) is False
    assert sgm.can_reach(g, lb, svc, 8080) is True
    assert sgm.can_reach(g, dbi, svc, 8080) is False


def test_foundation_cfn_model(tmp_path):
    g = graph_of(tmp_path, {"stack.yaml": FOUNDATION_CFN})
    lbsg, app, db = (res(g, n) for n in ("LoadBalancerSecurityGroup", "AppSecurityGroup",
                                         "DatabaseSecurityGroup"))
    assert sgm.roles(g, lbsg) == {"lb_sg"}
    assert sgm.roles(g, app) == {"app_sg"}
    assert sgm.roles(g, db) == {"data_sg"}
    # an inline egress replaces the default: no implicit rule
    assert not any(r.implicit for r in sgm.effective_rules(g, app, EGRESS))
    # the self reference through GetAtt GroupId is recognised
    app_in = sgm.effective_rules(g, app, INGRESS)
    assert any(isinstance(r.source, Sg) and r.source.self_ref for r in app_in)
    db_out = sgm.effective_rules(g, db, EGRESS)
    assert len(db_out) == 1 and db_out[0].source.loopback
    chain = sgm.service_load_balancers(g, res(g, "Service"))
    assert chain.complete and chain.groups == [lbsg] and chain.ports == {8080}
    assert sgm.can_reach(g, res(g, "Service"), res(g, "Database"), 5432) is True
    assert sgm.can_reach(g, res(g, "Service"), res(g, "Database"), 6379) is False


# ------------------------------------------------------------------------------------------
# Rule collection and normalization
# ------------------------------------------------------------------------------------------

CFN_RULES = '''
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ClientCidr:
    Type: String
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      VpcId: vpc-0a1b2c3d4e5f60001
      SecurityGroupIngress:
        - IpProtocol: "6"
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
        - IpProtocol: "-1"
          CidrIpv6: ::/0
        - IpProtocol: icmp
          FromPort: 8
          ToPort: -1
          CidrIp: 10.0.0.0/8
        - IpProtocol: udp
          FromPort: 53
          ToPort: 53
          SourcePrefixListId: pl-0123456789abcdef0
        - IpProtocol: tcp
          FromPort: 5432
          ToPort: 5432
          CidrIp: !Ref ClientCidr
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          SourceSecurityGroupId: sg-0123456789abcdef0
  Standalone:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Group.GroupId
      IpProtocol: "17"
      FromPort: 1000
      ToPort: 2000
      CidrIp: 192.168.0.0/16
  Extra:
    Type: AWS::EC2::SecurityGroupEgress
    Properties:
      GroupId: !Ref Group
      IpProtocol: tcp
      FromPort: 443
      ToPort: 443
      CidrIp: 0.0.0.0/0
  Orphan:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-0fedcba9876543210
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: 0.0.0.0/0
'''


def test_cfn_rule_normalization(tmp_path):
    g = graph_of(tmp_path, {"t.yaml": CFN_RULES})
    group = res(g, "Group")
    rules = sgm.effective_rules(g, group, INGRESS)
    assert [r.protocol for r in rules] == ["tcp", "all", "icmp", "udp", "tcp", "tcp", "udp"]
    ssh, everything, icmp, pl, unknown, ext, standalone = rules
    assert ssh.port_range() == (22, 22) and ssh.source == Cidr("0.0.0.0/0") and ssh.source.internet
    assert ssh.path == ("security_group_ingress", 0, "cidr_ip")
    assert everything.port_range() == (0, 65535) and everything.source.internet
    assert icmp.port_range() is None and icmp.covers(8) is False and icmp.known
    assert isinstance(pl.source, PrefixList)
    assert isinstance(unknown.source, UnknownSource)
    assert isinstance(ext.source, Sg) and ext.source.node is None and "sg-0123" in ext.source.label()
    assert standalone.origin.address == "Standalone" and standalone.path == ("cidr_ip",)
    assert standalone.port_range() == (1000, 2000) and standalone.group is group

    egress = sgm.effective_rules(g, group, EGRESS)
    # no inline egress: the implicit default stays, the standalone egress adds to it
    implicit = [r for r in egress if r.implicit]
    assert sorted(r.source.value for r in implicit) == ["0.0.0.0/0", "::/0"]
    assert all(r.is_all for r in implicit)
    assert any(r.origin.address == "Extra" for r in egress)

    orphans = sgm.orphan_rules(g, INGRESS)
    assert [r.origin.address for r in orphans] == ["Orphan"] and orphans[0].group is None
    assert any(r.origin.address == "Orphan" for r in sgm.all_rules(g, INGRESS))


TF_RULES = '''
variable "admin_cidr" {
  type = string
}

variable "extra_rules" {
  type = list(number)
}

resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = "vpc-0a1b2c3d4e5f60001"

  ingress {
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["10.0.0.0/8", var.admin_cidr]
    ipv6_cidr_blocks = ["::/0"]
    security_groups  = [aws_security_group.other.id, "sg-0123456789abcdef0"]
    self             = true
    prefix_list_ids  = ["pl-0123456789abcdef0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "other" {
  name   = "other"
  vpc_id = "vpc-0a1b2c3d4e5f60001"

  dynamic "ingress" {
    for_each = var.extra_rules
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
    }
  }

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "6"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group_rule" "web_udp" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = "udp"
  from_port         = 53
  to_port           = 53
  cidr_blocks       = ["10.1.0.0/16", "10.2.0.0/16"]
}

resource "aws_security_group_rule" "web_out" {
  type                     = "egress"
  security_group_id        = aws_security_group.web.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = aws_security_group.other.id
}

resource "aws_vpc_security_group_ingress_rule" "web_all" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "-1"
  cidr_ipv6         = "fd00::/8"
}
'''


def test_tf_rule_expansion(tmp_path):
    g = graph_of(tmp_path, {"main.tf": TF_RULES})
    web, other = res(g, "aws_security_group.web"), res(g, "aws_security_group.other")
    rules = sgm.effective_rules(g, web, INGRESS)
    labels = [(r.path, r.source.label()) for r in rules]
    assert labels[:7] == [
        (("ingress", 0, "cidr_blocks"), "10.0.0.0/8"),
        (("ingress", 0, "cidr_blocks"), "an unknown source"),
        (("ingress", 0, "ipv6_cidr_blocks"), "::/0"),
        (("ingress", 0, "security_groups"), "aws_security_group.other"),
        (("ingress", 0, "security_groups"), "sg-0123456789abcdef0"),
        (("ingress", 0, "self"), "self"),
        (("ingress", 0, "prefix_list_ids"), "prefix list pl-0123456789abcdef0"),
    ]
    assert rules.complete
    standalone = rules[7:]
    assert [r.source.label() for r in standalone] == ["10.1.0.0/16", "10.2.0.0/16", "fd00::/8"]
    assert standalone[2].is_all and standalone[2].port_range() == (0, 65535)
    assert standalone[2].path == ("cidr_ipv6",)
    # keys keep two rules on one group distinct
    assert len({r.key for r in rules}) == len(rules)

    egress = sgm.effective_rules(g, web, EGRESS)
    assert [r.source.label() for r in egress] == ["0.0.0.0/0", "aws_security_group.other"]
    assert not any(r.implicit for r in egress)

    # a dynamic block over an unknown collection: the set is incomplete, the static rule stays
    other_in = sgm.effective_rules(g, other, INGRESS)
    assert not other_in.complete
    assert [(r.protocol, r.port_range()) for r in other_in] == [("tcp", (22, 22))]


def test_ports_predicates():
    r = sgm.SgRule(direction=INGRESS, protocol="tcp", from_port=5000, to_port=6000,
                   source=Cidr("10.0.0.0/8"), group=None, origin=None)
    assert r.covers(5432) is True and r.covers(22) is False
    assert r.intersects({22, 5432}) is True and r.ports_in({22, 5432, 5999}) == [5432, 5999]
    assert r.within({5432}) is False
    one = sgm.SgRule(direction=INGRESS, protocol="tcp", from_port=5432, to_port=5432,
                     source=Cidr("10.0.0.0/8"), group=None, origin=None)
    assert one.within({5432}) is True and one.within({80, 443}) is False
    unknown = sgm.SgRule(direction=INGRESS, protocol=None, from_port=None, to_port=None,
                         source=Cidr("0.0.0.0/0"), group=None, origin=None, ports_unknown=True)
    assert unknown.covers(22) is None and unknown.within({22}) is None
    assert sgm.normalize_protocol("-1") == "all" and sgm.normalize_protocol(-1) == "all"
    assert sgm.normalize_protocol("ALL") == "all" and sgm.normalize_protocol("6") == "tcp"
    assert sgm.normalize_protocol(17) == "udp" and sgm.normalize_protocol("1") == "icmp"
    assert sgm.normalize_protocol("50") == "50"
    assert Cidr("127.0.0.1/32").loopback and not Cidr("10.0.0.0/8").loopback
    assert Cidr("::/0").internet and not Cidr("0.0.0.0/1").internet
    assert Cidr("100.64.1.0/24").private and not Cidr("8.8.8.0/24").private


# ------------------------------------------------------------------------------------------
# Roles, attachments, engine ports
# ------------------------------------------------------------------------------------------

ROLES_TF = '''
resource "aws_security_group" "internal_lb" {
  name = "internal-lb"
}

resource "aws_security_group" "bastion" {
  name = "jump"
  tags = { Name = "bastion-host" }
}

resource "aws_security_group" "asg" {
  name = "asg"
}

resource "aws_security_group" "lt_only" {
  name = "lt-only"
}

resource "aws_security_group" "efs" {
  name = "efs"
}

resource "aws_security_group" "fn" {
  name = "fn"
}

resource "aws_lb" "internal" {
  internal        = true
  subnets         = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
  security_groups = [aws_security_group.internal_lb.id]
}

resource "aws_launch_template" "web" {
  image_id               = "ami-0a1b2c3d4e5f60001"
  vpc_security_group_ids = [aws_security_group.asg.id]
}

resource "aws_launch_template" "spare" {
  image_id = "ami-0a1b2c3d4e5f60001"
  network_interfaces {
    security_groups = [aws_security_group.lt_only.id]
  }
}

resource "aws_autoscaling_group" "web" {
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = ["subnet-0a1b2c3d4e5f60001"]
  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

resource "aws_efs_mount_target" "a" {
  file_system_id  = "fs-0123456789abcdef0"
  subnet_id       = "subnet-0a1b2c3d4e5f60001"
  security_groups = [aws_security_group.efs.id]
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::123456789012:role/fn"
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "fn.zip"
  vpc_config {
    subnet_ids         = ["subnet-0a1b2c3d4e5f60001"]
    security_group_ids = [aws_security_group.fn.id]
  }
}

resource "aws_rds_cluster" "aurora" {
  engine = "aurora-postgresql"
}

resource "aws_rds_cluster_instance" "aurora" {
  cluster_identifier = aws_rds_cluster.aurora.id
  instance_class     = "db.r6g.large"
}

resource "aws_db_instance" "mysql" {
  engine = "mysql"
}

resource "aws_db_instance" "custom_port" {
  engine = "postgres"
  port   = 6432
}

resource "aws_db_instance" "db2" {
  engine = "db2-se"
}

resource "aws_elasticache_cluster" "memcached" {
  engine = "memcached"
}
'''


def test_roles_and_engine_ports(tmp_path):
    g = graph_of(tmp_path, {"main.tf": ROLES_TF})
    role = lambda n: sgm.roles(g, res(g, f"aws_security_group.{n}"))  # noqa: E731
    assert role("internal_lb") == {"lb_sg"}
    assert sgm.lb_internet_facing(res(g, "aws_lb.internal")) is False
    assert role("bastion") == {"bastion_sg"}
    assert role("asg") == {"app_sg"}
    assert role("lt_only") == set()     # a launch template no ASG uses
    assert [a.via for a in sgm.attached(g, res(g, "aws_security_group.lt_only"))] == [
        "network_interfaces.security_groups"]
    assert role("efs") == {"data_sg"}
    assert role("fn") == {"app_sg"}
    port = lambda a: sgm.engine_ports(g, res(g, a))  # noqa: E731
    assert port("aws_efs_mount_target.a") == 2049
    assert port("aws_rds_cluster.aurora") == 5432
    assert port("aws_rds_cluster_instance.aurora") == 5432
    assert port("aws_db_instance.mysql") == 3306
    assert port("aws_db_instance.custom_port") == 6432
    assert isinstance(port("aws_db_instance.db2"), sgm.Unknown)
    assert port("aws_elasticache_cluster.memcached") == 11211


def test_cfn_lb_scheme_default(tmp_path):
    g = graph_of(tmp_path, {"t.yaml": '''
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Public:
            Type: AWS::ElasticLoadBalancingV2::LoadBalancer
            Properties:
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
          Internal:
            Type: AWS::ElasticLoadBalancingV2::LoadBalancer
            Properties:
              Scheme: internal
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
        '''})
    assert sgm.lb_internet_facing(res(g, "Public")) is True
    assert sgm.lb_internet_facing(res(g, "Internal")) is False


# ------------------------------------------------------------------------------------------
# The rules' documentation: every Example fires, every Fix passes
# ------------------------------------------------------------------------------------------

def _doc_cases():
    from walint import docs
    from walint_rules import RULES

    for rule in [r for r in RULES if r.id.startswith("WAL-SG-")]:
        sec = docs.sections(rule)
        for part in ("Example", "Fix"):
            blocks = docs.code_blocks(sec.get(part, ""))
            assert {lang for lang, _ in blocks} == {"yaml", "hcl"}, (rule.id, part)
            for lang, code in blocks:
                yield pytest.param(rule.id, part, lang, code, id=f"{rule.id}-{part}-{lang}")


@pytest.mark.parametrize("rule_id,part,lang,code", list(_doc_cases()))
def test_docstring_examples(tmp_path, rule_id, part, lang, code):
    name = "t.yaml" if lang == "yaml" else "main.tf"
    (tmp_path / name).write_text(code, encoding="utf-8")
    report = scan([tmp_path], select=[rule_id])
    assert not report.internal_errors
    assert not [r for r in report.results if r.rule.id == "WAL-PARSE-001"]
    got = [r.message for r in report.results if r.rule.id == rule_id]
    assert bool(got) == (part == "Example"), got


# ------------------------------------------------------------------------------------------
# The rules, case by case. `# fire` marks the line a finding must be anchored to.
# ------------------------------------------------------------------------------------------

def _check(tmp_path, rule_id, name, text, *, profile="production"):
    text = textwrap.dedent(text).lstrip()
    want = {(name, n) for n, line in enumerate(text.splitlines(), 1) if "# fire" in line}
    got = findings(tmp_path, {name: text}, rule_id, profile=profile)
    assert set(lines(got)) == want, [(r.location.line, r.message) for r in got]
    return got


def test_sg002_cases_tf(tmp_path):
    got = _check(tmp_path, "WAL-SG-002", "main.tf", '''
        resource "aws_security_group" "public_lb" {
          name = "public-lb"
          ingress {
            from_port   = 443
            to_port     = 443
            protocol    = "tcp"
            cidr_blocks = ["0.0.0.0/0"]
          }
          ingress {
            from_port   = 8443
            to_port     = 8443
            protocol    = "tcp"
            cidr_blocks = ["0.0.0.0/0"] # fire
          }
          ingress {
            from_port   = 80
            to_port     = 443
            protocol    = "tcp"
            cidr_blocks = ["10.0.0.0/8"]
          }
        }

        resource "aws_security_group" "internal_lb" {
          name = "internal-lb"
          ingress {
            from_port        = 443
            to_port          = 443
            protocol         = "tcp"
            ipv6_cidr_blocks = ["::/0"] # fire
          }
        }

        resource "aws_security_group" "app" {
          name = "app"
        }

        resource "aws_vpc_security_group_ingress_rule" "app_https" {
          security_group_id = aws_security_group.app.id
          ip_protocol       = "tcp"
          from_port         = 8443
          to_port           = 8443
          cidr_ipv4         = "0.0.0.0/0" # fire
        }

        resource "aws_security_group" "loose" {
          name = "loose"
        }

        resource "aws_security_group_rule" "loose_alt" {
          type              = "ingress"
          security_group_id = aws_security_group.loose.id
          protocol          = "tcp"
          from_port         = 8080
          to_port           = 8080
          cidr_blocks       = ["0.0.0.0/0"] # fire
        }

        resource "aws_security_group_rule" "loose_https" {
          type              = "ingress"
          security_group_id = aws_security_group.loose.id
          protocol          = "tcp"
          from_port         = 443
          to_port           = 443
          cidr_blocks       = ["0.0.0.0/0"]
        }

        resource "aws_lb" "public" {
          subnets         = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
          security_groups = [aws_security_group.public_lb.id]
        }

        resource "aws_lb" "internal" {
          internal        = true
          subnets         = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
          security_groups = [aws_security_group.internal_lb.id]
        }

        resource "aws_ecs_service" "app" {
          name            = "app"
          cluster         = "main"
          task_definition = "app:1"
          network_configuration {
            subnets         = ["subnet-0a1b2c3d4e5f60001"]
            security_groups = [aws_security_group.app.id]
          }
        }
        ''')
    messages = " | ".join(r.message for r in got)
    assert "internal load balancer aws_lb.internal" in messages
    assert "unattached SG open to internet" in messages
    assert "aws_ecs_service.app" in messages
    # the unattached group is only a production/regulated failure
    dev = findings(tmp_path, {}, "WAL-SG-002", profile="production")
    assert len(dev) == 4


def test_sg002_cases_cfn(tmp_path):
    _check(tmp_path, "WAL-SG-002", "t.yaml", '''
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          Scheme:
            Type: String
        Resources:
          PublicLbSg:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: public
              SecurityGroupIngress:
                - IpProtocol: tcp
                  FromPort: 80
                  ToPort: 80
                  CidrIp: 0.0.0.0/0
                - IpProtocol: icmp
                  FromPort: -1
                  ToPort: -1
                  CidrIp: 0.0.0.0/0  # fire
          UnknownLbSg:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: scheme from a parameter
              SecurityGroupIngress:
                - IpProtocol: tcp
                  FromPort: 8443
                  ToPort: 8443
                  CidrIp: 0.0.0.0/0
          PublicLb:
            Type: AWS::ElasticLoadBalancingV2::LoadBalancer
            Properties:
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
              SecurityGroups: [!Ref PublicLbSg]
          UnknownLb:
            Type: AWS::ElasticLoadBalancingV2::LoadBalancer
            Properties:
              Scheme: !Ref Scheme
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
              SecurityGroups: [!Ref UnknownLbSg]
        ''')


def test_sg003_cases_tf(tmp_path):
    got = _check(tmp_path, "WAL-SG-003", "main.tf", '''
        variable "client_sg" {
          type = string
        }

        resource "aws_vpc" "main" {
          cidr_block = "10.0.0.0/16"
        }

        resource "aws_security_group" "db" {
          name   = "db"
          vpc_id = aws_vpc.main.id
          ingress {
            from_port   = 5432
            to_port     = 5432
            protocol    = "tcp"
            cidr_blocks = ["10.0.1.0/24"] # fire
          }
          ingress {
            from_port = 0
            to_port   = 0
            protocol  = "-1"
            self      = true
          }
          ingress {
            from_port   = 5432
            to_port     = 5432
            protocol    = "tcp"
            cidr_blocks = ["0.0.0.0/0"]
          }
        }

        resource "aws_security_group" "app" {
          name   = "app"
          vpc_id = aws_vpc.main.id
        }

        resource "aws_security_group" "lb" {
          name   = "lb"
          vpc_id = aws_vpc.main.id
        }

        resource "aws_security_group" "bastion" {
          name   = "bastion"
          vpc_id = aws_vpc.main.id
        }

        resource "aws_security_group" "loose" {
          name   = "loose"
          vpc_id = aws_vpc.main.id
        }

        resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
          security_group_id            = aws_security_group.db.id
          referenced_security_group_id = aws_security_group.app.id
          ip_protocol                  = "tcp"
          from_port                    = 5432
          to_port                      = 5432
        }

        resource "aws_vpc_security_group_ingress_rule" "db_from_app_wide" {
          security_group_id            = aws_security_group.db.id
          referenced_security_group_id = aws_security_group.app.id # fire
          ip_protocol                  = "tcp"
          from_port                    = 0
          to_port                      = 65535
        }

        resource "aws_vpc_security_group_ingress_rule" "db_from_bastion" {
          security_group_id            = aws_security_group.db.id
          referenced_security_group_id = aws_security_group.bastion.id
          ip_protocol                  = "tcp"
          from_port                    = 5432
          to_port                      = 5432
        }

        resource "aws_security_group_rule" "db_from_lb" {
          type                     = "ingress"
          security_group_id        = aws_security_group.db.id
          source_security_group_id = aws_security_group.lb.id # fire
          protocol                 = "tcp"
          from_port                = 5432
          to_port                  = 5432
        }

        resource "aws_security_group_rule" "db_from_loose" {
          type                     = "ingress"
          security_group_id        = aws_security_group.db.id
          source_security_group_id = aws_security_group.loose.id
          protocol                 = "tcp"
          from_port                = 5432
          to_port                  = 5432
        }

        resource "aws_security_group_rule" "db_from_var" {
          type                     = "ingress"
          security_group_id        = aws_security_group.db.id
          source_security_group_id = var.client_sg
          protocol                 = "tcp"
          from_port                = 5432
          to_port                  = 5432
        }

        resource "aws_vpc_security_group_ingress_rule" "db_from_pl" {
          security_group_id = aws_security_group.db.id
          prefix_list_id    = "pl-0123456789abcdef0" # fire
          ip_protocol       = "tcp"
          from_port         = 5432
          to_port           = 5432
        }

        resource "aws_db_instance" "main" {
          engine                 = "postgres"
          instance_class         = "db.t3.micro"
          allocated_storage      = 20
          vpc_security_group_ids = [aws_security_group.db.id]
        }

        resource "aws_lb" "main" {
          subnets         = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
          security_groups = [aws_security_group.lb.id]
        }

        resource "aws_lambda_function" "app" {
          function_name = "app"
          role          = "arn:aws:iam::123456789012:role/app"
          runtime       = "python3.12"
          handler       = "index.handler"
          filename      = "app.zip"
          vpc_config {
            subnet_ids         = ["subnet-0a1b2c3d4e5f60001"]
            security_group_ids = [aws_security_group.app.id]
          }
        }
        ''')
    by_line = {r.location.line: r for r in got}
    cidr = next(r for r in got if "10.0.1.0/24" in r.message)
    assert cidr.level == "warning"          # inside the VPC
    assert "aws_db_instance.main on port 5432 (PostgreSQL)" in cidr.message
    wide = next(r for r in got if "every port" in r.message)
    assert wide.level == "error" and "wider than the engine port" in wide.message
    assert len(by_line) == 4


def test_sg003_cases_cfn(tmp_path):
    _check(tmp_path, "WAL-SG-003", "t.yaml", '''
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          CacheSg:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: memcached
              SecurityGroupIngress:
                - IpProtocol: tcp
                  FromPort: 11211
                  ToPort: 11211
                  SourceSecurityGroupId: !Ref AppSg
                - IpProtocol: tcp
                  FromPort: 6379
                  ToPort: 6379
                  SourceSecurityGroupId: !Ref AppSg  # fire
                - IpProtocol: tcp
                  FromPort: 11211
                  ToPort: 11211
                  CidrIp: 203.0.113.0/24  # fire
          AppSg:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: app
          Cache:
            Type: AWS::ElastiCache::CacheCluster
            Properties:
              Engine: memcached
              CacheNodeType: cache.t4g.micro
              NumCacheNodes: 1
              VpcSecurityGroupIds: [!GetAtt CacheSg.GroupId]
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              Role: arn:aws:iam::123456789012:role/app
              Code:
                ZipFile: "def handler(event, context): return None"
              VpcConfig:
                SubnetIds: [subnet-0a1b2c3d4e5f60001]
                SecurityGroupIds: [!Ref AppSg]
        ''')


def test_sg004_cases_tf(tmp_path):
    text = FOUNDATION_TF.replace('''resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {''', '''
resource "aws_vpc_security_group_ingress_rule" "app_from_vpc" {
  security_group_id = aws_security_group.app.id
  cidr_ipv4         = "10.0.0.0/16" # fire
  ip_protocol       = "tcp"
  from_port         = 8080
  to_port           = 8080
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb_wide" {
  security_group_id            = aws_security_group.app.id
  referenced_security_group_id = aws_security_group.alb.id # fire
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 9000
}

resource "aws_vpc_security_group_ingress_rule" "app_from_db" {
  security_group_id            = aws_security_group.app.id
  referenced_security_group_id = aws_security_group.db.id # fire
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {''')
    got = _check(tmp_path, "WAL-SG-004", "main.tf", text)
    assert all("aws_ecs_service.api" in r.message for r in got)
    assert any("wider than the container port 8080" in r.message for r in got)


def test_sg004_incomplete_chain_is_unknown(tmp_path):
    # the target group comes from a variable: a group source may be the LB's, a CIDR still fails
    text = '''
        variable "tg_arn" {
          type = string
        }

        resource "aws_security_group" "app" {
          name = "app"
          ingress {
            from_port       = 8080
            to_port         = 8080
            protocol        = "tcp"
            security_groups = ["sg-0123456789abcdef0"]
          }
          ingress {
            from_port       = 8080
            to_port         = 8080
            protocol        = "tcp"
            security_groups = [aws_security_group.other.id]
          }
          ingress {
            from_port   = 8080
            to_port     = 8080
            protocol    = "tcp"
            cidr_blocks = ["10.0.0.0/8"] # fire
          }
        }

        resource "aws_security_group" "other" {
          name = "other"
        }

        resource "aws_ecs_service" "api" {
          name            = "api"
          cluster         = "main"
          task_definition = "api:1"
          load_balancer {
            target_group_arn = var.tg_arn
            container_name   = "api"
            container_port   = 8080
          }
          network_configuration {
            subnets         = ["subnet-0a1b2c3d4e5f60001"]
            security_groups = [aws_security_group.app.id]
          }
        }
        '''
    _check(tmp_path, "WAL-SG-004", "main.tf", text)
    unknown = findings(tmp_path, {}, "WAL-SG-004", unknown=True)
    assert len(unknown) == 2


def test_sg005_cases_cfn(tmp_path):
    got = _check(tmp_path, "WAL-SG-005", "t.yaml", '''
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          DbSg:  # fire
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: no inline egress, so EC2's default stays
          DbSgEgress:
            Type: AWS::EC2::SecurityGroupEgress
            Properties:
              GroupId: !Ref DbSg
              IpProtocol: tcp
              FromPort: 443
              ToPort: 443
              CidrIp: 0.0.0.0/0  # fire
          QuietDbSg:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: placeholder egress only
              SecurityGroupEgress:
                - IpProtocol: "-1"
                  CidrIp: 127.0.0.1/32
                - IpProtocol: "-1"
                  DestinationSecurityGroupId: !Ref QuietDbSg
          LbSg:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: lb
              SecurityGroupEgress:
                - IpProtocol: tcp
                  FromPort: 8080
                  ToPort: 8080
                  DestinationSecurityGroupId: !Ref AppSg
                - IpProtocol: tcp
                  FromPort: 0
                  ToPort: 65535
                  DestinationSecurityGroupId: !Ref AppSg  # fire
                - IpProtocol: tcp
                  FromPort: 8080
                  ToPort: 8080
                  CidrIp: 10.0.0.0/16  # fire
                - IpProtocol: tcp
                  FromPort: 8080
                  ToPort: 8080
                  DestinationSecurityGroupId: !Ref DbSg  # fire
          AppSg:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: app
              SecurityGroupEgress:
                - IpProtocol: "-1"
                  CidrIp: 0.0.0.0/0
          Db:
            Type: AWS::RDS::DBInstance
            Properties:
              Engine: mysql
              DBInstanceClass: db.t3.micro
              AllocatedStorage: "20"
              VPCSecurityGroups: [!Ref DbSg]
          QuietDb:
            Type: AWS::RDS::DBInstance
            Properties:
              Engine: mysql
              DBInstanceClass: db.t3.micro
              AllocatedStorage: "20"
              VPCSecurityGroups: [!Ref QuietDbSg]
          Lb:
            Type: AWS::ElasticLoadBalancingV2::LoadBalancer
            Properties:
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
              SecurityGroups: [!Ref LbSg]
          Tg:
            Type: AWS::ElasticLoadBalancingV2::TargetGroup
            Properties:
              Port: 8080
              Protocol: HTTP
              TargetType: ip
              VpcId: vpc-0a1b2c3d4e5f60001
          Listener:
            Type: AWS::ElasticLoadBalancingV2::Listener
            Properties:
              LoadBalancerArn: !Ref Lb
              Port: 80
              Protocol: HTTP
              DefaultActions:
                - Type: forward
                  TargetGroupArn: !Ref Tg
          Service:
            Type: AWS::ECS::Service
            Properties:
              Cluster: main
              TaskDefinition: api:1
              LoadBalancers:
                - TargetGroupArn: !Ref Tg
                  ContainerName: api
                  ContainerPort: 8080
              NetworkConfiguration:
                AwsvpcConfiguration:
                  Subnets: [subnet-0a1b2c3d4e5f60001]
                  SecurityGroups: [!Ref AppSg]
        ''')
    implicit = next(r for r in got if r.location.line == 3)
    assert "implicit default egress" in implicit.message and "Db" in implicit.message


def test_sg005_tf_has_no_implicit_egress(tmp_path):
    _check(tmp_path, "WAL-SG-005", "main.tf", '''
        resource "aws_security_group" "db" {
          name = "db"
        }

        resource "aws_security_group" "cache" {
          name = "cache"
        }

        resource "aws_vpc_security_group_egress_rule" "cache_out" {
          security_group_id = aws_security_group.cache.id
          ip_protocol       = "-1"
          cidr_ipv6         = "::/0" # fire
        }

        resource "aws_db_instance" "main" {
          engine                 = "postgres"
          instance_class         = "db.t3.micro"
          allocated_storage      = 20
          vpc_security_group_ids = [aws_security_group.db.id]
        }

        resource "aws_elasticache_replication_group" "main" {
          replication_group_id = "main"
          description          = "main"
          node_type            = "cache.t4g.micro"
          security_group_ids   = [aws_security_group.cache.id]
        }
        ''')
    # development: the rule is off
    assert findings(tmp_path, {}, "WAL-SG-005", profile="development") == []


def test_sg006_cases(tmp_path):
    _check(tmp_path, "WAL-SG-006", "main.tf", '''
        resource "aws_vpc" "main" { # fire
          cidr_block = "10.0.0.0/16"
        }

        resource "aws_vpc" "other" {
          cidr_block = "10.1.0.0/16"
        }

        resource "aws_default_security_group" "other" {
          vpc_id = aws_vpc.other.id
          egress {
            from_port   = 0
            to_port     = 0
            protocol    = "-1"
            cidr_blocks = ["0.0.0.0/0"] # fire
          }
        }

        resource "aws_db_instance" "none" { # fire
          engine            = "postgres"
          instance_class    = "db.t3.micro"
          allocated_storage = 20
        }

        resource "aws_rds_cluster_instance" "member" {
          cluster_identifier = "c"
          instance_class     = "db.r6g.large"
          engine             = "aurora-postgresql"
        }

        resource "aws_elasticache_replication_group" "empty" {
          replication_group_id = "empty"
          description          = "empty"
          node_type            = "cache.t4g.micro"
          security_group_ids   = [] # fire
        }

        resource "aws_ecs_service" "bridge" {
          name            = "bridge"
          cluster         = "main"
          task_definition = "bridge:1"
        }

        resource "aws_ecs_service" "awsvpc" { # fire
          name            = "awsvpc"
          cluster         = "main"
          task_definition = "awsvpc:1"
          network_configuration {
            subnets = ["subnet-0a1b2c3d4e5f60001"]
          }
        }

        resource "aws_efs_mount_target" "a" { # fire
          file_system_id = "fs-0123456789abcdef0"
          subnet_id      = "subnet-0a1b2c3d4e5f60001"
        }
        ''')
    notes = [r for r in findings(tmp_path, {}, "WAL-SG-006") if r.location.line == 1]
    assert notes and notes[0].level == "note"


def test_unknown_sources_never_fire(tmp_path):
    text = '''
        variable "cidr" {
          type = string
        }

        variable "cidrs" {
          type = list(string)
        }

        variable "sg" {
          type = string
        }

        resource "aws_security_group" "db" {
          name = "db"
          ingress {
            from_port   = 5432
            to_port     = 5432
            protocol    = "tcp"
            cidr_blocks = [var.cidr]
          }
          ingress {
            from_port       = 5432
            to_port         = 5432
            protocol        = "tcp"
            security_groups = [var.sg]
          }
          egress {
            from_port   = 0
            to_port     = 0
            protocol    = "-1"
            cidr_blocks = var.cidrs
          }
        }

        resource "aws_security_group_rule" "db_any" {
          type              = "ingress"
          security_group_id = aws_security_group.db.id
          protocol          = "-1"
          from_port         = 0
          to_port           = 0
          cidr_blocks       = var.cidrs
        }

        resource "aws_db_instance" "main" {
          engine                 = "postgres"
          instance_class         = "db.t3.micro"
          allocated_storage      = 20
          vpc_security_group_ids = [aws_security_group.db.id]
        }
        '''
    for rule_id in ("WAL-SG-001", "WAL-SG-002", "WAL-SG-003", "WAL-SG-005"):
        assert _check(tmp_path, rule_id, "main.tf", text) == []


# ------------------------------------------------------------------------------------------
# Profile-dependent parts (the engine gives rules the profile through the graph:
# `graph.profile_of(resource)` or `graph.profile`; the scan here sets both)
# ------------------------------------------------------------------------------------------

def _profiled(tmp_path, monkeypatch, text, rule_id, profile, name="main.tf"):
    import walint.engine.run as run
    from walint.engine.run import ScanOptions

    base = run.Graph

    class ProfiledGraph(base):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.profile = profile
            self.profile_of = lambda res: profile

    monkeypatch.setattr(run, "Graph", ProfiledGraph)
    folder = tmp_path / profile
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    report = run.scan([str(folder)], ScanOptions(select=[rule_id], profile=profile))
    assert not report.internal_errors, report.internal_errors
    return [(r.level, r.message) for r in report.results if r.rule.id == rule_id]


UNATTACHED = '''
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = %d
    to_port     = %d
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''


@pytest.mark.parametrize("profile,level", [("development", None), ("mvp", None),
                                           ("production", "error"), ("regulated", "error")])
def test_sg002_unattached_only_in_production(tmp_path, monkeypatch, profile, level):
    got = _profiled(tmp_path, monkeypatch, UNATTACHED % (8443, 8443), "WAL-SG-002", profile)
    assert [lvl for lvl, _ in got] == ([level] if level else []), got
    if level:
        assert "unattached SG open to internet" in got[0][1]


@pytest.mark.parametrize("profile", ["development", "production", "regulated"])
def test_sg002_unattached_https_is_unknown(tmp_path, profile):
    """An unattached group open on 443 may be another stack's load-balancer group."""
    from walint.engine.run import ScanOptions, scan as run_scan

    (tmp_path / "main.tf").write_text(UNATTACHED % (443, 443), encoding="utf-8")
    report = run_scan([str(tmp_path)], ScanOptions(select=["WAL-SG-002"], profile=profile))
    assert [r for r in report.results if r.rule.id == "WAL-SG-002"] == []
    notes = [r.message for r in report.unknowns if r.rule.id == "WAL-SG-002"]
    assert len(notes) == 1 and "attached to nothing declared here" in notes[0], notes


@pytest.mark.parametrize("profile,level", [("development", "note"), ("production", "note"),
                                           ("regulated", "error")])
def test_sg006_unmanaged_default_group(tmp_path, monkeypatch, profile, level):
    got = _profiled(tmp_path, monkeypatch, '''
        resource "aws_vpc" "main" {
          cidr_block = "10.0.0.0/16"
        }
        ''', "WAL-SG-006", profile)
    assert [lvl for lvl, _ in got] == [level]


def test_can_reach_through_subnet_ranges_and_unknowns(tmp_path):
    # the database admits the app subnets' range instead of the app's group; the app's
    # egress to the database is by group; a second database's group admits a variable
    text = FOUNDATION_TF.replace('''resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = aws_security_group.app.id''', '''variable "client_range" {
  type = string
}

resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
  security_group_id            = aws_security_group.db.id
  cidr_ipv4                    = "10.0.10.0/23"''') + '''
resource "aws_security_group" "db2" {
  name   = "db2"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [var.client_range]
  }
}

resource "aws_vpc_security_group_egress_rule" "app_to_db2" {
  security_group_id            = aws_security_group.app.id
  referenced_security_group_id = aws_security_group.db2.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_db_instance" "second" {
  engine                      = "postgres"
  instance_class              = "db.t3.micro"
  allocated_storage           = 20
  username                    = "app"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.data.name
  vpc_security_group_ids      = [aws_security_group.db2.id]
}
'''
    g = graph_of(tmp_path, {"main.tf": text})
    svc, db, db2 = (res(g, a) for a in ("aws_ecs_service.api", "aws_db_instance.main",
                                       "aws_db_instance.second"))
    # app subnets are 10.0.10.0/24 and 10.0.11.0/24, inside 10.0.10.0/23
    assert sgm.can_reach(g, svc, db, 5432) is True
    assert sgm.can_reach(g, svc, db, 6379) is False
    # an unknown source range never counts as allowed (nor as disallowed)
    assert sgm.can_reach(g, svc, db2, 5432) is None
    # the load balancer reaches neither database
    assert sgm.can_reach(g, res(g, "aws_lb.main"), db, 5432) is False


def test_sg001_checks_each_candidate_of_a_condition(tmp_path):
    _check(tmp_path, "WAL-SG-001", "t.yaml", '''
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          Stage:
            Type: String
            AllowedValues: [dev, prod]
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          Group:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: g
              SecurityGroupIngress:
                - IpProtocol: tcp
                  FromPort: 22
                  ToPort: 22
                  CidrIp: !If [IsProd, 0.0.0.0/0, 0.0.0.0/0]  # fire
                - IpProtocol: tcp
                  FromPort: 22
                  ToPort: 22
                  CidrIpv6: !If [IsProd, "::/0", "::0/0"]  # fire
                - IpProtocol: tcp
                  FromPort: 3389
                  ToPort: 3389
                  CidrIp: !If [IsProd, 10.0.0.0/8, 0.0.0.0/0]
                - IpProtocol: tcp
                  FromPort: 5432
                  ToPort: 5432
                  CidrIp: !If [IsProd, 10.0.0.0/8, 192.168.0.0/16]
          Standalone:
            Type: AWS::EC2::SecurityGroupIngress
            Properties:
              GroupId: !Ref Group
              IpProtocol: tcp
              FromPort: 3306
              ToPort: 3306
              CidrIpv6: !If [IsProd, "::/0", "2001:db8::/0"]  # fire
        ''')
    unknown = findings(tmp_path, {}, "WAL-SG-001", unknown=True)
    assert [r.location.line for r in unknown] == [25]

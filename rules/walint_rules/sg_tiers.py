"""sg-least-privilege inside the VPC: each tier admits only the tier in front of it
(WAL-SG-003 data tier, WAL-SG-004 application tier; RULES.md §2.6, §3.4).
"""
from walint.api import (INGRESS, Cidr, PrefixList, Related, Sg, Unknown, UnknownSource,
                        attached, effective_rules, groups_of, roles, rule,
                        service_load_balancers, severity)
from walint.api import sg as sgm

from ._sg_words import (attachment_text, data_stores, finding_on, related_of, rule_text,
                        store_text, unknown_on, verb, wider)

# ----------------------------------------------------------------------------------------
# WAL-SG-003
# ----------------------------------------------------------------------------------------

@rule(id="WAL-SG-003", security_severity=7.0, name="sg-data-tier-ingress",
      title="Data-tier SG ingress only from SG references on the engine port",
      pillar="security", category="sg-least-privilege", best_practice=("SEC05-BP02",),
      severity=severity(development="warning", mvp="error", production="error",
                        regulated="error"))
def sg_data_tier_ingress(graph):
    """A security group attached to a data store (RDS instance or cluster, ElastiCache
    replication group or cluster, EFS mount target) admits only the app tier's or the
    bastion's security group, or itself, and only on the engine's port.

    ## Why
    The foundation's RDS group accepts 5432 from the ECS group (and a bastion) only, and
    the ElastiCache group 6379 from the ECS group only (SEC05-BP02). A CIDR source admits
    every workload that ever lands in that range, a prefix list whatever it grows to, an
    unrelated group (the load balancer's, say) a tier that should never talk to the data,
    and a port range more than the engine needs. Internet ranges are WAL-SG-001's and
    WAL-SG-002's concern; ranges inside the VPC are reported at warning level.

    ## Default
    The engine port is `Port` / `port` when set, otherwise the engine default: PostgreSQL
    5432, MySQL, MariaDB and Aurora MySQL 3306, SQL Server 1433, Oracle 1521, Redis and
    Valkey 6379, Memcached 11211, EFS 2049. A self-reference (`self = true`, or the group
    as its own source) is allowed for replication. A source group with no attachment in
    the scanned files, or an unknown source, port or engine, gives unknown.

    ## Example
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      DatabaseSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: PostgreSQL
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupIngress:
            - IpProtocol: tcp
              FromPort: 5432
              ToPort: 5432
              CidrIp: 10.0.0.0/16
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          VPCSecurityGroups: [!Ref DatabaseSecurityGroup]
    ```
    ```hcl
    resource "aws_security_group" "db" {
      name   = "db"
      vpc_id = "vpc-0a1b2c3d4e5f60001"
    }

    resource "aws_vpc_security_group_ingress_rule" "db_from_vpc" {
      security_group_id = aws_security_group.db.id
      ip_protocol       = "tcp"
      from_port         = 5432
      to_port           = 5432
      cidr_ipv4         = "10.0.0.0/16"
    }

    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      vpc_security_group_ids      = [aws_security_group.db.id]
    }
    ```

    ## Fix
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      AppSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Application tier
          VpcId: vpc-0a1b2c3d4e5f60001
      DatabaseSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: PostgreSQL
          VpcId: vpc-0a1b2c3d4e5f60001
      DatabaseFromApp:
        Type: AWS::EC2::SecurityGroupIngress
        Properties:
          GroupId: !Ref DatabaseSecurityGroup
          IpProtocol: tcp
          FromPort: 5432
          ToPort: 5432
          SourceSecurityGroupId: !Ref AppSecurityGroup
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          VPCSecurityGroups: [!Ref DatabaseSecurityGroup]
      Function:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/app
          Code:
            ZipFile: "def handler(event, context): return None"
          VpcConfig:
            SubnetIds: [subnet-0a1b2c3d4e5f60001]
            SecurityGroupIds: [!Ref AppSecurityGroup]
    ```
    ```hcl
    resource "aws_security_group" "app" {
      name   = "app"
      vpc_id = "vpc-0a1b2c3d4e5f60001"
    }

    resource "aws_security_group" "db" {
      name   = "db"
      vpc_id = "vpc-0a1b2c3d4e5f60001"
    }

    resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
      security_group_id            = aws_security_group.db.id
      referenced_security_group_id = aws_security_group.app.id
      ip_protocol                  = "tcp"
      from_port                    = 5432
      to_port                      = 5432
    }

    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      vpc_security_group_ids      = [aws_security_group.db.id]
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
    ```
    """
    for group in graph.resources("sg"):
        stores = data_stores(graph, group)
        if not stores:
            continue
        ports = {p for _, p in stores if isinstance(p, int)}
        ports_complete = all(isinstance(p, int) for _, p in stores)
        chain = f"sg {group.address} is attached to data store {store_text(stores)}"
        extra = [(a.resource, a.path, f"sg {group.address} is attached to {a.resource.address}")
                 for a, _ in stores]
        for r in effective_rules(graph, group, INGRESS):
            yield from _check_data_ingress(graph, group, r, ports, ports_complete, chain, extra)


def _check_data_ingress(graph, group, r, ports, ports_complete, chain, extra):
    src = r.source
    related = related_of(graph, r) if r.origin is not group else [
        Related(res, tuple(path or ()), msg) for res, path, msg in extra]
    if isinstance(src, Sg) and src.self_ref:
        return
    if isinstance(src, UnknownSource):
        yield unknown_on(r, f"the source of this rule is unknown ({src.reason})")
        return
    if isinstance(src, Cidr) and src.internet:
        return                     # WAL-SG-001 / WAL-SG-002
    problems, sev = [], None
    if isinstance(src, Cidr):
        if src.loopback:
            return
        inside = sgm.inside_vpc(graph, group, src)
        if inside is True or (inside is None and src.private):
            sev = "warning"
        problems.append(f"the source is the address range {src.value}, not a security group")
    elif isinstance(src, PrefixList):
        problems.append(f"the source is {src.label()}, not a security group")
    elif isinstance(src, Sg):
        if src.node is None:
            yield unknown_on(r, f"the source group {src.label()} is not declared in the scanned files")
            return
        src_roles = roles(graph, src.node)
        if not src_roles & {"app_sg", "bastion_sg"}:
            if not attached(graph, src.node):
                yield unknown_on(r, f"the source group {src.node.address} is attached to nothing "
                               "declared here, so its tier is unknown")
                return
            tier = ", ".join(sorted(x.replace("_sg", "") for x in src_roles)) or "no known tier"
            problems.append(f"the source group {src.node.address} is not the app tier's or a "
                            f"bastion's ({tier}: {attachment_text(graph, src.node)})")
    if not r.known:
        within = None
    elif ports_complete:
        within = r.within(ports)
    else:
        within = True if ports and r.within(ports) else None
    if within is False:
        problems.append(f"{r.ports_label()} {verb(r)} {wider(r, ports)} the engine port "
                        f"{', '.join(sgm.engine_label(p) for p in sorted(ports))}")
        sev = None
    elif within is None and not problems:
        yield unknown_on(r, "the rule's ports or the engine port are unknown")
        return
    if not problems:
        return
    yield finding_on(r, f"{chain}; {rule_text(r)}: {'; '.join(problems)}",
                   related=related, severity=sev)


# ----------------------------------------------------------------------------------------
# WAL-SG-004
# ----------------------------------------------------------------------------------------

@rule(id="WAL-SG-004", security_severity=6.0, name="sg-app-tier-ingress",
      title="App-tier SG ingress only from its load balancer's SG on the container port",
      pillar="security", category="sg-least-privilege", best_practice=("SEC05-BP02",),
      severity=severity(development="note", mvp="warning", production="error",
                        regulated="error"))
def sg_app_tier_ingress(graph):
    """The security group of a load-balanced ECS service admits only its load balancer's
    security group, on the container port, and itself; a service without a load balancer
    (a worker) admits nothing but itself.

    ## Why
    The foundation's ECS group accepts 8080 from the ALB group only, plus itself for
    service-to-service calls (SEC05-BP02). Any other source (an address range, another
    tier's group) reaches the containers around the load balancer, its TLS termination,
    its WAF and its access logs. walint follows the service's load balancer entries to
    the target group, the listener (or listener rule) forwarding to it, the load
    balancer and that load balancer's security groups.

    ## Default
    When part of that chain is not declared in the scanned files, a group source is
    unknown (it may be the load balancer's); an address range still fails. A worker's
    group shared with a load-balanced service is reported as a note.

    ## Example
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      AppSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Workers
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupIngress:
            - IpProtocol: tcp
              FromPort: 8080
              ToPort: 8080
              CidrIp: 10.0.0.0/16
      Service:
        Type: AWS::ECS::Service
        Properties:
          Cluster: main
          TaskDefinition: arn:aws:ecs:eu-west-1:123456789012:task-definition/worker:1
          LaunchType: FARGATE
          DesiredCount: 2
          NetworkConfiguration:
            AwsvpcConfiguration:
              Subnets: [subnet-0a1b2c3d4e5f60001]
              SecurityGroups: [!Ref AppSecurityGroup]
    ```
    ```hcl
    resource "aws_security_group" "app" {
      name   = "app"
      vpc_id = "vpc-0a1b2c3d4e5f60001"

      ingress {
        from_port   = 8080
        to_port     = 8080
        protocol    = "tcp"
        cidr_blocks = ["10.0.0.0/16"]
      }
    }

    resource "aws_ecs_service" "worker" {
      name            = "worker"
      cluster         = "main"
      task_definition = "arn:aws:ecs:eu-west-1:123456789012:task-definition/worker:1"
      launch_type     = "FARGATE"
      desired_count   = 2

      network_configuration {
        subnets         = ["subnet-0a1b2c3d4e5f60001"]
        security_groups = [aws_security_group.app.id]
      }
    }
    ```

    ## Fix
    A worker needs no ingress at all but its own group's:
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      AppSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Workers
          VpcId: vpc-0a1b2c3d4e5f60001
      AppFromItself:
        Type: AWS::EC2::SecurityGroupIngress
        Properties:
          GroupId: !Ref AppSecurityGroup
          IpProtocol: "-1"
          SourceSecurityGroupId: !Ref AppSecurityGroup
      Service:
        Type: AWS::ECS::Service
        Properties:
          Cluster: main
          TaskDefinition: arn:aws:ecs:eu-west-1:123456789012:task-definition/worker:1
          LaunchType: FARGATE
          DesiredCount: 2
          NetworkConfiguration:
            AwsvpcConfiguration:
              Subnets: [subnet-0a1b2c3d4e5f60001]
              SecurityGroups: [!Ref AppSecurityGroup]
    ```
    ```hcl
    resource "aws_security_group" "app" {
      name   = "app"
      vpc_id = "vpc-0a1b2c3d4e5f60001"

      ingress {
        from_port = 0
        to_port   = 0
        protocol  = "-1"
        self      = true
      }
    }

    resource "aws_ecs_service" "worker" {
      name            = "worker"
      cluster         = "main"
      task_definition = "arn:aws:ecs:eu-west-1:123456789012:task-definition/worker:1"
      launch_type     = "FARGATE"
      desired_count   = 2

      network_configuration {
        subnets         = ["subnet-0a1b2c3d4e5f60001"]
        security_groups = [aws_security_group.app.id]
      }
    }
    ```
    A load-balanced service admits its load balancer's group on the container port
    (`SourceSecurityGroupId: !Ref LoadBalancerSecurityGroup` /
    `referenced_security_group_id = aws_security_group.alb.id`).
    """
    services = graph.resources("ecs_service")
    fronted_groups = set()
    chains = {}
    for svc in services:
        if sgm.service_has_lb(svc):
            chains[id(svc)] = service_load_balancers(graph, svc)
            for g in groups_of(graph, svc):
                if not isinstance(g, Unknown):
                    fronted_groups.add(id(g))
    seen = set()
    for svc in services:
        groups = [g for g in groups_of(graph, svc) if not isinstance(g, Unknown)]
        if not groups:
            continue
        has_lb = sgm.service_has_lb(svc)
        for group in groups:
            for r in effective_rules(graph, group, INGRESS):
                mark = (id(r.origin), r.path, r.key)
                if mark in seen:
                    continue
                out = list(_check_app_ingress(graph, svc, group, r, has_lb, chains.get(id(svc)),
                                              id(group) in fronted_groups))
                if any(f.status == "fail" for f in out):
                    seen.add(mark)
                    yield from (f for f in out if f.status == "fail")
                else:
                    yield from out


def _check_app_ingress(graph, svc, group, r, has_lb, chain, shared_with_fronted):
    src = r.source
    if isinstance(src, Sg) and src.self_ref:
        return
    if isinstance(src, UnknownSource):
        yield unknown_on(r, f"the source of this rule is unknown ({src.reason})")
        return
    attach = f"sg {group.address} is attached to ECS service {svc.address}"
    extra = [(a.resource, a.path, f"sg {group.address} is attached to {svc.address}")
             for a in attached(graph, group) if a.resource is svc]
    if has_lb is None:
        yield unknown_on(r, f"the load balancers of {svc.address} are unknown")
        return
    if has_lb is False:
        yield finding_on(
            r, f"{attach}, which has no load balancer, yet {rule_text(r)} admits a source "
            "other than the group itself", related=related_of(graph, r, extra),
            severity="note" if shared_with_fronted else None)
        return
    extra += [(res, path, msg) for res, path, msg in chain.links]
    lb_names = ", ".join(g.address for g in chain.groups) or "none found"
    lbs = ", ".join(lb.address for lb in chain.lbs) or "its load balancer"
    allowed_text = f"the load balancer's group ({lb_names}, of {lbs})"
    if isinstance(src, Sg):
        if src.node is None:
            yield unknown_on(r, f"the source group {src.label()} is not declared in the scanned files")
            return
        if not any(src.node is g for g in chain.groups):
            if not chain.complete:
                yield unknown_on(r, "the load balancer chain is incomplete: " + "; ".join(chain.reasons[:2]))
                return
            yield finding_on(r, f"{attach}; {rule_text(r)}: the source is not {allowed_text}",
                           related=related_of(graph, r, extra))
            return
        within = r.within(chain.ports) if chain.ports else None
        if within is True:
            return
        if within is None or not chain.complete:
            yield unknown_on(r, "the container port or the rule's ports are unknown")
            return
        ports = ", ".join(str(p) for p in sorted(chain.ports))
        yield finding_on(r, f"{attach}; {rule_text(r)}: {r.ports_label()} {verb(r)} "
                       f"{wider(r, chain.ports)} the container port {ports}",
                       related=related_of(graph, r, extra))
        return
    what = f"the address range {src.value}" if isinstance(src, Cidr) else src.label()
    yield finding_on(r, f"{attach}; {rule_text(r)}: the source is {what}, not {allowed_text}",
                   related=related_of(graph, r, extra))


RULES = [sg_data_tier_ingress, sg_app_tier_ingress]

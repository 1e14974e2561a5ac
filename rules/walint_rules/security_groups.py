"""sg-least-privilege: security groups open only what each tier needs (RULES.md §2.6, §3.4).

Each rule walks the normalized rules of `walint.api.effective_rules` (inline, standalone
and the CloudFormation implicit default egress). A finding is addressed to the resource
holding the rule: the group for an inline rule, the standalone rule resource otherwise,
anchored on the rule's source (or destination) attribute, and names the chain that
proves it (the group's attachments) in its message and as related locations.
"""
from dataclasses import replace

from walint.api import (ABSENT, EGRESS, INGRESS, Cidr, PrefixList, Related, Sg, Unknown,
                        UnknownSource, all_rules, attached, decide, effective_rules,
                        engine_ports, groups_of, lb_targets, roles, rule,
                        service_load_balancers, severity)
from walint.api import sg as sgm

from ._data import CLUSTER_UNDECIDED, cluster_governed

# RULES.md §2.6 WAL-SG-001: admin and data ports (8080 is added for app-tier groups).
SENSITIVE = frozenset({22, 3389, 5432, 3306, 1433, 1521, 6379, 11211, 27017, 9200, 9300,
                       2049, 5439, 5984})
APP_PORT = 8080
LB_PUBLIC_PORTS = frozenset({80, 443})


# ----------------------------------------------------------------------------------------
# shared helpers
# ----------------------------------------------------------------------------------------

def _finding(r, message, *, related=(), severity=None, key=None):
    resource, path = r.anchor()
    return resource.finding(path, message, related=list(related), key=key or r.key,
                            severity=severity)


def _unknown(r, reason, key=None):
    resource, path = r.anchor()
    return resource.unknown(path, reason, key=key or r.key)


def _attachment_text(graph, group, limit=3):
    """`sg X is attached to A, B`, or `sg X is attached to nothing declared here`."""
    if group is None:
        return "its security group cannot be followed"
    atts = attached(graph, group)
    if not atts:
        return f"sg {group.address} is attached to nothing declared here"
    names = [_attached_label(graph, a.resource) for a in atts[:limit]]
    more = f" and {len(atts) - limit} more" if len(atts) > limit else ""
    return f"sg {group.address} is attached to {', '.join(names)}{more}"


def _attached_label(graph, node):
    """`aws_launch_template.web (launch template of aws_autoscaling_group.web)`."""
    if node.kind == "launch_template":
        asgs = [r.address for r in graph.referrers(node) if r.kind == "asg"]
        if asgs:
            return f"{node.address} (launch template of {', '.join(asgs[:2])})"
    return node.address


def _related(graph, r, extra=()):
    """Related locations: the group (for a standalone rule) and its attachments."""
    out = []
    group = r.group
    if group is not None and r.origin is not group:
        out.append(Related(group, (), f"the rule belongs to sg {group.address}"))
    if group is not None:
        for a in attached(graph, group)[:5]:
            out.append(Related(a.resource, a.path,
                               f"sg {group.address} is attached to {a.resource.address}"))
    for resource, path, message in extra:
        out.append(Related(resource, tuple(path or ()), message))
    unique, seen = [], set()
    for rel in out:
        mark = (id(rel.resource), rel.path)
        if mark not in seen:
            seen.add(mark)
            unique.append(rel)
    return unique


def _rule_text(r):
    """`ingress tcp port 5432 (PostgreSQL) from 10.0.0.0/16 (inline ingress rule #1 of X)`."""
    word = "from" if r.direction == INGRESS else "to"
    return f"{r.direction} {r.ports_label()} {word} {r.source.label()} ({r.where()})"


def _verb(r):
    return "are" if " ports " in f" {r.ports_label()} " else "is"


def _wider(r, ports):
    """`wider than` when the rule covers one of `ports` and more, else `not`."""
    return "wider than" if r.intersects(ports) else "not"


def _open(r):
    """`tcp port 443 (HTTPS) is open` / `tcp ports 80-84 are open`."""
    return f"{r.ports_label()} {_verb(r)} open"


def _sensitive_ports(graph, r):
    ports = set(SENSITIVE)
    if r.group is not None and "app_sg" in roles(graph, r.group):
        ports.add(APP_PORT)
    return ports


def _port_list(ports, app=False):
    names = []
    for p in ports:
        if app and p == APP_PORT:
            names.append(f"{p} (the app tier's container port)")
        else:
            names.append(sgm.port_label(p))
    if len(names) > 4:
        names = names[:4] + [f"{len(ports) - 4} more"]
    return ", ".join(names)


_CIDR_ATTRS = ("cidr_ip", "cidr_ipv6", "cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4")


def _public_lb_ok(graph, r):
    """The rule sits on an internet-facing LB's group and stays within 80/443."""
    if r.group is None or r.within(LB_PUBLIC_PORTS) is not True:
        return False
    return any(a.resource.kind in sgm.LB_KINDS and sgm.lb_internet_facing(a.resource) is True
               for a in attached(graph, r.group))


def _sg001(graph, r):
    """("fail", message) / ("unknown", reason) / ("pass", None) for one ingress rule.

    A range that depends on an undecided condition is checked candidate by candidate:
    the verdict stands when every candidate gives it (RULES.md §0.3)."""
    options = getattr(r.source, "options", ())
    if options:
        note = ", whichever way its condition goes"
        verdicts = [_sg001_one(graph, replace(r, source=c), note) for c in options]
        if all(v == "fail" for v, _ in verdicts):
            return "fail", verdicts[0][1]
        if all(v == "pass" for v, _ in verdicts):
            return "pass", None
        return "unknown", "the source range depends on a condition walint cannot decide"
    return _sg001_one(graph, r)


def _sg001_one(graph, r, note=""):
    src = r.source
    if isinstance(src, UnknownSource):
        if r.path and r.path[-1] in _CIDR_ATTRS:
            if r.is_all or r.intersects(_sensitive_ports(graph, r)) is not False:
                return "unknown", f"the source range is unknown ({src.reason})"
        return "pass", None
    if not isinstance(src, Cidr) or not src.internet:
        return "pass", None
    if r.is_all:
        return "fail", f"all traffic (every protocol and port) is open to the internet ({src.value}{note})"
    if not r.known:
        return "unknown", "the protocol or ports of a rule open to the internet are unknown"
    sensitive = _sensitive_ports(graph, r)
    hits = r.ports_in(sensitive)
    if not hits:
        return "pass", None
    app = "app_sg" in roles(graph, r.group) if r.group is not None else False
    lo, hi = r.port_range()
    if lo == hi:
        what = f"port {_port_list([lo], app)} is open"
    else:
        what = f"ports {lo}-{hi} ({r.protocol}), including {_port_list(hits, app)}, are open"
    return "fail", f"{what} to the internet ({src.value}{note})"


def _load_balancers_only(graph, group) -> bool:
    """The group is attached, and only to load balancers (which answer on their listener
    ports alone, whatever the group admits)."""
    atts = attached(graph, group) if group is not None else []
    return bool(atts) and all(a.resource.kind in sgm.LB_KINDS for a in atts)


# ----------------------------------------------------------------------------------------
# WAL-SG-001
# ----------------------------------------------------------------------------------------

@rule(id="WAL-SG-001", security_severity=9.3, name="sg-no-internet-admin-data-ports",
      title="No internet ingress to admin or data ports",
      pillar="security", category="sg-least-privilege", best_practice=("SEC05-BP02",),
      severity=severity(development="error"),
      checkov=("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277"))
def sg_no_internet_admin_data_ports(graph):
    """No security-group rule lets the internet (`0.0.0.0/0` or `::/0`) reach an
    administration or data port, or all traffic: SSH 22, RDP 3389, PostgreSQL 5432,
    MySQL 3306, SQL Server 1433, Oracle 1521, Redis 6379, Memcached 11211, MongoDB 27017,
    Elasticsearch 9200/9300, NFS 2049, Redshift 5439, CouchDB 5984, and 8080 on an
    app-tier group (one attached to an ECS service, a Lambda function or an Auto Scaling
    group's launch template).

    ## Why
    Open admin and database ports are scanned within minutes of being exposed and are the
    usual door for brute force and data theft. The foundation exposes only the load
    balancer (80/443) to the internet; everything else is reached through security-group
    references (SEC05-BP02, control traffic flow within your network layers). The rule
    holds whatever the group is attached to, and reads inline rules, the standalone rule
    resources (`AWS::EC2::SecurityGroupIngress`, `aws_security_group_rule`,
    `aws_vpc_security_group_ingress_rule`) and any port range that covers a sensitive port.
    One case is a warning rather than an error: all traffic open on a group attached only
    to load balancers. A load balancer answers on its listener ports alone, so no admin or
    data port is reached through it; the group is still wider than it needs to be.

    ## Default
    A range that comes from a parameter or variable without a value is unknown and never
    fires; a list that mixes unknown elements with `0.0.0.0/0` still fires on the known
    element. `IpProtocol: "-1"` / `protocol = "-1"` means every port.

    ## Example
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      BastionSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Jump host
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupIngress:
            - IpProtocol: tcp
              FromPort: 22
              ToPort: 22
              CidrIp: 0.0.0.0/0
    ```
    ```hcl
    resource "aws_security_group" "db" {
      name   = "db"
      vpc_id = "vpc-0a1b2c3d4e5f60001"
    }

    resource "aws_vpc_security_group_ingress_rule" "db_from_anywhere" {
      security_group_id = aws_security_group.db.id
      ip_protocol       = "tcp"
      from_port         = 5432
      to_port           = 5432
      cidr_ipv4         = "0.0.0.0/0"
    }
    ```

    ## Fix
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      BastionSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Jump host reached through the office VPN only
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupIngress:
            - IpProtocol: tcp
              FromPort: 22
              ToPort: 22
              CidrIp: 10.20.0.0/16
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
    ```
    For administration prefer SSM Session Manager (no inbound port at all), or admit SSH
    only from the bastion's security group.
    """
    for r in all_rules(graph, INGRESS):
        verdict, text = _sg001(graph, r)
        if verdict == "fail" and r.is_all and _load_balancers_only(graph, r.group):
            yield _finding(r, f"{text} on load balancer group {r.group.address}. Only the "
                           f"listener ports answer, so no admin or data port is reached, but the "
                           f"group should admit only those ports ({r.where()}; "
                           f"{_attachment_text(graph, r.group)})",
                           related=_related(graph, r), severity="warning")
        elif verdict == "fail":
            yield _finding(r, f"{text} by {r.where()}; {_attachment_text(graph, r.group)}",
                           related=_related(graph, r))
        elif verdict == "unknown":
            yield _unknown(r, text)


# ----------------------------------------------------------------------------------------
# WAL-SG-002
# ----------------------------------------------------------------------------------------

# Resources that never hold a public address: an interface VPC endpoint's network
# interfaces and a Lambda function's are private (AWS PrivateLink and Lambda VPC docs).
PRIVATE_ONLY_KINDS = ("vpc_endpoint", "lambda")
_PRIVATE_ONLY_WORDS = {"vpc_endpoint": "VPC endpoint", "lambda": "Lambda function"}


def _private_only_text(atts) -> str:
    """`VPC endpoint CfnEndpoint, which has` / `Lambda functions a, b, which have`."""
    names = sorted({a.resource.address for a in atts})
    kinds = {a.resource.kind for a in atts}
    what = _PRIVATE_ONLY_WORDS[next(iter(kinds))] if len(kinds) == 1 else "attachment"
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{what} {shown}, which has" if len(names) == 1 else f"{what}s {shown}, which have"


def _icmp_level(r):
    """ICMP from the internet exposes no service (a host answers pings and reports
    errors): a warning, not the error of an open port."""
    return "warning" if r.protocol in ("icmp", "icmpv6") else None


@rule(id="WAL-SG-002", security_severity=8.0, name="sg-internet-ingress-lb-only",
      title="Internet ingress only on 80/443 and only to internet-facing LB SGs",
      pillar="security", category="sg-least-privilege", best_practice=("SEC05-BP02",),
      severity=severity(development="warning", mvp="warning", production="error",
                        regulated="error"),
      checkov=("CKV_AWS_260", "CKV_AWS_277"))
def sg_internet_ingress_lb_only(graph):
    """Traffic from the internet (`0.0.0.0/0`, `::/0`) is admitted only by the security
    group of an internet-facing load balancer, and only on ports 80 and 443. Rules that
    WAL-SG-001 already reports (admin and data ports, all traffic) are not repeated here.

    ## Why
    The load balancer is the foundation's one public entry point: it terminates TLS,
    redirects HTTP and sits behind the WAF. A port opened to the world on any other group
    (8443 on a container group, 443 on an instance, anything on an internal load
    balancer) bypasses it (SEC05-BP02). The group's role comes from its attachments: an
    `AWS::ElasticLoadBalancingV2::LoadBalancer` / `aws_lb` whose `Scheme` is
    `internet-facing` (the default) / `internal = false` (the default).

    A group attached only to resources that never hold a public address (interface VPC
    endpoints and Lambda functions, whose network interfaces are private) is not open to
    the internet, whatever its rule says: `0.0.0.0/0` there admits every network that
    routes to the VPC (peered VPCs, VPN, Transit Gateway). That is still wider than the
    clients need, so it is reported, but as a warning that says so rather than an error
    about the internet. ICMP open to the internet is a warning too: it exposes no
    service, but lets anyone find and map the host.

    ## Default
    A group attached to nothing in the scanned files may be attached elsewhere: to a load
    balancer of another stack (through a nested-stack parameter, an Output/Export read by
    `Fn::ImportValue`), of another Terraform root or of a module's caller, or by hand.
    Such a group that admits the internet on 80 and 443 only is unknown (listed by
    `--show-unknown`): that is exactly what a load balancer's group does, and walint cannot
    see whether it is one. Any other port open to the internet on it is reported as
    "unattached SG open to internet" in the production and regulated profiles (no use of
    the group would make it right), and not in development and mvp. Walint does not ask
    for an Output or a parameter that carries the group: a group is attached by id or name
    as often as through them. A load balancer whose scheme is unknown gives unknown.

    ## Example
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      ServerSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Web server
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupIngress:
            - IpProtocol: tcp
              FromPort: 443
              ToPort: 443
              CidrIp: 0.0.0.0/0
      Server:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0a1b2c3d4e5f60001
          InstanceType: t3.micro
          SubnetId: subnet-0a1b2c3d4e5f60001
          SecurityGroupIds: [!Ref ServerSecurityGroup]
    ```
    ```hcl
    resource "aws_security_group" "server" {
      name   = "server"
      vpc_id = "vpc-0a1b2c3d4e5f60001"

      ingress {
        from_port   = 443
        to_port     = 443
        protocol    = "tcp"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }

    resource "aws_instance" "server" {
      ami                    = "ami-0a1b2c3d4e5f60001"
      instance_type          = "t3.micro"
      subnet_id              = "subnet-0a1b2c3d4e5f60001"
      vpc_security_group_ids = [aws_security_group.server.id]
    }
    ```

    ## Fix
    Put the server behind an internet-facing load balancer and open 443 on the load
    balancer's group only.
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      LoadBalancerSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Public load balancer
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupIngress:
            - IpProtocol: tcp
              FromPort: 443
              ToPort: 443
              CidrIp: 0.0.0.0/0
      LoadBalancer:
        Type: AWS::ElasticLoadBalancingV2::LoadBalancer
        Properties:
          Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
          SecurityGroups: [!Ref LoadBalancerSecurityGroup]
    ```
    ```hcl
    resource "aws_security_group" "alb" {
      name   = "alb"
      vpc_id = "vpc-0a1b2c3d4e5f60001"

      ingress {
        from_port   = 443
        to_port     = 443
        protocol    = "tcp"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }

    resource "aws_lb" "public" {
      name            = "public"
      subnets         = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      security_groups = [aws_security_group.alb.id]
    }
    ```

    ## Trade-off
    A public endpoint that cannot sit behind a load balancer (a VPN or game server, say)
    needs a suppression with its reason.
    """
    for r in all_rules(graph, INGRESS):
        src = r.source
        if isinstance(src, UnknownSource) and r.path and r.path[-1] in _CIDR_ATTRS:
            if _sg001(graph, r)[0] == "pass" and not _public_lb_ok(graph, r):
                yield _unknown(r, f"the source range is unknown ({src.reason})")
            continue
        if not isinstance(src, Cidr) or not src.internet:
            continue
        if _sg001(graph, r)[0] != "pass":
            continue            # WAL-SG-001 reports it (or could not decide it)
        if r.group is None:
            yield _unknown(r, "the group of this rule cannot be followed, so its role is unknown")
            continue
        atts = attached(graph, r.group)
        lbs = [a.resource for a in atts if a.resource.kind in sgm.LB_KINDS]
        ports_ok = r.within(LB_PUBLIC_PORTS)
        if lbs:
            facing = [sgm.lb_internet_facing(lb) for lb in lbs]
            if any(f is True for f in facing):
                if ports_ok is True:
                    continue
                if ports_ok is None:
                    yield _unknown(r, "the ports of this rule are unknown")
                    continue
                lb = lbs[facing.index(True)]
                yield _finding(
                    r, f"{_open(r)} to the internet ({src.value}) on the group "
                    f"of internet-facing load balancer {lb.address}, which should admit only "
                    f"80 and 443: {_rule_text(r)}; {_attachment_text(graph, r.group)}",
                    related=_related(graph, r), severity=_icmp_level(r))
                continue
            if any(f is None for f in facing):
                lb = lbs[facing.index(None)]
                yield _unknown(r, f"whether load balancer {lb.address} is internet-facing is "
                                  f"unknown: {_rule_text(r)}")
                continue
            yield _finding(
                r, f"{_open(r)} to the internet ({src.value}) on the group of "
                f"internal load balancer {lbs[0].address}: {_rule_text(r)}; "
                f"{_attachment_text(graph, r.group)}", related=_related(graph, r),
                severity=_icmp_level(r))
            continue
        if atts and all(a.resource.kind in PRIVATE_ONLY_KINDS for a in atts):
            # no public address behind the group: "any address" is every network that
            # routes to the VPC, not the internet
            yield _finding(
                r, f"{_open(r)} to any address ({src.value}) on the group of "
                f"{_private_only_text(atts)} only private addresses. Every network that routes to "
                f"the VPC reaches it: admit the VPC's range or the clients' groups instead "
                f"({_rule_text(r)})", related=_related(graph, r),
                severity="warning")
            continue
        if atts:
            yield _finding(
                r, f"{_open(r)} to the internet ({src.value}) on a group that "
                f"is not an internet-facing load balancer's: {_rule_text(r)}; "
                f"{_attachment_text(graph, r.group)}", related=_related(graph, r),
                severity=_icmp_level(r))
            continue
        if ports_ok is not False:
            # attached to nothing in the scan: it may be the group of a load balancer of
            # another stack or root, the one place where 80/443 from the internet belongs
            yield _unknown(r, f"sg {r.group.address} is attached to nothing declared here, so "
                              "whether it is an internet-facing load balancer's group is unknown "
                              f"(it may be attached in another stack or root): {_rule_text(r)}"
                           if ports_ok else "the ports of this rule are unknown")
            continue
        if graph.profile_of(r.origin) in ("production", "regulated"):
            yield _finding(
                r, f"unattached SG open to internet: {r.ports_label()} from {src.value} "
                f"({r.where()}); sg {r.group.address} is attached to nothing declared here, so "
                "it is not known to be an internet-facing load balancer's group",
                related=_related(graph, r), severity=_icmp_level(r))


# ----------------------------------------------------------------------------------------
# WAL-SG-003
# ----------------------------------------------------------------------------------------

def _data_stores(graph, group):
    """[(attachment, port or Unknown)] of the data stores a group is attached to."""
    out = []
    for a in attached(graph, group):
        if a.resource.kind in sgm.DATA_KINDS:
            out.append((a, engine_ports(graph, a.resource)))
    return out


def _store_text(stores):
    parts = []
    for a, port in stores[:3]:
        if isinstance(port, int):
            parts.append(f"{a.resource.address} on port {sgm.engine_label(port)}")
        else:
            parts.append(a.resource.address)
    more = f" and {len(stores) - 3} more" if len(stores) > 3 else ""
    return ", ".join(parts) + more


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
        stores = _data_stores(graph, group)
        if not stores:
            continue
        ports = {p for _, p in stores if isinstance(p, int)}
        ports_complete = all(isinstance(p, int) for _, p in stores)
        chain = f"sg {group.address} is attached to data store {_store_text(stores)}"
        extra = [(a.resource, a.path, f"sg {group.address} is attached to {a.resource.address}")
                 for a, _ in stores]
        for r in effective_rules(graph, group, INGRESS):
            yield from _check_data_ingress(graph, group, r, ports, ports_complete, chain, extra)


def _check_data_ingress(graph, group, r, ports, ports_complete, chain, extra):
    src = r.source
    related = _related(graph, r) if r.origin is not group else [
        Related(res, tuple(path or ()), msg) for res, path, msg in extra]
    if isinstance(src, Sg) and src.self_ref:
        return
    if isinstance(src, UnknownSource):
        yield _unknown(r, f"the source of this rule is unknown ({src.reason})")
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
            yield _unknown(r, f"the source group {src.label()} is not declared in the scanned files")
            return
        src_roles = roles(graph, src.node)
        if not src_roles & {"app_sg", "bastion_sg"}:
            if not attached(graph, src.node):
                yield _unknown(r, f"the source group {src.node.address} is attached to nothing "
                               "declared here, so its tier is unknown")
                return
            tier = ", ".join(sorted(x.replace("_sg", "") for x in src_roles)) or "no known tier"
            problems.append(f"the source group {src.node.address} is not the app tier's or a "
                            f"bastion's ({tier}: {_attachment_text(graph, src.node)})")
    if not r.known:
        within = None
    elif ports_complete:
        within = r.within(ports)
    else:
        within = True if ports and r.within(ports) else None
    if within is False:
        problems.append(f"{r.ports_label()} {_verb(r)} {_wider(r, ports)} the engine port "
                        f"{', '.join(sgm.engine_label(p) for p in sorted(ports))}")
        sev = None
    elif within is None and not problems:
        yield _unknown(r, "the rule's ports or the engine port are unknown")
        return
    if not problems:
        return
    yield _finding(r, f"{chain}; {_rule_text(r)}: {'; '.join(problems)}",
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
        yield _unknown(r, f"the source of this rule is unknown ({src.reason})")
        return
    attach = f"sg {group.address} is attached to ECS service {svc.address}"
    extra = [(a.resource, a.path, f"sg {group.address} is attached to {svc.address}")
             for a in attached(graph, group) if a.resource is svc]
    if has_lb is None:
        yield _unknown(r, f"the load balancers of {svc.address} are unknown")
        return
    if has_lb is False:
        yield _finding(
            r, f"{attach}, which has no load balancer, yet {_rule_text(r)} admits a source "
            "other than the group itself", related=_related(graph, r, extra),
            severity="note" if shared_with_fronted else None)
        return
    extra += [(res, path, msg) for res, path, msg in chain.links]
    lb_names = ", ".join(g.address for g in chain.groups) or "none found"
    lbs = ", ".join(lb.address for lb in chain.lbs) or "its load balancer"
    allowed_text = f"the load balancer's group ({lb_names}, of {lbs})"
    if isinstance(src, Sg):
        if src.node is None:
            yield _unknown(r, f"the source group {src.label()} is not declared in the scanned files")
            return
        if not any(src.node is g for g in chain.groups):
            if not chain.complete:
                yield _unknown(r, "the load balancer chain is incomplete: " + "; ".join(chain.reasons[:2]))
                return
            yield _finding(r, f"{attach}; {_rule_text(r)}: the source is not {allowed_text}",
                           related=_related(graph, r, extra))
            return
        within = r.within(chain.ports) if chain.ports else None
        if within is True:
            return
        if within is None or not chain.complete:
            yield _unknown(r, "the container port or the rule's ports are unknown")
            return
        ports = ", ".join(str(p) for p in sorted(chain.ports))
        yield _finding(r, f"{attach}; {_rule_text(r)}: {r.ports_label()} {_verb(r)} "
                       f"{_wider(r, chain.ports)} the container port {ports}",
                       related=_related(graph, r, extra))
        return
    what = f"the address range {src.value}" if isinstance(src, Cidr) else src.label()
    yield _finding(r, f"{attach}; {_rule_text(r)}: the source is {what}, not {allowed_text}",
                   related=_related(graph, r, extra))


# ----------------------------------------------------------------------------------------
# WAL-SG-005
# ----------------------------------------------------------------------------------------

@rule(id="WAL-SG-005", security_severity=4.5, name="sg-restricted-egress",
      title="Data-tier SGs have no egress; LB SGs egress only to their targets",
      pillar="security", category="sg-least-privilege", best_practice=("SEC05-BP02",),
      severity=severity(development="off", mvp="note", production="warning",
                        regulated="error"),
      checkov=("CKV_AWS_382",))
def sg_restricted_egress(graph):
    """A data store's security group allows no outbound traffic (but to itself), and an
    Application Load Balancer's group sends traffic only to the security groups of the
    targets registered behind it, on the target ports.

    ## Why
    A database or cache never opens connections, so an egress rule only serves an
    attacker exfiltrating data; the load balancer only talks to its targets
    (SEC05-BP02). The foundation's RDS and ElastiCache groups have no outbound rule, and
    the ALB group sends 8080 to the ECS group only.

    ## Default
    This is where the formats differ. In CloudFormation, an `AWS::EC2::SecurityGroup`
    without inline `SecurityGroupEgress` keeps EC2's default rule allowing all outbound
    traffic (standalone `AWS::EC2::SecurityGroupEgress` resources add rules, they do not
    remove it); walint adds that implicit rule and says so in the message. Terraform's
    `aws_security_group` removes the default rule on creation, so a group without egress
    blocks or rule resources has no egress. An egress to `127.0.0.1/32` is the usual
    CloudFormation placeholder for "no egress" and is accepted.

    ## Severity
    RULES.md gives this rule warning in `production` and error in `regulated`. Walint
    keeps that for data-tier groups, and reports a load balancer's group as a note outside
    `regulated`. A database or cache that can open outbound connections is a real
    exfiltration path (SQL injection driving `dblink`, `aws_s3` exports, `INTO OUTFILE`);
    a load balancer runs no customer code and opens connections only to its registered
    targets, their health checks and, for `authenticate-oidc`/`authenticate-cognito`
    actions, the identity provider, so a broad egress rule on its group gives an attacker
    nothing to drive. Nearly every CloudFormation template keeps EC2's default egress on
    its load balancer's group (AWS's own reference templates do); an error-level gate on
    it would fail good repositories for a hygiene point. In `regulated`, where egress
    must be justified rule by rule, it stays an error.

    ## Example
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      CacheSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Redis, with EC2's default egress
          VpcId: vpc-0a1b2c3d4e5f60001
      Cache:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties:
          ReplicationGroupDescription: sessions
          Engine: redis
          CacheNodeType: cache.t4g.micro
          NumCacheClusters: 2
          SecurityGroupIds: [!Ref CacheSecurityGroup]
    ```
    ```hcl
    resource "aws_security_group" "cache" {
      name   = "cache"
      vpc_id = "vpc-0a1b2c3d4e5f60001"

      egress {
        from_port   = 0
        to_port     = 0
        protocol    = "-1"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }

    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id = "sessions"
      description          = "sessions"
      engine               = "redis"
      node_type            = "cache.t4g.micro"
      num_cache_clusters   = 2
      security_group_ids   = [aws_security_group.cache.id]
    }
    ```

    ## Fix
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      CacheSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Redis, no egress
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupEgress:
            - IpProtocol: "-1"
              CidrIp: 127.0.0.1/32
      Cache:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties:
          ReplicationGroupDescription: sessions
          Engine: redis
          CacheNodeType: cache.t4g.micro
          NumCacheClusters: 2
          SecurityGroupIds: [!Ref CacheSecurityGroup]
    ```
    ```hcl
    resource "aws_security_group" "cache" {
      name   = "cache"
      vpc_id = "vpc-0a1b2c3d4e5f60001"
    }

    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id = "sessions"
      description          = "sessions"
      engine               = "redis"
      node_type            = "cache.t4g.micro"
      num_cache_clusters   = 2
      security_group_ids   = [aws_security_group.cache.id]
    }
    ```

    ## Trade-off
    The app tier's egress is not checked: the foundation lets it call external HTTPS APIs.
    """
    for group in graph.resources("sg"):
        stores = _data_stores(graph, group)
        albs = [a.resource for a in attached(graph, group)
                if a.resource.kind == "lb" and sgm.lb_type(a.resource) in ("application", None)]
        if not stores and not albs:
            continue
        egress = effective_rules(graph, group, EGRESS)
        if not egress and not egress.complete:
            yield group.unknown(None, egress.reasons[0], key="egress:incomplete")
            continue
        if stores:
            yield from _data_egress(graph, group, egress, stores)
        elif albs:
            yield from _lb_egress(graph, group, egress, albs)


def _data_egress(graph, group, egress, stores):
    chain = f"sg {group.address} is attached to data store {_store_text(stores)}"
    extra = [(a.resource, a.path, f"sg {group.address} is attached to {a.resource.address}")
             for a, _ in stores]
    implicit_done = False
    for r in egress:
        src = r.source
        if isinstance(src, Sg) and src.self_ref:
            continue
        if isinstance(src, Cidr) and src.loopback:
            continue
        if r.implicit:
            if implicit_done:
                continue
            implicit_done = True
            yield group.finding(
                None, f"{chain}; the group declares no SecurityGroupEgress, so EC2 keeps its "
                "default rule allowing all outbound traffic (0.0.0.0/0 and ::/0) (CloudFormation "
                "implicit default egress): a data store needs no egress",
                related=[Related(res, tuple(p or ()), m) for res, p, m in extra],
                key="egress:implicit-default")
            continue
        if isinstance(src, UnknownSource):
            yield _unknown(r, f"the destination of this egress rule is unknown ({src.reason})")
            continue
        if isinstance(src, Sg) and src.node is None and not src.name:
            yield _unknown(r, "the destination group is unknown")
            continue
        yield _finding(r, f"{chain}; {_rule_text(r)}: a data store needs no egress",
                       related=_related(graph, r, extra))


def _lb_egress(graph, group, egress, albs):
    targets = [lb_targets(graph, lb) for lb in albs]
    target_groups, ports, reasons, links = [], set(), [], []
    for t in targets:
        target_groups.extend(g for g in t.groups if not any(g is o for o in target_groups))
        ports |= t.ports
        reasons += t.reasons
        links += t.links
    lb_names = ", ".join(lb.address for lb in albs)
    chain = f"sg {group.address} is attached to load balancer {lb_names}"
    # a load balancer runs no customer code: a broad egress on its group is a note
    # outside `regulated` (see the rule's "Severity" section)
    level = None if graph.profile_of(group) == "regulated" else "note"
    target_text = ", ".join(g.address for g in target_groups) or "none found"
    extra = links
    implicit_done = False
    for r in egress:
        src = r.source
        if isinstance(src, Cidr) and src.loopback:
            continue
        if r.implicit:
            if implicit_done:
                continue
            implicit_done = True
            yield group.finding(
                None, f"{chain}; the group declares no SecurityGroupEgress, so EC2 keeps its "
                "default rule allowing all outbound traffic (0.0.0.0/0 and ::/0) (CloudFormation "
                f"implicit default egress): a load balancer should reach only its targets' "
                f"groups ({target_text})",
                related=[Related(a.resource, a.path, f"sg {group.address} is attached to "
                                 f"{a.resource.address}") for a in attached(graph, group)]
                + [Related(res, tuple(p or ()), m) for res, p, m in extra],
                key="egress:implicit-default", severity=level)
            continue
        if isinstance(src, UnknownSource):
            yield _unknown(r, f"the destination of this egress rule is unknown ({src.reason})")
            continue
        if isinstance(src, (Cidr, PrefixList)):
            what = f"the address range {src.value}" if isinstance(src, Cidr) else src.label()
            yield _finding(r, f"{chain}; {_rule_text(r)}: the destination is {what}, not the "
                           f"security group of a target behind the load balancer ({target_text})",
                           related=_related(graph, r, extra), severity=level)
            continue
        node = r.group if src.self_ref else src.node
        if node is None:
            yield _unknown(r, f"the destination group {src.label()} is not declared in the scanned files")
            continue
        if not any(node is g for g in target_groups):
            if reasons:
                yield _unknown(r, "the load balancer's targets are not all known: " + reasons[0])
                continue
            yield _finding(r, f"{chain}; {_rule_text(r)}: {node.address} is not the security "
                           f"group of a target behind the load balancer ({target_text})",
                           related=_related(graph, r, extra), severity=level)
            continue
        within = r.within(ports) if ports else None
        if within is True:
            continue
        if within is None or reasons:
            yield _unknown(r, "the target ports or the rule's ports are unknown")
            continue
        yield _finding(r, f"{chain}; {_rule_text(r)}: {r.ports_label()} {_verb(r)} "
                       f"{_wider(r, ports)} the target ports {', '.join(str(p) for p in sorted(ports))}",
                       related=_related(graph, r, extra))


# ----------------------------------------------------------------------------------------
# WAL-SG-006
# ----------------------------------------------------------------------------------------

_FALLBACK = {
    # kind: (canonical attribute, what it is, attributes that make the check not apply)
    "db_instance": ("vpc_security_group_ids", "RDS DB instance", ("db_security_groups",)),
    "db_cluster": ("vpc_security_group_ids", "RDS DB cluster", ()),
    "cache_rg": ("security_group_ids", "ElastiCache replication group",
                 ("cache_security_group_names", "security_group_names")),
    "cache_cluster": ("security_group_ids", "ElastiCache cluster",
                      ("cache_security_group_names", "security_group_names")),
    "ecs_service": ("security_groups", "ECS service", ()),
    "efs_mount_target": ("security_groups", "EFS mount target", ()),
}


def _no_groups(value):
    return decide(value, lambda v: isinstance(v, (list, tuple)) and len(v) == 0
                  if not isinstance(v, str) else (v.strip() == ""))


def _holds_declared_group(graph, node, attr, value):
    """The declared security group an unknown SG list surely holds, else None.

    The list is unknown as a whole, but its unknownness is only that of a group's own id
    (`compact(flatten([join("", aws_security_group.x[*].id), var.extra]))`: the reason
    names the group), and the node is attached to that group through this attribute; the
    group is surely created (not optional, its instances known). A list that is unknown
    for another reason (a variable in `setsubtract([group.id], var.drop)`, a `for` filter)
    keeps the group's reference as an edge but may still be empty: it stays unknown."""
    if not isinstance(value, Unknown):
        return None
    via = ".".join(str(p) for p in node.locate(attr)[1] if isinstance(p, str))
    for e in graph.references(node):
        g = e.target
        if g.kind != "sg" or e.via != via or g.optional or g.instances_unknown:
            continue
        if not any(a.resource is node and a.via == via for a in attached(graph, g)):
            continue
        if value.reason.startswith(g.address + "."):
            return g
    return None


@rule(id="WAL-SG-006", security_severity=5.0, name="sg-no-default-sg",
      title="Nothing relies on the VPC default SG; default SG has no rules",
      pillar="security", category="sg-least-privilege", best_practice=("SEC05-BP02",),
      severity=severity(development="warning", mvp="warning", production="warning",
                        regulated="error"),
      checkov=("CKV2_AWS_12",))
def sg_no_default_sg(graph):
    """Data stores and awsvpc ECS services name their own security groups instead of
    falling back to the VPC's default group, and the default group (managed in Terraform
    with `aws_default_security_group`) has no rules.

    ## Why
    An RDS instance or cluster, an ElastiCache group or cluster, an awsvpc ECS service or
    an EFS mount target created without a security-group list gets the VPC's default
    group, which by default admits everything from every other member of that group: the
    database then shares a flat network with whatever else was left on the default
    (SEC05-BP02). The default group itself should stay empty so that nothing can rely on
    it.

    ## Default
    Without an `aws_default_security_group`, AWS's default group keeps its rules
    (all traffic from itself, all egress); this is a note, and a failure in the regulated
    profile. CloudFormation cannot manage the default group: that part is not applicable
    there (manage the default group outside CloudFormation).

    An RDS DB instance of an Aurora engine (`aurora`, `aurora-mysql`, `aurora-
    postgresql`) is a cluster member even when it names no cluster: the VPC security-
    group list is the cluster's setting (AWS creates Aurora instances only in a
    cluster), so the instance is not asked for it. When the engine cannot be resolved,
    the result is unknown.

    A security-group list walint cannot read is unknown, except one whose only unknown
    part is the id of a group declared in the same configuration and surely created (no
    undecided `count` or condition), such as
    `compact(concat([join("", aws_security_group.db[*].id)], var.extra))`: that list
    holds the group, so it is not empty. A list that may drop the group (a condition, a
    `for` filter, `setsubtract` with an unknown argument) stays unknown.

    ## Example
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_default_security_group" "default" {
      vpc_id = aws_vpc.main.id

      ingress {
        from_port = 0
        to_port   = 0
        protocol  = "-1"
        self      = true
      }
    }
    ```

    ## Fix
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      DatabaseSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: PostgreSQL
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupEgress:
            - IpProtocol: "-1"
              CidrIp: 127.0.0.1/32
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
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_default_security_group" "default" {
      vpc_id = aws_vpc.main.id
    }
    ```
    """
    # (a) resources that fall back to the VPC default group
    for kind, (attr, what, skip) in _FALLBACK.items():
        for node in graph.resources(kind):
            if any(node.has(s) for s in skip):
                continue
            if kind == "db_instance":
                governed = cluster_governed(node)
                if governed is None and not node.has(attr):
                    yield node.unknown("engine", CLUSTER_UNDECIDED, key=f"fallback:{attr}")
                if governed is not False:
                    continue     # a cluster member (any Aurora engine) takes the cluster's groups
            if kind == "ecs_service" and not node.has("network_configuration"):
                continue         # not awsvpc: the tasks use the instances' groups
            value = sgm.lookup(node, attr)
            if value is ABSENT:
                yield node.finding(None, f"{what} {node.address} names no security group, so it "
                                   "falls back to the VPC's default security group",
                                   key=f"fallback:{attr}")
                continue
            verdict = _no_groups(value)
            if verdict is True:
                yield node.finding(attr, f"{what} {node.address} has an empty security-group "
                                   "list, so it falls back to the VPC's default security group",
                                   key=f"fallback:{attr}")
            elif verdict is None and _holds_declared_group(graph, node, attr, value) is None:
                yield node.unknown(attr, "whether the security-group list is empty is unknown")
    # (b) the default security group itself (Terraform only)
    defaults = [g for g in graph.resources("sg") if g.type == "aws_default_security_group"]
    for g in defaults:
        rules = [r for d in (INGRESS, EGRESS) for r in effective_rules(graph, g, d)]
        for r in rules:
            yield _finding(r, f"the VPC default security group {g.address} has a rule: "
                           f"{_rule_text(r)}; keep the default group empty so nothing can "
                           "rely on it")
        incomplete = [reason for d in (INGRESS, EGRESS)
                      for reason in effective_rules(graph, g, d).reasons]
        if not rules and incomplete:
            yield g.unknown(None, incomplete[0])
    for vpc in graph.resources("vpc"):
        if vpc.format != "terraform":
            continue
        managed = [g for g in defaults
                   if graph.deref(g, g.get("vpc_id")) is vpc
                   or (vpc.type == "aws_default_vpc" and not g.has("vpc_id"))]
        if managed or vpc.optional:
            continue
        yield vpc.finding(None, f"VPC {vpc.address} has no aws_default_security_group, so its "
                          "default security group keeps AWS's rules (all traffic from itself, "
                          "all egress)", key="default-sg-unmanaged",
                          severity=None if graph.profile_of(vpc) == "regulated" else "note")


RULES = [sg_no_internet_admin_data_ports, sg_internet_ingress_lb_only, sg_data_tier_ingress,
         sg_app_tier_ingress, sg_restricted_egress, sg_no_default_sg]

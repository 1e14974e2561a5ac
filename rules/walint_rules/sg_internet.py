"""sg-least-privilege at the edge: what the internet reaches (WAL-SG-001, WAL-SG-002).

Each rule walks the normalized rules of `walint.api.effective_rules`. A finding is
addressed to the resource holding the rule (the group for an inline rule, the standalone
rule resource otherwise), anchored on its source attribute, and names the group's
attachments, which decide its role, in the message and as related locations.
"""
from dataclasses import replace

from walint.api import (INGRESS, Cidr, UnknownSource, all_rules, attached, roles, rule,
                        severity)
from walint.api import sg as sgm

from ._sg_words import (LB_PUBLIC_PORTS, attachment_text, finding_on, open_words, port_list,
                        related_of, rule_text, sensitive_ports, unknown_on)

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
            if r.is_all or r.intersects(sensitive_ports(graph, r)) is not False:
                return "unknown", f"the source range is unknown ({src.reason})"
        return "pass", None
    if not isinstance(src, Cidr) or not src.internet:
        return "pass", None
    if r.is_all:
        return "fail", f"all traffic (every protocol and port) is open to the internet ({src.value}{note})"
    if not r.known:
        return "unknown", "the protocol or ports of a rule open to the internet are unknown"
    sensitive = sensitive_ports(graph, r)
    hits = r.ports_in(sensitive)
    if not hits:
        return "pass", None
    app = "app_sg" in roles(graph, r.group) if r.group is not None else False
    lo, hi = r.port_range()
    if lo == hi:
        what = f"port {port_list([lo], app)} is open"
    else:
        what = f"ports {lo}-{hi} ({r.protocol}), including {port_list(hits, app)}, are open"
    return "fail", f"{what} to the internet ({src.value}{note})"


# Resources that never hold a public address: an interface VPC endpoint's network
# interfaces, a Lambda function's and an EFS mount target's are private (AWS PrivateLink,
# Lambda VPC and EFS docs).
PRIVATE_ONLY_KINDS = ("vpc_endpoint", "lambda", "efs_mount_target")
_PRIVATE_ONLY_WORDS = {"vpc_endpoint": "VPC endpoint", "lambda": "Lambda function",
                       "efs_mount_target": "EFS mount target"}


def _private_only_text(atts) -> str:
    """`VPC endpoint CfnEndpoint, which has` / `Lambda functions a, b, which have`."""
    names = sorted({a.resource.address for a in atts})
    kinds = {a.resource.kind for a in atts}
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    if len(kinds) > 1:
        return f"{shown}, which have"
    what = _PRIVATE_ONLY_WORDS[next(iter(kinds))]
    return f"{what} {shown}, which has" if len(names) == 1 else f"{what}s {shown}, which have"


def _private_only(graph, group) -> list:
    """The group's attachments when there are some and none can hold a public address."""
    atts = attached(graph, group) if group is not None else []
    return atts if atts and all(a.resource.kind in PRIVATE_ONLY_KINDS for a in atts) else []


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
    Two cases are a warning rather than an error, since the internet cannot reach the port:
    all traffic open on a group attached only to load balancers (a load balancer answers
    on its listener ports alone), and a group attached only to resources that never hold
    a public address (interface VPC endpoints, Lambda functions, EFS mount targets), where
    `0.0.0.0/0` admits every network that routes to the VPC. Either group is still wider
    than it needs to be.

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
            yield finding_on(r, f"{text} on load balancer group {r.group.address}. Only the "
                           f"listener ports answer, so no admin or data port is reached, but the "
                           f"group should admit only those ports ({r.where()}; "
                           f"{attachment_text(graph, r.group)})",
                           related=related_of(graph, r), severity="warning")
        elif verdict == "fail" and _private_only(graph, r.group):
            atts = _private_only(graph, r.group)
            yield finding_on(r, f"{text.replace('to the internet', 'to any address', 1)} on the "
                           f"group of {_private_only_text(atts)} only private addresses. Every network "
                           f"that routes to the VPC reaches it: admit the clients' groups instead "
                           f"({r.where()})", related=related_of(graph, r), severity="warning")
        elif verdict == "fail":
            yield finding_on(r, f"{text} by {r.where()}; {attachment_text(graph, r.group)}",
                           related=related_of(graph, r))
        elif verdict == "unknown":
            yield unknown_on(r, text)


# ----------------------------------------------------------------------------------------
# WAL-SG-002
# ----------------------------------------------------------------------------------------

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
    endpoints, Lambda functions and EFS mount targets, whose network interfaces are
    private) is not open to
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
                yield unknown_on(r, f"the source range is unknown ({src.reason})")
            continue
        if not isinstance(src, Cidr) or not src.internet:
            continue
        if _sg001(graph, r)[0] != "pass":
            continue            # WAL-SG-001 reports it (or could not decide it)
        if r.group is None:
            yield unknown_on(r, "the group of this rule cannot be followed, so its role is unknown")
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
                    yield unknown_on(r, "the ports of this rule are unknown")
                    continue
                lb = lbs[facing.index(True)]
                yield finding_on(
                    r, f"{open_words(r)} to the internet ({src.value}) on the group "
                    f"of internet-facing load balancer {lb.address}, which should admit only "
                    f"80 and 443: {rule_text(r)}; {attachment_text(graph, r.group)}",
                    related=related_of(graph, r), severity=_icmp_level(r))
                continue
            if any(f is None for f in facing):
                lb = lbs[facing.index(None)]
                yield unknown_on(r, f"whether load balancer {lb.address} is internet-facing is "
                                  f"unknown: {rule_text(r)}")
                continue
            yield finding_on(
                r, f"{open_words(r)} to the internet ({src.value}) on the group of "
                f"internal load balancer {lbs[0].address}: {rule_text(r)}; "
                f"{attachment_text(graph, r.group)}", related=related_of(graph, r),
                severity=_icmp_level(r))
            continue
        if _private_only(graph, r.group):
            # no public address behind the group: "any address" is every network that
            # routes to the VPC, not the internet
            yield finding_on(
                r, f"{open_words(r)} to any address ({src.value}) on the group of "
                f"{_private_only_text(atts)} only private addresses. Every network that routes to "
                f"the VPC reaches it: admit the VPC's range or the clients' groups instead "
                f"({rule_text(r)})", related=related_of(graph, r),
                severity="warning")
            continue
        if atts:
            yield finding_on(
                r, f"{open_words(r)} to the internet ({src.value}) on a group that "
                f"is not an internet-facing load balancer's: {rule_text(r)}; "
                f"{attachment_text(graph, r.group)}", related=related_of(graph, r),
                severity=_icmp_level(r))
            continue
        if ports_ok is not False:
            # attached to nothing in the scan: it may be the group of a load balancer of
            # another stack or root, the one place where 80/443 from the internet belongs
            yield unknown_on(r, f"sg {r.group.address} is attached to nothing declared here, so "
                              "whether it is an internet-facing load balancer's group is unknown "
                              f"(it may be attached in another stack or root): {rule_text(r)}"
                           if ports_ok else "the ports of this rule are unknown")
            continue
        if graph.profile_of(r.origin) in ("production", "regulated"):
            yield finding_on(
                r, f"unattached SG open to internet: {r.ports_label()} from {src.value} "
                f"({r.where()}); sg {r.group.address} is attached to nothing declared here, so "
                "it is not known to be an internet-facing load balancer's group",
                related=related_of(graph, r), severity=_icmp_level(r))


RULES = [sg_no_internet_admin_data_ports, sg_internet_ingress_lb_only]

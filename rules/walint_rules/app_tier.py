"""private-data-subnet / public-access for the application tier: ECS services, Lambda
functions and Auto Scaling groups run in private subnets without public IPs, and only
public-tier subnets auto-assign public IPs (RULES.md §2.2-2.3)."""
from walint.api import (ISOLATED, PRIVATE, PUBLIC, Related, UNKNOWN, Unknown, as_bool,
                        decide, groups_of, placement, rule, severity, tier_of, vpc_of)
from walint.api import edge_role as sg_edge_role

from ._net import _what


def _endpoint_services(graph, vpc):
    """(names, doubtful) of the interface endpoints' service suffixes in a VPC."""
    names, doubtful = set(), False
    for ep in graph.resources("vpc_endpoint"):
        if vpc is None or vpc_of(graph, ep) is not vpc:
            continue
        name = ep.get("service_name")
        if isinstance(name, str):
            for suffix in ("ecr.api", "ecr.dkr", "logs"):
                if name.endswith("." + suffix):
                    names.add(suffix)
        else:
            doubtful = True
    return names, doubtful


def _public_ip_on(value):
    return decide(value, lambda v: (v is True) or (isinstance(v, str) and v.strip().upper() in ("ENABLED", "TRUE")))


_LB_ATTACHMENTS = ("aws_autoscaling_attachment", "aws_autoscaling_traffic_source_attachment")
_ROLE_WORDS = {"bastion": "an SSH/RDP bastion", "vpn": "a VPN server", "nat": "a NAT instance"}


def _load_balanced(graph, asg) -> bool:
    if any(asg.has(a) for a in ("target_group_arns", "load_balancer_names", "load_balancers",
                                "traffic_source")):
        return True
    return any(r.type in _LB_ATTACHMENTS for r in graph.referrers(asg))


def _nat_interface(graph, lt) -> bool:
    """A launch template that attaches a network interface with source/destination check
    off, or one a route targets: the instance forwards traffic, a NAT instance."""
    for ni in _dicts(lt.get("network_interfaces")) + \
            _dicts(lt.get("launch_template_data.network_interfaces")):
        eni = graph.deref(lt, ni.get("network_interface_id"))
        if eni is None or eni.kind != "eni":
            continue
        if decide(eni.get("source_dest_check", True), as_bool) is False:
            return True
        if any(r.kind == "route" for r in graph.referrers(eni)):
            return True
    return False


def _dicts(value):
    """The dict items of a list attribute (nested blocks), none when it is not a list."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def edge_role(graph, asg):
    """(role word, undecided): is the Auto Scaling group an edge host (api.edge_role over
    the groups its launch templates name; a NAT instance by its network interface)?

    A forwarding group counts as a NAT instance only when no load balancer sends the
    group traffic: the application tier is load-balanced, a NAT instance is not."""
    groups, templates = [], _launch_configs(graph, asg)
    for lt in templates:
        if _nat_interface(graph, lt):
            return _ROLE_WORDS["nat"], False
        groups.extend(g for g in groups_of(graph, lt) if not isinstance(g, Unknown) and g not in groups)
    if not groups:
        return None, False
    role = sg_edge_role(graph, groups)
    if role == "nat" and _load_balanced(graph, asg):
        return None, False
    if role is None:
        return None, True
    return (_ROLE_WORDS[role], False) if role else (None, False)


def _launch_configs(graph, asg):
    out = []
    for e in graph.references(asg):
        if e.target.kind == "launch_template" and e.target not in out:
            out.append(e.target)
    return out


@rule(id="WAL-NET-004", name="app-tier-private",
      title="App tier (ECS/Lambda/ASG) runs in private subnets without public IPs",
      pillar="security", category="private-data-subnet", best_practice=("SEC05-BP01",),
      severity=severity(development="warning", mvp="warning", production="error", regulated="error"),
      checkov=("CKV_AWS_333", "CKV_AWS_88"))
def app_tier_private(graph):
    """ECS services, VPC Lambda functions and Auto Scaling groups run in private subnets
    and get no public IP address; only the load balancer faces the internet.

    ## Why
    The foundation's request path is internet -> ALB (public subnets) -> ECS tasks
    (private subnets) -> data. A task with a public IP in a public subnet can be
    reached directly, bypassing the load balancer, its TLS and its WAF, and guarded by
    a security group alone (SEC05-BP01). The tier of each subnet comes from its route
    table. An ECS service in isolated subnets (no NAT) gets a note: it can only pull
    images and ship logs through VPC endpoints (`ecr.api`, `ecr.dkr`, `logs`, and S3);
    when those interface endpoints are in the VPC it passes silently. A Lambda
    function without `VpcConfig` is not in the VPC and is out of scope.

    Not every Auto Scaling group is the application tier. Edge hosts face the outside
    by design and belong in public subnets with public IPs, so this rule skips an Auto
    Scaling group whose launch template makes it one (the role model of
    `walint.api.edge_role`, docs/design.md "Roles"):

    * an SSH/RDP bastion or a VPN server: its security groups admit from outside the VPC
      (a public range, or one walint cannot resolve) nothing but SSH 22/tcp, RDP
      3389/tcp, OpenVPN 1194, IPsec 500/udp, 4500/udp and ESP, or WireGuard 51820/udp;
    * a NAT instance: its launch template attaches a network interface whose
      source/destination check is off or that a route targets, or its groups admit
      traffic from private ranges (RFC 1918, RFC 6598, IPv6 ULA) and forward it to the
      internet: all traffic in and all traffic out (the CloudFormation default egress
      counts), or each admitted port mirrored by an explicit egress rule to the internet
      on the same port; and no load balancer sends it traffic (the application tier is
      load-balanced, a NAT instance is not). A server that admits one application port
      from the VPC and keeps a broad egress is not a NAT instance.

    A VPN protocol's own port (IKE, NAT traversal, ESP, OpenVPN, WireGuard) open to the
    outside makes a VPN server whatever else its groups admit (SoftEther and SSL VPNs also
    take 443). Ports admitted from a range walint cannot resolve (a VPC range imported
    from another stack) and each mirrored by an explicit egress to the internet may be a
    NAT instance's: unknown. Otherwise, a group that also admits an application port
    (443, 8080...) from outside is the application tier. When the ports of such a rule cannot be resolved, whether the
    group is an edge host is unknown, and so is the result. ECS services and Lambda
    functions are always the application tier.

    ## Default
    `AssignPublicIp` defaults to DISABLED, `assign_public_ip` to false.

    ## Example
    ```yaml
    Resources:
      Service:
        Type: AWS::ECS::Service
        Properties:
          Cluster: main
          TaskDefinition: app:1
          LaunchType: FARGATE
          DesiredCount: 2
          NetworkConfiguration:
            AwsvpcConfiguration:
              AssignPublicIp: ENABLED
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
    ```
    ```hcl
    resource "aws_ecs_service" "app" {
      name            = "app"
      cluster         = "main"
      task_definition = "app:1"
      launch_type     = "FARGATE"
      desired_count   = 2

      network_configuration {
        subnets          = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
        assign_public_ip = true
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Service:
        Type: AWS::ECS::Service
        Properties:
          Cluster: main
          TaskDefinition: app:1
          LaunchType: FARGATE
          DesiredCount: 2
          NetworkConfiguration:
            AwsvpcConfiguration:
              AssignPublicIp: DISABLED
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
    ```
    ```hcl
    resource "aws_ecs_service" "app" {
      name            = "app"
      cluster         = "main"
      task_definition = "app:1"
      launch_type     = "FARGATE"
      desired_count   = 2

      network_configuration {
        subnets          = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
        assign_public_ip = false
      }
    }
    ```

    ## Trade-off
    Private subnets need a NAT gateway (about 32 USD a month per NAT plus 0.045 USD per
    GB processed in us-east-1) or VPC endpoints (about 7 USD a month per interface
    endpoint per zone) to pull images. A public IP saves that money at the price of
    exposing the tasks; the rule is a warning in `development` and `mvp`.
    """
    seen_templates = set()
    for r in graph.resources("ecs_service", "lambda", "asg"):
        if r.kind == "lambda" and not r.has("subnet_ids"):
            continue
        if r.kind == "asg":
            role, undecided = edge_role(graph, r)
            if role:
                continue        # an edge host belongs in a public subnet
            if undecided:
                yield r.unknown(None, f"whether Auto Scaling group {r.address} is an edge host (a "
                                "bastion, VPN server or NAT instance, which belongs in a public "
                                "subnet) is unknown: its security-group rules cannot all be read")
                continue
        if r.kind == "ecs_service":
            v = _public_ip_on(r.get("assign_public_ip", False))
            if v is True:
                yield r.finding("assign_public_ip", f"ECS service {r.address} gives its tasks public IP "
                                "addresses: they can be reached without the load balancer, guarded by a "
                                "security group alone", key="public-ip")
            elif v is None:
                yield r.unknown("assign_public_ip", f"{r.native('assign_public_ip')} cannot be resolved")
        p = placement(graph, r)
        if p.missing or (not p.subnets and not p.unknown):
            if r.kind == "asg":
                yield from _asg_public_ip(graph, r, seen_templates)
            continue
        tiers, doubtful = [], []
        for s in p.subnets:
            if isinstance(s, Unknown):
                doubtful.append(s.reason)
                continue
            t = tier_of(graph, s)
            tiers.append((s, t))
            if t.tier == UNKNOWN:
                doubtful.append(t.reason)
        if p.unknown:
            doubtful.append(p.unknown)
        public = [(s, t) for s, t in tiers if t.tier == PUBLIC]
        if public:
            s, t = public[0]
            names = ", ".join(x.address for x, _ in public)
            yield r.finding(p.attr, f"{_what(r)} runs in public subnet{'s' if len(public) > 1 else ''} "
                            f"{names} ({t.describe()}): the application tier belongs in private subnets "
                            "behind the load balancer", related=t.related(), key="public-subnet")
        elif doubtful:
            yield r.unknown(p.attr, f"the tier of its subnets is unknown: {doubtful[0]}")
        elif r.kind == "ecs_service" and tiers and all(t.tier == ISOLATED for _, t in tiers):
            vpc = vpc_of(graph, tiers[0][0])
            names, unsure = _endpoint_services(graph, vpc)
            if not {"ecr.api", "ecr.dkr", "logs"} <= names:
                if unsure:
                    yield r.unknown(p.attr, "the VPC's endpoints cannot all be read")
                else:
                    missing = sorted({"ecr.api", "ecr.dkr", "logs"} - names)
                    yield r.finding(p.attr, f"ECS service {r.address} runs in isolated subnets (no NAT) and "
                                    f"the VPC has no interface endpoint for {', '.join(missing)}: tasks "
                                    "cannot pull images or ship logs unless endpoints or a NAT route exist",
                                    related=tiers[0][1].related(), key="isolated", severity="note")
        if r.kind == "asg":
            yield from _asg_public_ip(graph, r, seen_templates)


def _asg_public_ip(graph, asg, seen):
    for lt in _launch_configs(graph, asg):
        if id(lt) in seen:
            continue
        seen.add(id(lt))
        paths = []
        if lt.has("associate_public_ip_address"):
            paths.append(("associate_public_ip_address",))
        for base in (("network_interfaces",), ("launch_template_data", "network_interfaces")):
            nis = lt.get(".".join(base)) if lt.has(".".join(base)) else None
            if isinstance(nis, list):
                for i, ni in enumerate(nis):
                    if isinstance(ni, dict) and "associate_public_ip_address" in ni:
                        paths.append(_concrete(lt, base) + (i, "associate_public_ip_address"))
        for path in paths:
            v = decide(lt.get(path), as_bool)
            if v is True:
                yield lt.finding(path, f"{_what(lt)}, used by Auto Scaling group {asg.address}, gives its "
                                 "instances public IP addresses: the application tier belongs in private "
                                 "subnets behind the load balancer",
                                 related=[Related(asg, (), "the Auto Scaling group using it")], key="public-ip")


def _concrete(resource, base):
    value, path = resource.locate(".".join(base))
    return tuple(path) if path else base


@rule(id="WAL-NET-005", security_severity=5.0, name="subnet-public-ip-by-tier", title="Only public-tier subnets auto-assign public IPs",
      pillar="security", category="public-access", best_practice=("SEC05-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_130",))
def subnet_public_ip_by_tier(graph):
    """A subnet that auto-assigns public IPs on launch (`MapPublicIpOnLaunch`) is a public
    subnet (its route table has an internet-gateway default route); private and
    isolated subnets do not assign public IPs.

    ## Why
    In a private or isolated subnet the public IP is useless today and dangerous
    tomorrow: the day someone adds an internet-gateway route to that table, every
    instance in it becomes reachable from the internet (SEC05-BP01). The flag also
    misleads readers about what the subnet is. Public subnets may keep it.

    ## Default
    `MapPublicIpOnLaunch` / `map_public_ip_on_launch` defaults to false.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      AppSubnet:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
          MapPublicIpOnLaunch: true
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_route_table" "app" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_subnet" "app" {
      vpc_id                  = aws_vpc.main.id
      cidr_block              = "10.0.10.0/24"
      map_public_ip_on_launch = true
    }

    resource "aws_route_table_association" "app" {
      subnet_id      = aws_subnet.app.id
      route_table_id = aws_route_table.app.id
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      AppSubnet:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
          MapPublicIpOnLaunch: false
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_route_table" "app" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_subnet" "app" {
      vpc_id                  = aws_vpc.main.id
      cidr_block              = "10.0.10.0/24"
      map_public_ip_on_launch = false
    }

    resource "aws_route_table_association" "app" {
      subnet_id      = aws_subnet.app.id
      route_table_id = aws_route_table.app.id
    }
    ```
    """
    for s in graph.resources("subnet"):
        if not s.has("map_public_ip_on_launch"):
            continue
        v = decide(s.get("map_public_ip_on_launch"), as_bool)
        if v is not True:
            if v is None:
                yield s.unknown("map_public_ip_on_launch", f"{s.native('map_public_ip_on_launch')} cannot be resolved")
            continue
        t = tier_of(graph, s)
        if t.tier in (PRIVATE, ISOLATED):
            yield s.finding("map_public_ip_on_launch", f"{t.tier} subnet {s.address} assigns public IPs on "
                            f"launch ({t.describe()}): the day its route table gets an internet-gateway "
                            "route, every instance in it is exposed", related=t.related(with_subnet=False),
                            key="map-public-ip")
        elif t.tier == UNKNOWN:
            yield s.unknown("map_public_ip_on_launch", f"the subnet's tier is unknown: {t.reason}")


RULES = [app_tier_private, subnet_public_ip_by_tier]

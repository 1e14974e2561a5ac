"""nat-redundancy: a NAT gateway per zone, in a public subnet with an EIP, and default
routes through managed NAT gateways rather than NAT instances (RULES.md §2.3).

The rules reason over the topology (`walint.api.nat_route`, `default_routes`, ...) and
name the chain that proves a finding: subnet, route table, route, NAT gateway, zone."""
from walint.api import (ISOLATED, PRIVATE, Related, UNKNOWN, Unknown, as_bool, decide,
                        default_routes, distinct_zones, is_regional, nat_route, nat_subnet,
                        rule, same_zone, severity, tier_of, vpc_key, zone_label, zone_of,
                        zone_of_value, zones_text)

from ._net import _lower, _zones_text


_VPC_MODULES = ("terraform-aws-modules/vpc/aws", "terraform-aws-modules/terraform-aws-vpc")


def _is_vpc_module(r) -> bool:
    source = r.meta.get("module_source") or r.type[len("module:"):]
    return isinstance(source, str) and any(m in source for m in _VPC_MODULES)


def _facade_nat(graph):
    """WAL-NAT-001 on an unexpanded terraform-aws-modules/vpc call (RULES.md §3.3)."""
    for m in graph.resources("module_facade"):
        if not _is_vpc_module(m):
            continue
        enabled = decide(m.get("enable_nat_gateway", False), as_bool)
        single = decide(m.get("single_nat_gateway", False), as_bool)
        if enabled is False or single is False:
            continue
        azs, private = m.get("azs", []), m.get("private_subnets", [])
        if not isinstance(private, list) or not isinstance(azs, list):
            yield m.unknown("single_nat_gateway", "the module's zones or private subnets are unknown")
            continue
        if not azs or not private:
            continue
        # the module places private subnet i in element(azs, i)
        zones = [zone_of_value(graph, m, azs[i % len(azs)]) for i in range(len(private))]
        lo, hi = distinct_zones(zones)
        if hi < 2:
            continue
        if lo < 2:
            yield m.unknown("single_nat_gateway", "the zones of the module's private subnets are unknown")
            continue
        first = zone_label(zones[0])
        rest = zones_text([z for z in zones if same_zone(z, zones[0]) is not True])
        if enabled is None or single is None:
            yield m.unknown("single_nat_gateway", "enable_nat_gateway or single_nat_gateway cannot be resolved")
            continue
        yield m.finding("single_nat_gateway", f"module {m.address} creates one NAT gateway (in {first}) for "
                        f"private subnets in {lo} zones ({zones_text(zones)}): if {first} fails, "
                        f"private subnets in {rest} lose internet egress, and their traffic "
                        "pays cross-AZ charges (set one_nat_gateway_per_az = true, single_nat_gateway = false)",
                        related=[Related(m, ("azs",), "the module's zones")], key="single-nat")


@rule(id="WAL-NAT-001", name="nat-per-az", title="Private subnets egress through a NAT gateway in their own AZ",
      pillar="reliability", category="nat-redundancy", best_practice=("REL10-BP01", "COST08-BP02"),
      severity=severity(development="off", mvp="note", production="error", regulated="error"))
def nat_per_az(graph):
    """Each private subnet's default route goes to a NAT gateway in the subnet's own
    Availability Zone (or to a regional NAT gateway). Decided by following the routes,
    not by counting NAT gateways.

    ## Why
    A NAT gateway lives in one zone. When private subnets of several zones share it,
    losing its zone cuts every other zone's internet egress (image pulls, third-party
    APIs, patching) although their own zone is healthy (REL10-BP01), and their egress
    pays cross-AZ transfer on top of NAT processing (COST08-BP02 recommends a NAT in
    the zone of the traffic). Counting NAT gateways is not enough: three NATs all in
    one zone fail, and so does a NAT per zone when every route table points at the
    first. walint walks subnet -> association (or main route table) -> route table ->
    default route -> NAT gateway -> the NAT's subnet -> zone, and compares zones
    symbolically (`!Select [1, !GetAZs '']` and `names[count.index]` are different
    zones). One finding is reported per NAT gateway that serves another zone. A VPC
    whose private subnets all sit in one zone is not in scope (WAL-MAZ-004 reports
    that). For an unexpanded terraform-aws-modules/vpc call, `single_nat_gateway = true`
    with private subnets in two or more `azs` fails.

    ## Default
    NAT gateways are zonal unless `AvailabilityMode` / `availability_mode` is `regional`.
    A CloudFormation subnet with no association uses the main route table, which has only
    the local route.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      Igw:
        Type: AWS::EC2::InternetGateway
      IgwAttachment:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties:
          VpcId: !Ref Vpc
          InternetGatewayId: !Ref Igw
      PublicA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.1.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      PublicRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PublicDefault:
        Type: AWS::EC2::Route
        DependsOn: IgwAttachment
        Properties:
          RouteTableId: !Ref PublicRoutes
          DestinationCidrBlock: 0.0.0.0/0
          GatewayId: !Ref Igw
      PublicAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PublicA
          RouteTableId: !Ref PublicRoutes
      NatEip:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      Nat:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: !Ref PublicA
          AllocationId: !GetAtt NatEip.AllocationId
      PrivateA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      PrivateB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.11.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      PrivateRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PrivateDefault:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref PrivateRoutes
          DestinationCidrBlock: 0.0.0.0/0
          NatGatewayId: !Ref Nat
      PrivateAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PrivateA
          RouteTableId: !Ref PrivateRoutes
      PrivateBAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PrivateB
          RouteTableId: !Ref PrivateRoutes
    ```
    ```hcl
    module "vpc" {
      source  = "terraform-aws-modules/vpc/aws"
      version = "~> 5.0"

      name               = "main"
      cidr               = "10.0.0.0/16"
      azs                = ["us-east-1a", "us-east-1b"]
      public_subnets     = ["10.0.1.0/24", "10.0.2.0/24"]
      private_subnets    = ["10.0.10.0/24", "10.0.11.0/24"]
      enable_nat_gateway = true
      single_nat_gateway = true
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      Igw:
        Type: AWS::EC2::InternetGateway
      IgwAttachment:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties:
          VpcId: !Ref Vpc
          InternetGatewayId: !Ref Igw
      PublicA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.1.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      PublicB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.2.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      PublicRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PublicDefault:
        Type: AWS::EC2::Route
        DependsOn: IgwAttachment
        Properties:
          RouteTableId: !Ref PublicRoutes
          DestinationCidrBlock: 0.0.0.0/0
          GatewayId: !Ref Igw
      PublicAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PublicA
          RouteTableId: !Ref PublicRoutes
      PublicBAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PublicB
          RouteTableId: !Ref PublicRoutes
      NatEipA:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      NatA:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: !Ref PublicA
          AllocationId: !GetAtt NatEipA.AllocationId
      NatEipB:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      NatB:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: !Ref PublicB
          AllocationId: !GetAtt NatEipB.AllocationId
      PrivateA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      PrivateB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.11.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      PrivateRoutesA:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PrivateDefaultA:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref PrivateRoutesA
          DestinationCidrBlock: 0.0.0.0/0
          NatGatewayId: !Ref NatA
      PrivateRoutesB:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PrivateDefaultB:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref PrivateRoutesB
          DestinationCidrBlock: 0.0.0.0/0
          NatGatewayId: !Ref NatB
      PrivateAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PrivateA
          RouteTableId: !Ref PrivateRoutesA
      PrivateBAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PrivateB
          RouteTableId: !Ref PrivateRoutesB
    ```
    ```hcl
    module "vpc" {
      source  = "terraform-aws-modules/vpc/aws"
      version = "~> 5.0"

      name                   = "main"
      cidr                   = "10.0.0.0/16"
      azs                    = ["us-east-1a", "us-east-1b"]
      public_subnets         = ["10.0.1.0/24", "10.0.2.0/24"]
      private_subnets        = ["10.0.10.0/24", "10.0.11.0/24"]
      enable_nat_gateway     = true
      single_nat_gateway     = false
      one_nat_gateway_per_az = true
    }
    ```

    ## Trade-off
    A NAT gateway costs about 32 USD a month in us-east-1 (0.045 USD an hour) plus
    0.045 USD per GB processed, so each extra zone adds about 32 USD a month before
    traffic. A single NAT saves that, but makes one zone's failure an outage of every
    zone's egress, and cross-AZ traffic to it costs 0.01 USD per GB each way. The
    startup lens accepts one NAT for an MVP: `mvp` reports a note, `development` is off,
    `production` requires a NAT per zone.
    """
    yield from _facade_nat(graph)
    by_vpc = {}
    for s in graph.resources("subnet"):
        r = nat_route(graph, s)
        if r is not None:
            by_vpc.setdefault(vpc_key(graph, s), []).append((s, r))
    for key in sorted(by_vpc):
        entries = by_vpc[key]
        lo, hi = distinct_zones([zone_of(graph, s) for s, _ in entries])
        if hi < 2:
            continue          # one zone of private subnets: not applicable (WAL-MAZ-004)
        by_nat, unresolved = {}, []
        for s, r in entries:
            if r.target is None:
                unresolved.append((s, r))
            else:
                by_nat.setdefault(id(r.target), (r.target, []))[1].append((s, r))
        for s, r in unresolved:
            yield s.unknown(None, f"the NAT gateway of its default route is not in the scanned files "
                            f"({r.label})")
        for nat, served in sorted(by_nat.values(), key=lambda v: v[0].address):
            yield from _check_nat(graph, nat, served)


def _check_nat(graph, nat, served):
    regional = is_regional(nat)
    if regional is True:
        return
    if regional is None:
        yield nat.unknown("availability_mode", f"{nat.native('availability_mode')} cannot be resolved")
        return
    home = nat_subnet(graph, nat)
    az_n = zone_of(graph, home) if not isinstance(home, Unknown) else None
    zones = [zone_of(graph, s) for s, _ in served]
    lo, hi = distinct_zones(zones)
    related = []
    if not isinstance(home, Unknown):
        related.append(Related(home, ("availability_zone",) if home.has("availability_zone") else (),
                               f"the NAT gateway's subnet, in {zone_label(az_n)}"))
    seen = set()
    for s, r in served:
        related.append(Related(s, ("availability_zone",) if s.has("availability_zone") else (),
                               f"private subnet in {zone_label(zone_of(graph, s))}"))
        table = tier_of(graph, s).table
        if table is not None and table is not r.owner and id(table) not in seen:
            seen.add(id(table))
            related.append(Related(table, (), "route table of the private subnets"))
        k = (id(r.owner), r.path)
        if k not in seen:
            seen.add(k)
            related.append(Related(r.owner, r.target_path, f"route {r.dest_label} -> {nat.address}"))
    nat_zone = zone_label(az_n) if az_n is not None else "zone unknown"
    if lo >= 2:
        others = [z for z in zones if az_n is None or same_zone(z, az_n) is not True]
        away = _zones_text(others) if az_n is not None else "at least one of them"
        lost = f"if {zone_label(az_n)} fails" if az_n is not None else "if the NAT's zone fails"
        yield nat.finding(None, f"NAT gateway {nat.address} ({nat_zone}) carries the default route of private "
                          f"subnets in {lo if lo == hi else f'at least {lo}'} zones ({_zones_text(zones)}): it is a "
                          f"single point of failure; {lost}, private subnets in {away} lose internet egress, "
                          "and their traffic pays cross-AZ charges (a NAT gateway per zone costs about 33 to 48 USD "
                          "a month each, by region, plus data processing)", related=related, key="shared-nat")
        return
    if az_n is None:
        yield nat.unknown("subnet_id", f"the zone of {nat.address} is unknown: {home.reason}")
        return
    violations, doubtful = [], []
    for (s, r), z in zip(served, zones):
        same = same_zone(z, az_n)
        if same is False:
            violations.append((s, z))
        elif same is None:
            doubtful.append(s)
    if violations:
        names = ", ".join(f"{s.address} ({zone_label(z)})" for s, z in violations)
        yield nat.finding(None, f"private subnet{'s' if len(violations) > 1 else ''} {names} "
                          f"depend{'' if len(violations) > 1 else 's'} on NAT gateway {nat.address} in "
                          f"{nat_zone}: if {nat_zone} fails they lose internet egress although their own "
                          "zone is healthy, and their traffic pays cross-AZ charges",
                          related=related, key="cross-zone")
    elif doubtful:
        yield nat.unknown(None, f"whether {doubtful[0].address} is in the zone of {nat.address} is unknown")


@rule(id="WAL-NAT-002", name="nat-placement", title="NAT gateways sit in a public subnet and have an EIP",
      pillar="reliability", category="nat-redundancy", best_practice=("REL10-BP01",),
      severity=severity(development="error", mvp="error", production="error", regulated="error"))
def nat_placement(graph):
    """A public NAT gateway is placed in a public subnet (one whose route table sends
    0.0.0.0/0 to an internet gateway) and has an Elastic IP allocation.

    ## Why
    A public NAT gateway forwards traffic to the internet through its subnet's route
    table: in a private or isolated subnet it has no path out, and every subnet routed
    to it silently loses egress. It also needs an Elastic IP to translate to. This is a
    precondition for NAT-per-AZ redundancy (REL10-BP01): a misplaced NAT is an outage
    from the first deployment. Private NAT gateways (`connectivity_type = "private"`)
    and regional NAT gateways are out of scope.

    ## Default
    `ConnectivityType` / `connectivity_type` defaults to `public`.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      PrivateA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      NatEip:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      Nat:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: !Ref PrivateA
          AllocationId: !GetAtt NatEip.AllocationId
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "public" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.1.0/24"
    }

    resource "aws_internet_gateway" "main" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table" "public" {
      vpc_id = aws_vpc.main.id

      route {
        cidr_block = "0.0.0.0/0"
        gateway_id = aws_internet_gateway.main.id
      }
    }

    resource "aws_route_table_association" "public" {
      subnet_id      = aws_subnet.public.id
      route_table_id = aws_route_table.public.id
    }

    resource "aws_nat_gateway" "main" {
      subnet_id = aws_subnet.public.id
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      Igw:
        Type: AWS::EC2::InternetGateway
      IgwAttachment:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties:
          VpcId: !Ref Vpc
          InternetGatewayId: !Ref Igw
      PublicA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.1.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      PublicRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PublicDefault:
        Type: AWS::EC2::Route
        DependsOn: IgwAttachment
        Properties:
          RouteTableId: !Ref PublicRoutes
          DestinationCidrBlock: 0.0.0.0/0
          GatewayId: !Ref Igw
      PublicAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PublicA
          RouteTableId: !Ref PublicRoutes
      NatEip:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      Nat:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: !Ref PublicA
          AllocationId: !GetAtt NatEip.AllocationId
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "public" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.1.0/24"
    }

    resource "aws_internet_gateway" "main" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table" "public" {
      vpc_id = aws_vpc.main.id

      route {
        cidr_block = "0.0.0.0/0"
        gateway_id = aws_internet_gateway.main.id
      }
    }

    resource "aws_route_table_association" "public" {
      subnet_id      = aws_subnet.public.id
      route_table_id = aws_route_table.public.id
    }

    resource "aws_eip" "nat" {
      domain = "vpc"
    }

    resource "aws_nat_gateway" "main" {
      subnet_id     = aws_subnet.public.id
      allocation_id = aws_eip.nat.id
    }
    ```
    """
    for nat in graph.resources("natgw"):
        conn = decide(nat.get("connectivity_type", "public"), lambda v: _lower(v) == "public")
        if conn is False:
            continue
        regional = is_regional(nat)
        if regional is True:
            continue
        if conn is None or regional is None:
            yield nat.unknown("connectivity_type", "the NAT gateway's connectivity type or mode is unknown")
            continue
        home = nat_subnet(graph, nat)
        if isinstance(home, Unknown):
            yield nat.unknown("subnet_id", f"the NAT gateway's subnet is unknown: {home.reason}")
        else:
            t = tier_of(graph, home)
            if t.tier in (PRIVATE, ISOLATED):
                why = "has no internet-gateway route" if t.tier == ISOLATED else \
                    f"sends its default route to {t.decisive.target_label if t.decisive else 'an intermediary'}"
                yield nat.finding("subnet_id", f"public NAT gateway {nat.address} sits in {t.tier} subnet "
                                  f"{home.address}, which {why} ({t.describe()}): the NAT has no way out, "
                                  "so every subnet routed to it loses internet egress",
                                  related=t.related(), key="subnet")
            elif t.tier == UNKNOWN:
                yield nat.unknown("subnet_id", f"the tier of the NAT gateway's subnet is unknown: {t.reason}")
        if not nat.has("allocation_id"):
            yield nat.finding(None, f"public NAT gateway {nat.address} has no Elastic IP allocation "
                              "(allocation_id): it cannot translate traffic to the internet",
                              key="eip")


def _eni_owner(graph, eni):
    """True when the ENI belongs to an instance or launch template, None if unknown."""
    for r in graph.referrers(eni):
        if r.kind in ("instance", "launch_template"):
            return True
        if r.type in ("aws_network_interface_attachment", "AWS::EC2::NetworkInterfaceAttachment"):
            target = graph.deref(r, r.get("instance_id"))
            if target is not None and target.kind == "instance":
                return True
    attachment = eni.get("attachment")
    if isinstance(attachment, list):
        for a in attachment:
            if isinstance(a, dict):
                target = graph.deref(eni, a.get("instance"))
                if target is not None and target.kind == "instance":
                    return True
    return None


@rule(id="WAL-NAT-003", name="nat-gateway-not-instance", title="Default routes use managed NAT gateways, not NAT instances",
      pillar="reliability", category="nat-redundancy", best_practice=("REL10-BP01", "REL11-BP03"),
      severity=severity(development="note", mvp="note", production="warning", regulated="warning"),
      checkov=("CKV2_AWS_35",))
def nat_gateway_not_instance(graph):
    """Default routes (0.0.0.0/0, ::/0) go to a managed NAT gateway, not to an EC2 NAT
    instance or to the network interface of one.

    ## Why
    A NAT instance is a single EC2 instance you patch, size and replace yourself: when it
    stops, every subnet routed to it loses egress until someone notices (REL10-BP01,
    REL11-BP03 automate healing on all layers). A NAT gateway is managed, scales to
    100 Gbps and is redundant within its zone. Routes to network interfaces of
    firewall or Gateway Load Balancer appliances are out of scope: only an ENI that
    belongs to an instance or launch template counts, and an ENI whose owner cannot
    be seen gives unknown.

    ## Default
    Nothing: the route's target is always explicit.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      NatInstance:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0abcdef1234567890
          InstanceType: t3.micro
          SourceDestCheck: false
      PrivateRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PrivateDefault:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref PrivateRoutes
          DestinationCidrBlock: 0.0.0.0/0
          InstanceId: !Ref NatInstance
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_instance" "nat" {
      ami               = "ami-0abcdef1234567890"
      instance_type     = "t3.micro"
      source_dest_check = false
    }

    resource "aws_route_table" "private" {
      vpc_id = aws_vpc.main.id

      route {
        cidr_block           = "0.0.0.0/0"
        network_interface_id = aws_instance.nat.primary_network_interface_id
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      NatEip:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      Nat:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: subnet-0a1b2c3d4e5f60001
          AllocationId: !GetAtt NatEip.AllocationId
      PrivateRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PrivateDefault:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref PrivateRoutes
          DestinationCidrBlock: 0.0.0.0/0
          NatGatewayId: !Ref Nat
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_eip" "nat" {
      domain = "vpc"
    }

    resource "aws_nat_gateway" "main" {
      subnet_id     = "subnet-0a1b2c3d4e5f60001"
      allocation_id = aws_eip.nat.id
    }

    resource "aws_route_table" "private" {
      vpc_id = aws_vpc.main.id

      route {
        cidr_block     = "0.0.0.0/0"
        nat_gateway_id = aws_nat_gateway.main.id
      }
    }
    ```

    ## Trade-off
    A t4g.nano NAT instance costs about 3 USD a month against about 32 USD for a NAT
    gateway (plus 0.045 USD per GB processed), which is why startups use them. The
    risk is an unmanaged single point of failure: `development` and `mvp` report a
    note, `production` a warning.
    """
    for r in default_routes(graph):
        if r.target_kind == "instance":
            yield r.owner.finding(r.target_path, f"{r.label}: the default route goes to an EC2 NAT instance, "
                                  "an unmanaged single point of failure; when it stops, every subnet routed "
                                  "to it loses internet egress", related=r.related(), key=r.target_attr)
        elif r.target_kind == "eni":
            owner = _eni_owner(graph, r.target) if r.target is not None else None
            if owner is True:
                yield r.owner.finding(r.target_path, f"{r.label}: the default route goes to the network "
                                      "interface of an EC2 instance (a NAT instance), an unmanaged single "
                                      "point of failure", related=r.related(), key=r.target_attr)
            else:
                yield r.owner.unknown(r.target_path, "the default route goes to a network interface whose "
                                      "owner walint cannot see (a NAT instance or an appliance)")


RULES = [nat_per_az, nat_placement, nat_gateway_not_instance]

"""EC2 instances and launch templates (issue 15, the catalogue's compute layer):
IMDSv2 required, a public IP only in the public tier. Encryption and placement of EC2
are in enc.py and network.py."""
from walint.api import PUBLIC, UNKNOWN, Unknown, as_bool, decide, rule, severity, tier_of

from walint_rules._data import lower


def _name(res, cloudformation, terraform):
    """The setting's name as the author wrote it, for messages."""
    return cloudformation if res.format == "cloudformation" else terraform


# ------------------------------------------------------------------------------ NET-007


def _metadata_base(res):
    if res.type == "AWS::EC2::LaunchTemplate":
        return "launch_template_data.metadata_options"
    return "metadata_options"


@rule(id="WAL-NET-007", name="ec2-imdsv2-required", title="EC2 instances and launch templates require IMDSv2",
      pillar="security", category="public-access", best_practice=("SEC06-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_79",))
def ec2_imdsv2_required(graph):
    """EC2 instances, launch templates and launch configurations require session tokens
    for the instance metadata service (IMDSv2: `HttpTokens` / `http_tokens` `required`),
    or turn the metadata endpoint off.

    ## Why
    With IMDSv1 a single unauthenticated GET to 169.254.169.254 returns the instance
    role's credentials: any server-side request forgery, open proxy or misconfigured
    firewall in the application hands them to the outside, the path of several large
    breaches. IMDSv2's session token (a PUT with a hop limit) blocks those paths. The
    category is public access: the role's credentials must not be reachable from a
    request the instance relays. SEC06-BP02 (hardened compute).

    ## Default
    `MetadataOptions.HttpTokens` / `metadata_options.http_tokens` left out gives the EC2
    default, `optional` (IMDSv1 on), unless the AMI is registered with `ImdsSupport
    v2.0` or the account's IMDS default says `required`; walint cannot see either, so an
    absent setting is reported with that caveat. An instance launched from a launch
    template without metadata options of its own is left to the template. For
    `AWS::EC2::LaunchTemplate` the options sit in `LaunchTemplateData.MetadataOptions`.

    ## Example
    ```yaml
    Resources:
      Web:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0123456789abcdef0
          InstanceType: t3.micro
          MetadataOptions:
            HttpTokens: optional
    ```
    ```hcl
    resource "aws_launch_template" "app" {
      name_prefix   = "app-"
      image_id      = "ami-0123456789abcdef0"
      instance_type = "t3.micro"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Web:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0123456789abcdef0
          InstanceType: t3.micro
          MetadataOptions:
            HttpTokens: required
            HttpPutResponseHopLimit: 1
    ```
    ```hcl
    resource "aws_launch_template" "app" {
      name_prefix   = "app-"
      image_id      = "ami-0123456789abcdef0"
      instance_type = "t3.micro"

      metadata_options {
        http_endpoint               = "enabled"
        http_tokens                 = "required"
        http_put_response_hop_limit = 1
      }
    }
    ```

    ## Trade-off
    Old SDKs and agents that only speak IMDSv1 break; every current AWS SDK and the
    CloudWatch and SSM agents support IMDSv2. Containers on the instance that need the
    metadata service need a hop limit of 2.
    """
    for res in graph.resources("instance", "launch_template"):
        base = _metadata_base(res)
        if res.kind == "instance" and res.get("launch_template") is not None and not res.has(base):
            continue
        endpoint = decide(res.get(f"{base}.http_endpoint", "enabled"),
                          lambda e: lower(e) == "disabled" if isinstance(e, str) else None)
        if endpoint is True:
            continue
        tokens_attr = f"{base}.http_tokens"
        verdict = decide(res.get(tokens_attr, "optional"),
                         lambda t: lower(t) == "required" if isinstance(t, str) else None)
        if verdict is True:
            continue
        if verdict is None or endpoint is None:
            yield res.unknown(tokens_attr, "the metadata options depend on a value walint cannot resolve")
            continue
        name = _name(res, "HttpTokens", "http_tokens")
        if res.has(tokens_attr):
            why = f"{name} is optional"
        else:
            why = (f"{name} is not set: the EC2 default is optional unless the AMI or the account "
                   "default requires IMDSv2")
        anchor = res.locate(tokens_attr)[1] if res.has(base) else None     # the option, else its block
        noun = {"AWS::EC2::LaunchTemplate": "launch template", "aws_launch_template": "launch template",
                "AWS::AutoScaling::LaunchConfiguration": "launch configuration",
                "aws_launch_configuration": "launch configuration"}.get(res.type, "EC2 instance")
        yield res.finding(anchor, f"{noun} {res.address} allows IMDSv1 ({why}): a request forgery in the "
                          "application can read the instance role's credentials")

# ------------------------------------------------------------------------------ NET-008


def _public_ip_requests(inst):
    """[(flag value, path of the flag, subnet value)] for each way the instance asks for a
    public IP: the top-level flag (Terraform) or each network interface's."""
    out = []
    if inst.has("associate_public_ip_address"):
        out.append((inst.get("associate_public_ip_address"), ("associate_public_ip_address",),
                    inst.get("subnet_id")))
    value, path = inst.locate("network_interfaces")
    for i, ni in enumerate(value if isinstance(value, list) else []):
        if isinstance(ni, dict) and "associate_public_ip_address" in ni:
            out.append((ni["associate_public_ip_address"], path + (i, "associate_public_ip_address"),
                        ni.get("subnet_id", inst.get("subnet_id"))))
    return out


@rule(id="WAL-NET-008", name="ec2-public-ip-public-tier",
      title="EC2 instances ask for a public IP only in public subnets",
      pillar="security", category="public-access", best_practice=("SEC05-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_88",))
def ec2_public_ip_public_tier(graph):
    """An EC2 instance that asks for a public IP (`AssociatePublicIpAddress` /
    `associate_public_ip_address` true) is in a public subnet (one whose route table
    sends the default route to an internet gateway). WAL-NET-004 covers the application
    tier's launch templates and Auto Scaling groups, WAL-NET-005 the subnets that assign
    public IPs by default; this rule covers standalone instances that ask explicitly.

    ## Why
    In a private or isolated subnet the public address is useless today and an exposure
    tomorrow: the day an internet-gateway route is added to that table, the instance is
    reachable from the internet, guarded by its security group alone (SEC05-BP01). In a
    public subnet (a bastion, a NAT instance) the address is the point, and the security
    group rules (WAL-SG-001, WAL-SG-002) decide what it exposes.

    ## Default
    `AssociatePublicIpAddress` / `associate_public_ip_address` absent: the subnet's
    `MapPublicIpOnLaunch` decides, which WAL-NET-005 checks on the subnet. The subnet's
    tier comes from its route table; a subnet walint cannot follow is unknown.

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
      AppRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      AppRoutesAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref AppSubnet
          RouteTableId: !Ref AppRoutes
      Worker:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0123456789abcdef0
          InstanceType: t3.micro
          NetworkInterfaces:
            - DeviceIndex: "0"
              SubnetId: !Ref AppSubnet
              AssociatePublicIpAddress: true
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "app" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.10.0/24"
    }

    resource "aws_route_table" "app" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table_association" "app" {
      subnet_id      = aws_subnet.app.id
      route_table_id = aws_route_table.app.id
    }

    resource "aws_instance" "worker" {
      ami                         = "ami-0123456789abcdef0"
      instance_type               = "t3.micro"
      subnet_id                   = aws_subnet.app.id
      associate_public_ip_address = true
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
      AppRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      AppRoutesAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref AppSubnet
          RouteTableId: !Ref AppRoutes
      Worker:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0123456789abcdef0
          InstanceType: t3.micro
          NetworkInterfaces:
            - DeviceIndex: "0"
              SubnetId: !Ref AppSubnet
              AssociatePublicIpAddress: false
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "app" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.10.0/24"
    }

    resource "aws_route_table" "app" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table_association" "app" {
      subnet_id      = aws_subnet.app.id
      route_table_id = aws_route_table.app.id
    }

    resource "aws_instance" "worker" {
      ami                         = "ami-0123456789abcdef0"
      instance_type               = "t3.micro"
      subnet_id                   = aws_subnet.app.id
      associate_public_ip_address = false
    }
    ```

    ## Trade-off
    None: an instance in a private subnet reaches the internet through its NAT gateway,
    and people reach it through Session Manager or a bastion.
    """
    for inst in graph.resources("instance"):
        for flag, path, subnet_value in _public_ip_requests(inst):
            wants = decide(flag, as_bool)
            if wants is False:
                continue
            targets = graph.targets(inst, subnet_value) if subnet_value is not None else \
                [Unknown("the instance names no subnet: it lands in the default VPC's subnet")]
            subnet = targets[0] if len(targets) == 1 else Unknown("the subnet cannot be read")
            tier = tier_of(graph, subnet) if not isinstance(subnet, Unknown) and subnet.kind == "subnet" else None
            if tier is not None and tier.tier == PUBLIC:
                continue
            key = ".".join(map(str, path))
            if wants is None or tier is None or tier.tier == UNKNOWN:
                if subnet_value is None and wants is True:
                    continue            # the default VPC's subnets are public
                why = tier.reason if tier is not None else getattr(subnet, "reason", "the subnet is unknown")
                yield inst.unknown(path, f"whether the public IP lands in a public subnet is unknown: {why}", key=key)
                continue
            yield inst.finding(path, f"EC2 instance {inst.address} asks for a public IP in {tier.tier} subnet "
                               f"{subnet.address}: the address is unused today and exposes the instance the day "
                               "an internet route is added", related=tier.related(), key=key)


RULES = [ec2_imdsv2_required, ec2_public_ip_public_tier]

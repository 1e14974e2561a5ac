"""The topology model (RULES.md §3.1-3.3): zones, tiers, NAT routing, placement; and the
network rules' documentation (every Example fires, every Fix passes)."""
from __future__ import annotations

import pytest

from testenv import FIXTURES, scan
from walint.model import topology as topo
from walint.model.graph import Graph
from walint.model.kinds import normalize
from walint.model.resource import Resource
from walint.model.values import AzIndex, OneOf, Ref, Unknown

Z = topo.Zone


def tf(type_, name, **attrs):
    return Resource(type=type_, address=f"{type_}.{name}", scope="root", format="terraform",
                    file="main.tf", line=1, attrs=attrs)


def cfn(type_, name, **attrs):
    return Resource(type=type_, address=name, scope="t.yaml", format="cloudformation",
                    file="t.yaml", line=1, attrs=attrs)


def graph(*resources):
    for r in resources:
        normalize(r)
    return Graph(list(resources))


def ref(r, attr="id"):
    return Ref(r.address, attr)


# -- zones -----------------------------------------------------------------------------

def test_same_zone_is_three_valued():
    a, b = Z("name", "us-east-1a"), Z("name", "us-east-1b")
    i0, i1 = Z("index", ("GETAZS", 0)), Z("index", ("GETAZS", 1))
    assert topo.same_zone(a, a) is True
    assert topo.same_zone(a, b) is False
    assert topo.same_zone(Z("id", "use1-az1"), Z("id", "use1-az1")) is True
    assert topo.same_zone(i0, Z("index", ("GETAZS", 0))) is True
    assert topo.same_zone(i0, i1) is False
    assert topo.same_zone(i0, Z("index", ("VAR(azs)", 1))) is None      # different lists
    assert topo.same_zone(a, i0) is None                                  # literal vs index
    assert topo.same_zone(a, Z("id", "use1-az1")) is None                 # name vs zone id
    assert topo.same_zone(a, Z("unknown", "why")) is None
    choice = Z("choice", (a, b))
    assert topo.same_zone(choice, a) is None
    assert topo.same_zone(Z("choice", (i0, Z("index", ("GETAZS", 0)))), i0) is True


def test_distinct_zones_min_max():
    a, b = Z("name", "us-east-1a"), Z("name", "us-east-1b")
    i0, i1 = Z("index", ("GETAZS", 0)), Z("index", ("GETAZS", 1))
    unknown = Z("unknown", "not set")
    assert topo.distinct_zones([]) == (0, 0)
    assert topo.distinct_zones([unknown]) == (1, 1)          # one subnet is one zone
    assert topo.distinct_zones([a, a]) == (1, 1)
    assert topo.distinct_zones([a, b]) == (2, 2)
    assert topo.distinct_zones([a, unknown]) == (1, 2)
    assert topo.distinct_zones([i0, i1, a]) == (2, 3)        # a may equal either index
    assert topo.distinct_zones([i0, i0]) == (1, 1)
    many = Z("unknown", "a list walint cannot read", many=True)
    assert topo.distinct_zones([a, many])[1] >= 2            # never "one zone" for sure
    optional = Z("name", "us-east-1b", optional=True)
    assert topo.distinct_zones([a, optional]) == (1, 2)      # may or may not exist
    assert topo.distinct_zones([Z("choice", (a, b)), a]) == (1, 2)


def test_zone_of_subnet_forms():
    vpc = tf("aws_vpc", "main", cidr_block="10.0.0.0/16")
    s0 = tf("aws_subnet", "a", vpc_id=ref(vpc), availability_zone=AzIndex("GETAZS", 0))
    s1 = tf("aws_subnet", "b", vpc_id=ref(vpc), availability_zone=Ref("aws_subnet.a", "availability_zone"))
    s2 = tf("aws_subnet", "c", vpc_id=ref(vpc), availability_zone_id="use1-az4")
    s3 = tf("aws_subnet", "d", vpc_id=ref(vpc))
    s4 = tf("aws_subnet", "e", vpc_id=ref(vpc), availability_zone=Unknown("var.zone has no value"))
    s5 = tf("aws_subnet", "f", vpc_id=ref(vpc), availability_zone=OneOf(("us-east-1a", "us-east-1b")))
    g = graph(vpc, s0, s1, s2, s3, s4, s5)
    assert topo.zone_of(g, s0) == Z("index", ("GETAZS", 0))
    assert topo.zone_of(g, s1) == Z("index", ("GETAZS", 0))             # follows the other subnet
    assert topo.zone_of(g, s2) == Z("id", "use1-az4")
    assert topo.zone_of(g, s3).form == "unknown"
    assert topo.zone_of(g, s4).form == "unknown"
    assert topo.zone_of(g, s5).form == "choice"
    assert topo.zone_label(topo.zone_of(g, s0)) == "the first AZ of the region (index 0)"
    assert topo.zones_text([topo.zone_of(g, s0), Z("index", ("GETAZS", 1))]) == \
        "the first and second AZs of the region (indexes 0, 1)"
    assert topo.zone_label(Z("index", ("GETAZS(filtered:available)", 2))) == \
        "the third AZ of data.aws_availability_zones.available (index 2)"
    assert topo.zones_text([Z("index", ("VAR(azs)", 0)), Z("index", ("VAR(azs)", 1)),
                            Z("index", ("VAR(azs)", 2))]) == \
        "the first, second and third AZs of var.azs (indexes 0, 1, 2)"


# -- tiers ---------------------------------------------------------------------------------

def _vpc_with(table_attrs=None, *extra, fmt="terraform", assoc=True):
    vpc = tf("aws_vpc", "main", cidr_block="10.0.0.0/16")
    subnet = tf("aws_subnet", "s", vpc_id=ref(vpc), availability_zone="us-east-1a")
    out = [vpc, subnet]
    if table_attrs is not None:
        table = tf("aws_route_table", "rt", vpc_id=ref(vpc), **table_attrs)
        out.append(table)
        if assoc:
            out.append(tf("aws_route_table_association", "a", subnet_id=ref(subnet), route_table_id=ref(table)))
    out.extend(extra)
    return graph(*out), subnet


def test_tier_public_private_isolated_inline():
    igw = tf("aws_internet_gateway", "igw")
    g, s = _vpc_with({"route": [{"cidr_block": "0.0.0.0/0", "gateway_id": ref(igw)}]}, igw)
    t = topo.tier_of(g, s)
    assert t.tier == topo.PUBLIC and t.decisive.target is g.lookup("root", "aws_internet_gateway.igw")
    assert "aws_route_table.rt" in t.describe() and "internet gateway" in t.describe()

    nat = tf("aws_nat_gateway", "n", subnet_id="subnet-0123")
    # gateway_id holding a NAT gateway: the target kind comes from the node, not the argument
    g, s = _vpc_with({"route": [{"cidr_block": "0.0.0.0/0", "gateway_id": ref(nat)}]}, nat)
    t = topo.tier_of(g, s)
    assert (t.tier, t.via) == (topo.PRIVATE, "natgw")
    assert topo.nat_route(g, s).target.address == "aws_nat_gateway.n"

    g, s = _vpc_with({"route": [{"cidr_block": "10.1.0.0/16", "vpc_peering_connection_id": "pcx-1"}]})
    assert topo.tier_of(g, s).tier == topo.ISOLATED


def test_tier_literals_unknowns_and_ipv6():
    g, s = _vpc_with({"route": [{"cidr_block": "0.0.0.0/0", "gateway_id": "igw-0abc"}]})
    assert topo.tier_of(g, s).tier == topo.PUBLIC
    g, s = _vpc_with({"route": [{"cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-0abc"}]})
    assert topo.tier_of(g, s).tier == topo.PRIVATE
    g, s = _vpc_with({"route": [{"cidr_block": "0.0.0.0/0", "gateway_id": Unknown("var.gw has no value")}]})
    t = topo.tier_of(g, s)
    assert t.tier == topo.UNKNOWN and "var.gw" in t.reason
    g, s = _vpc_with({"route": Unknown("dynamic block over var.routes")})
    assert topo.tier_of(g, s).tier == topo.UNKNOWN
    g, s = _vpc_with({"route": [{"ipv6_cidr_block": "::/0", "egress_only_gateway_id": "eigw-1"}]})
    t = topo.tier_of(g, s)
    assert (t.tier, t.egress_v6) == (topo.ISOLATED, True)
    g, s = _vpc_with({"route": [{"ipv6_cidr_block": "::/0", "gateway_id": "igw-1"}]})
    assert topo.tier_of(g, s).tier == topo.PUBLIC
    # a destination that may be the default route, to an internet gateway: unknown
    g, s = _vpc_with({"route": [{"cidr_block": OneOf(("0.0.0.0/0", "10.9.0.0/16")), "gateway_id": "igw-1"}]})
    assert topo.tier_of(g, s).tier == topo.UNKNOWN


def test_tier_standalone_routes_and_main_table_fallbacks():
    vpc = tf("aws_vpc", "main", cidr_block="10.0.0.0/16")
    s = tf("aws_subnet", "s", vpc_id=ref(vpc))
    igw = tf("aws_internet_gateway", "igw")
    # no association, a route on the VPC's main route table: public
    route = tf("aws_route", "main_default", route_table_id=Ref(vpc.address, "main_route_table_id"),
               destination_cidr_block="0.0.0.0/0", gateway_id=ref(igw))
    g = graph(vpc, s, igw, route)
    assert topo.tier_of(g, s).tier == topo.PUBLIC
    # no association and nothing on the main table: isolated
    vpc2 = tf("aws_vpc", "b", cidr_block="10.1.0.0/16")
    s2 = tf("aws_subnet", "s2", vpc_id=ref(vpc2))
    g = graph(vpc2, s2)
    assert topo.tier_of(g, s2).tier == topo.ISOLATED
    # aws_main_route_table_association replaces the main table
    vpc3 = tf("aws_vpc", "c", cidr_block="10.2.0.0/16")
    s3 = tf("aws_subnet", "s3", vpc_id=ref(vpc3))
    t3 = tf("aws_route_table", "t3", vpc_id=ref(vpc3))
    r3 = tf("aws_route", "r3", route_table_id=ref(t3), destination_cidr_block="0.0.0.0/0", nat_gateway_id="nat-1")
    m3 = tf("aws_main_route_table_association", "m3", vpc_id=ref(vpc3), route_table_id=ref(t3))
    g = graph(vpc3, s3, t3, r3, m3)
    assert topo.tier_of(g, s3).tier == topo.PRIVATE
    # aws_default_route_table with inline routes
    vpc4 = tf("aws_vpc", "d", cidr_block="10.3.0.0/16")
    s4 = tf("aws_subnet", "s4", vpc_id=ref(vpc4))
    d4 = tf("aws_default_route_table", "d4", default_route_table_id=Ref(vpc4.address, "default_route_table_id"),
            route=[{"cidr_block": "0.0.0.0/0", "gateway_id": "igw-9"}])
    g = graph(vpc4, s4, d4)
    assert topo.tier_of(g, s4).tier == topo.PUBLIC
    # the VPC is not in the graph and there is no association: unknown
    s5 = tf("aws_subnet", "s5", vpc_id=Unknown("var.vpc_id has no value"))
    g = graph(s5)
    assert topo.tier_of(g, s5).tier == topo.UNKNOWN


def test_cloudformation_subnet_without_association_is_isolated():
    vpc = cfn("AWS::EC2::VPC", "Vpc", CidrBlock="10.0.0.0/16")
    s = cfn("AWS::EC2::Subnet", "Data", VpcId=Ref("Vpc"), CidrBlock="10.0.20.0/24")
    g = graph(vpc, s)
    t = topo.tier_of(g, s)
    assert t.tier == topo.ISOLATED and "local route only" in t.describe()
    igw = cfn("AWS::EC2::InternetGateway", "Igw")
    rt = cfn("AWS::EC2::RouteTable", "Rt", VpcId=Ref("Vpc"))
    route = cfn("AWS::EC2::Route", "Default", RouteTableId=Ref("Rt"), DestinationIpv6CidrBlock="::/0",
                GatewayId=Ref("Igw"))
    assoc = cfn("AWS::EC2::SubnetRouteTableAssociation", "Assoc", SubnetId=Ref("Data"), RouteTableId=Ref("Rt"))
    vpc = cfn("AWS::EC2::VPC", "Vpc", CidrBlock="10.0.0.0/16")
    s = cfn("AWS::EC2::Subnet", "Data", VpcId=Ref("Vpc"), CidrBlock="10.0.20.0/24")
    g = graph(vpc, s, igw, rt, route, assoc)
    t = topo.tier_of(g, s)
    assert t.tier == topo.PUBLIC
    assert [r.resource.address for r in t.related()] == ["Data", "Assoc", "Rt", "Default", "Igw"]


def test_two_associations_give_a_note():
    vpc = tf("aws_vpc", "main", cidr_block="10.0.0.0/16")
    s = tf("aws_subnet", "s", vpc_id=ref(vpc))
    t1 = tf("aws_route_table", "a", vpc_id=ref(vpc))
    t2 = tf("aws_route_table", "b", vpc_id=ref(vpc))
    a1 = tf("aws_route_table_association", "a", subnet_id=ref(s), route_table_id=ref(t1))
    a2 = tf("aws_route_table_association", "b", subnet_id=ref(s), route_table_id=ref(t2))
    g = graph(vpc, s, t1, t2, a1, a2)
    t = topo.tier_of(g, s)
    assert t.tier == topo.ISOLATED and t.notes and "2 route table associations" in t.notes[0]


# -- NAT and placement -----------------------------------------------------------------------

def test_nat_subnet_and_regional():
    s = tf("aws_subnet", "pub", availability_zone="us-east-1a")
    n1 = tf("aws_nat_gateway", "a", subnet_id=ref(s))
    n2 = tf("aws_nat_gateway", "b", availability_mode="regional")
    n3 = tf("aws_nat_gateway", "c", subnet_id=Unknown("var.subnet has no value"))
    g = graph(s, n1, n2, n3)
    assert topo.nat_subnet(g, n1) is s
    assert topo.is_regional(n1) is False and topo.is_regional(n2) is True
    assert isinstance(topo.nat_subnet(g, n3), Unknown)


def test_placement_of_workloads():
    s1 = tf("aws_subnet", "a", availability_zone="us-east-1a")
    s2 = tf("aws_subnet", "b", availability_zone="us-east-1b")
    group = tf("aws_db_subnet_group", "data", subnet_ids=[ref(s1), ref(s2)])
    cluster = tf("aws_rds_cluster", "c", engine="aurora-postgresql", db_subnet_group_name=ref(group, "name"))
    member = tf("aws_rds_cluster_instance", "m", cluster_identifier=ref(cluster))
    lonely = tf("aws_db_instance", "lonely", engine="postgres")
    lb = tf("aws_lb", "web", subnet_mapping=[{"subnet_id": ref(s1)}, {"subnet_id": "subnet-0abc"}])
    svc = tf("aws_ecs_service", "app", network_configuration=[{"subnets": [ref(s1), ref(s2)]}])
    asg = cfn("AWS::AutoScaling::AutoScalingGroup", "Asg", VPCZoneIdentifier="subnet-1,subnet-2",
              MinSize="1", MaxSize="2")
    g = graph(s1, s2, group, cluster, member, lonely, lb, svc, asg)
    p = topo.placement(g, member)
    assert p.subnets == [s1, s2] and [r.address for r in p.via] == ["aws_rds_cluster.c", "aws_db_subnet_group.data"]
    assert topo.placement(g, lonely).missing
    p = topo.placement(g, lb)
    assert p.subnets[0] is s1 and isinstance(p.subnets[1], topo.ExternalSubnet)
    assert topo.placement(g, svc).subnets == [s1, s2]
    p = topo.placement(g, asg)
    assert len(p.subnets) == 2 and all(isinstance(x, topo.ExternalSubnet) for x in p.subnets)
    assert topo.distinct_zones(topo.placement_zones(g, topo.placement(g, svc))) == (2, 2)


# -- the rules on the fixtures and the foundation ----------------------------------------------

NETWORK_RULES = ("WAL-MAZ-002", "WAL-MAZ-003", "WAL-MAZ-004", "WAL-MAZ-005", "WAL-NET-001",
                 "WAL-NET-002", "WAL-NET-003", "WAL-NET-004", "WAL-NET-005", "WAL-NAT-001",
                 "WAL-NAT-002", "WAL-NAT-003")


def test_foundation_is_clean_in_production():
    folder = FIXTURES / "examples" / "foundation"
    if not folder.is_dir():
        pytest.skip("fixtures/examples/foundation is absent")
    report = scan([folder], select=list(NETWORK_RULES), profile="production")
    assert not report.internal_errors
    assert [(r.rule.id, r.location.file, r.location.line) for r in report.results] == []


def test_single_nat_message_names_the_chain():
    folder = FIXTURES / "WAL-NAT-001" / "fail"
    report = scan([folder / "one-nat-two-azs.yaml"], select=["WAL-NAT-001"])
    [result] = report.results
    assert "NatGateway" in result.message and "2 zones" in result.message
    assert "cross-AZ" in result.message
    related = {loc.address for loc in result.related}
    assert {"PublicSubnetA", "PrivateSubnetA", "PrivateSubnetB", "PrivateDefaultRoute"} <= related


def test_profiles_follow_rules_md():
    from walint.engine.loader import load_rules

    rules = {r.id: r for r in load_rules()}
    assert rules["WAL-NAT-001"].severity == {"development": "off", "mvp": "note",
                                             "production": "error", "regulated": "error"}
    assert rules["WAL-MAZ-003"].severity["mvp"] == "note"
    assert rules["WAL-NET-002"].severity == {"development": "note", "mvp": "warning",
                                             "production": "warning", "regulated": "error"}
    assert rules["WAL-NAT-003"].checkov == ("CKV2_AWS_35",)


def _doc_cases():
    from walint import docs
    from walint.engine.loader import load_rules

    for rule in load_rules():
        if rule.id not in NETWORK_RULES:
            continue
        sections = docs.sections(rule)
        for part in ("Why", "Default", "Example", "Fix"):
            assert sections.get(part), f"{rule.id} has no ## {part}"
        for part, fires in (("Example", True), ("Fix", False)):
            blocks = docs.code_blocks(sections[part])
            assert {lang for lang, _ in blocks} >= {"yaml", "hcl"}, f"{rule.id} {part}"
            for n, (lang, code) in enumerate(blocks):
                yield pytest.param(rule.id, lang, code, fires, id=f"{rule.id}-{part}-{lang}-{n}")


@pytest.mark.parametrize("rule_id,lang,code,fires", list(_doc_cases()))
def test_documentation_examples(tmp_path, rule_id, lang, code, fires):
    (tmp_path / ("template.yaml" if lang == "yaml" else "main.tf")).write_text(code, encoding="utf-8")
    report = scan([tmp_path], select=[rule_id])
    assert not report.internal_errors
    assert not [r for r in report.results if r.rule.id == "WAL-PARSE-001"]
    got = [r.message for r in report.results if r.rule.id == rule_id]
    assert bool(got) is fires, got


# -- terraform-aws-modules/vpc facade (RULES.md §3.3) -------------------------------------

FACADE = '''
{extra}
module "vpc" {{
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"

  name            = "main"
  cidr            = "10.0.0.0/16"
  azs             = {azs}
  private_subnets = {private}
  public_subnets  = ["10.0.101.0/24", "10.0.102.0/24"]
{flags}
}}
'''


@pytest.mark.parametrize("azs,private,flags,extra,want", [
    ('["us-east-1a", "us-east-1b"]', '["10.0.1.0/24", "10.0.2.0/24"]',
     "enable_nat_gateway = true\nsingle_nat_gateway = true", "", "fail"),
    ('slice(data.aws_availability_zones.available.names, 0, 2)', '["10.0.1.0/24", "10.0.2.0/24"]',
     "enable_nat_gateway = true\nsingle_nat_gateway = true",
     'data "aws_availability_zones" "available" {}', "fail"),
    ('["us-east-1a", "us-east-1b"]', '["10.0.1.0/24", "10.0.2.0/24"]',
     "enable_nat_gateway = true\none_nat_gateway_per_az = true", "", "pass"),
    ('["us-east-1a", "us-east-1b"]', '["10.0.1.0/24", "10.0.2.0/24"]',
     "enable_nat_gateway = true", "", "pass"),
    ('["us-east-1a", "us-east-1b"]', '["10.0.1.0/24", "10.0.2.0/24"]',
     "single_nat_gateway = true", "", "pass"),                       # enable_nat_gateway defaults to false
    ('["us-east-1a", "us-east-1b"]', '["10.0.1.0/24"]',
     "enable_nat_gateway = true\nsingle_nat_gateway = true", "", "pass"),   # one private zone
    ('var.azs', '["10.0.1.0/24", "10.0.2.0/24"]',
     "enable_nat_gateway = true\nsingle_nat_gateway = true",
     'variable "azs" {\n  type = list(string)\n}', "unknown"),
])
def test_vpc_module_facade(tmp_path, azs, private, flags, extra, want):
    (tmp_path / "main.tf").write_text(FACADE.format(azs=azs, private=private, flags=flags, extra=extra))
    report = scan([tmp_path], select=["WAL-NAT-001"])
    fails = [r for r in report.results if r.rule.id == "WAL-NAT-001"]
    unknowns = [r for r in report.unknowns if r.rule.id == "WAL-NAT-001"]
    if want == "fail":
        assert len(fails) == 1 and "single_nat_gateway" in fails[0].attribute
        assert "one_nat_gateway_per_az = true" in fails[0].message
    else:
        assert not fails, [r.message for r in fails]
        assert bool(unknowns) is (want == "unknown")


def test_mixed_inline_and_standalone_routes_take_the_union_with_a_note():
    vpc = tf("aws_vpc", "main", cidr_block="10.0.0.0/16")
    s = tf("aws_subnet", "s", vpc_id=ref(vpc))
    table = tf("aws_route_table", "rt", vpc_id=ref(vpc), route=[{"cidr_block": "10.9.0.0/16", "gateway_id": "vgw-1"}])
    extra = tf("aws_route", "default", route_table_id=ref(table), destination_cidr_block="0.0.0.0/0",
               nat_gateway_id="nat-1")
    assoc = tf("aws_route_table_association", "a", subnet_id=ref(s), route_table_id=ref(table))
    g = graph(vpc, s, table, extra, assoc)
    assert topo.tier_of(g, s).tier == topo.PRIVATE
    assert len(topo.routes_of(g, table)) == 2
    [note] = topo.table_notes(g, table)
    assert "aws_route.default" in note


def test_launch_template_reported_once(tmp_path):
    (tmp_path / "t.yaml").write_text('''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  LaunchTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-0abcdef1234567890
        NetworkInterfaces:
          - DeviceIndex: 0
            AssociatePublicIpAddress: true
  GroupA:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "2"
      MaxSize: "4"
      VPCZoneIdentifier: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
      LaunchTemplate:
        LaunchTemplateId: !Ref LaunchTemplate
        Version: !GetAtt LaunchTemplate.LatestVersionNumber
  GroupB:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "2"
      MaxSize: "4"
      VPCZoneIdentifier: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
      LaunchTemplate:
        LaunchTemplateId: !Ref LaunchTemplate
        Version: !GetAtt LaunchTemplate.LatestVersionNumber
''')
    report = scan([tmp_path], select=["WAL-NET-004"])
    assert [(r.location.address, r.location.line) for r in report.results] == [("LaunchTemplate", 10)]


def test_default_route_to_a_vpn_gateway_is_undecided():
    g, s = _vpc_with({"route": [{"cidr_block": "0.0.0.0/0", "gateway_id": "vgw-0abc"}]})
    t = topo.tier_of(g, s)
    assert t.tier == topo.UNKNOWN and "VPN gateway" in t.reason
    g, s = _vpc_with({"route": [{"cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1"},
                                {"ipv6_cidr_block": "::/0", "gateway_id": "vgw-0abc"}]})
    assert topo.tier_of(g, s).tier == topo.PRIVATE

"""count, for_each, dynamic blocks and modules: addresses, optional and unknown instances."""
from __future__ import annotations

import json
import os

from tfhelpers import by_address, write_module
from walint.engine import boundary
from walint.model.values import AzIndex, Ref, Unknown


def test_count_and_for_each_addresses(tf):
    res = tf('''
variable "m" {
  default = { b = "2", a = "1" }
}
resource "aws_subnet" "c" {
  count = 2
  cidr_block = "10.0.${count.index}.0/24"
}
resource "aws_subnet" "s" {
  for_each = toset(["x", "y"])
  tags = { k = each.key, v = each.value }
}
resource "aws_subnet" "m" {
  for_each = var.m
  tags = { k = each.key, v = each.value }
}
resource "aws_subnet" "zero" {
  count = 0
}
resource "aws_route_table_association" "a" {
  for_each  = aws_subnet.s
  subnet_id = each.value.id
}
resource "aws_route_table_association" "b" {
  count     = 2
  subnet_id = aws_subnet.c[count.index].id
}
resource "aws_db_subnet_group" "g" {
  subnet_ids = aws_subnet.c[*].id
  via_values = values(aws_subnet.m)[*].id
  via_for    = [for s in aws_subnet.s : s.id]
}
''')
    r = by_address(res)
    assert sorted(r) == sorted([
        "aws_subnet.c[0]", "aws_subnet.c[1]", 'aws_subnet.s["x"]', 'aws_subnet.s["y"]',
        'aws_subnet.m["a"]', 'aws_subnet.m["b"]', 'aws_route_table_association.a["x"]',
        'aws_route_table_association.a["y"]', "aws_route_table_association.b[0]",
        "aws_route_table_association.b[1]", "aws_db_subnet_group.g"])
    assert r["aws_subnet.c[1]"].attrs["cidr_block"] == "10.0.1.0/24"
    assert r['aws_subnet.m["b"]'].attrs["tags"] == {"k": "b", "v": "2"}
    assert r['aws_route_table_association.a["y"]'].attrs["subnet_id"] == Ref('aws_subnet.s["y"]', "id")
    assert r["aws_route_table_association.b[1]"].attrs["subnet_id"] == Ref("aws_subnet.c[1]", "id")
    g = r["aws_db_subnet_group.g"].attrs
    assert g["subnet_ids"] == [Ref("aws_subnet.c[0]", "id"), Ref("aws_subnet.c[1]", "id")]
    assert g["via_values"] == [Ref('aws_subnet.m["a"]', "id"), Ref('aws_subnet.m["b"]', "id")]
    assert g["via_for"] == [Ref('aws_subnet.s["x"]', "id"), Ref('aws_subnet.s["y"]', "id")]


def test_unknown_count_and_optional_count(tf):
    res = tf('''
variable "n" {}
variable "enabled" {}
resource "aws_subnet" "u" {
  count = var.n
  az = count.index
  fixed = "x"
}
resource "aws_nat_gateway" "o" {
  count = var.enabled ? 1 : 0
  subnet_id = "s"
}
resource "aws_route" "r" {
  count = 2
  subnet = aws_subnet.u[count.index].id
  nat = aws_nat_gateway.o[0].id
}
''')
    r = by_address(res)
    u = r["aws_subnet.u[*]"]
    # a count that is not known may be 0: the instance standing for all is optional (issue 14)
    assert u.instances_unknown and u.optional
    assert isinstance(u.attrs["az"], Unknown) and u.attrs["fixed"] == "x"
    o = r["aws_nat_gateway.o[0]"]
    assert o.optional and not o.instances_unknown
    route = r["aws_route.r[0]"].attrs
    assert isinstance(route["subnet"], Unknown) and route["subnet"].refs == ("aws_subnet.u[*]",)
    assert route["nat"] == Ref("aws_nat_gateway.o[0]", "id")


def test_instance_cap(tf):
    res = tf('resource "aws_subnet" "many" {\n  count = 5000\n}\n')
    assert len(res.resources) == 1000
    d = [d for d in res.diagnostics if d.level == "error" and d.code == "WAL-PARSE-002"]  # never silent
    assert d and d[0].line == 2


def test_dynamic_blocks(tf):
    res = tf('''
variable "unknown_rules" {}
resource "aws_security_group" "sg" {
  ingress {
    from_port = 1
  }
  dynamic "ingress" {
    for_each = [{ p = 443 }, { p = 80 }]
    iterator = r
    content {
      from_port = r.value.p
      key       = r.key
    }
  }
  dynamic "egress" {
    for_each = var.unknown_rules
    content {
      from_port = egress.value
    }
  }
}
''')
    a = res.resources[0].attrs
    assert a["ingress"] == [{"from_port": 1}, {"from_port": 443, "key": 0}, {"from_port": 80, "key": 1}]
    assert len(a["egress"]) == 1 and isinstance(a["egress"][0], Unknown)
    assert res.resources[0].positions[("ingress", 1, "from_port")][0] == 11


def _modules(tmp_path):
    return write_module(tmp_path, {
        "root/main.tf": '''
module "net" {
  source = "../modules/net"
  cidr   = "10.0.0.0/16"
}
module "each" {
  for_each = toset(["a", "b"])
  source   = "../modules/net"
  cidr     = each.key == "a" ? "10.1.0.0/16" : "10.2.0.0/16"
}
module "counted" {
  count  = 1
  source = "../modules/net"
}
resource "aws_db_subnet_group" "g" {
  subnet_ids = module.net.subnet_ids
  first_cidr = module.each["b"].cidr
}
module "remote" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"
  single_nat_gateway = true
  azs = ["a", "b"]
}
module "other_remote" {
  source = "git::https://example.com/x.git"
}
module "missing" {
  source = "./nope"
}
module "self" {
  source = "./"
}
''',
        "modules/net/main.tf": '''
variable "cidr" {
  default = "10.9.0.0/16"
}
module "inner" {
  source = "./inner"
  cidr   = var.cidr
}
resource "aws_subnet" "s" {
  count      = 2
  cidr_block = cidrsubnet(var.cidr, 8, count.index)
  vpc_id     = module.inner.vpc_id
}
output "subnet_ids" {
  value = aws_subnet.s[*].id
}
output "cidr" {
  value = var.cidr
}
''',
        "modules/net/inner/main.tf": '''
variable "cidr" {}
resource "aws_vpc" "v" {
  cidr_block = var.cidr
}
output "vpc_id" {
  value = aws_vpc.v.id
}
''',
    })


def test_local_modules(tmp_path):
    from walint.parsers.terraform import parse_modules
    _modules(tmp_path)
    root = os.path.join(str(tmp_path), "root")
    # tmp_path stands for the repository: ../modules lies inside the read boundary
    with boundary.active(boundary.Boundary([str(tmp_path)])):
        res = parse_modules([root])
    r = by_address(res)
    assert "module.net.aws_subnet.s[1]" in r
    assert 'module.each["b"].module.inner.aws_vpc.v' in r
    assert "module.counted[0].aws_subnet.s[0]" in r
    s = r["module.net.aws_subnet.s[1]"]
    assert s.attrs["cidr_block"] == "10.0.1.0/24"
    assert s.attrs["vpc_id"] == Ref("module.net.module.inner.aws_vpc.v", "id")
    assert s.file == os.path.join(str(tmp_path), "modules", "net", "main.tf")
    assert s.scope == root
    assert s.call_sites == [(os.path.join(root, "main.tf"), 2)]
    v = r['module.each["a"].module.inner.aws_vpc.v']
    assert v.attrs["cidr_block"] == "10.1.0.0/16"
    assert v.call_sites == [(os.path.join(root, "main.tf"), 6), (os.path.join(str(tmp_path), "modules", "net", "main.tf"), 5)]
    assert r["module.counted[0].module.inner.aws_vpc.v"].attrs["cidr_block"] == "10.9.0.0/16"
    g = r["aws_db_subnet_group.g"].attrs
    assert g["subnet_ids"] == [Ref("module.net.aws_subnet.s[0]", "id"), Ref("module.net.aws_subnet.s[1]", "id")]
    assert g["first_cidr"] == "10.2.0.0/16"
    # the registry module that is not on disk: a facade resource at the call
    f = r["module.remote"]
    assert f.type == "module:terraform-aws-modules/vpc/aws"
    assert f.attrs == {"single_nat_gateway": True, "azs": ["a", "b"]}
    assert f.line == 19 and f.positions[("single_nat_gateway",)][0] == 22
    notes = {d.message.split(" ")[1]: d for d in res.diagnostics if d.code == "WAL-TF-MODULE"}
    assert notes["other_remote"].level == "note" and "terraform init" in notes["other_remote"].message
    assert notes["missing"].line == 28 and "does not exist" in notes["missing"].message
    assert "cycle" in notes["self"].message
    assert not [d for d in res.diagnostics if d.level == "error"]


def test_modules_json_is_used(tmp_path):
    from walint.parsers.terraform import parse_modules
    write_module(tmp_path, {
        "main.tf": 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n  name = "x"\n}\n',
        ".terraform/modules/vpc/main.tf": 'variable "name" {}\nresource "aws_vpc" "this" {\n  tags = { Name = var.name }\n}\n',
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "vpc", "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws", "Dir": ".terraform/modules/vpc"}]}),
    })
    res = parse_modules([str(tmp_path)])
    assert [r.address for r in res.resources] == ["module.vpc.aws_vpc.this"]
    assert res.resources[0].attrs["tags"] == {"Name": "x"}


def test_relative_paths_stay_relative(tmp_path, monkeypatch):
    from walint.parsers.terraform import parse_modules
    _modules(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = parse_modules(["root"])
    r = by_address(res)
    assert r["aws_db_subnet_group.g"].file == os.path.join("root", "main.tf")
    assert r["module.net.aws_subnet.s[0]"].file == os.path.join("modules", "net", "main.tf")
    assert r["module.net.module.inner.aws_vpc.v"].file == os.path.join("modules", "net", "inner", "main.tf")


def test_json_and_native_mixed(tf):
    res = tf('resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n', extra={"x.tf.json": json.dumps({
        "resource": {"aws_subnet": {"s": {"count": 2, "vpc_id": "${aws_vpc.v.id}",
                                          "cidr_block": "${cidrsubnet(aws_vpc.v.cidr_block, 8, count.index)}",
                                          "tags": {"Name": "n-${count.index}", "Q": "say \"${upper(\"hi\")}\""},
                                          "ingress": {"from_port": 1}}}}}, indent=2)})
    r = by_address(res)
    s = r["aws_subnet.s[1]"]
    assert s.attrs["vpc_id"] == Ref("aws_vpc.v", "id")
    assert s.attrs["cidr_block"] == "10.0.1.0/24"
    assert s.attrs["tags"] == {"Name": "n-1", "Q": 'say "HI"'}
    assert s.attrs["ingress"] == [{"from_port": 1}]
    assert s.file.endswith("x.tf.json") and s.positions[("cidr_block",)][0] == 7


def test_provider_v6_region_argument(tf):
    res = tf('resource "aws_vpc" "v" {\n  region = "eu-west-1"\n  cidr_block = "10.0.0.0/16"\n}\n')
    assert res.resources[0].attrs == {"region": "eu-west-1", "cidr_block": "10.0.0.0/16"}


def test_override_files_merge(tf):
    res = tf('resource "aws_db_instance" "d" {\n  multi_az = false\n  engine = "postgres"\n  tag {\n    a = 1\n  }\n}\n',
             extra={"override.tf": 'resource "aws_db_instance" "d" {\n  multi_az = true\n  tag {\n    b = 2\n  }\n}\n'})
    a = res.resources[0].attrs
    assert a == {"multi_az": True, "engine": "postgres", "tag": [{"b": 2}]}
    assert res.resources[0].positions[("multi_az",)][0] == 2  # the line in override.tf


def test_cloudposse_label_enabled_output(tf):
    res = tf('''
variable "context" {
  default = { enabled = true, namespace = null }
}
module "this" {
  source  = "cloudposse/label/null"
  version = "0.25.0"
  context = var.context
}
module "off" {
  source  = "cloudposse/label/null"
  enabled = false
  context = module.this.context
}
resource "aws_subnet" "on" {
  count = module.this.enabled ? 2 : 0
  tags  = module.this.tags
}
resource "aws_subnet" "off" {
  count = module.off.enabled ? 2 : 0
}
''')
    r = by_address(res)
    assert sorted(r) == ["aws_subnet.on[0]", "aws_subnet.on[1]"]
    assert isinstance(r["aws_subnet.on[0]"].attrs["tags"], Unknown)


def test_for_each_over_zone_positions(tf):
    res = tf('''
data "aws_availability_zones" "a" {}
locals {
  azs = slice(data.aws_availability_zones.a.names, 0, 2)
}
resource "aws_subnet" "s" {
  for_each          = toset(local.azs)
  availability_zone = each.key
}
resource "aws_route_table_association" "r" {
  for_each  = toset(local.azs)
  subnet_id = aws_subnet.s[each.key].id
}
resource "aws_nat_gateway" "n" {
  for_each  = { for az in local.azs : az => az }
  subnet_id = aws_subnet.s[each.key].id
  az        = each.key
}
''')
    r = by_address(res)
    s0 = r['aws_subnet.s["<GETAZS[0]>"]']
    assert s0.attrs["availability_zone"] == AzIndex("GETAZS", 0) and not s0.instances_unknown
    assert r['aws_subnet.s["<GETAZS[1]>"]'].attrs["availability_zone"] == AzIndex("GETAZS", 1)
    assert r['aws_route_table_association.r["<GETAZS[1]>"]'].attrs["subnet_id"] == Ref('aws_subnet.s["<GETAZS[1]>"]', "id")
    n = r['aws_nat_gateway.n["<GETAZS[0]>"]'].attrs
    assert n["az"] == AzIndex("GETAZS", 0) and n["subnet_id"] == Ref('aws_subnet.s["<GETAZS[0]>"]', "id")

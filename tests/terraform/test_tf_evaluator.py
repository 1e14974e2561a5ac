"""Expressions, functions, values and unknown propagation of the Terraform reader."""
from __future__ import annotations

import pytest

from tfhelpers import by_address
from walint.model.values import AzIndex, AzList, OneOf, Ref, Unknown


def value(tf, expr, pre="", **kw):
    res = tf(f'{pre}\nresource "terraform_data" "t" {{\n  input = {expr}\n}}\n', **kw)
    r = by_address(res)["terraform_data.t"]
    return r.attrs.get("input", "<absent>")


@pytest.mark.parametrize("expr, expected", [
    ('length([1, 2, 3])', 3),
    ('length("abcd")', 4),
    ('length({a = 1})', 1),
    ('element(["a", "b"], 3)', "b"),
    ('concat([1], [2, 3])', [1, 2, 3]),
    ('merge({a = 1, b = 2}, {b = 3})', {"a": 1, "b": 3}),
    ('lookup({a = 1}, "b", 5)', 5),
    ('try(local.nope.x, "fb")', "fb"),
    ('try({a = 1}.b, "fb")', "fb"),
    ('can({a = 1}.b)', False),
    ('coalesce("", null, "x")', "x"),
    ('compact(["a", "", null, "b"])', ["a", "b"]),
    ('flatten([[1, [2]], 3])', [1, 2, 3]),
    ('distinct([1, 1, 2])', [1, 2]),
    ('slice([1, 2, 3, 4], 1, 3)', [2, 3]),
    ('toset(["b", "a", "b"])', ["a", "b"]),
    ('tolist(toset(["z", "y"]))', ["y", "z"]),
    ('tomap({a = "1"})', {"a": "1"}),
    ('keys({b = 1, a = 2})', ["a", "b"]),
    ('values({b = 1, a = 2})', [2, 1]),
    ('zipmap(["a"], [1])', {"a": 1}),
    ('range(3)', [0, 1, 2]),
    ('range(1, 7, 2)', [1, 3, 5]),
    ('contains(["a"], "a")', True),
    ('format("%s-%02d", "x", 3)', "x-03"),
    ('join("-", ["a", "b"])', "a-b"),
    ('split(",", "a,b")', ["a", "b"]),
    ('cidrsubnet("10.0.0.0/16", 8, 3)', "10.0.3.0/24"),
    ('cidrsubnets("10.0.0.0/16", 8, 8, 4)', ["10.0.0.0/24", "10.0.1.0/24", "10.0.16.0/20"]),
    ('cidrhost("10.0.0.0/24", 5)', "10.0.0.5"),
    ('min(3, 1)', 1),
    ('max([5, 9]...)', 9),
    ('lower("AB")', "ab"),
    ('upper("ab")', "AB"),
    ('replace("a.b", ".", "-")', "a-b"),
    ('replace("a1b22", "/[0-9]+/", "#")', "a#b#"),
    ('substr("hello", 1, 3)', "ell"),
    ('trimspace(" x ")', "x"),
    ('trimprefix("ab", "a")', "b"),
    ('trimsuffix("ab", "b")', "a"),
    ('startswith("ab", "a")', True),
    ('endswith("ab", "a")', False),
    ('jsonencode({b = [1, "x"], a = true})', '{"a":true,"b":[1,"x"]}'),
    ('jsondecode("{\\"a\\": [1]}")', {"a": [1]}),
    ('tostring(1)', "1"),
    ('tonumber("2.5")', 2.5),
    ('tobool("false")', False),
    ('abs(-2)', 2),
    ('ceil(1.2)', 2),
    ('floor(1.8)', 1),
    ('sort(["b", "a"])', ["a", "b"]),
    ('reverse([1, 2])', [2, 1]),
    ('one([7])', 7),
    ('sum([1, 2])', 3),
    ('setunion(["a"], ["b", "a"])', ["a", "b"]),
    ('setintersection(["a", "b"], ["b"])', ["b"]),
    ('setsubtract(["a", "b"], ["b"])', ["a"]),
    ('coalescelist([], [1])', [1]),
    ('1 + 2 * 3', 7),
    ('7 / 2', 3.5),
    ('-3 % 2', -1),
    ('1 < 2 && !false', True),
    ('"a" == "a" ? "y" : "n"', "y"),
    ('[for x in [1, 2, 3] : x * 2 if x > 1]', [4, 6]),
    ('{for k, v in {a = 1, b = 2} : v => k}', {"1": "a", "2": "b"}),
    ('{for s in ["ab", "ac", "b"] : substr(s, 0, 1) => s...}', {"a": ["ab", "ac"], "b": ["b"]}),
    ('[{a = 1}, {a = 2}][*].a', [1, 2]),
    ('{x = [1, 2]}.x[1]', 2),
    ('"pre-${1 + 1}-%{if true}y%{else}n%{endif}"', "pre-2-y"),
    ('"%{for x in ["a", "b"]}${x},%{endfor}"', "a,b,"),
])
def test_functions_and_operators(tf, expr, expected):
    assert value(tf, expr) == expected


def test_heredoc_flush_indent(tf):
    v = value(tf, '<<-EOT\n    one ${"x"}\n      two\n    EOT')
    assert v == "one x\n  two\n"


def test_null_attribute_is_absent(tf):
    assert value(tf, "null") == "<absent>"


def test_unsupported_function_is_unknown(tf):
    v = value(tf, 'timestamp()')
    assert isinstance(v, Unknown) and "timestamp" in v.reason
    v = value(tf, 'nosuchfn(1)')
    assert isinstance(v, Unknown) and "nosuchfn" in v.reason


def test_variable_without_value_is_unknown_and_propagates(tf):
    pre = 'variable "x" {}\n'
    v = value(tf, 'var.x', pre)
    assert isinstance(v, Unknown) and "variable x has no value" in v.reason
    v = value(tf, 'upper(var.x)', pre)
    assert isinstance(v, Unknown)
    v = value(tf, '"a-${var.x}"', pre)
    assert isinstance(v, Unknown)
    v = value(tf, '[1, var.x]', pre)
    assert v[0] == 1 and isinstance(v[1], Unknown)


def test_unknown_condition_gives_oneof(tf):
    pre = 'variable "prod" {}\n'
    assert value(tf, 'var.prod ? true : false', pre) == OneOf((True, False))
    assert value(tf, 'var.prod ? "a" : "a"', pre) == "a"
    assert value(tf, '(var.prod ? 1 : 2) + 10', pre) == OneOf((11, 12))


def test_variable_precedence_cli(tf):
    pre = ('variable "x" { default = "d" }\nvariable "n" { type = number }\nvariable "s" { type = string }\n'
           'variable "l" { type = list(string) }\nvariable "u" {}\n')
    v = value(tf, '[var.x, var.n, var.s, var.l, var.u]', pre,
              variables=[("x", "one"), ("n", "5"), ("x", "two"), ("s", "07"), ("l", '["a", "b"]'), ("u", "5")])
    # untyped and string variables take -var literally; other types parse it as HCL
    assert v == ["two", 5, "07", ["a", "b"], "5"]


def test_tfvars_precedence(tmp_path, tf):
    extra = {
        "terraform.tfvars": 'a = "tfvars"\nb = "tfvars"\nc = "tfvars"\n',
        "terraform.tfvars.json": '{"b": "json", "c": "json"}',
        "x.auto.tfvars": 'c = "auto"\n',
        "other.tfvars": 'd = "file"\n',
    }
    pre = "\n".join(f'variable "{n}" {{ default = "default" }}' for n in "abcde")
    v = value(tf, '[var.a, var.b, var.c, var.d, var.e]', pre, extra=extra,
              var_files=[str(tmp_path / "other.tfvars")])
    assert v == ["tfvars", "json", "auto", "file", "default"]


def test_object_type_optional_defaults(tf):
    pre = '''variable "o" {
  type = object({ name = string, size = optional(number, 3), tags = optional(map(string)) })
  default = { name = "n" }
}'''
    # a missing optional attribute without a default is null, as in Terraform
    assert value(tf, 'var.o', pre) == {"name": "n", "size": 3, "tags": None}


def test_resource_references(tf):
    res = tf('''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, 1)
  other      = aws_vpc.main.cidr_block
  arn_based  = "${aws_vpc.main.arn}/x"
}
''')
    a = by_address(res)["aws_subnet.a"].attrs
    assert a["vpc_id"] == Ref("aws_vpc.main", "id")
    assert a["cidr_block"] == "10.0.1.0/24"
    assert a["other"] == Ref("aws_vpc.main", "cidr_block")
    assert isinstance(a["arn_based"], Unknown) and a["arn_based"].refs == ("aws_vpc.main",)


def test_availability_zone_lists(tf):
    res = tf('''
data "aws_availability_zones" "available" {}
data "aws_availability_zones" "filtered" {
  exclude_names = ["us-east-1e"]
}
locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 2)
}
resource "aws_subnet" "s" {
  count             = 2
  availability_zone = data.aws_availability_zones.available.names[count.index]
  az2               = element(data.aws_availability_zones.available.names, count.index)
  az3               = local.azs[count.index]
  az4               = data.aws_availability_zones.filtered.names[count.index]
  zone_id           = data.aws_availability_zones.available.zone_ids[count.index]
  n                 = length(data.aws_availability_zones.available.names)
  other             = data.aws_availability_zones.available.id
}
''')
    s1 = by_address(res)["aws_subnet.s[1]"].attrs
    assert s1["availability_zone"] == AzIndex("GETAZS", 1)
    assert s1["az2"] == AzIndex("GETAZS", 1)
    assert s1["az3"] == AzIndex("GETAZS", 1)
    assert s1["az4"].list_id.startswith("GETAZS(filtered:") and s1["az4"].index == 1
    assert s1["zone_id"] == AzIndex("GETAZIDS", 1)
    assert isinstance(s1["n"], Unknown)
    assert isinstance(s1["other"], Unknown) and "data source" in s1["other"].reason


def test_data_source_attributes_unknown_and_not_resources(tf):
    res = tf('''
data "aws_vpc" "default" {
  default = true
}
resource "aws_subnet" "s" {
  vpc_id = data.aws_vpc.default.id
}
''')
    assert [r.address for r in res.resources] == ["aws_subnet.s"]
    v = res.resources[0].attrs["vpc_id"]
    assert isinstance(v, Unknown) and "data source" in v.reason


def test_local_cycle_is_diagnosed(tf):
    res = tf('locals {\n  a = local.b\n  b = local.a\n}\nresource "terraform_data" "t" {\n  input = local.a\n}\n')
    assert isinstance(res.resources[0].attrs["input"], Unknown)
    d = [d for d in res.diagnostics if "cycle" in d.message]
    assert d and d[0].file.endswith("main.tf") and d[0].line in (2, 3)


def test_deep_nesting_never_crashes(tf):
    deep = "[" * 400 + "1" + "]" * 400
    res = tf(f'resource "terraform_data" "t" {{\n  input = {deep}\n  other = 1\n}}\n')
    r = res.resources[0]
    assert r.attrs["other"] == 1
    assert isinstance(r.attrs.get("input"), Unknown) or r.attrs.get("input") is not None
    chain = "\n".join(f"  l{i} = local.l{i + 1} + 1" for i in range(300)) + "\n  l300 = 0"
    res = tf(f'locals {{\n{chain}\n}}\nresource "terraform_data" "t" {{\n  input = local.l0\n}}\n')
    assert isinstance(res.resources[0].attrs["input"], Unknown)
    # a limit, not a value walint cannot know: WAL-PARSE-002, never a silent unknown
    assert any(d.code == "WAL-PARSE-002" and d.level == "error" for d in res.diagnostics)


def test_positions_and_comments(tf):
    res = tf('''# walint:ignore WAL-MAZ-001 single AZ on purpose
# second line
resource "aws_db_instance" "db" {
  multi_az = false # trailing
  ingress {
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = {
    Name = "db"
  }
}
''')
    r = res.resources[0]
    assert (r.line, r.end_line) == (3, 11)
    assert r.positions[("multi_az",)] == (4, 3)
    assert r.positions[("ingress", 0)] == (5, 3)
    assert r.positions[("ingress", 0, "cidr_blocks")] == (6, 5)
    assert r.positions[("tags", "Name")][0] == 9
    assert r.attrs["ingress"] == [{"cidr_blocks": ["0.0.0.0/0"]}]
    assert [c[0] for c in r.comments] == [1, 2, 4]
    assert r.comments[0][1].startswith("# walint:ignore WAL-MAZ-001")
    assert (r.format, r.type, r.file) == ("terraform", "aws_db_instance", r.file)


@pytest.mark.parametrize("expr, expected", [
    ('true ? 1 : false ? 2 : 3', 1),
    ('false ? 1 : true ? 2 : 3', 2),
    ('false ? 1 : false ? 2 : false ? 3 : 4', 4),
    ('(false ? true : false) ? 1 : 2', 2),
    ('true || false && false', True),
    ('10 - 2 - 3', 5),
    ('8 / 4 / 2', 1),
    ('2 * 3 + 1', 7),
    ('1 < 2 == true', True),
    ('!false && true', True),
    ('-2 * -3', 6),
])
def test_operator_precedence_and_associativity(tf, expr, expected):
    # tree-sitter-hcl reads nested conditionals left-associatively; the reader fixes that
    assert value(tf, expr) == expected


def test_template_over_oneof_and_nullable(tf):
    pre = 'variable "p" {}\n'
    assert value(tf, '"db-${var.p ? "a" : "b"}"', pre) == OneOf(("db-a", "db-b"))


def test_nullable_false_takes_default(tf):
    res = tf('module "m" {\n  source = "./m"\n  x = null\n  y = null\n}\n', extra={
        "m/main.tf": 'variable "x" {\n  default = "dx"\n  nullable = false\n}\nvariable "y" {\n  default = "dy"\n}\n'
                     'resource "terraform_data" "t" {\n  input = [var.x, var.y]\n}\n'})
    assert res.resources[0].attrs["input"] == ["dx", None]


def test_computed_attribute_inside_configured_block(tf):
    res = tf('resource "aws_eks_cluster" "c" {\n  vpc_config {\n    subnet_ids = ["a"]\n  }\n}\n'
             'resource "aws_ec2_tag" "t" {\n  resource_id = aws_eks_cluster.c.vpc_config[0].cluster_security_group_id\n'
             '  first = aws_eks_cluster.c.vpc_config[0].subnet_ids[0]\n}\n')
    t = by_address(res)["aws_ec2_tag.t"].attrs
    assert isinstance(t["resource_id"], Unknown) and t["resource_id"].refs == ("aws_eks_cluster.c",)
    assert t["first"] == "a"


def test_null_comparison_of_partly_unknown_value(tf):
    pre = 'variable "u" {}\n'
    assert value(tf, '{a = var.u} != null', pre) is True
    assert isinstance(value(tf, 'var.u == null', pre), Unknown)


def test_zone_variable_without_value_is_a_zone_list(tf):
    res = tf('''
variable "azs" {
  type = list(string)
}
variable "known_azs" {
  default = ["eu-west-1a", "eu-west-1b"]
}
resource "aws_subnet" "s" {
  count             = 2
  availability_zone = var.azs[count.index]
  other             = element(var.azs, count.index)
  known             = var.known_azs[count.index]
}
''')
    s = by_address(res)["aws_subnet.s[1]"].attrs
    assert s["availability_zone"] == AzIndex("VAR(azs)", 1) == s["other"]
    assert s["known"] == "eu-west-1b"

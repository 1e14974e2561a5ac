"""Property-based fuzzing of the parsers, the graph builder and the rules.

The only outcomes allowed are findings or parse-error findings: no exception, no rule
that raises (an internal error). CI runs a few dozen examples per property; the long run
is `pytest -m slow tests/robustness/test_fuzz.py` (WALINT_FUZZ_EXAMPLES sets its size).
"""
from __future__ import annotations

import json
import os
import pathlib
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from walint.engine.run import ScanOptions, scan
from walint.model.kinds import KIND_OF_TYPE

ROOT = pathlib.Path(__file__).resolve().parents[2]
# WALINT_FUZZ_SEEDS=/path/to/corpus mutates real repositories' files instead of our fixtures.
SEED_ROOT = pathlib.Path(os.environ.get("WALINT_FUZZ_SEEDS", ROOT / "fixtures"))
SEEDS = sorted(p for p in SEED_ROOT.rglob("*")
               if p.suffix in (".tf", ".yaml", ".yml", ".json", ".template")
               and p.name != "expected.yaml" and p.is_file()
               and p.stat().st_size < 20_000 and "plan" not in p.name)
QUICK = settings(max_examples=25, deadline=None, derandomize=True,
                 suppress_health_check=list(HealthCheck))
LONG = settings(max_examples=int(os.environ.get("WALINT_FUZZ_EXAMPLES", "1500")), deadline=None,
                suppress_health_check=list(HealthCheck))

CFN_TYPES = sorted(t for t in KIND_OF_TYPE if t.startswith("AWS::"))
TF_TYPES = sorted(t for t in KIND_OF_TYPE if t.startswith("aws_"))
PROPS = ["MultiAZ", "SubnetIds", "VPCZoneIdentifier", "SecurityGroupIngress", "SecurityGroupEgress",
         "VpcId", "SubnetId", "RouteTableId", "NatGatewayId", "GatewayId", "DestinationCidrBlock",
         "AvailabilityZone", "CidrIp", "FromPort", "ToPort", "IpProtocol", "GroupId", "Engine",
         "DBSubnetGroupName", "VPCSecurityGroups", "StorageEncrypted", "NetworkConfiguration",
         "LoadBalancers", "PolicyDocument", "Policies", "Tags", "BucketName", "Scheme", "Subnets"]
ARGS = ["multi_az", "subnet_ids", "vpc_id", "subnet_id", "route_table_id", "nat_gateway_id",
        "gateway_id", "cidr_block", "availability_zone", "from_port", "to_port", "protocol",
        "cidr_blocks", "security_group_id", "engine", "db_subnet_group_name", "bucket", "policy",
        "vpc_security_group_ids", "storage_encrypted", "type", "internal", "subnets", "count"]


def run_scan(files: dict, **options):
    with tempfile.TemporaryDirectory() as d:
        for name, data in files.items():
            path = os.path.join(d, name)
            with open(path, "wb") as fh:
                fh.write(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
        report = scan([d], ScanOptions(jobs=1, **options))
    assert not report.internal_errors, report.internal_errors
    return report


# -- mutated real files ---------------------------------------------------------------------

mutation = st.tuples(st.sampled_from(["delete", "insert", "duplicate", "replace"]),
                     st.floats(0, 1), st.floats(0, 1),
                     st.binary(max_size=8) | st.sampled_from(
                         [b"{", b"}", b"[", b"]", b'"', b":", b"=", b"\n", b"${", b"!Ref ", b"- ",
                          b"  ", b"count.index", b"${var.x}", b"\x00", b"\xff", b"&a", b"*a"]))


def mutate(data: bytes, ops) -> bytes:
    for op, a, b, chunk in ops:
        i, j = sorted((int(a * len(data)), int(b * len(data))))
        if op == "delete":
            data = data[:i] + data[j:]
        elif op == "insert":
            data = data[:i] + chunk + data[i:]
        elif op == "duplicate":
            data = data[:j] + data[i:j] + data[j:]
        else:
            data = data[:i] + chunk + data[i + len(chunk):]
    return data


def _mutated_file_property(seed_index, ops):
    seed = SEEDS[seed_index % len(SEEDS)]
    run_scan({seed.name: mutate(seed.read_bytes(), ops)})


@pytest.mark.skipif(not SEEDS, reason="no fixture files to mutate")
@QUICK
@given(st.integers(0, 10_000), st.lists(mutation, min_size=1, max_size=4))
def test_mutated_real_files(seed_index, ops):
    _mutated_file_property(seed_index, ops)


# -- generated CloudFormation -----------------------------------------------------------------

names = st.sampled_from(["A", "B", "Vpc", "Subnet", "Db", "Sg", "Rt", "Nat", "Missing"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=12),
                    st.sampled_from(["0.0.0.0/0", "::/0", "10.0.0.0/16", "tcp", "-1", "postgres",
                                     "aurora-mysql", "true", "false", "us-east-1a"]))


def intrinsics(children):
    return st.one_of(
        st.builds(lambda n: {"Ref": n}, names),
        st.builds(lambda n, a: {"Fn::GetAtt": [n, a]}, names, st.sampled_from(["Arn", "AvailabilityZone", "X.Y"])),
        st.builds(lambda i: {"Fn::Select": [i, {"Fn::GetAZs": ""}]}, st.integers(-1, 5)),
        st.builds(lambda a, b: {"Fn::If": ["Cond", a, b]}, children, children),
        st.builds(lambda s: {"Fn::Sub": s}, st.sampled_from(["${A}", "${AWS::Region}a", "x-${B.Arn}", "${"])),
        st.builds(lambda xs: {"Fn::Join": [",", xs]}, st.lists(children, max_size=3)),
        st.builds(lambda k: {"Fn::FindInMap": ["M", k, "v"]}, children),
        st.just({"Ref": "AWS::NoValue"}), st.just({"Fn::ImportValue": "x"}),
    )


cfn_values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4),
    st.dictionaries(st.sampled_from(PROPS) | st.text(max_size=6), children, max_size=4),
    intrinsics(children)), max_leaves=25)

cfn_templates = st.fixed_dictionaries({
    "AWSTemplateFormatVersion": st.just("2010-09-09"),
    "Parameters": st.dictionaries(st.sampled_from(["P", "Env", "Azs"]),
                                  st.fixed_dictionaries({"Type": st.sampled_from(["String", "CommaDelimitedList", "Number"])},
                                                        optional={"Default": scalars}), max_size=2),
    "Conditions": st.dictionaries(st.just("Cond"), st.just({"Fn::Equals": [{"Ref": "P"}, "prod"]}), max_size=1),
    "Resources": st.dictionaries(names, st.fixed_dictionaries(
        {"Type": st.sampled_from(CFN_TYPES)},
        optional={"Properties": st.dictionaries(st.sampled_from(PROPS), cfn_values, max_size=6),
                  "Condition": st.sampled_from(["Cond", "Nope"])}), min_size=1, max_size=6),
})


def _generated_cfn_property(template):
    run_scan({"template.json": json.dumps(template)})


@QUICK
@given(cfn_templates)
def test_generated_cloudformation(template):
    _generated_cfn_property(template)


# -- generated Terraform ------------------------------------------------------------------------

def hcl(value) -> str:
    if isinstance(value, tuple):          # a raw expression
        return value[0]
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(hcl(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {hcl(v)}" for k, v in value.items()) + "}"


expressions = st.sampled_from([
    "aws_vpc.A.id", "aws_subnet.B[0].id", "aws_subnet.B[*].id", "var.x", "var.azs[count.index]",
    "local.y", "count.index", "each.key", "each.value", "data.aws_availability_zones.az.names[1]",
    "length(var.azs)", "cidrsubnet(\"10.0.0.0/16\", 8, 3)", "element(var.azs, 5)", "var.x ? 1 : 0",
    "[for s in aws_subnet.B : s.id]", "merge({a = 1}, var.m)", "lookup(var.m, \"k\", \"d\")",
    "try(var.nope.x, 2)", "module.m.out", "jsonencode({Statement = []})", "\"${var.x}-a\"",
    "toset(var.azs)", "tonumber(\"x\")", "1 / 0", "-var.x", "!var.x"]).map(lambda e: (e,))
tf_values = st.recursive(scalars | expressions, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(st.text("abc_", min_size=1, max_size=5), children, max_size=3)),
    max_leaves=15)
tf_resources = st.lists(st.tuples(st.sampled_from(TF_TYPES), names,
                                  st.dictionaries(st.sampled_from(ARGS), tf_values, max_size=6),
                                  st.sampled_from(["", "count = 2", "count = var.n", "for_each = toset(var.azs)",
                                                   "for_each = var.m", "count = var.x ? 1 : 0"])),
                        min_size=1, max_size=6)


def render_tf(resources) -> str:
    out = ['variable "x" {}\nvariable "n" { default = 3 }\nvariable "azs" { default = ["a", "b"] }\n'
           'variable "m" { default = { k = "v" } }\nlocals { y = [var.x] }\n'
           'data "aws_availability_zones" "az" {}\n']
    seen = set()
    for rtype, name, attrs, meta in resources:
        if (rtype, name) in seen:
            continue
        seen.add((rtype, name))
        body = "".join(f"  {k} = {hcl(v)}\n" for k, v in attrs.items() if k != "count")
        out.append(f'resource "{rtype}" "{name}" {{\n  {meta}\n{body}}}\n')
    return "".join(out)


def _generated_tf_property(resources):
    run_scan({"main.tf": render_tf(resources)})


@QUICK
@given(tf_resources)
def test_generated_terraform(resources):
    _generated_tf_property(resources)


# -- the long session (outside CI) --------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(not SEEDS, reason="no fixture files to mutate")
@LONG
@given(st.integers(0, 10_000), st.lists(mutation, min_size=1, max_size=6))
def test_long_mutated_real_files(seed_index, ops):
    _mutated_file_property(seed_index, ops)


@pytest.mark.slow
@LONG
@given(cfn_templates)
def test_long_generated_cloudformation(template):
    _generated_cfn_property(template)


@pytest.mark.slow
@LONG
@given(tf_resources)
def test_long_generated_terraform(resources):
    _generated_tf_property(resources)

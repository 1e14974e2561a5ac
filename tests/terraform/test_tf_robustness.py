"""Bad input gives diagnostics with a file and a line, never an exception."""
from __future__ import annotations

import os

from tfhelpers import by_address, write_module
from walint.engine import boundary
from walint.model.values import Unknown


def test_syntax_error_keeps_other_blocks(tf):
    res = tf('''resource "aws_vpc" "ok" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "bad" {
  cidr_block = = "x"
}

resource "aws_s3_bucket" "after" {
  bucket = "b"
}
''')
    errs = [d for d in res.diagnostics if d.level == "error" and d.code == "WAL-PARSE-001"]
    assert errs and errs[0].file.endswith("main.tf") and errs[0].line == 6
    assert "aws_vpc.ok" in by_address(res)


def test_binary_and_non_utf8_files(tf):
    res = tf('resource "aws_vpc" "v" {}\n', extra={"bin.tf": b"\x00\x01\x02", "latin.tf": b'x = "\xe9"\n'})
    msgs = {os.path.basename(d.file): d for d in res.diagnostics}
    assert "binary" in msgs["bin.tf"].message and msgs["bin.tf"].line == 1
    assert "UTF-8" in msgs["latin.tf"].message
    assert [r.address for r in res.resources] == ["aws_vpc.v"]


def test_empty_files_are_valid(tf):
    res = tf("", extra={"empty.tf.json": ""})
    assert res.resources == [] and res.diagnostics == []


def test_bad_json_syntax(tf):
    res = tf("", extra={"x.tf.json": '{\n  "resource": {\n    "aws_vpc": [\n}'})
    d = res.diagnostics
    assert d and d[0].file.endswith("x.tf.json") and d[0].level == "error" and d[0].line >= 1


def test_unparseable_tfvars(tf):
    res = tf('variable "a" {\n  default = "d"\n}\nresource "terraform_data" "t" {\n  input = var.a\n}\n',
             extra={"terraform.tfvars": 'a = "x\nb = = 2\n'})
    d = [d for d in res.diagnostics if d.file.endswith("terraform.tfvars")]
    assert d and d[0].line >= 1
    assert len(res.resources) == 1


def test_missing_var_file_and_root(tmp_path):
    from walint.parsers.terraform import parse_modules
    res = parse_modules([str(tmp_path / "nope")], var_files=[str(tmp_path / "missing.tfvars")])
    assert len(res.diagnostics) == 2


def test_garbage_never_raises(tf):
    samples = [
        'resource "x" {', "}}}}", 'resource "a" "b" { count = "many" }', 'resource "a" "b" { for_each = 5 }',
        'resource "a" "b" { x = [for ] }', 'resource "a" "b" { x = foo(((( }', "locals { a = local.a }",
        'resource "a" "b" { dynamic "x" { for_each = 3 content { y = x.value } } }',
        'module "m" { source = 5 }', 'resource "a" "b" { x = "${" }', 'resource "a" "b" { x = <<EOT\nno end',
        'resource "a" "b" { count = -1 }', 'resource "a" "b" { x = 1 / 0 }', 'resource "a" "b" { x = {a = 1}[*] }',
        'resource "a" "b" { x = [1][5] }', 'resource "a" "b" { x = try() }', 'resource "a" "b" { x = cidrsubnet("bad", 1, 1) }',
    ]
    for s in samples:
        res = tf(s)
        assert isinstance(res.diagnostics, list)


def test_self_reference_of_resource(tf):
    res = tf('resource "aws_vpc" "v" {\n  cidr_block = cidrsubnet(aws_vpc.v.cidr_block, 1, 1)\n}\n')
    v = res.resources[0].attrs["cidr_block"]
    assert isinstance(v, Unknown)
    assert any(d.line == 1 and "cycle" in d.message for d in res.diagnostics)


def test_module_depth_bound(tmp_path):
    from walint.parsers.terraform import parse_modules
    files = {}
    for i in range(20):
        files[f"m{i}/main.tf"] = f'module "next" {{\n  source = "../m{i + 1}"\n}}\nresource "terraform_data" "t" {{}}\n'
    files["m20/main.tf"] = ""
    write_module(tmp_path, files)
    with boundary.active(boundary.Boundary([str(tmp_path)])):    # the modules' repository
        res = parse_modules([str(tmp_path / "m0")])
    assert 5 < len(res.resources) < 20
    assert any("nested deeper" in d.message for d in res.diagnostics)

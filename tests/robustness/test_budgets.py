"""Budgets on the whole scan and time limits that always fire (docs/security.md).

Each hostile input runs walint in a subprocess under an address-space limit and a
wall-clock limit: it must finish in bounded time with a WAL-PARSE-002 finding naming
the file and the budget, the insecure sibling resource still reported, exit 1 (2 for a
bad configuration). Large inputs are generated here.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

ADDRESS_SPACE = 1536 << 20          # 1.5 GB for walint and each of its workers
DB_TF = 'resource "aws_db_instance" "prod" {\n  engine   = "postgres"\n  multi_az = false\n}\n'
DB_CFN = "  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MultiAZ: false\n"


def _limit():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def scan(cwd, *args, seconds=60):
    """Run walint; (exit code, JSON report or None, stderr, wall seconds)."""
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "walint", "scan", *args, "--format", "json"],
                         cwd=cwd, capture_output=True, text=True, timeout=seconds, preexec_fn=_limit,
                         env={**os.environ, "WALINT_JOBS": "1"})
    wall = time.monotonic() - start
    report = json.loads(out.stdout) if out.stdout.strip() else None
    return out.returncode, report, out.stderr, wall


def incomplete(report, budget):
    return [f for f in report["findings"]
            if f["rule"] == "WAL-PARSE-002" and f"the {budget} budget" in f["message"]]


def sibling_reported(report, rule="WAL-MAZ-001"):
    return any(f["rule"] == rule for f in report["findings"])


def test_format_width_checked_before_python_formats(tmp_path):
    (tmp_path / "db.tf").write_text(DB_TF)
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "h" {\n'
                                      '  bucket = format("%.2000000000f", 1.5)\n'
                                      '  tags   = { a = format("%3000000000d", 1) }\n}\n')
    code, report, err, wall = scan(tmp_path, ".")
    assert code == 1 and wall < 30, err[-2000:]
    found = incomplete(report, "format-width")
    assert found and found[0]["file"] == "main.tf" and found[0]["line"] == 2, report["findings"]
    assert "--budget format-width=N" in found[0]["message"]
    assert sibling_reported(report)


def test_terraform_strings_cannot_double_or_multiply(tmp_path):
    locals_ = ['  s0 = "abcdefghij"'] + [f'  s{i} = "${{local.s{i - 1}}}${{strrev(local.s{i - 1})}}"'
                                        for i in range(1, 31)]
    (tmp_path / "main.tf").write_text("locals {\n" + "\n".join(locals_) + "\n}\n"
                                      'resource "aws_s3_bucket" "h" {\n  bucket = local.s30\n}\n' + DB_TF)
    lst = tmp_path / "formatlist"
    lst.mkdir()
    (lst / "main.tf").write_text(
        'locals {\n  s = join("", [for i in range(1000): "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"])\n'
        '  r = formatlist("%s%s%s%s", [for i in range(1024): local.s], local.s, local.s, local.s)\n'
        '  t = replace(local.s, "x", local.s)\n}\n'
        'resource "aws_s3_bucket" "h" {\n  bucket = "${length(local.r)}${local.t}"\n}\n')
    code, report, err, wall = scan(tmp_path, ".")
    assert code == 1 and wall < 60, err[-2000:]
    files = {(f["file"], f["line"]) for f in incomplete(report, "string-bytes")}
    assert ("formatlist/main.tf", 3) in files and ("formatlist/main.tf", 4) in files, report["findings"]
    assert any(f == "main.tf" for f, _ in files), files
    assert sibling_reported(report)


def test_yamldecode_alias_bomb_counted_before_copying(tmp_path):
    doc = "a: &a [x,x,x,x,x,x,x,x,x]\\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\\n" for p, c in zip("abcdefgh", "bcdefghi"))
    (tmp_path / "main.tf").write_text(f'locals {{\n  d = yamldecode("{doc}")\n}}\n'
                                      'resource "aws_s3_bucket" "h" {\n  bucket = jsonencode(local.d)\n}\n'
                                      + DB_TF)
    code, report, err, wall = scan(tmp_path, ".")
    assert code == 1 and wall < 30, err[-2000:]
    assert incomplete(report, "decode-nodes"), report["findings"]
    assert sibling_reported(report)


def test_module_fan_out_counts_every_instance(tmp_path):
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  count = 1000\n}\n')
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./inner"\n  count  = 1000\n}\n' + DB_TF)
    code, report, err, wall = scan(tmp_path, ".", "--budget", "instances=5000")
    assert code == 1 and wall < 60, err[-2000:]
    assert incomplete(report, "instances"), report["findings"]
    assert sibling_reported(report)


def _foreach(levels, items):
    body = "B" + "".join(f"${{V{i}}}" for i in range(levels)) + ":\n  Type: AWS::S3::Bucket\n"
    for level in reversed(range(levels)):
        inner = "\n".join("    " + line for line in body.splitlines())
        body = (f"Fn::ForEach::L{level}:\n  - V{level}\n  - [{', '.join(f'i{j}' for j in range(items))}]\n"
                f"  -\n{inner}\n")
    return "\n".join("  " + line for line in body.splitlines()) + "\n"


def test_cfn_foreach_product_is_bounded(tmp_path):
    (tmp_path / "t.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\n"
                                     "Transform: AWS::LanguageExtensions\nResources:\n"
                                     + _foreach(8, 10) + DB_CFN)
    code, report, err, wall = scan(tmp_path, "t.yaml")
    assert code == 1 and wall < 60, err[-2000:]
    found = incomplete(report, "instances")
    assert found and found[0]["file"] == "t.yaml" and found[0]["line"] == 4, report["findings"]
    assert sibling_reported(report)


def test_cfn_nested_stack_fan_out_is_bounded(tmp_path):
    width, depth = 20, 7
    for level in range(depth + 1):
        name = "t.yaml" if level == 0 else f"c{level}.yaml"
        stacks = "".join(f"  S{i}:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
                         f"      TemplateURL: c{level + 1}.yaml\n" for i in range(width)) if level < depth else \
            "  Q:\n    Type: AWS::SQS::Queue\n"
        (tmp_path / name).write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + stacks
                                     + (DB_CFN if level == 0 else ""))
    code, report, err, wall = scan(tmp_path, "t.yaml", "--budget", "instances=2000")
    assert code == 1 and wall < 60, err[-2000:]
    assert incomplete(report, "instances"), report["findings"]
    assert report["summary"]["resources"] <= 2000
    assert sibling_reported(report)


def test_cfn_aliased_strings_and_mappings_are_bounded(tmp_path):
    big = "x" * (1 << 19)
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Mappings:", "  M:",
             f"    k0:\n      v: &big {big}"]
    lines += [f"    k{i}:\n      v: *big" for i in range(1, 300)]
    lines.append("Resources:\n" + DB_CFN.rstrip("\n"))
    lines.append("  J:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Join ['', ["
                 + ",".join(["*big"] * 1000) + "]]")
    lines += [f"  F{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !FindInMap [M, k{i}, v]"
              for i in range(300)]
    (tmp_path / "t.yaml").write_text("\n".join(lines) + "\n")
    code, report, err, wall = scan(tmp_path, "t.yaml", seconds=120)
    assert code == 1 and wall < 90, err[-2000:]
    stopped = [f["message"] for f in incomplete(report, "unit-string-bytes")]
    assert any(m.startswith("resource J ") for m in stopped), stopped
    assert any(m.startswith("resource F") for m in stopped), stopped     # 300 x 512 KB handed out
    assert report["summary"]["resources"] > 100                          # ... after the first 128
    assert sibling_reported(report)


def test_configuration_alias_bomb_is_exit_2(tmp_path):
    levels = "".join(f"      x{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    (tmp_path / ".walint.yml").write_text("terraform:\n  vars:\n    big:\n      x0: &a [x,x,x,x,x,x,x,x,x]\n"
                                          + levels)
    (tmp_path / "main.tf").write_text(DB_TF)
    code, report, err, wall = scan(tmp_path, ".")
    assert code == 2 and wall < 30, err
    assert err.strip().count("\n") == 0 and ".walint.yml" in err and "aliases" in err


def test_variables_files_have_their_own_size_budget(tmp_path):
    (tmp_path / "main.tf").write_text('variable "v0" {}\n' + DB_TF)
    (tmp_path / "terraform.tfvars").write_text("".join(f'v{i} = "xxxxxxxxxxxxxxxx"\n' for i in range(120_000)))
    code, report, err, wall = scan(tmp_path, ".")
    assert code == 1 and wall < 60, err[-2000:]
    found = incomplete(report, "vars-file-bytes")
    assert found and found[0]["file"] == "terraform.tfvars", report["findings"]
    assert sibling_reported(report)


def test_json_counted_before_it_is_decoded(tmp_path):
    (tmp_path / "main.tf").write_text('variable "v" {}\n' + DB_TF)
    (tmp_path / "terraform.tfvars.json").write_text('{"v": [' + ",".join(["[0]"] * 400_000) + "]}")
    code, report, err, wall = scan(tmp_path, ".", "--budget", "decode-nodes=100000")
    assert code == 1 and wall < 60, err[-2000:]
    found = incomplete(report, "decode-nodes")
    assert found and found[0]["file"] == "terraform.tfvars.json", report["findings"]
    assert sibling_reported(report)


def test_plan_json_obeys_the_file_size_limit(tmp_path):
    plan = tmp_path / "plan.json"
    with open(plan, "wb") as fh:
        fh.write(b'{"format_version": "1.2", "terraform_version": "1.9.0", "x": "')
        fh.truncate(33 << 20)          # sparse: 33 MB without writing them
    (tmp_path / "main.tf").write_text(DB_TF)
    code, report, err, wall = scan(tmp_path, ".")
    assert code == 1 and wall < 30, err[-2000:]
    assert any(f["file"] == "plan.json" and "too large" in f["message"] for f in report["findings"])
    assert sibling_reported(report)


@pytest.mark.slow
def test_memory_budget_stops_a_unit_that_would_take_gigabytes(tmp_path):
    big = tmp_path / "big"
    big.mkdir()
    with open(big / "main.tf", "w") as fh:
        fh.write("locals {\n")
        for i in range(300_000):
            fh.write(f'  v{i} = "xxxxxxxxxxxxxxxx"\n')
        fh.write("}\n")
    (tmp_path / "main.tf").write_text(DB_TF)
    code, report, err, wall = scan(tmp_path, ".", "--budget", "memory-mb=400", seconds=180)
    assert code == 1 and wall < 150, err[-2000:]
    found = incomplete(report, "memory-mb")
    assert found and found[0]["file"] == "big", report["findings"]
    assert sibling_reported(report)


def test_unit_time_limit_interrupts_one_long_c_call(tmp_path):
    slow = tmp_path / "slow"
    slow.mkdir()
    # Python's re backtracks: one C call that an alarm in the same thread cannot stop
    (slow / "main.tf").write_text('resource "aws_s3_bucket" "h" {\n'
                                  f'  bucket = regex("(x+x+)+y", "{"x" * 60}")\n}}\n')
    (tmp_path / "main.tf").write_text(DB_TF)
    code, report, err, wall = scan(tmp_path, ".", "--budget", "unit-seconds=2")
    assert code == 1 and wall < 30, err[-2000:]
    found = incomplete(report, "unit-seconds")
    assert found and found[0]["file"] == "slow" and "was stopped" in found[0]["message"], report["findings"]
    assert sibling_reported(report)


def test_scan_time_budget_bounds_many_slow_units(tmp_path):
    for i in range(6):
        unit = tmp_path / f"slow{i}"
        unit.mkdir()
        (unit / "main.tf").write_text(f'resource "aws_s3_bucket" "h" {{\n'
                                      f'  bucket = regex("(x+x+)+y", "{"x" * 60}")\n}}\n')
    (tmp_path / "a.tf").write_text(DB_TF)
    code, report, err, wall = scan(tmp_path, ".", "--budget", "scan-seconds=3")
    assert code == 1 and wall < 30, err[-2000:]
    stopped = {f["file"] for f in report["findings"] if f["rule"] == "WAL-PARSE-002"}
    assert stopped == {f"slow{i}" for i in range(6)}, report["findings"]
    assert incomplete(report, "scan-seconds")
    assert sibling_reported(report)


def test_budget_flag_and_configuration_key(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "h" {\n  bucket = format("%0100d", 1)\n}\n')
    code, report, err, _ = scan(tmp_path, ".", "--budget", "format-width=10")
    assert code == 1 and incomplete(report, "format-width")
    code, report, err, _ = scan(tmp_path, ".", "--budget", "no-such=1")
    assert code == 2 and "unknown budget" in err
    # the configuration comes with the scanned tree: it can lower a budget, not raise it
    (tmp_path / ".walint.yml").write_text("budgets:\n  format-width: 10\n")
    code, report, err, _ = scan(tmp_path, ".")
    assert code == 1 and incomplete(report, "format-width")
    (tmp_path / ".walint.yml").write_text("budgets:\n  instances: 100000000\n")
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  count = 3\n}\n')
    code, report, err, _ = scan(tmp_path, ".", "--budget", "instances=2")
    assert code == 1 and incomplete(report, "instances")


def test_instances_budget_holds_for_the_whole_scan(tmp_path):
    for i in range(5):
        unit = tmp_path / f"u{i}"
        unit.mkdir()
        (unit / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  count = 30\n}\n')
    (tmp_path / "a.tf").write_text(DB_TF)
    code, report, err, wall = scan(tmp_path, ".", "--budget", "instances=100")
    assert code == 1, err[-2000:]
    assert report["summary"]["resources"] <= 100
    stopped = sorted(f["file"] for f in incomplete(report, "instances"))
    assert stopped == ["u3", "u4"], report["findings"]      # a.tf's root comes first, then u0-u2
    assert sibling_reported(report)


def test_cfn_template_values_bounded_before_decoding(tmp_path):
    (tmp_path / "big.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}, '
                                       '"Metadata": {"x": [' + ",".join(["[0]"] * 300_000) + "]}}")
    (tmp_path / "db.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + DB_CFN)
    code, report, err, wall = scan(tmp_path, ".", "--budget", "decode-nodes=100000")
    assert code == 1 and wall < 30, err[-2000:]
    found = incomplete(report, "decode-nodes")
    assert found and found[0]["file"] == "big.json", report["findings"]
    assert sibling_reported(report)

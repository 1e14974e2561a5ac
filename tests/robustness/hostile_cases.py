"""Files written to break a linter, each built in a fresh directory.

Used by tests/robustness/test_hostile.py (bounded time and memory, a clear diagnostic,
the rest of the scan completes) and by bench/hostile.py (which reports the time, peak
memory and message observed for each case).
"""
from __future__ import annotations

import os

TEMPLATE_HEAD = "AWSTemplateFormatVersion: '2010-09-09'\n"
GOOD_TF = 'resource "aws_db_instance" "ok" {\n  engine   = "postgres"\n  multi_az = false\n}\n'


def alias_bomb(d):
    lines = [TEMPLATE_HEAD, 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]\n")
    lines.append("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: *a9\n")
    (d / "bomb.yaml").write_text("".join(lines))
    return "bomb.yaml"


def deep_yaml(d):
    depth = 10_000
    (d / "deep.yaml").write_text(TEMPLATE_HEAD + "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
                                 "    Properties:\n      Tags: " + "[" * depth + "]" * depth + "\n")
    return "deep.yaml"


def deep_json(d):
    depth = 10_000
    (d / "deep.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": '
                                 '{"Type": "AWS::S3::Bucket", "Properties": {"Tags": '
                                 + "[" * depth + "]" * depth + "}}}}")
    return "deep.json"


def deep_hcl(d):
    depth = 10_000
    (d / "deep.tf").write_text("locals {\n  x = " + "[" * depth + "]" * depth + "\n}\n"
                               'resource "aws_s3_bucket" "b" {\n  tags = { x = length(local.x) }\n}\n')
    return "deep.tf"


def deep_hcl_parens(d):
    depth = 10_000
    (d / "parens.tf").write_text('resource "aws_db_instance" "p" {\n  allocated_storage = '
                                 + "(" * depth + "1" + ")" * depth + "\n}\n")
    return "parens.tf"


def huge_file(d, megabytes=200):
    line = b"# " + b"x" * 1021 + b"\n"
    with open(d / "huge.tf", "wb") as fh:
        block = line * 1024
        for _ in range(megabytes):
            fh.write(block)
    return "huge.tf"


def binary_tf(d):
    (d / "binary.tf").write_bytes(bytes(range(256)) * 64)
    return "binary.tf"


def utf16_template(d):
    text = TEMPLATE_HEAD + "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
    (d / "utf16.yaml").write_bytes(text.encode("utf-16"))
    return "utf16.yaml"


def utf16_tf(d):
    (d / "utf16.tf").write_bytes(GOOD_TF.encode("utf-16"))
    return "utf16.tf"


def invalid_utf8(d):
    (d / "latin1.tf").write_bytes(b'resource "aws_s3_bucket" "b" {\n  bucket = "caf\xe9"\n}\n')
    (d / "latin1.yaml").write_bytes((TEMPLATE_HEAD + "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
                                     "    Properties:\n      BucketName: caf").encode() + b"\xe9\n")
    return "latin1.tf"


def nul_byte(d):
    (d / "nul.tf").write_bytes(b'resource "aws_s3_bucket" "b" {\n  bucket = "a\x00b"\n}\n')
    return "nul.tf"


def symlink_loop(d):
    os.symlink(d / "loop_b.tf", d / "loop_a.tf")
    os.symlink(d / "loop_a.tf", d / "loop_b.tf")
    os.symlink(d, d / "self_dir")
    return "loop_a.tf"


def dangling_symlink(d):
    os.symlink(d / "nowhere.yaml", d / "dangling.yaml")
    return "dangling.yaml"


def symlink_outside(d):
    outside = d.parent / (d.name + "_outside")
    outside.mkdir(exist_ok=True)
    (outside / "secret.tf").write_text(GOOD_TF.replace('"ok"', '"secret"'))
    os.symlink(outside / "secret.tf", d / "link_out.tf")
    os.symlink(outside, d / "link_dir")
    return "link_out.tf"


def fifo(d):
    os.mkfifo(d / "pipe.yaml")
    os.mkfifo(d / "pipe.tf")
    os.mkfifo(d / "pipe.json")
    return "pipe.yaml"


CASES = {
    "alias-bomb": alias_bomb,
    "deep-yaml": deep_yaml,
    "deep-json": deep_json,
    "deep-hcl": deep_hcl,
    "deep-hcl-parens": deep_hcl_parens,
    "huge-file": huge_file,
    "binary-tf": binary_tf,
    "utf16-template": utf16_template,
    "utf16-tf": utf16_tf,
    "invalid-utf8": invalid_utf8,
    "nul-byte": nul_byte,
    "symlink-loop": symlink_loop,
    "dangling-symlink": dangling_symlink,
    "symlink-outside": symlink_outside,
    "fifo": fifo,
}


def build(name, directory):
    """Make the case in `directory` beside a good file; return the hostile file's name."""
    directory.mkdir(parents=True, exist_ok=True)
    good = directory / "good"
    good.mkdir()
    (good / "db.tf").write_text(GOOD_TF)
    return CASES[name](directory)

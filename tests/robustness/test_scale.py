"""A repository of 10,000 files: the scan finishes and memory stays bounded.

Slow (about a minute): run with `pytest -m slow tests/robustness/test_scale.py`.
bench/hostile.py reports the peak memory observed.
"""
from __future__ import annotations

import resource
import subprocess
import sys

import pytest

MEMORY_CAP = 4 << 30


def make_repo(root, modules=100, files_per_module=95, templates=500):
    for m in range(modules):
        d = root / "tf" / f"m{m:03d}"
        d.mkdir(parents=True)
        for f in range(files_per_module):
            (d / f"f{f:03d}.tf").write_text(
                f'resource "aws_s3_bucket" "b{f}" {{\n  bucket = "m{m}-b{f}"\n}}\n'
                f'resource "aws_security_group" "s{f}" {{\n  name = "m{m}-s{f}"\n'
                '  ingress {\n    from_port = 443\n    to_port = 443\n    protocol = "tcp"\n'
                '    cidr_blocks = ["10.0.0.0/16"]\n  }\n}\n')
    cfn = root / "cfn"
    cfn.mkdir()
    for t in range(templates):
        (cfn / f"t{t:04d}.yaml").write_text(
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
            f"  Queue{t}:\n    Type: AWS::SQS::Queue\n  Topic{t}:\n    Type: AWS::SNS::Topic\n")
    return modules * files_per_module + templates


@pytest.mark.slow
def test_ten_thousand_files(tmp_path):
    count = make_repo(tmp_path)
    assert count >= 10_000
    out = subprocess.run([sys.executable, "-m", "walint", "scan", str(tmp_path), "--format", "json",
                          "-o", str(tmp_path / "out.json")],
                         capture_output=True, text=True, timeout=900,
                         preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP)))
    assert out.returncode in (0, 1), out.stderr[-2000:]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"10,000 files: peak RSS {peak_mb:.0f} MB")
    assert peak_mb < 2048

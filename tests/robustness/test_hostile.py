"""Hostile input: bounded time and memory, a clear diagnostic, the rest of the scan goes on.

Each case runs walint in a subprocess with a generous timeout and an address-space cap;
the times and peaks actually observed are reported by bench/hostile.py, not asserted.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from hostile_cases import CASES, build  # noqa: E402

TIMEOUT = 60
MEMORY_CAP = 3 << 30

# What the user must be told about each case (in a finding or on standard error).
EXPECT = {
    "alias-bomb": "alias",
    "deep-yaml": "deep",
    "deep-json": "deep",
    "deep-hcl": "deep",
    "deep-hcl-parens": "deep",
    "huge-file": "too large",
    "binary-tf": "binary.tf",
    "utf16-template": "UTF-16",
    "utf16-tf": "UTF-16",
    "invalid-utf8": "UTF-8",
    "nul-byte": "nul.tf",
    "symlink-loop": "loop_a.tf",
    "dangling-symlink": "dangling",
    "symlink-outside": "outside",
    "fifo": "pipe.tf",
}


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_walint(path, *extra, env=None):
    return subprocess.run([sys.executable, "-m", "walint", "scan", str(path), "--format", "json", *extra],
                          capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_limit,
                          env=env, cwd=str(path))


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case(name, tmp_path):
    root = tmp_path / "repo"
    build(name, root)
    out = run_walint(root)
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    assert out.returncode in (0, 1), (out.returncode, out.stderr[-2000:])
    report = json.loads(out.stdout)
    # the good file beside the hostile one was still checked
    assert any(f["rule"] == "WAL-MAZ-001" and f["file"].endswith("db.tf") for f in report["findings"])
    said = out.stderr + json.dumps(report["findings"])
    assert EXPECT[name].lower() in said.lower(), said[-2000:]


def test_file_deleted_during_scan(tmp_path):
    from walint.engine.discovery import discover
    from walint.engine.parse import parse_all
    from walint.engine.run import ScanOptions

    (tmp_path / "gone.tf").write_text('resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    (tmp_path / "gone.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")
    inputs = discover([str(tmp_path)])
    os.remove(tmp_path / "gone.tf")
    os.remove(tmp_path / "gone.yaml")
    parsed = parse_all(inputs, ScanOptions(), jobs=1)
    assert any("gone.yaml" in d.file for d in parsed.diagnostics)


def test_parse_time_limit(tmp_path):
    lines = [f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b-{i}"\n  tags = {{ a = "{i}" }}\n}}\n'
             for i in range(40_000)]
    (tmp_path / "big.tf").write_text("".join(lines))
    env = {**os.environ, "WALINT_UNIT_TIMEOUT": "0.2"}
    out = run_walint(tmp_path, env=env)
    assert out.returncode == 1, out.stderr[-2000:]
    messages = [f["message"] for f in json.loads(out.stdout)["findings"] if f["rule"] == "WAL-PARSE-002"]
    assert any("was stopped" in m and "unit-seconds" in m for m in messages), messages

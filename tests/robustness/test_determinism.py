"""Byte-identical SARIF and JSON across runs, hash seeds, worker counts and path order."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    out = subprocess.run([sys.executable, "-m", "walint", "scan", *args], cwd=ROOT,
                         capture_output=True, env=env, timeout=600)
    assert out.returncode in (0, 1), out.stderr[-2000:]
    return out.stdout


@pytest.mark.parametrize("fmt", ["sarif", "json"])
def test_same_bytes_whatever_the_workers_seed_and_order(fmt):
    a, b = "fixtures/examples", "fixtures/WAL-MAZ-001"
    base = run([a, b, "--format", fmt, "-j", "1"], {"PYTHONHASHSEED": "0"})
    forced = {"WALINT_PARALLEL_BYTES": "0"}
    assert run([a, b, "--format", fmt, "-j", "2"], {**forced, "PYTHONHASHSEED": "7"}) == base
    assert run([b, a, "--format", fmt, "-j", "2"], {**forced, "PYTHONHASHSEED": "99"}) == base
    assert run([b, a, "--format", fmt, "-j", "1"], {"PYTHONHASHSEED": "3"}) == base

"""Shared test helpers: where the repository and ../shared are, and a scan shortcut.

(Not named conftest.py: tests/terraform has a conftest of its own, and two modules named
`conftest` cannot both be imported by name.)"""
from __future__ import annotations

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = pathlib.Path(os.environ.get("WALINT_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-2.1.0.json"


def need_shared(path: pathlib.Path):
    """Skip, with the reason, when ../shared is absent (as in a user's own clone)."""
    if not path.exists():
        pytest.skip(f"{path} is absent: this test needs walint's ../shared folder")


def scan(paths, **kwargs):
    from walint.engine.run import ScanOptions, scan as run_scan

    return run_scan([str(p) for p in paths], ScanOptions(**kwargs))

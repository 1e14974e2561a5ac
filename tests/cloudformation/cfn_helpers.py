"""Helpers for the CloudFormation parser tests."""
from __future__ import annotations

import pathlib

from walint.parsers.cloudformation import parse_templates

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "fixtures" / "cloudformation"
FORMATS = ["yaml", "json"]


def fixture(rel: str) -> str:
    return str(FIX / rel)


def parse(*rels, **kwargs):
    """parse_templates over fixtures; returns (result, {address: Resource})."""
    result = parse_templates([fixture(r) for r in rels], **kwargs)
    return result, {r.address: r for r in result.resources}


def line_of(rel: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line of a fixture containing `needle`."""
    seen = 0
    for number, text in enumerate((FIX / rel).read_text(encoding="utf-8").splitlines(), 1):
        if needle in text:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{needle!r} not in {rel}")

"""Regenerate the JSON twin of each YAML parser fixture (run by hand after editing one).

    .venv/bin/python tests/cloudformation/make_json_twins.py

Short-form tags become their long form; comments are dropped; nested-stack URLs that
name a .yaml child name its .json twin.
"""
from __future__ import annotations

import datetime
import json
import pathlib

from cfnlint.decode import decode_str

ROOT = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "cloudformation"
SOURCES = [
    "properties/template.yaml", "intrinsics/template.yaml", "conditions/template.yaml",
    "parameters/template.yaml", "sam/template.yaml", "nested/parent.yaml",
    "nested/stacks/network.yaml", "foreach/template.yaml", "invalid/cycle.yaml",
    "invalid/findinmap_miss.yaml", "invalid/self_nested.yaml",
]


def plain(node):
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        text = str(node)
        return text.replace(".yaml", ".json") if text.endswith(".yaml") else text
    if isinstance(node, datetime.date):
        return node.isoformat()
    return node


def main():
    for rel in SOURCES:
        src = ROOT / rel
        template, matches = decode_str(src.read_text(encoding="utf-8"))
        assert not matches, (rel, matches)
        out = src.with_suffix(".json")
        out.write_text(json.dumps(plain(template), indent=2) + "\n", encoding="utf-8")
        print("wrote", out.relative_to(ROOT))


if __name__ == "__main__":
    main()

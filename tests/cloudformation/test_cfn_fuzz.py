"""Mangled templates never make the reader raise: every outcome is resources and/or diagnostics."""
from __future__ import annotations

import random

from cfn_helpers import FIX

from walint.parsers.base import ParseResult
from walint.parsers.cloudformation import parse_templates

SOURCES = sorted(p for p in FIX.rglob("template.*") if p.suffix in (".yaml", ".json"))
SNIPPETS = ["!Ref", "!GetAtt X.Y", "!If [C, a, b]", "Fn::Sub: ${", "{", "[", "]", "}", "&a", "*a", ": ",
            "\n  - ", "!Select [99, !GetAZs '']", "Condition: Nope", "!FindInMap [M, a, b]", "\t", "'", '"',
            "Fn::ForEach::L: [x, !Ref Names, {}]", "!Cidr [10.0.0.0/33, 9, 3]", "Fn::GetAtt: [A]", "null"]


def _mangle(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text) + 1)
        action = rng.random()
        if action < 0.4:
            text = text[:at] + rng.choice(SNIPPETS) + text[at:]
        elif action < 0.7:
            text = text[:at] + text[at + rng.randint(1, 40):]
        else:
            end = min(len(text), at + rng.randint(1, 80))
            text = text[:at] + text[at:end] * 2 + text[end:]
    return text


def test_mangled_templates(tmp_path):
    rng = random.Random(20261122)
    for i in range(300):
        source = rng.choice(SOURCES)
        path = tmp_path / f"m{i}{source.suffix}"
        path.write_text(_mangle(source.read_text(encoding="utf-8"), rng), encoding="utf-8")
        result = parse_templates([str(path)], params=[("Env", "dev")])
        assert isinstance(result, ParseResult)
        for d in result.diagnostics:
            assert d.level in ("error", "warning", "note") and d.message
            assert "could not read this template" not in d.message, (source.name, d.message)   # a bug

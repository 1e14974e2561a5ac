"""`walint rules`: the catalogue, with pillar, category, best practice and severity per profile."""
from __future__ import annotations

import json

import click

from walint.model.rule import PROFILES


def catalogue(extra_paths=()):
    from walint.engine.builtin import ENGINE_RULES
    from walint.engine.loader import load_rules

    return sorted(list(ENGINE_RULES) + load_rules(extra_paths), key=lambda r: r.id)


def rule_dict(r) -> dict:
    out = {"id": r.id, "name": r.name, "title": r.title, "pillar": r.pillar,
           "category": r.category, "best_practice": list(r.best_practice),
           "severity": {p: r.level(p) for p in PROFILES}, "formats": list(r.formats),
           "precision": r.precision}
    if r.security_severity is not None:     # additions to CONTRACT.md's shape
        out["security_severity"] = r.security_severity
    return out


def _text(rules) -> str:
    head = ("id", "name", "pillar", "category", "best practice", "dev", "mvp", "prod", "reg")
    rows = [head] + [(r.id, r.name, r.pillar, r.category, ",".join(r.best_practice) or "-",
                      *(r.level(p) for p in PROFILES)) for r in rules]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + f"\n\n{len(rules)} rules\n"


@click.command()
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--rules-path", "rule_paths", multiple=True, type=click.Path(),
              help="Also list the rules of this pack.")
def rules(fmt, rule_paths):
    """List every rule with its pillar, category, best practice and severity per profile."""
    found = catalogue(rule_paths)
    if fmt == "json":
        click.echo(json.dumps({"rules": [rule_dict(r) for r in found]}, indent=2))
    else:
        click.echo(_text(found), nl=False)

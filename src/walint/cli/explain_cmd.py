"""`walint explain RULE-ID`: why, example and fix, in both formats."""
from __future__ import annotations

import click

from walint.engine.errors import UsageError


@click.command()
@click.argument("rule_id")
@click.option("--rules-path", "rule_paths", multiple=True, type=click.Path())
def explain(rule_id, rule_paths):
    """Explain one rule (by id or name)."""
    from walint.cli.rules_cmd import catalogue
    from walint.docs import explain as render

    wanted = rule_id.strip()
    for r in catalogue(rule_paths):
        if r.id == wanted.upper() or r.name == wanted:
            click.echo(render(r), nl=False)
            return
    raise UsageError(f"{rule_id}: no such rule (walint rules lists them)")

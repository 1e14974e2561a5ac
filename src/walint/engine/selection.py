"""--select / --ignore: ids, id prefixes, names, pillars, categories; ignore wins."""
from __future__ import annotations

from walint.engine.errors import UsageError


def _matches(rule, sel: str) -> bool:
    s = sel.strip()
    up = s.upper()
    return (rule.id == up or rule.id.startswith(up.rstrip("-") + "-") or rule.name == s
            or rule.pillar == s or rule.category == s)


def _validate(rules, selectors, option):
    for sel in selectors:
        if not any(_matches(r, sel) for r in rules):
            raise UsageError(f"{option} {sel}: matches no rule id, prefix, name, pillar or category")


def select(rules, selectors=(), ignores=()):
    """The rules that run: those matching a selector (all when none), minus ignored ones."""
    selectors = [s for s in selectors if s.strip()]
    ignores = [s for s in ignores if s.strip()]
    _validate(rules, selectors, "--select")
    _validate(rules, ignores, "--ignore")
    chosen = [r for r in rules if not selectors or any(_matches(r, s) for s in selectors)]
    return [r for r in chosen if not any(_matches(r, s) for s in ignores)]

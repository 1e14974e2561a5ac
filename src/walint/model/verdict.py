"""Three-valued decisions over values that may be unknown or a set (RULES.md §0.3)."""
from __future__ import annotations

from walint.model.values import OneOf, Unknown


def options(value):
    """The candidate values of `value`: its branches for a OneOf, else itself."""
    if isinstance(value, OneOf):
        out = []
        for option in value.options:
            out.extend(options(option))
        return out
    return [value]


def decide(value, predicate):
    """True or False when every candidate of `value` agrees, else None (unknown).

    `predicate` may itself return None to say "cannot tell for this candidate".
    """
    verdicts = set()
    for candidate in options(value):
        if isinstance(candidate, Unknown):
            return None
        verdict = predicate(candidate)
        if verdict is None:
            return None
        verdicts.add(bool(verdict))
    return verdicts.pop() if len(verdicts) == 1 else None


def as_bool(value):
    """A boolean from true/false/"true"/"false" (any case); None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def as_int(value):
    """An int from an int or a numeric string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None

"""The value states of RULES.md §0.3, shared by both parsers and every rule.

An attribute value in the graph is a plain Python value (str, int, float, bool, None,
list, dict) that may contain, at any depth, one of the markers below. Parsers produce
them; the graph and rules consume them. Keeping them small, immutable and hashable makes
the output deterministic and the evaluators simple.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unknown:
    """A value walint cannot know; `reason` says why, in words a user understands.

    `refs` keeps the addresses of resources the value was computed from (for instance a
    `Fn::Sub` over a resource id), so the graph still has the edge.
    """

    reason: str
    refs: tuple[str, ...] = ()
    # What is known of a value that as a whole is not (Terraform `jsonencode` of a policy
    # whose resource ARNs are known only after apply): the structure, with markers where
    # parts are unknown. Rules that can reason on the parts (policy statements, container
    # definitions) may use it; everything else sees an Unknown.
    partial: object = field(default=None, compare=False, hash=False, repr=False)
    # Another stack's export (CloudFormation `Fn::ImportValue` not resolved in the scan):
    # what another template of the scan exports may be it.
    imported: bool = field(default=False, compare=False, hash=False, repr=False)

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


@dataclass(frozen=True)
class OneOf:
    """The set of values a conditional can take when its condition is unknown."""

    options: tuple

    def __repr__(self) -> str:
        return f"OneOf{self.options!r}"


@dataclass(frozen=True)
class Ref:
    """A reference to another resource (CFN Ref/GetAtt, TF `aws_x.y.attr`).

    `address` is the target's graph address; `attr` is the attribute referenced,
    "id" for a plain CloudFormation Ref or a Terraform `.id`. `scope` is None for a
    reference within the holder's own configuration (nearly always); a value imported
    from another template of the scan (`Fn::ImportValue` of its export) names that
    template's scope.
    """

    address: str
    attr: str = "id"
    scope: str | None = None

    def __repr__(self) -> str:
        return f"Ref({self.address}.{self.attr})"


@dataclass(frozen=True)
class AzIndex:
    """The i-th zone of an ordered list of distinct zones (RULES.md §3.1).

    `list_id` is "GETAZS" for the region's zone list (`!GetAZs ''`,
    `data.aws_availability_zones.*.names` without filters), "PARAM(name)" or "VAR(name)"
    for a parameter or variable list whose value is unknown.
    """

    list_id: str
    index: int

    def __repr__(self) -> str:
        return f"AzIndex({self.list_id}[{self.index}])"


@dataclass(frozen=True)
class AzList:
    """An ordered list of distinct zones of unknown length; indexing it gives AzIndex."""

    list_id: str


def is_unknown(value) -> bool:
    return isinstance(value, Unknown)


def iter_refs(value):
    """Yield every Ref address inside a value, depth first, in a stable order."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Ref):
            yield v.address
        elif isinstance(v, Unknown):
            yield from v.refs
        elif isinstance(v, OneOf):
            stack.extend(reversed(v.options))
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, (list, tuple)):
            stack.extend(reversed(v))

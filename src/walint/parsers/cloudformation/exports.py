"""Cross-template exports: `Fn::ImportValue` of an export another template of the scan
defines (issue 14).

Every template instance lists its `Outputs` that carry an `Export` as `Export`s: the
name, or a pattern when part of it is known only at deploy time (`!Sub
${AWS::StackName}-AlbSg` matches any `<stack>-AlbSg`). An import is an Unknown
(`Carrying`) that carries an `ImportName`. Templates are read one at a time (in worker
processes), so imports are linked after every unit is read: an import whose name
matches the exports of exactly one template becomes the export's value, its references
naming the exporting template's scope (`Ref.scope`), so the graph has the edge (an ALB
in one stack uses the security group of another). An import that matches nothing, or
exports of several templates, stays unknown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from walint.model.values import OneOf, Ref, Unknown

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
MIN_LITERAL = 3        # a pattern with less known text than this would match anything


@dataclass(frozen=True)
class Carrying(Unknown):
    """An Unknown to rules, which also carries what the reader needs later (an
    `ImportName`, a `parameters.Joined`). It is not kept in `partial`, whose shape
    rules may read."""

    carried: object = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class ImportName:
    """What `Fn::ImportValue` asked for (kept in the Unknown standing for its value)."""

    name: str


@dataclass(frozen=True)
class Export:
    label: str          # the name as walint knows it: "sg-AlbSg" or "${?}-AlbSg"
    pattern: str        # a regular expression over export names
    exact: bool
    value: object
    scope: str


def export_of(name, value, scope):
    """The Export for an output exported as `name` (an evaluated value), or None when
    too little of the name is known to match it."""
    if isinstance(name, str):
        return Export(name, re.escape(name), True, value, scope)
    text = name.partial if isinstance(name, Unknown) and isinstance(name.partial, str) else None
    if text is None:
        return None
    pieces = _PLACEHOLDER.split(text)
    if sum(len(p) for p in pieces) < MIN_LITERAL:
        return None
    return Export(text, "(?:.+)".join(re.escape(p) for p in pieces), False, value, scope)


def _scoped(value, scope, depth=0):
    """The export's value as seen from another template: references name their scope;
    an unknown keeps its reason but not its addresses (they belong to the other scope)."""
    if depth > 20:
        return Unknown("an exported value nested too deeply")
    if isinstance(value, Ref):
        return Ref(value.address, value.attr, value.scope or scope)
    if isinstance(value, Unknown):
        return Unknown(value.reason)
    if isinstance(value, list):
        return [_scoped(v, scope, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: _scoped(v, scope, depth + 1) for k, v in value.items()}
    if isinstance(value, OneOf):
        return OneOf(tuple(_scoped(v, scope, depth + 1) for v in value.options))
    return value


def _targets_exist(value, scope, present) -> bool:
    """False when the export's references point at resources that are not in the scan
    any more (a template read through its parent, whose own reading was dropped)."""
    refs = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Ref):
            refs.append(v)
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, OneOf):
            stack.extend(v.options)
    return all((r.scope or scope, r.address) in present for r in refs)


def link_imports(resources, exports) -> None:
    """Replace, in place, every import that one template's export answers."""
    if not exports:
        return
    present = {(r.scope, r.address) for r in resources}
    live = [e for e in exports if _targets_exist(e.value, e.scope, present)]
    compiled = [(re.compile(e.pattern, re.S), e) for e in live]
    answers = {}

    def answer(name):
        if name not in answers:
            hits = [e for rx, e in compiled if rx.fullmatch(name)]
            exact = [e for e in hits if e.exact]
            hits = exact or hits
            scopes = {e.scope for e in hits}
            values = {repr(e.value) for e in hits}
            answers[name] = _scoped(hits[0].value, hits[0].scope) \
                if len(scopes) == 1 and len(values) == 1 else None
        return answers[name]

    def link(value, depth):
        """The value with imports answered; the same object when none is."""
        if depth > 40:
            return value
        if isinstance(value, Unknown):
            if isinstance(value, Carrying) and isinstance(value.carried, ImportName):
                found = answer(value.carried.name)
                return value if found is None else found
            return value
        if isinstance(value, list):
            new = [link(v, depth + 1) for v in value]
            return value if all(a is b for a, b in zip(new, value)) else new
        if isinstance(value, dict):
            new = {k: link(v, depth + 1) for k, v in value.items()}
            return value if all(new[k] is v for k, v in value.items()) else new
        if isinstance(value, OneOf):
            new = tuple(link(v, depth + 1) for v in value.options)
            return value if all(a is b for a, b in zip(new, value.options)) else OneOf(new)
        return value

    for r in resources:
        if r.format == "cloudformation":
            r.attrs = link(r.attrs, 0)

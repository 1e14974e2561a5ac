"""Budgets on the whole scan: how much work a scanned tree may make walint do.

The scanned tree is written by whoever opened the pull request, so every quantity an
input can multiply (resource instances, string bytes, decoded nodes, format widths,
time, memory) has one budget here, with a default, a `--budget NAME=VALUE` flag and a
`budgets:` configuration key (the configuration can only lower a budget: it comes with
the tree). docs/security.md lists them.

A budget that runs out raises BudgetExceeded; what catches it records an *incomplete*
Diagnostic (code WAL-PARSE-002, level error), which becomes a finding of the engine rule
WAL-PARSE-002: nothing stopped by a budget passes silently.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from walint.engine.errors import UsageError
from walint.parsers.base import Diagnostic, Incomplete

INCOMPLETE = "WAL-PARSE-002"     # the Diagnostic code of a unit or value not fully evaluated


@dataclass(frozen=True)
class Budgets:
    instances: int = 20_000           # resource instances per scan, after every expansion
    string_bytes: int = 1 << 20       # one evaluated string
    unit_string_bytes: int = 64 << 20  # all strings one unit's evaluation builds or hands out
    decode_nodes: int = 1_000_000     # nodes of one YAML/JSON decode, aliases expanded
    vars_file_bytes: int = 2 << 20    # one .tfvars/.tfvars.json file (data, not code)
    format_width: int = 65_536        # a width or precision in format()/formatlist()
    unit_seconds: float = float(os.environ.get("WALINT_UNIT_TIMEOUT", "60"))
    scan_seconds: float = 300.0       # parsing and evaluation of the whole scan
    memory_mb: int = 1024             # address space of the worker reading one unit

    @staticmethod
    def names() -> list:
        return [f.name.replace("_", "-") for f in fields(Budgets)]

    def with_values(self, pairs, where: str, lower_only: bool = False) -> "Budgets":
        """A copy with NAME=VALUE pairs applied; a bad name or value is a UsageError.
        `lower_only`: values above the current budget are ignored (configuration)."""
        out = self
        for name, value in pairs:
            key = str(name).strip().replace("-", "_")
            if key not in {f.name for f in fields(Budgets)}:
                raise UsageError(f"{where}: unknown budget '{name}' (one of: {', '.join(Budgets.names())})")
            kind = float if key.endswith("seconds") else int
            try:
                number = kind(value)
            except (TypeError, ValueError):
                raise UsageError(f"{where}: budget {name}: {value!r} is not a number") from None
            if isinstance(value, bool) or not number > 0:
                raise UsageError(f"{where}: budget {name}: must be a positive number")
            if lower_only and number > getattr(out, key):
                continue
            out = replace(out, **{key: number})
        return out


def flag(name: str) -> str:
    """How a user raises one budget, for messages."""
    return f"--budget {name.replace('_', '-')}=N"


class BudgetExceeded(Incomplete):
    """A budget ran out while reading `file` (at `line` when known). A reader that catches
    it where it evaluates a resource or module reports WAL-PARSE-002 there with this text."""

    def __init__(self, file, line, budget: str, detail: str):
        super().__init__(_message(budget, detail))
        self.file, self.line, self.budget, self.detail = file, line, budget, detail

    def diagnostic(self, file=None, line=None) -> Diagnostic:
        return incomplete(self.file or file, self.line or line, self.budget, self.detail)


def incomplete(file, line, budget: str, detail: str) -> Diagnostic:
    """The one record of something a budget stopped: a WAL-PARSE-002 finding."""
    return Diagnostic(file, line, _message(budget, detail), "error", INCOMPLETE)


def _message(budget: str, detail: str) -> str:
    return (f"{detail} (the {budget.replace('_', '-')} budget, {_value(budget)}, ran out; "
            f"{flag(budget)} raises it)")


def _value(budget: str) -> str:
    v = getattr(ACTIVE, budget, None)
    if budget.endswith("seconds"):
        return f"{v:g} s"
    if budget.endswith("bytes"):
        return f"{v:,} bytes"
    if budget == "memory_mb":
        return f"{v:,} MB"
    return f"{v:,}"


ACTIVE = Budgets()


class _Unit:
    """What one unit has spent so far (reset by start_unit)."""
    string_bytes = 0
    instances = 0


def configure(budgets: Budgets) -> None:
    global ACTIVE
    ACTIVE = budgets


def start_unit() -> None:
    _Unit.string_bytes = 0
    _Unit.instances = 0


def check_string(size: int, file=None, line=None, what="a string") -> None:
    """Account for a string of `size` bytes about to be built (call before building)."""
    if size > ACTIVE.string_bytes:
        raise BudgetExceeded(file, line, "string_bytes", f"{what} would be {size:,} bytes long")
    spend_strings(size, file, line)


def spend_strings(size: int, file=None, line=None) -> None:
    """Count `size` bytes of strings against the unit's total (shared values too: the
    rules read every copy a resource holds)."""
    _Unit.string_bytes += size
    if _Unit.string_bytes > ACTIVE.unit_string_bytes:
        raise BudgetExceeded(file, line, "unit_string_bytes",
                             f"evaluation built more than {ACTIVE.unit_string_bytes:,} bytes of strings")


def check_width(width: int, file=None, line=None) -> None:
    if width > ACTIVE.format_width:
        raise BudgetExceeded(file, line, "format_width", f"a format width or precision of {width:,}")


def add_instances(n: int, file=None, line=None, what="resource") -> None:
    """Count `n` more resource instances of this unit against the scan's budget."""
    _Unit.instances += n
    if _Unit.instances > ACTIVE.instances:
        raise BudgetExceeded(file, line, "instances",
                             f"{what} expands to more than {ACTIVE.instances:,} resource instances")


def spent() -> tuple:
    """What this unit has spent so far, for refund()."""
    return (_Unit.instances, _Unit.string_bytes)


def refund(before: tuple) -> None:
    """Back to `before`: what a construct that was then skipped had spent is free again
    (its values are gone), so the rest of the unit is read."""
    _Unit.instances = min(_Unit.instances, before[0])
    _Unit.string_bytes = min(_Unit.string_bytes, before[1])


def check_nodes(count: int, file=None, line=None, what="the document") -> None:
    if count > ACTIVE.decode_nodes:
        raise BudgetExceeded(file, line, "decode_nodes",
                             f"{what} decodes to more than {ACTIVE.decode_nodes:,} values")


def check_json(data, file=None, what="the document") -> None:
    """Refuse JSON text that could decode to more values than the budget, before it is
    decoded: every value but the first follows a `,`, `[` or `{`, so their count bounds
    the values (commas in strings count too: a bound, not a count)."""
    if isinstance(data, str):
        bound = data.count(",") + data.count("[") + data.count("{") + 1
    else:
        bound = data.count(b",") + data.count(b"[") + data.count(b"{") + 1
    check_nodes(bound, file, None, what)


def expanded_nodes(root, limit: int) -> int:
    """How many values a decoded YAML/JSON document holds with aliases expanded, counted
    without expanding them (a shared node is counted once per use); stops past `limit`."""
    sizes: dict = {}
    entered: set = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes or (not done and key in entered):   # done, or a recursive alias
            continue
        if isinstance(node, dict):
            children = list(node.values())
        elif isinstance(node, (list, tuple)):
            children = list(node)
        else:
            sizes[key] = 1
            continue
        if done:
            total = 1
            for child in children:
                total += sizes.get(id(child), 1)
                if total > limit:
                    return total
            sizes[key] = total
        else:
            entered.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in children if isinstance(c, (dict, list, tuple)))
    return sizes.get(id(root), 1)

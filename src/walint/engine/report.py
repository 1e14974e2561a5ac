"""A scan's outcome, located and sorted: what every reporter renders."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Location:
    file: str          # display path: relative to the working directory or the scanned path
    line: int
    end_line: int
    column: int = 1
    address: str = ""
    message: str = ""


@dataclass
class Result:
    rule: object                  # Rule
    level: str                    # error | warning | note
    message: str
    location: Location
    fingerprint: str
    related: list = field(default_factory=list)     # list[Location]
    status: str = "fail"          # fail | unknown
    suppressed: bool = False
    suppression: dict | None = None                 # {"kind": "inline"|"baseline", "reason": ...}
    attribute: str = ""           # dotted attribute path the finding is about
    key: str = ""

    def sort_key(self):
        loc = self.location
        return (loc.file, loc.line, self.rule.id, loc.address, self.message)


@dataclass
class Report:
    version: str
    profile: str
    fail_on: str
    rules: list                   # Rules that ran, sorted by id
    results: list                 # Results (fails, including suppressed ones), sorted
    unknowns: list                # Results with status unknown, sorted
    diagnostics: list             # Diagnostics other than parse errors
    files: int
    resources: int
    show_unknown: bool = False
    base_uri: str = ""            # what SARIF's %SRCROOT% names
    internal_errors: list = field(default_factory=list)
    graph: object = None
    namer: object = None          # file -> display path
    baseline: dict | None = None  # {"file": ..., "stale": [entries no finding matches]}

    def active(self):
        """Findings that count: not suppressed."""
        return [r for r in self.results if not r.suppressed]

    def counts(self) -> dict:
        counts = {"error": 0, "warning": 0, "note": 0}
        for r in self.active():
            counts[r.level] += 1
        return counts

    def by_pillar(self) -> dict:
        out = {}
        for r in self.active():
            out[r.rule.pillar] = out.get(r.rule.pillar, 0) + 1
        return dict(sorted(out.items()))

    def exit_code(self) -> int:
        if self.internal_errors:
            return 3
        if self.fail_on == "never":
            return 0
        order = ("error", "warning", "note")
        threshold = order.index(self.fail_on)
        return 1 if any(order.index(r.level) <= threshold for r in self.active()) else 0

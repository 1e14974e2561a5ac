"""A scan's outcome, located and sorted: what every reporter renders."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def fingerprint(rule_id: str, file: str, address: str, key: str) -> str:
    """SARIF partialFingerprints["walint/v1"]: rule, file, address and the rule's key, never
    the line, so a finding keeps its identity across unrelated edits."""
    text = "\x1f".join((rule_id, file, address, key))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


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
    internal_errors: list = field(default_factory=list)  # rules that raised (walint bugs)
    incomplete: int = 0           # units, modules, resources or rules not fully evaluated
    configuration: dict = field(default_factory=dict)   # what the configuration file turned
                                                        # off or lowered (docs/security.md)
    graph: object = None
    namer: object = None          # file -> display path
    baseline: dict | None = None  # {"file": ..., "stale": [entries no finding matches]}

    def configuration_line(self) -> str:
        """One sentence on what the repository's configuration switched off, or ''."""
        c = self.configuration
        parts = []
        if c.get("rules_off"):
            n = len(c["rules_off"])
            parts.append(f"{n} rule{'s' if n != 1 else ''} off")
        if c.get("severity_lowered"):
            n = len(c["severity_lowered"])
            parts.append(f"{n} severit{'ies' if n != 1 else 'y'} lowered")
        if c.get("per_path_ignores"):
            n = c["per_path_ignores"]
            parts.append(f"{n} per-path ignore{'s' if n != 1 else ''}")
        if c.get("excluded_paths"):
            n = c["excluded_paths"]
            parts.append(f"{n} path{'s' if n != 1 else ''} excluded")
        if c.get("profile"):
            parts.append(f"profile {c['profile']}")
        if c.get("fail_on"):
            parts.append(f"fails on {c['fail_on']}")
        if not parts:
            return ""
        return f"configuration {c.get('file') or ''}: {', '.join(parts)}".replace(" :", ":")

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
        """0 or 1 by the fail-on level. An internal error in a rule is a WAL-PARSE-002
        finding (error in every profile), so it fails the scan with 1 like a parse error;
        3 is left to a crash of walint itself (cli.main), which prints no report. What was
        not fully evaluated fails the scan even when WAL-PARSE-002 is deselected or turned
        off (it is then said on standard error only): a gate never passes what it did not
        check; `--fail-on never` (the command line's or the configuration's) still gives 0."""
        if self.fail_on == "never":
            return 0
        if self.incomplete:
            return 1
        order = ("error", "warning", "note")
        threshold = order.index(self.fail_on)
        return 1 if any(order.index(r.level) <= threshold for r in self.active()) else 0

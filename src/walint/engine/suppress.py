"""Inline suppressions (RULES.md §0.4, CONTRACT.md).

Where they are written:

* a comment in or directly above the resource's block, Terraform (`#` or `//`) or
  CloudFormation YAML:  `# walint:ignore WAL-MAZ-001[,WAL-ENC-001] [until=YYYY-MM-DD] reason`
  (the parsers hand these lines over in `Resource.comments`);
* CloudFormation `Metadata` on the resource:
  `walint: {ignore: [{id: WAL-MAZ-001, reason: "...", until: 2027-03-31}]}`;
* for `WAL-PARSE-001` only (the file could not be read, so it has no resources), a
  comment line anywhere in the file.

A suppression needs a reason: without one it suppresses nothing and is itself a
`WAL-SUP-001` finding. After its `until` date it suppresses nothing and a `WAL-SUP-002`
note stands beside the returning finding. With `--report-unused-ignores`, a suppression
of a rule that ran but matched no finding is a `WAL-SUP-003` note. A date that is not a
date is a usage error naming the file and line.
"""
from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field

from walint.engine import boundary, builtin
from walint.engine.errors import UsageError
from walint.engine.report import Location, Result, fingerprint

_MARK = re.compile(r"^\s*(?:#+|//+|/\*+)\s*walint\s*:\s*ignore\b(?P<rest>.*)$", re.IGNORECASE)
_ID = r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+"
_IDS = re.compile(rf"^\s*(?P<ids>{_ID}(?:\s*,\s*{_ID})*)(?=[\s,]|$)")
_UNTIL = re.compile(r"(?:^|\s)until\s*[=:]\s*(?P<date>\S*)", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LEAD = re.compile(r"^[\s,:;\-\u2013\u2014]+")
MAX_SCAN_BYTES = 4 << 20


@dataclass
class Suppression:
    file: str                 # the resource's file, as the parser gave it
    line: int
    rule_id: str              # "" when the comment names no rule id
    reason: str
    until: datetime.date | None
    text: str                 # the comment or metadata entry, for messages
    address: str = ""
    scope: str | None = None
    used: bool = False

    @property
    def key(self):
        return (os.path.normpath(self.file), self.line, self.rule_id)


def _parse_date(value, file, line):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip().strip("'\"")
    if _DATE.match(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise UsageError(f"{file}:{line}: suppression expiry until={text or '(empty)'} "
                     f"is not a date (YYYY-MM-DD)")


def parse_comment(text: str, file: str, line: int) -> list | None:
    """The suppressions one comment line holds, or None when it is not one."""
    m = _MARK.match(text)
    if not m:
        return None
    rest = m.group("rest").strip()
    if rest.endswith("*/"):
        rest = rest[:-2].rstrip()
    ids_m = _IDS.match(rest)
    ids = [x.strip() for x in ids_m.group("ids").split(",")] if ids_m else []
    rest = rest[ids_m.end():] if ids_m else rest
    until = None
    u = _UNTIL.search(rest)
    if u:
        until = _parse_date(u.group("date"), file, line)
        rest = rest[:u.start()] + " " + rest[u.end():]
    reason = " ".join(_LEAD.sub("", rest).split())
    shown = text.strip()
    return [Suppression(file, line, i, reason, until, shown) for i in (ids or [""])]


class _Lines:
    """Source lines of files, read once, to place Metadata suppressions on their line."""

    def __init__(self):
        self.cache = {}

    def __call__(self, path):
        if path not in self.cache:
            try:
                data = boundary.read(path, limit=MAX_SCAN_BYTES)
                self.cache[path] = data.decode("utf-8", errors="replace").splitlines()
            except boundary.ReadError:
                self.cache[path] = []
        return self.cache[path]


def _metadata_line(lines, resource, rule_id, after):
    """The line of `rule_id` in the resource's Metadata (else the resource's line)."""
    first, last = resource.line, resource.end_line or resource.line
    start = max(first, after + 1)
    for n in range(start, min(last, len(lines)) + 1):
        if rule_id and rule_id in lines[n - 1]:
            return n
    return resource.line


def from_metadata(resource, lines) -> list:
    metadata = (resource.meta or {}).get("metadata")
    if not isinstance(metadata, dict):
        return []
    block = metadata.get("walint")
    if not isinstance(block, dict) or "ignore" not in block:
        return []
    entries = block.get("ignore")
    entries = entries if isinstance(entries, list) else [entries]
    src = lines(resource.file)
    out, last_line = [], resource.line - 1
    for entry in entries:
        if isinstance(entry, str):
            parsed = parse_comment(f"# walint:ignore {entry}", resource.file,
                                   _metadata_line(src, resource, entry.split()[0] if entry.split() else "",
                                                  last_line))
            out.extend(parsed or [])
            continue
        if not isinstance(entry, dict):
            out.append(Suppression(resource.file, resource.line, "", "", None,
                                   "Metadata walint.ignore entry"))
            continue
        raw_ids = entry.get("id", entry.get("ids", ""))
        if isinstance(raw_ids, list):
            ids = [str(x).strip().upper() for x in raw_ids if str(x).strip()]
        else:
            ids = [x.strip().upper() for x in str(raw_ids or "").split(",") if x.strip()]
        line = _metadata_line(src, resource, ids[0] if ids else "", last_line)
        last_line = line if line != resource.line else last_line
        reason = entry.get("reason")
        reason = " ".join(str(reason).split()) if reason is not None else ""
        until = entry.get("until")
        until = _parse_date(until, resource.file, line) if until not in (None, "") else None
        shown = f"Metadata walint.ignore {', '.join(ids) or '(no id)'}"
        for i in ids or [""]:
            out.append(Suppression(resource.file, line, i, reason, until, shown))
    return out


def collect(resources, lines=None) -> list:
    """Every suppression written on the resources, each (file, line, rule) once per address."""
    lines = lines or _Lines()
    out, seen = [], set()
    for r in resources:
        found = []
        for line, text in r.comments or ():
            found.extend(parse_comment(str(text), r.file, line) or [])
        if r.format == "cloudformation":
            found.extend(from_metadata(r, lines))
        for s in found:
            s.address, s.scope = r.address, r.scope
            k = (s.key, r.address)
            if k not in seen:
                seen.add(k)
                out.append(s)
    return out


def from_file(path: str, lines=None) -> list:
    """`WAL-PARSE-001` suppressions: comment lines anywhere in a file that did not parse."""
    lines = lines or _Lines()
    out = []
    for n, text in enumerate(lines(path), 1):
        if "walint" not in text.lower():
            continue
        parsed = parse_comment(text, path, n)
        out.extend(s for s in parsed or () if s.rule_id == builtin.PARSE_ERROR.id)
    return out


@dataclass
class Outcome:
    results: list = field(default_factory=list)     # new WAL-SUP-* results
    suppressions: list = field(default_factory=list)


def apply(results, resources, locator, *, enabled, ran, known, kept=lambda f, scope=None: True,
          report_unused=False, parse_files=None, today=None) -> Outcome:
    """Mark the results inline suppressions hold back; return the WAL-SUP-* results.

    `enabled` holds the ids of rules the user selected (WAL-SUP-* included), `ran` those
    of rules that ran and `known` every rule id (for unused suppressions), `kept(file, scope)` says whether findings
    of a file are reported (pre-commit mode), `parse_files` maps a parse error's display path
    to its file.
    """
    today = today or datetime.date.today()
    lines = _Lines()
    sups = collect(resources, lines)
    for file in sorted(set((parse_files or {}).values())):
        sups.extend(from_file(file, lines))

    index = {}
    for s in sups:
        index.setdefault((locator.namer(s.file), s.address), []).append(s)

    for r in results:
        if r.suppressed:
            continue
        for s in index.get((r.location.file, r.location.address), ()):
            if s.rule_id != r.rule.id or not s.reason:
                continue
            s.used = True
            if (s.until is None or s.until >= today) and not r.suppressed:
                r.suppressed = True
                r.suppression = {"kind": "inline", "reason": s.reason}

    out = Outcome(suppressions=sups)
    done = set()

    def emit(rule, s, message, key):
        if rule.id not in enabled or not kept(s.file, s.scope):
            return
        level = locator.level(rule, file=s.file)
        if level == "off":
            return
        file = locator.namer(s.file)
        ident = (rule.id, file, s.line, s.address, key)
        if ident in done:
            return
        done.add(ident)
        out.results.append(Result(rule, level, message, Location(file, s.line, s.line, 1, s.address),
                                  fingerprint(rule.id, file, s.address, key), key=key))

    for s in sups:
        what = s.rule_id or "(no rule id)"
        if not s.rule_id:
            emit(builtin.SUPPRESSION_WITHOUT_REASON, s,
                 f"walint:ignore names no rule id, so it suppresses nothing: "
                 f"write `walint:ignore RULE-ID reason` ({s.text})", "no-id")
        elif not s.reason:
            emit(builtin.SUPPRESSION_WITHOUT_REASON, s,
                 f"suppression of {what} gives no reason, so it does not suppress: "
                 f"add why after the rule id", s.rule_id)
        elif s.until is not None and s.until < today:
            tail = (" and the finding is reported again" if s.used
                    else "; it matches no finding now")
            emit(builtin.SUPPRESSION_EXPIRED, s,
                 f"suppression of {what} expired on {s.until.isoformat()} "
                 f"(reason: {s.reason}){tail}", s.rule_id)
        elif report_unused and not s.used and (s.rule_id in ran or s.rule_id not in known):
            why = "matches no finding" if s.rule_id in known else "names no known rule"
            emit(builtin.SUPPRESSION_UNUSED, s,
                 f"suppression of {what} {why}: remove it so it cannot hide a future finding",
                 s.rule_id)
    return out

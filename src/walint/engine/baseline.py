"""Baselines: adopt walint on an existing code base without fixing everything first.

`walint scan --create-baseline FILE` records the findings of today by fingerprint (the
SARIF `partialFingerprints["walint/v1"]`: rule, file, resource address and attribute,
never the line); `walint scan --baseline FILE` then reports only findings that are not in
it. Baselined findings stay in JSON and SARIF as suppressed (kind "baseline"/"external")
and count neither in the summary nor in the exit code. Entries that no longer match a
finding are "stale": walint lists them so the baseline can shrink.

Fingerprints hold the file's display path, relative to the repository root (see
engine/paths.py), so a baseline made in one folder matches from any other.

The file is JSON, sorted and without timestamps, so that it diffs well:

    {"walint-baseline": 1,
     "findings": [{"rule": "WAL-MAZ-001", "file": "db/main.tf",
                   "address": "aws_db_instance.main", "fingerprint": "..."}, ...]}
"""
from __future__ import annotations

import json
import os

from walint.engine import boundary
from walint.engine.errors import UsageError
from walint.reporters import safe

MARKER = "walint-baseline"
VERSION = 1


def _entry(result) -> dict:
    return {"rule": result.rule.id, "file": result.location.file,
            "address": result.location.address, "fingerprint": result.fingerprint}


def _sort_key(e):
    return (e.get("file", ""), e.get("rule", ""), e.get("address", ""), e.get("fingerprint", ""))


def dumps(results) -> str:
    """The baseline text for these results (the active ones), deterministic."""
    entries = {}
    for r in results:
        if r.suppressed or r.status != "fail":
            continue
        entries.setdefault(r.fingerprint, _entry(r))
    body = {MARKER: VERSION, "findings": sorted(entries.values(), key=_sort_key)}
    return json.dumps(body, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write(path: str, results) -> int:
    text = dumps(results)
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    return len(json.loads(text)["findings"])


def read(path: str) -> list:
    """The entries of a baseline file; anything else is a usage error in one line."""
    if not os.path.lexists(path):
        raise UsageError(f"{path}: no such baseline file (walint scan --create-baseline {path} "
                         f"writes one)")
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory, not a baseline file")
    try:
        raw = boundary.read_trusted(path, limit=None)      # named on the command line
    except boundary.ReadError as exc:
        raise UsageError(f"{path}: cannot read the baseline: {str(exc).removeprefix('cannot read: ')}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise UsageError(f"{path}: not a walint baseline (not JSON; walint scan "
                         f"--create-baseline writes one)") from None
    except RecursionError:      # a hostile file nesting 100,000 brackets
        raise UsageError(f"{path}: not a walint baseline (JSON nested too deeply)") from None
    if not isinstance(data, dict) or MARKER not in data:
        raise UsageError(f"{path}: not a walint baseline (no \"{MARKER}\" marker)")
    if data[MARKER] != VERSION:
        raise UsageError(f"{path}: walint baseline version {data[MARKER]!r} is not supported "
                         f"(this walint reads version {VERSION})")
    findings = data.get("findings")
    if not isinstance(findings, list) or not all(
            isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in findings):
        raise UsageError(f"{path}: not a walint baseline (\"findings\" must be a list of "
                         f"entries with a \"fingerprint\")")
    return findings


def apply(results, entries, path: str) -> list:
    """Mark the active results the baseline holds; return the stale entries, sorted."""
    by_fp = {}
    for e in entries:
        by_fp.setdefault(e["fingerprint"], e)
    matched = set()
    reason = f"in baseline {os.path.basename(path) or path}"
    for r in results:
        if r.suppressed or r.fingerprint not in by_fp:
            continue
        matched.add(r.fingerprint)
        r.suppressed = True
        r.suppression = {"kind": "baseline", "reason": reason}
    stale = [{"rule": safe.name(e.get("rule", "")), "file": safe.name(e.get("file", "")),
              "address": safe.name(e.get("address", "")), "fingerprint": safe.name(fp)}
             for fp, e in by_fp.items() if fp not in matched]
    return sorted(stale, key=_sort_key)

"""`--format json`, exactly CONTRACT.md's shape."""
from __future__ import annotations

import json


def result_dict(r) -> dict:
    out = {"rule": r.rule.id, "name": r.rule.name, "severity": r.level,
           "pillar": r.rule.pillar, "category": r.rule.category,
           "file": r.location.file, "line": r.location.line, "end_line": r.location.end_line,
           "address": r.location.address, "message": r.message,
           "fingerprint": r.fingerprint, "suppressed": r.suppressed}
    if r.suppression:
        out["suppression"] = dict(r.suppression)
    if r.status == "unknown":
        out["unknown"] = True
    if r.related:
        out["related"] = [{"file": x.file, "line": x.line, "address": x.address,
                           "message": x.message} for x in r.related]
    return out


def report_dict(report) -> dict:
    results = list(report.results)
    if report.show_unknown:
        results = sorted(results + report.unknowns, key=lambda r: r.sort_key())
    out = {
        "tool": "walint", "version": report.version, "profile": report.profile,
        "summary": {"files": report.files, "resources": report.resources,
                    "findings": report.counts(), "by_pillar": report.by_pillar(),
                    "unknown": len(report.unknowns)},
        "findings": [result_dict(r) for r in results],
    }
    if report.configuration:    # additions: what the configuration file switched off
        out["summary"]["configuration"] = dict(report.configuration)
    if report.incomplete:       # and how much could not be fully evaluated (WAL-PARSE-002)
        out["summary"]["incomplete"] = report.incomplete
    baseline = getattr(report, "baseline", None)
    if baseline is not None:
        out["baseline"] = {"stale": list(baseline.get("stale", []))}
    return out


def render(report, color=False) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"

"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning (CONTRACT.md).

Objects are built with sarif-om, whose attrs classes carry the SARIF property names in
their metadata; `_plain` turns them into JSON-ready dicts.
"""
from __future__ import annotations

import json

import attr
import sarif_om as om

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/walint/walint"
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "note": "2.0"}


def _plain(obj):
    if attr.has(type(obj)):
        out = {}
        for f in attr.fields(type(obj)):
            value = getattr(obj, f.name)
            if value is None or (f.default is not attr.NOTHING and value == f.default
                                 and f.name != "level"):
                continue
            out[f.metadata.get("schema_property_name", f.name)] = _plain(value)
        return out
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def _descriptor(rule, profile):
    from walint.docs import help_markdown, help_text

    level = rule.level(profile)
    props = {"tags": [rule.pillar, rule.category]}
    if rule.pillar == "security" and level in SECURITY_SEVERITY:
        props["security-severity"] = SECURITY_SEVERITY[level]
    return om.ReportingDescriptor(
        id=rule.id, name=rule.name,
        short_description=om.MultiformatMessageString(text=rule.title),
        full_description=om.MultiformatMessageString(text=rule.summary),
        help=om.MultiformatMessageString(text=help_text(rule), markdown=help_markdown(rule)),
        default_configuration=om.ReportingConfiguration(
            level=level if level != "off" else "none"),
        properties=props)


def _location(loc, index=None):
    physical = om.PhysicalLocation(
        artifact_location=om.ArtifactLocation(uri=loc.file, uri_base_id="%SRCROOT%"),
        region=om.Region(start_line=loc.line, end_line=max(loc.end_line, loc.line)))
    logical = ([om.LogicalLocation(fully_qualified_name=loc.address, kind="resource")]
               if loc.address else None)
    message = om.Message(text=loc.message) if loc.message else None
    return om.Location(id=index, physical_location=physical, logical_locations=logical,
                       message=message)


def _result(r, rule_index):
    suppressions = None
    if r.suppressed:
        kind = "inSource" if (r.suppression or {}).get("kind") == "inline" else "external"
        suppressions = [om.Suppression(kind=kind,
                                       justification=(r.suppression or {}).get("reason", ""))]
    related = [_location(loc, i) for i, loc in enumerate(r.related)] or None
    level = r.level if r.status == "fail" else "note"
    return om.Result(
        rule_id=r.rule.id, rule_index=rule_index[r.rule.id], level=level,
        message=om.Message(text=r.message if r.status == "fail" else f"not decided: {r.message}"),
        locations=[_location(r.location)], related_locations=related,
        partial_fingerprints={"walint/v1": r.fingerprint}, suppressions=suppressions)


def sarif_dict(report) -> dict:
    results = list(report.results)
    if report.show_unknown:
        results = sorted(results + report.unknowns, key=lambda r: r.sort_key())
    rules = sorted({r.id: r for r in list(report.rules) + [x.rule for x in results]}.values(),
                   key=lambda r: r.id)
    rule_index = {r.id: i for i, r in enumerate(rules)}
    notifications = [
        om.Notification(
            message=om.Message(text=f"{r.location.file}:{r.location.line}: {r.message}"),
            level="error",
            locations=[_location(r.location)],
            descriptor=om.ReportingDescriptorReference(id=r.rule.id))
        for r in results if r.rule.id == "WAL-PARSE-001"]
    name = report.namer or (lambda f: f)
    for d in report.diagnostics:
        notifications.append(om.Notification(
            message=om.Message(text=f"{name(d.file)}:{d.line or 1}: {d.message}"),
            level=d.level if d.level in ("error", "warning", "note") else "note"))
    run = om.Run(
        tool=om.Tool(driver=om.ToolComponent(
            name="walint", version=report.version, information_uri=INFO_URI,
            rules=[_descriptor(r, report.profile) for r in rules])),
        # URIs are relative to the repository root; where that is on this machine is
        # nobody's business (and would make the log differ between machines)
        original_uri_base_ids={"%SRCROOT%": om.ArtifactLocation(
            description=om.Message(text="The repository root."))},
        invocations=[om.Invocation(execution_successful=not report.internal_errors,
                                   tool_execution_notifications=notifications or None)],
        results=[_result(r, rule_index) for r in results],
        properties={"profile": report.profile})
    log = om.SarifLog(version="2.1.0", schema_uri=SCHEMA, runs=[run])
    return _plain(log)


def render(report, color=False) -> str:
    return json.dumps(sarif_dict(report), indent=2, ensure_ascii=False) + "\n"

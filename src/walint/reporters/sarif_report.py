"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning (CONTRACT.md).

Objects are built with sarif-om, whose attrs classes carry the SARIF property names in
their metadata; `_plain` turns them into JSON-ready dicts.
"""
from __future__ import annotations

import json

import attr
import sarif_om as om

from walint.reporters import safe

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/walint/walint"
RULE_PAGES = INFO_URI + "/blob/main/docs/rules/"       # docs/rules/<RULE-ID>.md
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
# GitHub code scanning's documented limits ("SARIF support for code scanning"): a run
# over MAX_RESULTS is rejected, locations past MAX_RELATED are not shown
MAX_RESULTS = 25_000
MAX_RELATED = 100
_BRACKETS = str.maketrans({"[": "\\[", "]": "\\]"})


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
    props = {"tags": [rule.pillar, rule.category], "precision": rule.precision}
    if level in PROBLEM_SEVERITY:
        props["problem.severity"] = PROBLEM_SEVERITY[level]
    if rule.security_severity is not None:
        props["security-severity"] = f"{rule.security_severity:.1f}"
    return om.ReportingDescriptor(
        id=rule.id, name=rule.name, help_uri=_help_uri(rule),
        short_description=om.MultiformatMessageString(text=rule.title),
        full_description=om.MultiformatMessageString(text=rule.summary),
        help=om.MultiformatMessageString(text=help_text(rule), markdown=help_markdown(rule)),
        default_configuration=om.ReportingConfiguration(
            level=level if level != "off" else "none"),
        properties=props)


def _help_uri(rule):
    """The rule's page in docs/rules for walint's own rules (a third-party pack's rules
    have no page there)."""
    module = getattr(rule.check, "__module__", "") or ""
    if rule.engine or module.split(".")[0] == "walint_rules":
        return RULE_PAGES + rule.id + ".md"
    return None


def _location(loc, index=None):
    """One line (CONTRACT.md): the offending attribute's line, else the resource's first
    line, so a pull-request annotation appears when that line is in the diff."""
    physical = om.PhysicalLocation(
        artifact_location=om.ArtifactLocation(uri=loc.file, uri_base_id="%SRCROOT%"),
        region=om.Region(start_line=loc.line, end_line=loc.line))
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
    shown = r.related[:MAX_RELATED]
    related = [_location(loc, i) for i, loc in enumerate(shown)] or None
    level = r.level if r.status == "fail" else "note"
    text = r.message if r.status == "fail" else f"not decided: {r.message}"
    if shown:   # GitHub shows related locations only when the message links them
        links = ", ".join(f"[{_link_text(loc)}]({i})" for i, loc in enumerate(shown))
        text = f"{text} (see {links})"
    return om.Result(
        rule_id=r.rule.id, rule_index=rule_index[r.rule.id], level=level,
        message=om.Message(text=text),
        locations=[_location(r.location)], related_locations=related,
        partial_fingerprints={"walint/v1": r.fingerprint}, suppressions=suppressions)


def _link_text(loc) -> str:
    """What a message calls a related location; brackets escaped as SARIF's embedded
    links require (`aws_subnet.private[0]`)."""
    return (loc.address or f"{loc.file}:{loc.line}").translate(_BRACKETS)


def _bounded(results):
    """At most MAX_RESULTS results (GitHub rejects a run with more): the most severe kept,
    in the usual order; returns (kept, number left out)."""
    if len(results) <= MAX_RESULTS:
        return results, 0
    rank = {"error": 0, "warning": 1, "note": 2}
    order = sorted(range(len(results)), key=lambda i: (
        results[i].suppressed, results[i].status != "fail", rank.get(results[i].level, 3), i))
    keep = sorted(order[:MAX_RESULTS])
    return [results[i] for i in keep], len(results) - MAX_RESULTS


def sarif_dict(report) -> dict:
    results = list(report.results)
    if report.show_unknown:
        results = sorted(results + report.unknowns, key=lambda r: r.sort_key())
    results, left_out = _bounded(results)
    rules = sorted({r.id: r for r in list(report.rules) + [x.rule for x in results]}.values(),
                   key=lambda r: r.id)
    rule_index = {r.id: i for i, r in enumerate(rules)}
    notifications = [
        om.Notification(
            message=om.Message(text=f"{r.location.file}:{r.location.line}: {r.message}"),
            level="error",
            locations=[_location(r.location)],
            descriptor=om.ReportingDescriptorReference(id=r.rule.id))
        for r in results if r.rule.id in ("WAL-PARSE-001", "WAL-PARSE-002")]
    namer = report.namer or (lambda f: f)
    for d in report.diagnostics:
        notifications.append(om.Notification(
            message=om.Message(text=f"{safe.name(namer(d.file))}:{d.line or 1}: "
                                    f"{safe.message(d.message)}"),
            level=d.level if d.level in ("error", "warning", "note") else "note"))
    for e in report.internal_errors:
        notifications.append(om.Notification(message=om.Message(text=f"internal error: {e}"),
                                             level="error"))
    if left_out:
        notifications.append(om.Notification(message=om.Message(
            text=f"{left_out} results left out: GitHub code scanning accepts at most "
                 f"{MAX_RESULTS} per run (the JSON report holds them all)"), level="warning"))
    properties = {"configuration": report.configuration} if report.configuration else None
    run = om.Run(
        tool=om.Tool(driver=om.ToolComponent(
            name="walint", version=report.version, information_uri=INFO_URI,
            rules=[_descriptor(r, report.profile) for r in rules])),
        # URIs are relative to the repository root; where that is on this machine is
        # nobody's business (and would make the log differ between machines)
        original_uri_base_ids={"%SRCROOT%": om.ArtifactLocation(
            description=om.Message(text="The repository root."))},
        invocations=[om.Invocation(
            execution_successful=not (report.internal_errors or report.incomplete or left_out),
            tool_execution_notifications=notifications or None, properties=properties)],
        results=[_result(r, rule_index) for r in results],
        properties={"profile": report.profile})
    log = om.SarifLog(version="2.1.0", schema_uri=SCHEMA, runs=[run])
    return _plain(log)


def render(report, color=False) -> str:
    return json.dumps(sarif_dict(report), indent=2, ensure_ascii=False) + "\n"

"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

    ::error file=db/main.tf,line=14,endLine=14,title=WAL-MAZ-001 rds-multi-az::message

error -> `::error`, warning -> `::warning`, note -> `::notice`. Text from scanned files
(resource names, paths, messages quoting values) is escaped as GitHub's toolkit does:
in the message `%`, CR and LF become `%25`, `%0D`, `%0A`; in property values `:` and
`,` also become `%3A` and `%2C`. So no scanned text can end the command early, start a
line of its own or add a property: a resource name cannot forge an annotation. Other
control characters are shown as visible escapes. Suppressed findings are not annotated.
"""
from __future__ import annotations

from walint.reporters.safe import safe

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text) -> str:
    """A workflow command's message."""
    text = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return safe(text)


def escape_property(text) -> str:
    """A workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(r) -> str:
    level = r.level if r.status == "fail" else "note"
    loc = r.location
    props = [("file", loc.file), ("line", str(loc.line)),
             ("endLine", str(max(loc.end_line, loc.line))),
             ("title", f"{r.rule.id} {r.rule.name}")]
    message = r.message if r.status == "fail" else f"not decided: {r.message}"
    if loc.address:
        message = f"{message} [{loc.address}]"
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS.get(level, 'notice')} {head}::{escape_data(message)}"


def render(report, color=False) -> str:
    results = [r for r in report.results if not r.suppressed]
    if report.show_unknown:
        results = sorted(results + [u for u in report.unknowns if not u.suppressed],
                         key=lambda r: r.sort_key())
    lines = [annotation(r) for r in results]
    counts = report.counts()
    total = sum(counts.values())
    suppressed = sum(1 for r in report.results if r.suppressed)
    lines.append(f"walint: {total} finding{'s' if total != 1 else ''} "
                 f"({counts['error']} error, {counts['warning']} warning, {counts['note']} note), "
                 f"{suppressed} suppressed, profile {report.profile}")
    if report.configuration_line():
        lines.append(f"walint: {safe(report.configuration_line())}")
    return "\n".join(lines) + "\n"

"""`--format text`: grouped by file, `path:line rule-id severity message [resource]`,
then a summary with counts per severity and pillar. Colour only when asked (a terminal
without NO_COLOR)."""
from __future__ import annotations

from itertools import groupby

from walint.reporters.safe import no_commands, safe

_COLOURS = {"error": "31", "warning": "33", "note": "36", "bold": "1", "dim": "2"}


def _paint(text, what, color):
    return f"\x1b[{_COLOURS[what]}m{text}\x1b[0m" if color else text


def _line(r, color) -> str:
    level = r.level if r.status == "fail" else "note"
    message = r.message if r.status == "fail" else f"not decided: {r.message}"
    tail = f" [{safe(r.location.address)}]" if r.location.address else ""
    mark = " (suppressed)" if r.suppressed else ""
    return (f"{safe(r.location.file)}:{r.location.line} {r.rule.id} "
            f"{_paint(level, level, color)} {safe(message)}{tail}{mark}")


def render(report, color=False) -> str:
    results = [r for r in report.results if not r.suppressed]
    if report.show_unknown:
        results = sorted(results + report.unknowns, key=lambda r: r.sort_key())
    out = []
    for file, group in groupby(results, key=lambda r: r.location.file):
        out.append(_paint(safe(file), "bold", color))
        for r in group:
            out.append("  " + _line(r, color))
            for rel in r.related:
                where = f"{safe(rel.file)}:{rel.line}" + (f" {safe(rel.address)}" if rel.address else "")
                out.append(_paint(f"      see {where}" + (f": {safe(rel.message)}" if rel.message else ""),
                                  "dim", color))
        out.append("")
    counts = report.counts()
    total = sum(counts.values())
    summary = (f"{total} finding{'s' if total != 1 else ''} "
               f"({counts['error']} error, {counts['warning']} warning, {counts['note']} note) "
               f"in {report.files} file{'s' if report.files != 1 else ''}, "
               f"{report.resources} resource{'s' if report.resources != 1 else ''}, profile {report.profile}")
    out.append(_paint(summary, "bold", color))
    pillars = report.by_pillar()
    if pillars:
        out.append("by pillar: " + ", ".join(f"{p} {n}" for p, n in pillars.items()))
    suppressed = sum(1 for r in report.results if r.suppressed)
    if suppressed:
        out.append(f"{suppressed} suppressed")
    if report.configuration_line():
        out.append(safe(report.configuration_line()))
    if report.unknowns:
        hint = "" if report.show_unknown else " (--show-unknown lists them)"
        out.append(f"{len(report.unknowns)} check{'s' if len(report.unknowns) != 1 else ''} "
                   f"could not be decided{hint}")
    return no_commands("\n".join(out) + "\n")

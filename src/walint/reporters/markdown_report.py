"""`--format markdown`: a summary for a pull request or `$GITHUB_STEP_SUMMARY`.

A headline, the pillar scorecard (findings per pillar and severity), the findings table
and, when walint drew one, the topology picture as a Mermaid block. Text from scanned
files is escaped so that it renders as text: no table cell can be split by a `|`, no
link, image, HTML or emphasis can be injected.
"""
from __future__ import annotations

import re
from importlib import import_module

from walint.model.rule import PILLARS
from walint.reporters.safe import safe

MAX_ROWS = 500            # GitHub keeps 1 MiB of a step summary
MAX_PICTURE = 60_000      # characters of Mermaid worth rendering
MAX_BYTES = 1 << 20       # the whole summary: GitHub refuses a step summary over 1 MiB
CUT_RESERVE = 4096        # room kept for the line saying what was cut
_ICONS = {"error": "\U0001F534 error", "warning": "\U0001F7E0 warning", "note": "\U0001F535 note"}
# inline Markdown: code, emphasis, links and images, table cells, strikethrough
_MARKUP = re.compile(r"([\\`*_\[\]|~])")
# HTML, mentions, references and autolinks (`http://`, `www.`) become entities
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;", "#": "&#35;",
             "://": "&#58;//"}
_ENTITY = re.compile(r"[&<>@#]|://")
_WWW = re.compile(r"(?i)\b(www)\.")


def text(value) -> str:
    """Scanned text as inert Markdown inside a table cell: one line, markup escaped,
    no HTML, no link, mention or reference."""
    out = " ".join(safe(value).split()) if value is not None else ""
    out = _MARKUP.sub(r"\\\1", out)
    out = _ENTITY.sub(lambda m: _ENTITIES[m.group()], out)
    return _WWW.sub(r"\1&#46;", out)


def _pillar_title(pillar: str) -> str:
    return pillar.replace("-", " ").capitalize()


def _headline(report) -> list:
    counts = report.counts()
    total = sum(counts.values())
    failed = report.exit_code() != 0
    mark = "\u274C" if failed else "\u2705"
    parts = [f"## {mark} walint: {total} finding{'s' if total != 1 else ''}"]
    if total:
        parts[0] += (f" ({counts['error']} error, {counts['warning']} warning, "
                     f"{counts['note']} note)")
    suppressed = [r for r in report.results if r.suppressed]
    detail = (f"Profile `{report.profile}` \u00b7 {report.files} file"
              f"{'s' if report.files != 1 else ''} \u00b7 {report.resources} resources \u00b7 "
              f"fails on `{report.fail_on}`")
    if suppressed:
        kinds = {}
        for r in suppressed:
            kind = (r.suppression or {}).get("kind", "inline")
            kinds[kind] = kinds.get(kind, 0) + 1
        detail += " \u00b7 suppressed: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    if report.unknowns:
        detail += f" \u00b7 {len(report.unknowns)} undecided"
    if report.configuration_line():
        detail += f" \u00b7 {text(report.configuration_line())}"
    return parts + ["", detail, ""]


def _scorecard(report) -> list:
    table = {p: {"error": 0, "warning": 0, "note": 0} for p in PILLARS}
    for r in report.active():
        table.setdefault(r.rule.pillar, {"error": 0, "warning": 0, "note": 0})[r.level] += 1
    lines = ["### Pillar scorecard", "",
             "| Pillar | Error | Warning | Note | |",
             "| --- | ---: | ---: | ---: | :---: |"]
    totals = {"error": 0, "warning": 0, "note": 0}
    for pillar, row in table.items():
        for k in totals:
            totals[k] += row[k]
        mark = ("\u274C" if row["error"] else "\u26A0\uFE0F" if row["warning"]
                else "\u2139\uFE0F" if row["note"] else "\u2705")
        lines.append(f"| {text(_pillar_title(pillar))} | {row['error']} | {row['warning']} | "
                     f"{row['note']} | {mark} |")
    lines.append(f"| **Total** | **{totals['error']}** | **{totals['warning']}** | "
                 f"**{totals['note']}** | |")
    return lines + [""]


def _row(r) -> str:
    loc = r.location
    level = r.level if r.status == "fail" else "note"
    message = r.message if r.status == "fail" else f"not decided: {r.message}"
    return (f"| {_ICONS.get(level, level)} | `{r.rule.id}` {text(r.rule.name)} | "
            f"{text(loc.file)}:{loc.line} | {text(loc.address)} | {text(message)} |")


def _findings(report) -> list:
    results = report.active()
    if report.show_unknown:
        results = sorted(results + list(report.unknowns), key=lambda r: r.sort_key())
    if not results:
        return ["No findings.", ""]
    lines = ["### Findings", "", "| Severity | Rule | Location | Resource | Message |",
             "| --- | --- | --- | --- | --- |"]
    lines += [_row(r) for r in results[:MAX_ROWS]]
    if len(results) > MAX_ROWS:
        lines += ["", f"\u2026 and {len(results) - MAX_ROWS} more (the JSON or SARIF report "
                      f"holds them all)."]
    return lines + [""]


def _suppressed(report) -> list:
    held = [r for r in report.results if r.suppressed]
    if not held:
        return []
    lines = ["<details><summary>Suppressed findings</summary>", "",
             "| Rule | Location | Resource | Kind | Reason |", "| --- | --- | --- | --- | --- |"]
    for r in held[:MAX_ROWS]:
        s = r.suppression or {}
        lines.append(f"| `{r.rule.id}` | {text(r.location.file)}:{r.location.line} | "
                     f"{text(r.location.address)} | {text(s.get('kind', ''))} | "
                     f"{text(s.get('reason', ''))} |")
    return lines + ["", "</details>", ""]


def _picture(report) -> list:
    """The topology as Mermaid, when the picture module exists and draws something."""
    try:
        picture = import_module("walint.reporters.picture")
    except ImportError:
        return []
    try:
        drawing = picture.render(report, "mermaid")
    except Exception:  # a picture is a bonus: never lose the summary over it
        return []
    if not isinstance(drawing, str) or not drawing.strip() or len(drawing) > MAX_PICTURE:
        return []
    body = drawing.strip("\n")
    if body.lstrip().startswith("```"):      # already fenced: unwrap
        inner = body.strip().split("\n")
        body = "\n".join(inner[1:-1] if inner[-1].strip().startswith("```") else inner[1:])
    fence = "```"
    while fence in body:
        fence += "`"
    return ["<details><summary>Topology</summary>", "", f"{fence}mermaid", body, fence, "",
            "</details>", ""]


def _size(lines) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def render(report, color=False) -> str:
    """The summary, at most MAX_BYTES: when it would be larger the topology goes first,
    then the suppressed findings, then findings rows, and a last line says what was cut."""
    head = _headline(report) + _scorecard(report)
    findings, held, picture = _findings(report), _suppressed(report), _picture(report)
    if _size(head + findings + held + picture) <= MAX_BYTES:
        return "\n".join(head + findings + held + picture).rstrip("\n") + "\n"
    cut_parts = []
    if picture:
        cut_parts.append("the topology")
    if _size(head + findings + held) > MAX_BYTES - CUT_RESERVE and held:
        cut_parts.append("the suppressed findings")
        held = []
    budget = MAX_BYTES - CUT_RESERVE - _size(head + held)
    if _size(findings) > budget:
        kept, used = [], 0
        for line in findings:
            used += len(line.encode("utf-8")) + 1
            if used > budget:
                break
            kept.append(line)
        rows = sum(1 for line in findings[len(kept):] if line.startswith("| "))
        cut_parts.insert(0, f"{rows} findings rows")
        findings = kept + [""]
    note = (f"\u2702 Cut to stay within GitHub's 1 MiB step summary: {', '.join(cut_parts)} "
            "not shown (the JSON or SARIF report holds everything).")
    return "\n".join(head + findings + held + [note]).rstrip("\n") + "\n"

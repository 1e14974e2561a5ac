"""A rule's documentation, from one source (its docstring), for every place it shows:
`walint explain`, `walint rules`, SARIF help, and the generated docs/rules/ pages.

Docstring shape (markdown): a first paragraph saying what the rule checks, then
sections `## Why`, `## Example` (code blocks `yaml` for CloudFormation and `hcl` for
Terraform), `## Fix` (same), and optionally `## Default` and `## Trade-off`.
"""
from __future__ import annotations

import re

_FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)


def sections(rule) -> dict:
    """{"": first part, "Why": ..., "Example": ..., ...} from the docstring."""
    out, name, lines = {}, "", []
    for line in rule.doc.splitlines():
        if line.startswith("## "):
            out[name] = "\n".join(lines).strip()
            name, lines = line[3:].strip(), []
        else:
            lines.append(line)
    out[name] = "\n".join(lines).strip()
    return out


def code_blocks(text: str) -> list:
    """[(language, code)] of the fenced blocks in a section."""
    return [(lang, code) for lang, code in _FENCE.findall(text or "")]


def impact(rule) -> str:
    """'9.3 (critical)' for a security rule (SARIF security-severity), '' for others."""
    from walint.model.rule import security_grade

    score = rule.security_severity
    return "" if score is None else f"{score:.1f} ({security_grade(score)})"


def header(rule, profile=None) -> str:
    sev = ", ".join(f"{p} {rule.severity[p]}" for p in rule.severity)
    lines = [f"{rule.id} {rule.name}: {rule.title}",
             f"pillar: {rule.pillar}   category: {rule.category}   "
             f"best practice: {', '.join(rule.best_practice) or '-'}",
             f"severity: {sev}",
             f"formats: {', '.join(rule.formats)}",
             f"precision: {rule.precision}"
             + (f"   security-severity: {impact(rule)}" if impact(rule) else "")]
    if rule.checkov:
        lines.append(f"checkov: {', '.join(rule.checkov)}")
    return "\n".join(lines)


def help_markdown(rule) -> str:
    meta = (f"**{rule.id}** `{rule.name}` · pillar **{rule.pillar}** · category "
            f"**{rule.category}** · best practice {', '.join(rule.best_practice) or '-'}")
    return f"{meta}\n\n{rule.doc or rule.title}\n"


def help_text(rule) -> str:
    return f"{header(rule)}\n\n{rule.doc or rule.title}\n"


def explain(rule) -> str:
    return help_text(rule)


def severity_cells(rule) -> list:
    """The rule's level in each profile, in CONTRACT.md's profile order."""
    from walint.model.rule import PROFILES

    return [rule.severity.get(p, "off") for p in PROFILES]


def page(rule) -> str:
    """A rule's reference page (docs/rules/<RULE-ID>.md), in markdown."""
    from walint.model.rule import PROFILES

    parts = sections(rule)
    lines = [f"# {rule.id} `{rule.name}`", "", f"**{rule.title}**", "",
             "| | |", "|---|---|",
             f"| pillar | {rule.pillar} |",
             f"| category | {rule.category} |",
             f"| best practice | {', '.join(rule.best_practice) or '-'} |",
             "| severity | " + ", ".join(f"{p} **{rule.severity.get(p, 'off')}**" for p in PROFILES) + " |",
             f"| formats | {', '.join(rule.formats)} |",
             f"| precision | {rule.precision} |"]
    if impact(rule):
        lines.append(f"| security-severity | {impact(rule)} |")
    if rule.checkov:
        lines.append(f"| checkov | {', '.join(rule.checkov)} |")
    lines.append("")
    lead = parts.get("", "").strip()
    if lead:
        lines += [lead, ""]
    for name, body in parts.items():
        if name and body.strip():
            lines += [f"## {name}", "", body.strip(), ""]
    return "\n".join(lines).rstrip() + "\n"

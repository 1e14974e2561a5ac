"""Every rule's documentation is tested (STYLE.md): its `## Example` fires the rule and its
`## Fix` passes it, in both formats.

Each fenced block is written alone to a temporary folder (```yaml as `template.yaml`,
```hcl as `main.tf`) and scanned with only that rule selected.
"""
from __future__ import annotations

import re

import pytest

from walint.engine.loader import load_rules
from walint.engine.run import ScanOptions, scan

SECTION = re.compile(r"^## +(\w[\w -]*)\s*$", re.M)
FENCE = re.compile(r"^```(yaml|hcl)[^\n]*\n(.*?)^```", re.M | re.S)
FILE_FOR = {"yaml": "template.yaml", "hcl": "main.tf"}

# Rules whose author has not written the Example/Fix blocks yet (RULES.md §2 owners).
PENDING: set[str] = set()


def sections(doc: str) -> dict:
    """{section title: text} of a rule docstring."""
    out = {}
    marks = list(SECTION.finditer(doc))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(doc)
        out[m.group(1).strip()] = doc[m.end():end]
    return out


def blocks(text: str) -> list:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text or "")]


def _rules():
    return [r for r in load_rules() if not r.engine]


def _cases():
    for rule in _rules():
        for part in ("Example", "Fix"):
            marks = [pytest.mark.xfail(reason=f"{rule.id}: docs not written yet", strict=False)] \
                if rule.id in PENDING else []
            yield pytest.param(rule, part, id=f"{rule.id}-{part}", marks=marks)


def _run(tmp_path, rule, lang, code):
    folder = tmp_path / lang
    folder.mkdir()
    (folder / FILE_FOR[lang]).write_text(code, encoding="utf-8")
    report = scan([str(folder)], ScanOptions(select=[rule.id]))
    assert not report.internal_errors, report.internal_errors
    parse = [r.message for r in report.results if r.rule.id == "WAL-PARSE-001"]
    assert not parse, parse
    return [r for r in report.results if r.rule.id == rule.id]


@pytest.mark.parametrize("rule,part", list(_cases()))
def test_doc_blocks(tmp_path, rule, part):
    text = sections(rule.doc).get(part)
    assert text is not None, f"{rule.id} has no '## {part}' section"
    found = blocks(text)
    langs = [lang for lang, _ in found]
    for fmt, lang in (("cloudformation", "yaml"), ("terraform", "hcl")):
        if fmt in rule.formats:
            assert lang in langs, f"{rule.id} '## {part}' has no ```{lang} block"
    for lang, code in found:
        results = _run(tmp_path, rule, lang, code)
        if part == "Example":
            assert results, f"{rule.id}: the {lang} example does not fire the rule"
        else:
            assert not results, (f"{rule.id}: the {lang} fix still fires: "
                                 + "; ".join(r.message for r in results))


@pytest.mark.parametrize("rule", _rules(), ids=lambda r: r.id)
def test_doc_sections(rule):
    """The fixed sections exist: a first paragraph, Why (naming the BP), Default."""
    if rule.id in PENDING:
        pytest.xfail(f"{rule.id}: docs not written yet")
    parts = sections(rule.doc)
    assert rule.summary, f"{rule.id} has no first paragraph"
    for name in ("Why", "Default", "Example", "Fix"):
        assert name in parts, f"{rule.id} has no '## {name}' section"
    assert any(bp in parts["Why"] for bp in rule.best_practice), \
        f"{rule.id}: '## Why' does not name its best practice {rule.best_practice}"

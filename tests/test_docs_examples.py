"""Every rule's documented example fires and its documented fix passes (STYLE.md: the
docs are tested). The `## Example` and `## Fix` sections of a rule's docstring hold a
```yaml CloudFormation block and a ```hcl Terraform block; each is scanned alone with
only that rule selected, in the first profile where the rule is on (production first)."""
from __future__ import annotations

import pytest

from testenv import scan


def _rules():
    from walint.docs_gen import builtin_rules

    return [r for r in builtin_rules() if not r.engine]


def _cases():
    from walint.docs import code_blocks, sections

    for r in _rules():
        parts = sections(r)
        for section in ("Example", "Fix"):
            for n, (lang, code) in enumerate(code_blocks(parts.get(section, ""))):
                if lang in ("yaml", "hcl"):
                    yield pytest.param(r, section, lang, code, id=f"{r.id}-{section}-{lang}-{n}")


def _profile(rule):
    for p in ("production", "regulated", "mvp", "development"):
        if rule.level(p) != "off":
            return p
    return "production"


@pytest.mark.parametrize("rule,section,lang,code", list(_cases()))
def test_documented_example(tmp_path, rule, section, lang, code):
    if lang == "yaml":
        (tmp_path / "template.yaml").write_text(code, encoding="utf-8")
    else:
        (tmp_path / "main.tf").write_text(code, encoding="utf-8")
    report = scan([tmp_path], select=[rule.id], profile=_profile(rule))
    assert not report.internal_errors, report.internal_errors
    parse = [r.message for r in report.results if r.rule.id == "WAL-PARSE-001"]
    assert not parse, parse
    got = [r.message for r in report.results if r.rule.id == rule.id]
    if section == "Example":
        assert got, f"{rule.id}: the documented {lang} example does not fire"
    else:
        assert not got, f"{rule.id}: the documented {lang} fix still fires: {got}"


def test_my_rules_document_both_formats():
    """The rules of logging.py, iam.py and scaling.py show both formats, fixed and not."""
    from walint.docs import code_blocks, sections

    for r in _rules():
        if not r.id.startswith(("WAL-LOG-", "WAL-IAM-", "WAL-SCL-")):
            continue
        parts = sections(r)
        for section in ("Why", "Default", "Example", "Fix"):
            assert parts.get(section), f"{r.id} has no ## {section}"
        for section in ("Example", "Fix"):
            langs = {lang for lang, _ in code_blocks(parts[section])}
            assert {"yaml", "hcl"} <= langs, f"{r.id} ## {section} lacks a yaml or hcl block"

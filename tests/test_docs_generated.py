"""The committed rule reference (docs/rules/) is what `python -m walint.docs_gen` makes
from the rules' docstrings today. Regenerate it with

    .venv/bin/python -m walint.docs_gen docs/rules
"""
from __future__ import annotations

import difflib

from testenv import ROOT


def test_rule_reference_is_up_to_date(tmp_path):
    from walint.docs_gen import write

    names = write(str(tmp_path))
    committed = ROOT / "docs" / "rules"
    assert committed.is_dir(), "docs/rules is missing: run python -m walint.docs_gen docs/rules"
    stale = []
    for name in names:
        want = (tmp_path / name).read_text(encoding="utf-8")
        path = committed / name
        have = path.read_text(encoding="utf-8") if path.exists() else ""
        if have != want:
            diff = "".join(list(difflib.unified_diff(have.splitlines(True), want.splitlines(True),
                                                     f"committed/{name}", f"generated/{name}"))[:20])
            stale.append(diff or name)
    extra = sorted(p.name for p in committed.glob("*.md") if p.name not in names)
    assert not stale and not extra, (
        "docs/rules is stale: run .venv/bin/python -m walint.docs_gen docs/rules\n"
        + "\n".join(stale) + (f"\nno longer generated: {extra}" if extra else ""))


def test_index_lists_every_rule():
    from walint.docs_gen import builtin_rules, index

    text = index(builtin_rules())
    for r in builtin_rules():
        assert f"[{r.id}]({r.id}.md)" in text


def test_catalogue_names_real_rules_and_every_rule_covers_a_service():
    from walint.catalogue import SERVICES
    from walint.docs_gen import builtin_rules

    rules = {r.id: r for r in builtin_rules()}
    named = {i for _, _, ids in SERVICES for i in ids}
    assert not named - set(rules), f"catalogue names rules that do not exist: {sorted(named - set(rules))}"
    uncovered = sorted(i for i, r in rules.items() if not r.engine and i not in named)
    assert not uncovered, f"rules in no service of walint/catalogue.py: {uncovered}"

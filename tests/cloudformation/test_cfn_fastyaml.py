"""Issue 8: the fast reader reads every corpus template exactly as cfn-lint's decoder does.

Same values (types included), the same start and end marks on every mapping, sequence
and string (keys included), and an error wherever cfn-lint reports one: either the
reader's own, in cfn-lint's words and lines, or a rejection (the text then goes to
cfn-lint, so the diagnostics are cfn-lint's own).
"""
from __future__ import annotations

import datetime
import os

import pytest
from cfn_helpers import FIX
from test_cfn_corpus import CORPUS, corpus_templates

from walint.parsers.cloudformation import fastyaml


def _mark(node, which):
    m = getattr(node, which, None)
    return None if m is None else (m.line, m.column)


def _kind(v):
    for t in (bool, int, float, str, dict, list, datetime.datetime, datetime.date, bytes, type(None)):
        if isinstance(v, t):
            return t
    return type(v)


def same(a, b, path="$"):
    """Raise AssertionError at the first difference between two decoded trees."""
    assert _kind(a) is _kind(b), (path, type(a), type(b))
    assert a == b, path
    if isinstance(a, (dict, list, str)):
        assert _mark(a, "start_mark") == _mark(b, "start_mark"), (path, "start")
        assert _mark(a, "end_mark") == _mark(b, "end_mark"), (path, "end")
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for (ka, va), kb in zip(a.items(), b):
            assert _mark(ka, "start_mark") == _mark(kb, "start_mark"), (path, ka, "key mark")
            same(va, b[kb], f"{path}.{ka}")
    elif isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")


def check(text: str):
    from cfnlint.decode import decode_str

    reference, matches = decode_str(text)
    own = None
    try:
        fast = fastyaml.loads(text)
    except fastyaml.Rejected:
        fast = None
    except fastyaml.NotATemplate as exc:
        fast, own = None, exc.matches
    if matches:
        assert fast is None, "cfn-lint reports an error the fast reader does not see"
        if own is not None:         # said without cfn-lint: its words, its lines
            assert own == [(m.linenumber, m.message) for m in matches]
        return "error"
    assert own is None, f"the fast reader reports {own}, cfn-lint reads the text"
    if fast is None:
        return "fallback"           # cfn-lint read it (e.g. its JSON fallback): it reads it again
    same(fast, reference)
    return "same"


def test_every_corpus_template():
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent: this test needs walint's ../shared folder")
    outcomes = {}
    for path in corpus_templates():
        with open(path, "rb") as fh:
            data = fh.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        outcomes[os.path.relpath(path, CORPUS)] = check(text)
    assert list(outcomes.values()).count("same") >= 420
    assert list(outcomes.values()).count("error") >= 10
    assert "fallback" not in outcomes.values(), [p for p, o in outcomes.items() if o == "fallback"]


@pytest.mark.parametrize("path", sorted(p for p in FIX.rglob("*") if p.suffix in (".yaml", ".json")),
                         ids=lambda p: str(p.relative_to(FIX)))
def test_every_parser_fixture(path):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return
    check(text)


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",
    "a: {b: 1, b: 2}\n",
    "? [1]\n: x\n",
    "? null\n: x\n",
    "a: [unclosed\n",
    "a: 1\nb: {c: 1, c: 2}\na: 3\n",
    "a: 1\na: 2\na: 3\nb: {c: 1, c: 2}\n",
    "k: [1, 2\nm: 3\n",
    '{"a": 1,, "b": 2}\n',
    '{"a": "x\\qy"}\n',
    "? {x: 1}\n: y\n",
    "? !Ref A\n: y\n",
    "1: a\n1: b\n",
    "a:\n\tb: 1\n",
    "base: &b {x: 1}\nd:\n  <<: *b\n  x: 2\n",
    "r: !GetAtt A.B.C\ns: !GetAtt [A, B]\nt: !Sub [x, {y: 1}]\nu: !GetAZs ''\n",
    "d: 2024-01-31\nb: !!binary aGVsbG8=\nf: 1.5\nn: ~\nt: yes\n",
    "a: &a [*a]\n",
    "",
    "- just\n- a list\n",
    '{\n\t"a": 1\n}\n',
    "k: 'it''s'\nl: |\n  text\n",
])
def test_edge_cases(text):
    check(text)

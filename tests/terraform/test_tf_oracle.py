"""The tree-sitter reader and python-hcl2 agree on the shape of every corpus file.

For each .tf file: the top-level blocks (type and labels), and inside each, the attribute
names and nested block types, recursively. python-hcl2 is slow on big files, so files over
300 KB are left out (none in the corpus today); files it cannot parse are listed below.
"""
from __future__ import annotations

import json
import os
import time

import pytest

from tfhelpers import corpus_or_skip

MAX_BYTES = 300_000
# Files python-hcl2 (8.x) cannot read, with its reason; tree-sitter reads them.
HCL2_CANNOT_PARSE: dict[str, str] = {}


def _unq(s):
    if isinstance(s, str) and s.startswith('"') and s.endswith('"'):
        try:
            return json.loads(s)
        except ValueError:
            return s[1:-1]
    return s


def _hcl2_body(d):
    attrs = set()
    blocks = []
    for k, v in d.items():
        if k.startswith("__"):
            continue
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v) and any(_is_block(x) for x in v):
            for x in v:
                for labels, body in _hcl2_labels(x, ()):
                    blocks.append((k, labels, _hcl2_body(body)))
        else:
            attrs.add(k)
    return (tuple(sorted(attrs)), tuple(sorted(blocks, key=repr)))


def _is_block(x):
    if x.get("__is_block__"):
        return True
    return any(isinstance(v, dict) and _is_block(v) for v in x.values())


def _hcl2_labels(d, labels):
    if d.get("__is_block__"):
        yield labels, d
        return
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _hcl2_labels(v, labels + (_unq(k),))


def _hcl2_shape(data):
    blocks = []
    for btype, lst in data.items():
        if btype.startswith("__") or not isinstance(lst, list):
            continue
        for x in lst:
            for labels, body in _hcl2_labels(x, ()):
                blocks.append((btype, labels, _hcl2_body(body)))
    return sorted(blocks, key=repr)


def _our_body(b):
    attrs = tuple(sorted(b.attrs))
    blocks = tuple(sorted(((c.type, tuple(c.labels), _our_body(c)) for c in b.blocks), key=repr))
    return (attrs, blocks)


def _our_shape(sf):
    return sorted(((b.type, tuple(b.labels), _our_body(b)) for b in sf.body.blocks), key=repr)


def _corpus_files():
    base = corpus_or_skip()
    out = []
    for d, _, fs in os.walk(base):
        for f in fs:
            if f.endswith(".tf"):
                out.append(os.path.join(d, f))
    return sorted(out)


def _compare(files):
    hcl2 = pytest.importorskip("hcl2")
    from walint.parsers.terraform import syntax

    skipped_big = []
    mismatches = []
    unparsable = []
    compared = 0
    t0 = time.perf_counter()
    for path in files:
        rel = os.path.relpath(path, "/work/shared/corpus")
        data = open(path, "rb").read()
        if len(data) > MAX_BYTES:
            skipped_big.append(rel)
            continue
        try:
            theirs = _hcl2_shape(hcl2.loads(data.decode("utf-8")))
        except Exception as e:  # noqa: BLE001 - the oracle's own failures are listed, not fatal
            unparsable.append((rel, f"{type(e).__name__}"))
            continue
        sf = syntax.parse_file(path, data)
        assert not sf.errors, (rel, sf.errors)
        ours = _our_shape(sf)
        compared += 1
        if ours != theirs:
            mismatches.append(rel)
    elapsed = time.perf_counter() - t0
    print(f"compared {compared} files in {elapsed:.1f}s; over {MAX_BYTES} bytes: {skipped_big}; "
          f"python-hcl2 cannot parse: {unparsable}")
    assert not mismatches, mismatches[:20]
    expected = {r for r in HCL2_CANNOT_PARSE if any(f.endswith(r) for f in files)}
    assert {r for r, _ in unparsable} == expected, unparsable
    return compared


def test_tree_sitter_matches_python_hcl2_sample():
    """A fixed tenth of the corpus plus its biggest files (python-hcl2 needs ~35 ms a file)."""
    files = _corpus_files()
    by_size = sorted(files, key=os.path.getsize, reverse=True)[:10]
    sample = sorted(set(files[::10]) | set(by_size))
    assert _compare(sample) >= len(sample) - len(HCL2_CANNOT_PARSE)


@pytest.mark.slow
def test_tree_sitter_matches_python_hcl2_whole_corpus():
    """Every .tf file of the corpus (about 40 s of CPU): run with -m slow."""
    assert _compare(_corpus_files()) > 1000

"""Helpers shared by the Terraform reader's tests."""
from __future__ import annotations

import os
import sys
import textwrap

import pytest

try:  # the package may not be installed in the venv; the tests run from the source tree too
    import walint  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "src"))

CORPUS = "/work/shared/corpus"
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "terraform")


def corpus_or_skip():
    if not os.path.isdir(CORPUS):
        pytest.skip(f"the shared corpus ({CORPUS}) is not on this machine")
    return CORPUS


def write_module(root, files):
    """files: {relative path: text}; returns root as a string."""
    for rel, text in files.items():
        p = os.path.join(str(root), rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        mode = "wb" if isinstance(text, bytes) else "w"
        with open(p, mode) as fh:
            fh.write(text if isinstance(text, bytes) else textwrap.dedent(text))
    return str(root)


def by_address(result):
    return {r.address: r for r in result.resources}


def dump_node(x):
    """A syntax node (and everything under it, positions included) as nested tuples."""
    from walint.parsers.terraform import syntax

    if isinstance(x, syntax.Node):
        out = [type(x).__name__]
        for cls in type(x).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                out.append((slot, dump_node(getattr(x, slot, None))))
        return tuple(out)
    if isinstance(x, (list, tuple)):
        return tuple(dump_node(i) for i in x)
    return x

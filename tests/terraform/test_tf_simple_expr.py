"""The converter reads one-token expressions from their text (syntax._SIMPLE_EXPR); the
result must be the node, with the positions, that walking tree-sitter's tree gives."""
from __future__ import annotations

import re

import pytest

from tfhelpers import dump_node

from walint.parsers.terraform import syntax

SOURCE = '''
locals {
  s     = "plain"
  u     = "zoë ✓"
  e     = ""
  i     = 42
  z     = 0755
  t     = true
  f     = false
  n     = null
  v     = var.name
  d     = aws_security_group.db-main.id
  l     = local.a.b.c
  neg   = -1
  fl    = 1.5
  esc   = "a\\"b"
  tpl   = "${var.x}-y"
  pct   = "100%"
  dir   = "%{if true}x%{endif}"
  idx   = aws_instance.web.0.id
  sp    = aws_instance.web[*].id
  list  = ["10.0.0.0/16", var.cidr, 3]
  obj   = { a = "x", b = true }
  paren = (var.x)
  cmt   = var.x # trailing
  multi = [
    "a",
    "b",
  ]
}
'''


def _read(data: bytes):
    sf = syntax.parse_file("main.tf", data)
    (locals_block,) = sf.body.blocks
    return {name: dump_node(a.expr) for name, a in locals_block.attrs.items()}


def test_text_path_equals_tree_path(monkeypatch):
    data = SOURCE.encode("utf-8")
    quick = _read(data)
    monkeypatch.setattr(syntax, "_SIMPLE_EXPR", re.compile(rb"(?!)"))   # never matches
    walked = _read(data)
    assert quick == walked
    assert len(quick) == 24


@pytest.mark.parametrize("name,value", [("s", "plain"), ("u", "zoë ✓"), ("e", ""), ("i", 42),
                                        ("z", 755), ("t", True), ("f", False), ("n", None)])
def test_literals(name, value):
    node = _read(SOURCE.encode("utf-8"))[name]
    assert node[0] == "Lit" and dict(node[1:])["value"] == value


def test_reference_positions():
    d = dict(_read(SOURCE.encode("utf-8"))["d"][1:])
    # aws_security_group.db-main.id on line 12, starting at column 11
    assert (d["name"], d["line"], d["col"]) == ("id", 12, 37)
    inner = dict(d["obj"][1:])
    assert (inner["name"], inner["col"]) == ("db-main", 29)

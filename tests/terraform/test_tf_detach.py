"""A file whose tree-sitter tree was let go (SourceFile.detach, to bound memory) reads
exactly as one that kept it: the blocks converted later are found in a new parse of
their top-level block, with the file's lines and columns."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from tfhelpers import dump_node

from walint.parsers.terraform import syntax

ROOT = Path(__file__).resolve().parents[2]

SOURCE = '''
variable "name" {
  type        = string
  description = <<-EOT
    A heredoc ${var.x} with "quotes"
  EOT
  default     = "zoë"
}

  resource "aws_security_group" "indented" {
    name = "x-${var.name}"
    dynamic "ingress" {
      for_each = var.ports
      content {
        from_port = ingress.value
        to_port   = ingress.value + 1
      }
    }
  }

locals { a = { for k, v in var.m : k => v if v != null }, b = [1, 2, 3][0] }

output "o" { value = try(local.a["k"], null) }
'''


def _walk(block, out):
    for name, attr in block.attrs.items():
        out.append((name, attr.line, attr.col, dump_node(attr.expr)))
    for b in block.blocks:
        out.append(("block", b.type, tuple(b.labels), b.line, b.col, b.end_line))
        _walk(b, out)
    return out


def _touch_some(block, rnd):
    for attr in block.attrs.values():
        if rnd.random() < 0.3:
            attr.expr
    for b in block.blocks:
        if rnd.random() < 0.5:
            _touch_some(b, rnd)


def _read(path, data, seed=None):
    sf = syntax.parse_file(path, data)
    if seed is not None:
        _touch_some(sf.body, random.Random(seed))
        sf.detach()
        if seed % 2:                # a second round: detach again after more reads
            _touch_some(sf.body, random.Random(seed + 100))
            sf.detach()
    return _walk(sf.body, [])


def _sources():
    yield "inline.tf", SOURCE.encode("utf-8")
    for path in sorted((ROOT / "fixtures").rglob("*.tf"))[:400]:
        yield str(path.relative_to(ROOT)), path.read_bytes()


@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_detached_files_read_the_same(seed):
    for name, data in _sources():
        whole = _read(name, data)
        if seed is not None:
            assert _read(name, data, seed) == whole, name


def test_detach_lets_the_tree_go():
    sf = syntax.parse_file("inline.tf", SOURCE.encode("utf-8"))
    sf.detach()
    assert sf._tree is None and sf._conv.root is None
    assert all(type(getattr(o, "_node", None) or o._pending[1]) is syntax._Span
               for o in sf._conv.pending)
    _walk(sf.body, [])                          # converts everything, re-reading blocks
    assert sf._conv.rereads                     # ... block by block, not the whole file
    assert sf._conv.root is None


def test_scan_output_does_not_depend_on_the_budget(monkeypatch):
    from testenv import scan

    from walint.reporters import render

    target = ROOT / "fixtures" / "examples" / "foundation" / "terraform"
    kept = render(scan([target]), "json")
    syntax._KEPT.clear()
    monkeypatch.setattr(syntax, "TREE_BUDGET", 0)
    let_go = render(scan([target]), "json")
    assert kept == let_go

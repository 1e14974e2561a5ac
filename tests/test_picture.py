"""`walint graph --format dot|mermaid`: the architecture picture (reporters/picture.py)."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from testenv import FIXTURES, scan
from walint.reporters import picture

FOUNDATION = FIXTURES / "examples" / "foundation" / "terraform"
ONE_NAT = FIXTURES / "WAL-NAT-001" / "fail" / "one-nat-two-azs.yaml"


def _report(path):
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return scan([path])


def test_dot_renders_with_graphviz(tmp_path):
    text = picture.render(_report(FOUNDATION), "dot")
    assert text.startswith("digraph walint {") and text.rstrip().endswith("}")
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz `dot` is not installed (apt-get install graphviz)")
    src = tmp_path / "foundation.dot"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "foundation.png"
    run = subprocess.run([dot, "-Tpng", str(src), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_dot_shows_zones_tiers_nats_routes_workloads():
    text = picture.render(_report(FOUNDATION), "dot")
    assert "VPC aws_vpc.main" in text
    assert "the first AZ of the region (index 0)" in text
    assert "the second AZ of the region (index 1)" in text
    for tier in ("public", "private", "isolated"):
        assert f'label="{tier}"' in text
    assert text.count("shape=hexagon") == 2                 # a NAT gateway per zone
    assert 'label="0.0.0.0/0"' in text                      # default routes
    assert "aws_db_instance.main" in text and "shape=cylinder" in text
    assert "aws_ecs_service.app" in text


def test_security_group_edges_when_the_model_exists():
    pytest.importorskip("walint.model.security_groups")
    text = picture.render(_report(FOUNDATION), "dot")
    assert 'label="tcp/5432"' in text and 'label="tcp/8080"' in text
    assert re.search(r'internet -> n\d+ \[label="tcp/443"', text)


def test_findings_are_marked():
    report = _report(ONE_NAT)
    text = picture.render(report, "dot")
    nat_line = next(line for line in text.splitlines() if "NAT gateway\\nNatGateway" in line)
    assert "WAL-NAT-001" in nat_line and 'color="#d93025"' in nat_line
    # the route of the second zone's private subnet to the first zone's NAT is drawn in red
    assert re.search(r'-> n\d+ \[label="0\.0\.0\.0/0", color="#d93025"', text)


def test_mermaid_shape():
    text = picture.render(_report(ONE_NAT), "mermaid")
    lines = text.splitlines()
    assert lines[0] == "flowchart TB"
    opened = sum(1 for line in lines if line.strip().startswith("subgraph "))
    closed = sum(1 for line in lines if line.strip() == "end")
    assert opened == closed and opened >= 5                 # VPC, 2 zones, their tiers
    assert any(re.match(r'\s+n\d+\{\{"NAT gateway<br/>NatGateway<br/>! WAL-NAT-001"\}\}', line) for line in lines)
    assert any(line.strip().startswith("classDef finding") for line in lines)
    assert re.search(r"\n  class [n\d,]+ finding\n", text)
    assert re.search(r'\n  n\d+ -->\|"0\.0\.0\.0/0"\| n\d+\n', text)
    assert "linkStyle" in text
    for line in lines:                                       # no raw quotes inside labels
        for label in re.findall(r'"([^"]*)"', line):
            assert "\n" not in label


def test_output_is_deterministic():
    for fmt in ("dot", "mermaid"):
        assert picture.render(_report(FOUNDATION), fmt) == picture.render(_report(FOUNDATION), fmt)


def test_without_the_security_group_model(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sg(name, globals=None, locals=None, fromlist=(), level=0):
        if name == "walint.model" and fromlist and "security_groups" in fromlist:
            raise ImportError("security_groups is not there")
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", no_sg)
    text = picture.render(_report(FOUNDATION), "dot")
    assert "tcp/5432" not in text and "aws_db_instance.main" in text


def test_unknown_format():
    with pytest.raises(ValueError):
        picture.render(_report(ONE_NAT), "svg")

"""The evaluator/graph reproducers of issue 14 (../shared/reproducers/precision), run as
they are. Each is also a small fixture in the project (fixtures/WAL-*/unknown, the
tests under tests/terraform and tests/cloudformation), so these only guard that the
original inputs stay fixed where ../shared is present."""
from __future__ import annotations

import shutil

import pytest

from testenv import SHARED, need_shared, scan

PRECISION = SHARED / "reproducers" / "precision"


def _copy(name, tmp_path):
    src = PRECISION / name
    need_shared(src)
    dst = tmp_path / name
    shutil.copytree(src, dst)
    return dst


def _fails(report, rule_id):
    return [r for r in report.results if r.rule.id == rule_id]


@pytest.mark.parametrize("case", ["a", "b", "c"])
def test_nat003_unknown_count(tmp_path, case):
    root = _copy("nat003-unknown-count", tmp_path)
    report = scan([root / case], select=["WAL-NAT-003"], show_unknown=True)
    assert not _fails(report, "WAL-NAT-003")
    for note in report.unknowns:
        assert "not in the scanned files" not in note.message
        assert "aws_instance.nat_instance" in note.message


@pytest.mark.parametrize("case,rule", [("s3", "WAL-ENC-007"), ("dynamodb", "WAL-BAK-005"),
                                       ("cfn-if-novalue", "WAL-BAK-005")])
def test_dynamic_block_and_if_novalue_are_unknown(tmp_path, case, rule):
    root = _copy("BUG-3-dynamic-block-unknown-for_each", tmp_path)
    report = scan([root / case], select=[rule], profile="regulated", show_unknown=True)
    assert not _fails(report, rule)
    assert [u for u in report.unknowns if u.rule.id == rule]


def test_called_module_reported_once(tmp_path):
    root = _copy("noise-tf-module-double-report", tmp_path)
    report = scan([root], select=["WAL-BAK-003"])
    found = _fails(report, "WAL-BAK-003")
    assert len(found) == 1 and "module.db." in found[0].message
    assert report.resources == 1 and report.files == 2


def test_imported_load_balancer_group_is_attached(tmp_path):
    root = _copy("sg002-cross-stack-alb-sg", tmp_path)
    report = scan([root], select=["WAL-SG-002"], show_unknown=True)
    assert not _fails(report, "WAL-SG-002")
    nodes = {r.address: r for r in report.graph.resources()}
    assert nodes["Alb"] in report.graph.referrers(nodes["PublicAlbSecurityGroup"])

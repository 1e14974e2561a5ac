"""Checks whose threshold depends on the profile (RULES.md §2.9): regulated asks for
flow logs of ALL traffic and a year of log retention. Rules read the profile from the
graph (`graph.profile_of(resource)`, else `graph.profile`; absent: production
semantics); these tests set `graph.profile` directly."""
from __future__ import annotations

import textwrap

import pytest

from testenv import scan


def _graph(tmp_path, name, text, profile):
    (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    graph = scan([tmp_path], select=["WAL-LOG-001"]).graph
    if profile:
        graph.profile = profile
    return graph


def _run(rule_id, graph):
    from walint.docs_gen import builtin_rules

    rule = next(r for r in builtin_rules() if r.id == rule_id)
    return [f for f in rule(graph) if f.status == "fail"]


FLOW = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_flow_log" "main" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "REJECT"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::flow-logs-123456789012"
}
"""

RETENTION = """
resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/app"
  retention_in_days = 30
}
"""

NO_TRAIL = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
"""


@pytest.mark.parametrize("profile,fails", [(None, False), ("production", False), ("regulated", True)])
def test_reject_only_flow_log_is_enough_below_regulated(tmp_path, profile, fails):
    assert bool(_run("WAL-LOG-001", _graph(tmp_path, "main.tf", FLOW, profile))) is fails


@pytest.mark.parametrize("profile,fails", [(None, False), ("mvp", False), ("regulated", True)])
def test_thirty_days_retention_is_enough_below_regulated(tmp_path, profile, fails):
    assert bool(_run("WAL-LOG-003", _graph(tmp_path, "main.tf", RETENTION, profile))) is fails


@pytest.mark.parametrize("profile,level", [(None, "note"), ("production", "note"), ("regulated", "warning")])
def test_missing_trail_is_a_note_except_in_regulated(tmp_path, profile, level):
    found = _run("WAL-LOG-002", _graph(tmp_path, "main.tf", NO_TRAIL, profile))
    assert [f.severity for f in found] == [level]

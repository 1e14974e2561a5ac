"""Architecture- and profile-dependent levels of the data, messaging and workflow rules
of the catalogue (issue 15) that the production-profile fixtures cannot show."""
from __future__ import annotations

import pytest

from test_rule_profiles import _scan

OPEN_POLICY = """
resource "aws_opensearch_domain" "search" {
  domain_name    = "search"
  engine_version = "OpenSearch_2.13"
  %s
  access_policies = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "es:*", Resource = "*" }]
  })
}
"""
VPC = 'vpc_options {\n    subnet_ids = ["subnet-0a1b2c3d4e5f60001"]\n  }'


@pytest.mark.parametrize("vpc,level", [("", "error"), (VPC, "note")])
def test_pub004_open_policy_is_a_note_in_a_vpc(tmp_path, monkeypatch, vpc, level):
    got = _scan(tmp_path, monkeypatch, "main.tf", OPEN_POLICY % vpc, "WAL-PUB-004", "production")
    assert [g[0] for g in got] == [level], got


def _machine(kind):
    return f"""
    resource "aws_sfn_state_machine" "orders" {{
      name       = "orders"
      type       = "{kind}"
      role_arn   = "arn:aws:iam::123456789012:role/orders"
      definition = "{{}}"
    }}
    """


@pytest.mark.parametrize("kind,level", [("EXPRESS", "warning"), ("STANDARD", "note")])
def test_log011_standard_workflows_keep_history(tmp_path, monkeypatch, kind, level):
    got = _scan(tmp_path, monkeypatch, "main.tf", _machine(kind), "WAL-LOG-011", "production")
    assert [g[0] for g in got] == [level], got


SINGLE_NODE = """
resource "aws_opensearch_domain" "search" {
  domain_name    = "search"
  engine_version = "OpenSearch_2.13"
}
"""


@pytest.mark.parametrize("profile,rule_id,level", [
    ("development", "WAL-MAZ-010", None), ("mvp", "WAL-MAZ-010", "note"),
    ("production", "WAL-MAZ-010", "error"),
    ("mvp", "WAL-MAZ-011", None), ("production", "WAL-MAZ-011", "warning"),
    ("regulated", "WAL-MAZ-011", "error"),
])
def test_opensearch_redundancy_per_profile(tmp_path, monkeypatch, profile, rule_id, level):
    got = _scan(tmp_path, monkeypatch, "main.tf", SINGLE_NODE, rule_id, profile)
    assert [g[0] for g in got] == ([level] if level else []), got

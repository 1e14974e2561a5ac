"""Undecided presence in CloudFormation (issue 14, RULES.md §0.3/§3.5): a property that is
`!If [Cond, {...}, !Ref AWS::NoValue]` on an undecided condition is a OneOf whose
options are read through `Resource.get` (never "absent"), and its branches carry the
snake_case names rules read."""
from __future__ import annotations

import textwrap

from walint.model import kinds
from walint.model.values import OneOf
from walint.parsers.cloudformation import parse_templates

TEMPLATE = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      Pitr: {Type: String, AllowedValues: ["true", "false"]}
    Conditions:
      UsePitr: !Equals [!Ref Pitr, "true"]
    Resources:
      Maybe:
        Type: AWS::DynamoDB::Table
        Properties:
          PointInTimeRecoverySpecification: !If
            - UsePitr
            - PointInTimeRecoveryEnabled: true
            - !Ref AWS::NoValue
      Either:
        Type: AWS::DynamoDB::Table
        Properties:
          PointInTimeRecoverySpecification: !If
            - UsePitr
            - PointInTimeRecoveryEnabled: true
            - PointInTimeRecoveryEnabled: true
      Guarded:
        Type: AWS::DynamoDB::Table
        Condition: UsePitr
        Properties: {}
    """)


def _resources(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text(TEMPLATE)
    out = {}
    for r in parse_templates([str(p)]).resources:
        kinds.normalize(r)
        out[r.address] = r
    return out


def test_if_novalue_on_undecided_condition_is_not_absent(tmp_path):
    r = _resources(tmp_path)
    maybe = r["Maybe"]
    spec = maybe.get("point_in_time_recovery_specification")
    assert isinstance(spec, OneOf) and {"point_in_time_recovery_enabled": True} in spec.options
    assert maybe.get("point_in_time_recovery_specification.point_in_time_recovery_enabled") == OneOf((True, None))
    # both branches agree: the value is known
    assert r["Either"].get("point_in_time_recovery_specification.point_in_time_recovery_enabled") is True


def test_undecided_resource_condition_is_optional(tmp_path):
    assert _resources(tmp_path)["Guarded"].optional

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


BUCKET_IF_NOVALUE = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      Kms: {Type: String, AllowedValues: ["true", "false"]}
    Conditions:
      UseKms: !Equals [!Ref Kms, "true"]
    Resources:
      Data:
        Type: AWS::S3::Bucket
        Properties:
          BucketEncryption: !If
            - UseKms
            - ServerSideEncryptionConfiguration:
                - ServerSideEncryptionByDefault:
                    SSEAlgorithm: aws:kms
                    KMSMasterKeyID: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
            - !Ref AWS::NoValue
    """)


def test_bucket_encryption_under_undecided_if_is_not_sse_s3(tmp_path):
    """WAL-ENC-007 asks SSE-KMS of buckets in the regulated profile only (so this is not
    a fixture, which runs in production)."""
    from testenv import scan

    (tmp_path / "b.yaml").write_text(BUCKET_IF_NOVALUE)
    report = scan([tmp_path], select=["WAL-ENC-007"], profile="regulated", show_unknown=True)
    assert not [r for r in report.results if r.rule.id == "WAL-ENC-007"]
    assert [u for u in report.unknowns if u.rule.id == "WAL-ENC-007"]

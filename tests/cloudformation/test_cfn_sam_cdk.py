"""Points 6 and 7: SAM (Globals, SimpleTable) and CDK output."""
from __future__ import annotations

import pytest
from cfn_helpers import FORMATS, fixture, line_of, parse

from walint.model.values import Ref


@pytest.mark.parametrize("fmt", FORMATS)
def test_sam(fmt):
    result, res = parse(f"sam/template.{fmt}")
    assert not result.diagnostics
    assert list(res) == ["Handler", "Table", "Api"]
    fn = res["Handler"]
    assert fn.type == "AWS::Serverless::Function"
    assert fn.attrs == {
        "Runtime": "python3.12",
        "Tracing": "Active",
        "Tags": {"team": "data"},
        "Handler": "app.handler",
        "CodeUri": "s3://my-bucket/code.zip",
        "Timeout": 60,                                   # the resource wins over Globals
        "Environment": {"Variables": {"STAGE": "prod", "TABLE": Ref("Table")}},   # maps merge
        "Layers": ["arn:aws:lambda:eu-west-1:123456789012:layer:common:1",          # lists add up
                   "arn:aws:lambda:eu-west-1:123456789012:layer:extra:2"],
        "VpcConfig": {"SecurityGroupIds": ["sg-0aaaaaaaaaaaaaaaa"],
                      "SubnetIds": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]},
        "Policies": [{"DynamoDBCrudPolicy": {"TableName": Ref("Table")}}],
    }
    table = res["Table"]
    assert table.type == "AWS::DynamoDB::Table"
    assert table.meta["sam_type"] == "AWS::Serverless::SimpleTable"
    assert table.attrs == {"SSESpecification": {"SSEEnabled": True}, "BillingMode": "PAY_PER_REQUEST"}
    assert res["Api"].type == "AWS::Serverless::Api"
    assert res["Api"].attrs == {"StageName": "prod", "TracingEnabled": True}


def test_sam_positions_point_at_globals_or_resource():
    rel = "sam/template.yaml"
    _, res = parse(rel)
    fn = res["Handler"]
    assert fn.positions[("Tracing",)] == (line_of(rel, "Tracing: Active"), 5)
    assert fn.positions[("Timeout",)][0] == line_of(rel, "Timeout: 60")
    assert res["Table"].positions[("SSESpecification", "SSEEnabled")][0] == line_of(rel, "SSEEnabled: true")


def test_cdk():
    path = fixture("cdk/cdk.out/AppStack.template.json")
    result, res = parse("cdk/cdk.out/AppStack.template.json")
    assert not result.diagnostics
    assert list(res) == ["DataBucketE3889A50"]            # AWS::CDK::Metadata is skipped
    bucket = res["DataBucketE3889A50"]
    assert bucket.meta["cdk_path"] == "AppStack/DataBucket/Resource"
    assert bucket.meta["deletion_policy"] == "Retain"
    assert bucket.file == path and bucket.scope == path
    assert bucket.attrs["VersioningConfiguration"] == {"Status": "Enabled"}


def test_sam_application_with_a_local_location(tmp_path):
    from walint.parsers.cloudformation import parse_templates

    (tmp_path / "app.yaml").write_text(
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\nOutputs:\n  Url:\n    Value: !Ref Queue\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: [AWS::Serverless-2016-10-31, MyMacro]\nResources:\n"
        "  App:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: app.yaml\n"
        "  Remote:\n    Type: AWS::Serverless::Application\n    Properties:\n"
        "      Location: {ApplicationId: arn:aws:serverlessrepo:us-east-1:1:applications/x, SemanticVersion: 1.0.0}\n"
        "  Param:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n"
        "      Value: !GetAtt App.Outputs.Url\n")
    result = parse_templates([str(tmp_path / "template.yaml")])
    assert [r.address for r in result.resources] == ["App", "App.Queue", "Remote", "Param"]
    assert result.resources[-1].attrs["Value"] == Ref("App.Queue")
    (note,) = result.diagnostics
    assert note.level == "note" and "MyMacro" in note.message and note.line == 1

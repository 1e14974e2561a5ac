"""Profile-dependent levels of the catalogue rules for edge, compute and identity
(issue 15): the fixture runner scans in `production` only."""
from __future__ import annotations

import pytest

from test_rule_profiles import _scan

POOL = """
resource "aws_cognito_user_pool" "users" {
  name = "patients"
}
"""

FUNCTION = """
resource "aws_lambda_function" "handler" {
  function_name = "handler"
  runtime       = "python3.12"
  handler       = "index.handler"
  role          = "arn:aws:iam::123456789012:role/handler"
  filename      = "handler.zip"

  environment {
    variables = {
      TABLE = "orders"
    }
  }
}
"""


@pytest.mark.parametrize("profile,levels", [("mvp", []), ("production", ["note"]), ("regulated", ["error"])])
def test_iam007_threat_protection_per_profile(tmp_path, monkeypatch, profile, levels):
    got = _scan(tmp_path, monkeypatch, "main.tf", POOL, "WAL-IAM-007", profile)
    assert [level for level, _, _ in got] == levels, got


@pytest.mark.parametrize("profile,fires", [("production", False), ("regulated", True)])
def test_enc008_default_key_fails_only_in_regulated(tmp_path, monkeypatch, profile, fires):
    got = _scan(tmp_path, monkeypatch, "main.tf", FUNCTION, "WAL-ENC-008", profile)
    assert bool(got) is fires, got


CDN = """
resource "aws_cloudfront_distribution" "cdn" {
  enabled = true

  origin {
    domain_name = "origin.example.com"
    origin_id   = "site"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id       = "site"
    viewer_protocol_policy = "%s"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    %s
  }
}
"""


@pytest.mark.parametrize("policy,cert,levels", [
    ("allow-all", 'acm_certificate_arn = "arn:aws:acm:us-east-1:1:certificate/x"\n'
                  '    minimum_protocol_version = "TLSv1.2_2021"', ["error"]),
    ("redirect-to-https", 'acm_certificate_arn = "arn:aws:acm:us-east-1:1:certificate/x"', ["warning"]),
    ("https-only", "cloudfront_default_certificate = true", ["note"]),
])
def test_tls006_levels_by_cause(tmp_path, monkeypatch, policy, cert, levels):
    got = _scan(tmp_path, monkeypatch, "main.tf", CDN % (policy, cert), "WAL-TLS-006", "production")
    assert sorted(level for level, _, _ in got) == levels, got


# Wrong shapes (a boolean where a block belongs, a list where a string does) must give a
# finding, an unknown or nothing: never a rule crash (internal error).
WRONG = [True, 7, "x", [], [True], {"Ref": "Missing"}, {"Unexpected": [1, {"a": None}]}]
CFN_PATHS = {
    "AWS::CloudFront::Distribution": [
        ["DistributionConfig"], ["DistributionConfig", "Origins"], ["DistributionConfig", "ViewerCertificate"],
        ["DistributionConfig", "DefaultCacheBehavior"], ["DistributionConfig", "CacheBehaviors"],
        ["DistributionConfig", "Logging"], ["DistributionConfig", "WebACLId"]],
    "AWS::ApiGateway::Stage": [["AccessLogSetting"], ["MethodSettings"], ["RestApiId"]],
    "AWS::ApiGatewayV2::Stage": [["AccessLogSettings"], ["DefaultRouteSettings"]],
    "AWS::ApiGateway::DomainName": [["SecurityPolicy"]],
    "AWS::ApiGatewayV2::DomainName": [["DomainNameConfigurations"]],
    "AWS::ApiGateway::Method": [["AuthorizationType"], ["HttpMethod"], ["RestApiId"]],
    "AWS::ApiGatewayV2::Route": [["RouteKey"], ["AuthorizationType"], ["ApiId"]],
    "AWS::WAFv2::WebACLAssociation": [["ResourceArn"]],
    "AWS::Route53::RecordSet": [["Failover"], ["HealthCheckId"], ["AliasTarget"]],
    "AWS::GlobalAccelerator::Accelerator": [["FlowLogsEnabled"]],
    "AWS::EKS::Cluster": [["ResourcesVpcConfig"], ["EncryptionConfig"], ["Logging"]],
    "AWS::EKS::Nodegroup": [["Subnets"]],
    "AWS::EC2::Instance": [["MetadataOptions"], ["NetworkInterfaces"], ["SubnetId"], ["LaunchTemplate"]],
    "AWS::EC2::LaunchTemplate": [["LaunchTemplateData"], ["LaunchTemplateData", "MetadataOptions"]],
    "AWS::Lambda::Function": [["Environment"], ["KmsKeyArn"], ["VpcConfig"], ["DeadLetterConfig"]],
    "AWS::Serverless::Function": [["Events"], ["DeadLetterQueue"], ["EventInvokeConfig"]],
    "AWS::Lambda::Permission": [["Principal"], ["FunctionName"]],
    "AWS::Cognito::UserPool": [["MfaConfiguration"], ["Policies"], ["UserPoolAddOns"]],
    "AWS::SecretsManager::RotationSchedule": [["SecretId"]],
    "AWS::KMS::Key": [["KeySpec"], ["EnableKeyRotation"], ["Origin"]],
}
CATALOGUE_IDS = ["WAL-TLS-006", "WAL-PUB-002", "WAL-LOG-006", "WAL-LOG-007", "WAL-TLS-007", "WAL-IAM-005",
                 "WAL-SCL-004", "WAL-PUB-003", "WAL-MAZ-006", "WAL-LOG-008", "WAL-SG-007", "WAL-MAZ-007",
                 "WAL-SCL-005", "WAL-ENC-008", "WAL-NET-006", "WAL-ENC-009", "WAL-LOG-009", "WAL-MAZ-008",
                 "WAL-NET-007", "WAL-NET-008", "WAL-IAM-006", "WAL-IAM-007", "WAL-IAM-008", "WAL-IAM-009",
                 "WAL-ENC-010"]


def _template(resource_type, path, value):
    props = {}
    node = props
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value
    resources = {"A": {"Type": resource_type, "Properties": props},
                 "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                        "Properties": {"Subnets": ["subnet-1", "subnet-2"]}},
                 "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": "r", "Runtime": "python3.12",
                                                                       "Handler": "i.h", "Code": {"ZipFile": "x"}}}}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


@pytest.mark.parametrize("resource_type,path", [(t, p) for t, ps in CFN_PATHS.items() for p in ps],
                         ids=lambda v: v if isinstance(v, str) else ".".join(v))
def test_wrong_shapes_never_crash(tmp_path, resource_type, path):
    import json

    from walint.engine.run import ScanOptions, scan

    for i, value in enumerate(WRONG):
        folder = tmp_path / str(i)
        folder.mkdir()
        (folder / "template.json").write_text(json.dumps(_template(resource_type, path, value)))
        report = scan([str(folder)], ScanOptions(select=CATALOGUE_IDS, show_unknown=True, jobs=1))
        assert not report.internal_errors, (value, report.internal_errors)

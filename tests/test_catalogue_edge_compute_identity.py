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

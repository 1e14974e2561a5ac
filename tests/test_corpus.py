"""Every file of ../shared/corpus scans without a crash; the files that are genuinely not
valid CloudFormation or Terraform are named here, so a new parse error fails the test."""
from __future__ import annotations

from testenv import CORPUS, need_shared, scan

# Deliberately broken inputs (cfn-lint's bad fixtures) and real templates with duplicate
# keys, which CloudFormation itself rejects.
EXPECTED_PARSE_ERRORS = {
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/core/config_invalid_json.json",
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/core/config_invalid_yaml.yaml",
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/core/parse_invalid_map.yaml",
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/duplicate.json",
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/duplicate.yaml",
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/json_parse.json",
    "aws-cloudformation__cfn-lint/test/fixtures/templates/bad/template.yaml",
    "aws-samples__startup-kit-templates/vpc-bastion.cfn.yml",
    "aws-samples__startup-kit-templates/vpc-elasticache.cfn.yml",
    "awslabs__aws-cloudformation-templates/aws/services/ServiceCatalog/Portfolio.yaml",
    "awslabs__aws-cloudformation-templates/aws/solutions/CloudFrontCustomOriginLambda@Edge/CloudFront.yaml",
}


def test_whole_corpus_scans_without_crash():
    need_shared(CORPUS)
    report = scan([CORPUS])
    assert not report.internal_errors, report.internal_errors
    parse_errors = {r.location.file for r in report.results if r.rule.id == "WAL-PARSE-001"}
    assert parse_errors == EXPECTED_PARSE_ERRORS, {
        "new": sorted(parse_errors - EXPECTED_PARSE_ERRORS),
        "gone": sorted(EXPECTED_PARSE_ERRORS - parse_errors)}
    assert report.resources > 4000
    for r in report.results:
        assert r.location.line >= 1 and r.location.file and not r.location.file.startswith("/")

"""Every corpus template is read without an exception; parse errors are exactly the known ones."""
from __future__ import annotations

import os
import pathlib
import sys
import time

import pytest

from walint.parsers.cloudformation import looks_like_template, parse_templates

SHARED = pathlib.Path(os.environ.get("WALINT_SHARED", pathlib.Path(__file__).resolve().parents[3] / "shared"))
CORPUS = SHARED / "corpus"

# Files that genuinely are not readable templates (broken YAML/JSON, duplicate keys).
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


def corpus_templates() -> list[str]:
    found = []
    for root, dirs, files in os.walk(CORPUS):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".yaml", ".yml", ".json", ".template")):
                path = os.path.join(root, name)
                with open(path, "rb") as fh:
                    if looks_like_template(path, fh.read()):
                        found.append(path)
    return found


@pytest.fixture(scope="module")
def corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent: the corpus test needs walint's ../shared folder")
    return corpus_templates()


def test_sniff_finds_the_manifests_templates(corpus):
    assert len(corpus) == 441          # MANIFEST.md: 441 CloudFormation templates


def test_corpus_parses(corpus):
    start = time.perf_counter()
    result = parse_templates(corpus)
    elapsed = time.perf_counter() - start
    print(f"\nparsed {len(corpus)} corpus templates in {elapsed:.2f} s: "
          f"{len(result.resources)} resources, {len(result.diagnostics)} diagnostics", file=sys.stderr)
    errors = {os.path.relpath(d.file, CORPUS) for d in result.diagnostics if d.code == "WAL-PARSE-001"}
    assert errors == EXPECTED_PARSE_ERRORS
    assert all(d.level in ("warning", "note") for d in result.diagnostics if d.code != "WAL-PARSE-001")
    assert set(result.files) >= set(corpus)
    for r in result.resources:
        assert r.format == "cloudformation" and r.line >= 1 and isinstance(r.attrs, dict)


def test_each_file_alone(corpus):
    """One file at a time, as pre-commit runs it: nothing raises."""
    for path in corpus:
        parse_templates([path])

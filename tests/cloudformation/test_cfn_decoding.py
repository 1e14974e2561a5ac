"""Point 1: decoding, parse errors as diagnostics, hostile inputs, lazy import."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
from cfn_helpers import fixture, parse

from walint.parsers.cloudformation import looks_like_template, parse_templates

INVALID = {
    "invalid/bad.yaml": 6,       # the unclosed `[`, not where the reader gave up
    "invalid/bad.json": 4,       # the mapping missing a ',' (the message names line 6)
    "invalid/duplicate.yaml": 3,
    "invalid/duplicate.json": 4,
    "invalid/latin1.yaml": 2,
    "invalid/binary.json": 3,
    "invalid/alias_bomb.yaml": 1,
}


@pytest.mark.parametrize("rel,line", sorted(INVALID.items()))
def test_parse_errors_are_diagnostics(rel, line):
    path = fixture(rel)
    with open(path, "rb") as fh:
        assert looks_like_template(path, fh.read())
    result, res = parse(rel, "properties/template.yaml")
    assert [d.file for d in result.diagnostics] == [path]
    (d,) = result.diagnostics
    assert (d.level, d.code) == ("error", "WAL-PARSE-001")
    assert d.line == line
    assert d.message
    assert "WebSecurityGroup" in res                 # the other file goes on
    assert path in result.files


def test_messages():
    result, _ = parse("invalid/duplicate.yaml", "invalid/latin1.yaml", "invalid/binary.json",
                      "invalid/alias_bomb.yaml")
    messages = [d.message for d in result.diagnostics]
    assert "Duplicate found 'Bucket'" in messages[0]
    assert "not UTF-8" in messages[1]
    assert "binary" in messages[2]
    assert "alias" in messages[3]


def _deep_yaml(n):
    return "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: " + "[" * n + "]" * n + "\n"


def _deep_json(n):
    return '{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": ' + '{"a": ' * n + "1" + "}" * n + "}}}}"


@pytest.mark.parametrize("make,name", [(_deep_yaml, "deep.yaml"), (_deep_json, "deep.json")])
@pytest.mark.parametrize("depth", [150, 900, 10_000, 100_000])
def test_deep_nesting_is_bounded(tmp_path, make, name, depth):
    p = tmp_path / name
    p.write_text(make(depth))
    start = time.perf_counter()
    result = parse_templates([str(p)])
    assert time.perf_counter() - start < 5
    assert result.resources == []
    (d,) = result.diagnostics
    assert d.code == "WAL-PARSE-001" and "deep" in d.message


def test_moderate_nesting_is_read(tmp_path):
    p = tmp_path / "ok.yaml"
    p.write_text(_deep_yaml(60))
    result = parse_templates([str(p)])
    assert not result.diagnostics and len(result.resources) == 1


def test_alias_bomb_is_bounded():
    start = time.perf_counter()
    parse("invalid/alias_bomb.yaml")
    assert time.perf_counter() - start < 5


def test_missing_file_and_directory(tmp_path):
    result = parse_templates([str(tmp_path / "absent.yaml"), str(tmp_path)])
    assert [d.code for d in result.diagnostics] == ["WAL-PARSE-001", "WAL-PARSE-001"]


def test_not_a_mapping(tmp_path):
    p = tmp_path / "list.yaml"
    p.write_text("- AWSTemplateFormatVersion\n- Resources\n")
    result = parse_templates([str(p)])
    assert result.diagnostics[0].message == "a template must be a mapping at the top level"


def test_empty_template_and_empty_resources(tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "noresources.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")
    result = parse_templates([str(tmp_path / "empty.yaml"), str(tmp_path / "noresources.yaml")])
    assert result.resources == [] and result.diagnostics == []


def test_sniff():
    yes = [
        b"AWSTemplateFormatVersion: '2010-09-09'\n",
        b"Resources:\n  B:\n    Type: AWS::S3::Bucket\n",
        b'{"Resources": {"B": {"Type": "Custom::Thing"}}}',
        b"Resources:\n  M:\n    Type: My::Org::Vpc::MODULE\n",
        b"Transform: MyMacro\nResources: []\n",
        b"Resources:\n  A:\n    Type: Alexa::ASK::Skill\n",
        b"AWSTemplateFormatVersion: [broken\n",
    ]
    no = [
        b"apiVersion: v1\nkind: ConfigMap\n",
        b'{"name": "pkg", "version": "1.0.0"}',
        b"Resources:\n  limits: {cpu: 1}\n",
        b"",
        b"steps:\n  - Type: Something\n",
    ]
    for head in yes:
        assert looks_like_template("t.yaml", head), head
    for head in no:
        assert not looks_like_template("t.yaml", head), head


def test_cfn_lint_is_imported_lazily(tmp_path):
    """Valid templates, and broken ones whose error walint words as cfn-lint does, are read
    without importing cfn-lint (~0.7 s, ~50 MB); a text only cfn-lint can read needs it."""
    escape = tmp_path / "escape.json"
    escape.write_text('{"Resources": {"A": {"Type": "AWS::S3::Bucket", "X": "a\\qb"}}}\n')
    code = (
        "import sys\n"
        "from walint.parsers.cloudformation import looks_like_template, parse_templates\n"
        "looks_like_template('x.yaml', b'Resources:\\n  A:\\n    Type: AWS::S3::Bucket\\n')\n"
        "r = parse_templates(sys.argv[1:3])\n"
        "assert len(r.resources) > 3 and not r.diagnostics\n"
        "r = parse_templates(sys.argv[3:4])\n"
        "assert r.diagnostics, 'the duplicate is reported'\n"
        "assert not any(m.startswith('cfnlint') for m in sys.modules), 'cfnlint imported'\n"
        "r = parse_templates(sys.argv[4:])\n"
        "assert 'cfnlint' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code, fixture("properties/template.yaml"),
                    fixture("intrinsics/template.json"), fixture("invalid/duplicate.yaml"),
                    str(escape)], check=True)

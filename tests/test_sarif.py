"""SARIF as CONTRACT.md says: valid against the official schema, deterministic."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from testenv import FIXTURES, ROOT, SARIF_SCHEMA, need_shared

FAIL = FIXTURES / "WAL-MAZ-001" / "fail"


def sarif(*paths, cwd=ROOT, extra=()):
    out = subprocess.run([sys.executable, "-m", "walint", "scan", *map(str, paths), "--format", "sarif", *extra],
                         cwd=cwd, capture_output=True, text=True, timeout=300)
    assert out.returncode in (0, 1), out.stderr
    return out.stdout


def test_valid_against_official_schema():
    need_shared(SARIF_SCHEMA)
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text())
    for paths in ([FAIL], [FIXTURES]):
        jsonschema.validate(json.loads(sarif(*paths)), schema)


def test_contract_fields():
    log = json.loads(sarif(FAIL))
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "walint" and driver["version"] and driver["informationUri"]
    rule_ids = [r["id"] for r in driver["rules"]]
    for r in driver["rules"]:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"]
        assert r["help"]["text"] and r["help"]["markdown"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note", "none")
        assert len(r["properties"]["tags"]) == 2
    enc = next(r for r in driver["rules"] if r["id"] == "WAL-ENC-001")
    assert enc["properties"]["security-severity"] == "8.0"
    # no absolute path of the machine: %SRCROOT% is described, not located
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]
    result = run["results"][0]
    assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    loc = result["locations"][0]
    uri = loc["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("fixtures/") and "\\" not in uri and ".." not in uri
    assert loc["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert loc["logicalLocations"][0]["kind"] == "resource"
    assert "walint/v1" in result["partialFingerprints"]
    keys = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleId"],
             r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], r["message"]["text"])
            for r in run["results"]]
    assert keys == sorted(keys)


def test_byte_identical_across_runs_and_hash_seeds():
    env = dict(os.environ)
    outs = set()
    for seed in ("0", "1", "12345"):
        env["PYTHONHASHSEED"] = seed
        out = subprocess.run([sys.executable, "-m", "walint", "scan", str(FIXTURES), "--format", "sarif"],
                             cwd=ROOT, capture_output=True, env=env, timeout=300)
        outs.add(out.stdout)
    assert len(outs) == 1


def test_uri_relative_to_repository_of_scanned_path_outside_cwd(tmp_path):
    """Scanned from a folder outside it, a repository's files keep their repository paths."""
    out = json.loads(sarif(FAIL, cwd=tmp_path))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in out["runs"][0]["results"]}
    assert uris == {"fixtures/WAL-MAZ-001/fail/" + n for n in ("database.yaml", "legacy.json", "main.tf")}


def test_fingerprint_ignores_line_numbers(tmp_path):
    text = (FAIL / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(text)
    before = json.loads(sarif(tmp_path, cwd=tmp_path))["runs"][0]["results"]
    (tmp_path / "main.tf").write_text("# a comment moves every line\n\n" + text)
    after = json.loads(sarif(tmp_path, cwd=tmp_path))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before] != \
           [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after]


def test_parse_error_is_result_and_notification(tmp_path):
    (tmp_path / "bad.tf").write_text("resource \"aws_vpc\" {{{\n")
    log = json.loads(sarif(tmp_path, cwd=tmp_path))
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["WAL-PARSE-001"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("bad.tf" in n["message"]["text"] for n in notes)

"""SARIF as CONTRACT.md says: valid against the official schema, deterministic."""
from __future__ import annotations

import json
import re
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
        assert r["helpUri"] == ("https://github.com/walint/walint/blob/main/docs/rules/"
                                f"{r['id']}.md")
        assert r["properties"]["precision"] in ("very-high", "high", "medium", "low")
        assert r["properties"].get("problem.severity") in ("error", "warning", "recommendation",
                                                           None)
    by_id = {r["id"]: r for r in driver["rules"]}
    # graded by impact, not by level (CONTRACT.md): data unencrypted is high
    assert by_id["WAL-ENC-001"]["properties"]["security-severity"] == "7.0"
    assert "security-severity" not in by_id["WAL-MAZ-001"]["properties"]
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


# GitHub code scanning's documented limits ("SARIF support for code scanning")
GITHUB_LIMITS = {"runs": 20, "results": 25_000, "rules": 25_000, "locations": 1_000,
                 "related": 1_000, "tags": 20}
LINK = re.compile(r"(?<!\\)\[((?:[^\]\\]|\\.)*)\]\((\d+)\)")


def test_what_github_needs():
    """One-line regions, related locations linked from the message, security-severity by
    impact, GitHub's limits; valid against the schema with these fields."""
    log = json.loads(sarif(FIXTURES))
    if SARIF_SCHEMA.exists():
        import jsonschema

        jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    assert len(log["runs"]) <= GITHUB_LIMITS["runs"]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) <= GITHUB_LIMITS["rules"] and len(run["results"]) <= GITHUB_LIMITS["results"]
    linked = 0
    for r in run["results"]:
        assert 1 <= len(r["locations"]) <= GITHUB_LIMITS["locations"]
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == region["endLine"] >= 1
        related = r.get("relatedLocations", [])
        assert len(related) <= GITHUB_LIMITS["related"]
        ids = {loc["id"] for loc in related}
        links = {int(i) for _, i in LINK.findall(r["message"]["text"])}
        assert links == ids, r["message"]["text"]
        linked += bool(links)
    assert linked, "some fixture has related locations"
    by_id = {}
    for rule in rules:
        by_id[rule["id"]] = rule
        props = rule["properties"]
        assert len(props["tags"]) <= GITHUB_LIMITS["tags"]
        if "security" in props["tags"]:
            assert 0.1 <= float(props["security-severity"]) <= 10.0
        else:
            assert "security-severity" not in props
    assert float(by_id["WAL-SG-001"]["properties"]["security-severity"]) >= 9.0
    assert float(by_id["WAL-NET-003"]["properties"]["security-severity"]) >= 9.0
    assert 7.0 <= float(by_id["WAL-ENC-001"]["properties"]["security-severity"]) < 9.0
    assert by_id["WAL-PARSE-001"]["properties"]["precision"] == "very-high"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_results_capped_at_githubs_limit(monkeypatch):
    from walint.engine.report import Location, Report, Result
    from walint.model.rule import Rule, severity
    from walint.reporters import sarif_report

    rule = Rule(id="WAL-TEST-001", name="t", title="t", pillar="security",
                category="public-access", best_practice=(), severity=severity("warning"),
                check=None)
    results = [Result(rule, "error" if i == 7 else "warning", f"m{i}",
                      Location("a.tf", i + 1, i + 1), f"fp{i}") for i in range(10)]
    report = Report(version="0", profile="production", fail_on="error", rules=[rule],
                    results=results, unknowns=[], diagnostics=[], files=1, resources=1)
    monkeypatch.setattr(sarif_report, "MAX_RESULTS", 3)
    run = sarif_report.sarif_dict(report)["runs"][0]
    assert [r["message"]["text"] for r in run["results"]] == ["m0", "m1", "m7"]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "7 results left out" in invocation["toolExecutionNotifications"][-1]["message"]["text"]


def test_rule_precision_and_security_severity_arguments():
    from walint.api import rule

    def make(**kw):
        args = dict(id="ACME-X-001", name="x", title="x", pillar="security",
                    category="public-access")
        args.update(kw)
        return rule(**args)(lambda graph: ())

    assert make().precision == "high" and make().security_severity == 7.5   # the category's
    assert make(category="logging-monitoring").security_severity == 4.0
    explicit = make(security_severity=9.5, precision="medium")
    assert (explicit.security_severity, explicit.precision) == (9.5, "medium")
    assert make(pillar="reliability", category="multi-az").security_severity is None
    for bad in ({"precision": "exact"}, {"security_severity": 0}, {"security_severity": "9"},
                {"security_severity": 5.0, "pillar": "reliability", "category": "multi-az"}):
        with pytest.raises(ValueError):
            make(**bad)

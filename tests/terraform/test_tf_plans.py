"""walint's reading of each fixture agrees with Terraform's own plan (plan.json, committed).

The plans come from fixtures/terraform/make_plans.sh (Terraform 1.11, AWS provider
5.100.0); these tests only read them, so they run without Terraform.
"""
from __future__ import annotations

import json
import os

import pytest

from tfhelpers import FIXTURES
from walint.model.values import AzIndex, AzList, OneOf, Ref, Unknown

CASES = sorted(d for d in os.listdir(FIXTURES) if os.path.isfile(os.path.join(FIXTURES, d, "plan.json")))


def _known(v):
    if isinstance(v, (Unknown, OneOf, Ref, AzIndex, AzList)):
        return False
    if isinstance(v, list):
        return all(_known(x) for x in v)
    if isinstance(v, dict):
        return all(_known(x) for x in v.values())
    return True


def _plan_values(mod, out):
    for r in mod.get("resources", []):
        if r["mode"] == "managed":
            out[r["address"]] = r["values"]
    for c in mod.get("child_modules", []):
        _plan_values(c, out)
    return out


def _inputs(case_dir):
    var_files, variables = [], []
    p = os.path.join(case_dir, "plan_args")
    if os.path.exists(p):
        for line in open(p).read().splitlines():
            if line.startswith("-var-file="):
                var_files.append(os.path.join(case_dir, line[len("-var-file="):]))
            elif line.startswith("-var="):
                k, v = line[len("-var="):].split("=", 1)
                variables.append((k, v))
    return var_files, variables


def _subset(mine, theirs):
    """Every value walint knows is in the plan (blocks may carry provider defaults; sets may reorder)."""
    if isinstance(mine, dict):
        return isinstance(theirs, dict) and all(_subset(v, theirs.get(k)) for k, v in mine.items())
    if isinstance(mine, list):
        if not isinstance(theirs, list) or len(mine) != len(theirs):
            return False
        if all(_subset(a, b) for a, b in zip(mine, theirs)):
            return True
        free = list(range(len(theirs)))
        for a in mine:
            hit = next((i for i in free if _subset(a, theirs[i])), None)
            if hit is None:
                return False
            free.remove(hit)
        return True
    return mine == theirs and type(mine) is type(theirs) or (
        isinstance(mine, (int, float)) and not isinstance(mine, bool) and mine == theirs)


@pytest.fixture(scope="module", params=CASES)
def case(request):
    from walint.parsers.terraform import parse_modules
    d = os.path.join(FIXTURES, request.param)
    plan = json.load(open(os.path.join(d, "plan.json")))
    var_files, variables = _inputs(d)
    result = parse_modules([d], var_files=var_files, variables=variables)
    return request.param, result, _plan_values(plan["planned_values"]["root_module"], {})


def test_fixtures_exist():
    assert {"count_foreach", "functions", "tfvars", "modules", "dynamic", "json_mixed", "conditionals"} <= set(CASES)


def test_same_addresses_as_terraform(case):
    name, result, plan = case
    assert not [d for d in result.diagnostics if d.level == "error"], result.diagnostics
    assert sorted(r.address for r in result.resources) == sorted(plan)


def test_scalar_values_equal_planned_values(case):
    name, result, plan = case
    compared = 0
    for r in result.resources:
        for k, v in r.attrs.items():
            if isinstance(v, (dict, list)) or not _known(v):
                continue
            compared += 1
            assert k in plan[r.address], (r.address, k)
            assert v == plan[r.address][k] and type(v) is type(plan[r.address][k]), (r.address, k, v, plan[r.address][k])
    assert compared > 0


def test_structured_values_agree_with_plan(case):
    name, result, plan = case
    for r in result.resources:
        for k, v in r.attrs.items():
            if isinstance(v, (dict, list)) and _known(v):
                assert _subset(v, plan[r.address].get(k)), (r.address, k, v, plan[r.address].get(k))


def test_plan_reader_on_fixture_plans(case):
    from walint.parsers.terraform import looks_like_plan, parse_plan
    name, result, plan = case
    path = os.path.join(FIXTURES, name, "plan.json")
    assert looks_like_plan(json.load(open(path)))
    pr = parse_plan(path)
    assert not pr.diagnostics
    assert sorted(r.address for r in pr.resources) == sorted(plan)
    ours = {r.address: r for r in result.resources}
    for r in pr.resources:
        # the .tf files sit beside the plan: lines point at the resource blocks
        assert r.file == ours[r.address].file and r.line == ours[r.address].line, r.address
        assert r.call_sites == ours[r.address].call_sites
        for k, v in r.attrs.items():
            if _known(v):
                assert v == plan[r.address][k], (r.address, k)


def test_looks_like_plan_negative_and_bad_plans(tmp_path):
    from walint.parsers.terraform import looks_like_plan, parse_plan
    assert not looks_like_plan({"AWSTemplateFormatVersion": "2010-09-09"})
    assert not looks_like_plan([])
    assert not looks_like_plan({"format_version": "1.0"})
    assert looks_like_plan({"format_version": "1.2", "terraform_version": "1.11.4", "configuration": {}})
    bad = tmp_path / "plan.json"
    bad.write_text('{"format_version": "1.2", "planned_values": {"root_module": {"resources": [')
    r = parse_plan(str(bad))
    assert r.resources == [] and r.diagnostics and r.diagnostics[0].file == str(bad)
    odd = tmp_path / "odd.json"
    odd.write_text('{"format_version": "1.2", "planned_values": {"root_module": {"resources": [1, {"mode": "managed"}],'
                   ' "child_modules": "x"}}, "resource_changes": [null]}')
    r = parse_plan(str(odd))
    assert not [d for d in r.diagnostics if "internal error" in d.message]


def test_plan_without_sources_points_into_plan(tmp_path):
    import shutil
    from walint.parsers.terraform import parse_plan
    p = tmp_path / "plan.json"
    shutil.copy(os.path.join(FIXTURES, "count_foreach", "plan.json"), p)
    r = parse_plan(str(p))
    text = p.read_text().splitlines()
    for res in r.resources:
        assert res.file == str(p)
        assert json.dumps(res.address) in text[res.line - 1]

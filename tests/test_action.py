"""The GitHub Action: action.yml's shape, scripts/action.sh run locally with fake GitHub
files, and the README's copy-paste blocks (workflow and pre-commit configuration)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
import yaml

from testenv import ROOT

ACTION = ROOT / "action.yml"
SCRIPT = ROOT / "scripts" / "action.sh"
README = ROOT / "README.md"
WALINT = shutil.which("walint", path=os.path.dirname(sys.executable)) or shutil.which("walint")

BAD = textwrap.dedent("""
    resource "aws_db_instance" "main" {
      engine            = "postgres"
      instance_class    = "db.t3.micro"
      multi_az          = false
      storage_encrypted = true
    }
""").lstrip()
CLEAN = BAD.replace("multi_az          = false", "multi_az          = true")

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def action():
    return yaml.safe_load(ACTION.read_text())


# -- action.yml -------------------------------------------------------------------------------

def test_action_is_composite_with_the_inputs():
    a = action()
    assert a["runs"]["using"] == "composite"
    assert {"paths", "profile", "fail-on", "args", "upload-sarif"} <= set(a["inputs"])
    assert all("description" in spec for spec in a["inputs"].values())
    assert a["inputs"]["upload-sarif"]["default"] == "true"


def test_action_steps():
    steps = action()["runs"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert all("${{ github.action_path }}/scripts/action.sh" in r for r in runs)
    assert [re.search(r'action\.sh" (\w+)', r).group(1) for r in runs] == ["install", "scan", "finish"]
    assert runs[0].endswith('install "${{ github.action_path }}"')
    assert "pip install" not in ACTION.read_text()      # the install is the script's
    assert all(s.get("shell") == "bash" for s in steps if "run" in s)
    [upload] = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    scan = next(s for s in steps if s.get("id") == "scan")
    for name in ("paths", "profile", "fail-on", "args"):
        env = "INPUT_" + name.upper().replace("-", "_")
        assert scan["env"][env] == "${{ inputs.%s }}" % name
    assert steps[-1]["env"]["WALINT_EXIT_CODE"] == "${{ steps.scan.outputs.exit-code }}"
    # every ${{ inputs.X }} the action uses is declared
    used = set(re.findall(r"inputs\.([a-z-]+)", ACTION.read_text()))
    assert used <= set(action()["inputs"])


# -- scripts/action.sh ------------------------------------------------------------------------

@pytest.fixture
def gh(tmp_path):
    """Run a step of scripts/action.sh in a fake runner; returns (process, files)."""
    if WALINT is None:
        pytest.skip("the walint command is not installed")
    work = tmp_path / "repo"
    work.mkdir()
    (work / ".walint.yml").write_text("select: [WAL-MAZ-001, WAL-ENC-001, WAL-PARSE-001]\n")
    files = {"output": tmp_path / "github_output", "summary": tmp_path / "step_summary"}

    def step(name, **inputs):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
        env.update(WALINT=WALINT, GITHUB_OUTPUT=str(files["output"]), RUNNER_TEMP=str(tmp_path),
                   GITHUB_STEP_SUMMARY=str(files["summary"]), NO_COLOR="1")
        env.update({k: str(v) for k, v in inputs.items()})
        return subprocess.run(["bash", str(SCRIPT), name], cwd=work, env=env,
                              capture_output=True, text=True, timeout=300)
    step.work, step.files = work, files
    return step


def outputs(path):
    return dict(line.split("=", 1) for line in path.read_text().splitlines()) if path.exists() else {}


def test_scan_with_findings(gh):
    (gh.work / "db").mkdir()
    (gh.work / "db" / "main.tf").write_text(BAD)
    proc = gh("scan", INPUT_PATHS="db", INPUT_SARIF_FILE="out/walint.sarif")
    assert proc.returncode == 0, proc.stderr             # the step itself never fails ...
    out = outputs(gh.files["output"])
    assert out == {"exit-code": "1", "sarif-file": "out/walint.sarif"}   # ... it records walint's status
    sarif = json.loads((gh.work / "out" / "walint.sarif").read_text())
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "WAL-MAZ-001"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "db/main.tf"
    annotations = [x for x in proc.stdout.splitlines() if x.startswith("::")]
    assert annotations == [annotations[0]] and annotations[0].startswith(
        "::error file=db/main.tf,line=4,endLine=4,title=WAL-MAZ-001 rds-multi-az::")
    summary = gh.files["summary"].read_text()
    assert "### Pillar scorecard" in summary and "`WAL-MAZ-001`" in summary

    finish = gh("finish", WALINT_EXIT_CODE=out["exit-code"])
    assert finish.returncode == 1


def test_scan_clean_with_profile_fail_on_and_args(gh):
    (gh.work / "a b").mkdir()
    (gh.work / "a b" / "main.tf").write_text(BAD)
    (gh.work / "c").mkdir()
    (gh.work / "c" / "main.tf").write_text(CLEAN)
    # newline-separated paths keep spaces; args are split like a shell, never expanded
    proc = gh("scan", INPUT_PATHS="a b\nc\n", INPUT_PROFILE="mvp", INPUT_FAIL_ON="error",
              INPUT_ARGS="--select 'WAL-MAZ-001' --var x=$HOME")
    assert proc.returncode == 0, proc.stderr
    assert outputs(gh.files["output"])["exit-code"] == "0"        # a warning in mvp
    assert "::warning file=a b/main.tf" in proc.stdout
    assert "Profile `mvp`" in gh.files["summary"].read_text()
    assert gh("finish", WALINT_EXIT_CODE="0").returncode == 0

    proc = gh("scan", INPUT_PATHS="a b\nc", INPUT_PROFILE="mvp", INPUT_FAIL_ON="warning")
    assert outputs(gh.files["output"])["exit-code"] == "1"


def test_usage_error_is_reported_and_fails(gh):
    proc = gh("scan", INPUT_PATHS="nope")
    assert proc.returncode == 0
    out = outputs(gh.files["output"])
    assert out == {"exit-code": "2"}                           # no SARIF to upload
    assert "nope: no such file or directory" in proc.stderr
    assert "::error title=walint::" in proc.stdout
    assert gh("finish", WALINT_EXIT_CODE="2").returncode == 2
    assert gh("finish").returncode == 2                         # the scan step never ran


def test_args_that_cannot_be_split(gh):
    proc = gh("scan", INPUT_ARGS="--select 'unclosed")
    assert proc.returncode == 0
    assert outputs(gh.files["output"]) == {"exit-code": "2"}
    assert "::error title=walint::" in proc.stdout


@pytest.mark.slow
def test_install_then_scan_with_the_installed_walint(gh, tmp_path):
    """The install step (pip install of this checkout into a venv under RUNNER_TEMP), then
    a scan that finds that walint by itself."""
    proc = gh("install", WALINT="")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^walint \d", proc.stdout, re.M)
    (gh.work / "main.tf").write_text(BAD)
    env_less = gh("scan", WALINT="", INPUT_PATHS=".")
    assert env_less.returncode == 0, env_less.stderr
    assert outputs(gh.files["output"])["exit-code"] == "1"
    assert "::error file=main.tf,line=4" in env_less.stdout


# -- the README's copy-paste blocks -----------------------------------------------------------

def yaml_blocks():
    text = README.read_text()
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_readme_workflow_uses_the_action_as_it_is():
    [workflow] = [b for b in yaml_blocks() if isinstance(b, dict) and "jobs" in b]
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    [walint] = [s for s in steps if re.match(r"^walint/walint@", str(s.get("uses", "")))]
    inputs = action()["inputs"]
    assert set(walint.get("with", {})) <= set(inputs)
    assert walint["with"]["profile"] in ("development", "mvp", "production", "regulated")
    assert walint["with"]["fail-on"] in ("error", "warning", "note", "never")
    assert True in workflow or "on" in workflow              # YAML 1.1 reads `on:` as True


def test_readme_pre_commit_block_names_the_hook():
    [config] = [b for b in yaml_blocks() if isinstance(b, dict) and "repos" in b]
    [repo] = config["repos"]
    assert repo["repo"].startswith("https://github.com/")
    assert repo["rev"]
    hook_ids = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {h["id"] for h in repo["hooks"]} <= hook_ids
    clientlib = pytest.importorskip("pre_commit.clientlib")
    cfgv = pytest.importorskip("cfgv")
    cfgv.validate(config, clientlib.CONFIG_SCHEMA)          # pre-commit's own schema


def test_readme_configuration_example_is_valid(tmp_path, monkeypatch, capsys):
    from walint.cli.main import main

    [conf] = [b for b in yaml_blocks() if isinstance(b, dict) and "per-path-ignores" in b]
    (tmp_path / ".walint.yml").write_text(yaml.safe_dump(conf))
    for name in conf["terraform"]["var-files"] + conf["cloudformation"]["parameters"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("[]\n" if name.endswith(".json") else "\n")
    (tmp_path / "environments" / "dev").mkdir(parents=True, exist_ok=True)
    (tmp_path / "environments" / "dev" / "main.tf").write_text("")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["scan", "environments"])
    assert exc.value.code == 0, capsys.readouterr().err

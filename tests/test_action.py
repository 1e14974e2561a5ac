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
    assert {"paths", "working-directory", "profile", "fail-on", "args", "upload-sarif",
            "category"} <= set(a["inputs"])
    assert all("description" in spec for spec in a["inputs"].values())
    assert a["inputs"]["upload-sarif"]["default"] == "true"
    assert "python-version" not in a["inputs"]


def test_action_steps():
    steps = action()["runs"]["steps"]
    text = ACTION.read_text()
    runs = [s["run"] for s in steps if "run" in s]
    assert all("${{ github.action_path }}/scripts/action.sh" in r for r in runs)
    assert [re.search(r'action\.sh" (\w+)', r).group(1) for r in runs] == [
        "prepare", "install", "scan", "finish"]
    assert runs[1].endswith('install "${{ github.action_path }}"')
    assert "pip install" not in text      # the install is the script's
    assert all(s.get("shell") == "bash" for s in steps if "run" in s)
    # the job's Python is left alone: no setup-python, walint has its own environment
    assert "setup-python" not in text
    # third-party actions pinned by commit, the release in a comment
    uses = re.findall(r"uses: (\S+)@(\S+)(.*)", text)
    assert {u[0] for u in uses} == {"actions/cache", "github/codeql-action/upload-sarif"}
    for name, ref, comment in uses:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), name
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), name
    [upload] = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    assert re.search(r"upload-sarif@[0-9a-f]{40} # v4\.", text)
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    assert upload["with"]["category"] == "${{ steps.prepare.outputs.category }}"
    [cache] = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache@")]
    assert cache["with"] == {"path": "${{ steps.prepare.outputs.venv }}",
                             "key": "${{ steps.prepare.outputs.cache-key }}"}
    scan = next(s for s in steps if s.get("id") == "scan")
    assert scan["working-directory"] == "${{ inputs.working-directory }}"
    for name in ("paths", "profile", "fail-on", "args", "upload-sarif"):
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

    # a walint that records each time it runs: the action scans once
    files["calls"] = tmp_path / "calls"
    logged = tmp_path / "walint-logged"
    logged.write_text(f'#!/usr/bin/env bash\nprintf "%s\\n" "$*" >> "{files["calls"]}"\n'
                      f'exec "{WALINT}" "$@"\n')
    logged.chmod(0o755)

    def step(name, **inputs):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "RUNNER_"))}
        env.update(WALINT=str(logged), GITHUB_OUTPUT=str(files["output"]), RUNNER_TEMP=str(tmp_path),
                   GITHUB_STEP_SUMMARY=str(files["summary"]), GITHUB_WORKSPACE=str(work),
                   GITHUB_JOB="lint", NO_COLOR="1")
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
    assert out == {"exit-code": "1",                      # ... it records walint's status
                   "sarif-file": str(gh.work / "out" / "walint.sarif")}
    assert len(gh.files["calls"].read_text().splitlines()) == 1        # one scan, three reports
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


MANY = textwrap.dedent("""
    resource "aws_db_instance" "db" {
      count          = 14
      engine         = "postgres"
      instance_class = "db.t3.micro"
      multi_az       = false
    }
    resource "aws_ebs_volume" "v" {
      count             = 3
      availability_zone = "eu-west-1a"
      size              = 10
      encrypted         = false
    }
""").lstrip()


def test_annotations_capped_at_ten_per_level(gh):
    (gh.work / "main.tf").write_text(MANY)
    proc = gh("scan", INPUT_UPLOAD_SARIF="false")
    assert outputs(gh.files["output"])["exit-code"] == "1"
    lines = proc.stdout.splitlines()
    errors = [x for x in lines if x.startswith("::error ")]
    notices = [x for x in lines if x.startswith("::notice ")]
    assert len(errors) == 10
    sarif = json.loads((gh.work / "walint.sarif").read_text())
    total = sum(1 for r in sarif["runs"][0]["results"] if r["level"] == "error")
    assert total > 10
    assert notices == [f"::notice title=walint::{total - 10} more findings are not annotated "
                       f"(GitHub shows 10 per level): see the job summary or the SARIF report"]
    assert len(gh.files["calls"].read_text().splitlines()) == 1


def test_no_annotations_when_sarif_is_uploaded(gh):
    """Code scanning annotates the pull request from the SARIF: annotating again doubles them."""
    (gh.work / "main.tf").write_text(BAD)
    proc = gh("scan", INPUT_UPLOAD_SARIF="true")
    assert outputs(gh.files["output"])["exit-code"] == "1"
    assert not [x for x in proc.stdout.splitlines() if x.startswith("::")]
    assert "`WAL-MAZ-001`" in gh.files["summary"].read_text()
    assert (gh.work / "walint.sarif").is_file()


def test_summary_stays_under_one_mebibyte(gh, tmp_path):
    """A huge report is cut at a line boundary with a note, under GitHub's 1 MiB limit."""
    fake = tmp_path / "fake-walint"
    fake.write_text(textwrap.dedent("""\
        #!/usr/bin/env bash
        while [ $# -gt 0 ]; do
          case "$1" in
            -o) case "$2" in
                  markdown=*) for i in $(seq 1 30000); do echo "| finding $i | a line of the report |"; done > "${2#markdown=}" ;;
                  sarif=*) echo '{}' > "${2#sarif=}" ;;
                esac; shift ;;
          esac; shift
        done
        exit 1
        """))
    fake.chmod(0o755)
    proc = gh("scan", WALINT=str(fake))
    assert proc.returncode == 0, proc.stderr
    summary = gh.files["summary"].read_bytes()
    assert 900_000 < len(summary) < 1 << 20
    assert summary.rstrip().endswith(b"have all of it._")
    assert b"| finding 1 |" in summary and b"| finding 30000 |" not in summary


def test_prepare_outputs_and_category(gh, tmp_path):
    proc = gh("prepare", RUNNER_TOOL_CACHE=str(tmp_path / "tools"), INPUT_PATHS="infra")
    assert proc.returncode == 0, proc.stderr
    out = outputs(gh.files["output"])
    assert set(out) == {"venv", "cache-key", "category"}
    assert out["venv"].startswith(str(tmp_path / "tools" / "walint") + "/")
    assert re.fullmatch(r"walint-\S+-\S+-\d[\w.]*-py[0-9a-f]{12}-[0-9a-f]{16}", out["cache-key"])
    assert out["venv"].endswith(out["cache-key"].split("-", 3)[3])
    assert re.fullmatch(r"walint-lint-[0-9a-f]{8}", out["category"])
    gh.files["output"].unlink()
    gh("prepare", INPUT_PATHS="other")
    assert outputs(gh.files["output"])["category"] != out["category"]   # two steps, two categories
    gh.files["output"].unlink()
    gh("prepare", INPUT_PATHS="infra", INPUT_CATEGORY="my-walint")
    assert outputs(gh.files["output"])["category"] == "my-walint"


@pytest.mark.slow
def test_install_then_scan_with_the_installed_walint(gh, tmp_path):
    """The install step (pip install of this checkout into a venv under RUNNER_TEMP), then
    a scan that finds that walint by itself."""
    proc = gh("install", WALINT="")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^walint \d", proc.stdout, re.M)
    again = gh("install", WALINT="")                     # a restored cache is used as it is
    assert "using the cached environment" in again.stdout
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

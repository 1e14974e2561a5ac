"""The pre-commit hook (`.pre-commit-hooks.yaml`).

The quick tests check the manifest with pre-commit's own schema and run the hook's entry
the way pre-commit does (the entry plus the staged file names). The slow test runs the real
`pre-commit try-repo` against a temporary git repository: it installs walint from a
snapshot of this working tree (committed in a temporary repository, never in this one),
which takes a minute or two because pip installs walint's dependencies.
"""
from __future__ import annotations

import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import textwrap

import pytest
import yaml

from testenv import ROOT

MANIFEST = ROOT / ".pre-commit-hooks.yaml"

CLEAN = textwrap.dedent("""
    resource "aws_db_instance" "main" {
      engine            = "postgres"
      instance_class    = "db.t3.micro"
      multi_az          = true
      storage_encrypted = true
    }
""").lstrip()
BAD = CLEAN.replace("multi_az          = true", "multi_az          = false").replace('"main"', '"bad"')
CONFIG = "select: [WAL-MAZ-001, WAL-ENC-001, WAL-PARSE-001]\n"


def hook():
    [entry] = [h for h in yaml.safe_load(MANIFEST.read_text()) if h["id"] == "walint"]
    return entry


def test_manifest_is_valid_for_pre_commit():
    clientlib = pytest.importorskip("pre_commit.clientlib")
    hooks = clientlib.load_manifest(str(MANIFEST))
    [h] = [h for h in hooks if h["id"] == "walint"]
    assert h["language"] == "python"
    assert h["pass_filenames"] is True


@pytest.mark.parametrize("name,matched", [
    ("main.tf", True), ("infra/vars.tf.json", True), ("stack.yaml", True), ("stack.yml", True),
    ("template.json", True), ("app.template", True), ("infra/terraform.tfvars", False),
    ("README.md", False), ("main.tf.bak", False), ("src/app.py", False), ("plan.tfplan", False),
])
def test_files_pattern(name, matched):
    assert bool(re.search(hook()["files"], name)) is matched


def _run_entry(files, cwd):
    """What pre-commit does: the entry with the file names appended."""
    from walint.cli.main import main

    argv = shlex.split(hook()["entry"])
    assert argv[0] == "walint"
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with pytest.raises(SystemExit) as exc:
            main(argv[1:] + list(files))
    finally:
        os.chdir(old)
    return exc.value.code


def test_entry_on_staged_files(tmp_path, capsys):
    (tmp_path / ".walint.yml").write_text(CONFIG + "exclude: [vendor]\n")
    (tmp_path / "clean.tf").write_text(CLEAN)
    (tmp_path / "package.json").write_text('{"name": "not a template"}')
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    assert _run_entry(["clean.tf", "package.json", ".pre-commit-config.yaml"], tmp_path) == 0
    out = capsys.readouterr().out
    assert "0 findings" in out

    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "main.tf").write_text(BAD)
    (tmp_path / "bad" / "other.tf").write_text(BAD.replace('"bad"', '"other"'))
    assert _run_entry(["bad/main.tf"], tmp_path) == 1
    out = capsys.readouterr().out
    assert "bad/main.tf:4 WAL-MAZ-001" in out and "other.tf" not in out   # only named files

    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "main.tf").write_text(BAD)
    assert _run_entry(["vendor/main.tf"], tmp_path) == 0                   # exclude applies

    # a commit that stages no IaC file at all passes (the hook has --allow-empty)
    assert _run_entry(["package.json", ".pre-commit-config.yaml"], tmp_path) == 0


# -- the real thing ---------------------------------------------------------------------------

def _git(*args, cwd):
    env = dict(os.environ, GIT_AUTHOR_NAME="walint test", GIT_AUTHOR_EMAIL="test@example.invalid",
               GIT_COMMITTER_NAME="walint test", GIT_COMMITTER_EMAIL="test@example.invalid",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)


def _snapshot(dest: pathlib.Path) -> pathlib.Path:
    """This working tree (tracked and untracked, minus ignored files) as a fresh repository."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file() and not src.is_symlink():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    _git("commit", "-q", "-m", "snapshot for the pre-commit test", cwd=dest)
    return dest


@pytest.fixture(scope="module")
def try_repo(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    base = tmp_path_factory.mktemp("precommit")
    hook_repo = _snapshot(base / "walint")
    project = base / "project"
    project.mkdir()
    _git("init", "-q", cwd=project)
    (project / ".walint.yml").write_text(CONFIG)
    env = dict(os.environ, PRE_COMMIT_HOME=str(base / "cache"), NO_COLOR="1",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    env.pop("PRE_COMMIT", None)

    def run(name, text):
        (project / name).write_text(text)
        _git("add", name, cwd=project)
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo),
                               "walint", "--files", name], cwd=project, env=env,
                              capture_output=True, text=True, timeout=900)
    return run


@pytest.mark.slow
def test_pre_commit_try_repo(try_repo):
    ok = try_repo("clean.tf", CLEAN)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"walint .*Passed", ok.stdout), ok.stdout

    bad = try_repo("bad.tf", BAD)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(r"walint .*Failed", bad.stdout), bad.stdout
    assert "bad.tf:4 WAL-MAZ-001 error" in bad.stdout
    assert "clean.tf" not in bad.stdout.split("Failed", 1)[1]

"""What discovery skips: `exclude` globs, `--exclude`, `.gitignore` files (gitignore
semantics, matched in linear time)."""
from __future__ import annotations

import json
import subprocess
import sys
import time

DB_TF = 'resource "aws_db_instance" "d" {\n  multi_az = false\n}\n'


def files_found(cwd, *args):
    out = subprocess.run([sys.executable, "-m", "walint", "scan", *args, "--allow-empty", "--select", "WAL-MAZ-001",
                          "--format", "json"], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert out.returncode in (0, 1), out.stderr
    return sorted({f["file"] for f in json.loads(out.stdout)["findings"]})


def tree(root, *paths):
    for p in paths:
        (root / p).parent.mkdir(parents=True, exist_ok=True)
        (root / p).write_text(DB_TF)


def test_gitignore_honoured_nested_and_from_the_repository_root(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("# generated\ngen/\n*.test.tf\n")
    tree(tmp_path, "infra/gen/a.tf", "infra/keep/b.tf", "infra/x/x.test.tf", "infra/y/keep.test.tf",
         "infra/vendor/v.tf")
    (tmp_path / "infra" / ".gitignore").write_text("vendor\n!keep.test.tf\n")
    # paths are relative to the repository root (tmp_path holds .git)
    assert files_found(tmp_path / "infra", ".") == ["infra/keep/b.tf", "infra/y/keep.test.tf"]
    assert files_found(tmp_path / "infra", ".", "--no-respect-gitignore") == [
        "infra/gen/a.tf", "infra/keep/b.tf", "infra/vendor/v.tf", "infra/x/x.test.tf", "infra/y/keep.test.tf"]
    # a file or directory named on the command line is read whatever .gitignore says
    assert files_found(tmp_path / "infra", "gen/a.tf") == ["infra/gen/a.tf"]
    assert files_found(tmp_path / "infra", "gen") == ["infra/gen/a.tf"]


def test_exclude_flag_adds_to_the_configuration(tmp_path):
    tree(tmp_path, "a/main.tf", "b/main.tf", "c/main.tf")
    (tmp_path / ".walint.yml").write_text("exclude: [a]\n")
    assert files_found(tmp_path, ".") == ["b/main.tf", "c/main.tf"]
    assert files_found(tmp_path, ".", "--exclude", "b/", "--exclude", "**/c/*.tf") == []


def test_broken_glob_is_exit_2_naming_the_file_and_key(tmp_path):
    tree(tmp_path, "main.tf")
    (tmp_path / ".walint.yml").write_text('exclude: ["[z-a]"]\n')
    out = subprocess.run([sys.executable, "-m", "walint", "scan", "."], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().splitlines() == [
        "walint: error: .walint.yml: exclude: '[z-a]' is not a valid glob (bad character range z-a)"]
    (tmp_path / ".walint.yml").write_text("exclude: [ok]\n")
    out = subprocess.run([sys.executable, "-m", "walint", "scan", ".", "--exclude", "[z-a]"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "--exclude: '[z-a]'" in out.stderr, out.stderr


def test_globs_of_many_stars_cannot_backtrack(tmp_path):
    from walint.engine.config import GlobSet
    from walint.engine.gitignore import Ignored

    deep = "/".join(["a"] * 40) + "/y.tf"
    hostile = ["/".join(["**"] * 40) + "/x", "a" + "*" * 60 + "b", "**/a/**/a/**/a/**/a/**/a/**/a/**/z"]
    globs = GlobSet(hostile, str(tmp_path))
    start = time.monotonic()
    for _ in range(100):
        assert not globs(str(tmp_path / deep))
        assert not globs(str(tmp_path / ("a" * 200)))
    (tmp_path / ".gitignore").write_text("\n".join(hostile) + "\n")
    ignored = Ignored(str(tmp_path), [])
    for _ in range(100):
        assert not ignored(str(tmp_path / deep), False)
    assert time.monotonic() - start < 5


def test_readme_glob_semantics_hold(tmp_path):
    from walint.engine.config import GlobSet

    def m(pattern, path):
        return GlobSet([pattern], str(tmp_path))(str(tmp_path / path))

    assert m("legacy", "a/legacy/b/main.tf") and m("*.test.yaml", "x/y/a.test.yaml")
    assert m("environments/dev", "environments/dev/main.tf")
    assert not m("environments/*/main.tf", "environments/a/b/main.tf")
    assert m("environments/**/main.tf", "environments/main.tf")
    assert m("./environments/dev/**", "environments/dev/a/main.tf")

"""walint never writes inside the scanned tree, never opens a network connection, and
never loads code from the scanned repository."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "fixtures")


def tree_state(root):
    """Every file and directory entry: type, size, mtime, content hash."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            digest = ""
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            state[os.path.relpath(path, root)] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
        st = os.lstat(dirpath)
        state[os.path.relpath(dirpath, root) + "/"] = (st.st_mode, st.st_mtime_ns)
    return state


def test_scan_writes_nothing_in_the_scanned_tree(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES, repo)
    (repo / ".walint.yml").write_text("profile: production\n")
    before = tree_state(repo)
    for fmt in ("text", "json", "sarif"):
        out = subprocess.run([sys.executable, "-m", "walint", "scan", ".", "--format", fmt],
                             cwd=repo, capture_output=True, timeout=300)
        assert out.returncode in (0, 1), out.stderr[-2000:]
    subprocess.run([sys.executable, "-m", "walint", "graph", ".", "--format", "json"],
                   cwd=repo, capture_output=True, timeout=300)
    assert tree_state(repo) == before


def test_scan_with_sockets_disabled(tmp_path):
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k):\n"
        "    raise RuntimeError('walint tried to open a network connection')\n"
        "socket.socket = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from walint.cli.main import main\n"
        "sys.argv = ['walint', 'scan', sys.argv[1], '--format', 'sarif']\n"
        "main()\n")
    out = subprocess.run([sys.executable, "-c", code, FIXTURES], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert out.returncode in (0, 1), out.stderr[-2000:]
    assert "network" not in out.stderr


def _booby_trapped_repo(repo, marker):
    trap = f"open({str(marker)!r}, 'w').write('loaded')\n"
    (repo / "walint_rules").mkdir(parents=True)
    (repo / "walint_rules" / "__init__.py").write_text(trap + "RULES = []\n")
    (repo / "walint").mkdir()
    (repo / "walint" / "__init__.py").write_text(trap)
    (repo / "evilpack.py").write_text(trap + "RULES = []\n")
    dist = repo / "evilpack-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: evilpack\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[walint.rules]\nevil = evilpack\n")
    (repo / "sitecustomize.py").write_text(trap)
    (repo / "conftest.py").write_text(trap)
    (repo / ".walint.yml").write_text("profile: production\n")
    (repo / "pyproject.toml").write_text("[tool.walint]\nprofile = 'production'\n")
    (repo / "main.tf").write_text('resource "aws_db_instance" "x" {\n  engine = "postgres"\n  multi_az = false\n}\n')


def test_never_loads_code_from_the_scanned_tree(tmp_path):
    import shutil as sh

    marker = tmp_path / "LOADED"
    repo = tmp_path / "repo"
    _booby_trapped_repo(repo, marker)
    commands = [[sys.executable, "-m", "walint", "scan", "."]]
    exe = sh.which("walint", path=os.path.dirname(sys.executable))
    if exe:
        commands.append([exe, "scan", "."])
    for cmd in commands:
        # `python -m` from inside the repository (the walint package there shadows
        # nothing because the installed one is found first only when cwd is not on
        # sys.path: __main__ removes it; the package itself comes from site-packages
        # for the console script)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        if cmd[0] == sys.executable:
            # run from the parent so that the trap `walint/` package is not imported as
            # walint itself (Python puts the cwd first for -m before any walint code runs)
            out = subprocess.run(cmd[:4] + [str(repo)], cwd=tmp_path, capture_output=True,
                                 text=True, timeout=300, env=env)
        else:
            out = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=300, env=env)
        assert out.returncode == 1, out.stderr[-2000:]
        assert "WAL-MAZ-001" in out.stdout
        assert not marker.exists(), f"{cmd} loaded code from the scanned tree"


def test_python_dash_m_inside_a_repo_with_a_rule_pack_folder(tmp_path):
    marker = tmp_path / "LOADED"
    repo = tmp_path / "repo"
    _booby_trapped_repo(repo, marker)
    (repo / "walint" / "__init__.py").unlink()
    (repo / "walint").rmdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-m", "walint", "scan", "."], cwd=repo,
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 1, out.stderr[-2000:]
    assert not marker.exists(), "python -m walint loaded walint_rules or a pack from the cwd"

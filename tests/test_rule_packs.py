"""A third-party rule pack loads from a path named on the command line, through the same
public API the built-in rules use; a broken pack is a usage error, not a crash."""
from __future__ import annotations

import json
import subprocess
import sys

PACK = '''
from walint.api import rule, severity

@rule(id="ACME-DB-001", name="db-owner-tag", title="Databases carry an owner tag",
      pillar="operational-excellence", category="logging-monitoring",
      severity=severity(development="note", production="warning"))
def db_owner_tag(graph):
    """Databases carry an `owner` tag, so an incident reaches a person."""
    for db in graph.resources("db_instance"):
        if "owner" not in db.tags():
            yield db.finding(None, f"{db.address} has no owner tag")

RULES = [db_owner_tag]
'''


def walint(*args, cwd):
    return subprocess.run([sys.executable, "-m", "walint", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_pack_from_path(tmp_path):
    pack = tmp_path / "acme_pack.py"
    pack.write_text(PACK)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "db.tf").write_text(
        'resource "aws_db_instance" "a" {\n  engine = "postgres"\n  tags = { team = "x" }\n}\n'
        'resource "aws_db_instance" "b" {\n  engine = "postgres"\n  tags = { owner = "y" }\n}\n')
    listed = json.loads(walint("rules", "--format", "json", "--rules-path", pack, cwd=tmp_path).stdout)
    assert "ACME-DB-001" in [r["id"] for r in listed["rules"]]
    out = walint("scan", "infra", "--rules-path", pack, "--select", "ACME-DB-001", "--format", "json",
                 cwd=tmp_path)
    findings = json.loads(out.stdout)["findings"]
    assert [(f["rule"], f["address"], f["severity"]) for f in findings] == \
        [("ACME-DB-001", "aws_db_instance.a", "warning")]


def test_broken_pack_is_a_usage_error(tmp_path):
    pack = tmp_path / "broken.py"
    pack.write_text("raise RuntimeError('boom')\n")
    out = walint("rules", "--rules-path", pack, cwd=tmp_path)
    assert out.returncode == 2 and "boom" in out.stderr and "Traceback" not in out.stderr


def test_installed_packs_as_importlib_metadata_finds_them(tmp_path, monkeypatch):
    """The loader reads entry points without importlib.metadata (start-up time); it must
    find what importlib.metadata finds, first distribution on sys.path winning."""
    from importlib.metadata import entry_points

    from walint.engine import loader

    for where, dist, body in (
            ("a", "acme_rules-1.0.dist-info",
             "# a comment\n[console_scripts]\nacme = acme.cli:main\n\n"
             "[walint.rules]\nacme = acme_pack.rules:RULES [extra]\nacme-more = acme_pack\n"),
            ("b", "Acme.Rules-0.9.dist-info", "[walint.rules]\nold = acme_old\n"),
            ("b", "other-2.0.egg-info", "[walint.rules]\nother = other_pack:pack\n")):
        (tmp_path / where / dist).mkdir(parents=True)
        (tmp_path / where / dist / "entry_points.txt").write_text(body)
    monkeypatch.setattr(sys, "path", [str(tmp_path / "a"), str(tmp_path / "b")] + sys.path)
    ours = sorted(loader.installed_packs())
    theirs = sorted((e.name, e.value) for e in entry_points(group="walint.rules"))
    assert ours == theirs
    assert ("old", "acme_old") not in ours and ("other", "other_pack:pack") in ours

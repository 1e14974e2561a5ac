"""The configuration file: where it is found, its keys, validation, and how flags override it."""
from __future__ import annotations

import json
import textwrap

import pytest

TF_DB = """
resource "aws_db_instance" "main" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  multi_az          = false
  storage_encrypted = true
}
"""

TF_VAR_DB = """
variable "multi_az" {
  type = bool
}
resource "aws_db_instance" "main" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  multi_az          = var.multi_az
  storage_encrypted = true
}
"""

CFN_PARAM_DB = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  MultiAZ:
    Type: String
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      MultiAZ: !Ref MultiAZ
      StorageEncrypted: true
"""


def run(argv, capsys):
    from walint.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def findings(capsys, *args):
    code, out, err = run(["scan", *args, "--format", "json"], capsys)
    assert code in (0, 1), err
    doc = json.loads(out)
    return code, [(f["rule"], f["file"], f["severity"]) for f in doc["findings"] if not f["suppressed"]], doc


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "environments" / "dev" / "main.tf", TF_DB)
    write(tmp_path / "environments" / "prod" / "main.tf", TF_DB)
    return tmp_path


def usage_error(capsys, argv):
    code, out, err = run(argv, capsys)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- finding the file ---------------------------------------------------------------------

@pytest.mark.parametrize("name,text", [
    (".walint.yml", "select: [WAL-MAZ-001]\nprofile: mvp\n"),
    (".walint.yaml", "select: WAL-MAZ-001\nprofile: mvp\n"),
    ("pyproject.toml", "[project]\nname = 'x'\n\n[tool.walint]\nselect = ['WAL-MAZ-001']\nprofile = 'mvp'\n"),
])
def test_found_upward_from_the_current_directory(repo, capsys, monkeypatch, name, text):
    write(repo / name, text)
    monkeypatch.chdir(repo / "environments")
    code, found, doc = findings(capsys, ".")
    assert doc["profile"] == "mvp"
    assert found == [("WAL-MAZ-001", "dev/main.tf", "warning"), ("WAL-MAZ-001", "prod/main.tf", "warning")]
    assert code == 0      # warnings do not fail


def test_pyproject_without_section_is_skipped_for_one_further_up(repo, capsys, monkeypatch):
    write(repo / ".walint.yml", "profile: mvp\nselect: [WAL-MAZ-001]\n")
    write(repo / "environments" / "pyproject.toml", "[project]\nname = 'x'\n")
    monkeypatch.chdir(repo / "environments")
    _, _, doc = findings(capsys, ".")
    assert doc["profile"] == "mvp"


def test_explicit_config_file(repo, capsys):
    write(repo / "ci" / "walint.yml", "profile: development\nselect: [WAL-MAZ-001, WAL-ENC-001]\n")
    write(repo / ".walint.yml", "profile: regulated\n")
    _, _, doc = findings(capsys, ".", "--config", "ci/walint.yml")
    assert doc["profile"] == "development"
    assert doc["findings"] == []          # WAL-MAZ-001 is off in development


def test_config_in_a_scanned_tree_is_not_used(tmp_path, capsys, monkeypatch):
    work = tmp_path / "cwd"
    work.mkdir()
    write(tmp_path / "infra" / ".walint.yml", "profile: development\n")
    write(tmp_path / "infra" / "main.tf", TF_DB)
    monkeypatch.chdir(work)
    _, found, doc = findings(capsys, str(tmp_path / "infra"), "--select", "WAL-MAZ-001")
    assert doc["profile"] == "production"
    assert [f[0] for f in found] == ["WAL-MAZ-001"]


def test_configuration_never_runs_code(repo, capsys):
    marker = repo / "pwned"
    write(repo / ".walint.yml",
          f"profile: !!python/object/apply:os.system ['touch {marker}']\n")
    line = usage_error(capsys, ["scan", "."])
    assert ".walint.yml" in line
    assert not marker.exists()


def test_missing_explicit_config_is_a_usage_error(repo, capsys):
    line = usage_error(capsys, ["scan", ".", "--config", "nope.yml"])
    assert "nope.yml" in line


# -- validation ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,expect", [
    ("profle: mvp\n", ["profle", "allowed", "profile"]),
    ("profile: prod\n", ["profile", "'prod'", "development, mvp, production, regulated"]),
    ("fail-on: sometimes\n", ["fail-on", "never"]),
    ("terraform:\n  varfiles: [a.tfvars]\n", ["terraform.varfiles", "var-files"]),
    ("severity:\n  WAL-MAZ-001: critical\n", ["severity.WAL-MAZ-001", "off"]),
    ("exclude: legacy\n", ["exclude", "a list"]),
    ("show-unknown: maybe\n", ["show-unknown", "true or false"]),
    ("profiles:\n  'dev/**': staging\n", ["profiles.dev/**", "production"]),
    ("- profile\n", ["mapping"]),
    ("profile: [unclosed\n", ["invalid YAML"]),
])
def test_bad_configuration_is_exit_2_naming_file_key_and_allowed(repo, capsys, text, expect):
    write(repo / ".walint.yml", text)
    line = usage_error(capsys, ["scan", "."])
    assert line.startswith("walint: error: .walint.yml: "), line
    for word in expect:
        assert word in line, line


def test_bad_pyproject_key_names_the_table(repo, capsys):
    write(repo / "pyproject.toml", "[tool.walint]\nselekt = ['WAL-MAZ']\n")
    line = usage_error(capsys, ["scan", "."])
    assert "pyproject.toml" in line and "tool.walint.selekt" in line


def test_unknown_selector_in_config_names_file_and_key(repo, capsys):
    write(repo / ".walint.yml", "ignore: [WAL-NOPE-999]\n")
    line = usage_error(capsys, ["scan", "."])
    assert ".walint.yml" in line and "ignore" in line and "WAL-NOPE-999" in line


def test_unknown_rule_in_severity(repo, capsys):
    write(repo / ".walint.yml", "severity:\n  WAL-NOPE-999: warning\n")
    line = usage_error(capsys, ["scan", "."])
    assert "severity" in line and "WAL-NOPE-999" in line


def test_unknown_selector_on_command_line(repo, capsys):
    line = usage_error(capsys, ["scan", ".", "--select", "WAL-NOPE"])
    assert "--select WAL-NOPE" in line


def test_schema_rejects_extra_keys_everywhere():
    from walint.engine.config import SCHEMA

    def walk(node):
        if node.get("type") == "object" and "properties" in node:
            assert node.get("additionalProperties") is False
            for child in node["properties"].values():
                walk(child)
    walk(SCHEMA)


# -- keys ---------------------------------------------------------------------------------

def test_profiles_by_path(repo, capsys):
    write(repo / ".walint.yml", textwrap.dedent("""
        profile: production
        select: [WAL-MAZ-001]
        profiles:
          environments/dev/**: development
          "environments/stag*": mvp
    """))
    write(repo / "environments" / "staging" / "main.tf", TF_DB)
    code, found, _ = findings(capsys, ".")
    assert found == [("WAL-MAZ-001", "environments/prod/main.tf", "error"),
                     ("WAL-MAZ-001", "environments/staging/main.tf", "warning")]
    assert code == 1


def test_explicit_profile_flag_applies_everywhere(repo, capsys):
    write(repo / ".walint.yml", "select: [WAL-MAZ-001]\nprofiles:\n  environments/dev/**: development\n")
    _, found, _ = findings(capsys, ".", "--profile", "mvp")
    assert [f[2] for f in found] == ["warning", "warning"]


def test_profiles_turn_a_rule_on_that_the_default_profile_has_off(repo, capsys):
    write(repo / ".walint.yml", "profile: development\nselect: [WAL-MAZ-001]\n"
                                "profiles:\n  environments/prod: production\n")
    _, found, _ = findings(capsys, ".")
    assert found == [("WAL-MAZ-001", "environments/prod/main.tf", "error")]


def test_exclude_globs_in_discovery(repo, capsys):
    write(repo / "legacy" / "old" / "main.tf", TF_DB)
    write(repo / ".walint.yml", "select: [WAL-MAZ-001]\nexclude: [legacy, 'environments/*/main.tf']\n")
    _, found, doc = findings(capsys, ".", "--allow-empty")    # everything excluded: nothing to check
    assert found == []
    assert doc["summary"]["files"] == 0


def test_force_exclude_applies_to_named_files(repo, capsys):
    write(repo / ".walint.yml", "select: [WAL-MAZ-001]\nexclude: ['environments/dev/**']\n")
    _, found, _ = findings(capsys, "environments/dev/main.tf")
    assert len(found) == 1      # a named file is read ...
    _, found, doc = findings(capsys, "environments/dev/main.tf", "--force-exclude")
    assert found == [] and doc["summary"]["files"] == 0     # ... unless --force-exclude


def test_per_path_ignores(repo, capsys):
    write(repo / ".walint.yml", textwrap.dedent("""
        select: [WAL-MAZ-001, WAL-ENC-001]
        per-path-ignores:
          environments/dev/**: [reliability]
          "*.tf": WAL-ENC
    """))
    _, found, _ = findings(capsys, ".")
    assert found == [("WAL-MAZ-001", "environments/prod/main.tf", "error")]


def test_severity_override(repo, capsys):
    write(repo / ".walint.yml", "select: [WAL-MAZ-001]\nseverity:\n  WAL-MAZ-001: note\n")
    code, found, _ = findings(capsys, ".")
    assert [f[2] for f in found] == ["note", "note"] and code == 0


def test_severity_off_disables_the_rule(repo, capsys):
    write(repo / ".walint.yml", "select: [WAL-MAZ-001]\nseverity:\n  wal-maz-001: 'off'\n")
    _, found, _ = findings(capsys, ".")
    assert found == []


def test_fail_on_from_config_and_flag_override(repo, capsys):
    write(repo / ".walint.yml", "select: [WAL-MAZ-001]\nprofile: mvp\nfail-on: warning\n")
    code, _, _ = findings(capsys, ".")
    assert code == 1
    code, _, _ = findings(capsys, ".", "--fail-on", "error")
    assert code == 0


def test_select_and_ignore_combine_with_flags(repo, capsys):
    write(repo / ".walint.yml", "select: [WAL-ENC-001]\nignore: [WAL-MAZ-001]\n")
    _, found, _ = findings(capsys, ".")
    assert found == []                                           # ENC passes, MAZ ignored
    _, found, _ = findings(capsys, ".", "--select", "WAL-MAZ-001")
    assert found == []                                           # config ignore still wins
    _, found, _ = findings(capsys, ".", "--select", "WAL-MAZ-001", "--ignore", "WAL-ENC")
    assert [f[0] for f in found] == ["WAL-MAZ-001", "WAL-MAZ-001"]   # --ignore replaces ignore


def test_inline_ignores_key(repo, capsys):
    write(repo / "environments" / "dev" / "main.tf",
          "# walint:ignore WAL-MAZ-001 dev is single-AZ\n" + TF_DB.lstrip())
    write(repo / ".walint.yml", "select: [WAL-MAZ-001, WAL-SUP]\ninline-ignores: false\n")
    _, found, _ = findings(capsys, ".")
    assert len(found) == 2
    write(repo / ".walint.yml", "select: [WAL-MAZ-001, WAL-SUP]\ninline-ignores: true\n")
    _, found, _ = findings(capsys, ".")
    assert len(found) == 1
    _, found, _ = findings(capsys, ".", "--no-inline-ignores")
    assert len(found) == 2


def test_show_unknown_key(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "main.tf", TF_VAR_DB)
    write(tmp_path / ".walint.yml", "select: [WAL-MAZ-001]\n")
    _, _, doc = findings(capsys, ".")
    assert doc["findings"] == [] and doc["summary"]["unknown"] == 1
    write(tmp_path / ".walint.yml", "select: [WAL-MAZ-001]\nshow-unknown: true\n")
    _, _, doc = findings(capsys, ".")
    assert [f.get("unknown") for f in doc["findings"]] == [True]


def test_terraform_vars_and_var_files(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "infra" / "main.tf", TF_VAR_DB)
    write(tmp_path / "conf" / "prod.tfvars", "multi_az = false\n")
    write(tmp_path / "conf" / ".walint.yml",
          "select: [WAL-MAZ-001]\nterraform:\n  var-files: [prod.tfvars]\n")
    _, found, _ = findings(capsys, "infra", "--config", "conf/.walint.yml")
    assert [f[0] for f in found] == ["WAL-MAZ-001"]
    write(tmp_path / "conf" / ".walint.yml",
          "select: [WAL-MAZ-001]\nterraform:\n  var-files: [prod.tfvars]\n  vars: {multi_az: true}\n")
    _, found, _ = findings(capsys, "infra", "--config", "conf/.walint.yml")
    assert found == []                                   # vars come after var-files
    _, found, _ = findings(capsys, "infra", "--config", "conf/.walint.yml", "--var", "multi_az=false")
    assert [f[0] for f in found] == ["WAL-MAZ-001"]      # the command line comes last


def test_missing_var_file_in_config(repo, capsys):
    write(repo / ".walint.yml", "terraform:\n  var-files: [nope.tfvars]\n")
    line = usage_error(capsys, ["scan", "."])
    assert ".walint.yml" in line and "terraform.var-files" in line and "nope.tfvars" in line


def test_cloudformation_params_and_parameter_files(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "db.yaml", CFN_PARAM_DB)
    write(tmp_path / "params.json", json.dumps([{"ParameterKey": "MultiAZ", "ParameterValue": "false"}]))
    write(tmp_path / ".walint.yml", "select: [WAL-MAZ-001]\ncloudformation:\n  parameters: [params.json]\n")
    _, found, _ = findings(capsys, "db.yaml")
    assert [f[0] for f in found] == ["WAL-MAZ-001"]
    write(tmp_path / ".walint.yml", "select: [WAL-MAZ-001]\ncloudformation:\n  params: {MultiAZ: true}\n")
    _, found, _ = findings(capsys, "db.yaml")
    assert found == []
    _, found, _ = findings(capsys, "db.yaml", "--param", "MultiAZ=false")
    assert [f[0] for f in found] == ["WAL-MAZ-001"]


def test_glob_semantics(tmp_path):
    from walint.engine.config import GlobSet

    def m(pattern, path):
        return GlobSet([pattern], str(tmp_path))(str(tmp_path / path))

    assert m("environments/dev/**", "environments/dev/a/main.tf")
    assert m("environments/dev", "environments/dev/main.tf")
    assert not m("environments/dev/**", "environments/devops/main.tf")
    assert m("*.test.yaml", "x/y/a.test.yaml")
    assert m("legacy", "a/legacy/b/main.tf")
    assert not m("environments/*/main.tf", "environments/a/b/main.tf")
    assert m("environments/**/main.tf", "environments/a/b/main.tf")
    assert m("environments/**/main.tf", "environments/main.tf")
    assert m("env?/[ab].tf", "env1/a.tf") and not m("env?/[!ab].tf", "env1/a.tf")

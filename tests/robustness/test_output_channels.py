"""Every output channel escaped and bounded (docs/security.md "Output channels"), and
configuration that switches checks off is said (docs/security.md "Configuration cannot
switch walint off silently").

Built from ../shared/reproducers/hostile/{markdown-mermaid-raw-html,
usage-error-forges-workflow-commands}; the inputs are generated here.
"""
from __future__ import annotations

import json
import re

import pytest

from walint.reporters import safe

# control characters other than newline, bidi overrides and isolates, zero-width characters
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
HOSTILE = ["<img src=x onerror=alert(1)>", "</details><script>alert(1)</script>",
           '<a href="https://evil.example">ok</a>', "\x1b]0;pwned\x07x", "Safe\u202eBD",
           "zero\u200bwidth\ufeff", "line\n::error file=a,line=1::forged", "`code`#quot;&amp;",
           "x##[error]old-form", "  ::warning::indented"]
FORMATS = ("text", "json", "sarif", "github", "markdown")
GITHUB_COMMAND = re.compile(r"^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:\r\n]*)"
                            r"(?:,[a-zA-Z]+=[^,:\r\n]*)*)::([^\r\n]*)$")


def run(argv, capsys):
    from walint.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def _hostile_repo(tmp_path):
    resources = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "eu-west-1a"}},
        "Sng": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {
            "SubnetIds": [{"Ref": "Subnet"}], "DBSubnetGroupDescription": "d"}}}
    for name in HOSTILE + ["K" * 600_000]:
        resources[name] = {"Type": "AWS::RDS::DBInstance", "Properties": {
            "Engine": "postgres", "MultiAZ": False, "DBSubnetGroupName": {"Ref": "Sng"}}}
    (tmp_path / "t.json").write_text(json.dumps(
        {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, ensure_ascii=False))
    keys = ", ".join(json.dumps(k) for k in HOSTILE if "\n" not in k)
    (tmp_path / "main.tf").write_text(
        f'resource "aws_db_instance" "x" {{\n  for_each = toset([{keys}])\n'
        '  engine   = "postgres"\n  multi_az = false\n}\n')
    return tmp_path


def _strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "newlineSequences":      # SARIF's own ["\r\n", "\n"]
                continue
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    import subprocess
    import sys

    repo = _hostile_repo(tmp_path_factory.mktemp("hostile"))
    out = {}
    for fmt in FORMATS:
        done = subprocess.run([sys.executable, "-m", "walint", "scan", ".", "--format", fmt],
                              cwd=repo, capture_output=True, text=True, timeout=300)
        out[fmt] = done
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_raw_control_bidi_or_invisible_character(outputs, fmt):
    done = outputs[fmt]
    assert done.returncode == 1, done.stderr
    assert not RAW.search(done.stdout), RAW.search(done.stdout)
    assert not RAW.search(done.stderr)
    if fmt in ("json", "sarif"):          # nor once the JSON strings are decoded
        bad = [s[:80] for s in _strings(json.loads(done.stdout)) if RAW.search(s)]
        assert not bad, bad
    # the 600 KB key is cut in every format: no output near its size (SARIF's rule
    # metadata, the help of every rule that ran, does not depend on the input)
    shown = json.dumps(json.loads(done.stdout)["runs"][0]["results"]) if fmt == "sarif" else done.stdout
    assert len(shown) < 600_000, len(shown)
    assert "K" * (safe.MAX_NAME + 1) not in done.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_line_starts_a_workflow_command_walint_did_not_write(outputs, fmt):
    # GitHub's runner trims leading spaces, and reads `##[command]` anywhere in a line
    done = outputs[fmt]
    assert not [line for line in done.stderr.splitlines() if line.lstrip().startswith("::")]
    assert "##[" not in done.stdout and "##[" not in done.stderr
    commands = [line for line in done.stdout.splitlines() if line.lstrip().startswith("::")]
    if fmt == "github":
        assert commands and all(GITHUB_COMMAND.match(line) for line in commands)
    else:
        assert not commands, commands


def test_mermaid_labels_are_allow_listed_and_the_findings_still_show(outputs):
    md = outputs["markdown"].stdout
    block = md.split("```mermaid", 1)[1].split("```", 1)[0]
    labels = re.findall(r'"((?:[^"])*)"', block)
    assert labels
    for label in labels:
        assert re.fullmatch(r"[A-Za-z0-9 .,:;_/()\[\]*!=+?<>-]*", label), label
        assert set(re.findall(r"<[^>]*>", label)) <= {"<br/>"}, label
    assert "<script" not in md and "<img" not in md and "<a href" not in md
    assert md.count("WAL-MAZ-001") >= len(HOSTILE)        # every hostile database reported


def test_markdown_summary_is_bounded_and_says_what_was_cut(tmp_path, capsys, monkeypatch):
    from walint.reporters import markdown_report

    (tmp_path / "main.tf").write_text(
        'resource "aws_db_instance" "x" {\n  count    = 400\n  engine   = "postgres"\n'
        '  multi_az = false\n}\n')
    monkeypatch.setattr(markdown_report, "MAX_BYTES", 30_000)
    code, out, _ = run(["scan", str(tmp_path), "--format", "markdown"], capsys)
    assert code == 1
    assert len(out.encode()) <= 30_000
    assert "Cut to stay within GitHub's 1 MiB step summary" in out
    assert re.search(r"\d+ findings rows", out)
    assert markdown_report.MAX_BYTES != 1 << 20 and safe.MAX_MESSAGE == 1000


def test_usage_errors_cannot_forge_workflow_commands(tmp_path, capsys):
    (tmp_path / "t.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db:\n"
        "    Type: AWS::RDS::DBInstance\n    Metadata:\n      walint:\n        ignore:\n"
        "          - id: WAL-MAZ-001\n            reason: r\n"
        "            until: \"soon\\n::error file=README.md,line=1::forged\\n::add-mask::x\"\n"
        "    Properties:\n      Engine: postgres\n")
    tf = tmp_path / "tf"
    tf.mkdir()
    (tf / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n'
                                '  # walint:ignore WAL-PUB-001 until=\x1b]0;pwned\x07 r\n}\n')
    cases = [["scan", str(tmp_path / "t.yaml")], ["scan", str(tf)],
             ["scan", str(tf), "--profile", "x\n::error::forged"],
             ["scan", str(tf), "--select", "NOPE\n::error::forged"],
             ["explain", "WAL-\n::error::forged"]]
    for argv in cases:
        code, out, err = run(argv, capsys)
        assert code == 2, (argv, err)
        assert not [line for line in err.splitlines() if line.lstrip().startswith("::")], (argv, err)
        assert not RAW.search(err), (argv, err)


def test_configuration_that_switches_checks_off_is_said(tmp_path, capsys, monkeypatch):
    from walint.docs_gen import builtin_rules

    (tmp_path / "infra").mkdir()
    (tmp_path / "skipped").mkdir()
    db = 'resource "aws_db_instance" "x" {\n  engine = "postgres"\n  multi_az = false\n}\n'
    (tmp_path / "infra" / "main.tf").write_text(db)
    (tmp_path / "skipped" / "main.tf").write_text(db)
    (tmp_path / ".walint.yml").write_text(
        'ignore: [WAL-MAZ]\nexclude: ["skipped"]\nseverity: {WAL-ENC-001: note, WAL-BAK-002: "off"}\n'
        "per-path-ignores:\n  'infra/**': [WAL-SG-006]\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["scan", "."], capsys)
    line = next(l for l in out.splitlines() if l.startswith("configuration"))
    off = len([r for r in builtin_rules() if r.id.startswith("WAL-MAZ")]) + 1   # ... and WAL-BAK-002
    assert f"{off} rules off" in line and "1 severity lowered" in line
    assert "1 path excluded" in line and "1 per-path ignore" in line
    code, out, _ = run(["scan", ".", "--format", "markdown"], capsys)
    assert f"{off} rules off" in out
    code, out, _ = run(["scan", ".", "--format", "json"], capsys)
    summary = json.loads(out)["summary"]
    assert summary["configuration"]["rules_off"] == ["WAL-BAK-002"] + sorted(
        r.id for r in builtin_rules() if r.id.startswith("WAL-MAZ"))
    assert set(summary) >= {"files", "resources", "findings", "by_pillar", "unknown"}
    code, out, _ = run(["scan", ".", "--format", "sarif"], capsys)
    props = json.loads(out)["runs"][0]["invocations"][0]["properties"]["configuration"]
    assert props["file"].endswith(".walint.yml") and props["severity_lowered"] == ["WAL-ENC-001"]
    assert props["excluded_paths"] == 1
    # the same choices on the command line are the invoker's: not reported
    (tmp_path / ".walint.yml").write_text("profile: production\n")
    code, out, _ = run(["scan", ".", "--ignore", "WAL-MAZ"], capsys)
    assert "configuration" not in out


def test_safe_is_idempotent_and_bounded():
    text = "a\x1b[2J\u202e\u200b" + "x" * 5000
    once = safe.message(text)
    assert safe.message(once) == once and len(once) <= safe.MAX_MESSAGE
    assert safe.name("n" * 1000) == "n" * (safe.MAX_NAME - 1) + safe.ELLIPSIS
    assert safe.log_line("  ::error::x") == "  \\x3a:error::x"
    assert safe.safe("a##[add-mask]b") == "a##\\[add-mask]b"


def test_a_file_named_like_a_workflow_command(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "::error file=a,line=1::forged"
    folder.mkdir()
    (folder / "main.tf").write_text('resource "aws_db_instance" "x" {\n  engine = "postgres"\n'
                                    '  multi_az = false\n}\n')
    for fmt in ("text", "github"):
        monkeypatch.chdir(tmp_path)
        code, out, err = run(["scan", ".", "--select", "WAL-MAZ-001", "--format", fmt], capsys)
        assert "forged/main.tf" in out
        assert code == 1
        commands = [l for l in out.splitlines() if l.lstrip().startswith("::")]
        if fmt == "text":
            assert not commands, out
        else:
            assert len(commands) == 1 and GITHUB_COMMAND.match(commands[0]), out

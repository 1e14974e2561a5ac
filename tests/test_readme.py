"""Every `walint` command shown in the README's shell blocks uses flags the command has
(the YAML blocks are checked against action.yml and .pre-commit-hooks.yaml in
tests/test_action.py)."""
from __future__ import annotations

import re
import shlex

import pytest

from testenv import ROOT

GLOBAL = {"-h", "--help", "--version"}


def commands():
    """(line, argv after `walint`) for each walint command in a ```sh block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            for part in re.split(r"&&|\|\||[|;]|>>|>", line):
                words = shlex.split(part, comments=True)
                if words[:1] == ["walint"]:
                    found.append((line.strip(), words[1:]))
                elif words[:3] == ["python", "-m", "walint"]:
                    found.append((line.strip(), words[3:]))
    return found


def test_the_readme_shows_walint_commands():
    shown = {" ".join(argv[:1]) for _, argv in commands()}
    assert {"scan", "rules", "explain", "graph"} <= shown


@pytest.mark.parametrize("line,argv", commands(), ids=lambda v: v if isinstance(v, str) else None)
def test_readme_command_flags_exist(line, argv):
    from walint.cli.main import _cli

    group = _cli()
    if not argv or argv[0] in GLOBAL:
        assert all(a in GLOBAL for a in argv), line
        return
    command = group.get_command(None, argv[0])
    assert command is not None, f"{line}: no command {argv[0]}"
    known = GLOBAL | {o for p in command.params for o in p.opts + p.secondary_opts}
    for word in argv[1:]:
        if word.startswith("-"):
            assert word.split("=", 1)[0] in known, f"{line}: {word} is not a flag of walint {argv[0]}"
    if argv[0] == "scan":
        from walint.cli.scan_cmd import parse_outputs

        values = [argv[i + 1] for i, w in enumerate(argv) if w in ("-o", "--output")]
        assert parse_outputs(values, "text"), line        # -o values are well formed

"""Options shared by `scan` and `graph` (CONTRACT.md's command line)."""
from __future__ import annotations

import click

from walint.engine.errors import UsageError
from walint.model.rule import PROFILES


def split_list(values) -> list:
    """`--select A,B --select C` -> ["A", "B", "C"]."""
    out = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def key_values(values, option) -> list:
    out = []
    for v in values or ():
        if "=" not in v:
            raise UsageError(f"{option} {v}: expected KEY=VALUE")
        k, _, val = v.partition("=")
        if not k.strip():
            raise UsageError(f"{option} {v}: the key is empty")
        out.append((k.strip(), val))
    return out


def scan_options(fn):
    """Decorate a command with the options that decide what a scan reads and runs."""
    decorators = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--profile", type=click.Choice(PROFILES), default=None,
                     help="Which environment's standard applies (default production)."),
        click.option("--select", "select_", multiple=True, metavar="SEL,...",
                     help="Run only these rules (ids, prefixes, names, pillars, categories)."),
        click.option("--ignore", multiple=True, metavar="SEL,...", help="Do not run these rules."),
        click.option("--config", "config_file", type=click.Path(), default=None,
                     help="Configuration file (default: .walint.yml found upward)."),
        click.option("--var", "variables", multiple=True, metavar="KEY=VALUE",
                     help="Terraform variable value."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(),
                     help="Terraform .tfvars or .tfvars.json file."),
        click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
                     help="CloudFormation parameter value."),
        click.option("--parameters", "parameter_files", multiple=True, type=click.Path(),
                     help="CloudFormation parameter file (CLI JSON, CodePipeline JSON, KEY=VALUE)."),
        click.option("--rules-path", "rule_paths", multiple=True, type=click.Path(),
                     help="Load an extra rule pack from this file or package directory."),
        click.option("-v", "--verbose", is_flag=True,
                     help="List every note on standard error (by default the first ten)."),
        click.option("--exclude", "exclude", multiple=True, metavar="PATTERN",
                     help="Do not read paths matching this gitignore-style glob (repeatable; "
                          "added to the configuration's exclude)."),
        click.option("--no-respect-gitignore", "no_gitignore", is_flag=True, default=False,
                     help="Read files that .gitignore files exclude (by default they are skipped)."),
        click.option("--budget", "budgets", multiple=True, metavar="NAME=VALUE",
                     help="Raise or lower one budget of the scan (docs/security.md lists them)."),
        click.option("--root", "root", type=click.Path(exists=True, file_okay=False), default=None,
                     help="Repository root: paths in the output are relative to it, and files "
                          "under it may be read (default: the nearest folder with .git above "
                          "the working directory, else the working directory)."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                     help="Worker processes for parsing (default: one per core)."),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn

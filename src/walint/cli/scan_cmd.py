"""`walint scan`: findings to standard output (or --output), diagnostics to standard error."""
from __future__ import annotations

import os
import sys

import click

from walint.cli import settings
from walint.cli.options import scan_options
from walint.reporters import FORMATS
from walint.reporters.safe import safe


def write_output(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def print_diagnostics(report) -> None:
    for d in report.diagnostics:
        where = f"{d.file}:{d.line}" if d.line else d.file
        click.echo(safe(f"walint: {d.level}: {where}: {d.message}"), err=True)
    for e in report.internal_errors:
        click.echo(f"walint: internal error: {e}", err=True)


def use_color(fmt, output) -> bool:
    return (fmt == "text" and not output and sys.stdout.isatty()
            and "NO_COLOR" not in os.environ)


@click.command()
@scan_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write findings to this file instead of standard output.")
@click.option("--fail-on", type=click.Choice(("error", "warning", "note", "never")), default=None,
              help="Lowest level that makes the exit code 1 (default error).")
@click.option("--show-unknown", is_flag=True, help="Also list the checks that could not be decided, and why.")
def scan(fmt, output, **kwargs):
    """Scan CloudFormation and Terraform under PATHS (default: the current directory)."""
    from walint.engine.run import scan as run_scan
    from walint.reporters import render

    options = settings.build(**kwargs)
    report = run_scan(kwargs["paths"] or ["."], options)
    print_diagnostics(report)
    write_output(render(report, fmt, color=use_color(fmt, output)), output)
    raise SystemExit(report.exit_code())

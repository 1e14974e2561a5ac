"""`walint scan`: findings to standard output (or --output), diagnostics to standard error."""
from __future__ import annotations

import gc
import os
import sys

import click

from walint.cli import settings
from walint.cli.options import scan_options
from walint.engine.errors import UsageError
from walint.reporters import FORMATS
from walint.reporters.safe import log_line, message as safe_message, name as safe_name


def write_output(text: str, output: str | None) -> None:
    if output:
        try:
            parent = os.path.dirname(output)
            if parent:
                os.makedirs(parent, exist_ok=True)
            with open(output, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"{output}: cannot write: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


NOTES_SHOWN = 10


def print_diagnostics(report, verbose=False) -> None:
    """Warnings always; notes (a module not downloaded, a link not followed) up to ten
    unless --verbose, so a large repository's CI log stays readable."""
    name = report.namer or (lambda f: f)
    notes = 0
    for d in report.diagnostics:
        if d.level == "note":
            notes += 1
            if notes > NOTES_SHOWN and not verbose:
                continue
        where = f"{safe_name(name(d.file))}:{d.line}" if d.line else safe_name(name(d.file))
        click.echo(log_line(f"walint: {d.level}: {where}: {safe_message(d.message)}"), err=True)
    if notes > NOTES_SHOWN and not verbose:
        click.echo(f"walint: note: {notes - NOTES_SHOWN} more notes not shown (--verbose lists them)",
                   err=True)
    for e in report.internal_errors:
        click.echo(log_line(f"walint: internal error: {e}"), err=True)


def print_stale(report) -> None:
    """Baseline entries no finding matches any more: the baseline can shrink."""
    info = getattr(report, "baseline", None) or {}
    stale = info.get("stale") or []
    if not stale:
        return
    n = len(stale)
    click.echo(log_line(f"walint: baseline {info.get('file')}: {n} entr{'ies' if n != 1 else 'y'} "
                    f"no longer match{'es' if n == 1 else ''} a finding (walint scan --create-baseline "
                    f"{info.get('file')} rewrites it without {'it' if n == 1 else 'them'}):"),
               err=True)
    for e in stale:
        click.echo(log_line(f"walint:   {e['rule']} {safe_name(e['file'])} {safe_name(e['address'])} "
                            f"{e['fingerprint']}"),
                   err=True)


def use_color(fmt, output) -> bool:
    return (fmt == "text" and not output and sys.stdout.isatty()
            and "NO_COLOR" not in os.environ)


def _explicit_paths(paths, options):
    """--force-exclude: files named on the command line obey `exclude` too (pre-commit)."""
    if not options.exclude:
        return list(paths)
    return [p for p in paths if os.path.isdir(p) or not options.exclude(p)]


def _tune_gc():
    """A scan builds a large graph that lives until the process ends; with Python's
    default thresholds the cycle collector walks it again and again (a quarter of the
    CPU on the corpus). What is loaded so far is frozen out of collection and the first
    generation made larger; peak memory stays the same (docs/benchmarks.md)."""
    gc.freeze()
    gc.set_threshold(10_000, 20, 100)


@click.command()
@scan_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write findings to this file instead of standard output.")
@click.option("--fail-on", type=click.Choice(("error", "warning", "note", "never")), default=None,
              help="Lowest level that makes the exit code 1 (default error).")
@click.option("--show-unknown", is_flag=True, default=None,
              help="Also list the checks that could not be decided, and why.")
@click.option("--baseline", "baseline", type=click.Path(dir_okay=False), default=None,
              help="Report only findings that are not in this baseline file.")
@click.option("--create-baseline", "create_baseline", type=click.Path(dir_okay=False),
              default=None, help="Record today's findings in this baseline file.")
@click.option("--no-inline-ignores", is_flag=True, default=False,
              help="Ignore walint:ignore comments and Metadata suppressions.")
@click.option("--report-unused-ignores", is_flag=True, default=None,
              help="Report suppressions that match no finding (WAL-SUP-003).")
@click.option("--force-exclude", is_flag=True, default=False,
              help="Apply the configuration's exclude globs to files named on the command "
                   "line too (for pre-commit).")
def scan(fmt, output, create_baseline=None, force_exclude=False, verbose=False, **kwargs):
    """Scan CloudFormation and Terraform under PATHS (default: the current directory)."""
    from walint.engine import baseline as baseline_mod
    from walint.engine.run import scan as run_scan
    from walint.reporters import render

    if create_baseline and kwargs.get("baseline"):
        raise UsageError("--baseline and --create-baseline exclude each other "
                         "(--create-baseline alone rewrites a baseline)")
    options = settings.build(**kwargs)
    if options.baseline:
        baseline_mod.read(options.baseline)      # a bad file fails before the scan
    paths = list(kwargs["paths"] or ["."])
    if force_exclude and kwargs["paths"]:
        paths = _explicit_paths(paths, options)
        if not paths:  # every named file is excluded: an empty scan, not the whole tree
            options.exclude = lambda p: True
            paths = ["."]
    _tune_gc()
    report = run_scan(paths, options)
    if create_baseline:
        count = baseline_mod.write(create_baseline, report.results)
        baseline_mod.apply(report.results, baseline_mod.read(create_baseline), create_baseline)
        report.baseline = {"file": create_baseline, "stale": []}
        click.echo(log_line(f"walint: wrote baseline {create_baseline} "
                        f"({count} finding{'s' if count != 1 else ''})"), err=True)
    print_diagnostics(report, verbose)
    print_stale(report)
    write_output(render(report, fmt, color=use_color(fmt, output)), output)
    raise SystemExit(report.exit_code())

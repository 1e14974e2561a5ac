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


def use_color(fmt, output, choice="auto") -> bool:
    """Colour only for the text format. `--color always|never` decides; with `auto`, a
    file gets none, NO_COLOR (https://no-color.org) turns it off, FORCE_COLOR on (CI logs
    that render colour), else a terminal on standard output turns it on."""
    if fmt != "text" or choice == "never":
        return False
    if choice == "always":
        return True
    if output or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0", "false"):
        return True
    return sys.stdout.isatty()


def parse_outputs(values, fmt) -> list:
    """`-o` values -> [(format, file or None for standard output)], in command-line order.

    `-o FORMAT=FILE` writes that format to FILE, `-o FORMAT` to standard output, and
    `-o FILE` (CONTRACT.md's form) writes `--format`'s format to FILE. Without `-o`,
    `--format` goes to standard output. One scan, several reports (the GitHub Action
    writes SARIF, annotations and the summary from one run)."""
    from walint.reporters import FORMATS

    if not values:
        return [(fmt, None)]
    outputs = []
    for value in values:
        name, sep, path = value.partition("=")
        if not sep and value in FORMATS:
            outputs.append((value, None))
        elif sep and name in FORMATS:
            if not path:
                raise UsageError(f"-o {value}: the file name is missing (-o {name} alone "
                                 f"writes to standard output)")
            outputs.append((name, path))
        else:
            outputs.append((fmt, value))
    stdout = [f for f, path in outputs if path is None]
    if len(stdout) > 1:
        raise UsageError(f"-o: only one format can go to standard output ({', '.join(stdout)} "
                         f"were given without a file)")
    files = [path for _, path in outputs if path is not None]
    for path in files:
        if files.count(path) > 1:
            raise UsageError(f"-o: {path} is named twice")
        if os.path.isdir(path):
            raise UsageError(f"-o: {path} is a directory")
    return outputs


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
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Format of standard output (or of -o FILE).")
@click.option("-o", "--output", "outputs", multiple=True, metavar="[FORMAT=]FILE|FORMAT",
              help="Where findings go; repeatable, one scan: -o sarif=walint.sarif "
                   "-o markdown=summary.md -o github (a FORMAT alone: standard output; "
                   "a FILE alone: --format's format).")
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
@click.option("--allow-empty", is_flag=True, default=None,
              help="Exit 0 when the paths hold no CloudFormation or Terraform file "
                   "(default: exit 2, a gate pointed at the wrong folder must not pass).")
@click.option("--exit-zero", is_flag=True, default=False,
              help="Exit 0 even when findings reach --fail-on (usage errors still exit 2).")
@click.option("-q", "--quiet", is_flag=True, default=False,
              help="Only findings on standard output and errors on standard error: no notes, "
                   "warnings or baseline messages.")
@click.option("--color", "color", type=click.Choice(("auto", "always", "never")), default="auto",
              show_default=True,
              help="Colour the text format (auto: on a terminal; NO_COLOR and FORCE_COLOR "
                   "are honoured).")
def scan(fmt, outputs=(), create_baseline=None, force_exclude=False, verbose=False,
         exit_zero=False, quiet=False, color="auto", **kwargs):
    """Scan CloudFormation and Terraform under PATHS (default: the current directory)."""
    from walint.engine import baseline as baseline_mod
    from walint.engine.run import scan as run_scan
    from walint.reporters import render

    if create_baseline and kwargs.get("baseline"):
        raise UsageError("--baseline and --create-baseline exclude each other "
                         "(--create-baseline alone rewrites a baseline)")
    targets = parse_outputs(outputs, fmt)
    options = settings.build(**kwargs)
    if options.baseline:
        baseline_mod.read(options.baseline)      # a bad file fails before the scan
    paths = list(kwargs["paths"] or ["."])
    if force_exclude and kwargs["paths"]:
        paths = _explicit_paths(paths, options)
        if not paths:  # every named file is excluded: an empty scan, not the whole tree
            options.exclude = lambda p: True
            options.require_input = False
            paths = ["."]
    _tune_gc()
    report = run_scan(paths, options)
    if create_baseline:
        count = baseline_mod.write(create_baseline, report.results)
        baseline_mod.apply(report.results, baseline_mod.read(create_baseline), create_baseline)
        report.baseline = {"file": create_baseline, "stale": []}
        if not quiet:
            click.echo(log_line(f"walint: wrote baseline {create_baseline} "
                                f"({count} finding{'s' if count != 1 else ''})"), err=True)
    if quiet:
        for e in report.internal_errors:
            click.echo(log_line(f"walint: internal error: {e}"), err=True)
    else:
        print_diagnostics(report, verbose)
        print_stale(report)
    for out_fmt, path in targets:
        write_output(render(report, out_fmt, color=use_color(out_fmt, path, color)), path)
    code = report.exit_code()
    raise SystemExit(0 if exit_zero and code == 1 else code)

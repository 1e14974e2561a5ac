"""`walint graph`: the resource graph walint built, for debugging a finding and for
comparing with Terraform's own plan (CONTRACT.md)."""
from __future__ import annotations

import click

from walint.cli import settings
from walint.cli.options import scan_options
from walint.cli.scan_cmd import print_diagnostics, write_output


@click.command()
@scan_options
@click.option("--format", "fmt", type=click.Choice(("json", "dot", "mermaid")), default="json",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None)
def graph(fmt, output, verbose=False, **kwargs):
    """Print the resource graph built from PATHS."""
    from walint.engine.run import scan as run_scan
    from walint.reporters import graph_report

    options = settings.build(**kwargs)
    report = run_scan(kwargs["paths"] or ["."], options)
    print_diagnostics(report, verbose)
    write_output(graph_report.render(report, fmt), output)

"""The `walint` command: a group of one module per subcommand.

Usage and configuration errors end with exit 2 and one line on standard error; an
unexpected exception is a bug and exits 3 with a one-line message.
"""
from __future__ import annotations

import sys

import click

from walint import __version__
from walint.cli.explain_cmd import explain
from walint.cli.graph_cmd import graph
from walint.cli.rules_cmd import rules
from walint.cli.scan_cmd import scan
from walint.engine.errors import UsageError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="walint", message="%(prog)s %(version)s")
def cli():
    """walint: Well-Architected compliance linter for CloudFormation and Terraform."""


cli.add_command(scan)
cli.add_command(rules)
cli.add_command(explain)
cli.add_command(graph)


def main(argv=None):
    try:
        code = cli.main(args=argv, prog_name="walint", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # pragma: no cover - click >= 8.2
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        code = 2
    except click.UsageError as exc:
        click.echo(f"walint: error: {exc.format_message()}", err=True)
        code = 2
    except UsageError as exc:
        click.echo(f"walint: error: {exc}", err=True)
        code = 2
    except click.exceptions.Abort:
        click.echo("walint: aborted", err=True)
        code = 130
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # a bug: say so in one line, never a traceback
        click.echo(f"walint: internal error: {type(exc).__name__}: {exc} "
                   f"(please report it; WALINT_DEBUG=1 shows the traceback)", err=True)
        if __import__("os").environ.get("WALINT_DEBUG"):
            raise
        code = 3
    sys.exit(code if isinstance(code, int) else 0)

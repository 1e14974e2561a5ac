"""The `walint` command: a group of one module per subcommand.

Usage and configuration errors end with exit 2 and one line on standard error; an
unexpected exception is a bug and exits 3 with a one-line message.

Start-up is kept short (pre-commit runs walint on every commit): `walint --version`
imports neither click nor any command, and each subcommand's module is imported only
when that command runs (or when help lists it).
"""
from __future__ import annotations

import sys

from walint import __version__

_COMMANDS = {"scan": ("walint.cli.scan_cmd", "scan"), "rules": ("walint.cli.rules_cmd", "rules"),
             "explain": ("walint.cli.explain_cmd", "explain"), "graph": ("walint.cli.graph_cmd", "graph")}

_CLI = None


def _cli():
    """The click group, built on first use."""
    global _CLI
    if _CLI is not None:
        return _CLI
    import click

    class _LazyGroup(click.Group):
        def list_commands(self, ctx):
            return sorted(_COMMANDS)

        def resolve_command(self, ctx, args):
            name = args[0] if args else ""
            if name and not name.startswith("-") and name not in _COMMANDS:
                import difflib

                near = difflib.get_close_matches(name, sorted(_COMMANDS), n=1)
                if near:
                    ctx.fail(f"No such command '{name}'. Did you mean '{near[0]}'?")
            return super().resolve_command(ctx, args)

        def get_command(self, ctx, name):
            if name not in _COMMANDS:
                return None
            import importlib

            module, attr = _COMMANDS[name]
            return getattr(importlib.import_module(module), attr)

    @click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, "--version", prog_name="walint", message="%(prog)s %(version)s")
    def cli():
        """walint: Well-Architected compliance linter for CloudFormation and Terraform."""

    _CLI = cli
    return cli


def __getattr__(name):  # `walint.cli.main.cli`, as before
    if name == "cli":
        return _cli()
    raise AttributeError(name)


def main(argv=None):
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:
        sys.stdout.write(f"walint {__version__}\n")
        sys.stdout.flush()
        sys.exit(0)
    import click

    from walint.engine.errors import UsageError
    from walint.reporters.safe import log_line

    try:
        from walint.cli import installed

        installed.check()
        code = _cli().main(args=argv, prog_name="walint", standalone_mode=False)
    except getattr(click.exceptions, "NoArgsIsHelpError", ()) as exc:  # pragma: no cover - click >= 8.2
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        code = 2
    except click.UsageError as exc:
        click.echo(log_line(f"walint: error: {exc.format_message()}"), err=True)
        code = 2
    except UsageError as exc:
        click.echo(log_line(f"walint: error: {exc}"), err=True)
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
        click.echo(log_line(f"walint: internal error: {type(exc).__name__}: {exc} "
                            f"(please report it; WALINT_DEBUG=1 shows the traceback)"), err=True)
        if __import__("os").environ.get("WALINT_DEBUG"):
            raise
        code = 3
    sys.exit(code if isinstance(code, int) else 0)

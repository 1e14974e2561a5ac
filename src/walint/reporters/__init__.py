"""Reporters render a Report; `render(report, fmt)` picks one (imported only when used)."""
from importlib import import_module

FORMATS = ("text", "json", "sarif", "github", "markdown")


def render(report, fmt: str, *, color: bool = False) -> str:
    module = import_module(f"walint.reporters.{fmt}_report")
    return module.render(report, color=color)

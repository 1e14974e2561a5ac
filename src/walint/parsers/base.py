"""What every parser returns: resources plus diagnostics, never an exception."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Diagnostic:
    """Something a user should know about their input.

    level "error" with code "WAL-PARSE-001" becomes a parse-error finding (exit 1);
    "warning" and "note" are printed to standard error and listed in SARIF's
    toolExecutionNotifications.
    """

    file: str
    line: int | None
    message: str
    level: str = "error"           # "error" | "warning" | "note"
    code: str = "WAL-PARSE-001"


@dataclass
class ParseResult:
    resources: list = field(default_factory=list)     # list[walint.model.resource.Resource]
    diagnostics: list = field(default_factory=list)   # list[Diagnostic]
    files: list = field(default_factory=list)         # every file read, as given

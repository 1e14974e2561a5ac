"""What every parser returns: resources plus diagnostics, never an exception."""
from __future__ import annotations

from dataclasses import dataclass, field

from walint.engine import boundary
from walint.engine.boundary import MAX_FILE_BYTES, ReadError


@dataclass(frozen=True)
class Diagnostic:
    """Something a user should know about their input.

    level "error" with code "WAL-PARSE-001" becomes a parse-error finding (exit 1);
    code "WAL-PARSE-002" (made by `incomplete`) an incomplete-evaluation finding;
    "warning" and "note" are printed to standard error and listed in SARIF's
    toolExecutionNotifications.
    """

    file: str
    line: int | None
    message: str
    level: str = "error"           # "error" | "warning" | "note"
    code: str = "WAL-PARSE-001"
    address: str = ""              # the resource or module concerned, when there is one


INCOMPLETE = "WAL-PARSE-002"


class Incomplete(Exception):
    """Raised where evaluation must stop on purpose (a budget used up): the reader that
    catches it reports WAL-PARSE-002 with this message at the resource, module or unit
    it was evaluating, and goes on with the next one."""


def why_stopped(exc: BaseException) -> str:
    """The reason of a WAL-PARSE-002 finding for an exception caught by a reader."""
    if isinstance(exc, Incomplete):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "its expressions nest too deeply"
    if isinstance(exc, MemoryError):
        return "it needs more memory than there is"
    return f"internal error ({type(exc).__name__}: {exc})"


def incomplete(file: str, line: int | None, reason: str, address: str = "") -> Diagnostic:
    """Something walint could not fully evaluate: a unit stopped by a time limit or a
    budget, a resource dropped by an internal error. It becomes a `WAL-PARSE-002`
    finding (exit 1), never a warning the scan passes over (docs/security.md)."""
    return Diagnostic(file, line, reason, "error", INCOMPLETE, address)


@dataclass
class ParseResult:
    resources: list = field(default_factory=list)     # list[walint.model.resource.Resource]
    diagnostics: list = field(default_factory=list)   # list[Diagnostic]
    files: list = field(default_factory=list)         # every file read, as given
    exports: list = field(default_factory=list)       # CloudFormation exports (cloudformation/exports.py)


MAX_INT_DIGITS = 4000   # below Python's int-str conversion limit (4300 digits)


def number(text):
    """A decimal integer literal (str or bytes) as a number, never an exception: exact up
    to MAX_INT_DIGITS digits, beyond that a float (inf past float's range). A hostile
    5,001-digit literal stays a number and the resource holding it is still checked;
    Python's limit exists because longer conversions take quadratic time."""
    digits = len(text) - (1 if text[:1] in ("+", "-", b"+", b"-") else 0)
    return int(text) if digits <= MAX_INT_DIGITS else float(text)


def loads_json(text):
    """json.loads with huge integers kept as numbers (see `number`)."""
    import json

    return json.loads(text, parse_int=number)


MAX_SOURCE_BYTES = MAX_FILE_BYTES   # an IaC file larger than this is reported, not read
SourceError = ReadError             # a source file that cannot be read; the message is for the user


def read_source(path: str, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a regular file inside the read boundary (walint.engine.boundary),
    refusing FIFOs, devices, files outside it and files over `limit`."""
    return boundary.read(path, limit=limit)


def encoding_problem(data: bytes) -> str | None:
    """Why `data` is not UTF-8 text walint can read, or None when it is fine."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "file is encoded as UTF-16; save it as UTF-8"
    if data.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        return "file is encoded as UTF-32; save it as UTF-8"
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return f"file is binary (a NUL byte on line {line}), not text"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {line})"
    return None

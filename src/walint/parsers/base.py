"""What every parser returns: resources plus diagnostics, never an exception."""
from __future__ import annotations

from dataclasses import dataclass, field

from walint.engine import boundary
from walint.engine.boundary import MAX_FILE_BYTES, ReadError


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

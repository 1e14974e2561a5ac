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
    exports: list = field(default_factory=list)       # CloudFormation exports (cloudformation/exports.py)


MAX_SOURCE_BYTES = 32 << 20   # an IaC file larger than this is reported, not read


class SourceError(Exception):
    """A source file that cannot be read; the message is for the user."""


def read_source(path: str, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a regular file, refusing FIFOs, devices and files over `limit`.

    Opening with O_NONBLOCK means a FIFO that appeared after the check cannot block.
    """
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SourceError("not a regular file; skipped")
        if st.st_size > limit:
            raise SourceError(f"file is too large to read ({st.st_size / (1 << 20):.0f} MB; "
                              f"the limit is {limit >> 20} MB)")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise SourceError(f"file is too large to read (over {limit >> 20} MB)")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


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

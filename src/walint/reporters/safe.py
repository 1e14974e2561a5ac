"""The one place where text that walint did not write is made safe for an output channel.

Resource names, paths, values, suppression reasons and configuration keys come from the
scanned repository, which may be written by an attacker (docs/security.md). Before any
of it reaches a terminal, a CI log, GitHub (annotations, step summary, code scanning) or
a JSON consumer:

* control characters (C0, DEL, C1: escape sequences, newlines, NUL), the line and
  paragraph separators, bidirectional overrides and isolates (U+202A-202E, U+2066-2069,
  U+200E/200F, U+061C) and invisible characters (zero-width U+200B-200D, U+2060-2064,
  U+FEFF, tag characters, ...) become visible escapes such as `\\x1b` or `\\u202e`, so
  nothing can start a line, move the cursor, reorder what a reviewer reads or hide, and
  `##[` (GitHub's older workflow-command form, read anywhere in a line) becomes `##\\[`;
* a name (resource address, file path, key) is cut to `MAX_NAME` characters and a
  message to `MAX_MESSAGE`, with an ellipsis, so one 600 KB key cannot fill a log.

Every function here is idempotent: applying it twice gives the same text.
"""
from __future__ import annotations

import re

MAX_NAME = 200         # characters of a name or value embedded in a message
MAX_MESSAGE = 1000     # characters of one finding's or diagnostic's message
ELLIPSIS = "\u2026"

_INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
              "\u202a-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb\U000e0000-\U000e007f")
_UNSAFE = re.compile(rf"[\x00-\x1f\x7f-\x9f\u2028\u2029{_INVISIBLE}]")


def _escape(m) -> str:
    code = ord(m.group())
    if code < 256:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def cut(text: str, limit: int) -> str:
    """`text` at most `limit` characters, the last one an ellipsis when it was longer."""
    return text if len(text) <= limit else text[:max(limit - 1, 0)] + ELLIPSIS


def safe(text, limit: int | None = None) -> str:
    """Text from outside walint as one inert line (optionally cut to `limit`)."""
    text = str(text)
    if limit is not None and len(text) > 4 * limit:     # no need to escape what is cut
        text = text[:4 * limit]
    # GitHub's runner also reads the older `##[command]` form anywhere in a line
    out = _UNSAFE.sub(_escape, text).replace("##[", "##\\[")
    return cut(out, limit) if limit is not None else out


def name(text) -> str:
    """A resource address, file path or key, as it may appear in any output."""
    return safe(text, MAX_NAME)


def message(text, names=()) -> str:
    """A message for any output: each long name in `names` that the message quotes is cut
    to MAX_NAME first (a rule quotes addresses and values whole), then the message is
    made safe and cut to MAX_MESSAGE."""
    text = str(text)
    for n in names:
        if n and len(n) > MAX_NAME and n in text:
            text = text.replace(n, cut(n, MAX_NAME))
    return safe(text, MAX_MESSAGE)


def _no_command(line: str) -> str:
    """GitHub's runner reads a line as a workflow command when it starts with `::` after
    leading spaces: the first colon of such a line becomes the visible escape `\\x3a`."""
    body = line.lstrip()
    if not body.startswith("::"):
        return line
    return line[:len(line) - len(body)] + "\\x3a" + body[1:]


def no_commands(text: str) -> str:
    """A report whose lines never start with `::` (a file named `::error ...` would be a
    workflow command in a CI log)."""
    if "::" not in text:
        return text
    return "\n".join(_no_command(line) for line in text.split("\n"))


def log_line(text) -> str:
    """One line for standard error: safe, bounded, and never starting with `::` (GitHub
    reads workflow commands from standard error too)."""
    return _no_command(safe(text, 4 * MAX_MESSAGE))

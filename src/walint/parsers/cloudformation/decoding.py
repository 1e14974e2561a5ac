"""Reading one template file: bytes -> decoded tree with source marks, or a Diagnostic.

cfn-lint's decoder is the reader (it keeps line numbers on every mapping, sequence and
string, turns every short-form tag into its long form and rejects duplicate keys). It is
imported on first use only: the import costs most of a second.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from walint.engine import boundary
from walint.parsers.base import Diagnostic

from . import fastyaml

MAX_DEPTH = 128          # real templates nest a few dozen levels at most
MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Decoded:
    path: str
    template: dict | None = None
    diagnostics: list = field(default_factory=list)
    comments: list = field(default_factory=list)     # [(line, text)] sorted by line
    _comment_lines: list = field(default_factory=list)
    lines: list | None = None

    def comments_between(self, first: int, last: int) -> list:
        lo = bisect.bisect_left(self._comment_lines, first)
        hi = bisect.bisect_right(self._comment_lines, last)
        return self.comments[lo:hi]

    def comment_block_above(self, line: int) -> int:
        """First line of the run of comment-only lines that ends right above `line`."""
        if self.lines is None:
            return line
        first = line
        while first - 2 >= 0 and self.lines[first - 2].lstrip().startswith("#"):
            first -= 1
        return first


def position(node) -> tuple[int, int] | None:
    """(line, column), 1-based, of a decoded node, or None when it carries no mark."""
    mark = getattr(node, "start_mark", None)
    if mark is None:
        return None
    line, col = getattr(mark, "line", None), getattr(mark, "column", None)
    if line is None or col is None:
        return None
    if type(mark).__module__.startswith("cfnlint"):
        # cfn-lint's own JSON decoder: line 0-based, column already 1-based
        return (line + 1, max(col, 1))
    return (line + 1, col + 1)


def end_line(node, lines: list | None) -> int | None:
    """Last line of a node's source, not counting trailing blank and comment lines."""
    mark = getattr(node, "end_mark", None)
    start = position(node)
    if mark is None or start is None:
        return None
    line0 = mark.line
    if type(mark).__module__.startswith("cfnlint"):
        return max(line0 + 1, start[0])
    if lines is None or line0 >= len(lines):
        last = min(line0, len(lines) if lines else line0)
    elif lines[line0][: mark.column].strip():
        return line0 + 1                      # ends inside this line (flow style)
    else:
        last = line0                          # ended on the line before (block style)
    while last > start[0] and lines and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
        last -= 1
    return max(last, start[0])


_TRAILING = re.compile(r"\s#")
# YAML's line breaks, so that line numbers agree with the parser's marks (str.splitlines
# also splits at \x1c-\x1e, which YAML takes as ordinary characters).
_LINE_BREAK = re.compile("\r\n|\r|\n|\x85|\u2028|\u2029")


def _scan_comments(lines: list) -> list:
    out = []
    for i, line in enumerate(lines, 1):
        if "#" not in line:
            continue
        stripped = line.lstrip()
        if stripped.startswith("#"):
            out.append((i, stripped.rstrip()))
            continue
        for m in _TRAILING.finditer(line):
            before = line[: m.start()]
            if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
                out.append((i, line[m.start() + 1:].rstrip()))
                break
    return out


def _too_deep(root) -> bool:
    stack = [(root, 1)]
    seen = set()
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if id(node) in seen:              # shared by a YAML alias: already walked
            continue
        seen.add(id(node))
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


_BRACKET = re.compile(r"[\[\]{}]")
MAX_FLOW_DEPTH = 256


def _flow_too_deep(text: str) -> int | None:
    """Line where brackets nest deeper than MAX_FLOW_DEPTH, else None.

    Deeply nested flow collections make the YAML parser slow (quadratic) and, past some
    tens of thousands of levels, crash the process, so they are refused before parsing.
    Brackets inside strings are counted too: harmless, the limit is far above real use.
    """
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return None
    depth = 0
    for m in _BRACKET.finditer(text):
        if m.group() in "[{":
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                return text.count("\n", 0, m.start()) + 1
        elif depth:
            depth -= 1
    return None


def _diag(path, line, message) -> Diagnostic:
    return Diagnostic(path, line, message)


def decode_file(path: str) -> Decoded:
    out = Decoded(path)
    try:
        data = boundary.read(path, head=MAX_BYTES + 1)
    except boundary.ReadError as exc:
        out.diagnostics.append(_diag(path, None, f"cannot read the file: {str(exc).removeprefix('cannot read: ')}"))
        return out
    return decode_bytes(path, data, out)


def decode_bytes(path: str, data: bytes, out: Decoded | None = None) -> Decoded:
    out = out or Decoded(path)
    if len(data) > MAX_BYTES:
        out.diagnostics.append(_diag(path, None, f"template is larger than {MAX_BYTES // (1024 * 1024)} MiB"))
        return out
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        out.diagnostics.append(_diag(path, line, "binary file (contains NUL bytes), not a YAML or JSON template"))
        return out
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        out.diagnostics.append(_diag(path, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"))
        return out
    return decode_text(path, text, out)


def _reference_decode(text: str, out: Decoded):
    """cfn-lint's decoder: for texts the fast reader rejects, so errors are its own."""
    from cfnlint.decode import decode_str  # lazy: ~0.7 s import

    try:
        return decode_str(text)
    except RecursionError:
        out.diagnostics.append(_diag(out.path, None, "template nests too deeply to be read"))
    except Exception as exc:  # the decoder should not raise; never let it escape
        out.diagnostics.append(_diag(out.path, None, f"template could not be parsed: {exc}"))
    return None, None


def decode_text(path: str, text: str, out: Decoded | None = None) -> Decoded:
    out = out or Decoded(path)
    from walint.engine import budgets

    try:
        # bounded before decoding: every value but the first follows a `,` `[` `{` or,
        # in YAML, a line break (a 28 MB JSON array of arrays took 48 s and 1 GB)
        bound = text.count(",") + text.count("[") + text.count("{") + 1
        budgets.check_nodes(bound + (0 if text.lstrip().startswith("{") else text.count("\n")),
                            path, None, "the template")
    except budgets.BudgetExceeded as exc:
        out.diagnostics.append(exc.diagnostic(path))
        return out
    out.lines = _LINE_BREAK.split(text)
    deep = _flow_too_deep(text)
    if deep is not None:
        out.diagnostics.append(_diag(path, deep, f"template nests more than {MAX_FLOW_DEPTH} levels deep"))
        return out
    opened = None
    try:
        template, matches = fastyaml.loads(text), None
    except fastyaml.NotATemplate as exc:
        template, matches, opened = None, exc.matches, exc.opened
    except fastyaml.Rejected:
        template, matches = _reference_decode(text, out)
        if template is None and matches is None:
            return out
        matches = [(getattr(m, "linenumber", None), m.message) for m in matches or ()]
    if matches:
        messages = []
        for _, message in matches[:3]:
            if message not in messages:
                messages.append(message)
        message = "; ".join(messages)
        if "recursion depth" in message:
            message = "template nests too deeply to be read"
        line = matches[0][0]
        if line and line > 0:
            last = len(out.lines) - (out.lines[-1] == "")     # a final line break opens no line
            at_end = line > last or not "".join(out.lines[line - 1:]).strip()
            line = min(line, last)                            # never past the end
            if opened and opened[0] != line:
                # an unclosed `[`, `{` or quote: reported where it starts
                where = "at the end of the file" if at_end else f"at line {line}"
                message, line = f"{message} {where} (in the {opened[1]} that starts here)", opened[0]
            elif opened:
                message = f"{message} (in the {opened[1]} that starts here)"
        out.diagnostics.append(_diag(path, line if line and line > 0 else None, message))
        return out
    if not isinstance(template, dict):
        out.diagnostics.append(_diag(path, 1, "a template must be a mapping at the top level"))
        return out
    if _too_deep(template):
        out.diagnostics.append(_diag(path, None, f"template nests more than {MAX_DEPTH} levels deep"))
        return out
    out.template = template
    if not text.lstrip().startswith("{"):
        comments = _scan_comments(out.lines)
        if comments:
            inside = _multiline_string_lines(template)
            comments = [c for c in comments if c[0] not in inside]
        out.comments = comments
        out._comment_lines = [c[0] for c in comments]
    return out


def _multiline_string_lines(root) -> set:
    """Lines inside multi-line strings (a `|` UserData script's `#` lines are not comments)."""
    lines: set = set()
    stack = [root]
    seen = set()
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if id(node) in seen:
                continue
            seen.add(id(node))
            values = list(node.values())
            if len(node) == 1 and isinstance(values[0], str) and not hasattr(values[0], "start_mark"):
                _span(node, lines)          # !Sub | ... : the tag's node carries the marks
            stack.extend(values)
        elif isinstance(node, list):
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.extend(node)
        elif isinstance(node, str) and "\n" in node:
            _span(node, lines)
    return lines


def _span(node, lines: set):
    start, end = getattr(node, "start_mark", None), getattr(node, "end_mark", None)
    if start is not None and end is not None and end.line > start.line:
        lines.update(range(start.line + 2, end.line + 1))

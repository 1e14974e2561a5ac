"""Terraform source text to a small syntax tree, on tree-sitter-hcl.

The tree keeps what the evaluator needs and a (line, column) for every node, both
1-based. Native syntax (.tf, .tfvars) goes through tree-sitter; JSON syntax (.tf.json,
.tfvars.json) is read as an HCL expression (JSON is, give or take, a subset of HCL's
expression syntax, and its strings are HCL templates) and then re-shaped into blocks.
"""
from __future__ import annotations

import bisect
import os
import re

from walint.parsers.base import loads_json, number

MAX_NESTING = 256          # deeper expressions are cut off with a diagnostic

# --------------------------------------------------------------------------- nodes


class Node:
    __slots__ = ("line", "col")


def variables_used(node) -> list:
    """The names of the `var.NAME` references in an expression, in order, once each."""
    out: list = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, GetAttr) and isinstance(n.obj, Var) and n.obj.name == "var":
            if n.name not in out:
                out.append(n.name)
        elif isinstance(n, Node):
            stack.extend(getattr(n, s, None) for s in type(n).__slots__ if s not in ("line", "col"))
        elif isinstance(n, (list, tuple)):
            stack.extend(n)
    return out


class Lit(Node):
    __slots__ = ("value",)

    def __init__(self, value, line, col):
        self.value, self.line, self.col = value, line, col


class Template(Node):
    """parts: str, or Node (an interpolation), or ("if", cond, then_parts, else_parts),
    or ("for", key_var, value_var, coll, parts)."""
    __slots__ = ("parts", "strip")

    def __init__(self, parts, line, col):
        self.parts, self.line, self.col = parts, line, col


class Var(Node):
    __slots__ = ("name",)

    def __init__(self, name, line, col):
        self.name, self.line, self.col = name, line, col


class GetAttr(Node):
    __slots__ = ("obj", "name")

    def __init__(self, obj, name, line, col):
        self.obj, self.name, self.line, self.col = obj, name, line, col


class Index(Node):
    __slots__ = ("obj", "key")

    def __init__(self, obj, key, line, col):
        self.obj, self.key, self.line, self.col = obj, key, line, col


class Splat(Node):
    """obj[*] followed by `ops`, a list of ("attr", name) / ("index", Node)."""
    __slots__ = ("obj", "ops", "full")

    def __init__(self, obj, ops, full, line, col):
        self.obj, self.ops, self.full, self.line, self.col = obj, ops, full, line, col


class Call(Node):
    __slots__ = ("name", "args", "expand")

    def __init__(self, name, args, expand, line, col):
        self.name, self.args, self.expand, self.line, self.col = name, args, expand, line, col


class Cond(Node):
    __slots__ = ("cond", "then", "other")

    def __init__(self, cond, then, other, line, col):
        self.cond, self.then, self.other, self.line, self.col = cond, then, other, line, col


class BinOp(Node):
    __slots__ = ("op", "left", "right")

    def __init__(self, op, left, right, line, col):
        self.op, self.left, self.right, self.line, self.col = op, left, right, line, col


class UnOp(Node):
    __slots__ = ("op", "operand")

    def __init__(self, op, operand, line, col):
        self.op, self.operand, self.line, self.col = op, operand, line, col


class TupleExpr(Node):
    __slots__ = ("items",)

    def __init__(self, items, line, col):
        self.items, self.line, self.col = items, line, col


class ObjectExpr(Node):
    """items: list of (key Node, value Node); a bare identifier key is a Lit string."""
    __slots__ = ("items",)

    def __init__(self, items, line, col):
        self.items, self.line, self.col = items, line, col


class ForExpr(Node):
    __slots__ = ("key_var", "val_var", "coll", "key", "value", "cond", "group", "is_map")

    def __init__(self, key_var, val_var, coll, key, value, cond, group, is_map, line, col):
        self.key_var, self.val_var, self.coll = key_var, val_var, coll
        self.key, self.value, self.cond, self.group, self.is_map = key, value, cond, group, is_map
        self.line, self.col = line, col


class Bad(Node):
    """Something the reader could not turn into an expression."""
    __slots__ = ("why",)

    def __init__(self, why, line, col):
        self.why, self.line, self.col = why, line, col


class Attribute:
    """name = expr; the expression is converted from the tree the first time it is read."""
    __slots__ = ("name", "_expr", "line", "col", "_node", "_conv")

    def __init__(self, name, expr, line, col, node=None, conv=None):
        self.name, self._expr, self.line, self.col = name, expr, line, col
        self._node, self._conv = node, conv

    @property
    def expr(self):
        if self._expr is None and self._node is not None:
            conv, node = self._conv, self._node
            self._node = self._conv = None
            try:
                live_conv, live_node = conv.live(node)
                self._expr = live_conv.expr(live_node)
            except RecursionError:
                self._expr = Bad("expression nested too deeply", self.line, self.col)
            except Exception:
                raise
            except BaseException:
                # stopped (the engine's time limit): the tree is shared by later roots
                # in this process (loading._LOADED), so leave it readable again
                self._node, self._conv = node, conv
                raise
        return self._expr


class Block:
    """A block; its body is read from the tree the first time it is looked at."""
    __slots__ = ("type", "labels", "_attrs", "_blocks", "line", "col", "end_line", "file", "_pending", "memo")

    def __init__(self, type_, labels, line, col, end_line, file):
        self.type, self.labels = type_, labels
        self._attrs: dict[str, Attribute] = {}
        self._blocks: list[Block] = []
        self._pending = None
        self.memo = None      # the evaluator's per-block cache (a constant default)
        self.line, self.col, self.end_line, self.file = line, col, end_line, file

    def _materialize(self):
        conv, body = self._pending
        self._pending = None
        try:
            live_conv, live_body = conv.live(body)
            live_conv.body_into(self, live_body)
        except Exception:
            raise
        except BaseException:
            # stopped half-way (the engine's time limit): start again on the next look,
            # since the block is shared by later roots in this process
            self._attrs, self._blocks, self._pending = {}, [], (conv, body)
            raise

    @property
    def attrs(self) -> dict:
        if self._pending is not None:
            self._materialize()
        return self._attrs

    @property
    def blocks(self) -> list:
        if self._pending is not None:
            self._materialize()
        return self._blocks

    @blocks.setter
    def blocks(self, value):
        if self._pending is not None:
            self._materialize()
        self._blocks = value


class SourceFile:
    """One parsed file: its top-level blocks, comments and problems.

    Comments are collected from the tree the first time they are asked for.
    """

    def __init__(self, path):
        self.path = path
        self.body = Block("", [], 1, 1, 1, path)
        self.errors: list[tuple[int, str]] = []   # (line, message)
        self._comments = None
        self._comment_only = None
        self._comment_lines = None
        self._tree = None
        self._conv = None

    def detach(self):
        """Let the tree-sitter tree go (it takes about 80 bytes per byte of source, while
        a module waits in the evaluator's cache): comments are collected now, and what
        is not converted yet is found again in a new parse if it is ever needed."""
        if self._tree is not None and self._comments is None:
            self._load_comments()
        self._tree = None
        if self._conv is not None:
            self._conv.detach()

    def _load_comments(self):
        self._comments, self._comment_only = [], set()
        if self._tree is not None:
            root, src = self._tree
            self._tree = None
            # comments matter only as suppressions (`# walint:ignore ...`): a file that
            # never says "walint" has none worth collecting
            if _WALINT.search(src):
                _collect_comments(root, src, None, self._comments, self._comment_only)

    @property
    def comments(self):
        if self._comments is None:
            self._load_comments()
        return self._comments

    @property
    def comment_only_lines(self):
        if self._comment_only is None:
            self._load_comments()
        return self._comment_only


# ------------------------------------------------------------------ trees kept

# A tree-sitter tree takes about 80 bytes per byte of source. Trees are kept for the most
# recently used files up to this much source, and let go beyond it (SourceFile.detach):
# a file whose tree is gone re-reads a block only when a later root needs one not yet
# converted. Measured on the corpus with one worker (CPU, peak RSS): budget 0 8.0 s,
# 70 MB; 256 KiB 87 MB; 512 KiB 7.3 s, 105 MB; trees of the 32 cached modules kept
# 6.7-9 s, 150-170 MB (the machine is noisy: see docs/benchmarks.md).
TREE_BUDGET = int(os.environ.get("WALINT_TREE_BUDGET", str(256 * 1024)))
_KEPT: dict = {}            # id(SourceFile) -> (SourceFile, bytes), least recently used first


def keep_trees(files):
    """Mark `files` as just used; let the trees of the least recently used go beyond the
    budget."""
    for sf in files:
        if sf._conv is None:
            continue
        _KEPT.pop(id(sf), None)
        _KEPT[id(sf)] = (sf, len(sf._conv.src))
    total = sum(size for _, size in _KEPT.values())
    while total > TREE_BUDGET and _KEPT:
        sf, size = _KEPT.pop(next(iter(_KEPT)))
        sf.detach()
        total -= size


# --------------------------------------------------------------------------- parser

_PARSER = None
_CHUNK = 1 << 16


def ts_parse(src: bytes):
    """tree-sitter's parse, fed in chunks through a callback: the parse stays in C for
    one chunk at a time, so a signal (the engine's time limit) can stop a huge file."""
    if len(src) <= _CHUNK:
        return _parser().parse(src)
    return _parser().parse(lambda off, _pt: src[off:off + _CHUNK])


def require_runtime() -> None:
    """Stop with a usage error (exit 2) when the installed tree-sitter lacks what this
    module calls: with 0.24 (no QueryCursor) a file with a comment lost its resources and
    the scan said "0 findings". pyproject.toml's floor says the same; this also covers a
    source checkout run without installing."""
    import tree_sitter

    if not hasattr(tree_sitter, "QueryCursor"):
        from walint.engine.errors import UsageError

        raise UsageError("the installed tree-sitter is too old for walint (0.25 or newer is "
                         "needed to read Terraform): pip install 'tree-sitter>=0.25'")


def _parser():
    global _PARSER
    if _PARSER is None:
        import tree_sitter
        import tree_sitter_hcl
        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    return _PARSER


def decode_source(data: bytes):
    """Return (text, problem): problem is a message when the bytes are not UTF-8 text."""
    if b"\x00" in data:
        return None, "file is binary (contains NUL bytes), not Terraform text"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return None, f"file is not UTF-8 text (invalid byte at line {line})"
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


_BIN_OPS = {"+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"}
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESC_RE = re.compile(r'\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|\$\$\{|%%\{', re.S)


def unescape_quoted(s: str) -> str:
    if "\\" not in s and "$${" not in s and "%%{" not in s:
        return s

    def rep(m):
        t = m.group(0)
        if t == "$${":
            return "${"
        if t == "%%{":
            return "%{"
        c = m.group(1)
        if c in _ESCAPES:
            return _ESCAPES[c]
        if c[0] in "uU" and len(c) > 1:
            try:
                return chr(int(c[1:], 16))
            except ValueError:
                return t
        return t
    return _ESC_RE.sub(rep, s)


def unescape_heredoc(s: str) -> str:
    return s.replace("$${", "${").replace("%%{", "%{")


# an expression that is one string without escapes or templates, one decimal integer,
# true/false/null, or a dotted reference: converted from its text (_Converter.simple_expr)
_SIMPLE_EXPR = re.compile(rb'"[^"\\$%\n\r]*"|[0-9]+|[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*')


class _Span:
    """Where a tree node was: its bytes and type (see _Converter.detach)."""
    __slots__ = ("start", "end", "type")

    def __init__(self, node, base):
        self.start, self.end, self.type = node.start_byte + base, node.end_byte + base, node.type


class _Converter:
    """Turns one tree-sitter tree into nodes. `src` is the file's bytes."""

    def __init__(self, src: bytes, path: str, line_offset=0, col_offset_line1=0):
        self.src = src
        self.path = path
        self.errors: list[tuple[int, str]] = []
        self.depth = 0
        self.line_offset = line_offset
        self.col0 = col_offset_line1
        self.root = None        # the tree's root while it is kept (parse_native)
        self.pending = []       # blocks and attributes not converted yet
        self.base = 0           # file offset of this converter's first byte (a re-read block)
        self.tops = []          # (start byte, end byte, row, column) of top-level items
        self.rereads = {}       # top-level item index -> converter of its new parse

    # the tree, kept or found again ------------------------------------------------
    def detach(self):
        """Replace the tree nodes that pending blocks and attributes hold by their byte
        spans, so the trees can be freed; `live` finds them again when one is needed."""
        keep = []
        for obj in self.pending:
            if type(obj) is Attribute:
                if obj._node is None:
                    continue
                if type(obj._node) is not _Span:
                    obj._node = _Span(obj._node, obj._conv.base)
                obj._conv = self
            else:
                if obj._pending is None:
                    continue
                conv, body = obj._pending
                if type(body) is not _Span:
                    obj._pending = (self, _Span(body, conv.base))
            keep.append(obj)
        self.pending = keep
        self.root = None
        self.rereads = {}

    def live(self, n):
        """(converter, tree node) for `n`, which may be a span left by `detach`: the
        top-level block holding it is parsed again on its own (blocks are self-contained),
        padded and offset so that lines and columns stay the file's."""
        if type(n) is not _Span:
            return self, n
        i = bisect.bisect_right(self.tops, (n.start, float("inf"))) - 1
        sub = self.rereads.get(i) if i >= 0 else None
        if sub is None and i >= 0:
            start, end, row, col = self.tops[i]
            sub = _Converter(b" " * col + self.src[start:end], self.path, line_offset=row)
            sub.base, sub.pending = start - col, self.pending
            sub.root = ts_parse(sub.src).root_node
            self.rereads[i] = sub
        found = sub.find(n) if sub is not None else None
        if found is None:         # the block read differently alone (a file with errors)
            if self.root is None:
                self.root = ts_parse(self.src).root_node
            sub, found = self, self.find(n)
        if found is None:
            raise RuntimeError(f"{self.path}: lost the syntax node at byte {n.start}")
        return sub, found

    def find(self, n):
        start, end = n.start - self.base, n.end - self.base
        found = self.root.descendant_for_byte_range(start, end)
        while found is not None and not (found.type == n.type and found.start_byte == start
                                         and found.end_byte == end):
            found = found.parent
        return found

    # positions ---------------------------------------------------------------
    def pos(self, n):
        r, c = n.start_point
        if r == 0:
            c -= self.col0
        return r + 1 + self.line_offset, c + 1

    def text(self, n) -> str:
        return self.src[n.start_byte:n.end_byte].decode("utf-8", "replace")

    # bodies -------------------------------------------------------------------
    def body_into(self, block: Block, body_node):
        for ch in body_node.named_children:
            t = ch.type
            if t == "attribute":
                self.attribute_into(block, ch)
            elif t == "block":
                b = self.block(ch)
                if b is not None:
                    block.blocks.append(b)

    def attribute_into(self, block, n):
        name_node = n.child(0)
        if name_node is None or name_node.type != "identifier":
            return
        name = self.src[name_node.start_byte:name_node.end_byte].decode("utf-8", "replace")
        expr_node = n.child(2) if n.child_count == 3 else None
        if expr_node is None or expr_node.type != "expression":
            expr_node = None
            for ch in n.named_children[1:]:
                if ch.type == "expression":
                    expr_node = ch
                    break
        r, c = n.start_point
        line, col = r + 1 + self.line_offset, (c - self.col0 if r == 0 else c) + 1
        if expr_node is None:
            return
        attr = Attribute(name, None, line, col, expr_node, self)
        block.attrs[name] = attr
        self.pending.append(attr)

    def block(self, n):
        ident = None
        labels = []
        body = None
        end_line = n.end_point[0] + 1 + self.line_offset
        for ch in n.children:
            t = ch.type
            if t == "identifier" and ident is None:
                ident = self.text(ch)
            elif t == "identifier":
                labels.append(self.text(ch))
            elif t == "string_lit":
                labels.append(self.string_lit(ch))
            elif t == "body":
                body = ch
            elif t == "block_end":
                end_line = ch.start_point[0] + 1 + self.line_offset
        if ident is None:
            return None
        line, col = self.pos(n)
        b = Block(ident, labels, line, col, end_line, self.path)
        if body is not None:
            b._pending = (self, body)
            self.pending.append(b)
        return b

    def string_lit(self, n) -> str:
        parts = []
        for ch in n.children:
            if ch.type not in ("quoted_template_start", "quoted_template_end"):
                parts.append(self.text(ch))
        if parts:
            inner = self.src[n.children[0].end_byte:n.children[-1].start_byte].decode("utf-8", "replace") \
                if n.child_count >= 2 else "".join(parts)
        else:
            inner = ""
        return unescape_quoted(inner)

    # expressions ----------------------------------------------------------------
    def expr(self, n):
        quick = _SIMPLE_EXPR.fullmatch(self.src, n.start_byte, n.end_byte)
        if quick is not None:
            return self.simple_expr(quick, n)
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                line, col = self.pos(n)
                self.errors.append((line, "expression nested too deeply"))
                return Bad("expression nested too deeply", line, col)
            return self.seq(n.children, n)
        finally:
            self.depth -= 1

    def simple_expr(self, m, n):
        """A one-token literal or a plain reference (`var.x`, `aws_vpc.main.id`), read
        from the text: most attributes are one of these, and walking tree-sitter's nodes
        for them costs more than the rest of their conversion."""
        line, col = self.pos(n)
        text = m.group(0)
        c = text[0]
        if c == 34:                                      # "..." without escapes or templates
            return Lit(text[1:-1].decode("utf-8", "replace"), line, col)
        if 48 <= c <= 57:
            return Lit(number(text), line, col)
        if text == b"true" or text == b"false":
            return Lit(text == b"true", line, col)
        if text == b"null":
            return Lit(None, line, col)
        names = text.decode("ascii").split(".")
        cur = Var(names[0], line, col)
        col += len(names[0])
        for name in names[1:]:
            cur = GetAttr(cur, name, line, col)
            col += 1 + len(name)
        return cur

    def seq(self, children, parent):
        """A primary expression followed by postfix operations."""
        cur = None
        i = 0
        nch = len(children)
        if nch == 1:
            return self.term(children[0])
        children = [c for c in children if c.type != "comment"]
        nch = len(children)
        while i < nch:
            ch = children[i]
            t = ch.type
            if t == "(":
                # parenthesised expression
                j = i + 1
                inner = None
                while j < nch and children[j].type != ")":
                    if children[j].is_named and inner is None:
                        inner = self.expr(children[j]) if children[j].type == "expression" else self.term(children[j])
                    j += 1
                cur = inner if inner is not None else Bad("empty parentheses", *self.pos(ch))
                i = j + 1
                continue
            if cur is None:
                cur = self.term(ch)
            elif t == "get_attr":
                cur = self.get_attr(cur, ch)
            elif t == "index":
                cur = self.index(cur, ch)
            elif t == "splat":
                cur = self.splat(cur, ch)
            elif not ch.is_named:
                pass
            else:
                # unexpected; keep what we have
                pass
            i += 1
        if cur is None:
            line, col = self.pos(parent)
            return Bad("empty expression", line, col)
        return cur

    def get_attr(self, cur, ch):
        name = None
        for c in ch.children:
            if c.type == "identifier":
                name = self.text(c)
        line, col = self.pos(ch)
        if name is None:
            return Bad("bad attribute access", line, col)
        return GetAttr(cur, name, line, col)

    def index(self, cur, ch):
        line, col = self.pos(ch)
        inner = ch.named_children[0] if ch.named_child_count else None
        if inner is None:
            return Bad("bad index", line, col)
        if inner.type == "legacy_index":
            txt = self.text(inner).lstrip(".")
            try:
                return Index(cur, Lit(number(txt), line, col), line, col)
            except ValueError:
                return Bad("bad index", line, col)
        key = None
        for c in inner.named_children:
            if c.type == "expression":
                key = self.expr(c)
        if key is None:
            return Bad("bad index", line, col)
        return Index(cur, key, line, col)

    def splat(self, cur, ch):
        line, col = self.pos(ch)
        inner = ch.named_children[0] if ch.named_child_count else ch
        full = inner.type == "full_splat"
        ops = []
        for c in inner.children:
            if c.type == "get_attr":
                g = self.get_attr(None, c)
                if isinstance(g, GetAttr):
                    ops.append(("attr", g.name))
            elif c.type == "index":
                g = self.index(None, c)
                if isinstance(g, Index):
                    ops.append(("index", g.key))
        return Splat(cur, ops, full, line, col)

    def term(self, n):
        t = n.type
        line, col = self.pos(n)
        if t == "expression":
            return self.expr(n)
        if t == "literal_value":
            return self.literal(n.named_children[0] if n.named_child_count else n)
        if t == "variable_expr":
            return Var(self.text(n.child(0)) if n.child_count else self.text(n), line, col)
        if t == "identifier":
            return Var(self.text(n), line, col)
        if t == "collection_value":
            return self.term(n.named_children[0]) if n.named_child_count else Bad("empty", line, col)
        if t == "tuple":
            items = [self.expr(c) for c in n.named_children if c.type == "expression"]
            return TupleExpr(items, line, col)
        if t == "object":
            items = []
            for el in n.named_children:
                if el.type != "object_elem":
                    continue
                exprs = [c for c in el.named_children if c.type == "expression"]
                if len(exprs) != 2:
                    continue
                k = self.object_key(exprs[0])
                items.append((k, self.expr(exprs[1])))
            return ObjectExpr(items, line, col)
        if t == "function_call":
            return self.call(n)
        if t == "for_expr":
            return self.for_expr(n.named_children[0] if n.named_child_count else n)
        if t == "conditional":
            exprs = [c for c in n.named_children if c.type == "expression"]
            if len(exprs) != 3:
                return Bad("bad conditional", line, col)
            self.depth += 1
            try:
                c = Cond(self.expr(exprs[0]), self.expr(exprs[1]), self.expr(exprs[2]), line, col)
            finally:
                self.depth -= 1
            # tree-sitter-hcl reads `a ? x : b ? y : z` as `(a ? x : b) ? y : z`; HCL's
            # conditional is right-associative, so an unparenthesized conditional in the
            # condition position is rotated back
            first = exprs[0]
            if first.child_count == 1 and first.child(0).type == "conditional" and isinstance(c.cond, Cond):
                c = _rotate(c)
            return c
        if t == "operation":
            return self.term(n.named_children[0]) if n.named_child_count else Bad("bad operation", line, col)
        if t == "binary_operation":
            return self.binary(n)
        if t == "unary_operation":
            op = n.child(0)
            operand = self.sub_seq(n.children[1:], n)
            return UnOp(self.text(op), operand, line, col)
        if t == "template_expr":
            return self.term(n.named_children[0]) if n.named_child_count else Lit("", line, col)
        if t == "quoted_template":
            return self.template(n, quoted=True)
        if t == "heredoc_template":
            return self.heredoc(n)
        if t == "string_lit":
            return Lit(self.string_lit(n), line, col)
        return Bad(f"unsupported syntax {t}", line, col)

    def sub_seq(self, children, parent):
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                line, col = self.pos(parent)
                self.errors.append((line, "expression nested too deeply"))
                return Bad("expression nested too deeply", line, col)
            return self.seq(children, parent)
        finally:
            self.depth -= 1

    def binary(self, n):
        line, col = self.pos(n)
        ch = n.children
        k = None
        for i, c in enumerate(ch):
            if not c.is_named and c.type in _BIN_OPS and i > 0:
                k = i
                break
        if k is None:
            return Bad("bad operation", line, col)
        left = self.sub_seq(ch[:k], n)
        right = self.sub_seq(ch[k + 1:], n)
        return BinOp(ch[k].type, left, right, line, col)

    def literal(self, n):
        line, col = self.pos(n)
        t = n.type
        if t == "numeric_lit":
            s = self.text(n)
            try:
                if re.fullmatch(r"[0-9]+", s):
                    return Lit(number(s), line, col)
                v = float(s)
                return Lit(int(v) if v.is_integer() and "e" not in s.lower() and abs(v) < 2**53 else v, line, col)
            except ValueError:
                return Bad(f"bad number {s}", line, col)
        if t == "bool_lit":
            return Lit(self.text(n).strip() == "true", line, col)
        if t == "null_lit":
            return Lit(None, line, col)
        if t == "string_lit":
            return Lit(self.string_lit(n), line, col)
        return Bad(f"unsupported literal {t}", line, col)

    def object_key(self, n):
        # a bare identifier as key is a literal string (HCL), `(expr)` is evaluated
        kids = [c for c in n.children if c.type != "comment"]
        if len(kids) == 1 and kids[0].type == "variable_expr":
            line, col = self.pos(kids[0])
            return Lit(self.text(kids[0]), line, col)
        return self.expr(n)

    def call(self, n):
        line, col = self.pos(n)
        name = self.text(n.child(0))
        args = []
        expand = False
        for c in n.named_children:
            if c.type == "function_arguments":
                for a in c.children:
                    if a.type == "expression":
                        args.append(self.expr(a))
                    elif a.type == "ellipsis":
                        expand = True
        return Call(name, args, expand, line, col)

    def for_expr(self, n):
        line, col = self.pos(n)
        is_map = n.type == "for_object_expr"
        intro = None
        exprs = []
        cond = None
        group = False
        for c in n.named_children:
            if c.type == "for_intro":
                intro = c
            elif c.type == "expression":
                exprs.append(c)
            elif c.type == "for_cond":
                ce = [x for x in c.named_children if x.type == "expression"]
                if ce:
                    cond = self.expr(ce[0])
            elif c.type == "ellipsis":
                group = True
        if intro is None:
            return Bad("bad for expression", line, col)
        idents = [self.text(c) for c in intro.named_children if c.type == "identifier"]
        coll_nodes = [c for c in intro.named_children if c.type == "expression"]
        if not idents or not coll_nodes:
            return Bad("bad for expression", line, col)
        key_var, val_var = (idents[0], idents[1]) if len(idents) > 1 else (None, idents[0])
        coll = self.expr(coll_nodes[0])
        if is_map:
            if len(exprs) < 2:
                return Bad("bad for expression", line, col)
            return ForExpr(key_var, val_var, coll, self.expr(exprs[0]), self.expr(exprs[1]), cond, group, True, line, col)
        if not exprs:
            return Bad("bad for expression", line, col)
        return ForExpr(key_var, val_var, coll, None, self.expr(exprs[0]), cond, False, False, line, col)

    # templates ---------------------------------------------------------------------
    def template(self, n, quoted):
        line, col = self.pos(n)
        kids = n.children
        if kids and kids[0].type == "quoted_template_start":
            start = kids[0].end_byte
            kids = kids[1:]
        else:
            start = n.start_byte
        end = n.end_byte
        if kids and kids[-1].type == "quoted_template_end":
            end = kids[-1].start_byte
            kids = kids[:-1]
        parts = self.template_parts(kids, start, end, quoted)
        return self.simplify_template(parts, line, col)

    def simplify_template(self, parts, line, col):
        if not parts:
            return Lit("", line, col)
        if len(parts) == 1 and isinstance(parts[0], str):
            return Lit(parts[0], line, col)
        return Template(parts, line, col)

    def template_parts(self, kids, start, end, quoted):
        """Literal text is everything between interpolations/directives (gaps included)."""
        parts = []
        pos = start
        unesc = unescape_quoted if quoted else unescape_heredoc
        i = 0
        while i < len(kids):
            k = kids[i]
            if k.type == "template_interpolation":
                if k.start_byte > pos:
                    parts.append(unesc(self.src[pos:k.start_byte].decode("utf-8", "replace")))
                e = [c for c in k.named_children if c.type == "expression"]
                strip_l = strip_r = False
                raw = self.text(k)
                if raw.startswith("${~"):
                    strip_l = True
                if raw.endswith("~}"):
                    strip_r = True
                if strip_l and parts and isinstance(parts[-1], str):
                    parts[-1] = parts[-1].rstrip()
                parts.append(self.expr(e[0]) if e else Lit("", *self.pos(k)))
                pos = k.end_byte
                if strip_r:
                    parts.append(("strip",))
                i += 1
                continue
            if k.type == "template_directive":
                if k.start_byte > pos:
                    parts.append(unesc(self.src[pos:k.start_byte].decode("utf-8", "replace")))
                parts.append(self.directive(k, quoted))
                pos = k.end_byte
                i += 1
                continue
            i += 1
        if end > pos:
            parts.append(unesc(self.src[pos:end].decode("utf-8", "replace")))
        # apply right-strip markers
        out = []
        strip_next = False
        for p in parts:
            if isinstance(p, tuple) and p and p[0] == "strip":
                strip_next = True
                continue
            if strip_next and isinstance(p, str):
                p = p.lstrip()
            strip_next = False
            if isinstance(p, str) and out and isinstance(out[-1], str):
                out[-1] += p
            else:
                out.append(p)
        return [p for p in out if p != ""]

    def directive(self, k, quoted):
        line, col = self.pos(k)
        inner = k.named_children[0] if k.named_child_count else None
        if inner is None:
            return Bad("bad template directive", line, col)
        if inner.type == "template_if":
            # children: template_if_intro, content..., [template_else_intro, content...], template_if_end
            cond = None
            then_k, else_k = [], []
            cur = then_k
            intro_end = else_start = None
            endif_start = inner.end_byte
            then_start = inner.start_byte
            for c in inner.children:
                if c.type == "template_if_intro":
                    e = [x for x in c.named_children if x.type == "expression"]
                    cond = self.expr(e[0]) if e else None
                    then_start = c.end_byte
                elif c.type == "template_else_intro":
                    intro_end = c.start_byte
                    else_start = c.end_byte
                    cur = else_k
                elif c.type == "template_if_end":
                    endif_start = c.start_byte
                else:
                    cur.append(c)
            if cond is None:
                return Bad("bad %{if} directive", line, col)
            then_end = intro_end if intro_end is not None else endif_start
            then_parts = self.template_parts(then_k, then_start, then_end, quoted)
            else_parts = self.template_parts(else_k, else_start, endif_start, quoted) if else_start is not None else []
            return ("if", cond, then_parts, else_parts)
        if inner.type == "template_for":
            kv = []
            coll = None
            body_k = []
            body_start = body_end = inner.end_byte
            for c in inner.children:
                if c.type == "template_for_start":
                    kv = [self.text(x) for x in c.named_children if x.type == "identifier"]
                    e = [x for x in c.named_children if x.type == "expression"]
                    coll = self.expr(e[0]) if e else None
                    body_start = c.end_byte
                elif c.type == "template_for_end":
                    body_end = c.start_byte
                else:
                    body_k.append(c)
            if coll is None or not kv:
                return Bad("bad %{for} directive", line, col)
            key_var, val_var = (kv[0], kv[1]) if len(kv) > 1 else (None, kv[0])
            return ("for", key_var, val_var, coll, self.template_parts(body_k, body_start, body_end, quoted))
        return Bad("unsupported template directive", line, col)

    def heredoc(self, n):
        line, col = self.pos(n)
        kids = n.children
        flush = False
        start = n.start_byte
        end = n.end_byte
        idents = [c for c in kids if c.type == "heredoc_identifier"]
        for c in kids:
            if c.type == "heredoc_start":
                flush = self.text(c).startswith("<<-")
        if idents:
            # content starts after the newline that ends the opening line
            nl = self.src.find(b"\n", idents[0].end_byte)
            start = nl + 1 if nl >= 0 else idents[0].end_byte
        if len(idents) >= 2:
            end = idents[-1].start_byte
            # drop the indentation before the closing marker (stays on its own line)
            while end > start and self.src[end - 1:end] in (b" ", b"\t"):
                end -= 1
        body = [c for c in kids if c.type in ("template_interpolation", "template_directive")]
        parts = self.template_parts(body, start, end, quoted=False)
        if flush:
            parts = _flush_heredoc(parts)
        return self.simplify_template(parts, line, col)


def _rotate(c, depth=0):
    """Cond(Cond(a, x, b), y, z) -> Cond(a, x, Cond(b, y, z)), repeatedly."""
    inner = c.cond
    if not isinstance(inner, Cond) or depth > MAX_NESTING:
        return c
    return Cond(inner.cond, inner.then, _rotate(Cond(inner.other, c.then, c.other, inner.other.line,
                                                          inner.other.col), depth + 1), c.line, c.col)


def _flush_heredoc(parts):
    """`<<-`: remove the smallest indentation of the non-empty lines."""
    # Work on the literal text; interpolations count as non-space characters.
    text = ""
    marks = []
    for p in parts:
        if isinstance(p, str):
            text += p
        else:
            marks.append(p)
            text += "\x00"
    lines = text.split("\n")
    indents = []
    for ln in lines:
        if ln.strip(" \t") == "":
            continue
        indents.append(len(ln) - len(ln.lstrip(" \t")))
    cut = min(indents) if indents else 0
    new = "\n".join(ln[cut:] if len(ln) >= cut else ln.lstrip(" \t") for ln in lines)
    out = []
    it = iter(marks)
    for i, chunk in enumerate(new.split("\x00")):
        if i:
            out.append(next(it))
        if chunk:
            out.append(chunk)
    return out


def _first_error(root):
    """(line, message) of the first ERROR/MISSING node in document order, or None.

    A missing closer (`}`, `]`, `"`) sits where the parser gave up, often the end of the
    file: the error is reported at the line where the unclosed construct starts."""
    stack = [root]
    while stack:
        n = stack.pop()
        if n.is_missing:
            opened = n.parent
            while opened is not None and (opened.type.endswith("_end") or opened.is_missing):
                opened = opened.parent
            if opened is None or opened.type in ("config_file", "body"):
                return min(n.start_point[0] + 1, _last_line(root)), f"syntax error: missing {n.type!r}"
            what = opened.type.replace("_lit", "").replace("_", " ")
            closer = {"quoted_template_end": '"'}.get(n.type, n.type)
            return (opened.start_point[0] + 1,
                    f"syntax error: missing {closer!r} (the {what} that starts here is not closed)")
        if n.is_error:
            snippet = n.text[:30].decode("utf-8", "replace").split("\n")[0] if n.text else ""
            return n.start_point[0] + 1, f"syntax error near {snippet!r}" if snippet else "syntax error"
        if n.has_error:
            stack.extend(reversed(n.children))
    return None


def _last_line(root) -> int:
    """The last line that holds text (a file's final newline opens no line of its own)."""
    end = root.end_point
    return end[0] + 1 if end[1] else max(end[0], 1)


_COMMENT_QUERY = None
_WALINT = re.compile(rb"(?i)walint")


def _collect_comments(root, src, conv, out, only):
    global _COMMENT_QUERY
    import tree_sitter
    if _COMMENT_QUERY is None:
        _COMMENT_QUERY = tree_sitter.Query(_parser().language, "(comment) @c")
    nodes = tree_sitter.QueryCursor(_COMMENT_QUERY).captures(root).get("c", [])
    nodes.sort(key=lambda n: n.start_byte)
    for n in nodes:
        line = n.start_point[0] + 1
        ls = src.rfind(b"\n", 0, n.start_byte) + 1
        alone = src[ls:n.start_byte].strip() == b""
        for k, t in enumerate(src[n.start_byte:n.end_byte].decode("utf-8", "replace").split("\n")):
            out.append((line + k, t.rstrip()))
            if alone:
                only.add(line + k)


def parse_native(path: str, data: bytes) -> SourceFile:
    sf = SourceFile(path)
    text, problem = decode_source(data)
    if problem:
        sf.errors.append((1, problem))
        return sf
    src = text.encode("utf-8")
    tree = ts_parse(src)
    root = tree.root_node
    conv = _Converter(src, path)
    if root.has_error:
        err = _first_error(root)
        if err:
            sf.errors.append(err)
    body = None
    for ch in root.named_children:
        if ch.type == "body":
            body = ch
    if body is not None:
        for ch in body.named_children:
            conv.tops.append((ch.start_byte, ch.end_byte) + tuple(ch.start_point))
            try:
                if ch.type == "block":
                    b = conv.block(ch)
                    if b is not None:
                        sf.body.blocks.append(b)
                elif ch.type == "attribute":
                    conv.attribute_into(sf.body, ch)
            except RecursionError:
                sf.errors.append((ch.start_point[0] + 1, "expression nested too deeply"))
    sf._tree = (root, src)
    sf._conv = conv
    conv.root = root
    for e in conv.errors:
        if e not in sf.errors:
            sf.errors.append(e)
    return sf


def parse_expression_text(text: str, path="<expr>"):
    """Parse one expression (for -var values); returns a node or None if it does not parse."""
    src = ("__v = " + text + "\n").encode("utf-8")
    tree = ts_parse(src)
    if tree.root_node.has_error:
        return None
    conv = _Converter(src, path, col_offset_line1=6)
    blk = Block("", [], 1, 1, 1, path)
    for ch in tree.root_node.named_children:
        if ch.type == "body":
            conv.body_into(blk, ch)
    a = blk.attrs.get("__v")
    if a is None or len(blk.attrs) != 1 or blk.blocks:
        return None
    return a.expr


# --------------------------------------------------------------------------- JSON syntax

_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
           "locals": 0, "terraform": 0, "moved": 0, "import": 0, "removed": 0, "check": 1}
# attributes whose value is a map, not a nested block, in JSON syntax (no schema here)
JSON_MAP_ATTRS = {"tags", "tags_all", "variables", "environment", "parameters", "triggers", "labels",
                  "metadata", "default_tags", "options", "context", "attributes", "request_parameters",
                  "request_templates", "response_parameters", "response_templates", "container_properties",
                  "settings", "kms_key_ids", "policy", "default", "value"}


_JSON_STR = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def parse_json_expression(path: str, data: bytes):
    """Read a JSON document as an HCL expression: returns (node or None, SourceFile).

    The structure goes through tree-sitter with every JSON string swapped for a
    placeholder (a string may hold `\\"` inside `${...}`, which HCL's own quoting does not
    allow); each string is then decoded by JSON's rules and, when it holds `${` or `%{`,
    read as a template of its own.
    """
    sf = SourceFile(path)
    text, problem = decode_source(data)
    if problem:
        sf.errors.append((1, problem))
        return None, sf
    if not text.strip():
        return None, sf
    from walint.engine import budgets
    budgets.check_json(text, path, "the JSON file")
    try:
        loads_json(text)
    except ValueError as e:
        line = getattr(e, "lineno", 1)
        sf.errors.append((line, f"invalid JSON: {getattr(e, 'msg', str(e))}"))
        return None, sf
    strings = []

    def swap(m):
        tok = m.group(0)
        i = len(strings)
        strings.append(tok)
        # (no padding to the token's width: runs of spaces make tree-sitter-hcl very slow;
        # lines stay right, columns after a string on the same line shift)
        return f'"__WS{i}"'
    body = _JSON_STR.sub(swap, text)
    prefix = "__json = "
    src = (prefix + body + "\n").encode("utf-8")
    tree = ts_parse(src)
    conv = _Converter(src, path, col_offset_line1=len(prefix))
    if tree.root_node.has_error:
        err = _first_error(tree.root_node)
        if err:
            sf.errors.append(err)
    blk = Block("", [], 1, 1, 1, path)
    for ch in tree.root_node.named_children:
        if ch.type == "body":
            conv.body_into(blk, ch)
    a = blk.attrs.get("__json")
    if a is None:
        return None, sf
    pending = []
    root = _json_restore(a.expr, strings, path, 0, pending)
    if pending:
        _json_templates(pending, path)
    for e in conv.errors:
        sf.errors.append(e)
    return root, sf


def _json_string(strings, v):
    if isinstance(v, str) and v.startswith("__WS"):
        try:
            import json
            return json.loads(strings[int(v[4:])])
        except (ValueError, IndexError):
            return v
    return v


class _Pending(Node):
    """A JSON string that holds a template; replaced once every template is read."""
    __slots__ = ("text", "node")

    def __init__(self, text, line, col):
        self.text, self.line, self.col, self.node = text, line, col, None


def _json_restore(n, strings, path, depth, pending):
    if depth > MAX_NESTING:
        return Bad("JSON nested too deeply", n.line, n.col)
    if isinstance(n, ObjectExpr):
        items = []
        for k, v in n.items:
            if isinstance(k, Lit):
                k = Lit(_json_string(strings, k.value), k.line, k.col)
            items.append((k, _json_restore(v, strings, path, depth + 1, pending)))
        n.items = items
        for i, (k, v) in enumerate(items):
            if isinstance(v, _Pending):
                pending.append((items, i, 1, v))
        return n
    if isinstance(n, TupleExpr):
        n.items = [_json_restore(x, strings, path, depth + 1, pending) for x in n.items]
        for i, v in enumerate(n.items):
            if isinstance(v, _Pending):
                pending.append((n.items, i, None, v))
        return n
    if isinstance(n, Lit) and isinstance(n.value, str):
        s = _json_string(strings, n.value)
        if "${" in s or "%{" in s:
            return _Pending(s, n.line, n.col)
        return Lit(s, n.line, n.col)
    return n


def _json_templates(pending, path):
    """Read every template string of a JSON file with one tree-sitter parse."""
    parts = []
    starts = []
    line = 1
    for k, (_, _, _, p) in enumerate(pending):
        marker = f"__WALINT_EOT_{k}__"
        starts.append(line)
        chunk = f"__t{k} = <<{marker}\n{p.text}\n{marker}\n"
        parts.append(chunk)
        line += chunk.count("\n")
    src = "".join(parts).encode("utf-8")
    tree = ts_parse(src)
    ok = not tree.root_node.has_error
    conv = _Converter(src, path)
    blk = Block("", [], 1, 1, 1, path)
    if ok:
        for ch in tree.root_node.named_children:
            if ch.type == "body":
                conv.body_into(blk, ch)
    for k, (container, i, pos, p) in enumerate(pending):
        a = blk.attrs.get(f"__t{k}") if ok else None
        if a is None:
            node = _json_template(p.text, p.line, p.col, path)
        else:
            # positions inside the template map to the JSON string's line
            conv.line_offset = p.line - starts[k] - 1
            a._conv = conv
            node = _trim_heredoc(a.expr, p.line, p.col)
        if pos is None:
            container[i] = node
        else:
            container[i] = (container[i][0], node)


def _trim_heredoc(e, line, col):
    # the heredoc adds the newline that ends its last line
    if isinstance(e, Lit) and isinstance(e.value, str) and e.value.endswith("\n"):
        return Lit(e.value[:-1], line, col)
    if isinstance(e, Template):
        parts = list(e.parts)
        if parts and isinstance(parts[-1], str) and parts[-1].endswith("\n"):
            parts[-1] = parts[-1][:-1]
            if not parts[-1]:
                parts.pop()
        if len(parts) == 1 and isinstance(parts[0], str):
            return Lit(parts[0], line, col)
        return Template(parts, line, col)
    return e


def _json_template(s, line, col, path):
    marker = "__WALINT_EOT__"
    src = ("__t = <<" + marker + "\n" + s + "\n" + marker + "\n").encode("utf-8")
    tree = ts_parse(src)
    if tree.root_node.has_error:
        return Bad("string template could not be read", line, col)
    conv = _Converter(src, path, line_offset=line - 2)
    blk = Block("", [], 1, 1, 1, path)
    for ch in tree.root_node.named_children:
        if ch.type == "body":
            conv.body_into(blk, ch)
    a = blk.attrs.get("__t")
    if a is None:
        return Lit(s, line, col)
    return _trim_heredoc(a.expr, line, col)


def _obj_items(node):
    """(key string, key node, value node) for a JSON object node with literal keys."""
    if not isinstance(node, ObjectExpr):
        return []
    out = []
    for k, v in node.items:
        if isinstance(k, Lit) and isinstance(k.value, str):
            out.append((k.value, k, v))
    return out


def _json_objects(v):
    """A JSON block value may be one object or an array of objects."""
    if isinstance(v, ObjectExpr):
        return [v]
    if isinstance(v, TupleExpr):
        return [x for x in v.items if isinstance(x, ObjectExpr)]
    return []


def parse_json_config(path: str, data: bytes) -> SourceFile:
    root, sf = parse_json_expression(path, data)
    if root is None:
        return sf
    if not isinstance(root, ObjectExpr):
        sf.errors.append((root.line, "a Terraform JSON file must hold an object"))
        return sf
    for btype, knode, val in _obj_items(root):
        nlabels = _LABELS.get(btype, 0)
        _json_blocks(sf, btype, nlabels, [], knode, val, sf.body)
    return sf


def _json_blocks(sf, btype, nlabels, labels, knode, val, parent):
    if nlabels > 0:
        for obj in _json_objects(val):
            for name, kn, v in _obj_items(obj):
                _json_blocks(sf, btype, nlabels - 1, labels + [name], kn, v, parent)
        return
    for obj in _json_objects(val):
        b = Block(btype, labels, knode.line, knode.col, _end_line(obj), sf.path)
        _json_body(sf, b, obj, top_type=btype)
        parent.blocks.append(b)


def _end_line(obj):
    # best effort: the line of the last value
    last = obj.line
    for k, v in obj.items:
        last = max(last, v.line)
    return last


_ATTR_ONLY = {"variable", "output", "locals", "module", "terraform", "provider"}


def _json_body(sf, b, obj, top_type):
    for name, kn, v in _obj_items(obj):
        if name == "//":
            continue
        if top_type in _ATTR_ONLY or top_type == "" or name in JSON_MAP_ATTRS:
            b.attrs[name] = Attribute(name, v, kn.line, kn.col)
            continue
        if name == "dynamic":
            for o in _json_objects(v):
                for label, kn2, v2 in _obj_items(o):
                    for o2 in _json_objects(v2):
                        d = Block("dynamic", [label], kn2.line, kn2.col, _end_line(o2), sf.path)
                        for n3, kn3, v3 in _obj_items(o2):
                            if n3 == "content":
                                for o3 in _json_objects(v3):
                                    c = Block("content", [], kn3.line, kn3.col, _end_line(o3), sf.path)
                                    _json_body(sf, c, o3, "resource")
                                    d.blocks.append(c)
                            else:
                                d.attrs[n3] = Attribute(n3, v3, kn3.line, kn3.col)
                        b.blocks.append(d)
            continue
        if isinstance(v, ObjectExpr) or (isinstance(v, TupleExpr) and v.items and
                                         all(isinstance(x, ObjectExpr) for x in v.items)):
            for o in _json_objects(v):
                nb = Block(name, [], kn.line, kn.col, _end_line(o), sf.path)
                _json_body(sf, nb, o, "resource" if name != "lifecycle" else "lifecycle")
                b.blocks.append(nb)
            continue
        b.attrs[name] = Attribute(name, v, kn.line, kn.col)


def parse_file(path: str, data: bytes) -> SourceFile:
    if path.endswith(".json"):
        return parse_json_config(path, data)
    return parse_native(path, data)

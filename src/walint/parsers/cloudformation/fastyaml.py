"""A fast template reader on PyYAML's C loader, read exactly as cfn-lint's decoder reads it.

cfn-lint's decoder is the reference (tests/cloudformation/test_cfn_fastyaml.py checks,
on every corpus template, that this reader gives the same values and the same source
marks). It is avoided on the common path for two reasons: importing it costs most of a
second, and its duplicate-key check compares every key with every other one, so a
template of thousands of resources takes seconds to read.

This reader handles templates that read cleanly, and reports in cfn-lint's words the
errors whose wording is simple (YAML syntax errors, duplicate, null and unhashable keys:
`NotATemplate`). Anything else (alias amplification, a JSON file that needs cfn-lint's
JSON fallback, keys that are not strings) raises `Rejected`; the caller then asks
cfn-lint, so diagnostics are cfn-lint's own, word for word.
"""
from __future__ import annotations

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .nodes import MDict, MList, MStr

MAX_EXPANDED_NODES = 250_000      # cfn-lint's bound on alias-expanded templates
_MERGE = "tag:yaml.org,2002:merge"
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Rejected(Exception):
    """The fast reader does not accept this text; cfn-lint must read it."""


class NotATemplate(Exception):
    """The text is broken the way cfn-lint reports it, in cfn-lint's words: `matches` is
    [(line, message)] as its decoder gives them (duplicate, null or unhashable keys, YAML
    syntax errors). Saying so here spares importing cfn-lint (most of a second and
    ~50 MB) for the one broken file of a scan; tests/cloudformation/test_cfn_fastyaml.py
    holds these messages to cfn-lint's on every broken corpus template."""

    opened = None     # (line, what) of the unclosed construct a syntax error is inside

    def __init__(self, matches):
        super().__init__(matches[0][1])
        self.matches = matches


def _duplicate(key, mark):
    return (mark.line + 1, f"Duplicate found {key!r} (line {mark.line + 1})")


class _Loader(_BaseLoader):
    pass


def _construct_map(loader, node):
    using_merge = any(key_node.tag == _MERGE for key_node, _ in node.value)
    SafeConstructor.flatten_mapping(loader, node)
    out = MDict((), node.start_mark, node.end_mark)
    duplicates = []          # reported once the whole mapping is read, as cfn-lint does
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, False)
        value = loader.construct_object(value_node, False)
        if key is None:
            line = key_node.start_mark.line + 1
            raise NotATemplate([(line, f"Null key {key_node.value!r} not supported (line {line})")])
        try:
            seen = key in out
        except TypeError:
            mark = getattr(key, "start_mark", None)
            if mark is None:
                raise Rejected("unhashable key") from None
            raise NotATemplate([(mark.line + 1, f'Unhashable type "{key}" (line {mark.line + 1})')]) from None
        if seen and not using_merge:
            first = next(k for k in out if k == key)
            if not isinstance(key, MStr) or not isinstance(first, MStr):
                raise Rejected("duplicate key")     # cfn-lint's own words are not known
            if not duplicates:
                duplicates.append(_duplicate(key, first.start_mark))
            duplicates.append(_duplicate(key, key_node.start_mark))
        out[key] = value
    if duplicates:
        raise NotATemplate(duplicates)
    return out


def _construct_str(loader, node):
    return MStr(SafeConstructor.construct_scalar(loader, node), node.start_mark, node.end_mark)


def _construct_int(loader, node):
    """An integer as PyYAML reads it; one past Python's int-str conversion limit (a hostile
    5,001-digit number) stays its text, as CloudFormation passes every scalar on as text."""
    try:
        return SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        return MStr(node.value, node.start_mark, node.end_mark)


def _construct_seq(loader, node):
    return MList(loader.construct_sequence(node), node.start_mark, node.end_mark)


def _construct_tag(loader, suffix, node):
    """`!Ref x`, `!Sub ...`, `!GetAtt a.b`: the long form, as cfn-lint builds it."""
    name = suffix if suffix in ("Ref", "Condition") else "Fn::" + suffix
    if name == "Fn::GetAtt":
        if isinstance(node, ScalarNode):
            value = MList(node.value.split(".", 1), node.start_mark, node.end_mark)
        elif isinstance(node, SequenceNode):
            value = MList([loader.construct_object(child, deep=True) for child in node.value],
                          node.start_mark, node.end_mark)
        else:
            raise Rejected("mapping under !GetAtt")
    elif isinstance(node, ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, SequenceNode):
        value = loader.construct_sequence(node, True)
    elif isinstance(node, MappingNode):
        value = loader.construct_mapping(node, True)
    else:  # pragma: no cover - PyYAML has no other node kind
        raise Rejected("unknown node")
    return MDict({name: value}, node.start_mark, node.end_mark)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_multi_constructor("!", _construct_tag)


def _expanded_size_exceeds(root, limit: int) -> bool:
    sizes: dict = {}

    def size(node):
        cached = sizes.get(id(node))
        if cached is not None:
            return cached
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            return 1
        total = 1
        for child in children:
            total += size(child)
            if total > limit:
                raise Rejected("alias amplification")
        sizes[id(node)] = total
        return total

    try:
        size(root)
    except Rejected:
        return True
    return False


def _opened_at(exc):
    """(line, "flow sequence") of the `[...]`, `{...}` or quoted string a YAML syntax
    error is inside, or None. The reader notices such an error only where it gives up,
    often lines later or past the end of the file: decoding.py reports it where the
    construct starts."""
    context, opened = getattr(exc, "context", None) or "", getattr(exc, "context_mark", None)
    if opened is None or not ("flow" in context or "quoted" in context):
        return None
    return opened.line + 1, context.replace("while parsing a ", "").replace("while scanning a ", "")


def loads(text: str):
    """The decoded template (mappings, sequences and strings carry start/end marks)."""
    try:
        loader = _Loader(text)
        try:
            template = loader.get_single_data()
        finally:
            loader.dispose()
    except (Rejected, NotATemplate):
        raise
    except RecursionError:
        raise Rejected("recursion") from None
    except (yaml.parser.ParserError, yaml.scanner.ScannerError) as exc:
        if isinstance(exc, yaml.scanner.ScannerError) and exc.problem and (
                exc.problem == "found character '\\t' that cannot start any token"
                or exc.problem.startswith("found unknown escape character")):
            raise Rejected(str(exc)) from None      # cfn-lint then tries it as JSON
        mark = exc.problem_mark
        error = NotATemplate([(mark.line + 1 if mark else None, exc.problem)])
        error.opened = _opened_at(exc)
        raise error from None
    except Exception as exc:   # YAML errors and anything else: cfn-lint will say what it is
        raise Rejected(str(exc)) from None
    if template is None:            # an empty file reads as an empty template
        start = yaml.error.Mark("<unicode string>", 0, 0, 0, None, None)
        return MDict((), start, start)
    if "&" in text and _expanded_size_exceeds(template, MAX_EXPANDED_NODES):
        raise Rejected("alias amplification")
    return template

"""A fast template reader on PyYAML's C loader, read exactly as cfn-lint's decoder reads it.

cfn-lint's decoder is the reference (tests/cloudformation/test_cfn_fastyaml.py checks,
on every corpus template, that this reader gives the same values and the same source
marks). It is avoided on the common path for two reasons: importing it costs most of a
second, and its duplicate-key check compares every key with every other one, so a
template of thousands of resources takes seconds to read.

This reader only handles templates that read cleanly. Anything cfn-lint would report
(YAML errors, duplicate or null or unhashable keys, alias amplification, a JSON file
that needs cfn-lint's JSON fallback) raises `Rejected`; the caller then asks cfn-lint,
so diagnostics are cfn-lint's own, word for word.
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


class _Loader(_BaseLoader):
    pass


def _construct_map(loader, node):
    using_merge = any(key_node.tag == _MERGE for key_node, _ in node.value)
    SafeConstructor.flatten_mapping(loader, node)
    out = MDict((), node.start_mark, node.end_mark)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, False)
        value = loader.construct_object(value_node, False)
        if key is None:
            raise Rejected("null key")
        try:
            seen = key in out
        except TypeError:
            raise Rejected("unhashable key") from None
        if seen and not using_merge:
            raise Rejected("duplicate key")
        out[key] = value
    return out


def _construct_str(loader, node):
    return MStr(SafeConstructor.construct_scalar(loader, node), node.start_mark, node.end_mark)


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


def loads(text: str):
    """The decoded template (mappings, sequences and strings carry start/end marks)."""
    try:
        loader = _Loader(text)
        try:
            template = loader.get_single_data()
        finally:
            loader.dispose()
    except Rejected:
        raise
    except RecursionError:
        raise Rejected("recursion") from None
    except Exception as exc:   # YAML errors and anything else: cfn-lint will say what it is
        raise Rejected(str(exc)) from None
    if template is None:            # an empty file reads as an empty template
        start = yaml.error.Mark("<unicode string>", 0, 0, 0, None, None)
        return MDict((), start, start)
    if "&" in text and _expanded_size_exceeds(template, MAX_EXPANDED_NODES):
        raise Rejected("alias amplification")
    return template

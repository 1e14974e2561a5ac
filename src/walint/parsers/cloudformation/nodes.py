"""Decoded template nodes: copies that keep their source marks (for Fn::ForEach and SAM
Globals), and the names a raw value refers to."""
from __future__ import annotations

import re


class MStr(str):
    def __new__(cls, text, start_mark=None, end_mark=None):
        obj = str.__new__(cls, text)
        obj.start_mark = start_mark
        obj.end_mark = end_mark
        return obj


class MDict(dict):
    def __init__(self, items=(), start_mark=None, end_mark=None):
        super().__init__(items)
        self.start_mark = start_mark
        self.end_mark = end_mark


class MList(list):
    def __init__(self, items=(), start_mark=None, end_mark=None):
        super().__init__(items)
        self.start_mark = start_mark
        self.end_mark = end_mark


def marks(node):
    return getattr(node, "start_mark", None), getattr(node, "end_mark", None)


_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def substitute(node, identifier: str, value: str):
    """Replace a Fn::ForEach identifier: `${Id}`, `&{Id}` (alphanumerics only) and `Ref: Id`."""
    dollar, amp = "${" + identifier + "}", "&{" + identifier + "}"
    plain = _NOT_ALNUM.sub("", value)

    def text(s):
        if dollar in s or amp in s:
            return MStr(s.replace(dollar, value).replace(amp, plain), *marks(s))
        return s

    def walk(n):
        if isinstance(n, str):
            return text(n)
        if isinstance(n, dict):
            if len(n) == 1 and n.get("Ref") == identifier:
                return MStr(value, *marks(n))
            return MDict(((text(k) if isinstance(k, str) else k, walk(v)) for k, v in n.items()), *marks(n))
        if isinstance(n, list):
            return MList((walk(v) for v in n), *marks(n))
        return n

    return walk(node)


def sam_merge(glob, local, is_intrinsic):
    """SAM Globals: maps merge (the resource wins), lists concatenate, scalars are replaced."""
    if isinstance(glob, dict) and isinstance(local, dict) and not is_intrinsic(glob) and not is_intrinsic(local):
        out = MDict((), *marks(local))
        for key, value in glob.items():
            if key not in local:
                out[key] = value
        for key, value in local.items():
            out[key] = sam_merge(glob[key], value, is_intrinsic) if key in glob else value
        return out
    if isinstance(glob, list) and isinstance(local, list):
        return MList(list(glob) + list(local), *marks(local))
    return local


_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9_.:]+)\}")


def referenced_names(node, *, skip_if=False) -> list:
    """Logical ids and parameters a raw value names through Ref, Fn::GetAtt and Fn::Sub
    (`${Name}`, `${Name.Attr}`), in document order. With `skip_if`, an Fn::If is left
    out (its condition decides which branch counts)."""
    out: list = []

    def walk(n):
        if isinstance(n, dict):
            for k, v in n.items():
                if k == "Ref" and isinstance(v, str):
                    out.append(str(v))
                elif k == "Fn::GetAtt":
                    first = v[0] if isinstance(v, list) and v else v.split(".")[0] if isinstance(v, str) else None
                    if isinstance(first, str):
                        out.append(str(first))
                elif k == "Fn::Sub":
                    text = v[0] if isinstance(v, list) and v else v
                    if isinstance(text, str):
                        out.extend(m.split(".")[0] for m in _SUB_NAME.findall(text))
                    walk(v[1:] if isinstance(v, list) else None)
                elif not (skip_if and k == "Fn::If"):
                    walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)
    walk(node)
    return out

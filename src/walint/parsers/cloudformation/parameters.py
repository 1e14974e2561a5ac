"""Parameter values a user supplies, and how a declared parameter gets its value."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from walint.engine import boundary
from walint.model.values import AzList, Unknown
from walint.parsers.base import Diagnostic

from .exports import Carrying

PSEUDO = (
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
    "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
)

_KEY_VALUE = re.compile(r"^\s*([A-Za-z0-9:_.-]+)\s*=(.*)$")


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_as_text(v) for v in value)
    return str(value)


def read_parameter_file(path: str) -> tuple[dict, list]:
    """Read one parameter file; returns ({name: text}, diagnostics).

    Formats: the AWS CLI's `[{"ParameterKey": k, "ParameterValue": v}, ...]`, CodePipeline's
    `{"Parameters": {k: v}}` (a plain `{k: v}` object is accepted too), and `KEY=VALUE` lines.
    """
    def usage(message):
        return {}, [Diagnostic(path, None, message, level="error", code="WAL-USAGE")]

    try:
        text = boundary.read(path).decode("utf-8-sig")
    except boundary.ReadError as exc:
        return usage(f"cannot read parameter file {path}: {str(exc).removeprefix('cannot read: ')}")
    except UnicodeDecodeError:
        return usage(f"cannot read parameter file {path}: not UTF-8 text")
    stripped = text.strip()
    if stripped.startswith(("[", "{")):
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            return usage(f"parameter file {path} is not valid JSON: {exc}")
        values = {}
        if isinstance(data, list):
            for item in data:
                if not isinstance(item, dict) or "ParameterKey" not in item:
                    return usage(f"parameter file {path}: each entry needs ParameterKey and ParameterValue")
                if item.get("UsePreviousValue") and "ParameterValue" not in item:
                    continue
                values[str(item["ParameterKey"])] = _as_text(item.get("ParameterValue", ""))
            return values, []
        if isinstance(data, dict):
            body = data.get("Parameters", data) if isinstance(data.get("Parameters"), dict) else data
            for key, value in body.items():
                if isinstance(value, (dict,)) or value is None:
                    return usage(f"parameter file {path}: the value of {key} is not a string")
                values[str(key)] = _as_text(value)
            return values, []
        return usage(f"parameter file {path}: expected a list or an object")
    values = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _KEY_VALUE.match(line)
        if not m:
            return usage(f"parameter file {path}, line {number}: expected KEY=VALUE")
        values[m.group(1)] = m.group(2).strip()
    return values, []


_CACHE: dict = {}


def read_parameter_file_cached(path: str) -> tuple[dict, list]:
    """read_parameter_file, read once per version of the file (the engine parses one
    template at a time and hands every call the same parameter files)."""
    try:
        st = os.stat(path)
        key = (path, st.st_mtime_ns, st.st_size, boundary.current().key)
    except OSError:
        return read_parameter_file(path)
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = read_parameter_file(path)
    values, diags = _CACHE[key]
    return dict(values), list(diags)


def _number(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        pass
    try:
        return float(text)
    except (TypeError, ValueError):
        return text


def is_list_type(ptype: str) -> bool:
    return ptype == "CommaDelimitedList" or ptype.startswith("List<")


def is_az_list_type(ptype: str) -> bool:
    return ptype in ("List<AWS::EC2::AvailabilityZone::Name>", "CommaDelimitedList")


@dataclass(frozen=True)
class Joined:
    """What an `Fn::Join` over values known only at deploy time was made of (kept in the
    Unknown standing for the string), so that splitting it again at the same delimiter,
    or passing it to a List parameter of a nested stack, gives back the items: a
    reference architecture joins its subnet ids into one output and its nested stacks
    take them as `List<AWS::EC2::Subnet::Id>` (issue 14)."""

    delimiter: str
    items: tuple


def unjoined(value, delimiter=","):
    """The items of a joined value when it was joined with `delimiter`, else None."""
    if isinstance(value, Carrying) and isinstance(value.carried, Joined) \
            and value.carried.delimiter.strip() == delimiter.strip():
        return list(value.carried.items)
    return None


def convert(ptype: str, value):
    """A supplied or default value, as CloudFormation hands it to the template."""
    if not isinstance(value, (str, int, float, bool, list)):
        items = unjoined(value) if is_list_type(ptype) else None
        return items if items is not None else value   # a marker bound by a parent stack: keep it
    if is_list_type(ptype):
        items = value if isinstance(value, list) else (
            [] if _as_text(value) == "" else [p.strip() for p in _as_text(value).split(",")])
        return [_as_text(v) if isinstance(v, (str, int, float, bool)) else v for v in items]
    if isinstance(value, list):
        if all(isinstance(v, (str, int, float, bool)) for v in value):
            value = _as_text(value)
        else:
            return Unknown("a list was passed to a parameter that takes one value")
    if ptype == "Number":
        return _number(_as_text(value))
    return _as_text(value)


def resolve(name: str, decl, supplied: dict):
    """The value of parameter `name` from what was supplied, its Default, or AllowedValues."""
    decl = decl if isinstance(decl, dict) else {}
    ptype = decl.get("Type")
    ptype = str(ptype) if isinstance(ptype, str) else "String"
    if ptype.startswith("AWS::SSM::Parameter::Value<"):
        return Unknown(f"parameter {name} is read from SSM Parameter Store at deploy time")
    if name in supplied:
        return convert(ptype, supplied[name])
    if "Default" in decl and decl["Default"] is not None:
        return convert(ptype, _plain(decl["Default"]))
    allowed = decl.get("AllowedValues")
    if isinstance(allowed, list) and len(allowed) == 1:
        return convert(ptype, _plain(allowed[0]))
    if ptype == "List<AWS::EC2::AvailabilityZone::Name>":
        return AzList(f"PARAM({name})")
    return Unknown(f"parameter {name} has no value: give it with --param {name}=VALUE or --parameters FILE")


def _plain(value):
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value

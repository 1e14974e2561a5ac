"""Settings that a function run at deploy time may change after a resource is created.

A CloudFormation custom resource (`Custom::*`, `AWS::CloudFormation::CustomResource`) or a
Terraform `aws_lambda_invocation` hands a resource to a Lambda function during the
deployment. Templates written before CloudFormation supported a setting used this to turn
it on afterwards (ElastiCache snapshots, log retention, bucket notifications), so the
setting as declared is not the setting as deployed. walint cannot read what the function
does; it reads two signs that it sets one particular setting of the resource it receives:

* the custom resource also passes a value whose name ends like the setting's
  (`SSRetentionLimit` for `SnapshotRetentionLimit`: the last two words, or all of them);
* the function's inline code names the setting as the API does (`SnapshotRetentionLimit`).

A finding about that setting is then unknown, never a violation (the engine applies this
to every rule). Other settings of the same resource stay decided: a function that empties
a bucket or reads a VPC's route table says nothing of its encryption.
"""
from __future__ import annotations

import json
import re

from walint.model.values import Unknown

CUSTOM_TYPES = ("AWS::CloudFormation::CustomResource",)
INVOCATION_TYPES = ("aws_lambda_invocation",)
_TOKEN = ("service_token", "function_name", "qualifier")
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def words(name: str) -> list[str]:
    """`SSRetentionLimit`, `ss_retention_limit` -> ["ss", "retention", "limit"]."""
    return [w.lower() for w in _WORD.findall(str(name))]


def api_name(name: str) -> str:
    """The name the AWS API gives a setting: `snapshot_retention_limit` -> `SnapshotRetentionLimit`."""
    return "".join(w.capitalize() for w in words(name))


def _is_changer(resource) -> bool:
    t = resource.type
    return t.startswith("Custom::") or t in CUSTOM_TYPES or t in INVOCATION_TYPES


def _passed_names(changer) -> list[str]:
    """The names of the values a changer passes to its function."""
    if changer.type in INVOCATION_TYPES:
        value = changer.attrs.get("input")
        if isinstance(value, Unknown):  # jsonencode of values known only after apply
            value = value.partial
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return []
        return [str(k) for k in value] if isinstance(value, dict) else []
    return [k for k in changer.attrs if k not in _TOKEN]


def _inline_code(graph, changer) -> str:
    """The source of the function behind a changer, when the template holds it inline."""
    for edge in graph.references(changer):
        if edge.via.split(".")[0] not in _TOKEN:
            continue
        code = edge.target.attrs.get("code")
        text = code.get("zip_file") if isinstance(code, dict) else None
        text = text or edge.target.attrs.get("inline_code")
        if isinstance(text, str):
            return text
    return ""


def _names_setting(passed: str, setting: list[str]) -> bool:
    mine = words(passed)
    if mine == setting:
        return True
    return len(setting) >= 2 and len(mine) >= 2 and mine[-2:] == setting[-2:]


def changed_at_deploy(graph, resource, setting: str) -> str:
    """Why `setting` of `resource` may be changed after creation by a deploy-time function,
    or "" when nothing in the scan suggests it."""
    if not setting:
        return ""
    leaf = setting.split(".")[-1]
    target_words = words(leaf)
    if not target_words:
        return ""
    api = api_name(leaf)
    for changer in graph.referrers(resource):
        if not _is_changer(changer):
            continue
        vias = [e.via for e in graph.references(changer) if e.target is resource]
        if all(v.split(".")[0] in _TOKEN for v in vias):
            continue
        passed = [p for p in _passed_names(changer) if _names_setting(p, target_words)]
        if passed:
            return (f"the deploy-time function of {changer.address} receives this resource and "
                    f"a value named {changer.native_names.get(passed[0], passed[0])}; it may set {api} after creation")
        if re.search(rf"\b{re.escape(api)}\b", _inline_code(graph, changer)):
            return (f"the deploy-time function of {changer.address} receives this resource and "
                    f"its code sets {api}; the setting after creation is not known")
    return ""

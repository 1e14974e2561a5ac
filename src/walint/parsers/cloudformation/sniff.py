"""CONTRACT.md's "does this file look like a CloudFormation template" test, on raw bytes.

A text sniff with a handful of regular expressions: no YAML or JSON parse, so a file that
looks like a template but is broken is still recognised (and then reported as a parse
error), while any other YAML/JSON file (k8s manifests, package.json, ...) is left alone.
"""
from __future__ import annotations

import re

_VERSION = re.compile(rb"AWSTemplateFormatVersion")
# A Resources key at the start of a line (YAML top level, or any JSON object key).
_RESOURCES = re.compile(rb'(?m)^(?:Resources|"Resources"|\'Resources\')[ \t]*:|"Resources"\s*:')
# Type: AWS::S3::Bucket, Custom::Thing, Alexa::ASK::Skill, Org::Service::Thing(::MODULE)
_TYPE = re.compile(
    rb"""["']?\bType["']?[ \t]*:[ \t]*["']?(?:Custom::[\w.@-]+|[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+)"""
)
_YAML_TRANSFORM = re.compile(rb'(?m)^(?:Transform|"Transform"|\'Transform\')[ \t]*:')
_JSON_TRANSFORM = re.compile(rb'"Transform"\s*:')


def looks_like_template(path: str, head: bytes) -> bool:
    """True when the bytes carry one of the markers of a CloudFormation template."""
    if not head:
        return False
    if _VERSION.search(head):
        return True
    has_resources = _RESOURCES.search(head) is not None
    if has_resources and _TYPE.search(head):
        return True
    if _YAML_TRANSFORM.search(head):
        return True
    return has_resources and _JSON_TRANSFORM.search(head) is not None

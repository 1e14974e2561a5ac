"""What a rule yields: a verdict anchored to a resource and an attribute path.

Rules never deal with files or lines; the engine turns (resource, path) into a
location (STYLE.md: rules report a logical path, the engine finds the line).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Related:
    """Another resource that proves a cross-resource finding (SARIF relatedLocations)."""

    resource: object            # Resource
    path: tuple = ()
    message: str = ""


@dataclass
class Finding:
    resource: object            # Resource the finding is addressed to
    path: tuple                 # attribute path (native, concrete) or () for the resource itself
    message: str
    status: str = "fail"        # "fail" | "unknown" (an undecided check, shown with --show-unknown)
    related: list = field(default_factory=list)   # list[Related]
    key: str = ""               # the rule's own distinguishing key for the fingerprint (port, source)
    severity: str | None = None  # a rule may lower its own level for one finding ("note")
    rule: object = None         # set by the engine: the Rule that produced it
    setting: str = ""           # the attribute the rule judged, as the rule named it (even
                                # when it is not set, so `path` is empty)

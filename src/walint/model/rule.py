"""A rule: a check function plus the metadata CONTRACT.md and RULES.md give it.

The `rule` decorator returns a `Rule` object; nothing is registered anywhere. Packs are
found through the `walint.rules` entry-point group and their Rule objects collected.
"""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

PROFILES = ("development", "mvp", "production", "regulated")
DEFAULT_PROFILE = "production"
LEVELS = ("error", "warning", "note")            # highest first
SEVERITIES = LEVELS + ("off",)
PILLARS = ("operational-excellence", "security", "reliability", "performance-efficiency",
           "cost-optimization", "sustainability")
CATEGORIES = ("multi-az", "private-data-subnet", "nat-redundancy", "encryption-at-rest",
              "encryption-in-transit", "sg-least-privilege", "public-access", "backup-recovery",
              "logging-monitoring", "iam-least-privilege", "scaling-resilience", "cost-lifecycle",
              "parse-error", "suppression")
FORMATS = ("cloudformation", "terraform")
_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")


def severity(development="error", mvp=None, production=None, regulated=None) -> dict:
    """Severity per profile; each later profile defaults to the one before it."""
    mvp = mvp or development
    production = production or mvp
    regulated = regulated or production
    return {"development": development, "mvp": mvp, "production": production,
            "regulated": regulated}


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    name: str
    title: str
    pillar: str
    category: str
    best_practice: tuple
    severity: dict
    check: object = field(repr=False)
    formats: tuple = FORMATS
    checkov: tuple = ()
    doc: str = ""
    engine: bool = False          # produced by the engine itself (parse errors, suppressions)

    def __call__(self, graph):
        return self.check(graph)

    def level(self, profile: str) -> str:
        return self.severity.get(profile, "off")

    @property
    def summary(self) -> str:
        """The first paragraph of the documentation."""
        return self.doc.split("\n\n", 1)[0].replace("\n", " ").strip() or self.title


def rule(*, id, name, title, pillar, category, best_practice=(), severity=None,
         formats=FORMATS, checkov=()):
    """Decorate a check function `f(graph) -> iterable of Finding` to make it a Rule."""
    if not _ID.match(id):
        raise ValueError(f"rule id {id!r} is not like WAL-AREA-001")
    if pillar not in PILLARS:
        raise ValueError(f"{id}: pillar {pillar!r} is not one of {', '.join(PILLARS)}")
    if category not in CATEGORIES:
        raise ValueError(f"{id}: category {category!r} is not in CONTRACT.md's vocabulary")
    sev = severity or globals()["severity"]()
    for profile in PROFILES:
        if sev.get(profile) not in SEVERITIES:
            raise ValueError(f"{id}: severity for {profile} must be one of {SEVERITIES}")
    if isinstance(best_practice, str):
        best_practice = (best_practice,)

    def wrap(fn):
        return Rule(id=id, name=name, title=title, pillar=pillar, category=category,
                    best_practice=tuple(best_practice), severity=dict(sev), check=fn,
                    formats=tuple(formats), checkov=tuple(checkov),
                    doc=inspect.cleandoc(fn.__doc__ or ""))

    return wrap

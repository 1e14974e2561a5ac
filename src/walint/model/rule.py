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
PRECISIONS = ("very-high", "high", "medium", "low")      # SARIF `precision`, as GitHub reads it
DEFAULT_PRECISION = "high"      # rules decide from configuration, and unknown is never a finding
# security-severity (CVSS-like, CONTRACT.md) of a security rule that does not give its own:
# what a typical finding of the category exposes. Critical (9.0+) is never a fallback: a rule
# that is critical (an admin or data port open to the internet, a public database) says so.
CATEGORY_SECURITY_SEVERITY = {
    "public-access": 7.5, "encryption-at-rest": 7.0, "encryption-in-transit": 7.0,
    "sg-least-privilege": 6.5, "private-data-subnet": 6.0, "iam-least-privilege": 6.0,
    "logging-monitoring": 4.0, "backup-recovery": 3.5,
}
DEFAULT_SECURITY_SEVERITY = 3.0


def security_grade(score: float) -> str:
    """CONTRACT.md's words for a security-severity score."""
    return ("critical" if score >= 9.0 else "high" if score >= 7.0
            else "medium" if score >= 4.0 else "low")


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
    precision: str = DEFAULT_PRECISION
    impact: float | None = None   # security-severity given by the rule; see security_severity

    def __call__(self, graph):
        return self.check(graph)

    def level(self, profile: str) -> str:
        return self.severity.get(profile, "off")

    @property
    def security_severity(self) -> float | None:
        """SARIF `security-severity` (0.1-10.0) of a security-pillar rule, None for others:
        the rule's own when it gives one, else its category's typical impact."""
        if self.pillar != "security":
            return None
        if self.impact is not None:
            return self.impact
        return CATEGORY_SECURITY_SEVERITY.get(self.category, DEFAULT_SECURITY_SEVERITY)

    @property
    def summary(self) -> str:
        """The first paragraph of the documentation."""
        return self.doc.split("\n\n", 1)[0].replace("\n", " ").strip() or self.title


def rule(*, id, name, title, pillar, category, best_practice=(), severity=None,
         formats=FORMATS, checkov=(), precision=DEFAULT_PRECISION, security_severity=None):
    """Decorate a check function `f(graph) -> iterable of Finding` to make it a Rule.

    `precision` (very-high, high, medium, low) says how often a finding is right;
    `security_severity` (0.1-10.0, security-pillar rules) grades the impact of a finding
    as CONTRACT.md does: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, below low."""
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
    if precision not in PRECISIONS:
        raise ValueError(f"{id}: precision {precision!r} is not one of {', '.join(PRECISIONS)}")
    if security_severity is not None:
        if isinstance(security_severity, bool) or not isinstance(security_severity, (int, float)) \
                or not 0.1 <= security_severity <= 10.0:
            raise ValueError(f"{id}: security_severity must be a number from 0.1 to 10.0")
        if pillar != "security":
            raise ValueError(f"{id}: security_severity is for security-pillar rules")
        security_severity = float(security_severity)

    def wrap(fn):
        return Rule(id=id, name=name, title=title, pillar=pillar, category=category,
                    best_practice=tuple(best_practice), severity=dict(sev), check=fn,
                    formats=tuple(formats), checkov=tuple(checkov),
                    doc=inspect.cleandoc(fn.__doc__ or ""), precision=precision,
                    impact=security_severity)

    return wrap

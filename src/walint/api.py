"""The public rule API: the only module a rule pack (built-in or third-party) imports.

    from walint.api import rule, severity, as_bool, decide

    @rule(id="ACME-DB-001", name="db-tagged", title="Databases carry an owner tag",
          pillar="operational-excellence", category="logging-monitoring",
          severity=severity(development="note", production="warning"))
    def check(graph):
        '''Databases carry an `owner` tag. ...'''
        for db in graph.resources("db_instance"):
            if "owner" not in db.tags():
                yield db.finding(None, "has no owner tag")
"""
from walint.model.finding import Finding, Related
from walint.model.graph import Graph
from walint.model.resource import ABSENT, Resource
from walint.model.rule import (CATEGORIES, LEVELS, PILLARS, PROFILES, Rule, rule,
                               severity)
from walint.model.values import AzIndex, AzList, OneOf, Ref, Unknown, is_unknown
from walint.model.verdict import as_bool, as_int, decide, options

__all__ = [
    "rule", "severity", "Rule", "Finding", "Related", "Graph", "Resource", "ABSENT",
    "Unknown", "OneOf", "Ref", "AzIndex", "AzList", "is_unknown",
    "decide", "options", "as_bool", "as_int",
    "PILLARS", "CATEGORIES", "PROFILES", "LEVELS",
]

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
from walint.model import topology
from walint.model.topology import (ISOLATED, PRIVATE, PUBLIC, UNKNOWN, ExternalSubnet,
                                   Placement, RouteInfo, Tier, Zone, default_routes,
                                   distinct_zones, is_regional, nat_route, nat_subnet,
                                   placement, placement_zones, routes_of, same_zone, table_notes,
                                   subnet_list, subnets_in, tier_of, vpc_key, vpc_of,
                                   zone_label, zone_of, zone_of_value, zones_text)

__all__ = [
    "rule", "severity", "Rule", "Finding", "Related", "Graph", "Resource", "ABSENT",
    "Unknown", "OneOf", "Ref", "AzIndex", "AzList", "is_unknown",
    "decide", "options", "as_bool", "as_int",
    "PILLARS", "CATEGORIES", "PROFILES", "LEVELS",
]
__all__ += [
    "topology", "Zone", "Tier", "RouteInfo", "Placement", "ExternalSubnet",
    "PUBLIC", "PRIVATE", "ISOLATED", "UNKNOWN",
    "zone_of", "zone_of_value", "zone_label", "zones_text", "same_zone", "distinct_zones",
    "tier_of", "routes_of", "table_notes", "default_routes", "vpc_of", "vpc_key", "subnets_in",
    "nat_route", "nat_subnet", "is_regional",
    "placement", "placement_zones", "subnet_list",
]

# Security-group semantics (RULES.md §3.4): rules, attachments, roles, reachability.
from walint.model import security_groups as sg  # noqa: E402
from walint.model.security_groups import (INGRESS, EGRESS, Cidr, Sg, PrefixList,  # noqa: E402
                                          UnknownSource, SgRule, RuleSet, Attachment,
                                          effective_rules, all_rules, attached, roles,
                                          edge_role, groups_of, engine_ports, can_reach,
                                          service_load_balancers, lb_targets)

__all__ += ["sg", "INGRESS", "EGRESS", "Cidr", "Sg", "PrefixList", "UnknownSource", "SgRule",
            "RuleSet", "Attachment", "effective_rules", "all_rules", "attached", "roles", "edge_role",
            "groups_of", "engine_ports", "can_reach", "service_load_balancers", "lb_targets"]

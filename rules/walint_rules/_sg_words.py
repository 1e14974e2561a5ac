"""Shared by the security-group rules (RULES.md §2.6, §3.4): a finding anchored on one
normalized rule, and the words that name the rule, its ports, its group and the group's
attachments, so that every sg-least-privilege message reads the same way.
"""
from walint.api import INGRESS, Related, attached, engine_ports, roles
from walint.api import sg as sgm

# RULES.md §2.6 WAL-SG-001: admin and data ports (8080 is added for app-tier groups).
SENSITIVE = frozenset({22, 3389, 5432, 3306, 1433, 1521, 6379, 11211, 27017, 9200, 9300,
                       2049, 5439, 5984})
APP_PORT = 8080
LB_PUBLIC_PORTS = frozenset({80, 443})


# ----------------------------------------------------------------------------------------
# shared helpers
# ----------------------------------------------------------------------------------------

def finding_on(r, message, *, related=(), severity=None, key=None):
    resource, path = r.anchor()
    return resource.finding(path, message, related=list(related), key=key or r.key,
                            severity=severity)


def unknown_on(r, reason, key=None):
    resource, path = r.anchor()
    return resource.unknown(path, reason, key=key or r.key)


def attachment_text(graph, group, limit=3):
    """`sg X is attached to A, B`, or `sg X is attached to nothing declared here`."""
    if group is None:
        return "its security group cannot be followed"
    atts = attached(graph, group)
    if not atts:
        return f"sg {group.address} is attached to nothing declared here"
    names = [attached_label(graph, a.resource) for a in atts[:limit]]
    more = f" and {len(atts) - limit} more" if len(atts) > limit else ""
    return f"sg {group.address} is attached to {', '.join(names)}{more}"


def attached_label(graph, node):
    """`aws_launch_template.web (launch template of aws_autoscaling_group.web)`."""
    if node.kind == "launch_template":
        asgs = [r.address for r in graph.referrers(node) if r.kind == "asg"]
        if asgs:
            return f"{node.address} (launch template of {', '.join(asgs[:2])})"
    return node.address


def related_of(graph, r, extra=()):
    """Related locations: the group (for a standalone rule) and its attachments."""
    out = []
    group = r.group
    if group is not None and r.origin is not group:
        out.append(Related(group, (), f"the rule belongs to sg {group.address}"))
    if group is not None:
        for a in attached(graph, group)[:5]:
            out.append(Related(a.resource, a.path,
                               f"sg {group.address} is attached to {a.resource.address}"))
    for resource, path, message in extra:
        out.append(Related(resource, tuple(path or ()), message))
    unique, seen = [], set()
    for rel in out:
        mark = (id(rel.resource), rel.path)
        if mark not in seen:
            seen.add(mark)
            unique.append(rel)
    return unique


def rule_text(r):
    """`ingress tcp port 5432 (PostgreSQL) from 10.0.0.0/16 (inline ingress rule #1 of X)`."""
    word = "from" if r.direction == INGRESS else "to"
    return f"{r.direction} {r.ports_label()} {word} {r.source.label()} ({r.where()})"


def verb(r):
    return "are" if " ports " in f" {r.ports_label()} " else "is"


def wider(r, ports):
    """`wider than` when the rule covers one of `ports` and more, else `not`."""
    return "wider than" if r.intersects(ports) else "not"


def open_words(r):
    """`tcp port 443 (HTTPS) is open` / `tcp ports 80-84 are open`."""
    return f"{r.ports_label()} {verb(r)} open"


def sensitive_ports(graph, r):
    ports = set(SENSITIVE)
    if r.group is not None and "app_sg" in roles(graph, r.group):
        ports.add(APP_PORT)
    return ports


def port_list(ports, app=False):
    names = []
    for p in ports:
        if app and p == APP_PORT:
            names.append(f"{p} (the app tier's container port)")
        else:
            names.append(sgm.port_label(p))
    if len(names) > 4:
        names = names[:4] + [f"{len(ports) - 4} more"]
    return ", ".join(names)


def data_stores(graph, group):
    """[(attachment, port or Unknown)] of the data stores a group is attached to."""
    out = []
    for a in attached(graph, group):
        if a.resource.kind in sgm.DATA_KINDS:
            out.append((a, engine_ports(graph, a.resource)))
    return out


def store_text(stores):
    parts = []
    for a, port in stores[:3]:
        if isinstance(port, int):
            parts.append(f"{a.resource.address} on port {sgm.engine_label(port)}")
        else:
            parts.append(a.resource.address)
    more = f" and {len(stores) - 3} more" if len(stores) > 3 else ""
    return ", ".join(parts) + more

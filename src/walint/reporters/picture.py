"""`walint graph --format dot|mermaid`: a picture of the architecture walint understood.

VPCs contain their Availability Zones; a zone holds its subnets grouped by tier (public,
private, isolated: decided from routing, `walint.model.topology`) and the NAT gateways
placed there. Default routes are drawn from each subnet to its target (internet
gateway, NAT gateway, ...), in red when a subnet leans on a NAT gateway of another zone.
Workloads (databases, caches, load balancers, services...) are drawn inside their VPC
with an edge to every subnet they are placed in, and security-group edges between them
(`walint.model.security_groups`, when present) say which port one tier opens to
another. Resources with findings are outlined in red with their rule ids.

The output is deterministic: everything is sorted, node ids are assigned in order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from walint.model import topology as topo
from walint.model.values import Unknown
from walint.reporters.safe import ELLIPSIS, cut, safe, name as safe_name

TIER_ORDER = (topo.PUBLIC, topo.PRIVATE, topo.ISOLATED, topo.UNKNOWN)
TIER_COLOR = {topo.PUBLIC: "#e6f4ea", topo.PRIVATE: "#e8f0fe", topo.ISOLATED: "#f1f3f4",
              topo.UNKNOWN: "#ffffff"}
WORKLOAD_KINDS = ("lb", "ecs_service", "asg", "lambda", "instance", "db_instance", "db_cluster",
                  "docdb_cluster", "cache_rg", "cache_cluster", "efs", "opensearch", "redshift")
DATA_KINDS = ("db_instance", "db_cluster", "docdb_cluster", "cache_rg", "cache_cluster", "efs",
              "opensearch", "redshift")
FINDING_COLOR = "#d93025"


@dataclass
class Node:
    id: str
    label: str
    kind: str                  # subnet | natgw | igw | workload | internet | module | gateway
    resource: object = None
    tier: str = ""
    data: bool = False
    rules: list = field(default_factory=list)


@dataclass
class Edge:
    source: str
    target: str
    label: str = ""
    style: str = "solid"       # solid | dashed | dotted
    alert: bool = False
    kind: str = ""             # route | placement | nat-home | sg


@dataclass
class Cluster:
    id: str
    label: str
    kind: str                  # vpc | zone | tier
    tier: str = ""
    nodes: list = field(default_factory=list)
    children: list = field(default_factory=list)


@dataclass
class Picture:
    clusters: list = field(default_factory=list)
    nodes: list = field(default_factory=list)        # top-level nodes
    edges: list = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# building the picture
# ---------------------------------------------------------------------------------------

def _zone_sort_key(zone):
    if zone.form == "index":
        return (0, zone.value[0], zone.value[1], "")
    if zone.form == "name":
        return (1, "", 0, zone.value)
    if zone.form == "id":
        return (2, "", 0, zone.value)
    return (3, "", 0, topo.zone_label(zone))


class _Builder:
    def __init__(self, report):
        self.report = report
        self.graph = report.graph
        self.ids = {}
        self.counter = 0
        self.pic = Picture()
        self.drawn = {}          # id(resource) -> Node
        self._tier_cluster_of = {}   # id(subnet) -> its tier Cluster
        self.findings = self._findings()

    def new_id(self, prefix="n"):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def _findings(self):
        out = {}
        for r in getattr(self.report, "results", None) or ():
            if getattr(r, "suppressed", False):
                continue
            key = (r.location.file, r.location.address)
            ids = out.setdefault(key, [])
            if r.rule.id not in ids:
                ids.append(r.rule.id)
        return out

    def rules_for(self, resource):
        namer = getattr(self.report, "namer", None)
        file = namer(resource.file) if namer else resource.file
        # results carry names as every output shows them (engine.run._neutralise)
        return sorted(self.findings.get((safe_name(file), safe_name(resource.address)), []))

    def node(self, resource, kind, label, **kw):
        n = Node(self.new_id(), label, kind, resource, rules=self.rules_for(resource), **kw)
        self.drawn[id(resource)] = n
        return n

    # -- the model -------------------------------------------------------------------------

    def build(self) -> Picture:
        g = self.graph
        subnets = sorted(g.resources("subnet"), key=lambda r: (r.scope, r.address))
        groups = {}
        for s in subnets:
            groups.setdefault(topo.vpc_key(g, s), []).append(s)
        vpcs = sorted(g.resources("vpc"), key=lambda r: (r.scope, r.address))
        keys = [("vpc", v.scope, v.address) for v in vpcs]
        for k in sorted(groups):
            if k not in keys:
                keys.append(k)
        vpc_by_key = {("vpc", v.scope, v.address): v for v in vpcs}
        internet = Node("internet", "Internet", "internet")
        need_internet = False
        vpc_clusters = {}
        for key in keys:
            vpc = vpc_by_key.get(key)
            if vpc is not None:
                cidr = vpc.get("cidr_block")
                namer = getattr(self.report, "namer", None)
                label = f"VPC {vpc.address}" + (f"\n{cidr}" if isinstance(cidr, str) else "")
                label += f"\n{namer(vpc.file) if namer else vpc.file}"
                rules = self.rules_for(vpc)
                if rules:
                    label += "\n! " + ", ".join(rules)
            else:
                label = "VPC not in the scanned files"
            cluster = Cluster(self.new_id("c"), label, "vpc")
            vpc_clusters[key] = cluster
            self.pic.clusters.append(cluster)
            self._zones(cluster, groups.get(key, []))
            if vpc is not None:
                for igw in self._igws(vpc):
                    cluster.nodes.append(self.node(igw, "igw", f"internet gateway\n{igw.address}"))
        # NAT gateways: in the zone and tier of their subnet
        for nat in sorted(g.resources("natgw"), key=lambda r: (r.scope, r.address)):
            home = topo.nat_subnet(g, nat)
            label = f"NAT gateway\n{nat.address}"
            regional = topo.is_regional(nat)
            if regional:
                label += "\n(regional)"
            n = self.node(nat, "natgw", label)
            placed = False
            if not isinstance(home, Unknown) and id(home) in self.drawn:
                holder = self._tier_cluster_of.get(id(home))
                if holder is not None:
                    holder.nodes.append(n)
                    placed = True
                    self.pic.edges.append(Edge(n.id, self.drawn[id(home)].id, "in", "dotted", kind="nat-home"))
            if not placed:
                vpc = topo.vpc_of(g, home) if not isinstance(home, Unknown) else None
                key = ("vpc", vpc.scope, vpc.address) if vpc is not None else None
                (vpc_clusters[key].nodes if key in vpc_clusters else self.pic.nodes).append(n)
        # routes
        for s in subnets:
            t = topo.tier_of(g, s)
            r = t.decisive
            if r is None or id(s) not in self.drawn:
                continue
            target = r.target
            if target is not None and id(target) in self.drawn:
                tid = self.drawn[id(target)].id
            elif r.target_kind:
                tid = self._gateway(r, vpc_clusters, s)
            else:
                continue
            alert = False
            if r.target_kind == "natgw" and target is not None:
                home = topo.nat_subnet(g, target)
                if not isinstance(home, Unknown) and not topo.is_regional(target):
                    alert = topo.same_zone(topo.zone_of(g, s), topo.zone_of(g, home)) is False
            self.pic.edges.append(Edge(self.drawn[id(s)].id, tid, r.dest_label, "solid", alert, "route"))
        for igw_node in [n for n in self.drawn.values() if n.kind == "igw"]:
            need_internet = True
            self.pic.edges.append(Edge("internet", igw_node.id, "", "solid", kind="igw"))
        # workloads
        for w in self._workloads():
            p = topo.placement(g, w)
            subs = [s for s in p.subnets if not isinstance(s, Unknown) and id(s) in self.drawn]
            label = f"{_KIND_WORDS.get(w.kind, w.kind)}\n{w.address}"
            n = self.node(w, "workload", label, data=w.kind in DATA_KINDS)
            vpc = topo.vpc_of(g, subs[0]) if subs else None
            key = topo.vpc_key(g, subs[0]) if subs else None
            if key in vpc_clusters:
                vpc_clusters[key].nodes.append(n)
            else:
                self.pic.nodes.append(n)
            seen = set()
            for s in subs:
                if id(s) in seen:
                    continue
                seen.add(id(s))
                self.pic.edges.append(Edge(n.id, self.drawn[id(s)].id, "", "dashed", kind="placement"))
            del vpc
        for m in sorted(g.resources("module_facade"), key=lambda r: (r.scope, r.address)):
            source = m.meta.get("module_source") or m.type[len("module:"):]
            self.pic.nodes.append(self.node(m, "module", f"module {m.address}\n{source}\n(not expanded)"))
        self._attach_indirect_findings()
        need_internet = self._security_edges(internet) or need_internet
        if need_internet:
            self.pic.nodes.insert(0, internet)
        return self.pic

    def _zones(self, vpc_cluster, subnets):
        g = self.graph
        by_zone = {}
        for s in subnets:
            z = topo.zone_of(g, s)
            by_zone.setdefault(topo.zone_label(z), (z, []))[1].append(s)
        for label, (zone, members) in sorted(by_zone.items(), key=lambda kv: _zone_sort_key(kv[1][0])):
            zc = Cluster(self.new_id("c"), label if label.startswith("zone") else
                         (f"zone {label}" if zone.known else f"zone: {label}"), "zone")
            vpc_cluster.children.append(zc)
            by_tier = {}
            for s in members:
                by_tier.setdefault(topo.tier_of(g, s).tier, []).append(s)
            for tier in TIER_ORDER:
                if tier not in by_tier:
                    continue
                tc = Cluster(self.new_id("c"), tier if tier != topo.UNKNOWN else "tier unknown",
                             "tier", tier=tier)
                zc.children.append(tc)
                for s in by_tier[tier]:
                    cidr = s.get("cidr_block")
                    label = s.address + (f"\n{cidr}" if isinstance(cidr, str) else "")
                    tc.nodes.append(self.node(s, "subnet", label, tier=tier))
                    self._tier_cluster_of[id(s)] = tc

    def _igws(self, vpc):
        g = self.graph
        out = []
        for r in g.referrers(vpc):
            if r.kind == "igw" and r not in out:
                out.append(r)
            elif r.kind == "igw_attachment":
                t = g.deref(r, r.get("internet_gateway_id"))
                if t is not None and t.kind == "igw" and t not in out:
                    out.append(t)
        return sorted(out, key=lambda r: r.address)

    def _gateway(self, route, vpc_clusters, subnet):
        """A node for a route target that is not drawn (another gateway, an external id)."""
        target = route.target
        key = ("target", id(target)) if target is not None else ("target", route.target_kind,
                                                                  str(route.target_value))
        if key in self.ids:
            return self.ids[key]
        label = topo.TARGET_WORDS.get(route.target_kind, route.target_kind or "target")
        if target is not None:
            label += f"\n{target.address}"
            n = self.node(target, "gateway", label)
        else:
            if isinstance(route.target_value, str):
                label += f"\n{route.target_value}"
            n = Node(self.new_id(), label, "gateway")
        vkey = topo.vpc_key(self.graph, subnet)
        (vpc_clusters[vkey].nodes if vkey in vpc_clusters else self.pic.nodes).append(n)
        self.ids[key] = n.id
        return n.id

    def _workloads(self):
        g = self.graph
        out = []
        for r in g.resources(*WORKLOAD_KINDS):
            if r.kind == "db_instance" and r.has("cluster_identifier"):
                cluster = g.deref(r, r.get("cluster_identifier"))
                if cluster is not None:
                    continue
            if r.kind == "cache_cluster" and r.has("replication_group_id"):
                continue
            if r.kind == "lambda" and not r.has("subnet_ids"):
                continue
            out.append(r)
        return sorted(out, key=lambda r: (r.scope, r.address))

    def _attach_indirect_findings(self):
        """Findings on resources not drawn (subnet groups, routes, tables) go to what is."""
        g = self.graph
        drawn_files = {}
        for n in self.drawn.values():
            drawn_files[id(n.resource)] = n
        pending = {}
        for r in g.resources():
            if id(r) in self.drawn:
                continue
            rules = self.rules_for(r)
            if not rules:
                continue
            pending[id(r)] = (r, rules)
        if not pending:
            return
        for n in list(self.drawn.values()):
            r = n.resource
            related = []
            if n.kind == "workload":
                related = list(topo.placement(g, r).via)
                if r.kind in ("db_cluster", "cache_rg"):      # members are drawn as their cluster
                    related += g.referrers(r, kind="db_instance") + g.referrers(r, kind="cache_cluster")
            elif n.kind == "subnet":
                t = topo.tier_of(g, r)
                related = [x for x in (t.assoc, t.table, t.decisive.owner if t.decisive else None) if x]
            for x in related:
                if id(x) in pending:
                    for rule in pending[id(x)][1]:
                        if rule not in n.rules:
                            n.rules.append(rule)
                    n.rules.sort()

    def _security_edges(self, internet) -> bool:
        try:
            from walint.model import security_groups as sgm
        except ImportError:        # the security-group model is optional for the picture
            return False
        g = self.graph
        needed = False
        try:
            members = {}
            workloads = [n for n in self.drawn.values() if n.kind == "workload"]
            workloads.sort(key=lambda n: int(n.id[1:]))
            for n in workloads:
                for sg in sgm.groups_of(g, n.resource):
                    if not isinstance(sg, Unknown):
                        members.setdefault(id(sg), []).append(n)
            seen = set()
            for n in workloads:
                for sg in sgm.groups_of(g, n.resource):
                    if isinstance(sg, Unknown):
                        continue
                    for rule in sgm.effective_rules(g, sg, sgm.INGRESS):
                        label = _ports(rule)
                        src = rule.source
                        if isinstance(src, sgm.Sg) and src.node is not None and not src.self_ref:
                            for peer in members.get(id(src.node), []):
                                if peer is n:
                                    continue
                                key = (peer.id, n.id, label)
                                if key not in seen:
                                    seen.add(key)
                                    self.pic.edges.append(Edge(peer.id, n.id, label, "solid", kind="sg"))
                        elif isinstance(src, sgm.Cidr) and _flag(src, "internet"):
                            key = ("internet", n.id, label)
                            if key not in seen:
                                seen.add(key)
                                needed = True
                                self.pic.edges.append(Edge("internet", n.id, label, "solid", kind="sg"))
        except Exception:          # never let the picture fail on a half-built SG model
            return needed
        return needed


def _flag(obj, name) -> bool:
    value = getattr(obj, name, False)
    return bool(value() if callable(value) else value)


def _ports(rule) -> str:
    proto = rule.protocol or "?"
    if proto == "all":
        return "all traffic"
    rng = rule.port_range() if rule.known else None
    if rng is None:
        return proto
    lo, hi = rng
    return f"{proto}/{lo}" if lo == hi else f"{proto}/{lo}-{hi}"


_KIND_WORDS = {"lb": "load balancer", "ecs_service": "ECS service", "asg": "Auto Scaling group",
               "lambda": "Lambda", "instance": "EC2 instance", "db_instance": "RDS instance",
               "db_cluster": "RDS cluster", "docdb_cluster": "DocumentDB", "cache_rg": "ElastiCache",
               "cache_cluster": "ElastiCache node", "efs": "EFS", "opensearch": "OpenSearch",
               "redshift": "Redshift"}


def build(report) -> Picture:
    return _Builder(report).build()


# ---------------------------------------------------------------------------------------
# DOT
# ---------------------------------------------------------------------------------------

def _dot_str(text: str) -> str:
    text = "\n".join(safe(line, 200) for line in str(text).split("\n"))
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _dot_node(n: Node, indent: str) -> str:
    label = n.label + ("\n! " + ", ".join(n.rules) if n.rules else "")
    attrs = [f"label={_dot_str(label)}"]
    if n.kind == "subnet":
        attrs += ["shape=box", 'style="rounded,filled"', f'fillcolor="{TIER_COLOR.get(n.tier, "#ffffff")}"']
        if n.tier == topo.UNKNOWN:
            attrs[-2] = 'style="rounded,dashed"'
    elif n.kind == "natgw":
        attrs += ["shape=hexagon", "style=filled", 'fillcolor="#fef7e0"']
    elif n.kind == "igw":
        attrs += ["shape=house", "style=filled", 'fillcolor="#fce8e6"']
    elif n.kind == "internet":
        attrs += ["shape=ellipse", "style=filled", 'fillcolor="#ffffff"']
    elif n.kind == "workload":
        attrs += ["shape=cylinder" if n.data else "shape=component", "style=filled", 'fillcolor="#ffffff"']
    elif n.kind == "module":
        attrs += ["shape=note"]
    else:
        attrs += ["shape=box"]
    if n.rules:
        attrs += [f'color="{FINDING_COLOR}"', "penwidth=2.5", f'fontcolor="{FINDING_COLOR}"']
    return f"{indent}{n.id} [{', '.join(attrs)}];"


def _dot_cluster(c: Cluster, indent: str, out: list):
    out.append(f"{indent}subgraph cluster_{c.id} {{")
    inner = indent + "  "
    out.append(f"{inner}label={_dot_str(c.label)};")
    if c.kind == "vpc":
        out.append(f'{inner}style="rounded,bold"; color="#5f6368";')
    elif c.kind == "zone":
        out.append(f'{inner}style="rounded,dashed"; color="#9aa0a6";')
    else:
        fill = TIER_COLOR.get(c.tier, "#ffffff")
        out.append(f'{inner}style="rounded,filled"; fillcolor="{fill}"; color="{fill}";')
    for n in c.nodes:
        out.append(_dot_node(n, inner))
    for child in c.children:
        _dot_cluster(child, inner, out)
    out.append(f"{indent}}}")


def to_dot(pic: Picture) -> str:
    out = ["digraph walint {",
           '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, newrank=true, nodesep=0.3];',
           '  node [fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=9, color="#5f6368"];']
    for n in pic.nodes:
        out.append(_dot_node(n, "  "))
    for c in pic.clusters:
        _dot_cluster(c, "  ", out)
    # tiers in rows and zones left to right: the first subnet of each tier, zone by zone
    for c in pic.clusters:
        rows = {}
        for zone in c.children:
            for tier in zone.children:
                first = next((n for n in tier.nodes if n.kind == "subnet"), None)
                if first is not None:
                    rows.setdefault(tier.tier, []).append(first.id)
        for tier in TIER_ORDER:
            ids = rows.get(tier, [])
            if len(ids) > 1:
                out.append(f"  {{rank=same; {'; '.join(ids)};}}")
                out.append(f"  {' -> '.join(ids)} [style=invis];")
    for e in pic.edges:
        attrs = []
        if e.label:
            attrs.append(f"label={_dot_str(e.label)}")
        if e.style != "solid":
            attrs.append(f"style={e.style}")
        if e.kind in ("placement", "igw"):
            attrs.append("dir=none")
        if e.kind == "sg":
            attrs.append('color="#1a73e8"')
            attrs.append('fontcolor="#1a73e8"')
        if e.alert:
            attrs += [f'color="{FINDING_COLOR}"', f'fontcolor="{FINDING_COLOR}"', "penwidth=2"]
        out.append(f"  {e.source} -> {e.target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------
# Mermaid
# ---------------------------------------------------------------------------------------

# Mermaid labels end up as HTML in GitHub's renderer: only these characters are copied,
# anything else (<, >, &, quotes, #, backticks, control, bidi and invisible characters)
# becomes "?", and each line is cut to MAX_LABEL characters (docs/security.md)
_MM_ALLOWED = re.compile(r"[^A-Za-z0-9 .,:;_/()\[\]*!=+\-]")
MAX_LABEL = 80


def _mm_str(text: str) -> str:
    lines = [cut(_MM_ALLOWED.sub("?", line), MAX_LABEL).replace(ELLIPSIS, "...")
             for line in str(text).split("\n")]
    return '"' + "<br/>".join(lines) + '"'


def _mm_node(n: Node) -> str:
    label = _mm_str(n.label + ("\n! " + ", ".join(n.rules) if n.rules else ""))
    if n.kind == "natgw":
        return f"{n.id}{{{{{label}}}}}"
    if n.kind in ("internet", "igw"):
        return f"{n.id}(({label}))" if n.kind == "internet" else f"{n.id}[/{label}\\]"
    if n.kind == "workload" and n.data:
        return f"{n.id}[({label})]"
    if n.kind == "subnet":
        return f"{n.id}({label})"
    return f"{n.id}[{label}]"


def _mm_cluster(c: Cluster, indent: str, out: list, classes: dict):
    out.append(f"{indent}subgraph {c.id}[{_mm_str(c.label)}]")
    inner = indent + "  "
    if c.kind == "zone":
        out.append(f"{inner}direction TB")
    for n in c.nodes:
        out.append(inner + _mm_node(n))
        _classify(n, classes)
    for child in c.children:
        _mm_cluster(child, inner, out, classes)
        if child.kind == "tier":
            classes.setdefault("subgraphs", []).append((child.id, child.tier))
    out.append(f"{indent}end")


def _classify(n: Node, classes: dict):
    if n.kind == "subnet":
        classes.setdefault(n.tier, []).append(n.id)
    elif n.kind in ("natgw", "igw", "workload"):
        classes.setdefault(n.kind if n.kind != "workload" else ("data" if n.data else "compute"), []).append(n.id)
    if n.rules:
        classes.setdefault("finding", []).append(n.id)


def to_mermaid(pic: Picture) -> str:
    out = ["flowchart TB"]
    classes = {}
    for n in pic.nodes:
        out.append("  " + _mm_node(n))
        _classify(n, classes)
    for c in pic.clusters:
        _mm_cluster(c, "  ", out, classes)
    alerts, blue = [], []
    for i, e in enumerate(pic.edges):
        label = f"|{_mm_str(e.label)}|" if e.label else ""
        if e.kind == "placement":
            arrow = "-.-"
            label = ""
        elif e.kind == "igw":
            arrow = "---"
        elif e.style == "dotted":
            arrow = "-.->"
        else:
            arrow = "-->"
        out.append(f"  {e.source} {arrow}{label} {e.target}")
        if e.alert:
            alerts.append(str(i))
        elif e.kind == "sg":
            blue.append(str(i))
    if blue:
        out.append(f"  linkStyle {','.join(blue)} stroke:#1a73e8,color:#1a73e8")
    if alerts:
        out.append(f"  linkStyle {','.join(alerts)} stroke:{FINDING_COLOR},stroke-width:2px")
    styles = {
        topo.PUBLIC: f"fill:{TIER_COLOR[topo.PUBLIC]},stroke:#34a853",
        topo.PRIVATE: f"fill:{TIER_COLOR[topo.PRIVATE]},stroke:#1a73e8",
        topo.ISOLATED: f"fill:{TIER_COLOR[topo.ISOLATED]},stroke:#5f6368",
        topo.UNKNOWN: "fill:#ffffff,stroke:#9aa0a6,stroke-dasharray:4 2",
        "natgw": "fill:#fef7e0,stroke:#f9ab00",
        "igw": "fill:#fce8e6,stroke:#d93025",
        "data": "fill:#ffffff,stroke:#5f6368",
        "compute": "fill:#ffffff,stroke:#5f6368",
        "finding": f"stroke:{FINDING_COLOR},stroke-width:3px,color:{FINDING_COLOR}",
    }
    for name in sorted(styles):
        if name in classes:
            out.append(f"  classDef {name} {styles[name]}")
    for sid, tier in classes.pop("subgraphs", []):
        out.append(f"  style {sid} fill:{TIER_COLOR.get(tier, '#ffffff')},stroke:#dadce0")
    for name in sorted(classes):
        if name == "finding":
            continue
        out.append(f"  class {','.join(classes[name])} {name}")
    if "finding" in classes:
        out.append(f"  class {','.join(classes['finding'])} finding")
    return "\n".join(out) + "\n"


def render(report, fmt: str) -> str:
    """The picture of a scan's graph as Graphviz DOT (`dot`) or Mermaid (`mermaid`)."""
    pic = build(report)
    if fmt == "dot":
        return to_dot(pic)
    if fmt == "mermaid":
        return to_mermaid(pic)
    raise ValueError(f"unknown picture format {fmt!r}")

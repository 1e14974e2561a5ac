"""Security-group semantics (RULES.md §3.4, §2.6): rules, attachments, roles, reachability.

Everything here reads the graph; nothing changes it. The entry points:

* `effective_rules(graph, sg, direction)`: the normalized rules of one group (inline,
  standalone and the CloudFormation implicit default egress) as a `RuleSet`, which also
  says whether the set is complete (a `dynamic` block over an unknown collection is not).
* `all_rules(graph, direction)`: every rule of the graph, including standalone rules
  whose group cannot be followed (their `group` is None).
* `attached(graph, sg)`: the resources whose security-group lists name the group.
* `roles(graph, sg)`: `lb_sg`, `app_sg`, `data_sg`, `bastion_sg`.
* `edge_role(graph, groups)`: "bastion", "vpn" or "nat" when the groups of some compute
  show that it is an edge host, which belongs in a public subnet (WAL-NET-004).
* `engine_ports(graph, node)`: the port a data store listens on.
* `service_load_balancers(graph, service)` / `lb_targets(graph, lb)`: the ECS service ->
  target group -> listener (rule) -> load balancer chain, both ways.
* `can_reach(graph, src, dst, port)`: True / False / None (unknown).

Unknown handling (RULES.md §0.3): a source or port walint cannot know is kept as such
(`UnknownSource`, `None` ports with `ports_unknown`), and the predicates return None for
it, so that an unknown never counts as allowed for an existence claim nor as disallowed
for a violation claim.
"""
from __future__ import annotations

import functools
import ipaddress
import weakref
from dataclasses import dataclass, field

from walint.model.values import OneOf, Ref, Unknown
from walint.model.verdict import as_bool, as_int

INGRESS = "ingress"
EGRESS = "egress"
ALL_PORTS = (0, 65535)

# Attribute names (last path segment, snake_case) that hold a list of security groups.
ATTACH_ATTRS = frozenset({
    "security_groups", "security_group_ids", "vpc_security_groups", "vpc_security_group_ids",
    "groups", "group_set",
})

# Ports worth naming in messages.
PORT_NAMES = {
    20: "FTP data", 21: "FTP", 22: "SSH", 23: "Telnet", 25: "SMTP", 53: "DNS", 80: "HTTP",
    135: "MS RPC", 139: "NetBIOS", 443: "HTTPS", 445: "SMB", 1433: "SQL Server",
    1521: "Oracle", 2049: "NFS", 2375: "Docker", 2379: "etcd", 3306: "MySQL", 3389: "RDP",
    5432: "PostgreSQL", 5439: "Redshift", 5601: "Kibana", 5900: "VNC", 5984: "CouchDB",
    6379: "Redis", 8080: "HTTP alternate", 9042: "Cassandra", 9092: "Kafka",
    9200: "Elasticsearch", 9300: "Elasticsearch transport", 11211: "Memcached",
    27017: "MongoDB",
}

PROTOCOL_NAMES = {"-1": "all", "all": "all", "6": "tcp", "tcp": "tcp", "17": "udp",
                  "udp": "udp", "1": "icmp", "icmp": "icmp", "58": "icmpv6", "icmpv6": "icmpv6"}

_PRIVATE_V4 = tuple(ipaddress.ip_network(n) for n in
                    ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))
_LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def port_label(port: int) -> str:
    name = PORT_NAMES.get(port)
    return f"{port} ({name})" if name else str(port)


# ----------------------------------------------------------------------------------------
# Sources (or destinations, for egress)
# ----------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def _network(text):
    """The parsed range (cached: a scan asks about the same few ranges many times)."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except (ValueError, AttributeError, TypeError):
        return None


@dataclass(frozen=True)
class Cidr:
    value: str

    @property
    def network(self):
        return _network(self.value)

    @property
    def internet(self) -> bool:
        """0.0.0.0/0 or ::/0 (RULES.md §2.6 `internet`)."""
        net = self.network
        return net is not None and net.prefixlen == 0

    @property
    def loopback(self) -> bool:
        """127.0.0.1/32 and friends: the CloudFormation "no egress" placeholder."""
        net = self.network
        return net is not None and any(net.version == lb.version and net.subnet_of(lb)
                                       for lb in _LOOPBACK)

    @property
    def private(self) -> bool:
        """Inside RFC 1918 or RFC 6598 (IPv4), or an IPv6 unique-local range."""
        net = self.network
        if net is None:
            return False
        if net.version == 4:
            return any(net.subnet_of(p) for p in _PRIVATE_V4)
        return net.subnet_of(ipaddress.ip_network("fc00::/7"))

    def within(self, other: str) -> bool | None:
        """Whether this range lies inside `other` (a CIDR string); None if either is bad."""
        mine = self.network
        try:
            theirs = ipaddress.ip_network(str(other).strip(), strict=False)
        except ValueError:
            return None
        if mine is None:
            return None
        return mine.version == theirs.version and mine.subnet_of(theirs)

    def label(self) -> str:
        return self.value


@dataclass(frozen=True, eq=False)
class Sg:
    """Another security group (or the group itself, `self_ref`).

    `node` is None when the group is not declared in the scanned files (a literal
    `sg-0123...` id, a group name); `name` then says which.
    """

    node: object = None
    self_ref: bool = False
    name: str = ""

    def label(self) -> str:
        if self.self_ref:
            return "self"
        if self.node is not None:
            return self.node.address
        return self.name or "an undeclared security group"

    def __eq__(self, other):
        return (isinstance(other, Sg) and self.node is other.node
                and self.self_ref == other.self_ref and self.name == other.name)

    def __hash__(self):
        return hash((id(self.node), self.self_ref, self.name))


@dataclass(frozen=True)
class PrefixList:
    id: object

    def label(self) -> str:
        if isinstance(self.id, Ref):
            return f"prefix list {self.id.address}"
        return f"prefix list {self.id}"


@dataclass(frozen=True)
class UnknownSource:
    reason: str

    def label(self) -> str:
        return "an unknown source"


@dataclass(frozen=True)
class OneOfSource(UnknownSource):
    """A source that depends on a condition walint cannot decide (CFN `Fn::If`, TF
    `cond ? a : b`): each candidate is known. It is an UnknownSource for every rule that
    does not look at the candidates; a rule may check each one (RULES.md §0.3)."""

    options: tuple = ()


# ----------------------------------------------------------------------------------------
# Rules
# ----------------------------------------------------------------------------------------

@dataclass(eq=False)
class SgRule:
    """One normalized rule: one direction, protocol, port range and one source.

    `origin` is the resource that holds the rule (the group for an inline rule, the
    standalone rule resource otherwise) and `path` the attribute of the source inside
    it, for anchoring (`("ingress", 0, "cidr_blocks")`, `("cidr_ip",)`); `item` is the
    rule item's own path (`("ingress", 0)`, or `()` for a standalone resource).
    `from_port`/`to_port` are None when ports do not apply (icmp, other protocols) or
    when they are unknown (`ports_unknown`).
    """

    direction: str
    protocol: str | None          # "all", "tcp", "udp", "icmp", "icmpv6", another number; None unknown
    from_port: int | None
    to_port: int | None
    source: object                # Cidr | Sg | PrefixList | UnknownSource
    group: object                 # the Resource of the group, or None when it cannot be followed
    origin: object                # the Resource holding the rule
    path: tuple = ()
    item: tuple = ()
    implicit: bool = False
    ports_unknown: bool = False
    description: str = ""
    unknown_reason: str = ""

    # -- ports ------------------------------------------------------------------------

    @property
    def is_all(self) -> bool:
        return self.protocol == "all"

    @property
    def has_ports(self) -> bool:
        """False for icmp and protocols without ports (port predicates are then false)."""
        return self.protocol in ("all", "tcp", "udp")

    @property
    def known(self) -> bool:
        """Protocol and ports are known (the source may still be unknown)."""
        return self.protocol is not None and not self.ports_unknown

    def port_range(self):
        """(from, to), None when ports do not apply; raises nothing. Check `known` first."""
        if not self.has_ports or self.from_port is None:
            return None
        return (self.from_port, self.to_port)

    def covers(self, port: int) -> bool | None:
        """Whether `port` is in the rule's range (None: unknown)."""
        if not self.known:
            return None
        rng = self.port_range()
        return rng is not None and rng[0] <= port <= rng[1]

    def intersects(self, ports) -> bool | None:
        if not self.known:
            return None
        rng = self.port_range()
        return rng is not None and any(rng[0] <= p <= rng[1] for p in ports)

    def ports_in(self, ports) -> list:
        rng = self.port_range() if self.known else None
        if rng is None:
            return []
        return sorted(p for p in ports if rng[0] <= p <= rng[1])

    def within(self, ports) -> bool | None:
        """Whether every port of the rule is in `ports` (a set); false for no-port protocols."""
        if not self.known:
            return None
        rng = self.port_range()
        if rng is None:
            return False
        lo, hi = rng
        if hi - lo + 1 > len(ports):
            return False
        return all(p in ports for p in range(lo, hi + 1))

    def ports_label(self) -> str:
        if self.protocol is None:
            return "an unknown protocol"
        if self.is_all:
            return "all traffic"
        if self.ports_unknown:
            return f"{self.protocol} on unknown ports"
        rng = self.port_range()
        if rng is None:
            return self.protocol if self.protocol in ("icmp", "icmpv6") else f"protocol {self.protocol}"
        lo, hi = rng
        if (lo, hi) == ALL_PORTS:
            return f"{self.protocol} on every port"
        if lo == hi:
            return f"{self.protocol} port {port_label(lo)}"
        return f"{self.protocol} ports {lo}-{hi}"

    # -- identity -----------------------------------------------------------------------

    @property
    def key(self) -> str:
        """A stable distinguishing key: direction, protocol, ports and source."""
        if self.protocol is None or self.ports_unknown:
            ports = "?"
        elif self.port_range() is None:
            ports = "-"
        else:
            ports = "%d-%d" % self.port_range()
        return f"{self.direction}:{self.protocol or '?'}:{ports}:{self.source.label()}"

    def anchor(self):
        """(resource, path) where a finding about this rule belongs."""
        return self.origin, (self.path if not self.implicit else None)

    def where(self) -> str:
        """`inline ingress rule #1 of X` / `aws_security_group_rule.y`."""
        if self.implicit:
            return f"the implicit default egress of {self.group.address}"
        if self.origin is self.group and self.item:
            return f"inline {self.direction} rule #{self.item[-1] + 1} of {self.group.address}"
        return self.origin.address

    def __repr__(self):
        return f"SgRule({self.key} @ {self.origin.address}{list(self.path)})"


class RuleSet(list):
    """A list of SgRule that also says whether it is the complete set."""

    def __init__(self, rules=(), reasons=()):
        super().__init__(rules)
        self.reasons = list(reasons)

    @property
    def complete(self) -> bool:
        return not self.reasons


# ----------------------------------------------------------------------------------------
# Normalization of one rule item
# ----------------------------------------------------------------------------------------

def _scalar(value):
    """A plain value, or Unknown for a marker (an undecided condition included)."""
    if isinstance(value, OneOf):
        opts = []
        for o in value.options:
            o = _scalar(o)
            if o not in opts:
                opts.append(o)
        if len(opts) == 1:
            return opts[0]
        return Unknown("the value depends on a condition walint cannot decide")
    return value


def normalize_protocol(value):
    """"all", "tcp", "udp", "icmp", "icmpv6", another protocol number, or None (unknown)."""
    value = _scalar(value)
    if isinstance(value, (Unknown, Ref)) or value is None or isinstance(value, bool):
        return None
    text = str(value).strip().lower()
    if text in PROTOCOL_NAMES:
        return PROTOCOL_NAMES[text]
    n = as_int(text)
    if n is not None:
        return "all" if n < 0 else str(n)
    return text or None


def _ports(protocol, from_value, to_value, *, absent_means_all=False):
    """(from, to, unknown) for a protocol and the two raw port values."""
    if protocol is None:
        return None, None, True
    if protocol == "all":
        return ALL_PORTS[0], ALL_PORTS[1], False
    if protocol not in ("tcp", "udp"):
        return None, None, False
    lo, hi = _scalar(from_value), _scalar(to_value)
    if lo is None and hi is None and absent_means_all:
        return ALL_PORTS[0], ALL_PORTS[1], False
    lo, hi = as_int(lo) if lo is not None else None, as_int(hi) if hi is not None else None
    if lo is None and hi is None:
        return None, None, True
    if lo is None:
        lo = hi
    if hi is None:
        hi = lo
    if lo == -1 and hi == -1:
        return ALL_PORTS[0], ALL_PORTS[1], False
    lo, hi = max(lo, 0), min(hi, 65535)
    if lo > hi:
        lo, hi = hi, lo
    return lo, hi, False


def _elements(value):
    """The elements of a list attribute; a whole Unknown/OneOf list gives [that marker]."""
    value = _scalar(value) if isinstance(value, OneOf) else value
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            if isinstance(v, (list, tuple)):
                out.extend(_elements(v))
            else:
                out.append(v)
        return out
    return [value]


def _cidr_source(value):
    if isinstance(value, OneOf):
        flat = []
        for o in value.options:
            for v in (o.options if isinstance(o, OneOf) else (o,)):
                if v not in flat:
                    flat.append(v)
        if len(flat) > 1 and all(isinstance(v, str) and v.strip() for v in flat):
            return OneOfSource("the range depends on a condition walint cannot decide",
                               tuple(Cidr(v.strip()) for v in flat))
    value = _scalar(value)
    if isinstance(value, Unknown):
        return UnknownSource(value.reason)
    if isinstance(value, Ref):
        return UnknownSource(f"the range comes from {value.address}, known only after deployment")
    if isinstance(value, str) and value.strip():
        return Cidr(value.strip())
    return UnknownSource(f"{value!r} is not a CIDR walint can read")


def _sg_source(graph, holder, value):
    value = _scalar(value)
    if isinstance(value, Unknown):
        return UnknownSource(value.reason)
    if isinstance(value, Ref):
        target = graph.deref(holder, value)
        if target is None:
            return UnknownSource(f"{value.address} is not declared in the scanned files")
        if target.kind != "sg":
            return UnknownSource(f"{target.address} is not a security group walint knows")
        return Sg(node=target)
    if isinstance(value, str) and value.strip():
        return Sg(name=value.strip())
    return UnknownSource(f"{value!r} is not a security group walint can read")


def _prefix_source(value):
    value = _scalar(value)
    if isinstance(value, Unknown):
        return UnknownSource(value.reason)
    return PrefixList(value)


# (attribute, kind of source, is a list) per format and rule shape
_CFN_FIELDS = {
    INGRESS: (("cidr_ip", "cidr", False), ("cidr_ipv6", "cidr", False),
              ("source_security_group_id", "sg", False),
              ("source_security_group_name", "sg", False),
              ("source_prefix_list_id", "prefix", False)),
    EGRESS: (("cidr_ip", "cidr", False), ("cidr_ipv6", "cidr", False),
             ("destination_security_group_id", "sg", False),
             ("destination_prefix_list_id", "prefix", False)),
}
_TF_BLOCK_FIELDS = (("cidr_blocks", "cidr", True), ("ipv6_cidr_blocks", "cidr", True),
                    ("security_groups", "sg", True), ("source_security_group_id", "sg", False),
                    ("self", "self", False), ("prefix_list_ids", "prefix", True))
_TF_VPC_RULE_FIELDS = (("cidr_ipv4", "cidr", False), ("cidr_ipv6", "cidr", False),
                       ("referenced_security_group_id", "sg", False),
                       ("prefix_list_id", "prefix", False))


def _setting(graph, holder, value):
    """A value that refers to a setting of another resource (`aws_vpc.main.cidr_block`,
    `!GetAtt Vpc.CidrBlock`) is that setting when the configuration gives it: a range or
    a port known before deployment (issue 14). Ids and other computed attributes stay
    references (Graph.resolve)."""
    if isinstance(value, Ref):
        return graph.resolve(holder, value)
    if isinstance(value, OneOf):
        return OneOf(tuple(_setting(graph, holder, o) for o in value.options))
    return value


def _rules_from_item(graph, *, item, direction, group, origin, base, fields, protocol_attr,
                     absent_ports_all=False):
    """Expand one rule item (a dict) into SgRule objects, one per source element."""
    def setting(value):
        return _setting(graph, origin, value)

    protocol = normalize_protocol(setting(item.get(protocol_attr)))
    lo, hi, unknown_ports = _ports(protocol, setting(item.get("from_port")), setting(item.get("to_port")),
                                   absent_means_all=absent_ports_all)
    description = item.get("description")
    description = description if isinstance(description, str) else ""
    out = []

    def add(source, attr):
        out.append(SgRule(direction=direction, protocol=protocol, from_port=lo, to_port=hi,
                          source=source, group=group, origin=origin, path=base + (attr,),
                          item=base, ports_unknown=unknown_ports, description=description,
                          unknown_reason="" if not unknown_ports else
                          "the protocol or ports are not known"))

    for attr, kind, is_list in fields:
        if attr not in item:
            continue
        raw = item[attr]
        if kind == "self":
            flag = as_bool(_scalar(raw)) if not isinstance(_scalar(raw), Unknown) else None
            if flag is True:
                add(Sg(node=group, self_ref=True), attr)
            elif flag is None and raw is not None:
                add(UnknownSource("whether the rule admits its own group is unknown"), attr)
            continue
        values = _elements(setting(raw)) if is_list else [raw]
        for v in values:
            if v is None:
                continue
            if kind == "cidr":
                src = _cidr_source(setting(v))
            elif kind == "sg":
                src = _sg_source(graph, origin, v)
                if isinstance(src, Sg) and group is not None and src.node is group:
                    src = Sg(node=group, self_ref=True)
            else:
                src = _prefix_source(v)
            add(src, attr)
    return out


# ----------------------------------------------------------------------------------------
# The per-graph index
# ----------------------------------------------------------------------------------------

class _Index:
    def __init__(self, graph):
        self.graph = graph
        self.inline = {}          # id(sg) -> {direction: RuleSet}
        self.standalone = {}      # id(sg) -> {direction: [SgRule]}
        self.orphans = {INGRESS: [], EGRESS: []}   # standalone rules whose group is unknown
        self.attached = {}        # id(sg) -> [Attachment]
        self.roles = {}
        for rule_res in graph.resources("sg_rule"):
            for r in _standalone_rules(graph, rule_res):
                if r.group is None:
                    self.orphans[r.direction].append(r)
                else:
                    self.standalone.setdefault(id(r.group), {}).setdefault(r.direction, []).append(r)


_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _index(graph) -> _Index:
    idx = _INDEXES.get(graph)
    if idx is None:
        idx = _Index(graph)
        _INDEXES[graph] = idx
    return idx


def _standalone_rules(graph, res):
    """The rules of one `sg_rule` resource (its group may be None: unknown)."""
    t = res.type
    if t in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
        direction = INGRESS if t.endswith("Ingress") else EGRESS
        group_value = res.get("group_id", res.get("group_name"))
        fields, proto, absent_all = _CFN_FIELDS[direction], "ip_protocol", False
    elif t == "aws_security_group_rule":
        kind = _scalar(res.get("type"))
        if kind not in (INGRESS, EGRESS):
            return []
        direction = kind
        group_value = res.get("security_group_id")
        fields, proto, absent_all = _TF_BLOCK_FIELDS, "protocol", False
    elif t in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        direction = INGRESS if "ingress" in t else EGRESS
        group_value = res.get("security_group_id")
        fields, proto, absent_all = _TF_VPC_RULE_FIELDS, "ip_protocol", True
    else:
        return []
    group = _group_of(graph, res, group_value)
    return _rules_from_item(graph, item=res.attrs, direction=direction, group=group, origin=res,
                            base=(), fields=fields, protocol_attr=proto,
                            absent_ports_all=absent_all)


_GROUP_ATTRS = ("security_group_id", "group_id", "group_name")


def _group_of(graph, holder, value):
    """The group a standalone rule belongs to. A value computed from one group's id
    (`join("", aws_security_group.db[*].id)`, a common idiom for counted groups) is
    unknown as a string but names that group: the graph's edge from the group attribute
    decides when it leads to exactly one group."""
    value = _scalar(value)
    if isinstance(value, Ref):
        target = graph.deref(holder, value)
        return target if target is not None and target.kind == "sg" else None
    if isinstance(value, Unknown) and value.refs:
        found = {id(e.target): e.target for e in graph.references(holder)
                 if e.via in _GROUP_ATTRS and e.target.kind == "sg"}
        if len(found) == 1:
            return next(iter(found.values()))
    return None


def _inline_rules(graph, sg, direction) -> RuleSet:
    if sg.format == "cloudformation":
        attr = "security_group_ingress" if direction == INGRESS else "security_group_egress"
        fields, proto = _CFN_FIELDS[direction], "ip_protocol"
    else:
        attr = direction
        fields, proto = _TF_BLOCK_FIELDS, "protocol"
    out = RuleSet()
    raw = sg.attrs.get(attr)
    if raw is None:
        return out
    if isinstance(raw, OneOf):
        out.reasons.append(f"the {attr} list of {sg.address} depends on a condition walint cannot decide")
        return out
    if isinstance(raw, Unknown):
        out.reasons.append(f"the {attr} rules of {sg.address} are unknown: {raw.reason}")
        return out
    items = raw if isinstance(raw, list) else [raw]
    for i, item in enumerate(items):
        if isinstance(item, Unknown):
            out.reasons.append(f"{sg.address} has {direction} rules walint cannot expand: {item.reason}")
            continue
        if isinstance(item, OneOf):
            out.reasons.append(f"{direction} rule #{i + 1} of {sg.address} depends on a condition")
            continue
        if not isinstance(item, dict):
            continue
        out.extend(_rules_from_item(graph, item=item, direction=direction, group=sg, origin=sg,
                                    base=(attr, i), fields=fields, protocol_attr=proto))
    return out


def _implicit_egress(sg) -> list | None:
    """The CloudFormation default egress (RULES.md §2.6 WAL-SG-005); None if undecidable."""
    if sg.format != "cloudformation" or sg.type != "AWS::EC2::SecurityGroup":
        return []
    raw = sg.attrs.get("security_group_egress")
    if isinstance(raw, (Unknown, OneOf)):
        return None
    if raw:
        return []
    return [SgRule(direction=EGRESS, protocol="all", from_port=0, to_port=65535,
                   source=Cidr(c), group=sg, origin=sg, path=(), item=(), implicit=True,
                   description="default allow-all egress")
            for c in ("0.0.0.0/0", "::/0")]


def effective_rules(graph, sg, direction) -> RuleSet:
    """Inline + standalone (+ CFN implicit default egress) rules of `sg` in one direction."""
    idx = _index(graph)
    cache = idx.inline.setdefault(id(sg), {})
    if direction in cache:
        return cache[direction]
    rules = _inline_rules(graph, sg, direction)
    rules.extend(idx.standalone.get(id(sg), {}).get(direction, ()))
    if direction == EGRESS:
        implicit = _implicit_egress(sg)
        if implicit is None:
            rules.reasons.append(f"whether {sg.address} keeps the default egress rule is unknown")
        else:
            rules.extend(implicit)
    cache[direction] = rules
    return rules


def all_rules(graph, direction):
    """Every rule in the graph in one direction: each group's, then the orphans."""
    out = []
    for sg in graph.resources("sg"):
        out.extend(effective_rules(graph, sg, direction))
    out.extend(_index(graph).orphans[direction])
    return out


def orphan_rules(graph, direction):
    """Standalone rules whose group cannot be followed (a parameter, a literal id)."""
    return list(_index(graph).orphans[direction])


# ----------------------------------------------------------------------------------------
# Attachments and roles
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Attachment:
    resource: object     # the attached resource (an lb, an ecs_service, a db_instance, ...)
    via: str             # the attribute path holding the group ("vpc_security_group_ids")

    @property
    def path(self) -> tuple:
        """The concrete attribute path (list indices included) where it can be found."""
        if not self.via:
            return ()
        parts = tuple(self.via.split("."))
        value, path = self.resource.locate(parts)
        return path if len(path) >= len(parts) else parts


def _is_attach_via(via: str) -> bool:
    return bool(via) and via.split(".")[-1] in ATTACH_ATTRS


def attached(graph, sg) -> list:
    """The resources whose security-group list attributes reference `sg` (RULES.md §3.4)."""
    idx = _index(graph)
    if id(sg) in idx.attached:
        return idx.attached[id(sg)]
    out, seen = [], set()
    for src in graph.referrers(sg):
        if src.kind in ("sg", "sg_rule") or id(src) in seen:
            continue
        for e in graph.references(src):
            if e.target is sg and _is_attach_via(e.via):
                seen.add(id(src))
                out.append(Attachment(src, e.via))
                break
    idx.attached[id(sg)] = out
    return out


def lookup(node, name):
    """The value of attribute `name` like `Resource.get`, but an Unknown when the path
    runs through something unknown (a `dynamic` block over an unknown collection), and
    `ABSENT` only when the attribute is surely not set."""
    from walint.model.kinds import native_path
    from walint.model.resource import ABSENT

    value, _ = node.locate(name)
    if value is not ABSENT:
        return value
    parts = native_path(node.kind, node.format, name).split(".") if isinstance(name, str) else list(name)
    current = node.attrs
    for part in parts:
        if isinstance(current, (Unknown, OneOf)):
            return Unknown(f"{'.'.join(map(str, parts))} of {node.address} is not known")
        if isinstance(current, list) and isinstance(part, str):
            if any(isinstance(x, (Unknown, OneOf)) for x in current):
                return Unknown(f"{'.'.join(map(str, parts))} of {node.address} is not known")
            if len(current) != 1 or not isinstance(current[0], dict):
                return ABSENT
            current = current[0]
        if isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return ABSENT
    return current


def groups_of(graph, node) -> list:
    """The security groups a node names in its SG-list attributes: Resources, or Unknowns."""
    out = []
    for path, value in _sg_lists(node):
        for t in graph.targets(node, value):
            if isinstance(t, Unknown) or t.kind == "sg":
                if not any(t is o for o in out):
                    out.append(t)
    return out


def sg_list_paths(node) -> list:
    """The paths of the SG-list attributes a node sets."""
    return [path for path, _ in _sg_lists(node)]


def _sg_lists(node, value=None, path=()):
    """(path, value) of every SG-list attribute of a node, at any depth."""
    if value is None:
        value = node.attrs
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ATTACH_ATTRS and node.kind not in ("sg", "sg_rule"):
                out.append((path + (k,), v))
            elif isinstance(v, (dict, list)):
                out.extend(_sg_lists(node, v, path + (k,)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                out.extend(_sg_lists(node, v, path + (i,)))
    return out


LB_KINDS = ("lb", "classic_lb")     # a Classic Load Balancer's group is a load balancer's too
DATA_KINDS = ("db_instance", "db_cluster", "cache_rg", "cache_cluster", "efs_mount_target")


def lb_internet_facing(lb) -> bool | None:
    """CFN `Scheme` (default internet-facing), TF `internal` (default false)."""
    if lb.format == "cloudformation":
        value = _scalar(lb.get("scheme", "internet-facing"))
        if isinstance(value, str):
            return value.strip().lower() == "internet-facing"
        return None
    value = _scalar(lb.get("internal", False))
    flag = as_bool(value)
    return None if flag is None else not flag


def lb_type(lb) -> str | None:
    value = _scalar(lb.get("type" if lb.format == "cloudformation" else "load_balancer_type",
                           "application"))
    return value.strip().lower() if isinstance(value, str) else None


def _name_matches(sg, word: str) -> bool:
    texts = [sg.address.split(".")[-1]]
    for attr in ("name", "name_prefix", "group_name"):
        v = sg.attrs.get(attr)
        if isinstance(v, str):
            texts.append(v)
    for k, v in sg.tags().items():
        texts.append(str(k) if k.lower() != "name" else "")
        if isinstance(v, str):
            texts.append(v)
    return any(word in t.lower() for t in texts if t)


def is_asg_launch_template(graph, lt) -> bool:
    return any(r.kind == "asg" for r in graph.referrers(lt))


def roles(graph, sg, bastion_word: str = "bastion") -> set:
    """{"lb_sg", "app_sg", "data_sg", "bastion_sg"} of a group (RULES.md §2.6)."""
    idx = _index(graph)
    if id(sg) in idx.roles:
        return idx.roles[id(sg)]
    out = set()
    for a in attached(graph, sg):
        k = a.resource.kind
        if k in LB_KINDS:
            out.add("lb_sg")
        elif k in ("ecs_service", "lambda"):
            out.add("app_sg")
        elif k == "launch_template" and is_asg_launch_template(graph, a.resource):
            out.add("app_sg")
        elif k in DATA_KINDS:
            out.add("data_sg")
    if _name_matches(sg, bastion_word):
        out.add("bastion_sg")
    idx.roles[id(sg)] = out
    return out


# -- edge roles ------------------------------------------------------------------------
# An edge host faces the outside by design and belongs in a public subnet: an SSH or RDP
# bastion, a VPN server, a NAT instance. The role comes from what its security groups
# admit, not from names: a bastion or VPN server admits from outside the VPC only its
# remote-access ports; a NAT instance admits traffic from private ranges and sends the
# same ports on to the internet.

EDGE_PORTS = (("tcp", 22, "SSH"), ("tcp", 3389, "RDP"), ("udp", 1194, "OpenVPN"),
              ("tcp", 1194, "OpenVPN"), ("udp", 500, "IPsec IKE"),
              ("udp", 4500, "IPsec NAT traversal"), ("udp", 51820, "WireGuard"))
EDGE_PROTOCOLS = {"50": "IPsec ESP"}
_ADMIN_EDGE = frozenset({22, 3389})


def _from_outside(r) -> bool:
    """Does the rule admit a source outside the VPC (a public or unknown range)?"""
    src = r.source
    if isinstance(src, Cidr):
        return not (src.private or src.loopback)
    if isinstance(src, UnknownSource):
        return r.path[-1] in _CIDR_SOURCE_ATTRS if r.path else True
    return False                     # a security group or prefix list: a named peer


_CIDR_SOURCE_ATTRS = ("cidr_blocks", "ipv6_cidr_blocks", "cidr_ip", "cidr_ipv6", "cidr_ipv4")


def _edge_port(r):
    """True/False/None: the rule admits one remote-access or VPN port (EDGE_PORTS)."""
    if r.protocol in EDGE_PROTOCOLS:
        return True
    if not r.known:
        return None
    rng = r.port_range()
    return rng is not None and any(proto == r.protocol and rng == (port, port)
                                   for proto, port, _ in EDGE_PORTS)


def _vpn_port(r) -> bool:
    """A VPN protocol's own port (IKE, IPsec NAT traversal, ESP, OpenVPN, WireGuard): no
    application server opens these to the world."""
    if r.protocol in EDGE_PROTOCOLS:
        return True
    rng = r.port_range()
    return rng is not None and any(proto == r.protocol and rng == (port, port) and port not in _ADMIN_EDGE
                                   for proto, port, _ in EDGE_PORTS)


def _forwarded(ingress, egress, unresolved=False) -> bool | None:
    """Do the groups forward to the internet what they admit from private ranges?

    Each rule admitting a private range must be all traffic, sent on by an all-traffic
    egress to the internet, or be mirrored by an explicit egress to the internet on the
    same protocol and port range (a NAT instance for 80, 443 and 123/udp). An application
    server that admits one port from the VPC and keeps a broad egress does not qualify."""
    private = [r for r in ingress if isinstance(r.source, Cidr) and r.source.private
               or unresolved and isinstance(r.source, UnknownSource) and _from_outside(r)]
    if not private:
        return False
    out = [e for e in egress if isinstance(e.source, Cidr) and e.source.internet]
    if any(not e.known for e in out) or any(not r.known for r in private):
        return None
    for r in private:
        if r.is_all:
            ok = any(e.is_all for e in out)
        else:
            ok = any(not e.implicit and e.protocol == r.protocol and e.port_range() == r.port_range()
                     for e in out)
        if not ok:
            return False
    return True


def edge_role(graph, groups):
    """"bastion", "vpn", "nat", False (not an edge host) or None (cannot tell) for compute
    that uses the security groups `groups` (Resources of kind sg).

    * bastion / VPN: the groups admit something from outside the VPC (a public range, or a
      range walint cannot resolve) and all of it is SSH (22/tcp), RDP (3389/tcp), OpenVPN
      (1194), IPsec (500/udp, 4500/udp, ESP) or WireGuard (51820/udp);
    * NAT: the groups admit traffic from private ranges (RFC 1918, RFC 6598, IPv6 ULA) and
      forward it to the internet (all traffic in and out, or each admitted port mirrored
      by an explicit egress to the internet), and admit nothing from outside but the
      remote-access ports above.
    * A VPN protocol's own port open to the outside (IKE 500/udp, 4500/udp, ESP, OpenVPN
      1194, WireGuard 51820/udp) makes the host a VPN server whatever else it admits
      (SoftEther and SSL VPNs also take 443 and more).
    * Cannot tell (None): ranges walint cannot resolve (a VPC range imported from another
      stack) whose ports are each mirrored by an explicit egress to the internet, as a
      NAT instance's are.
    """
    ingress, egress, unsure = [], [], False
    for g in groups:
        rules = effective_rules(graph, g, INGRESS)
        ingress.extend(rules)
        unsure = unsure or bool(rules.reasons)
        egress.extend(effective_rules(graph, g, EGRESS))
    outside = [r for r in ingress if _from_outside(r)]
    verdicts = [_edge_port(r) for r in outside]
    vpn = [r for r, v in zip(outside, verdicts) if v and _vpn_port(r)]
    if vpn and not unsure:
        return "vpn"            # IKE, OpenVPN or WireGuard open: its other ports serve the VPN
    if False in verdicts:
        # a NAT instance whose VPC range comes from another stack: what it admits from the
        # unresolved range it sends on to the internet
        others = [r for r, v in zip(outside, verdicts) if v is False]
        if all(isinstance(r.source, UnknownSource) for r in others) \
                and _forwarded(ingress, egress, unresolved=True) is True:
            return None
        return False
    forwards = _forwarded(ingress, egress)
    if None in verdicts or (not outside and forwards is None):
        return None
    if not outside and not forwards:
        return False
    if unsure:
        return None
    if forwards:
        return "nat"
    admin = all(r.protocol == "tcp" and r.port_range() and r.port_range()[0] in _ADMIN_EDGE
                for r in outside)
    return "bastion" if admin else "vpn"


def attachments_of_kind(graph, sg, *kinds) -> list:
    return [a for a in attached(graph, sg) if a.resource.kind in kinds]


# ----------------------------------------------------------------------------------------
# Engine ports
# ----------------------------------------------------------------------------------------

ENGINE_NAMES = {5432: "PostgreSQL", 3306: "MySQL", 1433: "SQL Server", 1521: "Oracle",
                6379: "Redis", 11211: "Memcached", 2049: "NFS (EFS)"}


def _db_engine_port(engine: str) -> int | None:
    e = engine.strip().lower()
    if e in ("postgres", "aurora-postgresql") or e.startswith("postgres"):
        return 5432
    if e in ("mysql", "mariadb", "aurora", "aurora-mysql"):
        return 3306
    if e.startswith("sqlserver") or e.startswith("custom-sqlserver"):
        return 1433
    if e.startswith("oracle") or e.startswith("custom-oracle"):
        return 1521
    return None


def engine_ports(graph, node):
    """The port a data store listens on: an int, or Unknown (RULES.md §2.6 WAL-SG-003)."""
    k = node.kind
    if k == "efs_mount_target":
        return 2049
    port = _scalar(node.get("port"))
    if port is not None:
        n = as_int(port)
        return n if n is not None else Unknown(f"the port of {node.address} is not known")
    if k in ("db_instance", "db_cluster"):
        engine = _scalar(node.get("engine"))
        if k == "db_instance" and engine is None:
            # a cluster member takes its engine from the cluster
            cluster = graph.deref(node, node.get("cluster_identifier"))
            if cluster is not None:
                return engine_ports(graph, cluster)
        if isinstance(engine, str):
            p = _db_engine_port(engine)
            if p is not None:
                return p
            return Unknown(f"walint does not know the default port of engine {engine}")
        return Unknown(f"the engine of {node.address} is not known")
    if k in ("cache_rg", "cache_cluster"):
        engine = _scalar(node.get("engine", "redis"))
        if isinstance(engine, str):
            e = engine.strip().lower()
            if e in ("redis", "valkey"):
                return 6379
            if e == "memcached":
                return 11211
        return Unknown(f"the engine of {node.address} is not known")
    return Unknown(f"{node.address} is not a data store walint knows the port of")


def engine_label(port: int) -> str:
    name = ENGINE_NAMES.get(port) or PORT_NAMES.get(port)
    return f"{port} ({name})" if name else str(port)


# ----------------------------------------------------------------------------------------
# ECS service <-> target group <-> listener <-> load balancer
# ----------------------------------------------------------------------------------------

@dataclass
class Chain:
    """What a walk over the load-balancing chain found, and whether it is complete."""

    groups: list = field(default_factory=list)      # security group Resources
    ports: set = field(default_factory=set)         # ports (container or target group)
    links: list = field(default_factory=list)       # [(resource, path, message)] for Related
    reasons: list = field(default_factory=list)     # why it may be incomplete
    lbs: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.reasons

    def add_group(self, g):
        if not any(g is o for o in self.groups):
            self.groups.append(g)


def _lb_entries(svc):
    raw = svc.get("load_balancers")
    if raw is None:
        return []
    if isinstance(raw, (Unknown, OneOf)):
        return [raw]
    return raw if isinstance(raw, list) else [raw]


def service_has_lb(svc) -> bool | None:
    entries = _lb_entries(svc)
    if not entries:
        return False
    if all(isinstance(e, (Unknown, OneOf)) for e in entries):
        return None
    return True


def _listeners_of_tg(graph, tg):
    out = []
    for r in graph.referrers(tg):
        if r.kind == "listener":
            if r not in out:
                out.append(r)
        elif r.kind == "listener_rule":
            for lst in graph.targets(r, r.get("listener_arn")):
                if not isinstance(lst, Unknown) and lst.kind == "listener" and lst not in out:
                    out.append(lst)
    return out


def service_load_balancers(graph, svc) -> Chain:
    """ECS service -> target group -> listener (rule) -> LB -> the LB's security groups.

    `ports` holds the container ports of the service's load-balancer entries.
    """
    chain = Chain()
    entries = _lb_entries(svc)
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            chain.reasons.append(f"the load balancers of {svc.address} are not known")
            continue
        port = as_int(_scalar(entry.get("container_port")))
        if port is None:
            chain.reasons.append(f"the container port of {svc.address} is not known")
        else:
            chain.ports.add(port)
        tg_value = entry.get("target_group_arn")
        if tg_value is None:
            chain.reasons.append(f"{svc.address} uses a Classic Load Balancer walint does not follow")
            continue
        for tg in graph.targets(svc, tg_value):
            if isinstance(tg, Unknown) or tg.kind != "target_group":
                chain.reasons.append(f"the target group of {svc.address} is not declared here")
                continue
            chain.links.append((tg, None, f"{svc.address} registers in target group {tg.address}"))
            listeners = _listeners_of_tg(graph, tg)
            if not listeners:
                chain.reasons.append(f"no listener forwarding to {tg.address} is declared here")
            for lst in listeners:
                for lb in graph.targets(lst, lst.get("load_balancer_arn")):
                    if isinstance(lb, Unknown) or lb.kind != "lb":
                        chain.reasons.append(f"the load balancer of {lst.address} is not declared here")
                        continue
                    if lb not in chain.lbs:
                        chain.lbs.append(lb)
                        chain.links.append((lst, None, f"listener {lst.address} forwards to {tg.address}"))
                    groups = lb.get("security_groups")
                    if groups is None:
                        chain.reasons.append(f"{lb.address} has no security groups walint can see")
                    for g in graph.targets(lb, groups):
                        if isinstance(g, Unknown):
                            chain.reasons.append(f"a security group of {lb.address} is not known")
                        elif g.kind == "sg":
                            chain.add_group(g)
    return chain


def lb_targets(graph, lb) -> Chain:
    """LB -> listeners (+ rules) -> target groups -> registered targets' security groups.

    `ports` holds the target-group ports and the container ports of ECS services
    registered in them.
    """
    chain = Chain()
    listeners = [r for r in graph.referrers(lb) if r.kind == "listener"]
    if not listeners:
        chain.reasons.append(f"no listener of {lb.address} is declared here")
    tgs = []
    for lst in listeners:
        sources = [lst] + [r for r in graph.referrers(lst) if r.kind == "listener_rule"]
        for s in sources:
            for e in graph.references(s):
                if e.target.kind == "target_group" and e.target not in tgs:
                    tgs.append(e.target)
    if listeners and not tgs:
        chain.reasons.append(f"the listeners of {lb.address} forward to no declared target group")
    for tg in tgs:
        chain.links.append((tg, None, f"{lb.address} forwards to target group {tg.address}"))
        tg_port = as_int(_scalar(tg.get("port")))
        if tg_port is not None:
            chain.ports.add(tg_port)
        registered = False
        for r in graph.referrers(tg):
            if r.kind == "ecs_service":
                registered = True
                chain.links.append((r, None, f"{r.address} registers in {tg.address}"))
                for entry in _lb_entries(r):
                    if isinstance(entry, dict) and graph.deref(r, _scalar(entry.get("target_group_arn"))) is tg:
                        p = as_int(_scalar(entry.get("container_port")))
                        if p is None:
                            chain.reasons.append(f"the container port of {r.address} is not known")
                        else:
                            chain.ports.add(p)
                _add_groups(graph, r, chain)
            elif r.kind == "asg":
                registered = True
                chain.links.append((r, None, f"{r.address} registers in {tg.address}"))
                lts = [e.target for e in graph.references(r) if e.target.kind == "launch_template"]
                if not lts:
                    chain.reasons.append(f"the launch template of {r.address} is not declared here")
                for lt in lts:
                    _add_groups(graph, lt, chain)
            elif r.type in ("aws_lb_target_group_attachment", "aws_alb_target_group_attachment"):
                registered = True
                target = graph.deref(r, r.get("target_id"))
                if target is not None and target.kind == "instance":
                    _add_groups(graph, target, chain)
                else:
                    chain.reasons.append(f"the target of {r.address} is not an instance walint knows")
        targets = tg.get("targets")
        if targets:
            registered = True
            chain.reasons.append(f"{tg.address} registers targets walint does not follow")
        if not registered:
            chain.reasons.append(f"no target registered in {tg.address} is declared here")
        if tg_port is None and tg.has("port"):
            chain.reasons.append(f"the port of {tg.address} is not known")
    return chain


def _add_groups(graph, node, chain):
    groups = groups_of(graph, node)
    if not groups:
        chain.reasons.append(f"{node.address} names no security group walint can see")
    for g in groups:
        if isinstance(g, Unknown):
            chain.reasons.append(f"a security group of {node.address} is not known")
        else:
            chain.add_group(g)


# ----------------------------------------------------------------------------------------
# VPC ranges and reachability
# ----------------------------------------------------------------------------------------

def vpc_cidrs(graph, sg) -> list | None:
    """The known CIDR blocks of the group's VPC, or None when they cannot be known."""
    vpc = graph.deref(sg, _scalar(sg.get("vpc_id")))
    if vpc is None or vpc.kind != "vpc":
        return None
    block = _scalar(vpc.get("cidr_block"))
    if not isinstance(block, str):
        return None
    return [block]


def inside_vpc(graph, sg, cidr: Cidr) -> bool | None:
    blocks = vpc_cidrs(graph, sg)
    if blocks is None:
        return None
    verdicts = [cidr.within(b) for b in blocks]
    if any(v is True for v in verdicts):
        return True
    if any(v is None for v in verdicts):
        return None
    return False


_SUBNET_ATTRS = ("subnets", "subnet_ids", "subnet_id", "vpc_zone_identifier")


def _subnet_cidrs(graph, node) -> list | None:
    """Known CIDR blocks of the subnets a node runs in, or None when any is unknown."""
    value = None
    for attr in _SUBNET_ATTRS:
        if node.has(attr):
            value = node.get(attr)
            break
    if value is None:
        sng = node.get("db_subnet_group_name", node.get("subnet_group_name"))
        group = graph.deref(node, _scalar(sng)) if sng is not None else None
        if group is None:
            return None
        value = group.get("subnet_ids")
    if value is None:
        return None
    out = []
    for s in graph.targets(node, value):
        if isinstance(s, Unknown) or s.kind != "subnet":
            return None
        block = _scalar(s.get("cidr_block"))
        if not isinstance(block, str):
            return None
        out.append(block)
    return out or None


def _rule_admits(rule, port, peer_groups, peer_cidrs):
    """True/False/None: does one rule admit `port` from (to) the peer?"""
    covers = rule.covers(port)
    if covers is False:
        return False
    src = rule.source
    if isinstance(src, UnknownSource):
        return None
    if isinstance(src, Sg):
        if src.node is None:
            return None
        target = rule.group if src.self_ref else src.node
        hit = any(target is g for g in peer_groups)
        return None if covers is None and hit else hit
    if isinstance(src, Cidr):
        net = src.network
        if net is None or src.loopback:
            return False if net is not None else None
        if peer_cidrs is None:
            # the peer's subnets are unknown: only the whole internet surely contains them
            return (True if covers else None) if src.internet else None
        nets = [_network(c) for c in peer_cidrs]
        hit = all(n is not None and n.version == net.version and n.subnet_of(net) for n in nets)
        return None if covers is None and hit else hit
    return None   # a prefix list: walint does not know its ranges


def _network(c):
    try:
        return ipaddress.ip_network(str(c).strip(), strict=False)
    except ValueError:
        return None


def _any_rule(rules, port, peer_groups, peer_cidrs):
    verdict = False
    for r in rules:
        v = _rule_admits(r, port, peer_groups, peer_cidrs)
        if v is True and not getattr(r.origin, "optional", False):
            return True
        if v is None or (v is True):
            verdict = None
    if verdict is False and not rules.complete:
        return None
    return verdict


def can_reach(graph, src_node, dst_node, port: int) -> bool | None:
    """RULES.md §3.4: can `src_node` open a connection to `dst_node` on `port`?

    True when some group of the destination admits the port from a group (or the
    subnet range) of the source, and some group of the source lets it out to a group
    (or the subnet range) of the destination; False when the known rules rule it out;
    None when it depends on something unknown. NACLs are not modeled.
    """
    src_groups = groups_of(graph, src_node)
    dst_groups = groups_of(graph, dst_node)
    if not src_groups or not dst_groups:
        return None    # the VPC default group, which walint does not model
    known_src = [g for g in src_groups if not isinstance(g, Unknown)]
    known_dst = [g for g in dst_groups if not isinstance(g, Unknown)]
    src_cidrs = _subnet_cidrs(graph, src_node)
    dst_cidrs = _subnet_cidrs(graph, dst_node)

    def side(groups, direction, peers, peer_cidrs, some_unknown):
        verdict = False
        for g in groups:
            v = _any_rule(effective_rules(graph, g, direction), port, peers, peer_cidrs)
            if v is True:
                return True
            if v is None:
                verdict = None
        if verdict is False and some_unknown:
            return None
        return verdict

    ingress = side(known_dst, INGRESS, known_src, src_cidrs, len(known_dst) < len(dst_groups))
    if ingress is False:
        return False
    egress = side(known_src, EGRESS, known_dst, dst_cidrs, len(known_src) < len(src_groups))
    if egress is False:
        return False
    if ingress is True and egress is True:
        return True
    return None

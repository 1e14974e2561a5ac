"""Network topology derived from the graph: zones, subnet tiers, NAT routing, placement.

RULES.md §3.1-3.3, written once for both formats. Every rule that reasons about the
architecture (where a database sits, which NAT a private subnet leans on, whether a
tier spans two zones) asks this module rather than reading attributes itself.

Zones (§3.1)
    `zone_of(graph, subnet)` gives a `Zone`: a literal name (`us-east-1a`), a zone id
    (`use1-az1`), the i-th zone of an ordered list (`!Select [i, !GetAZs '']`,
    `data.aws_availability_zones.x.names[i]`), a choice between several of those (an
    undecided condition), or unknown. A subnet whose `availability_zone` refers to
    another subnet's zone takes that subnet's zone.
    `same_zone(a, b)` is three-valued (True, False, None); `distinct_zones(zones)` is the
    (min, max) number of distinct zones consistent with what is known. Zone lists are
    assumed to hold distinct zones: an assumption that can only suppress findings.

Tiers (§3.2)
    `tier_of(graph, subnet)` gives a `Tier`: `public` (a default route to an internet
    gateway), `private` (a default route through a NAT gateway, an instance or ENI, a
    transit gateway, a GWLB endpoint...), `isolated` (no default route) or `unknown`
    (a default route whose target cannot be read, or that leaves through a VPN gateway
    or peering connection, where the internet is decided elsewhere), with the evidence chain subnet -> association -> route table -> route -> target,
    ready for messages (`Tier.describe()`) and SARIF related locations
    (`Tier.related()`). The effective route table is the explicit association, else
    the VPC main table (Terraform: `aws_main_route_table_association`,
    `aws_default_route_table`, routes on `aws_vpc.x.main_route_table_id`;
    CloudFormation cannot change the main table, so it holds the local route only).
    A route's target kind comes from the type of the node it references, not from the
    argument name (`gateway_id` may hold a NAT gateway in Terraform).

NAT (§3.3)
    `nat_route(graph, subnet)` gives the default route of a private subnet that goes
    through a NAT gateway; `nat_subnet(graph, nat)` the NAT's subnet; `is_regional(nat)`
    whether the NAT is regional (no subnet, no zone).

Placement
    `placement(graph, resource)` gives the subnets a workload runs in (RDS through its
    subnet group, an Aurora member through its cluster's, ElastiCache, load balancers,
    ECS services, Auto Scaling groups, Lambda, EFS mount targets, OpenSearch, Redshift,
    EC2 instances), each a subnet Resource or an `Unknown` saying why it cannot be
    followed.

Results are cached per graph; nothing here ever raises on odd input: what cannot be
decided is unknown, and unknown never fires.
"""
from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field

from walint.model.finding import Related
from walint.model.values import AzIndex, AzList, OneOf, Ref, Unknown
from walint.model.verdict import decide, options

__all__ = [
    "Zone", "zone_of", "zone_of_value", "zones_text", "same_zone", "distinct_zones", "zone_label",
    "Tier", "RouteInfo", "tier_of", "routes_of", "table_notes", "default_routes",
    "nat_route", "nat_subnet", "is_regional", "vpc_of", "vpc_key", "subnets_in",
    "Placement", "placement", "placement_zones", "subnet_list", "ExternalSubnet", "topology",
    "PUBLIC", "PRIVATE", "ISOLATED", "UNKNOWN",
]

PUBLIC, PRIVATE, ISOLATED, UNKNOWN = "public", "private", "isolated", "unknown"
DEFAULT_V4, DEFAULT_V6 = "0.0.0.0/0", "::/0"


# ---------------------------------------------------------------------------------------
# Zones (RULES.md §3.1)
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Zone:
    """A subnet's zone as far as walint knows it.

    form: "name" (value "us-east-1a"), "id" (value "use1-az1"), "index" (value
    (list_id, i)), "choice" (value: a tuple of Zones, one per branch of an undecided
    condition) or "unknown" (value: the reason).
    `many`: the element stands for an unknown number of subnets (a list walint could
    not read, a count it could not evaluate); `optional`: it may not exist at all.
    """

    form: str
    value: object
    many: bool = field(default=False, compare=False)
    optional: bool = field(default=False, compare=False)

    @property
    def known(self) -> bool:
        return self.form in ("name", "id", "index")

    @property
    def label(self) -> str:
        return zone_label(self)

    def with_flags(self, many=False, optional=False) -> "Zone":
        return Zone(self.form, self.value, self.many or many, self.optional or optional)


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def _ordinal(i: int) -> str:
    return _ORDINALS[i] if 0 <= i < len(_ORDINALS) else f"#{i + 1}"


def _list_label(list_id: str) -> str:
    """The list a zone index points into, in the words a user wrote it with."""
    base, _, arg = list_id.partition("(")
    arg = arg[:-1] if arg.endswith(")") else arg
    if base in ("GETAZS", "GETAZIDS"):
        if arg.startswith("filtered:"):
            return f"data.aws_availability_zones.{arg[len('filtered:'):]}"
        return f"region {arg}" if arg and not arg.startswith("AWS::") else "the region"
    if base == "PARAM":
        return f"parameter {arg}"
    if base == "VAR":
        return f"var.{arg}"
    return list_id


def _series(words: list) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def zone_label(zone) -> str:
    """A zone in words, for messages: `us-east-1a`, `the second AZ of the region (index 1)`."""
    if not isinstance(zone, Zone):
        return str(zone)
    if zone.form == "name":
        return zone.value
    if zone.form == "id":
        return f"zone id {zone.value}"
    if zone.form == "index":
        list_id, i = zone.value
        return f"the {_ordinal(i)} AZ of {_list_label(list_id)} (index {i})"
    if zone.form == "choice":
        return " or ".join(zone_label(z) for z in zone.value)
    return "an unknown zone"


def zones_text(zones) -> str:
    """Several zones in words, deduplicated, indexes of one list grouped:
    `us-east-1a, us-east-1b`, `the first and second AZs of the region (indexes 0, 1)`."""
    plain, lists = [], {}
    order = []
    for z in zones:
        if isinstance(z, Zone) and z.form == "index":
            list_id, i = z.value
            if list_id not in lists:
                lists[list_id] = []
                order.append(("list", list_id))
            if i not in lists[list_id]:
                lists[list_id].append(i)
        else:
            label = zone_label(z)
            if label not in plain:
                plain.append(label)
                order.append(("plain", label))
    out = []
    for kind, key in order:
        if kind == "plain":
            out.append(key)
        else:
            idx = sorted(lists[key])
            if len(idx) == 1:
                out.append(f"the {_ordinal(idx[0])} AZ of {_list_label(key)} (index {idx[0]})")
            else:
                out.append(f"the {_series([_ordinal(i) for i in idx])} AZs of {_list_label(key)} "
                           f"(indexes {', '.join(map(str, idx))})")
    return ", ".join(out)


def zone_of_value(graph, resource, value, _depth=0) -> Zone:
    """The Zone of an `availability_zone`-like value held by `resource`."""
    if _depth > 8:
        return Zone("unknown", "the zone refers to itself")
    if isinstance(value, Ref):
        target = graph.deref(resource, value)
        if target is not None and target.kind == "subnet" and value.attr in (
                "availability_zone", "AvailabilityZone", "availability_zone_id", "AvailabilityZoneId"):
            return zone_of(graph, target)
        resolved = graph.resolve(resource, value)
        if resolved is value:
            return Zone("unknown", f"the zone comes from {value.address}, which walint cannot read")
        return zone_of_value(graph, target or resource, resolved, _depth + 1)
    if isinstance(value, AzIndex):
        return Zone("index", (value.list_id, value.index))
    if isinstance(value, str) and value:
        return Zone("name", value)
    if isinstance(value, OneOf):
        zones = []
        for option in options(value):
            z = zone_of_value(graph, resource, option, _depth + 1)
            if z not in zones:
                zones.append(z)
        if len(zones) == 1:
            return zones[0]
        if any(z.form == "unknown" for z in zones):
            return Zone("unknown", "the zone depends on a condition walint cannot decide")
        return Zone("choice", tuple(zones))
    if isinstance(value, Unknown):
        return Zone("unknown", value.reason)
    return Zone("unknown", "the zone is not set, so EC2 picks it")


def _subnet_zone(graph, subnet) -> Zone:
    if subnet.has("availability_zone"):
        zone = zone_of_value(graph, subnet, subnet.get("availability_zone"))
    elif subnet.has("availability_zone_id"):
        raw = subnet.get("availability_zone_id")
        if isinstance(raw, str) and raw:
            zone = Zone("id", raw)
        else:
            zone = zone_of_value(graph, subnet, raw)
            if zone.form == "name":      # a literal read through a reference is still an id
                zone = Zone("id", zone.value)
    else:
        zone = Zone("unknown", f"{subnet.address} sets no zone, so EC2 picks one")
    return zone.with_flags(many=subnet.instances_unknown, optional=subnet.optional)


def zone_of(graph, subnet) -> Zone:
    """The zone of a subnet (cached)."""
    return topology(graph).zone(subnet)


def _same_plain(a: Zone, b: Zone):
    if not (a.known and b.known):
        return None
    if a.form != b.form:
        return None
    if a.form == "index":
        if a.value[0] != b.value[0]:
            return None
        return a.value[1] == b.value[1]
    return a.value == b.value


def same_zone(a: Zone, b: Zone):
    """True / False when known, else None (RULES.md §3.1)."""
    a_opts = a.value if a.form == "choice" else (a,)
    b_opts = b.value if b.form == "choice" else (b,)
    verdicts = set()
    for x, y in itertools.product(a_opts, b_opts):
        v = _same_plain(x, y)
        if v is None:
            return None
        verdicts.add(v)
    return verdicts.pop() if len(verdicts) == 1 else None


def _family(zone: Zone):
    if zone.form == "index":
        return ("index", zone.value[0])
    return (zone.form,)


def _distinct_plain(zones) -> tuple[int, int]:
    """(min, max) for zones without choices."""
    families = {}
    max_keys, max_extra = set(), 0
    definite = 0
    for z in zones:
        if z.known:
            max_keys.add((_family(z), z.value))
            if not (z.optional or z.many):
                families.setdefault(_family(z), set()).add(z.value)
        else:
            max_extra += 2 if z.many else 1
        if not (z.optional or z.many):
            definite += 1
    low = max((len(v) for v in families.values()), default=0)
    if definite and not low:
        low = 1
    # a known zone standing for many subnets is still one zone; unknown many could be several
    return low, len(max_keys) + max_extra


def distinct_zones(zones) -> tuple[int, int]:
    """(min, max) number of distinct zones the given Zones can cover (RULES.md §3.1).

    A check that needs two zones fails only when max < 2 and passes when min >= 2.
    """
    zones = list(zones)
    if not zones:
        return 0, 0
    choices = [z.value if z.form == "choice" else (z,) for z in zones]
    total = 1
    for c in choices:
        total *= len(c)
    if total > 256:
        choices = [((Zone("unknown", "too many possibilities", z.many, z.optional),)
                    if z.form == "choice" else (z,)) for z in zones]
    low, high = None, None
    for combo in itertools.product(*choices):
        combo = [c.with_flags(z.many, z.optional) for c, z in zip(combo, zones)]
        lo, hi = _distinct_plain(combo)
        low = lo if low is None else min(low, lo)
        high = hi if high is None else max(high, hi)
    return low, high


# ---------------------------------------------------------------------------------------
# Routes and tiers (RULES.md §3.2)
# ---------------------------------------------------------------------------------------

# route argument -> the target kind it implies when the node it refers to is unknown;
# None for arguments whose kind depends on what they refer to
_TARGET_ARGS = (
    ("gateway_id", None),
    ("nat_gateway_id", "natgw"),
    ("egress_only_gateway_id", "eigw"),
    ("egress_only_internet_gateway_id", "eigw"),
    ("transit_gateway_id", "tgw"),
    ("vpc_endpoint_id", "gwlbe"),
    ("network_interface_id", "eni"),
    ("instance_id", "instance"),
    ("vpc_peering_connection_id", "pcx"),
    ("carrier_gateway_id", "carrier"),
    ("core_network_arn", "core_network"),
    ("local_gateway_id", "local_gateway"),
)

_KIND_TARGET = {"igw": "igw", "natgw": "natgw", "eigw": "eigw", "tgw": "tgw",
                "vpc_endpoint": "gwlbe", "eni": "eni", "instance": "instance", "vgw": "vgw"}

_TYPE_TARGET = {"aws_vpc_peering_connection": "pcx", "AWS::EC2::VPCPeeringConnection": "pcx",
                "aws_ec2_carrier_gateway": "carrier", "AWS::EC2::CarrierGateway": "carrier",
                "aws_networkmanager_core_network": "core_network",
                "AWS::NetworkManager::CoreNetwork": "core_network"}

_LITERAL_PREFIX = (("igw-", "igw"), ("nat-", "natgw"), ("eigw-", "eigw"), ("vgw-", "vgw"),
                   ("tgw-", "tgw"), ("pcx-", "pcx"), ("eni-", "eni"), ("i-", "instance"),
                   ("vpce-", "gwlbe"), ("cagw-", "carrier"), ("lgw-", "local_gateway"))

_PUBLIC_TARGETS = ("igw", "carrier")
_EGRESS_TARGETS = ("natgw", "instance", "eni", "tgw", "gwlbe", "core_network")
# a default route to these leaves the VPC, but whether it reaches the internet is decided
# outside the template (on premises, in the peer VPC): the tier is unknown
_ELSEWHERE_TARGETS = ("vgw", "pcx", "local_gateway")

TARGET_WORDS = {"igw": "internet gateway", "natgw": "NAT gateway", "eigw": "egress-only internet gateway",
                "tgw": "transit gateway", "gwlbe": "VPC endpoint", "eni": "network interface",
                "instance": "EC2 instance", "vgw": "VPN gateway", "pcx": "peering connection",
                "carrier": "carrier gateway", "core_network": "Cloud WAN core network",
                "local_gateway": "local gateway", "local": "local"}


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass(eq=False)
class RouteInfo:
    """One route of a route table, standalone (`owner` is the route resource, `path` is
    ()) or inline (`owner` is the table, `path` is ("route", i))."""

    owner: object
    path: tuple
    destination: object          # "0.0.0.0/0", "::/0", another CIDR, or an Unknown
    is_default: object           # True / False / None
    family: str                  # "ipv4" | "ipv6" | "prefix-list" | "unknown"
    target_kind: str | None      # igw natgw eigw tgw gwlbe eni instance vgw pcx ...; None = unknown
    target: object = None        # the Resource it points at, when in the graph
    target_attr: str = ""
    target_value: object = None
    certain: bool = True         # False when the route itself may not exist
    reason: str = ""             # why the target or destination is unknown

    @property
    def target_path(self) -> tuple:
        return self.path + (self.target_attr,) if self.target_attr else self.path

    @property
    def dest_label(self) -> str:
        d = self.destination
        return d if isinstance(d, str) else "an unknown destination"

    @property
    def target_label(self) -> str:
        if self.target is not None:
            return f"{TARGET_WORDS.get(self.target_kind, self.target_kind)} {self.target.address}"
        if self.target_kind:
            return f"{TARGET_WORDS.get(self.target_kind, self.target_kind)} {_target_words(self.target_value)}"
        return "an unknown target"

    @property
    def label(self) -> str:
        where = self.owner.address if not self.path else f"{self.owner.address} (inline route)"
        return f"{where} {self.dest_label} -> {self.target_label}"

    def related(self, message="") -> list:
        out = [Related(self.owner, self.target_path, message or f"route {self.dest_label} -> {self.target_label}")]
        if self.target is not None:
            out.append(Related(self.target, (), f"{TARGET_WORDS.get(self.target_kind, self.target_kind)} the route uses"))
        return out


def _target_words(value) -> str:
    """A route target that is not a resource of the graph: a literal id, a reference to
    something not scanned, or a value computed from resources that may not exist."""
    if isinstance(value, str):
        return value
    if isinstance(value, Ref):
        return f"{value.address} (not in the scanned files)"
    if isinstance(value, Unknown):
        named = f"{value.refs[0]} " if value.refs else ""
        return f"{named}(unknown: {value.reason})"
    if isinstance(value, OneOf):
        return "(depends on a condition walint cannot decide)"
    return "(not in the scanned files)"


@dataclass(eq=False)
class Tier:
    """What kind of subnet this is, and the chain of evidence that says so."""

    subnet: object
    tier: str                                   # public | private | isolated | unknown
    via: str = ""                               # for private: the intermediary's kind (natgw, tgw...)
    egress_v6: bool = False                     # isolated for IPv4 but IPv6 egress via an eigw
    assoc: object = None                        # the rt_assoc resource, when explicit
    table: object = None                        # the route table resource, when in the graph
    table_text: str = ""                        # words for the table when it is implicit
    routes: list = field(default_factory=list)   # every RouteInfo of the table
    decisive: object = None                      # the RouteInfo that decided the tier
    reason: str = ""                             # for unknown: why
    notes: list = field(default_factory=list)    # template errors worth a note
    zone: object = None                          # the subnet's Zone

    @property
    def default_routes(self) -> list:
        return [r for r in self.routes if r.is_default]

    def describe(self) -> str:
        """`subnet.a -> assoc -> route table rt -> 0.0.0.0/0 -> internet gateway igw`."""
        parts = [self.subnet.address]
        if self.assoc is not None:
            parts.append(self.assoc.address)
        if self.table is not None:
            parts.append(f"route table {self.table.address}")
        elif self.table_text:
            parts.append(self.table_text)
        if self.decisive is not None:
            parts.append(f"{self.decisive.dest_label} -> {self.decisive.target_label}")
        elif self.tier == ISOLATED:
            parts.append("no default route")
        return " -> ".join(parts)

    def related(self, with_subnet=True) -> list:
        """Related locations proving the tier: subnet, association, table, route, target."""
        out = []
        if with_subnet:
            where = f" in {zone_label(self.zone)}" if self.zone is not None else ""
            out.append(Related(self.subnet, (), f"{self.tier} subnet{where}"))
        if self.assoc is not None:
            out.append(Related(self.assoc, (), "route table association"))
        if self.table is not None:
            out.append(Related(self.table, (), "effective route table"))
        if self.decisive is not None:
            out.extend(self.decisive.related())
        return out


def _classify_target(graph, holder, attr, value, implied):
    """(kind, resource, reason) of a route target value."""
    if isinstance(value, Unknown) and value.refs:
        # computed from the ids of one resource (`element(aws_instance.nat.*.id, count.index)`
        # over instances walint cannot count): the target is that resource
        found = {id(r): r for r in (graph.lookup(holder.scope, a) for a in value.refs) if r is not None}
        if len(found) == 1:
            value = Ref(next(iter(found.values())).address)
    if isinstance(value, Ref):
        target = graph.deref(holder, value)
        if target is not None:
            kind = _KIND_TARGET.get(target.kind) or _TYPE_TARGET.get(target.type)
            if target.kind == "instance" and attr == "network_interface_id":
                kind = "instance"       # primary_network_interface_id of an instance
            if kind is None:
                kind = implied
            return kind, target, "" if kind else f"{target.address} is not a known route target"
        if implied:
            return implied, None, ""
        return None, None, f"{value.address} is not in the scanned files"
    if isinstance(value, str):
        for prefix, kind in _LITERAL_PREFIX:
            if value.startswith(prefix):
                return kind, None, ""
        if value == "local":
            return "local", None, ""
        if implied:
            return implied, None, ""
        return None, None, f"route target {value!r} is not recognized"
    if isinstance(value, OneOf):
        kinds = {_classify_target(graph, holder, attr, o, implied)[0] for o in options(value)}
        if len(kinds) == 1 and None not in kinds:
            return kinds.pop(), None, ""
        return None, None, "the route target depends on a condition walint cannot decide"
    if implied:
        return implied, None, ""
    reason = value.reason if isinstance(value, Unknown) else "the route target cannot be read"
    return None, None, reason


def _is_cidr_default(value, default):
    return decide(value, lambda v: isinstance(v, str) and v.strip() == default)


def _make_route(graph, owner, path, data, certain=True) -> RouteInfo:
    """A RouteInfo from a standalone route (data is the resource) or an inline block dict."""
    def get(name):
        if isinstance(data, dict):
            v = data.get(name)
        else:
            v = data.get(name)
        return None if _empty(v) else v

    def setting(v):     # `aws_vpc.peer.cidr_block`, `!GetAtt Vpc.CidrBlock`: the configured range
        return graph.resolve(owner, v) if isinstance(v, Ref) else v

    v4 = get("destination_cidr_block") if not isinstance(data, dict) else get("cidr_block")
    if isinstance(data, dict) and v4 is None:
        v4 = get("destination_cidr_block")
    v6 = get("destination_ipv6_cidr_block") if not isinstance(data, dict) else get("ipv6_cidr_block")
    if isinstance(data, dict) and v6 is None:
        v6 = get("destination_ipv6_cidr_block")
    v4, v6 = setting(v4), setting(v6)
    plist = get("destination_prefix_list_id")
    if v4 is not None:
        dest, family, is_default = v4, "ipv4", _is_cidr_default(v4, DEFAULT_V4)
    elif v6 is not None:
        dest, family, is_default = v6, "ipv6", _is_cidr_default(v6, DEFAULT_V6)
    elif plist is not None:
        dest, family, is_default = plist if isinstance(plist, str) else "a prefix list", "prefix-list", False
    else:
        dest, family, is_default = Unknown("the route's destination is not set"), "unknown", None
    if isinstance(dest, (Unknown, OneOf)) and is_default is None:
        dest = Unknown(dest.reason if isinstance(dest, Unknown) else "the destination depends on a condition")
    kind, target, reason, attr, value = None, None, "the route has no target", "", None
    for name, implied in _TARGET_ARGS:
        v = get(name)
        if v is None:
            continue
        attr, value = name, v
        kind, target, reason = _classify_target(graph, owner, name, v, implied)
        break
    if is_default is None and not reason:
        reason = dest.reason if isinstance(dest, Unknown) else "the route's destination is unknown"
    return RouteInfo(owner, tuple(path), dest, is_default, family, kind, target, attr, value,
                     certain, reason if kind is None or is_default is None else "")


class _Topology:
    """Per-graph caches."""

    def __init__(self, graph):
        self.graph = graph
        self._zones = {}
        self._tiers = {}
        self._routes = {}
        self._vpc = {}
        self.table_notes = {}     # id(route table) -> [note]

    # -- zones ---------------------------------------------------------------------------

    def zone(self, subnet) -> Zone:
        key = id(subnet)
        if key not in self._zones:
            self._zones[key] = Zone("unknown", "the zone refers to itself")   # cycle guard
            self._zones[key] = _subnet_zone(self.graph, subnet)
        return self._zones[key]

    # -- vpcs ------------------------------------------------------------------------------

    def vpc(self, resource):
        """(vpc Resource or None, the raw vpc_id value) of a subnet or table."""
        key = id(resource)
        if key not in self._vpc:
            if resource.type in ("aws_default_subnet",):
                vpcs = [v for v in self.graph.resources("vpc") if v.type == "aws_default_vpc"
                        and v.scope == resource.scope]
                self._vpc[key] = (vpcs[0] if vpcs else None, "default VPC")
            else:
                raw = resource.get("vpc_id")
                target = self.graph.deref(resource, raw)
                self._vpc[key] = (target if target is not None and target.kind == "vpc" else None, raw)
        return self._vpc[key]

    # -- routes ------------------------------------------------------------------------------

    def routes(self, table) -> tuple[list, str]:
        """(RouteInfos of a route table, reason the set may be incomplete or "")."""
        key = id(table)
        if key in self._routes:
            return self._routes[key]
        out, incomplete = [], ""
        inline = table.get("route", None)
        if isinstance(inline, Unknown):
            incomplete = f"the inline routes of {table.address} are unknown: {inline.reason}"
        elif isinstance(inline, OneOf):
            incomplete = f"the inline routes of {table.address} depend on a condition"
        elif isinstance(inline, list):
            for i, block in enumerate(inline):
                if isinstance(block, dict):
                    out.append(_make_route(self.graph, table, ("route", i), block))
                elif isinstance(block, (Unknown, OneOf)):
                    incomplete = f"an inline route of {table.address} is unknown"
        elif isinstance(inline, dict):   # a single block written as a map
            out.append(_make_route(self.graph, table, ("route",), inline))
        standalone = self._standalone_routes(table)
        if out and standalone:
            # Terraform forbids mixing both on one table; walint takes the union (§3.2)
            self.table_notes.setdefault(id(table), []).append(
                f"{table.address} has both inline routes and standalone routes "
                f"({', '.join(r.owner.address for r in standalone)}): Terraform keeps only one of "
                "them, so walint takes the union")
        out.extend(standalone)
        for r in self.graph.resources("route"):
            if r.scope != table.scope:
                continue
            raw = r.get("route_table_id")
            if isinstance(raw, Unknown) and (table.address in raw.refs or
                                             any(_same_set(a, table.address) for a in raw.refs)):
                incomplete = f"{r.address} adds routes to a table walint cannot determine"
        self._routes[key] = (out, incomplete)
        return self._routes[key]

    def _standalone_routes(self, table) -> list:
        out = []
        inline = isinstance(table.get("route", None), list)
        for r in self.graph.referrers(table, kind="route", via="route_table_id"):
            if self.graph.deref(r, r.get("route_table_id")) is not table:
                continue
            if inline and r.meta.get("synthetic"):
                continue      # an inline block lifted by the parser: already read from the table
            out.append(_make_route(self.graph, r, (), r,
                                   certain=not (r.optional or r.instances_unknown)))
        return out

    def _main_table_routes(self, vpc) -> list:
        """aws_route resources on aws_vpc.x.main_route_table_id / default_route_table_id."""
        out = []
        for r in self.graph.referrers(vpc, kind="route", via="route_table_id"):
            raw = r.get("route_table_id")
            if isinstance(raw, Ref) and raw.attr in ("main_route_table_id", "default_route_table_id"):
                out.append(_make_route(self.graph, r, (), r,
                                       certain=not (r.optional or r.instances_unknown)))
        return out

    # -- tiers ---------------------------------------------------------------------------------

    def tier(self, subnet) -> Tier:
        key = id(subnet)
        if key not in self._tiers:
            t = self._compute_tier(subnet)
            t.zone = self.zone(subnet)
            self._tiers[key] = t
        return self._tiers[key]

    def _associations(self, subnet):
        """(explicit associations, uncertain reason)."""
        found, uncertain = [], ""
        for a in self.graph.referrers(subnet, kind="rt_assoc", via="subnet_id"):
            raw = a.get("subnet_id")
            if self.graph.deref(a, raw) is subnet:
                found.append(a)
            else:
                uncertain = f"{a.address} associates a route table with a subnet walint cannot determine"
        return found, uncertain

    def _compute_tier(self, subnet) -> Tier:
        assocs, uncertain = self._associations(subnet)
        if uncertain and not assocs:
            return Tier(subnet, UNKNOWN, reason=uncertain)
        if len(assocs) > 1:
            tiers = [self._tier_from_assoc(subnet, a) for a in assocs]
            kinds = {t.tier for t in tiers}
            chosen = tiers[0] if len(kinds) == 1 else Tier(
                subnet, UNKNOWN, reason="the subnet has several route table associations that disagree")
            chosen.notes.append(
                f"{subnet.address} has {len(assocs)} route table associations "
                f"({', '.join(a.address for a in assocs)}): a subnet has exactly one route table")
            return chosen
        if assocs:
            t = self._tier_from_assoc(subnet, assocs[0])
            if assocs[0].optional or assocs[0].instances_unknown:
                main = self._tier_from_main(subnet)
                if main.tier != t.tier:
                    return Tier(subnet, UNKNOWN, assoc=assocs[0],
                                reason=f"{assocs[0].address} may not exist (its condition, count or for_each is unknown)")
            return t
        return self._tier_from_main(subnet)

    def _tier_from_assoc(self, subnet, assoc) -> Tier:
        raw = assoc.get("route_table_id")
        table = self.graph.deref(assoc, raw)
        if table is None or table.kind != "route_table":
            why = raw.reason if isinstance(raw, Unknown) else \
                f"route table {raw if isinstance(raw, str) else '(unknown)'} is not in the scanned files"
            return Tier(subnet, UNKNOWN, assoc=assoc, reason=why)
        routes, incomplete = self.routes(table)
        return _classify(Tier(subnet, UNKNOWN, assoc=assoc, table=table, routes=routes), incomplete)

    def _tier_from_main(self, subnet) -> Tier:
        g = self.graph
        vpc, raw = self.vpc(subnet)
        if vpc is None:
            if raw == "default VPC":
                return Tier(subnet, PUBLIC, table_text="the default VPC's main route table "
                            "(0.0.0.0/0 -> its internet gateway)")
            why = raw.reason if isinstance(raw, Unknown) else "its VPC is not in the scanned files"
            return Tier(subnet, UNKNOWN, table_text="the VPC main route table",
                        reason=f"{subnet.address} has no route table association and {why}")
        if subnet.format == "cloudformation":
            return Tier(subnet, ISOLATED, table_text=f"the main route table of {vpc.address} (local route only)")
        for a in g.referrers(vpc, kind="rt_assoc", via="vpc_id"):
            if a.type == "aws_main_route_table_association":
                t = self._tier_from_assoc(subnet, a)
                if t.table is not None:
                    t.table_text = "main route table"
                return t
        for t in g.referrers(vpc, kind="route_table", via="default_route_table_id"):
            routes, incomplete = self.routes(t)
            tier = Tier(subnet, UNKNOWN, table=t, routes=routes, table_text="main route table")
            return _classify(tier, incomplete)
        routes = self._main_table_routes(vpc)
        if vpc.type == "aws_default_vpc":
            return Tier(subnet, PUBLIC, table_text="the default VPC's main route table "
                        "(0.0.0.0/0 -> its internet gateway)")
        tier = Tier(subnet, UNKNOWN, routes=routes,
                    table_text=f"the main route table of {vpc.address}" + ("" if routes else " (local route only)"))
        return _classify(tier, "")


def _same_set(address, table_address):
    """`aws_route_table.private[*]` covers `aws_route_table.private[0]`."""
    if address.endswith("[*]"):
        return table_address.startswith(address[:-3] + "[")
    return False


def _classify(tier: Tier, incomplete: str) -> Tier:
    """Decide public / private / isolated / unknown from the table's routes (§3.2 step 5)."""
    sure = [r for r in tier.routes if r.certain and r.is_default is True and r.target_kind]
    doubtful = [r for r in tier.routes
                if r.is_default is not False and r not in sure
                and (r.is_default is None or not r.target_kind or not r.certain)]
    for r in sure:
        if r.target_kind in _PUBLIC_TARGETS:
            tier.tier, tier.decisive, tier.via = PUBLIC, r, r.target_kind
            return tier
    if incomplete or doubtful:
        tier.tier = UNKNOWN
        tier.reason = incomplete or doubtful[0].reason or \
            f"{doubtful[0].label} may or may not exist"
        tier.decisive = doubtful[0] if doubtful else None
        return tier
    egress = [r for r in sure if r.target_kind in _EGRESS_TARGETS]
    if egress:
        egress.sort(key=lambda r: (r.family != "ipv4", r.target_kind != "natgw"))
        tier.tier, tier.decisive, tier.via = PRIVATE, egress[0], egress[0].target_kind
        return tier
    elsewhere = [r for r in sure if r.target_kind in _ELSEWHERE_TARGETS]
    if elsewhere:
        r = elsewhere[0]
        tier.tier, tier.decisive = UNKNOWN, r
        tier.reason = (f"its default route goes to {r.target_label}: whether that reaches the "
                       "internet is decided outside the scanned files")
        return tier
    v6 = [r for r in sure if r.target_kind == "eigw"]
    tier.tier = ISOLATED
    if v6:
        tier.egress_v6, tier.decisive, tier.via = True, v6[0], "eigw"
    return tier


_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def topology(graph) -> _Topology:
    """The per-graph cache of zones, tiers and routes."""
    try:
        return _CACHE[graph]
    except KeyError:
        t = _CACHE[graph] = _Topology(graph)
        return t
    except TypeError:           # a graph that cannot be weakly referenced
        return _Topology(graph)


def tier_of(graph, subnet) -> Tier:
    """The tier of a subnet with its evidence (cached)."""
    return topology(graph).tier(subnet)


def table_notes(graph, table) -> list:
    """Template errors found while reading a route table's routes (inline and standalone
    routes mixed on one Terraform table)."""
    t = topology(graph)
    t.routes(table)
    return list(t.table_notes.get(id(table), ()))


def routes_of(graph, table) -> list:
    """Every route of a route table: inline blocks and standalone route resources."""
    return topology(graph).routes(table)[0]


def default_routes(graph) -> list:
    """Every default route in the graph (inline and standalone), once each, as RouteInfos."""
    out, seen = [], set()
    for table in graph.resources("route_table"):
        for r in routes_of(graph, table):
            key = (id(r.owner), r.path)
            if r.is_default and key not in seen:
                seen.add(key)
                out.append(r)
    for route in graph.resources("route"):
        if (id(route), ()) in seen:
            continue
        r = _make_route(graph, route, (), route, certain=not (route.optional or route.instances_unknown))
        if r.is_default:
            seen.add((id(route), ()))
            out.append(r)
    return out


def vpc_of(graph, resource):
    """The VPC Resource of a subnet (or anything with vpc_id), or None."""
    return topology(graph).vpc(resource)[0]


def vpc_key(graph, subnet):
    """A key grouping subnets by VPC, also when the VPC is not in the graph
    (subnets with the same unresolved vpc_id value share a key)."""
    vpc, raw = topology(graph).vpc(subnet)
    if vpc is not None:
        return ("vpc", subnet.scope, vpc.address)
    return ("value", subnet.scope, repr(raw))


def subnets_in(graph, vpc):
    """The subnets whose vpc_id refers to the VPC."""
    return [s for s in graph.resources("subnet") if vpc_of(graph, s) is vpc]


# ---------------------------------------------------------------------------------------
# NAT (RULES.md §3.3)
# ---------------------------------------------------------------------------------------

def nat_route(graph, subnet):
    """The default route through a NAT gateway of a private subnet (IPv4 first), or None."""
    t = tier_of(graph, subnet)
    if t.tier != PRIVATE:
        return None
    nat = [r for r in t.default_routes if r.certain and r.target_kind == "natgw"]
    nat.sort(key=lambda r: r.family != "ipv4")
    return nat[0] if nat else None


def is_regional(nat):
    """True when a NAT gateway is regional (spans zones, has no subnet); None if unknown."""
    mode = nat.get("availability_mode", "zonal")
    return decide(mode, lambda v: isinstance(v, str) and v.lower() == "regional")


def nat_subnet(graph, nat):
    """The subnet Resource of a NAT gateway, or an Unknown saying why not."""
    raw = nat.get("subnet_id")
    if raw is None:
        return Unknown(f"{nat.address} has no subnet_id")
    target = graph.deref(nat, raw)
    if target is not None and target.kind == "subnet":
        return target
    if isinstance(raw, Unknown):
        return raw
    return Unknown(f"the subnet of {nat.address} is not in the scanned files")


# ---------------------------------------------------------------------------------------
# Placement of workloads
# ---------------------------------------------------------------------------------------

@dataclass(eq=False)
class Placement:
    """Where a workload runs.

    `subnets`: one entry per subnet: the subnet Resource, or an Unknown.
    `holder`, `attr`: the resource and attribute that list them (a subnet group's
    `subnet_ids`, a service's `subnets`), for anchoring findings.
    `via`: the resources walked to get there (an Aurora member's cluster, the subnet
    group). `missing`: set when the workload names no subnets at all and so lands in
    the default VPC (RDS and ElastiCache without a subnet group).
    `zones`: Zones given directly (an ASG's availability_zones) instead of subnets.
    """

    resource: object
    subnets: list = field(default_factory=list)
    holder: object = None
    attr: str = ""
    via: list = field(default_factory=list)
    missing: str = ""
    zones: list = field(default_factory=list)
    unknown: str = ""             # the whole list cannot be read

    @property
    def known(self) -> bool:
        return not self.unknown and all(not isinstance(s, Unknown) for s in self.subnets)

    def related(self) -> list:
        words = {"db_subnet_group": "the subnet group it is placed in",
                 "cache_subnet_group": "the subnet group it is placed in",
                 "db_cluster": "the cluster whose subnet group it uses",
                 "cache_rg": "the replication group whose subnet group it uses",
                 "db_instance": "the source instance it is placed like",
                 "efs_mount_target": "a mount target"}
        out = []
        for r in self.via:
            path = ("subnet_ids",) if r is self.holder and r.has("subnet_ids") else \
                (("subnet_id",) if r.has("subnet_id") else ())
            out.append(Related(r, path, words.get(r.kind, f"{r.kind.replace('_', ' ')} on the way")))
        return out


@dataclass(frozen=True)
class ExternalSubnet(Unknown):
    """A literal subnet id (`subnet-0abc...`): exactly one subnet, outside the graph."""


def _subnet_entries(graph, holder, value) -> list:
    if value is None:
        return []
    if isinstance(value, str) and "," in value:       # a comma-joined list (CFN VPCZoneIdentifier)
        value = [s.strip() for s in value.split(",") if s.strip()]
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for v in items:
        if isinstance(v, (list, tuple)):
            out.extend(_subnet_entries(graph, holder, v))
            continue
        if isinstance(v, str) and v.startswith("subnet-"):
            out.append(ExternalSubnet(f"subnet {v} is not declared in the scanned files"))
            continue
        t = graph.targets(holder, v)
        t = t[0] if t else Unknown("the subnet cannot be read")
        if isinstance(t, Unknown):
            out.append(t)
        elif t.kind == "subnet":
            out.append(t)
        else:
            out.append(Unknown(f"{t.address} is not a subnet"))
    return out


def _group_by_name(graph, resource, value, kinds):
    """A subnet group referred to by a Ref, or by a literal name matching a group's name."""
    target = graph.deref(resource, value)
    if target is not None:
        return target
    if isinstance(value, str):
        for g in graph.resources(*kinds) if len(kinds) > 1 else graph.resources(kinds[0]):
            if g.scope == resource.scope and g.get("name") == value or (
                    g.scope == resource.scope and g.get("db_subnet_group_name") == value) or (
                    g.scope == resource.scope and g.get("cache_subnet_group_name") == value):
                return g
    return None


def _from_group(graph, resource, attr, group_kinds, p: Placement, extra_types=()):
    raw = resource.get(attr)
    if raw is None:
        p.missing = f"{resource.address} sets no subnet group"
        return p
    group = _group_by_name(graph, resource, raw, group_kinds)
    if group is None or (group.kind not in group_kinds and group.type not in extra_types):
        if isinstance(raw, str) and raw.lower() == "default":
            p.missing = f"{resource.address} uses the default subnet group"
            return p
        p.unknown = raw.reason if isinstance(raw, Unknown) else \
            f"subnet group {raw if isinstance(raw, str) else '(unknown)'} is not in the scanned files"
        p.holder, p.attr = resource, attr
        return p
    p.via.append(group)
    p.holder, p.attr = group, "subnet_ids"
    ids = group.get("subnet_ids")
    if isinstance(ids, Unknown):
        p.unknown = ids.reason
    elif ids is None:
        p.unknown = f"{group.address} lists no subnets"
    else:
        p.subnets = _subnet_entries(graph, group, ids)
    return p


def _rds_placement(graph, db, p: Placement, depth=0) -> Placement:
    if db.kind == "db_instance":
        cluster_ref = db.get("cluster_identifier")
        if cluster_ref is not None and not db.has("db_subnet_group_name"):
            cluster = graph.deref(db, cluster_ref)
            if cluster is None and isinstance(cluster_ref, str):
                for c in graph.resources("db_cluster"):
                    if c.scope == db.scope and c.get("cluster_identifier") == cluster_ref:
                        cluster = c
            if cluster is None or cluster.kind != "db_cluster":
                p.unknown = f"the cluster of {db.address} is not in the scanned files"
                return p
            p.via.append(cluster)
            return _from_group(graph, cluster, "db_subnet_group_name", ("db_subnet_group",), p)
        source = db.get("replicate_source_db")
        if source is not None and not db.has("db_subnet_group_name") and depth < 4:
            src = graph.deref(db, source)
            if src is None or src.kind != "db_instance":
                p.unknown = f"the source of read replica {db.address} is not in the scanned files"
                return p
            p.via.append(src)
            return _rds_placement(graph, src, p, depth + 1)
    return _from_group(graph, db, "db_subnet_group_name", ("db_subnet_group",), p)


def placement(graph, resource) -> Placement:
    """The subnets a workload is placed in (see `Placement`)."""
    p = Placement(resource)
    kind = resource.kind
    if kind in ("db_instance", "db_cluster"):
        return _rds_placement(graph, resource, p)
    if kind == "docdb_cluster":
        return _from_group(graph, resource, "db_subnet_group_name", ("db_subnet_group", "docdb_subnet_group"),
                           p)
    if kind in ("cache_rg", "cache_cluster"):
        if kind == "cache_cluster" and resource.has("replication_group_id"):
            rg = graph.deref(resource, resource.get("replication_group_id"))
            if rg is not None and rg.kind == "cache_rg":
                p.via.append(rg)
                return _from_group(graph, rg, "subnet_group_name", ("cache_subnet_group",), p)
        return _from_group(graph, resource, "subnet_group_name", ("cache_subnet_group",), p)
    if kind == "redshift":
        return _from_group(graph, resource, "cluster_subnet_group_name", ("other",), p,
                           extra_types=("aws_redshift_subnet_group", "AWS::Redshift::ClusterSubnetGroup"))
    if kind == "efs":
        mts = [m for m in graph.referrers(resource, kind="efs_mount_target", via="file_system_id")]
        p.holder, p.attr = resource, ""
        for m in mts:
            p.via.append(m)
            p.subnets.extend(_subnet_entries(graph, m, m.get("subnet_id")))
        return p
    if kind == "lb":
        p.holder = resource
        if resource.has("subnets"):
            p.attr = "subnets"
            raw = resource.get("subnets")
            if isinstance(raw, Unknown):
                p.unknown = raw.reason
            else:
                p.subnets = _subnet_entries(graph, resource, raw)
        mappings = resource.get("subnet_mapping") if resource.has("subnet_mapping") else resource.get("subnet_mappings")
        if mappings is not None:
            p.attr = p.attr or ("subnet_mapping" if resource.has("subnet_mapping") else "subnet_mappings")
            if isinstance(mappings, Unknown):
                p.unknown = mappings.reason
            elif isinstance(mappings, list):
                for m in mappings:
                    if isinstance(m, dict):
                        p.subnets.extend(_subnet_entries(graph, resource, m.get("subnet_id")))
                    else:
                        p.subnets.append(Unknown("a subnet mapping cannot be read"))
        if not p.attr:
            p.unknown = f"{resource.address} lists no subnets"
        return p
    attr = {"ecs_service": "subnets", "asg": "subnet_ids", "lambda": "subnet_ids",
            "instance": "subnet_id", "opensearch": "vpc_options.subnet_ids",
            "msk_cluster": "broker_node_group_info.client_subnets"}.get(kind)
    if attr is None:
        p.unknown = f"walint does not know where a {resource.type} is placed"
        return p
    p.holder, p.attr = resource, attr
    raw = resource.get(attr)
    if raw is None:
        if kind == "asg" and resource.has("availability_zones"):
            p.attr = "availability_zones"
            zs = resource.get("availability_zones")
            if isinstance(zs, AzList):      # every zone of a list (!GetAZs ''): at least two
                p.zones = [Zone("index", (zs.list_id, 0)), Zone("index", (zs.list_id, 1))]
            elif isinstance(zs, list):
                p.zones = [zone_of_value(graph, resource, z) for z in zs]
            else:
                p.unknown = zs.reason if isinstance(zs, Unknown) else "the zones cannot be read"
            return p
        p.missing = f"{resource.address} names no subnets"
        return p
    if isinstance(raw, Unknown):
        p.unknown = raw.reason
        return p
    p.subnets = _subnet_entries(graph, resource, raw)
    return p


def subnet_list(graph, resource, attr):
    """(entries, reason) for a subnet-list attribute of `resource` (`subnet_ids` of a
    subnet group...): entries are subnet Resources or Unknowns; reason is set when the
    whole list cannot be read."""
    raw = resource.get(attr)
    if raw is None:
        return [], ""
    if isinstance(raw, Unknown):
        return [], raw.reason
    if isinstance(raw, OneOf):
        return [], "the subnet list depends on a condition walint cannot decide"
    return _subnet_entries(graph, resource, raw), ""


def placement_zones(graph, p: Placement) -> list:
    """The Zones of a placement, one per subnet entry (Unknown entries may be many)."""
    out = list(p.zones)
    for s in p.subnets:
        if isinstance(s, ExternalSubnet):
            out.append(Zone("unknown", s.reason))
        elif isinstance(s, Unknown):
            out.append(Zone("unknown", s.reason, many=True))
        else:
            out.append(zone_of(graph, s))
    if p.unknown:
        out.append(Zone("unknown", p.unknown, many=True))
    return out

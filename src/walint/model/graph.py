"""The resource graph: resources indexed by (scope, address), edges from every Ref.

A scope is one configuration (a Terraform root module, a CloudFormation template with
its nested stacks); references stay within their scope, so two roots that both declare
`aws_vpc.main` stay apart. The one exception is a CloudFormation `Fn::ImportValue` of
an export another template of the scan defines: its Ref names the exporting scope.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from walint.model.values import OneOf, Ref, Unknown


@dataclass(frozen=True)
class Edge:
    source: object   # Resource
    target: object   # Resource
    via: str         # attribute path the reference sits in, without list indices


def _refs_with_path(value, path=()):
    """(scope or None, address, attr path) of every reference inside a value, in document order."""
    if isinstance(value, Ref):
        yield value.scope, value.address, path
    elif isinstance(value, Unknown):
        for address in value.refs:
            yield None, address, path
    elif isinstance(value, OneOf):
        for option in value.options:
            yield from _refs_with_path(option, path)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _refs_with_path(v, path + (k,))
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _refs_with_path(v, path)


def _wildcard(address: str) -> str | None:
    """`aws_subnet.a[2]` -> `aws_subnet.a[*]`: the node of an instance set that could not be known."""
    if address.endswith("]") and "[" in address:
        return address[: address.rindex("[")] + "[*]"
    return None


class Graph:
    def __init__(self, resources, profile="production", profile_for=None):
        self.profile = profile                  # the run's profile (RULES.md §0.2)
        self._profile_for = profile_for         # file -> profile, from per-path configuration
        self._all = sorted(resources, key=lambda r: (r.scope, r.address, r.file))
        self._by_key = {}
        self._by_kind = defaultdict(list)
        for r in self._all:
            self._by_key.setdefault((r.scope, r.address), r)
            self._by_kind[r.kind].append(r)
        self.edges = []
        self._in = defaultdict(list)
        self._out = defaultdict(list)
        for r in self._all:
            seen = set()
            for scope, address, path in _refs_with_path(r.attrs):
                target = self.lookup(scope or r.scope, address)
                via = ".".join(str(p) for p in path)
                if target is None or target is r or (target.address, via) in seen:
                    continue
                seen.add((target.address, via))
                edge = Edge(r, target, via)
                self.edges.append(edge)
                self._out[id(r)].append(edge)
                self._in[id(target)].append(edge)

    def profile_of(self, resource) -> str:
        """The profile that applies to a resource: per-path configuration, else the run's.

        Rules that decide differently by profile (a threshold, a lower level for one
        case) ask this rather than assuming production."""
        if self._profile_for is not None:
            return self._profile_for(resource.file) or self.profile
        return self.profile

    # -- finding resources -------------------------------------------------------------

    def resources(self, *kinds):
        """Every resource, or those of the given kinds, in a stable order."""
        if not kinds:
            return list(self._all)
        if len(kinds) == 1:
            return list(self._by_kind.get(kinds[0], ()))
        return [r for r in self._all if r.kind in kinds]

    def lookup(self, scope, address):
        r = self._by_key.get((scope, address))
        if r is None:
            wild = _wildcard(address)
            if wild:
                r = self._by_key.get((scope, wild))
        return r

    def deref(self, resource, value):
        """The resource a value refers to (a Ref), or None (a literal id, unknown, absent)."""
        if isinstance(value, Ref):
            return self.lookup(value.scope or resource.scope, value.address)
        return None

    def targets(self, resource, value):
        """Resolve a reference or a list of references.

        Returns a list with one entry per element: the Resource referred to, or an
        `Unknown` explaining why that element cannot be followed (a literal physical id,
        a parameter, an import). An Unknown for the whole list gives [that Unknown].
        """
        if value is None:
            return []
        if isinstance(value, (Unknown, OneOf)) or not isinstance(value, (list, tuple)):
            value = [value]
        out = []
        for v in value:
            if isinstance(v, list):
                out.extend(self.targets(resource, v))
                continue
            target = self.deref(resource, v)
            if target is not None:
                out.append(target)
            elif isinstance(v, Unknown):
                out.append(v)
            elif isinstance(v, OneOf):
                out.append(Unknown("the reference depends on a condition walint cannot decide"))
            else:
                out.append(Unknown(f"{v!s} is not declared in the scanned files"))
        return out

    def referrers(self, resource, kind=None, via=None):
        """Resources that reference `resource`, optionally of a kind and through an attribute."""
        out = []
        for e in self._in.get(id(resource), ()):
            if kind and e.source.kind != kind:
                continue
            if via and not (e.via == via or e.via.startswith(via + ".")):
                continue
            if e.source not in out:
                out.append(e.source)
        return out

    def references(self, resource):
        """Edges leaving `resource`."""
        return list(self._out.get(id(resource), ()))

    def resolve(self, resource, value, _depth=0):
        """Follow a Ref to an attribute of another resource to that attribute's value.

        An argument the configuration sets is known before deployment (issue 14):
        Terraform `aws_vpc.main.cidr_block` is the VPC's `cidr_block`, and a
        CloudFormation `!GetAtt Vpc.CidrBlock` is the property of the same name, for the
        attributes that echo a property (VPC CidrBlock; Subnet AvailabilityZone,
        CidrBlock, VpcId; SecurityGroup VpcId; Instance AvailabilityZone; SQS QueueName;
        SNS TopicName; SSM Parameter Type and Value...). `Ref(x, "id")` and other computed
        attributes (arn, ...) stay as they are: they name a resource rather than a setting
        of it; any other attribute the configuration does not set is Unknown.
        """
        if not isinstance(value, Ref) or _depth > 16:
            return value
        target = self.deref(resource, value)
        if target is None:
            return value
        attr = value.attr
        if attr in ("id", "arn", "name") and not target.has(attr):
            return value
        key = attr if target.format == "terraform" else _cfn_attr(attr)
        if not target.has(key):
            return Unknown(f"{target.address}.{attr} is known only after deployment")
        return self.resolve(target, target.get(key), _depth + 1)


def _cfn_attr(attr: str) -> str:
    from walint.model.kinds import snake

    return ".".join(snake(p) for p in attr.split("."))

"""IAM policy documents for the iam-least-privilege rules (RULES.md §2.10).

Where the documents are:

* CloudFormation `AWS::IAM::Policy` / `ManagedPolicy` `policy_document`, and the inline
  `policies[].policy_document` of `AWS::IAM::Role` / `User` / `Group`. The document keeps
  its own keys (`Statement`, `Effect`, `Action`, `Resource`).
* Terraform `aws_iam_policy` / `aws_iam_role_policy` / `aws_iam_user_policy` /
  `aws_iam_group_policy` `policy`, and `aws_iam_role.inline_policy[].policy`: a JSON string
  (a heredoc, or `jsonencode(...)` that the reader evaluated), or Unknown when the reader
  could not build the string (a `data.aws_iam_policy_document`, which is read at plan time,
  an argument known only after apply, a variable).

Statements normalize to `Statement` objects; each field keeps the markers of the value
model (`Unknown`, `OneOf`) so that the rules decide three-valued.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from walint.api import OneOf, Ref, Unknown, as_bool, decide, options

ADMIN_POLICY = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$")
BREAK_GLASS_NAME = re.compile(r"(?i)break[-_]?glass")


@dataclass
class Statement:
    resource: object            # the Resource holding the document
    path: tuple                 # attribute path of the statement (for anchoring)
    index: int
    effect: object = "Allow"
    action: object = None       # list of str/markers, an Unknown, or None when absent
    not_action: object = None
    res: object = None          # Resource element
    not_resource: object = None
    condition: object = None
    sid: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{'.'.join(map(str, self.path))}#{self.sid or self.index}"


@dataclass
class Document:
    resource: object
    path: tuple                 # attribute path of the document
    value: object               # a dict, or an Unknown saying why it cannot be read
    label: str                  # words for messages: "policy", "inline policy x"


def _as_list(value):
    """A policy element as a list: "x" -> ["x"]; a list stays; markers stay."""
    if value is None:
        return None
    if isinstance(value, (Unknown, OneOf)):
        return value
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def load(value):
    """A document value (dict or JSON string) as a dict, or an Unknown.

    A Terraform `jsonencode` document with values known only after apply is an Unknown
    whose `partial` keeps the structure: its statements are read, unknown leaves and all."""
    if isinstance(value, Unknown):
        return value.partial if isinstance(value.partial, dict) else value
    if isinstance(value, OneOf):
        return Unknown("the policy document depends on a condition walint cannot decide")
    if isinstance(value, Ref):
        return Unknown(f"the policy is the attribute {value.address}.{value.attr}, "
                       "known only after deployment")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return Unknown("the policy text is not JSON walint can read")
    if not isinstance(value, dict):
        return Unknown("the policy document is not a JSON object")
    return value


def statements(doc: Document):
    """The statements of a document (a list of Statement), or an Unknown."""
    value = load(doc.value)
    if isinstance(value, Unknown):
        return value
    raw = value.get("Statement")
    if isinstance(raw, Unknown):
        return raw
    if isinstance(raw, dict):
        items, listed = [raw], False
    elif isinstance(raw, list):
        items, listed = raw, True
    else:
        return []
    out = []
    for i, st in enumerate(items):
        spath = doc.path + (("Statement", i) if listed else ("Statement",))
        if isinstance(doc.value, str):
            spath = doc.path  # a JSON string has no positions inside it
        if not isinstance(st, dict):
            out.append(Statement(doc.resource, spath, i, effect=Unknown("statement is not an object"),
                                 action=Unknown("statement is not an object")))
            continue
        out.append(Statement(
            doc.resource, spath, i,
            effect=st.get("Effect", "Allow"),
            action=_as_list(st.get("Action")),
            not_action=_as_list(st.get("NotAction")),
            res=_as_list(st.get("Resource")),
            not_resource=_as_list(st.get("NotResource")),
            condition=st.get("Condition"),
            sid=st.get("Sid") if isinstance(st.get("Sid"), str) else ""))
    return out


def documents(graph):
    """Every identity-policy document in the graph, as Document objects."""
    for r in graph.resources("iam_policy"):
        if r.format == "cloudformation":
            if r.has("policy_document"):
                yield Document(r, ("policy_document",), r.get("policy_document"), "policy document")
        elif r.has("policy"):
            yield Document(r, ("policy",), r.get("policy"), "policy")
    for r in graph.resources("iam_role", "iam_user", "iam_group"):
        if r.format == "cloudformation":
            block, inner = "policies", "policy_document"
        else:
            block, inner = "inline_policy", "policy"
        items = r.get(block)
        if isinstance(items, Unknown):
            yield Document(r, (block,), items, block.replace("_", " "))
            continue
        if isinstance(items, dict):
            items = [items]
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if not isinstance(item, dict) or inner not in item:
                continue
            name = item.get("policy_name") or item.get("name")
            label = f"inline policy {name}" if isinstance(name, str) else "inline policy"
            yield Document(r, (block, i, inner), item[inner], label)


# -- statement predicates (three-valued: True / False / None) ---------------------------

def is_allow(st) -> bool | None:
    return decide(st.effect, lambda e: isinstance(e, str) and e.strip().lower() == "allow")


def _contains(items, pred):
    """True if some Known element satisfies pred; False if all are Known and none do;
    None when an unknown element could."""
    if items is None:
        return False
    if isinstance(items, (Unknown, OneOf)):
        verdicts = set()
        for option in options(items):
            if isinstance(option, Unknown):
                return None
            verdicts.add(_contains(_as_list(option), pred))
        return verdicts.pop() if len(verdicts) == 1 else None
    unknown = False
    for item in items:
        v = decide(item, lambda x: isinstance(x, str) and pred(x))
        if v is True:
            return True
        if v is None:
            unknown = True
    return None if unknown else False


def has_star_action(st):
    return _contains(st.action, lambda a: a.strip() == "*")


def _specific(items):
    """Resource elements with an ARN known only after apply stand for that resource.

    `Resource = aws_s3_bucket.b.arn` (or "${aws_s3_bucket.b.arn}/*") is not known before
    apply, but it names a declared resource, so it is never the wildcard "*"."""
    def one(item):
        return f"arn:resource:{item.refs[0]}" if isinstance(item, Unknown) and item.refs else item

    if isinstance(items, Unknown) and items.refs:
        return [one(items)]
    return [one(item) for item in items] if isinstance(items, list) else items


def has_star_resource(st):
    return _contains(_specific(st.res), lambda r: r.strip() == "*")


SERVICE_WILDCARD = re.compile(r"^[A-Za-z0-9-]+:\*$")


def wildcard_actions(st):
    """(known wildcard actions, undecided) for IAM-002: `*` and `svc:*`."""
    found, undecided = [], False
    items = st.action
    if items is None:
        return found, False
    if isinstance(items, (Unknown, OneOf)):
        return found, True
    for item in items:
        for option in options(item):
            if isinstance(option, str):
                a = option.strip()
                if a == "*" or SERVICE_WILDCARD.match(a):
                    found.append(a)
            else:
                undecided = True
    return sorted(set(found)), undecided


def resource_is_only_star(st):
    """True when Resource is exactly ["*"], False when Known otherwise, None when unknown."""
    items = _specific(st.res)
    if items is None:
        return False
    if isinstance(items, (Unknown, OneOf)):
        return None
    verdicts = set()
    for item in items:
        v = decide(item, lambda x: isinstance(x, str) and x.strip() == "*")
        if v is None:
            return None
        verdicts.add(v)
    return verdicts == {True}


def has_condition(st) -> bool:
    return st.condition is not None and st.condition != {}


# Condition keys that name the resources a statement may touch (see WAL-IAM-003's docs):
# the resource's own tags, the ECS cluster or service, the VPC of an EC2 resource, and
# the ARN of the resource on whose behalf a service calls.
SCOPING_KEY = re.compile(r"(?i)^(?:[a-z0-9-]+:resourcetag/.+|rds:[a-z-]+-tag/.+"
                         r"|ecs:cluster|ecs:service|ec2:vpc|aws:sourcearn)$")
# Operators whose match is positive: a request without the key never matches them.
# `...IfExists` matches when the key is absent, `ForAllValues:` matches an empty set and
# the `Not` operators match everything else: none of them narrows.
EXACT_OPERATOR = re.compile(r"(?i)^(?:forAnyValue:)?(?:StringEquals|StringEqualsIgnoreCase|ArnEquals)$")
PATTERN_OPERATOR = re.compile(r"(?i)^(?:forAnyValue:)?(?:StringLike|ArnLike)$")


def _narrows(exact: bool, value):
    """True/None: does a condition value name something narrower than everything?

    An exact operator has no wildcards, so any value narrows; a pattern narrows unless it
    is only `*` (an unknown pattern could be)."""
    values = value if isinstance(value, list) else [value]
    if exact:
        return True if values else False
    verdict = True
    for v in values:
        if isinstance(v, str):
            if not v.strip().strip("*"):
                return False
        elif not (isinstance(v, Ref) or (isinstance(v, Unknown) and v.refs)):
            verdict = None           # a parameter or variable could be "*"
    return verdict if values else False


def scoping_condition(st):
    """True when the statement's Condition limits it to named resources (a key of
    SCOPING_KEY under a positive operator with a narrowing value), False when it does
    not, None when the condition cannot be read."""
    cond = st.condition
    if cond is None or cond == {}:
        return False
    if not isinstance(cond, dict):
        return None
    verdict = False
    for op, body in cond.items():
        if not isinstance(op, str):
            continue
        exact = bool(EXACT_OPERATOR.match(op))
        if not exact and not PATTERN_OPERATOR.match(op):
            continue
        if not isinstance(body, dict):
            verdict = None
            continue
        for key, value in body.items():
            if isinstance(key, str) and SCOPING_KEY.match(key):
                v = _narrows(exact, value)
                if v is True:
                    return True
                if v is None:
                    verdict = None
    return verdict


def action_strings(st):
    """The Known action strings, and whether some element is not known."""
    items = st.action
    if items is None:
        return [], False
    if isinstance(items, (Unknown, OneOf)):
        return [], True
    out, undecided = [], False
    for item in items:
        for option in options(item):
            if isinstance(option, str):
                out.append(option.strip())
            else:
                undecided = True
    return out, undecided


# -- principals and the break-glass exemption ---------------------------------------------

def role_name(role):
    name = role.get("role_name") if role.format == "cloudformation" else role.get("name")
    return name if isinstance(name, str) else None


def _find_role(graph, holder, value):
    """The iam_role a `role`/`roles` element names: a reference, or a literal name."""
    target = graph.deref(holder, value)
    if target is not None:
        return target if target.kind == "iam_role" else None
    if isinstance(value, str):
        name = value.rsplit("/", 1)[-1]
        for role in graph.resources("iam_role"):
            if role.scope == holder.scope and role_name(role) == name:
                return role
    return None


def principals(graph, resource):
    """(roles, complete) the resource's permissions land on.

    `complete` is False when some principal cannot be followed or is not a role.
    """
    if resource.kind == "iam_role":
        return [resource], True
    if resource.kind in ("iam_user", "iam_group"):
        return [], False
    roles, complete = [], True
    if resource.format == "cloudformation":
        values = []
        for attr in ("roles", "users", "groups"):
            v = resource.get(attr)
            if attr != "roles" and v:
                complete = False
            if attr == "roles" and v is not None:
                values = v if isinstance(v, list) else [v]
    else:
        values = []
        if resource.has("role"):
            values = [resource.get("role")]
        elif resource.has("roles"):
            v = resource.get("roles")
            values = v if isinstance(v, list) else [v]
        if resource.has("user") or resource.has("users") or resource.has("group") or resource.has("groups"):
            complete = False
        # an aws_iam_policy reaches roles through attachments
        for att in graph.referrers(resource, kind="policy_attachment"):
            r2, c2 = principals(graph, att)
            roles.extend(r2)
            complete = complete and c2
    # a managed policy listed in a role's managed_policy_arns
    for role in graph.referrers(resource, kind="iam_role", via="managed_policy_arns"):
        if role not in roles:
            roles.append(role)
    for v in values:
        role = _find_role(graph, resource, v)
        if role is None:
            complete = False
        elif role not in roles:
            roles.append(role)
    return roles, complete


def sole_service_principal(role):
    """The one AWS service principal (`ecs-tasks.amazonaws.com`) that every Allow statement
    of the role's trust policy names, with nothing else and no condition; else None."""
    doc = role.get("assume_role_policy_document") if role.format == "cloudformation" \
        else role.get("assume_role_policy")
    doc = load(doc)
    if not isinstance(doc, dict):
        return None
    raw = doc.get("Statement")
    items = raw if isinstance(raw, list) else [raw]
    found = set()
    for st in items:
        if not isinstance(st, dict) or st.get("Effect", "Allow") != "Allow":
            continue
        principal = st.get("Principal")
        if not isinstance(principal, dict) or set(principal) != {"Service"} or "Condition" in st:
            return None
        services = principal["Service"] if isinstance(principal["Service"], list) else [principal["Service"]]
        if not all(isinstance(x, str) for x in services):
            return None
        found.update(services)
    return found.pop() if len(found) == 1 else None


def _trust_requires_mfa(role) -> bool:
    doc = role.get("assume_role_policy_document") if role.format == "cloudformation" \
        else role.get("assume_role_policy")
    doc = load(doc)
    if isinstance(doc, Unknown):
        return False
    raw = doc.get("Statement")
    items = raw if isinstance(raw, list) else [raw]
    allows = [s for s in items if isinstance(s, dict) and s.get("Effect", "Allow") == "Allow"]
    if not allows:
        return False
    for st in allows:
        cond = st.get("Condition")
        if not isinstance(cond, dict):
            return False
        ok = False
        for op, body in cond.items():
            if not isinstance(op, str) or not op.startswith("Bool") or not isinstance(body, dict):
                continue
            for k, v in body.items():
                if isinstance(k, str) and k.lower() == "aws:multifactorauthpresent":
                    vals = v if isinstance(v, list) else [v]
                    if vals and all(as_bool(x) is True for x in vals):
                        ok = True
        if not ok:
            return False
    return True


def is_break_glass(role) -> bool:
    tags = role.tags()
    tag = tags.get("walint:break-glass")
    if as_bool(tag) is True:
        return True
    name = role_name(role)
    return bool(name and BREAK_GLASS_NAME.search(name))


def exempt_level(graph, resource):
    """"note" when every principal of the resource is an MFA-gated break-glass role."""
    roles, complete = principals(graph, resource)
    if complete and roles and all(is_break_glass(r) and _trust_requires_mfa(r) for r in roles):
        return "note"
    return None


# -- AdministratorAccess attachments ---------------------------------------------------------

def is_admin_arn(value):
    """Is this the AdministratorAccess managed policy's ARN? True/False/None.

    `!Sub arn:${AWS::Partition}:iam::aws:policy/X` or
    `"arn:${data.aws_partition.current.partition}:iam::aws:policy/X"` is not known before
    deploy, but the partition does not change which policy it names."""
    if isinstance(value, Unknown) and isinstance(value.partial, str):
        text = re.sub(r"^arn:\$\{[^}]*\}:", "arn:aws:", value.partial)
        if "${" not in text:
            return bool(ADMIN_POLICY.match(text.strip()))
    return decide(value, lambda a: isinstance(a, str) and bool(ADMIN_POLICY.match(a.strip())))


def admin_attachments(graph):
    """(holder resource, attribute path, value) for each AdministratorAccess attachment,
    and (holder, path, Unknown) where an attached ARN cannot be read."""
    for r in graph.resources("iam_role", "iam_user", "iam_group"):
        arns = r.get("managed_policy_arns")
        if arns is None:
            continue
        if isinstance(arns, (Unknown, OneOf)):
            yield r, ("managed_policy_arns",), Unknown("managed_policy_arns cannot be resolved")
            continue
        for i, arn in enumerate(arns if isinstance(arns, list) else [arns]):
            v = is_admin_arn(arn)
            if v is True:
                yield r, ("managed_policy_arns", i), arn
            elif v is None and not isinstance(arn, Ref):
                yield r, ("managed_policy_arns", i), Unknown("a managed policy ARN cannot be resolved")
    for r in graph.resources("policy_attachment"):
        arn = r.get("policy_arn")
        if isinstance(arn, Ref) or arn is None:
            continue
        v = is_admin_arn(arn)
        if v is True:
            yield r, ("policy_arn",), arn
        elif v is None:
            yield r, ("policy_arn",), Unknown("policy_arn cannot be resolved")

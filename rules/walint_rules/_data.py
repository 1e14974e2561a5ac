"""Helpers shared by the data-protection rules (enc, tls, s3, backup).

Three-valued throughout (RULES.md §0.3): a helper answers True, False, or None when the
answer depends on a value walint cannot know. Imports only `walint.api`.
"""
from __future__ import annotations

import fnmatch
import re

from walint.api import OneOf, Ref, Unknown, as_bool, as_int, decide, options

# -- the run's profile ------------------------------------------------------------------


def profile(graph, res=None) -> str:
    """The profile that applies to a resource (RULES.md §0.2): per-path configuration,
    else the run's (`graph.profile_of`, `graph.profile`)."""
    return graph.profile_of(res) if res is not None else graph.profile


LOWER = {"error": "warning", "warning": "note", "note": "note", "off": "off"}


def lowered(rule_obj, graph, res=None) -> str:
    """One level below the rule's level in the resource's profile (an internal ALB, ...)."""
    return LOWER.get(rule_obj.level(profile(graph, res)), "note")


# -- small value helpers ----------------------------------------------------------------


def known_str(value):
    """A str when every candidate is that same str, else None."""
    cands = options(value)
    if len(cands) == 1 and isinstance(cands[0], str):
        return cands[0]
    return None


def lower(value):
    return value.lower() if isinstance(value, str) else value


def is_true(value, default=None):
    """decide(value, as_bool) with a default for an absent (None) value."""
    if value is None:
        value = default
    if value is None:
        return None
    return decide(value, as_bool)


def as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def address_name(res) -> str:
    """The logical id (CloudFormation) or the resource name (Terraform) of a resource."""
    if res.format == "cloudformation":
        return res.meta.get("logical_id") or res.address.rsplit(".", 1)[-1]
    parts = res.address.split(".")
    name = parts[-1] if parts else res.address
    return name.split("[", 1)[0]


# -- engines ----------------------------------------------------------------------------


def engine(res, default=None):
    """The lower-case engine name, an Unknown, a OneOf, or None when absent."""
    value = res.get("engine", default)
    if isinstance(value, str):
        return value.lower()
    return value


def is_aurora(res):
    return decide(engine(res), lambda e: isinstance(e, str) and e.startswith("aurora"))


def cluster_governed(res):
    """True/False/None: are the DB instance's cluster-level settings its DB cluster's?

    The one answer every rule asks before it asks an RDS DB instance for a setting that,
    for a cluster member, lives on the cluster: deletion protection, backup retention,
    cross-region copies, the subnet group and VPC security groups, storage encryption and
    its key, Multi-AZ, and the SSL parameter (in the DB cluster parameter group). True for
    a cluster member (`aws_rds_cluster_instance`, `DBClusterIdentifier` /
    `cluster_identifier`) and for any instance of an Aurora engine: AWS creates an Aurora
    instance only inside a cluster, and CloudFormation documents these properties as "not
    applicable" to it, so an Aurora instance without a cluster is not asked for them
    either. None when the engine cannot be resolved (the rules then say unknown)."""
    if res.type == "aws_rds_cluster_instance" or res.has("cluster_identifier"):
        return True
    return is_aurora(res)


CLUSTER_UNDECIDED = ("the engine is unknown, so whether this setting is the instance's or its "
                     "Aurora cluster's is unknown")


def is_read_replica(res) -> bool:
    return res.has("replicate_source_db")


# -- KMS keys ---------------------------------------------------------------------------

_AWS_MANAGED = re.compile(r"(^|:)alias/aws/")
_KMS_TYPES = ("AWS::KMS::Alias", "aws_kms_alias", "AWS::KMS::ReplicaKey", "aws_kms_replica_key",
              "aws_kms_external_key", "aws_kms_replica_external_key")


def cmk(graph, res, value):
    """Is `value` a customer-managed KMS key (RULES.md WAL-ENC-007)? True/False/None.

    A reference to a key (or an alias or replica of one) in the graph, or a literal key id,
    key ARN or alias that is not an AWS managed `alias/aws/*` key. An absent or empty
    value is False; a variable, parameter or data source is None.
    """
    if value is None:
        return False

    def pred(v):
        if isinstance(v, Ref):
            target = graph.deref(res, v)
            if target is None:
                return None
            if target.kind == "kms_key" or target.type in _KMS_TYPES:
                return True
            return None
        if isinstance(v, str):
            v = v.strip()
            if not v:
                return False
            return not _AWS_MANAGED.search(v)
        return None

    return decide(value, pred)


# -- AWS Backup -------------------------------------------------------------------------

_ARN_SERVICE = {"db_instance": ("rds", "db"), "db_cluster": ("rds", "cluster"),
                "docdb_cluster": ("rds", "cluster"),
                "ddb_table": ("dynamodb", "table"), "efs": ("elasticfilesystem", "file-system"),
                "volume": ("ec2", "volume"), "bucket": ("s3", "")}


def _selection_parts(sel):
    """(plan value, resources, tag conditions [(key, value)], not_resources) of a selection."""
    if sel.format == "cloudformation":
        body = sel.get("backup_selection") or {}
        if not isinstance(body, dict):
            return sel.get("backup_plan_id"), Unknown("the selection is not readable"), [], []
        tags = []
        for t in as_list(body.get("list_of_tags")):
            if isinstance(t, dict):
                tags.append((t.get("condition_key"), t.get("condition_value"),
                             t.get("condition_type", "STRINGEQUALS")))
            else:
                tags.append((Unknown("tag condition"), None, None))
        return (sel.get("backup_plan_id"), body.get("resources"), tags,
                body.get("not_resources"))
    tags = []
    for t in as_list(sel.get("selection_tag")):
        if isinstance(t, dict):
            tags.append((t.get("key"), t.get("value"), t.get("type", "STRINGEQUALS")))
        else:
            tags.append((Unknown("tag condition"), None, None))
    return sel.get("plan_id"), sel.get("resources"), tags, sel.get("not_resources")


def _arn_covers(pattern: str, res):
    """Does an ARN pattern in a selection cover the resource? True/False/None."""
    if pattern == "*":
        return True
    service = _ARN_SERVICE.get(res.kind)
    parts = pattern.split(":", 5)
    if service is None or len(parts) < 6 or parts[0] != "arn":
        return None
    if not fnmatch.fnmatchcase(service[0], parts[2]):
        return False
    tail = parts[5]
    if service[1]:
        rtype, _, name = tail.partition(":") if ":" in tail else tail.partition("/")
        if not fnmatch.fnmatchcase(service[1], rtype):
            return False
        return True if name == "*" else None
    return True if tail == "*" else None


def _tag_covers(res, key, value, ctype):
    tags = res.tags()
    raw = res.get("tags")
    if isinstance(raw, (Unknown, OneOf)):
        return None
    if not isinstance(key, str) or not isinstance(value, str):
        return None
    if lower(ctype) not in ("stringequals", "string_equals"):
        return None
    if key not in tags:
        return False
    have = tags[key]
    if not isinstance(have, str):
        return None
    return have == value


def selection_covers(graph, sel, res):
    """Does an AWS Backup selection cover the resource? True/False/None."""
    _, resources, tags, _ = _selection_parts(sel)
    verdicts = []
    if isinstance(resources, (Unknown, OneOf)):
        verdicts.append(None)
    else:
        for item in as_list(resources):
            if isinstance(item, Ref):
                target = graph.deref(sel, item)
                verdicts.append(True if target is res else (None if target is None else False))
            elif isinstance(item, str):
                verdicts.append(_arn_covers(item, res))
            else:
                # an ARN built from the resource's own name or id (`!Sub ...:db:${Database}`)
                # designates that resource; one built from other resources does not
                refs = getattr(item, "refs", ())
                if not refs:
                    verdicts.append(None)
                else:
                    verdicts.append(any(res.address == a for a in refs))
    for key, value, ctype in tags:
        verdicts.append(_tag_covers(res, key, value, ctype))
    if True in verdicts:
        return True
    if None in verdicts:
        return None
    return False


def plan_of(graph, sel):
    plan_value, _, _, _ = _selection_parts(sel)
    target = graph.deref(sel, plan_value)
    return target if target is not None and target.kind == "backup_plan" else None


def plan_rules(plan):
    """[(rule dict, retention days or None for "never deleted" or an Unknown, copy targets)]."""
    out = []
    if plan.format == "cloudformation":
        body = plan.get("backup_plan") or {}
        rules = body.get("backup_plan_rule") if isinstance(body, dict) else None
        for r in as_list(rules):
            if not isinstance(r, dict):
                continue
            life = r.get("lifecycle")
            days = life.get("delete_after_days") if isinstance(life, dict) else None
            copies = [c.get("destination_backup_vault_arn") for c in as_list(r.get("copy_actions"))
                      if isinstance(c, dict)]
            out.append((r, days, copies))
    else:
        for r in as_list(plan.get("rule")):
            if not isinstance(r, dict):
                continue
            life = r.get("lifecycle")
            if isinstance(life, list):
                life = life[0] if len(life) == 1 and isinstance(life[0], dict) else None
            days = life.get("delete_after") if isinstance(life, dict) else None
            copies = [c.get("destination_vault_arn") for c in as_list(r.get("copy_action"))
                      if isinstance(c, dict)]
            out.append((r, days, copies))
    return out


def backup_coverage(graph, res):
    """[(selection, plan, covers True/None)] of the AWS Backup selections that may cover res."""
    out = []
    for sel in graph.resources("backup_selection"):
        if sel.scope != res.scope:
            continue
        covers = selection_covers(graph, sel, res)
        if covers is False:
            continue
        out.append((sel, plan_of(graph, sel), covers))
    return out


def days_at_least(days, threshold):
    """Plan-rule retention vs a threshold: None (never deleted) passes. True/False/None."""
    if days is None:
        return True
    return decide(days, lambda d: (as_int(d) >= threshold) if as_int(d) is not None else None)


def region_of_arn(value):
    """The region of an ARN string, '' for a global ARN, None when unknown."""
    if not isinstance(value, str):
        return None
    parts = value.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[3]


# -- parameter groups -------------------------------------------------------------------


def group_params(group):
    """{parameter name: value} of a parameter group, or an Unknown."""
    if group.format == "cloudformation":
        params = group.get("parameters")
        if isinstance(params, (Unknown, OneOf)):
            return Unknown("the parameters are not readable")
        return dict(params) if isinstance(params, dict) else {}
    out = {}
    raw = group.get("parameter")
    if isinstance(raw, (Unknown, OneOf)):
        return Unknown("the parameters are not readable")
    for p in as_list(raw):
        if isinstance(p, dict) and isinstance(p.get("name"), str):
            out[p["name"]] = p.get("value")
    return out


def param_position(group, name):
    if group.format == "cloudformation":
        return ("parameters", name)
    for i, p in enumerate(as_list(group.get("parameter"))):
        if isinstance(p, dict) and p.get("name") == name:
            return ("parameter", i, "value")
    return None


# -- nested settings under a conditional ----------------------------------------------------


def dig(res, path, default=None):
    """`res.get(path, default)` that also steps through a conditional block: when a block
    on the way is a `OneOf` (CloudFormation `Fn::If`, possibly with an `AWS::NoValue`
    branch), the answer is the `OneOf` of the setting in each branch (`default` where
    the branch leaves it out), so that rules decide over every branch."""
    parts = path.split(".")
    return _dig(res.get(parts[0], default), parts[1:], default)


def _dig(value, parts, default):
    if not parts:
        return default if value is None else value
    if isinstance(value, OneOf):
        return OneOf(tuple(_dig(o, parts, default) for o in value.options))
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]
    if isinstance(value, dict) and parts[0] in value:
        return _dig(value[parts[0]], parts[1:], default)
    return default


# -- the instances of a cluster ----------------------------------------------------------


def counted_members(members, doubtful):
    """(instances that surely exist, None), or (None, why their number is unknown): a
    count or for_each walint cannot evaluate, or optional instances (a CloudFormation
    `Condition`, a `count` of unknown truth) or an unfollowable cluster reference that
    decide whether there are two. Shared by the Aurora and DocumentDB multi-AZ rules."""
    if any(m.instances_unknown for m in members):
        return None, "the number of cluster instances is unknown (count or for_each cannot be evaluated)"
    sure = [m for m in members if not m.optional]
    if len(sure) < 2 and (len(members) >= 2 or doubtful):
        return None, "some instances of the cluster may or may not exist"
    return sure, None

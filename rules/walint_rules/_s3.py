"""S3 helpers: one bucket with all its settings, bucket policies, critical buckets.

Terraform splits a bucket into satellite resources (kind `bucket_facet`) that name the
bucket through `bucket`; CloudFormation keeps everything on `AWS::S3::Bucket` except the
`AWS::S3::BucketPolicy`. `facets_of` joins them; the satellites stay resources of their
own so that findings can be anchored at the setting that is wrong.
"""
from __future__ import annotations

import fnmatch
import re

from walint.api import OneOf, Ref, Unknown, as_bool, decide, options

from walint_rules._data import as_list, is_true, known_str
from walint_rules._policy import load as load_document  # noqa: F401  (one reader of policy documents)


def bucket_name(bucket):
    """The bucket's literal name, or None."""
    return known_str(bucket.get("bucket_name" if bucket.format == "cloudformation" else "bucket"))


def _names_bucket(graph, facet, bucket):
    """Does the facet's `bucket` argument name this bucket? True/False/None."""
    value = facet.get("bucket")
    if value is None:
        return False
    verdicts = []
    for v in options(value):
        if isinstance(v, Ref):
            target = graph.deref(facet, v)
            verdicts.append(None if target is None else target is bucket)
        elif isinstance(v, str):
            name = bucket_name(bucket)
            verdicts.append(None if name is None else (v == name or v.endswith(":::" + name)))
        elif isinstance(v, Unknown):
            verdicts.append(None if (not v.refs or bucket.address in v.refs) else False)
        else:
            verdicts.append(None)
    if True in verdicts and len(set(verdicts)) == 1:
        return True
    if all(x is False for x in verdicts):
        return False
    return None


def facets_of(graph, bucket, *types):
    """(facets of these types that belong to the bucket, facets that may belong to it).

    A facet belongs through a reference, or a literal name equal to the bucket's; it may
    belong when its `bucket` is a value walint cannot resolve (a variable, a data source).
    """
    found, maybe = [], []
    for facet in graph.referrers(bucket, kind="bucket_facet"):
        if facet.type in types and facet not in found and _names_bucket(graph, facet, bucket):
            found.append(facet)
    for facet in graph.resources("bucket_facet"):
        if facet.scope != bucket.scope or facet.type not in types or facet in found:
            continue
        verdict = _names_bucket(graph, facet, bucket)
        if verdict is True:
            found.append(facet)
        elif verdict is None:
            maybe.append(facet)
    return found, maybe


# -- critical buckets (RULES.md WAL-BAK-003) ------------------------------------------------

CRITICAL = re.compile(r"(?i)(backup|log|audit|trail|data)")
_LOG_SOURCES = ("trail", "flow_log", "lb")
# AWS Config delivers configuration history and snapshots (an audit log) to a bucket
_AUDIT_WRITERS = ("AWS::Config::DeliveryChannel", "aws_config_delivery_channel")


def is_critical(graph, bucket):
    """Backup, log, audit or data bucket: by name, tags, or as a log destination. True/False/None."""
    texts = [bucket.address.rsplit(".", 1)[-1]]
    name = bucket.get("bucket_name" if bucket.format == "cloudformation" else "bucket")
    if bucket.format == "terraform" and bucket.has("bucket_prefix"):
        name = bucket.get("bucket_prefix")
    for k, v in bucket.tags().items():
        texts.extend([k, v] if isinstance(v, str) else [k])
    if any(isinstance(t, str) and CRITICAL.search(t) for t in texts):
        return True
    for r in graph.referrers(bucket):
        if r.kind in _LOG_SOURCES or r.type in _AUDIT_WRITERS:
            return True
        if r.type == "aws_s3_bucket_logging" and _refers_via(graph, r, bucket, "target_bucket"):
            return True
        if r.kind == "bucket" and _refers_via(graph, r, bucket,
                                             "logging_configuration.destination_bucket_name"):
            return True
    if name is None:
        return False
    return decide(name, lambda n: bool(CRITICAL.search(n)) if isinstance(n, str) else None)


def _refers_via(graph, res, bucket, path):
    value = res.get(path)
    return any(graph.deref(res, v) is bucket for v in options(value) if isinstance(v, Ref))


# -- bucket policies ------------------------------------------------------------------------


def policy_sources(graph, bucket):
    """[(resource, attribute, value)] of every policy attached to the bucket, and the facets
    that may be attached to it (their bucket is unknown)."""
    out = []
    if bucket.format == "terraform" and bucket.has("policy"):
        out.append((bucket, "policy", bucket.get("policy")))
    found, maybe = facets_of(graph, bucket, "aws_s3_bucket_policy", "AWS::S3::BucketPolicy")
    for f in found:
        attr = "policy_document" if f.format == "cloudformation" else "policy"
        out.append((f, attr, f.get(attr)))
    return out, maybe


def _field(d, name):
    if name in d:
        return d[name]
    for k, v in d.items():
        if isinstance(k, str) and k.lower() == name.lower():
            return v
    return None


def statements(doc):
    """[(index, statement dict or Unknown)]."""
    st = _field(doc, "Statement")
    if isinstance(st, dict):
        return [(0, st)]
    if isinstance(st, (Unknown, OneOf)):
        return [(0, Unknown("the statements are not readable"))]
    return [(i, s) for i, s in enumerate(as_list(st))]


def and3(*verdicts):
    if any(v is False for v in verdicts):
        return False
    if any(v is None for v in verdicts):
        return None
    return True


def or3(verdicts):
    verdicts = list(verdicts)
    if any(v is True for v in verdicts):
        return True
    if any(v is None for v in verdicts):
        return None
    return False


def effect_is(st, effect):
    return decide(_field(st, "Effect"), lambda e: e == effect if isinstance(e, str) else None)


def principal_is_everyone(st):
    """Principal `*` or {"AWS": "*"}: True/False/None. NotPrincipal counts as everyone."""
    if _field(st, "NotPrincipal") is not None:
        return True
    p = _field(st, "Principal")
    if p is None:
        return False

    def star(v):
        if isinstance(v, str):
            return v == "*"
        if isinstance(v, (list, tuple)):
            vals = [star(x) for x in v]
            return or3(vals)
        if isinstance(v, dict):
            aws = _field(v, "AWS")
            return star(aws) if aws is not None else False
        if isinstance(v, (Unknown, OneOf)):
            return None
        return False

    return decide(p, star) if not isinstance(p, (list, tuple)) else star(p)


def _strings(value):
    """(known strings, has_unknown) of a policy element."""
    out, unknown = [], False
    for v in as_list(value):
        for c in options(v):
            if isinstance(c, str):
                out.append(c)
            else:
                unknown = True
    if isinstance(value, (Unknown, OneOf)):
        unknown = True
    return out, unknown


def actions_cover(st, wanted):
    """Do the statement's actions cover every action in `wanted`? True/False/None."""
    actions, unknown = _strings(_field(st, "Action"))
    if _field(st, "NotAction") is not None:
        return None
    covered = all(any(fnmatch.fnmatchcase(w.lower(), a.lower()) for a in actions) for w in wanted)
    if covered:
        return True
    return None if unknown else False


def _condition_items(st):
    """[(operator, key, value)] of the statement's conditions, or None when unreadable."""
    cond = _field(st, "Condition")
    if cond is None:
        return []
    if not isinstance(cond, dict):
        return None
    out = []
    for op, body in cond.items():
        if not isinstance(body, dict):
            return None
        for key, value in body.items():
            out.append((op, key, value))
    return out


def _values(value):
    out = []
    for v in as_list(value):
        out.extend(options(v))
    return out


def denies_plain_http(st):
    """The condition is aws:SecureTransport false, or s3:TlsVersion below 1.2: True/False/None."""
    items = _condition_items(st)
    if items is None:
        return None
    verdicts = []
    for op, key, value in items:
        if not isinstance(key, str) or not isinstance(op, str):
            verdicts.append(None)
            continue
        k, o = key.lower(), op.lower()
        vals = _values(value)
        if k == "aws:securetransport" and o in ("bool", "boolifexists"):
            if any(isinstance(v, (Unknown, OneOf)) for v in vals):
                verdicts.append(None)
            else:
                verdicts.append(any(as_bool(v) is False for v in vals))
        elif k == "s3:tlsversion" and o in ("numericlessthan", "numericlessthanifexists"):
            nums = []
            for v in vals:
                try:
                    nums.append(float(v))
                except (TypeError, ValueError):
                    nums.append(None)
            if None in nums:
                verdicts.append(None)
            else:
                verdicts.append(any(n >= 1.2 for n in nums))
        else:
            verdicts.append(False)
    return or3(verdicts)


def resource_coverage(st, bucket):
    """Does the statement's Resource cover both the bucket and all its objects? True/False/None."""
    res, unknown = _strings(_field(st, "Resource"))
    bucket_level, objects = False, False
    for v in as_list(_field(st, "Resource")):
        for c in options(v):
            if isinstance(c, Ref) and c.attr.lower() == "arn":
                bucket_level = True
            # "${aws_s3_bucket.b.arn}/*" / !Sub "${Bucket.Arn}/*": known only after deploy,
            # but its shape says which part of the bucket it names.
            m = re.match(r"^\$\{(.+)\.arn\}(/\*)?$", getattr(c, "partial", None) or "", re.I)
            if isinstance(c, Unknown) and m and m.group(1) == bucket.address:
                if m.group(2):
                    objects = True
                else:
                    bucket_level = True
    for r in res:
        if r == "*":
            bucket_level = objects = True
            continue
        m = re.match(r"^arn:[^:]*:s3:::([^/]+)(/(.*))?$", r)
        if not m:
            continue
        if m.group(2) is None:
            bucket_level = True
        elif m.group(3) == "*":
            objects = True
    if bucket_level and objects:
        return True
    return None if unknown else False


RESTRICTING_KEYS = {"aws:sourcevpce", "aws:sourcevpc", "aws:principalorgid", "aws:sourceaccount",
                    "aws:sourcearn", "aws:principalaccount", "aws:principalorgpaths",
                    "aws:sourceorgid", "aws:sourceorgpaths", "aws:principalarn",
                    "aws:sourceowner"}
_OPEN_CIDRS = {"0.0.0.0/0", "::/0"}


def restricted_by_condition(st):
    """A condition limits who the statement applies to: True/False/None."""
    items = _condition_items(st)
    if items is None:
        return None
    verdicts = []
    for op, key, value in items:
        if not isinstance(key, str):
            verdicts.append(None)
            continue
        k = key.lower().replace("_", "")    # a CloudFormation property walint snake-cased
        if k in RESTRICTING_KEYS:
            verdicts.append(True)
        elif k == "aws:sourceip":
            vals = _values(value)
            if any(not isinstance(v, str) for v in vals):
                verdicts.append(None)
            else:
                verdicts.append(bool(vals) and not any(v in _OPEN_CIDRS for v in vals))
        else:
            verdicts.append(False)
    return or3(verdicts)


# -- Block Public Access ------------------------------------------------------------------------

BPA_FLAGS = ("block_public_acls", "ignore_public_acls", "block_public_policy",
             "restrict_public_buckets")


def account_bpa(graph, bucket):
    """{flag: True/False/None} from aws_s3_account_public_access_block in the same scope."""
    accounts = [a for a in graph.resources("account_public_access_block") if a.scope == bucket.scope]
    if not accounts:
        return {}
    return {flag: or3(is_true(a.get(flag), False) for a in accounts) for flag in BPA_FLAGS}


def bucket_bpa(graph, bucket):
    """The effective Block Public Access flags of the bucket.

    Returns {flag: (verdict True/False/None, resource, path)} where the resource and path
    anchor the setting, and a list of facets that may hold the settings (unknown bucket).
    """
    out = {}
    acct = account_bpa(graph, bucket)
    if bucket.format == "cloudformation":
        cfg = bucket.get("public_access_block_configuration")
        for flag in BPA_FLAGS:
            if cfg is None:
                out[flag] = (True, bucket, None)          # the April 2023 default: all on
            elif not isinstance(cfg, dict):
                out[flag] = (None, bucket, "public_access_block_configuration")
            else:
                path = ("public_access_block_configuration", flag)
                out[flag] = (is_true(cfg.get(flag), False), bucket,
                             path if flag in cfg else ("public_access_block_configuration",))
        maybe = []
    else:
        found, maybe = facets_of(graph, bucket, "aws_s3_bucket_public_access_block")
        for flag in BPA_FLAGS:
            if not found:
                out[flag] = (True if not maybe else None, bucket, None)
                continue
            verdicts = [(is_true(f.get(flag), False), f) for f in found]
            v, f = verdicts[-1]
            out[flag] = (v, f, flag if f.has(flag) else None)
    for flag, v in acct.items():
        if v is True:
            out[flag] = (True, out[flag][1], out[flag][2])
        elif v is None and out[flag][0] is False:
            out[flag] = (None, out[flag][1], out[flag][2])
    return out, maybe


# -- versioning, object lock, lifecycle -----------------------------------------------------


def versioning(graph, bucket):
    """(verdict True/False/None, resource, path, status text) of the bucket's versioning.

    A bucket created with Object Lock has versioning Enabled, and it cannot be suspended
    (S3 turns it on with the lock), whatever the versioning settings say."""
    locked = lock_enabled(bucket)
    if locked is True:
        return True, bucket, lock_path(bucket), "Enabled by Object Lock"
    verdict, res, path, status = _versioning_settings(graph, bucket)
    if verdict is False and locked is None:
        return None, bucket, lock_path(bucket), "Enabled if Object Lock is, which walint cannot decide"
    return verdict, res, path, status


def lock_enabled(bucket):
    """True/False/None: the bucket is created with Object Lock (CloudFormation
    `ObjectLockEnabled`, Terraform `object_lock_enabled` or the legacy
    `object_lock_configuration { object_lock_enabled = "Enabled" }`)."""
    if bucket.format == "cloudformation":
        return is_true(bucket.get("object_lock_enabled"), False)
    enabled = is_true(bucket.get("object_lock_enabled"), None)
    if enabled is None and not bucket.has("object_lock_enabled"):
        inline = bucket.get("object_lock_configuration.object_lock_enabled")
        enabled = decide(inline, lambda s: s == "Enabled" if isinstance(s, str) else None) \
            if inline is not None else False
    return enabled


def lock_path(bucket):
    """The attribute that enables Object Lock on the bucket, when written."""
    if bucket.has("object_lock_enabled"):
        return "object_lock_enabled"
    if bucket.has("object_lock_configuration.object_lock_enabled"):
        return "object_lock_configuration.object_lock_enabled"
    return None


def _versioning_settings(graph, bucket):
    """versioning() from the versioning settings alone."""
    if bucket.format == "cloudformation":
        if not bucket.has("versioning_configuration"):
            return False, bucket, None, "not configured"
        status = bucket.get("versioning_configuration.status")
        verdict = decide(status, lambda s: s == "Enabled" if isinstance(s, str) else None)
        return verdict, bucket, "versioning_configuration.status", known_str(status) or "unknown"
    found, maybe = facets_of(graph, bucket, "aws_s3_bucket_versioning")
    for f in found:
        status = f.get("versioning_configuration.status")
        verdict = decide(status, lambda s: s == "Enabled" if isinstance(s, str) else None)
        return verdict, f, "versioning_configuration.status", known_str(status) or "unknown"
    if bucket.has("versioning"):
        enabled = is_true(bucket.get("versioning.enabled"), False)
        return enabled, bucket, "versioning.enabled", {True: "Enabled", False: "disabled"}.get(enabled, "unknown")
    if maybe:
        return None, bucket, None, "set by a resource whose bucket walint cannot resolve"
    return False, bucket, None, "not configured"


def object_lock(graph, bucket):
    """(verdict, resource, path, what is missing): object lock on with a default retention."""
    enabled = lock_enabled(bucket)
    if bucket.format == "cloudformation":
        if enabled is not True:
            return enabled, bucket, "object_lock_enabled" if bucket.has("object_lock_enabled") else None, \
                "object lock is not enabled"
        has = bucket.has("object_lock_configuration.rule.default_retention")
        return (True if has else False), bucket, "object_lock_configuration", \
            "object lock has no default retention"
    if enabled is not True:
        return enabled, bucket, "object_lock_enabled" if bucket.has("object_lock_enabled") else None, \
            "object lock is not enabled"
    if bucket.has("object_lock_configuration.rule.default_retention"):
        return True, bucket, None, ""
    found, maybe = facets_of(graph, bucket, "aws_s3_bucket_object_lock_configuration")
    if any(f.has("rule.default_retention") for f in found):
        return True, bucket, None, ""
    if maybe:
        return None, bucket, None, "the object lock configuration's bucket is unknown"
    return False, (found[0] if found else bucket), None, "object lock has no default retention"


def lifecycle(graph, bucket):
    """(has an enabled rule or tiering: True/False/None, has noncurrent expiration, anchor)."""
    enabled_rules, verdicts, anchor = [], [], (bucket, None)
    if bucket.format == "cloudformation":
        for i, r in enumerate(as_list(bucket.get("lifecycle_configuration.rules"))):
            if isinstance(r, (Unknown, OneOf)):      # an Fn::If on a condition walint cannot decide
                verdicts.append(None)
            if isinstance(r, dict):
                v = decide(r.get("status"), lambda s: s == "Enabled" if isinstance(s, str) else None)
                verdicts.append(v)
                anchor = (bucket, ("lifecycle_configuration", "rules", i, "status"))
                if v is True:
                    enabled_rules.append(r)
        for t in as_list(bucket.get("intelligent_tiering_configurations")):
            if isinstance(t, (Unknown, OneOf)):
                verdicts.append(None)
            if isinstance(t, dict):
                verdicts.append(decide(t.get("status"), lambda s: s == "Enabled" if isinstance(s, str) else None))
        noncurrent = any(r.get("noncurrent_version_expiration") is not None
                         or r.get("noncurrent_version_expiration_in_days") is not None
                         for r in enabled_rules)
        return or3(verdicts), noncurrent, anchor
    found, maybe = facets_of(graph, bucket, "aws_s3_bucket_lifecycle_configuration")
    for f in found:
        for i, r in enumerate(as_list(f.get("rule"))):
            if isinstance(r, dict):
                v = decide(r.get("status"), lambda s: s == "Enabled" if isinstance(s, str) else None)
                verdicts.append(v)
                anchor = (f, ("rule", i, "status"))
                if v is True:
                    enabled_rules.append(r)
        if isinstance(f.get("rule"), (Unknown, OneOf)):
            verdicts.append(None)
    for i, r in enumerate(as_list(bucket.get("lifecycle_rule"))):
        if isinstance(r, dict):
            v = is_true(r.get("enabled"), None)
            verdicts.append(v)
            anchor = (bucket, ("lifecycle_rule", i, "enabled"))
            if v is True:
                enabled_rules.append(r)
    tiers, maybe_t = facets_of(graph, bucket, "aws_s3_bucket_intelligent_tiering_configuration")
    for t in tiers:
        verdicts.append(decide(t.get("status", "Enabled"),
                               lambda s: s == "Enabled" if isinstance(s, str) else None))
    if maybe or maybe_t:
        verdicts.append(None)
    noncurrent = any(r.get("noncurrent_version_expiration") is not None for r in enabled_rules)
    return or3(verdicts), noncurrent, anchor

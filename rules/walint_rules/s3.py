"""S3: public access, versioning and object lock, lifecycle (RULES.md §2.7, §2.8, §2.12)."""
from walint.api import Unknown, decide, rule, severity

from walint_rules._data import as_list, profile
from walint_rules._s3 import (BPA_FLAGS, and3, bucket_bpa, effect_is, facets_of, is_critical,
                              lifecycle, load_document, object_lock, or3, policy_sources,
                              principal_is_everyone, restricted_by_condition, statements,
                              versioning)

PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
CFN_PUBLIC_ACLS = {"PublicRead": "public-read", "PublicReadWrite": "public-read-write",
                   "AuthenticatedRead": "authenticated-read"}
PUBLIC_GRANTEES = ("http://acs.amazonaws.com/groups/global/AllUsers",
                   "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
WEBSITE_TAG = "walint:public-website"


def _is_website(bucket) -> bool:
    value = bucket.tags().get(WEBSITE_TAG)
    return isinstance(value, str) and value.strip().lower() == "true"


def _acl_sources(graph, bucket):
    """[(resource, path, verdict public True/False/None)] for canned ACLs and grants."""
    out = []

    def canned(res, path, value, cfn=False):
        def pred(v):
            if not isinstance(v, str):
                return None
            return (CFN_PUBLIC_ACLS.get(v, v) if cfn else v) in PUBLIC_ACLS
        out.append((res, path, decide(value, pred)))

    if bucket.format == "cloudformation":
        if bucket.has("access_control"):
            canned(bucket, "access_control", bucket.get("access_control"), cfn=True)
        return out, []
    if bucket.has("acl"):
        canned(bucket, "acl", bucket.get("acl"))
    for i, g in enumerate(as_list(bucket.get("grant"))):
        if isinstance(g, dict):
            out.append((bucket, ("grant", i), decide(g.get("uri"), lambda u: u in PUBLIC_GRANTEES
                                                     if isinstance(u, str) else None)
                        if g.get("uri") is not None else False))
    found, maybe = facets_of(graph, bucket, "aws_s3_bucket_acl")
    for f in found:
        if f.has("acl"):
            canned(f, "acl", f.get("acl"))
        policy = f.get("access_control_policy")
        for i, g in enumerate(as_list(policy[0].get("grant") if isinstance(policy, list) and policy
                                      and isinstance(policy[0], dict) else None)):
            grantee = g.get("grantee") if isinstance(g, dict) else None
            grantee = grantee[0] if isinstance(grantee, list) and grantee else grantee
            uri = grantee.get("uri") if isinstance(grantee, dict) else None
            if uri is not None:
                out.append((f, ("access_control_policy", 0, "grant", i),
                            decide(uri, lambda u: u in PUBLIC_GRANTEES if isinstance(u, str) else None)))
    return out, maybe


@rule(id="WAL-PUB-001", security_severity=8.9, name="s3-not-public", title="S3 buckets are not public (BPA, policy, ACL)",
      pillar="security", category="public-access", best_practice=("SEC03-BP07",),
      severity=severity(development="error"),
      checkov=("CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6",
               "CKV_AWS_20", "CKV_AWS_57", "CKV_AWS_70"))
def s3_not_public(graph):
    """An S3 bucket keeps all four Block Public Access settings on, has no public canned
    ACL or grant, and no bucket policy that allows everyone (`Principal: "*"`) without a
    condition that limits who can use it.

    ## Why
    A public bucket is the most common way data leaks from AWS. Block Public Access
    (BPA) is the guard rail that stops a mistaken ACL or policy from exposing it.
    SEC03-BP07 (analyze public and cross-account access). A bucket tagged
    `walint:public-website=true` is an intended public endpoint: its policy may allow
    everyone, so its policy settings (`BlockPublicPolicy`, `RestrictPublicBuckets`) and
    the policy check are not applied; its ACL settings still are.

    ## Default
    Since April 2023 new buckets have all four BPA settings on and ACLs disabled
    (BucketOwnerEnforced). In CloudFormation an absent `PublicAccessBlockConfiguration`
    therefore passes; a configuration that leaves a flag out sets that flag to false. In
    Terraform a bucket with no `aws_s3_bucket_public_access_block` passes, but a declared
    one whose arguments are left out sets them to **false** (the split-resource pitfall).
    `aws_s3_account_public_access_block` flags that are true apply to every bucket.

    ## Example
    ```yaml
    Resources:
      Assets:
        Type: AWS::S3::Bucket
        Properties:
          PublicAccessBlockConfiguration:
            BlockPublicAcls: true
            IgnorePublicAcls: true
            BlockPublicPolicy: false
            RestrictPublicBuckets: false
    ```
    ```hcl
    resource "aws_s3_bucket" "assets" {
      bucket = "example-assets"
    }

    resource "aws_s3_bucket_public_access_block" "assets" {
      bucket            = aws_s3_bucket.assets.id
      block_public_acls = true
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Assets:
        Type: AWS::S3::Bucket
        Properties:
          PublicAccessBlockConfiguration:
            BlockPublicAcls: true
            IgnorePublicAcls: true
            BlockPublicPolicy: true
            RestrictPublicBuckets: true
    ```
    ```hcl
    resource "aws_s3_bucket" "assets" {
      bucket = "example-assets"
    }

    resource "aws_s3_bucket_public_access_block" "assets" {
      bucket                  = aws_s3_bucket.assets.id
      block_public_acls       = true
      ignore_public_acls      = true
      block_public_policy     = true
      restrict_public_buckets = true
    }
    ```
    """
    for b in graph.resources("bucket"):
        website = _is_website(b)
        bpa, maybe = bucket_bpa(graph, b)
        # (a) Block Public Access
        checked = BPA_FLAGS if not website else ("block_public_acls", "ignore_public_acls")
        off = [f for f in checked if bpa[f][0] is False]
        undecided = [f for f in checked if bpa[f][0] is None]
        if off:
            explicit = [f for f in off if bpa[f][2] is not None and bpa[f][1].has(bpa[f][2])]
            first = explicit[0] if explicit else off[0]
            res, path = bpa[first][1], bpa[first][2]
            if path is not None and not res.has(path):
                path = None
            yield res.finding(path, f"bucket {b.address} has Block Public Access off: "
                              f"{', '.join(off)} " + ("is" if len(off) == 1 else "are") +
                              " false (an omitted flag is false when the block is declared)",
                              key="block-public-access")
        elif undecided:
            yield b.unknown(None, "the Block Public Access settings depend on values walint cannot "
                            "resolve", key="block-public-access")
        # (b) public ACLs
        ignore = bpa["ignore_public_acls"][0]
        acls, maybe_acl = _acl_sources(graph, b)
        for res, path, public in acls:
            if public is False or ignore is True:
                continue
            if public is None or ignore is None:
                yield res.unknown(path, "the ACL or IgnorePublicAcls depends on a value walint "
                                  "cannot resolve", key="acl")
                continue
            yield res.finding(path, f"bucket {b.address} grants public access through its ACL "
                              "and IgnorePublicAcls is off", key="acl")
        # (c) public policies
        if website:
            continue
        guarded = or3([bpa["block_public_policy"][0], bpa["restrict_public_buckets"][0]])
        if guarded is True:
            continue
        sources, maybe_pol = policy_sources(graph, b)
        for res, attr, value in sources:
            doc = load_document(value)
            if isinstance(doc, Unknown):
                yield res.unknown(attr, f"the bucket policy cannot be read: {doc.reason}", key="policy")
                continue
            for i, st in statements(doc):
                if not isinstance(st, dict):
                    yield res.unknown(attr, "a policy statement cannot be read", key=f"policy#{i}")
                    continue
                restricted = restricted_by_condition(st)
                public = and3(effect_is(st, "Allow"), principal_is_everyone(st),
                              None if restricted is None else not restricted)
                if public is False:
                    continue
                path = (attr, "Statement", i) if isinstance(value, dict) and isinstance(
                    value.get("Statement"), list) else attr
                if public is None or guarded is None:
                    yield res.unknown(path, "whether the policy statement is public depends on a "
                                      "value walint cannot resolve", key=f"policy#{i}")
                    continue
                yield res.finding(path, f"bucket {b.address} has a policy statement that allows "
                                  "everyone (Principal \"*\") with no restricting condition, and "
                                  "BlockPublicPolicy/RestrictPublicBuckets are off", key=f"policy#{i}")


@rule(id="WAL-BAK-003", name="s3-versioning", title="S3 versioning (+ object lock in regulated)",
      pillar="security", category="backup-recovery", best_practice=("SEC08-BP04", "REL09-BP02"),
      severity=severity(development="off", mvp="note", production="warning", regulated="error"),
      checkov=("CKV_AWS_21", "CKV_AWS_143"))
def s3_versioning(graph):
    """An S3 bucket has versioning `Enabled`; in `regulated`, backup, log, audit and data
    buckets also have S3 Object Lock on with a default retention.

    ## Why
    Versioning keeps every overwritten or deleted object recoverable, which protects
    against mistakes and ransomware; object lock makes the versions immutable for the
    retention period. SEC08-BP04 (enforce access control: "mechanisms, including
    backups, isolation, and versioning") and REL09-BP02 (secure and encrypt backups).
    A bucket is *critical* when its name or tags match backup, log, audit, trail or data,
    or when a trail, a flow log, a load balancer, an AWS Config delivery channel or S3 server
    access logging writes to it.

    ## Default
    A new bucket is unversioned: CloudFormation without `VersioningConfiguration` and
    Terraform without an `aws_s3_bucket_versioning` resource (or the deprecated inline
    `versioning` block) leave it off. `Suspended` is not enabled. Object lock is off
    unless `ObjectLockEnabled` / `object_lock_enabled` is set when the bucket is created.

    A bucket created with Object Lock is versioned: S3 enables versioning with the lock
    and does not let it be suspended (S3 User Guide, "Locking objects with Object Lock").
    CloudFormation `ObjectLockEnabled: true`, Terraform `object_lock_enabled = true` and
    the legacy `object_lock_configuration { object_lock_enabled = "Enabled" }` count as
    versioning `Enabled`; an Object Lock flag walint cannot resolve on an otherwise
    unversioned bucket is unknown.

    ## Example
    ```yaml
    Resources:
      Reports:
        Type: AWS::S3::Bucket
        Properties:
          VersioningConfiguration:
            Status: Suspended
    ```
    ```hcl
    resource "aws_s3_bucket" "reports" {
      bucket = "example-reports"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Reports:
        Type: AWS::S3::Bucket
        Properties:
          VersioningConfiguration:
            Status: Enabled
    ```
    ```hcl
    resource "aws_s3_bucket" "reports" {
      bucket = "example-reports"
    }

    resource "aws_s3_bucket_versioning" "reports" {
      bucket = aws_s3_bucket.reports.id
      versioning_configuration {
        status = "Enabled"
      }
    }
    ```

    ## Trade-off
    Every version is stored and billed: pair versioning with a lifecycle rule that
    expires noncurrent versions (WAL-COST-001).
    """
    for b in graph.resources("bucket"):
        verdict, res, path, status = versioning(graph, b)
        if verdict is False:
            yield res.finding(path, f"bucket {b.address} is not versioned (versioning {status}): "
                              "overwritten and deleted objects cannot be recovered", key="versioning")
        elif verdict is None:
            yield res.unknown(path, f"the bucket's versioning is {status}", key="versioning")
        if profile(graph, b) != "regulated":
            continue
        critical = is_critical(graph, b)
        if critical is False:
            continue
        lock, res, path, missing = object_lock(graph, b)
        if lock is True:
            continue
        if lock is None or critical is None:
            yield res.unknown(path, "object lock or whether the bucket is critical depends on a "
                              "value walint cannot resolve", key="object-lock")
            continue
        yield res.finding(path, f"critical bucket {b.address}: {missing} (regulated profile)",
                          key="object-lock")


@rule(id="WAL-COST-001", name="s3-lifecycle",
      title="Log/backup/data buckets have lifecycle or intelligent tiering",
      pillar="cost-optimization", category="cost-lifecycle",
      best_practice=("COST04-BP05", "SUS04-BP03"),
      severity=severity(development="note", mvp="note", production="warning", regulated="warning"),
      checkov=("CKV2_AWS_61", "CKV_AWS_300"))
def s3_lifecycle(graph):
    """An S3 bucket has an enabled lifecycle rule or an S3 Intelligent-Tiering
    configuration, and a versioned bucket expires its noncurrent versions. In
    `production` and `regulated` every bucket is checked; in `development` and `mvp`
    only backup, log, audit and data buckets (as WAL-BAK-003 defines them).

    ## Severity
    The level of RULES.md (a warning in `production` and `regulated`) is given to the
    buckets the rule is about: backup, log, audit and data buckets, which grow by
    themselves (every request, trail event or backup adds objects) until someone pays for
    years of them. Any other bucket without a lifecycle is reported as a note: its
    contents are the application's (a website's assets, build artifacts, user uploads),
    an expiration rule could delete what the application still serves, and whether its
    growth needs a rule is the owner's call. A warning on every bucket of a good
    repository would teach users to ignore the rule where it matters.

    ## Why
    Logs, backups and data sets grow for ever unless something moves them to cheaper
    storage classes or deletes them. COST04-BP05 (enforce data retention policies) and
    SUS04-BP03 (use policies to manage the lifecycle of your datasets); the foundation
    calls for S3 lifecycle policies and Intelligent-Tiering.

    ## Default
    A bucket has no lifecycle configuration and no Intelligent-Tiering configuration
    unless one is declared (`LifecycleConfiguration`, `IntelligentTieringConfigurations`;
    `aws_s3_bucket_lifecycle_configuration`, `aws_s3_bucket_intelligent_tiering_configuration`).
    A rule with `Status: Disabled` does nothing. Versioned buckets keep noncurrent
    versions for ever unless a rule expires them (reported as a note).

    ## Example
    ```yaml
    Resources:
      AuditLogs:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: example-audit-logs
    ```
    ```hcl
    resource "aws_s3_bucket" "audit_logs" {
      bucket = "example-audit-logs"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      AuditLogs:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: example-audit-logs
          LifecycleConfiguration:
            Rules:
              - Id: tier-and-expire
                Status: Enabled
                Transitions:
                  - StorageClass: INTELLIGENT_TIERING
                    TransitionInDays: 30
                ExpirationInDays: 400
                AbortIncompleteMultipartUpload:
                  DaysAfterInitiation: 7
    ```
    ```hcl
    resource "aws_s3_bucket" "audit_logs" {
      bucket = "example-audit-logs"
    }

    resource "aws_s3_bucket_lifecycle_configuration" "audit_logs" {
      bucket = aws_s3_bucket.audit_logs.id
      rule {
        id     = "tier-and-expire"
        status = "Enabled"
        filter {}
        transition {
          days          = 30
          storage_class = "INTELLIGENT_TIERING"
        }
        expiration {
          days = 400
        }
      }
    }
    ```

    ## Trade-off
    Transitions cost a small per-object fee and colder classes have minimum storage
    durations and retrieval fees; Intelligent-Tiering has a monitoring fee per object but
    no retrieval fee, which suits unknown access patterns.
    """
    for b in graph.resources("bucket"):
        critical = is_critical(graph, b)
        if profile(graph, b) not in ("production", "regulated"):
            if critical is not True:
                if critical is None:
                    yield b.unknown(None, "whether the bucket is a log, backup or data bucket is "
                                    "unknown", key="lifecycle")
                continue
        has_rules, noncurrent, (res, path) = lifecycle(graph, b)
        if has_rules is False:
            yield res.finding(path, f"bucket {b.address} has no enabled lifecycle rule and no "
                              "Intelligent-Tiering configuration: storage grows without bound",
                              key="lifecycle", severity=None if critical is True else "note")
            continue
        if has_rules is None:
            yield b.unknown(None, "the bucket's lifecycle depends on a value walint cannot resolve",
                            key="lifecycle")
            continue
        versioned, _, _, _ = versioning(graph, b)
        if versioned is True and not noncurrent:
            yield res.finding(path, f"versioned bucket {b.address} never expires noncurrent "
                              "versions: add a NoncurrentVersionExpiration rule",
                              key="noncurrent", severity="note")


RULES = [s3_not_public, s3_versioning, s3_lifecycle]

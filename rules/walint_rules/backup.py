"""backup-recovery: backups, retention, deletion protection, DR copies, PITR (RULES.md §2.8)."""
from walint.api import OneOf, Ref, Unknown, as_int, decide, options, rule, severity

from walint_rules._data import (as_list, backup_coverage, days_at_least, CLUSTER_UNDECIDED, cluster_governed, engine,
                                is_read_replica, is_true, known_str, plan_rules, profile,
                                region_of_arn)
from walint_rules._s3 import facets_of, is_critical

THRESHOLD = {"development": 1, "mvp": 7, "production": 30, "regulated": 35}
_UNRESOLVED = "depends on a value walint cannot resolve"


def _retention_subjects(graph):
    """(resource, attribute, default days, words) for every resource BAK-001 covers."""
    for db in graph.resources("db_instance"):
        governed = cluster_governed(db)
        if governed or is_read_replica(db):
            continue
        yield db, "backup_retention_period" if governed is False else None, 1, "DB instance"
    for c in graph.resources("db_cluster"):
        yield c, "backup_retention_period", 1, "DB cluster"
    for c in graph.resources("docdb_cluster"):
        yield c, "backup_retention_period", 1, "DocumentDB cluster"
    for rg in graph.resources("cache_rg"):
        yield rg, "snapshot_retention_limit", 0, "replication group"
    for cc in graph.resources("cache_cluster"):
        if cc.has("replication_group_id"):
            continue
        redis = decide(engine(cc), lambda e: e in ("redis", "valkey") if isinstance(e, str) else None)
        if redis is False:
            continue
        if redis is None:
            yield cc, None, 0, "cache cluster"
            continue
        yield cc, "snapshot_retention_limit", 0, "cache cluster"


def _days_state(value, threshold):
    """'disabled', 'below', 'ok' or None (undecided) for a retention value."""
    states = set()
    for c in options(value):
        n = as_int(c)
        if n is None:
            return None
        states.add("disabled" if n <= 0 else ("below" if n < threshold else "ok"))
    return states.pop() if len(states) == 1 else None


def _aws_backup(graph, res, threshold):
    """Does an AWS Backup plan keep the resource's backups ≥ threshold days? True/None/False."""
    verdicts = []
    for sel, plan, covers in backup_coverage(graph, res):
        if plan is None:
            verdicts.append(None)
            continue
        keeps = [days_at_least(days, threshold) for _, days, _ in plan_rules(plan)]
        kept = True if True in keeps else (None if None in keeps else False)
        if kept is False:
            continue
        verdicts.append(True if (covers is True and kept is True) else None)
    if True in verdicts:
        return True
    return None if None in verdicts else False


@rule(id="WAL-BAK-001", name="automated-backup-retention",
      title="Automated backups with adequate retention (RDS, Aurora, DocumentDB, ElastiCache)",
      pillar="reliability", category="backup-recovery", best_practice=("REL09-BP03",),
      severity=severity(development="note", mvp="warning", production="error", regulated="error"),
      checkov=("CKV_AWS_133", "CKV_AWS_134", "CKV2_AWS_8", "CKV_AWS_360"))
def automated_backup_retention(graph):
    """RDS DB instances, Aurora and Multi-AZ DB clusters, DocumentDB clusters, and
    ElastiCache Redis OSS / Valkey groups and clusters keep automated backups for at least the profile's
    retention: 1 day in `development`, 7 in `mvp`, 30 in `production`, 35 in
    `regulated`. Disabled backups are an error in `production`; a retention below the
    threshold is a warning there. An AWS Backup plan that selects the resource and keeps
    its recovery points long enough also satisfies the rule.

    ## Why
    Automated backups with point-in-time recovery give an RPO of about five minutes;
    without them a bad migration or a deleted table is permanent. REL09-BP03 (perform
    data backup automatically); the foundation keeps 30 days of database backups.

    ## Default
    `BackupRetentionPeriod` / `backup_retention_period` defaults to 1 day for RDS
    instances and clusters and for DocumentDB clusters (the API default; the Terraform docs say 0 for
    `aws_db_instance`, but the argument is computed and the API applies 1). ElastiCache
    `SnapshotRetentionLimit` / `snapshot_retention_limit` defaults to 0: no automatic
    snapshots. 35 days is the RDS maximum; longer retention needs AWS Backup. Read
    replicas, Aurora member instances and Memcached are out of scope.

    An RDS DB instance of an Aurora engine (`aurora`, `aurora-mysql`, `aurora-
    postgresql`) is a cluster member even when it names no cluster: backup retention is
    the cluster's setting (AWS creates Aurora instances only in a cluster), so the
    instance is not asked for it. When the engine cannot be resolved, the result is
    unknown.

    ## Example
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          BackupRetentionPeriod: 0
    ```
    ```hcl
    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id = "sessions"
      description          = "sessions"
      node_type            = "cache.t4g.small"
      num_cache_clusters   = 2
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          BackupRetentionPeriod: 30
    ```
    ```hcl
    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id     = "sessions"
      description              = "sessions"
      node_type                = "cache.t4g.small"
      num_cache_clusters       = 2
      snapshot_retention_limit = 30
    }
    ```

    ## Trade-off
    Backup storage up to the size of the database is free for RDS; beyond that, and for
    ElastiCache snapshots, each retained day is billed.
    """
    for res, attr, default, what in _retention_subjects(graph):
        prof = profile(graph, res)
        threshold = THRESHOLD[prof]
        below_level = "warning" if prof == "production" else None
        if attr is None:
            yield res.unknown("engine", f"the engine {_UNRESOLVED}")
            continue
        value = res.get(attr, default)
        state = _days_state(value, threshold)
        if state == "ok":
            continue
        if state is None:
            yield res.unknown(attr, f"{res.native(attr)} {_UNRESOLVED}")
            continue
        covered = _aws_backup(graph, res, threshold)
        if covered is True:
            continue
        if covered is None:
            yield res.unknown(attr, "an AWS Backup selection may cover this resource")
            continue
        shown = known_str(value) if isinstance(value, str) else value
        suffix = "" if res.has(attr) else " (the default)"
        if state == "disabled":
            yield res.finding(attr, f"{what} {res.address} has automated backups disabled "
                              f"({res.setting(attr, shown)}{suffix})", key="retention")
        else:
            yield res.finding(attr, f"{what} {res.address} keeps backups for {shown} day(s){suffix}, "
                              f"below the {threshold} days the {prof} profile asks for",
                              key="retention", severity=below_level)


def _prevent_destroy(res) -> bool:
    life = res.meta.get("lifecycle") if isinstance(res.meta, dict) else None
    return isinstance(life, dict) and is_true(life.get("prevent_destroy"), False) is True


def _engine_undecided(graph, key):
    """Unknowns for DB instances of unknown engine: an Aurora engine's setting is its cluster's."""
    for db in graph.resources("db_instance"):
        if cluster_governed(db) is None and not is_read_replica(db):
            yield db.unknown("engine", CLUSTER_UNDECIDED, key=key)


def _deletion_subjects(graph):
    for db in graph.resources("db_instance"):
        if cluster_governed(db) is not False or is_read_replica(db):
            continue
        yield db, "DB instance"
    for c in graph.resources("db_cluster"):
        yield c, "DB cluster"
    for c in graph.resources("docdb_cluster"):
        yield c, "DocumentDB cluster"
    for t in graph.resources("ddb_table"):
        yield t, "DynamoDB table"


def _deletion_protection(res):
    """[(path, verdict, explicit)]."""
    if res.kind != "ddb_table":
        return [("deletion_protection", is_true(res.get("deletion_protection"), False),
                 res.has("deletion_protection"))]
    if res.type == "AWS::DynamoDB::GlobalTable":
        out = []
        for i, r in enumerate(as_list(res.get("replicas"))):
            if isinstance(r, dict):
                path = ("replicas", i, "deletion_protection_enabled")
                out.append((path if "deletion_protection_enabled" in r else ("replicas", i),
                            is_true(r.get("deletion_protection_enabled"), False),
                            "deletion_protection_enabled" in r))
        if isinstance(res.get("replicas"), (Unknown, OneOf)):
            out.append(("replicas", None, True))
        return out
    return [("deletion_protection_enabled", is_true(res.get("deletion_protection_enabled"), False),
             res.has("deletion_protection_enabled"))]


@rule(id="WAL-BAK-002", name="deletion-protection",
      title="Deletion protection and final snapshot on data stores",
      pillar="reliability", category="backup-recovery", best_practice=("REL09-BP01",),
      severity=severity(development="off", mvp="warning", production="error"),
      checkov=("CKV_AWS_293", "CKV_AWS_139"))
def deletion_protection(graph):
    """RDS DB instances, DB clusters, DocumentDB clusters and DynamoDB tables have deletion
    protection on, and RDS instances and clusters (and, in Terraform, DocumentDB
    clusters) take a final snapshot when they are deleted (Terraform
    `skip_final_snapshot` is not true; CloudFormation `DeletionPolicy` is not `Delete`).

    ## Why
    A stack deletion, a renamed resource or a mistaken `terraform destroy` deletes the
    database and, without a final snapshot, its automated backups with it. REL09-BP01
    (identify and back up all data that needs to be backed up); the foundation keeps
    deletion protection on production data stores.

    ## Default
    `DeletionProtection` / `deletion_protection` and DynamoDB
    `DeletionProtectionEnabled` / `deletion_protection_enabled` default to false.
    CloudFormation's `DeletionPolicy` defaults to `Snapshot` for `AWS::RDS::DBCluster` and
    for an `AWS::RDS::DBInstance` that is not in a cluster, so an absent policy passes.
    Terraform's `skip_final_snapshot` defaults to false; `lifecycle { prevent_destroy =
    true }` also satisfies the final-snapshot check (not the deletion-protection one).

    An RDS DB instance of an Aurora engine (`aurora`, `aurora-mysql`, `aurora-
    postgresql`) is a cluster member even when it names no cluster: deletion protection
    is the cluster's setting (AWS creates Aurora instances only in a cluster), so the
    instance is not asked for it. When the engine cannot be resolved, the result is
    unknown.
    Read replicas and Aurora member instances are out of scope. The CloudFormation
    `DeletionPolicy` of a DocumentDB cluster is not read (the `Snapshot` policy is
    documented for RDS, Neptune and Redshift clusters, not for DocumentDB).

    ## Example
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        DeletionPolicy: Delete
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      skip_final_snapshot         = true
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        DeletionPolicy: Snapshot
        UpdateReplacePolicy: Snapshot
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          DeletionProtection: true
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      deletion_protection         = true
      skip_final_snapshot         = false
      final_snapshot_identifier   = "main-final"
    }
    ```
    """
    yield from _engine_undecided(graph, "deletion-protection:deletion_protection")
    for res, what in _deletion_subjects(graph):
        for path, verdict, explicit in _deletion_protection(res):
            if verdict is False:
                yield res.finding(path if explicit else None,
                                  f"{what} {res.address} can be deleted: deletion protection is off"
                                  + ("" if explicit else " (the default)"), key=f"deletion-protection:{path}")
            elif verdict is None:
                yield res.unknown(path, f"deletion protection {_UNRESOLVED}", key=f"deletion-protection:{path}")
        if res.kind == "ddb_table" or (res.kind == "docdb_cluster" and res.format == "cloudformation"):
            continue
        if res.format == "terraform":
            skip = is_true(res.get("skip_final_snapshot"), False)
            if skip is True and not _prevent_destroy(res):
                yield res.finding("skip_final_snapshot", f"{what} {res.address} skips the final snapshot "
                                  "when it is deleted", key="final-snapshot")
            elif skip is None and not _prevent_destroy(res):
                yield res.unknown("skip_final_snapshot", f"{res.native('skip_final_snapshot')} {_UNRESOLVED}",
                                  key="final-snapshot")
        else:
            policy = res.meta.get("deletion_policy", "Snapshot")
            deletes = decide(policy, lambda p: p == "Delete" if isinstance(p, str) else None)
            if deletes is True:
                yield res.finding(None, f"{what} {res.address} has DeletionPolicy Delete: deleting the "
                                  "stack deletes the data without a final snapshot", key="final-snapshot")
            elif deletes is None:
                yield res.unknown(None, f"the DeletionPolicy {_UNRESOLVED}", key="final-snapshot")


# -- WAL-BAK-004 ----------------------------------------------------------------------------

_GLOBAL_TYPES = ("AWS::RDS::GlobalCluster", "aws_rds_global_cluster")
_BACKUP_REPLICATION = ("aws_db_instance_automated_backups_replication",)


def _region(res):
    return known_str(res.get("region")) if res.has("region") else None


def _s3_replication(graph, bucket):
    """True/None/False: the bucket replicates to a bucket in another region."""
    dests, verdicts = [], []

    def add(holder, r):
        """A rule's destinations, if the rule is on: a `Disabled` rule copies nothing."""
        on = decide(r.get("status", "Enabled"), lambda s: s != "Disabled" if isinstance(s, str) else None)
        if on is None:
            verdicts.append(None)
        elif on:
            for d in as_list(r.get("destination")):
                if isinstance(d, dict):
                    dests.append((holder, d.get("bucket")))

    if bucket.format == "cloudformation":
        for r in as_list(bucket.get("replication_configuration.rules")):
            if isinstance(r, dict):
                add(bucket, r)
        if isinstance(bucket.get("replication_configuration"), (Unknown, OneOf)):
            dests.append((bucket, Unknown("replication")))
        maybe = []
    else:
        found, maybe = facets_of(graph, bucket, "aws_s3_bucket_replication_configuration")
        for f in found:
            for r in as_list(f.get("rule")):
                if isinstance(r, dict):
                    add(f, r)
        for rc in as_list(bucket.get("replication_configuration")):
            if isinstance(rc, dict):
                for r in as_list(rc.get("rules")):
                    if isinstance(r, dict):
                        add(bucket, r)
    if maybe:
        verdicts.append(None)
    src_region = _region(bucket)
    for holder, value in dests:
        target = graph.deref(holder, value) if isinstance(value, Ref) else None
        dst_region = _region(target) if target is not None else None
        if src_region and dst_region:
            verdicts.append(src_region != dst_region)
        else:
            verdicts.append(None)   # S3 ARNs carry no region: the destination's region is unknown
    if True in verdicts:
        return True
    return None if None in verdicts else False


def _rds_dr(graph, res):
    """True/None/False from RDS-native cross-region mechanisms."""
    for r in graph.referrers(res):
        if r.type in _BACKUP_REPLICATION:
            return True
        if r.type in _GLOBAL_TYPES:
            return True
    if res.kind == "db_cluster" and res.has("global_cluster_identifier"):
        return True
    return False


def _backup_copies(graph, res):
    """True/None/False: an AWS Backup plan covering res copies its backups to another region."""
    verdicts = []
    src_region = _region(res)
    for sel, plan, covers in backup_coverage(graph, res):
        if plan is None:
            verdicts.append(None)
            continue
        for _, _, copies in plan_rules(plan):
            for dest in copies:
                region = region_of_arn(known_str(dest))
                if src_region and region and src_region == region:
                    continue          # a same-region copy is not disaster recovery
                verdicts.append(covers)
    if True in verdicts:
        return True
    return None if None in verdicts else False


@rule(id="WAL-BAK-004", name="cross-region-backup", title="Cross-region copies for DR",
      pillar="reliability", category="backup-recovery", best_practice=("REL13-BP02", "REL09-BP01"),
      severity=severity(development="off", mvp="note", production="warning", regulated="error"),
      checkov=("CKV_AWS_144",))
def cross_region_backup(graph):
    """RDS DB instances, DB clusters, and backup, log, audit and data buckets have a copy
    in a second region: S3 replication, RDS automated-backup replication, an Aurora global
    database, or an AWS Backup plan that selects the resource and copies its recovery
    points to a vault in another region.

    ## Why
    Backups in the same region share its fate: a regional outage or an account-level
    incident takes the data and its backups together. REL13-BP02 (use defined recovery
    strategies to meet the recovery objectives) and REL09-BP01; the foundation keeps
    cross-region backups. When disaster recovery is set up in another stack or account,
    suppress the finding with that reason.

    ## Default
    Nothing is copied across regions unless configured. A replication rule with
    `Status: Disabled` / `status = "Disabled"` copies nothing: a bucket whose only rules
    are disabled has no copy. S3 ARNs carry no region, so an enabled
    replication rule whose destination's region walint cannot see gives no finding; an
    AWS Backup copy action counts unless its vault is known to be in the resource's own
    region.

    An RDS DB instance of an Aurora engine (`aurora`, `aurora-mysql`, `aurora-
    postgresql`) is a cluster member even when it names no cluster: the cross-region
    copy is the cluster's setting (AWS creates Aurora instances only in a cluster), so
    the instance is not asked for it. When the engine cannot be resolved, the result is
    unknown.

    ## Example
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      identifier                  = "main"
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
      Plan:
        Type: AWS::Backup::BackupPlan
        Properties:
          BackupPlan:
            BackupPlanName: daily
            BackupPlanRule:
              - RuleName: daily
                TargetBackupVault: Default
                ScheduleExpression: cron(0 5 * * ? *)
                Lifecycle:
                  DeleteAfterDays: 35
                CopyActions:
                  - DestinationBackupVaultArn: arn:aws:backup:us-west-2:123456789012:backup-vault:dr
      Selection:
        Type: AWS::Backup::BackupSelection
        Properties:
          BackupPlanId: !Ref Plan
          BackupSelection:
            SelectionName: databases
            IamRoleArn: arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole
            Resources:
              - !Sub arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:${Database}
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      identifier                  = "main"
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
    }

    resource "aws_db_instance_automated_backups_replication" "main" {
      source_db_instance_arn = aws_db_instance.main.arn
      retention_period       = 14
    }
    ```

    ## Trade-off
    A second region doubles backup storage and adds transfer charges for every copy;
    `mvp` reports it as a note.
    """
    yield from _engine_undecided(graph, "dr")
    subjects = []
    for db in graph.resources("db_instance"):
        if cluster_governed(db) is False and not is_read_replica(db):
            subjects.append((db, "DB instance"))
    subjects += [(c, "DB cluster") for c in graph.resources("db_cluster")]
    for b in graph.resources("bucket"):
        critical = is_critical(graph, b)
        if critical is True:
            subjects.append((b, "bucket"))
        elif critical is None:
            yield b.unknown(None, "whether the bucket is a backup, log or data bucket is unknown",
                            key="dr")
    for res, what in subjects:
        native = _s3_replication(graph, res) if res.kind == "bucket" else _rds_dr(graph, res)
        verdicts = [native, _backup_copies(graph, res)]
        if True in verdicts:
            continue
        if None in verdicts:
            yield res.unknown(None, "a cross-region copy may exist but its region or coverage is "
                              "unknown", key="dr")
            continue
        yield res.finding(None, f"{what} {res.address} has no copy in another region: no "
                          + ("replication" if res.kind == "bucket" else
                             "automated-backup replication, global database")
                          + " or AWS Backup copy action; if disaster recovery is managed "
                          "elsewhere, suppress this finding with that reason", key="dr")


@rule(id="WAL-BAK-005", name="dynamodb-pitr", title="DynamoDB point-in-time recovery",
      pillar="reliability", category="backup-recovery", best_practice=("REL09-BP03",),
      severity=severity(development="note", mvp="warning", production="error"),
      checkov=("CKV_AWS_28", "CKV_AWS_165"))
def dynamodb_pitr(graph):
    """A DynamoDB table (and every replica of a global table) has point-in-time recovery
    on.

    ## Why
    Point-in-time recovery restores a table to any second of the last 35 days, the only
    way back from a bad write or delete short of a full backup. REL09-BP03 (perform data
    backup automatically).

    ## Default
    `PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled` /
    `point_in_time_recovery { enabled }` defaults to false. DynamoDB itself encrypts
    every table at rest by default; that is not a backup.

    ## Example
    ```yaml
    Resources:
      Orders:
        Type: AWS::DynamoDB::Table
        Properties:
          BillingMode: PAY_PER_REQUEST
          AttributeDefinitions:
            - AttributeName: id
              AttributeType: S
          KeySchema:
            - AttributeName: id
              KeyType: HASH
    ```
    ```hcl
    resource "aws_dynamodb_table" "orders" {
      name         = "orders"
      billing_mode = "PAY_PER_REQUEST"
      hash_key     = "id"
      attribute {
        name = "id"
        type = "S"
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Orders:
        Type: AWS::DynamoDB::Table
        Properties:
          BillingMode: PAY_PER_REQUEST
          AttributeDefinitions:
            - AttributeName: id
              AttributeType: S
          KeySchema:
            - AttributeName: id
              KeyType: HASH
          PointInTimeRecoverySpecification:
            PointInTimeRecoveryEnabled: true
    ```
    ```hcl
    resource "aws_dynamodb_table" "orders" {
      name         = "orders"
      billing_mode = "PAY_PER_REQUEST"
      hash_key     = "id"
      attribute {
        name = "id"
        type = "S"
      }
      point_in_time_recovery {
        enabled = true
      }
    }
    ```

    ## Trade-off
    Continuous backups are billed per GB-month of table size.
    """
    for t in graph.resources("ddb_table"):
        if t.type == "AWS::DynamoDB::GlobalTable":
            checks = []
            for i, r in enumerate(as_list(t.get("replicas"))):
                if isinstance(r, dict):
                    spec = r.get("point_in_time_recovery_specification")
                    value = spec.get("point_in_time_recovery_enabled") if isinstance(spec, dict) else None
                    path = ("replicas", i, "point_in_time_recovery_specification",
                            "point_in_time_recovery_enabled") if value is not None else ("replicas", i)
                    checks.append((path, is_true(value, False), value is not None, f"replica {i}"))
        elif t.format == "cloudformation":
            path = "point_in_time_recovery_specification.point_in_time_recovery_enabled"
            checks = [(path if t.has(path) else None, is_true(t.get(path), False), t.has(path), "")]
        else:
            path = "point_in_time_recovery.enabled"
            checks = [(path if t.has(path) else None, is_true(t.get(path), False), t.has(path), "")]
        for path, verdict, explicit, which in checks:
            where = f" ({which})" if which else ""
            if verdict is False:
                yield t.finding(path, f"DynamoDB table {t.address}{where} has point-in-time recovery off"
                                + ("" if explicit else " (the default)"), key=f"pitr{which}")
            elif verdict is None:
                yield t.unknown(path, f"point-in-time recovery {_UNRESOLVED}", key=f"pitr{which}")


RULES = [automated_backup_retention, deletion_protection, cross_region_backup, dynamodb_pitr]

"""encryption-at-rest: storage encrypted (RULES.md §2.4)."""
import re

from walint.api import OneOf, Ref, Unknown, as_bool, decide, rule, severity

from walint_rules._data import (CLUSTER_UNDECIDED, address_name, as_list, cluster_governed, cmk, dig,
                                engine, is_true, known_str, lower, profile)


_UNRESOLVED = "depends on a value walint cannot resolve"


def _key_named(value):
    """Does a `KmsKeyId` / `kms_key_id` value name a key? True, False (absent, null, or an
    empty string: the usual "no key" default of a module variable, which the AWS provider
    does not send), or None (a value walint cannot resolve)."""
    if value is None:
        return False
    return decide(value, lambda v: not (v is None or (isinstance(v, str) and not v.strip())))


@rule(id="WAL-ENC-001", name="rds-storage-encrypted", title="RDS DB instance storage encrypted",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP02",),
      severity=severity(development="warning", mvp="error"), checkov=("CKV_AWS_16",))
def rds_storage_encrypted(graph):
    """An RDS DB instance encrypts its storage, backups and snapshots at rest (AES-256).

    ## Why
    Unencrypted storage exposes data through snapshots, backups and discarded disks, and
    encryption cannot be switched on later without a snapshot-copy-restore migration.
    The foundation encrypts RDS at rest (SEC08-BP02, enforce encryption at rest).

    ## Default
    `StorageEncrypted` / `storage_encrypted` defaults to false. An Aurora cluster member
    inherits encryption from its cluster (WAL-ENC-002), and so does any instance of an
    Aurora engine, even one that names no cluster (AWS creates Aurora instances only in a
    cluster); when the engine cannot be resolved, the result is unknown. An instance restored from a
    snapshot inherits the snapshot's encryption, so walint cannot tell unless the
    setting is explicit. A read replica is encrypted like its source, whatever its own
    `StorageEncrypted` / `storage_encrypted` says (CloudFormation documents the property as
    inherited; the replica API takes only a key): a replica of a scanned instance is covered
    by the source's finding (one fix, one finding), a replica of an instance outside the
    scan is unknown, and a replica that names a KMS key or asks for encryption passes.

    ## Example
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine            = "postgres"
      instance_class    = "db.t3.micro"
      allocated_storage = 20
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
          StorageEncrypted: true
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine            = "postgres"
      instance_class    = "db.t3.micro"
      allocated_storage = 20
      storage_encrypted = true
    }
    ```
    """
    for db in graph.resources("db_instance"):
        governed = cluster_governed(db)
        if governed is True:
            continue            # encryption is the cluster's (WAL-ENC-002)
        if governed is None:
            yield db.unknown("engine", CLUSTER_UNDECIDED)
            continue
        key = _key_named(db.get("kms_key_id"))
        if db.has("replicate_source_db") and key is False and db.get("storage_encrypted") is not True:
            # a read replica is encrypted like its source: the source's finding says it
            source = db.get("replicate_source_db")
            if not (isinstance(source, Ref) and graph.deref(db, source) is not None):
                yield db.unknown("replicate_source_db", "a read replica is encrypted like its source, "
                                 "which is not in the scanned files")
            continue
        if not db.has("storage_encrypted") and (db.has("snapshot_identifier") or key is not False):
            if key is True:
                continue
            if key is None:
                yield db.unknown("kms_key_id", f"{db.native('kms_key_id')} {_UNRESOLVED}")
                continue
            yield db.unknown("snapshot_identifier", "restored from a snapshot: encryption is the snapshot's")
            continue
        verdict = decide(db.get("storage_encrypted", False), as_bool)
        if verdict is False:
            yield db.finding("storage_encrypted",
                             f"DB instance {db.address} stores data unencrypted "
                             f"({db.setting('storage_encrypted', False)}"
                             f"{'' if db.has('storage_encrypted') else ', the default'})")
        elif verdict is None:
            yield db.unknown("storage_encrypted", f"{db.native('storage_encrypted')} depends on a value walint cannot resolve")



# --------------------------------------------------------------------------------------
# WAL-ENC-002 .. WAL-ENC-007 (RULES.md §2.4)
# --------------------------------------------------------------------------------------


@rule(id="WAL-ENC-002", name="rds-cluster-storage-encrypted",
      title="RDS/Aurora DB cluster storage encrypted",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP02",),
      severity=severity(development="warning", mvp="error"), checkov=("CKV_AWS_96",))
def rds_cluster_storage_encrypted(graph):
    """An Aurora or Multi-AZ DB cluster encrypts its shared storage, backups and snapshots
    at rest.

    ## Why
    The cluster volume holds every instance's data; unencrypted, it leaks through
    snapshots and shared backups, and encryption cannot be added later without a
    snapshot copy and restore. SEC08-BP02 (enforce encryption at rest); the foundation
    encrypts every data store with AES-256.

    ## Default
    `StorageEncrypted` / `storage_encrypted` defaults to false for provisioned clusters.
    A `KmsKeyId` / `kms_key_id` implies encryption. Aurora Serverless v1
    (`engine_mode = "serverless"`) is always encrypted. A cluster restored from a snapshot
    or another cluster inherits the source's encryption, so walint cannot tell unless
    the setting is explicit.

    ## Example
    ```yaml
    Resources:
      Cluster:
        Type: AWS::RDS::DBCluster
        Properties:
          Engine: aurora-postgresql
          MasterUsername: app
          ManageMasterUserPassword: true
    ```
    ```hcl
    resource "aws_rds_cluster" "main" {
      cluster_identifier          = "main"
      engine                      = "aurora-postgresql"
      master_username             = "app"
      manage_master_user_password = true
      storage_encrypted           = false
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Cluster:
        Type: AWS::RDS::DBCluster
        Properties:
          Engine: aurora-postgresql
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
    ```
    ```hcl
    resource "aws_rds_cluster" "main" {
      cluster_identifier          = "main"
      engine                      = "aurora-postgresql"
      master_username             = "app"
      manage_master_user_password = true
      storage_encrypted           = true
    }
    ```
    """
    for c in graph.resources("db_cluster"):
        if lower(known_str(c.get("engine_mode"))) == "serverless":
            continue
        key = _key_named(c.get("kms_key_id"))
        if not c.has("storage_encrypted"):
            if key is True:
                continue
            restored = next((a for a in ("snapshot_identifier", "source_db_cluster_identifier",
                                         "restore_to_point_in_time", "global_cluster_identifier")
                             if c.has(a)), None)
            if restored:
                yield c.unknown(restored, "restored from a snapshot or another cluster: "
                                "encryption is the source's")
                continue
        verdict = is_true(c.get("storage_encrypted"), False)
        if verdict is False and key is False:
            yield c.finding("storage_encrypted", f"DB cluster {c.address} stores data unencrypted "
                            f"({c.setting('storage_encrypted', False)}"
                            + ("" if c.has("storage_encrypted") else ", the default") + ")")
        elif verdict is None:
            yield c.unknown("storage_encrypted", f"{c.native('storage_encrypted')} {_UNRESOLVED}")
        elif verdict is False and key is None:
            yield c.unknown("kms_key_id", f"{c.native('kms_key_id')} {_UNRESOLVED}")


def _cache_engine(res, default="redis"):
    return engine(res, default)


@rule(id="WAL-ENC-003", name="elasticache-at-rest-encryption", title="ElastiCache at-rest encryption",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP02",),
      severity=severity(development="warning", mvp="error"), checkov=("CKV_AWS_29",))
def elasticache_at_rest_encryption(graph):
    """An ElastiCache Redis OSS or Valkey replication group encrypts its data at rest
    (on disk during sync and swap, and in backups); a standalone Redis OSS cache cluster,
    which cannot encrypt at rest, is reported too.

    ## Why
    Cache nodes write data to disk during replication, swapping and snapshots, and the
    snapshots are exported to S3. Encryption at rest can only be chosen when the group is
    created. SEC08-BP02 (enforce encryption at rest).

    ## Default
    `AtRestEncryptionEnabled` / `at_rest_encryption_enabled` defaults to false for the
    `redis` engine (the default engine) and to true for `valkey` (ElastiCache API
    reference, CreateReplicationGroup). A standalone `AWS::ElastiCache::CacheCluster` /
    `aws_elasticache_cluster` has no at-rest encryption setting. Memcached keeps data only
    in memory and is out of scope.

    ## Example
    ```yaml
    Resources:
      Cache:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties:
          ReplicationGroupDescription: sessions
          Engine: redis
          CacheNodeType: cache.t4g.small
          NumCacheClusters: 2
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
      Cache:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties:
          ReplicationGroupDescription: sessions
          Engine: redis
          CacheNodeType: cache.t4g.small
          NumCacheClusters: 2
          AtRestEncryptionEnabled: true
    ```
    ```hcl
    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id       = "sessions"
      description                = "sessions"
      node_type                  = "cache.t4g.small"
      num_cache_clusters         = 2
      at_rest_encryption_enabled = true
    }
    ```
    """
    for rg in graph.resources("cache_rg"):
        eng = _cache_engine(rg)
        if not rg.has("at_rest_encryption_enabled"):
            if rg.has("global_replication_group_id"):
                yield rg.unknown("global_replication_group_id",
                                 "a member of a global datastore inherits its encryption")
                continue
            default = decide(eng, lambda e: e == "valkey" if isinstance(e, str) else None)
            if default is None:
                yield rg.unknown("engine", "the engine decides the default and it is unknown")
                continue
            if default:
                continue
            yield rg.finding(None, f"replication group {rg.address} does not encrypt data at rest "
                             "(AtRestEncryptionEnabled defaults to false for Redis OSS)")
            continue
        verdict = is_true(rg.get("at_rest_encryption_enabled"))
        if verdict is False:
            yield rg.finding("at_rest_encryption_enabled",
                             f"replication group {rg.address} does not encrypt data at rest")
        elif verdict is None:
            yield rg.unknown("at_rest_encryption_enabled", f"{rg.native('at_rest_encryption_enabled')} {_UNRESOLVED}")
    for cc in graph.resources("cache_cluster"):
        if cc.has("replication_group_id"):
            continue
        eng = _cache_engine(cc, None)
        is_redis = decide(eng, lambda e: e == "redis" if isinstance(e, str) else None)
        if is_redis is True:
            yield cc.finding("engine", f"cache cluster {cc.address} is a standalone Redis OSS node, "
                             "which cannot encrypt data at rest: use a replication group")
        elif is_redis is None and eng is not None and decide(
                eng, lambda e: e == "memcached" if isinstance(e, str) else None) is not True:
            yield cc.unknown("engine", "the engine is unknown")


_ROOT_DEVICES = {"/dev/xvda", "/dev/sda1", "/dev/sda", "xvda", "sda1"}


def _ebs_default_on(graph, res):
    """The account facet aws_ebs_encryption_by_default in this scope: True/False/None."""
    verdicts = [is_true(f.get("enabled"), True) for f in graph.resources("ebs_default_encryption")
                if f.scope == res.scope]
    if True in verdicts:
        return True
    if None in verdicts:
        return None
    return False


def _mapping_verdicts(res):
    """(path to anchor, device, verdict, absent, root) for each EBS block-device mapping.

    `root` is True when the mapping is (or may be) the root device's. A mapping walint
    cannot read (a dynamic block over an unknown collection, an undecided condition) is
    undecided and may be the root device's."""
    out = []
    if res.format == "cloudformation":
        base = ("launch_template_data", "block_device_mappings") if res.type == "AWS::EC2::LaunchTemplate" \
            else ("block_device_mappings",)
        mappings = res.get(base)
        if isinstance(mappings, (Unknown,)):
            return [(base, "", None, False, True)]
        for i, m in enumerate(as_list(mappings)):
            if not isinstance(m, dict):
                out.append(_unreadable(base + (i,), f"#{i}", m, root=True))
                continue
            if not isinstance(m.get("ebs"), dict):
                continue
            ebs = m["ebs"]
            named = isinstance(m.get("device_name"), str)
            device = m["device_name"] if named else f"#{i}"
            path = base + (i, "ebs")
            # a device whose name walint cannot read may be the AMI's root device
            out.append(_one_mapping(path, device, ebs, "encrypted", "snapshot_id",
                                    root=device in _ROOT_DEVICES or not named))
        return [m for m in out if m]
    if res.type == "aws_launch_template":
        for i, m in enumerate(as_list(res.get("block_device_mappings"))):
            if not isinstance(m, dict):
                out.append(_unreadable(("block_device_mappings", i), f"#{i}", m, root=True))
                continue
            ebs = m.get("ebs")
            if isinstance(ebs, list) and len(ebs) == 1 and isinstance(ebs[0], dict):
                named = isinstance(m.get("device_name"), str)
                device = m["device_name"] if named else f"#{i}"
                out.append(_one_mapping(("block_device_mappings", i, "ebs", 0), device, ebs[0],
                                        "encrypted", "snapshot_id",
                                        root=device in _ROOT_DEVICES or not named))
        return [m for m in out if m]
    for i, m in enumerate(as_list(res.get("root_block_device"))):
        if isinstance(m, dict):
            out.append(_one_mapping(("root_block_device", i), "root", m, "encrypted", "snapshot_id",
                                    root=True))
        else:
            out.append(_unreadable(("root_block_device", i), "root", m, root=True))
    for i, m in enumerate(as_list(res.get("ebs_block_device"))):
        if isinstance(m, dict):
            device = m.get("device_name") if isinstance(m.get("device_name"), str) else f"#{i}"
            out.append(_one_mapping(("ebs_block_device", i), device, m, "encrypted", "snapshot_id",
                                    root=False))
        else:
            out.append(_unreadable(("ebs_block_device", i), f"#{i}", m, root=False))
    return [m for m in out if m]


def _unreadable(path, device, value, root):
    """A mapping that is not a block walint can read: undecided when it is a marker."""
    if isinstance(value, (Unknown, OneOf)):
        return (path, device, None, False, root)
    return None


def _one_mapping(path, device, ebs, flag, snap, root):
    if flag in ebs:
        return (path + (flag,), device, is_true(ebs[flag]), False, root)
    if snap in ebs or root:
        # a snapshot's (or the AMI's root snapshot's) encryption is inherited
        return (path, device, None, True, root)
    return (path, device, False, True, root)


@rule(id="WAL-ENC-004", name="ebs-efs-encrypted",
      title="EBS (volumes, instances, launch templates) and EFS encrypted",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP02",),
      severity=severity(development="warning", mvp="error"),
      checkov=("CKV_AWS_3", "CKV_AWS_8", "CKV_AWS_106", "CKV_AWS_42"))
def ebs_efs_encrypted(graph):
    """EBS volumes, the EBS block devices of instances, launch templates and launch
    configurations, and EFS file systems are encrypted at rest.

    ## Why
    Block and file storage outlives the instance: volumes, snapshots and file systems
    keep data after the compute is gone. SEC08-BP02 (enforce encryption at rest).

    ## Default
    `Encrypted` / `encrypted` defaults to false for new EBS volumes unless EBS encryption
    by default is on for the account and region; Terraform's
    `aws_ebs_encryption_by_default { enabled = true }` in the same configuration makes
    every EBS check pass (CloudFormation has no such resource). A volume created from a
    snapshot, and a root device that comes from the AMI, inherit the snapshot's
    encryption, so walint does not decide them (unknown): this includes an instance,
    launch template or launch configuration with no block-device mapping for the root
    device, or none at all (checkov CKV_AWS_8 fails an instance without
    `root_block_device`). With encryption by default on, they pass. EFS `Encrypted` /
    `encrypted` defaults to false (CreateFileSystem API). Fargate ephemeral storage is
    always encrypted.

    ## Example
    ```yaml
    Resources:
      Data:
        Type: AWS::EC2::Volume
        Properties:
          AvailabilityZone: us-east-2a
          Size: 100
      Files:
        Type: AWS::EFS::FileSystem
        Properties:
          Encrypted: false
    ```
    ```hcl
    resource "aws_ebs_volume" "data" {
      availability_zone = "us-east-2a"
      size              = 100
    }

    resource "aws_efs_file_system" "files" {
      encrypted = false
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Data:
        Type: AWS::EC2::Volume
        Properties:
          AvailabilityZone: us-east-2a
          Size: 100
          Encrypted: true
      Files:
        Type: AWS::EFS::FileSystem
        Properties:
          Encrypted: true
    ```
    ```hcl
    resource "aws_ebs_volume" "data" {
      availability_zone = "us-east-2a"
      size              = 100
      encrypted         = true
    }

    resource "aws_efs_file_system" "files" {
      encrypted = true
    }
    ```
    """
    for vol in graph.resources("volume"):
        account = _ebs_default_on(graph, vol)
        if not vol.has("encrypted") and vol.has("snapshot_id"):
            if account is not True:
                yield vol.unknown("snapshot_id", "created from a snapshot: encryption is the snapshot's")
            continue
        verdict = is_true(vol.get("encrypted"), False)
        if verdict is False:
            if account is True:
                continue
            if account is None:
                yield vol.unknown("encrypted", "EBS encryption by default is set from a value "
                                  "walint cannot resolve")
                continue
            yield vol.finding("encrypted", f"EBS volume {vol.address} is not encrypted" +
                              ("" if vol.has("encrypted") else " (Encrypted defaults to false)"))
        elif verdict is None and account is not True:
            yield vol.unknown("encrypted", f"{vol.native('encrypted')} {_UNRESOLVED}")
    for res in graph.resources("instance", "launch_template"):
        account = _ebs_default_on(graph, res)
        mappings = _mapping_verdicts(res)
        for path, device, verdict, absent, _root in mappings:
            if verdict is False:
                if account is True:
                    continue
                if account is None:
                    yield res.unknown(path, "EBS encryption by default is set from a value walint "
                                      "cannot resolve", key=device)
                    continue
                yield res.finding(path, f"EBS block device {device} of {res.address} is not encrypted" +
                                  (" (Encrypted defaults to false)" if absent else ""), key=device)
            elif verdict is None and account is not True:
                yield res.unknown(path, f"the encryption of block device {device} comes from a "
                                  "snapshot, the AMI, or a value walint cannot resolve", key=device)
        if not any(root for _, _, _, _, root in mappings) and account is not True:
            # RULES.md §2.4: with no mapping for the root device, the AMI's root snapshot
            # decides its encryption (or EBS encryption by default, which walint cannot see
            # in CloudFormation): unknown, never a finding (unlike checkov CKV_AWS_8)
            templates = [e.target.address for e in graph.references(res)
                         if e.target.kind == "launch_template" and e.target is not res]
            source = (f"launch template {templates[0]} or the AMI's root snapshot" if templates
                      else "the AMI's root snapshot")
            yield res.unknown(None, f"no block-device mapping of {res.address} describes the root "
                              f"volume: its encryption comes from {source}, or from EBS encryption "
                              "by default in the account", key="root")
    for fs in graph.resources("efs"):
        verdict = is_true(fs.get("encrypted"), False)
        if verdict is False:
            yield fs.finding("encrypted", f"EFS file system {fs.address} is not encrypted" +
                             ("" if fs.has("encrypted") else " (Encrypted defaults to false)"))
        elif verdict is None:
            yield fs.unknown("encrypted", f"{fs.native('encrypted')} {_UNRESOLVED}")


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


@rule(id="WAL-ENC-005", security_severity=5.5, name="sqs-sns-encrypted", title="SQS queues and SNS topics encrypted",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP02",),
      severity=severity(development="note", mvp="warning", production="warning",
                        regulated="error"),
      checkov=("CKV_AWS_27", "CKV_AWS_26"))
def sqs_sns_encrypted(graph):
    """SQS queues keep server-side encryption on, and SNS topics encrypt messages at rest
    with a KMS key.

    ## Why
    Messages in flight between services often carry the same data as the databases
    behind them. SEC08-BP02 (enforce encryption at rest). In `regulated`, WAL-ENC-007
    also asks for a customer managed key.

    ## Default
    SQS encrypts new queues with SSE-SQS (SQS-owned keys) when neither
    `SqsManagedSseEnabled` nor `KmsMasterKeyId` is given: the default since October 2022
    for queues created through the HTTPS API, as CloudFormation and Terraform create them.
    So a queue fails only when SSE-SQS is switched off explicitly with no KMS key. SNS
    has no default encryption: a topic without `KmsMasterKeyId` / `kms_master_key_id`
    stores messages unencrypted.

    ## Example
    ```yaml
    Resources:
      Jobs:
        Type: AWS::SQS::Queue
        Properties:
          SqsManagedSseEnabled: false
      Alerts:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: alerts
    ```
    ```hcl
    resource "aws_sqs_queue" "jobs" {
      name                    = "jobs"
      sqs_managed_sse_enabled = false
    }

    resource "aws_sns_topic" "alerts" {
      name = "alerts"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Jobs:
        Type: AWS::SQS::Queue
        Properties:
          SqsManagedSseEnabled: true
      Alerts:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: alerts
          KmsMasterKeyId: alias/aws/sns
    ```
    ```hcl
    resource "aws_sqs_queue" "jobs" {
      name                    = "jobs"
      sqs_managed_sse_enabled = true
    }

    resource "aws_sns_topic" "alerts" {
      name              = "alerts"
      kms_master_key_id = "alias/aws/sns"
    }
    ```
    """
    for q in graph.resources("queue"):
        if not _blank(q.get("kms_master_key_id")):
            continue
        verdict = is_true(q.get("sqs_managed_sse_enabled"), True)
        if verdict is False:
            yield q.finding("sqs_managed_sse_enabled",
                            f"queue {q.address} turns SSE-SQS off and names no KMS key: "
                            "messages are stored unencrypted")
        elif verdict is None:
            yield q.unknown("sqs_managed_sse_enabled", f"{q.native('sqs_managed_sse_enabled')} {_UNRESOLVED}")
    for t in graph.resources("topic"):
        key = t.get("kms_master_key_id")
        if _blank(key):
            yield t.finding("kms_master_key_id" if t.has("kms_master_key_id") else None,
                            f"SNS topic {t.address} has no KMS key: messages are stored unencrypted")


SECRET_NAME = re.compile(r"(?i)(passw(or)?d|secret|token|api[-_]?key|private[-_]?key|credential"
                         r"|conn(ection)?[-_]?str)")
_DYNAMIC = re.compile(r"\{\{resolve:(secretsmanager|ssm-secure):")


def _secret_like(p):
    """True/False/None: the parameter's name or logical id looks like a secret."""
    if SECRET_NAME.search(address_name(p)):
        verdict = True
    else:
        name = p.get("name")
        if name is None:
            verdict = False
        else:
            verdict = decide(name, lambda n: bool(SECRET_NAME.search(n)) if isinstance(n, str) else None)
    if verdict is False:
        return False
    value = p.get("value")
    dyn = decide(value, lambda v: bool(_DYNAMIC.search(v)) if isinstance(v, str) else False) \
        if value is not None else False
    if dyn is True:
        return False
    return verdict


@rule(id="WAL-ENC-006", security_severity=7.5, name="ssm-secret-plaintext",
      title="Secrets are not stored as plaintext SSM String parameters",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP02", "SEC02-BP03"),
      severity=severity(development="warning", mvp="error"),
      checkov=("CKV2_AWS_34", "CKV_AWS_384", "CKV_AWS_337"))
def ssm_secret_plaintext(graph):
    """An SSM parameter whose name or logical id looks like a secret (password, secret,
    token, API key, private key, credential, connection string) is not a plaintext
    `String` or `StringList`.

    ## Why
    A `String` parameter is stored and shown unencrypted: anyone with
    `ssm:GetParameter` or read access to the template or state sees it. SEC02-BP03
    (store and use secrets securely) and SEC08-BP02; the foundation keeps secrets in
    Parameter Store SecureString or Secrets Manager.

    ## Default
    `Type` / `type` is required. CloudFormation cannot create `SecureString` parameters
    (only `String` and `StringList`), so in CloudFormation a secret belongs in
    `AWS::SecretsManager::Secret`, referenced with `{{resolve:secretsmanager:...}}`. A
    value that is such a dynamic reference is not a stored secret.

    ## Example
    ```yaml
    Resources:
      DbPassword:
        Type: AWS::SSM::Parameter
        Properties:
          Name: /app/db/password
          Type: String
          Value: change-me
    ```
    ```hcl
    resource "aws_ssm_parameter" "db_password" {
      name  = "/app/db/password"
      type  = "String"
      value = "change-me"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      DbSecret:
        Type: AWS::SecretsManager::Secret
        Properties:
          Name: /app/db
          GenerateSecretString:
            SecretStringTemplate: '{"username": "app"}'
            GenerateStringKey: password
            ExcludePunctuation: true
    ```
    ```hcl
    resource "aws_ssm_parameter" "db_password" {
      name  = "/app/db/password"
      type  = "SecureString"
      value = "change-me"
    }
    ```
    """
    for p in graph.resources("ssm_param"):
        secret = _secret_like(p)
        if secret is False:
            continue
        plain = decide(p.get("type", "String"),
                       lambda t: t in ("String", "StringList") if isinstance(t, str) else None)
        if plain is False:
            continue
        if secret is None or plain is None:
            yield p.unknown("name" if secret is None else "type",
                            "the parameter's name or type depends on a value walint cannot resolve")
            continue
        hint = (" CloudFormation cannot create SecureString parameters: keep the secret in "
                "Secrets Manager and reference it with {{resolve:secretsmanager:...}}"
                if p.format == "cloudformation" else " Use type SecureString or Secrets Manager.")
        yield p.finding("type", f"SSM parameter {p.address} looks like a secret but is a plaintext "
                        f"{known_str(p.get('type', 'String'))}." + hint)


# -- WAL-ENC-007 ------------------------------------------------------------------------


def _s3_kms_targets(graph, bucket):
    """[(resource, path, algorithm value, kms value)] for each default-encryption rule."""
    from walint_rules._s3 import facets_of

    out = []
    if bucket.format == "cloudformation":
        rules = bucket.get("bucket_encryption.server_side_encryption_configuration")
        undecided = []         # an Fn::If (maybe AWS::NoValue) on a condition walint cannot decide
        for i, r in enumerate(as_list(rules)):
            if isinstance(r, (Unknown, OneOf)):
                undecided = [bucket]
            if isinstance(r, dict) and isinstance(r.get("server_side_encryption_by_default"), dict):
                d = r["server_side_encryption_by_default"]
                path = ("bucket_encryption", "server_side_encryption_configuration", i,
                        "server_side_encryption_by_default", "sse_algorithm")
                out.append((bucket, path, d.get("sse_algorithm"), d.get("kms_master_key_id")))
        return out, undecided
    sources = [(bucket, ("server_side_encryption_configuration", 0))] \
        if bucket.has("server_side_encryption_configuration") else []
    found, maybe = facets_of(graph, bucket, "aws_s3_bucket_server_side_encryption_configuration")
    sources += [(f, ()) for f in found]
    for res, base in sources:
        holder = res.get(base) if base else res.attrs
        for i, r in enumerate(as_list(holder.get("rule") if isinstance(holder, dict) else None)):
            if isinstance(r, (Unknown, OneOf)):
                maybe = maybe + [res]      # a `dynamic "rule"` over a collection walint cannot know
            if not isinstance(r, dict):
                continue
            for j, d in enumerate(as_list(r.get("apply_server_side_encryption_by_default"))):
                if isinstance(d, dict):
                    path = base + ("rule", i, "apply_server_side_encryption_by_default", j,
                                   "sse_algorithm")
                    out.append((res, path, d.get("sse_algorithm"), d.get("kms_master_key_id")))
    return out, maybe


def _ddb_kms(graph, t):
    """(path, verdict True/False/None, absent)."""
    if t.format == "terraform":
        if not t.has("server_side_encryption"):
            return ("server_side_encryption", False, True)
        enabled = is_true(t.get("server_side_encryption.enabled"), False)
        if enabled is None:
            return ("server_side_encryption.enabled", None, False)
        if enabled is False:
            return ("server_side_encryption.enabled", False, False)
        key = "server_side_encryption.kms_key_arn"
        return (key if t.has(key) else "server_side_encryption.enabled",
                cmk(graph, t, t.get(key)), False)
    if not t.has("sse_specification"):
        return ("sse_specification", False, True)
    enabled = is_true(t.get("sse_specification.sse_enabled"), False)
    if enabled is None:
        return ("sse_specification.sse_enabled", None, False)
    if enabled is False:
        return ("sse_specification.sse_enabled", False, False)
    if t.type == "AWS::DynamoDB::GlobalTable":
        verdicts = [cmk(graph, t, r.get("sse_specification", {}).get("kms_master_key_id")
                        if isinstance(r.get("sse_specification"), dict) else None)
                    for r in as_list(t.get("replicas")) if isinstance(r, dict)]
        verdict = False if False in verdicts or not verdicts else (None if None in verdicts else True)
        return ("replicas", verdict, False)
    key = "sse_specification.kms_master_key_id"
    return (key if t.has(key) else "sse_specification.sse_enabled", cmk(graph, t, t.get(key)), False)


_KEY_ATTR = {"db_instance": "kms_key_id", "db_cluster": "kms_key_id", "cache_rg": "kms_key_id",
             "efs": "kms_key_id", "volume": "kms_key_id", "queue": "kms_master_key_id",
             "topic": "kms_master_key_id", "log_group": "kms_key_id", "trail": "kms_key_id",
             # (CloudFormation path, Terraform path) where the formats differ
             "docdb_cluster": "kms_key_id",
             "opensearch": ("encryption_at_rest_options.kms_key_id", "encrypt_at_rest.kms_key_id"),
             "msk_cluster": ("encryption_info.encryption_at_rest.data_volume_kms_key_id",
                             "encryption_info.encryption_at_rest_kms_key_arn"),
             "kinesis_stream": ("stream_encryption.key_id", "kms_key_id")}
_WHAT = {"db_instance": "DB instance", "db_cluster": "DB cluster", "cache_rg": "replication group",
         "efs": "EFS file system", "volume": "EBS volume", "queue": "SQS queue", "topic": "SNS topic",
         "log_group": "log group", "trail": "CloudTrail trail", "ddb_table": "DynamoDB table",
         "bucket": "S3 bucket", "docdb_cluster": "DocumentDB cluster", "opensearch": "OpenSearch domain",
         "msk_cluster": "MSK cluster", "kinesis_stream": "Kinesis stream"}


def _enc007_checks(graph):
    """(resource, path, verdict, absent, message) for each resource ENC-007 covers."""
    for kind, paths in _KEY_ATTR.items():
        for res in graph.resources(kind):
            if kind == "db_instance" and (cluster_governed(res) is not False
                                          or res.has("replicate_source_db")):
                continue      # a cluster member or a read replica uses its source's key
            attr = paths if isinstance(paths, str) else (
                paths[1] if res.format == "terraform" else paths[0])
            value = dig(res, attr)
            absent = _blank(value)
            verdict = False if absent else cmk(graph, res, value)
            yield (res, attr if res.has(attr) else None, verdict, absent,
                   f"{_WHAT[kind]} {res.address} is not encrypted with a customer managed KMS key "
                   f"({'no key is set' if absent else 'the key is AWS managed'})")
    for t in graph.resources("ddb_table"):
        path, verdict, absent = _ddb_kms(graph, t)
        yield (t, path if t.has(path) else None, verdict, absent,
               f"DynamoDB table {t.address} is not encrypted with a customer managed KMS key "
               f"({'it uses an AWS owned key' if absent else 'the key is AWS owned or AWS managed'})")
    for b in graph.resources("bucket"):
        targets, maybe = _s3_kms_targets(graph, b)
        if not targets:
            yield (b, None, None if maybe else False, True,
                   f"S3 bucket {b.address} uses the default SSE-S3 encryption, not SSE-KMS")
            continue
        for res, path, algo, _key in targets:
            verdict = decide(algo, lambda a: a in ("aws:kms", "aws:kms:dsse") if isinstance(a, str)
                             else None) if algo is not None else False
            yield (res, path if algo is not None else path[:-1], verdict, False,
                   f"S3 bucket {b.address} encrypts with {known_str(algo) or 'SSE-S3'}, not SSE-KMS")


@rule(id="WAL-ENC-007", security_severity=4.0, name="kms-customer-managed-keys",
      title="Customer-managed KMS keys / SSE-KMS for data stores, S3 and logs (regulated)",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP01",),
      severity=severity(development="off", mvp="off", production="note", regulated="error"),
      checkov=("CKV_AWS_145", "CKV_AWS_327", "CKV_AWS_191", "CKV_AWS_184", "CKV_AWS_189",
               "CKV_AWS_119", "CKV2_AWS_73", "CKV_AWS_158", "CKV_AWS_35", "CKV_AWS_182"))
def kms_customer_managed_keys(graph):
    """Data stores (RDS, Aurora, DocumentDB, ElastiCache, EFS, EBS, DynamoDB, OpenSearch,
    MSK), Kinesis streams, queues, topics, log groups and trails are encrypted with a
    customer managed KMS key, and S3 buckets with SSE-KMS. In `production` only an explicit AWS managed key is reported (as a note);
    in `regulated` a missing key is an error too.

    ## Why
    With a customer managed key you control the key policy (who may decrypt), rotation,
    and deletion, and every use is logged in CloudTrail; AWS owned and AWS managed keys
    give none of that control. SEC08-BP01 (implement secure key management); the HIPAA
    design of the foundation uses KMS keys for every data store.

    ## Default
    Without a key, services use an AWS owned or AWS managed key: S3 has applied SSE-S3
    (AES256) to every new bucket since 5 January 2023, DynamoDB encrypts with an AWS owned
    key, SQS with SSE-SQS, MSK with the AWS managed `aws/kafka` key. So outside `regulated` an absent key is not a finding. "Customer
    managed" means a reference to an `AWS::KMS::Key` / `aws_kms_key` (or an alias of
    one), or a literal key ARN or alias that is not `alias/aws/*`.

    ## Example
    ```yaml
    Resources:
      Alerts:
        Type: AWS::SNS::Topic
        Properties:
          KmsMasterKeyId: alias/aws/sns
    ```
    ```hcl
    resource "aws_sns_topic" "alerts" {
      name              = "alerts"
      kms_master_key_id = "alias/aws/sns"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Key:
        Type: AWS::KMS::Key
        Properties:
          EnableKeyRotation: true
          KeyPolicy:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal:
                  AWS: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root
                Action: kms:*
                Resource: "*"
      Alerts:
        Type: AWS::SNS::Topic
        Properties:
          KmsMasterKeyId: !GetAtt Key.Arn
    ```
    ```hcl
    resource "aws_kms_key" "alerts" {
      enable_key_rotation = true
    }

    resource "aws_sns_topic" "alerts" {
      name              = "alerts"
      kms_master_key_id = aws_kms_key.alerts.arn
    }
    ```

    ## Trade-off
    Each customer managed key costs $1 a month plus requests; S3 Bucket Keys
    (`BucketKeyEnabled`) cut the request cost for SSE-KMS buckets by up to 99%.
    """
    for res, path, verdict, absent, message in _enc007_checks(graph):
        if verdict is True:
            continue
        if verdict is None:
            yield res.unknown(path, "the KMS key is a value walint cannot resolve", key=str(path))
            continue
        if absent and profile(graph, res) != "regulated":
            continue
        yield res.finding(path, message, key=str(path))


RULES = [rds_storage_encrypted, rds_cluster_storage_encrypted, elasticache_at_rest_encryption,
         ebs_efs_encrypted, sqs_sns_encrypted, ssm_secret_plaintext, kms_customer_managed_keys]

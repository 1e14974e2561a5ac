"""encryption-at-rest: storage encrypted (RULES.md §2.4)."""
from walint.api import as_bool, decide, rule, severity


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
    inherits encryption from its cluster (WAL-ENC-002). An instance restored from a
    snapshot inherits the snapshot's encryption, so walint cannot tell unless the
    setting is explicit.

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
        if db.type == "aws_rds_cluster_instance" or db.has("cluster_identifier"):
            continue
        engine = db.get("engine")
        if decide(engine, lambda e: isinstance(e, str) and e.lower().startswith("aurora")) is True:
            continue
        if not db.has("storage_encrypted") and (db.has("snapshot_identifier") or db.has("kms_key_id")):
            if db.has("kms_key_id"):
                continue
            yield db.unknown("snapshot_identifier", "restored from a snapshot: encryption is the snapshot's")
            continue
        verdict = decide(db.get("storage_encrypted", False), as_bool)
        if verdict is False:
            yield db.finding("storage_encrypted",
                             f"DB instance {db.address} stores data unencrypted (StorageEncrypted is false)")
        elif verdict is None:
            yield db.unknown("storage_encrypted", "storage_encrypted depends on a value walint cannot resolve")


RULES = [rds_storage_encrypted]

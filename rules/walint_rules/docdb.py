"""Amazon DocumentDB: storage encryption, instances over two zones, TLS (issue 15).

Backups and deletion protection of DocumentDB clusters are WAL-BAK-001 and WAL-BAK-002;
their placement in private subnets is WAL-NET-001 (both already read `docdb_cluster`).
"""
from walint.api import (Related, decide, distinct_zones, rule, severity, zone_label, zone_of_value,
                        zones_text)

from walint_rules._data import (counted_members, group_params, is_true, known_str, lower,
                                param_position)

_UNRESOLVED = "depends on a value walint cannot resolve"


@rule(id="WAL-ENC-011", name="docdb-storage-encrypted", title="DocumentDB cluster storage encrypted",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP02",),
      severity=severity(development="warning", mvp="error"), checkov=("CKV_AWS_74",))
def docdb_storage_encrypted(graph):
    """A DocumentDB cluster encrypts its storage volume, indexes, logs, automated backups
    and snapshots at rest.

    ## Why
    The cluster volume holds every instance's data; unencrypted, it leaks through
    snapshots and backups, and encryption cannot be switched on later: it takes a dump
    and restore into a new cluster. SEC08-BP02 (enforce encryption at rest); the
    foundation encrypts every data store.

    ## Default
    `StorageEncrypted` / `storage_encrypted` defaults to false through the API,
    CloudFormation and Terraform (only the console turns it on by default). A
    `KmsKeyId` / `kms_key_id` does not turn encryption on by itself: it names the key used
    when `StorageEncrypted` is true. A cluster restored from a snapshot or another
    cluster inherits the source's encryption, so walint cannot tell unless the setting is
    explicit.

    ## Example
    ```yaml
    Resources:
      Docs:
        Type: AWS::DocDB::DBCluster
        Properties:
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: false
    ```
    ```hcl
    resource "aws_docdb_cluster" "docs" {
      cluster_identifier          = "docs"
      master_username             = "app"
      manage_master_user_password = true
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Docs:
        Type: AWS::DocDB::DBCluster
        Properties:
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
    ```
    ```hcl
    resource "aws_docdb_cluster" "docs" {
      cluster_identifier          = "docs"
      master_username             = "app"
      manage_master_user_password = true
      storage_encrypted           = true
    }
    ```
    """
    for c in graph.resources("docdb_cluster"):
        if not c.has("storage_encrypted"):
            restored = next((a for a in ("snapshot_identifier", "source_db_cluster_identifier",
                                         "restore_to_point_in_time", "global_cluster_identifier")
                             if c.has(a)), None)
            if restored:
                yield c.unknown(restored, "restored from a snapshot or another cluster (or a global "
                                "cluster member): encryption is the source's")
                continue
        verdict = is_true(c.get("storage_encrypted"), False)
        if verdict is False:
            yield c.finding("storage_encrypted", f"DocumentDB cluster {c.address} stores data unencrypted "
                            "(StorageEncrypted is false" + ("" if c.has("storage_encrypted")
                                                            else " by default") + ")")
        elif verdict is None:
            yield c.unknown("storage_encrypted", f"storage_encrypted {_UNRESOLVED}")


def _members(graph, cluster):
    """(members, doubtful): the DocumentDB instances of the cluster, and whether another
    instance's cluster reference cannot be followed."""
    members, doubtful = [], False
    names = {known_str(cluster.get("cluster_identifier")),
             known_str(cluster.get("db_cluster_identifier"))} - {None}
    for inst in graph.resources("docdb_instance"):
        attr = "cluster_identifier" if inst.format == "terraform" else "db_cluster_identifier"
        if inst.scope != cluster.scope or not inst.has(attr):
            continue
        raw = inst.get(attr)
        target = graph.deref(inst, raw)
        if target is cluster or (isinstance(raw, str) and raw in names):
            members.append(inst)
        elif target is None and not isinstance(raw, str):
            doubtful = True
    return members, doubtful


@rule(id="WAL-MAZ-009", name="docdb-multi-az",
      title="DocumentDB cluster has two or more instances in two or more AZs",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01", "REL11-BP02"),
      severity=severity(development="off", mvp="warning", production="error", regulated="error"))
def docdb_multi_az(graph):
    """A DocumentDB cluster has at least two instances (a primary and a replica), and
    when their zones are written, they are in two or more Availability Zones.

    ## Why
    The cluster volume spans three zones, but the compute does not: with one instance,
    a failure of that instance or its zone leaves the cluster unavailable until a new
    instance is created (about ten minutes); with a replica in another zone, DocumentDB
    promotes it in about thirty seconds. REL10-BP01 (deploy the workload to multiple
    locations), REL11-BP02 (fail over to healthy resources).

    ## Default
    A cluster has no instance of its own: each `AWS::DocDB::DBInstance` /
    `aws_docdb_cluster_instance` that names it is one. An instance without
    `AvailabilityZone` / `availability_zone` is placed by DocumentDB, which spreads the
    instances of a cluster over the zones of its subnet group; walint then accepts two
    instances. A Terraform `count` or `for_each` that cannot be evaluated gives unknown.

    ## Example
    ```yaml
    Resources:
      Docs:
        Type: AWS::DocDB::DBCluster
        Properties:
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
      Primary:
        Type: AWS::DocDB::DBInstance
        Properties:
          DBClusterIdentifier: !Ref Docs
          DBInstanceClass: db.r6g.large
    ```
    ```hcl
    resource "aws_docdb_cluster" "docs" {
      cluster_identifier          = "docs"
      master_username             = "app"
      manage_master_user_password = true
      storage_encrypted           = true
    }

    resource "aws_docdb_cluster_instance" "primary" {
      cluster_identifier = aws_docdb_cluster.docs.id
      instance_class     = "db.r6g.large"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Docs:
        Type: AWS::DocDB::DBCluster
        Properties:
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
      Primary:
        Type: AWS::DocDB::DBInstance
        Properties:
          DBClusterIdentifier: !Ref Docs
          DBInstanceClass: db.r6g.large
      Replica:
        Type: AWS::DocDB::DBInstance
        Properties:
          DBClusterIdentifier: !Ref Docs
          DBInstanceClass: db.r6g.large
    ```
    ```hcl
    resource "aws_docdb_cluster" "docs" {
      cluster_identifier          = "docs"
      master_username             = "app"
      manage_master_user_password = true
      storage_encrypted           = true
    }

    resource "aws_docdb_cluster_instance" "docs" {
      count              = 2
      cluster_identifier = aws_docdb_cluster.docs.id
      instance_class     = "db.r6g.large"
    }
    ```

    ## Trade-off
    The replica costs as much as the primary, and serves reads. In `mvp` a single
    instance is a warning; in `development` the rule is off.
    """
    for cluster in graph.resources("docdb_cluster"):
        members, doubtful = _members(graph, cluster)
        sure, why = counted_members(members, doubtful)
        if why:
            yield cluster.unknown(None, why)
            continue
        if len(sure) < 2:
            have = "no instance" if not members else f"1 instance ({members[0].address})"
            yield cluster.finding(None, f"DocumentDB cluster {cluster.address} has {have}: when it or its "
                                  "zone fails there is no replica to promote, and the cluster is down "
                                  "until a new instance is created",
                                  related=[Related(m, (), "the only cluster instance") for m in members],
                                  key="instances")
            continue
        if not all(m.has("availability_zone") for m in sure):
            continue
        zones = [zone_of_value(graph, m, m.get("availability_zone")) for m in sure]
        lo, hi = distinct_zones(zones)
        if hi < 2:
            yield cluster.finding(None, f"all {len(sure)} instances of DocumentDB cluster {cluster.address} "
                                  f"are in {zones_text(zones)}: a zone outage takes the primary and every "
                                  "replica down together",
                                  related=[Related(m, ("availability_zone",), f"instance in {zone_label(z)}")
                                           for m, z in zip(sure, zones)], key="zones")
        elif lo < 2:
            yield cluster.unknown(None, "the zones of the cluster's instances are unknown")


@rule(id="WAL-TLS-008", name="docdb-tls", title="DocumentDB cluster parameter groups keep TLS on",
      pillar="security", category="encryption-in-transit", best_practice=("SEC09-BP02",),
      severity=severity(development="note", mvp="warning", production="error"), checkov=("CKV_AWS_90",))
def docdb_tls(graph):
    """A DocumentDB cluster parameter group does not turn TLS off: its `tls` parameter is
    not `disabled` (`enabled`, `tls1.2+`, `tls1.3+` and `fips-140-3` require TLS).

    ## Why
    With `tls = disabled` the cluster accepts plain-text connections: one client
    without TLS sends credentials and documents in clear text inside the VPC.
    SEC09-BP02 (enforce encryption in transit).

    ## Default
    `tls` is `enabled` in the default cluster parameter group (`default.docdb5.0`...) and
    in a custom group that does not set it, so a cluster without
    `DBClusterParameterGroupName` / `db_cluster_parameter_group_name` requires TLS. The
    rule reads the groups declared in the scanned files (CloudFormation `Parameters`,
    Terraform `parameter {}` blocks); a `tls` value walint cannot resolve gives unknown.

    ## Example
    ```yaml
    Resources:
      DocsParameters:
        Type: AWS::DocDB::DBClusterParameterGroup
        Properties:
          Description: docs
          Family: docdb5.0
          Parameters:
            tls: disabled
    ```
    ```hcl
    resource "aws_docdb_cluster_parameter_group" "docs" {
      name   = "docs"
      family = "docdb5.0"

      parameter {
        name  = "tls"
        value = "disabled"
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      DocsParameters:
        Type: AWS::DocDB::DBClusterParameterGroup
        Properties:
          Description: docs
          Family: docdb5.0
          Parameters:
            tls: enabled
    ```
    ```hcl
    resource "aws_docdb_cluster_parameter_group" "docs" {
      name   = "docs"
      family = "docdb5.0"

      parameter {
        name  = "tls"
        value = "enabled"
      }
    }
    ```
    """
    for group in graph.resources("docdb_param_group"):
        params = group_params(group)
        if not isinstance(params, dict):
            yield group.unknown("parameters" if group.format == "cloudformation" else "parameter",
                                params.reason, key="tls")
            continue
        if "tls" not in params:
            continue
        off = decide(params["tls"], lambda v: lower(v) == "disabled" if isinstance(v, str) else None)
        users = [c.address for c in graph.referrers(group, kind="docdb_cluster")]
        used = f" (used by {', '.join(users)})" if users else ""
        if off is True:
            yield group.finding(param_position(group, "tls"), f"DocumentDB cluster parameter group "
                                f"{group.address}{used} sets tls = disabled: clients may connect "
                                "without TLS", key="tls")
        elif off is None:
            yield group.unknown(param_position(group, "tls"), f"tls {_UNRESOLVED}", key="tls")


RULES = [docdb_storage_encrypted, docdb_multi_az, docdb_tls]

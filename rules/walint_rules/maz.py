"""multi-az: workloads spread over two or more Availability Zones (RULES.md §2.1)."""
from walint.api import as_bool, decide, rule, severity

from ._data import CLUSTER_UNDECIDED, cluster_governed


@rule(id="WAL-MAZ-001", name="rds-multi-az", title="RDS DB instance is Multi-AZ",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01",),
      severity=severity(development="off", mvp="warning", production="error"),
      checkov=("CKV_AWS_157",))
def rds_multi_az(graph):
    """An RDS DB instance that is not an Aurora cluster member or a read replica runs in
    two Availability Zones (Multi-AZ), so a zone failure fails over in a minute or two.

    ## Why
    A Single-AZ instance goes down with its zone, and recovery means restoring from a
    backup: hours of downtime and up to five minutes of lost writes. The foundation runs
    RDS Multi-AZ in production (REL10-BP01, deploy the workload to multiple locations).

    ## Default
    `MultiAZ` / `multi_az` defaults to false in both CloudFormation and Terraform.
    Aurora instances are out of scope: Aurora storage spans zones by itself (see
    WAL-MAZ-002 for the cluster's instances).

    An RDS DB instance of an Aurora engine (`aurora`, `aurora-mysql`, `aurora-
    postgresql`) is a cluster member even when it names no cluster: Multi-AZ is the
    cluster's setting (AWS creates Aurora instances only in a cluster), so the instance
    is not asked for it. When the engine cannot be resolved, the result is unknown.

    ## Example
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MultiAZ: false
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine            = "postgres"
      instance_class    = "db.t3.micro"
      allocated_storage = 20
      multi_az          = false
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
          MultiAZ: true
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine            = "postgres"
      instance_class    = "db.t3.micro"
      allocated_storage = 20
      multi_az          = true
    }
    ```

    ## Trade-off
    A Multi-AZ standby doubles the instance cost. In `mvp` this is a warning and in
    `development` it is off: single-AZ is the documented choice there.
    """
    for db in graph.resources("db_instance"):
        if db.has("replicate_source_db"):
            continue
        governed = cluster_governed(db)
        if governed is True:
            continue            # Multi-AZ is the Aurora cluster's (WAL-MAZ-002)
        multi_az = db.get("multi_az", False)
        verdict = decide(multi_az, as_bool)
        if governed is None:
            yield db.unknown("engine", CLUSTER_UNDECIDED)
        elif verdict is False:
            yield db.finding("multi_az", f"DB instance {db.address} runs in one Availability Zone "
                             f"({db.setting('multi_az', False)}"
                             f"{'' if db.has('multi_az') else ', the default'}): "
                             "a zone outage takes the database down")
        elif verdict is None:
            yield db.unknown("multi_az", f"{db.native('multi_az')} depends on a value walint cannot resolve")


RULES = [rds_multi_az]

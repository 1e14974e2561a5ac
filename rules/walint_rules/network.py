"""Network architecture: zones, subnet tiers, placement and NAT routing (RULES.md §2.1-2.3).

Every rule here reasons over the topology (`walint.api.tier_of`, `zone_of`, `placement`,
`nat_route`...) rather than one attribute at a time, and names in its message and its
related locations the chain that proves a finding: subnet, association, route table,
route, NAT gateway, zone.
"""
from walint.api import (ISOLATED, PRIVATE, PUBLIC, UNKNOWN, ExternalSubnet, Related,
                        Unknown, as_bool, as_int, decide, default_routes, distinct_zones,
                        is_regional, nat_route, nat_subnet, options, placement,
                        placement_zones, rule, same_zone, severity, subnet_list, table_notes, tier_of,
                        vpc_key, vpc_of, Zone, zone_label, zone_of, zone_of_value, zones_text)

from walint_rules._data import counted_members

_WORDS = {"db_instance": "DB instance", "db_cluster": "DB cluster", "cache_rg": "ElastiCache replication group",
          "cache_cluster": "ElastiCache cluster", "efs": "EFS file system", "efs_mount_target": "EFS mount target",
          "opensearch": "OpenSearch domain", "redshift": "Redshift cluster", "docdb_cluster": "DocumentDB cluster",
          "msk_cluster": "MSK cluster",
          "ecs_service": "ECS service", "lambda": "Lambda function", "asg": "Auto Scaling group",
          "lb": "load balancer", "db_subnet_group": "DB subnet group",
          "cache_subnet_group": "cache subnet group", "launch_template": "launch template"}


def _what(r) -> str:
    return f"{_WORDS.get(r.kind, r.kind.replace('_', ' '))} {r.address}"


def _lower(v):
    return v.lower() if isinstance(v, str) else v


def _all(n) -> str:
    return "both" if n == 2 else f"all {n}"


def _zones_text(zones) -> str:
    return zones_text(zones)


# ---------------------------------------------------------------------------------------
# multi-az
# ---------------------------------------------------------------------------------------

def _is_aurora_engine(cluster):
    engine = cluster.get("engine", "aurora")
    return decide(engine, lambda e: isinstance(e, str) and e.lower().startswith("aurora"))


def _members(graph, cluster):
    """(members, doubtful): db_instance nodes of the cluster, and whether some other
    instance might belong to it (its cluster reference cannot be followed)."""
    members, doubtful = [], False
    names = {cluster.get("cluster_identifier")} - {None}
    for db in graph.resources("db_instance"):
        if db.scope != cluster.scope or not db.has("cluster_identifier"):
            continue
        raw = db.get("cluster_identifier")
        target = graph.deref(db, raw)
        if target is cluster or (isinstance(raw, str) and raw in names):
            members.append(db)
        elif target is None and not isinstance(raw, str):
            doubtful = True
    return members, doubtful


@rule(id="WAL-MAZ-002", name="aurora-multi-az", title="Aurora cluster has writer + reader in ≥2 AZs",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01", "REL11-BP02"),
      severity=severity(development="off", mvp="warning", production="error", regulated="error"))
def aurora_multi_az(graph):
    """An Aurora DB cluster has at least two DB instances (a writer and a reader) in at
    least two Availability Zones, so a failed writer or zone fails over to a reader.

    ## Why
    Aurora storage spans three zones by itself, but compute does not: a cluster with one
    instance has nothing to fail over to. When the writer or its zone fails, Aurora has
    to create a new instance, which takes about ten minutes, against about thirty
    seconds when a reader in another zone is promoted (REL10-BP01 deploy the workload
    to multiple locations, REL11-BP02 fail over to healthy resources). Members are
    counted after count/for_each expansion; members without an explicit zone are
    spread by RDS over the subnet group's zones. A Multi-AZ DB cluster (non-Aurora
    engine with `db_cluster_instance_class`) always has three zones and passes;
    Aurora Serverless v1 (`engine_mode = "serverless"`) has no failover target and fails.

    ## Default
    Nothing creates instances for you: a cluster with no `AWS::RDS::DBInstance` /
    `aws_rds_cluster_instance` pointing at it has no compute at all.

    ## Example
    ```yaml
    Resources:
      Cluster:
        Type: AWS::RDS::DBCluster
        Properties:
          Engine: aurora-postgresql
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
      Writer:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: aurora-postgresql
          DBClusterIdentifier: !Ref Cluster
          DBInstanceClass: db.r6g.large
    ```
    ```hcl
    resource "aws_rds_cluster" "main" {
      cluster_identifier          = "orders"
      engine                      = "aurora-postgresql"
      master_username             = "app"
      manage_master_user_password = true
      storage_encrypted           = true
    }

    resource "aws_rds_cluster_instance" "main" {
      count              = 1
      cluster_identifier = aws_rds_cluster.main.id
      engine             = aws_rds_cluster.main.engine
      instance_class     = "db.r6g.large"
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
      Writer:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: aurora-postgresql
          DBClusterIdentifier: !Ref Cluster
          DBInstanceClass: db.r6g.large
          AvailabilityZone: !Select [0, !GetAZs ""]
      Reader:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: aurora-postgresql
          DBClusterIdentifier: !Ref Cluster
          DBInstanceClass: db.r6g.large
          AvailabilityZone: !Select [1, !GetAZs ""]
    ```
    ```hcl
    data "aws_availability_zones" "available" {}

    resource "aws_rds_cluster" "main" {
      cluster_identifier          = "orders"
      engine                      = "aurora-postgresql"
      master_username             = "app"
      manage_master_user_password = true
      storage_encrypted           = true
    }

    resource "aws_rds_cluster_instance" "main" {
      count              = 2
      cluster_identifier = aws_rds_cluster.main.id
      engine             = aws_rds_cluster.main.engine
      instance_class     = "db.r6g.large"
      availability_zone  = data.aws_availability_zones.available.names[count.index]
    }
    ```

    ## Trade-off
    The reader costs as much as the writer (a db.r6g.large is roughly 190 USD a month in
    us-east-1), but it also serves read traffic. In `mvp` a single-instance cluster is a
    warning, in `development` the rule is off.
    """
    for cluster in graph.resources("db_cluster"):
        aurora = _is_aurora_engine(cluster)
        if aurora is None:
            yield cluster.unknown("engine", "the engine is unknown, so whether the cluster is Aurora is unknown")
            continue
        if aurora is False:
            continue          # Multi-AZ DB clusters (db_cluster_instance_class) span three zones
        mode = cluster.get("engine_mode", "provisioned")
        serverless = decide(mode, lambda m: isinstance(m, str) and m.lower() == "serverless")
        if serverless is True:
            yield cluster.finding("engine_mode", f"Aurora cluster {cluster.address} is Serverless v1, which "
                                  "has no reader to fail over to: a failure means waiting for a new "
                                  "capacity unit in another zone (use provisioned or Serverless v2 "
                                  "instances, at least two)")
            continue
        if serverless is None:
            yield cluster.unknown("engine_mode", "the engine mode is unknown")
            continue
        members, doubtful = _members(graph, cluster)
        sure, why = counted_members(members, doubtful)
        if why:
            yield cluster.unknown(None, why)
            continue
        if len(sure) < 2:
            have = "no instance" if not members else f"1 instance ({members[0].address})"
            yield cluster.finding(None, f"Aurora cluster {cluster.address} has {have}: when the writer or "
                                  "its zone fails there is no reader to promote, and recovery waits for "
                                  "a new instance (about 10 minutes instead of about 30 seconds)",
                                  related=[Related(m, (), "the only cluster instance") for m in members],
                                  key="instances")
            continue
        explicit = [m for m in sure if m.has("availability_zone")]
        if len(explicit) == len(sure):
            zones = [zone_of_member(graph, m) for m in sure]
            lo, hi = distinct_zones(zones)
            if hi < 2:
                yield cluster.finding(None, f"{_all(len(sure))} instances of Aurora cluster {cluster.address} "
                                      f"are in {_zones_text(zones)}: a zone outage takes the writer and "
                                      "every reader down together",
                                      related=[Related(m, ("availability_zone",), f"instance in {zone_label(z)}")
                                               for m, z in zip(sure, zones)], key="zones")
            elif lo < 2:
                yield cluster.unknown(None, "the zones of the cluster's instances are unknown")
            continue
        p = placement(graph, cluster)
        if p.missing:
            continue      # WAL-NET-001 reports the default VPC; RDS spreads over its subnets
        lo, hi = distinct_zones(placement_zones(graph, p))
        if hi < 2 and not p.unknown and p.subnets:
            yield cluster.finding(None, f"the instances of Aurora cluster {cluster.address} can only be "
                                  f"placed in one zone: its subnet group covers a single zone",
                                  related=p.related(), key="zones")
        elif lo < 2:
            yield cluster.unknown(None, "the zones of the cluster's subnet group are unknown")


def zone_of_member(graph, member):
    return zone_of_value(graph, member, member.get("availability_zone"))


def _cache_engine_applies(r):
    engine = r.get("engine", "redis")
    return decide(engine, lambda e: isinstance(e, str) and e.lower() in ("redis", "valkey"))


def _replicas(rg):
    """(value, attribute) of the number of replicas per shard of a replication group."""
    if rg.has("num_cache_clusters"):
        n = rg.get("num_cache_clusters")
        return [None if as_int(v) is None else as_int(v) - 1 for v in options(n)], "num_cache_clusters"
    for attr in ("replicas_per_node_group", "cluster_mode.replicas_per_node_group"):
        if rg.has(attr):
            return [as_int(v) for v in options(rg.get(attr))], attr
    groups = rg.get("node_group_configuration")
    if isinstance(groups, list) and groups:
        counts = []
        for g in groups:
            if isinstance(g, dict) and "replica_count" in g:
                counts.append(as_int(g["replica_count"]))
            else:
                counts.append(0)
        known = [c for c in counts if c is not None]
        if len(known) < len(counts):
            return [None], "node_group_configuration"
        return [min(counts)], "node_group_configuration"
    if rg.has("num_node_groups") or rg.has("cluster_mode"):
        return [None], "replicas_per_node_group"    # cluster mode without a replica count
    return [0], ""                                   # one node: NumCacheClusters defaults to 1


@rule(id="WAL-MAZ-003", name="elasticache-multi-az",
      title="ElastiCache Redis/Valkey has replica, auto-failover and Multi-AZ",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01", "REL11-BP02"),
      severity=severity(development="off", mvp="note", production="error", regulated="error"),
      checkov=("CKV2_AWS_50",))
def elasticache_multi_az(graph):
    """An ElastiCache Redis or Valkey replication group has at least one replica, automatic
    failover and Multi-AZ enabled; a standalone Redis/Valkey cache cluster (one node)
    fails.

    ## Why
    Without a replica in another zone, losing the primary node or its zone loses the
    cache: sessions, rate-limit counters and queues held there are gone and the
    application falls back to the database at the worst moment. With a replica,
    automatic failover and Multi-AZ, ElastiCache promotes the replica in another zone
    in about a minute (REL10-BP01, REL11-BP02). Memcached has no replication and is out
    of scope.

    ## Default
    `AutomaticFailoverEnabled` / `automatic_failover_enabled` and `MultiAZEnabled` /
    `multi_az_enabled` default to false; `NumCacheClusters` / `num_cache_clusters`
    defaults to 1 (no replica).

    ## Example
    ```yaml
    Resources:
      Sessions:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties:
          ReplicationGroupDescription: sessions
          Engine: redis
          CacheNodeType: cache.t3.micro
          NumCacheClusters: 1
    ```
    ```hcl
    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id = "sessions"
      description          = "sessions"
      engine               = "redis"
      node_type            = "cache.t3.micro"
      num_cache_clusters   = 1
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Sessions:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties:
          ReplicationGroupDescription: sessions
          Engine: redis
          CacheNodeType: cache.t3.micro
          NumCacheClusters: 2
          AutomaticFailoverEnabled: true
          MultiAZEnabled: true
    ```
    ```hcl
    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id       = "sessions"
      description                = "sessions"
      engine                     = "redis"
      node_type                  = "cache.t3.micro"
      num_cache_clusters         = 2
      automatic_failover_enabled = true
      multi_az_enabled           = true
    }
    ```

    ## Trade-off
    The replica doubles the node cost (a cache.t3.micro is about 12 USD a month, a
    cache.r6g.large about 150 USD). The startup lens accepts a single cache node for an
    MVP, so `mvp` reports a note; `development` is off.
    """
    for rg in graph.resources("cache_rg"):
        applies = _cache_engine_applies(rg)
        if applies is False:
            continue
        if applies is None:
            yield rg.unknown("engine", "the engine is unknown")
            continue
        failing, unknown, anchors = [], [], []
        for attr, words in (("automatic_failover_enabled", "automatic failover is off"),
                            ("multi_az_enabled", "Multi-AZ is off")):
            v = decide(rg.get(attr, False), as_bool)
            if v is False:
                failing.append(words)
                anchors.append(attr if rg.has(attr) else None)
            elif v is None:
                unknown.append(attr)
        counts, attr = _replicas(rg)
        if any(c is None for c in counts):
            unknown.append(attr or "replicas")
        elif min(counts) < 1:
            failing.append("there is no replica" if not attr else f"there is no replica ({attr})")
            anchors.append(attr if attr and rg.has(attr) else None)
        # the first failing sub-condition, where it is written; a default: the resource line
        anchor = anchors[0] if anchors else None
        if failing:
            yield rg.finding(anchor, f"ElastiCache replication group {rg.address} cannot fail over to "
                             f"another zone: {'; '.join(failing)}. Losing the primary node or its "
                             "zone loses the cache until a new node is built",
                             key="failover")
        elif unknown:
            yield rg.unknown(unknown[0], f"{', '.join(unknown)} cannot be resolved")
    for cc in graph.resources("cache_cluster"):
        if cc.has("replication_group_id"):
            continue
        applies = _cache_engine_applies(cc) if cc.has("engine") else None
        if applies is None:
            if cc.has("engine"):
                yield cc.unknown("engine", "the engine is unknown")
            continue
        if applies:
            yield cc.finding("engine", f"ElastiCache cluster {cc.address} is a single Redis/Valkey node "
                             "with no replica and no failover: losing the node or its zone loses the "
                             "cache (use a replication group with a replica in another zone)",
                             key="standalone")


def _tier_groups(graph):
    groups = {}
    for s in graph.resources("subnet"):
        groups.setdefault(vpc_key(graph, s), []).append(s)
    return groups


@rule(id="WAL-MAZ-004", name="subnet-tiers-multi-az", title="Every subnet tier of a VPC spans ≥2 AZs",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01", "REL02-BP03"),
      severity=severity(development="off", mvp="warning", production="error", regulated="error"))
def subnet_tiers_multi_az(graph):
    """Each subnet tier of a VPC (public, private, isolated: decided from the route
    tables, not from names) has subnets in at least two Availability Zones.

    ## Why
    A tier that lives in one zone makes everything placed in it single-zone too: the
    load balancer, the services and the databases can only be as available as the
    subnets they are given (REL10-BP01; REL02-BP03 plan subnets for expansion and
    availability). Tiers come from routing: a subnet with a default route to an
    internet gateway is public, one through a NAT gateway (or another intermediary) is
    private, one with no default route is isolated. A subnet whose tier cannot be
    decided is left out, and the rule stays silent if it could change the verdict.

    ## Default
    A subnet with no `AvailabilityZone` gets one picked by EC2: walint treats its zone as
    unknown (never equal, never different).

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      DataSubnetA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.20.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "data" {
      vpc_id            = aws_vpc.main.id
      cidr_block        = "10.0.20.0/24"
      availability_zone = "us-east-1a"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      DataSubnetA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.20.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      DataSubnetB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.21.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
    ```
    ```hcl
    data "aws_availability_zones" "available" {}

    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "data" {
      count             = 2
      vpc_id            = aws_vpc.main.id
      cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, 20 + count.index)
      availability_zone = data.aws_availability_zones.available.names[count.index]
    }
    ```

    ## Trade-off
    Subnets cost nothing; what a second zone costs is what you run in it. `development`
    is single-zone by design (the rule is off), `mvp` reports a warning.
    """
    for table in graph.resources("route_table"):
        for note in table_notes(graph, table):
            yield table.finding(None, note, severity="note", key="mixed-routes")
    for key, subnets in sorted(_tier_groups(graph).items(), key=lambda kv: kv[0]):
        tiers = {id(s): tier_of(graph, s) for s in subnets}
        for s in subnets:
            for note in tiers[id(s)].notes:
                yield s.finding(None, note, severity="note", key="associations")
        undecided = [s for s in subnets if tiers[id(s)].tier == UNKNOWN]
        for name in (PUBLIC, PRIVATE, ISOLATED):
            members = [s for s in subnets if tiers[id(s)].tier == name]
            if not members:
                continue
            zones = [zone_of(graph, s) for s in members]
            lo, hi = distinct_zones(zones)
            if hi >= 2:
                if lo < 2:
                    yield members[0].unknown("availability_zone", f"the zones of the {name} subnets are unknown")
                continue
            could_change = [u for u in undecided if same_zone(zone_of(graph, u), zones[0]) is not True]
            if could_change:
                yield members[0].unknown(None, f"the {name} tier may have more subnets: the tier of "
                                         f"{could_change[0].address} is unknown ({tiers[id(could_change[0])].reason})")
                continue
            anchor = members[0]
            zone = _zones_text(zones)
            vpc = vpc_of(graph, anchor)
            where = f"VPC {vpc.address}" if vpc is not None else "the VPC"
            if len(members) == 1:
                spread = f"a single subnet ({anchor.address}, {zone})"
            else:
                spread = f"{_all(len(members))} of its subnets in one zone ({zone})"
            yield anchor.finding("availability_zone" if anchor.has("availability_zone") else None,
                                 f"the {name} tier of {where} has {spread}: "
                                 f"a zone outage takes down everything placed in {name} subnets "
                                 f"({tiers[id(anchor)].describe()})",
                                 related=[Related(s, ("availability_zone",), f"{name} subnet in {zone}")
                                          for s in members[1:]] + tiers[id(anchor)].related(with_subnet=False),
                                 key=f"tier:{name}")


def _efs_one_zone(efs):
    return efs.has("availability_zone_name")


_PLACED = (("db_subnet_group", "subnet_ids"), ("cache_subnet_group", "subnet_ids"))


@rule(id="WAL-MAZ-005", name="placement-multi-az", title="Placement groups of subnets span ≥2 AZs",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01",),
      severity=severity(development="off", mvp="warning", production="error", regulated="error"))
def placement_multi_az(graph):
    """Each list of subnets a workload is placed in (DB and cache subnet groups, ECS
    services, Auto Scaling groups, load balancers, EFS mount targets) covers at least two
    Availability Zones; a One Zone EFS file system fails.

    ## Why
    Multi-AZ settings only help if the placement allows them: a Multi-AZ database whose
    subnet group covers one zone, or an ECS service given subnets of one zone, goes
    down with that zone (REL10-BP01). The RDS API also rejects a DB subnet group that
    covers fewer than two zones, and an ALB needs two: here the mistake is a deployment
    failure, found before deploying. A list with one element fails; a longer list fails
    only when every zone is known and all are the same.

    ## Default
    A subnet list walint cannot read (a variable with no value, a module output, an
    import) is unknown, not a finding.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      DataA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.20.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      DataA2:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.22.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      DbSubnets:
        Type: AWS::RDS::DBSubnetGroup
        Properties:
          DBSubnetGroupDescription: data
          SubnetIds: [!Ref DataA, !Ref DataA2]
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "data" {
      count             = 2
      vpc_id            = aws_vpc.main.id
      cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, 20 + count.index)
      availability_zone = "us-east-1a"
    }

    resource "aws_db_subnet_group" "data" {
      name       = "data"
      subnet_ids = aws_subnet.data[*].id
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      DataA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.20.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      DataB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.21.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      DbSubnets:
        Type: AWS::RDS::DBSubnetGroup
        Properties:
          DBSubnetGroupDescription: data
          SubnetIds: [!Ref DataA, !Ref DataB]
    ```
    ```hcl
    data "aws_availability_zones" "available" {}

    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "data" {
      count             = 2
      vpc_id            = aws_vpc.main.id
      cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, 20 + count.index)
      availability_zone = data.aws_availability_zones.available.names[count.index]
    }

    resource "aws_db_subnet_group" "data" {
      name       = "data"
      subnet_ids = aws_subnet.data[*].id
    }
    ```

    ## Trade-off
    Listing a second zone's subnets costs nothing by itself; a One Zone EFS file system
    is about 47% cheaper than a Regional one, which is why `development` turns the rule
    off and `mvp` warns.
    """
    checks = []
    for kind, attr in _PLACED:
        for group in graph.resources(kind):
            entries, reason = subnet_list(graph, group, attr)
            checks.append((group, attr, entries, reason, [], []))
    for kind in ("ecs_service", "asg", "lb"):
        for r in graph.resources(kind):
            p = placement(graph, r)
            if p.missing or (not p.subnets and not p.zones and not p.unknown):
                continue
            if kind == "ecs_service" and not r.has("subnets"):
                continue
            checks.append((r, p.attr, p.subnets, p.unknown, p.zones, []))
    for efs in graph.resources("efs"):
        if _efs_one_zone(efs):
            yield efs.finding("availability_zone_name", f"EFS file system {efs.address} is One Zone "
                              f"({zone_label(zone_of_efs(graph, efs))}): its data is stored in a single zone "
                              "and is unavailable, or lost, when that zone fails", key="one-zone")
            continue
        p = placement(graph, efs)
        if p.subnets:
            checks.append((efs, None, p.subnets, "", [], p.via))
    for holder, attr, entries, reason, direct, via in checks:
        zones = list(direct)
        for e in entries:
            if isinstance(e, ExternalSubnet):
                zones.append(_unknown_zone(e.reason, many=False))
            elif isinstance(e, Unknown):
                zones.append(_unknown_zone(e.reason, many=True))
            else:
                zones.append(zone_of(graph, e))
        if reason:
            zones.append(_unknown_zone(reason, many=True))
        if not zones:
            continue
        lo, hi = distinct_zones(zones)
        if hi >= 2:
            if lo < 2:
                yield holder.unknown(attr, "the zones of its subnets are unknown")
            continue
        subnets = [e for e in entries if not isinstance(e, Unknown)]
        zone = _zones_text(zones)
        n = len(zones)
        listed = "its only subnet is" if n == 1 else f"{_all(n)} of its subnets are"
        if direct:
            listed = "its only zone is" if n == 1 else f"{_all(n)} of its zones are"
        extra = ""
        if holder.kind == "db_subnet_group":
            extra = "; the RDS API also rejects a DB subnet group that covers fewer than two zones"
        elif holder.kind == "lb":
            extra = "; an Application Load Balancer needs subnets in at least two zones"
        related = [Related(s, ("availability_zone",) if s.has("availability_zone") else (),
                           f"subnet in {zone_label(zone_of(graph, s))}") for s in subnets]
        related += [Related(m, ("subnet_id",), "mount target") for m in via]
        yield holder.finding(attr, f"{_what(holder)} can only run in one zone: {listed} in {zone}; a zone "
                             f"outage takes it down{extra}", related=related, key="zones")


def _unknown_zone(reason, many):
    return Zone("unknown", reason, many=many)


def zone_of_efs(graph, efs):
    return zone_of_value(graph, efs, efs.get("availability_zone_name"))


# ---------------------------------------------------------------------------------------
# private-data-subnet / public-access
# ---------------------------------------------------------------------------------------

_GROUP_ATTR = {"db_instance": "db_subnet_group_name", "db_cluster": "db_subnet_group_name",
               "docdb_cluster": "db_subnet_group_name", "cache_rg": "subnet_group_name",
               "cache_cluster": "subnet_group_name", "redshift": "cluster_subnet_group_name",
               "opensearch": "vpc_options.subnet_ids", "msk_cluster": "broker_node_group_info.client_subnets"}


def _data_stores(graph):
    """(store, placement, anchor attribute) for each data store that decides its own placement."""
    out = []
    for r in graph.resources("db_instance", "db_cluster", "docdb_cluster", "cache_rg", "cache_cluster",
                             "redshift", "opensearch", "msk_cluster", "efs"):
        if r.kind == "db_instance" and r.has("cluster_identifier") and (
                not r.has("db_subnet_group_name") or _cluster_of(graph, r) is not None):
            continue      # an Aurora member: its cluster's subnet group is checked on the cluster
        if r.kind == "db_instance" and r.has("replicate_source_db") and not r.has("db_subnet_group_name"):
            continue      # a same-region read replica: placed like its source
        if r.kind == "cache_cluster" and r.has("replication_group_id"):
            continue
        if r.kind == "opensearch" and not r.has("vpc_options"):
            continue      # not in a VPC: a public endpoint, not a subnet placement
        if r.kind == "redshift" and not r.has("cluster_subnet_group_name"):
            continue
        p = placement(graph, r)
        out.append((r, p, _GROUP_ATTR.get(r.kind)))
    return out


def _cluster_of(graph, db):
    raw = db.get("cluster_identifier")
    target = graph.deref(db, raw)
    if target is not None and target.kind == "db_cluster":
        return target
    if isinstance(raw, str):
        for c in graph.resources("db_cluster"):
            if c.scope == db.scope and c.get("cluster_identifier") == raw:
                return c
    return None


def _by_mount_target(graph, efs, pairs):
    """(mount target, (subnet, tier)) for each mount target of `efs` in one of the subnets."""
    out = []
    for m in graph.referrers(efs, kind="efs_mount_target", via="file_system_id"):
        target = graph.deref(m, m.get("subnet_id"))
        for s, t in pairs:
            if target is s:
                out.append((m, (s, t)))
                break
    return out


def _egress_words(t):
    if t.via == "eigw":
        return "IPv6 internet egress via an egress-only internet gateway"
    if t.via == "natgw":
        return "internet egress via NAT"
    return f"a default route through a {t.decisive.target_label if t.decisive else t.via}"


@rule(id="WAL-NET-001", name="data-store-private-subnet",
      title="Data stores are not in public subnets or the default VPC",
      pillar="security", category="private-data-subnet", best_practice=("SEC05-BP01",),
      severity=severity(development="error", mvp="error", production="error", regulated="error"),
      checkov=("CKV_AWS_323",))
def data_store_private_subnet(graph):
    """Databases (RDS, Aurora, DocumentDB, Redshift), caches, OpenSearch VPC domains, MSK
    brokers and file systems are not placed in public subnets (subnets whose route table
    sends 0.0.0.0/0 or ::/0 to an internet gateway), nor in the default VPC because they
    name no subnet group.

    ## Why
    A data store in a public subnet is one security-group rule or one
    `publicly_accessible` flag away from the internet; the foundation keeps data in
    isolated subnets behind the application tier (SEC05-BP01 create network layers).
    Whether a subnet is public is decided from its effective route table (explicit
    association, else the VPC main table), following the route to the gateway it
    targets, not from its name or `MapPublicIpOnLaunch`. RDS without a DB subnet group
    and ElastiCache without a cache subnet group land in the default VPC, whose
    subnets are all public. Aurora instances use their cluster's subnet group, so the
    cluster carries the finding.

    ## Default
    `DBSubnetGroupName` / `db_subnet_group_name` absent: the default VPC.
    `CacheSubnetGroupName` / `subnet_group_name` absent: the default subnet group of the
    default VPC.

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
          StorageEncrypted: true
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      storage_encrypted           = true
      skip_final_snapshot         = true
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      DataA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.20.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      DataB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.21.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      DbSubnets:
        Type: AWS::RDS::DBSubnetGroup
        Properties:
          DBSubnetGroupDescription: isolated data subnets
          SubnetIds: [!Ref DataA, !Ref DataB]
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
          DBSubnetGroupName: !Ref DbSubnets
    ```
    ```hcl
    data "aws_availability_zones" "available" {}

    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "data" {
      count             = 2
      vpc_id            = aws_vpc.main.id
      cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, 20 + count.index)
      availability_zone = data.aws_availability_zones.available.names[count.index]
    }

    resource "aws_route_table" "data" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table_association" "data" {
      count          = 2
      subnet_id      = aws_subnet.data[count.index].id
      route_table_id = aws_route_table.data.id
    }

    resource "aws_db_subnet_group" "data" {
      name       = "data"
      subnet_ids = aws_subnet.data[*].id
    }

    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      storage_encrypted           = true
      skip_final_snapshot         = true
      db_subnet_group_name        = aws_db_subnet_group.data.name
    }
    ```
    """
    for store, p, attr in _data_stores(graph):
        if p.missing:
            if store.kind in ("db_instance", "db_cluster", "cache_rg", "cache_cluster", "docdb_cluster"):
                yield store.finding(None, f"{_what(store)} names no subnet group, so it is placed in the "
                                    "default VPC, whose subnets are all public: nothing but a security "
                                    "group separates it from the internet (create a subnet group of "
                                    "isolated data subnets)", key="default-vpc",
                                    # RULES.md: a warning, not an error, in development
                                    severity="warning" if graph.profile_of(store) == "development" else None)
            continue
        public, doubtful = [], []
        for s in p.subnets:
            if isinstance(s, Unknown):
                doubtful.append(s.reason)
                continue
            t = tier_of(graph, s)
            if t.tier == PUBLIC:
                public.append((s, t))
            elif t.tier == UNKNOWN:
                doubtful.append(t.reason)
        if p.unknown:
            doubtful.append(p.unknown)
        if public and store.kind == "efs":
            for mount, (s, t) in _by_mount_target(graph, store, public):
                yield mount.finding("subnet_id", f"mount target {mount.address} of {_what(store)} is in public "
                                    f"subnet {s.address} ({t.describe()}): the file system is one "
                                    "security-group rule away from the internet; mount it in isolated "
                                    "data subnets", related=t.related(), key="public-subnet")
        elif public:
            s, t = public[0]
            names = ", ".join(x.address for x, _ in public)
            yield store.finding(attr, f"{_what(store)} is placed in public subnet"
                                f"{'s' if len(public) > 1 else ''} {names} ({t.describe()}): "
                                "a data store there is one security-group rule or public flag away "
                                "from the internet; place it in isolated data subnets",
                                related=p.related() + t.related(), key="public-subnet")
        elif doubtful:
            yield store.unknown(attr, f"the tier of its subnets is unknown: {doubtful[0]}")


@rule(id="WAL-NET-002", name="data-subnet-isolated", title="Data subnets are isolated (no default route)",
      pillar="security", category="private-data-subnet", best_practice=("SEC05-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"))
def data_subnet_isolated(graph):
    """The subnets data stores are placed in have no default route at all (the
    foundation's isolated data tier): not even internet egress through a NAT gateway.

    ## Why
    A database has no reason to open connections to the internet. A default route via
    NAT gives a compromised database, or a malicious extension, a path to send data
    out, and makes the data tier's network boundary depend on security-group egress
    rules alone (SEC05-BP01). Data subnets should route only locally (plus VPC
    endpoints and prefix lists). Public data subnets are reported by WAL-NET-001 and
    are not repeated here; an IPv6-only egress (`::/0` to an egress-only internet
    gateway) counts as egress.

    ## Default
    A CloudFormation subnet with no route table association uses the VPC main route
    table, which holds only the local route: isolated.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      Nat:
        Type: AWS::EC2::NatGateway
        Properties:
          ConnectivityType: private
          SubnetId: !Ref DataA
      DataA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.20.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      DataB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.21.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      DataRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      DataDefault:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref DataRoutes
          DestinationCidrBlock: 0.0.0.0/0
          NatGatewayId: !Ref Nat
      DataAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref DataA
          RouteTableId: !Ref DataRoutes
      DataBAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref DataB
          RouteTableId: !Ref DataRoutes
      DbSubnets:
        Type: AWS::RDS::DBSubnetGroup
        Properties:
          DBSubnetGroupDescription: data
          SubnetIds: [!Ref DataA, !Ref DataB]
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
          DBSubnetGroupName: !Ref DbSubnets
    ```
    ```hcl
    data "aws_availability_zones" "available" {}

    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "data" {
      count             = 2
      vpc_id            = aws_vpc.main.id
      cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, 20 + count.index)
      availability_zone = data.aws_availability_zones.available.names[count.index]
    }

    resource "aws_nat_gateway" "egress" {
      connectivity_type = "private"
      subnet_id         = aws_subnet.data[0].id
    }

    resource "aws_route_table" "data" {
      vpc_id = aws_vpc.main.id

      route {
        cidr_block     = "0.0.0.0/0"
        nat_gateway_id = aws_nat_gateway.egress.id
      }
    }

    resource "aws_route_table_association" "data" {
      count          = 2
      subnet_id      = aws_subnet.data[count.index].id
      route_table_id = aws_route_table.data.id
    }

    resource "aws_db_subnet_group" "data" {
      name       = "data"
      subnet_ids = aws_subnet.data[*].id
    }

    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      storage_encrypted           = true
      skip_final_snapshot         = true
      db_subnet_group_name        = aws_db_subnet_group.data.name
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      DataA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.20.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      DataB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.21.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      DataRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      DataAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref DataA
          RouteTableId: !Ref DataRoutes
      DataBAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref DataB
          RouteTableId: !Ref DataRoutes
      DbSubnets:
        Type: AWS::RDS::DBSubnetGroup
        Properties:
          DBSubnetGroupDescription: data
          SubnetIds: [!Ref DataA, !Ref DataB]
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
          DBSubnetGroupName: !Ref DbSubnets
    ```
    ```hcl
    data "aws_availability_zones" "available" {}

    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "data" {
      count             = 2
      vpc_id            = aws_vpc.main.id
      cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, 20 + count.index)
      availability_zone = data.aws_availability_zones.available.names[count.index]
    }

    resource "aws_route_table" "data" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table_association" "data" {
      count          = 2
      subnet_id      = aws_subnet.data[count.index].id
      route_table_id = aws_route_table.data.id
    }

    resource "aws_db_subnet_group" "data" {
      name       = "data"
      subnet_ids = aws_subnet.data[*].id
    }

    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      storage_encrypted           = true
      skip_final_snapshot         = true
      db_subnet_group_name        = aws_db_subnet_group.data.name
    }
    ```
    """
    for store, p, attr in _data_stores(graph):
        if p.missing:
            continue
        egress, doubtful, public = [], [], False
        for s in p.subnets:
            if isinstance(s, Unknown):
                doubtful.append(s.reason)
                continue
            t = tier_of(graph, s)
            if t.tier == PRIVATE or (t.tier == ISOLATED and t.egress_v6):
                egress.append((s, t))
            elif t.tier == PUBLIC:
                public = True
            elif t.tier == UNKNOWN:
                doubtful.append(t.reason)
        if p.unknown:
            doubtful.append(p.unknown)
        if egress:
            s, t = egress[0]
            how = _egress_words(t)
            names = ", ".join(x.address for x, _ in egress)
            if store.kind == "efs":
                for mount, (sub, tier) in _by_mount_target(graph, store, egress):
                    yield mount.finding("subnet_id", f"data subnet {sub.address} of mount target {mount.address} "
                                        f"({_what(store)}) has {_egress_words(tier)} ({tier.describe()}): "
                                        "data subnets should have no default route",
                                        related=tier.related(), key="egress")
                continue
            yield store.finding(attr, f"data subnet{'s' if len(egress) > 1 else ''} {names} of "
                                f"{_what(store)} {'have' if len(egress) > 1 else 'has'} {how} "
                                f"({t.describe()}): a compromised data store can send data out; data "
                                "subnets should have no default route",
                                related=p.related() + t.related(), key="egress")
        elif doubtful and not public:
            yield store.unknown(attr, f"the tier of its subnets is unknown: {doubtful[0]}")


@rule(id="WAL-NET-003", name="rds-not-public", title="RDS instances are not publicly accessible",
      pillar="security", category="public-access", best_practice=("SEC05-BP01",),
      severity=severity(development="error", mvp="error", production="error", regulated="error"),
      checkov=("CKV_AWS_17",))
def rds_not_public(graph):
    """An RDS DB instance (including Aurora cluster instances) is not publicly
    accessible: it gets no public DNS name resolving to a public IP.

    ## Why
    `PubliclyAccessible` gives the instance a public IP address. In a public subnet the
    database's port is then exposed to the internet, guarded by a security group alone:
    the exact pattern behind many database leaks (SEC05-BP01). Databases are reached
    from the application tier over private addresses.

    ## Default
    Terraform `publicly_accessible` defaults to false. In CloudFormation the default
    depends on the network: with no `DBSubnetGroupName` the instance goes to the default
    VPC and is publicly accessible by default, so that case fails (`source: default`);
    otherwise it is private.

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
          PubliclyAccessible: true
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      skip_final_snapshot         = true
      publicly_accessible         = true
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
          PubliclyAccessible: false
          DBSubnetGroupName: data-subnets
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      skip_final_snapshot         = true
      publicly_accessible         = false
    }
    ```
    """
    for db in graph.resources("db_instance"):
        if db.has("publicly_accessible"):
            v = decide(db.get("publicly_accessible"), as_bool)
            if v is True:
                yield db.finding("publicly_accessible", f"DB instance {db.address} is publicly accessible: it "
                                 "gets a public IP, and in a public subnet its port is exposed to the "
                                 "internet behind its security group alone", key="public")
            elif v is None:
                yield db.unknown("publicly_accessible", "publicly_accessible cannot be resolved")
            continue
        if db.format != "cloudformation" or db.has("db_subnet_group_name"):
            continue
        if db.has("cluster_identifier"):
            cluster = graph.deref(db, db.get("cluster_identifier"))
            if cluster is None or cluster.has("db_subnet_group_name"):
                continue
        if db.has("replicate_source_db"):
            continue
        yield db.finding(None, f"DB instance {db.address} sets neither PubliclyAccessible nor "
                         "DBSubnetGroupName: it is created in the default VPC and is publicly "
                         "accessible by default (source: default)", key="public-default")


def _endpoint_services(graph, vpc):
    """(names, doubtful) of the interface endpoints' service suffixes in a VPC."""
    names, doubtful = set(), False
    for ep in graph.resources("vpc_endpoint"):
        if vpc is None or vpc_of(graph, ep) is not vpc:
            continue
        name = ep.get("service_name")
        if isinstance(name, str):
            for suffix in ("ecr.api", "ecr.dkr", "logs"):
                if name.endswith("." + suffix):
                    names.add(suffix)
        else:
            doubtful = True
    return names, doubtful


def _public_ip_on(value):
    return decide(value, lambda v: (v is True) or (isinstance(v, str) and v.strip().upper() in ("ENABLED", "TRUE")))


def _launch_configs(graph, asg):
    out = []
    for e in graph.references(asg):
        if e.target.kind == "launch_template" and e.target not in out:
            out.append(e.target)
    return out


@rule(id="WAL-NET-004", name="app-tier-private",
      title="App tier (ECS/Lambda/ASG) runs in private subnets without public IPs",
      pillar="security", category="private-data-subnet", best_practice=("SEC05-BP01",),
      severity=severity(development="warning", mvp="warning", production="error", regulated="error"),
      checkov=("CKV_AWS_333", "CKV_AWS_88"))
def app_tier_private(graph):
    """ECS services, VPC Lambda functions and Auto Scaling groups run in private subnets
    and get no public IP address; only the load balancer faces the internet.

    ## Why
    The foundation's request path is internet -> ALB (public subnets) -> ECS tasks
    (private subnets) -> data. A task with a public IP in a public subnet can be
    reached directly, bypassing the load balancer, its TLS and its WAF, and guarded by
    a security group alone (SEC05-BP01). The tier of each subnet comes from its route
    table. An ECS service in isolated subnets (no NAT) gets a note: it can only pull
    images and ship logs through VPC endpoints (`ecr.api`, `ecr.dkr`, `logs`, and S3);
    when those interface endpoints are in the VPC it passes silently. A Lambda
    function without `VpcConfig` is not in the VPC and is out of scope.

    ## Default
    `AssignPublicIp` defaults to DISABLED, `assign_public_ip` to false.

    ## Example
    ```yaml
    Resources:
      Service:
        Type: AWS::ECS::Service
        Properties:
          Cluster: main
          TaskDefinition: app:1
          LaunchType: FARGATE
          DesiredCount: 2
          NetworkConfiguration:
            AwsvpcConfiguration:
              AssignPublicIp: ENABLED
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
    ```
    ```hcl
    resource "aws_ecs_service" "app" {
      name            = "app"
      cluster         = "main"
      task_definition = "app:1"
      launch_type     = "FARGATE"
      desired_count   = 2

      network_configuration {
        subnets          = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
        assign_public_ip = true
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Service:
        Type: AWS::ECS::Service
        Properties:
          Cluster: main
          TaskDefinition: app:1
          LaunchType: FARGATE
          DesiredCount: 2
          NetworkConfiguration:
            AwsvpcConfiguration:
              AssignPublicIp: DISABLED
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
    ```
    ```hcl
    resource "aws_ecs_service" "app" {
      name            = "app"
      cluster         = "main"
      task_definition = "app:1"
      launch_type     = "FARGATE"
      desired_count   = 2

      network_configuration {
        subnets          = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
        assign_public_ip = false
      }
    }
    ```

    ## Trade-off
    Private subnets need a NAT gateway (about 32 USD a month per NAT plus 0.045 USD per
    GB processed in us-east-1) or VPC endpoints (about 7 USD a month per interface
    endpoint per zone) to pull images. A public IP saves that money at the price of
    exposing the tasks; the rule is a warning in `development` and `mvp`.
    """
    seen_templates = set()
    for r in graph.resources("ecs_service", "lambda", "asg"):
        if r.kind == "lambda" and not r.has("subnet_ids"):
            continue
        if r.kind == "ecs_service":
            v = _public_ip_on(r.get("assign_public_ip", False))
            if v is True:
                yield r.finding("assign_public_ip", f"ECS service {r.address} gives its tasks public IP "
                                "addresses: they can be reached without the load balancer, guarded by a "
                                "security group alone", key="public-ip")
            elif v is None:
                yield r.unknown("assign_public_ip", "assign_public_ip cannot be resolved")
        p = placement(graph, r)
        if p.missing or (not p.subnets and not p.unknown):
            if r.kind == "asg":
                yield from _asg_public_ip(graph, r, seen_templates)
            continue
        tiers, doubtful = [], []
        for s in p.subnets:
            if isinstance(s, Unknown):
                doubtful.append(s.reason)
                continue
            t = tier_of(graph, s)
            tiers.append((s, t))
            if t.tier == UNKNOWN:
                doubtful.append(t.reason)
        if p.unknown:
            doubtful.append(p.unknown)
        public = [(s, t) for s, t in tiers if t.tier == PUBLIC]
        if public:
            s, t = public[0]
            names = ", ".join(x.address for x, _ in public)
            yield r.finding(p.attr, f"{_what(r)} runs in public subnet{'s' if len(public) > 1 else ''} "
                            f"{names} ({t.describe()}): the application tier belongs in private subnets "
                            "behind the load balancer", related=t.related(), key="public-subnet")
        elif doubtful:
            yield r.unknown(p.attr, f"the tier of its subnets is unknown: {doubtful[0]}")
        elif r.kind == "ecs_service" and tiers and all(t.tier == ISOLATED for _, t in tiers):
            vpc = vpc_of(graph, tiers[0][0])
            names, unsure = _endpoint_services(graph, vpc)
            if not {"ecr.api", "ecr.dkr", "logs"} <= names:
                if unsure:
                    yield r.unknown(p.attr, "the VPC's endpoints cannot all be read")
                else:
                    missing = sorted({"ecr.api", "ecr.dkr", "logs"} - names)
                    yield r.finding(p.attr, f"ECS service {r.address} runs in isolated subnets (no NAT) and "
                                    f"the VPC has no interface endpoint for {', '.join(missing)}: tasks "
                                    "cannot pull images or ship logs unless endpoints or a NAT route exist",
                                    related=tiers[0][1].related(), key="isolated", severity="note")
        if r.kind == "asg":
            yield from _asg_public_ip(graph, r, seen_templates)


def _asg_public_ip(graph, asg, seen):
    for lt in _launch_configs(graph, asg):
        if id(lt) in seen:
            continue
        seen.add(id(lt))
        paths = []
        if lt.has("associate_public_ip_address"):
            paths.append(("associate_public_ip_address",))
        for base in (("network_interfaces",), ("launch_template_data", "network_interfaces")):
            nis = lt.get(".".join(base)) if lt.has(".".join(base)) else None
            if isinstance(nis, list):
                for i, ni in enumerate(nis):
                    if isinstance(ni, dict) and "associate_public_ip_address" in ni:
                        paths.append(_concrete(lt, base) + (i, "associate_public_ip_address"))
        for path in paths:
            v = decide(lt.get(path), as_bool)
            if v is True:
                yield lt.finding(path, f"{_what(lt)}, used by Auto Scaling group {asg.address}, gives its "
                                 "instances public IP addresses: the application tier belongs in private "
                                 "subnets behind the load balancer",
                                 related=[Related(asg, (), "the Auto Scaling group using it")], key="public-ip")


def _concrete(resource, base):
    value, path = resource.locate(".".join(base))
    return tuple(path) if path else base


@rule(id="WAL-NET-005", name="subnet-public-ip-by-tier", title="Only public-tier subnets auto-assign public IPs",
      pillar="security", category="public-access", best_practice=("SEC05-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_130",))
def subnet_public_ip_by_tier(graph):
    """A subnet that auto-assigns public IPs on launch (`MapPublicIpOnLaunch`) is a public
    subnet (its route table has an internet-gateway default route); private and
    isolated subnets do not assign public IPs.

    ## Why
    In a private or isolated subnet the public IP is useless today and dangerous
    tomorrow: the day someone adds an internet-gateway route to that table, every
    instance in it becomes reachable from the internet (SEC05-BP01). The flag also
    misleads readers about what the subnet is. Public subnets may keep it.

    ## Default
    `MapPublicIpOnLaunch` / `map_public_ip_on_launch` defaults to false.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      AppSubnet:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
          MapPublicIpOnLaunch: true
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_route_table" "app" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_subnet" "app" {
      vpc_id                  = aws_vpc.main.id
      cidr_block              = "10.0.10.0/24"
      map_public_ip_on_launch = true
    }

    resource "aws_route_table_association" "app" {
      subnet_id      = aws_subnet.app.id
      route_table_id = aws_route_table.app.id
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      AppSubnet:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
          MapPublicIpOnLaunch: false
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_route_table" "app" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_subnet" "app" {
      vpc_id                  = aws_vpc.main.id
      cidr_block              = "10.0.10.0/24"
      map_public_ip_on_launch = false
    }

    resource "aws_route_table_association" "app" {
      subnet_id      = aws_subnet.app.id
      route_table_id = aws_route_table.app.id
    }
    ```
    """
    for s in graph.resources("subnet"):
        if not s.has("map_public_ip_on_launch"):
            continue
        v = decide(s.get("map_public_ip_on_launch"), as_bool)
        if v is not True:
            if v is None:
                yield s.unknown("map_public_ip_on_launch", "map_public_ip_on_launch cannot be resolved")
            continue
        t = tier_of(graph, s)
        if t.tier in (PRIVATE, ISOLATED):
            yield s.finding("map_public_ip_on_launch", f"{t.tier} subnet {s.address} assigns public IPs on "
                            f"launch ({t.describe()}): the day its route table gets an internet-gateway "
                            "route, every instance in it is exposed", related=t.related(with_subnet=False),
                            key="map-public-ip")
        elif t.tier == UNKNOWN:
            yield s.unknown("map_public_ip_on_launch", f"the subnet's tier is unknown: {t.reason}")


# ---------------------------------------------------------------------------------------
# nat-redundancy
# ---------------------------------------------------------------------------------------

_VPC_MODULES = ("terraform-aws-modules/vpc/aws", "terraform-aws-modules/terraform-aws-vpc")


def _is_vpc_module(r) -> bool:
    source = r.meta.get("module_source") or r.type[len("module:"):]
    return isinstance(source, str) and any(m in source for m in _VPC_MODULES)


def _facade_nat(graph):
    """WAL-NAT-001 on an unexpanded terraform-aws-modules/vpc call (RULES.md §3.3)."""
    for m in graph.resources("module_facade"):
        if not _is_vpc_module(m):
            continue
        enabled = decide(m.get("enable_nat_gateway", False), as_bool)
        single = decide(m.get("single_nat_gateway", False), as_bool)
        if enabled is False or single is False:
            continue
        azs, private = m.get("azs", []), m.get("private_subnets", [])
        if not isinstance(private, list) or not isinstance(azs, list):
            yield m.unknown("single_nat_gateway", "the module's zones or private subnets are unknown")
            continue
        if not azs or not private:
            continue
        # the module places private subnet i in element(azs, i)
        zones = [zone_of_value(graph, m, azs[i % len(azs)]) for i in range(len(private))]
        lo, hi = distinct_zones(zones)
        if hi < 2:
            continue
        if lo < 2:
            yield m.unknown("single_nat_gateway", "the zones of the module's private subnets are unknown")
            continue
        first = zone_label(zones[0])
        rest = zones_text([z for z in zones if same_zone(z, zones[0]) is not True])
        if enabled is None or single is None:
            yield m.unknown("single_nat_gateway", "enable_nat_gateway or single_nat_gateway cannot be resolved")
            continue
        yield m.finding("single_nat_gateway", f"module {m.address} creates one NAT gateway (in {first}) for "
                        f"private subnets in {lo} zones ({zones_text(zones)}): if {first} fails, "
                        f"private subnets in {rest} lose internet egress, and their traffic "
                        "pays cross-AZ charges (set one_nat_gateway_per_az = true, single_nat_gateway = false)",
                        related=[Related(m, ("azs",), "the module's zones")], key="single-nat")


@rule(id="WAL-NAT-001", name="nat-per-az", title="Private subnets egress through a NAT gateway in their own AZ",
      pillar="reliability", category="nat-redundancy", best_practice=("REL10-BP01", "COST08-BP02"),
      severity=severity(development="off", mvp="note", production="error", regulated="error"))
def nat_per_az(graph):
    """Each private subnet's default route goes to a NAT gateway in the subnet's own
    Availability Zone (or to a regional NAT gateway). Decided by following the routes,
    not by counting NAT gateways.

    ## Why
    A NAT gateway lives in one zone. When private subnets of several zones share it,
    losing its zone cuts every other zone's internet egress (image pulls, third-party
    APIs, patching) although their own zone is healthy (REL10-BP01), and their egress
    pays cross-AZ transfer on top of NAT processing (COST08-BP02 recommends a NAT in
    the zone of the traffic). Counting NAT gateways is not enough: three NATs all in
    one zone fail, and so does a NAT per zone when every route table points at the
    first. walint walks subnet -> association (or main route table) -> route table ->
    default route -> NAT gateway -> the NAT's subnet -> zone, and compares zones
    symbolically (`!Select [1, !GetAZs '']` and `names[count.index]` are different
    zones). One finding is reported per NAT gateway that serves another zone. A VPC
    whose private subnets all sit in one zone is not in scope (WAL-MAZ-004 reports
    that). For an unexpanded terraform-aws-modules/vpc call, `single_nat_gateway = true`
    with private subnets in two or more `azs` fails.

    ## Default
    NAT gateways are zonal unless `AvailabilityMode` / `availability_mode` is `regional`.
    A CloudFormation subnet with no association uses the main route table, which has only
    the local route.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      Igw:
        Type: AWS::EC2::InternetGateway
      IgwAttachment:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties:
          VpcId: !Ref Vpc
          InternetGatewayId: !Ref Igw
      PublicA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.1.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      PublicRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PublicDefault:
        Type: AWS::EC2::Route
        DependsOn: IgwAttachment
        Properties:
          RouteTableId: !Ref PublicRoutes
          DestinationCidrBlock: 0.0.0.0/0
          GatewayId: !Ref Igw
      PublicAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PublicA
          RouteTableId: !Ref PublicRoutes
      NatEip:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      Nat:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: !Ref PublicA
          AllocationId: !GetAtt NatEip.AllocationId
      PrivateA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      PrivateB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.11.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      PrivateRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PrivateDefault:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref PrivateRoutes
          DestinationCidrBlock: 0.0.0.0/0
          NatGatewayId: !Ref Nat
      PrivateAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PrivateA
          RouteTableId: !Ref PrivateRoutes
      PrivateBAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PrivateB
          RouteTableId: !Ref PrivateRoutes
    ```
    ```hcl
    module "vpc" {
      source  = "terraform-aws-modules/vpc/aws"
      version = "~> 5.0"

      name               = "main"
      cidr               = "10.0.0.0/16"
      azs                = ["us-east-1a", "us-east-1b"]
      public_subnets     = ["10.0.1.0/24", "10.0.2.0/24"]
      private_subnets    = ["10.0.10.0/24", "10.0.11.0/24"]
      enable_nat_gateway = true
      single_nat_gateway = true
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      Igw:
        Type: AWS::EC2::InternetGateway
      IgwAttachment:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties:
          VpcId: !Ref Vpc
          InternetGatewayId: !Ref Igw
      PublicA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.1.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      PublicB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.2.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      PublicRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PublicDefault:
        Type: AWS::EC2::Route
        DependsOn: IgwAttachment
        Properties:
          RouteTableId: !Ref PublicRoutes
          DestinationCidrBlock: 0.0.0.0/0
          GatewayId: !Ref Igw
      PublicAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PublicA
          RouteTableId: !Ref PublicRoutes
      PublicBAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PublicB
          RouteTableId: !Ref PublicRoutes
      NatEipA:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      NatA:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: !Ref PublicA
          AllocationId: !GetAtt NatEipA.AllocationId
      NatEipB:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      NatB:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: !Ref PublicB
          AllocationId: !GetAtt NatEipB.AllocationId
      PrivateA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      PrivateB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.11.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      PrivateRoutesA:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PrivateDefaultA:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref PrivateRoutesA
          DestinationCidrBlock: 0.0.0.0/0
          NatGatewayId: !Ref NatA
      PrivateRoutesB:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PrivateDefaultB:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref PrivateRoutesB
          DestinationCidrBlock: 0.0.0.0/0
          NatGatewayId: !Ref NatB
      PrivateAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PrivateA
          RouteTableId: !Ref PrivateRoutesA
      PrivateBAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PrivateB
          RouteTableId: !Ref PrivateRoutesB
    ```
    ```hcl
    module "vpc" {
      source  = "terraform-aws-modules/vpc/aws"
      version = "~> 5.0"

      name                   = "main"
      cidr                   = "10.0.0.0/16"
      azs                    = ["us-east-1a", "us-east-1b"]
      public_subnets         = ["10.0.1.0/24", "10.0.2.0/24"]
      private_subnets        = ["10.0.10.0/24", "10.0.11.0/24"]
      enable_nat_gateway     = true
      single_nat_gateway     = false
      one_nat_gateway_per_az = true
    }
    ```

    ## Trade-off
    A NAT gateway costs about 32 USD a month in us-east-1 (0.045 USD an hour) plus
    0.045 USD per GB processed, so each extra zone adds about 32 USD a month before
    traffic. A single NAT saves that, but makes one zone's failure an outage of every
    zone's egress, and cross-AZ traffic to it costs 0.01 USD per GB each way. The
    startup lens accepts one NAT for an MVP: `mvp` reports a note, `development` is off,
    `production` requires a NAT per zone.
    """
    yield from _facade_nat(graph)
    by_vpc = {}
    for s in graph.resources("subnet"):
        r = nat_route(graph, s)
        if r is not None:
            by_vpc.setdefault(vpc_key(graph, s), []).append((s, r))
    for key in sorted(by_vpc):
        entries = by_vpc[key]
        lo, hi = distinct_zones([zone_of(graph, s) for s, _ in entries])
        if hi < 2:
            continue          # one zone of private subnets: not applicable (WAL-MAZ-004)
        by_nat, unresolved = {}, []
        for s, r in entries:
            if r.target is None:
                unresolved.append((s, r))
            else:
                by_nat.setdefault(id(r.target), (r.target, []))[1].append((s, r))
        for s, r in unresolved:
            yield s.unknown(None, f"the NAT gateway of its default route is not in the scanned files "
                            f"({r.label})")
        for nat, served in sorted(by_nat.values(), key=lambda v: v[0].address):
            yield from _check_nat(graph, nat, served)


def _check_nat(graph, nat, served):
    regional = is_regional(nat)
    if regional is True:
        return
    if regional is None:
        yield nat.unknown("availability_mode", "availability_mode cannot be resolved")
        return
    home = nat_subnet(graph, nat)
    az_n = zone_of(graph, home) if not isinstance(home, Unknown) else None
    zones = [zone_of(graph, s) for s, _ in served]
    lo, hi = distinct_zones(zones)
    related = []
    if not isinstance(home, Unknown):
        related.append(Related(home, ("availability_zone",) if home.has("availability_zone") else (),
                               f"the NAT gateway's subnet, in {zone_label(az_n)}"))
    seen = set()
    for s, r in served:
        related.append(Related(s, ("availability_zone",) if s.has("availability_zone") else (),
                               f"private subnet in {zone_label(zone_of(graph, s))}"))
        table = tier_of(graph, s).table
        if table is not None and table is not r.owner and id(table) not in seen:
            seen.add(id(table))
            related.append(Related(table, (), "route table of the private subnets"))
        k = (id(r.owner), r.path)
        if k not in seen:
            seen.add(k)
            related.append(Related(r.owner, r.target_path, f"route {r.dest_label} -> {nat.address}"))
    nat_zone = zone_label(az_n) if az_n is not None else "zone unknown"
    if lo >= 2:
        others = [z for z in zones if az_n is None or same_zone(z, az_n) is not True]
        away = _zones_text(others) if az_n is not None else "at least one of them"
        lost = f"if {zone_label(az_n)} fails" if az_n is not None else "if the NAT's zone fails"
        yield nat.finding(None, f"NAT gateway {nat.address} ({nat_zone}) carries the default route of private "
                          f"subnets in {lo if lo == hi else f'at least {lo}'} zones ({_zones_text(zones)}): it is a "
                          f"single point of failure; {lost}, private subnets in {away} lose internet egress, "
                          "and their traffic pays cross-AZ charges (a NAT gateway per zone costs about 32 USD "
                          "a month each in us-east-1, plus data processing)", related=related, key="shared-nat")
        return
    if az_n is None:
        yield nat.unknown("subnet_id", f"the zone of {nat.address} is unknown: {home.reason}")
        return
    violations, doubtful = [], []
    for (s, r), z in zip(served, zones):
        same = same_zone(z, az_n)
        if same is False:
            violations.append((s, z))
        elif same is None:
            doubtful.append(s)
    if violations:
        names = ", ".join(f"{s.address} ({zone_label(z)})" for s, z in violations)
        yield nat.finding(None, f"private subnet{'s' if len(violations) > 1 else ''} {names} "
                          f"depend{'' if len(violations) > 1 else 's'} on NAT gateway {nat.address} in "
                          f"{nat_zone}: if {nat_zone} fails they lose internet egress although their own "
                          "zone is healthy, and their traffic pays cross-AZ charges",
                          related=related, key="cross-zone")
    elif doubtful:
        yield nat.unknown(None, f"whether {doubtful[0].address} is in the zone of {nat.address} is unknown")


@rule(id="WAL-NAT-002", name="nat-placement", title="NAT gateways sit in a public subnet and have an EIP",
      pillar="reliability", category="nat-redundancy", best_practice=("REL10-BP01",),
      severity=severity(development="error", mvp="error", production="error", regulated="error"))
def nat_placement(graph):
    """A public NAT gateway is placed in a public subnet (one whose route table sends
    0.0.0.0/0 to an internet gateway) and has an Elastic IP allocation.

    ## Why
    A public NAT gateway forwards traffic to the internet through its subnet's route
    table: in a private or isolated subnet it has no path out, and every subnet routed
    to it silently loses egress. It also needs an Elastic IP to translate to. This is a
    precondition for NAT-per-AZ redundancy (REL10-BP01): a misplaced NAT is an outage
    from the first deployment. Private NAT gateways (`connectivity_type = "private"`)
    and regional NAT gateways are out of scope.

    ## Default
    `ConnectivityType` / `connectivity_type` defaults to `public`.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      PrivateA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      NatEip:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      Nat:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: !Ref PrivateA
          AllocationId: !GetAtt NatEip.AllocationId
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "public" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.1.0/24"
    }

    resource "aws_internet_gateway" "main" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table" "public" {
      vpc_id = aws_vpc.main.id

      route {
        cidr_block = "0.0.0.0/0"
        gateway_id = aws_internet_gateway.main.id
      }
    }

    resource "aws_route_table_association" "public" {
      subnet_id      = aws_subnet.public.id
      route_table_id = aws_route_table.public.id
    }

    resource "aws_nat_gateway" "main" {
      subnet_id = aws_subnet.public.id
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      Igw:
        Type: AWS::EC2::InternetGateway
      IgwAttachment:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties:
          VpcId: !Ref Vpc
          InternetGatewayId: !Ref Igw
      PublicA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.1.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      PublicRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PublicDefault:
        Type: AWS::EC2::Route
        DependsOn: IgwAttachment
        Properties:
          RouteTableId: !Ref PublicRoutes
          DestinationCidrBlock: 0.0.0.0/0
          GatewayId: !Ref Igw
      PublicAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref PublicA
          RouteTableId: !Ref PublicRoutes
      NatEip:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      Nat:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: !Ref PublicA
          AllocationId: !GetAtt NatEip.AllocationId
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "public" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.1.0/24"
    }

    resource "aws_internet_gateway" "main" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table" "public" {
      vpc_id = aws_vpc.main.id

      route {
        cidr_block = "0.0.0.0/0"
        gateway_id = aws_internet_gateway.main.id
      }
    }

    resource "aws_route_table_association" "public" {
      subnet_id      = aws_subnet.public.id
      route_table_id = aws_route_table.public.id
    }

    resource "aws_eip" "nat" {
      domain = "vpc"
    }

    resource "aws_nat_gateway" "main" {
      subnet_id     = aws_subnet.public.id
      allocation_id = aws_eip.nat.id
    }
    ```
    """
    for nat in graph.resources("natgw"):
        conn = decide(nat.get("connectivity_type", "public"), lambda v: _lower(v) == "public")
        if conn is False:
            continue
        regional = is_regional(nat)
        if regional is True:
            continue
        if conn is None or regional is None:
            yield nat.unknown("connectivity_type", "the NAT gateway's connectivity type or mode is unknown")
            continue
        home = nat_subnet(graph, nat)
        if isinstance(home, Unknown):
            yield nat.unknown("subnet_id", f"the NAT gateway's subnet is unknown: {home.reason}")
        else:
            t = tier_of(graph, home)
            if t.tier in (PRIVATE, ISOLATED):
                why = "has no internet-gateway route" if t.tier == ISOLATED else \
                    f"sends its default route to {t.decisive.target_label if t.decisive else 'an intermediary'}"
                yield nat.finding("subnet_id", f"public NAT gateway {nat.address} sits in {t.tier} subnet "
                                  f"{home.address}, which {why} ({t.describe()}): the NAT has no way out, "
                                  "so every subnet routed to it loses internet egress",
                                  related=t.related(), key="subnet")
            elif t.tier == UNKNOWN:
                yield nat.unknown("subnet_id", f"the tier of the NAT gateway's subnet is unknown: {t.reason}")
        if not nat.has("allocation_id"):
            yield nat.finding(None, f"public NAT gateway {nat.address} has no Elastic IP allocation "
                              "(allocation_id): it cannot translate traffic to the internet",
                              key="eip")


def _eni_owner(graph, eni):
    """True when the ENI belongs to an instance or launch template, None if unknown."""
    for r in graph.referrers(eni):
        if r.kind in ("instance", "launch_template"):
            return True
        if r.type in ("aws_network_interface_attachment", "AWS::EC2::NetworkInterfaceAttachment"):
            target = graph.deref(r, r.get("instance_id"))
            if target is not None and target.kind == "instance":
                return True
    attachment = eni.get("attachment")
    if isinstance(attachment, list):
        for a in attachment:
            if isinstance(a, dict):
                target = graph.deref(eni, a.get("instance"))
                if target is not None and target.kind == "instance":
                    return True
    return None


@rule(id="WAL-NAT-003", name="nat-gateway-not-instance", title="Default routes use managed NAT gateways, not NAT instances",
      pillar="reliability", category="nat-redundancy", best_practice=("REL10-BP01", "REL11-BP03"),
      severity=severity(development="note", mvp="note", production="warning", regulated="warning"),
      checkov=("CKV2_AWS_35",))
def nat_gateway_not_instance(graph):
    """Default routes (0.0.0.0/0, ::/0) go to a managed NAT gateway, not to an EC2 NAT
    instance or to the network interface of one.

    ## Why
    A NAT instance is a single EC2 instance you patch, size and replace yourself: when it
    stops, every subnet routed to it loses egress until someone notices (REL10-BP01,
    REL11-BP03 automate healing on all layers). A NAT gateway is managed, scales to
    100 Gbps and is redundant within its zone. Routes to network interfaces of
    firewall or Gateway Load Balancer appliances are out of scope: only an ENI that
    belongs to an instance or launch template counts, and an ENI whose owner cannot
    be seen gives unknown.

    ## Default
    Nothing: the route's target is always explicit.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      NatInstance:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0abcdef1234567890
          InstanceType: t3.micro
          SourceDestCheck: false
      PrivateRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PrivateDefault:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref PrivateRoutes
          DestinationCidrBlock: 0.0.0.0/0
          InstanceId: !Ref NatInstance
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_instance" "nat" {
      ami               = "ami-0abcdef1234567890"
      instance_type     = "t3.micro"
      source_dest_check = false
    }

    resource "aws_route_table" "private" {
      vpc_id = aws_vpc.main.id

      route {
        cidr_block           = "0.0.0.0/0"
        network_interface_id = aws_instance.nat.primary_network_interface_id
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      NatEip:
        Type: AWS::EC2::EIP
        Properties:
          Domain: vpc
      Nat:
        Type: AWS::EC2::NatGateway
        Properties:
          SubnetId: subnet-0a1b2c3d4e5f60001
          AllocationId: !GetAtt NatEip.AllocationId
      PrivateRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      PrivateDefault:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref PrivateRoutes
          DestinationCidrBlock: 0.0.0.0/0
          NatGatewayId: !Ref Nat
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_eip" "nat" {
      domain = "vpc"
    }

    resource "aws_nat_gateway" "main" {
      subnet_id     = "subnet-0a1b2c3d4e5f60001"
      allocation_id = aws_eip.nat.id
    }

    resource "aws_route_table" "private" {
      vpc_id = aws_vpc.main.id

      route {
        cidr_block     = "0.0.0.0/0"
        nat_gateway_id = aws_nat_gateway.main.id
      }
    }
    ```

    ## Trade-off
    A t4g.nano NAT instance costs about 3 USD a month against about 32 USD for a NAT
    gateway (plus 0.045 USD per GB processed), which is why startups use them. The
    risk is an unmanaged single point of failure: `development` and `mvp` report a
    note, `production` a warning.
    """
    for r in default_routes(graph):
        if r.target_kind == "instance":
            yield r.owner.finding(r.target_path, f"{r.label}: the default route goes to an EC2 NAT instance, "
                                  "an unmanaged single point of failure; when it stops, every subnet routed "
                                  "to it loses internet egress", related=r.related(), key=r.target_attr)
        elif r.target_kind == "eni":
            owner = _eni_owner(graph, r.target) if r.target is not None else None
            if owner is True:
                yield r.owner.finding(r.target_path, f"{r.label}: the default route goes to the network "
                                      "interface of an EC2 instance (a NAT instance), an unmanaged single "
                                      "point of failure", related=r.related(), key=r.target_attr)
            else:
                yield r.owner.unknown(r.target_path, "the default route goes to a network interface whose "
                                      "owner walint cannot see (a NAT instance or an appliance)")


RULES = [aurora_multi_az, elasticache_multi_az, subnet_tiers_multi_az, placement_multi_az,
         data_store_private_subnet, data_subnet_isolated, rds_not_public, app_tier_private,
         subnet_public_ip_by_tier, nat_per_az, nat_placement, nat_gateway_not_instance]

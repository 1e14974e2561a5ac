"""multi-az over the network topology: Aurora clusters, ElastiCache, subnet tiers and
placement lists span two or more zones (RULES.md §2.1).

Every rule here reasons over the topology (`walint.api.zone_of`, `placement`, ...) and
names the chain that proves a finding in its message and related locations."""
from walint.api import (ExternalSubnet, ISOLATED, PRIVATE, PUBLIC, Related, UNKNOWN,
                        Unknown, Zone, as_bool, as_int, decide, distinct_zones, options,
                        placement, placement_zones, rule, same_zone, severity, subnet_list,
                        table_notes, tier_of, vpc_key, vpc_of, zone_label, zone_of,
                        zone_of_value)

from ._data import counted_members
from ._net import _all, _what, _zones_text


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
    `aws_rds_cluster_instance` pointing at it has no compute at all. Aurora replica auto
    scaling counts: a scalable target on `rds:cluster:ReadReplicaCount` for the cluster
    with a minimum capacity of 1 or more keeps a reader beside a single declared writer
    (RDS places it over the subnet group's zones); an unknown minimum gives unknown. An
    Aurora PostgreSQL Limitless Database cluster (`ClusterScalabilityType` /
    `cluster_scalability_type` `limitless`) has no instances: its compute is a DB shard
    group, whose `ComputeRedundancy` / `compute_redundancy` (default 0) must be 1 or 2 to
    keep a standby in another zone; a shard group outside the scan gives unknown.

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
        limitless = decide(cluster.get("cluster_scalability_type", "standard"),
                           lambda t: isinstance(t, str) and t.lower() == "limitless")
        if limitless is not False:
            yield from _limitless(graph, cluster, limitless)
            continue
        members, doubtful = _members(graph, cluster)
        sure, why = counted_members(members, doubtful)
        if why:
            yield cluster.unknown(None, why)
            continue
        readers, target = _autoscaled_readers(graph, cluster)
        if len(sure) == 1 and readers is None:
            yield cluster.unknown(None, f"replica auto scaling {target.address} may add readers, but "
                                  "its minimum capacity is unknown or it may not exist")
            continue
        if len(sure) == 1 and readers:
            continue      # auto scaling keeps at least one reader; RDS spreads it over the subnets
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


def _autoscaled_readers(graph, cluster):
    """(minimum readers, target) that Aurora replica auto scaling keeps in the cluster:
    an `AWS::ApplicationAutoScaling::ScalableTarget` / `aws_appautoscaling_target` on
    `rds:cluster:ReadReplicaCount` whose ResourceId names the cluster (`cluster:<id>`).
    (0, None) without one; (None, target) when its minimum or its existence is unknown."""
    name = cluster.get("cluster_identifier")
    for t in graph.resources("scalable_target"):
        if t.scope != cluster.scope or t.get("scalable_dimension") != "rds:cluster:ReadReplicaCount":
            continue
        rid = t.get("resource_id")
        names_it = (cluster.address in rid.refs if isinstance(rid, Unknown)
                    else isinstance(rid, str) and isinstance(name, str) and rid == f"cluster:{name}")
        if not names_it:
            continue
        low = as_int(t.get("min_capacity"))
        if t.optional or low is None:
            return None, t
        return max(low, 0), t
    return 0, None


def _limitless(graph, cluster, limitless):
    """Aurora PostgreSQL Limitless Database runs its compute in a DB shard group, not in
    cluster instances: standbys in other zones come from the group's compute redundancy
    (0 none, 1 or 2 standbys per shard and router)."""
    if limitless is None:
        yield cluster.unknown("cluster_scalability_type", "whether the cluster is a Limitless "
                              "cluster (compute in a shard group) or has instances is unknown")
        return
    groups = [g for g in graph.resources("db_shard_group") if g.scope == cluster.scope
              and graph.deref(g, g.get("db_cluster_identifier")) is cluster]
    if not groups:
        yield cluster.unknown(None, f"Limitless cluster {cluster.address} runs in a DB shard group, "
                              "and none in the scanned files names it")
        return
    for g in groups:
        redundancy = as_int(g.get("compute_redundancy", 0))
        if redundancy is None or g.optional:
            yield g.unknown("compute_redundancy", "the shard group's compute redundancy is unknown")
        elif redundancy < 1:
            yield g.finding("compute_redundancy", f"shard group {g.address} of Limitless cluster "
                            f"{cluster.address} has no compute standby "
                            f"({g.setting('compute_redundancy', redundancy)}): when a shard or "
                            "router node or its zone fails, nothing in another zone takes over",
                            key="instances")


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


RULES = [aurora_multi_az, elasticache_multi_az, subnet_tiers_multi_az, placement_multi_az]

"""ElastiCache for Memcached: nodes across Availability Zones (issue 15).

Redis OSS and Valkey replication, failover and Multi-AZ are WAL-MAZ-003.
"""
from walint.api import as_int, decide, options, rule, severity

from walint_rules._data import engine

_UNRESOLVED = "depends on a value walint cannot resolve"


@rule(id="WAL-MAZ-012", name="memcached-cross-az",
      title="Memcached clusters spread two or more nodes across AZs",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01",),
      severity=severity(development="off", mvp="note", production="error", regulated="error"))
def memcached_cross_az(graph):
    """An ElastiCache Memcached cluster runs at least two nodes and places them across
    Availability Zones (`AZMode` / `az_mode` `cross-az`).

    ## Why
    Memcached has no replication: the keys are partitioned over the nodes. With one
    node, or all nodes in one zone, a node or zone failure empties the whole cache and
    the database takes the full load at once; spread over zones, a zone failure loses
    only that zone's share. REL10-BP01 (deploy the workload to multiple locations).

    ## Default
    `AZMode` / `az_mode` defaults to `single-az`. `NumCacheNodes` / `num_cache_nodes` is
    required; `cross-az` needs two or more nodes. Redis OSS and Valkey clusters are
    WAL-MAZ-003's.

    ## Example
    ```yaml
    Resources:
      Cache:
        Type: AWS::ElastiCache::CacheCluster
        Properties:
          Engine: memcached
          CacheNodeType: cache.t4g.small
          NumCacheNodes: 1
    ```
    ```hcl
    resource "aws_elasticache_cluster" "cache" {
      cluster_id      = "cache"
      engine          = "memcached"
      node_type       = "cache.t4g.small"
      num_cache_nodes = 2
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Cache:
        Type: AWS::ElastiCache::CacheCluster
        Properties:
          Engine: memcached
          CacheNodeType: cache.t4g.small
          NumCacheNodes: 2
          AZMode: cross-az
    ```
    ```hcl
    resource "aws_elasticache_cluster" "cache" {
      cluster_id      = "cache"
      engine          = "memcached"
      node_type       = "cache.t4g.small"
      num_cache_nodes = 2
      az_mode         = "cross-az"
    }
    ```

    ## Trade-off
    Nodes in another zone add cross-zone data transfer for the clients on the other
    side. In `mvp` a single-zone cache is a note (an accepted trade-off); in
    `development` the rule is off.
    """
    for cc in graph.resources("cache_cluster"):
        memcached = decide(engine(cc), lambda e: e == "memcached" if isinstance(e, str) else None)
        if memcached is False:
            continue
        if memcached is None:
            if cc.has("engine"):
                yield cc.unknown("engine", f"the engine {_UNRESOLVED}")
            continue
        nodes = {as_int(v) for v in options(cc.get("num_cache_nodes"))}
        if None in nodes or len(nodes) != 1:
            yield cc.unknown("num_cache_nodes", f"num_cache_nodes {_UNRESOLVED}")
            continue
        count = nodes.pop()
        if count < 2:
            yield cc.finding("num_cache_nodes", f"Memcached cluster {cc.address} has {count} node: a node "
                             "or zone failure empties the whole cache")
            continue
        cross = decide(cc.get("az_mode", "single-az"),
                       lambda m: m.lower() == "cross-az" if isinstance(m, str) else None)
        if cross is False:
            yield cc.finding("az_mode" if cc.has("az_mode") else None,
                             f"the {count} nodes of Memcached cluster {cc.address} are in one Availability "
                             "Zone (az_mode is single-az" + ("" if cc.has("az_mode") else " by default")
                             + "): a zone failure empties the whole cache")
        elif cross is None:
            yield cc.unknown("az_mode", f"az_mode {_UNRESOLVED}")


RULES = [memcached_cross_az]

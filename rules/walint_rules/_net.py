"""Shared words of the network rule modules (zones, data_tier, app_tier, nat)."""
from walint.api import zones_text

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

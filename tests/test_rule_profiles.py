"""Profile-dependent semantics of the data-protection rules (RULES.md §0.2, §2.4-§2.12).

The fixture runner scans in the default profile (production); these cases scan the same
kind of input in the other profiles. Rules read the profile from the graph
(`graph.profile_of(resource)` or `graph.profile`); the scan here sets both, so the tests
hold whether or not the engine already passes the profile to the graph.
"""
from __future__ import annotations

import textwrap

import pytest

import walint.engine.run as run
from walint.engine.run import ScanOptions


def _scan(tmp_path, monkeypatch, name, text, rule_id, profile):
    base = run.Graph

    class ProfiledGraph(base):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.profile = profile
            self.profile_of = lambda res: profile

    monkeypatch.setattr(run, "Graph", ProfiledGraph)
    folder = tmp_path / profile
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    report = run.scan([str(folder)], ScanOptions(select=[rule_id], profile=profile))
    assert not report.internal_errors, report.internal_errors
    return [(r.level, r.key, r.message) for r in report.results if r.rule.id == rule_id]


TOPIC = """
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}
"""


@pytest.mark.parametrize("profile,fires", [("production", False), ("regulated", True)])
def test_enc007_absent_key_fails_only_in_regulated(tmp_path, monkeypatch, profile, fires):
    got = _scan(tmp_path, monkeypatch, "main.tf", TOPIC, "WAL-ENC-007", profile)
    assert bool(got) is fires, got


def _db(days):
    return f"""
    resource "aws_db_instance" "orders" {{
      engine                      = "postgres"
      instance_class              = "db.t3.medium"
      allocated_storage           = 50
      username                    = "app"
      manage_master_user_password = true
      backup_retention_period     = {days}
    }}
    """


@pytest.mark.parametrize("profile,days,level", [
    ("development", 0, "note"), ("development", 3, None),
    ("mvp", 3, "warning"), ("mvp", 7, None),
    ("production", 7, "warning"), ("production", 0, "error"), ("production", 30, None),
    ("regulated", 30, "error"), ("regulated", 35, None),
])
def test_bak001_thresholds_per_profile(tmp_path, monkeypatch, profile, days, level):
    got = _scan(tmp_path, monkeypatch, "main.tf", _db(days), "WAL-BAK-001", profile)
    assert [g[0] for g in got] == ([level] if level else []), got


BUCKETS = """
resource "aws_s3_bucket" "audit_logs" {
  bucket = "example-audit-logs"
}

resource "aws_s3_bucket_versioning" "audit_logs" {
  bucket = aws_s3_bucket.audit_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket" "assets" {
  bucket = "example-assets"
}

resource "aws_s3_bucket_versioning" "assets" {
  bucket = aws_s3_bucket.assets.id
  versioning_configuration {
    status = "Enabled"
  }
}
"""


@pytest.mark.parametrize("profile,keys", [("production", []), ("regulated", ["object-lock"])])
def test_bak003_object_lock_for_critical_buckets_in_regulated(tmp_path, monkeypatch, profile, keys):
    got = _scan(tmp_path, monkeypatch, "main.tf", BUCKETS, "WAL-BAK-003", profile)
    assert [g[1] for g in got] == keys, got
    assert all("audit_logs" in g[2] for g in got)


@pytest.mark.parametrize("profile,count", [("development", 1), ("mvp", 1), ("production", 2)])
def test_cost001_scope_per_profile(tmp_path, monkeypatch, profile, count):
    got = _scan(tmp_path, monkeypatch, "main.tf", BUCKETS, "WAL-COST-001", profile)
    assert len(got) == count, got


CACHE = """
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "sessions"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 2
  transit_encryption_enabled = true
}
"""


@pytest.mark.parametrize("profile,keys", [("production", []), ("regulated", ["auth"])])
def test_tls004_authentication_in_regulated(tmp_path, monkeypatch, profile, keys):
    got = _scan(tmp_path, monkeypatch, "main.tf", CACHE, "WAL-TLS-004", profile)
    assert [g[1] for g in got] == keys, got


INTERNAL_ALB = """
Resources:
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internal
      Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: forward
          TargetGroupArn: arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/app/0123456789abcdef
"""


@pytest.mark.parametrize("profile,level", [("development", "note"), ("production", "warning")])
def test_tls001_internal_alb_is_one_level_lower(tmp_path, monkeypatch, profile, level):
    got = _scan(tmp_path, monkeypatch, "template.yaml", INTERNAL_ALB, "WAL-TLS-001", profile)
    assert [g[0] for g in got] == [level], got


# Provider v6: the per-resource `region` argument tells where a replica bucket lives. The
# fixtures are validated against provider v5, so this case lives here.
REPLICATION_V6 = """
resource "aws_s3_bucket" "audit_logs" {
  bucket = "example-audit-logs"
  region = "us-east-2"
}

resource "aws_s3_bucket" "audit_logs_dr" {
  bucket = "example-audit-logs-dr"
  region = "%s"
}

resource "aws_s3_bucket_replication_configuration" "audit_logs" {
  bucket = aws_s3_bucket.audit_logs.id
  role   = "arn:aws:iam::123456789012:role/s3-replication"
  rule {
    id     = "dr"
    status = "Enabled"
    filter {}
    destination {
      bucket = aws_s3_bucket.audit_logs_dr.arn
    }
  }
}
"""


@pytest.mark.parametrize("region,fires", [("us-west-2", False), ("us-east-2", True)])
def test_bak004_v6_region_of_replica_bucket(tmp_path, monkeypatch, region, fires):
    got = _scan(tmp_path, monkeypatch, "main.tf", REPLICATION_V6 % region, "WAL-BAK-004", "production")
    sources = [g for g in got if "audit_logs " in g[2] or g[2].startswith("bucket aws_s3_bucket.audit_logs has")]
    assert bool(sources) is fires, got

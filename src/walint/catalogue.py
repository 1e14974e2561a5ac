"""The foundation's service catalogue (../shared/CATALOGUE.md) and the rules that cover
each service, for the generated rule index: a team sees at a glance what walint checks
for the services its stack uses. A test keeps it honest: every built-in rule covers at
least one service, and every id named here exists."""
from __future__ import annotations

# (layer, service, rule ids). Layers and services follow CATALOGUE.md; the network row
# is the foundation's VPC itself, which the catalogue takes for granted.
SERVICES = (
    ("network", "VPC (subnet tiers, route tables, NAT gateways, security groups)",
     ("WAL-MAZ-004", "WAL-MAZ-005", "WAL-NAT-001", "WAL-NAT-002", "WAL-NAT-003", "WAL-NET-002",
      "WAL-NET-005", "WAL-SG-001", "WAL-SG-002", "WAL-SG-003", "WAL-SG-004", "WAL-SG-005",
      "WAL-SG-006", "WAL-LOG-001")),
    ("edge", "Route 53 (DNS, health-checked failover)", ()),
    ("edge", "Global Accelerator", ()),
    ("edge", "CloudFront", ()),
    ("edge", "Elastic Load Balancing (ALB/NLB)",
     ("WAL-TLS-001", "WAL-TLS-002", "WAL-SCL-003", "WAL-SG-002", "WAL-SG-005", "WAL-MAZ-005")),
    ("edge", "API Gateway", ()),
    ("edge", "WAF", ()),
    ("compute", "Lambda", ("WAL-NET-004", "WAL-MAZ-005", "WAL-LOG-003", "WAL-LOG-005")),
    ("compute", "ECS on Fargate",
     ("WAL-NET-004", "WAL-MAZ-005", "WAL-SG-004", "WAL-SCL-001", "WAL-SCL-002", "WAL-SCL-003",
      "WAL-LOG-004", "WAL-LOG-005", "WAL-IAM-004")),
    ("compute", "EKS", ()),
    ("compute", "EC2 / Auto Scaling",
     ("WAL-ENC-004", "WAL-NET-004", "WAL-MAZ-005", "WAL-SCL-003", "WAL-SG-001")),
    ("data", "S3",
     ("WAL-PUB-001", "WAL-TLS-005", "WAL-BAK-003", "WAL-BAK-004", "WAL-COST-001", "WAL-ENC-007")),
    ("data", "RDS / Aurora",
     ("WAL-MAZ-001", "WAL-MAZ-002", "WAL-ENC-001", "WAL-ENC-002", "WAL-TLS-003", "WAL-BAK-001",
      "WAL-BAK-002", "WAL-BAK-004", "WAL-NET-001", "WAL-NET-003", "WAL-SG-003", "WAL-SG-006",
      "WAL-ENC-007")),
    ("data", "DynamoDB", ("WAL-BAK-005", "WAL-BAK-002", "WAL-ENC-007")),
    ("data", "ElastiCache (Redis, Memcached)",
     ("WAL-MAZ-003", "WAL-ENC-003", "WAL-TLS-004", "WAL-BAK-001", "WAL-NET-001", "WAL-SG-003")),
    ("data", "DocumentDB", ()),
    ("data", "OpenSearch", ()),
    ("data", "Glue Data Catalog", ()),
    ("data", "EFS", ("WAL-ENC-004",)),
    ("messaging", "SQS, SNS", ("WAL-ENC-005", "WAL-ENC-007")),
    ("messaging", "Kinesis Data Streams / Firehose", ()),
    ("messaging", "MSK (Kafka)", ()),
    ("messaging", "EventBridge", ()),
    ("workflow", "Step Functions", ()),
    ("monitoring", "CloudWatch (logs, alarms), X-Ray", ("WAL-LOG-003", "WAL-LOG-005", "WAL-ENC-007")),
    ("identity", "IAM", ("WAL-IAM-001", "WAL-IAM-002", "WAL-IAM-003", "WAL-IAM-004")),
    ("identity", "Cognito", ()),
    ("security", "KMS, Secrets Manager, SSM parameters", ("WAL-ENC-006", "WAL-ENC-007")),
    ("security", "CloudTrail, VPC flow logs", ("WAL-LOG-001", "WAL-LOG-002")),
)

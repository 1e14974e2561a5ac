"""sg-least-privilege by default: nothing relies on the VPC's default security group,
and that group holds no rules (WAL-SG-006; RULES.md §2.6).
"""
from walint.api import (ABSENT, EGRESS, INGRESS, Unknown, attached, decide, effective_rules,
                        rule, severity)
from walint.api import sg as sgm

from ._data import CLUSTER_UNDECIDED, cluster_governed
from ._sg_words import finding_on, rule_text

# ----------------------------------------------------------------------------------------
# WAL-SG-006
# ----------------------------------------------------------------------------------------

_FALLBACK = {
    # kind: (canonical attribute, what it is, attributes that make the check not apply)
    "db_instance": ("vpc_security_group_ids", "RDS DB instance", ("db_security_groups",)),
    "db_cluster": ("vpc_security_group_ids", "RDS DB cluster", ()),
    "cache_rg": ("security_group_ids", "ElastiCache replication group",
                 ("cache_security_group_names", "security_group_names")),
    "cache_cluster": ("security_group_ids", "ElastiCache cluster",
                      ("cache_security_group_names", "security_group_names")),
    "ecs_service": ("security_groups", "ECS service", ()),
    "efs_mount_target": ("security_groups", "EFS mount target", ()),
}


def _no_groups(value):
    return decide(value, lambda v: isinstance(v, (list, tuple)) and len(v) == 0
                  if not isinstance(v, str) else (v.strip() == ""))


def _holds_declared_group(graph, node, attr, value):
    """The declared security group an unknown SG list surely holds, else None.

    The list is unknown as a whole, but its unknownness is only that of a group's own id
    (`compact(flatten([join("", aws_security_group.x[*].id), var.extra]))`: the reason
    names the group), and the node is attached to that group through this attribute; the
    group is surely created (not optional, its instances known). A list that is unknown
    for another reason (a variable in `setsubtract([group.id], var.drop)`, a `for` filter)
    keeps the group's reference as an edge but may still be empty: it stays unknown."""
    if not isinstance(value, Unknown):
        return None
    via = ".".join(str(p) for p in node.locate(attr)[1] if isinstance(p, str))
    for e in graph.references(node):
        g = e.target
        if g.kind != "sg" or e.via != via or g.optional or g.instances_unknown:
            continue
        if not any(a.resource is node and a.via == via for a in attached(graph, g)):
            continue
        if value.reason.startswith(g.address + "."):
            return g
    return None


@rule(id="WAL-SG-006", security_severity=5.0, name="sg-no-default-sg",
      title="Nothing relies on the VPC default SG; default SG has no rules",
      pillar="security", category="sg-least-privilege", best_practice=("SEC05-BP02",),
      severity=severity(development="warning", mvp="warning", production="warning",
                        regulated="error"),
      checkov=("CKV2_AWS_12",))
def sg_no_default_sg(graph):
    """Data stores and awsvpc ECS services name their own security groups instead of
    falling back to the VPC's default group, and the default group (managed in Terraform
    with `aws_default_security_group`) has no rules.

    ## Why
    An RDS instance or cluster, an ElastiCache group or cluster, an awsvpc ECS service or
    an EFS mount target created without a security-group list gets the VPC's default
    group, which by default admits everything from every other member of that group: the
    database then shares a flat network with whatever else was left on the default
    (SEC05-BP02). The default group itself should stay empty so that nothing can rely on
    it.

    ## Default
    Without an `aws_default_security_group`, AWS's default group keeps its rules
    (all traffic from itself, all egress); this is a note, and a failure in the regulated
    profile. CloudFormation cannot manage the default group: that part is not applicable
    there (manage the default group outside CloudFormation).

    An RDS DB instance of an Aurora engine (`aurora`, `aurora-mysql`, `aurora-
    postgresql`) is a cluster member even when it names no cluster: the VPC security-
    group list is the cluster's setting (AWS creates Aurora instances only in a
    cluster), so the instance is not asked for it. When the engine cannot be resolved,
    the result is unknown.

    A security-group list walint cannot read is unknown, except one whose only unknown
    part is the id of a group declared in the same configuration and surely created (no
    undecided `count` or condition), such as
    `compact(concat([join("", aws_security_group.db[*].id)], var.extra))`: that list
    holds the group, so it is not empty. A list that may drop the group (a condition, a
    `for` filter, `setsubtract` with an unknown argument) stays unknown.

    ## Example
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_default_security_group" "default" {
      vpc_id = aws_vpc.main.id

      ingress {
        from_port = 0
        to_port   = 0
        protocol  = "-1"
        self      = true
      }
    }
    ```

    ## Fix
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      DatabaseSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: PostgreSQL
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupEgress:
            - IpProtocol: "-1"
              CidrIp: 127.0.0.1/32
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          VPCSecurityGroups: [!Ref DatabaseSecurityGroup]
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_default_security_group" "default" {
      vpc_id = aws_vpc.main.id
    }
    ```
    """
    # (a) resources that fall back to the VPC default group
    for kind, (attr, what, skip) in _FALLBACK.items():
        for node in graph.resources(kind):
            if any(node.has(s) for s in skip):
                continue
            if kind == "db_instance":
                governed = cluster_governed(node)
                if governed is None and not node.has(attr):
                    yield node.unknown("engine", CLUSTER_UNDECIDED, key=f"fallback:{attr}")
                if governed is not False:
                    continue     # a cluster member (any Aurora engine) takes the cluster's groups
            if kind == "ecs_service" and not node.has("network_configuration"):
                continue         # not awsvpc: the tasks use the instances' groups
            value = sgm.lookup(node, attr)
            if value is ABSENT:
                yield node.finding(None, f"{what} {node.address} names no security group, so it "
                                   "falls back to the VPC's default security group",
                                   key=f"fallback:{attr}")
                continue
            verdict = _no_groups(value)
            if verdict is True:
                yield node.finding(attr, f"{what} {node.address} has an empty security-group "
                                   "list, so it falls back to the VPC's default security group",
                                   key=f"fallback:{attr}")
            elif verdict is None and _holds_declared_group(graph, node, attr, value) is None:
                yield node.unknown(attr, "whether the security-group list is empty is unknown")
    # (b) the default security group itself (Terraform only)
    defaults = [g for g in graph.resources("sg") if g.type == "aws_default_security_group"]
    for g in defaults:
        rules = [r for d in (INGRESS, EGRESS) for r in effective_rules(graph, g, d)]
        for r in rules:
            yield finding_on(r, f"the VPC default security group {g.address} has a rule: "
                           f"{rule_text(r)}; keep the default group empty so nothing can "
                           "rely on it")
        incomplete = [reason for d in (INGRESS, EGRESS)
                      for reason in effective_rules(graph, g, d).reasons]
        if not rules and incomplete:
            yield g.unknown(None, incomplete[0])
    for vpc in graph.resources("vpc"):
        if vpc.format != "terraform":
            continue
        managed = [g for g in defaults
                   if graph.deref(g, g.get("vpc_id")) is vpc
                   or (vpc.type == "aws_default_vpc" and not g.has("vpc_id"))]
        if managed or vpc.optional:
            continue
        yield vpc.finding(None, f"VPC {vpc.address} has no aws_default_security_group, so its "
                          "default security group keeps AWS's rules (all traffic from itself, "
                          "all egress)", key="default-sg-unmanaged",
                          severity=None if graph.profile_of(vpc) == "regulated" else "note")


RULES = [sg_no_default_sg]

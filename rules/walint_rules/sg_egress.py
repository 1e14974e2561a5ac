"""sg-least-privilege outbound: data stores send nothing out and load balancers send only
to their targets (WAL-SG-005; RULES.md §2.6, §3.4).
"""
from walint.api import (EGRESS, Cidr, PrefixList, Related, Sg, UnknownSource, attached,
                        effective_rules, lb_targets, rule, severity)
from walint.api import sg as sgm

from ._sg_words import (data_stores, finding_on, related_of, rule_text, store_text,
                        unknown_on, verb, wider)

# ----------------------------------------------------------------------------------------
# WAL-SG-005
# ----------------------------------------------------------------------------------------

@rule(id="WAL-SG-005", security_severity=4.5, name="sg-restricted-egress",
      title="Data-tier SGs have no egress; LB SGs egress only to their targets",
      pillar="security", category="sg-least-privilege", best_practice=("SEC05-BP02",),
      severity=severity(development="off", mvp="note", production="warning",
                        regulated="error"),
      checkov=("CKV_AWS_382",))
def sg_restricted_egress(graph):
    """A data store's security group allows no outbound traffic (but to itself), and an
    Application Load Balancer's group sends traffic only to the security groups of the
    targets registered behind it, on the target ports.

    ## Why
    A database or cache never opens connections, so an egress rule only serves an
    attacker exfiltrating data; the load balancer only talks to its targets
    (SEC05-BP02). The foundation's RDS and ElastiCache groups have no outbound rule, and
    the ALB group sends 8080 to the ECS group only.

    ## Default
    This is where the formats differ. In CloudFormation, an `AWS::EC2::SecurityGroup`
    without inline `SecurityGroupEgress` keeps EC2's default rule allowing all outbound
    traffic (standalone `AWS::EC2::SecurityGroupEgress` resources add rules, they do not
    remove it); walint adds that implicit rule and says so in the message. Terraform's
    `aws_security_group` removes the default rule on creation, so a group without egress
    blocks or rule resources has no egress. An egress to `127.0.0.1/32` is the usual
    CloudFormation placeholder for "no egress" and is accepted.

    ## Severity
    RULES.md gives this rule warning in `production` and error in `regulated`. Walint
    keeps that for data-tier groups, and reports a load balancer's group as a note outside
    `regulated`. A database or cache that can open outbound connections is a real
    exfiltration path (SQL injection driving `dblink`, `aws_s3` exports, `INTO OUTFILE`);
    a load balancer runs no customer code and opens connections only to its registered
    targets, their health checks and, for `authenticate-oidc`/`authenticate-cognito`
    actions, the identity provider, so a broad egress rule on its group gives an attacker
    nothing to drive. Nearly every CloudFormation template keeps EC2's default egress on
    its load balancer's group (AWS's own reference templates do); an error-level gate on
    it would fail good repositories for a hygiene point. In `regulated`, where egress
    must be justified rule by rule, it stays an error.

    ## Example
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      CacheSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Redis, with EC2's default egress
          VpcId: vpc-0a1b2c3d4e5f60001
      Cache:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties:
          ReplicationGroupDescription: sessions
          Engine: redis
          CacheNodeType: cache.t4g.micro
          NumCacheClusters: 2
          SecurityGroupIds: [!Ref CacheSecurityGroup]
    ```
    ```hcl
    resource "aws_security_group" "cache" {
      name   = "cache"
      vpc_id = "vpc-0a1b2c3d4e5f60001"

      egress {
        from_port   = 0
        to_port     = 0
        protocol    = "-1"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }

    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id = "sessions"
      description          = "sessions"
      engine               = "redis"
      node_type            = "cache.t4g.micro"
      num_cache_clusters   = 2
      security_group_ids   = [aws_security_group.cache.id]
    }
    ```

    ## Fix
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      CacheSecurityGroup:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: Redis, no egress
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupEgress:
            - IpProtocol: "-1"
              CidrIp: 127.0.0.1/32
      Cache:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties:
          ReplicationGroupDescription: sessions
          Engine: redis
          CacheNodeType: cache.t4g.micro
          NumCacheClusters: 2
          SecurityGroupIds: [!Ref CacheSecurityGroup]
    ```
    ```hcl
    resource "aws_security_group" "cache" {
      name   = "cache"
      vpc_id = "vpc-0a1b2c3d4e5f60001"
    }

    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id = "sessions"
      description          = "sessions"
      engine               = "redis"
      node_type            = "cache.t4g.micro"
      num_cache_clusters   = 2
      security_group_ids   = [aws_security_group.cache.id]
    }
    ```

    ## Trade-off
    The app tier's egress is not checked: the foundation lets it call external HTTPS APIs.
    """
    for group in graph.resources("sg"):
        stores = data_stores(graph, group)
        albs = [a.resource for a in attached(graph, group)
                if a.resource.kind == "lb" and sgm.lb_type(a.resource) in ("application", None)]
        if not stores and not albs:
            continue
        egress = effective_rules(graph, group, EGRESS)
        if not egress and not egress.complete:
            yield group.unknown(None, egress.reasons[0], key="egress:incomplete")
            continue
        if stores:
            yield from _data_egress(graph, group, egress, stores)
        elif albs:
            yield from _lb_egress(graph, group, egress, albs)


def _data_egress(graph, group, egress, stores):
    chain = f"sg {group.address} is attached to data store {store_text(stores)}"
    extra = [(a.resource, a.path, f"sg {group.address} is attached to {a.resource.address}")
             for a, _ in stores]
    implicit_done = False
    for r in egress:
        src = r.source
        if isinstance(src, Sg) and src.self_ref:
            continue
        if isinstance(src, Cidr) and src.loopback:
            continue
        if r.implicit:
            if implicit_done:
                continue
            implicit_done = True
            yield group.finding(
                None, f"{chain}; the group declares no SecurityGroupEgress, so EC2 keeps its "
                "default rule allowing all outbound traffic (0.0.0.0/0 and ::/0) (CloudFormation "
                "implicit default egress): a data store needs no egress",
                related=[Related(res, tuple(p or ()), m) for res, p, m in extra],
                key="egress:implicit-default")
            continue
        if isinstance(src, UnknownSource):
            yield unknown_on(r, f"the destination of this egress rule is unknown ({src.reason})")
            continue
        if isinstance(src, Sg) and src.node is None and not src.name:
            yield unknown_on(r, "the destination group is unknown")
            continue
        yield finding_on(r, f"{chain}; {rule_text(r)}: a data store needs no egress",
                       related=related_of(graph, r, extra))


def _lb_egress(graph, group, egress, albs):
    targets = [lb_targets(graph, lb) for lb in albs]
    target_groups, ports, reasons, links = [], set(), [], []
    for t in targets:
        target_groups.extend(g for g in t.groups if not any(g is o for o in target_groups))
        ports |= t.ports
        reasons += t.reasons
        links += t.links
    lb_names = ", ".join(lb.address for lb in albs)
    chain = f"sg {group.address} is attached to load balancer {lb_names}"
    # a load balancer runs no customer code: a broad egress on its group is a note
    # outside `regulated` (see the rule's "Severity" section)
    level = None if graph.profile_of(group) == "regulated" else "note"
    target_text = ", ".join(g.address for g in target_groups) or "none found"
    extra = links
    implicit_done = False
    for r in egress:
        src = r.source
        if isinstance(src, Cidr) and src.loopback:
            continue
        if r.implicit:
            if implicit_done:
                continue
            implicit_done = True
            yield group.finding(
                None, f"{chain}; the group declares no SecurityGroupEgress, so EC2 keeps its "
                "default rule allowing all outbound traffic (0.0.0.0/0 and ::/0) (CloudFormation "
                f"implicit default egress): a load balancer should reach only its targets' "
                f"groups ({target_text})",
                related=[Related(a.resource, a.path, f"sg {group.address} is attached to "
                                 f"{a.resource.address}") for a in attached(graph, group)]
                + [Related(res, tuple(p or ()), m) for res, p, m in extra],
                key="egress:implicit-default", severity=level)
            continue
        if isinstance(src, UnknownSource):
            yield unknown_on(r, f"the destination of this egress rule is unknown ({src.reason})")
            continue
        if isinstance(src, (Cidr, PrefixList)):
            what = f"the address range {src.value}" if isinstance(src, Cidr) else src.label()
            yield finding_on(r, f"{chain}; {rule_text(r)}: the destination is {what}, not the "
                           f"security group of a target behind the load balancer ({target_text})",
                           related=related_of(graph, r, extra), severity=level)
            continue
        node = r.group if src.self_ref else src.node
        if node is None:
            yield unknown_on(r, f"the destination group {src.label()} is not declared in the scanned files")
            continue
        if not any(node is g for g in target_groups):
            if reasons:
                yield unknown_on(r, "the load balancer's targets are not all known: " + reasons[0])
                continue
            yield finding_on(r, f"{chain}; {rule_text(r)}: {node.address} is not the security "
                           f"group of a target behind the load balancer ({target_text})",
                           related=related_of(graph, r, extra), severity=level)
            continue
        within = r.within(ports) if ports else None
        if within is True:
            continue
        if within is None or reasons:
            yield unknown_on(r, "the target ports or the rule's ports are unknown")
            continue
        yield finding_on(r, f"{chain}; {rule_text(r)}: {r.ports_label()} {verb(r)} "
                       f"{wider(r, ports)} the target ports {', '.join(str(p) for p in sorted(ports))}",
                       related=related_of(graph, r, extra))


RULES = [sg_restricted_egress]

"""scaling-resilience: minimum capacity, auto scaling, health checks (RULES.md §2.11)."""
import re

from walint.api import OneOf, Ref, Related, Unknown, as_bool, as_int, decide, options, rule, severity

_DIMENSION = "ecs:service:DesiredCount"
_RESOURCE_ID = re.compile(r"^service/([^/]*)/([^/]*)$")


def _name(r, cloudformation, terraform):
    return cloudformation if r.format == "cloudformation" else terraform


def _is_daemon(svc):
    return decide(svc.get("scheduling_strategy", "REPLICA"),
                  lambda s: isinstance(s, str) and s.strip().upper() == "DAEMON") is True


def _service_name(svc):
    v = svc.get(_name(svc, "service_name", "name"))
    return v if isinstance(v, str) else None


def _cluster_name(graph, svc):
    """The cluster's name when walint can tell, else None."""
    value = svc.get("cluster")
    if value is None:
        return "default"
    if isinstance(value, Ref):
        cluster = graph.deref(svc, value)
        if cluster is None:
            return None
        name = cluster.get(_name(cluster, "cluster_name", "name"))
        return name if isinstance(name, str) else None
    if isinstance(value, str):
        return value.rsplit("/", 1)[-1] if value.startswith("arn:") else value
    return None


def _is_ecs_target(t):
    """True/False/None: the scalable target scales an ECS service's desired count."""
    dim = t.get("scalable_dimension")
    return decide(dim, lambda d: isinstance(d, str) and d.strip() == _DIMENSION)


def _by_refs(graph, target, svc, unknown):
    """Match an unevaluated ResourceId by the resources it was built from: True when it
    refers to this service, False when it refers to another service, else None."""
    if svc.address in unknown.refs:
        return True
    for address in unknown.refs:
        other = graph.lookup(target.scope, address)
        if other is not None and other.kind == "ecs_service":
            return False
    return None


def _matches(graph, target, svc):
    """True/False/None: the scalable target's ResourceId names this service."""
    rid = target.get("resource_id")
    if isinstance(rid, Unknown):
        return _by_refs(graph, target, svc, rid)
    if isinstance(rid, Ref):
        return None
    verdicts = set()
    for candidate in options(rid):
        if isinstance(candidate, Unknown):
            v = _by_refs(graph, target, svc, candidate)
            if v is None:
                return None
            verdicts.add(v)
            continue
        if not isinstance(candidate, str):
            return None
        m = _RESOURCE_ID.match(candidate.strip())
        if not m:
            verdicts.add(False)
            continue
        cluster, service = m.groups()
        name = _service_name(svc)
        if name is None:
            return None
        if name != service:
            verdicts.add(False)
            continue
        cname = _cluster_name(graph, svc)
        verdicts.add(cname is None or cname == cluster)
    return verdicts.pop() if len(verdicts) == 1 else None


def scalable_targets(graph, svc):
    """(targets of the service, undecided): undecided when some target may be the service's."""
    found, undecided = [], False
    for t in graph.resources("scalable_target"):
        if t.scope != svc.scope:
            continue
        ecs = _is_ecs_target(t)
        if ecs is False:
            continue
        m = _matches(graph, t, svc)
        if m is True and ecs is True and not t.optional:
            found.append(t)
        elif m is not False:
            undecided = True
    return found, undecided


def _policy_for(graph, policy, target):
    """True/False/None: the scaling policy acts on the scalable target."""
    tid = policy.get("scaling_target_id")
    if tid is not None:
        if isinstance(tid, Ref):
            return graph.deref(policy, tid) is target
        if isinstance(tid, Unknown):
            return (target.address in tid.refs) if tid.refs else None
        return None
    rid = policy.get("resource_id")
    if isinstance(rid, Ref):
        return graph.deref(policy, rid) is target
    if isinstance(rid, Unknown):
        if rid.refs:
            trid = target.get("resource_id")
            mine = set(trid.refs) if isinstance(trid, Unknown) else set()
            return target.address in rid.refs or bool(mine and mine <= set(rid.refs))
        return None
    trid = target.get("resource_id")
    if isinstance(rid, str) and isinstance(trid, str):
        dim = policy.get("scalable_dimension", _DIMENSION)
        return rid.strip() == trid.strip() and (not isinstance(dim, str) or dim.strip() == _DIMENSION)
    return None


def _load_balanced(svc):
    lbs = svc.get("load_balancers")
    if isinstance(lbs, (Unknown, OneOf)):
        return None
    if isinstance(lbs, list) and lbs and all(isinstance(x, (Unknown, OneOf)) for x in lbs):
        return None                       # a dynamic block over an unknown collection
    return bool(lbs)


# ------------------------------------------------------------------------------ SCL-001

@rule(id="WAL-SCL-001", name="ecs-min-two-tasks", title="ECS services run ≥2 tasks",
      pillar="reliability", category="scaling-resilience", best_practice=("REL10-BP01", "REL11-BP05"),
      severity=severity(development="off", mvp="note", production="error"))
def ecs_min_two_tasks(graph):
    """Every replica ECS service runs at least two tasks: the minimum capacity of its
    auto scaling target, or its desired count when it has no scalable target.

    ## Why
    One task is a single point of failure: a deployment, a crashed container or a zone
    outage takes the service down until a replacement starts. Two tasks, spread over
    zones by the scheduler, keep serving (REL10-BP01, deploy the workload to multiple
    locations; REL11-BP05, use static stability). The foundation runs at least two tasks
    in production.

    ## Default
    CloudFormation's `DesiredCount` defaults to 1 for a new service, Terraform's
    `desired_count` to 0. With a scalable target (`service/<cluster>/<service>`), the
    target's `MinCapacity` / `min_capacity` decides, whatever the desired count. DAEMON
    services are not in scope.

    ## Example
    ```yaml
    Resources:
      Cluster:
        Type: AWS::ECS::Cluster
      Service:
        Type: AWS::ECS::Service
        Properties:
          Cluster: !Ref Cluster
          TaskDefinition: arn:aws:ecs:eu-west-1:123456789012:task-definition/app:1
          LaunchType: FARGATE
          DesiredCount: 1
          NetworkConfiguration:
            AwsvpcConfiguration:
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
    ```
    ```hcl
    resource "aws_ecs_cluster" "main" {
      name = "main"
    }

    resource "aws_ecs_service" "app" {
      name            = "app"
      cluster         = aws_ecs_cluster.main.id
      task_definition = "arn:aws:ecs:eu-west-1:123456789012:task-definition/app:1"
      launch_type     = "FARGATE"
      desired_count   = 1
      network_configuration {
        subnets = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Cluster:
        Type: AWS::ECS::Cluster
      Service:
        Type: AWS::ECS::Service
        Properties:
          Cluster: !Ref Cluster
          TaskDefinition: arn:aws:ecs:eu-west-1:123456789012:task-definition/app:1
          LaunchType: FARGATE
          DesiredCount: 2
          NetworkConfiguration:
            AwsvpcConfiguration:
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
    ```
    ```hcl
    resource "aws_ecs_cluster" "main" {
      name = "main"
    }

    resource "aws_ecs_service" "app" {
      name            = "app"
      cluster         = aws_ecs_cluster.main.id
      task_definition = "arn:aws:ecs:eu-west-1:123456789012:task-definition/app:1"
      launch_type     = "FARGATE"
      desired_count   = 2
      network_configuration {
        subnets = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      }
    }
    ```

    ## Trade-off
    The second task doubles the service's compute cost at low load. In `mvp` a single
    task is a note: a documented trade-off, not a defect.
    """
    for svc in graph.resources("ecs_service"):
        if _is_daemon(svc):
            continue
        targets, undecided = scalable_targets(graph, svc)
        if targets:
            for t in targets:
                v = decide(t.get("min_capacity"), lambda n: as_int(n) < 2 if as_int(n) is not None else None)
                if v is True:
                    yield t.finding("min_capacity",
                                    f"auto scaling for ECS service {svc.address} may scale in to "
                                    f"{as_int(options(t.get('min_capacity'))[0])} task: set a minimum of 2",
                                    related=[Related(svc, (), "the service it scales")])
                elif v is None:
                    yield t.unknown("min_capacity", f"{t.native('min_capacity')} depends on a value walint cannot resolve")
            continue
        default = 1 if svc.format == "cloudformation" else 0
        value = svc.get("desired_count", default)
        v = decide(value, lambda n: as_int(n) < 2 if as_int(n) is not None else None)
        if undecided:
            # Each undecided target may or may not scale this service: the verdict stands
            # only when every possibility agrees (RULES.md §0.3).
            maybe = [t for t in graph.resources("scalable_target") if t.scope == svc.scope
                     and _is_ecs_target(t) is not False and _matches(graph, t, svc) is not False]
            mins = [decide(t.get("min_capacity"), lambda n: as_int(n) < 2 if as_int(n) is not None else None)
                    for t in maybe]
            if v is True and all(m is True for m in mins):
                n = as_int(options(value)[0])
                yield svc.finding("desired_count", f"ECS service {svc.address} runs {n} task"
                                  f"{'' if n == 1 else 's'}, and every scalable target that may scale it has a "
                                  "minimum below 2: one failure stops it",
                                  related=[Related(t, ("min_capacity",), "may scale this service") for t in maybe])
            elif not (v is False and all(m is False for m in mins)):
                yield svc.unknown(None, "a scalable target's ResourceId cannot be evaluated, so whether it "
                                  "scales this service is unknown", key="desired_count")
            continue
        if v is True:
            n = as_int(options(value)[0])
            yield svc.finding("desired_count", f"ECS service {svc.address} runs {n} task"
                              f"{'' if n == 1 else 's'} and has no auto scaling: one failure stops it")
        elif v is None:
            yield svc.unknown("desired_count", f"{svc.native('desired_count')} depends on a value walint cannot resolve")


# ------------------------------------------------------------------------------ SCL-002

_CPU = "ECSServiceAverageCPUUtilization"


@rule(id="WAL-SCL-002", name="ecs-target-tracking", title="ECS services have target-tracking auto scaling",
      pillar="reliability", category="scaling-resilience", best_practice=("REL07-BP01",),
      severity=severity(development="off", mvp="note", production="warning"))
def ecs_target_tracking(graph):
    """Every load-balanced replica ECS service has an Application Auto Scaling target
    (`service/<cluster>/<service>`, `ecs:service:DesiredCount`) whose maximum exceeds its
    minimum, with a target-tracking or step scaling policy attached; a CPU
    target-tracking target value outside 40-85% is a note.

    ## Why
    Fixed capacity is either too small for a peak or paid for at night. Scaling on a
    metric follows the load (REL07-BP01, use automation when obtaining or scaling
    resources); the foundation scales ECS from 2 to 20 tasks on a 70% CPU target.

    ## Default
    A service has no auto scaling unless a scalable target names it. walint matches the
    target's `ResourceId` by evaluating the `service/${cluster}/${service}` string; when the
    string is only known at deploy time (`!Sub` over a `Ref`), it matches by the resources
    the string refers to. Terraform's `aws_appautoscaling_policy.policy_type` defaults to
    `StepScaling`.

    ## Example
    ```yaml
    Resources:
      Cluster:
        Type: AWS::ECS::Cluster
      Service:
        Type: AWS::ECS::Service
        Properties:
          ServiceName: app
          Cluster: !Ref Cluster
          TaskDefinition: arn:aws:ecs:eu-west-1:123456789012:task-definition/app:1
          LaunchType: FARGATE
          DesiredCount: 2
          LoadBalancers:
            - ContainerName: app
              ContainerPort: 8080
              TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/app/0123456789abcdef
          NetworkConfiguration:
            AwsvpcConfiguration:
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
    ```
    ```hcl
    resource "aws_ecs_service" "app" {
      name            = "app"
      cluster         = "main"
      task_definition = "arn:aws:ecs:eu-west-1:123456789012:task-definition/app:1"
      launch_type     = "FARGATE"
      desired_count   = 2
      load_balancer {
        target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/app/0123456789abcdef"
        container_name   = "app"
        container_port   = 8080
      }
      network_configuration {
        subnets = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Cluster:
        Type: AWS::ECS::Cluster
      Service:
        Type: AWS::ECS::Service
        Properties:
          ServiceName: app
          Cluster: !Ref Cluster
          TaskDefinition: arn:aws:ecs:eu-west-1:123456789012:task-definition/app:1
          LaunchType: FARGATE
          DesiredCount: 2
          LoadBalancers:
            - ContainerName: app
              ContainerPort: 8080
              TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/app/0123456789abcdef
          NetworkConfiguration:
            AwsvpcConfiguration:
              Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
      ScalableTarget:
        Type: AWS::ApplicationAutoScaling::ScalableTarget
        Properties:
          ServiceNamespace: ecs
          ScalableDimension: ecs:service:DesiredCount
          ResourceId: !Sub service/${Cluster}/${Service.Name}
          MinCapacity: 2
          MaxCapacity: 20
      CpuScaling:
        Type: AWS::ApplicationAutoScaling::ScalingPolicy
        Properties:
          PolicyName: cpu70
          PolicyType: TargetTrackingScaling
          ScalingTargetId: !Ref ScalableTarget
          TargetTrackingScalingPolicyConfiguration:
            TargetValue: 70
            PredefinedMetricSpecification:
              PredefinedMetricType: ECSServiceAverageCPUUtilization
    ```
    ```hcl
    resource "aws_ecs_service" "app" {
      name            = "app"
      cluster         = "main"
      task_definition = "arn:aws:ecs:eu-west-1:123456789012:task-definition/app:1"
      launch_type     = "FARGATE"
      desired_count   = 2
      load_balancer {
        target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/app/0123456789abcdef"
        container_name   = "app"
        container_port   = 8080
      }
      network_configuration {
        subnets = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      }
    }

    resource "aws_appautoscaling_target" "app" {
      service_namespace  = "ecs"
      scalable_dimension = "ecs:service:DesiredCount"
      resource_id        = "service/main/${aws_ecs_service.app.name}"
      min_capacity       = 2
      max_capacity       = 20
    }

    resource "aws_appautoscaling_policy" "cpu" {
      name               = "cpu70"
      policy_type        = "TargetTrackingScaling"
      service_namespace  = aws_appautoscaling_target.app.service_namespace
      scalable_dimension = aws_appautoscaling_target.app.scalable_dimension
      resource_id        = aws_appautoscaling_target.app.resource_id
      target_tracking_scaling_policy_configuration {
        target_value = 70
        predefined_metric_specification {
          predefined_metric_type = "ECSServiceAverageCPUUtilization"
        }
      }
    }
    ```

    ## Trade-off
    A maximum bounds the bill as well as the capacity: set it from what the database and
    the budget can take.
    """
    policies = graph.resources("scaling_policy")
    for svc in graph.resources("ecs_service"):
        if _is_daemon(svc):
            continue
        lb = _load_balanced(svc)
        if lb is False:
            continue
        targets, undecided = scalable_targets(graph, svc)
        if not targets:
            if undecided or lb is None:
                yield svc.unknown(None, "whether the service has auto scaling is unknown (a scalable target's "
                                  "ResourceId or the service's load balancers cannot be evaluated)", key="scaling")
            else:
                yield svc.finding(None, f"ECS service {svc.address} is load balanced but has no auto scaling "
                                  "target: its capacity cannot follow the load", key="scaling")
            continue
        for t in targets:
            lo, hi = t.get("min_capacity"), t.get("max_capacity")
            flat = decide(hi, lambda h: decide(lo, lambda lo_: as_int(h) <= as_int(lo_)
                                               if as_int(h) is not None and as_int(lo_) is not None else None))
            if flat is True:
                yield t.finding("max_capacity", f"auto scaling for {svc.address} cannot scale out "
                                f"(max_capacity {as_int(hi)} is not above min_capacity {as_int(lo)})",
                                related=[Related(svc, (), "the service it scales")])
            mine, maybe = [], False
            for p in policies:
                if p.scope != t.scope:
                    continue
                v = _policy_for(graph, p, t)
                if v is True and not p.optional:
                    mine.append(p)
                elif v is not False:
                    maybe = True
            if not mine:
                if maybe:
                    yield t.unknown(None, "whether a scaling policy acts on this target is unknown", key="policy")
                else:
                    yield t.finding(None, f"the scalable target of {svc.address} has no scaling policy: it never "
                                    "scales", related=[Related(svc, (), "the service it scales")], key="policy")
                continue
            for p in mine:
                ptype = p.get("policy_type", "StepScaling")
                if decide(ptype, lambda x: isinstance(x, str) and x == "TargetTrackingScaling") is not True:
                    continue
                conf = "target_tracking_scaling_policy_configuration"
                metric = p.get(conf + ".predefined_metric_specification.predefined_metric_type")
                if metric != _CPU:
                    continue
                value = p.get(conf + ".target_value")
                out = decide(value, lambda x: (not 40 <= float(x) <= 85)
                             if isinstance(x, (int, float)) or (isinstance(x, str) and
                                                                x.replace(".", "", 1).isdigit()) else None)
                if out is True:
                    yield p.finding(conf + ".target_value",
                                    f"CPU target {options(value)[0]}% for {svc.address} is outside 40-85%: "
                                    "the foundation uses 70", severity="note")


# ------------------------------------------------------------------------------ SCL-003

def _hc(tg, cfn, tf):
    return tg.get(cfn) if tg.format == "cloudformation" else tg.get("health_check." + tf)


def _hc_attr(tg, cfn, tf):
    return cfn if tg.format == "cloudformation" else "health_check." + tf


def _attached_to_lb(graph, asg):
    """True/False/None: the group is registered with a target group or classic ELB."""
    undecided = False
    for attr in ("target_group_arns", _name(asg, "load_balancer_names", "load_balancers")):
        v = asg.get(attr)
        if isinstance(v, (Unknown, OneOf)):
            undecided = True
        elif v:
            return True
    for r in graph.referrers(asg):
        if r.type == "aws_autoscaling_attachment":
            return True
    return None if undecided else False


@rule(id="WAL-SCL-003", name="lb-health-checks",
      title="Load-balanced compute uses health checks that replace unhealthy targets",
      pillar="reliability", category="scaling-resilience", best_practice=("REL11-BP01", "REL11-BP03"),
      severity=severity(development="note", mvp="warning", production="warning"),
      checkov=("CKV2_AWS_15", "CKV_AWS_261"))
def lb_health_checks(graph):
    """Load-balanced compute is replaced when it stops answering: target groups keep
    their health checks on (with an explicit, non-root path when ECS tasks sit behind
    them), Auto Scaling groups behind a load balancer use the `ELB` health check type, and
    load-balanced ECS services set a health-check grace period.

    ## Why
    Health checks are how the platform notices a broken instance or task and replaces it
    (REL11-BP01, monitor all components; REL11-BP03, automate healing on all layers). An
    Auto Scaling group that only uses EC2 status checks keeps an instance whose
    application is dead, because the instance itself is running. A check on `/` often
    answers 200 from a web server whose application cannot reach its database.

    ## Default
    Target group health checks are on by default (`HealthCheckEnabled` /
    `health_check.enabled`), with path `/`. An Auto Scaling group's `HealthCheckType` /
    `health_check_type` defaults to `EC2`. An ECS service's grace period defaults to 0,
    so a slow-starting task can be killed before it is ready (a note).

    ## Example
    ```yaml
    Resources:
      Instances:
        Type: AWS::AutoScaling::AutoScalingGroup
        Properties:
          MinSize: "2"
          MaxSize: "4"
          LaunchTemplate:
            LaunchTemplateId: lt-0123456789abcdef0
            Version: "1"
          VPCZoneIdentifier: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
          TargetGroupARNs:
            - arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef
    ```
    ```hcl
    resource "aws_autoscaling_group" "web" {
      min_size            = 2
      max_size            = 4
      vpc_zone_identifier = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      target_group_arns   = ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"]
      launch_template {
        id      = "lt-0123456789abcdef0"
        version = "1"
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Instances:
        Type: AWS::AutoScaling::AutoScalingGroup
        Properties:
          MinSize: "2"
          MaxSize: "4"
          LaunchTemplate:
            LaunchTemplateId: lt-0123456789abcdef0
            Version: "1"
          VPCZoneIdentifier: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
          TargetGroupARNs:
            - arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef
          HealthCheckType: ELB
          HealthCheckGracePeriod: 120
    ```
    ```hcl
    resource "aws_autoscaling_group" "web" {
      min_size                  = 2
      max_size                  = 4
      vpc_zone_identifier       = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      target_group_arns         = ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"]
      health_check_type         = "ELB"
      health_check_grace_period = 120
      launch_template {
        id      = "lt-0123456789abcdef0"
        version = "1"
      }
    }
    ```
    """
    for tg in graph.resources("target_group"):
        ttype = tg.get("target_type", "instance")
        if decide(ttype, lambda t: isinstance(t, str) and t.lower() == "lambda") is True:
            continue
        enabled_attr = _hc_attr(tg, "health_check_enabled", "enabled")
        enabled = decide(tg.get(enabled_attr, True), as_bool)
        if enabled is False:
            yield tg.finding(enabled_attr, f"target group {tg.address} has health checks turned off: "
                             "failed targets keep receiving traffic")
            continue
        if enabled is None:
            yield tg.unknown(enabled_attr, "whether health checks are on depends on a value walint cannot resolve")
            continue
        services = graph.referrers(tg, kind="ecs_service")
        if not services:
            continue
        proto = tg.get(_hc_attr(tg, "health_check_protocol", "protocol")) or tg.get("protocol")
        http = decide(proto, lambda p: isinstance(p, str) and p.upper() in ("HTTP", "HTTPS"))
        if http is False or proto is None:
            continue
        path_attr = _hc_attr(tg, "health_check_path", "path")
        path = tg.get(path_attr)
        related = [Related(s, (), "the ECS service behind it") for s in services]
        if http is None:
            yield tg.unknown(path_attr, "the target group's protocol is unknown", key="path")
        elif path is None:
            yield tg.finding(None, f"target group {tg.address} of an ECS service has no health check path: "
                             "give the application a health endpoint", related=related, key="path")
        elif decide(path, lambda p: isinstance(p, str) and p.strip() == "/") is True:
            yield tg.finding(path_attr, f"target group {tg.address} checks `/`: a shallow health check that "
                             "passes while the application is broken", related=related, key="path",
                             severity="note")
    for asg in graph.resources("asg"):
        attached = _attached_to_lb(graph, asg)
        if attached is False:
            continue
        kind = decide(asg.get("health_check_type", "EC2"), lambda t: isinstance(t, str) and t.upper() == "ELB")
        if kind is False and attached is True:
            yield asg.finding("health_check_type", f"Auto Scaling group {asg.address} is behind a load balancer "
                              "but uses EC2 health checks: instances whose application fails are not replaced")
        elif kind is None or (kind is False and attached is None):
            yield asg.unknown("health_check_type", "the health check type or the load balancer attachment is unknown")
    for svc in graph.resources("ecs_service"):
        if _load_balanced(svc) is not True:
            continue
        if not svc.has("health_check_grace_period_seconds"):
            yield svc.finding(None, f"load-balanced ECS service {svc.address} sets no health check grace period: "
                              "a slow-starting task can be replaced before it is ready",
                              key="grace-period", severity="note")


RULES = [ecs_min_two_tasks, ecs_target_tracking, lb_health_checks]

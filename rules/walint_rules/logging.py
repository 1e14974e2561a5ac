"""logging-monitoring: flow logs, CloudTrail, log retention, container logs, tracing
(RULES.md §2.9)."""
import os
import re

from walint.api import OneOf, Related, Unknown, as_bool, as_int, decide, options, rule, severity

from ._containers import containers
from ._data import dig


def _name(r, cloudformation, terraform):
    return cloudformation if r.format == "cloudformation" else terraform


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else None


# ------------------------------------------------------------------------------ LOG-001

_FLOW_TARGETS_TF = ("vpc_id", "subnet_id", "eni_id", "transit_gateway_id", "transit_gateway_attachment_id")


def _flow_target(graph, fl):
    """(target attribute, Resource | Unknown | None) a flow log records."""
    if fl.format == "cloudformation":
        attr = "resource_id"
        value = fl.get(attr)
    else:
        attr = next((a for a in _FLOW_TARGETS_TF if fl.has(a)), None)
        value = fl.get(attr) if attr else None
    if value is None:
        return attr, None
    found = graph.targets(fl, value)
    if len(found) != 1:
        return attr, Unknown("the flow log's target cannot be followed")
    return attr, found[0]


def _traffic_ok(fl, regulated):
    """True/False/None: the flow log captures what the profile asks for."""
    if not fl.has("traffic_type"):
        return None
    wanted = {"ALL"} if regulated else {"ALL", "REJECT"}
    return decide(fl.get("traffic_type"), lambda t: _upper(t) in wanted if _upper(t) else None)


@rule(id="WAL-LOG-001", name="vpc-flow-logs", title="VPC Flow Logs enabled for every VPC",
      pillar="security", category="logging-monitoring", best_practice=("SEC04-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV2_AWS_11",))
def vpc_flow_logs(graph):
    """Every VPC records its network traffic with VPC Flow Logs: a flow log on the VPC
    capturing `ALL` or `REJECT` traffic (`ALL` in the regulated profile), or a flow log on
    every one of its subnets.

    ## Why
    Flow logs are the only record of who talked to what inside the VPC: without them an
    intrusion, a data exfiltration or a misrouted security group cannot be investigated
    after the fact. SEC04-BP01 (configure service and application logging); the
    foundation enables flow logs on the VPC.

    ## Default
    A VPC has no flow log unless an `AWS::EC2::FlowLog` / `aws_flow_log` names it. A flow
    log whose target is a parameter, a variable or an import, or whose own existence is
    conditional, makes the result unknown. So does, for a VPC its template exports, a flow
    log of another template of the scan that imports its target (`Fn::ImportValue` of a
    name walint cannot resolve): a flow-log stack deployed once per VPC stack.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      FlowLogGroup:
        Type: AWS::Logs::LogGroup
        Properties:
          RetentionInDays: 365
      FlowLogRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: vpc-flow-logs.amazonaws.com}
                Action: sts:AssumeRole
      FlowLog:
        Type: AWS::EC2::FlowLog
        Properties:
          ResourceType: VPC
          ResourceId: !Ref Vpc
          TrafficType: ALL
          LogGroupName: !Ref FlowLogGroup
          DeliverLogsPermissionArn: !GetAtt FlowLogRole.Arn
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_cloudwatch_log_group" "flow" {
      name              = "/vpc/main/flow"
      retention_in_days = 365
    }

    resource "aws_flow_log" "main" {
      vpc_id          = aws_vpc.main.id
      traffic_type    = "ALL"
      log_destination = aws_cloudwatch_log_group.flow.arn
      iam_role_arn    = "arn:aws:iam::123456789012:role/flow-logs"
    }
    ```

    ## Trade-off
    Flow logs are billed per GB ingested. A `REJECT`-only log, or an S3 destination with a
    lifecycle rule, is cheaper than `ALL` to CloudWatch Logs; the regulated profile asks
    for `ALL`.
    """
    flow_logs = [(fl, *_flow_target(graph, fl)) for fl in graph.resources("flow_log")]
    # a flow-log stack that imports its VPC (deployed once per VPC stack) may record any
    # VPC that another template of the scan exports
    elsewhere = [(fl, attr, target.reason) for fl, attr, target in flow_logs
                 if isinstance(target, Unknown) and target.imported]
    subnets = graph.resources("subnet")
    for vpc in graph.resources("vpc"):
        regulated = graph.profile_of(vpc) == "regulated"
        on_vpc, on_subnet, undecided = [], {}, []
        for fl, attr, target in flow_logs:
            if fl.scope != vpc.scope:
                continue
            if isinstance(target, Unknown):
                undecided.append((fl, attr, target.reason))
                continue
            if target is None:
                continue
            if target is vpc:
                on_vpc.append(fl)
            elif target.kind == "subnet":
                on_subnet.setdefault(id(target), []).append(fl)
        verdicts = []
        for fl in on_vpc:
            ok = _traffic_ok(fl, regulated)
            verdicts.append(None if (ok is True and fl.optional) else ok)
        if True in verdicts:
            continue
        mine = [s for s in subnets if s.scope == vpc.scope and graph.deref(s, s.get("vpc_id")) is vpc]
        if mine and all(any(_traffic_ok(fl, regulated) is True and not fl.optional
                            for fl in on_subnet.get(id(s), ())) for s in mine):
            continue
        foreign = [e for e in elsewhere if e[0].scope != vpc.scope]
        if not on_vpc and not undecided and foreign and vpc.meta.get("exported"):
            fl, _, reason = foreign[0]
            yield vpc.unknown(None, f"whether VPC {vpc.address} has flow logs is unknown: flow log "
                              f"{fl.address} in {os.path.normpath(fl.file)} may record it ({reason})")
            continue
        if None in verdicts or undecided:
            fl, attr, reason = undecided[0] if undecided else (on_vpc[0], "traffic_type", "")
            yield vpc.unknown(None, f"whether VPC {vpc.address} has flow logs is unknown: flow log "
                              f"{fl.address} " + (f"has a target walint cannot follow ({reason})" if reason
                                                  else "may not exist or has an unknown traffic type"))
            continue
        related = [Related(fl, ("traffic_type",), "captures too little traffic") for fl in on_vpc]
        what = ("captures only ACCEPT traffic" if on_vpc and not regulated else
                "does not capture ALL traffic, which the regulated profile requires" if on_vpc else
                "has no flow log")
        yield vpc.finding(None, f"VPC {vpc.address} {what}: its network traffic is not recorded",
                          related=related, key="flow-log")


# ------------------------------------------------------------------------------ LOG-002

@rule(id="WAL-LOG-002", name="cloudtrail-enabled",
      title="CloudTrail multi-region, logging, log-file validation",
      pillar="security", category="logging-monitoring", best_practice=("SEC04-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_67", "CKV_AWS_36", "CKV_AWS_251"))
def cloudtrail_enabled(graph):
    """Each CloudTrail trail is logging, records every region, and validates its log
    files; a configuration that builds a VPC but declares no trail gets a note (a warning
    in the regulated profile), since the trail is usually managed at account or
    organization level.

    ## Why
    CloudTrail is the audit record of every API call: who changed a security group, who
    read a secret. A single-region trail misses activity in the other regions (a
    favourite place for an attacker's resources); without log-file validation a
    tampered or deleted log file goes unnoticed. SEC04-BP01 (configure service and
    application logging).

    ## Default
    `IsMultiRegionTrail` / `is_multi_region_trail` and `EnableLogFileValidation` /
    `enable_log_file_validation` default to false. `IsLogging` is required in
    CloudFormation; Terraform's `enable_logging` defaults to true.

    ## Example
    ```yaml
    Resources:
      Trail:
        Type: AWS::CloudTrail::Trail
        Properties:
          IsLogging: true
          S3BucketName: audit-logs-123456789012
    ```
    ```hcl
    resource "aws_cloudtrail" "main" {
      name           = "main"
      s3_bucket_name = "audit-logs-123456789012"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Trail:
        Type: AWS::CloudTrail::Trail
        Properties:
          IsLogging: true
          S3BucketName: audit-logs-123456789012
          IsMultiRegionTrail: true
          EnableLogFileValidation: true
    ```
    ```hcl
    resource "aws_cloudtrail" "main" {
      name                       = "main"
      s3_bucket_name             = "audit-logs-123456789012"
      is_multi_region_trail      = true
      enable_log_file_validation = true
    }
    ```
    """
    trails = graph.resources("trail")
    for trail in trails:
        logging_attr = _name(trail, "is_logging", "enable_logging")
        checks = (
            (logging_attr, True, "is not logging (logging is turned off)"),
            ("is_multi_region_trail", False,
             f"records one region only ({trail.setting('is_multi_region_trail', False)})"),
            ("enable_log_file_validation", False,
             f"does not validate its log files ({trail.setting('enable_log_file_validation', False)})"),
        )
        for attr, default, problem in checks:
            verdict = decide(trail.get(attr, default), as_bool)
            if verdict is False:
                yield trail.finding(attr, f"CloudTrail trail {trail.address} {problem}")
            elif verdict is None:
                yield trail.unknown(attr, f"{trail.native(attr)} depends on a value walint cannot resolve")
    with_trail = {t.scope for t in trails}
    seen = set()
    for vpc in graph.resources("vpc"):
        if vpc.scope in with_trail or vpc.scope in seen:
            continue
        seen.add(vpc.scope)
        level = "warning" if graph.profile_of(vpc) == "regulated" else "note"
        yield vpc.finding(None, f"no CloudTrail trail is declared alongside VPC {vpc.address}: make sure "
                          "an account or organization trail records this workload",
                          key="no-trail", severity=level)


# ------------------------------------------------------------------------------ LOG-003

_LAMBDA_GROUP = "/aws/lambda/"


def _lambda_has_group(graph, fn, groups):
    """True/False/None: an explicit log group exists for the function."""
    if fn.has("logging_config.log_group"):
        return True
    if any(g.kind == "log_group" for g in graph.referrers(fn)):
        return True
    name = fn.get("function_name")
    undecided = False
    for g in groups:
        gname = g.get(_name(g, "log_group_name", "name"))
        if isinstance(gname, str) and isinstance(name, str) and gname == _LAMBDA_GROUP + name:
            return True
        if isinstance(gname, (Unknown, OneOf)):
            undecided = True
    if name is not None and not isinstance(name, str):
        undecided = True
    return None if undecided else False


@rule(id="WAL-LOG-003", name="log-group-retention", title="CloudWatch log groups have a retention period",
      pillar="security", category="logging-monitoring", best_practice=("SEC04-BP01", "COST04-BP05"),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_66", "CKV_AWS_338"))
def log_group_retention(graph):
    """Every CloudWatch Logs log group sets a retention period (at least 365 days in the
    regulated profile). Log groups that Lambda or the ECS `awslogs` driver create
    implicitly never expire: they are reported as a note on the resource that creates them.

    ## Why
    Logs kept for a defined period answer an investigation (SEC04-BP01, configure service
    and application logging) without growing the bill forever (COST04-BP05, enforce data
    retention policies). A log group without retention keeps every event at storage
    prices, for ever.

    ## Default
    `RetentionInDays` absent and `retention_in_days = 0` (the Terraform default) mean
    "never expire". A Lambda function writes to `/aws/lambda/<name>`, created on first
    invocation without retention unless the template declares that group (or the
    function's `LoggingConfig` names one).

    ## Example
    ```yaml
    Resources:
      AppLogs:
        Type: AWS::Logs::LogGroup
        Properties:
          LogGroupName: /ecs/app
    ```
    ```hcl
    resource "aws_cloudwatch_log_group" "app" {
      name = "/ecs/app"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      AppLogs:
        Type: AWS::Logs::LogGroup
        Properties:
          LogGroupName: /ecs/app
          RetentionInDays: 365
    ```
    ```hcl
    resource "aws_cloudwatch_log_group" "app" {
      name              = "/ecs/app"
      retention_in_days = 365
    }
    ```

    ## Trade-off
    Retention is a cost lever: 30 days is enough for operations, audit logs need a year
    or more (regulated), and long-term copies are cheaper exported to S3 with a lifecycle
    rule.
    """
    groups = graph.resources("log_group")
    for g in groups:
        regulated = graph.profile_of(g) == "regulated"
        value = g.get("retention_in_days", 0)

        def bad(v):
            n = as_int(v)
            if n is None:
                return None
            return n <= 0 or (regulated and n < 365)

        verdict = decide(value, bad)
        if verdict is True:
            n = as_int(options(value)[0])
            if not n:
                msg = f"log group {g.address} never expires (no retention period)"
            else:
                msg = f"log group {g.address} keeps logs {n} days, below the 365 the regulated profile requires"
            yield g.finding("retention_in_days", msg)
        elif verdict is None:
            yield g.unknown("retention_in_days", f"{g.native('retention_in_days')} depends on a value walint cannot resolve")
    for fn in graph.resources("lambda"):
        scoped = [g for g in groups if g.scope == fn.scope]
        has = _lambda_has_group(graph, fn, scoped)
        if has is False:
            yield fn.finding(None, f"Lambda function {fn.address} logs to an implicit log group "
                             f"({_LAMBDA_GROUP}<name>) that never expires: declare the group with a retention",
                             key="implicit-log-group", severity="note")
        elif has is None:
            yield fn.unknown(None, "whether the function's log group is declared is unknown", key="implicit-log-group")
    for td in graph.resources("task_def"):
        cs = containers(td)
        if isinstance(cs, Unknown):
            continue                      # LOG-004 reports the unknown
        for c in cs:
            opts = (c.data.get("log_configuration") or {})
            opts = opts.get("options") if isinstance(opts, dict) else None
            if not isinstance(opts, dict):
                continue
            if decide(opts.get("awslogs-create-group", False), as_bool) is True:
                yield td.finding(c.sub("log_configuration", "options", "awslogs-create-group"),
                                 f"container {c.name} of {td.address} has the awslogs driver create its log "
                                 "group, which then never expires: declare the group with a retention",
                                 key=f"implicit-log-group#{c.name}", severity="note")


# ------------------------------------------------------------------------------ LOG-004

_SHIPPING = ("awslogs", "awsfirelens")


@rule(id="WAL-LOG-004", name="ecs-container-logging", title="ECS containers ship logs to CloudWatch",
      pillar="operational-excellence", category="logging-monitoring", best_practice=("OPS04-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"))
def ecs_container_logging(graph):
    """Every essential container of an ECS task definition has a log configuration whose
    driver is `awslogs` (CloudWatch Logs) or `awsfirelens` (FireLens routing).

    ## Why
    A container without a log driver writes its output nowhere an operator can read it:
    when a Fargate task crashes, the evidence goes with it. OPS04-BP02 (implement
    application telemetry); the foundation ships ECS logs to CloudWatch.

    ## Default
    `Essential` defaults to true. A container has no log configuration unless one is
    given. In Terraform, `container_definitions` is JSON: walint reads the `jsonencode`
    or `file()` result when every part of it is known, and otherwise gives unknown.

    ## Example
    ```yaml
    Resources:
      TaskDefinition:
        Type: AWS::ECS::TaskDefinition
        Properties:
          RequiresCompatibilities: [FARGATE]
          NetworkMode: awsvpc
          Cpu: "256"
          Memory: "512"
          ContainerDefinitions:
            - Name: app
              Image: public.ecr.aws/nginx/nginx:latest
    ```
    ```hcl
    resource "aws_ecs_task_definition" "app" {
      family                   = "app"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      container_definitions = jsonencode([{
        name = "app", image = "public.ecr.aws/nginx/nginx:latest", essential = true
      }])
    }
    ```

    ## Fix
    ```yaml
    Resources:
      AppLogs:
        Type: AWS::Logs::LogGroup
        Properties:
          RetentionInDays: 30
      TaskDefinition:
        Type: AWS::ECS::TaskDefinition
        Properties:
          RequiresCompatibilities: [FARGATE]
          NetworkMode: awsvpc
          Cpu: "256"
          Memory: "512"
          ContainerDefinitions:
            - Name: app
              Image: public.ecr.aws/nginx/nginx:latest
              LogConfiguration:
                LogDriver: awslogs
                Options:
                  awslogs-group: !Ref AppLogs
                  awslogs-region: !Ref AWS::Region
                  awslogs-stream-prefix: app
    ```
    ```hcl
    resource "aws_cloudwatch_log_group" "app" {
      name              = "/ecs/app"
      retention_in_days = 30
    }

    resource "aws_ecs_task_definition" "app" {
      family                   = "app"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      container_definitions = jsonencode([{
        name = "app", image = "public.ecr.aws/nginx/nginx:latest", essential = true
        logConfiguration = {
          logDriver = "awslogs"
          options = {
            "awslogs-group"         = aws_cloudwatch_log_group.app.name
            "awslogs-region"        = "eu-west-1"
            "awslogs-stream-prefix" = "app"
          }
        }
      }])
    }
    ```
    """
    for td in graph.resources("task_def"):
        cs = containers(td)
        if isinstance(cs, Unknown):
            yield td.unknown("container_definitions",
                             f"the container definitions cannot be read: {cs.reason}")
            continue
        for c in cs:
            essential = decide(c.data.get("essential", True), as_bool)
            if essential is False:
                continue
            conf = c.data.get("log_configuration")
            if isinstance(conf, (Unknown, OneOf)):
                yield td.unknown(c.sub("log_configuration"), f"the log configuration of {c.name} is unknown",
                                 key=c.name)
                continue
            driver = conf.get("log_driver") if isinstance(conf, dict) else None
            ok = decide(driver, lambda d: isinstance(d, str) and d.strip().lower() in _SHIPPING) \
                if driver is not None else False
            if ok is False and essential is True:
                what = f"logs with the {driver} driver" if isinstance(driver, str) else "has no log configuration"
                yield td.finding(c.sub("log_configuration") if conf else c.path,
                                 f"essential container {c.name} of {td.address} {what}: its output does not "
                                 "reach CloudWatch Logs", key=c.name)
            elif ok is None or (ok is False and essential is None):
                yield td.unknown(c.sub("log_configuration") if conf else c.path,
                                 f"whether container {c.name} ships its logs is unknown", key=c.name)


# ------------------------------------------------------------------------------ LOG-005

_TRACER_IMAGE = re.compile(r"(aws-xray-daemon|aws-otel-collector|adot)", re.I)
_TRACER_ENV = ("AWS_XRAY_DAEMON_ADDRESS", "OTEL_EXPORTER_OTLP_ENDPOINT")
_STAGES = {"AWS::ApiGateway::Stage": "tracing_enabled", "AWS::Serverless::Api": "tracing_enabled",
           "aws_api_gateway_stage": "xray_tracing_enabled"}


def _task_traced(cs):
    """True/False/None: a tracing sidecar or exporter setting is present."""
    undecided = False
    for c in cs:
        image = c.data.get("image")
        v = decide(image, lambda i: isinstance(i, str) and bool(_TRACER_IMAGE.search(i)))
        if v is True:
            return True
        if v is None:
            undecided = True
        env = c.data.get("environment")
        if isinstance(env, (Unknown, OneOf)):
            undecided = True
            continue
        for item in env or ():
            if isinstance(item, dict) and item.get("name") in _TRACER_ENV:
                return True
    return None if undecided else False


@rule(id="WAL-LOG-005", name="distributed-tracing", title="X-Ray / distributed tracing enabled",
      pillar="operational-excellence", category="logging-monitoring", best_practice=("OPS04-BP05",),
      severity=severity(development="off", mvp="note", production="note", regulated="warning"),
      checkov=("CKV_AWS_50", "CKV_AWS_73", "CKV_AWS_284"))
def distributed_tracing(graph):
    """Lambda functions use active X-Ray tracing, API Gateway stages and Step Functions
    state machines have X-Ray tracing on, and ECS task definitions run a tracing agent
    (an X-Ray daemon or ADOT collector sidecar, or a container told where to send
    traces).

    ## Why
    A request that crosses a load balancer, a service, a queue and a database is only
    debuggable with a trace that follows it; without one, latency and errors can be seen
    but not located. OPS04-BP05 (implement distributed tracing).

    ## Default
    Lambda's `TracingConfig.Mode` / `tracing_config.mode` defaults to `PassThrough` (no
    traces of its own); API Gateway `TracingEnabled` / `xray_tracing_enabled` default to
    false; so does a state machine's `TracingConfiguration.Enabled` /
    `tracing_configuration.enabled` (SAM: `Tracing.Enabled`). For ECS the check is a
    heuristic: a container image matching
    `aws-xray-daemon`, `aws-otel-collector` or `adot`, or an environment variable
    `AWS_XRAY_DAEMON_ADDRESS` / `OTEL_EXPORTER_OTLP_ENDPOINT`, counts as tracing.

    ## Example
    ```yaml
    Resources:
      Handler:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/handler
          Code:
            ZipFile: "def handler(event, context): return 'ok'"
    ```
    ```hcl
    resource "aws_lambda_function" "handler" {
      function_name = "handler"
      runtime       = "python3.12"
      handler       = "index.handler"
      role          = "arn:aws:iam::123456789012:role/handler"
      filename      = "handler.zip"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Handler:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/handler
          Code:
            ZipFile: "def handler(event, context): return 'ok'"
          TracingConfig:
            Mode: Active
    ```
    ```hcl
    resource "aws_lambda_function" "handler" {
      function_name = "handler"
      runtime       = "python3.12"
      handler       = "index.handler"
      role          = "arn:aws:iam::123456789012:role/handler"
      filename      = "handler.zip"

      tracing_config {
        mode = "Active"
      }
    }
    ```

    ## Trade-off
    X-Ray bills per trace recorded and scanned; a sampling rule keeps the cost bounded.
    """
    for fn in graph.resources("lambda"):
        attr = "tracing" if fn.type == "AWS::Serverless::Function" and fn.has("tracing") \
            else "tracing_config.mode"
        verdict = decide(fn.get(attr, "PassThrough"),
                         lambda m: m.strip().lower() == "active" if isinstance(m, str) else None)
        if verdict is False:
            yield fn.finding(attr, f"Lambda function {fn.address} does not trace requests "
                             "(tracing mode is not Active)")
        elif verdict is None:
            yield fn.unknown(attr, "the tracing mode depends on a value walint cannot resolve")
    for r in graph.resources():
        attr = _STAGES.get(r.type)
        if not attr:
            continue
        verdict = decide(r.get(attr, False), as_bool)
        if verdict is False:
            yield r.finding(attr, f"API stage {r.address} does not trace requests with X-Ray")
        elif verdict is None:
            yield r.unknown(attr, f"{r.native(attr)} depends on a value walint cannot resolve")
    for sm in graph.resources("state_machine"):
        attr = "tracing.enabled" if sm.type == "AWS::Serverless::StateMachine" else (
            "tracing_configuration.enabled")
        verdict = decide(dig(sm, attr, False), as_bool)
        if verdict is False:
            yield sm.finding(attr if sm.has(attr) else None,
                             f"state machine {sm.address} does not trace executions with X-Ray")
        elif verdict is None:
            yield sm.unknown(attr, f"{sm.native(attr)} depends on a value walint cannot resolve")
    for td in graph.resources("task_def"):
        cs = containers(td)
        if isinstance(cs, Unknown):
            yield td.unknown("container_definitions", f"the container definitions cannot be read: {cs.reason}")
            continue
        if not cs:
            continue
        verdict = _task_traced(cs)
        if verdict is False:
            yield td.finding("container_definitions",
                             f"task definition {td.address} runs no tracing agent (no X-Ray daemon or ADOT "
                             "collector sidecar, no trace exporter setting)", key="tracing")
        elif verdict is None:
            yield td.unknown("container_definitions", "whether the task runs a tracing agent is unknown",
                             key="tracing")


RULES = [vpc_flow_logs, cloudtrail_enabled, log_group_retention, ecs_container_logging, distributed_tracing]

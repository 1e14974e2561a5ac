"""Lambda (issue 15, the catalogue's compute layer): environment variables under a
customer managed key in `regulated`, VPC functions over two zones, failed asynchronous
events kept. Lambda tracing and logging are in logging.py, its subnets' tier in
network.py."""
from walint.api import Related, Unknown, decide, distinct_zones, placement, placement_zones, rule, severity, \
    zone_label, zone_of, zones_text

from walint_rules._data import cmk, known_str
from walint_rules._settings import is_set


# ------------------------------------------------------------------------------ ENC-008


def _has_variables(fn):
    """True/False/None: the function sets environment variables."""
    value = fn.get("environment.variables")
    if value is None:
        return False
    if isinstance(value, dict):
        return bool(value)
    return None


@rule(id="WAL-ENC-008", name="lambda-environment-cmk",
      title="Lambda environment variables encrypted with a customer managed key (regulated)",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP01",),
      severity=severity(development="off", mvp="off", production="note", regulated="error"),
      checkov=("CKV_AWS_173",))
def lambda_environment_cmk(graph):
    """A Lambda function that has environment variables encrypts them with a customer
    managed KMS key (`KmsKeyArn` / `kms_key_arn`). In `production` only an explicit AWS
    managed key (`alias/aws/lambda`) is reported, as a note; in `regulated` a missing key
    is an error too.

    ## Why
    Environment variables often carry configuration that is sensitive (endpoints, tenant
    ids, sometimes credentials that belong in Secrets Manager). With the default AWS
    managed key anyone allowed to read the function's configuration reads them; with a
    customer managed key reading them also needs `kms:Decrypt` on a key whose policy you
    write and whose use CloudTrail records. SEC08-BP01 (implement secure key management),
    like WAL-ENC-007 for data stores.

    ## Default
    Without `KmsKeyArn` / `kms_key_arn` Lambda encrypts environment variables at rest
    with the AWS managed key `aws/lambda`. A function without environment variables is
    out of scope. "Customer managed" is decided as in WAL-ENC-007: a reference to a key
    (or alias) in the graph, or a literal key ARN or alias that is not `alias/aws/*`.

    ## Example
    ```yaml
    Resources:
      Handler:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/handler
          KmsKeyArn: arn:aws:kms:eu-west-1:123456789012:alias/aws/lambda
          Environment:
            Variables:
              TABLE: orders
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
      kms_key_arn   = "arn:aws:kms:eu-west-1:123456789012:alias/aws/lambda"

      environment {
        variables = {
          TABLE = "orders"
        }
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      FunctionKey:
        Type: AWS::KMS::Key
        Properties:
          EnableKeyRotation: true
      Handler:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/handler
          KmsKeyArn: !GetAtt FunctionKey.Arn
          Environment:
            Variables:
              TABLE: orders
          Code:
            ZipFile: "def handler(event, context): return 'ok'"
    ```
    ```hcl
    resource "aws_kms_key" "function" {
      enable_key_rotation = true
    }

    resource "aws_lambda_function" "handler" {
      function_name = "handler"
      runtime       = "python3.12"
      handler       = "index.handler"
      role          = "arn:aws:iam::123456789012:role/handler"
      filename      = "handler.zip"
      kms_key_arn   = aws_kms_key.function.arn

      environment {
        variables = {
          TABLE = "orders"
        }
      }
    }
    ```

    ## Trade-off
    A customer managed key costs $1 a month plus requests, and the function's role needs
    `kms:Decrypt` on it; a disabled key stops every cold start.
    """
    for fn in graph.resources("lambda"):
        has_vars = _has_variables(fn)
        if has_vars is False:
            continue
        key = fn.get("kms_key_arn")
        absent = key is None or (isinstance(key, str) and not key.strip())
        verdict = False if absent else cmk(graph, fn, key)
        if verdict is True or (absent and graph.profile_of(fn) != "regulated"):
            continue
        if verdict is None or has_vars is None:
            yield fn.unknown("kms_key_arn" if fn.has("kms_key_arn") else "environment",
                             "the key, or whether the function has environment variables, depends on a value "
                             "walint cannot resolve")
            continue
        what = "no key is set: the AWS managed key aws/lambda" if absent else "the key is AWS managed"
        yield fn.finding("kms_key_arn" if fn.has("kms_key_arn") else None,
                         f"Lambda function {fn.address} encrypts its environment variables without a customer "
                         f"managed KMS key ({what})")

# ------------------------------------------------------------------------------ MAZ-007


@rule(id="WAL-MAZ-007", name="lambda-vpc-multi-az", title="Lambda functions in a VPC use subnets in ≥2 AZs",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01",),
      severity=severity(development="off", mvp="warning", production="error", regulated="error"),
      checkov=())
def lambda_vpc_multi_az(graph):
    """A Lambda function attached to a VPC is given subnets in at least two Availability
    Zones (`VpcConfig.SubnetIds` / `vpc_config.subnet_ids`). WAL-MAZ-005 covers the other
    placement lists; Lambda has its own rule because a function outside a VPC (no
    subnets) is regional by itself and passes.

    ## Why
    A VPC-attached function runs where its network interfaces are: with subnets of one
    zone, a zone outage stops every invocation that needs the VPC. AWS recommends at
    least two subnets in different zones for a VPC function. REL10-BP01 (deploy the
    workload to multiple locations).

    ## Default
    No `VpcConfig` / `vpc_config` (or no subnets): the function runs in the Lambda
    service's own network across the Region's zones and is out of scope. A subnet walint
    cannot read makes the zone unknown; a list fails only when it holds a single subnet
    or when every zone is known and all are the same.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      AppA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      Handler:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/handler
          Code:
            ZipFile: "def handler(event, context): return 'ok'"
          VpcConfig:
            SubnetIds: [!Ref AppA]
            SecurityGroupIds: [sg-0a1b2c3d4e5f60001]
    ```
    ```hcl
    resource "aws_subnet" "app" {
      vpc_id            = "vpc-0a1b2c3d4e5f60001"
      cidr_block        = "10.0.10.0/24"
      availability_zone = "eu-west-1a"
    }

    resource "aws_lambda_function" "handler" {
      function_name = "handler"
      runtime       = "python3.12"
      handler       = "index.handler"
      role          = "arn:aws:iam::123456789012:role/handler"
      filename      = "handler.zip"

      vpc_config {
        subnet_ids         = [aws_subnet.app.id]
        security_group_ids = ["sg-0a1b2c3d4e5f60001"]
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
      AppA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      AppB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.11.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      Handler:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/handler
          Code:
            ZipFile: "def handler(event, context): return 'ok'"
          VpcConfig:
            SubnetIds: [!Ref AppA, !Ref AppB]
            SecurityGroupIds: [sg-0a1b2c3d4e5f60001]
    ```
    ```hcl
    resource "aws_subnet" "app" {
      count             = 2
      vpc_id            = "vpc-0a1b2c3d4e5f60001"
      cidr_block        = "10.0.1${count.index}.0/24"
      availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
    }

    resource "aws_lambda_function" "handler" {
      function_name = "handler"
      runtime       = "python3.12"
      handler       = "index.handler"
      role          = "arn:aws:iam::123456789012:role/handler"
      filename      = "handler.zip"

      vpc_config {
        subnet_ids         = aws_subnet.app[*].id
        security_group_ids = ["sg-0a1b2c3d4e5f60001"]
      }
    }
    ```

    ## Trade-off
    None worth the name: Lambda bills per invocation, not per subnet; `development` is
    single-zone by design (the rule is off).
    """
    for fn in graph.resources("lambda"):
        p = placement(graph, fn)
        if p.missing or (not p.subnets and not p.unknown):
            continue
        if isinstance(fn.get("subnet_ids"), list) and not fn.get("subnet_ids"):
            continue
        zones = placement_zones(graph, p)
        lo, hi = distinct_zones(zones)
        if hi >= 2:
            if lo < 2:
                yield fn.unknown("subnet_ids", "the zones of its subnets are unknown")
            continue
        subnets = [e for e in p.subnets if not isinstance(e, Unknown)]
        listed = "its only subnet is" if len(zones) == 1 else "all of its subnets are"
        yield fn.finding("subnet_ids", f"Lambda function {fn.address} runs in one zone: {listed} in "
                         f"{zones_text(zones)}; a zone outage stops every invocation",
                         related=[Related(s, ("availability_zone",) if s.has("availability_zone") else (),
                                          f"subnet in {zone_label(zone_of(graph, s))}") for s in subnets],
                         key="zones")

# ------------------------------------------------------------------------------ SCL-005

# Services that invoke Lambda asynchronously (the Lambda developer guide's list of
# asynchronous invokers); a permission for one of them means the function gets events
# that are retried twice and then dropped unless kept somewhere.
_ASYNC_PRINCIPALS = frozenset({"s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com",
                               "scheduler.amazonaws.com", "ses.amazonaws.com", "iot.amazonaws.com",
                               "logs.amazonaws.com", "codecommit.amazonaws.com", "config.amazonaws.com"})
_SAM_ASYNC_EVENTS = frozenset({"s3", "sns", "eventbridgerule", "cloudwatchevent", "schedule", "schedulev2",
                               "cloudwatchlogs", "iotrule"})


def _async_invokers(graph, fn):
    """(what invokes the function asynchronously [labels], undecided permission or None)."""
    out, undecided = [], None
    for perm in graph.referrers(fn, kind="lambda_permission", via="function_name"):
        principal = perm.get("principal")
        verdict = decide(principal, lambda p: p.strip().lower() in _ASYNC_PRINCIPALS if isinstance(p, str) else None)
        if verdict is True and not perm.optional:
            out.append(f"{known_str(principal) or 'an asynchronous invoker'} through {perm.address}")
        elif verdict is None or (verdict is True and perm.optional):
            undecided = perm
    if fn.type == "AWS::Serverless::Function":
        events = fn.get("events")
        for name, ev in (events.items() if isinstance(events, dict) else ()):
            kind = ev.get("type") if isinstance(ev, dict) else None
            if isinstance(kind, str) and kind.strip().lower() in _SAM_ASYNC_EVENTS:
                out.append(f"its {kind} event {name}")
    for cfg in graph.referrers(fn, kind="lambda_invoke_config", via="function_name"):
        if not cfg.optional:
            out.append(f"the asynchronous invocation settings {cfg.address}")
    return out, undecided


def _failure_kept(graph, fn):
    """True/False/None: a dead-letter queue or an on-failure destination is set."""
    verdicts = [is_set(fn.get("dead_letter_config.target_arn")),
                is_set(fn.get("dead_letter_queue.target_arn")),
                is_set(fn.get("event_invoke_config.destination_config.on_failure.destination"))]
    for cfg in graph.referrers(fn, kind="lambda_invoke_config", via="function_name"):
        verdicts.append(is_set(cfg.get("destination_config.on_failure.destination")))
    if True in verdicts:
        return True
    return None if None in verdicts else False


@rule(id="WAL-SCL-005", name="lambda-async-failure-destination",
      title="Asynchronously invoked Lambda functions keep failed events",
      pillar="reliability", category="scaling-resilience", best_practice=("REL04-BP02", "REL05-BP03"),
      severity=severity(development="off", mvp="note", production="warning", regulated="warning"),
      checkov=("CKV_AWS_116",))
def lambda_async_failure_destination(graph):
    """A Lambda function that is invoked asynchronously has a dead-letter queue
    (`DeadLetterConfig` / `dead_letter_config`) or an on-failure destination (an
    `AWS::Lambda::EventInvokeConfig` / `aws_lambda_function_event_invoke_config` with
    `OnFailure`), so that an event that fails every retry is kept, not dropped.

    ## Why
    For asynchronous invocations Lambda retries twice and then discards the event: an
    S3 upload, an SNS message or an EventBridge event is silently lost. A dead-letter
    queue or an on-failure destination keeps it for inspection and replay. REL04-BP02
    (implement loosely coupled dependencies), REL05-BP03 (control and limit retry calls).

    ## Default
    Neither is set by default. walint knows a function is invoked asynchronously when the
    graph shows it: a `AWS::Lambda::Permission` / `aws_lambda_permission` naming the
    function for S3, SNS, EventBridge (events, scheduler), SES, IoT, CloudWatch Logs,
    CodeCommit or Config; a SAM event of one of those types; or an asynchronous
    invocation configuration for it. A function with none of these may be invoked
    synchronously (API Gateway, a load balancer, an event source mapping, which has its
    own failure destination) and is not reported.

    ## Example
    ```yaml
    Resources:
      Thumbnailer:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/thumbnailer
          Code:
            ZipFile: "def handler(event, context): return 'ok'"
      UploadsInvoke:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: !GetAtt Thumbnailer.Arn
          Action: lambda:InvokeFunction
          Principal: s3.amazonaws.com
          SourceArn: arn:aws:s3:::example-uploads
    ```
    ```hcl
    resource "aws_lambda_function" "thumbnailer" {
      function_name = "thumbnailer"
      runtime       = "python3.12"
      handler       = "index.handler"
      role          = "arn:aws:iam::123456789012:role/thumbnailer"
      filename      = "thumbnailer.zip"
    }

    resource "aws_lambda_permission" "uploads" {
      function_name = aws_lambda_function.thumbnailer.function_name
      action        = "lambda:InvokeFunction"
      principal     = "s3.amazonaws.com"
      source_arn    = "arn:aws:s3:::example-uploads"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Failed:
        Type: AWS::SQS::Queue
      Thumbnailer:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/thumbnailer
          Code:
            ZipFile: "def handler(event, context): return 'ok'"
          DeadLetterConfig:
            TargetArn: !GetAtt Failed.Arn
      UploadsInvoke:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: !GetAtt Thumbnailer.Arn
          Action: lambda:InvokeFunction
          Principal: s3.amazonaws.com
          SourceArn: arn:aws:s3:::example-uploads
    ```
    ```hcl
    resource "aws_sqs_queue" "failed" {
      name = "thumbnailer-failed"
    }

    resource "aws_lambda_function" "thumbnailer" {
      function_name = "thumbnailer"
      runtime       = "python3.12"
      handler       = "index.handler"
      role          = "arn:aws:iam::123456789012:role/thumbnailer"
      filename      = "thumbnailer.zip"
    }

    resource "aws_lambda_function_event_invoke_config" "thumbnailer" {
      function_name = aws_lambda_function.thumbnailer.function_name

      destination_config {
        on_failure {
          destination = aws_sqs_queue.failed.arn
        }
      }
    }

    resource "aws_lambda_permission" "uploads" {
      function_name = aws_lambda_function.thumbnailer.function_name
      action        = "lambda:InvokeFunction"
      principal     = "s3.amazonaws.com"
      source_arn    = "arn:aws:s3:::example-uploads"
    }
    ```

    ## Trade-off
    A queue costs next to nothing; the work is an alarm on its depth and a way to
    replay. Events that are safe to lose (a cache warm-up) can be a suppression with
    that reason.
    """
    for fn in graph.resources("lambda"):
        invokers, undecided = _async_invokers(graph, fn)
        if not invokers and undecided is None:
            continue
        kept = _failure_kept(graph, fn)
        if kept is True:
            continue
        if kept is None or not invokers:
            why = f"whether {undecided.address} invokes it asynchronously" if not invokers else \
                "the dead-letter or on-failure target"
            yield fn.unknown(None, f"{why} depends on a value walint cannot resolve", key="async-failures")
            continue
        yield fn.finding(None, f"Lambda function {fn.address} has no dead-letter queue or on-failure destination "
                         f"though it is invoked asynchronously: an event that fails every retry is dropped "
                         f"(invoked by {invokers[0]})",
                         key="async-failures")


RULES = [lambda_environment_cmk, lambda_vpc_multi_az, lambda_async_failure_destination]

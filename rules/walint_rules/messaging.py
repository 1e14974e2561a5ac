"""Messaging and workflow: SNS/SQS and EventBridge resource policies, dead-letter queues
for SQS queues that Lambda consumes, Step Functions execution logging (issue 15).

Encryption of queues and topics is WAL-ENC-005; X-Ray tracing of state machines is part
of WAL-LOG-005.
"""
from walint.api import Unknown, decide, rule, severity

from walint_rules._data import dig, is_true, known_str
from walint_rules._resource_policy import open_statements

_UNRESOLVED = "depends on a value walint cannot resolve"


def _report_open(res, attr, value, what):
    for path, verdict, i in open_statements(value, attr):
        key = f"policy#{i}" if i is not None else "policy"
        if verdict is not True:
            yield res.unknown(path, f"whether the policy is open is unknown: {verdict.reason}", key=key)
        else:
            yield res.finding(path, f"{what} allows everyone (Principal \"*\") with no condition that "
                              "narrows it (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID...)",
                              key=key)


# -- WAL-PUB-005: SNS topic and SQS queue policies ------------------------------------------

_QUEUE_TOPIC_POLICIES = {"queue_policy": "queue policy", "topic_policy": "topic policy"}


@rule(id="WAL-PUB-005", name="sns-sqs-policy-not-public",
      title="SNS topic and SQS queue policies do not allow everyone without a condition",
      pillar="security", category="public-access", best_practice=("SEC03-BP07",),
      severity=severity(development="warning", mvp="error"), checkov=("CKV_AWS_168", "CKV_AWS_169"))
def sns_sqs_policy_not_public(graph):
    """An SNS topic policy or SQS queue policy has no statement that allows
    `Principal: "*"` (or `{"AWS": "*"}`) without a condition that narrows who it applies
    to: aws:SourceArn, aws:SourceAccount, aws:SourceOwner, aws:PrincipalOrgID,
    aws:SourceVpce, aws:SourceIp (not 0.0.0.0/0) and the like.

    ## Why
    An open topic lets anyone publish (spam, forged events to every subscriber) or
    subscribe (read every message); an open queue lets anyone send, receive or delete
    messages. A service principal (`sns.amazonaws.com`, `events.amazonaws.com`) is not
    everyone; `Principal: "*"` with `aws:SourceArn` is the documented way to let a
    service deliver. SEC03-BP07 (analyze public and cross-account access).

    ## Default
    Without a policy, only the owning account (through IAM) can use the topic or queue.
    Read: CloudFormation `AWS::SNS::TopicPolicy` / `AWS::SQS::QueuePolicy`
    `PolicyDocument`; Terraform `aws_sns_topic_policy` / `aws_sqs_queue_policy`
    `policy`, and the inline `policy` of `aws_sns_topic` / `aws_sqs_queue`.

    ## Example
    ```yaml
    Resources:
      Jobs:
        Type: AWS::SQS::Queue
      JobsPolicy:
        Type: AWS::SQS::QueuePolicy
        Properties:
          Queues: [!Ref Jobs]
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: "*"
                Action: sqs:SendMessage
                Resource: !GetAtt Jobs.Arn
    ```
    ```hcl
    resource "aws_sns_topic" "events" {
      name = "events"
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Principal = { AWS = "*" }
          Action    = "SNS:Publish"
          Resource  = "*"
        }]
      })
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Jobs:
        Type: AWS::SQS::Queue
      Events:
        Type: AWS::SNS::Topic
      JobsPolicy:
        Type: AWS::SQS::QueuePolicy
        Properties:
          Queues: [!Ref Jobs]
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal:
                  Service: sns.amazonaws.com
                Action: sqs:SendMessage
                Resource: !GetAtt Jobs.Arn
                Condition:
                  ArnEquals:
                    aws:SourceArn: !Ref Events
    ```
    ```hcl
    data "aws_caller_identity" "current" {}

    resource "aws_sns_topic" "events" {
      name = "events"
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Principal = { AWS = "*" }
          Action    = "SNS:Publish"
          Resource  = "*"
          Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
        }]
      })
    }
    ```
    """
    for res in graph.resources("queue", "topic"):
        if res.format == "terraform" and res.has("policy"):
            what = f"the policy of {'SQS queue' if res.kind == 'queue' else 'SNS topic'} {res.address}"
            yield from _report_open(res, "policy", res.get("policy"), what)
    for res in graph.resources("queue_policy", "topic_policy"):
        attr = "policy_document" if res.format == "cloudformation" else "policy"
        if res.has(attr):
            yield from _report_open(res, attr, res.get(attr),
                                    f"{_QUEUE_TOPIC_POLICIES[res.kind]} {res.address}")


# -- WAL-PUB-006: EventBridge bus policies ----------------------------------------------------


def _legacy_statement(policy):
    """A CloudFormation EventBusPolicy written with Principal/Action/Condition (no
    Statement) as one policy statement."""
    st = {"Effect": "Allow", "Principal": policy.get("principal"), "Action": policy.get("action")}
    cond = policy.get("condition")
    if isinstance(cond, dict):
        st["Condition"] = {cond.get("type", "StringEquals"): {cond.get("key"): cond.get("value")}}
    elif cond is not None:
        st["Condition"] = Unknown("the condition cannot be read")
    return {"Statement": [st]}


@rule(id="WAL-PUB-006", name="eventbridge-bus-policy-not-public",
      title="EventBridge bus policies do not allow everyone without a condition",
      pillar="security", category="public-access", best_practice=("SEC03-BP07",),
      severity=severity(development="warning", mvp="error"))
def eventbridge_bus_policy_not_public(graph):
    """An EventBridge event bus policy has no statement that allows `Principal: "*"`
    without a condition that narrows who it applies to (aws:PrincipalOrgID,
    aws:SourceAccount, aws:SourceArn...).

    ## Why
    A bus open to everyone accepts `PutEvents` from any AWS account: forged events then
    trigger every rule and target on the bus. Cross-account buses are meant to be opened
    to named accounts or to the organization. SEC03-BP07 (analyze public and
    cross-account access).

    ## Default
    Without a policy a bus accepts events only from its own account. Read:
    CloudFormation `AWS::Events::EventBusPolicy` (`Statement`, or the older `Principal` /
    `Condition` form) and the `Policy` of `AWS::Events::EventBus`; Terraform
    `aws_cloudwatch_event_bus_policy` `policy`. Terraform's
    `aws_cloudwatch_event_permission` is not read.

    ## Example
    ```yaml
    Resources:
      OpenBus:
        Type: AWS::Events::EventBusPolicy
        Properties:
          StatementId: everyone
          Statement:
            Effect: Allow
            Principal: "*"
            Action: events:PutEvents
            Resource: !Sub "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"
    ```
    ```hcl
    resource "aws_cloudwatch_event_bus_policy" "open" {
      event_bus_name = "default"
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Sid       = "everyone"
          Effect    = "Allow"
          Principal = "*"
          Action    = "events:PutEvents"
          Resource  = "*"
        }]
      })
    }
    ```

    ## Fix
    ```yaml
    Resources:
      OrgBus:
        Type: AWS::Events::EventBusPolicy
        Properties:
          StatementId: organization
          Statement:
            Effect: Allow
            Principal: "*"
            Action: events:PutEvents
            Resource: !Sub "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"
            Condition:
              StringEquals:
                aws:PrincipalOrgID: o-a1b2c3d4e5
    ```
    ```hcl
    resource "aws_cloudwatch_event_bus_policy" "org" {
      event_bus_name = "default"
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Sid       = "organization"
          Effect    = "Allow"
          Principal = "*"
          Action    = "events:PutEvents"
          Resource  = "*"
          Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
        }]
      })
    }
    ```
    """
    for res in graph.resources("event_bus_policy", "event_bus"):
        what = f"event bus {'policy ' if res.kind == 'event_bus_policy' else ''}{res.address}"
        if res.format == "terraform":
            if res.has("policy"):
                yield from _report_open(res, "policy", res.get("policy"), what)
        elif res.kind == "event_bus":
            if res.has("policy"):
                yield from _report_open(res, "policy", res.get("policy"), what)
        elif res.has("statement"):
            statement = res.get("statement")
            doc = {"Statement": [statement]} if isinstance(statement, dict) else statement
            for path, verdict, i in open_statements(doc, "statement"):
                if verdict is not True:
                    yield res.unknown("statement", f"whether the policy is open is unknown: {verdict.reason}")
                else:
                    yield res.finding("statement", f"{what} allows everyone (Principal \"*\") with no "
                                      "narrowing condition (aws:PrincipalOrgID, aws:SourceAccount...)")
        elif res.has("principal"):
            for path, verdict, i in open_statements(_legacy_statement(res), "principal"):
                if verdict is not True:
                    yield res.unknown("principal", f"whether the policy is open is unknown: {verdict.reason}")
                else:
                    yield res.finding("principal", f"{what} allows every AWS account (Principal \"*\") "
                                      "with no condition")


# -- WAL-SCL-006: dead-letter queues for consumed queues -----------------------------------------

def _consumers(graph, queue):
    """The Lambda event source mappings and SAM function SQS events that read the queue."""
    out = [m for m in graph.referrers(queue, kind="event_source_mapping", via="event_source_arn")]
    for fn in graph.referrers(queue, kind="lambda", via="events"):
        # `Events.<name>.Properties.Queue` of an SQS event (not an OnFailure destination)
        if any(e.target is queue and e.via.endswith(".properties.queue") for e in graph.references(fn)):
            out.append(fn)
    return out


def _is_dead_letter_queue(graph, queue):
    return any(r.kind in ("queue", "queue_redrive_policy")
               for r in graph.referrers(queue, via="redrive_policy"))


def _redrive(graph, queue):
    """True/False/None: the queue sends messages that keep failing to a dead-letter queue."""
    if graph.referrers(queue, kind="queue_redrive_policy", via="queue_url"):
        return True
    if not queue.has("redrive_policy"):
        return False
    value = queue.get("redrive_policy")
    return decide(value, lambda v: None if isinstance(v, Unknown) else bool(v))


@rule(id="WAL-SCL-006", name="sqs-consumer-dead-letter-queue",
      title="SQS queues read by Lambda have a dead-letter queue",
      pillar="reliability", category="scaling-resilience", best_practice=("REL05-BP03",),
      severity=severity(development="off", mvp="note", production="warning", regulated="warning"))
def sqs_consumer_dead_letter_queue(graph):
    """An SQS queue that a Lambda function consumes (an event source mapping, or a SAM
    `SQS` event) has a redrive policy that moves a message to a dead-letter queue after
    a bounded number of receives. A queue that is itself another queue's dead-letter
    queue is exempt.

    ## Why
    Without a dead-letter queue, a message the consumer cannot process (a poison
    message) is received again and again until its retention period ends: it burns
    invocations, hides in the queue's age metric, and in a FIFO queue blocks its whole
    message group. REL05-BP03 (control and limit retry calls). Only queues whose
    consumer is in the scanned files are checked: a queue read by a container or an
    external service is not known to be consumed.

    ## Default
    `RedrivePolicy` / `redrive_policy` (or a Terraform `aws_sqs_queue_redrive_policy`) is
    absent by default: no dead-letter queue.

    ## Example
    ```yaml
    Resources:
      Jobs:
        Type: AWS::SQS::Queue
      Worker:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          EventSourceArn: !GetAtt Jobs.Arn
          FunctionName: worker
    ```
    ```hcl
    resource "aws_sqs_queue" "jobs" {
      name = "jobs"
    }

    resource "aws_lambda_event_source_mapping" "worker" {
      event_source_arn = aws_sqs_queue.jobs.arn
      function_name    = "worker"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      JobsDeadLetters:
        Type: AWS::SQS::Queue
        Properties:
          MessageRetentionPeriod: 1209600
      Jobs:
        Type: AWS::SQS::Queue
        Properties:
          RedrivePolicy:
            deadLetterTargetArn: !GetAtt JobsDeadLetters.Arn
            maxReceiveCount: 5
      Worker:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          EventSourceArn: !GetAtt Jobs.Arn
          FunctionName: worker
    ```
    ```hcl
    resource "aws_sqs_queue" "jobs_dead_letters" {
      name                      = "jobs-dead-letters"
      message_retention_seconds = 1209600
    }

    resource "aws_sqs_queue" "jobs" {
      name = "jobs"
      redrive_policy = jsonencode({
        deadLetterTargetArn = aws_sqs_queue.jobs_dead_letters.arn
        maxReceiveCount     = 5
      })
    }

    resource "aws_lambda_event_source_mapping" "worker" {
      event_source_arn = aws_sqs_queue.jobs.arn
      function_name    = "worker"
    }
    ```

    ## Trade-off
    A dead-letter queue needs an owner: an alarm on its depth and a way to redrive or
    discard what lands there.
    """
    for q in graph.resources("queue"):
        consumers = _consumers(graph, q)
        if not consumers or _is_dead_letter_queue(graph, q):
            continue
        verdict = _redrive(graph, q)
        if verdict is False:
            names = ", ".join(c.address for c in consumers)
            fifo = is_true(q.get("fifo_queue"), False) is True
            yield q.finding(None, f"SQS queue {q.address} is consumed by {names} but has no dead-letter "
                            "queue: a message that keeps failing is retried until it expires"
                            + (" and blocks its message group meanwhile" if fifo else ""))
        elif verdict is None:
            yield q.unknown("redrive_policy", f"the redrive policy {_UNRESOLVED}")


# -- WAL-LOG-011: Step Functions execution logging --------------------------------------------

_LOGGED_LEVELS = ("all", "error")


def _sfn_paths(sm):
    """(logging block, level path, type attribute) of a state machine in its format."""
    if sm.type == "AWS::Serverless::StateMachine":
        return "logging", "logging.level", "type"
    if sm.format == "cloudformation":
        return "logging_configuration", "logging_configuration.level", "state_machine_type"
    return "logging_configuration", "logging_configuration.level", "type"


@rule(id="WAL-LOG-011", name="state-machine-logging", title="Step Functions state machines log executions",
      pillar="operational-excellence", category="logging-monitoring", best_practice=("OPS04-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_285",))
def state_machine_logging(graph):
    """A Step Functions state machine sends its execution events to CloudWatch Logs at
    level `ALL` or `ERROR`.

    ## Why
    A failed workflow step is diagnosed from its input, output and error; with logging
    `OFF` (or `FATAL`, failed executions only) they are lost. Express workflows keep no
    execution history at all, so logs are their only record; Standard workflows keep 90
    days of history in the service, so for them the finding is a note. OPS04-BP02
    (implement application telemetry).

    ## Default
    `LoggingConfiguration.Level` / `logging_configuration.level` (SAM: `Logging.Level`)
    defaults to `OFF`. `StateMachineType` / `type` defaults to `STANDARD`. A level other
    than `OFF` requires a log group destination (the API rejects it otherwise).

    ## Example
    ```yaml
    Resources:
      Orders:
        Type: AWS::StepFunctions::StateMachine
        Properties:
          StateMachineType: EXPRESS
          RoleArn: arn:aws:iam::123456789012:role/orders
          DefinitionString: '{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}'
    ```
    ```hcl
    resource "aws_sfn_state_machine" "orders" {
      name     = "orders"
      type     = "EXPRESS"
      role_arn = "arn:aws:iam::123456789012:role/orders"
      definition = jsonencode({
        StartAt = "Done"
        States  = { Done = { Type = "Succeed" } }
      })

      logging_configuration {
        level = "OFF"
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      OrdersLogs:
        Type: AWS::Logs::LogGroup
        Properties:
          RetentionInDays: 30
      Orders:
        Type: AWS::StepFunctions::StateMachine
        Properties:
          StateMachineType: EXPRESS
          RoleArn: arn:aws:iam::123456789012:role/orders
          DefinitionString: '{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}'
          LoggingConfiguration:
            Level: ERROR
            Destinations:
              - CloudWatchLogsLogGroup:
                  LogGroupArn: !GetAtt OrdersLogs.Arn
    ```
    ```hcl
    resource "aws_cloudwatch_log_group" "orders" {
      name              = "/aws/states/orders"
      retention_in_days = 30
    }

    resource "aws_sfn_state_machine" "orders" {
      name     = "orders"
      type     = "EXPRESS"
      role_arn = "arn:aws:iam::123456789012:role/orders"
      definition = jsonencode({
        StartAt = "Done"
        States  = { Done = { Type = "Succeed" } }
      })

      logging_configuration {
        level           = "ERROR"
        log_destination = "${aws_cloudwatch_log_group.orders.arn}:*"
      }
    }
    ```

    ## Trade-off
    Level `ALL` with `IncludeExecutionData` logs every state's input and output: useful,
    but billed per GB and possibly sensitive. `ERROR` is the usual production choice.
    """
    for sm in graph.resources("state_machine"):
        block, level_path, type_attr = _sfn_paths(sm)
        level = dig(sm, level_path, "OFF")
        logged = decide(level, lambda v: v.lower() in _LOGGED_LEVELS if isinstance(v, str) else None)
        if logged is True:
            continue
        if logged is None:
            yield sm.unknown(level_path, f"the logging level {_UNRESOLVED}")
            continue
        express = decide(dig(sm, type_attr, "STANDARD"),
                         lambda t: t.upper() == "EXPRESS" if isinstance(t, str) else None)
        shown = known_str(level) or "OFF"
        anchor = level_path if sm.has(level_path) else (block if sm.has(block) else None)
        kind = {True: "Express state machine", False: "Standard state machine"}.get(express, "state machine")
        history = ": only the service's 90-day execution history records them" if express is False else ""
        yield sm.finding(anchor, f"{kind} {sm.address} does not log its executions (logging level "
                         f"{shown}{'' if sm.has(level_path) else ', the default'}){history}",
                         severity=None if express else "note")

RULES = [sns_sqs_policy_not_public, eventbridge_bus_policy_not_public, sqs_consumer_dead_letter_queue,
         state_machine_logging]

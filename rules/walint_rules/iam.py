"""iam-least-privilege: no wildcard actions or resources, no inline admin (RULES.md §2.10)."""
from walint.api import Related, Unknown, rule, severity

from . import _policy as P
from ._iam_actions import RESTRICTABLE_WRITE


def _anchor(st, element):
    """The path of a statement element in a structured document, else the statement's."""
    if st.path and st.path[-1] != "Statement" and not isinstance(st.path[-1], int):
        return st.path                      # a JSON string: anchor to the attribute
    return st.path + (element,)


def _unknown_docs(graph, rule_word):
    for doc in P.documents(graph):
        stmts = P.statements(doc)
        if isinstance(stmts, Unknown):
            yield doc.resource.unknown(doc.path, f"the {doc.label} cannot be read, so {rule_word} is "
                                       f"unknown: {stmts.reason}")
        else:
            yield doc, stmts


def _admin_statement(st):
    """True/False/None: an Allow of "*" on "*" without NotAction, NotResource or condition."""
    if st.not_action is not None or st.not_resource is not None or P.has_condition(st):
        return False
    allow = P.is_allow(st)
    if allow is False:
        return False
    star_a, star_r = P.has_star_action(st), P.has_star_resource(st)
    if star_a is False or star_r is False:
        return False
    if allow is None or star_a is None or star_r is None:
        return None
    return True


@rule(id="WAL-IAM-001", security_severity=8.0, name="iam-no-admin-policy",
      title="No `*:*` admin policies outside break-glass roles",
      pillar="security", category="iam-least-privilege", best_practice=("SEC03-BP02", "SEC03-BP03"),
      severity=severity(development="error"),
      checkov=("CKV_AWS_62", "CKV_AWS_1", "CKV_AWS_274", "CKV_AWS_275"))
def iam_no_admin(graph):
    """No IAM policy allows every action on every resource (`Action: "*"` with
    `Resource: "*"`), and no role, user or group has the AWS managed
    `AdministratorAccess` policy attached, except an MFA-gated break-glass role.

    ## Why
    An administrator grant turns any leak of the principal's credentials (a compromised
    container, a stolen access key) into a takeover of the whole account. SEC03-BP02
    (grant least privilege access) asks for per-service permissions; SEC03-BP03
    (establish emergency access process) keeps full access on a break-glass role whose
    trust policy requires MFA. A role tagged `walint:break-glass = true`, or named like
    `break-glass`, with `aws:MultiFactorAuthPresent` required in its trust policy, gets a
    note instead of an error.

    ## Default
    There is no default grant: IAM denies what no statement allows. A statement with a
    `Condition`, a `NotAction` or a `NotResource` is not an unconditional admin grant and
    is left to WAL-IAM-002. A Terraform policy built by
    `data.aws_iam_policy_document`, or a `jsonencode` over values known only after apply,
    cannot be read before the plan: the result is unknown.

    ## Example
    ```yaml
    Resources:
      DeployRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: codebuild.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: everything
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: "*"
                    Resource: "*"
    ```
    ```hcl
    resource "aws_iam_role" "deploy" {
      name = "deploy"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                       Principal = { Service = "codebuild.amazonaws.com" } }]
      })
    }

    resource "aws_iam_role_policy_attachment" "deploy_admin" {
      role       = aws_iam_role.deploy.name
      policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      DeployRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: codebuild.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: deploy-ecs
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: [ecs:UpdateService, ecs:DescribeServices]
                    Resource: !Sub arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service/app/*
    ```
    ```hcl
    resource "aws_iam_role" "deploy" {
      name = "deploy"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                       Principal = { Service = "codebuild.amazonaws.com" } }]
      })
    }

    resource "aws_iam_role_policy" "deploy" {
      role = aws_iam_role.deploy.name
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = ["ecs:UpdateService", "ecs:DescribeServices"],
                       Resource = "arn:aws:ecs:eu-west-1:123456789012:service/app/*" }]
      })
    }
    ```
    """
    for item in _unknown_docs(graph, "whether it grants administrator access"):
        if not isinstance(item, tuple):
            yield item
            continue
        doc, stmts = item
        for st in stmts:
            verdict = _admin_statement(st)
            if verdict is True:
                level = P.exempt_level(graph, doc.resource)
                yield doc.resource.finding(
                    _anchor(st, "Action"),
                    f"{doc.label} of {doc.resource.address} allows every action on every resource "
                    "(Action \"*\", Resource \"*\")"
                    + (": an MFA-gated break-glass role" if level else ""),
                    key=st.key, severity=level)
            elif verdict is None:
                yield doc.resource.unknown(_anchor(st, "Action"),
                                           f"a statement of the {doc.label} has an element walint "
                                           "cannot resolve, so whether it is \"*\" on \"*\" is unknown",
                                           key=st.key)
    for holder, path, value in P.admin_attachments(graph):
        if isinstance(value, Unknown):
            yield holder.unknown(path, f"whether AdministratorAccess is attached is unknown: {value.reason}")
            continue
        level = P.exempt_level(graph, holder)
        roles, _ = P.principals(graph, holder)
        related = [Related(r, (), "the role that receives it") for r in roles if r is not holder]
        yield holder.finding(path, f"{holder.address} attaches the AWS managed AdministratorAccess policy"
                             + (": an MFA-gated break-glass role" if level else ""),
                             related=related, severity=level)


@rule(id="WAL-IAM-002", security_severity=6.5, name="iam-no-wildcard-actions",
      title="No wildcard actions (`*`, `svc:*`) in Allow statements",
      pillar="security", category="iam-least-privilege", best_practice=("SEC03-BP02",),
      severity=severity(development="warning", mvp="warning", production="error"),
      checkov=("CKV_AWS_63", "CKV_AWS_49", "CKV2_AWS_40"))
def iam_no_wildcard_actions(graph):
    """No Allow statement of an IAM policy grants a wildcard action: `*` or a whole service
    (`s3:*`, `iam:*`, `kms:*`, `sts:*`), and no Allow statement uses `NotAction`.
    Prefixed wildcards such as `s3:Get*` are accepted.

    ## Why
    A service-wide wildcard grants every action the service has and every action it will
    add: `s3:*` includes `s3:DeleteBucket` and `s3:PutBucketPolicy`, `iam:*` includes
    creating administrators. `NotAction` in an Allow grants everything except a list.
    SEC03-BP02 (grant least privilege access) asks for the specific actions a workload
    needs. Statements that WAL-IAM-001 reports (`*` on `*`) are not reported again.

    A statement with a wildcard action on `Resource: "*"` is reported here only, not
    again by WAL-IAM-003: one statement, one finding. This rule wins because its level is
    at least WAL-IAM-003's in every profile, and because its fix (naming the actions) comes
    first: scoping the resources of `s3:*` still leaves every S3 action.

    ## Default
    `ssmmessages:*` and `ec2messages:*` are not reported: these two services have no
    actions besides the Systems Manager agent's message channel
    (`ssmmessages:CreateControlChannel`, `CreateDataChannel`, `OpenControlChannel`,
    `OpenDataChannel`; `ec2messages:AcknowledgeMessage`, `DeleteMessage`, `FailMessage`,
    `GetEndpoint`, `GetMessages`, `SendReply`), which the AWS managed policy
    `AmazonSSMManagedInstanceCore` grants (AWS Managed Policy Reference,
    AmazonSSMManagedInstanceCore; Service Authorization Reference, Amazon Message Gateway
    Service and Amazon Message Delivery Service).

    A `Condition` does not change what this rule reports: a tag or cluster condition
    narrows the resources, not the set of actions a wildcard grants.

    A Terraform policy built by `data.aws_iam_policy_document`, or a `jsonencode` over
    values known only after apply, cannot be read before the plan: unknown. The MFA-gated
    break-glass role of WAL-IAM-001 gets a note.

    ## Example
    ```yaml
    Resources:
      UploadsPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:*
                Resource: arn:aws:s3:::uploads-bucket/*
    ```
    ```hcl
    resource "aws_iam_policy" "uploads" {
      name = "uploads"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "s3:*",
                       Resource = "arn:aws:s3:::uploads-bucket/*" }]
      })
    }
    ```

    ## Fix
    ```yaml
    Resources:
      UploadsPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:PutObject]
                Resource: arn:aws:s3:::uploads-bucket/*
    ```
    ```hcl
    resource "aws_iam_policy" "uploads" {
      name = "uploads"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"],
                       Resource = "arn:aws:s3:::uploads-bucket/*" }]
      })
    }
    ```
    """
    for item in _unknown_docs(graph, "whether it grants wildcard actions"):
        if not isinstance(item, tuple):
            yield item
            continue
        doc, stmts = item
        for st in stmts:
            if _admin_statement(st) is True:
                continue                      # IAM-001's
            allow = P.is_allow(st)
            if allow is False:
                continue
            if st.not_action is not None:
                if allow is None:
                    yield doc.resource.unknown(_anchor(st, "NotAction"), "the statement's Effect is unknown",
                                               key=st.key)
                    continue
                yield doc.resource.finding(
                    _anchor(st, "NotAction"),
                    f"{doc.label} of {doc.resource.address} allows everything except a list (NotAction "
                    "in an Allow statement)",
                    key=st.key + "#notaction", severity=P.exempt_level(graph, doc.resource))
                continue
            found, undecided = _reported_wildcards(st)
            if found and allow is True:
                yield doc.resource.finding(
                    _anchor(st, "Action"),
                    f"{doc.label} of {doc.resource.address} allows wildcard actions {', '.join(found)}"
                    + (" on every resource (Resource \"*\")" if P.resource_is_only_star(st) is True else ""),
                    key=st.key, severity=P.exempt_level(graph, doc.resource))
            elif found or undecided:
                yield doc.resource.unknown(_anchor(st, "Action"),
                                           "an action or the Effect of the statement cannot be resolved",
                                           key=st.key)


# The Systems Manager agent's actions, as the AWS managed policy AmazonSSMManagedInstanceCore
# grants them on "*" (AWS Managed Policy Reference, "AmazonSSMManagedInstanceCore", v2).
# `ssmmessages` and `ec2messages` have no other actions (Service Authorization Reference,
# "Amazon Message Gateway Service" and "Amazon Message Delivery Service"), so a
# service-wide wildcard of either grants exactly the agent's channel.
AGENT_SERVICE_WILDCARDS = frozenset({"ssmmessages:*", "ec2messages:*"})
AGENT_WRITES = frozenset({
    "ssm:putinventory", "ssm:putcomplianceitems", "ssm:putconfigurepackageresult",
    "ssm:updateassociationstatus", "ssm:updateinstanceassociationstatus",
    "ssm:updateinstanceinformation",
    # The ECS container agent's, as the AWS managed policy AmazonEC2ContainerServiceforEC2Role
    # grants them on "*": it registers the instance it runs on and reports its tasks' state.
    "ecs:createcluster", "ecs:deregistercontainerinstance", "ecs:discoverpollendpoint", "ecs:poll",
    "ecs:registercontainerinstance", "ecs:starttelemetrysession", "ecs:submitattachmentstatechanges",
    "ecs:submitcontainerstatechange", "ecs:submittaskstatechange",
})


# Roles that only an AWS service can assume, and the writes AWS's own policy for that role
# grants on "*": the service acts with them, no workload does (AWS Managed Policy
# Reference). Application Auto Scaling's role for ECS services: AmazonEC2ContainerService-
# AutoscaleRole v2 and AWSApplicationAutoscalingECSServicePolicy. The ECS service role:
# AmazonEC2ContainerServiceRole v2 and the ECSTaskManagement statement of
# AmazonECSServiceRolePolicy. A service-wide wildcard is not among them
# (`application-autoscaling:*` left AmazonEC2ContainerServiceAutoscaleRole in its v2).
SERVICE_ROLE_ACTIONS = {
    "application-autoscaling.amazonaws.com": frozenset({
        "ecs:updateservice", "cloudwatch:putmetricalarm", "cloudwatch:deletealarms"}),
    "ecs.amazonaws.com": frozenset({
        "ec2:authorizesecuritygroupingress", "ec2:attachnetworkinterface",
        "ec2:createnetworkinterface", "ec2:createnetworkinterfacepermission",
        "ec2:deletenetworkinterface", "ec2:deletenetworkinterfacepermission",
        "ec2:detachnetworkinterface",
        "elasticloadbalancing:deregisterinstancesfromloadbalancer",
        "elasticloadbalancing:deregistertargets",
        "elasticloadbalancing:registerinstanceswithloadbalancer",
        "elasticloadbalancing:registertargets"}),
}


def service_actions(graph, holder) -> frozenset:
    """The documented actions of the service that alone assumes every role the policy
    lands on (SERVICE_ROLE_ACTIONS), or nothing when any role is assumed by someone else."""
    roles, complete = P.principals(graph, holder)
    if not complete or not roles:
        return frozenset()
    sets = [SERVICE_ROLE_ACTIONS.get(P.sole_service_principal(role)) for role in roles]
    if any(s is None for s in sets):
        return frozenset()
    return frozenset.intersection(*sets)


def _reported_wildcards(st):
    """(wildcard actions IAM-002 reports, undecided): the agent's services are not."""
    found, undecided = P.wildcard_actions(st)
    return [a for a in found if a.lower() not in AGENT_SERVICE_WILDCARDS], undecided


# Write actions that are allowed on "*" at note level: an application's own log stream,
# which ECS and Lambda execution roles commonly grant this way (RULES.md §2.10 [decide]).
LOG_WRITES = frozenset({"logs:createloggroup", "logs:createlogstream", "logs:putlogevents"})


def restrictable_writes(action: str):
    """The restrictable Write/Permissions-management actions an action pattern covers."""
    a = action.strip().lower()
    if a == "*":
        return ["*"]
    if ":" not in a:
        return []
    service, name = a.split(":", 1)
    names = RESTRICTABLE_WRITE.get(service)
    if not names:
        return []
    if "*" not in name and "?" not in name:
        return [a] if name in names.split() else []
    import fnmatch
    return [f"{service}:{n}" for n in fnmatch.filter(names.split(), name)]


def _star_writes(action: str, exempt=frozenset()):
    """The restrictable writes of an action pattern that IAM-003 asks to scope: all but
    the Systems Manager and ECS agents' own (AGENT_WRITES) and those AWS documents for
    the service role the policy belongs to (`exempt`)."""
    return [a for a in restrictable_writes(action) if a not in AGENT_WRITES | exempt]


@rule(id="WAL-IAM-003", security_severity=5.5, name="iam-no-star-resource-writes",
      title="No `Resource: \"*\"` on write or permission-management actions",
      pillar="security", category="iam-least-privilege", best_practice=("SEC03-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_355", "CKV_AWS_356", "CKV_AWS_111", "CKV_AWS_290"))
def iam_no_star_resource_writes(graph):
    """An Allow statement whose `Resource` is only `"*"` grants no Write or
    Permissions-management action that could be scoped to a resource ARN.

    ## Why
    `Resource: "*"` on a write action lets the principal change every resource of that
    type in the account, not just the workload's own bucket, queue or table. SEC03-BP02
    (grant least privilege access): scope write permissions to ARNs.

    ## Default
    Actions that support no resource-level permission (`cloudwatch:PutMetricData`,
    `xray:PutTraceSegments`, `ecr:GetAuthorizationToken`, `ec2:Describe*`, ...) can only be
    granted on `"*"` and are exempt. The list of restrictable Write and
    Permissions-management actions is bundled, generated from the AWS Service
    Authorization Reference (`tests/data/make_iam_actions.py`); an action of a service
    it does not know is not reported. The log-shipping actions `logs:CreateLogGroup`,
    `logs:CreateLogStream` and `logs:PutLogEvents` on `"*"` are restrictable but common in
    execution roles: they are reported as a note. A `*` on `*` statement is WAL-IAM-001's,
    and a statement with a wildcard action (`s3:*`) is WAL-IAM-002's: neither is reported
    again here (one statement, one finding).

    The Systems Manager agent's writes, as the AWS managed policy
    `AmazonSSMManagedInstanceCore` grants them on `"*"` (`ssm:UpdateInstanceInformation`,
    `ssm:PutInventory`, `ssm:PutComplianceItems`, `ssm:PutConfigurePackageResult`,
    `ssm:UpdateAssociationStatus`, `ssm:UpdateInstanceAssociationStatus`; AWS Managed
    Policy Reference, AmazonSSMManagedInstanceCore), are not reported: the agent calls them
    for the instance it runs on, whose id the role cannot know in advance. The same holds
    for the ECS container agent's writes as the AWS managed policy
    `AmazonEC2ContainerServiceforEC2Role` grants them (`ecs:RegisterContainerInstance`,
    `ecs:DeregisterContainerInstance`, `ecs:CreateCluster`, `ecs:DiscoverPollEndpoint`,
    `ecs:Poll`, `ecs:StartTelemetrySession`, `ecs:Submit*`).

    A role that only an AWS service can assume (its trust policy names that one service
    principal and nothing else) may hold the writes AWS's own policy for that role grants
    on `"*"`: the service acts with them for resources it picks at run time. Application
    Auto Scaling's role for ECS services (`application-autoscaling.amazonaws.com`):
    `ecs:UpdateService`, `cloudwatch:PutMetricAlarm`, `cloudwatch:DeleteAlarms`
    (AmazonEC2ContainerServiceAutoscaleRole, AWSApplicationAutoscalingECSServicePolicy).
    The ECS service role (`ecs.amazonaws.com`): the network-interface writes of awsvpc
    networking, `ec2:AuthorizeSecurityGroupIngress` and the load-balancer
    register/deregister actions (AmazonEC2ContainerServiceRole, AmazonECSServiceRolePolicy).
    Any other write on such a role, and any service-wide wildcard (WAL-IAM-002), is still
    reported.

    A `Condition` that names the resources makes `"*"` a scoped grant, and the statement
    passes. It counts when its operator matches positively (`StringEquals`,
    `StringEqualsIgnoreCase`, `StringLike`, `ArnEquals`, `ArnLike`, also with
    `ForAnyValue:`), so that a request without the key is not allowed, and its key is one of:

    * `aws:ResourceTag/<key>` and the service forms `<service>:ResourceTag/<key>`
      (`ec2:ResourceTag/...`, `ecs:ResourceTag/...`, `ssm:resourceTag/...`), and RDS's
      `rds:db-tag/<key>`, `rds:cluster-tag/<key>` and the other `rds:*-tag/<key>`: the
      resource's own tags;
    * `ecs:cluster`, `ecs:service`: one ECS cluster or service;
    * `ec2:Vpc`: the EC2 resources of one VPC;
    * `aws:SourceArn`: the request must come from a service acting for that one resource,
      and a principal cannot set the key on its own calls.

    A `StringLike`/`ArnLike` value that is only `*` scopes nothing; one from a parameter or
    variable could be `*`, so the result is unknown. These keys do not count:
    `aws:SourceAccount` and `aws:ResourceAccount` (the whole account, usually the
    principal's own), `aws:RequestTag/...` (the tags a request sets, not which existing
    resource it changes), `iam:PassedToService` (which service receives a role, not which
    role), network keys (`aws:SourceIp`, `aws:SourceVpc`, `aws:SourceVpce`: where the call
    comes from), principal keys (`aws:PrincipalTag/...`), and operators that match when the
    key is absent (`...IfExists`, `ForAllValues:`, `Null`) or negated ones (`StringNotEquals`).

    ## Example
    ```yaml
    Resources:
      QueueWriter:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [sqs:SendMessage, sqs:DeleteMessage]
                Resource: "*"
    ```
    ```hcl
    resource "aws_iam_policy" "queue_writer" {
      name = "queue-writer"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = ["sqs:SendMessage", "sqs:DeleteMessage"],
                       Resource = "*" }]
      })
    }
    ```

    ## Fix
    ```yaml
    Resources:
      QueueWriter:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [sqs:SendMessage, sqs:DeleteMessage]
                Resource: arn:aws:sqs:eu-west-1:123456789012:orders
    ```
    ```hcl
    resource "aws_iam_policy" "queue_writer" {
      name = "queue-writer"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = ["sqs:SendMessage", "sqs:DeleteMessage"],
                       Resource = "arn:aws:sqs:eu-west-1:123456789012:orders" }]
      })
    }
    ```
    """
    for item in _unknown_docs(graph, "whether it grants writes on every resource"):
        if not isinstance(item, tuple):
            yield item
            continue
        doc, stmts = item
        for st in stmts:
            if _admin_statement(st) is True:
                continue                      # IAM-001's
            allow = P.is_allow(st)
            if allow is False or st.not_resource is not None:
                continue
            only_star = P.resource_is_only_star(st)
            if only_star is False:
                continue
            actions, undecided = P.action_strings(st)
            if st.not_action is not None:
                continue                      # IAM-002 reports NotAction
            if allow is True and _reported_wildcards(st)[0]:
                continue                      # IAM-002 reports the statement (one finding)
            scoped = P.scoping_condition(st)
            if scoped is True:
                continue                      # the Condition names the resources
            exempt = service_actions(graph, doc.resource)
            covered = []
            for a in actions:
                covered.extend(_star_writes(a, exempt))
            if covered and scoped is None:
                yield doc.resource.unknown(_anchor(st, "Condition"),
                                           "whether the statement's Condition limits it to named "
                                           "resources is unknown: a condition value comes from "
                                           "something walint cannot resolve (it could be \"*\")",
                                           key=st.key)
            elif covered and allow is True and only_star is True:
                named = sorted({a for a in actions if _star_writes(a, exempt)})
                level = "note" if all(c in LOG_WRITES for c in covered) else None
                yield doc.resource.finding(
                    _anchor(st, "Resource"),
                    f"{doc.label} of {doc.resource.address} allows write actions on every resource "
                    f"(Resource \"*\"): {', '.join(named[:5])}{' ...' if len(named) > 5 else ''}",
                    key=st.key, severity=level)
            elif covered or undecided:
                yield doc.resource.unknown(_anchor(st, "Resource"),
                                           "the statement's actions, resources or Effect cannot be resolved",
                                           key=st.key)


def _role_of(graph, holder, value):
    """(role key, role resource or None, undecided reason or None) of a role ARN value."""
    if value is None:
        return None, None, None
    target = graph.deref(holder, value)
    if target is not None:
        return ("node", target.scope, target.address), target, None
    if isinstance(value, str):
        return ("arn", value.strip()), None, None
    reason = value.reason if isinstance(value, Unknown) else "the role cannot be resolved"
    return None, None, reason


@rule(id="WAL-IAM-004", security_severity=4.0, name="ecs-task-role-per-service",
      title="One dedicated task role per ECS service, distinct from the execution role",
      pillar="security", category="iam-least-privilege", best_practice=("SEC03-BP02",),
      severity=severity(development="note", mvp="note", production="warning", regulated="error"),
      checkov=("CKV_AWS_249",))
def ecs_task_role_per_service(graph):
    """Each ECS task definition's task role (the application's permissions) differs from
    its execution role (the ECS agent's permissions to pull images and write logs), and
    no two ECS services share a task role.

    ## Why
    The foundation gives each service its own IAM role (SEC03-BP02, grant least privilege
    access). When the task role is the execution role, the application can read every
    secret and image the agent can; when services share a task role, a compromise of one
    service has the permissions of all of them.

    ## Default
    A task definition without a task role gives its containers no AWS permissions: that
    passes. Role identity is decided by reference (the same `AWS::IAM::Role` /
    `aws_iam_role`) or by an equal literal ARN; a role from a parameter, variable or
    import is unknown.

    ## Example
    ```yaml
    Resources:
      TaskRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: ecs-tasks.amazonaws.com}
                Action: sts:AssumeRole
          ManagedPolicyArns:
            - arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
      TaskDefinition:
        Type: AWS::ECS::TaskDefinition
        Properties:
          RequiresCompatibilities: [FARGATE]
          NetworkMode: awsvpc
          Cpu: "256"
          Memory: "512"
          TaskRoleArn: !GetAtt TaskRole.Arn
          ExecutionRoleArn: !GetAtt TaskRole.Arn
          ContainerDefinitions:
            - Name: app
              Image: public.ecr.aws/nginx/nginx:latest
    ```
    ```hcl
    resource "aws_iam_role" "task" {
      name = "app-task"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                       Principal = { Service = "ecs-tasks.amazonaws.com" } }]
      })
    }

    resource "aws_ecs_task_definition" "app" {
      family                   = "app"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      task_role_arn            = aws_iam_role.task.arn
      execution_role_arn       = aws_iam_role.task.arn
      container_definitions = jsonencode([{
        name = "app", image = "public.ecr.aws/nginx/nginx:latest", essential = true
      }])
    }
    ```

    ## Fix
    ```yaml
    Resources:
      TaskRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: ecs-tasks.amazonaws.com}
                Action: sts:AssumeRole
      ExecutionRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: ecs-tasks.amazonaws.com}
                Action: sts:AssumeRole
          ManagedPolicyArns:
            - arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
      TaskDefinition:
        Type: AWS::ECS::TaskDefinition
        Properties:
          RequiresCompatibilities: [FARGATE]
          NetworkMode: awsvpc
          Cpu: "256"
          Memory: "512"
          TaskRoleArn: !GetAtt TaskRole.Arn
          ExecutionRoleArn: !GetAtt ExecutionRole.Arn
          ContainerDefinitions:
            - Name: app
              Image: public.ecr.aws/nginx/nginx:latest
    ```
    ```hcl
    resource "aws_iam_role" "task" {
      name = "app-task"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                       Principal = { Service = "ecs-tasks.amazonaws.com" } }]
      })
    }

    resource "aws_iam_role" "execution" {
      name = "app-execution"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                       Principal = { Service = "ecs-tasks.amazonaws.com" } }]
      })
    }

    resource "aws_ecs_task_definition" "app" {
      family                   = "app"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      task_role_arn            = aws_iam_role.task.arn
      execution_role_arn       = aws_iam_role.execution.arn
      container_definitions = jsonencode([{
        name = "app", image = "public.ecr.aws/nginx/nginx:latest", essential = true
      }])
    }
    ```
    """
    task_roles = {}
    for td in graph.resources("task_def"):
        task_key, task_role, why_t = _role_of(graph, td, td.get("task_role_arn"))
        exec_key, _, why_e = _role_of(graph, td, td.get("execution_role_arn"))
        task_roles[id(td)] = (task_key, task_role, why_t)
        if task_key is None and why_t is None:
            continue                               # no task role: no permissions
        if task_key is not None and exec_key is not None:
            if task_key == exec_key:
                yield td.finding("task_role_arn",
                                 f"task definition {td.address} uses the same role as task role and "
                                 "execution role: the application gets the agent's permissions")
        elif td.has("execution_role_arn"):
            yield td.unknown("task_role_arn", "whether the task role is the execution role is unknown: "
                             + (why_t or why_e or ""))
    by_role = {}
    undecided = []
    for svc in graph.resources("ecs_service"):
        tds = graph.targets(svc, svc.get("task_definition"))
        td = tds[0] if len(tds) == 1 and not isinstance(tds[0], Unknown) else None
        if td is None or td.kind != "task_def":
            if tds:
                undecided.append(svc)
            continue
        key, role, why = task_roles.get(id(td), (None, None, None))
        if key is None:
            if why:
                undecided.append(svc)
            continue
        by_role.setdefault((svc.scope,) + key, []).append((svc, td, role))
    for (_scope, *_), users in sorted(by_role.items(), key=lambda kv: str(kv[0])):
        if len(users) < 2:
            continue
        for svc, td, role in users:
            others = [s for s, _, _ in users if s is not svc]
            related = [Related(s, (), "another service with the same task role") for s in others]
            if role is not None:
                related.append(Related(role, (), "the shared task role"))
            yield svc.finding("task_definition",
                              f"ECS service {svc.address} shares its task role with "
                              f"{', '.join(s.address for s in others)}: give each service its own role",
                              related=related, key="shared-task-role")


RULES = [iam_no_admin, iam_no_wildcard_actions, iam_no_star_resource_writes, ecs_task_role_per_service]

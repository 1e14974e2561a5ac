"""edge: WAF on every internet-facing entry point, Route 53 failover health checks,
Global Accelerator flow logs (issue 15, the catalogue's edge layer; CloudFront and API
Gateway have modules of their own)."""
from walint.api import Related, Unknown, as_bool, decide, rule, severity, sg

from walint_rules._settings import is_set
from walint_rules.apigateway import is_private_rest_api


# ------------------------------------------------------------------------------ PUB-003


def _associations(graph, res):
    """(associated True/False/None, undecided association or None)."""
    for a in graph.referrers(res, kind="waf_association", via="resource_arn"):
        if not a.optional:
            return True, None
    for a in graph.resources("waf_association"):
        if a.scope != res.scope:
            continue
        targets = graph.targets(a, a.get("resource_arn"))
        if not targets or any(isinstance(t, Unknown) and not t.refs for t in targets):
            return None, a
        if a.optional and res in targets:
            return None, a
    return False, None


def _rest_stages(graph):
    """(stage, rest api or None) for each REST API stage that is not private."""
    for stage in graph.resources("apigw_stage"):
        if stage.type not in ("AWS::ApiGateway::Stage", "aws_api_gateway_stage"):
            continue
        api = graph.deref(stage, stage.get("rest_api_id"))
        if api is not None and api.kind == "apigw_rest_api" and is_private_rest_api(api) is True:
            continue
        yield stage, api


def _fronting_distributions(graph, lb):
    """CloudFront distributions whose origin is this load balancer."""
    return [d for d in graph.referrers(lb, kind="cloudfront") if is_set(d.get("web_acl_id")) is True]


@rule(id="WAL-PUB-003", name="waf-on-entry-points", title="A WAF web ACL on every internet-facing entry point",
      pillar="security", category="public-access", best_practice=("SEC05-BP03", "SEC05-BP02"),
      severity=severity(development="off", mvp="note", production="warning", regulated="error"),
      checkov=("CKV_AWS_68", "CKV2_AWS_28", "CKV2_AWS_29"))
def waf_on_entry_points(graph):
    """Every internet-facing entry point has a WAF web ACL: a CloudFront distribution
    (`WebACLId` / `web_acl_id`), an internet-facing Application Load Balancer and a REST
    API stage that is not private (a `AWS::WAFv2::WebACLAssociation` /
    `aws_wafv2_web_acl_association`, or the WAF Classic regional association, naming it).

    ## Why
    Security groups decide who may connect; a web ACL decides which requests get through:
    SQL injection and cross-site scripting patterns, known bad inputs, bots, request
    floods per address. The foundation's ALB sits behind WAF. The category is public
    access: what the public may send to what is public. An ALB that is the origin of a
    distribution with a web ACL is reported as a note: traffic through CloudFront is
    filtered, but the ALB can still be reached directly unless it admits only
    CloudFront. SEC05-BP03 (implement inspection-based protection), SEC05-BP02 (control
    traffic flow).

    ## Default
    No web ACL unless associated. An ALB is internet-facing by default (`Scheme` /
    `internal`), and a REST API is public unless its endpoint type is `PRIVATE`. HTTP
    and WebSocket API stages cannot have a web ACL (put CloudFront in front) and are out
    of scope. When an association in the same template or module names its resource
    through a value walint cannot resolve, the entry points without a known association
    are unknown.

    ## Example
    ```yaml
    Resources:
      Alb:
        Type: AWS::ElasticLoadBalancingV2::LoadBalancer
        Properties:
          Scheme: internet-facing
          Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
    ```
    ```hcl
    resource "aws_lb" "web" {
      name               = "web"
      load_balancer_type = "application"
      subnets            = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Alb:
        Type: AWS::ElasticLoadBalancingV2::LoadBalancer
        Properties:
          Scheme: internet-facing
          Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
      AlbWaf:
        Type: AWS::WAFv2::WebACLAssociation
        Properties:
          ResourceArn: !Ref Alb
          WebACLArn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111
    ```
    ```hcl
    resource "aws_lb" "web" {
      name               = "web"
      load_balancer_type = "application"
      subnets            = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
    }

    resource "aws_wafv2_web_acl_association" "web" {
      resource_arn = aws_lb.web.arn
      web_acl_arn  = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
    }
    ```

    ## Trade-off
    A web ACL costs $5 a month, $1 per rule and $0.60 per million requests, and its
    managed rules need tuning (count mode first) to avoid blocking legitimate traffic;
    `development` leaves it off.
    """
    for dist in graph.resources("cloudfront"):
        acl = is_set(dist.get("web_acl_id"))
        if acl is False:
            yield dist.finding("web_acl_id" if dist.has("web_acl_id") else None,
                               f"CloudFront distribution {dist.address} has no WAF web ACL")
        elif acl is None:
            yield dist.unknown("web_acl_id", "the web ACL depends on a value walint cannot resolve")
    for lb in graph.resources("lb"):
        kind, facing = sg.lb_type(lb), sg.lb_internet_facing(lb)
        if kind not in ("application", None) or facing is False:
            continue
        state, undecided = _associations(graph, lb)
        if state is True:
            continue
        if kind is None or facing is None or state is None:
            why = f"association {undecided.address} names a resource walint cannot resolve" if undecided \
                else "whether it is an internet-facing Application Load Balancer is unknown"
            yield lb.unknown(None, f"whether load balancer {lb.address} has a web ACL is unknown: {why}",
                             key="waf")
            continue
        fronts = _fronting_distributions(graph, lb)
        if fronts:
            yield lb.finding(None, f"internet-facing load balancer {lb.address} has no WAF web ACL of its own; "
                             f"requests through CloudFront distribution {fronts[0].address} are filtered by its "
                             "web ACL, requests sent to the load balancer directly are not",
                             related=[Related(fronts[0], ("web_acl_id",), "the distribution in front of it")],
                             key="waf", severity="note")
            continue
        yield lb.finding(None, f"internet-facing load balancer {lb.address} has no WAF web ACL", key="waf")
    for stage, api in _rest_stages(graph):
        state, undecided = _associations(graph, stage)
        if state is False and api is not None:
            named = [a for a in graph.referrers(api, kind="waf_association", via="resource_arn")]
            if named:
                state, undecided = None, named[0]
        if state is True:
            continue
        if state is None:
            yield stage.unknown(None, f"whether API stage {stage.address} has a web ACL is unknown: association "
                                f"{undecided.address} names a resource walint cannot resolve", key="waf")
            continue
        yield stage.finding(None, f"public REST API stage {stage.address} has no WAF web ACL", key="waf")

# ------------------------------------------------------------------------------ MAZ-006


@rule(id="WAL-MAZ-006", name="dns-failover-health-check", title="Route 53 primary failover records have health checks",
      pillar="reliability", category="scaling-resilience", best_practice=("REL11-BP02", "REL11-BP01"),
      severity=severity(development="note", mvp="warning", production="error", regulated="error"),
      checkov=())
def dns_failover_health_check(graph):
    """A Route 53 record with the `PRIMARY` failover role has a health check
    (`HealthCheckId` / `health_check_id`), or is an alias that evaluates its target's
    health (`EvaluateTargetHealth` / `evaluate_target_health` true).

    ## Why
    Route 53 fails over to the secondary record only when the primary is unhealthy, and
    a primary record without a health check is always healthy: the failover pair never
    fails over, the standby region stays idle while the primary is down. REL11-BP02
    (fail over to healthy resources), REL11-BP01 (monitor all components to detect
    failures). The rule's category is the one that holds health checks.

    ## Default
    A record has no health check unless one is named; an alias record evaluates its
    target's health only when `EvaluateTargetHealth` / `evaluate_target_health` is true
    (CloudFormation's default is false; Terraform requires the argument). Secondary
    records may go without a health check: they are the last resort.

    ## Example
    ```yaml
    Resources:
      Primary:
        Type: AWS::Route53::RecordSet
        Properties:
          HostedZoneId: Z0123456789ABCDEFGHIJ
          Name: app.example.com
          Type: A
          TTL: "60"
          SetIdentifier: primary
          Failover: PRIMARY
          ResourceRecords: [192.0.2.10]
    ```
    ```hcl
    resource "aws_route53_record" "primary" {
      zone_id        = "Z0123456789ABCDEFGHIJ"
      name           = "app.example.com"
      type           = "A"
      ttl            = 60
      set_identifier = "primary"
      records        = ["192.0.2.10"]

      failover_routing_policy {
        type = "PRIMARY"
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      PrimaryHealth:
        Type: AWS::Route53::HealthCheck
        Properties:
          HealthCheckConfig:
            Type: HTTPS
            FullyQualifiedDomainName: primary.example.com
            ResourcePath: /health
      Primary:
        Type: AWS::Route53::RecordSet
        Properties:
          HostedZoneId: Z0123456789ABCDEFGHIJ
          Name: app.example.com
          Type: A
          TTL: "60"
          SetIdentifier: primary
          Failover: PRIMARY
          HealthCheckId: !Ref PrimaryHealth
          ResourceRecords: [192.0.2.10]
    ```
    ```hcl
    resource "aws_route53_health_check" "primary" {
      fqdn          = "primary.example.com"
      type          = "HTTPS"
      resource_path = "/health"
    }

    resource "aws_route53_record" "primary" {
      zone_id         = "Z0123456789ABCDEFGHIJ"
      name            = "app.example.com"
      type            = "A"
      ttl             = 60
      set_identifier  = "primary"
      records         = ["192.0.2.10"]
      health_check_id = aws_route53_health_check.primary.id

      failover_routing_policy {
        type = "PRIMARY"
      }
    }
    ```

    ## Trade-off
    A health check costs about $0.50 a month (more for HTTPS and string matching) and
    its checkers must be allowed through the endpoint's security group.
    """
    for rec in graph.resources("dns_record"):
        role = decide(rec.get("failover"), lambda r: r.strip().upper() == "PRIMARY" if isinstance(r, str) else None) \
            if rec.has("failover") else False
        if role is False:
            continue
        checked = is_set(rec.get("health_check_id"))
        if checked is not True and (rec.has("alias") or rec.has("alias_target")):
            evaluates = decide(rec.get("evaluate_target_health", False), as_bool)
            checked = True if evaluates is True else (None if evaluates is None or checked is None else False)
        if checked is True:
            continue
        if role is None or checked is None:
            yield rec.unknown("failover", "the failover role or the health check depends on a value walint "
                              "cannot resolve")
            continue
        yield rec.finding("failover", f"Route 53 record {rec.address} is the primary of a failover pair without "
                          "a health check: it always counts as healthy, so the failover never happens")

# ------------------------------------------------------------------------------ LOG-008


@rule(id="WAL-LOG-008", name="global-accelerator-flow-logs", title="Global Accelerator flow logs",
      pillar="security", category="logging-monitoring", best_practice=("SEC04-BP01",),
      severity=severity(development="note", mvp="note", production="warning", regulated="error"),
      checkov=("CKV_AWS_75",))
def global_accelerator_flow_logs(graph):
    """A Global Accelerator accelerator writes flow logs to S3.

    ## Why
    The accelerator is an anycast entry point in front of the load balancers: its flow
    logs are the record of which clients reached which endpoint, the evidence an
    incident or a DDoS review needs. SEC04-BP01 (configure service and application
    logging).

    ## Default
    Flow logs are off: `FlowLogsEnabled` (CloudFormation) / `attributes.flow_logs_enabled`
    (Terraform) default to false.

    ## Example
    ```yaml
    Resources:
      Accelerator:
        Type: AWS::GlobalAccelerator::Accelerator
        Properties:
          Name: app
    ```
    ```hcl
    resource "aws_globalaccelerator_accelerator" "app" {
      name = "app"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Accelerator:
        Type: AWS::GlobalAccelerator::Accelerator
        Properties:
          Name: app
          FlowLogsEnabled: true
          FlowLogsS3Bucket: example-flow-logs
          FlowLogsS3Prefix: accelerator/
    ```
    ```hcl
    resource "aws_globalaccelerator_accelerator" "app" {
      name = "app"

      attributes {
        flow_logs_enabled   = true
        flow_logs_s3_bucket = "example-flow-logs"
        flow_logs_s3_prefix = "accelerator/"
      }
    }
    ```

    ## Trade-off
    Flow logs are billed as vended logs delivered to S3; a lifecycle rule on the bucket
    keeps the storage bounded.
    """
    for acc in graph.resources("global_accelerator"):
        verdict = decide(acc.get("flow_logs_enabled", False), as_bool)
        if verdict is False:
            yield acc.finding("flow_logs_enabled", f"Global Accelerator {acc.address} writes no flow logs")
        elif verdict is None:
            yield acc.unknown("flow_logs_enabled", "flow_logs_enabled depends on a value walint cannot resolve")


RULES = [waf_on_entry_points, dns_failover_health_check, global_accelerator_flow_logs]

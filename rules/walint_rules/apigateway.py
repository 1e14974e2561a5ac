"""API Gateway (issue 15, the catalogue's edge layer): REST, HTTP and WebSocket stages
write access logs and throttle, custom domains require TLS 1.2, methods and routes
require authorization."""
import re

from walint.api import OneOf, Unknown, decide, rule, severity

from walint_rules._settings import block, is_set, items


def is_private_rest_api(api):
    """True/False/None: a REST API whose only endpoint type is PRIVATE (reachable from a
    VPC only). False when the endpoint types are not set (EDGE is the default)."""
    types = api.get("endpoint_configuration.types")
    if types is None:
        return False
    return decide(types, lambda ts: [str(t).upper() for t in ts] == ["PRIVATE"] if isinstance(ts, list) else None)


# ------------------------------------------------------------------------------ LOG-007


def _log_setting_name(stage):
    if stage.type in ("AWS::ApiGateway::Stage", "AWS::Serverless::Api"):
        return "access_log_setting"
    return "access_log_settings"


@rule(id="WAL-LOG-007", name="api-gateway-access-logs", title="API Gateway stages write access logs",
      pillar="security", category="logging-monitoring", best_practice=("SEC04-BP01", "OPS04-BP02"),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_76", "CKV_AWS_95"))
def api_gateway_access_logs(graph):
    """An API Gateway stage (REST, HTTP or WebSocket API; SAM `AWS::Serverless::Api` and
    `AWS::Serverless::HttpApi` too) writes access logs to a destination: CloudWatch Logs
    or Firehose.

    ## Why
    The access log is the record of every call: caller, route, status, latency, the
    authorizer's verdict. Without it an abuse of the API or a failing client cannot be
    traced, and execution logging is no substitute (it is sampled detail, often off).
    SEC04-BP01 (configure service and application logging), OPS04-BP02 (implement
    application telemetry).

    ## Default
    Access logging is off unless `AccessLogSetting.DestinationArn` (REST stage, SAM Api)
    / `AccessLogSettings.DestinationArn` (HTTP and WebSocket stages, SAM HttpApi) /
    `access_log_settings.destination_arn` (Terraform, both versions) is set.

    ## Example
    ```yaml
    Resources:
      Prod:
        Type: AWS::ApiGatewayV2::Stage
        Properties:
          ApiId: a1b2c3d4e5
          StageName: prod
          AutoDeploy: true
    ```
    ```hcl
    resource "aws_api_gateway_stage" "prod" {
      rest_api_id   = "a1b2c3d4e5"
      deployment_id = "abc123"
      stage_name    = "prod"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      AccessLogs:
        Type: AWS::Logs::LogGroup
        Properties:
          RetentionInDays: 90
      Prod:
        Type: AWS::ApiGatewayV2::Stage
        Properties:
          ApiId: a1b2c3d4e5
          StageName: prod
          AutoDeploy: true
          AccessLogSettings:
            DestinationArn: !GetAtt AccessLogs.Arn
            Format: '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","status":"$context.status"}'
    ```
    ```hcl
    resource "aws_cloudwatch_log_group" "access" {
      name              = "/api/prod/access"
      retention_in_days = 90
    }

    resource "aws_api_gateway_stage" "prod" {
      rest_api_id   = "a1b2c3d4e5"
      deployment_id = "abc123"
      stage_name    = "prod"

      access_log_settings {
        destination_arn = aws_cloudwatch_log_group.access.arn
        format          = jsonencode({ requestId = "$context.requestId", status = "$context.status" })
      }
    }
    ```

    ## Trade-off
    Every request becomes a log line billed as CloudWatch Logs ingestion; set a
    retention on the log group (WAL-LOG-003).
    """
    for stage in graph.resources("apigw_stage"):
        name = _log_setting_name(stage)
        setting, path = block(stage, name)
        if isinstance(setting, Unknown):
            yield stage.unknown(path, "the access log settings cannot be read")
            continue
        dest = is_set(setting.get("destination_arn")) if isinstance(setting, dict) else False
        if dest is False:
            yield stage.finding(name if setting is not None else None,
                                f"API stage {stage.address} writes no access logs")
        elif dest is None:
            yield stage.unknown(path + ("destination_arn",), "the access log destination depends on a value "
                                "walint cannot resolve")

# ------------------------------------------------------------------------------ TLS-007


def _domain_policies(d):
    """[(value, path, written)] of a custom domain's security policies."""
    if d.type in ("AWS::ApiGateway::DomainName", "aws_api_gateway_domain_name"):
        value, path = d.locate("security_policy")
        written = d.has("security_policy")
        return [(value if written else "TLS_1_0", path if written else (), written)]
    name = "domain_name_configurations" if d.format == "cloudformation" else "domain_name_configuration"
    out = []
    for item, path in items(d, name):
        if isinstance(item, dict) and "security_policy" in item:
            out.append((item["security_policy"], path + ("security_policy",), True))
        elif isinstance(item, Unknown):
            out.append((item, path, True))
    return out


@rule(id="WAL-TLS-007", name="api-gateway-domain-tls12", title="API Gateway custom domains require TLS 1.2",
      pillar="security", category="encryption-in-transit", best_practice=("SEC09-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_206",))
def api_gateway_domain_tls12(graph):
    """An API Gateway custom domain name uses a TLS 1.2 (or newer) security policy, not
    `TLS_1_0`.

    ## Why
    TLS 1.0 and 1.1 have known weaknesses and are refused by PCI DSS; a custom domain is
    where an API's clients connect, so it is where the floor is set. SEC09-BP02 (enforce
    encryption in transit).

    ## Default
    A REST custom domain (`AWS::ApiGateway::DomainName`, `aws_api_gateway_domain_name`)
    without `SecurityPolicy` / `security_policy` keeps the legacy `TLS_1_0` policy, the
    same floor as a default edge-optimized or regional endpoint. A v2 domain name
    (`AWS::ApiGatewayV2::DomainName`, `aws_apigatewayv2_domain_name`) is checked where
    its configuration names a policy (Terraform requires it); HTTP and WebSocket APIs
    only support `TLS_1_2`. The enhanced policies (`SecurityPolicy_TLS13_...`,
    `SecurityPolicy_TLS12_...`) pass.

    ## Example
    ```yaml
    Resources:
      ApiDomain:
        Type: AWS::ApiGateway::DomainName
        Properties:
          DomainName: api.example.com
          RegionalCertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab
          EndpointConfiguration:
            Types: [REGIONAL]
    ```
    ```hcl
    resource "aws_api_gateway_domain_name" "api" {
      domain_name              = "api.example.com"
      regional_certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"
      security_policy          = "TLS_1_0"

      endpoint_configuration {
        types = ["REGIONAL"]
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      ApiDomain:
        Type: AWS::ApiGateway::DomainName
        Properties:
          DomainName: api.example.com
          RegionalCertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab
          SecurityPolicy: TLS_1_2
          EndpointConfiguration:
            Types: [REGIONAL]
    ```
    ```hcl
    resource "aws_api_gateway_domain_name" "api" {
      domain_name              = "api.example.com"
      regional_certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"
      security_policy          = "TLS_1_2"

      endpoint_configuration {
        types = ["REGIONAL"]
      }
    }
    ```

    ## Trade-off
    Clients limited to TLS 1.0/1.1 can no longer connect.
    """
    for d in graph.resources("apigw_domain"):
        for value, path, written in _domain_policies(d):
            verdict = decide(value, lambda v: v.strip().upper() != "TLS_1_0" if isinstance(v, str) else None)
            key = ".".join(map(str, path))
            if verdict is False:
                why = "its security policy is TLS_1_0" if written else "it sets no security policy (TLS_1_0)"
                yield d.finding(path, f"API Gateway custom domain {d.address} accepts TLS 1.0 and 1.1: {why}",
                                key=key)
            elif verdict is None:
                yield d.unknown(path, "the security policy depends on a value walint cannot resolve", key=key)

# ------------------------------------------------------------------------------ SCL-004

_THROTTLE = ("throttling_rate_limit", "throttling_burst_limit")


def _throttled(settings):
    """True/False/None over a list of method or route settings dicts."""
    undecided = False
    for item in settings:
        if isinstance(item, Unknown):
            undecided = True
            continue
        if not isinstance(item, dict):
            continue
        for name in _THROTTLE:
            if name in item:
                if isinstance(item[name], (Unknown, OneOf)):
                    undecided = True
                else:
                    return True
    return None if undecided else False


def _stage_throttle(graph, stage):
    """(True/False/None, anchor)."""
    if stage.type in ("AWS::ApiGatewayV2::Stage", "aws_apigatewayv2_stage", "AWS::Serverless::HttpApi"):
        settings, path = block(stage, "default_route_settings")
        if isinstance(settings, Unknown):
            return None, path
        return (_throttled([settings]) if settings is not None else False), (path if settings is not None else None)
    if stage.format == "cloudformation":
        raw = stage.get("method_settings")
        if isinstance(raw, (Unknown, OneOf)):
            return None, "method_settings"
        return _throttled(raw if isinstance(raw, list) else [raw]), ("method_settings" if raw else None)
    found = graph.referrers(stage, kind="apigw_method_settings")
    if any(_throttled(m.get("settings") if isinstance(m.get("settings"), list) else [m.get("settings")]) is True
           for m in found if not m.optional):
        return True, None
    for m in graph.resources("apigw_method_settings"):
        if m.scope == stage.scope and m not in found:
            targets = graph.targets(m, m.get("stage_name"))
            if not targets or any(isinstance(t, Unknown) and not t.refs for t in targets):
                return None, None
    return False, None


@rule(id="WAL-SCL-004", name="api-gateway-throttling", title="API Gateway stages set their own throttling limits",
      pillar="reliability", category="scaling-resilience", best_practice=("REL05-BP02",),
      severity=severity(development="off", mvp="note", production="warning", regulated="warning"),
      checkov=())
def api_gateway_throttling(graph):
    """An API Gateway stage sets its own throttling limits: a rate or burst limit in the
    REST stage's method settings (`MethodSettings`, `aws_api_gateway_method_settings`) or
    the HTTP/WebSocket stage's default route settings (`DefaultRouteSettings` /
    `default_route_settings`).

    ## Why
    Without stage limits an API is bounded only by the account's Regional quota (10,000
    requests per second shared by every API of the account and Region): one client's
    burst or a retry storm takes the whole quota and exhausts the backends behind it,
    and every other API of the account is throttled with it. REL05-BP02 (throttle
    requests).

    ## Default
    No stage-level throttling unless set; usage plans throttle only callers that present
    an API key. In Terraform the method settings are a separate resource naming the
    stage (`stage_name = aws_api_gateway_stage.x.stage_name`); when such a resource names
    its stage through a value walint cannot resolve, the stages without known settings
    are unknown.

    ## Example
    ```yaml
    Resources:
      HttpProd:
        Type: AWS::ApiGatewayV2::Stage
        Properties:
          ApiId: a1b2c3d4e5
          StageName: prod
          AutoDeploy: true
    ```
    ```hcl
    resource "aws_api_gateway_stage" "prod" {
      rest_api_id   = "a1b2c3d4e5"
      deployment_id = "abc123"
      stage_name    = "prod"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      HttpProd:
        Type: AWS::ApiGatewayV2::Stage
        Properties:
          ApiId: a1b2c3d4e5
          StageName: prod
          AutoDeploy: true
          DefaultRouteSettings:
            ThrottlingRateLimit: 500
            ThrottlingBurstLimit: 1000
    ```
    ```hcl
    resource "aws_api_gateway_stage" "prod" {
      rest_api_id   = "a1b2c3d4e5"
      deployment_id = "abc123"
      stage_name    = "prod"
    }

    resource "aws_api_gateway_method_settings" "all" {
      rest_api_id = "a1b2c3d4e5"
      stage_name  = aws_api_gateway_stage.prod.stage_name
      method_path = "*/*"

      settings {
        throttling_rate_limit  = 500
        throttling_burst_limit = 1000
      }
    }
    ```

    ## Trade-off
    A limit set too low rejects legitimate peaks with 429 responses: size it from load
    tests and the backends' capacity, and alarm on throttled requests.
    """
    for stage in graph.resources("apigw_stage"):
        verdict, anchor = _stage_throttle(graph, stage)
        if verdict is False:
            yield stage.finding(anchor, f"API stage {stage.address} sets no throttling limits: one client's burst "
                                "can use the account's whole Regional request quota")
        elif verdict is None:
            yield stage.unknown(anchor, "the stage's throttling settings depend on a value walint cannot resolve")

# ------------------------------------------------------------------------------ IAM-005

_HTTP_ROUTE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|ANY)\s", re.I)


def _route_scope(graph, method):
    """True/False/None: the method or route is one an authorizer can and should guard."""
    if method.type in ("AWS::ApiGateway::Method", "aws_api_gateway_method"):
        verb = decide(method.get("http_method"),
                      lambda m: m.strip().upper() != "OPTIONS" if isinstance(m, str) else None)
        if verb is not True:
            return verb
        api = graph.deref(method, method.get("rest_api_id"))
        if api is not None and api.kind == "apigw_rest_api" and is_private_rest_api(api) is True:
            return False
        return True

    def pred(key):
        if not isinstance(key, str):
            return None
        key = key.strip()
        if key.upper().startswith("OPTIONS "):
            return False
        if _HTTP_ROUTE.match(key) or key == "$connect":
            return True
        if key == "$default":         # an HTTP API's catch-all, or a WebSocket API's fallback
            api = graph.deref(method, method.get("api_id"))
            protocol = api.get("protocol_type") if api is not None and api.kind == "apigw_v2_api" else None
            return decide(protocol, lambda p: p.strip().upper() == "HTTP" if isinstance(p, str) else None) \
                if protocol is not None else None
        return False                  # WebSocket message routes: only $connect can be authorized

    return decide(method.get("route_key"), pred)


@rule(id="WAL-IAM-005", name="api-gateway-authorization", title="API Gateway methods and routes require authorization",
      pillar="security", category="iam-least-privilege", best_practice=("SEC03-BP02", "SEC02-BP01"),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_59", "CKV2_AWS_70", "CKV_AWS_309"))
def api_gateway_authorization(graph):
    """An API Gateway REST method or HTTP/WebSocket route has an authorization type other
    than `NONE` (IAM, a Lambda authorizer, a Cognito user pool, a JWT authorizer), unless
    it is explicitly public.

    ## Why
    A method without authorization runs its integration for anyone on the internet who
    finds the URL: the function or service behind it becomes public. SEC03-BP02 (grant
    least privilege access), SEC02-BP01 (use strong sign-in mechanisms).

    ## Default
    `AuthorizationType` (`authorization` on `aws_api_gateway_method`) defaults to `NONE`
    for REST methods in CloudFormation and for v2 routes in both formats. "Explicitly
    public" means: an `OPTIONS` method or route (CORS preflight, which browsers send
    without credentials), a method of a `PRIVATE` REST API (reachable from the VPC only,
    governed by its resource policy), WebSocket routes other than `$connect` (only
    `$connect` can carry an authorizer), and any method a team marks public with a
    walint suppression that states the reason, the reviewed, visible marker walint
    already has. An API key is not authorization (AWS advises against using keys to
    authenticate) and does not pass. SAM implicit APIs (`Events: Api` of a function) are
    not checked.

    ## Example
    ```yaml
    Resources:
      GetOrders:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: a1b2c3d4e5
          ResourceId: abc123
          HttpMethod: GET
          AuthorizationType: NONE
          Integration:
            Type: MOCK
    ```
    ```hcl
    resource "aws_apigatewayv2_route" "orders" {
      api_id    = "a1b2c3d4e5"
      route_key = "GET /orders"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      GetOrders:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: a1b2c3d4e5
          ResourceId: abc123
          HttpMethod: GET
          AuthorizationType: AWS_IAM
          Integration:
            Type: MOCK
    ```
    ```hcl
    resource "aws_apigatewayv2_route" "orders" {
      api_id             = "a1b2c3d4e5"
      route_key          = "GET /orders"
      authorization_type = "JWT"
      authorizer_id      = "abc123"
    }
    ```

    ## Trade-off
    An authorizer adds latency (cache Lambda authorizer results) and every client needs
    credentials; a deliberately public endpoint (a health check, a public catalogue) is
    a suppression with its reason, which keeps the decision visible in review.
    """
    for m in graph.resources("apigw_method"):
        scope = _route_scope(graph, m)
        if scope is False:
            continue
        attr = "authorization" if m.type == "aws_api_gateway_method" else "authorization_type"
        auth = m.get(attr, "NONE")
        verdict = decide(auth, lambda a: a.strip().upper() != "NONE" if isinstance(a, str) else None)
        if verdict is True:
            continue
        if verdict is None or scope is None:
            yield m.unknown(attr, "the authorization type or the route depends on a value walint "
                            "cannot resolve")
            continue
        what = "route" if m.type in ("AWS::ApiGatewayV2::Route", "aws_apigatewayv2_route") else "method"
        yield m.finding(attr if m.has(attr) else None,
                        f"API {what} {m.address} requires no authorization (NONE): anyone who finds the URL "
                        "invokes its integration; suppress it with a reason if it is meant to be public")


RULES = [api_gateway_access_logs, api_gateway_domain_tls12, api_gateway_throttling, api_gateway_authorization]

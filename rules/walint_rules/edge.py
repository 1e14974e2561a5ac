"""edge: CloudFront, API Gateway, WAF (issue 15, the catalogue's edge layer: what stands
between the internet and the load balancer or the functions behind it)."""
import re

from walint.api import OneOf, Ref, Related, Unknown, as_bool, decide, options, rule, severity, sg

from walint_rules._data import known_str, lowered

# ----------------------------------------------------------------------------- helpers


def _block(res, name):
    """(value, path) of a setting that is a dict in CloudFormation and a one-block list in
    Terraform: the dict (or an Unknown, or None when absent) and its concrete path."""
    value, path = res.locate(name)
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], (dict, Unknown)):
        return value[0], path + (0,)
    if isinstance(value, (dict, Unknown)):
        return value, path
    if not res.has(name):
        return None, ()
    if value is None or not isinstance(value, list) or not value:
        return None, path
    return Unknown(f"{name} cannot be read"), path


def _items(res, name):
    """[(item, path)] of a list setting (CloudFront origins, cache behaviors)."""
    value, path = res.locate(name)
    if isinstance(value, (Unknown, OneOf)):
        return [(Unknown(f"{name} cannot be read"), path)]
    if not isinstance(value, list):
        return []
    return [(v, path + (i,)) for i, v in enumerate(value)]


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _filled(v):
    if isinstance(v, str):
        return not _blank(v)
    if isinstance(v, Ref) or (isinstance(v, Unknown) and v.refs):
        return True         # a reference, or a string built from another resource's attribute
    return None


def _set(value):
    """True/False/None: a string setting holds a non-empty value."""
    if value is None:
        return False
    if isinstance(value, Unknown):
        return _filled(value)
    return decide(value, _filled)


def _default_cert_attr(res):
    return "cloud_front_default_certificate" if res.format == "cloudformation" else "cloudfront_default_certificate"


# ------------------------------------------------------------------------------ TLS-006

_MODERN_TLS = re.compile(r"^TLSv1\.[23]_")


def _behaviors(dist):
    out = []
    default, path = _block(dist, "default_cache_behavior")
    if default is not None:
        out.append(("the default cache behavior", default, path))
    for item, p in _items(dist, "cache_behaviors"):
        pattern = item.get("path_pattern") if isinstance(item, dict) else None
        out.append((f"cache behavior {pattern}" if isinstance(pattern, str) else "a cache behavior", item, p))
    return out


def _viewer_tls(dist):
    """(verdict True/False/None, path, message, default_cert) for the viewer certificate."""
    cert, path = _block(dist, "viewer_certificate")
    if isinstance(cert, Unknown):
        return None, path, "the viewer certificate cannot be read", False
    cert = cert or {}
    custom = [_set(cert.get(k)) for k in ("acm_certificate_arn", "iam_certificate_id")]
    if True not in custom:
        if None in custom:
            return None, path, "whether the distribution uses its own certificate is unknown", False
        flag = _default_cert_attr(dist)
        return False, path + (flag,) if flag in cert else path, ("uses the default *.cloudfront.net certificate, which also accepts TLS 1.0 "
                             "and 1.1: serve a custom domain with an ACM certificate and a TLSv1.2 policy"), True
    version = cert.get("minimum_protocol_version", "TLSv1")
    verdict = decide(version, lambda v: bool(_MODERN_TLS.match(v.strip())) if isinstance(v, str) else None)
    if verdict is None:
        return None, path + ("minimum_protocol_version",), "the minimum TLS version cannot be resolved", False
    shown = known_str(version) or "TLSv1"
    where = path + ("minimum_protocol_version",) if "minimum_protocol_version" in cert else path
    return verdict, where, f"accepts viewers on {shown} (minimum protocol version below TLSv1.2)", False


@rule(id="WAL-TLS-006", name="cloudfront-viewer-https", title="CloudFront: viewers on HTTPS only, TLS 1.2 minimum",
      pillar="security", category="encryption-in-transit", best_practice=("SEC09-BP02", "SEC09-BP01"),
      severity=severity(development="warning", mvp="error", production="error", regulated="error"),
      checkov=("CKV_AWS_34", "CKV_AWS_174", "CKV2_AWS_42", "CKV2_AWS_54"))
def cloudfront_viewer_https(graph):
    """Every cache behavior of a CloudFront distribution sends viewers to HTTPS
    (`redirect-to-https` or `https-only`), and the viewer certificate accepts TLS 1.2 or
    later only (`MinimumProtocolVersion` `TLSv1.2_2021` or newer). Plain HTTP is the
    rule's level; an old TLS version is one level lower; the default `*.cloudfront.net`
    certificate, whose TLS floor cannot be raised, is a note.

    ## Why
    `allow-all` serves pages, cookies and tokens over plain HTTP to anyone on the path;
    TLS 1.0 and 1.1 have known weaknesses and are refused by PCI DSS. CloudFront is the
    first hop of the foundation's web traffic, so this is where HTTPS is enforced.
    SEC09-BP02 (enforce encryption in transit), SEC09-BP01 (implement secure key and
    certificate management).

    ## Default
    `ViewerProtocolPolicy` / `viewer_protocol_policy` is required in both formats, so no
    default applies. `MinimumProtocolVersion` / `minimum_protocol_version` defaults to
    `TLSv1` with a custom certificate. Without `AcmCertificateArn` / `IamCertificateId`
    the distribution uses the default certificate, which negotiates TLSv1 and later
    whatever the setting says.

    ## Example
    ```yaml
    Resources:
      Cdn:
        Type: AWS::CloudFront::Distribution
        Properties:
          DistributionConfig:
            Enabled: true
            Origins:
              - Id: site
                DomainName: www.example.com
                CustomOriginConfig:
                  OriginProtocolPolicy: https-only
            DefaultCacheBehavior:
              TargetOriginId: site
              ViewerProtocolPolicy: allow-all
              CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
    ```
    ```hcl
    resource "aws_cloudfront_distribution" "cdn" {
      enabled = true

      origin {
        domain_name = "www.example.com"
        origin_id   = "site"
        custom_origin_config {
          http_port              = 80
          https_port             = 443
          origin_protocol_policy = "https-only"
          origin_ssl_protocols   = ["TLSv1.2"]
        }
      }

      default_cache_behavior {
        target_origin_id       = "site"
        viewer_protocol_policy = "allow-all"
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
        cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
      }

      restrictions {
        geo_restriction {
          restriction_type = "none"
        }
      }

      viewer_certificate {
        acm_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"
        ssl_support_method  = "sni-only"
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Cdn:
        Type: AWS::CloudFront::Distribution
        Properties:
          DistributionConfig:
            Enabled: true
            Aliases: [www.example.com]
            Origins:
              - Id: site
                DomainName: origin.example.com
                CustomOriginConfig:
                  OriginProtocolPolicy: https-only
            DefaultCacheBehavior:
              TargetOriginId: site
              ViewerProtocolPolicy: redirect-to-https
              CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
            ViewerCertificate:
              AcmCertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab
              SslSupportMethod: sni-only
              MinimumProtocolVersion: TLSv1.2_2021
    ```
    ```hcl
    resource "aws_cloudfront_distribution" "cdn" {
      enabled = true
      aliases = ["www.example.com"]

      origin {
        domain_name = "origin.example.com"
        origin_id   = "site"
        custom_origin_config {
          http_port              = 80
          https_port             = 443
          origin_protocol_policy = "https-only"
          origin_ssl_protocols   = ["TLSv1.2"]
        }
      }

      default_cache_behavior {
        target_origin_id       = "site"
        viewer_protocol_policy = "redirect-to-https"
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
        cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
      }

      restrictions {
        geo_restriction {
          restriction_type = "none"
        }
      }

      viewer_certificate {
        acm_certificate_arn      = "arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"
        ssl_support_method       = "sni-only"
        minimum_protocol_version = "TLSv1.2_2021"
      }
    }
    ```

    ## Trade-off
    Clients that only speak TLS 1.0/1.1 (very old Android and Windows versions) can no
    longer connect. A custom domain needs an ACM certificate in us-east-1.
    """
    for dist in graph.resources("cloudfront"):
        for label, b, path in _behaviors(dist):
            vpp = b.get("viewer_protocol_policy") if isinstance(b, dict) else b
            verdict = decide(vpp, lambda v: v.strip().lower() != "allow-all" if isinstance(v, str) else None) \
                if vpp is not None else None
            where = path + ("viewer_protocol_policy",)
            if verdict is False:
                yield dist.finding(where, f"CloudFront distribution {dist.address} serves plain HTTP: {label} "
                                   "allows all viewer protocols (allow-all)", key=".".join(map(str, path)))
            elif verdict is None:
                yield dist.unknown(where, f"the viewer protocol policy of {label} cannot be resolved",
                                   key=".".join(map(str, path)))
        verdict, where, message, default_cert = _viewer_tls(dist)
        if verdict is False:
            level = "note" if default_cert else lowered(cloudfront_viewer_https, graph, dist)
            yield dist.finding(where, f"CloudFront distribution {dist.address} {message}", key="viewer-tls",
                               severity=level)
        elif verdict is None:
            yield dist.unknown(where, message, key="viewer-tls")


# ------------------------------------------------------------------------------ PUB-002

_S3_DOMAIN = re.compile(r"\.s3(\.dualstack)?([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$")
_S3_ATTRS = ("bucket_regional_domain_name", "bucket_domain_name", "regional_domain_name", "domain_name",
             "dual_stack_domain_name")


def _s3_origin(graph, dist, origin):
    """True/False/None: the origin is an S3 bucket's REST endpoint (website endpoints are
    custom origins and cannot use origin access control)."""
    if origin.get("s3_origin_config") is not None:
        return True
    if origin.get("custom_origin_config") is not None or origin.get("vpc_origin_config") is not None:
        return False
    domain = origin.get("domain_name")

    def pred(v):
        if isinstance(v, Ref):
            target = graph.deref(dist, v)
            if target is None:
                return None
            return target.kind == "bucket" and v.attr in _S3_ATTRS
        if isinstance(v, str):
            return bool(_S3_DOMAIN.search(v.strip().lower())) and "s3-website" not in v
        if isinstance(v, Unknown):
            for address in v.refs:
                target = graph.lookup(dist.scope, address)
                if target is not None and target.kind == "bucket":
                    return True
        return None

    return decide(domain, pred) if domain is not None else False


def _origin_access(origin):
    """True/False/None: origin access control, or a legacy origin access identity."""
    oac = _set(origin.get("origin_access_control_id"))
    if oac is not False:
        return oac
    s3 = origin.get("s3_origin_config")
    if isinstance(s3, list):
        s3 = s3[0] if len(s3) == 1 else None
    if isinstance(s3, Unknown):
        return None
    return _set(s3.get("origin_access_identity")) if isinstance(s3, dict) else False


@rule(id="WAL-PUB-002", name="cloudfront-s3-origin-access", title="CloudFront S3 origins use origin access control",
      pillar="security", category="public-access", best_practice=("SEC03-BP07", "SEC05-BP01"),
      severity=severity(development="warning", mvp="warning", production="error", regulated="error"),
      checkov=("CKV2_AWS_46",))
def cloudfront_s3_origin_access(graph):
    """A CloudFront origin that is an S3 bucket reads it with origin access control
    (`OriginAccessControlId` / `origin_access_control_id`), or at least with a legacy
    origin access identity, so that the bucket can stay private.

    ## Why
    Without either, CloudFront fetches objects anonymously, which works only if the
    bucket is public: the content is then reachable around CloudFront, its WAF, its
    geo restrictions and its signed URLs. With origin access control the bucket policy
    grants `cloudfront.amazonaws.com` for this distribution only. SEC03-BP07 (analyze
    public and cross-account access), SEC05-BP01 (create network layers).

    ## Default
    No access control unless set. An origin is an S3 origin when it has an S3 origin
    configuration, or (Terraform, neither origin configuration written) its domain is a
    bucket's REST endpoint (`*.s3.amazonaws.com`, `*.s3.<region>.amazonaws.com`, a
    reference to a bucket's domain name). Custom origins, S3 website endpoints among
    them, cannot use origin access control and are out of scope.

    ## Example
    ```yaml
    Resources:
      Site:
        Type: AWS::S3::Bucket
      Cdn:
        Type: AWS::CloudFront::Distribution
        Properties:
          DistributionConfig:
            Enabled: true
            Origins:
              - Id: site
                DomainName: !GetAtt Site.RegionalDomainName
                S3OriginConfig:
                  OriginAccessIdentity: ""
            DefaultCacheBehavior:
              TargetOriginId: site
              ViewerProtocolPolicy: redirect-to-https
              CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
    ```
    ```hcl
    resource "aws_s3_bucket" "site" {
      bucket = "example-site"
    }

    resource "aws_cloudfront_distribution" "cdn" {
      enabled = true

      origin {
        domain_name = aws_s3_bucket.site.bucket_regional_domain_name
        origin_id   = "site"
      }

      default_cache_behavior {
        target_origin_id       = "site"
        viewer_protocol_policy = "redirect-to-https"
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
        cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
      }

      restrictions {
        geo_restriction {
          restriction_type = "none"
        }
      }

      viewer_certificate {
        cloudfront_default_certificate = true
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Site:
        Type: AWS::S3::Bucket
      SiteAccess:
        Type: AWS::CloudFront::OriginAccessControl
        Properties:
          OriginAccessControlConfig:
            Name: site
            OriginAccessControlOriginType: s3
            SigningBehavior: always
            SigningProtocol: sigv4
      Cdn:
        Type: AWS::CloudFront::Distribution
        Properties:
          DistributionConfig:
            Enabled: true
            Origins:
              - Id: site
                DomainName: !GetAtt Site.RegionalDomainName
                OriginAccessControlId: !GetAtt SiteAccess.Id
                S3OriginConfig:
                  OriginAccessIdentity: ""
            DefaultCacheBehavior:
              TargetOriginId: site
              ViewerProtocolPolicy: redirect-to-https
              CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
    ```
    ```hcl
    resource "aws_s3_bucket" "site" {
      bucket = "example-site"
    }

    resource "aws_cloudfront_origin_access_control" "site" {
      name                              = "site"
      origin_access_control_origin_type = "s3"
      signing_behavior                  = "always"
      signing_protocol                  = "sigv4"
    }

    resource "aws_cloudfront_distribution" "cdn" {
      enabled = true

      origin {
        domain_name              = aws_s3_bucket.site.bucket_regional_domain_name
        origin_id                = "site"
        origin_access_control_id = aws_cloudfront_origin_access_control.site.id
      }

      default_cache_behavior {
        target_origin_id       = "site"
        viewer_protocol_policy = "redirect-to-https"
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
        cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
      }

      restrictions {
        geo_restriction {
          restriction_type = "none"
        }
      }

      viewer_certificate {
        cloudfront_default_certificate = true
      }
    }
    ```

    ## Trade-off
    The bucket policy must grant the CloudFront service principal with an
    `AWS:SourceArn` condition naming the distribution; objects encrypted with SSE-KMS
    also need the key policy to allow CloudFront.
    """
    for dist in graph.resources("cloudfront"):
        for origin, path in _items(dist, "origins"):
            if isinstance(origin, Unknown):
                yield dist.unknown(path, "the origins cannot be read", key="origins")
                continue
            if not isinstance(origin, dict):
                continue
            is_s3 = _s3_origin(graph, dist, origin)
            if is_s3 is False:
                continue
            access = _origin_access(origin)
            if access is True:
                continue
            oid = origin.get("id") if dist.format == "cloudformation" else origin.get("origin_id")
            label = f"origin {oid}" if isinstance(oid, str) else "an origin"
            where = path + ("domain_name",)
            if is_s3 is None or access is None:
                yield dist.unknown(where, f"whether {label} is an S3 bucket read with origin access control "
                                   "is unknown", key=str(oid))
                continue
            yield dist.finding(where, f"CloudFront distribution {dist.address} reads S3 {label} without origin "
                               "access control: the bucket must be public for it to work, and its objects "
                               "are reachable around CloudFront", key=str(oid))


# ------------------------------------------------------------------------------ LOG-006

_LOG_DELIVERY = ("AWS::Logs::DeliverySource", "aws_cloudwatch_log_delivery_source")


@rule(id="WAL-LOG-006", name="cloudfront-access-logs", title="CloudFront access logging",
      pillar="security", category="logging-monitoring", best_practice=("SEC04-BP01",),
      severity=severity(development="note", mvp="note", production="warning", regulated="error"),
      checkov=("CKV_AWS_86",))
def cloudfront_access_logs(graph):
    """A CloudFront distribution writes access logs: standard logging to a bucket
    (`Logging` / `logging_config`), or standard logging v2 through a CloudWatch Logs
    delivery source that names the distribution.

    ## Why
    The access log is the only record of who requested what at the edge: without it an
    incident (scraping, credential stuffing, a leaked signed URL) cannot be traced, and
    the WAF's sampled requests are not a substitute. SEC04-BP01 (configure service and
    application logging).

    ## Default
    Logging is off unless configured. A `AWS::Logs::DeliverySource` /
    `aws_cloudwatch_log_delivery_source` whose resource ARN refers to the distribution
    counts as logging (v2).

    ## Example
    ```yaml
    Resources:
      Cdn:
        Type: AWS::CloudFront::Distribution
        Properties:
          DistributionConfig:
            Enabled: true
            Origins:
              - Id: site
                DomainName: origin.example.com
                CustomOriginConfig:
                  OriginProtocolPolicy: https-only
            DefaultCacheBehavior:
              TargetOriginId: site
              ViewerProtocolPolicy: redirect-to-https
              CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
    ```
    ```hcl
    resource "aws_cloudfront_distribution" "cdn" {
      enabled = true

      origin {
        domain_name = "origin.example.com"
        origin_id   = "site"
        custom_origin_config {
          http_port              = 80
          https_port             = 443
          origin_protocol_policy = "https-only"
          origin_ssl_protocols   = ["TLSv1.2"]
        }
      }

      default_cache_behavior {
        target_origin_id       = "site"
        viewer_protocol_policy = "redirect-to-https"
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
        cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
      }

      restrictions {
        geo_restriction {
          restriction_type = "none"
        }
      }

      viewer_certificate {
        cloudfront_default_certificate = true
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Cdn:
        Type: AWS::CloudFront::Distribution
        Properties:
          DistributionConfig:
            Enabled: true
            Origins:
              - Id: site
                DomainName: origin.example.com
                CustomOriginConfig:
                  OriginProtocolPolicy: https-only
            DefaultCacheBehavior:
              TargetOriginId: site
              ViewerProtocolPolicy: redirect-to-https
              CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
            Logging:
              Bucket: example-cdn-logs.s3.amazonaws.com
              Prefix: cdn/
    ```
    ```hcl
    resource "aws_cloudfront_distribution" "cdn" {
      enabled = true

      origin {
        domain_name = "origin.example.com"
        origin_id   = "site"
        custom_origin_config {
          http_port              = 80
          https_port             = 443
          origin_protocol_policy = "https-only"
          origin_ssl_protocols   = ["TLSv1.2"]
        }
      }

      default_cache_behavior {
        target_origin_id       = "site"
        viewer_protocol_policy = "redirect-to-https"
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
        cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
      }

      restrictions {
        geo_restriction {
          restriction_type = "none"
        }
      }

      viewer_certificate {
        cloudfront_default_certificate = true
      }

      logging_config {
        bucket = "example-cdn-logs.s3.amazonaws.com"
        prefix = "cdn/"
      }
    }
    ```

    ## Trade-off
    Standard logs to S3 cost only the storage (a lifecycle rule keeps it bounded); the
    log bucket needs ACLs enabled for the legacy delivery, which v2 logging avoids.
    """
    for dist in graph.resources("cloudfront"):
        if any(r.type in _LOG_DELIVERY for r in graph.referrers(dist)):
            continue
        logging, path = _block(dist, "logging")
        if isinstance(logging, Unknown):
            yield dist.unknown(path, "the logging configuration cannot be read")
            continue
        bucket = _set(logging.get("bucket")) if isinstance(logging, dict) else False
        if bucket is False:
            yield dist.finding("logging" if logging is not None else None,
                               f"CloudFront distribution {dist.address} keeps no access logs")
        elif bucket is None:
            yield dist.unknown(path + ("bucket",), "the log bucket depends on a value walint cannot resolve")




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
        setting, path = _block(stage, name)
        if isinstance(setting, Unknown):
            yield stage.unknown(path, "the access log settings cannot be read")
            continue
        dest = _set(setting.get("destination_arn")) if isinstance(setting, dict) else False
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
    for item, path in _items(d, name):
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
        if api is not None and api.kind == "apigw_rest_api":
            types = api.get("endpoint_configuration.types")
            private = decide(types, lambda ts: [str(t).upper() for t in ts] == ["PRIVATE"]
                             if isinstance(ts, list) else None) if types is not None else False
            if private is True:
                continue
        yield stage, api


def _fronting_distributions(graph, lb):
    """CloudFront distributions whose origin is this load balancer."""
    return [d for d in graph.referrers(lb, kind="cloudfront") if _set(d.get("web_acl_id")) is True]


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
        acl = _set(dist.get("web_acl_id"))
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
        checked = _set(rec.get("health_check_id"))
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
        block, path = _block(stage, "default_route_settings")
        if isinstance(block, Unknown):
            return None, path
        return (_throttled([block]) if block is not None else False), (path if block is not None else None)
    if stage.format == "cloudformation":
        raw = stage.get("method_settings")
        if isinstance(raw, (Unknown, OneOf)):
            return None, "method_settings"
        return _throttled(raw or []), ("method_settings" if raw else None)
    found = graph.referrers(stage, kind="apigw_method_settings")
    if any(_throttled([m.get("settings")] if isinstance(m.get("settings"), dict) else
                      (m.get("settings") or [])) is True for m in found if not m.optional):
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
        verb = decide(method.get("http_method"), lambda m: m.strip().upper() != "OPTIONS" if isinstance(m, str) else None)
        if verb is not True:
            return verb
        api = graph.deref(method, method.get("rest_api_id"))
        if api is not None and api.kind == "apigw_rest_api":
            types = api.get("endpoint_configuration.types")
            private = decide(types, lambda ts: [str(t).upper() for t in ts] == ["PRIVATE"]
                             if isinstance(ts, list) else None) if types is not None else False
            if private is True:
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




# ------------------------------------------------------------------------------ SG-007


def _lb_origins(graph, dist):
    """Internet-facing load balancers this distribution uses as origins (by reference)."""
    out = []
    for origin, path in _items(dist, "origins"):
        if not isinstance(origin, dict):
            continue
        for cand in options(origin.get("domain_name")):
            refs = [cand.address] if isinstance(cand, Ref) else (list(cand.refs) if isinstance(cand, Unknown) else [])
            for address in refs:
                lb = graph.lookup(dist.scope, address)
                if lb is not None and lb.kind == "lb" and sg.lb_internet_facing(lb) is True \
                        and lb not in [x for x, _ in out]:
                    out.append((lb, path))
    return out


@rule(id="WAL-SG-007", name="cloudfront-origin-lb-only-from-cloudfront",
      title="A load balancer behind CloudFront admits only CloudFront",
      pillar="security", category="sg-least-privilege", best_practice=("SEC05-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=())
def cloudfront_origin_lb_only_from_cloudfront(graph):
    """An internet-facing load balancer that is the origin of a CloudFront distribution
    accepts traffic only from CloudFront: its security groups admit the managed prefix
    list `com.amazonaws.global.cloudfront.origin-facing`, not `0.0.0.0/0` or `::/0`.

    ## Why
    When the load balancer is reachable from the whole internet, anyone can skip the
    distribution and with it the web ACL, the geo restrictions, the caching that absorbs
    floods and the TLS policy at the edge: CloudFront should be the only way in
    (SEC05-BP02, control traffic flow within your network layers). WAL-SG-002 accepts
    internet ingress on a load balancer's group; this rule narrows that for the load
    balancers the graph shows behind CloudFront.

    ## Default
    The origin is recognized when its domain name refers to the load balancer (its DNS
    name). A rule whose source is a prefix list passes (walint cannot read which list a
    literal `pl-` id is); an internet CIDR on a group attached to the load balancer
    fails. A secret-header check in the listener rules is another way to keep direct
    requests out: that is a suppression with its reason.

    ## Example
    ```yaml
    Resources:
      AlbSg:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: ALB
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupIngress:
            - IpProtocol: tcp
              FromPort: 443
              ToPort: 443
              CidrIp: 0.0.0.0/0
      Alb:
        Type: AWS::ElasticLoadBalancingV2::LoadBalancer
        Properties:
          Scheme: internet-facing
          Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
          SecurityGroups: [!Ref AlbSg]
      Cdn:
        Type: AWS::CloudFront::Distribution
        Properties:
          DistributionConfig:
            Enabled: true
            Origins:
              - Id: alb
                DomainName: !GetAtt Alb.DNSName
                CustomOriginConfig:
                  OriginProtocolPolicy: https-only
            DefaultCacheBehavior:
              TargetOriginId: alb
              ViewerProtocolPolicy: redirect-to-https
              CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
    ```
    ```hcl
    resource "aws_security_group" "alb" {
      name   = "alb"
      vpc_id = "vpc-0a1b2c3d4e5f60001"

      ingress {
        from_port   = 443
        to_port     = 443
        protocol    = "tcp"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }

    resource "aws_lb" "web" {
      name            = "web"
      subnets         = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      security_groups = [aws_security_group.alb.id]
    }

    resource "aws_cloudfront_distribution" "cdn" {
      enabled = true

      origin {
        domain_name = aws_lb.web.dns_name
        origin_id   = "alb"
        custom_origin_config {
          http_port              = 80
          https_port             = 443
          origin_protocol_policy = "https-only"
          origin_ssl_protocols   = ["TLSv1.2"]
        }
      }

      default_cache_behavior {
        target_origin_id       = "alb"
        viewer_protocol_policy = "redirect-to-https"
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
        cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
      }

      restrictions {
        geo_restriction {
          restriction_type = "none"
        }
      }

      viewer_certificate {
        cloudfront_default_certificate = true
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      AlbSg:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: ALB
          VpcId: vpc-0a1b2c3d4e5f60001
          SecurityGroupIngress:
            - IpProtocol: tcp
              FromPort: 443
              ToPort: 443
              SourcePrefixListId: pl-3b927c52
      Alb:
        Type: AWS::ElasticLoadBalancingV2::LoadBalancer
        Properties:
          Scheme: internet-facing
          Subnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
          SecurityGroups: [!Ref AlbSg]
      Cdn:
        Type: AWS::CloudFront::Distribution
        Properties:
          DistributionConfig:
            Enabled: true
            Origins:
              - Id: alb
                DomainName: !GetAtt Alb.DNSName
                CustomOriginConfig:
                  OriginProtocolPolicy: https-only
            DefaultCacheBehavior:
              TargetOriginId: alb
              ViewerProtocolPolicy: redirect-to-https
              CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6
    ```
    ```hcl
    data "aws_ec2_managed_prefix_list" "cloudfront" {
      name = "com.amazonaws.global.cloudfront.origin-facing"
    }

    resource "aws_security_group" "alb" {
      name   = "alb"
      vpc_id = "vpc-0a1b2c3d4e5f60001"

      ingress {
        from_port       = 443
        to_port         = 443
        protocol        = "tcp"
        prefix_list_ids = [data.aws_ec2_managed_prefix_list.cloudfront.id]
      }
    }

    resource "aws_lb" "web" {
      name            = "web"
      subnets         = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      security_groups = [aws_security_group.alb.id]
    }

    resource "aws_cloudfront_distribution" "cdn" {
      enabled = true

      origin {
        domain_name = aws_lb.web.dns_name
        origin_id   = "alb"
        custom_origin_config {
          http_port              = 80
          https_port             = 443
          origin_protocol_policy = "https-only"
          origin_ssl_protocols   = ["TLSv1.2"]
        }
      }

      default_cache_behavior {
        target_origin_id       = "alb"
        viewer_protocol_policy = "redirect-to-https"
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
        cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
      }

      restrictions {
        geo_restriction {
          restriction_type = "none"
        }
      }

      viewer_certificate {
        cloudfront_default_certificate = true
      }
    }
    ```

    ## Trade-off
    The CloudFront origin-facing prefix list counts as about 55 rules against the
    group's rule quota; health checks and tools that called the load balancer directly
    must go through CloudFront or another path.
    """
    seen = set()
    for dist in graph.resources("cloudfront"):
        for lb, origin_path in _lb_origins(graph, dist):
            for group in sg.groups_of(graph, lb):
                if isinstance(group, Unknown):
                    yield lb.unknown(None, f"a security group of {lb.address} cannot be read: {group.reason}",
                                     key="groups")
                    continue
                for r in sg.effective_rules(graph, group, sg.INGRESS):
                    src = r.source
                    internet = isinstance(src, sg.Cidr) and src.internet
                    if not internet and not isinstance(src, sg.UnknownSource):
                        continue
                    origin, path = r.anchor()
                    key = (id(origin), r.key)
                    if key in seen:
                        continue
                    seen.add(key)
                    if not internet:
                        yield origin.unknown(path, f"a source of {r.where()} cannot be read, so whether load "
                                             f"balancer {lb.address} admits only CloudFront is unknown", key=r.key)
                        continue
                    yield origin.finding(path, f"{r.where()} admits {src.label()} to load balancer {lb.address}, "
                                         f"the origin of CloudFront distribution {dist.address}: requests can "
                                         "skip CloudFront and its protections; admit the CloudFront origin-facing "
                                         "prefix list instead",
                                         related=[Related(lb, (), "the load balancer the group protects"),
                                                  Related(dist, origin_path, "the distribution that uses it as origin")],
                                         key=r.key)


RULES = [cloudfront_viewer_https, cloudfront_s3_origin_access, cloudfront_access_logs, api_gateway_access_logs,
         api_gateway_domain_tls12, waf_on_entry_points, dns_failover_health_check, global_accelerator_flow_logs,
         api_gateway_throttling, api_gateway_authorization, cloudfront_origin_lb_only_from_cloudfront]

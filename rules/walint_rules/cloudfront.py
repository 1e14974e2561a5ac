"""CloudFront (issue 15, the catalogue's edge layer): viewers on HTTPS with TLS 1.2, S3
origins behind origin access control, access logs, and a load balancer origin reachable
only through CloudFront."""
import re

from walint.api import Ref, Related, Unknown, decide, options, rule, severity, sg

from walint_rules._data import known_str, lowered
from walint_rules._settings import block, is_set, items


def _default_cert_attr(res):
    return "cloud_front_default_certificate" if res.format == "cloudformation" else "cloudfront_default_certificate"


# ------------------------------------------------------------------------------ TLS-006

_MODERN_TLS = re.compile(r"^TLSv1\.[23]_")


def _behaviors(dist):
    out = []
    default, path = block(dist, "default_cache_behavior")
    if default is not None:
        out.append(("the default cache behavior", default, path))
    for item, p in items(dist, "cache_behaviors"):
        pattern = item.get("path_pattern") if isinstance(item, dict) else None
        out.append((f"cache behavior {pattern}" if isinstance(pattern, str) else "a cache behavior", item, p))
    return out


def _viewer_tls(dist):
    """(verdict True/False/None, path, message, default_cert) for the viewer certificate."""
    cert, path = block(dist, "viewer_certificate")
    if isinstance(cert, Unknown):
        return None, path, "the viewer certificate cannot be read", False
    cert = cert or {}
    custom = [is_set(cert.get(k)) for k in ("acm_certificate_arn", "iam_certificate_id")]
    if True not in custom:
        if None in custom:
            return None, path, "whether the distribution uses its own certificate is unknown", False
        flag = _default_cert_attr(dist)
        where = path + (flag,) if flag in cert else path
        return False, where, ("uses the default *.cloudfront.net certificate, which also accepts TLS 1.0 "
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
    oac = is_set(origin.get("origin_access_control_id"))
    if oac is not False:
        return oac
    s3 = origin.get("s3_origin_config")
    if isinstance(s3, list):
        s3 = s3[0] if len(s3) == 1 else None
    if isinstance(s3, Unknown):
        return None
    return is_set(s3.get("origin_access_identity")) if isinstance(s3, dict) else False


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
        for origin, path in items(dist, "origins"):
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
        logging, path = block(dist, "logging")
        if isinstance(logging, Unknown):
            yield dist.unknown(path, "the logging configuration cannot be read")
            continue
        bucket = is_set(logging.get("bucket")) if isinstance(logging, dict) else False
        if bucket is False:
            yield dist.finding("logging" if logging is not None else None,
                               f"CloudFront distribution {dist.address} keeps no access logs")
        elif bucket is None:
            yield dist.unknown(path + ("bucket",), "the log bucket depends on a value walint cannot resolve")

# ------------------------------------------------------------------------------ SG-007


def _lb_origins(graph, dist):
    """Internet-facing load balancers this distribution uses as origins (by reference)."""
    out = []
    for origin, path in items(dist, "origins"):
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
                                                  Related(dist, origin_path,
                                                          "the distribution that uses it as origin")],
                                         key=r.key)


RULES = [cloudfront_viewer_https, cloudfront_s3_origin_access, cloudfront_access_logs,
         cloudfront_origin_lb_only_from_cloudfront]

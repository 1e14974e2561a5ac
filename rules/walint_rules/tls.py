"""encryption-in-transit: listeners, databases, caches and buckets require TLS (RULES.md §2.5)."""
import fnmatch
import re

from walint.api import OneOf, Ref, Related, Unknown, as_int, decide, options, rule, severity

from walint_rules._data import (as_list, cluster_governed, engine, group_params,
                                is_true, known_str, lower, lowered, param_position, profile)
from walint_rules._s3 import (and3, actions_cover, denies_plain_http, effect_is, load_document,
                              or3, policy_sources, principal_is_everyone, resource_coverage,
                              statements)

_UNRESOLVED = "depends on a value walint cannot resolve"


# -- listeners ------------------------------------------------------------------------------


def _lb(graph, listener):
    target = graph.deref(listener, listener.get("load_balancer_arn"))
    return target if target is not None and target.kind == "lb" else None


def _lb_is_application(lb):
    if lb is None:
        return None
    attr = "type" if lb.format == "cloudformation" else "load_balancer_type"
    return decide(lb.get(attr, "application"),
                  lambda t: t == "application" if isinstance(t, str) else None)


def _lb_internal(lb):
    if lb is None:
        return False
    if lb.format == "cloudformation":
        return decide(lb.get("scheme", "internet-facing"),
                      lambda s: s == "internal" if isinstance(s, str) else None) is True
    return is_true(lb.get("internal"), False) is True


def _protocol(graph, listener):
    """The listener's protocol (upper case), an Unknown, or None when not an ALB listener."""
    value = listener.get("protocol")
    if value is None:
        app = _lb_is_application(_lb(graph, listener))
        if app is True:
            return "HTTP"             # ALB listeners default to HTTP
        if app is None:
            return Unknown("the listener's protocol is not set and its load balancer is unknown")
        return None
    if isinstance(value, str):
        return value.upper()
    return value


def _actions(res, attr):
    """[(index, action dict)] in evaluation order."""
    items = [(i, a) for i, a in enumerate(as_list(res.get(attr))) if isinstance(a, dict)]
    return sorted(items, key=lambda ia: (as_int(ia[1].get("order")) or 0, ia[0]))


def _action_ok(res, attr, i, action):
    """(verdict, path, what): the action keeps traffic off plain HTTP."""
    atype = lower(action.get("type"))
    if atype is None and res.format == "terraform" and action.get("target_group_arn") is not None:
        atype = "forward"
    base = (attr, i)
    if not isinstance(atype, str):
        return None, base + ("type",), "an action whose type is unknown"
    if atype == "redirect":
        if res.format == "cloudformation":
            cfg = action.get("redirect_config")
            proto = cfg.get("protocol", "#{protocol}") if isinstance(cfg, dict) else None
            path = base + ("redirect_config", "protocol") if isinstance(cfg, dict) and "protocol" in cfg \
                else base + ("redirect_config",)
        else:
            redirect = action.get("redirect")
            cfg = redirect[0] if isinstance(redirect, list) and redirect and isinstance(redirect[0], dict) \
                else None
            proto = cfg.get("protocol", "#{protocol}") if cfg is not None else None
            path = base + ("redirect", 0, "protocol") if cfg is not None and "protocol" in cfg \
                else base + ("redirect",)
        verdict = decide(proto, lambda p: p.upper() == "HTTPS" if isinstance(p, str) else None) \
            if proto is not None else None
        return verdict, path, "a redirect that keeps the HTTP protocol"
    if atype == "fixed-response":
        return True, base, ""
    article = "an" if atype[:1] in "aeiou" else "a"
    return False, base + ("type",), f"{article} {atype} action"


def _check_actions(res, attr):
    """(verdict, path, what) over all the actions of a listener or rule."""
    worst = (True, None, "")
    raw = res.get(attr)
    if isinstance(raw, (Unknown, OneOf)) or any(not isinstance(a, dict) for a in as_list(raw)):
        worst = (None, attr, "an action walint cannot read")
    for i, action in _actions(res, attr):
        verdict, path, what = _action_ok(res, attr, i, action)
        if verdict is False:
            return verdict, path, what
        if verdict is None:
            worst = (None, path, what)
    return worst


@rule(id="WAL-TLS-001", name="alb-http-redirects", title="ALB HTTP listeners only redirect to HTTPS",
      pillar="security", category="encryption-in-transit", best_practice=("SEC09-BP02",),
      severity=severity(development="warning", mvp="error"), checkov=("CKV_AWS_2", "CKV2_AWS_20"))
def alb_http_redirects(graph):
    """An Application Load Balancer's HTTP listener only redirects to HTTPS (or answers
    with a fixed response): its default actions and every listener rule attached to it
    neither forward nor authenticate over plain HTTP. On an internal ALB the finding is
    one level lower.

    ## Why
    Anything forwarded over HTTP travels in clear text between the client and the load
    balancer, cookies and tokens included. A redirecting default action is not enough
    when a listener rule still forwards. SEC09-BP02 (enforce encryption in transit); the
    foundation's ALB listens on 80 only to redirect to 443.

    ## Default
    An ALB listener's protocol defaults to HTTP when it is not set, and a redirect's
    protocol defaults to `#{protocol}`, that is, HTTP again. Network and Gateway Load
    Balancer listeners are out of scope. A fixed-response default action serves no
    application content and is accepted.

    ## Example
    ```yaml
    Resources:
      Http:
        Type: AWS::ElasticLoadBalancingV2::Listener
        Properties:
          LoadBalancerArn: arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/web/0123456789abcdef
          Port: 80
          Protocol: HTTP
          DefaultActions:
            - Type: forward
              TargetGroupArn: arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/web/0123456789abcdef
    ```
    ```hcl
    resource "aws_lb_listener" "http" {
      load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/web/0123456789abcdef"
      port              = 80
      protocol          = "HTTP"
      default_action {
        type             = "forward"
        target_group_arn = "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/web/0123456789abcdef"
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Http:
        Type: AWS::ElasticLoadBalancingV2::Listener
        Properties:
          LoadBalancerArn: arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/web/0123456789abcdef
          Port: 80
          Protocol: HTTP
          DefaultActions:
            - Type: redirect
              RedirectConfig:
                Protocol: HTTPS
                Port: "443"
                StatusCode: HTTP_301
    ```
    ```hcl
    resource "aws_lb_listener" "http" {
      load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/web/0123456789abcdef"
      port              = 80
      protocol          = "HTTP"
      default_action {
        type = "redirect"
        redirect {
          port        = "443"
          protocol    = "HTTPS"
          status_code = "HTTP_301"
        }
      }
    }
    ```
    """
    for listener in graph.resources("listener"):
        proto = _protocol(graph, listener)
        if proto is None:
            continue
        http = decide(proto, lambda p: p.upper() == "HTTP" if isinstance(p, str) else None)
        if http is False:
            continue
        if http is None:
            yield listener.unknown("protocol", f"the listener's protocol {_UNRESOLVED}")
            continue
        lb = _lb(graph, listener)
        level = lowered(alb_http_redirects, graph, listener) if _lb_internal(lb) else None
        related = [Related(lb, (), "the load balancer")] if lb is not None else []
        attr = "default_actions" if listener.format == "cloudformation" else "default_action"
        verdict, path, what = _check_actions(listener, attr)
        if verdict is False:
            yield listener.finding(path, f"HTTP listener {listener.address} serves {what} over plain "
                                   "HTTP instead of redirecting to HTTPS", severity=level,
                                   related=related, key="default-action")
        elif verdict is None:
            yield listener.unknown(path, f"an action of the listener {_UNRESOLVED}", key="default-action")
        for lr in graph.referrers(listener, kind="listener_rule", via="listener_arn"):
            rattr = "actions" if lr.format == "cloudformation" else "action"
            verdict, path, what = _check_actions(lr, rattr)
            if verdict is False:
                yield lr.finding(path, f"listener rule {lr.address} on HTTP listener {listener.address} "
                                 f"serves {what} over plain HTTP", severity=level,
                                 related=[Related(listener, (), "the HTTP listener")], key="rule-action")
            elif verdict is None:
                yield lr.unknown(path, f"an action of the listener rule {_UNRESOLVED}", key="rule-action")


TLS12_POLICIES = ("ELBSecurityPolicy-TLS13-1-2-*", "ELBSecurityPolicy-TLS13-1-3-*",
                  "ELBSecurityPolicy-TLS-1-2-*", "ELBSecurityPolicy-TLS-1-2-Ext-*",
                  "ELBSecurityPolicy-FS-1-2-*")
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"
_ACM_TYPES = ("AWS::CertificateManager::Certificate", "aws_acm_certificate",
              "aws_acm_certificate_validation")
_IAM_CERT_TYPES = ("AWS::IAM::ServerCertificate", "aws_iam_server_certificate")


def _cert_is_acm(graph, listener, value):
    def pred(v):
        if isinstance(v, Ref):
            target = graph.deref(listener, v)
            if target is None:
                return None
            if target.type in _ACM_TYPES:
                return True
            return False if target.type in _IAM_CERT_TYPES else None
        if isinstance(v, str):
            if re.match(r"^arn:aws[a-z-]*:acm:", v):
                return True
            if re.match(r"^arn:aws[a-z-]*:iam::", v):
                return False
            return None
        return None
    return decide(value, pred)


@rule(id="WAL-TLS-002", security_severity=5.5, name="listener-tls-policy",
      title="HTTPS listeners use TLS ≥1.2 policy and an ACM certificate",
      pillar="security", category="encryption-in-transit", best_practice=("SEC09-BP01", "SEC09-BP02"),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_103",))
def listener_tls_policy(graph):
    """An HTTPS or TLS listener uses a security policy that allows only TLS 1.2 or later,
    and serves a certificate from AWS Certificate Manager (ACM).

    ## Why
    TLS 1.0 and 1.1 have known weaknesses and are deprecated (RFC 8996); IAM server
    certificates are uploaded by hand and never renew, while ACM renews its certificates
    automatically. SEC09-BP01 (implement secure key and certificate management) and
    SEC09-BP02 (enforce encryption in transit).

    ## Default
    A listener created without `SslPolicy` / `ssl_policy` through the API, the CLI,
    CloudFormation or Terraform gets `ELBSecurityPolicy-2016-08`, which accepts TLS 1.0
    and 1.1 (only the console picks `ELBSecurityPolicy-TLS13-1-2-2021-06`). Accepted
    policies: `ELBSecurityPolicy-TLS13-1-2-*`, `-TLS13-1-3-*`, `-TLS-1-2-*`,
    `-TLS-1-2-Ext-*` and `-FS-1-2-*`.

    ## Example
    ```yaml
    Resources:
      Https:
        Type: AWS::ElasticLoadBalancingV2::Listener
        Properties:
          LoadBalancerArn: arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/web/0123456789abcdef
          Port: 443
          Protocol: HTTPS
          Certificates:
            - CertificateArn: arn:aws:acm:us-east-2:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789
          DefaultActions:
            - Type: fixed-response
              FixedResponseConfig:
                StatusCode: "404"
    ```
    ```hcl
    resource "aws_lb_listener" "https" {
      load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/web/0123456789abcdef"
      port              = 443
      protocol          = "HTTPS"
      ssl_policy        = "ELBSecurityPolicy-2016-08"
      certificate_arn   = "arn:aws:iam::123456789012:server-certificate/web"
      default_action {
        type = "fixed-response"
        fixed_response {
          content_type = "text/plain"
          status_code  = "404"
        }
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Https:
        Type: AWS::ElasticLoadBalancingV2::Listener
        Properties:
          LoadBalancerArn: arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/web/0123456789abcdef
          Port: 443
          Protocol: HTTPS
          SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
          Certificates:
            - CertificateArn: arn:aws:acm:us-east-2:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789
          DefaultActions:
            - Type: fixed-response
              FixedResponseConfig:
                StatusCode: "404"
    ```
    ```hcl
    resource "aws_lb_listener" "https" {
      load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/web/0123456789abcdef"
      port              = 443
      protocol          = "HTTPS"
      ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
      certificate_arn   = "arn:aws:acm:us-east-2:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
      default_action {
        type = "fixed-response"
        fixed_response {
          content_type = "text/plain"
          status_code  = "404"
        }
      }
    }
    ```
    """
    for listener in graph.resources("listener"):
        value = listener.get("protocol")
        if value is None:
            continue
        tls = decide(value, lambda p: p.upper() in ("HTTPS", "TLS") if isinstance(p, str) else None)
        if tls is False:
            continue
        if tls is None:
            yield listener.unknown("protocol", f"the listener's protocol {_UNRESOLVED}")
            continue
        policy = listener.get("ssl_policy", DEFAULT_SSL_POLICY)
        ok = decide(policy, lambda p: any(fnmatch.fnmatchcase(p, g) for g in TLS12_POLICIES)
                    if isinstance(p, str) else None)
        if ok is False:
            name = known_str(policy) or DEFAULT_SSL_POLICY
            yield listener.finding("ssl_policy", f"listener {listener.address} uses security policy "
                                   f"{name}" + ("" if listener.has("ssl_policy") else " (the default)") +
                                   ", which accepts TLS versions below 1.2", key="ssl_policy")
        elif ok is None:
            yield listener.unknown("ssl_policy", f"the security policy {_UNRESOLVED}", key="ssl_policy")
        if listener.format == "cloudformation":
            certs = listener.get("certificates")
            if isinstance(certs, (Unknown, OneOf)):
                values, path = [certs], "certificates"
            else:
                values = [c.get("certificate_arn") for c in as_list(certs) if isinstance(c, dict)]
                path = ("certificates", 0, "certificate_arn") if values else None
        else:
            values = [listener.get("certificate_arn")] if listener.has("certificate_arn") else []
            path = "certificate_arn" if values else None
        if not values:
            yield listener.finding(None, f"{known_str(value)} listener {listener.address} names no "
                                   "certificate", key="certificate")
            continue
        verdicts = [_cert_is_acm(graph, listener, v) for v in values]
        if False in verdicts:
            yield listener.finding(path, f"listener {listener.address} serves an IAM server "
                                   "certificate, not an ACM certificate (no automatic renewal)",
                                   key="certificate")
        elif None in verdicts:
            yield listener.unknown(path, "the certificate is a value walint cannot resolve",
                                   key="certificate")


# -- databases ------------------------------------------------------------------------------

_PG_FAMILY = ("postgres", "aurora-postgresql")
_MYSQL_FAMILY = ("mysql", "mariadb", "aurora-mysql", "aurora")


def _ssl_param(eng):
    """(parameter name, accepted values) for the engine, or None when out of scope."""
    if eng in _PG_FAMILY or eng.startswith("sqlserver"):
        return "rds.force_ssl", ("1", "true", "on")
    if eng in _MYSQL_FAMILY:
        return "require_secure_transport", ("1", "on", "true")
    return None


def _major(version):
    m = re.match(r"^\s*(\d+)", version) if isinstance(version, str) else None
    if m:
        return int(m.group(1))
    return as_int(version)


def _default_forces_ssl(eng, version):
    """The engine default of the SSL parameter: True/False/None."""
    if eng != "postgres":
        return False                       # Aurora, SQL Server, MySQL, MariaDB default to off
    if version is None:
        return True                        # the default engine version is 15 or later
    return decide(version, lambda v: (_major(v) >= 15) if _major(v) is not None else None)


def _group_name(group):
    attr = "name" if group.format == "terraform" else (
        "db_cluster_parameter_group_name" if group.type == "AWS::RDS::DBClusterParameterGroup"
        else "db_parameter_group_name")
    return known_str(group.get(attr))


def _find_group(graph, db, value):
    """(group resource, None) / (None, 'default') / (None, Unknown)."""
    if value is None:
        return None, "default"
    cands = options(value)
    if len(cands) != 1:
        return None, Unknown("the parameter group depends on a condition walint cannot decide")
    v = cands[0]
    if isinstance(v, Ref):
        target = graph.deref(db, v)
        if target is not None and target.kind == "db_param_group":
            return target, None
        return None, Unknown("the parameter group is not declared in the scanned files")
    if isinstance(v, str):
        if v.startswith("default."):
            return None, "default"
        for g in graph.resources("db_param_group"):
            if g.scope == db.scope and _group_name(g) == v:
                return g, None
        return None, Unknown(f"parameter group {v} is not declared in the scanned files")
    return None, Unknown("the parameter group is a value walint cannot resolve")


def _region(res):
    return known_str(res.get("region")) if res.has("region") else None


def _replica_source(graph, db):
    """(source DB instance, same Region: True/False/None, None) or (None, None, Unknown)."""
    cands = options(db.get("replicate_source_db"))
    if len(cands) != 1:
        return None, None, Unknown("its source depends on a condition walint cannot decide")
    v = cands[0]
    src = graph.deref(db, v) if isinstance(v, Ref) else None
    if src is None or src.kind != "db_instance" or cluster_governed(src) is not False:
        return None, None, Unknown("its source is not an RDS DB instance declared in the scanned files")
    if db.format == "cloudformation" or v.attr != "arn":
        # a stack lives in one Region; a cross-Region source must be named by its ARN
        return src, True, None
    mine, theirs = _region(db), _region(src)
    if mine and theirs:
        return src, mine == theirs, None
    return src, None, None


def _lineage(graph, db):
    """A read replica's chain of sources: [(instance, same Region as the next, why it stops)].

    The last entry is not a replica, or one whose source walint cannot follow (`why`)."""
    chain, seen = [], {id(db)}
    while True:
        if db.kind != "db_instance" or not db.has("replicate_source_db") or len(chain) > 8:
            chain.append((db, None, None))
            return chain
        src, same, why = _replica_source(graph, db)
        if src is None or id(src) in seen:
            chain.append((db, None, why or Unknown("its source chain loops")))
            return chain
        chain.append((db, same, None))
        seen.add(id(src))
        db = src


def _replica_engine(chain):
    """(engine, engine_version) along a replica chain: a replica runs its source's engine
    and, unless it sets one, its version. The engine is an Unknown when the chain stops
    before one is found."""
    eng = version = None
    for node, _, why in chain:
        if version is None and node.has("engine_version"):
            version = node.get("engine_version")
        if eng is None and None not in options(engine(node)):
            eng = engine(node)          # an engine that may be absent is the source's
        if eng is not None and version is not None:
            break
        if why is not None:
            if eng is None:
                eng = Unknown(f"{node.address} is a read replica, but {why.reason}: its engine is "
                              "unknown")
            break
    return eng, version


def _replica_group(graph, chain, assume_same=False):
    """(group, why, holder) for a read replica without a parameter group of its own;
    `why` is "region" when it depends on a Region walint cannot tell (`assume_same`
    then follows the source).

    RDS gives a same-Region replica its source's DB parameter group and a cross-Region
    one the engine's default group (CreateDBInstanceReadReplica, DBParameterGroupName)."""
    for k, (node, same, why) in enumerate(chain):
        if node.has("parameter_group_name"):
            group, why = _find_group(graph, node, node.get("parameter_group_name"))
            return group, why, node
        if why is not None:
            return None, Unknown(f"{node.address} is a read replica, but {why.reason}: the "
                                 "parameter group it gets from it is unknown"), node
        if k == len(chain) - 1:
            return None, "default", node
        if same is False:
            return None, "default", node
        if same is None and not assume_same:
            return None, "region", node
    return None, "default", chain[-1][0]


def _value_forces(value, accepted):
    """Does a parameter's value require TLS: True/False/None."""
    return decide(value, lambda v: str(v).strip().lower() in accepted
                  if isinstance(v, (str, int, bool)) else None)


def _family_default(group, eng, version):
    """Whether a group that does not set the parameter requires TLS: its family's default
    (a PostgreSQL family names its major version)."""
    family = known_str(group.get("family"))
    m = re.match(r"^postgres(\d+)", family or "")
    if eng == "postgres" and m:
        version = m.group(1)
    return _default_forces_ssl(eng, version) if family or eng != "postgres" else None


def _group_forces(group, param, accepted, eng, version):
    """Does a parameter group require TLS: True/False/None (the checks of rds_force_ssl's
    group loop, as one verdict)."""
    params = group_params(group)
    if isinstance(params, Unknown):
        return None
    if param in params:
        return _value_forces(params[param], accepted)
    return _family_default(group, eng, version)


def _either_region(graph, chain, param, accepted, eng, version):
    """A replica whose Region walint cannot tell: True when both the source's group
    (same Region) and the engine default (another Region) require TLS."""
    if _default_forces_ssl(eng, version) is not True:
        return None
    group, why, _ = _replica_group(graph, chain, assume_same=True)
    if group is None:
        return _default_forces_ssl(eng, version) if why == "default" else None
    return _group_forces(group, param, accepted, eng, version)


@rule(id="WAL-TLS-003", name="rds-force-ssl",
      title="RDS/Aurora enforce SSL (rds.force_ssl / require_secure_transport)",
      pillar="security", category="encryption-in-transit", best_practice=("SEC09-BP02",),
      severity=severity(development="note", mvp="warning", production="error"),
      checkov=("CKV2_AWS_69",))
def rds_force_ssl(graph):
    """An RDS DB instance or Aurora/Multi-AZ DB cluster refuses unencrypted connections:
    its (cluster) parameter group sets `rds.force_ssl = 1` (PostgreSQL, Aurora
    PostgreSQL, SQL Server) or `require_secure_transport = 1` (MySQL, MariaDB, Aurora
    MySQL).

    ## Why
    TLS is optional for database clients unless the server requires it: one
    misconfigured client sends credentials and data in clear text inside the VPC.
    SEC09-BP02 (enforce encryption in transit); the foundation says "RDS force SSL".

    ## Default
    With no parameter group, or a `default.*` one, the engine default applies: RDS for
    PostgreSQL 15 and later defaults `rds.force_ssl` to 1 (an absent `EngineVersion`
    gets the current default version, 15 or later); PostgreSQL 14 and earlier, Aurora
    PostgreSQL, SQL Server, MySQL, MariaDB and Aurora MySQL default to off. A custom
    group that does not set the parameter keeps its family's default. Oracle and Db2 use
    other mechanisms and are out of scope; Aurora instances follow their cluster.

    An RDS DB instance of an Aurora engine (`aurora`, `aurora-mysql`, `aurora-
    postgresql`) is a cluster member even when it names no cluster: the SSL parameter
    (in the DB cluster parameter group) is the cluster's setting (AWS creates Aurora
    instances only in a cluster), so the instance is not asked for it. When the engine
    cannot be resolved, the result is unknown.

    A read replica (`SourceDBInstanceIdentifier` / `replicate_source_db`) runs its
    source's engine, so walint follows the source in the graph. A replica that sets no
    parameter group gets its source's group when it is in the same Region, and the
    engine's default group when it is in another (RDS CreateDBInstanceReadReplica,
    `DBParameterGroupName`). A CloudFormation stack is one Region, and a Terraform source
    named by identifier (not ARN) must be in the same Region; a source named by ARN is
    placed only when both instances set `region`; otherwise the replica passes only when
    both groups would require TLS, and is unknown else. A source walint cannot follow (a
    parameter, a literal, another configuration) gives unknown.

    ## Example
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: mysql
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      engine_version              = "14.15"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Params:
        Type: AWS::RDS::DBParameterGroup
        Properties:
          Description: Require TLS
          Family: mysql8.0
          Parameters:
            require_secure_transport: "1"
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: mysql
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          DBParameterGroupName: !Ref Params
    ```
    ```hcl
    resource "aws_db_parameter_group" "tls" {
      name   = "postgres14-tls"
      family = "postgres14"
      parameter {
        name  = "rds.force_ssl"
        value = "1"
      }
    }

    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      engine_version              = "14.15"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      parameter_group_name        = aws_db_parameter_group.tls.name
    }
    ```
    """
    groups = {}
    for db in graph.resources("db_instance", "db_cluster"):
        if db.kind == "db_instance" and cluster_governed(db) is True:
            continue          # the SSL parameter is in the DB cluster parameter group
        replica = db.kind == "db_instance" and db.has("replicate_source_db")
        chain = _lineage(graph, db) if replica else None
        eng = engine(db)
        version = db.get("engine_version")
        if replica:
            inherited, version = _replica_engine(chain)
            cands = options(eng)
            if eng is None:
                eng = inherited
            elif None in cands and isinstance(inherited, str):
                # `engine = is_replica ? null : var.engine`: an absent engine is the source's
                cands = {inherited if c is None else lower(c) for c in cands}
                eng = cands.pop() if len(cands) == 1 else eng
            if isinstance(eng, Unknown):
                yield db.unknown("replicate_source_db", eng.reason)
                continue
        if eng is None:
            if db.has("snapshot_identifier"):
                continue
            yield db.unknown(None, "the engine is not set")
            continue
        eng = known_str(eng)
        if eng is None:
            yield db.unknown("engine", f"the engine {_UNRESOLVED}")
            continue
        spec = _ssl_param(eng)
        if spec is None:
            continue
        param, accepted = spec
        holder = db
        if replica and not db.has("parameter_group_name"):
            group, why, holder = _replica_group(graph, chain)
            if why == "region":
                if _either_region(graph, chain, param, accepted, eng, version) is True:
                    continue
                why = Unknown(f"{holder.address} names its source by ARN and walint cannot tell "
                              "whether the source is in the same Region: a same-Region replica gets "
                              "its source's parameter group, a cross-Region one the engine's default")
        else:
            group, why = _find_group(graph, db, db.get("parameter_group_name"))
        if group is None and why == "default":
            verdict = _default_forces_ssl(eng, version)
            if verdict is False:
                if replica and not db.has("parameter_group_name"):
                    how = (f"a read replica of {holder.address} and gets its parameter group, the engine default"
                           if holder is not db else
                           "a cross-Region read replica and gets the engine's default parameter group")
                    yield db.finding("replicate_source_db", f"{db.address} ({eng}) is {how}, where "
                                     f"{param} is off: connections may be unencrypted",
                                     related=[Related(holder, (), "the source whose group it gets")]
                                     if holder is not db else (), key=param)
                    continue
                anchor = "parameter_group_name" if db.has("parameter_group_name") else (
                    "engine_version" if eng == "postgres" and db.has("engine_version") else
                    "engine" if db.has("engine") else "replicate_source_db")
                yield db.finding(anchor, f"{db.address} ({eng}) uses the default parameter group, "
                                 f"where {param} is off: connections may be unencrypted", key=param)
            elif verdict is None:
                yield db.unknown("engine_version", f"the engine version {_UNRESOLVED}", key=param)
            continue
        if group is None:
            yield db.unknown("replicate_source_db" if replica and not db.has("parameter_group_name")
                             else "parameter_group_name", why.reason, key=param)
            continue
        groups.setdefault(id(group), (group, param, accepted, eng, []))[4].append(db)
    for group, param, accepted, eng, dbs in groups.values():
        params = group_params(group)
        related = [Related(d, ("parameter_group_name",), "uses this parameter group") for d in dbs]
        if isinstance(params, Unknown):
            yield group.unknown("parameters" if group.format == "cloudformation" else "parameter",
                                params.reason, key=param)
            continue
        if param not in params:
            verdict = _family_default(group, eng, dbs[0].get("engine_version") if eng == "postgres" else None)
            if verdict is True:
                continue
            if verdict is None:
                yield group.unknown(None, "the family's default for the SSL parameter is unknown",
                                    key=param)
                continue
            yield group.finding(None, f"parameter group {group.address} does not set {param} = 1, "
                                f"and the {eng} default is off: "
                                f"{', '.join(d.address for d in dbs)} accept unencrypted connections",
                                related=related, key=param)
            continue
        value = params[param]
        verdict = _value_forces(value, accepted)
        if verdict is False:
            yield group.finding(param_position(group, param),
                                f"parameter group {group.address} sets {param} to {value!s}: "
                                f"{', '.join(d.address for d in dbs)} accept unencrypted connections",
                                related=related, key=param)
        elif verdict is None:
            yield group.unknown(param_position(group, param), f"{param} {_UNRESOLVED}", key=param)


# -- caches ---------------------------------------------------------------------------------


@rule(id="WAL-TLS-004", name="elasticache-in-transit-encryption",
      title="ElastiCache in-transit encryption required",
      pillar="security", category="encryption-in-transit", best_practice=("SEC09-BP02",),
      severity=severity(development="note", mvp="warning", production="error"),
      checkov=("CKV_AWS_30", "CKV_AWS_31"))
def elasticache_in_transit_encryption(graph):
    """An ElastiCache Redis OSS or Valkey replication group (or standalone cache cluster)
    encrypts traffic in transit in `required` mode; in `regulated` it also requires
    authentication (an AUTH token or RBAC user groups).

    ## Why
    Cache traffic carries session tokens and query results; without TLS anyone on the
    network path can read or alter it, and `preferred` mode still lets clients connect in
    plain text. SEC09-BP02 (enforce encryption in transit).

    ## Default
    `TransitEncryptionEnabled` / `transit_encryption_enabled` defaults to false. When it
    is enabled, `TransitEncryptionMode` defaults to `required`; `preferred` exists only to
    migrate running clusters. Memcached clusters are out of scope. A secondary replication
    group of a global datastore (`GlobalReplicationGroupId` / `global_replication_group_id`)
    that does not set it inherits the datastore's setting from its primary: unknown here,
    and the primary, where the setting lives, is judged on its own.

    ## Example
    ```yaml
    Resources:
      Cache:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties:
          ReplicationGroupDescription: sessions
          Engine: redis
          CacheNodeType: cache.t4g.small
          NumCacheClusters: 2
          TransitEncryptionEnabled: false
    ```
    ```hcl
    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id       = "sessions"
      description                = "sessions"
      node_type                  = "cache.t4g.small"
      num_cache_clusters         = 2
      transit_encryption_enabled = true
      transit_encryption_mode    = "preferred"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Cache:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties:
          ReplicationGroupDescription: sessions
          Engine: redis
          CacheNodeType: cache.t4g.small
          NumCacheClusters: 2
          TransitEncryptionEnabled: true
          TransitEncryptionMode: required
    ```
    ```hcl
    resource "aws_elasticache_replication_group" "sessions" {
      replication_group_id       = "sessions"
      description                = "sessions"
      node_type                  = "cache.t4g.small"
      num_cache_clusters         = 2
      transit_encryption_enabled = true
      transit_encryption_mode    = "required"
    }
    ```
    """
    subjects = list(graph.resources("cache_rg"))
    for cc in graph.resources("cache_cluster"):
        if cc.has("replication_group_id"):
            continue
        redis = decide(engine(cc), lambda e: e in ("redis", "valkey") if isinstance(e, str) else None)
        if redis is True:
            subjects.append(cc)
        elif redis is None and cc.has("engine"):
            yield cc.unknown("engine", f"the engine {_UNRESOLVED}")
    for c in subjects:
        what = "replication group" if c.kind == "cache_rg" else "cache cluster"
        if c.kind == "cache_rg" and not c.has("transit_encryption_enabled") \
                and c.has("global_replication_group_id"):
            yield c.unknown("global_replication_group_id", "a secondary of a global datastore "
                            "inherits encryption in transit from the datastore's primary", key="transit")
            continue
        enabled = is_true(c.get("transit_encryption_enabled"), False)
        if enabled is False:
            yield c.finding("transit_encryption_enabled" if c.has("transit_encryption_enabled") else None,
                            f"{what} {c.address} does not encrypt traffic in transit"
                            + ("" if c.has("transit_encryption_enabled") else
                               " (TransitEncryptionEnabled defaults to false)"), key="transit")
            continue
        if enabled is None:
            yield c.unknown("transit_encryption_enabled", f"{c.native('transit_encryption_enabled')} {_UNRESOLVED}",
                            key="transit")
            continue
        mode = c.get("transit_encryption_mode")
        preferred = decide(mode, lambda m: m.lower() == "preferred" if isinstance(m, str) else None) \
            if mode is not None else False
        if preferred is True:
            yield c.finding("transit_encryption_mode", f"{what} {c.address} still accepts plaintext "
                            "clients (TransitEncryptionMode preferred): finish the migration to "
                            "required", key="mode")
        elif preferred is None:
            yield c.unknown("transit_encryption_mode", f"{c.native('transit_encryption_mode')} {_UNRESOLVED}", key="mode")
        if profile(graph, c) == "regulated" and c.kind == "cache_rg" and not c.has("auth_token") \
                and not c.has("user_group_ids"):
            yield c.finding(None, f"{what} {c.address} requires no authentication (no AUTH token "
                            "and no user groups)", key="auth")


# -- buckets --------------------------------------------------------------------------------


@rule(id="WAL-TLS-005", security_severity=5.0, name="s3-tls-only-policy", title="S3 bucket policy denies non-TLS requests",
      pillar="security", category="encryption-in-transit", best_practice=("SEC09-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"))
def s3_tls_only_policy(graph):
    """An S3 bucket has a bucket policy statement that denies every request made without
    TLS: `Effect: Deny`, `Principal: "*"`, `Action: s3:*`, the bucket and its objects as
    `Resource`, and the condition `aws:SecureTransport = false` (or `s3:TlsVersion` below
    1.2).

    ## Why
    S3 accepts plain HTTP requests unless the bucket policy refuses them; a client
    configured with an `http://` endpoint then sends data and signed requests in clear
    text. SEC09-BP02 (enforce encryption in transit); the foundation requires an
    "S3 HTTPS-only bucket policy".

    ## Default
    A bucket has no policy unless `AWS::S3::BucketPolicy` / `aws_s3_bucket_policy`
    attaches one, and S3 serves HTTP by default. A policy walint cannot read (a
    `data.aws_iam_policy_document`, a file, an ARN known only after apply) gives no
    finding.

    ## Example
    ```yaml
    Resources:
      Assets:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: example-assets
    ```
    ```hcl
    resource "aws_s3_bucket" "assets" {
      bucket = "example-assets"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Assets:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: example-assets
      AssetsPolicy:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: !Ref Assets
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: DenyPlainHttp
                Effect: Deny
                Principal: "*"
                Action: s3:*
                Resource:
                  - arn:aws:s3:::example-assets
                  - arn:aws:s3:::example-assets/*
                Condition:
                  Bool:
                    aws:SecureTransport: "false"
    ```
    ```hcl
    resource "aws_s3_bucket" "assets" {
      bucket = "example-assets"
    }

    resource "aws_s3_bucket_policy" "assets" {
      bucket = aws_s3_bucket.assets.id
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Sid       = "DenyPlainHttp"
          Effect    = "Deny"
          Principal = "*"
          Action    = "s3:*"
          Resource  = ["arn:aws:s3:::example-assets", "arn:aws:s3:::example-assets/*"]
          Condition = { Bool = { "aws:SecureTransport" = "false" } }
        }]
      })
    }
    ```
    """
    for b in graph.resources("bucket"):
        sources, maybe = policy_sources(graph, b)
        verdicts, reasons = [], []
        for res, attr, value in sources:
            doc = load_document(value)
            if isinstance(doc, Unknown):
                verdicts.append(None)
                reasons.append(doc.reason)
                continue
            for _, st in statements(doc):
                if not isinstance(st, dict):
                    verdicts.append(None)
                    continue
                verdicts.append(and3(effect_is(st, "Deny"), principal_is_everyone(st),
                                     actions_cover(st, ("s3:GetObject", "s3:PutObject")),
                                     denies_plain_http(st), resource_coverage(st, b)))
        if maybe:
            verdicts.append(None)
            reasons.append("a bucket policy names a bucket walint cannot resolve")
        verdict = or3(verdicts)
        if verdict is True:
            continue
        if verdict is None:
            yield b.unknown(None, "whether a policy denies non-TLS requests is undecided"
                            + (f": {reasons[0]}" if reasons else ""), key="tls-only")
            continue
        if sources:
            res, attr, _ = sources[0]
            yield res.finding(attr, f"the policy of bucket {b.address} does not deny requests "
                              "made without TLS (aws:SecureTransport = false)", key="tls-only")
        else:
            yield b.finding(None, f"bucket {b.address} has no bucket policy denying requests made "
                            "without TLS (aws:SecureTransport = false)", key="tls-only")


RULES = [alb_http_redirects, listener_tls_policy, rds_force_ssl, elasticache_in_transit_encryption,
         s3_tls_only_policy]

"""compute: EKS clusters and node groups, EC2 instance metadata (issue 15, the catalogue's
compute layer). Lambda placement and ECS are in network.py, scaling.py and logging.py."""
from walint.api import (PUBLIC, UNKNOWN, ExternalSubnet, Related, Unknown, Zone, as_bool, decide, distinct_zones,
                        options, placement, placement_zones, rule, severity, subnet_list, tier_of,
                        zone_label, zone_of, zones_text)

from walint_rules._data import cmk, lower


def _name(res, cloudformation, terraform):
    """The setting's name as the author wrote it, for messages."""
    return cloudformation if res.format == "cloudformation" else terraform


def _strings(value):
    """(known lower-case strings, True if some element cannot be read)."""
    out, undecided = [], False
    items = value if isinstance(value, list) else [value]
    for item in items:
        for cand in options(item):
            if isinstance(cand, str):
                out.append(cand.strip().lower())
            elif isinstance(cand, dict) and isinstance(cand.get("type"), str):
                out.append(cand["type"].strip().lower())     # CloudFormation {Type: api}
            else:
                undecided = True
        if len(options(item)) > 1:
            undecided = True
    return out, undecided


# ------------------------------------------------------------------------------ NET-006

_OPEN = ("0.0.0.0/0", "::/0")


@rule(id="WAL-NET-006", name="eks-endpoint-restricted",
      title="EKS API endpoint private, or public only to listed CIDRs",
      pillar="security", category="public-access", best_practice=("SEC05-BP01", "SEC05-BP02"),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_38", "CKV_AWS_39"))
def eks_endpoint_restricted(graph):
    """An EKS cluster's Kubernetes API endpoint is private, or public only to an allow-list
    of CIDR ranges that does not include `0.0.0.0/0` or `::/0`.

    ## Why
    The API server is the cluster's control plane: a public endpoint open to the
    internet exposes it to credential stuffing, to any leaked kubeconfig or token, and to
    the next API-server vulnerability. Keep it private (reached over the VPC, a VPN or a
    bastion) or allow only the office and CI ranges. SEC05-BP01 (create network layers),
    SEC05-BP02 (control traffic flow within your network layers).

    ## Default
    `EndpointPublicAccess` / `endpoint_public_access` defaults to true and
    `PublicAccessCidrs` / `public_access_cidrs` to `0.0.0.0/0`: a cluster that leaves both
    out has an API endpoint open to the internet (authenticated, but reachable).

    ## Example
    ```yaml
    Resources:
      Cluster:
        Type: AWS::EKS::Cluster
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/eks-cluster
          ResourcesVpcConfig:
            SubnetIds: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
    ```
    ```hcl
    resource "aws_eks_cluster" "main" {
      name     = "main"
      role_arn = "arn:aws:iam::123456789012:role/eks-cluster"

      vpc_config {
        subnet_ids          = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
        public_access_cidrs = ["0.0.0.0/0"]
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Cluster:
        Type: AWS::EKS::Cluster
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/eks-cluster
          ResourcesVpcConfig:
            SubnetIds: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
            EndpointPrivateAccess: true
            EndpointPublicAccess: false
    ```
    ```hcl
    resource "aws_eks_cluster" "main" {
      name     = "main"
      role_arn = "arn:aws:iam::123456789012:role/eks-cluster"

      vpc_config {
        subnet_ids              = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
        endpoint_private_access = true
        public_access_cidrs     = ["203.0.113.0/24"]
      }
    }
    ```

    ## Trade-off
    A private endpoint needs a path into the VPC for people and pipelines (VPN, bastion,
    CI runners in the VPC); an allow-list needs maintaining as those ranges change.
    """
    for c in graph.resources("eks_cluster"):
        public = decide(c.get("endpoint_public_access", True), as_bool)
        if public is False:
            continue
        if public is None:
            yield c.unknown("endpoint_public_access", "whether the API endpoint is public depends on a "
                            "value walint cannot resolve")
            continue
        raw = c.get("public_access_cidrs")
        if isinstance(raw, Unknown):
            yield c.unknown("public_access_cidrs", f"the endpoint's allowed CIDRs cannot be read: {raw.reason}")
            continue
        cidrs, undecided = _strings(raw if raw else list(_OPEN[:1]))
        opened = [x for x in cidrs if x in _OPEN]
        attr = "public_access_cidrs" if c.has("public_access_cidrs") else \
            ("endpoint_public_access" if c.has("endpoint_public_access") else None)
        if opened:
            how = f"allows {opened[0]}" if c.has("public_access_cidrs") and raw else \
                "allows every address (no PublicAccessCidrs: the default is 0.0.0.0/0)"
            yield c.finding(attr, f"EKS cluster {c.address} has a public API endpoint that {how}: the "
                            "control plane is reachable from the whole internet")
        elif undecided:
            yield c.unknown("public_access_cidrs", "an allowed CIDR of the public endpoint depends on a "
                            "value walint cannot resolve")


# ------------------------------------------------------------------------------ ENC-009


def _secrets_encryption(c):
    """(True/False/None, anchor path): an encryption_config entry covers `secrets` with a key."""
    raw = c.get("encryption_config")
    if raw is None:
        return False, None
    if isinstance(raw, Unknown):
        return None, "encryption_config"
    undecided = False
    for entry in raw if isinstance(raw, list) else [raw]:
        if not isinstance(entry, dict):
            undecided = True
            continue
        resources, unreadable = _strings(entry.get("resources"))
        provider = entry.get("provider")
        if isinstance(provider, list):
            provider = provider[0] if len(provider) == 1 else None
        key = provider.get("key_arn") if isinstance(provider, dict) else None
        if "secrets" in resources and key is not None:
            return True, None
        if unreadable or isinstance(provider, Unknown):
            undecided = True
    return (None if undecided else False), "encryption_config"


@rule(id="WAL-ENC-009", name="eks-secrets-encryption", title="EKS secrets envelope-encrypted with a KMS key",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP01", "SEC08-BP02"),
      severity=severity(development="off", mvp="note", production="warning", regulated="error"),
      checkov=("CKV_AWS_58",))
def eks_secrets_encryption(graph):
    """An EKS cluster envelope-encrypts Kubernetes secrets with a KMS key you manage: an
    `EncryptionConfig` / `encryption_config` entry whose resources include `secrets` and
    whose provider names a key.

    ## Why
    Kubernetes secrets hold database passwords, tokens and certificates. With your own
    KMS key, reading them out of etcd needs `kms:Decrypt` on that key, which you control,
    audit in CloudTrail and can revoke. SEC08-BP01 (implement secure key management),
    SEC08-BP02 (enforce encryption at rest).

    ## Default
    Without an encryption configuration EKS stores secrets in etcd encrypted only with
    EBS volume encryption, and (Kubernetes 1.28 and later) with the default envelope
    encryption under an AWS owned key that you cannot control or audit. The setting is
    `EncryptionConfig: [{Resources: [secrets], Provider: {KeyArn}}]` in CloudFormation and
    `encryption_config { resources = ["secrets"] provider { key_arn } }` in Terraform.

    ## Example
    ```yaml
    Resources:
      Cluster:
        Type: AWS::EKS::Cluster
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/eks-cluster
          ResourcesVpcConfig:
            SubnetIds: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
            EndpointPublicAccess: false
            EndpointPrivateAccess: true
    ```
    ```hcl
    resource "aws_eks_cluster" "main" {
      name     = "main"
      role_arn = "arn:aws:iam::123456789012:role/eks-cluster"

      vpc_config {
        subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      SecretsKey:
        Type: AWS::KMS::Key
        Properties:
          EnableKeyRotation: true
      Cluster:
        Type: AWS::EKS::Cluster
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/eks-cluster
          ResourcesVpcConfig:
            SubnetIds: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
            EndpointPublicAccess: false
            EndpointPrivateAccess: true
          EncryptionConfig:
            - Resources: [secrets]
              Provider:
                KeyArn: !GetAtt SecretsKey.Arn
    ```
    ```hcl
    resource "aws_kms_key" "secrets" {
      enable_key_rotation = true
    }

    resource "aws_eks_cluster" "main" {
      name     = "main"
      role_arn = "arn:aws:iam::123456789012:role/eks-cluster"

      vpc_config {
        subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      }

      encryption_config {
        resources = ["secrets"]
        provider {
          key_arn = aws_kms_key.secrets.arn
        }
      }
    }
    ```

    ## Trade-off
    A KMS key costs $1 a month plus requests; losing access to the key (deleting it,
    a broken key policy) makes the cluster's secrets unreadable.
    """
    for c in graph.resources("eks_cluster"):
        verdict, anchor = _secrets_encryption(c)
        if verdict is False:
            yield c.finding(anchor, f"EKS cluster {c.address} does not envelope-encrypt Kubernetes secrets "
                            "with a KMS key of its own (no encryption configuration for secrets)")
        elif verdict is None:
            yield c.unknown(anchor, "the encryption configuration depends on a value walint cannot resolve")


# ------------------------------------------------------------------------------ LOG-009

_LOG_TYPES = ("api", "audit", "authenticator")


@rule(id="WAL-LOG-009", name="eks-control-plane-logging",
      title="EKS control-plane logs: api, audit and authenticator",
      pillar="security", category="logging-monitoring", best_practice=("SEC04-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_37",))
def eks_control_plane_logging(graph):
    """An EKS cluster sends at least its `api`, `audit` and `authenticator` control-plane
    logs to CloudWatch Logs.

    ## Why
    The audit log records who did what through the Kubernetes API, the authenticator log
    which IAM identity became which Kubernetes user, the api log the server's own view:
    without them an incident in the cluster cannot be investigated. `controllerManager`
    and `scheduler` help debugging but are not needed for that (checkov asks for all
    five). SEC04-BP01 (configure service and application logging).

    ## Default
    No control-plane log type is enabled unless listed: `Logging.ClusterLogging.
    EnabledTypes` (`- Type: audit`) in CloudFormation, `enabled_cluster_log_types` in
    Terraform.

    ## Example
    ```yaml
    Resources:
      Cluster:
        Type: AWS::EKS::Cluster
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/eks-cluster
          ResourcesVpcConfig:
            SubnetIds: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
          Logging:
            ClusterLogging:
              EnabledTypes:
                - Type: api
    ```
    ```hcl
    resource "aws_eks_cluster" "main" {
      name     = "main"
      role_arn = "arn:aws:iam::123456789012:role/eks-cluster"

      vpc_config {
        subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Cluster:
        Type: AWS::EKS::Cluster
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/eks-cluster
          ResourcesVpcConfig:
            SubnetIds: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
          Logging:
            ClusterLogging:
              EnabledTypes:
                - Type: api
                - Type: audit
                - Type: authenticator
    ```
    ```hcl
    resource "aws_eks_cluster" "main" {
      name                      = "main"
      role_arn                  = "arn:aws:iam::123456789012:role/eks-cluster"
      enabled_cluster_log_types = ["api", "audit", "authenticator"]

      vpc_config {
        subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
      }
    }
    ```

    ## Trade-off
    Control-plane logs are billed as CloudWatch Logs ingestion; the audit log of a busy
    cluster is large. A retention period (WAL-LOG-003) on the cluster's log group keeps
    the cost bounded.
    """
    for c in graph.resources("eks_cluster"):
        raw = c.get("log_types", [])
        if isinstance(raw, Unknown):
            yield c.unknown("log_types", f"the enabled log types cannot be read: {raw.reason}")
            continue
        enabled, undecided = _strings(raw)
        missing = [t for t in _LOG_TYPES if t not in enabled]
        if not missing:
            continue
        if undecided:
            yield c.unknown("log_types", "an enabled log type depends on a value walint cannot resolve")
            continue
        yield c.finding("log_types" if c.has("log_types") else None,
                        f"EKS cluster {c.address} does not log {', '.join(missing)} from its control plane: "
                        "API activity in the cluster cannot be investigated", key="log_types")


# ------------------------------------------------------------------------------ MAZ-008


@rule(id="WAL-MAZ-008", name="eks-node-group-multi-az", title="EKS managed node groups span ≥2 AZs",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01",),
      severity=severity(development="off", mvp="warning", production="error", regulated="error"),
      checkov=())
def eks_node_group_multi_az(graph):
    """An EKS managed node group is given subnets in at least two Availability Zones.

    ## Why
    A managed node group is an Auto Scaling group that places nodes only in the subnets
    it is given: with subnets of one zone every pod scheduled on it goes down with that
    zone, however many replicas a deployment runs. REL10-BP01 (deploy the workload to
    multiple locations). Self-managed node groups (Auto Scaling groups) are checked by
    WAL-MAZ-005.

    ## Default
    `Subnets` / `subnet_ids` is required. A subnet walint cannot read (a parameter, a
    variable without a value, a literal subnet id) has an unknown zone: a list fails only
    when every zone is known and all are the same, or when it holds a single subnet.

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
      Nodes:
        Type: AWS::EKS::Nodegroup
        Properties:
          ClusterName: main
          NodeRole: arn:aws:iam::123456789012:role/eks-node
          Subnets: [!Ref AppA]
    ```
    ```hcl
    resource "aws_subnet" "app" {
      vpc_id            = "vpc-0a1b2c3d4e5f60001"
      cidr_block        = "10.0.10.0/24"
      availability_zone = "eu-west-1a"
    }

    resource "aws_eks_node_group" "nodes" {
      cluster_name  = "main"
      node_role_arn = "arn:aws:iam::123456789012:role/eks-node"
      subnet_ids    = [aws_subnet.app.id]

      scaling_config {
        desired_size = 2
        max_size     = 4
        min_size     = 2
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
      Nodes:
        Type: AWS::EKS::Nodegroup
        Properties:
          ClusterName: main
          NodeRole: arn:aws:iam::123456789012:role/eks-node
          Subnets: [!Ref AppA, !Ref AppB]
    ```
    ```hcl
    resource "aws_subnet" "app" {
      count             = 2
      vpc_id            = "vpc-0a1b2c3d4e5f60001"
      cidr_block        = "10.0.1${count.index}.0/24"
      availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
    }

    resource "aws_eks_node_group" "nodes" {
      cluster_name  = "main"
      node_role_arn = "arn:aws:iam::123456789012:role/eks-node"
      subnet_ids    = aws_subnet.app[*].id

      scaling_config {
        desired_size = 2
        max_size     = 4
        min_size     = 2
      }
    }
    ```

    ## Trade-off
    Nodes in two zones cost no more than in one, but pods talking across zones pay for
    inter-zone traffic; `development` is single-zone by design (the rule is off).
    """
    for ng in graph.resources("eks_node_group"):
        entries, reason = subnet_list(graph, ng, "subnet_ids")
        zones = []
        for e in entries:
            if isinstance(e, ExternalSubnet):
                zones.append(Zone("unknown", e.reason))
            elif isinstance(e, Unknown):
                zones.append(Zone("unknown", e.reason, many=True))
            else:
                zones.append(zone_of(graph, e))
        if reason:
            zones.append(Zone("unknown", reason, many=True))
        if not zones:
            continue
        lo, hi = distinct_zones(zones)
        if hi >= 2:
            if lo < 2:
                yield ng.unknown("subnet_ids", "the zones of its subnets are unknown")
            continue
        subnets = [e for e in entries if not isinstance(e, Unknown)]
        listed = "its only subnet is" if len(zones) == 1 else "all of its subnets are"
        yield ng.finding("subnet_ids", f"EKS node group {ng.address} can only place nodes in one zone: "
                         f"{listed} in {zones_text(zones)}; a zone outage takes down every pod on it",
                         related=[Related(s, ("availability_zone",) if s.has("availability_zone") else (),
                                          f"subnet in {zone_label(zone_of(graph, s))}") for s in subnets],
                         key="zones")


# ------------------------------------------------------------------------------ NET-007


def _metadata_base(res):
    if res.type == "AWS::EC2::LaunchTemplate":
        return "launch_template_data.metadata_options"
    return "metadata_options"


@rule(id="WAL-NET-007", name="ec2-imdsv2-required", title="EC2 instances and launch templates require IMDSv2",
      pillar="security", category="public-access", best_practice=("SEC06-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_79",))
def ec2_imdsv2_required(graph):
    """EC2 instances, launch templates and launch configurations require session tokens
    for the instance metadata service (IMDSv2: `HttpTokens` / `http_tokens` `required`),
    or turn the metadata endpoint off.

    ## Why
    With IMDSv1 a single unauthenticated GET to 169.254.169.254 returns the instance
    role's credentials: any server-side request forgery, open proxy or misconfigured
    firewall in the application hands them to the outside, the path of several large
    breaches. IMDSv2's session token (a PUT with a hop limit) blocks those paths. The
    category is public access: the role's credentials must not be reachable from a
    request the instance relays. SEC06-BP02 (hardened compute).

    ## Default
    `MetadataOptions.HttpTokens` / `metadata_options.http_tokens` left out gives the EC2
    default, `optional` (IMDSv1 on), unless the AMI is registered with `ImdsSupport
    v2.0` or the account's IMDS default says `required`; walint cannot see either, so an
    absent setting is reported with that caveat. An instance launched from a launch
    template without metadata options of its own is left to the template. For
    `AWS::EC2::LaunchTemplate` the options sit in `LaunchTemplateData.MetadataOptions`.

    ## Example
    ```yaml
    Resources:
      Web:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0123456789abcdef0
          InstanceType: t3.micro
          MetadataOptions:
            HttpTokens: optional
    ```
    ```hcl
    resource "aws_launch_template" "app" {
      name_prefix   = "app-"
      image_id      = "ami-0123456789abcdef0"
      instance_type = "t3.micro"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Web:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0123456789abcdef0
          InstanceType: t3.micro
          MetadataOptions:
            HttpTokens: required
            HttpPutResponseHopLimit: 1
    ```
    ```hcl
    resource "aws_launch_template" "app" {
      name_prefix   = "app-"
      image_id      = "ami-0123456789abcdef0"
      instance_type = "t3.micro"

      metadata_options {
        http_endpoint               = "enabled"
        http_tokens                 = "required"
        http_put_response_hop_limit = 1
      }
    }
    ```

    ## Trade-off
    Old SDKs and agents that only speak IMDSv1 break; every current AWS SDK and the
    CloudWatch and SSM agents support IMDSv2. Containers on the instance that need the
    metadata service need a hop limit of 2.
    """
    for res in graph.resources("instance", "launch_template"):
        base = _metadata_base(res)
        if res.kind == "instance" and res.get("launch_template") is not None and not res.has(base):
            continue
        endpoint = decide(res.get(f"{base}.http_endpoint", "enabled"),
                          lambda e: lower(e) == "disabled" if isinstance(e, str) else None)
        if endpoint is True:
            continue
        tokens_attr = f"{base}.http_tokens"
        verdict = decide(res.get(tokens_attr, "optional"),
                         lambda t: lower(t) == "required" if isinstance(t, str) else None)
        if verdict is True:
            continue
        if verdict is None or endpoint is None:
            yield res.unknown(tokens_attr, "the metadata options depend on a value walint cannot resolve")
            continue
        name = _name(res, "HttpTokens", "http_tokens")
        if res.has(tokens_attr):
            why = f"{name} is optional"
        else:
            why = (f"{name} is not set: the EC2 default is optional unless the AMI or the account "
                   "default requires IMDSv2")
        anchor = res.locate(tokens_attr)[1] if res.has(base) else None     # the option, else its block
        noun = {"AWS::EC2::LaunchTemplate": "launch template", "aws_launch_template": "launch template",
                "AWS::AutoScaling::LaunchConfiguration": "launch configuration",
                "aws_launch_configuration": "launch configuration"}.get(res.type, "EC2 instance")
        yield res.finding(anchor, f"{noun} {res.address} allows IMDSv1 ({why}): a request forgery in the "
                          "application can read the instance role's credentials")




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


def _filled(value):
    """True/False/None: a setting holds a non-empty value (a reference counts)."""
    if value is None:
        return False
    if isinstance(value, Unknown):
        return True if value.refs else None

    def pred(v):
        if isinstance(v, str):
            return bool(v.strip())
        return True if not isinstance(v, Unknown) else (True if v.refs else None)
    return decide(value, pred)


def _async_invokers(graph, fn):
    """(what invokes the function asynchronously [labels], undecided permission or None)."""
    out, undecided = [], None
    for perm in graph.referrers(fn, kind="lambda_permission", via="function_name"):
        principal = perm.get("principal")
        verdict = decide(principal, lambda p: p.strip().lower() in _ASYNC_PRINCIPALS if isinstance(p, str) else None)
        if verdict is True and not perm.optional:
            out.append(f"{lower(principal)} through {perm.address}")
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
    verdicts = [_filled(fn.get("dead_letter_config.target_arn")),
                _filled(fn.get("dead_letter_queue.target_arn")),
                _filled(fn.get("event_invoke_config.destination_config.on_failure.destination"))]
    for cfg in graph.referrers(fn, kind="lambda_invoke_config", via="function_name"):
        verdicts.append(_filled(cfg.get("destination_config.on_failure.destination")))
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
        yield fn.finding(None, f"Lambda function {fn.address} is invoked asynchronously ({invokers[0]}) but has no "
                         "dead-letter queue or on-failure destination: an event that fails every retry is dropped",
                         key="async-failures")




# ------------------------------------------------------------------------------ NET-008


def _public_ip_requests(inst):
    """[(flag value, path of the flag, subnet value)] for each way the instance asks for a
    public IP: the top-level flag (Terraform) or each network interface's."""
    out = []
    if inst.has("associate_public_ip_address"):
        out.append((inst.get("associate_public_ip_address"), ("associate_public_ip_address",),
                    inst.get("subnet_id")))
    value, path = inst.locate("network_interfaces")
    for i, ni in enumerate(value if isinstance(value, list) else []):
        if isinstance(ni, dict) and "associate_public_ip_address" in ni:
            out.append((ni["associate_public_ip_address"], path + (i, "associate_public_ip_address"),
                        ni.get("subnet_id", inst.get("subnet_id"))))
    return out


@rule(id="WAL-NET-008", name="ec2-public-ip-public-tier", title="EC2 instances ask for a public IP only in public subnets",
      pillar="security", category="public-access", best_practice=("SEC05-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_88",))
def ec2_public_ip_public_tier(graph):
    """An EC2 instance that asks for a public IP (`AssociatePublicIpAddress` /
    `associate_public_ip_address` true) is in a public subnet (one whose route table
    sends the default route to an internet gateway). WAL-NET-004 covers the application
    tier's launch templates and Auto Scaling groups, WAL-NET-005 the subnets that assign
    public IPs by default; this rule covers standalone instances that ask explicitly.

    ## Why
    In a private or isolated subnet the public address is useless today and an exposure
    tomorrow: the day an internet-gateway route is added to that table, the instance is
    reachable from the internet, guarded by its security group alone (SEC05-BP01). In a
    public subnet (a bastion, a NAT instance) the address is the point, and the security
    group rules (WAL-SG-001, WAL-SG-002) decide what it exposes.

    ## Default
    `AssociatePublicIpAddress` / `associate_public_ip_address` absent: the subnet's
    `MapPublicIpOnLaunch` decides, which WAL-NET-005 checks on the subnet. The subnet's
    tier comes from its route table; a subnet walint cannot follow is unknown.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      AppSubnet:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
      AppRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      AppRoutesAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref AppSubnet
          RouteTableId: !Ref AppRoutes
      Worker:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0123456789abcdef0
          InstanceType: t3.micro
          NetworkInterfaces:
            - DeviceIndex: "0"
              SubnetId: !Ref AppSubnet
              AssociatePublicIpAddress: true
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "app" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.10.0/24"
    }

    resource "aws_route_table" "app" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table_association" "app" {
      subnet_id      = aws_subnet.app.id
      route_table_id = aws_route_table.app.id
    }

    resource "aws_instance" "worker" {
      ami                         = "ami-0123456789abcdef0"
      instance_type               = "t3.micro"
      subnet_id                   = aws_subnet.app.id
      associate_public_ip_address = true
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      AppSubnet:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.10.0/24
      AppRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      AppRoutesAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref AppSubnet
          RouteTableId: !Ref AppRoutes
      Worker:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-0123456789abcdef0
          InstanceType: t3.micro
          NetworkInterfaces:
            - DeviceIndex: "0"
              SubnetId: !Ref AppSubnet
              AssociatePublicIpAddress: false
    ```
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "app" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.0.10.0/24"
    }

    resource "aws_route_table" "app" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table_association" "app" {
      subnet_id      = aws_subnet.app.id
      route_table_id = aws_route_table.app.id
    }

    resource "aws_instance" "worker" {
      ami                         = "ami-0123456789abcdef0"
      instance_type               = "t3.micro"
      subnet_id                   = aws_subnet.app.id
      associate_public_ip_address = false
    }
    ```

    ## Trade-off
    None: an instance in a private subnet reaches the internet through its NAT gateway,
    and people reach it through Session Manager or a bastion.
    """
    for inst in graph.resources("instance"):
        for flag, path, subnet_value in _public_ip_requests(inst):
            wants = decide(flag, as_bool)
            if wants is False:
                continue
            targets = graph.targets(inst, subnet_value) if subnet_value is not None else \
                [Unknown("the instance names no subnet: it lands in the default VPC's subnet")]
            subnet = targets[0] if len(targets) == 1 else Unknown("the subnet cannot be read")
            tier = tier_of(graph, subnet) if not isinstance(subnet, Unknown) and subnet.kind == "subnet" else None
            if tier is not None and tier.tier == PUBLIC:
                continue
            key = ".".join(map(str, path))
            if wants is None or tier is None or tier.tier == UNKNOWN:
                if subnet_value is None and wants is True:
                    continue            # the default VPC's subnets are public
                why = tier.reason if tier is not None else getattr(subnet, "reason", "the subnet is unknown")
                yield inst.unknown(path, f"whether the public IP lands in a public subnet is unknown: {why}", key=key)
                continue
            yield inst.finding(path, f"EC2 instance {inst.address} asks for a public IP in {tier.tier} subnet "
                               f"{subnet.address}: the address is unused today and exposes the instance the day "
                               "an internet route is added", related=tier.related(), key=key)


RULES = [eks_endpoint_restricted, eks_secrets_encryption, eks_control_plane_logging, eks_node_group_multi_az,
         ec2_imdsv2_required, lambda_environment_cmk, lambda_vpc_multi_az, lambda_async_failure_destination,
         ec2_public_ip_public_tier]

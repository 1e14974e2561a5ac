"""EKS (issue 15, the catalogue's compute layer): a restricted API endpoint, secrets
encrypted with a KMS key, control-plane logs, managed node groups over two zones."""
from walint.api import (ExternalSubnet, Related, Unknown, Zone, as_bool, decide, distinct_zones, options, rule,
                        severity, subnet_list, zone_label, zone_of, zones_text)


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


RULES = [eks_endpoint_restricted, eks_secrets_encryption, eks_control_plane_logging, eks_node_group_multi_az]

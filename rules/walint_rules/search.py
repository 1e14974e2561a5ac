"""Amazon OpenSearch Service (and legacy Elasticsearch) domains: encryption, TLS, zones,
dedicated masters and VPC placement (issue 15).

A domain is `AWS::OpenSearchService::Domain`, `AWS::Elasticsearch::Domain`,
`aws_opensearch_domain` or `aws_elasticsearch_domain` (kind `opensearch`). The settings
have one name per format (Terraform `encrypt_at_rest`, CloudFormation
`EncryptionAtRestOptions`); `_setting` reads them under one name. Placement in public
subnets of a VPC domain is WAL-NET-001.
"""
from walint.api import Ref, as_int, decide, options, rule, severity

from walint_rules._data import dig, is_true, known_str
from walint_rules._resource_policy import open_statements

_UNRESOLVED = "depends on a value walint cannot resolve"

# canonical block -> (Terraform block, CloudFormation property)
_BLOCKS = {
    "encrypt_at_rest": ("encrypt_at_rest", "encryption_at_rest_options"),
    "node_to_node": ("node_to_node_encryption", "node_to_node_encryption_options"),
    "endpoint": ("domain_endpoint_options", "domain_endpoint_options"),
    "vpc": ("vpc_options", "vpc_options"),
}


def _block_path(domain, block):
    if block == "cluster":
        if domain.format == "terraform":
            return "cluster_config"
        return ("elasticsearch_cluster_config" if domain.type == "AWS::Elasticsearch::Domain"
                else "cluster_config")
    tf, cfn = _BLOCKS[block]
    return tf if domain.format == "terraform" else cfn


def _path(domain, block, field):
    return f"{_block_path(domain, block)}.{field}"


def _flag(domain, block, field, default=False):
    """(path, verdict True/False/None, written) of a boolean setting of a domain."""
    path = _path(domain, block, field)
    return path, is_true(dig(domain, path), default), domain.has(path)


def _name(domain):
    return f"{'Elasticsearch' if 'lasticsearch' in domain.type else 'OpenSearch'} domain {domain.address}"


def _anchor(domain, path):
    return path if domain.has(path) else None


@rule(id="WAL-ENC-012", name="opensearch-encryption-at-rest",
      title="OpenSearch domain encrypted at rest",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP02",),
      severity=severity(development="warning", mvp="error"), checkov=("CKV_AWS_5",))
def opensearch_encryption_at_rest(graph):
    """An OpenSearch (or Elasticsearch) domain encrypts its indexes, logs, swap files and
    automated snapshots at rest with KMS.

    ## Why
    Search domains hold copies of the data they index (logs, documents, customer
    records); unencrypted, that copy leaks through snapshots and discarded volumes.
    SEC08-BP02 (enforce encryption at rest); the foundation encrypts every data store.

    ## Default
    `EncryptionAtRestOptions.Enabled` / `encrypt_at_rest.enabled` defaults to false: the
    Terraform provider documents false when the `encrypt_at_rest` block is absent, and
    the CloudFormation and API default is false. Turning it on later is an in-place
    update only from OpenSearch 1.x / Elasticsearch 6.7 on.

    ## Example
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          EncryptionAtRestOptions:
            Enabled: false
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          EncryptionAtRestOptions:
            Enabled: true
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"

      encrypt_at_rest {
        enabled = true
      }
    }
    ```
    """
    for d in graph.resources("opensearch"):
        path, verdict, written = _flag(d, "encrypt_at_rest", "enabled")
        if verdict is False:
            yield d.finding(_anchor(d, path), f"{_name(d)} stores its indexes unencrypted "
                            f"(encryption at rest is {'off' if written else 'off by default'})")
        elif verdict is None:
            yield d.unknown(path, f"encryption at rest {_UNRESOLVED}")


@rule(id="WAL-TLS-009", name="opensearch-node-to-node-encryption",
      title="OpenSearch domain encrypts node-to-node traffic",
      pillar="security", category="encryption-in-transit", best_practice=("SEC09-BP02",),
      severity=severity(development="note", mvp="warning", production="error"), checkov=("CKV_AWS_6",))
def opensearch_node_to_node(graph):
    """An OpenSearch (or Elasticsearch) domain encrypts the traffic between its nodes with
    TLS.

    ## Why
    Without node-to-node encryption, shard replication and query fan-out cross the VPC
    (and the zones) in clear text. SEC09-BP02 (enforce encryption in transit). It is
    also a prerequisite of fine-grained access control.

    ## Default
    `NodeToNodeEncryptionOptions.Enabled` / `node_to_node_encryption.enabled` defaults to
    false (CloudFormation, Terraform and the API).

    ## Example
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"

      node_to_node_encryption {
        enabled = false
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          NodeToNodeEncryptionOptions:
            Enabled: true
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"

      node_to_node_encryption {
        enabled = true
      }
    }
    ```
    """
    for d in graph.resources("opensearch"):
        path, verdict, written = _flag(d, "node_to_node", "enabled")
        if verdict is False:
            yield d.finding(_anchor(d, path), f"{_name(d)} sends traffic between its nodes unencrypted "
                            f"(node-to-node encryption is {'off' if written else 'off by default'})")
        elif verdict is None:
            yield d.unknown(path, f"node-to-node encryption {_UNRESOLVED}")


_OLD_TLS = "policy-min-tls-1-0-2019-07"


@rule(id="WAL-TLS-010", name="opensearch-https-only",
      title="OpenSearch domain endpoint is HTTPS-only without a TLS 1.0 policy",
      pillar="security", category="encryption-in-transit", best_practice=("SEC09-BP01", "SEC09-BP02"),
      severity=severity(development="note", mvp="warning", production="error"),
      checkov=("CKV_AWS_83", "CKV_AWS_228"))
def opensearch_https_only(graph):
    """An OpenSearch (or Elasticsearch) domain refuses plain HTTP on its endpoint
    (`EnforceHTTPS` / `enforce_https` true) and does not name the TLS 1.0 security
    policy (`Policy-Min-TLS-1-0-2019-07`); `Policy-Min-TLS-1-2-*` policies pass.

    ## Why
    Without HTTPS enforcement, a client that uses `http://` sends queries, documents and
    credentials (basic auth of fine-grained access control) in clear text; TLS 1.0 and
    1.1 are deprecated protocols. SEC09-BP02 (enforce encryption in transit),
    SEC09-BP01 (secure key and certificate management).

    ## Default
    The API and CloudFormation default of `DomainEndpointOptions.EnforceHTTPS` is false,
    also when the block is absent in Terraform; inside a Terraform
    `domain_endpoint_options` block, `enforce_https` defaults to true. An absent
    `TLSSecurityPolicy` / `tls_security_policy` leaves the service's default policy,
    which walint does not flag (the default changed over time and Terraform does not
    detect drift on it); only an explicit TLS 1.0 policy is reported.

    ## Example
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          DomainEndpointOptions:
            EnforceHTTPS: false
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"

      domain_endpoint_options {
        enforce_https       = true
        tls_security_policy = "Policy-Min-TLS-1-0-2019-07"
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          DomainEndpointOptions:
            EnforceHTTPS: true
            TLSSecurityPolicy: Policy-Min-TLS-1-2-PFS-2023-10
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"

      domain_endpoint_options {
        enforce_https       = true
        tls_security_policy = "Policy-Min-TLS-1-2-PFS-2023-10"
      }
    }
    ```
    """
    for d in graph.resources("opensearch"):
        block = _block_path(d, "endpoint")
        default = d.format == "terraform" and d.has(block)
        path, verdict, written = _flag(d, "endpoint", "enforce_https", default)
        if verdict is False:
            yield d.finding(_anchor(d, path) or _anchor(d, block),
                            f"{_name(d)} accepts plain HTTP on its endpoint (EnforceHTTPS is "
                            f"{'false' if written else 'false by default'})", key="https")
        elif verdict is None:
            yield d.unknown(path, f"enforce_https {_UNRESOLVED}", key="https")
        policy_path = _path(d, "endpoint", "tls_security_policy")
        if not d.has(policy_path):
            continue
        old = decide(dig(d, policy_path), lambda p: p.lower() == _OLD_TLS if isinstance(p, str) else None)
        if old is True:
            yield d.finding(policy_path, f"{_name(d)} accepts TLS 1.0 and 1.1 (tls_security_policy "
                            "Policy-Min-TLS-1-0-2019-07); use a Policy-Min-TLS-1-2 policy", key="tls-policy")
        elif old is None:
            yield d.unknown(policy_path, f"tls_security_policy {_UNRESOLVED}", key="tls-policy")


def _count(d, field, default):
    """The integer value of a cluster setting when every candidate agrees, else None."""
    ints = {as_int(v) for v in options(dig(d, _path(d, "cluster", field), default))}
    return ints.pop() if len(ints) == 1 and None not in ints else None


@rule(id="WAL-MAZ-010", name="opensearch-zone-awareness",
      title="OpenSearch domain has zone awareness and two or more data nodes",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01",),
      severity=severity(development="off", mvp="note", production="error", regulated="error"))
def opensearch_zone_awareness(graph):
    """An OpenSearch (or Elasticsearch) domain runs at least two data nodes with zone
    awareness on, so that each shard's replica lives in another Availability Zone.

    ## Why
    With one data node, or several in one zone, a node or zone failure makes the domain
    red: indexing stops and searches fail until the node comes back, and a lost node
    without replicas loses its shards. REL10-BP01 (deploy the workload to multiple
    locations); the foundation's log search runs over two zones in production.

    ## Default
    `ClusterConfig.InstanceCount` / `cluster_config.instance_count` defaults to 1 and
    `ZoneAwarenessEnabled` / `zone_awareness_enabled` to false (CloudFormation: the
    `ElasticsearchClusterConfig` of an `AWS::Elasticsearch::Domain`). With zone awareness
    on, `AvailabilityZoneCount` / `availability_zone_count` defaults to 2. Multi-AZ with
    standby (`MultiAZWithStandbyEnabled`) implies zone awareness over three zones.

    ## Example
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          ClusterConfig:
            InstanceType: r6g.large.search
            InstanceCount: 1
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"

      cluster_config {
        instance_type  = "r6g.large.search"
        instance_count = 2
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          ClusterConfig:
            InstanceType: r6g.large.search
            InstanceCount: 2
            ZoneAwarenessEnabled: true
            ZoneAwarenessConfig:
              AvailabilityZoneCount: 2
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"

      cluster_config {
        instance_type          = "r6g.large.search"
        instance_count         = 2
        zone_awareness_enabled = true

        zone_awareness_config {
          availability_zone_count = 2
        }
      }
    }
    ```

    ## Trade-off
    A second data node doubles the compute cost of a small domain. In `mvp` a
    single-zone domain is a note (an accepted, documented trade-off); in `development`
    the rule is off.
    """
    for d in graph.resources("opensearch"):
        count_path = _path(d, "cluster", "instance_count")
        count = _count(d, "instance_count", 1)
        standby = is_true(dig(d, _path(d, "cluster", "multi_az_with_standby_enabled")), False)
        zone_path, zones_on, _ = _flag(d, "cluster", "zone_awareness_enabled")
        if standby is True:
            zones_on = True
        causes = []
        if count is None:
            yield d.unknown(count_path, f"instance_count {_UNRESOLVED}", key="zones")
            continue
        if count < 2:
            default = "" if d.has(count_path) else " (the default)"
            causes.append((count_path, f"{count} data node{default}"))
        if zones_on is None:
            yield d.unknown(zone_path, f"zone_awareness_enabled {_UNRESOLVED}", key="zones")
            continue
        if zones_on is False:
            causes.append((zone_path, "zone awareness off"))
        if causes:
            anchor = next((p for p, _ in causes if d.has(p)), None)
            yield d.finding(anchor, f"{_name(d)} runs in one Availability Zone ("
                            + ", ".join(text for _, text in causes) + "): a node or zone failure "
                            "stops indexing and searches", key="zones")


@rule(id="WAL-MAZ-011", name="opensearch-dedicated-masters",
      title="Production OpenSearch domains have three dedicated master nodes",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01", "REL11-BP02"),
      severity=severity(development="off", mvp="off", production="warning", regulated="error"),
      checkov=("CKV_AWS_318",))
def opensearch_dedicated_masters(graph):
    """An OpenSearch (or Elasticsearch) domain has dedicated master nodes, at least three,
    so that cluster management survives the loss of a node or a zone.

    ## Why
    Without dedicated masters, data nodes also elect and run the cluster manager: a
    heavy query or a node loss can stall cluster state updates and take the domain
    down. Three masters keep a quorum when one is lost (two cannot). REL10-BP01,
    REL11-BP02 (fail over to healthy resources); AWS recommends three dedicated master
    nodes for production domains.

    ## Default
    `DedicatedMasterEnabled` / `dedicated_master_enabled` defaults to false;
    `DedicatedMasterCount` / `dedicated_master_count` has no useful default (3 when
    enabled in the console).

    ## Example
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          ClusterConfig:
            InstanceCount: 2
            ZoneAwarenessEnabled: true
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"

      cluster_config {
        instance_count           = 2
        zone_awareness_enabled   = true
        dedicated_master_enabled = true
        dedicated_master_count   = 2
        dedicated_master_type    = "m6g.large.search"
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          ClusterConfig:
            InstanceCount: 2
            ZoneAwarenessEnabled: true
            DedicatedMasterEnabled: true
            DedicatedMasterCount: 3
            DedicatedMasterType: m6g.large.search
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"

      cluster_config {
        instance_count           = 2
        zone_awareness_enabled   = true
        dedicated_master_enabled = true
        dedicated_master_count   = 3
        dedicated_master_type    = "m6g.large.search"
      }
    }
    ```

    ## Trade-off
    Three master nodes are a fixed cost that dominates a small domain; the rule is off
    in `development` and `mvp`, and a warning in `production`.
    """
    for d in graph.resources("opensearch"):
        path, enabled, written = _flag(d, "cluster", "dedicated_master_enabled")
        if enabled is None:
            yield d.unknown(path, f"dedicated_master_enabled {_UNRESOLVED}")
            continue
        if enabled is False:
            yield d.finding(path if written else None, f"{_name(d)} has no dedicated master nodes: the "
                            "data nodes also run cluster management")
            continue
        count_path = _path(d, "cluster", "dedicated_master_count")
        count = _count(d, "dedicated_master_count", None) if d.has(count_path) else 0
        if count is None:
            yield d.unknown(count_path, f"dedicated_master_count {_UNRESOLVED}")
        elif count < 3:
            yield d.finding(count_path if d.has(count_path) else path,
                            f"{_name(d)} has {count} dedicated master node(s): fewer than three lose "
                            "the quorum when one fails")


@rule(id="WAL-NET-010", name="opensearch-in-vpc", title="OpenSearch domains are placed in a VPC",
      pillar="security", category="public-access", best_practice=("SEC05-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_137",))
def opensearch_in_vpc(graph):
    """An OpenSearch (or Elasticsearch) domain has a VPC endpoint (`VPCOptions` /
    `vpc_options` with subnets) rather than a public endpoint on the internet.

    ## Why
    A domain without VPC options gets a public endpoint: only its access policy stands
    between the internet and the data, and one broad statement exposes it. In a VPC,
    security groups and the subnet tier add two more layers. SEC05-BP01 (create network
    layers); the foundation keeps data stores in isolated subnets (WAL-NET-001 checks
    which subnets a VPC domain uses).

    ## Default
    Without `VPCOptions` / `vpc_options` the domain is public, and the choice cannot be
    changed after creation.

    ## Example
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"
    }
    ```

    ## Fix
    ```yaml
    Parameters:
      DataSubnetIds:
        Type: List<AWS::EC2::Subnet::Id>
      SearchSecurityGroupId:
        Type: AWS::EC2::SecurityGroup::Id
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          VPCOptions:
            SubnetIds: !Ref DataSubnetIds
            SecurityGroupIds: [!Ref SearchSecurityGroupId]
    ```
    ```hcl
    variable "data_subnet_ids" {
      type = list(string)
    }

    variable "search_security_group_id" {
      type = string
    }

    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"

      vpc_options {
        subnet_ids         = var.data_subnet_ids
        security_group_ids = [var.search_security_group_id]
      }
    }
    ```

    ## Trade-off
    A VPC domain needs a proxy, VPN or bastion for dashboards access from outside the
    VPC.
    """
    for d in graph.resources("opensearch"):
        block = _block_path(d, "vpc")
        if not d.has(block):
            yield d.finding(None, f"{_name(d)} has a public endpoint (no VPC options): only its "
                            "access policy protects it from the internet")
            continue
        value = d.get(block)
        if not isinstance(value, (dict, list)):
            yield d.unknown(block, f"the VPC options {_UNRESOLVED}")


def _policy_domain(graph, policy):
    """The domain a standalone access policy is attached to, or None."""
    value = policy.get("domain_name")
    if isinstance(value, Ref):
        target = graph.deref(policy, value)
        return target if target is not None and target.kind == "opensearch" else None
    name = known_str(value)
    for d in graph.resources("opensearch"):
        if d.scope == policy.scope and name is not None and known_str(d.get("domain_name")) == name:
            return d
    return None


@rule(id="WAL-PUB-004", name="opensearch-no-open-access-policy",
      title="OpenSearch access policies do not allow everyone without a condition",
      pillar="security", category="public-access", best_practice=("SEC03-BP07",),
      severity=severity(development="error"))
def opensearch_open_access(graph):
    """An OpenSearch (or Elasticsearch) domain's access policy has no statement that
    allows `Principal: "*"` (or `{"AWS": "*"}`) without a condition that narrows who it
    applies to (aws:SourceIp without 0.0.0.0/0, aws:SourceVpce, aws:PrincipalOrgID,
    aws:SourceAccount, aws:SourceArn...).

    ## Why
    An open access policy on a public domain lets anyone on the internet read, write
    and delete indexes. SEC03-BP07 (analyze public and cross-account access). In a VPC
    domain, an open policy leaves access control to the security groups and
    fine-grained access control, a pattern AWS documents: there the finding is a note.

    ## Default
    No `AccessPolicies` / `access_policies` (and no `aws_opensearch_domain_policy`)
    means no resource-based access: requests need an identity policy in the account.
    Terraform's standalone `aws_opensearch_domain_policy` /
    `aws_elasticsearch_domain_policy` is read like the inline argument.

    ## Example
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          AccessPolicies:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal:
                  AWS: "*"
                Action: "es:*"
                Resource: "*"
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"
      access_policies = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Principal = "*"
          Action    = "es:*"
          Resource  = "*"
        }]
      })
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Search:
        Type: AWS::OpenSearchService::Domain
        Properties:
          EngineVersion: OpenSearch_2.13
          AccessPolicies:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal:
                  AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
                Action: "es:ESHttp*"
                Resource: "*"
    ```
    ```hcl
    resource "aws_opensearch_domain" "search" {
      domain_name    = "search"
      engine_version = "OpenSearch_2.13"
      access_policies = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Principal = "*"
          Action    = "es:ESHttp*"
          Resource  = "*"
          Condition = { IpAddress = { "aws:SourceIp" = ["203.0.113.0/24"] } }
        }]
      })
    }
    ```
    """
    holders = [(d, d) for d in graph.resources("opensearch")]
    holders += [(p, _policy_domain(graph, p)) for p in graph.resources("opensearch_policy")]
    for res, domain in holders:
        if not res.has("access_policies"):
            continue
        in_vpc = domain is not None and domain.has(_block_path(domain, "vpc"))
        where = (f"VPC {_name(domain)}" if in_vpc else
                 _name(domain) if domain is not None else f"the domain of {res.address}")
        for path, verdict, i in open_statements(res.get("access_policies"), "access_policies"):
            key = f"policy#{i}" if i is not None else "policy"
            if verdict is not True:
                yield res.unknown(path, f"whether the access policy is open is unknown: {verdict.reason}",
                                  key=key)
                continue
            yield res.finding(path, f"the access policy of {where} allows everyone (Principal \"*\") "
                              "with no narrowing condition" + (": access rests on its security groups"
                                                                if in_vpc else ""),
                              key=key, severity="note" if in_vpc else None)


RULES = [opensearch_encryption_at_rest, opensearch_node_to_node, opensearch_https_only,
         opensearch_zone_awareness, opensearch_dedicated_masters, opensearch_in_vpc,
         opensearch_open_access]

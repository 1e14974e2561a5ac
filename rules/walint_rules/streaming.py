"""Streaming: Kinesis Data Streams and Firehose encryption, Amazon MSK (Kafka) in transit,
zones, broker logs and authentication (issue 15).

MSK encrypts its volumes at rest always; the customer-managed key for it is WAL-ENC-007.
"""
from walint.api import (ExternalSubnet, Unknown, decide, distinct_zones, placement, placement_zones,
                        rule, severity)

from walint_rules._data import dig, is_true, known_str

_UNRESOLVED = "depends on a value walint cannot resolve"


def _cfn(res, cfn, tf):
    """The canonical path of a setting in the resource's format."""
    return cfn if res.format == "cloudformation" else tf


# -- Kinesis Data Streams ----------------------------------------------------------------------


@rule(id="WAL-ENC-015", name="kinesis-stream-encrypted", title="Kinesis data streams encrypted with KMS",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_43",))
def kinesis_stream_encrypted(graph):
    """A Kinesis data stream encrypts its records at rest with KMS (server-side
    encryption, `EncryptionType` KMS).

    ## Why
    A stream keeps every record for its retention period (24 hours to 365 days):
    clickstreams, events and change data with personal data in them. SEC08-BP02
    (enforce encryption at rest). The AWS managed key `alias/aws/kinesis` costs nothing
    extra; a customer key is WAL-ENC-007's concern.

    ## Default
    Without `StreamEncryption` (CloudFormation) or with `encryption_type` left at its
    Terraform default `NONE`, records are stored unencrypted.

    ## Example
    ```yaml
    Resources:
      Clicks:
        Type: AWS::Kinesis::Stream
        Properties:
          ShardCount: 1
    ```
    ```hcl
    resource "aws_kinesis_stream" "clicks" {
      name        = "clicks"
      shard_count = 1
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Clicks:
        Type: AWS::Kinesis::Stream
        Properties:
          ShardCount: 1
          StreamEncryption:
            EncryptionType: KMS
            KeyId: alias/aws/kinesis
    ```
    ```hcl
    resource "aws_kinesis_stream" "clicks" {
      name            = "clicks"
      shard_count     = 1
      encryption_type = "KMS"
      kms_key_id      = "alias/aws/kinesis"
    }
    ```
    """
    for s in graph.resources("kinesis_stream"):
        path = _cfn(s, "stream_encryption.encryption_type", "encryption_type")
        kms = decide(dig(s, path, "NONE"), lambda t: t.upper() == "KMS" if isinstance(t, str) else None)
        if kms is False:
            yield s.finding(path if s.has(path) else None, f"Kinesis stream {s.address} stores records "
                            "unencrypted (no KMS server-side encryption)")
        elif kms is None:
            yield s.unknown(path, f"the encryption type {_UNRESOLVED}")


# -- Kinesis Data Firehose ---------------------------------------------------------------------


def _firehose_source(f):
    """'DirectPut', another source type, or None when unknown."""
    if f.format == "cloudformation":
        return known_str(f.get("delivery_stream_type", "DirectPut"))
    for block, source in (("kinesis_source_configuration", "KinesisStreamAsSource"),
                          ("msk_source_configuration", "MSKAsSource")):
        if f.has(block):
            return source
    return "DirectPut"


@rule(id="WAL-ENC-016", name="firehose-encrypted", title="Firehose Direct PUT delivery streams encrypted",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_240",))
def firehose_encrypted(graph):
    """A Firehose delivery stream that receives records directly (Direct PUT) encrypts
    them while it buffers them, with server-side encryption.

    ## Why
    Firehose buffers records for up to 15 minutes (and up to 24 hours when the
    destination is down) before delivery; SEC08-BP02 (enforce encryption at rest). A
    stream fed by a Kinesis data stream or MSK cannot set its own encryption: the
    source's encryption applies (WAL-ENC-015 for Kinesis), so it is out of scope here.
    Destinations encrypt on their own side (S3 default encryption, WAL-ENC-007).

    ## Default
    Without `DeliveryStreamEncryptionConfigurationInput` (CloudFormation) or with
    `server_side_encryption.enabled` at its default false (Terraform), server-side
    encryption is off. `DeliveryStreamType` defaults to `DirectPut`.

    ## Example
    ```yaml
    Resources:
      Events:
        Type: AWS::KinesisFirehose::DeliveryStream
        Properties:
          DeliveryStreamType: DirectPut
          ExtendedS3DestinationConfiguration:
            BucketARN: arn:aws:s3:::example-events
            RoleARN: arn:aws:iam::123456789012:role/firehose
    ```
    ```hcl
    resource "aws_kinesis_firehose_delivery_stream" "events" {
      name        = "events"
      destination = "extended_s3"

      extended_s3_configuration {
        bucket_arn = "arn:aws:s3:::example-events"
        role_arn   = "arn:aws:iam::123456789012:role/firehose"
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Events:
        Type: AWS::KinesisFirehose::DeliveryStream
        Properties:
          DeliveryStreamType: DirectPut
          DeliveryStreamEncryptionConfigurationInput:
            KeyType: AWS_OWNED_CMK
          ExtendedS3DestinationConfiguration:
            BucketARN: arn:aws:s3:::example-events
            RoleARN: arn:aws:iam::123456789012:role/firehose
    ```
    ```hcl
    resource "aws_kinesis_firehose_delivery_stream" "events" {
      name        = "events"
      destination = "extended_s3"

      server_side_encryption {
        enabled  = true
        key_type = "AWS_OWNED_CMK"
      }

      extended_s3_configuration {
        bucket_arn = "arn:aws:s3:::example-events"
        role_arn   = "arn:aws:iam::123456789012:role/firehose"
      }
    }
    ```
    """
    for f in graph.resources("firehose"):
        source = _firehose_source(f)
        if source is None:
            yield f.unknown("delivery_stream_type", f"the source type {_UNRESOLVED}")
            continue
        if source != "DirectPut":
            continue
        if f.format == "cloudformation":
            path = "delivery_stream_encryption_configuration_input"
            verdict = f.has(path)
        else:
            path = "server_side_encryption.enabled"
            verdict = is_true(dig(f, path), False)
        if verdict is False:
            yield f.finding(path if f.has(path) else None, f"Firehose delivery stream {f.address} buffers "
                            "records unencrypted (server-side encryption is off)")
        elif verdict is None:
            yield f.unknown(path, f"server-side encryption {_UNRESOLVED}")


# -- Amazon MSK --------------------------------------------------------------------------------

_PLAINTEXT = ("plaintext", "tls_plaintext")


@rule(id="WAL-TLS-011", name="msk-encryption-in-transit", title="MSK encrypts client and broker traffic",
      pillar="security", category="encryption-in-transit", best_practice=("SEC09-BP02",),
      severity=severity(development="note", mvp="warning", production="error"), checkov=("CKV_AWS_81",))
def msk_encryption_in_transit(graph):
    """An MSK cluster accepts only TLS from clients (`ClientBroker` / `client_broker`
    `TLS`) and encrypts traffic between brokers (`InCluster` / `in_cluster` true).

    ## Why
    `PLAINTEXT` or `TLS_PLAINTEXT` lets producers and consumers send records and SASL/SCRAM
    credentials in clear text; without in-cluster encryption, replication between
    brokers in different zones is clear text. SEC09-BP02 (enforce encryption in transit).

    ## Default
    `EncryptionInfo.EncryptionInTransit.ClientBroker` /
    `encryption_info.encryption_in_transit.client_broker` defaults to `TLS`, and
    `InCluster` / `in_cluster` to true: only a written weaker value fails.

    ## Example
    ```yaml
    Resources:
      Kafka:
        Type: AWS::MSK::Cluster
        Properties:
          ClusterName: events
          KafkaVersion: 3.6.0
          NumberOfBrokerNodes: 3
          BrokerNodeGroupInfo:
            InstanceType: kafka.m7g.large
            ClientSubnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002, subnet-0a1b2c3d4e5f60003]
          EncryptionInfo:
            EncryptionInTransit:
              ClientBroker: TLS_PLAINTEXT
    ```
    ```hcl
    resource "aws_msk_cluster" "events" {
      cluster_name           = "events"
      kafka_version          = "3.6.0"
      number_of_broker_nodes = 3

      broker_node_group_info {
        instance_type   = "kafka.m7g.large"
        client_subnets  = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
        security_groups = ["sg-0a1b2c3d4e5f60001"]
      }

      encryption_info {
        encryption_in_transit {
          client_broker = "PLAINTEXT"
          in_cluster    = false
        }
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Kafka:
        Type: AWS::MSK::Cluster
        Properties:
          ClusterName: events
          KafkaVersion: 3.6.0
          NumberOfBrokerNodes: 3
          BrokerNodeGroupInfo:
            InstanceType: kafka.m7g.large
            ClientSubnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002, subnet-0a1b2c3d4e5f60003]
          EncryptionInfo:
            EncryptionInTransit:
              ClientBroker: TLS
              InCluster: true
    ```
    ```hcl
    resource "aws_msk_cluster" "events" {
      cluster_name           = "events"
      kafka_version          = "3.6.0"
      number_of_broker_nodes = 3

      broker_node_group_info {
        instance_type   = "kafka.m7g.large"
        client_subnets  = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
        security_groups = ["sg-0a1b2c3d4e5f60001"]
      }
    }
    ```
    """
    for c in graph.resources("msk_cluster"):
        path = "encryption_info.encryption_in_transit.client_broker"
        plain = decide(dig(c, path, "TLS"), lambda v: v.lower() in _PLAINTEXT if isinstance(v, str) else None)
        if plain is True:
            yield c.finding(path, f"MSK cluster {c.address} accepts plain-text client connections "
                            f"(client_broker {known_str(c.get(path))})", key="client-broker")
        elif plain is None:
            yield c.unknown(path, f"client_broker {_UNRESOLVED}", key="client-broker")
        path = "encryption_info.encryption_in_transit.in_cluster"
        inside = is_true(dig(c, path), True)
        if inside is False:
            yield c.finding(path, f"MSK cluster {c.address} replicates between brokers in clear text "
                            "(in_cluster is false)", key="in-cluster")
        elif inside is None:
            yield c.unknown(path, f"in_cluster {_UNRESOLVED}", key="in-cluster")


@rule(id="WAL-MAZ-013", name="msk-three-zones", title="MSK brokers span three Availability Zones",
      pillar="reliability", category="multi-az", best_practice=("REL10-BP01",),
      severity=severity(development="off", mvp="off", production="warning", regulated="warning"))
def msk_three_zones(graph):
    """An MSK cluster places its brokers in three Availability Zones (three client
    subnets in three zones).

    ## Why
    MSK accepts two or three zones. With replication factor 3 and `min.insync.replicas`
    2 (the durable Kafka setting), a two-zone cluster puts two replicas of some
    partitions in one zone: losing that zone leaves those partitions below the in-sync
    minimum and producers with `acks=all` stop. Three zones survive a zone loss.
    REL10-BP01 (deploy the workload to multiple locations).

    ## Default
    The zones are the zones of `BrokerNodeGroupInfo.ClientSubnets` /
    `broker_node_group_info.client_subnets` (MSK requires them in distinct zones);
    walint reads them through the subnets in the scanned files, or counts literal subnet
    ids (distinct zones are enforced by the service). A list walint cannot read gives
    unknown.

    ## Example
    ```yaml
    Resources:
      Kafka:
        Type: AWS::MSK::Cluster
        Properties:
          ClusterName: events
          KafkaVersion: 3.6.0
          NumberOfBrokerNodes: 2
          BrokerNodeGroupInfo:
            InstanceType: kafka.m7g.large
            ClientSubnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
    ```
    ```hcl
    resource "aws_msk_cluster" "events" {
      cluster_name           = "events"
      kafka_version          = "3.6.0"
      number_of_broker_nodes = 2

      broker_node_group_info {
        instance_type   = "kafka.m7g.large"
        client_subnets  = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
        security_groups = ["sg-0a1b2c3d4e5f60001"]
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Kafka:
        Type: AWS::MSK::Cluster
        Properties:
          ClusterName: events
          KafkaVersion: 3.6.0
          NumberOfBrokerNodes: 3
          BrokerNodeGroupInfo:
            InstanceType: kafka.m7g.large
            ClientSubnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002, subnet-0a1b2c3d4e5f60003]
    ```
    ```hcl
    resource "aws_msk_cluster" "events" {
      cluster_name           = "events"
      kafka_version          = "3.6.0"
      number_of_broker_nodes = 3

      broker_node_group_info {
        instance_type   = "kafka.m7g.large"
        client_subnets  = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
        security_groups = ["sg-0a1b2c3d4e5f60001"]
      }
    }
    ```

    ## Trade-off
    A third zone means a third broker (brokers come in multiples of the zone count); the
    rule is off in `development` and `mvp`.
    """
    for c in graph.resources("msk_cluster"):
        p = placement(graph, c)
        path = "broker_node_group_info.client_subnets"
        if p.missing or p.unknown:
            yield c.unknown(path, p.unknown or p.missing, key="zones")
            continue
        if all(isinstance(s, ExternalSubnet) for s in p.subnets):
            lo = hi = len(p.subnets)        # literal subnet ids: MSK requires distinct zones
        else:
            lo, hi = distinct_zones(placement_zones(graph, p))
        if hi < 3:
            yield c.finding(path, f"MSK cluster {c.address} places its brokers in {hi} Availability "
                            "Zone(s): with replication factor 3, losing a zone can leave partitions "
                            "below min.insync.replicas", related=p.related(), key="zones")
        elif lo < 3:
            yield c.unknown(path, "the zones of the client subnets are unknown", key="zones")


_LOG_SINKS = {"cloudformation": ("cloud_watch_logs", "firehose", "s3"),
              "terraform": ("cloudwatch_logs", "firehose", "s3")}


@rule(id="WAL-LOG-010", name="msk-broker-logs", title="MSK clusters deliver broker logs",
      pillar="operational-excellence", category="logging-monitoring", best_practice=("OPS04-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_80",))
def msk_broker_logs(graph):
    """An MSK cluster delivers its broker logs to CloudWatch Logs, Firehose or S3.

    ## Why
    Broker logs are where authentication failures, partition leadership changes and
    storage problems show up; without them a Kafka incident is investigated blind.
    OPS04-BP02 (implement application telemetry); SEC04-BP01 for the authentication
    records.

    ## Default
    `LoggingInfo.BrokerLogs` / `logging_info.broker_logs` is absent by default: no broker
    logs are delivered. One destination with `Enabled` / `enabled` true passes.

    ## Example
    ```yaml
    Resources:
      Kafka:
        Type: AWS::MSK::Cluster
        Properties:
          ClusterName: events
          KafkaVersion: 3.6.0
          NumberOfBrokerNodes: 3
          BrokerNodeGroupInfo:
            InstanceType: kafka.m7g.large
            ClientSubnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002, subnet-0a1b2c3d4e5f60003]
    ```
    ```hcl
    resource "aws_msk_cluster" "events" {
      cluster_name           = "events"
      kafka_version          = "3.6.0"
      number_of_broker_nodes = 3

      broker_node_group_info {
        instance_type   = "kafka.m7g.large"
        client_subnets  = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
        security_groups = ["sg-0a1b2c3d4e5f60001"]
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      BrokerLogs:
        Type: AWS::Logs::LogGroup
        Properties:
          RetentionInDays: 30
      Kafka:
        Type: AWS::MSK::Cluster
        Properties:
          ClusterName: events
          KafkaVersion: 3.6.0
          NumberOfBrokerNodes: 3
          BrokerNodeGroupInfo:
            InstanceType: kafka.m7g.large
            ClientSubnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002, subnet-0a1b2c3d4e5f60003]
          LoggingInfo:
            BrokerLogs:
              CloudWatchLogs:
                Enabled: true
                LogGroup: !Ref BrokerLogs
    ```
    ```hcl
    resource "aws_cloudwatch_log_group" "broker" {
      name              = "/msk/events"
      retention_in_days = 30
    }

    resource "aws_msk_cluster" "events" {
      cluster_name           = "events"
      kafka_version          = "3.6.0"
      number_of_broker_nodes = 3

      broker_node_group_info {
        instance_type   = "kafka.m7g.large"
        client_subnets  = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
        security_groups = ["sg-0a1b2c3d4e5f60001"]
      }

      logging_info {
        broker_logs {
          cloudwatch_logs {
            enabled   = true
            log_group = aws_cloudwatch_log_group.broker.name
          }
        }
      }
    }
    ```
    """
    for c in graph.resources("msk_cluster"):
        verdicts = [is_true(dig(c, f"logging_info.broker_logs.{sink}.enabled"), False)
                    for sink in _LOG_SINKS[c.format]]
        if True in verdicts:
            continue
        if None in verdicts:
            yield c.unknown("logging_info.broker_logs", f"whether broker logs are delivered {_UNRESOLVED}")
            continue
        anchor = "logging_info.broker_logs" if c.has("logging_info.broker_logs") else None
        yield c.finding(anchor, f"MSK cluster {c.address} delivers no broker logs (no CloudWatch Logs, "
                        "Firehose or S3 destination enabled)")


def _auth(c):
    """{method: True/False/None} of the client authentication methods of an MSK cluster."""
    if c.format == "cloudformation":
        return {"unauthenticated": is_true(c.get("client_authentication.unauthenticated.enabled"), False),
                "iam": is_true(c.get("client_authentication.sasl.iam.enabled"), False),
                "scram": is_true(c.get("client_authentication.sasl.scram.enabled"), False),
                "tls": is_true(c.get("client_authentication.tls.enabled"), False)}
    authorities = c.get("client_authentication.tls.certificate_authority_arns")
    return {"unauthenticated": is_true(c.get("client_authentication.unauthenticated"), False),
            "iam": is_true(c.get("client_authentication.sasl.iam"), False),
            "scram": is_true(c.get("client_authentication.sasl.scram"), False),
            "tls": None if isinstance(authorities, Unknown) else bool(authorities)}


@rule(id="WAL-IAM-010", name="msk-client-authentication", title="MSK clusters require client authentication",
      pillar="security", category="iam-least-privilege", best_practice=("SEC03-BP01",),
      severity=severity(development="warning", mvp="error"))
def msk_client_authentication(graph):
    """An MSK cluster authenticates its clients (IAM, SASL/SCRAM or mutual TLS) and does
    not also allow unauthenticated access.

    ## Why
    With unauthenticated access, anything that reaches a broker port can read every
    topic, write to it, and (without Kafka ACLs) delete it; a security group is the only
    control left. SEC03-BP01 (define access requirements), SEC02 (authenticate machines).

    ## Default
    `ClientAuthentication` / `client_authentication` absent: no authentication method,
    so the cluster is open to unauthenticated clients. In CloudFormation each method is
    `Enabled: true` under `Sasl.Iam`, `Sasl.Scram`, `Tls` or `Unauthenticated`; in
    Terraform `sasl { iam = true }`, `sasl { scram = true }`, a `tls {}` block with
    certificate authorities, and `unauthenticated = true`.

    ## Example
    ```yaml
    Resources:
      Kafka:
        Type: AWS::MSK::Cluster
        Properties:
          ClusterName: events
          KafkaVersion: 3.6.0
          NumberOfBrokerNodes: 3
          BrokerNodeGroupInfo:
            InstanceType: kafka.m7g.large
            ClientSubnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002, subnet-0a1b2c3d4e5f60003]
          ClientAuthentication:
            Unauthenticated:
              Enabled: true
    ```
    ```hcl
    resource "aws_msk_cluster" "events" {
      cluster_name           = "events"
      kafka_version          = "3.6.0"
      number_of_broker_nodes = 3

      broker_node_group_info {
        instance_type   = "kafka.m7g.large"
        client_subnets  = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
        security_groups = ["sg-0a1b2c3d4e5f60001"]
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Kafka:
        Type: AWS::MSK::Cluster
        Properties:
          ClusterName: events
          KafkaVersion: 3.6.0
          NumberOfBrokerNodes: 3
          BrokerNodeGroupInfo:
            InstanceType: kafka.m7g.large
            ClientSubnets: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002, subnet-0a1b2c3d4e5f60003]
          ClientAuthentication:
            Sasl:
              Iam:
                Enabled: true
    ```
    ```hcl
    resource "aws_msk_cluster" "events" {
      cluster_name           = "events"
      kafka_version          = "3.6.0"
      number_of_broker_nodes = 3

      broker_node_group_info {
        instance_type   = "kafka.m7g.large"
        client_subnets  = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
        security_groups = ["sg-0a1b2c3d4e5f60001"]
      }

      client_authentication {
        sasl {
          iam = true
        }
      }
    }
    ```
    """
    for c in graph.resources("msk_cluster"):
        auth = _auth(c)
        open_flag = auth.pop("unauthenticated")
        path = _cfn(c, "client_authentication.unauthenticated.enabled",
                    "client_authentication.unauthenticated")
        if open_flag is True:
            yield c.finding(path, f"MSK cluster {c.address} allows unauthenticated clients")
            continue
        methods = list(auth.values())
        if True in methods:
            if open_flag is None:
                yield c.unknown(path, f"unauthenticated access {_UNRESOLVED}")
            continue
        if None in methods or open_flag is None:
            yield c.unknown("client_authentication", f"the client authentication {_UNRESOLVED}")
            continue
        anchor = "client_authentication" if c.has("client_authentication") else None
        yield c.finding(anchor, f"MSK cluster {c.address} enables no client authentication (IAM, "
                        "SASL/SCRAM or TLS): unauthenticated clients can read and write every topic")


RULES = [kinesis_stream_encrypted, firehose_encrypted, msk_encryption_in_transit, msk_three_zones,
         msk_broker_logs, msk_client_authentication]

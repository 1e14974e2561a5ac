"""Every attribute name walint reads exists in the providers' own schemas.

* Terraform: the AWS provider's schema (`terraform providers schema -json`, provider
  5.100.0), trimmed to the kind table's resource types and committed as
  tests/data/aws_provider_schema.json by tests/data/make_provider_schema.sh.
* CloudFormation: the resource provider schemas that ship inside cfn-lint, read from the
  installed package (us-east-1). Property names are compared after the kind table's
  snake_case conversion (`kinds.snake`), which is what rules see.

Checked: the native paths of the kind table's ALIASES (src/walint/model/kinds.py), and
the canonical names the rules read, listed below per kind and format (READS) or per
resource type (READS_BY_TYPE) because they cannot be extracted from the rule code
automatically. Keep the lists honest: add every name a rule reads. A name passes when it
exists in at least one resource type of the kind in that format (a kind spans several
types: `aws_db_instance` has `multi_az`, `aws_rds_cluster_instance` does not).
"""
from __future__ import annotations

import json
from functools import lru_cache

import pytest

from testenv import ROOT

SCHEMA_FILE = ROOT / "tests" / "data" / "aws_provider_schema.json"

# canonical names (resolved through ALIASES) the rules read, per kind and format.
READS = {
    # logging.py
    "flow_log": {
        "cloudformation": ["resource_id", "resource_type", "traffic_type"],
        "terraform": ["vpc_id", "subnet_id", "eni_id", "transit_gateway_id",
                      "transit_gateway_attachment_id", "traffic_type"],
    },
    "subnet": {"cloudformation": ["vpc_id"], "terraform": ["vpc_id"]},
    "trail": {
        "cloudformation": ["is_logging", "is_multi_region_trail", "enable_log_file_validation"],
        "terraform": ["enable_logging", "is_multi_region_trail", "enable_log_file_validation"],
    },
    "log_group": {
        "cloudformation": ["retention_in_days", "log_group_name"],
        "terraform": ["retention_in_days", "name"],
    },
    "lambda": {
        "cloudformation": ["logging_config.log_group", "function_name", "tracing_config.mode"],
        "terraform": ["logging_config.log_group", "function_name", "tracing_config.mode"],
    },
    "task_def": {
        # Terraform's container_definitions is a JSON string: its inside is the ECS API's.
        "cloudformation": ["container_definitions", "container_definitions.name",
                           "container_definitions.image", "container_definitions.essential",
                           "container_definitions.log_configuration.log_driver",
                           "container_definitions.log_configuration.options",
                           "container_definitions.environment.name",
                           "task_role_arn", "execution_role_arn"],
        "terraform": ["container_definitions", "task_role_arn", "execution_role_arn"],
    },
    # iam.py / _policy.py
    "iam_policy": {
        "cloudformation": ["policy_document", "roles", "users", "groups"],
        "terraform": ["policy", "role", "user", "group"],
    },
    "iam_role": {
        "cloudformation": ["policies.policy_document", "policies.policy_name", "managed_policy_arns",
                           "role_name", "assume_role_policy_document", "tags"],
        "terraform": ["inline_policy.policy", "inline_policy.name", "managed_policy_arns", "name",
                      "assume_role_policy", "tags"],
    },
    "iam_user": {
        "cloudformation": ["policies.policy_document", "policies.policy_name", "managed_policy_arns"],
        "terraform": [],
    },
    "iam_group": {
        "cloudformation": ["policies.policy_document", "policies.policy_name", "managed_policy_arns"],
        "terraform": [],
    },
    "policy_attachment": {
        "cloudformation": [],
        "terraform": ["policy_arn", "role", "roles", "user", "users", "group", "groups"],
    },
    "ecs_service": {
        "cloudformation": ["task_definition", "scheduling_strategy", "service_name", "cluster",
                           "desired_count", "load_balancers",
                           "health_check_grace_period_seconds"],
        "terraform": ["task_definition", "scheduling_strategy", "name", "cluster", "desired_count",
                      "load_balancers",
                      "health_check_grace_period_seconds"],
    },
    # scaling.py
    "ecs_cluster": {"cloudformation": ["cluster_name"], "terraform": ["name"]},
    "scalable_target": {
        "cloudformation": ["resource_id", "scalable_dimension", "min_capacity", "max_capacity"],
        "terraform": ["resource_id", "scalable_dimension", "min_capacity", "max_capacity"],
    },
    "scaling_policy": {
        "cloudformation": ["scaling_target_id", "resource_id", "scalable_dimension", "policy_type",
                           "target_tracking_scaling_policy_configuration.target_value",
                           "target_tracking_scaling_policy_configuration.predefined_metric_specification"
                           ".predefined_metric_type"],
        "terraform": ["resource_id", "scalable_dimension", "policy_type",
                      "target_tracking_scaling_policy_configuration.target_value",
                      "target_tracking_scaling_policy_configuration.predefined_metric_specification"
                      ".predefined_metric_type"],
    },
    "target_group": {
        "cloudformation": ["target_type", "protocol", "health_check_enabled", "health_check_protocol",
                           "health_check_path"],
        "terraform": ["target_type", "protocol", "health_check.enabled", "health_check.protocol",
                      "health_check.path"],
    },
    "asg": {
        "cloudformation": ["target_group_arns", "load_balancer_names", "health_check_type"],
        "terraform": ["target_group_arns", "load_balancers", "health_check_type"],
    },
    # catalogue (cat-b): docdb.py, search.py, streaming.py, messaging.py
    "docdb_cluster": {
        "cloudformation": ["storage_encrypted", "snapshot_identifier", "source_db_cluster_identifier",
                           "global_cluster_identifier", "db_cluster_identifier",
                           "backup_retention_period", "deletion_protection"],
        "terraform": ["storage_encrypted", "snapshot_identifier", "restore_to_point_in_time",
                      "global_cluster_identifier", "cluster_identifier", "backup_retention_period",
                      "deletion_protection", "skip_final_snapshot"],
    },
    "docdb_instance": {
        "cloudformation": ["db_cluster_identifier", "availability_zone"],
        "terraform": ["cluster_identifier", "availability_zone"],
    },
    "docdb_param_group": {"cloudformation": ["parameters"], "terraform": ["parameter"]},
    "queue": {"cloudformation": ["redrive_policy", "fifo_queue"],
              "terraform": ["policy", "redrive_policy", "fifo_queue"]},
    "topic": {"cloudformation": [], "terraform": ["policy"]},
    "queue_policy": {"cloudformation": ["policy_document"], "terraform": ["policy"]},
    "topic_policy": {"cloudformation": ["policy_document"], "terraform": ["policy"]},
    "event_bus": {"cloudformation": ["policy"], "terraform": []},
    "event_bus_policy": {"cloudformation": ["statement", "principal", "action", "condition"],
                         "terraform": ["policy"]},
    "state_machine": {
        "cloudformation": ["logging_configuration", "logging_configuration.level", "state_machine_type",
                           "tracing_configuration.enabled"],
        "terraform": ["logging_configuration", "logging_configuration.level", "type",
                      "tracing_configuration.enabled"],
    },
    "kinesis_stream": {"cloudformation": ["stream_encryption.encryption_type"],
                       "terraform": ["encryption_type"]},
    "firehose": {"cloudformation": ["delivery_stream_type", "delivery_stream_encryption_configuration_input"],
                 "terraform": ["server_side_encryption.enabled", "kinesis_source_configuration",
                               "msk_source_configuration"]},
    "msk_cluster": {
        "cloudformation": ["encryption_info.encryption_in_transit.client_broker",
                           "encryption_info.encryption_in_transit.in_cluster", "logging_info.broker_logs",
                           "logging_info.broker_logs.cloud_watch_logs.enabled",
                           "logging_info.broker_logs.firehose.enabled", "logging_info.broker_logs.s3.enabled",
                           "client_authentication", "client_authentication.unauthenticated.enabled",
                           "client_authentication.sasl.iam.enabled", "client_authentication.sasl.scram.enabled",
                           "client_authentication.tls.enabled", "broker_node_group_info.client_subnets"],
        "terraform": ["encryption_info.encryption_in_transit.client_broker",
                      "encryption_info.encryption_in_transit.in_cluster", "logging_info.broker_logs",
                      "logging_info.broker_logs.cloudwatch_logs.enabled",
                      "logging_info.broker_logs.firehose.enabled", "logging_info.broker_logs.s3.enabled",
                      "client_authentication", "client_authentication.unauthenticated",
                      "client_authentication.sasl.iam", "client_authentication.sasl.scram",
                      "client_authentication.tls.certificate_authority_arns",
                      "broker_node_group_info.client_subnets"],
    },
    "cache_cluster": {"cloudformation": ["engine", "num_cache_nodes", "az_mode"],
                      "terraform": ["engine", "num_cache_nodes", "az_mode"]},
    "glue_catalog_encryption": {
        "cloudformation": ["data_catalog_encryption_settings.encryption_at_rest.catalog_encryption_mode",
                           "data_catalog_encryption_settings.connection_password_encryption"
                           ".return_connection_password_encrypted"],
        "terraform": ["data_catalog_encryption_settings.encryption_at_rest.catalog_encryption_mode",
                      "data_catalog_encryption_settings.connection_password_encryption"
                      ".return_connection_password_encrypted"],
    },
    "queue_redrive_policy": {"cloudformation": [], "terraform": ["queue_url", "redrive_policy"]},
    "event_source_mapping": {"cloudformation": ["event_source_arn"], "terraform": ["event_source_arn"]},
    "opensearch_policy": {"cloudformation": [], "terraform": ["access_policies", "domain_name"]},
    "opensearch": {
        "cloudformation": [
            "access_policies", "domain_name",
            "encryption_at_rest_options.enabled", "node_to_node_encryption_options.enabled",
            "domain_endpoint_options.enforce_https", "domain_endpoint_options.tls_security_policy",
            "vpc_options", "cluster_config.multi_az_with_standby_enabled",
            "cluster_config.instance_count", "cluster_config.zone_awareness_enabled",
            "cluster_config.dedicated_master_enabled", "cluster_config.dedicated_master_count",
            "elasticsearch_cluster_config.instance_count",
            "elasticsearch_cluster_config.zone_awareness_enabled",
            "elasticsearch_cluster_config.dedicated_master_enabled",
            "elasticsearch_cluster_config.dedicated_master_count"],
        "terraform": [
            "access_policies", "domain_name", "encrypt_at_rest.enabled", "node_to_node_encryption.enabled",
            "domain_endpoint_options", "domain_endpoint_options.enforce_https",
            "domain_endpoint_options.tls_security_policy", "vpc_options",
            "cluster_config.multi_az_with_standby_enabled", "cluster_config.instance_count",
            "cluster_config.zone_awareness_enabled", "cluster_config.dedicated_master_enabled",
            "cluster_config.dedicated_master_count"],
    },
}

# catalogue (cat-a): edge.py, compute.py, identity.py
_CATALOGUE_EDGE_COMPUTE_IDENTITY = {
    "kms_key": {"cloudformation": ["enable_key_rotation", "key_spec", "origin"],
                "terraform": ["enable_key_rotation", "customer_master_key_spec", "custom_key_store_id",
                              "xks_key_id"]},
    "secret_rotation": {"cloudformation": ["secret_id"], "terraform": ["secret_id"]},
    "cognito_user_pool": {f: ["mfa_configuration", "minimum_length", "advanced_security_mode"]
                          for f in ("cloudformation", "terraform")},
    "eks_cluster": {f: ["endpoint_public_access", "public_access_cidrs", "log_types", "encryption_config",
                        "encryption_config.resources", "encryption_config.provider.key_arn"]
                    for f in ("cloudformation", "terraform")},
    "eks_node_group": {f: ["subnet_ids"] for f in ("cloudformation", "terraform")},
    "instance": {"cloudformation": ["metadata_options.http_tokens", "metadata_options.http_endpoint",
                                    "launch_template", "subnet_id", "network_interfaces.associate_public_ip_address",
                                    "network_interfaces.subnet_id"],
                 "terraform": ["metadata_options.http_tokens", "metadata_options.http_endpoint", "launch_template",
                               "subnet_id", "associate_public_ip_address"]},
    "launch_template": {"cloudformation": ["launch_template_data.metadata_options.http_tokens",
                                           "launch_template_data.metadata_options.http_endpoint",
                                           "metadata_options.http_tokens", "metadata_options.http_endpoint"],
                        "terraform": ["metadata_options.http_tokens", "metadata_options.http_endpoint"]},
    "lambda": {f: ["environment.variables", "kms_key_arn", "subnet_ids", "dead_letter_config.target_arn"]
               for f in ("cloudformation", "terraform")},
    "cloudfront": {
        "cloudformation": [
            "default_cache_behavior", "cache_behaviors", "viewer_certificate", "logging", "origins", "web_acl_id",
            "distribution_config.default_cache_behavior.viewer_protocol_policy",
            "distribution_config.cache_behaviors.viewer_protocol_policy",
            "distribution_config.cache_behaviors.path_pattern",
            "distribution_config.viewer_certificate.minimum_protocol_version",
            "distribution_config.viewer_certificate.acm_certificate_arn",
            "distribution_config.viewer_certificate.iam_certificate_id",
            "distribution_config.viewer_certificate.cloud_front_default_certificate",
            "distribution_config.logging.bucket", "distribution_config.origins.domain_name",
            "distribution_config.origins.id", "distribution_config.origins.origin_access_control_id",
            "distribution_config.origins.s3_origin_config.origin_access_identity",
            "distribution_config.origins.custom_origin_config", "distribution_config.origins.vpc_origin_config"],
        "terraform": [
            "default_cache_behavior.viewer_protocol_policy", "ordered_cache_behavior.viewer_protocol_policy",
            "ordered_cache_behavior.path_pattern", "viewer_certificate.minimum_protocol_version",
            "viewer_certificate.acm_certificate_arn", "viewer_certificate.iam_certificate_id",
            "viewer_certificate.cloudfront_default_certificate", "logging_config.bucket", "origin.domain_name",
            "origin.origin_id", "origin.origin_access_control_id", "origin.s3_origin_config.origin_access_identity",
            "origin.custom_origin_config", "origin.vpc_origin_config", "web_acl_id"],
    },
    "apigw_stage": {
        "cloudformation": ["access_log_setting.destination_arn", "access_log_settings.destination_arn",
                           "method_settings.throttling_rate_limit", "method_settings.throttling_burst_limit",
                           "default_route_settings.throttling_rate_limit",
                           "default_route_settings.throttling_burst_limit", "rest_api_id"],
        "terraform": ["access_log_settings.destination_arn", "default_route_settings.throttling_rate_limit",
                      "default_route_settings.throttling_burst_limit", "rest_api_id"],
    },
    "apigw_domain": {"cloudformation": ["security_policy", "domain_name_configurations.security_policy"],
                     "terraform": ["security_policy", "domain_name_configuration.security_policy"]},
    "waf_association": {f: ["resource_arn"] for f in ("cloudformation", "terraform")},
    "apigw_rest_api": {f: ["endpoint_configuration.types"] for f in ("cloudformation", "terraform")},
    "apigw_method": {"cloudformation": ["http_method", "rest_api_id", "authorization_type", "route_key", "api_id"],
                     "terraform": ["http_method", "rest_api_id", "authorization", "authorization_type",
                                   "route_key", "api_id"]},
    "apigw_method_settings": {"terraform": ["stage_name", "settings.throttling_rate_limit",
                                            "settings.throttling_burst_limit"]},
    "apigw_v2_api": {f: ["protocol_type"] for f in ("cloudformation", "terraform")},
    "dns_record": {f: ["failover", "health_check_id", "alias", "evaluate_target_health"]
                   for f in ("cloudformation", "terraform")},
    "global_accelerator": {f: ["flow_logs_enabled"] for f in ("cloudformation", "terraform")},
    "lb": {f: ["security_groups"] for f in ("cloudformation", "terraform")},
    "lambda_permission": {f: ["principal", "function_name"] for f in ("cloudformation", "terraform")},
    "lambda_invoke_config": {f: ["function_name", "destination_config.on_failure.destination"]
                             for f in ("cloudformation", "terraform")},
}
for _kind, _formats in _CATALOGUE_EDGE_COMPUTE_IDENTITY.items():
    for _fmt, _names in _formats.items():
        READS.setdefault(_kind, {}).setdefault(_fmt, []).extend(_names)

# zones.py WAL-MAZ-002: Limitless clusters and their shard groups
for _kind, _names in {"db_cluster": ["cluster_scalability_type", "cluster_identifier"],
                      "db_shard_group": ["db_cluster_identifier", "compute_redundancy"]}.items():
    for _fmt in ("cloudformation", "terraform"):
        READS.setdefault(_kind, {}).setdefault(_fmt, []).extend(_names)

# names read from resource types outside the kind table (rules match them by type)
READS_BY_TYPE = {
    "AWS::ApiGateway::Stage": ["tracing_enabled"],
    "aws_api_gateway_stage": ["xray_tracing_enabled"],
    "aws_autoscaling_attachment": ["autoscaling_group_name"],
}


@lru_cache(maxsize=None)
def _tf_schema():
    return json.loads(SCHEMA_FILE.read_text())["resource_schemas"]


@lru_cache(maxsize=None)
def _cfn_schema(resource_type):
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
    from cfnlint.schema import ResourceNotFoundError

    try:
        return PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    except ResourceNotFoundError:
        return None


def tf_has(resource_type, path) -> bool:
    block = _tf_schema().get(resource_type)
    if block is None:
        return False
    parts = path.split(".")
    for i, part in enumerate(parts):
        if part in block["attributes"]:
            return i == len(parts) - 1
        if part in block["block_types"]:
            block = block["block_types"][part]
            continue
        return False
    return True


def _resolve(schema, node):
    """Follow $ref, arrays and oneOf/anyOf to the object schemas a node can be."""
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        target = schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {})
        return _resolve(schema, target)
    out = []
    if node.get("type") == "array" or "items" in node:
        out.extend(_resolve(schema, node.get("items", {})))
    for key in ("oneOf", "anyOf", "allOf"):
        for alt in node.get(key, ()):
            out.extend(_resolve(schema, alt))
    if "properties" in node or "patternProperties" in node:
        out.append(node)
    return out


def cfn_has(resource_type, path) -> bool:
    from walint.model.kinds import snake

    schema = _cfn_schema(resource_type)
    if schema is None:
        return False
    nodes = [schema]
    for part in path.split("."):
        found = []
        for node in nodes:
            for name, sub in (node.get("properties") or {}).items():
                if snake(name) == part or name == part:
                    found.append(sub)
        if not found:
            return False
        nodes = [n for f in found for n in _resolve(schema, f)] or [{}]
    return True


def _types(kind, fmt):
    from walint.model.kinds import KIND_OF_TYPE

    return sorted(t for t, k in KIND_OF_TYPE.items()
                  if k == kind and (t.startswith("aws_") if fmt == "terraform" else "::" in t))


def _exists(kind, fmt, native):
    check = tf_has if fmt == "terraform" else cfn_has
    types = [t for t in _types(kind, fmt) if fmt == "terraform" or _cfn_schema(t) is not None]
    return types, [t for t in types if check(t, native)]


def _alias_cases():
    from walint.model.kinds import ALIASES

    for kind, formats in sorted(ALIASES.items()):
        for fmt, table in sorted(formats.items()):
            for canonical, native in sorted(table.items()):
                yield pytest.param(kind, fmt, canonical, native, id=f"{kind}-{fmt}-{canonical}")


def _read_cases():
    from walint.model.kinds import native_path

    for kind, formats in sorted(READS.items()):
        for fmt, names in sorted(formats.items()):
            for canonical in names:
                yield pytest.param(kind, fmt, canonical, native_path(kind, fmt, canonical),
                                   id=f"{kind}-{fmt}-{canonical}")


def test_provider_schema_snapshot_covers_the_kind_table():
    from walint.model.kinds import KIND_OF_TYPE

    wanted = {t for t in KIND_OF_TYPE if t.startswith("aws_")}
    missing = sorted(wanted - set(_tf_schema()))
    assert not missing, f"regenerate tests/data/aws_provider_schema.json: {missing}"


@pytest.mark.parametrize("kind,fmt,canonical,native", list(_alias_cases()))
def test_alias_names_exist(kind, fmt, canonical, native):
    types, having = _exists(kind, fmt, native)
    if not types:
        pytest.skip(f"no {fmt} schema for kind {kind}")
    assert having, f"ALIASES[{kind!r}][{fmt!r}][{canonical!r}] = {native!r} exists in none of {types}"


@pytest.mark.parametrize("kind,fmt,canonical,native", list(_read_cases()))
def test_names_rules_read_exist(kind, fmt, canonical, native):
    types, having = _exists(kind, fmt, native)
    assert types, f"no {fmt} schema for kind {kind}"
    assert having, f"{kind} {fmt}: {canonical!r} (native {native!r}) exists in none of {types}"


@pytest.mark.parametrize("resource_type,name", [pytest.param(t, n, id=f"{t}-{n}")
                                                for t, names in sorted(READS_BY_TYPE.items())
                                                for n in names])
def test_names_read_by_type_exist(resource_type, name):
    if resource_type.startswith("aws_"):
        assert tf_has(resource_type, name), f"{resource_type}.{name}"
    else:
        assert cfn_has(resource_type, name), f"{resource_type}.{name}"

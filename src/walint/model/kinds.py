"""The kind table: CloudFormation and Terraform types -> one provider-neutral kind.

Also the attribute naming scheme: CloudFormation property names become snake_case
(`MultiAZ` -> `multi_az`), so that both formats read the same where the services agree;
`ALIASES` names the canonical attribute where the two formats shape a setting
differently (`subnets` of an ECS service lives under `NetworkConfiguration.
AwsvpcConfiguration` in CloudFormation and under `network_configuration` in Terraform).
"""
from __future__ import annotations

import re

from walint.model.values import OneOf

_KINDS = {
    "vpc": ("AWS::EC2::VPC", "aws_vpc", "aws_default_vpc"),
    "subnet": ("AWS::EC2::Subnet", "aws_subnet", "aws_default_subnet"),
    "igw": ("AWS::EC2::InternetGateway", "aws_internet_gateway"),
    "igw_attachment": ("AWS::EC2::VPCGatewayAttachment", "aws_internet_gateway_attachment"),
    "eigw": ("AWS::EC2::EgressOnlyInternetGateway", "aws_egress_only_internet_gateway"),
    "vgw": ("AWS::EC2::VPNGateway", "aws_vpn_gateway"),
    "tgw": ("AWS::EC2::TransitGateway", "aws_ec2_transit_gateway"),
    "vpc_endpoint": ("AWS::EC2::VPCEndpoint", "aws_vpc_endpoint"),
    "natgw": ("AWS::EC2::NatGateway", "aws_nat_gateway"),
    "eip": ("AWS::EC2::EIP", "aws_eip"),
    "eni": ("AWS::EC2::NetworkInterface", "aws_network_interface"),
    "route_table": ("AWS::EC2::RouteTable", "aws_route_table", "aws_default_route_table"),
    "route": ("AWS::EC2::Route", "aws_route"),
    "rt_assoc": ("AWS::EC2::SubnetRouteTableAssociation", "aws_route_table_association",
                 "aws_main_route_table_association"),
    "sg": ("AWS::EC2::SecurityGroup", "aws_security_group", "aws_default_security_group"),
    "sg_rule": ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress",
                "aws_security_group_rule", "aws_vpc_security_group_ingress_rule",
                "aws_vpc_security_group_egress_rule"),
    "db_instance": ("AWS::RDS::DBInstance", "aws_db_instance", "aws_rds_cluster_instance"),
    "db_cluster": ("AWS::RDS::DBCluster", "aws_rds_cluster"),
    "db_shard_group": ("AWS::RDS::DBShardGroup", "aws_rds_shard_group"),
    "db_subnet_group": ("AWS::RDS::DBSubnetGroup", "aws_db_subnet_group"),
    "db_param_group": ("AWS::RDS::DBParameterGroup", "AWS::RDS::DBClusterParameterGroup",
                       "aws_db_parameter_group", "aws_rds_cluster_parameter_group"),
    "cache_rg": ("AWS::ElastiCache::ReplicationGroup", "aws_elasticache_replication_group"),
    "cache_cluster": ("AWS::ElastiCache::CacheCluster", "aws_elasticache_cluster"),
    "cache_subnet_group": ("AWS::ElastiCache::SubnetGroup", "aws_elasticache_subnet_group"),
    "bucket": ("AWS::S3::Bucket", "aws_s3_bucket"),
    "bucket_facet": ("AWS::S3::BucketPolicy",
                     "aws_s3_bucket_server_side_encryption_configuration",
                     "aws_s3_bucket_public_access_block", "aws_s3_bucket_versioning",
                     "aws_s3_bucket_lifecycle_configuration",
                     "aws_s3_bucket_replication_configuration", "aws_s3_bucket_policy",
                     "aws_s3_bucket_acl", "aws_s3_bucket_object_lock_configuration",
                     "aws_s3_bucket_intelligent_tiering_configuration", "aws_s3_bucket_logging",
                     "aws_s3_bucket_ownership_controls"),
    "account_public_access_block": ("aws_s3_account_public_access_block",),
    "lb": ("AWS::ElasticLoadBalancingV2::LoadBalancer", "aws_lb", "aws_alb"),
    "classic_lb": ("AWS::ElasticLoadBalancing::LoadBalancer", "aws_elb"),
    "listener": ("AWS::ElasticLoadBalancingV2::Listener", "aws_lb_listener", "aws_alb_listener"),
    "listener_rule": ("AWS::ElasticLoadBalancingV2::ListenerRule", "aws_lb_listener_rule",
                      "aws_alb_listener_rule"),
    "target_group": ("AWS::ElasticLoadBalancingV2::TargetGroup", "aws_lb_target_group",
                     "aws_alb_target_group"),
    "ecs_service": ("AWS::ECS::Service", "aws_ecs_service"),
    "task_def": ("AWS::ECS::TaskDefinition", "aws_ecs_task_definition"),
    "ecs_cluster": ("AWS::ECS::Cluster", "aws_ecs_cluster"),
    "scalable_target": ("AWS::ApplicationAutoScaling::ScalableTarget", "aws_appautoscaling_target"),
    "scaling_policy": ("AWS::ApplicationAutoScaling::ScalingPolicy", "aws_appautoscaling_policy"),
    "asg": ("AWS::AutoScaling::AutoScalingGroup", "aws_autoscaling_group"),
    "launch_template": ("AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration",
                        "aws_launch_template", "aws_launch_configuration"),
    "volume": ("AWS::EC2::Volume", "aws_ebs_volume"),
    "ebs_default_encryption": ("aws_ebs_encryption_by_default",),
    "instance": ("AWS::EC2::Instance", "aws_instance"),
    "efs": ("AWS::EFS::FileSystem", "aws_efs_file_system"),
    "efs_mount_target": ("AWS::EFS::MountTarget", "aws_efs_mount_target"),
    "ddb_table": ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "aws_dynamodb_table"),
    "queue": ("AWS::SQS::Queue", "aws_sqs_queue"),
    "topic": ("AWS::SNS::Topic", "aws_sns_topic"),
    "ssm_param": ("AWS::SSM::Parameter", "aws_ssm_parameter"),
    "trail": ("AWS::CloudTrail::Trail", "aws_cloudtrail"),
    "flow_log": ("AWS::EC2::FlowLog", "aws_flow_log"),
    "log_group": ("AWS::Logs::LogGroup", "aws_cloudwatch_log_group"),
    "iam_policy": ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "aws_iam_policy",
                   "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"),
    "iam_role": ("AWS::IAM::Role", "aws_iam_role"),
    "iam_user": ("AWS::IAM::User", "aws_iam_user"),
    "iam_group": ("AWS::IAM::Group", "aws_iam_group"),
    "policy_attachment": ("aws_iam_role_policy_attachment", "aws_iam_policy_attachment",
                          "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"),
    "lambda": ("AWS::Lambda::Function", "AWS::Serverless::Function", "aws_lambda_function"),
    "backup_plan": ("AWS::Backup::BackupPlan", "aws_backup_plan"),
    "backup_selection": ("AWS::Backup::BackupSelection", "aws_backup_selection"),
    "kms_key": ("AWS::KMS::Key", "aws_kms_key"),
    "opensearch": ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain",
                   "aws_opensearch_domain", "aws_elasticsearch_domain"),
    "redshift": ("AWS::Redshift::Cluster", "aws_redshift_cluster"),
    "docdb_cluster": ("AWS::DocDB::DBCluster", "aws_docdb_cluster"),
    "msk_cluster": ("AWS::MSK::Cluster", "aws_msk_cluster"),
    "nested_stack": ("AWS::CloudFormation::Stack",),
    "module_facade": (),
    # catalogue (cat-a): edge, compute, identity
    "cloudfront": ("AWS::CloudFront::Distribution", "aws_cloudfront_distribution"),
    "apigw_stage": ("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage", "AWS::Serverless::Api",
                    "AWS::Serverless::HttpApi", "aws_api_gateway_stage", "aws_apigatewayv2_stage"),
    "apigw_domain": ("AWS::ApiGateway::DomainName", "AWS::ApiGatewayV2::DomainName",
                     "aws_api_gateway_domain_name", "aws_apigatewayv2_domain_name"),
    "waf_association": ("AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation",
                        "aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association"),
    "apigw_rest_api": ("AWS::ApiGateway::RestApi", "aws_api_gateway_rest_api"),
    "apigw_method": ("AWS::ApiGateway::Method", "AWS::ApiGatewayV2::Route", "aws_api_gateway_method",
                     "aws_apigatewayv2_route"),
    "apigw_method_settings": ("aws_api_gateway_method_settings",),
    "apigw_v2_api": ("AWS::ApiGatewayV2::Api", "aws_apigatewayv2_api"),
    "dns_record": ("AWS::Route53::RecordSet", "aws_route53_record"),
    "lambda_permission": ("AWS::Lambda::Permission", "aws_lambda_permission"),
    "lambda_invoke_config": ("AWS::Lambda::EventInvokeConfig", "aws_lambda_function_event_invoke_config"),
    "global_accelerator": ("AWS::GlobalAccelerator::Accelerator", "aws_globalaccelerator_accelerator"),
    "eks_cluster": ("AWS::EKS::Cluster", "aws_eks_cluster"),
    "eks_node_group": ("AWS::EKS::Nodegroup", "aws_eks_node_group"),
    "cognito_user_pool": ("AWS::Cognito::UserPool", "aws_cognito_user_pool"),
    "secret": ("AWS::SecretsManager::Secret", "aws_secretsmanager_secret"),
    "secret_rotation": ("AWS::SecretsManager::RotationSchedule", "aws_secretsmanager_secret_rotation"),
    # catalogue (cat-b): data, messaging, workflow
    "docdb_instance": ("AWS::DocDB::DBInstance", "aws_docdb_cluster_instance"),
    "docdb_subnet_group": ("AWS::DocDB::DBSubnetGroup", "aws_docdb_subnet_group"),
    "docdb_param_group": ("AWS::DocDB::DBClusterParameterGroup",
                          "aws_docdb_cluster_parameter_group"),
    "kinesis_stream": ("AWS::Kinesis::Stream", "aws_kinesis_stream"),
    "firehose": ("AWS::KinesisFirehose::DeliveryStream", "aws_kinesis_firehose_delivery_stream"),
    "glue_catalog_encryption": ("AWS::Glue::DataCatalogEncryptionSettings",
                                "aws_glue_data_catalog_encryption_settings"),
    "queue_policy": ("AWS::SQS::QueuePolicy", "aws_sqs_queue_policy"),
    "topic_policy": ("AWS::SNS::TopicPolicy", "aws_sns_topic_policy"),
    "event_bus": ("AWS::Events::EventBus", "aws_cloudwatch_event_bus"),
    "event_bus_policy": ("AWS::Events::EventBusPolicy", "aws_cloudwatch_event_bus_policy"),
    "state_machine": ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine",
                      "aws_sfn_state_machine"),
    "event_source_mapping": ("AWS::Lambda::EventSourceMapping",
                             "aws_lambda_event_source_mapping"),
    "opensearch_policy": ("aws_opensearch_domain_policy", "aws_elasticsearch_domain_policy"),
    "queue_redrive_policy": ("aws_sqs_queue_redrive_policy",),
}

KIND_OF_TYPE = {t: kind for kind, types in _KINDS.items() for t in types}
KINDS = tuple(sorted(_KINDS))


def kind_of(resource_type: str) -> str:
    if resource_type.startswith("module:"):
        return "module_facade"
    return KIND_OF_TYPE.get(resource_type, "other")


# Canonical attribute -> native path, per kind and format, where the formats differ.
# A path is a dotted string; a Terraform nested block (a list of one dict) is stepped
# into transparently by Resource.get.
ALIASES = {
    "db_instance": {
        "cloudformation": {"vpc_security_group_ids": "vpc_security_groups",
                           "cluster_identifier": "db_cluster_identifier",
                           "replicate_source_db": "source_db_instance_identifier",
                           "snapshot_identifier": "db_snapshot_identifier",
                           "parameter_group_name": "db_parameter_group_name",
                           "backup_retention_period": "backup_retention_period"},
        "terraform": {},
    },
    "db_cluster": {
        "cloudformation": {"vpc_security_group_ids": "vpc_security_group_ids",
                           "cluster_identifier": "db_cluster_identifier",
                           "parameter_group_name": "db_cluster_parameter_group_name"},
        "terraform": {"parameter_group_name": "db_cluster_parameter_group_name"},
    },
    "db_subnet_group": {"cloudformation": {}, "terraform": {}},
    "cache_rg": {
        "cloudformation": {"subnet_group_name": "cache_subnet_group_name",
                           "num_cache_clusters": "num_cache_clusters",
                           "security_group_ids": "security_group_ids"},
        "terraform": {},
    },
    "cache_cluster": {
        "cloudformation": {"subnet_group_name": "cache_subnet_group_name",
                           "security_group_ids": "vpc_security_group_ids",
                           "num_cache_nodes": "num_cache_nodes"},
        "terraform": {},
    },
    "ecs_service": {
        "cloudformation": {"subnets": "network_configuration.awsvpc_configuration.subnets",
                           "security_groups": "network_configuration.awsvpc_configuration.security_groups",
                           "assign_public_ip": "network_configuration.awsvpc_configuration.assign_public_ip",
                           "load_balancers": "load_balancers",
                           "task_definition": "task_definition"},
        "terraform": {"subnets": "network_configuration.subnets",
                      "security_groups": "network_configuration.security_groups",
                      "assign_public_ip": "network_configuration.assign_public_ip",
                      "load_balancers": "load_balancer"},
    },
    "lambda": {
        "cloudformation": {"subnet_ids": "vpc_config.subnet_ids",
                           "security_group_ids": "vpc_config.security_group_ids"},
        "terraform": {"subnet_ids": "vpc_config.subnet_ids",
                      "security_group_ids": "vpc_config.security_group_ids"},
    },
    "asg": {
        "cloudformation": {"subnet_ids": "vpc_zone_identifier"},
        "terraform": {"subnet_ids": "vpc_zone_identifier"},
    },
    "efs_mount_target": {
        "cloudformation": {"file_system_id": "file_system_id", "security_groups": "security_groups"},
        "terraform": {},
    },
    "natgw": {"cloudformation": {}, "terraform": {}},
    "subnet": {"cloudformation": {}, "terraform": {}},
    "rt_assoc": {"cloudformation": {}, "terraform": {}},
    "route": {
        "cloudformation": {"egress_only_gateway_id": "egress_only_internet_gateway_id",
                           "ipv6_cidr_block": "destination_ipv6_cidr_block"},
        "terraform": {},
    },
    # catalogue (cat-a): edge, compute, identity
    "cognito_user_pool": {
        "cloudformation": {"minimum_length": "policies.password_policy.minimum_length",
                           "advanced_security_mode": "user_pool_add_ons.advanced_security_mode"},
        "terraform": {"minimum_length": "password_policy.minimum_length",
                      "advanced_security_mode": "user_pool_add_ons.advanced_security_mode"},
    },
    "eks_cluster": {
        "cloudformation": {"endpoint_public_access": "resources_vpc_config.endpoint_public_access",
                           "public_access_cidrs": "resources_vpc_config.public_access_cidrs",
                           "subnet_ids": "resources_vpc_config.subnet_ids",
                           "log_types": "logging.cluster_logging.enabled_types"},
        "terraform": {"endpoint_public_access": "vpc_config.endpoint_public_access",
                      "public_access_cidrs": "vpc_config.public_access_cidrs",
                      "subnet_ids": "vpc_config.subnet_ids",
                      "log_types": "enabled_cluster_log_types"},
    },
    "eks_node_group": {"cloudformation": {"subnet_ids": "subnets"}, "terraform": {}},
    "cloudfront": {
        "cloudformation": {"default_cache_behavior": "distribution_config.default_cache_behavior",
                           "cache_behaviors": "distribution_config.cache_behaviors",
                           "viewer_certificate": "distribution_config.viewer_certificate",
                           "logging": "distribution_config.logging",
                           "origins": "distribution_config.origins",
                           "web_acl_id": "distribution_config.web_acl_id"},
        "terraform": {"cache_behaviors": "ordered_cache_behavior", "logging": "logging_config",
                      "origins": "origin"},
    },
    "global_accelerator": {"cloudformation": {},
                           "terraform": {"flow_logs_enabled": "attributes.flow_logs_enabled"}},
    "dns_record": {
        "cloudformation": {"failover": "failover", "alias": "alias_target",
                           "evaluate_target_health": "alias_target.evaluate_target_health"},
        "terraform": {"failover": "failover_routing_policy.type",
                      "evaluate_target_health": "alias.evaluate_target_health"},
    },
}

# CloudFormation properties whose contents are free-form (policy documents, tags,
# user-named maps): their keys are kept exactly as written.
OPAQUE = frozenset({
    "policy_document", "assume_role_policy_document", "key_policy", "tags", "variables",
    "parameters", "docker_labels", "options", "metadata", "definition", "definition_body",
    "body", "environment_variables", "template_body", "user_data", "resource_policy",
    "access_policies",
})

_CAMEL_1 = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_PLURAL_ACRONYM = re.compile(r"([A-Z]{2,})s(?=[A-Z0-9_]|$)")


def snake(name: str) -> str:
    """`DBSubnetGroupName` -> `db_subnet_group_name`, `MultiAZ` -> `multi_az`,
    `TargetGroupARNs` -> `target_group_arns`."""
    if name.islower() or not name[:1].isalpha():
        return name
    s = _PLURAL_ACRONYM.sub(lambda m: m.group(1).capitalize() + "s", name.replace("IPv", "Ipv"))
    s = _CAMEL_2.sub(r"\1_\2", s)
    s = _CAMEL_1.sub(r"\1_\2", s)
    return s.lower()


def _snake_tree(value, names: dict):
    """`value` with snake_case keys; `names` collects snake -> the name as written."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            sk = snake(k) if isinstance(k, str) else k
            if sk != k:
                names.setdefault(sk, k)
            out[sk] = v if sk in OPAQUE else _snake_tree(v, names)
        return out
    if isinstance(value, list):
        return [_snake_tree(v, names) for v in value]
    if isinstance(value, OneOf):     # the branches of an undecided Fn::If are properties too
        return OneOf(tuple(_snake_tree(v, names) for v in value.options))
    return value


def _snake_path(path: tuple) -> tuple:
    out = []
    opaque = False
    for part in path:
        if isinstance(part, str) and not opaque:
            part = snake(part)
            opaque = part in OPAQUE
        out.append(part)
    return tuple(out)


def normalize(resource) -> None:
    """Set the resource's kind and bring its attribute names to the one scheme."""
    resource.kind = kind_of(resource.type)
    if resource.format == "cloudformation":
        names = {}
        resource.attrs = _snake_tree(resource.attrs, names)
        resource.native_names = names
        if resource.meta.get("defaults"):
            resource.meta["defaults"] = {_snake_path(p): v for p, v in resource.meta["defaults"].items()}
        resource.positions = {_snake_path(p): pos for p, pos in resource.positions.items()}


def native_path(kind: str, fmt: str, name: str) -> str | None:
    """The native dotted path of a canonical attribute, or the name itself."""
    table = ALIASES.get(kind, {}).get(fmt, {})
    return table.get(name, name)

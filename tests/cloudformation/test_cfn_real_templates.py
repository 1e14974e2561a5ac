"""Five real templates with Conditions or Mappings: the value CloudFormation would deploy
with the default parameters (and the region given), checked by hand against the source."""
from __future__ import annotations

import pytest
from test_cfn_corpus import CORPUS

from walint.model.values import Ref
from walint.parsers.cloudformation import parse_templates


def _parse(rel, params=()):
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"{path} is absent: this test needs walint's ../shared folder")
    result = parse_templates([str(path)], params=list(params))
    return {r.address: r for r in result.resources}


def test_startup_kit_db_multi_az_under_if():
    # EnvironmentName defaults to dev, so IsProd is false: MultiAZ: !If [IsProd, true, false]
    res = _parse("aws-samples__startup-kit-templates/templates/db.cfn.yml")
    assert res["Database"].attrs["MultiAZ"] is False


def test_quickstart_vpc_subnets_and_tags():
    # NumberOfAZs defaults to '2': no third-AZ subnets; PrivateSubnetATag1 defaults to
    # Network=Private (tag kept), Tag2/Tag3 to '' (AWS::NoValue, dropped)
    res = _parse("aws-quickstart__quickstart-aws-vpc/templates/aws-vpc.template.yaml")
    assert res["PrivateSubnet1A"].attrs["Tags"] == [
        {"Key": "Name", "Value": "Private subnet 1A"}, {"Key": "Network", "Value": "Private"}]
    assert "PrivateSubnet3A" not in res and "NATGateway3" not in res and "PrivateSubnet1B" not in res
    assert {"NATGateway1", "NATGateway2"} <= set(res)


def test_awslabs_rds_read_replica_by_region():
    res = _parse("awslabs__aws-cloudformation-templates/aws/services/RDS/RDS_MySQL_With_Read_Replica.yaml",
                 [("AWS::Region", "us-east-1")])
    master = res["MasterDB"].attrs
    assert master["MultiAZ"] == "false"
    assert "VPCSecurityGroups" not in master                       # Is-EC2-VPC is false in us-east-1
    assert master["DBSecurityGroups"] == [Ref("DBSecurityGroup")]
    assert "ReplicaDB" in res and "DBEC2SecurityGroup" not in res


def test_awslabs_ami_from_region_map():
    # InstanceType t2.small -> Arch HVM64 -> us-east-1 HVM64 = ami-6869aa05
    res = _parse("awslabs__aws-cloudformation-templates/aws/services/ElasticLoadBalancing/ELBStickinessSample.yaml",
                 [("AWS::Region", "us-east-1")])
    assert res["EC2Instance1"].attrs["ImageId"] == "ami-6869aa05"


def test_startup_kit_elasticache_port_under_if():
    # CacheEngine defaults to redis: FromPort: !If [IsRedis, 6379, 11211]
    res = _parse("aws-samples__startup-kit-templates/templates/elasticache.cfn.yml")
    assert res["SecurityGroup"].attrs["SecurityGroupIngress"][0]["FromPort"] == 6379
    assert res["ElastiCacheCluster"].attrs["NumCacheNodes"] == 1

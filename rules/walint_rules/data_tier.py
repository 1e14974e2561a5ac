"""private-data-subnet / public-access for data stores: not in public subnets or the
default VPC, data subnets isolated, RDS not publicly accessible (RULES.md §2.2-2.3).

The rules reason over the topology (`walint.api.tier_of`, `placement`, ...) and name the
chain that proves a finding: subnet, association, route table, route."""
from walint.api import (ISOLATED, PRIVATE, PUBLIC, UNKNOWN, Unknown, as_bool, decide,
                        placement, rule, severity, tier_of)

from ._data import CLUSTER_UNDECIDED, cluster_governed
from ._net import _what


_GROUP_ATTR = {"db_instance": "db_subnet_group_name", "db_cluster": "db_subnet_group_name",
               "docdb_cluster": "db_subnet_group_name", "cache_rg": "subnet_group_name",
               "cache_cluster": "subnet_group_name", "redshift": "cluster_subnet_group_name",
               "opensearch": "vpc_options.subnet_ids", "msk_cluster": "broker_node_group_info.client_subnets"}


def _data_stores(graph):
    """(store, placement, anchor attribute) for each data store that decides its own placement."""
    out = []
    for r in graph.resources("db_instance", "db_cluster", "docdb_cluster", "cache_rg", "cache_cluster",
                             "redshift", "opensearch", "msk_cluster", "efs"):
        if r.kind == "db_instance" and r.has("cluster_identifier") and (
                not r.has("db_subnet_group_name") or _cluster_of(graph, r) is not None):
            continue      # an Aurora member: its cluster's subnet group is checked on the cluster
        if r.kind == "db_instance" and not r.has("db_subnet_group_name") and cluster_governed(r) is True:
            continue      # an Aurora-engine instance: the subnet group is a cluster setting
        if r.kind == "db_instance" and r.has("replicate_source_db") and not r.has("db_subnet_group_name"):
            continue      # a same-region read replica: placed like its source
        if r.kind == "cache_cluster" and r.has("replication_group_id"):
            continue
        if r.kind == "opensearch" and not r.has("vpc_options"):
            continue      # not in a VPC: a public endpoint, not a subnet placement
        if r.kind == "redshift" and not r.has("cluster_subnet_group_name"):
            continue
        p = placement(graph, r)
        out.append((r, p, _GROUP_ATTR.get(r.kind)))
    return out


def public_by_default(graph, db):
    """True/False/None: a CloudFormation DB instance that sets neither PubliclyAccessible
    nor DBSubnetGroupName is created in the default VPC and is public by default
    (WAL-NET-003's default case; WAL-NET-001 leaves this DB to it)."""
    if db.format != "cloudformation" or db.has("publicly_accessible") \
            or db.has("db_subnet_group_name") or db.has("replicate_source_db"):
        return False
    if db.has("cluster_identifier"):
        cluster = graph.deref(db, db.get("cluster_identifier"))
        return cluster is not None and not cluster.has("db_subnet_group_name")
    governed = cluster_governed(db)
    return None if governed is None else not governed


def _cluster_of(graph, db):
    raw = db.get("cluster_identifier")
    target = graph.deref(db, raw)
    if target is not None and target.kind == "db_cluster":
        return target
    if isinstance(raw, str):
        for c in graph.resources("db_cluster"):
            if c.scope == db.scope and c.get("cluster_identifier") == raw:
                return c
    return None


def _by_mount_target(graph, efs, pairs):
    """(mount target, (subnet, tier)) for each mount target of `efs` in one of the subnets."""
    out = []
    for m in graph.referrers(efs, kind="efs_mount_target", via="file_system_id"):
        target = graph.deref(m, m.get("subnet_id"))
        for s, t in pairs:
            if target is s:
                out.append((m, (s, t)))
                break
    return out


def _egress_words(t):
    if t.via == "eigw":
        return "IPv6 internet egress via an egress-only internet gateway"
    if t.via == "natgw":
        return "internet egress via NAT"
    return f"a default route through a {t.decisive.target_label if t.decisive else t.via}"


@rule(id="WAL-NET-001", security_severity=8.0, name="data-store-private-subnet",
      title="Data stores are not in public subnets or the default VPC",
      pillar="security", category="private-data-subnet", best_practice=("SEC05-BP01",),
      severity=severity(development="error", mvp="error", production="error", regulated="error"),
      checkov=("CKV_AWS_323",))
def data_store_private_subnet(graph):
    """Databases (RDS, Aurora, DocumentDB, Redshift), caches, OpenSearch VPC domains, MSK
    brokers and file systems are not placed in public subnets (subnets whose route table
    sends 0.0.0.0/0 or ::/0 to an internet gateway), nor in the default VPC because they
    name no subnet group.

    ## Why
    A data store in a public subnet is one security-group rule or one
    `publicly_accessible` flag away from the internet; the foundation keeps data in
    isolated subnets behind the application tier (SEC05-BP01 create network layers).
    Whether a subnet is public is decided from its effective route table (explicit
    association, else the VPC main table), following the route to the gateway it
    targets, not from its name or `MapPublicIpOnLaunch`. RDS without a DB subnet group
    and ElastiCache without a cache subnet group land in the default VPC, whose
    subnets are all public. Aurora instances use their cluster's subnet group, so the
    cluster carries the finding.

    ## Default
    `DBSubnetGroupName` / `db_subnet_group_name` absent: the default VPC.
    `CacheSubnetGroupName` / `subnet_group_name` absent: the default subnet group of the
    default VPC.

    One missing setting gives one finding: a CloudFormation DB instance that sets neither
    `DBSubnetGroupName` nor `PubliclyAccessible` is reported by WAL-NET-003 (publicly
    accessible by default in the default VPC), not again here. WAL-NET-003 wins because it
    is an error in every profile (this rule's default-VPC case is a warning in
    `development`) and states the graver consequence; adding the subnet group fixes both.

    An instance of an Aurora engine is not asked for a subnet group even without a
    cluster: the subnet group is a cluster setting (AWS creates Aurora instances only in a
    cluster). When the engine cannot be resolved, whether the instance needs its own
    subnet group is unknown.

    ## Example
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
          PubliclyAccessible: false
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      storage_encrypted           = true
      skip_final_snapshot         = true
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      DataA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.20.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      DataB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.21.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      DbSubnets:
        Type: AWS::RDS::DBSubnetGroup
        Properties:
          DBSubnetGroupDescription: isolated data subnets
          SubnetIds: [!Ref DataA, !Ref DataB]
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
          DBSubnetGroupName: !Ref DbSubnets
    ```
    ```hcl
    data "aws_availability_zones" "available" {}

    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "data" {
      count             = 2
      vpc_id            = aws_vpc.main.id
      cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, 20 + count.index)
      availability_zone = data.aws_availability_zones.available.names[count.index]
    }

    resource "aws_route_table" "data" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table_association" "data" {
      count          = 2
      subnet_id      = aws_subnet.data[count.index].id
      route_table_id = aws_route_table.data.id
    }

    resource "aws_db_subnet_group" "data" {
      name       = "data"
      subnet_ids = aws_subnet.data[*].id
    }

    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      storage_encrypted           = true
      skip_final_snapshot         = true
      db_subnet_group_name        = aws_db_subnet_group.data.name
    }
    ```
    """
    for store, p, attr in _data_stores(graph):
        if p.missing:
            if store.kind == "db_instance" and cluster_governed(store) is None:
                yield store.unknown("engine", CLUSTER_UNDECIDED, key="default-vpc")
                continue
            if store.kind == "db_instance" and public_by_default(graph, store):
                continue  # one missing setting, one finding: WAL-NET-003's, an error in every profile
            if store.kind in ("db_instance", "db_cluster", "cache_rg", "cache_cluster", "docdb_cluster"):
                yield store.finding(None, f"{_what(store)} names no subnet group: it is placed in the "
                                    "default VPC, whose subnets are all public, and nothing but a security "
                                    "group separates it from the internet (create a subnet group of "
                                    "isolated data subnets)", key="default-vpc",
                                    # RULES.md: a warning, not an error, in development
                                    severity="warning" if graph.profile_of(store) == "development" else None)
            continue
        public, doubtful = [], []
        for s in p.subnets:
            if isinstance(s, Unknown):
                doubtful.append(s.reason)
                continue
            t = tier_of(graph, s)
            if t.tier == PUBLIC:
                public.append((s, t))
            elif t.tier == UNKNOWN:
                doubtful.append(t.reason)
        if p.unknown:
            doubtful.append(p.unknown)
        if public and store.kind == "efs":
            for mount, (s, t) in _by_mount_target(graph, store, public):
                yield mount.finding("subnet_id", f"mount target {mount.address} of {_what(store)} is in public "
                                    f"subnet {s.address} ({t.describe()}): the file system is one "
                                    "security-group rule away from the internet; mount it in isolated "
                                    "data subnets", related=t.related(), key="public-subnet")
        elif public:
            s, t = public[0]
            names = ", ".join(x.address for x, _ in public)
            yield store.finding(attr, f"{_what(store)} is placed in public subnet"
                                f"{'s' if len(public) > 1 else ''} {names} ({t.describe()}): "
                                "a data store there is one security-group rule or public flag away "
                                "from the internet; place it in isolated data subnets",
                                related=p.related() + t.related(), key="public-subnet")
        elif doubtful:
            yield store.unknown(attr, f"the tier of its subnets is unknown: {doubtful[0]}")


@rule(id="WAL-NET-002", name="data-subnet-isolated", title="Data subnets are isolated (no default route)",
      pillar="security", category="private-data-subnet", best_practice=("SEC05-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"))
def data_subnet_isolated(graph):
    """The subnets data stores are placed in have no default route at all (the
    foundation's isolated data tier): not even internet egress through a NAT gateway.

    ## Why
    A database has no reason to open connections to the internet. A default route via
    NAT gives a compromised database, or a malicious extension, a path to send data
    out, and makes the data tier's network boundary depend on security-group egress
    rules alone (SEC05-BP01). Data subnets should route only locally (plus VPC
    endpoints and prefix lists). Public data subnets are reported by WAL-NET-001 and
    are not repeated here; an IPv6-only egress (`::/0` to an egress-only internet
    gateway) counts as egress.

    ## Default
    A CloudFormation subnet with no route table association uses the VPC main route
    table, which holds only the local route: isolated.

    ## Example
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      Nat:
        Type: AWS::EC2::NatGateway
        Properties:
          ConnectivityType: private
          SubnetId: !Ref DataA
      DataA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.20.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      DataB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.21.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      DataRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      DataDefault:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref DataRoutes
          DestinationCidrBlock: 0.0.0.0/0
          NatGatewayId: !Ref Nat
      DataAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref DataA
          RouteTableId: !Ref DataRoutes
      DataBAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref DataB
          RouteTableId: !Ref DataRoutes
      DbSubnets:
        Type: AWS::RDS::DBSubnetGroup
        Properties:
          DBSubnetGroupDescription: data
          SubnetIds: [!Ref DataA, !Ref DataB]
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
          DBSubnetGroupName: !Ref DbSubnets
    ```
    ```hcl
    data "aws_availability_zones" "available" {}

    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "data" {
      count             = 2
      vpc_id            = aws_vpc.main.id
      cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, 20 + count.index)
      availability_zone = data.aws_availability_zones.available.names[count.index]
    }

    resource "aws_nat_gateway" "egress" {
      connectivity_type = "private"
      subnet_id         = aws_subnet.data[0].id
    }

    resource "aws_route_table" "data" {
      vpc_id = aws_vpc.main.id

      route {
        cidr_block     = "0.0.0.0/0"
        nat_gateway_id = aws_nat_gateway.egress.id
      }
    }

    resource "aws_route_table_association" "data" {
      count          = 2
      subnet_id      = aws_subnet.data[count.index].id
      route_table_id = aws_route_table.data.id
    }

    resource "aws_db_subnet_group" "data" {
      name       = "data"
      subnet_ids = aws_subnet.data[*].id
    }

    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      storage_encrypted           = true
      skip_final_snapshot         = true
      db_subnet_group_name        = aws_db_subnet_group.data.name
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      DataA:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.20.0/24
          AvailabilityZone: !Select [0, !GetAZs ""]
      DataB:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.21.0/24
          AvailabilityZone: !Select [1, !GetAZs ""]
      DataRoutes:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      DataAAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref DataA
          RouteTableId: !Ref DataRoutes
      DataBAssoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref DataB
          RouteTableId: !Ref DataRoutes
      DbSubnets:
        Type: AWS::RDS::DBSubnetGroup
        Properties:
          DBSubnetGroupDescription: data
          SubnetIds: [!Ref DataA, !Ref DataB]
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          StorageEncrypted: true
          DBSubnetGroupName: !Ref DbSubnets
    ```
    ```hcl
    data "aws_availability_zones" "available" {}

    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }

    resource "aws_subnet" "data" {
      count             = 2
      vpc_id            = aws_vpc.main.id
      cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, 20 + count.index)
      availability_zone = data.aws_availability_zones.available.names[count.index]
    }

    resource "aws_route_table" "data" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table_association" "data" {
      count          = 2
      subnet_id      = aws_subnet.data[count.index].id
      route_table_id = aws_route_table.data.id
    }

    resource "aws_db_subnet_group" "data" {
      name       = "data"
      subnet_ids = aws_subnet.data[*].id
    }

    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      storage_encrypted           = true
      skip_final_snapshot         = true
      db_subnet_group_name        = aws_db_subnet_group.data.name
    }
    ```
    """
    for store, p, attr in _data_stores(graph):
        if p.missing:
            continue
        egress, doubtful, public = [], [], False
        for s in p.subnets:
            if isinstance(s, Unknown):
                doubtful.append(s.reason)
                continue
            t = tier_of(graph, s)
            if t.tier == PRIVATE or (t.tier == ISOLATED and t.egress_v6):
                egress.append((s, t))
            elif t.tier == PUBLIC:
                public = True
            elif t.tier == UNKNOWN:
                doubtful.append(t.reason)
        if p.unknown:
            doubtful.append(p.unknown)
        if egress:
            s, t = egress[0]
            how = _egress_words(t)
            names = ", ".join(x.address for x, _ in egress)
            if store.kind == "efs":
                for mount, (sub, tier) in _by_mount_target(graph, store, egress):
                    yield mount.finding("subnet_id", f"data subnet {sub.address} of mount target {mount.address} "
                                        f"({_what(store)}) has {_egress_words(tier)} ({tier.describe()}): "
                                        "data subnets should have no default route",
                                        related=tier.related(), key="egress")
                continue
            yield store.finding(attr, f"data subnet{'s' if len(egress) > 1 else ''} {names} of "
                                f"{_what(store)} {'have' if len(egress) > 1 else 'has'} {how} "
                                f"({t.describe()}): a compromised data store can send data out; data "
                                "subnets should have no default route",
                                related=p.related() + t.related(), key="egress")
        elif doubtful and not public:
            yield store.unknown(attr, f"the tier of its subnets is unknown: {doubtful[0]}")


@rule(id="WAL-NET-003", security_severity=9.1, name="rds-not-public", title="RDS instances are not publicly accessible",
      pillar="security", category="public-access", best_practice=("SEC05-BP01",),
      severity=severity(development="error", mvp="error", production="error", regulated="error"),
      checkov=("CKV_AWS_17",))
def rds_not_public(graph):
    """An RDS DB instance (including Aurora cluster instances) is not publicly
    accessible: it gets no public DNS name resolving to a public IP.

    ## Why
    `PubliclyAccessible` gives the instance a public IP address. In a public subnet the
    database's port is then exposed to the internet, guarded by a security group alone:
    the exact pattern behind many database leaks (SEC05-BP01). Databases are reached
    from the application tier over private addresses.

    ## Default
    Terraform `publicly_accessible` defaults to false. In CloudFormation the default
    depends on the network: with no `DBSubnetGroupName` the instance goes to the default
    VPC and is publicly accessible by default, so that case fails (`source: default`);
    otherwise it is private. That DB is not reported again by WAL-NET-001 for the same
    missing subnet group. An Aurora-engine instance without a cluster takes its subnet
    group from the cluster, so the default case does not apply to it; an explicit
    `PubliclyAccessible: true` (an instance setting, also for Aurora) is still reported.

    ## Example
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          PubliclyAccessible: true
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      skip_final_snapshot         = true
      publicly_accessible         = true
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Database:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: postgres
          DBInstanceClass: db.t3.micro
          AllocatedStorage: "20"
          MasterUsername: app
          ManageMasterUserPassword: true
          PubliclyAccessible: false
          DBSubnetGroupName: data-subnets
    ```
    ```hcl
    resource "aws_db_instance" "main" {
      engine                      = "postgres"
      instance_class              = "db.t3.micro"
      allocated_storage           = 20
      username                    = "app"
      manage_master_user_password = true
      skip_final_snapshot         = true
      publicly_accessible         = false
    }
    ```
    """
    for db in graph.resources("db_instance"):
        if db.has("publicly_accessible"):
            v = decide(db.get("publicly_accessible"), as_bool)
            if v is True:
                yield db.finding("publicly_accessible", f"DB instance {db.address} is publicly accessible: it "
                                 "gets a public IP, and in a public subnet its port is exposed to the "
                                 "internet behind its security group alone", key="public")
            elif v is None:
                yield db.unknown("publicly_accessible", f"{db.native('publicly_accessible')} cannot be resolved")
            continue
        default = public_by_default(graph, db)
        if default is None:
            yield db.unknown("engine", CLUSTER_UNDECIDED, key="public-default")
        if not default:
            continue
        yield db.finding(None, f"DB instance {db.address} sets neither PubliclyAccessible nor "
                         "DBSubnetGroupName: it is created in the default VPC and is publicly "
                         "accessible by default (source: default)", key="public-default")


RULES = [data_store_private_subnet, data_subnet_isolated, rds_not_public]

"""Undecided presence (issue 14, RULES.md §0.3/§3.5): a resource whose count or for_each
is not known is optional, and a `dynamic` block over an unknown collection reads as
unknown through `Resource.get`/`has`, never as absent."""
from __future__ import annotations

from tfhelpers import by_address
from walint.model import kinds
from walint.model.values import Unknown


def _normalized(res):
    out = by_address(res)
    for r in out.values():
        kinds.normalize(r)
    return out


def test_unknown_count_and_for_each_make_the_resource_optional(tf):
    res = tf('''
variable "n" {}
variable "names" {}
variable "use_nat_instances" {
  default = false
}
resource "aws_instance" "by_count" {
  count = var.n
}
resource "aws_instance" "by_each" {
  for_each = var.names
}
resource "aws_instance" "legacy" {
  count = "${(0 + var.use_nat_instances) * 3}"
}
resource "aws_instance" "known" {
  count = 1
}
''')
    r = by_address(res)
    for addr in ("aws_instance.by_count[*]", "aws_instance.by_each[*]", "aws_instance.legacy[*]"):
        assert r[addr].optional and r[addr].instances_unknown, addr
    assert not r["aws_instance.known[0]"].optional


def test_terraform_0_11_bool_arithmetic_is_an_unknown_count(tf):
    """Terraform 1.x rejects `0 + false` ("Unsuitable value for right operand: number
    required"); walint mirrors it: the count is not known, the resource optional."""
    res = tf('''
variable "use_nat_instances" {
  default = false
}
resource "aws_route" "r" {
  count = "${(0 + var.use_nat_instances) * 3}"
  destination_cidr_block = "0.0.0.0/0"
}
''')
    route = by_address(res)["aws_route.r[*]"]
    assert route.optional


def test_dynamic_block_over_unknown_collection_is_unknown_not_absent(tf):
    res = tf('''
variable "pitr" {
  type = bool
}
variable "rules" {}
resource "aws_dynamodb_table" "t" {
  name = "t"
  dynamic "point_in_time_recovery" {
    for_each = var.pitr ? [1] : []
    content {
      enabled = true
    }
  }
}
resource "aws_dynamodb_table" "known_absent" {
  name = "k"
  dynamic "point_in_time_recovery" {
    for_each = []
    content {
      enabled = true
    }
  }
}
resource "aws_security_group" "g" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  dynamic "ingress" {
    for_each = var.rules
    content {
      from_port = ingress.value
      to_port   = ingress.value
      protocol  = "tcp"
    }
  }
}
''')
    r = _normalized(res)
    t = r["aws_dynamodb_table.t"]
    assert isinstance(t.get("point_in_time_recovery.enabled"), Unknown)
    assert isinstance(t.get("point_in_time_recovery"), list)
    absent = r["aws_dynamodb_table.known_absent"]
    assert not absent.has("point_in_time_recovery.enabled")
    g = r["aws_security_group.g"]
    # the static rule stays readable by index; the block list as a whole is undecided
    assert g.get(("ingress", 0, "from_port")) == 443
    assert isinstance(g.get("ingress.from_port"), Unknown)


def test_route_target_words_name_the_resource_of_unknown_instances(tmp_path):
    from testenv import scan
    from tfhelpers import write_module

    write_module(tmp_path, {"main.tf": '''
variable "nat_count" {}
resource "aws_route_table" "internal" {
  vpc_id = "vpc-123"
}
resource "aws_instance" "nat_instance" {
  count = var.nat_count
}
resource "aws_route" "internal_nat_instance" {
  count                  = var.nat_count
  route_table_id         = aws_route_table.internal.id
  destination_cidr_block = "0.0.0.0/0"
  instance_id            = aws_instance.nat_instance[0].id
}
'''})
    report = scan([tmp_path], select=["WAL-NAT-003"], show_unknown=True)
    assert not [r for r in report.results if r.rule.id == "WAL-NAT-003"]
    notes = [u.message for u in report.unknowns if u.rule.id == "WAL-NAT-003"]
    assert notes and "EC2 instance aws_instance.nat_instance[*]" in notes[0]
    assert "not in the scanned files" not in notes[0]


def test_dynamic_encryption_rule_over_unknown_collection_is_not_sse_s3(tmp_path):
    """WAL-ENC-007 asks SSE-KMS of buckets in the regulated profile only (so this is not
    a fixture, which runs in production)."""
    from testenv import scan
    from tfhelpers import write_module

    write_module(tmp_path, {"main.tf": '''
variable "s3_bucket_encryption_enabled" {
  type = bool
}
resource "aws_kms_key" "bucket" {
  description = "bucket key"
}
resource "aws_s3_bucket" "data" {
  bucket = "data-example"
}
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.bucket
  dynamic "rule" {
    for_each = var.s3_bucket_encryption_enabled ? [1] : []
    content {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.bucket.arn
      }
    }
  }
}
'''})
    report = scan([tmp_path], select=["WAL-ENC-007"], profile="regulated", show_unknown=True)
    assert not [r for r in report.results if r.rule.id == "WAL-ENC-007"]
    assert [u for u in report.unknowns if u.rule.id == "WAL-ENC-007"]

"""Rule precision (issue 14): cases the rule fixtures cannot isolate, because a fixture
folder is one Terraform root whose other resources would decide the result too."""
from __future__ import annotations

import textwrap

from testenv import scan


def _write(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return tmp_path


def results(tmp_path, files, rule_id, *, profile="production", unknown=False):
    report = scan([_write(tmp_path, files)], select=[rule_id], profile=profile)
    assert not report.internal_errors, report.internal_errors
    return [r for r in (report.unknowns if unknown else report.results) if r.rule.id == rule_id]


# -- WAL-BAK-003: Object Lock implies versioning ------------------------------------------

def test_object_lock_from_a_variable_makes_versioning_unknown(tmp_path):
    files = {"main.tf": '''
        variable "lock" {
          type = bool
        }
        resource "aws_s3_bucket" "archive" {
          bucket              = "example-archive"
          object_lock_enabled = var.lock
        }
    '''}
    assert results(tmp_path, files, "WAL-BAK-003") == []
    notes = results(tmp_path, files, "WAL-BAK-003", unknown=True)
    assert [n.location.line for n in notes] == [6]
    assert "Object Lock" in notes[0].message


def test_object_lock_off_leaves_the_bucket_unversioned(tmp_path):
    files = {"main.tf": '''
        resource "aws_s3_bucket" "archive" {
          bucket              = "example-archive"
          object_lock_enabled = false
        }
    '''}
    assert len(results(tmp_path, files, "WAL-BAK-003")) == 1

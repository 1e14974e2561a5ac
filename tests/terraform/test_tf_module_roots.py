"""A local module folder that a scanned root calls is reported once, through the call;
a module folder that nothing in the scan calls is still scanned alone (issue 14,
reproducer noise-tf-module-double-report)."""
from __future__ import annotations

from testenv import scan
from tfhelpers import write_module

BUCKET = '''
resource "aws_s3_bucket" "logs" {
  bucket = "logs-example"
}
'''


def _bucket_findings(report):
    return sorted((r.location.file, r.message) for r in report.results if r.rule.id == "WAL-BAK-003")


def test_called_module_is_reported_once_through_the_call(tmp_path):
    write_module(tmp_path, {
        "main.tf": 'module "db" {\n  source = "./modules/db"\n}\n',
        "modules/db/main.tf": BUCKET,
        # a module that only calls another one: its own scan would repeat the callee's
        "modules/wrapper/main.tf": 'module "inner" {\n  source = "../inner"\n}\n',
        "modules/inner/main.tf": BUCKET.replace("logs", "inner"),
        "stacks/main.tf": 'module "w" {\n  source = "../modules/wrapper"\n}\n',
    })
    report = scan([tmp_path], select=["WAL-BAK-003"])
    found = _bucket_findings(report)
    assert len(found) == 2, found
    assert all("module." in message for _, message in found)
    assert report.resources == 2 and report.files == 5


def test_module_folder_nothing_calls_is_scanned_alone(tmp_path):
    write_module(tmp_path, {"modules/db/main.tf": BUCKET})
    found = _bucket_findings(scan([tmp_path], select=["WAL-BAK-003"]))
    assert len(found) == 1 and "aws_s3_bucket.logs" in found[0][1]


def test_module_called_with_count_zero_is_still_scanned_alone(tmp_path):
    write_module(tmp_path, {
        "main.tf": 'module "db" {\n  source = "./modules/db"\n  count  = 0\n}\n',
        "modules/db/main.tf": BUCKET,
    })
    found = _bucket_findings(scan([tmp_path], select=["WAL-BAK-003"]))
    assert len(found) == 1 and "module." not in found[0][1]

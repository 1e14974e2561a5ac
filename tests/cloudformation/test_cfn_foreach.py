"""Point 9: Fn::ForEach under AWS::LanguageExtensions."""
from __future__ import annotations

import pytest
from cfn_helpers import FORMATS, line_of, parse


@pytest.mark.parametrize("fmt", FORMATS)
def test_foreach(fmt):
    rel = f"foreach/template.{fmt}"
    result, res = parse(rel)
    assert not result.diagnostics
    assert list(res) == ["Queueorders", "Queuepayments", "Bucketlogsa", "Bucketlogsb", "Settings"]
    assert res["Queueorders"].attrs == {"QueueName": "orders-queue", "SqsManagedSseEnabled": True,
                                        "MessageRetentionPeriod": "86400"}
    assert res["Queuepayments"].attrs["MessageRetentionPeriod"] == "172800"
    assert res["Bucketlogsb"].attrs == {"Tags": [{"Key": "suffix", "Value": "logs-b"}]}
    assert res["Settings"].attrs["Tags"] == {"Owner": "platform", "alpha": "alpha-value", "beta": "beta-value"}
    if fmt == "yaml":
        assert res["Queueorders"].line == line_of(rel, "Queue${Name}:")
        assert res["Queuepayments"].positions[("QueueName",)][0] == line_of(rel, "QueueName:")


def test_foreach_collection_from_parameters():
    _, res = parse("foreach/template.yaml", params=[("Topics", "audit")])
    assert [a for a in res if a.startswith("Queue")] == ["Queueaudit"]
    assert res["Queueaudit"].attrs["MessageRetentionPeriod"].__class__.__name__ == "Unknown"


def test_unknown_collection_is_a_note(tmp_path):
    from walint.parsers.cloudformation import parse_templates

    p = tmp_path / "t.yaml"
    p.write_text(
        "Transform: AWS::LanguageExtensions\nParameters:\n  Names:\n    Type: CommaDelimitedList\n"
        "Resources:\n  Fn::ForEach::Q:\n    - N\n    - !Ref Names\n    - Q${N}:\n        Type: AWS::SQS::Queue\n"
        "  Keep:\n    Type: AWS::SQS::Queue\n")
    result = parse_templates([str(p)])
    assert [r.address for r in result.resources] == ["Keep"]
    (d,) = result.diagnostics
    assert d.level == "note" and d.line == 6 and "collection is not known" in d.message

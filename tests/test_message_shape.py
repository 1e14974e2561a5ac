"""The first sentence of a finding says what is wrong, short enough to read in a list
(issue 14: at most ~120 characters, besides the resource's own address); the chain of
evidence, the trade-off, the module call and the input that decided a value follow it."""
from __future__ import annotations

import json
import re
import subprocess
import sys

from testenv import ROOT

FIRST = re.compile(r"(?<=[a-z0-9)\]\"']): |; |\. ")
LIMIT = 120


def test_first_sentences_of_fixture_findings_are_short():
    out = subprocess.run([sys.executable, "-m", "walint", "scan", "fixtures", "--format", "json",
                          "--profile", "regulated", "--allow-empty"],
                         cwd=ROOT, capture_output=True, text=True)
    report = json.loads(out.stdout)
    long = []
    for f in report["findings"]:
        first = FIRST.split(f["message"], 1)[0]
        for name in re.findall(r"[\w.\-\[\]\"*:/]+", first):      # addresses, as named in the message
            if "." in name or "[" in name:
                first = first.replace(name, "X")
        if len(first) > LIMIT:
            long.append(f"{f['rule']} {f['file']}:{f['line']}: {first}")
    assert len(long) <= len(report["findings"]) // 20, "\n".join(long[:20])

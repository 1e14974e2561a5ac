"""Run every hostile case of tests/robustness/hostile_cases.py and report, for each, the
wall time, the peak memory and what walint told the user: `python bench/hostile.py`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "robustness"))
from hostile_cases import CASES, build  # noqa: E402


def main():
    print("| case | exit | wall | peak memory | what walint said |")
    print("| --- | --- | --- | --- | --- |")
    for name in sorted(CASES):
        with tempfile.TemporaryDirectory() as d:
            root = pathlib.Path(d) / "repo"
            hostile = build(name, root)
            out = subprocess.run([sys.executable, str(HERE / "measure.py"), "--timeout", "120", "--",
                                  sys.executable, "-m", "walint", "scan", str(root), "--format", "json",
                                  "-o", str(pathlib.Path(d) / "out.json")],
                                 capture_output=True, text=True)
            m = json.loads(out.stdout)
            run = subprocess.run([sys.executable, "-m", "walint", "scan", str(root), "--format", "json"],
                                 capture_output=True, text=True, timeout=120, cwd=root)
            said = [f"{f['file']}:{f['line']}: {f['message']}" for f in json.loads(run.stdout)["findings"]
                    if f["rule"] == "WAL-PARSE-001"]
            said += [l.replace("walint: ", "") for l in run.stderr.splitlines()
                     if hostile.split(".")[0] in l or "link" in l or "UTF" in l]
            text = "; ".join(sorted(set(said)))[:300].replace("|", "\\|") or "(no message)"
            print(f"| {name} | {m['code']} | {m['wall']:.2f} s | {m['peak_mb']:.0f} MB | {text} |")


if __name__ == "__main__":
    main()

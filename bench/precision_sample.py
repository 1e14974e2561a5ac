"""Draw the precision sample of docs/precision.md (not a test).

    .venv/bin/python bench/precision_sample.py [--corpus DIR] [--seed N] [--size N]
                                              [--verdicts FILE] [--profile P]

Runs `walint scan --format json` (production profile) over the corpus, keeps the error
and warning findings that are not suppressed, leaves out the cfn-lint test fixtures
(deliberately broken snippets, not infrastructure anyone deploys), and draws `--size`
findings at random (the lowest seeded hashes of their fingerprints), so anyone can redraw
the same sample from the same walint and corpus.

Each drawn finding is printed as a markdown table row. A reviewer reads each one (opens
the file, decides) and records the verdict in the verdicts file, keyed by the finding's
fingerprint: `right`, `debatable` (right, but not worth its severity) or `wrong`, with a
one-line reason and the level judged. Verdicts already recorded are filled in, so a redraw
after a change only asks for the findings that are new or whose level changed. The totals
line counts the verdicts of the sample.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = ("aws-cloudformation__cfn-lint/",)
VERDICTS = ("right", "debatable", "wrong")


def findings(corpus: Path, profile: str) -> list[dict]:
    walint = Path(sys.executable).parent / "walint"
    out = subprocess.run([str(walint), "scan", ".", "--format", "json", "--profile", profile],
                         cwd=corpus, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"walint exited {out.returncode}: {out.stderr[-2000:]}")
    report = json.loads(out.stdout)
    return [f for f in report["findings"]
            if f["severity"] in ("error", "warning") and not f["suppressed"]
            and not f["file"].startswith(LEFT_OUT)]


def draw(pool: list[dict], size: int, seed: int) -> list[dict]:
    """The `size` findings whose seeded hash of the fingerprint ranks lowest: a uniform
    random draw that stays put when the pool changes, so a fix takes its own findings out
    of the sample and the next-ranked ones come in, instead of redrawing all of it."""
    def rank(f):
        return hashlib.sha256(f"{seed}:{f['fingerprint']}".encode()).hexdigest(), f["message"]
    sample = sorted(pool, key=rank)[:size]
    return sorted(sample, key=lambda f: (f["rule"], f["file"], f["line"], f["address"]))


def read_verdicts(path: Path | None) -> dict:
    if not path or not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def verdict_of(finding: dict, verdicts: dict) -> dict:
    """The recorded verdict of a finding, or {} when there is none or it judged another level."""
    v = verdicts.get(finding["fingerprint"], {})
    return v if v.get("level", finding["severity"]) == finding["severity"] else {}


def cell(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--size", type=int, default=60)
    ap.add_argument("--profile", default="production")
    ap.add_argument("--verdicts", type=Path, default=ROOT / "bench" / "precision_verdicts.json")
    ap.add_argument("--pending", action="store_true",
                    help="print only the findings that have no verdict yet, as JSON")
    args = ap.parse_args(argv)

    pool = findings(args.corpus, args.profile)
    sample = draw(pool, args.size, args.seed)
    verdicts = read_verdicts(args.verdicts)
    if args.pending:
        print(json.dumps([f for f in sample if not verdict_of(f, verdicts)], indent=1))
        return 0
    print(f"{len(pool)} error/warning findings in the pool; seed {args.seed}, {len(sample)} drawn.\n")
    print("| # | rule | level | where | message | verdict | why |")
    print("|---|---|---|---|---|---|---|")
    counts = Counter()
    for i, f in enumerate(sample, 1):
        v = verdict_of(f, verdicts)
        counts[v.get("verdict", "pending")] += 1
        print(f"| {i} | {f['rule']} | {f['severity']} | `{cell(f['file'], 90)}:{f['line']}` | "
              f"{cell(f['message'])} | {v.get('verdict', 'pending')} | {cell(v.get('why', ''), 200)} |")
    judged = sum(counts[v] for v in VERDICTS)
    print()
    print(", ".join(f"{counts[v]} {v} ({100 * counts[v] / judged:.0f}%)" if judged else f"{counts[v]} {v}"
                    for v in VERDICTS) + (f", {counts['pending']} pending" if counts["pending"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

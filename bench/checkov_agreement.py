"""Agreement between walint and checkov over the corpus, per walint rule (not a test).

    .venv/bin/python bench/checkov_agreement.py [--corpus DIR] [--out DIR] [--jobs N]
                                                [--timeout SECONDS] [--rules WAL-LOG,WAL-IAM]

1. Makes a separate virtual environment with checkov (/tmp/checkov-venv) unless it exists:
   checkov's dependencies must not leak into walint's.
2. Runs checkov (`--skip-download --framework cloudformation terraform -o json`) over each
   corpus repository, one process per repository with a time limit (checkov hangs on some
   inputs), and walint (`scan --format json --show-unknown`, production profile) over the
   same repository, and `walint graph --format json` for the resources walint builds.
3. For every walint rule that names checkov equivalents, per format, (`Rule.checkov`, from RULES.md),
   counts the resources where both fire, only walint fires, only checkov fires. Resources
   are matched by repository, file and resource address (Terraform addresses with their
   module path; instance keys dropped, as checkov prints them only sometimes).
   A checkov-only resource on which walint reported `unknown` is counted apart, and so is
   one walint never built (no resource with that file and address in `walint graph`:
   `count = 0`, a module instance switched off by an input, a module called with an
   empty `for_each`, a module source read only through its callers). A Terraform data
   source (checkov prints `aws_iam_policy_document.x` without `data.`) is never a resource,
   so never counted there.
4. Writes `<out>/agreement.json` (every disagreement, for reading) and
   `<out>/agreement.md` (the table), and prints the table.

The raw outputs are kept in `<out>/raw/`; `--reuse` reuses checkov's whenever a cached one
exists, a failed or timed-out run included (delete the file to run checkov again); walint
always runs and overwrites its own raw outputs there.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("CHECKOV_VENV", "/tmp/checkov-venv"))
CHECKOV = VENV / "bin" / "checkov"


def ensure_checkov() -> None:
    if CHECKOV.exists():
        return
    print(f"creating {VENV} with checkov ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "checkov"], check=True)


def _json_in(text: str):
    """The JSON document in checkov's standard output (it may print other lines first)."""
    for i, line in enumerate(text.splitlines()):
        if line.startswith(("{", "[")):
            try:
                return json.loads("\n".join(text.splitlines()[i:]))
            except ValueError:
                continue
    return None


def _checkov_once(target: Path, timeout: int):
    """(status, reports) of one checkov process over a directory."""
    env = dict(os.environ, LOG_LEVEL="ERROR")
    # its own process group, so that a timeout ends checkov's worker processes too
    proc = subprocess.Popen([str(CHECKOV), "--skip-download", "--framework", "cloudformation", "terraform",
                             "-o", "json", "-d", str(target)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return f"timeout after {timeout}s", []
    proc = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    data = _json_in(proc.stdout)
    if data is None:
        if not proc.stdout.strip() and proc.returncode == 0:
            return "ok", []
        return f"no JSON in output (exit {proc.returncode}): {proc.stderr[-300:]}", []
    return "ok", data if isinstance(data, list) else [data]


def _failed(reports, prefix=""):
    """checkov's results: every failed and passed check, with file and resource."""
    out = []
    for rep in reports:
        if not isinstance(rep, dict):
            continue
        for state, key in (("failed", "failed_checks"), ("passed", "passed_checks")):
            for c in (rep.get("results") or {}).get(key, []):
                out.append({"check": c["check_id"], "state": state, "file": prefix + c.get("file_path", ""),
                            "resource": c.get("resource", ""), "type": rep.get("check_type")})
    return out


def run_checkov(repo: Path, raw: Path, timeout: int, reuse: bool) -> dict:
    """checkov over one repository; on a timeout, once more per top-level folder (each with
    the same time limit), so that one slow folder does not lose the whole repository."""
    out = raw / f"{repo.name}.checkov.json"
    if reuse and out.exists():
        cached = json.loads(out.read_text())
        # any cached run, failed ones too (checkov takes hours); only an old-format file
        # (failed checks without their passed/failed state) is redone
        if all("state" in f for f in cached.get("failed", [])):
            return cached
    start = time.time()
    status, reports = _checkov_once(repo, timeout)
    failed = _failed(reports)
    if status != "ok":
        parts, failed = [], []
        for sub in sorted(p for p in repo.iterdir() if p.is_dir()):
            st, reps = _checkov_once(sub, timeout)
            parts.append(f"{sub.name}: {st}")
            failed.extend(_failed(reps, prefix="/" + sub.name))
        status = "split by folder after " + status + "; " + "; ".join(p for p in parts if not p.endswith(": ok")) \
            if any(not p.endswith(": ok") for p in parts) else "ok (split by folder after a timeout)"
    result = {"status": status, "seconds": round(time.time() - start, 1), "failed": failed}
    out.write_text(json.dumps(result, indent=1))
    return result


def run_walint(repo: Path, raw: Path, timeout: int) -> dict:
    out = raw / f"{repo.name}.walint.json"
    start = time.time()
    try:
        proc = subprocess.run([sys.executable, "-m", "walint", "scan", ".", "--format", "json",
                               "--show-unknown", "--profile", "production", "--fail-on", "never"],
                              cwd=repo, capture_output=True, text=True, timeout=timeout)
        data = json.loads(proc.stdout) if proc.stdout.strip() else {"findings": []}
        status = "ok" if proc.returncode in (0, 1) else f"exit {proc.returncode}: {proc.stderr[-500:]}"
    except subprocess.TimeoutExpired:
        data, status = {"findings": []}, f"timeout after {timeout}s"
    result = {"status": status, "seconds": round(time.time() - start, 1), "findings": data.get("findings", [])}
    out.write_text(json.dumps(result, indent=1))
    return result


def run_walint_graph(repo: Path, raw: Path, timeout: int) -> dict:
    """The resources walint builds (`walint graph --format json`), as [file, address] pairs."""
    out = raw / f"{repo.name}.walint-graph.json"
    start = time.time()
    try:
        proc = subprocess.run([sys.executable, "-m", "walint", "graph", ".", "--format", "json",
                               "--profile", "production"],
                              cwd=repo, capture_output=True, text=True, timeout=timeout)
        if proc.returncode == 0 and proc.stdout.strip():
            resources = [[r["file"], r["address"]] for r in json.loads(proc.stdout).get("resources", [])]
            status = "ok"
        else:
            resources, status = [], f"exit {proc.returncode}: {proc.stderr[-500:]}"
    except subprocess.TimeoutExpired:
        resources, status = [], f"timeout after {timeout}s"
    result = {"status": status, "seconds": round(time.time() - start, 1), "resources": resources}
    out.write_text(json.dumps(result, indent=0))
    return result


_INDEX = re.compile(r"\[[^\]]*\]")
_MODULE = re.compile(r"^(module\.[^.]+(\[[^\]]*\])?\.)+")


def norm_file(path: str) -> str:
    return os.path.normpath(path.lstrip("/")).replace(os.sep, "/")


def norm_address(address: str, fmt: str) -> str:
    """Terraform addresses keep their module path; instance keys are dropped, since
    checkov prints them only sometimes (`aws_vpc.main[0]` and `aws_rds_cluster.primary`
    for the same `count = 1` shape)."""
    if fmt == "cloudformation":
        return address
    return _INDEX.sub("", address)


def checkov_key(repo: str, f: dict):
    fmt = "cloudformation" if f["type"] == "cloudformation" else "terraform"
    resource = f["resource"]
    if fmt == "cloudformation":
        resource = resource.split(".", 1)[1] if "." in resource else resource
    return (repo, norm_file(f["file"]), norm_address(resource, fmt))


def walint_key(repo: str, f: dict):
    fmt = "terraform" if f["file"].endswith((".tf", ".tf.json")) else "cloudformation"
    return (repo, norm_file(f["file"]), norm_address(f["address"], fmt))


def load_rules(prefixes):
    from walint.docs_gen import builtin_rules

    rules = [r for r in builtin_rules() if r.checkov]
    if prefixes:
        rules = [r for r in rules if r.id.startswith(tuple(prefixes))]
    return rules


def _fmt_of(key) -> str:
    return "terraform" if key[1].endswith((".tf", ".tf.json")) else "cloudformation"


_BLOCK = re.compile(r'^\s*(data|resource)\s+"([^"]+)"\s+"([^"]+)"', re.M)
_blocks_cache: dict = {}


def _data_source_only(corpus, key) -> bool:
    """The Terraform address names a `data` block of its file and no `resource` block."""
    if corpus is None or _fmt_of(key) != "terraform":
        return False
    path = Path(corpus) / key[0] / key[1]
    if path not in _blocks_cache:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            text = ""
        _blocks_cache[path] = {(m.group(1), m.group(2), m.group(3)) for m in _BLOCK.finditer(text)}
    parts = key[2].split(".")
    if len(parts) < 2:
        return False
    typ, name = parts[-2], parts[-1]
    blocks = _blocks_cache[path]
    return ("data", typ, name) in blocks and ("resource", typ, name) not in blocks


def compare(rules, per_repo, graphs=None, corpus=None):
    """Per rule and format: resources both flag, only walint flags (errors and warnings;
    notes apart), only checkov flags (and of those, where walint said unknown, and where
    walint never built the resource: `graphs` maps a repository to its `walint graph`
    run; a repository without a successful one marks nothing absent, nor does a data
    source, read from the `corpus` file). Only
    repositories checkov finished are counted; a walint finding on a resource that none
    of the rule's checkov ids evaluated (passed or failed) is counted as out of checkov's
    scope, not as a disagreement."""
    table, details = [], {}
    usable = {repo: v for repo, v in per_repo.items() if v[0]["status"].startswith("ok")}
    graphs = graphs or {}
    graphed = {repo for repo, g in graphs.items() if g and g["status"] == "ok"}
    built = {walint_key(repo, {"file": file, "address": address})
             for repo in graphed for file, address in graphs[repo]["resources"]}

    def absent(k):
        return k[0] in graphed and k not in built and not _data_source_only(corpus, k)
    fired = defaultdict(set)        # key -> walint rules that fail it (any rule)
    for repo, (_ck, wl) in usable.items():
        for f in wl["findings"]:
            if not f.get("unknown") and not f.get("suppressed"):
                fired[walint_key(repo, f)].add(f["rule"])
    for r in rules:
        ids = set(r.checkov)
        w_fail, w_note, w_unknown = defaultdict(list), defaultdict(list), set()
        c_fail, c_seen = defaultdict(set), set()
        for repo, (ck, wl) in usable.items():
            for f in wl["findings"]:
                if f["rule"] != r.id or f.get("suppressed"):
                    continue
                k = walint_key(repo, f)
                if f.get("unknown"):
                    w_unknown.add(k)
                elif f["severity"] == "note" and r.level("production") != "note":
                    # a sub-check the rule reports below its own level (a lowered finding)
                    w_note[k].append(f["message"])
                else:
                    w_fail[k].append(f["message"])
            for f in ck["failed"]:
                if f["check"] in ids:
                    k = checkov_key(repo, f)
                    c_seen.add(k)
                    if f.get("state", "failed") == "failed":
                        c_fail[k].add(f["check"])
        for fmt in ("cloudformation", "terraform"):
            wf = {k: v for k, v in w_fail.items() if _fmt_of(k) == fmt}
            cf_ = {k: v for k, v in c_fail.items() if _fmt_of(k) == fmt}
            seen = {k for k in c_seen if _fmt_of(k) == fmt}
            both = sorted(set(wf) & set(cf_))
            w_only = sorted(k for k in set(wf) - set(cf_) if k in seen)
            w_out = sorted(k for k in set(wf) - set(cf_) if k not in seen)
            c_only = sorted(set(cf_) - set(wf))
            c_note = [k for k in c_only if k in w_note]
            c_unknown = [k for k in c_only if k in w_unknown and k not in w_note]
            c_absent = [k for k in c_only if absent(k)]
            notes = sorted(k for k in w_note if _fmt_of(k) == fmt and k not in cf_ and k not in wf)
            if not (both or w_only or w_out or c_only or notes or seen):
                continue
            table.append({"rule": r.id, "format": fmt, "checkov": ", ".join(r.checkov),
                          "checkov_evaluated": len(seen), "both": len(both), "walint_only": len(w_only),
                          "walint_only_out_of_checkov_scope": len(w_out), "walint_notes_only": len(notes),
                          "checkov_only": len(c_only), "checkov_only_walint_note": len(c_note),
                          "checkov_only_walint_unknown": len(c_unknown),
                          "checkov_only_walint_absent": len(c_absent)})
            details[f"{r.id} {fmt}"] = {
                "walint_only": [{"key": list(k), "messages": wf[k]} for k in w_only],
                "walint_only_out_of_checkov_scope": [{"key": list(k), "messages": wf[k]} for k in w_out],
                "walint_notes_only": [{"key": list(k), "messages": w_note[k]} for k in notes],
                "checkov_only": [{"key": list(k), "checks": sorted(cf_[k]), "walint_unknown": k in w_unknown,
                                  "walint_note": k in w_note, "walint_absent": absent(k),
                                  "other_walint_rules": sorted(fired[k] - {r.id})} for k in c_only],
                "both": [{"key": list(k), "checks": sorted(cf_[k])} for k in both]}
    return table, details


def markdown(table, runs, graphs=None) -> str:
    lines = ["| walint rule | format | checkov ids | checkov evaluated | both | walint only | "
             "walint only, not evaluated by checkov | walint note only | checkov only | "
             "checkov only, walint note | checkov only, walint unknown | "
             "checkov only, resource absent in walint's reading |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in table:
        lines.append(f"| {row['rule']} | {row['format']} | {row['checkov']} | {row['checkov_evaluated']} | "
                     f"{row['both']} | {row['walint_only']} | {row['walint_only_out_of_checkov_scope']} | "
                     f"{row['walint_notes_only']} | {row['checkov_only']} | {row['checkov_only_walint_note']} | "
                     f"{row['checkov_only_walint_unknown']} | {row['checkov_only_walint_absent']} |")
    lines += ["", "| repository | checkov | seconds | walint | seconds | walint graph | seconds |",
              "|---|---|---:|---|---:|---|---:|"]
    for repo, (ck, wl) in sorted(runs.items()):
        g = (graphs or {}).get(repo) or {"status": "not run", "seconds": 0}
        lines.append(f"| {repo} | {ck['status'][:80]} | {ck['seconds']} | {wl['status'][:60]} | {wl['seconds']} | "
                     f"{g['status'][:60]} | {g['seconds']} |")
    return "\n".join(lines) + "\n"


def report_only(out: Path, prefixes, corpus=None) -> int:
    raw = out / "raw"
    runs, graphs = {}, {}
    for f in sorted(raw.glob("*.walint.json")):
        repo = f.name[:-len(".walint.json")]
        ck = raw / f"{repo}.checkov.json"
        runs[repo] = (json.loads(ck.read_text()) if ck.exists() else
                      {"status": "not run", "seconds": 0, "failed": []}, json.loads(f.read_text()))
        gr = raw / f"{repo}.walint-graph.json"
        graphs[repo] = json.loads(gr.read_text()) if gr.exists() else None
    table, details = compare(load_rules(prefixes), runs, graphs, corpus)
    md = markdown(table, runs, graphs)
    (out / "agreement.md").write_text(md)
    (out / "agreement.json").write_text(json.dumps({"table": table, "details": details}, indent=1))
    print(md)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=os.environ.get("WALINT_CORPUS", str(ROOT.parent / "shared" / "corpus")))
    ap.add_argument("--out", default="/tmp/walint-checkov-agreement")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--timeout", type=int, default=900, help="seconds per repository and tool")
    ap.add_argument("--rules", default="", help="rule id prefixes, comma separated")
    ap.add_argument("--reuse", action="store_true", help="reuse cached checkov outputs (walint always runs)")
    ap.add_argument("--report-only", action="store_true",
                    help="run nothing: compare the raw outputs already in <out>/raw")
    args = ap.parse_args(argv)
    if args.report_only:
        return report_only(Path(args.out), [p.strip() for p in args.rules.split(",") if p.strip()],
                           Path(args.corpus))

    ensure_checkov()
    corpus = Path(args.corpus)
    out = Path(args.out)
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    repos = sorted(p for p in corpus.iterdir() if p.is_dir())

    def one(repo):
        ck = run_checkov(repo, raw, args.timeout, args.reuse)
        wl = run_walint(repo, raw, args.timeout)
        gr = run_walint_graph(repo, raw, args.timeout)
        print(f"{repo.name}: checkov {ck['status']} {ck['seconds']}s, walint {wl['status']} {wl['seconds']}s, "
              f"walint graph {gr['status']} {gr['seconds']}s", file=sys.stderr, flush=True)
        return repo.name, ((ck, wl), gr)

    with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = dict(pool.map(one, repos))
    runs = {repo: v[0] for repo, v in results.items()}
    graphs = {repo: v[1] for repo, v in results.items()}

    rules = load_rules([p.strip() for p in args.rules.split(",") if p.strip()])
    table, details = compare(rules, runs, graphs, corpus)
    md = markdown(table, runs, graphs)
    (out / "agreement.md").write_text(md)
    (out / "agreement.json").write_text(json.dumps({"table": table, "details": details}, indent=1))
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())

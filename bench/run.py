"""walint against checkov, side by side on this machine: `python bench/run.py`.

Sets up checkov in its own virtual environment (nothing here reaches checkov's servers:
it runs with --skip-download), then measures, as medians of --runs runs:

  --version; one small .tf file; one small template (what pre-commit does);
  the whole ../shared/corpus in one walint run against the sum of `checkov -d` over each
  corpus repository (checkov hangs on the whole corpus, so one repository at a time,
  each with a time limit); peak memory; the corpus replicated 4x and 16x (linear
  scaling, two workers against one); the largest corpus file and a generated 2 MB .tf;
  and the parsing floor (read every byte + the fastest parser).

Wall times grow with the machine's load; CPU times (user + system, the command and its
children) much less, so both are given, with the load average before and after.

walint runs from compiled bytecode, as it does when installed with pip (pip compiles
at install time): PYTHONDONTWRITEBYTECODE is dropped for walint's commands and the
bytecode goes to a temporary PYTHONPYCACHEPREFIX, compiled before measuring. checkov's
virtual environment has its bytecode from pip.

Writes the table to standard output and, with --write, to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")
CHECKOV_VERSION = "3.3.30"
PY = sys.executable


def measure(cmd, timeout=None, env=None):
    args = [PY, os.path.join(HERE, "measure.py")]
    if timeout:
        args += ["--timeout", str(timeout)]
    out = subprocess.run(args + ["--"] + cmd, capture_output=True, text=True, env=env)
    return json.loads(out.stdout)


WALINT_ENV = None      # set in main(): bytecode in a temporary PYTHONPYCACHEPREFIX


def median_run(cmd, runs, timeout=None, env=None):
    if env is None and cmd[:3] == [PY, "-m", "walint"]:
        env = WALINT_ENV
    results = [measure(cmd, timeout, env) for _ in range(runs)]
    return {"wall": statistics.median(r["wall"] for r in results),
            "cpu": statistics.median(r.get("cpu", 0.0) for r in results),
            "peak_mb": max(r["peak_mb"] for r in results),
            "status": "timeout" if any(r["status"] == "timeout" for r in results) else "ok"}


def checkov_venv(path):
    exe = os.path.join(path, "bin", "checkov")
    if not os.path.exists(exe):
        print(f"installing checkov {CHECKOV_VERSION} into {path} ...", file=sys.stderr)
        subprocess.run([PY, "-m", "venv", path], check=True)
        subprocess.run([os.path.join(path, "bin", "pip"), "install", "-q", f"checkov=={CHECKOV_VERSION}"],
                       check=True)
    return exe


def walint_cmd(*args):
    return [PY, "-m", "walint", *args]


def checkov_cmd(exe, *args):
    return [exe, "--skip-download", "--quiet", "--compact", "-o", "json", *args]


def replicate(times, into):
    for i in range(times):
        shutil.copytree(CORPUS, os.path.join(into, f"copy{i}"), symlinks=True)
    return into


def largest_file():
    best = None
    for dirpath, _, files in os.walk(CORPUS):
        for f in files:
            if f.endswith((".tf", ".yaml", ".yml", ".json", ".template")):
                p = os.path.join(dirpath, f)
                if best is None or os.path.getsize(p) > os.path.getsize(best):
                    best = p
    return best


def generated_tf(path, megabytes=2):
    with open(path, "w") as fh:
        i = 0
        while fh.tell() < megabytes << 20:
            fh.write(f'resource "aws_security_group" "g{i}" {{\n  name = "g{i}"\n  vpc_id = "vpc-1"\n'
                     f'  ingress {{\n    from_port = {i % 65535}\n    to_port = {i % 65535}\n'
                     f'    protocol = "tcp"\n    cidr_blocks = ["10.{i % 255}.0.0/16"]\n  }}\n}}\n')
            i += 1
    return path


HAND_MARK = "<!-- written by hand below: kept by bench/run.py --write -->"


def fmt_s(x):
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def load():
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--checkov-venv", default=os.environ.get("WALINT_CHECKOV_VENV", "/tmp/walint-checkov-venv"))
    ap.add_argument("--repo-timeout", type=float, default=300)
    ap.add_argument("--skip-checkov", action="store_true")
    ap.add_argument("--write", action="store_true", help="also write docs/benchmarks.md")
    opts = ap.parse_args()
    if not os.path.isdir(CORPUS):
        sys.exit(f"{CORPUS} is absent: the benchmark needs ../shared/corpus")
    checkov = None if opts.skip_checkov else checkov_venv(opts.checkov_venv)
    rows, notes = [], []
    work = tempfile.mkdtemp(prefix="walint-bench-")
    global WALINT_ENV
    WALINT_ENV = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(work, "pycache"))
    WALINT_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    import walint
    import walint_rules
    subprocess.run([PY, "-m", "compileall", "-q", os.path.dirname(walint.__file__),
                    os.path.dirname(walint_rules.__file__)], env=WALINT_ENV, check=False,
                   stdout=subprocess.DEVNULL)
    load_before = load()
    small_tf = os.path.join(work, "small", "main.tf")
    os.makedirs(os.path.dirname(small_tf))
    with open(small_tf, "w") as fh:
        fh.write('resource "aws_db_instance" "db" {\n  engine = "postgres"\n  multi_az = false\n}\n')
    small_cfn = os.path.join(work, "small-cfn", "template.yaml")
    os.makedirs(os.path.dirname(small_cfn))
    with open(small_cfn, "w") as fh:
        fh.write("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n"
                 "    Properties:\n      Engine: postgres\n      MultiAZ: false\n")

    def row(name, w, c=None, extra=""):
        ratio = f"{c['wall'] / w['wall']:.1f}x" if c and w["wall"] > 0 and c["status"] == "ok" else "-"
        cval = (fmt_s(c["wall"]) + (" (timeout)" if c["status"] == "timeout" else "")) if c else "-"
        ccpu = fmt_s(c["cpu"]) if c and c.get("cpu") else "-"
        cpu_ratio = f"{c['cpu'] / w['cpu']:.1f}x" if c and c.get("cpu") and w.get("cpu") and c["status"] == "ok" else "-"
        rows.append((name, cval, fmt_s(w["wall"]), ratio, ccpu, fmt_s(w["cpu"]), cpu_ratio, extra))
        print(rows[-1], file=sys.stderr)

    row("--version", median_run(walint_cmd("--version"), opts.runs),
        median_run([checkov, "--version"], opts.runs) if checkov else None)
    row("one small .tf file", median_run(walint_cmd("scan", small_tf), opts.runs),
        median_run(checkov_cmd(checkov, "-f", small_tf), opts.runs) if checkov else None)
    row("one small template", median_run(walint_cmd("scan", small_cfn), opts.runs),
        median_run(checkov_cmd(checkov, "-f", small_cfn), opts.runs) if checkov else None)

    repos = sorted(d for d in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, d)))
    checkov_total, checkov_cpu, checkov_peak, timeouts = 0.0, 0.0, 0.0, []
    if checkov:
        for repo in repos:
            r = measure(checkov_cmd(checkov, "-d", os.path.join(CORPUS, repo),
                                    "--framework", "cloudformation", "terraform"), opts.repo_timeout)
            checkov_total += r["wall"]
            checkov_cpu += r.get("cpu", 0.0)
            checkov_peak = max(checkov_peak, r["peak_mb"])
            if r["status"] == "timeout":
                timeouts.append(repo)
            print(f"checkov {repo}: {r['wall']:.1f} s, {r['peak_mb']:.0f} MB {r['status']}", file=sys.stderr)
    whole = median_run(walint_cmd("scan", CORPUS, "--format", "json"), opts.runs)
    whole_1 = median_run(walint_cmd("scan", CORPUS, "--format", "json", "-j", "1"), opts.runs)
    ck = {"wall": checkov_total, "cpu": checkov_cpu, "status": "ok", "peak_mb": checkov_peak} if checkov else None
    row("whole corpus (checkov: sum over the 17 repositories)", whole, ck,
        f"walint peak {whole['peak_mb']:.0f} MB" + (f", checkov largest peak {checkov_peak:.0f} MB" if checkov else ""))
    if timeouts:
        notes.append(f"checkov hit the {opts.repo_timeout:.0f} s limit on: {', '.join(timeouts)} "
                     "(counted at the limit, so its total is a lower bound)")

    floor = json.loads(subprocess.run([PY, os.path.join(HERE, "floor.py"), CORPUS],
                                      capture_output=True, text=True).stdout)
    rows.append(("parsing floor (read every byte + fastest parser)", "-", fmt_s(floor["seconds"]),
                 "-", "-", fmt_s(floor.get("cpu", floor["seconds"])), "-",
                 f"walint = {whole['wall'] / floor['seconds']:.1f}x the floor (CPU: "
                 f"{whole['cpu'] / floor.get('cpu', floor['seconds']):.1f}x); one worker: "
                 f"{whole_1['wall']:.2f} s wall, {whole_1['cpu']:.2f} s CPU "
                 f"({whole_1['wall'] / floor['seconds']:.1f}x the floor)"))

    x4 = replicate(4, os.path.join(work, "x4"))
    x16 = replicate(16, os.path.join(work, "x16"))
    t4_2 = median_run(walint_cmd("scan", x4, "--format", "json"), opts.runs)
    t4_1 = median_run(walint_cmd("scan", x4, "--format", "json", "-j", "1"), opts.runs)
    t16 = median_run(walint_cmd("scan", x16, "--format", "json"), max(1, opts.runs - 1))
    rows.append(("corpus x4 (two workers / one worker)", "-", f"{fmt_s(t4_2['wall'])} / {fmt_s(t4_1['wall'])}",
                 "-", "-", f"{fmt_s(t4_2['cpu'])} / {fmt_s(t4_1['cpu'])}", "-",
                 f"speed-up {t4_1['wall'] / t4_2['wall']:.2f}x; peak {t4_2['peak_mb']:.0f} MB"))
    rows.append(("corpus x16", "-", fmt_s(t16["wall"]), "-", "-", fmt_s(t16["cpu"]), "-",
                 f"{t16['wall'] / whole['wall']:.1f}x the time for 16x the files "
                 f"(CPU {t16['cpu'] / whole['cpu']:.1f}x); peak {t16['peak_mb']:.0f} MB"))

    big = largest_file()
    row(f"largest corpus file ({os.path.relpath(big, CORPUS)}, {os.path.getsize(big) >> 10} KB)",
        median_run(walint_cmd("scan", big), opts.runs))
    os.makedirs(os.path.join(work, "big"), exist_ok=True)
    gen = generated_tf(os.path.join(work, "big", "main.tf"))
    row("generated 2 MB .tf", median_run(walint_cmd("scan", gen), opts.runs))
    shutil.rmtree(work, ignore_errors=True)

    table = ["| work | checkov wall | walint wall | wall ratio | checkov CPU | walint CPU | CPU ratio | notes |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    table += [f"| {' | '.join(r)} |" for r in rows]
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
               f"{platform.platform()}")
    text = ("# Benchmarks\n\nGenerated by `python bench/run.py --write` on "
            f"{time.strftime('%Y-%m-%d')} ({machine}); checkov {CHECKOV_VERSION} with --skip-download, "
            f"medians of {opts.runs} runs. Load average (1/5/15 min) {load_before} before, "
            f"{load()} after; {os.cpu_count()} cores. CPU = user + system time of the command "
            "and its children.\n\n" + "\n".join(table) + "\n")
    if notes:
        text += "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    print(text)
    if opts.write:
        path = os.path.join(ROOT, "docs", "benchmarks.md")
        kept = ""
        if os.path.exists(path):       # the analysis below the marker is written by hand
            with open(path, encoding="utf-8") as fh:
                old = fh.read()
            if HAND_MARK in old:
                kept = "\n" + old[old.index(HAND_MARK):]
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text + kept)


if __name__ == "__main__":
    main()

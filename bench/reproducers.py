"""Run every hostile reproducer of ../shared/reproducers/hostile and tabulate what happened
(not a test): `python bench/reproducers.py [--walint-bin DIR] [--only NAME,...]`.

Each case is copied to a temporary folder (its `NAME.SYMLINK.txt` files turned back into
the symbolic links they stand for), and its `run.sh` runs there exactly as written, with
the `walint` of `--walint-bin` (default: this interpreter's) first on PATH, under an
address-space limit (`--limit-mb`, default 4096) and a time limit, so that a case that
still explodes cannot take the machine with it. One markdown row per case: the exit codes
run.sh printed, the wall time, the peak memory of the whole run and the first line walint
printed.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT.parent / "shared" / "reproducers" / "hostile"
_LINK = re.compile(r"symbolic link to (\S+)")


def prepare(case: Path, into: Path) -> Path:
    dest = into / case.name
    shutil.copytree(case, dest, symlinks=True)
    (dest / "repo").mkdir(exist_ok=True)        # gen.py cases write their input there
    for p in dest.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() or p.suffix == ".sh" else 0o644)
    for stub in dest.rglob("*.SYMLINK.txt"):
        m = _LINK.search(stub.read_text())
        if m:
            link = stub.with_name(stub.name[: -len(".SYMLINK.txt")])
            link.symlink_to(m.group(1))
        stub.unlink()
    return dest


def run(case_dir: Path, bin_dir: Path, limit_mb: int, timeout: int) -> dict:
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    script = case_dir / "run.sh"
    # `env -i` empties PATH too: give it back, last, only the folder walint is in
    script.write_text("\n".join(
        ln.replace(" walint ", f" PATH={bin_dir}:/usr/bin:/bin walint ", 1) if "env -i " in ln else ln
        for ln in script.read_text().splitlines()) + "\n")

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    start = time.monotonic()
    try:
        proc = subprocess.run(["bash", str(case_dir / "run.sh")], capture_output=True, text=True,
                              errors="replace", env=env, timeout=timeout, preexec_fn=limit)
        out, timed_out = proc.stdout + proc.stderr, False
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        timed_out = True
    wall = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    exits = re.findall(r"exit=(\d+)", out)
    lines = [ln for ln in out.splitlines()
             if ln.strip() and not ln.startswith(("exit=", "\t", "Command being timed"))
             and "Maximum resident" not in ln and "Elapsed" not in ln]
    return {"exit": ",".join(exits) + (" (timeout)" if timed_out else ""), "wall": wall,
            "peak_mb": peak, "first": lines[0] if lines else "(nothing)"}


def cell(text: str) -> str:
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return text[:140].replace("|", "\\|")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--walint-bin", type=Path, default=Path(sys.executable).parent)
    ap.add_argument("--only", default="")
    ap.add_argument("--limit-mb", type=int, default=4096)
    ap.add_argument("--timeout", type=int, default=400)
    args = ap.parse_args(argv)
    only = [n for n in args.only.split(",") if n]
    if len(only) == 1:
        with tempfile.TemporaryDirectory() as d:
            r = run(prepare(CASES / only[0], Path(d)), args.walint_bin, args.limit_mb, args.timeout)
        print(f"| {only[0]} | {r['exit']} | {r['wall']:.1f} s | {r['peak_mb']:.0f} MB | `{cell(r['first'])}` |",
              flush=True)
        return 0
    print("| reproducer | exit | wall | peak RSS | first line printed |")
    print("|---|---|---|---|---|", flush=True)
    for case in sorted(p for p in CASES.iterdir() if p.is_dir()):
        if only and case.name not in only:
            continue
        # one process per case: the peak memory of children is a maximum over a process' life
        subprocess.run([sys.executable, __file__, "--only", case.name, "--walint-bin", str(args.walint_bin),
                        "--limit-mb", str(args.limit_mb), "--timeout", str(args.timeout)])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run one command and print its wall time and peak memory (max RSS of it and its
children) as JSON: `python bench/measure.py [--timeout S] -- CMD ...`.

A separate process per measurement, so peaks do not leak from one run to the next.
"""
import json
import resource
import subprocess
import sys
import time


def main(argv):
    timeout = None
    if argv[:1] == ["--timeout"]:
        timeout, argv = float(argv[1]), argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    start = time.perf_counter()
    status = "ok"
    try:
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        code, status = None, "timeout"
    wall = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"wall": wall, "peak_mb": peak_kb / 1024, "code": code, "status": status}))


if __name__ == "__main__":
    main(sys.argv[1:])

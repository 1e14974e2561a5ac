"""Run one command and print its wall time, CPU time (user + system of it and its
children) and peak memory (max RSS of it and its children) as JSON:
`python bench/measure.py [--timeout S] -- CMD ...`.

CPU time matters on a shared machine: wall time there grows with the load, CPU time
much less.

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
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                      "peak_mb": usage.ru_maxrss / 1024, "code": code, "status": status}))


if __name__ == "__main__":
    main(sys.argv[1:])

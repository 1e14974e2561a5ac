"""Parse what discovery found: one unit of work per CloudFormation template, Terraform
root module or plan file, each under a time limit, spread over worker processes when
the input is large enough for that to pay.

The output is merged in the order of the units, so it is the same whatever the number
of workers (byte-identical reports).
"""
from __future__ import annotations

import gc
import os
import signal
from contextlib import contextmanager

from walint.engine.errors import UsageError
from walint.model.kinds import normalize
from walint.parsers.base import Diagnostic, ParseResult

UNIT_SECONDS = float(os.environ.get("WALINT_UNIT_TIMEOUT", "60"))
PARALLEL_BYTES = int(os.environ.get("WALINT_PARALLEL_BYTES", 1 << 20))  # below this, one process is faster than a pool


class UnitTimeout(BaseException):
    """Not an Exception: parsers catch Exception to turn their bugs into diagnostics,
    and a timeout must get through them."""
    pass


@contextmanager
def time_limit(seconds: float):
    """Raise UnitTimeout in this thread after `seconds` (main thread only; else no limit)."""
    usable = hasattr(signal, "setitimer") and seconds > 0
    if usable:
        try:
            previous = signal.signal(signal.SIGALRM, _alarm)
        except ValueError:        # not the main thread
            usable = False
    if usable:
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if usable:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _alarm(signum, frame):
    raise UnitTimeout()


def _parse_unit(unit, options) -> ParseResult:
    """Read one unit and bring its resources to the graph's scheme (here, so that with
    several jobs this runs in the workers too); never raises."""
    result = _read_unit(unit, options)
    for resource in result.resources:
        normalize(resource)
    return result


def _read_unit(unit, options) -> ParseResult:
    """Parse one unit; never raises (a timeout or a parser bug becomes a diagnostic)."""
    kind, path = unit
    try:
        with time_limit(options.get("timeout", UNIT_SECONDS)):
            if kind == "tf":
                from walint.parsers import terraform

                return terraform.parse_modules([path], var_files=options["var_files"],
                                               variables=options["variables"])
            if kind == "plan":
                from walint.parsers import terraform

                return terraform.parse_plan(path)
            from walint.parsers import cloudformation

            return cloudformation.parse_templates([path], params=options["params"],
                                                  parameter_files=options["parameter_files"])
    except UnitTimeout:
        return ParseResult(diagnostics=[Diagnostic(
            path, None, f"reading took longer than {options.get('timeout', UNIT_SECONDS):g} s "
            "and was stopped; nothing in it was checked")])
    except RecursionError:
        return ParseResult(diagnostics=[Diagnostic(path, None, "nesting too deep to read")])
    except MemoryError:
        return ParseResult(diagnostics=[Diagnostic(path, None, "too large to read in memory")])


def _worker(args):
    units, options = args
    return [_parse_unit(unit, options) for unit in units]


def units_of(inputs) -> list:
    return ([("tf", d) for d in inputs.tf_dirs] + [("plan", p) for p in inputs.plan_files]
            + [("cfn", f) for f in inputs.cfn_files])


def _size(unit) -> int:
    kind, path = unit
    try:
        if kind == "tf":
            return sum(e.stat().st_size for e in os.scandir(path)
                       if e.name.endswith((".tf", ".tf.json")) and e.is_file())
        return os.path.getsize(path)
    except OSError:
        return 0


def default_jobs() -> int:
    env = os.environ.get("WALINT_JOBS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def parse_all(inputs, options, jobs=None) -> ParseResult:
    """Parse every unit; with several jobs and enough input, in worker processes."""
    out = ParseResult()
    for path, size in inputs.too_large:
        out.diagnostics.append(Diagnostic(path, None, f"file is too large to read "
                                          f"({size / (1 << 20):.0f} MB; the limit is 32 MB)"))
    opts = {"var_files": list(options.var_files), "variables": list(options.variables),
            "params": list(options.params), "parameter_files": list(options.parameter_files)}
    units = units_of(inputs)
    if inputs.tf_dirs or inputs.plan_files:
        from walint.parsers.terraform.syntax import require_runtime

        require_runtime()           # before any worker: an old tree-sitter is exit 2, not 0 findings
    jobs = default_jobs() if jobs is None else jobs
    if jobs > 1 and len(units) > 1 and sum(map(_size, units)) >= PARALLEL_BYTES:
        results = _parse_parallel(units, opts, jobs)
    else:
        results = [_parse_unit(u, opts) for u in units]
    for res in results:
        out.resources.extend(res.resources)
        out.diagnostics.extend(res.diagnostics)
        out.files.extend(res.files)
    _drop_nested_roots(out)
    usage = [d for d in out.diagnostics if d.code == "WAL-USAGE"]
    if usage:
        d = usage[0]
        raise UsageError(f"{d.file}: {d.message}")
    return out


def _parse_parallel(units, opts, jobs):
    import multiprocessing as mp

    # Import what the workers need before forking, so each worker does not pay for it.
    kinds = {u[0] for u in units}
    if "tf" in kinds or "plan" in kinds:
        import walint.parsers.terraform  # noqa: F401
    try:
        ctx = mp.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        return [_parse_unit(u, opts) for u in units]
    chunks = _chunks(units, jobs)
    results = [None] * len(units)
    with ctx.Pool(min(jobs, len(chunks))) as pool:
        for chunk, res in zip(chunks, pool.imap(_worker, [([units[i] for i in c], opts) for c in chunks],
                                                 chunksize=1)):
            for i, r in zip(chunk, res):
                results[i] = r
            # what arrives lives to the end of the scan: out of the cycle collector's way
            gc.freeze()
    return results


CHUNKS_PER_JOB = 8


def _chunks(units, jobs):
    """The units cut into runs of neighbours (discovery order: a module's examples and
    the module itself are neighbours, and a worker reads a module once for all the roots
    it serves, see terraform.evaluate._LOADED), each about 1/(CHUNKS_PER_JOB * jobs)
    of the input; a unit larger than that is a run of its own. Largest runs first, so
    that one big run does not end the scan alone."""
    sizes = [_size(u) for u in units]
    target = max(1, sum(sizes) / (CHUNKS_PER_JOB * jobs))
    chunks, cur, cur_size = [], [], 0
    for i, unit in enumerate(units):
        if cur and (cur_size + sizes[i] > target or unit[0] != units[cur[-1]][0]):
            chunks.append((cur_size, cur))
            cur, cur_size = [], 0
        cur.append(i)
        cur_size += sizes[i]
    if cur:
        chunks.append((cur_size, cur))
    chunks.sort(key=lambda c: -c[0])
    return [c for _, c in chunks]


def _drop_nested_roots(parsed: ParseResult) -> None:
    """A template that another scanned template uses as a nested stack is read through
    its parent, with the parameters the parent binds; read again on its own (every
    parameter unknown) it would count its resources twice."""
    children = {os.path.normpath(r.file) for r in parsed.resources
                if r.format == "cloudformation" and r.call_sites}
    if children:
        parsed.resources = [r for r in parsed.resources
                            if not (r.format == "cloudformation" and not r.call_sites
                                    and os.path.normpath(r.scope) in children)]

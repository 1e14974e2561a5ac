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
import time
from contextlib import contextmanager

from walint.engine import budgets
from walint.engine import boundary
from walint.engine.errors import UsageError
from walint.model.kinds import normalize
from walint.parsers.base import Diagnostic, ParseResult, incomplete, why_stopped
from walint.parsers.cloudformation.exports import link_imports

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
    budgets.start_unit()
    result = _read_unit(unit, options)
    kept = []
    for resource in result.resources:
        try:
            normalize(resource)
        except Exception as exc:  # noqa: BLE001 - one resource must not end the scan silently
            result.diagnostics.append(incomplete(
                resource.file, resource.line, f"{resource.address} was not evaluated: "
                f"{why_stopped(exc)}", resource.address))
            continue
        kept.append(resource)
    result.resources = kept
    result.diagnostics = [_unquoted(d) for d in result.diagnostics]
    return result


def _unquoted(d: Diagnostic) -> Diagnostic:
    """A parser's message without the text it quotes from a file that is not IaC by its
    own name (reached through a link, named by the configuration): docs/security.md."""
    if d.code == "WAL-IO" or not d.file or boundary.current().quotable(d.file):
        return d
    message = boundary.conceal(d.message)
    return d if message == d.message else Diagnostic(d.file, d.line, message, d.level, d.code, d.address)


def _read_unit(unit, options, seconds=None) -> ParseResult:
    """Parse one unit; never raises (a timeout, a budget or a parser bug becomes a
    diagnostic). `seconds`: an alarm in this thread, only where no worker process can
    be killed from outside (an alarm cannot interrupt one long C call)."""
    kind, path = unit
    try:
        with time_limit(seconds or 0):
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
        return _stopped(unit, "unit_seconds", "reading it took too long and was stopped")
    except budgets.BudgetExceeded as exc:
        return ParseResult(diagnostics=[exc.diagnostic(path)])
    except MemoryError:
        return _stopped(unit, "memory_mb", "reading it ran out of memory")
    except Exception as exc:  # noqa: BLE001 - a reader's bug must not end the scan silently
        return ParseResult(diagnostics=[incomplete(
            path, None, f"not evaluated: {why_stopped(exc)}; nothing in it was checked")])


def _stopped(unit, budget, detail) -> ParseResult:
    """A unit a budget stopped: nothing in it was checked, and it says so."""
    return ParseResult(diagnostics=[budgets.incomplete(unit[1], None, budget,
                                                       f"{detail}; nothing in it was checked")])


def _serve(units, options, orders, conn, limits) -> None:
    """A worker process: read the runs of units the parent sends (indices into `units`,
    which the fork brought along), sending each result as it is done (the parent times
    each unit from the previous message), then None to ask for more; None ends it."""
    budgets.configure(limits)
    _limit_memory(limits.memory_mb)
    while True:
        run = orders.recv()
        if run is None:
            break
        for i in run:
            result = _parse_unit(units[i], options)
            try:
                conn.send((i, result))
            except Exception as exc:    # a result that cannot be sent: say so, go on
                conn.send((i, _stopped(units[i], "memory_mb",
                                       f"its result could not be passed on ({type(exc).__name__})")))
        conn.send(None)
    conn.close()


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space, so that a unit that would take the machine's
    memory fails with MemoryError (or the process dies) instead."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    try:
        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        mapped = 0
    # never below what is mapped already (the parent's modules) plus room to work
    want = max(megabytes << 20, mapped + (256 << 20))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft == resource.RLIM_INFINITY or want < soft:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
        except (ValueError, OSError):
            pass


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
    """Parse every unit in worker processes that are killed when a unit runs over its
    time (several workers when the input is large enough for that to pay)."""
    out = ParseResult()
    for path, size in inputs.too_large:
        out.diagnostics.append(Diagnostic(path, None, f"file is too large to read "
                                          f"({size / (1 << 20):.0f} MB; the limit is 32 MB)"))
    opts = {"var_files": list(options.var_files), "variables": list(options.variables),
            "params": list(options.params), "parameter_files": list(options.parameter_files)}
    limits = getattr(options, "budgets", None) or budgets.ACTIVE
    budgets.configure(limits)
    units = units_of(inputs)
    if inputs.tf_dirs or inputs.plan_files:
        from walint.parsers.terraform.syntax import require_runtime

        require_runtime()           # before any worker: an old tree-sitter is exit 2, not 0 findings
    jobs = default_jobs() if jobs is None else jobs
    workers = jobs if jobs > 1 and len(units) > 1 and sum(map(_size, units)) >= PARALLEL_BYTES else 1
    if units and IN_WORKERS and _can_fork():
        results = _supervise(units, opts, workers, limits)
    else:
        results = [_parse_unit_here(u, opts, limits) for u in units]
    for res in results:
        out.resources.extend(res.resources)
        out.diagnostics.extend(res.diagnostics)
        out.files.extend(res.files)
        out.exports.extend(res.exports)
    _drop_nested_roots(out)
    link_imports(out.resources, out.exports)
    _scan_instances(out, limits.instances)
    usage = [d for d in out.diagnostics if d.code == "WAL-USAGE"]
    if usage:
        d = usage[0]
        raise UsageError(f"{d.file}: {d.message}")
    return out


# Units are read in worker processes (set False to read them in this process, with an
# alarm that cannot interrupt one long C call: for debugging only).
IN_WORKERS = os.environ.get("WALINT_IN_PROCESS") != "1"


def _can_fork() -> bool:
    import multiprocessing as mp

    try:
        mp.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        return False
    return True


def _parse_unit_here(unit, opts, limits) -> ParseResult:
    budgets.start_unit()
    result = _read_unit(unit, opts, seconds=limits.unit_seconds)
    for resource in result.resources:
        normalize(resource)
    return result


def _supervise(units, opts, workers, limits) -> list:
    """Each unit's result, read by up to `workers` forked processes that take runs of
    units from a queue. A worker whose unit runs past `unit-seconds` is killed (its unit
    reported, the rest of its run queued again); when the scan passes `scan-seconds`,
    every worker is killed and every unit not read is reported. The results are in the
    order of the units."""
    import multiprocessing as mp
    from collections import deque
    from multiprocessing.connection import wait

    # Import what the workers need before forking, so each worker does not pay for it.
    kinds = {u[0] for u in units}
    if "tf" in kinds or "plan" in kinds:
        import walint.parsers.terraform  # noqa: F401
    if "cfn" in kinds:
        import walint.parsers.cloudformation  # noqa: F401
    ctx = mp.get_context("fork")
    queue = deque(_chunks(units, workers) if workers > 1 else [list(range(len(units)))])
    results = [None] * len(units)
    running = {}                     # results -> [process, pending unit indices, deadline, orders]
    scan_end = time.monotonic() + limits.scan_seconds

    def give(entry):
        run = queue.popleft()
        entry[1].extend(run)
        entry[2] = time.monotonic() + limits.unit_seconds
        entry[3].send(run)

    def start():
        # two one-way pipes, not a socket pair: walint opens no socket of any kind
        orders_in, orders_out = ctx.Pipe(duplex=False)
        results_in, results_out = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_serve, args=(units, opts, orders_in, results_out, limits), daemon=True)
        proc.start()
        orders_in.close()
        results_out.close()
        running[results_in] = entry = [proc, deque(), 0.0, orders_out]
        give(entry)

    def stop(conn):
        proc, pending, _, orders = running.pop(conn)
        if proc.is_alive():
            proc.kill()
        proc.join()
        conn.close()
        orders.close()
        return pending

    try:
        while queue or running:
            while queue and len(running) < workers and time.monotonic() < scan_end:
                start()
            if not running:
                break                    # the scan's time is up
            now = time.monotonic()
            wake = min(min(r[2] for r in running.values()), scan_end)
            for conn in wait(list(running), max(0.0, wake - now)):
                entry = running[conn]
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    pending = stop(conn)
                    exitcode = entry[0].exitcode
                    if pending:          # it died while reading pending[0]
                        i = pending.popleft()
                        results[i] = _stopped(units[i], "memory_mb", "the process reading it stopped "
                                              f"({_ended(exitcode)}), most likely out of memory")
                        if pending:
                            queue.appendleft(list(pending))
                    continue
                if message is None:      # its run is done: another, or the end
                    if queue and time.monotonic() < scan_end:
                        give(entry)
                    else:
                        entry[3].send(None)
                        stop(conn)
                    continue
                i, result = message
                entry[1].remove(i)
                results[i] = result
                entry[2] = time.monotonic() + limits.unit_seconds
                # what arrives lives to the end of the scan: out of the cycle collector's way
                gc.freeze()
            now = time.monotonic()
            for conn, (proc, pending, deadline, _) in list(running.items()):
                if now >= scan_end:
                    stop(conn)
                elif now >= deadline and pending:
                    pending = stop(conn)
                    i = pending.popleft()
                    results[i] = _stopped(units[i], "unit_seconds",
                                          f"reading it took longer than {limits.unit_seconds:g} s and was stopped")
                    if pending:
                        queue.appendleft(list(pending))
    finally:
        for conn in list(running):
            stop(conn)
    for i, result in enumerate(results):
        if result is None:
            results[i] = _stopped(units[i], "scan_seconds", f"the scan ran past {limits.scan_seconds:g} s "
                                  "before this was read")
    return results


def _ended(exitcode) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


CHUNKS_PER_JOB = 8


def _chunks(units, jobs):
    """The units cut into runs of neighbours (discovery order: a module's examples and
    the module itself are neighbours, and a worker reads a module once for all the roots
    it serves, see terraform.loading._LOADED), each about 1/(CHUNKS_PER_JOB * jobs)
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


def _scan_instances(parsed: ParseResult, budget: int) -> None:
    """The instances budget over the whole scan: each unit kept its own under the budget,
    so many units can still add up. The units (resources of one scope, in order) past
    the budget are not checked, and each says so."""
    if len(parsed.resources) <= budget:
        return
    units: list = []                     # [(scope, its resources)], in the order of the units
    for resource in parsed.resources:
        if not units or units[-1][0] != resource.scope:
            units.append((resource.scope, []))
        units[-1][1].append(resource)
    kept: list = []
    full = False                         # the first unit that does not fit ends the budget
    for scope, resources in units:
        if not full and len(kept) + len(resources) <= budget:
            kept.extend(resources)
            continue
        full = True
        parsed.diagnostics.append(budgets.incomplete(
            scope, None, "instances", "the scan has more resource instances than the budget; "
            "this unit's were not checked"))
    parsed.resources = kept


def _drop_nested_roots(parsed: ParseResult) -> None:
    """A template that another scanned template uses as a nested stack is read through
    its parent, with the parameters the parent binds; read again on its own (every
    parameter unknown) it would count its resources twice. The same holds for a local
    Terraform module folder that a scanned root calls: it is reported through the call
    (issue 14), and scanned as a root of its own only when nothing in the scan calls it."""
    children = {os.path.normpath(r.file) for r in parsed.resources
                if r.format == "cloudformation" and r.call_sites}
    modules = set()
    for r in parsed.resources:
        if r.format == "terraform" and r.call_sites:
            modules.add(os.path.normpath(os.path.dirname(r.file) or "."))
            # a module that only calls other modules is a called folder too
            modules.update(os.path.normpath(os.path.dirname(f) or ".") for f, _ in r.call_sites[1:])
    if children or modules:
        parsed.resources = [r for r in parsed.resources if not (
            (r.format == "cloudformation" and not r.call_sites and os.path.normpath(r.scope) in children)
            or (r.format == "terraform" and os.path.normpath(r.scope) in modules))]

"""One scan, start to end: discover, parse, build the graph, run the rules, locate."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

from walint import __version__
from walint.engine import baseline as baseline_mod
from walint.engine import boundary, builtin, suppress
from walint.engine.discovery import discover, is_tf
from walint.engine.errors import UsageError
from walint.engine.loader import load_rules
from walint.engine.parse import parse_all
from walint.engine.paths import PathNamer
from walint.engine.report import Location, Report, Result, fingerprint
from walint.engine.selection import select
from walint.model.deploy_time import changed_at_deploy
from walint.model.finding import Finding
from walint.model.graph import Graph
from walint.model.rule import DEFAULT_PROFILE, LEVELS
from walint.parsers.base import INCOMPLETE, Diagnostic
from walint.reporters import safe


@dataclass
class ScanOptions:
    profile: str = DEFAULT_PROFILE
    fail_on: str = "error"
    select: list = field(default_factory=list)
    ignore: list = field(default_factory=list)
    severity_overrides: dict = field(default_factory=dict)    # rule id -> level
    variables: list = field(default_factory=list)             # [(key, value)]
    var_files: list = field(default_factory=list)
    params: list = field(default_factory=list)                # [(key, value)]
    parameter_files: list = field(default_factory=list)
    show_unknown: bool = False
    rule_paths: list = field(default_factory=list)
    exclude: object = None                                     # callable(path) -> bool
    respect_gitignore: bool = True        # skip what .gitignore files exclude while walking
    budgets: object = None                # walint.engine.budgets.Budgets (None: the defaults)
    jobs: int | None = None                                    # worker processes; None: one per core
    profile_for: object = None            # callable(file) -> profile (configuration `profiles`)
    path_ignored: object = None           # callable(rule, file) -> bool (`per-path-ignores`)
    inline_ignores: bool = True
    report_unused_ignores: bool = False
    baseline: str | None = None           # a baseline file: its findings are reported as suppressed
    today: object = None                  # datetime.date for suppression expiry (default today)
    configuration: dict = field(default_factory=dict)   # what the configuration file turned off
    root: str | None = None               # --root (default: boundary.scan_root of the paths)
    require_input: bool = False           # no IaC file under the paths is a UsageError (the CLI's default)


class _Locator:
    """Turns findings and diagnostics into located Results."""

    def __init__(self, namer, profile, overrides, profile_for=None, path_ignored=None):
        self.namer, self.profile, self.overrides = namer, profile, overrides
        self.profile_for, self.path_ignored = profile_for, path_ignored

    def level(self, rule, finding=None, file=None):
        """The rule's level for a file (its profile, per-path ignores); without a file,
        "off" only when the rule is off in every profile the configuration uses."""
        file = file if file is not None or finding is None else finding.resource.file
        if file is None:
            profiles = getattr(self.profile_for, "profiles", ())
            levels = [rule.level(p) for p in [self.profile, *profiles]]
            level = self.overrides.get(rule.id) or next((x for x in levels if x != "off"), "off")
        elif self.path_ignored is not None and self.path_ignored(rule, file):
            return "off"
        else:
            profile = self.profile_for(file) if self.profile_for else self.profile
            level = self.overrides.get(rule.id) or rule.level(profile)
        if finding is not None and finding.severity in LEVELS and level in LEVELS:
            # a rule may lower (never raise) the level of one finding
            level = max(level, finding.severity, key=LEVELS.index)
        return level

    def place(self, resource, path, message=""):
        line, column = resource.position(path) if path else (resource.line, resource.column)
        end = resource.end_line if not path and resource.end_line else line
        return Location(self.namer(resource.file), line, max(end, line), column,
                        resource.address, message)

    def finding(self, rule, f: Finding, level) -> Result:
        loc = self.place(f.resource, f.path)
        related = [self.place(rel.resource, rel.path, rel.message) for rel in f.related]
        attribute = ".".join(str(p) for p in f.path)
        key = f.key or attribute
        message, call_key = f.message, ""
        if f.resource.call_sites:
            # A module's resource, reached through a call: name the call, since two roots
            # calling one module give the same file, line and address (RULES.md §3.5).
            call_file, call_line = f.resource.call_sites[0]
            call = f"{self.namer(call_file)}:{call_line}"
            message = f"{message}. Through the call at {call}"
            related.append(Location(self.namer(call_file), call_line, call_line, 1, "",
                                    "the module call or nested stack that brings it in"))
            call_key = call
        return Result(rule, level, message, loc,
                      fingerprint(rule.id, loc.file, loc.address, key + call_key),
                      related=related, status=f.status, attribute=attribute, key=key)

    def parse_error(self, d: Diagnostic) -> Result | None:
        file = self.namer(d.file)
        loc = Location(file, d.line or 1, d.line or 1)
        rule = builtin.PARSE_ERROR
        level = self.level(rule, file=d.file)
        if level == "off":
            return None
        return Result(rule, level, d.message, loc,
                      fingerprint(rule.id, file, "", d.message))

    def incomplete(self, d: Diagnostic) -> Result | None:
        """A unit, module or resource walint could not fully evaluate (WAL-PARSE-002)."""
        rule = builtin.INCOMPLETE
        level = self.level(rule, file=d.file)
        if level == "off":
            return None
        file = self.namer(d.file)
        loc = Location(file, d.line or 1, d.line or 1, 1, d.address)
        return Result(rule, level, d.message, loc, fingerprint(rule.id, file, d.address, d.message))

    def rule_failed(self, rule, exc, anchor) -> Result | None:
        """A rule that raised: its checks did not run, which the scan must not pass over.
        The result stands at the first scanned file (a rule runs on the whole graph)."""
        level = self.level(builtin.INCOMPLETE)
        if level == "off":
            return None
        message = (f"rule {rule.id} ({rule.name}) stopped with an internal error "
                   f"({type(exc).__name__}: {exc}), so its checks did not run on this scan; "
                   "this is a walint bug, please report it")
        return Result(builtin.INCOMPLETE, level, message, Location(anchor, 1, 1),
                      fingerprint(builtin.INCOMPLETE.id, anchor, "", f"rule {rule.id}"),
                      key=f"rule {rule.id}")


def _kept(limits, resource_or_file, scope=None):
    """Pre-commit mode: keep only findings in the Terraform files named on the command
    line (a module's other files are read, not reported). A template beside them is only
    read when it was named, so its findings stay."""
    if not limits:
        return True
    file = os.path.normpath(resource_or_file)
    if not is_tf(file):
        return True
    scope = os.path.normpath(scope) if scope else os.path.dirname(file) or "."
    return scope not in limits or file in limits[scope]


def run_rules(graph, rules, locator, limits, anchor="", report_failures=True):
    """Run each rule; a rule that raises is an internal error and (with `report_failures`)
    a WAL-PARSE-002 finding at `anchor` (a file of the scan), the others still run."""
    results, unknowns, errors = [], [], []
    for rule in rules:
        level = locator.level(rule)
        try:
            findings = list(rule(graph) or ())
        except Exception as exc:  # one broken rule must not stop the scan
            errors.append(f"rule {rule.id} failed: {type(exc).__name__}: {exc}")
            failed = locator.rule_failed(rule, exc, anchor) if report_failures else None
            if failed is not None:
                results.append(failed)
            continue
        for f in findings:
            if not _kept(limits, f.resource.file, f.resource.scope):
                continue
            if f.status == "fail" and f.resource.optional:
                f.status = "unknown"
                f.message += " (the resource may not exist: its condition, count or for_each is unknown)"
            if f.status == "fail":
                changed = changed_at_deploy(graph, f.resource, f.setting)
                if changed:
                    f.status = "unknown"
                    f.message += f" ({changed})"
            level = locator.level(rule, f)
            if level == "off":  # off for this file: its profile or per-path ignores
                continue
            result = locator.finding(rule, f, level if f.status == "fail" else "note")
            (results if f.status == "fail" else unknowns).append(result)
    return results, unknowns, errors


def scan(paths, options: ScanOptions | None = None) -> Report:
    options = options or ScanOptions()
    all_rules = load_rules(options.rule_paths)
    chosen = select(list(builtin.ENGINE_RULES) + all_rules, options.select, options.ignore)
    root = os.path.abspath(options.root) if options.root else boundary.scan_root(paths)
    config_notes: list = []
    with boundary.active(_boundary(paths, root, options)):
        var_files = _config_files(options.var_files, config_notes)
        parameter_files = _config_files(options.parameter_files, config_notes)
        options = dataclasses.replace(options, var_files=var_files, parameter_files=parameter_files)
        return _scan(paths, options, all_rules, chosen, root, config_notes)


def _boundary(paths, root, options) -> boundary.Boundary:
    """What this scan may read: the scanned paths, the repository root, and the files
    named on the command line (var-files and parameter files the configuration did not
    name)."""
    from walint.engine.config import ConfigFile

    files = list(options.var_files) + list(options.parameter_files)
    roots = list(paths) or ["."]
    # a scanned path's own repository too (modules in ../modules when a repository is
    # scanned from elsewhere); found upward, so the scanned tree cannot choose it
    roots += [boundary.repository_root(r if os.path.isdir(r) else os.path.dirname(r) or ".")
              for r in roots]
    return boundary.Boundary(roots, root,
                             named=[f for f in files if not isinstance(f, ConfigFile)],
                             config_named=[f for f in files if isinstance(f, ConfigFile)])


def _config_files(files, notes) -> list:
    """The files to read, as plain paths: a file the configuration names is checked
    against the read boundary first, and refused with a note naming it as written
    (nothing of it is read, and whether it exists is not told either)."""
    from walint.engine.config import ConfigFile
    from walint.engine.errors import UsageError

    out = []
    for f in files:
        if isinstance(f, ConfigFile):
            why = boundary.current().refusal(f)
            if not why and os.path.lexists(f) and not os.path.isfile(f):
                why = "not a regular file"
            if why:
                # what the configuration asked for was not evaluated: never a silent pass
                notes.append(Diagnostic(f.config, None, f"{f.key}: {f.written}: {why}; not read, so "
                                        "the inputs it holds were not evaluated", "error", INCOMPLETE))
                continue
            if not os.path.exists(f):
                raise UsageError(f"{f.config}: {f.key}: {f.written}: no such file")
        out.append(str(f))
    return out


def _scan(paths, options, all_rules, chosen, root, refused=()) -> Report:
    inputs = discover(paths, options.exclude or (lambda p: False), options.respect_gitignore)
    inputs.diagnostics.extend(refused)
    if options.require_input and not inputs.found():
        named = ", ".join(paths) if paths else "."
        raise UsageError(f"{named}: no CloudFormation template or Terraform file to check "
                         f"(a wrong path? --allow-empty accepts this)")
    namer = PathNamer(inputs.roots, root=root)
    locator = _Locator(namer, options.profile, options.severity_overrides,
                       options.profile_for, options.path_ignored)
    limits = inputs.limits()

    parsed = parse_all(inputs, options, options.jobs)      # resources come normalized
    graph = Graph(parsed.resources, options.profile, options.profile_for)

    runnable = [r for r in chosen if not r.engine and locator.level(r) != "off"]
    anchor = _anchor(parsed.files or inputs.cfn_files or inputs.plan_files or list(paths), namer)
    incomplete_on = any(r is builtin.INCOMPLETE for r in chosen)
    results, unknowns, errors = run_rules(graph, runnable, locator, limits, anchor, incomplete_on)

    diagnostics = []
    parse_on = any(r is builtin.PARSE_ERROR for r in chosen)
    incomplete = len(errors)
    for d in list(inputs.diagnostics) + parsed.diagnostics:
        if d.level == "error" and d.code == "WAL-PARSE-001":
            if parse_on and _kept(limits, d.file):
                result = locator.parse_error(d)
                if result is not None:
                    results.append(result)
        elif d.code == INCOMPLETE:
            incomplete += 1
            result = locator.incomplete(d) if incomplete_on and _kept(limits, d.file) else None
            if result is not None:
                results.append(result)
            else:   # WAL-PARSE-002 switched off: still said, on standard error and in SARIF
                diagnostics.append(Diagnostic(d.file, d.line, f"not fully evaluated: {d.message}",
                                              "warning", INCOMPLETE, d.address))
        else:
            diagnostics.append(d)

    results.extend(_suppress(results, graph, locator, chosen, runnable, all_rules, limits,
                             parsed.diagnostics, options))
    stale = _baseline(results, options)

    ran = sorted({r.id: r for r in runnable + [res.rule for res in results]}.values(),
                 key=lambda r: r.id)
    for r in results + unknowns:
        _neutralise(r)
    results.sort(key=Result.sort_key)
    unknowns.sort(key=Result.sort_key)
    files = len({os.path.normpath(f) for f in parsed.files}) if parsed.files else len(inputs.cfn_files) + len(inputs.plan_files)
    return Report(version=__version__, profile=options.profile, fail_on=options.fail_on,
                  rules=ran, results=results, unknowns=unknowns,
                  diagnostics=sorted(set(diagnostics), key=lambda d: (d.file, d.line or 0, d.message)),
                  files=files, resources=len(graph.resources()), show_unknown=options.show_unknown,
                  base_uri=namer.base(), internal_errors=[safe.message(e) for e in errors],
                  incomplete=incomplete, graph=graph, namer=namer,
                  configuration=_configuration(options),
                  baseline=None if stale is None else {"file": options.baseline, "stale": stale})


def _suppress(results, graph, locator, chosen, runnable, all_rules, limits, diagnostics, options):
    """Inline suppressions: mark what they hold back, return the WAL-SUP-* results."""
    if not options.inline_ignores:
        return []
    parse_files = {locator.namer(d.file): d.file for d in diagnostics
                   if d.code == "WAL-PARSE-001" and d.file}
    ran = {r.id for r in runnable} | {builtin.PARSE_ERROR.id}
    known = {r.id for r in all_rules} | {r.id for r in builtin.ENGINE_RULES}
    outcome = suppress.apply(results, graph.resources(), locator,
                             enabled={r.id for r in chosen}, ran=ran, known=known,
                             kept=lambda f, scope=None: _kept(limits, f, scope),
                             report_unused=options.report_unused_ignores,
                             parse_files=parse_files, today=options.today)
    return outcome.results


def _baseline(results, options):
    """Findings in the baseline become suppressed; the entries matching none are returned."""
    if not options.baseline:
        return None
    return baseline_mod.apply(results, baseline_mod.read(options.baseline), options.baseline)


def _configuration(options) -> dict:
    """The configuration's effects (cli.settings) plus the paths its `exclude` kept out."""
    out = dict(options.configuration)
    excluded = getattr(options.exclude, "count", 0)
    if excluded:
        out["excluded_paths"] = excluded
    return out if set(out) - {"file"} else {}


def _anchor(files, namer) -> str:
    """Where a finding that belongs to no file stands: the first scanned file."""
    names = sorted(namer(f) for f in files)
    return names[0] if names else "."


def _neutralise(result) -> None:
    """Names and messages from scanned files made safe and bounded for every output
    format (walint.reporters.safe); fingerprints were taken before, from the full text."""
    loc = result.location
    names = [loc.address] + [rel.address for rel in result.related]
    result.message = safe.message(result.message, names)
    for where in [loc] + list(result.related):
        where.message = safe.message(where.message, names)
        where.address = safe.name(where.address)
        where.file = safe.name(where.file)
    if result.suppression and "reason" in result.suppression:
        result.suppression["reason"] = safe.message(result.suppression["reason"])

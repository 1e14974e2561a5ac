"""Turn the configuration file and command-line values into ScanOptions.

Precedence (CONTRACT.md: flags override the file):

* `--profile`, `--fail-on`, `--show-unknown`, `--no-inline-ignores`,
  `--report-unused-ignores`: the flag when given, else the file, else the default. An
  explicit `--profile` applies to every file: the file's `profiles` globs are then not used.
* `--select` replaces the file's `select`, `--ignore` replaces its `ignore`; a rule
  matching both the selection and an ignore is not run (ignore wins), whichever side
  each came from.
* `--var-file`/`--var` come after the file's `terraform.var-files`/`vars`, and
  `--parameters`/`--param` after `cloudformation.parameters`/`params`: the later wins.
* `--allow-empty` (else the file's `allow-empty`): paths holding no CloudFormation or
  Terraform file are not an error (exit 0 instead of 2).
* `severity` and `per-path-ignores` exist only in the file; `--exclude` adds to `exclude`.
* `budgets` in the file can only lower a budget; `--budget` raises or lowers it.
"""
from __future__ import annotations

import os

from walint.cli.options import key_values, split_list
from walint.engine import config as config_mod
from walint.engine.errors import UsageError
from walint.engine.run import ScanOptions
from walint.engine.selection import _matches
from walint.model.rule import DEFAULT_PROFILE


def _existing(paths, option):
    """Files named on the command line: they may lie anywhere, but must be regular files
    (never a FIFO, a device or /proc/self/environ: docs/security.md)."""
    from walint.engine import boundary

    for p in paths:
        if not os.path.exists(p):
            raise UsageError(f"{option} {p}: no such file")
        why = boundary.current().refusal(p, trusted=True)
        if why or not os.path.isfile(p):
            raise UsageError(f"{option} {p}: {why or 'not a regular file'}")
    return list(paths)


def _known_rules(rule_paths):
    from walint.engine.builtin import ENGINE_RULES
    from walint.engine.loader import load_rules

    return list(ENGINE_RULES) + load_rules(rule_paths)


def _check_selectors(rules, selectors, where):
    for sel in selectors:
        if not any(_matches(r, sel) for r in rules):
            raise UsageError(f"{where}: {sel}: matches no rule id, prefix, name, pillar or category")


def _path_ignored(cfg):
    """callable(rule, file) -> bool from `per-path-ignores`, or None."""
    if not cfg.per_path_ignores:
        return None
    entries = [(config_mod.GlobSet([g], cfg.base), sels) for g, sels in cfg.per_path_ignores]

    def ignored(rule, file):
        return any(any(_matches(rule, s) for s in sels) and globs(file) for globs, sels in entries)
    return ignored


class _CountingExcluder:
    """The configuration's `exclude`, counting the distinct paths it keeps out of a scan
    (the summary says how many: docs/security.md)."""

    def __init__(self, match):
        self.match, self.excluded = match, set()

    def __call__(self, path) -> bool:
        if self.match(path):
            self.excluded.add(path)
            return True
        return False

    @property
    def count(self) -> int:
        return len(self.excluded)


def _effects(cfg, rules, options, cli_select, cli_ignore, profile, fail_on) -> dict:
    """What the configuration file (not the command line) switches off or lowers: rules
    that would run without it and do not, severities set below the rule's level, per-path
    ignores, and a profile or fail-on level less strict than the defaults."""
    from walint.engine.selection import select
    from walint.model.rule import LEVELS
    from walint.reporters import safe

    out = {}
    if rules:
        without = {r.id for r in select(rules, cli_select, cli_ignore)}
        kept = {r.id for r in select(rules, options.select, options.ignore)}
        off = without - kept
        by_id = {r.id: r for r in rules}
        lowered = []
        for rule_id, level in cfg.severity.items():
            rule = by_id.get(rule_id)
            if rule is None or rule_id not in kept:
                continue
            usual = rule.level(options.profile)
            if level == "off" and usual != "off":
                off.add(rule_id)
            elif level in LEVELS and usual in LEVELS and LEVELS.index(level) > LEVELS.index(usual):
                lowered.append(rule_id)
        if off:
            out["rules_off"] = sorted(off)
        if lowered:
            out["severity_lowered"] = sorted(lowered)
    if cfg.per_path_ignores:
        out["per_path_ignores"] = len(cfg.per_path_ignores)
    if not profile and cfg.profile in ("development", "mvp"):
        out["profile"] = cfg.profile
    if not fail_on and cfg.fail_on == "never":
        out["fail_on"] = cfg.fail_on
    return {"file": safe.name(cfg.path), **out} if cfg.path else out


def _excluder(cfg, patterns):
    """The configuration's `exclude` (relative to its file) and `--exclude` (relative to
    the working directory), or None."""
    config_set = cfg.excluder()
    counted = _CountingExcluder(config_set) if config_set else None   # only the file's is counted
    cli_set = config_mod.GlobSet(patterns, os.getcwd(), "--exclude") if patterns else None
    if counted is None or cli_set is None:
        return counted or cli_set
    return _Either(counted, cli_set)


class _Either:
    """The configuration's excluder (counted) or the command line's."""

    def __init__(self, counted, other):
        self.counted, self.other = counted, other

    def __call__(self, path) -> bool:
        return self.other(path) or self.counted(path)

    @property
    def count(self) -> int:
        return self.counted.count


def _budgets(cfg, pairs):
    """Budgets: the configuration may only lower them (it comes with the scanned tree);
    `--budget` sets them either way."""
    from walint.engine.budgets import Budgets

    out = Budgets().with_values(cfg.budgets, f"{cfg.path or 'configuration'}: budgets", lower_only=True)
    return out.with_values(key_values(pairs, "--budget"), "--budget")


def load_config(config_file=None) -> config_mod.Config:
    return config_mod.resolve(config_file)


def build(*, profile=None, select_=(), ignore=(), config_file=None, variables=(), var_files=(),
          params=(), parameter_files=(), rule_paths=(), fail_on=None, show_unknown=None,
          no_inline_ignores=False, report_unused_ignores=None, baseline=None,
          allow_empty=None, config=None, jobs=None, exclude=(), no_gitignore=False, budgets=(),
          root=None, **_ignored) -> ScanOptions:
    cfg = config if config is not None else load_config(config_file)
    where = cfg.path or "configuration"

    rules = []
    if cfg.select or cfg.ignore or cfg.per_path_ignores or cfg.severity:
        rules = _known_rules(rule_paths)
        if cfg.select and not select_:
            _check_selectors(rules, cfg.select, f"{where}: select")
        if cfg.ignore and not ignore:
            _check_selectors(rules, cfg.ignore, f"{where}: ignore")
        for glob, sels in cfg.per_path_ignores:
            _check_selectors(rules, sels, f"{where}: per-path-ignores: {glob}")
        ids = {r.id for r in rules}
        for rule_id in cfg.severity:
            if rule_id not in ids:
                raise UsageError(f"{where}: severity: {rule_id}: no such rule id "
                                 f"(walint rules lists them)")

    chosen_profile = profile or cfg.profile or DEFAULT_PROFILE
    inline = cfg.inline_ignores if cfg.inline_ignores is not None else True
    if no_inline_ignores:
        inline = False
    options = ScanOptions(
        profile=chosen_profile,
        fail_on=fail_on or cfg.fail_on or "error",
        select=split_list(select_) if select_ else list(cfg.select or []),
        ignore=split_list(ignore) if ignore else list(cfg.ignore or []),
        severity_overrides=dict(cfg.severity),
        variables=list(cfg.variables) + key_values(variables, "--var"),
        var_files=list(cfg.var_files) + _existing(var_files, "--var-file"),
        params=list(cfg.params) + key_values(params, "--param"),
        parameter_files=list(cfg.parameter_files) + _existing(parameter_files, "--parameters"),
        show_unknown=bool(show_unknown if show_unknown is not None else cfg.show_unknown),
        rule_paths=list(rule_paths),
        exclude=_excluder(cfg, exclude),
        respect_gitignore=not no_gitignore,
        budgets=_budgets(cfg, budgets),
        profile_for=None if profile else cfg.profile_for(chosen_profile),
        path_ignored=_path_ignored(cfg),
        inline_ignores=inline,
        report_unused_ignores=bool(report_unused_ignores if report_unused_ignores is not None
                                   else cfg.report_unused_ignores),
        baseline=baseline,
        root=root,
        require_input=not (allow_empty if allow_empty is not None else cfg.allow_empty),
    )
    options.configuration = _effects(cfg, rules, options, split_list(select_), split_list(ignore),
                                     profile, fail_on)
    if jobs is not None and hasattr(options, "jobs"):
        options.jobs = jobs
    return options

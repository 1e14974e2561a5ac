"""Turn command-line values (and, later, configuration) into ScanOptions."""
from __future__ import annotations

import os

from walint.cli.options import key_values, split_list
from walint.engine.errors import UsageError
from walint.engine.run import ScanOptions
from walint.model.rule import DEFAULT_PROFILE


def _existing(paths, option):
    for p in paths:
        if not os.path.isfile(p):
            raise UsageError(f"{option} {p}: no such file")
    return list(paths)


def build(*, profile=None, select_=(), ignore=(), config_file=None, variables=(), var_files=(),
          params=(), parameter_files=(), rule_paths=(), fail_on=None, show_unknown=False,
          **_ignored) -> ScanOptions:
    return ScanOptions(
        profile=profile or DEFAULT_PROFILE,
        fail_on=fail_on or "error",
        select=split_list(select_),
        ignore=split_list(ignore),
        variables=key_values(variables, "--var"),
        var_files=_existing(var_files, "--var-file"),
        params=key_values(params, "--param"),
        parameter_files=_existing(parameter_files, "--parameters"),
        show_unknown=show_unknown,
        rule_paths=list(rule_paths),
    )

"""The Terraform reader: root modules (.tf, .tf.json) and `terraform show -json` plans.

    parse_modules(root_dirs, var_files=..., variables=...) -> ParseResult
    looks_like_plan(data) -> bool
    parse_plan(path) -> ParseResult

Nothing here raises: problems become `Diagnostic`s with a file and a line.

Modules: syntax (tree-sitter-hcl to a small syntax tree; JSON syntax), evaluate (lazy,
memoized evaluation of variables, locals, instances, modules), functions (built-ins),
values (internal value types), roots (input variables), plan (`terraform show -json`).

Choices worth knowing (see also RULES.md §0.3, §3.1, §3.5):
* `-var` values are literal strings for untyped and `string` variables and HCL for the
  rest, as Terraform does; tfvars files are always HCL.
* A root variable with no value is Unknown, except a zone list (`azs`, `zones`,
  `availability_zones`, ...), which becomes the zone list `AzList("VAR(name)")`.
* `for_each` over distinct zones known only by position (`toset(slice(data.aws_
  availability_zones.x.names, 0, 3))`) gives one instance per zone, keyed
  `"<GETAZS[0]>"`, with `each.key` the `AzIndex`.
* Modules not on disk: `terraform-aws-modules/{vpc,rds,security-group}/aws` become one
  facade resource of type `module:<source>` at the call; `cloudposse/label/null` gives
  its `enabled`/`context` outputs; any other output is Unknown (note WAL-TF-MODULE).
* Override files (`override.tf`, `*_override.tf`) are merged into the blocks they name.
"""
from __future__ import annotations

import json
import os

from walint.engine import boundary
from walint.parsers.base import ParseResult, incomplete, why_stopped

__all__ = ["parse_modules", "looks_like_plan", "parse_plan"]


def parse_modules(root_dirs, *, var_files=(), variables=()) -> ParseResult:
    """Parse each directory as a Terraform root module (all .tf and .tf.json files in it)."""
    from .evaluate import Evaluator

    result = ParseResult()
    ev = Evaluator()
    with boundary.scope(root_dirs):
        _evaluate_roots(ev, root_dirs, var_files, variables, result)
    result.diagnostics.extend(ev.diagnostics)
    result.files.extend(ev.files)
    return result


def _evaluate_roots(ev, root_dirs, var_files, variables, result):
    from . import syntax as S
    from .roots import evaluate_root

    for root in root_dirs:
        loaded_before = len(ev.module_cache)
        try:
            evaluate_root(ev, root, list(var_files), list(variables), result.resources)
        except Exception as e:  # noqa: BLE001 - the reader never raises
            ev.incomplete(root, None, f"the module was not fully evaluated: {why_stopped(e)}")
        finally:
            # the modules stay cached for the next roots, their syntax trees need not
            loaded = list(ev.module_cache.values())[loaded_before:]
            S.keep_trees([source for module in loaded for source in module.sources.values()])


def looks_like_plan(data) -> bool:
    """True for the output of `terraform show -json PLANFILE`."""
    if not isinstance(data, dict) or "format_version" not in data:
        return False
    return "planned_values" in data or ("configuration" in data and "terraform_version" in data)


def parse_plan(path: str) -> ParseResult:
    from .plan import read_plan
    try:
        with boundary.scope([path]):
            return read_plan(path)
    except Exception as e:  # noqa: BLE001 - the reader never raises
        r = ParseResult(files=[path])
        r.diagnostics.append(incomplete(path, 1, f"the plan was not read: {why_stopped(e)}"))
        return r

"""Root modules: input variables (defaults, tfvars, -var-file, -var) and modules.json."""
from __future__ import annotations

import json
import os

from walint.engine.boundary import Refused, link_note
from walint.parsers.base import INCOMPLETE, SourceError, encoding_problem, read_source

from . import syntax as S
from .loading import load_module
from .scope import ModuleInstance, Scope
from .values import Err, Unknown


def evaluate_root(ev, root, var_files, variables, out):
    ev.registry = {}
    ev.attr_cache = {}
    ev.in_progress = set()
    ev.depth = 0
    ev.modules_json = _modules_json(ev, root)
    if not os.path.isdir(root):
        ev.diag(root, None, f"{root} is not a directory", code="WAL-PARSE-001")
        for p in var_files:
            if not os.path.lexists(p):
                ev.diag(p, None, f"variables file {p} does not exist")
        return
    mod = load_module(root, ev)
    inst = ModuleInstance(mod, "", None, [], [], root)
    inst.inputs = _root_inputs(ev, root, inst, var_files, variables)
    ev.collect(inst, out)


def _modules_json(ev, root):
    path = os.path.join(root, ".terraform", "modules", "modules.json")
    ev.modules_json_written = {}
    if not os.path.lexists(path):
        return {}
    try:
        data = json.loads(read_source(path).decode("utf-8"))
    except Refused as e:
        ev.diag(path, None, _refused_note(path, e), level="error", code=INCOMPLETE)
        return {}
    except (SourceError, ValueError) as e:
        ev.diag(path, 1, f"cannot read modules.json: {e}", level="warning", code="WAL-TF-MODULE")
        return {}
    out = {}
    for ent in (data.get("Modules") or []) if isinstance(data, dict) else []:
        if not isinstance(ent, dict):
            continue
        key, d = ent.get("Key"), ent.get("Dir")
        if isinstance(key, str) and key and isinstance(d, str):
            out[key] = os.path.normpath(os.path.join(root, d))
            ev.modules_json_written[key] = d
    return out


def _candidate(ev, path) -> bool:
    """Is there a variables file at `path` to read (a broken link gets a note)?"""
    if os.path.islink(path) and not os.path.exists(path):
        ev.diag(path, None, "dangling symbolic link; skipped", level="note", code="WAL-IO")
        return False
    return os.path.lexists(path) and not os.path.isdir(path)


def _refused_note(path, error) -> str:
    """The note for a file the read boundary refused (nothing of it was read)."""
    why = link_note(str(error)) if os.path.islink(path) else f"{error}; not read"
    return f"{why}: what it holds was not evaluated"


def _tfvars_values(ev, path, inst):
    """The assignments of one .tfvars or .tfvars.json file, evaluated; {} on problems."""
    from walint.engine import budgets
    from walint.parsers.base import SourceError, read_source  # noqa: F811
    try:
        data = read_source(path, budgets.ACTIVE.vars_file_bytes)
    except Refused as e:
        ev.diag(path, None, _refused_note(path, e), level="error", code=INCOMPLETE)
        return {}
    except SourceError as e:
        ev.note_file(path)
        if "too large" in str(e):
            d = budgets.incomplete(path, None, "vars_file_bytes", f"variables file not read: {e}")
            ev.diag(d.file, d.line, d.message, level=d.level, code=d.code)
        else:
            ev.diag(path, 1, f"cannot read variables file: {e}")
        return {}
    ev.note_file(path)
    problem = encoding_problem(data)
    if problem:
        ev.diag(path, 1, problem)
        return {}
    scope = Scope(inst, file=path)
    out = {}
    if path.endswith(".json"):
        try:
            root, sf = S.parse_json_expression(path, data)
        except budgets.BudgetExceeded as exc:
            ev.over_budget(exc, path, None)
            return {}
        for line, msg in sf.errors:
            ev.diag(path, line, msg)
        if root is None:
            return {}
        if not isinstance(root, S.ObjectExpr):
            ev.diag(path, root.line, "a .tfvars.json file must hold an object")
            return {}
        for k, v in root.items:
            if isinstance(k, S.Lit) and isinstance(k.value, str):
                out[k.value] = _eval_literal(ev, v, scope, path)
        return out
    sf = S.parse_native(path, data)
    for line, msg in sf.errors:
        ev.diag(path, line, msg)
    for b in sf.body.blocks:
        ev.diag(path, b.line, f"a variables file holds only assignments, not a {b.type} block")
    for name, a in sf.body.attrs.items():
        out[name] = _eval_literal(ev, a.expr, scope, path)
    return out


def _eval_literal(ev, expr, scope, path):
    v = ev.eval(expr, scope)
    if isinstance(v, Err):
        ev.diag(path, expr.line, f"variables file value cannot be evaluated: {v.reason}", level="warning",
                code="WAL-TF-EVAL")
        return Unknown(v.reason)
    return v


def _root_inputs(ev, root, inst, var_files, variables):
    values = {}
    files = []
    # lexists, not isfile: a link to /proc or a FIFO under these names gets a note
    for name in ("terraform.tfvars", "terraform.tfvars.json"):
        p = os.path.join(root, name)
        if _candidate(ev, p):
            files.append(p)
    try:
        names = sorted(os.listdir(root))
    except OSError:
        names = []
    for n in names:
        if n.endswith(".auto.tfvars") or n.endswith(".auto.tfvars.json"):
            p = os.path.join(root, n)
            if _candidate(ev, p):
                files.append(p)
    for p in files:
        values.update(_tfvars_values(ev, p, inst))
    for p in var_files:
        if not os.path.lexists(p):
            ev.diag(p, None, f"variables file {p} does not exist")
            continue
        values.update(_tfvars_values(ev, p, inst))
    scope = Scope(inst, file="<command line>")
    for k, raw in variables:
        # Terraform takes -var literally for a variable with no type or type string,
        # and parses it as an HCL expression for any other type
        blk = inst.module.variables.get(k)
        ty = blk.attrs.get("type") if blk is not None else None
        literal = ty is None or (isinstance(ty.expr, S.Var) and ty.expr.name == "string") or (
            isinstance(ty.expr, S.Lit) and ty.expr.value == "string")
        if blk is not None and literal:
            values[k] = raw
            continue
        node = S.parse_expression_text(raw) if isinstance(raw, str) else None
        if node is None:
            values[k] = raw
            continue
        v = ev.eval(node, scope)
        values[k] = raw if isinstance(v, Unknown) else v
    return values

"""The configuration file: `.walint.yml`, `.walint.yaml` or `[tool.walint]` in
`pyproject.toml`, found upward from the current directory, or named with `--config`.

A configuration file is data only: YAML is read with `safe_load`, TOML with tomllib,
and no key names code to import (rule packs come only from `--rules-path`). The file is
checked against a JSON Schema; an unknown key or a bad value is a usage error naming
the file, the key and what is allowed.

Globs (`exclude`, `profiles`, `per-path-ignores`) are matched against paths relative to
the directory holding the configuration file, with `/` separators:

* `*` and `?` match within one path segment, `**` matches any number of segments;
* a glob without a `/` matches a file or directory name at any depth (`*.test.yaml`,
  `legacy`);
* a glob that matches a directory matches everything under it (`environments/dev`).
"""
from __future__ import annotations

import datetime
import os
import re
import sys
from dataclasses import dataclass, field

from walint.engine import boundary
from walint.engine.errors import UsageError
from walint.model.rule import PROFILES

CONFIG_NAMES = (".walint.yml", ".walint.yaml")
MAX_CONFIG_VALUES = 100_000      # a configuration is a page of settings, not a data set
CONFIG_BYTES = 1 << 20         # a configuration file is small; a larger one is refused
PYPROJECT = "pyproject.toml"

_SELECTORS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
_GLOBS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_FILES = {"type": "array", "items": {"type": "string", "minLength": 1}}
_SCALAR = {"type": ["string", "number", "boolean"]}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "walint configuration",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "profile": {"enum": list(PROFILES)},
        "profiles": {"type": "object", "additionalProperties": {"enum": list(PROFILES)}},
        "select": _SELECTORS,
        "ignore": _SELECTORS,
        "per-path-ignores": {"type": "object", "additionalProperties": _SELECTORS},
        "severity": {"type": "object",
                     "additionalProperties": {"enum": ["error", "warning", "note", "off"]}},
        "fail-on": {"enum": ["error", "warning", "note", "never"]},
        "exclude": _GLOBS,
        "terraform": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "var-files": _FILES,
                "vars": {"type": "object"},
            },
        },
        "cloudformation": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "parameters": _FILES,
                "params": {"type": "object", "additionalProperties": {
                    "oneOf": [_SCALAR, {"type": "array", "items": _SCALAR}]}},
            },
        },
        "budgets": {"type": "object", "additionalProperties": {"type": "number", "exclusiveMinimum": 0}},
        "show-unknown": {"type": "boolean"},
        "inline-ignores": {"type": "boolean"},
        "report-unused-ignores": {"type": "boolean"},
        "allow-empty": {"type": "boolean"},
    },
}

_TYPE_WORDS = {"string": "a string", "array": "a list", "object": "a mapping",
               "boolean": "true or false", "number": "a number", "integer": "an integer"}


# -- globs ------------------------------------------------------------------------------

MAX_GLOB_CHARS = 1000        # a longer glob is a mistake or an attack


def _backend() -> str:
    """RE2 matches in linear time (no glob can make discovery backtrack); without it,
    globs are normalised so that runs of `*` and `**` cannot nest (see _tame)."""
    try:
        import re2  # noqa: F401
    except ImportError:  # pragma: no cover - google-re2 has wheels for every platform we list
        return "simple"
    return "re2"


def _tame(pattern: str) -> str:
    """The same glob with runs of `**/` and of `*` collapsed: what makes a backtracking
    matcher exponential, and means the same thing once."""
    while "**/**/" in pattern:
        pattern = pattern.replace("**/**/", "**/")
    return re.sub(r"(?<!\\)\*{3,}", "**", pattern)


def compile_globs(patterns, where: str):
    """A pathspec GitIgnoreSpec for `patterns` (gitignore semantics); a glob that is not
    valid is a UsageError naming `where` and the glob."""
    import pathspec
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    backend = _backend()
    lines = []
    for p in patterns:
        text = p.replace("\\", "/") if os.sep == "\\" else p
        if len(text) > MAX_GLOB_CHARS:
            raise UsageError(f"{where}: a glob of {len(text)} characters is too long "
                             f"(at most {MAX_GLOB_CHARS})")
        text = _tame(text) if backend == "simple" else text
        try:
            GitIgnoreSpecPattern(text)
        except (re.error, ValueError, TypeError) as exc:
            why = re.sub(r" at position \d+$", "", _one_line(exc))
            raise UsageError(f"{where}: {text!r} is not a valid glob ({why})") from None
        lines.append(text)
    return pathspec.GitIgnoreSpec.from_lines(lines, backend=backend)


class GlobSet:
    """Globs matched relative to a base directory (the configuration file's), with
    gitignore semantics (README, Configuration)."""

    def __init__(self, patterns, base: str, where: str = "exclude"):
        self.patterns = [p.strip() for p in patterns if p and p.strip()]
        self.base = os.path.abspath(base)
        self.spec = compile_globs([_gitignore_form(p) for p in self.patterns], where) if self.patterns else None

    def relative(self, path: str) -> str:
        full = os.path.abspath(path)
        rel = os.path.relpath(full, self.base) if _under(full, self.base) else full
        return rel.replace(os.sep, "/")

    def match(self, path: str) -> str | None:
        """The glob deciding that `path` is matched, or None."""
        if self.spec is None:
            return None
        found = self.spec.check_file(self.relative(path))
        return self.patterns[found.index] if found.include else None

    def __call__(self, path: str) -> bool:
        return self.match(path) is not None

    def __bool__(self):
        return bool(self.patterns)


def _gitignore_form(pattern: str) -> str:
    """`./x` is `x` relative to the base; a trailing `/` is kept (directories only)."""
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern


def _under(path, base):
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


# -- the configuration ------------------------------------------------------------------

class ConfigFile(str):
    """A file the configuration names (terraform.var-files, cloudformation.parameters):
    the path to read, plus where it was named and how it was written, for the note when
    the read boundary refuses it."""

    def __new__(cls, path, key, written, config):
        self = super().__new__(cls, path)
        self.key, self.written, self.config = key, written, config
        return self


@dataclass
class Config:
    path: str = ""                 # the file it came from ("" when there is none)
    base: str = "."                # the directory globs and file names are relative to
    profile: str | None = None
    profiles: list = field(default_factory=list)          # [(glob, profile)]
    select: list | None = None
    ignore: list | None = None
    per_path_ignores: list = field(default_factory=list)  # [(glob, [selectors])]
    severity: dict = field(default_factory=dict)
    fail_on: str | None = None
    exclude: list = field(default_factory=list)
    var_files: list = field(default_factory=list)
    variables: list = field(default_factory=list)         # [(key, value)]
    parameter_files: list = field(default_factory=list)
    params: list = field(default_factory=list)            # [(key, value)]
    show_unknown: bool | None = None
    inline_ignores: bool | None = None
    report_unused_ignores: bool | None = None
    budgets: list = field(default_factory=list)           # [(name, value)]: can only lower them
    allow_empty: bool | None = None

    def excluder(self):
        """callable(path) -> bool for discovery, or None when nothing is excluded."""
        return GlobSet(self.exclude, self.base) if self.exclude else None

    def profile_for(self, default: str):
        """callable(file) -> profile, from `profiles` (first matching glob wins)."""
        if not self.profiles:
            return None
        sets = [(GlobSet([g], self.base), p) for g, p in self.profiles]

        def profile_of(path):
            if not path:
                return default
            for globs, profile in sets:
                if globs(path):
                    return profile
            return default
        profile_of.profiles = sorted({p for _, p in self.profiles} | {default})
        return profile_of


def find_config(start: str | None = None) -> str | None:
    """The configuration file for `start` (default: the current directory) or above."""
    here = os.path.abspath(start or os.getcwd())
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate):
                return candidate
        candidate = os.path.join(here, PYPROJECT)
        if os.path.isfile(candidate) and _pyproject_has_section(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def _read_bytes(path: str, named: bool) -> bytes:
    """A configuration file's bytes through the read boundary. One named with --config is
    the person's; one found upward inside the repository is the repository's, so it must
    be a regular file that resolves inside it (a committed `.walint.yml` linking to
    /etc/passwd is refused); one found above the repository root is the machine's."""
    if named:
        return boundary.read_trusted(path, limit=CONFIG_BYTES)
    root = boundary.repository_root()
    if _under(os.path.abspath(path), root):
        return boundary.Boundary(repo_root=root).read(path, limit=CONFIG_BYTES)
    return boundary.read_trusted(path, limit=CONFIG_BYTES)


def _pyproject_has_section(path: str) -> bool:
    try:
        text = _read_bytes(path, named=False)
    except boundary.ReadError:
        return False
    if b"walint" not in text:
        return False
    try:
        data = _toml().loads(text.decode("utf-8"))
    except Exception:
        # a pyproject.toml that mentions walint but does not parse: report it on load
        return b"[tool.walint" in text
    return isinstance(data.get("tool"), dict) and "walint" in data["tool"]


def _read(path: str, named: bool = True):
    """The raw configuration mapping of a file (or a UsageError naming the file)."""
    if not os.path.lexists(path):
        raise UsageError(f"{path}: no such configuration file")
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory, not a configuration file")
    try:
        raw = _read_bytes(path, named)
    except boundary.Refused as exc:
        raise UsageError(f"{path}: configuration file refused: {exc}") from None
    except boundary.ReadError as exc:
        raise UsageError(f"{path}: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    if os.path.basename(path) == PYPROJECT or path.endswith(".toml"):
        try:
            data = _toml().loads(text)
        except Exception as exc:
            raise UsageError(f"{path}: invalid TOML: {_one_line(exc)}") from None
        if os.path.basename(path) == PYPROJECT:
            tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
            if "walint" not in tool:
                raise UsageError(f"{path}: has no [tool.walint] table")
            return tool["walint"], "tool.walint."
        return data, ""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise UsageError(f"{path}: invalid YAML{where}: {_one_line(problem)}") from None
    except RecursionError:
        raise UsageError(f"{path}: invalid configuration: nested too deeply") from None
    except ValueError:      # an integer past Python's int-str conversion limit
        raise UsageError(f"{path}: invalid configuration: a number is too long") from None
    if data is None:
        data = {}
    from walint.engine.budgets import expanded_nodes

    if expanded_nodes(data, MAX_CONFIG_VALUES) > MAX_CONFIG_VALUES:
        # YAML aliases are shared until something copies them: an alias bomb stops here
        raise UsageError(f"{path}: holds more than {MAX_CONFIG_VALUES:,} values once its YAML "
                         "aliases are expanded; not read")
    return data, ""


def _one_line(text) -> str:
    return " ".join(str(text).split())


def _describe(error, prefix: str) -> str:
    """One line for one schema violation: the key, what is wrong, what is allowed."""
    path = [str(p) for p in error.absolute_path]
    key = prefix + ".".join(path) if path else (prefix.rstrip(".") or "the top level")
    v = error.validator
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        where = f"{prefix}{'.'.join(path)}." if path else prefix
        name = f"{where}{extra[0]}" if extra else key
        return f"unknown key '{name}'{_did_you_mean(extra[0] if extra else '', allowed)} " \
               f"(allowed: {', '.join(allowed)})"
    if v == "enum":
        return f"{key}: {error.instance!r} is not allowed (one of: {', '.join(map(str, error.validator_value))})"
    if v == "type":
        want = error.validator_value
        want = [want] if isinstance(want, str) else list(want)
        return f"{key}: {_short(error.instance)} is not {' or '.join(_TYPE_WORDS.get(w, w) for w in want)}"
    if v == "oneOf":
        return f"{key}: {_short(error.instance)} is not a string or a list of strings"
    if v == "minLength":
        return f"{key}: must not be empty"
    return f"{key}: {_one_line(error.message)}"


def _did_you_mean(name: str, allowed) -> str:
    """`; did you mean 'fail-on'?` for a near miss (`fail_on`, `failon`, `Fail-On`)."""
    import difflib

    folded = {a.replace("-", "").replace("_", "").lower(): a for a in allowed}
    key = str(name).replace("-", "").replace("_", "").lower()
    best = folded.get(key) or next(iter(difflib.get_close_matches(str(name), allowed, n=1)), None)
    return f"; did you mean '{best}'?" if best else ""


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate(data, path: str, prefix: str = "") -> None:
    import jsonschema

    if not isinstance(data, dict):
        raise UsageError(f"{path}: the configuration must be a mapping of keys, "
                         f"not {_TYPE_WORDS.get(_json_type(data), type(data).__name__)}")
    data = _jsonable(data)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(data),
                    key=lambda e: ([str(p) for p in e.absolute_path], e.validator != "additionalProperties"))
    if errors:
        raise UsageError(f"{path}: {_describe(errors[0], prefix)}")


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _jsonable(value):
    """YAML dates and the like as strings, keys as strings: what the schema sees."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def selectors(value) -> list:
    """A selector value (a comma-separated string or a list) as a flat list."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    out = []
    for item in items:
        out.extend(x.strip() for x in str(item).split(",") if x.strip())
    return out


def _param_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_param_text(v) for v in value)
    return str(value)


def load(path: str, named: bool = True) -> Config:
    """Read, validate and resolve one configuration file (`named`: with --config)."""
    data, prefix = _read(path, named)
    validate(data, path, prefix)
    data = _jsonable(data)
    base = os.path.dirname(os.path.abspath(path))

    def files(items, key):
        # Whether each file lies inside the read boundary is decided by the scan, which
        # knows the scanned paths (run.py, ConfigFile); until then nothing is opened.
        out = []
        for item in items or ():
            full = item if os.path.isabs(item) else os.path.join(base, item)
            out.append(ConfigFile(full, f"{prefix}{key}", item, path))
        return out

    for key in ("exclude", "profiles", "per-path-ignores"):
        if data.get(key):
            compile_globs([_gitignore_form(g) for g in data[key] if g and g.strip()], f"{path}: {prefix}{key}")
    tf = data.get("terraform") or {}
    cfn = data.get("cloudformation") or {}
    return Config(
        path=path, base=base,
        profile=data.get("profile"),
        profiles=list((data.get("profiles") or {}).items()),
        select=selectors(data["select"]) if "select" in data else None,
        ignore=selectors(data["ignore"]) if "ignore" in data else None,
        per_path_ignores=[(g, selectors(s)) for g, s in (data.get("per-path-ignores") or {}).items()],
        severity={str(k).strip().upper(): v for k, v in (data.get("severity") or {}).items()},
        fail_on=data.get("fail-on"),
        exclude=list(data.get("exclude") or ()),
        var_files=files(tf.get("var-files"), "terraform.var-files"),
        variables=[(str(k), v) for k, v in (tf.get("vars") or {}).items()],
        parameter_files=files(cfn.get("parameters"), "cloudformation.parameters"),
        params=[(str(k), _param_text(v)) for k, v in (cfn.get("params") or {}).items()],
        show_unknown=data.get("show-unknown"),
        inline_ignores=data.get("inline-ignores"),
        report_unused_ignores=data.get("report-unused-ignores"),
        budgets=list((data.get("budgets") or {}).items()),
        allow_empty=data.get("allow-empty"),
    )


def resolve(config_file: str | None = None, start: str | None = None) -> Config:
    """The configuration in effect: the named file, the one found upward, or none."""
    if config_file:
        return load(config_file)
    found = find_config(start)
    if not found:
        return Config(base=os.path.abspath(start or os.getcwd()))
    if _under(found, os.path.abspath(os.getcwd())):
        found = os.path.relpath(found)
    return load(found, named=False)

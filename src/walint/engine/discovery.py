"""Which files a scan reads, and as what (CONTRACT.md: walking PATHs, telling templates).

Terraform is read one module (directory) at a time; a `.tf` file named on the command
line brings its directory in, but findings are then reported only for the named files,
which is what pre-commit needs.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from walint.engine import boundary
from walint.engine.errors import UsageError
from walint.parsers.base import INCOMPLETE, Diagnostic, encoding_problem

SKIP_DIRS = frozenset({".git", ".terraform", "node_modules", ".hg", ".svn", "__pycache__",
                       ".venv", ".tox"})
CDK_OUT = "cdk.out"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
TF_SUFFIXES = (".tf", ".tf.json")
SNIFF_BYTES = 1 << 20          # how much of a YAML/JSON file is read to tell a template
MAX_FILE_BYTES = 32 << 20      # larger IaC files are reported, not read


@dataclass
class Inputs:
    cfn_files: list = field(default_factory=list)
    plan_files: list = field(default_factory=list)
    # module dir -> set of files findings are limited to, or None for the whole module
    tf_dirs: dict = field(default_factory=dict)
    too_large: list = field(default_factory=list)
    diagnostics: list = field(default_factory=list)
    roots: list = field(default_factory=list)     # the paths as given, for relative display

    def found(self) -> bool:
        """Whether the paths hold anything to check (a file that fails to parse counts)."""
        return bool(self.cfn_files or self.plan_files or self.tf_dirs or self.too_large
                    or any(d.code == "WAL-PARSE-001" for d in self.diagnostics))

    def limits(self) -> dict:
        """Module dirs brought in only by named files -> the files findings are kept for."""
        return {os.path.normpath(d): {os.path.normpath(f) for f in files}
                for d, files in self.tf_dirs.items() if files is not None}


def is_tf(name: str) -> bool:
    return name.endswith(TF_SUFFIXES)


def _is_template_name(name: str) -> bool:
    return name.endswith(TEMPLATE_SUFFIXES) and not name.endswith(".tf.json")


def _sniff(path: str):
    """Read the head of a candidate YAML/JSON file: (bytes, size) or (None, reason)."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None, "not a regular file"
        return boundary.read(path, head=SNIFF_BYTES), st.st_size
    except boundary.ReadError as exc:
        return None, str(exc).removeprefix("cannot read: ")
    except OSError as exc:
        return None, exc.strerror or str(exc)


def _classify_template(path: str, inputs: Inputs, explicit: bool) -> None:
    head, size = _sniff(path)
    if head is None:
        if explicit:
            inputs.diagnostics.append(Diagnostic(path, None, f"cannot read: {size}", "warning", "WAL-IO"))
        return
    if path.endswith(".json") and b'"terraform_version"' in head[:4096] and b'"format_version"' in head[:4096]:
        # the file-size limit holds for plans as for templates
        (inputs.too_large.append((path, size)) if size > MAX_FILE_BYTES else inputs.plan_files.append(path))
        return
    from walint.parsers.cloudformation import looks_like_template

    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # A UTF-16 file: tell a template by its decoded text, then report the encoding.
        text = head.decode("utf-16", errors="replace").encode("utf-8")
        if looks_like_template(path, text):
            inputs.diagnostics.append(Diagnostic(path, 1, encoding_problem(head)))
        return
    if looks_like_template(path, head):
        if size > MAX_FILE_BYTES:
            inputs.too_large.append((path, size))
        else:
            inputs.cfn_files.append(path)
    elif explicit:
        inputs.diagnostics.append(_not_iac(path, "does not look like a CloudFormation template"))


def _not_iac(path: str, why: str) -> Diagnostic:
    """A file named on the command line that walint does not read: said on standard error
    (no finding), so that a typo or a wrong file is visible."""
    return Diagnostic(path, None, f"{why}; skipped", "note", "WAL-IO")


def _add_tf(path: str, inputs: Inputs, explicit: bool) -> None:
    directory = os.path.dirname(path) or "."
    if explicit:
        files = inputs.tf_dirs.get(directory, set())
        if files is not None:
            files.add(path)
            inputs.tf_dirs[directory] = files
    else:
        inputs.tf_dirs[directory] = None


def _broken_link(path: str) -> str:
    import errno

    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
    return "dangling symbolic link"


def _regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _walk(root: str, inputs: Inputs, exclude, ignored=None) -> None:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        keep = []
        for d in sorted(dirnames):
            full = os.path.join(dirpath, d)
            if d in SKIP_DIRS or d == CDK_OUT or exclude(full) or (ignored and ignored(full, True)):
                continue
            if os.path.islink(full):
                inputs.diagnostics.append(Diagnostic(
                    full, None, "symbolic link to a directory not followed", "note", "WAL-IO"))
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if not (is_tf(name) or _is_template_name(name)) or exclude(full):
                continue
            if ignored and ignored(full, False):
                continue
            if os.path.islink(full):
                if not os.path.exists(full):
                    inputs.diagnostics.append(Diagnostic(
                        full, None, f"{_broken_link(full)}; skipped", "note", "WAL-IO"))
                    continue
                why = boundary.current().refusal(full)
                if why and not is_tf(name):
                    # a file of the tree walint did not read: what it holds is not checked (a
                    # .tf link is said once, by the module loader, which refuses it the same way)
                    inputs.diagnostics.append(Diagnostic(full, None, f"{boundary.link_note(why)}: nothing "
                                                         "in it was checked", "error", INCOMPLETE))
                    continue
            elif not _regular(full):
                inputs.diagnostics.append(Diagnostic(
                    full, None, "not a regular file (a FIFO, socket or device); skipped", "note", "WAL-IO"))
                continue
            if is_tf(name):
                _add_tf(full, inputs, explicit=False)
            else:
                _classify_template(full, inputs, explicit=False)


def discover(paths, exclude=lambda path: False, respect_gitignore=True) -> Inputs:
    """Walk the given paths (default "."); a path that does not exist is a usage error.
    Files named on the command line are read whatever `.gitignore` says."""
    inputs = Inputs(roots=list(paths) or ["."])
    with boundary.scope(inputs.roots):
        _discover(inputs, exclude, respect_gitignore)
    inputs.cfn_files = sorted(set(inputs.cfn_files))
    inputs.plan_files = sorted(set(inputs.plan_files))
    inputs.tf_dirs = dict(sorted(inputs.tf_dirs.items()))
    return inputs


def _discover(inputs: Inputs, exclude, respect_gitignore) -> None:
    for path in inputs.roots:
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or directory")
        if os.path.isdir(path):
            ignored = None
            if respect_gitignore:
                from walint.engine.gitignore import Ignored

                ignored = Ignored(path, inputs.diagnostics)
            _walk(path, inputs, exclude, ignored)
        elif is_tf(path):
            _add_tf(path, inputs, explicit=True)
        elif _is_template_name(path):
            _classify_template(path, inputs, explicit=True)
        else:
            inputs.diagnostics.append(_not_iac(
                path, "not a CloudFormation template or Terraform file (.tf, .tf.json, .yaml, "
                      ".yml, .json, .template)"))

"""`.gitignore` files, honoured while discovery walks a directory (`--no-respect-gitignore`
turns this off): what git would not commit is usually generated or vendored, not the
infrastructure under review.

Git's rules: a `.gitignore` applies to its directory and everything below, a deeper
file's patterns win over a shallower one's, `!pattern` re-includes, and a pattern ending
in `/` matches directories only. The `.gitignore` files of the directories between the
repository root (the nearest directory above holding `.git`) and the scanned directory
apply too. Patterns are matched by pathspec on RE2 (linear time: a hostile pattern
cannot make discovery backtrack); a line that is not a valid pattern is skipped, as git
does.
"""
from __future__ import annotations

import os

from walint.engine.config import MAX_GLOB_CHARS, _backend, _tame
from walint.parsers.base import Diagnostic, SourceError, read_source

MAX_GITIGNORE_BYTES = 1 << 20
MAX_GITIGNORE_LINES = 10_000


class Ignored:
    """callable(path, is_dir) -> bool for paths under `root`."""

    def __init__(self, root: str, diagnostics: list):
        self.diagnostics = diagnostics
        self.specs: dict = {}            # directory -> [(directory, spec)] applying inside it
        root = os.path.abspath(root)
        chain: list = []
        for directory in _above(root):
            chain = chain + self._own(directory)
        if _matches(chain, root, True):
            chain = []                   # a directory named on the command line is scanned
        self.specs[root] = chain + self._own(root)
        self.root = root

    def _own(self, directory: str) -> list:
        path = os.path.join(directory, ".gitignore")
        if os.path.islink(path) or not os.path.isfile(path):
            return []
        try:
            text = read_source(path, MAX_GITIGNORE_BYTES).decode("utf-8", "replace")
        except SourceError as exc:
            self.diagnostics.append(Diagnostic(path, None, f"{exc}; its patterns are not used",
                                               "note", "WAL-IO"))
            return []
        spec = _compile(text.splitlines()[:MAX_GITIGNORE_LINES])
        return [(directory, spec)] if spec is not None else []

    def _specs_for(self, directory: str) -> list:
        specs = self.specs.get(directory)
        if specs is None:
            parent = os.path.dirname(directory)
            specs = (self._specs_for(parent) if parent != directory and parent.startswith(self.root)
                     else []) + self._own(directory)
            self.specs[directory] = specs
        return specs

    def __call__(self, path: str, is_dir: bool) -> bool:
        full = os.path.abspath(path)
        return _matches(self._specs_for(os.path.dirname(full)), full, is_dir)


def _matches(specs, full: str, is_dir: bool) -> bool:
    """Whether the last .gitignore pattern that decides about `full` ignores it."""
    ignored = False
    for base, spec in specs:
        rel = os.path.relpath(full, base).replace(os.sep, "/") + ("/" if is_dir else "")
        found = spec.check_file(rel)
        if found.include is not None:
            ignored = found.include
    return ignored


def _above(root: str) -> list:
    """The directories from the repository root down to `root`'s parent (none when
    `root` is not inside a git work tree, or is its root)."""
    chain, here = [], root
    while not os.path.exists(os.path.join(here, ".git")):
        parent = os.path.dirname(here)
        if parent == here:
            return []
        here = parent
        chain.append(here)
    return list(reversed(chain))


def _compile(lines):
    """A GitIgnoreSpec of the valid lines, or None when there are none."""
    import pathspec
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    backend = _backend()
    kept = []
    for line in lines:
        if not line.strip() or line.startswith("#") or len(line) > MAX_GLOB_CHARS:
            continue
        line = _tame(line) if backend == "simple" else line
        try:
            GitIgnoreSpecPattern(line)
        except Exception:     # git skips a pattern it cannot read; so do we
            continue
        kept.append(line)
    return pathspec.GitIgnoreSpec.from_lines(kept, backend=backend) if kept else None

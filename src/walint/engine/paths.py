"""How a file is named in output: relative to the working directory when it is under it
(in CI that is the repository root, what code scanning needs), else relative to the
scanned path; forward slashes always (CONTRACT.md, SARIF artifactLocation.uri)."""
from __future__ import annotations

import os


class PathNamer:
    def __init__(self, roots, cwd=None):
        self.cwd = os.path.abspath(cwd or os.getcwd())
        self.roots = [os.path.abspath(r if os.path.isdir(r) else (os.path.dirname(r) or "."))
                      for r in roots]
        self._cache = {}

    @staticmethod
    def _under(path, base):
        return path == base or path.startswith(base.rstrip(os.sep) + os.sep)

    def base(self) -> str:
        """The directory relative paths start from (SARIF %SRCROOT%)."""
        if all(self._under(r, self.cwd) for r in self.roots):
            return self.cwd
        return self.roots[0] if self.roots else self.cwd

    def __call__(self, file: str) -> str:
        if file in self._cache:
            return self._cache[file]
        full = os.path.abspath(file)
        if self._under(full, self.cwd):
            rel = os.path.relpath(full, self.cwd)
        else:
            root = next((r for r in sorted(self.roots, key=len, reverse=True)
                         if self._under(full, r)), None)
            # A file outside every scanned path (a module the scanned code calls from
            # `../`) is named relative to the SARIF base, never absolute.
            rel = os.path.relpath(full, root or self.base())
        out = rel.replace(os.sep, "/")
        self._cache[file] = out
        return out

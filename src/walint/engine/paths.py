"""How a file is named in output: relative to the repository root (the nearest folder at
or above the working directory holding `.git`, else the working directory; `--root`
overrides), whatever folder walint was started from, so that code scanning places
alerts and baseline fingerprints match from any folder (CONTRACT.md, SARIF
artifactLocation.uri). Forward slashes always, never an absolute path.

A file outside the repository root (an absolute path elsewhere named on the command
line) is named relative to the scanned path that holds it; one outside every scanned
path too (a `--var-file` elsewhere) relative to the repository root (`../...`).
"""
from __future__ import annotations

import os

from walint.engine.boundary import repository_root


class PathNamer:
    def __init__(self, roots, cwd=None, root=None):
        self.cwd = os.path.abspath(cwd or os.getcwd())
        self.root = os.path.abspath(root) if root else repository_root(self.cwd)
        self.roots = [os.path.abspath(os.path.join(self.cwd, r if os.path.isdir(r) else
                                                   (os.path.dirname(r) or ".")))
                      for r in roots]
        self._cache = {}

    @staticmethod
    def _under(path, base):
        return path == base or path.startswith(base.rstrip(os.sep) + os.sep)

    def base(self) -> str:
        """The directory relative paths start from (SARIF %SRCROOT%)."""
        return self.root

    def __call__(self, file: str) -> str:
        if file in self._cache:
            return self._cache[file]
        full = os.path.normpath(os.path.join(self.cwd, file))
        if self._under(full, self.root):
            rel = os.path.relpath(full, self.root)
        else:
            scan_root = next((r for r in sorted(self.roots, key=len, reverse=True)
                              if self._under(full, r)), None)
            rel = os.path.relpath(full, scan_root or self.root)
            if scan_root is not None and rel == ".":
                rel = os.path.basename(full)
        out = rel.replace(os.sep, "/")
        self._cache[file] = out
        return out

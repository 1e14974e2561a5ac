"""The read boundary: the one function through which walint opens a file to read it.

In CI the scanned tree and the repository's configuration file come from whoever opened
the pull request, while the job's secrets sit in its environment and on its disk and
walint's output is public (docs/security.md). So a file is read only when

* its resolved path (symbolic links followed) lies under a scanned path or under the
  repository root, and not inside a `.git` directory (`.git/config` can hold the
  checkout's token), or the person running walint named it on the command line; and
* it is a regular file: FIFOs, sockets, devices and the files of /proc, /sys and /dev
  are refused everywhere, command line included (a FIFO would block, /proc/self/environ
  holds the job's secrets and looks like an empty regular file).

Callers turn `Refused` into a note naming the path as it was written; nothing of a
refused file is read. The checks run on the resolved path and the file is opened with
O_NOFOLLOW and O_NONBLOCK, so neither a symbolic link nor a FIFO slips in between.
"""
from __future__ import annotations

import os
import stat
from contextlib import contextmanager

MAX_FILE_BYTES = 32 << 20          # an input larger than this is reported, not read
SPECIAL_DIRS = ("/proc", "/sys", "/dev")
IAC_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json", ".yaml", ".yml", ".json",
                ".template")


class ReadError(Exception):
    """A file that cannot be read; the message is for the user."""


class Refused(ReadError):
    """A file outside the boundary, or not a regular file: nothing of it is read."""


def repository_root(start: str | None = None) -> str:
    """The nearest directory at or above `start` (default: the working directory) that
    holds `.git` (a directory, or the file of a worktree or submodule), else `start`."""
    here = os.path.abspath(start or os.getcwd())
    return _git_above(here) or here


def _git_above(path: str) -> str | None:
    probe = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
    while True:
        if os.path.lexists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent


def scan_root(paths, start: str | None = None) -> str:
    """The repository root of a scan: the repository holding the scanned paths (the
    nearest folder at or above them holding `.git`) when they share one, else the
    working directory's (`repository_root`). So a repository checked out under `src/`
    and scanned from the workspace, or scanned from its parent folder, gets the same
    paths as when it is scanned from its own root."""
    found = {_git_above(p) for p in (list(paths) or ["."])}
    if len(found) == 1 and None not in found:
        return found.pop()
    return repository_root(start)


def _under(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def _special_devices() -> frozenset:
    devices = set()
    for d in SPECIAL_DIRS:
        try:
            devices.add(os.stat(d).st_dev)
        except OSError:
            pass
    return frozenset(devices)


_SPECIAL = _special_devices()


_SPECIAL_PREFIXES = tuple(d + os.sep for d in SPECIAL_DIRS)


def _special(real: str) -> bool:
    return real.startswith(_SPECIAL_PREFIXES) or real in SPECIAL_DIRS


class Boundary:
    """Where files may be read from: resolved directories, plus files named on the
    command line (`named`), which may lie anywhere but must still be regular files."""

    def __init__(self, roots=(), repo_root: str | None = None, named=(), config_named=()):
        dirs = []
        for r in list(roots) + [repo_root or repository_root()]:
            d = r if os.path.isdir(r) else (os.path.dirname(r) or ".")
            dirs.append(os.path.realpath(d))
        self.dirs = tuple(sorted(set(dirs)))
        self._dir_set = frozenset(self.dirs)
        self.named = frozenset(os.path.realpath(p) for p in named)
        self.config_named = frozenset(os.path.realpath(p) for p in config_named)
        self.key = (self.dirs, tuple(sorted(self.named)))
        self._real_dirs: dict = {}

    def resolve(self, path: str) -> str:
        """os.path.realpath, with each directory resolved once per scan (most files share
        their folder with others; only a final component that is a link is followed
        anew)."""
        head, tail = os.path.split(os.path.abspath(path))
        if not tail:
            return os.path.realpath(path)
        real_head = self._real_dirs.get(head)
        if real_head is None:
            real_head = self._real_dirs[head] = os.path.realpath(head)
        full = os.path.join(real_head, tail)
        return os.path.realpath(full) if os.path.islink(full) else full

    def refusal(self, path: str, trusted: bool = False, real: str | None = None) -> str | None:
        """Why `path` may not be read, or None. `trusted`: the person named it."""
        real = real or self.resolve(path)
        if _special(real):
            return "not a regular file (a device or a /proc or /sys file)"
        if trusted or real in self.named:
            return None
        container = self._container(real)
        if container is None:
            return "outside the repository and the scanned paths"
        if ".git" in os.path.relpath(real, container).split(os.sep):
            return "inside a .git directory"
        return None

    def _container(self, real: str) -> str | None:
        """The deepest allowed directory holding `real` (a walk up its parents: the cost
        does not grow with the number of scanned paths)."""
        probe = real
        while True:
            if probe in self._dir_set:
                return probe
            parent = os.path.dirname(probe)
            if parent == probe:
                return None
            probe = parent

    def allows_dir(self, path: str) -> str | None:
        """Why nothing under directory `path` may be read, or None."""
        return self.refusal(os.path.join(path, "."))

    def read(self, path: str, *, limit: int | None = MAX_FILE_BYTES, head: int | None = None,
             trusted: bool = False) -> bytes:
        """The bytes of `path` (at most `head` of them when given); raises Refused or
        ReadError. A file over `limit` bytes is not read."""
        real = self.resolve(path)
        why = self.refusal(path, trusted, real)
        if why:
            raise Refused(why)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) \
            | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(real, flags)
        except OSError as exc:
            raise ReadError(f"cannot read: {exc.strerror or exc}") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_dev in _SPECIAL:
                raise Refused("not a regular file (a FIFO, socket, device or /proc file)")
            if head is None and limit is not None and st.st_size > limit:
                raise ReadError(f"file is too large to read ({st.st_size / (1 << 20):.0f} MB; "
                                f"the limit is {limit >> 20} MB)")
            want = head if head is not None else (limit + 1 if limit is not None else None)
            chunks, total = [], 0
            while want is None or total < want:
                chunk = os.read(fd, min(1 << 20, want - total) if want is not None else 1 << 20)
                if not chunk:
                    break
                total += len(chunk)
                chunks.append(chunk)
            if head is None and limit is not None and total > limit:
                raise ReadError(f"file is too large to read (over {limit >> 20} MB)")
            return b"".join(chunks)
        except OSError as exc:
            raise ReadError(f"cannot read: {exc.strerror or exc}") from None
        finally:
            os.close(fd)

    def quotable(self, path: str) -> bool:
        """May a message quote this file's text? Only an IaC file reached by its own
        name: not through a symbolic link, and not named by the configuration."""
        return path.endswith(IAC_SUFFIXES) and not os.path.islink(path) \
            and self.resolve(path) not in self.config_named


def link_note(why: str) -> str:
    """The note for a symbolic link the boundary refuses (discovery, the module loader and
    the tfvars reader say the same words, so the note is printed once)."""
    return f"symbolic link not followed: its target is {why}"


_ACTIVE: Boundary | None = None


def current() -> Boundary:
    """The boundary of the scan under way; outside a scan, the repository's."""
    return _ACTIVE if _ACTIVE is not None else Boundary()


@contextmanager
def active(boundary: Boundary):
    """Make `boundary` the one every read goes through (worker processes forked
    meanwhile inherit it)."""
    global _ACTIVE
    previous, _ACTIVE = _ACTIVE, boundary
    try:
        yield boundary
    finally:
        _ACTIVE = previous


@contextmanager
def scope(roots):
    """For the parsers' own entry points: when no scan set a boundary, the paths they
    were given and the repository root are the boundary."""
    if _ACTIVE is not None:
        yield _ACTIVE
        return
    with active(Boundary(roots)) as b:
        yield b


def read(path: str, **kw) -> bytes:
    """Read `path` through the current boundary (see Boundary.read)."""
    return current().read(path, **kw)


def read_trusted(path: str, **kw) -> bytes:
    """Read a file the person named on the command line (or walint's own installation):
    anywhere, but only a regular file."""
    return current().read(path, trusted=True, **kw)


_QUOTED = None


def conceal(message: str) -> str:
    """A parse message without the file text it quotes (for files that may not be quoted)."""
    global _QUOTED
    if _QUOTED is None:
        import re

        _QUOTED = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*\"""")
    return _QUOTED.sub("'…'", message)

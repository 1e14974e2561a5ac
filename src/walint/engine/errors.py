"""Errors that end a command with exit code 2 and one clear line (CONTRACT.md)."""


class UsageError(Exception):
    """A bad command line or configuration: the message names the file, key or value."""

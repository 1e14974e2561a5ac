"""Neutralise text taken from scanned files before it reaches a terminal or a CI log:
control characters (escape sequences, newlines, NUL) become visible escapes."""
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def safe(text) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                        else f"\\u{ord(m.group()):04x}", str(text))

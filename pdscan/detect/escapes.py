"""Escape sequences read as the separators they stand for.

A JSON string or a quoted logfmt value writes a line break as `\\n`: in `"a\\nbob@example.com"`
the `n` is glued to the address, which then reads `nbob@example.com`, and an IP address after
`\\n` or `\\t` has a letter before it and is no address at all. Detection reads the text with
the letters of such escapes (`\\n \\r \\t \\b \\f`, `\\u003c`) blanked: each escape keeps its
length, so every offset stays the same, and values are still shown from the text as written.
An escaped backslash (`\\\\n` is a backslash, then `n`) is left alone.
"""

from __future__ import annotations

import re

_ESCAPE_BYTES = re.compile(rb"\\(?:\\|u[0-9A-Fa-f]{4}|[nrtbf])")
_ESCAPE_TEXT = re.compile(r"\\(?:\\|u[0-9A-Fa-f]{4}|[nrtbf])")


def _blank_bytes(match: re.Match[bytes]) -> bytes:
    escape = match.group()
    return escape if escape == b"\\\\" else b"\\" + b" " * (len(escape) - 1)


def _blank_text(match: re.Match[str]) -> str:
    escape = match.group()
    return escape if escape == "\\\\" else "\\" + " " * (len(escape) - 1)


def blank_escapes(block: bytes) -> bytes:
    """The block with escapes' letters blanked (the block itself when it holds no backslash)."""
    return _ESCAPE_BYTES.sub(_blank_bytes, block) if b"\\" in block else block


def blank_escapes_in_line(line: str) -> str:
    return _ESCAPE_TEXT.sub(_blank_text, line) if "\\" in line else line

"""Control characters from scanned sources made harmless before they reach a terminal, a CI log or a file.

A table name, a file name or a log field may hold terminal escapes (`ESC]0;title BEL`, `ESC[2J`):
printed raw they would rewrite the engineer's terminal or hide lines of a CI log. Each C0 and C1
control character except tab and newline is shown as its Unicode control picture (`␛`) or `�`,
one character wide like the column widths assume.

Machine formats (JSON, NDJSON, SARIF) keep every name exactly, so a parser reads what the
database holds: `json_text` writes the control characters as `\\u` escapes instead, the C1 ones
too (U+009B is a one-character CSI to some terminals), which `json.dumps` leaves raw.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment

_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\t\n"}
_PICTURES[0x7F] = "\u2421"  # ␡
_PICTURES.update({code: "\ufffd" for code in range(0x80, 0xA0)})
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in range(0x7F, 0xA0)}  # json.dumps escapes C0 itself
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what `visible` or `json_text` replaces


def visible(text: str) -> str:
    """`text` with its control characters (but tab and newline) replaced by visible ones."""
    return text.translate(_PICTURES) if _CONTROLS.search(text) else text


def json_text(document: object, indent: int | None = None) -> str:
    """JSON with letters as written and every control character escaped. Outside strings JSON
    is ASCII, so a DEL or C1 character in the text can only be inside one, where `\\u` is valid."""
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    return text.translate(_JSON_ESCAPES) if _CONTROLS.search(text) else text  # a search is far cheaper


class Visible:
    """A renderable printed with the control characters of its text made visible; rich's own
    styling (colours) is added after, so it is kept."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        segments: Iterable[Segment] = console.render(self.inner, options)
        for segment in segments:
            yield segment if segment.control else Segment(visible(segment.text), segment.style)

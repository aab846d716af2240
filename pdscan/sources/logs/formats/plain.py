"""Plain text: the whole line is free text, unless it holds a JSON document.

A file is plain when most of its first lines fit no format, yet JSON lines behind a start-up
banner, or interleaved with other output, name their values by key like any JSON log: such a
line is read as JSON, field paths and all.
"""

from __future__ import annotations

import re

from pdscan.model import Field
from pdscan.sources.logs.formats.interface import WithoutHeader
from pdscan.sources.logs.formats.json_lines import JsonLines

JSON_OBJECT = re.compile(r'\{\s*"[^"\\]*(?:\\.[^"\\]*)*"\s*:')  # `{"key":`, where a JSON object opens


class PlainText(WithoutHeader):
    name = "plain"
    positional = False

    def __init__(self) -> None:
        self._json = JsonLines()

    def fields(self, line: str) -> list[Field] | None:
        if JSON_OBJECT.search(line):
            fields = self._json.fields(line)
            if fields is not None:
                return fields
        return [Field(None, 0, len(line), free_text=True)]

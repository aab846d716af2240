"""Plain text: the whole line is free text."""

from __future__ import annotations

from pdscan.sources.logformats.interface import Field, WithoutHeader


class PlainText(WithoutHeader):
    name = "plain"
    positional = False

    def fields(self, line: str) -> list[Field] | None:
        return [Field(None, 0, len(line), free_text=True)]

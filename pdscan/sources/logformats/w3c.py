"""W3C extended log files (IIS): space-separated values named by a `#Fields:` header."""

from __future__ import annotations

from pdscan.sources.logformats.interface import Field

FREE_TEXT = frozenset({"cs-uri-query", "cs(referer)", "cs(cookie)", "cs-uri"})


class W3cExtended:
    name = "w3c"
    positional = True

    def __init__(self) -> None:
        self.names: list[str] = []

    def fields(self, line: str) -> list[Field] | None:
        if line.startswith("#") or not self.names:
            return None
        fields = []
        position = 0
        for name, value in zip(self.names, line.split(" "), strict=False):
            if value and value != "-":
                fields.append(Field(name, position, position + len(value), free_text=name.lower() in FREE_TEXT))
            position += len(value) + 1
        return fields

    def header(self, line: str) -> bool:
        if not line.startswith("#Fields:"):
            return False
        self.names = line[len("#Fields:") :].split()
        return True

    @staticmethod
    def is_header(line: str) -> bool:
        return line.startswith(("#Fields:", "#Software: Microsoft"))

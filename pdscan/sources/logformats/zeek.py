"""Zeek (Bro) TSV logs: tab-separated values named by a `#fields` header; `-` is unset."""

from __future__ import annotations

from pdscan.sources.logformats.interface import Field

UNSET = frozenset({"-", "(empty)"})
FREE_TEXT = frozenset({"uri", "referrer", "query", "msg", "sub"})


class ZeekTsv:
    name = "zeek"
    positional = True

    def __init__(self) -> None:
        self.names: list[str] = []

    def fields(self, line: str) -> list[Field] | None:
        if line.startswith("#") or not self.names:
            return None
        fields = []
        position = 0
        for name, value in zip(self.names, line.split("\t"), strict=False):
            if value not in UNSET:
                fields.append(Field(name, position, position + len(value), free_text=name in FREE_TEXT))
            position += len(value) + 1
        return fields

    def header(self, line: str) -> bool:
        if not line.startswith("#fields"):
            return False
        self.names = line.rstrip("\r\n").split("\t")[1:]
        return True

    @staticmethod
    def is_header(line: str) -> bool:
        return line.startswith(("#separator", "#fields\t"))

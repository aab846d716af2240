"""Values separated by one character and named by a header line: the shape W3C extended logs
(IIS, `#Fields:`) and Zeek TSV logs (`#fields`) share. A header inside the file renames the
columns from there on."""

from __future__ import annotations

from pdscan.detect.readable import shown_name
from pdscan.model import Field


class HeaderNamedColumns:
    name = ""
    positional = True
    has_headers = True
    separator = " "
    header_prefix = ""
    identifying: tuple[str, ...] = ()  # header lines that say a file is in this format
    unset: frozenset[str] = frozenset()  # values meaning "no value"
    free_text: frozenset[str] = frozenset()  # columns whose values may hold `key=value` pairs

    def __init__(self) -> None:
        self.names: list[str] = []

    def fields(self, line: str) -> list[Field] | None:
        if line.startswith("#") or not self.names:
            return None
        fields = []
        position = 0
        for name, value in zip(self.names, line.split(self.separator_of(line)), strict=False):
            if value and value not in self.unset:
                end = position + len(value)
                fields.append(Field(name, position, end, free_text=name.lower() in self.free_text))
            position += len(value) + 1
        return fields

    def header(self, line: str) -> bool:
        if not line.startswith(self.header_prefix):
            return False
        names = line[len(self.header_prefix) :].strip()
        self.names = [shown_name(name) for name in names.split(self.separator_of(names))]
        return True

    def separator_of(self, line: str) -> str:
        """The character this line's values are separated by: one per format unless it says otherwise."""
        return self.separator

    @classmethod
    def is_header(cls, line: str) -> bool:
        return line.startswith(cls.identifying)

"""Values separated by one character and named by a header line: the shape W3C extended logs
(IIS, `#Fields:`) and Zeek TSV logs (`#fields`) share. A header inside the file renames the
columns from there on.

Every line of such a log is read (its columns are known by position), so cutting it into fields
is on the hot path: the fields are built by C-level iterators over the split line, not a Python
loop per value, which made it the largest single cost of reading these logs."""

from __future__ import annotations

from itertools import accumulate, compress, count, repeat
from operator import add, sub

from pdscan.detect.readable import shown_name
from pdscan.model import Field


class HeaderNamedColumns:
    name = ""
    positional = True
    has_headers = True
    escapes = True
    separator = " "
    header_prefix = ""
    identifying: tuple[str, ...] = ()  # header lines that say a file is in this format
    unset: frozenset[str] = frozenset()  # values meaning "no value"
    free_text: frozenset[str] = frozenset()  # columns whose values may hold `key=value` pairs

    def __init__(self) -> None:
        self.names: list[str] = []
        self._free_text: list[bool] = []  # per column of `names`: whether it is free text
        self._absent = dict.fromkeys((*self.unset, ""), False)  # values that make no field: unset, or empty

    def fields(self, line: str) -> list[Field] | None:
        """Per column holding a value (not empty, not unset), its name and span; values past the
        last named column are left out."""
        if line.startswith("#") or not self.names:
            return None
        values = line.split(self.separator_of(line))
        lengths = list(map(len, values))
        ends = list(map(add, accumulate(lengths), count()))  # one separator before each value but the first
        spans = zip(self.names, map(sub, ends, lengths), ends, self._free_text, strict=False)
        present = map(self._absent.get, values, repeat(True))
        return list(map(tuple.__new__, repeat(Field), compress(spans, present)))

    def header(self, line: str) -> bool:
        if not line.startswith(self.header_prefix):
            return False
        names = line[len(self.header_prefix) :].strip()
        self.names = [shown_name(name) for name in names.split(self.separator_of(names))]
        self._free_text = [name.lower() in self.free_text for name in self.names]
        return True

    def separator_of(self, line: str) -> str:
        """The character this line's values are separated by: one per format unless it says otherwise."""
        return self.separator

    @classmethod
    def is_header(cls, line: str) -> bool:
        return line.startswith(cls.identifying)

"""How a slice of a positional log's lines is cut into columns, all lines at once, and what
stands around each column's values in every line: the separators a value is searched between
(pdscan/sources/logs/segments.py)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from operator import methodcaller

from pdscan.sources.logs.formats import LogFormat
from pdscan.sources.logs.formats.access import BLOCK as ACCESS_BLOCK
from pdscan.sources.logs.formats.columns import HeaderNamedColumns

# One line's columns, in the order they stand; lines whose columns are not known: their numbers.
Columns = list[Sequence[str]]
Split = Callable[[str, list[str]], tuple[Columns, list[int]]]


@dataclass(frozen=True)
class Column:
    """One column of a layout: what stands around its values in every line."""

    path: str | None  # the field's name; None in unnamed free text
    free_text: bool
    # False: no field (an access log's time or status): anything found there sends the line to the whole reading
    field: bool
    before: str  # the separators before its values ('' at the line's start)
    after: str  # after them ('' at the line's end)
    absent: frozenset[str] = frozenset()  # values that make no field in a line (W3C `-`, empty free text)


@dataclass(frozen=True)
class Layout:
    """How a slice of one format's lines is cut into columns, all lines at once."""

    columns: tuple[Column, ...]
    split: Split
    line_end: str = ""  # the last column's `after` that the lines, cut at their line breaks, no longer hold

    @property
    def separators(self) -> str:
        """Every character standing between columns."""
        return "".join(sorted({character for column in self.columns for character in column.before + column.after}))

    def starts(self, columns: Columns, lines: list[str], column: int) -> list[int]:
        """Where a column's values start, line by line: the separators and values before them
        added up in C (`map` over the columns' lengths), or those after them taken from the
        line's length, whichever are fewer."""
        count = len(self.columns)
        if column < count // 2:
            separators = sum(len(self.columns[index].before) for index in range(column + 1))
            if not column:
                return [separators] * len(lines)
            before = map(sum, zip(*[map(len, columns[index]) for index in range(column)], strict=True))
            return list(map(separators.__add__, before))
        separators = sum(len(self.columns[index].before) for index in range(column + 1, count))
        separators += len(self.columns[-1].after) - len(self.line_end)
        after = map(sum, zip(*[map(len, columns[index]) for index in range(column, count)], strict=True))
        return list(map((-separators).__add__, map(operator.sub, map(len, lines), after)))

    def holds(self, columns: Columns, line: int, start: int, end: int) -> bool:
        """Whether start..end of a line lies inside one of its values."""
        position = 0
        for column, values in zip(self.columns, columns, strict=True):
            position += len(column.before)
            value_end = position + len(values[line])
            if start < value_end:
                return position <= start and end <= value_end
            position = value_end
        return False


# The access log's combined format. Its time, status and size are no fields, its trailing text
# after the agent is unnamed free text; the referer and agent group (8th) only tells a common line.
_ACCESS_COLUMNS = (
    Column("remote_host", False, True, "", " "),
    Column(None, False, False, " ", " "),  # ident
    Column("remote_user", False, True, " ", " ["),
    Column(None, False, False, " [", '] "'),  # time
    Column("request", True, True, '] "', '" ', frozenset({""})),
    Column(None, False, False, '" ', " "),  # status
    Column(None, False, False, " ", ' "'),  # size
    Column("referer", True, True, ' "', '" "', frozenset({""})),
    Column("user_agent", False, True, '" "', '"'),
    Column(None, True, True, '"', "", frozenset({""})),  # the rest of the line
)
_COMBINED = 7  # BLOCK's referer-and-agent group (0-based in a row)
_USER = 2  # the remote user's column


def _access_split(text: str, lines: list[str]) -> tuple[Columns, list[int]]:
    """Every line matched by the access pattern at once: a match cannot leave its line, so as
    many matches as lines means every line matched, in order."""
    rows = ACCESS_BLOCK.findall(text)
    unparsed: list[int] = []
    if len(rows) != len(lines):
        matches = [ACCESS_BLOCK.match(line) for line in lines]
        unparsed = [index for index, match in enumerate(matches) if match is None]
        empty = ("",) * ACCESS_BLOCK.groups
        rows = [empty if match is None else match.groups("") for match in matches]
    columns: Columns = list(zip(*rows, strict=True)) if rows else [()] * ACCESS_BLOCK.groups
    combined = columns.pop(_COMBINED)
    if "" in combined:  # common-format lines (no referer and agent): read whole
        unparsed += [index for index, text in enumerate(combined) if not text]
    users = columns[_USER]
    if any(map(methodcaller("startswith", '"'), users)):  # a quoted login, the field within its quotes: read whole
        unparsed += [index for index, user in enumerate(users) if user.startswith('"')]
    return columns, unparsed


def _split_by(separator: str, count: int) -> Split:
    def split(text: str, lines: list[str]) -> tuple[Columns, list[int]]:
        rows = [line.split(separator) for line in lines]
        unparsed = [] if set(map(len, rows)) <= {count} else [i for i, row in enumerate(rows) if len(row) != count]
        for index in unparsed:  # values past the named columns, or fewer: read whole
            rows[index] = [""] * count
        return (list(zip(*rows, strict=True)) if rows else [()] * count), unparsed

    return split


def layout_of(log_format: LogFormat, text: str, line_end: str = "") -> Layout | None:
    """The layout of a slice of this format's lines, `line_end` (a `\r`) after each line's last
    column; None where there is none to use (no `#Fields:` read yet)."""
    if isinstance(log_format, HeaderNamedColumns):
        names = log_format.names
        if len(names) < 2:
            return None
        separator = log_format.separator_of(text)  # W3C: tabs when the slice holds one (CloudFront)
        absent = frozenset(log_format._absent)
        last = len(names) - 1
        columns = tuple(
            Column(name, free, True, separator if index else "", separator if index < last else line_end, absent)
            for index, (name, free) in enumerate(zip(names, log_format._free_text, strict=True))
        )
        return Layout(columns, _split_by(separator, len(names)), line_end)
    if log_format.name == "access":
        rest = _ACCESS_COLUMNS[-1]
        return Layout((*_ACCESS_COLUMNS[:-1], replace(rest, after=line_end)), _access_split, line_end)
    return None

"""The values of a positional log's columns judged so far, per process: what each holds, and
which need more than a count. Bounded per column and together, so that columns of ever-new
values (a Zeek uid, a timestamp) keep memory flat: past a bound, memos start again."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from pdscan.detect.line_analyser import LineAnalyser, Occurrence
from pdscan.sources.logs.layouts import Column

MEMO_SIZE = 20_000  # values remembered per column: a column of ever-new values (a Zeek uid) starts again
MEMO_BYTES = 32 << 20  # about what all columns' values hold at most (characters, and ENTRY_BYTES each)
ENTRY_BYTES = 120  # a remembered value's own cost beyond its characters: the string, the dict entry


class Judged(NamedTuple):
    """What one value of a column holds, found in the value alone."""

    occurrences: tuple[Occurrence, ...]  # in the order reading the line gives them
    whole_line: bool  # only reading the whole line is exact
    not_after: tuple[tuple[int, int, bool], ...]  # (rule, start in the value, its answer in the value alone)
    phrases: tuple[tuple[int, int], ...]  # (trigger, start in the value): its phrase must not follow in the line


NOTHING = Judged((), False, (), ())
WHOLE = Judged((), True, (), ())


@dataclass
class ColumnValues:
    """The values of one column judged so far, and which of them need more than a count."""

    judged: dict[str, Judged] = field(default_factory=dict)
    holding: set[str] = field(default_factory=set)  # values with occurrences
    # Values by what they hold: (field, data type, detector) of each occurrence. Counting a run
    # of lines adds up per kind, in C, rather than value by value.
    kinds: dict[tuple[tuple[str | None, str, str], ...], set[str]] = field(default_factory=dict)
    whole: set[str] = field(default_factory=set)  # values whose lines are read whole
    checked: set[str] = field(default_factory=set)  # values with checks to make in each line

    weight: int = 0  # bytes its values hold, about

    def clear(self) -> None:
        self.judged.clear()
        self.holding.clear()
        self.kinds.clear()
        self.whole.clear()
        self.checked.clear()
        self.weight = 0

    def keep(self, value: str, judged: Judged) -> None:
        self.judged[value] = judged
        if judged.occurrences:
            self.holding.add(value)
            kind = tuple((found.field, found.data_type, found.detector) for found in judged.occurrences)
            self.kinds.setdefault(kind, set()).add(value)
        if judged.whole_line:
            self.whole.add(value)
        elif judged.not_after or judged.phrases:
            self.checked.add(value)


@cache
def value_memo(analyser: LineAnalyser) -> Memos:
    """Per process (and analyser): the values judged, kept from one unit to the next."""
    return Memos()


class Memos(dict[Column, ColumnValues]):
    """Each column's judged values, bounded per column (MEMO_SIZE) and together (MEMO_BYTES)."""

    weight = 0

    def __missing__(self, column: Column) -> ColumnValues:
        memo = self[column] = ColumnValues()
        return memo

    def make_room(self, memos: list[ColumnValues], news: list[list[str]]) -> bool:
        """Make room for a slice's new values in its columns' memos; whether any started again
        (then the values it held are judged anew with the new)."""
        added = [sum(map(len, new)) + ENTRY_BYTES * len(new) for new in news]
        cleared = False
        if self.weight + sum(added) > MEMO_BYTES:
            for every in self.values():
                every.clear()
            self.weight = 0
            cleared = True
        for memo, new in zip(memos, news, strict=True):
            if len(memo.judged) + len(new) > MEMO_SIZE:
                self.weight -= memo.weight
                memo.clear()
                cleared = True
        return cleared

    def weigh(self, memos: list[ColumnValues], news: list[list[str]]) -> None:
        """Count what the new values will hold."""
        for memo, new in zip(memos, news, strict=True):
            weight = sum(map(len, new)) + ENTRY_BYTES * len(new)
            memo.weight += weight
            self.weight += weight

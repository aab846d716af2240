"""Positional logs (access, W3C, Zeek) read a slice at a time by distinct column values, the
engine included.

The column memo (columnar.py) judges each distinct value of a column once, but the engine still
reads every line and every line is cut and counted in Python: the engine and the checks of its
candidates alone run at about a tenth of ripgrep's speed. Here a slice of lines is cut into
columns by one regular expression or split per line (C), each column's values are counted
(`collections.Counter`, C), and only values never seen before are searched, together, each with
the separators around it. A line costs a few C-level steps; a value, one search in its life.

A value searched alone finds what the engine and its checks find in the whole line only where
nothing they read runs from one column into the next. That is made sure of as follows:
- triggers whose matches may hold a separator (trigger_reach: card numbers and IBANs written
  with spaces, phrases, `accept.language`) are searched over the whole slice too, and a line
  they match anywhere is read whole;
- the rules' look-back and look-ahead runs must stop at the separators, or the format's lines
  are read as before (`usable`);
- where a `not_after` reads back past the value's column (up to 32 bytes, across separators:
  `v 192.0.2.1`), its answer in the line must equal its answer in the value alone, and a phrase
  trigger's phrase (which may run on past the column) must not follow in the line: both are
  checked in each line that holds such a value, the line read whole where they differ;
- an event in the separators or in text that is no field, a value in unnamed free text, a key
  word whose `=` or `:` might stand in the next column: the line is read whole.
Lines that are not ASCII, hold a backslash (an escape), or do not parse are read whole too, in
their place among the others, so counts, first and last lines and samples come out as reading
line by line gives them (the identical-findings tests compare both on every format).
"""

from __future__ import annotations

import bisect
import operator
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import accumulate, compress, filterfalse, repeat
from operator import methodcaller
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any, NamedTuple

from pdscan.detect.engine import Engine, Event, compile_engine
from pdscan.detect.escapes import blank_escapes, blank_escapes_in_line
from pdscan.detect.line_analyser import LineAnalyser, Occurrence
from pdscan.detect.trigger_reach import may_cross
from pdscan.detect.values import NOT_AFTER_WINDOW
from pdscan.model import Field
from pdscan.ruleset.backwards import reversed_pattern
from pdscan.sources.logs.columnar import MEMO_VALUE
from pdscan.sources.logs.counting import SAMPLES, FieldStats, StatsByField, offer
from pdscan.sources.logs.formats import LogFormat
from pdscan.sources.logs.formats.access import BLOCK as ACCESS_BLOCK
from pdscan.sources.logs.formats.columns import HeaderNamedColumns

MEMO_SIZE = 20_000  # values remembered per column: a column of ever-new values (a Zeek uid) starts again
MEMO_BYTES = 32 << 20  # about what all columns' values hold at most (characters, and ENTRY_BYTES each)
ENTRY_BYTES = 120  # a remembered value's own cost beyond its characters: the string, the dict entry
WHOLE_SHARE = 4  # a slice with more than one line in 4 to read whole is read as before

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


class Judged(NamedTuple):
    """What one value of a column holds, found in the value alone."""

    occurrences: tuple[Occurrence, ...]  # in the order reading the line gives them
    whole_line: bool  # only reading the whole line is exact
    not_after: tuple[tuple[int, int, bool], ...]  # (rule, start in the value, its answer in the value alone)
    phrases: tuple[tuple[int, int], ...]  # (trigger, start in the value): its phrase must not follow in the line


NOTHING = Judged((), False, (), ())
WHOLE = Judged((), True, (), ())


@dataclass
class _ColumnValues:
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
_ACCESS_GROUPS = (1, 2, 3, 4, 5, 6, 7, 9, 10, 11)  # BLOCK's groups for those columns
_COMBINED = 7  # BLOCK's referer-and-agent group (0-based in a row)


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


@cache
def crossing_engine(analyser: LineAnalyser, separators: str, engine_name: str | None) -> Engine | bool | None:
    """The engine over the triggers that may cross `separators`; None when none may; False when
    this path is not for these rules (users' rules loaded, or a look-back or look-ahead run that
    a separator does not stop)."""
    triggers = analyser.crossing_triggers(separators + "\n")  # a match may run on into the next line
    if triggers is None or not _runs_stop_at(analyser, separators):
        return False
    return compile_engine(triggers, engine_name) if triggers else None


def _runs_stop_at(analyser: LineAnalyser, separators: str) -> bool:
    """Whether the rules' look-back and look-ahead runs (`[class]*`) stop at every separator."""
    runs = [run for value in analyser.values for run in (value.lookback, value.lookahead) if run is not None]
    return not any(run.fullmatch(character.encode()) for run in runs for character in separators)


class SegmentReader:
    """Reads slices of one unit's positional lines by their columns' distinct values."""

    def __init__(self, analyser: LineAnalyser, engine: Engine, log_format: LogFormat, show_data: bool) -> None:
        self.analyser = analyser
        self.engine = engine
        self.log_format = log_format
        self.show_data = show_data
        self.values = _values(analyser)
        self._not_after = [value.not_after for value in analyser.values]
        self._answers: dict[tuple[int, str], bool] = {}  # answers of checks in lines, by the text they read

    def read(
        self,
        piece: bytes,
        number: int,
        carried: int,
        stats: StatsByField,
        read_whole: Callable[[bytes, int, int, list[Event]], None],
    ) -> bool:
        """Count the slice's occurrences into `stats`, its first line numbered `number` + 1;
        False where this path does not take it (the caller reads it as before). Lines read whole
        go to `read_whole(line, number, shift, events)` in their place."""
        if self.log_format.has_headers and (piece.startswith(b"#") or b"\n#" in piece):
            return False  # a header may rename the columns from its line on
        plain = piece.isascii()
        text = piece.decode("ascii" if plain else "utf-8", "surrogateescape")
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        line_end = ""
        if "\r" in text:  # Windows line ends (IIS): each line's `\r` stands after its last column
            if not all(map(methodcaller("endswith", "\r"), lines)):
                return False
            lines = [line[:-1] for line in lines]
            text, line_end = "\n".join(lines), "\r"
        layout = layout_of(self.log_format, text, line_end)
        if layout is None:
            return False
        crossing = crossing_engine(self.analyser, layout.separators, self.engine.name)
        if crossing is False:
            return False
        columns, unparsed = layout.split(text, lines)
        whole = set(unparsed)
        if carried:
            whole.add(0)  # the rest of a line begun in the slice before
        if not plain:
            whole.update(index for index, line in enumerate(lines) if not line.isascii())
        if b"\\" in piece:  # an escape the engine reads blanked (IIS's `DOMAIN\\user` blanks nothing)
            whole.update(index for index, line in enumerate(lines) if blank_escapes_in_line(line) != line)
        if crossing is not None:
            whole.update(_crossed(layout, columns, crossing.scan(piece), piece, whole))  # type: ignore[union-attr]
        distinct = [set(values) for values in columns]
        memos = [self.values[column] for column in layout.columns]
        unjudged = self._judge_new(layout, distinct, memos)
        for index, (values, memo, present, left) in enumerate(zip(columns, memos, distinct, unjudged, strict=True)):
            if left:
                whole.update(line for line, value in enumerate(values) if value in left)
            if memo.whole and not memo.whole.isdisjoint(present):
                whole.update(line for line, value in enumerate(values) if value in memo.whole)
            if memo.checked and not memo.checked.isdisjoint(present):
                whole.update(self._failing_checks(layout, lines, columns, index, memo, whole))
        if len(whole) * WHOLE_SHARE > len(lines):
            return False
        self._count(piece, lines, columns, distinct, memos, sorted(whole), number, carried, stats, read_whole)
        return True

    def _judge_new(self, layout: Layout, distinct: list[set[str]], memos: list[_ColumnValues]) -> list[set[str]]:
        """Judge every value of the slice not judged before, in one search of them all; per
        column, the values left unjudged (not ASCII, or longer than MEMO_VALUE: their lines are
        read whole, and memory stays bounded)."""
        texts: list[str] = []
        # per column: its new values, and where they start in `texts`
        owners: list[tuple[Column, _ColumnValues, list[str], int]] = []
        unjudged: list[set[str]] = []
        news: list[list[str]] = []
        for memo, present in zip(memos, distinct, strict=True):
            new = list(filterfalse(memo.judged.__contains__, present))
            left: set[str] = set()
            if new and (not all(map(str.isascii, new)) or max(map(len, new)) > MEMO_VALUE):
                left = {value for value in new if len(value) > MEMO_VALUE or not value.isascii()}
                new = [value for value in new if value not in left]
            unjudged.append(left)
            news.append(new)
        if self.values.make_room(memos, news):  # started again: every value of the slice is new
            news = [[v for v in present if v not in left] for present, left in zip(distinct, unjudged, strict=True)]
        self.values.weigh(memos, news)
        for column, memo, new in zip(layout.columns, memos, news, strict=True):
            if new:
                owners.append((column, memo, new, len(texts)))
                texts.extend(map(operator.add, map(column.before.__add__, new), repeat(column.after)))
        if not texts:
            return unjudged
        block = "\n".join(texts).encode("ascii")  # a line break after each, as after a line's last column
        starts = [0, *accumulate(map((1).__add__, map(len, texts[:-1])))]
        raw = self.engine.scan(block)
        found: dict[int, tuple[list[Event], list[tuple[int, int]]]] = {}
        for trigger, start, end in self.analyser.validated(block, raw):
            index = bisect.bisect_right(starts, start) - 1
            found.setdefault(index, ([], []))[0].append((trigger, start - starts[index], end - starts[index]))
        for trigger, place in self.analyser.not_after_places(block, raw):
            index = bisect.bisect_right(starts, place) - 1
            found.setdefault(index, ([], []))[1].append((trigger, place - starts[index]))
        for column, memo, new, first in owners:
            named = column.field and column.path is not None and self.analyser.key_rule(column.path) is not None
            if not named and not any(first <= index < first + len(new) for index in found):
                memo.judged.update(dict.fromkeys(new, NOTHING))  # nothing in any of them: the usual case, in C
                continue
            for index, value in enumerate(new, first):
                if index in found:
                    events, places = found[index]
                    events.sort(key=_START)
                    memo.keep(value, self._judge(column, value, texts[index].encode("ascii"), events, places))
                else:
                    memo.keep(value, _nothing_in(self.analyser, column, value))
        return unjudged

    def _judge(
        self,
        column: Column,
        value: str,
        text: bytes,
        events: list[Event],
        places: list[tuple[int, int]],
    ) -> Judged:
        """One value with the separators around it (`text`): what reading its line whole would
        find in it, or WHOLE where only that reading is exact."""
        start, end = len(column.before), len(column.before) + len(value)
        analyser = self.analyser
        not_after = tuple(
            (trigger, found - start, analyser.not_after_holds(trigger, text, found))
            for trigger, found in places
            if found < NOT_AFTER_WINDOW and _reads_back_past(analyser, trigger, column.before)
        )
        if not column.field or value in column.absent:
            return WHOLE if events else Judged((), False, not_after, ())
        values, phrases_end = len(analyser.values), analyser.key_trigger
        line = text.decode("ascii")
        phrases = []
        for trigger, begin, finish in events:
            if begin < start or finish > end:
                return WHOLE  # in the separators, or across them
            if trigger < values:
                if column.path is None:
                    return WHOLE  # in unnamed free text the key before a value may stand in an earlier column
            elif trigger < phrases_end:
                if analyser.phrase_follows(line, trigger, begin):
                    return WHOLE
                if _runs_on_past(analyser, trigger, column.after) and begin + _reach(analyser, trigger)[1] > end:
                    phrases.append((trigger, begin - start))  # `Mobile/` in an agent: a phrase's word, no phrase
        if not events and (column.path is None or analyser.key_rule(column.path) is None):
            return Judged((), False, not_after, ())
        idle = any(values <= event[0] < phrases_end for event in events)
        inside = [event for event in events if not values <= event[0] < phrases_end] if idle else events
        origin = start - 1 if start else 0  # from the character before the value, as the column memo reads it
        relative = [(trigger, begin - origin, finish - origin) for trigger, begin, finish in inside]
        alone = [Field(column.path, start - origin, end - origin, column.free_text)]
        occurrences = tuple(analyser.analyse(line[origin:end], alone, relative, read_keys=True))
        return Judged(occurrences, False, not_after, tuple(phrases))

    def _failing_checks(
        self, layout: Layout, lines: list[str], columns: Columns, index: int, memo: _ColumnValues, whole: set[int]
    ) -> set[int]:
        """Lines in which a value of column `index` has checks to make in the line, and fails
        them: a `not_after` answering otherwise than in the value alone, a phrase that follows.
        Answers are remembered by the text they read (the same agent ends many lines)."""
        values = columns[index]
        holding = compress(range(len(values)), map(memo.checked.__contains__, values))
        checking = [line for line in holding if line not in whole]
        if not checking:
            return set()
        verdicts = [memo.judged[values[line]] for line in checking]
        starts = layout.starts(columns, lines, index)
        failing = set()
        places = [
            (line, rule, starts[line] + found, alone)
            for line, verdict in zip(checking, verdicts, strict=True)
            for rule, found, alone in verdict.not_after
        ]
        answers = self._answers
        if len(answers) > MEMO_SIZE:
            answers.clear()
        for line, rule, at, alone in places:
            window = lines[line][at - NOT_AFTER_WINDOW if at > NOT_AFTER_WINDOW else 0 : at]
            answer = answers.get((rule, window))
            if answer is None:
                answer = answers[rule, window] = self._not_after[rule](window)  # type: ignore[misc]
            if answer != alone:
                failing.add(line)
        for line, verdict in zip(checking, verdicts, strict=True):
            for trigger, start in verdict.phrases:
                at = starts[line] + start
                back, ahead = _reach(self.analyser, trigger)
                text = lines[line][max(0, at - back) : at + ahead]  # all the phrase's pattern may read
                answer = answers.get((trigger, text))
                if answer is None:
                    answer = answers[trigger, text] = self.analyser.phrase_follows(text, trigger, min(at, back))
                if answer:
                    failing.add(line)
        return failing

    def _count(
        self,
        piece: bytes,
        lines: list[str],
        columns: Columns,
        distinct: list[set[str]],
        memos: list[_ColumnValues],
        whole: list[int],
        number: int,
        carried: int,
        stats: StatsByField,
        read_whole: Callable[[bytes, int, int, list[Event]], None],
    ) -> None:
        """Count runs of lines by their values, and read the lines between them whole, in order."""
        holding = [
            index
            for index, (memo, present) in enumerate(zip(memos, distinct, strict=True))
            if not memo.holding.isdisjoint(present)
        ]
        if not whole:
            _count_run(columns, holding, memos, 0, len(lines), number, stats, self.show_data)
            return
        raw_lines = piece.split(b"\n")
        events = self._events_of(raw_lines, whole)
        start = 0
        for index in [*whole, len(lines)]:
            if index > start:
                _count_run(columns, holding, memos, start, index, number, stats, self.show_data)
            if index < len(lines):
                read_whole(raw_lines[index], number + index + 1, carried if index == 0 else 0, events[index])
            start = index + 1

    def _events_of(self, raw_lines: list[bytes], indexes: list[int]) -> dict[int, list[Event]]:
        """The engine's validated events of the lines read whole, found in one search of them."""
        chosen = [raw_lines[index] for index in indexes]
        block = blank_escapes(b"\n".join(chosen))
        starts = [0, *accumulate(len(line) + 1 for line in chosen[:-1])]
        found: dict[int, list[Event]] = {index: [] for index in indexes}
        for trigger, start, end in sorted(self.analyser.validated(block, self.engine.scan(block)), key=_START):
            position = bisect.bisect_right(starts, start) - 1
            line_start = starts[position]
            line_end = line_start + len(chosen[position])
            found[indexes[position]].append((trigger, start - line_start, min(end, line_end) - line_start))
        return found


def _nothing_in(analyser: LineAnalyser, column: Column, value: str) -> Judged:
    """A value the engine found nothing in: only its column's name can make it personal."""
    if column.field and value not in column.absent and column.path is not None and analyser.key_rule(column.path):
        start = len(column.before)
        origin = start - 1 if start else 0
        line = column.before[origin:] + value
        alone = [Field(column.path, start - origin, len(line), column.free_text)]
        return Judged(tuple(analyser.analyse(line, alone, [], read_keys=True)), False, (), ())
    return NOTHING


@cache
def _reads_back_past(analyser: LineAnalyser, trigger: int, before: str) -> bool:
    """Whether the rule's `not_after`, read back from a value, may read on past the separators
    before its column (a space: `version 192.0.2.1`); then its answer depends on the column before."""
    if not before:
        return False  # the column starts the line: the value's window is the line's
    try:
        backwards = reversed_pattern(analyser.values[trigger].rule.not_after or "")
    except Exception:  # a pattern that does not reverse is not read as safe
        return True
    return may_cross(backwards, before[-1])


@cache
def _runs_on_past(analyser: LineAnalyser, trigger: int, after: str) -> bool:
    """Whether a phrase starting in a value may run on past the separators after its column."""
    return bool(after) and may_cross(analyser.contexts[trigger - len(analyser.values)][1].pattern, after[0])


@cache
def _reach(analyser: LineAnalyser, trigger: int) -> tuple[int, int]:
    """How far a phrase's pattern may read before where it starts (a `\\b`, a look-behind) and
    after it (its longest match and any look-ahead after that)."""
    parsed = sre_parse.parse(analyser.contexts[trigger - len(analyser.values)][1].pattern)
    behind, ahead = _lookarounds(list(parsed))
    return max(1, behind), parsed.getwidth()[1] + ahead


def _lookarounds(items: list[Any]) -> tuple[int, int]:  # the parser's nodes are untyped
    """The widest look-behind and look-ahead anywhere in a parsed pattern."""
    behind = ahead = 0
    for op, value in items:
        children: list[Any] = []
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            direction, inner = value
            width = inner.getwidth()[1]
            behind, ahead = (max(behind, width), ahead) if direction < 0 else (behind, max(ahead, width))
            children = [list(inner)]
        elif op is sre.BRANCH:
            children = [list(branch) for branch in value[1]]
        elif op is sre.SUBPATTERN:
            children = [list(value[3])]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            children = [list(value[2])]
        for child in children:
            child_behind, child_ahead = _lookarounds(child)
            behind, ahead = max(behind, child_behind), max(ahead, child_ahead)
    return behind, ahead


def _START(event: Event) -> int:
    return event[1]


@cache
def _values(analyser: LineAnalyser) -> _Memos:
    """Per process (and analyser): the values judged, kept from one unit to the next."""
    return _Memos()


class _Memos(dict[Column, _ColumnValues]):
    """Each column's judged values, bounded per column (MEMO_SIZE) and together (MEMO_BYTES)."""

    weight = 0

    def __missing__(self, column: Column) -> _ColumnValues:
        memo = self[column] = _ColumnValues()
        return memo

    def make_room(self, memos: list[_ColumnValues], news: list[list[str]]) -> bool:
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

    def weigh(self, memos: list[_ColumnValues], news: list[list[str]]) -> None:
        """Count what the new values will hold."""
        for memo, new in zip(memos, news, strict=True):
            weight = sum(map(len, new)) + ENTRY_BYTES * len(new)
            memo.weight += weight
            self.weight += weight


def _crossed(layout: Layout, columns: Columns, events: list[Event], piece: bytes, whole: set[int]) -> set[int]:
    """The lines where a trigger that may cross a separator matched other than inside one value
    (a value's own matches its search finds too)."""
    if not events:
        return set()
    starts = [0, *accumulate(len(line) + 1 for line in piece.split(b"\n"))]
    crossed = set()
    for _, start, end in events:
        line = bisect.bisect_right(starts, start) - 1
        if line in whole or line in crossed:
            continue
        if not layout.holds(columns, line, start - starts[line], end - starts[line]):
            crossed.add(line)
    return crossed


def _count_run(
    columns: Columns,
    holding: list[int],
    memos: list[_ColumnValues],
    start: int,
    end: int,
    number: int,
    stats: StatsByField,
    show_data: bool,
) -> None:
    """Count lines start..end (0-based in the slice) of the columns `holding` values with
    occurrences into `stats`, as recording each occurrence in line order would: counts, first
    and last line, and samples offered in the order they stand."""
    by_key: dict[tuple[str | None, str], _Found] = {}
    for index in holding:
        values = columns[index] if start == 0 and end == len(columns[index]) else columns[index][start:end]
        count = Counter(values)
        for kind, members in memos[index].kinds.items():
            here = members.intersection(count)
            if not here:
                continue
            times = sum(map(count.__getitem__, here))
            for field_name, data_type, detector in kind:
                found = by_key.get((field_name, data_type))
                if found is None:
                    found = by_key[field_name, data_type] = _Found()
                found.count += times
                found.detectors[detector] += times
                found.values.setdefault(index, set()).update(here)
    for (field_name, data_type), found in by_key.items():
        field_stats = stats.get((field_name, data_type))
        if field_stats is None:
            first = min(_first(columns[index], values, start, end) for index, values in found.values.items())
            field_stats = stats[field_name, data_type] = FieldStats(first_line=number + first + 1)
        field_stats.count += found.count
        last = max(_last(columns[index], values, start, end) for index, values in found.values.items())
        field_stats.last_line = number + last + 1
        field_stats.detectors.update(found.detectors)
        if len(field_stats.samples) < SAMPLES:
            _offer_in_order(field_stats, (field_name, data_type), found, columns, memos, start, end, show_data)


def _offer_in_order(
    field_stats: FieldStats,
    key: tuple[str | None, str],
    found: _Found,
    columns: Columns,
    memos: list[_ColumnValues],
    start: int,
    end: int,
    show_data: bool,
) -> None:
    """Offer as samples the occurrences not sampled yet, in the order they stand in the lines."""
    waiting = [
        (index, value, order, occurrence.value)
        for index, values in found.values.items()
        for value in values
        for order, occurrence in enumerate(memos[index].judged[value].occurrences)
        if (occurrence.field, occurrence.data_type) == key and occurrence.value not in field_stats.sampled
    ]
    if not waiting:
        return
    firsts: dict[tuple[int, str], int] = {}
    for index in {index for index, _, _, _ in waiting}:
        wanted = {value for column, value, _, _ in waiting if column == index}
        if len(wanted) > 16:  # one pass over the run rather than one per value
            values = columns[index][start:end]
            positions = dict(zip(reversed(values), range(end - 1, start - 1, -1), strict=True))
            firsts.update(((index, value), positions[value]) for value in wanted)
        else:
            firsts.update(((index, value), columns[index].index(value, start, end)) for value in wanted)
    for _, _, _, raw in sorted(waiting, key=lambda member: (firsts[member[0], member[1]], member[0], member[2])):
        if len(field_stats.samples) >= SAMPLES:
            break
        if raw not in field_stats.sampled:
            offer(field_stats, raw, key[1], show_data)


def _first(values: Sequence[str], wanted: set[str], start: int, end: int) -> int:
    return next(index for index in range(start, end) if values[index] in wanted)


def _last(values: Sequence[str], wanted: set[str], start: int, end: int) -> int:
    return next(index for index in range(end - 1, start - 1, -1) if values[index] in wanted)


@dataclass
class _Found:
    """One field and data type's occurrences in a run of lines."""

    count: int = 0
    detectors: Counter[str] = field(default_factory=Counter)
    values: dict[int, set[str]] = field(default_factory=dict)  # per column, the values holding them

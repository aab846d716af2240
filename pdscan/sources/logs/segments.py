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
from collections.abc import Callable
from functools import cache
from itertools import accumulate, compress, filterfalse, repeat
from operator import methodcaller
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from pdscan.detect.engine import Engine, Event, compile_engine
from pdscan.detect.escapes import blank_escapes, blank_escapes_in_line
from pdscan.detect.line_analyser import LineAnalyser
from pdscan.detect.trigger_reach import may_cross
from pdscan.detect.values import NOT_AFTER_WINDOW
from pdscan.model import Field
from pdscan.ruleset.backwards import reversed_pattern
from pdscan.sources.logs.columnar import MEMO_VALUE
from pdscan.sources.logs.counting import StatsByField
from pdscan.sources.logs.formats import LogFormat
from pdscan.sources.logs.layouts import Column, Columns, Layout, layout_of
from pdscan.sources.logs.value_counts import count_run
from pdscan.sources.logs.value_memo import MEMO_SIZE, NOTHING, WHOLE, ColumnValues, Judged, value_memo

_START = operator.itemgetter(1)  # an event's start
WHOLE_SHARE = 4  # a slice with more than one line in 4 to read whole is read as before


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
        self.values = value_memo(analyser)
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
        if self.log_format.escapes and b"\\" in piece:  # an escape the engine reads blanked
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

    def _judge_new(self, layout: Layout, distinct: list[set[str]], memos: list[ColumnValues]) -> list[set[str]]:
        """Judge every value of the slice not judged before, in one search of them all; per
        column, the values left unjudged (not ASCII, or longer than MEMO_VALUE: their lines are
        read whole, and memory stays bounded)."""
        texts: list[str] = []
        # per column: its new values, and where they start in `texts`
        owners: list[tuple[Column, ColumnValues, list[str], int]] = []
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
        self, layout: Layout, lines: list[str], columns: Columns, index: int, memo: ColumnValues, whole: set[int]
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
        memos: list[ColumnValues],
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
            count_run(columns, holding, memos, 0, len(lines), number, stats, self.show_data)
            return
        raw_lines = piece.split(b"\n")
        events = self._events_of(raw_lines, whole)
        start = 0
        for index in [*whole, len(lines)]:
            if index > start:
                count_run(columns, holding, memos, start, index, number, stats, self.show_data)
            if index < len(lines):
                read_whole(raw_lines[index], number + index + 1, carried if index == 0 else 0, events[index])
            start = index + 1

    def _events_of(self, raw_lines: list[bytes], indexes: list[int]) -> dict[int, list[Event]]:
        """The engine's validated events of the lines read whole, found in one search of them."""
        chosen = [raw_lines[index] for index in indexes]
        block = b"\n".join(chosen)
        if self.log_format.escapes:
            block = blank_escapes(block)
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

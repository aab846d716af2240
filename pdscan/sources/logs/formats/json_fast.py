"""JSON lines the fast way: a compiled parser (msgspec) checks the line, a memo per line shape
names its values, and only the fields the line's analysis reads are made.

A JSON application log writes a few shapes of line millions of times; the tokenizer of
`json_lines` (the reference, and the path for every line this module does not take) spends
most of a line's time naming values its analysis then drops. Here a line msgspec accepts as
one JSON object, with no escaped quote, is cut at its quotes (`str.split`: strings at odd
places, punctuation and bare values between). Its shape (the punctuation with each bare value
as `0`, and its keys) keys a memo holding, per value, the field name the tokenizer gave it on
the first line of that shape (the cut is checked against the tokenizer's fields there) and
whether a key rule reads that name. A line of a known shape then yields, with the tokenizer's
spans, only the fields analysis reads: those where the engine marked something and those a
key rule reads. A line msgspec rejects (broken or truncated, `NaN`, nested deeper than it
reads), one with an escaped quote, or the first of a shape takes the tokenizer, so no line
reads differently.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, count
from typing import TYPE_CHECKING

from pdscan.detect.bounded_memo import BoundedMemo
from pdscan.detect.engine import Event
from pdscan.detect.escapes import blank_escapes_in_line
from pdscan.model import Field
from pdscan.sources.logs.formats.json_lines import JsonLines

if TYPE_CHECKING:
    from pdscan.detect.line_analyser import LineAnalyser

MEMO_SIZE = 1024  # line shapes remembered per process
# Learning a shape costs about twice the tokenizer: from this many shapes on, a log where more
# than one line in RELEARN_SHARE was of a new shape (maps keyed by ids) stops using the memo.
LEARN_LIMIT = 256
RELEARN_SHARE = 4
BARE = re.compile(r"[^\s{}\[\]:,\x00]+")  # a number, true, false or null, between the strings
KEY_AFTER = re.compile(r"\s*:")  # what follows a key's closing quote
Skeleton = tuple[str, object]  # punctuation with bare values as `0`; the keys (a tuple, or the one key)


@cache
def _object_check() -> tuple[Callable[[str], object], tuple[type[Exception], ...]]:
    """What checks a line is one JSON object, and what it raises when not: msgspec decoding to
    a struct of no fields checks the syntax of what it skips, making nothing. Imported for JSON
    logs only (60 ms of a scan's start)."""
    import msgspec

    class AnyObject(msgspec.Struct):
        pass

    # broken JSON; lone surrogates (bytes that were not UTF-8); nesting deeper than it reads
    return msgspec.json.Decoder(AnyObject).decode, (msgspec.DecodeError, UnicodeEncodeError, RecursionError)


@dataclass(frozen=True)
class _Shape:
    """What a shape of line means. Values are numbered in line order; a value is a string (at
    an odd place of the cut) or the n-th bare value of a piece between strings (even places)."""

    places: tuple[tuple[int, int], ...]  # per value: (piece of the cut, -1 for a string or n for the n-th bare)
    paths: tuple[str | None, ...]  # per value: its field name
    keyed: tuple[int, ...]  # values whose field name a key rule reads
    first: tuple[int, ...]  # per piece: its first value (-1: none)
    before: tuple[int, ...]  # per piece: the last value in the pieces before it (-1: none)


# A shape the cut does not read as the tokenizer does: its lines take the tokenizer.
UNREAD = _Shape(places=(), paths=(), keyed=(), first=(), before=())


def structure_memo(format_name: str, analyser: LineAnalyser) -> StructureMemo | None:
    """A memo for one unit of a log of JSON lines (the unit asks only when its fast paths are on)."""
    if format_name != JsonLines.name:
        return None
    phrases = {len(analyser.values) + index: pattern for index, (_, pattern) in enumerate(analyser.contexts)}
    return StructureMemo(analyser.key_rule, phrases, analyser.key_trigger, learnt_shapes(analyser))


@dataclass
class LearntShapes:
    """The shapes learnt so far, kept per process (and analyser, whose key rules they hold) from
    one unit of work to the next: the ranges of a large log are written in the same shapes."""

    # per punctuation: what picks its keys out of a cut
    keys_of: BoundedMemo[str, Callable[[list[str]], object]] = field(default_factory=lambda: BoundedMemo(MEMO_SIZE))
    shapes: BoundedMemo[Skeleton, _Shape] = field(default_factory=lambda: BoundedMemo(MEMO_SIZE))


@cache
def learnt_shapes(analyser: LineAnalyser) -> LearntShapes:
    return LearntShapes()


class StructureMemo:
    """The fields of JSON lines, per line shape: `fields` answers as `JsonLines.fields` does,
    less the fields the analysis of that line does not read."""

    def __init__(
        self,
        key_rule: Callable[[str], object],
        phrases: dict[int, re.Pattern[str]],
        key_word: int,
        learnt: LearntShapes,
    ) -> None:
        self._key_rule = key_rule  # a field name's key rule, or None
        self._phrases = phrases  # per trigger of a phrase, its pattern: its value may lie in a later field
        self._key_word = key_word  # the trigger of key words: read only inside a string value
        self._tokenizer = JsonLines()
        self._check, self._rejected = _object_check()
        self._keys_of = learnt.keys_of
        self._shapes = learnt.shapes
        self._lines = 0  # lines of JSON of this unit read so far, and how many of them were of a new shape
        self._learnt = 0
        self._given_up = False

    def __len__(self) -> int:
        return len(self._shapes) + len(self._keys_of)

    def fields(self, line: str, events: Sequence[Event], ascii_line: bool) -> list[Field] | None:
        """The fields of the line that its `events` (offsets in the line: bytes, which are
        characters when `ascii_line`) and the key rules make analysis read; None when the line
        is not JSON."""
        start = line.find("{")
        if start < 0 or '\\"' in line or self._given_up:  # an escaped quote would cut a string in two
            return self._tokenizer.fields(line)
        body = line[start:] if start else line
        try:
            self._check(body)
        except self._rejected:
            return self._tokenizer.fields(line)
        parts = body.split('"')
        punctuation = BARE.sub("0", "\x00".join(parts[0::2]))
        keys_of = self._keys_of.get(punctuation)
        if keys_of is None:
            keys_of = self._keys_of.remember(punctuation, _keys_getter(_keys_at(parts)))
        skeleton = (punctuation, keys_of(parts))
        shape = self._shapes.get(skeleton)
        self._lines += 1
        if shape is None:
            self._learnt += 1
            self._given_up = self._learnt >= LEARN_LIMIT and self._learnt * RELEARN_SHARE > self._lines
            fields = self._tokenizer.fields(line)
            self._shapes.remember(skeleton, _shape(fields, line, start, parts, self._key_rule))
            return fields
        if shape is UNREAD:
            return self._tokenizer.fields(line)
        starts = _starts(parts, start)
        raw = None if ascii_line else line.encode("utf-8", "surrogateescape")
        chosen = set(shape.keyed)
        for trigger, offset, _ in events:
            if raw is not None:  # as the analysis maps it
                offset = len(raw[:offset].decode("utf-8", "surrogateescape"))
            if trigger == self._key_word:  # `key=value` pairs are read in strings only
                value = _string_at(shape, starts, offset)
            elif trigger in self._phrases:  # named by the field its value starts in, read as analysis reads it
                match = self._phrases[trigger].match(blank_escapes_in_line(line), offset)
                value = -1 if match is None else _value_at(shape, parts, starts, match.start("value"))
            else:  # named by the field it starts in, or just after
                value = _value_at(shape, parts, starts, offset)
            if value >= 0:
                chosen.add(value)
        prefix = [Field(None, 0, start, free_text=True)] if line[:start].strip() else []
        return prefix + [_field(shape, value, parts, starts) for value in sorted(chosen)]


def _keys_getter(places: tuple[int, ...]) -> Callable[[list[str]], object]:
    """What picks the keys out of a cut, in C: the key itself when there is one."""
    return operator.itemgetter(*places) if places else _no_keys


def _no_keys(parts: list[str]) -> tuple[()]:
    return ()


def _keys_at(parts: list[str]) -> tuple[int, ...]:
    """The places of the cut holding keys: strings a colon follows."""
    return tuple(index for index in range(1, len(parts) - 1, 2) if KEY_AFTER.match(parts[index + 1]))


def _starts(parts: list[str], start: int) -> list[int]:
    """Where each piece of the cut starts in the line (one quote between pieces)."""
    return list(map(operator.add, accumulate(map(len, parts), initial=start), count()))


def _bare_spans(parts: list[str], starts: list[int], piece: int) -> list[tuple[int, int]]:
    return [(starts[piece] + match.start(), starts[piece] + match.end()) for match in BARE.finditer(parts[piece])]


def _string_at(shape: _Shape, starts: list[int], offset: int) -> int:
    """The string value an offset lies in (-1: none, such as a key)."""
    piece = bisect.bisect_right(starts, offset) - 1
    return shape.first[piece] if piece % 2 and 0 <= piece < len(shape.first) else -1


def _value_at(shape: _Shape, parts: list[str], starts: list[int], offset: int) -> int:
    """The value whose field `_field_at` would find for an offset: the last value starting at
    or before it (-1: none)."""
    piece = bisect.bisect_right(starts, offset) - 1
    if not 0 <= piece < len(parts):
        return len(shape.places) - 1 if piece >= len(parts) else -1
    first = shape.first[piece]
    if first < 0:
        return shape.before[piece]
    if piece % 2:
        return first
    bare_before = sum(1 for bare_start, _ in _bare_spans(parts, starts, piece) if bare_start <= offset)
    return first + bare_before - 1 if bare_before else shape.before[piece]


def _field(shape: _Shape, value: int, parts: list[str], starts: list[int]) -> Field:
    """A value's field, spanned as the tokenizer spans it: a string without its quotes."""
    piece, bare = shape.places[value]
    if bare < 0:
        return Field(shape.paths[value], starts[piece], starts[piece] + len(parts[piece]), free_text=True)
    start, end = _bare_spans(parts, starts, piece)[bare]
    return Field(shape.paths[value], start, end)


def _shape(
    fields: list[Field] | None, line: str, start: int, parts: list[str], key_rule: Callable[[str], object]
) -> _Shape:
    """The shape of a line from its tokenizer fields; UNREAD where the cut does not give the same
    values at the same places."""
    if fields is None:
        return UNREAD
    if line[:start].strip():
        fields = fields[1:]  # the prefix, made anew for each line
    keys = set(_keys_at(parts))
    starts = _starts(parts, start)
    places: list[tuple[int, int]] = []
    first: list[int] = []
    before: list[int] = []
    for piece in range(len(parts)):
        before.append(len(places) - 1)
        if piece % 2:
            in_piece = [] if piece in keys else [(piece, -1)]
        else:
            in_piece = [(piece, bare) for bare in range(len(BARE.findall(parts[piece])))]
        first.append(len(places) if in_piece else -1)
        places.extend(in_piece)
    if len(places) != len(fields):
        return UNREAD
    shape = _Shape(
        places=tuple(places),
        paths=tuple(field.path for field in fields),
        keyed=tuple(n for n, field in enumerate(fields) if field.path is not None and key_rule(field.path) is not None),
        first=tuple(first),
        before=tuple(before),
    )
    made = [_field(shape, value, parts, starts) for value in range(len(places))]
    return shape if made == fields else UNREAD

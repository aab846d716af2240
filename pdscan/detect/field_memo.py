"""A line's occurrences field by field, each field's remembered per (path, text, events in it).

A JSON application log repeats the same values under the same keys (a client's address, a user
agent, a logger's e-mail) line after line; `LineAnalyser.analyse` reads them anew each time,
its deduplication across the whole line included. Once the engine's candidates are validated
(in the raw block, before this)
what analysis makes of a field depends on the line only through:
- phrases: their pattern reads from the trigger on, often from a key (`"phone":"020 7946 0958"`),
  so they are matched on the line here, and their value's span joins the key of the field it lies in;
- a value found where no named field holds it: `_key_before` reads the text before it (such a
  line, or one whose phrase value is in no named field, is analysed whole);
- whether any key word fired in the line: key rules read every field only then (part of the key);
- the character before the field, which a `key=value` pair's pattern looks behind at (part of the key).
Everything else stays inside a field: value patterns (kept widest within a field, since the
fields of a line never overlap), the field's key rule, its `key=value` pairs (read up to the
field's end) and deduplication, which only weighs occurrences that overlap. So the line's
occurrences are its fields', in line order, each field analysed once per distinct (path, text,
events) and remembered.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from functools import cache

from pdscan.detect.bounded_memo import BoundedMemo
from pdscan.detect.engine import Event
from pdscan.detect.line_analyser import LineAnalyser, Occurrence
from pdscan.model import Field

MEMO_SIZE = 50_000  # fields remembered per process
LONGEST = 512  # characters: a longer field is analysed each time, never kept (memory stays bounded)
# One remembered occurrence, its offsets from its field's start: field, type, detector, start, end, value.
Found = tuple[str | None, str, str, int, int, str]


@cache
def field_memo(analyser: LineAnalyser) -> FieldMemo:
    """One memo per process (and analyser), kept from one unit of work to the next: the pieces
    of a large log hold the same values."""
    return FieldMemo(analyser)


class FieldMemo:
    """`occurrences` answers as `LineAnalyser.analyse` does for an ASCII line, or None for a
    line it does not take (a value lies outside every named field)."""

    def __init__(self, analyser: LineAnalyser) -> None:
        self._analyser = analyser
        self._value_count = len(analyser.values)
        self._key_word = analyser.key_trigger
        self._phrases = [pattern for _, pattern in analyser.contexts]
        self._memo: BoundedMemo[tuple[object, ...], tuple[Found, ...]] = BoundedMemo(MEMO_SIZE)

    def __len__(self) -> int:
        return len(self._memo)

    def occurrences(
        self, line: str, fields: Sequence[Field], events: Sequence[Event], read_keys: bool
    ) -> list[Occurrence] | None:
        """The line's occurrences (`events` are character offsets in the line)."""
        starts = [field.start for field in fields]
        in_field: dict[int, list[Event]] = {}
        keys_on = read_keys
        phrase_spans: dict[int, tuple[int, int]] = {}  # per phrase rule: the text its last match took
        for event in events:
            trigger, start, end = event
            if trigger == self._key_word:
                keys_on = True
            elif trigger >= self._value_count:  # matched here, as `analyse` does: it reads past its field
                taken = phrase_spans.get(trigger)
                if taken is not None and taken[0] <= start < taken[1]:
                    continue
                match = self._phrases[trigger - self._value_count].match(line, start)
                if match is None:
                    continue
                start, end = match.span("value")
                phrase_spans[trigger] = (match.start(), end)
                event = (trigger, start, end)  # its value, which must lie in one field
            index = bisect.bisect_right(starts, start) - 1
            field = fields[index] if index >= 0 else None
            if trigger == self._key_word:
                if field is None or start >= field.end:
                    continue  # in a key or between fields: it turns the key rules on, nothing more
            elif field is None or end > field.end:
                return None  # not inside one field: named by the text before it
            if not field.path:
                return None  # free text with no name (a prefix): its values are named by what precedes them
            in_field.setdefault(index, []).append(event)
        found: list[Occurrence] = []
        key_rule = self._analyser.key_rule
        for index, field in enumerate(fields):
            field_events = in_field.get(index)
            if field_events is None and not (keys_on and field.path is not None and key_rule(field.path) is not None):
                continue
            found.extend(self._field(line, field, field_events or [], keys_on))
        return found

    def _field(self, line: str, field: Field, events: list[Event], keys_on: bool) -> list[Occurrence]:
        offset = field.start
        before = offset - 1 if offset else 0
        if field.end - before > LONGEST:
            return self._analyser.analyse(line, [field], events, keys_on, phrases_matched=True)
        key = (
            field.path,
            field.free_text,
            offset == 0,
            line[before : field.end],
            tuple([(trigger, start - offset, end - offset) for trigger, start, end in events]),
            keys_on,
        )
        remembered = self._memo.get(key)
        if remembered is None:
            analysed = self._analyser.analyse(line, [field], events, keys_on, phrases_matched=True)
            remembered = tuple(
                [(o.field, o.data_type, o.detector, o.start - offset, o.end - offset, o.value) for o in analysed]
            )
            self._memo.remember(key, remembered)
            return analysed
        return [
            Occurrence(name, data_type, detector, start + offset, end + offset, value)
            for name, data_type, detector, start, end, value in remembered
        ]

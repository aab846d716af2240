"""Positional logs (access, W3C, Zeek) judged one distinct column value at a time.

Such logs repeat themselves: the same clients, paths and agents line after line. Reading every
line field by field re-judges the same value thousands of times; here each field's verdict is
remembered under what decides it (its column, the value, the character before it and the engine's
validated events inside it), so a repeat costs one look-up, and occurrences are still counted and
placed line by line (the offsets `--format ndjson` streams).

A line is judged from its fields only where that is exactly what reading it whole would find:
every event lies inside one field, no phrase matched (a phrase may run past its field; a phrase
trigger whose phrase does not follow finds nothing either way), a value in unnamed free text has
no key before it to look for, the line is ASCII (byte and character offsets agree) and holds no
escape (a backslash before no escape letter, an IIS `DOMAIN\\user`, blanks nothing: the line is
then the very text the whole reading searches). Any other line is read whole, as the line-by-line
path reads it (`PDSCAN_LOG_PATH=lines` forces that path everywhere).

The engine still reads every block whole, so a match across two fields is seen and sends its
line to the whole reading: what is saved is the line analysis, not the engine pass. A scan that
only counts (every output but ndjson) reads positional logs by distinct values without that pass
(segments.py); this memo then serves the lines that path reads whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from pdscan.detect.bounded_memo import BoundedMemo
from pdscan.detect.engine import Event
from pdscan.detect.line_analyser import LineAnalyser, Occurrence
from pdscan.model import Field

MEMO_SIZE = 20_000  # field verdicts remembered: some 10 MB at most
MEMO_VALUE = 512  # characters: a longer value is judged each time, so memory stays bounded

# A field's verdict: its occurrences, with offsets from the character before the field (from the
# field itself where it starts the line).
Verdict = tuple[Occurrence, ...]
Key = tuple[str | None, bool, int, str, tuple[Event, ...]]


@cache
def column_memo(analyser: LineAnalyser) -> ColumnMemo:
    """One memo per process (and analyser), kept from one unit of work to the next: the ranges
    of a large log hold the same values, and a worker reads many of them."""
    return ColumnMemo(analyser)


class ColumnMemo:
    """The remembered verdicts of fields, bounded in count and in value length."""

    def __init__(self, analyser: LineAnalyser) -> None:
        self.analyser = analyser
        self.verdicts: BoundedMemo[Key, Verdict] = BoundedMemo(MEMO_SIZE)
        self._values = len(analyser.values)

    def occurrences(
        self, line: str, fields: Sequence[Field], events: Sequence[Event]
    ) -> list[tuple[Verdict, int]] | None:
        """Per field holding something, its verdict and the offset in the line the verdict's
        occurrences are relative to, in the order reading the line whole gives them; None where
        only that reading is exact. `events` are in the order they start, as the unit gives them."""
        found: list[tuple[Verdict, int]] = []
        values, phrases_end, key_rule = self._values, self.analyser.key_trigger, self.analyser.key_rule
        index, count, previous_end = 0, len(events), 0
        for field in fields:
            path, field_start, field_end, free_text = field
            if field_start < previous_end:
                return None  # overlapping fields: only the whole line says which holds a value
            previous_end = field_end
            first = index
            idle_phrase = False
            while index < count:
                trigger, start, end = events[index]
                if start >= field_end:
                    break
                if start < field_start or end > field_end:
                    return None  # before the field (between fields) or across its end
                if trigger < values:
                    if path is None:
                        return None  # in unnamed free text the key before a value may stand in an earlier field
                elif trigger < phrases_end:
                    if self._phrase_follows(line, trigger, start):
                        return None  # a phrase may run on past its field
                    idle_phrase = True  # `Mobile/` in a user agent: a phrase's word, no phrase
                index += 1
            if index > first:
                inside = events[first:index]
                if idle_phrase:  # finds nothing either way: left out of the verdict's key
                    inside = [event for event in inside if not values <= event[0] < phrases_end]
            elif path is None or key_rule(path) is None:
                continue  # no event in it and no key rule for its name, nothing to find
            else:
                inside = ()
            origin = field_start - 1 if field_start else 0  # from the character before it, if any
            found.append((self._verdict(line[origin:field_end], path, free_text, origin, field_start, inside), origin))
        if index < count:
            return None  # after the last field
        return found

    def _phrase_follows(self, line: str, trigger: int, start: int) -> bool:
        """Whether the phrase whose trigger fired at `start` follows there in the line."""
        return self.analyser.contexts[trigger - self._values][1].match(line, start) is not None

    def _verdict(
        self, text: str, path: str | None, free_text: bool, origin: int, start: int, events: Sequence[Event]
    ) -> Verdict:
        """The occurrences of the field starting at `start` in the line, `text` from `origin`
        (the character before it, where there is one), with offsets relative to `origin`."""
        relative = tuple([(trigger, begin - origin, end - origin) for trigger, begin, end in events]) if events else ()
        before = start - origin
        if len(text) > MEMO_VALUE:
            return self._judge(text, path, free_text, before, relative)
        key = (path, free_text, before, text, relative)  # `before`: 0 for a field that starts the line
        verdict = self.verdicts.get(key)
        if verdict is not None:
            return verdict
        return self.verdicts.remember(key, self._judge(text, path, free_text, before, relative))

    def _judge(self, text: str, path: str | None, free_text: bool, before: int, events: tuple[Event, ...]) -> Verdict:
        """The field read alone, with the character before it that key patterns look behind at."""
        alone = [Field(path, before, len(text), free_text)]
        return tuple(self.analyser.analyse(text, alone, events, read_keys=True))

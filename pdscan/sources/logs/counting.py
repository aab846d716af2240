"""Occurrences counted into per-field statistics: how many, first and last line, a few masked
samples, and (for outputs that stream them) each occurrence with its place."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pdscan.detect.line_analyser import Occurrence
from pdscan.detect.masking import shown as shown_value

SAMPLES = 3
SAMPLED_VALUES = 64  # per field and data type: values already sampled, not masked again while samples are few

# One streamed occurrence: line (1-based within the unit), start, end, field, data type, value.
Record = tuple[int, int, int, str | None, str, str]


@dataclass
class FieldStats:
    """Occurrences of one data type in one field: how many, where first and last, samples."""

    count: int = 0
    first_line: int = 0
    last_line: int = 0
    samples: list[str] = field(default_factory=list)
    detectors: Counter[str] = field(default_factory=Counter)
    # Values whose masks were offered as samples: a field with fewer than SAMPLES distinct masks
    # (a Zeek column of two user names) would mask every occurrence again. Raw values, emptied
    # before the result leaves the unit.
    sampled: set[str] = field(default_factory=set, repr=False, compare=False)


StatsByField = dict[tuple[str | None, str], FieldStats]


def record(
    by_field: StatsByField,
    occurrence: Occurrence,
    number: int,
    shift: int,
    show_data: bool,
    records: list[Record] | None,
) -> None:
    """Count an occurrence on line `number`; stream it into `records` when they are kept.
    `shift` places it in its whole line when the line came in pieces."""
    field_name, data_type, detector, start, end, value = occurrence
    stats = by_field.get((field_name, data_type))
    if stats is None:
        stats = by_field[field_name, data_type] = FieldStats(first_line=number)
    stats.count += 1  # counted here, not in a method: this runs for every occurrence
    stats.last_line = number
    stats.detectors[detector] += 1
    if records is not None:
        shown = offer(stats, value, data_type, show_data)
        records.append((number, start + shift, end + shift, field_name, data_type, shown))
    elif len(stats.samples) < SAMPLES and value not in stats.sampled:
        offer(stats, value, data_type, show_data)


def offer(stats: FieldStats, value: str, data_type: str, show_data: bool) -> str:
    """The value as shown, offered as a sample while samples are few."""
    shown = shown_value(value, data_type, show_data)
    if not shown.isascii():  # bytes that were not UTF-8 are shown as U+FFFD, never passed on raw
        shown = shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    samples = stats.samples
    if len(samples) < SAMPLES:
        if shown not in samples:
            samples.append(shown)
        if len(stats.sampled) < SAMPLED_VALUES:
            stats.sampled.add(value)
    return shown

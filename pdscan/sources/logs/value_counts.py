"""Runs of a positional log's lines counted by their columns' values: what recording each
occurrence line by line gives (counts, first and last lines, samples in the order they stand),
added up per kind of value in C rather than line by line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pdscan.sources.logs.counting import SAMPLES, FieldStats, StatsByField, offer
from pdscan.sources.logs.layouts import Columns
from pdscan.sources.logs.value_memo import ColumnValues


def count_run(
    columns: Columns,
    holding: list[int],
    memos: list[ColumnValues],
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
    memos: list[ColumnValues],
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

"""What every report format is: a Report in, text out. Formats never re-decide anything.

Each format is built the same way, `Format(options)`, from one FormatOptions; a report format
renders the finished report, a streaming format (ndjson) writes while the scan runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TextIO, runtime_checkable

from pdscan.formats.places import Inventory
from pdscan.formats.wording import Wording
from pdscan.model import LogRecord, Report


@dataclass(frozen=True)
class FormatOptions:
    """What a format is told besides what it renders: the words (language and policy), colour
    (formats that have none ignore it) and the width of a terminal (None: as it says)."""

    wording: Wording
    color: bool = False
    width: int | None = None


class ReportFormat(Protocol):
    def __init__(self, options: FormatOptions) -> None: ...

    def format(self, report: Report) -> str: ...


@runtime_checkable
class PiecewiseFormat(ReportFormat, Protocol):
    """A format that can give its text piece by piece (JSON: a finding at a time)."""

    def pieces(self, report: Report) -> Iterator[str]: ...


def report_text(report_format: ReportFormat, report: Report) -> Iterable[str]:
    """The report's text, in pieces when the format makes them: written as they come, the whole
    text of a huge report is never held."""
    if isinstance(report_format, PiecewiseFormat):
        return report_format.pieces(report)
    return report_format.format(report)


class InventoryFormat(Protocol):
    def __init__(self, options: FormatOptions) -> None: ...

    def format_inventory(self, inventory: Inventory) -> str: ...


class RecordStream(Protocol):
    """Where a streaming format writes: each value as the scan finds it, then the report's end."""

    def record(self, record: LogRecord) -> None: ...

    def finish(self, report: Report) -> None:
        """What only the finished report holds (places found in schemas)."""
        ...


class StreamingFormat(Protocol):
    """A format written while the scan runs rather than from the finished report: it has no
    report to compare with a baseline or to cut to changed files."""

    def __init__(self, options: FormatOptions) -> None: ...

    def stream(self, output: TextIO) -> RecordStream: ...

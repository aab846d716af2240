"""What every report format is: a Report in, text out. Formats never re-decide anything."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from pdscan.formats.places import Inventory
from pdscan.model import Report


class ReportFormat(Protocol):
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
    def format_inventory(self, inventory: Inventory) -> str: ...

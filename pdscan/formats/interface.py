"""What every report format is: a Report in, text out. Formats never re-decide anything."""

from __future__ import annotations

from typing import Protocol

from pdscan.formats.places import Inventory
from pdscan.model import Report


class ReportFormat(Protocol):
    def format(self, report: Report) -> str: ...


class InventoryFormat(Protocol):
    def format_inventory(self, inventory: Inventory) -> str: ...

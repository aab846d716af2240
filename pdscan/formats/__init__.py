"""Report formats, one module each; adding a format is adding a module and a line here."""

from collections.abc import Callable

from pdscan.formats.interface import ReportFormat
from pdscan.formats.json import JsonFormat
from pdscan.formats.table import TableFormat

FORMATS: dict[str, Callable[..., ReportFormat]] = {
    "table": TableFormat,
    "json": JsonFormat,
}

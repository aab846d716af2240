"""Report formats, one module each; adding a format is adding a module and a line here."""

from collections.abc import Callable

from pdscan.formats.csv import CsvFormat
from pdscan.formats.fides import FidesFormat
from pdscan.formats.github import GithubFormat
from pdscan.formats.html import HtmlFormat
from pdscan.formats.interface import InventoryFormat, ReportFormat
from pdscan.formats.inventory_json import InventoryJsonFormat
from pdscan.formats.inventory_table import InventoryTableFormat
from pdscan.formats.json import JsonFormat
from pdscan.formats.markdown import MarkdownFormat
from pdscan.formats.sarif import SarifFormat
from pdscan.formats.table import TableFormat

FORMATS: dict[str, Callable[..., ReportFormat]] = {
    "table": TableFormat,
    "json": JsonFormat,
    "csv": CsvFormat,
    "markdown": MarkdownFormat,
    "html": HtmlFormat,
    "fides": FidesFormat,
    "sarif": SarifFormat,
    "github": GithubFormat,
}

# `pdscan inventory`: the same formats, answering "where do we hold category X?"
INVENTORY_FORMATS: dict[str, Callable[..., InventoryFormat]] = {
    "table": InventoryTableFormat,
    "json": InventoryJsonFormat,
    "csv": CsvFormat,
    "markdown": MarkdownFormat,
    "html": HtmlFormat,
    "fides": FidesFormat,
}

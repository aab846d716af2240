"""Report formats, one module each; adding a format is adding a module and a line here.

Each is built as `Format(FormatOptions)` (formats/interface.py) and reads only the finished
report: no source, no command line (tests/unit/test_import_layers.py)."""

from pdscan.formats.csv import CsvFormat
from pdscan.formats.fides import FidesFormat
from pdscan.formats.github import GithubFormat
from pdscan.formats.html import HtmlFormat
from pdscan.formats.interface import InventoryFormat, ReportFormat, StreamingFormat
from pdscan.formats.inventory_json import InventoryJsonFormat
from pdscan.formats.inventory_table import InventoryTableFormat
from pdscan.formats.json import JsonFormat
from pdscan.formats.markdown import MarkdownFormat
from pdscan.formats.ndjson import NdjsonFormat
from pdscan.formats.sarif import SarifFormat
from pdscan.formats.table import TableFormat

FORMATS: dict[str, type[ReportFormat]] = {
    "table": TableFormat,
    "json": JsonFormat,
    "csv": CsvFormat,
    "markdown": MarkdownFormat,
    "html": HtmlFormat,
    "fides": FidesFormat,
    "sarif": SarifFormat,
    "github": GithubFormat,
}

# `pdscan scan --format ndjson`: written while the scan runs, a line per value found
STREAMING_FORMATS: dict[str, type[StreamingFormat]] = {"ndjson": NdjsonFormat}

# `pdscan inventory`: the same formats, answering "where do we hold category X?"
INVENTORY_FORMATS: dict[str, type[InventoryFormat]] = {
    "table": InventoryTableFormat,
    "json": InventoryJsonFormat,
    "csv": CsvFormat,
    "markdown": MarkdownFormat,
    "html": HtmlFormat,
    "fides": FidesFormat,
}

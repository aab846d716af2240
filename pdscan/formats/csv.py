"""`--format csv`: a record-of-processing extract, one row per place holding personal data.

Made to open cleanly in a spreadsheet: UTF-8 with a byte-order mark (so Excel reads it as
UTF-8), RFC 4180 quoting and CRLF line ends, and no formula injection: a cell starting with
`=`, `+`, `-`, `@` or a tab is prefixed with `'`, since column names, log fields and evidence
come from scanned files that anyone may have written; their other control characters (a
carriage return, a terminal escape) are made visible (`␍`, `␛`), so neither a spreadsheet nor
`cat` runs them. Ids (categories,
purposes, verdicts) stay ids so rows can be filtered; titles and headers follow `--lang`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from pdscan.formats.explanations import explanation
from pdscan.formats.interface import FormatOptions
from pdscan.formats.places import HeldPlace, Inventory, held_places
from pdscan.model import Report
from pdscan.sentences import sentence
from pdscan.visible import visible

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t")  # a carriage return is made visible first
COLUMNS = (
    "source",
    "kind",
    "table_or_file",
    "column_or_field",
    "defined_at",
    "category",
    "category_title",
    "clause",
    "data_types",
    "declared_purposes",
    "declared_in",
    "permitted_purposes",
    "verdict",
    "explanation",
    "evidence",
    "values_seen",
    "samples",
    "warnings",
    "fingerprint",
    "silenced_warnings",
)
LIST_SEPARATOR = "; "


class CsvFormat:
    def __init__(self, options: FormatOptions) -> None:
        self.wording = options.wording  # never coloured

    def format(self, report: Report) -> str:
        return self._table(held_places(report.verdicts))

    def format_inventory(self, inventory: Inventory) -> str:
        return self._table(place for holdings in inventory.holdings for place in holdings.places)

    def _table(self, places: Iterable[HeldPlace]) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([self.wording(column) for column in COLUMNS])
        for place in places:
            writer.writerow([neutralise(visible(cell)) for cell in self._row(place)])
        return BOM + buffer.getvalue()

    def _row(self, place: HeldPlace) -> list[str]:
        words = self.wording
        location = place.location
        column = place.field(words("free_text"))
        return [
            place.source,
            location.kind.value,
            place.table_or_file,
            column,
            place.defined_at,
            place.category or "",
            words.category_title(place.category),
            place.clause or "",
            LIST_SEPARATOR.join(place.data_types),
            LIST_SEPARATOR.join(place.declared_purposes),
            LIST_SEPARATOR.join(place.declared_in),
            LIST_SEPARATOR.join(place.permitted_purposes),
            place.verdict.value,
            explanation(place.worst, words),
            LIST_SEPARATOR.join(sentence(e, words.lang) for e in place.evidence),
            "" if place.values_seen is None else str(place.values_seen),
            LIST_SEPARATOR.join(place.samples),
            LIST_SEPARATOR.join(place.warnings),
            LIST_SEPARATOR.join(place.fingerprints),
            LIST_SEPARATOR.join(f"{s.warning} ({s.silenced_in}): {s.reason}" for s in place.silenced_warnings),
        ]


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula, made text (OWASP's CSV injection advice)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell

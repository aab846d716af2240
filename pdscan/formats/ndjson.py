"""`--format ndjson`: one JSON object per line for every value found, as it is found.

What a redaction tool or `jq` consumes: `source`, `line` (1-based, decompressed), `start` and
`end` (character offsets in the line), `field` (or null), `data_type`, `category`, `value`
(masked unless --show-data). Log values stream while the scan runs; places found in schemas
follow at the end, with their defining line, `field` as `table.column` and no value.
"""

from __future__ import annotations

import json
from typing import TextIO

from pdscan.formats.interface import FormatOptions
from pdscan.model import LogRecord, Report, SourceKind
from pdscan.policy import Policy
from pdscan.visible import json_text


class NdjsonFormat:
    def __init__(self, options: FormatOptions) -> None:
        self.policy = options.wording.policy

    def stream(self, output: TextIO) -> NdjsonStream:
        return NdjsonStream(output, self.policy)


class NdjsonStream:
    def __init__(self, output: TextIO, policy: Policy) -> None:
        self.output = output
        self.policy = policy
        self._encoded: dict[str | None, str] = {}  # sources, fields and data types repeat: encode once
        self._categories: dict[str, str] = {}

    def record(self, record: LogRecord) -> None:
        """One line per value, written field by field (the same keys, in the same order, as
        `json.dumps` of the record would give, at a fraction of its cost per record)."""
        encode = self._encode
        value = json_text(record.value)
        self.output.write(
            f'{{"source": {encode(record.source)}, "line": {record.line}, "start": {record.start}, '
            f'"end": {record.end}, "field": {encode(record.field)}, "data_type": {encode(record.data_type)}, '
            f'"category": {self._category(record.data_type)}, "value": {value}}}\n'
        )

    def _encode(self, text: str | None) -> str:
        encoded = self._encoded.get(text)
        if encoded is None:
            encoded = self._encoded[text] = json_text(text)
        return encoded

    def _category(self, data_type: str) -> str:
        encoded = self._categories.get(data_type)
        if encoded is None:
            category = self.policy.category_for(data_type)
            encoded = self._categories[data_type] = json.dumps(category.id if category else None)
        return encoded

    def finish(self, report: Report) -> None:
        """Places found in schemas (no values): one record each, after the log values."""
        for verdict in report.verdicts:
            location = verdict.finding.location
            if location.kind is SourceKind.LOG:
                continue
            self._write(
                {
                    "source": location.source,
                    "line": location.line,
                    "start": None,
                    "end": None,
                    "field": location.place or None,
                    "data_type": verdict.finding.data_type,
                    "category": verdict.finding.category,
                    "value": None,
                }
            )

    def _write(self, document: dict[str, object]) -> None:
        self.output.write(json_text(document) + "\n")

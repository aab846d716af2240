"""`--format ndjson`: one JSON object per line for every value found, as it is found.

What a redaction tool or `jq` consumes: `source`, `line` (1-based, decompressed), `start` and
`end` (character offsets in the line), `field` (or null), `data_type`, `category`, `value`
(masked unless --show-data). Log values stream while the scan runs; places found in schemas
follow at the end, with their defining line, `field` as `table.column` and no value.
"""

from __future__ import annotations

import json
from typing import TextIO

from pdscan.model import Report, SourceKind
from pdscan.policy import Policy
from pdscan.sources.logs import LogRecord


class NdjsonStream:
    def __init__(self, output: TextIO, policy: Policy) -> None:
        self.output = output
        self.policy = policy

    def record(self, record: LogRecord) -> None:
        category = self.policy.category_for(record.data_type)
        self._write(
            {
                "source": record.source,
                "line": record.line,
                "start": record.start,
                "end": record.end,
                "field": record.field,
                "data_type": record.data_type,
                "category": category.id if category else None,
                "value": record.value,
            }
        )

    def schema_findings(self, report: Report) -> None:
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
        self.output.write(json.dumps(document, ensure_ascii=False) + "\n")

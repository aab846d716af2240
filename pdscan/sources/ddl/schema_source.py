"""A schema in files as a source: SQL and ORM schema files replayed into one schema (a dump, a
folder of migrations), or SQL on standard input; each column judged by its name and type.

Findings come out in the report's order, and equal evidence is one object: the 600,000 findings
of a 200,000-table schema share their sentences instead of each holding copies.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar, cast

from pdscan.model import Column, Detection, Finding, SchemaScan, SourceKind, Table
from pdscan.sources.ddl.source import scan_ddl_files, scan_ddl_text
from pdscan.sources.ddl.text import NotText, decode_sql_bytes
from pdscan.sources.interface import ScanContext, SourceResult
from pdscan.sources.schemas import column_finding, schema_summary

Shared = TypeVar("Shared")  # what `_interned` hands back is the type it was given


@dataclass(frozen=True)
class DdlSource:
    database: str  # the name declarations address it by: the folder, the file, or discovery's name for stdin
    files: tuple[Path, ...] = ()  # in replay order; none: standard input

    def scan(self, context: ScanContext) -> SourceResult:
        schema = self._read(context.request.dialect, context.request.schema_format)
        for item in schema.skipped:
            context.on_skip(item)
        findings = _findings(schema.tables, context)
        return SourceResult((schema_summary(schema),), schema.skipped, schema.tables, findings)

    def _read(self, dialect: str | None, schema_format: str | None) -> SchemaScan:
        if not self.files:
            try:
                text = decode_sql_bytes(sys.stdin.buffer.read())
            except NotText as error:  # began like SQL, then binary or undecodable
                return SchemaScan(self.database, SourceKind.DDL, (), (error.skipped(self.database),))
            return scan_ddl_text(text, source=self.database, database=self.database, dialect=dialect)
        return scan_ddl_files(self.files, database=self.database, dialect=dialect, schema_format=schema_format)


def _findings(tables: tuple[Table, ...], context: ScanContext) -> tuple[Finding, ...]:
    shared: dict[object, object] = {}
    findings: list[Finding] = []
    for table in sorted(tables, key=_table_order):  # in the report's order: merged and audited without a sort
        for column in sorted(table.columns, key=_column_order):
            for detection in sorted(context.classifier.classify(column, table), key=_data_type):
                evidence = tuple(_interned(shared, item) for item in detection.evidence)
                shared_detection = replace(
                    detection,
                    evidence=_interned(shared, evidence),
                    confidence=_interned(shared, detection.confidence),
                )
                findings.append(column_finding(column, shared_detection, context.policy))
    return tuple(findings)


def _interned(shared: dict[object, object], item: Shared) -> Shared:
    """The one equal object already in `shared` (or `item`, now shared)."""
    return cast(Shared, shared.setdefault(item, item))


def _table_order(table: Table) -> tuple[str, str]:
    return (table.location.database or table.location.source, (table.location.table or "").lower())


def _column_order(column: Column) -> str:
    return (column.location.column or "").lower()


def _data_type(detection: Detection) -> str:
    return detection.data_type

"""One scan, start to finish: sources -> detection -> audit -> a Report.

The CLI only gathers options and prints; everything a scan decides happens here or in the
stages it calls, so tests and other front ends get the same answer.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.resources
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pdscan import __version__
from pdscan.audit import audit
from pdscan.declarations import DataMap, Declarations
from pdscan.detect.names import NameClassifier
from pdscan.model import (
    Finding,
    Report,
    SchemaScan,
    Skipped,
    SourceKind,
    SourceSummary,
    Table,
    VerdictKind,
)
from pdscan.policy import Policy
from pdscan.sources.discovery import SchemaInput, discover
from pdscan.sources.sql_ddl import scan_ddl_files, scan_ddl_text
from pdscan.sources.sql_text import decode_sql_bytes
from pdscan.sources.sqlite_file import scan_sqlite_schema

REPORT_SCHEMA_VERSION = "1.0.0"
RULE_FILES = ("taxonomy.yaml", "datatypes.yaml")


@dataclass(frozen=True)
class ScanRequest:
    """What to scan and how; frozen so a report can record exactly what produced it."""

    targets: tuple[str, ...]
    dialect: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str = VerdictKind.UNDECLARED.value  # a verdict kind, or "never"


def run_scan(
    request: ScanRequest,
    policy: Policy,
    data_map: DataMap | None,
    classifier: NameClassifier,
    on_skip: Callable[[Skipped], None] = lambda skipped: None,
) -> Report:
    """Scan every target; a source that cannot be read becomes a Skipped, never an abort."""
    discovery = discover(request.targets, request.include, request.exclude)
    skipped: list[Skipped] = []
    for item in discovery.skipped:
        on_skip(item)
        skipped.append(item)

    summaries: list[SourceSummary] = []
    tables: list[Table] = []
    for schema_input in discovery.inputs:
        schema = _scan_input(schema_input, request.dialect)
        for item in schema.skipped:
            on_skip(item)
        skipped.extend(schema.skipped)
        tables.extend(schema.tables)
        summaries.append(_summary(schema))

    findings = _findings(tables, policy, classifier)
    declarations = Declarations.build(data_map, tables, policy)
    return Report(
        schema_version=REPORT_SCHEMA_VERSION,
        tool_version=__version__,
        rules_version=rules_version(),
        generated_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        policy=policy.ref,
        sources=tuple(summaries),
        skipped=tuple(skipped),
        verdicts=audit(findings, policy, declarations),
        stale_declarations=declarations.stale(tables),
        fail_on=request.fail_on,
    )


def rules_version() -> str:
    """Version plus a digest of the bundled rule files, so a report names the exact rules."""
    digest = hashlib.sha256()
    rules = importlib.resources.files("pdscan.rules")
    for name in RULE_FILES:
        digest.update((rules / name).read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _scan_input(schema_input: SchemaInput, dialect: str | None) -> SchemaScan:
    if schema_input.kind is SourceKind.SQLITE:
        return scan_sqlite_schema(schema_input.files[0])
    if not schema_input.files:
        text = decode_sql_bytes(sys.stdin.buffer.read())
        return scan_ddl_text(text, source="<stdin>", database="<stdin>", dialect=dialect)
    return scan_ddl_files(schema_input.files, database=schema_input.database, dialect=dialect)


def _summary(schema: SchemaScan) -> SourceSummary:
    if schema.tables:
        status = "partial" if schema.skipped else "scanned"
    else:
        status = "skipped" if schema.skipped else "scanned"
    return SourceSummary(
        source=schema.source,
        kind=schema.kind,
        status=status,
        tables=len(schema.tables),
        columns=sum(len(table.columns) for table in schema.tables),
        dialect=schema.dialect,
    )


def _findings(tables: Sequence[Table], policy: Policy, classifier: NameClassifier) -> list[Finding]:
    findings = []
    for table in tables:
        for column in table.columns:
            for detection in classifier.classify(column, table):
                category = policy.category_for(detection.data_type)
                findings.append(
                    Finding(
                        location=column.location,
                        data_type=detection.data_type,
                        category=category.id if category else None,
                        confidence=detection.confidence,
                        evidence=detection.evidence,
                    )
                )
    return findings

"""What every schema source (DDL and ORM files, SQLite files, database servers) says the same
way: its summary line, and a column's detection as a finding in a category of the policy."""

from __future__ import annotations

from pdscan.model import Column, Detection, Finding, SchemaScan, SourceSummary, ValueSample
from pdscan.policy import Policy


def schema_summary(schema: SchemaScan, rows: int = 0) -> SourceSummary:
    """`rows`: rows sampled, for a database read with its values."""
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
        rows=rows,
        notes=schema.notes,
    )


def column_finding(column: Column, detection: Detection, policy: Policy, values: ValueSample | None = None) -> Finding:
    category = policy.category_for(detection.data_type)
    return Finding(
        location=column.location,
        data_type=detection.data_type,
        category=category.id if category else None,
        confidence=detection.confidence,
        evidence=detection.evidence,
        values=values,
    )

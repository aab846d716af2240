"""Live databases as sources: a SQLite file, or a server named by a URL. Each column is judged by
its name, its sampled values and (JSON) its keys together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from operator import attrgetter
from pathlib import Path

from pdscan.detect.column_values import checks_for, judge_column
from pdscan.detect.names import NameClassifier
from pdscan.model import Column, Finding, Table
from pdscan.ruleset.taxonomy import taxonomy_titles
from pdscan.sources.database.scan import (
    DatabaseScan,
    DatabaseScanOptions,
    TableProgress,
    scan_server,
    scan_sqlite,
)
from pdscan.sources.database.target import DatabaseTarget
from pdscan.sources.interface import ScanContext, SourceResult
from pdscan.sources.schemas import column_finding, schema_summary

DEFAULT_TABLE_JOBS = 4  # tables sampled at once by default: the server does the waiting, not our cores


@dataclass(frozen=True)
class DatabaseHooks:
    """What a front end lends a database scan: a password prompt (--password-prompt), a line
    for each note (binary columns, invalid UTF-8), a progress display per table."""

    prompt: Callable[[str], str] | None = None
    on_note: Callable[[str], None] = lambda note: None
    progress: TableProgress | None = None


@dataclass(frozen=True)
class SqliteSource:
    path: Path
    by_url: bool  # named by a sqlite:/// URL: --include/--exclude choose its tables (beside a path, files)

    def scan(self, context: ScanContext) -> SourceResult:
        hooks = context.database
        options = _options(context, table_patterns=self.by_url)
        checks = partial(_checks, context.classifier)
        database = scan_sqlite(self.path, options, checks, context.on_skip, hooks.on_note, hooks.progress)
        return _result(database, context)


@dataclass(frozen=True)
class ServerSource:
    target: DatabaseTarget

    def scan(self, context: ScanContext) -> SourceResult:
        hooks = context.database
        options = _options(context, table_patterns=True)
        checks = partial(_checks, context.classifier)
        database = scan_server(self.target, options, checks, context.on_skip, hooks.on_note, hooks.progress)
        return _result(database, context)


def _options(context: ScanContext, table_patterns: bool) -> DatabaseScanOptions:
    request = context.request
    return DatabaseScanOptions(
        sample_size=request.sample_size,
        schema_only=request.schema_only,
        jobs=request.jobs or DEFAULT_TABLE_JOBS,
        statement_timeout=request.statement_timeout,
        table_timeout=request.table_timeout,
        include=request.include if table_patterns else (),
        exclude=request.exclude if table_patterns else (),
        values=context.values,
    )


def _checks(classifier: NameClassifier, column: Column, table: Table) -> tuple[str, ...]:
    """Value checks the column's name asks for (a `phone` column's values checked as phones)."""
    return checks_for(classifier.classify(column, table))


def _result(database: DatabaseScan, context: ScanContext) -> SourceResult:
    """The scan already told each Skipped as it met it."""
    schema = database.schema
    summary = schema_summary(schema, rows=database.rows)
    return SourceResult((summary,), schema.skipped, schema.tables, _findings(database, context))


def _findings(database: DatabaseScan, context: ScanContext) -> tuple[Finding, ...]:
    """Per column: its name, its sampled values and (JSON) its keys, judged together."""
    titles = taxonomy_titles()
    classifier, show_data = context.classifier, context.request.show_data
    findings: list[Finding] = []
    for table in database.schema.tables:
        for column in table.columns:
            profile = database.profiles.get((table.name, column.name))
            judged = judge_column(
                classifier.classify(column, table),
                profile,
                partial(classifier.classify_name, table=table.name),
                titles,
                show_data,
            )
            findings.extend(column_finding(column, j.detection, context.policy, j.values) for j in judged)
    return tuple(sorted(findings, key=attrgetter("order")))  # the catalog's order is the server's, not the report's

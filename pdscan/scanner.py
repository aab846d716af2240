"""One scan, start to finish: sources -> detection -> audit -> a Report.

The CLI only gathers options and prints; everything a scan decides happens here or in the
stages it calls, so tests and other front ends get the same answer.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.resources
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

from pdscan import __version__
from pdscan.audit import audit
from pdscan.declarations import DataMap, Declarations
from pdscan.detect.column_values import checks_for, judge_column
from pdscan.detect.line_analyser import FIELD_NAME
from pdscan.detect.names import NameClassifier
from pdscan.detect.readable import shown_path
from pdscan.detect.values import ValueDetector
from pdscan.model import (
    Column,
    DataMapRef,
    Detection,
    Evidence,
    Finding,
    Location,
    LogRecord,
    Occurrences,
    Phrase,
    Report,
    SchemaScan,
    Skipped,
    SourceKind,
    SourceSummary,
    Table,
    ValueSample,
    VerdictKind,
)
from pdscan.policy import Policy
from pdscan.ruleset.taxonomy import taxonomy_titles
from pdscan.sources.database.scan import DatabaseScan, DatabaseScanOptions, TableProgress, scan_server, scan_sqlite
from pdscan.sources.database.target import DatabaseTarget, TargetError, is_database_url, parse_target
from pdscan.sources.discovery import SQLITE_URL_PREFIX, SchemaInput, UnknownSourceError, discover, looks_like_sql
from pdscan.sources.logs.execution.interface import LOCAL, available_cores
from pdscan.sources.logs.reader import peek
from pdscan.sources.logs.source import LogField, LogScanOptions, Progress, scan_logs, stdin_input

# 1.8: per source `sample`; 1.7: per finding `silenced_warnings`; 1.6: per source `notes`; 1.5: per source
# `encoding`; 1.4: `baseline`, `changed_since`, per finding `baseline_state` and `ignored_in`; 1.3: `data_map` and
# `show_data`; the changelog is docs/report.md
REPORT_SCHEMA_VERSION = "1.8.0"
STDIN_NAME = "<stdin>"
DEFAULT_TABLE_JOBS = 4  # tables sampled at once by default: the server does the waiting, not our cores
RULE_FILES = ("taxonomy.yaml", "datatypes.yaml", "logs.yaml")
Shared = TypeVar("Shared")  # what `_interned` hands back is the type it was given


@dataclass(frozen=True)
class ScanRequest:
    """What to scan and how; frozen so a report can record exactly what produced it."""

    targets: tuple[str, ...]
    rules_files: tuple[Path, ...] = ()  # the user's rules (--rules), added to the bundled ones
    dialect: str | None = None
    schema_format: str | None = None  # None: told from each file's name and content
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str = VerdictKind.UNDECLARED.value  # a verdict kind, or "never"
    jobs: int = 1  # 0: the default of each source (a process per core for logs, DEFAULT_TABLE_JOBS tables)
    log_format: str | None = None  # None: detected per file
    text_engine: str | None = None  # None: the fastest that loads
    log_sample: int | None = None  # --log-sample: bytes read of each larger log (None: every log whole)
    engine: str = LOCAL  # where logs are scanned: "local" or "dask" (databases are always read here)
    scheduler: str | None = None  # --engine dask: a running cluster's scheduler; None: a local cluster
    show_data: bool = False
    sample_size: int = 1000  # rows sampled per database table
    schema_only: bool = False  # databases: the catalog only, no row is read
    statement_timeout: float = 30.0  # seconds, per database statement
    table_timeout: float = 120.0  # seconds, per database table


@dataclass(frozen=True)
class DatabaseHooks:
    """What a front end lends a database scan: a password prompt (--password-prompt), a line
    for each note (binary columns, invalid UTF-8), a progress display per table."""

    prompt: Callable[[str], str] | None = None
    on_note: Callable[[str], None] = lambda note: None
    progress: TableProgress | None = None


def run_scan(
    request: ScanRequest,
    policy: Policy,
    data_map: DataMap | None,
    classifier: NameClassifier,
    on_skip: Callable[[Skipped], None] = lambda skipped: None,
    on_record: Callable[[LogRecord], None] | None = None,
    progress: Progress | None = None,
    database_hooks: DatabaseHooks | None = None,
    on_note: Callable[[str], None] = lambda note: None,
) -> Report:
    """Scan every target; a source that cannot be read becomes a Skipped, never an abort.

    `on_record` receives every value found in a log as it is read (for streaming formats);
    `on_note` a line for the user about how the logs are scanned (the Dask dashboard link).
    """
    hooks = database_hooks or DatabaseHooks()
    values = ValueDetector(classifier.rules.value_detectors)
    servers = [_target(text, hooks) for text in request.targets if is_database_url(text)]
    discovery = discover(
        [text for text in request.targets if not is_database_url(text)],
        request.include,
        request.exclude,
        schema_forced=request.schema_format is not None,
    )
    skipped: list[Skipped] = []
    for item in discovery.skipped:
        on_skip(item)
        skipped.append(item)

    schema_inputs = list(discovery.inputs)
    log_inputs = list(discovery.logs)
    if discovery.stdin:
        if looks_like_sql(peek(sys.stdin.buffer)):
            schema_inputs.append(SchemaInput(SourceKind.DDL, STDIN_NAME))
        else:
            log_inputs.insert(0, stdin_input())

    summaries: list[SourceSummary] = []
    tables: list[Table] = []
    databases: list[DatabaseScan] = []
    sqlite_urls = {  # named as discovery names the databases
        shown_path(Path(text[len(SQLITE_URL_PREFIX) :]))
        for text in request.targets
        if text.startswith(SQLITE_URL_PREFIX)
    }
    for schema_input in schema_inputs:
        if schema_input.kind is SourceKind.SQLITE:
            # Table patterns apply to a sqlite:/// URL; beside a file path they were file patterns.
            by_url = schema_input.database in sqlite_urls
            options = _database_options(request, by_url, values)
            checks = partial(_checks, classifier)
            databases.append(
                scan_sqlite(schema_input.files[0], options, checks, on_skip, hooks.on_note, hooks.progress)
            )
            continue
        schema = _scan_input(schema_input, request.dialect, request.schema_format)
        for item in schema.skipped:
            on_skip(item)
        skipped.extend(schema.skipped)
        tables.extend(schema.tables)
        summaries.append(_summary(schema))
    for target in servers:
        options = _database_options(request, True, values)
        checks = partial(_checks, classifier)
        databases.append(scan_server(target, options, checks, on_skip, hooks.on_note, hooks.progress))

    findings = _findings(tables, policy, classifier)
    for database in databases:
        skipped.extend(database.schema.skipped)
        tables.extend(database.schema.tables)
        summaries.append(replace(_summary(database.schema), rows=database.rows))
        findings.extend(_database_findings(database, policy, classifier, request.show_data))
    if log_inputs:
        log_options = LogScanOptions(
            jobs=request.jobs or available_cores(),
            log_format=request.log_format,
            text_engine=request.text_engine,
            show_data=request.show_data,
            group_of=partial(_category_id, policy),
            value_rules=classifier.rules.value_detectors,
            engine=request.engine,
            scheduler=request.scheduler,
            on_note=on_note,
            sample=request.log_sample,
        )
        logs = scan_logs(log_inputs, log_options, on_record, progress, on_skip)
        skipped.extend(logs.skipped)
        summaries.extend(logs.summaries)
        findings.extend(_log_findings(logs.fields, policy))
    declarations = Declarations.build(data_map, tables, policy)
    verdicts = audit(findings, policy, declarations)
    return Report(
        schema_version=REPORT_SCHEMA_VERSION,
        tool_version=__version__,
        rules_version=rules_version(classifier.rules.extended_by),
        generated_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        policy=policy.ref,
        sources=tuple(summaries),
        skipped=tuple(skipped),
        verdicts=verdicts,
        stale_declarations=declarations.stale(tables, [verdict.finding for verdict in verdicts]),
        fail_on=request.fail_on,
        data_map=_data_map_ref(data_map),
        show_data=request.show_data,
    )


def _data_map_ref(data_map: DataMap | None) -> DataMapRef | None:
    if data_map is None:
        return None
    return DataMapRef(data_map.path, hashlib.sha256(Path(data_map.path).read_bytes()).hexdigest())


def rules_version(user_rules_digest: str = "") -> str:
    """Version plus a digest of the bundled rule files (and of the user's, `--rules`), so a
    report names the exact rules."""
    digest = hashlib.sha256()
    rules = importlib.resources.files("pdscan.rules")
    for name in RULE_FILES:
        digest.update((rules / name).read_bytes())
    version = f"{__version__}+{digest.hexdigest()[:12]}"
    return f"{version}.user-{user_rules_digest}" if user_rules_digest else version


def _log_findings(fields: Sequence[LogField], policy: Policy) -> list[Finding]:
    taxonomy = taxonomy_titles()
    findings = []
    for log_field in fields:
        category = policy.category_for(log_field.data_type)
        evidence, confidence = _log_evidence(log_field, taxonomy)
        findings.append(
            Finding(
                location=Location(
                    log_field.identity, SourceKind.LOG, column=log_field.field, database=log_field.identity
                ),
                data_type=log_field.data_type,
                category=category.id if category else None,
                confidence=confidence,
                evidence=evidence,
                occurrences=Occurrences(log_field.count, log_field.first, log_field.last, log_field.samples),
            )
        )
    return findings


def _log_evidence(log_field: LogField, taxonomy: dict[str, Phrase]) -> tuple[tuple[Evidence, ...], float]:
    """Why, in words: the field name, the validated patterns and phrases, with counts."""
    title = taxonomy.get(log_field.data_type) or Phrase(log_field.data_type)
    evidence = []
    confidence = 0.0
    for detector, count in log_field.detectors:
        if detector == FIELD_NAME:
            name = log_field.field.rsplit(".", 1)[-1] if log_field.field else ""
            values = (("name", name), ("title", title), ("count", count))
            evidence.append(Evidence("name", "name.log_field", values))
            confidence = max(confidence, 0.8)
        else:
            evidence.append(Evidence("value", "value.log_matches", (("count", count), ("detector", detector))))
            confidence = max(confidence, 0.95)
    return tuple(evidence), confidence


def _target(text: str, hooks: DatabaseHooks) -> DatabaseTarget:
    try:
        return parse_target(text, os.environ, hooks.prompt)
    except TargetError as error:
        raise UnknownSourceError(str(error)) from None


def _database_options(request: ScanRequest, table_patterns: bool, values: ValueDetector) -> DatabaseScanOptions:
    return DatabaseScanOptions(
        sample_size=request.sample_size,
        schema_only=request.schema_only,
        jobs=request.jobs or DEFAULT_TABLE_JOBS,
        statement_timeout=request.statement_timeout,
        table_timeout=request.table_timeout,
        include=request.include if table_patterns else (),
        exclude=request.exclude if table_patterns else (),
        values=values,
    )


def _checks(classifier: NameClassifier, column: Column, table: Table) -> tuple[str, ...]:
    """Value checks the column's name asks for (a `phone` column's values checked as phones)."""
    return checks_for(classifier.classify(column, table))


def _database_findings(
    database: DatabaseScan, policy: Policy, classifier: NameClassifier, show_data: bool
) -> list[Finding]:
    """Per column: its name, its sampled values and (JSON) its keys, judged together."""
    titles = taxonomy_titles()
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
            findings.extend(_column_finding(column, j.detection, policy, j.values) for j in judged)
    return findings


def _category_id(policy: Policy, data_type: str) -> str:
    category = policy.category_for(data_type)
    return category.id if category else data_type


def _scan_input(schema_input: SchemaInput, dialect: str | None, schema_format: str | None) -> SchemaScan:
    # The SQL parser (sqlparse, charset detection) is imported by schema scans alone: a log
    # scan starts without it.
    from pdscan.sources.ddl.source import scan_ddl_files, scan_ddl_text
    from pdscan.sources.ddl.text import NotText, decode_sql_bytes

    if not schema_input.files:
        try:
            text = decode_sql_bytes(sys.stdin.buffer.read())
        except NotText as error:  # began like SQL, then binary or undecodable
            return SchemaScan(STDIN_NAME, SourceKind.DDL, (), (error.skipped(STDIN_NAME),))
        return scan_ddl_text(text, source=STDIN_NAME, database=STDIN_NAME, dialect=dialect)
    return scan_ddl_files(
        schema_input.files, database=schema_input.database, dialect=dialect, schema_format=schema_format
    )


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
        notes=schema.notes,
    )


def _findings(tables: Sequence[Table], policy: Policy, classifier: NameClassifier) -> list[Finding]:
    """Every column's detections as findings; equal evidence is one object, so the 600,000
    findings of a 200,000-table schema share their sentences instead of each holding copies."""
    shared: dict[object, object] = {}
    findings: list[Finding] = []
    for table in sorted(tables, key=_table_order):  # in the report's order, so audit need not sort them
        for column in sorted(table.columns, key=_column_order):
            for detection in sorted(classifier.classify(column, table), key=_data_type):
                evidence = tuple(_interned(shared, item) for item in detection.evidence)
                shared_detection = replace(
                    detection,
                    evidence=_interned(shared, evidence),
                    confidence=_interned(shared, detection.confidence),
                )
                findings.append(_column_finding(column, shared_detection, policy))
    return findings


def _interned(shared: dict[object, object], item: Shared) -> Shared:
    """The one equal object already in `shared` (or `item`, now shared)."""
    return cast(Shared, shared.setdefault(item, item))


def _table_order(table: Table) -> tuple[str, str]:
    return (table.location.database or table.location.source, (table.location.table or "").lower())


def _column_order(column: Column) -> str:
    return (column.location.column or "").lower()


def _data_type(detection: Detection) -> str:
    return detection.data_type


def _column_finding(column: Column, detection: Detection, policy: Policy, values: ValueSample | None = None) -> Finding:
    category = policy.category_for(detection.data_type)
    return Finding(
        location=column.location,
        data_type=detection.data_type,
        category=category.id if category else None,
        confidence=detection.confidence,
        evidence=detection.evidence,
        values=values,
    )

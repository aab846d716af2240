"""One live database, start to finish: connect, read the catalog, sample tables concurrently.

Only the catalog is read with --schema-only. Otherwise each table is sampled on a worker
thread of its own connection (`jobs` at a time) within a per-table time limit, and its values
are profiled right there (`ColumnProfiler`), so memory holds counts, not rows. Whatever fails
(the server, one table, one column's bytes) becomes a Skipped or a note of one line, and the
scan goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pdscan.detect.column_values import ColumnProfiler, ValueProfile
from pdscan.detect.readable import shown_name
from pdscan.detect.values import ValueDetector, bundled_detector
from pdscan.model import Column, SchemaScan, Skipped, SourceKind, Table
from pdscan.sentences import skipped_because
from pdscan.sources.database.interface import (
    Catalog,
    CatalogTable,
    ConnectError,
    Connector,
    SampleError,
    TableFilter,
)
from pdscan.sources.database.target import DatabaseTarget, redact

PROFILE_CHECK_EVERY = 64  # rows between looks at the clock while profiling a sample


class TableProgress(Protocol):
    """Told how many tables will be sampled, then as each one starts and ends."""

    def start_tables(self, source: str, total: int) -> None: ...

    def table_started(self, table: str) -> None: ...

    def table_done(self, table: str) -> None: ...


@dataclass(frozen=True)
class DatabaseScanOptions:
    sample_size: int = 1000
    schema_only: bool = False
    jobs: int = 4
    statement_timeout: float = 30.0  # seconds one statement may run
    table_timeout: float = 120.0  # seconds one table (its statements and profiling) may take
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    values: ValueDetector = field(default_factory=bundled_detector)  # the rules sampled values meet


@dataclass(frozen=True)
class DatabaseScan:
    """The schema as detection reads it, and per (table, column) what its sampled values hold."""

    schema: SchemaScan
    profiles: Mapping[tuple[str, str], ValueProfile] = field(default_factory=dict)
    rows: int = 0  # rows sampled over all tables


ChecksFor = Callable[[Column, Table], tuple[str, ...]]


def scan_server(
    target: DatabaseTarget,
    options: DatabaseScanOptions,
    checks_for: ChecksFor,
    on_skip: Callable[[Skipped], None],
    on_note: Callable[[str], None],
    progress: TableProgress | None = None,
) -> DatabaseScan:
    """A database on a server, named by a URL: its engine (`engines.py`) connects."""

    def connect() -> Connector:
        return target.engine.connector()(target, options.jobs, options.statement_timeout)

    return _scan(
        target.display,
        target.kind,
        SourceKind.DATABASE,
        connect,
        options,
        checks_for,
        on_skip,
        on_note,
        progress,
        target,
    )


def scan_sqlite(
    path: Path,
    options: DatabaseScanOptions,
    checks_for: ChecksFor,
    on_skip: Callable[[Skipped], None],
    on_note: Callable[[str], None],
    progress: TableProgress | None = None,
) -> DatabaseScan:
    """A SQLite database file (it exists: discovery refuses a missing one, and nothing creates it)."""
    from pdscan.sources.database.sqlite import SQLiteConnector

    return _scan(
        str(path),
        "sqlite",
        SourceKind.SQLITE,
        lambda: SQLiteConnector(path, options.statement_timeout),
        options,
        checks_for,
        on_skip,
        on_note,
        progress,
        None,
    )


def _scan(
    source: str,
    dialect: str,
    kind: SourceKind,
    connect: Callable[[], Connector],
    options: DatabaseScanOptions,
    checks_for: ChecksFor,
    on_skip: Callable[[Skipped], None],
    on_note: Callable[[str], None],
    progress: TableProgress | None,
    target: DatabaseTarget | None,
) -> DatabaseScan:
    def failed(skipped: Skipped) -> DatabaseScan:
        on_skip(skipped)
        return DatabaseScan(SchemaScan(source, kind, (), (skipped,), dialect=dialect))

    try:
        connector = connect()
    except ConnectError as error:
        return failed(error.skipped(source))
    try:
        try:
            catalog = connector.catalog(TableFilter(options.include, options.exclude))
        except ConnectError as error:
            return failed(error.skipped(source))
        except Exception as error:
            error_text = (("error", _describe(error, target)),)
            return failed(skipped_because(source, "skipped.cannot_read_catalog", error_text))
        for item in catalog.skipped:
            on_skip(item)
        tables = tuple(entry.table for entry in catalog.tables)
        if options.schema_only:
            return DatabaseScan(SchemaScan(source, kind, tables, catalog.skipped, connector.dialect, len(tables)))
        sampled = _sample_all(source, connector, catalog, options, checks_for, on_skip, on_note, progress)
    finally:
        connector.close()
    skipped = catalog.skipped + sampled.skipped
    return DatabaseScan(
        SchemaScan(source, kind, tables, skipped, connector.dialect, len(tables)), sampled.profiles, sampled.rows
    )


@dataclass
class _Sampled:
    profiles: dict[tuple[str, str], ValueProfile] = field(default_factory=dict)
    skipped: tuple[Skipped, ...] = ()
    rows: int = 0


@dataclass
class _TableResult:
    profiles: dict[str, ValueProfile]
    rows: int
    skipped: Skipped | None = None
    notes: tuple[str, ...] = ()


def _sample_all(
    source: str,
    connector: Connector,
    catalog: Catalog,
    options: DatabaseScanOptions,
    checks_for: ChecksFor,
    on_skip: Callable[[Skipped], None],
    on_note: Callable[[str], None],
    progress: TableProgress | None,
) -> _Sampled:
    work = [entry for entry in catalog.tables if entry.sampled]
    for entry in catalog.tables:
        if entry.binary:
            names = ", ".join(f"`{shown_name(name)}`" for name in entry.binary)
            on_note(f"{source}: table `{shown_name(entry.table.name)}`: binary column(s) {names} not read")
    # Asked here, before the threads start: the name classifier keeps per-table state.
    checks = {entry.table.name: _column_checks(entry, checks_for) for entry in work}
    if progress is not None:
        progress.start_tables(source, len(work))

    def run(entry: CatalogTable) -> _TableResult:
        if progress is not None:
            progress.table_started(shown_name(entry.table.name))
        try:
            return _sample_table(source, connector, entry, options, checks[entry.table.name])
        finally:
            if progress is not None:
                progress.table_done(shown_name(entry.table.name))

    result = _Sampled()
    skipped: list[Skipped] = []
    pool = ThreadPoolExecutor(max_workers=max(1, options.jobs), thread_name_prefix="pdscan-table")
    try:
        for entry, outcome in zip(work, pool.map(run, work), strict=True):
            for note in outcome.notes:
                on_note(note)
            if outcome.skipped is not None:
                on_skip(outcome.skipped)
                skipped.append(outcome.skipped)
            result.rows += outcome.rows
            for column, profile in outcome.profiles.items():
                result.profiles[(entry.table.name, column)] = profile
    except BaseException:  # interrupted: tables not started are dropped, those in flight not awaited
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    result.skipped = tuple(skipped)
    return result


def _column_checks(entry: CatalogTable, checks_for: ChecksFor) -> tuple[tuple[str, ...], ...]:
    """Per sampled column, the value checks its name asks for."""
    columns = {column.name: column for column in entry.table.columns}
    return tuple(
        checks_for(columns[sampled.name], entry.table) if sampled.name in columns else () for sampled in entry.sampled
    )


def _sample_table(
    source: str,
    connector: Connector,
    entry: CatalogTable,
    options: DatabaseScanOptions,
    checks: tuple[tuple[str, ...], ...],
) -> _TableResult:
    deadline = time.monotonic() + options.table_timeout
    table = shown_name(entry.table.name)  # as messages name it
    try:
        rows = connector.sample(entry.ref, entry.sampled, options.sample_size, deadline)
    except SampleError as error:
        # past the deadline, the statement's limit was the table's time left
        message = "skipped.table_error_timeout" if time.monotonic() >= deadline else "skipped.table_error"
        return _TableResult({}, 0, skipped_because(source, message, (("table", table), ("error", str(error)))))
    except Exception as error:
        said = (("table", table), ("error", f"{type(error).__name__}: {error}"))
        return _TableResult({}, 0, skipped_because(source, "skipped.table_error", said))
    profilers = [ColumnProfiler(column_checks, options.values) for column_checks in checks]
    invalid = [0] * len(entry.sampled)
    binary = [0] * len(entry.sampled)
    read = 0
    cut_short = None
    for index, row in enumerate(rows):
        if index % PROFILE_CHECK_EVERY == 0 and time.monotonic() > deadline:
            values = (("table", table), ("read", index), ("rows", len(rows)))
            cut_short = skipped_because(source, "skipped.table_timeout", values)
            break
        read += 1
        for position, value in enumerate(row):
            text, problem = _text(value)
            if problem == "invalid":
                invalid[position] += 1
            elif problem == "binary":
                binary[position] += 1
                continue
            profilers[position].add(text)
    notes = []
    for position, column in enumerate(entry.sampled):
        if invalid[position]:
            notes.append(
                f"{source}: table `{table}`, column `{shown_name(column.name)}`: {invalid[position]:,} of {read:,} "
                "sampled values are not valid UTF-8 (read with U+FFFD for the bad bytes)"
            )
        if binary[position]:
            notes.append(
                f"{source}: table `{table}`, column `{shown_name(column.name)}`: {binary[position]:,} of {read:,} "
                "sampled values are binary, not text: skipped"
            )
    profiles = {column.name: profiler.result() for column, profiler in zip(entry.sampled, profilers, strict=True)}
    return _TableResult(profiles, read, cut_short, tuple(notes))


def _text(value: object) -> tuple[str | None, str | None]:
    """A sampled value as text, and what was wrong with it: `invalid` UTF-8 (decoded with
    replacement characters) or `binary` (NUL bytes: not text at all)."""
    if value is None or isinstance(value, str):
        return value, None
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes | bytearray):
        if b"\x00" in value:
            return None, "binary"
        try:
            return bytes(value).decode("utf-8"), None
        except UnicodeDecodeError:
            return bytes(value).decode("utf-8", errors="replace"), "invalid"
    return str(value), None


def _describe(error: BaseException, target: DatabaseTarget | None) -> str:
    return redact(str(getattr(error, "orig", None) or error), target)

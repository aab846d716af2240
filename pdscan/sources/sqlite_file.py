"""The schema of a SQLite database file, read without writing a byte of it.

SQLite keeps each table's CREATE statement verbatim, comments included, so the inline
`-- pdscan: purpose=…` annotations of the DDL survive in the database itself: the stored
statements go through the DDL parser for those, while the column list comes from SQLite's own
catalog (`table_xinfo`), which is right even after ALTER TABLE rewrote the statement.
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from dataclasses import replace
from pathlib import Path

from pdscan.model import Column, Location, SchemaScan, Skipped, SourceKind, Table
from pdscan.sources.readable import shown_path

WAL_FILES = ("-wal", "-shm")  # beside a WAL database while a connection has it open
CATALOG_QUERY = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
)


def read_only_uri(path: Path) -> str:
    """The URI that opens `path` without writing anything. `mode=ro` creates nothing beside a
    rollback-journal database, but to read a WAL database SQLite creates its `-wal` and `-shm`
    files, which a read-only connection cannot remove. A WAL database without them has no
    connection open and nothing pending, so it is opened `immutable` (no locks, no companion
    files; a writer that starts during the scan is not seen). One in use already has them:
    `mode=ro` reads its latest commits through them."""
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    if _in_wal_mode(path) and not any(path.with_name(path.name + suffix).exists() for suffix in WAL_FILES):
        uri += "&immutable=1"
    return uri


def _in_wal_mode(path: Path) -> bool:
    """The header's read and write versions (bytes 18 and 19) are 2 in WAL mode."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return header[18:20] == b"\x02\x02"


def scan_sqlite_schema(path: Path) -> SchemaScan:
    """Read tables and columns through a read-only connection; a broken file is a skip."""
    source = shown_path(path)
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error as error:
        return _unreadable(source, error)
    try:
        catalog = connection.execute(CATALOG_QUERY).fetchall()
        tables = tuple(_table(connection, source, name, sql or "") for name, sql in catalog)
    except sqlite3.Error as error:
        return _unreadable(source, error)
    finally:
        connection.close()
    return SchemaScan(source, SourceKind.SQLITE, tables, dialect="sqlite", statements=len(tables))


def _table(connection: sqlite3.Connection, source: str, name: str, sql: str) -> Table:
    location = Location(source, SourceKind.SQLITE, table=name, database=source)
    parsed = _parsed_statement(sql, source)
    parsed_columns = {column.name.lower(): column for column in parsed.columns} if parsed else {}
    columns = []
    for row in connection.execute(f'PRAGMA table_xinfo("{_quoted(name)}")'):
        column_name, sql_type, hidden = row[1], row[2], row[6]
        if hidden == 1:  # a virtual table's hidden column, not data a person gave
            continue
        written = parsed_columns.get(column_name.lower())
        columns.append(
            Column(
                location=replace(location, column=column_name),
                name=column_name,
                sql_type=sql_type or None,
                comment=written.comment if written else None,
                annotation=written.annotation if written else None,
            )
        )
    return Table(
        location=location,
        name=name,
        columns=tuple(columns),
        comment=parsed.comment if parsed else None,
        annotation=parsed.annotation if parsed else None,
    )


def _parsed_statement(sql: str, source: str) -> Table | None:
    from pdscan.sources.sql_ddl import scan_ddl_text  # the SQL parser, for schema scans alone

    scan = scan_ddl_text(sql, source=source, database=source, dialect="sqlite")
    return scan.tables[0] if len(scan.tables) == 1 else None


def _quoted(identifier: str) -> str:
    return identifier.replace('"', '""')


def _unreadable(source: str, error: sqlite3.Error) -> SchemaScan:
    reason = f"cannot read the SQLite database: {error}"
    return SchemaScan(source, SourceKind.SQLITE, (), (Skipped(source, reason),), dialect="sqlite")

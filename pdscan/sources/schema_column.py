"""The column `pdscan explain` asks about, read from the schema source that defines it."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from pdscan.detect.explain import ExplainError
from pdscan.detect.readable import shown_path
from pdscan.model import Column, SchemaScan, SourceKind, Table
from pdscan.sources.database.sqlite_file import ReadOnlyDatabase, read_schema
from pdscan.sources.database.target import is_database_url
from pdscan.sources.discovery import discover


def source_column(source: str, table_name: str, column_name: str) -> tuple[Table, Column]:
    """The table and column as a schema source defines them: SQL files and folders, ORM schema
    files, SQLite databases (their catalog only: no row is read)."""
    if is_database_url(source):
        raise ExplainError(
            f"--in {source.split('://')[0]}://…: explain reads schema files and SQLite databases; "
            "for a server, give the column's type and siblings with --type and --columns"
        )
    discovery = discover([source])
    tables: list[Table] = []
    skipped = list(discovery.skipped)
    for schema_input in discovery.inputs:
        if schema_input.kind is SourceKind.SQLITE:
            scan = _sqlite_schema(schema_input.files[0])
        else:
            from pdscan.sources.ddl.source import scan_ddl_files  # here: the SQL parser slows every start

            scan = scan_ddl_files(schema_input.files, database=schema_input.database)
        tables.extend(scan.tables)
        skipped.extend(scan.skipped)
    if not tables:
        why = f" ({skipped[0]})" if skipped else " (it reads as a log, not a schema)" if discovery.logs else ""
        raise ExplainError(f"no table found in {source}{why}")
    table = _table_named(tables, table_name, source)
    for column in table.columns:
        if column.name.lower() == column_name.lower():
            return table, column
    raise ExplainError(
        f"table `{table.name}` in {source} has no column `{column_name}` "
        f"(its columns: {', '.join(column.name for column in table.columns)})"
    )


def _sqlite_schema(path: Path) -> SchemaScan:
    """A SQLite database's catalog, read as a scan reads it (nothing beside the file changes)."""
    try:
        with ReadOnlyDatabase(path) as database:
            connection = database.connect()
            try:
                return read_schema(connection, shown_path(path))
            finally:
                connection.close()
    except sqlite3.Error as error:
        raise ExplainError(f"cannot read the SQLite database {shown_path(path)}: {error}") from None


def _table_named(tables: Sequence[Table], name: str, source: str) -> Table:
    """The table called `name`; else the one table of that name with no schema, or in the schema
    `name` gives (a parser drops a default `public.`; `users` means `audit.users` if alone)."""
    wanted = name.lower()
    exact = [table for table in tables if table.name.lower() == wanted]
    if exact:
        return exact[0]
    schema, _, bare = wanted.rpartition(".")
    alike = []
    for table in tables:
        table_schema, _, table_bare = table.name.lower().rpartition(".")
        if table_bare == bare and (not schema or table_schema in ("", schema)):
            alike.append(table)
    if len(alike) == 1:
        return alike[0]
    if alike:
        raise ExplainError(f"`{name}` in {source} may be {', '.join(table.name for table in alike)}: name the schema")
    names = ", ".join(table.name for table in tables[:20]) + (" …" if len(tables) > 20 else "")
    raise ExplainError(f"no table `{name}` in {source} (its tables: {names})")

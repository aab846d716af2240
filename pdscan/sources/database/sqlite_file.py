"""The schema of a SQLite database file, read without writing a byte of it.

SQLite keeps each table's CREATE statement verbatim, comments included, so the inline
`-- pdscan: purpose=…` annotations of the DDL survive in the database itself: the stored
statements go through the DDL parser for those, while the column list comes from SQLite's own
catalog (`table_xinfo`), which is right even after ALTER TABLE rewrote the statement.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import urllib.parse
from dataclasses import replace
from pathlib import Path

from pdscan.detect.readable import shown_name
from pdscan.model import Column, Location, SchemaScan, SourceKind, Table

CATALOG_QUERY = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
)
COPY_ATTEMPTS = 3  # a -wal without its -shm copied again when it changed during the copy
READONLY_SHM = sqlite3.sqlite_version_info >= (3, 22, 0)  # older SQLite ignores `readonly_shm`: copy instead


class ReadOnlyDatabase:
    """Connections to a SQLite file that change no byte and no time of it, of its -wal or of its
    -shm, and create neither; the commits still in the -wal are read.

    - A rollback-journal database: `mode=ro`.
    - A WAL database without a -wal has nothing pending: `immutable` (no locks, no companion
      files; a writer that starts during the scan is not seen).
    - A -wal beside its -shm (a writer holds them, or one died): `readonly_shm` maps the -shm
      read-only. A reader otherwise marks it, whoever holds the database. SQLite still takes the
      writer's locks (advisory, on the -shm's descriptor: no byte written), so a checkpoint
      cannot pull pages from under the read. With no writer left, it rebuilds the index from the
      -wal in private memory. `immutable` would ignore the -wal and miss its commits.
    - A -wal without its -shm: SQLite cannot read it without creating the -shm, so the database
      and its -wal are copied into a private directory (owner-only, removed on `close`) and read
      there. No connection holds such a database (one would have made the -shm), so the copy
      is whole; one whose files change while they are copied is copied again. SQLite older
      than 3.22 has no `readonly_shm`: there every -wal is read from such a copy.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._copy: Path | None = None
        wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
        options = "mode=ro"
        if _in_wal_mode(path):
            if shm.exists() and wal.exists() and READONLY_SHM:
                options += "&readonly_shm=1"
            elif _size(wal):
                path = self._copied(path, wal)
            else:
                options += "&immutable=1"
        self.uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?" + options

    def connect(self, check_same_thread: bool = True) -> sqlite3.Connection:
        return sqlite3.connect(self.uri, uri=True, check_same_thread=check_same_thread)

    def close(self) -> None:
        if self._copy is not None:
            shutil.rmtree(self._copy, ignore_errors=True)
            self._copy = None

    def __enter__(self) -> ReadOnlyDatabase:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def _copied(self, path: Path, wal: Path) -> Path:
        self._copy = Path(tempfile.mkdtemp(prefix="pdscan-sqlite-"))
        copy = self._copy / "copy.db"
        try:
            for _ in range(COPY_ATTEMPTS):
                before = _versions(path, wal)
                shutil.copyfile(path, copy)
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
                if _versions(path, wal) == before:
                    return copy
        except OSError as error:
            self.close()
            raise sqlite3.OperationalError(f"cannot copy it and its -wal to read them: {error}") from None
        self.close()
        raise sqlite3.OperationalError("it and its -wal changed each time they were copied to be read")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _versions(*paths: Path) -> list[tuple[int, int]]:
    return [(info.st_size, info.st_mtime_ns) for info in map(os.stat, paths)]


def _in_wal_mode(path: Path) -> bool:
    """The header's read and write versions (bytes 18 and 19) are 2 in WAL mode."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return header[18:20] == b"\x02\x02"


def read_schema(connection: sqlite3.Connection, source: str) -> SchemaScan:
    """The tables and columns of an open database; a broken one raises `sqlite3.Error`."""
    catalog = connection.execute(CATALOG_QUERY).fetchall()
    tables = tuple(_table(connection, source, name, sql or "") for name, sql in catalog)
    return SchemaScan(source, SourceKind.SQLITE, tables, dialect="sqlite", statements=len(tables))


def _table(connection: sqlite3.Connection, source: str, name: str, sql: str) -> Table:
    location = Location(source, SourceKind.SQLITE, table=shown_name(name), database=source)
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
                location=replace(location, column=shown_name(column_name)),
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
    from pdscan.sources.ddl.source import scan_ddl_text  # the SQL parser, for schema scans alone

    scan = scan_ddl_text(sql, source=source, database=source, dialect="sqlite")
    return scan.tables[0] if len(scan.tables) == 1 else None


def _quoted(identifier: str) -> str:
    return identifier.replace('"', '""')

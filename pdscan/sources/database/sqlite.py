"""SQLite files: opened so that nothing beside them changes (`ReadOnlyDatabase`) with
`query_only`, sampled by random rowids.

The schema comes from `sqlite_file.read_schema` (SQLite's catalog for the columns, the
stored CREATE statements for inline `-- pdscan:` purposes). A sample picks random rowids below
`max(rowid)` (an index lookup each), so its cost follows the sample, not the table; a table
without rowids, or a small one, is read with `LIMIT`. Text comes back as bytes and is decoded
by the scan, so invalid UTF-8 is counted instead of failing the query. A statement that runs
past its time is interrupted through SQLite's progress handler.
"""

from __future__ import annotations

import queue
import random
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from pdscan.detect.readable import shown_path
from pdscan.sources.database.interface import (
    JSON,
    MAX_JSON_CHARACTERS,
    MAX_TEXT_CHARACTERS,
    Catalog,
    CatalogTable,
    ConnectError,
    SampleColumn,
    SampleError,
    TableFilter,
    TableRef,
    is_binary,
    sample_kind,
)
from pdscan.sources.database.sqlite_file import ReadOnlyDatabase, read_schema

PROGRESS_STEPS = 10_000  # SQLite virtual-machine steps between checks of the clock
SMALL_TABLE_SAMPLES = 4  # up to four samples' worth of rowids: read the table in random order
CANDIDATES_PER_ROW = 2  # random rowids asked per wanted row (rowids have gaps)


class SQLiteConnector:
    dialect = "sqlite"

    def __init__(self, path: Path, statement_timeout: float) -> None:
        self.path = path
        self.source = str(path)
        self.statement_timeout = statement_timeout
        # Connections are reused by the worker threads: opening one parses the whole schema again.
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        try:
            self.database = ReadOnlyDatabase(path)
        except sqlite3.Error as error:
            raise ConnectError("skipped.cannot_read_sqlite", (("error", str(error)),)) from None
        try:
            self._idle.put(self._connect())
        except sqlite3.Error as error:
            self.database.close()
            raise ConnectError("skipped.cannot_open_sqlite", (("error", str(error)),)) from None

    def _connect(self) -> sqlite3.Connection:
        connection = self.database.connect(check_same_thread=False)
        connection.execute("PRAGMA query_only = ON")
        connection.text_factory = bytes
        return connection

    def catalog(self, tables: TableFilter) -> Catalog:
        try:
            connection = self.database.connect()  # text as str, unlike the sampling connections
            try:
                schema = read_schema(connection, shown_path(self.path))
            finally:
                connection.close()
        except sqlite3.Error as error:
            raise ConnectError("skipped.cannot_read_sqlite", (("error", str(error)),)) from None
        found = []
        for table in schema.tables:
            if not tables.matches(None, table.name):
                continue
            sampled = []
            binary = []
            for column in table.columns:
                kind = sample_kind(column.sql_type)
                if kind is not None:
                    sampled.append(SampleColumn(column.name, kind))
                elif is_binary(column.sql_type):
                    binary.append(column.name)
            found.append(CatalogTable(table, TableRef(None, table.name), tuple(sampled), tuple(binary)))
        return Catalog(tuple(found), ())

    def sample(self, table: TableRef, columns: Sequence[SampleColumn], limit: int, deadline: float) -> list[tuple]:
        quoted = _quote(table.name)
        selected = ", ".join(_expression(column) for column in columns)
        limit = int(limit)
        try:
            connection = self._idle.get_nowait()
        except queue.Empty:
            connection = self._connect()
        stop_at = min(deadline, time.monotonic() + self.statement_timeout)
        connection.set_progress_handler(lambda: int(time.monotonic() > stop_at), PROGRESS_STEPS)
        try:
            return self._rows(connection, quoted, selected, limit)
        except sqlite3.OperationalError as error:
            raise SampleError(_reason(error)) from None
        except sqlite3.Error as error:
            raise SampleError(str(error)) from None
        finally:
            connection.set_progress_handler(None, 0)
            self._idle.put(connection)

    def _rows(self, connection: sqlite3.Connection, quoted: str, selected: str, limit: int) -> list[tuple]:
        try:
            highest = connection.execute(f"SELECT max(_rowid_) FROM {quoted}").fetchone()[0]
        except sqlite3.OperationalError as error:
            if "no such column" not in str(error):
                raise
            return connection.execute(f"SELECT {selected} FROM {quoted} LIMIT {limit}").fetchall()  # WITHOUT ROWID
        if highest is None:
            return []
        if not isinstance(highest, int) or highest <= SMALL_TABLE_SAMPLES * limit:
            return connection.execute(f"SELECT {selected} FROM {quoted} ORDER BY random() LIMIT {limit}").fetchall()
        wanted = random.sample(range(1, highest + 1), min(highest, CANDIDATES_PER_ROW * limit))
        listed = ",".join(str(rowid) for rowid in wanted)
        rows = connection.execute(
            f"SELECT {selected} FROM {quoted} WHERE _rowid_ IN ({listed}) LIMIT {limit}"
        ).fetchall()
        if len(rows) < limit // 2:  # sparse rowids: top up with a run from a random point
            start = random.randint(1, highest)
            rows += connection.execute(
                f"SELECT {selected} FROM {quoted} WHERE _rowid_ >= {start} LIMIT {limit - len(rows)}"
            ).fetchall()
        return rows

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break
        self.database.close()


def _expression(column: SampleColumn) -> str:
    characters = MAX_JSON_CHARACTERS if column.kind == JSON else MAX_TEXT_CHARACTERS
    return f"substr({_quote(column.name)}, 1, {characters})"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _reason(error: sqlite3.OperationalError) -> str:
    text = str(error)
    if text == "interrupted":
        return "the statement timeout interrupted its sample (--statement-timeout)"
    if text.startswith("no such table"):
        return "it disappeared during the scan"
    return text

"""Apply schema changes in migration order to get the final schema, remembering where each
column was last defined (the file:line a report points at)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace

from pdscan.detect.readable import shown_name
from pdscan.model import Column, Location, SentenceValue, Skipped, SourceKind, Table
from pdscan.sentences import skipped_because
from pdscan.sources.ddl.parser import (
    AddColumn,
    AlterColumnType,
    Change,
    ColumnDef,
    CommentOn,
    CreateTable,
    CreateTableAs,
    DropColumn,
    DropTable,
    PartitionOf,
    RedefineColumn,
    RenameColumn,
    RenameTable,
    Unsupported,
)

NAMED_COLUMNS = 10  # columns a note about a table created twice names; the rest are counted


@dataclass(slots=True)  # slots: a 200,000-table schema holds a million of these at once
class _ColumnState:
    name: str
    sql_type: str | None
    source: str
    line: int
    comment: str | None
    annotation: str | None


@dataclass(slots=True)
class _TableState:
    name: str
    source: str
    line: int
    comment: str | None
    annotation: str | None
    columns: dict[str, _ColumnState] = field(default_factory=dict)
    partitions: list[str] = field(default_factory=list)  # PARTITION OF this table: its rows, its columns


class SchemaReplay:
    """The schema as it stands after every change applied so far.

    Names compare case-insensitively (unquoted identifiers fold in every dialect pdscan
    reads, and migrations rarely rely on case to tell tables apart).

    A CREATE TABLE of a table that exists (no DROP between) is what a database refuses, and
    IF NOT EXISTS makes it a no-op: either way the first definition stands. When the second
    holds columns the first lacks, `notes` says so, naming both places: replacing the table
    silently once hid the first definition's columns from the report.
    """

    def __init__(self, database: str) -> None:
        self.database = database
        self._tables: dict[str, _TableState] = {}
        self.notes: list[Skipped] = []

    def apply(self, change: Change, source: str) -> str | None:
        """Apply one change; returns a reason when it refers to something unknown (not fatal)."""
        if isinstance(change, CreateTable):
            existing = self._tables.get(change.table.lower())
            if existing is not None and not change.or_replace:
                self._created_again(existing, change, source)
                return None
            state = _TableState(change.table, source, change.line, change.comment, change.annotation)
            for parent_name in change.inherits:
                if (inherited := self._tables.get(parent_name.lower())) is not None:
                    state.columns.update({k: replace(v) for k, v in inherited.columns.items()})
            for column in change.columns:
                state.columns[column.name.lower()] = _column(column, source)
            self._tables[change.table.lower()] = state
            return None
        if isinstance(change, CreateTableAs):
            return self._create_as(change, source)
        if isinstance(change, PartitionOf):
            parent = self._tables.get(change.parent.lower())
            if parent is None:
                return f"PARTITION OF unknown table {change.parent}"
            parent.partitions.append(change.table)
            return None
        if isinstance(change, DropTable):
            self._tables.pop(change.table.lower(), None)
            return None
        if isinstance(change, RenameTable):
            renamed = self._tables.pop(change.old.lower(), None)
            if renamed is None:
                return f"RENAME of unknown table {change.old}"
            renamed.name = change.new
            self._tables[change.new.lower()] = renamed
            return None
        if isinstance(change, Unsupported):
            return None
        table = self._tables.get(change.table.lower())
        if table is None:
            return f"{type(change).__name__} on unknown table {change.table}"
        return self._apply_to_table(table, change, source)

    def _created_again(self, table: _TableState, change: CreateTable, source: str) -> None:
        """Keep the table as first created; a note unless the second CREATE is an IF NOT EXISTS
        that adds nothing (idempotent migrations repeat their CREATE TABLE IF NOT EXISTS)."""
        unread = [column.name for column in change.columns if column.name.lower() not in table.columns]
        if change.if_not_exists and not unread:
            return
        message = "replay.exists" if change.if_not_exists else "replay.again"
        values: tuple[tuple[str, SentenceValue], ...] = (
            ("table", change.table),
            ("first", f"{table.source}:{table.line}"),
        )
        if unread:
            more = len(unread) - NAMED_COLUMNS
            message += "_unread_more" if more > 0 else "_unread"
            values += (("columns", tuple(unread[:NAMED_COLUMNS])), ("more", more))
        self.notes.append(skipped_because(source, message, values, change.line))

    def _create_as(self, change: CreateTableAs, source: str) -> str | None:
        """A table made of another's columns (copied, renamed as selected), defined at this line."""
        origin = self._tables.get(change.source.lower())
        if origin is None:
            values = (("table", change.table), ("source", change.source))
            note = skipped_because(source, "replay.create_as_unknown", values, change.line)
            self.notes.append(note)
            return note.reason
        pairs = change.columns or tuple((column.name, column.name) for column in origin.columns.values())
        copied = CreateTable(
            change.table,
            change.line,
            tuple(
                ColumnDef(new, state.sql_type, change.line, state.comment)
                for old, new in pairs
                if (state := origin.columns.get(old.lower())) is not None
            ),
        )
        return self.apply(copied, source)

    def _apply_to_table(self, table: _TableState, change: Change, source: str) -> str | None:
        columns = table.columns
        if isinstance(change, AddColumn):
            columns[change.column.name.lower()] = _column(change.column, source)
        elif isinstance(change, DropColumn):
            columns.pop(change.column.lower(), None)
        elif isinstance(change, RenameColumn):
            state = columns.pop(change.old.lower(), None)
            if state is None:
                return f"RENAME of unknown column {table.name}.{change.old}"
            state.name, state.source, state.line = change.new, source, change.line
            columns[change.new.lower()] = state
        elif isinstance(change, RedefineColumn):
            old = columns.pop(change.old.lower(), None)
            new = _column(change.column, source)
            if old is not None:
                new.comment = new.comment or old.comment
                new.annotation = new.annotation or old.annotation
            columns[change.column.name.lower()] = new
        elif isinstance(change, AlterColumnType):
            if (state := columns.get(change.column.lower())) is not None:
                state.sql_type = change.sql_type
        elif isinstance(change, CommentOn):
            if change.column is None:
                table.comment = change.text
            elif (state := columns.get(change.column.lower())) is not None:
                state.comment = change.text
            else:
                return f"COMMENT ON unknown column {table.name}.{change.column}"
        return None

    def partition_notes(self) -> tuple[str, ...]:
        """One line per partitioned table: its partitions hold its columns and are reported as it."""
        notes = []
        for state in self._tables.values():
            if state.partitions:
                shown = ", ".join(state.partitions[:5]) + (
                    f" and {len(state.partitions) - 5:,} more" if len(state.partitions) > 5 else ""
                )
                notes.append(f"table {state.name}: its partitions are reported as it: {shown}")
        return tuple(notes)

    def take_tables(self) -> tuple[Table, ...]:
        """The final schema, once: each table's replay state is released as its Table is built,
        so a 200,000-table schema is never held twice (ask for `partition_notes` first)."""
        tables = []
        for key in list(self._tables):
            state = self._tables.pop(key)
            location = Location(
                state.source,
                SourceKind.DDL,
                table=shown_name(state.name),
                line=state.line,
                database=self.database,
            )
            columns = tuple(
                Column(
                    location=Location(
                        c.source, SourceKind.DDL, location.table, shown_name(c.name), c.line, self.database
                    ),
                    name=c.name,
                    sql_type=c.sql_type,
                    comment=c.comment,
                    annotation=c.annotation,
                )
                for c in state.columns.values()
            )
            tables.append(Table(location, state.name, columns, state.comment, state.annotation))
        return tuple(tables)


def _column(column: ColumnDef, source: str) -> _ColumnState:
    """Names and types interned: a schema of 200,000 tables repeats a few hundred of them."""
    sql_type = sys.intern(column.sql_type) if column.sql_type else column.sql_type
    return _ColumnState(sys.intern(column.name), sql_type, source, column.line, column.comment, column.annotation)

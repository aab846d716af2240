"""The DDL source: SQL files (a dump, or a folder of migrations) and ORM schema files -> the
final schema.

Each SQL file is decoded, its dialect detected, cut into statements, each statement read for the
schema changes it makes, and the changes replayed in order. ORM schema files (`schema.rb`,
`schema.prisma`, Django and SQLAlchemy models, Django and Alembic migrations: pdscan/sources/orm)
are read into the same changes and replayed after the SQL files of their folder. Anything
unreadable becomes a `Skipped` with file:line; the rest of the scan goes on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from pdscan.detect.readable import shown_name, shown_path
from pdscan.model import SchemaScan, Skipped, SourceKind, Table
from pdscan.sentences import skipped_because
from pdscan.sources.ddl.dialect import detect_dialect
from pdscan.sources.ddl.migration_paths import migration_path
from pdscan.sources.ddl.parser import Unsupported, parse_statement
from pdscan.sources.ddl.placeholders import PLACEHOLDER
from pdscan.sources.ddl.replay import SchemaReplay
from pdscan.sources.ddl.split import StatementSplitter
from pdscan.sources.ddl.text import NotText, decode_sql_bytes
from pdscan.sources.orm import SQL, OrmFile, OrmProblem, orm_changes, orm_format

_NUMBER_RUN = re.compile(r"(\d+)")
_FLYWAY = re.compile(r"^([VvUuRr])(\d+(?:[._]\d+)*)?__")


def scan_ddl_files(
    files: Sequence[Path], *, database: str, dialect: str | None = None, schema_format: str | None = None
) -> SchemaScan:
    """`schema_format` forces how every file is read (`sql`, `rails`, …); by default each file's
    name and content tell."""
    replay = SchemaReplay(database)
    skipped: list[Skipped] = []
    dialects: Counter[str] = Counter()
    statements = 0
    orm_files: list[OrmFile] = []
    path_taken = migration_path(files, dialect)
    empty: list[str] = []
    placeholders: dict[str, None] = {}
    for path in path_taken.files:
        source = shown_path(path)
        try:
            raw = path.read_bytes()
        except OSError as error:
            skipped.append(
                skipped_because(source, "skipped.cannot_read_file", (("error", str(error.strerror or error)),))
            )
            continue
        if not raw.strip():
            empty.append(path.name)  # kept for numbering: nothing in it is lost
            continue
        try:
            text = decode_sql_bytes(raw)
        except NotText as error:
            skipped.append(error.skipped(source))
            continue
        chosen_format = schema_format or orm_format(path, text[:65536]) or SQL
        if chosen_format != SQL:
            orm_files.append(OrmFile(path, source, chosen_format, text))
            continue
        file_dialect = dialect or detect_dialect(text)
        dialects[file_dialect] += 1
        statements += _replay_text(text, source, file_dialect, replay, skipped, placeholders)
    for item in orm_changes(orm_files):
        if isinstance(item, OrmProblem):
            reason = (("reason", shown_name(item.reason)),)
            skipped.append(skipped_because(item.source, "skipped.orm_unreadable", reason, item.line))
            continue
        statements += 1
        source, change = item
        replay.apply(change, source)
    skipped.extend(replay.notes)  # a table created twice, across every file replayed
    partition_notes = replay.partition_notes()
    tables = replay.take_tables()
    if orm_files and not dialects:
        dialects[orm_files[0].format] += 1
    return SchemaScan(
        source=database,
        kind=SourceKind.DDL,
        tables=tables,
        skipped=tuple(skipped) + _tables_without_columns(tables),
        dialect=dialects.most_common(1)[0][0] if dialects else dialect,
        statements=statements,
        notes=(*path_taken.notes, *_empty_note(empty), *_placeholder_note(placeholders), *partition_notes),
    )


def _empty_note(names: list[str]) -> tuple[str, ...]:
    if not names:
        return ()
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5:,} more" if len(names) > 5 else "")
    return (f"{len(names):,} empty file(s), as migration tools keep for numbering: {shown}",)


def _placeholder_note(placeholders: dict[str, None]) -> tuple[str, ...]:
    if not placeholders:
        return ()
    shown = ", ".join(f"`{item}`" for item in list(placeholders)[:5])
    return (f"template placeholders read as parts of table names: {shown}",)


def scan_ddl_text(text: str, *, source: str, database: str, dialect: str | None = None) -> SchemaScan:
    replay = SchemaReplay(database)
    skipped: list[Skipped] = []
    chosen = dialect or detect_dialect(text)
    placeholders: dict[str, None] = {}
    statements = _replay_text(text, source, chosen, replay, skipped, placeholders)
    skipped.extend(replay.notes)
    partition_notes = replay.partition_notes()
    tables = replay.take_tables()
    return SchemaScan(
        database,
        SourceKind.DDL,
        tables,
        tuple(skipped) + _tables_without_columns(tables),
        chosen,
        statements,
        (*_placeholder_note(placeholders), *partition_notes),
    )


def migration_order(files: Iterable[Path]) -> list[Path]:
    """Natural order (`2_` before `10_`, Flyway `V1.1__` before `V2__`, `R__` repeatables last)."""
    return sorted(files, key=_migration_key)


def _migration_key(path: Path) -> tuple[object, ...]:
    """Folders in natural order, then the file: Flyway versions numerically, repeatables last."""
    folders = tuple(_natural(part) for part in path.parts[:-1])
    flyway = _FLYWAY.match(path.name)
    if flyway:
        version = tuple(int(n) for n in re.split(r"[._]", flyway.group(2) or "0"))
        return (*folders, (1 if flyway.group(1).upper() == "R" else 0, version, _natural(path.name)))
    return (*folders, (0, (), _natural(path.name)))


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, int(c), "") if c.isdigit() else (1, 0, c) for c in _NUMBER_RUN.split(text.lower()) if c)


def _replay_text(
    text: str,
    source: str,
    dialect: str,
    replay: SchemaReplay,
    skipped: list[Skipped],
    placeholders: dict[str, None],
) -> int:
    """Replay one file's statements; `placeholders` gathers the templates met in table names."""
    splitter = StatementSplitter(text, dialect)
    count = 0
    for statement in splitter:
        count += 1
        for change in parse_statement(statement, dialect):
            if isinstance(change, Unsupported):
                reason = (("reason", shown_name(change.reason)),)  # it quotes names
                skipped.append(skipped_because(source, "skipped.statement_unread", reason, change.line))
                continue
            placeholders.update(dict.fromkeys(PLACEHOLDER.findall(getattr(change, "table", ""))))
            replay.apply(change, source)
    skipped.extend(
        skipped_because(source, problem.message, problem.values, problem.line) for problem in splitter.problems
    )
    return count


def _tables_without_columns(tables: tuple[Table, ...]) -> tuple[Skipped, ...]:
    return tuple(
        skipped_because(
            table.location.source, "skipped.no_columns", (("table", table.location.table or ""),), table.location.line
        )
        for table in tables
        if not table.columns
    )

"""Schema files that are not SQL: the schemas ORMs keep (Rails, Prisma, Django, SQLAlchemy,
Alembic), each read into the same schema changes a SQL statement makes, so one replay, one set
of declarations and one fingerprint serve them all. Nothing from a scanned project is imported
or run: Ruby and Prisma are read as text, Python as a syntax tree.

A file's format is told from its name and its first 64 KiB; `--schema-format` forces one.
The readers (and the SQL parser under them) are imported when a schema file is sniffed or read:
every scan imports this package, and a log scan waited some 0.1 s for them before its first line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pdscan.sources.ddl.parser import Change

SQL = "sql"
RAILS = "rails"
PRISMA = "prisma"
DJANGO_MODELS = "django-models"
DJANGO_MIGRATION = "django-migration"
SQLALCHEMY = "sqlalchemy"
ALEMBIC = "alembic"
SCHEMA_FORMATS = (SQL, RAILS, PRISMA, DJANGO_MODELS, DJANGO_MIGRATION, SQLALCHEMY, ALEMBIC)
HEAD_BYTES = 65536
_RAILS_CONTENT = re.compile(r"ActiveRecord::(?:Schema|Migration)\b")


def orm_format(path: Path, head: str) -> str | None:
    """The ORM schema format of a file, from its name and first bytes; None if it is none."""
    suffix = path.suffix.lower()
    if suffix == ".prisma":
        return PRISMA
    if suffix == ".rb":
        return RAILS if path.name == "schema.rb" or _RAILS_CONTENT.search(head) else None
    if suffix != ".py":
        return None
    from pdscan.sources.orm.django import is_django_migration, is_django_models
    from pdscan.sources.orm.sqlalchemy import is_alembic_revision, is_sqlalchemy_models

    if is_django_migration(head):
        return DJANGO_MIGRATION
    if is_alembic_revision(head):
        return ALEMBIC
    if is_django_models(head):
        return DJANGO_MODELS
    if is_sqlalchemy_models(head):
        return SQLALCHEMY
    return None


def sniff_orm_format(path: Path) -> str | None:
    """`orm_format` of a file on disk; None when it cannot be read (the reader says why later)."""
    if path.suffix.lower() not in (".prisma", ".rb", ".py"):
        return None
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    return orm_format(path, head)


@dataclass(frozen=True)
class OrmFile:
    path: Path
    source: str  # the path as reports show it
    format: str
    text: str


@dataclass(frozen=True)
class OrmProblem:
    source: str
    line: int
    reason: str


def orm_changes(files: Sequence[OrmFile]) -> Iterator[tuple[str, Change] | OrmProblem]:
    """(source, change) in replay order: schema files in the order given, Django migrations by
    their dependencies, Alembic revisions by their `down_revision` chain; a file that does not
    parse is one problem with its line, and the others go on."""
    from pdscan.sources.orm.django import MigrationReplay, migration_order, read_django_migration
    from pdscan.sources.orm.prisma import PrismaSyntaxError
    from pdscan.sources.orm.python_source import PythonSyntaxError
    from pdscan.sources.orm.rails import RubySyntaxError
    from pdscan.sources.orm.sqlalchemy import alembic_changes, read_alembic_revision, revision_order

    django: list[tuple[OrmFile, object]] = []
    alembic: list[tuple[OrmFile, object]] = []
    for item in files:
        try:
            if item.format == DJANGO_MIGRATION:
                django.append((item, read_django_migration(item.text, item.path)))
            elif item.format == ALEMBIC:
                alembic.append((item, read_alembic_revision(item.text, item.path.name)))
            else:
                yield from ((item.source, change) for change in _schema_file_changes(item))
        except (RubySyntaxError, PrismaSyntaxError, PythonSyntaxError) as error:
            yield OrmProblem(item.source, error.line, error.reason)
    sources = {id(parsed): item.source for item, parsed in (*django, *alembic)}
    replay = MigrationReplay()
    for migration in migration_order([parsed for _, parsed in django]):  # type: ignore[misc]
        yield from ((sources[id(migration)], change) for change in replay.changes(migration))
    for revision in revision_order([parsed for _, parsed in alembic]):  # type: ignore[misc]
        yield from ((sources[id(revision)], change) for change in alembic_changes(revision))


def _schema_file_changes(item: OrmFile) -> list[Change]:
    from pdscan.sources.orm.django import read_django_models
    from pdscan.sources.orm.prisma import read_prisma
    from pdscan.sources.orm.rails import read_rails
    from pdscan.sources.orm.sqlalchemy import read_sqlalchemy_models

    if item.format == RAILS:
        return read_rails(item.text)
    if item.format == PRISMA:
        return read_prisma(item.text)
    if item.format == DJANGO_MODELS:
        return read_django_models(item.text, item.path)
    return read_sqlalchemy_models(item.text)

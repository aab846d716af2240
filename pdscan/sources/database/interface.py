"""What every kind of live database gives the scan: its catalog, and sampled rows of a table.

A Connector is opened once per database and shared by the worker threads: `catalog` runs once,
`sample` once per table, each call on a connection of its own inside a read-only transaction.
Failures are SampleError / ConnectError carrying one line a person can act on, never a driver
traceback and never a password.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pdscan.detect.names import type_family
from pdscan.model import SentenceValue, Skipped, Table
from pdscan.sentences import ENGLISH, say, skipped_because

TEXT, JSON, NUMBER = "text", "json", "number"
MAX_TEXT_CHARACTERS = 65_536  # a longer value is cut: personal data sits in the first 64 KiB of a note
MAX_JSON_CHARACTERS = 1_048_576  # a document longer than this is read as text (its keys are lost)
JSON_TYPES = frozenset({"json", "jsonb"})
NOT_SAMPLED = frozenset({"boolean", "date", "binary", "numeric"})  # no personal value fits these types


class ConnectError(Exception):
    """The database could not be reached or refused us: the whole source is skipped. Why, as
    a sentence's key in rules/labels.yaml and its values (a driver's error quoted as it came)."""

    def __init__(self, message: str, values: tuple[tuple[str, SentenceValue], ...] = ()) -> None:
        self.message = message
        self.values = values
        super().__init__(say(message, ENGLISH, **dict(values)))

    def skipped(self, source: str) -> Skipped:
        """The database, skipped for this reason."""
        return skipped_because(source, self.message, self.values)


class SampleError(Exception):
    """One table could not be sampled (permission denied, gone, timed out): the rest goes on."""


@dataclass(frozen=True, slots=True)
class TableRef:
    """A table as its database names it, with what the catalog says about its size."""

    schema: str | None  # None: the connection's default schema
    name: str
    estimated_rows: int | None = None  # catalog statistics; None when unknown
    pages: int | None = None  # PostgreSQL: pages on disk
    integer_key: str | None = None  # MySQL: a single-column integer primary key, for range sampling


@dataclass(frozen=True, slots=True)
class SampleColumn:
    """A column whose values are read: its name and how (`text`, `json`, `number`)."""

    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class CatalogTable:
    table: Table  # what detection and declarations read: names, types, comments
    ref: TableRef
    sampled: tuple[SampleColumn, ...]  # the columns whose values are read
    binary: tuple[str, ...] = ()  # columns never read: binary types hold no text to check


@dataclass(frozen=True, slots=True)
class Catalog:
    tables: tuple[CatalogTable, ...]
    skipped: tuple[Skipped, ...] = ()


class Connector(Protocol):
    dialect: str  # as reported: sqlite, postgresql, mysql, mariadb

    def catalog(self, tables: TableFilter) -> Catalog: ...

    def sample(self, table: TableRef, columns: Sequence[SampleColumn], limit: int, deadline: float) -> list[tuple]:
        """At most `limit` rows of `columns`, chosen by the database's own sampling; values are
        text (or bytes when the database does not promise valid text), None for NULL."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class TableFilter:
    """`--include`/`--exclude` globs on `table` or `schema.table`; pushed down as SQL LIKE
    patterns where a glob translates exactly, checked again here in any case."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def matches(self, schema: str | None, name: str) -> bool:
        names = (name, f"{schema}.{name}") if schema else (name,)

        def hit(pattern: str) -> bool:
            return any(fnmatch.fnmatchcase(candidate.lower(), pattern.lower()) for candidate in names)

        if self.include and not any(hit(pattern) for pattern in self.include):
            return False
        return not any(hit(pattern) for pattern in self.exclude)

    def like_includes(self) -> tuple[str, ...] | None:
        """LIKE patterns for the catalog query, or None when some include cannot be one (then
        every table is listed and filtered here)."""
        patterns = tuple(_like(pattern) for pattern in self.include)
        return None if any(pattern is None for pattern in patterns) else patterns  # type: ignore[return-value]

    def like_excludes(self) -> tuple[str, ...]:
        """Excludes that translate exactly; the others are applied here after the query."""
        return tuple(like for like in (_like(pattern) for pattern in self.exclude) if like is not None)


LIKE_ESCAPE = "\\"


def _like(glob: str) -> str | None:
    """`user*` -> `user%`, `a_b?` -> `a\\_b_`; None for character classes LIKE cannot say."""
    if "[" in glob:
        return None
    out = []
    for character in glob:
        if character == "*":
            out.append("%")
        elif character == "?":
            out.append("_")
        elif character in "%_\\":
            out.append(LIKE_ESCAPE + character)
        else:
            out.append(character)
    return "".join(out)


def sample_kind(sql_type: str | None) -> str | None:
    """How a column of this SQL type is read, or None when its values cannot hold personal
    text (booleans, dates, floats, binaries)."""
    lowered = (sql_type or "").strip().lower()
    if lowered.split("(")[0].strip() in JSON_TYPES:
        return JSON
    family = type_family(sql_type)
    if family in NOT_SAMPLED:
        return None
    return NUMBER if family == "integer" else TEXT


def is_binary(sql_type: str | None) -> bool:
    return type_family(sql_type) == "binary"
